//! How much of a questionnaire its embedded test cases (scenarios) exercise.
//!
//! A rule that no scenario fires has never been seen to work, and a rule that every scenario
//! showing its questions fires has never been seen to hold back. [`Coverage::of`] scores every
//! scenario (each under its own clinic settings, as `validate` runs them) and records, for
//! every rule, whether some scenario fires it and whether some scenario that shows and answers
//! every question it reads does not; which outcome levels are reached; which questions are
//! answered where shown; which options of choice questions are chosen; and whether each
//! `show_if` is seen both true and false (undecided counts as neither).
//!
//! A rule marked `coverage_exempt` (with the reason) is left out of the rule measures and
//! listed on its own. [`Coverage::never_fired_problems`] gives `validate`'s located error for
//! the rules that no scenario fires and that are not exempt.

use serde::Serialize;

use crate::answers::{Answer, Answers};
use crate::condition::{Ctx, Truth};
use crate::diagnostics::Problem;
use crate::model::{Level, QuestionType};
use crate::printable::escape_line;
use crate::questionnaire::Questionnaire;
use crate::score::Outcome;

/// One thing the scenarios never exercise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Gap {
    /// No scenario fires the rule.
    RuleNeverFires { rule: String, pointer: String },
    /// Every scenario that shows and answers all the questions the rule reads fires it.
    RuleNeverHeldBack { rule: String, pointer: String },
    /// No scenario's outcome is this level.
    LevelNeverReached { level: Level },
    /// No scenario answers the question where it is shown.
    QuestionNeverAnswered { question: String, pointer: String },
    /// No scenario chooses this option where the question is shown.
    OptionNeverChosen {
        question: String,
        option: String,
        pointer: String,
    },
    /// No scenario makes the question's `show_if` true.
    ShowIfNeverTrue { question: String, pointer: String },
    /// No scenario makes the question's `show_if` false.
    ShowIfNeverFalse { question: String, pointer: String },
}

/// The kinds of [`Gap`], in the order they are reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    RuleNeverFires,
    RuleNeverHeldBack,
    LevelNeverReached,
    QuestionNeverAnswered,
    OptionNeverChosen,
    ShowIfNeverTrue,
    ShowIfNeverFalse,
}

impl GapKind {
    /// Every kind, in report order.
    pub const ALL: [GapKind; 7] = [
        GapKind::RuleNeverFires,
        GapKind::RuleNeverHeldBack,
        GapKind::LevelNeverReached,
        GapKind::QuestionNeverAnswered,
        GapKind::OptionNeverChosen,
        GapKind::ShowIfNeverTrue,
        GapKind::ShowIfNeverFalse,
    ];

    /// A heading for the gaps of this kind.
    pub fn heading(self) -> &'static str {
        match self {
            GapKind::RuleNeverFires => "rules no test case fires (validate fails on these)",
            GapKind::RuleNeverHeldBack => {
                "rules fired by every test case that answers all their questions \
                 (none shows them holding back)"
            }
            GapKind::LevelNeverReached => "levels no test case reaches",
            GapKind::QuestionNeverAnswered => "questions no test case answers where shown",
            GapKind::OptionNeverChosen => "options no test case chooses where shown",
            GapKind::ShowIfNeverTrue => "show_if conditions no test case makes true",
            GapKind::ShowIfNeverFalse => "show_if conditions no test case makes false",
        }
    }
}

impl Gap {
    pub fn kind(&self) -> GapKind {
        match self {
            Gap::RuleNeverFires { .. } => GapKind::RuleNeverFires,
            Gap::RuleNeverHeldBack { .. } => GapKind::RuleNeverHeldBack,
            Gap::LevelNeverReached { .. } => GapKind::LevelNeverReached,
            Gap::QuestionNeverAnswered { .. } => GapKind::QuestionNeverAnswered,
            Gap::OptionNeverChosen { .. } => GapKind::OptionNeverChosen,
            Gap::ShowIfNeverTrue { .. } => GapKind::ShowIfNeverTrue,
            Gap::ShowIfNeverFalse { .. } => GapKind::ShowIfNeverFalse,
        }
    }

    /// The gap in one line, as written in the questionnaire (ids and codes not escaped).
    pub fn describe(&self) -> String {
        match self {
            Gap::RuleNeverFires { rule, pointer } | Gap::RuleNeverHeldBack { rule, pointer } => {
                format!("rule `{rule}` ({pointer})")
            }
            Gap::LevelNeverReached { level } => format!("`{level}`"),
            Gap::QuestionNeverAnswered { question, pointer }
            | Gap::ShowIfNeverTrue { question, pointer }
            | Gap::ShowIfNeverFalse { question, pointer } => {
                format!("question `{question}` ({pointer})")
            }
            Gap::OptionNeverChosen {
                question,
                option,
                pointer,
            } => format!("`{option}` of question `{question}` ({pointer})"),
        }
    }
}

/// A rule marked `coverage_exempt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exempt {
    pub rule: String,
    pub pointer: String,
    /// Why, as written in the questionnaire.
    pub reason: String,
    /// How many scenarios fire it all the same (then the mark is no longer needed).
    pub fired_by: usize,
}

/// One measure: how many of its items the scenarios exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Measure {
    pub covered: usize,
    pub total: usize,
}

/// The measures, in the order they are reported.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Measures {
    /// Rules (not exempt) that some scenario fires.
    pub rules_fired: Measure,
    /// Rules (not exempt) that some scenario answering all their questions does not fire.
    pub rules_held_back: Measure,
    pub levels_reached: Measure,
    /// Questions that take an answer, answered where shown.
    pub questions_answered: Measure,
    /// Options of single and multiple choice questions, chosen where shown.
    pub options_chosen: Measure,
    /// `show_if` conditions seen true, and seen false (each counted once per side).
    pub show_if_sides: Measure,
}

/// What the embedded scenarios of a questionnaire exercise, and what they miss.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub scenarios: usize,
    pub measures: Measures,
    /// In [`GapKind`] order, then in questionnaire order: the first [`MAX_KEPT`] of each kind.
    pub gaps: Vec<Gap>,
    /// How many gaps of each kind there are, in [`GapKind::ALL`] order (more than `gaps` holds
    /// of a kind that has more than [`MAX_KEPT`]).
    pub gap_counts: [usize; GapKind::ALL.len()],
    pub exempt: Vec<Exempt>,
}

/// Most gaps of each kind kept in [`Coverage::gaps`]; the others are counted. As many as an
/// error lists ([`crate::diagnostics::MAX_REPORTED`]): a questionnaire of a million options
/// that no test case chooses would otherwise hold a million gaps, each with its own strings.
pub const MAX_KEPT: usize = crate::diagnostics::MAX_REPORTED;

/// What the scenarios have shown so far, by index.
struct Seen {
    /// The questions each rule reads (the same under any settings).
    reads: Vec<Vec<usize>>,
    fired: Vec<usize>,
    held_back: Vec<bool>,
    levels: Vec<bool>,
    answered: Vec<bool>,
    chosen: Vec<Vec<bool>>,
    show_if: Vec<(bool, bool)>,
}

impl Seen {
    fn new(q: &Questionnaire) -> Seen {
        let reads = q
            .rules()
            .iter()
            .map(|r| {
                let mut reads = Vec::new();
                r.when.questions(&mut reads);
                reads.sort_unstable();
                reads.dedup();
                reads
            })
            .collect();
        Seen {
            reads,
            fired: vec![0; q.rules().len()],
            held_back: vec![false; q.rules().len()],
            levels: vec![false; Level::ALL.len()],
            answered: vec![false; q.questions().len()],
            chosen: q
                .questions()
                .iter()
                .map(|x| vec![false; x.options.len()])
                .collect(),
            show_if: vec![(false, false); q.questions().len()],
        }
    }

    /// Records one scenario, scored under `sq` (the questionnaire under its settings).
    fn record(&mut self, sq: &Questionnaire, answers: &Answers, outcome: &Outcome) {
        let visible = &outcome.visible;
        let mut fired = vec![false; sq.rules().len()];
        for f in &outcome.findings {
            fired[f.rule] = true;
            self.fired[f.rule] += 1;
        }
        let asked = |i: usize| visible[i] && answers.get(i).is_some();
        for (ri, reads) in self.reads.iter().enumerate() {
            if !fired[ri] && reads.iter().all(|&i| asked(i)) {
                self.held_back[ri] = true;
            }
        }
        self.levels[Level::ALL
            .iter()
            .position(|l| *l == outcome.level)
            .unwrap_or(0)] = true;
        for i in answers.answered().filter(|&i| visible[i]) {
            self.answered[i] = true;
            match answers.get(i) {
                Some(Answer::Choice(o)) => self.chosen[i][*o] = true,
                Some(Answer::Multi(os)) => os.iter().for_each(|o| self.chosen[i][*o] = true),
                _ => {}
            }
        }
        self.record_show_if(sq, answers, visible);
    }

    fn record_show_if(&mut self, sq: &Questionnaire, answers: &Answers, visible: &[bool]) {
        let ctx = Ctx {
            answers,
            visible,
            skipped: &[],
        };
        for (i, seen) in self.show_if.iter_mut().enumerate() {
            match sq.show_if(i).map(|e| e.eval(&ctx)) {
                Some(Truth::True) => seen.0 = true,
                Some(Truth::False) => seen.1 = true,
                _ => {}
            }
        }
    }
}

impl Coverage {
    /// Scores every embedded scenario of `q` and measures what they exercise.
    pub fn of(q: &Questionnaire) -> Coverage {
        Coverage::with_results(q).0
    }

    /// [`Coverage::of`], with each scenario's result as [`crate::selftest::run_tests`] gives
    /// it: `validate` needs both, and scoring every scenario once is half the work.
    pub fn with_results(q: &Questionnaire) -> (Coverage, Vec<crate::selftest::TestResult>) {
        let mut seen = Seen::new(q);
        let mut results = Vec::with_capacity(q.tests().len());
        crate::selftest::for_each_case(q, |i, sq, answers, outcome| {
            seen.record(sq, answers, outcome);
            results.push(crate::selftest::result_of(q, i, outcome));
        });
        let mut c = Coverage {
            scenarios: q.tests().len(),
            measures: Measures::default(),
            gaps: Vec::new(),
            gap_counts: [0; GapKind::ALL.len()],
            exempt: Vec::new(),
        };
        c.rule_gaps(q, &seen);
        c.level_gaps(&seen);
        c.question_gaps(q, &seen);
        c.gaps.sort_by_key(Gap::kind);
        (c, results)
    }

    /// Counts a gap of `kind`, and keeps it (made by `gap`) if it is among the first
    /// [`MAX_KEPT`] of its kind.
    fn gap(&mut self, kind: GapKind, gap: impl FnOnce() -> Gap) {
        let count = &mut self.gap_counts[kind as usize];
        *count += 1;
        if *count <= MAX_KEPT {
            self.gaps.push(gap());
        }
    }

    fn rule_gaps(&mut self, q: &Questionnaire, seen: &Seen) {
        for (ri, r) in q.rules().iter().enumerate() {
            let rule = || r.rule.id.clone();
            let pointer = || format!("/rules/{ri}");
            if let Some(reason) = &r.rule.coverage_exempt {
                self.exempt.push(Exempt {
                    rule: rule(),
                    pointer: pointer(),
                    reason: reason.clone(),
                    fired_by: seen.fired[ri],
                });
                continue;
            }
            let m = &mut self.measures;
            m.rules_fired.total += 1;
            m.rules_held_back.total += 1;
            if seen.fired[ri] > 0 {
                m.rules_fired.covered += 1;
            } else {
                self.gap(GapKind::RuleNeverFires, || Gap::RuleNeverFires {
                    rule: rule(),
                    pointer: pointer(),
                });
            }
            if seen.held_back[ri] {
                self.measures.rules_held_back.covered += 1;
            } else {
                self.gap(GapKind::RuleNeverHeldBack, || Gap::RuleNeverHeldBack {
                    rule: rule(),
                    pointer: pointer(),
                });
            }
        }
    }

    fn level_gaps(&mut self, seen: &Seen) {
        for (level, reached) in Level::ALL.into_iter().zip(&seen.levels) {
            self.measures.levels_reached.total += 1;
            if *reached {
                self.measures.levels_reached.covered += 1;
            } else {
                self.gap(GapKind::LevelNeverReached, || Gap::LevelNeverReached {
                    level,
                });
            }
        }
    }

    fn question_gaps(&mut self, q: &Questionnaire, seen: &Seen) {
        for (i, question) in q.questions().iter().enumerate() {
            let pointer = || question_pointer(q, i);
            let id = || question.id.clone();
            if question.kind != QuestionType::Display {
                self.measures.questions_answered.total += 1;
                if seen.answered[i] {
                    self.measures.questions_answered.covered += 1;
                } else {
                    self.gap(GapKind::QuestionNeverAnswered, || {
                        Gap::QuestionNeverAnswered {
                            question: id(),
                            pointer: pointer(),
                        }
                    });
                }
            }
            let chosen = seen.chosen[i].iter().filter(|c| **c).count();
            self.measures.options_chosen.total += seen.chosen[i].len();
            self.measures.options_chosen.covered += chosen;
            for (o, _) in seen.chosen[i].iter().enumerate().filter(|(_, c)| !**c) {
                self.gap(GapKind::OptionNeverChosen, || Gap::OptionNeverChosen {
                    question: id(),
                    option: question.options[o].code.clone(),
                    pointer: format!("{}/options/{o}", pointer()),
                });
            }
            if q.show_if(i).is_some() {
                let (t, f) = seen.show_if[i];
                self.measures.show_if_sides.total += 2;
                self.measures.show_if_sides.covered += usize::from(t) + usize::from(f);
                let pointer = || format!("{}/show_if", pointer());
                if !t {
                    self.gap(GapKind::ShowIfNeverTrue, || Gap::ShowIfNeverTrue {
                        question: id(),
                        pointer: pointer(),
                    });
                }
                if !f {
                    self.gap(GapKind::ShowIfNeverFalse, || Gap::ShowIfNeverFalse {
                        question: id(),
                        pointer: pointer(),
                    });
                }
            }
        }
    }

    /// Whether the scenarios exercise everything measured.
    pub fn is_full(&self) -> bool {
        self.gaps.is_empty()
    }

    /// How many rules (not exempt) no scenario fires.
    pub fn never_fired(&self) -> usize {
        self.gap_counts[GapKind::RuleNeverFires as usize]
    }

    /// The rules no scenario fires and that are not exempt, each as a problem located at the
    /// rule's id: `validate` fails on these. The first [`MAX_KEPT`] of them: [`Self::never_fired`]
    /// counts them all.
    pub fn never_fired_problems(&self) -> Vec<Problem> {
        self.gaps
            .iter()
            .filter_map(|g| match g {
                Gap::RuleNeverFires { rule, pointer } => Some(
                    Problem::new(
                        format!("{pointer}/id"),
                        format!("no test case fires rule `{rule}`"),
                    )
                    .with_help(
                        "add a test case whose answers fire it (with `settings` if it needs \
                         a clinic setting; `needlecheck validate --coverage` lists what the \
                         test cases miss), or, if no test case is meant to fire it, say why \
                         in the rule: `\"coverage_exempt\": \"reason\"`",
                    ),
                ),
                _ => None,
            })
            .collect()
    }
}

/// Most gaps listed under each heading of [`Coverage::render_text`]; the others are counted.
pub const MAX_LISTED: usize = 20;

const _: () = assert!(
    MAX_LISTED <= MAX_KEPT,
    "the gaps listed are among those kept"
);

impl Coverage {
    /// The measures and the gaps as a person reads them, grouped by kind, at most
    /// [`MAX_LISTED`] per kind. Ids, codes and reasons come from the file and are escaped.
    pub fn render_text(&self, name: &str) -> String {
        let name = escape_line(name);
        let m = &self.measures;
        let mut out = format!("{name}: coverage by {} test cases\n", self.scenarios);
        let rows = [
            ("rules fired", m.rules_fired),
            (
                "rules seen not firing, questions answered",
                m.rules_held_back,
            ),
            ("levels reached", m.levels_reached),
            ("questions answered", m.questions_answered),
            ("options chosen", m.options_chosen),
            ("show_if seen true, seen false", m.show_if_sides),
        ];
        for (label, x) in rows {
            out.push_str(&format!("  {label:<42} {} of {}\n", x.covered, x.total));
        }
        for kind in GapKind::ALL {
            let count = self.gap_counts[kind as usize];
            if count == 0 {
                continue;
            }
            out.push_str(&format!("{} ({count}):\n", kind.heading()));
            let gaps = self.gaps.iter().filter(|g| g.kind() == kind);
            for g in gaps.take(MAX_LISTED) {
                out.push_str(&format!("  {}\n", escape_line(&g.describe())));
            }
            if count > MAX_LISTED {
                out.push_str(&format!("  ... and {} more\n", count - MAX_LISTED));
            }
        }
        self.render_exempt(&mut out);
        match self.gap_counts.iter().sum::<usize>() {
            0 => out.push_str(&format!("{name}: full coverage\n")),
            n => out.push_str(&format!(
                "{name}: {n} gap{}\n",
                if n == 1 { "" } else { "s" }
            )),
        }
        out
    }

    fn render_exempt(&self, out: &mut String) {
        if self.exempt.is_empty() {
            return;
        }
        out.push_str(&format!("exempt from coverage ({}):\n", self.exempt.len()));
        for e in self.exempt.iter().take(MAX_LISTED) {
            let line = format!("rule `{}` ({}): {}", e.rule, e.pointer, e.reason);
            out.push_str(&format!("  {}\n", escape_line(&line)));
            if e.fired_by > 0 {
                out.push_str(&format!(
                    "    fired by {} test case{} all the same: the exemption can go\n",
                    e.fired_by,
                    if e.fired_by == 1 { "" } else { "s" }
                ));
            }
        }
        if self.exempt.len() > MAX_LISTED {
            let more = self.exempt.len() - MAX_LISTED;
            out.push_str(&format!("  ... and {more} more\n"));
        }
    }
}

/// The JSON pointer of question `i` in the file.
fn question_pointer(q: &Questionnaire, i: usize) -> String {
    let s = q.section_index(i);
    let k = i - q.sections()[s].questions.start;
    format!("/sections/{s}/questions/{k}")
}
