//! The checker on hand-written bad files: each kind of problem is reported at the right place
//! (JSON pointer and line:column), with a did-you-mean where a typo is likely, and all problems
//! of a file are reported together.

use needlecheck::LoadError;
use needlecheck::diagnostics::Located;
use needlecheck::loader::load_str;
use serde_json::{Value, json};

const MINI: &str = include_str!("fixtures/mini.json");

fn mini() -> Value {
    serde_json::from_str(MINI).unwrap()
}

/// Index of a question of `mini.json` in section `health` (section 1).
fn health(v: &Value, id: &str) -> usize {
    v["sections"][1]["questions"]
        .as_array()
        .unwrap()
        .iter()
        .position(|q| q["id"] == id)
        .unwrap()
}

fn question_mut<'a>(v: &'a mut Value, id: &str) -> &'a mut Value {
    let i = health(v, id);
    &mut v["sections"][1]["questions"][i]
}

fn push_rule(v: &mut Value, rule: Value) -> usize {
    let rules = v["rules"].as_array_mut().unwrap();
    rules.push(rule);
    rules.len() - 1
}

/// Loads a file that must fail; returns its text and problems.
fn problems(v: &Value) -> (String, Vec<Located>) {
    let text = serde_json::to_string_pretty(v).unwrap();
    match load_str("bad.json", text.as_bytes()) {
        Ok(_) => panic!("a bad file loaded:\n{text}"),
        Err(LoadError::Invalid { problems, .. }) => (text, problems),
        Err(e) => panic!("expected located problems, got {e}"),
    }
}

/// The one problem at `pointer`.
fn at<'a>(ps: &'a [Located], pointer: &str) -> &'a Located {
    let found: Vec<&Located> = ps.iter().filter(|p| p.pointer == pointer).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one problem at {pointer}, got: {:#?}",
        ps
    );
    found[0]
}

/// The text from a problem's line and column onwards, on that line.
fn text_at<'a>(text: &'a str, p: &Located) -> &'a str {
    let line = text.lines().nth(p.line - 1).expect("line exists");
    let start = line
        .char_indices()
        .nth(p.column - 1)
        .map_or(line.len(), |(i, _)| i);
    &line[start..]
}

fn help(p: &Located) -> &str {
    p.help.as_deref().unwrap_or("")
}

#[test]
fn the_fixture_itself_loads() {
    let q =
        load_str("mini.json", MINI.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)));
    assert!(q.question_index("weeks").is_some() && q.question_index("which").is_some());
}

#[test]
fn misspelt_field_is_reported_at_its_key_with_did_you_mean() {
    let mut v = mini();
    let weeks = question_mut(&mut v, "weeks");
    let show_if = weeks.as_object_mut().unwrap().remove("show_if").unwrap();
    weeks["shwo_if"] = show_if;
    let i = health(&v, "weeks");
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/sections/1/questions/{i}/shwo_if"));
    assert!(
        p.message.contains("unknown field `shwo_if`"),
        "{}",
        p.message
    );
    assert_eq!(help(p), "did you mean `show_if`?");
    assert!(
        text_at(&text, p).starts_with("\"shwo_if\""),
        "points at: {}",
        text_at(&text, p)
    );
}

#[test]
fn unknown_question_in_show_if_suggests_the_close_id() {
    let mut v = mini();
    question_mut(&mut v, "pregnant")["show_if"] = json!({"q": "chest_pian", "equals": "no"});
    let i = health(&v, "pregnant");
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/sections/1/questions/{i}/show_if/q"));
    assert_eq!(p.message, "unknown question `chest_pian`");
    assert_eq!(help(p), "did you mean `chest_pain`?");
    assert!(text_at(&text, p).starts_with("\"chest_pian\""));
}

#[test]
fn unknown_option_code_suggests_the_close_code() {
    let mut v = mini();
    let r = push_rule(
        &mut v,
        json!({"id": "warf", "level": "review", "when": {"q": "which", "contains": "warfrin"}, "message": "Warfarin."}),
    );
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/rules/{r}/when/contains"));
    assert_eq!(p.message, "`which` has no option `warfrin`");
    assert_eq!(help(p), "did you mean `warfarin`?");
    assert!(text_at(&text, p).starts_with("\"warfrin\""));
}

#[test]
fn operator_that_does_not_fit_the_question_type_is_reported() {
    let mut v = mini();
    let r = push_rule(
        &mut v,
        json!({"id": "odd", "level": "review", "when": {"q": "pregnant", "lt": 3}, "message": "Odd."}),
    );
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/rules/{r}/when/lt"));
    assert_eq!(p.message, "`lt` does not fit `pregnant`, a yes_no question");
    assert!(help(p).contains("equals"), "{}", help(p));
    assert!(text_at(&text, p).starts_with('3'));
}

#[test]
fn duplicate_question_id_names_the_first_use() {
    let mut v = mini();
    let i = health(&v, "notes");
    v["sections"][1]["questions"][i]["id"] = "age".into();
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/sections/1/questions/{i}/id"));
    assert_eq!(
        p.message,
        "duplicate question id `age` (first used at /sections/1/questions/0/id)"
    );
    assert!(text_at(&text, p).starts_with("\"age\""));
}

#[test]
fn show_if_on_a_later_question_says_which_to_move() {
    let mut v = mini();
    question_mut(&mut v, "pregnant")["show_if"] = json!({"q": "thinners", "equals": "no"});
    let i = health(&v, "pregnant");
    let (_, ps) = problems(&v);
    let p = at(&ps, &format!("/sections/1/questions/{i}/show_if"));
    assert_eq!(
        p.message,
        "show_if of `pregnant` refers to `thinners`, which is asked later"
    );
    assert_eq!(help(p), "move `thinners` before `pregnant`");
}

#[test]
fn show_if_cycle_prints_the_cycle() {
    let mut v = mini();
    question_mut(&mut v, "pregnant")["show_if"] = json!({"q": "thinners", "equals": "no"});
    question_mut(&mut v, "thinners")["show_if"] = json!({"q": "pregnant", "equals": "no"});
    let (_, ps) = problems(&v);
    let cycles: Vec<&Located> = ps
        .iter()
        .filter(|p| p.message.starts_with("show_if cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{ps:#?}");
    let m = &cycles[0].message;
    assert!(
        m == "show_if cycle: pregnant → thinners → pregnant"
            || m == "show_if cycle: thinners → pregnant → thinners",
        "{m}"
    );
    // The cycle is the one problem: its forward edge is not reported a second time.
    assert_eq!(ps.len(), 1, "{ps:#?}");
}

#[test]
fn question_no_answers_can_show_is_reported_with_the_rules_that_use_it() {
    let mut v = mini();
    // `thinners` has allow_unsure: false, so it is either yes or no, never both.
    question_mut(&mut v, "notes")["show_if"] = json!({"all": [
        {"q": "thinners", "equals": "yes"},
        {"q": "thinners", "equals": "no"}
    ]});
    let i = health(&v, "notes");
    let r = push_rule(
        &mut v,
        json!({"id": "notes_given", "level": "review", "when": {"q": "notes", "answered": true}, "message": "Notes."}),
    );
    let (_, ps) = problems(&v);
    let p = at(&ps, &format!("/sections/1/questions/{i}/show_if"));
    assert_eq!(
        p.message,
        "`notes` can never be shown: no answers make its show_if hold"
    );
    let p = at(&ps, &format!("/rules/{r}/when"));
    assert_eq!(
        p.message,
        "rule `notes_given` refers to `notes`, which can never be shown"
    );
    assert_eq!(ps.len(), 2, "{ps:#?}");
}

#[test]
fn a_show_if_that_only_not_sure_can_satisfy_is_not_unreachable() {
    // `pregnant` offers "Not sure": then yes-and-no is unknown, and unknown shows the question.
    let mut v = mini();
    question_mut(&mut v, "notes")["show_if"] = json!({"all": [
        {"q": "pregnant", "equals": "yes"},
        {"q": "pregnant", "equals": "no"}
    ]});
    let text = serde_json::to_string(&v).unwrap();
    let q = load_str("ok.json", text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let notes = q.question_index("notes").unwrap();
    let answers = q
        .parse_answers(json!({"pregnant": "unsure"}).as_object().unwrap())
        .unwrap();
    assert!(q.visibility(&answers)[notes]);
}

#[test]
fn show_if_that_some_answer_satisfies_is_not_unreachable() {
    // A whole number can be below 2.5 and at least 2: it can be 2.
    let mut v = mini();
    question_mut(&mut v, "notes")["show_if"] =
        json!({"all": [{"q": "age", "lt": 2.5}, {"q": "age", "ge": 2}]});
    let text = serde_json::to_string(&v).unwrap();
    let q = load_str("ok.json", text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let notes = q.question_index("notes").unwrap();
    let answers = q
        .parse_answers(json!({"age": 2}).as_object().unwrap())
        .unwrap();
    assert!(q.visibility(&answers)[notes]);
}

#[test]
fn rule_level_clear_is_rejected() {
    let mut v = mini();
    v["rules"][3]["level"] = "clear".into();
    let (text, ps) = problems(&v);
    let p = at(&ps, "/rules/3/level");
    assert!(p.message.contains("level `clear`"), "{}", p.message);
    assert!(text_at(&text, p).starts_with("\"clear\""));
}

#[test]
fn unknown_rule_level_is_reported_at_the_level_with_the_choices() {
    let mut v = mini();
    v["rules"][3]["level"] = "critical".into();
    let (text, ps) = problems(&v);
    let p = at(&ps, "/rules/3/level");
    assert_eq!(p.message, "unknown level `critical`");
    assert!(
        help(p).contains("see_doctor"),
        "lists the levels: {}",
        help(p)
    );
    assert!(text_at(&text, p).starts_with("\"critical\""));
}

#[test]
fn misspelt_rule_level_suggests_the_level() {
    let mut v = mini();
    v["rules"][3]["level"] = "urgnet".into();
    let (_, ps) = problems(&v);
    let p = at(&ps, "/rules/3/level");
    assert_eq!(p.message, "unknown level `urgnet`");
    assert_eq!(help(p), "did you mean `urgent`?");
}

#[test]
fn several_problems_are_reported_together_in_file_order_of_checks() {
    let mut v = mini();
    // 1. a misspelt field in one question, 2. an unknown question in another's show_if,
    // 3. an operator that does not fit, 4. a duplicate rule id, 5. level clear.
    let weeks = question_mut(&mut v, "weeks");
    weeks["unitt"] = "weeks".into();
    question_mut(&mut v, "which")["show_if"] = json!({"q": "thinner", "equals": "yes"});
    let r1 = push_rule(
        &mut v,
        json!({"id": "odd", "level": "review", "when": {"q": "chest_pain", "ge": 1}, "message": "Odd."}),
    );
    let r2 = push_rule(
        &mut v,
        json!({"id": "minor", "level": "clear", "when": {"q": "age", "lt": 16}, "message": "Young."}),
    );
    let (weeks_i, which_i) = (health(&v, "weeks"), health(&v, "which"));
    let (_, ps) = problems(&v);
    let unitt = at(&ps, &format!("/sections/1/questions/{weeks_i}/unitt"));
    assert_eq!(help(unitt), "did you mean `unit`?");
    let thinner = at(&ps, &format!("/sections/1/questions/{which_i}/show_if/q"));
    assert_eq!(help(thinner), "did you mean `thinners`?");
    at(&ps, &format!("/rules/{r1}/when/ge"));
    at(&ps, &format!("/rules/{r2}/level"));
    let dup = at(&ps, &format!("/rules/{r2}/id"));
    assert!(
        dup.message.contains("duplicate rule id `minor`"),
        "{}",
        dup.message
    );
    assert_eq!(ps.len(), 5, "{ps:#?}");

    // The rendering names every problem with its file position.
    let text = serde_json::to_string_pretty(&v).unwrap();
    let rendered = load_str("bad.json", text.as_bytes())
        .unwrap_err()
        .render(false);
    assert_eq!(
        rendered.matches("error: bad.json:").count(),
        5,
        "{rendered}"
    );
}

// ---------- "Not sure" never lowers the outcome: tests that would break it ----------

/// The example that broke the promise: a rule that holds when `chest_pain` is *not* "Not
/// sure" scored "no" as urgent and "Not sure" as clear.
fn not_unsure_rule() -> Value {
    json!({"id": "sure_no_pain", "level": "urgent", "message": "M.",
           "when": {"q": "chest_pain", "unsure": false}})
}

#[test]
fn a_rule_that_holds_for_an_answer_that_is_not_not_sure_is_refused_at_the_test() {
    let mut v = mini();
    let ri = push_rule(&mut v, not_unsure_rule());
    let (text, ps) = problems(&v);
    let p = at(&ps, &format!("/rules/{ri}/when/unsure"));
    assert!(
        p.message.contains("sure_no_pain") && p.message.contains("`chest_pain`"),
        "{}",
        p.message
    );
    assert!(p.message.contains("lower outcome"), "{}", p.message);
    assert!(help(p).contains("\"not_monotone\": true"), "{}", help(p));
    assert!(
        text_at(&text, p).starts_with("false"),
        "{}",
        text_at(&text, p)
    );
}

#[test]
fn not_around_an_unsure_test_is_the_same_test_and_is_refused() {
    let mut v = mini();
    let ri = push_rule(
        &mut v,
        json!({"id": "r", "level": "review", "message": "M.",
               "when": {"all": [{"q": "age", "ge": 18},
                                {"not": {"q": "pregnant", "unsure": true}}]}}),
    );
    let (_, ps) = problems(&v);
    at(&ps, &format!("/rules/{ri}/when/all/1/not/unsure"));
    // Twice negated, it asks for "Not sure" again: accepted.
    let mut v = mini();
    push_rule(
        &mut v,
        json!({"id": "r", "level": "review", "message": "M.",
               "when": {"not": {"not": {"q": "pregnant", "unsure": true}}}}),
    );
    let text = v.to_string();
    load_str("ok.json", text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)));
}

#[test]
fn a_rule_marked_not_monotone_loads_and_is_outside_the_promise() {
    let mut v = mini();
    let mut rule = not_unsure_rule();
    rule["not_monotone"] = true.into();
    push_rule(&mut v, rule);
    let text = v.to_string();
    let q =
        load_str("marked.json", text.as_bytes()).unwrap_or_else(|e| panic!("{}", e.render(false)));
    let fires = |answer: &str| {
        let a = q
            .parse_answers(json!({"chest_pain": answer}).as_object().unwrap())
            .unwrap();
        needlecheck::score(&q, &a)
            .findings
            .iter()
            .any(|f| q.rules()[f.rule].rule.id == "sure_no_pain")
    };
    // What the flag owns up to: "no" fires the rule, "Not sure" does not.
    assert!(fires("no"));
    assert!(!fires("unsure"));
}

#[test]
fn not_monotone_on_a_rule_without_such_a_test_is_refused() {
    let mut v = mini();
    let ri = push_rule(
        &mut v,
        json!({"id": "r", "level": "review", "message": "M.", "not_monotone": true,
               "when": {"q": "pregnant", "unsure": true}}),
    );
    let (_, ps) = problems(&v);
    let p = at(&ps, &format!("/rules/{ri}/not_monotone"));
    assert!(help(p).contains("remove `not_monotone`"), "{}", help(p));
}

#[test]
fn a_show_if_that_holds_for_an_answer_that_is_not_not_sure_is_refused() {
    let mut v = mini();
    question_mut(&mut v, "thinners")["show_if"] = json!({"q": "pregnant", "unsure": false});
    let (_, ps) = problems(&v);
    let i = health(&v, "thinners");
    let p = at(&ps, &format!("/sections/1/questions/{i}/show_if/unsure"));
    assert!(
        p.message.contains("`thinners`") && p.message.contains("`pregnant`"),
        "{}",
        p.message
    );
    assert!(help(p).contains("one_of"), "{}", help(p));
}
