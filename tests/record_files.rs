//! Files of records (CSV, TSV, JSON, one text per line) that are broken or unusual in the
//! ways exports are: every record read, or the run stopped naming the line, never a record
//! lost without a word.

mod common;

use std::path::Path;

use common::run;

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `doc` of each sentence `segment --format jsonl` printed.
fn docs(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["doc"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn an_unclosed_quote_stops_the_run_at_its_row_instead_of_swallowing_the_rows_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = write(
        dir.path(),
        "q.tsv",
        b"id\ttext\n1\t\"Rain fell, he said.\n2\tSun shone.\n3\tSnow fell.\n",
    );
    let out = run(&["segment", &tsv, "--format", "jsonl"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("q.tsv:2: a double quote opened in this row is never closed"),
        "{err}"
    );
    // A quoted field that spans lines and is closed is one field, at the end of a file too.
    let csv = write(
        dir.path(),
        "ok.csv",
        b"id,text\n1,\"Rain fell.\nIt was cold.\"\n2,Sun shone.\n3,\"Snow\nfell.\"",
    );
    let out = run(&["segment", &csv, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut d = docs(&out);
    d.dedup();
    assert_eq!(d, ["1", "2", "3"]);
}

#[test]
fn a_row_of_the_wrong_width_is_named_with_the_header_width_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "w.csv",
        b"id,text\n1,Rain fell.\n2,Snow, then rain\n",
    );
    let out = run(&["segment", &csv]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("w.csv:3: the row has 3 fields, the header 2"),
        "{err}"
    );
    assert!(err.contains("double quotes"), "{err}");
}

#[test]
fn a_nul_byte_in_one_csv_row_is_named_not_taken_for_a_binary_file() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "nul.csv", b"id,text\n1,Rain.\n2,Snow\0.\n");
    let out = run(&["segment", &csv]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("nul.csv:3: a NUL byte in the row"), "{err}");
    // A file that is binary from its first line is still skipped as such.
    let bin = write(dir.path(), "x.csv", b"PK\x03\x04\0\0\x14\0id,text\n");
    let err = stderr(&run(&["segment", &bin]));
    assert!(err.contains("binary data"), "{err}");
}

#[test]
fn a_column_named_twice_is_said_and_the_first_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(
        dir.path(),
        "dup.csv",
        b"id,text,text\n1,Rain fell in the city.,Snow fell.\n",
    );
    let out = run(&["segment", &csv, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("names column \"text\" more than once"),
        "{}",
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Rain fell in the city."));
}

#[test]
fn inputs_that_hold_no_record_fail_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let header = write(dir.path(), "hdr.csv", b"id,text\n");
    let blank = write(dir.path(), "blank.jsonl", b"\n\n  \n");
    for f in [header, blank] {
        let out = run(&["segment", &f]);
        assert!(!out.status.success(), "{f}");
        assert!(
            stderr(&out).contains("the inputs hold no records"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn a_json_array_of_records_is_read_as_records_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let json = write(
        dir.path(),
        "arts.json",
        br#"[{"id":"a","text":"Rain fell in the city on Monday."},
 {"id":"b","outlet":{"name":"CNN"},"text":"Snow fell."}]"#,
    );
    let out = run(&["segment", &json, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(docs(&out), ["a", "b"]);
    // The nested outlet is not silently dropped: the record's line is named.
    let err = stderr(&out);
    assert!(
        err.contains("arts.json:2: field \"outlet\" is an object"),
        "{err}"
    );
    // JSONL under a .json name, and one record alone.
    let lines = write(
        dir.path(),
        "l.json",
        b"{\"id\":\"x\",\"text\":\"Rain.\"}\n{\"id\":\"y\",\"text\":\"Snow.\"}\n",
    );
    assert_eq!(
        docs(&run(&["segment", &lines, "--format", "jsonl"])),
        ["x", "y"]
    );
    let one = write(dir.path(), "one.json", br#"{"id":"z","text":"Hail."}"#);
    assert_eq!(docs(&run(&["segment", &one, "--format", "jsonl"])), ["z"]);
}

#[test]
fn a_json_file_that_is_no_records_says_where_the_records_are() {
    let dir = tempfile::tempdir().unwrap();
    let api = write(
        dir.path(),
        "api.json",
        br#"{"status":"ok","articles":[{"title":"x","body":"Rain."}]}"#,
    );
    let out = run(&["segment", &api]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("its array \"articles\" looks like the records"),
        "{err}"
    );
    let bad = write(dir.path(), "bad.json", br#"[{"id":"a","text":"Rain."}, 3]"#);
    let err = stderr(&run(&["segment", &bad]));
    assert!(
        err.contains("bad.json:1: element 1 of the array is not an object"),
        "{err}"
    );
}

#[test]
fn old_mac_line_endings_are_line_breaks_and_gzip_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let cr = write(
        dir.path(),
        "cr.txt",
        b"The cat sat.\rA dog ran.\rRain fell.\r",
    );
    let out = run(&["embed", &cr, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    let gz = write(
        dir.path(),
        "t.txt.gz",
        &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3],
    );
    let err = stderr(&run(&["embed", &gz]));
    assert!(err.contains("gzip-compressed"), "{err}");
}

#[test]
fn texts_given_a_file_instead_of_a_folder_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let doc = write(dir.path(), "a.txt", b"Rain fell in the city on Monday.\n");
    let file = write(dir.path(), "t.txt", b"x");
    let out = run(&["segment", &doc, "--texts", &file]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("this is a file"), "{err}");
}

#[test]
fn a_lone_surrogate_escape_is_named_with_the_fix_and_lossy_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "sur.jsonl",
        b"{\"text\":\"Rain \\ud800 fell.\"}\n",
    );
    let out = run(&["segment", &f]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("sur.jsonl:1:") && err.contains("lone surrogate"),
        "{err}"
    );
    let out = run(&["segment", &f, "--lossy", "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Rain \u{fffd} fell."));
}

#[test]
fn an_outlets_file_that_names_one_host_twice_is_refused_with_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let map = write(
        dir.path(),
        "o.csv",
        b"www.bbc.com,BBC\nexample.org,Example\nBBC.com,British Broadcasting\n",
    );
    let doc = write(dir.path(), "a.txt", b"Rain fell in the city on Monday.\n");
    let out = run(&["segment", &doc, "--outlets", &map]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("o.csv:3: host \"bbc.com\" is already named \"BBC\" on line 1"),
        "{err}"
    );
    // The same outlet given twice is no conflict.
    let same = write(dir.path(), "s.csv", b"www.bbc.com,BBC\nbbc.com,BBC\n");
    let out = run(&["segment", &doc, "--outlets", &same]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Ids written as integers too big for 64 bits (snowflake ids, hashes as numbers) keep their
/// digits, in JSONL, a JSON array and one JSON record: read as the nearest f64 two of them
/// were one id (`1.2345678901234568e+22`), the second taken for a repeat.
#[test]
fn ids_too_big_for_64_bits_keep_their_digits() {
    let dir = tempfile::tempdir().unwrap();
    let a = r#"{"id": 12345678901234567890123, "text": "The mayor resigned on Monday."}"#;
    let b = r#"{"id": 12345678901234567890124, "text": "The council met on Tuesday."}"#;
    let c = r#"{"id": -98765432109876543210, "text": "Rain fell."}"#;
    let want = [
        "12345678901234567890123",
        "12345678901234567890124",
        "-98765432109876543210",
    ];
    for (name, body) in [
        ("a.jsonl", format!("{a}\n{b}\n{c}\n")),
        ("a.json", format!("[{a},\n{b},\n{c}]")),
    ] {
        let f = write(dir.path(), name, body.as_bytes());
        let out = run(&["segment", &f, "--format", "jsonl"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        assert_eq!(docs(&out), want, "{name}");
        assert!(
            !stderr(&out).contains("earlier document"),
            "{}",
            stderr(&out)
        );
    }
    let f = write(dir.path(), "one.json", a.as_bytes());
    let out = run(&["segment", &f, "--format", "jsonl"]);
    assert_eq!(docs(&out), ["12345678901234567890123"]);
    // An integer that fits, and a fraction, read as before.
    let f = write(
        dir.path(),
        "small.jsonl",
        b"{\"id\": 7, \"text\": \"Rain fell.\"}\n{\"id\": 2.5, \"text\": \"Sun shone.\"}\n",
    );
    assert_eq!(
        docs(&run(&["segment", &f, "--format", "jsonl"])),
        ["7", "2.5"]
    );
}

/// A folder's README and LICENSE beside its articles are its documentation, not articles: left
/// out of a folder walk with a warning naming them (read as articles each became a document,
/// an outlet and a story); named on the command line, one is read.
#[test]
fn a_folders_readme_and_license_are_not_articles() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        b"The council approved the budget on Monday.",
    );
    write(
        dir.path(),
        "README.md",
        b"# Corpus\n\nFive articles on the budget vote.",
    );
    write(dir.path(), "LICENSE", b"CC BY 4.0");
    write(dir.path(), "licence.txt", b"CC BY 4.0");
    let folder = dir.path().to_string_lossy().into_owned();
    let out = run(&["segment", &folder, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(docs(&out), ["a"]);
    let err = stderr(&out);
    assert!(
        err.contains("left out as the folder's documentation")
            && err.contains("README.md")
            && err.contains("licence.txt"),
        "{err}"
    );
    let readme = dir.path().join("README.md").to_string_lossy().into_owned();
    let out = run(&["segment", &readme, "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!docs(&out).is_empty());
}

/// A document in another language is said once, by its words (a text file cannot declare
/// one, and a page that declares none was labelled without a warning); English, and a text
/// too short to tell, are not.
#[test]
fn documents_not_in_english_are_said_by_their_words() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "es.txt",
        "El gobierno anunció el lunes un nuevo plan para reducir la inflación, que según los \
         economistas podría bajar al cinco por ciento antes de fin de año. La oposición \
         criticó la medida y pidió más detalles sobre su financiación y sus plazos."
            .as_bytes(),
    );
    write(
        dir.path(),
        "en.txt",
        "The government announced a new plan on Monday to cut inflation, which economists \
         said could fall to five percent by the end of the year. The opposition criticised \
         the measure and asked for more details about how it would be paid for."
            .as_bytes(),
    );
    write(dir.path(), "short.txt", "Gracias a todos.".as_bytes());
    let folder = dir.path().to_string_lossy().into_owned();
    for command in ["segment", "classify"] {
        let mut args = vec![command, folder.as_str(), "--format", "jsonl"];
        if command == "classify" {
            args.extend(["--task", "confidence"]);
        }
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        let said: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("not in English"))
            .collect();
        assert_eq!(said.len(), 1, "{command}: {err}");
        assert!(
            said[0].contains("1 document read as not in English") && said[0].contains("(es)"),
            "{err}"
        );
    }
}
