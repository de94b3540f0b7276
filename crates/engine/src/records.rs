//! Saving an ended screening: one file per saved [`Format`] (by default the JSON record and the
//! practitioner handover, [`Format::SAVED`]; `--save-format` chooses others, such as the FHIR
//! Bundle), written only when a save folder was given.
//!
//! The one decision on saving, for every front end: the folder is checked at start by
//! creating and removing a probe file ([`check_writable`]), so a folder that cannot take a
//! record is refused before anyone answers; a save that fails later returns an error and the
//! front end keeps the [`Screening`] in memory, says so before the next patient, and offers to
//! try again or to save in another folder; a record given up makes the exit status
//! [`crate::screening::exit::IO`], never success.
//!
//! Files are written atomically and never overwrite anything: each is written to a temporary
//! name in the same folder, synced to disk, then given its name with a hard link (which fails
//! when the name exists) and the temporary name removed. On any failure every file this save
//! made is removed, so a full disk leaves no empty or partial record. Names are
//! `needlecheck-<ended, UTC>-<sequence>[-<patient ID>]` followed by each format's
//! [`Format::extension`] (`.json`, `.handover.txt`, `.fhir.json`, `.advice.txt`): the
//! sequence is one more than the highest already in the folder, and the patient ID is kept to
//! letters, digits, `-` and `_` (anything else becomes `_`, at most 40 characters).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::formats::{Format, Report};
use crate::screening::Screening;

/// Where a screening was saved: one file per format asked for, in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// The formats saved, in the order asked for.
    pub formats: Vec<Format>,
    /// The files written, one per format in [`Saved::formats`].
    pub files: Vec<PathBuf>,
    /// The sequence number in the names: a confirmation that shows no patient ID.
    pub sequence: u64,
}

impl Saved {
    /// The file of `format`, if it was saved.
    pub fn file(&self, format: Format) -> Option<&Path> {
        self.formats
            .iter()
            .position(|f| *f == format)
            .and_then(|i| self.files.get(i))
            .map(PathBuf::as_path)
    }

    /// The file names, for a confirmation ("Saved as …").
    pub fn names(&self) -> Vec<String> {
        self.files
            .iter()
            .map(|p| {
                p.file_name()
                    .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
            })
            .collect()
    }
}

/// Writes bytes into a newly made file; replaced in tests to simulate a full disk.
pub type Writer<'a> = &'a mut dyn FnMut(&mut File, &[u8]) -> io::Result<()>;

fn with_context(e: io::Error, what: String) -> io::Error {
    io::Error::new(e.kind(), format!("{what}: {e}"))
}

/// Checks that `dir` is a folder where a record can be saved now: creates and removes a probe
/// file. The error names the folder and says why.
pub fn check_writable(dir: &Path) -> io::Result<()> {
    let cannot = |why: String| format!("cannot save screenings in {}: {why}", dir.display());
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                cannot("it is not a folder".into()),
            ));
        }
        Err(e) => return Err(io::Error::new(e.kind(), cannot(e.to_string()))),
    }
    let probe = temp_path(dir, "probe");
    let made = create_new(&probe).map_err(|e| io::Error::new(e.kind(), cannot(e.to_string())))?;
    drop(made);
    fs::remove_file(&probe).map_err(|e| io::Error::new(e.kind(), cannot(e.to_string())))
}

/// Saves the screening in `dir`, one new 0600 file per format of `formats` (at least one,
/// each once) sharing a name stem.
pub fn save(dir: &Path, s: &Screening, formats: &[Format]) -> io::Result<Saved> {
    save_with(dir, s, formats, &mut |f, bytes| f.write_all(bytes))
}

/// [`save`] with the bytes written by `write` (tests use it to fail like a full disk).
pub fn save_with(
    dir: &Path,
    s: &Screening,
    formats: &[Format],
    write: Writer,
) -> io::Result<Saved> {
    check_formats(formats)?;
    check_writable(dir)?;
    let report = Report::of(s);
    let mut temps: Vec<PathBuf> = Vec::new();
    let result = write_temps(dir, &report, formats, write, &mut temps)
        .and_then(|()| link_names(dir, s, formats, &temps));
    // The temporary names go whatever happened; the final names are links to the same files.
    for t in &temps {
        let _ = fs::remove_file(t);
    }
    if result.is_ok() {
        // Make the new names durable too; a folder that cannot be synced is not an error.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    result
}

/// At least one format, none twice (two files of one format would take the same name).
fn check_formats(formats: &[Format]) -> io::Result<()> {
    let twice = formats
        .iter()
        .enumerate()
        .any(|(i, f)| formats[..i].contains(f));
    if formats.is_empty() || twice {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "cannot save a screening: give one or more formats to save in, each once",
        ));
    }
    Ok(())
}

/// Writes each format to its own temporary file, synced to disk.
fn write_temps(
    dir: &Path,
    report: &Report,
    formats: &[Format],
    write: Writer,
    temps: &mut Vec<PathBuf>,
) -> io::Result<()> {
    for format in formats {
        let path = temp_path(dir, "tmp");
        let mut file = create_new(&path)
            .map_err(|e| with_context(e, format!("cannot create a file in {}", dir.display())))?;
        temps.push(path);
        write(&mut file, format.render(report).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(|e| with_context(e, format!("cannot write in {}", dir.display())))?;
    }
    Ok(())
}

/// Gives the temporary files their names, trying the next sequence number while a name is
/// taken; on failure removes the names it made.
fn link_names(
    dir: &Path,
    s: &Screening,
    formats: &[Format],
    temps: &[PathBuf],
) -> io::Result<Saved> {
    let stamp = file_stamp(s.ended);
    let subject = s.subject.as_deref().map(safe_name).unwrap_or_default();
    link_from(dir, (&stamp, &subject), formats, temps, next_sequence(dir)?)
}

/// [`link_names`] from sequence number `first` on.
fn link_from(
    dir: &Path,
    (stamp, subject): (&str, &str),
    formats: &[Format],
    temps: &[PathBuf],
    first: u64,
) -> io::Result<Saved> {
    for n in first..first + MAX_TRIES {
        let stem = format!("needlecheck-{stamp}-{n}{subject}");
        let mut made: Vec<PathBuf> = Vec::new();
        let mut taken = false;
        for (format, temp) in formats.iter().zip(temps) {
            let path = dir.join(format!("{stem}.{}", format.extension()));
            match fs::hard_link(temp, &path) {
                Ok(()) => made.push(path),
                Err(e) => {
                    for m in &made {
                        let _ = fs::remove_file(m);
                    }
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        taken = true;
                        break;
                    }
                    return Err(with_context(e, format!("cannot create {}", path.display())));
                }
            }
        }
        if !taken {
            return Ok(Saved {
                formats: formats.to_vec(),
                files: made,
                sequence: n,
            });
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "cannot save the screening in {}: no free file name for needlecheck-{stamp}",
            dir.display()
        ),
    ))
}

/// How many sequence numbers are tried before giving up.
const MAX_TRIES: u64 = 10_000;

/// One more than the highest sequence number of a saved screening in `dir`.
fn next_sequence(dir: &Path) -> io::Result<u64> {
    let entries = fs::read_dir(dir)
        .map_err(|e| with_context(e, format!("cannot read the folder {}", dir.display())))?;
    let highest = entries
        .filter_map(Result::ok)
        .filter_map(|e| sequence_of(&e.file_name().to_string_lossy()))
        .max()
        .unwrap_or(0);
    Ok(highest + 1)
}

/// The sequence number in a saved file's name (`needlecheck-20261126T101500Z-7…`).
fn sequence_of(name: &str) -> Option<u64> {
    let rest = name.strip_prefix("needlecheck-")?;
    let after = rest.get(16..)?.strip_prefix('-')?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A patient ID as part of a file name: `-` then letters, digits, `-` and `_` only (others
/// become `_`), at most 40 characters; nothing for an ID with no safe character.
fn safe_name(subject: &str) -> String {
    let cleaned: String = subject
        .trim()
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.chars().all(|c| c == '_') {
        String::new()
    } else {
        format!("-{cleaned}")
    }
}

/// A temporary name in `dir` that no other save (in this or another process) uses.
fn temp_path(dir: &Path, kind: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    dir.join(format!(
        ".needlecheck-{}-{nanos}-{n}.{kind}",
        std::process::id()
    ))
}

/// Creates a new file readable and writable by the owner only.
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
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
    fn sequence_numbers_and_safe_names() {
        assert_eq!(
            sequence_of("needlecheck-20270101T000001Z-12-A-1.json"),
            Some(12)
        );
        assert_eq!(
            sequence_of("needlecheck-20270101T000001Z-3.handover.txt"),
            Some(3)
        );
        assert_eq!(sequence_of("notes.txt"), None);
        assert_eq!(safe_name(" A-1042 "), "-A-1042");
        assert_eq!(safe_name("../x y"), "-___x_y");
        assert_eq!(safe_name("\u{1b};!"), "");
    }

    #[test]
    fn a_name_taken_meanwhile_moves_the_pair_to_the_next_number() {
        let dir = std::env::temp_dir().join(format!("needlecheck-link-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let temps: Vec<PathBuf> = (0..2)
            .map(|i| {
                let t = dir.join(format!("t{i}"));
                fs::write(&t, format!("new {i}")).unwrap();
                t
            })
            .collect();
        // Another process took the handover name of number 1 after the folder was listed.
        let taken = dir.join("needlecheck-S-1.handover.txt");
        fs::write(&taken, "theirs").unwrap();
        let saved = link_from(&dir, ("S", ""), &Format::SAVED, &temps, 1).unwrap();
        assert_eq!(
            saved.names(),
            ["needlecheck-S-2.json", "needlecheck-S-2.handover.txt"]
        );
        assert_eq!(fs::read_to_string(&taken).unwrap(), "theirs");
        // The record name of number 1 was given back, not left half a pair.
        assert!(!dir.join("needlecheck-S-1.json").exists());
        assert_eq!(fs::read_to_string(&saved.files[0]).unwrap(), "new 0");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_save_needs_formats_each_once() {
        // Two files of one format would race for one name until the numbers ran out.
        assert!(check_formats(&[]).is_err());
        assert!(check_formats(&[Format::Json, Format::Fhir, Format::Json]).is_err());
        assert!(check_formats(&[Format::Fhir]).is_ok());
        assert!(check_formats(&Format::SAVED).is_ok());
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
