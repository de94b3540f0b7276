//! Property tests of the engine's safety promises, over random but valid questionnaires.
//!
//! A questionnaire is generated as a small "spec" of integers (so proptest can shrink it to a
//! minimal case), turned into questionnaire JSON and loaded through the real loader; a spec
//! that does not load is a failure of the test, with the loader's problems printed.
//!
//! Generated questionnaires declare clinic settings (choice, number, yes/no) and their
//! conditions read them (setting leaves, and number answers compared with a number setting);
//! each property draws a clinic file and loads it as a clinic file is loaded, so every promise
//! is checked under many settings values. The built-in questionnaire is checked under every
//! combination of its choice settings too. Section 6 counts that the draws really change what
//! is shown and what fires.

use std::collections::BTreeSet;

use needlecheck::answers::{self, Answer};
use needlecheck::loader::load_str;
use needlecheck::model::{QuestionType, SettingType};
use needlecheck::report::Record;
use needlecheck::{Answers, Level, LoadError, Outcome, Questionnaire, Session, score};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Specs: what proptest generates and shrinks.

/// A condition before its question references are resolved: `q` and `v` are taken modulo the
/// questions and values that fit, so every spec gives a valid condition.
#[derive(Debug, Clone)]
enum CondSpec {
    Leaf {
        q: u16,
        op: u8,
        v: u8,
    },
    /// A leaf on a clinic setting: `s` picks the setting (a question leaf when none is
    /// declared), `op` and `v` the test.
    Setting {
        s: u16,
        op: u8,
        v: u8,
    },
    All(Vec<CondSpec>),
    Any(Vec<CondSpec>),
    Not(Box<CondSpec>),
    AtLeast(u8, Vec<CondSpec>),
}

#[derive(Debug, Clone)]
struct QuestionSpec {
    /// 0-1 yes/no, 2 single choice, 3 multiple choice, 4 number, 5 text, 6 display.
    kind: u8,
    /// Bit 0 optional, bit 1 flips the `allow_unsure` default, bit 2 integer, bit 3 min 0,
    /// bit 4 max 10, bit 5 an exclusive "none of these" option.
    flags: u8,
    /// Extra options beyond the minimum.
    options: u8,
    show_if: Option<CondSpec>,
}

#[derive(Debug, Clone)]
struct RuleSpec {
    level: u8,
    when: CondSpec,
}

/// A clinic setting the questionnaire declares.
#[derive(Debug, Clone)]
struct SettingSpec {
    /// 0 choice, 1 number, 2 yes/no.
    kind: u8,
    /// Choice: options beyond 2. Number: bit 0 integer, bit 1 min 0, bit 2 max 10.
    flags: u8,
    /// Picks the default.
    default: u8,
}

#[derive(Debug, Clone)]
struct Spec {
    sections: u8,
    settings: Vec<SettingSpec>,
    questions: Vec<QuestionSpec>,
    rules: Vec<RuleSpec>,
}

/// How conditions may be built.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Flavour {
    /// Rules may test that an answer is *not* "Not sure" (and are then marked
    /// `not_monotone`, as the loader requires). Otherwise every leaf is one the loader accepts
    /// in any rule; `show_if` never has such a test (the loader refuses it there).
    not_monotone_rules: bool,
}

const ANY_LEAF: Flavour = Flavour {
    not_monotone_rules: true,
};

fn cond_spec() -> impl Strategy<Value = CondSpec> {
    let leaf = prop_oneof![
        3 => (any::<u16>(), any::<u8>(), any::<u8>())
            .prop_map(|(q, op, v)| CondSpec::Leaf { q, op, v }),
        1 => (any::<u16>(), any::<u8>(), any::<u8>())
            .prop_map(|(s, op, v)| CondSpec::Setting { s, op, v }),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(CondSpec::All),
            prop::collection::vec(inner.clone(), 1..4).prop_map(CondSpec::Any),
            inner.clone().prop_map(|c| CondSpec::Not(Box::new(c))),
            (any::<u8>(), prop::collection::vec(inner, 1..4))
                .prop_map(|(n, xs)| CondSpec::AtLeast(n, xs)),
        ]
    })
}

fn spec(max_questions: usize) -> impl Strategy<Value = Spec> {
    let question = (
        0u8..7,
        any::<u8>(),
        0u8..3,
        prop::option::weighted(0.5, cond_spec()),
    )
        .prop_map(|(kind, flags, options, show_if)| QuestionSpec {
            kind,
            flags,
            options,
            show_if,
        });
    let rule = (any::<u8>(), cond_spec()).prop_map(|(level, when)| RuleSpec { level, when });
    let setting =
        (0u8..3, any::<u8>(), any::<u8>()).prop_map(|(kind, flags, default)| SettingSpec {
            kind,
            flags,
            default,
        });
    (
        1u8..4,
        prop::collection::vec(setting, 0..4),
        prop::collection::vec(question, 1..=max_questions),
        prop::collection::vec(rule, 0..12),
    )
        .prop_map(|(sections, settings, questions, rules)| Spec {
            sections,
            settings,
            questions,
            rules,
        })
}

/// A clinic file's settings, per declared setting: whether the file sets it, and a value
/// picker.
fn clinic_spec() -> impl Strategy<Value = Vec<(bool, u8)>> {
    prop::collection::vec((prop::bool::weighted(0.75), any::<u8>()), 4)
}

/// Per question: whether it is answered and a value picker.
fn answer_spec() -> impl Strategy<Value = Vec<(bool, u8)>> {
    prop::collection::vec((prop::bool::weighted(0.75), any::<u8>()), 30)
}

// ---------------------------------------------------------------------------------------------
// Specs to questionnaire JSON.

/// What the builder knows about a generated question.
#[derive(Debug, Clone)]
struct GenQ {
    kind: QuestionType,
    required: bool,
    unsure: bool,
    options: usize,
}

fn kind_of(k: u8) -> QuestionType {
    match k {
        0 | 1 => QuestionType::YesNo,
        2 => QuestionType::SingleChoice,
        3 => QuestionType::MultiChoice,
        4 => QuestionType::Number,
        5 => QuestionType::Text,
        _ => QuestionType::Display,
    }
}

fn question_json(i: usize, s: &QuestionSpec) -> (Value, GenQ) {
    let kind = kind_of(s.kind);
    let mut q = Map::new();
    q.insert("id".into(), format!("q{i}").into());
    q.insert("type".into(), kind.as_str().into());
    q.insert("text".into(), format!("Question {i}?").into());
    let optional = s.flags & 1 != 0 && kind != QuestionType::Display;
    if optional {
        q.insert("required".into(), false.into());
    }
    let flip = s.flags & 2 != 0;
    let mut unsure = false;
    let mut options = 0;
    match kind {
        QuestionType::YesNo => {
            unsure = !flip;
            if flip {
                q.insert("allow_unsure".into(), false.into());
            }
        }
        QuestionType::SingleChoice | QuestionType::MultiChoice => {
            let single = kind == QuestionType::SingleChoice;
            options = if single { 2 } else { 1 } + s.options as usize;
            let exclusive = !single && s.flags & 32 != 0;
            let mut opts: Vec<Value> = (0..options)
                .map(|o| json!({"code": format!("o{o}"), "label": format!("Option {o}")}))
                .collect();
            if exclusive {
                opts.push(json!({"code": format!("o{options}"), "label": "None of these", "exclusive": true}));
                options += 1;
            }
            q.insert("options".into(), opts.into());
            if single && flip {
                unsure = true;
                q.insert("allow_unsure".into(), true.into());
            }
        }
        QuestionType::Number => {
            if flip {
                unsure = true;
                q.insert("allow_unsure".into(), true.into());
            }
            if s.flags & 4 != 0 {
                q.insert("integer".into(), true.into());
            }
            if s.flags & 8 != 0 {
                q.insert("min".into(), 0.into());
            }
            if s.flags & 16 != 0 {
                q.insert("max".into(), 10.into());
            }
        }
        QuestionType::Text | QuestionType::Display => {}
    }
    let g = GenQ {
        kind,
        required: !optional && kind != QuestionType::Display,
        unsure,
        options,
    };
    (Value::Object(q), g)
}

/// What the builder knows about a generated setting.
#[derive(Debug, Clone)]
struct GenS {
    kind: SettingType,
    /// Choice: how many options.
    options: usize,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
}

impl GenS {
    /// A valid value picked by `v`: an option code, `yes`/`no`, or a number from -1 to 11
    /// (within the limits when there are any), so that it falls on, between and beyond the
    /// numbers that generated answers and conditions use.
    fn value(&self, v: u8) -> Value {
        match self.kind {
            SettingType::Choice => format!("c{}", v as usize % self.options).into(),
            SettingType::YesNo => (if v.is_multiple_of(2) { "yes" } else { "no" }).into(),
            SettingType::Number => {
                let n = if self.integer {
                    (v % 13) as f64 - 1.0
                } else {
                    (v % 25) as f64 / 2.0 - 1.0
                };
                let n = n.max(self.min.unwrap_or(f64::MIN));
                let n = n.min(self.max.unwrap_or(f64::MAX));
                json!(n)
            }
        }
    }
}

fn setting_json(i: usize, s: &SettingSpec) -> (Value, GenS) {
    let kind = match s.kind {
        0 => SettingType::Choice,
        1 => SettingType::Number,
        _ => SettingType::YesNo,
    };
    let number = kind == SettingType::Number;
    let g = GenS {
        kind,
        options: 2 + (s.flags % 3) as usize,
        integer: number && s.flags & 1 != 0,
        min: (number && s.flags & 2 != 0).then_some(0.0),
        max: (number && s.flags & 4 != 0).then_some(10.0),
    };
    let mut j = json!({
        "id": format!("s{i}"),
        "type": kind.as_str(),
        "label": format!("Setting {i}"),
        "help": "What each choice means.",
        "default": g.value(s.default),
    });
    match kind {
        SettingType::Choice => {
            j["options"] = (0..g.options)
                .map(|o| json!({"code": format!("c{o}"), "label": format!("Choice {o}")}))
                .collect();
        }
        SettingType::Number => {
            if g.integer {
                j["integer"] = true.into();
            }
            if let Some(lo) = g.min {
                j["min"] = lo.into();
            }
            if let Some(hi) = g.max {
                j["max"] = hi.into();
            }
        }
        SettingType::YesNo => {}
    }
    (j, g)
}

/// A leaf on setting `si`.
fn setting_leaf_json(si: usize, g: &GenS, op: u8, v: u8) -> Value {
    let id = format!("s{si}");
    match g.kind {
        SettingType::Choice => {
            if op.is_multiple_of(2) {
                json!({"setting": id, "equals": format!("c{}", v as usize % g.options)})
            } else {
                let mut subset: Vec<String> = (0..g.options)
                    .filter(|o| v & (1 << o) != 0)
                    .map(|o| format!("c{o}"))
                    .collect();
                if subset.is_empty() {
                    subset.push(format!("c{}", v as usize % g.options));
                }
                json!({"setting": id, "one_of": subset})
            }
        }
        SettingType::YesNo => json!({"setting": id, "equals": g.value(v)}),
        SettingType::Number => {
            let b = (v % 25) as f64 / 2.0 - 1.0;
            let name = ["lt", "le", "gt", "ge", "equals"][op as usize % 5];
            json!({"setting": id, name: b})
        }
    }
}

/// Resolves a condition spec against the questions it may look at (`candidates`).
///
/// In `show_if` (`show`), every leaf is built so that it can hold and, once `not`s are pushed
/// down to the leaves, the leaves directly under an `all` look at different questions (an
/// `any` under an odd number of `not`s is such an `all`, and a leaf under two `not`s is the
/// leaf itself): then every `show_if` can hold for some answers and the loader's "can never be
/// shown" check never rejects a generated questionnaire.
fn cond_json(c: &CondSpec, g: Gen, candidates: &[usize], show: bool, f: Flavour) -> Value {
    cond_json_under(c, g, candidates, (show, false), f)
}

/// The questions and settings declared so far.
#[derive(Clone, Copy)]
struct Gen<'a> {
    qs: &'a [GenQ],
    ss: &'a [GenS],
}

/// `at.1`: under an odd number of `not`s.
fn cond_json_under(
    c: &CondSpec,
    g: Gen,
    candidates: &[usize],
    at: (bool, bool),
    f: Flavour,
) -> Value {
    let (show, negated) = at;
    match c {
        CondSpec::Leaf { q, op, v } => leaf_json((*q, *op, *v), g, candidates, at, f),
        CondSpec::Setting { s, op, v } if g.ss.is_empty() => {
            leaf_json((*s, *op, *v), g, candidates, at, f)
        }
        CondSpec::Setting { s, op, v } => {
            let si = *s as usize % g.ss.len();
            let numbers: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|q| g.qs[*q].kind == QuestionType::Number)
                .collect();
            // A number setting is compared with a number answer half the time there is one.
            if g.ss[si].kind == SettingType::Number && !numbers.is_empty() && op & 8 != 0 {
                let name = ["lt", "le", "gt", "ge"][*op as usize % 4];
                let q = numbers[*v as usize % numbers.len()];
                json!({"q": format!("q{q}"), name: {"setting": format!("s{si}")}})
            } else {
                setting_leaf_json(si, &g.ss[si], *op, *v)
            }
        }
        CondSpec::All(xs) | CondSpec::Any(xs) => {
            let all = matches!(c, CondSpec::All(_));
            // What it is once `not`s are pushed down: `not` turns an `any` into an `all`.
            let conjunction = all != negated;
            let mut seen = BTreeSet::new();
            let kept: Vec<&CondSpec> = xs
                .iter()
                .filter(|x| match plain_leaf(x, negated, g.ss.is_empty()) {
                    Some(q) if show && conjunction => {
                        seen.insert(candidates[q as usize % candidates.len()])
                    }
                    _ => true,
                })
                .collect();
            let built: Vec<Value> = kept
                .iter()
                .map(|x| cond_json_under(x, g, candidates, at, f))
                .collect();
            json!({(if all { "all" } else { "any" }): built})
        }
        CondSpec::Not(x) => {
            json!({"not": cond_json_under(x, g, candidates, (show, !negated), f)})
        }
        CondSpec::AtLeast(n, xs) => json!({
            "at_least": 1 + *n as usize % xs.len(),
            "of": xs.iter().map(|x| cond_json_under(x, g, candidates, at, f)).collect::<Vec<_>>(),
        }),
    }
}

/// The question spec of a leaf, alone or under `not`s, if it is not negated once the `not`s
/// are pushed down (`negated`: under an odd number of them already). A setting leaf is a
/// question leaf when no setting is declared (`no_settings`).
fn plain_leaf(c: &CondSpec, negated: bool, no_settings: bool) -> Option<u16> {
    match c {
        CondSpec::Leaf { q, .. } => (!negated).then_some(*q),
        CondSpec::Setting { s, .. } if no_settings => (!negated).then_some(*s),
        CondSpec::Not(x) => plain_leaf(x, !negated, no_settings),
        _ => None,
    }
}

fn leaf_json(
    (q, op, v): (u16, u8, u8),
    gen_: Gen,
    candidates: &[usize],
    (show, negated): (bool, bool),
    f: Flavour,
) -> Value {
    let qi = candidates[q as usize % candidates.len()];
    let g = &gen_.qs[qi];
    let id = format!("q{qi}");
    let yes_no = |i: u8| if i.is_multiple_of(2) { "yes" } else { "no" };
    let code = |i: usize| format!("o{}", i % g.options);
    // Each kind's operators, in a fixed order; `op` picks one.
    let mut ops: Vec<Value> = Vec::new();
    match g.kind {
        QuestionType::YesNo => {
            ops.push(json!({"q": id, "equals": yes_no(v)}));
            ops.push(json!({"q": id, "one_of": match v % 3 {
                0 => vec!["yes"],
                1 => vec!["no"],
                _ => vec!["yes", "no"],
            }}));
        }
        QuestionType::SingleChoice => {
            ops.push(json!({"q": id, "equals": code(v as usize)}));
            let mut subset: Vec<String> = (0..g.options)
                .filter(|o| v & (1 << o) != 0)
                .map(code)
                .collect();
            if subset.is_empty() {
                subset.push(code(v as usize));
            }
            ops.push(json!({"q": id, "one_of": subset}));
        }
        QuestionType::MultiChoice => ops.push(json!({"q": id, "contains": code(v as usize)})),
        QuestionType::Number => {
            // show_if: a whole number inside every generated range, so each comparison can
            // hold; rules: -0.5 to 10.5 in halves, on and off the limits.
            let b = if show {
                1.0 + (v % 9) as f64
            } else {
                (v % 23) as f64 / 2.0 - 0.5
            };
            for name in ["lt", "le", "gt", "ge", "equals"] {
                if name == "equals" && !show && b.fract() != 0.0 {
                    continue;
                }
                ops.push(json!({"q": id, name: b}));
            }
            // Or, half the time when there is a number setting, against it.
            let numbers: Vec<usize> = (0..gen_.ss.len())
                .filter(|s| gen_.ss[*s].kind == SettingType::Number)
                .collect();
            if !numbers.is_empty() && op.is_multiple_of(2) {
                let s = numbers[v as usize % numbers.len()];
                let name = ["lt", "le", "gt", "ge"][(op / 2) as usize % 4];
                return json!({"q": id, name: {"setting": format!("s{s}")}});
            }
        }
        QuestionType::Text | QuestionType::Display => {}
    }
    // `answered: false` on a required question cannot hold, so show_if avoids it.
    let answered = v.is_multiple_of(2) || (show && g.required);
    ops.push(json!({"q": id, "answered": answered}));
    if g.unsure {
        // Once `not`s are pushed down, `unsure: true` is the test the loader always accepts.
        let unsure = if f.not_monotone_rules && !show {
            v.is_multiple_of(2)
        } else {
            !negated
        };
        ops.push(json!({"q": id, "unsure": unsure}));
    }
    ops[op as usize % ops.len()].clone()
}

/// Questions a condition may look at: answerable ones.
fn referable(qs: &[GenQ], upto: usize) -> Vec<usize> {
    (0..upto)
        .filter(|i| qs[*i].kind != QuestionType::Display)
        .collect()
}

/// Whether a condition tests that an answer is *not* "Not sure", once `not`s are pushed down.
fn tests_not_unsure(v: &Value, negated: bool) -> bool {
    if v.get("unsure").and_then(Value::as_bool) == Some(negated) {
        return true;
    }
    if let Some(x) = v.get("not") {
        return tests_not_unsure(x, !negated);
    }
    ["all", "any", "of"].iter().any(|k| {
        v.get(*k)
            .and_then(Value::as_array)
            .is_some_and(|xs| xs.iter().any(|x| tests_not_unsure(x, negated)))
    })
}

fn meta() -> Map<String, Value> {
    let advice =
        |label: &str| json!({"label": label, "summary": "Summary.", "next_steps": ["Step."]});
    let mut m = Map::new();
    m.insert("id".into(), "generated".into());
    m.insert("version".into(), "1.0.0".into());
    m.insert("title".into(), "Generated".into());
    m.insert("locale".into(), "en-AU".into());
    m.insert("introduction".into(), "Generated for tests.".into());
    m.insert("disclaimer".into(), "Not a diagnosis.".into());
    m.insert(
        "contacts".into(),
        json!([{"id": "emergency", "name": "Emergency", "number": "000", "show_for": ["emergency"]}]),
    );
    let mut advice_map = Map::new();
    for l in Level::ALL {
        advice_map.insert(l.as_str().into(), advice(l.as_str()));
    }
    m.insert("advice".into(), advice_map.into());
    m
}

fn build_json(s: &Spec, f: Flavour) -> Value {
    let (sjson, ss): (Vec<Value>, Vec<GenS>) = s
        .settings
        .iter()
        .enumerate()
        .map(|(i, x)| setting_json(i, x))
        .unzip();
    let mut qs = Vec::new();
    let mut qjson = Vec::new();
    for (i, qs_spec) in s.questions.iter().enumerate() {
        let (mut j, g) = question_json(i, qs_spec);
        qs.push(g);
        if let Some(c) = &qs_spec.show_if {
            let cands = referable(&qs, i);
            if !cands.is_empty() {
                let g = Gen { qs: &qs, ss: &ss };
                j["show_if"] = cond_json(c, g, &cands, true, f);
            }
        }
        qjson.push(j);
    }
    let n = qjson.len();
    let sections = (s.sections as usize).clamp(1, n);
    let per = n.div_ceil(sections);
    let sections: Vec<Value> = qjson
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| json!({"id": format!("s{i}"), "title": format!("Section {i}"), "questions": chunk}))
        .collect();
    let cands = referable(&qs, n);
    let rules: Vec<Value> = if cands.is_empty() {
        Vec::new()
    } else {
        s.rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let when = cond_json(&r.when, Gen { qs: &qs, ss: &ss }, &cands, false, f);
                let mut rule = json!({
                    "id": format!("r{i}"),
                    "level": Level::ALL[1 + r.level as usize % 6].as_str(),
                    "message": format!("Rule {i} fired."),
                });
                if tests_not_unsure(&when, false) {
                    rule["not_monotone"] = true.into();
                }
                rule["when"] = when;
                rule
            })
            .collect()
    };
    let mut m = meta();
    if !sjson.is_empty() {
        m.insert("settings".into(), sjson.into());
    }
    m.insert("sections".into(), sections.into());
    m.insert("rules".into(), rules.into());
    Value::Object(m)
}

/// The clinic file that `picks` describe for the settings `q` declares: each setting set to a
/// picked value or left at its default.
fn clinic_json(q: &Questionnaire, spec: &Spec, picks: &[(bool, u8)]) -> Value {
    let mut settings = Map::new();
    for (i, (s, x)) in q.settings().iter().zip(&spec.settings).enumerate() {
        let (set, v) = picks[i % picks.len()];
        if set {
            let (_, g) = setting_json(i, x);
            settings.insert(s.id.clone(), g.value(v));
        }
    }
    json!({"questionnaire": q.id(), "settings": settings})
}

/// `q` under the clinic file that `picks` describe, loaded as a clinic file is.
fn under_clinic(
    q: &Questionnaire,
    spec: &Spec,
    picks: &[(bool, u8)],
) -> Result<Questionnaire, TestCaseError> {
    let text = clinic_json(q, spec, picks).to_string();
    needlecheck::clinic::load_str("clinic.json", text.as_bytes(), q).map_err(|e| {
        TestCaseError::fail(format!(
            "generated clinic file does not load:\n{}\n{text}",
            e.render(false)
        ))
    })
}

/// Loads the questionnaire `s` describes and applies the clinic file `c` describes.
fn load_under(s: &Spec, f: Flavour, c: &[(bool, u8)]) -> Result<Questionnaire, TestCaseError> {
    under_clinic(&load(&build_json(s, f))?, s, c)
}

fn load(v: &Value) -> Result<Questionnaire, TestCaseError> {
    let text = serde_json::to_string_pretty(v).unwrap();
    load_str("generated.json", text.as_bytes()).map_err(|e| {
        TestCaseError::fail(format!(
            "generated questionnaire does not load:\n{}\n{text}",
            e.render(false)
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Answers.

/// A valid answer to question `q` picked by `v`, or `None` for display-only text.
fn answer_for(q: &needlecheck::model::Question, v: u8) -> Option<Answer> {
    if q.allows_unsure() && v.is_multiple_of(5) {
        return Some(Answer::Unsure);
    }
    let a = match q.kind {
        QuestionType::YesNo => {
            if v.is_multiple_of(2) {
                Answer::Yes
            } else {
                Answer::No
            }
        }
        QuestionType::SingleChoice => Answer::Choice(v as usize % q.options.len()),
        QuestionType::MultiChoice => {
            let exclusive = q.options.iter().position(|o| o.exclusive);
            match exclusive {
                Some(e) if v.is_multiple_of(3) => Answer::Multi(vec![e]),
                _ => {
                    let mut chosen: Vec<usize> = (0..q.options.len())
                        .filter(|o| Some(*o) != exclusive && (v >> 1) & (1 << o) != 0)
                        .collect();
                    if chosen.is_empty() {
                        chosen.push(0);
                    }
                    Answer::Multi(chosen)
                }
            }
        }
        QuestionType::Number => {
            if q.integer {
                Answer::Number(((v / 5) % 11) as f64)
            } else {
                Answer::Number(((v / 5) % 21) as f64 / 2.0)
            }
        }
        QuestionType::Text => Answer::Text(format!("text {v}")),
        QuestionType::Display => return None,
    };
    Some(a)
}

fn answers_from(q: &Questionnaire, picks: &[(bool, u8)]) -> Result<Answers, TestCaseError> {
    let mut answers = Answers::new(q.questions().len());
    for (i, question) in q.questions().iter().enumerate() {
        let (given, v) = picks[i % picks.len()];
        if let (true, Some(a)) = (given, answer_for(question, v)) {
            answers::check(question, &a)
                .map_err(|m| TestCaseError::fail(format!("generated a bad answer: {m}")))?;
            answers.set(i, Some(a));
        }
    }
    Ok(answers)
}

/// Every definite answer worth trying for `q`: all choices, and numbers on and between every
/// limit a generated condition can compare with.
fn definite_answers(q: &needlecheck::model::Question) -> Vec<Answer> {
    match q.kind {
        QuestionType::YesNo => vec![Answer::Yes, Answer::No],
        QuestionType::SingleChoice => (0..q.options.len()).map(Answer::Choice).collect(),
        QuestionType::Number => (-4..=24)
            .map(|h| Answer::Number(h as f64 / 2.0))
            .filter(|a| answers::check(q, a).is_ok())
            .collect(),
        _ => Vec::new(),
    }
}

/// Renders an outcome briefly, for failure messages.
fn brief(q: &Questionnaire, o: &Outcome) -> String {
    let fired: Vec<String> = o
        .findings
        .iter()
        .map(|f| {
            format!(
                "{}({}{})",
                q.rules()[f.rule].rule.id,
                f.level,
                if f.on_unknown { ", unknown" } else { "" }
            )
        })
        .collect();
    format!(
        "{} fired=[{}] unanswered={:?} ignored={:?}",
        o.level,
        fired.join(", "),
        o.unanswered,
        o.ignored
    )
}

fn answers_json(q: &Questionnaire, a: &Answers) -> String {
    Value::Object(answers::answers_to_json(q.questions(), a, |_| true)).to_string()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Unanswered required questions.

proptest! {
    #![proptest_config(config(512))]

    /// `unanswered` is exactly the shown required questions without an answer, and any of them
    /// keeps the outcome at `incomplete` or above: a half-filled screening is never `clear`.
    #[test]
    fn unanswered_required_question_is_never_clear(
        s in spec(30),
        c in clinic_spec(),
        picks in answer_spec(),
    ) {
        let q = load_under(&s, ANY_LEAF, &c)?;
        let a = answers_from(&q, &picks)?;
        let o = score(&q, &a);
        let expected: Vec<usize> = (0..q.questions().len())
            .filter(|i| o.visible[*i] && q.questions()[*i].is_required() && a.get(*i).is_none())
            .collect();
        prop_assert_eq!(&o.unanswered, &expected);
        prop_assert_eq!(o.visible.clone(), q.visibility(&a));
        if !o.unanswered.is_empty() {
            prop_assert!(o.level >= Level::Incomplete, "{}", brief(&q, &o));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. "Not sure" never lowers the outcome.
//
// The questionnaires here have every leaf the loader accepts in a rule without
// `not_monotone`: `answered`, and `unsure` only where it asks for "Not sure" once `not`s are
// pushed down. A test that an answer is *not* "Not sure" (`{"q": x, "unsure": false}`) is the
// one leaf "Not sure" can make false where a definite answer makes it true; the loader refuses
// it unless the rule is marked `not_monotone`, which takes the rule out of the promise.

/// Completes a screening (see [`finish`]).
type Finish<'a> = &'a dyn Fn(&Questionnaire, &mut Answers);

/// Checks that "Not sure" to each question in `xs` scores at least as high as every definite
/// answer to it, the other answers unchanged. With `finish_with` (such as [`finish`]), the
/// answers are first completed with "Not sure" to the question, so that both sides are
/// finished screenings.
fn unsure_not_lower(
    q: &Questionnaire,
    a: &Answers,
    xs: &[usize],
    finish_with: Option<Finish>,
) -> Result<(), TestCaseError> {
    for &x in xs {
        let mut unsure = a.clone();
        unsure.set(x, Some(Answer::Unsure));
        if let Some(finish) = finish_with {
            finish(q, &mut unsure);
        }
        let with_unsure = score(q, &unsure);
        for d in definite_answers(&q.questions()[x]) {
            let mut definite = unsure.clone();
            definite.set(x, Some(d.clone()));
            let with_definite = score(q, &definite);
            if finish_with.is_some() {
                // A definite answer shows no more than "Not sure" does, so it is finished too.
                prop_assert!(
                    with_unsure.unanswered.is_empty(),
                    "{}",
                    brief(q, &with_unsure)
                );
                prop_assert!(
                    with_definite.unanswered.is_empty(),
                    "{}",
                    brief(q, &with_definite)
                );
            }
            prop_assert!(
                with_unsure.level >= with_definite.level,
                "\"unsure\" to q{x} scores lower than {:?}\n  unsure:   {} answers {}\n  definite: {} answers {}",
                d,
                brief(q, &with_unsure),
                answers_json(q, &unsure),
                brief(q, &with_definite),
                answers_json(q, &definite),
            );
        }
    }
    Ok(())
}

/// Answers every shown required question still without an answer, in order (an answer can
/// show later questions), with the value `picks` holds for it: a finished screening in which
/// the optional questions the picks leave out are skipped.
fn finish(q: &Questionnaire, a: &mut Answers, picks: &[(bool, u8)]) {
    for i in 0..q.questions().len() {
        let question = &q.questions()[i];
        if question.is_required() && a.get(i).is_none() && q.visibility(a)[i] {
            a.set(i, answer_for(question, picks[i % picks.len()].1));
        }
    }
}

/// Questions that offer "Not sure".
fn unsure_questions(q: &Questionnaire) -> Vec<usize> {
    (0..q.questions().len())
        .filter(|i| q.questions()[*i].allows_unsure())
        .collect()
}

/// Questions some `show_if` looks at.
fn gating_questions(q: &Questionnaire) -> BTreeSet<usize> {
    (0..q.questions().len())
        .flat_map(|i| q.show_if_questions(i))
        .collect()
}

const MONOTONE: Flavour = Flavour {
    not_monotone_rules: false,
};

proptest! {
    #![proptest_config(config(384))]

    /// "Not sure" to a question that no `show_if` looks at never scores lower than a definite
    /// answer to it, finished screening or not: both show the same questions (the full promise,
    /// with skip logic, is `unsure_never_lowers_the_outcome` below).
    #[test]
    fn unsure_never_lowers_the_outcome_of_a_non_gating_question(
        s in spec(20),
        c in clinic_spec(),
        picks in answer_spec(),
    ) {
        let q = load_under(&s, MONOTONE, &c)?;
        let a = answers_from(&q, &picks)?;
        let gating = gating_questions(&q);
        let xs: Vec<usize> = unsure_questions(&q).into_iter().filter(|x| !gating.contains(x)).collect();
        unsure_not_lower(&q, &a, &xs, None)?;
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// The promise as documented: in a finished screening (every shown required question
    /// answered, optional ones possibly skipped), "Not sure" never scores lower than any
    /// definite answer, for every question including ones that decide what is shown next.
    ///
    /// This failed while a question that was not asked counted as unknown in rules, or while
    /// `not` could turn "not asked" into true (the two minimal cases below). Conditions are now
    /// in negation normal form and a leaf on a question not asked is false either way round.
    /// It failed again while a skipped optional question held back a rule that a "Not sure"
    /// elsewhere escalated (`unsure_at_a_gate_with_an_optional_question_skipped`): a skipped
    /// optional question is now unknown the way "Not sure" is. With a required question still
    /// unanswered the promise does not hold and is not claimed (the outcome is `incomplete`;
    /// `unsure_at_a_gate_in_an_unfinished_screening`), so the answers are finished first.
    #[test]
    fn unsure_never_lowers_the_outcome(
        s in spec(20),
        c in clinic_spec(),
        picks in answer_spec(),
    ) {
        let q = load_under(&s, MONOTONE, &c)?;
        let a = answers_from(&q, &picks)?;
        let finishing = |q: &Questionnaire, a: &mut Answers| finish(q, a, &picks);
        unsure_not_lower(&q, &a, &unsure_questions(&q), Some(&finishing))?;
        // And with every optional question skipped, where a skipped question meets "Not sure"
        // in the same rule far more often.
        let mut skipping = a.clone();
        for i in (0..q.questions().len()).filter(|i| !q.questions()[*i].is_required()) {
            skipping.set(i, None);
        }
        unsure_not_lower(&q, &skipping, &unsure_questions(&q), Some(&finishing))?;
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Answers to hidden questions.

proptest! {
    #![proptest_config(config(384))]

    /// Giving an answer to a question that is hidden under the other answers changes nothing
    /// but the `ignored` list, which then names it.
    #[test]
    fn answers_to_hidden_questions_never_change_the_outcome(
        s in spec(30),
        c in clinic_spec(),
        picks in answer_spec(),
        extra in any::<u8>(),
    ) {
        let q = load_under(&s, ANY_LEAF, &c)?;
        let a = answers_from(&q, &picks)?;
        let base = score(&q, &a);
        for h in (0..q.questions().len()).filter(|i| !base.visible[*i]) {
            let Some(v) = answer_for(&q.questions()[h], extra) else { continue };
            let mut more = a.clone();
            more.set(h, Some(v));
            let o = score(&q, &more);
            prop_assert_eq!(o.level, base.level, "answer to hidden q{}: {} vs {}", h, brief(&q, &o), brief(&q, &base));
            prop_assert_eq!(&o.findings, &base.findings);
            prop_assert_eq!(&o.unanswered, &base.unanswered);
            prop_assert_eq!(&o.visible, &base.visible);
            let mut ignored: Vec<usize> = base.ignored.clone();
            if !ignored.contains(&h) {
                ignored.push(h);
                ignored.sort_unstable();
            }
            prop_assert_eq!(&o.ignored, &ignored);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Determinism.

proptest! {
    #![proptest_config(config(256))]

    /// The same questionnaire text, clinic file and answers give the same outcome and the same
    /// JSON record, also when both are loaded a second time; the record holds the effective
    /// value of every setting, those the clinic file leaves out at their defaults.
    #[test]
    fn scoring_is_deterministic(s in spec(30), c in clinic_spec(), picks in answer_spec()) {
        let v = build_json(&s, ANY_LEAF);
        let base = load(&v)?;
        let q1 = under_clinic(&base, &s, &c)?;
        let q2 = under_clinic(&load(&v)?, &s, &c)?;
        let a = answers_from(&q1, &picks)?;
        let o1 = score(&q1, &a);
        let o2 = score(&q1, &a);
        let o3 = score(&q2, &a);
        prop_assert_eq!(&o1, &o2);
        prop_assert_eq!(&o1, &o3);
        let r1 = serde_json::to_string(&Record::new(&q1, &a, &o1)).unwrap();
        let r2 = serde_json::to_string(&Record::new(&q1, &a, &o2)).unwrap();
        let r3 = serde_json::to_string(&Record::new(&q2, &a, &o3)).unwrap();
        prop_assert_eq!(&r1, &r2);
        prop_assert_eq!(&r1, &r3);
        let record: Value = serde_json::from_str(&r1).unwrap();
        let file = clinic_json(&base, &s, &c);
        let defaults = base.settings_json();
        prop_assert_eq!(record["settings"].as_object().map(Map::len), Some(defaults.len()));
        for (id, default) in &defaults {
            let want = file["settings"].get(id).unwrap_or(default);
            let got = &record["settings"][id];
            // Numbers by value: the record writes a whole number as `2`, not `2.0`.
            let same = got == want || (got.is_number() && got.as_f64() == want.as_f64());
            prop_assert!(same, "setting {}: {} in the record, {} set", id, got, want);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Robustness: loading damaged files, driving a session.

const MINI: &str = include_str!("fixtures/mini.json");

/// Loading must return, and an error must say something.
fn load_returns(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Err(e) = load_str("damaged.json", bytes) {
        let text = e.render(false);
        prop_assert!(!text.trim().is_empty(), "empty error for {e:?}");
        if let LoadError::Invalid { problems, .. } = &e {
            prop_assert!(!problems.is_empty());
        }
    }
    Ok(())
}

/// Every JSON pointer to an object member of `v`.
fn member_paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                at.push(k.clone());
                out.push(at.clone());
                member_paths(x, at, out);
                at.pop();
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                at.push(i.to_string());
                member_paths(x, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn remove_member(v: &mut Value, path: &[String]) {
    let (last, parents) = path.split_last().unwrap();
    let mut cur = v;
    for p in parents {
        cur = match cur {
            Value::Object(m) => m.get_mut(p).unwrap(),
            Value::Array(xs) => &mut xs[p.parse::<usize>().unwrap()],
            _ => unreachable!(),
        };
    }
    cur.as_object_mut().unwrap().remove(last);
}

#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Flip(usize, u8),
    DeleteField(usize),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (any::<usize>(), 1u8..=255).prop_map(|(i, x)| Damage::Flip(i, x)),
        any::<usize>().prop_map(Damage::DeleteField),
    ]
}

fn apply(text: &str, d: &Damage) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    match d {
        Damage::Truncate(i) => bytes.truncate(i % bytes.len()),
        Damage::Flip(i, x) => {
            let n = bytes.len();
            bytes[i % n] ^= x;
        }
        Damage::DeleteField(i) => {
            let mut v: Value = serde_json::from_str(text).unwrap();
            let mut paths = Vec::new();
            member_paths(&v, &mut Vec::new(), &mut paths);
            remove_member(&mut v, &paths[i % paths.len()]);
            bytes = serde_json::to_vec_pretty(&v).unwrap();
        }
    }
    bytes
}

#[derive(Debug, Clone)]
enum Action {
    Answer(u8),
    Back,
    Skip,
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => any::<u8>().prop_map(Action::Answer),
        1 => Just(Action::Back),
        1 => Just(Action::Skip),
    ]
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn loading_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load_returns(&bytes)?;
    }

    #[test]
    fn loading_a_damaged_file_never_panics(d in damage()) {
        load_returns(&apply(MINI, &d))?;
    }

    #[test]
    fn loading_a_damaged_generated_file_never_panics(s in spec(12), d in damage()) {
        let text = serde_json::to_string_pretty(&build_json(&s, ANY_LEAF)).unwrap();
        load_returns(&apply(&text, &d))?;
    }

    /// A session driven by random answers, "back" and "skip" never panics, stays on a shown
    /// question, and its progress never passes its total.
    #[test]
    fn a_session_never_panics_and_progress_stays_in_range(
        s in spec(30),
        c in clinic_spec(),
        actions in prop::collection::vec(action(), 0..60),
    ) {
        let q = load_under(&s, ANY_LEAF, &c)?;
        let mut session = Session::new(&q);
        for act in &actions {
            match act {
                Action::Answer(v) => {
                    if let Some(c) = session.current()
                        && let Some(a) = answer_for(&q.questions()[c], *v)
                    {
                        prop_assert!(session.answer(a).is_ok());
                    } else {
                        let _ = session.skip();
                    }
                }
                Action::Back => {
                    session.back();
                }
                Action::Skip => {
                    let _ = session.skip();
                }
            }
            let (pos, total) = session.progress();
            prop_assert!(pos <= total, "progress {pos}/{total} after {act:?}");
            if let Some(c) = session.current() {
                prop_assert!(session.visible_questions().contains(&c), "on hidden q{c}");
                prop_assert!(pos >= 1);
            }
            let o = session.outcome();
            prop_assert!(o.ignored.is_empty(), "session kept answers to hidden questions: {:?}", o.ignored);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Minimal counterexamples to "Not sure never lowers the outcome" (found by
// `unsure_never_lowers_the_outcome`, reduced by hand). Both are flaws of the semantics of skip
// logic, not of the generator; they stay here, ignored, until the engine is changed.

fn small(questions: Value, rules: Value) -> Questionnaire {
    let mut m = meta();
    m.insert(
        "sections".into(),
        json!([{"id": "s", "title": "S", "questions": questions}]),
    );
    m.insert("rules".into(), rules);
    let text = Value::Object(m).to_string();
    load_str("small.json", text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)))
}

fn level_of(q: &Questionnaire, answers: Value) -> Level {
    let a = q
        .parse_answers(answers.as_object().unwrap())
        .expect("valid answers");
    score(q, &a).level
}

/// `g` is shown when `f` is not "yes"; `f` is shown only after "yes" to `x`. This was a
/// counterexample while `not (f = yes)` held for a hidden `f`: "No" to `x` then showed `g` and
/// its "yes" fired the emergency rule, while "Not sure" to `x` showed `f`, whose "yes" hid `g`
/// (`clear`). Now a question that was not asked satisfies neither a test nor its negation, so a
/// follow-up of it is not asked either way.
#[test]
fn unsure_hides_a_follow_up_that_a_definite_answer_shows() {
    let q = small(
        json!([
            {"id": "x", "type": "yes_no", "text": "X?"},
            {"id": "f", "type": "yes_no", "text": "F?", "show_if": {"q": "x", "equals": "yes"}},
            {"id": "g", "type": "yes_no", "text": "G?", "show_if": {"not": {"q": "f", "equals": "yes"}}}
        ]),
        json!([{"id": "g_yes", "level": "emergency", "when": {"q": "g", "equals": "yes"}, "message": "G."}]),
    );
    let definite = level_of(&q, json!({"x": "no", "f": "yes", "g": "yes"}));
    let unsure = level_of(&q, json!({"x": "unsure", "f": "yes", "g": "yes"}));
    assert_eq!(definite, Level::Clear);
    // And when `f` is asked and is not "yes", `g` is asked and counts.
    assert_eq!(
        level_of(&q, json!({"x": "unsure", "f": "no", "g": "yes"})),
        Level::Emergency
    );
    assert!(
        unsure >= definite,
        "\"Not sure\" gives {unsure}, \"No\" gives {definite}"
    );
}

/// A rule needs "yes" to the follow-up `f` and to `y`; `y` is "Not sure". This was a
/// counterexample while a hidden follow-up was unknown in rules: "No" to `x` hid `f`, and the
/// unknown `f` with the unsure `y` escalated to emergency, while "Not sure" to `x` showed `f`,
/// whose "no" ruled the rule out. Now a follow-up that was not asked rules it out as well.
#[test]
fn unsure_shows_a_follow_up_that_rules_out_a_rule_a_definite_answer_escalates() {
    let q = small(
        json!([
            {"id": "x", "type": "yes_no", "text": "X?"},
            {"id": "f", "type": "yes_no", "text": "F?", "show_if": {"q": "x", "equals": "yes"}},
            {"id": "y", "type": "yes_no", "text": "Y?"}
        ]),
        json!([{"id": "f_and_y", "level": "emergency",
                "when": {"all": [{"q": "f", "equals": "yes"}, {"q": "y", "equals": "yes"}]},
                "message": "F and Y."}]),
    );
    let definite = level_of(&q, json!({"x": "no", "f": "no", "y": "unsure"}));
    let unsure = level_of(&q, json!({"x": "unsure", "f": "no", "y": "unsure"}));
    assert_eq!(definite, Level::Clear);
    // "Yes" to the shown follow-up with the unsure `y` cannot be ruled out.
    assert_eq!(
        level_of(&q, json!({"x": "unsure", "f": "yes", "y": "unsure"})),
        Level::Emergency
    );
    assert!(
        unsure >= definite,
        "\"Not sure\" gives {unsure}, \"No\" gives {definite}"
    );
}

/// A finished screening (every shown required question answered) with an optional question
/// `z` skipped. The rule needs "yes" to `z` and to `f` or `y`; `y` is "Not sure". "Yes" to the
/// gate `x` hides `f`, and the rule escalated on the unsure `y` despite the skipped `z`, while
/// "Not sure" to `x` showed `f`, whose "yes" decided the `any`, and the skipped `z` alone then
/// held the rule back: "Not sure" gave `clear` where "Yes" gave `not_suitable`. A skipped
/// optional question now leaves a rule undecided the way "Not sure" does.
#[test]
fn unsure_at_a_gate_with_an_optional_question_skipped() {
    let q = small(
        json!([
            {"id": "x", "type": "yes_no", "text": "X?"},
            {"id": "f", "type": "yes_no", "text": "F?", "show_if": {"q": "x", "equals": "no"}},
            {"id": "y", "type": "yes_no", "text": "Y?"},
            {"id": "z", "type": "yes_no", "text": "Z?", "required": false}
        ]),
        json!([{"id": "z_and_f_or_y", "level": "not_suitable",
                "when": {"all": [{"q": "z", "equals": "yes"},
                                 {"any": [{"q": "f", "equals": "yes"}, {"q": "y", "equals": "yes"}]}]},
                "message": "Z and F or Y."}]),
    );
    let definite = level_of(&q, json!({"x": "yes", "f": "yes", "y": "unsure"}));
    let unsure = level_of(&q, json!({"x": "unsure", "f": "yes", "y": "unsure"}));
    assert_eq!(definite, Level::NotSuitable);
    assert!(
        unsure >= definite,
        "\"Not sure\" gives {unsure}, \"Yes\" gives {definite}"
    );
    // The skipped `z` alone (with `f` "yes") cannot rule the rule out either.
    assert_eq!(
        level_of(&q, json!({"x": "no", "f": "yes", "y": "no"})),
        Level::NotSuitable
    );
    // Before the screening is finished (`y` not answered), `z` may simply not be reached yet:
    // it does not escalate, and the outcome is `incomplete`.
    assert_eq!(
        level_of(&q, json!({"x": "no", "f": "yes"})),
        Level::Incomplete
    );
    // An answer to `z` decides it.
    assert_eq!(
        level_of(
            &q,
            json!({"x": "unsure", "f": "yes", "y": "unsure", "z": "no"})
        ),
        Level::Clear
    );
}

/// The same rule with `z` required and not answered yet: "Yes" to `x` escalates the rule on the
/// unsure `y`, while "Not sure" to `x` shows `f`, whose "yes" leaves only the missing `z`, which
/// does not escalate. The screening is `incomplete` and must be finished, and once `z` has an
/// answer "Not sure" is again at least as high as "Yes". This is why the promise is about
/// finished screenings.
#[test]
fn unsure_at_a_gate_in_an_unfinished_screening() {
    let q = small(
        json!([
            {"id": "x", "type": "yes_no", "text": "X?"},
            {"id": "f", "type": "yes_no", "text": "F?", "show_if": {"q": "x", "equals": "no"}},
            {"id": "y", "type": "yes_no", "text": "Y?"},
            {"id": "z", "type": "yes_no", "text": "Z?"}
        ]),
        json!([{"id": "z_and_f_or_y", "level": "not_suitable",
                "when": {"all": [{"q": "z", "equals": "yes"},
                                 {"any": [{"q": "f", "equals": "yes"}, {"q": "y", "equals": "yes"}]}]},
                "message": "Z and F or Y."}]),
    );
    assert_eq!(
        level_of(&q, json!({"x": "yes", "f": "yes", "y": "unsure"})),
        Level::NotSuitable
    );
    assert_eq!(
        level_of(&q, json!({"x": "unsure", "f": "yes", "y": "unsure"})),
        Level::Incomplete
    );
    for z in ["yes", "no"] {
        let definite = level_of(&q, json!({"x": "yes", "f": "yes", "y": "unsure", "z": z}));
        let unsure = level_of(
            &q,
            json!({"x": "unsure", "f": "yes", "y": "unsure", "z": z}),
        );
        assert!(unsure >= definite, "z = {z}: {unsure} < {definite}");
    }
}

/// In a session, an optional question not reached yet is still to be answered and does not
/// escalate a stop rule; once it is skipped it counts as "Not sure" and the rule interrupts.
#[test]
fn a_skipped_optional_question_escalates_a_stop_rule_once_passed() {
    let q = small(
        json!([
            {"id": "y", "type": "yes_no", "text": "Y?"},
            {"id": "z", "type": "yes_no", "text": "Z?", "required": false},
            {"id": "w", "type": "yes_no", "text": "W?"}
        ]),
        json!([{"id": "y_and_z", "level": "emergency", "stop": true,
                "when": {"all": [{"q": "y", "equals": "yes"}, {"q": "z", "equals": "yes"}]},
                "message": "Y and Z."}]),
    );
    let mut s = Session::new(&q);
    assert!(matches!(
        s.answer(Answer::Yes),
        Ok(needlecheck::Step::Next(1))
    ));
    assert!(matches!(s.skip(), Ok(needlecheck::Step::Stopped(0))));
    assert_eq!(s.outcome().level, Level::Emergency);
    // "No" to `z` rules it out.
    let mut s = Session::new(&q);
    s.answer(Answer::Yes).unwrap();
    assert!(matches!(
        s.answer(Answer::No),
        Ok(needlecheck::Step::Next(2))
    ));
}

// ---------------------------------------------------------------------------------------------
// 6. The generators reach the settings.

/// Whether a condition compares a number answer with a number setting.
fn compares_with_a_setting(v: &Value) -> bool {
    match v {
        Value::Object(m) => {
            (m.contains_key("q")
                && ["lt", "le", "gt", "ge"]
                    .iter()
                    .any(|k| m.get(*k).is_some_and(|b| b.get("setting").is_some())))
                || m.values().any(compares_with_a_setting)
        }
        Value::Array(xs) => xs.iter().any(compares_with_a_setting),
        _ => false,
    }
}

/// Whether a condition has a leaf on a setting.
fn reads_a_setting(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key("setting") || m.values().any(reads_a_setting),
        Value::Array(xs) => xs.iter().any(reads_a_setting),
        _ => false,
    }
}

/// The properties above claim to hold under every clinic's settings; that means something
/// only if the generated questionnaires declare settings, their conditions read them, and the
/// drawn clinic files change what is shown and what fires. Counted over a fixed sample.
#[test]
fn generated_settings_change_what_is_shown_and_what_fires() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (spec(20), clinic_spec(), clinic_spec(), answer_spec());
    let n = 500;
    let (mut declared, mut read, mut compared) = (0, 0, 0);
    let (mut outcome, mut level, mut shown, mut by_comparison) = (0, 0, 0, 0);
    for _ in 0..n {
        let (s, c1, c2, picks) = strategy.new_tree(&mut runner).unwrap().current();
        let v = build_json(&s, ANY_LEAF);
        let base = load(&v).unwrap();
        let rules = v["rules"].as_array().unwrap();
        let conditions: Vec<&Value> = rules
            .iter()
            .map(|r| &r["when"])
            .chain(v["sections"].as_array().unwrap().iter().flat_map(|sec| {
                sec["questions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|q| q.get("show_if"))
            }))
            .collect();
        declared += usize::from(!base.settings().is_empty());
        read += usize::from(conditions.iter().any(|c| reads_a_setting(c)));
        compared += usize::from(conditions.iter().any(|c| compares_with_a_setting(c)));
        let (q1, q2) = (
            under_clinic(&base, &s, &c1).unwrap(),
            under_clinic(&base, &s, &c2).unwrap(),
        );
        let a = answers_from(&q1, &picks).unwrap();
        let (o1, o2) = (score(&q1, &a), score(&q2, &a));
        outcome += usize::from(o1 != o2);
        level += usize::from(o1.level != o2.level);
        shown += usize::from(o1.visible != o2.visible);
        let fired = |o: &Outcome, r: usize| o.findings.iter().any(|f| f.rule == r);
        by_comparison +=
            usize::from((0..rules.len()).any(|r| {
                compares_with_a_setting(&rules[r]["when"]) && fired(&o1, r) != fired(&o2, r)
            }));
    }
    let counts = format!(
        "of {n}: {declared} declare settings, {read} read them, {compared} compare an answer \
         with one; two clinic files change the outcome in {outcome}, the level in {level}, \
         what is shown in {shown}, and a rule comparing with a setting in {by_comparison}"
    );
    // Measured: 380, 355, 114; 175, 51, 97, 15.
    assert!(declared * 10 >= n * 6, "{counts}");
    assert!(read * 10 >= n * 5, "{counts}");
    assert!(compared * 10 >= n, "{counts}");
    assert!(outcome * 10 >= n * 2, "{counts}");
    assert!(level * 20 >= n, "{counts}");
    assert!(shown * 20 >= n, "{counts}");
    assert!(by_comparison * 50 >= n, "{counts}");
}

// ---------------------------------------------------------------------------------------------
// 7. The built-in questionnaire under every combination of its choice settings.

/// The built-in questionnaire under the settings `combo` (bit `i` picks the other option of
/// the `i`-th choice setting) and `numbers` (a value for each number setting, from its range).
fn builtin_under(combo: u32, numbers: &[u8]) -> Questionnaire {
    use needlecheck::condition::SettingValue;
    static BUILT_IN: std::sync::LazyLock<Questionnaire> = std::sync::LazyLock::new(|| {
        needlecheck::loader::embedded().expect("the built-in questionnaire loads")
    });
    let q = BUILT_IN.clone();
    let mut bit = 0;
    let mut values = Vec::new();
    for (i, s) in q.settings().iter().enumerate() {
        values.push(match s.kind {
            SettingType::Choice | SettingType::YesNo => {
                let options = needlecheck::settings::codes(s).len();
                bit += 1;
                SettingValue::Code((combo >> (bit - 1)) as usize % options)
            }
            SettingType::Number => {
                let (lo, hi) = (s.min.unwrap_or(0.0), s.max.unwrap_or(100.0));
                let step = if s.integer { 1.0 } else { 0.1 };
                let steps = ((hi - lo) / step).round() as usize;
                let k = numbers[i % numbers.len()] as usize % (steps + 1);
                SettingValue::Number(((lo + k as f64 * step) * 10.0).round() / 10.0)
            }
        });
    }
    assert!(
        bit <= 8,
        "{bit} choice settings: the combinations no longer fit the draw"
    );
    q.with_settings(values)
}

/// Questions that a `stop` rule reads (the emergencies asked first).
fn stop_questions(q: &Questionnaire) -> BTreeSet<usize> {
    let mut out = Vec::new();
    for r in q.rules().iter().filter(|r| r.rule.stop) {
        r.when.questions(&mut out);
    }
    out.into_iter().collect()
}

/// An answer to a question of the built-in questionnaire, picked by `v`, the way a person
/// with little to report answers: mostly "no", sometimes "yes" or "Not sure"; to a question
/// that can stop the screening (`stops`), "no" but for one time in thirty, so that most
/// screenings go on to the follow-ups.
fn builtin_answer(q: &needlecheck::model::Question, v: u32, stops: bool) -> Option<Answer> {
    if stops && q.kind == QuestionType::YesNo && !v.is_multiple_of(30) {
        return Some(Answer::No);
    }
    let unsure = q.allows_unsure() && v.is_multiple_of(9);
    if unsure {
        return Some(Answer::Unsure);
    }
    let v = v / 9;
    let a = match q.kind {
        QuestionType::YesNo => {
            if v.is_multiple_of(5) {
                Answer::Yes
            } else {
                Answer::No
            }
        }
        QuestionType::SingleChoice => Answer::Choice(v as usize % q.options.len()),
        QuestionType::MultiChoice => {
            let exclusive: Vec<usize> = (0..q.options.len())
                .filter(|o| q.options[*o].exclusive)
                .collect();
            if !exclusive.is_empty() && v.is_multiple_of(3) {
                Answer::Multi(vec![exclusive[(v / 3) as usize % exclusive.len()]])
            } else {
                let others: Vec<usize> = (0..q.options.len())
                    .filter(|o| !q.options[*o].exclusive)
                    .collect();
                let first = others[(v / 3) as usize % others.len()];
                let second = others[(v / 97) as usize % others.len()];
                let mut chosen = vec![first, second];
                chosen.sort_unstable();
                chosen.dedup();
                Answer::Multi(chosen)
            }
        }
        QuestionType::Number => {
            let (lo, hi) = (q.min.unwrap_or(0.0), q.max.unwrap_or(100.0));
            let n = lo + (v % 1000) as f64 / 999.0 * (hi - lo);
            Answer::Number(if q.integer {
                n.round()
            } else {
                (n * 10.0).round() / 10.0
            })
        }
        QuestionType::Text => Answer::Text("ok".into()),
        QuestionType::Display => return None,
    };
    Some(a)
}

/// A finished screening of the built-in questionnaire: every question shown, in order, answered
/// by `picks` (an optional one sometimes skipped).
fn builtin_screening(q: &Questionnaire, picks: &[u32]) -> Answers {
    let mut a = Answers::new(q.questions().len());
    builtin_finish(q, &mut a, picks);
    a
}

/// Answers every shown question still without an answer, in order, by `picks` (an optional one
/// sometimes skipped).
fn builtin_finish(q: &Questionnaire, a: &mut Answers, picks: &[u32]) {
    let stops = stop_questions(q);
    for (i, question) in q.questions().iter().enumerate() {
        let v = picks[i % picks.len()];
        let skip = !question.is_required() && v % 4 == 1;
        if !skip && a.get(i).is_none() && q.visibility(a)[i] {
            a.set(i, builtin_answer(question, v, stops.contains(&i)));
        }
    }
}

proptest! {
    #![proptest_config(config(128))]

    /// Under every combination of the built-in questionnaire's choice settings (and number
    /// settings drawn from their ranges): a missing required answer is never `clear`, "Not
    /// sure" to any question never scores lower than a definite answer in a finished
    /// screening (the latest INR is the documented exception: not known asks for the result
    /// rather than deferring), and answers to hidden questions change nothing.
    #[test]
    fn the_built_in_questionnaire_keeps_its_promises_under_every_setting(
        combo in 0u32..256,
        numbers in prop::collection::vec(any::<u8>(), 8),
        picks in prop::collection::vec(any::<u32>(), 100),
    ) {
        let q = builtin_under(combo, &numbers);
        let a = builtin_screening(&q, &picks);
        let o = score(&q, &a);
        prop_assert!(o.unanswered.is_empty(), "{}", brief(&q, &o));
        let inr = q.question_index("inr");
        for x in (0..q.questions().len()).filter(|x| o.visible[*x] && a.get(*x).is_some()) {
            if q.questions()[x].is_required() {
                let mut missing = a.clone();
                missing.set(x, None);
                let m = score(&q, &missing);
                prop_assert!(m.level >= Level::Incomplete, "without {}: {}", q.questions()[x].id, brief(&q, &m));
            }
        }
        let unsure: Vec<usize> = unsure_questions(&q)
            .into_iter()
            .filter(|x| o.visible[*x] && Some(*x) != inr)
            .collect();
        // Follow-ups that "Not sure" shows are answered the same way.
        let finishing = |q: &Questionnaire, a: &mut Answers| builtin_finish(q, a, &picks);
        unsure_not_lower(&q, &a, &unsure, Some(&finishing))?;
        for h in (0..q.questions().len()).filter(|i| !o.visible[*i]).step_by(7) {
            let Some(v) = builtin_answer(&q.questions()[h], picks[h % picks.len()] / 3, false) else { continue };
            let mut more = a.clone();
            more.set(h, Some(v));
            let m = score(&q, &more);
            prop_assert_eq!(m.level, o.level);
            prop_assert_eq!(&m.findings, &o.findings);
        }
    }
}

/// The draws above reach the built-in questionnaire's follow-ups and its settings: most
/// screenings go past the emergency questions, and in a fair share the drawn settings change
/// the outcome of the same answers (counted over a fixed sample).
#[test]
fn built_in_draws_reach_the_follow_ups_and_the_settings() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (
        0u32..256,
        prop::collection::vec(any::<u8>(), 8),
        prop::collection::vec(any::<u32>(), 100),
    );
    let defaults = needlecheck::loader::embedded().unwrap();
    let n = 200;
    let (mut past_emergency, mut changed, mut levels) = (0, 0, BTreeSet::new());
    for _ in 0..n {
        let (combo, numbers, picks) = strategy.new_tree(&mut runner).unwrap().current();
        let q = builtin_under(combo, &numbers);
        let a = builtin_screening(&q, &picks);
        let o = score(&q, &a);
        levels.insert(o.level);
        past_emergency += usize::from(o.level < Level::Emergency);
        let d = score(&defaults, &a);
        changed += usize::from(d.findings != o.findings || d.visible != o.visible);
    }
    let counts = format!(
        "of {n}: {past_emergency} past the emergency questions, {changed} changed by the \
         settings; levels {levels:?}"
    );
    // Measured: 190, 30, six levels (a finished screening is never `incomplete`).
    assert!(past_emergency * 10 >= n * 7, "{counts}");
    assert!(changed * 10 >= n, "{counts}");
    assert!(levels.len() >= 6, "{counts}");
}
