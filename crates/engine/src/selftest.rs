//! Running a questionnaire's embedded test cases.

use crate::condition::SettingValue;
use crate::model::{Level, TestCase};
use crate::questionnaire::Questionnaire;
use crate::score::score;

/// The result of one embedded test case.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResult {
    /// The case's name.
    pub name: String,
    /// The outcome the case expects.
    pub expected: Level,
    /// The outcome it gave.
    pub got: Level,
    /// Expected rule ids (sorted), when the case lists them.
    pub expected_rules: Option<Vec<String>>,
    /// Fired rule ids (sorted).
    pub fired: Vec<String>,
}

impl TestResult {
    /// Whether the outcome is the expected one.
    pub fn passed(&self) -> bool {
        self.expected == self.got
            && self
                .expected_rules
                .as_ref()
                .is_none_or(|want| *want == self.fired)
    }

    /// Why it failed, in one or two lines.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        if self.expected != self.got {
            s.push_str(&format!("expected {}, got {}", self.expected, self.got));
        }
        if let Some(want) = &self.expected_rules
            && *want != self.fired
        {
            if !s.is_empty() {
                s.push_str("; ");
            }
            let missing: Vec<&str> = want
                .iter()
                .filter(|r| !self.fired.contains(r))
                .map(String::as_str)
                .collect();
            let extra: Vec<&str> = self
                .fired
                .iter()
                .filter(|r| !want.contains(r))
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                s.push_str(&format!("rules that did not fire: {}", missing.join(", ")));
            }
            if !extra.is_empty() {
                if !missing.is_empty() {
                    s.push_str("; ");
                }
                s.push_str(&format!("unexpected rules: {}", extra.join(", ")));
            }
        }
        s
    }
}

/// `q` as a test case runs under: the settings' defaults with the case's own `settings` over
/// them, whatever clinic file `q` runs under (the cases are about the questionnaire).
pub fn case_questionnaire(q: &Questionnaire, t: &TestCase) -> Questionnaire {
    q.clone().with_settings(case_settings(q, t))
}

/// The setting values test case `t` runs under (see [`case_questionnaire`]).
fn case_settings(q: &Questionnaire, t: &TestCase) -> Vec<SettingValue> {
    let mut values = q.setting_defaults();
    for (key, value) in &t.settings {
        if let Some(si) = q.setting_index(key)
            && let Ok(v) = crate::settings::check_json(&q.settings()[si], value)
        {
            values[si] = v;
        }
    }
    values
}

/// Scores every embedded test case, each under [`case_questionnaire`] and on the answers the
/// loader read and checked, and calls `f` with the case's index, the questionnaire it ran
/// under, its answers and its outcome. What `validate` checks (the expected results, the
/// coverage) is read from these calls, so every check sees the same scoring.
pub fn for_each_case(
    q: &Questionnaire,
    mut f: impl FnMut(usize, &Questionnaire, &crate::Answers, &crate::Outcome),
) {
    // One copy of the questionnaire per set of setting values, not per case: cases share a
    // few sets, and each copy re-fills the texts that name a setting.
    let mut copies: Vec<(Vec<SettingValue>, Questionnaire)> = Vec::new();
    for (i, t) in q.tests().iter().enumerate() {
        let values = case_settings(q, t);
        let sq = if values == q.setting_values() {
            q
        } else {
            let k = match copies.iter().position(|(v, _)| *v == values) {
                Some(k) => k,
                None => {
                    copies.push((values.clone(), q.clone().with_settings(values)));
                    copies.len() - 1
                }
            };
            &copies[k].1
        };
        let answers = q.test_answers(i);
        f(i, sq, answers, &score(sq, answers));
    }
}

/// Runs every embedded test case (see [`for_each_case`]).
pub fn run_tests(q: &Questionnaire) -> Vec<TestResult> {
    let mut results = Vec::with_capacity(q.tests().len());
    for_each_case(q, |i, _, _, outcome| results.push(result_of(q, i, outcome)));
    results
}

/// What test case `i` expected of `outcome`, and what it got.
pub fn result_of(q: &Questionnaire, i: usize, outcome: &crate::Outcome) -> TestResult {
    let t = &q.tests()[i];
    let mut fired: Vec<String> = outcome
        .findings
        .iter()
        .map(|f| q.rules()[f.rule].rule.id.clone())
        .collect();
    fired.sort();
    TestResult {
        name: t.name.clone(),
        expected: t.expect,
        got: outcome.level,
        expected_rules: t.expect_rules.clone().map(|mut v| {
            v.sort();
            v
        }),
        fired,
    }
}
