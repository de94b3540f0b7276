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

/// How a rendering may decorate its text: colours, and box-drawing characters rather than
/// plain ASCII. The front end decides (one rule for every output); a plain `bool` is colour
/// or not, with box-drawing characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoration {
    /// Colours (ANSI SGR sequences) may be used.
    pub color: bool,
    /// Box-drawing characters may be used rather than plain ASCII.
    pub unicode: bool,
}

impl Decoration {
    /// No colour and plain ASCII: for logs, pipes, dumb terminals and screen readers.
    pub const PLAIN: Decoration = Decoration {
        color: false,
        unicode: false,
    };
}

impl From<bool> for Decoration {
    fn from(color: bool) -> Self {
        Decoration {
            color,
            unicode: true,
        }
    }
}

/// A problem found while loading, before it is located in the text: made with
/// [`Problem::new`] and refined with the `with_`/`at_` steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// JSON pointer to the offending value (or key).
    pointer: String,
    message: String,
    help: Option<String>,
    /// Point at the key rather than the value (unknown fields).
    at_key: bool,
    /// A position from the JSON parser, used when the text is not well-formed.
    line_col: Option<(usize, usize)>,
}

impl Problem {
    /// A problem with the value at JSON pointer `pointer` (`""` for the whole document).
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            pointer: pointer.into(),
            message: message.into(),
            help: None,
            at_key: false,
            line_col: None,
        }
    }

    /// With a line saying how to fix it.
    pub fn with_help(self, help: impl Into<String>) -> Self {
        self.with_optional_help(Some(help.into()))
    }

    /// With a line saying how to fix it, where there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Pointing at the key of the member rather than its value (an unknown or repeated key).
    pub fn at_key(mut self) -> Self {
        self.at_key = true;
        self
    }

    /// At a place given by line and column, for text that is not well-formed JSON (where a
    /// pointer cannot be followed).
    pub fn at_line_col(mut self, line: usize, column: usize) -> Self {
        self.line_col = Some((line, column));
        self
    }

    /// The same problem inside the value at `base` (its pointer prefixed).
    pub(crate) fn under(mut self, base: &str) -> Self {
        self.pointer.insert_str(0, base);
        self
    }

    /// The help line rewritten by `f`.
    pub(crate) fn map_help(mut self, f: impl FnOnce(String) -> String) -> Self {
        self.help = self.help.map(f);
        self
    }

    /// JSON pointer to the offending value (or key).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it, if there is more to say.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Whether it points at the key rather than the value.
    pub fn is_at_key(&self) -> bool {
        self.at_key
    }
}

/// A problem with its place in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    /// JSON pointer to the offending value (or key), clipped for messages.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, if there is more to say.
    pub help: Option<String>,
    /// Line of the place, from 1.
    pub line: usize,
    /// Column of the place, from 1.
    pub column: usize,
    /// Byte offset of the place in the text.
    pub offset: usize,
    /// Length in bytes of the place (0: a point).
    pub len: usize,
}

/// Why a questionnaire (or answers file) could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {name}: {source}")]
    Io {
        /// The file name as messages show it.
        name: String,
        /// The reason the system gave.
        #[source]
        source: std::io::Error,
    },
    #[error("{name} is a directory; give the path of a JSON file")]
    /// The path is a folder.
    Directory {
        /// The path as messages show it.
        name: String,
    },
    #[error("{name} is too large (more than {limit} bytes)")]
    /// The file is larger than any this reads.
    TooLarge {
        /// The file name as messages show it.
        name: String,
        /// The most bytes read.
        limit: u64,
    },
    #[error(
        "{name} is not UTF-8 text (first bad byte at line {line}, column {column}); save it as UTF-8"
    )]
    /// The bytes are not UTF-8 text.
    NotUtf8 {
        /// The file name as messages show it.
        name: String,
        /// Line of the first bad byte.
        line: usize,
        /// Column of the first bad byte.
        column: usize,
    },
    #[error("{name} is empty; a questionnaire is a JSON object (see `needlecheck schema`)")]
    /// The file holds nothing but white space.
    Empty {
        /// The file name as messages show it.
        name: String,
    },
    /// The content is wrong: every problem, located.
    #[error("{name}: {} problem{}", problems.len() + more, if problems.len() + more == 1 { "" } else { "s" })]
    Invalid {
        /// The file name as messages show it.
        name: String,
        /// The text the problems are located in.
        text: String,
        /// The first [`MAX_REPORTED`] problems, in file order.
        problems: Vec<Located>,
        /// How many more problems were found and not kept.
        more: usize,
        /// Whether rendering shows source excerpts: yes for a questionnaire, never for answers
        /// (the lines around a problem hold other answers, which are patient data).
        excerpts: bool,
    },
}

impl LoadError {
    /// Locates problems in `text` (in one scan) and makes the error. The first
    /// [`MAX_REPORTED`] problems in file order are kept; the others are only counted.
    pub fn invalid(name: &str, text: &str, problems: Vec<Problem>) -> Self {
        Self::located(name, text, problems, true)
    }

    /// As [`LoadError::invalid`], for answers: rendered without source excerpts.
    pub fn invalid_answers(name: &str, text: &str, problems: Vec<Problem>) -> Self {
        Self::located(name, text, problems, false)
    }

    fn located(name: &str, text: &str, problems: Vec<Problem>, excerpts: bool) -> Self {
        let targets: Vec<(&str, bool)> = problems
            .iter()
            .filter(|p| p.line_col.is_none())
            .map(|p| (p.pointer.as_str(), p.at_key))
            .collect();
        let mut spans = if targets.is_empty() {
            Vec::new()
        } else {
            Locator::new(text).spans(&targets)
        }
        .into_iter();
        let mut placed: Vec<(usize, usize, Problem)> = problems
            .into_iter()
            .map(|p| {
                let (offset, len) = match p.line_col {
                    Some((line, column)) => {
                        let off = locate::offset_of(text, line, column);
                        (off, usize::from(off < text.len()))
                    }
                    None => spans.next().map_or((0, 0), |s| (s.offset, s.len)),
                };
                (offset, len, p)
            })
            .collect();
        // In file order, as an editor shows them.
        placed.sort_by_key(|(offset, _, _)| *offset);
        let more = placed.len().saturating_sub(MAX_REPORTED);
        placed.truncate(MAX_REPORTED);
        let mut lines = locate::LineCounter::new(text);
        let problems = placed
            .into_iter()
            .map(|(offset, len, p)| {
                let (line, column) = lines.line_col(offset);
                Located {
                    pointer: locate::clip_pointer(&p.pointer).into_owned(),
                    message: p.message,
                    help: p.help,
                    line,
                    column,
                    offset,
                    len,
                }
            })
            .collect();
        LoadError::Invalid {
            name: name.to_string(),
            text: text.to_string(),
            problems,
            more,
            excerpts,
        }
    }

    /// Counts `n` more problems that were found but not collected.
    pub fn with_more(mut self, n: usize) -> Self {
        if let LoadError::Invalid { more, .. } = &mut self {
            *more += n;
        }
        self
    }

    /// Exit status: 1 for I/O errors, 2 for bad content.
    pub fn exit_code(&self) -> u8 {
        match self {
            LoadError::Io { .. } => 1,
            _ => 2,
        }
    }

    /// The error as a person reads it: every problem with its place, source excerpt (for a
    /// questionnaire) and help.
    ///
    /// Everything quoted (the file name, messages, help, the source excerpt) is escaped as
    /// [`printable::escape`] does, so the only control sequences in the result are the colours
    /// asked for. Without `unicode`, the frame around excerpts is plain ASCII.
    pub fn render(&self, look: impl Into<Decoration>) -> String {
        let look = look.into();
        let LoadError::Invalid {
            name,
            text,
            problems,
            more,
            excerpts,
        } = self
        else {
            return format!("error: {}\n", printable::escape(&self.to_string()));
        };
        let theme = match (look.color, look.unicode) {
            (true, true) => GraphicalTheme::unicode(),
            (false, true) => GraphicalTheme::unicode_nocolor(),
            (true, false) => GraphicalTheme::ascii(),
            (false, false) => GraphicalTheme::none(),
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_context_lines(CONTEXT_LINES);
        let name = printable::escape_line(name);
        let mut out = String::new();
        for p in problems {
            let mut shown = Located {
                pointer: printable::escape_line(&p.pointer).into_owned(),
                message: printable::escape(&p.message).into_owned(),
                help: p.help.as_deref().map(|h| printable::escape(h).into_owned()),
                ..p.clone()
            };
            out.push_str(&format!(
                "error: {name}:{}:{}: {}\n",
                p.line, p.column, shown.message
            ));
            let excerpt = excerpts.then(|| Excerpt::around(&name, text, p)).flatten();
            let rendered = excerpt.is_some_and(|src| {
                (shown.offset, shown.len) = (src.offset, src.len);
                let d = Diag { p: &shown, src };
                handler.render_report(&mut out, &d).is_ok()
            });
            if !rendered {
                let at = if shown.pointer.is_empty() {
                    "the top level"
                } else {
                    &shown.pointer
                };
                out.push_str(&format!("  at {at}\n"));
                if let Some(h) = &shown.help {
                    out.push_str(&format!("  help: {h}\n"));
                }
            }
        }
        if *more > 0 {
            let dots = if look.unicode { "…" } else { "..." };
            out.push_str(&format!("{dots} and {more} more problems not shown\n"));
        }
        out
    }

    /// Writes [`LoadError::render`] through the escaping writer that every text output is
    /// made with, keeping its colours (the rendering has escaped everything it quotes).
    pub fn write_to<W: Write>(
        &self,
        out: &mut Printable<W>,
        look: impl Into<Decoration>,
    ) -> std::io::Result<()> {
        out.write_prepared(&self.render(look))
    }
}

/// Most problems collected before they are located: the [`MAX_REPORTED`] first in file order
/// are chosen among these, and the others only counted ([`LoadError::with_more`]).
pub const MAX_COLLECTED: usize = 1000;

/// Most problems kept in one error (and shown): past a few hundred, a person fixes the first
/// ones and checks again, and the rest only cost time and memory.
pub const MAX_REPORTED: usize = 200;

/// Longest source line shown in a snippet.
const MAX_SNIPPET_LINE: usize = 300;

/// Lines of context shown above and below a problem's lines.
const CONTEXT_LINES: usize = 1;

/// Most lines a snippet underlines; a longer span is underlined on its first line only.
const MAX_SNIPPET_LINES: usize = 12;

/// Length in bytes of the line around `offset`, or `MAX_SNIPPET_LINE + 1` if it is longer
/// (looking no further than that either way).
fn line_len(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let (start, end) = (line_start(bytes, offset), line_end(bytes, offset));
    match (start, end) {
        (Some(s), Some(e)) => e - s,
        _ => MAX_SNIPPET_LINE + 1,
    }
}

/// Start of the line holding `offset`, if within `MAX_SNIPPET_LINE` bytes before it.
fn line_start(bytes: &[u8], offset: usize) -> Option<usize> {
    let from = offset.saturating_sub(MAX_SNIPPET_LINE + 1);
    match bytes[from..offset].iter().rposition(|b| *b == b'\n') {
        Some(i) => Some(from + i + 1),
        None => (from == 0).then_some(0),
    }
}

/// End of the line holding `offset` (its newline), if within `MAX_SNIPPET_LINE` bytes after it.
fn line_end(bytes: &[u8], offset: usize) -> Option<usize> {
    let to = (offset + MAX_SNIPPET_LINE + 1).min(bytes.len());
    match bytes[offset..to].iter().position(|b| *b == b'\n') {
        Some(i) => Some(offset + i),
        None => (to == bytes.len()).then_some(to),
    }
}

/// The length to underline: the whole span when it is short, else its first line.
fn label_len(text: &str, offset: usize, len: usize) -> usize {
    let bytes = text.as_bytes();
    let end = (offset + len).min(bytes.len());
    let window = MAX_SNIPPET_LINE * MAX_SNIPPET_LINES;
    if end - offset <= window
        && bytes[offset..end].iter().filter(|b| **b == b'\n').count() < MAX_SNIPPET_LINES
    {
        return len;
    }
    line_end(bytes, offset).map_or(0, |e| e - offset)
}

/// A file name as messages show it: on one line, with control characters escaped
/// ([`printable::escape_line`]).
pub fn display_name(path: &Path) -> String {
    printable::escape_line(&path.display().to_string()).into_owned()
}

/// The JSON text of a file's bytes: valid UTF-8 (or where it stops being so), without the
/// byte-order mark some editors write, and not empty. Questionnaires and clinic files alike.
pub fn json_text<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, LoadError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = locate::line_col(
            &String::from_utf8_lossy(&bytes[..e.valid_up_to()]),
            e.valid_up_to(),
        );
        LoadError::NotUtf8 {
            name: name.to_string(),
            line,
            column,
        }
    })?;
    // Some editors start UTF-8 files with a byte-order mark; it is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(LoadError::Empty {
            name: name.to_string(),
        });
    }
    Ok(text)
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

/// The lines around a problem, escaped for a terminal, that miette is given to show. miette
/// finds a line by counting from the start of what it is given: given the whole file, the
/// excerpts of a large file would cost its size each.
struct Excerpt<'a> {
    name: &'a str,
    /// The lines, escaped ([`printable::escape_with_offsets`]).
    text: String,
    /// 0-based line number of the first of them in the file.
    first_line: usize,
    /// The place to underline, in `text`.
    offset: usize,
    len: usize,
}

impl<'a> Excerpt<'a> {
    /// The excerpt around a problem, unless its line is too long to show.
    fn around(name: &'a str, text: &str, p: &Located) -> Option<Self> {
        let bytes = text.as_bytes();
        let offset = p.offset.min(bytes.len());
        if line_len(text, offset) > MAX_SNIPPET_LINE {
            return None;
        }
        let end = (offset + label_len(text, offset, p.len)).min(bytes.len());
        let mut start = line_start(bytes, offset)?;
        let mut first_line = p.line.saturating_sub(1);
        for _ in 0..CONTEXT_LINES {
            let Some(s) = start.checked_sub(1).and_then(|nl| line_start(bytes, nl)) else {
                break;
            };
            start = s;
            first_line = first_line.saturating_sub(1);
        }
        let mut stop = line_end(bytes, end)?;
        for _ in 0..CONTEXT_LINES {
            match (stop < bytes.len()).then(|| line_end(bytes, stop + 1)) {
                Some(Some(e)) => stop = e,
                _ => break,
            }
        }
        let window = text.get(start..stop)?;
        let (offset, end) = (offset - start, end - start);
        Some(match printable::escape_with_offsets(window) {
            None => Excerpt {
                name,
                text: window.to_string(),
                first_line,
                offset,
                len: end - offset,
            },
            Some((escaped, map)) => Excerpt {
                name,
                text: escaped,
                first_line,
                offset: map.map(offset),
                len: map.map(end) - map.map(offset),
            },
        })
    }
}

impl SourceCode for Excerpt<'_> {
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
            c.line() + self.first_line,
            c.column(),
            c.line_count(),
        )))
    }
}

struct Diag<'a> {
    p: &'a Located,
    src: Excerpt<'a>,
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
        Some(&self.src)
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
        let problem = Problem::new("/b", "unknown field `b\u{1b}]52;c;eA==\u{7}`\nfake line")
            .with_help("did you mean `\u{202e}x`?")
            .at_key();
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
