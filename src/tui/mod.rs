//! The full-screen screening TUI.
//!
//! This module owns the terminal: setting it up, the run loop, and putting it back on every way
//! out (normal end, `q`, Ctrl-C, a panic, SIGTERM, SIGHUP, SIGINT). The rest is pure and
//! testable without a terminal: [`app`] holds the state and its [`app::update`], [`keys`] is
//! the key table (which also writes the hint bar and the help), [`view`] draws.
//!
//! The terminal is asked for mouse button and wheel reports (not motion) so that the wheel
//! scrolls; they are switched off with the rest on every way out.
//!
//! The UI is drawn on the controlling terminal (`/dev/tty`, or stderr when there is none), so
//! stdout carries only the advice: with stdout redirected the screen still shows and the file
//! gets only the advice text (the same text as `score --format text`). The advice is printed
//! after the terminal is restored, so it stays in the scrollback.
//!
//! In front-desk mode nothing of a patient may stay in the terminal once staff move on: each
//! patient's advice goes to the saved files (`--save-dir`) and to stdout only when stdout is
//! not the terminal (a file or a pipe), as staff move on to the next patient. The screens live
//! on the alternate screen, which keeps no scrollback.

pub mod app;
pub mod edit;
pub mod keys;
pub mod view;

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Once, OnceLock};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{self, Event, MouseEventKind};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};
use ratatui::layout::Rect;

use crate::formats::Format;
use crate::frontend::RunOptions;
use crate::output;
use crate::questionnaire::Questionnaire;
use crate::records;

use crate::screening::Screening;

use app::{App, Effect, Msg, update};

/// How long to wait for a key before looking whether a signal arrived. Input still blocks
/// (no busy loop); this only bounds how late SIGTERM/SIGHUP are noticed.
const SIGNAL_CHECK: Duration = Duration::from_millis(500);

/// No key for this long ends an option number being typed ([`Msg::Pause`]). Counted in waits
/// of [`SIGNAL_CHECK`] that passed without an event.
const DIGIT_PAUSE: Duration = Duration::from_secs(1);

/// Where events come from: the terminal, or a script in tests.
pub trait EventSource {
    /// The next event, or `None` when `timeout` passed without one.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// Events of the real terminal.
///
/// The waiting is done here, with poll(2) on the terminal input and on a pipe that SIGWINCH
/// writes to, rather than in crossterm: once the terminal is gone (a window closed or a
/// connection dropped without SIGHUP reaching us), crossterm's reader retries end-of-file
/// forever at full CPU. poll(2) reports the hang-up, and crossterm is asked for an event only
/// when there is input (or a resize) to read.
pub struct TerminalEvents {
    winch: std::os::unix::net::UnixStream,
    winch_id: signal_hook::SigId,
    /// Set once the terminal has hung up.
    pub closed: bool,
}

impl TerminalEvents {
    pub fn new() -> io::Result<Self> {
        let (read, write) = std::os::unix::net::UnixStream::pair()?;
        read.set_nonblocking(true)?;
        let winch_id =
            signal_hook::low_level::pipe::register(signal_hook::consts::SIGWINCH, write)?;
        Ok(TerminalEvents {
            winch: read,
            winch_id,
            closed: false,
        })
    }

    /// Waits up to `timeout` for input or a resize; errors when the terminal hung up.
    fn wait(&mut self, timeout: Duration) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let mut fds = [
            libc::pollfd {
                fd: libc::STDIN_FILENO,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: self.winch.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: `fds` is a valid array of two pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            // A signal (SIGTERM, SIGHUP…) woke us: the loop looks at its flag next.
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(())
            } else {
                Err(e)
            };
        }
        if fds[0].revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            self.closed = true;
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the terminal was closed",
            ));
        }
        if fds[1].revents & libc::POLLIN != 0 {
            let mut buf = [0u8; 64];
            while io::Read::read(&mut self.winch, &mut buf).is_ok_and(|n| n > 0) {}
        }
        Ok(())
    }
}

impl Drop for TerminalEvents {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.winch_id);
    }
}

impl EventSource for TerminalEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        // Never call into crossterm on a terminal that has hung up (see the type's docs).
        self.wait(Duration::ZERO)?;
        if !event::poll(Duration::ZERO)? {
            self.wait(timeout)?;
            if !event::poll(Duration::ZERO)? {
                return Ok(None);
            }
        }
        event::read().map(Some)
    }
}

/// A fixed list of events (tests); runs out with an error so a test cannot hang.
impl EventSource for std::collections::VecDeque<Event> {
    fn next(&mut self, _timeout: Duration) -> io::Result<Option<Event>> {
        self.pop_front()
            .map(Some)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "no more scripted events"))
    }
}

/// What the run loop does with the effects that leave the app: saving a record and printing
/// a finished patient's advice.
pub trait Effects<'q> {
    /// Saves `screening` in `dir`; the error in words when it failed.
    fn save(&mut self, screening: &Screening<'q>, dir: &Path) -> Result<records::Saved, String>;
    /// Prints a finished patient's advice; returns whether the screen must be redrawn.
    fn finished(&mut self, screening: &Screening<'q>) -> io::Result<bool>;
}

/// Runs the app until it ends: draws when something changed, feeds events to
/// [`app::update`], carries out effects with `effects` (a save is answered with
/// [`Msg::Saved`]). `interrupted` is checked between events.
pub fn event_loop<'q, B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App<'q>,
    events: &mut dyn EventSource,
    interrupted: &dyn Fn() -> bool,
    effects: &mut dyn Effects<'q>,
) -> io::Result<()>
where
    B::Error: 'static,
{
    let mut dirty = true;
    // How long no event came (in whole waits).
    let mut quiet = Duration::ZERO;
    loop {
        if interrupted() {
            update(app, Msg::Interrupt);
            return Ok(());
        }
        if dirty {
            terminal
                .draw(|f| view::view(app, f))
                .map_err(backend_error)?;
            dirty = false;
        }
        let Some(ev) = events.next(SIGNAL_CHECK)? else {
            quiet += SIGNAL_CHECK;
            if quiet >= DIGIT_PAUSE && app.pending_digits().is_some() {
                update(app, Msg::Pause);
                dirty = true;
            }
            continue;
        };
        quiet = Duration::ZERO;
        let msg = match ev {
            Event::Key(k) => Msg::Key(k),
            Event::Resize(w, h) => Msg::Resize(w, h),
            Event::Mouse(m)
                if matches!(
                    m.kind,
                    MouseEventKind::ScrollUp | MouseEventKind::ScrollDown
                ) =>
            {
                Msg::Mouse(m)
            }
            _ => continue,
        };
        dirty = true;
        let mut effect = update(app, msg);
        loop {
            match effect {
                Effect::None => break,
                Effect::Exit => return Ok(()),
                Effect::Save(screening, dir) => {
                    let result = effects.save(&screening, &dir);
                    effect = update(app, Msg::Saved(result));
                }
                Effect::Finished(done) => {
                    if effects.finished(&done)? {
                        redraw_all(terminal)?;
                    }
                    break;
                }
            }
        }
        // For a second signal, handled without the app (see `Signals`).
        crate::frontend::set_moment(app.moment(), app.lost());
    }
}

/// An error of the backend as an I/O error, keeping the OS error code when there is one (so
/// that a write to a terminal that hung up is recognised as such).
fn backend_error<E: std::error::Error + 'static>(e: E) -> io::Error {
    let first: &(dyn std::error::Error + 'static) = &e;
    let code = std::iter::successors(Some(first), |e| e.source())
        .find_map(|e| e.downcast_ref::<io::Error>()?.raw_os_error());
    match code {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::other(e.to_string()),
    }
}

/// Clears the screen so that the next draw paints everything.
fn redraw_all<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: 'static,
{
    // `Terminal::clear` would ask the terminal where the cursor is and wait for the answer; a
    // resize to the same size clears without asking.
    let size = terminal.size().map_err(backend_error)?;
    terminal
        .resize(Rect::new(0, 0, size.width, size.height))
        .map_err(backend_error)
}

/// The terminal the UI is drawn on: `/dev/tty`, or stderr when that is a terminal. `None`
/// when there is neither (the terminal is gone): terminal sequences are then written nowhere,
/// never into a file that stderr was redirected to.
fn ui_writer() -> Option<Box<dyn Write + Send>> {
    match OpenOptions::new().write(true).open("/dev/tty") {
        Ok(f) => Some(Box::new(f)),
        Err(_) if output::stderr_is_terminal() => Some(Box::new(output::raw_stderr_for_drawing())),
        Err(_) => None,
    }
}

fn no_terminal() -> io::Error {
    io::Error::other("no terminal to draw on (neither /dev/tty nor stderr); try --plain")
}

/// Asks the terminal to report mouse buttons and the wheel (xterm mode 1000, SGR encoding
/// 1006) — not motion, so moving the mouse sends nothing. Text is then selected with Shift
/// held while dragging (see the README).
const WHEEL_ON: &str = "\x1b[?1000h\x1b[?1006h";
/// Switches the mouse reports of [`WHEEL_ON`] off again.
const WHEEL_OFF: &str = "\x1b[?1006l\x1b[?1000l";

/// The mouse reports the wheel needs, as a command for crossterm.
struct MouseReports(bool);

impl ratatui::crossterm::Command for MouseReports {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        f.write_str(if self.0 { WHEEL_ON } else { WHEEL_OFF })
    }
}

/// Puts the terminal back: raw mode off, no mouse reports, main screen, cursor shown. Never
/// fails (it runs in the panic hook and on the way out, where there is nothing left to do about
/// an error).
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    if let Some(mut out) = ui_writer() {
        let _ = execute!(out, MouseReports(false), LeaveAlternateScreen, cursor::Show);
        let _ = out.flush();
    }
}

/// What a signal handler needs to put the terminal back on its own: the terminal settings
/// from before raw mode, and a descriptor of the terminal the UI is drawn on (-1: none).
static SAVED_TERMIOS: OnceLock<libc::termios> = OnceLock::new();
static UI_FD: AtomicI32 = AtomicI32::new(-1);

/// Cancels a sequence the interrupted drawing may have left half written (CAN), then resets
/// the style, switches the mouse reports off ([`WHEEL_OFF`]), leaves the alternate screen and
/// shows the cursor.
const RESTORE_SEQUENCE: &[u8] = b"\x18\x1b[0m\x1b[?1006l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// Remembers the terminal settings and opens a descriptor for [`restore_from_signal`]; called
/// before raw mode is switched on.
fn prepare_signal_restore() {
    // SAFETY: tcgetattr writes a termios through a valid pointer; stdin is the terminal the
    // TUI reads (it only runs when stdin is one).
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } == 0 {
        let _ = SAVED_TERMIOS.set(t);
    }
    let fd = match OpenOptions::new().write(true).open("/dev/tty") {
        Ok(f) => std::os::fd::IntoRawFd::into_raw_fd(f),
        Err(_) if output::stderr_is_terminal() => libc::STDERR_FILENO,
        Err(_) => -1,
    };
    let old = UI_FD.swap(fd, Ordering::SeqCst);
    if old > libc::STDERR_FILENO {
        // SAFETY: a descriptor this function opened on an earlier run and nobody else uses.
        unsafe { libc::close(old) };
    }
}

/// Puts the terminal back and ends the process, from inside a signal handler: only
/// async-signal-safe calls (atomic loads, tcsetattr, write, _exit). What it says and its exit
/// status are the engine's decision for where the run is ([`crate::frontend::signal_end`]).
fn restore_from_signal() -> ! {
    // SAFETY: each call gets valid pointers and lengths; a failed call (the terminal is gone)
    // changes nothing, and there is nothing left to do about it.
    unsafe {
        if let Some(t) = SAVED_TERMIOS.get() {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t);
        }
        let fd = UI_FD.load(Ordering::SeqCst);
        if fd >= 0 {
            libc::write(fd, RESTORE_SEQUENCE.as_ptr().cast(), RESTORE_SEQUENCE.len());
        }
        let (end, lost_before) = crate::frontend::signal_end();
        crate::frontend::say_signal_end(&end, lost_before);
        libc::_exit(i32::from(end.exit_status))
    }
}

fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
    });
}

/// SIGTERM, SIGHUP and SIGINT set a flag that the loop checks, which then restores the
/// terminal and ends with status 130. A second one while the first is being handled (or the
/// program is stuck) puts the terminal back from the handler itself and ends the process at
/// once, also with 130 (1 when a record was given up, see [`crate::frontend::signal_end`]): the
/// terminal is never left raw or in the alternate screen.
struct Signals {
    flag: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    fn install() -> io::Result<Self> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let flag = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            let flag = Arc::clone(&flag);
            let handler = move || {
                if flag.swap(true, Ordering::SeqCst) {
                    restore_from_signal();
                }
            };
            // SAFETY: the handler only swaps an atomic and, on a second signal, calls
            // `restore_from_signal`, which is async-signal-safe.
            ids.push(unsafe { signal_hook::low_level::register(sig, handler) }?);
        }
        Ok(Signals { flag, ids })
    }

    fn fired(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

impl Drop for Signals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// Restores the terminal when dropped, so an early `?` cannot leave it raw.
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Saves a screening's record in each of `formats` ([`crate::frontend::save_record`]: the
/// engine's save, with the signals held back until it finished or rolled back), its error in
/// words.
pub fn save(
    screening: &Screening,
    dir: &Path,
    formats: &[Format],
) -> Result<records::Saved, String> {
    crate::frontend::save_record(dir, screening, formats).map_err(|e| e.to_string())
}

/// Separates the advice of consecutive patients on stdout.
pub const PATIENT_SEPARATOR: &str =
    "\n==============================================================================\n\n";

/// Runs the TUI; returns the process exit status.
pub fn run(q: &Questionnaire, opts: &RunOptions) -> io::Result<u8> {
    // The hook goes in before raw mode, so a panic at any point below restores the terminal.
    install_panic_hook();
    prepare_signal_restore();
    let signals = Signals::install()?;
    let stdout_is_tty = output::stdout_is_terminal();

    let mut ui = ui_writer().ok_or_else(no_terminal)?;
    enable_raw_mode()?;
    let guard = Guard;
    execute!(ui, EnterAlternateScreen, MouseReports(true))?;
    let mut terminal = Terminal::new(CrosstermBackend::new(ui))?;
    // crossterm installs its SIGWINCH handler on the first poll: do it before the first size
    // query so that a resize right at start-up is not lost.
    event::poll(Duration::ZERO)?;
    let size = terminal.size()?;
    let mut app = App::new(q, opts, (size.width, size.height));
    // Front desk on a terminal: the advice is never printed where the next patient can see it.
    let print_advice = !(opts.staff && stdout_is_tty);
    app.set_advice_kept(opts.save_dir.is_some(), print_advice);
    crate::frontend::set_moment(app.moment(), app.lost());

    let mut out = Output {
        printed: 0,
        print_advice,
        formats: opts.save_formats.clone(),
    };
    let mut events = TerminalEvents::new()?;
    let looped = event_loop(
        &mut terminal,
        &mut app,
        &mut events,
        &|| signals.fired(),
        &mut out,
    );
    drop(terminal);
    drop(guard);
    drop(signals);
    // A terminal can vanish while a frame is being written: the write fails (EIO) before
    // poll(2) has seen the hang-up. That is the same event as a hang-up, not an I/O error.
    if events.closed || looped.as_ref().is_err_and(hung_up) {
        // Nobody is left to read the advice; end as interrupted (a record waiting after a
        // failed save is given up, and said so).
        update(&mut app, Msg::Interrupt);
        note("needlecheck: the terminal was closed.");
        for line in app.end_notes() {
            note(&line);
        }
        return Ok(app.exit_status());
    }
    looped?;

    // The terminal is back to normal: the advice goes to stdout and stays in the scrollback
    // (in front-desk mode on a terminal, only to the saved files).
    if let Some(text) = app.take_final().and_then(|done| out.text(&done)) {
        write_stdout(&text)?;
    }
    for line in app.end_notes() {
        note(&line);
    }
    Ok(app.exit_status())
}

/// Whether an error of the run loop means that the terminal is gone: a write or read on it
/// failed with EIO, or its input reports a hang-up.
fn hung_up(e: &io::Error) -> bool {
    if e.raw_os_error() == Some(libc::EIO) {
        return true;
    }
    let mut fd = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd for the duration of the call; a zero timeout never blocks.
    let n = unsafe { libc::poll(&mut fd, 1, 0) };
    n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// The run's effects on the real terminal: saving, and printing each patient's advice.
struct Output {
    /// Patients whose advice went to stdout so far.
    printed: usize,
    /// Whether advice goes to stdout at all (not in front-desk mode on a terminal, where the
    /// next patient could read it).
    print_advice: bool,
    /// What each screening is saved as.
    formats: Vec<Format>,
}

impl Output {
    /// The text to print for a screening (after a separator from the previous patient's).
    fn text(&mut self, done: &Screening) -> Option<String> {
        if !self.print_advice {
            return None;
        }
        let advice = done.advice()?;
        let mut text = String::new();
        if self.printed > 0 {
            text.push_str(PATIENT_SEPARATOR);
        }
        text.push_str(&advice);
        self.printed += 1;
        Some(text)
    }
}

impl<'q> Effects<'q> for Output {
    fn save(&mut self, screening: &Screening<'q>, dir: &Path) -> Result<records::Saved, String> {
        save(screening, dir, &self.formats)
    }

    fn finished(&mut self, done: &Screening<'q>) -> io::Result<bool> {
        // Only front-desk mode hands patients over here, and there stdout is not the terminal
        // whenever anything is printed.
        if let Some(text) = self.text(done) {
            write_stdout(&text)?;
        }
        Ok(false)
    }
}

/// A line on stderr that may be gone with the terminal: unlike `eprintln!`, never panics.
fn note(line: &str) {
    output::note(line);
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = output::stdout();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        // A closed pipe (`| head`) is not the screening's problem.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
