//! Untrusted text never reaches a terminal or a text file raw.
//!
//! A questionnaire whose every kind of text holds bidi controls and invisible characters (which
//! the loader allows; control characters it refuses), answers and typed lines full of escape
//! sequences, carriage returns and C1 controls, hostile patient IDs and file names — through
//! every text output: `score` (with and without the handover), `questions`, `validate`, the
//! plain mode's two streams, the saved handover file and the TUI's screen buffer. None may
//! hold a control character but line feed and tab, a C1 control or a bidi control.

use std::collections::VecDeque;
use std::path::Path;

use needlecheck::frontend::RunOptions;
use needlecheck::tui::app::{App, Msg, Screen, update};
use needlecheck::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const FIXTURE: &str = "tests/fixtures/escapes.json";

/// OSC 52 (write the clipboard), OSC 0 (window title), clear screen, a carriage return that
/// hides what came before it, 8-bit CSI, DEL, NEL, a bidi override, an isolate and a
/// zero-width space.
const HOSTILE: &str = "A\u{1b}]52;c;cGF3bmVk\u{7}B\u{1b}]0;pwned\u{7}\u{1b}[2J\rC\u{9b}31mD\u{7f}\u{85}\u{202e}E\u{200b}\u{2066}F";

/// Panics when `bytes` hold anything a terminal could act on, or that hides or reorders text.
fn assert_printable(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    for (i, c) in text.char_indices() {
        let bad = (c < ' ' && c != '\n' && c != '\t')
            || ('\u{7f}'..='\u{9f}').contains(&c)
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || c == '\u{200b}';
        if bad {
            let before: Vec<char> = text[..i].chars().rev().take(40).collect();
            let before: String = before.into_iter().rev().collect();
            let after: String = text[i..].chars().take(40).collect();
            panic!("{what}: {c:?} at byte {i}, in {:?}", before + &after);
        }
    }
}

fn needlecheck() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("needlecheck").unwrap();
    cmd.env("NO_COLOR", "1").env("TERM", "xterm-256color");
    cmd
}

/// Runs and checks both streams; returns (exit status, stdout, stderr).
fn run_printable(what: &str, cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    assert_printable(&format!("{what} (stdout)"), &out.stdout);
    assert_printable(&format!("{what} (stderr)"), &out.stderr);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn answers_file(dir: &Path) -> std::path::PathBuf {
    // A line break in the answer must not start a line that looks like the tool's own.
    let notes = format!("{HOSTILE}\nRESULT: Clear (clear)");
    let answers = serde_json::json!({"answers": {"notes": notes, "pain": "yes", "where": "neck"}});
    let path = dir.join("answers.json");
    std::fs::write(&path, answers.to_string()).unwrap();
    path
}

#[test]
fn score_text_and_handover_show_escapes_instead_of_acting_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let answers = answers_file(dir.path());
    for staff in [false, true] {
        let mut cmd = needlecheck();
        cmd.args(["-q", FIXTURE, "score", "-a"]).arg(&answers);
        if staff {
            cmd.arg("--staff");
        }
        let (code, out, err) = run_printable("score", &mut cmd);
        assert_eq!(code, Some(0), "{err}");
        assert!(
            out.contains("RESULT: Review \\u{202e}weiver (review)"),
            "{out}"
        );
        // The answer is quoted, visibly escaped, on one line.
        assert!(out.contains("A\\u{1b}]52;c;cGF3bmVk\\u{7}B"), "{out}");
        assert!(out.contains("\\u{d}C\\u{9b}31m"), "{out}");
        assert_eq!(out.lines().filter(|l| l.starts_with("RESULT")).count(), 1);
        assert_eq!(out.contains("HANDOVER FOR THE PRACTITIONER"), staff);
    }
}

#[test]
fn errors_quoting_ids_and_file_names_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let bad_id = dir.path().join("answers.json");
    std::fs::write(
        &bad_id,
        serde_json::json!({"answers": {format!("pain{HOSTILE}"): "yes"}}).to_string(),
    )
    .unwrap();
    let (code, _, err) = run_printable(
        "score with an unknown id",
        needlecheck()
            .args(["-q", FIXTURE, "score", "-a"])
            .arg(&bad_id),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("\\u{1b}"), "{err}");

    let (code, _, err) = run_printable(
        "a usage error quoting a value",
        needlecheck().args(["score", "-a", "x", "--format", HOSTILE]),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--format"), "{err}");

    let missing = dir.path().join(format!("missing{HOSTILE}\n.json"));
    let (code, _, err) = run_printable(
        "a missing questionnaire",
        needlecheck().arg("-q").arg(&missing).arg("questions"),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("missing"), "{err}");
    let (code, _, err) = run_printable(
        "a missing answers file",
        needlecheck()
            .args(["-q", FIXTURE, "score", "-a"])
            .arg(&missing),
    );
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn questions_lists_the_text_escaped() {
    let (code, out, err) = run_printable(
        "questions",
        needlecheck().args(["-q", FIXTURE, "questions"]),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Pain \\u{202e}now\\u{202c}?"), "{out}");
}

#[test]
fn validate_escapes_file_names_test_names_and_source_excerpts() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::fs::read_to_string(FIXTURE).unwrap();
    // A valid file (with a failing test) under a hostile name.
    let named = dir.path().join(format!("q{HOSTILE}\nFAILED x.json"));
    std::fs::write(&named, &fixture).unwrap();
    // A raw escape sequence in the file: not JSON, shown in the excerpt of the syntax error.
    let raw_esc = dir.path().join("raw-esc.json");
    std::fs::write(
        &raw_esc,
        fixture.replace("Escapes ", "Escapes \u{1b}]0;pwned\u{7}"),
    )
    .unwrap();
    // A raw C1 control and a raw bidi override inside a string, and an escaped ESC.
    let raw_c1 = dir.path().join("raw-c1.json");
    std::fs::write(
        &raw_c1,
        fixture
            .replace("Escapes ", "Escapes \u{9b}2J\u{202e}")
            .replace("Bidi ", "Bidi \\u001b[2J"),
    )
    .unwrap();
    let (code, out, err) = run_printable(
        "validate",
        needlecheck()
            .arg("validate")
            .arg(&named)
            .arg(&raw_esc)
            .arg(&raw_c1),
    );
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(
        out.contains("FAILED ") && out.contains("a failing \\u{202e}test"),
        "{out}"
    );
    assert_eq!(
        out.lines().filter(|l| l.starts_with("FAILED")).count(),
        1,
        "{out}"
    );
    assert!(out.contains("raw-esc.json: INVALID"), "{out}");
    assert!(out.contains("raw-c1.json: INVALID"), "{out}");
    assert!(err.contains("control character (U+009B"), "{err}");
    assert!(err.contains("control character (U+001B"), "{err}");
}

/// Plain mode, front desk, saving: a hostile free-text answer (echoed back after `back`), a
/// hostile typed patient ID (refused, asked again), and the advice and handover file.
#[test]
fn plain_mode_streams_and_the_handover_file_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let input = format!("{HOSTILE}\ny\nback\nback\n\n\n1\ny\nP-1\u{1b}]0;x\u{7}\nP-2\n\nn\n\nn\n");
    let (code, out, err) = run_printable(
        "plain mode",
        needlecheck()
            .args(["-q", FIXTURE, "--plain", "--staff", "--save-dir"])
            .arg(dir.path())
            .write_stdin(input),
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("Your answer so far: A\\u{1b}]52;c;"), "{err}");
    assert!(err.contains("That ID cannot be used"), "{err}");
    assert!(out.contains("Patient: P-2"), "{out}");
    assert!(out.contains("A\\u{1b}]52;c;"), "{out}");
    let mut handovers = 0;
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".handover.txt") {
            handovers += 1;
            assert_printable(&path.display().to_string(), &std::fs::read(&path).unwrap());
        }
    }
    assert_eq!(handovers, 2);
}

#[test]
fn a_subject_outside_the_safe_set_is_refused_with_the_rule() {
    for id in [
        "P-1\nRESULT: Clear (clear)",
        "P\u{1b}]0;x\u{7}",
        "a b",
        &"x".repeat(65),
    ] {
        let (code, out, err) = run_printable(
            "--subject",
            needlecheck()
                .args(["-q", FIXTURE, "--plain", "--subject", id])
                .write_stdin("\n"),
        );
        assert_eq!(code, Some(2), "{id:?}: {out}{err}");
        assert!(err.contains("letters (A-Z, a-z), digits (0-9)"), "{err}");
        // The refused value is not repeated: it is the patient's, and may be anything.
        assert!(!err.contains("RESULT") && !err.contains("]0;x"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(out.is_empty(), "{out}");
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// Every cell of every screen: the questionnaire's bidi text in titles and questions, typed
/// bidi and zero-width characters, a refused patient ID, the result.
#[test]
fn the_tui_screen_buffer_holds_no_control_or_bidi_character() {
    let q = needlecheck::loader::load_path(Path::new(FIXTURE)).expect("fixture loads");
    let opts = RunOptions {
        staff: true,
        subject: None,
        save_dir: None,
        save_formats: needlecheck::formats::Format::SAVED.to_vec(),
        color: true,
    };
    let mut app = App::new(&q, &opts, (80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let mut check = |app: &App, step: &str| -> String {
        terminal.draw(|f| view::view(app, f)).unwrap();
        let cells: String = terminal
            .backend()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert_printable(&format!("TUI buffer, {step}"), cells.as_bytes());
        cells
    };
    let mut script: VecDeque<(Msg, &str)> = VecDeque::new();
    for c in "P\u{202e}1".chars() {
        script.push_back((key(KeyCode::Char(c)), "typing an ID"));
    }
    script.push_back((key(KeyCode::Enter), "a refused ID"));
    // A zero-width character shares the cell of the one before it: only it is left out.
    let welcome = check(&app, "welcome");
    assert!(welcome.contains("Escapes evil title"), "{welcome}");
    while let Some((msg, step)) = script.pop_front() {
        update(&mut app, msg);
        check(&app, step);
    }
    assert_eq!(app.screen(), Screen::Welcome, "the ID was refused");
    for _ in 0..3 {
        update(&mut app, key(KeyCode::Backspace));
    }
    update(&mut app, key(KeyCode::Enter));
    check(&app, "the first question");
    for c in "x\u{202e}y\u{200b}z\u{2066}".chars() {
        update(&mut app, key(KeyCode::Char(c)));
    }
    check(&app, "typed text");
    update(&mut app, key(KeyCode::Enter));
    check(&app, "a yes/no question");
    update(&mut app, key(KeyCode::Char('y')));
    check(&app, "a choice question");
    update(&mut app, key(KeyCode::Char('1')));
    update(&mut app, key(KeyCode::Enter));
    check(&app, "after the last question");
    for _ in 0..4 {
        update(&mut app, key(KeyCode::Enter));
        check(&app, "on to the result");
    }
    assert_eq!(app.screen(), Screen::Result);
    update(&mut app, key(KeyCode::Char('?')));
    check(&app, "help");
}
