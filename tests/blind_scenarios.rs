//! Blind scenarios: patients written from the clinical brief alone, by someone who had not read
//! the rules, each with the lowest and highest level the brief supports; then answered, question
//! by question, as that patient would answer the built-in questionnaire, by someone who saw the
//! questions but neither the rules nor the expected levels (questionnaires/README.md, "Blind
//! scenarios", has the method and the figures).
//!
//! The built-in questionnaire must never tell one of these patients less than the brief asks
//! (no under-triage), and must not drift into over-calling them.

use needlecheck::model::Level;
use needlecheck::suggest::Suggester;
use needlecheck::{Questionnaire, answers_file, loader, score};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vignette {
    id: String,
    /// `[lowest, highest]`, or `[level]` when the brief allows one level only.
    expected: Vec<Level>,
}

#[derive(Deserialize)]
struct Mapped {
    id: String,
    answers: serde_json::Value,
}

/// How one set of scenarios scored: ids under the expected range, and ids above it.
#[derive(Debug, Default)]
struct Tally {
    agree: usize,
    under: Vec<String>,
    over: Vec<String>,
}

fn tally(q: &Questionnaire, set: &str) -> Tally {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/blind/");
    let vignettes = std::fs::read_to_string(format!("{dir}{set}-vignettes.json")).unwrap();
    let vignettes: Vec<Vignette> = serde_json::from_str(&vignettes).unwrap();
    let mapped = std::fs::read_to_string(format!("{dir}{set}-answers.jsonl")).unwrap();
    let mut t = Tally::default();
    for line in mapped.lines() {
        let m: Mapped = serde_json::from_str(line).unwrap();
        let v = vignettes.iter().find(|v| v.id == m.id).expect("a vignette");
        let doc = serde_json::json!({ "answers": m.answers }).to_string();
        let answers = answers_file::parse_answers_doc(q, &m.id, &doc, &Suggester::new())
            .unwrap_or_else(|e| panic!("{}: the answers no longer fit the questions: {e}", m.id));
        let level = score(q, &answers).level;
        let (low, high) = (v.expected[0], *v.expected.last().unwrap());
        if level < low {
            t.under.push(format!(
                "{} gave {level:?}, expected at least {low:?}",
                m.id
            ));
        } else if level > high {
            t.over.push(format!(
                "{} gave {level:?}, expected at most {high:?}",
                m.id
            ));
        } else {
            t.agree += 1;
        }
    }
    assert_eq!(
        t.agree + t.under.len() + t.over.len(),
        vignettes.len(),
        "every vignette of {set} is mapped"
    );
    t
}

fn built_in() -> Questionnaire {
    loader::embedded().expect("the built-in questionnaire loads")
}

#[test]
fn no_blind_patient_of_the_development_set_is_under_triaged() {
    let t = tally(&built_in(), "dev");
    assert!(t.under.is_empty(), "under-triage: {:#?}", t.under);
    // questionnaires/README.md reports the figures; more over-calls than reported there is a
    // regression that staff would feel.
    assert!(t.over.len() <= 1, "over-triage grew: {:#?}", t.over);
}

#[test]
fn no_blind_patient_of_the_held_out_set_is_under_triaged() {
    let t = tally(&built_in(), "heldout");
    assert!(t.under.is_empty(), "under-triage: {:#?}", t.under);
    assert!(t.over.len() <= 1, "over-triage grew: {:#?}", t.over);
}

#[test]
fn no_blind_patient_of_the_third_round_is_under_triaged() {
    // Written and answered after 2.2.0, with no tuning; it found the missing question on
    // infection after needling outside the chest area (r3-39).
    let t = tally(&built_in(), "round3");
    assert!(t.under.is_empty(), "under-triage: {:#?}", t.under);
    assert!(t.over.len() <= 4, "over-triage grew: {:#?}", t.over);
}
