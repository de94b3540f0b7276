//! Reading input one line at a time in bounded memory, for the JSONL stream and plain mode.
//!
//! `BufRead::read_until` keeps a whole line however long it is: a stream without newlines
//! (`/dev/zero`, a corrupt file) would fill the memory. [`read_line`] keeps at most a given
//! number of bytes of a line and reads past the rest.

use std::io::{self, BufRead, Read};

/// What [`read_line`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A line, now in the buffer without its `\n`.
    Read,
    /// A line longer than the limit: it was read to its end and dropped (the buffer is empty).
    TooLong,
    /// End of input: nothing was read.
    End,
}

/// Reads one line into `buf` (cleared first), keeping at most `limit` bytes; a longer line is
/// consumed up to and including its `\n` (or the end of input) without being kept.
pub fn read_line(input: &mut dyn BufRead, buf: &mut Vec<u8>, limit: usize) -> io::Result<Line> {
    buf.clear();
    let n = input.take(limit as u64 + 1).read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(Line::End);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
    } else if buf.len() > limit {
        buf.clear();
        input.skip_until(b'\n')?;
        return Ok(Line::TooLong);
    }
    Ok(Line::Read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_short_lines_and_drops_long_ones_whole() {
        let text = b"short\n0123456789abc\nlast";
        // A reader that hands out 4 bytes at a time, so lines span several chunks.
        let mut input = io::BufReader::with_capacity(4, &text[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"short");
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::TooLong);
        assert!(buf.is_empty());
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::End);
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_kept() {
        let mut input = &b"0123456789\n\n"[..];
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"0123456789");
        assert_eq!(read_line(&mut input, &mut buf, 10).unwrap(), Line::Read);
        assert!(buf.is_empty());
    }

    #[test]
    fn an_endless_line_is_read_in_bounded_memory() {
        // 64 MiB without a newline: the buffer never grows past the limit.
        let mut input = io::BufReader::new(io::repeat(0).take(64 << 20));
        let mut buf = Vec::new();
        assert_eq!(
            read_line(&mut input, &mut buf, 1024).unwrap(),
            Line::TooLong
        );
        assert!(buf.capacity() <= 1024 + 8192);
    }
}
