//! Answers: their typed form, the checks every front end shares, and their JSON and text forms.
//!
//! One place decides what a valid answer is ([`check`]): the answers file, the TUI and the
//! plain mode all go through it, so a number out of range gets the same message everywhere.

use serde_json::{Map, Value};

use crate::model::{Question, QuestionType};

/// One answer, typed by its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Yes,
    No,
    /// "Not sure" (only where the question allows it).
    Unsure,
    /// Single choice: the option index.
    Choice(usize),
    /// Multiple choice: option indices, in option order, without duplicates.
    Multi(Vec<usize>),
    Number(f64),
    Text(String),
}

impl Answer {
    /// For yes/no and single-choice answers, the index a `one_of` test compares
    /// (yes = 0, no = 1).
    pub fn choice_index(&self) -> Option<usize> {
        match self {
            Answer::Yes => Some(0),
            Answer::No => Some(1),
            Answer::Choice(i) => Some(*i),
            _ => None,
        }
    }
}

/// The answers of one screening, by question index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answers {
    values: Vec<Option<Answer>>,
}

impl Answers {
    /// No answers for `n` questions.
    pub fn new(n: usize) -> Self {
        Answers {
            values: vec![None; n],
        }
    }

    pub fn from_vec(values: Vec<Option<Answer>>) -> Self {
        Answers { values }
    }

    pub fn get(&self, q: usize) -> Option<&Answer> {
        self.values.get(q).and_then(Option::as_ref)
    }

    pub fn set(&mut self, q: usize, a: Option<Answer>) {
        if q >= self.values.len() {
            self.values.resize(q + 1, None);
        }
        self.values[q] = a;
    }

    /// Indices of answered questions.
    pub fn answered(&self) -> impl Iterator<Item = usize> + '_ {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.as_ref().map(|_| i))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }
}

/// Checks an answer against its question: type, option range, number limits, text length,
/// "Not sure" allowed, exclusive options. The message is for the person answering.
pub fn check(q: &Question, a: &Answer) -> Result<(), String> {
    match (q.kind, a) {
        (_, Answer::Unsure) if q.allows_unsure() => Ok(()),
        (_, Answer::Unsure) => Err("\"Not sure\" is not an answer to this question.".into()),
        (QuestionType::YesNo, Answer::Yes | Answer::No) => Ok(()),
        (QuestionType::SingleChoice, Answer::Choice(i)) if *i < q.options.len() => Ok(()),
        (QuestionType::MultiChoice, Answer::Multi(chosen)) => {
            if chosen.iter().any(|i| *i >= q.options.len()) {
                return Err("That option does not exist.".into());
            }
            let mut sorted = chosen.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != chosen.len() {
                return Err("An option is chosen twice.".into());
            }
            if chosen.is_empty() {
                return Err("Choose at least one option.".into());
            }
            if let Some(ex) = chosen.iter().find(|i| q.options[**i].exclusive)
                && chosen.len() > 1
            {
                return Err(format!(
                    "\"{}\" cannot be combined with other options.",
                    q.options[*ex].label
                ));
            }
            Ok(())
        }
        (QuestionType::Number, Answer::Number(n)) => check_number(q, *n),
        (QuestionType::Text, Answer::Text(t)) => {
            let limit = q.text_limit();
            if t.chars().count() > limit {
                Err(format!("Please keep this under {limit} characters."))
            } else {
                Ok(())
            }
        }
        (QuestionType::Display, _) => Err("This is information only; it takes no answer.".into()),
        (
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Text,
            _,
        ) => Err(format!("This question takes {}.", expected(q))),
    }
}

fn check_number(q: &Question, n: f64) -> Result<(), String> {
    if !n.is_finite() {
        return Err("Please enter a number.".into());
    }
    if q.integer && n.fract() != 0.0 {
        return Err("Please enter a whole number.".into());
    }
    // Written only for a message: a valid answer costs no allocation.
    let unit = || {
        q.unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default()
    };
    match (q.min, q.max) {
        (Some(lo), Some(hi)) if n < lo || n > hi => Err(format!(
            "Please enter a number from {} to {}{}.",
            fmt_num(lo),
            fmt_num(hi),
            unit()
        )),
        (Some(lo), None) if n < lo => Err(format!(
            "Please enter a number of at least {}{}.",
            fmt_num(lo),
            unit()
        )),
        (None, Some(hi)) if n > hi => Err(format!(
            "Please enter a number of at most {}{}.",
            fmt_num(hi),
            unit()
        )),
        _ => Ok(()),
    }
}

/// A number without a needless `.0`.
pub fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// What kind of value a question takes, for messages.
pub fn expected(q: &Question) -> String {
    let unsure = if q.allows_unsure() {
        " or \"unsure\""
    } else {
        ""
    };
    match q.kind {
        QuestionType::YesNo => format!("\"yes\" or \"no\"{unsure}"),
        QuestionType::SingleChoice => format!("one option code{unsure}"),
        QuestionType::MultiChoice => "a list of option codes".into(),
        QuestionType::Number => format!("a number{unsure}"),
        QuestionType::Text => "text".into(),
        QuestionType::Display => "no answer".into(),
    }
}

/// Reads an answer from its JSON form (answers files, test cases). The error names the
/// question, what it takes and the kind of value given, never the value itself: answers are
/// patient data, and error logs are kept.
pub fn from_json(q: &Question, v: &Value) -> Result<Answer, (String, Option<String>)> {
    let id = crate::suggest::clip(&q.id);
    let wrong = || {
        (
            format!("`{id}` takes {}, not {}", expected(q), describe(q, v)),
            None,
        )
    };
    let a = match (q.kind, v) {
        (_, Value::String(s)) if s == "unsure" && q.kind != QuestionType::Text => Answer::Unsure,
        (QuestionType::YesNo, Value::String(s)) if s == "yes" => Answer::Yes,
        (QuestionType::YesNo, Value::String(s)) if s == "no" => Answer::No,
        (QuestionType::SingleChoice, Value::String(s)) => Answer::Choice(option(q, s, None)?),
        (QuestionType::MultiChoice, Value::Array(items)) => {
            let mut chosen = Vec::with_capacity(items.len());
            for (n, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => chosen.push(option(q, s, Some(n + 1))?),
                    _ => return Err(wrong()),
                }
            }
            Answer::Multi(chosen)
        }
        (QuestionType::Number, Value::Number(n)) => Answer::Number(n.as_f64().ok_or_else(wrong)?),
        (QuestionType::Text, Value::String(s)) => Answer::Text(s.clone()),
        (
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Text
            | QuestionType::Display,
            _,
        ) => return Err(wrong()),
    };
    check(q, &a).map_err(|m| (format!("`{id}`: {m}"), None))?;
    Ok(a)
}

/// The option with code `code`; the error gives the code's place in a list (`item`), not the
/// code, and no "did you mean" (the closest code would tell the answer).
fn option(
    q: &Question,
    code: &str,
    item: Option<usize>,
) -> Result<usize, (String, Option<String>)> {
    q.option_index(code).ok_or_else(|| {
        let id = crate::suggest::clip(&q.id);
        let codes = q.options.iter().map(|o| o.code.as_str());
        (
            match item {
                Some(n) => format!("`{id}`: item {n} of the list is not one of its option codes"),
                None => format!("`{id}` takes one of its option codes, and this is not one"),
            },
            Some(format!(
                "options: {}",
                crate::suggest::list(codes, q.options.len())
            )),
        )
    })
}

/// The kind of value given, for a message; never the value.
fn describe(q: &Question, v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) if q.kind == QuestionType::YesNo => "other text",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The JSON form of an answer (the inverse of [`from_json`]).
pub fn to_json(q: &Question, a: &Answer) -> Value {
    match a {
        Answer::Yes => "yes".into(),
        Answer::No => "no".into(),
        Answer::Unsure => "unsure".into(),
        Answer::Choice(i) => q.options[*i].code.clone().into(),
        Answer::Multi(c) => Value::Array(
            c.iter()
                .map(|i| Value::from(q.options[*i].code.clone()))
                .collect(),
        ),
        // Whole numbers print without a fraction (`40`, not `40.0`).
        Answer::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Value::from(*n as i64),
        Answer::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Answer::Text(t) => t.clone().into(),
    }
}

/// The answer in words, as a person would say it: "Yes", "Not sure", an option's label,
/// "12 weeks".
pub fn display(q: &Question, a: &Answer) -> String {
    display_for(q, a, false)
}

/// The answer in words for the audience: with `staff`, options use their staff labels
/// ("Smokes" rather than "I smoke").
pub fn display_for(q: &Question, a: &Answer, staff: bool) -> String {
    match a {
        Answer::Yes => "Yes".into(),
        Answer::No => "No".into(),
        Answer::Unsure => "Not sure".into(),
        Answer::Choice(i) => q.options[*i].label_for(staff).to_string(),
        Answer::Multi(c) => c
            .iter()
            .map(|i| q.options[*i].label_for(staff))
            .collect::<Vec<_>>()
            .join(", "),
        Answer::Number(n) => match &q.unit {
            Some(u) => format!("{} {u}", fmt_num(*n)),
            None => fmt_num(*n),
        },
        // Quoted inside other text: a line break in it must not start a line of its own.
        Answer::Text(t) => crate::printable::escape_line(t).into_owned(),
    }
}

/// Reads an answer typed as a line of text (plain mode, the TUI's number and text fields):
/// `y`/`n`/`u`, an option number or code, numbers separated by commas or spaces for multiple
/// choice, a number, or text.
pub fn parse_input(q: &Question, input: &str) -> Result<Answer, String> {
    let s = input.trim();
    let lower = s.to_lowercase();
    if q.kind != QuestionType::Text
        && q.allows_unsure()
        && matches!(lower.as_str(), "u" | "unsure" | "not sure" | "?")
    {
        return Ok(Answer::Unsure);
    }
    let a = match q.kind {
        QuestionType::YesNo => match lower.as_str() {
            "y" | "yes" => Answer::Yes,
            "n" | "no" => Answer::No,
            _ => {
                return Err(if q.allows_unsure() {
                    "Please answer y (yes), n (no) or u (not sure).".into()
                } else {
                    "Please answer y (yes) or n (no).".into()
                });
            }
        },
        QuestionType::SingleChoice => Answer::Choice(pick(q, s)?),
        QuestionType::MultiChoice => {
            let mut chosen = Vec::new();
            for part in s.split([',', ' ']).filter(|p| !p.is_empty()) {
                let i = pick(q, part)?;
                if !chosen.contains(&i) {
                    chosen.push(i);
                }
            }
            chosen.sort_unstable();
            Answer::Multi(chosen)
        }
        QuestionType::Number => Answer::Number(parse_number(s)?),
        QuestionType::Text => Answer::Text(s.to_string()),
        QuestionType::Display => return Err("This is information only.".into()),
    };
    check(q, &a)?;
    Ok(a)
}

/// What to type in a number box, said to anyone whose typing is not a number.
pub const NUMBER_HELP: &str = "Please type the number in digits, such as 42 or 37.5.";

/// Whether `c` can be part of a typed number: a digit, a decimal point or comma, a minus.
pub fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | ',' | '-')
}

/// Reads a number as a person types it: digits, optionally a leading minus and one decimal
/// point (or comma). Nothing else is a number here: no exponent (`1e2`), no `inf`, no `+`,
/// no spaces inside, so what is recorded is the number that was typed. Both front ends read
/// numbers through this, with the one message [`NUMBER_HELP`].
pub fn parse_number(s: &str) -> Result<f64, String> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let shaped = all_digits(whole)
        && fraction.is_none_or(all_digits)
        && !(whole.is_empty() && fraction.is_none_or(str::is_empty));
    if !shaped {
        return Err(NUMBER_HELP.into());
    }
    let n: f64 = s
        .replace(',', ".")
        .parse()
        .map_err(|_| NUMBER_HELP.to_string())?;
    if n.is_finite() {
        Ok(n)
    } else {
        Err(NUMBER_HELP.into())
    }
}

fn pick(q: &Question, s: &str) -> Result<usize, String> {
    if let Ok(n) = s.parse::<usize>()
        && (1..=q.options.len()).contains(&n)
    {
        return Ok(n - 1);
    }
    q.option_index(s).ok_or_else(|| {
        format!(
            "Please choose a number from 1 to {}{}.",
            q.options.len(),
            if q.kind == QuestionType::MultiChoice {
                " (several separated by commas)"
            } else {
                ""
            }
        )
    })
}

/// The answers as a JSON object keyed by question id, in questionnaire order.
pub fn answers_to_json(
    qs: &[Question],
    answers: &Answers,
    include: impl Fn(usize) -> bool,
) -> Map<String, Value> {
    let mut m = Map::new();
    for i in answers.answered() {
        if include(i)
            && let Some(a) = answers.get(i)
        {
            m.insert(qs[i].id.clone(), to_json(&qs[i], a));
        }
    }
    m
}
