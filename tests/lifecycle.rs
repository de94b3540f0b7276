//! One screening lifecycle for every front end: the interrupt of a `stop` rule, how a screening
//! ended, level words, notices and saving, rendered by the plain line mode and by the TUI and
//! compared with each other and with the engine's [`screening`] module they both lay out.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use needlecheck::frontend::RunOptions;
use needlecheck::model::{Level, QuestionType};
use needlecheck::questionnaire::Questionnaire;
use needlecheck::report::outcome_line;
use needlecheck::screening::{
    INTERRUPTED_NOTICE, INTERRUPTED_UNSAVED_NOTICE, Interrupt, Notice, Status, exit,
};
use needlecheck::tui::app::{App, Effect, Msg, Screen, update};
use needlecheck::tui::view;
use needlecheck::{Answer, Session, Step, plain};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

const MINI: &str = "tests/fixtures/mini.json";

fn mini() -> Questionnaire {
    needlecheck::loader::load_path(Path::new(MINI)).expect("fixture loads")
}

/// The fixture with its chest-pain `stop` rule at `urgent` instead of `emergency`.
fn urgent_stop() -> Questionnaire {
    let mut v: Value = serde_json::from_str(&fs::read_to_string(MINI).unwrap()).unwrap();
    v["rules"][0]["level"] = json!("urgent");
    v["tests"][1]["expect"] = json!("urgent");
    needlecheck::loader::load_str("urgent.json", v.to_string().as_bytes()).expect("loads")
}

/// Text as a reader sees it: no frame or symbols, runs of spaces and line ends as one space.
fn words(text: &str) -> String {
    text.chars()
        .map(|c| {
            if ('\u{2500}'..='\u{257f}').contains(&c) || c == '☎' || c == '›' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------- the two front ends ----------

struct Plain {
    result: std::io::Result<u8>,
    prompts: String,
    advice: String,
}

fn plain_run(q: &Questionnaire, opts: &RunOptions, input: &mut dyn std::io::BufRead) -> Plain {
    let (mut prompts, mut advice) = (Vec::new(), Vec::new());
    let result = plain::run(q, opts, input, &mut prompts, &mut advice);
    Plain {
        result,
        prompts: String::from_utf8(prompts).unwrap(),
        advice: String::from_utf8(advice).unwrap(),
    }
}

fn plain(q: &Questionnaire, input: &str) -> Plain {
    plain_run(q, &RunOptions::default(), &mut input.as_bytes())
}

/// A key the TUI understands: a character, or Enter / Esc / Backspace by name.
#[derive(Clone, Copy)]
enum K {
    C(char),
    Enter,
    Esc,
    /// Shift-Tab: back to the previous question, also from a box to type in.
    Back,
    Home,
    Down,
}

fn tui<'q>(q: &'q Questionnaire, opts: &RunOptions, keys: &[K]) -> App<'q> {
    let mut app = App::new(q, opts, (120, 60));
    for k in keys {
        send(&mut app, *k);
    }
    app
}

/// Sends one key, which must have no effect outside the app.
fn send(app: &mut App, k: K) {
    let code = match k {
        K::C(c) => KeyCode::Char(c),
        K::Enter => KeyCode::Enter,
        K::Esc => KeyCode::Esc,
        K::Back => KeyCode::BackTab,
        K::Home => KeyCode::Home,
        K::Down => KeyCode::Down,
    };
    let effect = update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    assert!(matches!(effect, Effect::None), "no effect expected here");
}

/// Keys that type `text` and press Enter.
fn typed(text: &str) -> Vec<K> {
    text.chars().map(K::C).chain([K::Enter]).collect()
}

fn screen(app: &mut App) -> String {
    let mut t = Terminal::new(TestBackend::new(app.size().0, app.size().1)).unwrap();
    t.draw(|f| view::view(app, f)).unwrap();
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Start, chest pain, age, pregnant.
fn tui_start(age: &str) -> Vec<K> {
    let mut keys = vec![K::Enter, K::C('n')];
    keys.extend(typed(age));
    keys
}

// ---------- the interrupt ----------

fn both_show_the_interrupt(q: &Questionnaire) -> (String, String, Interrupt<'_>) {
    let p = plain(q, "y\n\n");
    assert_eq!(p.result.as_ref().ok(), Some(&exit::OK));
    let mut app = tui(q, &RunOptions::default(), &[K::Enter, K::C('y')]);
    assert_eq!(app.screen(), Screen::Emergency(0));
    let shown = words(&screen(&mut app));
    let mut session = Session::new(q);
    assert_eq!(session.answer(Answer::Yes), Ok(Step::Stopped(0)));
    let alert = Interrupt::new(&session, 0, false);
    let mut parts: Vec<String> = vec![
        alert.title.to_string(),
        alert.headline.clone(),
        "What to tell them:".into(),
    ];
    if !alert.steps.is_empty() {
        parts.push("What to do:".into());
    }
    parts.extend(alert.messages.iter().map(|m| m.to_string()));
    parts.extend(alert.summary.map(str::to_string));
    parts.extend(alert.contacts.iter().cloned());
    parts.extend(alert.tell.iter().cloned());
    parts.extend(alert.steps.iter().map(|s| s.to_string()));
    let said = words(&p.prompts);
    for part in parts {
        let part = words(&part);
        assert!(said.contains(&part), "plain mode lacks {part:?}:\n{said}");
        assert!(shown.contains(&part), "the TUI lacks {part:?}:\n{shown}");
    }
    (said, shown, alert)
}

#[test]
fn an_emergency_stop_reads_the_same_in_both_front_ends() {
    let q = mini();
    let (said, shown, alert) = both_show_the_interrupt(&q);
    assert_eq!(alert.headline, "CALL 000 NOW");
    assert!(said.contains("EMERGENCY: CALL 000 NOW."), "{said}");
    assert!(shown.contains("EMERGENCY") && shown.contains("CALL 000 NOW"));
    // The rule has no steps of its own, and the level's only step ("Call 000.") would repeat
    // the headline: no steps, no summary ("Call 000 now."), no 000 line; the call once.
    assert_eq!(alert.messages, ["Chest pain now can be a heart attack."]);
    assert!(alert.steps.is_empty() && alert.summary.is_none() && alert.contacts.is_empty());
    let from = |text: &str| {
        text[text.find("EMERGENCY").unwrap()..]
            .matches("000")
            .count()
    };
    assert_eq!(from(&said), 1, "{said}");
    assert_eq!(from(&shown), 1, "{shown}");
    // What to tell the call-taker includes the answer that fired the rule.
    assert!(
        alert
            .tell
            .contains(&"\"Do you have chest pain right now?\": Yes".to_string())
    );
}

#[test]
fn a_stop_rule_below_emergency_reads_the_same_and_does_not_say_call_000() {
    let q = urgent_stop();
    let (said, shown, alert) = both_show_the_interrupt(&q);
    assert_eq!(alert.level, Level::Urgent);
    assert_eq!(alert.headline, "SEE A DOCTOR TODAY");
    assert_eq!(alert.title, "STOP");
    assert_eq!(alert.summary, Some("See a doctor or go to ED today."));
    // Neither front end calls it an emergency or says to call 000 now; the 000 line is there
    // because the questionnaire lists it for `urgent`.
    for text in [&said, &shown] {
        assert!(!text.contains("CALL 000 NOW"), "{text}");
        assert!(!text.contains("EMERGENCY"), "{text}");
        assert!(text.contains("Go to ED or see a doctor today."), "{text}");
    }
}

// ---------- the emergencies of the built-in questionnaire ----------

fn dry_needling() -> Questionnaire {
    needlecheck::loader::load_path(Path::new("questionnaires/dry-needling.json"))
        .expect("the built-in questionnaire")
}

/// The answers, in the order they are asked, that take a screening to the interrupt of `rule`:
/// those of the first embedded test case that fires it, given until it stops.
fn path_to_stop(q: &Questionnaire, rule: usize) -> Vec<(usize, Answer)> {
    let id = &q.rules()[rule].rule.id;
    for case in q.tests() {
        if !case.expect_rules.as_ref().is_some_and(|r| r.contains(id)) {
            continue;
        }
        let answers = q.parse_answers(&case.answers).expect("the case's answers");
        let mut session = Session::new(q);
        let mut path = Vec::new();
        while let Some(c) = session.current() {
            let Some(a) = answers.get(c).cloned() else {
                break;
            };
            path.push((c, a.clone()));
            match session.answer(a) {
                Ok(Step::Stopped(r)) if r == rule => return path,
                Ok(Step::Stopped(_)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    }
    panic!("no embedded test case reaches the interrupt of `{id}`")
}

/// The line plain mode reads for an answer.
fn line_for(q: &Questionnaire, c: usize, a: &Answer) -> String {
    let question = &q.questions()[c];
    match a {
        Answer::Yes => "y".into(),
        Answer::No => "n".into(),
        Answer::Unsure => "u".into(),
        Answer::Choice(i) => (i + 1).to_string(),
        Answer::Multi(xs) => xs
            .iter()
            .map(|i| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(","),
        Answer::Number(n) => needlecheck::answers::fmt_num(*n),
        Answer::Text(t) => {
            assert!(!t.is_empty(), "{}", question.id);
            t.clone()
        }
    }
}

/// The keys the TUI takes for an answer.
fn keys_for(q: &Questionnaire, c: usize, a: &Answer) -> Vec<K> {
    let question = &q.questions()[c];
    match a {
        Answer::Yes => vec![K::C('y')],
        Answer::No => vec![K::C('n')],
        Answer::Unsure if question.kind == QuestionType::YesNo => vec![K::C('u')],
        Answer::Multi(xs) => {
            let mut keys = vec![K::Home];
            for i in 0..question.options.len() {
                if xs.contains(&i) {
                    keys.push(K::C(' '));
                }
                keys.push(K::Down);
            }
            keys.push(K::Enter);
            keys
        }
        _ => typed(&line_for(q, c, a)),
    }
}

/// The interrupt of `rule` as plain mode says it and as the TUI shows it (in a window tall
/// enough for all of it), in words; self-check or front-desk wording.
fn interrupt_in_both(q: &Questionnaire, rule: usize, staff: bool) -> (String, String) {
    let path = path_to_stop(q, rule);
    let opts = RunOptions {
        staff,
        subject: staff.then(|| "P-1".to_string()),
        ..RunOptions::default()
    };
    let mut input: String = path
        .iter()
        .map(|(c, a)| line_for(q, *c, a) + "\n")
        .collect();
    input.push('\n');
    let p = plain_run(q, &opts, &mut input.as_bytes());
    assert_eq!(p.result.as_ref().ok(), Some(&exit::OK));
    let start = p
        .prompts
        .rfind("EMERGENCY: ")
        .expect("plain mode shows the interrupt");
    let end = p.prompts[start..]
        .find("Type back if you answered by mistake")
        .expect("the interrupt ends with the question")
        + start;
    let said = words(&p.prompts[start..end]);
    let mut keys = vec![K::Enter];
    keys.extend(path.iter().flat_map(|(c, a)| keys_for(q, *c, a)));
    let mut app = App::new(q, &opts, (100, 60));
    for k in keys {
        send(&mut app, k);
    }
    assert_eq!(app.screen(), Screen::Emergency(rule));
    let shown = screen(&mut app);
    assert!(
        !shown.contains("↓ more"),
        "the whole interrupt is in view:\n{shown}"
    );
    (said, words(&shown))
}

#[test]
fn each_emergency_says_call_000_once_with_its_own_steps_and_no_other_line() {
    let q = dry_needling();
    let stops: Vec<usize> = (0..q.rules().len())
        .filter(|&r| q.rules()[r].rule.stop && q.rules()[r].rule.level == Level::Emergency)
        .collect();
    let ids: Vec<&str> = stops
        .iter()
        .map(|&r| q.rules()[r].rule.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "em_chest_pain",
            "em_breathing",
            "em_stroke",
            "em_headache",
            "em_back_belly",
            "em_self_harm",
            "after_needling_emergency",
            "cad_now"
        ]
    );
    for staff in [false, true] {
        for &rule in &stops {
            let r = &q.rules()[rule].rule;
            let own = r
                .steps_for(staff)
                .expect("every emergency has its own steps");
            let (said, shown) = interrupt_in_both(&q, rule, staff);
            for (front, text) in [("plain", &said), ("TUI", &shown)] {
                let at = format!("{front}, `{}`, staff {staff}:\n{text}", r.id);
                // The call, once: in the headline, before anything else is said.
                assert_eq!(text.matches("000").count(), 1, "{at}");
                let call = text.find("CALL 000 NOW").expect(&at);
                let why = text.find(&words(&r.message)).expect(&at);
                assert!(call < why, "{at}");
                // Then why, then this emergency's steps in order, then what to tell them.
                let mut from = why;
                for step in own {
                    let i = text[from..].find(&words(step)).expect(&at);
                    from += i;
                }
                let tell = text.find("What to tell them:").expect(&at);
                assert!(from < tell, "{at}");
                // No other emergency's steps, no other line to call.
                for &other in stops.iter().filter(|&&o| o != rule) {
                    for step in q.rules()[other].rule.steps_for(staff).unwrap_or_default() {
                        if !own.contains(step) {
                            assert!(!text.contains(&words(step)), "{step:?} in {at}");
                        }
                    }
                }
                for other in ["Lifeline", "13 11 14", "1800", "nurse"] {
                    assert!(!text.contains(other), "{other:?} in {at}");
                }
            }
        }
    }
}

#[test]
fn emergencies_that_fire_together_give_their_reasons_and_steps_once_in_rule_order() {
    let q = dry_needling();
    let rule = |id: &str| q.rules().iter().position(|r| r.rule.id == id).unwrap();
    let (chest, breathing) = (rule("em_chest_pain"), rule("em_breathing"));
    let mut session = Session::new(&q);
    assert_eq!(session.answer(Answer::No), Ok(Step::Next(1)));
    assert_eq!(session.answer(Answer::Yes), Ok(Step::Stopped(breathing)));
    // Back from the alert, keeping the answer, and "yes" to the first question too.
    assert!(session.back());
    assert!(session.go_to(0));
    assert_eq!(session.answer(Answer::Yes), Ok(Step::Stopped(chest)));
    for staff in [false, true] {
        let alert = Interrupt::new(&session, chest, staff);
        let (a, b) = (&q.rules()[chest].rule, &q.rules()[breathing].rule);
        assert_eq!(alert.messages, [a.message.as_str(), b.message.as_str()]);
        let mut expected: Vec<&str> = Vec::new();
        for step in a
            .steps_for(staff)
            .unwrap()
            .iter()
            .chain(b.steps_for(staff).unwrap())
        {
            if !expected.contains(&step.as_str()) {
                expected.push(step);
            }
        }
        assert_eq!(alert.steps, expected);
        // The two share their first step: it is said once.
        assert!(
            expected.len() < a.steps_for(staff).unwrap().len() + b.steps_for(staff).unwrap().len()
        );
        // Both answers are what to tell them, after the call-taker's own line.
        assert_eq!(alert.tell.len(), 3, "{:?}", alert.tell);
    }
}

// ---------- level words, status ----------

#[test]
fn level_words_are_the_same_on_the_result_screen_and_in_the_printed_advice() {
    let q = mini();
    let p = plain(&q, "n\n30\ny\n10\nn\n\n");
    let mut keys = tui_start("30");
    keys.push(K::C('y'));
    keys.extend(typed("10"));
    keys.extend([K::C('n'), K::Enter]);
    let mut app = tui(&q, &RunOptions::default(), &keys);
    assert_eq!(app.screen(), Screen::Result);
    let shown = screen(&mut app);
    let line = outcome_line("Not suitable now", Level::NotSuitable);
    assert_eq!(line, "RESULT: Not suitable now (not suitable)");
    assert!(p.advice.starts_with(&line), "{}", p.advice);
    assert!(shown.contains(&line), "{shown}");
    for text in [&p.advice, &shown] {
        assert!(!text.contains("not_suitable"), "{text}");
    }
    // The handover (front-desk mode) uses the same words.
    let staff = RunOptions {
        staff: true,
        ..RunOptions::default()
    };
    let p = plain_run(&q, &staff, &mut "n\n30\ny\n10\nn\n\nn\n".as_bytes());
    assert!(
        p.advice
            .contains("Outcome: not suitable (Not suitable now)")
    );
    assert!(p.advice.contains("[not suitable] early_pregnancy"));
}

fn saved_records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            out.push(serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap());
        }
    }
    out
}

fn saving_to(dir: &Path) -> RunOptions {
    RunOptions {
        save_dir: Some(dir.to_path_buf()),
        ..RunOptions::default()
    }
}

/// Runs `app`'s pending save (the run loop's job) and feeds the result back.
fn carry_out<'q>(app: &mut App<'q>, effect: Effect<'q>) -> Effect<'q> {
    match effect {
        Effect::Save(s, dir) => {
            let result = needlecheck::tui::save(&s, &dir, &needlecheck::formats::Format::SAVED);
            let next = update(app, Msg::Saved(result));
            carry_out(app, next)
        }
        other => other,
    }
}

fn key<'q>(app: &mut App<'q>, code: KeyCode) -> Effect<'q> {
    let effect = update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    carry_out(app, effect)
}

#[test]
fn a_finished_screening_left_from_the_review_stays_completed_and_abandoned_is_never_clear() {
    let q = mini();
    // Finished, then the review list opened from the result and left with q: completed.
    let dir = tempfile::tempdir().unwrap();
    let mut keys = tui_start("40");
    keys.extend([K::C('n'), K::C('n'), K::Enter, K::C('r')]);
    let mut app = tui(&q, &saving_to(dir.path()), &keys);
    assert_eq!(app.screen(), Screen::Review);
    assert_eq!(app.leaving_status(), Some(Status::Completed));
    key(&mut app, KeyCode::Char('q'));
    assert!(screen(&mut app).contains("The screening is complete"));
    assert!(matches!(key(&mut app, KeyCode::Char('y')), Effect::Exit));
    assert_eq!(app.exit_status(), exit::OK);
    let last = app.take_final().expect("the advice");
    // The run prints the advice first, then asks for the exit status.
    assert_eq!(app.exit_status(), exit::OK);
    assert_eq!(last.status, Status::Completed);
    assert!(
        last.advice()
            .unwrap()
            .starts_with("RESULT: You can book (clear)")
    );
    let plain_dir = tempfile::tempdir().unwrap();
    let p = plain_run(
        &q,
        &saving_to(plain_dir.path()),
        &mut "n\n40\nn\nn\n\n".as_bytes(),
    );
    assert_eq!(p.result.ok(), Some(exit::OK));
    let (tui_rec, plain_rec) = (saved_records(dir.path()), saved_records(plain_dir.path()));
    assert_eq!(tui_rec.len(), 1);
    for r in [&tui_rec[0], &plain_rec[0]] {
        assert_eq!(
            (&r["status"], &r["outcome"]),
            (&json!("completed"), &json!("clear"))
        );
    }

    // Left at the last, optional, question: abandoned, and not clear on screen, in the text
    // or in the record of either front end.
    let dir = tempfile::tempdir().unwrap();
    let mut keys = tui_start("40");
    keys.extend([K::C('n'), K::C('n'), K::Esc]);
    let mut app = tui(&q, &saving_to(dir.path()), &keys);
    assert!(screen(&mut app).contains("The screening is not finished"));
    assert!(matches!(key(&mut app, KeyCode::Char('y')), Effect::Exit));
    assert_eq!(app.exit_status(), exit::ABANDONED);
    let tui_text = app.take_final().unwrap().advice().unwrap();
    assert_eq!(app.exit_status(), exit::ABANDONED);
    let plain_dir = tempfile::tempdir().unwrap();
    let p = plain_run(
        &q,
        &saving_to(plain_dir.path()),
        &mut "n\n40\nn\nn\nquit\n".as_bytes(),
    );
    assert_eq!(p.result.ok(), Some(exit::ABANDONED));
    assert_eq!(tui_text, p.advice);
    assert!(tui_text.starts_with("RESULT: Not finished (incomplete)"));
    let (tui_rec, plain_rec) = (saved_records(dir.path()), saved_records(plain_dir.path()));
    for r in [&tui_rec[0], &plain_rec[0]] {
        assert_eq!(
            (&r["status"], &r["outcome"]),
            (&json!("abandoned"), &json!("incomplete"))
        );
    }
    assert!(p.prompts.contains(Status::Abandoned.notice().unwrap()));
}

// ---------- notices ----------

#[test]
fn removed_and_added_questions_are_announced_alike() {
    let q = mini();
    // pregnant yes, weeks 20, then back to pregnant: no (weeks removed), back again: yes
    // (weeks added).
    let p = plain(&q, "n\n30\ny\n20\nback\nback\nn\nback\ny\n");
    let mut keys = tui_start("30");
    keys.push(K::C('y'));
    keys.extend(typed("20"));
    keys.extend([K::C('b'), K::Back, K::C('n')]);
    let mut app = tui(&q, &RunOptions::default(), &keys);
    let removed_screen = words(&screen(&mut app));
    let weeks = q.question_index("weeks").unwrap();
    let removed = Notice::dropped(&q, &[weeks], false).unwrap();
    assert_eq!(
        removed.headline,
        "Because of this answer, 1 earlier answer no longer applies and was removed:"
    );
    let mut keys2 = vec![K::C('b'), K::C('y')];
    for k in keys2.drain(..) {
        let code = match k {
            K::C(c) => KeyCode::Char(c),
            _ => unreachable!(),
        };
        key(&mut app, code);
    }
    let added_screen = words(&screen(&mut app));
    let added = Notice::added(&q, &[weeks], false).unwrap();
    assert_eq!(
        added.headline,
        "Because of this answer, 1 more question is asked:"
    );
    let said = words(&p.prompts);
    // Only the change announces the follow-up; the first "yes" simply goes on to it.
    assert_eq!(said.matches(&added.headline).count(), 1, "{said}");
    for (notice, shown) in [(&removed, &removed_screen), (&added, &added_screen)] {
        for part in std::iter::once(&notice.headline).chain(&notice.items) {
            let part = words(part);
            assert!(said.contains(&part), "plain mode lacks {part:?}:\n{said}");
            assert!(shown.contains(&part), "the TUI lacks {part:?}:\n{shown}");
        }
    }
}

// ---------- saving ----------

/// Input that removes a folder when it is first read from (after the run checked it).
struct RemovesFolder<'a> {
    folder: PathBuf,
    rest: &'a [u8],
}

impl Read for RemovesFolder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let _ = fs::remove_dir(&self.folder);
        self.rest.read(buf)
    }
}

const ALL_NO: &str = "n\n40\nn\nn\n\n";

/// The TUI after an all-no screening, quit from the result with a save folder that is gone.
fn tui_failed_save<'q>(q: &'q Questionnaire, folder: &Path) -> App<'q> {
    let mut keys = tui_start("40");
    keys.extend([K::C('n'), K::C('n'), K::Enter]);
    let mut app = tui(q, &saving_to(folder), &keys);
    fs::remove_dir(folder).unwrap();
    assert!(matches!(key(&mut app, KeyCode::Char('q')), Effect::None));
    assert_eq!(app.screen(), Screen::SaveFailed);
    app
}

#[test]
fn the_save_failed_screen_keeps_its_keys_and_heading_in_small_windows() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    fs::create_dir(&gone).unwrap();
    let mut app = tui_failed_save(&q, &gone);
    for typing in [false, true] {
        if typing {
            key(&mut app, KeyCode::Char('f'));
            for c in "/srv/a-long-folder-name/for-the-records".chars() {
                key(&mut app, KeyCode::Char(c));
            }
        }
        for (w, h) in [(40u16, 12u16), (80, 24)] {
            update(&mut app, Msg::Resize(w, h));
            let shown = screen(&mut app);
            let bar = shown.lines().last().unwrap_or_default().to_string();
            let at = format!("{w}x{h}, typing {typing}");
            assert!(shown.contains("NOT SAVED"), "{at}:\n{shown}");
            if !typing {
                assert!(shown.contains("THE RECORD WAS NOT SAVED"), "{at}:\n{shown}");
            }
            assert!(bar.contains("Enter "), "{at}: {bar}");
            let way_out = if typing { "Esc cancel" } else { " give up" };
            assert!(bar.contains(way_out), "{at}: {bar}");
            if typing {
                // The end of what is typed, where the cursor is, stays in view.
                assert!(shown.contains("the-records"), "{at}:\n{shown}");
            }
        }
    }
}

#[test]
fn a_failed_save_is_said_at_once_kept_and_can_go_to_another_folder_in_both() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let (gone, other) = (dir.path().join("gone"), dir.path().join("other"));
    fs::create_dir(&gone).unwrap();
    fs::create_dir(&other).unwrap();
    let why = needlecheck::records::check_writable(&dir.path().join("missing"))
        .unwrap_err()
        .to_string()
        .replace("missing", "gone");

    let mut app = tui_failed_save(&q, &gone);
    let shown = words(&screen(&mut app));
    assert!(shown.contains("THE RECORD WAS NOT SAVED"), "{shown}");
    assert!(shown.contains(&words(&why)), "{shown}");
    // Another folder: typed, then saved there, and the run ends as the screening did.
    key(&mut app, KeyCode::Char('f'));
    for c in other.to_str().unwrap().chars() {
        key(&mut app, KeyCode::Char(c));
    }
    assert!(matches!(key(&mut app, KeyCode::Enter), Effect::Exit));
    assert_eq!(app.exit_status(), exit::OK);
    let names = app.saved().unwrap().names();
    assert!(names[0].starts_with("needlecheck-") && names[0].ends_with("-1.json"));
    assert_eq!(saved_records(&other).len(), 1);

    // Plain mode: the same message, then the other folder typed at the prompt.
    fs::create_dir(&gone).unwrap();
    let input = format!("{ALL_NO}{}\n", other.display());
    let mut input = std::io::BufReader::new(RemovesFolder {
        folder: gone.clone(),
        rest: input.as_bytes(),
    });
    let p = plain_run(&q, &saving_to(&gone), &mut input);
    assert_eq!(p.result.ok(), Some(exit::OK), "{}", p.prompts);
    assert!(
        p.prompts.contains(&format!("NOT SAVED: {why}")),
        "{}",
        p.prompts
    );
    assert!(p.prompts.contains("type r to try again"));
    assert!(
        p.prompts.contains(&format!(
            // The full screen saved number 1 there above.
            "Saved the record as number 2 in {}.",
            other.display()
        )),
        "{}",
        p.prompts
    );
    assert_eq!(saved_records(&other).len(), 2);
}

#[test]
fn a_record_given_up_never_ends_in_success_in_either_front_end() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    fs::create_dir(&gone).unwrap();
    let mut app = tui_failed_save(&q, &gone);
    // Retrying while the folder is still gone fails again and stays on the screen.
    assert!(matches!(key(&mut app, KeyCode::Enter), Effect::None));
    assert_eq!(app.screen(), Screen::SaveFailed);
    key(&mut app, KeyCode::Char('q'));
    assert!(screen(&mut app).contains("Give up this record?"));
    assert!(matches!(key(&mut app, KeyCode::Char('y')), Effect::Exit));
    assert_eq!(app.exit_status(), exit::IO);
    // The advice is still given.
    let advice = app.take_final().unwrap().advice().unwrap();
    assert!(advice.starts_with("RESULT: You can book (clear)"));

    fs::create_dir(&gone).unwrap();
    let input = format!("{ALL_NO}r\nskip\n");
    let mut input = std::io::BufReader::new(RemovesFolder {
        folder: gone.clone(),
        rest: input.as_bytes(),
    });
    let p = plain_run(&q, &saving_to(&gone), &mut input);
    let err = p.result.expect_err("a lost record is an error");
    assert!(err.to_string().contains("could not be saved"), "{err}");
    assert_eq!(p.prompts.matches("NOT SAVED:").count(), 2, "{}", p.prompts);
    assert_eq!(p.advice, advice);
}

#[test]
fn at_the_front_desk_a_failed_save_is_shown_before_the_next_patient_in_both() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    fs::create_dir(&gone).unwrap();
    let staff = RunOptions {
        staff: true,
        ..saving_to(&gone)
    };
    // TUI: `n` on the result stops on the failure, not on the next patient's welcome.
    let mut keys = vec![K::Enter, K::Enter, K::C('n')];
    keys.extend(typed("40"));
    keys.extend([K::C('n'), K::C('n'), K::Enter]);
    let mut app = tui(&q, &staff, &keys);
    assert_eq!(app.screen(), Screen::Result);
    fs::remove_dir(&gone).unwrap();
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(key(&mut app, KeyCode::Enter), Effect::None));
    assert_eq!(app.screen(), Screen::SaveFailed);
    assert!(!screen(&mut app).contains("Patients finished so far"));
    // Given up: the next patient comes, and the run can no longer end in success.
    key(&mut app, KeyCode::Char('q'));
    assert!(matches!(
        key(&mut app, KeyCode::Char('y')),
        Effect::Finished(_)
    ));
    assert_eq!(app.screen(), Screen::Welcome);
    assert!(screen(&mut app).contains("Patients finished so far: 1"));
    key(&mut app, KeyCode::Esc);
    assert!(matches!(key(&mut app, KeyCode::Char('y')), Effect::Exit));
    assert_eq!(app.exit_status(), exit::IO);

    // Plain mode: the failure and its choices come before "Next patient?".
    fs::create_dir(&gone).unwrap();
    let input = format!("{ALL_NO}skip\ny\n\n{ALL_NO}n\n");
    let mut input = std::io::BufReader::new(RemovesFolder {
        folder: gone.clone(),
        rest: input.as_bytes(),
    });
    let p = plain_run(&q, &staff, &mut input);
    let failed = p.prompts.find("NOT SAVED:").expect("the failure is said");
    let next = p.prompts.find("Next patient?").expect("asked");
    assert!(failed < next, "{}", p.prompts);
    assert!(p.result.is_err(), "a lost record ends in an error");
}

#[test]
fn retrying_after_the_folder_is_back_saves_in_the_tui() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    fs::create_dir(&gone).unwrap();
    let mut app = tui_failed_save(&q, &gone);
    fs::create_dir(&gone).unwrap();
    assert!(matches!(key(&mut app, KeyCode::Enter), Effect::Exit));
    assert_eq!(app.exit_status(), exit::OK);
    assert_eq!(saved_records(&gone).len(), 1);
}

#[test]
fn front_desk_saves_are_confirmed_with_names_that_carry_the_id_and_a_rising_sequence() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        staff: true,
        subject: Some("A-1".into()),
        ..saving_to(dir.path())
    };
    let mut app = tui(&q, &opts, &[]);
    let mut names = Vec::new();
    for id in ["", "B/2"] {
        for c in id.chars() {
            key(&mut app, KeyCode::Char(c));
        }
        for k in [KeyCode::Enter, KeyCode::Char('n')] {
            key(&mut app, k);
        }
        for c in "40".chars() {
            key(&mut app, KeyCode::Char(c));
        }
        for k in [
            KeyCode::Enter,
            KeyCode::Char('n'),
            KeyCode::Char('n'),
            KeyCode::Enter,
        ] {
            key(&mut app, k);
        }
        assert_eq!(app.screen(), Screen::Result);
        key(&mut app, KeyCode::Char('n'));
        assert!(matches!(key(&mut app, KeyCode::Enter), Effect::Finished(_)));
        let saved = app.saved().cloned().expect("saved");
        // The next patient's welcome confirms the save by its number and folder, without the
        // previous patient's ID that the file names hold.
        let shown = words(&screen(&mut app));
        let folder = dir.path().display();
        let expected = format!(
            "Saved the previous record as number {} in {folder}.",
            names.len() + 1
        );
        assert!(shown.contains(&words(&expected)), "{shown}");
        assert!(!shown.contains("A-1") && !shown.contains("B/2"), "{shown}");
        names.push(saved.names()[0].clone());
    }
    assert!(names[0].ends_with("-1-A-1.json"), "{names:?}");
    assert!(names[1].ends_with("-2-B_2.json"), "{names:?}");
}

// ---------- the binary ----------

fn needlecheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_needlecheck"))
}

#[test]
fn save_dir_is_refused_where_nothing_is_saved_and_where_nothing_can_be() {
    let out = needlecheck()
        .args([
            "--save-dir",
            ".",
            "score",
            "--answers",
            "tests/fixtures/cli/all-no.json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::INVALID)));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--save-dir"));
    assert!(out.stdout.is_empty());
    // A folder nothing can be created in, even by root: refused before the first question.
    let out = needlecheck()
        .args(["--plain", "--save-dir", "/proc"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(i32::from(exit::INVALID)));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot save screenings in /proc"), "{err}");
    assert!(!err.contains("chest pain"), "{err}");
}

/// The binary in plain mode, its stdin open for answers and its stderr collected as it comes.
struct PlainChild {
    child: std::process::Child,
    stderr: Arc<Mutex<String>>,
    reader: std::thread::JoinHandle<()>,
}

impl PlainChild {
    fn spawn(args: &[&str]) -> PlainChild {
        let mut child = needlecheck()
            .args(["--plain", "-q", MINI])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        PlainChild {
            child,
            stderr,
            reader,
        }
    }

    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.stderr.lock().unwrap().contains(text) {
            assert!(Instant::now() < deadline, "{text:?} never came");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_lines(&mut self, text: &str) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn signal(&self, signal: i32) {
        let pid = i32::try_from(self.child.id()).unwrap();
        // SAFETY: sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    }

    /// Exit status, stderr, stdout.
    fn finish(mut self) -> (Option<i32>, String, String) {
        let status = self.child.wait().unwrap();
        self.reader.join().unwrap();
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        let stderr = self.stderr.lock().unwrap().clone();
        (status.code(), stderr, stdout)
    }
}

#[test]
fn plain_mode_ends_on_a_signal_like_the_tui() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        let child = PlainChild::spawn(&[]);
        // Wait for the first question: the handlers are in place before it is asked.
        child.wait_for("Do you have chest pain");
        child.signal(signal);
        let (code, stderr, stdout) = child.finish();
        assert_eq!(code, Some(130), "signal {signal}");
        assert!(stderr.contains(INTERRUPTED_NOTICE));
        assert_eq!(stdout, "", "no advice for an interrupted screening");
    }
}

/// A signal while a failed save waits for the staff's choice gives that record up — a last
/// try in the folder that just failed would fail again — but never silently: the terminal says
/// this screening's record was NOT saved, the advice given stays given, and the run ends in the
/// status of a lost record, not 130. The same decision in both front ends.
#[test]
fn a_signal_while_a_failed_save_waits_says_the_record_was_not_saved_in_both() {
    let q = mini();
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone");
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for msg in [Msg::Interrupt, Msg::Key(ctrl_c)] {
        fs::create_dir(&gone).unwrap();
        let mut app = tui_failed_save(&q, &gone);
        assert!(matches!(update(&mut app, msg), Effect::Exit));
        assert_eq!(app.exit_status(), exit::IO);
        assert_eq!(app.lost(), 1);
        let notes = app.end_notes();
        assert_eq!(
            notes.first().map(String::as_str),
            Some(INTERRUPTED_UNSAVED_NOTICE)
        );
        let advice = app.take_final().expect("its screening").advice().unwrap();
        assert!(
            advice.starts_with("RESULT: You can book (clear)"),
            "{advice}"
        );
    }
    // Interrupted during a screening, nothing was lost: still 130 and the usual notice.
    let mut app = tui(&q, &RunOptions::default(), &tui_start("40"));
    update(&mut app, Msg::Interrupt);
    assert_eq!(app.exit_status(), exit::INTERRUPTED);
    assert_eq!(app.end_notes(), [INTERRUPTED_NOTICE]);

    // Plain mode: the binary, and a real signal at the prompt after "NOT SAVED".
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        fs::create_dir_all(&gone).unwrap();
        let mut child = PlainChild::spawn(&["--save-dir", gone.to_str().unwrap()]);
        child.wait_for("Do you have chest pain");
        fs::remove_dir(&gone).unwrap();
        child.type_lines(ALL_NO);
        child.wait_for("type r to try again");
        child.signal(signal);
        let (code, stderr, stdout) = child.finish();
        assert_eq!(code, Some(i32::from(exit::IO)), "signal {signal}: {stderr}");
        assert!(stderr.contains(INTERRUPTED_UNSAVED_NOTICE), "{stderr}");
        assert!(!stderr.contains(INTERRUPTED_NOTICE), "{stderr}");
        assert!(
            stdout.starts_with("RESULT: You can book (clear)"),
            "{stdout}"
        );
    }
}
