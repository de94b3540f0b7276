//! Finding things in JSON text: JSON pointers to byte spans, byte offsets to line:column.
//!
//! serde and the semantic checks speak in paths (`/sections/0/questions/3/show_if/q`); a person
//! needs `file:12:20` and a caret under the value. [`Locator`] finds the spans of the pointers
//! it is asked about in one scan of the (already parsed, so well-formed) text, in memory
//! proportional to those pointers: values on no asked path are skipped without recursion, so
//! neither the size nor the nesting of the text costs memory. It is used only when there is
//! something to report, so valid files never pay for it.

use std::borrow::Cow;
use std::collections::HashMap;

/// A byte range in the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes.
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
}

impl<'a> Locator<'a> {
    /// A locator over `text`; nothing is scanned until a span is asked for.
    pub fn new(text: &'a str) -> Self {
        Locator { text }
    }

    /// The span of the value at `pointer`, or of its nearest existing parent.
    pub fn value_span(&self, pointer: &str) -> Span {
        self.spans(&[(pointer, false)])[0]
    }

    /// The span of the key at `pointer` (for unknown fields), else as [`Self::value_span`].
    pub fn key_span(&self, pointer: &str) -> Span {
        self.spans(&[(pointer, true)])[0]
    }

    /// The spans of many pointers in one scan: for each `(pointer, want_key)`, the span of its
    /// key (when `want_key` and it has one) or of its value, or else of its nearest existing
    /// parent. Text that is not well-formed JSON gives what it can (never a panic).
    pub fn spans(&self, targets: &[(&str, bool)]) -> Vec<Span> {
        let mut trie = Trie::default();
        let ends: Vec<Vec<usize>> = targets.iter().map(|(p, _)| trie.insert(p)).collect();
        let mut finder = Finder {
            bytes: self.text.as_bytes(),
            text: self.text,
            pos: 0,
            trie: &mut trie,
        };
        finder.skip_ws();
        finder.value(0, None, 0);
        let whole = Span {
            offset: 0,
            len: self.text.len().min(1),
        };
        targets
            .iter()
            .zip(ends)
            .map(|((_, want_key), path)| {
                // The deepest node of the path that was found (the root is always first).
                let found = path.iter().rev().find_map(|n| trie.nodes[*n].found);
                let is_exact = path.last().is_some_and(|n| trie.nodes[*n].found.is_some());
                match (found, want_key, is_exact) {
                    (Some(Entry { key: Some(k), .. }), true, true) => k,
                    (Some(e), _, _) => e.value,
                    (None, _, _) => whole,
                }
            })
            .collect()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(self.text, offset)
    }
}

/// The asked pointers as a tree of their segments (node 0 is the top level).
#[derive(Default)]
struct Trie {
    nodes: Vec<TrieNode>,
}

#[derive(Default)]
struct TrieNode {
    children: HashMap<String, usize>,
    found: Option<Entry>,
}

impl Trie {
    /// Adds a pointer; returns the nodes of its path, the root first.
    fn insert(&mut self, pointer: &str) -> Vec<usize> {
        if self.nodes.is_empty() {
            self.nodes.push(TrieNode::default());
        }
        let mut path = vec![0];
        let mut node = 0;
        for seg in pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            node = match self.nodes[node].children.get(&seg) {
                Some(&n) => n,
                None => {
                    let n = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    self.nodes[node].children.insert(seg, n);
                    n
                }
            };
            path.push(node);
        }
        path
    }
}

/// One scan of the text that records the spans of the trie's nodes.
struct Finder<'b, 't> {
    bytes: &'b [u8],
    text: &'b str,
    pos: usize,
    trie: &'t mut Trie,
}

impl Finder<'_, '_> {
    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// The child of `node` for an object key written at `span` (quotes included).
    fn key_child(&self, node: usize, span: Span) -> Option<usize> {
        let children = &self.trie.nodes[node].children;
        if children.is_empty() {
            return None;
        }
        let quoted = self.text.get(span.offset..span.offset + span.len)?;
        let key: Cow<str> = if quoted.contains('\\') {
            Cow::Owned(serde_json::from_str::<String>(quoted).ok()?)
        } else {
            Cow::Borrowed(quoted.get(1..quoted.len().saturating_sub(1))?)
        };
        children.get(key.as_ref()).copied()
    }

    /// Scans the value of trie node `node`; `key` is its key's span in an object. Recursion
    /// follows asked paths only, so its depth is that of the deepest asked pointer.
    fn value(&mut self, node: usize, key: Option<Span>, depth: usize) {
        if depth > MAX_DEPTH {
            self.skip_value();
            return;
        }
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    if self.bytes.get(self.pos) != Some(&b'"') {
                        if self.bytes.get(self.pos) == Some(&b'}') {
                            self.pos += 1;
                        }
                        break;
                    }
                    let kstart = self.pos;
                    skip_string(self.bytes, &mut self.pos);
                    let span = Span {
                        offset: kstart,
                        len: self.pos.min(self.bytes.len()) - kstart,
                    };
                    self.skip_ws();
                    if self.bytes.get(self.pos) == Some(&b':') {
                        self.pos += 1;
                    }
                    self.skip_ws();
                    match self.key_child(node, span) {
                        Some(child) => self.value(child, Some(span), depth + 1),
                        None => self.skip_value(),
                    }
                    self.skip_ws();
                    if self.bytes.get(self.pos) == Some(&b',') {
                        self.pos += 1;
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
                        _ => {}
                    }
                    let before = self.pos;
                    let children = &self.trie.nodes[node].children;
                    match (!children.is_empty())
                        .then(|| children.get(&index.to_string()).copied())
                        .flatten()
                    {
                        Some(child) => self.value(child, None, depth + 1),
                        None => self.skip_value(),
                    }
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
            _ => self.skip_value(),
        }
        let value = Span {
            offset: start,
            len: self.pos.min(self.bytes.len()) - start,
        };
        self.trie.nodes[node].found = Some(Entry { key, value });
    }

    /// Skips one value without recursion and without allocating, however deep it is.
    fn skip_value(&mut self) {
        match self.bytes.get(self.pos) {
            Some(b'"') => skip_string(self.bytes, &mut self.pos),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while let Some(&c) = self.bytes.get(self.pos) {
                    match c {
                        b'"' => {
                            skip_string(self.bytes, &mut self.pos);
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.pos += 1;
                                return;
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
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
    }
}

/// Moves `pos` past the string literal that starts there.
fn skip_string(bytes: &[u8], pos: &mut usize) {
    *pos += 1;
    while let Some(&c) = bytes.get(*pos) {
        *pos += 1;
        match c {
            b'\\' => *pos += 1,
            b'"' => break,
            _ => {}
        }
    }
}

/// Keys given twice in one object (JSON parsers keep the last silently): the pointer and the
/// span of each repeated key. `text` should be well-formed JSON. Runs on every answers line of
/// a batch, so it allocates only for what it reports (and for objects of many keys).
pub fn duplicate_keys(text: &str) -> Vec<(String, Span)> {
    Walker::walk(text).duplicates
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

/// One pass over JSON text that notes keys given twice. It never fails: text that is not
/// well-formed JSON gives partial results.
struct Walker<'b> {
    bytes: &'b [u8],
    pos: usize,
    path: Vec<Seg<'b>>,
    duplicates: Vec<(String, Span)>,
}

impl<'b> Walker<'b> {
    fn walk(text: &'b str) -> Self {
        let mut w = Walker {
            bytes: text.as_bytes(),
            pos: 0,
            path: Vec::new(),
            duplicates: Vec::new(),
        };
        w.skip_ws();
        w.value(0);
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

    /// Scans one value.
    fn value(&mut self, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match self.bytes.get(self.pos) {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
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
    }

    /// Scans an object, from its `{`, noting keys given twice.
    fn object(&mut self, depth: usize) {
        self.pos += 1;
        let mut keys = Keys::default();
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos) {
                Some(b'"') => self.member(&mut keys, depth),
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => break,
            }
        }
    }

    /// Scans one member of an object, from the quote of its key to past its comma.
    fn member(&mut self, keys: &mut Keys<'b>, depth: usize) {
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
        self.value(depth + 1);
        self.path.pop();
        self.skip_ws();
        if self.bytes.get(self.pos) == Some(&b',') {
            self.pos += 1;
        }
    }

    /// Scans an array, from its `[`.
    fn array(&mut self, depth: usize) {
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
                    self.value(depth + 1);
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

/// Line and column of offsets visited in increasing order, in one pass over the text however
/// many there are ([`line_col`] counts from the start each time).
pub struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    /// Characters from the start of the line to `pos`.
    column: usize,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            text,
            pos: 0,
            line: 1,
            column: 0,
        }
    }

    /// 1-based line and column (in characters) of `offset`; an offset before the previous one
    /// starts again from the top.
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.pos {
            *self = LineCounter::new(self.text);
        }
        let seg = &self.text[self.pos..offset];
        match seg.rfind('\n') {
            Some(i) => {
                self.line += seg.bytes().filter(|b| *b == b'\n').count();
                self.column = seg[i + 1..].chars().count();
            }
            None => self.column += seg.chars().count(),
        }
        self.pos = offset;
        (self.line, self.column + 1)
    }
}

/// The offset of the first bracket that opens deeper than `limit` levels, if any: one pass,
/// no allocation, so a document nested too deeply is refused before it is parsed.
pub fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut pos) = (0usize, 0usize);
    while let Some(&c) = bytes.get(pos) {
        match c {
            b'"' => {
                skip_string(bytes, &mut pos);
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > limit {
                    return Some(pos);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        pos += 1;
    }
    None
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

/// The pointer with each segment cut to [`crate::suggest::MAX_QUOTED`] characters, for
/// messages: a pointer names keys of the input, which can be of any length.
pub fn clip_pointer(pointer: &str) -> Cow<'_, str> {
    let long = |seg: &str| seg.len() > crate::suggest::MAX_QUOTED;
    if !pointer.split('/').any(long) {
        return Cow::Borrowed(pointer);
    }
    let segs: Vec<Cow<str>> = pointer.split('/').map(crate::suggest::clip).collect();
    Cow::Owned(segs.join("/"))
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
    fn many_pointers_are_found_in_one_scan_past_deep_values() {
        // Deep values on no asked path are skipped, however deep (past the parser's limit).
        let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        let text = format!(r#"{{"x": {deep}, "a": [{deep}, {{"b\u0020c": 1}}], "d": 2}}"#);
        let loc = Locator::new(&text);
        let spans = loc.spans(&[("/a/1/b c", true), ("/d", false), ("/a/1/zz", false)]);
        let at = |s: Span| &text[s.offset..s.offset + s.len];
        assert_eq!(at(spans[0]), r#""b\u0020c""#);
        assert_eq!(at(spans[1]), "2");
        assert_eq!(at(spans[2]), r#"{"b\u0020c": 1}"#);
    }

    #[test]
    fn the_line_counter_agrees_with_line_col() {
        let text = "{\n  \"é\": [1,\n 2],\n\n \"ü\": \"x\"}";
        let mut c = LineCounter::new(text);
        for off in (0..=text.len()).filter(|o| text.is_char_boundary(*o)) {
            assert_eq!(c.line_col(off), line_col(text, off), "at {off}");
        }
        // Going back starts again.
        assert_eq!(c.line_col(0), (1, 1));
    }

    #[test]
    fn too_deep_finds_the_first_bracket_past_the_limit() {
        assert_eq!(too_deep(r#"{"a": [[1]]}"#, 3), None);
        assert_eq!(too_deep(r#"{"a": [[[1]]]}"#, 3), Some(8));
        // Brackets inside strings do not count.
        assert_eq!(too_deep(r#"{"a": "[[[[\"[["}"#, 1), None);
    }

    #[test]
    fn broken_text_does_not_panic() {
        for t in ["", "{", "[1,", "{\"a\"", "\"abc", "{\"a\": [}", "]]]"] {
            let loc = Locator::new(t);
            let _ = loc.value_span("/a/0");
        }
    }
}
