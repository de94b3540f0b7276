//! Clinic files through the binary: the same answers give the standard outcome under one
//! clinic file and the strict one under another; records pin the clinic file and the effective
//! settings; a bad clinic file is a located error with exit 2 and nothing screened.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

mod common;
use common::{Run, needlecheck, run};

const EXAMPLE: &str = "questionnaires/clinic-example.json";

fn ok(r: &Run) -> &Run {
    assert_eq!(r.code, 0, "stdout:\n{}\nstderr:\n{}", r.stdout, r.stderr);
    r
}

/// The answers of one of the default questionnaire's embedded test cases.
fn case_answers(name: &str) -> Value {
    let text = std::fs::read_to_string("questionnaires/dry-needling.json").unwrap();
    let q: Value = serde_json::from_str(&text).unwrap();
    let case = q["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no embedded case {name:?}"));
    json!({ "answers": case["answers"] })
}

fn write(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p
}

fn clinic(implant: &str) -> Value {
    json!({
        "questionnaire": "dry-needling",
        "clinic": { "name": format!("Clinic {implant}"), "phone": "02 9000 0000" },
        "settings": { "implant_policy": implant },
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn score_json(answers: &Path, clinic: Option<&Path>) -> Value {
    let mut cmd = needlecheck();
    cmd.args(["score", "--format", "json", "-a"]).arg(answers);
    if let Some(c) = clinic {
        cmd.arg("--clinic").arg(c);
    }
    serde_json::from_str(&ok(&run(&mut cmd)).stdout).expect("a JSON record")
}

/// The ids of the rules a JSON record says fired.
fn fired_rules(record: &Value) -> Vec<String> {
    record["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_same_answers_give_the_standard_and_the_strict_outcome_under_two_clinic_files() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(dir.path(), "a.json", &case_answers("pacemaker"));
    let standard = write(dir.path(), "standard.json", &clinic("standard"));
    let strict = write(dir.path(), "strict.json", &clinic("strict"));

    let a = score_json(&answers, Some(&standard));
    let b = score_json(&answers, Some(&strict));
    let none = score_json(&answers, None);
    assert_eq!(a["outcome"], "review", "{a}");
    assert_eq!(none["outcome"], "review", "{none}");
    assert_eq!(b["outcome"], "not_suitable", "{b}");
    assert!(
        fired_rules(&b).contains(&"electrical_device_strict".into()),
        "{b}"
    );
    assert!(
        !fired_rules(&a).contains(&"electrical_device_strict".into()),
        "{a}"
    );

    // Each record pins its clinic file and the effective settings, defaults included.
    for (rec, path, policy) in [(&a, &standard, "standard"), (&b, &strict, "strict")] {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(rec["clinic"]["sha256"], sha256_hex(&bytes), "{rec}");
        assert_eq!(rec["settings"]["implant_policy"], policy, "{rec}");
        assert_eq!(rec["settings"]["inr_limit"], 3, "{rec}");
        assert_eq!(rec["settings"]["consent_age"], 18, "{rec}");
    }
    assert_eq!(none["clinic"], Value::Null, "{none}");
    assert_eq!(none["settings"]["implant_policy"], "standard", "{none}");

    // A stored record re-scores under another clinic file.
    let record = write(dir.path(), "record.json", &a);
    let again = score_json(&record, Some(&strict));
    assert_eq!(again["outcome"], "not_suitable", "{again}");

    // The environment names the clinic file when --clinic is not given.
    let r = run(needlecheck()
        .env("NEEDLECHECK_CLINIC", &strict)
        .args(["score", "--format", "json", "-a"])
        .arg(&answers));
    let v: Value = serde_json::from_str(&ok(&r).stdout).unwrap();
    assert_eq!(v["outcome"], "not_suitable", "{v}");
}

#[test]
fn an_at_risk_limb_is_ruled_out_by_default_and_left_to_the_practitioner_under_review() {
    let dir = tempfile::tempdir().unwrap();
    let review = write(
        dir.path(),
        "review.json",
        &json!({ "questionnaire": "dry-needling", "settings": { "at_risk_limb_policy": "review" } }),
    );
    // Nodes removed under the left arm, no lymphoedema, only the left arm wanted.
    let at_risk = write(
        dir.path(),
        "at-risk.json",
        &case_answers(
            "clinic setting at-risk limb review: nodes removed under the left arm, no \
             lymphoedema, left arm wanted: the practitioner decides",
        ),
    );
    let default = score_json(&at_risk, None);
    assert_eq!(default["outcome"], "not_suitable", "{default}");
    assert_eq!(
        default["settings"]["at_risk_limb_policy"], "avoid",
        "{default}"
    );
    assert!(
        fired_rules(&default).contains(&"lymph_arm_left".into()),
        "{default}"
    );
    let permissive = score_json(&at_risk, Some(&review));
    assert_eq!(permissive["outcome"], "review", "{permissive}");
    assert_eq!(permissive["settings"]["at_risk_limb_policy"], "review");
    assert_eq!(
        fired_rules(&permissive),
        ["cancer_history", "lymph_arm_left_at_risk"],
        "{permissive}"
    );
    // The record made under the default re-scores under the clinic's policy.
    let record = write(dir.path(), "record.json", &default);
    assert_eq!(score_json(&record, Some(&review))["outcome"], "review");
    let r = run(needlecheck()
        .args(["score", "--clinic"])
        .arg(&review)
        .arg("-a")
        .arg(&at_risk));
    assert!(
        ok(&r)
            .stdout
            .contains("they will decide with you whether to needle it"),
        "{}",
        r.stdout
    );

    // The same policy never lets a limb with lymphoedema be needled.
    let swollen = write(
        dir.path(),
        "swollen.json",
        &case_answers(
            "clinic setting at-risk limb review: lymphoedema of the left arm after nodes were \
             removed on both sides, left arm only wanted: still ruled out",
        ),
    );
    let v = score_json(&swollen, Some(&review));
    assert_eq!(v["outcome"], "not_suitable", "{v}");
    assert!(fired_rules(&v).contains(&"lymph_arm_left".into()), "{v}");
    assert!(
        !fired_rules(&v).contains(&"lymph_arm_left_at_risk".into()),
        "{v}"
    );
}

#[test]
fn a_number_setting_moves_the_inr_limit_and_its_wording() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(
        dir.path(),
        "a.json",
        &case_answers("warfarin, INR 2.4 known"),
    );
    let low = write(
        dir.path(),
        "low.json",
        &json!({ "questionnaire": "dry-needling", "settings": { "inr_limit": 2.2 } }),
    );
    assert_eq!(score_json(&answers, None)["outcome"], "review");
    let r = run(needlecheck()
        .args(["score", "--clinic"])
        .arg(&low)
        .arg("-a")
        .arg(&answers));
    assert!(ok(&r).stdout.contains("(not suitable)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("above 2.2, this clinic's limit"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("{inr_limit}"), "{}", r.stdout);
}

#[test]
fn the_clinic_name_and_phone_are_in_the_advice_and_the_handover() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(dir.path(), "a.json", &case_answers("pacemaker"));
    let r = run(needlecheck()
        .args(["score", "--staff", "--clinic", EXAMPLE, "-a"])
        .arg(&answers));
    let out = &ok(&r).stdout;
    assert!(out.contains("Clinic: Harbour Physio"), "{out}");
    assert!(out.contains("02 9000 0000 Harbour Physio"), "{out}");
    let handover = out
        .split("HANDOVER FOR THE PRACTITIONER")
        .nth(1)
        .expect("a handover");
    assert!(handover.contains("Clinic: Harbour Physio"), "{out}");
    // The example sets the strict implant policy.
    assert!(out.contains("(not suitable)"), "{out}");
    // Without a clinic file, no clinic line.
    let plain = run(needlecheck().args(["score", "-a"]).arg(&answers));
    assert!(!ok(&plain).stdout.contains("Clinic:"), "{}", plain.stdout);
}

#[test]
fn a_bad_clinic_file_is_a_located_error_and_nothing_is_screened() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(dir.path(), "a.json", &case_answers("pacemaker"));
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"questionnaire\": \"dry-needling\",\n  \"settings\": {\n    \"implant_polcy\": \"strict\",\n    \"inr_limit\": 9\n  }\n}\n",
    )
    .unwrap();
    let other = write(
        dir.path(),
        "other.json",
        &json!({ "questionnaire": "acupuncture" }),
    );
    let shape = write(
        dir.path(),
        "shape.json",
        &json!({ "questionnaire": "dry-needling", "settings": 5 }),
    );
    let missing = dir.path().join("missing.json");
    for (file, want) in [
        (
            &bad,
            vec![
                "bad.json:4:5",
                "unknown setting `implant_polcy`",
                "did you mean `implant_policy`?",
                "bad.json:5:18",
                "out of range",
            ],
        ),
        (&other, vec!["other.json:2:", "not `dry-needling`"]),
        // The hint names the command that prints the clinic file's format.
        (&shape, vec!["shape.json:3:", "`needlecheck schema clinic`"]),
        (&missing, vec!["missing.json"]),
    ] {
        for args in [vec!["score", "-a"], vec!["score", "--format", "json", "-a"]] {
            let r = run(needlecheck()
                .arg("--clinic")
                .arg(file)
                .args(&args)
                .arg(&answers));
            assert_eq!(r.code, 2, "{file:?} {args:?}\n{}", r.stderr);
            assert_eq!(r.stdout, "", "nothing screened under {file:?}");
            for w in &want {
                assert!(r.stderr.contains(w), "{w:?} missing from\n{}", r.stderr);
            }
        }
        let r = run(needlecheck().arg("--clinic").arg(file).arg("settings"));
        assert_eq!(r.code, 2, "{}", r.stderr);
        let r = run(needlecheck().arg("--clinic").arg(file).arg("validate"));
        assert_eq!(r.code, 2, "{}", r.stderr);
    }
    // A bad file named by the environment is refused too.
    let r = run(needlecheck()
        .env("NEEDLECHECK_CLINIC", &bad)
        .args(["score", "-a"])
        .arg(&answers));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[test]
fn contacts_are_replaced_by_id_or_added() {
    let dir = tempfile::tempdir().unwrap();
    let answers = write(dir.path(), "a.json", &case_answers("pacemaker"));
    let c = write(
        dir.path(),
        "c.json",
        &json!({
            "questionnaire": "dry-needling",
            "contacts": [
                { "id": "nurse_line", "number": "1800 111 222" },
                { "id": "local_gp", "name": "Harbour After-hours GP", "number": "02 9111 2222",
                  "show_for": ["review"] }
            ]
        }),
    );
    let r = run(needlecheck()
        .args(["score", "--clinic"])
        .arg(&c)
        .arg("-a")
        .arg(&answers));
    let out = &ok(&r).stdout;
    assert!(
        out.contains("1800 111 222 1800MEDICARE nurse line"),
        "{out}"
    );
    assert!(!out.contains("1800 633 422 1800MEDICARE"), "{out}");
    assert!(out.contains("02 9111 2222 Harbour After-hours GP"), "{out}");
}

#[test]
fn settings_lists_defaults_and_effective_values() {
    let r = run(needlecheck().args(["settings", "--format", "json", "--clinic", EXAMPLE]));
    let v: Value = serde_json::from_str(&ok(&r).stdout).unwrap();
    let list = v["settings"].as_array().unwrap();
    let get = |id: &str| list.iter().find(|s| s["id"] == id).unwrap().clone();
    for id in [
        "implant_policy",
        "metal_allergy_policy",
        "artificial_valve_policy",
        "inr_limit",
        "consent_age",
        "first_trimester_policy",
        "at_risk_limb_policy",
    ] {
        let s = get(id);
        assert!(s["label"].is_string() && s["help"].is_string(), "{s}");
    }
    assert_eq!(get("implant_policy")["default"], "standard");
    assert_eq!(get("implant_policy")["effective"], "strict");
    assert_eq!(get("inr_limit")["effective"], 2.5);
    assert_eq!(get("at_risk_limb_policy")["default"], "avoid");
    assert_eq!(get("at_risk_limb_policy")["effective"], "review");
    assert_eq!(v["clinic"]["name"], "Harbour Physio");

    let r = run(needlecheck().arg("settings"));
    let text = &ok(&r).stdout;
    assert!(text.contains("No clinic file"), "{text}");
    assert!(
        text.contains("[inr_limit]") && text.contains("effective: 3"),
        "{text}"
    );

    let r = run(needlecheck().args(["validate", "--clinic", EXAMPLE]));
    ok(&r);
}

#[test]
fn clinic_schema_is_current() {
    let r = run(needlecheck().args(["schema", "clinic"]));
    let committed = std::fs::read_to_string("questionnaires/clinic.schema.json").unwrap();
    assert_eq!(
        ok(&r).stdout,
        committed,
        "questionnaires/clinic.schema.json is out of date; \
         run `cargo run -- schema clinic > questionnaires/clinic.schema.json`"
    );
    let schema: Value = serde_json::from_str(&committed).unwrap();
    assert!(schema["properties"]["settings"].is_object(), "{schema}");
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .contains(&json!("questionnaire"))
    );
}

#[test]
fn a_saved_screening_pins_the_clinic_file_and_the_effective_settings() {
    use needlecheck::formats::Format;
    use needlecheck::records;
    use needlecheck::screening::{Mode, Screening, Start, Status};
    use std::time::{Duration, UNIX_EPOCH};
    let base = needlecheck::loader::embedded().unwrap();
    let bytes = std::fs::read(EXAMPLE).unwrap();
    let q = needlecheck::clinic::load_str("clinic-example.json", &bytes, &base).unwrap();
    let v = case_answers("pacemaker");
    let a = q.parse_answers(v["answers"].as_object().unwrap()).unwrap();
    let start = Start {
        subject: Some("A-1".into()),
        staff: true,
        mode: Mode::Plain,
        started: UNIX_EPOCH + Duration::from_secs(1_798_761_600),
    };
    let s = Screening::from_answers(
        &q,
        a,
        start,
        Status::Completed,
        UNIX_EPOCH + Duration::from_secs(1_798_761_700),
    );
    assert_eq!(s.outcome.level, needlecheck::Level::NotSuitable);
    let dir = tempfile::tempdir().unwrap();
    let saved = records::save(dir.path(), &s, &Format::SAVED).unwrap();
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(saved.file(Format::Json).unwrap()).unwrap())
            .unwrap();
    assert_eq!(record["clinic"]["sha256"], sha256_hex(&bytes), "{record}");
    assert_eq!(record["clinic"]["name"], "Harbour Physio", "{record}");
    assert_eq!(
        record["settings"],
        json!({
            "implant_policy": "strict",
            "metal_allergy_policy": "review",
            "artificial_valve_policy": "review",
            "inr_limit": 2.5,
            "consent_age": 16,
            "first_trimester_policy": "not_suitable",
            "at_risk_limb_policy": "review"
        }),
        "{record}"
    );
    let handover = std::fs::read_to_string(saved.file(Format::Handover).unwrap()).unwrap();
    assert!(handover.contains("Clinic: Harbour Physio"), "{handover}");
}

#[test]
fn the_welcome_screen_names_the_clinic() {
    use needlecheck::frontend::RunOptions;
    use needlecheck::tui::app::{App, Msg, update};
    use needlecheck::tui::view;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let base = needlecheck::loader::embedded().unwrap();
    let q =
        needlecheck::clinic::load_str("c.json", &std::fs::read(EXAMPLE).unwrap(), &base).unwrap();
    for (qn, staff, want) in [(&q, false, true), (&q, true, true), (&base, false, false)] {
        let opts = RunOptions {
            staff,
            ..RunOptions::default()
        };
        let mut app = App::new(qn, &opts, (80, 24));
        update(&mut app, Msg::Resize(80, 24));
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| view::view(&app, f)).unwrap();
        let buf = t.backend().buffer();
        let mut text = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                text.push_str(buf[(x, y)].symbol());
            }
            text.push('\n');
        }
        assert_eq!(
            text.contains("Harbour Physio"),
            want,
            "staff {staff}:\n{text}"
        );
    }
}
