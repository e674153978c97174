//! Any text through the confidence cue scanner: cue spans inside the sentence, on char
//! boundaries, `sentence[start..end] == text`; the level and negation counts never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/fuzz_checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = std::str::from_utf8(data) {
        checks::check_cues(s);
    }
});
