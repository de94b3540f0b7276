//! Drawing: a pure function of the [`App`] state onto a ratatui [`Frame`].
//!
//! The view owns layout and wording of the screens (welcome, question, emergency interrupt,
//! review, result, the help and quit overlays, and "please enlarge the window"). It never
//! changes the state; scroll limits that depend on the layout are computed by the same
//! functions the update code calls ([`result_max_scroll`], [`help_max_scroll`]).
//!
//! Text is wrapped here with a width-aware wrapper, so wide characters (CJK, emoji) keep the
//! columns aligned, and nothing relies on colour alone: levels have words, the focused option
//! has a marker and reverse video, errors start with "!". With colour switched off
//! (`NO_COLOR`) only bold and reverse video are used. The terminal cursor is put on the focused
//! option or at the end of the field being typed in, so screen readers follow it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, LineGauge, Padding, Paragraph};

use crate::answers;
use crate::model::{Level, QuestionType};
use crate::report::{self, Piece, Summary};
use crate::screening::{Interrupt, Status, number_range};

use super::app::{App, MIN_HEIGHT, MIN_WIDTH, Screen, choices_of};
use super::keys::{self, Action, Context, Facts};

/// Styles, with or without colour.
#[derive(Clone, Copy)]
struct Theme {
    color: bool,
}

impl Theme {
    fn bold(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    fn heading(self) -> Style {
        let s = self.bold();
        if self.color { s.fg(Color::Cyan) } else { s }
    }
    fn alert(self) -> Style {
        let s = self.bold();
        if self.color { s.fg(Color::Red) } else { s }
    }
    fn focus(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    fn level(self, level: Level) -> Style {
        let s = self.bold();
        if !self.color {
            return s;
        }
        s.fg(match level {
            Level::Clear => Color::Green,
            Level::Review | Level::Incomplete => Color::Yellow,
            Level::NotSuitable | Level::SeeDoctor => Color::Magenta,
            Level::Urgent | Level::Emergency => Color::Red,
        })
    }
}

/// Lines to show in a scrolling area, and where the cursor goes (line, column).
#[derive(Default)]
struct Body {
    lines: Vec<Line<'static>>,
    cursor: Option<(usize, u16)>,
}

impl Body {
    fn push(&mut self, line: Line<'static>) {
        self.lines.push(line);
    }
    fn blank(&mut self) {
        self.lines.push(Line::default());
    }
    fn extend(&mut self, lines: Vec<Line<'static>>) {
        self.lines.extend(lines);
    }
}

/// Word-wraps `text` to `width` columns (width-aware) with the given indents.
fn wrap(text: &str, width: u16, first: &str, rest: &str, style: Style) -> Vec<Line<'static>> {
    report::wrap_lines(text, usize::from(width), first, rest)
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect()
}

/// Display width of a string in terminal columns.
fn width_of(s: &str) -> u16 {
    u16::try_from(Span::raw(s).width()).unwrap_or(u16::MAX)
}

/// The main area and the hint row below it.
fn split(area: Rect) -> (Rect, Rect) {
    let [main, hints] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(area);
    (main, hints)
}

/// Inner area of a bordered block.
fn inner(area: Rect) -> Rect {
    framed().inner(area)
}

/// The frame around every screen: a border and a column of space inside it.
fn framed<'a>() -> Block<'a> {
    Block::bordered().padding(Padding::horizontal(1))
}

/// Draws the whole screen.
///
/// Whatever was drawn, no cell is left holding a control character, a bidi control or an
/// invisible character ([`crate::printable::is_unsafe`]): the last step takes them out of
/// every cell (a zero-width one rides on the cell before it) and shows U+FFFD in a cell that
/// held nothing else, so text from a questionnaire, an answer or an ID cannot reach the
/// terminal raw, whichever widget drew it.
pub fn view(app: &App, f: &mut Frame) {
    draw(app, f);
    make_printable(f.buffer_mut());
}

/// Takes every character a terminal could act on out of the cells' symbols.
pub fn make_printable(buf: &mut ratatui::buffer::Buffer) {
    let bad = |c: char| c.is_control() || crate::printable::is_unsafe(c);
    for cell in &mut buf.content {
        if cell.symbol().chars().any(bad) {
            let kept: String = cell.symbol().chars().filter(|c| !bad(*c)).collect();
            cell.set_symbol(if kept.is_empty() { "\u{fffd}" } else { &kept });
        }
    }
}

fn draw(app: &App, f: &mut Frame) {
    let area = f.area();
    let theme = Theme { color: app.color };
    if !app.fits() {
        too_small(app, f, area, theme);
        return;
    }
    let (main, hint_row) = split(area);
    match app.screen {
        Screen::Welcome => welcome(app, f, main, theme),
        Screen::Question => question(app, f, main, theme),
        Screen::Emergency(rule) => emergency(app, f, main, theme, rule),
        Screen::Review => review(app, f, main, theme),
        Screen::Result => result(app, f, main, theme),
        Screen::SaveFailed => save_failed(app, f, main, theme),
    }
    if app.show_help {
        help(app, f, main, theme);
    }
    if app.confirm_quit {
        confirm_quit(app, f, main, theme);
    }
    if app.confirm_next {
        confirm_next(app, f, main, theme);
    }
    hint_bar(app, f, hint_row, theme);
}

fn too_small(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let text = format!(
        "Please enlarge the window. It is {}×{}; the screening needs at least {MIN_WIDTH}×{MIN_HEIGHT}. Ctrl-C stops.",
        app.size.0, app.size.1
    );
    let lines = wrap(&text, area.width, "", "", theme.bold());
    let top = area.height.saturating_sub(lines.len() as u16) / 2;
    let rect = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    f.render_widget(Paragraph::new(lines), rect);
    f.set_cursor_position(Position::new(rect.x, rect.y));
}

/// Renders `body` in `area` scrolled by `scroll` (clamped) and places the cursor.
fn render_body(f: &mut Frame, area: Rect, body: Body, scroll: usize) {
    let height = usize::from(area.height);
    let max = body.lines.len().saturating_sub(height);
    let scroll = scroll.min(max);
    if let Some((line, col)) = body.cursor
        && line >= scroll
        && line < scroll + height
    {
        let y = area.y + (line - scroll) as u16;
        let x = area.x + col.min(area.width.saturating_sub(1));
        f.set_cursor_position(Position::new(x, y));
    }
    let lines: Vec<Line> = body.lines.into_iter().skip(scroll).take(height).collect();
    f.render_widget(Paragraph::new(lines), area);
}

/// Scroll offset that keeps `line` in view of `height` rows.
fn follow(line: usize, height: u16) -> usize {
    (line + 1).saturating_sub(usize::from(height))
}

fn titled<'a>(title: String, theme: Theme) -> Block<'a> {
    framed().title(Span::styled(format!(" {title} "), theme.heading()))
}

/// Columns the "↓ more" marker of a scrolling page takes in the bottom border, with a gap.
const MORE_MARKER: u16 = 9;

/// In front-desk mode, the frame's bottom border says so, with the current patient's ID. A
/// page that scrolls (`scrolls`) keeps room for its "↓ more" marker. An ID too long for the
/// border keeps its start and its end around an ellipsis, so that two IDs that differ in
/// either stay told apart; it is never cut without one.
fn staff_tagged<'a>(block: Block<'a>, app: &App, theme: Theme, scrolls: bool) -> Block<'a> {
    if !app.staff {
        return block;
    }
    // The border's corners, the spaces around the title, and the marker.
    let room = app
        .size
        .0
        .saturating_sub(4 + if scrolls { MORE_MARKER } else { 0 });
    let text = match &app.subject {
        Some(id) => {
            let long = format!("Front desk · patient {id}");
            if width_of(&long) <= room {
                long
            } else {
                let short = "Front desk · ";
                let keep = room.saturating_sub(width_of(short));
                format!("{short}{}", middle_ellipsis(id, usize::from(keep)))
            }
        }
        None => "Front desk · no patient ID".into(),
    };
    block.title_bottom(Line::styled(format!(" {text} "), theme.bold()))
}

/// `text` in at most `room` characters: whole, or its start and its end (the longer part)
/// around "…".
fn middle_ellipsis(text: &str, room: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= room {
        return text.to_string();
    }
    let kept = room.saturating_sub(1).max(2);
    let head = kept / 2;
    let tail = kept - head;
    let start: String = chars[..head.min(chars.len())].iter().collect();
    let end: String = chars[chars.len().saturating_sub(tail)..].iter().collect();
    format!("{start}…{end}")
}

fn welcome(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let block = staff_tagged(titled(app.q.title().to_string(), theme), app, theme, true);
    let body = welcome_lines(app, inner(area).width, theme);
    scrolling_page(f, area, block, body, app.result_scroll, theme.dim());
}

/// The welcome page at this width, and where the cursor goes. In front-desk mode the patient
/// ID comes first, so it is in view in a small window; the rest scrolls.
fn welcome_lines(app: &App, w: u16, theme: Theme) -> Body {
    let q = app.q;
    let mut body = Body::default();
    body.push(Line::styled(q.title().to_string(), theme.heading()));
    body.cursor = Some((0, 0));
    if app.staff {
        staff_welcome_lines(app, w, theme, &mut body);
    }
    if let Some(clinic) = q.clinic().and_then(|c| c.name.as_deref()) {
        body.extend(wrap(clinic, w, "", "", theme.bold()));
    }
    body.blank();
    body.extend(wrap(q.introduction(), w, "", "", Style::new()));
    let (_, total) = app.session.progress();
    let minutes = (total * 15).div_ceil(60).max(1);
    body.extend(wrap(
        &format!(
            "About {total} questions; it takes about {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ),
        w,
        "",
        "",
        Style::new(),
    ));
    body.blank();
    body.extend(wrap(q.disclaimer(), w, "", "", theme.bold()));
    body.blank();
    let key_list: Vec<String> = keys::hints(
        Context::YesNo,
        Facts {
            unsure: true,
            ..Facts::default()
        },
    )
    .into_iter()
    .map(|(k, what)| format!("{k} {what}"))
    .collect();
    body.extend(wrap(
        &format!("Keys while answering: {}.", key_list.join(", ")),
        w,
        "",
        "",
        theme.dim(),
    ));
    if !app.staff {
        body.push(Line::from(vec![
            Span::styled("Enter", theme.bold()),
            Span::raw(" starts."),
        ]));
    }
    body
}

/// Front desk: the patient ID box, how many patients are done, where the advice goes.
fn staff_welcome_lines(app: &App, w: u16, theme: Theme, body: &mut Body) {
    if app.patients_done > 0 {
        body.extend(wrap(
            &format!(
                "Next patient. Patients finished so far: {}.",
                app.patients_done
            ),
            w,
            "",
            "",
            Style::new(),
        ));
        if let Some(saved) = app.saved() {
            // The number, not the names: they hold the previous patient's ID.
            body.extend(wrap(
                &crate::frontend::saved_line(saved, "the previous record"),
                w,
                "",
                "  ",
                Style::new(),
            ));
        }
    }
    let label = "Patient ID (optional): ";
    let (rows, (crow, ccol)) = app
        .input
        .layout(w.saturating_sub(width_of(label) + 1).max(8));
    let first_line = body.lines.len();
    for (i, row) in rows.into_iter().enumerate() {
        let prefix = if i == 0 {
            label.to_string()
        } else {
            " ".repeat(label.len())
        };
        body.push(Line::from(vec![
            Span::styled(prefix, theme.bold()),
            Span::raw(row),
        ]));
    }
    body.cursor = Some((first_line + crow, width_of(label) + ccol));
    if let Some(e) = &app.error {
        body.extend(wrap(e, w, "! ", "  ", theme.alert()));
    }
    body.extend(wrap("Enter starts.", w, "", "", theme.dim()));
    let kept = match (app.advice_saved, app.advice_printed) {
        (true, true) => {
            "Each patient's advice is saved to the folder given and written to the output."
        }
        (true, false) => {
            "Each patient's advice is saved to the folder given; nothing of a patient stays in this terminal."
        }
        (false, true) => "Each patient's advice is written to the output.",
        (false, false) => {
            "Advice is not kept: nothing of a patient stays in this terminal, and no folder to save in was given (--save-dir)."
        }
    };
    let style = if app.advice_saved || app.advice_printed {
        theme.dim()
    } else {
        theme.alert()
    };
    body.extend(wrap(kept, w, "", "", style));
}

fn question(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let Some((index, q)) = app.question() else {
        return;
    };
    let block = staff_tagged(titled(app.q.title().to_string(), theme), app, theme, false);
    let inside = block.inner(area);
    f.render_widget(block, area);
    let w = inside.width;
    let layout = question_layout(app, q, index, inside, theme);

    let section = app.q.section_of(index);
    f.render_widget(
        Paragraph::new(Line::styled(
            section.title_for(app.staff).to_string(),
            theme.heading(),
        )),
        layout.header,
    );
    let (pos, total) = app.session.progress();
    let ratio = if total == 0 {
        0.0
    } else {
        (pos.saturating_sub(1) as f64 / total as f64).clamp(0.0, 1.0)
    };
    f.render_widget(
        LineGauge::default()
            .ratio(ratio)
            .label(format!("Question {pos} of about {total} "))
            .filled_style(if app.color {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new().add_modifier(Modifier::BOLD)
            })
            .filled_symbol("█")
            .unfilled_symbol("░"),
        layout.gauge_row,
    );

    let asked = asked_lines(app, layout.asked, layout.asked_area, w, theme);
    f.render_widget(Paragraph::new(asked), layout.asked_area);
    scrolled_list(
        f,
        layout.answer_area,
        layout.answer,
        app.list_scroll,
        Some(&help_key(app)),
        theme,
    );
    f.render_widget(Paragraph::new(layout.messages), layout.msg_area);
}

/// The question screen laid out in the area inside its frame: where each part goes, and its
/// lines. Drawing and the scroll limit of a long question ([`question_max_scroll`]) both
/// come from here, so they cannot disagree.
struct QuestionLayout {
    header: Rect,
    gauge_row: Rect,
    asked_area: Rect,
    answer_area: Rect,
    msg_area: Rect,
    /// The question (with its section's introduction where that fits too), all of it.
    asked: Vec<Line<'static>>,
    answer: AnswerPart,
    /// Why a key or answer was not taken, what a change did.
    messages: Vec<Line<'static>>,
}

fn question_layout(
    app: &App,
    q: &crate::model::Question,
    index: usize,
    inside: Rect,
    theme: Theme,
) -> QuestionLayout {
    let w = inside.width;
    let mut messages: Vec<Line<'static>> = Vec::new();
    if let Some(e) = &app.error {
        messages.extend(wrap(e, w, "! ", "  ", theme.alert()));
    }
    if let Some(n) = &app.notice {
        messages.extend(wrap(n, w, "i ", "  ", theme.bold()));
    }
    let spacer = u16::from(inside.height > 12);
    let [header, gauge_row, _, body_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(spacer),
        Constraint::Min(1),
    ])
    .areas(inside);

    // The question (and its section's introduction on the section's first question) stays at
    // the top; the answer part below scrolls on its own, so a long list never hides it.
    let mut asked = wrap(q.wording(app.staff), w, "", "", theme.bold());
    if !q.is_required() && q.kind != QuestionType::Display {
        asked.push(Line::styled("(optional)", theme.dim()));
    }
    let answer = answer_lines(app, q, w, theme);

    // Rows: messages (at most a third), then the answer part gets what it needs up to half of
    // the rest, and more where the focused option needs it (with its markers), as long as the
    // question keeps two rows; the question gets the remainder (and scrolls within it); the
    // section introduction only where it fits too.
    let height = body_area.height;
    let msg_rows = (messages.len() as u16).min(height / 3);
    let rest = height - msg_rows;
    let answer_len = answer.lines.len() as u16;
    let focus_need = answer.focus.map_or(1, |(first, last)| {
        let markers = usize::from(first > 0) + usize::from(last + 1 < answer.lines.len());
        u16::try_from(last - first + 1 + markers).unwrap_or(u16::MAX)
    });
    let answer_cap = rest.saturating_sub((asked.len() as u16).min(2)).max(1);
    let answer_need = answer_len
        .min(rest / 2)
        .max(focus_need.min(answer_len))
        .min(answer_cap)
        .max(1);
    let asked_room = rest.saturating_sub(answer_need).max(1);
    if let Some(intro) = app.q.section_of(index).intro_for(app.staff)
        && first_of_section(app, index)
    {
        let mut lines = wrap(intro, w, "", "", theme.dim());
        lines.push(Line::default());
        if lines.len() + asked.len() <= usize::from(asked_room) {
            lines.append(&mut asked);
            asked = lines;
        }
    }
    let asked_rows = (asked.len() as u16).min(asked_room);
    let gap = u16::from(rest > asked_rows + answer_len);
    let [asked_area, _, answer_area, msg_area] = Layout::vertical([
        Constraint::Length(asked_rows),
        Constraint::Length(gap),
        Constraint::Min(1),
        Constraint::Length(msg_rows),
    ])
    .areas(body_area);
    QuestionLayout {
        header,
        gauge_row,
        asked_area,
        answer_area,
        msg_area,
        asked,
        answer,
        messages,
    }
}

/// The question screen's layout in the app's window, if a question is shown.
fn current_question_layout(app: &App) -> Option<QuestionLayout> {
    let (index, q) = app.question()?;
    if !app.fits() {
        return None;
    }
    let (main, _) = split(Rect::new(0, 0, app.size.0, app.size.1));
    Some(question_layout(
        app,
        q,
        index,
        inner(main),
        Theme { color: false },
    ))
}

/// How far the text of the question on screen can scroll in the current window (0: it fits).
pub fn question_max_scroll(app: &App) -> usize {
    current_question_layout(app).map_or(0, |l| {
        text_window(l.asked.len(), usize::from(l.asked_area.height), 0).max
    })
}

/// Which lines of a text of `total` lines show in `rows` rows from line `scroll`, and the
/// "more above" / "more below" rows around them. With three rows or more, a marker row sits
/// wherever lines are out of view; with two, one marker row under a single line; with one,
/// the line alone (the hint bar still names the keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextWindow {
    scroll: usize,
    shown: usize,
    above: bool,
    below: bool,
    /// The largest `scroll` that still shows something new.
    max: usize,
}

fn text_window(total: usize, rows: usize, scroll: usize) -> TextWindow {
    if total <= rows || rows == 0 {
        return TextWindow {
            scroll: 0,
            shown: total.min(rows),
            above: false,
            below: false,
            max: 0,
        };
    }
    if rows == 1 {
        let max = total - 1;
        return TextWindow {
            scroll: scroll.min(max),
            shown: 1,
            above: false,
            below: false,
            max,
        };
    }
    // At the end: the "more above" row and the last `rows - 1` lines.
    let max = total - (rows - 1);
    let scroll = scroll.min(max);
    if rows == 2 {
        let below = scroll + 1 < total;
        return TextWindow {
            scroll,
            shown: 1,
            above: !below,
            below,
            max,
        };
    }
    let above = scroll > 0;
    let below = scroll + rows - usize::from(above) < total;
    TextWindow {
        scroll,
        shown: rows - usize::from(above) - usize::from(below),
        above,
        below,
        max,
    }
}

/// The rows of the question: all of it where it fits; otherwise the part scrolled to, with
/// "more above" and "more below" rows like the list's, the lower one naming the keys (from
/// the key table) that scroll it and open the whole question.
fn asked_lines(
    app: &App,
    asked: Vec<Line<'static>>,
    area: Rect,
    w: u16,
    theme: Theme,
) -> Vec<Line<'static>> {
    let total = asked.len();
    let win = text_window(
        total,
        usize::from(area.height),
        usize::from(app.question_scroll),
    );
    let lines_word = |n: usize| if n == 1 { "line" } else { "lines" };
    let mut out = Vec::new();
    if win.above {
        out.push(Line::styled(
            format!("↑ {} more {} above", win.scroll, lines_word(win.scroll)),
            theme.dim(),
        ));
    }
    out.extend(asked.into_iter().skip(win.scroll).take(win.shown));
    if win.below {
        let n = total - win.scroll - win.shown;
        let help = help_key(app);
        let scroll = keys::key_for(app.base_context(), app.facts(), Action::QuestionDown);
        let words = lines_word(n);
        let candidates = [
            scroll
                .as_ref()
                .map(|k| format!("↓ {n} more {words} below ({k}; {help} shows all)")),
            scroll
                .as_ref()
                .map(|k| format!("↓ {n} more: {k}; {help} shows all")),
            scroll
                .as_ref()
                .map(|k| format!("↓ {n} more {words} below ({k})")),
            Some(format!("↓ {n} more {words} below")),
        ];
        let text = candidates
            .into_iter()
            .flatten()
            .find(|t| width_of(t) <= w)
            .unwrap_or_else(|| format!("↓ {n} more"));
        out.push(Line::styled(text, theme.dim()));
    }
    out
}

/// Whether `index` is the first question shown in its section.
fn first_of_section(app: &App, index: usize) -> bool {
    let section = app.q.section_index(index);
    app.session
        .visible_questions()
        .into_iter()
        .find(|i| app.q.section_index(*i) == section)
        == Some(index)
}

/// The key that opens the help on the screen shown ("?" or "F1").
fn help_key(app: &App) -> String {
    keys::hints(app.context(), app.facts())
        .into_iter()
        .find(|(_, what)| *what == "help")
        .map_or_else(|| "F1".to_string(), |(k, _)| k)
}

/// The answer part of a question screen: its lines, and the focused lines (kept in view) with
/// the cursor.
#[derive(Default)]
struct AnswerPart {
    lines: Vec<Line<'static>>,
    /// First and last line of the focus.
    focus: Option<(usize, usize)>,
    /// The first line of each option of a list (the markers count options, not lines).
    items: Vec<usize>,
    cursor: Option<(usize, u16)>,
}

fn answer_lines(app: &App, q: &crate::model::Question, w: u16, theme: Theme) -> AnswerPart {
    let mut part = AnswerPart::default();
    match q.kind {
        QuestionType::Display => {
            part.lines.push(Line::from(vec![
                Span::styled("Enter", theme.bold()),
                Span::raw(" continues."),
            ]));
            part.cursor = Some((0, 0));
        }
        QuestionType::YesNo | QuestionType::SingleChoice | QuestionType::MultiChoice => {
            list_lines(app, q, w, theme, &mut part);
        }
        QuestionType::Number | QuestionType::Text => box_lines(app, q, w, theme, &mut part),
    }
    part
}

fn list_lines(app: &App, q: &crate::model::Question, w: u16, theme: Theme, part: &mut AnswerPart) {
    let choices = choices_of(q, app.staff);
    let options = q.options.len();
    let digits = options.to_string().len();
    for (i, label) in choices.iter().enumerate() {
        let key = match (q.kind, i) {
            (QuestionType::YesNo, 0) => "y".to_string(),
            (QuestionType::YesNo, 1) => "n".to_string(),
            (QuestionType::YesNo, _) => "u".to_string(),
            (_, i) if i >= options => "u".to_string(),
            (
                QuestionType::SingleChoice
                | QuestionType::MultiChoice
                | QuestionType::Number
                | QuestionType::Text
                | QuestionType::Display,
                i,
            ) => format!("{:>digits$}", i + 1),
        };
        let focused = app.cursor == Some(i);
        let marker = if focused { "›" } else { " " };
        let tick = match q.kind {
            QuestionType::MultiChoice if app.ticked.get(i).copied().unwrap_or(false) => "[x] ",
            QuestionType::MultiChoice => "[ ] ",
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::Number
            | QuestionType::Text
            | QuestionType::Display => "",
        };
        let first = format!("{marker} {tick}{key}. ");
        let rest = " ".repeat(first.chars().count());
        let style = if focused { theme.focus() } else { Style::new() };
        let start = part.lines.len();
        part.items.push(start);
        let label = with_alone(label, q.options.get(i).is_some_and(|o| o.exclusive));
        part.lines.extend(wrap(&label, w, &first, &rest, style));
        if focused {
            part.focus = Some((start, part.lines.len() - 1));
            part.cursor = Some((start, 0));
        }
    }
    if part.cursor.is_none() {
        // Nothing chosen yet: the cursor waits at the first option, unhighlighted.
        part.cursor = Some((0, 0));
    }
}

/// An option's label as listed: an exclusive one ("None of these") says it stands alone.
fn with_alone(label: &str, exclusive: bool) -> String {
    if exclusive {
        format!("{label} (only on its own)")
    } else {
        label.to_string()
    }
}

fn box_lines(app: &App, q: &crate::model::Question, w: u16, theme: Theme, part: &mut AnswerPart) {
    let prefix = "› ";
    let unit = match (&q.unit, q.kind) {
        (Some(u), QuestionType::Number) => format!(" {u}"),
        (None, QuestionType::Number)
        | (
            _,
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Text
            | QuestionType::Display,
        ) => String::new(),
    };
    let room = w
        .saturating_sub(width_of(prefix) + width_of(&unit) + 1)
        .max(4);
    let (rows, (crow, ccol)) = app.input.layout(room);
    let n = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        let mut spans = vec![
            Span::styled(if i == 0 { prefix } else { "  " }, theme.bold()),
            Span::styled(row, theme.bold()),
        ];
        if i + 1 == n {
            spans.push(Span::styled(unit.clone(), theme.dim()));
        }
        part.lines.push(Line::from(spans));
    }
    let in_box = app.cursor.is_none();
    if in_box {
        part.focus = Some((crow, crow));
        part.cursor = Some((crow, width_of(prefix) + ccol));
    }
    match q.kind {
        QuestionType::Number => {
            if let Some(range) = number_range(q) {
                let whole = if q.integer {
                    "A whole number"
                } else {
                    "A number"
                };
                part.lines.extend(wrap(
                    &format!("{whole} {range}{unit}."),
                    w,
                    "  ",
                    "  ",
                    theme.dim(),
                ));
            }
            if q.allows_unsure() {
                let focused = !in_box;
                let style = if focused { theme.focus() } else { Style::new() };
                let marker = if focused { "› " } else { "  " };
                let at = part.lines.len();
                part.lines
                    .push(Line::styled(format!("{marker}Not sure"), style));
                if focused {
                    part.focus = Some((at, at));
                    part.cursor = Some((at, 0));
                }
            }
        }
        QuestionType::Text => {
            let limit = q.text_limit();
            let at = part.lines.len();
            part.lines.push(Line::styled(
                format!("  {} of {limit} characters", app.input.len()),
                theme.dim(),
            ));
            // The count stays in view with the cursor's row where both fit.
            if in_box {
                part.focus = Some((crow, at));
            }
        }
        QuestionType::YesNo
        | QuestionType::SingleChoice
        | QuestionType::MultiChoice
        | QuestionType::Display => {}
    }
}

/// Renders the answer part in `area`, scrolled so the focus shows, with "more above" and
/// "more below" rows (counting options) where lines are out of view. Options show whole: none
/// is cut at the top or the bottom, so no line shows without its option's number and box.
/// Only a focused option too long for the window alone shows its start, and the row under it
/// says which key shows it all (`help`; with none, that there is more).
fn scrolled_list(
    f: &mut Frame,
    area: Rect,
    part: AnswerPart,
    wheeled: Option<u16>,
    help: Option<&str>,
    theme: Theme,
) {
    let win = list_window(&part, usize::from(area.height), wheeled);
    let (from, shown) = win.lines;
    // Options (or, for a box, lines) out of view; one cut short counts as out of view.
    let hidden_above = win.first;
    let hidden_below = win.count - win.end + usize::from(win.cut && !win.focus_cut);
    let mut lines: Vec<Line<'static>> = Vec::new();
    if win.above {
        lines.push(Line::styled(
            format!("↑ {hidden_above} more above"),
            theme.dim(),
        ));
    }
    let top = lines.len();
    lines.extend(part.lines.iter().skip(from).take(shown).cloned());
    if win.below {
        let text = match (win.focus_cut, hidden_below, help) {
            (true, 0, Some(help)) => format!("↓ more: {help} shows it all"),
            (true, n, Some(help)) => format!("↓ {n} more; {help} shows it all"),
            (_, 0, _) => "↓ more below".to_string(),
            (_, n, _) => format!("↓ {n} more below"),
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    if let Some((line, col)) = part.cursor
        && line >= from
        && line < from + shown
    {
        let y = area.y + (top + line - from) as u16;
        let x = area.x + col.min(area.width.saturating_sub(1));
        f.set_cursor_position(Position::new(x, y));
    }
    f.render_widget(Paragraph::new(lines), area);
}

/// What of a list shows in a window: whole options `first..end` of `count` (a box's lines
/// count as options of one line), the lines they take (first line, how many), and the marker
/// rows around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ListWindow {
    first: usize,
    end: usize,
    count: usize,
    lines: (usize, usize),
    above: bool,
    below: bool,
    /// The one option shown is longer than the window: only its start shows.
    cut: bool,
    /// That option is the focused one.
    focus_cut: bool,
}

/// The first line of each option of the answer part, or of each line for a box.
fn item_starts(part: &AnswerPart) -> Vec<usize> {
    if part.items.is_empty() {
        (0..part.lines.len()).collect()
    } else {
        part.items.clone()
    }
}

/// The marker rows shown in `height` rows when options are out of view above and below: one
/// row shows no marker, two rows show the lower one only.
fn marker_rows(height: usize, above: bool, below: bool) -> (bool, bool) {
    match height {
        0 | 1 => (false, false),
        2 if above && below => (false, true),
        _ => (above, below),
    }
}

/// The window that starts at option `first`: as many whole options as fit with their
/// markers (at least the first, cut if it must be).
fn window_from(starts: &[usize], total: usize, height: usize, first: usize) -> ListWindow {
    let count = starts.len();
    let end_line = |k: usize| starts.get(k).copied().unwrap_or(total);
    let fill = |rows: usize| {
        let mut end = first;
        while end < count && end_line(end + 1) - starts[first] <= rows {
            end += 1;
        }
        end
    };
    let (above, _) = marker_rows(height, first > 0, false);
    let rows = height.saturating_sub(usize::from(above)).max(1);
    let end = fill(rows);
    let (above, below) = if end >= count {
        (above, false)
    } else {
        marker_rows(height, first > 0, true)
    };
    let rows = height
        .saturating_sub(usize::from(above) + usize::from(below))
        .max(1);
    let whole = fill(rows);
    let end = whole.max((first + 1).min(count));
    let cut = whole == first && first < count;
    // A cut option needs the row under it to say so.
    let (above, below) = if cut && !below {
        marker_rows(height, first > 0, true)
    } else {
        (above, below)
    };
    let rows = height
        .saturating_sub(usize::from(above) + usize::from(below))
        .max(1);
    let from = starts.get(first).copied().unwrap_or(total);
    let shown = (end_line(end) - from).min(rows);
    ListWindow {
        first,
        end,
        count,
        lines: (from, shown),
        above,
        below,
        cut,
        focus_cut: false,
    }
}

/// The window of the answer part in `height` rows. It follows the focus (as little scrolled
/// as shows it whole), unless the wheel scrolled the list (`wheeled`, in options, kept within
/// the list).
fn list_window(part: &AnswerPart, height: usize, wheeled: Option<u16>) -> ListWindow {
    let starts = item_starts(part);
    let total = part.lines.len();
    let count = starts.len();
    if total <= height || count == 0 {
        return ListWindow {
            first: 0,
            end: count,
            count,
            lines: (0, total),
            above: false,
            below: false,
            cut: false,
            focus_cut: false,
        };
    }
    let item_of = |line: usize| starts.iter().rposition(|s| *s <= line).unwrap_or(0);
    let last_first = (0..count)
        .find(|&k| {
            let w = window_from(&starts, total, height, k);
            w.end >= count && !w.cut
        })
        .unwrap_or(count - 1);
    let first = match wheeled {
        Some(s) => usize::from(s).min(last_first),
        None => {
            let (a, b) = part
                .focus
                .map_or((0, 0), |(first, last)| (item_of(first), item_of(last)));
            (0..=a)
                .find(|&k| window_from(&starts, total, height, k).end > b)
                .unwrap_or(a)
        }
    };
    let mut win = window_from(&starts, total, height, first);
    win.focus_cut = win.cut
        && wheeled.is_none()
        && !part.items.is_empty()
        && part.focus.is_some_and(|(f, _)| item_of(f) == first);
    win
}

/// Which part of the question screen a row of the window is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuestionPart {
    /// The question's text.
    Asked,
    /// The options, the box, or "Not sure".
    Answer,
}

/// The part of the question screen at window row `row`, if it is one of the two that scroll.
pub fn question_part_at(app: &App, row: u16) -> Option<QuestionPart> {
    let l = current_question_layout(app)?;
    let within = |r: Rect| row >= r.y && row < r.y + r.height;
    if within(l.asked_area) {
        Some(QuestionPart::Asked)
    } else if within(l.answer_area) {
        Some(QuestionPart::Answer)
    } else {
        None
    }
}

/// Where the answer part of the question on screen is scrolled to now, and how far it can
/// scroll (0 when it fits), in options (lines for a box).
pub fn list_scroll(app: &App) -> (usize, usize) {
    let Some(l) = current_question_layout(app) else {
        return (0, 0);
    };
    let height = usize::from(l.answer_area.height);
    let now = list_window(&l.answer, height, app.list_scroll).first;
    let max = list_window(&l.answer, height, Some(u16::MAX)).first;
    (now, max)
}

/// Whether the focused line of the question on screen is in view (true when there is none).
pub fn focus_in_view(app: &App) -> bool {
    let Some(l) = current_question_layout(app) else {
        return true;
    };
    let Some((first, last)) = l.answer.focus else {
        return true;
    };
    let win = list_window(
        &l.answer,
        usize::from(l.answer_area.height),
        app.list_scroll,
    );
    let (from, shown) = win.lines;
    first >= from && last < from + shown
}

/// Lines of the interrupt of a `stop` rule at this width: the engine's [`Interrupt`], laid out.
fn emergency_lines(app: &App, w: u16, theme: Theme, rule: usize) -> Vec<Line<'static>> {
    let alert = Interrupt::new(&app.session, rule, app.staff);
    let mut out = Vec::new();
    out.extend(wrap(
        &alert.headline,
        w,
        "",
        "",
        theme.alert().add_modifier(Modifier::REVERSED),
    ));
    out.push(Line::default());
    for m in &alert.messages {
        out.extend(wrap(m, w, "", "", theme.bold()));
    }
    if let Some(s) = alert.summary {
        out.extend(wrap(s, w, "", "", Style::new()));
    }
    for c in &alert.contacts {
        out.extend(wrap(c, w, "☎ ", "  ", theme.bold()));
    }
    if !alert.steps.is_empty() {
        out.push(Line::default());
        out.push(Line::styled("What to do:", theme.heading()));
        for (i, step) in alert.steps.iter().enumerate() {
            let first = format!("{}. ", i + 1);
            let rest = " ".repeat(first.len());
            out.extend(wrap(step, w, &first, &rest, Style::new()));
        }
    }
    if !alert.tell.is_empty() {
        out.push(Line::default());
        out.push(Line::styled("What to tell them:", theme.heading()));
    }
    for t in &alert.tell {
        out.extend(wrap(t, w, "- ", "  ", Style::new()));
    }
    out.push(Line::default());
    out.extend(wrap(
        "Answered by mistake? Go back (← or b) and change it.",
        w,
        "",
        "",
        theme.dim(),
    ));
    out
}

fn emergency(app: &App, f: &mut Frame, area: Rect, theme: Theme, rule: usize) {
    let lines = emergency_lines(app, inner(area).width, theme, rule);
    let title = Interrupt::new(&app.session, rule, app.staff).title;
    let block = staff_tagged(framed(), app, theme, true)
        .border_type(BorderType::Thick)
        .border_style(theme.alert())
        .title(Span::styled(
            format!(" {title} "),
            theme.alert().add_modifier(Modifier::REVERSED),
        ));
    scrolling_page(f, area, block, lines, app.result_scroll, theme.bold());
}

/// A framed page of lines scrolled by `offset` (kept within the text), with "↓ more" in the
/// bottom border, in `more` style, while lines are left below.
fn scrolling_page(
    f: &mut Frame,
    area: Rect,
    mut block: Block,
    body: impl Into<Body>,
    offset: u16,
    more: Style,
) {
    let mut body: Body = body.into();
    let height = usize::from(block.inner(area).height);
    let scroll = usize::from(offset).min(body.lines.len().saturating_sub(height));
    if body.lines.len() > scroll + height {
        block = block.title_bottom(Line::styled(" ↓ more ", more).right_aligned());
    }
    if scroll > 0 {
        block = block.title_top(Line::styled(" ↑ more ", more).right_aligned());
    }
    let inside = block.inner(area);
    f.render_widget(block, area);
    // The cursor stays where the page puts it while that is in view, else on the top line.
    if body
        .cursor
        .is_none_or(|(line, _)| line < scroll || line >= scroll + height)
    {
        body.cursor = Some((scroll, 0));
    }
    render_body(f, inside, body, scroll);
}

impl From<Vec<Line<'static>>> for Body {
    fn from(lines: Vec<Line<'static>>) -> Self {
        Body {
            lines,
            cursor: None,
        }
    }
}

fn review(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let block = staff_tagged(titled("Your answers".into(), theme), app, theme, false);
    let inside = block.inner(area);
    f.render_widget(block, area);
    let w = inside.width;
    let mut messages: Vec<Line<'static>> = Vec::new();
    if let Some(n) = &app.notice {
        messages.extend(wrap(n, w, "i ", "  ", theme.bold()));
    }
    messages.truncate(usize::from(inside.height / 2));
    let [message_area, list_area] = Layout::vertical([
        Constraint::Length(messages.len() as u16),
        Constraint::Min(1),
    ])
    .areas(inside);
    f.render_widget(Paragraph::new(messages), message_area);
    let list = app.session.answered_questions();
    // Each answer with its question is one entry of the list: it scrolls like a question's
    // options, whole entries only, with markers that count entries. An entry taller than the
    // window (between its markers) shortens its question, ending it with "…", so that its
    // answer always shows.
    let room = usize::from(list_area.height.saturating_sub(2)).max(2);
    let mut part = AnswerPart::default();
    if list.is_empty() {
        part.lines.push(Line::raw("No answers yet."));
        part.cursor = Some((0, 0));
    }
    for (n, &i) in list.iter().enumerate() {
        let question = &app.q.questions()[i];
        let selected = n == app.review_selected;
        let style = if selected {
            theme.focus()
        } else {
            Style::new()
        };
        let marker = if selected { "›" } else { " " };
        let first = format!("{marker} {}. ", n + 1);
        let rest = " ".repeat(first.chars().count());
        let start = part.lines.len();
        part.items.push(start);
        let answer = app
            .session
            .answer_of(i)
            .map(|a| answers::display_for(question, a, app.staff))
            .unwrap_or_default();
        let answer = wrap(
            &answer,
            w,
            &format!("{rest}→ "),
            &format!("{rest}  "),
            theme.bold(),
        );
        let mut asked = wrap(question.wording(app.staff), w, &first, &rest, style);
        let keep = room.saturating_sub(answer.len()).max(1);
        if asked.len() > keep {
            asked.truncate(keep);
            if let Some(last) = asked.last_mut() {
                let mut text = last.to_string();
                while width_of(&text) + 1 > w && text.pop().is_some() {}
                text.push('…');
                *last = Line::styled(text, style);
            }
        }
        part.lines.extend(asked);
        part.lines.extend(answer);
        if selected {
            part.focus = Some((start, part.lines.len() - 1));
            part.cursor = Some((start, 0));
        }
    }
    scrolled_list(f, list_area, part, None, None, theme);
}

/// Where the scrolling text of the result and the emergency interrupt goes.
fn result_area(size: (u16, u16)) -> Rect {
    let (main, _) = split(Rect::new(0, 0, size.0, size.1));
    inner(main)
}

/// Lines of the result screen at this width.
fn result_lines(app: &App, w: u16, theme: Theme) -> Vec<Line<'static>> {
    let q = app.q;
    let outcome = app.session.outcome();
    let s = Summary::new(q, app.session.answers(), &outcome, app.staff);
    let opts = report::TextOptions {
        staff: app.staff,
        subject: app.subject.as_deref(),
    };
    // The same pieces as the printed advice, laid out for the screen.
    let mut out = Vec::new();
    for piece in report::pieces(&s, &opts) {
        match piece {
            Piece::Subject(x) => {
                out.extend(wrap(&format!("Patient: {x}"), w, "", "", theme.bold()))
            }
            Piece::Outcome { label, level } => out.extend(wrap(
                &report::outcome_line(&label, level),
                w,
                "",
                "",
                theme.level(level),
            )),
            Piece::Para(t) => out.extend(wrap(&t, w, "", "", Style::new())),
            Piece::Heading(h) => {
                out.push(Line::default());
                out.push(Line::styled(format!("{h}:"), theme.heading()));
            }
            Piece::Finding(t) => out.extend(wrap(&t, w, "- ", "  ", theme.bold())),
            Piece::Item(t) => out.extend(wrap(&t, w, "- ", "  ", Style::new())),
            Piece::Step(n, t) => {
                let first = format!("{n}. ");
                let rest = " ".repeat(first.len());
                out.extend(wrap(&t, w, &first, &rest, Style::new()));
            }
            Piece::Detail(t) => out.extend(wrap(&t, w, "  ", "  ", Style::new())),
            Piece::Contact(t) => out.extend(wrap(&t, w, "", "  ", theme.bold())),
            Piece::Handover(t) => {
                out.push(Line::default());
                for (i, line) in t.lines().enumerate() {
                    let style = if i == 0 {
                        theme.heading()
                    } else {
                        Style::new()
                    };
                    out.extend(wrap(line, w, "", "  ", style));
                }
            }
            Piece::Disclaimer(t) => {
                out.push(Line::default());
                out.extend(wrap(&t, w, "", "", theme.dim()));
            }
        }
    }
    out
}

/// How far the result (or the emergency interrupt) can scroll in the current window.
pub fn max_scroll(app: &App) -> usize {
    let area = result_area(app.size);
    let theme = Theme { color: false };
    let n = match app.screen {
        Screen::Result => result_lines(app, area.width, theme).len(),
        Screen::Emergency(rule) => emergency_lines(app, area.width, theme, rule).len(),
        Screen::Welcome => welcome_lines(app, area.width, theme).lines.len(),
        Screen::Question | Screen::Review | Screen::SaveFailed => 0,
    };
    n.saturating_sub(usize::from(area.height))
}

fn result(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let lines = result_lines(app, inner(area).width, theme);
    let block = staff_tagged(titled("Result".into(), theme), app, theme, true);
    scrolling_page(f, area, block, lines, app.result_scroll, theme.dim());
}

/// The popup area of the help.
fn help_area(main: Rect) -> Rect {
    let width = main.width.saturating_sub(4).min(72);
    let height = main.height.saturating_sub(2);
    Rect {
        x: main.x + (main.width - width) / 2,
        y: main.y + (main.height - height) / 2,
        width,
        height,
    }
}

fn help_lines(app: &App, w: u16, theme: Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    match app.question() {
        Some((_, q)) => {
            // The whole question with its options, which a small window may have cut.
            out.extend(wrap(q.wording(app.staff), w, "", "", theme.bold()));
            if q.kind.has_options() {
                let digits = q.options.len().to_string().len();
                for (i, o) in q.options.iter().enumerate() {
                    let first = format!("{:>digits$}. ", i + 1);
                    let rest = " ".repeat(first.len());
                    let label = with_alone(o.label_for(app.staff), o.exclusive);
                    out.extend(wrap(&label, w, &first, &rest, Style::new()));
                }
            }
            out.push(Line::default());
            out.push(Line::styled("Why we ask", theme.heading()));
            let text = q
                .help
                .as_deref()
                .unwrap_or("There is nothing more to say about this question.");
            out.extend(wrap(text, w, "", "", Style::new()));
        }
        None if app.screen == Screen::Result => {
            out.extend(wrap(app.q.disclaimer(), w, "", "", Style::new()));
        }
        None => {
            out.extend(wrap(app.q.introduction(), w, "", "", Style::new()));
        }
    }
    out.push(Line::default());
    out.push(Line::styled("Keys", theme.heading()));
    let keys = keys::help_lines(app.base_context(), app.facts());
    let key_width = keys.iter().map(|(k, _)| width_of(k)).max().unwrap_or(0);
    for (k, what) in keys {
        out.extend(key_rows(&k, key_width, 2, what, w, theme));
    }
    out
}

/// How far the help can scroll in the current window.
pub fn help_max_scroll(app: &App) -> usize {
    let (main, _) = split(Rect::new(0, 0, app.size.0, app.size.1));
    let area = inner(help_area(main));
    let n = help_lines(app, area.width, Theme { color: false }).len();
    n.saturating_sub(usize::from(area.height))
}

fn help(app: &App, f: &mut Frame, main: Rect, theme: Theme) {
    let mut area = help_area(main);
    let lines = help_lines(app, inner(area).width, theme);
    let height = (lines.len() as u16 + 2).min(area.height);
    area.y += (area.height - height) / 2;
    area.height = height;
    f.render_widget(Clear, area);
    let block = titled("Help".into(), theme);
    scrolling_page(f, area, block, lines, app.help_scroll, theme.dim());
}

fn confirm_quit(app: &App, f: &mut Frame, main: Rect, theme: Theme) {
    let width = main.width.saturating_sub(4).min(50);
    // Where the advice goes once the app ends (front desk on a terminal: never printed).
    let goes = match (app.advice_saved, app.advice_printed) {
        (true, true) => Some("saved and printed"),
        (true, false) => Some("saved"),
        (false, true) => Some("printed"),
        (false, false) => None,
    };
    let (title, why) = match (app.screen, app.leaving_status(), goes) {
        (Screen::SaveFailed, _, _) => (
            "Give up this record?",
            "It has NOT been saved and will be lost; the run will end in an error.".to_string(),
        ),
        (_, None, _) => (
            "Stop the screening?",
            "Nothing has been answered yet.".to_string(),
        ),
        (_, Some(Status::StoppedEmergency), Some(goes)) => (
            "Stop the screening?",
            format!("The emergency advice on this screen is {goes} when you stop."),
        ),
        (_, Some(Status::StoppedEmergency), None) => (
            "Stop the screening?",
            "The emergency advice on this screen is not kept once you stop.".to_string(),
        ),
        (_, Some(Status::Completed), Some(goes)) => (
            "Stop the screening?",
            format!("The screening is complete; its advice is {goes} when you stop."),
        ),
        (_, Some(_), Some(goes)) => (
            "Stop the screening?",
            format!("The screening is not finished; the advice {goes} will say so."),
        ),
        (_, Some(Status::Completed), None) => (
            "Stop the screening?",
            "The screening is complete; its advice is not kept once you stop.".to_string(),
        ),
        (_, Some(_), None) => (
            "Stop the screening?",
            "The screening is not finished; its advice is not kept once you stop.".to_string(),
        ),
    };
    let w = width.saturating_sub(4);
    let mut lines = vec![Line::styled(title, theme.bold())];
    lines.extend(wrap(&why, w, "", "", Style::new()));
    lines.push(Line::default());
    lines.push(Line::from(
        keys::hints(Context::ConfirmQuit, Facts::default())
            .into_iter()
            .flat_map(|(k, what)| {
                [
                    Span::styled(k, theme.bold()),
                    Span::raw(format!(" {what}   ")),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    dialog(f, main, width, lines);
}

/// "Start the next patient?": whose result leaves the screen, where its advice is kept (or
/// that it is not), and the keys, one a line.
fn confirm_next(app: &App, f: &mut Frame, main: Rect, theme: Theme) {
    let width = main.width.saturating_sub(4).min(50);
    let w = width.saturating_sub(4);
    let mut lines = vec![Line::styled("Start the next patient?", theme.bold())];
    // The ID on a line of its own, whole: the patient whose result goes is never in doubt.
    let whose = match &app.subject {
        Some(id) => {
            lines.extend(wrap(id, w, "Patient ", "  ", theme.bold()));
            "Their result leaves the screen."
        }
        None => "The result of this patient (no ID) leaves the screen.",
    };
    lines.extend(wrap(whose, w, "", "", Style::new()));
    let (kept, style) = match (app.advice_saved, app.advice_printed) {
        (true, true) => (
            "Its record is saved and its advice written to the output.",
            Style::new(),
        ),
        (true, false) => ("Its record is saved in the folder given.", Style::new()),
        (false, true) => ("Its advice is written to the output.", Style::new()),
        (false, false) => (
            "Its advice is NOT kept anywhere: no folder to save in was given (--save-dir).",
            theme.alert(),
        ),
    };
    lines.extend(wrap(kept, w, "", "", style));
    lines.push(Line::default());
    for (k, what) in keys::hints(Context::ConfirmNext, app.facts()) {
        lines.extend(key_rows(&k, width_of(&k), 1, what, w, theme));
    }
    dialog(f, main, width, lines);
}

/// `what` wrapped to `w` columns after `key` in bold, the key padded to `key_width` columns
/// and followed by `gap` spaces; the lines after the first are indented to match.
fn key_rows(
    key: &str,
    key_width: u16,
    gap: usize,
    what: &str,
    w: u16,
    theme: Theme,
) -> Vec<Line<'static>> {
    let indent = usize::from(key_width) + gap;
    let pad = " ".repeat(indent - usize::from(width_of(key).min(key_width)));
    let first = format!("{key}{pad}");
    let mut rows = wrap(what, w, &first, &" ".repeat(indent), Style::new());
    if let Some(l) = rows.first_mut() {
        let text = l.to_string();
        let (k, rest) = text.split_at(key.len().min(text.len()));
        *l = Line::from(vec![
            Span::styled(k.to_string(), theme.bold()),
            Span::raw(rest.to_string()),
        ]);
    }
    rows
}

/// A dialog box of `width` columns in the middle of `main`, over what is there.
fn dialog(f: &mut Frame, main: Rect, width: u16, lines: Vec<Line<'static>>) {
    let height = (lines.len() as u16 + 2).min(main.height);
    let area = Rect {
        x: main.x + (main.width - width) / 2,
        y: main.y + (main.height - height) / 2,
        width,
        height,
    };
    let block = Block::bordered()
        .border_type(BorderType::Double)
        .padding(Padding::horizontal(1));
    let inside = block.inner(area);
    f.render_widget(Clear, area);
    f.render_widget(block, area);
    let body = Body {
        lines,
        cursor: Some((0, 0)),
    };
    render_body(f, inside, body, 0);
}

/// How much an entry of the hint bar matters when space is short (lower first).
fn hint_rank(ctx: Context, h: &keys::Hint) -> u8 {
    match h.action {
        // The overlay's two answers are all it has.
        _ if matches!(ctx, Context::ConfirmQuit | Context::ConfirmNext) => 0,
        // Enter and the way out never go.
        _ if h.keys.split('/').any(|k| k == "Enter") => 0,
        Action::Quit => 0,
        // Leaving the folder box is the way out of it; leaving the review list, the way back.
        Action::Close if matches!(ctx, Context::SaveFolder | Context::Review) => 0,
        Action::Toggle | Action::Help | Action::NextPatient => 1,
        // The list shows each option's key beside it; these go together or not at all.
        Action::Yes | Action::No | Action::Unsure | Action::Pick(_) => 3,
        // The markers in the frame (or over the question) say there is more.
        Action::Up | Action::QuestionUp | Action::QuestionDown => 4,
        _ => 2,
    }
}

/// The hint bar: generated from the key table. When it does not fit, entries keep only their
/// first key, and lose any "(…)" remark if the first two ranks still do not fit; entries are
/// kept by rank ([`hint_rank`]) while they fit and shown in table order. The last entry's
/// trailing gap may fall off the edge.
fn hint_bar(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let ctx = app.context();
    let mut hints: Vec<(String, String, u8)> = keys::hint_entries(ctx, app.facts())
        .into_iter()
        .map(|h| {
            let rank = hint_rank(ctx, &h);
            (h.keys, h.what.to_string(), rank)
        })
        .collect();
    let item = |(k, what, _): &(String, String, u8)| width_of(k) + 1 + width_of(what) + 2;
    let total = |h: &[(String, String, u8)], top: u8| {
        h.iter()
            .filter(|h| h.2 <= top)
            .map(item)
            .fold(0u16, u16::saturating_add)
    };
    // An option number being typed shows first: the next digit adds to it.
    let pending = app
        .pending_digits()
        .map(|d| format!("option {d}…  "))
        .filter(|_| matches!(ctx, Context::Choice | Context::Multi));
    let room = area
        .width
        .saturating_add(2)
        .saturating_sub(pending.as_deref().map_or(0, width_of));
    if total(&hints, u8::MAX) > room {
        for (k, _, _) in &mut hints {
            if let Some((first, _)) = k.split_once('/')
                && !k.starts_with("↑/↓")
                && !k.starts_with("Shift-↑/↓")
            {
                *k = first.to_string();
            }
        }
    }
    if total(&hints, 1) > room {
        for (_, what, _) in &mut hints {
            if let Some((short, _)) = what.split_once(" (") {
                *what = short.to_string();
            }
        }
    }
    let mut budget = room;
    let mut keep = vec![false; hints.len()];
    for rank in 0..=4 {
        let all: Vec<usize> = (0..hints.len()).filter(|i| hints[*i].2 == rank).collect();
        if rank == 3 {
            let need = total(&hints, 3) - total(&hints, 2);
            if need <= budget {
                budget -= need;
                all.iter().for_each(|i| keep[*i] = true);
            }
            continue;
        }
        for i in all {
            let need = item(&hints[i]);
            if need <= budget {
                budget -= need;
                keep[i] = true;
            }
        }
    }
    let mut spans = Vec::new();
    if let Some(p) = pending {
        spans.push(Span::styled(p, theme.bold()));
    }
    for (i, (k, what, _)) in hints.iter().enumerate() {
        if keep[i] {
            spans.push(Span::styled(k.clone(), theme.bold()));
            spans.push(Span::raw(format!(" {what}  ")));
        }
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The save-failed screen: what was not saved and why, and the choices (or the folder being
/// typed). The record stays in memory until it is saved or given up.
fn save_failed(app: &App, f: &mut Frame, area: Rect, theme: Theme) {
    let w = inner(area).width;
    let mut lines = wrap("THE RECORD WAS NOT SAVED", w, "", "", theme.alert());
    lines.push(Line::default());
    let who = app
        .pending()
        .and_then(|s| s.subject.as_deref())
        .map_or_else(|| "this screening".to_string(), |p| format!("patient {p}"));
    lines.extend(wrap(
        &format!("The record of {who} could not be saved:"),
        w,
        "",
        "",
        theme.bold(),
    ));
    if let Some(why) = app.save_error() {
        lines.extend(wrap(why, w, "  ", "  ", Style::new()));
    }
    lines.push(Line::default());
    lines.extend(wrap(
        "It is kept in memory. Try again (Enter), save it in another folder (f), or give it up \
         (q); a record given up makes the run end in an error.",
        w,
        "",
        "",
        Style::new(),
    ));
    let mut cursor = (0, 0);
    if let Some(input) = app.folder_input() {
        lines.push(Line::default());
        let rows = wrap(input, w, "Folder: ", "        ", theme.bold());
        let last = rows.last().map(|l| l.width()).unwrap_or(0);
        lines.extend(rows);
        cursor = (lines.len() - 1, u16::try_from(last).unwrap_or(u16::MAX));
    }
    let block = framed()
        .border_type(BorderType::Thick)
        .border_style(theme.alert())
        .title(Span::styled(" NOT SAVED ", theme.alert()));
    let inside = block.inner(area);
    f.render_widget(block, area);
    let scroll = follow(cursor.0, inside.height);
    render_body(
        f,
        inside,
        Body {
            lines,
            cursor: Some(cursor),
        },
        scroll,
    );
}
