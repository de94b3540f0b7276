//! Saved screenings: file modes, no overwriting, record contents, re-scoring, errors.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use needlecheck::records::{self, Mode, Screening, Status};
use needlecheck::{Answers, Outcome, Questionnaire};
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
    a: &'a Answers,
    o: &'a Outcome,
    subject: Option<&'a str>,
    status: Status,
) -> Screening<'a> {
    Screening {
        q,
        answers: a,
        outcome: o,
        subject,
        staff: true,
        mode: Mode::Plain,
        status,
        started: UNIX_EPOCH + Duration::from_secs(STARTED),
        ended: UNIX_EPOCH + Duration::from_secs(STARTED + 95),
    }
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
    let o = needlecheck::score(&q, &a);
    let r = records::record_json(&screening(&q, &a, &o, Some("MRN-123"), Status::Completed));
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
    let o = needlecheck::score(&q, &a);
    let mut s = screening(&q, &a, &o, None, Status::StoppedEmergency);
    s.mode = Mode::Tui;
    let r = records::record_json(&s);
    assert_eq!(r["subject"], Value::Null);
    assert_eq!(r["status"], "stopped_emergency");
    assert_eq!(r["mode"], "tui");
    assert_eq!(r["outcome"], "emergency");
    s.status = Status::Abandoned;
    assert_eq!(records::record_json(&s)["status"], "abandoned");
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
        let r = records::record_json(&screening(&q, &a, &o, None, Status::Completed));
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
    let o = needlecheck::score(&q, &a);
    let text = records::handover_text(&screening(&q, &a, &o, Some("MRN-123"), Status::Completed));
    assert!(text.starts_with("HANDOVER FOR THE PRACTITIONER\n"));
    assert!(text.contains("Patient: MRN-123"));
    assert!(text.contains("Avoid deep non-compressible muscles."));
    assert!(text.contains("completed"));
    assert!(text.contains("2027-01-01T00:00:00Z"));
}

#[test]
fn save_writes_two_private_files_without_patient_data_in_names() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let o = needlecheck::score(&q, &a);
    let s = screening(&q, &a, &o, Some("MRN-123"), Status::Completed);
    let paths = records::save(dir.path(), &s).unwrap();
    for p in [&paths.record, &paths.handover] {
        assert_eq!(p.parent().unwrap(), dir.path());
        let mode = fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
        let name = p.file_name().unwrap().to_str().unwrap();
        assert!(!name.contains("MRN"), "{name}");
        assert!(name.starts_with("needlecheck-20270101T000135Z-"), "{name}");
    }
    assert!(paths.record.to_str().unwrap().ends_with(".json"));
    assert!(paths.handover.to_str().unwrap().ends_with(".handover.txt"));
    let saved: Value = serde_json::from_str(&fs::read_to_string(&paths.record).unwrap()).unwrap();
    assert_eq!(saved, records::record_json(&s));
    assert_eq!(
        fs::read_to_string(&paths.handover).unwrap(),
        records::handover_text(&s)
    );
}

#[test]
fn save_never_overwrites_an_existing_file() {
    let dir = tempfile::tempdir().unwrap();
    let q = mini();
    let a = warfarin(&q);
    let o = needlecheck::score(&q, &a);
    let s = screening(&q, &a, &o, None, Status::Completed);
    // Someone else's files already hold the first names (one of each kind).
    let taken = dir.path().join("needlecheck-20270101T000135Z-1.json");
    fs::write(&taken, "keep me").unwrap();
    let taken2 = dir
        .path()
        .join("needlecheck-20270101T000135Z-2.handover.txt");
    fs::write(&taken2, "keep me too").unwrap();

    let first = records::save(dir.path(), &s).unwrap();
    let second = records::save(dir.path(), &s).unwrap();
    assert_eq!(fs::read_to_string(&taken).unwrap(), "keep me");
    assert_eq!(fs::read_to_string(&taken2).unwrap(), "keep me too");
    assert_eq!(
        first.record,
        dir.path().join("needlecheck-20270101T000135Z-3.json")
    );
    assert_eq!(
        first.handover,
        dir.path()
            .join("needlecheck-20270101T000135Z-3.handover.txt")
    );
    assert_eq!(
        second.record,
        dir.path().join("needlecheck-20270101T000135Z-4.json")
    );
    // The half-free stem 2 was given back, not left behind half-written.
    assert!(
        !dir.path()
            .join("needlecheck-20270101T000135Z-2.json")
            .exists()
    );
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 6);
}

#[test]
fn save_into_a_missing_folder_says_which_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let q = mini();
    let a = warfarin(&q);
    let o = needlecheck::score(&q, &a);
    let err = records::save(&missing, &screening(&q, &a, &o, None, Status::Completed))
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
    let o = needlecheck::score(&q, &a);
    let err = records::save(&file, &screening(&q, &a, &o, None, Status::Completed))
        .expect_err("a file is not a folder");
    assert!(err.to_string().contains("not a folder"), "{err}");
}

/// Set in the copy of this test that runs as an unprivileged user.
const UNPRIVILEGED: &str = "NEEDLECHECK_TEST_UNPRIVILEGED";

#[test]
fn save_into_a_read_only_folder_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
    if fs::write(dir.path().join("probe"), "x").is_ok() {
        // Root (as CI runs) ignores permissions: run this test again as user `nobody`.
        assert!(
            std::env::var_os(UNPRIVILEGED).is_none(),
            "a read-only folder is writable even as an unprivileged user"
        );
        fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
        return run_unprivileged("save_into_a_read_only_folder_names_the_file");
    }
    let q = needlecheck::loader::load_str("mini.json", include_bytes!("fixtures/mini.json"))
        .expect("fixture loads");
    let a = warfarin(&q);
    let o = needlecheck::score(&q, &a);
    let err = records::save(dir.path(), &screening(&q, &a, &o, None, Status::Completed))
        .expect_err("read-only folder");
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("needlecheck-"), "{err}");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
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
