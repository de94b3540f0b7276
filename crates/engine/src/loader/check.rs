//! The semantic stage: every check on a parsed file, collected as problems.
//!
//! [`check`] runs the stages in order, each in its own function: the top-level fields
//! ([`super::items`]), the questions flattened out of their sections, each question's own
//! fields, `show_if` ([`super::order`]), the rules and the embedded tests ([`super::rules`]),
//! and, when everything else is sound, which questions can be shown ([`super::reach`]).

use foldhash::{HashMap, HashSet};

use super::compile::Resolver;
use super::items::{check_meta, check_question};
use super::order::compile_show_if;
use super::parse::lenient_problem;
use super::reach::check_reachable;
use super::rules::{check_tests, compile_rules};
use crate::diagnostics::{LoadError, MAX_COLLECTED, Problem};
use crate::locate;
use crate::model::{Lenient, Question, QuestionnaireFile, Section};
use crate::questionnaire::{Questionnaire, SectionInfo};
use crate::suggest::{Suggester, clip};

/// A JSON pointer that is written out only when a problem needs it: checking a valid file
/// formats none (that was a good part of the load time of a large questionnaire).
#[derive(Clone, Copy)]
pub(super) enum Ptr<'a> {
    Root,
    /// `/sections/{si}/questions/{qi}`
    Question(usize, usize),
    Key(&'a Ptr<'a>, &'a str),
    Index(&'a Ptr<'a>, usize),
}

impl<'a> Ptr<'a> {
    pub(super) fn key(&'a self, k: &'a str) -> Ptr<'a> {
        Ptr::Key(self, k)
    }

    pub(super) fn index(&'a self, i: usize) -> Ptr<'a> {
        Ptr::Index(self, i)
    }

    /// The pointer one level up (the root and a question are their own).
    pub(super) fn parent(&self) -> &Ptr<'a> {
        match self {
            Ptr::Key(parent, _) | Ptr::Index(parent, _) => parent,
            Ptr::Root | Ptr::Question(..) => self,
        }
    }
}

impl std::fmt::Display for Ptr<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ptr::Root => Ok(()),
            Ptr::Question(si, qi) => write!(f, "/sections/{si}/questions/{qi}"),
            Ptr::Key(parent, k) => write!(f, "{parent}/{}", locate::escape_segment(k)),
            Ptr::Index(parent, i) => write!(f, "{parent}/{i}"),
        }
    }
}

const SECTIONS: Ptr<'static> = Ptr::Key(&Ptr::Root, "sections");
pub(super) const RULES: Ptr<'static> = Ptr::Key(&Ptr::Root, "rules");
pub(super) const TESTS: Ptr<'static> = Ptr::Key(&Ptr::Root, "tests");

/// Collects problems while checking.
pub(super) struct Checker {
    pub(super) problems: Vec<Problem>,
    /// One budget for every "did you mean" of the check.
    pub(super) suggest: Suggester,
    /// Problems found past [`MAX_COLLECTED`], counted only.
    pub(super) uncollected: usize,
}

impl Checker {
    pub(super) fn push(
        &mut self,
        pointer: String,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.add(Problem::new(pointer, message).with_optional_help(help));
    }

    /// Whether a problem found now is kept. Past [`MAX_COLLECTED`] it is only counted (here),
    /// and the caller need not write it: `if c.keeps() { c.push(…) }`, where a file can have a
    /// million of the same problem.
    pub(super) fn keeps(&mut self) -> bool {
        let keeps = self.problems.len() < MAX_COLLECTED;
        if !keeps {
            self.uncollected += 1;
        }
        keeps
    }

    /// Collects a problem, or only counts it past [`MAX_COLLECTED`].
    pub(super) fn add(&mut self, p: Problem) {
        if self.problems.len() < MAX_COLLECTED {
            self.problems.push(p);
        } else {
            self.uncollected += 1;
        }
    }

    /// Reports ids seen twice; `field` is the id's key under each item's pointer.
    pub(super) fn unique<'a, P: std::fmt::Display>(
        &mut self,
        what: &str,
        field: &str,
        items: impl Iterator<Item = (P, &'a str)>,
    ) {
        let mut seen: HashMap<&str, P> = HashMap::default();
        for (item, id) in items {
            if id.trim().is_empty() {
                self.push(format!("{item}/{field}"), format!("{what} is empty"), None);
            } else if let Some(first) = seen.get(id) {
                self.duplicate(what, field, &item, id, first);
            } else {
                seen.insert(id, item);
            }
        }
    }

    /// Reports `id` at `item` as given before, at `first`.
    pub(super) fn duplicate(
        &mut self,
        what: &str,
        field: &str,
        item: &dyn std::fmt::Display,
        id: &str,
        first: &dyn std::fmt::Display,
    ) {
        self.push(
            format!("{item}/{field}"),
            format!(
                "duplicate {what} `{}` (first used at {first}/{field})",
                clip(id)
            ),
            Some(format!("give each {what} a different value")),
        );
    }
}

/// Checks a parsed file and builds the questionnaire, or reports every problem (`problems`:
/// those found before, such as keys given twice).
pub(super) fn check(
    mut file: QuestionnaireFile,
    name: &str,
    text: &str,
    sha256: String,
    problems: Vec<Problem>,
) -> Result<Questionnaire, LoadError> {
    let mut c = Checker {
        problems,
        suggest: Suggester::new(),
        uncollected: 0,
    };
    check_meta(&mut c, &file);
    let settings = std::mem::take(&mut file.settings);
    let setting_defaults = {
        let source_ids: HashSet<&str> = file.sources.iter().map(|s| s.id.as_str()).collect();
        super::settings::check_settings(&mut c, &settings, &source_ids)
    };
    let setting_index: HashMap<&str, usize> = settings
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let flat = flatten(&mut c, std::mem::take(&mut file.sections));
    let index: HashMap<&str, usize> = flat
        .questions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    check_question_ids(&mut c, &flat, &index);
    for (i, q) in flat.questions.iter().enumerate() {
        check_question(&mut c, q, &flat.ptr(i));
    }
    let broken: HashSet<String> = flat.broken.iter().map(|(_, id)| id.clone()).collect();
    let resolver = Resolver {
        questions: &flat.questions,
        index: &index,
        broken: &broken,
        settings: &settings,
        setting_index: &setting_index,
    };
    super::settings::check_texts(&mut c, &flat, &file, &setting_index);
    let show_if = compile_show_if(&mut c, &resolver, &flat);
    let rules = compile_rules(&mut c, &resolver, &mut file);
    if c.problems.is_empty() {
        check_reachable(&mut c, &flat, &show_if, &rules.compiled);
    }
    let tests = check_tests(&mut c, &resolver, std::mem::take(&mut file.tests), &rules);
    if !c.problems.is_empty() {
        return Err(LoadError::invalid(name, text, c.problems).with_more(c.uncollected));
    }
    let parts = super::Parts {
        sections: flat.sections,
        questions: flat.questions,
        question_section: flat.question_section,
        show_if,
        rules: rules.compiled,
        tests,
        settings,
        setting_defaults,
    };
    Ok(Questionnaire::assemble(
        file,
        parts,
        sha256,
        name.to_string(),
    ))
}

/// The questions of a file moved out of their sections, with where each came from.
pub(super) struct Flat {
    pub(super) sections: Vec<SectionInfo>,
    pub(super) questions: Vec<Question>,
    /// `(section, position in it)` of each question.
    places: Vec<(usize, usize)>,
    pub(super) question_section: Vec<usize>,
    /// Questions that did not parse, by place and id: references to them are not reported
    /// again as unknown, and they still count in the duplicate-id check.
    broken: Vec<((usize, usize), String)>,
}

impl Flat {
    /// Where question `i` is in the file.
    pub(super) fn ptr(&self, i: usize) -> Ptr<'static> {
        let (si, qi) = self.places[i];
        Ptr::Question(si, qi)
    }
}

/// Flattens the sections (moving the questions, not copying them).
fn flatten(c: &mut Checker, file_sections: Vec<Section>) -> Flat {
    if file_sections.is_empty() {
        c.push(
            "/sections".into(),
            "the questionnaire has no sections",
            None,
        );
    }
    c.unique(
        "section id",
        "id",
        file_sections
            .iter()
            .enumerate()
            .map(|(i, s)| (SECTIONS.index(i), s.id.as_str())),
    );
    let n = file_sections.iter().map(|s| s.questions.len()).sum();
    let mut flat = Flat {
        sections: Vec::with_capacity(file_sections.len()),
        questions: Vec::new(),
        places: Vec::with_capacity(n),
        question_section: Vec::with_capacity(n),
        broken: Vec::new(),
    };
    for (si, s) in file_sections.into_iter().enumerate() {
        let start = flat.questions.len();
        if s.questions.is_empty() {
            c.push(
                format!("/sections/{si}/questions"),
                format!("section `{}` has no questions", s.id),
                Some("add questions or remove the section".into()),
            );
        }
        // Collected where they are (the standard library reuses the buffer of a vector
        // turned into one of a type of the same size), so that a section of a million
        // questions is not held twice.
        let mut questions: Vec<Question> = (s.questions.into_iter().enumerate())
            .filter_map(|(qi, q)| match q {
                Lenient::Ok(q) => {
                    flat.places.push((si, qi));
                    flat.question_section.push(si);
                    Some(q)
                }
                Lenient::Err(e) => {
                    let base = Ptr::Question(si, qi).to_string();
                    c.add(lenient_problem(&base, &e));
                    if let Some(id) = e.id {
                        flat.broken.push(((si, qi), id));
                    }
                    None
                }
            })
            .collect();
        if flat.questions.is_empty() {
            flat.questions = questions;
        } else {
            flat.questions.reserve_exact(n - flat.questions.len());
            flat.questions.append(&mut questions);
        }
        flat.sections.push(SectionInfo {
            id: s.id,
            title: s.title,
            intro: s.intro,
            staff_title: s.staff_title,
            staff_intro: s.staff_intro,
            questions: start..flat.questions.len(),
        });
    }
    flat
}

/// Question ids are unique, counting the questions that did not parse. `index` has the first
/// question with each id, which is all it takes when every question parsed.
fn check_question_ids(c: &mut Checker, flat: &Flat, index: &HashMap<&str, usize>) {
    if flat.broken.is_empty() {
        for (i, q) in flat.questions.iter().enumerate() {
            let at = flat.ptr(i);
            if q.id.trim().is_empty() {
                c.push(format!("{at}/id"), "question id is empty", None);
            } else if let Some(&first) = index.get(q.id.as_str()).filter(|&&first| first != i) {
                c.duplicate("question id", "id", &at, &q.id, &flat.ptr(first));
            }
        }
        return;
    }
    let mut ids: Vec<((usize, usize), &str)> = flat
        .places
        .iter()
        .zip(&flat.questions)
        .map(|(p, q)| (*p, q.id.as_str()))
        .chain(flat.broken.iter().map(|(p, id)| (*p, id.as_str())))
        .collect();
    ids.sort_by_key(|(p, _)| *p);
    c.unique(
        "question id",
        "id",
        ids.into_iter()
            .map(|((si, qi), id)| (Ptr::Question(si, qi), id)),
    );
}
