//! Text that is safe to show: the one step every piece of text passes on its way to a terminal
//! or a text file.
//!
//! Questionnaire text, answers, patient identifiers and file names come from outside. A
//! terminal acts on some characters instead of showing them: escape sequences can set the
//! window title, write the clipboard or clear the screen, a carriage return hides what was
//! before it on the line, and bidi overrides and invisible characters make text read other
//! than it is. Each such character is written as a visible escape in Rust's `\u{…}` form
//! (ESC becomes `\u{1b}`, U+202E becomes `\u{202e}`), so it is neither acted on nor hidden.
//!
//! Which characters ([`is_unsafe`]): the C0 controls except line feed and tab, DEL, the C1
//! controls (U+0080–U+009F), the bidi embeddings, overrides and isolates (U+202A–U+202E,
//! U+2066–U+2069) and marks (U+200E, U+200F, U+061C), and invisible characters (U+200B,
//! U+2060–U+2064, U+FEFF) and the Unicode line and paragraph separators (U+2028, U+2029).
//! Zero-width joiner and non-joiner (U+200C, U+200D) are kept: scripts and emoji need them,
//! and they move nothing. Bytes that are not UTF-8 become U+FFFD.
//!
//! The front ends create every text output through [`Printable`], an [`io::Write`] adapter,
//! rather than escaping at each place that formats text; [`escape_line`] is for a value that
//! must stay on one line inside other text (an answer, a file name). JSON output is not
//! passed through here: JSON escapes control characters itself and must stay exact.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether a character is written as an escape rather than as itself (see the module docs).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        | '\u{200b}' | '\u{200e}' | '\u{200f}' | '\u{061c}'
        | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

/// The text with every [`is_unsafe`] character escaped; line feeds and tabs are kept.
pub fn escape(text: &str) -> Cow<'_, str> {
    escape_if(text, is_unsafe)
}

/// The text on one line: like [`escape`], and line feeds and tabs are escaped too. For a
/// value quoted inside other text, where a line break would make a line of its own.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    escape_if(text, |c| c == '\n' || c == '\t' || is_unsafe(c))
}

fn escape_if(text: &str, bad: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if bad(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The text as [`escape`] makes it, with a map from byte offsets in `text` to byte offsets in
/// the escaped text (for underlining a place in a source excerpt). A carriage return right
/// before a line feed is dropped rather than escaped, so a file with CR LF line ends reads as
/// it is. `None` when nothing needs to change.
pub fn escape_with_offsets(text: &str) -> Option<(String, OffsetMap)> {
    if !text.chars().any(|c| c == '\r' || is_unsafe(c)) {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut marks = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let crlf = c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n');
        if !crlf && !is_unsafe(c) {
            out.push(c);
            continue;
        }
        if !crlf {
            out.extend(c.escape_unicode());
        }
        marks.push((i + c.len_utf8(), out.len()));
    }
    Some((out, OffsetMap { marks }))
}

/// Byte offsets in a text to byte offsets in its escaped form ([`escape_with_offsets`]).
#[derive(Debug, Clone)]
pub struct OffsetMap {
    /// (offset after a changed character in the text, the same place in the escaped text)
    marks: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// The place in the escaped text of `offset` (a character boundary) in the original.
    pub fn map(&self, offset: usize) -> usize {
        let i = self.marks.partition_point(|(orig, _)| *orig <= offset);
        match i.checked_sub(1).map(|i| self.marks[i]) {
            Some((orig, new)) => new + (offset - orig),
            None => offset,
        }
    }
}

/// An [`io::Write`] adapter that writes everything as [`escape`] makes it: what reaches the
/// inner writer holds no control character but line feed and tab, no bidi control and no
/// invisible character, and is valid UTF-8 (a UTF-8 character split across two writes is
/// put back together; bytes that are not UTF-8 become U+FFFD).
pub struct Printable<W: Write> {
    inner: W,
    /// The start of a UTF-8 character whose other bytes have not been written yet.
    pending: Vec<u8>,
}

impl<W: Write> Printable<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        Printable {
            inner,
            pending: Vec::new(),
        }
    }

    /// The wrapped writer.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }

    /// Writes text that this crate has already made safe, with its own styling (the coloured
    /// diagnostics of [`crate::LoadError::write_to`]), unchanged.
    pub(crate) fn write_prepared(&mut self, text: &str) -> io::Result<()> {
        self.finish_pending()?;
        self.inner.write_all(text.as_bytes())
    }

    fn finish_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        self.pending.clear();
        self.inner.write_all("\u{fffd}".as_bytes())
    }

    fn write_str(&mut self, text: &str) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in text.char_indices() {
            if is_unsafe(c) {
                self.inner.write_all(&text.as_bytes()[start..i])?;
                let escaped: String = c.escape_unicode().collect();
                self.inner.write_all(escaped.as_bytes())?;
                start = i + c.len_utf8();
            }
        }
        self.inner.write_all(&text.as_bytes()[start..])
    }

    fn write_bytes(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        loop {
            match std::str::from_utf8(bytes) {
                Ok(text) => return self.write_str(text),
                Err(e) => {
                    let (good, rest) = bytes.split_at(e.valid_up_to());
                    // `good` is valid UTF-8: that is what `valid_up_to` says.
                    self.write_str(std::str::from_utf8(good).unwrap_or_default())?;
                    match e.error_len() {
                        // The end is the start of a character: wait for the rest of it.
                        None => {
                            self.pending.extend_from_slice(rest);
                            return Ok(());
                        }
                        Some(n) => {
                            self.inner.write_all("\u{fffd}".as_bytes())?;
                            bytes = &rest[n..];
                        }
                    }
                }
            }
        }
    }
}

impl<W: Write> Write for Printable<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            self.write_bytes(buf)?;
        } else {
            let mut joined = std::mem::take(&mut self.pending);
            joined.extend_from_slice(buf);
            self.write_bytes(&joined)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Printable<W> {
    fn drop(&mut self) {
        // A character cut off at the end is shown as such rather than lost silently.
        let _ = self.finish_pending().and_then(|()| self.inner.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character a terminal could act on or that hides or reorders text.
    fn hostile() -> String {
        let mut s: String = (0u8..0x20).map(char::from).collect();
        s.push('\u{7f}');
        s.extend(('\u{80}'..='\u{9f}').chain('\u{202a}'..='\u{202e}'));
        s.extend('\u{2066}'..='\u{2069}');
        s.push_str("\u{200b}\u{200e}\u{200f}\u{2028}\u{feff}é漢");
        s
    }

    fn assert_clean(out: &str, keep_newlines: bool) {
        for c in out.chars() {
            let allowed = keep_newlines && (c == '\n' || c == '\t');
            assert!(
                allowed || !(c.is_control() || is_unsafe(c)),
                "{c:?} in {out:?}"
            );
        }
    }

    #[test]
    fn escapes_controls_bidi_and_invisible_characters_visibly() {
        let s = hostile();
        let out = escape(&s);
        assert_clean(&out, true);
        assert!(out.contains("\\u{1b}") && out.contains("\\u{202e}") && out.contains("\\u{9b}"));
        assert!(out.contains('\n') && out.contains('\t') && out.ends_with("é漢"));
        let line = escape_line(&s);
        assert_clean(&line, false);
        assert!(line.contains("\\u{a}"));
        assert!(matches!(escape("plain text\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_writer_escapes_across_split_writes_and_bad_utf8() {
        let s = hostile();
        let mut out = Vec::new();
        {
            let mut w = Printable::new(&mut out);
            // One byte at a time: every multi-byte character is split.
            for b in s.as_bytes() {
                w.write_all(std::slice::from_ref(b)).unwrap();
            }
            w.write_all(b"\x9b2J\xff").unwrap();
            w.write_all(&"é".as_bytes()[..1]).unwrap();
        }
        let out = String::from_utf8(out).expect("valid UTF-8");
        assert_clean(&out, true);
        assert_eq!(
            out.trim_start_matches(|c| c != 'é'),
            "é漢\u{fffd}2J\u{fffd}\u{fffd}"
        );
        assert_eq!(
            escape(&s),
            out.strip_suffix("\u{fffd}2J\u{fffd}\u{fffd}").unwrap()
        );
    }

    #[test]
    fn offsets_follow_the_escapes() {
        let text = "a\u{1b}b\r\nc\u{202e}d";
        let (out, map) = escape_with_offsets(text).expect("changed");
        assert_eq!(out, "a\\u{1b}b\nc\\u{202e}d");
        for (orig, want) in [(0, "a"), (2, "b"), (5, "c"), (9, "d")] {
            assert_eq!(&out[map.map(orig)..map.map(orig) + 1], want, "at {orig}");
        }
        assert!(escape_with_offsets("clean\ntext\t").is_none());
    }
}
