//! Clinic files: one clinic's decisions (the settings a questionnaire declares), its name and
//! phone number, and its own phone lines, kept apart from the questionnaire so that they
//! survive a new release of it.
//!
//! A clinic file is checked like a questionnaire: every problem at once, each located by
//! file:line:column and JSON pointer, with a did-you-mean for unknown names. It must name the
//! questionnaire it was written for, and every value must fit its setting's declaration;
//! otherwise nothing is screened (a half-read policy is no policy).

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::diagnostics::{LoadError, Problem};
use crate::loader::{duplicate_key_problems, lenient_problem, sha256_hex};
use crate::locate;
use crate::model::{Contact, Lenient, Level, unique_map};
use crate::questionnaire::{ClinicInfo, Questionnaire};
use crate::suggest::did_you_mean;

/// Largest clinic file accepted.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The environment variable that names a clinic file when `--clinic` is not given.
pub const ENV_VAR: &str = "NEEDLECHECK_CLINIC";

/// A clinic file as written.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicFile {
    /// Optional pointer to the JSON Schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The id of the questionnaire this file was written for, e.g. `dry-needling`.
    pub questionnaire: String,
    /// The clinic's name and phone number, shown in the advice and the handover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clinic: Option<ClinicDetails>,
    /// Setting id to value (an option code, `yes`/`no`, or a number); settings not given keep
    /// the questionnaire's default.
    #[serde(default, deserialize_with = "unique_map")]
    #[schemars(with = "std::collections::BTreeMap<String, crate::model::Literal>")]
    pub settings: Map<String, Value>,
    /// Phone lines: an entry with the id of one of the questionnaire's contacts changes the
    /// fields it gives; an entry with a new id adds a line (then `name`, `number` and
    /// `show_for` are needed).
    #[serde(default)]
    #[schemars(with = "Vec<ContactEntry>")]
    pub contacts: Vec<Lenient<ContactEntry>>,
}

/// The clinic itself.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClinicDetails {
    /// The clinic's name, e.g. `Harbour Physio`.
    pub name: String,
    /// The clinic's phone number, e.g. `02 9000 0000`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// A phone line that a clinic changes or adds.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactEntry {
    /// The contact's id: one of the questionnaire's to change it, or a new one to add.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tell: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_for: Option<Vec<Level>>,
}

/// The levels whose advice lists the clinic's own phone number: every level where the person
/// books or comes back to the clinic (not an emergency, where 000 is the only number).
const CLINIC_LINE_LEVELS: [Level; 5] = [
    Level::Clear,
    Level::Review,
    Level::Incomplete,
    Level::NotSuitable,
    Level::SeeDoctor,
];

/// Reads a clinic file and returns `q` running under it.
pub fn load_path(path: &Path, q: &Questionnaire) -> Result<Questionnaire, LoadError> {
    let bytes = crate::diagnostics::read_limited(path, MAX_FILE_BYTES)?;
    load_str(&crate::diagnostics::display_name(path), &bytes, q)
}

/// Checks clinic-file bytes against `q` and returns `q` running under them; `name` is used in
/// messages and kept as the clinic file's origin.
pub fn load_str(name: &str, bytes: &[u8], q: &Questionnaire) -> Result<Questionnaire, LoadError> {
    let text = crate::diagnostics::json_text(name, bytes)?;
    let file: ClinicFile =
        crate::loader::deserialize_located(name, text, "needlecheck schema clinic")?;
    let mut problems = duplicate_key_problems(text);
    problems.extend(crate::text_rules::control_character_problems(text));
    let applied = check(&file, q, name, sha256_hex(bytes), &mut problems);
    if !problems.is_empty() {
        return Err(LoadError::invalid(name, text, problems));
    }
    Ok(applied)
}

fn push(problems: &mut Vec<Problem>, pointer: String, message: String, help: Option<String>) {
    problems.push(Problem::new(pointer, message).with_optional_help(help));
}

/// Whether a phone number holds only what is dialled or printed: digits, spaces, `+`, `-`,
/// brackets and letters (as in `1800MEDICARE`).
fn phone_ok(n: &str) -> bool {
    n.chars().any(|c| c.is_ascii_digit())
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || " +-()".contains(c))
}

fn check(
    file: &ClinicFile,
    q: &Questionnaire,
    name: &str,
    sha256: String,
    problems: &mut Vec<Problem>,
) -> Questionnaire {
    check_header(file, q, problems);
    let values = settings(file, q, problems);
    let contacts = contacts(file, q, problems);
    let mut out = q.clone().with_settings(values);
    out.set_clinic(
        ClinicInfo {
            name: file.clinic.as_ref().map(|c| c.name.clone()),
            phone: file.clinic.as_ref().and_then(|c| c.phone.clone()),
            sha256,
            origin: name.to_string(),
        },
        contacts,
    );
    out
}

/// The questionnaire it is written for, and the clinic's own name and number.
fn check_header(file: &ClinicFile, q: &Questionnaire, problems: &mut Vec<Problem>) {
    if file.questionnaire != q.id() {
        push(
            problems,
            "/questionnaire".into(),
            format!(
                "this clinic file is for the questionnaire `{}`, not `{}`",
                file.questionnaire,
                q.id()
            ),
            Some(format!(
                "use a clinic file written for `{}`, or the questionnaire it was written for",
                q.id()
            )),
        );
    }
    if let Some(c) = &file.clinic {
        if c.name.trim().is_empty() {
            push(
                problems,
                "/clinic/name".into(),
                "the clinic's name is empty".into(),
                None,
            );
        }
        if let Some(p) = &c.phone
            && !phone_ok(p)
        {
            push(
                problems,
                "/clinic/phone".into(),
                "the clinic's phone number is not a phone number".into(),
                Some("use digits, spaces and + - ( ) only, e.g. 02 9000 0000".into()),
            );
        }
    }
}

/// The settings' values: every key declared, every value fitting its declaration.
fn settings(
    file: &ClinicFile,
    q: &Questionnaire,
    problems: &mut Vec<Problem>,
) -> Vec<crate::condition::SettingValue> {
    let mut values = q.setting_defaults();
    for (key, value) in &file.settings {
        let at = format!("/settings/{}", locate::escape_segment(key));
        match q.setting_index(key) {
            Some(si) => match crate::settings::check_json(&q.settings()[si], value) {
                Ok(v) => values[si] = v,
                Err(e) => push(problems, at, e.message, e.help),
            },
            None => problems.push(
                Problem::new(at, format!("unknown setting `{key}`"))
                    .with_help(unknown_setting_help(key, q))
                    .at_key(),
            ),
        }
    }
    values
}

fn unknown_setting_help(key: &str, q: &Questionnaire) -> String {
    match did_you_mean(key, q.settings().iter().map(|s| s.id.as_str())) {
        Some(s) => format!("did you mean `{s}`?"),
        None if q.settings().is_empty() => {
            format!("the questionnaire `{}` declares no settings", q.id())
        }
        None => format!(
            "settings: {}",
            q.settings()
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The phone lines: the questionnaire's, the clinic's own, and the file's entries, each of
/// which changes a line by id or adds one.
fn contacts(file: &ClinicFile, q: &Questionnaire, problems: &mut Vec<Problem>) -> Vec<Contact> {
    let mut contacts: Vec<Contact> = q.contacts().to_vec();
    let mut seen: Vec<&str> = Vec::new();
    if let Some(ClinicDetails {
        name,
        phone: Some(phone),
    }) = &file.clinic
    {
        contacts.push(Contact {
            id: "clinic".into(),
            name: name.clone(),
            number: phone.clone(),
            when: Some(
                "Your clinic: to book, to ask about this result, or if your health changes \
                 before your appointment."
                    .into(),
            ),
            tell: None,
            show_for: CLINIC_LINE_LEVELS.to_vec(),
        });
    }
    for (i, entry) in file.contacts.iter().enumerate() {
        let base = format!("/contacts/{i}");
        let e = match entry {
            Lenient::Ok(e) => e,
            Lenient::Err(err) => {
                problems.push(lenient_problem(&base, err));
                continue;
            }
        };
        if seen.contains(&e.id.as_str()) {
            push(
                problems,
                format!("{base}/id"),
                format!("contact `{}` is given twice", e.id),
                Some("keep one entry per contact".into()),
            );
            continue;
        }
        seen.push(&e.id);
        check_entry(e, &base, problems);
        match contacts.iter_mut().find(|c| c.id == e.id) {
            Some(c) => change(c, e),
            None => match new_contact(e, &contacts) {
                Ok(c) => contacts.push(c),
                Err(p) => problems.push(p.under(&base)),
            },
        }
    }
    contacts
}

/// A contact entry's number and wording.
fn check_entry(e: &ContactEntry, base: &str, problems: &mut Vec<Problem>) {
    if let Some(n) = &e.number
        && !phone_ok(n)
    {
        push(
            problems,
            format!("{base}/number"),
            "the number is not a phone number".into(),
            Some("use digits, spaces and + - ( ) only".into()),
        );
    }
    for (field, v) in [("name", &e.name), ("when", &e.when), ("tell", &e.tell)] {
        if v.as_ref().is_some_and(|t| t.trim().is_empty()) {
            push(
                problems,
                format!("{base}/{field}"),
                format!("`{field}` is empty"),
                Some("leave the field out to keep the questionnaire's wording".into()),
            );
        }
    }
}

/// Changes a questionnaire's contact by the fields an entry gives.
fn change(c: &mut Contact, e: &ContactEntry) {
    if let Some(x) = &e.name {
        c.name = x.clone();
    }
    if let Some(x) = &e.number {
        c.number = x.clone();
    }
    if let Some(x) = &e.when {
        c.when = Some(x.clone());
    }
    if let Some(x) = &e.tell {
        c.tell = Some(x.clone());
    }
    if let Some(x) = &e.show_for {
        c.show_for = x.clone();
    }
}

/// A new contact from an entry with an id of its own, which must then give a name, a number
/// and the levels it shows for. The problem's pointer is relative to the entry.
fn new_contact(e: &ContactEntry, known: &[Contact]) -> Result<Contact, Problem> {
    let missing: Vec<&str> = [
        ("name", e.name.is_none()),
        ("number", e.number.is_none()),
        ("show_for", e.show_for.is_none()),
    ]
    .into_iter()
    .filter(|x| x.1)
    .map(|x| x.0)
    .collect();
    if !missing.is_empty() {
        let known: Vec<&str> = known.iter().map(|c| c.id.as_str()).collect();
        let message = format!(
            "`{}` is not one of the questionnaire's contacts, and a new one needs {}",
            e.id,
            missing.join(", ")
        );
        let help = match did_you_mean(&e.id, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("contacts: {}", known.join(", ")),
        };
        return Err(Problem::new("/id", message).with_help(help));
    }
    Ok(Contact {
        id: e.id.clone(),
        name: e.name.clone().unwrap_or_default(),
        number: e.number.clone().unwrap_or_default(),
        when: e.when.clone(),
        tell: e.tell.clone(),
        show_for: e.show_for.clone().unwrap_or_default(),
    })
}
