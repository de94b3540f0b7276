//! Hostile inputs: one generator for each shape of input that once cost far more than its size
//! in time or memory (deep nesting, over-long lines, many unknown references, huge option
//! lists, huge ids). Every input up to 64 MiB must be accepted or rejected in linear time and
//! in a bounded multiple of its size in memory.
//!
//! Shared by `tests/bounds.rs` (memory and problem-count caps at sizes that failed before) and
//! `benches/bounds.rs` (times at 64 MiB), included with `#[path]`. Deterministic: the same size
//! gives the same bytes.

#![allow(dead_code)]

use std::fmt::Write;

/// What the input is given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `validate FILE`.
    Validate,
    /// `score --answers FILE` (with `-q` the case's questionnaire).
    Score,
    /// `score --jsonl --answers FILE`.
    Jsonl,
    /// A screening in plain mode, the input on standard input.
    Plain,
}

/// One hostile input.
pub struct Case {
    pub name: &'static str,
    pub target: Target,
    /// The questionnaire to use with `-q` (for `Score`, `Jsonl` and `Plain`), if not the
    /// built-in one.
    pub questionnaire: Option<String>,
    /// The input itself: a questionnaire for `Validate`, else answers or typed lines.
    pub input: Vec<u8>,
    /// A file to read instead of `input`, such as `/dev/zero` (an input without end).
    pub device: Option<&'static str>,
    /// Whether the input is valid (a questionnaire or answers to accept, exit status 0).
    pub valid: bool,
}

impl Case {
    /// The exit status the tool must give: 0 for valid input and for streams (where a bad line
    /// gets an error record), else 2.
    pub fn expected_exit(&self) -> i32 {
        match self.target {
            Target::Jsonl | Target::Plain => 0,
            _ if self.valid => 0,
            _ => 2,
        }
    }
}

impl Case {
    /// Size of everything the case reads.
    pub fn size(&self) -> usize {
        self.input.len() + self.questionnaire.as_ref().map_or(0, String::len)
    }
}

/// The generator of every case; each makes its case at about `size` bytes (one at a time,
/// so that a run over all of them at 64 MiB holds one in memory).
pub const GENERATORS: [fn(usize) -> Case; 13] = [
    deep_siblings,
    deep_past_limit,
    deep_answers,
    unknown_references,
    one_of_every_code,
    unknown_codes_in_many_rules,
    many_problems,
    unknown_expected_rules,
    huge_unknown_answer_id,
    many_unknown_answer_ids,
    multi_choice_every_code,
    long_jsonl_line,
    long_plain_line,
];

/// Largest questionnaire the tool reads (a larger one is refused unread, as too large).
pub const QUESTIONNAIRE_LIMIT: usize = 64 << 20;

/// The case of `generate` at about `size` bytes, made smaller where a questionnaire it is given
/// to `validate` would be over [`QUESTIONNAIRE_LIMIT`] (the generators overshoot a little), so
/// that the pattern itself is read. Answers files are not made smaller: over their own limit
/// (16 MiB) they are refused as too large, which is their answer.
pub fn at_most(generate: fn(usize) -> Case, size: usize) -> Case {
    let mut size = size;
    loop {
        let case = generate(size);
        if case.target != Target::Validate || case.input.len() <= QUESTIONNAIRE_LIMIT {
            return case;
        }
        size -= size / 32;
    }
}

/// A questionnaire of one section holding `questions` (JSON objects, comma-separated), with
/// `rules` and `tests` (also comma-separated JSON).
pub fn questionnaire(questions: &str, rules: &str, tests: &str) -> String {
    let advice: Vec<String> = [
        "clear",
        "review",
        "incomplete",
        "not_suitable",
        "see_doctor",
        "urgent",
        "emergency",
    ]
    .iter()
    .map(|l| format!(r#""{l}": {{"label": "L", "summary": "S", "next_steps": ["N"]}}"#))
    .collect();
    format!(
        r#"{{"id": "hostile", "version": "1.0.0", "title": "T", "locale": "en-AU",
"introduction": "I", "disclaimer": "D", "contacts": [], "advice": {{{}}}, "aftercare": [],
"sources": [], "sections": [{{"id": "s", "title": "S", "questions": [
{{"id": "gate", "type": "yes_no", "text": "Gate?"}}{}{questions}]}}],
"rules": [{rules}], "tests": [{tests}]}}"#,
        advice.join(", "),
        if questions.is_empty() { "" } else { ", " },
    )
}

/// `n` yes/no questions `q0`, `q1`, … (comma-separated).
fn yes_no_questions(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            s,
            r#"{sep}{{"id": "q{i}", "type": "yes_no", "text": "Q{i}?"}}"#
        );
    }
    s
}

/// A choice question `pick` with `k` options `c0`, `c1`, ….
fn choice_question(kind: &str, k: usize) -> String {
    let mut s = format!(r#"{{"id": "pick", "type": "{kind}", "text": "Pick", "options": ["#);
    for i in 0..k {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(s, r#"{sep}{{"code": "c{i}", "label": "C{i}"}}"#);
    }
    s.push_str("]}");
    s
}

/// Repeats `item` (comma-separated) until about `size` bytes.
fn repeat_to(size: usize, item: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < size {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&item(i));
        i += 1;
    }
    s
}

/// Many values nested 120 deep (within the parser's limit) under an unknown field: the error
/// locator used to write a JSON pointer for every one of them.
pub fn deep_siblings(size: usize) -> Case {
    let nest = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let input = format!(r#"{{"stray": [{}]}}"#, repeat_to(size, |_| nest.clone()));
    Case {
        name: "deep_siblings",
        target: Target::Validate,
        questionnaire: None,
        input: input.into_bytes(),
        device: None,
        valid: false,
    }
}

/// Brackets opened `size` deep: rejected at the nesting limit.
pub fn deep_past_limit(size: usize) -> Case {
    Case {
        name: "deep_past_limit",
        target: Target::Validate,
        questionnaire: None,
        input: format!(r#"{{"stray": {}"#, "[".repeat(size)).into_bytes(),
        device: None,
        valid: false,
    }
}

/// An answers file whose one answer is deeply nested lists, many times over.
pub fn deep_answers(size: usize) -> Case {
    let nest = format!("{}{}", "[".repeat(120), "]".repeat(120));
    let input = format!(
        r#"{{"answers": {{"gate": [{}]}}}}"#,
        repeat_to(size, |_| nest.clone())
    );
    Case {
        name: "deep_answers",
        target: Target::Score,
        questionnaire: Some(questionnaire("", "", "")),
        input: input.into_bytes(),
        device: None,
        valid: false,
    }
}

/// Rules that each refer to a question that does not exist, among as many questions: every
/// unknown id used to be compared with every id for a "did you mean".
pub fn unknown_references(size: usize) -> Case {
    let n = size / 110;
    let rules = repeat_to(size / 2, |i| {
        format!(
            r#"{{"id": "r{i}", "level": "review", "when": {{"q": "x{i}", "equals": "yes"}}, "message": "M"}}"#
        )
    });
    Case {
        name: "unknown_references",
        target: Target::Validate,
        questionnaire: None,
        input: questionnaire(&yes_no_questions(n), &rules, "").into_bytes(),
        device: None,
        valid: false,
    }
}

/// A valid questionnaire: a rule whose `one_of` lists every code of a huge single choice, and
/// an `all` of two such lists on the same question.
pub fn one_of_every_code(size: usize) -> Case {
    let k = size / 60;
    let codes: Vec<String> = (0..k).map(|i| format!("\"c{i}\"")).collect();
    let codes = codes.join(", ");
    let rules = format!(
        r#"{{"id": "r", "level": "review", "when": {{"all": [{{"q": "pick", "one_of": [{codes}]}}, {{"q": "pick", "one_of": [{codes}]}}]}}, "message": "M"}}"#
    );
    Case {
        name: "one_of_every_code",
        target: Target::Validate,
        questionnaire: None,
        // A test case fires the rule: `validate` fails on a rule that none fires.
        input: questionnaire(
            &choice_question("single_choice", k),
            &rules,
            r#"{"name": "t", "answers": {"gate": "no", "pick": "c0"}, "expect": "review"}"#,
        )
        .into_bytes(),
        device: None,
        valid: true,
    }
}

/// A huge single choice and as many rules, each naming a code it does not have: every problem
/// used to carry the whole list of codes, and to compare its code with all of them.
pub fn unknown_codes_in_many_rules(size: usize) -> Case {
    let k = size / 130;
    let rules = repeat_to(size / 2, |i| {
        format!(
            r#"{{"id": "r{i}", "level": "review", "when": {{"q": "pick", "equals": "x{i}"}}, "message": "M"}}"#
        )
    });
    Case {
        name: "unknown_codes_in_many_rules",
        target: Target::Validate,
        questionnaire: None,
        input: questionnaire(&choice_question("single_choice", k), &rules, "").into_bytes(),
        device: None,
        valid: false,
    }
}

/// Questions that are each wrong in a small way: one problem per question.
pub fn many_problems(size: usize) -> Case {
    let questions = repeat_to(size, |i| {
        format!(r#"{{"id": "q{i}", "type": "yes_no", "text": "Q?", "unit": "kg"}}"#)
    });
    Case {
        name: "many_problems",
        target: Target::Validate,
        questionnaire: None,
        input: questionnaire(&questions, "", "").into_bytes(),
        device: None,
        valid: false,
    }
}

/// A test case expecting many rules that do not exist, among many rules.
pub fn unknown_expected_rules(size: usize) -> Case {
    let n = size / 200;
    let rules = repeat_to(size / 2, |i| {
        format!(
            r#"{{"id": "r{i}", "level": "review", "when": {{"q": "gate", "equals": "yes"}}, "message": "M"}}"#
        )
    });
    let expected: Vec<String> = (0..n).map(|i| format!("\"x{i}\"")).collect();
    let tests = format!(
        r#"{{"name": "t", "answers": {{"gate": "yes"}}, "expect": "review", "expect_rules": [{}]}}"#,
        expected.join(", ")
    );
    Case {
        name: "unknown_expected_rules",
        target: Target::Validate,
        questionnaire: None,
        input: questionnaire("", &rules, &tests).into_bytes(),
        device: None,
        valid: false,
    }
}

/// An answers file with one unknown question id of `size` bytes.
pub fn huge_unknown_answer_id(size: usize) -> Case {
    let input = format!(r#"{{"answers": {{"{}": "yes"}}}}"#, "g".repeat(size));
    Case {
        name: "huge_unknown_answer_id",
        target: Target::Score,
        questionnaire: Some(questionnaire(&yes_no_questions(1_000), "", "")),
        input: input.into_bytes(),
        device: None,
        valid: false,
    }
}

/// Many unknown answer ids against a questionnaire of many questions.
pub fn many_unknown_answer_ids(size: usize) -> Case {
    let ids = repeat_to(size / 2, |i| format!(r#""x{i}": "yes""#));
    Case {
        name: "many_unknown_answer_ids",
        target: Target::Score,
        questionnaire: Some(questionnaire(&yes_no_questions(size / 90), "", "")),
        input: format!(r#"{{"answers": {{{ids}}}}}"#).into_bytes(),
        device: None,
        valid: false,
    }
}

/// A multiple choice answered with every one of its many codes.
pub fn multi_choice_every_code(size: usize) -> Case {
    let k = size / 60;
    let codes: Vec<String> = (0..k).map(|i| format!("\"c{i}\"")).collect();
    Case {
        name: "multi_choice_every_code",
        target: Target::Score,
        questionnaire: Some(questionnaire(&choice_question("multi_choice", k), "", "")),
        input: format!(
            r#"{{"answers": {{"gate": "no", "pick": [{}]}}}}"#,
            codes.join(", ")
        )
        .into_bytes(),
        device: None,
        valid: true,
    }
}

/// A JSONL stream whose first line is `size` bytes long; the next line is valid.
pub fn long_jsonl_line(size: usize) -> Case {
    let mut input = format!(r#"{{"answers": {{"gate": "{}"#, "y".repeat(size)).into_bytes();
    input.extend_from_slice(b"\"}}\n{\"answers\": {\"gate\": \"no\"}}\n");
    Case {
        name: "long_jsonl_line",
        target: Target::Jsonl,
        questionnaire: Some(questionnaire("", "", "")),
        input,
        device: None,
        valid: false,
    }
}

/// A plain-mode screening whose first typed line is `size` bytes long; then a valid answer.
pub fn long_plain_line(size: usize) -> Case {
    let mut input = "y".repeat(size).into_bytes();
    input.extend_from_slice(b"\nn\n");
    Case {
        name: "long_plain_line",
        target: Target::Plain,
        questionnaire: Some(questionnaire("", "", "")),
        input,
        device: None,
        valid: false,
    }
}

/// What one run of the tool on a case cost.
#[derive(Debug)]
pub struct Measured {
    /// Exit status, or `None` if the run was killed for taking longer than its time limit or
    /// died by a signal (as when an allocation fails under a memory limit).
    pub status: Option<i32>,
    pub wall: std::time::Duration,
    /// Peak resident memory (`VmHWM`), sampled every few milliseconds while the tool runs.
    pub peak_bytes: u64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Whether it was still running at the time limit (and killed then).
    pub killed: bool,
}

/// Writes a case's files to `dir` and runs `exe` on them, killing it after `time`. With
/// `data_limit`, the tool may not allocate more than that many bytes (`RLIMIT_DATA`): going
/// over ends it (`status` is `None`) instead of only showing in `peak_bytes`.
pub fn run(
    exe: &std::path::Path,
    case: &Case,
    dir: &std::path::Path,
    time: std::time::Duration,
    data_limit: Option<u64>,
) -> std::io::Result<Measured> {
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};
    let input = match case.device {
        Some(device) => std::path::PathBuf::from(device),
        None => {
            let path = dir.join(format!("{}.in", case.name));
            std::fs::write(&path, &case.input)?;
            path
        }
    };
    let mut cmd = Command::new(exe);
    if let Some(q) = &case.questionnaire {
        let path = dir.join(format!("{}.q.json", case.name));
        std::fs::write(&path, q)?;
        cmd.arg("-q").arg(path);
    }
    match case.target {
        Target::Validate => {
            cmd.arg("validate").arg(&input);
        }
        Target::Score => {
            cmd.args(["score", "--format", "json", "--answers"])
                .arg(&input);
        }
        Target::Jsonl => {
            cmd.args(["score", "--jsonl", "--answers"]).arg(&input);
        }
        Target::Plain => {
            cmd.arg("--plain");
        }
    }
    let stdin = match case.target {
        Target::Plain => Stdio::from(std::fs::File::open(&input)?),
        _ => Stdio::null(),
    };
    let (out, err) = (dir.join("stdout"), dir.join("stderr"));
    cmd.stdin(stdin)
        .stdout(std::fs::File::create(&out)?)
        .stderr(std::fs::File::create(&err)?)
        .env("NO_COLOR", "1")
        .env_remove("TERM");
    if let Some(limit) = data_limit {
        let rl = libc::rlimit {
            rlim_cur: limit as libc::rlim_t,
            rlim_max: limit as libc::rlim_t,
        };
        // SAFETY: setrlimit is async-signal-safe and `rl` is a plain value copied in.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setrlimit(libc::RLIMIT_DATA, &rl) == 0 {
                    Ok(())
                } else {
                    Err(std::io::Error::last_os_error())
                }
            });
        }
    }
    let start = std::time::Instant::now();
    let mut child = cmd.spawn()?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let mut killed = false;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_path)
            && let Some(kb) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kb = peak_kb.max(kb);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if start.elapsed() > time && !killed {
            child.kill()?;
            killed = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    Ok(Measured {
        status: status.code(),
        wall: start.elapsed(),
        peak_bytes: peak_kb * 1024,
        stdout: std::fs::read(&out)?,
        stderr: std::fs::read(&err)?,
        killed,
    })
}
