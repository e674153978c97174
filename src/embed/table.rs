//! Vectors of distinct texts, looked up by text. Training and evaluation sets repeat their
//! texts (a claim paired with many bodies, one sentence in many pairs): each is embedded once.

use std::collections::HashMap;

use ndarray::{Array2, ArrayView1};

use super::Embedder;
use crate::error::{Error, Result};
use crate::observe::Observer;

pub struct TextVectors {
    index: HashMap<String, usize>,
    vectors: Array2<f32>,
}

impl TextVectors {
    /// Embeds every distinct text of `texts` once; progress in `what` units.
    pub fn build<I, S>(
        embedder: &Embedder,
        texts: I,
        what: &str,
        observer: &dyn Observer,
    ) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut index = HashMap::new();
        let mut list: Vec<String> = Vec::new();
        for t in texts {
            let t = t.as_ref();
            if !index.contains_key(t) {
                index.insert(t.to_string(), list.len());
                list.push(t.to_string());
            }
        }
        let vectors = embedder.embed_all(&list, what, observer)?.vectors;
        Ok(TextVectors { index, vectors })
    }

    /// The vector of `text`; asking for a text that was not built from is a caller's bug.
    pub fn get(&self, text: &str) -> Result<ArrayView1<'_, f32>> {
        match self.index.get(text) {
            Some(&i) => Ok(self.vectors.row(i)),
            None => Err(Error::Internal(format!(
                "text not in the vector table: {:?}",
                text.chars().take(60).collect::<String>()
            ))),
        }
    }

    /// Dot product of two texts' vectors (their cosine when the model normalises).
    pub fn dot(&self, a: &str, b: &str) -> Result<f32> {
        Ok(self.get(a)?.dot(&self.get(b)?))
    }

    pub fn len(&self) -> usize {
        self.vectors.nrows()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.nrows() == 0
    }

    pub fn dim(&self) -> usize {
        self.vectors.ncols()
    }
}
