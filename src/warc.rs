//! Web archives (WARC, `.warc` and `.warc.gz`, the format of Common Crawl's news crawl): each
//! `response` record whose HTTP payload is an HTML page is one article, extracted like a saved
//! page (`crate::html`). Read record by record, so an archive of any size streams; every record
//! that gives no article is counted with its reason.
//!
//! The record framing is read here rather than with the `warc` crate (0.4): its reader finds
//! the end of a body by scanning lines and failed with "read further than expected" on
//! well-formed records of the html-news pages, it grows its header buffer without bound on a
//! file that never ends a header, and its writer can write fewer body bytes than the header
//! says. The framing is small (a version line, `Name: value` lines, a blank line,
//! Content-Length bytes, CRLF CRLF); reading it by length is exact and bounded.

use std::collections::HashMap;
use std::io::{BufRead, Read};

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
    /// A record could not be read: nothing more is read from the archive.
    damaged: bool,
    /// Articles whose page declares a language other than English, by language: named once
    /// at the end of the archive (a crawl holds thousands of pages; a warning each would bury
    /// the rest).
    foreign: std::collections::BTreeMap<String, usize>,
}

impl<R: BufRead> WarcDocs<R> {
    /// `name` is the file as shown in messages; `outlets` maps a host (without `www.`) to an
    /// outlet name, otherwise the host is the outlet.
    pub fn new(reader: R, name: String, outlets: std::sync::Arc<HashMap<String, String>>) -> Self {
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
            damaged: false,
            foreign: std::collections::BTreeMap::new(),
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
    payload: &'a [u8],
}

/// Split a record body into the response's content type, content encoding and payload.
fn http_payload(body: &[u8]) -> std::result::Result<Http<'_>, String> {
    let mut headers = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut headers);
    match resp.parse(body) {
        Ok(httparse::Status::Complete(n)) => {
            let get = |name: &str| {
                resp.headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case(name))
                    .map(|h| String::from_utf8_lossy(h.value).trim().to_ascii_lowercase())
            };
            if let Some(te) = get("transfer-encoding").filter(|t| t.contains("chunked")) {
                return Err(format!(
                    "transfer-encoding {te} (the archive kept the chunks)"
                ));
            }
            Ok(Http {
                content_type: get("content-type"),
                content_encoding: get("content-encoding"),
                payload: &body[n..],
            })
        }
        Ok(httparse::Status::Partial) => Err("HTTP headers cut short".into()),
        Err(e) => Err(format!("not an HTTP response ({e})")),
    }
}

/// The payload as text: gzip/deflate undone, invalid UTF-8 replaced (pages declare many
/// charsets; a replaced byte costs a word, not the article). Unpacking stops past
/// `MAX_RECORD_BYTES`, the bound on a record: a few kilobytes of gzip can unpack to gigabytes,
/// and the page is skipped with the reason instead of filling memory.
fn payload_text(payload: &[u8], encoding: Option<&str>) -> std::result::Result<String, String> {
    payload_text_capped(payload, encoding, MAX_RECORD_BYTES)
}

fn payload_text_capped(
    payload: &[u8],
    encoding: Option<&str>,
    cap: usize,
) -> std::result::Result<String, String> {
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
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

impl<R: BufRead> WarcDocs<R> {
    /// The end of the archive: its language note, if any, then nothing.
    fn finish(&mut self) -> Option<Result<Entry>> {
        self.done = true;
        self.language_note().map(|n| Ok(Entry::Warning(n)))
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
        if self.done {
            return None;
        }
        if self.damaged {
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
        if !record
            .header("warc-type")
            .is_some_and(|t| t.eq_ignore_ascii_case("response"))
        {
            return Some(Ok(Entry::NotAPage(None)));
        }
        let url = record.header("warc-target-uri").map(str::to_string);
        let http = match http_payload(&record.body) {
            Ok(p) => p,
            Err(why) => return Some(Ok(Entry::NotAPage(Some(format!("{at}: {why}"))))),
        };
        let is_html = http
            .content_type
            .as_deref()
            .is_some_and(|c| c.starts_with("text/html") || c.starts_with("application/xhtml"));
        if !is_html {
            return Some(Ok(Entry::NotAPage(None)));
        }
        let page = match payload_text(http.payload, http.content_encoding.as_deref()) {
            Ok(p) => p,
            Err(why) => return Some(Ok(Entry::NotAPage(Some(format!("{at}: {why}"))))),
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
        assert_eq!(http.payload, b"<p>hi</p>");
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
        assert!(http_payload(chunked).is_err());
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, "<p>é</p>".as_bytes()).expect("gzip");
        let gz = gz.finish().expect("gzip");
        assert_eq!(payload_text(&gz, Some("gzip")).as_deref(), Ok("<p>é</p>"));
        assert!(payload_text(b"x", Some("br")).is_err());
        // A page that unpacks past the bound is refused, not unpacked whole.
        let mut bomb = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut bomb, &vec![b' '; 1 << 20]).expect("gzip");
        let bomb = bomb.finish().expect("gzip");
        let err = payload_text_capped(&bomb, Some("gzip"), 4096).expect_err("over the bound");
        assert!(err.contains("more than 4096 bytes"), "{err}");
        assert!(payload_text_capped(&bomb, Some("gzip"), 1 << 20).is_ok());
    }
}
