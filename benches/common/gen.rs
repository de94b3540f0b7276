//! Large, realistic questionnaires and answer sets for benchmarks and command-line timing.
//!
//! Shared by `benches/engine.rs` and `examples/gen_large.rs` (included with `#[path]`).
//! Deterministic: the same size and seed give the same bytes.
//!
//! The mix follows the real screening: mostly yes/no questions, some choices and numbers, a
//! little free text and display text; about a third of the questions are follow-ups whose
//! `show_if` looks at one of the few questions before them (so follow-ups of follow-ups form
//! chains); about one rule per three questions, each looking at nearby questions.

#![allow(dead_code)]

use serde_json::{Map, Value, json};

/// A small, fast, seedable generator (SplitMix64).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    YesNo,
    Single,
    Multi,
    Number,
    Text,
    Display,
}

/// A `show_if` or rule leaf the generator can also evaluate.
#[derive(Debug, Clone)]
pub enum Leaf {
    Yes(usize),
    OneOf(usize, Vec<usize>),
    Contains(usize, usize),
    Gt(usize, f64),
    Lt(usize, f64),
}

#[derive(Debug, Clone)]
pub enum Cond {
    Leaf(Leaf),
    Any(Vec<Leaf>),
    All(Vec<Leaf>),
}

#[derive(Debug, Clone)]
pub struct GenQuestion {
    pub kind: Kind,
    pub options: usize,
    pub unsure: bool,
    pub required: bool,
    pub show_if: Option<Cond>,
}

/// An answer as the generator knows it.
#[derive(Debug, Clone)]
pub enum GenAnswer {
    Yes,
    No,
    Unsure,
    Choice(usize),
    Multi(Vec<usize>),
    Number(f64),
    Text,
}

/// A generated questionnaire: its JSON and what the answer generator needs.
pub struct Generated {
    pub questions: Vec<GenQuestion>,
    pub json: Value,
    pub rules: usize,
}

const NUMBER_MAX: f64 = 100.0;

fn id(i: usize) -> String {
    format!("q{i:05}")
}

fn leaf_json(l: &Leaf) -> Value {
    match l {
        Leaf::Yes(q) => json!({"q": id(*q), "equals": "yes"}),
        Leaf::OneOf(q, os) => {
            json!({"q": id(*q), "one_of": os.iter().map(|o| format!("opt{o}")).collect::<Vec<_>>()})
        }
        Leaf::Contains(q, o) => json!({"q": id(*q), "contains": format!("opt{o}")}),
        Leaf::Gt(q, b) => json!({"q": id(*q), "gt": b}),
        Leaf::Lt(q, b) => json!({"q": id(*q), "lt": b}),
    }
}

fn cond_json(c: &Cond) -> Value {
    match c {
        Cond::Leaf(l) => leaf_json(l),
        Cond::Any(ls) => json!({"any": ls.iter().map(leaf_json).collect::<Vec<_>>()}),
        Cond::All(ls) => json!({"all": ls.iter().map(leaf_json).collect::<Vec<_>>()}),
    }
}

/// A leaf on question `q` that some answer makes true.
fn leaf_on(rng: &mut Rng, qs: &[GenQuestion], q: usize) -> Option<Leaf> {
    let g = &qs[q];
    Some(match g.kind {
        Kind::YesNo => Leaf::Yes(q),
        Kind::Single => {
            let a = rng.below(g.options);
            let b = rng.below(g.options);
            let mut os = vec![a.min(b), a.max(b)];
            os.dedup();
            Leaf::OneOf(q, os)
        }
        // The last option of a multiple choice is the exclusive "none of these".
        Kind::Multi => Leaf::Contains(q, rng.below(g.options - 1)),
        Kind::Number => {
            let b = (10 + rng.below(80)) as f64;
            if rng.chance(0.5) {
                Leaf::Gt(q, b)
            } else {
                Leaf::Lt(q, b)
            }
        }
        Kind::Text | Kind::Display => return None,
    })
}

/// A leaf on one of the `window` questions before `before` (or `None` if none fits).
fn leaf_near(rng: &mut Rng, qs: &[GenQuestion], before: usize, window: usize) -> Option<Leaf> {
    if before == 0 {
        return None;
    }
    for _ in 0..4 {
        let back = 1 + rng.below(window.min(before));
        if let Some(l) = leaf_on(rng, qs, before - back) {
            return Some(l);
        }
    }
    None
}

/// Generates a questionnaire of `n` questions.
pub fn questionnaire(n: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let mut qs: Vec<GenQuestion> = Vec::with_capacity(n);
    let mut qjson: Vec<Value> = Vec::with_capacity(n);
    for i in 0..n {
        let kind = match rng.below(100) {
            0..=54 => Kind::YesNo,
            55..=69 => Kind::Single,
            70..=79 => Kind::Multi,
            80..=89 => Kind::Number,
            90..=94 => Kind::Text,
            _ => Kind::Display,
        };
        let mut q = Map::new();
        q.insert("id".into(), id(i).into());
        q.insert("type".into(), kind_str(kind).into());
        q.insert(
            "text".into(),
            format!("Question {i}: have you had this symptom in the last six weeks?").into(),
        );
        if rng.chance(0.2) {
            q.insert(
                "help".into(),
                "We ask because it changes what is safe for you.".into(),
            );
        }
        let required = kind != Kind::Display && !rng.chance(0.1);
        if !required && kind != Kind::Display {
            q.insert("required".into(), false.into());
        }
        let mut options = 0;
        let mut unsure = false;
        match kind {
            Kind::YesNo => unsure = true,
            Kind::Single => {
                options = 2 + rng.below(4);
                q.insert("options".into(), options_json(options, false));
            }
            Kind::Multi => {
                options = 3 + rng.below(4);
                q.insert("options".into(), options_json(options, true));
            }
            Kind::Number => {
                q.insert("min".into(), 0.into());
                q.insert("max".into(), NUMBER_MAX.into());
                q.insert("integer".into(), true.into());
                q.insert("unit".into(), "weeks".into());
                if rng.chance(0.3) {
                    unsure = true;
                    q.insert("allow_unsure".into(), true.into());
                }
            }
            Kind::Text | Kind::Display => {}
        }
        qs.push(GenQuestion {
            kind,
            options,
            unsure,
            required,
            show_if: None,
        });
        if i > 0 && rng.chance(0.35) {
            let cond = if rng.chance(0.8) {
                leaf_near(&mut rng, &qs, i, 5).map(Cond::Leaf)
            } else {
                let a = leaf_near(&mut rng, &qs, i, 5);
                let b = leaf_near(&mut rng, &qs, i, 20);
                match (a, b) {
                    (Some(a), Some(b)) => Some(Cond::Any(vec![a, b])),
                    (a, b) => a.or(b).map(Cond::Leaf),
                }
            };
            if let Some(c) = cond {
                q.insert("show_if".into(), cond_json(&c));
                qs[i].show_if = Some(c);
            }
        }
        qjson.push(Value::Object(q));
    }

    let mut rules = Vec::new();
    for r in 0..n / 3 {
        let at = 1 + rng.below(n);
        let leaves: Vec<Leaf> = (0..1 + rng.below(3))
            .filter_map(|_| leaf_near(&mut rng, &qs, at, 30))
            .collect();
        let when = match leaves.len() {
            0 => continue,
            1 => Cond::Leaf(leaves.into_iter().next().unwrap()),
            _ if rng.chance(0.5) => Cond::All(leaves),
            _ => Cond::Any(leaves),
        };
        let level = match rng.below(100) {
            0..=49 => "review",
            50..=69 => "not_suitable",
            70..=89 => "see_doctor",
            90..=97 => "urgent",
            _ => "emergency",
        };
        let mut rule = json!({
            "id": format!("rule{r:05}"),
            "level": level,
            "when": cond_json(&when),
            "message": "Tell your practitioner about this before any needling.",
        });
        if rng.chance(0.5) {
            rule["practitioner_note"] = "Check before treating this area.".into();
        }
        rules.push(rule);
    }

    let sections: Vec<Value> = qjson
        .chunks(20)
        .enumerate()
        .map(|(i, qs)| json!({"id": format!("s{i}"), "title": format!("Section {i}"), "questions": qs}))
        .collect();
    let rule_count = rules.len();
    let mut doc = meta(n);
    doc.insert("sections".into(), sections.into());
    doc.insert("rules".into(), rules.into());
    Generated {
        questions: qs,
        json: Value::Object(doc),
        rules: rule_count,
    }
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::YesNo => "yes_no",
        Kind::Single => "single_choice",
        Kind::Multi => "multi_choice",
        Kind::Number => "number",
        Kind::Text => "text",
        Kind::Display => "display",
    }
}

fn options_json(n: usize, exclusive_last: bool) -> Value {
    (0..n)
        .map(|o| {
            if exclusive_last && o == n - 1 {
                json!({"code": format!("opt{o}"), "label": "None of these", "exclusive": true})
            } else {
                json!({"code": format!("opt{o}"), "label": format!("Option {o}")})
            }
        })
        .collect()
}

fn meta(n: usize) -> Map<String, Value> {
    let levels = [
        "clear",
        "review",
        "incomplete",
        "not_suitable",
        "see_doctor",
        "urgent",
        "emergency",
    ];
    let mut advice = Map::new();
    for l in levels {
        advice.insert(
            l.into(),
            json!({"label": format!("Outcome {l}"), "summary": "What this means for you.", "next_steps": ["Talk to your practitioner."]}),
        );
    }
    let mut m = Map::new();
    m.insert("id".into(), format!("generated-{n}").into());
    m.insert("version".into(), "1.0.0".into());
    m.insert(
        "title".into(),
        format!("Generated screening ({n} questions)").into(),
    );
    m.insert("locale".into(), "en-AU".into());
    m.insert(
        "introduction".into(),
        "A generated questionnaire for timing.".into(),
    );
    m.insert("disclaimer".into(), "Not a diagnosis.".into());
    m.insert(
        "contacts".into(),
        json!([{"id": "emergency", "name": "Emergency services", "number": "000", "show_for": ["emergency", "urgent"]}]),
    );
    m.insert("advice".into(), advice.into());
    m
}

/// Kleene-lite evaluation of a generated condition: `None` when it cannot be decided.
fn eval_leaf(l: &Leaf, answers: &[Option<GenAnswer>], shown: &[bool]) -> Option<bool> {
    let q = match l {
        Leaf::Yes(q)
        | Leaf::OneOf(q, _)
        | Leaf::Contains(q, _)
        | Leaf::Gt(q, _)
        | Leaf::Lt(q, _) => *q,
    };
    if !shown[q] {
        return Some(false);
    }
    match (l, answers[q].as_ref()?) {
        (_, GenAnswer::Unsure) => None,
        (Leaf::Yes(_), a) => Some(matches!(a, GenAnswer::Yes)),
        (Leaf::OneOf(_, os), GenAnswer::Choice(c)) => Some(os.contains(c)),
        (Leaf::Contains(_, o), GenAnswer::Multi(cs)) => Some(cs.contains(o)),
        (Leaf::Gt(_, b), GenAnswer::Number(x)) => Some(x > b),
        (Leaf::Lt(_, b), GenAnswer::Number(x)) => Some(x < b),
        _ => None,
    }
}

fn shows(c: &Cond, answers: &[Option<GenAnswer>], shown: &[bool]) -> bool {
    let v = match c {
        Cond::Leaf(l) => eval_leaf(l, answers, shown),
        Cond::Any(ls) | Cond::All(ls) => {
            let vs: Vec<Option<bool>> = ls.iter().map(|l| eval_leaf(l, answers, shown)).collect();
            if matches!(c, Cond::Any(_)) {
                if vs.contains(&Some(true)) {
                    Some(true)
                } else if vs.contains(&None) {
                    None
                } else {
                    Some(false)
                }
            } else if vs.contains(&Some(false)) {
                Some(false)
            } else if vs.contains(&None) {
                None
            } else {
                Some(true)
            }
        }
    };
    v != Some(false)
}

impl Generated {
    /// The questionnaire as a file would hold it.
    pub fn text(&self) -> String {
        serde_json::to_string_pretty(&self.json).expect("serialisable")
    }

    /// One person's answers: every shown question answered (optional ones usually), mostly
    /// "no", some "Not sure"; no answers to questions that are not shown.
    pub fn answers(&self, rng: &mut Rng) -> Map<String, Value> {
        self.answers_with(rng, 0.0, 0.0)
    }

    /// Answers as a stream of real screenings gives them: like [`Generated::answers`], but
    /// one set in ten stops partway (required questions left unanswered: `incomplete`), and
    /// one in five also answers a question that its `show_if` hides (an ignored answer, as
    /// when a person goes back and changes a gate).
    pub fn realistic_answers(&self, rng: &mut Rng) -> Map<String, Value> {
        self.answers_with(rng, 0.1, 0.2)
    }

    fn answers_with(&self, rng: &mut Rng, p_stop: f64, p_hidden: f64) -> Map<String, Value> {
        let n = self.questions.len();
        // No draw for a chance of zero: `answers` gives the same sets as it always has.
        let stop_at = if p_stop > 0.0 && rng.chance(p_stop) {
            rng.below(n)
        } else {
            n
        };
        let mut hidden_left = usize::from(p_hidden > 0.0 && rng.chance(p_hidden));
        let mut given: Vec<Option<GenAnswer>> = vec![None; n];
        let mut shown = vec![false; n];
        let mut out = Map::new();
        for (i, q) in self.questions.iter().enumerate() {
            shown[i] = q.show_if.as_ref().is_none_or(|c| shows(c, &given, &shown));
            if i >= stop_at || q.kind == Kind::Display {
                continue;
            }
            if !shown[i] {
                if hidden_left > 0 && rng.chance(0.5) {
                    // Not recorded in `given`: a hidden answer decides nothing.
                    hidden_left -= 1;
                    out.insert(id(i), answer_json(&answer(rng, q)));
                }
                continue;
            }
            if !q.required && rng.chance(0.5) {
                continue;
            }
            let a = answer(rng, q);
            out.insert(id(i), answer_json(&a));
            given[i] = Some(a);
        }
        out
    }
}

/// A valid answer to `q`: mostly "no", some "Not sure" where it is offered.
fn answer(rng: &mut Rng, q: &GenQuestion) -> GenAnswer {
    if q.unsure && rng.chance(0.05) {
        return GenAnswer::Unsure;
    }
    match q.kind {
        Kind::YesNo if rng.chance(0.8) => GenAnswer::No,
        Kind::YesNo => GenAnswer::Yes,
        Kind::Single => GenAnswer::Choice(rng.below(q.options)),
        Kind::Multi if rng.chance(0.6) => GenAnswer::Multi(vec![q.options - 1]),
        Kind::Multi => {
            let a = rng.below(q.options - 1);
            let b = rng.below(q.options - 1);
            let mut cs = vec![a.min(b), a.max(b)];
            cs.dedup();
            GenAnswer::Multi(cs)
        }
        Kind::Number => GenAnswer::Number(rng.below(NUMBER_MAX as usize + 1) as f64),
        Kind::Text | Kind::Display => GenAnswer::Text,
    }
}

fn answer_json(a: &GenAnswer) -> Value {
    match a {
        GenAnswer::Yes => "yes".into(),
        GenAnswer::No => "no".into(),
        GenAnswer::Unsure => "unsure".into(),
        GenAnswer::Choice(c) => format!("opt{c}").into(),
        GenAnswer::Multi(cs) => cs.iter().map(|c| format!("opt{c}")).collect(),
        GenAnswer::Number(x) => (*x as u64).into(),
        GenAnswer::Text => "Sore left shoulder since the weekend.".into(),
    }
}
