//! The checked questionnaire that the engine works on.
//!
//! Only [`crate::loader`] builds one, after every check has passed, so the rest of the engine
//! can rely on it: ids resolve, conditions fit their questions, `show_if` looks only backwards.

use std::collections::HashMap;
use std::ops::Range;

use crate::answers::Answers;
use crate::condition::{Ctx, Expr, Truth};
use crate::model::{Advice, AftercareBlock, Contact, Question, Rule, Source, TestCase};

/// A section: its texts and the range of its questions in [`Questionnaire::questions`].
#[derive(Debug, Clone)]
pub struct SectionInfo {
    pub id: String,
    pub title: String,
    pub intro: Option<String>,
    /// Front-desk wording of the title and intro, where given.
    pub staff_title: Option<String>,
    pub staff_intro: Option<String>,
    pub questions: Range<usize>,
}

impl SectionInfo {
    /// The title for the audience: staff wording where given and wanted.
    pub fn title_for(&self, staff: bool) -> &str {
        match (&self.staff_title, staff) {
            (Some(s), true) => s,
            _ => &self.title,
        }
    }

    /// The introduction for the audience, if any: staff wording where given and wanted.
    pub fn intro_for(&self, staff: bool) -> Option<&str> {
        match (&self.staff_intro, staff) {
            (Some(s), true) => Some(s),
            _ => self.intro.as_deref(),
        }
    }
}

/// A rule with its checked condition.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    pub when: Expr,
}

/// A loaded, valid questionnaire.
///
/// Its parts are read through accessors and never changed after loading: the question index,
/// the compiled conditions and the checks all rest on the questions staying as loaded.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    id: String,
    version: String,
    title: String,
    locale: String,
    introduction: String,
    disclaimer: String,
    contacts: Vec<Contact>,
    advice: Advice,
    aftercare: Vec<AftercareBlock>,
    sources: Vec<Source>,
    sections: Vec<SectionInfo>,
    questions: Vec<Question>,
    question_section: Vec<usize>,
    show_if: Vec<Option<Expr>>,
    rules: Vec<CompiledRule>,
    tests: Vec<TestCase>,
    /// The answers of each test, read once by the loader.
    test_answers: Vec<Answers>,
    sha256: String,
    origin: String,
    index: HashMap<String, usize>,
}

impl Questionnaire {
    pub(crate) fn assemble(
        file: crate::model::QuestionnaireFile,
        parts: crate::loader::Parts,
        sha256: String,
        origin: String,
    ) -> Self {
        let index = parts
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
        let (tests, test_answers) = parts.tests.into_iter().unzip();
        Questionnaire {
            id: file.id,
            version: file.version,
            title: file.title,
            locale: file.locale,
            introduction: file.introduction,
            disclaimer: file.disclaimer,
            contacts: file.contacts,
            advice: file.advice,
            aftercare: file.aftercare,
            sources: file.sources,
            sections: parts.sections,
            questions: parts.questions,
            question_section: parts.question_section,
            show_if: parts.show_if,
            rules: parts.rules,
            tests,
            test_answers,
            sha256,
            origin,
            index,
        }
    }

    /// Stable identifier, e.g. `dry-needling`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Semantic version of the content.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Title shown on the welcome screen.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Language and region of the wording, e.g. `en-AU`.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// What the screening is, shown before the first question.
    pub fn introduction(&self) -> &str {
        &self.introduction
    }

    /// Shown with every result: not a diagnosis, does not clear anyone for treatment.
    pub fn disclaimer(&self) -> &str {
        &self.disclaimer
    }

    /// Phone lines named in the advice.
    pub fn contacts(&self) -> &[Contact] {
        &self.contacts
    }

    /// The advice for each outcome level.
    pub fn advice(&self) -> &Advice {
        &self.advice
    }

    /// After-care information.
    pub fn aftercare(&self) -> &[AftercareBlock] {
        &self.aftercare
    }

    /// References that rules cite.
    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// The sections, in order.
    pub fn sections(&self) -> &[SectionInfo] {
        &self.sections
    }

    /// Every question, in the order asked; answers and conditions refer to them by index.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The checked `show_if` of question `q`, if it has one.
    pub(crate) fn show_if(&self, q: usize) -> Option<&Expr> {
        self.show_if[q].as_ref()
    }

    /// The questions whose answers decide whether question `q` is shown (none when it is
    /// always shown), in order.
    pub fn show_if_questions(&self, q: usize) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(e) = &self.show_if[q] {
            e.questions(&mut out);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The scoring rules with their checked conditions, in file order.
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    /// The embedded test cases that `validate` runs.
    pub fn tests(&self) -> &[TestCase] {
        &self.tests
    }

    /// The answers of embedded test `t`, as the loader read them.
    pub(crate) fn test_answers(&self, t: usize) -> &Answers {
        &self.test_answers[t]
    }

    /// SHA-256 of the file's bytes, lowercase hex.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Where it came from: a path, or the embedded questionnaire's name.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The index of the question with this id.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Which questions are shown, given these answers. A `show_if` that cannot be decided shows
    /// the question (ask rather than skip); answers to hidden questions are not looked at, and
    /// a condition on a hidden question is false (its follow-ups stay hidden too).
    pub fn visibility(&self, answers: &Answers) -> Vec<bool> {
        let mut visible = vec![false; self.questions.len()];
        for i in 0..self.questions.len() {
            visible[i] = match &self.show_if[i] {
                None => true,
                Some(e) => {
                    let ctx = Ctx {
                        answers,
                        visible: &visible,
                    };
                    e.eval(&ctx) != Truth::False
                }
            };
        }
        visible
    }

    /// The section of a question.
    pub fn section_of(&self, q: usize) -> &SectionInfo {
        &self.sections[self.question_section[q]]
    }

    /// The index in [`Questionnaire::sections`] of a question's section.
    pub fn section_index(&self, q: usize) -> usize {
        self.question_section[q]
    }

    /// The line to call in an emergency: the contact with id `emergency`, else the first one
    /// listed for the `emergency` level.
    pub fn emergency_contact(&self) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| c.id == "emergency")
            .or_else(|| {
                self.contacts
                    .iter()
                    .find(|c| c.show_for.contains(&crate::Level::Emergency))
            })
    }

    /// Looks up a source by id.
    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }
}
