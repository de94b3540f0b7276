//! A scoring or a screening as a FHIR R4 `Bundle` (type `collection`): the answers as a
//! `QuestionnaireResponse` and the outcome as a `RiskAssessment` based on it.

use serde_json::{Map, Value, json};

use super::{ABSENT_EXTENSION, ABSENT_SYSTEM, LEVEL_SYSTEM, NOT_SURE, YES_NO_SYSTEM};
use crate::answers::{Answer, Answers};
use crate::model::QuestionType;
use crate::questionnaire::Questionnaire;
use crate::records::rfc3339_utc;
use crate::report::{self, level_words};
use crate::score::Outcome;
use crate::screening::{Screening, Status};

/// The FHIR answers of question `i` answered `a` (several for a multiple choice): a coding for
/// yes/no and choices, an integer, a decimal or a string; "Not sure" is the code
/// `asked-unknown`, or for a number no value and a data-absent-reason extension.
pub fn answer_json(q: &Questionnaire, i: usize, a: &Answer) -> Vec<Value> {
    let question = &q.questions()[i];
    let option = |o: usize| {
        let (system, code) = super::enable::coding(q, i, o);
        json!({"valueCoding": {"system": system, "code": code, "display": question.options[o].label}})
    };
    match a {
        Answer::Yes => {
            vec![json!({"valueCoding": {"system": YES_NO_SYSTEM, "code": "Y", "display": "Yes"}})]
        }
        Answer::No => {
            vec![json!({"valueCoding": {"system": YES_NO_SYSTEM, "code": "N", "display": "No"}})]
        }
        Answer::Unsure if question.kind == QuestionType::Number => {
            let key = if question.integer {
                "_valueInteger"
            } else {
                "_valueDecimal"
            };
            let ext = json!({"extension": [{"url": ABSENT_EXTENSION, "valueCode": NOT_SURE}]});
            vec![json!({ key: ext })]
        }
        Answer::Unsure => vec![
            json!({"valueCoding": {"system": ABSENT_SYSTEM, "code": NOT_SURE, "display": "Not sure"}}),
        ],
        Answer::Choice(o) => vec![option(*o)],
        Answer::Multi(os) => os.iter().map(|o| option(*o)).collect(),
        Answer::Number(n) if question.integer => vec![json!({"valueInteger": *n as i64})],
        Answer::Number(n) => vec![json!({"valueDecimal": n})],
        Answer::Text(t) => vec![json!({"valueString": t})],
    }
}

/// The Bundle of scored answers, or of a screening when `screening` is given (then with who,
/// when and how it ended).
pub fn bundle(
    q: &Questionnaire,
    answers: &Answers,
    outcome: &Outcome,
    screening: Option<&Screening>,
) -> Result<Value, super::ExportError> {
    super::questionnaire::check_link_ids(q)?;
    let mut qr = response(q, answers, outcome, screening);
    let qr_id = with_id(&mut qr, "QuestionnaireResponse");
    let mut ra = assessment(q, outcome, screening, &qr_id);
    let ra_id = with_id(&mut ra, "RiskAssessment");
    Ok(json!({
        "resourceType": "Bundle",
        "id": super::content_id(&["Bundle", &qr_id, &ra_id]),
        "type": "collection",
        "entry": [
            {"fullUrl": format!("urn:uuid:{qr_id}"), "resource": qr},
            {"fullUrl": format!("urn:uuid:{ra_id}"), "resource": ra},
        ],
    }))
}

/// Gives `resource` its id, derived from its content without one, and returns it.
fn with_id(resource: &mut Value, kind: &str) -> String {
    let id = super::content_id(&[kind, &resource.to_string()]);
    if let Value::Object(m) = resource {
        let mut out = Map::new();
        out.insert("resourceType".into(), kind.into());
        out.insert("id".into(), id.clone().into());
        out.extend(
            std::mem::take(m)
                .into_iter()
                .filter(|(k, _)| k != "resourceType"),
        );
        *m = out;
    }
    id
}

fn subject(screening: Option<&Screening>) -> Option<Value> {
    let id = screening?.subject.as_deref()?;
    Some(json!({"identifier": {"value": id}}))
}

fn response(
    q: &Questionnaire,
    answers: &Answers,
    outcome: &Outcome,
    screening: Option<&Screening>,
) -> Value {
    let status = match screening.map(|s| s.status) {
        Some(Status::Completed) => "completed",
        Some(Status::StoppedEmergency | Status::Abandoned | Status::Interrupted) => "stopped",
        None if outcome.unanswered.is_empty() => "completed",
        None => "in-progress",
    };
    let staff = screening.is_some_and(|s| s.staff);
    let mut m = Map::new();
    m.insert("resourceType".into(), "QuestionnaireResponse".into());
    m.insert("meta".into(), super::meta(q));
    let canonical = format!("{}|{}", super::canonical_url(q, staff), q.version());
    m.insert("questionnaire".into(), canonical.into());
    m.insert("status".into(), status.into());
    if let Some(s) = subject(screening) {
        m.insert("subject".into(), s);
    }
    if let Some(s) = screening {
        m.insert("authored".into(), rfc3339_utc(s.ended).into());
    }
    let groups: Vec<Value> = q
        .sections()
        .iter()
        .filter_map(|s| {
            let items: Vec<Value> = s
                .questions
                .clone()
                .filter(|i| outcome.visible.get(*i).copied().unwrap_or(false))
                .filter_map(|i| {
                    let a = answers.get(i)?;
                    Some(json!({"linkId": q.questions()[i].id, "answer": answer_json(q, i, a)}))
                })
                .collect();
            (!items.is_empty()).then(|| json!({"linkId": s.id, "item": items}))
        })
        .collect();
    if !groups.is_empty() {
        m.insert("item".into(), groups.into());
    }
    Value::Object(m)
}

fn assessment(
    q: &Questionnaire,
    outcome: &Outcome,
    screening: Option<&Screening>,
    qr_id: &str,
) -> Value {
    let finished = match screening.map(|s| s.status) {
        Some(s) => matches!(s, Status::Completed | Status::StoppedEmergency),
        None => outcome.unanswered.is_empty(),
    };
    let level = outcome.level;
    let advice = q.advice().for_level(level);
    let mut m = Map::new();
    m.insert("resourceType".into(), "RiskAssessment".into());
    m.insert("meta".into(), super::meta(q));
    m.insert(
        "status".into(),
        if finished { "final" } else { "preliminary" }.into(),
    );
    m.insert(
        "method".into(),
        json!({"text": format!(
            "needlecheck {} rules of {} {}",
            report::TOOL_VERSION,
            q.id(),
            q.version()
        )}),
    );
    m.insert(
        "subject".into(),
        subject(screening).unwrap_or_else(|| json!({"display": "patient not identified"})),
    );
    if let Some(s) = screening {
        m.insert("occurrenceDateTime".into(), rfc3339_utc(s.ended).into());
    }
    m.insert(
        "basis".into(),
        json!([{"reference": format!("urn:uuid:{qr_id}")}]),
    );
    let mut prediction = json!({
        "outcome": {
            "coding": [{"system": LEVEL_SYSTEM, "code": level.as_str(), "display": level_words(level)}],
            "text": advice.label,
        },
    });
    if let Some(r) = rationale(q, outcome) {
        prediction["rationale"] = r.into();
    }
    m.insert("prediction".into(), json!([prediction]));
    Value::Object(m)
}

/// The findings, one line each: rule id, level, whether a "Not sure" left it open, message;
/// then the required questions left unanswered.
fn rationale(q: &Questionnaire, outcome: &Outcome) -> Option<String> {
    let mut lines: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| {
            let rule = &q.rules()[f.rule].rule;
            let open = if f.on_unknown {
                ", could not be ruled out"
            } else {
                ""
            };
            format!(
                "{} ({}{open}): {}",
                rule.id,
                level_words(f.level),
                rule.message
            )
        })
        .collect();
    if !outcome.unanswered.is_empty() {
        let ids: Vec<&str> = outcome
            .unanswered
            .iter()
            .map(|i| q.questions()[*i].id.as_str())
            .collect();
        lines.push(format!("unanswered: {}", ids.join(", ")));
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}
