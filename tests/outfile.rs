//! Where `-o` writes: never over one of the command's own inputs (however it is reached), into
//! a FIFO or device in place rather than replacing it, through a symlink to the file it names,
//! and with the permissions a plain `File::create` (or the file already there) would give.

#![cfg(unix)]

mod common;

use common::run;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const DOCS: &str = "{\"id\":\"a\",\"text\":\"The council approved the budget on Monday. It passed by six votes to three.\"}\n\
{\"id\":\"b\",\"text\":\"The mayor said the plan would cut costs. Critics disagreed.\"}\n";

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Rows of the Parquet file whose bytes these are.
fn parquet_rows(bytes: Vec<u8>) -> usize {
    let mut f = tempfile::tempfile().expect("tmp");
    std::io::Write::write_all(&mut f, &bytes).expect("write");
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .expect("a parquet file")
        .build()
        .expect("reader");
    reader.map(|b| b.expect("batch").num_rows()).sum()
}

/// The binary under `sh -c 'umask UMASK; exec ...'`, so the expected modes do not depend on
/// the umask the tests run under.
fn run_with_umask(umask: &str, args: &[&str]) -> Output {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_claimscope"))
        .args(args)
        .env("CLAIMSCOPE_MODEL", common::model_spec())
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("run sh");
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

/// Refused before any work, naming the output and the input, with the input as it was.
fn refused(out: &Output, input: &Path, before: &[u8], names: &[&str]) {
    let err = stderr(out);
    assert!(!out.status.success(), "not refused: {err}");
    for n in names {
        assert!(err.contains(n), "{n:?} not named in: {err}");
    }
    assert!(
        err.contains("same file") && err.contains("another"),
        "no reason or fix in: {err}"
    );
    assert_eq!(
        std::fs::read(input).expect("input still there"),
        before,
        "the input was changed"
    );
}

#[test]
fn an_output_that_is_one_of_the_inputs_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("okc.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let txt = dir.path().join("two.txt");
    let two = b"The cat sat.\nA dog ran.\n";
    std::fs::write(&txt, two).expect("write");

    // The same path.
    let o = run(&[
        "segment",
        &s(&jsonl),
        "--format",
        "parquet",
        "-o",
        &s(&jsonl),
    ]);
    refused(
        &o,
        &jsonl,
        DOCS.as_bytes(),
        &["okc.jsonl", "okc.out.parquet"],
    );
    let o = run(&["embed", &s(&txt), "--format", "npy", "-o", &s(&txt)]);
    refused(&o, &txt, two, &["two.txt", "two.out.npy"]);
    let o = run(&["embed", &s(&jsonl), "-o", &s(&jsonl)]);
    refused(&o, &jsonl, DOCS.as_bytes(), &["okc.jsonl"]);

    // Through a symlink and a hard link: the same file under another name.
    let link = dir.path().join("link.parquet");
    std::os::unix::fs::symlink(&jsonl, &link).expect("symlink");
    let o = run(&[
        "segment",
        &s(&jsonl),
        "--format",
        "parquet",
        "-o",
        &s(&link),
    ]);
    refused(&o, &jsonl, DOCS.as_bytes(), &["link.parquet", "okc.jsonl"]);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink(),
        "the link was replaced"
    );
    let hard = dir.path().join("hard.txt");
    std::fs::hard_link(&txt, &hard).expect("hard link");
    let o = run(&["embed", &s(&hard), "-o", &s(&txt)]);
    refused(&o, &txt, two, &["two.txt", "hard.txt"]);

    // An input found by walking a directory, and one named by another option.
    let o = run(&[
        "segment",
        &s(dir.path()),
        "--format",
        "parquet",
        "-o",
        &s(&jsonl),
    ]);
    refused(&o, &jsonl, DOCS.as_bytes(), &["okc.jsonl"]);
    let o = run(&[
        "classify",
        "--task",
        "stance",
        "--pairs",
        &s(&jsonl),
        "--format",
        "parquet",
        "-o",
        &s(&jsonl),
    ]);
    refused(&o, &jsonl, DOCS.as_bytes(), &["okc.jsonl"]);

    // The .npy file's sidecar (`x.texts.jsonl`) counts as an output too.
    let side = dir.path().join("x.texts.jsonl");
    std::fs::write(&side, DOCS).expect("write");
    let npy = dir.path().join("x.npy");
    let o = run(&["embed", &s(&side), "--format", "npy", "-o", &s(&npy)]);
    refused(&o, &side, DOCS.as_bytes(), &["x.texts.jsonl"]);
    assert!(!npy.exists(), "nothing written");
}

/// Runs the binary writing into the FIFO `fifo` while a thread reads it; returns the run and
/// what came through. Bounded: a run that never opens the FIFO cannot hang the test.
fn through_fifo(args: &[&str], fifo: &Path) -> (Output, Vec<u8>) {
    let reader = {
        let fifo = fifo.to_path_buf();
        std::thread::spawn(move || std::fs::read(fifo).unwrap_or_default())
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_claimscope"))
        .args(args)
        .env("CLAIMSCOPE_MODEL", common::model_spec())
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("output");
    // A reader still waiting for a writer (the run failed before opening the FIFO) gets one
    // that closes at once: end of file.
    if !reader.is_finished()
        && std::fs::symlink_metadata(fifo).is_ok_and(|m| m.file_type().is_fifo())
    {
        drop(std::fs::OpenOptions::new().write(true).open(fifo));
    }
    let start = Instant::now();
    while !reader.is_finished() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let data = if reader.is_finished() {
        reader.join().unwrap_or_default()
    } else {
        Vec::new()
    };
    (out, data)
}

#[test]
fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("ok.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let fifo = dir.path().join("f.parquet");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());

    let (out, data) = through_fifo(
        &[
            "segment",
            &s(&jsonl),
            "--format",
            "parquet",
            "-o",
            &s(&fifo),
        ],
        &fifo,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&fifo)
            .expect("still there")
            .file_type()
            .is_fifo(),
        "the FIFO was replaced by a regular file"
    );
    assert_eq!(parquet_rows(data), 4, "the rows came through the FIFO");

    // Through a symlink to the FIFO, JSON lines: in place as well, the link left alone.
    let link = dir.path().join("to-fifo.jsonl");
    std::os::unix::fs::symlink(&fifo, &link).expect("symlink");
    let (out, data) = through_fifo(&["embed", &s(&jsonl), "-o", &s(&link)], &fifo);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    let lines = String::from_utf8(data).expect("utf-8");
    assert_eq!(lines.lines().count(), 2, "{lines}");
    assert!(lines.contains("\"embedding\":["), "{lines}");
    // Nothing left beside it: no temporary file was made for an in-place write.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["f.parquet", "ok.jsonl", "to-fifo.jsonl"]);

    // .npy rewrites its header at the end, which a FIFO cannot take: refused before any
    // work, not after it (and without waiting for a reader).
    let o = run(&["embed", &s(&jsonl), "--format", "npy", "-o", &s(&fifo)]);
    let err = stderr(&o);
    assert!(!o.status.success() && err.contains("regular file"), "{err}");
    assert!(
        std::fs::symlink_metadata(&fifo)
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
}

#[test]
fn a_symlinked_output_writes_the_file_it_points_to() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("ok.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let real = dir.path().join("real.parquet");
    std::fs::write(&real, b"old").expect("write");
    let link = dir.path().join("link.parquet");
    std::os::unix::fs::symlink("real.parquet", &link).expect("symlink");

    let o = run(&[
        "segment",
        &s(&jsonl),
        "--format",
        "parquet",
        "-o",
        &s(&link),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let is_link = |p: &Path| {
        std::fs::symlink_metadata(p)
            .expect("there")
            .file_type()
            .is_symlink()
    };
    assert!(is_link(&link), "the link was replaced by a file");
    assert_eq!(parquet_rows(std::fs::read(&real).expect("target")), 4);

    // A link to a file not there yet: the file is made where the link points.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("mkdir");
    let dangling = dir.path().join("new.parquet");
    std::os::unix::fs::symlink("sub/made.parquet", &dangling).expect("symlink");
    let o = run(&[
        "segment",
        &s(&jsonl),
        "--format",
        "parquet",
        "-o",
        &s(&dangling),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(is_link(&dangling));
    assert_eq!(
        parquet_rows(std::fs::read(sub.join("made.parquet")).expect("made")),
        4
    );
}

#[test]
fn outputs_get_the_umask_mode_or_keep_their_own() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("ok.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let pq = dir.path().join("new.parquet");
    let npy = dir.path().join("v.npy");
    let side = dir.path().join("v.texts.jsonl");
    let lines = dir.path().join("v.jsonl");

    // New files: 0666 less the umask, as File::create gives.
    let seg = |umask: &str| {
        run_with_umask(
            umask,
            &["segment", &s(&jsonl), "--format", "parquet", "-o", &s(&pq)],
        )
    };
    seg("022");
    assert_eq!(mode(&pq), 0o644);
    std::fs::remove_file(&pq).expect("rm");
    seg("027");
    assert_eq!(mode(&pq), 0o640);
    run_with_umask(
        "022",
        &["embed", &s(&jsonl), "--format", "npy", "-o", &s(&npy)],
    );
    assert_eq!((mode(&npy), mode(&side)), (0o644, 0o644));
    run_with_umask("022", &["embed", &s(&jsonl), "-o", &s(&lines)]);
    assert_eq!(mode(&lines), 0o644);

    // Files already there keep their mode, whatever the umask.
    for p in [&pq, &npy, &side, &lines] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    }
    seg("077");
    run_with_umask(
        "077",
        &["embed", &s(&jsonl), "--format", "npy", "-o", &s(&npy)],
    );
    run_with_umask("077", &["embed", &s(&jsonl), "-o", &s(&lines)]);
    for p in [&pq, &npy, &side, &lines] {
        assert_eq!(mode(p), 0o664, "{}", p.display());
    }
    assert_eq!(parquet_rows(std::fs::read(&pq).expect("pq")), 4);
}

/// An index's files are outputs too: 0666 less the umask, as segment's, not the 0600 of the
/// temporary files they are written through.
#[test]
fn index_files_get_the_umask_mode() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("ok.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    for (umask, want) in [("022", 0o644), ("027", 0o640)] {
        let idx = dir.path().join(format!("u{umask}.csi"));
        run_with_umask(umask, &["index", "build", "-o", &s(&idx), &s(&jsonl)]);
        let files: Vec<PathBuf> = std::fs::read_dir(&idx)
            .expect("index dir")
            .map(|e| e.expect("entry").path())
            .collect();
        // The manifest, and a segment's records and vectors.
        assert!(files.len() >= 3, "{files:?}");
        for f in &files {
            assert_eq!(mode(f), want, "umask {umask}: {}", f.display());
        }
    }
}

/// `--texts DIR` writes `DIR/ID.txt`: in the input folder, a plain-text article's own file.
/// Refused before any text is written (the article was replaced by its cleaned text, U+FFFD
/// for its Latin-1 bytes under `--lossy`), and a record whose id names an input is refused
/// before its text is written.
#[test]
fn texts_that_would_replace_an_input_are_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).expect("mkdir");
    let a = corpus.join("a.txt");
    let latin1 = b"Caf\xe9 owners said on Monday that the rent will rise next year.\n";
    std::fs::write(&a, latin1).expect("write");
    // Read before `a.txt`: its text must not be written either.
    std::fs::write(
        corpus.join("0.jsonl"),
        "{\"id\":\"z\",\"text\":\"The council approved the budget on Monday.\"}\n",
    )
    .expect("write");
    let listing = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = listing(&corpus);

    let o = run(&["segment", &s(&corpus), "--texts", &s(&corpus), "--lossy"]);
    refused(&o, &a, latin1, &["--texts", "a.txt", "corpus-texts"]);
    assert_eq!(
        listing(&corpus),
        before,
        "a text was written before the refusal"
    );
    // Every corpus command reads through the same reader.
    let o = run(&["stories", &s(&corpus), "--texts", &s(&corpus), "--lossy"]);
    refused(&o, &a, latin1, &["a.txt"]);

    // Reached through a symlink in the texts folder.
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).expect("mkdir");
    std::os::unix::fs::symlink(&a, texts.join("a.txt")).expect("symlink");
    let o = run(&["segment", &s(&a), "--texts", &s(&texts), "--lossy"]);
    refused(&o, &a, latin1, &["a.txt"]);

    // A record's id is known only when it is read: `x/notes.txt` and `y/notes.txt` are
    // documents `x/notes` and `y/notes`, and the record `notes` would be written over one.
    for d in ["x", "y"] {
        std::fs::create_dir(dir.path().join(d)).expect("mkdir");
    }
    let notes = dir.path().join("x/notes.txt");
    let kept = b"The mayor said the bridge will close in June.\n";
    std::fs::write(&notes, kept).expect("write");
    std::fs::write(dir.path().join("y/notes.txt"), kept).expect("write");
    let recs = dir.path().join("recs.jsonl");
    std::fs::write(
        &recs,
        "{\"id\":\"notes\",\"text\":\"Officials confirmed the report on Tuesday.\"}\n",
    )
    .expect("write");
    let o = run(&[
        "segment",
        &s(&recs),
        &s(&notes),
        &s(&dir.path().join("y/notes.txt")),
        "--texts",
        &s(&dir.path().join("x")),
    ]);
    refused(&o, &notes, kept, &["notes.txt", "\"notes\""]);

    // A folder that holds inputs but none a text is written to is no clash.
    let o = run(&[
        "segment",
        &s(&corpus.join("0.jsonl")),
        "--texts",
        &s(&corpus),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(corpus.join("z.txt")).expect("text written"),
        "The council approved the budget on Monday."
    );
}

/// `--texts` inside a folder the run walks for inputs works (the folder was listed before any
/// text was written, so this run does not read them back), but a later run over the same folder
/// would: said, with where to write them instead. A folder beside the inputs is not warned of.
#[test]
fn texts_inside_an_input_folder_are_warned_of() {
    let dir = tempfile::tempdir().expect("tmp");
    let corpus = dir.path().join("corpus");
    std::fs::create_dir(&corpus).expect("mkdir");
    std::fs::write(
        corpus.join("a.txt"),
        "The council approved the budget on Monday. It takes effect in May.\n",
    )
    .expect("write");
    let inside = corpus.join("texts");
    let o = run(&["segment", &s(&corpus), "--texts", &s(&inside)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "--texts {}: inside the input folder",
            inside.display()
        )) && err.contains("write them beside it instead"),
        "{err}"
    );
    assert!(inside.join("a.txt").is_file(), "text not written: {err}");
    let beside = dir.path().join("corpus-texts");
    let o = run(&["segment", &s(&corpus), "--texts", &s(&beside)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("inside the input folder"),
        "{}",
        stderr(&o)
    );
}

/// `match` writes every format to `-o`, not only Parquet (`--format html -o report.html` was
/// refused), the same text it prints without `-o`; and refuses an `-o` that is its input.
#[test]
fn match_writes_any_format_to_its_output_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("okc.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    for (format, name) in [
        ("html", "r.html"),
        ("json", "r.json"),
        ("md", "r.md"),
        ("table", "r.txt"),
    ] {
        let out = dir.path().join(name);
        let args = ["match", &s(&jsonl), "--no-labels", "--format", format];
        let printed = run(&args);
        assert!(printed.status.success(), "{}", stderr(&printed));
        let o = run(&[&args[..], &["-o", &s(&out)]].concat());
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{format}: printed with -o");
        assert_eq!(
            std::fs::read(&out).expect("written"),
            printed.stdout,
            "{format}"
        );
    }
    let o = run(&["match", &s(&jsonl), "--format", "html", "-o", &s(&jsonl)]);
    refused(&o, &jsonl, DOCS.as_bytes(), &["okc.jsonl", "okc.out.html"]);
    // A folder, or a file in a folder that is not there, is refused before the run, not after.
    let missing = dir.path().join("no-such-folder").join("r.html");
    let o = run(&["match", &s(&jsonl), "--format", "html", "-o", &s(&missing)]);
    assert!(
        !o.status.success() && stderr(&o).contains("does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(
        !stderr(&o).contains("groups"),
        "the run went ahead: {}",
        stderr(&o)
    );
    let o = run(&[
        "match",
        &s(&jsonl),
        "--format",
        "json",
        "-o",
        &s(dir.path()),
    ]);
    assert!(
        !o.status.success() && stderr(&o).contains("is a folder"),
        "{}",
        stderr(&o)
    );
}

/// `segment` and `classify` write their text formats to `-o` too (an `-o` with them was
/// refused, and for a while after that ignored): the same bytes they print without it, and an
/// `-o` that is their input is refused.
#[test]
fn segment_and_classify_write_their_text_formats_to_the_output_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("docs.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let j = s(&jsonl);
    for (args, name) in [
        (vec!["segment", &j, "--format", "jsonl"], "seg.jsonl"),
        (vec!["segment", &j, "--format", "csv"], "seg.csv"),
        (vec!["segment", &j, "--format", "table"], "seg.txt"),
        (
            vec!["classify", &j, "--task", "confidence", "--format", "csv"],
            "conf.csv",
        ),
        (
            vec!["classify", &j, "--task", "confidence", "--format", "jsonl"],
            "conf.jsonl",
        ),
    ] {
        let out = dir.path().join(name);
        let printed = run(&args);
        assert!(printed.status.success(), "{}", stderr(&printed));
        assert!(!printed.stdout.is_empty(), "{args:?}");
        let o = run(&[&args[..], &["-o", &s(&out)]].concat());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}: printed with -o");
        assert_eq!(
            std::fs::read(&out).expect("written"),
            printed.stdout,
            "{args:?}"
        );
    }
    for cmd in [
        &["segment", &j, "--format", "jsonl"][..],
        &["classify", &j, "--task", "confidence"][..],
    ] {
        let o = run(&[cmd, &["-o", &j]].concat());
        refused(
            &o,
            &jsonl,
            DOCS.as_bytes(),
            &["docs.jsonl", "docs.out.jsonl"],
        );
    }
}

/// A binary format's name on a text output, or a text name on a binary output, is refused
/// before the run: `embed -o z.npy` without `--format npy` wrote JSONL into `z.npy`.
#[test]
fn an_output_named_for_another_format_is_refused() {
    let dir = tempfile::tempdir().expect("tmp");
    let jsonl = dir.path().join("docs.jsonl");
    std::fs::write(&jsonl, DOCS).expect("write");
    let j = s(&jsonl);
    for (args, out) in [
        (vec!["embed", &j], "z.npy"),
        (vec!["segment", &j, "--format", "parquet"], "z.csv"),
        (vec!["segment", &j, "--format", "csv"], "z.parquet"),
    ] {
        let path = dir.path().join(out);
        let o = run(&[&args[..], &["-o", &s(&path)]].concat());
        assert!(
            !o.status.success() && stderr(&o).contains("the name says"),
            "{args:?} -o {out}: {}",
            stderr(&o)
        );
        assert!(!path.exists(), "{args:?}: {out} written");
    }
}
