//! Every WGSL shader of the crate parses and validates with naga, in a plain `cargo test` (no GPU needed).
#![cfg(not(target_arch = "wasm32"))]

#[test]
fn every_wgsl_file_parses_and_validates() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crate/src/gpu");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("crate/src/gpu exists")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wgsl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .wgsl files found in {}", dir.display());
    for path in &files {
        let source = std::fs::read_to_string(path).expect("readable");
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{} does not parse:\n{}", path.display(), e.emit_to_string(&source)));
        naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::default())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{} does not validate:\n{}", path.display(), e.emit_to_string(&source)));
    }
    // The crate embeds exactly these files.
    let embedded: Vec<&str> = sentir::gpu::SHADERS.iter().map(|(name, _)| *name).collect();
    let found: Vec<String> =
        files.iter().map(|p| p.file_name().unwrap_or_default().to_string_lossy().into_owned()).collect();
    let mut embedded_sorted = embedded.clone();
    embedded_sorted.sort();
    assert_eq!(found, embedded_sorted, "sentir::gpu::SHADERS and the .wgsl files in crate/src/gpu disagree");
}
