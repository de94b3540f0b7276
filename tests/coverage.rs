//! Coverage of a questionnaire by its test cases: what `validate --coverage` reports, and
//! `validate` failing on a rule that no test case fires unless the rule is marked exempt.
//!
//! `tests/fixtures/coverage.json` is covered in full; each test below changes one thing in it
//! and checks that exactly the gap of that kind is reported.

use std::path::Path;

use assert_cmd::Command;
use needlecheck::coverage::{Coverage, Gap};
use needlecheck::{Level, loader};
use serde_json::{Value, json};

mod common;
use common::{Run, needlecheck, run};

const FIXTURE: &str = "tests/fixtures/coverage.json";

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap()
}

fn coverage(v: &Value) -> Coverage {
    let q = loader::load_str("coverage.json", v.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("{}", e.render(false)));
    Coverage::of(&q)
}

/// The one question of the fixture's only section, by id: its pointer.
fn question_pointer(v: &Value, id: &str) -> String {
    let qs = v["sections"][0]["questions"].as_array().unwrap();
    let k = qs.iter().position(|q| q["id"] == id).unwrap();
    format!("/sections/0/questions/{k}")
}

fn push_question(v: &mut Value, question: Value) -> String {
    let id = question["id"].as_str().unwrap().to_string();
    v["sections"][0]["questions"]
        .as_array_mut()
        .unwrap()
        .push(question);
    question_pointer(v, &id)
}

fn tests_mut(v: &mut Value) -> &mut Vec<Value> {
    v["tests"].as_array_mut().unwrap()
}

fn validate(args: &[&str], file: &Path) -> Run {
    run(needlecheck().arg("validate").args(args).arg(file))
}

fn write(dir: &Path, v: &Value) -> std::path::PathBuf {
    let path = dir.join("q.json");
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path
}

#[test]
fn the_fixture_is_covered_in_full() {
    let c = coverage(&fixture());
    assert_eq!(c.gaps, []);
    let m = &c.measures;
    assert_eq!((m.rules_fired.covered, m.rules_fired.total), (5, 5));
    assert_eq!((m.rules_held_back.covered, m.rules_held_back.total), (5, 5));
    assert_eq!((m.levels_reached.covered, m.levels_reached.total), (7, 7));
    assert_eq!(
        (m.questions_answered.covered, m.questions_answered.total),
        (5, 5)
    );
    assert_eq!((m.options_chosen.covered, m.options_chosen.total), (4, 4));
    assert_eq!((m.show_if_sides.covered, m.show_if_sides.total), (2, 2));
}

#[test]
fn the_default_questionnaire_is_covered_in_full() {
    let r = Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .env("NO_COLOR", "1")
        .args(["validate", "--coverage"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(r.stdout).unwrap();
    assert_eq!(r.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("{}: full coverage\n", loader::EMBEDDED_NAME)),
        "{stdout}"
    );
    // Every measure is complete: "N of N" on each of the six lines.
    let measures: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains(" of "))
        .collect();
    assert_eq!(measures.len(), 6, "{stdout}");
    for line in &measures {
        let numbers: Vec<&str> = line.split_whitespace().rev().take(3).collect();
        assert_eq!(numbers[0], numbers[2], "not full: {line}");
    }
    // And with no exemption: every rule is fired by a test case.
    let q = loader::embedded().unwrap();
    let c = Coverage::of(&q);
    assert_eq!(c.exempt, []);
    assert_eq!(c.measures.rules_fired.covered, q.rules().len());
}

#[test]
fn a_rule_no_test_case_fires_fails_validate_at_the_rule() {
    let mut v = fixture();
    v["rules"].as_array_mut().unwrap().push(json!({
        "id": "over_110", "level": "review", "message": "Over 110.",
        "when": {"q": "age", "gt": 110}
    }));
    assert_eq!(
        coverage(&v).gaps,
        [Gap::RuleNeverFires {
            rule: "over_110".into(),
            pointer: "/rules/5".into()
        }]
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &v);
    let r = validate(&[], &path);
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    // Located: file:line:col of the rule's id, with the pointer and the way out.
    let text = std::fs::read_to_string(&path).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("\"over_110\""))
        .unwrap()
        + 1;
    let place = format!("{}:{line}:", path.display());
    assert!(r.stderr.contains(&place), "no {place} in:\n{}", r.stderr);
    assert!(r.stderr.contains("/rules/5/id"), "{}", r.stderr);
    assert!(
        r.stderr.contains("no test case fires rule `over_110`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("coverage_exempt"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("INCOMPLETE COVERAGE (1 rule no test case fires)"),
        "{}",
        r.stdout
    );
    // The test cases themselves all passed.
    assert!(r.stdout.ends_with("7 passed, 0 failed\n"), "{}", r.stdout);
}

#[test]
fn a_rule_marked_exempt_passes_and_is_listed_with_its_reason() {
    let mut v = fixture();
    v["rules"].as_array_mut().unwrap().push(json!({
        "id": "over_110", "level": "review", "message": "Over 110.",
        "when": {"q": "age", "gt": 110},
        "coverage_exempt": "kept for a \u{202e}future\nversion"
    }));
    let c = coverage(&v);
    assert_eq!(c.gaps, [], "an exempt rule is no gap");
    assert_eq!(c.exempt.len(), 1);
    assert_eq!(
        c.measures.rules_fired.total, 5,
        "exempt rules are not counted"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &v);
    let r = validate(&["--coverage"], &path);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("exempt from coverage (1):\n"),
        "{}",
        r.stdout
    );
    // The reason is the file's text: shown on one line, with the bidi control escaped.
    let listed = r.stdout.lines().find(|l| l.contains("over_110")).unwrap();
    assert!(
        listed.contains("kept for a \\u{202e}future\\u{a}version"),
        "{listed}"
    );
    assert!(!r.stdout.contains('\u{202e}'));

    // An exemption that a test case makes needless is said to be so.
    tests_mut(&mut v).push(json!({
        "name": "115", "expect": "not_suitable",
        "answers": {"chest": "no", "pain": "no", "meds": ["warfarin"], "age": 115}
    }));
    let r = validate(&["--coverage"], &write(dir.path(), &v));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("fired by 1 test case all the same"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_empty_exemption_reason_is_refused() {
    let mut v = fixture();
    v["rules"][4]["coverage_exempt"] = json!("  ");
    let e = loader::load_str("q.json", v.to_string().as_bytes()).unwrap_err();
    let shown = e.render(false);
    assert!(shown.contains("/rules/4/coverage_exempt"), "{shown}");
    assert!(shown.contains("reason"), "{shown}");
}

#[test]
fn a_rule_every_test_case_fires_where_it_could_is_a_gap() {
    let mut v = fixture();
    // Fires in both test cases that answer `where`: never seen holding back.
    v["rules"].as_array_mut().unwrap().push(json!({
        "id": "any_place", "level": "review", "message": "Pain somewhere.",
        "when": {"q": "where", "one_of": ["back", "neck"]}
    }));
    assert_eq!(
        coverage(&v).gaps,
        [Gap::RuleNeverHeldBack {
            rule: "any_place".into(),
            pointer: "/rules/5".into()
        }]
    );
}

#[test]
fn a_level_no_test_case_reaches_is_a_gap() {
    let mut v = fixture();
    tests_mut(&mut v).retain(|t| t["expect"] != "incomplete");
    assert_eq!(
        coverage(&v).gaps,
        [Gap::LevelNeverReached {
            level: Level::Incomplete
        }]
    );
}

#[test]
fn a_question_no_test_case_answers_is_a_gap() {
    let mut v = fixture();
    let pointer = push_question(
        &mut v,
        json!({"id": "notes", "type": "text", "text": "Anything else?", "required": false}),
    );
    assert_eq!(
        coverage(&v).gaps,
        [Gap::QuestionNeverAnswered {
            question: "notes".into(),
            pointer
        }]
    );
}

#[test]
fn an_option_no_test_case_chooses_is_a_gap() {
    let mut v = fixture();
    v["sections"][0]["questions"][3]["options"]
        .as_array_mut()
        .unwrap()
        .push(json!({"code": "heparin", "label": "Heparin"}));
    assert_eq!(
        coverage(&v).gaps,
        [Gap::OptionNeverChosen {
            question: "meds".into(),
            option: "heparin".into(),
            pointer: format!("{}/options/2", question_pointer(&v, "meds"))
        }]
    );
}

#[test]
fn a_show_if_never_true_is_a_gap_even_where_not_sure_shows_the_question() {
    let mut v = fixture();
    // "Not sure" about pain shows `where` without making its show_if true.
    for t in tests_mut(&mut v) {
        if t["answers"]["pain"] == "yes" {
            t["answers"]["pain"] = json!("unsure");
        }
    }
    assert_eq!(
        coverage(&v).gaps,
        [Gap::ShowIfNeverTrue {
            question: "where".into(),
            pointer: format!("{}/show_if", question_pointer(&v, "where"))
        }]
    );
}

#[test]
fn a_show_if_never_false_is_a_gap() {
    let mut v = fixture();
    let pointer = push_question(
        &mut v,
        json!({"id": "notes", "type": "text", "text": "Anything else?", "required": false,
               "show_if": {"q": "age", "ge": 0}}),
    );
    v["tests"][0]["answers"]["notes"] = json!("none");
    assert_eq!(
        coverage(&v).gaps,
        [Gap::ShowIfNeverFalse {
            question: "notes".into(),
            pointer: format!("{pointer}/show_if")
        }]
    );
}

#[test]
fn gaps_are_printed_grouped_and_bounded() {
    let mut v = fixture();
    let options = v["sections"][0]["questions"][3]["options"]
        .as_array_mut()
        .unwrap();
    for i in 0..25 {
        options.push(json!({"code": format!("drug_{i}"), "label": format!("Drug {i}")}));
    }
    tests_mut(&mut v).retain(|t| t["expect"] != "incomplete");
    let dir = tempfile::tempdir().unwrap();
    let r = validate(&["--coverage"], &write(dir.path(), &v));
    // Gaps other than a rule never fired are reported, not failed on.
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let out = &r.stdout;
    let levels = out.find("levels no test case reaches (1):\n  `incomplete`\n");
    let options = out.find("options no test case chooses where shown (25):\n");
    assert!(levels.is_some() && options.is_some(), "{out}");
    assert!(levels < options, "groups out of order:\n{out}");
    let listed = out
        .lines()
        .filter(|l| l.contains("of question `meds`"))
        .count();
    assert_eq!(listed, needlecheck::coverage::MAX_LISTED, "{out}");
    assert!(out.contains("  ... and 5 more\n"), "{out}");
    assert!(out.contains(": 26 gaps\n"), "{out}");
    assert!(
        out.contains("options chosen                             4 of 29"),
        "{out}"
    );
}

/// Past [`needlecheck::coverage::MAX_KEPT`] gaps of a kind, the others are counted, not kept:
/// the listing and the summary still give the whole count.
#[test]
fn gaps_past_those_kept_are_counted() {
    let mut v = fixture();
    let options = v["sections"][0]["questions"][3]["options"]
        .as_array_mut()
        .unwrap();
    for i in 0..250 {
        options.push(json!({"code": format!("drug_{i}"), "label": format!("Drug {i}")}));
    }
    tests_mut(&mut v).retain(|t| t["expect"] != "incomplete");
    let c = coverage(&v);
    let kept = c
        .gaps
        .iter()
        .filter(|g| matches!(g, Gap::OptionNeverChosen { .. }))
        .count();
    assert_eq!(kept, needlecheck::coverage::MAX_KEPT);
    let first = c
        .gaps
        .iter()
        .find(|g| matches!(g, Gap::OptionNeverChosen { .. }));
    assert!(
        matches!(first, Some(Gap::OptionNeverChosen { option, .. }) if option == "drug_0"),
        "{first:?}"
    );
    let out = c.render_text("q.json");
    assert!(
        out.contains("options no test case chooses where shown (250):\n"),
        "{out}"
    );
    assert!(out.contains("  ... and 230 more\n"), "{out}");
    assert!(out.contains("q.json: 251 gaps\n"), "{out}");
    assert!(
        out.contains("options chosen                             4 of 254"),
        "{out}"
    );
}

/// Rules that no test case fires, past the problems an error lists: the error lists the first
/// ones and counts the rest, and the summary counts them all.
#[test]
fn rules_never_fired_past_those_listed_are_counted() {
    let mut v = fixture();
    let rules = v["rules"].as_array_mut().unwrap();
    for i in 0..250 {
        rules.push(json!({
            "id": format!("never_{i}"), "level": "review", "message": "Never.",
            "when": {"all": [{"q": "age", "ge": 119}, {"q": "chest", "equals": "no"}]}
        }));
    }
    let dir = tempfile::tempdir().unwrap();
    let r = validate(&[], &write(dir.path(), &v));
    assert_eq!(r.code, 2, "{}\n{}", r.stdout, r.stderr);
    let listed = r
        .stderr
        .lines()
        .filter(|l| l.contains("no test case fires rule `never_"))
        .count();
    assert_eq!(
        listed,
        needlecheck::diagnostics::MAX_REPORTED,
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("... and 50 more problems not shown"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("INCOMPLETE COVERAGE (250 rules no test case fires)"),
        "{}",
        r.stdout
    );
}

#[test]
fn validate_without_coverage_prints_no_gaps() {
    let mut v = fixture();
    tests_mut(&mut v).retain(|t| t["expect"] != "incomplete");
    let dir = tempfile::tempdir().unwrap();
    let r = validate(&[], &write(dir.path(), &v));
    assert_eq!(r.code, 0);
    assert!(!r.stdout.contains("incomplete"), "{}", r.stdout);
    assert!(!r.stdout.contains("coverage"), "{}", r.stdout);
}

#[test]
fn a_rule_only_a_clinic_setting_fires_counts_when_a_test_case_sets_it() {
    let mut v = fixture();
    v["settings"] = json!([{"id": "strict", "type": "yes_no", "label": "Strict policy",
                            "help": "Yes: aspirin is reviewed.", "default": "no"}]);
    v["rules"].as_array_mut().unwrap().push(json!({
        "id": "aspirin_strict", "level": "review", "message": "Aspirin.",
        "when": {"all": [{"q": "meds", "contains": "aspirin"},
                         {"setting": "strict", "equals": "yes"}]}
    }));
    tests_mut(&mut v).push(json!({
        "name": "aspirin at a strict clinic", "settings": {"strict": "yes"}, "expect": "review",
        "answers": {"chest": "no", "pain": "no", "meds": ["aspirin"], "age": 40}
    }));
    // Fired under the test case's own setting; held back under the default elsewhere.
    assert_eq!(coverage(&v).gaps, []);
    // The same answers under the default setting do not fire it.
    let last = tests_mut(&mut v).last_mut().unwrap();
    last.as_object_mut().unwrap().remove("settings");
    last["expect"] = json!("clear");
    assert_eq!(
        coverage(&v).gaps,
        [Gap::RuleNeverFires {
            rule: "aspirin_strict".into(),
            pointer: "/rules/5".into()
        }]
    );
}
