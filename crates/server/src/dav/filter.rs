//! The filters of addressbook-query (RFC 6352 section 10.5) and
//! calendar-query (RFC 4791 section 9.7), matched against the objects as
//! they are sent: the content lines of the card or the event, unfolded and
//! unescaped, and for a time-range the event's span as its DTSTART and
//! DTEND give it (a month- or year-long meeting spans the whole month or
//! year).

use nspm_core::Timestamp;

use super::collection::Object;
use super::xml::{CALDAV, CARDDAV, Element};

/// Why a filter cannot be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FilterError {
    /// A collation this server does not have.
    Collation,
    /// A filter this server does not evaluate.
    Unsupported,
    /// A filter that is not as the RFC writes it.
    Invalid,
}

/// One property of a component.
#[derive(Debug)]
struct Property {
    /// Upper case, without a group.
    name: String,
    /// Names upper case, values without quotes.
    params: Vec<(String, String)>,
    value: String,
}

/// The properties directly inside the first `BEGIN:{component}`.
fn properties(body: &[u8], component: &str) -> Vec<Property> {
    let text = String::from_utf8_lossy(body);
    let unfolded = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut inside = false;
    for line in unfolded.split("\r\n") {
        let Some(p) = parse_line(line) else { continue };
        if p.name == "BEGIN" {
            if !inside && p.value.eq_ignore_ascii_case(component) {
                inside = true;
                depth = 0;
            } else if inside {
                depth += 1;
            }
            continue;
        }
        if p.name == "END" && inside {
            if depth == 0 {
                break;
            }
            depth -= 1;
            continue;
        }
        if inside && depth == 0 {
            out.push(p);
        }
    }
    out
}

fn parse_line(line: &str) -> Option<Property> {
    // The value starts at the first colon outside quotes.
    let mut quoted = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ':' if !quoted => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next()?;
    let name = name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase();
    let params = parts
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.to_ascii_uppercase(), v.trim_matches('"').to_string()))
        })
        .collect();
    Some(Property {
        name,
        params,
        value: unescape(value),
    })
}

/// A TEXT value as the reader sees it (RFC 6350 section 3.4, RFC 5545
/// section 3.3.11).
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Whether a filter's `test` attribute asks that all its tests match
/// (`allof`) rather than any (`anyof`, the default).
fn all_of(filter: &Element) -> Result<bool, FilterError> {
    match filter.attr("test").unwrap_or("anyof") {
        "anyof" => Ok(false),
        "allof" => Ok(true),
        _ => Err(FilterError::Invalid),
    }
}

/// Whether the card matches an addressbook-query's `filter`.
pub(crate) fn card_matches(filter: &Element, card: &Object) -> Result<bool, FilterError> {
    let props = properties(&card.body, "VCARD");
    let all = all_of(filter)?;
    let filters: Vec<&Element> = filter
        .children
        .iter()
        .filter(|e| e.is(CARDDAV, "prop-filter"))
        .collect();
    if filters.is_empty() {
        return Ok(true);
    }
    let mut results = Vec::with_capacity(filters.len());
    for f in filters {
        results.push(prop_filter(f, &props, CARDDAV, COLLATIONS[0])?);
    }
    Ok(if all {
        results.iter().all(|&r| r)
    } else {
        results.iter().any(|&r| r)
    })
}

/// Whether an event matches a calendar-query's `filter`.
pub(crate) fn event_matches(filter: &Element, event: &Object) -> Result<bool, FilterError> {
    let comps: Vec<&Element> = filter
        .children
        .iter()
        .filter(|e| e.is(CALDAV, "comp-filter"))
        .collect();
    let [calendar] = comps[..] else {
        return Err(FilterError::Invalid);
    };
    if calendar
        .attr("name")
        .map(str::to_ascii_uppercase)
        .as_deref()
        != Some("VCALENDAR")
    {
        return Err(FilterError::Invalid);
    }
    comp_filter(calendar, event, "VCALENDAR")
}

/// A comp-filter on the component `name` of the object, which has a
/// VCALENDAR with one VEVENT and nothing else.
fn comp_filter(f: &Element, event: &Object, name: &str) -> Result<bool, FilterError> {
    let present = matches!(name, "VCALENDAR" | "VEVENT");
    if f.child(CALDAV, "is-not-defined").is_some() {
        return Ok(!present);
    }
    if !present {
        return Ok(false);
    }
    let props = properties(&event.body, name);
    for child in &f.children {
        let ok = if child.is(CALDAV, "time-range") {
            if name != "VEVENT" {
                return Err(FilterError::Invalid);
            }
            let (start, end) = time_range(child)?;
            // RFC 4791 section 9.9: an event overlaps the range when it
            // starts before the range ends and ends after it starts.
            event
                .span
                .is_some_and(|(s, e)| start.is_none_or(|r| r < e) && end.is_none_or(|r| r > s))
        } else if child.is(CALDAV, "prop-filter") {
            prop_filter(child, &props, CALDAV, COLLATIONS[1])?
        } else if child.is(CALDAV, "comp-filter") {
            let inner = child
                .attr("name")
                .ok_or(FilterError::Invalid)?
                .to_ascii_uppercase();
            let inner = if name == "VCALENDAR" && inner == "VEVENT" {
                "VEVENT"
            } else {
                // No other component is in these objects.
                "NONE"
            };
            comp_filter(child, event, inner)?
        } else {
            continue;
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A time-range's start and end in seconds since the epoch, each None when
/// left out.
fn time_range(e: &Element) -> Result<(Option<i64>, Option<i64>), FilterError> {
    let read = |name| -> Result<Option<i64>, FilterError> { e.attr(name).map(utc).transpose() };
    let (start, end) = (read("start")?, read("end")?);
    if start.is_none() && end.is_none() {
        return Err(FilterError::Invalid);
    }
    Ok((start, end))
}

/// `20150501T000000Z` in seconds since the epoch.
fn utc(v: &str) -> Result<i64, FilterError> {
    let b = v.trim().as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(FilterError::Invalid);
    }
    let s = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).unwrap_or("");
    let text = format!(
        "{}-{}-{}T{}:{}:{}Z",
        s(0..4),
        s(4..6),
        s(6..8),
        s(9..11),
        s(11..13),
        s(13..15)
    );
    Timestamp::parse(&text)
        .map(Timestamp::unix)
        .map_err(|_| FilterError::Invalid)
}

fn prop_filter(
    f: &Element,
    props: &[Property],
    ns: &str,
    collation: &str,
) -> Result<bool, FilterError> {
    let name = f
        .attr("name")
        .ok_or(FilterError::Invalid)?
        .to_ascii_uppercase();
    let instances: Vec<&Property> = props.iter().filter(|p| p.name == name).collect();
    if f.child(ns, "is-not-defined").is_some() {
        return Ok(instances.is_empty());
    }
    if f.child(ns, "time-range").is_some() {
        return Err(FilterError::Unsupported);
    }
    let all = all_of(f)?;
    let tests: Vec<&Element> = f
        .children
        .iter()
        .filter(|e| e.is(ns, "text-match") || e.is(ns, "param-filter"))
        .collect();
    if tests.is_empty() {
        return Ok(!instances.is_empty());
    }
    for p in instances {
        let mut results = Vec::with_capacity(tests.len());
        for t in &tests {
            results.push(if t.name == "text-match" {
                text_match(t, &p.value, collation)?
            } else {
                param_filter(t, p, ns, collation)?
            });
        }
        let ok = if all {
            results.iter().all(|&r| r)
        } else {
            results.iter().any(|&r| r)
        };
        if ok {
            return Ok(true);
        }
    }
    Ok(false)
}

fn param_filter(f: &Element, p: &Property, ns: &str, collation: &str) -> Result<bool, FilterError> {
    let name = f
        .attr("name")
        .ok_or(FilterError::Invalid)?
        .to_ascii_uppercase();
    let values: Vec<&str> = p
        .params
        .iter()
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .collect();
    if f.child(ns, "is-not-defined").is_some() {
        return Ok(values.is_empty());
    }
    let Some(t) = f.child(ns, "text-match") else {
        return Ok(!values.is_empty());
    };
    for v in values {
        // A parameter of several values (TYPE=WORK,VOICE) matches by any.
        for one in v.split(',') {
            if text_match(t, one, collation)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// The collations of RFC 4790 this server has, the first each protocol's
/// default: CardDAV's is `i;unicode-casemap` (RFC 6352 section 8.3),
/// CalDAV's `i;ascii-casemap` (RFC 4791 section 7.5.1).
const COLLATIONS: [&str; 3] = ["i;unicode-casemap", "i;ascii-casemap", "i;octet"];

/// Refuses a filter that names a collation this server does not have
/// anywhere in it, before any object is looked at: found only while
/// matching, it would pass unnoticed whenever no object has the property
/// the text-match is on.
pub(crate) fn check_collations(filter: &Element) -> Result<(), FilterError> {
    if filter.name == "text-match"
        && filter
            .attr("collation")
            .is_some_and(|c| !COLLATIONS.contains(&c))
    {
        return Err(FilterError::Collation);
    }
    filter.children.iter().try_for_each(check_collations)
}

/// A string as `i;unicode-casemap` compares it (RFC 5051 section 2): each
/// character replaced by its simple titlecase mapping and the whole
/// decomposed (compatibility decomposition, NFKD), then the titlecase
/// mapping once more for the characters the decomposition gave. So
/// "BJÖRN", "björn" and "bjo\u{308}rn" (o and a combining diaeresis) are
/// one, and the "ﬁ" ligature is "FI".
fn unicode_casemap(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    s.chars().map(titlecase).nfkd().map(titlecase).collect()
}

/// A character's simple titlecase mapping (UnicodeData.txt's field 14).
/// Rust knows the uppercase mappings, which are the same but for the
/// Latin digraphs, whose titlecase is their own middle form, and Georgian
/// Mkhedruli, whose letters are their own titlecase; a character whose
/// uppercase is several (ß's "SS") has no simple mapping and stays.
fn titlecase(c: char) -> char {
    match c {
        '\u{01C4}'..='\u{01C6}' => '\u{01C5}',
        '\u{01C7}'..='\u{01C9}' => '\u{01C8}',
        '\u{01CA}'..='\u{01CC}' => '\u{01CB}',
        '\u{01F1}'..='\u{01F3}' => '\u{01F2}',
        '\u{10D0}'..='\u{10FA}' | '\u{10FD}'..='\u{10FF}' => c,
        _ => {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        }
    }
}

/// RFC 6352 section 10.5.4 and RFC 4791 section 9.7.5, with the
/// collations of RFC 4790: `i;octet`, `i;ascii-casemap` and
/// `i;unicode-casemap` (RFC 5051).
fn text_match(t: &Element, value: &str, default: &str) -> Result<bool, FilterError> {
    let collation = t.attr("collation").unwrap_or(default);
    let fold = |s: &str| -> Result<String, FilterError> {
        match collation {
            "i;octet" => Ok(s.to_string()),
            "i;ascii-casemap" => Ok(s.to_ascii_lowercase()),
            "i;unicode-casemap" => Ok(unicode_casemap(s)),
            _ => Err(FilterError::Collation),
        }
    };
    let needle = fold(&t.text)?;
    let hay = fold(value)?;
    let found = match t.attr("match-type").unwrap_or("contains") {
        "equals" => hay == needle,
        "contains" => hay.contains(&needle),
        "starts-with" => hay.starts_with(&needle),
        "ends-with" => hay.ends_with(&needle),
        _ => return Err(FilterError::Invalid),
    };
    let negate = match t.attr("negate-condition").unwrap_or("no") {
        "no" => false,
        "yes" => true,
        _ => return Err(FilterError::Invalid),
    };
    Ok(found != negate)
}

/// The part of an object a report's `address-data` or `calendar-data`
/// asks for: with `<prop name="…"/>` children (CardDAV) only those
/// properties of the card beside BEGIN, VERSION and END; with a
/// `<comp name="VCALENDAR">` tree (CalDAV) only the components and
/// properties it names (`allcomp`, `allprop`); otherwise the whole.
pub(crate) fn subset(body: &[u8], request: Option<&Element>, ns: &str) -> Vec<u8> {
    let Some(request) = request else {
        return body.to_vec();
    };
    let card = ns == CARDDAV;
    let top = if card {
        if !request.children.iter().any(|c| c.is(ns, "prop")) {
            return body.to_vec();
        }
        Selection::Of(request)
    } else {
        match request.child(ns, "comp") {
            Some(c) => Selection::Of(c),
            None => return body.to_vec(),
        }
    };
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len());
    let mut stack: Vec<Selection> = Vec::new();
    for line in logical_lines(&text) {
        let name = line_name(line);
        let value = line.split_once(':').map_or("", |(_, v)| v).trim_end();
        let here = stack.last().copied();
        let keep = match name.as_str() {
            "BEGIN" => {
                let sel = match here {
                    None if card => top,
                    None => match top {
                        Selection::Of(c) if named(c, value) => top,
                        _ => Selection::Excluded,
                    },
                    Some(parent) => parent.component(value, ns),
                };
                stack.push(sel);
                sel != Selection::Excluded
            }
            "END" => stack.pop().is_some_and(|s| s != Selection::Excluded),
            "VERSION" if card => true,
            _ => here.is_some_and(|s| s.keeps(&name, ns)),
        };
        if keep {
            out.push_str(line);
        }
    }
    out.into_bytes()
}

/// What of a component a report asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Selection<'a> {
    Whole,
    Of(&'a Element),
    Excluded,
}

impl<'a> Selection<'a> {
    fn component(self, name: &str, ns: &str) -> Selection<'a> {
        match self {
            Selection::Whole => Selection::Whole,
            Selection::Excluded => Selection::Excluded,
            Selection::Of(e) if e.child(ns, "allcomp").is_some() => Selection::Whole,
            Selection::Of(e) => e
                .children
                .iter()
                .find(|c| c.is(ns, "comp") && named(c, name))
                .map_or(Selection::Excluded, Selection::Of),
        }
    }

    fn keeps(self, property: &str, ns: &str) -> bool {
        match self {
            Selection::Whole => true,
            Selection::Excluded => false,
            Selection::Of(e) => {
                e.child(ns, "allprop").is_some()
                    || e.children
                        .iter()
                        .any(|c| c.is(ns, "prop") && named(c, property))
            }
        }
    }
}

fn named(e: &Element, name: &str) -> bool {
    e.attr("name").is_some_and(|n| n.eq_ignore_ascii_case(name))
}

/// Each content line with its folded continuations and its CRLF.
fn logical_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' {
            let next = bytes.get(i + 1);
            if !matches!(next, Some(b' ' | b'\t')) {
                lines.push(&text[start..=i]);
                start = i + 1;
            }
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// A content line's property name, upper case, without its group.
fn line_name(line: &str) -> String {
    let end = line.find([';', ':']).unwrap_or(line.len());
    let name = &line[..end];
    name.rsplit('.').next().unwrap_or(name).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_unfolded_and_unescaped() {
        let body = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\n  Smith\\, Jr.\r\nitem1.EMAIL;TYPE=\"INTERNET,WORK\":a@b.org\r\nEND:VCARD\r\n";
        let props = properties(body, "VCARD");
        let fn_ = props.iter().find(|p| p.name == "FN").unwrap();
        assert_eq!(fn_.value, "Ann Smith, Jr.");
        let email = props.iter().find(|p| p.name == "EMAIL").unwrap();
        assert_eq!(email.value, "a@b.org");
        assert_eq!(
            email.params,
            [("TYPE".to_string(), "INTERNET,WORK".to_string())]
        );
    }

    #[test]
    fn unicode_casemap_folds_case_and_decomposes() {
        let bjorn = unicode_casemap("Björn");
        assert_eq!(bjorn, unicode_casemap("BJÖRN"));
        assert_eq!(bjorn, unicode_casemap("bjo\u{308}rn"));
        assert_ne!(bjorn, unicode_casemap("Bjorn"));
        assert_eq!(unicode_casemap("\u{FB01}sh"), "FISH");
        // The digraphs meet in their titlecase form.
        assert_eq!(unicode_casemap("\u{01C6}"), unicode_casemap("\u{01C4}"));
        // ß has no simple titlecase: it is not "SS".
        assert_ne!(unicode_casemap("Straße"), unicode_casemap("STRASSE"));
        assert_eq!(unicode_casemap("Straße"), unicode_casemap("STRAßE"));
    }

    #[test]
    fn utc_times_are_read_and_others_refused() {
        assert_eq!(utc("19700101T000100Z"), Ok(60));
        assert_eq!(utc("20150101T000000"), Err(FilterError::Invalid));
        assert_eq!(utc("20151301T000000Z"), Err(FilterError::Invalid));
    }
}
