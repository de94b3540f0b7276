//! Re-scoring stored records under another questionnaire version or clinic file.
//!
//! A saved record (`--save-dir`, `score --format json`, a line of `score --jsonl`) keeps the
//! answers that were used, the questionnaire it was made with (id, version, SHA-256), its
//! outcome and the rules that fired. [`Rescorer::rescore`] reads one such record, scores its
//! answers under the questionnaire it was made for, and says what changes: the outcome then
//! and now, the rules that fire now and did not then (and the reverse), answers to questions
//! the questionnaire no longer has or no longer shows, answers it can no longer read, and
//! required questions the record never answered. Those make the outcome `incomplete`, as in
//! any screening: nothing is guessed for them.
//!
//! Bad input is a [`Problem`] of that record, never a silent skip: text that is not JSON, JSON
//! that is not a record, a record of another questionnaire, and a record whose questionnaire
//! SHA-256 does not match the one its version is known by ([`Rescorer::know`], the
//! questionnaire re-scored against, or else the first record seen of that version). Problems
//! never quote an answer. [`crate::rescore_report`] adds the records up and writes them.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::answers::{self, Answers};
use crate::model::Level;
use crate::questionnaire::Questionnaire;
use crate::suggest::clip;

/// Most questionnaire versions whose SHA-256 is remembered from the records themselves.
const MAX_PINS: usize = 64;

/// Re-scores records under one questionnaire (with its clinic settings).
#[derive(Debug)]
pub struct Rescorer<'q> {
    q: &'q Questionnaire,
    pins: Vec<Pin>,
    /// The questionnaire's effective settings, as records write them.
    settings: Map<String, Value>,
}

/// What a questionnaire version's SHA-256 is known from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinSource {
    /// The questionnaire records are re-scored against.
    Against,
    /// A questionnaire file given as an earlier version (its name).
    Known(String),
    /// The first record seen that named this version (where it was).
    FirstRecord(String),
}

#[derive(Debug, Clone)]
struct Pin {
    version: String,
    sha256: String,
    source: PinSource,
}

/// Why a record could not be re-scored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not JSON (or not UTF-8): where the text stops being JSON, if known.
    NotJson { line: usize, column: usize },
    /// JSON, but not a needlecheck record: what is missing or wrong (never a value).
    NotRecord(String),
    /// A record of another questionnaire.
    OtherQuestionnaire { id: String },
    /// The record's questionnaire SHA-256 is not the one its version is known by, or is the
    /// one of another version.
    HashMismatch(Box<Mismatch>),
}

/// A record's questionnaire version and SHA-256 that disagree with what is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The version the record names, and the SHA-256 it gives.
    pub version: String,
    pub stated: String,
    /// The version and SHA-256 known that disagree with it, and what they are known from.
    pub pinned_version: String,
    pub pinned_sha256: String,
    pub source: PinSource,
}

impl Problem {
    /// A short name for the kind of problem (the `problem` member of the JSON form).
    pub fn kind(&self) -> &'static str {
        match self {
            Problem::NotJson { .. } => "not_json",
            Problem::NotRecord(_) => "not_a_record",
            Problem::OtherQuestionnaire { .. } => "other_questionnaire",
            Problem::HashMismatch(_) => "hash_mismatch",
        }
    }

    /// The problem in words, with what to do. Text from the record is quoted as it is (the
    /// writer escapes it); no answer is ever quoted.
    pub fn message(&self, q: &Questionnaire) -> String {
        match self {
            Problem::NotJson { line, column } => format!(
                "not valid JSON (line {line}, column {column} of the record); the record is \
                 damaged: restore it from a backup"
            ),
            Problem::NotRecord(what) => format!(
                "not a needlecheck record ({what}); give saved records or `score --format json` \
                 output"
            ),
            Problem::OtherQuestionnaire { id } => format!(
                "a record of questionnaire `{}`, not `{}`: re-score it against its own \
                 questionnaire",
                clip(id),
                q.id()
            ),
            Problem::HashMismatch(m) => {
                let Mismatch {
                    version,
                    stated,
                    pinned_version,
                    pinned_sha256,
                    source,
                } = m.as_ref();
                let by = match source {
                    PinSource::Against => "the questionnaire re-scored against".to_string(),
                    PinSource::Known(name) => name.clone(),
                    PinSource::FirstRecord(at) => format!("the first record of it ({at})"),
                };
                let (version, stated) = (clip(version), clip(stated));
                let known = if pinned_version == version.as_ref() {
                    format!("version {version} has SHA-256 {pinned_sha256} by {by}")
                } else {
                    format!("that SHA-256 is version {} by {by}", clip(pinned_version))
                };
                format!(
                    "the record names version {version} with SHA-256 {stated}, but {known}: it \
                     was not made with that version as released, so what it was scored under \
                     is unknown"
                )
            }
        }
    }
}

/// A rule that fired, by id, with its level.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fired {
    pub rule: String,
    pub level: Level,
}

/// A rule that fired then and now at another level.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Relevelled {
    pub rule: String,
    pub then: Level,
    pub now: Level,
}

/// A stored answer the questionnaire can no longer read, and why (never the answer).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unreadable {
    pub question: String,
    pub message: String,
}

/// A clinic setting with another effective value now than when the record was made.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SettingChange {
    pub setting: String,
    pub then: Value,
    pub now: Value,
}

/// One record re-scored: what it said then and what it says now.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rescored {
    /// The patient identifier as the record has it.
    pub subject: Option<String>,
    /// When the screening ended, as the record has it.
    pub ended_at: Option<String>,
    /// How the screening ended, as the record has it.
    pub status: Option<String>,
    /// The questionnaire version the record was made with.
    pub version_then: String,
    pub then: Level,
    pub now: Level,
    /// Every rule that fires now, highest level first.
    pub fired_now: Vec<Fired>,
    /// Rules that fire now and did not then.
    pub newly_fired: Vec<Fired>,
    /// Rules that fired then and do not now (with their level then).
    pub no_longer_fired: Vec<Fired>,
    /// Rules that fire both times, at another level.
    pub level_changed: Vec<Relevelled>,
    /// Answered questions this questionnaire no longer has.
    pub no_longer_asked: Vec<String>,
    /// Answered questions this questionnaire has but does not show for these answers.
    pub not_shown_now: Vec<String>,
    /// Answers this questionnaire cannot read (an option or range that changed).
    pub unreadable: Vec<Unreadable>,
    /// Required questions shown now without an answer this questionnaire can use (never
    /// answered, or unreadable now): they make the outcome at least `incomplete`.
    pub unanswered_now: Vec<String>,
    /// Settings with another effective value now.
    pub settings_changed: Vec<SettingChange>,
}

impl Rescored {
    /// Whether the outcome is not the one the record has.
    pub fn changed(&self) -> bool {
        self.then != self.now
    }
}

/// The parts of a record re-scoring reads; other members are ignored.
#[derive(Deserialize)]
struct Stored {
    questionnaire: StoredQuestionnaire,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    ended_at: Option<String>,
    #[serde(default)]
    settings: Map<String, Value>,
    outcome: Level,
    findings: Vec<StoredFinding>,
    answers: Map<String, Value>,
}

#[derive(Deserialize)]
struct StoredQuestionnaire {
    id: String,
    version: String,
    sha256: String,
}

#[derive(Deserialize)]
struct StoredFinding {
    rule: String,
    level: Level,
}

impl<'q> Rescorer<'q> {
    /// A re-scorer under `q` (with the clinic settings it carries).
    pub fn new(q: &'q Questionnaire) -> Self {
        Rescorer {
            q,
            pins: vec![Pin {
                version: q.version().to_string(),
                sha256: q.sha256().to_string(),
                source: PinSource::Against,
            }],
            settings: q.settings_json(),
        }
    }

    /// The questionnaire records are re-scored under.
    pub fn questionnaire(&self) -> &'q Questionnaire {
        self.q
    }

    /// Takes `other` (named `name`) as the true copy of its version: records that name that
    /// version must carry its SHA-256. Refused when it is another questionnaire, or a version
    /// already known with other content.
    pub fn know(&mut self, other: &Questionnaire, name: &str) -> Result<(), String> {
        if other.id() != self.q.id() {
            return Err(format!(
                "{name} is questionnaire `{}`, not `{}`",
                clip(other.id()),
                self.q.id()
            ));
        }
        match self.pins.iter().find(|p| p.version == other.version()) {
            Some(p) if p.sha256 != other.sha256() => Err(format!(
                "{name} is version {} with SHA-256 {}, but that version has SHA-256 {}",
                clip(other.version()),
                other.sha256(),
                p.sha256
            )),
            Some(_) => Ok(()),
            None => {
                self.pins.push(Pin {
                    version: other.version().to_string(),
                    sha256: other.sha256().to_string(),
                    source: PinSource::Known(name.to_string()),
                });
                Ok(())
            }
        }
    }

    /// Re-scores the record in `text`; `at` says where it is (`file:line`), for the pin a
    /// first record of its version makes.
    pub fn rescore(&mut self, text: &str, at: &str) -> Result<Rescored, Problem> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let stored = parse(text)?;
        let sq = &stored.questionnaire;
        if sq.id != self.q.id() {
            return Err(Problem::OtherQuestionnaire { id: sq.id.clone() });
        }
        let is_hex = |s: &str| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if !is_hex(&sq.sha256) {
            return Err(Problem::NotRecord(
                "`questionnaire.sha256` is not a SHA-256".into(),
            ));
        }
        self.check_pin(sq, at)?;
        Ok(self.compare(stored))
    }

    /// The record's SHA-256 must be the one its version is known by, and a SHA-256 known for
    /// one version cannot be another's. A version not known yet is pinned by this record.
    fn check_pin(&mut self, sq: &StoredQuestionnaire, at: &str) -> Result<(), Problem> {
        let sha = sq.sha256.to_ascii_lowercase();
        let conflict = (self.pins.iter()).find(|p| (p.version == sq.version) != (p.sha256 == sha));
        if let Some(p) = conflict {
            return Err(Problem::HashMismatch(Box::new(Mismatch {
                version: sq.version.clone(),
                stated: sq.sha256.clone(),
                pinned_version: p.version.clone(),
                pinned_sha256: p.sha256.clone(),
                source: p.source.clone(),
            })));
        }
        let known = self.pins.iter().any(|p| p.version == sq.version);
        if !known && self.pins.len() < MAX_PINS {
            self.pins.push(Pin {
                version: sq.version.clone(),
                sha256: sha,
                source: PinSource::FirstRecord(at.to_string()),
            });
        }
        Ok(())
    }

    /// Scores the stored answers now and compares with what the record says.
    fn compare(&self, s: Stored) -> Rescored {
        let q = self.q;
        let mut answers = Answers::new(q.questions().len());
        let (mut no_longer_asked, mut unreadable) = (Vec::new(), Vec::new());
        for (id, v) in &s.answers {
            let Some(i) = q.question_index(id) else {
                no_longer_asked.push(id.clone());
                continue;
            };
            match answers::from_json(&q.questions()[i], v) {
                _ if v.is_null() => {}
                Ok(a) => answers.set(i, Some(a)),
                Err(e) => unreadable.push(Unreadable {
                    question: id.clone(),
                    message: e.to_string(),
                }),
            }
        }
        let mut outcome = crate::score(q, &answers);
        // As when the screening ended: one left early is never less than incomplete.
        if matches!(s.status.as_deref(), Some("abandoned" | "interrupted")) {
            outcome.level = outcome.level.max(Level::Incomplete);
        }
        let ids = |list: &[usize]| -> Vec<String> {
            list.iter().map(|i| q.questions()[*i].id.clone()).collect()
        };
        let fired_now: Vec<Fired> = (outcome.findings.iter())
            .map(|f| Fired {
                rule: q.rules()[f.rule].rule.id.clone(),
                level: f.level,
            })
            .collect();
        let then: Vec<Fired> = (s.findings.into_iter())
            .map(|f| Fired {
                rule: f.rule,
                level: f.level,
            })
            .collect();
        let (newly_fired, no_longer_fired, level_changed) = rule_changes(&then, &fired_now);
        Rescored {
            subject: s.subject,
            ended_at: s.ended_at,
            status: s.status,
            version_then: s.questionnaire.version,
            then: s.outcome,
            now: outcome.level,
            fired_now,
            newly_fired,
            no_longer_fired,
            level_changed,
            no_longer_asked,
            not_shown_now: ids(&outcome.ignored),
            unreadable,
            unanswered_now: ids(&outcome.unanswered),
            settings_changed: (s.settings.into_iter())
                .filter_map(|(setting, then)| {
                    let now = self.settings.get(&setting)?;
                    (*now != then).then(|| SettingChange {
                        setting,
                        then,
                        now: now.clone(),
                    })
                })
                .collect(),
        }
    }
}

/// Rules that fire now and not then, then and not now, and both times at other levels.
fn rule_changes(then: &[Fired], now: &[Fired]) -> (Vec<Fired>, Vec<Fired>, Vec<Relevelled>) {
    let find = |list: &[Fired], id: &str| list.iter().find(|f| f.rule == id).map(|f| f.level);
    let newly = (now.iter())
        .filter(|f| find(then, &f.rule).is_none())
        .cloned()
        .collect();
    let gone = (then.iter())
        .filter(|f| find(now, &f.rule).is_none())
        .cloned()
        .collect();
    let relevelled = (then.iter())
        .filter_map(|f| {
            let now = find(now, &f.rule)?;
            (now != f.level).then(|| Relevelled {
                rule: f.rule.clone(),
                then: f.level,
                now,
            })
        })
        .collect();
    (newly, gone, relevelled)
}

/// Reads a record. Errors say where the JSON breaks, or which member is missing or of the
/// wrong kind, and never quote a value.
fn parse(text: &str) -> Result<Stored, Problem> {
    use serde_json::error::Category;
    let mut de = serde_json::Deserializer::from_str(text);
    let stored: Stored = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.classify() != Category::Data {
            return Problem::NotJson {
                line: inner.line(),
                column: inner.column(),
            };
        }
        let path = e.path().to_string();
        let place = clip(&path);
        let message = inner.to_string();
        Problem::NotRecord(match message.strip_prefix("missing field ") {
            Some(rest) if path == "." => format!("no {}", crate::loader::strip_position(rest)),
            Some(rest) => format!("`{place}` has no {}", crate::loader::strip_position(rest)),
            None if path == "." => "it is not a JSON object".into(),
            None => format!("`{place}` is not what a record holds there"),
        })
    })?;
    de.end().map_err(|e| Problem::NotJson {
        line: e.line(),
        column: e.column(),
    })?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_fixtures::mini;

    /// A record of `mini.json` as `score --format json` writes it, with `answers`.
    fn record(q: &Questionnaire, answers: &str) -> serde_json::Value {
        let suggest = crate::suggest::Suggester::new();
        let a = crate::answers_file::parse_answers_doc(q, "t", answers, &suggest).unwrap();
        let outcome = crate::score(q, &a);
        serde_json::to_value(crate::report::Record::new(q, &a, &outcome)).unwrap()
    }

    #[test]
    fn a_record_rescored_under_its_own_questionnaire_is_unchanged() {
        let q = mini();
        let r = record(
            &q,
            r#"{"answers": {"chest_pain": "no", "age": 16, "pregnant": "no", "thinners": "yes", "which": ["aspirin"]}}"#,
        );
        let mut rescorer = Rescorer::new(&q);
        let got = rescorer.rescore(&r.to_string(), "t:1").unwrap();
        assert!(!got.changed());
        assert_eq!(got.then, got.now);
        assert!(got.newly_fired.is_empty() && got.no_longer_fired.is_empty());
        assert!(got.no_longer_asked.is_empty() && got.unanswered_now.is_empty());
    }

    #[test]
    fn damaged_records_are_described_without_their_values() {
        let q = mini();
        let mut rescorer = Rescorer::new(&q);
        let mut r = record(&q, r#"{"answers": {"chest_pain": "yes"}}"#);
        r["outcome"] = "SECRET".into();
        let p = rescorer.rescore(&r.to_string(), "t:1").unwrap_err();
        assert_eq!(p.kind(), "not_a_record");
        assert!(!p.message(&q).contains("SECRET"), "{}", p.message(&q));
        let p = rescorer
            .rescore(r#"{"answers": {"x": "SECRET"#, "t:2")
            .unwrap_err();
        assert_eq!(p.kind(), "not_json");
        assert!(!p.message(&q).contains("SECRET"));
    }

    #[test]
    fn a_version_is_pinned_by_its_first_record_and_a_known_file_must_agree() {
        let q = mini();
        let mut rescorer = Rescorer::new(&q);
        let mut r = record(&q, r#"{"answers": {"chest_pain": "yes"}}"#);
        r["questionnaire"]["version"] = "0.9.0".into();
        r["questionnaire"]["sha256"] = "a".repeat(64).into();
        assert!(rescorer.rescore(&r.to_string(), "old:1").is_ok());
        r["questionnaire"]["sha256"] = "b".repeat(64).into();
        let p = rescorer.rescore(&r.to_string(), "old:2").unwrap_err();
        assert!(
            p.message(&q).contains("by the first record of it (old:1)"),
            "{}",
            p.message(&q)
        );
        // A file given as the true copy of a version must be that questionnaire, and agree
        // with what is already known of its version.
        let text = String::from_utf8(include_bytes!("../../../tests/fixtures/mini.json").to_vec());
        let text = text.unwrap();
        let load = |t: String| crate::loader::load_str("x.json", t.as_bytes()).unwrap();
        let other = load(text.replacen(r#""id": "mini""#, r#""id": "knee""#, 1));
        assert!(
            rescorer
                .know(&other, "knee.json")
                .unwrap_err()
                .contains("`knee`, not `mini`")
        );
        let edited = load(text.replacen("Chest pain now", "Chest pain today", 1));
        assert_eq!(edited.version(), q.version());
        let e = rescorer.know(&edited, "edited.json").unwrap_err();
        assert!(e.contains("but that version has SHA-256"), "{e}");
        assert!(rescorer.know(&q, "same.json").is_ok());
    }
}
