//! The layout of a CSV text: which delimiter it uses, and on which line each record starts.

/// Where each line of the text starts, to number records.
///
/// The CSV reader's own line count is not used: a record's position is where the reader stood
/// before skipping blank lines, and CRLF is counted as two terminators.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            // CRLF, LF and a lone CR each end a line.
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { text, starts }
    }

    /// The 1-based line of the first byte at or after `pos` that is not a line break.
    pub fn line_of(&self, pos: Option<&csv::Position>) -> usize {
        let Some(pos) = pos else { return 0 };
        let from = usize::try_from(pos.byte()).unwrap_or(usize::MAX);
        let skip = self.text.as_bytes().get(from..).map_or(0, |rest| {
            rest.iter()
                .take_while(|c| matches!(c, b'\r' | b'\n'))
                .count()
        });
        let at = from.saturating_add(skip);
        self.starts.partition_point(|&s| s <= at)
    }
}

/// The delimiter of the first non-blank line: whichever of `,` `;` tab occurs most outside
/// quotes (`,` on a tie or when none occurs).
pub fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut seen = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted && seen => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        seen |= !c.is_whitespace();
    }
    let best = (0..3).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_are_counted_outside_quotes_on_the_first_line_only() {
        assert_eq!(sniff_delimiter("a;b;c\n,,,,,"), b';');
        assert_eq!(sniff_delimiter("\"x;y;z\",b\n"), b',');
        assert_eq!(sniff_delimiter("\r\n\na\tb\tc;d\n"), b'\t');
        assert_eq!(sniff_delimiter("adele@contoso.com"), b',');
    }

    #[test]
    fn lines_skip_blank_lines_and_count_crlf_lf_and_cr_once() {
        let text = "a\r\n\r\nb\nc\rd";
        let idx = LineIndex::new(text);
        let at = |byte| idx.line_of(Some(&csv::Position::new().set_byte(byte).clone()));
        assert_eq!((at(0), at(1), at(3), at(7), at(9)), (1, 3, 3, 4, 5));
        assert_eq!(idx.line_of(None), 0);
    }
}
