//! The plain line mode, driven with in-memory input and output on the fixture questionnaire.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use needlecheck::frontend::{EXIT_ABANDONED, EXIT_OK, RunOptions};
use needlecheck::report::{Summary, TextOptions, render_text};
use needlecheck::{Questionnaire, plain};
use serde_json::{Value, json};

fn mini() -> Questionnaire {
    needlecheck::loader::load_path(Path::new("tests/fixtures/mini.json")).expect("fixture loads")
}

struct Run {
    code: u8,
    prompts: String,
    advice: String,
}

fn run_with(opts: &RunOptions, input: &str) -> Run {
    let q = mini();
    let mut prompts = Vec::new();
    let mut advice = Vec::new();
    let code = plain::run(&q, opts, &mut input.as_bytes(), &mut prompts, &mut advice)
        .expect("plain mode runs");
    Run {
        code,
        prompts: String::from_utf8(prompts).unwrap(),
        advice: String::from_utf8(advice).unwrap(),
    }
}

fn run(input: &str) -> Run {
    run_with(&RunOptions::default(), input)
}

/// The advice `score --format text` gives for these answers.
fn expected_advice(answers: Value, staff: bool, subject: Option<&str>) -> String {
    let q = mini();
    let a = q.parse_answers(answers.as_object().unwrap()).unwrap();
    let o = needlecheck::score(&q, &a);
    render_text(
        &Summary::new(&q, &a, &o, staff),
        &TextOptions { staff, subject },
    )
}

const ALL_NO: &str = "n\n40\nn\nn\n\n";

#[test]
fn all_no_gives_the_clear_advice_and_exit_0() {
    let r = run(ALL_NO);
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(
        r.advice,
        expected_advice(
            json!({"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}),
            false,
            None
        )
    );
    assert!(r.advice.starts_with("RESULT: You can book (clear)"));
    // The conversation stays out of the advice, and the advice out of the conversation.
    assert!(!r.advice.contains("Question 1 of about"));
    assert!(!r.advice.contains("chest pain right now?"));
    assert!(!r.prompts.contains("RESULT:"));
}

#[test]
fn questions_are_plain_lines_with_progress_sections_options_and_ranges() {
    let r = run(ALL_NO);
    let p = &r.prompts;
    assert!(p.starts_with("Mini screening\nA short test questionnaire.\n"));
    assert!(p.contains("Section: Right now\nQuestion 1 of about 5\nDo you have chest pain right now?\ny) Yes\nn) No\nu) Not sure\n"));
    assert!(p.contains("Section: Your health\nQuestion 2 of about 5\nHow old are you?\n(Type a whole number from 0 to 120, in years.)\n"));
    // The section title is said once, when it changes.
    assert_eq!(p.matches("Section: Your health").count(), 1);
    // No "Not sure" where it is not allowed.
    let thinners = p
        .split("Do you take a blood-thinning medicine?")
        .nth(1)
        .unwrap();
    assert!(thinners.starts_with("\ny) Yes\nn) No\n(Type y or n.)"));
    assert!(p.contains("Anything else?"));
    assert!(p.contains("press Enter to skip it"));
    assert!(!p.contains('\x1b'), "no escape sequences");
}

#[test]
fn staff_mode_uses_staff_wording() {
    let opts = RunOptions {
        staff: true,
        ..RunOptions::default()
    };
    let r = run_with(&opts, &format!("{ALL_NO}n\n"));
    assert!(r.prompts.contains("Any chest pain right now?"));
    assert!(!r.prompts.contains("Do you have chest pain right now?"));
    assert!(r.advice.contains("HANDOVER FOR THE PRACTITIONER"));
}

#[test]
fn an_invalid_number_is_asked_again_with_the_range() {
    let r = run("n\n200\nforty\n40\nn\nn\n\n");
    assert_eq!(r.code, EXIT_OK);
    assert!(
        r.prompts
            .contains("Please enter a number from 0 to 120 years.\nHow old are you?")
    );
    assert!(
        r.prompts
            .contains("Please type the number in digits, such as 42.\nHow old are you?")
    );
    assert!(r.advice.starts_with("RESULT: You can book (clear)"));
}

#[test]
fn only_a_number_typed_in_digits_is_taken_as_one() {
    // Each of these once went through as a number nobody typed (`1e2` as 100, `inf`...).
    for typed in ["1e2", "+40", "4 0", "0x28", "40.0.1", "inf", "-", "."] {
        let r = run(&format!("n\n{typed}\n40\nn\nn\n\n"));
        assert_eq!(r.code, EXIT_OK, "{typed}");
        assert!(
            r.prompts
                .contains("Please type the number in digits, such as 42.\nHow old are you?"),
            "{typed}: {}",
            r.prompts
        );
    }
    // A decimal comma or point and a minus sign are part of a number too.
    for (typed, n) in [
        ("37,5", 37.5),
        ("37.5", 37.5),
        (".5", 0.5),
        ("-2", -2.0),
        ("12", 12.0),
    ] {
        assert_eq!(needlecheck::answers::parse_number(typed), Ok(n));
    }
}

#[test]
fn invalid_choices_and_required_answers_get_the_engine_messages() {
    // A bad yes/no, an empty line on a required question, an option out of range, then a
    // two-option multi-choice answer by number and code.
    let r = run("maybe\n\nn\n70\nn\ny\n4\n1,aspirin\n\n");
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert!(
        r.prompts
            .contains("Please answer y (yes), n (no) or u (not sure).")
    );
    assert!(r.prompts.contains("This question needs an answer."));
    assert!(
        r.prompts
            .contains("Please choose a number from 1 to 3 (several separated by commas).")
    );
    assert_eq!(
        r.advice,
        expected_advice(
            json!({"chest_pain": "no", "age": 70, "pregnant": "no", "thinners": "yes",
                   "which": ["warfarin", "aspirin"]}),
            false,
            None
        )
    );
}

#[test]
fn help_prints_why_we_ask() {
    let r = run(&format!("help\n{ALL_NO}"));
    assert!(r.prompts.contains("Chest pain can be a heart attack."));
    assert_eq!(r.code, EXIT_OK);
}

#[test]
fn back_returns_to_the_previous_question_and_keeps_answers() {
    // Age 40, then back from "pregnant" to age: the 40 is offered, Enter keeps it.
    let r = run("n\n40\nback\n\nn\nn\n\n");
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert!(
        r.prompts
            .contains("Your answer so far: 40 years. Press Enter to keep it.")
    );
    assert!(r.advice.starts_with("RESULT: You can book (clear)"));
    // Back at the first question says so.
    let r = run(&format!("back\n{ALL_NO}"));
    assert!(r.prompts.contains("This is the first question."));
    assert_eq!(r.code, EXIT_OK);
}

#[test]
fn back_then_a_new_answer_replaces_the_old_one() {
    let r = run("n\n40\nback\n16\nn\nn\n\n");
    assert_eq!(r.code, EXIT_OK);
    assert!(r.advice.contains("Under 18 needs a carer's consent."));
    assert_eq!(
        r.advice,
        expected_advice(
            json!({"chest_pain": "no", "age": 16, "pregnant": "no", "thinners": "no"}),
            false,
            None
        )
    );
}

#[test]
fn answers_dropped_by_skip_logic_are_mentioned() {
    // Pregnant yes, 10 weeks, then back twice and answer no: the weeks no longer apply.
    let r = run("n\n30\ny\n10\nback\nback\nn\nn\n\n");
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert!(
        r.prompts
            .contains("Because of this answer, 1 earlier answer no longer applies and was removed:\n- How many weeks pregnant are you?")
    );
    assert_eq!(
        r.advice,
        expected_advice(
            json!({"chest_pain": "no", "age": 30, "pregnant": "no", "thinners": "no"}),
            false,
            None
        )
    );
}

#[test]
fn emergency_yes_alerts_then_gives_the_emergency_advice() {
    let r = run("y\n\n");
    assert_eq!(r.code, EXIT_OK);
    assert!(
        r.prompts.contains("EMERGENCY: CALL 000 NOW.\n"),
        "{}",
        r.prompts
    );
    assert!(r.prompts.contains("Chest pain now can be a heart attack."));
    // Why, then what to tell them (the same as the TUI), and the number only in the headline:
    // no phone line, no summary and no step repeating it.
    assert!(
        r.prompts.contains(
            "Chest pain now can be a heart attack.\nWhat to tell them:\n- Where you are, and what is happening now.\n- \"Do you have chest pain right now?\": Yes\n"
        ),
        "{}",
        r.prompts
    );
    let alert = &r.prompts[r.prompts.find("EMERGENCY").unwrap()..];
    assert_eq!(alert.matches("000").count(), 1, "{alert}");
    assert!(
        r.prompts
            .contains("Type back if you answered by mistake, or press Enter to finish:")
    );
    // The alert comes before the advice and no further question is asked.
    assert!(!r.prompts.contains("How old are you?"));
    assert!(r.advice.starts_with("RESULT: Call 000 now (emergency)"));
    assert_eq!(
        r.advice,
        expected_advice(json!({"chest_pain": "yes"}), false, None)
    );
}

#[test]
fn emergency_alert_at_end_of_input_still_gives_the_advice() {
    let r = run("y\n");
    assert_eq!(r.code, EXIT_OK);
    assert!(r.advice.starts_with("RESULT: Call 000 now (emergency)"));
}

#[test]
fn back_from_the_emergency_alert_asks_again() {
    let r = run(&format!("y\nback\n{ALL_NO}"));
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(
        r.prompts
            .matches("\nDo you have chest pain right now?\n")
            .count(),
        2
    );
    assert!(
        r.prompts
            .contains("Your answer so far: Yes. Press Enter to keep it.")
    );
    assert!(r.advice.starts_with("RESULT: You can book (clear)"));
}

#[test]
fn keeping_the_emergency_answer_after_back_alerts_again() {
    // Yes, back from the alert, Enter keeps the yes: the alert comes again.
    let r = run("y\nback\n\n\n");
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(r.prompts.matches("EMERGENCY: CALL 000 NOW").count(), 2);
    assert!(!r.prompts.contains("How old are you?"));
    assert!(r.advice.starts_with("RESULT: Call 000 now (emergency)"));
}

#[test]
fn keeping_an_answer_does_not_repeat_the_dropped_notice() {
    // Pregnant yes, 10 weeks, back twice, no (weeks dropped), then back and Enter to keep no.
    let r = run("n\n30\ny\n10\nback\nback\nn\nback\n\nn\n\n");
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(r.prompts.matches("no longer applies").count(), 1);
}

#[test]
fn end_of_input_midway_abandons_with_the_incomplete_advice() {
    let r = run("n\n40\n");
    assert_eq!(r.code, EXIT_ABANDONED);
    assert!(r.prompts.contains("The screening was not finished."));
    assert!(r.advice.starts_with("RESULT: Not finished (incomplete)"));
    assert_eq!(
        r.advice,
        expected_advice(json!({"chest_pain": "no", "age": 40}), false, None)
    );
    // Nothing at all typed.
    let r = run("");
    assert_eq!(r.code, EXIT_ABANDONED);
    assert!(r.advice.starts_with("RESULT: Not finished (incomplete)"));
}

#[test]
fn quit_is_abandoning() {
    let r = run("n\nquit\nn\n");
    assert_eq!(r.code, EXIT_ABANDONED);
    assert!(r.prompts.contains("The screening was not finished."));
    assert!(r.advice.starts_with("RESULT: Not finished (incomplete)"));
}

#[test]
fn staff_mode_screens_two_patients_without_carrying_anything_over() {
    let opts = RunOptions {
        staff: true,
        subject: Some("P-1".into()),
        ..RunOptions::default()
    };
    // First patient: 70, on warfarin. Second: all no, with another id.
    let input = "n\n70\nn\ny\n1\nsecret note\ny\nP-2\nn\n40\nn\nn\n\nn\n";
    let r = run_with(&opts, input);
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(r.prompts.matches("Next patient? (y/n)").count(), 2);
    let first = expected_advice(
        json!({"chest_pain": "no", "age": 70, "pregnant": "no", "thinners": "yes",
               "which": ["warfarin"], "notes": "secret note"}),
        true,
        Some("P-1"),
    );
    let second = expected_advice(
        json!({"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}),
        true,
        Some("P-2"),
    );
    assert_eq!(r.advice, format!("{first}{second}"));
    let tail = &r.advice[first.len()..];
    for trace in ["P-1", "70", "arfarin", "thinners", "secret"] {
        assert!(!tail.contains(trace), "{trace} carried over");
    }
    // The second patient starts from the first question with no earlier answer offered.
    let later = r.prompts.split("P-2").nth(1).unwrap_or_default();
    assert!(!later.contains("Your answer so far"));
}

#[test]
fn staff_mode_next_patient_without_an_id() {
    let opts = RunOptions {
        staff: true,
        subject: Some("P-1".into()),
        ..RunOptions::default()
    };
    let r = run_with(&opts, &format!("{ALL_NO}yes\n\n{ALL_NO}"));
    // End of input at "Next patient?" ends normally.
    assert_eq!(r.code, EXIT_OK, "{}", r.prompts);
    assert_eq!(r.advice.matches("Patient: P-1").count(), 2); // result and handover
    assert_eq!(r.advice.matches("RESULT:").count(), 2);
}

#[test]
fn save_dir_writes_private_records_with_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        staff: true,
        subject: Some("P-9".into()),
        save_dir: Some(dir.path().to_path_buf()),
        ..RunOptions::default()
    };
    let r = run_with(&opts, &format!("{ALL_NO}y\n\ny\n\ny\n\nn\n"));
    assert_eq!(r.code, EXIT_ABANDONED, "{}", r.prompts);
    let mut records: Vec<Value> = Vec::new();
    for entry in fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
        // Confirmed by number, never by a name that carries the patient ID.
        assert!(!r.prompts.contains(&path.display().to_string()));
        if path.extension().is_some_and(|e| e == "json") {
            records.push(serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap());
        }
    }
    assert_eq!(records.len(), 3);
    for n in 1..=3 {
        let line = format!(
            "Saved the record as number {n} in {}.",
            dir.path().display()
        );
        assert!(r.prompts.contains(&line), "{}", r.prompts);
    }
    let mut seen: Vec<(String, String, Value)> = records
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap().to_string(),
                r["outcome"].as_str().unwrap().to_string(),
                r["subject"].clone(),
            )
        })
        .collect();
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        vec![
            ("abandoned".into(), "incomplete".into(), Value::Null),
            ("completed".into(), "clear".into(), json!("P-9")),
            ("stopped_emergency".into(), "emergency".into(), Value::Null),
        ]
    );
    assert!(records.iter().all(|r| r["mode"] == "plain"));
}

#[test]
fn nothing_is_written_without_a_save_dir() {
    let saved_here = || {
        fs::read_dir(".")
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("needlecheck-")
            })
            .count()
    };
    let before = saved_here();
    let r = run(ALL_NO);
    assert_eq!(r.code, EXIT_OK);
    assert!(!r.prompts.contains("Saved"));
    assert_eq!(saved_here(), before);
}

#[test]
fn a_missing_save_dir_is_an_error_before_any_question() {
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        save_dir: Some(dir.path().join("missing")),
        ..RunOptions::default()
    };
    let q = mini();
    let (mut prompts, mut advice) = (Vec::new(), Vec::new());
    let err = plain::run(&q, &opts, &mut ALL_NO.as_bytes(), &mut prompts, &mut advice)
        .expect_err("missing folder");
    assert!(err.to_string().contains("missing"), "{err}");
    assert!(prompts.is_empty() && advice.is_empty());
}

// The binary through a pipe: advice on stdout, prompts on stderr, exit codes.

fn needlecheck() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("needlecheck").unwrap();
    cmd.args(["--questionnaire", "tests/fixtures/mini.json"])
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    cmd
}

fn output_of(cmd: &mut assert_cmd::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn cli_plain_prints_the_advice_on_stdout_and_the_questions_on_stderr() {
    let (code, stdout, stderr) = output_of(needlecheck().arg("--plain").write_stdin(ALL_NO));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stdout,
        expected_advice(
            json!({"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}),
            false,
            None
        )
    );
    assert!(stderr.contains("Question 1 of about 5\nDo you have chest pain right now?"));
    assert!(!stderr.contains("RESULT:"));
    assert!(!stdout.contains('\x1b') && !stderr.contains('\x1b'));
}

#[test]
fn cli_piped_input_chooses_the_plain_mode_by_itself() {
    let (code, stdout, stderr) = output_of(needlecheck().write_stdin(ALL_NO));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("RESULT: You can book (clear)"));
    assert!(stderr.contains("Question 1 of about 5"));
}

#[test]
fn cli_end_of_input_exits_3_with_the_incomplete_advice() {
    let (code, stdout, stderr) = output_of(needlecheck().arg("--plain").write_stdin("n\n40\n"));
    assert_eq!(code, Some(i32::from(EXIT_ABANDONED)));
    assert!(stdout.starts_with("RESULT: Not finished (incomplete)"));
    assert!(stderr.contains("The screening was not finished."));
}

#[test]
fn cli_emergency_alert_goes_to_stderr_and_the_advice_to_stdout() {
    let (code, stdout, stderr) = output_of(needlecheck().arg("--plain").write_stdin("y\n\n"));
    assert_eq!(code, Some(0));
    assert!(stderr.contains("EMERGENCY: CALL 000 NOW"));
    assert!(stdout.starts_with("RESULT: Call 000 now (emergency)"));
}

#[test]
fn cli_staff_subject_and_save_dir() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = output_of(
        needlecheck()
            .args(["--plain", "--staff", "--subject", "P-5", "--save-dir"])
            .arg(dir.path())
            .write_stdin(format!("{ALL_NO}n\n")),
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("Patient: P-5\nRESULT: You can book (clear)"));
    assert!(stdout.contains("HANDOVER FOR THE PRACTITIONER"));
    assert!(stderr.contains("Any chest pain right now?"));
    assert!(stderr.contains("Next patient? (y/n)"));
    let files: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 2);
    // The save is confirmed as the full screen confirms it: by number and folder, not by the
    // file names, which carry the patient ID (nothing of a patient stays in the terminal).
    assert!(
        stderr.contains(&format!(
            "Saved the record as number 1 in {}.",
            dir.path().display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("P-5"), "{stderr}");
    for f in &files {
        assert_eq!(fs::metadata(f).unwrap().permissions().mode() & 0o777, 0o600);
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(!stderr.contains(&*name), "{stderr}");
        // Front-desk files carry the sequence number and the patient ID.
        let name = f.file_name().unwrap().to_string_lossy();
        assert!(name.starts_with("needlecheck-"), "{name}");
        assert!(name.contains("-1-P-5."), "{name}");
    }
}

/// The fixture with a section introduction, a display-only text and a single-choice question
/// added at the start.
fn with_extras() -> Questionnaire {
    let mut v: Value =
        serde_json::from_str(&fs::read_to_string("tests/fixtures/mini.json").unwrap()).unwrap();
    let first = &mut v["sections"][0];
    first["intro"] = json!("A few questions about how you feel now.");
    let questions = first["questions"].as_array_mut().unwrap();
    questions.insert(
        0,
        json!({"id": "welcome", "type": "display", "text": "Take your time."}),
    );
    questions.insert(
        1,
        json!({"id": "visit", "type": "single_choice", "text": "Is this your first visit?",
               "options": [{"code": "first", "label": "First visit"},
                           {"code": "again", "label": "I have been before"}]}),
    );
    needlecheck::loader::load_str("extras.json", v.to_string().as_bytes()).expect("loads")
}

#[test]
fn display_text_section_intro_and_single_choice() {
    let q = with_extras();
    let (mut prompts, mut advice) = (Vec::new(), Vec::new());
    // Anything after information continues; 3 is out of range; the code works too.
    let input = "ok\n3\nagain\nn\n40\nn\nn\n\n";
    let code = plain::run(
        &q,
        &RunOptions::default(),
        &mut input.as_bytes(),
        &mut prompts,
        &mut advice,
    )
    .unwrap();
    let prompts = String::from_utf8(prompts).unwrap();
    assert_eq!(code, EXIT_OK, "{prompts}");
    assert!(prompts.contains(
        "Section: Right now\nA few questions about how you feel now.\nQuestion 1 of about 7\nTake your time.\n(Press Enter to continue.)\n"
    ));
    assert!(
        prompts.contains("1) First visit\n2) I have been before\n(Type a number from 1 to 2.)")
    );
    assert!(prompts.contains("Please choose a number from 1 to 2.\nIs this your first visit?"));
    let advice = String::from_utf8(advice).unwrap();
    assert!(
        advice.starts_with("RESULT: You can book (clear)"),
        "{advice}"
    );
}

/// Input that removes a folder when it is first read from (after the run checked it).
struct RemovesFolder<'a> {
    folder: std::path::PathBuf,
    rest: &'a [u8],
}

impl std::io::Read for RemovesFolder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let _ = fs::remove_dir(&self.folder);
        self.rest.read(buf)
    }
}

#[test]
fn a_record_that_cannot_be_saved_is_said_and_ends_in_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("records");
    fs::create_dir(&folder).unwrap();
    let opts = RunOptions {
        save_dir: Some(folder.clone()),
        ..RunOptions::default()
    };
    let q = mini();
    let (mut prompts, mut advice) = (Vec::new(), Vec::new());
    let mut input = std::io::BufReader::new(RemovesFolder {
        folder: folder.clone(),
        rest: ALL_NO.as_bytes(),
    });
    let err = plain::run(&q, &opts, &mut input, &mut prompts, &mut advice)
        .expect_err("the record was not saved");
    assert!(err.to_string().contains("could not be saved"), "{err}");
    let prompts = String::from_utf8(prompts).unwrap();
    assert!(
        prompts.contains("NOT SAVED: cannot save screenings in"),
        "{prompts}"
    );
    assert!(prompts.contains("records"));
    // The advice was still given.
    assert!(
        String::from_utf8(advice)
            .unwrap()
            .starts_with("RESULT: You can book (clear)")
    );
}
