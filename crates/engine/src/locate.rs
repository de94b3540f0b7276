//! Finding things in JSON text: JSON pointers to byte spans, byte offsets to line:column.
//!
//! serde and the semantic checks speak in paths (`/sections/0/questions/3/show_if/q`); a person
//! needs `file:12:20` and a caret under the value. [`Locator`] scans the (already parsed, so
//! well-formed) text once and maps every pointer to the span of its key and of its value. It is
//! built only when there is something to report, so valid files never pay for it.

use std::borrow::Cow;
use std::collections::HashMap;

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub offset: usize,
    pub len: usize,
}

/// Where a pointer's key and value are in the text.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: Option<Span>,
    value: Span,
}

/// Maps JSON pointers to spans in one text.
pub struct Locator<'a> {
    text: &'a str,
    entries: HashMap<String, Entry>,
}

impl<'a> Locator<'a> {
    /// Scans `text`. Text that is not well-formed JSON gives a partial map (never a panic).
    pub fn new(text: &'a str) -> Self {
        let walker = Walker::walk(text, true);
        Locator {
            text,
            entries: walker.entries.unwrap_or_default(),
        }
    }

    /// The span of the value at `pointer`, or of its nearest existing parent.
    pub fn value_span(&self, pointer: &str) -> Span {
        self.find(pointer, false)
    }

    /// The span of the key at `pointer` (for unknown fields), else as [`Self::value_span`].
    pub fn key_span(&self, pointer: &str) -> Span {
        self.find(pointer, true)
    }

    fn find(&self, pointer: &str, want_key: bool) -> Span {
        let mut p = pointer;
        loop {
            if let Some(e) = self.entries.get(p) {
                return match (want_key, e.key) {
                    (true, Some(k)) => k,
                    _ => e.value,
                };
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => {
                    return Span {
                        offset: 0,
                        len: self.text.len().min(1),
                    };
                }
            }
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }
}

/// Keys given twice in one object (JSON parsers keep the last silently): the pointer and the
/// span of each repeated key. `text` should be well-formed JSON. Runs on every answers line of
/// a batch, so it allocates only for what it reports (and for objects of many keys).
pub fn duplicate_keys(text: &str) -> Vec<(String, Span)> {
    Walker::walk(text, false).duplicates
}

/// One step of the path to the value being scanned.
enum Seg<'b> {
    Key(Cow<'b, [u8]>),
    Index(usize),
}

/// The keys of one object: a short list, or a set once it grows.
#[derive(Default)]
struct Keys<'b> {
    few: Vec<Cow<'b, [u8]>>,
    many: Option<std::collections::HashSet<Cow<'b, [u8]>>>,
}

impl<'b> Keys<'b> {
    /// Adds a key; false if it was there already.
    fn insert(&mut self, k: Cow<'b, [u8]>) -> bool {
        if let Some(set) = &mut self.many {
            return set.insert(k);
        }
        if self.few.contains(&k) {
            return false;
        }
        self.few.push(k);
        if self.few.len() > 32 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

/// One pass over JSON text that notes keys given twice and, for [`Locator`], the spans of every
/// value and key by JSON pointer. It never fails: text that is not well-formed JSON gives
/// partial results.
struct Walker<'b> {
    bytes: &'b [u8],
    pos: usize,
    path: Vec<Seg<'b>>,
    duplicates: Vec<(String, Span)>,
    /// Spans by pointer, when asked for (pointers are written for every value: error path only).
    entries: Option<HashMap<String, Entry>>,
}

impl<'b> Walker<'b> {
    fn walk(text: &'b str, spans: bool) -> Self {
        let mut w = Walker {
            bytes: text.as_bytes(),
            pos: 0,
            path: Vec::new(),
            duplicates: Vec::new(),
            entries: spans.then(HashMap::new),
        };
        w.skip_ws();
        w.value(None, 0);
        w
    }

    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// Skips a string literal; returns its content as written (without the quotes).
    fn string(&mut self) -> &'b [u8] {
        let start = self.pos + 1;
        self.pos += 1;
        while let Some(&c) = self.bytes.get(self.pos) {
            self.pos += 1;
            match c {
                b'\\' => self.pos += 1,
                b'"' => break,
                _ => {}
            }
        }
        let end = self.pos.saturating_sub(1).max(start).min(self.bytes.len());
        &self.bytes[start..end]
    }

    /// Scans one value; `key` is the span of its key when it is an object member.
    fn value(&mut self, key: Option<Span>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut keys = Keys::default();
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b'"') => {
                            let kstart = self.pos;
                            let raw = self.string();
                            let end = self.pos.min(self.bytes.len());
                            let span = Span {
                                offset: kstart,
                                len: end - kstart,
                            };
                            // Compare keys as decoded text: `"a"` and `"\u0061"` are one key.
                            let key: Cow<'b, [u8]> = if raw.contains(&b'\\') {
                                let decoded = std::str::from_utf8(&self.bytes[kstart..end])
                                    .ok()
                                    .and_then(|q| serde_json::from_str::<String>(q).ok())
                                    .unwrap_or_default();
                                Cow::Owned(decoded.into_bytes())
                            } else {
                                Cow::Borrowed(raw)
                            };
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b':') {
                                self.pos += 1;
                            }
                            self.skip_ws();
                            if !keys.insert(key.clone()) {
                                let mut p = self.pointer();
                                p.push('/');
                                p.push_str(&escape_segment(&String::from_utf8_lossy(&key)));
                                self.duplicates.push((p, span));
                            }
                            self.path.push(Seg::Key(key));
                            self.value(Some(span), depth + 1);
                            self.path.pop();
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b',') {
                                self.pos += 1;
                            }
                        }
                        Some(b'}') => {
                            self.pos += 1;
                            break;
                        }
                        _ => break,
                    }
                }
            }
            Some(b'[') => {
                self.pos += 1;
                let mut index = 0usize;
                loop {
                    self.skip_ws();
                    match self.bytes.get(self.pos) {
                        Some(b']') => {
                            self.pos += 1;
                            break;
                        }
                        None => break,
                        _ => {
                            let before = self.pos;
                            self.path.push(Seg::Index(index));
                            self.value(None, depth + 1);
                            self.path.pop();
                            if self.pos == before {
                                break;
                            }
                            index += 1;
                            self.skip_ws();
                            if self.bytes.get(self.pos) == Some(&b',') {
                                self.pos += 1;
                            }
                        }
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while let Some(&c) = self.bytes.get(self.pos) {
                    if matches!(c, b',' | b'}' | b']') || c.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
            }
            None => {}
        }
        if self.entries.is_some() {
            let pointer = self.pointer();
            let value = Span {
                offset: start,
                len: self.pos.min(self.bytes.len()) - start,
            };
            if let Some(entries) = &mut self.entries {
                entries.insert(pointer, Entry { key, value });
            }
        }
    }

    /// The JSON pointer of the value being scanned (built only to report a duplicate).
    fn pointer(&self) -> String {
        let mut p = String::new();
        for seg in &self.path {
            p.push('/');
            match seg {
                Seg::Key(k) => p.push_str(&escape_segment(&String::from_utf8_lossy(k))),
                Seg::Index(i) => p.push_str(&i.to_string()),
            }
        }
        p
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

/// Byte offset of a 1-based line and column as serde_json reports them (column counts bytes,
/// and points just past the offending character).
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut off = (start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(off) {
        off -= 1;
    }
    off
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_segment(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Joins segments into a JSON pointer.
pub fn pointer(segments: &[String]) -> String {
    let mut p = String::new();
    for s in segments {
        p.push('/');
        p.push_str(&escape_segment(s));
    }
    p
}

/// The segments of a serde_path_to_error path.
pub fn path_segments(path: &serde_path_to_error::Path) -> Vec<String> {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect()
}

/// Deepest nesting the scanner follows; serde_json refuses deeper documents anyway.
const MAX_DEPTH: usize = 256;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\"}],\n  \"c/d\": true\n}";
        let loc = Locator::new(text);
        let s = loc.value_span("/a/1/b");
        assert_eq!(&text[s.offset..s.offset + s.len], "\"x\"");
        let k = loc.key_span("/c~1d");
        assert_eq!(&text[k.offset..k.offset + k.len], "\"c/d\"");
        assert_eq!(loc.line_col(k.offset), (3, 3));
        // A missing pointer falls back to its parent.
        let p = loc.value_span("/a/1/zzz");
        assert_eq!(&text[p.offset..p.offset + p.len], "{\"b\": \"x\"}");
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "{\"é\": 1,\n \"ü\": x}";
        let off = text.find('x').unwrap();
        assert_eq!(line_col(text, off), (2, 7));
        assert_eq!(offset_of(text, 2, 8), off);
    }

    #[test]
    fn finds_repeated_keys_at_any_depth() {
        let text = r#"{"a": 1, "b": {"x": 1, "x": 2}, "a": 3, "l": [{"y": 0, "y": 0}]}"#;
        let d: Vec<String> = duplicate_keys(text).into_iter().map(|(p, _)| p).collect();
        assert_eq!(d, ["/b/x", "/a", "/l/0/y"]);
        assert!(duplicate_keys(r#"{"a": {"a": 1}}"#).is_empty());
        // Written differently, the same key.
        let d = duplicate_keys(r#"{"ab": 1, "a\u0062": 2}"#);
        assert_eq!(d[0].0, "/ab");
        // Many keys (past the short list) still count.
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let text = format!("{{{}, \"k7\": 0}}", many.join(", "));
        assert_eq!(duplicate_keys(&text).len(), 1);
    }

    #[test]
    fn broken_text_does_not_panic() {
        for t in ["", "{", "[1,", "{\"a\"", "\"abc", "{\"a\": [}", "]]]"] {
            let loc = Locator::new(t);
            let _ = loc.value_span("/a/0");
        }
    }
}
