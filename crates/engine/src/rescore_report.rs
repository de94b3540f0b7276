//! What re-scoring says: each record whose outcome changes or that could not be re-scored,
//! and the summary a clinician reads before approving a new questionnaire version or clinic
//! file ("12 of 4,180 past screenings would now be told to see a doctor first").
//!
//! [`Tally`] adds records up in memory that does not grow with their number (counts by level,
//! by rule and by question of the questionnaire; counts by names that only records give are
//! kept for the first [`MAX_NAMES`] names, the rest counted together). Text goes out through
//! the escaping writer of the front end; the JSON forms are for tools.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::model::Level;
use crate::questionnaire::Questionnaire;
use crate::report::level_words;
use crate::rescore::{Problem, Rescored};
use crate::suggest::clip;

/// Most distinct names (rule or question ids that the questionnaire does not have, versions)
/// counted one by one; others are counted together.
pub const MAX_NAMES: usize = 200;

/// Most names listed on one line of the text summary.
const MAX_LISTED: usize = 20;

/// Counts by name, for the first [`MAX_NAMES`] names.
#[derive(Debug, Clone, Default)]
struct Named {
    counts: BTreeMap<String, u64>,
    others: u64,
}

impl Named {
    fn add(&mut self, name: &str) {
        if let Some(n) = self.counts.get_mut(name) {
            *n += 1;
        } else if self.counts.len() < MAX_NAMES {
            self.counts.insert(name.to_string(), 1);
        } else {
            self.others += 1;
        }
    }

    /// Most first, then by name.
    fn sorted(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> =
            (self.counts.iter()).map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    fn to_json(&self) -> Value {
        let mut m: serde_json::Map<String, Value> = (self.sorted().into_iter())
            .map(|(k, n)| (k, n.into()))
            .collect();
        if self.others > 0 {
            m.insert("(others)".into(), self.others.into());
        }
        Value::Object(m)
    }
}

/// The problem kinds, in the order they are counted.
const PROBLEMS: [&str; 4] = [
    "not_json",
    "not_a_record",
    "other_questionnaire",
    "hash_mismatch",
];

/// Everything the summary says, added up one record at a time.
#[derive(Debug, Clone)]
pub struct Tally {
    rescored: u64,
    /// `[then][now]`, in [`Level::ALL`] order.
    outcomes: [[u64; 7]; 7],
    problems: [u64; 4],
    unreadable_sources: u64,
    /// In records whose outcome changed: rules firing now and not then, and the reverse.
    newly_fired: Named,
    no_longer_fired: Named,
    /// In every re-scored record, by question id.
    no_longer_asked: Named,
    not_shown_now: Named,
    unreadable: Named,
    unanswered_now: Named,
    settings_changed: Named,
    versions: Named,
}

impl Default for Tally {
    fn default() -> Self {
        Self::new()
    }
}

impl Tally {
    pub fn new() -> Self {
        Tally {
            rescored: 0,
            outcomes: [[0; 7]; 7],
            problems: [0; 4],
            unreadable_sources: 0,
            newly_fired: Named::default(),
            no_longer_fired: Named::default(),
            no_longer_asked: Named::default(),
            not_shown_now: Named::default(),
            unreadable: Named::default(),
            unanswered_now: Named::default(),
            settings_changed: Named::default(),
            versions: Named::default(),
        }
    }

    /// Counts a re-scored record.
    pub fn add(&mut self, r: &Rescored) {
        self.rescored += 1;
        self.outcomes[r.then as usize][r.now as usize] += 1;
        self.versions.add(&r.version_then);
        if r.changed() {
            r.newly_fired
                .iter()
                .for_each(|f| self.newly_fired.add(&f.rule));
            (r.no_longer_fired.iter()).for_each(|f| self.no_longer_fired.add(&f.rule));
        }
        r.no_longer_asked
            .iter()
            .for_each(|q| self.no_longer_asked.add(q));
        r.not_shown_now
            .iter()
            .for_each(|q| self.not_shown_now.add(q));
        r.unreadable
            .iter()
            .for_each(|u| self.unreadable.add(&u.question));
        r.unanswered_now
            .iter()
            .for_each(|q| self.unanswered_now.add(q));
        (r.settings_changed.iter()).for_each(|s| self.settings_changed.add(&s.setting));
    }

    /// Counts a record that could not be re-scored.
    pub fn add_problem(&mut self, p: &Problem) {
        if let Some(i) = PROBLEMS.iter().position(|k| *k == p.kind()) {
            self.problems[i] += 1;
        }
    }

    /// Counts a file or folder that could not be read.
    pub fn add_unreadable_source(&mut self) {
        self.unreadable_sources += 1;
    }

    /// Records re-scored.
    pub fn rescored(&self) -> u64 {
        self.rescored
    }

    /// Records that could not be re-scored.
    pub fn problems(&self) -> u64 {
        self.problems.iter().sum()
    }

    /// Files or folders that could not be read.
    pub fn unreadable_sources(&self) -> u64 {
        self.unreadable_sources
    }

    /// Re-scored records whose outcome changed.
    pub fn changed(&self) -> u64 {
        self.transitions().iter().map(|(_, _, n)| n).sum()
    }

    /// `(then, now, count)` for every change of outcome that occurred.
    fn transitions(&self) -> Vec<(Level, Level, u64)> {
        let mut v = Vec::new();
        for then in Level::ALL {
            for now in Level::ALL {
                let n = self.outcomes[then as usize][now as usize];
                if then != now && n > 0 {
                    v.push((then, now, n));
                }
            }
        }
        v
    }
}

/// A count with thousands separated: `4,180`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `"a 3, b 1"`: names with their counts, most first, at most [`MAX_LISTED`].
fn listed(named: &Named) -> String {
    let sorted = named.sorted();
    let mut parts: Vec<String> = (sorted.iter().take(MAX_LISTED))
        .map(|(k, n)| format!("{} {}", clip(k), thousands(*n)))
        .collect();
    let more = sorted.len().saturating_sub(MAX_LISTED) as u64 + u64::from(named.others > 0);
    if more > 0 {
        parts.push(format!("and {more} more"));
    }
    parts.join(", ")
}

/// `"x (level), y (level)"`.
fn fired_list(list: &[crate::rescore::Fired]) -> String {
    (list.iter())
        .map(|f| format!("{} ({})", f.rule, level_words(f.level)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes one re-scored record whose outcome changed, as text: where it is, who and when as
/// the record says, the outcome then and now, and why.
pub fn write_record_text(
    out: &mut dyn Write,
    q: &Questionnaire,
    source: &str,
    r: &Rescored,
) -> io::Result<()> {
    let mut who = Vec::new();
    if let Some(s) = &r.subject {
        who.push(format!("patient {}", crate::printable::escape_line(s)));
    }
    if let Some(e) = &r.ended_at {
        who.push(format!("ended {}", crate::printable::escape_line(e)));
    }
    who.push(format!(
        "version {}",
        crate::printable::escape_line(&r.version_then)
    ));
    writeln!(
        out,
        "{}: {} -> {} ({})",
        crate::printable::escape_line(source),
        level_words(r.then),
        level_words(r.now),
        who.join(", ")
    )?;
    let v = q.version();
    let mut line = |label: &str, items: String| -> io::Result<()> {
        match items.is_empty() {
            true => Ok(()),
            false => writeln!(out, "  {label}: {items}"),
        }
    };
    line("fires now, not then", fired_list(&r.newly_fired))?;
    line("fired then, not now", fired_list(&r.no_longer_fired))?;
    let relevelled: Vec<String> = (r.level_changed.iter())
        .map(|c| {
            format!(
                "{} ({} -> {})",
                c.rule,
                level_words(c.then),
                level_words(c.now)
            )
        })
        .collect();
    line("fires at another level", relevelled.join(", "))?;
    line(
        &format!("answers to questions {v} no longer has"),
        r.no_longer_asked.join(", "),
    )?;
    line(
        "answers to questions not asked now",
        r.not_shown_now.join(", "),
    )?;
    let unreadable: Vec<&str> = r.unreadable.iter().map(|u| u.message.as_str()).collect();
    line(&format!("answers {v} cannot read"), unreadable.join("; "))?;
    if !r.unanswered_now.is_empty() {
        line(
            "required now, without a usable answer (nothing guessed: ask the person)",
            r.unanswered_now.join(", "),
        )?;
    }
    let settings: Vec<String> = (r.settings_changed.iter())
        .map(|s| format!("{} ({} -> {})", s.setting, s.then, s.now))
        .collect();
    line("settings now different", settings.join(", "))
}

/// Writes a record that could not be re-scored, as text.
pub fn write_problem_text(
    out: &mut dyn Write,
    q: &Questionnaire,
    source: &str,
    p: &Problem,
) -> io::Result<()> {
    writeln!(
        out,
        "{}: NOT RE-SCORED: {}",
        crate::printable::escape_line(source),
        crate::printable::escape_line(&p.message(q))
    )
}

/// The JSON line of a re-scored record (`"kind": "rescored"`).
pub fn record_json(source: &str, r: &Rescored) -> Value {
    #[derive(Serialize)]
    struct Line<'a> {
        kind: &'static str,
        source: &'a str,
        changed: bool,
        #[serde(flatten)]
        record: &'a Rescored,
    }
    serde_json::to_value(Line {
        kind: "rescored",
        source,
        changed: r.changed(),
        record: r,
    })
    .unwrap_or(Value::Null)
}

/// The JSON line of a record that could not be re-scored (`"kind": "problem"`).
pub fn problem_json(q: &Questionnaire, source: &str, p: &Problem) -> Value {
    json!({ "kind": "problem", "source": source, "problem": p.kind(), "message": p.message(q) })
}

impl Tally {
    /// The summary as text: the headline per outcome now, the table of outcomes then and
    /// now, the rules behind the changes, the questions that changed, and what could not be
    /// re-scored.
    pub fn write_text(&self, out: &mut dyn Write, q: &Questionnaire) -> io::Result<()> {
        writeln!(out, "\nSUMMARY")?;
        let under = match q.clinic() {
            Some(c) => format!(
                "clinic file of {} (SHA-256 {})",
                c.name.as_deref().unwrap_or("a clinic with no name"),
                c.sha256
            ),
            None => "the default settings".to_string(),
        };
        writeln!(
            out,
            "Re-scored under {} {} (SHA-256 {}), with {under}.",
            q.title(),
            q.version(),
            q.sha256()
        )?;
        let total = thousands(self.rescored);
        writeln!(
            out,
            "{} of {total} past screenings would now get another outcome.",
            thousands(self.changed())
        )?;
        for now in Level::ALL.into_iter().rev() {
            self.write_headline(out, q, now, &total)?;
        }
        self.write_table(out)?;
        self.write_reasons(out, q)?;
        self.write_problems(out)
    }

    /// `12 of 4,180 past screenings would now be told "See your GP first" (see a doctor),
    /// instead of: review 10, clear 2.`
    fn write_headline(
        &self,
        out: &mut dyn Write,
        q: &Questionnaire,
        now: Level,
        total: &str,
    ) -> io::Result<()> {
        let from: Vec<(Level, u64)> = (self.transitions().into_iter())
            .filter(|(_, n, _)| *n == now)
            .map(|(then, _, count)| (then, count))
            .collect();
        let n: u64 = from.iter().map(|(_, c)| c).sum();
        if n == 0 {
            return Ok(());
        }
        let instead: Vec<String> = (from.iter().rev())
            .map(|(then, c)| format!("{} {}", level_words(*then), thousands(*c)))
            .collect();
        let label = &q.advice().for_level(now).label;
        writeln!(
            out,
            "  {} of {total} would now be told \"{label}\" ({}), instead of: {}.",
            thousands(n),
            level_words(now),
            instead.join(", ")
        )?;
        if now == Level::Incomplete {
            writeln!(
                out,
                "    Incomplete: a question this version requires has no answer in the record \
                 (or one it cannot read). Nothing is guessed: the person must be asked again."
            )?;
        }
        Ok(())
    }

    /// The outcomes then (rows) and now (columns).
    fn write_table(&self, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "\nOutcome then (rows) and now (columns):")?;
        let width = |l: Level| level_words(l).len().max(6);
        write!(out, "{:>14}", "then \\ now")?;
        for l in Level::ALL {
            write!(out, "  {:>w$}", level_words(l), w = width(l))?;
        }
        writeln!(out)?;
        for then in Level::ALL {
            write!(out, "{:>14}", level_words(then))?;
            for now in Level::ALL {
                let n = thousands(self.outcomes[then as usize][now as usize]);
                write!(out, "  {n:>w$}", w = width(now))?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn write_reasons(&self, out: &mut dyn Write, q: &Questionnaire) -> io::Result<()> {
        let v = q.version();
        let lines = [
            (
                "Rules behind the changes: fire now, not then",
                &self.newly_fired,
            ),
            (
                "Rules behind the changes: fired then, not now",
                &self.no_longer_fired,
            ),
            (
                &format!("Answers to questions {v} no longer has (records)") as &str,
                &self.no_longer_asked,
            ),
            (
                "Answers to questions not asked now (records)",
                &self.not_shown_now,
            ),
            (
                &format!("Answers {v} cannot read (records)"),
                &self.unreadable,
            ),
            (
                "Required questions without a usable answer (records)",
                &self.unanswered_now,
            ),
            ("Settings different now (records)", &self.settings_changed),
            ("Versions of the records re-scored", &self.versions),
        ];
        writeln!(out)?;
        for (label, named) in lines {
            if !named.counts.is_empty() {
                writeln!(out, "{label}: {}.", listed(named))?;
            }
        }
        Ok(())
    }

    fn write_problems(&self, out: &mut dyn Write) -> io::Result<()> {
        let n = self.problems();
        if n == 0 && self.unreadable_sources == 0 {
            return writeln!(out, "Every record read was re-scored.");
        }
        let words = [
            "not JSON",
            "not a record",
            "another questionnaire",
            "SHA-256 mismatch",
        ];
        let kinds: Vec<String> = (words.iter().zip(self.problems))
            .filter(|(_, c)| *c > 0)
            .map(|(w, c)| format!("{w} {}", thousands(c)))
            .collect();
        if n > 0 {
            writeln!(
                out,
                "NOT RE-SCORED: {} records ({}), listed above.",
                thousands(n),
                kinds.join(", ")
            )?;
        }
        if self.unreadable_sources > 0 {
            writeln!(
                out,
                "NOT READ: {} files or folders (see the errors).",
                thousands(self.unreadable_sources)
            )?;
        }
        Ok(())
    }

    /// The summary as JSON (`"kind": "summary"`).
    pub fn to_json(&self, q: &Questionnaire) -> Value {
        let transitions: Vec<Value> = (self.transitions().into_iter())
            .map(|(then, now, count)| json!({ "then": then, "now": now, "count": count }))
            .collect();
        let unchanged: serde_json::Map<String, Value> = (Level::ALL.into_iter())
            .map(|l| {
                (
                    l.as_str().to_string(),
                    self.outcomes[l as usize][l as usize].into(),
                )
            })
            .collect();
        let problems: serde_json::Map<String, Value> = (PROBLEMS.iter().zip(self.problems))
            .map(|(k, c)| (k.to_string(), c.into()))
            .collect();
        json!({
            "kind": "summary",
            "questionnaire": { "id": q.id(), "version": q.version(), "sha256": q.sha256() },
            "clinic": q.clinic().map(|c| json!({ "name": c.name, "sha256": c.sha256 })),
            "rescored": self.rescored,
            "changed": self.changed(),
            "not_rescored": self.problems(),
            "unreadable_sources": self.unreadable_sources,
            "transitions": transitions,
            "unchanged": unchanged,
            "problems": problems,
            "newly_fired": self.newly_fired.to_json(),
            "no_longer_fired": self.no_longer_fired.to_json(),
            "no_longer_asked": self.no_longer_asked.to_json(),
            "not_shown_now": self.not_shown_now.to_json(),
            "unreadable": self.unreadable.to_json(),
            "unanswered_now": self.unanswered_now.to_json(),
            "settings_changed": self.settings_changed.to_json(),
            "versions": self.versions.to_json(),
        })
    }
}
