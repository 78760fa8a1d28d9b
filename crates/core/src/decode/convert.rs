//! Value converters: each turns one node into one typed value or a problem.

use super::record::{Conv, problem, wrong_type};
use crate::country::Country;
use crate::date::{PartialDate, Timestamp};
use crate::model::{Detail, Id, Role, Visibility};
use crate::syntax::{Node, Value};
use crate::time::{TimeOfDay, Zone};
use crate::validate;

pub(super) fn string(node: &Node<'_>) -> Conv<String> {
    match &node.value {
        Value::Str(s) => Ok(s.to_string()),
        other => Err(wrong_type(
            node,
            format!("expected a string, found {}", other.kind()),
        )),
    }
}

/// A string that must say something: not empty, not only white space.
pub(super) fn text(node: &Node<'_>) -> Conv<String> {
    let s = string(node)?;
    if s.trim().is_empty() {
        return Err(problem(node, "must not be empty"));
    }
    Ok(s)
}

/// Text shown as one line: a name or a title, with no line breaks.
pub(super) fn line(node: &Node<'_>) -> Conv<String> {
    let s = text(node)?;
    if s.chars().any(|c| c.is_control()) {
        return Err(problem(
            node,
            "must be one line, without line breaks or control characters",
        ));
    }
    Ok(s)
}

pub(super) fn checked(node: &Node<'_>, check: fn(&str) -> Result<(), String>) -> Conv<String> {
    let s = string(node)?;
    check(&s).map_err(|m| problem(node, m))?;
    Ok(s)
}

/// A site's address, ending in `/` ([`validate::base_url`]).
pub(super) fn base_url_value(node: &Node<'_>) -> Conv<String> {
    let text = string(node)?;
    validate::base_url(&text).map_err(|m| problem(node, m))
}

/// A link that calendar apps and browsers open: an http(s) URL.
pub(super) fn link(node: &Node<'_>) -> Conv<String> {
    checked(node, validate::web_url)
}

/// A photo's path inside the data directory; its file is checked across
/// the data, once every person is read.
pub(super) fn photo_value(node: &Node<'_>) -> Conv<crate::photo::Photo> {
    checked(node, validate::photo_path).map(crate::photo::Photo::named)
}

pub(super) fn id_value(node: &Node<'_>) -> Conv<Id> {
    checked(node, validate::id).map(Id)
}

pub(super) fn option<'s, T>(
    node: &Node<'s>,
    inner: impl FnOnce(&Node<'s>) -> Conv<T>,
) -> Conv<Option<T>> {
    match &node.value {
        Value::Ident("None") => Ok(None),
        Value::Tuple {
            name: Some("Some"),
            items,
        } if items.len() == 1 => inner(&items[0]).map(Some),
        other => Err(wrong_type(
            node,
            format!("expected `None` or `Some(…)`, found {}", other.kind()),
        )),
    }
}

pub(super) fn list<'s, T>(
    node: &Node<'s>,
    mut inner: impl FnMut(&Node<'s>) -> Conv<T>,
) -> Conv<Vec<T>> {
    match &node.value {
        Value::List(items) => items.iter().map(&mut inner).collect(),
        other => Err(wrong_type(
            node,
            format!("expected a list `[…]`, found {}", other.kind()),
        )),
    }
}

pub(super) fn country_value(node: &Node<'_>) -> Conv<Country> {
    let code = string(node)?;
    Country::from_code(&code).ok_or_else(|| {
        let hint = match Country::from_code(&code.to_ascii_uppercase()) {
            Some(c) => format!("; write it in capitals: \"{}\"", c.code()),
            None => match Country::parse_loose(&code) {
                Some(c) => format!("; {} is \"{}\"", c.name(), c.code()),
                None => "; use an ISO 3166-1 alpha-2 code such as \"NO\"".to_string(),
            },
        };
        problem(node, format!("unknown country code \"{code}\"{hint}"))
    })
}

/// A string that `parse` reads into a value, or explains why not.
fn parsed<T>(node: &Node<'_>, parse: fn(&str) -> Result<T, String>) -> Conv<T> {
    let s = string(node)?;
    parse(&s).map_err(|m| problem(node, m))
}

pub(super) fn date_value(node: &Node<'_>) -> Conv<PartialDate> {
    parsed(node, PartialDate::parse)
}

pub(super) fn timestamp(node: &Node<'_>) -> Conv<Timestamp> {
    parsed(node, Timestamp::parse)
}

pub(super) fn time_of_day(node: &Node<'_>) -> Conv<TimeOfDay> {
    parsed(node, TimeOfDay::parse)
}

pub(super) fn zone_value(node: &Node<'_>) -> Conv<Zone> {
    parsed(node, Zone::parse)
}

pub(super) fn revision_value(node: &Node<'_>) -> Conv<u32> {
    match node.value {
        Value::Int(n) if (0..=i128::from(u32::MAX)).contains(&n) => Ok(n as u32),
        ref other => Err(wrong_type(
            node,
            format!("expected a whole number from 0 up, found {}", other.kind()),
        )),
    }
}

pub(super) fn role(node: &Node<'_>) -> Conv<Role> {
    let names = || Role::ALL.map(Role::variant).join(", ");
    match &node.value {
        Value::Ident(name) => Role::ALL
            .into_iter()
            .find(|r| r.variant() == *name)
            .ok_or_else(|| {
                problem(
                    node,
                    format!("unknown role `{name}`; expected one of: {}", names()),
                )
            }),
        other => Err(wrong_type(
            node,
            format!(
                "expected a role such as `SteeringCommittee`, found {}",
                other.kind()
            ),
        )),
    }
}

/// `Public("…")` or `Members("…")`, the value passing `check`.
pub(super) fn detail(node: &Node<'_>, check: fn(&str) -> Result<(), String>) -> Conv<Detail> {
    let (visibility, items) = match &node.value {
        Value::Tuple {
            name: Some("Public"),
            items,
        } => (Visibility::Public, items),
        Value::Tuple {
            name: Some("Members"),
            items,
        } => (Visibility::Members, items),
        other => {
            return Err(wrong_type(
                node,
                format!(
                    "expected `Public(\"…\")` or `Members(\"…\")` to say who may see it, found {}",
                    other.kind()
                ),
            ));
        }
    };
    let [value] = items.as_slice() else {
        return Err(wrong_type(
            node,
            "expected exactly one value inside the parentheses",
        ));
    };
    let text = checked(value, check)?;
    Ok(Detail {
        value: text,
        visibility,
    })
}

pub(super) fn orcid_check(text: &str) -> Result<(), String> {
    validate::orcid(text)
}
