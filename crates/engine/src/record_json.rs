//! The JSON record of one scoring, written straight to bytes: the fast form of
//! [`Record`] for streams (`score --jsonl`).
//!
//! [`Record`] and its `Serialize` define the record; this writer gives
//! the same bytes as `serde_json::to_writer` of it without building it. Everything that comes
//! from the questionnaire (question ids, option codes, rule ids, messages and notes) is
//! escaped once, when the writer is made, so a record costs only the copying of ready pieces;
//! only numbers and free-text answers are formatted per record. The tests compare both forms
//! on the fixtures and on generated answers.

use std::io::{self, Write};

use crate::answers::{Answer, Answers};
use crate::model::Level;
use crate::questionnaire::Questionnaire;
use crate::report::{AnswerRef, Record};
use crate::score::{Finding, Outcome};

/// Writes compact JSON records for one questionnaire.
#[derive(Debug, Clone)]
pub struct RecordWriter<'q> {
    q: &'q Questionnaire,
    /// `"tool":…,"questionnaire":…,"clinic":…,"settings":…,"outcome":`
    head: String,
    /// Each level as a JSON string, in [`Level::ALL`] order.
    levels: Vec<String>,
    /// Each question's id as a JSON string.
    ids: Vec<String>,
    /// Each question's option codes as JSON strings.
    codes: Vec<Vec<String>>,
    /// Per rule: `{"rule":…,"level":`
    rule_id: Vec<String>,
    /// Per rule: `,"message":…,"practitioner_note":…,"on_unknown":` (no note when it has none).
    rule_message: Vec<String>,
    /// Per rule: `,"stop":…,"because":[`
    rule_stop: Vec<&'static str>,
}

/// A string as JSON (quoted and escaped).
fn json(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The members before `"outcome"`, which are the same in every record of `q`: taken from the
/// serde record of an empty scoring, so that they are made in one place.
fn head(q: &Questionnaire) -> serde_json::Result<String> {
    let n = q.questions().len();
    let answers = Answers::new(n);
    let outcome = Outcome {
        level: Level::Clear,
        findings: Vec::new(),
        unanswered: Vec::new(),
        ignored: Vec::new(),
        visible: vec![false; n],
    };
    let r = Record::new(q, &answers, &outcome);
    Ok(format!(
        r#""tool":{},"questionnaire":{},"clinic":{},"settings":{},"outcome":"#,
        serde_json::to_string(&r.tool)?,
        serde_json::to_string(&r.questionnaire)?,
        serde_json::to_string(&r.clinic)?,
        serde_json::to_string(&r.settings)?
    ))
}

impl<'q> RecordWriter<'q> {
    /// Escapes everything that comes from the questionnaire, once.
    pub fn new(q: &'q Questionnaire) -> serde_json::Result<Self> {
        let rules = q.rules().iter().map(|r| &r.rule);
        Ok(RecordWriter {
            q,
            head: head(q)?,
            levels: Level::ALL.iter().map(|l| json(l.as_str())).collect(),
            ids: q.questions().iter().map(|x| json(&x.id)).collect(),
            codes: (q.questions().iter())
                .map(|x| x.options.iter().map(|o| json(&o.code)).collect())
                .collect(),
            rule_id: rules
                .clone()
                .map(|r| format!(r#"{{"rule":{},"level":"#, json(&r.id)))
                .collect(),
            rule_message: rules
                .clone()
                .map(|r| {
                    let note = (r.practitioner_note.as_deref())
                        .map(|n| format!(r#","practitioner_note":{}"#, json(n)))
                        .unwrap_or_default();
                    format!(r#","message":{}{note},"on_unknown":"#, json(&r.message))
                })
                .collect(),
            rule_stop: rules
                .map(|r| match r.stop {
                    true => r#","stop":true,"because":["#,
                    false => r#","stop":false,"because":["#,
                })
                .collect(),
        })
    }

    /// Writes the record of `outcome` (scored from `answers`) on one line, without the line
    /// break; with `line`, a `"line"` member comes first (as in `score --jsonl`).
    pub fn write(
        &self,
        out: &mut impl Write,
        line: Option<usize>,
        answers: &Answers,
        outcome: &Outcome,
    ) -> io::Result<()> {
        out.write_all(b"{")?;
        if let Some(n) = line {
            write!(out, r#""line":{n},"#)?;
        }
        out.write_all(self.head.as_bytes())?;
        out.write_all(self.level(outcome.level))?;
        out.write_all(br#","findings":["#)?;
        for (n, f) in outcome.findings.iter().enumerate() {
            out.write_all(if n == 0 { b"" } else { b"," })?;
            self.finding(out, answers, f)?;
        }
        out.write_all(br#"],"unanswered":"#)?;
        self.id_list(out, &outcome.unanswered)?;
        out.write_all(br#","ignored":"#)?;
        self.id_list(out, &outcome.ignored)?;
        out.write_all(br#","answers":{"#)?;
        let used = answers.answered().filter(|i| outcome.visible[*i]);
        for (n, i) in used.enumerate() {
            out.write_all(if n == 0 { b"" } else { b"," })?;
            out.write_all(self.ids[i].as_bytes())?;
            out.write_all(b":")?;
            self.answer(out, i, answers)?;
        }
        out.write_all(b"}}")
    }

    fn level(&self, level: Level) -> &[u8] {
        self.levels[level as usize].as_bytes()
    }

    /// One fired rule, as [`FindingView`](crate::report::FindingView) serializes it.
    fn finding(&self, out: &mut impl Write, answers: &Answers, f: &Finding) -> io::Result<()> {
        out.write_all(self.rule_id[f.rule].as_bytes())?;
        out.write_all(self.level(f.level))?;
        out.write_all(self.rule_message[f.rule].as_bytes())?;
        out.write_all(if f.on_unknown { b"true" } else { b"false" })?;
        out.write_all(self.rule_stop[f.rule].as_bytes())?;
        let quoted = f.because.iter().filter(|i| answers.get(**i).is_some());
        for (n, i) in quoted.enumerate() {
            out.write_all(if n == 0 { b"" } else { b"," })?;
            out.write_all(br#"{"question":"#)?;
            out.write_all(self.ids[*i].as_bytes())?;
            out.write_all(br#","answer":"#)?;
            self.answer(out, *i, answers)?;
            out.write_all(b"}")?;
        }
        out.write_all(b"]}")
    }

    fn id_list(&self, out: &mut impl Write, questions: &[usize]) -> io::Result<()> {
        out.write_all(b"[")?;
        for (n, i) in questions.iter().enumerate() {
            out.write_all(if n == 0 { b"" } else { b"," })?;
            out.write_all(self.ids[*i].as_bytes())?;
        }
        out.write_all(b"]")
    }

    /// The answer to question `i` as in an answers file.
    fn answer(&self, out: &mut impl Write, i: usize, answers: &Answers) -> io::Result<()> {
        let Some(a) = answers.get(i) else {
            return out.write_all(b"null");
        };
        let codes = &self.codes[i];
        match a {
            Answer::Yes => out.write_all(br#""yes""#),
            Answer::No => out.write_all(br#""no""#),
            Answer::Unsure => out.write_all(br#""unsure""#),
            Answer::Choice(c) => out.write_all(codes[*c].as_bytes()),
            Answer::Multi(cs) => {
                out.write_all(b"[")?;
                for (n, c) in cs.iter().enumerate() {
                    out.write_all(if n == 0 { b"" } else { b"," })?;
                    out.write_all(codes[*c].as_bytes())?;
                }
                out.write_all(b"]")
            }
            Answer::Number(_) | Answer::Text(_) => {
                let value = AnswerRef(&self.q.questions()[i], a);
                serde_json::to_writer(out, &value).map_err(io::Error::other)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(name: &str, bytes: &[u8]) -> Questionnaire {
        crate::loader::load_str(name, bytes).expect("fixture loads")
    }

    /// Both forms of the record of `answers_json` (an answers document) agree, byte for byte.
    fn same_bytes(q: &Questionnaire, writer: &RecordWriter, answers_json: &str) {
        let suggest = crate::suggest::Suggester::new();
        let answers = crate::answers_file::parse_answers_doc(q, "t", answers_json, &suggest)
            .expect("answers are valid");
        let outcome = crate::score(q, &answers);
        let expected = serde_json::to_string(&Record::new(q, &answers, &outcome)).unwrap();
        let mut got = Vec::new();
        writer.write(&mut got, None, &answers, &outcome).unwrap();
        assert_eq!(String::from_utf8(got).unwrap(), expected);
        let mut with_line = Vec::new();
        writer
            .write(&mut with_line, Some(17), &answers, &outcome)
            .unwrap();
        let line = format!(r#"{{"line":17,{}"#, &expected[1..]);
        assert_eq!(String::from_utf8(with_line).unwrap(), line);
    }

    #[test]
    fn writes_the_bytes_of_the_serde_record_for_the_mini_fixture() {
        let q = load(
            "mini.json",
            include_bytes!("../../../tests/fixtures/mini.json"),
        );
        let w = RecordWriter::new(&q).unwrap();
        for answers in [
            r#"{"answers": {}}"#,
            r#"{"answers": {"chest_pain": "yes"}}"#,
            r#"{"answers": {"chest_pain": "unsure", "age": 16, "pregnant": "yes", "weeks": 9,
                "thinners": "yes", "which": ["warfarin", "other"], "notes": "a \"b\"\n\u0007 ∑"}}"#,
            r#"{"answers": {"chest_pain": "no", "age": 1e2, "pregnant": "no", "weeks": 8,
                "thinners": "no", "which": ["aspirin"], "notes": ""}}"#,
        ] {
            same_bytes(&q, &w, answers);
        }
    }

    #[test]
    fn writes_the_bytes_of_the_serde_record_for_every_embedded_test() {
        let q = load("embedded", crate::loader::EMBEDDED.as_bytes());
        let w = RecordWriter::new(&q).unwrap();
        for t in q.tests() {
            let doc = serde_json::json!({ "answers": t.answers });
            same_bytes(&q, &w, &doc.to_string());
        }
    }

    #[test]
    fn escapes_what_the_questionnaire_says_as_serde_does() {
        // Ids, codes, messages and notes with quotes, backslashes and control characters.
        let text = String::from_utf8(include_bytes!("../../../tests/fixtures/mini.json").to_vec())
            .unwrap()
            .replace(
                "Chest pain now can be",
                r#"Chest \"pain\" \\ now\n∑\u202e can be"#,
            )
            .replace("First trimester.", r#"First \"trimester\"."#)
            .replace(r#""aspirin""#, r#""asp\"irin""#)
            .replace(r#""max": 120, "integer": true"#, r#""max": 120"#);
        let q = load("odd.json", text.as_bytes());
        let w = RecordWriter::new(&q).unwrap();
        same_bytes(
            &q,
            &w,
            r#"{"answers": {"chest_pain": "yes", "age": 16.25, "pregnant": "yes", "weeks": 3,
                "thinners": "yes", "which": ["asp\"irin"]}}"#,
        );
    }
}
