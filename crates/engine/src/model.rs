//! The questionnaire file format: plain serde types that mirror the JSON one to one.
//!
//! These types are what an author writes. They carry no cross-references yet: question ids in
//! conditions are strings, options are codes. [`crate::loader`] turns a [`QuestionnaireFile`]
//! into a checked [`crate::Questionnaire`] (the only form the rest of the engine accepts).
//! The JSON Schema printed by `needlecheck schema` is generated from these types.
//!
//! Shapes are deliberately flat (a `type` field rather than internally tagged enums) so that a
//! wrong field is reported at its exact position.

use std::fmt;

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// Outcome levels, lowest to highest. The order is part of the format: the outcome of a
/// screening is the highest level reached.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing found that stops booking; the practitioner still assesses and asks consent.
    Clear,
    /// Book, but tell the practitioner the listed items.
    Review,
    /// A required question was not answered; the screening must be completed.
    Incomplete,
    /// Dry needling must not be used (at all, in an area, or for now).
    NotSuitable,
    /// See a GP before dry needling.
    SeeDoctor,
    /// See a doctor or emergency department today.
    Urgent,
    /// Call emergency services now.
    Emergency,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 7] = [
        Level::Clear,
        Level::Review,
        Level::Incomplete,
        Level::NotSuitable,
        Level::SeeDoctor,
        Level::Urgent,
        Level::Emergency,
    ];

    /// The level's name as written in questionnaire files and records.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Clear => "clear",
            Level::Review => "review",
            Level::Incomplete => "incomplete",
            Level::NotSuitable => "not_suitable",
            Level::SeeDoctor => "see_doctor",
            Level::Urgent => "urgent",
            Level::Emergency => "emergency",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A whole questionnaire file.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QuestionnaireFile {
    /// Optional pointer to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable identifier of the questionnaire, e.g. `dry-needling`.
    pub id: String,
    /// Canonical URL of the questionnaire, as FHIR names it (`needlecheck export fhir`): an
    /// absolute URI, the same for every version. Without it the export uses
    /// `urn:needlecheck:questionnaire:<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Semantic version (`MAJOR.MINOR.PATCH`) of the content.
    pub version: String,
    /// Title shown on the welcome screen.
    pub title: String,
    /// Language and region of the wording, e.g. `en-AU`.
    pub locale: String,
    /// What this screening is and how long it takes, shown before the first question.
    pub introduction: String,
    /// Shown with every result: not a diagnosis, does not clear anyone for treatment.
    pub disclaimer: String,
    /// Phone lines named in the advice (emergency, nurse line, crisis line).
    pub contacts: Vec<Contact>,
    /// The advice for each outcome level.
    pub advice: Advice,
    /// Decisions left to each clinic (disputed points between sources), with their defaults.
    /// Conditions read them with `{"setting": id, ...}`; a clinic file sets them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<Setting>,
    /// After-care information shown with every result.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aftercare: Vec<AftercareBlock>,
    /// References that rules cite by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    /// The questions, in the order they are asked.
    pub sections: Vec<Section>,
    /// The scoring rules.
    #[serde(default)]
    #[schemars(with = "Vec<Rule>")]
    pub rules: Vec<Lenient<Rule>>,
    /// Test cases that `needlecheck validate` runs.
    #[serde(default, deserialize_with = "tests_field")]
    #[schemars(with = "Vec<TestCase>")]
    pub tests: Vec<Lenient<TestCase>>,
}

/// A phone line or service named in the advice.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Identifier, e.g. `emergency`.
    pub id: String,
    /// Name of the service, e.g. `Ambulance, fire, police`.
    pub name: String,
    /// The number to call, e.g. `000`.
    pub number: String,
    /// When to use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// What to tell them when you call (shown on the emergency screen and in the advice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tell: Option<String>,
    /// Outcome levels whose advice lists this contact.
    pub show_for: Vec<Level>,
}

/// The advice text for every outcome level (all seven are required).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Advice {
    pub clear: LevelAdvice,
    pub review: LevelAdvice,
    pub incomplete: LevelAdvice,
    pub not_suitable: LevelAdvice,
    pub see_doctor: LevelAdvice,
    pub urgent: LevelAdvice,
    pub emergency: LevelAdvice,
}

impl Advice {
    /// The advice for one level.
    pub fn for_level(&self, level: Level) -> &LevelAdvice {
        match level {
            Level::Clear => &self.clear,
            Level::Review => &self.review,
            Level::Incomplete => &self.incomplete,
            Level::NotSuitable => &self.not_suitable,
            Level::SeeDoctor => &self.see_doctor,
            Level::Urgent => &self.urgent,
            Level::Emergency => &self.emergency,
        }
    }
}

/// What to tell a person whose outcome is this level.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LevelAdvice {
    /// A short label, e.g. `Call 000 now`.
    pub label: String,
    /// One or two sentences in plain words.
    pub summary: String,
    /// Concrete next steps, in order.
    pub next_steps: Vec<String>,
    /// The summary as front-desk staff read it (about "the patient"), if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_summary: Option<String>,
    /// The next steps for front-desk staff (e.g. "call 000 for the patient"), if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_next_steps: Option<Vec<String>>,
}

impl LevelAdvice {
    /// The summary for the audience: staff wording where given and wanted.
    pub fn summary_for(&self, staff: bool) -> &str {
        match (&self.staff_summary, staff) {
            (Some(s), true) => s,
            _ => &self.summary,
        }
    }

    /// The next steps for the audience: staff wording where given and wanted.
    pub fn next_steps_for(&self, staff: bool) -> &[String] {
        match (&self.staff_next_steps, staff) {
            (Some(s), true) => s,
            _ => &self.next_steps,
        }
    }
}

/// A titled list of after-care points.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AftercareBlock {
    pub heading: String,
    pub items: Vec<String>,
    /// Outcome levels whose advice includes this block (default: every level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_for: Option<Vec<Level>>,
}

impl AftercareBlock {
    /// Whether the advice for `level` includes this block.
    pub fn shown_for(&self, level: Level) -> bool {
        self.show_for.as_ref().is_none_or(|l| l.contains(&level))
    }
}

/// A reference that rules cite.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short id cited by rules, e.g. `S35`.
    pub id: String,
    /// Title of the document or page.
    pub title: String,
    /// Where to find it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The kind of value a clinic setting takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettingType {
    /// One of `options` (by code).
    Choice,
    /// A number within `min`..=`max`, in `unit`.
    Number,
    /// `yes` or `no`.
    YesNo,
}

impl SettingType {
    pub fn as_str(self) -> &'static str {
        match self {
            SettingType::Choice => "choice",
            SettingType::Number => "number",
            SettingType::YesNo => "yes_no",
        }
    }
}

/// A decision a clinic makes (e.g. the INR limit), declared by the questionnaire with its
/// default. Conditions read it; a clinic file may set it.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    /// Stable id used by conditions and clinic files, e.g. `inr_limit`.
    pub id: String,
    /// What kind of value it takes.
    #[serde(rename = "type")]
    pub kind: SettingType,
    /// What the lead practitioner decides, in a few words.
    pub label: String,
    /// What each choice means clinically.
    pub help: String,
    /// The value when no clinic file sets it: an option code, `yes`/`no`, or a number.
    pub default: Literal,
    /// Choices, for `choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<SettingOption>,
    /// Unit of a number, e.g. `years` (none for a ratio such as the INR).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Smallest accepted number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest accepted number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether a number must be whole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// Ids of `sources` behind the choices.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One choice of a `choice` setting.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingOption {
    /// Stable code used in conditions and clinic files.
    pub code: String,
    /// What the choice means, e.g. `Review: no electrical stimulation, no needling near it`.
    pub label: String,
}

/// A titled group of questions.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<String>,
    /// The title as front-desk staff see it, if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_title: Option<String>,
    /// The introduction for front-desk staff, if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_intro: Option<String>,
    #[schemars(with = "Vec<Question>")]
    pub questions: Vec<Lenient<Question>>,
}

// Matches over `QuestionType` are exhaustive on purpose: no `_` arm or `matches!` that would
// quietly take in a type added later, so a new type fails to compile at every place that has
// to decide what to do with it. A yes/no question about a type asked in several places
// (`has_options`, `is_typed`, `unsure_by_default`) is a method below with one exhaustive
// match. (A plain comment: the doc comment goes into the published JSON schema.)
/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionType {
    /// Yes or no, with "Not sure" unless `allow_unsure` is false.
    YesNo,
    /// Exactly one of `options`.
    SingleChoice,
    /// Any number of `options`; an `exclusive` option ("none of these") stands alone.
    MultiChoice,
    /// A number, optionally `integer`, within `min`..=`max`, in `unit`.
    Number,
    /// Free text.
    Text,
    /// Information only; takes no answer.
    Display,
}

impl QuestionType {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionType::YesNo => "yes_no",
            QuestionType::SingleChoice => "single_choice",
            QuestionType::MultiChoice => "multi_choice",
            QuestionType::Number => "number",
            QuestionType::Text => "text",
            QuestionType::Display => "display",
        }
    }

    /// Whether the answer is picked from the question's own `options`.
    pub fn has_options(self) -> bool {
        match self {
            QuestionType::SingleChoice | QuestionType::MultiChoice => true,
            QuestionType::YesNo
            | QuestionType::Number
            | QuestionType::Text
            | QuestionType::Display => false,
        }
    }

    /// Whether the answer is typed (a number or text) rather than picked.
    pub fn is_typed(self) -> bool {
        match self {
            QuestionType::Number | QuestionType::Text => true,
            QuestionType::YesNo
            | QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Display => false,
        }
    }

    /// Whether "Not sure" is offered when `allow_unsure` is not given; `None` when this type
    /// never offers it (and `allow_unsure` does not apply).
    pub fn unsure_by_default(self) -> Option<bool> {
        match self {
            QuestionType::YesNo => Some(true),
            QuestionType::SingleChoice | QuestionType::Number => Some(false),
            QuestionType::MultiChoice | QuestionType::Text | QuestionType::Display => None,
        }
    }
}

/// One question (or display-only text).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id used by conditions, answers files and records.
    pub id: String,
    /// What kind of answer it takes.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// Wording for a person checking themselves.
    pub text: String,
    /// Wording for front-desk staff reading it aloud, if different.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_text: Option<String>,
    /// "Why we ask": shown on request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Whether an answer is needed for a complete screening (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Whether "Not sure" is offered (default true for yes/no, false otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_unsure: Option<bool>,
    /// Ask this question only when the condition holds (or cannot be ruled out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Box<Condition>>,
    /// Choices, for `single_choice` and `multi_choice`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Unit shown after a number, e.g. `weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Smallest accepted number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest accepted number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Whether a number must be whole.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub integer: bool,
    /// Longest accepted text, in characters (default 500).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
    /// Option indices by code, built on first use when there are many options (so that
    /// looking up every code of a long list is not quadratic).
    #[serde(skip)]
    #[schemars(skip)]
    option_lookup: std::sync::OnceLock<Option<Box<OptionLookup>>>,
}

/// The options of a question by code: a table of option indices hashed by their codes, which
/// stay in the options themselves (a copy of every code would double what a long list costs).
/// Boxed in [`Question`], where most questions never build one; `None` there for a list
/// longer than its indices reach (longer than a file can hold).
#[derive(Debug, Clone)]
struct OptionLookup {
    /// The index of the first option with each code.
    table: hashbrown::HashTable<u32>,
    /// Seeded per process, so that no file can choose codes that all fall in one place.
    hasher: foldhash::fast::RandomState,
}

impl OptionLookup {
    /// `None` if there are more options than an index holds (more than a file can have).
    fn new(options: &[ChoiceOption]) -> Option<OptionLookup> {
        use std::hash::BuildHasher;
        let hasher = foldhash::fast::RandomState::default();
        let mut table = hashbrown::HashTable::with_capacity(options.len());
        for (i, o) in options.iter().enumerate() {
            let i = u32::try_from(i).ok()?;
            let code = o.code.as_str();
            let at = |j: &u32| options[*j as usize].code == code;
            let rehash = |j: &u32| hasher.hash_one(options[*j as usize].code.as_str());
            if let hashbrown::hash_table::Entry::Vacant(v) =
                table.entry(hasher.hash_one(code), at, rehash)
            {
                v.insert(i);
            }
        }
        Some(OptionLookup { table, hasher })
    }

    /// The index of the first of `options` (those the table was built from) with `code`.
    fn find(&self, options: &[ChoiceOption], code: &str) -> Option<usize> {
        use std::hash::BuildHasher;
        let at = |j: &u32| options[*j as usize].code == code;
        let found = self.table.find(self.hasher.hash_one(code), at);
        found.map(|&j| j as usize)
    }
}

impl Question {
    /// Whether an answer is needed (display-only text never needs one).
    pub fn is_required(&self) -> bool {
        self.kind != QuestionType::Display && self.required.unwrap_or(true)
    }

    /// Whether "Not sure" is an accepted answer.
    pub fn allows_unsure(&self) -> bool {
        self.kind
            .unsure_by_default()
            .is_some_and(|default| self.allow_unsure.unwrap_or(default))
    }

    /// Longest accepted free text, in characters.
    pub fn text_limit(&self) -> usize {
        self.max_length.unwrap_or(500)
    }

    /// The wording for the audience: staff wording where given and wanted.
    pub fn wording(&self, staff: bool) -> &str {
        match (&self.staff_text, staff) {
            (Some(s), true) => s,
            _ => &self.text,
        }
    }

    /// The index of the (first) option with this code.
    pub fn option_index(&self, code: &str) -> Option<usize> {
        if self.options.len() <= 16 {
            return self.options.iter().position(|o| o.code == code);
        }
        let lookup = self
            .option_lookup
            .get_or_init(|| OptionLookup::new(&self.options).map(Box::new));
        match lookup {
            Some(lookup) => lookup.find(&self.options, code),
            None => self.options.iter().position(|o| o.code == code),
        }
    }
}

/// One choice of a choice question.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable code used in conditions and answers.
    pub code: String,
    /// What the person sees.
    pub label: String,
    /// What front-desk staff see (about "the patient", e.g. `Smokes` for `I smoke`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_label: Option<String>,
    /// In a multi-choice question: this option ("none of these") cannot be combined.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exclusive: bool,
}

impl ChoiceOption {
    /// The label for the audience: staff wording where given and wanted.
    pub fn label_for(&self, staff: bool) -> &str {
        match (&self.staff_label, staff) {
            (Some(s), true) => s,
            _ => &self.label,
        }
    }
}

/// A literal compared with an answer: an option code, `yes`/`no`, or a number.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Literal {
    Number(f64),
    Text(String),
}

// By hand rather than `untagged`, which buffers every value first (slow on large files) and
// names no type in its error.
impl<'de> Deserialize<'de> for Literal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Literal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string (an option code, \"yes\" or \"no\")")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Literal, E> {
                Ok(Literal::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Literal, E> {
                Ok(Literal::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Literal, E> {
                Ok(Literal::Number(v as f64))
            }
            fn visit_str<E>(self, v: &str) -> Result<Literal, E> {
                Ok(Literal::Text(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Literal, E> {
                Ok(Literal::Text(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a JSON object, refusing a key given twice: JSON parsers otherwise keep the last one
/// silently, and "yes" then "no" to the same question must not read as "no".
pub fn unique_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = serde_json::Map<String, serde_json::Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut m = serde_json::Map::new();
            while let Some((k, v)) = a.next_entry::<String, serde_json::Value>()? {
                if m.contains_key(&k) {
                    return Err(serde::de::Error::custom(format_args!(
                        "duplicate field `{k}`"
                    )));
                }
                m.insert(k, v);
            }
            Ok(m)
        }
    }
    d.deserialize_map(V)
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Number(n) => write!(f, "{n}"),
            Literal::Text(s) => write!(f, "\"{s}\""),
        }
    }
}

/// What a number is compared with: a number, or a number setting (`{"setting": "inr_limit"}`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Bound {
    Number(f64),
    Setting(SettingRef),
}

/// A reference to a clinic setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingRef {
    /// The setting's id.
    pub setting: String,
}

// By hand, like [`Literal`]: no buffering, and an error that says what is expected.
impl<'de> Deserialize<'de> for Bound {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Bound;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or {\"setting\": id}")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Bound, E> {
                Ok(Bound::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Bound, E> {
                Ok(Bound::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Bound, E> {
                Ok(Bound::Number(v as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, a: A) -> Result<Bound, A::Error> {
                SettingRef::deserialize(serde::de::value::MapAccessDeserializer::new(a))
                    .map(Bound::Setting)
            }
        }
        d.deserialize_any(V)
    }
}

impl From<f64> for Bound {
    fn from(v: f64) -> Self {
        Bound::Number(v)
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Bound::Number(n) => write!(f, "{n}"),
            Bound::Setting(r) => write!(f, "setting {}", r.setting),
        }
    }
}

/// A condition, used by `show_if` and by rule `when`.
///
/// Exactly one shape per object:
/// - a leaf: `q` plus one of `equals`, `one_of`, `contains`, `lt`, `le`, `gt`, `ge`,
///   `answered`, `unsure` (a number comparison may name a setting: `{"gt": {"setting": id}}`);
/// - a setting leaf: `setting` plus one of `equals`, `one_of`, `lt`, `le`, `gt`, `ge`;
/// - `all: [...]`, `any: [...]`, `not: {...}`, or `at_least: n` with `of: [...]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::schema::condition_shapes)]
pub struct Condition {
    /// The question a leaf looks at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// The clinic setting a leaf looks at (instead of a question).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setting: Option<String>,
    /// The answer is this value (`yes`/`no`, an option code, or a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Literal>,
    /// The answer is one of these values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Literal>>,
    /// A multi-choice answer includes this option code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<String>,
    /// The number answer is less than this (a number or `{"setting": id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<Bound>,
    /// The number answer is at most this (a number or `{"setting": id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub le: Option<Bound>,
    /// The number answer is greater than this (a number or `{"setting": id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<Bound>,
    /// The number answer is at least this (a number or `{"setting": id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ge: Option<Bound>,
    /// `true`: the question has an answer (including "Not sure"); `false`: it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// `true`: the answer is "Not sure"; `false`: it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsure: Option<bool>,
    /// Every condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    /// At least one condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    /// The condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
    /// At least this many of `of` hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_least: Option<u32>,
    /// The conditions counted by `at_least`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<Vec<Condition>>,
}

/// What a rule does when its condition cannot be decided because of a "Not sure" answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnknownPolicy {
    /// Fire, marked "could not be ruled out" (the default: fail safe).
    #[default]
    Escalate,
    /// Do not fire.
    Ignore,
}

/// A scoring rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, shown in records.
    pub id: String,
    /// The outcome level this rule raises the result to.
    pub level: Level,
    /// When the rule fires.
    pub when: std::sync::Arc<Condition>,
    /// What "unknown" means for this rule (default `escalate`).
    #[serde(default)]
    pub unknown: UnknownPolicy,
    /// Stop the questionnaire at once when this fires (emergencies).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
    /// The rule holds when an answer is *not* "Not sure" (`"unsure": false`, or `not` around
    /// `"unsure": true`), so "Not sure" can give a lower outcome than a definite answer. The
    /// loader refuses such a test unless this says it is meant; the rule is then left out of
    /// the "Not sure never lowers the outcome" guarantee, and `validate` lists it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_monotone: bool,
    /// Why no embedded test case fires this rule, when that is deliberate. `validate` fails
    /// on a rule that no test case fires unless it carries this reason; `validate --coverage`
    /// lists the exempt rules with their reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage_exempt: Option<String>,
    /// The message for the person, in plain words.
    pub message: String,
    /// A note for the practitioner (handover).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub practitioner_note: Option<String>,
    /// What to do, in order, for this rule's own interrupt (`stop` rules only): the steps for
    /// this emergency, shown under its headline instead of the level's `next_steps`. An
    /// emergency's headline already says to call the emergency number, so its steps need not
    /// say it again.
    // Boxed, as is `staff_steps`: most rules have none, and a questionnaire may hold very many
    // rules (the memory bounds are per byte of input), so each costs one pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Box<Vec<String>>>,
    /// The steps for front-desk staff, who act for the patient (needs `steps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_steps: Option<Box<Vec<String>>>,
    /// Ids of `sources` this rule rests on.
    #[serde(default)]
    pub sources: Vec<String>,
}

impl Rule {
    /// The rule's own interrupt steps for the audience (staff wording where given and
    /// wanted); `None` when it has none.
    pub fn steps_for(&self, staff: bool) -> Option<&[String]> {
        match (&self.staff_steps, staff) {
            (Some(s), true) => Some(s),
            _ => self.steps.as_deref().map(Vec::as_slice),
        }
    }
}

/// An embedded test case: answers and the outcome they must give.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// What the case is about, e.g. `warfarin with unknown INR`.
    pub name: String,
    /// Answers, as in an answers file.
    #[serde(deserialize_with = "unique_map")]
    pub answers: serde_json::Map<String, serde_json::Value>,
    /// Clinic settings for this case (the others keep their defaults).
    #[serde(
        default,
        deserialize_with = "unique_map",
        skip_serializing_if = "serde_json::Map::is_empty"
    )]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// The expected outcome level.
    pub expect: Level,
    /// If given, exactly the rules that must fire (any order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_rules: Option<Vec<String>>,
}

/// An element of a list that is parsed on its own, so that one bad element does not hide
/// the problems of the others: the loader reports every element's error at once.
#[derive(Debug, Clone)]
pub enum Lenient<T> {
    Ok(T),
    Err(LenientError),
}

/// Why a [`Lenient`] element did not parse: the path inside the element and the message.
#[derive(Debug, Clone)]
pub struct LenientError {
    pub path: Vec<String>,
    pub message: String,
    /// The element's `id` (or `name`), when it has one: references to it are then not
    /// reported again as unknown.
    pub id: Option<String>,
}

/// How a questionnaire file is being parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parse {
    /// Element by element, so that every bad element is reported ([`Lenient`]).
    Lenient,
    /// Straight into the types ([`parse_direct`]).
    Direct,
    /// Straight into the types, test cases skipped unread ([`parse_direct_without_tests`]).
    DirectWithoutTests,
}

thread_local! {
    static PARSE: std::cell::Cell<Parse> = const { std::cell::Cell::new(Parse::Lenient) };
}

/// Parses with every [`Lenient`] element read straight into its type: fast, but the first bad
/// element fails the whole parse. The loader tries this first and falls back to the slow,
/// element-by-element parse (which reports every problem) only when it fails.
pub fn parse_direct(text: &str) -> Result<QuestionnaireFile, serde_json::Error> {
    parse_as(text, Parse::Direct)
}

/// As [`parse_direct`], with no test cases: they are skipped unread. For a questionnaire whose
/// tests are run elsewhere (the embedded one, by the test suite and `validate`).
pub fn parse_direct_without_tests(text: &str) -> Result<QuestionnaireFile, serde_json::Error> {
    parse_as(text, Parse::DirectWithoutTests)
}

fn parse_as(text: &str, mode: Parse) -> Result<QuestionnaireFile, serde_json::Error> {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            PARSE.set(Parse::Lenient);
        }
    }
    PARSE.set(mode);
    let _reset = Reset;
    serde_json::from_str(text)
}

/// The `tests` member: read, or skipped when the parse leaves the tests out.
fn tests_field<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Lenient<TestCase>>, D::Error> {
    if PARSE.get() == Parse::DirectWithoutTests {
        serde::de::IgnoredAny::deserialize(d)?;
        return Ok(Vec::new());
    }
    Vec::deserialize(d)
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if PARSE.get() != Parse::Lenient {
            return T::deserialize(d).map(Lenient::Ok);
        }
        let value = serde_json::Value::deserialize(d)?;
        let id = ["id", "name"]
            .iter()
            .find_map(|k| value.get(k).and_then(|v| v.as_str()).map(str::to_string));
        Ok(match serde_path_to_error::deserialize::<_, T>(value) {
            Ok(t) => Lenient::Ok(t),
            Err(e) => Lenient::Err(LenientError {
                path: crate::locate::path_segments(e.path()),
                message: e.into_inner().to_string(),
                id,
            }),
        })
    }
}

impl<T: Serialize> Serialize for Lenient<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Lenient::Ok(t) => t.serialize(s),
            Lenient::Err(_) => s.serialize_none(),
        }
    }
}

impl fmt::Display for Condition {
    /// A compact, readable form for listings: `pregnant = "yes"`, `all(a, b)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, name: &str, xs: &[Condition]| {
            write!(f, "{name}(")?;
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{x}")?;
            }
            f.write_str(")")
        };
        if let Some(xs) = &self.all {
            return list(f, "all", xs);
        }
        if let Some(xs) = &self.any {
            return list(f, "any", xs);
        }
        if let Some(x) = &self.not {
            return write!(f, "not({x})");
        }
        if let Some(n) = self.at_least {
            return list(
                f,
                &format!("at least {n} of "),
                self.of.as_deref().unwrap_or(&[]),
            );
        }
        let q = match (&self.q, &self.setting) {
            (Some(q), _) => q.clone(),
            (None, Some(s)) => format!("setting {s}"),
            (None, None) => "?".to_string(),
        };
        if let Some(v) = &self.equals {
            return write!(f, "{q} = {v}");
        }
        if let Some(vs) = &self.one_of {
            let vs: Vec<String> = vs.iter().map(ToString::to_string).collect();
            return write!(f, "{q} in [{}]", vs.join(", "));
        }
        if let Some(c) = &self.contains {
            return write!(f, "{q} contains \"{c}\"");
        }
        for (op, v) in [
            ("<", &self.lt),
            ("<=", &self.le),
            (">", &self.gt),
            (">=", &self.ge),
        ] {
            if let Some(v) = v {
                return write!(f, "{q} {op} {v}");
            }
        }
        if let Some(b) = self.answered {
            return write!(f, "{q} {}", if b { "answered" } else { "not answered" });
        }
        if let Some(b) = self.unsure {
            return write!(
                f,
                "{q} {}",
                if b {
                    "is not sure"
                } else {
                    "is not \"not sure\""
                }
            );
        }
        f.write_str("(empty condition)")
    }
}
