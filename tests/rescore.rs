//! `needlecheck rescore`: records made with questionnaire 1.1.0 (the copy kept in the
//! fixtures), saved the way `--save-dir` saves them or streamed by `score --jsonl`, re-scored
//! under 2.x (the built-in questionnaire). The answer sets are 1.1.0's own test cases, picked
//! where 2.x decides differently.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use needlecheck::records;
use needlecheck::screening::{Mode, Screening, Start, Status};
use needlecheck::{Answers, Questionnaire};
use serde_json::Value;

mod common;
use common::{needlecheck, run};

const OLD: &str = "tests/fixtures/dry-needling-1.1.0.json";
const NEW: &str = "questionnaires/dry-needling.json";

fn load(path: &str) -> Questionnaire {
    needlecheck::loader::load_path(Path::new(path)).expect("questionnaire loads")
}

/// The answers of the test case `name` of the questionnaire file at `path`.
fn case_answers(path: &str, name: &str) -> Value {
    let file: Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let tests = file["tests"].as_array().unwrap();
    let case = tests.iter().find(|t| t["name"] == name);
    case.unwrap_or_else(|| panic!("no test case {name:?}"))["answers"].clone()
}

/// Saves a completed screening of 1.1.0's test case `name` for patient `subject` in `dir`,
/// as `--save-dir` does (the record and the handover beside it).
fn save_old(q: &Questionnaire, dir: &Path, name: &str, subject: &str) {
    let answers: Answers = q
        .parse_answers(case_answers(OLD, name).as_object().unwrap())
        .expect("the test case's answers are valid for 1.1.0");
    let start = Start {
        subject: Some(subject.to_string()),
        staff: true,
        mode: Mode::Plain,
        started: UNIX_EPOCH + Duration::from_secs(1_798_761_600),
    };
    let ended = UNIX_EPOCH + Duration::from_secs(1_798_761_700);
    let s = Screening::from_answers(q, answers, start, Status::Completed, ended);
    records::save(dir, &s, &needlecheck::formats::Format::SAVED).expect("saved");
}

/// Test cases of 1.1.0 where 2.x decides differently (or, for the chest pain, the same),
/// by patient ID.
const CASES: [(&str, &str); 6] = [
    ("W-1", "warfarin, INR 3.6"),
    ("P-2", "pregnant at 20 weeks, never had dry needling"),
    ("F-3", "cold and fever today"),
    ("C-4", "chest pain right now"),
    ("N-5", "breathless after needling of the upper back"),
    ("K-6", "past cancer with worsening weakness"),
];

fn saved_old_records() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let q = load(OLD);
    for (subject, name) in CASES {
        save_old(&q, dir.path(), name, subject);
    }
    dir
}

/// Every JSON line of `text`, parsed.
fn json_lines(text: &str) -> Vec<Value> {
    (text.lines())
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn rules(v: &Value) -> Vec<&str> {
    (v.as_array().unwrap().iter())
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn saved_1_1_0_records_show_what_the_built_in_version_decides_differently_and_why() {
    let dir = saved_old_records();
    let r = run(needlecheck()
        .args(["rescore", "--format", "jsonl"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines = json_lines(&r.stdout);
    // The handover files beside the records are not records: six records, then the summary.
    assert_eq!(lines.len(), 7, "{}", r.stdout);
    let by = |subject: &str| -> &Value { lines.iter().find(|l| l["subject"] == subject).unwrap() };
    // A warfarin INR of 3.6: 1.1.0 said book and tell the practitioner; 2.x's INR limit
    // (3.0 by default) says not now.
    let w = by("W-1");
    assert_eq!(
        (w["then"].as_str(), w["now"].as_str()),
        (Some("review"), Some("not_suitable"))
    );
    assert_eq!(rules(&w["newly_fired"]), ["inr_above_limit"]);
    assert!(rules(&w["no_longer_fired"]).contains(&"inr_above_3"));
    // First dry needling in pregnancy: the same rule, raised from review to not suitable.
    let p = by("P-2");
    assert_eq!(p["now"], "not_suitable");
    assert_eq!(
        p["level_changed"],
        serde_json::json!([{"rule": "pregnancy_first_dn", "then": "review", "now": "not_suitable"}])
    );
    // Fever with a cold: 1.1.0's urgent rule is gone; 2.x says not suitable now.
    let f = by("F-3");
    assert_eq!(
        (f["then"].as_str(), f["now"].as_str()),
        (Some("urgent"), Some("not_suitable"))
    );
    assert_eq!(rules(&f["no_longer_fired"]), ["fever_with_pain"]);
    assert!(rules(&f["newly_fired"]).contains(&"fever"));
    // Chest pain now is an emergency in both versions.
    let c = by("C-4");
    assert_eq!(
        (c["changed"].as_bool(), c["now"].as_str()),
        (Some(false), Some("emergency"))
    );
    assert!(rules(&c["fired_now"]).contains(&"em_chest_pain"));
    // 1.1.0's question on symptoms after needling is gone; 2.x asks new required questions
    // that this person never answered: incomplete, not guessed, and not emergency either.
    let n = by("N-5");
    assert_eq!(
        (n["then"].as_str(), n["now"].as_str()),
        (Some("emergency"), Some("incomplete"))
    );
    assert_eq!(rules(&n["no_longer_fired"]), ["em_after_needling"]);
    assert!(strings(&n["no_longer_asked"]).contains(&"em_after_needling"));
    let missing = strings(&n["unanswered_now"]);
    assert!(missing.contains(&"recent_needling_any") && missing.contains(&"passed_gate"));
    assert!(rules(&n["fired_now"]).is_empty());
    // Cancer with worsening weakness: 2.x's cancer rules read other questions; less urgent.
    let k = by("K-6");
    assert_eq!(
        (k["then"].as_str(), k["now"].as_str()),
        (Some("urgent"), Some("see_doctor"))
    );
    assert!(rules(&k["no_longer_fired"]).contains(&"cancer_with_neuro"));
    let summary = &lines[6];
    assert_eq!(summary["kind"], "summary");
    assert_eq!(
        (summary["rescored"].as_u64(), summary["changed"].as_u64()),
        (Some(6), Some(5))
    );
    assert!(
        summary["transitions"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"then": "review", "now": "not_suitable", "count": 2}))
    );
    assert_eq!(summary["no_longer_asked"]["em_after_needling"], 6);
}

#[test]
fn the_text_summary_says_how_many_would_now_be_told_what_and_lists_them() {
    let dir = saved_old_records();
    let r = run(needlecheck().arg("rescore").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains(
            "3 of 6 would now be told \"Dry needling is not suitable now\" (not suitable), \
             instead of: urgent 1, review 2."
        ),
        "{out}"
    );
    assert!(
        out.contains("5 of 6 past screenings would now get another outcome."),
        "{out}"
    );
    // Each changed record: its file, then and now, the patient as the record names them.
    let w = out.lines().find(|l| l.contains("patient W-1")).expect(out);
    assert!(
        w.contains(
            ": review -> not suitable (patient W-1, ended 2027-01-01T00:01:40Z, version 1.1.0)"
        ),
        "{w}"
    );
    assert!(
        out.contains("  fires now, not then: inr_above_limit (not suitable)"),
        "{out}"
    );
    assert!(
        out.contains("required now, without a usable answer (nothing guessed: ask the person): "),
        "{out}"
    );
    // The unchanged emergency is in the table, not in the list.
    assert!(!out.contains("patient C-4"), "{out}");
    let now = load(NEW).version().to_string();
    assert!(
        out.contains(&format!(
            "Answers to questions {now} no longer has (records): em_after_needling 6"
        )),
        "{out}"
    );
    assert!(out.contains("Every record read was re-scored."), "{out}");
}

/// `score --jsonl --format json` of `answers` (one answers document per line) under the
/// questionnaire `q` (`None`: the built-in one): records as a stream holds them.
fn scored_stream(q: Option<&str>, answers: &[Value]) -> String {
    let input: String = answers
        .iter()
        .map(|a| format!("{{\"answers\":{a}}}\n"))
        .collect();
    let mut cmd = needlecheck();
    if let Some(q) = q {
        cmd.args(["-q", q]);
    }
    let r = run(cmd.args(["score", "--jsonl", "-a", "-"]).write_stdin(input));
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.stdout
}

/// A stream of records with one of each kind of bad record, in lines 2 to 6.
fn stream_with_bad_records(dir: &Path) -> PathBuf {
    let good = scored_stream(Some(OLD), &[case_answers(OLD, "warfarin, INR 3.6")]);
    let record: Value = serde_json::from_str(good.trim()).unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut r = record.clone();
        f(&mut r);
        r.to_string()
    };
    let new_sha = load(NEW).sha256().to_string();
    let lines = [
        good.trim().to_string(),
        r#"{"tool": {"name": "needlecheck"}, "questionnaire": "#.to_string(),
        with(&|r| r["questionnaire"]["id"] = "knee-check".into()),
        // Says the built-in version with 1.1.0's SHA-256, then 1.1.0 with the built-in's, then
        // 1.1.0 changed.
        with(&|r| r["questionnaire"]["version"] = load(NEW).version().into()),
        with(&|r| r["questionnaire"]["sha256"] = new_sha.clone().into()),
        with(&|r| r["questionnaire"]["sha256"] = "0".repeat(64).into()),
        r#"{"line": 3, "error": "invalid answers", "problems": []}"#.to_string(),
    ];
    let path = dir.join("records.jsonl");
    fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn bad_records_are_each_reported_with_their_line_and_the_rest_rescored() {
    let dir = tempfile::tempdir().unwrap();
    let path = stream_with_bad_records(dir.path());
    let r = run(needlecheck().arg("rescore").arg(&path));
    assert_eq!(r.code, 2, "bad records are bad input: {}", r.stdout);
    let out = &r.stdout;
    let line = |n: usize| -> &str {
        let at = format!("records.jsonl:{n}: ");
        out.lines()
            .find(|l| l.contains(&at))
            .unwrap_or_else(|| panic!("no line {n}: {out}"))
    };
    assert!(line(1).contains("review -> not suitable"), "{out}");
    assert!(
        line(2).contains("NOT RE-SCORED: not valid JSON (line 1, column "),
        "{out}"
    );
    assert!(
        line(3).contains("a record of questionnaire `knee-check`, not `dry-needling`"),
        "{out}"
    );
    let now = load(NEW).version().to_string();
    assert!(
        line(4).contains(&format!("names version {now} with SHA-256")),
        "{out}"
    );
    assert!(
        line(4).contains("by the questionnaire re-scored against"),
        "{out}"
    );
    assert!(
        line(5).contains(&format!("that SHA-256 is version {now}")),
        "{out}"
    );
    // 1.1.0's SHA-256 is known from the first record of it in this run.
    assert!(line(6).contains("by the first record of it ("), "{out}");
    assert!(line(6).contains("records.jsonl:1)"), "{out}");
    assert!(
        line(7).contains("not a needlecheck record (no `questionnaire`)"),
        "{out}"
    );
    assert!(out.contains("NOT RE-SCORED: 6 records (not JSON 1, not a record 1, another questionnaire 1, SHA-256 mismatch 3), listed above."), "{out}");
}

#[test]
fn a_known_earlier_version_is_what_its_records_are_checked_against() {
    let dir = tempfile::tempdir().unwrap();
    let path = stream_with_bad_records(dir.path());
    let r = run(needlecheck().args(["rescore", "--known", OLD]).arg(&path));
    assert_eq!(r.code, 2);
    let six = r
        .stdout
        .lines()
        .find(|l| l.contains("records.jsonl:6: "))
        .unwrap();
    assert!(
        six.contains("by tests/fixtures/dry-needling-1.1.0.json: "),
        "{six}"
    );
}

#[test]
fn json_output_is_one_document_that_tools_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = stream_with_bad_records(dir.path());
    let r = run(needlecheck()
        .args(["rescore", "--format", "json"])
        .arg(&path));
    assert_eq!(r.code, 2);
    let doc: Value = serde_json::from_str(&r.stdout).expect("one JSON document");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 7);
    assert_eq!(records[0]["kind"], "rescored");
    assert_eq!(records[1]["kind"], "problem");
    assert_eq!(records[1]["problem"], "not_json");
    assert!(
        records[1]["source"]
            .as_str()
            .unwrap()
            .ends_with("records.jsonl:2")
    );
    assert_eq!(records[2]["problem"], "other_questionnaire");
    assert_eq!(records[3]["problem"], "hash_mismatch");
    let s = &doc["summary"];
    assert_eq!(
        (s["rescored"].as_u64(), s["not_rescored"].as_u64()),
        (Some(1), Some(6))
    );
    assert_eq!(s["problems"]["hash_mismatch"], 3);
}

#[test]
fn records_under_their_own_version_do_not_change() {
    // Every embedded test case of 2.x without clinic settings, scored and re-scored.
    let file: Value = serde_json::from_str(&fs::read_to_string(NEW).unwrap()).unwrap();
    let answers: Vec<Value> = (file["tests"].as_array().unwrap().iter())
        .filter(|t| t.get("settings").is_none())
        .map(|t| t["answers"].clone())
        .collect();
    let records = scored_stream(None, &answers);
    let r = run(needlecheck()
        .args(["rescore", "--format", "jsonl", "-"])
        .write_stdin(records));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let lines = json_lines(&r.stdout);
    let summary = lines.last().unwrap();
    assert_eq!(summary["rescored"].as_u64(), Some(answers.len() as u64));
    assert_eq!(summary["changed"], 0, "{summary}");
    assert!(
        lines
            .iter()
            .all(|l| l["kind"] == "summary" || l["newly_fired"] == serde_json::json!([]))
    );
}

#[test]
fn another_clinic_file_shows_its_settings_and_what_they_change() {
    let answers = [case_answers(
        NEW,
        "warfarin, INR exactly 3.0 is not above 3",
    )];
    let records = scored_stream(None, &answers);
    let r = run(needlecheck()
        .args([
            "rescore",
            "--clinic",
            "questionnaires/clinic-example.json",
            "-",
        ])
        .write_stdin(records));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The clinic's INR limit of 2.5 is below 3.0.
    assert!(
        r.stdout.contains("<stdin>:1: review -> not suitable"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("inr_limit (3 -> 2.5)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("with clinic file of Harbour Physio"),
        "{}",
        r.stdout
    );
}

#[test]
fn no_answer_is_ever_quoted_and_patient_ids_cannot_drive_the_terminal() {
    let q = load(OLD);
    let dir = tempfile::tempdir().unwrap();
    save_old(&q, dir.path(), "warfarin, INR 3.6", "W-1");
    let saved = (fs::read_dir(dir.path()).unwrap())
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .unwrap();
    let mut record: Value = serde_json::from_str(&fs::read_to_string(&saved).unwrap()).unwrap();
    // A patient ID with a terminal escape (a hand-edited record) and an answer that 2.x
    // cannot read, holding something that must never be printed.
    record["subject"] = "W-1\u{1b}]0;owned\u{7}".into();
    record["answers"]["blood_gate"] = "SECRET-ANSWER".into();
    let edited = dir.path().join("edited.json");
    fs::write(&edited, record.to_string()).unwrap();
    let mut broken = record.clone();
    broken["outcome"] = "SECRET-OUTCOME".into();
    fs::write(dir.path().join("broken.json"), broken.to_string()).unwrap();
    let r = run(needlecheck().arg("rescore").arg(dir.path()));
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(!all.contains("SECRET"), "{all}");
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all}");
    assert!(all.contains("patient W-1\\u{1b}]0;owned\\u{7}"), "{all}");
    assert!(
        all.contains("; `blood_gate` takes \"yes\" or \"no\" or \"unsure\", not other text"),
        "{all}"
    );
    assert!(all.contains("broken.json: NOT RE-SCORED: not a needlecheck record (`outcome` is not what a record holds there)"), "{all}");
}

#[test]
fn against_and_q_together_are_a_usage_error() {
    let r = run(needlecheck().args(["-q", NEW, "rescore", "--against", NEW, "-"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("give the questionnaire to score under once"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_file_is_an_io_error_after_the_others_are_rescored() {
    let dir = saved_old_records();
    let missing = dir.path().join("nothing-here.jsonl");
    let r = run(needlecheck().arg("rescore").arg(dir.path()).arg(&missing));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("nothing-here.jsonl"), "{}", r.stderr);
    assert!(r.stdout.contains("5 of 6 past screenings"), "{}", r.stdout);
    assert!(
        r.stdout.contains("NOT READ: 1 files or folders"),
        "{}",
        r.stdout
    );
}
