//! The rulebook: a questionnaire as a document a clinician reads and signs.
//!
//! [`markdown`] writes the whole questionnaire: every section and question with its patient and
//! staff wording, its help, its answer type and when it is asked; every rule with its condition
//! in plain English, how it treats "Not sure", its message, the steps of its interrupt,
//! practitioner note and sources; and the embedded scenario tests that show each rule firing
//! and not firing. [`readme_table`] is
//! the compact table kept between [`README_BEGIN`] and [`README_END`] in
//! `questionnaires/README.md`.
//!
//! Conditions are described as the engine evaluates them (see [`crate::condition`]): a
//! question is asked when its `show_if` holds *or cannot be ruled out*, so a follow-up whose gate
//! is answered "Not sure" is asked, as it is after "Yes"; a rule fires when its condition holds,
//! or, unless it says `unknown: ignore`, when only a "Not sure" answer stands between it and
//! holding (marked "could not be ruled out").
//!
//! All questionnaire text is untrusted. Everything taken from it passes through [`md`]: control,
//! bidi and invisible characters become visible escapes (as in [`crate::printable`]), line breaks
//! become `<br>`, and the characters Markdown acts on are escaped, so that no text can start a
//! heading, a link, raw HTML, a code span or a table cell of its own. The result holds no control
//! character but the line feeds this module writes.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::answers::fmt_num;
use crate::condition::{CmpOp, Expr, SettingTest, Test};
use crate::model::{Level, Question, QuestionType, UnknownPolicy};
use crate::printable::is_unsafe;
use crate::questionnaire::Questionnaire;
use crate::score::score;

/// The line before the generated part of a README.
pub const README_BEGIN: &str = "<!-- rulebook:begin -->";
/// The line after the generated part of a README.
pub const README_END: &str = "<!-- rulebook:end -->";

/// How many scenarios are named for one rule as firing it, and as not firing it; the appendix
/// lists every scenario with the rules it fires.
const MAX_FIRING: usize = 10;
const MAX_NOT_FIRING: usize = 5;

// ---------------------------------------------------------------------------------------------
// Escaping

/// Questionnaire text as inline Markdown that shows exactly that text (see the module docs).
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '|' => {
                out.push('\\');
                out.push(c);
            }
            // An entity (`&lt;`, `&#60;`) would be decoded; a lone `&` is shown as it is.
            '&' if starts_entity(chars.clone()) => out.push_str("\\&"),
            c if is_unsafe(c) || c.is_control() => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// Whether the text after a `&` would make it an entity (`lt;`, `#60;`).
fn starts_entity(rest: impl Iterator<Item = char>) -> bool {
    let mut n = 0;
    for c in rest.take(40) {
        match c {
            ';' => return n > 0,
            c if c.is_ascii_alphanumeric() || c == '#' => n += 1,
            _ => return false,
        }
    }
    false
}

/// An identifier (question id, rule id, option code) as a code span when it is made only of
/// plain characters, else as escaped text in quotes: a code span cannot escape anything.
fn code(id: &str) -> String {
    let plain = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.:/#+".contains(c));
    if plain {
        format!("`{id}`")
    } else {
        format!("\u{201c}{}\u{201d}", md(id))
    }
}

/// A link to a source: an autolink for a plain http(s) address, else the text.
fn link(url: &str) -> String {
    let plain = (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '<' | '>' | '`' | '|' | '\\'));
    if plain { format!("<{url}>") } else { md(url) }
}

/// A question's text cut to its first sentence (or about 60 characters), for naming it inside
/// a condition.
pub fn short(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = t.chars().collect();
    let end = chars
        .iter()
        .enumerate()
        .find(|(i, c)| **c == '?' || (**c == '.' && chars.get(i + 1).is_none_or(|n| *n == ' ')))
        .map(|(i, _)| i + 1);
    if let Some(end) = end
        && end <= 90
    {
        return chars[..end].iter().collect();
    }
    if chars.len() <= 70 {
        return t;
    }
    let cut = chars[..60].iter().rposition(|c| *c == ' ').unwrap_or(60);
    let mut s: String = chars[..cut].iter().collect();
    s = s.trim_end_matches([',', ';', ':', ' ']).to_string();
    s.push('…');
    s
}

/// "A", "A or B", "A, B or C".
fn or_list(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} {word} {last}", rest.join(", ")),
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Clear => "clear",
        Level::Review => "review",
        Level::Incomplete => "incomplete",
        Level::NotSuitable => "not suitable",
        Level::SeeDoctor => "see a doctor first",
        Level::Urgent => "urgent",
        Level::Emergency => "emergency",
    }
}

/// The level as the table shows it: the three highest-stakes groups in capitals.
fn level_tag(level: Level) -> String {
    match level {
        Level::Clear | Level::Review | Level::Incomplete => level.as_str().to_string(),
        l => format!("**{}**", level_name(l).to_uppercase()),
    }
}

// ---------------------------------------------------------------------------------------------
// Conditions in words

/// Whether a condition is a `show_if` (the question is asked unless the condition is surely
/// false) or a rule's `when` (the rule fires when it holds, or on "Not sure" if it escalates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Shown,
    Rule { escalate: bool },
}

/// A condition in words: a phrase, or a group of them.
#[derive(Debug, Clone)]
enum Phrase {
    Text(String),
    Group(Join, Vec<Phrase>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    All,
    Any,
    AtLeast(usize),
}

/// What one phrase says about one question's answer (leaves of the same question may be merged).
#[derive(Debug, Clone)]
enum LeafKind {
    /// Yes/no or single choice: the answer is one of these (or, negated, none of these).
    OneOf(Vec<usize>, bool),
    /// Multiple choice: the answer includes any of these (or, negated, none of these).
    Contains(Vec<usize>, bool),
    /// A number comparison: with a number, or with a number setting (its index; the number is
    /// its effective value).
    Cmp(CmpOp, f64, Option<usize>, bool),
    Answered(bool),
    Unsure(bool),
}

impl LeafKind {
    fn of(test: &Test, negated: bool) -> LeafKind {
        match test {
            Test::OneOf(s) => LeafKind::OneOf(s.clone(), negated),
            Test::Contains(o) => LeafKind::Contains(vec![*o], negated),
            Test::Cmp(op, v) => LeafKind::Cmp(*op, *v, None, negated),
            Test::CmpSetting(op, si, v) => LeafKind::Cmp(*op, *v, Some(*si), negated),
            Test::Answered(w) => LeafKind::Answered(*w),
            Test::Unsure(w) => LeafKind::Unsure(*w),
        }
    }

    /// Whether the test compares a value (so "Not sure" and a missing answer leave it open).
    fn is_value(&self) -> bool {
        !matches!(self, LeafKind::Answered(_) | LeafKind::Unsure(_))
    }
}

/// Flattens `all` in `all` and `any` in `any`.
fn flatten<'e>(join: Join, xs: &'e [Expr], out: &mut Vec<&'e Expr>) {
    for x in xs {
        match (join, x) {
            (Join::All, Expr::All(ys)) => flatten(join, ys, out),
            (Join::Any, Expr::Any(ys)) => flatten(join, ys, out),
            _ => out.push(x),
        }
    }
}

/// Whether every leaf of `e` tests question `q` (and `e` is not only an `answered` test).
fn all_on(e: &Expr, q: usize) -> bool {
    match e {
        Expr::Leaf { q: lq, test, .. } => *lq == q && !matches!(test, Test::Answered(_)),
        Expr::Setting { .. } => false,
        Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
            xs.iter().any(|x| {
                !matches!(
                    x,
                    Expr::Leaf {
                        test: Test::Answered(_),
                        ..
                    }
                )
            }) && xs.iter().all(|x| match x {
                Expr::Leaf {
                    q: lq,
                    test: Test::Answered(_),
                    ..
                } => *lq == q,
                x => all_on(x, q),
            })
        }
    }
}

fn answered_guard(e: &Expr) -> Option<usize> {
    match e {
        Expr::Leaf {
            q,
            test: Test::Answered(true),
            ..
        } => Some(*q),
        _ => None,
    }
}

/// Writes conditions in words for one questionnaire. Names each question by its short text
/// the first time, by its id after that.
struct Words<'a> {
    q: &'a Questionnaire,
    mode: Mode,
    named: HashSet<usize>,
}

impl<'a> Words<'a> {
    fn new(q: &'a Questionnaire, mode: Mode) -> Self {
        Words {
            q,
            mode,
            named: HashSet::new(),
        }
    }

    fn who(&mut self, qi: usize) -> String {
        let question = &self.q.questions()[qi];
        if self.named.insert(qi) {
            format!("*{}* ({})", md(&short(&question.text)), code(&question.id))
        } else {
            code(&question.id)
        }
    }

    fn label(question: &Question, i: usize) -> String {
        match question.kind {
            QuestionType::YesNo => ["Yes", "No"].get(i).unwrap_or(&"?").to_string(),
            QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Text
            | QuestionType::Display => question
                .options
                .get(i)
                .map_or_else(|| "?".to_string(), |o| format!("*{}*", md(&o.label))),
        }
    }

    fn phrase(&mut self, e: &Expr, guarded: &[usize]) -> Phrase {
        match e {
            Expr::Leaf { q, test, negated } => {
                Phrase::Text(self.leaf(*q, &LeafKind::of(test, *negated), guarded))
            }
            Expr::Setting {
                s, test, negated, ..
            } => Phrase::Text(self.setting(*s, test, *negated)),
            Expr::All(xs) => self.group(Join::All, xs, guarded),
            Expr::Any(xs) => self.group(Join::Any, xs, guarded),
            Expr::AtLeast(n, xs) => self.group(Join::AtLeast(*n), xs, guarded),
        }
    }

    fn group(&mut self, join: Join, xs: &[Expr], guarded: &[usize]) -> Phrase {
        let mut children = Vec::new();
        flatten(join, xs, &mut children);
        let (guarded, dropped) = answered_guards(join, &children, guarded);
        let (items, parts) = merge_leaves(join, &children, &dropped);
        let mut phrases = Vec::new();
        for p in parts {
            phrases.push(match p {
                Ok(i) => {
                    let (q, kind) = items[i].clone();
                    Phrase::Text(self.leaf(q, &kind, &guarded))
                }
                Err(e) => self.phrase(e, &guarded),
            });
        }
        if phrases.len() == 1 && !matches!(join, Join::AtLeast(_)) {
            return phrases.remove(0);
        }
        Phrase::Group(join, phrases)
    }

    /// A test of a clinic setting, with its effective value.
    fn setting(&self, si: usize, test: &SettingTest, negated: bool) -> String {
        let setting = &self.q.settings()[si];
        let value = match self.q.setting_values().get(si) {
            Some(v @ crate::condition::SettingValue::Code(_)) => code(
                crate::settings::to_json(setting, *v)
                    .as_str()
                    .unwrap_or("?"),
            ),
            Some(v) => md(&crate::settings::to_text(setting, *v)),
            None => String::new(),
        };
        let who = format!("the clinic setting {}", code(&setting.id));
        let predicate = match test {
            SettingTest::OneOf(set) => {
                let codes = crate::settings::codes(setting);
                let names: Vec<String> = set
                    .iter()
                    .map(|i| code(codes.get(*i).copied().unwrap_or("?")))
                    .collect();
                let names = or_list(&names, "or");
                if negated {
                    format!("is not {names}")
                } else {
                    format!("is {names}")
                }
            }
            SettingTest::Cmp(op, v) => compared(*op, negated, &fmt_num(*v)),
        };
        format!("{who} {predicate} (here: {value})")
    }

    fn leaf(&mut self, qi: usize, kind: &LeafKind, guarded: &[usize]) -> String {
        let question = &self.q.questions()[qi];
        let who = self.who(qi);
        let predicate = match kind {
            LeafKind::Answered(true) => return format!("{who} has been answered"),
            LeafKind::Answered(false) => return format!("{who} was asked and has no answer"),
            LeafKind::Unsure(true) => return format!("the answer to {who} is Not sure"),
            LeafKind::Unsure(false) => {
                return format!("the answer to {who} is anything but Not sure");
            }
            LeafKind::OneOf(set, negated) if question.kind == QuestionType::YesNo => {
                let set: Vec<usize> = if *negated {
                    (0..2).filter(|i| !set.contains(i)).collect()
                } else {
                    set.clone()
                };
                let names: Vec<String> = set.iter().map(|i| Self::label(question, *i)).collect();
                if names.is_empty() {
                    "is neither Yes nor No".to_string()
                } else {
                    format!("is {}", or_list(&names, "or"))
                }
            }
            LeafKind::OneOf(set, negated) => {
                let names: Vec<String> = set.iter().map(|i| Self::label(question, *i)).collect();
                if *negated {
                    match names.as_slice() {
                        [one] => format!("is anything but {one}"),
                        [a, b] => format!("is neither {a} nor {b}"),
                        _ => format!("is none of {}", or_list(&names, "or")),
                    }
                } else {
                    format!("is {}", or_list(&names, "or"))
                }
            }
            LeafKind::Contains(set, negated) => {
                let names: Vec<String> = set.iter().map(|i| Self::label(question, *i)).collect();
                match (negated, names.len()) {
                    (false, 1) => format!("includes {}", names[0]),
                    (false, _) => format!("includes any of {}", or_list(&names, "or")),
                    (true, 1) => format!("does not include {}", names[0]),
                    (true, _) => format!("includes none of {}", or_list(&names, "or")),
                }
            }
            LeafKind::Cmp(op, v, setting, negated) => {
                let unit = question
                    .unit
                    .as_deref()
                    .map(|u| format!(" {}", md(u)))
                    .unwrap_or_default();
                let n = match setting.and_then(|si| self.q.settings().get(si)) {
                    Some(s) => format!(
                        "the clinic setting {} (here: {}{unit})",
                        code(&s.id),
                        fmt_num(*v)
                    ),
                    None => format!("{}{unit}", fmt_num(*v)),
                };
                compared(*op, *negated, &n)
            }
        };
        let mut s = format!("the answer to {who} {predicate}");
        if kind.is_value() && question.allows_unsure() {
            let comma = if predicate.contains(" or ") { "," } else { "" };
            match self.mode {
                Mode::Shown => s.push_str(&format!("{comma} or Not sure")),
                Mode::Rule { escalate: true } => s.push_str(" (or Not sure)"),
                Mode::Rule { escalate: false } => {}
            }
        }
        if kind.is_value() && self.mode == Mode::Shown && !guarded.contains(&qi) {
            s.push_str(", or has no answer yet");
        }
        s
    }
}

fn inline(p: &Phrase, top: bool) -> String {
    match p {
        Phrase::Text(s) => s.clone(),
        Phrase::Group(join, xs) => {
            let parts: Vec<String> = xs.iter().map(|x| inline(x, false)).collect();
            let s = match join {
                Join::All => parts.join("; and "),
                Join::Any => parts.join("; or "),
                Join::AtLeast(n) => format!("at least {n} of: {}", parts.join("; ")),
            };
            if top { s } else { format!("({s})") }
        }
    }
}

fn group_head(join: Join) -> String {
    match join {
        Join::All => "all of these".to_string(),
        Join::Any => "any of these".to_string(),
        Join::AtLeast(n) => format!("at least {n} of these"),
    }
}

/// A phrase as a nested Markdown list (under a list item at `indent`).
fn block(p: &Phrase, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match p {
        Phrase::Text(s) => {
            let _ = writeln!(out, "{pad}- {s}");
        }
        Phrase::Group(join, xs) => {
            let _ = writeln!(out, "{pad}- {}:", group_head(*join));
            for x in xs {
                block(x, indent + 2, out);
            }
        }
    }
}

/// The questions an `all` guards with `answered` (added to `guarded`), and the guards that
/// say nothing more than another test of their question (their indices, to leave out).
///
/// "X has been answered, and X is Yes" says no more than "X is Yes" (which needs an answer),
/// and it means the other tests on X need not add "or not answered yet".
fn answered_guards(
    join: Join,
    children: &[&Expr],
    guarded: &[usize],
) -> (Vec<usize>, HashSet<usize>) {
    let mut guarded = guarded.to_vec();
    let mut dropped = HashSet::new();
    if join == Join::All {
        for (i, c) in children.iter().enumerate() {
            if let Some(g) = answered_guard(c) {
                guarded.push(g);
                let covered = children
                    .iter()
                    .enumerate()
                    .any(|(j, o)| j != i && answered_guard(o).is_none() && all_on(o, g));
                if covered {
                    dropped.insert(i);
                }
            }
        }
    }
    (guarded, dropped)
}

/// A part of a group: a merged leaf (an index into the merged tests) or a child phrased on
/// its own.
type Part<'e> = Result<usize, &'e Expr>;

/// A group's parts in order, with the tests of one question merged where the join allows:
/// "includes A or B", "is Yes or No", "includes none of". A part is a merged leaf (its index
/// in the first list) or a child phrased on its own.
fn merge_leaves<'e>(
    join: Join,
    children: &[&'e Expr],
    dropped: &HashSet<usize>,
) -> (Vec<(usize, LeafKind)>, Vec<Part<'e>>) {
    let mut items: Vec<(usize, LeafKind)> = Vec::new();
    let mut parts: Vec<Part> = Vec::new();
    for (i, c) in children.iter().enumerate() {
        if dropped.contains(&i) {
            continue;
        }
        let Expr::Leaf { q, test, negated } = c else {
            parts.push(Err(c));
            continue;
        };
        let kind = LeafKind::of(test, *negated);
        let merge_into = items
            .iter()
            .position(|(iq, ik)| *iq == *q && mergeable(join, ik, &kind));
        let Some(m) = merge_into else {
            items.push((*q, kind));
            parts.push(Ok(items.len() - 1));
            continue;
        };
        let add = match kind {
            LeafKind::OneOf(s, _) | LeafKind::Contains(s, _) => s,
            _ => vec![],
        };
        if let LeafKind::OneOf(s, _) | LeafKind::Contains(s, _) = &mut items[m].1 {
            for a in add {
                if !s.contains(&a) {
                    s.push(a);
                }
            }
        }
    }
    (items, parts)
}

/// Whether two tests of one question read as one under `join`.
fn mergeable(join: Join, a: &LeafKind, b: &LeafKind) -> bool {
    matches!(
        (join, a, b),
        (
            Join::Any,
            LeafKind::OneOf(_, false),
            LeafKind::OneOf(_, false)
        ) | (
            Join::Any,
            LeafKind::Contains(_, false),
            LeafKind::Contains(_, false)
        ) | (
            Join::All,
            LeafKind::Contains(_, true),
            LeafKind::Contains(_, true)
        )
    )
}

/// A labelled list item: `- **Label:** text`, or `- **Label** all of these:` and a list.
fn labelled(label: &str, p: &Phrase, out: &mut String) {
    match p {
        Phrase::Text(s) => {
            let _ = writeln!(out, "- **{label}:** {s}");
        }
        Phrase::Group(join, xs) => {
            let _ = writeln!(out, "- **{label}** {}:", group_head(*join));
            for x in xs {
                block(x, 2, out);
            }
        }
    }
}

fn shown_phrase(q: &Questionnaire, qi: usize, named: &[usize]) -> Option<Phrase> {
    let e = q.show_if(qi)?;
    let mut w = Words::new(q, Mode::Shown);
    w.named.extend(named.iter().copied());
    Some(w.phrase(e, &[]))
}

fn rule_phrase(q: &Questionnaire, ri: usize, named: &[usize]) -> Phrase {
    let r = &q.rules()[ri];
    let mut w = Words::new(
        q,
        Mode::Rule {
            escalate: r.rule.unknown == UnknownPolicy::Escalate,
        },
    );
    w.named.extend(named.iter().copied());
    w.phrase(&r.when, &[])
}

/// How a rule treats "Not sure", in a sentence.
fn unsure_sentence(q: &Questionnaire, ri: usize) -> String {
    let r = &q.rules()[ri];
    let mut value_unsure = false;
    let mut reads_unsure = false;
    visit_leaves(&r.when, &mut |qi, test| {
        let offers = q.questions()[qi].allows_unsure();
        match test {
            Test::Unsure(_) => reads_unsure = true,
            Test::Answered(_) => {}
            _ => value_unsure |= offers,
        }
    });
    match (value_unsure, r.rule.unknown, reads_unsure) {
        (true, UnknownPolicy::Escalate, _) => "where the condition says \"(or Not sure)\", a \
             \"Not sure\" answer cannot rule the rule out: it fires, marked \"could not be ruled \
             out\"."
            .to_string(),
        (true, UnknownPolicy::Ignore, _) => "ignored (`unknown: ignore`): the rule fires only \
             when definite answers make its condition hold."
            .to_string(),
        (false, _, true) => "the rule looks for a \"Not sure\" answer itself, as its condition \
             says."
            .to_string(),
        (false, _, false) => {
            "does not apply: no question this rule compares offers \"Not sure\".".to_string()
        }
    }
}

fn visit_leaves(e: &Expr, f: &mut impl FnMut(usize, &Test)) {
    match e {
        Expr::Leaf { q, test, .. } => f(*q, test),
        Expr::Setting { .. } => {}
        Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
            xs.iter().for_each(|x| visit_leaves(x, f))
        }
    }
}

/// The questions a rule reads, in order.
fn rule_questions(q: &Questionnaire, ri: usize) -> Vec<usize> {
    let mut v = Vec::new();
    q.rules()[ri].when.questions(&mut v);
    v.sort_unstable();
    v.dedup();
    v
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/// What scoring each embedded scenario gives, per rule.
struct Scenarios {
    /// Per test: for each rule, `Some(on_unknown)` when it fired.
    fired: Vec<Vec<Option<bool>>>,
    /// Per test: for each question, whether it was shown and answered.
    answered: Vec<Vec<bool>>,
}

impl Scenarios {
    fn run(q: &Questionnaire) -> Scenarios {
        let mut fired = Vec::new();
        let mut answered = Vec::new();
        for t in q.tests() {
            let mut f = vec![None; q.rules().len()];
            let mut a = vec![false; q.questions().len()];
            // Each scenario under its own clinic settings.
            let own = (!t.settings.is_empty()).then(|| crate::selftest::case_questionnaire(q, t));
            let q = own.as_ref().unwrap_or(q);
            // A loaded questionnaire's scenarios parse; one that did not would show no rule.
            if let Ok(answers) = q.parse_answers(&t.answers) {
                let outcome = score(q, &answers);
                for finding in &outcome.findings {
                    f[finding.rule] = Some(finding.on_unknown);
                }
                for (i, slot) in a.iter_mut().enumerate() {
                    *slot = outcome.visible[i] && answers.get(i).is_some();
                }
            }
            fired.push(f);
            answered.push(a);
        }
        Scenarios { fired, answered }
    }

    /// Tests that fire rule `ri`, with whether it fired on "Not sure".
    fn firing(&self, ri: usize) -> Vec<(usize, bool)> {
        self.fired
            .iter()
            .enumerate()
            .filter_map(|(t, f)| f[ri].map(|u| (t, u)))
            .collect()
    }

    /// Tests that do not fire rule `ri` although they answer the most of its questions: the
    /// closest misses (none when no test answers any of them).
    fn near_misses(&self, ri: usize, questions: &[usize]) -> Vec<usize> {
        let counts: Vec<(usize, usize)> = self
            .fired
            .iter()
            .enumerate()
            .filter(|(_, f)| f[ri].is_none())
            .map(|(t, _)| {
                (
                    t,
                    questions.iter().filter(|qi| self.answered[t][**qi]).count(),
                )
            })
            .collect();
        let best = counts.iter().map(|c| c.1).max().unwrap_or(0);
        if best == 0 {
            return Vec::new();
        }
        counts
            .into_iter()
            .filter(|c| c.1 == best)
            .map(|c| c.0)
            .collect()
    }
}

fn test_name(q: &Questionnaire, t: usize) -> String {
    format!("#{} \u{201c}{}\u{201d}", t + 1, md(&q.tests()[t].name))
}

fn capped(mut items: Vec<String>, max: usize) -> String {
    let more = items.len().saturating_sub(max);
    items.truncate(max);
    let mut s = items.join("; ");
    if more > 0 {
        let _ = write!(s, "; and {more} more");
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Questions

fn kind_words(kind: QuestionType) -> &'static str {
    match kind {
        QuestionType::YesNo => "yes/no",
        QuestionType::SingleChoice => "single choice",
        QuestionType::MultiChoice => "multiple choice",
        QuestionType::Number => "number",
        QuestionType::Text => "text",
        QuestionType::Display => "information",
    }
}

/// The kind of answer, in words.
fn answer_words(question: &Question) -> String {
    let unsure = if question.allows_unsure() {
        ", or Not sure"
    } else {
        ""
    };
    let mut s = match question.kind {
        QuestionType::YesNo => format!("Yes or No{unsure}"),
        QuestionType::SingleChoice => format!("one of the options{unsure}"),
        QuestionType::MultiChoice => "any of the options".to_string(),
        QuestionType::Number => {
            let mut s = if question.integer {
                "a whole number".to_string()
            } else {
                "a number".to_string()
            };
            match (question.min, question.max) {
                (Some(a), Some(b)) => {
                    let _ = write!(s, " from {} to {}", fmt_num(a), fmt_num(b));
                }
                (Some(a), None) => {
                    let _ = write!(s, " of at least {}", fmt_num(a));
                }
                (None, Some(b)) => {
                    let _ = write!(s, " of at most {}", fmt_num(b));
                }
                (None, None) => {}
            }
            if let Some(u) = &question.unit {
                let _ = write!(s, " ({})", md(u));
            }
            s.push_str(unsure);
            s
        }
        QuestionType::Text => format!("free text, up to {} characters", question.text_limit()),
        QuestionType::Display => return "information only; takes no answer".to_string(),
    };
    s.push_str(if question.is_required() {
        "; required"
    } else {
        "; optional"
    });
    s
}

/// The answer type as the README table shows it.
fn answer_tag(question: &Question) -> String {
    let unsure = if question.allows_unsure() {
        ", Not sure offered"
    } else {
        ""
    };
    let optional = if question.is_required() || question.kind == QuestionType::Display {
        ""
    } else {
        ", optional"
    };
    let options = || {
        question
            .options
            .iter()
            .map(|o| {
                let only = if o.exclusive {
                    " (only on its own)"
                } else {
                    ""
                };
                format!("{}{only}", md(&o.label))
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match question.kind {
        QuestionType::YesNo => format!("yes/no{unsure}{optional}"),
        QuestionType::SingleChoice => format!("one of: {}{unsure}{optional}", options()),
        QuestionType::MultiChoice => format!("any of: {}{optional}", options()),
        QuestionType::Number => {
            let range = match (question.min, question.max) {
                (Some(a), Some(b)) => format!(" {}–{}", fmt_num(a), fmt_num(b)),
                _ => String::new(),
            };
            let unit = question
                .unit
                .as_deref()
                .map(|u| format!(" {}", md(u)))
                .unwrap_or_default();
            let whole = if question.integer { "whole " } else { "" };
            format!("{whole}number{range}{unit}{unsure}{optional}")
        }
        QuestionType::Text => format!("free text{optional}"),
        QuestionType::Display => "information only".to_string(),
    }
}

/// The questions whose `show_if` reads each question, in order.
fn opens(q: &Questionnaire) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); q.questions().len()];
    for qi in 0..q.questions().len() {
        for g in q.show_if_questions(qi) {
            out[g].push(qi);
        }
    }
    out
}

fn id_list(q: &Questionnaire, questions: &[usize]) -> String {
    questions
        .iter()
        .map(|i| code(&q.questions()[*i].id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rules that read each question, in rule order.
fn readers(q: &Questionnaire) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); q.questions().len()];
    for ri in 0..q.rules().len() {
        for qi in rule_questions(q, ri) {
            out[qi].push(ri);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The documents

/// The whole questionnaire as a Markdown document for a clinician to read and sign.
pub fn markdown(q: &Questionnaire) -> String {
    let mut out = String::new();
    let scenarios = Scenarios::run(q);
    let w = &mut out;
    md_header(w, q);
    md_how_to_read(w);
    md_levels(w, q);
    md_advice(w, q);
    md_contacts(w, q);
    md_aftercare(w, q);
    md_questions(w, q, &readers(q), &opens(q));
    md_settings(w, q);
    md_rules(w, q, &scenarios);
    md_sources(w, q);
    md_tests(w, q, &scenarios);
    md_sign_off(w, q);
    with_contents(&out)
}

/// The title and the table that identifies the file.
fn md_header(w: &mut String, q: &Questionnaire) {
    let _ = writeln!(w, "# Rulebook: {}\n", md(q.title()));
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| Questionnaire | {} |", code(q.id()));
    let _ = writeln!(w, "| Version | {} |", md(q.version()));
    let _ = writeln!(w, "| Language | {} |", md(q.locale()));
    let _ = writeln!(w, "| SHA-256 of the file | `{}` |", q.sha256());
    let _ = writeln!(
        w,
        "| Size | {} sections, {} questions, {} rules, {} scenario tests |",
        q.sections().len(),
        q.questions().len(),
        q.rules().len(),
        q.tests().len()
    );
    if let Some(c) = q.clinic() {
        let name = c
            .name
            .as_deref()
            .map_or_else(|| "(no name)".to_string(), md);
        let _ = writeln!(w, "| Clinic | {} |", cell(&name));
        let _ = writeln!(w, "| SHA-256 of the clinic file | `{}` |", c.sha256);
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "This document is generated from the questionnaire file by `needlecheck rulebook`. \
         The SHA-256 above identifies the exact file it describes: a record made with another \
         file names another hash.\n"
    );
}

/// How outcomes, "asked when" and "fires when" are to be read.
fn md_how_to_read(w: &mut String) {
    let _ = writeln!(w, "## How to read it\n");
    let _ = writeln!(
        w,
        "- The outcome of a screening is the highest level of the rules that fire, from lowest \
         to highest: {}. A required question that was asked and not answered makes it at least \
         `incomplete`, never `clear`.",
        Level::ALL
            .iter()
            .map(|l| format!("`{}`", l.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        w,
        "- **Asked when:** a question with a condition is asked when the condition holds or \
         cannot be ruled out. A \"Not sure\" answer cannot rule it out, so a follow-up is asked \
         after \"Not sure\" as after the answer it waits for (\"is Yes or Not sure\")."
    );
    let _ = writeln!(
        w,
        "- **Fires when:** a rule fires when its condition holds. \"(or Not sure)\" marks the \
         answers where \"Not sure\" fires the rule too, marked \"could not be ruled out\"; a \
         rule that says so ignores \"Not sure\" instead."
    );
    let _ = writeln!(
        w,
        "- A condition on a question that was not asked never holds, and neither does its \
         opposite: answers to questions that were not asked are not looked at.\n"
    );
}

/// What each outcome level tells the person and staff.
fn md_levels(w: &mut String, q: &Questionnaire) {
    let _ = writeln!(w, "## Outcome levels\n");
    let _ = writeln!(
        w,
        "| Level | Label | What the person is told | What staff are told |\n|---|---|---|---|"
    );
    for level in Level::ALL {
        let a = q.advice().for_level(level);
        let staff = a
            .staff_summary
            .as_deref()
            .map_or_else(|| "(the same)".to_string(), md);
        let _ = writeln!(
            w,
            "| `{}` | {} | {} | {} |",
            level.as_str(),
            md(&a.label),
            md(&a.summary),
            staff
        );
    }
    let _ = writeln!(w);
}

/// What the advice of each level says, in both wordings, with the contacts and after-care it
/// lists.
fn md_advice(w: &mut String, q: &Questionnaire) {
    let _ = writeln!(w, "## Advice\n");
    let _ = writeln!(
        w,
        "The advice for the outcome, as the person (and, where it differs, staff) read it. \
         Every advice ends with: \"{}\"\n",
        md(q.disclaimer())
    );
    for level in Level::ALL.iter().rev() {
        let a = q.advice().for_level(*level);
        let _ = writeln!(w, "### `{}`: {}\n", level.as_str(), md(&a.label));
        let _ = writeln!(w, "- **Told to the person:** {}", md(&a.summary));
        if let Some(staff) = &a.staff_summary {
            let _ = writeln!(w, "- **Told to staff:** {}", md(staff));
        }
        steps(w, "Next steps", &a.next_steps);
        if let Some(staff) = &a.staff_next_steps {
            steps(w, "Next steps for staff", staff);
        }
        let contacts: Vec<String> = crate::report::contacts_for(q, *level)
            .iter()
            .map(|c| format!("{} ({})", md(&c.name), md(&c.number)))
            .collect();
        let blocks: Vec<String> = q
            .aftercare()
            .iter()
            .filter(|b| b.shown_for(*level))
            .map(|b| format!("\u{201c}{}\u{201d}", md(&b.heading)))
            .collect();
        let _ = writeln!(w, "- **Contacts listed:** {}", none_or(&contacts));
        let _ = writeln!(w, "- **After-care:** {}\n", none_or(&blocks));
    }
}

/// A labelled, numbered list of steps.
fn steps(w: &mut String, label: &str, steps: &[String]) {
    if steps.is_empty() {
        let _ = writeln!(w, "- **{label}:** none");
        return;
    }
    let _ = writeln!(w, "- **{label}:**");
    for (i, step) in steps.iter().enumerate() {
        let _ = writeln!(w, "  {}. {}", i + 1, md(step));
    }
}

/// Items joined with "; ", or "none".
fn none_or(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join("; ")
    }
}

/// The levels a contact or an after-care block is listed for, highest first.
fn levels_words(levels: impl Fn(Level) -> bool) -> String {
    let listed: Vec<String> = Level::ALL
        .iter()
        .rev()
        .filter(|l| levels(**l))
        .map(|l| format!("`{}`", l.as_str()))
        .collect();
    if listed.len() == Level::ALL.len() {
        "every level".to_string()
    } else {
        none_or(&listed).replace("; ", ", ")
    }
}

/// Every contact the advice can list (with a clinic file: as the clinic file left them).
fn md_contacts(w: &mut String, q: &Questionnaire) {
    if q.contacts().is_empty() {
        return;
    }
    let _ = writeln!(w, "## Contacts\n");
    let _ = writeln!(
        w,
        "| Contact | Number | When to use it | What to tell them | Listed for |\n|---|---|---|---|---|"
    );
    for c in q.contacts() {
        let opt = |t: &Option<String>| t.as_deref().map_or_else(String::new, md);
        let _ = writeln!(
            w,
            "| {} ({}) | {} | {} | {} | {} |",
            cell(&md(&c.name)),
            code(&c.id),
            cell(&md(&c.number)),
            cell(&opt(&c.when)),
            cell(&opt(&c.tell)),
            levels_words(|l| c.show_for.contains(&l))
        );
    }
    let _ = writeln!(w);
}

/// Every after-care block, with the levels whose advice includes it.
fn md_aftercare(w: &mut String, q: &Questionnaire) {
    if q.aftercare().is_empty() {
        return;
    }
    let _ = writeln!(w, "## After-care\n");
    for b in q.aftercare() {
        let _ = writeln!(
            w,
            "- **{}** (listed for {})",
            md(&b.heading),
            levels_words(|l| b.shown_for(l))
        );
        for item in &b.items {
            let _ = writeln!(w, "  - {}", md(item));
        }
    }
    let _ = writeln!(w);
}

/// Every question, section by section.
fn md_questions(w: &mut String, q: &Questionnaire, readers: &[Vec<usize>], opens: &[Vec<usize>]) {
    let _ = writeln!(w, "## Questions\n");
    for (si, s) in q.sections().iter().enumerate() {
        let _ = writeln!(w, "### Section {}: {}\n", si + 1, md(&s.title));
        if let Some(t) = &s.staff_title {
            let _ = writeln!(w, "- **Staff title:** {}", md(t));
        }
        if let Some(t) = &s.intro {
            let _ = writeln!(w, "- **Introduction:** {}", md(t));
        }
        if let Some(t) = &s.staff_intro {
            let _ = writeln!(w, "- **Staff introduction:** {}", md(t));
        }
        if s.staff_title.is_some() || s.intro.is_some() || s.staff_intro.is_some() {
            let _ = writeln!(w);
        }
        for qi in s.questions.clone() {
            question(w, q, qi, readers, opens);
        }
    }
}

/// One question: its wording, answers, when it is asked and the rules that read it.
fn question(
    w: &mut String,
    q: &Questionnaire,
    qi: usize,
    readers: &[Vec<usize>],
    opens: &[Vec<usize>],
) {
    let question = &q.questions()[qi];
    let _ = writeln!(
        w,
        "#### {}. {} ({})\n",
        qi + 1,
        code(&question.id),
        kind_words(question.kind)
    );
    let _ = writeln!(w, "- **Patient reads:** {}", md(&question.text));
    if let Some(t) = &question.staff_text {
        let _ = writeln!(w, "- **Staff read:** {}", md(t));
    }
    if let Some(t) = &question.help {
        let _ = writeln!(w, "- **Why we ask:** {}", md(t));
    }
    let _ = writeln!(w, "- **Answer:** {}", answer_words(question));
    if !question.options.is_empty() {
        let _ = writeln!(w, "- **Options:**");
        for (n, o) in question.options.iter().enumerate() {
            let mut line = format!("  {}. {} {}", n + 1, code(&o.code), md(&o.label));
            if let Some(st) = &o.staff_label {
                let _ = write!(line, " (staff: {})", md(st));
            }
            if o.exclusive {
                line.push_str(", only on its own");
            }
            let _ = writeln!(w, "{line}");
        }
    }
    match shown_phrase(q, qi, &[]) {
        None => {
            let _ = writeln!(w, "- **Asked:** always");
        }
        Some(p) => labelled("Asked when", &p, w),
    }
    if !opens[qi].is_empty() {
        let _ = writeln!(
            w,
            "- **Decides whether these are asked:** {}",
            id_list(q, &opens[qi])
        );
    }
    if readers[qi].is_empty() {
        let _ = writeln!(w, "- **Read by rules:** none");
    } else {
        let list: Vec<String> = readers[qi]
            .iter()
            .map(|ri| {
                let r = &q.rules()[*ri].rule;
                format!("{} ({})", code(&r.id), r.level.as_str())
            })
            .collect();
        let _ = writeln!(w, "- **Read by rules:** {}", list.join(", "));
    }
    let _ = writeln!(w);
}

/// The clinic settings with the values in effect.
fn md_settings(w: &mut String, q: &Questionnaire) {
    if !q.settings().is_empty() {
        let _ = writeln!(w, "## Clinic settings\n");
        let _ = writeln!(
            w,
            "Decisions the questionnaire leaves to the clinic. The rules below read them; this \
             document shows them with the values in effect here (defaults unless a clinic file \
             set them).\n"
        );
        let defaults = q.setting_defaults();
        for ((s, d), v) in q.settings().iter().zip(&defaults).zip(q.setting_values()) {
            let _ = writeln!(
                w,
                "- **{}** ({}): {}",
                md(&s.label),
                code(&s.id),
                md(&s.help)
            );
            let _ = writeln!(
                w,
                "  In effect: {}; default: {}.",
                md(&crate::settings::to_text(s, *v)),
                md(&crate::settings::to_text(s, *d))
            );
        }
        let _ = writeln!(w);
    }
}

/// Every rule, in the order of the file.
fn md_rules(w: &mut String, q: &Questionnaire, scenarios: &Scenarios) {
    let _ = writeln!(w, "## Rules\n");
    let _ = writeln!(
        w,
        "In the order of the file. Every rule that fires is listed on the result, highest level \
         first, with the answers that made it fire.\n"
    );
    for ri in 0..q.rules().len() {
        rule(w, q, ri, scenarios);
    }
}

/// One rule: level, condition, "Not sure", message, interrupt steps, note and sources.
fn rule(w: &mut String, q: &Questionnaire, ri: usize, scenarios: &Scenarios) {
    let r = &q.rules()[ri].rule;
    let stop = if r.stop {
        ", stops the screening at once"
    } else {
        ""
    };
    let _ = writeln!(
        w,
        "### {}: {} (`{}`){stop}\n",
        code(&r.id),
        level_name(r.level),
        r.level.as_str()
    );
    labelled("Fires when", &rule_phrase(q, ri, &[]), w);
    let _ = writeln!(w, "- **\"Not sure\":** {}", unsure_sentence(q, ri));
    let _ = writeln!(w, "- **Message to the person:** {}", md(&r.message));
    if let Some(s) = &r.steps {
        steps(w, "Steps on its interrupt", s);
    }
    if let Some(s) = &r.staff_steps {
        steps(w, "Steps on its interrupt for staff", s);
    }
    if let Some(n) = &r.practitioner_note {
        let _ = writeln!(w, "- **Practitioner note:** {}", md(n));
    }
    if r.sources.is_empty() {
        let _ = writeln!(w, "- **Sources:** none given");
    } else {
        let _ = writeln!(w, "- **Sources:**");
        for sid in &r.sources {
            let _ = match q.source(sid) {
                Some(s) => match &s.url {
                    Some(u) => writeln!(w, "  - {}: {}, {}", code(sid), md(&s.title), link(u)),
                    None => writeln!(w, "  - {}: {}", code(sid), md(&s.title)),
                },
                None => writeln!(w, "  - {}", code(sid)),
            };
        }
    }
    rule_scenarios(w, q, ri, scenarios);
}

/// The scenario tests that fire a rule, and those that come closest without firing it.
fn rule_scenarios(w: &mut String, q: &Questionnaire, ri: usize, scenarios: &Scenarios) {
    let firing = scenarios.firing(ri);
    if firing.is_empty() {
        let _ = writeln!(
            w,
            "- **Scenarios that fire it:** none. No scenario test fires this rule."
        );
    } else {
        let names = firing
            .iter()
            .map(|(t, unsure)| {
                let mark = if *unsure { " (on Not sure)" } else { "" };
                format!("{}{mark}", test_name(q, *t))
            })
            .collect();
        let _ = writeln!(
            w,
            "- **Scenarios that fire it:** {}",
            capped(names, MAX_FIRING)
        );
    }
    let misses = scenarios.near_misses(ri, &rule_questions(q, ri));
    if misses.is_empty() {
        let _ = writeln!(
            w,
            "- **Scenarios where it does not fire:** none answers its questions."
        );
    } else {
        let names = misses.iter().map(|t| test_name(q, *t)).collect();
        let _ = writeln!(
            w,
            "- **Scenarios where it does not fire** (answering the most of its questions): {}",
            capped(names, MAX_NOT_FIRING)
        );
    }
    let _ = writeln!(w);
}

/// The sources the rules cite.
fn md_sources(w: &mut String, q: &Questionnaire) {
    if !q.sources().is_empty() {
        let _ = writeln!(w, "## Sources\n");
        for s in q.sources() {
            let _ = match &s.url {
                Some(u) => writeln!(w, "- {}: {}, {}", code(&s.id), md(&s.title), link(u)),
                None => writeln!(w, "- {}: {}", code(&s.id), md(&s.title)),
            };
        }
        let _ = writeln!(w);
    }
}

/// Every scenario test with its outcome and the rules that fire.
fn md_tests(w: &mut String, q: &Questionnaire, scenarios: &Scenarios) {
    if !q.tests().is_empty() {
        let _ = writeln!(w, "## Scenario tests\n");
        let _ = writeln!(
            w,
            "Every scenario, the outcome it must give and the rules that fire on its answers \
             (\"on Not sure\": fired because a \"Not sure\" answer could not rule it out).\n"
        );
        let _ = writeln!(
            w,
            "| # | Scenario | Outcome | Rules that fire |\n|---|---|---|---|"
        );
        for (t, test) in q.tests().iter().enumerate() {
            let fired: Vec<String> = (0..q.rules().len())
                .filter_map(|ri| {
                    scenarios.fired[t][ri].map(|unsure| {
                        let mark = if unsure { " (on Not sure)" } else { "" };
                        format!("{}{mark}", code(&q.rules()[ri].rule.id))
                    })
                })
                .collect();
            let fired = if fired.is_empty() {
                "none".to_string()
            } else {
                fired.join(", ")
            };
            let _ = writeln!(
                w,
                "| {} | {} | `{}` | {} |",
                t + 1,
                cell(&md(&test.name)),
                test.expect.as_str(),
                cell(&fired)
            );
        }
        let _ = writeln!(w);
    }
}

/// The sign-off block.
fn md_sign_off(w: &mut String, q: &Questionnaire) {
    let _ = writeln!(w, "## Sign-off\n");
    let _ = writeln!(
        w,
        "I have read every question and rule of {} version {} (SHA-256 `{}`){} and approve \
         it for use.\n",
        code(q.id()),
        md(q.version()),
        q.sha256(),
        q.clinic().map_or_else(String::new, |c| format!(
            ", under the clinic file with SHA-256 `{}`",
            c.sha256
        ))
    );
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(
        w,
        "| Name | |\n| Role and registration | |\n| Signature | |\n| Date | |"
    );
}

// ---------------------------------------------------------------------------------------------
// Contents

/// The headings the contents list: every `##`, and the `###` under these.
const CONTENTS_OPENS: [&str; 2] = ["Questions", "Advice"];

/// Heading ids as GitHub makes them, so that the same links work in the Markdown on GitHub and
/// in the HTML: lowercase letters and digits, `-` for spaces, `-1`, `-2` … after repeats.
#[derive(Default)]
struct Slugs {
    seen: std::collections::HashMap<String, usize>,
}

impl Slugs {
    /// The id of the next heading with this (Markdown) text.
    fn id(&mut self, heading: &str) -> String {
        let base: String = heading
            .chars()
            .filter_map(|c| match c {
                ' ' | '-' => Some('-'),
                '_' => Some('_'),
                c if c.is_alphanumeric() => Some(c),
                _ => None,
            })
            .flat_map(char::to_lowercase)
            .collect();
        let n = self.seen.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    }
}

/// A heading line: its level and text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' '))
        .then(|| (hashes, &line[hashes + 1..]))
}

/// The document with a list of its contents after its title, linked to the headings.
fn with_contents(doc: &str) -> String {
    let (title, rest) = doc.split_once("\n\n").unwrap_or((doc, ""));
    let mut slugs = Slugs::default();
    let mut toc = String::from("## Contents\n\n");
    let _ = slugs.id(title.trim_start_matches("# "));
    let _ = slugs.id("Contents");
    let mut open = false;
    for (level, text) in rest.lines().filter_map(heading) {
        let id = slugs.id(text);
        if level == 2 {
            open = CONTENTS_OPENS.contains(&text);
            let _ = writeln!(toc, "- [{text}](#{id})");
        } else if level == 3 && open {
            let _ = writeln!(toc, "  - [{text}](#{id})");
        }
    }
    format!("{title}\n\n{toc}\n{rest}")
}

// ---------------------------------------------------------------------------------------------
// HTML

/// The rulebook as one self-contained HTML page that prints on A4: the [`markdown`] document
/// turned into HTML, with its style inline and no script, image, font or other resource from
/// anywhere (the page's content security policy forbids loading any).
///
/// The conversion knows only what [`markdown`] writes (headings, paragraphs, nested lists,
/// tables, `**strong**`, `*emphasis*`, code spans, `<br>`, autolinks and backslash escapes).
/// Questionnaire text reaches it escaped by [`md`], so every character of it comes out as text:
/// `<`, `>`, `&` and quotes become entities and no text can open a tag.
pub fn html(q: &Questionnaire) -> String {
    let body = markdown_to_html(&markdown(q));
    let mut out = String::with_capacity(body.len() + STYLE.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"");
    out.push_str(&html_escape(q.locale()));
    out.push_str("\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(
        out,
        "<title>Rulebook: {} {}</title>",
        html_escape(&printable_line(q.title())),
        html_escape(&printable_line(q.version()))
    );
    out.push_str("<style>\n");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(&body);
    out.push_str("</body>\n</html>\n");
    out
}

/// Print on A4, a readable screen page, and nothing that loads from elsewhere.
const STYLE: &str = "\
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html { font-family: 'Segoe UI', 'Helvetica Neue', Arial, sans-serif; font-size: 10.5pt;
  line-height: 1.4; color: #000; background: #fff; }
body { max-width: 182mm; margin: 0 auto; padding: 0 4mm; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 8mm 0 3mm; border-bottom: 1px solid #444; break-after: avoid; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; break-after: avoid; }
h4 { font-size: 11pt; margin: 4mm 0 1mm; break-after: avoid; }
h2.page { break-before: page; }
p, li { orphans: 3; widows: 3; }
ul, ol { margin: 1mm 0 2mm; padding-left: 6mm; }
li { margin: 0.5mm 0; break-inside: avoid; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
th, td { border: 1px solid #888; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; }
tr { break-inside: avoid; }
code { font-family: 'DejaVu Sans Mono', Consolas, monospace; font-size: 0.92em; }
a { color: #000; overflow-wrap: anywhere; }
td, li { overflow-wrap: break-word; }
td:first-child code { white-space: nowrap; }
table.signoff td { height: 11mm; }
table.signoff td:first-child { width: 45mm; }
@media print { a { text-decoration: none; } }
";

/// Text with every character a browser would read as markup written as an entity.
fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for one line outside the Markdown (the page title): controls and line breaks visible.
fn printable_line(text: &str) -> String {
    crate::printable::escape_line(text).into_owned()
}

/// The inline Markdown that [`markdown`] writes, as HTML.
fn inline_html(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let (mut strong, mut em) = (false, false);
    let mut i = 0;
    let push = |out: &mut String, c: char| out.push_str(&html_escape(c.encode_utf8(&mut [0; 4])));
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
        match c {
            '\\' if chars.get(i + 1).is_some_and(char::is_ascii_punctuation) => {
                push(&mut out, chars[i + 1]);
                i += 2;
            }
            '`' => match chars[i + 1..].iter().position(|c| *c == '`') {
                Some(len) => {
                    let inner: String = chars[i + 1..i + 1 + len].iter().collect();
                    let _ = write!(out, "<code>{}</code>", html_escape(&inner));
                    i += len + 2;
                }
                None => {
                    push(&mut out, c);
                    i += 1;
                }
            },
            '*' if chars.get(i + 1) == Some(&'*') => {
                out.push_str(if strong { "</strong>" } else { "<strong>" });
                strong = !strong;
                i += 2;
            }
            '*' => {
                out.push_str(if em { "</em>" } else { "<em>" });
                em = !em;
                i += 1;
            }
            '[' if let Some((label, id, len)) = local_link(&chars[i..]) => {
                let _ = write!(
                    out,
                    "<a href=\"#{}\">{}</a>",
                    html_escape(&id),
                    inline_html(&label)
                );
                i += len;
            }
            '<' if rest.starts_with("<br>") => {
                out.push_str("<br>");
                i += 4;
            }
            '<' if rest.starts_with("<http") => match chars[i..].iter().position(|c| *c == '>') {
                Some(len) => {
                    let url: String = chars[i + 1..i + len].iter().collect();
                    let url = html_escape(&url);
                    let _ = write!(out, "<a href=\"{url}\">{url}</a>");
                    i += len + 1;
                }
                None => {
                    push(&mut out, c);
                    i += 1;
                }
            },
            c => {
                push(&mut out, c);
                i += 1;
            }
        }
    }
    // Markup this module wrote is balanced; close anything left open all the same.
    if em {
        out.push_str("</em>");
    }
    if strong {
        out.push_str("</strong>");
    }
    out
}

/// A link to a heading of this document, `[label](#id)`, as only the contents write it (a `[` in
/// questionnaire text is escaped): its label, its id and its length in characters.
fn local_link(chars: &[char]) -> Option<(String, String, usize)> {
    // `#` in questionnaire text is escaped, so `](#` ends the label of a link written here.
    let close = chars.windows(3).position(|w| w == [']', '(', '#'])?;
    let end = close + 3 + chars[close + 3..].iter().position(|c| *c == ')')?;
    let label = chars[1..close].iter().collect();
    let id = chars[close + 3..end].iter().collect();
    Some((label, id, end + 1))
}

/// The cells of a table row, split at the `|` that are not escaped.
fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut backslashes = 0usize;
    for c in inner.chars() {
        if c == '|' && backslashes.is_multiple_of(2) {
            cells.push(cell.trim().to_string());
            cell.clear();
        } else {
            cell.push(c);
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
    }
    cells.push(cell.trim().to_string());
    cells
}

/// A list item line: its indent, whether it is numbered, and its text.
fn list_item(line: &str) -> Option<(usize, bool, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    if let Some(text) = rest.strip_prefix("- ") {
        return Some((indent, false, text));
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(text) = rest[digits..].strip_prefix(". ")
    {
        return Some((indent, true, text));
    }
    None
}

/// Closes open lists until `to` are left.
fn close_lists(out: &mut String, lists: &mut Vec<(usize, bool)>, to: usize) {
    while lists.len() > to {
        let (_, numbered) = lists.pop().unwrap_or_default();
        out.push_str(if numbered {
            "</li></ol>\n"
        } else {
            "</li></ul>\n"
        });
    }
}

/// A heading with its id (the target of the contents' links); the big parts start a page.
fn heading_html(level: usize, text: &str, id: &str) -> String {
    let page = level == 2 && matches!(text, "Questions" | "Rules" | "Scenario tests");
    let class = if page { " class=\"page\"" } else { "" };
    format!(
        "<h{level} id=\"{}\"{class}>{}</h{level}>\n",
        html_escape(id),
        inline_html(text)
    )
}

/// The block Markdown that [`markdown`] writes, as HTML.
fn markdown_to_html(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len() * 2);
    let lines: Vec<&str> = doc.lines().collect();
    // Open lists: (indent, numbered).
    let mut lists: Vec<(usize, bool)> = Vec::new();
    let mut i = 0;
    let mut signoff = false;
    let mut slugs = Slugs::default();
    while i < lines.len() {
        let line = lines[i];
        if let Some((indent, numbered, text)) = list_item(line) {
            while lists.last().is_some_and(|(d, _)| *d > indent) {
                let keep = lists.len() - 1;
                close_lists(&mut out, &mut lists, keep);
            }
            match lists.last() {
                Some((d, n)) if *d == indent && *n == numbered => out.push_str("</li>\n"),
                Some((d, _)) if *d == indent => {
                    let keep = lists.len() - 1;
                    close_lists(&mut out, &mut lists, keep);
                    out.push_str(if numbered { "<ol>\n" } else { "<ul>\n" });
                    lists.push((indent, numbered));
                }
                _ => {
                    out.push_str(if numbered { "<ol>\n" } else { "<ul>\n" });
                    lists.push((indent, numbered));
                }
            }
            let _ = write!(out, "<li>{}", inline_html(text));
            i += 1;
            continue;
        }
        close_lists(&mut out, &mut lists, 0);
        if line.trim().is_empty() || line.starts_with("<!--") {
            i += 1;
            continue;
        }
        if let Some((level, text)) = heading(line) {
            signoff = level == 2 && text == "Sign-off";
            out.push_str(&heading_html(level, text, &slugs.id(text)));
            i += 1;
            continue;
        }
        if line.starts_with('|') {
            let class = if signoff { " class=\"signoff\"" } else { "" };
            let _ = writeln!(out, "<table{class}>");
            let header = table_cells(line);
            if lines.get(i + 1).is_some_and(|l| l.starts_with("|---")) {
                i += 2;
                if header.iter().any(|c| !c.is_empty()) {
                    out.push_str("<thead><tr>");
                    for c in &header {
                        let _ = write!(out, "<th>{}</th>", inline_html(c));
                    }
                    out.push_str("</tr></thead>\n");
                }
            }
            out.push_str("<tbody>\n");
            while i < lines.len() && lines[i].starts_with('|') {
                out.push_str("<tr>");
                for c in table_cells(lines[i]) {
                    let _ = write!(out, "<td>{}</td>", inline_html(&c));
                }
                out.push_str("</tr>\n");
                i += 1;
            }
            out.push_str("</tbody></table>\n");
            continue;
        }
        let _ = writeln!(out, "<p>{}</p>", inline_html(line));
        i += 1;
    }
    close_lists(&mut out, &mut lists, 0);
    out
}

/// Text for one cell of a Markdown table, where a `|` would end the cell. [`md`] and [`code`]
/// already leave no `|` unescaped; this escapes any other.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut backslashes = 0usize;
    for c in text.chars() {
        if c == '|' && backslashes.is_multiple_of(2) {
            out.push('\\');
        }
        backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        out.push(c);
    }
    out
}

/// The compact table of every question and rule, for the README (the part between
/// [`README_BEGIN`] and [`README_END`], without them).
pub fn readme_table(q: &Questionnaire) -> String {
    let mut out = String::new();
    let w = &mut out;
    let readers = readers(q);
    let opens = opens(q);
    // Each rule is listed beside the last question it reads: the one that completes it.
    let mut completed_at = vec![Vec::new(); q.questions().len()];
    for ri in 0..q.rules().len() {
        if let Some(last) = rule_questions(q, ri).last() {
            completed_at[*last].push(ri);
        }
    }
    readme_intro(w, q);
    let _ = writeln!(
        w,
        "| Question | What the person reads (answer type) | Shown when | Rules → level: fires when | Sources |"
    );
    let _ = writeln!(w, "|---|---|---|---|---|");
    for s in q.sections() {
        let _ = writeln!(w, "| **{}** | | | | |", cell(&md(&s.title)));
        for qi in s.questions.clone() {
            readme_row(w, q, qi, &completed_at[qi], &readers, &opens);
        }
    }
    out
}

/// The lines above the README table: where it comes from and how to read it.
fn readme_intro(w: &mut String, q: &Questionnaire) {
    let _ = writeln!(
        w,
        "<!-- Generated from the questionnaire by the rulebook; do not edit by hand. \
         Regenerate with `UPDATE_README=1 cargo test --test rulebook`. -->\n"
    );
    let _ = writeln!(
        w,
        "Version {}: {} questions, {} rules, {} scenario tests. The full rulebook, with staff \
         wording, help, messages, practitioner notes, source titles and the scenarios that \
         fire each rule, is printed by `needlecheck rulebook`.\n",
        md(q.version()),
        q.questions().len(),
        q.rules().len(),
        q.tests().len()
    );
    let _ = writeln!(
        w,
        "Each rule is listed beside the last question it reads. A question is shown when its \
         condition holds or cannot be ruled out: \"is Yes or Not sure\". \"(or Not sure)\" in a \
         rule means that a \"Not sure\" answer there fires it too, marked \"could not be ruled \
         out\". A condition on a question that was not asked never holds.\n"
    );
}

/// One question's row of the README table, with the rules it completes (`completed`).
fn readme_row(
    w: &mut String,
    q: &Questionnaire,
    qi: usize,
    completed: &[usize],
    readers: &[Vec<usize>],
    opens: &[Vec<usize>],
) {
    let question = &q.questions()[qi];
    let reads = format!("{}<br>*{}*", md(&question.text), answer_tag(question));
    let shown = shown_phrase(q, qi, &[]).map_or_else(|| "always".to_string(), |p| inline(&p, true));
    let mut rules = Vec::new();
    let mut sources: Vec<&str> = Vec::new();
    for ri in completed {
        let r = &q.rules()[*ri].rule;
        let stop = if r.stop { " (stop)" } else { "" };
        rules.push(format!(
            "{} → {}{stop}: {}",
            code(&r.id),
            level_tag(r.level),
            inline(&rule_phrase(q, *ri, &[qi]), true)
        ));
        for sid in &r.sources {
            if !sources.contains(&sid.as_str()) {
                sources.push(sid);
            }
        }
    }
    let rules = if !rules.is_empty() {
        rules.join("<br>")
    } else if !readers[qi].is_empty() {
        let ids: Vec<String> = readers[qi]
            .iter()
            .map(|ri| code(&q.rules()[*ri].rule.id))
            .collect();
        format!("read by {}", ids.join(", "))
    } else if !opens[qi].is_empty() {
        format!("none of its own; opens {}", id_list(q, &opens[qi]))
    } else {
        "—".to_string()
    };
    let sources = if sources.is_empty() {
        "—".to_string()
    } else {
        sources.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")
    };
    let _ = writeln!(
        w,
        "| {}. {} | {} | {} | {} | {} |",
        qi + 1,
        cell(&code(&question.id)),
        cell(&reads),
        cell(&shown),
        cell(&rules),
        cell(&sources)
    );
}

/// Where the generated part of a README lies: after the line [`README_BEGIN`], up to the
/// line [`README_END`].
fn generated_span(readme: &str) -> Option<(usize, usize)> {
    let begin = readme.find(&format!("{README_BEGIN}\n"))? + README_BEGIN.len() + 1;
    let rest = &readme[begin..];
    let end = if rest.starts_with(README_END) {
        begin
    } else {
        begin + rest.find(&format!("\n{README_END}"))? + 1
    };
    Some((begin, end))
}

/// `readme` with the text between the lines [`README_BEGIN`] and [`README_END`] replaced by
/// `body`, or `None` when the markers are not there.
pub fn replace_generated(readme: &str, body: &str) -> Option<String> {
    let (begin, end) = generated_span(readme)?;
    let mut out = String::with_capacity(readme.len() + body.len());
    out.push_str(&readme[..begin]);
    out.push_str(body);
    out.push_str(&readme[end..]);
    Some(out)
}

/// The text between the marker lines, if they are there.
pub fn generated_part(readme: &str) -> Option<&str> {
    let (begin, end) = generated_span(readme)?;
    Some(&readme[begin..end])
}

/// A comparison in words, `n` already written out: "is below 3", or its negation.
fn compared(op: CmpOp, negated: bool, n: &str) -> String {
    match (op, negated) {
        (CmpOp::Lt, false) | (CmpOp::Ge, true) => format!("is below {n}"),
        (CmpOp::Le, false) | (CmpOp::Gt, true) => format!("is {n} or less"),
        (CmpOp::Gt, false) | (CmpOp::Le, true) => format!("is above {n}"),
        (CmpOp::Ge, false) | (CmpOp::Lt, true) => format!("is {n} or more"),
        (CmpOp::Eq, false) => format!("is {n}"),
        (CmpOp::Eq, true) => format!("is not {n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md_escapes_markdown_controls_and_line_breaks() {
        let s = md("a|b *c* _d_ [e](f) <g> `h` # i \\ j\r\nk\u{1b}[31m\u{202e}l &lt; & m\tn");
        assert_eq!(
            s,
            "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\<g\\> \\`h\\` \\# i \\\\ j<br>k\\u{1b}\\[31m\\u{202e}l \\&lt; & m n"
        );
        assert!(!s.chars().any(|c| c.is_control() || is_unsafe(c)));
    }

    #[test]
    fn code_spans_only_for_plain_ids() {
        assert_eq!(code("em_chest_pain"), "`em_chest_pain`");
        assert_eq!(code("a`b"), "\u{201c}a\\`b\u{201d}");
        assert_eq!(code("x\u{1b}"), "\u{201c}x\\u{1b}\u{201d}");
        assert_eq!(
            link("https://example.org/a?b=c"),
            "<https://example.org/a?b=c>"
        );
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert_eq!(link("https://x.org/<a>"), "https://x.org/\\<a\\>");
    }

    #[test]
    fn short_takes_the_first_sentence_or_cuts_at_a_word() {
        assert_eq!(
            short("Are you pregnant? If not, say No."),
            "Are you pregnant?"
        );
        assert_eq!(
            short(
                "In the last 12 months, have you blacked out, or lost your balance because of dizziness, without a clear reason that a doctor has explained?"
            ),
            "In the last 12 months, have you blacked out, or lost your…"
        );
        assert_eq!(short("How old\nare you"), "How old are you");
    }

    #[test]
    fn replaces_only_between_the_markers() {
        let readme = format!("# T\n\nintro\n{README_BEGIN}\nold\nrows\n{README_END}\n\n## Next\n");
        let new = replace_generated(&readme, "new\n").unwrap();
        assert_eq!(
            new,
            format!("# T\n\nintro\n{README_BEGIN}\nnew\n{README_END}\n\n## Next\n")
        );
        assert_eq!(generated_part(&new), Some("new\n"));
        assert_eq!(replace_generated("no markers", "x"), None);
        let empty = format!("{README_BEGIN}\n{README_END}\n");
        assert_eq!(generated_part(&empty), Some(""));
        assert_eq!(
            replace_generated(&empty, "a\n").unwrap(),
            format!("{README_BEGIN}\na\n{README_END}\n")
        );
    }

    #[test]
    fn cells_escape_every_bare_pipe_once() {
        assert_eq!(cell("a|b"), "a\\|b");
        assert_eq!(cell(&md("a|b")), "a\\|b");
        assert_eq!(cell(&md("a\\|b")), "a\\\\\\|b");
    }
}
