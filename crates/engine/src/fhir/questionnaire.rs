//! The questionnaire as a FHIR R4 `Questionnaire`: one `group` item per section, one item per
//! question, in the order asked.

use serde_json::{Map, Value, json};

use super::enable::{EnableRule, coding, rule};
use super::{ABSENT_SYSTEM, ENABLE_EXPRESSION, NOT_SURE, YES_NO_SYSTEM, YES_NO_VALUE_SET};
use crate::model::{Question, QuestionType};
use crate::questionnaire::Questionnaire;

const ITEM_CONTROL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
const OPTION_EXCLUSIVE: &str =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive";
const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";

/// Why a questionnaire cannot be exported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// FHIR needs every `linkId` once; needlecheck keeps section and question ids apart.
    #[error(
        "`{0}` is both a section id and a question id (or the id of a help or introduction \
         text), and FHIR needs each linkId once; rename one of them"
    )]
    LinkIdClash(String),
}

/// The `linkId` of a section's introduction.
pub fn intro_link_id(section: &str) -> String {
    format!("{section}/intro")
}

/// The `linkId` of a question's help text.
pub fn help_link_id(question: &str) -> String {
    format!("{question}/help")
}

/// `q` as a FHIR `Questionnaire`, in the person's wording or (`staff`) in the front desk's.
pub fn questionnaire(q: &Questionnaire, staff: bool) -> Result<Value, ExportError> {
    check_link_ids(q)?;
    let url = super::canonical_url(q, staff);
    let mut title = q.title().to_string();
    if staff {
        title.push_str(" (front-desk wording)");
    }
    let groups: Vec<Value> = (0..q.sections().len())
        .map(|s| section(q, s, staff))
        .collect();
    Ok(json!({
        "resourceType": "Questionnaire",
        "id": super::content_id(&["Questionnaire", &url, q.version(), q.sha256()]),
        "meta": super::meta(q),
        "language": q.locale(),
        "url": url,
        "version": q.version(),
        "name": computable_name(q.id()),
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": q.introduction(),
        "purpose": q.disclaimer(),
        "item": groups,
    }))
}

/// Every linkId once: sections, questions, introductions and help texts.
pub(super) fn check_link_ids(q: &Questionnaire) -> Result<(), ExportError> {
    let mut seen = std::collections::HashSet::new();
    let sections = q.sections().iter().flat_map(|s| {
        let intro = s.intro.as_ref().map(|_| intro_link_id(&s.id));
        std::iter::once(s.id.clone()).chain(intro)
    });
    let questions = q.questions().iter().flat_map(|x| {
        let help = x.help.as_ref().map(|_| help_link_id(&x.id));
        std::iter::once(x.id.clone()).chain(help)
    });
    for id in sections.chain(questions) {
        if !seen.insert(id.clone()) {
            return Err(ExportError::LinkIdClash(id));
        }
    }
    Ok(())
}

/// A name for machines: letters and digits of the id, starting with a capital.
fn computable_name(id: &str) -> String {
    let mut out = String::new();
    for part in id.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    match out.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => out,
        _ => format!("Q{out}"),
    }
}

fn section(q: &Questionnaire, s: usize, staff: bool) -> Value {
    let info = &q.sections()[s];
    let mut items = Vec::new();
    if let Some(intro) = info.intro_for(staff) {
        items.push(json!({
            "linkId": intro_link_id(&info.id),
            "type": "display",
            "text": intro,
        }));
    }
    items.extend(info.questions.clone().map(|i| item(q, i, staff)));
    json!({
        "linkId": info.id,
        "type": "group",
        "text": info.title_for(staff),
        "item": items,
    })
}

fn item(q: &Questionnaire, i: usize, staff: bool) -> Value {
    let question = &q.questions()[i];
    let mut m = Map::new();
    m.insert("linkId".into(), question.id.clone().into());
    m.insert("text".into(), question.wording(staff).into());
    m.insert("type".into(), item_type(question).into());
    match rule(q, i) {
        EnableRule::Always => {}
        EnableRule::When(items, behavior) => {
            m.insert("enableWhen".into(), items.into());
            if let Some(b) = behavior {
                m.insert("enableBehavior".into(), b.into());
            }
        }
        EnableRule::Expression(e) => {
            let ext = json!({
                "url": ENABLE_EXPRESSION,
                "valueExpression": {"language": "text/fhirpath", "expression": e},
            });
            push_extension(&mut m, ext);
        }
    }
    if question.kind != QuestionType::Display {
        m.insert("required".into(), question.is_required().into());
    }
    answers(q, i, staff, &mut m);
    if let Some(help) = &question.help {
        m.insert("item".into(), json!([help_item(&question.id, help)]));
    }
    Value::Object(m)
}

/// The FHIR item type of a question.
fn item_type(question: &Question) -> &'static str {
    match question.kind {
        QuestionType::YesNo | QuestionType::SingleChoice | QuestionType::MultiChoice => "choice",
        QuestionType::Number if question.integer => "integer",
        QuestionType::Number => "decimal",
        QuestionType::Text if question.text_limit() > 200 => "text",
        QuestionType::Text => "string",
        QuestionType::Display => "display",
    }
}

/// What the answers may be: the value set or options, `repeats`, limits and unit.
fn answers(q: &Questionnaire, i: usize, staff: bool, m: &mut Map<String, Value>) {
    let question = &q.questions()[i];
    match question.kind {
        QuestionType::YesNo if question.allows_unsure() => {
            m.insert("answerValueSet".into(), YES_NO_VALUE_SET.into());
        }
        QuestionType::YesNo => {
            let options = [("Y", "Yes"), ("N", "No")]
                .map(|(code, display)| json!({"valueCoding": {"system": YES_NO_SYSTEM, "code": code, "display": display}}));
            m.insert("answerOption".into(), Value::Array(options.to_vec()));
        }
        QuestionType::SingleChoice | QuestionType::MultiChoice => {
            let mut options: Vec<Value> = question
                .options
                .iter()
                .enumerate()
                .map(|(o, opt)| {
                    let (system, code) = coding(q, i, o);
                    let mut v = json!({"valueCoding": {"system": system, "code": code, "display": opt.label_for(staff)}});
                    if opt.exclusive {
                        v["extension"] = json!([{"url": OPTION_EXCLUSIVE, "valueBoolean": true}]);
                    }
                    v
                })
                .collect();
            if question.allows_unsure() {
                options.push(json!({"valueCoding": {"system": ABSENT_SYSTEM, "code": NOT_SURE, "display": "Not sure"}}));
            }
            m.insert("answerOption".into(), options.into());
            if question.kind == QuestionType::MultiChoice {
                m.insert("repeats".into(), true.into());
            }
        }
        QuestionType::Number => number_limits(question, m),
        QuestionType::Text => {
            m.insert("maxLength".into(), question.text_limit().into());
        }
        QuestionType::Display => {}
    }
}

fn number_limits(question: &Question, m: &mut Map<String, Value>) {
    let value = |n: f64| {
        if question.integer {
            json!({"valueInteger": n as i64})
        } else {
            json!({"valueDecimal": n})
        }
    };
    for (url, bound) in [(MIN_VALUE, question.min), (MAX_VALUE, question.max)] {
        if let Some(n) = bound {
            let mut ext = value(n);
            ext["url"] = url.into();
            push_extension(m, ext);
        }
    }
    if let Some(unit) = &question.unit {
        push_extension(m, json!({"url": UNIT, "valueCoding": {"display": unit}}));
    }
}

fn push_extension(m: &mut Map<String, Value>, ext: Value) {
    let list = m.entry("extension").or_insert_with(|| json!([]));
    if let Value::Array(xs) = list {
        xs.push(ext);
    }
}

/// "Why we ask": a display item shown behind a help button.
fn help_item(id: &str, help: &str) -> Value {
    json!({
        "linkId": help_link_id(id),
        "type": "display",
        "text": help,
        "extension": [{
            "url": ITEM_CONTROL,
            "valueCodeableConcept": {"coding": [{
                "system": "http://hl7.org/fhir/questionnaire-item-control",
                "code": "help",
                "display": "Help-Button",
            }]},
        }],
    })
}
