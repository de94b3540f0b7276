//! Saved screenings: the JSON record and the practitioner handover of one screening, written
//! only when a save folder was given.
//!
//! Both files are created with mode 0600 and never overwrite anything: a name that is taken is
//! skipped for the next free one. File names carry no patient data, only the time the screening
//! ended and a counter (`needlecheck-20261126T101500Z-1.json` and
//! `needlecheck-20261126T101500Z-1.handover.txt`); the patient identifier, when given, is inside
//! the files only.
//!
//! The record is [`report::Record`] (what `score --format json` prints) plus who, when, how and
//! how far: `subject`, `mode`, `status`, `started_at` and `ended_at` (RFC 3339, UTC). Its
//! `answers` object re-scores to the same outcome.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};

use crate::answers::Answers;
use crate::questionnaire::Questionnaire;
use crate::report::{self, Record, Summary};
use crate::score::Outcome;

/// The front end a screening was done in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The full-screen terminal interface.
    Tui,
    /// The plain line mode.
    Plain,
}

impl Mode {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Tui => "tui",
            Mode::Plain => "plain",
        }
    }
}

/// How far a screening got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every question was gone through.
    Completed,
    /// A `stop` rule interrupted it (emergency advice was given).
    StoppedEmergency,
    /// Left before the end (quit, end of input, closed window).
    Abandoned,
}

impl Status {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::StoppedEmergency => "stopped_emergency",
            Status::Abandoned => "abandoned",
        }
    }

    /// The status in words, for the handover.
    fn describe(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::StoppedEmergency => "stopped early for emergency advice",
            Status::Abandoned => "abandoned before the end",
        }
    }
}

/// One finished (or abandoned) screening, as the front ends hand it over for saving.
#[derive(Debug, Clone)]
pub struct Screening<'a> {
    pub q: &'a Questionnaire,
    pub answers: &'a Answers,
    pub outcome: &'a Outcome,
    /// Patient identifier, if the user gave one.
    pub subject: Option<&'a str>,
    /// Front-desk mode (recorded; the handover always uses staff wording).
    pub staff: bool,
    pub mode: Mode,
    pub status: Status,
    pub started: SystemTime,
    pub ended: SystemTime,
}

/// Where a screening was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPaths {
    pub record: PathBuf,
    pub handover: PathBuf,
}

/// The JSON record: the fields of [`report::Record`], with `subject`, `mode`, `staff`,
/// `status`, `started_at` and `ended_at` after `questionnaire`.
pub fn record_json(s: &Screening) -> Value {
    let record = Record::new(s.q, s.answers, s.outcome);
    let base = match serde_json::to_value(&record) {
        Ok(Value::Object(m)) => m,
        // A struct of strings, numbers and maps always serializes to an object.
        _ => Map::new(),
    };
    let mut out = Map::new();
    for (k, v) in base {
        let after_questionnaire = k == "questionnaire";
        out.insert(k, v);
        if after_questionnaire {
            out.insert("subject".into(), s.subject.map_or(Value::Null, Value::from));
            out.insert("mode".into(), s.mode.as_str().into());
            out.insert("staff".into(), s.staff.into());
            out.insert("status".into(), s.status.as_str().into());
            out.insert("started_at".into(), rfc3339_utc(s.started).into());
            out.insert("ended_at".into(), rfc3339_utc(s.ended).into());
        }
    }
    Value::Object(out)
}

/// The practitioner handover ([`report::render_handover`] with staff wording and the subject),
/// followed by how the screening ended and when.
pub fn handover_text(s: &Screening) -> String {
    let summary = Summary::new(s.q, s.answers, s.outcome, true);
    let mut out = report::render_handover(&summary, s.subject);
    out.push_str(&format!(
        "Screening: {} ({} mode), {} to {}\n",
        s.status.describe(),
        s.mode.as_str(),
        rfc3339_utc(s.started),
        rfc3339_utc(s.ended)
    ));
    out
}

/// Checks that `dir` is an existing folder, with an error that names it.
pub fn check_dir(dir: &Path) -> io::Result<()> {
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!(
                "cannot save screenings in {}: it is not a folder",
                dir.display()
            ),
        )),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot save screenings in {}: {e}", dir.display()),
        )),
    }
}

/// How many names are tried before giving up.
const MAX_TRIES: u32 = 10_000;

/// Saves the record and the handover in `dir`, in new 0600 files that share a name stem.
/// Never overwrites: a taken name moves on to the next counter.
pub fn save(dir: &Path, s: &Screening) -> io::Result<SavedPaths> {
    check_dir(dir)?;
    let mut record = serde_json::to_string_pretty(&record_json(s)).map_err(io::Error::other)?;
    record.push('\n');
    // A text file is read in a terminal too: the one escaping step applies (the JSON record
    // escapes control characters itself).
    let handover = crate::printable::escape(&handover_text(s)).into_owned();
    let stamp = file_stamp(s.ended);
    for n in 1..=MAX_TRIES {
        let stem = format!("needlecheck-{stamp}-{n}");
        let record_path = dir.join(format!("{stem}.json"));
        let handover_path = dir.join(format!("{stem}.handover.txt"));
        let Some(record_file) = create_new(&record_path)? else {
            continue;
        };
        let Some(handover_file) = create_new(&handover_path)? else {
            // The pair must share a stem: give this one back and try the next.
            drop(record_file);
            let _ = fs::remove_file(&record_path);
            continue;
        };
        let written = fill(record_file, &record_path, record.as_bytes())
            .and_then(|()| fill(handover_file, &handover_path, handover.as_bytes()));
        if let Err(e) = written {
            // Only files this call created are removed.
            let _ = fs::remove_file(&record_path);
            let _ = fs::remove_file(&handover_path);
            return Err(e);
        }
        return Ok(SavedPaths {
            record: record_path,
            handover: handover_path,
        });
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "cannot save the screening in {}: no free file name for needlecheck-{stamp}",
            dir.display()
        ),
    ))
}

/// Creates a new file readable and writable by the owner only; `None` when the name is taken.
fn create_new(path: &Path) -> io::Result<Option<File>> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("cannot create {}: {e}", path.display()),
        )),
    }
}

fn fill(mut f: File, path: &Path, bytes: &[u8]) -> io::Result<()> {
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
}

/// Seconds since the epoch split into a UTC date and time of day.
fn civil(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    // Times before 1970 do not occur on a working clock; they are shown as 1970.
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    // Days to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, rem / 3600, rem / 60 % 60, rem % 60)
}

/// A time as RFC 3339 in UTC to the second, e.g. `2026-11-26T10:15:00Z`.
pub fn rfc3339_utc(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A time for file names (no colons), e.g. `20261126T101500Z`.
fn file_stamp(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = civil(t);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_utc(at(0)), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(at(951_782_400)), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(at(1_709_251_199)), "2024-02-29T23:59:59Z");
        assert_eq!(rfc3339_utc(at(1_798_761_600)), "2027-01-01T00:00:00Z");
        assert_eq!(file_stamp(at(1_798_761_601)), "20270101T000001Z");
    }
}
