//! Reading the workspace's Rust files as plain text for the tidy checks: listing them, and the
//! code with comments, strings and `#[cfg(test)]` modules blanked out.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// One `.rs` file of the workspace.
pub struct SourceFile {
    /// Path from the workspace root with `/` separators, e.g. `src/ui/boot.rs`.
    pub rel: String,
    /// The file as written.
    pub text: String,
}

impl SourceFile {
    /// The code only: comments, string and char literals replaced by spaces (line breaks kept,
    /// so line numbers stay right).
    pub fn code(&self) -> String {
        strip_comments_and_literals(&self.text)
    }

    /// [`SourceFile::code`] without `#[cfg(test)]` items (test modules may import anything).
    pub fn code_without_tests(&self) -> String {
        strip_cfg_test_items(&self.code())
    }
}

/// Every `.rs` file under `root`'s `dirs` (recursively, `target` folders skipped), sorted.
pub fn rust_files(root: &Path, dirs: &[&str]) -> Result<Vec<SourceFile>> {
    let mut paths = Vec::new();
    for dir in dirs {
        collect(&root.join(dir), &mut paths)?;
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            Ok(SourceFile { rel, text })
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in
        std::fs::read_dir(dir).with_context(|| format!("could not list {}", dir.display()))?
    {
        let path = entry?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target") {
                collect(&path, out)?;
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `text` with `//` and `/* */` comments and string, raw string and char literals replaced
/// by spaces; line breaks stay. Lifetimes (`'a`) are kept.
pub fn strip_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && !prev_is_ident(&chars, i)
            && raw_string_hashes(&chars, if c == 'b' { i + 2 } else { i + 1 }).is_some()
        {
            let start = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = raw_string_hashes(&chars, start).unwrap_or(0);
            let body = start + hashes + 1;
            for &ch in &chars[i..body] {
                out.push(blank(ch));
            }
            i = body;
            while i < chars.len() {
                if chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#')) {
                    for _ in 0..=hashes {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() {
                if chars[i] == '\\' {
                    out.push(' ');
                    if let Some(&escaped) = chars.get(i + 1) {
                        out.push(blank(escaped));
                    }
                    i += 2;
                } else if chars[i] == '"' {
                    out.push(' ');
                    i += 1;
                    break;
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == '\'' && !prev_is_ident(&chars, i) {
            // A char literal is 'x' or '\…'; anything else is a lifetime or a label.
            let len = if next == Some('\\') {
                (i + 2..chars.len().min(i + 12))
                    .find(|&k| chars[k] == '\'')
                    .map(|k| k + 1 - i)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(3)
            } else {
                None
            };
            match len {
                Some(len) => {
                    out.extend(std::iter::repeat_n(' ', len));
                    i += len;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// If a raw string's `#…#"` starts at `start`, the number of `#`.
fn raw_string_hashes(chars: &[char], start: usize) -> Option<usize> {
    let hashes = chars[start.min(chars.len())..]
        .iter()
        .take_while(|&&c| c == '#')
        .count();
    (chars.get(start + hashes) == Some(&'"')).then_some(hashes)
}

/// `code` (already without comments and literals) with every item after a `#[cfg(test)]`
/// attribute blanked, up to its closing brace or semicolon.
pub fn strip_cfg_test_items(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let code_len = out.len();
    let marker: Vec<char> = "#[cfg(test)]".chars().collect();
    let mut i = 0;
    while i + marker.len() <= out.len() {
        if out[i..i + marker.len()] != marker[..] {
            i += 1;
            continue;
        }
        let start = i;
        let mut k = i + marker.len();
        let mut depth = 0usize;
        while k < out.len() {
            match out[k] {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        k += 1;
                        break;
                    }
                }
                ';' if depth == 0 => {
                    k += 1;
                    break;
                }
                _ => {}
            }
            k += 1;
        }
        for ch in &mut out[start..k.min(code_len)] {
            if *ch != '\n' {
                *ch = ' ';
            }
        }
        i = k;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_strings_and_chars_are_blanked_lifetimes_kept() {
        let code = "use crate::a; // crate::b\nlet s = \"crate::c\"; let r = r#\"crate::\"d\"#;\n/* crate::e */ fn f<'a>(x: &'a str) -> char { '{' }";
        let stripped = strip_comments_and_literals(code);
        assert!(stripped.contains("use crate::a;"));
        for gone in ["crate::b", "crate::c", "crate::\"d", "crate::e", "'{'"] {
            assert!(!stripped.contains(gone), "{gone} left in {stripped}");
        }
        assert!(stripped.contains("fn f<'a>(x: &'a str)"));
        assert_eq!(stripped.lines().count(), code.lines().count());
    }

    #[test]
    fn cfg_test_modules_are_blanked() {
        let code = "use crate::a;\n#[cfg(test)]\nmod tests {\n use crate::ui;\n fn x() { }\n}\nuse crate::b;";
        let stripped = strip_cfg_test_items(code);
        assert!(stripped.contains("crate::a") && stripped.contains("crate::b"));
        assert!(!stripped.contains("crate::ui"));
    }
}
