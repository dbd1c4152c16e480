//! CSV cells safe to open in a spreadsheet (security item 26; used by exports).
//!
//! A cell starting with `=`, `+`, `-`, `@`, tab or carriage return would be run as a formula
//! by Excel or LibreOffice. Ordinary text is neutralised the OWASP way, with a leading `'`.
//! A pass must read exactly as issued (it may start with `+`), so a dangerous pass is written
//! as the string-literal formula `="+Xy3…"`, which a spreadsheet shows as `+Xy3…` and which
//! cannot run anything: it holds only a quoted constant.

/// Characters that make a spreadsheet treat a cell as a formula.
const TRIGGERS: &[char] = &['=', '+', '-', '@', '\t', '\r'];

fn quoted(cell: &str) -> String {
    if cell.contains([',', ';', '"', '\n', '\r']) || cell.starts_with(' ') || cell.ends_with(' ') {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// Returns `text` as a CSV cell a spreadsheet shows as text.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(TRIGGERS) {
        quoted(&format!("'{text}"))
    } else {
        quoted(text)
    }
}

/// Returns a pass as a CSV cell a spreadsheet shows exactly as `pass`, never as a formula to run.
pub fn pass_cell(pass: &str) -> String {
    if pass.starts_with(TRIGGERS) {
        // Inside the formula's string literal a quote is doubled; the CSV quoting doubles again.
        quoted(&format!("=\"{}\"", pass.replace('"', "\"\"")))
    } else {
        quoted(pass)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_text_are_neutralised() {
        assert_eq!(
            text_cell("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(text_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(text_cell("-2+3"), "'-2+3");
        assert_eq!(text_cell("\tx"), "'\tx");
        assert_eq!(text_cell("Adele Vance"), "Adele Vance");
        assert_eq!(text_cell("Vance, Adele"), "\"Vance, Adele\"");
    }

    #[test]
    fn a_pass_starting_with_plus_reads_the_same_and_cannot_run() {
        // Excel shows ="+Xy3!kQ9" as +Xy3!kQ9: the pass is unchanged as the admin reads it.
        assert_eq!(pass_cell("+Xy3!kQ9"), "\"=\"\"+Xy3!kQ9\"\"\"");
        assert_eq!(pass_cell("Xy3+kQ9"), "Xy3+kQ9");
        assert_eq!(pass_cell("-a\"b"), "\"=\"\"-a\"\"\"\"b\"\"\"");
        // Parsed back by a CSV reader, the cell is the constant formula around the exact pass.
        let cell = pass_cell("+Xy3!kQ9");
        let inner = cell[1..cell.len() - 1].replace("\"\"", "\"");
        assert_eq!(inner, "=\"+Xy3!kQ9\"");
    }
}
