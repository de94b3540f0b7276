//! End to end in a pseudo-terminal: the real binary, real keys, the screen as a terminal
//! emulator shows it, and what is left behind when it exits (the advice on stdout, a terminal
//! back to normal, the exit status).
//!
//! Every wait polls the emulated screen until it shows what is expected (no fixed sleeps), and
//! the output is drained all the way to the end so the program never blocks on a full pty.

use std::io::ErrorKind;
use std::num::NonZeroU16;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::unix::{Signal, WaitStatus};
use expectrl::session::OsSession;
use expectrl::{Expect, Session};

const FIXTURE: &str = "tests/fixtures/mini.json";
const TIMEOUT: Duration = Duration::from_secs(10);

/// The program running in a pty, with an emulated screen and every byte it wrote.
struct Pty {
    session: OsSession,
    screen: vt100::Parser,
    bytes: Vec<u8>,
    eof: bool,
}

fn nz(n: u16) -> NonZeroU16 {
    NonZeroU16::new(n).expect("non-zero size")
}

impl Pty {
    fn spawn(mut cmd: Command) -> Pty {
        cmd.env("TERM", "xterm-256color").env("NO_COLOR", "1");
        let mut session = Session::spawn(cmd).expect("spawn on a pty");
        session
            .get_process_mut()
            .set_window_size(80, 24)
            .expect("window size");
        Pty {
            session,
            screen: vt100::Parser::new(nz(24), nz(80), 0),
            bytes: Vec::new(),
            eof: false,
        }
    }

    fn needlecheck(args: &[&str]) -> Pty {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
        cmd.arg("--questionnaire").arg(FIXTURE).args(args);
        Pty::spawn(cmd)
    }

    /// Reads what is there; false when nothing was.
    fn pump(&mut self) -> bool {
        let mut buf = [0u8; 8192];
        match self.session.try_read(&mut buf) {
            Ok(0) => {
                self.eof = true;
                false
            }
            Ok(n) => {
                self.screen.process(&buf[..n]);
                self.bytes.extend_from_slice(&buf[..n]);
                true
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => false,
            // Linux reports EIO on the master once the child has gone.
            Err(_) => {
                self.eof = true;
                false
            }
        }
    }

    fn contents(&self) -> String {
        self.screen.screen().contents()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&mut self, text: &str) {
        let deadline = Instant::now() + TIMEOUT;
        while !self.contents().contains(text) {
            assert!(
                !self.eof && Instant::now() < deadline,
                "waited for {text:?}; screen:\n{}",
                self.contents()
            );
            if !self.pump() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    /// Waits until a screen predicate holds.
    fn wait_until(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !pred(self.screen.screen()) {
            assert!(
                !self.eof && Instant::now() < deadline,
                "waited for {what}; screen:\n{}",
                self.contents()
            );
            if !self.pump() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
    }

    fn send(&mut self, keys: &str) {
        self.session.send(keys).expect("send keys");
    }

    /// Reads to the end and returns the exit status.
    fn finish(&mut self) -> WaitStatus {
        let deadline = Instant::now() + TIMEOUT;
        while !self.eof {
            assert!(Instant::now() < deadline, "the program did not end");
            if !self.pump() {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        self.session.get_process().wait().expect("wait")
    }

    fn exit_code(&mut self) -> i32 {
        match self.finish() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("the program did not exit normally: {other:?}"),
        }
    }

    /// Everything written after the alternate screen was left for the last time, with the
    /// terminal's CR LF turned back into LF.
    fn after_ui(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        let tail = text.rsplit("\x1b[?1049l").next().unwrap_or("");
        let tail = tail.strip_prefix("\x1b[?25h").unwrap_or(tail);
        tail.replace("\r\n", "\n")
    }

    /// Everything written on the normal screen (outside the alternate screen), CR LF as LF.
    fn outside_ui(&self) -> String {
        let text = String::from_utf8_lossy(&self.bytes);
        let mut out = String::new();
        for (i, part) in text.split("\x1b[?1049l").enumerate() {
            if i == 0 {
                continue;
            }
            let part = part.split("\x1b[?1049h").next().unwrap_or("");
            out.push_str(part.strip_prefix("\x1b[?25h").unwrap_or(part));
        }
        out.replace("\r\n", "\n")
    }

    fn left_ui_cleanly(&self) {
        let text = String::from_utf8_lossy(&self.bytes);
        let leave = text
            .rfind("\x1b[?1049l")
            .expect("left the alternate screen");
        let enter = text
            .rfind("\x1b[?1049h")
            .expect("entered the alternate screen");
        assert!(
            leave > enter,
            "the alternate screen is left after it was entered"
        );
        let show = text.rfind("\x1b[?25h").expect("cursor shown again");
        assert!(show > enter, "the cursor is shown again at the end");
        assert_eq!(
            self.screen.screen().mouse_protocol_mode(),
            vt100::MouseProtocolMode::None,
            "the mouse is given back to the terminal"
        );
    }
}

/// The advice `score --format text` gives for these answers.
fn expected_advice(answers: &str) -> String {
    let q = needlecheck::loader::load_path(Path::new(FIXTURE)).expect("fixture");
    let answers: serde_json::Value = serde_json::from_str(answers).expect("json");
    let mut a = needlecheck::Answers::new(q.questions().len());
    for (id, v) in answers.as_object().expect("object") {
        let i = q.question_index(id).expect("known question");
        let answer = needlecheck::answers::from_json(&q.questions()[i], v).expect("valid answer");
        a.set(i, Some(answer));
    }
    let outcome = needlecheck::score(&q, &a);
    needlecheck::report::render_text(
        &needlecheck::report::Summary::new(&q, &a, &outcome, false),
        &needlecheck::report::TextOptions::default(),
    )
}

fn answer_all_no(p: &mut Pty) {
    p.wait_for("Enter start");
    p.send("\r");
    p.wait_for("chest pain right now?");
    p.send("n");
    p.wait_for("How old are you?");
    p.send("40\r");
    p.wait_for("Are you pregnant, or could you be?");
    p.send("n");
    p.wait_for("Do you take a blood-thinning medicine?");
    p.send("n");
    p.wait_for("Anything else?");
    p.send("\r");
    p.wait_for("RESULT: You can book (clear)");
}

#[test]
fn all_no_reaches_the_result_and_prints_the_advice_after_exit() {
    let mut p = Pty::needlecheck(&[]);
    answer_all_no(&mut p);
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    p.left_ui_cleanly();
    let advice =
        expected_advice(r#"{"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}"#);
    assert_eq!(p.after_ui(), advice);
    // It stays on the normal screen, where the scrollback keeps it.
    assert!(!p.screen.screen().alternate_screen());
    assert!(p.contents().contains("RESULT: You can book (clear)"));
}

/// The wheel scrolls a long page (the terminal reports buttons and the wheel, not motion, in
/// SGR encoding); at the end the mouse is the terminal's again (checked by `left_ui_cleanly`).
#[test]
fn the_mouse_wheel_scrolls_a_long_page() {
    let mut p = Pty::needlecheck(&[]);
    p.wait_for("Enter start");
    let screen = p.screen.screen();
    assert_eq!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::PressRelease
    );
    assert_eq!(
        screen.mouse_protocol_encoding(),
        vt100::MouseProtocolEncoding::Sgr
    );
    // The welcome page is longer than a 40×12 window.
    p.session
        .get_process_mut()
        .set_window_size(40, 12)
        .expect("resize");
    p.screen.set_size(nz(12), nz(40));
    p.wait_for("↓ more");
    // Wheel down at column 10, row 5 (SGR: button 65).
    p.send("\x1b[<65;10;5M");
    p.wait_for("↑ more");
    p.send("\x03");
    assert_eq!(p.exit_code(), 130);
    p.left_ui_cleanly();
}

#[test]
fn an_emergency_answer_interrupts_at_once() {
    let mut p = Pty::needlecheck(&[]);
    p.wait_for("Enter start");
    p.send("\r");
    p.wait_for("chest pain right now?");
    p.send("y");
    p.wait_for("CALL 000 NOW");
    p.wait_for("Chest pain now can be a heart attack.");
    // Finish with the emergency result: that advice is what is printed.
    p.send("\r");
    p.wait_for("RESULT: Call 000 now (emergency)");
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    assert!(
        p.after_ui()
            .starts_with("RESULT: Call 000 now (emergency)\n")
    );
}

#[test]
fn ctrl_c_restores_the_terminal_and_exits_130() {
    let mut p = Pty::needlecheck(&[]);
    p.wait_for("Enter start");
    p.send("\r");
    p.wait_for("chest pain right now?");
    p.send("n");
    p.wait_for("How old are you?");
    p.send("\x03");
    assert_eq!(p.exit_code(), 130);
    p.left_ui_cleanly();
    let after = p.after_ui();
    assert!(
        !after.contains("RESULT"),
        "no advice after an interrupt: {after:?}"
    );
    assert!(after.contains("interrupted"), "{after:?}");
}

fn signal_restores_and_exits_130(signal: Signal) {
    let mut p = Pty::needlecheck(&[]);
    p.wait_for("Enter start");
    p.send("\r");
    p.wait_for("chest pain right now?");
    p.session.get_process_mut().kill(signal).expect("signal");
    assert_eq!(p.exit_code(), 130, "after {signal:?}");
    p.left_ui_cleanly();
    assert!(!p.after_ui().contains("RESULT"));
}

#[test]
fn sigterm_restores_the_terminal_and_exits_130() {
    signal_restores_and_exits_130(Signal::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal_and_exits_130() {
    signal_restores_and_exits_130(Signal::SIGHUP);
}

#[test]
fn with_stdout_redirected_the_screen_shows_and_the_file_gets_only_the_advice() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("advice.txt");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec \"$0\" --questionnaire \"$1\" > \"$2\"")
        .arg(env!("CARGO_BIN_EXE_needlecheck"))
        .arg(FIXTURE)
        .arg(&out);
    let mut p = Pty::spawn(cmd);
    answer_all_no(&mut p);
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    let file = std::fs::read_to_string(&out).expect("advice file");
    let advice =
        expected_advice(r#"{"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}"#);
    assert_eq!(file, advice);
    assert!(
        !p.after_ui().contains("RESULT"),
        "the advice went to the file only"
    );
}

#[test]
fn resizing_redraws_and_a_tiny_window_asks_to_enlarge() {
    let mut p = Pty::needlecheck(&[]);
    p.wait_for("Enter start");
    p.session
        .get_process_mut()
        .set_window_size(40, 12)
        .expect("resize");
    p.screen.set_size(nz(12), nz(40));
    p.wait_until("a 40-column frame", |s| {
        let rows: Vec<String> = s.rows(0, 40).collect();
        rows[0].starts_with('┌') && rows[0].ends_with('┐') && rows[11].starts_with("Enter start")
    });
    p.session
        .get_process_mut()
        .set_window_size(30, 10)
        .expect("resize");
    p.screen.set_size(nz(10), nz(30));
    p.wait_for("Please enlarge the window");
    p.send("\x03");
    assert_eq!(p.exit_code(), 130);
}

#[test]
fn front_desk_on_a_terminal_leaves_nothing_of_a_patient_in_the_scrollback() {
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().to_str().expect("utf-8 temp path");
    let mut p = Pty::needlecheck(&["--staff", "--subject", "P-1", "--save-dir", save]);
    p.wait_for("stays in this terminal.");
    answer_all_no(&mut p);
    p.send("n");
    p.wait_for("Start the next patient?");
    p.send("\r");
    p.wait_for("Patients finished so far: 1");
    // The frame's bottom border is drawn after every row above it.
    p.wait_for("Front desk · no patient ID");
    assert!(
        !p.contents().contains("P-1"),
        "the previous patient is gone from the screen:\n{}",
        p.contents()
    );
    p.send("P-2");
    answer_all_no(&mut p);
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    // Nothing was written to the normal screen (whose lines go to the scrollback). The save
    // folder's random name is taken out first: it can hold "40" by chance.
    let printed = p.outside_ui().replace(save, "<save dir>");
    for gone in ["P-1", "P-2", "RESULT", "HANDOVER", "40"] {
        assert!(
            !printed.contains(gone),
            "{gone:?} left in the terminal: {printed:?}"
        );
    }
    // The advice is in the saved files instead.
    let mut saved = String::new();
    for entry in std::fs::read_dir(dir.path()).expect("save dir") {
        saved.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("read"));
    }
    assert_eq!(
        saved.matches("HANDOVER FOR THE PRACTITIONER").count(),
        2,
        "{saved}"
    );
}

#[test]
fn front_desk_with_stdout_redirected_writes_each_patient_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("advice.txt");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("exec \"$0\" --questionnaire \"$1\" --staff --subject P-1 > \"$2\"")
        .arg(env!("CARGO_BIN_EXE_needlecheck"))
        .arg(FIXTURE)
        .arg(&out);
    let mut p = Pty::spawn(cmd);
    answer_all_no(&mut p);
    p.send("n");
    p.wait_for("Start the next patient?");
    p.send("\r");
    p.wait_for("Patients finished so far: 1");
    p.send("P-2");
    answer_all_no(&mut p);
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    let printed = std::fs::read_to_string(&out).expect("advice file");
    let first = printed
        .find("Patient: P-1\nRESULT: You can book (clear)")
        .expect("first patient");
    let second = printed
        .find("Patient: P-2\nRESULT: You can book (clear)")
        .expect("second patient");
    assert!(first < second);
    assert!(
        printed[first..second].contains("\n=========="),
        "separated: {printed}"
    );
    assert_eq!(printed.matches("HANDOVER FOR THE PRACTITIONER").count(), 2);
    assert!(!p.outside_ui().contains("P-1"), "nothing on the terminal");
}

#[test]
fn save_dir_gets_a_record_of_each_screening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let save = dir.path().to_str().expect("utf-8 temp path");
    let mut p = Pty::needlecheck(&["--save-dir", save, "--subject", "S-9"]);
    answer_all_no(&mut p);
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    let records: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(records.len(), 1, "{records:?}");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[0]).expect("read")).expect("json");
    assert_eq!(record["mode"], "tui");
    assert_eq!(record["status"], "completed");
    assert_eq!(record["subject"], "S-9");
    assert_eq!(record["outcome"], "clear");
    assert_eq!(record["answers"]["age"], 40.0);
}

/// A terminal can disappear without a SIGHUP reaching the program (a window closed while the
/// program is not the session leader). The run must then end — not spin at full CPU reading
/// end-of-file, as it did. The pty here is not the program's controlling terminal, so no
/// SIGHUP comes: only noticing the hang-up on its input can end it.
#[test]
fn a_terminal_that_disappears_without_sighup_ends_the_run() {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid out-pointers; a null name and termios are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // The child must not inherit the master, or closing ours would not close the terminal.
    for fd in [master, slave] {
        // SAFETY: fcntl on a descriptor openpty just opened.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: openpty returned two open descriptors that this test now owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    cmd.args(["--questionnaire", FIXTURE])
        .env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // A new session without a controlling terminal: closing the pty sends no SIGHUP.
    // SAFETY: setsid is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd);

    // Wait for the first screen, then close the terminal.
    let mut master = std::fs::File::from(master);
    let fd = std::os::fd::AsRawFd::as_raw_fd(&master);
    // SAFETY: fcntl on an open descriptor.
    unsafe { libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK) };
    let mut seen = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    // The hint bar is drawn last; its final word comes out in one piece.
    while !String::from_utf8_lossy(&seen).contains("quit") {
        assert!(
            Instant::now() < deadline,
            "no first screen: {}",
            String::from_utf8_lossy(&seen)
        );
        let mut buf = [0u8; 4096];
        match std::io::Read::read(&mut master, &mut buf) {
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("{e}"),
        }
    }
    drop(master);

    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running {TIMEOUT:?} after its terminal was closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.code(),
        Some(130),
        "ended by signal {:?}",
        status.signal()
    );
}

/// SIGTERM and SIGHUP at once (a closing window often sends both): the second arrives while
/// the first is being handled. It must still leave a restored terminal — main screen, cursor
/// shown, raw mode off — and exit 130. Both are made pending while the program is stopped, so
/// they always arrive together.
#[test]
fn a_second_signal_at_once_still_restores_the_terminal() {
    for (first, second) in [
        (Signal::SIGTERM, Signal::SIGHUP),
        (Signal::SIGHUP, Signal::SIGTERM),
    ] {
        let mut p = Pty::needlecheck(&[]);
        p.wait_for("Enter start");
        assert!(!line_mode(&p), "raw mode");
        let process = p.session.get_process_mut();
        for signal in [Signal::SIGSTOP, first, second, Signal::SIGCONT] {
            process.kill(signal).expect("signal");
        }
        assert_eq!(p.exit_code(), 130, "after {first:?} and {second:?}");
        p.left_ui_cleanly();
        assert!(!p.screen.screen().alternate_screen());
        assert!(
            line_mode(&p),
            "raw mode is off again after {first:?} and {second:?}"
        );
    }
}

/// Whether the terminal reads whole lines (ICANON), as it does outside raw mode.
fn line_mode(p: &Pty) -> bool {
    let master = p.session.get_process().get_raw_handle().expect("pty");
    // SAFETY: tcgetattr writes a termios through a valid pointer; the descriptor is open.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::tcgetattr(std::os::fd::AsRawFd::as_raw_fd(&master), &mut t) };
    assert_eq!(rc, 0, "tcgetattr");
    t.c_lflag & libc::ICANON != 0
}

/// Opens a pty whose slave becomes the controlling terminal of the command's new session;
/// returns the master (non-blocking) and the child.
fn spawn_on_own_pty(
    mut cmd: Command,
    stderr: std::process::Stdio,
) -> (std::fs::File, std::process::Child) {
    use std::os::fd::{FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;

    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: valid out-pointers; a null name and termios are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    for fd in [master, slave] {
        // SAFETY: fcntl on a descriptor openpty just opened.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: openpty returned two open descriptors that this test now owns.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    cmd.env("TERM", "xterm-256color")
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave))
        .stderr(stderr);
    // SAFETY: setsid and ioctl are async-signal-safe; stdin is the pty's slave.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            libc::ioctl(libc::STDIN_FILENO, libc::TIOCSCTTY, 0);
            Ok(())
        });
    }
    let child = cmd.spawn().expect("spawn");
    let master = std::fs::File::from(master);
    // SAFETY: fcntl on an open descriptor.
    unsafe {
        libc::fcntl(
            std::os::fd::AsRawFd::as_raw_fd(&master),
            libc::F_SETFL,
            libc::O_NONBLOCK,
        )
    };
    (master, child)
}

/// Reads the master until `text` has been written (the first screen).
fn read_until(master: &mut std::fs::File, text: &str) {
    let mut seen = Vec::new();
    let deadline = Instant::now() + TIMEOUT;
    while !String::from_utf8_lossy(&seen).contains(text) {
        assert!(
            Instant::now() < deadline,
            "waited for {text:?}: {}",
            String::from_utf8_lossy(&seen)
        );
        let mut buf = [0u8; 4096];
        match std::io::Read::read(master, &mut buf) {
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn wait_with_deadline(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running {TIMEOUT:?} after its terminal was closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The terminal hangs up (its window is closed) while stderr goes to a file: the note about
/// the interruption goes to the file, but none of the sequences that restore a terminal do —
/// there is no terminal left to restore, and the file is not one.
#[test]
fn a_closed_terminal_leaves_no_terminal_sequences_in_a_redirected_stderr() {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("stderr.txt");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    cmd.args(["--questionnaire", FIXTURE]);
    let file = std::fs::File::create(&log).expect("stderr file");
    let (mut master, mut child) = spawn_on_own_pty(cmd, file.into());
    read_until(&mut master, "quit");
    drop(master);
    let status = wait_with_deadline(&mut child);
    assert_eq!(status.code(), Some(130), "{status:?}");
    let written = std::fs::read_to_string(&log).expect("stderr file");
    assert!(
        written.contains("needlecheck:"),
        "the interruption is noted: {written:?}"
    );
    assert!(
        !written.contains('\x1b'),
        "no terminal sequences: {written:?}"
    );
}

/// The advice printed after the TUI ends passes the same escaping as every text output: the
/// bidi text of this questionnaire arrives as visible escapes, not as characters that reorder
/// the line.
#[test]
fn the_advice_after_the_tui_shows_bidi_text_escaped() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    cmd.args(["--questionnaire", "tests/fixtures/escapes.json"]);
    let mut p = Pty::spawn(cmd);
    p.wait_for("Enter start");
    p.send("\r");
    p.wait_for("(optional)");
    p.send("x\r");
    p.wait_for("Pain");
    p.send("y");
    p.wait_for("Neck");
    p.send("1\r");
    p.wait_for("RESULT");
    p.send("q");
    assert_eq!(p.exit_code(), 0);
    let after = p.after_ui();
    assert!(
        after.starts_with("RESULT: Review \\u{202e}weiver (review)\n"),
        "{after:?}"
    );
    assert!(
        !after.contains(['\u{202e}', '\u{200b}', '\u{2066}', '\u{2069}']),
        "{after:?}"
    );
}
