//! Saved screenings: file modes, no overwriting, record contents, re-scoring, errors.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use needlecheck::formats::{Format, Report};
use needlecheck::records;
use needlecheck::screening::{Mode, Screening, Start, Status};
use needlecheck::{Answers, Questionnaire};
use serde_json::{Value, json};

fn mini() -> Questionnaire {
    needlecheck::loader::load_path(Path::new("tests/fixtures/mini.json")).expect("fixture loads")
}

fn answers(q: &Questionnaire, v: Value) -> Answers {
    q.parse_answers(v.as_object().unwrap())
        .expect("answers parse")
}

const STARTED: u64 = 1_798_761_600; // 2027-01-01T00:00:00Z

fn screening<'a>(
    q: &'a Questionnaire,
    a: &Answers,
    subject: Option<&str>,
    status: Status,
) -> Screening<'a> {
    let start = Start {
        subject: subject.map(str::to_string),
        staff: true,
        mode: Mode::Plain,
        started: UNIX_EPOCH + Duration::from_secs(STARTED),
    };
    let ended = UNIX_EPOCH + Duration::from_secs(STARTED + 95);
    Screening::from_answers(q, a.clone(), start, status, ended)
}

fn record_json(s: &Screening) -> Value {
    serde_json::from_str(&Format::Json.render(&Report::of(s))).expect("the record is JSON")
}

fn handover_text(s: &Screening) -> String {
    Format::Handover.render(&Report::of(s))
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn warfarin(q: &Questionnaire) -> Answers {
    answers(
        q,
        json!({"chest_pain": "no", "age": 70, "pregnant": "no", "thinners": "yes", "which": ["warfarin"]}),
    )
}

#[test]
fn record_has_outcome_findings_subject_status_mode_and_times() {
    let q = mini();
    let a = warfarin(&q);
    let r = record_json(&screening(&q, &a, Some("MRN-123"), Status::Completed));
    assert_eq!(r["outcome"], "review");
    assert_eq!(r["findings"][0]["rule"], "thinners");
    assert_eq!(r["subject"], "MRN-123");
    assert_eq!(r["status"], "completed");
    assert_eq!(r["mode"], "plain");
    assert_eq!(r["staff"], true);
    assert_eq!(r["started_at"], "2027-01-01T00:00:00Z");
    assert_eq!(r["ended_at"], "2027-01-01T00:01:35Z");
    assert_eq!(r["questionnaire"]["id"], "mini");
    assert_eq!(r["tool"]["name"], "needlecheck");
    assert_eq!(r["answers"]["which"], json!(["warfarin"]));
}

#[test]
fn record_without_subject_says_null_and_statuses_are_named() {
    let q = mini();
    let a = answers(&q, json!({"chest_pain": "yes"}));
    let mut s = screening(&q, &a, None, Status::StoppedEmergency);
    s.mode = Mode::Tui;
    let r = record_json(&s);
    assert_eq!(r["subject"], Value::Null);
    assert_eq!(r["status"], "stopped_emergency");
    assert_eq!(r["mode"], "tui");
    assert_eq!(r["outcome"], "emergency");
    s.status = Status::Abandoned;
    assert_eq!(record_json(&s)["status"], "abandoned");
}

#[test]
fn record_answers_rescore_to_the_same_outcome() {
    let q = mini();
    for v in [
        json!({"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}),
        json!({"chest_pain": "no", "age": 30, "pregnant": "yes", "weeks": 10, "thinners": "no"}),
        json!({"chest_pain": "no", "age": 30, "pregnant": "unsure", "thinners": "no"}),
        json!({"chest_pain": "no", "age": 16}),
        json!({"chest_pain": "yes"}),
    ] {
        let a = answers(&q, v);
        let o = needlecheck::score(&q, &a);
        let r = record_json(&screening(&q, &a, None, Status::Completed));
        let again = q
            .parse_answers(r["answers"].as_object().unwrap())
            .expect("record answers parse");
        let o2 = needlecheck::score(&q, &again);
        assert_eq!(o2.level, o.level);
        assert_eq!(r["outcome"], o2.level.as_str());
        assert_eq!(o2.findings, o.findings);
    }
}

#[test]
fn handover_has_staff_notes_subject_and_status() {
    let q = mini();
    let a = warfarin(&q);
    let text = handover_text(&screening(&q, &a, Some("MRN-123"), Status::Completed));
    assert!(text.starts_with("HANDOVER FOR THE PRACTITIONER\n"));
    assert!(text.contains("Patient: MRN-123"));
    assert!(text.contains("Avoid deep non-compressible muscles."));
    assert!(text.contains("completed"));
    assert!(text.contains("2027-01-01T00:00:00Z"));
}

#[test]
fn save_writes_private_files_named_by_time_sequence_and_patient() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let s = screening(&q, &a, Some("MRN-123"), Status::Completed);
    let saved = records::save(dir.path(), &s, &Format::SAVED).unwrap();
    assert_eq!(saved.files.len(), 2);
    for p in &saved.files {
        assert_eq!(p.parent().unwrap(), dir.path());
        let mode = fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let record = saved.file(Format::Json).unwrap();
    let handover = saved.file(Format::Handover).unwrap();
    assert_eq!(
        record,
        dir.path()
            .join("needlecheck-20270101T000135Z-1-MRN-123.json")
    );
    assert_eq!(
        handover,
        dir.path()
            .join("needlecheck-20270101T000135Z-1-MRN-123.handover.txt")
    );
    let on_disk: Value = serde_json::from_str(&fs::read_to_string(record).unwrap()).unwrap();
    assert_eq!(on_disk, record_json(&s));
    assert_eq!(fs::read_to_string(handover).unwrap(), handover_text(&s));
    // Nothing else is left in the folder: no temporary file, no probe.
    assert_eq!(names_in(dir.path()).len(), 2);
    assert_eq!(
        saved.names(),
        vec![
            "needlecheck-20270101T000135Z-1-MRN-123.json",
            "needlecheck-20270101T000135Z-1-MRN-123.handover.txt"
        ]
    );
}

#[test]
fn the_sequence_goes_up_with_each_save_and_patient_ids_are_made_safe() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let subjects = [Some("A-1"), Some("../B 2\u{1b}]0;x"), None];
    let names: Vec<String> = subjects
        .iter()
        .map(|subject| {
            let s = screening(&q, &a, *subject, Status::Completed);
            let saved = records::save(dir.path(), &s, &Format::SAVED).unwrap();
            saved.names()[0].clone()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "needlecheck-20270101T000135Z-1-A-1.json",
            "needlecheck-20270101T000135Z-2-___B_2__0_x.json",
            "needlecheck-20270101T000135Z-3.json",
        ]
    );
}

#[test]
fn save_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let s = screening(&q, &a, None, Status::Completed);
    // Someone else's files already hold names of the first two sequence numbers.
    let taken = dir.path().join("needlecheck-20270101T000135Z-1.json");
    fs::write(&taken, "keep me").unwrap();
    let taken2 = dir
        .path()
        .join("needlecheck-20270101T000135Z-2.handover.txt");
    fs::write(&taken2, "keep me too").unwrap();
    let first = records::save(dir.path(), &s, &Format::SAVED).unwrap();
    let second = records::save(dir.path(), &s, &Format::SAVED).unwrap();
    assert_eq!(fs::read_to_string(&taken).unwrap(), "keep me");
    assert_eq!(fs::read_to_string(&taken2).unwrap(), "keep me too");
    assert_eq!(
        first.files,
        vec![
            dir.path().join("needlecheck-20270101T000135Z-3.json"),
            dir.path()
                .join("needlecheck-20270101T000135Z-3.handover.txt")
        ]
    );
    assert_eq!(
        second.files[0],
        dir.path().join("needlecheck-20270101T000135Z-4.json")
    );
    assert_eq!(names_in(dir.path()).len(), 6);
}

#[test]
fn save_into_a_missing_folder_says_which_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let q = mini();
    let a = warfarin(&q);
    let err = records::save(
        &missing,
        &screening(&q, &a, None, Status::Completed),
        &Format::SAVED,
    )
    .expect_err("a missing folder is an error");
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    let msg = err.to_string();
    assert!(msg.contains("no-such-folder"), "{msg}");
    assert!(msg.contains("cannot save"), "{msg}");
    assert!(!missing.exists());
}

#[test]
fn save_into_a_file_instead_of_a_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    fs::write(&file, "x").unwrap();
    let q = mini();
    let a = warfarin(&q);
    let err = records::save(
        &file,
        &screening(&q, &a, None, Status::Completed),
        &Format::SAVED,
    )
    .expect_err("a file is not a folder");
    assert!(err.to_string().contains("not a folder"), "{err}");
}

/// Set in the copy of this test that runs as an unprivileged user.
const UNPRIVILEGED: &str = "NEEDLECHECK_TEST_UNPRIVILEGED";

#[test]
fn save_into_a_read_only_folder_names_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
    if fs::write(dir.path().join("probe"), "x").is_ok() {
        // Root (as CI runs) ignores permissions: run this test again as user `nobody`.
        assert!(
            std::env::var_os(UNPRIVILEGED).is_none(),
            "a read-only folder is writable even as an unprivileged user"
        );
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        return run_unprivileged("save_into_a_read_only_folder_names_the_folder");
    }
    let q = needlecheck::loader::load_str("mini.json", include_bytes!("fixtures/mini.json"))
        .expect("fixture loads");
    let a = warfarin(&q);
    let err = records::save(
        dir.path(),
        &screening(&q, &a, None, Status::Completed),
        &Format::SAVED,
    )
    .expect_err("read-only folder");
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    // The probe finds out before anything is written, and the message names the folder.
    assert!(
        err.to_string().contains(&format!(
            "cannot save screenings in {}",
            dir.path().display()
        )),
        "{err}"
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_folder_where_nothing_can_be_created_is_refused_even_for_root() {
    // /proc takes no new files, whoever asks: the probe at start finds out.
    let err = records::check_writable(Path::new("/proc")).expect_err("/proc takes no files");
    assert!(
        err.to_string().contains("cannot save screenings in /proc"),
        "{err}"
    );
    let q = mini();
    let a = warfarin(&q);
    let err = records::save(
        Path::new("/proc"),
        &screening(&q, &a, None, Status::Completed),
        &Format::SAVED,
    )
    .expect_err("nothing is saved in /proc");
    assert!(err.to_string().contains("/proc"), "{err}");
}

#[test]
fn a_full_disk_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let s = screening(&q, &a, Some("P-1"), Status::Completed);
    // The first file fills the disk half-way through; then the second; each time nothing is
    // left, neither a partial file nor an empty one nor a temporary name.
    for fail_at in 0..Format::SAVED.len() {
        let mut calls = 0;
        let mut full = |f: &mut fs::File, bytes: &[u8]| {
            use std::io::Write;
            calls += 1;
            if calls > fail_at {
                f.write_all(&bytes[..bytes.len() / 2])?;
                return Err(std::io::Error::new(
                    std::io::ErrorKind::StorageFull,
                    "No space left on device",
                ));
            }
            f.write_all(bytes)
        };
        let err =
            records::save_with(dir.path(), &s, &Format::SAVED, &mut full).expect_err("disk full");
        assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
        assert!(err.to_string().contains("No space left"), "{err}");
        assert_eq!(
            names_in(dir.path()),
            Vec::<String>::new(),
            "fail at {fail_at}"
        );
    }
    // With room again, the same screening saves as sequence 1.
    let saved = records::save(dir.path(), &s, &Format::SAVED).unwrap();
    assert_eq!(saved.names()[0], "needlecheck-20270101T000135Z-1-P-1.json");
}

#[test]
fn an_abandoned_screening_is_never_clear_in_text_or_record() {
    let q = mini();
    // Every question answered: scored alone these answers are clear.
    let a = answers(
        &q,
        json!({"chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "no"}),
    );
    assert_eq!(needlecheck::score(&q, &a).level.as_str(), "clear");
    let s = screening(&q, &a, None, Status::Abandoned);
    assert_eq!(record_json(&s)["outcome"], "incomplete");
    assert_eq!(record_json(&s)["status"], "abandoned");
    let text = s.advice().unwrap();
    assert!(text.contains("(incomplete)"), "{text}");
    assert!(!text.contains("(clear)"), "{text}");
    assert!(handover_text(&s).contains("Outcome: incomplete"));
    // Completed, the same answers are clear.
    let done = screening(&q, &a, None, Status::Completed);
    assert_eq!(record_json(&done)["outcome"], "clear");
}

/// Runs one test of this file in a copy of the test program as user and group `nobody`
/// (65534), from a folder that user can read, and checks that it ran and passed.
fn run_unprivileged(test: &str) {
    use std::os::unix::process::CommandExt;
    let place = tempfile::tempdir().unwrap();
    fs::set_permissions(place.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let exe = place.path().join("records-test");
    fs::copy(std::env::current_exe().unwrap(), &exe).unwrap();
    fs::set_permissions(&exe, fs::Permissions::from_mode(0o755)).unwrap();
    let out = std::process::Command::new(&exe)
        .args(["--exact", test, "--test-threads=1"])
        .env(UNPRIVILEGED, "1")
        .env("TMPDIR", std::env::temp_dir())
        .current_dir(place.path())
        .uid(65534)
        .gid(65534)
        .output()
        .expect("the test program runs as nobody");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "as nobody: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn now_is_formatted_as_rfc3339_utc() {
    let s = records::rfc3339_utc(SystemTime::now());
    assert_eq!(s.len(), 20, "{s}");
    assert!(s.ends_with('Z') && s.as_bytes()[10] == b'T', "{s}");
}

/// A signal in the middle of a save — raised here from inside the write of each file in turn —
/// is held back until the save has finished, or has rolled back when it failed: when it is
/// acted on, no temporary file is left in the folder, and after a failed save the run is
/// known to wait with an unsaved record (so the signal says that record was NOT saved).
#[test]
fn a_signal_in_the_middle_of_a_save_waits_until_the_save_finished_or_rolled_back() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(libc::SIGTERM, Arc::clone(&flag)).unwrap();
    let q = mini();
    let a = warfarin(&q);
    let s = screening(&q, &a, Some("P-1"), Status::Completed);
    let dir = tempfile::tempdir().unwrap();
    for fail in [false, true] {
        for at in 1..=Format::SAVED.len() {
            flag.store(false, Ordering::SeqCst);
            let before = names_in(dir.path());
            let mut calls = 0;
            let mut seen_during_save = Vec::new();
            let mut write = |f: &mut fs::File, bytes: &[u8]| {
                use std::io::Write;
                calls += 1;
                if calls == at {
                    // SAFETY: sends SIGTERM to this thread; its handler only sets `flag`.
                    assert_eq!(unsafe { libc::raise(libc::SIGTERM) }, 0);
                    seen_during_save.push(flag.load(Ordering::SeqCst));
                    if fail {
                        f.write_all(&bytes[..bytes.len() / 2])?;
                        return Err(std::io::Error::new(
                            std::io::ErrorKind::StorageFull,
                            "No space left on device",
                        ));
                    }
                }
                f.write_all(bytes)
            };
            let result =
                needlecheck::frontend::save_record_with(dir.path(), &s, &Format::SAVED, &mut write);
            let at = format!("signal at file {at}, failing {fail}");
            assert_eq!(seen_during_save, [false], "{at}: acted on mid-save");
            assert!(
                flag.load(Ordering::SeqCst),
                "{at}: delivered after the save"
            );
            let names = names_in(dir.path());
            assert!(names.iter().all(|n| !n.starts_with('.')), "{at}: {names:?}");
            let (end, _) = needlecheck::frontend::signal_end();
            if fail {
                assert!(result.is_err(), "{at}");
                assert_eq!(names, before, "{at}: rolled back");
                assert!(end.record_lost, "{at}: the record waits, unsaved");
            } else {
                let saved = result.expect("saved");
                assert_eq!(names.len(), before.len() + saved.files.len(), "{at}");
                assert!(!end.record_lost, "{at}: nothing waits");
            }
        }
    }
}
