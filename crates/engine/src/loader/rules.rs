//! The rules (level, message, sources, condition, monotonicity) and the embedded tests.

use foldhash::HashSet;

use super::check::{Checker, Ptr, RULES, TESTS};
use super::compile::Resolver;
use super::parse::lenient_problem;
use crate::answers::Answers;
use crate::answers_file::parse_answers;
use crate::model::{Condition, Lenient, QuestionnaireFile, Rule, TestCase};
use crate::questionnaire::CompiledRule;
use crate::suggest::clip;

/// The rules after checking.
pub(super) struct Rules {
    pub(super) compiled: Vec<CompiledRule>,
    /// Ids of the rules that parsed, in file order.
    known: Vec<String>,
    /// Ids of the rules that did not parse (not reported again where tests name them).
    broken: HashSet<String>,
}

/// Checks and compiles every rule.
pub(super) fn compile_rules(c: &mut Checker, r: &Resolver, file: &mut QuestionnaireFile) -> Rules {
    let file_rules = std::mem::take(&mut file.rules);
    let source_ids: HashSet<&str> = file.sources.iter().map(|s| s.id.as_str()).collect();
    let mut rules = Rules {
        compiled: Vec::with_capacity(file_rules.len()),
        known: Vec::with_capacity(file_rules.len()),
        broken: HashSet::default(),
    };
    let mut places = Vec::with_capacity(file_rules.len());
    // What a compiled rule keeps of its condition as written: nothing (see [`CompiledRule`]).
    let written_off = std::sync::Arc::new(Condition::default());
    for (ri, rule) in file_rules.into_iter().enumerate() {
        let base = RULES.index(ri);
        let mut rule = match rule {
            Lenient::Ok(rule) => rule,
            Lenient::Err(e) => {
                rules.broken.extend(e.id.clone());
                c.add(lenient_problem(&base.to_string(), &e));
                continue;
            }
        };
        places.push(ri);
        rules.known.push(rule.id.clone());
        check_rule_fields(c, &rule, &base, &source_ids);
        let when_at = base.key("when");
        if let Some(when) = r.compile(c, &rule.when, &when_at) {
            check_monotone(c, &rule, &when_at);
            rule.when = written_off.clone();
            let rule = rule.into();
            rules.compiled.push(CompiledRule { rule, when });
        }
    }
    c.unique(
        "rule id",
        "id",
        places
            .iter()
            .zip(&rules.known)
            .map(|(ri, id)| (RULES.index(*ri), id.as_str())),
    );
    rules
}

/// A rule's level, message and sources.
fn check_rule_fields(c: &mut Checker, r: &Rule, base: &Ptr, source_ids: &HashSet<&str>) {
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
    check_steps(c, r, base);
    if r.coverage_exempt
        .as_ref()
        .is_some_and(|w| w.trim().is_empty())
    {
        c.push(
            format!("{base}/coverage_exempt"),
            "the reason for exempting the rule from coverage is empty",
            Some("say why no test case fires the rule, or remove `coverage_exempt`".into()),
        );
    }
    for (si, s) in r.sources.iter().enumerate() {
        if !source_ids.contains(s.as_str()) {
            c.push(
                format!("{base}/sources/{si}"),
                format!("unknown source `{}`", clip(s)),
                Some(
                    match c.suggest.did_you_mean(s, source_ids.iter().copied()) {
                        Some(x) => format!("did you mean `{}`?", clip(x)),
                        None => "add it to the top-level `sources` list".into(),
                    },
                ),
            );
        }
    }
}

/// A rule's own interrupt steps: only on a `stop` rule (no other rule has an interrupt to
/// show them in), never an empty list or an empty step, and staff steps only beside steps (a
/// person checking themselves would otherwise get the level's steps and staff another list).
fn check_steps(c: &mut Checker, r: &Rule, base: &Ptr) {
    for (field, list) in [("steps", &r.steps), ("staff_steps", &r.staff_steps)] {
        let Some(list) = list else { continue };
        if !r.stop {
            c.push(
                format!("{base}/{field}"),
                format!(
                    "rule `{}` has `{field}` but no `\"stop\": true`: only the interrupt of a \
                     stop rule shows them",
                    clip(&r.id)
                ),
                Some(format!(
                    "add `\"stop\": true`, or remove `{field}` (the result shows the level's \
                     next steps)"
                )),
            );
        }
        if list.is_empty() {
            c.push(
                format!("{base}/{field}"),
                format!("`{field}` is an empty list"),
                Some(format!(
                    "give at least one step, or remove `{field}` to show the level's steps"
                )),
            );
        }
        for (i, step) in list.iter().enumerate() {
            if step.trim().is_empty() {
                c.push(format!("{base}/{field}/{i}"), "the step is empty", None);
            }
        }
    }
    if r.staff_steps.is_some() && r.steps.is_none() {
        c.push(
            format!("{base}/staff_steps"),
            format!("rule `{}` has `staff_steps` but no `steps`", clip(&r.id)),
            Some("add `steps` for a person checking themselves".into()),
        );
    }
}

/// A rule that holds when an answer is *not* "Not sure" breaks the promise that "Not sure"
/// never gives a lower outcome than a definite answer. Such a rule must say so
/// (`not_monotone: true`), and a rule that says so must have such a test.
fn check_monotone(c: &mut Checker, r: &Rule, at: &Ptr) {
    let mut found = Vec::new();
    not_unsure_tests(&r.when, at, &mut found);
    match (found.first(), r.not_monotone) {
        (Some((pointer, q)), false) => c.push(
            pointer.clone(),
            format!(
                "rule `{}` holds when `{q}` is *not* answered \"Not sure\", so \"Not sure\" \
                 could give a lower outcome than a definite answer",
                r.id
            ),
            Some(
                "test the answers themselves (e.g. `\"one_of\": [\"yes\", \"no\"]`); or, if \
                 this is meant, add `\"not_monotone\": true` to the rule: it is then left out of \
                 the \"Not sure\" guarantee and `validate` lists it"
                    .into(),
            ),
        ),
        (None, true) => c.push(
            format!("{}", at.parent().key("not_monotone")),
            format!(
                "rule `{}` is marked `not_monotone` but has no test of an answer not being \"Not sure\"",
                r.id
            ),
            Some("remove `not_monotone`: the rule keeps the \"Not sure\" guarantee".into()),
        ),
        _ => {}
    }
}

/// The places (pointer to the `unsure` key, question id) of every `unsure` test that, once
/// `not`s are pushed down to the leaves, asks for an answer that is *not* "Not sure". `at` is
/// the condition's pointer; the pointer of a place is written only when one is found.
pub(super) fn not_unsure_tests(cond: &Condition, at: &Ptr, out: &mut Vec<(String, String)>) {
    walk_unsure(cond, at, &mut Vec::new(), false, out);
}

/// One step of [`not_unsure_tests`]: `path` holds the members and indexes below `at`.
fn walk_unsure(
    cond: &Condition,
    at: &Ptr,
    path: &mut Vec<(&'static str, Option<usize>)>,
    negated: bool,
    out: &mut Vec<(String, String)>,
) {
    if let (Some(want), Some(q)) = (cond.unsure, &cond.q)
        && want == negated
    {
        let mut pointer = at.to_string();
        for (field, i) in path.iter() {
            pointer.push('/');
            pointer.push_str(field);
            if let Some(i) = i {
                pointer.push_str(&format!("/{i}"));
            }
        }
        pointer.push_str("/unsure");
        out.push((pointer, q.clone()));
    }
    for (field, xs) in [("all", &cond.all), ("any", &cond.any), ("of", &cond.of)] {
        for (i, x) in xs.iter().flatten().enumerate() {
            path.push((field, Some(i)));
            walk_unsure(x, at, path, negated, out);
            path.pop();
        }
    }
    if let Some(x) = &cond.not {
        path.push(("not", None));
        walk_unsure(x, at, path, !negated, out);
        path.pop();
    }
}

/// Checks the embedded tests: their answers must be valid and the rules they expect must
/// exist. Returns them with their answers read (so `validate` does not read them again).
pub(super) fn check_tests(
    c: &mut Checker,
    r: &Resolver,
    file_tests: Vec<Lenient<TestCase>>,
    rules: &Rules,
) -> Vec<(TestCase, Answers)> {
    let mut tests = Vec::with_capacity(file_tests.len());
    let mut names = Vec::new();
    // A set, so that thousands of expected rules are not each looked up in a list.
    let known: HashSet<&str> = rules.known.iter().map(String::as_str).collect();
    for (ti, t) in file_tests.into_iter().enumerate() {
        let base = TESTS.index(ti);
        let t = match t {
            Lenient::Ok(t) => t,
            Lenient::Err(e) => {
                c.add(lenient_problem(&base.to_string(), &e));
                continue;
            }
        };
        names.push(ti);
        let answers = test_answers(c, r, &t, &base.to_string());
        super::settings::check_test_settings(c, r, &t, &base.to_string());
        for (ei, id) in t.expect_rules.iter().flatten().enumerate() {
            if !known.contains(id.as_str()) && !rules.broken.contains(id) && c.keeps() {
                let help = c
                    .suggest
                    .did_you_mean(id, rules.known.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{}`?", clip(s)));
                c.push(
                    format!("{base}/expect_rules/{ei}"),
                    format!("unknown rule `{}`", clip(id)),
                    help,
                );
            }
        }
        tests.push((t, answers.unwrap_or_default()));
    }
    c.unique(
        "test name",
        "name",
        names
            .into_iter()
            .zip(&tests)
            .map(|(ti, (t, _))| (TESTS.index(ti), t.name.as_str())),
    );
    tests
}

/// A test's answers, read against the questions; every bad one is reported.
fn test_answers(c: &mut Checker, r: &Resolver, t: &TestCase, base: &str) -> Option<Answers> {
    let lookup = |id: &str| r.index.get(id).copied();
    match parse_answers(r.questions, &lookup, &t.answers, &c.suggest) {
        Ok(a) => Some(a),
        Err(errs) => {
            c.uncollected += errs.more;
            let errs = errs
                .problems
                .into_iter()
                .filter(|e| !(e.unknown_id && r.broken.contains(&e.id)));
            for e in errs {
                c.add(e.problem_under(&format!("{base}/answers")));
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    const MINI: &str = include_str!("../../../../tests/fixtures/mini.json");

    /// The mini fixture with `edit` applied to its rules, loaded.
    fn load(edit: impl FnOnce(&mut Value)) -> Result<crate::Questionnaire, String> {
        let mut v: Value = serde_json::from_str(MINI).unwrap();
        edit(&mut v["rules"]);
        crate::loader::load_str("steps.json", v.to_string().as_bytes()).map_err(|e| e.render(false))
    }

    #[test]
    fn a_stop_rule_keeps_its_own_steps_in_both_wordings() {
        let q = load(|r| {
            r[0]["steps"] = json!(["Ask for an ambulance."]);
            r[0]["staff_steps"] = json!(["Ask for an ambulance for the patient."]);
        })
        .expect("loads");
        let rule = &q.rules()[0].rule;
        assert_eq!(rule.steps_for(false).unwrap(), ["Ask for an ambulance."]);
        assert_eq!(
            rule.steps_for(true).unwrap(),
            ["Ask for an ambulance for the patient."]
        );
        assert_eq!(q.rules()[1].rule.steps_for(true), None);
    }

    #[test]
    fn steps_are_refused_where_no_interrupt_shows_them_and_when_empty() {
        type Edit = fn(&mut Value);
        let cases: [(&str, Edit, &str); 4] = [
            (
                "/rules/1/steps",
                |r| r[1]["steps"] = json!(["Tell your practitioner."]),
                "no `\"stop\": true`",
            ),
            (
                "/rules/0/steps",
                |r| r[0]["steps"] = json!([]),
                "empty list",
            ),
            (
                "/rules/0/steps/1",
                |r| r[0]["steps"] = json!(["Ask for an ambulance.", "  "]),
                "the step is empty",
            ),
            (
                "/rules/0/staff_steps",
                |r| r[0]["staff_steps"] = json!(["Stay with the patient."]),
                "`staff_steps` but no `steps`",
            ),
        ];
        for (at, edit, says) in cases {
            let err = load(edit).expect_err(at);
            assert!(err.contains(at) && err.contains(says), "{at}: {err}");
        }
    }

    #[test]
    fn a_control_character_in_a_step_is_refused_where_it_is() {
        let err = load(|r| r[0]["staff_steps"] = json!(["Stay\u{1b}[2J here."]))
            .expect_err("a control character");
        assert!(err.contains("/rules/0/staff_steps/0"), "{err}");
        assert!(err.contains("control character (U+001B"), "{err}");
    }
}
