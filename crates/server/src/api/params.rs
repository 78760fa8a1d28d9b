//! Query strings read strictly: every parameter must be one the endpoint
//! takes, given once, and percent-decode to UTF-8. A misspelt filter that
//! were ignored would answer a different question than the one asked
//! (`/api/people?countyr=NO` would list everyone), and bytes that were
//! replaced by U+FFFD would search for something nobody typed; both are a
//! 400 that names the parameter instead.
//!
//! The parameters an endpoint takes are the fields of its `Deserialize`
//! struct, so each is declared once: the deserializer below reads the names
//! from serde's `deserialize_struct` and checks the query against them
//! before any value is read.

use std::collections::HashSet;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use nspm_core::suggest::suggest;
use serde::de::value::MapDeserializer;
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

use crate::AppError;

/// The query parameters of an API request, as the struct `T` declares
/// them; with any problem, the request is a JSON 400.
#[derive(Debug)]
pub(crate) struct Params<T>(pub(crate) T);

/// For endpoints that take no parameters at all.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct NoParams {}

impl<T: DeserializeOwned, S: Sync> FromRequestParts<S> for Params<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        read(parts.uri.query().unwrap_or("")).map(Params)
    }
}

/// Reads `query` (the part of the target after `?`) into `T`.
fn read<T: DeserializeOwned>(query: &str) -> Result<T, AppError> {
    T::deserialize(Query(query)).map_err(|Problem(message)| AppError::BadRequest(message))
}

/// Why a query string was refused, for people to read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Problem(String);

impl de::Error for Problem {
    fn custom<M: std::fmt::Display>(message: M) -> Problem {
        Problem(format!("invalid query string: {message}"))
    }
}

/// The pairs of `query` for a struct with `fields`, each name one of them
/// and given once, names and values percent-decoded as a form encodes
/// them (`+` is a space).
fn pairs(
    query: &str,
    fields: &'static [&'static str],
) -> Result<Vec<(&'static str, String)>, Problem> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    // Empty pieces (`?&a=1&&b=2`) are no parameters, as forms and
    // browsers read them.
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = piece.split_once('=').unwrap_or((piece, ""));
        let not_utf8 =
            |name: &str| Problem(format!("query parameter \"{name}\" is not valid UTF-8"));
        // A name that does not decode is shown as it was sent.
        let name = decode(raw_name).ok_or_else(|| not_utf8(raw_name))?;
        if name.is_empty() {
            return Err(Problem("a query parameter has no name".to_string()));
        }
        let Some(field) = fields.iter().copied().find(|f| *f == name) else {
            return Err(unknown(&name, fields));
        };
        if !seen.insert(field) {
            return Err(Problem(format!(
                "query parameter \"{field}\" is given more than once"
            )));
        }
        let value = decode(raw_value).ok_or_else(|| not_utf8(field))?;
        out.push((field, value));
    }
    Ok(out)
}

/// Percent-decodes a name or value of a query string, or None when the
/// bytes are not UTF-8.
fn decode(raw: &str) -> Option<String> {
    let spaced = raw.replace('+', " ");
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&spaced).collect();
    String::from_utf8(bytes).ok()
}

/// The refusal of a parameter the endpoint does not take, with the one it
/// probably meant, else the ones it takes.
fn unknown(name: &str, fields: &[&str]) -> Problem {
    let hint = match suggest(name, fields.iter().copied()).as_slice() {
        [] if fields.is_empty() => "this endpoint takes none".to_string(),
        [] => format!("expected one of {}", fields.join(", ")),
        [one] => format!("did you mean {one}?"),
        many => format!("did you mean one of {}?", many.join(", ")),
    };
    Problem(format!("unknown query parameter \"{name}\"; {hint}"))
}

/// A whole query string, which deserializes only as a struct of text
/// fields (each a `String` or an `Option<String>`).
struct Query<'q>(&'q str);

impl<'de> de::Deserializer<'de> for Query<'_> {
    type Error = Problem;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Problem> {
        let pairs = pairs(self.0, fields)?;
        visitor.visit_map(MapDeserializer::new(
            pairs.into_iter().map(|(name, value)| (name, Text(value))),
        ))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Problem> {
        Err(de::Error::custom("the parameters are read into a struct"))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

/// One parameter's decoded value: text, which a field may also take as
/// `Option<String>` (present, so `Some`).
struct Text(String);

impl<'de> IntoDeserializer<'de, Problem> for Text {
    type Deserializer = Text;

    fn into_deserializer(self) -> Text {
        self
    }
}

impl<'de> de::Deserializer<'de> for Text {
    type Error = Problem;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Problem> {
        visitor.visit_some(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Filters {
        country: Option<String>,
        search: Option<String>,
    }

    fn message(query: &str) -> String {
        match read::<Filters>(query) {
            Err(AppError::BadRequest(m)) => m,
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn known_parameters_are_read_as_a_form_sends_them() {
        let read = |q| read::<Filters>(q).unwrap();
        assert_eq!(
            read("country=NO&search=s%C3%B8ren+brunak"),
            Filters {
                country: Some("NO".into()),
                search: Some("søren brunak".into()),
            }
        );
        assert_eq!(
            read("&&search&"),
            Filters {
                country: None,
                search: Some(String::new()),
            }
        );
        // `%2B` is a plus sign; only a bare `+` is a space.
        assert_eq!(read("search=a%2Bb").search.as_deref(), Some("a+b"));
        assert_eq!(
            read(""),
            Filters {
                country: None,
                search: None,
            }
        );
    }

    #[test]
    fn problems_name_the_parameter() {
        assert_eq!(
            message("contry=NO"),
            "unknown query parameter \"contry\"; did you mean country?"
        );
        assert_eq!(
            message("q=x"),
            "unknown query parameter \"q\"; expected one of country, search"
        );
        assert_eq!(
            message("search=%E2%82"),
            "query parameter \"search\" is not valid UTF-8"
        );
        assert_eq!(
            message("se%FFarch=x"),
            "query parameter \"se%FFarch\" is not valid UTF-8"
        );
        assert_eq!(
            message("search=a&search=b"),
            "query parameter \"search\" is given more than once"
        );
        assert_eq!(message("=x"), "a query parameter has no name");
        match read::<NoParams>("x=1") {
            Err(AppError::BadRequest(m)) => {
                assert_eq!(m, "unknown query parameter \"x\"; this endpoint takes none")
            }
            other => panic!("{other:?}"),
        }
    }
}
