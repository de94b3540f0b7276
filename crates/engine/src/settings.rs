//! Clinic settings: the decisions a questionnaire leaves to each clinic (the INR limit, the
//! pacemaker policy, …), their values, and how values are checked and written.
//!
//! A questionnaire declares each setting with its type and default ([`crate::model::Setting`]);
//! conditions read them; a clinic file ([`crate::clinic`]) sets them. A loaded
//! [`crate::Questionnaire`] always has every setting's effective value.

use serde_json::Value;

use crate::condition::SettingValue;
use crate::model::{Literal, Setting, SettingType};
use crate::suggest::did_you_mean;

/// Why a value does not fit a setting: a message that names no value, and a hint.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueError {
    /// What is wrong, naming no value.
    pub message: String,
    /// How to fix it, where there is more to say.
    pub help: Option<String>,
}

/// The codes of a choice or yes/no setting, in index order.
pub fn codes(s: &Setting) -> Vec<&str> {
    match s.kind {
        SettingType::YesNo => vec!["yes", "no"],
        _ => s.options.iter().map(|o| o.code.as_str()).collect(),
    }
}

/// Checks a literal against a setting's declaration.
pub fn check_literal(s: &Setting, v: &Literal) -> Result<SettingValue, ValueError> {
    match (s.kind, v) {
        (SettingType::Number, Literal::Number(n)) => {
            let range = || match (s.min, s.max) {
                (Some(lo), Some(hi)) => format!(
                    "use a number from {} to {}",
                    crate::answers::fmt_num(lo),
                    crate::answers::fmt_num(hi)
                ),
                (Some(lo), None) => format!("use {} or more", crate::answers::fmt_num(lo)),
                (None, Some(hi)) => format!("use {} or less", crate::answers::fmt_num(hi)),
                (None, None) => "use a number".into(),
            };
            if !n.is_finite() || s.min.is_some_and(|lo| *n < lo) || s.max.is_some_and(|hi| *n > hi)
            {
                return Err(ValueError {
                    message: format!("the value is out of range for `{}`", s.id),
                    help: Some(range()),
                });
            }
            if s.integer && n.fract() != 0.0 {
                return Err(ValueError {
                    message: format!("`{}` takes a whole number", s.id),
                    help: Some(range()),
                });
            }
            Ok(SettingValue::Number(*n))
        }
        (SettingType::Number, Literal::Text(_)) => Err(ValueError {
            message: format!("`{}` is a number setting, and the value is text", s.id),
            help: Some("write a number without quotes, e.g. 2.5".into()),
        }),
        (_, Literal::Text(t)) => {
            let codes = codes(s);
            match codes.iter().position(|c| c == t) {
                Some(i) => Ok(SettingValue::Code(i)),
                None => Err(ValueError {
                    message: format!("`{}` has no such option", s.id),
                    help: Some(match did_you_mean(t, codes.iter().copied()) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => format!("options: {}", codes.join(", ")),
                    }),
                }),
            }
        }
        (_, Literal::Number(_)) => Err(ValueError {
            message: format!(
                "`{}` is a {} setting, and the value is a number",
                s.id,
                s.kind.as_str()
            ),
            help: Some(format!("options: {}", codes(s).join(", "))),
        }),
    }
}

/// Checks a JSON value (from a clinic file or a test case) against a setting's declaration.
pub fn check_json(s: &Setting, v: &Value) -> Result<SettingValue, ValueError> {
    let literal = match v {
        Value::Number(n) => n.as_f64().map(Literal::Number),
        Value::String(t) => Some(Literal::Text(t.clone())),
        _ => None,
    };
    match literal {
        Some(l) => check_literal(s, &l),
        None => Err(ValueError {
            message: format!("`{}` takes {}", s.id, what(s)),
            help: Some(match s.kind {
                SettingType::Number => "write a number, e.g. 2.5".into(),
                _ => format!("options: {}", codes(s).join(", ")),
            }),
        }),
    }
}

fn what(s: &Setting) -> &'static str {
    match s.kind {
        SettingType::Number => "a number",
        SettingType::Choice => "an option code (a string)",
        SettingType::YesNo => "\"yes\" or \"no\"",
    }
}

/// A value as written in a clinic file and a record: the option code, or the number.
pub fn to_json(s: &Setting, v: SettingValue) -> Value {
    match v {
        SettingValue::Code(i) => codes(s).get(i).map_or(Value::Null, |c| Value::from(*c)),
        SettingValue::Number(n) => serde_json::Number::from_f64(n).map_or(Value::Null, |n| {
            // Whole numbers as integers: `18`, not `18.0`.
            if n.as_f64()
                .is_some_and(|f| f.fract() == 0.0 && f.abs() < 1e15)
            {
                Value::from(n.as_f64().unwrap_or_default() as i64)
            } else {
                Value::Number(n)
            }
        }),
    }
}

/// A value in words: the option's label (with its code), or the number with its unit.
pub fn to_text(s: &Setting, v: SettingValue) -> String {
    match v {
        SettingValue::Code(i) => match s.kind {
            SettingType::YesNo => codes(s).get(i).copied().unwrap_or("?").to_string(),
            _ => s
                .options
                .get(i)
                .map_or("?".into(), |o| format!("{} ({})", o.code, o.label)),
        },
        SettingValue::Number(n) => match &s.unit {
            Some(u) => format!("{} {u}", crate::answers::fmt_num(n)),
            None => crate::answers::fmt_num(n),
        },
    }
}
