//! The FHIR R4 export: schema-valid against the official R4 JSON Schema, and consistent where
//! the schema cannot see (linkIds, answer types against item types).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use assert_cmd::Command;
use needlecheck::fhir;
use needlecheck::selftest::case_questionnaire;
use needlecheck::{Questionnaire, loader};
use serde_json::{Value, json};

/// The official schema, compiled once per resource type it is asked for.
fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let text = std::fs::read_to_string("tests/fixtures/fhir/fhir.schema.json")
            .expect("the vendored FHIR schema is readable");
        serde_json::from_str(&text).expect("the vendored FHIR schema is JSON")
    })
}

/// The validator of one resource type, compiled once.
fn validator(resource: &'static str) -> &'static jsonschema::Validator {
    static DONE: OnceLock<Mutex<HashMap<&'static str, &'static jsonschema::Validator>>> =
        OnceLock::new();
    let done = DONE.get_or_init(Default::default);
    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
    done.entry(resource)
        .or_insert_with(|| Box::leak(Box::new(compile(resource))))
}

/// A validator of one resource type: the schema with its root pointed at that definition
/// (the root's `oneOf` over every resource type makes each check slow and its errors vague).
fn compile(resource: &str) -> jsonschema::Validator {
    let mut root = json!({
        "$schema": "http://json-schema.org/draft-06/schema#",
        "$ref": format!("#/definitions/{resource}"),
    });
    root["definitions"] = schema()["definitions"].clone();
    jsonschema::draft6::new(&root).expect("the FHIR schema compiles")
}

fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .take(10)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid FHIR R4:\n{}",
        errors.join("\n")
    );
}

fn default_q() -> Questionnaire {
    loader::embedded().expect("the embedded questionnaire loads")
}

#[test]
fn the_questionnaire_in_both_wordings_and_the_levels_are_schema_valid() {
    let q = default_q();
    let v = validator("Questionnaire");
    for staff in [false, true] {
        let doc = fhir::questionnaire(&q, staff).unwrap();
        assert_valid(v, &doc, "the exported Questionnaire");
        assert_eq!(doc["url"], fhir::canonical_url(&q, staff));
        assert_eq!(doc["version"], q.version());
        assert_eq!(doc["status"], "active");
    }
    assert_valid(
        validator("CodeSystem"),
        &fhir::levels_code_system(),
        "the levels CodeSystem",
    );
}

#[test]
fn the_schema_check_catches_a_broken_resource() {
    // The check above must be able to fail: a wrong status and a wrong operator are refused.
    let q = default_q();
    let mut doc = fhir::questionnaire(&q, false).unwrap();
    doc["status"] = "done".into();
    assert!(!validator("Questionnaire").is_valid(&doc));
    let mut doc = fhir::questionnaire(&q, false).unwrap();
    let item = &mut doc["item"][0]["item"];
    let with_enable = item
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|i| i.get("enableWhen").is_some())
        .expect("the first section has an item with enableWhen");
    with_enable["enableWhen"][0]["operator"] = "lt".into();
    assert!(!validator("Questionnaire").is_valid(&doc));
}

/// Every item of a Questionnaire by linkId: its type and whether it repeats.
fn items(doc: &Value) -> HashMap<String, (String, bool)> {
    fn walk(items: &Value, out: &mut HashMap<String, (String, bool)>) {
        for i in items.as_array().into_iter().flatten() {
            let id = i["linkId"].as_str().unwrap().to_string();
            let kind = i["type"].as_str().unwrap().to_string();
            let repeats = i["repeats"].as_bool().unwrap_or(false);
            assert!(
                out.insert(id.clone(), (kind, repeats)).is_none(),
                "linkId {id} twice"
            );
            walk(&i["item"], out);
        }
    }
    let mut out = HashMap::new();
    walk(&doc["item"], &mut out);
    out
}

/// The value[x] key an answer to an item of this type may use.
fn answer_fits(kind: &str, answer: &Value) -> bool {
    let keys: Vec<&str> = answer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .filter(|k| k.starts_with("value") || k.starts_with("_value"))
        .collect();
    let key = match keys.as_slice() {
        [one] => one.trim_start_matches('_'),
        _ => return false,
    };
    matches!(
        (kind, key),
        ("choice", "valueCoding")
            | ("integer", "valueInteger")
            | ("decimal", "valueDecimal")
            | ("string" | "text", "valueString")
    )
}

/// Checks a response against its questionnaire: each linkId an item of the same nesting,
/// each answer of the item's type, several answers only where the item repeats.
fn check_response(qdoc: &Value, qr: &Value, what: &str) {
    let known = items(qdoc);
    let canonical = format!(
        "{}|{}",
        qdoc["url"].as_str().unwrap(),
        qdoc["version"].as_str().unwrap()
    );
    assert_eq!(qr["questionnaire"], canonical.as_str(), "{what}");
    for group in qr["item"].as_array().into_iter().flatten() {
        let gid = group["linkId"].as_str().unwrap();
        assert_eq!(known[gid].0, "group", "{what}: {gid} is not a group");
        for item in group["item"].as_array().unwrap() {
            let id = item["linkId"].as_str().unwrap();
            let (kind, repeats) = known
                .get(id)
                .unwrap_or_else(|| panic!("{what}: linkId {id} is not in the Questionnaire"));
            let answers = item["answer"].as_array().unwrap();
            assert!(!answers.is_empty(), "{what}: {id} has no answer");
            assert!(*repeats || answers.len() == 1, "{what}: {id} repeats");
            for a in answers {
                assert!(answer_fits(kind, a), "{what}: {id} ({kind}) answered {a}");
            }
        }
    }
}

#[test]
fn every_scenario_scores_to_a_schema_valid_bundle_that_fits_the_questionnaire() {
    let q = default_q();
    let bundle_schema = validator("Bundle");
    let qdoc = fhir::questionnaire(&q, false).unwrap();
    assert!(q.tests().len() > 100, "the scenarios are there");
    let mut not_sure = 0;
    for t in q.tests() {
        let sq = case_questionnaire(&q, t);
        let answers = sq
            .parse_answers(&t.answers)
            .expect("scenario answers parse");
        let outcome = needlecheck::score(&sq, &answers);
        let bundle = fhir::bundle(&sq, &answers, &outcome, None).unwrap();
        let what = format!("scenario \"{}\"", t.name);
        assert_valid(bundle_schema, &bundle, &what);
        let qr = &bundle["entry"][0]["resource"];
        let ra = &bundle["entry"][1]["resource"];
        check_response(&qdoc, qr, &what);
        assert_eq!(
            ra["prediction"][0]["outcome"]["coding"][0]["code"],
            t.expect.as_str()
        );
        let basis = format!("urn:uuid:{}", qr["id"].as_str().unwrap());
        assert_eq!(ra["basis"][0]["reference"], basis.as_str(), "{what}");
        assert_eq!(bundle["entry"][0]["fullUrl"], basis.as_str(), "{what}");
        not_sure += qr.to_string().matches("asked-unknown").count();
    }
    assert!(not_sure > 0, "some scenario answers \"Not sure\"");
}

fn needlecheck() -> Command {
    Command::cargo_bin("needlecheck").unwrap()
}

#[test]
fn export_fhir_prints_the_same_questionnaire_every_time() {
    let run = || {
        let out = needlecheck().args(["export", "fhir"]).output().unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let first = run();
    assert_eq!(first, run(), "the export is deterministic");
    let doc: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(doc["resourceType"], "Questionnaire");
    assert_eq!(doc["url"], "urn:needlecheck:questionnaire:dry-needling");
    let staff = needlecheck()
        .args(["export", "fhir", "--staff"])
        .output()
        .unwrap();
    let staff: Value = serde_json::from_slice(&staff.stdout).unwrap();
    assert_eq!(
        staff["url"],
        "urn:needlecheck:questionnaire:dry-needling/staff"
    );
    assert_ne!(
        staff["item"], doc["item"],
        "staff wording differs somewhere"
    );
    let levels = needlecheck()
        .args(["export", "fhir-levels"])
        .output()
        .unwrap();
    let levels: Value = serde_json::from_slice(&levels.stdout).unwrap();
    assert_eq!(levels["concept"].as_array().unwrap().len(), 7);
}

#[test]
fn score_format_fhir_prints_a_bundle_and_streams_one_per_line() {
    let out = needlecheck()
        .args([
            "-q",
            "tests/fixtures/mini.json",
            "score",
            "--format",
            "fhir",
        ])
        .args(["-a", "tests/fixtures/cli/findings.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let bundle: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    assert_valid(validator("Bundle"), &bundle, "score --format fhir");
    let qr = &bundle["entry"][0]["resource"];
    assert_eq!(
        qr["questionnaire"], "urn:needlecheck:questionnaire:mini|1.0.0",
        "without a url the canonical URL comes from the id"
    );
    let out = needlecheck()
        .args([
            "-q",
            "tests/fixtures/mini.json",
            "score",
            "--jsonl",
            "--format",
            "fhir",
        ])
        .args(["-a", "tests/fixtures/cli/batch.jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let input = std::fs::read_to_string("tests/fixtures/cli/batch.jsonl").unwrap();
    assert_eq!(
        text.lines().count(),
        input.lines().filter(|l| !l.trim().is_empty()).count()
    );
    let v = validator("Bundle");
    for line in text.lines() {
        let doc: Value = serde_json::from_str(line).unwrap();
        if doc["resourceType"] == "Bundle" {
            assert_valid(v, &doc, "a --jsonl --format fhir line");
        }
    }
}

/// A front-desk screening in plain mode on the mini fixture (all "no", no next patient),
/// saved in `dir` with `--save-format json,fhir`.
fn screen_and_save(dir: &std::path::Path) -> std::process::Output {
    needlecheck()
        .args(["-q", "tests/fixtures/mini.json", "--plain", "--staff"])
        .args([
            "--subject",
            "P-5",
            "--save-format",
            "json,fhir",
            "--save-dir",
        ])
        .arg(dir)
        .write_stdin("n\n40\nn\nn\n\nn\n")
        .output()
        .unwrap()
}

/// The files in `dir`, by name.
fn saved_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn save_format_fhir_saves_a_schema_valid_bundle_beside_the_record_and_never_overwrites() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = screen_and_save(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let names = saved_files(dir.path());
    assert_eq!(
        names.len(),
        2,
        "the record and the Bundle, no handover: {names:?}"
    );
    let stem = names[0]
        .strip_suffix(".fhir.json")
        .expect("a .fhir.json file");
    assert!(stem.ends_with("-1-P-5"), "{stem}");
    assert_eq!(names[1], format!("{stem}.json"), "one name stem");
    let confirmed = format!("Saved the record as number 1 in {}.", dir.path().display());
    assert!(stderr.contains(&confirmed), "{stderr}");
    for name in &names {
        let path = dir.path().join(name);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    let first = std::fs::read(dir.path().join(&names[0])).unwrap();
    let bundle: Value = serde_json::from_slice(&first).unwrap();
    let record: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join(&names[1])).unwrap()).unwrap();
    assert_valid(validator("Bundle"), &bundle, "the saved Bundle");
    let qr = &bundle["entry"][0]["resource"];
    assert_eq!(
        qr["questionnaire"],
        "urn:needlecheck:questionnaire:mini/staff|1.0.0"
    );
    assert_eq!(qr["status"], "completed");
    assert_eq!(qr["subject"]["identifier"]["value"], "P-5");
    assert_eq!(
        qr["authored"], record["ended_at"],
        "authored is when it ended"
    );
    let ra = &bundle["entry"][1]["resource"];
    assert_eq!(
        ra["prediction"][0]["outcome"]["coding"][0]["code"],
        record["outcome"]
    );

    // A second screening takes the next number; the first files are left as they were.
    let out = screen_and_save(dir.path());
    assert!(out.status.success());
    let names = saved_files(dir.path());
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with("-2-P-5.fhir.json")),
        "{names:?}"
    );
    assert_eq!(
        std::fs::read(dir.path().join(format!("{stem}.fhir.json"))).unwrap(),
        first
    );

    // Re-scoring the folder reads the records and passes the Bundles by.
    let out = needlecheck()
        .args([
            "-q",
            "tests/fixtures/mini.json",
            "rescore",
            "--format",
            "json",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["summary"]["rescored"], 2, "{report}");
    assert_eq!(report["summary"]["not_rescored"], 0, "{report}");
}

#[test]
fn save_format_without_save_dir_is_refused() {
    let out = needlecheck()
        .args(["--plain", "--save-format", "fhir"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--save-format says what --save-dir saves"),
        "{stderr}"
    );
    let out = needlecheck()
        .args(["--plain", "--save-format", "xml", "--save-dir", "."])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown format is refused");
}

#[test]
fn the_readme_fhir_section_tells_the_built_in_questionnaire_as_it_exports() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = readme
        .split("## FHIR R4\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the README has a FHIR R4 section");
    let q = default_q();
    let doc = fhir::questionnaire(&q, false).unwrap();
    let (mut when, mut expression, mut epilepsy) = (0, 0, None);
    let mut stack: Vec<&Value> = doc["item"].as_array().unwrap().iter().collect();
    while let Some(item) = stack.pop() {
        when += usize::from(item.get("enableWhen").is_some());
        let exts = item["extension"].as_array().into_iter().flatten();
        expression += exts.filter(|e| e["url"] == fhir::ENABLE_EXPRESSION).count();
        stack.extend(item["item"].as_array().into_iter().flatten());
        if item["linkId"] == "epilepsy" {
            epilepsy = Some(item["text"].to_string());
        }
    }
    let counts =
        format!("{when} questions export as `enableWhen` and {expression} as\nexpressions");
    let update = "update the README's FHIR R4 section to the built-in questionnaire";
    assert!(
        section.contains(&counts),
        "{update}: it should say {counts}"
    );
    let canonical = format!(
        "\"urn:needlecheck:questionnaire:dry-needling|{}\"",
        q.version()
    );
    assert!(
        section.contains(&canonical),
        "{update}: its Bundle names {canonical}"
    );
    let text = format!(
        "\"text\": {}",
        epilepsy.expect("the item of the example exists")
    );
    assert!(section.contains(&text), "{update}: its item has {text}");
}
