//! Any text as a sentence split into claim units: spans inside the sentence, on char
//! boundaries, `sentence[start..end] == text`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        checks::check_claims(s);
    }
});
