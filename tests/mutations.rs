//! Structured mutations of real questionnaires through the loader.
//!
//! Random bytes almost never get past the UTF-8 and JSON syntax checks, so they say little
//! about the stages behind them. Here the real questionnaires (the built-in one, the test
//! fixtures) are parsed and changed as JSON: parts deleted, replaced by values of other types
//! (control characters, huge numbers, empty lists), duplicated, swapped, copied elsewhere (an id
//! into a condition, a `show_if` onto an earlier question), or given extra members. Every
//! mutant is still JSON, so every one reaches deserialisation and most reach the semantic
//! checks, the condition compiler and the reachability analysis.
//!
//! Each mutant must load or be refused without a panic; a refusal must name at least one
//! problem, at a place inside the file, and render without a control or bidi character; a
//! mutant that loads must run its own tests, a whole screening and the scoring without a panic.

use needlecheck::answers::Answer;
use needlecheck::loader::load_str;
use needlecheck::model::{Question, QuestionType};
use needlecheck::{LoadError, Questionnaire, Session, score};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

const SOURCES: [(&str, &str); 4] = [
    (
        "dry-needling.json",
        include_str!("../questionnaires/dry-needling.json"),
    ),
    ("mini.json", include_str!("fixtures/mini.json")),
    ("escapes.json", include_str!("fixtures/escapes.json")),
    (
        "dry-needling-1.1.0.json",
        include_str!("fixtures/dry-needling-1.1.0.json"),
    ),
];

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

type Path = Vec<Seg>;

/// Which nodes to choose among.
type Keep = dyn Fn(&Path, &Value) -> bool;

/// Calls `f` on every node below the root (parents before children) with its path, until it
/// returns `true`.
fn walk(v: &Value, at: &mut Path, f: &mut dyn FnMut(&Path, &Value) -> bool) -> bool {
    let mut visit = |seg: Seg, x: &Value, at: &mut Path| {
        at.push(seg);
        let stop = f(at, x) || walk(x, at, f);
        at.pop();
        stop
    };
    match v {
        Value::Object(m) => m.iter().any(|(k, x)| visit(Seg::Key(k.clone()), x, at)),
        Value::Array(xs) => xs
            .iter()
            .enumerate()
            .any(|(i, x)| visit(Seg::Index(i), x, at)),
        _ => false,
    }
}

/// The path of the node numbered `n` (modulo their number) among those `keep` accepts.
fn nth(v: &Value, n: usize, keep: &Keep) -> Option<Path> {
    let mut count = 0;
    walk(v, &mut Vec::new(), &mut |p, x| {
        count += usize::from(keep(p, x));
        false
    });
    if count == 0 {
        return None;
    }
    let (mut left, mut found) = (n % count, None);
    walk(v, &mut Vec::new(), &mut |p, x| {
        if !keep(p, x) {
            return false;
        }
        if left == 0 {
            found = Some(p.clone());
            return true;
        }
        left -= 1;
        false
    });
    found
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> &'a Value {
    path.iter().fold(v, |cur, s| match s {
        Seg::Key(k) => &cur[k.as_str()],
        Seg::Index(i) => &cur[*i],
    })
}

fn get_mut<'a>(v: &'a mut Value, path: &[Seg]) -> &'a mut Value {
    path.iter().fold(v, |cur, s| match s {
        Seg::Key(k) => &mut cur[k.as_str()],
        Seg::Index(i) => &mut cur[*i],
    })
}

/// Odd values to put anywhere.
fn odd_value(pick: u8) -> Value {
    match pick % 16 {
        0 => Value::Null,
        1 => true.into(),
        2 => 0.into(),
        3 => (-1).into(),
        4 => 0.5.into(),
        5 => 1e300.into(),
        6 => u64::MAX.into(),
        7 => "".into(),
        8 => "x".into(),
        9 => "\u{1b}]0;title\u{7}\u{1b}[2J\r\u{9b}31m".into(),
        10 => "\u{202e}evil\u{2066}\u{200b}".into(),
        11 => "yes".into(),
        12 => "é".repeat(600).into(),
        13 => json!([]),
        14 => json!({}),
        _ => json!([{"q": "x", "equals": "yes"}]),
    }
}

/// Member names the format knows, to add where they do not belong (or do).
const KEYS: [&str; 14] = [
    "show_if",
    "stop",
    "not_monotone",
    "unknown",
    "min",
    "max",
    "integer",
    "exclusive",
    "required",
    "allow_unsure",
    "options",
    "id",
    "not",
    "at_least",
];

/// Which node a mutation acts on: the `n`th (modulo their number) of a kind. Nodes of the
/// kinds the format gives meaning to are picked as often as any node, so that conditions,
/// references and ids are changed often even in a large file.
#[derive(Debug, Clone, Copy)]
struct Pick {
    kind: u8,
    n: usize,
}

fn pick() -> impl Strategy<Value = Pick> {
    (0u8..5, any::<usize>()).prop_map(|(kind, n)| Pick { kind, n })
}

fn is_condition(x: &Value) -> bool {
    ["q", "all", "any", "not", "at_least"]
        .iter()
        .any(|k| x.get(k).is_some())
}

fn last_key(p: &Path) -> Option<&str> {
    match p.last() {
        Some(Seg::Key(k)) => Some(k),
        _ => None,
    }
}

impl Pick {
    fn path(self, v: &Value) -> Option<Path> {
        let kinds: [&Keep; 5] = [
            &|_, _| true,
            // A condition: a show_if, a rule's when, or a part of one.
            &|_, x| is_condition(x),
            // A reference to a question from a condition.
            &|p, _| last_key(p) == Some("q"),
            // An id or an option code.
            &|p, _| matches!(last_key(p), Some("id" | "code")),
            // A question, a rule or a test: an element of their lists.
            &|p, x| {
                matches!(p.last(), Some(Seg::Index(_)))
                    && matches!(p.iter().rev().nth(1), Some(Seg::Key(k)) if k == "questions" || k == "rules" || k == "tests")
                    && x.is_object()
            },
        ];
        nth(v, self.n, kinds[usize::from(self.kind) % kinds.len()])
            .or_else(|| nth(v, self.n, kinds[0]))
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove a node (a member, or an element of a list).
    Delete(Pick),
    /// Put an odd value in a node's place.
    Replace(Pick, u8),
    /// Put another node's value in a node's place (an id into a condition, a condition onto
    /// another question, a question over another).
    Copy(Pick, Pick),
    /// Exchange two nodes' values (when one holds the other, this is a copy).
    Swap(Pick, Pick),
    /// Repeat an element of a list next to it (ids given twice).
    Duplicate(Pick),
    /// Add a known member to an object, with another node's value or an odd one.
    Add(Pick, u8, Pick),
    /// Point a condition's `q` at another question (the `n`th): asked later, itself, of
    /// another type.
    Retarget(Pick, usize),
    /// Give the `n`th question a condition from elsewhere as its `show_if`.
    ShowIf(usize, Pick),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => pick().prop_map(Mutation::Delete),
        2 => (pick(), any::<u8>()).prop_map(|(a, v)| Mutation::Replace(a, v)),
        3 => (pick(), pick()).prop_map(|(a, b)| Mutation::Copy(a, b)),
        1 => (pick(), pick()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => pick().prop_map(Mutation::Duplicate),
        1 => (pick(), any::<u8>(), pick()).prop_map(|(a, k, b)| Mutation::Add(a, k, b)),
        3 => (pick(), any::<usize>()).prop_map(|(a, n)| Mutation::Retarget(Pick { kind: 2, ..a }, n)),
        3 => (any::<usize>(), pick()).prop_map(|(n, b)| Mutation::ShowIf(n, Pick { kind: 1, ..b })),
    ]
}

/// A question's place in the file: an element of a `questions` list.
fn is_question(p: &[Seg]) -> bool {
    matches!(p.last(), Some(Seg::Index(_)))
        && matches!(p.iter().rev().nth(1), Some(Seg::Key(k)) if k == "questions")
}

fn apply(v: &mut Value, m: &Mutation) {
    match m {
        Mutation::Retarget(a, n) => {
            let ids =
                |p: &Path, _: &Value| last_key(p) == Some("id") && is_question(&p[..p.len() - 1]);
            let (Some(pa), Some(id)) = (a.path(v), nth(v, *n, &ids)) else {
                return;
            };
            *get_mut(v, &pa) = get(v, &id).clone();
        }
        Mutation::ShowIf(n, b) => {
            let (Some(q), Some(pb)) = (
                nth(v, *n, &|p, x| is_question(p) && x.is_object()),
                b.path(v),
            ) else {
                return;
            };
            let condition = get(v, &pb).clone();
            get_mut(v, &q)["show_if"] = condition;
        }
        Mutation::Delete(a) => {
            let Some(p) = a.path(v) else { return };
            let (last, parent) = p.split_last().unwrap();
            match (get_mut(v, parent), last) {
                (Value::Object(o), Seg::Key(k)) => {
                    o.remove(k);
                }
                (Value::Array(xs), Seg::Index(i)) => {
                    xs.remove(*i);
                }
                _ => unreachable!(),
            }
        }
        Mutation::Replace(a, pick) => {
            let Some(p) = a.path(v) else { return };
            *get_mut(v, &p) = odd_value(*pick);
        }
        Mutation::Copy(a, b) => {
            let (Some(pa), Some(pb)) = (a.path(v), b.path(v)) else {
                return;
            };
            *get_mut(v, &pa) = get(v, &pb).clone();
        }
        Mutation::Swap(a, b) => {
            let (Some(pa), Some(pb)) = (a.path(v), b.path(v)) else {
                return;
            };
            let (va, vb) = (get(v, &pa).clone(), get(v, &pb).clone());
            // When one holds the other, this is a copy: the first write moved the second place.
            let nested = pa.starts_with(&pb) || pb.starts_with(&pa);
            *get_mut(v, &pa) = vb;
            if !nested {
                *get_mut(v, &pb) = va;
            }
        }
        Mutation::Duplicate(a) => {
            let element = |p: &Path, _: &Value| matches!(p.last(), Some(Seg::Index(_)));
            let p = match a.path(v) {
                Some(p) if element(&p, v) => p,
                _ => match nth(v, a.n, &element) {
                    Some(p) => p,
                    None => return,
                },
            };
            let (Seg::Index(i), parent) = p.split_last().unwrap() else {
                unreachable!()
            };
            if let Value::Array(xs) = get_mut(v, parent) {
                let x = xs[*i].clone();
                xs.insert(*i + 1, x);
            }
        }
        Mutation::Add(a, key, b) => {
            let value = match b.path(v) {
                Some(p) if b.n % 3 != 0 => get(v, &p).clone(),
                _ => odd_value(*key ^ (b.n as u8)),
            };
            let target = match a.path(v) {
                Some(p) if get(v, &p).is_object() => p,
                _ => match nth(v, a.n, &|_, x: &Value| x.is_object()) {
                    Some(p) => p,
                    None => return,
                },
            };
            if let Value::Object(o) = get_mut(v, &target) {
                o.insert(KEYS[*key as usize % KEYS.len()].to_string(), value);
            }
        }
    }
}

/// No byte a terminal acts on, and no bidi control, in a rendered error.
fn printable(text: &str) -> bool {
    text.chars().all(|c| {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        c == '\n' || !(c.is_control() || bidi)
    })
}

/// A valid answer to `q`, or `None` to skip it.
fn some_answer(q: &Question, v: usize) -> Option<Answer> {
    match q.kind {
        QuestionType::YesNo => Some(if v.is_multiple_of(2) {
            Answer::Yes
        } else {
            Answer::No
        }),
        QuestionType::SingleChoice => {
            (!q.options.is_empty()).then(|| Answer::Choice(v % q.options.len()))
        }
        QuestionType::MultiChoice => {
            (!q.options.is_empty()).then(|| Answer::Multi(vec![v % q.options.len()]))
        }
        QuestionType::Number => Some(Answer::Number(q.min.or(q.max).unwrap_or(0.0))),
        QuestionType::Text => Some(Answer::Text("x".into())),
        QuestionType::Display => None,
    }
}

/// A questionnaire that loads is usable: its tests run, and a screening goes to its end.
fn usable(q: &Questionnaire) {
    let _ = needlecheck::selftest::run_tests(q);
    let mut s = Session::new(q);
    for step in 0..q.questions().len() * 3 + 3 {
        let Some(c) = s.current() else { break };
        let answered = some_answer(&q.questions()[c], step).is_some_and(|a| s.answer(a).is_ok());
        if !answered && s.skip().is_err() {
            break;
        }
    }
    let _ = score(q, s.answers());
}

fn check(name: &str, text: &str) -> Result<(), TestCaseError> {
    match load_str(name, text.as_bytes()) {
        Ok(q) => usable(&q),
        Err(e) => {
            let rendered = e.render(false);
            prop_assert!(!rendered.trim().is_empty(), "empty error for {:?}", e);
            prop_assert!(printable(&rendered), "unescaped: {:?}", rendered);
            if let LoadError::Invalid { problems, .. } = &e {
                prop_assert!(!problems.is_empty(), "refused with no problem");
                for p in problems {
                    prop_assert!(
                        p.line >= 1 && p.offset <= text.len(),
                        "{} placed outside the file: line {}, offset {} of {}",
                        p.message,
                        p.line,
                        p.offset,
                        text.len()
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, max_shrink_iters: 2048, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_real_questionnaire_is_loaded_or_refused_cleanly(
        source in 0..SOURCES.len(),
        mutations in prop::collection::vec(mutation(), 1..5),
        pretty in any::<bool>(),
    ) {
        let (name, original) = SOURCES[source];
        let mut v: Value = serde_json::from_str(original).unwrap();
        for m in &mutations {
            apply(&mut v, m);
        }
        let text = if pretty {
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            serde_json::to_string(&v).unwrap()
        };
        check(name, &text)?;
    }
}

/// A problem found while reading the JSON into the format's types (a value of the wrong type,
/// a missing or unknown member), not by the checks of what it means.
fn is_shape(message: &str) -> bool {
    [
        "invalid type",
        "invalid value",
        "missing field",
        "unknown field",
        "unknown variant",
    ]
    .iter()
    .any(|s| message.starts_with(s))
}

/// The mutations reach past the syntax checks: most mutants are refused for what they mean,
/// not for how they are written, and some still load.
#[test]
fn mutants_reach_the_semantic_checks() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut loaded, mut semantic, mut total) = (0, 0, 0);
    let strategy = (0..SOURCES.len(), prop::collection::vec(mutation(), 1..3));
    for _ in 0..60 {
        let (source, mutations) = strategy.new_tree(&mut runner).unwrap().current();
        let (name, original) = SOURCES[source];
        let mut v: Value = serde_json::from_str(original).unwrap();
        for m in &mutations {
            apply(&mut v, m);
        }
        total += 1;
        match load_str(name, serde_json::to_string(&v).unwrap().as_bytes()) {
            Ok(_) => loaded += 1,
            Err(LoadError::Invalid { problems, .. })
                if problems.iter().any(|p| !is_shape(&p.message)) =>
            {
                semantic += 1
            }
            Err(_) => {}
        }
    }
    let counts = format!("{loaded} loaded, {semantic} refused for their meaning, of {total}");
    assert!(loaded > 0, "{counts}");
    assert!(semantic > total / 3, "{counts}");
}
