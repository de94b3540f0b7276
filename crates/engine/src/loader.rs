//! Loading and checking a questionnaire: text in, [`Questionnaire`] or every problem out.
//!
//! Three stages. (1) Bytes: size limit, UTF-8, empty file. (2) serde: JSON syntax, unknown
//! fields and wrong types; questions, rules and tests are parsed one by one ([`Lenient`]) so
//! a bad one does not hide the others. (3) Meaning: duplicate ids, dangling references,
//! operators that do not fit, `show_if` order and cycles, questions no path can show, and the
//! embedded tests' answers. All problems are collected; each carries a JSON pointer, turned
//! into file:line:col only when there is something to report.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::answers::{self, Answers};
use crate::condition::{CmpOp, Expr, Test};
use crate::diagnostics::{LoadError, Problem};
use crate::locate;
use crate::model::{
    Condition, Lenient, LenientError, Literal, Question, QuestionType, QuestionnaireFile,
};
use crate::questionnaire::{CompiledRule, Questionnaire, SectionInfo};
use crate::suggest::did_you_mean;

/// Largest questionnaire file accepted.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The default dry-needling questionnaire, built into the binary.
pub const EMBEDDED: &str = include_str!("../../../questionnaires/dry-needling.json");

/// Name used for the embedded questionnaire in messages and records.
pub const EMBEDDED_NAME: &str = "(embedded) dry-needling.json";

/// Loads the embedded questionnaire. It is checked by the test suite, so failure is a bug.
pub fn embedded() -> Result<Questionnaire, LoadError> {
    load_str(EMBEDDED_NAME, EMBEDDED.as_bytes())
}

/// Reads and checks a questionnaire file.
pub fn load_path(path: &Path) -> Result<Questionnaire, LoadError> {
    let bytes = crate::diagnostics::read_limited(path, MAX_FILE_BYTES)?;
    load_str(&path.display().to_string(), &bytes)
}

/// Checks questionnaire bytes; `name` is used in messages.
pub fn load_str(name: &str, bytes: &[u8]) -> Result<Questionnaire, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = locate::line_col(
            &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
            e.valid_up_to(),
        );
        LoadError::NotUtf8 {
            name: name.to_string(),
            line,
            column,
        }
    })?;
    // Some editors start UTF-8 files with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(LoadError::Empty {
            name: name.to_string(),
        });
    }
    let first = text.trim_start().as_bytes()[0];
    if first != b'{' {
        let offset = text.len() - text.trim_start().len();
        let line = text[..offset].matches('\n').count() + 1;
        let byte_column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
        let problem = Problem {
            pointer: String::new(),
            message: "a questionnaire must be a JSON object (`{ ... }`)".into(),
            help: Some("see `needlecheck schema` for the format".into()),
            at_key: false,
            line_col: None,
        }
        .at_line_col(line, byte_column);
        return Err(LoadError::invalid(name, text, vec![problem]));
    }
    // Fast path for a well-formed file (which can have no key given twice: every object is
    // a struct or a map that refuses them); the slow path below reports every problem.
    if let Ok(file) = crate::model::parse_direct(text) {
        return check(file, name, text, sha256_hex(bytes), Vec::new());
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde_path_to_error::deserialize::<_, QuestionnaireFile>(&mut de);
    let file = match parsed {
        Ok(f) => match de.end() {
            Ok(()) => f,
            Err(e) => {
                let problem = Problem {
                    pointer: String::new(),
                    message: "unexpected text after the end of the JSON object".into(),
                    help: Some("remove it, or check for a stray closing brace".into()),
                    at_key: false,
                    line_col: None,
                }
                .at_line_col(e.line(), e.column());
                return Err(LoadError::invalid(name, text, vec![problem]));
            }
        },
        Err(e) => {
            let segments = locate::path_segments(e.path());
            let inner = e.into_inner();
            let message = inner.to_string();
            let problem = serde_problem(&segments, &message, inner.is_data());
            if !inner.is_data() {
                // Not well-formed JSON: only serde_json's line and column are meaningful.
                let problem = problem.at_line_col(inner.line(), inner.column());
                return Err(LoadError::invalid(name, text, vec![problem]));
            }
            let mut problems = duplicate_key_problems(text);
            // serde's own "duplicate field" is the same finding, less precisely placed.
            if problems.is_empty() || !message.starts_with("duplicate field") {
                problems.push(problem);
            }
            return Err(LoadError::invalid(name, text, problems));
        }
    };
    let sha256 = sha256_hex(bytes);
    check(file, name, text, sha256, duplicate_key_problems(text))
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Turns a serde error at `segments` into a problem, with a did-you-mean for unknown fields.
fn serde_problem(segments: &[String], message: &str, data: bool) -> Problem {
    let mut pointer = locate::pointer(segments);
    let mut help = None;
    let mut at_key = false;
    // serde: "unknown field `shwo_if`, expected one of `id`, `type`, ..." and
    // "unknown variant `urgnt`, expected one of `clear`, ...": name the value, suggest.
    let mut message = strip_position(message);
    let unknown = [("unknown field `", "field"), ("unknown variant `", "value")]
        .into_iter()
        .find_map(|(prefix, what)| {
            let rest = message.strip_prefix(prefix)?;
            let (word, expected) = rest.split_once('`')?;
            Some((what, word.to_string(), expected.to_string()))
        });
    if let Some((what, word, expected)) = unknown {
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        help = Some(match did_you_mean(&word, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if what == "field" => format!("remove it; known fields: {}", known.join(", ")),
            None => format!("use one of: {}", known.join(", ")),
        });
        if what == "field" {
            if segments.last().is_none_or(|s| *s != word) {
                pointer = format!("{pointer}/{}", locate::escape_segment(&word));
            }
            at_key = true;
        }
        let what = match segments.last().map(String::as_str) {
            Some("level") => "level",
            Some("type") => "question type",
            _ => what,
        };
        message = format!("unknown {what} `{word}`");
    } else if message.starts_with("missing field") {
        help = Some("add the field; see `needlecheck schema` for the format".into());
    } else if data {
        help = Some("see `needlecheck schema` for the expected type".into());
    }
    Problem {
        pointer,
        message,
        help,
        at_key,
        line_col: None,
    }
}

/// serde_json appends " at line L column C"; the diagnostic shows the place itself.
/// serde_json's message in plainer words, without its position.
pub(crate) fn strip_position(message: &str) -> String {
    let m = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if m.starts_with("EOF while parsing") {
        "the text ends too early: a closing `}`, `]` or `\"` is missing".into()
    } else if m == "recursion limit exceeded" {
        "nested too deeply (more than 128 levels of brackets)".into()
    } else {
        m.to_string()
    }
}

/// A problem for every key given twice in one object (JSON parsers silently keep the last).
pub(crate) fn duplicate_key_problems(text: &str) -> Vec<Problem> {
    locate::duplicate_keys(text)
        .into_iter()
        .map(|(pointer, _)| {
            let key = pointer
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            Problem {
                pointer,
                message: format!("duplicate field `{key}` (given twice in the same object)"),
                help: Some("keep one: only the last would count".into()),
                at_key: true,
                line_col: None,
            }
        })
        .collect()
}

fn lenient_problem(base: &str, e: &LenientError) -> Problem {
    let mut p = serde_problem(&e.path, &e.message, true);
    p.pointer = format!("{base}{}", p.pointer);
    p
}

/// A JSON pointer that is written out only when a problem needs it: checking a valid file
/// formats none (that was a good part of the load time of a large questionnaire).
#[derive(Clone, Copy)]
enum Ptr<'a> {
    Root,
    /// `/sections/{si}/questions/{qi}`
    Question(usize, usize),
    Key(&'a Ptr<'a>, &'a str),
    Index(&'a Ptr<'a>, usize),
}

impl<'a> Ptr<'a> {
    fn key(&'a self, k: &'a str) -> Ptr<'a> {
        Ptr::Key(self, k)
    }

    fn index(&'a self, i: usize) -> Ptr<'a> {
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
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, pointer: String, message: impl Into<String>, help: Option<String>) {
        self.problems.push(Problem {
            pointer,
            message: message.into(),
            help,
            at_key: false,
            line_col: None,
        });
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
                    format!("duplicate {what} `{id}` (first used at {first}/{field})"),
                    Some(format!("give each {what} a different value")),
                );
            } else {
                seen.insert(id, item);
            }
        }
    }
}

fn check(
    mut file: QuestionnaireFile,
    name: &str,
    text: &str,
    sha256: String,
    problems: Vec<Problem>,
) -> Result<Questionnaire, LoadError> {
    let mut c = Checker { problems };
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
                    c.problems.push(lenient_problem(&base, &e));
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
                c.problems.push(lenient_problem(&base.to_string(), e));
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
                    format!("unknown source `{s}`"),
                    Some(match did_you_mean(s, source_ids.iter().copied()) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => "add it to the top-level `sources` list".into(),
                    }),
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
    let known_rules: Vec<&str> = rule_ids.iter().map(|(_, id)| *id).collect();
    let mut names = Vec::new();
    for (ti, t) in file.tests.iter().enumerate() {
        let base = TESTS.index(ti);
        let t = match t {
            Lenient::Ok(t) => t,
            Lenient::Err(e) => {
                c.problems.push(lenient_problem(&base.to_string(), e));
                continue;
            }
        };
        names.push((ti, t.name.as_str()));
        if let Err(errs) = parse_answers(&questions, &|id| index.get(id).copied(), &t.answers) {
            for e in errs
                .into_iter()
                .filter(|e| !(e.unknown_id && broken.contains(&e.id)))
            {
                c.problems.push(Problem {
                    pointer: format!("{base}/answers/{}", locate::escape_segment(&e.id)),
                    message: e.message,
                    help: e.help,
                    at_key: e.unknown_id,
                    line_col: None,
                });
            }
        }
        for (ei, id) in t.expect_rules.iter().flatten().enumerate() {
            if !known_rules.contains(&id.as_str()) && !broken_rules.contains(id) {
                c.push(
                    format!("{base}/expect_rules/{ei}"),
                    format!("unknown rule `{id}`"),
                    did_you_mean(id, known_rules.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
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
        return Err(LoadError::invalid(name, text, c.problems));
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

/// Resolves ids in conditions.
struct Resolver<'a> {
    questions: &'a [Question],
    index: &'a HashMap<&'a str, usize>,
    broken: &'a HashSet<String>,
}

impl Resolver<'_> {
    fn compile(&self, c: &mut Checker, cond: &Condition, p: &Ptr) -> Option<Expr> {
        let leaf_ops: [(&str, bool); 9] = [
            ("equals", cond.equals.is_some()),
            ("one_of", cond.one_of.is_some()),
            ("contains", cond.contains.is_some()),
            ("lt", cond.lt.is_some()),
            ("le", cond.le.is_some()),
            ("gt", cond.gt.is_some()),
            ("ge", cond.ge.is_some()),
            ("answered", cond.answered.is_some()),
            ("unsure", cond.unsure.is_some()),
        ];
        let combinators: [(&str, bool); 4] = [
            ("all", cond.all.is_some()),
            ("any", cond.any.is_some()),
            ("not", cond.not.is_some()),
            ("at_least", cond.at_least.is_some() || cond.of.is_some()),
        ];
        let present = |list: &[(&'static str, bool)]| {
            list.iter().filter(|x| x.1).map(|x| x.0).collect::<Vec<_>>()
        };
        let n_ops = leaf_ops.iter().filter(|x| x.1).count();
        let n_combs = combinators.iter().filter(|x| x.1).count();
        let first_comb = combinators.iter().find(|x| x.1).map(|x| x.0);
        const SHAPES: &str = "a condition is either {\"q\": id, <one operator>: value} or one of all / any / not / at_least+of";
        if let (Some(_), Some(comb)) = (&cond.q, first_comb) {
            c.push(
                p.to_string(),
                format!("a condition mixes `q` with `{comb}`"),
                Some(SHAPES.into()),
            );
            return None;
        }
        if n_combs + n_ops == 0 {
            c.push(
                p.to_string(),
                "the condition has no operator",
                Some(SHAPES.into()),
            );
            return None;
        }
        if n_combs + n_ops > 1 {
            let mut all = present(&combinators);
            all.extend(present(&leaf_ops));
            c.push(
                p.to_string(),
                format!("one condition has several operators: {}", all.join(", ")),
                Some("combine them with `all: [...]` or `any: [...]`".into()),
            );
            return None;
        }
        if let Some(op) = leaf_ops.iter().find(|x| x.1).map(|x| x.0) {
            let Some(id) = &cond.q else {
                c.push(
                    p.to_string(),
                    format!("`{op}` needs `q`, the question it looks at"),
                    None,
                );
                return None;
            };
            return self.leaf(c, cond, id, op, p);
        }
        let list = |c: &mut Checker, xs: &[Condition], field: &str| -> Option<Vec<Expr>> {
            if xs.is_empty() {
                c.push(format!("{p}/{field}"), format!("`{field}` is empty"), None);
                return None;
            }
            let out: Vec<Option<Expr>> = xs
                .iter()
                .enumerate()
                .map(|(i, x)| self.compile(c, x, &p.key(field).index(i)))
                .collect();
            out.into_iter().collect()
        };
        match first_comb.unwrap_or_default() {
            "all" => list(c, cond.all.as_deref().unwrap_or_default(), "all").map(Expr::All),
            "any" => list(c, cond.any.as_deref().unwrap_or_default(), "any").map(Expr::Any),
            "not" => self
                .compile(c, cond.not.as_deref()?, &p.key("not"))
                .map(Expr::negate),
            _ => {
                let (Some(n), Some(of)) = (cond.at_least, &cond.of) else {
                    c.push(
                        p.to_string(),
                        "`at_least` and `of` go together",
                        Some("write {\"at_least\": 2, \"of\": [...]}".into()),
                    );
                    return None;
                };
                let n = n as usize;
                if n == 0 || n > of.len() {
                    c.push(
                        format!("{p}/at_least"),
                        format!(
                            "at_least {n} of {} conditions can {}",
                            of.len(),
                            if n == 0 {
                                "never be false"
                            } else {
                                "never hold"
                            }
                        ),
                        Some(format!("use a number from 1 to {}", of.len())),
                    );
                    return None;
                }
                list(c, of, "of").map(|xs| Expr::AtLeast(n, xs))
            }
        }
    }

    fn leaf(&self, c: &mut Checker, cond: &Condition, id: &str, op: &str, p: &Ptr) -> Option<Expr> {
        let Some(&qi) = self.index.get(id) else {
            if self.broken.contains(id) {
                return None;
            }
            let known = self
                .index
                .keys()
                .copied()
                .chain(self.broken.iter().map(String::as_str));
            c.push(
                format!("{p}/q"),
                format!("unknown question `{id}`"),
                did_you_mean(id, known).map(|s| format!("did you mean `{s}`?")),
            );
            return None;
        };
        let q = &self.questions[qi];
        use QuestionType::*;
        let mismatch = |c: &mut Checker, hint: &str| {
            c.push(
                format!("{p}/{op}"),
                format!("`{op}` does not fit `{id}`, a {} question", q.kind.as_str()),
                Some(hint.to_string()),
            );
            None
        };
        if q.kind == Display {
            return mismatch(c, "display-only text has no answer to test");
        }
        let fits = match q.kind {
            YesNo => "use equals / one_of with \"yes\" or \"no\", answered, or unsure",
            SingleChoice => "use equals / one_of with option codes, answered, or unsure",
            MultiChoice => "use contains with an option code, or answered",
            Number => "use lt / le / gt / ge / equals with a number, answered, or unsure",
            Text | Display => "use answered",
        };
        let test = match op {
            "answered" => Test::Answered(cond.answered?),
            "unsure" => {
                if !q.allows_unsure() {
                    return mismatch(c, "this question does not offer \"Not sure\"");
                }
                Test::Unsure(cond.unsure?)
            }
            "equals" | "one_of" => {
                let values: Vec<Literal> = match (&cond.equals, &cond.one_of) {
                    (Some(v), _) => vec![v.clone()],
                    (_, Some(vs)) => vs.clone(),
                    _ => return None,
                };
                if values.is_empty() {
                    c.push(format!("{p}/one_of"), "`one_of` is empty", None);
                    return None;
                }
                match q.kind {
                    YesNo | SingleChoice => {
                        let mut idx = Vec::new();
                        let (equals, one_of) = (p.key("equals"), p.key("one_of"));
                        for (vi, v) in values.iter().enumerate() {
                            let at = one_of.index(vi);
                            let vp = if op == "equals" { &equals } else { &at };
                            idx.push(self.code(c, q, v, vp)?);
                        }
                        Test::OneOf(idx)
                    }
                    Number if op == "equals" => match values[0] {
                        Literal::Number(n) => Test::Cmp(CmpOp::Eq, n),
                        _ => return mismatch(c, "compare a number question with a number"),
                    },
                    _ => return mismatch(c, fits),
                }
            }
            "contains" => {
                if q.kind != MultiChoice {
                    return mismatch(c, fits);
                }
                let code = cond.contains.clone()?;
                Test::Contains(self.code(c, q, &Literal::Text(code), &p.key("contains"))?)
            }
            _ => {
                if q.kind != Number {
                    return mismatch(c, fits);
                }
                let (cmp, v) = match op {
                    "lt" => (CmpOp::Lt, cond.lt?),
                    "le" => (CmpOp::Le, cond.le?),
                    "gt" => (CmpOp::Gt, cond.gt?),
                    _ => (CmpOp::Ge, cond.ge?),
                };
                Test::Cmp(cmp, v)
            }
        };
        Some(Expr::Leaf {
            q: qi,
            test,
            negated: false,
        })
    }

    /// Resolves a literal to an option index (yes = 0, no = 1 for yes/no).
    fn code(&self, c: &mut Checker, q: &Question, v: &Literal, p: &Ptr) -> Option<usize> {
        let codes: Vec<&str> = if q.kind == QuestionType::YesNo {
            vec!["yes", "no"]
        } else {
            q.options.iter().map(|o| o.code.as_str()).collect()
        };
        let Literal::Text(s) = v else {
            c.push(
                p.to_string(),
                format!(
                    "`{}` is compared with {v}, which is not an option code",
                    q.id
                ),
                Some(format!("options: {}", codes.join(", "))),
            );
            return None;
        };
        if s == "unsure" {
            c.push(
                p.to_string(),
                "\"unsure\" is not a value to compare",
                Some(format!("use {{\"q\": \"{}\", \"unsure\": true}}", q.id)),
            );
            return None;
        }
        match codes.iter().position(|x| x == s) {
            Some(i) => Some(i),
            None => {
                c.push(
                    p.to_string(),
                    format!("`{}` has no option `{s}`", q.id),
                    Some(match did_you_mean(s, codes.iter().copied()) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => format!("options: {}", codes.join(", ")),
                    }),
                );
                None
            }
        }
    }
}

/// What a condition can evaluate to over all complete answer sets: an over-approximation, so a
/// question is reported unreachable only when that is certain.
#[derive(Debug, Clone, Copy)]
struct Possible {
    t: bool,
    f: bool,
    u: bool,
}

fn reachability(qs: &[Question], show_if: &[Option<Expr>]) -> Vec<bool> {
    let mut reachable = vec![true; qs.len()];
    for i in 0..qs.len() {
        if let Some(e) = &show_if[i] {
            let p = possible(qs, &reachable, e);
            reachable[i] = p.t || p.u;
        }
    }
    reachable
}

fn possible(qs: &[Question], reachable: &[bool], e: &Expr) -> Possible {
    match e {
        Expr::Leaf {
            q, negated: true, ..
        } => Possible {
            // Any definite answer that fails the test satisfies its negation; assume one can.
            t: reachable[*q],
            f: true,
            u: reachable[*q] && (qs[*q].allows_unsure() || !qs[*q].is_required()),
        },
        Expr::Leaf { q, test, .. } => {
            let question = &qs[*q];
            if !reachable[*q] {
                return Possible {
                    t: false,
                    f: true,
                    u: false,
                };
            }
            let unknown = question.allows_unsure() || !question.is_required();
            match test {
                // Even a required question is unanswered in an unfinished screening.
                Test::Answered(_) => Possible {
                    t: true,
                    f: true,
                    u: false,
                },
                Test::Unsure(want) => Possible {
                    t: !*want || question.allows_unsure(),
                    f: true,
                    u: false,
                },
                Test::OneOf(opts) => Possible {
                    t: !opts.is_empty(),
                    f: true,
                    u: unknown,
                },
                Test::Contains(_) => Possible {
                    t: true,
                    f: true,
                    u: unknown,
                },
                Test::Cmp(op, b) => {
                    let (lo, hi) = (
                        question.min.unwrap_or(f64::NEG_INFINITY),
                        question.max.unwrap_or(f64::INFINITY),
                    );
                    let t = match op {
                        CmpOp::Lt => lo < *b,
                        CmpOp::Le => lo <= *b,
                        CmpOp::Gt => hi > *b,
                        CmpOp::Ge => hi >= *b,
                        CmpOp::Eq => {
                            lo <= *b && *b <= hi && (!question.integer || b.fract() == 0.0)
                        }
                    };
                    Possible {
                        t,
                        f: true,
                        u: unknown,
                    }
                }
            }
        }
        Expr::All(xs) => {
            let ps: Vec<Possible> = xs.iter().map(|x| possible(qs, reachable, x)).collect();
            Possible {
                t: ps.iter().all(|p| p.t) && consistent(qs, xs),
                f: ps.iter().any(|p| p.f),
                u: ps.iter().all(|p| p.t || p.u) && ps.iter().any(|p| p.u),
            }
        }
        Expr::Any(xs) => {
            let ps: Vec<Possible> = xs.iter().map(|x| possible(qs, reachable, x)).collect();
            Possible {
                t: ps.iter().any(|p| p.t),
                f: ps.iter().all(|p| p.f),
                u: ps.iter().any(|p| p.u) && ps.iter().all(|p| p.f || p.u),
            }
        }
        Expr::AtLeast(n, xs) => {
            let ps: Vec<Possible> = xs.iter().map(|x| possible(qs, reachable, x)).collect();
            Possible {
                t: ps.iter().filter(|p| p.t).count() >= *n,
                f: ps.iter().filter(|p| p.f).count() > xs.len() - n,
                u: ps.iter().filter(|p| p.t || p.u).count() >= *n && ps.iter().any(|p| p.u),
            }
        }
    }
}

/// Whether sibling leaves of an `all` on the same question can hold together.
fn consistent(qs: &[Question], xs: &[Expr]) -> bool {
    let mut choices: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut ranges: HashMap<usize, (f64, f64)> = HashMap::new();
    for x in xs {
        let Expr::Leaf {
            q,
            test,
            negated: false,
        } = x
        else {
            continue;
        };
        match test {
            Test::OneOf(opts) => {
                let entry = choices.entry(*q).or_insert_with(|| opts.clone());
                entry.retain(|o| opts.contains(o));
                if entry.is_empty() {
                    return false;
                }
            }
            Test::Cmp(op, b) => {
                let question = &qs[*q];
                let r = ranges.entry(*q).or_insert((
                    question.min.unwrap_or(f64::NEG_INFINITY),
                    question.max.unwrap_or(f64::INFINITY),
                ));
                // The tightest bounds that still admit every possible answer: whole numbers
                // below 2.5 go up to 2, not 1.5.
                let step = f64::EPSILON * b.abs().max(1.0);
                let (below, above) = if question.integer {
                    (b.ceil() - 1.0, b.floor() + 1.0)
                } else {
                    (b - step, b + step)
                };
                match op {
                    CmpOp::Lt => r.1 = r.1.min(below),
                    CmpOp::Le => r.1 = r.1.min(*b),
                    CmpOp::Gt => r.0 = r.0.max(above),
                    CmpOp::Ge => r.0 = r.0.max(*b),
                    CmpOp::Eq => {
                        r.0 = r.0.max(*b);
                        r.1 = r.1.min(*b);
                    }
                }
                if r.0 > r.1 {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

/// A problem with one answer in an answers object.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerProblem {
    /// The question id (the key in the answers object).
    pub id: String,
    pub message: String,
    pub help: Option<String>,
    /// The id itself is unknown (point at the key).
    pub unknown_id: bool,
}

/// Reads an answers object (`{"question_id": value, ...}`) against the questions. Reports every
/// bad entry.
pub fn parse_answers(
    questions: &[Question],
    lookup: &dyn Fn(&str) -> Option<usize>,
    obj: &serde_json::Map<String, serde_json::Value>,
) -> Result<Answers, Vec<AnswerProblem>> {
    let mut answers = Answers::new(questions.len());
    let mut problems = Vec::new();
    for (id, v) in obj {
        let Some(qi) = lookup(id) else {
            problems.push(AnswerProblem {
                id: id.clone(),
                message: format!("unknown question `{id}`"),
                help: did_you_mean(id, questions.iter().map(|q| q.id.as_str()))
                    .map(|s| format!("did you mean `{s}`?")),
                unknown_id: true,
            });
            continue;
        };
        if v.is_null() {
            continue;
        }
        match answers::from_json(&questions[qi], v) {
            Ok(a) => answers.set(qi, Some(a)),
            Err((message, help)) => problems.push(AnswerProblem {
                id: id.clone(),
                message,
                help,
                unknown_id: false,
            }),
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

impl Questionnaire {
    /// Reads an answers object against this questionnaire.
    pub fn parse_answers(
        &self,
        obj: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Answers, Vec<AnswerProblem>> {
        parse_answers(&self.questions, &|id| self.question_index(id), obj)
    }
}
