//! The key map: the one table that says which key does what on which screen.
//!
//! Everything key-related is generated from [`BINDINGS`]: [`lookup`] turns a key press into an
//! [`Action`], [`hints`] builds the hint bar at the bottom of the screen and [`help_lines`] the
//! key list in the `?` help. A key that is not in the table for the current [`Context`] does
//! nothing, so the hints can never promise a key that does not work (or hide one that does).
//!
//! Only key *presses* count: release and repeat events (reported by some terminals) are
//! ignored here, once, for every screen.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What the screen is waiting for; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// The welcome screen.
    Welcome,
    /// The welcome screen in front-desk mode, where the patient identifier is typed.
    StaffWelcome,
    /// A yes/no question.
    YesNo,
    /// A single-choice question.
    Choice,
    /// A multiple-choice question.
    Multi,
    /// A number question (typed).
    Number,
    /// A free-text question (typed; letters are text, not commands).
    Text,
    /// Display-only information.
    Display,
    /// The emergency interrupt.
    Emergency,
    /// The list of answers given so far.
    Review,
    /// The result.
    Result,
    /// The `?` help on top of another screen.
    Help,
    /// "Stop the screening?" on top of another screen.
    ConfirmQuit,
    /// "Start the next patient?" on top of the result (front-desk mode).
    ConfirmNext,
    /// The window is too small to show anything useful.
    TooSmall,
    /// A record could not be saved: try again, another folder, or give it up.
    SaveFailed,
    /// Typing another folder to save the record in.
    SaveFolder,
}

impl Context {
    /// Every context (for keys that work everywhere, such as Ctrl-C).
    pub const ALL: [Context; 17] = [
        Context::Welcome,
        Context::StaffWelcome,
        Context::YesNo,
        Context::Choice,
        Context::Multi,
        Context::Number,
        Context::Text,
        Context::Display,
        Context::Emergency,
        Context::Review,
        Context::Result,
        Context::Help,
        Context::ConfirmQuit,
        Context::ConfirmNext,
        Context::TooSmall,
        Context::SaveFailed,
        Context::SaveFolder,
    ];
}

use Context::*;

/// What a key asks for. The screen decides what it means there (Enter starts, confirms,
/// continues or finishes, as the binding's description says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Yes,
    No,
    Unsure,
    Up,
    Down,
    PageUp,
    PageDown,
    /// A digit of an option number (1-based; `1` then `2` is option 12 on a long list).
    Pick(u8),
    /// The first option, the top of a page, the start of the text.
    Home,
    /// The last option, the end of a page, the end of the text.
    End,
    /// Move the text cursor one character left.
    CaretLeft,
    /// Move the text cursor one character right.
    CaretRight,
    /// Delete the character under the text cursor.
    Delete,
    /// Tick or untick the focused option.
    Toggle,
    Confirm,
    /// A character typed into a field.
    Type(char),
    Backspace,
    Back,
    Review,
    Help,
    /// Ask to stop (confirmed first where answers would be left unfinished).
    Quit,
    /// Stop at once (Ctrl-C).
    Interrupt,
    NextPatient,
    /// Save the record in another folder (after a failed save).
    OtherFolder,
    /// Leave the current overlay or list.
    Close,
    /// Scroll a long question's text up a line (never answers).
    QuestionUp,
    /// Scroll a long question's text down a line (never answers).
    QuestionDown,
}

/// When a binding applies beyond its contexts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// The question offers "Not sure".
    Unsure,
    /// The question may be left unanswered.
    Optional,
    /// Front-desk mode.
    Staff,
    /// The box has something typed in it.
    Typed,
    /// The box is empty.
    Empty,
    /// The question's text is longer than the rows it has.
    Cut,
    /// The review list was opened from the result (closing it goes back there).
    FromResult,
}

/// A key, or a class of keys, as written in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Code(KeyCode),
    Ctrl(char),
    /// A key pressed with Shift (arrows: `Shift-↑`).
    Shift(KeyCode),
    /// 0 to 9: option numbers (shown as the range of the options on screen).
    Digits,
    /// Any printable character.
    Printable,
}

impl Key {
    /// How the key is written in hints and help.
    pub fn label(self) -> String {
        match self {
            Key::Char(' ') => "Space".into(),
            Key::Char(c) => c.to_string(),
            Key::Ctrl(c) => format!("Ctrl-{}", c.to_ascii_uppercase()),
            Key::Shift(code) => format!("Shift-{}", Key::Code(code).label()),
            Key::Digits => "1-9".into(),
            Key::Printable => "type".into(),
            Key::Code(code) => match code {
                KeyCode::Enter => "Enter".into(),
                KeyCode::Esc => "Esc".into(),
                KeyCode::Left => "←".into(),
                KeyCode::Right => "→".into(),
                KeyCode::Up => "↑".into(),
                KeyCode::Down => "↓".into(),
                KeyCode::PageUp => "PgUp".into(),
                KeyCode::PageDown => "PgDn".into(),
                KeyCode::Backspace => "Backspace".into(),
                KeyCode::Delete => "Del".into(),
                KeyCode::Home => "Home".into(),
                KeyCode::End => "End".into(),
                KeyCode::BackTab => "Shift-Tab".into(),
                KeyCode::F(n) => format!("F{n}"),
                other => format!("{other}"),
            },
        }
    }

    /// How the key is written here: option digits as the range of the options ("1-16").
    pub fn label_for(self, facts: Facts) -> String {
        match self {
            Key::Digits if facts.options > 0 => format!("1-{}", facts.options),
            other => other.label(),
        }
    }

    /// The character a class of keys stands for, if the event belongs to it.
    fn matches(self, ev: &KeyEvent) -> Option<Option<char>> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let plain_char = match ev.code {
            KeyCode::Char(c) if !ctrl && !alt => Some(c),
            _ => None,
        };
        match self {
            Key::Char(k) => (plain_char == Some(k)).then_some(None),
            Key::Code(k) => (ev.code == k && !ctrl && !alt).then_some(None),
            Key::Ctrl(k) => (ctrl && ev.code == KeyCode::Char(k)).then_some(None),
            Key::Shift(k) => {
                (ev.code == k && ev.modifiers.contains(KeyModifiers::SHIFT) && !ctrl && !alt)
                    .then_some(None)
            }
            Key::Digits => plain_char.filter(char::is_ascii_digit).map(Some),
            Key::Printable => plain_char.filter(|c| !c.is_control()).map(Some),
        }
    }
}

/// One line of the key table.
#[derive(Debug)]
pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
    /// What it does, in a few words ("not sure", "change this answer").
    pub what: &'static str,
    pub contexts: &'static [Context],
    pub when: When,
    /// Shown in the hint bar (everything is shown in the help).
    pub hint: bool,
}

const NOT_TYPED: &[Context] = &[YesNo, Choice, Multi, Display];
/// Every question screen.
const QUESTIONS: &[Context] = &[YesNo, Choice, Multi, Number, Text, Display];
const LISTS: &[Context] = &[YesNo, Choice, Multi];
/// Screens with a box to type in: there every printable key is typing.
const BOXES: &[Context] = &[Number, Text, StaffWelcome];

const fn b(
    keys: &'static [Key],
    action: Action,
    what: &'static str,
    contexts: &'static [Context],
) -> Binding {
    Binding {
        keys,
        action,
        what,
        contexts,
        when: When::Always,
        hint: true,
    }
}

const fn only(mut binding: Binding, when: When) -> Binding {
    binding.when = when;
    binding
}

const fn quiet(mut binding: Binding) -> Binding {
    binding.hint = false;
    binding
}

use Key::{Char, Code, Ctrl};

/// The key table. Earlier lines win when two match the same key; the hint bar lists them in
/// this order.
pub static BINDINGS: &[Binding] = &[
    // Everywhere, always.
    quiet(b(
        &[Ctrl('c')],
        Action::Interrupt,
        "stop at once",
        &Context::ALL,
    )),
    // Overlays.
    b(&[Char('y'), Char('q')], Action::Yes, "stop", &[ConfirmQuit]),
    b(
        &[Char('n'), Code(KeyCode::Esc)],
        Action::No,
        "carry on",
        &[ConfirmQuit],
    ),
    // Starting the next patient takes Enter: a second `n` (the "No" of the last question) only
    // keeps the result on screen. Any key not listed here keeps it too.
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "next patient",
        &[ConfirmNext],
    ),
    b(
        &[Code(KeyCode::Esc)],
        Action::Close,
        "keep the result (any other key too)",
        &[ConfirmNext],
    ),
    b(
        &[
            Char('?'),
            Code(KeyCode::F(1)),
            Code(KeyCode::Esc),
            Code(KeyCode::Enter),
        ],
        Action::Close,
        "close",
        &[Help],
    ),
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "scroll",
        &[Help],
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "scroll",
        &[Help],
    )),
    // A question too long for its rows scrolls on its own; these keys never answer. They come
    // before the plain arrows, which would otherwise take them.
    only(
        b(
            &[Key::Shift(KeyCode::Up)],
            Action::QuestionUp,
            "scroll the question",
            QUESTIONS,
        ),
        When::Cut,
    ),
    only(
        b(
            &[Key::Shift(KeyCode::Down)],
            Action::QuestionDown,
            "scroll the question",
            QUESTIONS,
        ),
        When::Cut,
    ),
    // Welcome.
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "start",
        &[Welcome, StaffWelcome],
    ),
    // Boxes to type in: every printable key is typing (a number box says so when a key
    // cannot be part of a number), the others edit.
    b(
        &[Key::Printable],
        Action::Type(' '),
        "patient ID",
        &[StaffWelcome],
    ),
    b(
        &[Key::Printable],
        Action::Type(' '),
        "the number",
        &[Number],
    ),
    b(&[Key::Printable], Action::Type(' '), "your answer", &[Text]),
    only(
        b(
            &[Code(KeyCode::Left)],
            Action::Back,
            "back",
            &[Number, Text],
        ),
        When::Empty,
    ),
    quiet(b(
        &[Code(KeyCode::Left)],
        Action::CaretLeft,
        "move in the text",
        BOXES,
    )),
    quiet(b(
        &[Code(KeyCode::Right)],
        Action::CaretRight,
        "move in the text",
        BOXES,
    )),
    quiet(b(
        &[Code(KeyCode::Home)],
        Action::Home,
        "start or end of the text",
        BOXES,
    )),
    quiet(b(
        &[Code(KeyCode::End)],
        Action::End,
        "start or end of the text",
        BOXES,
    )),
    quiet(b(
        &[Code(KeyCode::Backspace)],
        Action::Backspace,
        "erase",
        BOXES,
    )),
    quiet(b(&[Code(KeyCode::Delete)], Action::Delete, "erase", BOXES)),
    only(
        b(&[Code(KeyCode::Down)], Action::Down, "not sure", &[Number]),
        When::Unsure,
    ),
    only(
        quiet(b(
            &[Code(KeyCode::Up)],
            Action::Up,
            "back to the box",
            &[Number],
        )),
        When::Unsure,
    ),
    // Answers.
    b(&[Char('y')], Action::Yes, "yes", &[YesNo]),
    b(&[Char('n')], Action::No, "no", &[YesNo]),
    b(&[Key::Digits], Action::Pick(0), "choose", &[Choice]),
    only(
        b(&[Char('u')], Action::Unsure, "not sure", &[YesNo, Choice]),
        When::Unsure,
    ),
    b(&[Key::Digits], Action::Pick(0), "go to", &[Multi]),
    b(&[Char(' ')], Action::Toggle, "tick", &[Multi]),
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "move up",
        LISTS,
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "move down",
        LISTS,
    )),
    quiet(b(
        &[Code(KeyCode::Home)],
        Action::Home,
        "first or last option",
        LISTS,
    )),
    quiet(b(
        &[Code(KeyCode::End)],
        Action::End,
        "first or last option",
        LISTS,
    )),
    quiet(b(
        &[Code(KeyCode::PageUp)],
        Action::PageUp,
        "page up or down",
        LISTS,
    )),
    quiet(b(
        &[Code(KeyCode::PageDown)],
        Action::PageDown,
        "page up or down",
        LISTS,
    )),
    only(
        b(
            &[Code(KeyCode::Enter)],
            Action::Confirm,
            "confirm (nothing: skip)",
            &[Multi, Number, Text],
        ),
        When::Optional,
    ),
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "confirm",
        &[YesNo, Choice, Multi, Number, Text],
    ),
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "continue",
        &[Display],
    ),
    // Emergency interrupt.
    b(
        &[Code(KeyCode::Left), Char('b')],
        Action::Back,
        "go back",
        &[Emergency],
    ),
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "finish",
        &[Emergency],
    ),
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "scroll up",
        &[Emergency],
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "scroll down",
        &[Emergency],
    )),
    // Review.
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "move up",
        &[Review],
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "move down",
        &[Review],
    )),
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "change (this answer)",
        &[Review],
    ),
    // The way back, with where it leads; a narrow hint bar keeps "back".
    only(
        b(
            &[
                Char('r'),
                Code(KeyCode::Esc),
                Code(KeyCode::Left),
                Char('b'),
            ],
            Action::Close,
            "back (to the result)",
            &[Review],
        ),
        When::FromResult,
    ),
    b(
        &[
            Char('r'),
            Code(KeyCode::Esc),
            Code(KeyCode::Left),
            Char('b'),
        ],
        Action::Close,
        "back (to the questions)",
        &[Review],
    ),
    // Result.
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "scroll up",
        &[Result],
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "scroll down",
        &[Result],
    )),
    only(
        b(&[Char('n')], Action::NextPatient, "next patient", &[Result]),
        When::Staff,
    ),
    b(&[Char('r')], Action::Review, "change answers", &[Result]),
    // The welcome page scrolls in a small window.
    quiet(b(
        &[Code(KeyCode::Up), Char('k')],
        Action::Up,
        "scroll",
        &[Welcome],
    )),
    quiet(b(
        &[Code(KeyCode::Down), Char('j')],
        Action::Down,
        "scroll",
        &[Welcome],
    )),
    quiet(b(
        &[Code(KeyCode::Up)],
        Action::Up,
        "scroll",
        &[StaffWelcome],
    )),
    quiet(b(
        &[Code(KeyCode::Down)],
        Action::Down,
        "scroll",
        &[StaffWelcome],
    )),
    quiet(b(
        &[Code(KeyCode::PageUp)],
        Action::PageUp,
        "page up or down",
        &[Welcome, StaffWelcome],
    )),
    quiet(b(
        &[Code(KeyCode::PageDown)],
        Action::PageDown,
        "page up or down",
        &[Welcome, StaffWelcome],
    )),
    quiet(b(
        &[Code(KeyCode::Home)],
        Action::Home,
        "top or bottom",
        &[Welcome],
    )),
    quiet(b(
        &[Code(KeyCode::End)],
        Action::End,
        "top or bottom",
        &[Welcome],
    )),
    // A record that could not be saved.
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "try again",
        &[SaveFailed],
    ),
    b(
        &[Char('f')],
        Action::OtherFolder,
        "another folder",
        &[SaveFailed],
    ),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        Action::Quit,
        "give up the record",
        &[SaveFailed],
    ),
    b(
        &[Code(KeyCode::Enter)],
        Action::Confirm,
        "save there",
        &[SaveFolder],
    ),
    b(
        &[Key::Printable],
        Action::Type(' '),
        "folder",
        &[SaveFolder],
    ),
    quiet(b(
        &[Code(KeyCode::Backspace)],
        Action::Backspace,
        "erase",
        &[SaveFolder],
    )),
    b(
        &[Code(KeyCode::Esc)],
        Action::Close,
        "cancel",
        &[SaveFolder],
    ),
    // Scrolling long screens.
    quiet(b(
        &[Code(KeyCode::PageUp)],
        Action::PageUp,
        "page up or down",
        &[Review, Result, Emergency, Help],
    )),
    quiet(b(
        &[Code(KeyCode::PageDown)],
        Action::PageDown,
        "page up or down",
        &[Review, Result, Emergency, Help],
    )),
    quiet(b(
        &[Code(KeyCode::Home)],
        Action::Home,
        "top or bottom",
        &[Review, Result, Emergency, Help],
    )),
    quiet(b(
        &[Code(KeyCode::End)],
        Action::End,
        "top or bottom",
        &[Review, Result, Emergency, Help],
    )),
    // Moving around the questions.
    b(
        &[Code(KeyCode::Left), Char('b')],
        Action::Back,
        "back",
        NOT_TYPED,
    ),
    quiet(b(
        &[Code(KeyCode::BackTab)],
        Action::Back,
        "back",
        NOT_TYPED,
    )),
    b(
        &[Code(KeyCode::BackTab)],
        Action::Back,
        "back",
        &[Number, Text],
    ),
    b(&[Char('r')], Action::Review, "review", NOT_TYPED),
    b(
        &[Char('?')],
        Action::Help,
        "help",
        &[Welcome, YesNo, Choice, Multi, Display, Result],
    ),
    b(
        &[Code(KeyCode::F(1))],
        Action::Help,
        "help",
        &[StaffWelcome, Number, Text],
    ),
    quiet(b(
        &[Code(KeyCode::F(1))],
        Action::Help,
        "help",
        &[Welcome, YesNo, Choice, Multi, Display, Result],
    )),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        Action::Quit,
        "finish",
        &[Result],
    ),
    b(
        &[Char('q'), Code(KeyCode::Esc)],
        Action::Quit,
        "quit",
        &[Welcome, YesNo, Choice, Multi, Display, Emergency, Review],
    ),
    b(
        &[Code(KeyCode::Esc)],
        Action::Quit,
        "quit",
        &[StaffWelcome, Number, Text],
    ),
];

/// Facts about the current question that switch bindings on or off.
#[derive(Debug, Clone, Copy, Default)]
pub struct Facts {
    pub unsure: bool,
    pub optional: bool,
    pub staff: bool,
    /// Something is typed in the box on screen.
    pub typed: bool,
    /// How many numbered options the list on screen has (0: none).
    pub options: usize,
    /// The question's text is longer than the rows it has (it scrolls).
    pub cut: bool,
    /// The review list on screen was opened from the result.
    pub from_result: bool,
}

impl Binding {
    /// Whether the binding is active in this context with these facts.
    pub fn applies(&self, ctx: Context, facts: Facts) -> bool {
        self.contexts.contains(&ctx)
            && match self.when {
                When::Always => true,
                When::Unsure => facts.unsure,
                When::Optional => facts.optional,
                When::Staff => facts.staff,
                When::Typed => facts.typed,
                When::Empty => !facts.typed,
                When::Cut => facts.cut,
                When::FromResult => facts.from_result,
            }
    }
}

/// The action of a key press in this context, if any. Release and repeat events give none.
pub fn lookup(ctx: Context, facts: Facts, ev: &KeyEvent) -> Option<Action> {
    if ev.kind != KeyEventKind::Press {
        return None;
    }
    BINDINGS
        .iter()
        .filter(|b| b.applies(ctx, facts))
        .find_map(|b| {
            b.keys
                .iter()
                .find_map(|k| k.matches(ev))
                .map(|ch| match (b.action, ch) {
                    (Action::Type(_), Some(c)) => Action::Type(c),
                    (Action::Pick(_), Some(c)) => Action::Pick(c.to_digit(10).unwrap_or(0) as u8),
                    (action, _) => action,
                })
        })
}

/// The bindings that apply here, each with the keys it wins (a key belongs to the first
/// binding that lists it); bindings left with no key are left out.
fn active(ctx: Context, facts: Facts) -> Vec<(&'static Binding, Vec<Key>)> {
    let mut seen: Vec<Key> = Vec::new();
    let mut out = Vec::new();
    for binding in BINDINGS.iter().filter(|b| b.applies(ctx, facts)) {
        let fresh: Vec<Key> = binding
            .keys
            .iter()
            .copied()
            .filter(|k| !seen.contains(k))
            .collect();
        if fresh.is_empty() {
            continue;
        }
        seen.extend(fresh.iter().copied());
        out.push((binding, fresh));
    }
    out
}

/// Keys as written in hints: `←/b`.
pub fn keys_label(keys: &[Key], facts: Facts) -> String {
    keys.iter()
        .map(|k| k.label_for(facts))
        .collect::<Vec<_>>()
        .join("/")
}

/// Shift with both arrows is written once: `Shift-↑/↓`.
fn shorten(keys: String) -> String {
    keys.replace("Shift-↑/Shift-↓", "Shift-↑/↓")
}

/// Adds keys to the entry that says the same thing (`what`), or starts a new entry.
fn merge(out: &mut Vec<Hint>, keys: &[Key], what: &'static str, action: Action, facts: Facts) {
    match out.iter_mut().find(|h| h.what == what) {
        Some(listed) => {
            listed.keys.push('/');
            listed.keys.push_str(&keys_label(keys, facts));
            listed.keys = shorten(std::mem::take(&mut listed.keys));
        }
        None => out.push(Hint {
            keys: keys_label(keys, facts),
            what,
            action,
        }),
    }
}

/// One entry of the hint bar: keys as written (`←/b`), what they do, and the action of the
/// first binding in it (the hint bar ranks entries by it when space is short).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub what: &'static str,
    pub action: Action,
}

/// The hint bar: (keys, what) pairs in table order. Up/down moves are folded into one
/// "↑/↓ move" entry.
pub fn hints(ctx: Context, facts: Facts) -> Vec<(String, &'static str)> {
    hint_entries(ctx, facts)
        .into_iter()
        .map(|h| (h.keys, h.what))
        .collect()
}

/// The entries of [`hints`], with their actions.
pub fn hint_entries(ctx: Context, facts: Facts) -> Vec<Hint> {
    let bindings = active(ctx, facts);
    let mut out = Vec::new();
    // Quiet up and down moves are folded into one entry (not where ↓ has a hint of its own).
    let moves = bindings
        .iter()
        .any(|(b, _)| b.action == Action::Down && !b.hint);
    for (binding, keys) in bindings {
        if matches!(binding.action, Action::Up) && moves && !binding.hint {
            let what = if matches!(ctx, Result | Help | Emergency | Welcome | StaffWelcome) {
                "scroll"
            } else {
                "move"
            };
            out.push(Hint {
                keys: "↑/↓".to_string(),
                what,
                action: Action::Up,
            });
            continue;
        }
        if binding.hint {
            // Keys that do the same thing share one hint ("←/Shift-Tab back").
            merge(&mut out, &keys, binding.what, binding.action, facts);
        }
    }
    out
}

/// Every key of this context with what it does, for the help screen.
pub fn help_lines(ctx: Context, facts: Facts) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (binding, keys) in active(ctx, facts) {
        // Keys that do the same thing share a line ("?/F1  help").
        merge(&mut out, &keys, binding.what, binding.action, facts);
    }
    out.into_iter().map(|h| (h.keys, h.what)).collect()
}

/// The first key that does `action` here, as written in hints (`Shift-↓`).
pub fn key_for(ctx: Context, facts: Facts, action: Action) -> Option<String> {
    active(ctx, facts)
        .into_iter()
        .find(|(b, _)| b.action == action)
        .and_then(|(_, keys)| keys.first().map(|k| k.label_for(facts)))
}
