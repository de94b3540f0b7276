//! The full-screen TUI without a terminal: key handling on the state, the run loop driven by a
//! script of events, and snapshots of every screen on a test backend.
//!
//! Snapshots use the `mini` fixture (not the embedded questionnaire, whose wording changes) so
//! that they only change when the screens do. Choice lists, exclusive options and display-only
//! text are not in that fixture; they come from the small questionnaire below.

use std::collections::VecDeque;
use std::path::Path;

use needlecheck::Answer;
use needlecheck::frontend::RunOptions;
use needlecheck::model::QuestionType;
use needlecheck::questionnaire::Questionnaire;
use needlecheck::screening::Screening;
use needlecheck::tui::app::{App, Effect, Ending, Msg, Screen, update};
use needlecheck::tui::keys::{self, Context};
use needlecheck::tui::{Effects, event_loop, view};
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyEventState, KeyModifiers, MouseEvent, MouseEventKind,
};
use ratatui::layout::Position;
use ratatui::style::Color;

fn mini() -> Questionnaire {
    needlecheck::loader::load_path(Path::new("tests/fixtures/mini.json")).expect("mini fixture")
}

/// Choice lists, an exclusive option, display-only text and an optional number.
const CHOICES: &str = r#"{
  "id": "choices", "version": "1.0.0", "title": "Choices", "locale": "en-AU",
  "introduction": "Choice questions.", "disclaimer": "Not a diagnosis.",
  "contacts": [{"id": "emergency", "name": "Emergency", "number": "000", "show_for": ["emergency"]}],
  "advice": {
    "clear": {"label": "Clear", "summary": "Clear.", "next_steps": ["Book."]},
    "review": {"label": "Review", "summary": "Review.", "next_steps": ["Tell them."]},
    "incomplete": {"label": "Incomplete", "summary": "Incomplete.", "next_steps": ["Finish."]},
    "not_suitable": {"label": "Not suitable", "summary": "No.", "next_steps": ["Other."]},
    "see_doctor": {"label": "GP", "summary": "GP.", "next_steps": ["GP."]},
    "urgent": {"label": "Urgent", "summary": "Today.", "next_steps": ["ED."]},
    "emergency": {"label": "Call 000", "summary": "Now.", "next_steps": ["Call."]}
  },
  "sections": [{"id": "s", "title": "Section", "questions": [
    {"id": "info", "type": "display", "text": "Some information first."},
    {"id": "where", "type": "single_choice", "text": "Where is the pain?", "allow_unsure": true,
     "options": [{"code": "neck", "label": "Neck"}, {"code": "back", "label": "Back"}, {"code": "knee", "label": "Knee"}]},
    {"id": "conditions", "type": "multi_choice", "text": "Do you have any of these?",
     "options": [{"code": "diabetes", "label": "Diabetes"}, {"code": "epilepsy", "label": "Epilepsy"},
                 {"code": "lymph", "label": "Lymphoedema"}, {"code": "none", "label": "None of these", "exclusive": true}]},
    {"id": "height", "type": "number", "text": "How tall are you?", "unit": "cm", "min": 50, "max": 250, "required": false}
  ]}],
  "rules": []
}"#;

fn choices() -> Questionnaire {
    needlecheck::loader::load_str("choices.json", CHOICES.as_bytes())
        .expect("choices questionnaire")
}

/// Long lists (16 and 12 options), a long question, a section introduction and a short text
/// box: what has to fit in small windows and needs option numbers above 9.
fn long() -> Questionnaire {
    let labels = [
        "Head or face",
        "Neck",
        "Shoulder",
        "Upper back",
        "Lower back",
        "Chest",
        "Belly",
        "Hip",
        "Thigh",
        "Knee",
        "Calf",
        "Ankle or foot",
        "Upper arm",
        "Elbow",
        "Hand or wrist",
        "None of these",
    ];
    let options = |n: usize| {
        labels[..n]
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let exclusive = if *l == "None of these" {
                    r#", "exclusive": true"#
                } else {
                    ""
                };
                format!(r#"{{"code": "o{}", "label": "{l}"{exclusive}}}"#, i + 1)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = CHOICES
        .replace(
            r#""introduction": "Choice questions.""#,
            r#""introduction": "Long lists.""#,
        )
        .replace(
            r#"{"id": "s", "title": "Section", "questions": ["#,
            &format!(
                r#"{{"id": "s", "title": "Section", "intro": "These questions are about where it hurts.", "questions": [
    {{"id": "areas", "type": "multi_choice", "text": "Where have you had pain in the last week? Tick every place that applies, even if it was only for a short time. Pain that woke you at night counts too, and so does pain that came back after treatment.", "options": [{}]}},
    {{"id": "worst", "type": "single_choice", "text": "Where is it worst?", "options": [{}]}},
    {{"id": "short", "type": "text", "text": "In a few words?", "max_length": 20}},"#,
                options(16),
                options(12)
            ),
        );
    needlecheck::loader::load_str("long.json", text.as_bytes()).expect("long questionnaire")
}

fn opts(staff: bool) -> RunOptions {
    RunOptions {
        staff,
        subject: None,
        save_dir: None,
        save_formats: needlecheck::formats::Format::SAVED.to_vec(),
        color: false,
    }
}

fn app(q: &Questionnaire) -> App<'_> {
    App::new(q, &opts(false), (80, 24))
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn press<'q>(app: &mut App<'q>, code: KeyCode) -> Effect<'q> {
    update(app, Msg::Key(key(code)))
}

fn ch<'q>(app: &mut App<'q>, c: char) -> Effect<'q> {
    press(app, KeyCode::Char(c))
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

fn enter<'q>(app: &mut App<'q>) -> Effect<'q> {
    press(app, KeyCode::Enter)
}

fn ctrl_c() -> KeyEvent {
    KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
}

/// The id of the question on screen.
fn current<'a>(app: &App<'a>) -> &'a str {
    let (_, q) = app.question().expect("a question is shown");
    &q.id
}

fn answer_to<'a>(app: &'a App, id: &str) -> Option<&'a Answer> {
    let i = app.questionnaire().question_index(id).expect("known id");
    app.session().answer_of(i)
}

/// Renders the app at a size and returns the terminal.
fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    update(app, Msg::Resize(w, h));
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| view::view(app, f)).expect("draw");
    t
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
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

/// Answers mini up to the pregnancy weeks question: chest pain no, age 40, pregnant yes.
fn to_weeks(app: &mut App) {
    enter(app);
    ch(app, 'n');
    typed(app, "40");
    enter(app);
    ch(app, 'y');
    assert_eq!(current(app), "weeks");
}

/// Answers every question of mini with "no" (age 40) and reaches the result.
fn all_no(app: &mut App) {
    enter(app);
    ch(app, 'n');
    typed(app, "40");
    enter(app);
    ch(app, 'n');
    ch(app, 'n');
    enter(app); // optional notes left empty: skipped
    assert_eq!(app.screen(), Screen::Result);
}

// ---------- keys on the state ----------

#[test]
fn y_n_u_answer_and_move_on() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    assert_eq!(current(&a), "chest_pain");
    ch(&mut a, 'n');
    assert_eq!(answer_to(&a, "chest_pain"), Some(&Answer::No));
    assert_eq!(current(&a), "age");
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'u');
    assert_eq!(answer_to(&a, "pregnant"), Some(&Answer::Unsure));
    // "Not sure" about pregnancy shows the weeks follow-up (ask rather than skip).
    assert_eq!(current(&a), "weeks");
    // A number box takes "Not sure" on its own line: ↓ then Enter.
    press(&mut a, KeyCode::Down);
    enter(&mut a);
    assert_eq!(answer_to(&a, "weeks"), Some(&Answer::Unsure));
    assert_eq!(current(&a), "thinners");
    ch(&mut a, 'y');
    assert_eq!(answer_to(&a, "thinners"), Some(&Answer::Yes));
    assert_eq!(current(&a), "which");
}

#[test]
fn u_does_nothing_where_not_sure_is_not_offered() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    assert_eq!(current(&a), "thinners"); // allow_unsure: false
    ch(&mut a, 'u');
    assert_eq!(current(&a), "thinners");
    assert_eq!(answer_to(&a, "thinners"), None);
}

#[test]
fn arrows_and_enter_answer_yes_no_too() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    press(&mut a, KeyCode::Down); // nothing chosen yet: ↓ goes to the first line, Yes
    press(&mut a, KeyCode::Down);
    enter(&mut a);
    assert_eq!(answer_to(&a, "chest_pain"), Some(&Answer::No));
}

#[test]
fn back_keeps_answers() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    assert_eq!(current(&a), "pregnant");
    ch(&mut a, 'b');
    assert_eq!(current(&a), "age");
    assert_eq!(a.input(), "40", "the kept answer is in the field");
    press(&mut a, KeyCode::BackTab);
    assert_eq!(current(&a), "chest_pain");
    assert_eq!(a.focus(), Some(1), "focus on the kept answer (No)");
    assert_eq!(answer_to(&a, "age"), Some(&Answer::Number(40.0)));
    // Enter on the kept answers walks forward again without retyping.
    enter(&mut a);
    enter(&mut a);
    assert_eq!(current(&a), "pregnant");
    // Back from the first question leads to the welcome screen, answers still kept.
    ch(&mut a, 'b');
    press(&mut a, KeyCode::BackTab);
    ch(&mut a, 'b');
    assert_eq!(a.screen(), Screen::Welcome);
    assert_eq!(answer_to(&a, "age"), Some(&Answer::Number(40.0)));
}

#[test]
fn digits_pick_an_option_and_enter_confirms() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    assert_eq!(current(&a), "info");
    enter(&mut a); // display-only text: Enter continues
    assert_eq!(current(&a), "where");
    ch(&mut a, '3');
    assert_eq!(a.focus(), Some(2));
    ch(&mut a, '9');
    assert_eq!(a.error(), Some("Please choose a number from 1 to 3."));
    assert_eq!(current(&a), "where", "a wrong digit does not move on");
    ch(&mut a, '2');
    assert_eq!(a.error(), None);
    enter(&mut a);
    assert_eq!(answer_to(&a, "where"), Some(&Answer::Choice(1)));
    assert_eq!(current(&a), "conditions");
}

#[test]
fn not_sure_on_a_choice_list() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a);
    ch(&mut a, 'u');
    assert_eq!(answer_to(&a, "where"), Some(&Answer::Unsure));
}

#[test]
fn multi_choice_toggles_and_none_stands_alone() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a);
    ch(&mut a, '1');
    enter(&mut a);
    assert_eq!(current(&a), "conditions");
    // A digit goes to its option, Space ticks it.
    ch(&mut a, '1');
    assert_eq!(a.ticked(), vec![false; 4], "a digit alone ticks nothing");
    ch(&mut a, ' ');
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    ch(&mut a, ' ');
    assert_eq!(a.ticked(), vec![true, false, true, false]);
    // "None of these" is refused while others are ticked; nothing is unticked for it.
    typed(&mut a, "4 ");
    assert_eq!(a.ticked(), vec![true, false, true, false]);
    assert_eq!(
        a.error(),
        Some("Untick 1, 3 first: \"None of these\" goes only on its own.")
    );
    typed(&mut a, "1 3 4 ");
    assert_eq!(a.ticked(), vec![false, false, false, true]);
    assert_eq!(a.error(), None);
    // Ticking another while it is ticked is refused the same way.
    typed(&mut a, "2 ");
    assert_eq!(a.ticked(), vec![false, false, false, true]);
    assert_eq!(
        a.error(),
        Some("Untick 4 first: \"None of these\" goes only on its own.")
    );
    typed(&mut a, "4 ");
    assert_eq!(a.ticked(), vec![false; 4]);
    enter(&mut a);
    assert_eq!(a.error(), Some("Choose at least one option."));
    assert_eq!(current(&a), "conditions");
    ch(&mut a, 'k');
    ch(&mut a, ' ');
    enter(&mut a);
    assert_eq!(answer_to(&a, "conditions"), Some(&Answer::Multi(vec![2])));
}

#[test]
fn enter_on_empty_optional_input_skips_it() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a);
    ch(&mut a, '1');
    enter(&mut a);
    typed(&mut a, "4 ");
    enter(&mut a);
    assert_eq!(current(&a), "height");
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    assert_eq!(answer_to(&a, "height"), None);
}

#[test]
fn number_out_of_range_shows_the_message_and_stays() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "150");
    enter(&mut a);
    assert_eq!(
        a.error(),
        Some("Please enter a number from 0 to 120 years.")
    );
    assert_eq!(current(&a), "age");
    assert_eq!(answer_to(&a, "age"), None);
    let t = draw(&mut a, 80, 24);
    assert!(screen_text(&t).contains("! Please enter a number from 0 to 120 years."));
    // Backspace edits; a good number goes through and the message is gone.
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Backspace);
    assert_eq!(a.input(), "1");
    assert_eq!(a.error(), None);
    typed(&mut a, "9");
    enter(&mut a);
    assert_eq!(answer_to(&a, "age"), Some(&Answer::Number(19.0)));
}

#[test]
fn letters_are_not_typed_into_a_number() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "4x0");
    assert_eq!(a.input(), "40");
}

#[test]
fn empty_required_number_is_refused() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    enter(&mut a);
    assert_eq!(a.error(), Some("This question needs an answer."));
    assert_eq!(current(&a), "age");
}

#[test]
fn question_mark_toggles_help() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, '?');
    assert!(a.help_shown());
    assert_eq!(a.context(), Context::Help);
    let t = draw(&mut a, 80, 24);
    let text = screen_text(&t);
    assert!(text.contains("Why we ask"));
    assert!(text.contains("Chest pain can be a heart attack."));
    // Keys do not answer underneath the help.
    ch(&mut a, 'y');
    assert_eq!(answer_to(&a, "chest_pain"), None);
    ch(&mut a, '?');
    assert!(!a.help_shown());
    assert_eq!(current(&a), "chest_pain");
}

#[test]
fn text_fields_take_letters_that_are_keys_elsewhere() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    ch(&mut a, 'n');
    assert_eq!(current(&a), "notes");
    typed(&mut a, "bruise? yes, quite 膝");
    assert_eq!(a.input(), "bruise? yes, quite 膝");
    assert!(!a.help_shown() && !a.confirming_quit());
    assert_eq!(current(&a), "notes");
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    assert_eq!(
        answer_to(&a, "notes"),
        Some(&Answer::Text("bruise? yes, quite 膝".into()))
    );
}

#[test]
fn q_asks_before_quitting() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    press(&mut a, KeyCode::Esc);
    assert!(a.confirming_quit());
    assert_eq!(a.ending(), None);
    ch(&mut a, 'n');
    assert!(!a.confirming_quit());
    assert_eq!(current(&a), "age");
    press(&mut a, KeyCode::Esc);
    assert!(a.confirming_quit());
    assert!(matches!(ch(&mut a, 'y'), Effect::Exit));
    assert_eq!(a.ending(), Some(Ending::Quit));
    // Abandoned: status 3, and the advice printed says it is not finished.
    assert_eq!(a.exit_status(), 3);
    let last = a.take_final().expect("advice for the answers so far");
    assert!(
        last.advice()
            .unwrap()
            .starts_with("RESULT: Not finished (incomplete)")
    );
}

#[test]
fn release_and_repeat_events_are_ignored() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    for kind in [KeyEventKind::Release, KeyEventKind::Repeat] {
        let ev = KeyEvent {
            code: KeyCode::Char('y'),
            modifiers: KeyModifiers::NONE,
            kind,
            state: KeyEventState::NONE,
        };
        update(&mut a, Msg::Key(ev));
    }
    assert_eq!(answer_to(&a, "chest_pain"), None);
    assert_eq!(a.screen(), Screen::Question);
}

#[test]
fn emergency_answer_goes_to_the_interrupt_at_once() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'y');
    assert_eq!(a.screen(), Screen::Emergency(0));
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("CALL 000 NOW"));
    assert!(text.contains("Chest pain now can be a heart attack."));
    // Keys of the question underneath do nothing here.
    ch(&mut a, 'n');
    assert_eq!(a.screen(), Screen::Emergency(0));
    // Finishing gives the emergency result.
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    ch(&mut a, 'q');
    assert_eq!(a.exit_status(), 0);
    let last = a.take_final().expect("emergency advice");
    assert!(
        last.advice()
            .unwrap()
            .starts_with("RESULT: Call 000 now (emergency)")
    );
}

#[test]
fn result_screen_says_everything_the_printed_advice_says() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'y');
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    // Tall and wide enough for the whole result without scrolling or much wrapping.
    let screen: String = screen_text(&draw(&mut a, 200, 60))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    ch(&mut a, 'q');
    let advice = a.take_final().expect("advice").advice().unwrap();
    // Every line of the printed advice is on the screen (layout aside: bullets, numbers).
    for line in advice.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let words = line
            .trim_start_matches(['-', ' '])
            .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        let words: Vec<&str> = words.split_whitespace().collect();
        assert!(
            screen.contains(&words.join(" ")),
            "missing on screen: {line:?}\nscreen: {screen}"
        );
    }
}

#[test]
fn back_from_the_interrupt_to_change_the_answer() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'y');
    assert_eq!(a.screen(), Screen::Emergency(0));
    ch(&mut a, 'b');
    assert_eq!(current(&a), "chest_pain");
    assert_eq!(a.focus(), Some(0), "the answer given is kept and focused");
    // Keeping it interrupts again; changing it moves on.
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Emergency(0));
    press(&mut a, KeyCode::Left);
    ch(&mut a, 'n');
    assert_eq!(current(&a), "age");
}

#[test]
fn review_change_drops_hidden_answers_and_says_so() {
    let q = mini();
    let mut a = app(&q);
    to_weeks(&mut a);
    typed(&mut a, "20");
    enter(&mut a);
    assert_eq!(current(&a), "thinners");
    ch(&mut a, 'r');
    assert_eq!(a.screen(), Screen::Review);
    let list: Vec<&str> = a
        .session()
        .answered_questions()
        .iter()
        .map(|i| q.questions()[*i].id.as_str())
        .collect();
    assert_eq!(list, ["chest_pain", "age", "pregnant", "weeks"]);
    // Pick "pregnant" and change it to no.
    press(&mut a, KeyCode::Up);
    press(&mut a, KeyCode::Up);
    press(&mut a, KeyCode::Up);
    press(&mut a, KeyCode::Down);
    press(&mut a, KeyCode::Down);
    enter(&mut a);
    assert_eq!(current(&a), "pregnant");
    ch(&mut a, 'n');
    assert_eq!(
        a.screen(),
        Screen::Review,
        "back to the list after a change"
    );
    assert_eq!(answer_to(&a, "weeks"), None);
    let notice = a
        .notice()
        .map(str::to_string)
        .expect("a notice about the dropped answer");
    assert!(
        notice.contains("1 earlier answer no longer applies and was removed"),
        "{notice}"
    );
    assert!(
        notice.contains("How many weeks pregnant are you?"),
        "{notice}"
    );
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("no longer applies and was"), "{text}");
    assert!(!text.contains("20 weeks"));
    // Leaving the list goes back to where the person was.
    press(&mut a, KeyCode::Esc);
    assert_eq!(current(&a), "thinners");
    assert_eq!(a.notice(), None);
}

#[test]
fn review_from_the_result_returns_to_a_finished_result() {
    let q = mini();
    let mut a = app(&q);
    all_no(&mut a);
    ch(&mut a, 'r');
    enter(&mut a); // chest_pain
    ch(&mut a, 'n');
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.screen(), Screen::Result);
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("RESULT: You can book (clear)"), "{text}");
}

#[test]
fn a_new_follow_up_after_a_change_is_asked() {
    let q = mini();
    let mut a = app(&q);
    all_no(&mut a);
    ch(&mut a, 'r');
    for _ in 0..2 {
        press(&mut a, KeyCode::Down);
    }
    enter(&mut a); // pregnant
    ch(&mut a, 'y');
    // Straight to the new follow-up, saying why (not back to the list, where it is missing).
    assert_eq!(
        current(&a),
        "weeks",
        "the new follow-up is asked before the result"
    );
    let notice = a.notice().expect("a notice").to_string();
    assert!(
        notice.contains(
            "Because of this answer, 1 more question is asked: \"How many weeks pregnant are you?\""
        ),
        "{notice}"
    );
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(
        text.contains("i Because of this answer, 1 more question is asked"),
        "{text}"
    );
    // Answered, the person is back where they were: the result, with the new answer counted.
    typed(&mut a, "10");
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    assert_eq!(answer_to(&a, "weeks"), Some(&Answer::Number(10.0)));
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(
        text.contains("Not in the first 12 weeks of pregnancy."),
        "{text}"
    );
}

#[test]
fn ctrl_c_stops_at_once_without_advice() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    assert!(matches!(update(&mut a, Msg::Key(ctrl_c())), Effect::Exit));
    assert_eq!(a.ending(), Some(Ending::Interrupted));
    assert_eq!(a.exit_status(), 130);
    assert!(a.take_final().is_none());
}

#[test]
fn result_screen_shows_reasons_and_quits_without_asking() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    ch(&mut a, 'y');
    typed(&mut a, "1 ");
    enter(&mut a);
    enter(&mut a);
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("RESULT: Tell your practitioner (review)"));
    assert!(text.contains("Blood thinners raise the risk of bruising."));
    assert!(text.contains("Because you answered Yes to"));
    assert!(matches!(ch(&mut a, 'q'), Effect::Exit));
    assert_eq!(a.exit_status(), 0);
}

#[test]
fn next_patient_leaves_no_trace_of_the_previous_one() {
    let q = mini();
    let mut a = App::new(&q, &opts(true), (80, 24));
    typed(&mut a, "MRN-1");
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "67");
    enter(&mut a);
    ch(&mut a, 'n');
    ch(&mut a, 'n');
    typed(&mut a, "left knee zz-marker");
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Result);
    assert!(matches!(ch(&mut a, 'n'), Effect::None));
    assert!(a.confirming_next());
    let done = match enter(&mut a) {
        Effect::Finished(done) => done,
        other => panic!("expected the finished patient, got {other:?}"),
    };
    assert_eq!(done.subject.as_deref(), Some("MRN-1"));
    assert!(done.advice().unwrap().contains("Patient: MRN-1"));
    assert!(
        done.advice()
            .unwrap()
            .contains("HANDOVER FOR THE PRACTITIONER")
    );
    // Nothing of the first patient is left: not in the state, not on the screen.
    assert_eq!(a.screen(), Screen::Welcome);
    assert!(a.session().answers().is_empty());
    assert_eq!(a.subject(), None);
    let state = format!("{a:?}");
    assert!(!state.contains("zz-marker"));
    assert!(!state.contains("MRN-1"));
    assert!(!state.contains("67.0"));
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(!text.contains("MRN-1"));
    assert!(text.contains("Patients finished so far: 1"));
    // The next patient starts from the first question.
    typed(&mut a, "MRN-2");
    enter(&mut a);
    assert_eq!(current(&a), "chest_pain");
    assert_eq!(answer_to(&a, "age"), None);
    assert_eq!(a.subject(), Some("MRN-2"));
}

#[test]
fn a_second_n_at_the_end_never_skips_the_result() {
    let q = dry_needling();
    let mut a = reach(&q, true, "pregnant");
    // Front desk on a terminal with no save folder: the advice is kept nowhere.
    a.set_advice_kept(false, false);
    // `n` answers the last question "No"; the `n`s after it only ask and keep the result.
    ch(&mut a, 'n');
    assert_eq!(a.screen(), Screen::Result);
    for _ in 0..5 {
        assert!(matches!(ch(&mut a, 'n'), Effect::None));
        assert_eq!(a.screen(), Screen::Result);
    }
    assert!(a.confirming_next(), "an odd number of n asks");
    let text = dialog_text(&draw(&mut a, 80, 24));
    assert!(text.contains("Startthenextpatient?"), "{text}");
    assert!(
        text.contains("PatientP-9Theirresultleavesthescreen."),
        "{text}"
    );
    assert!(text.contains("ItsadviceisNOTkeptanywhere"), "{text}");
    assert!(text.contains("Enternextpatient"), "{text}");
    // Esc, or any other key, keeps the result.
    press(&mut a, KeyCode::Esc);
    assert!(!a.confirming_next());
    ch(&mut a, 'n');
    ch(&mut a, 'x');
    assert!(!a.confirming_next());
    assert_eq!(a.screen(), Screen::Result);
    assert!(squeezed(&screen_text(&draw(&mut a, 40, 12))).contains("RESULT"));
    // Enter after `n` starts the next patient.
    ch(&mut a, 'n');
    assert!(matches!(enter(&mut a), Effect::Finished(_)));
    assert_eq!(a.screen(), Screen::Welcome);
}

#[test]
fn none_of_these_never_takes_other_answers_away() {
    let q = long();
    let mut a = app(&q);
    update(&mut a, Msg::Resize(40, 12));
    enter(&mut a);
    assert_eq!(current(&a), "areas");
    typed(&mut a, "7 ");
    typed(&mut a, "10 ");
    typed(&mut a, "16 ");
    let ticked: Vec<usize> = (0..16).filter(|i| a.ticked()[*i]).collect();
    assert_eq!(
        ticked,
        [6, 9],
        "Belly and Knee stay ticked, scrolled out of view or not"
    );
    let text = squeezed(&screen_text(&draw(&mut a, 40, 12)));
    assert!(
        text.contains("!Untick7,10first:\"Noneofthese\"goesonlyonitsown."),
        "{text}"
    );
    assert!(text.contains("[]16.Noneofthese(onlyonitsown)"), "{text}");
    // The help lists the option in full too.
    ch(&mut a, '?');
    let help = squeezed(&screen_text(&draw(&mut a, 80, 24)));
    assert!(help.contains("16.Noneofthese(onlyonitsown)"), "{help}");
}

#[test]
fn an_option_number_shows_while_typed_and_ends_on_a_pause_or_another_key() {
    let q = long();
    let mut a = app(&q);
    enter(&mut a);
    assert_eq!(current(&a), "areas");
    let hints = |a: &mut App| {
        screen_text(&draw(a, 80, 24))
            .lines()
            .last()
            .unwrap_or("")
            .to_string()
    };
    ch(&mut a, '1');
    assert_eq!(a.focus(), Some(0));
    assert!(
        hints(&mut a).starts_with("option 1…  "),
        "{}",
        hints(&mut a)
    );
    // A pause ends it: 6 is option 6, not 16.
    update(&mut a, Msg::Pause);
    assert_eq!(a.pending_digits(), None);
    assert!(hints(&mut a).starts_with("1-16 go to"), "{}", hints(&mut a));
    ch(&mut a, '6');
    assert_eq!(a.focus(), Some(5));
    // A number that cannot grow into another option ends at once: 2 then 1 is option 1.
    assert_eq!(a.pending_digits(), None);
    ch(&mut a, '2');
    assert_eq!(a.pending_digits(), None);
    ch(&mut a, '1');
    assert_eq!(a.focus(), Some(0));
    // Any other key ends it, one that does nothing here too.
    ch(&mut a, 'z');
    ch(&mut a, '3');
    assert_eq!(a.focus(), Some(2));
    ch(&mut a, '1');
    press(&mut a, KeyCode::Down);
    ch(&mut a, '2');
    assert_eq!(a.focus(), Some(1));
}

/// Events of a script in which `None` is a wait that passed with no key.
struct Waits(VecDeque<Option<Event>>);

impl needlecheck::tui::EventSource for Waits {
    fn next(&mut self, _timeout: std::time::Duration) -> std::io::Result<Option<Event>> {
        self.0.pop_front().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no more scripted events")
        })
    }
}

#[test]
fn run_loop_ends_an_option_number_after_a_pause_but_not_after_one_short_wait() {
    let q = long();
    let run = |waits: usize| {
        let mut a = app(&q);
        let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        let mut events = vec![
            Some(Event::Key(key(KeyCode::Enter))),
            Some(Event::Key(key(KeyCode::Char('1')))),
        ];
        events.extend(std::iter::repeat_n(None, waits));
        events.push(Some(Event::Key(key(KeyCode::Char('6')))));
        let mut source = Waits(events.into());
        let ended = event_loop(
            &mut t,
            &mut a,
            &mut source,
            &|| false,
            &mut Recorder::default(),
        );
        assert!(ended.is_err(), "the script ran out");
        a.focus()
    };
    assert_eq!(run(1), Some(15), "half a second: still typing 16");
    assert_eq!(run(2), Some(5), "a second: 6 is option 6");
}

/// The text inside the dialog box on screen (between its double lines), squeezed.
fn dialog_text(t: &Terminal<TestBackend>) -> String {
    let rows: Vec<String> = screen_text(t)
        .lines()
        .filter_map(|l| {
            let (start, end) = (l.find('║')?, l.rfind('║')?);
            (end > start).then(|| l[start + '║'.len_utf8()..end].to_string())
        })
        .collect();
    squeezed(&rows.join(" "))
}

#[test]
fn the_quit_dialog_on_the_interrupt_says_where_its_advice_goes() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'y');
    assert!(matches!(a.screen(), Screen::Emergency(_)));
    ch(&mut a, 'q');
    let text = dialog_text(&draw(&mut a, 80, 24));
    assert!(
        text.contains("Theemergencyadviceonthisscreenisprintedwhenyoustop."),
        "{text}"
    );
    // Front desk on a terminal prints nothing: the dialog does not promise it.
    let mut a = App::new(&q, &opts(true), (80, 24));
    a.set_advice_kept(false, false);
    enter(&mut a);
    ch(&mut a, 'y');
    ch(&mut a, 'q');
    let text = dialog_text(&draw(&mut a, 80, 24));
    assert!(
        text.contains("Theemergencyadviceonthisscreenisnotkeptonceyoustop."),
        "{text}"
    );
}

#[test]
fn subject_option_labels_the_first_patient() {
    let q = mini();
    let mut o = opts(true);
    o.subject = Some("A-17".into());
    let mut a = App::new(&q, &o, (80, 24));
    assert_eq!(a.input(), "A-17", "prefilled, staff can still correct it");
    all_no(&mut a);
    ch(&mut a, 'q');
    let last = a.take_final().expect("advice");
    assert!(last.advice().unwrap().starts_with("Patient: A-17\n"));
}

#[test]
fn quitting_at_the_welcome_before_anything_prints_nothing() {
    let q = mini();
    let mut a = app(&q);
    ch(&mut a, 'q');
    ch(&mut a, 'y');
    assert!(a.take_final().is_none());
    assert_eq!(a.exit_status(), 3);
}

#[test]
fn a_too_small_window_takes_only_ctrl_c() {
    let q = mini();
    let mut a = app(&q);
    update(&mut a, Msg::Resize(30, 10));
    assert_eq!(a.context(), Context::TooSmall);
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Welcome);
    update(&mut a, Msg::Resize(40, 12));
    enter(&mut a);
    assert_eq!(a.screen(), Screen::Question);
}

// ---------- the view ----------

#[test]
fn cursor_sits_on_the_focused_option() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'j');
    let mut t = draw(&mut a, 80, 24);
    let first = t.backend_mut().get_cursor_position().expect("cursor");
    let row = screen_text(&t)
        .lines()
        .nth(first.y as usize)
        .unwrap_or("")
        .to_string();
    assert!(row.contains("› y. Yes"), "{row}");
    ch(&mut a, 'j');
    let mut t = draw(&mut a, 80, 24);
    let second = t.backend_mut().get_cursor_position().expect("cursor");
    assert_eq!(second, Position::new(first.x, first.y + 1));
}

#[test]
fn cursor_follows_typing_with_wide_characters() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    ch(&mut a, 'n');
    let mut t = draw(&mut a, 80, 24);
    let before = t.backend_mut().get_cursor_position().expect("cursor");
    typed(&mut a, "膝😀");
    let mut t = draw(&mut a, 80, 24);
    let after = t.backend_mut().get_cursor_position().expect("cursor");
    assert_eq!(
        after.x,
        before.x + 4,
        "two wide characters are four columns"
    );
}

#[test]
fn no_color_means_no_colour() {
    let q = mini();
    let colours = |color: bool| {
        let mut o = opts(false);
        o.color = color;
        let mut a = App::new(&q, &o, (80, 24));
        enter(&mut a);
        ch(&mut a, 'y');
        let t = draw(&mut a, 80, 24);
        t.backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count()
    };
    assert_eq!(colours(false), 0);
    assert!(colours(true) > 0);
}

#[test]
fn hint_bar_comes_from_the_key_table() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    let t = draw(&mut a, 80, 24);
    let last = screen_text(&t).lines().last().unwrap_or("").to_string();
    assert!(last.starts_with("y yes  n no  u not sure"), "{last}");
    // Where "Not sure" is not offered, the hint is not shown either.
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    let t = draw(&mut a, 80, 24);
    let last = screen_text(&t).lines().last().unwrap_or("").to_string();
    assert!(last.starts_with("y yes  n no  ↑/↓ move"), "{last}");
    // Narrow windows keep "help", which lists every key.
    let t = draw(&mut a, 40, 12);
    let last = screen_text(&t).lines().last().unwrap_or("").to_string();
    assert!(last.contains("? help"), "{last}");
}

#[test]
fn result_scrolls_within_its_length() {
    let q = mini();
    let mut a = app(&q);
    all_no(&mut a);
    update(&mut a, Msg::Resize(40, 12));
    for _ in 0..200 {
        press(&mut a, KeyCode::Down);
    }
    let max = a.scroll();
    assert!(max > 0);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(
        text.contains("clear you for treatment."),
        "the end is reachable:\n{text}"
    );
    assert!(!text.contains("↓ more"), "{text}");
    press(&mut a, KeyCode::Up);
    assert_eq!(a.scroll(), max - 1, "one key back up after overscrolling");
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("↓ more"), "{text}");
}

// ---------- the run loop ----------

/// The run loop's effects, recorded: advice printed, and saves through the real saver.
#[derive(Default)]
struct Recorder {
    printed: Vec<String>,
}

impl<'q> Effects<'q> for Recorder {
    fn save(
        &mut self,
        s: &Screening<'q>,
        dir: &Path,
    ) -> Result<needlecheck::records::Saved, String> {
        needlecheck::tui::save(s, dir, &needlecheck::formats::Format::SAVED)
    }

    fn finished(&mut self, s: &Screening<'q>) -> std::io::Result<bool> {
        self.printed.extend(s.advice());
        Ok(true)
    }
}

#[test]
fn run_loop_driven_by_a_script() {
    let q = mini();
    let mut a = app(&q);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let keys = [
        KeyCode::Enter,
        KeyCode::Char('n'),
        KeyCode::Char('4'),
        KeyCode::Char('0'),
        KeyCode::Enter,
        KeyCode::Char('n'),
        KeyCode::Char('n'),
        KeyCode::Enter,
        KeyCode::Char('q'),
    ];
    let mut events: VecDeque<Event> = VecDeque::new();
    events.push_back(Event::Resize(100, 30));
    events.extend(keys.into_iter().map(|k| Event::Key(key(k))));
    let mut effects = Recorder::default();
    event_loop(&mut t, &mut a, &mut events, &|| false, &mut effects).expect("the loop ends on q");
    let finished = effects.printed.len();
    assert!(events.is_empty());
    assert_eq!(
        finished, 0,
        "a single patient is printed at the end, not in the loop"
    );
    assert_eq!(a.size(), (100, 30));
    assert_eq!(a.exit_status(), 0);
    let last = a.take_final().expect("advice");
    // Exactly what `score --format text` prints for these answers.
    let outcome = needlecheck::score(&q, &last.answers);
    let expected = needlecheck::report::render_text(
        &needlecheck::report::Summary::new(&q, &last.answers, &outcome, false),
        &needlecheck::report::TextOptions::default(),
    );
    assert_eq!(last.advice().unwrap(), expected);
    assert!(expected.starts_with("RESULT: You can book (clear)"));
}

#[test]
fn run_loop_stops_on_a_signal() {
    let q = mini();
    let mut a = app(&q);
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut events: VecDeque<Event> = [Event::Key(key(KeyCode::Enter))].into_iter().collect();
    let polls = std::cell::Cell::new(0);
    event_loop(
        &mut t,
        &mut a,
        &mut events,
        &|| {
            polls.set(polls.get() + 1);
            polls.get() > 1
        },
        &mut Recorder::default(),
    )
    .expect("the loop ends on the signal");
    assert_eq!(a.exit_status(), 130);
    assert!(a.take_final().is_none());
}

#[test]
fn run_loop_hands_over_each_staff_patient() {
    let q = mini();
    let mut a = App::new(&q, &opts(true), (80, 24));
    let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    let mut events: VecDeque<Event> = VecDeque::new();
    for _ in 0..2 {
        for k in [
            KeyCode::Enter,
            KeyCode::Char('n'),
            KeyCode::Char('4'),
            KeyCode::Char('0'),
            KeyCode::Enter,
            KeyCode::Char('n'),
            KeyCode::Char('n'),
            KeyCode::Enter,
        ] {
            events.push_back(Event::Key(key(k)));
        }
        events.push_back(Event::Key(key(KeyCode::Char('n'))));
        events.push_back(Event::Key(key(KeyCode::Enter)));
    }
    events.push_back(Event::Key(key(KeyCode::Esc)));
    events.push_back(Event::Key(key(KeyCode::Char('y'))));
    let mut effects = Recorder::default();
    event_loop(&mut t, &mut a, &mut events, &|| false, &mut effects).expect("loop ends");
    let handed = effects.printed;
    assert_eq!(handed.len(), 2);
    assert!(
        handed
            .iter()
            .all(|h| h.contains("HANDOVER FOR THE PRACTITIONER"))
    );
    // Quitting at the welcome of a third patient who never started: nothing more, status 0.
    assert!(a.take_final().is_none());
    assert_eq!(a.exit_status(), 0);
}

// ---------- snapshots ----------

fn snap(name: &str, a: &mut App, w: u16, h: u16) {
    let t = draw(a, w, h);
    insta::assert_snapshot!(name, t.backend());
}

#[test]
fn snapshots_of_every_screen() {
    let q = mini();
    for (w, h) in [(80u16, 24u16), (40, 12)] {
        let s = |name: &str| format!("{name}_{w}x{h}");
        let mut a = app(&q);
        snap(&s("welcome"), &mut a, w, h);
        ch(&mut a, '?');
        snap(&s("welcome_help"), &mut a, w, h);
        ch(&mut a, '?');
        enter(&mut a);
        snap(&s("question_yes_no"), &mut a, w, h);
        ch(&mut a, '?');
        snap(&s("question_help"), &mut a, w, h);
        ch(&mut a, '?');
        ch(&mut a, 'n');
        typed(&mut a, "150");
        enter(&mut a);
        snap(&s("question_number_error"), &mut a, w, h);
        press(&mut a, KeyCode::Esc);
        snap(&s("confirm_quit"), &mut a, w, h);
        ch(&mut a, 'n');
        press(&mut a, KeyCode::Backspace);
        press(&mut a, KeyCode::Backspace);
        enter(&mut a);
        ch(&mut a, 'y');
        typed(&mut a, "10");
        enter(&mut a);
        ch(&mut a, 'y');
        typed(&mut a, "1 ");
        snap(&s("question_multi"), &mut a, w, h);
        enter(&mut a);
        typed(&mut a, "膝が痛い 😀 since Monday");
        snap(&s("question_text_wide"), &mut a, w, h);
        enter(&mut a);
        snap(&s("result"), &mut a, w, h);
        ch(&mut a, 'r');
        press(&mut a, KeyCode::Down);
        press(&mut a, KeyCode::Down);
        enter(&mut a);
        ch(&mut a, 'n');
        snap(&s("review_dropped"), &mut a, w, h);

        let mut a = app(&q);
        enter(&mut a);
        ch(&mut a, 'y');
        snap(&s("emergency"), &mut a, w, h);

        let mut o = opts(true);
        o.subject = Some("A-17".into());
        let mut a = App::new(&q, &o, (w, h));
        snap(&s("staff_welcome"), &mut a, w, h);
        all_no(&mut a);
        snap(&s("staff_result"), &mut a, w, h);
        ch(&mut a, 'n');
        snap(&s("staff_confirm_next"), &mut a, w, h);
        enter(&mut a);
        snap(&s("staff_next_patient"), &mut a, w, h);
    }
    let mut a = app(&q);
    enter(&mut a);
    snap("too_small_39x11", &mut a, 39, 11);
    snap("too_small_20x5", &mut a, 20, 5);
}

#[test]
fn snapshots_of_choice_screens() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    snap("display_80x24", &mut a, 80, 24);
    enter(&mut a);
    ch(&mut a, '2');
    snap("single_choice_80x24", &mut a, 80, 24);
    enter(&mut a);
    typed(&mut a, "4 ");
    snap("multi_exclusive_80x24", &mut a, 80, 24);
}

// ---------- the key table ----------

/// A concrete key press for a table entry.
fn example(k: keys::Key) -> KeyEvent {
    match k {
        keys::Key::Char(c) => key(KeyCode::Char(c)),
        keys::Key::Code(code) => key(code),
        keys::Key::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
        keys::Key::Shift(code) => shift(code),
        keys::Key::Digits => key(KeyCode::Char('2')),
        keys::Key::Printable => key(KeyCode::Char('x')),
    }
}

/// Key presses written as words: `Enter`, `Esc`, `Up`, `Down`, `Left`, `PgDn`, `SUp` and
/// `SDown` (with Shift), `F1`, `Bksp`, `Space`, or a single character.
fn script(words: &str) -> Vec<KeyEvent> {
    words
        .split_whitespace()
        .map(|w| match w {
            "Enter" => key(KeyCode::Enter),
            "Esc" => key(KeyCode::Esc),
            "Up" => key(KeyCode::Up),
            "Down" => key(KeyCode::Down),
            "Left" => key(KeyCode::Left),
            "BackTab" => key(KeyCode::BackTab),
            "PgDn" => key(KeyCode::PageDown),
            "SUp" => shift(KeyCode::Up),
            "SDown" => shift(KeyCode::Down),
            "F1" => key(KeyCode::F(1)),
            "Bksp" => key(KeyCode::Backspace),
            "Space" => key(KeyCode::Char(' ')),
            c => key(KeyCode::Char(c.chars().next().expect("a word"))),
        })
        .collect()
}

/// Where the key test starts: a questionnaire, front-desk mode or not, a window size, and
/// scripts whose every prefix is a state to try keys in.
struct Start<'a> {
    q: &'a Questionnaire,
    staff: bool,
    size: (u16, u16),
    scripts: &'a [&'a str],
    /// Save into a folder that does not exist, so that every save fails.
    failing_saves: bool,
}

impl Start<'_> {
    fn replay(&self, keys: &[KeyEvent]) -> App<'_> {
        let mut o = opts(self.staff);
        if self.failing_saves {
            o.save_dir = Some("/nonexistent/needlecheck-records".into());
        }
        let mut a = App::new(self.q, &o, self.size);
        for k in keys {
            // The run loop's part: a save is carried out and its result fed back.
            if let Effect::Save(done, dir) = update(&mut a, Msg::Key(*k)) {
                update(
                    &mut a,
                    Msg::Saved(needlecheck::tui::save(
                        &done,
                        &dir,
                        &needlecheck::formats::Format::SAVED,
                    )),
                );
            }
        }
        a
    }
}

#[test]
fn every_key_the_table_lists_changes_something_on_its_screen() {
    let (mini, choices) = (mini(), choices());
    // The same choices, with the multiple-choice question optional.
    let optional_multi = needlecheck::loader::load_str(
        "optional.json",
        CHOICES
            .replace(
                r#""id": "conditions", "type": "multi_choice","#,
                r#""id": "conditions", "type": "multi_choice", "required": false,"#,
            )
            .as_bytes(),
    )
    .expect("optional multi");
    // Every question too long for a small window, so that it scrolls.
    let wordy = |name: &str, json: &str| {
        let long = r#""text": "Please read all of this question to its end before you answer it, since every part of it matters: the part at the start, the part in the middle and the part at the very end, which is where the question itself is. "#;
        needlecheck::loader::load_str(name, json.replace(r#""text": ""#, long).as_bytes())
            .expect("wordy questionnaire")
    };
    let wordy_mini = wordy(
        "wordy-mini.json",
        &std::fs::read_to_string("tests/fixtures/mini.json").expect("mini fixture"),
    );
    let wordy_choices = wordy("wordy-choices.json", CHOICES);
    // A window just big enough: the result, the interrupt, the review and the help all scroll.
    let small = (40, 12);
    let mini_scripts: &[&str] = &[
        "? Down Down",
        "Enter ? Down Down",
        "Enter Down n 4 0 Enter y 1 Bksp",
        "Enter y Down Down PgDn",
        "Enter n 4 0 Enter n n a Left",
        "Enter n 4 0 Enter n n Enter Down Down PgDn",
        "Enter n 4 0 Enter n r Down PgDn",
        "Enter n 4 0 Enter n n Enter r Down",
        "Enter n r Esc q",
        "Enter n 4 0 Left Left",
        "Enter n 4 0 Enter y Down",
        "Enter n 4 0 Enter n n a b Left",
        "Enter j j",
        "Down Down",
    ];
    let choice_scripts: &[&str] = &["Enter Enter Down 1 Enter Space 2 Space Enter 1 Bksp"];
    let starts = [
        Start {
            q: &mini,
            staff: false,
            size: small,
            scripts: mini_scripts,
            failing_saves: false,
        },
        Start {
            q: &mini,
            staff: false,
            size: small,
            scripts: &["Enter n 4 0 Enter n n Enter q f a Bksp Esc q"],
            failing_saves: true,
        },
        Start {
            q: &mini,
            staff: true,
            size: small,
            scripts: &[
                "a Bksp",
                "a b Left",
                "Down Down",
                "Enter n 4 0 Enter n n Enter n",
            ],
            failing_saves: false,
        },
        Start {
            q: &choices,
            staff: false,
            size: small,
            scripts: choice_scripts,
            failing_saves: false,
        },
        Start {
            q: &optional_multi,
            staff: false,
            size: small,
            scripts: &["Enter Enter 1 Enter"],
            failing_saves: false,
        },
        Start {
            q: &wordy_mini,
            staff: false,
            size: small,
            scripts: &[
                "Enter SDown",
                "Enter n SDown",
                "Enter n 4 0 Enter n y SDown",
                "Enter n 4 0 Enter n n SDown",
            ],
            failing_saves: false,
        },
        Start {
            q: &wordy_choices,
            staff: false,
            size: small,
            scripts: &["Enter SDown", "Enter Enter SDown"],
            failing_saves: false,
        },
        Start {
            q: &mini,
            staff: false,
            size: (30, 8),
            scripts: &[""],
            failing_saves: false,
        },
    ];
    // Every prefix of every script, with what it leads to.
    let mut states = Vec::new();
    for s in &starts {
        for words in s.scripts {
            let keys = script(words);
            for n in 0..=keys.len() {
                let a = s.replay(&keys[..n]);
                states.push((s, keys[..n].to_vec(), a.context(), a.facts()));
            }
        }
    }
    for binding in keys::BINDINGS {
        for &ctx in binding.contexts {
            for &k in binding.keys {
                let ev = example(k);
                let mut tried = 0;
                let acts = states
                    .iter()
                    .filter(|s| s.2 == ctx && binding.applies(ctx, s.3))
                    .any(|(s, keys, ..)| {
                        tried += 1;
                        let mut a = s.replay(keys);
                        let before = format!("{a:?}");
                        let effect = update(&mut a, Msg::Key(ev));
                        !matches!(effect, Effect::None) || format!("{a:?}") != before
                    });
                assert!(
                    tried > 0,
                    "no test state for {ctx:?} with {:?}",
                    binding.when
                );
                assert!(
                    acts,
                    "{} ({k:?}, \"{}\") does nothing in {ctx:?} ({tried} states tried)",
                    k.label(),
                    binding.what
                );
            }
        }
    }
}

#[test]
fn every_screen_has_a_way_out_and_help_lists_its_keys() {
    for ctx in keys::Context::ALL {
        let facts = keys::Facts::default();
        assert_eq!(
            keys::lookup(ctx, facts, &ctrl_c()),
            Some(keys::Action::Interrupt),
            "Ctrl-C in {ctx:?}"
        );
        let help = keys::help_lines(ctx, facts);
        assert!(help.iter().any(|(k, _)| k == "Ctrl-C"), "{ctx:?}: {help:?}");
        if ctx != keys::Context::TooSmall {
            let esc = keys::lookup(ctx, facts, &key(KeyCode::Esc));
            assert!(esc.is_some(), "Esc does something in {ctx:?}");
        }
    }
}

// ---------- a terminal that goes away ----------

/// A terminal whose every write fails the way a hung-up terminal's does (EIO).
struct HungUp;

impl std::io::Write for HungUp {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::from_raw_os_error(libc::EIO))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::Error::from_raw_os_error(libc::EIO))
    }
}

#[test]
fn a_failed_draw_on_a_hung_up_terminal_is_reported_as_a_hang_up() {
    // The run ends with status 130 for a hang-up but 1 for other I/O errors; it can only tell
    // them apart if the loop keeps the OS error of the failed write.
    let q = mini();
    let mut a = app(&q);
    let backend = ratatui::backend::CrosstermBackend::new(HungUp);
    let mut t = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 80, 24)),
        },
    )
    .expect("terminal");
    let mut events: VecDeque<Event> = VecDeque::new();
    let err = event_loop(
        &mut t,
        &mut a,
        &mut events,
        &|| false,
        &mut Recorder::default(),
    )
    .expect_err("the draw fails");
    assert_eq!(err.raw_os_error(), Some(libc::EIO), "{err}");
}

// ---------- answers nobody gave ----------

#[test]
fn letters_in_a_number_box_are_typing_not_shortcuts() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    assert_eq!(current(&a), "age");
    // `b` once went back, `u` answered that question "Not sure", `q` and `r` opened screens.
    typed(&mut a, "about 40 qr?");
    assert_eq!(current(&a), "age");
    assert_eq!(answer_to(&a, "chest_pain"), Some(&Answer::No));
    assert_eq!(answer_to(&a, "age"), None);
    assert!(!a.confirming_quit() && !a.help_shown());
    assert_eq!(a.screen(), Screen::Question);
    assert_eq!(
        a.input(),
        "40",
        "only what can be part of a number is typed"
    );
    assert_eq!(
        a.error(),
        Some("Please type the number in digits, such as 42."),
        "an age is a whole number: no decimal example"
    );
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(
        text.contains("! Please type the number in digits"),
        "{text}"
    );
    // What the box shows is what Enter records.
    enter(&mut a);
    assert_eq!(answer_to(&a, "age"), Some(&Answer::Number(40.0)));
    // `1e2` (once saved as 12): a message stays up while typing goes on, so it is seen; once
    // digits follow, it says keys were left out rather than asking for digits.
    ch(&mut a, 'b');
    press(&mut a, KeyCode::End);
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Backspace);
    typed(&mut a, "1e");
    assert_eq!(
        a.error(),
        Some("Please type the number in digits, such as 42.")
    );
    ch(&mut a, '2');
    assert_eq!(a.input(), "12");
    assert_eq!(
        a.error(),
        Some("Keys that cannot be part of a number were left out; check the number in the box.")
    );
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(!text.contains("such as"), "{text}");
    // Editing the box takes the message away.
    press(&mut a, KeyCode::Backspace);
    assert_eq!(a.error(), None);
}

#[test]
fn leaving_a_box_keeps_what_was_typed() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "4");
    press(&mut a, KeyCode::Left);
    assert_eq!(current(&a), "age", "← moves in the text, it does not leave");
    press(&mut a, KeyCode::BackTab);
    assert_eq!(current(&a), "chest_pain");
    enter(&mut a); // the kept answer, No
    assert_eq!(current(&a), "age");
    assert_eq!(a.input(), "4", "the text typed before is still there");
    assert_eq!(answer_to(&a, "age"), None, "and it was not recorded");
    // An empty box has nothing to lose: ← goes back.
    press(&mut a, KeyCode::Backspace);
    press(&mut a, KeyCode::Delete);
    press(&mut a, KeyCode::End);
    press(&mut a, KeyCode::Backspace);
    assert_eq!(a.input(), "");
    press(&mut a, KeyCode::Left);
    assert_eq!(current(&a), "chest_pain");
}

#[test]
fn not_sure_in_a_number_box_is_its_own_line() {
    let q = mini();
    let mut a = app(&q);
    to_weeks(&mut a);
    ch(&mut a, 'u');
    assert_eq!(
        answer_to(&a, "weeks"),
        None,
        "u is typing here, not an answer"
    );
    assert_eq!(
        a.error(),
        Some("Please type the number in digits, such as 42. Not sure? Press ↓ and Enter.")
    );
    press(&mut a, KeyCode::Down);
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("› Not sure"), "{text}");
    // Typing goes back into the box; nothing was answered on the way.
    typed(&mut a, "2");
    assert_eq!(a.focus(), None);
    assert_eq!(a.input(), "2");
    press(&mut a, KeyCode::Down);
    enter(&mut a);
    assert_eq!(answer_to(&a, "weeks"), Some(&Answer::Unsure));
}

#[test]
fn two_digit_option_numbers_choose_that_option() {
    let q = long();
    let mut a = app(&q);
    enter(&mut a);
    assert_eq!(current(&a), "areas");
    typed(&mut a, "12");
    assert_eq!(a.focus(), Some(11), "12 is option 12, not 1 then 2");
    ch(&mut a, ' ');
    typed(&mut a, "10 ");
    let ticked: Vec<usize> = (0..16).filter(|i| a.ticked()[*i]).collect();
    assert_eq!(ticked, [9, 11], "Knee and Ankle or foot; not Head or face");
    // A digit that cannot continue the number starts a new one: 1, 7 is option 7.
    typed(&mut a, "17");
    assert_eq!(a.focus(), Some(6));
    ch(&mut a, '0');
    assert_eq!(
        a.error(),
        Some("Please choose a number from 1 to 16 (several separated by commas).")
    );
    let t = draw(&mut a, 80, 24);
    let hints = screen_text(&t).lines().last().unwrap_or("").to_string();
    assert!(hints.starts_with("1-16 go to"), "{hints}");
    enter(&mut a);
    assert_eq!(answer_to(&a, "areas"), Some(&Answer::Multi(vec![9, 11])));
    // On a single-choice list the same: 1 then 1 is option 11.
    typed(&mut a, "11");
    enter(&mut a);
    assert_eq!(answer_to(&a, "worst"), Some(&Answer::Choice(10)));
}

#[test]
fn a_letter_on_a_numbered_list_says_how_to_answer() {
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a);
    assert_eq!(current(&a), "where");
    // `y` and `n` answer yes/no questions; here they do nothing but say so.
    for c in ['n', 'y', 'x'] {
        ch(&mut a, c);
        assert_eq!(
            a.error(),
            Some("Please choose a number from 1 to 3."),
            "{c}"
        );
        assert_eq!(a.focus(), None);
        assert!(a.session().answers().is_empty() || answer_to(&a, "where").is_none());
    }
    let text = squeezed(&screen_text(&draw(&mut a, 40, 12)));
    assert!(text.contains("!Pleasechooseanumberfrom1to3."), "{text}");
    ch(&mut a, '2');
    assert_eq!(a.error(), None);
    assert_eq!(a.focus(), Some(1));
}

#[test]
fn nothing_is_chosen_until_the_person_chooses() {
    let q = mini();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a); // once answered Yes to chest pain: the cursor started on Yes
    assert_eq!(answer_to(&a, "chest_pain"), None);
    assert_eq!(current(&a), "chest_pain");
    assert_eq!(
        a.error(),
        Some("Please answer y (yes), n (no) or u (not sure).")
    );
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(!text.contains('›'), "nothing is highlighted:\n{text}");
    let q = choices();
    let mut a = app(&q);
    enter(&mut a);
    enter(&mut a);
    assert_eq!(current(&a), "where");
    enter(&mut a);
    assert_eq!(answer_to(&a, "where"), None);
    assert_eq!(a.error(), Some("Please choose a number from 1 to 3."));
}

#[test]
fn the_text_box_edits_like_a_text_box() {
    let q = long();
    let mut a = app(&q);
    enter(&mut a);
    typed(&mut a, "1 ");
    enter(&mut a);
    typed(&mut a, "1");
    enter(&mut a);
    assert_eq!(current(&a), "short");
    typed(&mut a, "knee hurt");
    press(&mut a, KeyCode::Left);
    press(&mut a, KeyCode::Left);
    press(&mut a, KeyCode::Left);
    press(&mut a, KeyCode::Left);
    assert_eq!(current(&a), "short", "← moves in the text");
    press(&mut a, KeyCode::Backspace);
    typed(&mut a, "s ");
    assert_eq!(a.input(), "knees hurt");
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Delete);
    typed(&mut a, "K");
    press(&mut a, KeyCode::End);
    typed(&mut a, "s a lot, really");
    // The limit (20) is on screen; a key past it says so and types nothing.
    assert_eq!(a.input(), "Knees hurts a lot, r");
    assert_eq!(a.error(), Some("This box takes at most 20 characters."));
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("20 of 20 characters"), "{text}");
    // Wrapping keeps words whole.
    let text = screen_text(&draw(&mut a, 40, 14));
    assert!(text.contains("› Knees hurts a lot, "), "{text}");
    let narrow = screen_text(&draw(&mut a, 40, 12));
    assert!(!narrow.contains("Kne\n"), "{narrow}");
    enter(&mut a);
    assert_eq!(
        answer_to(&a, "short"),
        Some(&Answer::Text("Knees hurts a lot, r".into()))
    );
}

#[test]
fn going_back_to_the_welcome_keeps_the_patient_id() {
    let q = mini();
    let mut a = App::new(&q, &opts(true), (80, 24));
    typed(&mut a, "MRN-7");
    enter(&mut a);
    ch(&mut a, 'b');
    assert_eq!(a.screen(), Screen::Welcome);
    assert_eq!(a.input(), "MRN-7");
    enter(&mut a);
    assert_eq!(a.subject(), Some("MRN-7"));
    // Every screen says front-desk mode is on, and whose screening it is.
    for size in [(80, 24), (40, 12)] {
        let text = screen_text(&draw(&mut a, size.0, size.1));
        assert!(text.contains("Front desk · patient MRN-7"), "{text}");
    }
    all_no_from_first(&mut a);
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("Front desk · patient MRN-7"), "{text}");
    ch(&mut a, 'r');
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("Front desk · patient MRN-7"), "{text}");
}

/// From the first question of mini: every answer no (age 40) to the result.
fn all_no_from_first(app: &mut App) {
    ch(app, 'n');
    typed(app, "40");
    enter(app);
    ch(app, 'n');
    ch(app, 'n');
    enter(app);
    assert_eq!(app.screen(), Screen::Result);
}

// ---------- random keys ----------

mod random_keys {
    use super::*;
    use needlecheck::model::QuestionType;
    use proptest::prelude::*;

    /// A key or a resize, as a person (or a terminal) could send them.
    #[derive(Debug, Clone)]
    enum Input {
        Key(KeyCode),
        /// Shift with an arrow (scrolls a long question).
        Shift(KeyCode),
        /// A turn of the mouse wheel (down or up) at a row of the window.
        Wheel(bool, u16),
        Resize(u16, u16),
        /// No key for a while (the run loop's [`Msg::Pause`]).
        Pause,
    }

    fn input() -> impl Strategy<Value = Input> {
        let chars = "ynubrq?jk0123456789 .,-aeK膝";
        prop_oneof![
            6 => proptest::sample::select(chars.chars().collect::<Vec<_>>())
                .prop_map(|c| Input::Key(KeyCode::Char(c))),
            4 => proptest::sample::select(vec![
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::BackTab,
                KeyCode::Tab,
                KeyCode::F(1),
            ])
            .prop_map(Input::Key),
            1 => proptest::sample::select(vec![KeyCode::Up, KeyCode::Down])
                .prop_map(Input::Shift),
            1 => (any::<bool>(), 0u16..50).prop_map(|(down, row)| Input::Wheel(down, row)),
            1 => (1u16..=130, 1u16..=50).prop_map(|(w, h)| Input::Resize(w, h)),
            1 => Just(Input::Pause),
        ]
    }

    /// What Enter records on the question shown, from what the screen shows: the focused line,
    /// the ticks, or the box. `None`: Enter records nothing new (the answer stays as it was).
    fn enter_records(a: &App) -> Option<Answer> {
        let (_, q) = a.question()?;
        use QuestionType as T;
        match (q.kind, a.focus()) {
            (T::Display, _) => None,
            (T::YesNo | T::SingleChoice, None) => None,
            (T::YesNo, Some(0)) => Some(Answer::Yes),
            (T::YesNo, Some(1)) => Some(Answer::No),
            (T::SingleChoice, Some(i)) if i < q.options.len() => Some(Answer::Choice(i)),
            (T::YesNo | T::SingleChoice, Some(_)) => Some(Answer::Unsure),
            (T::MultiChoice, _) => Some(Answer::Multi(
                (0..q.options.len()).filter(|i| a.ticked()[*i]).collect(),
            )),
            (T::Number, Some(_)) => Some(Answer::Unsure),
            (T::Text, Some(_)) => None,
            (T::Number | T::Text, None) => needlecheck::answers::parse_input(q, a.input()).ok(),
        }
    }

    fn check(
        q: &Questionnaire,
        staff: bool,
        size: (u16, u16),
        inputs: &[Input],
    ) -> Result<(), TestCaseError> {
        let mut a = App::new(q, &opts(staff), size);
        let mut typed: Vec<char> = Vec::new();
        for input in inputs {
            let before = a.session().answers().clone();
            let shown = a.question().map(|(i, _)| i);
            let boxed = a
                .question()
                .map(|(_, q)| q.kind)
                .filter(|k| matches!(k, QuestionType::Number | QuestionType::Text))
                .filter(|_| !a.help_shown() && !a.confirming_quit());
            let expected = enter_records(&a);
            let ticks = a.ticked().to_vec();
            let focus = a.focus();
            let effect = match input {
                Input::Resize(w, h) => update(&mut a, Msg::Resize(*w, *h)),
                Input::Pause => update(&mut a, Msg::Pause),
                Input::Shift(code) => update(&mut a, Msg::Key(shift(*code))),
                Input::Wheel(down, row) => update(&mut a, wheel(*down, *row)),
                Input::Key(code) => {
                    if let KeyCode::Char(c) = code {
                        typed.push(*c);
                    }
                    update(&mut a, Msg::Key(key(*code)))
                }
            };
            let (w, h) = a.size();
            let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
            t.draw(|f| view::view(&a, f)).expect("draw");
            match effect {
                Effect::Exit => return Ok(()),
                // The next patient: a new screening starts from nothing.
                Effect::Finished(_) => {
                    typed.clear();
                    continue;
                }
                Effect::Save(..) => prop_assert!(false, "a save without a save folder"),
                Effect::None => {}
            }
            // In a box, a printable key is typing: it never moves or opens anything.
            if let (Input::Key(KeyCode::Char(_)), Some(kind)) = (input, boxed) {
                prop_assert_eq!(
                    a.question().map(|(i, _)| i),
                    shown,
                    "{:?} left a {:?} box",
                    input,
                    kind
                );
                prop_assert!(
                    !a.help_shown() && !a.confirming_quit(),
                    "{:?} opened an overlay",
                    input
                );
            }
            // A tick goes only by Space on that very option: never for another one ("None of
            // these" included), never by any other key.
            if shown.is_some() && a.question().map(|(i, _)| i) == shown {
                for (i, (was, is)) in ticks.iter().zip(a.ticked()).enumerate() {
                    if *was && !*is {
                        prop_assert!(
                            matches!(input, Input::Key(KeyCode::Char(' '))) && focus == Some(i),
                            "{:?} took the tick off option {} (focus {:?})",
                            input,
                            i + 1,
                            focus
                        );
                    }
                }
            }
            let after = a.session().answers();
            let Some(c) = shown else {
                prop_assert_eq!(after, &before, "no answer changes off a question screen");
                continue;
            };
            let (old, new) = (before.get(c), after.get(c));
            if old == new {
                continue;
            }
            // An answer changed: only by an answering key, and to what that key means.
            let want = match input {
                Input::Key(KeyCode::Char('y')) => Some(Answer::Yes),
                Input::Key(KeyCode::Char('n')) => Some(Answer::No),
                Input::Key(KeyCode::Char('u')) => Some(Answer::Unsure),
                Input::Key(KeyCode::Enter) => expected.clone(),
                other => {
                    return Err(TestCaseError::fail(format!(
                        "{other:?} changed the answer from {old:?} to {new:?}"
                    )));
                }
            };
            prop_assert_eq!(new, want.as_ref(), "after {:?}", input);
            // Typed answers are made of characters that were typed.
            if let Some(Answer::Text(s)) = new {
                for ch in s.chars() {
                    prop_assert!(
                        s.chars().filter(|x| *x == ch).count()
                            <= typed.iter().filter(|x| **x == ch).count(),
                        "{s:?} was not typed"
                    );
                }
            }
            if let Some(Answer::Number(n)) = new {
                let shown = needlecheck::answers::fmt_num(*n);
                prop_assert!(
                    shown
                        .chars()
                        .filter(char::is_ascii_digit)
                        .all(|d| typed.contains(&d)),
                    "{shown} was not typed"
                );
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Random keys and window sizes: no panic, and the record only ever holds answers the
        /// person chose with the keys they pressed.
        #[test]
        fn random_keys_record_only_what_was_chosen(
            which in 0usize..3,
            start in 0usize..4,
            staff in any::<bool>(),
            size in (20u16..=130, 6u16..=50),
            inputs in proptest::collection::vec(input(), 0..48),
        ) {
            let (q, starts): (Questionnaire, &[&str]) = match which {
                0 => (mini(), &["Enter n", "Enter n 4 0 Enter y", "Enter n 4 0 Enter n n", ""]),
                // Some start on "None of these" with another option ticked.
                1 => (choices(), &["Enter Enter 1 Enter 4 Space Enter", "Enter Enter", "Enter Enter 1 Enter", "Enter Enter 1 Enter 1 Space 4"]),
                _ => (long(), &["Enter 1 Space Enter 1 Enter", "Enter", "Enter 1 2 Space Enter", "Enter 7 Space 1 6"]),
            };
            // Most runs start from a script that reaches a box to type in or a list.
            let start = starts[start % starts.len()];
            let mut all: Vec<Input> = script(start).into_iter().map(|k| Input::Key(k.code)).collect();
            all.extend(inputs);
            check(&q, staff, size, &all)?;
        }
    }
}

// ---------- fitting 80×24 and 40×12 ----------

#[test]
fn long_lists_scroll_under_a_question_that_stays_in_view() {
    let q = long();
    for (w, h) in [(80u16, 24u16), (40, 12)] {
        let mut a = app(&q);
        enter(&mut a);
        let text = screen_text(&draw(&mut a, w, h));
        assert!(text.contains("Where have you had pain"), "{w}x{h}:\n{text}");
        assert!(text.contains("more below"), "{w}x{h}:\n{text}");
        assert!(!text.contains("more above"), "{w}x{h}:\n{text}");
        typed(&mut a, "16");
        let text = screen_text(&draw(&mut a, w, h));
        assert!(text.contains("Where have you had pain"), "{w}x{h}:\n{text}");
        assert!(text.contains("16. None of these"), "{w}x{h}:\n{text}");
        assert!(text.contains("more above"), "{w}x{h}:\n{text}");
        // Home and End go to the first and last option; PgUp and PgDn move by pages.
        press(&mut a, KeyCode::Home);
        assert_eq!(a.focus(), Some(0));
        press(&mut a, KeyCode::PageDown);
        assert!(a.focus() > Some(0));
        press(&mut a, KeyCode::End);
        assert_eq!(a.focus(), Some(15));
    }
}

/// Reads the question on screen by scrolling it with Shift-↓ from the top, a row at a time:
/// whether every word of `wording` came into view, in order. Leaves it scrolled to the top.
fn read_by_scrolling(a: &mut App, w: u16, h: u16, wording: &str) -> bool {
    // Compared without spaces: the wrapper may break a line after a hyphen.
    let words: String = wording.split_whitespace().collect();
    let mut at = 0;
    for _ in 0..200 {
        let text = screen_text(&draw(a, w, h));
        // Under the frame's top, the section title and the progress bar.
        for row in text.lines().skip(3) {
            let row: String = row.split_whitespace().filter(|t| *t != "│").collect();
            if !row.is_empty() && words[at..].starts_with(&row) {
                at += row.len();
            }
        }
        let before = a.question_scroll();
        update(a, Msg::Key(shift(KeyCode::Down)));
        if a.question_scroll() == before {
            break;
        }
    }
    for _ in 0..200 {
        update(a, Msg::Key(shift(KeyCode::Up)));
    }
    at == words.len()
}

fn shift(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::SHIFT)
}

#[test]
fn a_long_question_scrolls_within_its_space_and_can_be_read_whole() {
    let q = long();
    let mut a = app(&q);
    enter(&mut a);
    let whole = "Where have you had pain in the last week? Tick every place that applies, even if it \
                 was only for a short time. Pain that woke you at night counts too, and so does pain \
                 that came back after treatment.";
    let text = screen_text(&draw(&mut a, 40, 12));
    // The start of the question shows; where it is cut, a row says how much more there is and
    // which key scrolls it, as the option list says what is hidden below it.
    assert!(text.contains("Where have you had pain"), "{text}");
    assert!(
        !text.contains("after treatment."),
        "too long to fit:\n{text}"
    );
    assert!(text.contains("↓ 3 more: Shift-↓; ? shows all"), "{text}");
    assert!(!text.contains("more lines above"), "{text}");
    // Options still show under it, and the key table has the keys (the hint bar lists them
    // where it has room).
    assert!(text.contains(" 1. Head or face"), "{text}");
    assert!(
        keys::hints(a.context(), a.facts()).contains(&("Shift-↑/↓".into(), "scroll the question")),
        "{:?}",
        keys::hints(a.context(), a.facts())
    );
    assert!(
        keys::help_lines(a.context(), a.facts())
            .contains(&("Shift-↑/↓".into(), "scroll the question"))
    );
    // Scrolling down line by line shows every word of the question, in order.
    assert!(read_by_scrolling(&mut a, 40, 12, whole));
    for _ in 0..20 {
        update(&mut a, Msg::Key(shift(KeyCode::Down)));
    }
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("came back after treatment."), "{text}");
    assert!(text.contains("more lines above"), "{text}");
    assert!(!text.contains("more lines below"), "{text}");
    assert!(text.contains(" 1. Head or face"), "{text}");
    // Scrolling never answered, ticked or moved anything.
    assert_eq!(current(&a), "areas");
    assert_eq!(a.focus(), None);
    assert!(a.ticked().iter().all(|t| !t));
    assert!(a.session().answers().is_empty());
    // Back up to the start.
    for _ in 0..20 {
        update(&mut a, Msg::Key(shift(KeyCode::Up)));
    }
    assert_eq!(a.question_scroll(), 0);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("Where have you had pain"), "{text}");
    // The help shows the whole question too.
    ch(&mut a, '?');
    let help = screen_text(&draw(&mut a, 40, 24));
    let joined: String = help
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.contains("came back after treatment."), "{help}");
    ch(&mut a, '?');
    // In a window where it fits, there is nothing to scroll, and no key for it.
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("after treatment."), "{text}");
    assert!(!text.contains("Shift-↑"), "{text}");
    update(&mut a, Msg::Key(shift(KeyCode::Down)));
    assert_eq!(a.question_scroll(), 0);
    // The section's introduction shows where there is room.
    assert!(
        text.contains("These questions are about where it hurts."),
        "{text}"
    );
}

#[test]
fn hint_bars_list_each_key_once_and_keep_enter_and_quit_at_every_width() {
    for ctx in keys::Context::ALL {
        for unsure in [false, true] {
            for (typed, cut) in [(false, false), (true, false), (false, true), (true, true)] {
                let facts = keys::Facts {
                    unsure,
                    typed,
                    staff: true,
                    optional: false,
                    options: 16,
                    cut,
                    from_result: false,
                };
                let mut seen: Vec<String> = Vec::new();
                for (k, _) in keys::hints(ctx, facts) {
                    let labels: Vec<String> = if k == "↑/↓" {
                        vec!["↑".into(), "↓".into()]
                    } else if k == "Shift-↑/↓" {
                        vec!["Shift-↑".into(), "Shift-↓".into()]
                    } else {
                        k.split('/').map(str::to_string).collect()
                    };
                    for l in labels {
                        assert!(!seen.contains(&l), "{l} twice in {ctx:?}");
                        seen.push(l);
                    }
                }
            }
        }
    }
    // Drawn at 40, 80 and 200 columns, in both modes: Enter and the way out are always in the
    // bar, and no key shows twice.
    let q = long();
    for staff in [false, true] {
        for (w, h) in [(80u16, 24u16), (40, 12), (200, 60)] {
            let mut a = App::new(&q, &opts(staff), (w, h));
            let mut screens = 0;
            let steps = if staff {
                "F1 Esc Enter 1 Space Enter 1 Enter a b c Enter Enter 2 Enter 1 Space Enter"
            } else {
                "? Esc Enter 1 Space Enter 1 Enter a b c Enter Enter 2 Enter 1 Space Enter"
            };
            for step in script(steps) {
                update(&mut a, Msg::Key(step));
                if a.help_shown() || a.confirming_quit() {
                    continue;
                }
                let bar = screen_text(&draw(&mut a, w, h))
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_string();
                let ctx = a.context();
                assert!(bar.contains("Enter "), "{w}x{h} {ctx:?}: {bar}");
                assert!(
                    bar.contains(" quit") || bar.contains(" finish"),
                    "{w}x{h} {ctx:?}: {bar}"
                );
                let mut seen: Vec<&str> = Vec::new();
                for word in bar.split_whitespace() {
                    for k in word.split('/') {
                        if ["Enter", "Esc", "q", "?", "F1", "←", "b", "r", "↑", "↓"].contains(&k)
                        {
                            assert!(!seen.contains(&k), "{k} twice: {bar}");
                            seen.push(k);
                        }
                    }
                }
                screens += 1;
            }
            assert!(screens > 6);
        }
    }
}

#[test]
fn the_welcome_page_scrolls_in_a_small_window() {
    let q = mini();
    let mut a = app(&q);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(
        text.contains("↓ more") && !text.contains("Enter starts."),
        "{text}"
    );
    press(&mut a, KeyCode::End);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(
        text.contains("Enter starts.") && text.contains("↑ more"),
        "{text}"
    );
    press(&mut a, KeyCode::PageUp);
    press(&mut a, KeyCode::Home);
    assert_eq!(a.scroll(), 0);
    // The help on top scrolls too, with its own markers.
    ch(&mut a, '?');
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("─ ↓ more ┘ │"), "{text}");
    press(&mut a, KeyCode::End);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(
        text.contains("q/Esc      quit") && text.contains("─ ↑ more ┐ │"),
        "{text}"
    );
    ch(&mut a, '?');
    // In front-desk mode the patient ID is at the top, in view without scrolling.
    let mut a = App::new(&q, &opts(true), (40, 12));
    typed(&mut a, "K-1");
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("Patient ID (optional): K-1"), "{text}");
    // Scrolled away from the box, a key typed brings it back into view.
    press(&mut a, KeyCode::PageDown);
    assert!(a.scroll() > 0);
    ch(&mut a, '2');
    assert_eq!((a.scroll(), a.input()), (0, "K-12"));
}

// ---------- the built-in questionnaire at 80×24, 40×12 and 200×60 ----------

fn dry_needling() -> Questionnaire {
    needlecheck::loader::load_path(Path::new("questionnaires/dry-needling.json"))
        .expect("the built-in questionnaire")
}

/// The text of a screen with the frame characters and all white space taken out, so that
/// text wrapped over several rows can be searched for as one piece.
fn squeezed(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !"│┃".contains(*c))
        .collect()
}

/// The rows inside the help overlay (between its side borders and padding).
fn help_rows(t: &Terminal<TestBackend>) -> Vec<String> {
    let buf = t.backend().buffer();
    let (w, h) = (buf.area.width, buf.area.height);
    let cell = |x: u16, y: u16| buf[(x, y)].symbol().to_string();
    let top = (0..h).find_map(|y| {
        (0..w.saturating_sub(6)).find_map(|x| {
            let s: String = (x..x + 6).map(|x| cell(x, y)).collect();
            (s == "┌ Help").then_some((x, y))
        })
    });
    let Some((left, top)) = top else {
        return Vec::new();
    };
    let right = (left + 1..w)
        .find(|x| cell(*x, top) == "┐")
        .expect("help corner");
    (top + 1..h)
        .take_while(|y| cell(left, *y) != "└")
        .map(|y| (left + 2..right - 1).map(|x| cell(x, y)).collect())
        .collect()
}

/// Everything the help says, read by scrolling it from top to bottom one line at a time.
fn read_help(a: &mut App, w: u16, h: u16) -> String {
    update(a, Msg::Key(key(KeyCode::F(1))));
    assert!(a.help_shown());
    let mut shown = help_rows(&draw(a, w, h));
    let mut rows = shown.clone();
    for _ in 0..1000 {
        press(a, KeyCode::Down);
        let now = help_rows(&draw(a, w, h));
        if now == shown {
            break;
        }
        rows.push(now.last().cloned().unwrap_or_default());
        shown = now;
    }
    update(a, Msg::Key(key(KeyCode::F(1))));
    assert!(!a.help_shown());
    rows.join("\n")
}

/// How a walk through the built-in questionnaire answers: "yes" wherever that does not stop
/// the screening (so that follow-up questions are asked; with `gates`, only to the questions
/// that open a group, `…_gate`, and "no" to the rest), this age, every option of a multiple
/// choice but the exclusive ones, the first or the last option of a single choice.
struct Walk {
    age: &'static str,
    last: bool,
    gates: bool,
}

/// Answers the question on screen the walk's way, or (`safe`) the way that does not stop.
fn answer_as(a: &mut App, how: &Walk, safe: bool) {
    let (_, question) = a.question().expect("a question");
    let n = question.options.len();
    match question.kind {
        QuestionType::YesNo => {
            let yes = !safe && (!how.gates || question.id.ends_with("_gate"));
            ch(a, if yes { 'y' } else { 'n' });
        }
        QuestionType::Number => {
            let value = match (question.id.as_str(), question.min, question.max) {
                ("age", _, _) => how.age.to_string(),
                (_, Some(lo), Some(hi)) => format!("{}", ((lo + hi) / 2.0).floor()),
                (_, Some(lo), None) => format!("{lo}"),
                _ => "1".to_string(),
            };
            typed(a, &value);
            enter(a);
        }
        QuestionType::SingleChoice => {
            let pick = if how.last != safe { n } else { 1 };
            typed(a, &pick.to_string());
            enter(a);
        }
        QuestionType::MultiChoice => {
            press(a, KeyCode::Home);
            let none = question.options.iter().position(|o| o.exclusive);
            for (i, o) in question.options.iter().enumerate() {
                let tick = match (safe, none) {
                    (true, Some(x)) => i == x,
                    (true, None) => i == 0,
                    (false, _) => !o.exclusive,
                };
                if tick {
                    ch(a, ' ');
                }
                press(a, KeyCode::Down);
            }
            enter(a);
        }
        QuestionType::Text => {
            typed(a, "ok");
            enter(a);
        }
        QuestionType::Display => {
            enter(a);
        }
    }
}

/// Walks the built-in questionnaire to the result, calling `visit` on every question screen
/// not in `seen`, and adds the questions visited to it.
fn walk(
    q: &Questionnaire,
    staff: bool,
    how: &Walk,
    seen: &mut Vec<String>,
    mut visit: impl FnMut(&mut App),
) {
    let o = RunOptions {
        staff,
        subject: staff.then(|| "P-9".to_string()),
        save_dir: None,
        save_formats: needlecheck::formats::Format::SAVED.to_vec(),
        color: false,
    };
    let mut a = App::new(q, &o, (80, 24));
    enter(&mut a);
    for _ in 0..500 {
        if a.screen() != Screen::Question {
            break;
        }
        let id = current(&a).to_string();
        if !seen.contains(&id) {
            visit(&mut a);
            seen.push(id.clone());
        }
        answer_as(&mut a, how, false);
        if matches!(a.screen(), Screen::Emergency(_)) {
            // Back from the interrupt, answered the other way.
            press(&mut a, KeyCode::Left);
            assert_eq!(current(&a), id);
            answer_as(&mut a, how, true);
            assert!(!matches!(a.screen(), Screen::Emergency(_)), "{id}");
        }
    }
    assert_eq!(a.screen(), Screen::Result);
}

/// A question screen at this size: the whole question shows (or, in a small window, its start
/// with the way to read the rest, and the help has all of it); every line to choose from comes
/// into view in turn, with markers while lines are out of view, the question staying on
/// screen; the hint bar has Enter and the way out; front-desk mode and the patient ID show.
fn check_question_screen(a: &mut App, w: u16, h: u16, staff: bool) {
    let (_, question) = a.question().expect("a question");
    let at = format!("`{}` at {w}x{h}, staff {staff}", question.id);
    let text = screen_text(&draw(a, w, h));
    let wording = squeezed(question.wording(staff));
    let start: String = wording.chars().take(20).collect();
    let bar = text.lines().last().unwrap_or("").to_string();
    assert!(bar.contains("Enter "), "{at}: {bar}");
    assert!(bar.contains(" quit"), "{at}: {bar}");
    if staff {
        assert!(text.contains("Front desk · patient P-9"), "{at}:\n{text}");
    }
    // What the help says (read once, when needed).
    let mut help: Option<String> = None;
    if !squeezed(&text).contains(&wording) {
        assert!(w < 80 || h < 24, "{at}: cut in a large window:\n{text}");
        assert!(squeezed(&text).contains(&start), "{at}:\n{text}");
        assert!(text.contains("shows all"), "{at}:\n{text}");
        assert!(text.contains("Shift-↓"), "{at}:\n{text}");
        assert!(
            read_by_scrolling(a, w, h, question.wording(staff)),
            "{at}: not all of it comes into view by scrolling"
        );
        assert_eq!(a.question_scroll(), 0);
        let help = help.get_or_insert_with(|| squeezed(&read_help(a, w, h)));
        assert!(help.contains(&wording), "{at}: help {help}");
    }
    if !matches!(
        question.kind,
        QuestionType::YesNo | QuestionType::SingleChoice | QuestionType::MultiChoice
    ) {
        return;
    }
    let choices = a.choices();
    if choices
        .iter()
        .all(|c| squeezed(&text).contains(&squeezed(c)))
    {
        return;
    }
    press(a, KeyCode::Home);
    for (i, label) in choices.iter().enumerate() {
        assert_eq!(a.focus(), Some(i), "{at}");
        let text = screen_text(&draw(a, w, h));
        let body = squeezed(&text);
        assert!(body.contains(&start), "{at}: line {i}:\n{text}");
        let whole = squeezed(label);
        if !body.contains(&whole) {
            // Too long for the window: its start shows, and the help has all of it.
            assert!(w < 80 || h < 24, "{at}: line {i} cut:\n{text}");
            let begins: String = whole.chars().take(12).collect();
            assert!(body.contains(&begins), "{at}: line {i}:\n{text}");
            assert!(text.contains("shows it all"), "{at}: line {i}:\n{text}");
            let focus = a.focus();
            let help = help.get_or_insert_with(|| squeezed(&read_help(a, w, h)));
            assert!(help.contains(&whole), "{at}: help {help}");
            assert_eq!(a.focus(), focus, "the help leaves the list as it was");
        }
        assert!(
            text.contains("more below") || text.contains("more above"),
            "{at}: line {i}:\n{text}"
        );
        whole_options_only(&text, &choices, a.question().expect("a question").1, &at);
        press(a, KeyCode::Down);
    }
}

/// The number in a "↑ 2 more above" or "↓ 3 more …" row (0 for "↓ more: …").
fn more_count(row: &str, arrow: char) -> Option<usize> {
    let from = row.find(arrow)?;
    let rest = row[from + arrow.len_utf8()..].trim_start();
    if !rest.contains("more") {
        return None;
    }
    Some(rest.split_whitespace().next()?.parse().unwrap_or(0))
}

/// A list scrolled in its window shows whole options only: the row under "more above" starts
/// an option (no line of an option without its number), and the options above, shown whole,
/// and below add up to all of them (a half-shown option counts as out of view; only a focused
/// one too long for the window shows its start, and says so).
fn whole_options_only(text: &str, choices: &[String], q: &needlecheck::model::Question, at: &str) {
    let rows: Vec<&str> = text.lines().collect();
    let content = |r: &str| r.chars().skip(2).collect::<String>();
    // The list's markers (the question's own say "lines" or "shows all").
    let list_marker = |r: &&str| !r.contains(" line") && !r.contains("shows all");
    let above = rows
        .iter()
        .position(|r| list_marker(r) && more_count(r, '↑').is_some());
    let below = rows
        .iter()
        .rposition(|r| list_marker(r) && more_count(r, '↓').is_some());
    let n_above = above.map_or(0, |i| more_count(rows[i], '↑').unwrap_or(0));
    let n_below = below.map_or(0, |i| more_count(rows[i], '↓').unwrap_or(0));
    if let Some(i) = above {
        let next = content(rows[i + 1]);
        let head: String = next.chars().take(5).collect();
        assert!(
            !head.trim().is_empty(),
            "{at}: a line without its option under the marker:\n{text}"
        );
    }
    let body = squeezed(text);
    let digits = q.options.len().to_string().len();
    let whole = choices
        .iter()
        .enumerate()
        .filter(|(i, label)| {
            let key = match (q.kind, *i) {
                (QuestionType::YesNo, 0) => "y".to_string(),
                (QuestionType::YesNo, 1) => "n".to_string(),
                (_, i) if i >= q.options.len() => "u".to_string(),
                (_, i) => format!("{:>digits$}", i + 1),
            };
            body.contains(&squeezed(&format!("{key}. {label}")))
        })
        .count();
    let cut = usize::from(text.contains("shows it all"));
    assert_eq!(
        n_above + whole + cut + n_below,
        choices.len(),
        "{at}: {n_above} above, {whole} whole, {n_below} below:\n{text}"
    );
}

#[test]
fn the_review_list_shows_whole_entries_with_markers_and_the_way_back() {
    let q = dry_needling();
    let how = Walk {
        age: "40",
        last: false,
        gates: false,
    };
    for (w, h) in [(80u16, 24u16), (40, 12)] {
        let mut app = App::new(&q, &opts(false), (w, h));
        enter(&mut app);
        while app.screen() == Screen::Question {
            answer_as(&mut app, &how, true);
        }
        assert_eq!(app.screen(), Screen::Result);
        let a = &mut app;
        ch(a, 'r');
        assert_eq!(a.screen(), Screen::Review);
        let list = a.session().answered_questions();
        assert!(list.len() > 10);
        let answers: Vec<String> = list
            .iter()
            .map(|&i| {
                let question = &q.questions()[i];
                let answer = a.session().answer_of(i).expect("answered");
                squeezed(&format!(
                    "→ {}",
                    needlecheck::answers::display_for(question, answer, false)
                ))
            })
            .collect();
        for n in 0..list.len() {
            let text = screen_text(&draw(a, w, h));
            let at = format!("{w}x{h}, entry {}", n + 1);
            let rows: Vec<&str> = text.lines().collect();
            let bar = rows.last().copied().unwrap_or("");
            assert!(
                bar.contains("r back") || bar.contains("r/Esc/←/b back (to the result)"),
                "{at}: the way back to the result: {bar}"
            );
            assert!(
                bar.contains("Enter change") && bar.contains("q quit"),
                "{at}: {bar}"
            );
            let above = rows.iter().position(|r| more_count(r, '↑').is_some());
            let below = rows.iter().position(|r| more_count(r, '↓').is_some());
            let n_above = above.map_or(0, |i| more_count(rows[i], '↑').unwrap_or(0));
            let n_below = below.map_or(0, |i| more_count(rows[i], '↓').unwrap_or(0));
            let first = above.map_or(1, |i| i + 1);
            let head: String = rows[first].chars().skip(2).take(6).collect();
            assert!(
                head.chars().any(|c| c.is_ascii_digit()),
                "{at}: the top row starts an entry:\n{text}"
            );
            // Entries shown start with their number; each shows its answer (none is cut).
            let inside = &rows[first..below.unwrap_or(rows.len() - 2)];
            let starts = inside
                .iter()
                .filter(|r| {
                    let head: String = r.chars().skip(2).take(6).collect();
                    head.chars().any(|c| c.is_ascii_digit())
                })
                .count();
            let arrows = inside.iter().filter(|r| r.contains('→')).count();
            assert_eq!(starts, arrows, "{at}: an entry without its answer:\n{text}");
            assert_eq!(
                n_above + starts + n_below,
                answers.len(),
                "{at}: {n_above} above, {starts} shown, {n_below} below:\n{text}"
            );
            let selected = rows
                .iter()
                .position(|r| r.contains(&format!("› {}. ", n + 1)))
                .unwrap_or_else(|| panic!("{at}: the selected entry shows:\n{text}"));
            let rest = squeezed(&rows[selected..].join("\n"));
            assert!(
                rest.contains(&answers[n]),
                "{at}: its answer shows:\n{text}"
            );
            press(a, KeyCode::Down);
        }
        assert_eq!(bar_key(a, w, h, KeyCode::Char('r')), Screen::Result);
    }
}

/// The screen a key leads to.
fn bar_key(a: &mut App, w: u16, h: u16, code: KeyCode) -> Screen {
    draw(a, w, h);
    press(a, code);
    a.screen()
}

#[test]
fn a_long_patient_id_is_shortened_in_the_middle_never_cut_silently() {
    let q = mini();
    for id in ["C-2026-00012345ABCDEFGHIJKL", "X-2026-00012345ABCDEFGHIJKM"] {
        let mut o = opts(true);
        o.subject = Some(id.into());
        let mut a = App::new(&q, &o, (40, 12));
        let mut screens = vec![screen_text(&draw(&mut a, 40, 12))];
        enter(&mut a);
        screens.push(screen_text(&draw(&mut a, 40, 12)));
        all_no_from_first(&mut a);
        screens.push(screen_text(&draw(&mut a, 40, 12)));
        for text in screens {
            let border = text
                .lines()
                .find(|l| l.contains("Front desk"))
                .unwrap_or_else(|| panic!("{text}"));
            let start: String = id.chars().take(5).collect();
            let end: String = id.chars().skip(id.len() - 5).collect();
            assert!(
                border.contains(&start) && border.contains('…') && border.contains(&end),
                "{id}: {border}"
            );
        }
        // At 80 columns the whole ID shows.
        let text = screen_text(&draw(&mut a, 80, 24));
        assert!(
            text.contains(&format!("Front desk · patient {id}")),
            "{text}"
        );
    }
}

#[test]
fn every_question_of_the_built_in_questionnaire_fits_at_three_sizes_in_both_modes() {
    let q = dry_needling();
    let walks = [
        Walk {
            age: "40",
            last: true,
            gates: false,
        },
        Walk {
            age: "16",
            last: false,
            gates: false,
        },
        Walk {
            age: "40",
            last: false,
            gates: true,
        },
    ];
    // A question asked only under a clinic setting (which limb has lymphoedema, when an
    // at-risk limb is left to the practitioner) is reached under that setting.
    let mut values = q.setting_defaults();
    let at_risk = q.setting_index("at_risk_limb_policy").expect("declared");
    values[at_risk] =
        needlecheck::settings::check_json(&q.settings()[at_risk], &serde_json::json!("review"))
            .expect("a valid value");
    let permissive = q.clone().with_settings(values);
    for staff in [false, true] {
        let mut seen: Vec<String> = Vec::new();
        for (qn, how) in walks
            .iter()
            .map(|w| (&q, w))
            .chain([(&permissive, &walks[0])])
        {
            walk(qn, staff, how, &mut seen, |a| {
                for (w, h) in [(80, 24), (40, 12), (200, 60)] {
                    check_question_screen(a, w, h, staff);
                }
            });
        }
        let missed: Vec<&str> = q
            .questions()
            .iter()
            .map(|x| x.id.as_str())
            .filter(|id| !seen.iter().any(|s| s == id))
            .collect();
        assert!(missed.is_empty(), "never reached: {missed:?}");
    }
}

/// The built-in questionnaire answered the way that asks least, up to question `id`.
fn reach<'q>(q: &'q Questionnaire, staff: bool, id: &str) -> App<'q> {
    let o = RunOptions {
        staff,
        subject: staff.then(|| "P-9".to_string()),
        save_dir: None,
        save_formats: needlecheck::formats::Format::SAVED.to_vec(),
        color: false,
    };
    let mut a = App::new(q, &o, (80, 24));
    enter(&mut a);
    let how = Walk {
        age: "40",
        last: false,
        gates: false,
    };
    while current(&a) != id {
        answer_as(&mut a, &how, true);
    }
    a
}

/// Snapshots of the longest question (yes/no) and the longest list (16 options, the longest
/// option focused) of the built-in questionnaire. They change with its wording: review the
/// new screens when it changes.
#[test]
fn snapshots_of_the_longest_questions() {
    let q = dry_needling();
    for staff in [false, true] {
        let mode = if staff { "staff" } else { "self" };
        for (w, h) in [(80u16, 24u16), (40, 12), (200, 60)] {
            let mut a = reach(&q, staff, "conditions_gate");
            snap(&format!("longest_question_{mode}_{w}x{h}"), &mut a, w, h);
            ch(&mut a, 'y');
            assert_eq!(current(&a), "conditions");
            ch(&mut a, '9');
            snap(&format!("longest_list_{mode}_{w}x{h}"), &mut a, w, h);
        }
    }
}

#[test]
fn every_front_desk_screen_shows_the_mode_and_the_patient_id() {
    let q = mini();
    for (w, h) in [(80u16, 24u16), (40, 12), (200, 60)] {
        let mut a = App::new(&q, &opts(true), (w, h));
        let tag = |a: &mut App, what: &str| {
            let text = screen_text(&draw(a, w, h));
            assert!(
                text.contains("Front desk · patient K-1"),
                "{what} at {w}x{h}:\n{text}"
            );
        };
        typed(&mut a, "K-1");
        enter(&mut a);
        tag(&mut a, "question");
        press(&mut a, KeyCode::F(1));
        tag(&mut a, "help");
        press(&mut a, KeyCode::F(1));
        press(&mut a, KeyCode::Esc);
        tag(&mut a, "stop?");
        ch(&mut a, 'n');
        ch(&mut a, 'b');
        tag(&mut a, "welcome, back");
        enter(&mut a);
        ch(&mut a, 'y');
        assert!(matches!(a.screen(), Screen::Emergency(_)));
        tag(&mut a, "emergency");
        ch(&mut a, 'b');
        all_no_from_first(&mut a);
        tag(&mut a, "result");
        ch(&mut a, 'r');
        tag(&mut a, "review");
    }
}

#[test]
fn the_text_box_cursor_moves_both_ways_and_the_limit_shows_in_a_small_window() {
    let q = long();
    let mut a = app(&q);
    enter(&mut a);
    typed(&mut a, "1 ");
    enter(&mut a);
    typed(&mut a, "1");
    enter(&mut a);
    assert_eq!(current(&a), "short");
    typed(&mut a, "ab cd");
    let mut t = draw(&mut a, 40, 12);
    let end = t.backend_mut().get_cursor_position().expect("cursor");
    press(&mut a, KeyCode::Home);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    let mut t = draw(&mut a, 40, 12);
    let at = t.backend_mut().get_cursor_position().expect("cursor");
    assert_eq!((at.x + 3, at.y), (end.x, end.y), "→ twice from the start");
    typed(&mut a, "X");
    assert_eq!(a.input(), "abX cd");
    press(&mut a, KeyCode::Delete);
    assert_eq!(a.input(), "abXcd");
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Right);
    press(&mut a, KeyCode::Backspace);
    assert_eq!(a.input(), "abXc");
    assert_eq!(current(&a), "short", "→ past the end stays in the box");
    // The limit is on screen at 40×12 too.
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("4 of 20 characters"), "{text}");
}

#[test]
fn a_long_answer_keeps_the_cursor_row_and_the_limit_in_view() {
    let q = mini();
    let mut a = App::new(&q, &opts(false), (40, 12));
    enter(&mut a);
    ch(&mut a, 'n');
    typed(&mut a, "40");
    enter(&mut a);
    ch(&mut a, 'n');
    ch(&mut a, 'n');
    assert_eq!(current(&a), "notes");
    typed(&mut a, &"knee pain ".repeat(20));
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("200 of 500 characters"), "{text}");
    // At the start of the text the first row shows (and the limit goes below).
    press(&mut a, KeyCode::Home);
    let mut t = draw(&mut a, 40, 12);
    let text = screen_text(&t);
    assert!(text.contains("› knee pain"), "{text}");
    let cursor = t.backend_mut().get_cursor_position().expect("cursor");
    let row: String = text.lines().nth(usize::from(cursor.y)).unwrap_or("").into();
    assert!(row.contains("› knee pain"), "cursor on {row:?}:\n{text}");
    assert!(
        text.contains("more below") && !text.contains("shows it all"),
        "{text}"
    );
}

/// End goes to the bottom, Home to the top, PgDn and PgUp a page (the window's height less
/// six rows) down and up, within the page's length.
fn pages_through(a: &mut App, what: &str) {
    let page = 12 - 6;
    press(a, KeyCode::End);
    let max = a.scroll();
    assert!(max > 0, "{what} scrolls at 40x12");
    let text = screen_text(&draw(a, 40, 12));
    assert!(
        text.contains("↑ more") && !text.contains("↓ more"),
        "{what}:\n{text}"
    );
    press(a, KeyCode::Home);
    assert_eq!(a.scroll(), 0, "{what}");
    press(a, KeyCode::PageDown);
    assert_eq!(a.scroll(), max.min(page), "{what}");
    press(a, KeyCode::PageUp);
    assert_eq!(a.scroll(), 0, "{what}");
}

#[test]
fn home_end_and_page_keys_work_on_every_scrolling_screen() {
    let q = mini();
    // The welcome page, the result and the emergency interrupt.
    let mut a = App::new(&q, &opts(false), (40, 12));
    pages_through(&mut a, "welcome");
    // At the front desk Home and End belong to the patient ID box; the pages still turn.
    let mut a = App::new(&q, &opts(true), (40, 12));
    typed(&mut a, "K-1");
    press(&mut a, KeyCode::PageDown);
    assert!(a.scroll() > 0);
    press(&mut a, KeyCode::Home);
    assert!(a.scroll() == 0 && a.input() == "K-1");
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::PageUp);
    assert_eq!(a.scroll(), 0);
    let mut a = App::new(&q, &opts(false), (40, 12));
    all_no(&mut a);
    pages_through(&mut a, "result");
    let mut a = App::new(&q, &opts(true), (40, 12));
    enter(&mut a);
    ch(&mut a, 'y');
    pages_through(&mut a, "emergency");
    // The help on top of a screen.
    let mut a = App::new(&q, &opts(false), (40, 12));
    ch(&mut a, '?');
    let top = screen_text(&draw(&mut a, 40, 12));
    press(&mut a, KeyCode::End);
    let bottom = screen_text(&draw(&mut a, 40, 12));
    assert!(
        bottom.contains("─ ↑ more ┐ │") && !bottom.contains("─ ↓ more ┘ │"),
        "{bottom}"
    );
    press(&mut a, KeyCode::Home);
    assert_eq!(screen_text(&draw(&mut a, 40, 12)), top);
    press(&mut a, KeyCode::PageDown);
    let paged = screen_text(&draw(&mut a, 40, 12));
    assert!(paged != top && paged.contains("─ ↑ more ┐ │"), "{paged}");
    press(&mut a, KeyCode::PageUp);
    assert_eq!(screen_text(&draw(&mut a, 40, 12)), top);
    // The review list: the selection moves.
    let mut a = App::new(&q, &opts(false), (40, 12));
    all_no(&mut a);
    ch(&mut a, 'r');
    let selected = |a: &mut App| {
        let text = screen_text(&draw(a, 40, 12));
        text.lines()
            .find_map(|l| l.split("› ").nth(1).and_then(|r| r.split('.').next()))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no selection:\n{text}"))
    };
    assert_eq!(selected(&mut a), "1");
    press(&mut a, KeyCode::End);
    assert_eq!(selected(&mut a), "4");
    press(&mut a, KeyCode::Home);
    assert_eq!(selected(&mut a), "1");
    press(&mut a, KeyCode::PageDown);
    assert_eq!(selected(&mut a), "4");
    press(&mut a, KeyCode::PageUp);
    assert_eq!(selected(&mut a), "1");
}

// ---------- the mouse wheel ----------

/// A turn of the mouse wheel at a row of the window.
fn wheel(down: bool, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind: if down {
            MouseEventKind::ScrollDown
        } else {
            MouseEventKind::ScrollUp
        },
        column: 10,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

/// The window row where `text` is first shown.
fn row_of(t: &Terminal<TestBackend>, text: &str) -> u16 {
    let screen = screen_text(t);
    let at = screen
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("{text} not on screen:\n{screen}"));
    at as u16
}

#[test]
fn the_wheel_scrolls_a_long_question_and_its_list_and_never_answers() {
    let q = long();
    let mut a = App::new(&q, &opts(false), (40, 12));
    enter(&mut a);
    let t = draw(&mut a, 40, 12);
    let (text_row, list_row) = (row_of(&t, "Where have you"), row_of(&t, "Head or face"));
    // Over the question, the wheel scrolls the question's text.
    for _ in 0..20 {
        assert!(matches!(
            update(&mut a, wheel(true, text_row)),
            Effect::None
        ));
    }
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("came back after treatment."), "{text}");
    assert!(text.contains("more lines above"), "{text}");
    for _ in 0..20 {
        update(&mut a, wheel(false, text_row));
    }
    assert_eq!(a.question_scroll(), 0);
    // Over the list, it scrolls the list, with its markers; nothing is focused or ticked.
    for _ in 0..10 {
        update(&mut a, wheel(true, list_row));
    }
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("16. None of these"), "{text}");
    assert!(text.contains("more above"), "{text}");
    assert!(text.contains("Where have you had pain"), "{text}");
    assert_eq!(a.focus(), None);
    assert!(a.ticked().iter().all(|t| !t));
    assert_eq!(current(&a), "areas");
    assert!(a.session().answers().is_empty());
    // A key brings the list back to where the focus is.
    press(&mut a, KeyCode::Down);
    assert_eq!(a.focus(), Some(0));
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains(" 1. Head or face"), "{text}");
    // Other mouse events do nothing.
    let before = format!("{a:?}");
    let click = MouseEvent {
        kind: MouseEventKind::Down(ratatui::crossterm::event::MouseButton::Left),
        column: 5,
        row: list_row,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut a, Msg::Mouse(click));
    assert_eq!(format!("{a:?}"), before);
}

#[test]
fn enter_after_the_wheel_hid_the_chosen_option_shows_it_before_answering() {
    let q = long();
    let mut a = App::new(&q, &opts(false), (40, 12));
    enter(&mut a);
    typed(&mut a, "1");
    ch(&mut a, ' ');
    enter(&mut a);
    assert_eq!(current(&a), "worst");
    ch(&mut a, '1');
    assert_eq!(a.focus(), Some(0));
    let t = draw(&mut a, 40, 12);
    let list_row = row_of(&t, "Head or face");
    for _ in 0..10 {
        update(&mut a, wheel(true, list_row));
    }
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(!text.contains("Head or face"), "{text}");
    // Enter would answer with a line out of sight: it shows the line first.
    enter(&mut a);
    assert_eq!(current(&a), "worst");
    assert_eq!(answer_to(&a, "worst"), None);
    let text = screen_text(&draw(&mut a, 40, 12));
    assert!(text.contains("Head or face"), "{text}");
    assert!(
        a.error().is_some_and(|e| e.contains("again")),
        "{:?}",
        a.error()
    );
    enter(&mut a);
    assert_eq!(answer_to(&a, "worst"), Some(&Answer::Choice(0)));
}

#[test]
fn the_wheel_scrolls_the_result_the_review_and_the_help() {
    let q = mini();
    let mut a = App::new(&q, &opts(false), (40, 12));
    all_no(&mut a);
    update(&mut a, wheel(true, 5));
    assert_eq!(a.scroll(), 3);
    update(&mut a, wheel(false, 5));
    assert_eq!(a.scroll(), 0);
    // The help over the result.
    ch(&mut a, '?');
    let top = screen_text(&draw(&mut a, 40, 12));
    update(&mut a, wheel(true, 5));
    let scrolled = screen_text(&draw(&mut a, 40, 12));
    assert_ne!(top, scrolled);
    update(&mut a, wheel(false, 5));
    assert_eq!(screen_text(&draw(&mut a, 40, 12)), top);
    ch(&mut a, '?');
    // The review list: the wheel moves along it; nothing changes until Enter.
    ch(&mut a, 'r');
    assert_eq!(a.screen(), Screen::Review);
    let answers = a.session().answers().clone();
    let top = screen_text(&draw(&mut a, 40, 12));
    update(&mut a, wheel(true, 5));
    assert_ne!(screen_text(&draw(&mut a, 40, 12)), top);
    assert_eq!(a.screen(), Screen::Review);
    assert_eq!(a.session().answers(), &answers);
}
