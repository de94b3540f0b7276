//! Answers: their typed form, the checks every front end shares, and their JSON and text forms.
//!
//! One place decides what a valid answer is ([`check`]): the answers file, the TUI and the
//! plain mode all go through it, so a number out of range gets the same message everywhere.

use serde_json::{Map, Value};

use crate::model::{Question, QuestionType};

/// One answer, typed by its question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// "Yes".
    Yes,
    /// "No".
    No,
    /// "Not sure" (only where the question allows it).
    Unsure,
    /// Single choice: the option index.
    Choice(usize),
    /// Multiple choice: option indices, in option order, without duplicates.
    Multi(Vec<usize>),
    /// A number, within the question's limits.
    Number(f64),
    /// Free text, within the question's length limit.
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

    /// Answers given by question index (`None`: not answered).
    pub fn from_vec(values: Vec<Option<Answer>>) -> Self {
        Answers { values }
    }

    /// The answer to question `q`, if any.
    pub fn get(&self, q: usize) -> Option<&Answer> {
        self.values.get(q).and_then(Option::as_ref)
    }

    /// Sets (or with `None` clears) the answer to question `q`.
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

    /// How many questions there are room for.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no question has an answer.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Option::is_none)
    }
}

/// Why an answer is refused, in words for the person answering: the same wording in every
/// front end. It names the question's own limits (its range, its unit, an exclusive option's
/// label), never the value given: answers are patient data, and messages end up in logs.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    /// "Not sure" given where the question does not offer it.
    #[error("\"Not sure\" is not an answer to this question.")]
    UnsureNotAllowed,
    /// An option index past the question's options.
    #[error("That option does not exist.")]
    NoSuchOption,
    /// The same option twice in a multiple choice.
    #[error("An option is chosen twice.")]
    ChosenTwice,
    /// An empty multiple choice.
    #[error("Choose at least one option.")]
    NoneChosen,
    /// An exclusive option ("none of these") together with others; `label` is the option's
    /// wording in the questionnaire.
    #[error("\"{label}\" cannot be combined with other options.")]
    Exclusive {
        /// The exclusive option's label.
        label: String,
    },
    /// Text longer than the question allows.
    #[error("Please keep this under {limit} characters.")]
    TooLong {
        /// The most characters the question takes.
        limit: usize,
    },
    /// Any answer to information-only text.
    #[error("This is information only; it takes no answer.")]
    InformationOnly,
    /// An answer of the wrong type; `expected` is [`expected`] of the question.
    #[error("This question takes {expected}.")]
    WrongType {
        /// What the question takes, in words.
        expected: String,
    },
    /// Not a finite number.
    #[error("Please enter a number.")]
    NotFinite,
    /// A fraction where the question takes whole numbers.
    #[error("Please enter a whole number.")]
    NotWhole,
    /// A number outside the question's limits (at least one of which is set).
    #[error("Please enter a number {}{}.", range_words(*.min, *.max), unit_words(.unit))]
    OutOfRange {
        /// The question's lower limit.
        min: Option<f64>,
        /// The question's upper limit.
        max: Option<f64>,
        /// The question's unit, if any.
        unit: Option<String>,
    },
    /// Typed text that is not a yes/no answer; `unsure` says whether "Not sure" is offered.
    #[error("{}", if *.unsure { "Please answer y (yes), n (no) or u (not sure)." } else { "Please answer y (yes) or n (no)." })]
    NotYesNo {
        /// Whether the question offers "Not sure".
        unsure: bool,
    },
    /// Typed text that names no option (by number or code).
    #[error("Please choose a number from 1 to {options}{}.", if *.several { " (several separated by commas)" } else { "" })]
    NotAnOption {
        /// How many options the question has.
        options: usize,
        /// Whether several may be chosen.
        several: bool,
    },
    /// Typed text that is not a number as [`parse_number`] reads it.
    #[error(transparent)]
    NotANumber(#[from] NotANumber),
    /// The same, for a question that takes whole numbers: its example has no decimals.
    #[error("{}", WHOLE_NUMBER_HELP)]
    NotAWholeNumberTyped,
}

/// Typing that [`parse_number`] does not read as a number; says [`NUMBER_HELP`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", NUMBER_HELP)]
pub struct NotANumber;

fn range_words(min: Option<f64>, max: Option<f64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("from {} to {}", fmt_num(lo), fmt_num(hi)),
        (Some(lo), None) => format!("of at least {}", fmt_num(lo)),
        (None, Some(hi)) => format!("of at most {}", fmt_num(hi)),
        (None, None) => "in range".into(),
    }
}

fn unit_words(unit: &Option<String>) -> String {
    unit.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
}

/// Checks an answer against its question: type, option range, number limits, text length,
/// "Not sure" allowed, exclusive options.
pub fn check(q: &Question, a: &Answer) -> Result<(), AnswerError> {
    match (q.kind, a) {
        (_, Answer::Unsure) if q.allows_unsure() => Ok(()),
        (_, Answer::Unsure) => Err(AnswerError::UnsureNotAllowed),
        (QuestionType::YesNo, Answer::Yes | Answer::No) => Ok(()),
        (QuestionType::SingleChoice, Answer::Choice(i)) if *i < q.options.len() => Ok(()),
        (QuestionType::MultiChoice, Answer::Multi(chosen)) => check_multi(q, chosen),
        (QuestionType::Number, Answer::Number(n)) => check_number(q, *n),
        (QuestionType::Text, Answer::Text(t)) => {
            let limit = q.text_limit();
            if t.chars().count() > limit {
                Err(AnswerError::TooLong { limit })
            } else {
                Ok(())
            }
        }
        (QuestionType::Display, _) => Err(AnswerError::InformationOnly),
        (
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Text,
            _,
        ) => Err(AnswerError::WrongType {
            expected: expected(q),
        }),
    }
}

fn check_multi(q: &Question, chosen: &[usize]) -> Result<(), AnswerError> {
    if chosen.iter().any(|i| *i >= q.options.len()) {
        return Err(AnswerError::NoSuchOption);
    }
    let mut sorted = chosen.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != chosen.len() {
        return Err(AnswerError::ChosenTwice);
    }
    if chosen.is_empty() {
        return Err(AnswerError::NoneChosen);
    }
    if let Some(ex) = chosen.iter().find(|i| q.options[**i].exclusive)
        && chosen.len() > 1
    {
        return Err(AnswerError::Exclusive {
            label: q.options[*ex].label.clone(),
        });
    }
    Ok(())
}

fn check_number(q: &Question, n: f64) -> Result<(), AnswerError> {
    if !n.is_finite() {
        return Err(AnswerError::NotFinite);
    }
    if q.integer && n.fract() != 0.0 {
        return Err(AnswerError::NotWhole);
    }
    let below = q.min.is_some_and(|lo| n < lo);
    let above = q.max.is_some_and(|hi| n > hi);
    if below || above {
        // Built only for a message: a valid answer costs no allocation.
        return Err(AnswerError::OutOfRange {
            min: q.min,
            max: q.max,
            unit: q.unit.clone(),
        });
    }
    Ok(())
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

/// Why an answer in JSON form (an answers file, a test case) is refused. The message names the
/// question, what it takes and the kind of value given, never the value itself: answers are
/// patient data, and error logs are kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JsonAnswerError {
    /// A value of the wrong kind (`given` is its kind: "a number", "text", ...).
    #[error("`{id}` takes {expected}, not {given}")]
    WrongKind {
        /// The question id, clipped for messages.
        id: String,
        /// What the question takes, in words ([`expected`]).
        expected: String,
        /// The kind of value given.
        given: &'static str,
    },
    /// A text that is none of the question's option codes; `item` is its place (from 1) in a
    /// list. Neither the code given nor the closest option is named: it would tell the answer.
    #[error("`{id}`{}", match .item {
        Some(n) => format!(": item {n} of the list is not one of its option codes"),
        None => " takes one of its option codes, and this is not one".to_string(),
    })]
    NotAnOptionCode {
        /// The question id, clipped for messages.
        id: String,
        /// The place of the code in a list (multiple choice), from 1.
        item: Option<usize>,
        /// The question's option codes, listed for the help line.
        codes: String,
    },
    /// A value of the right kind that the question refuses ([`check`]).
    #[error("`{id}`: {reason}")]
    Refused {
        /// The question id, clipped for messages.
        id: String,
        /// Why the question refuses it.
        reason: AnswerError,
    },
}

impl JsonAnswerError {
    /// What to do about it, where there is more to say than the message: the option codes.
    pub fn help(&self) -> Option<String> {
        match self {
            JsonAnswerError::NotAnOptionCode { codes, .. } => Some(format!("options: {codes}")),
            JsonAnswerError::WrongKind { .. } | JsonAnswerError::Refused { .. } => None,
        }
    }
}

/// Reads an answer from its JSON form (answers files, test cases).
pub fn from_json(q: &Question, v: &Value) -> Result<Answer, JsonAnswerError> {
    let wrong = || JsonAnswerError::WrongKind {
        id: crate::suggest::clip(&q.id).to_string(),
        expected: expected(q),
        given: describe(q, v),
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
    check(q, &a).map_err(|reason| JsonAnswerError::Refused {
        id: crate::suggest::clip(&q.id).to_string(),
        reason,
    })?;
    Ok(a)
}

/// The option with code `code`; the error gives the code's place in a list (`item`), not the
/// code, and no "did you mean" (the closest code would tell the answer).
fn option(q: &Question, code: &str, item: Option<usize>) -> Result<usize, JsonAnswerError> {
    q.option_index(code)
        .ok_or_else(|| JsonAnswerError::NotAnOptionCode {
            id: crate::suggest::clip(&q.id).to_string(),
            item,
            codes: crate::suggest::list(q.options.iter().map(|o| o.code.as_str()), q.options.len()),
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
pub fn parse_input(q: &Question, input: &str) -> Result<Answer, AnswerError> {
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
                return Err(AnswerError::NotYesNo {
                    unsure: q.allows_unsure(),
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
        QuestionType::Number => Answer::Number(parse_number(s).map_err(|e| {
            if q.integer {
                AnswerError::NotAWholeNumberTyped
            } else {
                AnswerError::from(e)
            }
        })?),
        QuestionType::Text => Answer::Text(s.to_string()),
        QuestionType::Display => return Err(AnswerError::InformationOnly),
    };
    check(q, &a)?;
    Ok(a)
}

/// What to type in a number box, said to anyone whose typing is not a number.
pub const NUMBER_HELP: &str = "Please type the number in digits, such as 42 or 37.5.";

/// [`NUMBER_HELP`] for a question that takes whole numbers only (its example has no decimals).
pub const WHOLE_NUMBER_HELP: &str = "Please type the number in digits, such as 42.";

/// What to type in the number box of `q`: [`WHOLE_NUMBER_HELP`] where it takes whole numbers.
pub fn number_help(q: &Question) -> &'static str {
    if q.integer {
        WHOLE_NUMBER_HELP
    } else {
        NUMBER_HELP
    }
}

/// Whether `c` can be part of a typed number: a digit, a decimal point or comma, a minus.
pub fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | ',' | '-')
}

/// Reads a number as a person types it: digits, optionally a leading minus and one decimal
/// point (or comma). Nothing else is a number here: no exponent (`1e2`), no `inf`, no `+`,
/// no spaces inside, so what is recorded is the number that was typed. Both front ends read
/// numbers through this, with the one message [`NUMBER_HELP`] ([`WHOLE_NUMBER_HELP`] for a
/// question that takes whole numbers, from [`parse_input`]).
pub fn parse_number(s: &str) -> Result<f64, NotANumber> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, ['.', ',']);
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    let shaped = all_digits(whole)
        && fraction.is_none_or(all_digits)
        && !(whole.is_empty() && fraction.is_none_or(str::is_empty));
    if !shaped {
        return Err(NotANumber);
    }
    let n: f64 = s.replace(',', ".").parse().map_err(|_| NotANumber)?;
    if n.is_finite() {
        Ok(n)
    } else {
        Err(NotANumber)
    }
}

fn pick(q: &Question, s: &str) -> Result<usize, AnswerError> {
    if let Ok(n) = s.parse::<usize>()
        && (1..=q.options.len()).contains(&n)
    {
        return Ok(n - 1);
    }
    q.option_index(s).ok_or(AnswerError::NotAnOption {
        options: q.options.len(),
        several: q.kind == QuestionType::MultiChoice,
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
