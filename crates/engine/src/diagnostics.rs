//! Errors of loading, and their rendering with the offending text underlined.
//!
//! A [`Problem`] names a place by JSON pointer. [`LoadError::invalid`] locates every problem
//! (line, column, byte span) in one scan of the text, and [`LoadError::render`] prints each
//! with miette: message, `file:line:col`, the source line with a caret, the pointer, and help.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::locate::{self, Locator};
use crate::printable::{self, Printable};

/// A problem found while loading, before it is located in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// JSON pointer to the offending value (or key).
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
    /// Point at the key rather than the value (unknown fields).
    pub at_key: bool,
    /// A position from the JSON parser, used when the text is not well-formed.
    pub line_col: Option<(usize, usize)>,
}

impl Problem {
    pub(crate) fn at_line_col(mut self, line: usize, column: usize) -> Self {
        self.line_col = Some((line, column));
        self
    }
}

/// A problem with its place in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub pointer: String,
    pub message: String,
    pub help: Option<String>,
    pub line: usize,
    pub column: usize,
    pub offset: usize,
    pub len: usize,
}

/// Why a questionnaire (or answers file) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {name}: {source}")]
    Io {
        name: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{name} is a directory; give the path of a JSON file")]
    Directory { name: String },
    #[error("{name} is too large (more than {limit} bytes)")]
    TooLarge { name: String, limit: u64 },
    #[error(
        "{name} is not UTF-8 text (first bad byte at line {line}, column {column}); save it as UTF-8"
    )]
    NotUtf8 {
        name: String,
        line: usize,
        column: usize,
    },
    #[error("{name} is empty; a questionnaire is a JSON object (see `needlecheck schema`)")]
    Empty { name: String },
    #[error("{name}: {} problem{}", problems.len(), if problems.len() == 1 { "" } else { "s" })]
    Invalid {
        name: String,
        text: String,
        problems: Vec<Located>,
    },
}

impl LoadError {
    /// Locates problems in `text` and makes the error.
    pub fn invalid(name: &str, text: &str, problems: Vec<Problem>) -> Self {
        let mut locator: Option<Locator> = None;
        let mut located: Vec<Located> = problems
            .into_iter()
            .map(|p| {
                let (offset, len) = match p.line_col {
                    Some((line, column)) => {
                        let off = locate::offset_of(text, line, column);
                        (off, usize::from(off < text.len()))
                    }
                    None => {
                        let loc = locator.get_or_insert_with(|| Locator::new(text));
                        let span = if p.at_key {
                            loc.key_span(&p.pointer)
                        } else {
                            loc.value_span(&p.pointer)
                        };
                        (span.offset, span.len)
                    }
                };
                let (line, column) = locate::line_col(text, offset);
                Located {
                    pointer: p.pointer,
                    message: p.message,
                    help: p.help,
                    line,
                    column,
                    offset,
                    len,
                }
            })
            .collect();
        // In file order, as an editor shows them.
        located.sort_by_key(|p| p.offset);
        LoadError::Invalid {
            name: name.to_string(),
            text: text.to_string(),
            problems: located,
        }
    }

    /// Exit status: 1 for I/O errors, 2 for bad content.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Io { .. } => 1,
            _ => 2,
        }
    }

    /// The error as a person reads it: every problem with its place, source line and help.
    ///
    /// Everything quoted (the file name, messages, help, the source excerpt) is escaped as
    /// [`printable::escape`] does, so the only control sequences in the result are the colours
    /// asked for with `color`.
    pub fn render(&self, color: bool) -> String {
        let LoadError::Invalid {
            name,
            text,
            problems,
        } = self
        else {
            return format!("error: {}\n", printable::escape(&self.to_string()));
        };
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let name = printable::escape_line(name);
        let escaped = printable::escape_with_offsets(text);
        let src = Src {
            name: &name,
            text: escaped.as_ref().map_or(text.as_str(), |(t, _)| t.as_str()),
        };
        let mut out = String::new();
        const SHOWN: usize = 200;
        for p in problems.iter().take(SHOWN) {
            let shown = Located {
                pointer: printable::escape_line(&p.pointer).into_owned(),
                message: printable::escape(&p.message).into_owned(),
                help: p.help.as_deref().map(|h| printable::escape(h).into_owned()),
                offset: escaped.as_ref().map_or(p.offset, |(_, m)| m.map(p.offset)),
                len: escaped
                    .as_ref()
                    .map_or(p.len, |(_, m)| m.map(p.offset + p.len) - m.map(p.offset)),
                ..p.clone()
            };
            let p = &shown;
            let d = Diag { p, src: &src };
            out.push_str(&format!(
                "error: {name}:{}:{}: {}\n",
                p.line, p.column, p.message
            ));
            // A snippet of a minified file would print the whole file: skip it.
            if line_len(src.text, p.offset) > MAX_SNIPPET_LINE
                || handler.render_report(&mut out, &d).is_err()
            {
                let at = if p.pointer.is_empty() {
                    "the top level"
                } else {
                    &p.pointer
                };
                out.push_str(&format!("  at {at}\n"));
                if let Some(h) = &p.help {
                    out.push_str(&format!("  help: {h}\n"));
                }
            }
        }
        if problems.len() > SHOWN {
            out.push_str(&format!("… and {} more problems\n", problems.len() - SHOWN));
        }
        out
    }

    /// Writes [`LoadError::render`] through the escaping writer that every text output is
    /// made with, keeping its colours (the rendering has escaped everything it quotes).
    pub fn write_to<W: Write>(&self, out: &mut Printable<W>, color: bool) -> std::io::Result<()> {
        out.write_prepared(&self.render(color))
    }
}

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 300;

/// Length in bytes of the line around `offset`.
fn line_len(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let start = text.as_bytes()[..offset]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let end = text.as_bytes()[offset..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(text.len(), |i| offset + i);
    end - start
}

/// A file name as messages show it: on one line, with control characters escaped
/// ([`printable::escape_line`]).
pub fn display_name(path: &Path) -> String {
    printable::escape_line(&path.display().to_string()).into_owned()
}

/// Reads at most `limit` bytes of a file, with clear errors for directories and huge files.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, LoadError> {
    let name = display_name(path);
    let io = |source| LoadError::Io {
        name: name.clone(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(LoadError::Directory { name });
    }
    if meta.len() > limit {
        return Err(LoadError::TooLarge { name, limit });
    }
    let file = std::fs::File::open(path).map_err(io)?;
    read_bounded(file, &name, limit)
}

/// Reads at most `limit` bytes from a reader (a file that grows, a pipe, `/dev/zero`).
pub fn read_bounded(r: impl Read, name: &str, limit: u64) -> Result<Vec<u8>, LoadError> {
    let mut bytes = Vec::new();
    r.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| LoadError::Io {
            name: name.to_string(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(LoadError::TooLarge {
            name: name.to_string(),
            limit,
        });
    }
    Ok(bytes)
}

/// The text with its file name, for miette's snippet header.
struct Src<'a> {
    name: &'a str,
    text: &'a str,
}

impl SourceCode for Src<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            c.data(),
            *c.span(),
            c.line(),
            c.column(),
            c.line_count(),
        )))
    }
}

struct Diag<'a> {
    p: &'a Located,
    src: &'a Src<'a>,
}

impl fmt::Debug for Diag<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.p.message)
    }
}

impl fmt::Display for Diag<'_> {
    // The message itself is on the `error:` line above the snippet; here, the JSON pointer.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.p.pointer.is_empty() {
            f.write_str("at the top level")
        } else {
            write!(f, "at {}", self.p.pointer)
        }
    }
}

impl std::error::Error for Diag<'_> {}

impl Diagnostic for Diag<'_> {
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.src)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some("here".into()),
            self.p.offset,
            self.p.len,
        ))))
    }

    fn help(&self) -> Option<Box<dyn fmt::Display + '_>> {
        self.p
            .help
            .as_ref()
            .map(|h| Box::new(h.clone()) as Box<dyn fmt::Display>)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With colour, the only escape sequences are the rendering's own colours (SGR: `ESC [`
    /// digits and semicolons, then `m`); everything it quotes is escaped.
    #[test]
    fn a_coloured_rendering_holds_only_its_own_colours() {
        let text = "{\n  \"title\": \"x\u{1b}]0;pwned\u{7}\u{9b}2J\u{202e}\",\r\n  \"b\": 1\n}\n";
        let problem = Problem {
            pointer: "/b".into(),
            message: "unknown field `b\u{1b}]52;c;eA==\u{7}`\nfake line".into(),
            help: Some("did you mean `\u{202e}x`?".into()),
            at_key: true,
            line_col: None,
        };
        let e = LoadError::invalid("f\u{1b}[31m\n.json", text, vec![problem]);
        for color in [false, true] {
            let out = e.render(color);
            let mut rest = out.as_str();
            while let Some(i) = rest.find('\u{1b}') {
                let seq = &rest[i + 1..];
                let end = seq.find('m').expect("an SGR sequence ends with m");
                assert!(color, "no colour asked, yet an escape: {out:?}");
                assert!(
                    seq.starts_with('[')
                        && seq[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
                    "{seq:?} in {out:?}"
                );
                rest = &seq[end..];
            }
            for c in out.chars() {
                assert!(
                    c == '\n' || c == '\u{1b}' || !(c.is_control() || printable::is_unsafe(c)),
                    "{c:?} in {out:?}"
                );
            }
            assert!(
                out.contains("x\\u{1b}]0;pwned\\u{7}\\u{9b}2J\\u{202e}"),
                "{out}"
            );
            assert!(out.contains("f\\u{1b}[31m\\u{a}.json:3:3"), "{out}");
        }
    }
}
