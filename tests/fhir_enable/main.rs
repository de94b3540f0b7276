//! The exported enable logic agrees with the engine: for thousands of random answer sets, the
//! items that the Questionnaire's `enableWhen` / `enableBehavior` and SDC
//! `enableWhenExpression` enable are exactly the questions the engine shows.
//!
//! The answers go the way FHIR keeps them: each answer given (to shown and to hidden questions
//! alike) becomes its `QuestionnaireResponse` answer, and the items are decided in
//! questionnaire order, a disabled item's answers taken away before later items look at them.
//! The enable logic is read by the rules of FHIR R4 ([`enable_when`]) and by a FHIRPath
//! evaluator for the subset the exporter writes ([`fhirpath`]), which refuses anything else.
//! What is left must also be what the exported Bundle's `QuestionnaireResponse` holds.

mod fhirpath;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use needlecheck::model::{Question, QuestionType};
use needlecheck::{Answer, Answers, Questionnaire, answers, clinic, fhir, loader};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;

use fhirpath::{Decided, Expr};

/// How an item of the exported Questionnaire is enabled.
enum Rule {
    Always,
    /// `enableWhen` items and whether all must hold (`enableBehavior: all`).
    When(Vec<Value>, bool),
    Expression(Expr),
}

/// One item of the exported Questionnaire, in document order.
struct Item {
    link_id: String,
    parent: Option<usize>,
    rule: Rule,
}

/// The items of a Questionnaire in document order, with their enable logic parsed.
fn plan(doc: &Value) -> Vec<Item> {
    fn walk(items: &Value, parent: Option<usize>, out: &mut Vec<Item>) {
        for item in items.as_array().into_iter().flatten() {
            let at = out.len();
            out.push(Item {
                link_id: item["linkId"].as_str().expect("linkId").to_string(),
                parent,
                rule: rule(item),
            });
            walk(&item["item"], Some(at), out);
        }
    }
    let mut out = Vec::new();
    walk(&doc["item"], None, &mut out);
    out
}

/// The enable logic of one item; panics on anything this test does not know.
fn rule(item: &Value) -> Rule {
    let id = &item["linkId"];
    let mut expressions = Vec::new();
    for ext in item["extension"].as_array().into_iter().flatten() {
        let url = ext["url"].as_str().expect("extension url");
        if url == fhir::ENABLE_EXPRESSION {
            let e = &ext["valueExpression"];
            assert_eq!(e["language"], "text/fhirpath", "{id}: expression language");
            expressions.push(fhirpath::parse(
                e["expression"].as_str().expect("expression"),
            ));
        } else {
            assert!(
                !url.to_ascii_lowercase().contains("enable"),
                "{id}: unknown enable extension {url}"
            );
        }
    }
    let when = item["enableWhen"].as_array();
    let behavior = item
        .get("enableBehavior")
        .map(|b| b.as_str().expect("code"));
    match (when, expressions.len()) {
        (None, 0) => {
            assert!(
                behavior.is_none(),
                "{id}: enableBehavior without enableWhen"
            );
            Rule::Always
        }
        (None, 1) => Rule::Expression(expressions.pop().expect("one")),
        (Some(w), 0) => {
            let all = match (w.len(), behavior) {
                (1, None) => false,
                (n, Some("all")) if n > 1 => true,
                (n, Some("any")) if n > 1 => false,
                _ => panic!(
                    "{id}: {} enableWhen with enableBehavior {behavior:?}",
                    w.len()
                ),
            };
            Rule::When(w.clone(), all)
        }
        _ => panic!("{id}: enableWhen and enableWhenExpression together, or several expressions"),
    }
}

/// One `enableWhen` by the rules of FHIR R4: `exists` asks whether the item has an answer,
/// the others whether some answer compares so with `answer[x]`. Operators and answer types
/// the exporter does not write are refused.
fn enable_when(ew: &Value, decided: &Decided) -> bool {
    let question = ew["question"].as_str().expect("question");
    let answers = decided
        .get(question)
        .unwrap_or_else(|| panic!("enableWhen reads `{question}` before it is decided"));
    let op = ew["operator"].as_str().expect("operator");
    let keys: Vec<&String> = ew
        .as_object()
        .expect("object")
        .keys()
        .filter(|k| k.starts_with("answer"))
        .collect();
    let [key] = keys.as_slice() else {
        panic!("enableWhen on {question} without exactly one answer[x]")
    };
    let expected = &ew[key.as_str()];
    match (op, key.as_str()) {
        ("exists", "answerBoolean") => answers.is_empty() != expected.as_bool().expect("boolean"),
        ("=", "answerCoding") => answers.iter().any(|a| {
            let c = &a["valueCoding"];
            c.is_object() && c["system"] == expected["system"] && c["code"] == expected["code"]
        }),
        ("=" | "<" | "<=" | ">" | ">=", "answerInteger" | "answerDecimal") => {
            let b = expected.as_f64().expect("number");
            answers.iter().any(|a| {
                let v = a.get("valueInteger").or_else(|| a.get("valueDecimal"));
                let absent = a.get("_valueInteger").or_else(|| a.get("_valueDecimal"));
                assert!(
                    v.is_some() || absent.is_some(),
                    "{question}: {key} on a non-number"
                );
                v.and_then(Value::as_f64)
                    .is_some_and(|x| fhirpath::compare(op, x, b))
            })
        }
        _ => panic!("enableWhen operator {op} with {key}: not a form the exporter writes"),
    }
}

fn enabled_by(rule: &Rule, decided: &Decided) -> bool {
    match rule {
        Rule::Always => true,
        Rule::When(items, true) => items.iter().all(|w| enable_when(w, decided)),
        Rule::When(items, false) => items.iter().any(|w| enable_when(w, decided)),
        Rule::Expression(e) => fhirpath::eval(e, decided),
    }
}

/// Decides every item in order over the given answers (by linkId): which are enabled, and the
/// answers that stay (those of enabled items).
fn decide(plan: &[Item], given: &HashMap<String, Vec<Value>>) -> (Vec<bool>, Decided) {
    let mut enabled = Vec::with_capacity(plan.len());
    let mut decided = Decided::new();
    for item in plan {
        let on = item.parent.is_none_or(|p| enabled[p]) && enabled_by(&item.rule, &decided);
        let kept = match given.get(&item.link_id) {
            Some(a) if on => a.clone(),
            _ => Vec::new(),
        };
        decided.insert(item.link_id.clone(), kept);
        enabled.push(on);
    }
    (enabled, decided)
}

/// One random pick per question: how to treat it, and two numbers to choose an answer with.
type Picks = Vec<(u8, u32, u32)>;

/// Numbers worth trying for a number question: its limits, the numbers its questionnaire's
/// conditions and settings compare with, and one step either side of each.
fn interesting_numbers(q: &Questionnaire) -> Vec<f64> {
    fn numbers(v: &Value, out: &mut Vec<f64>) {
        match v {
            Value::Number(n) => out.extend(n.as_f64()),
            Value::Array(xs) => xs.iter().for_each(|x| numbers(x, out)),
            Value::Object(m) => m.values().for_each(|x| numbers(x, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for question in q.questions() {
        let cond = serde_json::to_value(&question.show_if).expect("condition serializes");
        numbers(&cond, &mut out);
        out.extend(question.min);
        out.extend(question.max);
    }
    for v in q.setting_values() {
        if let needlecheck::condition::SettingValue::Number(n) = v {
            out.push(*n);
        }
    }
    let steps: Vec<f64> = out
        .iter()
        .flat_map(|n| [n - 1.0, n - 0.5, n + 0.5, n + 1.0])
        .collect();
    out.extend(steps);
    out
}

/// An answer to `question` chosen with `pick` and `extra`: any valid answer, "Not sure" where
/// allowed, numbers at and inside the limits and around the numbers conditions compare with.
fn answer_for(question: &Question, pick: u32, extra: u32, numbers: &[f64]) -> Option<Answer> {
    let unsure = question.allows_unsure();
    let n = question.options.len();
    let mut choices: Vec<Answer> = Vec::new();
    match question.kind {
        QuestionType::YesNo => choices.extend([Answer::Yes, Answer::No]),
        QuestionType::SingleChoice => choices.extend((0..n).map(Answer::Choice)),
        QuestionType::MultiChoice => {
            let chosen: Vec<usize> = (0..n).filter(|o| extra >> (o % 32) & 1 == 1).collect();
            choices.push(Answer::Multi(chosen));
            choices.push(Answer::Multi(vec![extra as usize % n]));
        }
        QuestionType::Number => {
            let lo = question.min.unwrap_or(-1000.0);
            let hi = question.max.unwrap_or(lo + 1000.0);
            let mut inside = lo + (hi - lo) * f64::from(extra) / f64::from(u32::MAX);
            if question.integer {
                inside = inside.round();
            }
            choices.push(Answer::Number(inside));
            if !numbers.is_empty() {
                choices.push(Answer::Number(numbers[extra as usize % numbers.len()]));
            }
            choices.extend([lo, hi].map(Answer::Number));
        }
        QuestionType::Text => choices.push(Answer::Text("x".repeat(extra as usize % 4))),
        QuestionType::Display => return None,
    }
    if unsure {
        choices.push(Answer::Unsure);
    }
    choices.retain(|a| answers::check(question, a).is_ok());
    // A multiple choice with an exclusive option chosen among others falls back on one option.
    let a = choices[pick as usize % choices.len()].clone();
    Some(a)
}

/// The answers of one random screening: each question shown by the engine is answered (one
/// time in ten left unanswered), and one hidden question in four is answered all the same (an
/// answer given before an earlier answer changed, which must not count).
fn screening(q: &Questionnaire, picks: &Picks, numbers: &[f64]) -> Answers {
    let mut answers = Answers::new(q.questions().len());
    for (i, question) in q.questions().iter().enumerate() {
        let shown = q.visibility(&answers)[i];
        let (mode, pick, extra) = picks[i];
        let answer = if shown { mode % 10 != 0 } else { mode % 4 == 0 };
        if answer {
            answers.set(i, answer_for(question, pick, extra, numbers));
        }
    }
    answers
}

/// What the random screenings reached, for the check that they reach the deep follow-ups.
#[derive(Default)]
struct Reach {
    /// Per question: shown, hidden.
    seen: HashMap<usize, (u32, u32)>,
    /// Hidden questions answered (answers that must not count).
    stale: u32,
    /// Enabled items whose enable logic is an expression.
    by_expression: u32,
}

/// Checks one answer set: enabled items against the engine's shown questions, and the answers
/// left against the Bundle's QuestionnaireResponse.
fn check(
    q: &Questionnaire,
    plan: &[Item],
    answers: &Answers,
    reach: &mut Reach,
) -> Result<(), TestCaseError> {
    let shown = q.visibility(answers);
    let mut given = HashMap::new();
    for i in answers.answered() {
        given.insert(
            q.questions()[i].id.clone(),
            fhir::answer_json(q, i, answers.get(i).unwrap()),
        );
    }
    let (enabled, decided) = decide(plan, &given);
    let by_id: HashMap<&str, usize> = plan
        .iter()
        .enumerate()
        .map(|(k, it)| (it.link_id.as_str(), k))
        .collect();
    for (i, question) in q.questions().iter().enumerate() {
        let k = by_id[question.id.as_str()];
        prop_assert_eq!(
            enabled[k],
            shown[i],
            "`{}`: enabled in FHIR {} but shown by the engine {}",
            question.id,
            enabled[k],
            shown[i]
        );
        let seen = reach.seen.entry(i).or_default();
        if shown[i] {
            seen.0 += 1
        } else {
            seen.1 += 1
        }
        reach.stale += u32::from(!shown[i] && answers.get(i).is_some());
        reach.by_expression += u32::from(shown[i] && matches!(plan[k].rule, Rule::Expression(_)));
    }
    let outcome = needlecheck::score(q, answers);
    let bundle = fhir::bundle(q, answers, &outcome, None).expect("bundle");
    let mut in_response = HashMap::new();
    for group in bundle["entry"][0]["resource"]["item"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for item in group["item"].as_array().expect("items") {
            in_response.insert(
                item["linkId"].as_str().unwrap().to_string(),
                item["answer"].clone(),
            );
        }
    }
    let kept: HashMap<String, Value> = decided
        .into_iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(id, a)| (id, Value::Array(a)))
        .collect();
    prop_assert_eq!(kept, in_response, "the answers FHIR keeps are the Bundle's");
    Ok(())
}

/// Runs `cases` random answer sets on `q` and checks that they reached every conditional
/// question both shown and hidden, hidden questions answered, and expression-enabled items.
fn agree(q: &Questionnaire, what: &str, cases: u32) {
    agree_under(&[(q, cases)], what);
}

/// [`agree`] over the same questionnaire under several clinic settings, a question counting as
/// reached both ways when the runs together reach it: a question asked only under a clinic
/// setting is hidden whatever the answers under the defaults.
fn agree_under(runs: &[(&Questionnaire, u32)], what: &str) {
    let mut reach = Reach::default();
    let mut expressions = false;
    for (q, cases) in runs {
        expressions |= agree_run(q, what, *cases, &mut reach);
    }
    let q = runs[0].0;
    for (i, question) in q.questions().iter().enumerate() {
        if question.show_if.is_some() {
            let (shown, hidden) = reach.seen[&i];
            assert!(
                shown > 0 && hidden > 0,
                "{what}: `{}` was shown {shown} and hidden {hidden} times: the answer sets do \
                 not reach it both ways",
                question.id
            );
        }
    }
    assert!(reach.stale > 0, "{what}: no hidden question was answered");
    assert!(
        !expressions || reach.by_expression > 0,
        "{what}: no item enabled by an expression was reached"
    );
}

/// Runs `cases` random answer sets on `q`, adding what they reach to `reach`; says whether
/// some item is enabled by an expression.
fn agree_run(q: &Questionnaire, what: &str, cases: u32, reach: &mut Reach) -> bool {
    let doc = fhir::questionnaire(q, false).expect("the questionnaire exports");
    let plan = plan(&doc);
    let numbers = interesting_numbers(q);
    let picks = prop::collection::vec(
        (any::<u8>(), any::<u32>(), any::<u32>()),
        q.questions().len(),
    );
    let cell = RefCell::new(std::mem::take(reach));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&picks, |picks| {
        let answers = screening(q, &picks, &numbers);
        check(q, &plan, &answers, &mut cell.borrow_mut())
    });
    if let Err(e) = result {
        panic!("{what}: the exported enable logic disagrees with the engine: {e}");
    }
    *reach = cell.into_inner();
    plan.iter().any(|it| matches!(it.rule, Rule::Expression(_)))
}

fn load(path: &str) -> Questionnaire {
    loader::load_path(Path::new(path)).unwrap_or_else(|e| panic!("{path} loads: {e}"))
}

#[test]
fn the_default_questionnaire_enables_what_the_engine_shows() {
    let q = loader::embedded().expect("the embedded questionnaire loads");
    // Which limb has lymphoedema is asked only when the clinic leaves an at-risk limb to the
    // practitioner.
    let mut values = q.setting_defaults();
    let at_risk = q.setting_index("at_risk_limb_policy").expect("declared");
    values[at_risk] =
        needlecheck::settings::check_json(&q.settings()[at_risk], &serde_json::json!("review"))
            .expect("a valid value");
    let review = q.clone().with_settings(values);
    agree_under(
        &[(&q, 3000), (&review, 1000)],
        "default questionnaire, under its defaults and with at-risk limbs left to the practitioner",
    );
}

#[test]
fn under_a_clinic_file_the_settings_in_show_if_agree_too() {
    let q = loader::embedded().expect("the embedded questionnaire loads");
    let path = Path::new("questionnaires/clinic-example.json");
    let q = clinic::load_path(path, &q).expect("the example clinic file applies");
    agree(
        &q,
        "default questionnaire under the example clinic file",
        1000,
    );
}

#[test]
fn the_fixtures_with_show_if_enable_what_the_engine_shows() {
    for path in [
        "tests/fixtures/dry-needling-1.1.0.json",
        "tests/fixtures/coverage.json",
        "tests/fixtures/mini.json",
        "tests/fixtures/rulebook.json",
    ] {
        agree(&load(path), path, 500);
    }
}
