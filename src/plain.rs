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
use std::time::SystemTime;

use crate::answers;
use crate::frontend::{EXIT_ABANDONED, EXIT_OK, RunOptions};
use crate::lines::Line;
use crate::model::{Level, QuestionType};
use crate::printable::Printable;
use crate::questionnaire::Questionnaire;
use crate::records::{self, Mode, Screening, Status};
use crate::report::{Summary, TextOptions, render_text};
use crate::session::{Session, Step};

/// Runs the plain line mode: questions and prompts to `prompts`, answers from `input`, the
/// advice to `advice`. Returns the process exit status.
///
/// In staff mode several patients can be screened in a row; each gets a fresh [`Session`].
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
        records::check_dir(dir)?;
    }
    let mut io = Lines {
        input,
        out: prompts,
    };
    let mut subject = opts.subject.clone();
    // Screenings whose record could not be saved: the run then ends in an error, so that a
    // script does not take a lost record for a kept one.
    let mut unsaved = 0;
    let code = loop {
        let started = SystemTime::now();
        let (session, status) = screen(q, opts.staff, &mut io)?;
        let ended = SystemTime::now();
        let outcome = session.outcome();
        if status == Status::Abandoned {
            io.say("")?;
            io.say(
                "The screening was not finished. The advice below is for the answers given so far.",
            )?;
        }
        let text = render_text(
            &Summary::new(q, session.answers(), &outcome, opts.staff),
            &TextOptions {
                staff: opts.staff,
                subject: subject.as_deref(),
            },
        );
        advice.write_all(text.as_bytes())?;
        advice.flush()?;
        if let Some(dir) = &opts.save_dir {
            let screening = Screening {
                q,
                answers: session.answers(),
                outcome: &outcome,
                subject: subject.as_deref(),
                staff: opts.staff,
                mode: Mode::Plain,
                status,
                started,
                ended,
            };
            io.say("")?;
            match records::save(dir, &screening) {
                Ok(paths) => {
                    io.say(&format!("Saved the record: {}", paths.record.display()))?;
                    io.say(&format!("Saved the handover: {}", paths.handover.display()))?;
                }
                Err(e) => {
                    unsaved += 1;
                    io.say(&format!("NOT SAVED: {e}"))?;
                }
            }
        }
        if status == Status::Abandoned {
            break EXIT_ABANDONED;
        }
        if !opts.staff || !next_patient(&mut io)? {
            break EXIT_OK;
        }
        io.say("")?;
        io.say("--- Next patient ---")?;
        let Some(id) = next_subject(&mut io)? else {
            break EXIT_OK;
        };
        subject = id;
    };
    if unsaved > 0 {
        return Err(io::Error::other(format!(
            "{unsaved} screening record{} could not be saved (see above)",
            if unsaved == 1 { "" } else { "s" }
        )));
    }
    Ok(code)
}

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
            return Ok((session, Status::Abandoned));
        };
        match command(&line) {
            Some(Command::Quit) => return Ok((session, Status::Abandoned)),
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
            None => answers::parse_input(question, &line).and_then(|a| session.answer(a)),
        };
        let step = match step {
            Ok(step) => step,
            Err(message) => {
                io.say(&message)?;
                io.say(&format!("{} {}", question.wording(staff), hint(question)))?;
                show = false;
                continue;
            }
        };
        if !skipping {
            // `dropped` describes the last answer; a skip leaves it as it was.
            say_dropped(q, &session, staff, io)?;
        }
        if let Step::Stopped(rule) = step {
            if emergency_stop(q, rule, io)? {
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
            let range = match (q.min, q.max) {
                (Some(lo), Some(hi)) => {
                    format!(" from {} to {}", answers::fmt_num(lo), answers::fmt_num(hi))
                }
                (Some(lo), None) => format!(" of at least {}", answers::fmt_num(lo)),
                (None, Some(hi)) => format!(" of at most {}", answers::fmt_num(hi)),
                (None, None) => String::new(),
            };
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

/// Says which earlier answers the last answer made irrelevant (skip logic dropped them).
fn say_dropped(
    q: &Questionnaire,
    session: &Session,
    staff: bool,
    io: &mut Lines,
) -> io::Result<()> {
    let dropped = session.dropped();
    if dropped.is_empty() {
        return Ok(());
    }
    io.say(&format!(
        "Because of this answer, {} no longer {} and {} removed:",
        if dropped.len() == 1 {
            "1 earlier answer".to_string()
        } else {
            format!("{} earlier answers", dropped.len())
        },
        if dropped.len() == 1 {
            "applies"
        } else {
            "apply"
        },
        if dropped.len() == 1 { "was" } else { "were" },
    ))?;
    for i in dropped {
        io.say(&format!("- {}", q.questions()[*i].wording(staff)))?;
    }
    Ok(())
}

/// The emergency alert of a `stop` rule. Returns true to finish with the advice, false when the
/// person said the answer was a mistake.
fn emergency_stop(q: &Questionnaire, rule: usize, io: &mut Lines) -> io::Result<bool> {
    let r = &q.rules()[rule].rule;
    let contacts: Vec<_> = q
        .contacts()
        .iter()
        .filter(|c| c.show_for.contains(&r.level))
        .collect();
    io.say("")?;
    match (r.level, q.emergency_contact()) {
        (Level::Emergency, Some(c)) => {
            io.say(&format!("EMERGENCY: CALL {} NOW ({}).", c.number, c.name))?
        }
        (Level::Emergency, None) => io.say("EMERGENCY: CALL EMERGENCY SERVICES NOW.")?,
        (level, _) => io.say(&format!(
            "STOP: {}.",
            q.advice().for_level(level).label.to_uppercase()
        ))?,
    }
    io.say(&r.message)?;
    for c in contacts {
        io.say(&crate::report::contact_line(c))?;
        if let Some(tell) = &c.tell {
            io.say(&format!("Tell them: {tell}"))?;
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
