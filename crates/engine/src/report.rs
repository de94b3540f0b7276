//! What a person and a practitioner are told: the advice summary, its plain-text rendering,
//! the practitioner handover, and the JSON record.
//!
//! [`Summary`] gathers everything from the questionnaire's data (no clinical wording lives in
//! Rust); the text renderer, the TUI's result screen and the JSON record are views of it, so
//! they cannot disagree.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::answers::{self, Answer, Answers};
use crate::model::{AftercareBlock, Contact, Level, Question, Source};
use crate::questionnaire::Questionnaire;
use crate::score::Outcome;

/// The tool's name and version, for records.
pub const TOOL_NAME: &str = "needlecheck";
/// The tool's version, for records (the version of this crate: they are released together).
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One answer quoted as a reason. In a record it is `{"question": id, "answer": value}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason<'q> {
    /// The question's id.
    #[serde(rename = "question")]
    pub question_id: &'q str,
    /// The question as the audience saw it.
    #[serde(skip)]
    pub question: &'q str,
    /// The answer in words.
    #[serde(skip)]
    pub answer: String,
    /// The answer as in an answers file.
    #[serde(rename = "answer")]
    pub value: AnswerValue<'q>,
    /// The answer was "Not sure".
    #[serde(skip)]
    pub unsure: bool,
}

/// A fired rule, ready to show; also its form in a record.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView<'q> {
    /// The rule's id.
    #[serde(rename = "rule")]
    pub rule_id: &'q str,
    /// The rule's level.
    pub level: Level,
    /// The rule's message to the person.
    pub message: &'q str,
    /// The note for the practitioner, if the rule has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub practitioner_note: Option<&'q str>,
    /// Fired because a "Not sure" answer could not rule it out.
    pub on_unknown: bool,
    /// The rule stops the screening at once.
    pub stop: bool,
    /// The answers that made it fire.
    pub because: Vec<Reason<'q>>,
    /// The sources the rule cites.
    #[serde(skip)]
    pub sources: Vec<&'q Source>,
}

/// The fired rules of an outcome, highest level first; `staff` picks the question wording.
pub fn findings<'q>(
    q: &'q Questionnaire,
    answers: &Answers,
    outcome: &Outcome,
    staff: bool,
) -> Vec<FindingView<'q>> {
    outcome
        .findings
        .iter()
        .map(|f| {
            let r = &q.rules()[f.rule].rule;
            FindingView {
                rule_id: &r.id,
                level: f.level,
                message: &r.message,
                practitioner_note: r.practitioner_note.as_deref(),
                on_unknown: f.on_unknown,
                stop: r.stop,
                because: f
                    .because
                    .iter()
                    .filter_map(|i| {
                        let question = &q.questions()[*i];
                        answers.get(*i).map(|a| Reason {
                            question_id: &question.id,
                            question: question.wording(staff),
                            answer: cited_words(question, *i, a, &f.options, staff),
                            value: AnswerValue {
                                question,
                                answer: a.clone(),
                            },
                            unsure: *a == Answer::Unsure,
                        })
                    })
                    .collect(),
                sources: r.sources.iter().filter_map(|s| q.source(s)).collect(),
            }
        })
        .collect()
}

/// Answer `a` to question `i` (`question`) as a reason: whole, or for a choose-all answer that
/// counts through some of its options only, those options.
fn cited_words(
    question: &Question,
    i: usize,
    a: &Answer,
    options: &[(usize, usize)],
    staff: bool,
) -> String {
    let found: Vec<&str> = options
        .iter()
        .filter(|(q, _)| *q == i)
        .map(|(_, o)| question.options[*o].label_for(staff))
        .collect();
    if found.is_empty() {
        answers::display_for(question, a, staff)
    } else {
        found.join(", ")
    }
}

/// Everything the advice says, in order.
#[derive(Debug, Clone)]
pub struct Summary<'q> {
    /// The outcome level.
    pub level: Level,
    /// Front-desk wording: "the patient" rather than "you".
    pub staff: bool,
    /// The level's label, as the questionnaire words it.
    pub label: &'q str,
    /// What the level means for the person (or for staff).
    pub summary: &'q str,
    /// The fired rules, highest level first.
    pub findings: Vec<FindingView<'q>>,
    /// Wording of required questions left unanswered (none listed after an emergency stop:
    /// the remaining questions no longer matter).
    pub unanswered: Vec<&'q str>,
    /// Wording of questions whose answers were not used because they were not shown.
    pub ignored: Vec<&'q str>,
    /// What to do next.
    pub next_steps: &'q [String],
    /// The phone lines shown for this outcome.
    pub contacts: Vec<&'q Contact>,
    /// After-care blocks shown for this outcome.
    pub aftercare: Vec<&'q AftercareBlock>,
    /// The questionnaire's disclaimer.
    pub disclaimer: &'q str,
    /// The clinic's name, when a clinic file gives one.
    pub clinic: Option<&'q str>,
}

impl<'q> Summary<'q> {
    /// Builds the summary; `staff` picks the front-desk wording of questions.
    pub fn new(q: &'q Questionnaire, answers: &Answers, outcome: &Outcome, staff: bool) -> Self {
        let advice = q.advice().for_level(outcome.level);
        let findings = findings(q, answers, outcome, staff);
        let stopped = findings.iter().any(|f| f.stop);
        let wording = |list: &[usize]| -> Vec<&'q str> {
            list.iter()
                .map(|i| q.questions()[*i].wording(staff))
                .collect()
        };
        Summary {
            level: outcome.level,
            staff,
            label: &advice.label,
            summary: advice.summary_for(staff),
            findings,
            unanswered: if stopped {
                Vec::new()
            } else {
                wording(&outcome.unanswered)
            },
            ignored: wording(&outcome.ignored),
            next_steps: advice.next_steps_for(staff),
            contacts: contacts_for(q, outcome.level),
            aftercare: q
                .aftercare()
                .iter()
                .filter(|b| b.shown_for(outcome.level))
                .collect(),
            disclaimer: q.disclaimer(),
            clinic: q.clinic().and_then(|c| c.name.as_deref()),
        }
    }

    /// The practitioner notes of the fired rules (the handover), highest level first.
    pub fn handover(&self) -> Vec<(&FindingView<'q>, &'q str)> {
        self.findings
            .iter()
            .filter_map(|f| f.practitioner_note.map(|n| (f, n)))
            .collect()
    }
}

/// The reason for a finding in words: `Because you answered Yes to "…".`, or for a rule that
/// fired on a "Not sure": `Could not be ruled out, because you answered Not sure to "…".`
/// With `staff`, it is "the patient" who answered.
pub fn reasons_line(f: &FindingView, staff: bool) -> Option<String> {
    if f.because.is_empty() {
        return None;
    }
    let parts: Vec<String> = f
        .because
        .iter()
        .map(|r| format!("{} to \"{}\"", r.answer, r.question))
        .collect();
    let who = if staff { "the patient" } else { "you" };
    let lead = if f.on_unknown {
        format!("Could not be ruled out, because {who} answered")
    } else {
        format!("Because {who} answered")
    };
    Some(format!("{lead} {}.", parts.join("; ")))
}

/// Width of the plain-text advice.
const WIDTH: usize = 78;

fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    for line in wrap_lines(text, WIDTH, first, rest) {
        out.push_str(&line);
        out.push('\n');
    }
}

/// A no-break space: holds the groups of a phone number, and a number and its unit, together
/// while wrapping.
const GLUE: char = '\u{a0}';

/// Wraps `text` to `width` columns (indents included), trimming line ends. A space after a
/// digit and before a digit or a letter never becomes a line break, so a phone number such as
/// `1800 633 422` is never split across lines and a number stays with its unit ("48 hours").
/// Every front end wraps advice with this.
pub fn wrap_lines(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let glued: String = chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let after_digit = i.checked_sub(1).is_some_and(|j| chars[j].is_ascii_digit());
            let before_word = chars.get(i + 1).is_some_and(|c| c.is_alphanumeric());
            if *c == ' ' && after_digit && before_word {
                GLUE
            } else {
                *c
            }
        })
        .collect();
    // First fit, as terminals and most tools wrap: a third of the work of scoring one answer
    // set went to finding the most even lines, which the reader does not miss.
    let opts = textwrap::Options::new(width.max(1))
        .initial_indent(first)
        .subsequent_indent(rest)
        .wrap_algorithm(textwrap::WrapAlgorithm::FirstFit)
        .word_separator(textwrap::WordSeparator::AsciiSpace);
    textwrap::wrap(&glued, opts)
        .into_iter()
        .map(|l| l.trim_end().replace(GLUE, " "))
        .collect()
}

/// Options for the text rendering.
#[derive(Debug, Clone, Default)]
pub struct TextOptions<'a> {
    /// Add the practitioner handover (front-desk mode).
    pub staff: bool,
    /// Patient identifier to print at the top.
    pub subject: Option<&'a str>,
}

/// One piece of the advice, in reading order. The plain text and the TUI's result screen both
/// walk the same list ([`pieces`]), each with its own layout, so they cannot drift apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// The patient identifier.
    Subject(String),
    /// The outcome: its label and level.
    Outcome {
        /// The level's label.
        label: String,
        /// The level.
        level: Level,
    },
    /// A paragraph.
    Para(String),
    /// A section heading (without its colon).
    Heading(String),
    /// A finding's message: a list item that stands out.
    Finding(String),
    /// A list item.
    Item(String),
    /// A numbered step.
    Step(usize, String),
    /// A line that explains the item above it.
    Detail(String),
    /// A phone line.
    Contact(String),
    /// The practitioner handover, several lines (front-desk mode).
    Handover(String),
    /// The disclaimer, last.
    Disclaimer(String),
}

/// The advice as a list of pieces: the outcome in words, each finding with its reasons, what
/// was not answered or not used, next steps, contacts, after-care, the handover for staff, and
/// the disclaimer.
pub fn pieces(s: &Summary, opts: &TextOptions) -> Vec<Piece> {
    let mut out = Vec::new();
    if let Some(subject) = opts.subject {
        out.push(Piece::Subject(subject.to_string()));
    }
    if let Some(clinic) = s.clinic {
        out.push(Piece::Para(format!("Clinic: {clinic}")));
    }
    out.push(Piece::Outcome {
        label: s.label.to_string(),
        level: s.level,
    });
    out.push(Piece::Para(s.summary.to_string()));
    let list = |out: &mut Vec<Piece>, heading: &str, items: &[&str]| {
        if !items.is_empty() {
            out.push(Piece::Heading(heading.to_string()));
            out.extend(items.iter().map(|i| Piece::Item(i.to_string())));
        }
    };
    if !s.findings.is_empty() {
        out.push(Piece::Heading("What we found".into()));
        for f in &s.findings {
            out.push(Piece::Finding(f.message.to_string()));
            out.extend(reasons_line(f, s.staff).map(Piece::Detail));
        }
    }
    list(&mut out, "Not answered yet", &s.unanswered);
    list(
        &mut out,
        "Answers not used, because these questions did not apply",
        &s.ignored,
    );
    out.push(Piece::Heading("What to do next".into()));
    out.extend(
        s.next_steps
            .iter()
            .enumerate()
            .map(|(i, step)| Piece::Step(i + 1, step.clone())),
    );
    if !s.contacts.is_empty() {
        out.push(Piece::Heading("Phone numbers".into()));
        for c in &s.contacts {
            out.push(Piece::Contact(contact_line(c)));
            if let Some(tell) = &c.tell {
                out.push(Piece::Detail(format!("Tell them: {tell}")));
            }
        }
    }
    for block in &s.aftercare {
        let items: Vec<&str> = block.items.iter().map(String::as_str).collect();
        list(&mut out, &block.heading, &items);
    }
    if opts.staff {
        out.push(Piece::Handover(render_handover(s, opts.subject)));
    }
    out.push(Piece::Disclaimer(s.disclaimer.to_string()));
    out
}

/// The phone lines the questionnaire shows for `level`, in its order.
pub fn contacts_for(q: &Questionnaire, level: Level) -> Vec<&Contact> {
    q.contacts()
        .iter()
        .filter(|c| c.show_for.contains(&level))
        .collect()
}

/// A level in words for people (`not suitable`, `see a doctor`), the one wording of every
/// text output and screen; records and questionnaire files use [`Level::as_str`].
pub fn level_words(level: Level) -> &'static str {
    match level {
        Level::Clear => "clear",
        Level::Review => "review",
        Level::Incomplete => "incomplete",
        Level::NotSuitable => "not suitable",
        Level::SeeDoctor => "see a doctor",
        Level::Urgent => "urgent",
        Level::Emergency => "emergency",
    }
}

/// The outcome line of the advice: `RESULT: Not suitable now (not suitable)`.
pub fn outcome_line(label: &str, level: Level) -> String {
    format!("RESULT: {label} ({})", level_words(level))
}

/// A phone line in words: `000 Ambulance: when to call`.
pub fn contact_line(c: &Contact) -> String {
    match &c.when {
        Some(w) => format!("{} {}: {w}", c.number, c.name),
        None => format!("{} {}", c.number, c.name),
    }
}

/// The advice as plain text (the [`pieces`] laid out for a terminal or a file).
pub fn render_text(s: &Summary, opts: &TextOptions) -> String {
    let mut out = String::new();
    for piece in pieces(s, opts) {
        match piece {
            Piece::Subject(x) => out.push_str(&format!("Patient: {x}\n")),
            Piece::Outcome { label, level } => {
                out.push_str(&outcome_line(&label, level));
                out.push('\n');
            }
            Piece::Para(t) => wrap_into(&mut out, &t, "", ""),
            Piece::Heading(h) => out.push_str(&format!("\n{h}:\n")),
            Piece::Finding(t) | Piece::Item(t) => wrap_into(&mut out, &t, "  - ", "    "),
            Piece::Step(n, t) => wrap_into(&mut out, &t, &format!("  {n}. "), "     "),
            Piece::Detail(t) => wrap_into(&mut out, &t, "    ", "    "),
            Piece::Contact(t) => wrap_into(&mut out, &t, "  ", "    "),
            Piece::Handover(t) => {
                out.push('\n');
                out.push_str(&t);
            }
            Piece::Disclaimer(t) => {
                out.push('\n');
                wrap_into(&mut out, &t, "", "");
            }
        }
    }
    out
}

/// The practitioner handover: outcome, every finding with its note and reasons.
pub fn render_handover(s: &Summary, subject: Option<&str>) -> String {
    let mut out = String::from("HANDOVER FOR THE PRACTITIONER\n");
    if let Some(clinic) = s.clinic {
        out.push_str(&format!("Clinic: {clinic}\n"));
    }
    if let Some(subject) = subject {
        out.push_str(&format!("Patient: {subject}\n"));
    }
    out.push_str(&format!(
        "Outcome: {} ({})\n",
        level_words(s.level),
        s.label
    ));
    if s.findings.is_empty() {
        out.push_str("No findings.\n");
    }
    for f in &s.findings {
        let mark = if f.on_unknown { ", not ruled out" } else { "" };
        wrap_into(
            &mut out,
            &format!(
                "[{}{mark}] {}: {}",
                level_words(f.level),
                f.rule_id,
                f.message
            ),
            "- ",
            "  ",
        );
        if let Some(n) = f.practitioner_note {
            wrap_into(&mut out, &format!("Note: {n}"), "  ", "  ");
        }
        for r in &f.because {
            wrap_into(
                &mut out,
                &format!("{} = {}", r.question_id, r.answer),
                "  * ",
                "    ",
            );
        }
    }
    if !s.unanswered.is_empty() {
        out.push_str(&format!("Unanswered: {}\n", s.unanswered.len()));
    }
    out
}

/// Identity of the questionnaire in a record.
#[derive(Debug, Clone, Serialize)]
pub struct QuestionnaireRef<'q> {
    /// The questionnaire's id.
    pub id: &'q str,
    /// Its version.
    pub version: &'q str,
    /// SHA-256 of the questionnaire file's bytes.
    pub sha256: &'q str,
}

/// Identity of the clinic file in a record.
#[derive(Debug, Clone, Serialize)]
pub struct ClinicRef<'q> {
    /// The clinic's name, if the file gives one.
    pub name: Option<&'q str>,
    /// SHA-256 of the clinic file's bytes.
    pub sha256: &'q str,
}

/// The tool in a record.
#[derive(Debug, Clone, Serialize)]
pub struct ToolRef {
    /// The tool's name.
    pub name: &'static str,
    /// The tool's version.
    pub version: &'static str,
}

/// The JSON record of one scoring (`score --format json`, saved screenings).
#[derive(Debug, Clone, Serialize)]
pub struct Record<'q> {
    /// The tool that made the record.
    pub tool: ToolRef,
    /// The questionnaire it was made with.
    pub questionnaire: QuestionnaireRef<'q>,
    /// The clinic file the screening ran under (null without one).
    pub clinic: Option<ClinicRef<'q>>,
    /// The effective clinic settings, defaults included: the policy that gave this outcome.
    pub settings: Map<String, Value>,
    /// The outcome level.
    pub outcome: Level,
    /// The fired rules, highest level first.
    pub findings: Vec<FindingView<'q>>,
    /// Ids of required questions left unanswered.
    pub unanswered: Vec<&'q str>,
    /// Ids of questions whose answers were not used because they were not shown.
    pub ignored: Vec<&'q str>,
    /// The answers that were used (those to shown questions), so the record can be re-scored.
    pub answers: UsedAnswers<'q>,
}

impl<'q> Record<'q> {
    /// The record of an outcome of these answers.
    pub fn new(q: &'q Questionnaire, answers: &'q Answers, outcome: &'q Outcome) -> Self {
        let findings = findings(q, answers, outcome, false);
        Record {
            tool: ToolRef {
                name: TOOL_NAME,
                version: TOOL_VERSION,
            },
            questionnaire: QuestionnaireRef {
                id: q.id(),
                version: q.version(),
                sha256: q.sha256(),
            },
            clinic: q.clinic().map(|c| ClinicRef {
                name: c.name.as_deref(),
                sha256: &c.sha256,
            }),
            settings: q.settings_json(),
            outcome: outcome.level,
            findings,
            unanswered: outcome
                .unanswered
                .iter()
                .map(|i| q.questions()[*i].id.as_str())
                .collect(),
            ignored: outcome
                .ignored
                .iter()
                .map(|i| q.questions()[*i].id.as_str())
                .collect(),
            answers: UsedAnswers {
                q,
                answers,
                visible: &outcome.visible,
            },
        }
    }
}

/// One answer in its answers-file form (what [`answers::to_json`] gives), written without
/// building a JSON value.
#[derive(Debug, Clone)]
pub struct AnswerValue<'q> {
    /// The question answered.
    pub question: &'q Question,
    /// The answer.
    pub answer: Answer,
}

impl PartialEq for AnswerValue<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.question.id == other.question.id && self.answer == other.answer
    }
}

impl Serialize for AnswerValue<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        AnswerRef(self.question, &self.answer).serialize(s)
    }
}

/// A borrowed answer with its question, serialized as in an answers file.
pub(crate) struct AnswerRef<'a>(pub(crate) &'a Question, pub(crate) &'a Answer);

impl Serialize for AnswerRef<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let codes = &self.0.options;
        match self.1 {
            Answer::Yes => s.serialize_str("yes"),
            Answer::No => s.serialize_str("no"),
            Answer::Unsure => s.serialize_str("unsure"),
            Answer::Choice(i) => s.serialize_str(&codes[*i].code),
            Answer::Multi(c) => s.collect_seq(c.iter().map(|i| &codes[*i].code)),
            // Whole numbers print without a fraction (`40`, not `40.0`).
            Answer::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
            Answer::Number(n) if n.is_finite() => s.serialize_f64(*n),
            Answer::Number(_) => s.serialize_unit(),
            Answer::Text(t) => s.serialize_str(t),
        }
    }
}

/// The answers to shown questions, keyed by question id in questionnaire order (the form
/// [`answers::answers_to_json`] gives), written straight from the answers.
#[derive(Debug, Clone)]
pub struct UsedAnswers<'q> {
    q: &'q Questionnaire,
    answers: &'q Answers,
    visible: &'q [bool],
}

impl Serialize for UsedAnswers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let questions = self.q.questions();
        let used = self.answers.answered().filter(|i| self.visible[*i]);
        let mut map = s.serialize_map(None)?;
        for i in used {
            if let Some(a) = self.answers.get(i) {
                let question = &questions[i];
                map.serialize_entry(&question.id, &AnswerRef(question, a))?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::wrap_lines;

    #[test]
    fn a_phone_number_is_never_split_across_lines() {
        let text = "If you are not sure what to do, call the nurse line 1800MEDICARE \
                    (1800 633 422) or Lifeline on 13 11 14, any time.";
        // From the narrowest width that fits "(1800 633 422)" after the indent.
        for width in 18..90 {
            let lines = wrap_lines(text, width, "  - ", "    ");
            let joined = lines.join("\n");
            for number in ["1800 633 422", "13 11 14"] {
                assert!(joined.contains(number), "width {width}:\n{joined}");
            }
            assert!(lines.iter().all(|l| !l.contains('\u{a0}')), "{lines:?}");
            // Nothing else changes: the words read the same as the text.
            let words: Vec<&str> = lines
                .iter()
                .flat_map(|l| l.split_whitespace())
                .skip(1)
                .collect();
            assert_eq!(
                words.join(" "),
                text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }
    }

    #[test]
    fn a_number_stays_with_its_unit() {
        let text = "It can be sore for up to 48 hours, and bruised for 5 days or so.";
        for width in 12..40 {
            let joined = wrap_lines(text, width, "", "").join("\n");
            for unit in ["48 hours", "5 days"] {
                assert!(joined.contains(unit), "width {width}:\n{joined}");
            }
        }
    }

    #[test]
    fn lines_are_filled_first_fit_and_never_past_the_width() {
        let text = "Soreness in the treated muscles, like after exercise, for up to two days.";
        for width in 10..40 {
            let lines = wrap_lines(text, width, "", "");
            for (i, line) in lines.iter().enumerate() {
                assert!(line.chars().count() <= width, "width {width}: {line:?}");
                // Each line took every word that fitted: the next line's first word did not.
                if let Some(next) = lines.get(i + 1) {
                    let word = next.split(' ').next().unwrap_or_default();
                    let joined = line.chars().count() + 1 + word.chars().count();
                    assert!(joined > width, "width {width}: {line:?} + {word:?}");
                }
            }
            assert_eq!(lines.join(" "), text, "width {width}");
        }
    }
}
