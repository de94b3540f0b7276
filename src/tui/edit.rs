//! A box to type in: the text, a cursor inside it, the usual editing keys, and how it wraps on
//! screen. Used for number and text answers and the patient ID.

use ratatui::text::Span;

/// Text being typed, with a cursor (a character position: 0 is before the first character).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// Characters before the cursor.
    caret: usize,
}

impl LineEdit {
    /// A box holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        LineEdit {
            text: text.to_string(),
            caret: text.chars().count(),
        }
    }

    /// What is typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the cursor is, in characters from the start.
    pub fn caret(&self) -> usize {
        self.caret
    }

    /// How many characters are typed.
    pub fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// Whether nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(b, _)| b)
    }

    /// Types `c` at the cursor; false (and nothing typed) when the box already holds `limit`
    /// characters.
    pub fn insert(&mut self, c: char, limit: usize) -> bool {
        if self.len() >= limit {
            return false;
        }
        let at = self.byte_at(self.caret);
        self.text.insert(at, c);
        self.caret += 1;
        true
    }

    /// Erases the character before the cursor.
    pub fn backspace(&mut self) {
        if self.caret > 0 {
            self.caret -= 1;
            let at = self.byte_at(self.caret);
            self.text.remove(at);
        }
    }

    /// Erases the character under the cursor.
    pub fn delete(&mut self) {
        if self.caret < self.len() {
            let at = self.byte_at(self.caret);
            self.text.remove(at);
        }
    }

    pub fn left(&mut self) {
        self.caret = self.caret.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.caret = (self.caret + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.caret = 0;
    }

    pub fn end(&mut self) {
        self.caret = self.len();
    }

    /// The text in rows of at most `width` columns, broken between words where it can be
    /// (a word longer than a row is cut), and the row and column of the cursor. Every
    /// character is kept, so the cursor lands where the next key will type.
    pub fn layout(&self, width: u16) -> (Vec<String>, (usize, u16)) {
        let width = usize::from(width.max(2));
        let chars: Vec<char> = self.text.chars().collect();
        let cols: Vec<usize> = chars.iter().map(|c| char_width(*c)).collect();
        let mut rows: Vec<(usize, usize)> = Vec::new(); // (start, end) in characters
        let mut start = 0;
        while start < chars.len() {
            let mut used = 0;
            let mut end = start;
            while end < chars.len() && used + cols[end] <= width {
                used += cols[end];
                end += 1;
            }
            if end < chars.len() {
                // Break after the last space of the row, if the row has one past its start.
                if let Some(space) = (start + 1..=end).rev().find(|i| chars[*i - 1] == ' ') {
                    end = space;
                }
                // A space that would begin the next row stays at the end of this one.
                while end < chars.len() && chars[end] == ' ' && end > start {
                    end += 1;
                    if (start..end).map(|i| cols[i]).sum::<usize>() > width {
                        end -= 1;
                        break;
                    }
                }
            }
            rows.push((start, end));
            start = end;
        }
        if rows.is_empty() {
            rows.push((0, 0));
        }
        let mut cursor = (0, 0u16);
        for (r, (s, e)) in rows.iter().enumerate() {
            if self.caret >= *s && (self.caret < *e || r + 1 == rows.len()) {
                let col: usize = (*s..self.caret).map(|i| cols[i]).sum();
                cursor = (r, u16::try_from(col).unwrap_or(u16::MAX));
                break;
            }
        }
        // A cursor after a full last row goes to the start of a new row.
        if usize::from(cursor.1) >= width {
            rows.push((chars.len(), chars.len()));
            cursor = (rows.len() - 1, 0);
        }
        let text = rows
            .iter()
            .map(|(s, e)| chars[*s..*e].iter().collect())
            .collect();
        (text, cursor)
    }
}

fn char_width(c: char) -> usize {
    Span::raw(c.encode_utf8(&mut [0; 4]).to_string()).width()
}

#[cfg(test)]
mod tests {
    use super::LineEdit;

    #[test]
    fn editing_at_the_cursor() {
        let mut e = LineEdit::new("knee");
        e.home();
        assert!(e.insert('L', 10));
        e.right();
        e.right();
        e.delete();
        e.backspace();
        assert_eq!(e.text(), "Lke");
        e.end();
        assert!(e.insert('膝', 10));
        assert_eq!(e.text(), "Lke膝");
        assert!(!e.insert('x', 4), "at the limit nothing is typed");
        assert_eq!(e.text(), "Lke膝");
    }

    #[test]
    fn rows_break_between_words_and_keep_every_character() {
        let e = LineEdit::new("left knee hurts since monday");
        let (rows, cursor) = e.layout(12);
        assert_eq!(rows, ["left knee ", "hurts since ", "monday"]);
        assert_eq!(rows.concat(), e.text());
        assert_eq!(cursor, (2, 6));
        let mut e = LineEdit::new("abcdefghij");
        let (rows, cursor) = e.layout(5);
        assert_eq!(rows, ["abcde", "fghij", ""]);
        assert_eq!(cursor, (2, 0));
        e.home();
        e.right();
        assert_eq!(e.layout(5).1, (0, 1));
    }
}
