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

# Builds the wasm package the page imports, into web/pkg. PROFILE is --release (default) or --dev.
build_web_pkg() {
  local profile=${1:---release}
  step "wasm-pack build $profile --target web (web/pkg)"
  (cd "$ROOT/crate" && wasm-pack --quiet build "$profile" --target web --out-dir ../web/pkg --no-pack)
}
