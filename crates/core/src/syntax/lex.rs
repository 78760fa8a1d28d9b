//! The one lexer of RON text: white space and comments, strings (raw ones
//! too), characters, numbers, names. The reader in [`super`] builds its tree
//! on it; [`comments`] runs it over a stretch of text and keeps the comments
//! it steps over, so that an edit can put each back beside its field, and
//! `//` inside a string is never taken for one.

use std::borrow::Cow;

use super::{Result, Span, SyntaxError, Value};

pub(super) struct Lexer<'s> {
    pub(super) src: &'s str,
    pub(super) bytes: &'s [u8],
    pub(super) pos: usize,
    /// Where each comment stepped over stood, when they are being kept.
    comments: Option<Vec<Span>>,
}

impl<'s> Lexer<'s> {
    pub(super) fn new(src: &'s str) -> Self {
        let pos = if src.starts_with('\u{feff}') { 3 } else { 0 };
        Lexer {
            src,
            bytes: src.as_bytes(),
            pos,
            comments: None,
        }
    }

    fn keep(&mut self, start: usize) {
        if let Some(comments) = &mut self.comments {
            comments.push(Span::new(start, self.pos));
        }
    }

    /// How many bytes from here on are `like`: a run is stepped over at
    /// once, which takes fewer instructions than a byte at a time.
    fn run(&self, like: impl Fn(u8) -> bool) -> usize {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        rest.iter().position(|&b| !like(b)).unwrap_or(rest.len())
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    pub(super) fn error_at(&self, offset: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            offset,
            message: message.into(),
        }
    }

    pub(super) fn error_here(&self, message: &str) -> SyntaxError {
        self.error_at(
            self.pos,
            format!("{message}, found {}", self.describe_here()),
        )
    }

    /// Names what stands at the current position, for messages.
    fn describe_here(&self) -> String {
        match self.src[self.pos..].chars().next() {
            None => "the end of the file".to_string(),
            Some(c) if c.is_control() => format!("{c:?}"),
            Some(c) => format!("`{c}`"),
        }
    }

    fn unterminated_string(&self, start: usize) -> SyntaxError {
        self.error_at(
            start,
            "unterminated string: the file ends before its closing `\"`",
        )
    }

    /// Skips white space and comments, both `// line` and nested `/* block */`,
    /// keeping where each comment stood when asked to.
    pub(super) fn skip_trivia(&mut self) -> Result<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => {
                    self.pos += self.run(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
                }
                Some(b'/') if self.peek_at(1) == Some(b'/') => {
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if b == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                    self.keep(start);
                }
                Some(b'/') if self.peek_at(1) == Some(b'*') => {
                    let start = self.pos;
                    self.pos += 2;
                    let mut level = 1usize;
                    while level > 0 {
                        match (self.peek(), self.peek_at(1)) {
                            (None, _) => {
                                return Err(self.error_at(start, "unterminated block comment"));
                            }
                            (Some(b'*'), Some(b'/')) => {
                                level -= 1;
                                self.pos += 2;
                            }
                            (Some(b'/'), Some(b'*')) => {
                                level += 1;
                                self.pos += 2;
                            }
                            _ => self.pos += 1,
                        }
                    }
                    self.keep(start);
                }
                _ => return Ok(()),
            }
        }
    }

    pub(super) fn ident(&mut self) -> Result<&'s str> {
        let start = self.pos;
        // `r#name` is a raw identifier.
        if self.peek() == Some(b'r') && self.peek_at(1) == Some(b'#') {
            self.pos += 2;
        }
        let body = self.pos;
        self.pos += self.run(|b| b == b'_' || b.is_ascii_alphanumeric());
        if self.pos == body {
            return Err(self.error_at(start, "expected a name"));
        }
        Ok(&self.src[body..self.pos])
    }

    pub(super) fn string(&mut self) -> Result<Cow<'s, str>> {
        let start = self.pos;
        self.pos += 1;
        let body = self.pos;
        // Fast path: no escapes, borrow the text as it stands.
        let rest = self.bytes.get(body..).unwrap_or_default();
        match memchr::memchr2(b'"', b'\\', rest) {
            None => return Err(self.unterminated_string(start)),
            Some(n) => {
                self.pos = body + n;
                if rest[n] == b'"' {
                    let text = &self.src[body..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(text));
                }
            }
        }
        let mut out = String::from(&self.src[body..self.pos]);
        loop {
            let rest = &self.src[self.pos..];
            let Some(c) = rest.chars().next() else {
                return Err(self.unterminated_string(start));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                '\\' => out.push(self.escape()?),
                _ => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }

    /// Reads one escape sequence, the backslash included.
    fn escape(&mut self) -> Result<char> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.src[self.pos..].chars().next() else {
            return Err(self.unterminated_string(start));
        };
        self.pos += c.len_utf8();
        let simple = match c {
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '0' => Some('\0'),
            '\\' => Some('\\'),
            '"' => Some('"'),
            '\'' => Some('\''),
            '/' => Some('/'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            _ => None,
        };
        if let Some(c) = simple {
            return Ok(c);
        }
        let bad = |p: &Self| p.error_at(start, "invalid escape sequence in string");
        // The hexadecimal digits of the next `n` bytes, which are stepped over.
        let digits = |p: &mut Self, n: usize| {
            let hex = p.src.get(p.pos..p.pos + n).ok_or_else(|| bad(p))?;
            p.pos += n;
            u32::from_str_radix(hex, 16).map_err(|_| bad(p))
        };
        let code = match c {
            'x' => {
                let code = digits(self, 2)?;
                if code > 0x7f {
                    return Err(bad(self));
                }
                code
            }
            'u' if self.peek() == Some(b'{') => {
                let close = self.src[self.pos..]
                    .find('}')
                    .filter(|&n| (2..=7).contains(&n))
                    .ok_or_else(|| bad(self))?;
                self.pos += 1;
                let code = digits(self, close - 1)?;
                self.pos += 1;
                code
            }
            'u' => digits(self, 4)?,
            _ => return Err(bad(self)),
        };
        char::from_u32(code).ok_or_else(|| bad(self))
    }

    pub(super) fn raw_string(&mut self) -> Result<&'s str> {
        let start = self.pos;
        self.pos += 1;
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        if self.peek() != Some(b'"') {
            return Err(self.error_here("expected `\"` to open a raw string"));
        }
        self.pos += 1;
        let body = self.pos;
        let mut closing = String::from("\"");
        closing.extend(std::iter::repeat_n('#', hashes));
        match self.src[body..].find(&closing) {
            Some(n) => {
                self.pos = body + n + closing.len();
                Ok(&self.src[body..body + n])
            }
            None => Err(self.error_at(start, "unterminated raw string")),
        }
    }

    pub(super) fn char_literal(&mut self) -> Result<char> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.src[self.pos..].chars().next() {
            None => return Err(self.error_at(start, "unterminated character")),
            Some('\\') => self.escape()?,
            Some(c) => {
                self.pos += c.len_utf8();
                c
            }
        };
        if self.peek() != Some(b'\'') {
            return Err(self.error_at(start, "unterminated character"));
        }
        self.pos += 1;
        Ok(c)
    }

    pub(super) fn number(&mut self) -> Result<Value<'s>> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            let exponent_sign = matches!(b, b'+' | b'-')
                && self.pos > start
                && matches!(self.bytes[self.pos - 1], b'e' | b'E')
                && !self.src[start..self.pos].starts_with("0x");
            if b.is_ascii_alphanumeric()
                || b == b'_'
                || b == b'.'
                || (self.pos == start && matches!(b, b'+' | b'-'))
                || exponent_sign
            {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text: String = self.src[start..self.pos]
            .chars()
            .filter(|&c| c != '_')
            .collect();
        let invalid = || SyntaxError {
            offset: start,
            message: format!("invalid number `{}`", &self.src[start..self.pos]),
        };
        let (negative, digits) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, &text[..]),
        };
        if digits == "inf" {
            return Ok(Value::Float(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        let radix = match digits.get(..2) {
            Some("0x") => Some(16),
            Some("0o") => Some(8),
            Some("0b") => Some(2),
            _ => None,
        };
        if let Some(radix) = radix {
            let n = i128::from_str_radix(&digits[2..], radix).map_err(|_| invalid())?;
            return Ok(Value::Int(if negative { -n } else { n }));
        }
        if digits.is_empty() || !digits.bytes().any(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        if digits.bytes().all(|b| b.is_ascii_digit()) {
            let n: i128 = digits.parse().map_err(|_| invalid())?;
            return Ok(Value::Int(if negative { -n } else { n }));
        }
        let n: f64 = digits.parse().map_err(|_| invalid())?;
        Ok(Value::Float(if negative { -n } else { n }))
    }

    /// Steps over one token of whatever kind stands here: a string, a
    /// character, a number, a name, or one character of punctuation.
    fn skip_token(&mut self) -> Result<()> {
        match self.peek() {
            None => {}
            Some(b'"') => drop(self.string()?),
            Some(b'r') if self.at_raw_string() => drop(self.raw_string()?),
            Some(b'\'') => drop(self.char_literal()?),
            Some(b'0'..=b'9' | b'-' | b'+' | b'.') => drop(self.number()?),
            Some(b) if b == b'_' || b.is_ascii_alphabetic() => drop(self.ident()?),
            Some(_) => {
                let c = self.src[self.pos..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
                self.pos += c;
            }
        }
        Ok(())
    }

    /// `r"…"` or `r#"…"#`, as opposed to a raw name `r#name`.
    fn at_raw_string(&self) -> bool {
        let mut ahead = 1;
        while self.peek_at(ahead) == Some(b'#') {
            ahead += 1;
        }
        self.peek_at(ahead) == Some(b'"')
    }
}

/// Where every comment that starts in `range` of `src` stands, in order.
/// `range` starts between tokens, as a record's span does. The text is read
/// as the reader reads it, up to the first thing it cannot read: this runs
/// on checked data, where there is none.
pub(crate) fn comments(src: &str, range: Span) -> Vec<Span> {
    let mut lex = Lexer {
        pos: range.start.min(src.len()),
        comments: Some(Vec::new()),
        ..Lexer::new(src)
    };
    while lex.pos < range.end {
        if lex.skip_trivia().is_err() || lex.pos >= range.end || lex.skip_token().is_err() {
            break;
        }
    }
    let mut found = lex.comments.unwrap_or_default();
    found.retain(|c| c.start < range.end);
    found
}
