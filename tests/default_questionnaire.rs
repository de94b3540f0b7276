//! The built-in dry-needling questionnaire: it validates with all its scenario tests, people
//! with nothing to report get through quickly, and its content keeps the safety promises the
//! clinical brief asks for.

use std::collections::BTreeSet;

use needlecheck::model::QuestionType;
use needlecheck::{Answer, Answers, Level, Questionnaire, Session, Step, score};

const FILE: &str = "questionnaires/dry-needling.json";

fn embedded() -> Questionnaire {
    needlecheck::loader::embedded().expect("the built-in questionnaire loads")
}

#[test]
fn validate_passes_with_at_least_40_scenario_tests() {
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .args(["validate", FILE])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "validate failed:\n{stdout}\n{stderr}");
    let last = stdout
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(last.ends_with(" 0 failed"), "closing line: {last:?}");
    let passed: usize = last
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {last:?}"));
    assert!(passed >= 40, "only {passed} scenario tests");
}

/// Walks a session answering "no" to every yes/no question, `age` to the age question and
/// `areas` to the body-area question; returns how many questions were asked.
fn walk_all_no(q: &Questionnaire, age: f64, areas: &[&str], none_code: &str) -> (usize, Level) {
    walk_all_no_except(q, age, areas, none_code, &[])
}

/// As [`walk_all_no`], but the yes/no questions named in `yes` are answered "yes" (a carer
/// who consents for a minor, for example).
fn walk_all_no_except(
    q: &Questionnaire,
    age: f64,
    areas: &[&str],
    none_code: &str,
    yes: &[&str],
) -> (usize, Level) {
    let mut s = Session::new(q);
    let mut asked = 0;
    while let Some(c) = s.current() {
        let question = &q.questions()[c];
        let answer = match question.kind {
            QuestionType::YesNo if yes.contains(&question.id.as_str()) => Answer::Yes,
            QuestionType::YesNo => Answer::No,
            QuestionType::Number if question.id == "age" => Answer::Number(age),
            QuestionType::MultiChoice if question.id == "area" => Answer::Multi(
                areas
                    .iter()
                    .map(|a| question.option_index(a).expect("area option"))
                    .collect(),
            ),
            QuestionType::MultiChoice => {
                Answer::Multi(vec![question.option_index(none_code).unwrap_or_else(
                    || panic!("`{}` has no `{none_code}` option", question.id),
                )])
            }
            other => panic!(
                "unexpected {other:?} question `{}` on the all-no path",
                question.id
            ),
        };
        asked += 1;
        match s.answer(answer).expect("valid answer") {
            Step::Stopped(r) => panic!("stopped by `{}`", q.rules()[r].rule.id),
            Step::Next(_) | Step::Finished => {}
        }
    }
    let outcome = s.outcome();
    assert!(outcome.unanswered.is_empty());
    (asked, outcome.level)
}

#[test]
fn an_adult_with_nothing_to_report_answers_at_most_20_questions_and_is_not_flagged() {
    let q = embedded();
    let (asked, level) = walk_all_no(&q, 40.0, &["leg_left"], "thorax_none");
    // 6 right-now questions, 2 about the last 7 days, age, areas and 10 gates.
    assert_eq!(asked, 20, "questions on the all-no path");
    assert_eq!(level, Level::Clear);
}

#[test]
fn neck_treatment_with_nothing_else_to_report_stays_within_21_questions() {
    let q = embedded();
    let (asked, level) = walk_all_no(&q, 40.0, &["neck", "top_shoulder"], "thorax_none");
    // The all-no path plus one question on lung risks.
    assert!(asked <= 21, "{asked} questions");
    // Needling near the lungs always gets the after-care warning for the practitioner.
    assert_eq!(level, Level::Review);
}

fn parse(q: &Questionnaire, t: &needlecheck::model::TestCase) -> Answers {
    q.parse_answers(&t.answers)
        .unwrap_or_else(|e| panic!("test {:?}: {e:?}", t.name))
}

/// Definite answers to try against "Not sure".
fn definite_answers(question: &needlecheck::model::Question) -> Vec<Answer> {
    match question.kind {
        QuestionType::YesNo => vec![Answer::Yes, Answer::No],
        QuestionType::SingleChoice => (0..question.options.len()).map(Answer::Choice).collect(),
        QuestionType::Number => {
            let (lo, hi) = (question.min.unwrap_or(0.0), question.max.unwrap_or(1000.0));
            [
                0.0, 0.5, 1.0, 2.0, 3.0, 3.5, 10.0, 12.0, 13.0, 20.0, 45.0, 120.0,
            ]
            .into_iter()
            .chain([lo, hi])
            .filter(|n| *n >= lo && *n <= hi && (!question.integer || n.fract() == 0.0))
            .map(Answer::Number)
            .collect()
        }
        _ => Vec::new(),
    }
}

#[test]
fn not_sure_never_scores_lower_than_a_definite_answer_to_a_follow_up() {
    let q = embedded();
    let gating = (0..q.questions().len()).flat_map(|i| q.show_if_questions(i));
    let gating: BTreeSet<usize> = gating.collect();
    for t in q.tests() {
        let a = parse(&q, t);
        let visible = score(&q, &a).visible;
        // The one deliberate exception: an INR the person does not know is not a finding. The
        // brief asks for `review` and "bring your latest INR result", while a known INR above
        // the clinic's limit defers needling (checked separately below).
        let inr = q.question_index("inr");
        for x in (0..q.questions().len()).filter(|x| {
            visible[*x]
                && !gating.contains(x)
                && q.questions()[*x].allows_unsure()
                && Some(*x) != inr
        }) {
            let mut unsure = a.clone();
            unsure.set(x, Some(Answer::Unsure));
            let with_unsure = score(&q, &unsure).level;
            for d in definite_answers(&q.questions()[x]) {
                let mut definite = a.clone();
                definite.set(x, Some(d.clone()));
                let with_definite = score(&q, &definite).level;
                assert!(
                    with_unsure >= with_definite,
                    "test {:?}: \"Not sure\" to `{}` gives {with_unsure}, {d:?} gives {with_definite}",
                    t.name,
                    q.questions()[x].id
                );
            }
        }
    }
}

#[test]
fn an_inr_not_known_asks_for_the_result_and_never_clears() {
    let q = embedded();
    let inr = q.question_index("inr").expect("inr question");
    let mut tried = 0;
    for t in q.tests() {
        let a = parse(&q, t);
        if !score(&q, &a).visible[inr] {
            continue;
        }
        let mut unsure = a.clone();
        unsure.set(inr, Some(Answer::Unsure));
        let o = score(&q, &unsure);
        assert!(o.level >= Level::Review, "test {:?}", t.name);
        assert!(
            o.findings
                .iter()
                .any(|f| q.rules()[f.rule].rule.id == "warfarin_inr_unknown"),
            "test {:?}: no request for the INR result",
            t.name
        );
        tried += 1;
    }
    assert!(tried >= 3, "only {tried} warfarin scenarios");
}

#[test]
fn every_rule_fires_in_some_scenario_and_every_level_is_reached() {
    let q = embedded();
    let mut fired = BTreeSet::new();
    let mut levels = BTreeSet::new();
    for t in q.tests() {
        // Each scenario under its own clinic settings.
        let q = &needlecheck::selftest::case_questionnaire(&q, t);
        let o = score(q, &parse(q, t));
        levels.insert(o.level);
        fired.extend(o.findings.iter().map(|f| f.rule));
    }
    for (i, r) in q.rules().iter().enumerate() {
        assert!(
            fired.contains(&i),
            "rule `{}` never fires in a scenario",
            r.rule.id
        );
    }
    for l in Level::ALL {
        assert!(levels.contains(&l), "no scenario reaches `{l}`");
    }
}

#[test]
fn content_keeps_the_briefs_promises() {
    let q = embedded();
    for question in q.questions() {
        assert!(
            question
                .help
                .as_deref()
                .is_some_and(|h| !h.trim().is_empty()),
            "`{}` has no \"why we ask\"",
            question.id
        );
        assert!(
            question.staff_text.is_some(),
            "`{}` has no staff wording",
            question.id
        );
    }
    for r in q.rules() {
        let r = &r.rule;
        assert!(!r.sources.is_empty(), "rule `{}` cites no source", r.id);
        if r.level == Level::Emergency {
            assert!(r.stop, "emergency rule `{}` does not stop", r.id);
            // The interrupt's headline says to call 000; the message says why and the rule's
            // own steps say what else to do, in both wordings, without saying it again or
            // naming another line to call.
            let texts = r.steps.iter().chain(&r.staff_steps).flat_map(|s| s.iter());
            assert!(
                r.steps.is_some() && r.staff_steps.is_some(),
                "`{}` has no steps",
                r.id
            );
            for text in std::iter::once(&r.message).chain(texts) {
                for other in ["000", "Lifeline", "13 11 14", "1800"] {
                    assert!(!text.contains(other), "`{}` says {other}: {text}", r.id);
                }
            }
        }
        let lower = r.message.to_lowercase();
        assert!(
            !lower.contains("stop taking") && !lower.contains("stop your"),
            "rule `{}` may advise stopping a medicine",
            r.id
        );
    }
    // Self-harm: 000 when in danger now, Lifeline otherwise, never the two as equals.
    let rule = |id: &str| {
        &q.rules()
            .iter()
            .find(|r| r.rule.id == id)
            .unwrap_or_else(|| panic!("rule `{id}`"))
            .rule
    };
    // In danger now: an emergency (its interrupt says to call 000, and nothing of Lifeline,
    // checked above), and staff stay with the person.
    let danger = rule("em_self_harm");
    assert!(danger.stop && danger.level == Level::Emergency);
    assert!(
        danger
            .staff_steps
            .as_ref()
            .is_some_and(|s| s[0].starts_with("Stay with the patient")),
        "staff are told to stay with the person in danger"
    );
    let thoughts = rule("self_harm_thoughts");
    let lifeline = thoughts.message.find("13 11 14").expect("Lifeline number");
    assert!(thoughts.message.find("000").is_some_and(|z| z > lifeline));
    assert!(
        thoughts
            .practitioner_note
            .as_deref()
            .is_some_and(|n| n.contains("Stay with")),
        "staff are told to stay with the person"
    );
    let clear = &q.advice().clear;
    assert!(clear.summary.contains("consent") && clear.summary.contains("practitioner"));
    let numbers: Vec<&str> = q.contacts().iter().map(|c| c.number.as_str()).collect();
    for n in ["000", "1800 633 422", "13 11 14"] {
        assert!(numbers.contains(&n), "contact {n} missing");
    }
    let aftercare: String = q
        .aftercare()
        .iter()
        .flat_map(|b| b.items.iter().chain(std::iter::once(&b.heading)))
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(aftercare.contains("000") && aftercare.contains("48 hours"));
}

#[test]
fn older_people_near_the_chest_and_minors_with_a_carer_still_answer_about_22_questions() {
    let q = embedded();
    // Over 50 with neck pain: the all-no path plus lung risks and a first episode.
    let (asked, level) = walk_all_no(&q, 72.0, &["neck"], "thorax_none");
    assert!(asked <= 22, "{asked} questions");
    assert_eq!(level, Level::Review);
    // A 16-year-old whose parent agrees, legs only: the two consent questions on top.
    let yes = ["minor_guardian", "minor_understands"];
    let (asked, level) = walk_all_no_except(&q, 16.0, &["leg_left"], "thorax_none", &yes);
    assert!(asked <= 22, "{asked} questions");
    assert_eq!(level, Level::Review);
}

/// Walks a session with a scenario's answers, in the order the questions are asked. Returns
/// the stop rule that interrupted it, if any.
fn walk_scenario(q: &Questionnaire, a: &Answers) -> Option<usize> {
    let mut s = Session::new(q);
    while let Some(c) = s.current() {
        let Some(answer) = a.get(c).cloned() else {
            return None; // an unfinished scenario
        };
        match s.answer(answer).expect("valid answer") {
            Step::Stopped(r) => return Some(r),
            Step::Next(_) | Step::Finished => {}
        }
    }
    None
}

#[test]
fn a_screening_stops_for_000_only_when_the_scenario_is_an_emergency() {
    // "Not sure" to a gate must open its follow-ups, not stop the screening before they are
    // asked: a stop rule that also looks at an unanswered follow-up must wait for it.
    let q = embedded();
    for t in q.tests() {
        let a = parse(&q, t);
        let stopped = walk_scenario(&q, &a);
        match stopped {
            Some(r) => {
                assert_eq!(
                    t.expect,
                    Level::Emergency,
                    "test {:?} stopped by `{}`",
                    t.name,
                    q.rules()[r].rule.id
                );
                let o = score(&q, &a);
                assert!(o.findings.iter().any(|f| f.rule == r), "test {:?}", t.name);
            }
            None => assert_ne!(
                t.expect,
                Level::Emergency,
                "test {:?} is an emergency but did not stop",
                t.name
            ),
        }
    }
}

#[test]
fn not_sure_to_a_gate_never_scores_lower_than_yes() {
    let q = embedded();
    let gating = (0..q.questions().len()).flat_map(|i| q.show_if_questions(i));
    let gating: BTreeSet<usize> = gating
        .filter(|g| q.questions()[*g].kind == QuestionType::YesNo)
        .collect();
    let mut checked = 0;
    for t in q.tests() {
        let a = parse(&q, t);
        let base = score(&q, &a);
        for g in gating.iter().copied() {
            if !base.visible[g] || a.get(g) != Some(&Answer::Yes) {
                continue;
            }
            let mut unsure = a.clone();
            unsure.set(g, Some(Answer::Unsure));
            let with_unsure = score(&q, &unsure);
            checked += 1;
            assert!(
                with_unsure.level >= base.level,
                "test {:?}: \"Not sure\" to `{}` gives {}, yes gives {}",
                t.name,
                q.questions()[g].id,
                with_unsure.level,
                base.level
            );
            // Every rule that fired on "yes" still fires: no detail is lost to the handover.
            for f in &base.findings {
                assert!(
                    with_unsure.findings.iter().any(|u| u.rule == f.rule),
                    "test {:?}: \"Not sure\" to `{}` loses rule `{}`",
                    t.name,
                    q.questions()[g].id,
                    q.rules()[f.rule].rule.id
                );
            }
        }
    }
    assert!(checked >= 40, "only {checked} gate answers tried");
}

#[test]
fn a_yes_to_a_follow_up_is_not_reported_as_could_not_be_ruled_out() {
    // "Not sure" to a gate followed by a definite "yes" is a finding, not a doubt.
    let q = embedded();
    let t = q
        .tests()
        .iter()
        .find(|t| t.name.starts_with("nerve gate not sure, then bladder"))
        .expect("scenario");
    let o = score(&q, &parse(&q, t));
    let cauda = o
        .findings
        .iter()
        .find(|f| q.rules()[f.rule].rule.id == "cauda_equina")
        .expect("cauda_equina fires");
    assert!(!cauda.on_unknown);
}

#[test]
fn every_result_carries_the_safety_net_and_same_day_results_leave_out_what_is_normal() {
    let q = embedded();
    for level in Level::ALL {
        let shown: Vec<&str> = q
            .aftercare()
            .iter()
            .filter(|b| b.shown_for(level))
            .map(|b| b.heading.as_str())
            .collect();
        for must in [
            "Call 000",
            "See a doctor the same day",
            "Contact your practitioner",
        ] {
            assert!(
                shown.iter().any(|h| h.starts_with(must)),
                "{level}: no \"{must}\" block in {shown:?}"
            );
        }
        // Beside "see a doctor today" or "call 000", a list of normal effects could read as
        // reassurance; there only the when-to-get-help blocks are shown, 000 first.
        let normal = shown.iter().any(|h| h.starts_with("What is normal"));
        let help_only = matches!(level, Level::Urgent | Level::Emergency);
        assert_eq!(normal, !help_only, "{level}: {shown:?}");
        assert!(shown[0].starts_with("Call 000"), "{level}: {shown:?}");
    }
}

/// Every text a person or the front desk can read.
fn all_texts(q: &Questionnaire) -> Vec<(String, String)> {
    let mut out = vec![
        ("introduction".to_string(), q.introduction().to_string()),
        ("disclaimer".to_string(), q.disclaimer().to_string()),
    ];
    for question in q.questions() {
        let id = &question.id;
        out.push((id.clone(), question.text.clone()));
        out.extend(question.staff_text.clone().map(|t| (id.clone(), t)));
        out.extend(question.help.clone().map(|t| (id.clone(), t)));
        for o in &question.options {
            out.push((format!("{id}/{}", o.code), o.label.clone()));
        }
    }
    for r in q.rules() {
        out.push((r.rule.id.clone(), r.rule.message.clone()));
        out.extend(
            r.rule
                .practitioner_note
                .clone()
                .map(|t| (r.rule.id.clone(), t)),
        );
    }
    for level in Level::ALL {
        let a = q.advice().for_level(level);
        out.push((level.to_string(), a.summary.clone()));
        out.extend(a.next_steps.iter().map(|s| (level.to_string(), s.clone())));
    }
    for b in q.aftercare() {
        out.extend(b.items.iter().map(|i| (b.heading.clone(), i.clone())));
    }
    out
}

#[test]
fn nothing_reads_as_advice_to_stop_or_change_a_medicine() {
    let q = embedded();
    let verbs = [
        "stop", "skip", "pause", "halve", "reduce", "change", "cut down", "hold off", "miss",
    ];
    let objects = [
        "medicine",
        "medication",
        "tablet",
        "warfarin",
        "thinner",
        "aspirin",
        "dose",
        "steroid",
        " it",
        " them",
        "insulin",
    ];
    for (at, text) in all_texts(&q) {
        let lower = text.to_lowercase();
        for sentence in lower.split(['.', ';', ':', '?', '!']) {
            let advises = verbs.iter().any(|v| {
                sentence.match_indices(v).any(|(i, _)| {
                    let after = &sentence[i..(i + 40).min(sentence.len())];
                    let before = &sentence[i.saturating_sub(20)..i];
                    objects.iter().any(|o| after.contains(o))
                        && !(before.contains("not") || before.contains("never"))
                })
            });
            // A rule may say what the practitioner asks about ("recent dose changes").
            let asks = sentence.contains("ask about")
                || sentence.contains("bleeding that is hard to stop");
            assert!(
                !advises || asks,
                "`{at}` may read as advice to stop or change a medicine: {text:?}"
            );
        }
    }
}

#[test]
fn no_text_says_anyone_is_cleared_for_treatment() {
    let q = embedded();
    for (at, text) in all_texts(&q) {
        let lower = text.to_lowercase();
        for phrase in [
            "you are safe to",
            "safe for you",
            "you can have dry needling",
            "is safe for",
        ] {
            assert!(!lower.contains(phrase), "`{at}`: {text:?}");
        }
        if lower.contains("cleared") {
            // Only ever in the negative: "does not mean you are cleared", "until medically cleared".
            assert!(
                lower.contains("not mean you are cleared")
                    || lower.contains("does not clear")
                    || lower.contains("until medically cleared"),
                "`{at}`: {text:?}"
            );
        }
    }
}

/// A small deterministic generator for random walks (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn random_screenings_stop_only_on_a_yes_or_not_sure_to_an_emergency_question() {
    // Thousands of sessions with random answers (emergency questions mostly "no"): a stop may
    // only come right after a "yes" or "Not sure" to a question its stop rule looks at, never
    // while a follow-up that the rule needs is still to be asked.
    let q = embedded();
    let mut rng = Lcg(20240611);
    let mut stops = 0;
    for _ in 0..3000 {
        let mut s = Session::new(&q);
        while let Some(c) = s.current() {
            let question = &q.questions()[c];
            let answer = match question.kind {
                QuestionType::YesNo if question.id.starts_with("em_") => match rng.next(40) {
                    0 => Answer::Yes,
                    1 => Answer::Unsure,
                    _ => Answer::No,
                },
                QuestionType::YesNo => {
                    [Answer::Yes, Answer::No, Answer::Unsure][rng.next(3)].clone()
                }
                QuestionType::SingleChoice => {
                    let n = question.options.len() + usize::from(question.allows_unsure());
                    match rng.next(n) {
                        i if i < question.options.len() => Answer::Choice(i),
                        _ => Answer::Unsure,
                    }
                }
                QuestionType::MultiChoice => {
                    let i = rng.next(question.options.len());
                    if question.options[i].exclusive {
                        Answer::Multi(vec![i])
                    } else {
                        let mut v: Vec<usize> = (0..question.options.len())
                            .filter(|j| !question.options[*j].exclusive && rng.next(3) == 0)
                            .collect();
                        if !v.contains(&i) {
                            v.push(i);
                            v.sort_unstable();
                        }
                        Answer::Multi(v)
                    }
                }
                QuestionType::Number if question.allows_unsure() && rng.next(4) == 0 => {
                    Answer::Unsure
                }
                QuestionType::Number => {
                    let (lo, hi) = (question.min.unwrap_or(0.0), question.max.unwrap_or(100.0));
                    Answer::Number((lo + (rng.next(1000) as f64 / 1000.0) * (hi - lo)).round())
                }
                QuestionType::Text => Answer::Text("left arm".into()),
                QuestionType::Display => unreachable!("no display questions"),
            };
            let given = answer.clone();
            match s.answer(answer).expect("valid answer") {
                Step::Stopped(r) => {
                    stops += 1;
                    let mut looks_at = Vec::new();
                    q.rules()[r].when.questions(&mut looks_at);
                    assert!(
                        looks_at.contains(&c) && matches!(given, Answer::Yes | Answer::Unsure),
                        "`{}` stopped right after {given:?} to `{}`",
                        q.rules()[r].rule.id,
                        question.id
                    );
                    let mut needed = looks_at.clone();
                    needed
                        .retain(|x| s.answer_of(*x).is_none() && s.visible_questions().contains(x));
                    assert!(
                        needed.is_empty(),
                        "`{}` stopped before asking {:?}",
                        q.rules()[r].rule.id,
                        needed
                            .iter()
                            .map(|x| &q.questions()[*x].id)
                            .collect::<Vec<_>>()
                    );
                    break;
                }
                Step::Next(_) | Step::Finished => {}
            }
        }
    }
    assert!(stops > 100, "only {stops} stops in the random walks");
}

#[test]
fn version_1_1_0_is_kept_and_still_passes_its_own_scenarios() {
    // Records made with 1.1.0 name it by version and SHA-256; the copy lets them be re-scored.
    let old = needlecheck::loader::load_path(std::path::Path::new(
        "tests/fixtures/dry-needling-1.1.0.json",
    ))
    .expect("the 1.1.0 copy loads");
    assert_eq!(old.version(), "1.1.0");
    assert_eq!(embedded().version(), "2.4.0");
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_needlecheck"))
        .args(["validate", "tests/fixtures/dry-needling-1.1.0.json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("133 passed, 0 failed"));
}

#[test]
fn advice_and_findings_never_invite_booking_unless_the_screening_found_it_safe_to() {
    // A red-flag question left unanswered gives at least `incomplete`; the advice for that
    // and every higher level, and every finding's message (shown whatever the outcome), must
    // not say "book".
    let q = embedded();
    for level in Level::ALL.into_iter().filter(|l| *l >= Level::Incomplete) {
        let a = q.advice().for_level(level);
        for staff in [false, true] {
            let texts = std::iter::once(a.summary_for(staff))
                .chain(a.next_steps_for(staff).iter().map(String::as_str));
            for text in texts {
                assert!(!text.to_lowercase().contains("book"), "{level}: {text:?}");
            }
        }
    }
    for r in q.rules() {
        assert!(
            !r.rule.message.to_lowercase().contains("book"),
            "rule `{}`: {:?}",
            r.rule.id,
            r.rule.message
        );
    }
}

#[test]
fn front_desk_wording_exists_wherever_the_person_is_addressed() {
    let q = embedded();
    for s in q.sections() {
        assert!(
            s.staff_title.is_some(),
            "section `{}` has no staff title",
            s.id
        );
        assert_eq!(
            s.intro.is_some(),
            s.staff_intro.is_some(),
            "section `{}`",
            s.id
        );
    }
    let first_person = |t: &str| {
        let t = format!(" {} ", t.to_lowercase());
        [" i ", " my ", " me ", " i'm "]
            .iter()
            .any(|w| t.contains(w))
    };
    for question in q.questions() {
        for o in &question.options {
            if first_person(&o.label) {
                let staff = o.label_for(true);
                assert!(
                    !first_person(staff),
                    "`{}`: option `{}` has no staff label",
                    question.id,
                    o.code
                );
            }
        }
    }
    for level in Level::ALL {
        let a = q.advice().for_level(level);
        assert!(
            a.staff_summary.is_some() && a.staff_next_steps.is_some(),
            "{level}"
        );
    }
    let emergency = q.advice().for_level(Level::Emergency).next_steps_for(true);
    assert!(
        emergency
            .iter()
            .any(|s| s.contains("000") && s.contains("for the patient"))
    );
    assert!(
        emergency
            .iter()
            .any(|s| s.contains("Stay with the patient"))
    );
}
