//! The files a command reads, where `-` means standard input: `validate -`, `-q -`,
//! `--clinic -` and `score --answers -`. Standard input can be read once, so a command line
//! that would read it twice is refused before anything is read ([`check_stdin_once`]).

use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostics::{LoadError, display_name, read_bounded, read_limited};
use crate::questionnaire::Questionnaire;

/// The name diagnostics give standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether `path` is `-`, standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The name messages give `path`.
pub fn name_of(path: &Path) -> String {
    if is_stdin(path) {
        STDIN_NAME.to_string()
    } else {
        display_name(path)
    }
}

/// The bytes of `path` (standard input for `-`), at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    if is_stdin(path) {
        read_bounded(io::stdin().lock(), STDIN_NAME, limit)
    } else {
        read_limited(path, limit)
    }
}

/// Reads and checks a questionnaire file, or standard input for `-`.
pub fn questionnaire(path: &Path) -> Result<Questionnaire, LoadError> {
    let bytes = read(path, crate::loader::MAX_FILE_BYTES)?;
    crate::loader::load_str(&name_of(path), &bytes)
}

/// A clinic file to apply, maybe to several questionnaires: standard input is read once, when
/// it is opened; a file each time it is applied (as every questionnaire is checked against it).
pub enum Clinic {
    File(PathBuf),
    Stdin(Vec<u8>),
}

impl Clinic {
    /// The clinic file at `path`; reads standard input now for `-`.
    pub fn open(path: &Path) -> Result<Self, LoadError> {
        if is_stdin(path) {
            Ok(Clinic::Stdin(read(path, crate::clinic::MAX_FILE_BYTES)?))
        } else {
            Ok(Clinic::File(path.to_path_buf()))
        }
    }

    /// `q` running under this clinic file.
    pub fn apply(&self, q: &Questionnaire) -> Result<Questionnaire, LoadError> {
        match self {
            Clinic::File(path) => crate::clinic::load_path(path, q),
            Clinic::Stdin(bytes) => crate::clinic::load_str(STDIN_NAME, bytes, q),
        }
    }
}

/// Refuses a command line that reads standard input more than once. `uses` names each reader
/// (`-q -`, `--answers -`, …) that would read it.
pub fn check_stdin_once(uses: &[&str]) -> Result<(), String> {
    match uses {
        [] | [_] => Ok(()),
        [first, rest @ ..] => Err(format!(
            "standard input can be read only once, and {first} and {} would both read it; \
             give all but one of them a file",
            rest.join(" and ")
        )),
    }
}
