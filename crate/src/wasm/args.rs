//! The boundary's checks: options read into structs (`options_of`), arguments of the wrong kind as `TypeError`s
//! that name them, and the crate's errors as JS `Error`s.

use super::*;

/// `Analyzer.create`'s options.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct CreateOptions {
    /// Absent, `undefined` or `null`: `"auto"`.
    #[serde(default, deserialize_with = "backend_choice")]
    pub(super) backend: Option<BackendChoice>,
}

/// `Analyzer.adapt`'s options: `folds` (default 5) and `seed` (default 0), as [`crate::AdaptOptions`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct AdaptOptions {
    #[serde(default)]
    pub(super) folds: Option<usize>,
    #[serde(default)]
    pub(super) seed: Option<u64>,
}

/// `options.backend`: a name of [`BackendChoice::NAMES`], or `undefined` or `null`.
pub(super) fn backend_choice<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<BackendChoice>, D::Error> {
    let must = || {
        let names: Vec<String> = BackendChoice::NAMES.iter().map(|name| format!("{name:?}")).collect();
        format!("options.backend must be one of {}", names.join(", "))
    };
    // Any JS value, so that the message can say what it was.
    let value = Option::<serde_json::Value>::deserialize(deserializer).map_err(|_| D::Error::custom(must()))?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => value
            .as_str()
            .and_then(|name| BackendChoice::from_name(name).ok())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format_args!("{}; got {value}", must()))),
    }
}

/// `options` as the options struct `T`, whose fields are the call's options by their camelCase names; absent
/// options are `T::default()`. An unknown option, or one of the wrong kind, is a `TypeError` that names it.
///
/// serde-wasm-bindgen reads a struct from an object field by field, by name, so it never sees other keys and
/// `deny_unknown_fields` alone would let a misspelt option pass unnoticed: the keys are checked here first,
/// against the names `T`'s `Deserialize` asks for.
pub(super) fn options_of<T: DeserializeOwned + Default>(call: &str, options: Option<&Object>) -> Result<T, JsValue> {
    let Some(options) = options else { return Ok(T::default()) };
    if !options.is_object() || Array::is_array(options) {
        return Err(type_error(&format!("{call}: options must be an object, got {}", kind_of(options))));
    }
    let names = field_names::<T>();
    for key in Object::keys(options).iter() {
        let key = key.as_string().unwrap_or_default();
        if !names.contains(&key.as_str()) {
            return Err(type_error(&format!("{call}: unknown option {key:?}; options are {}", names.join(", "))));
        }
    }
    serde_wasm_bindgen::from_value(options.into())
        .map_err(|error| type_error(&format!("{call}: {}", describe(&JsValue::from(error)))))
}

/// The field names that `T`'s derived `Deserialize` asks a deserializer for (after renaming), read by one that
/// records them and reads nothing.
pub(super) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields<'a>(&'a mut &'static [&'static str]);

    impl<'de> Deserializer<'de> for Fields<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(Self::Error::custom("only the field names are read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    // Always an error: the names are all it was for.
    let _ = T::deserialize(Fields(&mut fields));
    fields
}

/// `value` as a string, or a `TypeError` that names it (`name`: for example `"Analyzer.analyze(text): text"`).
pub(super) fn string_argument(name: &str, value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| type_error(&format!("{name} must be a string, got {}", kind_of(value))))
}

/// `value`, the argument `name` of `call`, as an array of strings, or a `TypeError` that names it or its first
/// element that is not a string (`call`: for example `"Analyzer.analyzeBatch(texts)"`). Only arrays: a string is
/// iterable too, and would otherwise be analysed character by character.
pub(super) fn strings_argument(call: &str, name: &str, value: &JsValue) -> Result<Vec<String>, JsValue> {
    if !Array::is_array(value) {
        return Err(type_error(&format!("{call}: {name} must be an array of strings, got {}", kind_of(value))));
    }
    let strings: &Array = value.unchecked_ref();
    strings.iter().enumerate().map(|(i, item)| string_argument(&format!("{call}: {name}[{i}]"), &item)).collect()
}

/// A `TypeError`, for an argument or option of the wrong kind.
pub(super) fn type_error(message: &str) -> JsValue {
    TypeError::new(message).into()
}

/// What kind of JS value `value` is, for error messages: its `typeof`, with `null` and arrays told apart from
/// other objects.
pub(super) fn kind_of(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "array".into()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    }
}

pub(super) fn error(error: crate::Error) -> JsError {
    JsError::new(&error.to_string())
}

/// A promise of `future`'s result, or of its error as an `Error`.
pub(super) fn promise(future: impl Future<Output = crate::Result<JsValue>> + 'static) -> Promise {
    wasm_bindgen_futures::future_to_promise(async move { future.await.map_err(|e| error(e).into()) })
}

/// A thrown JS value as text, for error messages.
pub(super) fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}
