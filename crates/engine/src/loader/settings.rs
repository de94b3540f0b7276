//! The settings stage: each declared clinic setting is well formed and its default fits it.

use foldhash::{HashMap, HashSet};

use super::check::Checker;
use crate::condition::SettingValue;
use crate::model::{Setting, SettingType};
use crate::settings::check_literal;
use crate::suggest::clip;

/// Checks the declarations; returns the defaults (a placeholder where a default is wrong, which
/// is reported, so the questionnaire does not load).
pub(super) fn check_settings(
    c: &mut Checker,
    settings: &[Setting],
    source_ids: &HashSet<&str>,
) -> Vec<SettingValue> {
    c.unique(
        "setting id",
        "id",
        settings
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("/settings/{i}"), s.id.as_str())),
    );
    let mut defaults = Vec::with_capacity(settings.len());
    for (i, s) in settings.iter().enumerate() {
        let p = format!("/settings/{i}");
        check_wording(c, s, &p);
        check_fields(c, s, &p);
        check_sources(c, s, &p, source_ids);
        defaults.push(match check_literal(s, &s.default) {
            Ok(v) => v,
            Err(e) => {
                c.push(format!("{p}/default"), e.message, e.help);
                SettingValue::Code(0)
            }
        });
    }
    defaults
}

/// The setting's id, label and help.
fn check_wording(c: &mut Checker, s: &Setting, p: &str) {
    if s.id.chars().any(|ch| ch.is_whitespace()) {
        c.push(
            format!("{p}/id"),
            format!("setting id `{}` contains spaces", clip(&s.id)),
            Some("use letters, digits and `_`".into()),
        );
    }
    for (field, value) in [("label", &s.label), ("help", &s.help)] {
        if value.trim().is_empty() {
            c.push(format!("{p}/{field}"), format!("`{field}` is empty"), None);
        }
    }
}

/// The fields that go with the setting's type: options for a choice, limits for a number.
fn check_fields(c: &mut Checker, s: &Setting, p: &str) {
    let kind = s.kind.as_str();
    let mut not_for = |field: &str, present: bool| {
        if present {
            c.push(
                format!("{p}/{field}"),
                format!("`{field}` does not apply to a {kind} setting"),
                Some(format!("remove `{field}` or change `type`")),
            );
        }
    };
    let number = s.kind == SettingType::Number;
    not_for(
        "options",
        s.kind != SettingType::Choice && !s.options.is_empty(),
    );
    not_for("unit", !number && s.unit.is_some());
    not_for("min", !number && s.min.is_some());
    not_for("max", !number && s.max.is_some());
    not_for("integer", !number && s.integer);
    if s.kind == SettingType::Choice {
        if s.options.len() < 2 {
            c.push(
                format!("{p}/options"),
                format!("`{}` needs at least 2 options", s.id),
                Some("a setting with one choice is no decision".into()),
            );
        }
        c.unique(
            "option code",
            "code",
            s.options
                .iter()
                .enumerate()
                .map(|(oi, o)| (format!("{p}/options/{oi}"), o.code.as_str())),
        );
    }
    if let (Some(lo), Some(hi)) = (s.min, s.max)
        && lo > hi
    {
        c.push(
            format!("{p}/min"),
            format!("min {lo} is greater than max {hi}"),
            None,
        );
    }
}

/// Every source the setting cites is declared.
fn check_sources(c: &mut Checker, s: &Setting, p: &str, source_ids: &HashSet<&str>) {
    for (si, src) in s.sources.iter().enumerate() {
        if !source_ids.contains(src.as_str()) {
            c.push(
                format!("{p}/sources/{si}"),
                format!("unknown source `{}`", clip(src)),
                Some(
                    match c.suggest.did_you_mean(src, source_ids.iter().copied()) {
                        Some(x) => format!("did you mean `{}`?", clip(x)),
                        None => "add it to the top-level `sources` list".into(),
                    },
                ),
            );
        }
    }
}

/// Reports every `{name}` in a text that names no declared setting.
pub(super) fn check_placeholders(
    c: &mut Checker,
    pointer: &dyn Fn() -> String,
    text: &str,
    settings: &HashMap<&str, usize>,
) {
    for name in crate::questionnaire::placeholders(text) {
        if !settings.contains_key(name) {
            c.push(
                pointer(),
                format!(
                    "the text names `{{{}}}`, which is not a setting",
                    clip(name)
                ),
                Some(
                    match c.suggest.did_you_mean(name, settings.keys().copied()) {
                        Some(s) => format!("did you mean `{{{}}}`?", clip(s)),
                        None => "`{id}` in a text is replaced by the value of the setting `id`; \
                             declare it in `settings` or remove the braces"
                            .into(),
                    },
                ),
            );
        }
    }
}

/// Every `{name}` in the texts that can name settings (question text, staff text and help; rule
/// message and practitioner note) must name a declared setting.
pub(super) fn check_texts(
    c: &mut Checker,
    flat: &super::check::Flat,
    file: &crate::model::QuestionnaireFile,
    settings: &HashMap<&str, usize>,
) {
    for (i, q) in flat.questions.iter().enumerate() {
        let texts = [
            ("text", Some(&q.text)),
            ("staff_text", q.staff_text.as_ref()),
            ("help", q.help.as_ref()),
        ];
        for (field, t) in texts {
            if let Some(t) = t {
                let at = || format!("{}/{field}", flat.ptr(i));
                check_placeholders(c, &at, t, settings);
            }
        }
    }
    for (ri, r) in file.rules.iter().enumerate() {
        if let crate::model::Lenient::Ok(r) = r {
            let texts = [
                ("message", Some(&r.message)),
                ("practitioner_note", r.practitioner_note.as_ref()),
            ];
            for (field, t) in texts {
                if let Some(t) = t {
                    let at = || format!("/rules/{ri}/{field}");
                    check_placeholders(c, &at, t, settings);
                }
            }
        }
    }
}

/// The settings of an embedded test case: each one declared, each value fitting.
pub(super) fn check_test_settings(
    c: &mut Checker,
    r: &super::compile::Resolver,
    t: &crate::model::TestCase,
    base: &str,
) {
    for (key, value) in &t.settings {
        let at = format!("{base}/settings/{}", crate::locate::escape_segment(key));
        match r.setting_index.get(key.as_str()) {
            Some(&si) => {
                if let Err(e) = crate::settings::check_json(&r.settings[si], value) {
                    c.push(at, e.message, e.help);
                }
            }
            None => {
                let help = c
                    .suggest
                    .did_you_mean(key, r.setting_index.keys().copied())
                    .map(|s| format!("did you mean `{}`?", clip(s)));
                c.add(
                    crate::diagnostics::Problem::new(
                        at,
                        format!("unknown setting `{}`", clip(key)),
                    )
                    .with_optional_help(help)
                    .at_key(),
                );
            }
        }
    }
}
