//! A model folder fetched from a base URL, or read from `{ config, weights, tokenizer }` bytes.

use super::args::describe;
use super::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`, present in browsers, workers and node >= 18 alike.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str) -> Promise;
}

/// A base URL given as a string or a `URL` object.
pub(super) fn url_of(source: &JsValue) -> Option<String> {
    source.as_string().or_else(|| Reflect::get(source, &"href".into()).ok()?.as_string())
}

/// `source[name]` as bytes: a `Uint8Array` (node's `Buffer` included), an `ArrayBuffer`, or a string. `what`
/// names `source` in the error (`Analyzer.create(source): source`), `whose` the files' owner (`model`, `adapter`).
pub(super) fn bytes_field(what: &str, source: &JsValue, name: &str, whose: &str) -> Result<Vec<u8>, JsValue> {
    let value = Reflect::get(source, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if value.is_instance_of::<Uint8Array>() || value.is_instance_of::<ArrayBuffer>() {
        Ok(Uint8Array::new(&value).to_vec())
    } else {
        Err(type_error(&format!(
            "{what}.{name} must be a Uint8Array, ArrayBuffer or string holding the {whose}'s {name} file, got {}",
            kind_of(&value)
        )))
    }
}

/// Fetches `config.json` from `base`, then the weights and tokenizer it names, both requests in flight at once.
pub(super) async fn from_url(base: &str) -> Result<crate::Analyzer, JsError> {
    let url = |file: &str| format!("{}/{file}", base.trim_end_matches('/'));
    let config = Config::from_json(&fetch_bytes(&url("config.json")).await?).map_err(error)?;
    let (weights_url, tokenizer_url) = (url(&config.weights), url(&config.tokenizer));
    let weights = start_fetch(&weights_url);
    let tokenizer = start_fetch(&tokenizer_url);
    let weights = finish_fetch(&weights_url, weights).await?;
    let tokenizer = finish_fetch(&tokenizer_url, tokenizer).await?;
    crate::Analyzer::from_config(config, &weights, &tokenizer).map_err(error)
}

pub(super) async fn fetch_bytes(url: &str) -> Result<Vec<u8>, JsError> {
    finish_fetch(url, start_fetch(url)).await
}

pub(super) fn start_fetch(url: &str) -> JsFuture {
    JsFuture::from(global_fetch(url))
}

pub(super) async fn finish_fetch(url: &str, request: JsFuture) -> Result<Vec<u8>, JsError> {
    let failed = |why: String| JsError::new(&format!("could not fetch {url}: {why}; check the model's base URL"));
    let response: web_sys::Response =
        request.await.map_err(|e| failed(describe(&e)))?.dyn_into().map_err(|_| failed("not a Response".into()))?;
    if !response.ok() {
        return Err(failed(format!("HTTP {} {}", response.status(), response.status_text())));
    }
    let buffer = response.array_buffer().map_err(|e| failed(describe(&e)))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| failed(describe(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}
