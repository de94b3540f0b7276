//! The TUI's state ([`App`]) and the only way it changes ([`update`]).
//!
//! Nothing here touches the terminal, the clock aside: a [`Msg`] (a key press, a new window
//! size, an interrupt) goes in, the state changes, and an [`Effect`] comes out for the run loop
//! to carry out (save and print a finished patient's advice, or stop). The answers live in the
//! engine's [`Session`]; the app only keeps what is being typed or ticked on screen.
//!
//! How a screening ends is the engine's [`Status`] (see [`Status::on_leaving`]): the result
//! screen left with `q`, or `q` from the review list after the last question, is completed
//! (status 0); `q` confirmed before the end is abandoned (status 3, advice at least
//! `incomplete`); the emergency interrupt left is stopped (status 0); Ctrl-C, SIGINT, SIGTERM
//! and SIGHUP are interrupted: nothing printed or saved for the unfinished patient, status 130.
//!
//! With a save folder, a screening is saved before the app moves on ([`Effect::Save`], answered
//! by [`Msg::Saved`]). A failed save stops on a screen that says so and keeps the
//! [`Screening`] in memory: staff try again, choose another folder, or give the record up,
//! which makes the exit status [`exit::IO`] (never 0 after a lost record). An interrupt while
//! that choice is awaited gives the record up out loud ([`screening::on_interrupt`]): the run
//! prints its advice as giving up would, says the record was NOT saved, and ends in
//! [`exit::IO`].
//!
//! In front-desk mode each finished patient's advice is handed to the run loop as soon as staff
//! move on with `n` (and the record is saved), and the session is replaced: no answer of a
//! previous patient stays in memory or on screen.

use std::path::PathBuf;
use std::time::SystemTime;

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind,
};

use crate::answers::{self, Answer, AnswerError};
use crate::frontend::RunOptions;
use crate::model::{Question, QuestionType};
use crate::questionnaire::Questionnaire;
use crate::records::Saved;
use crate::screening::{self, Mode, Moment, Notice, Screening, SignalEnd, Start, Status, exit};
use crate::session::{Session, Step, StepError};

use super::edit::LineEdit;
use super::keys::{self, Action, Context, Facts};
use super::view;

/// Smallest window the screens are laid out for.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 12;

/// Longest patient identifier typed on the welcome screen.
const SUBJECT_LIMIT: usize = 40;
/// Longest number typed.
const NUMBER_LIMIT: usize = 24;
/// Longest folder path typed on the save-failed screen.
const FOLDER_LIMIT: usize = 1024;
/// Lines a turn of the mouse wheel scrolls a page by (options for a list).
const WHEEL_LINES: isize = 3;

/// Which screen is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Welcome,
    Question,
    /// The emergency interrupt for this `stop` rule.
    Emergency(usize),
    Review,
    Result,
    /// The record of the screening that just ended could not be saved.
    SaveFailed,
}

/// Something that happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(KeyEvent),
    /// A mouse event: the wheel scrolls what is under the pointer; the rest is ignored.
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Ctrl-C outside the window, SIGTERM or SIGHUP.
    Interrupt,
    /// How the save asked for by [`Effect::Save`] went: the files, or why it failed.
    Saved(std::result::Result<Saved, String>),
    /// No key for a while (the run loop says so; the app keeps no clock): an option number
    /// being typed ends, so `1`, a pause, then `6` is option 6, not 16.
    Pause,
}

/// What the run loop has to do after an update.
#[derive(Debug)]
pub enum Effect<'q> {
    None,
    /// Save this screening in this folder, then answer with [`Msg::Saved`].
    Save(Box<Screening<'q>>, PathBuf),
    /// A patient is done (front-desk mode, `n`, record saved): print the advice.
    Finished(Box<Screening<'q>>),
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

/// What comes after a screening's record is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    NextPatient,
    Exit,
}

/// The whole state of the TUI. The fields are the TUI's own (the view reads them); everything
/// else goes through the methods below and [`update`].
#[derive(Debug)]
pub struct App<'q> {
    pub(super) q: &'q Questionnaire,
    pub(super) staff: bool,
    pub(super) color: bool,
    /// Window size (columns, rows).
    pub(super) size: (u16, u16),
    pub(super) session: Session<'q>,
    pub(super) screen: Screen,
    pub(super) show_help: bool,
    pub(super) help_scroll: u16,
    pub(super) confirm_quit: bool,
    /// "Start the next patient?" is asked (front desk, `n` on the result).
    pub(super) confirm_next: bool,
    /// Focused line of a list question (the "Not sure" line comes after the options; for a
    /// number question it is the only line). `None`: nothing chosen yet, or the focus is in
    /// the box.
    pub(super) cursor: Option<usize>,
    /// Digits of an option number typed so far ("1" on the way to "12").
    pub(super) digits: String,
    /// Ticked options of a multiple-choice question.
    pub(super) ticked: Vec<bool>,
    /// What is typed in a number or text box, or the patient ID on the welcome screen.
    pub(super) input: LineEdit,
    /// Text typed into a box and left without answering (by question), shown again on return.
    pub(super) drafts: Vec<(usize, LineEdit)>,
    /// Why the last key or answer was not taken.
    pub(super) error: Option<String>,
    /// A key typed into a box was refused: its message stays while typing goes on, until the
    /// box is edited otherwise or left.
    key_refused: bool,
    /// Something to tell once, e.g. answers removed by a change.
    pub(super) notice: Option<String>,
    pub(super) review_selected: usize,
    /// Scroll position of the result or the emergency interrupt.
    pub(super) result_scroll: u16,
    /// First line shown of a question too long for its rows (0 for one that fits).
    pub(super) question_scroll: u16,
    /// First line shown of a question's list after the mouse wheel scrolled it (`None`: the
    /// list follows the focus). Any key brings the focus back into view.
    pub(super) list_scroll: Option<u16>,
    /// The current patient's identifier.
    pub(super) subject: Option<String>,
    /// Patients finished before this one (front-desk mode).
    pub(super) patients_done: usize,
    /// Where each patient's advice goes: saved files, and stdout when it is not the terminal.
    pub(super) advice_saved: bool,
    pub(super) advice_printed: bool,
    /// Changing an answer from the review list: go back to the list after it.
    editing: bool,
    /// Where the review list was opened from (`None`: the result).
    resume_at: Option<usize>,
    /// Questions a change from the review list added, still to be answered; then the person
    /// goes back to where they were.
    followups: Vec<usize>,
    started: Option<SystemTime>,
    ending: Option<Ending>,
    /// Where records are saved (`None`: nothing is saved).
    save_dir: Option<PathBuf>,
    /// A screening waiting for its record to be saved, and what comes next.
    pending: Option<(Screening<'q>, Then)>,
    /// Why the last save failed (the [`Screen::SaveFailed`] screen).
    save_error: Option<String>,
    /// Another folder being typed on the save-failed screen.
    folder_input: Option<String>,
    /// The files of the last record saved, to confirm on screen and on stderr at the end.
    saved: Option<Saved>,
    /// Records given up after a failed save.
    lost: usize,
    /// The screening to print when the app has ended.
    last: Option<Screening<'q>>,
    /// How the last screening ended (kept when [`App::take_final`] takes it).
    last_status: Option<Status>,
    /// What the interrupt that ended the app means, once one has.
    interrupted: Option<SignalEnd>,
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
            confirm_next: false,
            cursor: None,
            digits: String::new(),
            ticked: Vec::new(),
            input: match (&subject, opts.staff) {
                (Some(id), true) => LineEdit::new(id),
                _ => LineEdit::default(),
            },
            drafts: Vec::new(),
            error: None,
            key_refused: false,
            notice: None,
            review_selected: 0,
            result_scroll: 0,
            question_scroll: 0,
            list_scroll: None,
            subject,
            patients_done: 0,
            advice_saved: opts.save_dir.is_some(),
            advice_printed: true,
            editing: false,
            resume_at: None,
            followups: Vec::new(),
            started: None,
            ending: None,
            save_dir: opts.save_dir.clone(),
            pending: None,
            save_error: None,
            folder_input: None,
            saved: None,
            lost: 0,
            last: None,
            last_status: None,
            interrupted: None,
        }
    }

    /// Tells the screens where the advice goes: saved to files, printed on stdout (which in
    /// front-desk mode happens only when stdout is not the terminal).
    pub fn set_advice_kept(&mut self, saved: bool, printed: bool) {
        self.advice_saved = saved;
        self.advice_printed = printed;
    }

    /// The questionnaire being asked.
    pub fn questionnaire(&self) -> &'q Questionnaire {
        self.q
    }

    /// The answers so far and where the screening is.
    pub fn session(&self) -> &Session<'q> {
        &self.session
    }

    /// The screen shown.
    pub fn screen(&self) -> Screen {
        self.screen
    }

    /// The focused line of a list (`None`: nothing chosen yet).
    pub fn focus(&self) -> Option<usize> {
        self.cursor
    }

    /// The ticks of a multiple-choice list.
    pub fn ticked(&self) -> &[bool] {
        &self.ticked
    }

    /// What is typed in the box on screen.
    pub fn input(&self) -> &str {
        self.input.text()
    }

    /// The message about the last key or answer that was not taken.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// A one-off notice (answers removed or questions added by a change).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }

    /// Whether the help is open.
    pub fn help_shown(&self) -> bool {
        self.show_help
    }

    /// Whether "Stop the screening?" is asked.
    pub fn confirming_quit(&self) -> bool {
        self.confirm_quit
    }

    /// The digits of an option number typed so far, while a longer number could follow.
    pub fn pending_digits(&self) -> Option<&str> {
        (!self.digits.is_empty()).then_some(self.digits.as_str())
    }

    /// Whether "Start the next patient?" is asked.
    pub fn confirming_next(&self) -> bool {
        self.confirm_next
    }

    /// The current patient's identifier.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The window size (columns, rows).
    pub fn size(&self) -> (u16, u16) {
        self.size
    }

    /// Why the last save failed (shown on the save-failed screen).
    pub fn save_error(&self) -> Option<&str> {
        self.save_error.as_deref()
    }

    /// The other folder being typed on the save-failed screen, if it is.
    pub fn folder_input(&self) -> Option<&str> {
        self.folder_input.as_deref()
    }

    /// The files of the last record saved (confirmed on screen and at the end).
    pub fn saved(&self) -> Option<&Saved> {
        self.saved.as_ref()
    }

    /// How many records were given up after a failed save.
    pub fn lost(&self) -> usize {
        self.lost
    }

    /// How far the result or the emergency interrupt is scrolled.
    pub fn scroll(&self) -> u16 {
        self.result_scroll
    }

    /// The first line shown of a question too long for its rows.
    pub fn question_scroll(&self) -> u16 {
        self.question_scroll
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
        if self.confirm_next {
            return Context::ConfirmNext;
        }
        if self.show_help {
            return Context::Help;
        }
        self.base_context()
    }

    /// The facts that switch key bindings on and off for the screen underneath any overlay.
    pub fn facts(&self) -> Facts {
        let q = self.question_under_overlay();
        let options = q
            .filter(|q| q.kind.has_options())
            .map_or(0, |q| q.options.len());
        Facts {
            unsure: q.is_some_and(|q| q.allows_unsure()),
            optional: q.is_some_and(|q| !q.is_required()),
            staff: self.staff,
            typed: !self.input.is_empty(),
            options,
            cut: q.is_some() && view::question_max_scroll(self) > 0,
            from_result: self.screen == Screen::Review && self.resume_at.is_none(),
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
            Screen::SaveFailed if self.folder_input.is_some() => Context::SaveFolder,
            Screen::SaveFailed => Context::SaveFailed,
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

    /// The screening to print now that the app has ended (none after an interrupt, or when
    /// nothing was started). Takes it, so it is printed once.
    pub fn take_final(&mut self) -> Option<Screening<'q>> {
        self.last.take()
    }

    /// The screening waiting for its record to be saved.
    pub fn pending(&self) -> Option<&Screening<'q>> {
        self.pending.as_ref().map(|(s, _)| s)
    }

    /// How the current patient's screening ends if left now; `None` when nothing was started.
    pub fn leaving_status(&self) -> Option<Status> {
        let started = self.started.is_some() || !self.session.answered_questions().is_empty();
        let shown = matches!(self.screen, Screen::Result | Screen::Emergency(_));
        (started || shown).then(|| Status::on_leaving(&self.session))
    }

    /// The process exit status for how the TUI ended: 130 after an interrupt, [`exit::IO`]
    /// after a record was given up, otherwise the status of the last screening (abandoned
    /// when none was started and no patient was finished).
    pub fn exit_status(&self) -> u8 {
        let status = match self.ending {
            Some(Ending::Interrupted) => exit::INTERRUPTED,
            _ => match self.last_status {
                Some(s) => s.exit_status(),
                None if self.patients_done > 0 => exit::OK,
                None => exit::ABANDONED,
            },
        };
        exit::with_lost(status, self.lost)
    }

    /// Where the run is, for what an interrupt means ([`screening::on_interrupt`]).
    pub fn moment(&self) -> Moment {
        if self.pending.is_some() {
            Moment::SaveWaiting
        } else if self.leaving_status().is_none() {
            Moment::Between
        } else {
            Moment::Screening
        }
    }

    /// Ends the app on Ctrl-C, a signal or a closed terminal. A record that waits after a
    /// failed save is given up, counted as lost, and its screening kept for
    /// [`App::take_final`] as giving it up with `q` would.
    fn interrupt(&mut self) -> Effect<'q> {
        let end = screening::on_interrupt(self.moment(), self.lost);
        if end.record_lost
            && let Some((done, _)) = self.pending.take()
        {
            self.lost += 1;
            self.saved = None;
            self.last_status = Some(done.status);
            self.last = Some(done);
        }
        self.interrupted = Some(end);
        self.ending = Some(Ending::Interrupted);
        Effect::Exit
    }

    /// The lines for stderr once the app has ended and the terminal is back: how an
    /// interrupt ended it, where the last record was saved, and how many were given up.
    pub fn end_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(end) = &self.interrupted {
            notes.push(end.notice.to_string());
        }
        if let Some(saved) = &self.saved {
            let what = if self.staff {
                "the last record"
            } else {
                "the record"
            };
            notes.push(format!(
                "needlecheck: {}",
                crate::frontend::saved_line(saved, what)
            ));
        }
        if self.lost > 0 {
            notes.push(format!(
                "needlecheck: {} screening record{} NOT saved (given up after a failed save).",
                self.lost,
                if self.lost == 1 { " was" } else { "s were" }
            ));
        }
        notes
    }

    fn end_screening(&self, status: Status) -> Screening<'q> {
        let start = Start {
            subject: self.subject.clone(),
            staff: self.staff,
            mode: Mode::Tui,
            started: self.started.unwrap_or_else(SystemTime::now),
        };
        Screening::end(&self.session, start, status)
    }

    /// Ends the app (`q`): the screening so far is saved first when asked, then printed.
    fn leave(&mut self) -> Effect<'q> {
        let Some(status) = self.leaving_status() else {
            self.ending = Some(Ending::Quit);
            return Effect::Exit;
        };
        let done = self.end_screening(status);
        self.keep(done, Then::Exit)
    }

    /// Saves `done` if a folder was given, then goes on with `then`.
    fn keep(&mut self, done: Screening<'q>, then: Then) -> Effect<'q> {
        match self.save_dir.clone() {
            Some(dir) => {
                self.pending = Some((done.clone(), then));
                Effect::Save(Box::new(done), dir)
            }
            None => self.go_on(done, then),
        }
    }

    /// After a screening is saved (or given up): the next patient, or the end.
    fn go_on(&mut self, done: Screening<'q>, then: Then) -> Effect<'q> {
        self.save_error = None;
        self.folder_input = None;
        match then {
            Then::NextPatient => {
                self.reset_for_next_patient();
                Effect::Finished(Box::new(done))
            }
            Then::Exit => {
                self.session = Session::new(self.q);
                self.last_status = Some(done.status);
                self.last = Some(done);
                self.ending = Some(Ending::Quit);
                Effect::Exit
            }
        }
    }

    fn on_saved(&mut self, result: std::result::Result<Saved, String>) -> Effect<'q> {
        let Some((done, then)) = self.pending.take() else {
            return Effect::None;
        };
        match result {
            Ok(saved) => {
                self.saved = Some(saved);
                self.go_on(done, then)
            }
            Err(why) => {
                self.pending = Some((done, then));
                self.save_error = Some(why);
                self.screen = Screen::SaveFailed;
                self.show_help = false;
                self.confirm_quit = false;
                self.confirm_next = false;
                Effect::None
            }
        }
    }

    /// Tries the pending save again, in `dir` from now on.
    fn retry_save(&mut self, dir: PathBuf) -> Effect<'q> {
        self.folder_input = None;
        self.save_dir = Some(dir.clone());
        match &self.pending {
            Some((done, _)) => Effect::Save(Box::new(done.clone()), dir),
            None => Effect::None,
        }
    }

    /// Gives up the pending record: it is lost, and the exit status will say so.
    fn give_up_save(&mut self) -> Effect<'q> {
        match self.pending.take() {
            Some((done, then)) => {
                self.lost += 1;
                self.saved = None;
                self.go_on(done, then)
            }
            None => Effect::None,
        }
    }

    /// The number of the emergency line, from the contact shown for `emergency`.
    pub fn emergency_number(&self) -> Option<&'q str> {
        self.q.emergency_contact().map(|c| c.number.as_str())
    }

    // ----- changes -----

    fn load_question(&mut self) {
        self.error = None;
        self.question_scroll = 0;
        self.list_scroll = None;
        self.key_refused = false;
        self.input = LineEdit::default();
        self.cursor = None;
        self.digits.clear();
        self.ticked.clear();
        self.show_help = false;
        self.help_scroll = 0;
        self.screen = Screen::Question;
        let Some(c) = self.session.current() else {
            self.show_result();
            return;
        };
        let q = &self.q.questions()[c];
        // An answer given before is shown as given; nothing is chosen for a new question.
        let prev = self.session.answer_of(c).cloned();
        match (q.kind, prev) {
            (QuestionType::YesNo, Some(Answer::Yes)) => self.cursor = Some(0),
            (QuestionType::YesNo, Some(Answer::No)) => self.cursor = Some(1),
            (QuestionType::YesNo, Some(Answer::Unsure)) => self.cursor = Some(2),
            (QuestionType::SingleChoice, Some(Answer::Choice(i))) => self.cursor = Some(i),
            (QuestionType::SingleChoice, Some(Answer::Unsure)) => {
                self.cursor = Some(q.options.len())
            }
            (QuestionType::Number, Some(Answer::Unsure)) => self.cursor = Some(0),
            (QuestionType::Number, Some(Answer::Number(n))) => {
                self.input = LineEdit::new(&answers::fmt_num(n))
            }
            (QuestionType::Text, Some(Answer::Text(t))) => self.input = LineEdit::new(&t),
            (
                QuestionType::YesNo
                | QuestionType::SingleChoice
                | QuestionType::MultiChoice
                | QuestionType::Number
                | QuestionType::Text
                | QuestionType::Display,
                _,
            ) => {}
        }
        if let Some(i) = self.drafts.iter().position(|(d, _)| *d == c) {
            self.input = self.drafts.swap_remove(i).1;
            self.cursor = None;
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

    /// Keeps what is typed in the box of the question being left without answering, so that
    /// coming back shows it again (nothing typed is lost, nothing is recorded).
    fn keep_draft(&mut self) {
        let Some((c, q)) = self.question() else {
            return;
        };
        let saved = self.session.answer_of(c).map(|a| answers::display(q, a));
        let typed = self.input.text();
        let differs = match (q.kind, saved) {
            (QuestionType::Number, Some(_)) => {
                self.session.answer_of(c) != answers::parse_input(q, typed).ok().as_ref()
            }
            (
                QuestionType::YesNo
                | QuestionType::SingleChoice
                | QuestionType::MultiChoice
                | QuestionType::Text
                | QuestionType::Display,
                Some(s),
            ) => s != typed,
            (_, None) => !typed.is_empty(),
        };
        if q.kind.is_typed() && differs {
            self.drafts.retain(|(d, _)| *d != c);
            self.drafts.push((c, self.input.clone()));
        }
    }

    fn show_result(&mut self) {
        self.screen = Screen::Result;
        self.result_scroll = 0;
        self.editing = false;
        self.show_help = false;
    }

    fn open_review(&mut self) {
        self.keep_draft();
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
        self.fast_forward(until, &[]);
    }

    /// Moves on over answered (and optional) questions up to `until` (or to the end),
    /// stopping at a required question without an answer and at any question of `stop_at`.
    fn fast_forward(&mut self, until: Option<usize>, stop_at: &[usize]) {
        loop {
            let Some(c) = self.session.current() else {
                self.show_result();
                return;
            };
            let open = self.session.answer_of(c).is_none();
            let needed = open && (self.q.questions()[c].is_required() || stop_at.contains(&c));
            if until.is_some_and(|p| c >= p) || needed {
                self.load_question();
                return;
            }
            match self.session.skip() {
                Ok(Step::Next(_)) => {}
                Ok(step) => {
                    self.after(step, &[]);
                    return;
                }
                Err(m) => {
                    self.load_question();
                    self.error = Some(m.to_string());
                    return;
                }
            }
        }
    }

    fn submit(&mut self, a: Answer) -> Effect<'q> {
        let before = self.session.visible_questions();
        let answering = self.session.current();
        match self.session.answer(a) {
            Ok(step) => {
                // The answer replaces whatever was typed and left for that question.
                self.drafts.retain(|(d, _)| Some(*d) != answering);
                self.after(step, &before)
            }
            Err(m) => {
                self.error = Some(m.to_string());
                Effect::None
            }
        }
    }

    fn skip(&mut self) -> Effect<'q> {
        match self.session.skip() {
            Ok(step) => self.after(step, &[]),
            Err(m) => {
                self.error = Some(m.to_string());
                Effect::None
            }
        }
    }

    /// Where to go after an answer or a skip. `before`: the questions shown before the answer,
    /// to find the ones a change from the review list added.
    fn after(&mut self, step: Step, before: &[usize]) -> Effect<'q> {
        self.error = None;
        self.notice = notice_line(
            self.q,
            self.session.dropped(),
            self.session.added(),
            self.staff,
        );
        let added: Vec<usize> = if self.editing {
            self.session
                .visible_questions()
                .into_iter()
                .filter(|i| !before.contains(i) && self.session.answer_of(*i).is_none())
                .collect()
        } else {
            Vec::new()
        };
        match step {
            Step::Stopped(rule) => {
                self.editing = false;
                self.show_help = false;
                self.result_scroll = 0;
                self.screen = Screen::Emergency(rule);
            }
            _ if self.editing && !added.is_empty() => {
                // The change asks for more: say so and go to the new questions.
                self.editing = false;
                self.notice = notice_line(self.q, self.session.dropped(), &added, self.staff);
                self.followups = added;
                let notice = self.notice.take();
                self.fast_forward(None, &self.followups.clone());
                self.notice = notice;
            }
            Step::Next(_) if !self.followups.is_empty() => {
                // The next added question, or back to where the review was opened from.
                let answers = &self.session;
                self.followups.retain(|i| answers.answer_of(*i).is_none());
                let notice = self.notice.take();
                self.fast_forward(self.resume_at, &self.followups.clone());
                self.notice = notice;
            }
            _ if self.editing => {
                // Back to the list that the change was made from; it now shows the new answer.
                let edited = self.session.answered_questions();
                self.screen = Screen::Review;
                self.editing = false;
                self.review_selected = self.review_selected.min(edited.len().saturating_sub(1));
            }
            Step::Next(_) => {
                let notice = self.notice.take();
                self.load_question();
                self.notice = notice;
            }
            Step::Finished => self.show_result(),
        }
        if !matches!(self.screen, Screen::Question) {
            self.followups.clear();
        }
        Effect::None
    }

    fn start(&mut self) {
        if self.staff {
            let id = self.input.text().trim().to_string();
            if !id.is_empty()
                && let Err(e) = crate::subject::check(&id)
            {
                // Stay on the welcome screen with the ID as typed, so it can be corrected.
                self.error = Some(format!("That ID cannot be used: {e}."));
                return;
            }
            self.error = None;
            self.subject = (!id.is_empty()).then_some(id);
            self.input = LineEdit::default();
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

    fn next_patient(&mut self) -> Effect<'q> {
        let status = Status::on_leaving(&self.session);
        let done = self.end_screening(status);
        self.session = Session::new(self.q);
        self.keep(done, Then::NextPatient)
    }

    /// Drops everything about the patient just finished: a new session, nothing on screen.
    fn reset_for_next_patient(&mut self) {
        self.session = Session::new(self.q);
        self.screen = Screen::Welcome;
        self.show_help = false;
        self.help_scroll = 0;
        self.confirm_quit = false;
        self.confirm_next = false;
        self.cursor = None;
        self.digits = String::new();
        self.ticked = Vec::new();
        self.input = LineEdit::default();
        self.drafts = Vec::new();
        self.error = None;
        self.notice = None;
        self.review_selected = 0;
        self.result_scroll = 0;
        self.subject = None;
        self.editing = false;
        self.resume_at = None;
        self.followups = Vec::new();
        self.started = None;
        self.patients_done += 1;
    }

    /// Moves the focus in a list; `None` (nothing chosen) moves to the first line. In a number
    /// box the one line is "Not sure", and up from it is the box again.
    fn move_cursor(&mut self, delta: isize) {
        let n = self.choices().len();
        if n == 0 {
            return;
        }
        let boxed = self
            .question()
            .is_some_and(|(_, q)| q.kind == QuestionType::Number);
        self.cursor = match self.cursor {
            Some(0) if boxed && delta < 0 => None,
            None if boxed && delta < 0 => None,
            None => Some(0),
            Some(c) => Some((c as isize + delta).clamp(0, n as isize - 1) as usize),
        };
        self.error = None;
    }

    /// Ticks or unticks option `i`. An exclusive option ("none of these") stands alone, and
    /// the person's other ticks are never taken away for it: ticking it while others are
    /// ticked (or another while it is) is refused with a message naming the ticks to take off
    /// first, which may be scrolled out of view.
    fn toggle(&mut self, i: usize) {
        let Some((_, q)) = self.question() else {
            return;
        };
        if i >= self.ticked.len() {
            return;
        }
        let on = !self.ticked[i];
        if on {
            let clashing: Vec<usize> = (0..self.ticked.len())
                .filter(|&j| {
                    j != i && self.ticked[j] && (q.options[i].exclusive || q.options[j].exclusive)
                })
                .collect();
            if !clashing.is_empty() {
                let numbers: Vec<String> = clashing.iter().map(|j| (j + 1).to_string()).collect();
                let alone = if q.options[i].exclusive {
                    i
                } else {
                    clashing[0]
                };
                let label = q.options[alone].label_for(self.staff);
                // The numbers first: they stay in view when a small window cuts the message.
                let first = if alone == i {
                    numbers.join(", ")
                } else {
                    (alone + 1).to_string()
                };
                self.error = Some(format!(
                    "Untick {first} first: \"{label}\" goes only on its own."
                ));
                return;
            }
        }
        self.ticked[i] = on;
        self.error = None;
    }

    fn confirm_question(&mut self) -> Effect<'q> {
        let Some((_, q)) = self.question() else {
            return Effect::None;
        };
        match q.kind {
            QuestionType::Display => self.skip(),
            QuestionType::YesNo | QuestionType::SingleChoice => {
                let yes_no = q.kind == QuestionType::YesNo;
                let a = match self.cursor {
                    // Nothing chosen: the message that asks for an answer, as in plain mode.
                    None => answers::parse_input(q, ""),
                    Some(0) if yes_no => Ok(Answer::Yes),
                    Some(1) if yes_no => Ok(Answer::No),
                    Some(i) if i < q.options.len() => Ok(Answer::Choice(i)),
                    Some(_) => Ok(Answer::Unsure),
                };
                self.answer_or_say(a)
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
            QuestionType::Number if self.cursor.is_some() => self.submit(Answer::Unsure),
            QuestionType::Number | QuestionType::Text => {
                if self.input.text().trim().is_empty() {
                    if q.is_required() {
                        self.error = Some(StepError::Required.to_string());
                        return Effect::None;
                    }
                    return self.skip();
                }
                let a = answers::parse_input(q, self.input.text());
                self.answer_or_say(a)
            }
        }
    }

    fn answer_or_say(&mut self, a: Result<Answer, AnswerError>) -> Effect<'q> {
        match a {
            Ok(a) => self.submit(a),
            Err(m) => {
                self.error = Some(m.to_string());
                Effect::None
            }
        }
    }

    /// A digit of an option number: with the digits before it, it names the option to focus
    /// ("1" then "2" is option 12 where there are 12 or more); otherwise it starts a new
    /// number. A number that is no option says so, with the message of plain mode.
    fn pick(&mut self, digit: u8) {
        let Some((_, q)) = self.question() else {
            return;
        };
        let n = q.options.len();
        let longer = format!("{}{digit}", self.digits);
        let valid = |s: &str| s.parse::<usize>().ok().filter(|k| (1..=n).contains(k));
        let (typed, k) = match (valid(&longer), valid(&digit.to_string())) {
            (Some(k), _) => (longer, k),
            (None, Some(k)) => (digit.to_string(), k),
            (None, None) => {
                self.digits.clear();
                self.error = answers::parse_input(q, &digit.to_string())
                    .err()
                    .map(|e| e.to_string());
                return;
            }
        };
        // Keep the digits only while a longer option number could still follow.
        self.digits = if k * 10 <= n { typed } else { String::new() };
        self.cursor = Some(k - 1);
        self.error = None;
    }

    /// A printable key in a box: typed, unless it cannot be part of a number in a number box
    /// or the box is full; then the message says why and nothing else happens.
    fn type_char(&mut self, c: char) {
        let (limit, number) = match (self.screen, self.question()) {
            (Screen::Welcome, _) => (SUBJECT_LIMIT, false),
            (_, Some((_, q))) => match q.kind {
                QuestionType::Text => (q.text_limit(), false),
                QuestionType::Number => (NUMBER_LIMIT, true),
                QuestionType::YesNo
                | QuestionType::SingleChoice
                | QuestionType::MultiChoice
                | QuestionType::Display => (NUMBER_LIMIT, false),
            },
            _ => return,
        };
        if number && !answers::is_number_char(c) {
            let unsure = self.question().is_some_and(|(_, q)| q.allows_unsure());
            let mut m = self
                .question()
                .map_or(answers::NUMBER_HELP, |(_, q)| answers::number_help(q))
                .to_string();
            if unsure {
                m.push_str(" Not sure? Press ↓ and Enter.");
            }
            self.error = Some(m);
            self.key_refused = true;
            return;
        }
        // Typing goes into the box, also from the "Not sure" line.
        self.cursor = None;
        if self.input.insert(c, limit) {
            // After a refused key the message stays, but no longer asks for what is now being
            // typed: it says that keys were left out, so the number is checked before Enter.
            self.error = self.key_refused.then(|| {
                "Keys that cannot be part of a number were left out; check the number in the box."
                    .to_string()
            });
        } else {
            self.error = Some(format!("This box takes at most {limit} characters."));
        }
    }

    /// Edits the box: the error of the last key no longer applies.
    fn edit(&mut self, action: Action) {
        match action {
            Action::CaretLeft => self.input.left(),
            Action::CaretRight => self.input.right(),
            Action::Home => self.input.home(),
            Action::End => self.input.end(),
            Action::Backspace => self.input.backspace(),
            Action::Delete => self.input.delete(),
            _ => return,
        }
        self.error = None;
        self.key_refused = false;
    }

    fn back(&mut self) {
        self.keep_draft();
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
            self.result_scroll = 0;
            // The patient ID stays what it was (it is only read again on Enter).
            self.input = match (self.staff, &self.subject) {
                (true, Some(id)) => LineEdit::new(id),
                _ => LineEdit::default(),
            };
        }
    }

    fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(6)).max(1)
    }

    fn scroll_result(&mut self, delta: isize) {
        let max = view::max_scroll(self);
        let next = (self.result_scroll as isize)
            .saturating_add(delta)
            .clamp(0, max as isize);
        self.result_scroll = next as u16;
    }

    /// Scrolls the text of a long question; nothing else changes (no answer, no focus).
    fn scroll_question(&mut self, delta: isize) {
        let max = view::question_max_scroll(self);
        let next = (self.question_scroll as isize)
            .saturating_add(delta)
            .clamp(0, max as isize);
        self.question_scroll = next as u16;
    }

    fn scroll_help(&mut self, delta: isize) {
        let max = view::help_max_scroll(self);
        let next = (self.help_scroll as isize)
            .saturating_add(delta)
            .clamp(0, max as isize);
        self.help_scroll = next as u16;
    }

    fn move_review(&mut self, delta: isize) {
        let n = self.session.answered_questions().len();
        if n == 0 {
            return;
        }
        let next = (self.review_selected as isize)
            .saturating_add(delta)
            .clamp(0, n as isize - 1);
        self.review_selected = next as usize;
    }

    /// How far a scrolling key moves: one line, a page, or all the way.
    fn distance(&self, action: Action) -> Option<isize> {
        let page = self.page() as isize;
        match action {
            Action::Up => Some(-1),
            Action::Down => Some(1),
            Action::PageUp => Some(-page),
            Action::PageDown => Some(page),
            Action::Home => Some(isize::MIN / 2),
            Action::End => Some(isize::MAX / 2),
            _ => None,
        }
    }

    fn apply(&mut self, action: Action) -> Effect<'q> {
        if action == Action::Interrupt {
            return self.interrupt();
        }
        // Option digits count together only while nothing else is pressed.
        if !matches!(action, Action::Pick(_)) {
            self.digits.clear();
        }
        match self.context() {
            Context::TooSmall => Effect::None,
            Context::ConfirmQuit => {
                match action {
                    Action::Yes if self.screen == Screen::SaveFailed => {
                        self.confirm_quit = false;
                        return self.give_up_save();
                    }
                    Action::Yes => {
                        self.confirm_quit = false;
                        return self.leave();
                    }
                    Action::No => self.confirm_quit = false,
                    _ => {}
                }
                Effect::None
            }
            Context::ConfirmNext => {
                self.confirm_next = false;
                match action {
                    Action::Confirm => self.next_patient(),
                    // Esc, and any other key: the result stays.
                    _ => Effect::None,
                }
            }
            Context::Help => {
                match (action, self.distance(action)) {
                    (Action::Close, _) => {
                        self.show_help = false;
                        self.help_scroll = 0;
                    }
                    (_, Some(d)) => self.scroll_help(d),
                    _ => {}
                }
                Effect::None
            }
            ctx @ (Context::Welcome | Context::StaffWelcome) => {
                let boxed = ctx == Context::StaffWelcome;
                match (action, self.distance(action)) {
                    (Action::Confirm, _) => self.start(),
                    (Action::Type(c), _) => {
                        // The box is at the top of the page: back in view to type.
                        self.result_scroll = 0;
                        self.type_char(c);
                    }
                    (Action::Help, _) => self.show_help = true,
                    (Action::Quit, _) => self.confirm_quit = true,
                    (Action::Home | Action::End, _) if boxed => {
                        self.result_scroll = 0;
                        self.edit(action);
                    }
                    (_, Some(d)) => self.scroll_result(d),
                    (other, None) => {
                        self.result_scroll = 0;
                        self.edit(other);
                    }
                }
                Effect::None
            }
            Context::Emergency => {
                match (action, self.distance(action)) {
                    (Action::Back, _) => {
                        self.session.back();
                        self.load_question();
                    }
                    (Action::Confirm, _) => self.show_result(),
                    (Action::Quit, _) => self.confirm_quit = true,
                    (_, Some(d)) => self.scroll_result(d),
                    _ => {}
                }
                Effect::None
            }
            Context::Review => {
                match (action, self.distance(action)) {
                    (Action::Confirm, _) => {
                        let list = self.session.answered_questions();
                        if let Some(&target) = list.get(self.review_selected)
                            && self.session.go_to(target)
                        {
                            self.notice = None;
                            self.load_question();
                            self.editing = true;
                        }
                    }
                    (Action::Close, _) => self.close_review(),
                    (Action::Quit, _) => self.confirm_quit = true,
                    (_, Some(d)) => self.move_review(d),
                    _ => {}
                }
                Effect::None
            }
            Context::Result => match (action, self.distance(action)) {
                (Action::Review, _) => {
                    self.open_review();
                    Effect::None
                }
                // Asked first: `n` is also "No", and a second press must not skip the result.
                (Action::NextPatient, _) => {
                    self.confirm_next = true;
                    Effect::None
                }
                (Action::Help, _) => {
                    self.show_help = true;
                    Effect::None
                }
                (Action::Quit, _) => self.leave(),
                (_, Some(d)) => {
                    self.scroll_result(d);
                    Effect::None
                }
                _ => Effect::None,
            },
            Context::SaveFailed => match action {
                Action::Confirm => match self.save_dir.clone() {
                    Some(dir) => self.retry_save(dir),
                    None => Effect::None,
                },
                Action::OtherFolder => {
                    self.folder_input = Some(String::new());
                    Effect::None
                }
                Action::Quit => {
                    self.confirm_quit = true;
                    Effect::None
                }
                _ => Effect::None,
            },
            Context::SaveFolder => {
                let Some(input) = self.folder_input.as_mut() else {
                    return Effect::None;
                };
                match action {
                    Action::Type(c) if input.chars().count() < FOLDER_LIMIT => input.push(c),
                    Action::Backspace => {
                        input.pop();
                    }
                    Action::Close => self.folder_input = None,
                    Action::Confirm if !input.trim().is_empty() => {
                        let dir = PathBuf::from(input.trim());
                        return self.retry_save(dir);
                    }
                    _ => {}
                }
                Effect::None
            }

            Context::YesNo
            | Context::Choice
            | Context::Multi
            | Context::Number
            | Context::Text
            | Context::Display => self.apply_to_question(action),
        }
    }

    fn apply_to_question(&mut self, action: Action) -> Effect<'q> {
        if self.list_scroll.is_some()
            && !matches!(action, Action::QuestionUp | Action::QuestionDown)
        {
            // The wheel scrolled the list: a key brings the focus back into view. A key that
            // acts on the focused line while it was out of sight only shows it first.
            let hidden = !view::focus_in_view(self);
            self.list_scroll = None;
            if hidden && self.acts_on_focus(action) {
                self.error = Some(
                    "The list was scrolled away from the line you are on; it shows again. \
                     Press the key again to use it."
                        .into(),
                );
                return Effect::None;
            }
        }
        match action {
            Action::Yes => return self.submit(Answer::Yes),
            Action::No => return self.submit(Answer::No),
            Action::Unsure => return self.submit(Answer::Unsure),
            Action::Confirm => return self.confirm_question(),
            Action::Up => self.move_cursor(-1),
            Action::Down => self.move_cursor(1),
            Action::PageUp => self.move_cursor(-(self.page() as isize)),
            Action::PageDown => self.move_cursor(self.page() as isize),
            Action::Home if self.input_shown() => self.edit(action),
            Action::End if self.input_shown() => self.edit(action),
            Action::Home => self.move_cursor(isize::MIN / 2),
            Action::End => self.move_cursor(isize::MAX / 2),
            Action::Pick(d) => self.pick(d),
            Action::QuestionUp => self.scroll_question(-1),
            Action::QuestionDown => self.scroll_question(1),
            Action::Toggle => {
                if let Some(c) = self.cursor {
                    self.toggle(c);
                } else {
                    self.error = Some("Move to an option first (↑/↓ or its number).".into());
                }
            }
            Action::Type(c) => self.type_char(c),
            Action::Back => self.back(),
            Action::Review => self.open_review(),
            Action::Help => self.show_help = true,
            Action::Quit => self.confirm_quit = true,
            other => self.edit(other),
        }
        Effect::None
    }

    /// A key that does nothing here still ends what needed the keys before it: an option
    /// number being typed, and "Start the next patient?" (any key but Enter keeps the result).
    /// A letter on a list says how to answer there (`y` on a numbered list), with the message
    /// plain mode gives for it.
    fn unbound_key(&mut self, ev: &KeyEvent) {
        self.digits.clear();
        let ctx = self.context();
        if ctx == Context::ConfirmNext {
            self.confirm_next = false;
        }
        let plain = !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if let (Context::YesNo | Context::Choice | Context::Multi, KeyCode::Char(c), true) =
            (ctx, ev.code, plain)
            && !c.is_control()
            && let Some((_, q)) = self.question()
            && let Err(e) = answers::parse_input(q, &c.to_string())
        {
            self.error = Some(e.to_string());
        }
    }

    /// Whether `action` does something with the focused line (ticks it, or answers with it).
    fn acts_on_focus(&self, action: Action) -> bool {
        let kind = self.question().map(|(_, q)| q.kind);
        self.cursor.is_some()
            && match action {
                Action::Toggle => true,
                Action::Confirm => matches!(
                    kind,
                    Some(QuestionType::YesNo | QuestionType::SingleChoice | QuestionType::Number)
                ),
                _ => false,
            }
    }

    /// A turn of the mouse wheel scrolls what is under the pointer: the question's text or its
    /// list, the review list, the result, the interrupt, the welcome page or the help. It never
    /// answers, ticks, or moves to another question; other mouse events do nothing.
    fn wheel(&mut self, ev: MouseEvent) {
        let delta: isize = match ev.kind {
            MouseEventKind::ScrollUp => -1,
            MouseEventKind::ScrollDown => 1,
            _ => return,
        };
        match self.context() {
            Context::TooSmall
            | Context::ConfirmQuit
            | Context::ConfirmNext
            | Context::SaveFailed
            | Context::SaveFolder => {}
            Context::Help => self.scroll_help(delta * WHEEL_LINES),
            Context::Welcome | Context::StaffWelcome | Context::Result | Context::Emergency => {
                self.scroll_result(delta * WHEEL_LINES)
            }
            Context::Review => self.move_review(delta),
            Context::YesNo
            | Context::Choice
            | Context::Multi
            | Context::Number
            | Context::Text
            | Context::Display => {
                let part = view::question_part_at(self, ev.row).unwrap_or(
                    if view::question_max_scroll(self) > 0 {
                        view::QuestionPart::Asked
                    } else {
                        view::QuestionPart::Answer
                    },
                );
                match part {
                    view::QuestionPart::Asked => self.scroll_question(delta),
                    view::QuestionPart::Answer => self.scroll_list(delta * WHEEL_LINES),
                }
            }
        }
    }

    /// Scrolls the list of the question on screen without moving the focus.
    fn scroll_list(&mut self, delta: isize) {
        let (now, max) = view::list_scroll(self);
        if max == 0 {
            return;
        }
        let next = (now as isize).saturating_add(delta).clamp(0, max as isize);
        self.list_scroll = Some(u16::try_from(next).unwrap_or(u16::MAX));
    }

    /// Whether the question on screen has a box to type in.
    fn input_shown(&self) -> bool {
        self.question().is_some_and(|(_, q)| q.kind.is_typed())
    }
}

/// The lines to choose from: the options of a list, then "Not sure" where offered (for a
/// number question, "Not sure" is the one line under the box).
/// `staff` picks the options' staff labels.
pub fn choices_of(q: &Question, staff: bool) -> Vec<String> {
    let mut out: Vec<String> = match q.kind {
        QuestionType::YesNo => vec!["Yes".into(), "No".into()],
        QuestionType::SingleChoice | QuestionType::MultiChoice => q
            .options
            .iter()
            .map(|o| o.label_for(staff).to_string())
            .collect(),
        QuestionType::Number => Vec::new(),
        QuestionType::Text | QuestionType::Display => return Vec::new(),
    };
    if q.allows_unsure() && q.kind != QuestionType::MultiChoice {
        out.push("Not sure".into());
    }
    out
}

/// The notices of a change in one line: answers it removed, questions it added.
fn notice_line(
    q: &Questionnaire,
    dropped: &[usize],
    added: &[usize],
    staff: bool,
) -> Option<String> {
    let notices: Vec<String> = [
        Notice::dropped(q, dropped, staff),
        Notice::added(q, added, staff),
    ]
    .into_iter()
    .flatten()
    .map(|n| n.one_line())
    .collect();
    (!notices.is_empty()).then(|| notices.join(" "))
}

/// Applies a message to the state.
pub fn update<'q>(app: &mut App<'q>, msg: Msg) -> Effect<'q> {
    match msg {
        Msg::Resize(w, h) => {
            app.size = (w, h);
            // Keep scroll positions inside the new layout.
            app.scroll_result(0);
            app.scroll_help(0);
            app.scroll_question(0);
            Effect::None
        }
        Msg::Interrupt => app.interrupt(),
        Msg::Mouse(ev) => {
            app.wheel(ev);
            Effect::None
        }
        Msg::Saved(result) => app.on_saved(result),
        Msg::Pause => {
            app.digits.clear();
            Effect::None
        }
        Msg::Key(ev) => match keys::lookup(app.context(), app.facts(), &ev) {
            Some(action) => app.apply(action),
            None => {
                if ev.kind == KeyEventKind::Press {
                    app.unbound_key(&ev);
                }
                Effect::None
            }
        },
    }
}
