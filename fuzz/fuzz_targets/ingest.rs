//! Any bytes as a .txt, .jsonl, .csv, .html, .warc or .parquet input (the first byte picks which), read and
//! segmented as the commands do. Invariants: no panic; every sentence is `document[start..end]`,
//! spans are in order, do not overlap, and lie inside the document.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    checks::check_ingest(data);
});
