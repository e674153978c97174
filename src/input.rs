//! Readers shared by the two ways text comes in, [`crate::ingest`] (articles of a corpus) and
//! [`crate::records`] (one text per line): stdin or a file, lines with a size cap, binary
//! sniffing, UTF-8 decoding with a place in the error. Both sit on this module; neither knows
//! the other.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// The largest single record (a plain-text article, a JSONL line) read into memory. Real
/// articles are kilobytes; a record of this size is a file without line breaks or a dump, and
/// reading it whole would exhaust memory rather than fail.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

/// `-` means standard input, everywhere a path is accepted.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name errors and warnings use for `path`.
pub fn display_name(path: &Path) -> String {
    if is_stdin(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// A buffered reader over a file, or over stdin for `-`.
pub fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    if is_stdin(path) {
        Ok(Box::new(BufReader::new(std::io::stdin())))
    } else {
        Ok(Box::new(BufReader::with_capacity(
            1 << 16,
            File::open(path)?,
        )))
    }
}

/// Reads one line (with its `\n`) into `buf`, refusing lines longer than [`MAX_RECORD_BYTES`].
/// `at` names the place for the error.
pub fn read_line_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    at: impl Fn() -> String,
) -> Result<usize> {
    read_until_capped(reader, buf, b'\n', at)
}

/// [`read_line_capped`] with another line break (`\r` for old Mac files).
pub fn read_until_capped(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    sep: u8,
    at: impl Fn() -> String,
) -> Result<usize> {
    // The cap is on the content; the line break may come on top.
    let n = reader
        .take(MAX_RECORD_BYTES as u64 + 2)
        .read_until(sep, buf)
        .map_err(|e| Error::Input(format!("{}: read error: {e}", at())))?;
    if n - usize::from(buf.ends_with(&[sep])) > MAX_RECORD_BYTES {
        return Err(too_long(&at(), "split it into one record per line"));
    }
    Ok(n)
}

/// Reads a whole input as one record, refusing more than [`MAX_RECORD_BYTES`].
pub fn read_capped(reader: &mut dyn BufRead, name: &str, fix: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_RECORD_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::Input(format!("{name}: {e}")))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(too_long(name, fix));
    }
    Ok(bytes)
}

fn too_long(at: &str, fix: &str) -> Error {
    Error::Input(format!(
        "{at}: a record longer than {} MiB; {fix}",
        MAX_RECORD_BYTES >> 20
    ))
}

/// A UTF-16 byte-order mark (little or big endian): text, but not in an encoding we read.
pub fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff")
}

/// The fix for a UTF-16 file named `name`.
pub fn utf16_fix(name: &str) -> String {
    format!(
        "{name}: is UTF-16 text (byte-order mark); claimscope reads UTF-8: convert it with \
         `iconv -f UTF-16 -t UTF-8 {name} > utf8-copy`"
    )
}

/// NUL bytes do not occur in text files in any encoding we accept; a few control bytes do.
pub fn looks_binary(head: &[u8]) -> bool {
    let head = &head[..head.len().min(8192)];
    head.contains(&0)
}

/// Does the input open with `{` (after a byte-order mark and whitespace), as JSONL does?
pub fn looks_like_jsonl(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// serde_json's error for one JSONL line, with what it usually means there: a string or object
/// that runs past the end of its line is a record broken over lines, not a bad character.
pub fn malformed_json_line(e: &serde_json::Error) -> String {
    // A record read with its line break (or split across two lines) meets the break as a
    // control character past its first line.
    let control = e.to_string().contains("control character");
    let hint = if e.is_eof() || (control && e.line() > 1) {
        "; a string or object is not closed by the end of the line: a JSONL record is one \
         line (a line break inside a string is written \\n)"
    } else if control {
        "; a string holds a raw control character (a tab, a carriage return, a NUL byte): \
         write it escaped (\\t, \\r, \\u0000) or remove it"
    } else if is_surrogate_error(e) {
        "; a \\uD800-\\uDFFF escape without its pair (a lone surrogate, as Python's json.dumps \
         writes for a broken string) is not text: pass --lossy to read it as U+FFFD, or clean \
         the strings before writing them"
    } else {
        ""
    };
    format!("malformed JSON ({e}){hint}")
}

/// The first bytes of every gzip stream.
pub const GZIP_MAGIC: &[u8] = b"\x1f\x8b";

/// One JSON record (a JSONL line); with `lossy`, a lone surrogate escape is read as U+FFFD, as
/// a bad byte is.
pub fn parse_json_record(json: &str, lossy: bool) -> serde_json::Result<serde_json::Value> {
    let mut v = serde_json::from_str(json).or_else(|e| match without_lone_surrogates(json) {
        Some(fixed) if lossy && is_surrogate_error(&e) => serde_json::from_str(&fixed),
        _ => Err(e),
    })?;
    exact_big_integers(&mut v, json);
    Ok(v)
}

/// A record's integers too big for 64 bits (ids from some systems: snowflakes of 20+ digits,
/// hashes written as numbers) as the text they were written in, a string: serde_json reads
/// them as the nearest f64, so two ids that differ in their last digits became one
/// (`12345678901234567890123` and `...124` both `1.2345678901234568e22`), and an id was
/// written back other than it was read. Top-level fields only, where ids and metadata sit.
/// Not serde_json's `arbitrary_precision`: that feature changes number handling for every
/// crate that shares serde_json (the tokenizer's files among them).
pub fn exact_big_integers(v: &mut serde_json::Value, raw: &str) {
    let Some(map) = v.as_object_mut() else {
        return;
    };
    let rounded = |x: &serde_json::Value| x.as_number().is_some_and(serde_json::Number::is_f64);
    if !map.values().any(rounded) {
        return;
    }
    let Ok(fields) = serde_json::from_str::<
        std::collections::HashMap<String, &serde_json::value::RawValue>,
    >(raw) else {
        return;
    };
    for (k, x) in map.iter_mut() {
        let Some(text) = fields.get(k).map(|r| r.get().trim()) else {
            continue;
        };
        let digits = text.strip_prefix('-').unwrap_or(text);
        if rounded(x) && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            *x = serde_json::Value::String(text.to_string());
        }
    }
}

/// serde_json's ways of refusing a lone surrogate escape.
fn is_surrogate_error(e: &serde_json::Error) -> bool {
    let m = e.to_string();
    m.contains("surrogate") || m.contains("end of hex escape")
}

/// JSON text with each lone surrogate escape (`\ud800` without its low half, or a low half
/// alone) written as `\ufffd`, for `--lossy`; None when there is none. By hand because no JSON
/// crate here reads them (serde_json refuses, as the JSON spec allows it to).
fn without_lone_surrogates(json: &str) -> Option<String> {
    let b = json.as_bytes();
    let hex = |i: usize| -> Option<u32> {
        let h = json.get(i..i + 4)?;
        if h.bytes().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(h, 16).ok()
        } else {
            None
        }
    };
    let mut out = String::with_capacity(json.len());
    let (mut i, mut last, mut changed) = (0, 0, false);
    while i + 1 < b.len() {
        if b[i] != b'\\' {
            i += 1;
            continue;
        }
        if b[i + 1] != b'u' {
            // Any other escape, `\\` included, is two bytes that cannot start a `\u`.
            i += 2;
            continue;
        }
        let Some(code) = hex(i + 2) else {
            i += 2;
            continue;
        };
        let paired = (0xD800..0xDC00).contains(&code)
            && b.get(i + 6) == Some(&b'\\')
            && b.get(i + 7) == Some(&b'u')
            && hex(i + 8).is_some_and(|lo| (0xDC00..0xE000).contains(&lo));
        if paired {
            i += 12;
        } else if (0xD800..0xE000).contains(&code) {
            out.push_str(&json[last..i]);
            out.push_str("\\ufffd");
            i += 6;
            last = i;
            changed = true;
        } else {
            i += 6;
        }
    }
    changed.then(|| {
        out.push_str(&json[last..]);
        out
    })
}

/// Every record of a small JSONL file, with its line number (from 1): blank lines are not
/// records; a line that is not a `T` stops with its `file:line`, the one-line hint above and
/// `expected` (what a record holds, or "").
pub fn read_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    expected: &str,
) -> Result<Vec<(usize, T)>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    text.trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map(|t| (i + 1, t)).map_err(|e| {
                Error::Input(format!(
                    "{}:{}: {}{expected}",
                    path.display(),
                    i + 1,
                    malformed_json_line(&e)
                ))
            })
        })
        .collect()
}

/// Bytes to text: invalid UTF-8 stops with the byte offset and the fix, or is replaced with
/// U+FFFD when `lossy`.
pub fn decode(bytes: Vec<u8>, lossy: bool, name: &str) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) if lossy => Ok(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            Err(Error::Input(format!(
                "{name}: invalid UTF-8 at byte {at}; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8) or pass --lossy"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        let lone = r#"{"text":"Rain \ud800 fell \udc00 and \\ud800 stays"}"#;
        let fixed = without_lone_surrogates(lone).unwrap();
        assert_eq!(
            fixed,
            r#"{"text":"Rain \ufffd fell \ufffd and \\ud800 stays"}"#
        );
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["text"], "Rain \u{fffd} fell \u{fffd} and \\ud800 stays");
        assert_eq!(without_lone_surrogates(r#"{"t":"\ud83d\ude00 ok"}"#), None);
        let e = serde_json::from_str::<serde_json::Value>(lone).unwrap_err();
        assert!(malformed_json_line(&e).contains("--lossy"));
    }

    #[test]
    fn binary_is_nul_bytes_near_the_start() {
        assert!(looks_binary(b"PK\x03\x04\x00\x00"));
        assert!(!looks_binary("caf\u{e9}\t\r\n".as_bytes()));
        // Past the sniffed head, a NUL does not make a text binary.
        let mut late = vec![b'a'; 9000];
        late.push(0);
        assert!(!looks_binary(&late));
    }

    #[test]
    fn decode_names_the_byte_or_replaces_it() {
        let bad = b"ok \xe9 no".to_vec();
        let err = decode(bad.clone(), false, "f.txt").unwrap_err().to_string();
        assert!(err.contains("f.txt: invalid UTF-8 at byte 3"), "{err}");
        assert_eq!(decode(bad, true, "f.txt").unwrap(), "ok \u{fffd} no");
    }

    #[test]
    fn capped_lines_keep_the_break_and_refuse_nothing_short() {
        let mut r: &[u8] = b"one\ntwo";
        let mut buf = Vec::new();
        assert_eq!(
            read_line_capped(&mut r, &mut buf, || "x".into()).unwrap(),
            4
        );
        assert_eq!(buf, b"one\n");
        buf.clear();
        assert_eq!(
            read_line_capped(&mut r, &mut buf, || "x".into()).unwrap(),
            3
        );
        buf.clear();
        assert_eq!(
            read_line_capped(&mut r, &mut buf, || "x".into()).unwrap(),
            0
        );
    }
}
