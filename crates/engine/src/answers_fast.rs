//! The fast path of the answers parser: an answers document read straight into [`Answers`].
//!
//! A well-formed answers document (an object whose `answers` object has only known ids, valid
//! values and no key twice) is read in one pass, with keys borrowed from the text, and no JSON
//! value tree or second map is built. Anything else makes this path give up, and the caller
//! reads the document again the careful way, which says exactly what is wrong: so the messages
//! come from one place, and this path only has to agree with it on documents that are fine.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::answers::{self, Answer, Answers};
use crate::answers_file::MAX_ANSWERS_DEPTH;
use crate::model::{Question, QuestionType};
use crate::questionnaire::Questionnaire;

/// Reads `{"answers": {...}, ...}` (other top-level keys are skipped unread), or gives up.
pub(crate) fn parse(q: &Questionnaire, text: &str) -> Option<Answers> {
    let mut de = serde_json::Deserializer::from_str(text);
    let answers = DocSeed { q }.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(answers)
}

/// A key of an object: borrowed from the text unless it has escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

struct DocSeed<'a> {
    q: &'a Questionnaire,
}

impl<'de> DeserializeSeed<'de> for DocSeed<'_> {
    type Value = Answers;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Answers, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for DocSeed<'_> {
    type Value = Answers;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answers document")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Answers, A::Error> {
        let mut found = None;
        while let Some(key) = m.next_key::<Key>()? {
            if key.0 != "answers" {
                // The member is a value of the document object, so its brackets start at 2.
                m.next_value_seed(Skip { depth: 2 })?;
            } else if found.is_some() {
                return Err(de::Error::custom("`answers` twice"));
            } else {
                found = Some(m.next_value_seed(AnswersSeed { q: self.q })?);
            }
        }
        found.ok_or_else(|| de::Error::custom("no `answers`"))
    }
}

/// A value skipped unread, refused when its brackets nest deeper than the careful path
/// allows ([`MAX_ANSWERS_DEPTH`]); `depth` is the level its own brackets would be at.
#[derive(Clone, Copy)]
struct Skip {
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        while s.next_element_seed(inner)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let inner = self.nested()?;
        while m.next_key::<IgnoredAny>()?.is_some() {
            m.next_value_seed(inner)?;
        }
        Ok(())
    }
}

impl Skip {
    /// The seed for the values inside this one's brackets, or an error if they are too deep.
    fn nested<E: de::Error>(self) -> Result<Skip, E> {
        if self.depth > MAX_ANSWERS_DEPTH {
            return Err(E::custom("nested too deeply"));
        }
        Ok(Skip {
            depth: self.depth + 1,
        })
    }
}

struct AnswersSeed<'a> {
    q: &'a Questionnaire,
}

impl<'de> DeserializeSeed<'de> for AnswersSeed<'_> {
    type Value = Answers;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Answers, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AnswersSeed<'_> {
    type Value = Answers;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answers object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Answers, A::Error> {
        let questions = self.q.questions();
        let mut answers = Answers::new(questions.len());
        // Keys seen, also those answered `null`: a key given twice is refused either way.
        let mut seen = vec![false; questions.len()];
        let mut next = 0;
        while let Some(key) = m.next_key::<Key>()? {
            let qi = find(self.q, &key.0, next).ok_or_else(|| de::Error::custom("unknown id"))?;
            next = qi + 1;
            if std::mem::replace(&mut seen[qi], true) {
                return Err(de::Error::custom("key twice"));
            }
            let question = &questions[qi];
            if let Some(a) = m.next_value_seed(AnswerSeed { question })? {
                answers::check(question, &a).map_err(de::Error::custom)?;
                answers.set(qi, Some(a));
            }
        }
        Ok(answers)
    }
}

/// The index of question `id`. Answers usually come in questionnaire order, skipping the
/// questions that were not asked: the few after `next` are tried before the index.
fn find(q: &Questionnaire, id: &str, next: usize) -> Option<usize> {
    let ahead = q.questions().iter().enumerate().skip(next).take(4);
    ahead
        .into_iter()
        .find(|(_, question)| question.id == id)
        .map(|(i, _)| i)
        .or_else(|| q.question_index(id))
}

/// One answer to `question`, `None` for `null`. The same reading as [`answers::from_json`].
struct AnswerSeed<'a> {
    question: &'a Question,
}

impl<'de> DeserializeSeed<'de> for AnswerSeed<'_> {
    type Value = Option<Answer>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl AnswerSeed<'_> {
    fn number<E: de::Error>(&self, n: f64) -> Result<Option<Answer>, E> {
        match self.question.kind {
            QuestionType::Number => Ok(Some(Answer::Number(n))),
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Text
            | QuestionType::Display => Err(E::custom("not a number question")),
        }
    }
}

impl<'de> Visitor<'de> for AnswerSeed<'_> {
    type Value = Option<Answer>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an answer")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.number(v as f64)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.number(v as f64)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.number(v)
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        let q = self.question;
        let a = match q.kind {
            QuestionType::Text => Answer::Text(s.to_string()),
            _ if s == "unsure" => Answer::Unsure,
            QuestionType::YesNo if s == "yes" => Answer::Yes,
            QuestionType::YesNo if s == "no" => Answer::No,
            QuestionType::SingleChoice => {
                Answer::Choice(q.option_index(s).ok_or_else(|| E::custom("option"))?)
            }
            QuestionType::YesNo
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Display => return Err(E::custom("not an answer to this question")),
        };
        Ok(Some(a))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        let q = self.question;
        if q.kind != QuestionType::MultiChoice {
            return Err(de::Error::custom("not a multiple choice"));
        }
        // Most answers choose one to three options.
        let mut chosen = Vec::with_capacity(4);
        while let Some(code) = s.next_element::<Key>()? {
            chosen.push(
                q.option_index(&code.0)
                    .ok_or_else(|| de::Error::custom("option"))?,
            );
        }
        Ok(Some(Answer::Multi(chosen)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    use crate::test_fixtures::mini;

    /// The careful reading, from its public pieces: a JSON object, no key given twice, an
    /// `answers` object, every answer valid.
    fn careful(q: &Questionnaire, text: &str) -> Option<Answers> {
        if crate::locate::too_deep(text, MAX_ANSWERS_DEPTH).is_some() {
            return None;
        }
        let doc: Value = serde_json::from_str(text).ok()?;
        if !crate::loader::duplicate_key_problems(text).is_empty() {
            return None;
        }
        q.parse_answers(doc.get("answers")?.as_object()?).ok()
    }

    /// Answers that are right, wrong or odd for some question of `mini.json`.
    const VALUES: &[&str] = &[
        r#""yes""#,
        r#""no""#,
        r#""unsure""#,
        r#""Yes""#,
        r#""maybe""#,
        "null",
        "true",
        "0",
        "40",
        "-3",
        "12.5",
        "121",
        "1e2",
        "18446744073709551616",
        "[]",
        r#"["aspirin"]"#,
        r#"["warfarin","other"]"#,
        r#"["aspirin","aspirin"]"#,
        r#"["asprin"]"#,
        r#"[1]"#,
        r#""aspirin""#,
        "{}",
        r#""sore \"left\" shoulder\n""#,
        r#""\u0079es""#,
    ];

    const IDS: &[&str] = &[
        "chest_pain",
        "age",
        "pregnant",
        "weeks",
        "thinners",
        "which",
        "notes",
        "chest\\u005fpain",
        "nope",
    ];

    fn agree(q: &Questionnaire, text: &str) {
        let expected = careful(q, text);
        assert_eq!(parse(q, text), expected, "{text}");
        if let Some(a) = expected {
            let suggest = crate::suggest::Suggester::new();
            let read = crate::answers_file::parse_answers_doc(q, "t", text, &suggest);
            assert_eq!(read.ok(), Some(a));
        }
    }

    #[test]
    fn agrees_with_the_careful_reading_on_every_single_answer() {
        let q = mini();
        for id in IDS {
            for v in VALUES {
                agree(&q, &format!(r#"{{"answers": {{"{id}": {v}}}}}"#));
            }
        }
    }

    #[test]
    fn agrees_with_the_careful_reading_on_mixed_documents() {
        let q = mini();
        // A fixed walk through documents of one to five entries, some with a key given twice,
        // other top-level members, or something wrong around the answers.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..5_000 {
            let entries: Vec<String> = (0..1 + next(5))
                .map(|_| {
                    format!(
                        r#""{}": {}"#,
                        IDS[next(IDS.len())],
                        VALUES[next(VALUES.len())]
                    )
                })
                .collect();
            let answers = format!("{{{}}}", entries.join(", "));
            let text = match next(8) {
                0 => format!(r#"{{"outcome": "clear", "answers": {answers}, "x": [1, {{}}]}}"#),
                1 => format!(r#"{{"answers": {answers}, "answers": {{}}}}"#),
                2 => format!(r#"[{{"answers": {answers}}}]"#),
                3 => format!(r#"{{"answers": {answers}}} x"#),
                4 => format!(r#"{{"answer": {answers}}}"#),
                _ => format!(r#"{{"answers": {answers}}}"#),
            };
            agree(&q, &text);
        }
    }

    #[test]
    fn refuses_the_nesting_the_careful_path_refuses() {
        let q = mini();
        // Around the limit, in a member that is skipped unread and inside the answers.
        for depth in 12..20 {
            let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
            agree(
                &q,
                &format!(r#"{{"x": {nested}, "answers": {{"age": 3}}}}"#),
            );
            let objects = format!("{}{}", r#"{"a": "#.repeat(depth), "}".repeat(depth));
            agree(
                &q,
                &format!(r#"{{"answers": {{"age": 3}}, "x": {objects}0}}"#),
            );
            agree(&q, &format!(r#"{{"answers": {{"which": {nested}}}}}"#));
        }
    }

    #[test]
    fn reads_a_full_valid_document() {
        let q = mini();
        let text = r#"{"answers": {"chest_pain": "no", "age": 40, "pregnant": "yes",
            "weeks": "unsure", "thinners": "yes", "which": ["warfarin", "other"],
            "notes": "left \"shoulder\""}}"#;
        let a = parse(&q, text).expect("valid");
        assert_eq!(Some(a), careful(&q, text));
    }
}
