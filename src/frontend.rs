//! What the interactive front ends (full-screen TUI and plain line mode) share: their options,
//! their exit statuses, saving a record, and what a signal does to the run.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use crate::formats::Format;
use crate::records::{self, Saved};
use crate::screening::{Moment, Screening, SignalEnd};

/// Options of an interactive screening run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Front-desk mode: staff wording, handover summary, several patients in a row.
    pub staff: bool,
    /// Patient identifier shown on the result and in the record.
    pub subject: Option<String>,
    /// Directory where each screening's record and handover are saved (files created 0600,
    /// never overwritten). Nothing is written when `None`.
    pub save_dir: Option<PathBuf>,
    /// What each screening is saved as in `save_dir` (`--save-format`): one file per format,
    /// each once; by default [`Format::SAVED`].
    pub save_formats: Vec<Format>,
    /// Whether colours may be used (false under `NO_COLOR`).
    pub color: bool,
}

impl Default for RunOptions {
    /// A screening in the person's wording, no patient ID, nothing saved, no colours.
    fn default() -> Self {
        RunOptions {
            staff: false,
            subject: None,
            save_dir: None,
            save_formats: Format::SAVED.to_vec(),
            color: false,
        }
    }
}

/// Exit status when the screening ended normally ([`crate::screening::exit::OK`]).
pub const EXIT_OK: u8 = crate::screening::exit::OK;
/// Exit status when the screening was abandoned before the end
/// ([`crate::screening::exit::ABANDONED`]).
pub const EXIT_ABANDONED: u8 = crate::screening::exit::ABANDONED;
/// Exit status when interrupted ([`crate::screening::exit::INTERRUPTED`]).
pub const EXIT_INTERRUPTED: u8 = crate::screening::exit::INTERRUPTED;

/// Where the run is and how many records it gave up, for a signal handler: it cannot ask the
/// front end, so each front end keeps these up to date ([`set_moment`]).
static MOMENT: AtomicU8 = AtomicU8::new(0);
static LOST: AtomicUsize = AtomicUsize::new(0);

/// Tells a later signal where the run is and how many records it has given up so far.
pub fn set_moment(moment: Moment, lost: usize) {
    LOST.store(lost, Ordering::SeqCst);
    MOMENT.store(moment.as_u8(), Ordering::SeqCst);
}

/// What a signal means now ([`crate::screening::on_interrupt`] of the moment last set); also
/// the number of records given up before. Async-signal-safe: two atomic loads.
pub fn signal_end() -> (SignalEnd, usize) {
    let lost = LOST.load(Ordering::SeqCst);
    let moment = Moment::from_u8(MOMENT.load(Ordering::SeqCst));
    (crate::screening::on_interrupt(moment, lost), lost)
}

/// Writes the notice of a signal ending the run on stderr, from inside a signal handler: only
/// write(2), on constant text.
pub fn say_signal_end(end: &SignalEnd, lost_before: usize) {
    let say = |bytes: &[u8]| {
        // SAFETY: writes a constant buffer to stderr; a failed write is ignored.
        unsafe { libc::write(libc::STDERR_FILENO, bytes.as_ptr().cast(), bytes.len()) };
    };
    say(end.notice.as_bytes());
    say(b"\n");
    if lost_before > 0 {
        say(crate::screening::EARLIER_LOST_NOTICE.as_bytes());
        say(b"\n");
    }
}

/// Saves a screening's record with SIGINT, SIGTERM and SIGHUP held back until the save has
/// finished or rolled back: a signal never leaves a temporary file or half a pair behind. When
/// the save fails, the moment becomes [`Moment::SaveWaiting`] before the signals are let
/// through, so a signal held back meanwhile gives the record up out loud; when it succeeds,
/// [`Moment::Between`].
///
/// The signals are held back for the calling thread (`pthread_sigmask`); the front ends run
/// their screenings on one thread.
pub fn save_record(dir: &Path, screening: &Screening, formats: &[Format]) -> io::Result<Saved> {
    save_record_with(dir, screening, formats, &mut |f, bytes| f.write_all(bytes))
}

/// [`save_record`] with the bytes written by `write` (as [`records::save_with`]; tests use it
/// to raise a signal, or fail like a full disk, in the middle of a save).
pub fn save_record_with(
    dir: &Path,
    screening: &Screening,
    formats: &[Format],
    write: records::Writer,
) -> io::Result<Saved> {
    let held = HeldSignals::hold();
    let result = records::save_with(dir, screening, formats, write);
    let moment = match result {
        Ok(_) => Moment::Between,
        Err(_) => Moment::SaveWaiting,
    };
    set_moment(moment, LOST.load(Ordering::SeqCst));
    drop(held);
    result
}

/// SIGINT, SIGTERM and SIGHUP blocked for this thread while it lives; the mask before is put
/// back when dropped, and a signal that arrived meanwhile is delivered then.
pub struct HeldSignals {
    previous: libc::sigset_t,
}

impl HeldSignals {
    /// Blocks the three signals for the calling thread.
    pub fn hold() -> Self {
        // SAFETY: sigset_t values are initialised by sigemptyset before use, and every pointer
        // passed is to a live local.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::sigaddset(&mut set, sig);
            }
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut previous);
            HeldSignals { previous }
        }
    }
}

impl Drop for HeldSignals {
    fn drop(&mut self) {
        // SAFETY: puts back the mask saved by `hold`, through a pointer to a live field.
        unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut()) };
    }
}

/// The confirmation of a save, in both front ends, without the patient ID that the file names
/// hold (at the front desk nothing of a patient may stay in the terminal): `what` is "the
/// previous record" in "Saved the previous record as number 7 in /srv/screenings."
pub fn saved_line(saved: &Saved, what: &str) -> String {
    let folder = saved
        .files
        .first()
        .and_then(|f| f.parent())
        .map(|d| format!(" in {}", d.display()))
        .unwrap_or_default();
    format!("Saved {what} as number {}{folder}.", saved.sequence)
}
