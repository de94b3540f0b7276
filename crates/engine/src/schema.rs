//! The JSON Schemas of the file formats (`needlecheck schema` and `needlecheck schema clinic`),
//! generated from the serde types of [`crate::model`] and [`crate::clinic`] so that they cannot
//! drift from what the loader reads.
//!
//! They are written for editors, whose validators are stricter about the schema itself than
//! about the documents it describes:
//!
//! - schemars marks numbers with formats of its own (`double`, `uint`, `uint32`); they are not
//!   JSON Schema formats, and a strict validator (ajv's strict mode) refuses a schema that
//!   uses them. They are removed; the `minimum` that says "not negative" stays.
//! - A condition has exactly one shape. Its Rust type is one flat struct (so that a wrong
//!   member is reported at its exact place), which on its own would let an editor accept `{}`
//!   or `{"q": …, "all": …}`; a transform on the type adds the shapes as a `oneOf`.

use schemars::generate::SchemaSettings;
use schemars::transform::RestrictFormats;
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

use crate::clinic::ClinicFile;
use crate::model::QuestionnaireFile;

/// The JSON Schema of a questionnaire file.
pub fn questionnaire() -> Schema {
    root::<QuestionnaireFile>()
}

/// The JSON Schema of a clinic file.
pub fn clinic() -> Schema {
    root::<ClinicFile>()
}

/// The draft 2020-12 schema of `T`, keeping only the formats that draft defines.
fn root<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .with_transform(RestrictFormats::default())
        .into_generator()
        .into_root_schema_for::<T>()
}

/// The operators of a question leaf (`{"q": id, <operator>: value}`).
const QUESTION_OPERATORS: [&str; 9] = [
    "equals", "one_of", "contains", "lt", "le", "gt", "ge", "answered", "unsure",
];

/// The operators of a setting leaf (`{"setting": id, <operator>: value}`).
const SETTING_OPERATORS: [&str; 6] = ["equals", "one_of", "lt", "le", "gt", "ge"];

/// Adds to a condition's schema the shapes it may take, one of which must match: a question
/// leaf, a setting leaf (whose bounds are plain numbers), `all`, `any`, `not`, or `at_least`
/// with `of`. The lists of a combinator and of `one_of` are not empty, and `at_least` counts
/// from 1, as the loader requires.
///
/// The members lose the `null` that schemars allows for an optional field: the loader reads a
/// `null` member as one left out, so `{"not": null}` would otherwise pass as a shape while
/// being as empty as `{}`. An editor asks for the member to be left out instead.
pub(crate) fn condition_shapes(schema: &mut Schema) {
    if let Some(Value::Object(members)) = schema.get_mut("properties") {
        members.values_mut().for_each(without_null);
    }
    let number = json!({ "type": "number" });
    let shapes = json!([
        leaf("q", &QUESTION_OPERATORS, json!({})),
        leaf(
            "setting",
            &SETTING_OPERATORS,
            json!({ "lt": number, "le": number, "gt": number, "ge": number }),
        ),
        exactly(json!({ "all": list() })),
        exactly(json!({ "any": list() })),
        exactly(json!({ "not": { "type": "object" } })),
        exactly(json!({ "at_least": { "type": "integer", "minimum": 1 }, "of": list() })),
    ]);
    schema.insert("oneOf".into(), shapes);
}

/// A list that is not empty.
fn list() -> Value {
    json!({ "type": "array", "minItems": 1 })
}

/// A leaf: `subject` (`q` or `setting`) and exactly one of `operators`, nothing else; the
/// members' schemas in `properties` narrow the condition's own.
fn leaf(subject: &str, operators: &[&str], mut properties: Value) -> Value {
    let names: Vec<&str> = std::iter::once(subject)
        .chain(operators.iter().copied())
        .collect();
    properties[subject] = json!({ "type": "string" });
    properties["one_of"] = list();
    json!({
        "required": [subject],
        "propertyNames": { "enum": names },
        "minProperties": 2,
        "maxProperties": 2,
        "properties": properties,
    })
}

/// A combinator: every member of `properties` and nothing else. (Strict validators want each
/// required member named in the same schema's `properties`.)
fn exactly(properties: Value) -> Value {
    let members: Vec<String> = properties
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    json!({
        "required": members,
        "maxProperties": members.len(),
        "properties": properties,
    })
}

/// `member`'s schema without the `null` alternative of an optional field: `"type": [T, "null"]`
/// becomes `"type": T`, and `"anyOf": [S, {"type": "null"}]` becomes `S` (keeping the
/// member's description).
fn without_null(member: &mut Value) {
    let Value::Object(m) = member else { return };
    if let Some(Value::Array(types)) = m.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            m.insert("type".into(), only);
        }
    }
    let null = json!({ "type": "null" });
    let Some(Value::Array(alternatives)) = m.get("anyOf") else {
        return;
    };
    let rest: Vec<&Value> = alternatives.iter().filter(|a| **a != null).collect();
    if let [Value::Object(only)] = rest.as_slice() {
        let only = only.clone();
        m.remove("anyOf");
        for (k, v) in only {
            m.entry(k).or_insert(v);
        }
    }
}
