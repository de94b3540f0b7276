//! A FHIRPath evaluator for exactly the subset the exporter writes in `enableWhenExpression`,
//! and nothing more: any other construct is refused with a panic naming it, so the agreement
//! test fails the day the exporter writes something this file does not know.
//!
//! The subset: `true`, `false`; `and`, `or` (`and` binds tighter) and parentheses;
//! `%resource.repeat(item).where(linkId = '…').answer` followed by `.exists()`, `.empty()`,
//! `.where(P).exists()` or `.where(P).empty()`; a count `((iif(C, 1, 0) + …) >= n)`. In P:
//! `value.system = '…'`, `value.code = '…'`, `value OP number` (`=`, `!=`, `<`, `<=`, `>`,
//! `>=`), `value.extension('…').exists()`, joined by `and` / `or` with parentheses.

use std::collections::HashMap;

use serde_json::Value;

/// A condition on the response.
#[derive(Debug, Clone)]
pub enum Expr {
    Const(bool),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    /// The answers of an item, those `filter` keeps when given; `exists` or (false) `empty`.
    Answers {
        link_id: String,
        filter: Option<Pred>,
        exists: bool,
    },
    /// How many of the conditions hold is at least this.
    AtLeast(Vec<Expr>, u64),
}

/// A condition on one answer, inside `where(…)`.
#[derive(Debug, Clone)]
pub enum Pred {
    And(Box<Pred>, Box<Pred>),
    Or(Box<Pred>, Box<Pred>),
    System(String),
    Code(String),
    Cmp(String, f64),
    Extension(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Env(String),
    Str(String),
    Num(f64),
    Sym(&'static str),
}

const SYMBOLS: [&str; 12] = [
    "<=", ">=", "!=", "(", ")", ".", ",", "=", "<", ">", "+", "-",
];

fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if c == ' ' {
            i += 1;
        } else if c == '\'' {
            let (s, next) = string(&chars, i + 1, src);
            out.push(Tok::Str(s));
            i = next;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let n = text
                .parse()
                .unwrap_or_else(|_| panic!("FHIRPath: unknown number {text:?} in {src}"));
            out.push(Tok::Num(n));
        } else if c.is_ascii_alphabetic() || c == '%' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push(match word.strip_prefix('%') {
                Some(env) => Tok::Env(env.to_string()),
                None => Tok::Ident(word),
            });
        } else if let Some(sym) = SYMBOLS.iter().find(|s| rest.starts_with(**s)) {
            out.push(Tok::Sym(sym));
            i += sym.len();
        } else {
            panic!("FHIRPath: unknown character {c:?} in {src}");
        }
    }
    out
}

/// A string literal from just after its opening quote: its content and the index after it.
fn string(chars: &[char], mut i: usize, src: &str) -> (String, usize) {
    let mut s = String::new();
    loop {
        match chars.get(i) {
            None => panic!("FHIRPath: unterminated string in {src}"),
            Some('\'') => return (s, i + 1),
            Some('\\') => {
                match chars.get(i + 1) {
                    Some('\\') => s.push('\\'),
                    Some('\'') => s.push('\''),
                    Some('u') => {
                        let hex: String = chars[i + 2..i + 6].iter().collect();
                        let n = u32::from_str_radix(&hex, 16).expect("FHIRPath: \\u escape");
                        s.push(char::from_u32(n).expect("FHIRPath: \\u escape is a char"));
                        i += 4;
                    }
                    other => panic!("FHIRPath: unknown escape {other:?} in {src}"),
                }
                i += 2;
            }
            Some(c) => {
                s.push(*c);
                i += 1;
            }
        }
    }
}

/// Parses an `enableWhenExpression`; panics on anything outside the subset.
pub fn parse(src: &str) -> Expr {
    let mut p = Parser {
        toks: tokens(src),
        at: 0,
        src,
    };
    let e = p.or_expr();
    if p.at != p.toks.len() {
        p.fail("text after the end of the expression");
    }
    e
}

struct Parser<'a> {
    toks: Vec<Tok>,
    at: usize,
    src: &'a str,
}

impl Parser<'_> {
    fn fail(&self, what: &str) -> ! {
        panic!(
            "FHIRPath outside the subset this test knows ({what}) at token {} {:?} of: {}",
            self.at,
            self.toks.get(self.at),
            self.src
        )
    }

    fn peek(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.at + k)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek(0).cloned().unwrap_or_else(|| self.fail("end"));
        self.at += 1;
        t
    }

    fn expect(&mut self, t: Tok) {
        if self.next() != t {
            self.at -= 1;
            self.fail(&format!("expected {t:?}"));
        }
    }

    fn sym(&mut self, s: &'static str) {
        self.expect(Tok::Sym(s));
    }

    fn word(&mut self, w: &str) {
        self.expect(Tok::Ident(w.to_string()));
    }

    fn is_word(&self, k: usize, w: &str) -> bool {
        matches!(self.peek(k), Some(Tok::Ident(x)) if x == w)
    }

    fn or_expr(&mut self) -> Expr {
        let mut e = self.and_expr();
        while self.is_word(0, "or") {
            self.at += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and_expr()));
        }
        e
    }

    fn and_expr(&mut self) -> Expr {
        let mut e = self.atom();
        while self.is_word(0, "and") {
            self.at += 1;
            e = Expr::And(Box::new(e), Box::new(self.atom()));
        }
        e
    }

    fn atom(&mut self) -> Expr {
        match self.next() {
            Tok::Ident(w) if w == "true" => Expr::Const(true),
            Tok::Ident(w) if w == "false" => Expr::Const(false),
            Tok::Sym("(") if self.peek(0) == Some(&Tok::Sym("(")) && self.is_word(1, "iif") => {
                let e = self.count();
                self.sym(")");
                e
            }
            Tok::Sym("(") => {
                let e = self.or_expr();
                self.sym(")");
                e
            }
            Tok::Env(env) if env == "resource" => self.answers(),
            _ => {
                self.at -= 1;
                self.fail("a condition")
            }
        }
    }

    /// `(iif(C, 1, 0) + …) >= n`
    fn count(&mut self) -> Expr {
        self.sym("(");
        let mut terms = vec![self.iif()];
        while self.peek(0) == Some(&Tok::Sym("+")) {
            self.at += 1;
            terms.push(self.iif());
        }
        self.sym(")");
        self.sym(">=");
        match self.next() {
            Tok::Num(n) if n.fract() == 0.0 && n >= 0.0 => Expr::AtLeast(terms, n as u64),
            _ => self.fail("a whole number after >="),
        }
    }

    fn iif(&mut self) -> Expr {
        self.word("iif");
        self.sym("(");
        let c = self.or_expr();
        for n in [1.0, 0.0] {
            self.sym(",");
            self.expect(Tok::Num(n));
        }
        self.sym(")");
        c
    }

    /// After `%resource`: `.repeat(item).where(linkId = '…').answer` and its tail.
    fn answers(&mut self) -> Expr {
        self.sym(".");
        self.word("repeat");
        self.sym("(");
        self.word("item");
        self.sym(")");
        self.sym(".");
        self.word("where");
        self.sym("(");
        self.word("linkId");
        self.sym("=");
        let Tok::Str(link_id) = self.next() else {
            self.fail("a linkId string")
        };
        self.sym(")");
        self.sym(".");
        self.word("answer");
        self.sym(".");
        let mut filter = None;
        if self.is_word(0, "where") {
            self.at += 1;
            self.sym("(");
            filter = Some(self.pred_or());
            self.sym(")");
            self.sym(".");
        }
        let exists = match self.next() {
            Tok::Ident(w) if w == "exists" => true,
            Tok::Ident(w) if w == "empty" => false,
            _ => {
                self.at -= 1;
                self.fail("exists() or empty()")
            }
        };
        self.sym("(");
        self.sym(")");
        Expr::Answers {
            link_id,
            filter,
            exists,
        }
    }

    fn pred_or(&mut self) -> Pred {
        let mut p = self.pred_and();
        while self.is_word(0, "or") {
            self.at += 1;
            p = Pred::Or(Box::new(p), Box::new(self.pred_and()));
        }
        p
    }

    fn pred_and(&mut self) -> Pred {
        let mut p = self.pred_atom();
        while self.is_word(0, "and") {
            self.at += 1;
            p = Pred::And(Box::new(p), Box::new(self.pred_atom()));
        }
        p
    }

    fn pred_atom(&mut self) -> Pred {
        if self.peek(0) == Some(&Tok::Sym("(")) {
            self.at += 1;
            let p = self.pred_or();
            self.sym(")");
            return p;
        }
        self.word("value");
        match self.next() {
            Tok::Sym(".") => self.value_member(),
            Tok::Sym(op @ ("=" | "!=" | "<" | "<=" | ">" | ">=")) => {
                let n = self.number();
                Pred::Cmp(op.to_string(), n)
            }
            _ => {
                self.at -= 1;
                self.fail("a test of value")
            }
        }
    }

    fn number(&mut self) -> f64 {
        match self.next() {
            Tok::Num(n) => n,
            Tok::Sym("-") => match self.next() {
                Tok::Num(n) => -n,
                _ => self.fail("a number"),
            },
            _ => self.fail("a number"),
        }
    }

    /// After `value.`: `system = '…'`, `code = '…'` or `extension('…').exists()`.
    fn value_member(&mut self) -> Pred {
        let member = match self.next() {
            Tok::Ident(m) => m,
            _ => self.fail("a member of value"),
        };
        match member.as_str() {
            "system" | "code" => {
                self.sym("=");
                let Tok::Str(s) = self.next() else {
                    self.fail("a string")
                };
                if member == "system" {
                    Pred::System(s)
                } else {
                    Pred::Code(s)
                }
            }
            "extension" => {
                self.sym("(");
                let Tok::Str(url) = self.next() else {
                    self.fail("an extension URL")
                };
                self.sym(")");
                self.sym(".");
                self.word("exists");
                self.sym("(");
                self.sym(")");
                Pred::Extension(url)
            }
            _ => {
                self.at -= 1;
                self.fail("system, code or extension")
            }
        }
    }
}

/// The answers of the items decided so far, by linkId (none for a disabled item).
pub type Decided = HashMap<String, Vec<Value>>;

/// Evaluates `e` over the answers of the items decided so far. An item not decided yet (one
/// later in the questionnaire, or not in it) is an error: enable logic looks back only.
pub fn eval(e: &Expr, decided: &Decided) -> bool {
    match e {
        Expr::Const(b) => *b,
        Expr::And(a, b) => eval(a, decided) && eval(b, decided),
        Expr::Or(a, b) => eval(a, decided) || eval(b, decided),
        Expr::Answers {
            link_id,
            filter,
            exists,
        } => {
            let answers = decided
                .get(link_id)
                .unwrap_or_else(|| panic!("enable logic reads `{link_id}` before it is decided"));
            let any = answers
                .iter()
                .any(|a| filter.as_ref().is_none_or(|p| holds(p, a)));
            any == *exists
        }
        Expr::AtLeast(xs, n) => xs.iter().filter(|x| eval(x, decided)).count() as u64 >= *n,
    }
}

/// The value of an answer: its `value[x]` (`None` for a primitive that has only extensions)
/// and that element's extensions.
fn value_of(answer: &Value) -> (&str, Option<&Value>, Vec<&str>) {
    let obj = answer.as_object().expect("an answer is an object");
    let key = obj
        .keys()
        .find(|k| k.starts_with("value") || k.starts_with("_value"))
        .unwrap_or_else(|| panic!("an answer without a value: {answer}"));
    let kind = key.trim_start_matches('_');
    let value = obj.get(kind);
    let ext_holder = obj.get(&format!("_{kind}")).or(value);
    let exts = ext_holder
        .and_then(|h| h.get("extension"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|x| x["url"].as_str())
        .collect();
    (kind, value, exts)
}

/// Whether `p` holds for one answer. An empty result (a member the value does not have, a
/// primitive without a value) is not true, as in `where`.
fn holds(p: &Pred, answer: &Value) -> bool {
    let (kind, value, exts) = value_of(answer);
    match p {
        Pred::And(a, b) => holds(a, answer) && holds(b, answer),
        Pred::Or(a, b) => holds(a, answer) || holds(b, answer),
        Pred::System(s) => kind == "valueCoding" && value.is_some_and(|v| v["system"] == *s),
        Pred::Code(c) => kind == "valueCoding" && value.is_some_and(|v| v["code"] == *c),
        Pred::Extension(url) => exts.contains(&url.as_str()),
        Pred::Cmp(op, b) => {
            assert!(
                kind == "valueInteger" || kind == "valueDecimal",
                "FHIRPath compares a {kind} answer with a number"
            );
            value
                .and_then(Value::as_f64)
                .is_some_and(|a| compare(op, a, *b))
        }
    }
}

/// `a OP b` for the operators of FHIRPath and `enableWhen`.
pub fn compare(op: &str, a: f64, b: f64) -> bool {
    match op {
        "=" => a == b,
        "!=" => a != b,
        "<" => a < b,
        "<=" => a <= b,
        ">" => a > b,
        ">=" => a >= b,
        _ => panic!("unknown comparison {op}"),
    }
}
