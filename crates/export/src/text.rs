//! What vCard and iCalendar share: content lines ended by CRLF and folded at
//! 75 octets (RFC 5545 section 3.1, RFC 6350 section 3.2, RFC 2426 section
//! 2.6), and the escaping of text values.

use std::borrow::Cow;

/// Names the program that wrote a card or calendar (PRODID, in both formats).
pub(crate) const PRODID: &str = "-//Nordic Society for Precision Medicine//nspm//EN";

/// The longest a content line may be, in octets, not counting its CRLF.
pub(crate) const MAX_LINE: usize = 75;

/// A file of content lines being written.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    out: String,
}

impl Lines {
    pub(crate) fn new() -> Lines {
        Lines::default()
    }

    /// Writes `NAME;PARAMS:VALUE`; the value must already be escaped.
    pub(crate) fn prop(&mut self, name: &str, value: &str) {
        if name.len() + 1 + value.len() <= MAX_LINE {
            // Most lines fit: no folding to do, and nothing to count.
            self.out.reserve(name.len() + 1 + value.len() + 2);
            self.out.push_str(name);
            self.out.push(':');
            self.out.push_str(value);
            self.out.push_str("\r\n");
        } else {
            let mut line = String::with_capacity(name.len() + 1 + value.len());
            line.push_str(name);
            line.push(':');
            line.push_str(value);
            fold_into(&mut self.out, &line);
        }
    }

    /// Writes a property whose value is text, escaping it.
    pub(crate) fn text(&mut self, name: &str, value: &str) {
        self.prop(name, &escape(value));
    }

    /// Appends lines written elsewhere.
    pub(crate) fn append(&mut self, other: Lines) {
        self.out.push_str(&other.out);
    }

    pub(crate) fn finish(self) -> String {
        self.out
    }
}

/// Appends `line` to `out` folded: no physical line longer than
/// [`MAX_LINE`] octets, each continuation starting with one space, no UTF-8
/// character split across lines (the RFCs forbid that, and clients that
/// unfold by bytes would otherwise produce mojibake), and no folded line
/// ending in white space.
///
/// Many readers (the Rust `ical` crate, scripts that strip each line) trim
/// white space off the end of every physical line before they unfold, so a
/// space at a fold would be lost: "spans the" + "whole month". A fold is
/// therefore moved back before any white space, which then starts the next
/// line after the folding space. Only a run of white space longer than a
/// whole line cannot be kept from a line's end; it is cut where it must be.
pub(crate) fn fold_into(out: &mut String, line: &str) {
    let mut rest = line;
    let mut room = MAX_LINE;
    while rest.len() > room {
        // The longest start of the rest that fits and ends between
        // characters; `room` is far longer than any UTF-8 character.
        let mut cut = room;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let kept = rest[..cut].trim_end_matches(trimmed_by_readers).len();
        if kept > 0 {
            cut = kept;
        }
        out.push_str(&rest[..cut]);
        out.push_str("\r\n ");
        rest = &rest[cut..];
        // The space that starts a continuation line counts towards it.
        room = MAX_LINE - 1;
    }
    out.push_str(rest);
    out.push_str("\r\n");
}

/// What readers that trim lines take off their ends: Unicode's white space
/// (Rust's and Python's trimming) and the byte order mark (JavaScript's).
fn trimmed_by_readers(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Escapes a text value: backslash, semicolon and comma get a backslash,
/// a line break of any kind becomes `\n`. Other control characters are
/// dropped, since neither format allows them in text (a tab is kept, as
/// RFC 5545 allows it). This is the rule of iCalendar (RFC 5545 section
/// 3.3.11) and vCard 3.0 (RFC 2426 section 4), and of vCard 4.0 too: RFC
/// 6350 section 3.4 requires `\;` in the components of a structured value
/// and allows it in any other, and readers that split every value at a
/// bare `;` (Evolution, npm's vcard4) would otherwise show only the part of
/// a name before it.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    // Most values (names, places, titles) need no escaping: they are
    // borrowed as they are rather than copied character by character.
    let plain =
        |c: char| !(matches!(c, '\\' | ';' | ',' | '\u{2028}' | '\u{2029}') || c.is_control());
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                // CRLF is one line break, not two.
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A web address as a URI value. Characters a URI may not hold (spaces,
/// quotes, angle brackets, non-ASCII letters) are percent-encoded as UTF-8,
/// and so are `,` and `;`: URI values are not escaped in either format, and
/// readers such as Python's vobject cut a URL at a bare comma.
pub(crate) fn uri(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    for b in address.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+=%".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A structured value (vCard N, ADR, ORG): each component escaped, then
/// joined by the unescaped semicolons that separate them.
pub(crate) fn components(parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| escape(p))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(line: &str) -> String {
        let mut out = String::new();
        fold_into(&mut out, line);
        out
    }

    #[test]
    fn short_lines_are_left_whole() {
        assert_eq!(folded("SUMMARY:Oslo"), "SUMMARY:Oslo\r\n");
        let exact = format!("X:{}", "a".repeat(73));
        assert_eq!(folded(&exact), format!("{exact}\r\n"));
    }

    #[test]
    fn long_lines_fold_at_75_octets_and_unfold_to_the_original() {
        let line = format!("DESCRIPTION:{}", "abcdefghij".repeat(20));
        let out = folded(&line);
        let physical: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(physical[0].len(), 75);
        assert!(
            physical[1..]
                .iter()
                .all(|l| l.starts_with(' ') && l.len() <= 75)
        );
        assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    #[test]
    fn folding_never_splits_a_character() {
        // Two-, three- and four-octet characters at every offset.
        for prefix in 0..4 {
            for ch in ["ø", "€", "𝔄"] {
                let line = format!("FN:{}{}", "x".repeat(prefix), ch.repeat(120));
                let out = folded(&line);
                for physical in out.split("\r\n") {
                    assert!(physical.len() <= MAX_LINE, "{physical:?}");
                }
                // Every physical line is valid UTF-8 on its own.
                for physical in out.as_bytes().split(|&b| b == b'\n') {
                    assert!(std::str::from_utf8(physical).is_ok());
                }
                assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
            }
        }
    }

    /// The physical lines of folded output, without their CRLFs.
    fn physical(out: &str) -> Vec<&str> {
        out.strip_suffix("\r\n").unwrap().split("\r\n").collect()
    }

    /// What a reader that trims each line before unfolding reads (the Rust
    /// `ical` crate does so).
    fn read_trimming(out: &str) -> String {
        physical(out)
            .iter()
            .map(|l| l.trim_end())
            .enumerate()
            .map(|(i, l)| if i == 0 { l } else { &l[1..] })
            .collect()
    }

    #[test]
    fn a_fold_never_follows_white_space() {
        // The 75th octet falls just after the space, tab or no-break space
        // that follows "the": the fold moves before it.
        for space in [" ", "\t", "\u{a0}"] {
            let head = format!("DESCRIPTION:{}", "a".repeat(75 - 12 - space.len() - 3));
            let line = format!("{head}the{space}whole month");
            let out = folded(&line);
            assert_eq!(out, format!("{head}the\r\n {space}whole month\r\n"));
            assert_eq!(read_trimming(&out), line);
        }
        // A run of spaces: the fold goes before all of it.
        let line = format!("DESCRIPTION:{}{}b", "a".repeat(60), " ".repeat(20));
        let out = folded(&line);
        assert_eq!(physical(&out)[0], format!("DESCRIPTION:{}", "a".repeat(60)));
        assert_eq!(read_trimming(&out), line);
        // White space longer than a line cannot all be kept off line ends;
        // the lines still fit and unfold to the original.
        let line = format!("X:{}b", " ".repeat(200));
        let out = folded(&line);
        assert!(physical(&out).iter().all(|l| l.len() <= MAX_LINE));
        assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
    }

    proptest::proptest! {
        /// Words of one- to four-octet characters and combining marks with
        /// short runs of white space between them: however they fall, every
        /// physical line fits, none is cut inside a character, no folded one
        /// ends in white space, and a reader that trims lines reads the
        /// line whole.
        #[test]
        fn folding_keeps_white_space_for_readers_that_trim(
            words in proptest::collection::vec("[a-zø€𝔄🧬\u{308}]{1,12}", 1..40),
            gaps in proptest::collection::vec("[ \t\u{a0}\u{3000}]{1,3}", 40),
        ) {
            let mut line = String::from("DESCRIPTION:");
            for (word, gap) in words.iter().zip(&gaps) {
                if line.len() > 12 {
                    line.push_str(gap);
                }
                line.push_str(word);
            }
            let out = folded(&line);
            let lines = physical(&out);
            for (i, l) in lines.iter().enumerate() {
                proptest::prop_assert!(l.len() <= MAX_LINE, "{l:?}");
                proptest::prop_assert!(i == 0 || (l.starts_with(' ') && l.len() > 1), "{l:?}");
                proptest::prop_assert!(
                    i + 1 == lines.len() || !l.ends_with(trimmed_by_readers),
                    "{l:?}"
                );
            }
            proptest::prop_assert_eq!(out.replace("\r\n ", ""), format!("{line}\r\n"));
            proptest::prop_assert_eq!(read_trimming(&out), line);
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(escape(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape("one\ntwo\r\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape("bell\u{7}gone\ttab"), "bellgone\ttab");
        assert_eq!(
            escape("<script>\"x\":y</script>"),
            "<script>\"x\":y</script>"
        );
        assert_eq!(
            components(&["Do;e", "J,ohn", "", "", ""]),
            r"Do\;e;J\,ohn;;;"
        );
    }

    #[test]
    fn uris_keep_their_meaning_and_lose_separators() {
        assert_eq!(
            uri("https://example.org/a?b=1&c=%20#d"),
            "https://example.org/a?b=1&c=%20#d"
        );
        assert_eq!(
            uri("https://example.org/a,b;c<\"é\">"),
            "https://example.org/a%2Cb%3Bc%3C%22%C3%A9%22%3E"
        );
    }
}
