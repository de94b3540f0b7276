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
    pub questions: Range<usize>,
}

/// A rule with its checked condition.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub rule: Rule,
    pub when: Expr,
}

/// A loaded, valid questionnaire.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    pub id: String,
    pub version: String,
    pub title: String,
    pub locale: String,
    pub introduction: String,
    pub disclaimer: String,
    pub contacts: Vec<Contact>,
    pub advice: Advice,
    pub aftercare: Vec<AftercareBlock>,
    pub sources: Vec<Source>,
    pub sections: Vec<SectionInfo>,
    /// Every question, in the order asked.
    pub questions: Vec<Question>,
    /// The section of each question.
    pub question_section: Vec<usize>,
    /// The checked `show_if` of each question.
    pub show_if: Vec<Option<Expr>>,
    pub rules: Vec<CompiledRule>,
    pub tests: Vec<TestCase>,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Where it came from: a path, or `(embedded)`.
    pub origin: String,
    index: HashMap<String, usize>,
}

impl Questionnaire {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        file: crate::model::QuestionnaireFile,
        sections: Vec<SectionInfo>,
        questions: Vec<Question>,
        question_section: Vec<usize>,
        show_if: Vec<Option<Expr>>,
        rules: Vec<CompiledRule>,
        tests: Vec<TestCase>,
        sha256: String,
        origin: String,
    ) -> Self {
        let index = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.clone(), i))
            .collect();
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
            sections,
            questions,
            question_section,
            show_if,
            rules,
            tests,
            sha256,
            origin,
            index,
        }
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

    /// The section title of a question.
    pub fn section_of(&self, q: usize) -> &SectionInfo {
        &self.sections[self.question_section[q]]
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
