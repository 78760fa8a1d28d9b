//! Countries, by their ISO 3166-1 alpha-2 codes.

mod table;

use std::fmt;

use serde::{Serialize, Serializer};

use crate::text::fold;
use table::COUNTRIES;

/// A country with an ISO 3166-1 alpha-2 code; shown by its name.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country(u16);

impl Country {
    /// The country with this exact two-letter code (upper case, as ISO writes it).
    pub(crate) fn from_code(code: &str) -> Option<Country> {
        // Every code is two ASCII letters, compared as one number: a string
        // comparison per step cost more than the rest of the lookup.
        let key = |c: &str| match c.as_bytes() {
            &[a, b] => Some(u16::from_be_bytes([a, b])),
            _ => None,
        };
        let code = key(code)?;
        COUNTRIES
            .binary_search_by(|(c, _)| key(c).cmp(&Some(code)))
            .ok()
            .map(|i| Country(i as u16))
    }

    /// What a person types: a code in any case, or the name, ignoring case
    /// and diacritics ("no", "Norway", "NORWAY").
    pub(crate) fn parse_loose(text: &str) -> Option<Country> {
        let text = text.trim();
        if text.len() == 2
            && let Some(c) = Country::from_code(&text.to_ascii_uppercase())
        {
            return Some(c);
        }
        let wanted = fold(text);
        let alias = match wanted.as_str() {
            "usa" | "united states of america" => Some("US"),
            "uk" | "great britain" => Some("GB"),
            _ => None,
        };
        if let Some(code) = alias {
            return Country::from_code(code);
        }
        COUNTRIES
            .iter()
            .position(|(_, name)| fold(name) == wanted)
            .map(|i| Country(i as u16))
    }

    pub fn code(self) -> &'static str {
        COUNTRIES[self.0 as usize].0
    }

    pub fn name(self) -> &'static str {
        COUNTRIES[self.0 as usize].1
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.code())
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_complete() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn codes_and_names() {
        for (code, name) in [
            ("IS", "Iceland"),
            ("NO", "Norway"),
            ("DK", "Denmark"),
            ("SE", "Sweden"),
            ("FI", "Finland"),
            ("EE", "Estonia"),
            ("US", "United States"),
        ] {
            let c = Country::from_code(code).unwrap();
            assert_eq!(c.name(), name);
            assert_eq!(Country::parse_loose(name), Some(c));
            assert_eq!(Country::parse_loose(&code.to_lowercase()), Some(c));
        }
        assert_eq!(Country::parse_loose("usa").unwrap().code(), "US");
        assert_eq!(Country::from_code("XX"), None);
        assert_eq!(Country::from_code("no"), None);
        assert_eq!(Country::parse_loose("Narnia"), None);
    }
}
