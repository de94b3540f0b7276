//! Checks of single items: the top-level fields and each question's own fields.

use super::check::{Checker, Ptr};
use crate::model::{Question, QuestionType, QuestionnaireFile};

pub(super) fn check_meta(c: &mut Checker, f: &QuestionnaireFile) {
    if f.id.trim().is_empty() {
        c.push("/id".into(), "the questionnaire id is empty", None);
    }
    if let Some(url) = &f.url
        && !is_absolute_uri(url)
    {
        c.push(
            "/url".into(),
            "`url` is not an absolute URI",
            Some(
                "write a scheme, a colon and no spaces, e.g. \
                 `https://clinic.example/fhir/Questionnaire/intake`"
                    .into(),
            ),
        );
    }
    if !is_semver(&f.version) {
        c.push(
            "/version".into(),
            format!("version `{}` is not a semantic version", f.version),
            Some("write it as MAJOR.MINOR.PATCH, e.g. `1.0.0`".into()),
        );
    }
    for (field, value) in [
        ("title", &f.title),
        ("locale", &f.locale),
        ("introduction", &f.introduction),
        ("disclaimer", &f.disclaimer),
    ] {
        if value.trim().is_empty() {
            c.push(format!("/{field}"), format!("`{field}` is empty"), None);
        }
    }
    c.unique(
        "contact id",
        "id",
        f.contacts
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("/contacts/{i}"), x.id.as_str())),
    );
    c.unique(
        "source id",
        "id",
        f.sources
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("/sources/{i}"), x.id.as_str())),
    );
}

/// A scheme (a letter, then letters, digits, `+`, `-` or `.`), a colon, and something after
/// it, with no spaces or control characters: what FHIR accepts as a canonical URL.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut first = scheme.chars();
    first.next().is_some_and(|c| c.is_ascii_alphabetic())
        && first.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn is_semver(v: &str) -> bool {
    let core = v.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
        })
}

pub(super) fn check_question(c: &mut Checker, q: &Question, p: &Ptr) {
    use QuestionType::*;
    let kind = q.kind.as_str();
    let mut not_for = |field: &str, present: bool| {
        if present && c.keeps() {
            c.push(
                format!("{p}/{field}"),
                format!("`{field}` does not apply to a {kind} question"),
                Some(format!("remove `{field}` or change `type`")),
            );
        }
    };
    not_for("options", !q.kind.has_options() && !q.options.is_empty());
    not_for("unit", q.kind != Number && q.unit.is_some());
    not_for("min", q.kind != Number && q.min.is_some());
    not_for("max", q.kind != Number && q.max.is_some());
    not_for("integer", q.kind != Number && q.integer);
    not_for("max_length", q.kind != Text && q.max_length.is_some());
    not_for("required", q.kind == Display && q.required.is_some());
    not_for(
        "allow_unsure",
        q.kind.unsure_by_default().is_none() && q.allow_unsure.is_some(),
    );
    if q.text.trim().is_empty() {
        c.push(format!("{p}/text"), format!("`{}` has no text", q.id), None);
    }
    if q.id.chars().any(|ch| ch.is_whitespace()) {
        c.push(
            format!("{p}/id"),
            format!("question id `{}` contains spaces", q.id),
            Some("use letters, digits and `_`".into()),
        );
    }
    if q.kind.has_options() {
        let least = if q.kind == SingleChoice { 2 } else { 1 };
        if q.options.len() < least {
            c.push(
                format!("{p}/options"),
                format!("`{}` needs at least {least} options", q.id),
                None,
            );
        }
        check_option_codes(c, q, p);
        for (i, o) in q.options.iter().enumerate() {
            if o.code == "unsure" {
                c.push(
                    format!("{p}/options/{i}/code"),
                    "`unsure` is reserved for \"Not sure\"",
                    Some("use `allow_unsure: true` instead of an option, or another code".into()),
                );
            }
            if o.exclusive && q.kind != MultiChoice {
                c.push(
                    format!("{p}/options/{i}/exclusive"),
                    "`exclusive` applies only to multi_choice options",
                    None,
                );
            }
        }
    }
    if let (Some(lo), Some(hi)) = (q.min, q.max)
        && lo > hi
    {
        c.push(
            format!("{p}/min"),
            format!("min {lo} is greater than max {hi}"),
            None,
        );
    }
}

/// Option codes are not empty and each is given once. The question's own index of its codes
/// (which scoring needs anyway) finds the first option with each code, so a long list costs no
/// second table.
fn check_option_codes(c: &mut Checker, q: &Question, p: &Ptr) {
    let options = p.key("options");
    for (i, o) in q.options.iter().enumerate() {
        let at = options.index(i);
        if o.code.trim().is_empty() {
            c.push(format!("{at}/code"), "option code is empty", None);
        } else if let Some(first) = q.option_index(&o.code).filter(|&first| first != i) {
            c.duplicate("option code", "code", &at, &o.code, &options.index(first));
        }
    }
}
