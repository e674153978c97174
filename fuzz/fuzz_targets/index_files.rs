//! Any bytes as an index directory's files (index.json, seg-000001.jsonl/.safetensors,
//! ann-000001.usearch): opening, reading records, verifying and searching give an error, never
//! a panic or an out-of-bounds read.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::check_index_files(data);
});
