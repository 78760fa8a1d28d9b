//! A RON reader that remembers where every value came from.
//!
//! The `ron` crate deserializes straight into types and stops at the first
//! problem, without telling where a value stood once it has been read. `nspm
//! check` must name the line and column of every problem, including those
//! found only after the whole society is read (a duplicate id, a reference to
//! a missing person), and staff edits must replace one record in place while
//! keeping the comments around it. So the data is read by this small reader,
//! which builds a tree of values with byte spans. It reads the part of RON
//! that data is written in: structs and tuples (named or not), lists, maps,
//! `()`, booleans, strings with their escapes, raw strings, characters,
//! integers and floats (signs, `_` separators, `0x`, `0o` and `0b`, `inf`,
//! `NaN`), raw names (`r#type`), and line and nested block comments; the
//! tests check it against the `ron` crate. It does not read the `#![enable(…)]`
//! extension attributes or byte strings (`b"…"`): no data file needs them,
//! and either is a syntax error at its first byte.
//!
//! It never panics and never recurses without bound: nesting deeper than
//! [`MAX_DEPTH`] is an error, and every step consumes input.

mod lex;

use std::borrow::Cow;
use std::fmt;

use lex::Lexer;
pub(crate) use lex::comments;

/// How deep lists, structs and maps may nest. The society's data needs four
/// levels; the limit only guards against hostile input.
pub const MAX_DEPTH: usize = 64;

/// A byte range in one source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// A value and where it stood.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'s> {
    pub span: Span,
    pub value: Value<'s>,
}

/// A named field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<'s> {
    pub name: &'s str,
    pub name_span: Span,
    pub value: Node<'s>,
}

/// The values RON can express.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'s> {
    Str(Cow<'s, str>),
    Char(char),
    Int(i128),
    Float(f64),
    Bool(bool),
    /// `()`.
    Unit,
    /// A bare identifier: a unit enum variant such as `None` or `Public`.
    Ident(&'s str),
    /// `Name(a, b)` or `(a, b)`.
    Tuple {
        name: Option<&'s str>,
        items: Vec<Node<'s>>,
    },
    /// `Name(field: a)` or `(field: a)`.
    Struct {
        name: Option<&'s str>,
        fields: Vec<Field<'s>>,
    },
    List(Vec<Node<'s>>),
    Map(Vec<(Node<'s>, Node<'s>)>),
}

impl Value<'_> {
    /// A short description of the kind of value, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Char(_) => "a character",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Bool(_) => "a boolean",
            Value::Unit => "`()`",
            Value::Ident(_) => "a name",
            Value::Tuple { .. } => "a tuple",
            Value::Struct { .. } => "a struct",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

type Result<T> = std::result::Result<T, SyntaxError>;

/// Reads one whole document holding a single value.
pub(crate) fn parse_document(src: &str) -> Result<Node<'_>> {
    let mut p = Parser::new(src);
    p.lex.skip_trivia()?;
    let node = p.value()?;
    p.end()?;
    Ok(node)
}

/// Reads a document that is one top-level list, handing each item to `item`
/// as soon as it is read, so that a large file never exists twice in memory
/// as a whole tree. Returns the span of the opening and closing brackets.
pub fn parse_list_document<'s>(
    src: &'s str,
    mut item: impl FnMut(Node<'s>),
) -> Result<(Span, Span)> {
    let mut p = Parser::new(src);
    let open = p.open_list()?;
    match p.list_items(None, &mut item)? {
        PartEnd::Closed(close) => Ok((open, close)),
        // Without a place to stop, the items run to the closing bracket.
        PartEnd::Stopped => Err(p
            .lex
            .error_here("expected `]` to close the list of records")),
    }
}

/// How reading one part of a list document ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartEnd {
    /// The list closed at this bracket, and only white space and comments
    /// followed it.
    Closed(Span),
    /// An item of the list begins exactly where the part was to stop.
    Stopped,
}

/// Reads the items of a top-level list document, like
/// [`parse_list_document`], from `start` until an item begins at `stop`.
///
/// This lets a large list be read in parts at once: a first part from the
/// start of the document (`start` None), each later part from where the one
/// before it was to stop. A part that returns [`PartEnd::Stopped`] has read
/// exactly the items before `stop`, so the next part, begun at that offset,
/// reads on exactly as one reader of the whole document would. When a part
/// does not stop there (`stop` fell inside an item or a comment, or a syntax
/// error came first), it reads on to the end, and the parts after it are to
/// be thrown away. A later part begun where no item starts may read nonsense,
/// but like every reading here it never panics.
pub(crate) fn parse_list_part<'s>(
    src: &'s str,
    start: Option<usize>,
    stop: Option<usize>,
    mut item: impl FnMut(Node<'s>),
) -> Result<PartEnd> {
    let mut p = Parser::new(src);
    match start {
        None => {
            p.open_list()?;
        }
        Some(start) => {
            // Offsets inside a character cannot start a part.
            if !src.is_char_boundary(start) {
                return Err(p
                    .lex
                    .error_at(0, "a part of a list must start at a character"));
            }
            p.lex.pos = start;
            p.depth = 1;
        }
    }
    p.list_items(stop, &mut item)
}

/// Offsets where the items of a list document seem to begin, near where the
/// text would be cut into `parts` equal shares: after a line break, at the
/// indentation of the first item, an identifier or `(`. This is a guess from
/// the layout alone; [`parse_list_part`] finds out whether it was right.
/// Fewer offsets, or none, when the text offers no such places.
pub(crate) fn list_split_points(src: &str, parts: usize) -> Vec<usize> {
    let mut p = Parser::new(src);
    if p.open_list().is_err() || p.lex.skip_trivia().is_err() {
        return Vec::new();
    }
    let first = p.lex.pos;
    let line_start = src[..first].rfind('\n').map_or(0, |n| n + 1);
    let indent = &src[line_start..first];
    if !indent.bytes().all(|b| b == b' ' || b == b'\t') {
        return Vec::new();
    }
    let needle = format!("\n{indent}");
    let mut points = Vec::new();
    let mut from = first + 1;
    for share in 1..parts {
        from = from.max(src.len() / parts * share);
        while !src.is_char_boundary(from) {
            from += 1;
        }
        while let Some(n) = src.get(from..).and_then(|rest| rest.find(&needle)) {
            let at = from + n + needle.len();
            from = at;
            if src
                .as_bytes()
                .get(at)
                .is_some_and(|&b| b == b'(' || b == b'_' || b.is_ascii_alphabetic())
            {
                points.push(at);
                from = at + 1;
                break;
            }
        }
    }
    points
}

struct Parser<'s> {
    lex: Lexer<'s>,
    depth: usize,
    /// Items and fields of the lists, tuples and structs being read, nested
    /// ones above their parents'. Each is moved into a vector of its exact
    /// length when it closes (`drain(..).collect()` allocates exactly), which
    /// costs one allocation instead of the several a growing vector takes.
    nodes: Vec<Node<'s>>,
    fields: Vec<Field<'s>>,
}

impl<'s> Parser<'s> {
    fn new(src: &'s str) -> Self {
        Parser {
            lex: Lexer::new(src),
            depth: 0,
            nodes: Vec::new(),
            fields: Vec::new(),
        }
    }

    /// Reads up to and including the `[` that opens a list document, and
    /// returns its span.
    fn open_list(&mut self) -> Result<Span> {
        self.lex.skip_trivia()?;
        let open = self.lex.pos;
        if self.lex.peek() != Some(b'[') {
            return Err(self
                .lex
                .error_here("expected `[` to open the list of records"));
        }
        self.lex.pos += 1;
        self.depth = 1;
        Ok(Span::new(open, open + 1))
    }

    /// Reads the items of the open top-level list and its end, or stops
    /// where an item begins at `stop`.
    fn list_items(
        &mut self,
        stop: Option<usize>,
        item: &mut impl FnMut(Node<'s>),
    ) -> Result<PartEnd> {
        loop {
            self.lex.skip_trivia()?;
            if Some(self.lex.pos) == stop {
                return Ok(PartEnd::Stopped);
            }
            if self.lex.peek() == Some(b']') {
                let close = Span::new(self.lex.pos, self.lex.pos + 1);
                self.lex.pos += 1;
                self.end()?;
                return Ok(PartEnd::Closed(close));
            }
            let node = self.value()?;
            item(node);
            self.list_separator(b']', "list item")?;
        }
    }

    fn end(&mut self) -> Result<()> {
        self.lex.skip_trivia()?;
        if self.lex.pos < self.lex.bytes.len() {
            return Err(self.lex.error_here("expected the end of the file"));
        }
        Ok(())
    }

    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.lex.error_at(
                self.lex.pos,
                format!("values nest deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Node<'s>> {
        let start = self.lex.pos;
        let value = match self.lex.peek() {
            None => return Err(self.lex.error_here("expected a value")),
            Some(b'"') => Value::Str(self.lex.string()?),
            Some(b'r') if matches!(self.lex.peek_at(1), Some(b'"' | b'#')) => {
                Value::Str(Cow::Borrowed(self.lex.raw_string()?))
            }
            Some(b'\'') => Value::Char(self.lex.char_literal()?),
            Some(b'[') => {
                self.enter()?;
                self.lex.pos += 1;
                let items = self.items(b']', "list item")?;
                self.depth -= 1;
                Value::List(items)
            }
            Some(b'{') => {
                self.enter()?;
                self.lex.pos += 1;
                let mut entries = Vec::new();
                loop {
                    self.lex.skip_trivia()?;
                    if self.lex.peek() == Some(b'}') {
                        self.lex.pos += 1;
                        break;
                    }
                    let key = self.value()?;
                    self.lex.skip_trivia()?;
                    if self.lex.peek() != Some(b':') {
                        return Err(self.lex.error_here("expected `:` after a map key"));
                    }
                    self.lex.pos += 1;
                    self.lex.skip_trivia()?;
                    let value = self.value()?;
                    entries.push((key, value));
                    self.list_separator(b'}', "map entry")?;
                }
                self.depth -= 1;
                Value::Map(entries)
            }
            Some(b'(') => self.parenthesised(None)?,
            Some(b'0'..=b'9' | b'-' | b'+' | b'.') => self.lex.number()?,
            Some(b) if b == b'_' || b.is_ascii_alphabetic() => {
                let name = self.lex.ident()?;
                let after_name = self.lex.pos;
                self.lex.skip_trivia()?;
                if self.lex.peek() == Some(b'(') {
                    self.parenthesised(Some(name))?
                } else {
                    self.lex.pos = after_name;
                    match name {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "inf" => Value::Float(f64::INFINITY),
                        "NaN" => Value::Float(f64::NAN),
                        _ => Value::Ident(name),
                    }
                }
            }
            Some(_) => return Err(self.lex.error_here("expected a value")),
        };
        Ok(Node {
            span: Span::new(start, self.lex.pos),
            value,
        })
    }

    /// The items up to and including the `close` that ends them, each
    /// followed by a comma or by `close`.
    fn items(&mut self, close: u8, what: &str) -> Result<Vec<Node<'s>>> {
        let base = self.nodes.len();
        loop {
            self.lex.skip_trivia()?;
            if self.lex.peek() == Some(close) {
                self.lex.pos += 1;
                break;
            }
            let item = self.value()?;
            self.nodes.push(item);
            self.list_separator(close, what)?;
        }
        Ok(self.nodes.drain(base..).collect())
    }

    /// After an item: either a comma (and maybe the closing bracket), or the
    /// closing bracket. Consumes the closing bracket only via the caller's loop.
    fn list_separator(&mut self, close: u8, what: &str) -> Result<()> {
        self.lex.skip_trivia()?;
        match self.lex.peek() {
            Some(b',') => {
                self.lex.pos += 1;
                Ok(())
            }
            Some(b) if b == close => Ok(()),
            _ => Err(self.lex.error_here(&format!(
                "expected `,` or `{}` after a {what}",
                close as char
            ))),
        }
    }

    /// `(` … `)`: a struct when the first thing inside is `name:`, else a
    /// tuple; `()` alone is the unit value.
    fn parenthesised(&mut self, name: Option<&'s str>) -> Result<Value<'s>> {
        self.enter()?;
        self.lex.pos += 1;
        self.lex.skip_trivia()?;
        let is_struct = self.starts_field();
        let value = if is_struct {
            let base = self.fields.len();
            loop {
                self.lex.skip_trivia()?;
                if self.lex.peek() == Some(b')') {
                    self.lex.pos += 1;
                    break;
                }
                // The name is read once, colon and all; on a miss the error
                // points at where the name should have begun.
                let name_start = self.lex.pos;
                let Some((field_name, name_span)) = self.field_name() else {
                    self.lex.pos = name_start;
                    return Err(self.lex.error_here("expected a field name followed by `:`"));
                };
                self.lex.skip_trivia()?;
                let value = self.value()?;
                self.fields.push(Field {
                    name: field_name,
                    name_span,
                    value,
                });
                self.list_separator(b')', "field")?;
            }
            Value::Struct {
                name,
                fields: self.fields.drain(base..).collect(),
            }
        } else {
            let items = self.items(b')', "tuple item")?;
            match (name, items.is_empty()) {
                (None, true) => Value::Unit,
                (Some(_), true) => Value::Struct {
                    name,
                    fields: Vec::new(),
                },
                _ => Value::Tuple { name, items },
            }
        };
        self.depth -= 1;
        Ok(value)
    }

    /// Looks ahead, without consuming, for `identifier :` (and not `::`).
    fn starts_field(&mut self) -> bool {
        let save = self.lex.pos;
        let found = self.field_name().is_some();
        self.lex.pos = save;
        found
    }

    /// Reads `identifier :` (not `::`) and returns the name and its span;
    /// None, with the position left anywhere, when that is not what follows.
    fn field_name(&mut self) -> Option<(&'s str, Span)> {
        let start = self.lex.pos;
        match self.lex.peek() {
            Some(b) if b == b'_' || b.is_ascii_alphabetic() => {}
            _ => return None,
        }
        let name = self.lex.ident().ok()?;
        let span = Span::new(start, self.lex.pos);
        self.lex.skip_trivia().ok()?;
        if self.lex.peek() == Some(b':') && self.lex.peek_at(1) != Some(b':') {
            self.lex.pos += 1;
            Some((name, span))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, expected: &str) {
        let got = match parse_document(src) {
            Ok(node) => format!("{:?}", node.value),
            Err(e) => format!("error at {}: {}", e.offset, e.message),
        };
        assert_eq!(got, expected, "input: {src:?}");
    }

    #[test]
    fn scalars() {
        check(r#""a\"b\u{e9}""#, r#"Str("a\"bé")"#);
        check(r##"r#"a"b"#"##, r#"Str("a\"b")"#);
        check("'x'", "Char('x')");
        check("-12_000", "Int(-12000)");
        check("0x1F", "Int(31)");
        check("1.5e3", "Float(1500.0)");
        check("true", "Bool(true)");
        check("None", r#"Ident("None")"#);
        check("()", "Unit");
    }

    #[test]
    fn compounds() {
        check(
            "Some(\"x\")",
            r#"Tuple { name: Some("Some"), items: [Node { span: Span { start: 5, end: 8 }, value: Str("x") }] }"#,
        );
        check(
            "[1, 2,]",
            "List([Node { span: Span { start: 1, end: 2 }, value: Int(1) }, Node { span: Span { start: 4, end: 5 }, value: Int(2) }])",
        );
        check(
            "P(a: 1) // c\n",
            r#"Struct { name: Some("P"), fields: [Field { name: "a", name_span: Span { start: 2, end: 3 }, value: Node { span: Span { start: 5, end: 6 }, value: Int(1) } }] }"#,
        );
        check("/* a /* nested */ comment */ 1", "Int(1)");
    }

    #[test]
    fn errors_name_what_was_found() {
        check(
            "[1 2]",
            "error at 3: expected `,` or `]` after a list item, found `2`",
        );
        check(
            "\"abc",
            "error at 0: unterminated string: the file ends before its closing `\"`",
        );
        check(
            "P(a: 1",
            "error at 6: expected `,` or `)` after a field, found the end of the file",
        );
        check("1 2", "error at 2: expected the end of the file, found `2`");
        check("/* open", "error at 0: unterminated block comment");
        check("\"\\q\"", "error at 1: invalid escape sequence in string");
        check("@", "error at 0: expected a value, found `@`");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = "[".repeat(100_000);
        check(&deep, "error at 64: values nest deeper than 64 levels");
        let deep = "(".repeat(100_000);
        check(&deep, "error at 64: values nest deeper than 64 levels");
    }

    /// The tree read from `src`, as text without its spans, which move
    /// when text is taken out: the values alone.
    fn values(src: &str) -> String {
        without_spans(&format!("{:?}", parse_document(src).map(|n| n.value)))
    }

    fn without_spans(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("Span {") {
            out.push_str(&rest[..at]);
            let end = rest[at..].find('}').map_or(rest.len(), |n| at + n + 1);
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn comments_are_what_the_reader_skips() {
        let src = "// head\nP( /* a /* nested */ one */ a: \"// not one\", // after a\n  b: r#\"/* nor */\"#, c: '\"', r#type: [1, /* in */ 2],\n) // tail\r\n";
        let found = comments(src, Span::new(0, src.len()));
        let texts: Vec<&str> = found
            .iter()
            .map(|c| src[c.start..c.end].trim_end())
            .collect();
        assert_eq!(
            texts,
            [
                "// head",
                "/* a /* nested */ one */",
                "// after a",
                "/* in */",
                "// tail"
            ]
        );
        // Taken out, they leave the same values behind.
        let mut bare = String::new();
        let mut from = 0;
        for c in &found {
            bare.push_str(&src[from..c.start]);
            from = c.end;
        }
        bare.push_str(&src[from..]);
        assert_eq!(values(&bare), values(src));
        assert!(values(src).starts_with("Ok(Struct"));
        // Only those that start in the range are found.
        let later = comments(src, Span::new(src.find("b:").unwrap(), src.len()));
        assert_eq!(later.len(), 2);
    }

    #[test]
    fn list_documents_stream_items() {
        let mut seen = Vec::new();
        parse_list_document("// c\n[1, 2]", |n| seen.push(n.value)).unwrap();
        assert_eq!(seen, vec![Value::Int(1), Value::Int(2)]);
    }
}
