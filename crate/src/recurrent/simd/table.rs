//! The SIMD kernel's vocabulary table: the first layer's input projection of every token id (see [`super`]'s
//! docs), kept for the whole vocabulary and computed [`TABLE_CHUNK`] ids at a time, the first time a text reads
//! one of them.

use std::sync::OnceLock;

use super::{Lanes, PackedLayer, project_all};
use crate::model::Model;

/// Token ids whose rows of the vocabulary table are computed together, the first time one of them is read: 16
/// rows of sentir-en-posts-distilled's table are 0.4 M multiply-adds, about a quarter of a millisecond in wasm.
pub const TABLE_CHUNK: usize = 16;

/// The vocabulary table, in chunks of [`TABLE_CHUNK`] token ids, each computed when first
/// read: `[chunk] -> [id in chunk][blocks][gate]`.
#[derive(Debug, Clone)]
pub(super) struct Table<V: Lanes> {
    chunks: Vec<OnceLock<Vec<V>>>,
    /// Vectors per token id: `blocks × gates`.
    row: usize,
}

impl<V: Lanes> Table<V> {
    pub(super) fn new(vocab: usize, row: usize) -> Table<V> {
        Table { chunks: (0..vocab.div_ceil(TABLE_CHUNK)).map(|_| OnceLock::new()).collect(), row }
    }

    /// Token `id`'s row, its chunk computed first if no text has read it yet.
    pub(super) fn row(&self, model: &Model, layer: &PackedLayer<V>, blocks: usize, id: usize) -> &[V] {
        let chunk = self.chunks[id / TABLE_CHUNK].get_or_init(|| {
            let first = id / TABLE_CHUNK * TABLE_CHUNK;
            let count = TABLE_CHUNK.min(model.embedding.rows() - first);
            project_all(layer, blocks, count, |v| model.embedding.row(first + v))
        });
        &chunk[id % TABLE_CHUNK * self.row..][..self.row]
    }

    /// The bytes of the chunks computed so far.
    pub(super) fn bytes(&self) -> usize {
        self.chunks.iter().filter_map(OnceLock::get).map(|chunk| size_of_val(chunk.as_slice())).sum()
    }
}
