//! Synthetic institutions: a university, hospital or institute in a city of
//! one of the page's countries, some with other spellings as aliases.

use std::collections::HashSet;
use std::fmt::Write;

use crate::rng::Rng;
use crate::ron;
use crate::words::{FIELDS, INSTITUTION_KINDS, LANDS, Land};

/// What people and meetings need to know of an institution.
#[derive(Debug)]
pub struct Inst {
    pub id: String,
    pub city: &'static str,
    /// Its country, as an index into [`LANDS`].
    pub land: usize,
    /// The mail and web domain of its staff.
    pub domain: String,
}

/// One way to name an institution, before it is given a number.
struct Pattern {
    land: usize,
    city: &'static str,
    kind: usize,
    field: &'static str,
}

/// Every distinct name the word lists can make, in a seeded order, so that
/// the first names handed out never repeat.
fn patterns(rng: &mut Rng) -> Vec<Pattern> {
    let mut all = Vec::new();
    for (land, Land { cities, .. }) in LANDS.iter().enumerate() {
        for &city in *cities {
            for (kind, (template, _)) in INSTITUTION_KINDS.iter().enumerate() {
                let fields: &[&str] = if template.contains("{f}") {
                    FIELDS
                } else {
                    &[""]
                };
                for &field in fields {
                    all.push(Pattern {
                        land,
                        city,
                        kind,
                        field,
                    });
                }
            }
        }
    }
    // Fisher-Yates, so that any prefix is a fair sample of countries and kinds.
    for i in (1..all.len()).rev() {
        let j = rng.below(i + 1);
        all.swap(i, j);
    }
    all
}

/// Writes `count` institutions as the body of `institutions.ron` and returns
/// them for the other files to refer to.
pub fn write(out: &mut String, rng: &mut Rng, count: usize) -> Vec<Inst> {
    let patterns = patterns(rng);
    let mut insts = Vec::with_capacity(count);
    let mut ids = HashSet::with_capacity(count);
    for i in 0..count {
        let p = &patterns[i % patterns.len()];
        // Past the end of the distinct names, the same name comes back as
        // another site of the institution, with its own id.
        let round = i / patterns.len();
        let (template, short) = INSTITUTION_KINDS[p.kind];
        let base = template.replace("{c}", p.city).replace("{f}", p.field);
        let name = match round {
            0 => base.clone(),
            n => format!("{base}, site {}", n + 1),
        };
        let mut id = nspm_core::text::slug(&name);
        // Names that differ only in letters the slug folds away would share
        // an id; the record's number keeps them apart.
        if !ids.insert(id.clone()) {
            id = format!("{id}-{i}");
            ids.insert(id.clone());
        }
        let city_slug = nspm_core::text::slug(p.city);
        let land = &LANDS[p.land];
        let domain = format!("{short}-{city_slug}.{}", land.tld);

        let mut aliases = Vec::new();
        let plain = ascii(&base);
        if plain != base {
            aliases.push(plain);
        }
        if rng.percent(30) {
            aliases.push(acronym(&base, p.city));
        }

        out.push_str("    Institution(\n");
        ron::field_str(out, "id", &id);
        ron::field_str(out, "name", &name);
        if !aliases.is_empty() {
            out.push_str("        aliases: [");
            for (k, alias) in aliases.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                ron::quote(out, alias);
            }
            out.push_str("],\n");
        }
        let _ = writeln!(out, "        country: \"{}\",", land.code);
        out.push_str("    ),\n");
        insts.push(Inst {
            id,
            city: p.city,
            land: p.land,
            domain,
        });
    }
    insts
}

/// The initials of a name's capitalised words, then the city: "UO Oslo".
fn acronym(name: &str, city: &str) -> String {
    let initials: String = name
        .split([' ', ','])
        .filter_map(|w| w.chars().next())
        .filter(|c| c.is_uppercase())
        .collect();
    format!("{initials} {city}")
}

/// The name as written on a keyboard without Nordic letters, the way the
/// About page writes "Aarhus" for "Århus".
pub fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let s = match c {
            'å' => "aa",
            'Å' => "Aa",
            'æ' | 'ä' => "ae",
            'Æ' | 'Ä' => "Ae",
            'ø' | 'ö' | 'õ' | 'ó' => "o",
            'Ø' | 'Ö' | 'Õ' | 'Ó' => "O",
            'ð' => "d",
            'Ð' => "D",
            'þ' => "th",
            'Þ' => "Th",
            'á' => "a",
            'Á' => "A",
            'í' => "i",
            'Í' => "I",
            'é' => "e",
            'ú' | 'ü' => "u",
            'ý' => "y",
            c => {
                out.push(c);
                continue;
            }
        };
        out.push_str(s);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_spellings() {
        for (name, spelled) in [
            ("Tromsø", "Tromso"),
            ("Århus", "Aarhus"),
            ("Ísafjörður", "Isafjordur"),
            ("Þórshöfn", "Thorshofn"),
        ] {
            assert_eq!(ascii(name), spelled);
        }
    }

    #[test]
    fn acronyms() {
        assert_eq!(acronym("University of Oslo", "Oslo"), "UO Oslo");
        assert_eq!(
            acronym("Centre for Rare Diseases, Umeå", "Umeå"),
            "CRDU Umeå"
        );
    }
}
