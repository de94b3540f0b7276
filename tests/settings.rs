//! Settings in a questionnaire: declarations, condition leaves that read them, texts that name
//! them, and test cases that set them. Every mistake is a located load error with a
//! did-you-mean, like a reference to a question.

use needlecheck::loader::load_str;
use needlecheck::{Level, LoadError, score};
use serde_json::{Value, json};

/// The mini fixture with settings declared and rules that read them.
fn with_settings() -> Value {
    let mut q: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/mini.json").unwrap())
            .unwrap();
    q["settings"] = json!([
        { "id": "thinner_policy", "type": "choice", "label": "Blood thinners",
          "help": "Review or no needling.", "default": "review",
          "options": [ { "code": "review", "label": "Review" },
                       { "code": "strict", "label": "No needling" } ],
          "sources": ["S1"] },
        { "id": "adult_age", "type": "number", "label": "Adult from", "help": "Age of consent.",
          "default": 18, "min": 14, "max": 21, "integer": true, "unit": "years" },
        { "id": "ask_notes", "type": "yes_no", "label": "Ask for notes", "help": "Whether.",
          "default": "no" }
    ]);
    let rules = q["rules"].as_array_mut().unwrap();
    rules.push(json!({
        "id": "thinners_strict", "level": "not_suitable",
        "when": { "all": [ { "q": "thinners", "equals": "yes" },
                           { "setting": "thinner_policy", "equals": "strict" } ] },
        "message": "No needling on blood thinners here." }));
    rules.push(json!({
        "id": "young", "level": "review",
        "when": { "q": "age", "lt": { "setting": "adult_age" } },
        "message": "Under {adult_age}: a guardian agrees." }));
    q["tests"] = json!([]);
    q
}

fn load(v: &Value) -> Result<needlecheck::Questionnaire, LoadError> {
    load_str(
        "q.json",
        serde_json::to_string_pretty(v).unwrap().as_bytes(),
    )
}

/// The rendered problems of a questionnaire that must not load.
fn problems(v: &Value) -> String {
    match load(v) {
        Ok(_) => panic!("loaded, but should not"),
        Err(e) => e.render(false),
    }
}

fn answers(q: &needlecheck::Questionnaire, v: Value) -> needlecheck::Answers {
    q.parse_answers(v.as_object().unwrap())
        .expect("answers parse")
}

#[test]
fn setting_leaves_and_bounds_follow_the_effective_values() {
    let q = load(&with_settings()).expect("loads");
    let a = answers(
        &q,
        json!({ "chest_pain": "no", "age": 17, "pregnant": "no", "thinners": "yes",
                "which": ["warfarin"] }),
    );
    let o = score(&q, &a);
    assert_eq!(o.level, Level::Review);
    let fired: Vec<&str> = o
        .findings
        .iter()
        .map(|f| q.rules()[f.rule].rule.id.as_str())
        .collect();
    assert!(
        fired.contains(&"young") && !fired.contains(&"thinners_strict"),
        "{fired:?}"
    );
    let young = q.rules().iter().find(|r| r.rule.id == "young").unwrap();
    assert_eq!(young.rule.message, "Under 18: a guardian agrees.");

    // Strict policy and adults from 16.
    let s = |id: &str| q.setting_index(id).unwrap();
    let mut values = q.setting_values().to_vec();
    values[s("thinner_policy")] = needlecheck::condition::SettingValue::Code(1);
    values[s("adult_age")] = needlecheck::condition::SettingValue::Number(16.0);
    let strict = q.clone().with_settings(values);
    let o = score(&strict, &a);
    assert_eq!(o.level, Level::NotSuitable);
    let fired: Vec<&str> = o
        .findings
        .iter()
        .map(|f| strict.rules()[f.rule].rule.id.as_str())
        .collect();
    assert!(
        fired.contains(&"thinners_strict") && !fired.contains(&"young"),
        "{fired:?}"
    );
    let young = strict
        .rules()
        .iter()
        .find(|r| r.rule.id == "young")
        .unwrap();
    assert_eq!(young.rule.message, "Under 16: a guardian agrees.");
    // A setting is no answer to quote in "because you answered".
    let f = o
        .findings
        .iter()
        .find(|f| strict.rules()[f.rule].rule.id == "thinners_strict")
        .unwrap();
    assert_eq!(f.because, vec![q.question_index("thinners").unwrap()]);
}

#[test]
fn unknown_settings_are_located_with_a_suggestion() {
    let mut q = with_settings();
    let rules = q["rules"].as_array_mut().unwrap();
    rules.push(json!({ "id": "bad1", "level": "review",
        "when": { "setting": "thinner_polcy", "equals": "strict" }, "message": "x" }));
    rules.push(json!({ "id": "bad2", "level": "review",
        "when": { "q": "age", "gt": { "setting": "adult_ag" } }, "message": "x" }));
    rules.push(json!({ "id": "bad3", "level": "review",
        "when": { "setting": "thinner_policy", "equals": "stric" }, "message": "x" }));
    rules.push(json!({ "id": "bad4", "level": "review",
        "when": { "q": "age", "gt": { "setting": "thinner_policy" } }, "message": "x" }));
    rules.push(json!({ "id": "bad5", "level": "review",
        "when": { "setting": "adult_age", "equals": "strict" }, "message": "x" }));
    rules.push(json!({ "id": "bad6", "level": "review",
        "when": { "setting": "thinner_policy", "contains": "strict" }, "message": "x" }));
    rules.push(json!({ "id": "bad7", "level": "review",
        "when": { "q": "age", "setting": "adult_age", "lt": 3 }, "message": "x" }));
    rules.push(json!({ "id": "bad8", "level": "review",
        "when": { "q": "age", "lt": 3 }, "message": "Under {adult_ag}." }));
    let out = problems(&q);
    for want in [
        "unknown setting `thinner_polcy`",
        "did you mean `thinner_policy`?",
        "unknown setting `adult_ag`",
        "did you mean `adult_age`?",
        "setting `thinner_policy` has no option \"stric\"",
        "did you mean `strict`?",
        "`thinner_policy` is a choice setting; a number can only be compared with a number setting",
        "`equals` does not fit `adult_age`, a number setting",
        "`contains` does not fit `thinner_policy`, a choice setting",
        "a condition has both `q` and `setting`",
        "the text names `{adult_ag}`, which is not a setting",
        "did you mean `{adult_age}`?",
    ] {
        assert!(out.contains(want), "{want:?} missing from\n{out}");
    }
    // Each is placed at its line and column, under its pointer.
    assert!(out.contains("/rules/7/when/setting"), "{out}");
    assert!(out.contains("/rules/8/when/gt/setting"), "{out}");
    assert!(out.contains("q.json:"), "{out}");
}

#[test]
fn declarations_and_defaults_are_checked() {
    let mut q = with_settings();
    q["settings"][0]["default"] = json!("strcit");
    q["settings"][1]["default"] = json!(30);
    q["settings"][1]["options"] = json!([{ "code": "a", "label": "A" }]);
    q["settings"][2]["sources"] = json!(["S9"]);
    q["settings"].as_array_mut().unwrap().push(json!({
        "id": "adult_age", "type": "yes_no", "label": "Dup", "help": "Dup", "default": "yes" }));
    let out = problems(&q);
    for want in [
        "`thinner_policy` has no such option",
        "did you mean `strict`?",
        "the value is out of range for `adult_age`",
        "use a number from 14 to 21",
        "`options` does not apply to a number setting",
        "unknown source `S9`",
        "duplicate setting id `adult_age`",
    ] {
        assert!(out.contains(want), "{want:?} missing from\n{out}");
    }
}

#[test]
fn test_cases_may_set_settings_and_wrong_ones_are_located() {
    let mut q = with_settings();
    let base = json!({ "chest_pain": "no", "age": 40, "pregnant": "no", "thinners": "yes",
                       "which": ["warfarin"] });
    q["tests"] = json!([
        { "name": "default", "answers": base, "expect": "review" },
        { "name": "strict", "answers": base, "settings": { "thinner_policy": "strict" },
          "expect": "not_suitable", "expect_rules": ["thinners", "thinners_strict"] }
    ]);
    let loaded = load(&q).expect("loads");
    let results = needlecheck::selftest::run_tests(&loaded);
    assert!(results.iter().all(|r| r.passed()), "{results:?}");

    // The same case expecting the default outcome fails: the settings are really applied.
    q["tests"][1]["expect"] = json!("review");
    let loaded = load(&q).expect("loads");
    let results = needlecheck::selftest::run_tests(&loaded);
    assert!(!results[1].passed());

    q["tests"][1]["settings"] = json!({ "thinner_polcy": "strict", "adult_age": 99 });
    let out = problems(&q);
    for want in [
        "unknown setting `thinner_polcy`",
        "did you mean `thinner_policy`?",
        "the value is out of range for `adult_age`",
        "/tests/1/settings/adult_age",
    ] {
        assert!(out.contains(want), "{want:?} missing from\n{out}");
    }
}

/// The built-in questionnaire under each of its settings' values (one setting at a time away
/// from its default, number settings at both ends of their range) and under the strictest
/// choice of all.
fn setting_variants() -> Vec<(String, needlecheck::Questionnaire)> {
    use needlecheck::condition::SettingValue;
    use needlecheck::model::SettingType;
    let q = needlecheck::loader::embedded().expect("the built-in questionnaire loads");
    let defaults = q.setting_defaults();
    let mut out = vec![("defaults".to_string(), q.clone())];
    let mut strictest = defaults.clone();
    for (si, s) in q.settings().iter().enumerate() {
        let values: Vec<SettingValue> = match s.kind {
            SettingType::Number => [s.min, s.max]
                .into_iter()
                .flatten()
                .map(SettingValue::Number)
                .collect(),
            SettingType::YesNo => vec![SettingValue::Code(0), SettingValue::Code(1)],
            SettingType::Choice => (0..s.options.len()).map(SettingValue::Code).collect(),
        };
        for v in values.into_iter().filter(|v| *v != defaults[si]) {
            let mut all = defaults.clone();
            all[si] = v;
            out.push((format!("{} = {v:?}", s.id), q.clone().with_settings(all)));
            // The stricter end: the highest-level choice, the lowest limit.
            strictest[si] = match (s.kind, v) {
                (SettingType::Number, SettingValue::Number(n)) if s.id == "consent_age" => {
                    SettingValue::Number(n.max(match strictest[si] {
                        SettingValue::Number(m) => m,
                        _ => n,
                    }))
                }
                (SettingType::Number, SettingValue::Number(n)) => {
                    SettingValue::Number(n.min(match strictest[si] {
                        SettingValue::Number(m) => m,
                        _ => n,
                    }))
                }
                _ => v,
            };
        }
    }
    out.push(("strictest".into(), q.clone().with_settings(strictest)));
    assert!(out.len() >= 8, "{} variants", out.len());
    out
}

#[test]
fn the_safety_invariants_hold_under_every_setting_value() {
    use needlecheck::Answer;
    use needlecheck::model::QuestionType;
    for (name, q) in setting_variants() {
        let inr = q.question_index("inr");
        let gating: std::collections::BTreeSet<usize> = (0..q.questions().len())
            .flat_map(|i| q.show_if_questions(i))
            .collect();
        for t in q.tests() {
            let a = q.parse_answers(&t.answers).expect("scenario answers parse");
            let base = score(&q, &a);
            // Deterministic.
            assert_eq!(base, score(&q, &a), "{name}: {:?}", t.name);
            for x in 0..q.questions().len() {
                if !base.visible[x] || a.get(x).is_none() {
                    continue;
                }
                let question = &q.questions()[x];
                // An unanswered required question never gives `clear`.
                if question.is_required() {
                    let mut missing = a.clone();
                    missing.set(x, None);
                    assert!(
                        score(&q, &missing).level >= Level::Incomplete,
                        "{name}: {:?} without `{}`",
                        t.name,
                        question.id
                    );
                }
                // "Not sure" to a follow-up never scores lower than a definite answer (the
                // INR is the documented exception: not known is a request, not a deferral).
                if gating.contains(&x) || !question.allows_unsure() || Some(x) == inr {
                    continue;
                }
                let definite: Vec<Answer> = match question.kind {
                    QuestionType::YesNo => vec![Answer::Yes, Answer::No],
                    QuestionType::SingleChoice => {
                        (0..question.options.len()).map(Answer::Choice).collect()
                    }
                    QuestionType::Number => [question.min, question.max, Some(12.0), Some(18.0)]
                        .into_iter()
                        .flatten()
                        .filter(|n| {
                            question.min.is_none_or(|lo| *n >= lo)
                                && question.max.is_none_or(|hi| *n <= hi)
                        })
                        .map(Answer::Number)
                        .collect(),
                    _ => vec![],
                };
                let mut unsure = a.clone();
                unsure.set(x, Some(Answer::Unsure));
                let with_unsure = score(&q, &unsure).level;
                for d in definite {
                    let mut def = a.clone();
                    def.set(x, Some(d.clone()));
                    let with_definite = score(&q, &def).level;
                    assert!(
                        with_unsure >= with_definite,
                        "{name}: {:?}: Not sure to `{}` gives {with_unsure}, {d:?} gives {with_definite}",
                        t.name,
                        question.id
                    );
                }
            }
        }
    }
}
