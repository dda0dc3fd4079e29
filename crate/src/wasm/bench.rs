//! For `scripts/bench` (feature `bench`): the timing exports, see [`crate::bench`].

use super::*;

/// For `scripts/bench` (feature `bench`): see [`crate::bench`].
#[cfg(feature = "bench")]
#[wasm_bindgen(js_class = Analyzer)]
impl JsAnalyzer {
    /// Runs the first layer's recurrent step alone, `steps` times for `batch` texts, on the current backend.
    #[wasm_bindgen(js_name = benchRecurrence)]
    pub fn bench_recurrence(&self, batch: usize, steps: usize) -> Result<f32, JsError> {
        crate::bench::recurrence(self.inner.model(), self.inner.backend(), batch, steps).map_err(error)
    }

    /// Floating-point operations of one recurrent step.
    #[wasm_bindgen(getter, js_name = benchRecurrenceFlops)]
    pub fn bench_recurrence_flops(&self) -> f64 {
        crate::bench::recurrence_flops(self.inner.model())
    }

    /// The forward pass alone, the work an ONNX runtime does for the same model: `ids` holds `texts` texts of
    /// equal length one after another; runs them as one batch on the current backend (every step's logits) and
    /// returns each text's positive probability after its last token.
    #[wasm_bindgen(js_name = benchForward)]
    pub fn bench_forward(&self, ids: &[u32], texts: usize) -> Result<Vec<f32>, JsError> {
        let length = ids.len().checked_div(texts).unwrap_or(0);
        if length == 0 || length * texts != ids.len() {
            return Err(JsError::new(&format!(
                "benchForward: {} ids are not {texts} texts of equal length",
                ids.len()
            )));
        }
        let batch: Vec<&[u32]> = ids.chunks_exact(length).collect();
        let positive = self.inner.positive_index();
        crate::bench::forward(self.inner.model(), self.inner.backend(), positive, &batch).map_err(error)
    }

    /// Tokenizes `text` `repeats` times; returns the number of tokens.
    #[wasm_bindgen(js_name = benchTokenize)]
    pub fn bench_tokenize(&self, text: &str, repeats: usize) -> Result<usize, JsError> {
        let mut tokens = 0;
        for _ in 0..repeats {
            tokens = self.inner.tokenizer().encode(text).map_err(error)?.ids.len();
        }
        Ok(tokens)
    }

    /// Runs `repeats` times on the CPU what `analyze(text)` runs in Rust, all but the JS objects; returns the
    /// number of tokens.
    #[wasm_bindgen(js_name = benchAnalyze)]
    pub fn bench_analyze(&self, text: &str, repeats: usize) -> Result<usize, JsError> {
        let mut tokens = 0;
        for _ in 0..repeats {
            let scored = crate::backend::ready("benchAnalyze", self.inner.score_async(text)).map_err(error)?;
            tokens = scored.tokens.ids.len();
        }
        Ok(tokens)
    }

    /// Bytes of the SIMD kernel's vocabulary table so far: the chunks texts have read (0 without one).
    #[wasm_bindgen(getter, js_name = benchTableBytes)]
    pub fn bench_table_bytes(&self) -> usize {
        self.inner.backend().table_bytes()
    }
}

/// A matrix-vector product to time (feature `bench`): see [`crate::bench::MatVec`].
#[cfg(feature = "bench")]
#[wasm_bindgen(js_name = MatVecBench)]
#[derive(Debug)]
pub struct JsMatVec(crate::bench::MatVec);

#[cfg(feature = "bench")]
#[wasm_bindgen(js_class = MatVecBench)]
impl JsMatVec {
    #[wasm_bindgen(constructor)]
    pub fn new(rows: usize, cols: usize) -> JsMatVec {
        JsMatVec(crate::bench::MatVec::new(rows, cols))
    }

    /// Runs the product `repeats` times: `"dot"` (SIMD dot products), `"panels"` (SIMD, the kernel's layout) or
    /// `"scalar"`.
    pub fn run(&mut self, kind: &str, repeats: usize) -> Result<f32, JsError> {
        match kind {
            "dot" => Ok(self.0.run_simd(repeats)),
            "panels" => Ok(self.0.run_panels(repeats)),
            "scalar" => Ok(self.0.run_scalar(repeats)),
            _ => Err(JsError::new("MatVecBench.run: kind must be \"dot\", \"panels\" or \"scalar\"")),
        }
    }

    #[wasm_bindgen(getter)]
    pub fn flops(&self) -> f64 {
        self.0.flops()
    }
}
