//! Sentence embeddings: model resolution, encoder, pooling, batching.
