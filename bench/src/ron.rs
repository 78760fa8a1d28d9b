//! Writing RON text by hand, in the layout of the files under `data/`.

use std::fmt::Write;

/// Appends `text` as a RON string literal, escaping what RON requires.
pub fn quote(out: &mut String, text: &str) {
    out.push('"');
    // Almost every string needs no escape; copying it whole is several
    // times faster than going through it character by character. 0xC2 leads
    // the C1 control characters (and some ordinary ones, which the slow path
    // copies as they are).
    if !text
        .bytes()
        .any(|b| b < 0x20 || matches!(b, b'"' | b'\\' | 0x7f | 0xc2))
    {
        out.push_str(text);
        out.push('"');
        return;
    }
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `    name: "text",` on its own line, at record-field indentation.
pub fn field_str(out: &mut String, name: &str, text: &str) {
    out.push_str("        ");
    out.push_str(name);
    out.push_str(": ");
    quote(out, text);
    out.push_str(",\n");
}

/// Appends `    name: Some("text"),` or `    name: None,`.
pub fn field_opt(out: &mut String, name: &str, text: Option<&str>) {
    out.push_str("        ");
    out.push_str(name);
    match text {
        Some(t) => {
            out.push_str(": Some(");
            quote(out, t);
            out.push_str("),\n");
        }
        None => out.push_str(": None,\n"),
    }
}

/// Appends `    name: Some(Public("text")),` for a contact detail.
pub fn field_detail(out: &mut String, name: &str, public: bool, text: &str) {
    out.push_str("        ");
    out.push_str(name);
    out.push_str(if public {
        ": Some(Public("
    } else {
        ": Some(Members("
    });
    quote(out, text);
    out.push_str(")),\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape_what_ron_needs() {
        let mut out = String::new();
        quote(&mut out, "a \"b\" \\ c\nø\u{7}");
        assert_eq!(out, r#""a \"b\" \\ c\nø\u{7}""#);
    }
}
