//! Every format a scoring or a screening is written in, in one place.
//!
//! `score --format`, `score --jsonl` and `--save-format` all choose a [`Format`]: the advice text,
//! the practitioner handover and the JSON record are views of one [`Report`], written by
//! [`Format::write`]; a format that can be streamed writes one record per line through
//! [`Format::stream`]. A new format is a new variant here: its name, its file extension, its
//! writer, and whether (and how) it streams. Text formats come out with control characters
//! escaped ([`printable`]), wherever they are written.

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::answers::Answers;
use crate::printable;
use crate::questionnaire::Questionnaire;
use crate::record_json::RecordWriter;
use crate::records::rfc3339_utc;
use crate::report::{self, Record, Summary, TextOptions};
use crate::score::Outcome;
use crate::screening::Screening;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The advice for the person (with the handover in front-desk mode).
    Text,
    /// The JSON record: outcome, findings with their reasons, the answers used, and for a
    /// screening who, when, how and how far.
    Json,
    /// The practitioner handover, with how the screening ended.
    Handover,
    /// An HL7 FHIR R4 `Bundle`: the answers as a `QuestionnaireResponse`, the outcome as a
    /// `RiskAssessment` ([`crate::fhir`]).
    Fhir,
}

impl Format {
    /// Every format, in the order they are listed.
    pub const ALL: [Format; 4] = [Format::Text, Format::Json, Format::Handover, Format::Fhir];

    /// What a saved screening is written as when `--save-format` does not say (one file each,
    /// sharing a name stem): the JSON record and the practitioner handover.
    pub const SAVED: [Format; 2] = [Format::Json, Format::Handover];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Handover => "handover",
            Format::Fhir => "fhir",
        }
    }

    /// The format of a command-line name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The end of a saved file's name, after the stem.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "advice.txt",
            Format::Json => "json",
            Format::Handover => "handover.txt",
            Format::Fhir => "fhir.json",
        }
    }

    /// Whether the format escapes control characters itself (JSON and FHIR do); the others
    /// are text for a terminal or a text file and are written through [`printable::escape`].
    pub fn escapes_itself(self) -> bool {
        match self {
            Format::Json | Format::Fhir => true,
            Format::Text | Format::Handover => false,
        }
    }

    /// Writes `report` in this format, as a document.
    pub fn write(self, r: &Report, out: &mut dyn Write) -> io::Result<()> {
        match self {
            Format::Text => out.write_all(printable::escape(&r.text()).as_bytes()),
            Format::Handover => out.write_all(printable::escape(&r.handover()).as_bytes()),
            Format::Json => {
                match r.screening {
                    Some(_) => serde_json::to_writer_pretty(&mut *out, &r.json())?,
                    None => serde_json::to_writer_pretty(&mut *out, &r.record())?,
                }
                out.write_all(b"\n")
            }
            Format::Fhir => {
                serde_json::to_writer_pretty(&mut *out, &r.fhir()?)?;
                out.write_all(b"\n")
            }
        }
    }

    /// [`Format::write`] into a string.
    pub fn render(self, r: &Report) -> String {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail.
        let _ = self.write(r, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A writer of scorings of `q` one per line (`score --jsonl`), for a format that can be
    /// streamed (JSON, FHIR); `None` for the others.
    pub fn stream(self, q: &Questionnaire) -> Option<io::Result<Stream<'_>>> {
        match self {
            Format::Json => Some(
                RecordWriter::new(q)
                    .map(|records| Stream::Json { records })
                    .map_err(io::Error::other),
            ),
            Format::Fhir => Some(Ok(Stream::Fhir { q })),
            Format::Text | Format::Handover => None,
        }
    }
}

/// Scorings written one per line (`score --jsonl`).
#[derive(Debug, Clone)]
pub enum Stream<'q> {
    /// Each JSON record, with its `line` number first, exactly as [`Record`] serializes, from
    /// pieces of the questionnaire escaped once for the whole stream ([`RecordWriter`]).
    Json {
        /// The writer, with the questionnaire's pieces escaped once.
        records: RecordWriter<'q>,
    },
    /// Each FHIR Bundle on one line (a Bundle has no place for the line number: the lines
    /// keep their order).
    Fhir {
        /// The questionnaire the Bundles answer.
        q: &'q Questionnaire,
    },
}

impl Stream<'_> {
    /// Writes the record of line `line` and its line break.
    pub fn write(
        &self,
        out: &mut impl Write,
        line: usize,
        answers: &Answers,
        outcome: &Outcome,
    ) -> io::Result<()> {
        match self {
            Stream::Json { records } => records.write(out, Some(line), answers, outcome)?,
            Stream::Fhir { q } => {
                let bundle =
                    crate::fhir::bundle(q, answers, outcome, None).map_err(io::Error::other)?;
                serde_json::to_writer(&mut *out, &bundle)?;
            }
        }
        out.write_all(b"\n")
    }
}

/// What is written: scored answers, and for a screening how it went.
#[derive(Debug, Clone, Copy)]
pub struct Report<'a, 'q> {
    q: &'q Questionnaire,
    answers: &'a Answers,
    outcome: &'a Outcome,
    staff: bool,
    screening: Option<&'a Screening<'q>>,
}

impl<'a, 'q> Report<'a, 'q> {
    /// Answers scored outside a screening (`score`); `staff` adds the handover to the text.
    pub fn scored(
        q: &'q Questionnaire,
        answers: &'a Answers,
        outcome: &'a Outcome,
        staff: bool,
    ) -> Self {
        Report {
            q,
            answers,
            outcome,
            staff,
            screening: None,
        }
    }

    /// An ended screening.
    pub fn of(s: &'a Screening<'q>) -> Self {
        Report {
            q: s.q,
            answers: &s.answers,
            outcome: &s.outcome,
            staff: s.staff,
            screening: Some(s),
        }
    }

    fn subject(&self) -> Option<&'a str> {
        self.screening.and_then(|s| s.subject.as_deref())
    }

    fn text(&self) -> String {
        report::render_text(
            &Summary::new(self.q, self.answers, self.outcome, self.staff),
            &TextOptions {
                staff: self.staff,
                subject: self.subject(),
            },
        )
    }

    /// The handover always uses staff wording; a screening adds how it ended and when.
    fn handover(&self) -> String {
        let summary = Summary::new(self.q, self.answers, self.outcome, true);
        let mut out = report::render_handover(&summary, self.subject());
        if let Some(s) = self.screening {
            out.push_str(&format!(
                "Screening: {} ({} mode), {} to {}\n",
                s.status.describe(),
                s.mode.as_str(),
                rfc3339_utc(s.started),
                rfc3339_utc(s.ended)
            ));
        }
        out
    }

    /// The FHIR Bundle: of the screening when there is one.
    fn fhir(&self) -> io::Result<Value> {
        crate::fhir::bundle(self.q, self.answers, self.outcome, self.screening)
            .map_err(io::Error::other)
    }

    fn record(&self) -> Record<'a> {
        Record::new(self.q, self.answers, self.outcome)
    }

    /// The record of a screening, with `subject`, `mode`, `staff`, `status`, `started_at`
    /// and `ended_at` after `questionnaire`.
    fn json(&self) -> Value {
        let base = match serde_json::to_value(self.record()) {
            Ok(Value::Object(m)) => m,
            // A struct of strings, numbers and maps always serializes to an object.
            _ => Map::new(),
        };
        let Some(s) = self.screening else {
            return Value::Object(base);
        };
        // Keys keep the record's order (serde_json is built with `preserve_order`).
        let mut out = Map::new();
        for (k, v) in base {
            let after_questionnaire = k == "questionnaire";
            out.insert(k, v);
            if after_questionnaire {
                out.insert("subject".into(), s.subject.as_deref().into());
                out.insert("mode".into(), s.mode.as_str().into());
                out.insert("staff".into(), s.staff.into());
                out.insert("status".into(), s.status.as_str().into());
                out.insert("started_at".into(), rfc3339_utc(s.started).into());
                out.insert("ended_at".into(), rfc3339_utc(s.ended).into());
            }
        }
        Value::Object(out)
    }
}
