//! `model.safetensors` -> typed, shape-checked tensors, stored as `f32` or `f16` (the config's `dtype`) and held as
//! `f32`.

use safetensors::{Dtype, SafeTensors};

use super::{Cell, Config, GruLayer, Head, Layer, LstmLayer, Matrix, Model};
use crate::error::{Error, Result};

/// Every tensor format v1 has for `config`, with its shape, in file order; the config's `cell` error if it names
/// none format v1 has.
///
/// Layer `l` of an LSTM has `lstm.{l}.weight_ih` `[4H, input]`, `lstm.{l}.weight_hh` `[4H, H]` and one fused bias
/// `lstm.{l}.bias` `[4H]` (PyTorch's `bias_ih + bias_hh`), the four gates stacked `[i, f, g, o]`. Layer `l` of a GRU
/// has `gru.{l}.weight_ih` `[3H, input]`, `gru.{l}.weight_hh` `[3H, H]` and two biases, `gru.{l}.bias_ih` and
/// `gru.{l}.bias_hh` `[3H]`, the three gates stacked `[r, z, n]` (see [`Cell::gate_order`]).
pub fn tensor_names(config: &Config) -> Result<Vec<(String, Vec<usize>)>> {
    let cell = config.cell()?;
    let (h, rows, prefix) = (config.hidden_size, cell.gates() * config.hidden_size, cell.name());
    let mut names = vec![("embedding.weight".to_owned(), vec![config.vocab_size, config.embedding_size])];
    for layer in 0..config.num_layers {
        let input = if layer == 0 { config.embedding_size } else { h };
        names.push((format!("{prefix}.{layer}.weight_ih"), vec![rows, input]));
        names.push((format!("{prefix}.{layer}.weight_hh"), vec![rows, h]));
        let biases: &[&str] = match cell {
            Cell::Lstm => &["bias"],
            Cell::Gru(_) => &["bias_ih", "bias_hh"],
        };
        names.extend(biases.iter().map(|bias| (format!("{prefix}.{layer}.{bias}"), vec![rows])));
    }
    names.push(("head.weight".to_owned(), vec![config.labels.len(), h]));
    names.push(("head.bias".to_owned(), vec![config.labels.len()]));
    Ok(names)
}

pub(super) fn load(config: Config, bytes: &[u8]) -> Result<Model> {
    let file = SafeTensors::deserialize(bytes).map_err(|e| Error::Weights { message: e.to_string() })?;
    let dtype = config.stored_dtype()?;
    let cell = config.cell()?;
    let expected = tensor_names(&config)?;
    let tensors = expected
        .iter()
        .map(|(name, shape)| Ok((shape.clone(), read_f32(&file, name, dtype, shape)?)))
        .collect::<Result<Vec<_>>>()?;
    if let Some(extra) = file.names().into_iter().find(|name| !expected.iter().any(|(known, _)| known == name)) {
        return Err(Error::UnexpectedTensor { name: extra.to_owned() });
    }

    // The shapes live in `tensor_names` alone: the tensors come in its order, each already checked against it.
    let tensors = &mut tensors.into_iter();
    let embedding = next_matrix(tensors);
    let layers = (0..config.num_layers)
        .map(|_| {
            let (weight_ih, weight_hh) = (next_matrix(tensors), next_matrix(tensors));
            match cell {
                Cell::Lstm => Layer::Lstm(LstmLayer { weight_ih, weight_hh, bias: next(tensors).1 }),
                Cell::Gru(reset) => Layer::Gru(GruLayer {
                    reset,
                    weight_ih,
                    weight_hh,
                    bias_ih: next(tensors).1,
                    bias_hh: next(tensors).1,
                }),
            }
        })
        .collect();
    let head = Head::last(next_matrix(tensors), next(tensors).1);
    Ok(Model { config, embedding, layers, head })
}

type Tensors = std::vec::IntoIter<(Vec<usize>, Vec<f32>)>;

fn next(tensors: &mut Tensors) -> (Vec<usize>, Vec<f32>) {
    tensors.next().unwrap_or_else(|| tensor_names_disagree())
}

fn next_matrix(tensors: &mut Tensors) -> Matrix {
    match next(tensors) {
        (shape, data) if shape.len() == 2 => Matrix::new(shape[0], shape[1], data),
        _ => None,
    }
    .unwrap_or_else(|| tensor_names_disagree())
}

/// Reads tensor `name`, which must be stored as `dtype` (`F32` or `F16`, from [`Config::stored_dtype`]) in
/// `shape`, as `f32` values: `f16` ones are expanded exactly, so everything after loading sees `f32` alone.
pub(crate) fn read_f32(file: &SafeTensors<'_>, name: &str, dtype: Dtype, shape: &[usize]) -> Result<Vec<f32>> {
    let view = file.tensor(name).map_err(|_| Error::MissingTensor { name: name.to_owned() })?;
    if view.dtype() != dtype {
        return Err(Error::TensorDtype {
            name: name.to_owned(),
            expected: format!("{dtype:?}"),
            found: format!("{:?}", view.dtype()),
        });
    }
    if view.shape() != shape {
        return Err(Error::TensorShape {
            name: name.to_owned(),
            expected: shape.to_vec(),
            found: view.shape().to_vec(),
        });
    }
    // safetensors checked that the data length matches the shape; the file is little-endian by definition. The
    // bytes are read one value at a time because a tensor's data need not be aligned for `f32` or `f16`.
    let values: Vec<f32> = if dtype == Dtype::F16 {
        view.data().chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))).collect()
    } else {
        view.data().chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
    };
    // An f16 infinity or NaN expands to an f32 one, so one check covers both dtypes.
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::NonFinite { name: name.to_owned(), index });
    }
    Ok(values)
}

/// The IEEE 754 half-precision value of `bits` as an `f32`, exactly, infinities and NaNs included. The half's
/// exponent and mantissa moved to an `f32`'s places make a number 2^112 times too small (a subnormal half too: its
/// `f32` is subnormal), which one multiplication by a power of two puts right; a half's all-ones exponent becomes
/// the `f32`'s. Branch-free, so that a tensor's loop vectorizes (wasm simd128, SSE2): in a page, `half`'s
/// conversion, which on wasm converts one value at a time through branches, was a twentieth of loading the model.
/// The tests check it against `half` on every one of the 65,536 values.
fn f16_to_f32(bits: u16) -> f32 {
    const TWO_TO_112: u32 = (112 + 127) << 23;
    let bits = u32::from(bits);
    let magnitude = f32::from_bits((bits & 0x7fff) << 13) * f32::from_bits(TWO_TO_112);
    let all_ones = if bits & 0x7c00 == 0x7c00 { 0x7f80_0000 } else { 0 };
    f32::from_bits(magnitude.to_bits() | all_ones | (bits & 0x8000) << 16)
}

/// Reached only if `load` reads the tensors in another order than `tensor_names` lists them: a bug in this
/// module, not bad input.
#[cold]
fn tensor_names_disagree() -> ! {
    unreachable!("load consumes tensors in tensor_names' order and shapes")
}

#[cfg(test)]
mod tests {
    use super::f16_to_f32;

    #[test]
    fn every_half_expands_to_the_f32_half_gives() {
        for bits in 0..=u16::MAX {
            let (ours, expected) = (f16_to_f32(bits), half::f16::from_bits(bits).to_f32());
            if expected.is_nan() {
                assert!(ours.is_nan(), "{bits:#06x}: {ours}");
            } else {
                assert_eq!(ours.to_bits(), expected.to_bits(), "{bits:#06x}: {ours} against {expected}");
            }
        }
    }
}
