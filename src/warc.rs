//! Web archives (WARC, `.warc` and `.warc.gz`, the format of Common Crawl's news crawl): each
//! `response` record whose HTTP payload is an HTML page, and each `resource` record that is one
//! (a page saved whole, as wget and browser archivers write it), is one article, extracted like
//! a saved page (`crate::html`). Read record by record, so an archive of any size streams; every
//! record that gives no article is counted with its reason.
//!
//! The record framing is read here rather than with the `warc` crate (0.4): its reader finds
//! the end of a body by scanning lines and failed with "read further than expected" on
//! well-formed records of the html-news pages, it grows its header buffer without bound on a
//! file that never ends a header, and its writer can write fewer body bytes than the header
//! says. The framing is small (a version line, `Name: value` lines, a blank line,
//! Content-Length bytes, CRLF CRLF); reading it by length is exact and bounded.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use encoding_rs::{DecoderResult, Encoding};

use crate::error::{Error, Result};
use crate::html;
use crate::ingest::{Document, Entry, is_english};
use crate::input::MAX_RECORD_BYTES;

/// A WARC header block longer than this is not a header block.
const MAX_HEADER_BYTES: usize = 1 << 20;

/// One record: its headers (names lower-cased) and its body.
#[derive(Debug)]
pub struct Record {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Record {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Records of a WARC stream, read by their Content-Length.
pub struct Records<R: BufRead> {
    reader: R,
}

/// One line, at most `MAX_HEADER_BYTES` of it.
fn read_line<R: BufRead>(reader: &mut R, line: &mut Vec<u8>) -> std::result::Result<usize, String> {
    line.clear();
    reader
        .take(MAX_HEADER_BYTES as u64)
        .read_until(b'\n', line)
        .map_err(|e| e.to_string())
}

impl<R: BufRead> Records<R> {
    pub fn new(reader: R) -> Self {
        Records { reader }
    }

    /// The next record, `Ok(None)` at a clean end, an error naming what is wrong otherwise.
    pub fn next_record(&mut self) -> std::result::Result<Option<Record>, String> {
        let mut line = Vec::new();
        // Blank lines between records (the CRLF CRLF after a body, extra ones some writers add).
        loop {
            if read_line(&mut self.reader, &mut line)? == 0 {
                return Ok(None);
            }
            if !line.iter().all(u8::is_ascii_whitespace) {
                break;
            }
        }
        if !line.starts_with(b"WARC/") {
            return Err(format!(
                "expected a WARC/1.x version line, found {:?}",
                String::from_utf8_lossy(&line[..line.len().min(40)])
            ));
        }
        let mut headers = Vec::new();
        let mut header_bytes = line.len();
        loop {
            let n = read_line(&mut self.reader, &mut line)?;
            header_bytes += n;
            if n == 0 {
                return Err("the archive ends inside a record header".into());
            }
            if header_bytes >= MAX_HEADER_BYTES {
                return Err(format!(
                    "a record header longer than {MAX_HEADER_BYTES} bytes"
                ));
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            let Some((name, value)) = text.split_once(':') else {
                return Err(format!("a header line without a colon: {text:?}"));
            };
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .ok_or("a record without Content-Length")?
            .1
            .parse()
            .map_err(|e| format!("Content-Length: {e}"))?;
        if len > MAX_RECORD_BYTES {
            return Err(format!(
                "a record of {len} bytes, more than the {MAX_RECORD_BYTES} one article can take"
            ));
        }
        let mut body = Vec::with_capacity(len.min(1 << 20));
        let got = (&mut self.reader)
            .take(len as u64)
            .read_to_end(&mut body)
            .map_err(|e| e.to_string())?;
        if got < len {
            return Err(format!(
                "the archive ends inside a record body ({got} of {len} bytes)"
            ));
        }
        Ok(Some(Record { headers, body }))
    }
}

/// Records of one archive, as documents or skips.
pub struct WarcDocs<R: BufRead> {
    records: Records<R>,
    name: String,
    stem: String,
    record: usize,
    documents: usize,
    outlets: std::sync::Arc<HashMap<String, String>>,
    done: bool,
    /// Decode a page's invalid bytes as U+FFFD instead of skipping the page.
    lossy: bool,
    /// A record could not be read: nothing more is read from the archive.
    damaged: bool,
    /// Articles whose page declares a language other than English, by language: named once
    /// at the end of the archive (a crawl holds thousands of pages; a warning each would bury
    /// the rest).
    foreign: std::collections::BTreeMap<String, usize>,
    /// Pages read with U+FFFD for bytes not valid in their charset (`lossy`), and pages read
    /// as UTF-8 against their <meta> tag: counted, the first named, said at the end.
    lossy_pages: (usize, Option<String>),
    relabelled_pages: (usize, Option<String>),
    /// The end-of-archive notes not yet given out, last first.
    notes: Vec<String>,
}

impl<R: BufRead> WarcDocs<R> {
    /// `name` is the file as shown in messages; `outlets` maps a host (without `www.`) to an
    /// outlet name, otherwise the host is the outlet. `lossy`: a page whose bytes are not valid
    /// in its charset is read with U+FFFD in their place; otherwise it is skipped, named.
    pub fn new(
        reader: R,
        name: String,
        outlets: std::sync::Arc<HashMap<String, String>>,
        lossy: bool,
    ) -> Self {
        let stem = std::path::Path::new(&name)
            .file_name()
            .and_then(|s| s.to_str())
            .map(|s| {
                s.trim_end_matches(".gz")
                    .trim_end_matches(".warc")
                    .to_string()
            })
            .unwrap_or_else(|| "warc".into());
        WarcDocs {
            records: Records::new(reader),
            name,
            stem,
            record: 0,
            documents: 0,
            outlets,
            done: false,
            lossy,
            damaged: false,
            foreign: std::collections::BTreeMap::new(),
            lossy_pages: (0, None),
            relabelled_pages: (0, None),
            notes: Vec::new(),
        }
    }
}

/// The host of a URL without a leading `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// The HTTP response in a record body.
struct Http<'a> {
    content_type: Option<String>,
    content_encoding: Option<String>,
    payload: std::borrow::Cow<'a, [u8]>,
}

/// The HTTP versions of a status line: archivers write HTTP/2 and HTTP/3 responses with their
/// own version (`HTTP/2 200`), which httparse's response parser, HTTP/1.x only, refuses.
const HTTP_VERSIONS: [&[u8]; 6] = [
    b"HTTP/1.0",
    b"HTTP/1.1",
    b"HTTP/2",
    b"HTTP/2.0",
    b"HTTP/3",
    b"HTTP/3.0",
];

/// Split a record body into the response's content type, content encoding and payload.
fn http_payload(body: &[u8]) -> std::result::Result<Http<'_>, String> {
    let Some(eol) = body.iter().take(MAX_HEADER_BYTES).position(|&b| b == b'\n') else {
        return Err("HTTP headers cut short".into());
    };
    let status = body[..eol].strip_suffix(b"\r").unwrap_or(&body[..eol]);
    let mut parts = status.splitn(3, |&b| b == b' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    if !HTTP_VERSIONS.contains(&version) || code.len() != 3 || !code.iter().all(u8::is_ascii_digit)
    {
        return Err(format!(
            "not an HTTP response (status line {:?})",
            String::from_utf8_lossy(&status[..status.len().min(40)])
        ));
    }
    let mut headers = [httparse::EMPTY_HEADER; 128];
    match httparse::parse_headers(&body[eol + 1..], &mut headers) {
        Ok(httparse::Status::Complete((n, headers))) => {
            let get = |name: &str| {
                headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
                    .filter(|v| !v.is_empty())
            };
            let raw = &body[eol + 1 + n..];
            // wget's --warc-file keeps a chunked body as it came: its chunks are joined here.
            let payload = match get("transfer-encoding") {
                Some(te) if te.contains("chunked") => std::borrow::Cow::Owned(
                    dechunked(raw).map_err(|why| format!("transfer-encoding {te}: {why}"))?,
                ),
                _ => std::borrow::Cow::Borrowed(raw),
            };
            Ok(Http {
                content_type: get("content-type"),
                content_encoding: get("content-encoding"),
                payload,
            })
        }
        Ok(httparse::Status::Partial) => Err("HTTP headers cut short".into()),
        Err(e) => Err(format!("not an HTTP response ({e})")),
    }
}

/// A chunked HTTP body's data, its chunks joined (RFC 9112 7.1; chunk sizes read by
/// httparse, extensions and trailers passed over). A body cut short keeps the chunks before
/// the cut, as a record cut short keeps its bytes.
fn dechunked(mut raw: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(raw.len());
    loop {
        if raw.is_empty() {
            return Ok(out);
        }
        let (at, size) = match httparse::parse_chunk_size(raw) {
            Ok(httparse::Status::Complete(c)) => c,
            Ok(httparse::Status::Partial) => return Ok(out),
            Err(_) => return Err("a chunk size that is not one".into()),
        };
        if size == 0 {
            return Ok(out);
        }
        let data = &raw[at..];
        let take = usize::try_from(size).unwrap_or(usize::MAX).min(data.len());
        if out.len() + take > MAX_RECORD_BYTES {
            return Err(format!(
                "more than {MAX_RECORD_BYTES} bytes, more than one article can take"
            ));
        }
        out.extend_from_slice(&data[..take]);
        let rest = &data[take..];
        // The chunk's line end: CRLF, or LF alone from lax servers; a body cut inside it ends
        // here with the chunks before the cut. (httparse reads size lines by the RFC, CRLF
        // only, as servers now require.)
        raw = match rest {
            [b'\r', b'\n', more @ ..] | [b'\n', more @ ..] => more,
            [] | [b'\r'] => return Ok(out),
            // No line end after the chunk's data: a size that lies.
            _ => return Err("a chunk longer than its size".into()),
        };
    }
}

/// A content type of an HTML page.
fn is_html_type(content_type: &str) -> bool {
    content_type.starts_with("text/html") || content_type.starts_with("application/xhtml")
}

/// Whether bytes open as an HTML page does (`<!doctype html` or `<html`, after a byte-order
/// mark, whitespace and comments): how a page served without a Content-Type is told from the
/// images and scripts served the same way.
pub(crate) fn looks_like_html(head: &[u8]) -> bool {
    let mut rest = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    loop {
        rest = rest.trim_ascii_start();
        let Some(comment) = rest.strip_prefix(b"<!--") else {
            break;
        };
        match comment.windows(3).position(|w| w == b"-->") {
            Some(end) => rest = &comment[end + 3..],
            None => return false,
        }
    }
    let starts = |tag: &[u8]| {
        rest.len() > tag.len()
            && rest[..tag.len()].eq_ignore_ascii_case(tag)
            && matches!(rest[tag.len()], b' ' | b'>' | b'\t' | b'\r' | b'\n')
    };
    starts(b"<!doctype html") || starts(b"<html")
}

/// Whether bytes open as a web archive does (a `WARC/1.x` version line).
pub(crate) fn looks_like_warc(head: &[u8]) -> bool {
    head.trim_ascii_start().starts_with(b"WARC/")
}

/// The payload with gzip/deflate undone. Unpacking stops past `MAX_RECORD_BYTES`, the bound on
/// a record: a few kilobytes of gzip can unpack to gigabytes, and the page is skipped with the
/// reason instead of filling memory.
fn unpacked(payload: &[u8], encoding: Option<&str>) -> std::result::Result<Vec<u8>, String> {
    unpacked_capped(payload, encoding, MAX_RECORD_BYTES)
}

fn unpacked_capped(
    payload: &[u8],
    encoding: Option<&str>,
    cap: usize,
) -> std::result::Result<Vec<u8>, String> {
    fn unpack(
        mut r: impl Read,
        what: &str,
        cap: usize,
        bytes: &mut Vec<u8>,
    ) -> std::result::Result<(), String> {
        (&mut r)
            .take(cap as u64 + 1)
            .read_to_end(bytes)
            .map_err(|e| format!("{what} payload: {e}"))?;
        if bytes.len() > cap {
            return Err(format!(
                "{what} payload unpacks to more than {cap} bytes, more than one article can take"
            ));
        }
        Ok(())
    }
    let mut bytes = Vec::new();
    match encoding.unwrap_or("identity") {
        "identity" | "" => bytes.extend_from_slice(payload),
        "gzip" | "x-gzip" => unpack(
            flate2::read::MultiGzDecoder::new(payload),
            "gzip",
            cap,
            &mut bytes,
        )?,
        "deflate" => unpack(
            flate2::read::ZlibDecoder::new(payload),
            "deflate",
            cap,
            &mut bytes,
        )?,
        other => return Err(format!("content-encoding {other}")),
    }
    Ok(bytes)
}

/// The `charset` parameter of a content type (`text/html; charset="ISO-8859-1"`).
fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).trim())
            .filter(|v| !v.is_empty())
    })
}

/// How far into a page its `<meta charset>` is looked for. Browsers stop at 1,024 bytes, but
/// they can go on to sniff; a page saved with a long head of scripts before its meta tag is
/// still told here rather than guessed.
const META_PRESCAN_BYTES: usize = 8192;

/// The charset label a page's head declares: `<meta charset=…>`, `<meta http-equiv
/// content="…; charset=…">`, or an XML declaration's `encoding="…"` (XHTML).
fn declared_in_page(page: &[u8]) -> Option<String> {
    let head = &page[..page.len().min(META_PRESCAN_BYTES)];
    let lower = head.to_ascii_lowercase();
    let label_at = |from: usize, key: &[u8]| -> Option<String> {
        let at = from + key.len();
        let rest = lower.get(at..)?.trim_ascii_start();
        let rest = rest.strip_prefix(b"=")?.trim_ascii_start();
        let rest = rest
            .strip_prefix(b"\"")
            .or(rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| matches!(b, b'"' | b'\'' | b';' | b'>' | b'/') || b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        (end > 0).then(|| String::from_utf8_lossy(&rest[..end]).into_owned())
    };
    if lower.trim_ascii_start().starts_with(b"<?xml") {
        let prolog_end = lower.iter().position(|&b| b == b'>').unwrap_or(lower.len());
        if let Some(at) = find(&lower[..prolog_end], b"encoding") {
            return label_at(at, b"encoding");
        }
    }
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let tag_start = from + at;
        let tag_end = lower[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| tag_start + e);
        if let Some(label) = find(&lower[tag_start..tag_end], b"charset")
            .and_then(|c| label_at(tag_start + c, b"charset"))
        {
            return Some(label);
        }
        from = tag_end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A page as text, from [`decode_page`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DecodedPage {
    pub text: String,
    /// Under `lossy`, when bytes were not valid in the page's charset and were read as
    /// U+FFFD: which charset, where it was declared and the first bad byte, for a warning.
    pub replaced: Option<String>,
    /// When the page was not read in the charset it declares, why (for a warning).
    pub note: Option<String>,
}

/// The page as text in the charset it is served in: its byte-order mark, else the charset of
/// its Content-Type header (none for a saved file), else the one its head declares, else UTF-8
/// (what news pages are when they say nothing). Archive records and saved `.html` files alike.
/// Bytes not valid in that charset are an error naming where, unless `lossy` (then U+FFFD,
/// and `replaced` says so): a page read in the wrong charset would come out as mojibake
/// without a word, and an invalid byte replaced unasked costs a word of the article unseen.
pub(crate) fn decode_page(
    bytes: &[u8],
    content_type: Option<&str>,
    lossy: bool,
) -> std::result::Result<DecodedPage, String> {
    let declared = content_type.and_then(charset_param);
    let (encoding, bom, from) = if let Some((enc, bom)) = Encoding::for_bom(bytes) {
        (enc, bom, "its byte-order mark".to_string())
    } else if let Some(enc) = declared.and_then(|l| Encoding::for_label(l.as_bytes())) {
        (
            enc,
            0,
            format!(
                "charset {:?} of its Content-Type",
                declared.unwrap_or_default()
            ),
        )
    } else if let Some((label, enc)) =
        declared_in_page(bytes).and_then(|l| Encoding::for_label(l.as_bytes()).map(|e| (l, e)))
    {
        // A page cannot be read as UTF-16 to find its meta tag, so a tag that says UTF-16 is
        // wrong (the HTML standard reads it as UTF-8), and x-user-defined is windows-1252.
        let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else if enc == encoding_rs::X_USER_DEFINED {
            encoding_rs::WINDOWS_1252
        } else {
            enc
        };
        // A page saved again as UTF-8 often keeps the <meta> tag of its first charset; read in
        // that charset every accented letter would come out as two ("cafÃ©"). Text in a
        // single-byte charset with letters beyond ASCII is almost never valid UTF-8 by chance,
        // so valid UTF-8 with such letters is read as UTF-8, and said.
        if enc.is_single_byte()
            && !bytes.is_ascii()
            && let Ok(text) = std::str::from_utf8(bytes)
        {
            let note = format!(
                "its <meta> tag says charset {label:?}, but the page is valid UTF-8 with \
                 letters beyond ASCII, as pages saved again in UTF-8 are: read as UTF-8"
            );
            return Ok(DecodedPage {
                text: text.to_owned(),
                replaced: None,
                note: Some(note),
            });
        }
        (enc, 0, format!("charset {label:?} of its <meta> tag"))
    } else {
        let why = match declared {
            Some(l) => format!("its charset {l:?} is not one known; UTF-8 assumed"),
            None => "no charset declared; UTF-8 assumed".to_string(),
        };
        (encoding_rs::UTF_8, 0, why)
    };
    if encoding == encoding_rs::REPLACEMENT {
        // encoding_rs maps the charsets browsers refuse for safety (ISO-2022-KR, HZ) here.
        return Err(format!(
            "the page's charset ({from}) is one claimscope cannot decode; convert the page to UTF-8"
        ));
    }
    let bytes = &bytes[bom..];
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut out = String::new();
    let (mut rest, mut read_total) = (bytes, 0usize);
    loop {
        out.reserve(
            decoder
                .max_utf8_buffer_length_without_replacement(rest.len())
                .unwrap_or(rest.len()),
        );
        let (result, read) = decoder.decode_to_string_without_replacement(rest, &mut out, true);
        read_total += read;
        rest = &rest[read..];
        match result {
            DecoderResult::InputEmpty => {
                return Ok(DecodedPage {
                    text: out,
                    replaced: None,
                    note: None,
                });
            }
            DecoderResult::OutputFull => continue,
            DecoderResult::Malformed(bad, after) => {
                let at = bom + read_total - bad as usize - after as usize;
                let why = format!(
                    "the page is not valid {} at byte {at} ({from})",
                    encoding.name()
                );
                if lossy {
                    return Ok(DecodedPage {
                        text: encoding.decode_without_bom_handling(bytes).0.into_owned(),
                        replaced: Some(why),
                        note: None,
                    });
                }
                return Err(format!(
                    "{why}; pass --lossy to read it with replacement characters"
                ));
            }
        }
    }
}

impl<R: BufRead> WarcDocs<R> {
    /// The end of the archive: its notes one at a time (languages; pages read with U+FFFD, or
    /// as UTF-8 against their <meta> tag), then nothing.
    fn finish(&mut self) -> Option<Result<Entry>> {
        if !self.done {
            self.done = true;
            let counted = |(n, first): &(usize, Option<String>), what: &str| {
                first.as_ref().map(|first| {
                    let more = match n {
                        1 => String::new(),
                        n => format!(" ({n} pages in all, the first named)"),
                    };
                    format!("{first}; {what}{more}")
                })
            };
            let notes = [
                self.language_note(),
                counted(
                    &self.lossy_pages,
                    "read with U+FFFD for the bytes that are not (--lossy)",
                ),
                counted(&self.relabelled_pages, "check the text of such pages"),
            ];
            self.notes = notes.into_iter().flatten().rev().collect();
        }
        self.notes.pop().map(|n| Ok(Entry::Warning(n)))
    }

    /// "12 of 340 articles ... (fr 8, de 4)", if any page declared another language.
    fn language_note(&self) -> Option<String> {
        let n: usize = self.foreign.values().sum();
        (n > 0).then(|| {
            let langs: Vec<String> = self
                .foreign
                .iter()
                .map(|(l, c)| format!("{l} {c}"))
                .collect();
            format!(
                "{}: {n} of {} articles say they are in another language ({}); {}",
                self.name,
                self.documents,
                langs.join(", "),
                crate::ingest::NOT_ENGLISH
            )
        })
    }
}

impl<R: BufRead> Iterator for WarcDocs<R> {
    type Item = Result<Entry>;
    fn next(&mut self) -> Option<Result<Entry>> {
        // After damage nothing more is read from the archive; at the end, its notes.
        if self.done || self.damaged {
            return self.finish();
        }
        let record = match self.records.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => return self.finish(),
            Err(e) => {
                // A damaged archive (a cut download, a bad gzip member) cannot be resynchronised
                // reliably: keep what was read, say where it stopped, go on with the next file.
                // The archive ends here: its language note follows on the next call.
                self.damaged = true;
                return Some(Ok(Entry::Damaged(format!(
                    "{}: record {} is damaged ({e}); the rest of the archive is skipped ({} articles read from it)",
                    self.name,
                    self.record + 1,
                    self.documents
                ))));
            }
        };
        self.record += 1;
        let at = format!("{}: record {}", self.name, self.record);
        let url = record.header("warc-target-uri").map(str::to_string);
        let warc_type = record.header("warc-type").unwrap_or_default();
        // The WARC header's own Content-Type says what the block is: an HTTP message
        // (`application/http`, the usual `response`), or the document itself (a `resource`
        // record, or a `response` written without its HTTP headers).
        let block_type = record
            .header("content-type")
            .map(str::to_ascii_lowercase)
            .filter(|c| !c.is_empty());
        let http = if warc_type.eq_ignore_ascii_case("resource")
            || (warc_type.eq_ignore_ascii_case("response")
                && block_type
                    .as_deref()
                    .is_some_and(|c| !c.starts_with("application/http")))
        {
            Http {
                content_type: block_type,
                content_encoding: None,
                payload: std::borrow::Cow::Borrowed(&record.body),
            }
        } else if warc_type.eq_ignore_ascii_case("response") {
            match http_payload(&record.body) {
                Ok(p) => p,
                // A response that cannot be read is damage, not a record of another kind:
                // counted as unreadable, so that the summary does not call it expected.
                Err(why) => return Some(Ok(Entry::BadRecord(format!("{at}: {why}; skipped")))),
            }
        } else {
            return Some(Ok(Entry::NotAPage(None)));
        };
        if http
            .content_type
            .as_deref()
            .is_some_and(|c| !is_html_type(c))
        {
            return Some(Ok(Entry::NotAPage(None)));
        }
        let bytes = match unpacked(&http.payload, http.content_encoding.as_deref()) {
            Ok(b) => b,
            Err(why) => return Some(Ok(Entry::BadRecord(format!("{at}: {why}; skipped")))),
        };
        // Served without a Content-Type: a page if it opens as one. Anything else is named,
        // since it may be a page that opens unusually; an empty body (a redirect) loses nothing.
        if http.content_type.is_none() && !looks_like_html(&bytes) {
            return Some(Ok(Entry::NotAPage((!bytes.trim_ascii().is_empty()).then(
                || {
                    format!(
                        "{at}: no Content-Type, and the body does not open as an HTML page does \
                         (<!doctype html> or <html>)"
                    )
                },
            ))));
        }
        let page = match decode_page(&bytes, http.content_type.as_deref(), self.lossy) {
            Ok(p) => {
                for (seen, what) in [
                    (&mut self.lossy_pages, p.replaced),
                    (&mut self.relabelled_pages, p.note),
                ] {
                    if let Some(why) = what {
                        seen.0 += 1;
                        seen.1.get_or_insert_with(|| format!("{at}: {why}"));
                    }
                }
                p.text
            }
            Err(why) => return Some(Ok(Entry::Damaged(format!("{at}: {why}; skipped")))),
        };
        let article = match html::extract(&page, &at, url.as_deref()) {
            Ok(a) => a,
            Err(Error::Input(msg)) => return Some(Ok(Entry::NoArticle(msg))),
            Err(e) => return Some(Err(e)),
        };
        self.documents += 1;
        if let Some(lang) = article.lang.as_deref().filter(|l| !is_english(l)) {
            *self.foreign.entry(lang.to_string()).or_default() += 1;
        }
        let host = url.as_deref().and_then(host_of);
        let outlet = host
            .as_ref()
            .map(|h| self.outlets.get(h).cloned().unwrap_or_else(|| h.clone()))
            .or(article.site);
        // The page's own date, else the day it was fetched.
        let date = article.date.or_else(|| {
            record
                .header("warc-date")
                .and_then(|d| d.get(..10))
                .filter(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok())
                .map(str::to_string)
        });
        Some(Ok(Entry::Doc(Document {
            id: format!("{}#{}", self.stem, self.record),
            source: at,
            outlet,
            date,
            title: article.title,
            byline: article.byline,
            url,
            lang: article.lang,
            text: article.text,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_by_length_and_damage_is_named() {
        let body = "line one\r\n\r\nWARC/1.0 inside the body\r\n";
        let one = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {}\r\n\r\n{body}\r\n\r\n",
            body.len()
        );
        let two = one.repeat(2);
        let mut r = Records::new(two.as_bytes());
        for _ in 0..2 {
            let rec = r.next_record().expect("reads").expect("a record");
            assert_eq!(rec.header("warc-type"), Some("response"));
            assert_eq!(rec.body, body.as_bytes());
        }
        assert!(r.next_record().expect("clean end").is_none());
        let cut = &two[..two.len() - 20];
        let mut r = Records::new(cut.as_bytes());
        assert!(r.next_record().expect("first").is_some());
        let err = r.next_record().expect_err("cut");
        assert!(err.contains("ends inside a record body"), "{err}");
        let err = Records::new(&b"<html>"[..])
            .next_record()
            .expect_err("not warc");
        assert!(err.contains("WARC/1.x version line"), "{err}");
        let endless = format!("WARC/1.0\r\nX: {}", "a".repeat(2 << 20));
        let err = Records::new(endless.as_bytes())
            .next_record()
            .expect_err("bounded");
        assert!(err.contains("longer than"), "{err}");
    }

    #[test]
    fn hosts_lose_www_and_case() {
        assert_eq!(
            host_of("https://WWW.BBC.co.uk/news/1").as_deref(),
            Some("bbc.co.uk")
        );
        assert_eq!(host_of("not a url"), None);
    }

    #[test]
    fn http_payloads_are_split_and_decoded() {
        let body = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>";
        let http = http_payload(body).expect("parses");
        assert_eq!(
            http.content_type.as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(http.content_encoding, None);
        assert_eq!(&*http.payload, b"<p>hi</p>");
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n<p>\r\n6;x=1\r\nhi</p>\r\n0\r\nX-T: 1\r\n\r\n";
        assert_eq!(
            &*http_payload(chunked).expect("dechunked").payload,
            b"<p>hi</p>"
        );
        let lying = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n";
        assert!(http_payload(lying).is_err());
        let cut = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\nde";
        assert_eq!(&*http_payload(cut).expect("cut").payload, b"abcde");
        // A chunk's data ended by LF alone; a body cut inside a chunk's line end.
        let lax = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\n2\r\nde\r";
        assert_eq!(&*http_payload(lax).expect("lax").payload, b"abcde");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, "<p>é</p>".as_bytes()).expect("gzip");
        let gz = gz.finish().expect("gzip");
        assert_eq!(
            unpacked(&gz, Some("gzip")).as_deref(),
            Ok("<p>é</p>".as_bytes())
        );
        assert!(unpacked(b"x", Some("br")).is_err());
        // A page that unpacks past the bound is refused, not unpacked whole.
        let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut bomb, &vec![b' '; 1 << 20]).expect("gzip");
        let bomb = bomb.finish().expect("gzip");
        let err = unpacked_capped(&bomb, Some("gzip"), 4096).expect_err("over the bound");
        assert!(err.contains("more than 4096 bytes"), "{err}");
        assert!(unpacked_capped(&bomb, Some("gzip"), 1 << 20).is_ok());
    }

    #[test]
    fn http_2_and_3_status_lines_are_responses_and_others_are_not() {
        for status in [
            "HTTP/2 200",
            "HTTP/2.0 200 OK",
            "HTTP/3 200",
            "HTTP/1.0 404 Not Found",
        ] {
            let body = format!("{status}\r\ncontent-type: text/html\r\n\r\n<p>hi</p>");
            let http = http_payload(body.as_bytes()).expect(status);
            assert_eq!(http.content_type.as_deref(), Some("text/html"), "{status}");
            assert_eq!(&*http.payload, b"<p>hi</p>", "{status}");
        }
        // A bare LF ends the status line as well as CRLF does.
        let http = http_payload(b"HTTP/2 200\nServer: x\n\nbody").expect("LF");
        assert_eq!((http.content_type, &*http.payload), (None, &b"body"[..]));
        for bad in [
            "HTTP/4 200\r\n\r\n",
            "HTTP/1.1 2000\r\n\r\n",
            "<html>\r\n\r\n",
            "HTTP/1.1 200",
        ] {
            assert!(http_payload(bad.as_bytes()).is_err(), "{bad:?}");
        }
    }

    /// A page saved again as UTF-8 that keeps its old <meta> tag is read as UTF-8, and said;
    /// a page whose bytes are not UTF-8 is read in the charset its tag names, unsaid; a
    /// Content-Type header is followed, as a browser does.
    #[test]
    fn a_meta_tag_that_utf8_bytes_contradict_is_read_as_utf8_and_said() {
        let resaved = "<meta charset=\"windows-1252\"><p>comité, naïve</p>".as_bytes();
        for content_type in [None, Some("text/html")] {
            let page = decode_page(resaved, content_type, false).expect("utf-8");
            assert!(page.text.contains("comité, naïve"), "{}", page.text);
            let note = page.note.unwrap_or_default();
            assert!(
                note.contains("\"windows-1252\"") && note.contains("read as UTF-8"),
                "{note}"
            );
        }
        let latin = b"<meta charset=\"windows-1252\"><p>comit\xe9</p>";
        let page = decode_page(latin, None, false).expect("latin");
        assert!(
            page.text.contains("comité") && page.note.is_none(),
            "{page:?}"
        );
        let ascii = b"<meta charset=\"windows-1252\"><p>plain</p>";
        assert_eq!(decode_page(ascii, None, false).expect("ascii").note, None);
        let header = decode_page(resaved, Some("text/html; charset=windows-1252"), false);
        let header = header.expect("header");
        assert!(
            header.text.contains("comitÃ©") && header.note.is_none(),
            "{header:?}"
        );
    }

    #[test]
    fn pages_are_decoded_in_the_charset_they_declare_and_bad_bytes_are_named() {
        // The text alone, for the cases that replace nothing.
        let decode_page = |b: &[u8], t: Option<&str>, lossy: bool| {
            decode_page(b, t, lossy).map(|p| {
                assert_eq!(p.replaced, None);
                p.text
            })
        };
        let latin = b"<html><head><meta charset=\"iso-8859-1\"></head><p>comit\xe9</p>";
        // The Content-Type header's charset, then the page's own meta tag, then UTF-8.
        let page = decode_page(latin, Some("text/html; charset=ISO-8859-1"), false).expect("latin");
        assert!(page.contains("comité"), "{page}");
        let page = decode_page(latin, Some("text/html"), false).expect("meta");
        assert!(page.contains("comité"), "{page}");
        let page = decode_page(latin, None, false).expect("meta, no type");
        assert!(page.contains("comité"), "{page}");
        let http_equiv = b"<meta http-equiv=Content-Type content='text/html; charset=windows-1251'><p>\xcf\xf0\xe8</p>";
        assert!(
            decode_page(http_equiv, None, false)
                .expect("1251")
                .contains("При")
        );
        let xml = b"<?xml version='1.0' encoding='ISO-8859-15'?><html><p>\xa4</p></html>";
        assert!(
            decode_page(xml, Some("application/xhtml+xml"), false)
                .expect("xml")
                .contains('€')
        );
        // The header wins over the page, as in a browser.
        let utf8 = "<meta charset=\"iso-8859-1\"><p>comité</p>".as_bytes();
        let page = decode_page(utf8, Some("text/html; charset=\"utf-8\""), false).expect("utf-8");
        assert!(page.contains("comité"), "{page}");
        // Bytes not valid in the charset: named with where, unless lossy.
        let bad = b"<p>ok \xe9 no</p>";
        let err = decode_page(bad, Some("text/html; charset=utf-8"), false).expect_err("invalid");
        assert!(
            err.contains("not valid UTF-8 at byte 6") && err.contains("--lossy"),
            "{err}"
        );
        let err = decode_page(bad, None, false).expect_err("assumed");
        assert!(err.contains("UTF-8 assumed"), "{err}");
        let err = decode_page(
            b"<p>\x81\x20</p>",
            Some("text/html; charset=shift_jis"),
            false,
        )
        .expect_err("sjis");
        assert!(err.contains("not valid Shift_JIS at byte 3"), "{err}");
        assert_eq!(
            super::decode_page(bad, None, true),
            Ok(DecodedPage {
                text: "<p>ok \u{fffd} no</p>".into(),
                replaced: Some(
                    "the page is not valid UTF-8 at byte 6 (no charset declared; UTF-8 assumed)"
                        .into()
                ),
                note: None,
            })
        );
        // A byte-order mark wins and is not part of the text.
        let bom = b"\xef\xbb\xbf<p>\xc3\xa9</p>";
        assert_eq!(
            decode_page(bom, Some("text/html; charset=iso-8859-1"), false).as_deref(),
            Ok("<p>é</p>")
        );
        assert!(decode_page(b"<p>x</p>", Some("text/html; charset=iso-2022-kr"), false).is_err());
    }

    #[test]
    fn html_is_sniffed_by_its_opening() {
        assert!(looks_like_html(b"\r\n  <!DOCTYPE html>\n<html>"));
        assert!(looks_like_html(b"<!-- served by x --><html lang=en>"));
        assert!(looks_like_html(b"\xef\xbb\xbf<HTML>"));
        assert!(!looks_like_html(b"<htmlx>"));
        assert!(!looks_like_html(b"\x89PNG\r\n"));
        assert!(!looks_like_html(b"{\"a\": 1}"));
        assert!(!looks_like_html(b"<!-- never closed <html>"));
    }
}
