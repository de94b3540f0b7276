//! `needlecheck rescore`: reads stored records from files, folders and streams, one record at
//! a time, and writes what the engine's re-scoring says ([`needlecheck_engine::rescore`]).
//!
//! Inputs: `-` (standard input) and files ending in `.jsonl` or `.ndjson` hold one record per
//! line; a folder is read for its `*.json` and `*.jsonl` files, in name order (not its
//! sub-folders, and not the FHIR Bundles `--save-format fhir` saves beside the records, named
//! `*.fhir.json`); any other file is one record. Nothing is held but the record being read
//! and the counts of the summary.

use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use crate::cli::{EXIT_INVALID, EXIT_IO, EXIT_OK, MAX_JSONL_LINE};
use crate::diagnostics::{display_name, read_limited};
use crate::formats::Format;
use crate::lines::Line;
use crate::output;
use crate::questionnaire::Questionnaire;
use needlecheck_engine::rescore::{Problem, Rescored, Rescorer};
use needlecheck_engine::rescore_report::{self as report, Tally};

/// Largest record file read whole (a record is a few kilobytes).
const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

/// The output formats of `rescore`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RescoreFormat {
    /// Each record whose outcome changed or that could not be re-scored, then the summary.
    Text,
    /// One JSON document: `{"records": [every record], "summary": {...}}`.
    Json,
    /// One JSON object per line: every record, then the summary.
    Jsonl,
}

/// Where the results go, in the chosen format.
struct Sink<'q> {
    q: &'q Questionnaire,
    format: RescoreFormat,
    out: Box<dyn Write>,
    tally: Tally,
    /// JSON lines written so far (for the commas of the `json` document).
    written: u64,
}

impl<'q> Sink<'q> {
    fn new(q: &'q Questionnaire, format: RescoreFormat) -> io::Result<Self> {
        let mut out: Box<dyn Write> = match format {
            RescoreFormat::Text => Box::new(BufWriter::with_capacity(1 << 16, output::stdout())),
            RescoreFormat::Json | RescoreFormat::Jsonl => {
                Box::new(BufWriter::with_capacity(1 << 16, output::json_stdout()))
            }
        };
        if format == RescoreFormat::Json {
            out.write_all(b"{\"records\":[\n")?;
        }
        Ok(Sink {
            q,
            format,
            out,
            tally: Tally::new(),
            written: 0,
        })
    }

    fn json_line(&mut self, v: &serde_json::Value) -> io::Result<()> {
        if self.format == RescoreFormat::Json && self.written > 0 {
            self.out.write_all(b",\n")?;
        }
        self.written += 1;
        serde_json::to_writer(&mut self.out, v)?;
        if self.format == RescoreFormat::Jsonl {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn record(&mut self, source: &str, r: &Rescored) -> io::Result<()> {
        self.tally.add(r);
        match self.format {
            RescoreFormat::Text if r.changed() => {
                report::write_record_text(&mut self.out, self.q, source, r)
            }
            RescoreFormat::Text => Ok(()),
            _ => self.json_line(&report::record_json(source, r)),
        }
    }

    fn problem(&mut self, source: &str, p: &Problem) -> io::Result<()> {
        self.tally.add_problem(p);
        match self.format {
            RescoreFormat::Text => report::write_problem_text(&mut self.out, self.q, source, p),
            _ => self.json_line(&report::problem_json(self.q, source, p)),
        }
    }

    /// A file or folder that could not be read: said on standard error and counted.
    fn unreadable(&mut self, source: &str, why: &str) -> io::Result<()> {
        self.tally.add_unreadable_source();
        output::note(&format!("error: {why}"));
        match self.format {
            RescoreFormat::Text => Ok(()),
            _ => self.json_line(&serde_json::json!({
                "kind": "unreadable", "source": source, "message": why,
            })),
        }
    }

    /// Writes the summary and returns the exit status.
    fn finish(mut self) -> io::Result<u8> {
        match self.format {
            RescoreFormat::Text => self.tally.write_text(&mut self.out, self.q)?,
            RescoreFormat::Jsonl => self.json_line(&self.tally.to_json(self.q))?,
            RescoreFormat::Json => {
                self.out.write_all(b"\n],\"summary\":")?;
                serde_json::to_writer(&mut self.out, &self.tally.to_json(self.q))?;
                self.out.write_all(b"}\n")?;
            }
        }
        self.out.flush()?;
        Ok(if self.tally.problems() > 0 {
            EXIT_INVALID
        } else if self.tally.unreadable_sources() > 0 {
            EXIT_IO
        } else {
            EXIT_OK
        })
    }
}

/// Re-scores every record of `inputs` under `q`; `known` are earlier versions' files, whose
/// SHA-256 records of their version must carry.
pub fn rescore(
    q: &Questionnaire,
    inputs: &[PathBuf],
    known: &[Questionnaire],
    format: RescoreFormat,
) -> io::Result<u8> {
    let mut rescorer = Rescorer::new(q);
    for k in known {
        if let Err(e) = rescorer.know(k, k.origin()) {
            output::note(&format!("error: --known: {e}"));
            return Ok(EXIT_INVALID);
        }
    }
    let mut sink = Sink::new(q, format)?;
    for path in inputs {
        if path.as_os_str() == "-" {
            read_stream(
                &mut rescorer,
                &mut sink,
                crate::input::STDIN_NAME,
                io::stdin().lock(),
            )?;
        } else {
            read_path(&mut rescorer, &mut sink, path)?;
        }
    }
    sink.finish()
}

/// A `*.json` file that is not a saved FHIR Bundle (a Bundle is no needlecheck record).
fn is_record_file(path: &Path) -> bool {
    let fhir = format!(".{}", Format::Fhir.extension());
    path.extension().is_some_and(|e| e == "json") && !path.to_string_lossy().ends_with(&fhir)
}

fn is_stream(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson")
}

/// A file, or a folder's record files in name order.
fn read_path(rescorer: &mut Rescorer, sink: &mut Sink, path: &Path) -> io::Result<()> {
    let name = display_name(path);
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return sink.unreadable(&name, &format!("cannot read {name}: {e}")),
    };
    if !meta.is_dir() {
        return read_file(rescorer, sink, path);
    }
    let listing = fs::read_dir(path).and_then(|d| d.collect::<io::Result<Vec<_>>>());
    let mut files: Vec<PathBuf> = match listing {
        Ok(entries) => (entries.into_iter())
            .map(|e| e.path())
            .filter(|p| is_record_file(p) || is_stream(p))
            .filter(|p| p.is_file())
            .collect(),
        Err(e) => return sink.unreadable(&name, &format!("cannot list {name}: {e}")),
    };
    files.sort();
    for f in files {
        read_file(rescorer, sink, &f)?;
    }
    Ok(())
}

fn read_file(rescorer: &mut Rescorer, sink: &mut Sink, path: &Path) -> io::Result<()> {
    let name = display_name(path);
    if is_stream(path) {
        return match fs::File::open(path) {
            Ok(f) => read_stream(
                rescorer,
                sink,
                &name,
                io::BufReader::with_capacity(1 << 16, f),
            ),
            Err(e) => sink.unreadable(&name, &format!("cannot read {name}: {e}")),
        };
    }
    let bytes = match read_limited(path, MAX_RECORD_BYTES) {
        Ok(b) => b,
        Err(e) => return sink.unreadable(&name, &e.to_string()),
    };
    one(rescorer, sink, &name, &bytes)
}

/// One record per line; blank lines are passed over.
fn read_stream(
    rescorer: &mut Rescorer,
    sink: &mut Sink,
    name: &str,
    mut input: impl BufRead,
) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut line = 0usize;
    loop {
        let read = crate::lines::read_line(&mut input, &mut buf, MAX_JSONL_LINE);
        let read = match read {
            Ok(r) => r,
            Err(e) => return sink.unreadable(name, &format!("cannot read {name}: {e}")),
        };
        line += 1;
        let at = format!("{name}:{line}");
        match read {
            Line::End => return Ok(()),
            Line::TooLong => {
                let what =
                    format!("the line is longer than {MAX_JSONL_LINE} bytes and was not read");
                sink.problem(&at, &Problem::NotRecord(what))?;
            }
            Line::Read if buf.trim_ascii().is_empty() => {}
            Line::Read => one(rescorer, sink, &at, &buf)?,
        }
    }
}

/// One record's bytes, found at `at`.
fn one(rescorer: &mut Rescorer, sink: &mut Sink, at: &str, bytes: &[u8]) -> io::Result<()> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return sink.problem(at, &Problem::NotRecord("it is not UTF-8 text".into()));
    };
    match rescorer.rescore(text.trim_end_matches('\r'), at) {
        Ok(r) => sink.record(at, &r),
        Err(p) => sink.problem(at, &p),
    }
}
