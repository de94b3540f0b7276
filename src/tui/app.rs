//! The TUI's state ([`App`]) and the only way it changes ([`update`]).
//!
//! Nothing here touches the terminal, the clock aside: a [`Msg`] (a key press, a new window
//! size, an interrupt) goes in, the state changes, and an [`Effect`] comes out for the run loop
//! to carry out (save and print a finished patient's advice, or stop). The answers live in the
//! engine's [`Session`]; the app only keeps what is being typed or ticked on screen.
//!
//! Exit policy (what the run loop prints and returns, see [`App::exit_status`]):
//! - the result screen left with `q`: the advice is printed, status 0;
//! - `q` confirmed before the end: the advice of the answers so far is printed (it says the
//!   screening is incomplete, or gives the emergency advice if one was shown), status 3
//!   (abandoned), or 0 when it was the emergency interrupt;
//! - Ctrl-C, SIGINT, SIGTERM, SIGHUP: nothing is printed for the unfinished patient, status 130.
//!
//! In front-desk mode each finished patient's advice is handed to the run loop as soon as staff
//! move on with `n`, and the session is replaced: no answer of a previous patient stays in
//! memory or on screen.

use std::time::SystemTime;

use ratatui::crossterm::event::KeyEvent;

use crate::answers::{self, Answer, Answers};
use crate::frontend::{EXIT_ABANDONED, EXIT_INTERRUPTED, EXIT_OK, RunOptions};
use crate::model::{Question, QuestionType};
use crate::questionnaire::Questionnaire;
use crate::records::Status;
use crate::report::{self, Summary, TextOptions};
use crate::score::Outcome;
use crate::session::{Session, Step};

use super::keys::{self, Action, Context, Facts};
use super::view;

/// Smallest window the screens are laid out for.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Longest patient identifier typed on the welcome screen.
const SUBJECT_LIMIT: usize = 40;
/// Longest number typed.
const NUMBER_LIMIT: usize = 24;

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Question,
    /// The emergency interrupt for this `stop` rule.
    Emergency(usize),
    Review,
    Result,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// Ctrl-C outside the window, SIGTERM or SIGHUP.
    Interrupt,
}

/// What the run loop has to do after an update.
#[derive(Debug)]
pub enum Effect {
    None,
    /// A patient is done (front-desk mode, `n`): save the record if asked and print the advice.
    Finished(Box<Finished>),
    /// Stop: restore the terminal, then print [`App::take_final`] and return
    /// [`App::exit_status`].
    Exit,
}

/// How the TUI ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `q` (confirmed where needed).
    Quit,
    /// Ctrl-C or a signal.
    Interrupted,
}

/// One patient's finished (or abandoned) screening, ready to save and print.
#[derive(Debug, Clone)]
pub struct Finished {
    pub answers: Answers,
    pub outcome: Outcome,
    pub subject: Option<String>,
    pub status: Status,
    pub started: SystemTime,
    pub ended: SystemTime,
    /// `report::render_text` of it: what goes to stdout.
    pub advice: String,
}

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App<'q> {
    pub q: &'q Questionnaire,
    pub staff: bool,
    pub color: bool,
    /// Window size (columns, rows).
    pub size: (u16, u16),
    pub session: Session<'q>,
    pub screen: Screen,
    pub show_help: bool,
    pub help_scroll: u16,
    pub confirm_quit: bool,
    /// Focused option of a list question (the "Not sure" line comes after the options).
    pub cursor: usize,
    /// Ticked options of a multiple-choice question.
    pub ticked: Vec<bool>,
    /// What is typed in a number or text field, or the patient ID on the welcome screen.
    pub input: String,
    /// Why the last answer was not accepted.
    pub error: Option<String>,
    /// Something to tell once, e.g. answers removed by a change.
    pub notice: Option<String>,
    pub review_selected: usize,
    /// Scroll position of the result or the emergency interrupt.
    pub result_scroll: u16,
    /// The current patient's identifier.
    pub subject: Option<String>,
    /// Patients finished before this one (front-desk mode).
    pub patients_done: usize,
    /// Changing an answer from the review list: go back to the list after it.
    editing: bool,
    /// Where the review list was opened from (`None`: the result).
    resume_at: Option<usize>,
    started: Option<SystemTime>,
    ending: Option<Ending>,
}

impl<'q> App<'q> {
    pub fn new(q: &'q Questionnaire, opts: &RunOptions, size: (u16, u16)) -> Self {
        let subject = opts.subject.clone().filter(|s| !s.trim().is_empty());
        App {
            q,
            staff: opts.staff,
            color: opts.color,
            size,
            session: Session::new(q),
            screen: Screen::Welcome,
            show_help: false,
            help_scroll: 0,
            confirm_quit: false,
            cursor: 0,
            ticked: Vec::new(),
            input: if opts.staff {
                subject.clone().unwrap_or_default()
            } else {
                String::new()
            },
            error: None,
            notice: None,
            review_selected: 0,
            result_scroll: 0,
            subject,
            patients_done: 0,
            editing: false,
            resume_at: None,
            started: None,
            ending: None,
        }
    }

    /// The question on screen, if the question screen is shown.
    pub fn question(&self) -> Option<(usize, &'q Question)> {
        if self.screen != Screen::Question {
            return None;
        }
        let q = self.q;
        self.session.current().map(|c| (c, &q.questions()[c]))
    }

    /// Whether the window is big enough for the screens.
    pub fn fits(&self) -> bool {
        self.size.0 >= MIN_WIDTH && self.size.1 >= MIN_HEIGHT
    }

    /// What keys mean right now.
    pub fn context(&self) -> Context {
        if !self.fits() {
            return Context::TooSmall;
        }
        if self.confirm_quit {
            return Context::ConfirmQuit;
        }
        if self.show_help {
            return Context::Help;
        }
        self.base_context()
    }

    /// The facts that switch key bindings on and off for the screen underneath any overlay.
    pub fn facts(&self) -> Facts {
        let q = self.question_under_overlay();
        Facts {
            unsure: q.is_some_and(|q| q.allows_unsure()),
            optional: q.is_some_and(|q| !q.is_required()),
            staff: self.staff,
        }
    }

    fn question_under_overlay(&self) -> Option<&'q Question> {
        self.question().map(|(_, q)| q)
    }

    /// The context of the screen under any overlay (the help lists its keys).
    pub fn base_context(&self) -> Context {
        if !self.fits() {
            return Context::TooSmall;
        }
        match self.screen {
            Screen::Welcome if self.staff => Context::StaffWelcome,
            Screen::Welcome => Context::Welcome,
            Screen::Emergency(_) => Context::Emergency,
            Screen::Review => Context::Review,
            Screen::Result => Context::Result,
            Screen::Question => match self.question().map(|(_, q)| q.kind) {
                Some(QuestionType::YesNo) => Context::YesNo,
                Some(QuestionType::SingleChoice) => Context::Choice,
                Some(QuestionType::MultiChoice) => Context::Multi,
                Some(QuestionType::Number) => Context::Number,
                Some(QuestionType::Text) => Context::Text,
                Some(QuestionType::Display) | None => Context::Display,
            },
        }
    }

    /// The lines of a list question: option labels, then "Not sure" where offered.
    pub fn choices(&self) -> Vec<String> {
        match self.question() {
            Some((_, q)) => choices_of(q, self.staff),
            None => Vec::new(),
        }
    }

    /// How the TUI ended, once it has.
    pub fn ending(&self) -> Option<Ending> {
        self.ending
    }

    /// The current patient's screening as it stands at the end (see the module docs for when
    /// there is one). Takes it, so it is printed once.
    pub fn take_final(&mut self) -> Option<Finished> {
        let status = self.final_status()?;
        let f = self.finished(status);
        self.session = Session::new(self.q);
        Some(f)
    }

    fn final_status(&self) -> Option<Status> {
        if self.ending != Some(Ending::Quit) {
            return None;
        }
        match self.screen {
            Screen::Result if self.session.stopped().is_some() => Some(Status::StoppedEmergency),
            Screen::Result => Some(Status::Completed),
            Screen::Emergency(_) => Some(Status::StoppedEmergency),
            _ if self.started.is_some() || !self.session.answered_questions().is_empty() => {
                Some(Status::Abandoned)
            }
            _ => None,
        }
    }

    /// The process exit status for how the TUI ended.
    pub fn exit_status(&self) -> u8 {
        match self.ending {
            Some(Ending::Interrupted) => EXIT_INTERRUPTED,
            _ => match self.final_status() {
                Some(Status::Abandoned) => EXIT_ABANDONED,
                Some(_) => EXIT_OK,
                None if self.patients_done > 0 => EXIT_OK,
                None => EXIT_ABANDONED,
            },
        }
    }

    fn finished(&self, status: Status) -> Finished {
        let answers = self.session.answers().clone();
        let outcome = self.session.outcome();
        let advice = advice_text(
            self.q,
            &answers,
            &outcome,
            self.staff,
            self.subject.as_deref(),
        );
        let now = SystemTime::now();
        Finished {
            answers,
            outcome,
            subject: self.subject.clone(),
            status,
            started: self.started.unwrap_or(now),
            ended: now,
            advice,
        }
    }

    /// The number of the emergency line, from the contact shown for `emergency`.
    pub fn emergency_number(&self) -> Option<&'q str> {
        self.q.emergency_contact().map(|c| c.number.as_str())
    }

    // ----- changes -----

    fn load_question(&mut self) {
        self.error = None;
        self.input.clear();
        self.cursor = 0;
        self.ticked.clear();
        self.show_help = false;
        self.help_scroll = 0;
        self.screen = Screen::Question;
        let Some(c) = self.session.current() else {
            self.show_result();
            return;
        };
        let q = &self.q.questions()[c];
        let prev = self.session.answer_of(c).cloned();
        match (q.kind, prev) {
            (QuestionType::YesNo, Some(Answer::No)) => self.cursor = 1,
            (QuestionType::YesNo, Some(Answer::Unsure)) => self.cursor = 2,
            (QuestionType::SingleChoice, Some(Answer::Choice(i))) => self.cursor = i,
            (QuestionType::SingleChoice, Some(Answer::Unsure)) => self.cursor = q.options.len(),
            (QuestionType::Number, Some(Answer::Number(n))) => self.input = answers::fmt_num(n),
            (QuestionType::Text, Some(Answer::Text(t))) => self.input = t,
            _ => {}
        }
        if q.kind == QuestionType::MultiChoice {
            self.ticked = vec![false; q.options.len()];
            if let Some(Answer::Multi(chosen)) = self.session.answer_of(c) {
                for i in chosen {
                    if let Some(t) = self.ticked.get_mut(*i) {
                        *t = true;
                    }
                }
            }
        }
    }

    fn show_result(&mut self) {
        self.screen = Screen::Result;
        self.result_scroll = 0;
        self.editing = false;
        self.show_help = false;
    }

    fn open_review(&mut self) {
        self.resume_at = match self.screen {
            Screen::Result => None,
            _ => self.session.current(),
        };
        self.screen = Screen::Review;
        self.editing = false;
        self.error = None;
        let list = self.session.answered_questions();
        self.review_selected = self
            .resume_at
            .and_then(|c| list.iter().position(|i| *i >= c))
            .unwrap_or(0)
            .min(list.len().saturating_sub(1));
    }

    /// Leaves the review list: back to where the person was, moving forward over the answers
    /// they kept (so skip logic and the emergency check run again), stopping at a required
    /// question that has no answer. Opened from the result, it goes on to the result.
    fn close_review(&mut self) {
        self.notice = None;
        let until = self.resume_at;
        if let (Some(p), current) = (until, self.session.current())
            && current.is_none_or(|c| c > p)
            && self.session.go_to(p)
        {
            self.load_question();
            return;
        }
        self.fast_forward(until);
    }

    /// Moves on over answered (and optional) questions up to `until` (or to the end).
    fn fast_forward(&mut self, until: Option<usize>) {
        loop {
            let Some(c) = self.session.current() else {
                self.show_result();
                return;
            };
            let needed = self.q.questions()[c].is_required() && self.session.answer_of(c).is_none();
            if until.is_some_and(|p| c >= p) || needed {
                self.load_question();
                return;
            }
            match self.session.skip() {
                Ok(Step::Next(_)) => {}
                Ok(step) => {
                    self.after(step);
                    return;
                }
                Err(m) => {
                    self.load_question();
                    self.error = Some(m);
                    return;
                }
            }
        }
    }

    fn submit(&mut self, a: Answer) -> Effect {
        match self.session.answer(a) {
            Ok(step) => self.after(step),
            Err(m) => {
                self.error = Some(m);
                Effect::None
            }
        }
    }

    fn skip(&mut self) -> Effect {
        match self.session.skip() {
            Ok(step) => self.after(step),
            Err(m) => {
                self.error = Some(m);
                Effect::None
            }
        }
    }

    fn after(&mut self, step: Step) -> Effect {
        self.error = None;
        self.notice = dropped_notice(self.q, self.session.dropped(), self.staff);
        match step {
            Step::Stopped(rule) => {
                self.editing = false;
                self.show_help = false;
                self.result_scroll = 0;
                self.screen = Screen::Emergency(rule);
            }
            _ if self.editing => {
                // Back to the list that the change was made from; it now shows the new answer.
                let edited = self.session.answered_questions();
                self.screen = Screen::Review;
                self.editing = false;
                self.review_selected = self.review_selected.min(edited.len().saturating_sub(1));
            }
            Step::Next(_) => self.load_question(),
            Step::Finished => self.show_result(),
        }
        Effect::None
    }

    fn start(&mut self) {
        if self.staff {
            let id = self.input.trim().to_string();
            if !id.is_empty()
                && let Err(e) = crate::subject::check(&id)
            {
                // Stay on the welcome screen with the ID as typed, so it can be corrected.
                self.error = Some(format!("That ID cannot be used: {e}."));
                return;
            }
            self.error = None;
            self.subject = (!id.is_empty()).then_some(id);
            self.input.clear();
        }
        if self.started.is_none() {
            self.started = Some(SystemTime::now());
        }
        if self.session.current().is_some() {
            self.load_question();
        } else {
            self.show_result();
        }
    }

    fn next_patient(&mut self) -> Effect {
        let status = if self.session.stopped().is_some() {
            Status::StoppedEmergency
        } else {
            Status::Completed
        };
        let done = self.finished(status);
        // Drop everything about this patient: a new session, and no state left on screen.
        self.session = Session::new(self.q);
        self.screen = Screen::Welcome;
        self.show_help = false;
        self.help_scroll = 0;
        self.confirm_quit = false;
        self.cursor = 0;
        self.ticked = Vec::new();
        self.input = String::new();
        self.error = None;
        self.notice = None;
        self.review_selected = 0;
        self.result_scroll = 0;
        self.subject = None;
        self.editing = false;
        self.resume_at = None;
        self.started = None;
        self.patients_done += 1;
        Effect::Finished(Box::new(done))
    }

    fn move_cursor(&mut self, up: bool) {
        let n = self.choices().len();
        if n == 0 {
            return;
        }
        self.cursor = if up {
            self.cursor.saturating_sub(1)
        } else {
            (self.cursor + 1).min(n - 1)
        };
    }

    /// Ticks or unticks option `i`; an exclusive option ("none of these") stands alone.
    fn toggle(&mut self, i: usize) {
        let Some((_, q)) = self.question() else {
            return;
        };
        if i >= self.ticked.len() {
            return;
        }
        let on = !self.ticked[i];
        if on {
            let exclusive = q.options[i].exclusive;
            for (j, t) in self.ticked.iter_mut().enumerate() {
                if j != i && (exclusive || q.options[j].exclusive) {
                    *t = false;
                }
            }
        }
        self.ticked[i] = on;
        self.error = None;
    }

    fn confirm_question(&mut self) -> Effect {
        let Some((_, q)) = self.question() else {
            return Effect::None;
        };
        match q.kind {
            QuestionType::Display => self.skip(),
            QuestionType::YesNo => {
                let a = match self.cursor {
                    0 => Answer::Yes,
                    1 => Answer::No,
                    _ => Answer::Unsure,
                };
                self.submit(a)
            }
            QuestionType::SingleChoice => {
                let a = if self.cursor < q.options.len() {
                    Answer::Choice(self.cursor)
                } else {
                    Answer::Unsure
                };
                self.submit(a)
            }
            QuestionType::MultiChoice => {
                let chosen: Vec<usize> =
                    (0..self.ticked.len()).filter(|i| self.ticked[*i]).collect();
                if chosen.is_empty() && !q.is_required() {
                    self.skip()
                } else {
                    self.submit(Answer::Multi(chosen))
                }
            }
            QuestionType::Number | QuestionType::Text => {
                if self.input.trim().is_empty() {
                    if q.is_required() {
                        self.error = Some("This question needs an answer.".into());
                        return Effect::None;
                    }
                    return self.skip();
                }
                match answers::parse_input(q, &self.input) {
                    Ok(a) => self.submit(a),
                    Err(m) => {
                        self.error = Some(m);
                        Effect::None
                    }
                }
            }
        }
    }

    fn pick(&mut self, digit: u8) {
        let Some((_, q)) = self.question() else {
            return;
        };
        // The same reading of a typed option number as the plain mode, with its message.
        match answers::parse_input(q, &digit.to_string()) {
            Ok(Answer::Choice(i)) => {
                self.cursor = i;
                self.error = None;
            }
            Ok(Answer::Multi(chosen)) => {
                if let Some(i) = chosen.first().copied() {
                    self.cursor = i;
                    self.toggle(i);
                }
            }
            Ok(_) => {}
            Err(m) => self.error = Some(m),
        }
    }

    fn type_char(&mut self, c: char) {
        let limit = match (self.screen, self.question()) {
            (Screen::Welcome, _) => SUBJECT_LIMIT,
            (_, Some((_, q))) if q.kind == QuestionType::Text => q.text_limit(),
            _ => NUMBER_LIMIT,
        };
        if self.input.chars().count() < limit {
            self.input.push(c);
        }
        self.error = None;
    }

    fn back(&mut self) {
        if self.editing {
            self.screen = Screen::Review;
            self.editing = false;
            self.error = None;
            return;
        }
        if self.session.back() {
            self.load_question();
        } else {
            self.screen = Screen::Welcome;
            self.error = None;
        }
    }

    fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }

    fn scroll_result(&mut self, delta: isize) {
        let max = view::max_scroll(self);
        let next = (self.result_scroll as isize + delta).clamp(0, max as isize);
        self.result_scroll = next as u16;
    }

    fn scroll_help(&mut self, delta: isize) {
        let max = view::help_max_scroll(self);
        let next = (self.help_scroll as isize + delta).clamp(0, max as isize);
        self.help_scroll = next as u16;
    }

    fn move_review(&mut self, delta: isize) {
        let n = self.session.answered_questions().len();
        if n == 0 {
            return;
        }
        let next = (self.review_selected as isize + delta).clamp(0, n as isize - 1);
        self.review_selected = next as usize;
    }

    fn apply(&mut self, action: Action) -> Effect {
        let ctx = self.context();
        if action == Action::Interrupt {
            self.ending = Some(Ending::Interrupted);
            return Effect::Exit;
        }
        match ctx {
            Context::TooSmall => Effect::None,
            Context::ConfirmQuit => {
                match action {
                    Action::Yes => {
                        self.ending = Some(Ending::Quit);
                        return Effect::Exit;
                    }
                    Action::No => self.confirm_quit = false,
                    _ => {}
                }
                Effect::None
            }
            Context::Help => {
                match action {
                    Action::Close => {
                        self.show_help = false;
                        self.help_scroll = 0;
                    }
                    Action::Up => self.scroll_help(-1),
                    Action::Down => self.scroll_help(1),
                    _ => {}
                }
                Effect::None
            }
            Context::Welcome | Context::StaffWelcome => {
                match action {
                    Action::Confirm => self.start(),
                    Action::Type(c) => self.type_char(c),
                    Action::Backspace => {
                        self.input.pop();
                    }
                    Action::Help => self.show_help = true,
                    Action::Quit => self.confirm_quit = true,
                    _ => {}
                }
                Effect::None
            }
            Context::Emergency => {
                match action {
                    Action::Back => {
                        self.session.back();
                        self.load_question();
                    }
                    Action::Confirm => self.show_result(),
                    Action::Quit => self.confirm_quit = true,
                    Action::Up => self.scroll_result(-1),
                    Action::Down => self.scroll_result(1),
                    _ => {}
                }
                Effect::None
            }
            Context::Review => {
                match action {
                    Action::Up => self.move_review(-1),
                    Action::Down => self.move_review(1),
                    Action::PageUp => self.move_review(-(self.page() as isize)),
                    Action::PageDown => self.move_review(self.page() as isize),
                    Action::Confirm => {
                        let list = self.session.answered_questions();
                        if let Some(&target) = list.get(self.review_selected)
                            && self.session.go_to(target)
                        {
                            self.notice = None;
                            self.load_question();
                            self.editing = true;
                        }
                    }
                    Action::Close => self.close_review(),
                    Action::Quit => self.confirm_quit = true,
                    _ => {}
                }
                Effect::None
            }
            Context::Result => match action {
                Action::Up => {
                    self.scroll_result(-1);
                    Effect::None
                }
                Action::Down => {
                    self.scroll_result(1);
                    Effect::None
                }
                Action::PageUp => {
                    self.scroll_result(-(self.page() as isize));
                    Effect::None
                }
                Action::PageDown => {
                    self.scroll_result(self.page() as isize);
                    Effect::None
                }
                Action::Review => {
                    self.open_review();
                    Effect::None
                }
                Action::NextPatient => self.next_patient(),
                Action::Help => {
                    self.show_help = true;
                    Effect::None
                }
                Action::Quit => {
                    self.ending = Some(Ending::Quit);
                    Effect::Exit
                }
                _ => Effect::None,
            },
            Context::YesNo
            | Context::Choice
            | Context::Multi
            | Context::Number
            | Context::Text
            | Context::Display => match action {
                Action::Yes => self.submit(Answer::Yes),
                Action::No => self.submit(Answer::No),
                Action::Unsure => self.submit(Answer::Unsure),
                Action::Up => {
                    self.move_cursor(true);
                    Effect::None
                }
                Action::Down => {
                    self.move_cursor(false);
                    Effect::None
                }
                Action::Pick(d) => {
                    self.pick(d);
                    Effect::None
                }
                Action::Toggle => {
                    self.toggle(self.cursor);
                    Effect::None
                }
                Action::Confirm => self.confirm_question(),
                Action::Type(c) => {
                    self.type_char(c);
                    Effect::None
                }
                Action::Backspace => {
                    self.input.pop();
                    self.error = None;
                    Effect::None
                }
                Action::Back => {
                    self.back();
                    Effect::None
                }
                Action::Review => {
                    self.open_review();
                    Effect::None
                }
                Action::Help => {
                    self.show_help = true;
                    Effect::None
                }
                Action::Quit => {
                    self.confirm_quit = true;
                    Effect::None
                }
                _ => Effect::None,
            },
        }
    }
}

/// The lines of a list question; `staff` picks the options' staff labels.
pub fn choices_of(q: &Question, staff: bool) -> Vec<String> {
    let mut out: Vec<String> = match q.kind {
        QuestionType::YesNo => vec!["Yes".into(), "No".into()],
        QuestionType::SingleChoice | QuestionType::MultiChoice => q
            .options
            .iter()
            .map(|o| o.label_for(staff).to_string())
            .collect(),
        _ => return Vec::new(),
    };
    if q.allows_unsure() && q.kind != QuestionType::MultiChoice {
        out.push("Not sure".into());
    }
    out
}

/// "This change removed 1 answer that no longer applies: …".
fn dropped_notice(q: &Questionnaire, dropped: &[usize], staff: bool) -> Option<String> {
    if dropped.is_empty() {
        return None;
    }
    let which: Vec<String> = dropped
        .iter()
        .map(|i| format!("\"{}\"", q.questions()[*i].wording(staff)))
        .collect();
    let n = dropped.len();
    Some(format!(
        "This change removed {n} answer{} that no longer appl{}: {}",
        if n == 1 { "" } else { "s" },
        if n == 1 { "ies" } else { "y" },
        which.join("; ")
    ))
}

/// The advice text for stdout: exactly what `score --format text` prints for these answers.
pub fn advice_text(
    q: &Questionnaire,
    answers: &Answers,
    outcome: &Outcome,
    staff: bool,
    subject: Option<&str>,
) -> String {
    report::render_text(
        &Summary::new(q, answers, outcome, staff),
        &TextOptions { staff, subject },
    )
}

/// Applies a message to the state.
pub fn update(app: &mut App, msg: Msg) -> Effect {
    match msg {
        Msg::Resize(w, h) => {
            app.size = (w, h);
            // Keep scroll positions inside the new layout.
            app.scroll_result(0);
            app.scroll_help(0);
            Effect::None
        }
        Msg::Interrupt => {
            app.ending = Some(Ending::Interrupted);
            Effect::Exit
        }
        Msg::Key(ev) => match keys::lookup(app.context(), app.facts(), &ev) {
            Some(action) => app.apply(action),
            None => Effect::None,
        },
    }
}
