//! The plain line mode: for screen readers, dumb terminals and scripts.
//!
//! One question at a time as plain lines (no colours, no cursor movement): the section title
//! when it changes, "Question 3 of about 12", the question, its numbered options, and the
//! answer read as one line. Everything about what an answer means and whether it is valid is
//! left to [`answers::parse_input`] and [`Session`], so the messages are the TUI's.
//!
//! Lines the person types: an answer (`y`/`n`/`u`, an option number or code, several separated
//! by commas, a number, text), an empty line (skip an optional question, keep an answer given
//! before, continue after information), or a command: `back`, `help`, `quit` (a command wins
//! over a free-text answer of the same word). The alert of an emergency stop is plain words, no
//! symbols, so that a screen reader reads it out as it stands.
//!
//! Questions and messages go to `prompts`; only the advice (exactly what `score --format text`
//! prints) goes to `advice`, so a script can keep the advice and drop the conversation. End of
//! input before the end abandons the screening: the advice of the answers so far is printed
//! and the exit status is [`EXIT_ABANDONED`].

use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::answers;
use crate::formats::Format;
use crate::frontend::{self, RunOptions};
use crate::lines::Line;
use crate::model::QuestionType;
use crate::printable::Printable;
use crate::questionnaire::Questionnaire;
use crate::records;
use crate::screening::{Interrupt, Mode, Moment, Notice, Screening, Start, Status, exit};
use crate::session::{Session, Step, StepError};

/// Runs the plain line mode: questions and prompts to `prompts`, answers from `input`, the
/// advice to `advice`. Returns the process exit status.
///
/// In staff mode several patients can be screened in a row; each gets a fresh [`Session`].
/// A record that cannot be saved is said at once, with the choice to try again or to save in
/// another folder; a record given up ends the run in an error, so that a script does not take
/// a lost record for a kept one. Where the run is, is kept up to date for the signal handler
/// ([`exit_on_signals`]): a signal while that choice is awaited gives the record up out loud.
pub fn run(
    q: &Questionnaire,
    opts: &RunOptions,
    input: &mut dyn BufRead,
    prompts: &mut dyn Write,
    advice: &mut dyn Write,
) -> io::Result<u8> {
    // Everything written passes the one escaping step (questionnaire text, echoed answers,
    // patient IDs and file names can hold control characters).
    let mut prompts = Printable::new(prompts);
    let mut advice = Printable::new(advice);
    let prompts: &mut dyn Write = &mut prompts;
    let advice: &mut dyn Write = &mut advice;
    if let Some(dir) = &opts.save_dir {
        // Better to say so now than after the person has answered everything.
        records::check_writable(dir)?;
    }
    let mut io = Lines {
        input,
        out: prompts,
    };
    let mut subject = opts.subject.clone();
    let mut save_dir = opts.save_dir.clone();
    let mut lost = 0;
    frontend::set_moment(Moment::Between, lost);
    let code = loop {
        let start = Start {
            subject: subject.clone(),
            staff: opts.staff,
            mode: Mode::Plain,
            started: SystemTime::now(),
        };
        frontend::set_moment(Moment::Screening, lost);
        let (session, status) = screen(q, opts.staff, &mut io)?;
        let done = Screening::end(&session, start, status);
        frontend::set_moment(Moment::Between, lost);
        if let Some(notice) = status.notice() {
            io.say("")?;
            io.say(notice)?;
        }
        if let Some(text) = done.advice() {
            advice.write_all(text.as_bytes())?;
            advice.flush()?;
        }
        if let Some(dir) = save_dir.as_mut()
            && !keep(&done, dir, &opts.save_formats, &mut io)?
        {
            lost += 1;
            frontend::set_moment(Moment::Between, lost);
        }
        if status == Status::Abandoned || !opts.staff || !next_patient(&mut io)? {
            break done.exit_status();
        }
        io.say("")?;
        io.say("--- Next patient ---")?;
        let Some(id) = next_subject(&mut io)? else {
            break exit::OK;
        };
        subject = id;
    };
    if lost > 0 {
        return Err(io::Error::other(format!(
            "{lost} screening record{} could not be saved (see above)",
            if lost == 1 { "" } else { "s" }
        )));
    }
    Ok(code)
}

/// Saves the screening's record in `dir` in each of `formats`, and says where. When that fails, says why and asks
/// what to do: `r` tries again, a folder path saves there (and from then on), `skip` or the
/// end of input gives the record up. Returns whether the record was kept.
fn keep(
    done: &Screening,
    dir: &mut PathBuf,
    formats: &[Format],
    io: &mut Lines,
) -> io::Result<bool> {
    io.say("")?;
    loop {
        let why = match frontend::save_record(dir, done, formats) {
            Ok(saved) => {
                // The number and the folder, not the file names: they hold the patient ID.
                io.say(&frontend::saved_line(&saved, "the record"))?;
                return Ok(true);
            }
            Err(e) => e,
        };
        io.say(&format!("NOT SAVED: {why}"))?;
        loop {
            io.say(SAVE_FAILED_CHOICES)?;
            io.ask(">")?;
            let Some(line) = io.line()? else {
                io.say("")?;
                return Ok(false);
            };
            match line.trim() {
                "" => continue,
                "skip" => return Ok(false),
                "r" | "retry" => break,
                other => match records::check_writable(Path::new(other)) {
                    Ok(()) => {
                        *dir = PathBuf::from(other);
                        break;
                    }
                    Err(e) => io.say(&format!("NOT SAVED: {e}"))?,
                },
            }
        }
    }
}

/// What a failed save offers (the TUI's save-failed screen offers the same).
const SAVE_FAILED_CHOICES: &str = "The record is kept until you choose: type r to try again, \
the path of another folder to save it there, or skip to go on without it (the run then ends \
in an error).";

/// Longest line of plain-mode input read: far more than any answer.
const MAX_LINE: usize = 64 * 1024;

/// Reading lines and writing prompts.
struct Lines<'a> {
    input: &'a mut dyn BufRead,
    out: &'a mut dyn Write,
}

impl Lines<'_> {
    /// One line of prompt text.
    fn say(&mut self, text: &str) -> io::Result<()> {
        writeln!(self.out, "{text}")?;
        self.out.flush()
    }

    /// A prompt the answer follows on the same line.
    fn ask(&mut self, text: &str) -> io::Result<()> {
        write!(self.out, "{text} ")?;
        self.out.flush()
    }

    /// The next line without its line ending; `None` at end of input. Bytes that are not
    /// UTF-8 are replaced rather than ending the screening. A line longer than
    /// [`MAX_LINE`] is read past (never kept whole) and answered with a note.
    fn line(&mut self) -> io::Result<Option<String>> {
        let mut buf = Vec::new();
        loop {
            match crate::lines::read_line(self.input, &mut buf, MAX_LINE)? {
                Line::End => return Ok(None),
                Line::Read => break,
                Line::TooLong => self.ask(&format!(
                    "That line is too long (more than {} KiB) and was not read. Please answer again:",
                    MAX_LINE / 1024
                ))?,
            }
        }
        let text = String::from_utf8_lossy(&buf);
        Ok(Some(text.trim_end_matches('\r').to_string()))
    }
}

/// A command typed instead of an answer.
enum Command {
    Back,
    Help,
    Quit,
}

fn command(line: &str) -> Option<Command> {
    match line.trim().to_lowercase().as_str() {
        "back" => Some(Command::Back),
        "help" => Some(Command::Help),
        "quit" => Some(Command::Quit),
        _ => None,
    }
}

const COMMANDS: &str = "Commands: back (previous question), help (why we ask), quit (stop here).";

/// Screens one person from the first question to the end, an emergency stop or abandonment.
fn screen<'q>(
    q: &'q Questionnaire,
    staff: bool,
    io: &mut Lines,
) -> io::Result<(Session<'q>, Status)> {
    let mut session = Session::new(q);
    io.say(q.title())?;
    io.say(q.introduction())?;
    io.say(q.disclaimer())?;
    io.say("Type your answer and press Enter.")?;
    io.say(COMMANDS)?;
    let mut section = None;
    // Whether to show the whole question before reading (not after help or an error).
    let mut show = true;
    while let Some(c) = session.current() {
        let question = &q.questions()[c];
        if show {
            io.say("")?;
            if section != Some(q.section_index(c)) {
                section = Some(q.section_index(c));
                let info = q.section_of(c);
                io.say(&format!("Section: {}", info.title_for(staff)))?;
                if let Some(intro) = info.intro_for(staff) {
                    io.say(intro)?;
                }
            }
            for line in question_lines(&session, c, staff) {
                io.say(&line)?;
            }
        }
        show = true;
        io.ask(">")?;
        let Some(line) = io.line()? else {
            io.say("")?;
            io.say("End of input.")?;
            let status = Status::on_leaving(&session);
            return Ok((session, status));
        };
        match command(&line) {
            Some(Command::Quit) => {
                let status = Status::on_leaving(&session);
                return Ok((session, status));
            }
            Some(Command::Help) => {
                io.say(match &question.help {
                    Some(h) => h,
                    None => "There is no more to say about this question.",
                })?;
                io.say(COMMANDS)?;
                show = false;
                continue;
            }
            Some(Command::Back) => {
                if !session.back() {
                    io.say("This is the first question.")?;
                    show = false;
                }
                continue;
            }
            None => {}
        }
        // An empty line keeps an earlier answer: it is given again, so that a kept answer
        // that stops the screening (after `back` from the alert) still stops it. Otherwise an
        // empty line, or anything after information, moves on without answering.
        let blank = line.trim().is_empty();
        let kept = blank.then(|| session.answer_of(c).cloned()).flatten();
        let skipping = kept.is_none() && (blank || question.kind == QuestionType::Display);
        let step = match kept {
            Some(a) => session.answer(a),
            None if skipping => session.skip(),
            None => answers::parse_input(question, &line)
                .map_err(StepError::from)
                .and_then(|a| session.answer(a)),
        };
        let step = match step {
            Ok(step) => step,
            Err(e) => {
                io.say(&e.to_string())?;
                io.say(&format!("{} {}", question.wording(staff), hint(question)))?;
                show = false;
                continue;
            }
        };
        if !skipping {
            // `dropped` describes the last answer; a skip leaves it as it was.
            say_notices(q, &session, staff, io)?;
        }
        if let Step::Stopped(rule) = step {
            if emergency_stop(&Interrupt::new(&session, rule, staff), io)? {
                return Ok((session, Status::StoppedEmergency));
            }
            session.back();
        }
    }
    Ok((session, Status::Completed))
}

/// The question as lines: progress, wording, the answers it takes, an answer given before.
fn question_lines(session: &Session, c: usize, staff: bool) -> Vec<String> {
    let q = &session.questionnaire().questions()[c];
    let (pos, total) = session.progress();
    let mut lines = vec![
        format!("Question {pos} of about {total}"),
        q.wording(staff).to_string(),
    ];
    match q.kind {
        QuestionType::YesNo => {
            lines.push("y) Yes".into());
            lines.push("n) No".into());
        }
        QuestionType::SingleChoice | QuestionType::MultiChoice => {
            for (i, o) in q.options.iter().enumerate() {
                lines.push(format!("{}) {}", i + 1, o.label_for(staff)));
            }
        }
        QuestionType::Number | QuestionType::Text | QuestionType::Display => {}
    }
    if q.allows_unsure() {
        lines.push("u) Not sure".into());
    }
    lines.push(hint(q));
    if let Some(a) = session.answer_of(c) {
        lines.push(format!(
            "Your answer so far: {}. Press Enter to keep it.",
            answers::display_for(q, a, staff)
        ));
    } else if q.kind != QuestionType::Display && !q.is_required() {
        lines.push("You may leave this out: press Enter to skip it.".into());
    }
    lines
}

/// How to answer, in one line.
fn hint(q: &crate::model::Question) -> String {
    match q.kind {
        QuestionType::YesNo if q.allows_unsure() => "(Type y, n or u.)".into(),
        QuestionType::YesNo => "(Type y or n.)".into(),
        QuestionType::SingleChoice => format!("(Type a number from 1 to {}.)", q.options.len()),
        QuestionType::MultiChoice => format!(
            "(Type one or more numbers from 1 to {}, separated by commas.)",
            q.options.len()
        ),
        QuestionType::Number => {
            let whole = if q.integer {
                "a whole number"
            } else {
                "a number"
            };
            let unit = q
                .unit
                .as_deref()
                .map(|u| format!(", in {u}"))
                .unwrap_or_default();
            let range = crate::screening::number_range(q)
                .map(|r| format!(" {r}"))
                .unwrap_or_default();
            let unsure = if q.allows_unsure() {
                ", or u if not sure"
            } else {
                ""
            };
            format!("(Type {whole}{range}{unit}{unsure}.)")
        }
        QuestionType::Text => format!("(Type your answer, up to {} characters.)", q.text_limit()),
        QuestionType::Display => "(Press Enter to continue.)".into(),
    }
}

/// Says which earlier answers the last answer removed, and which questions it added.
fn say_notices(
    q: &Questionnaire,
    session: &Session,
    staff: bool,
    io: &mut Lines,
) -> io::Result<()> {
    let notices = [
        Notice::dropped(q, session.dropped(), staff),
        Notice::added(q, session.added(), staff),
    ];
    for notice in notices.into_iter().flatten() {
        io.say(&notice.headline)?;
        for item in &notice.items {
            io.say(&format!("- {item}"))?;
        }
    }
    Ok(())
}

/// The interrupt of a `stop` rule, as plain lines (no symbols, so that a screen reader reads
/// it out as it stands): the headline, why, what to do, then what to tell whoever is called.
/// Returns true to finish with the advice, false when the person said the answer was a
/// mistake.
fn emergency_stop(alert: &Interrupt, io: &mut Lines) -> io::Result<bool> {
    io.say("")?;
    io.say(&format!("{}: {}.", alert.title, alert.headline))?;
    for m in &alert.messages {
        io.say(m)?;
    }
    if let Some(s) = alert.summary {
        io.say(s)?;
    }
    for c in &alert.contacts {
        io.say(c)?;
    }
    if !alert.steps.is_empty() {
        io.say("What to do:")?;
        for (i, step) in alert.steps.iter().enumerate() {
            io.say(&format!("{}. {step}", i + 1))?;
        }
    }
    if !alert.tell.is_empty() {
        io.say("What to tell them:")?;
        for t in &alert.tell {
            io.say(&format!("- {t}"))?;
        }
    }
    loop {
        io.ask("Type back if you answered by mistake, or press Enter to finish:")?;
        let Some(line) = io.line()? else {
            io.say("")?;
            return Ok(true);
        };
        match command(&line) {
            Some(Command::Back) => return Ok(false),
            Some(Command::Quit) => return Ok(true),
            _ if line.trim().is_empty() => return Ok(true),
            _ => {}
        }
    }
}

/// Asks for the next patient's ID until it is empty or keeps to [`crate::subject::RULE`];
/// `None` at end of input.
fn next_subject(io: &mut Lines) -> io::Result<Option<Option<String>>> {
    loop {
        io.ask("Patient id for the next patient (optional, press Enter to leave it out):")?;
        let Some(id) = io.line()? else {
            return Ok(None);
        };
        let id = id.trim();
        if id.is_empty() {
            return Ok(Some(None));
        }
        match crate::subject::check(id) {
            Ok(id) => return Ok(Some(Some(id.to_string()))),
            Err(e) => io.say(&format!("That ID cannot be used: {e}."))?,
        }
    }
}

/// Asks whether another patient follows (staff mode). End of input means no.
fn next_patient(io: &mut Lines) -> io::Result<bool> {
    loop {
        io.say("")?;
        io.ask("Next patient? (y/n)")?;
        let Some(line) = io.line()? else {
            io.say("")?;
            return Ok(false);
        };
        match line.trim().to_lowercase().as_str() {
            "y" | "yes" => return Ok(true),
            "n" | "no" | "quit" => return Ok(false),
            _ => io.say("Please answer y (yes) or n (no).")?,
        }
    }
}

/// Makes SIGINT, SIGTERM and SIGHUP end plain mode as they end the TUI, by the engine's
/// [`crate::screening::on_interrupt`] for where the run is: during a screening, a line on
/// stderr that says it was interrupted and exit status 130 (rather than death by the signal),
/// nothing printed or saved for the unfinished patient; while a failed save waits for a
/// choice, a line that says this record was NOT saved and the status of a lost record (1).
/// A save itself holds the signals back until it has finished or rolled back
/// ([`frontend::save_record`]).
pub fn exit_on_signals() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    for sig in [SIGINT, SIGTERM, SIGHUP] {
        // SAFETY: the handler only loads atomics and calls write(2) and _exit(2), which are
        // async-signal-safe, on constant text.
        unsafe { signal_hook::low_level::register(sig, on_signal)? };
    }
    Ok(())
}

fn on_signal() {
    let (end, lost_before) = frontend::signal_end();
    // SAFETY: writes a constant buffer to stderr; a failed write is ignored.
    unsafe { libc::write(libc::STDERR_FILENO, b"\n".as_ptr().cast(), 1) };
    frontend::say_signal_end(&end, lost_before);
    signal_hook::low_level::exit(i32::from(end.exit_status));
}
