//! The XML of DAV: request bodies read into a small tree of elements named
//! by (namespace, local name), whatever prefixes the client chose, and the
//! responses written with fixed prefixes.
//!
//! Request bodies are hostile. quick-xml processes no DTD, so it neither
//! fetches external entities nor expands entities of its own; a body that
//! has a DOCTYPE at all is refused before anything in it is looked at, a
//! reference to any entity but XML's five and character references is
//! malformed, and nesting and element counts are capped, as is the body's
//! size (by the caller, before parsing).

use std::fmt::Write as _;

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

/// The namespaces of the DAV specifications.
pub(crate) const DAV: &str = "DAV:";
pub(crate) const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub(crate) const CARDDAV: &str = "urn:ietf:params:xml:ns:carddav";
/// Apple's CalendarServer namespace, for `getctag`.
pub(crate) const CS: &str = "http://calendarserver.org/ns/";

/// Deeper than any DAV request needs (a calendar-query's filters nest
/// five or six levels).
const MAX_DEPTH: usize = 32;
/// More elements than a multiget of every object of a large collection.
const MAX_ELEMENTS: usize = 100_000;

/// One element of a request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    /// Its namespace ("" when it has none).
    pub ns: String,
    pub name: String,
    /// Attributes without a namespace, by local name (those with one play
    /// no part in the requests read here).
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    /// Its text, with the children's left out.
    pub text: String,
}

impl Element {
    pub(crate) fn is(&self, ns: &str, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    /// The first child named so.
    pub(crate) fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a body is not a request this server reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum XmlError {
    #[error("the body declares a DOCTYPE, which is not accepted")]
    Doctype,
    #[error("the body refers to the entity &{0}; which XML does not define")]
    Entity(String),
    #[error("the body nests elements more than {MAX_DEPTH} deep")]
    TooDeep,
    #[error("the body has more than {MAX_ELEMENTS} elements")]
    TooMany,
    #[error("the body uses the undeclared namespace prefix {0}")]
    Prefix(String),
    #[error("the body is not well-formed XML: {0}")]
    Malformed(String),
    #[error("the body has no root element")]
    Empty,
}

/// Reads a whole body into its root element.
pub(crate) fn parse(body: &[u8]) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_reader(body);
    let config = reader.config_mut();
    config.trim_text(false);
    config.expand_empty_elements = true;
    config.check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut count = 0usize;
    let mut buf = Vec::new();
    let malformed = |e: &dyn std::fmt::Display| XmlError::Malformed(e.to_string());
    loop {
        let (ns, event) = reader
            .read_resolved_event_into(&mut buf)
            .map_err(|e| malformed(&e))?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(e) => {
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err(XmlError::TooMany);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                if root.is_some() {
                    return Err(XmlError::Malformed("more than one root element".into()));
                }
                let ns = namespace(ns)?;
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(|e| malformed(&e))?;
                    let key = a.key;
                    if key.as_ref().starts_with(b"xmlns") {
                        continue;
                    }
                    let (ans, local) = reader.resolve_attribute(key);
                    if !matches!(ans, ResolveResult::Unbound) {
                        continue;
                    }
                    let value = a.unescape_value().map_err(|e| entity_or(&e))?;
                    attrs.push((
                        String::from_utf8_lossy(local.as_ref()).into_owned(),
                        value.into_owned(),
                    ));
                }
                stack.push(Element {
                    ns,
                    name,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                });
            }
            Event::End(_) => {
                let done = stack
                    .pop()
                    .ok_or_else(|| XmlError::Malformed("an end tag with no start".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let text = t.decode().map_err(|e| malformed(&e))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(XmlError::Malformed("text outside the root".into())),
                }
            }
            Event::CData(t) => {
                let text = t.decode().map_err(|e| malformed(&e))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(|e| malformed(&e))? {
                    Some(c) => c,
                    None => {
                        let name = r.decode().map_err(|e| malformed(&e))?;
                        match name.as_ref() {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "quot" => '"',
                            "apos" => '\'',
                            other => return Err(XmlError::Entity(other.to_string())),
                        }
                    }
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(
            "the body ends inside an element".into(),
        ));
    }
    root.ok_or(XmlError::Empty)
}

fn namespace(ns: ResolveResult<'_>) -> Result<String, XmlError> {
    match ns {
        ResolveResult::Bound(ns) => Ok(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        ResolveResult::Unbound => Ok(String::new()),
        ResolveResult::Unknown(p) => {
            Err(XmlError::Prefix(String::from_utf8_lossy(&p).into_owned()))
        }
    }
}

/// An attribute's unescaping fails on an entity XML does not define.
fn entity_or(e: &quick_xml::Error) -> XmlError {
    match e {
        quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(_, name)) => {
            XmlError::Entity(name.clone())
        }
        other => XmlError::Malformed(other.to_string()),
    }
}

/// Text or an attribute value escaped for XML.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(text)
}

/// The prefix responses use for a namespace, or None for one of the
/// client's own, which is declared where it is used.
pub(crate) fn prefix(ns: &str) -> Option<&'static str> {
    match ns {
        DAV => Some("D"),
        CALDAV => Some("C"),
        CARDDAV => Some("CR"),
        CS => Some("CS"),
        _ => None,
    }
}

/// The namespace declarations of every response's root element.
pub(crate) const DECLARATIONS: &str = concat!(
    "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" ",
    "xmlns:CR=\"urn:ietf:params:xml:ns:carddav\" xmlns:CS=\"http://calendarserver.org/ns/\""
);

/// Writes an element named (`ns`, `name`) around `inner` (already XML),
/// or empty when `inner` is empty.
pub(crate) fn element(out: &mut String, ns: &str, name: &str, inner: &str) {
    let (open, close) = match prefix(ns) {
        Some(p) => (format!("{p}:{name}"), format!("{p}:{name}")),
        None if ns.is_empty() => (name.to_string(), name.to_string()),
        None => (
            format!("X:{name} xmlns:X=\"{}\"", escape(ns)),
            format!("X:{name}"),
        ),
    };
    if inner.is_empty() {
        let _ = write!(out, "<{open}/>");
    } else {
        let _ = write!(out, "<{open}>{inner}</{close}>");
    }
}

/// A DAV:error body naming one precondition (RFC 4918 section 16), with
/// `inner` inside the precondition's element.
pub(crate) fn error_body(ns: &str, condition: &str, inner: &str) -> String {
    let mut out = format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error {DECLARATIONS}>");
    element(&mut out, ns, condition, inner);
    out.push_str("</D:error>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_the_clients_and_default_namespaces_count() {
        let a = parse(
            br#"<x:propfind xmlns:x="DAV:"><x:prop><getetag xmlns="DAV:"/></x:prop></x:propfind>"#,
        )
        .unwrap();
        let b = parse(br#"<propfind xmlns="DAV:"><prop><getetag/></prop></propfind>"#).unwrap();
        assert_eq!(a, b);
        assert!(a.is(DAV, "propfind"));
        assert!(a.children[0].children[0].is(DAV, "getetag"));
    }

    #[test]
    fn hostile_bodies_are_refused() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d:propfind xmlns:d="DAV:">&x;</d:propfind>"#;
        assert_eq!(parse(xxe), Err(XmlError::Doctype));
        let undefined = br#"<d:propfind xmlns:d="DAV:">&x;</d:propfind>"#;
        assert_eq!(parse(undefined), Err(XmlError::Entity("x".into())));
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert_eq!(parse(deep.as_bytes()), Err(XmlError::TooDeep));
        assert!(matches!(parse(b"<a><b></a>"), Err(XmlError::Malformed(_))));
        assert!(matches!(parse(b"<x:a/>"), Err(XmlError::Prefix(_))));
        assert_eq!(parse(b""), Err(XmlError::Empty));
    }

    #[test]
    fn text_and_references_are_read() {
        let e = parse(br#"<t a="&lt;1&#x41;">x &amp; &#66;</t>"#).unwrap();
        assert_eq!(e.text, "x & B");
        assert_eq!(e.attr("a"), Some("<1A"));
    }
}
