//! Every WGSL shader of the crate parses and validates with naga, in a plain `cargo test` (no GPU needed), as the
//! crate compiles it (`sentir::gpu::SHADERS`: libraries prepended); every library is part of a shader, and every
//! `.wgsl` file is embedded.
#![cfg(not(target_arch = "wasm32"))]

use sentir::gpu::{PERSISTENT_MAX_HIDDEN, SHADERS, WGSL_LIBRARIES};

fn validate(name: &str, source: &str) {
    let module = naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name} does not parse:\n{}", e.emit_to_string(source)));
    naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name} does not validate:\n{}", e.emit_to_string(source)));
}

#[test]
fn every_wgsl_file_parses_and_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crate/src/gpu");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("crate/src/gpu exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wgsl"))
        .map(|path| path.file_name().unwrap_or_default().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no .wgsl files found in {}", dir.display());
    for (name, source) in SHADERS {
        validate(name, source);
    }
    // Each library is validated as part of a shader.
    for (name, source) in WGSL_LIBRARIES {
        assert!(SHADERS.iter().any(|(_, shader)| shader.contains(source)), "{name} is in no shader");
    }
    // The crate embeds exactly these files.
    let mut embedded: Vec<&str> = SHADERS.iter().chain(&WGSL_LIBRARIES).map(|(name, _)| *name).collect();
    embedded.sort();
    assert_eq!(
        found, embedded,
        "sentir::gpu::SHADERS and WGSL_LIBRARIES disagree with the .wgsl files in crate/src/gpu"
    );
}

#[test]
fn the_persistent_kernel_holds_the_hidden_size_the_crate_says() {
    // The LSTM's and the GRU's.
    for file in ["lstm_persistent.wgsl", "gru_persistent.wgsl"] {
        let (_, recur) = SHADERS.iter().find(|(name, _)| *name == file).expect("a persistent shader");
        let declared = format!("const MAX_HIDDEN: u32 = {PERSISTENT_MAX_HIDDEN}u;");
        assert!(recur.contains(&declared), "{file} does not declare `{declared}`");
    }
}
