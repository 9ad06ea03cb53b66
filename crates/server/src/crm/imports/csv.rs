//! Reading and writing CSV (RFC 4180, leniently: `\n`, `\r\n` or `\r` line
//! ends, quotes only where a field starts with one) without a dependency:
//! the import reads spreadsheets' exports, whose separator is `,`, `;`
//! (locales with a decimal comma) or a tab, and writes the rejected rows
//! back in the same separator.

use std::borrow::Cow;

/// The text of an uploaded file: UTF-8 (a byte-order mark dropped), or, if
/// it is not UTF-8, Latin-1 (what older spreadsheet exports write).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The separator of the first line: whichever of `,`, `;` and tab it has
/// most of outside quotes (`,` when it has none).
pub fn detect_delimiter(text: &str) -> char {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for ch in text.chars() {
        match ch {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [',', ';', '\t'][best]
}

/// A field whose closing quote never came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    /// The record it starts in (1: the first).
    pub record: usize,
}

/// The records of a CSV text, in order; each with its number (1: the
/// first, blank lines counted, so numbers match a spreadsheet's rows).
/// Blank lines are skipped.
pub struct Records<'a> {
    text: &'a str,
    pos: usize,
    delimiter: char,
    number: usize,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, delimiter: char) -> Self {
        Records {
            text,
            pos: 0,
            delimiter,
            number: 0,
        }
    }

    /// Reads one record from `pos`: its cells, and where the next starts.
    fn record(&self) -> Result<(Vec<String>, usize), Unclosed> {
        let text = self.text;
        let bytes = text.as_bytes();
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut i = self.pos;
        let mut quoted = false;
        let mut at_start = true;
        while i < bytes.len() {
            let ch = text[i..].chars().next().unwrap_or(' ');
            let len = ch.len_utf8();
            if quoted {
                if ch == '"' {
                    if bytes.get(i + 1) == Some(&b'"') {
                        cell.push('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    cell.push(ch);
                }
                i += len;
                continue;
            }
            match ch {
                '"' if at_start => {
                    quoted = true;
                    at_start = false;
                }
                '\r' | '\n' => {
                    let next = if ch == '\r' && bytes.get(i + 1) == Some(&b'\n') {
                        i + 2
                    } else {
                        i + 1
                    };
                    cells.push(cell);
                    return Ok((cells, next));
                }
                c if c == self.delimiter => {
                    cells.push(std::mem::take(&mut cell));
                    at_start = true;
                }
                c => {
                    cell.push(c);
                    at_start = false;
                }
            }
            i += len;
        }
        if quoted {
            return Err(Unclosed {
                record: self.number,
            });
        }
        cells.push(cell);
        Ok((cells, i))
    }
}

impl Iterator for Records<'_> {
    type Item = Result<(usize, Vec<String>), Unclosed>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.pos >= self.text.len() {
                return None;
            }
            self.number += 1;
            match self.record() {
                Ok((cells, next)) => {
                    self.pos = next;
                    if cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    return Some(Ok((self.number, cells)));
                }
                Err(e) => {
                    self.pos = self.text.len();
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Appends one record to `out`, quoting cells that need it, and a `\r\n`.
pub fn write_record<'c>(
    out: &mut String,
    cells: impl IntoIterator<Item = &'c str>,
    delimiter: char,
) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(delimiter);
        }
        if cell.contains([delimiter, '"', '\r', '\n']) || cell.starts_with(' ') {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}

/// A cell as written into a file people open in a spreadsheet: one that
/// would run as a formula (`=…`, `@…`, or `+`/`-` followed by more than a
/// phone number's characters) gets a leading `'`.
pub fn spreadsheet_safe(cell: &str) -> Cow<'_, str> {
    let phone_like = |s: &str| s.chars().all(|c| c.is_ascii_digit() || " -.()".contains(c));
    let risky = match cell.chars().next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !phone_like(&cell[1..]),
        _ => false,
    };
    if risky {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str, d: char) -> Vec<(usize, Vec<String>)> {
        Records::new(text, d).map(|r| r.unwrap()).collect()
    }

    #[test]
    fn quotes_line_ends_and_blank_lines() {
        let rows = all(
            "phone,name\r\n\"+44 7911\",\"Ann \"\"A\"\" Lee\"\n\n+1 555,\"two\nlines\"\r3,x",
            ',',
        );
        assert_eq!(rows[0], (1, vec!["phone".into(), "name".into()]));
        assert_eq!(
            rows[1],
            (2, vec!["+44 7911".into(), "Ann \"A\" Lee".into()])
        );
        // The blank line is row 3.
        assert_eq!(rows[2], (4, vec!["+1 555".into(), "two\nlines".into()]));
        assert_eq!(rows[3], (5, vec!["3".into(), "x".into()]));
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn an_unclosed_quote_is_an_error() {
        let mut r = Records::new("a\n\"b,c\n", ',');
        assert!(r.next().unwrap().is_ok());
        assert_eq!(r.next().unwrap(), Err(Unclosed { record: 2 }));
        assert!(r.next().is_none());
    }

    #[test]
    fn separators_are_detected_outside_quotes() {
        assert_eq!(detect_delimiter("phone;name;\"a,b,c,d\"\n1,2,3,4,5"), ';');
        assert_eq!(detect_delimiter("phone\tname\n"), '\t');
        assert_eq!(detect_delimiter("phone\n"), ',');
        assert_eq!(detect_delimiter("a,b;c,d"), ',');
    }

    #[test]
    fn written_records_read_back() {
        let mut out = String::new();
        let cells = ["plain", "with;semi", "say \"hi\"", "two\nlines", ""];
        write_record(&mut out, cells, ';');
        let back = all(&out, ';');
        assert_eq!(back[0].1, cells.map(str::to_owned).to_vec());
    }

    #[test]
    fn latin1_files_are_read_too() {
        assert_eq!(decode(b"\xEF\xBB\xBFJos\xC3\xA9"), "José");
        assert_eq!(decode(b"Jos\xE9"), "José");
    }

    #[test]
    fn formulas_are_defused_phone_numbers_are_not() {
        assert_eq!(spreadsheet_safe("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(spreadsheet_safe("+44 (79) 11-123"), "+44 (79) 11-123");
        assert_eq!(spreadsheet_safe("+cmd|x"), "'+cmd|x");
        assert_eq!(spreadsheet_safe("Ann"), "Ann");
    }
}
