//! The checked questionnaire that the engine works on.
//!
//! Only [`crate::loader`] builds one, after every check has passed, so the rest of the engine
//! can rely on it: ids resolve, conditions fit their questions, `show_if` looks only backwards.

use std::ops::Range;
use std::sync::Arc;

use crate::answers::Answers;
use crate::condition::{Ctx, Expr, SettingValue, Truth};
use crate::model::{Advice, AftercareBlock, Contact, Question, Rule, Setting, Source, TestCase};

/// A section: its texts and the range of its questions in [`Questionnaire::questions`].
#[derive(Debug, Clone)]
pub struct SectionInfo {
    /// The section id.
    pub id: String,
    /// The title as the person reads it.
    pub title: String,
    /// The introduction, if any.
    pub intro: Option<String>,
    /// Front-desk wording of the title and intro, where given.
    pub staff_title: Option<String>,
    /// The introduction for front-desk staff, if different.
    pub staff_intro: Option<String>,
    /// Indices of its questions in [`Questionnaire::questions`].
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
    /// The rule as written; shared between copies of the questionnaire (under other settings
    /// only `when` differs, and the texts that name a setting). Its own `when` is left empty:
    /// the condition as written is dropped once compiled into `when` below, so that a large
    /// one (a `one_of` of a million codes) is not held twice.
    pub rule: Arc<Rule>,
    /// The checked condition under which it fires.
    pub when: Expr,
}

/// A loaded, valid questionnaire.
///
/// Its parts are read through accessors and never changed after loading: the question index,
/// the compiled conditions and the checks all rest on the questions staying as loaded.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    id: String,
    url: Option<String>,
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
    /// Shared between copies under other settings unless a question's text names a setting.
    questions: Arc<Vec<Question>>,
    question_section: Vec<usize>,
    /// [`Question::is_required`] of each question, packed: scoring reads it for every
    /// question, and a large questionnaire's questions do not fit in a processor cache.
    required: Vec<bool>,
    /// Boxed: most questions have none, and scoring walks the list for every question.
    show_if: Vec<Option<Box<Expr>>>,
    rules: Vec<CompiledRule>,
    /// Shared between copies: a copy under other settings (as each test case with settings
    /// runs) does not copy every test case.
    tests: Arc<[TestCase]>,
    /// The answers of each test, read once by the loader.
    test_answers: Arc<[Answers]>,
    settings: Vec<Setting>,
    /// The effective value of each setting: its default unless a clinic file set it.
    setting_values: Vec<SettingValue>,
    clinic: Option<ClinicInfo>,
    /// Texts that name a setting as `{id}`, as written: filled in with the effective values.
    templates: Vec<(Slot, String)>,
    sha256: String,
    origin: String,
    /// Question ids to indices. Every answer looks its id up here, so the hasher is a fast one
    /// (seeded per process); the keys are the questionnaire's own ids.
    index: foldhash::HashMap<String, usize>,
}

/// A text that can name settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Text(usize),
    StaffText(usize),
    Help(usize),
    Message(usize),
    Note(usize),
}

/// The texts of a question or rule where `{setting_id}` is replaced by the setting's value.
pub(crate) fn placeholders(text: &str) -> impl Iterator<Item = &str> {
    memchr::memchr_iter(b'{', text.as_bytes()).filter_map(|at| {
        let (name, _) = text[at + 1..].split_once('}')?;
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then_some(name)
    })
}

/// The clinic file a questionnaire runs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClinicInfo {
    /// The clinic's name, shown in the advice and the handover.
    pub name: Option<String>,
    /// The clinic's phone number (also listed as the contact `clinic`).
    pub phone: Option<String>,
    /// SHA-256 of the clinic file's bytes, lowercase hex.
    pub sha256: String,
    /// Where it came from (a path).
    pub origin: String,
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
        let required = parts.questions.iter().map(Question::is_required).collect();
        let (tests, test_answers): (Vec<_>, Vec<_>) = parts.tests.into_iter().unzip();
        Questionnaire {
            id: file.id,
            url: file.url,
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
            questions: Arc::new(parts.questions),
            question_section: parts.question_section,
            required,
            show_if: parts.show_if.into_iter().map(|e| e.map(Box::new)).collect(),
            rules: parts.rules,
            tests: tests.into(),
            test_answers: test_answers.into(),
            settings: parts.settings,
            setting_values: Vec::new(),
            clinic: None,
            templates: Vec::new(),
            sha256,
            origin,
            index,
        }
        .find_templates()
        .with_settings(parts.setting_defaults)
    }

    fn find_templates(mut self) -> Self {
        let named = |t: &str| placeholders(t).next().is_some();
        let mut found = Vec::new();
        for (i, q) in self.questions.iter().enumerate() {
            let texts = [
                (Slot::Text(i), Some(&q.text)),
                (Slot::StaffText(i), q.staff_text.as_ref()),
                (Slot::Help(i), q.help.as_ref()),
            ];
            for (slot, t) in texts {
                if let Some(t) = t.filter(|t| named(t)) {
                    found.push((slot, t.clone()));
                }
            }
        }
        for (i, r) in self.rules.iter().enumerate() {
            let texts = [
                (Slot::Message(i), Some(&r.rule.message)),
                (Slot::Note(i), r.rule.practitioner_note.as_ref()),
            ];
            for (slot, t) in texts {
                if let Some(t) = t.filter(|t| named(t)) {
                    found.push((slot, t.clone()));
                }
            }
        }
        self.templates = found;
        self
    }

    /// `text` with each `{setting_id}` replaced by the setting's value in words.
    fn fill(&self, text: &str, values: &[SettingValue]) -> String {
        let mut out = text.to_string();
        for (s, v) in self.settings.iter().zip(values) {
            let key = format!("{{{}}}", s.id);
            if out.contains(&key) {
                let value = match v {
                    SettingValue::Number(n) => crate::answers::fmt_num(*n),
                    SettingValue::Code(_) => crate::settings::to_json(s, *v)
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                };
                out = out.replace(&key, &value);
            }
        }
        out
    }

    /// Question `i`, to change: copied first if another copy of the questionnaire shares it.
    fn question_mut(&mut self, i: usize) -> &mut Question {
        &mut Arc::make_mut(&mut self.questions)[i]
    }

    /// Rule `i` as written, to change: copied first if another copy shares it.
    fn rule_mut(&mut self, i: usize) -> &mut Rule {
        Arc::make_mut(&mut self.rules[i].rule)
    }

    /// The same questionnaire with these setting values (one per [`Questionnaire::settings`],
    /// already checked against their declarations): every condition that reads a setting now
    /// reads these.
    pub fn with_settings(mut self, values: Vec<SettingValue>) -> Self {
        debug_assert_eq!(values.len(), self.settings.len());
        for e in self.show_if.iter_mut().flatten() {
            e.apply_settings(&values);
        }
        for r in &mut self.rules {
            r.when.apply_settings(&values);
        }
        let templates = std::mem::take(&mut self.templates);
        for (slot, template) in &templates {
            let text = self.fill(template, &values);
            match *slot {
                Slot::Text(i) => self.question_mut(i).text = text,
                Slot::StaffText(i) => self.question_mut(i).staff_text = Some(text),
                Slot::Help(i) => self.question_mut(i).help = Some(text),
                Slot::Message(i) => self.rule_mut(i).message = text,
                Slot::Note(i) => self.rule_mut(i).practitioner_note = Some(text),
            }
        }
        self.templates = templates;
        self.setting_values = values;
        self
    }

    /// The clinic settings the questionnaire declares.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// The effective value of each setting, in the order of [`Questionnaire::settings`].
    pub fn setting_values(&self) -> &[SettingValue] {
        &self.setting_values
    }

    /// The default value of each setting.
    pub fn setting_defaults(&self) -> Vec<SettingValue> {
        self.settings
            .iter()
            .map(|s| crate::settings::check_literal(s, &s.default).unwrap_or(SettingValue::Code(0)))
            .collect()
    }

    /// The index of the setting with this id.
    pub fn setting_index(&self, id: &str) -> Option<usize> {
        self.settings.iter().position(|s| s.id == id)
    }

    /// The effective settings as a JSON object (`{"inr_limit": 3, ...}`), defaults included.
    pub fn settings_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.settings
            .iter()
            .zip(&self.setting_values)
            .map(|(s, v)| (s.id.clone(), crate::settings::to_json(s, *v)))
            .collect()
    }

    /// The clinic file this runs under, if any.
    pub fn clinic(&self) -> Option<&ClinicInfo> {
        self.clinic.as_ref()
    }

    /// Sets the clinic and its contacts (the clinic file has been checked).
    pub(crate) fn set_clinic(&mut self, clinic: ClinicInfo, contacts: Vec<Contact>) {
        self.clinic = Some(clinic);
        self.contacts = contacts;
    }

    /// Stable identifier, e.g. `dry-needling`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The canonical URL the file gives, if any (see [`crate::fhir::canonical_url`]).
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
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

    /// Whether each question needs an answer ([`Question::is_required`]), by index.
    pub(crate) fn required(&self) -> &[bool] {
        &self.required
    }

    /// The checked `show_if` of question `q`, if it has one.
    pub(crate) fn show_if(&self, q: usize) -> Option<&Expr> {
        self.show_if[q].as_deref()
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
                    // Shown or not does not depend on why a leaf is unknown.
                    let ctx = Ctx {
                        answers,
                        visible: &visible,
                        skipped: &[],
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
