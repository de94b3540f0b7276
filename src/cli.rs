//! The command line: argument parsing (clap) and the subcommands `validate`, `score`,
//! `questions`, `schema`, `rulebook`, `settings` and `rescore` (in [`crate::rescore_cmd`]);
//! without a subcommand, an interactive screening.
//!
//! This is a front end: the engine modules never import it. Every subcommand returns an exit
//! status (see README): 0 success, 1 I/O or internal error, 2 invalid input or usage,
//! 3 screening abandoned before the end, 130 interrupted.

use std::borrow::Cow;
use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::coverage::Coverage;
use crate::diagnostics::LoadError;
use crate::formats;
use crate::frontend::RunOptions;
use crate::lines::Line;
use crate::loader;
use crate::output;
use crate::printable::escape_line;
use crate::questionnaire::Questionnaire;
use crate::suggest::Suggester;

mod validate_json;

/// Exit status: success ([`crate::screening::exit::OK`], where every exit status is defined).
pub const EXIT_OK: u8 = crate::screening::exit::OK;
/// Exit status: I/O or internal error ([`crate::screening::exit::IO`]).
pub const EXIT_IO: u8 = crate::screening::exit::IO;
/// Exit status: invalid input (questionnaire, answers) or usage
/// ([`crate::screening::exit::INVALID`]).
pub const EXIT_INVALID: u8 = crate::screening::exit::INVALID;

/// Largest answers file accepted.
const MAX_ANSWERS_BYTES: u64 = 16 * 1024 * 1024;

/// Longest line of a JSONL answers stream: one person's answers fit many times over.
pub const MAX_JSONL_LINE: usize = 1024 * 1024;

const AFTER_HELP: &str = "\
Without a subcommand, needlecheck runs a screening: full screen in a terminal, or line by line
with --plain (chosen automatically when TERM=dumb or input is not a terminal). The advice is
printed to standard output when the screening ends; the questions go to the terminal.

Exit status: 0 success; 1 I/O or internal error; 2 invalid input or usage;
3 screening abandoned before the end; 130 interrupted.

needlecheck gives advice, not a diagnosis, and never clears anyone for treatment.";

/// Screening before dry needling: asks the questions, explains the advice.
#[derive(Debug, Parser)]
#[command(name = "needlecheck", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Questionnaire file to use instead of the built-in dry-needling questionnaire (- for
    /// standard input).
    #[arg(long, short = 'q', global = true, value_name = "FILE")]
    pub questionnaire: Option<PathBuf>,

    /// Clinic file: the clinic's settings, name, phone number and phone lines (default: the
    /// file named by NEEDLECHECK_CLINIC, if set; - for standard input). See `needlecheck
    /// settings`.
    #[arg(long, global = true, value_name = "FILE")]
    pub clinic: Option<PathBuf>,

    /// Front-desk mode: staff wording, practitioner handover, several patients in a row.
    #[arg(long)]
    pub staff: bool,

    /// Line-by-line mode for screen readers, dumb terminals and scripts.
    #[arg(long)]
    pub plain: bool,

    /// Patient identifier to show on the result and in the saved record: 1 to 64 letters,
    /// digits and - _ . / # :
    #[arg(long, value_name = "ID")]
    pub subject: Option<String>,

    /// Save each screening in DIR: its JSON record and handover text, or what --save-format
    /// says (files are created readable by you only, and never overwrite). Nothing is saved
    /// without this.
    #[arg(long, value_name = "DIR")]
    pub save_dir: Option<PathBuf>,

    /// What each screening is saved as in the --save-dir folder, one file per format, named
    /// alike: json (the record, .json), handover (.handover.txt), fhir (an HL7 FHIR R4 Bundle,
    /// .fhir.json), text (the advice, .advice.txt). Separate several with commas
    /// [default: json,handover].
    #[arg(long, value_name = "FORMAT,...", value_delimiter = ',', value_parser = output_format())]
    pub save_format: Vec<formats::Format>,

    /// When to use colours and box-drawing characters; auto honours NO_COLOR, CLICOLOR=0,
    /// CLICOLOR_FORCE=1 and TERM=dumb, and uses plain ASCII when the output is not a terminal.
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t)]
    pub color: crate::color::ColorChoice,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check questionnaire files and run their embedded test cases.
    ///
    /// Reports every problem with file:line:column and JSON pointer, then prints
    /// "N passed, M failed" for the test cases. A rule that no test case fires is an error
    /// unless the rule says why (`"coverage_exempt": "reason"`). Without FILE, checks the
    /// built-in questionnaire. Exit 0 when every file is valid, every test passes and every
    /// rule not exempt is fired, else 2.
    Validate {
        /// Questionnaire files (- for standard input).
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Also print what the test cases leave unexercised: rules never fired or never seen
        /// not firing, levels never reached, questions never answered, options never chosen,
        /// show_if conditions never seen true or false.
        #[arg(long)]
        coverage: bool,
        /// Output format: text, or json for one JSON object per line (each problem with file,
        /// line, column, pointer, message and help; each failed test; each file; a summary).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Score an answers file and print the advice.
    ///
    /// The answers file is a JSON object with an "answers" object mapping question ids to
    /// values: "yes" / "no" / "unsure", an option code, a list of codes, a number, or text.
    /// Other top-level keys are ignored, so a saved record can be scored again.
    /// Exit 0 whenever scoring succeeded, whatever the outcome.
    Score {
        /// Answers file, or - for standard input.
        #[arg(long, short = 'a', value_name = "FILE|-")]
        answers: PathBuf,
        /// Output format [default: text; with --jsonl json, the one format that streams].
        #[arg(long, value_parser = output_format())]
        format: Option<formats::Format>,
        /// Read one answers object per line and write one JSON record per line (streaming).
        /// A bad line gives an error record for that line; the rest continue.
        #[arg(long)]
        jsonl: bool,
        /// Add the practitioner handover to the text advice.
        #[arg(long)]
        staff: bool,
    },
    /// List the questions: id, type, text, options and show_if.
    Questions {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the JSON Schema of the questionnaire format (`schema clinic`: of the clinic file).
    Schema {
        /// Which format.
        #[arg(value_enum, default_value_t = SchemaKind::Questionnaire)]
        kind: SchemaKind,
    },
    /// Print the whole questionnaire as a document for a clinician to read and sign.
    ///
    /// Every section and question (patient and staff wording, help, answer type, when it is
    /// asked), every rule in plain words (level, when it fires, how "Not sure" counts,
    /// message, practitioner note, sources) and the scenario tests that fire it or not.
    Rulebook {
        /// Output format.
        #[arg(long, value_enum, default_value_t = DocFormat::Md)]
        format: DocFormat,
    },
    /// Print the questionnaire for other systems: `fhir`, an HL7 FHIR R4 Questionnaire;
    /// `fhir-levels`, the FHIR CodeSystem of the outcome levels that scorings use.
    ///
    /// The Questionnaire has the questions as items grouped by section, "Not sure" as the
    /// code asked-unknown, and when each question is asked as enableWhen or an SDC
    /// enableWhenExpression; with --clinic FILE, under the clinic's settings. The rules are
    /// not part of it. See the README for the mapping.
    Export {
        /// What to print.
        #[arg(value_enum)]
        what: ExportKind,
        /// The front-desk wording (its own Questionnaire, at the canonical URL plus /staff).
        #[arg(long)]
        staff: bool,
    },
    /// List the clinic settings: what each decides, its default and its effective value
    /// (with --clinic FILE or NEEDLECHECK_CLINIC).
    Settings {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print a completion script for a shell.
    ///
    /// For example `needlecheck completions bash > ~/.local/share/bash-completion/completions/needlecheck`
    /// (see the README for each shell).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), for example
    /// `needlecheck man > ~/.local/share/man/man1/needlecheck.1`.
    Man,
    /// Re-score stored records under another questionnaire version or clinic file.
    ///
    /// Reads saved records (--save-dir), `score --format json` output, and JSONL files of
    /// records, one record at a time, scores each one's answers under the questionnaire
    /// (--against, else -q, else the built-in one) with the clinic file (--clinic or
    /// NEEDLECHECK_CLINIC, else the defaults), and reports every record whose outcome changes
    /// and why, every record that could not be re-scored, then a summary. Exit 0 when every
    /// record was re-scored, 2 when some could not be (each is reported), 1 when a file could
    /// not be read.
    Rescore {
        /// The questionnaire to score under [default: the -q questionnaire, else the
        /// built-in one].
        #[arg(long, value_name = "NEW.json")]
        against: Option<PathBuf>,
        /// An earlier version of the questionnaire (repeatable): records that name its
        /// version must carry its SHA-256.
        #[arg(long, value_name = "OLD.json")]
        known: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::rescore_cmd::RescoreFormat::Text)]
        format: crate::rescore_cmd::RescoreFormat,
        /// Record files, folders of them, JSONL files of records (.jsonl), or - for records on
        /// standard input, one per line.
        #[arg(value_name = "RECORDS", required = true)]
        records: Vec<PathBuf>,
    },
}

/// The file formats `schema` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Questionnaire,
    Clinic,
}

/// What `export` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportKind {
    /// The questionnaire as a FHIR R4 Questionnaire.
    Fhir,
    /// The outcome levels as a FHIR R4 CodeSystem.
    FhirLevels,
}

/// The format of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML page (no scripts, nothing loaded from elsewhere) that prints
    /// on A4.
    Html,
}

/// The `--format` values of `score`: the engine's output formats, by name.
fn output_format() -> impl clap::builder::TypedValueParser<Value = formats::Format> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(formats::Format::ALL.map(formats::Format::name))
        .try_map(|name| {
            formats::Format::from_name(&name).ok_or_else(|| format!("unknown format `{name}`"))
        })
}

/// The formats to save in: those given, each once in the order first given, or by default the
/// record and the handover.
fn save_formats(given: &[formats::Format]) -> Vec<formats::Format> {
    let mut out: Vec<formats::Format> = Vec::new();
    for f in given {
        if !out.contains(f) {
            out.push(*f);
        }
    }
    if out.is_empty() {
        out = formats::Format::SAVED.to_vec();
    }
    out
}

/// The formats of `questions`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// How diagnostics on stderr may be decorated (the one rule: [`crate::color::decide`]).
fn stderr_color() -> crate::color::Decoration {
    crate::color::stderr()
}

/// Runs the command line; returns the exit status.
pub fn run(cli: Cli) -> u8 {
    crate::color::set_choice(cli.color);
    // Checked here rather than by clap, whose message would quote the refused value.
    if let Some(Err(e)) = cli.subject.as_deref().map(crate::subject::check) {
        output::note(&format!("error: --subject: {e}"));
        return EXIT_INVALID;
    }
    let interactive_run = cli.command.is_none();
    if !interactive_run && cli.save_dir.is_some() {
        output::note(
            "error: --save-dir saves screenings, and subcommands never save one; leave it out \
             (run a screening without a subcommand to save its record)",
        );
        return EXIT_INVALID;
    }
    if !cli.save_format.is_empty() && cli.save_dir.is_none() {
        output::note(
            "error: --save-format says what --save-dir saves; give the folder with --save-dir \
             too, or leave --save-format out",
        );
        return EXIT_INVALID;
    }
    if let Some(message) = unused_flag(&cli) {
        output::note(&format!("error: {message}"));
        return EXIT_INVALID;
    }
    if let Err(message) = crate::input::check_stdin_once(&stdin_uses(&cli)) {
        output::note(&format!("error: {message}"));
        return EXIT_INVALID;
    }
    let result = match cli.command {
        Some(Command::Validate {
            ref files,
            coverage,
            format,
        }) => match (open_clinic(&cli), format) {
            (Err(code), _) => Ok(code),
            (Ok(clinic), Format::Text) => validate(files, clinic.as_ref(), coverage),
            (Ok(_), Format::Json) if coverage => {
                output::note(
                    "error: --coverage prints a text listing; leave out --format json to see it",
                );
                Ok(EXIT_INVALID)
            }
            (Ok(clinic), Format::Json) => validate_json::validate(files, clinic.as_ref()),
        },
        Some(Command::Score {
            ref answers,
            format,
            jsonl,
            staff,
        }) => with_questionnaire(&cli, Tests::NotNeeded, |q| {
            score(q, answers, format, jsonl, staff)
        }),
        Some(Command::Questions { format }) => {
            with_questionnaire(&cli, Tests::NotNeeded, |q| questions(q, format))
        }
        Some(Command::Schema { kind }) => schema(kind == SchemaKind::Clinic),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man(),
        Some(Command::Rulebook { format }) => {
            with_questionnaire(&cli, Tests::Needed, |q| rulebook(q, format))
        }
        Some(Command::Export { what, staff }) => {
            with_questionnaire(&cli, Tests::NotNeeded, |q| export(q, what, staff))
        }
        Some(Command::Settings { format }) => {
            with_questionnaire(&cli, Tests::NotNeeded, |q| settings(q, format))
        }
        Some(Command::Rescore {
            ref against,
            ref known,
            format,
            ref records,
        }) => rescore(&cli, against.as_deref(), known, format, records),
        None => with_questionnaire(&cli, Tests::NotNeeded, |q| interactive(q, &cli)),
    };
    match result {
        Ok(code) => code,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => EXIT_OK,
        // Subcommands read their input through LoadError; what is left is writing the output.
        Err(e) if !interactive_run => {
            output::note(&format!("error: cannot write the output: {e}"));
            EXIT_IO
        }
        Err(e) => {
            output::note(&format!("error: {e}"));
            EXIT_IO
        }
    }
}

impl Command {
    /// The subcommand's name, as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Validate { .. } => "validate",
            Command::Score { .. } => "score",
            Command::Questions { .. } => "questions",
            Command::Schema { .. } => "schema",
            Command::Rulebook { .. } => "rulebook",
            Command::Settings { .. } => "settings",
            Command::Export { .. } => "export",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
            Command::Rescore { .. } => "rescore",
        }
    }

    /// Whether the command reads a questionnaire given with `-q` (`validate` takes its files
    /// as arguments).
    fn reads_questionnaire(&self) -> bool {
        matches!(
            self,
            Command::Score { .. }
                | Command::Questions { .. }
                | Command::Rulebook { .. }
                | Command::Settings { .. }
                | Command::Rescore { .. }
                | Command::Export { .. }
        )
    }
}

/// A flag given that the command would do nothing with, said as an error: a flag silently
/// ignored lets a person believe it took effect. (`--save-dir` has its own message.)
fn unused_flag(cli: &Cli) -> Option<String> {
    let command = cli.command.as_ref()?;
    let name = command.name();
    let unused = |flag: &str, hint: &str| {
        Some(format!(
            "{flag} does nothing with `needlecheck {name}`; leave it out{hint}"
        ))
    };
    if cli.questionnaire.is_some() && !command.reads_questionnaire() {
        let hint = if matches!(command, Command::Validate { .. }) {
            " and give the files to check as arguments (`needlecheck validate FILE...`)"
        } else {
            ""
        };
        return unused("-q/--questionnaire", hint);
    }
    if cli.clinic.is_some() && !(command.reads_questionnaire() || name == "validate") {
        return unused("--clinic", "");
    }
    let screening_only = [
        (cli.staff, "--staff"),
        (cli.plain, "--plain"),
        (cli.subject.is_some(), "--subject"),
    ];
    if let Some((_, flag)) = screening_only.iter().find(|(given, _)| *given) {
        let hint = if matches!(command, Command::Score { .. }) && *flag == "--staff" {
            " (`needlecheck score --staff` adds the handover to the advice)"
        } else {
            " (it is an option of a screening, run without a subcommand)"
        };
        return unused(flag, hint);
    }
    None
}

/// What would read standard input (`-`) in this run, by how it was asked for.
fn stdin_uses(cli: &Cli) -> Vec<&'static str> {
    use crate::input::is_stdin;
    let mut uses = Vec::new();
    if cli.questionnaire.as_deref().is_some_and(is_stdin) {
        uses.push("-q -");
    }
    if clinic_path(cli).as_deref().is_some_and(is_stdin) {
        uses.push("--clinic -");
    }
    match &cli.command {
        Some(Command::Validate { files, .. }) => {
            uses.extend(files.iter().filter(|f| is_stdin(f)).map(|_| "validate -"));
        }
        Some(Command::Score { answers, .. }) if is_stdin(answers) => uses.push("--answers -"),
        Some(Command::Rescore {
            against,
            known,
            records,
            ..
        }) => {
            uses.extend(
                against
                    .as_deref()
                    .filter(|p| is_stdin(p))
                    .map(|_| "--against -"),
            );
            uses.extend(known.iter().filter(|f| is_stdin(f)).map(|_| "--known -"));
            uses.extend(records.iter().filter(|f| is_stdin(f)).map(|_| "rescore -"));
        }
        // The screening reads its answers (plain mode) or keys (a terminal) there.
        None => uses.push("the screening"),
        _ => {}
    }
    uses
}

/// `needlecheck completions SHELL`: the completion script, generated from the same
/// definition as the parser, so it cannot drift from the real flags.
fn completions(shell: clap_complete::Shell) -> io::Result<u8> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "needlecheck", &mut script);
    // Through the escaping writer like every text output (it is all the tool's own text).
    let mut out = output::stdout();
    out.write_all(&script)?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// `needlecheck man`: the manual page in roff, from the same definition as `--help`.
fn man() -> io::Result<u8> {
    use clap::CommandFactory;
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    // Through the escaping writer like every text output (it is all the tool's own text).
    let mut out = output::stdout();
    out.write_all(&page)?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// Whether a command needs the questionnaire's test cases: only checking it and the rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tests {
    Needed,
    NotNeeded,
}

fn load(path: Option<&Path>, tests: Tests) -> Result<Questionnaire, LoadError> {
    match (path, tests) {
        (Some(p), _) => crate::input::questionnaire(p),
        (None, Tests::Needed) => loader::embedded(),
        // Its tests are run by the test suite and by `validate`: a start does not read them.
        (None, Tests::NotNeeded) => loader::embedded_without_tests(),
    }
}

/// The clinic file: `--clinic`, else `NEEDLECHECK_CLINIC` when set and not empty.
fn clinic_path(cli: &Cli) -> Option<PathBuf> {
    cli.clinic.clone().or_else(|| {
        std::env::var_os(crate::clinic::ENV_VAR)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    })
}

fn with_questionnaire(
    cli: &Cli,
    tests: Tests,
    f: impl FnOnce(&Questionnaire) -> io::Result<u8>,
) -> io::Result<u8> {
    with_questionnaire_at(cli, cli.questionnaire.as_deref(), tests, f)
}

/// [`with_questionnaire`] with the questionnaire at `path` (the built-in one without).
fn with_questionnaire_at(
    cli: &Cli,
    path: Option<&Path>,
    tests: Tests,
    f: impl FnOnce(&Questionnaire) -> io::Result<u8>,
) -> io::Result<u8> {
    let q = match load(path, tests) {
        Ok(q) => q,
        Err(e) => {
            let mut err = output::stderr();
            let _ = e.write_to(&mut err, stderr_color());
            if matches!(e, LoadError::Invalid { .. }) {
                let _ = writeln!(
                    err,
                    "hint: run `needlecheck validate FILE` for the full check"
                );
            }
            return Ok(e.exit_code());
        }
    };
    // One command per process: the questionnaire lives until the process ends, and the system
    // takes its memory back at once, where freeing its thousands of small allocations one by
    // one took a tenth of scoring one answer set. It holds no patient data.
    let q = std::mem::ManuallyDrop::new(q);
    // Any problem with the clinic file (missing, unreadable, invalid) is bad input: nothing is
    // screened under a half-read policy.
    match clinic_path(cli) {
        None => f(&q),
        Some(path) => match crate::input::Clinic::open(&path).and_then(|c| c.apply(&q)) {
            Ok(q) => f(&std::mem::ManuallyDrop::new(q)),
            Err(e) => {
                let _ = e.write_to(&mut output::stderr(), stderr_color());
                Ok(EXIT_INVALID)
            }
        },
    }
}

/// `needlecheck rescore`: the questionnaire is `--against`, else `-q`, else the built-in one;
/// the earlier versions named by `--known` are loaded whole first.
fn rescore(
    cli: &Cli,
    against: Option<&Path>,
    known: &[PathBuf],
    format: crate::rescore_cmd::RescoreFormat,
    records: &[PathBuf],
) -> io::Result<u8> {
    if against.is_some() && cli.questionnaire.is_some() {
        output::note(
            "error: rescore: give the questionnaire to score under once, with --against \
             (-q means the same here)",
        );
        return Ok(EXIT_INVALID);
    }
    let mut earlier = Vec::new();
    for path in known {
        match crate::input::questionnaire(path) {
            Ok(q) => earlier.push(q),
            Err(e) => {
                let _ = e.write_to(&mut output::stderr(), stderr_color());
                return Ok(e.exit_code());
            }
        }
    }
    let path = against.or(cli.questionnaire.as_deref());
    with_questionnaire_at(cli, path, Tests::NotNeeded, |q| {
        crate::rescore_cmd::rescore(q, records, &earlier, format)
    })
}

/// The clinic file, opened once for every questionnaire `validate` checks; a clinic file that
/// cannot be read is bad input, like an invalid one (the error is reported here).
fn open_clinic(cli: &Cli) -> Result<Option<crate::input::Clinic>, u8> {
    let Some(path) = clinic_path(cli) else {
        return Ok(None);
    };
    crate::input::Clinic::open(&path).map(Some).map_err(|e| {
        let _ = e.write_to(&mut output::stderr(), stderr_color());
        EXIT_INVALID
    })
}

/// A questionnaire to validate, with the bytes it was read from: a problem found after
/// loading (a rule no test case fires) is located in them.
fn load_with_bytes(path: Option<&Path>) -> Result<(Questionnaire, Cow<'static, [u8]>), LoadError> {
    match path {
        None => Ok((
            loader::embedded()?,
            Cow::Borrowed(loader::EMBEDDED.as_bytes()),
        )),
        Some(p) => {
            let bytes = crate::input::read(p, loader::MAX_FILE_BYTES)?;
            let q = loader::load_str(&crate::input::name_of(p), &bytes)?;
            Ok((q, Cow::Owned(bytes)))
        }
    }
}

/// Shows how much of a questionnaire its test cases exercise (printed with `show`), and
/// reports the rules that no test case fires, located in `bytes`. Returns whether there were
/// any.
fn check_coverage(
    cov: &Coverage,
    name: &str,
    bytes: &[u8],
    show: bool,
    out: &mut impl Write,
    err: &mut crate::printable::Printable<impl Write>,
) -> io::Result<bool> {
    if show {
        out.write_all(cov.render_text(name).as_bytes())?;
    }
    let problems = cov.never_fired_problems();
    if problems.is_empty() {
        return Ok(false);
    }
    let n = cov.never_fired();
    if let Ok(text) = crate::diagnostics::json_text(name, bytes) {
        let more = n - problems.len();
        let e = LoadError::invalid(name, text, problems).with_more(more);
        let _ = e.write_to(err, stderr_color());
    }
    writeln!(
        out,
        "{name}: INCOMPLETE COVERAGE ({n} rule{} no test case fires)",
        if n == 1 { "" } else { "s" }
    )?;
    Ok(true)
}

fn validate(
    files: &[PathBuf],
    clinic: Option<&crate::input::Clinic>,
    coverage: bool,
) -> io::Result<u8> {
    let color = stderr_color();
    let mut out = output::stdout();
    let mut err = output::stderr();
    let (mut passed, mut failed, mut invalid, mut unreadable) = (0usize, 0usize, 0usize, 0usize);
    for path in validate_targets(files) {
        let name = path.map_or(loader::EMBEDDED_NAME.to_string(), crate::input::name_of);
        match load_target(path, clinic) {
            Ok((q, bytes)) => {
                let (cov, results) = Coverage::with_results(&q);
                let ok = results.iter().filter(|r| r.passed()).count();
                for r in results.iter().filter(|r| !r.passed()) {
                    writeln!(
                        out,
                        "FAILED {name}: test \"{}\": {}",
                        escape_line(&r.name),
                        r.explain()
                    )?;
                }
                passed += ok;
                failed += results.len() - ok;
                writeln!(
                    out,
                    "{name}: valid ({} questions, {} rules), {ok} of {} tests passed",
                    q.questions().len(),
                    q.rules().len(),
                    results.len()
                )?;
                for r in q.rules().iter().filter(|r| r.rule.not_monotone) {
                    writeln!(
                        out,
                        "{name}: rule `{}` is marked not_monotone: \"Not sure\" can give it a \
                         lower outcome than a definite answer (outside the guarantee)",
                        r.rule.id
                    )?;
                }
                if check_coverage(&cov, &name, &bytes, coverage, &mut out, &mut err)? {
                    invalid += 1;
                }
            }
            Err((code, e)) => {
                if code == EXIT_IO {
                    unreadable += 1;
                } else {
                    invalid += 1;
                }
                let _ = e.write_to(&mut err, color);
                let what = if code == EXIT_IO {
                    "UNREADABLE"
                } else {
                    "INVALID"
                };
                writeln!(out, "{name}: {what} ({e})")?;
            }
        }
    }
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(validate_exit(invalid, failed, unreadable))
}

/// The files `validate` checks: those named, or the built-in questionnaire (`None`).
fn validate_targets(files: &[PathBuf]) -> Vec<Option<&Path>> {
    if files.is_empty() {
        vec![None]
    } else {
        files.iter().map(|p| Some(p.as_path())).collect()
    }
}

/// A questionnaire to validate with the bytes it was read from.
type Target = (Questionnaire, Cow<'static, [u8]>);

/// A questionnaire to validate, under the clinic file if one is given (it is checked against
/// each questionnaire too), or the exit status its problem calls for: a clinic file that does
/// not fit is bad input, like an invalid questionnaire.
fn load_target(
    path: Option<&Path>,
    clinic: Option<&crate::input::Clinic>,
) -> Result<Target, (u8, LoadError)> {
    let (q, bytes) = load_with_bytes(path).map_err(|e| (e.exit_code(), e))?;
    match clinic {
        Some(c) => c
            .apply(&q)
            .map(|q| (q, bytes))
            .map_err(|e| (EXIT_INVALID, e)),
        None => Ok((q, bytes)),
    }
}

/// The exit status of `validate`: any invalid file or failed test case outranks a file that
/// could not be read.
fn validate_exit(invalid: usize, failed: usize, unreadable: usize) -> u8 {
    if invalid > 0 || failed > 0 {
        EXIT_INVALID
    } else if unreadable > 0 {
        EXIT_IO
    } else {
        EXIT_OK
    }
}

fn score(
    q: &Questionnaire,
    answers: &Path,
    format: Option<formats::Format>,
    jsonl: bool,
    staff: bool,
) -> io::Result<u8> {
    let stdin = crate::input::is_stdin(answers);
    let name = crate::input::name_of(answers);
    if jsonl {
        let format = format.unwrap_or(formats::Format::Json);
        let Some(stream) = format.stream(q) else {
            output::note(&format!(
                "error: --jsonl writes one record per line; --format {} does not stream, \
                 leave it out",
                format.name()
            ));
            return Ok(EXIT_INVALID);
        };
        let stream = stream?;
        return if stdin {
            score_jsonl(q, &name, &stream, io::stdin().lock())
        } else {
            match std::fs::File::open(answers) {
                Ok(f) if f.metadata().is_ok_and(|m| m.is_dir()) => {
                    output::note(&format!("error: {}", LoadError::Directory { name }));
                    Ok(EXIT_INVALID)
                }
                Ok(f) => score_jsonl(q, &name, &stream, io::BufReader::with_capacity(1 << 16, f)),
                Err(source) => {
                    output::note(&format!("error: {}", LoadError::Io { name, source }));
                    Ok(EXIT_IO)
                }
            }
        };
    }
    let bytes = crate::input::read(answers, MAX_ANSWERS_BYTES);
    let parsed = bytes.and_then(|b| match String::from_utf8(b) {
        Ok(text) => crate::answers_file::parse_answers_doc(q, &name, &text, &Suggester::new()),
        Err(e) => {
            let ok = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let (line, column) = crate::locate::line_col(&String::from_utf8_lossy(ok), ok.len());
            Err(LoadError::NotUtf8 {
                name: name.clone(),
                line,
                column,
            })
        }
    });
    let answers = match parsed {
        Ok(a) => a,
        Err(e) => {
            let _ = e.write_to(&mut output::stderr(), stderr_color());
            return Ok(e.exit_code());
        }
    };
    let outcome = crate::score(q, &answers);
    let format = format.unwrap_or(formats::Format::Text);
    let report = formats::Report::scored(q, &answers, &outcome, staff);
    if format.escapes_itself() {
        // Buffered: standard output flushes at every newline, and pretty JSON has one per
        // answer (a million answers were a million writes).
        let mut out = BufWriter::new(output::json_stdout());
        format.write(&report, &mut out)?;
        out.flush()?;
    } else {
        let mut out = output::stdout();
        format.write(&report, &mut out)?;
        out.flush()?;
    }
    Ok(EXIT_OK)
}

#[derive(Serialize)]
struct JsonlError<'a> {
    line: usize,
    error: &'a str,
    problems: Vec<JsonlProblem<'a>>,
}

#[derive(Serialize)]
struct JsonlProblem<'a> {
    pointer: &'a str,
    column: usize,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
}

/// Scores one answers object per line of `input`, each written to `records` (a bad line gets
/// an error record).
fn score_jsonl(
    q: &Questionnaire,
    name: &str,
    records: &formats::Stream,
    mut input: impl BufRead,
) -> io::Result<u8> {
    let mut out = BufWriter::with_capacity(1 << 16, output::json_stdout());
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut bad = 0usize;
    // One budget of "did you mean" work for the whole stream, however many lines it has.
    let suggest = Suggester::new();
    loop {
        match crate::lines::read_line(&mut input, &mut buf, MAX_JSONL_LINE)? {
            Line::End => break,
            Line::Read => line_no += 1,
            Line::TooLong => {
                line_no += 1;
                let error = format!("line is too long (more than {MAX_JSONL_LINE} bytes)");
                write_jsonl_error(&mut out, line_no, &error, &[])?;
                bad += 1;
                continue;
            }
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(t) => t.trim_end_matches('\r'),
            Err(_) => {
                write_jsonl_error(&mut out, line_no, "line is not UTF-8 text", &[])?;
                bad += 1;
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match crate::answers_file::parse_answers_doc(q, name, text, &suggest) {
            Ok(answers) => {
                let outcome = crate::score(q, &answers);
                records.write(&mut out, line_no, &answers, &outcome)?;
            }
            Err(LoadError::Invalid { problems, .. }) => {
                bad += 1;
                write_jsonl_error(&mut out, line_no, "invalid answers", &problems)?;
            }
            Err(e) => {
                bad += 1;
                write_jsonl_error(&mut out, line_no, &e.to_string(), &[])?;
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        output::note(&format!(
            "{bad} of {line_no} lines could not be scored (see their error records)"
        ));
    }
    Ok(EXIT_OK)
}

fn write_jsonl_error(
    out: &mut impl Write,
    line: usize,
    error: &str,
    problems: &[crate::diagnostics::Located],
) -> io::Result<()> {
    let rec = JsonlError {
        line,
        error,
        problems: problems
            .iter()
            .map(|p| JsonlProblem {
                pointer: &p.pointer,
                column: p.column,
                message: &p.message,
                help: p.help.as_deref(),
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &rec)?;
    out.write_all(b"\n")
}

/// How to read `shown if` in the text listing. A `show_if` that the answers leave undecided
/// shows the question (`Questionnaire::visibility`): a gate answered "Not sure" opens the
/// follow-ups that "yes" would open, which `= "yes"` alone does not say.
const SHOWN_IF_LEGEND: &str = "A question with \"shown if\" is asked when its condition holds, and also when a \"Not sure\" answer leaves it undecided: a gate answered Not sure opens the follow-ups that yes would open.";

fn questions(q: &Questionnaire, format: Format) -> io::Result<u8> {
    match format {
        Format::Json => {
            let mut out = BufWriter::new(output::json_stdout());
            let list: Vec<serde_json::Value> = q
                .questions()
                .iter()
                .enumerate()
                .map(|(i, question)| {
                    let mut v = serde_json::json!({ "section": q.section_of(i).id });
                    if let (Some(obj), Ok(serde_json::Value::Object(qobj))) =
                        (v.as_object_mut(), serde_json::to_value(question))
                    {
                        obj.extend(qobj);
                    }
                    v
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Format::Text => {
            let mut out = BufWriter::new(output::stdout());
            writeln!(
                out,
                "{} {} ({} questions)",
                q.title(),
                q.version(),
                q.questions().len()
            )?;
            writeln!(out, "{SHOWN_IF_LEGEND}")?;
            for s in q.sections() {
                writeln!(out, "\n## {} [{}]", s.title, s.id)?;
                for i in s.questions.clone() {
                    let question = &q.questions()[i];
                    let mut kind = question.kind.as_str().to_string();
                    if let Some(u) = &question.unit {
                        kind.push_str(&format!(", {u}"));
                    }
                    if question.min.is_some() || question.max.is_some() {
                        let f = |v: Option<f64>| v.map(crate::answers::fmt_num).unwrap_or_default();
                        kind.push_str(&format!(", {}..{}", f(question.min), f(question.max)));
                    }
                    if question.allows_unsure() {
                        kind.push_str(", not sure allowed");
                    }
                    if !question.is_required()
                        && question.kind != crate::model::QuestionType::Display
                    {
                        kind.push_str(", optional");
                    }
                    writeln!(out, "{}  ({kind})", question.id)?;
                    writeln!(out, "    {}", question.text)?;
                    if let Some(st) = &question.staff_text {
                        writeln!(out, "    staff: {st}")?;
                    }
                    for (n, o) in question.options.iter().enumerate() {
                        let ex = if o.exclusive {
                            " (only on its own)"
                        } else {
                            ""
                        };
                        writeln!(out, "    {}. {} = {}{ex}", n + 1, o.code, o.label)?;
                        if let Some(st) = &o.staff_label {
                            writeln!(out, "       staff: {st}")?;
                        }
                    }
                    if let Some(c) = &question.show_if {
                        writeln!(out, "    shown if: {c}")?;
                    }
                }
            }
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

/// The JSON Schema of the questionnaire format, generated from the serde types.
pub fn schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&crate::schema::questionnaire()).unwrap_or_default();
    s.push('\n');
    s
}

/// The JSON Schema of the clinic file, generated from its serde types.
pub fn clinic_schema_json() -> String {
    let mut s = serde_json::to_string_pretty(&crate::schema::clinic()).unwrap_or_default();
    s.push('\n');
    s
}

fn schema(clinic: bool) -> io::Result<u8> {
    let mut out = output::json_stdout();
    let text = if clinic {
        clinic_schema_json()
    } else {
        schema_json()
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}

fn rulebook(q: &Questionnaire, format: DocFormat) -> io::Result<u8> {
    let text = match format {
        DocFormat::Md => crate::rulebook::markdown(q),
        DocFormat::Html => crate::rulebook::html(q),
    };
    // Through the escaping writer like every text output, although the rulebook escapes the
    // questionnaire's text itself.
    let mut out = BufWriter::new(output::stdout());
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// `needlecheck export`: the questionnaire or the outcome levels as FHIR R4 JSON.
fn export(q: &Questionnaire, what: ExportKind, staff: bool) -> io::Result<u8> {
    let doc = match what {
        ExportKind::Fhir => match crate::fhir::questionnaire(q, staff) {
            Ok(doc) => doc,
            Err(e) => {
                output::note(&format!("error: cannot export {}: {e}", q.origin()));
                return Ok(EXIT_INVALID);
            }
        },
        ExportKind::FhirLevels => crate::fhir::levels_code_system(),
    };
    let mut out = BufWriter::new(output::json_stdout());
    serde_json::to_writer_pretty(&mut out, &doc)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// `needlecheck settings`: each setting, what it decides, its default and its effective value;
/// the page the lead practitioner signs.
fn settings(q: &Questionnaire, format: Format) -> io::Result<u8> {
    use crate::settings::{to_json, to_text};
    match format {
        Format::Json => {
            let mut out = BufWriter::new(output::json_stdout());
            let list: Vec<serde_json::Value> = q
                .settings()
                .iter()
                .zip(q.setting_values())
                .map(|(s, v)| {
                    let mut decl = serde_json::to_value(s).unwrap_or_default();
                    if let Some(obj) = decl.as_object_mut() {
                        obj.insert("effective".into(), to_json(s, *v));
                    }
                    decl
                })
                .collect();
            let doc = serde_json::json!({
                "questionnaire": { "id": q.id(), "version": q.version(), "sha256": q.sha256() },
                "clinic": q.clinic().map(|c| serde_json::json!({
                    "name": c.name, "phone": c.phone, "sha256": c.sha256,
                })),
                "settings": list,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Format::Text => {
            let defaults = q.setting_defaults();
            let mut out = BufWriter::new(output::stdout());
            writeln!(out, "Clinic settings of {} {}", q.title(), q.version())?;
            match q.clinic() {
                Some(c) => {
                    let name = c.name.as_deref().unwrap_or("(no name given)");
                    writeln!(out, "Clinic: {name}")?;
                    if let Some(p) = &c.phone {
                        writeln!(out, "Phone: {p}")?;
                    }
                    writeln!(out, "Clinic file: {} (SHA-256 {})", c.origin, c.sha256)?;
                }
                None => writeln!(out, "No clinic file: every setting has its default.")?,
            }
            if q.settings().is_empty() {
                writeln!(out, "\nThis questionnaire declares no settings.")?;
            }
            for ((s, d), v) in q.settings().iter().zip(&defaults).zip(q.setting_values()) {
                writeln!(out, "\n{} [{}]", s.label, s.id)?;
                for line in crate::report::wrap_lines(&s.help, 78, "    ", "    ") {
                    writeln!(out, "{line}")?;
                }
                match s.kind {
                    crate::model::SettingType::Choice => {
                        for o in &s.options {
                            writeln!(out, "    - {}: {}", o.code, o.label)?;
                        }
                    }
                    crate::model::SettingType::Number => {
                        let f = |v: Option<f64>| v.map(crate::answers::fmt_num).unwrap_or_default();
                        writeln!(out, "    allowed: {}..{}", f(s.min), f(s.max))?;
                    }
                    crate::model::SettingType::YesNo => writeln!(out, "    - yes / no")?,
                }
                if !s.sources.is_empty() {
                    writeln!(out, "    sources: {}", s.sources.join(", "))?;
                }
                writeln!(out, "    default:   {}", to_text(s, *d))?;
                let mark = if v == d { "" } else { "   (set by the clinic)" };
                writeln!(out, "    effective: {}{mark}", to_text(s, *v))?;
            }
            writeln!(
                out,
                "\nSigned (lead practitioner): ____________________   Date: ____________"
            )?;
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

fn interactive(q: &Questionnaire, cli: &Cli) -> io::Result<u8> {
    let opts = RunOptions {
        staff: cli.staff,
        subject: cli.subject.clone(),
        save_dir: cli.save_dir.clone(),
        save_formats: save_formats(&cli.save_format),
        color: crate::color::tui(),
    };
    if let Some(dir) = &opts.save_dir
        && let Err(e) = crate::records::check_writable(dir)
    {
        output::note(&format!(
            "error: --save-dir: {e} (give a folder you can write to; create it first)"
        ));
        return Ok(EXIT_INVALID);
    }
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    if cli.plain || dumb || !io::stdin().is_terminal() {
        crate::plain::exit_on_signals()?;
        let mut input = io::stdin().lock();
        let mut prompts = output::stderr();
        let mut advice = output::stdout();
        crate::plain::run(q, &opts, &mut input, &mut prompts, &mut advice)
    } else {
        crate::tui::run(q, &opts)
    }
}
