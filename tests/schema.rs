//! The JSON Schemas editors read (`needlecheck schema`, `needlecheck schema clinic`), checked
//! with an independent validator: they accept every file the loader accepts that ships or is a
//! fixture, they refuse the malformed conditions the loader refuses, and they use no keyword
//! or format that a strict validator would refuse the schema for.

use std::path::{Path, PathBuf};

use needlecheck::{clinic, loader, schema};
use serde_json::{Value, json};

/// The formats JSON Schema 2020-12 defines; a strict validator refuses a schema using another.
const STANDARD_FORMATS: [&str; 19] = [
    "date-time",
    "date",
    "time",
    "duration",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uuid",
    "uri-template",
    "json-pointer",
    "relative-json-pointer",
    "regex",
];

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A validator of the committed schema file (kept equal to the generated one by the tests of
/// `needlecheck schema`).
fn validator(file: &str) -> jsonschema::Validator {
    let schema = read_json(&Path::new("questionnaires").join(file));
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{file} compiles: {e}"))
}

/// Why `doc` does not follow the schema (empty when it does).
fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Every `.json` file under `dir`, at any depth, sorted.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(json_files(&path));
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// `schema.json` or `NAME.schema.json`.
fn is_schema_file(path: &Path) -> bool {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    name == "schema.json" || name.ends_with(".schema.json")
}

#[test]
fn every_shipped_file_names_its_schema_and_follows_it() {
    let questionnaire_schema = validator("schema.json");
    let clinic_schema = validator("clinic.schema.json");
    let built_in = loader::embedded().expect("the built-in questionnaire loads");
    let (mut questionnaires, mut clinics) = (0, 0);
    for path in json_files(Path::new("questionnaires")) {
        if is_schema_file(&path) {
            continue;
        }
        let doc = read_json(&path);
        let name = path.display();
        let (v, loads) = match doc["$schema"].as_str() {
            Some("./schema.json") => {
                questionnaires += 1;
                (&questionnaire_schema, loader::load_path(&path).is_ok())
            }
            Some("./clinic.schema.json") => {
                clinics += 1;
                (&clinic_schema, clinic::load_path(&path, &built_in).is_ok())
            }
            other => panic!("{name} names no schema of this directory: {other:?}"),
        };
        assert!(loads, "{name} does not load");
        let errs = errors(v, &doc);
        assert!(errs.is_empty(), "{name}:\n{}", errs.join("\n"));
    }
    assert!(
        questionnaires >= 1 && clinics >= 1,
        "{questionnaires} {clinics}"
    );
}

#[test]
fn every_fixture_questionnaire_that_loads_follows_the_schema() {
    let v = validator("schema.json");
    let mut checked = Vec::new();
    for path in json_files(Path::new("tests/fixtures")) {
        if is_schema_file(&path) || loader::load_path(&path).is_err() {
            continue;
        }
        let errs = errors(&v, &read_json(&path));
        assert!(errs.is_empty(), "{}:\n{}", path.display(), errs.join("\n"));
        checked.push(path);
    }
    // The small example, the 1.1.0 copy kept for re-scoring, and the others that load.
    for expected in ["mini.json", "dry-needling-1.1.0.json", "coverage.json"] {
        assert!(
            checked.iter().any(|p| p.ends_with(expected)),
            "{expected} was not checked: {checked:?}"
        );
    }
}

/// The conditions of `tests/fixtures/schema/conditions.json`.
fn conditions() -> Value {
    read_json(Path::new("tests/fixtures/schema/conditions.json"))
}

/// The mini questionnaire with the fixture's settings declared and `when` as its first rule's
/// condition.
fn mini_with(when: &Value) -> Value {
    let mut q = read_json(Path::new("tests/fixtures/mini.json"));
    q["settings"] = conditions()["settings"].clone();
    q["rules"][0]["when"] = when.clone();
    q
}

fn loads(q: &Value) -> bool {
    loader::load_str("spliced.json", q.to_string().as_bytes()).is_ok()
}

#[test]
fn the_schema_accepts_every_shape_of_condition_the_loader_accepts() {
    let v = validator("schema.json");
    let valid = conditions()["valid"].as_array().unwrap().clone();
    assert!(valid.len() >= 10);
    for when in valid {
        let q = mini_with(&when);
        assert!(loads(&q), "the loader refuses {when}");
        let errs = errors(&v, &q);
        assert!(
            errs.is_empty(),
            "the schema refuses {when}:\n{}",
            errs.join("\n")
        );
    }
}

#[test]
fn the_schema_refuses_each_malformed_condition_as_the_loader_does() {
    let v = validator("schema.json");
    let malformed = conditions()["malformed"].as_array().unwrap().clone();
    assert!(malformed.len() >= 20);
    for case in malformed {
        let (why, when) = (&case["why"], &case["when"]);
        let q = mini_with(when);
        assert!(!loads(&q), "the loader accepts {why}: {when}");
        assert!(
            !v.is_valid(&q),
            "the schema accepts {why}: {when} (an editor would not flag it)"
        );
        // In a question's `show_if` too: the same definition serves both places.
        let mut q = read_json(Path::new("tests/fixtures/mini.json"));
        q["sections"][1]["questions"][2]["show_if"] = when.clone();
        assert!(!v.is_valid(&q), "the schema accepts {why} in a show_if");
    }
}

#[test]
fn the_clinic_schema_refuses_a_setting_value_that_is_not_a_code_or_a_number() {
    let v = validator("clinic.schema.json");
    let built_in = loader::embedded().expect("the built-in questionnaire loads");
    let example = read_json(Path::new("questionnaires/clinic-example.json"));
    for case in conditions()["malformed_clinic_settings"]
        .as_array()
        .unwrap()
    {
        let why = &case["why"];
        let mut doc = example.clone();
        for (id, value) in case["settings"].as_object().unwrap() {
            doc["settings"][id] = value.clone();
        }
        let loaded = clinic::load_str("clinic.json", doc.to_string().as_bytes(), &built_in);
        assert!(loaded.is_err(), "the loader accepts {why}");
        assert!(!v.is_valid(&doc), "the schema accepts {why}");
    }
    // Each shape of a value the loader takes, and nothing else, still passes.
    let mut doc = example.clone();
    doc["settings"] = json!({ "implant_policy": "standard", "inr_limit": 3 });
    assert!(clinic::load_str("clinic.json", doc.to_string().as_bytes(), &built_in).is_ok());
    assert!(errors(&v, &doc).is_empty(), "{:?}", errors(&v, &doc));
}

/// Every `format` value in `schema`, with where it is.
fn formats(schema: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match schema {
        Value::Object(map) => {
            for (k, v) in map {
                if let (true, Some(f)) = (k == "format", v.as_str()) {
                    out.push((at.to_string(), f.to_string()));
                }
                formats(v, &format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                formats(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_schemas_use_only_standard_formats_and_keep_their_minimums() {
    for (name, generated) in [
        ("questionnaire", schema::questionnaire()),
        ("clinic", schema::clinic()),
    ] {
        let generated = serde_json::to_value(&generated).unwrap();
        let mut found = Vec::new();
        formats(&generated, "", &mut found);
        let odd: Vec<_> = found
            .iter()
            .filter(|(_, f)| !STANDARD_FORMATS.contains(&f.as_str()))
            .collect();
        assert!(
            odd.is_empty(),
            "{name} schema: non-standard formats {odd:?}"
        );
    }
    // schemars' `uint` went with its format; the lower bound it stood for stays.
    let q = serde_json::to_value(schema::questionnaire()).unwrap();
    let max_length = &q["$defs"]["Question"]["properties"]["max_length"];
    assert_eq!(max_length["minimum"], 0, "{max_length}");
    assert!(max_length.get("format").is_none(), "{max_length}");
}
