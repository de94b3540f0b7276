//! The semantic stage: every check on a parsed file, collected as problems.

use std::collections::{HashMap, HashSet};

use super::compile::Resolver;
use super::parse::lenient_problem;
use super::reach::reachability;
use crate::answers_file::parse_answers;
use crate::diagnostics::{LoadError, MAX_COLLECTED, Problem};
use crate::locate;
use crate::model::{Lenient, Question, QuestionType, QuestionnaireFile};
use crate::questionnaire::{CompiledRule, Questionnaire, SectionInfo};
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
const RULES: Ptr<'static> = Ptr::Key(&Ptr::Root, "rules");
const TESTS: Ptr<'static> = Ptr::Key(&Ptr::Root, "tests");

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
        self.add(Problem {
            pointer,
            message: message.into(),
            help,
            at_key: false,
            line_col: None,
        });
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
    fn unique<'a, P: std::fmt::Display>(
        &mut self,
        what: &str,
        field: &str,
        items: impl Iterator<Item = (P, &'a str)>,
    ) {
        let mut seen: HashMap<&str, P> = HashMap::new();
        for (item, id) in items {
            if id.trim().is_empty() {
                self.push(format!("{item}/{field}"), format!("{what} is empty"), None);
            } else if let Some(first) = seen.get(id) {
                self.push(
                    format!("{item}/{field}"),
                    format!(
                        "duplicate {what} `{}` (first used at {first}/{field})",
                        clip(id)
                    ),
                    Some(format!("give each {what} a different value")),
                );
            } else {
                seen.insert(id, item);
            }
        }
    }
}

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

    // Flatten the questions (moved, not copied); remember where each came from.
    let file_sections = std::mem::take(&mut file.sections);
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
    let mut sections = Vec::with_capacity(file_sections.len());
    let n = file_sections.iter().map(|s| s.questions.len()).sum();
    let mut questions: Vec<Question> = Vec::with_capacity(n);
    let mut places: Vec<(usize, usize)> = Vec::with_capacity(n);
    let mut question_section = Vec::with_capacity(n);
    // Questions that did not parse, by place and id: references to them are not reported
    // again as unknown, and they still count in the duplicate-id check.
    let mut broken_places: Vec<((usize, usize), String)> = Vec::new();
    for (si, s) in file_sections.into_iter().enumerate() {
        let start = questions.len();
        if s.questions.is_empty() {
            c.push(
                format!("/sections/{si}/questions"),
                format!("section `{}` has no questions", s.id),
                Some("add questions or remove the section".into()),
            );
        }
        for (qi, q) in s.questions.into_iter().enumerate() {
            match q {
                Lenient::Ok(q) => {
                    questions.push(q);
                    places.push((si, qi));
                    question_section.push(si);
                }
                Lenient::Err(e) => {
                    let base = Ptr::Question(si, qi).to_string();
                    c.add(lenient_problem(&base, &e));
                    if let Some(id) = e.id {
                        broken_places.push(((si, qi), id));
                    }
                }
            }
        }
        sections.push(SectionInfo {
            id: s.id,
            title: s.title,
            intro: s.intro,
            staff_title: s.staff_title,
            staff_intro: s.staff_intro,
            questions: start..questions.len(),
        });
    }
    let broken: HashSet<String> = broken_places.iter().map(|(_, id)| id.clone()).collect();
    {
        let mut ids: Vec<((usize, usize), &str)> = places
            .iter()
            .zip(&questions)
            .map(|(p, q)| (*p, q.id.as_str()))
            .chain(broken_places.iter().map(|(p, id)| (*p, id.as_str())))
            .collect();
        if !broken_places.is_empty() {
            ids.sort_by_key(|(p, _)| *p);
        }
        c.unique(
            "question id",
            "id",
            ids.into_iter()
                .map(|((si, qi), id)| (Ptr::Question(si, qi), id)),
        );
    }
    let qptr = |i: usize| Ptr::Question(places[i].0, places[i].1);
    for (i, q) in questions.iter().enumerate() {
        check_question(&mut c, q, &qptr(i));
    }

    let index: HashMap<&str, usize> = questions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    let resolver = Resolver {
        questions: &questions,
        index: &index,
        broken: &broken,
    };

    // show_if: compile, then order and cycles.
    let mut show_if = Vec::with_capacity(questions.len());
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        match &q.show_if {
            None => {
                show_if.push(None);
                deps.push(Vec::new());
            }
            Some(cond) => {
                let p = qptr(i);
                let e = resolver.compile(&mut c, cond, &p.key("show_if"));
                let mut d = Vec::new();
                if let Some(e) = &e {
                    e.questions(&mut d);
                }
                d.sort_unstable();
                d.dedup();
                if d.contains(&i) {
                    c.push(
                        format!("{p}/show_if"),
                        format!("`{}` shows itself depending on its own answer", q.id),
                        Some("show_if must refer to earlier questions only".into()),
                    );
                }
                deps.push(d);
                show_if.push(e);
            }
        }
    }
    check_order_and_cycles(&mut c, &questions, &qptr, &deps);

    // Rules.
    let mut rules = Vec::with_capacity(file.rules.len());
    let source_ids: HashSet<&str> = file.sources.iter().map(|s| s.id.as_str()).collect();
    let mut rule_ids: Vec<(usize, &str)> = Vec::with_capacity(file.rules.len());
    let mut broken_rules: HashSet<String> = HashSet::new();
    for (ri, r) in file.rules.iter().enumerate() {
        let base = RULES.index(ri);
        let r = match r {
            Lenient::Ok(r) => r,
            Lenient::Err(e) => {
                broken_rules.extend(e.id.clone());
                c.add(lenient_problem(&base.to_string(), e));
                continue;
            }
        };
        rule_ids.push((ri, r.id.as_str()));
        if r.level == crate::Level::Clear {
            c.push(
                format!("{base}/level"),
                format!(
                    "rule `{}` has level `clear`, which it cannot raise anything to",
                    r.id
                ),
                Some("use `review` or higher, or remove the rule".into()),
            );
        }
        if r.message.trim().is_empty() {
            c.push(
                format!("{base}/message"),
                "the rule's message is empty",
                None,
            );
        }
        for (si, s) in r.sources.iter().enumerate() {
            if !source_ids.contains(s.as_str()) {
                c.push(
                    format!("{base}/sources/{si}"),
                    format!("unknown source `{}`", clip(s)),
                    Some(
                        match c.suggest.did_you_mean(s, source_ids.iter().copied()) {
                            Some(x) => format!("did you mean `{x}`?"),
                            None => "add it to the top-level `sources` list".into(),
                        },
                    ),
                );
            }
        }
        if let Some(when) = resolver.compile(&mut c, &r.when, &base.key("when")) {
            rules.push(CompiledRule {
                rule: r.clone(),
                when,
            });
        }
    }
    c.unique(
        "rule id",
        "id",
        rule_ids.iter().map(|(ri, id)| (RULES.index(*ri), *id)),
    );

    // Questions that no answers can show, and rules that depend on them.
    if c.problems.is_empty() {
        let reachable = reachability(&questions, &show_if);
        for (i, ok) in reachable.iter().enumerate() {
            if !ok {
                c.push(
                    format!("{}/show_if", qptr(i)),
                    format!(
                        "`{}` can never be shown: no answers make its show_if hold",
                        questions[i].id
                    ),
                    Some("check the values and the questions it refers to".into()),
                );
            }
        }
        for (ri, r) in rules.iter().enumerate() {
            let mut d = Vec::new();
            r.when.questions(&mut d);
            d.sort_unstable();
            d.dedup();
            for q in d.into_iter().filter(|q| !reachable[*q]) {
                c.push(
                    format!("/rules/{ri}/when"),
                    format!(
                        "rule `{}` refers to `{}`, which can never be shown",
                        r.rule.id, questions[q].id
                    ),
                    None,
                );
            }
        }
    }

    // Tests: answers must parse; expected rules must exist.
    let mut tests = Vec::with_capacity(file.tests.len());
    let known_rules: HashSet<&str> = rule_ids.iter().map(|(_, id)| *id).collect();
    let mut names = Vec::new();
    for (ti, t) in file.tests.iter().enumerate() {
        let base = TESTS.index(ti);
        let t = match t {
            Lenient::Ok(t) => t,
            Lenient::Err(e) => {
                c.add(lenient_problem(&base.to_string(), e));
                continue;
            }
        };
        names.push((ti, t.name.as_str()));
        let lookup = |id: &str| index.get(id).copied();
        if let Err(errs) = parse_answers(&questions, &lookup, &t.answers, &c.suggest) {
            c.uncollected += errs.more;
            for e in errs
                .problems
                .into_iter()
                .filter(|e| !(e.unknown_id && broken.contains(&e.id)))
            {
                c.add(Problem {
                    pointer: format!("{base}/answers/{}", locate::escape_segment(&e.id)),
                    message: e.message,
                    help: e.help,
                    at_key: e.unknown_id,
                    line_col: None,
                });
            }
        }
        for (ei, id) in t.expect_rules.iter().flatten().enumerate() {
            if !known_rules.contains(id.as_str()) && !broken_rules.contains(id) {
                let help = c
                    .suggest
                    .did_you_mean(id, known_rules.iter().copied())
                    .map(|s| format!("did you mean `{}`?", clip(s)));
                c.push(
                    format!("{base}/expect_rules/{ei}"),
                    format!("unknown rule `{}`", clip(id)),
                    help,
                );
            }
        }
        tests.push(t.clone());
    }
    c.unique(
        "test name",
        "name",
        names.into_iter().map(|(ti, n)| (TESTS.index(ti), n)),
    );

    if !c.problems.is_empty() {
        return Err(LoadError::invalid(name, text, c.problems).with_more(c.uncollected));
    }
    Ok(Questionnaire::assemble(
        file,
        sections,
        questions,
        question_section,
        show_if,
        rules,
        tests,
        sha256,
        name.to_string(),
    ))
}

fn check_meta(c: &mut Checker, f: &QuestionnaireFile) {
    if f.id.trim().is_empty() {
        c.push("/id".into(), "the questionnaire id is empty", None);
    }
    if !is_semver(&f.version) {
        c.push(
            "/version".into(),
            format!("version `{}` is not a semantic version", f.version),
            Some("write it as MAJOR.MINOR.PATCH, e.g. `1.0.0`".into()),
        );
    }
    for (field, value) in [
        ("title", &f.title),
        ("locale", &f.locale),
        ("introduction", &f.introduction),
        ("disclaimer", &f.disclaimer),
    ] {
        if value.trim().is_empty() {
            c.push(format!("/{field}"), format!("`{field}` is empty"), None);
        }
    }
    c.unique(
        "contact id",
        "id",
        f.contacts
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("/contacts/{i}"), x.id.as_str())),
    );
    c.unique(
        "source id",
        "id",
        f.sources
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("/sources/{i}"), x.id.as_str())),
    );
}

fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

fn check_question(c: &mut Checker, q: &Question, p: &Ptr) {
    use QuestionType::*;
    let kind = q.kind.as_str();
    let mut not_for = |field: &str, present: bool| {
        if present {
            c.push(
                format!("{p}/{field}"),
                format!("`{field}` does not apply to a {kind} question"),
                Some(format!("remove `{field}` or change `type`")),
            );
        }
    };
    not_for(
        "options",
        !matches!(q.kind, SingleChoice | MultiChoice) && !q.options.is_empty(),
    );
    not_for("unit", q.kind != Number && q.unit.is_some());
    not_for("min", q.kind != Number && q.min.is_some());
    not_for("max", q.kind != Number && q.max.is_some());
    not_for("integer", q.kind != Number && q.integer);
    not_for("max_length", q.kind != Text && q.max_length.is_some());
    not_for("required", q.kind == Display && q.required.is_some());
    not_for(
        "allow_unsure",
        matches!(q.kind, MultiChoice | Text | Display) && q.allow_unsure.is_some(),
    );
    if q.text.trim().is_empty() {
        c.push(format!("{p}/text"), format!("`{}` has no text", q.id), None);
    }
    if q.id.chars().any(|ch| ch.is_whitespace()) {
        c.push(
            format!("{p}/id"),
            format!("question id `{}` contains spaces", q.id),
            Some("use letters, digits and `_`".into()),
        );
    }
    if matches!(q.kind, SingleChoice | MultiChoice) {
        let least = if q.kind == SingleChoice { 2 } else { 1 };
        if q.options.len() < least {
            c.push(
                format!("{p}/options"),
                format!("`{}` needs at least {least} options", q.id),
                None,
            );
        }
        let options = p.key("options");
        c.unique(
            "option code",
            "code",
            q.options
                .iter()
                .enumerate()
                .map(|(i, o)| (options.index(i), o.code.as_str())),
        );
        for (i, o) in q.options.iter().enumerate() {
            if o.code == "unsure" {
                c.push(
                    format!("{p}/options/{i}/code"),
                    "`unsure` is reserved for \"Not sure\"",
                    Some("use `allow_unsure: true` instead of an option, or another code".into()),
                );
            }
            if o.exclusive && q.kind != MultiChoice {
                c.push(
                    format!("{p}/options/{i}/exclusive"),
                    "`exclusive` applies only to multi_choice options",
                    None,
                );
            }
        }
    }
    if let (Some(lo), Some(hi)) = (q.min, q.max)
        && lo > hi
    {
        c.push(
            format!("{p}/min"),
            format!("min {lo} is greater than max {hi}"),
            None,
        );
    }
}

/// Report forward references and cycles among `show_if` dependencies.
fn check_order_and_cycles(
    c: &mut Checker,
    qs: &[Question],
    pointer: &dyn Fn(usize) -> Ptr<'static>,
    deps: &[Vec<usize>],
) {
    // Cycles first: a cycle always contains a forward reference, and naming the cycle is more
    // useful than naming one edge of it.
    let n = qs.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut in_cycle = vec![false; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next dependency to visit).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&d) = deps[node].get(*next) {
                *next += 1;
                if d == node {
                    continue;
                }
                match state[d] {
                    0 => {
                        state[d] = 1;
                        stack.push((d, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(x, _)| *x == d).unwrap_or(0);
                        let cycle: Vec<usize> = stack[from..].iter().map(|(x, _)| *x).collect();
                        if !cycle.iter().any(|x| in_cycle[*x]) {
                            let names: Vec<&str> = cycle
                                .iter()
                                .chain(std::iter::once(&d))
                                .map(|x| qs[*x].id.as_str())
                                .collect();
                            c.push(
                                format!("{}/show_if", pointer(d)),
                                format!("show_if cycle: {}", names.join(" → ")),
                                Some("a question's show_if may refer only to questions asked before it".into()),
                            );
                        }
                        cycle.iter().for_each(|x| in_cycle[*x] = true);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    for (i, d) in deps.iter().enumerate() {
        for &j in d {
            if j > i && !(in_cycle[i] && in_cycle[j]) {
                c.push(
                    format!("{}/show_if", pointer(i)),
                    format!(
                        "show_if of `{}` refers to `{}`, which is asked later",
                        qs[i].id, qs[j].id
                    ),
                    Some(format!("move `{}` before `{}`", qs[j].id, qs[i].id)),
                );
            }
        }
    }
}
