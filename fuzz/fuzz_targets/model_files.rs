//! Any bytes as a model directory (config.json, tokenizer.json, the sentence-transformers
//! files, model.safetensors): loading gives an error, never a panic; a model that loads embeds.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::check_model_files(data);
});
