//! The condition compiler: a [`Condition`] as written becomes a checked [`Expr`].

use foldhash::{HashMap, HashSet};

use super::check::{Checker, Ptr};
use crate::condition::{CmpOp, Expr, SettingTest, Test};
use crate::model::{Bound, Condition, Literal, Question, QuestionType, Setting, SettingType};
use crate::suggest::{clip, list};

/// Resolves ids in conditions.
pub(super) struct Resolver<'a> {
    pub(super) questions: &'a [Question],
    pub(super) index: &'a HashMap<&'a str, usize>,
    pub(super) broken: &'a HashSet<String>,
    /// The declared clinic settings, by id; settings that did not parse are in `broken`.
    pub(super) settings: &'a [Setting],
    pub(super) setting_index: &'a HashMap<&'a str, usize>,
}

/// The operators (or combinators) a condition names: none or one, without allocating, as in
/// every well-formed condition; or several, listed for the message.
enum Present {
    One(Option<&'static str>),
    Many(Vec<&'static str>),
}

impl Present {
    fn first(&self) -> Option<&'static str> {
        match self {
            Present::One(x) => *x,
            Present::Many(xs) => xs.first().copied(),
        }
    }

    fn names(self) -> Vec<&'static str> {
        match self {
            Present::One(x) => x.into_iter().collect(),
            Present::Many(xs) => xs,
        }
    }
}

/// What a condition is, once its shape is checked: a leaf with its operator, or a combinator.
enum Shape {
    Leaf(&'static str),
    Combinator(&'static str),
}

const SHAPES: &str = "a condition is either {\"q\": id, <one operator>: value} or one of all / any / not / at_least+of";

/// The shape of a condition: exactly one operator, and `q` or `setting` only with a leaf
/// operator. Reports what is wrong otherwise.
fn shape(c: &mut Checker, cond: &Condition, p: &Ptr) -> Option<Shape> {
    let leaf_ops: [(&'static str, bool); 9] = [
        ("equals", cond.equals.is_some()),
        ("one_of", cond.one_of.is_some()),
        ("contains", cond.contains.is_some()),
        ("lt", cond.lt.is_some()),
        ("le", cond.le.is_some()),
        ("gt", cond.gt.is_some()),
        ("ge", cond.ge.is_some()),
        ("answered", cond.answered.is_some()),
        ("unsure", cond.unsure.is_some()),
    ];
    let combinators: [(&'static str, bool); 4] = [
        ("all", cond.all.is_some()),
        ("any", cond.any.is_some()),
        ("not", cond.not.is_some()),
        ("at_least", cond.at_least.is_some() || cond.of.is_some()),
    ];
    let present = |list: &[(&'static str, bool)]| {
        let mut names = list.iter().filter(|x| x.1).map(|x| x.0);
        match (names.next(), names.next()) {
            (first, None) => Present::One(first),
            _ => Present::Many(list.iter().filter(|x| x.1).map(|x| x.0).collect()),
        }
    };
    let (ops, combs) = (present(&leaf_ops), present(&combinators));
    if let (Some(_), Some(_)) = (&cond.q, &cond.setting) {
        c.push(
            p.to_string(),
            "a condition has both `q` and `setting`",
            Some("a leaf looks at one question or one setting; compare a question with a setting as {\"q\": id, \"gt\": {\"setting\": id}}".into()),
        );
        return None;
    }
    if let (Some(_), Some(comb)) = (cond.q.as_ref().or(cond.setting.as_ref()), combs.first()) {
        c.push(
            p.to_string(),
            format!(
                "a condition mixes `{}` with `{comb}`",
                if cond.q.is_some() { "q" } else { "setting" }
            ),
            Some(SHAPES.into()),
        );
        return None;
    }
    match (ops, combs) {
        (Present::One(None), Present::One(None)) => {
            c.push(
                p.to_string(),
                "the condition has no operator",
                Some(SHAPES.into()),
            );
            None
        }
        (Present::One(Some(op)), Present::One(None)) => Some(Shape::Leaf(op)),
        (Present::One(None), Present::One(Some(comb))) => Some(Shape::Combinator(comb)),
        (ops, combs) => {
            let all = [combs.names(), ops.names()].concat();
            c.push(
                p.to_string(),
                format!("one condition has several operators: {}", all.join(", ")),
                Some("combine them with `all: [...]` or `any: [...]`".into()),
            );
            None
        }
    }
}

/// Reports that operator `op` does not fit `what` ("`id`, a yes_no question").
fn mismatch<T>(c: &mut Checker, p: &Ptr, op: &str, what: String, hint: &str) -> Option<T> {
    c.push(
        format!("{p}/{op}"),
        format!("`{op}` does not fit {what}"),
        Some(hint.to_string()),
    );
    None
}

/// The values of an `equals` (one) or a `one_of` (a list, not empty), as written.
fn literals<'c>(c: &mut Checker, cond: &'c Condition, p: &Ptr) -> Option<&'c [Literal]> {
    let values = match (&cond.equals, &cond.one_of) {
        (Some(v), _) => std::slice::from_ref(v),
        (_, Some(vs)) => vs.as_slice(),
        _ => return None,
    };
    if values.is_empty() {
        c.push(format!("{p}/one_of"), "`one_of` is empty", None);
        return None;
    }
    Some(values)
}

impl Resolver<'_> {
    pub(super) fn compile(&self, c: &mut Checker, cond: &Condition, p: &Ptr) -> Option<Expr> {
        match shape(c, cond, p)? {
            Shape::Leaf(op) => {
                if let Some(id) = &cond.setting {
                    return self.setting_leaf(c, cond, id, op, p);
                }
                let Some(id) = &cond.q else {
                    c.push(
                        p.to_string(),
                        format!("`{op}` needs `q`, the question it looks at"),
                        None,
                    );
                    return None;
                };
                self.leaf(c, cond, id, op, p)
            }
            Shape::Combinator("all") => self
                .list(c, cond.all.as_deref().unwrap_or_default(), "all", p)
                .map(Expr::All),
            Shape::Combinator("any") => self
                .list(c, cond.any.as_deref().unwrap_or_default(), "any", p)
                .map(Expr::Any),
            Shape::Combinator("not") => self
                .compile(c, cond.not.as_deref()?, &p.key("not"))
                .map(Expr::negate),
            Shape::Combinator(_) => self.at_least(c, cond, p),
        }
    }

    /// The conditions of a combinator's list `field`, which must not be empty.
    fn list(&self, c: &mut Checker, xs: &[Condition], field: &str, p: &Ptr) -> Option<Vec<Expr>> {
        if xs.is_empty() {
            c.push(format!("{p}/{field}"), format!("`{field}` is empty"), None);
            return None;
        }
        // Every member is compiled, so that each one's problems are reported.
        let mut out = Some(Vec::with_capacity(xs.len()));
        let at = p.key(field);
        for (i, x) in xs.iter().enumerate() {
            match (self.compile(c, x, &at.index(i)), out.as_mut()) {
                (Some(e), Some(list)) => list.push(e),
                _ => out = None,
            }
        }
        out
    }

    /// `at_least` n `of` a list, with n from 1 to the list's length.
    fn at_least(&self, c: &mut Checker, cond: &Condition, p: &Ptr) -> Option<Expr> {
        let (Some(n), Some(of)) = (cond.at_least, &cond.of) else {
            c.push(
                p.to_string(),
                "`at_least` and `of` go together",
                Some("write {\"at_least\": 2, \"of\": [...]}".into()),
            );
            return None;
        };
        let n = n as usize;
        if n == 0 || n > of.len() {
            let never = if n == 0 {
                "never be false"
            } else {
                "never hold"
            };
            c.push(
                format!("{p}/at_least"),
                format!("at_least {n} of {} conditions can {never}", of.len()),
                Some(format!("use a number from 1 to {}", of.len())),
            );
            return None;
        }
        self.list(c, of, "of", p).map(|xs| Expr::AtLeast(n, xs))
    }

    /// Resolves a question id; reports an unknown one with a did-you-mean (and one that did
    /// not parse not at all: it has its own problem).
    fn question_id(&self, c: &mut Checker, id: &str, p: &Ptr) -> Option<usize> {
        if let Some(&qi) = self.index.get(id) {
            return Some(qi);
        }
        if self.broken.contains(id) || !c.keeps() {
            return None;
        }
        let known = self
            .index
            .keys()
            .copied()
            .chain(self.broken.iter().map(String::as_str));
        let help = c
            .suggest
            .did_you_mean(id, known)
            .map(|s| format!("did you mean `{}`?", clip(s)));
        c.push(
            format!("{p}/q"),
            format!("unknown question `{}`", clip(id)),
            help,
        );
        None
    }

    fn leaf(&self, c: &mut Checker, cond: &Condition, id: &str, op: &str, p: &Ptr) -> Option<Expr> {
        let qi = self.question_id(c, id, p)?;
        let q = &self.questions[qi];
        use QuestionType::*;
        let what = || format!("`{id}`, a {} question", q.kind.as_str());
        if q.kind == Display {
            return mismatch(c, p, op, what(), "display-only text has no answer to test");
        }
        let fits = match q.kind {
            YesNo => "use equals / one_of with \"yes\" or \"no\", answered, or unsure",
            SingleChoice => "use equals / one_of with option codes, answered, or unsure",
            MultiChoice => "use contains with an option code, or answered",
            Number => "use lt / le / gt / ge / equals with a number, answered, or unsure",
            Text | Display => "use answered",
        };
        let test = match op {
            "answered" => Test::Answered(cond.answered?),
            "unsure" if !q.allows_unsure() => {
                let hint = "this question does not offer \"Not sure\"";
                return mismatch(c, p, op, what(), hint);
            }
            "unsure" => Test::Unsure(cond.unsure?),
            "equals" | "one_of" => {
                let values = literals(c, cond, p)?;
                match q.kind {
                    YesNo | SingleChoice => Test::OneOf(self.codes(c, q, values, op, p)?),
                    Number if op == "equals" => match values[0] {
                        Literal::Number(n) => Test::Cmp(CmpOp::Eq, n),
                        _ => {
                            let hint = "compare a number question with a number";
                            return mismatch(c, p, op, what(), hint);
                        }
                    },
                    MultiChoice | Number | Text | Display => {
                        return mismatch(c, p, op, what(), fits);
                    }
                }
            }
            "contains" if q.kind != MultiChoice => return mismatch(c, p, op, what(), fits),
            "contains" => {
                let code = cond.contains.clone()?;
                Test::Contains(self.code(c, q, &Literal::Text(code), &p.key("contains"))?)
            }
            _ if q.kind != Number => return mismatch(c, p, op, what(), fits),
            _ => self.number_test(c, cond, op, p)?,
        };
        Some(Expr::Leaf {
            q: qi,
            test,
            negated: false,
        })
    }

    /// The option indices of an `equals` or `one_of` on a choice question.
    fn codes(
        &self,
        c: &mut Checker,
        q: &Question,
        values: &[Literal],
        op: &str,
        p: &Ptr,
    ) -> Option<Vec<usize>> {
        let (equals, one_of) = (p.key("equals"), p.key("one_of"));
        let mut idx = Vec::with_capacity(values.len());
        for (vi, v) in values.iter().enumerate() {
            let at = one_of.index(vi);
            let vp = if op == "equals" { &equals } else { &at };
            idx.push(self.code(c, q, v, vp)?);
        }
        Some(idx)
    }

    /// A comparison of a number answer with a number or a number setting.
    fn number_test(&self, c: &mut Checker, cond: &Condition, op: &str, p: &Ptr) -> Option<Test> {
        let (cmp, v) = cmp_of(cond, op)?;
        Some(match v {
            Bound::Number(v) => Test::Cmp(cmp, *v),
            Bound::Setting(r) => {
                let at = p.key(op);
                let si = self.number_setting(c, &r.setting, &at.key("setting"))?;
                Test::CmpSetting(cmp, si, 0.0)
            }
        })
    }

    /// Resolves a setting id; reports an unknown one with a did-you-mean.
    fn setting_id(&self, c: &mut Checker, id: &str, at: &Ptr) -> Option<usize> {
        if let Some(&si) = self.setting_index.get(id) {
            return Some(si);
        }
        if !self.broken.contains(id) {
            let help = match c
                .suggest
                .did_you_mean(id, self.setting_index.keys().copied())
            {
                Some(s) => format!("did you mean `{}`?", clip(s)),
                None if self.settings.is_empty() => {
                    "declare it in the top-level `settings` list".into()
                }
                None => format!(
                    "settings: {}",
                    self.settings
                        .iter()
                        .map(|s| s.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            c.push(
                at.to_string(),
                format!("unknown setting `{}`", clip(id)),
                Some(help),
            );
        }
        None
    }

    /// Resolves a setting that a number answer is compared with: it must be a number setting.
    fn number_setting(&self, c: &mut Checker, id: &str, p: &Ptr) -> Option<usize> {
        let si = self.setting_id(c, id, p)?;
        let kind = self.settings[si].kind;
        if kind != SettingType::Number {
            c.push(
                p.to_string(),
                format!(
                    "`{id}` is a {} setting; a number can only be compared with a number setting",
                    kind.as_str()
                ),
                None,
            );
            return None;
        }
        Some(si)
    }

    /// A leaf on a clinic setting: `equals`/`one_of` with option codes (or `yes`/`no`), or a
    /// number comparison for a number setting.
    fn setting_leaf(
        &self,
        c: &mut Checker,
        cond: &Condition,
        id: &str,
        op: &str,
        p: &Ptr,
    ) -> Option<Expr> {
        let si = self.setting_id(c, id, &p.key("setting"))?;
        let setting = &self.settings[si];
        let what = || format!("`{id}`, a {} setting", setting.kind.as_str());
        let test = match (setting.kind, op) {
            (SettingType::Choice | SettingType::YesNo, "equals" | "one_of") => {
                let values = literals(c, cond, p)?;
                SettingTest::OneOf(setting_codes(c, setting, values, op, p)?)
            }
            (SettingType::Number, "lt" | "le" | "gt" | "ge") => match cmp_of(cond, op)? {
                (cmp, Bound::Number(n)) => SettingTest::Cmp(cmp, *n),
                (_, Bound::Setting(_)) => {
                    return mismatch(c, p, op, what(), "compare a setting with a number");
                }
            },
            (SettingType::Number, "equals") => match &cond.equals {
                Some(Literal::Number(n)) => SettingTest::Cmp(CmpOp::Eq, *n),
                _ => {
                    let hint = "compare a number setting with a number";
                    return mismatch(c, p, op, what(), hint);
                }
            },
            (SettingType::Number, _) => {
                let hint = "use lt / le / gt / ge / equals with a number";
                return mismatch(c, p, op, what(), hint);
            }
            _ => {
                let hint = "use equals / one_of with the setting's option codes";
                return mismatch(c, p, op, what(), hint);
            }
        };
        Some(Expr::Setting {
            s: si,
            test,
            negated: false,
            holds: false,
        })
    }

    /// Resolves a literal to an option index (yes = 0, no = 1 for yes/no).
    fn code(&self, c: &mut Checker, q: &Question, v: &Literal, p: &Ptr) -> Option<usize> {
        // Listed only for a message: with thousands of options, once per value would be slow.
        let codes = || codes_of(q);
        let n_codes = if q.kind == QuestionType::YesNo {
            2
        } else {
            q.options.len()
        };
        let Literal::Text(s) = v else {
            c.push(
                p.to_string(),
                format!(
                    "`{}` is compared with {}, which is not an option code",
                    clip(&q.id),
                    clip(&v.to_string())
                ),
                Some(format!("options: {}", list(codes(), n_codes))),
            );
            return None;
        };
        if s == "unsure" {
            c.push(
                p.to_string(),
                "\"unsure\" is not a value to compare",
                Some(format!("use {{\"q\": \"{}\", \"unsure\": true}}", q.id)),
            );
            return None;
        }
        let found = match q.kind {
            QuestionType::YesNo => ["yes", "no"].iter().position(|x| x == s),
            QuestionType::SingleChoice
            | QuestionType::MultiChoice
            | QuestionType::Number
            | QuestionType::Text
            | QuestionType::Display => q.option_index(s),
        };
        if found.is_none() && c.keeps() {
            let help = match c.suggest.did_you_mean(s, codes()) {
                Some(x) => format!("did you mean `{}`?", clip(x)),
                None => format!("options: {}", list(codes(), n_codes)),
            };
            c.push(
                p.to_string(),
                format!("`{}` has no option `{}`", clip(&q.id), clip(s)),
                Some(help),
            );
        }
        found
    }
}

/// The option indices of an `equals` or `one_of` on a choice (or yes/no) setting; reports the
/// first value that is none of its codes.
fn setting_codes(
    c: &mut Checker,
    setting: &Setting,
    values: &[Literal],
    op: &str,
    p: &Ptr,
) -> Option<Vec<usize>> {
    let codes = crate::settings::codes(setting);
    let mut idx = Vec::new();
    for (vi, v) in values.iter().enumerate() {
        let found = match v {
            Literal::Text(t) => codes.iter().position(|x| x == t),
            Literal::Number(_) => None,
        };
        if let Some(i) = found {
            idx.push(i);
            continue;
        }
        let at = if op == "equals" {
            format!("{p}/equals")
        } else {
            format!("{p}/one_of/{vi}")
        };
        let help = match v {
            Literal::Text(t) => c
                .suggest
                .did_you_mean(t, codes.iter().copied())
                .map(|x| format!("did you mean `{}`?", clip(x))),
            Literal::Number(_) => None,
        };
        c.push(
            at,
            format!(
                "setting `{}` has no option {}",
                clip(&setting.id),
                clip(&v.to_string())
            ),
            Some(help.unwrap_or_else(|| format!("options: {}", codes.join(", ")))),
        );
        return None;
    }
    Some(idx)
}

/// The codes a condition can compare a choice question with.
fn codes_of(q: &Question) -> Box<dyn Iterator<Item = &str> + '_> {
    if q.kind == QuestionType::YesNo {
        Box::new(["yes", "no"].into_iter())
    } else {
        Box::new(q.options.iter().map(|o| o.code.as_str()))
    }
}

/// The comparison of a number leaf and what it compares with.
fn cmp_of<'c>(cond: &'c Condition, op: &str) -> Option<(CmpOp, &'c Bound)> {
    Some(match op {
        "lt" => (CmpOp::Lt, cond.lt.as_ref()?),
        "le" => (CmpOp::Le, cond.le.as_ref()?),
        "gt" => (CmpOp::Gt, cond.gt.as_ref()?),
        _ => (CmpOp::Ge, cond.ge.as_ref()?),
    })
}
