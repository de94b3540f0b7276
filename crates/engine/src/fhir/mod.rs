//! HL7 FHIR R4 (4.0.1): the questionnaire as a `Questionnaire`, a scoring or a screening as a
//! `Bundle` of a `QuestionnaireResponse` and a `RiskAssessment`, and the outcome levels as a
//! `CodeSystem`.
//!
//! Plain JSON values built from the checked [`Questionnaire`]: no FHIR library, nothing read
//! from the network. Output is deterministic: resource ids are derived from the content
//! ([`content_id`]), times come from the screening, never from the clock at export.
//!
//! What maps where (the README has the table): sections are `group` items, questions keep their
//! ids as `linkId`s, "Not sure" is the data-absent-reason code `asked-unknown`, and `show_if`
//! becomes `enableWhen` where FHIR's operators can say it and the SDC `enableWhenExpression`
//! (FHIRPath) otherwise ([`enable`]). Rules are not exported into the Questionnaire: they are
//! how needlecheck scores, not part of the form; the `RiskAssessment` names the rules that
//! fired.

mod enable;
mod questionnaire;
mod response;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::questionnaire::Questionnaire;

pub use enable::EnableRule;
pub use questionnaire::{ExportError, questionnaire};
pub use response::{answer_json, bundle};

/// The yes / no / don't know value set of FHIR R4.
pub const YES_NO_VALUE_SET: &str = "http://hl7.org/fhir/ValueSet/yesnodontknow";
/// HL7 v2 table 0136 (yes / no indicator): the codes `Y` and `N`.
pub const YES_NO_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v2-0136";
/// Data absent reasons: "Not sure" is `asked-unknown`.
pub const ABSENT_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/data-absent-reason";
/// The code of "Not sure".
pub const NOT_SURE: &str = "asked-unknown";
/// The extension that says why a value is missing (a number answered "Not sure").
pub const ABSENT_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
/// The SDC extension holding a FHIRPath condition for showing an item.
pub const ENABLE_EXPRESSION: &str =
    "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
/// needlecheck's code system of outcome levels ([`levels_code_system`]).
pub const LEVEL_SYSTEM: &str = "urn:needlecheck:outcome-level";
/// The `meta.tag` system whose code is the SHA-256 of the questionnaire file.
pub const QUESTIONNAIRE_SHA256_TAG: &str = "urn:needlecheck:questionnaire-sha256";
/// The `meta.tag` system whose code is the SHA-256 of the clinic file.
pub const CLINIC_SHA256_TAG: &str = "urn:needlecheck:clinic-sha256";

/// The canonical URL of a questionnaire: its `url`, else `urn:needlecheck:questionnaire:<id>`.
/// The staff wording is a Questionnaire of its own, at this URL with `/staff` after it.
pub fn canonical_url(q: &Questionnaire, staff: bool) -> String {
    let base = q.url().map_or_else(
        || format!("urn:needlecheck:questionnaire:{}", q.id()),
        str::to_string,
    );
    if staff { format!("{base}/staff") } else { base }
}

/// The code system of a question's options: the questionnaire's URL, `/options/`, the id.
pub fn option_system(q: &Questionnaire, question: usize) -> String {
    format!(
        "{}/options/{}",
        canonical_url(q, false),
        q.questions()[question].id
    )
}

/// A resource id from content: a name-based UUID (RFC 9562 version 8) of the SHA-256 of
/// `parts`, so the same content always gets the same id and `urn:uuid:` reference.
pub fn content_id(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The `meta` of a resource made from `q`: tags with the SHA-256 of the questionnaire file and
/// of the clinic file, when there is one.
fn meta(q: &Questionnaire) -> Value {
    let mut tags = vec![json!({
        "system": QUESTIONNAIRE_SHA256_TAG,
        "code": q.sha256(),
        "display": "SHA-256 of the questionnaire file"
    })];
    if let Some(c) = q.clinic() {
        tags.push(json!({
            "system": CLINIC_SHA256_TAG,
            "code": c.sha256,
            "display": "SHA-256 of the clinic file"
        }));
    }
    json!({ "tag": tags })
}

/// The outcome levels as a FHIR `CodeSystem` (`needlecheck export fhir-levels`): the codes
/// the `RiskAssessment` of a scoring uses, lowest first.
pub fn levels_code_system() -> Value {
    let concepts: Vec<Value> = crate::Level::ALL
        .iter()
        .map(|l| {
            json!({
                "code": l.as_str(),
                "display": crate::report::level_words(*l),
            })
        })
        .collect();
    json!({
        "resourceType": "CodeSystem",
        "id": content_id(&["CodeSystem", LEVEL_SYSTEM]),
        "url": LEVEL_SYSTEM,
        "version": crate::report::TOOL_VERSION,
        "name": "NeedlecheckOutcomeLevel",
        "title": "needlecheck outcome levels",
        "status": "active",
        "description": "The advice of a needlecheck screening, lowest to highest. The outcome \
            of a screening is the highest level any of its rules reached.",
        "caseSensitive": true,
        "content": "complete",
        "count": concepts.len(),
        "concept": concepts,
    })
}
