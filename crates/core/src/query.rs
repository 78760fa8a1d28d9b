//! Questions staff and visitors ask of the society: who is from where, who
//! belongs to which institution, what matches a search.

use crate::country::Country;
use crate::model::{Id, Institution, Meeting, Person, RecordKind, Role, Society};
use crate::text::{fold, matches_all_words};

/// Why a query could not be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error(
        "unknown country \"{0}\": give an ISO 3166-1 code such as NO, or a name such as Norway"
    )]
    UnknownCountry(String),
    #[error("unknown role \"{text}\": expected one of {}", Role::ALL.map(Role::slug).join(", "))]
    UnknownRole { text: String },
    #[error("no {kind} matches \"{text}\"{}", hint(.suggestions))]
    NotFound {
        kind: RecordKind,
        text: String,
        suggestions: Vec<String>,
    },
}

fn hint(suggestions: &[String]) -> String {
    match suggestions {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        many => format!("; did you mean one of {}?", many.join(", ")),
    }
}

/// The candidates closest to a misspelt id or name, best first, at most
/// three, and only those nearly as close as the best. Both sides are folded,
/// so "soren" is close to "søren".
pub fn suggest<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wrong = fold(wrong);
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let folded = fold(c);
            // Edit distance rather than Jaro-Winkler: ids share long tails
            // ("-university"), which Jaro-Winkler rates as close.
            let mut score = strsim::normalized_levenshtein(&wrong, &folded);
            if !wrong.is_empty() && (folded.contains(&wrong) || abbreviates(&wrong, &folded)) {
                score = score.max(0.9);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    let best = scored.first().map_or(0.0, |s| s.0);
    let mut out: Vec<&str> = Vec::new();
    for (score, c) in scored {
        if score >= best - 0.05 && !out.contains(&c) && out.len() < 3 {
            out.push(c);
        }
    }
    out
}

/// True when each word of `short` begins a word of `long`, in order:
/// "uni-oslo" abbreviates "university-of-oslo".
fn abbreviates(short: &str, long: &str) -> bool {
    let is_sep = |c: char| c == '-' || c == ' ';
    let mut words = long.split(is_sep);
    short
        .split(is_sep)
        .filter(|w| !w.is_empty())
        .all(|w| words.any(|l| l.starts_with(w)))
}

/// Filters for [`Society::people_matching`]; every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    pub country: Option<Country>,
    pub institution: Option<Id>,
    pub role: Option<Role>,
    /// Words that must all occur in the person's name, institution (or its
    /// aliases), country or id, ignoring case and diacritics.
    pub text: Option<String>,
}

/// Filters for [`Society::institutions_matching`].
#[derive(Debug, Clone, Default)]
pub struct InstitutionQuery {
    pub country: Option<Country>,
    pub text: Option<String>,
}

/// Filters for [`Society::meetings_matching`].
#[derive(Debug, Clone, Default)]
pub struct MeetingQuery {
    pub country: Option<Country>,
    pub year: Option<i32>,
    pub text: Option<String>,
}

/// The folded search words, or None when there are none.
fn words(text: &Option<String>) -> Option<String> {
    text.as_deref().map(fold).filter(|w| !w.is_empty())
}

impl Society {
    /// The people matching every filter, by family name then given name.
    pub fn people_matching(&self, q: &PeopleQuery) -> Vec<&Person> {
        let words = words(&q.text);
        let mut found: Vec<&Person> = self
            .people
            .iter()
            .filter(|p| q.country.is_none_or(|c| p.country == c))
            .filter(|p| q.role.is_none_or(|r| p.has_role(r)))
            .filter(|p| q.institution.is_none() || p.institution == q.institution)
            .filter(|p| {
                words
                    .as_deref()
                    .is_none_or(|w| matches_all_words(w, &self.person_haystack(p)))
            })
            .collect();
        sort_people(&mut found);
        found
    }

    fn person_haystack(&self, p: &Person) -> String {
        let mut hay = format!("{} {} {}", p.name(), p.id, p.country.name());
        if let Some(inst) = self.institution_of(p) {
            hay.push(' ');
            hay.push_str(&institution_names(inst));
        }
        fold(&hay)
    }

    /// The institutions matching every filter, by name.
    pub fn institutions_matching(&self, q: &InstitutionQuery) -> Vec<&Institution> {
        let words = words(&q.text);
        let mut found: Vec<&Institution> = self
            .institutions
            .iter()
            .filter(|i| q.country.is_none_or(|c| i.country == c))
            .filter(|i| {
                words.as_deref().is_none_or(|w| {
                    let hay = format!("{} {} {}", institution_names(i), i.id, i.country.name());
                    matches_all_words(w, &fold(&hay))
                })
            })
            .collect();
        found.sort_by_cached_key(|i| (fold(&i.name), i.id.clone()));
        found
    }

    /// The meetings matching every filter, oldest first.
    pub fn meetings_matching(&self, q: &MeetingQuery) -> Vec<&Meeting> {
        let words = words(&q.text);
        let mut found: Vec<&Meeting> = self
            .meetings
            .iter()
            .filter(|m| q.country.is_none_or(|c| m.country == c))
            .filter(|m| q.year.is_none_or(|y| m.date.year() == y))
            .filter(|m| {
                words.as_deref().is_none_or(|w| {
                    let mut hay = format!(
                        "{} {} {} {}",
                        m.title,
                        m.id,
                        m.country.name(),
                        m.date.human()
                    );
                    for extra in [&m.city, &m.summary].into_iter().flatten() {
                        hay.push(' ');
                        hay.push_str(extra);
                    }
                    if let Some(venue) = m.venue.as_ref().and_then(|v| self.institution(v.as_str()))
                    {
                        hay.push(' ');
                        hay.push_str(&institution_names(venue));
                    }
                    matches_all_words(w, &fold(&hay))
                })
            })
            .collect();
        found.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        found
    }

    /// The people who belong to an institution, sorted.
    pub fn people_at(&self, institution: &Institution) -> Vec<&Person> {
        self.people_matching(&PeopleQuery {
            institution: Some(institution.id.clone()),
            ..PeopleQuery::default()
        })
    }

    /// An institution named by id, name or alias, ignoring case and
    /// diacritics: "aarhus-university", "Aarhus University", "århus university".
    pub fn resolve_institution(&self, text: &str) -> Result<&Institution, QueryError> {
        if let Some(i) = self.institution(text.trim()) {
            return Ok(i);
        }
        let wanted = fold(text);
        let named = self
            .institutions
            .iter()
            .find(|i| fold(&i.name) == wanted || i.aliases.iter().any(|a| fold(a) == wanted));
        named.ok_or_else(|| QueryError::NotFound {
            kind: RecordKind::Institution,
            text: text.to_string(),
            suggestions: suggest(
                text,
                self.institutions.iter().flat_map(|i| {
                    std::iter::once(i.name.as_str()).chain(i.aliases.iter().map(String::as_str))
                }),
            )
            .into_iter()
            .map(str::to_string)
            .collect(),
        })
    }

    /// The error for an unknown id, with the closest ids as suggestions.
    pub fn not_found(&self, kind: RecordKind, id: &str) -> QueryError {
        let ids: Box<dyn Iterator<Item = &str>> = match kind {
            RecordKind::Society => Box::new(std::iter::once(self.info.id.as_str())),
            RecordKind::Person => Box::new(self.people.iter().map(|p| p.id.as_str())),
            RecordKind::Institution => Box::new(self.institutions.iter().map(|i| i.id.as_str())),
            RecordKind::Meeting => Box::new(self.meetings.iter().map(|m| m.id.as_str())),
        };
        QueryError::NotFound {
            kind,
            text: id.to_string(),
            suggestions: suggest(id, ids).into_iter().map(str::to_string).collect(),
        }
    }
}

/// An institution's name and its aliases, for searching.
fn institution_names(i: &Institution) -> String {
    let mut names = i.name.clone();
    for alias in &i.aliases {
        names.push(' ');
        names.push_str(alias);
    }
    names
}

/// Sorts people by family name, then given name, ignoring case and
/// diacritics; the id breaks ties so the order is total.
pub fn sort_people<'p>(people: &mut [&'p Person]) {
    // The id is borrowed, not copied: with 100,000 people each key costs
    // one allocation less.
    people.sort_by_cached_key(|p: &&'p Person| {
        let p: &'p Person = p;
        (fold(&p.family), fold(&p.given), p.id.as_str())
    });
}

/// Reads a country as people type it, for filters.
pub fn parse_country(text: &str) -> Result<Country, QueryError> {
    Country::parse_loose(text).ok_or_else(|| QueryError::UnknownCountry(text.to_string()))
}

/// Reads a role as people type it, for filters.
pub fn parse_role(text: &str) -> Result<Role, QueryError> {
    Role::parse(text).ok_or_else(|| QueryError::UnknownRole {
        text: text.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn society() -> Society {
        Society::load_embedded().unwrap()
    }

    fn search(text: &str) -> Vec<String> {
        let s = society();
        s.people_matching(&PeopleQuery {
            text: Some(text.to_string()),
            ..PeopleQuery::default()
        })
        .into_iter()
        .map(|p| p.name())
        .collect()
    }

    #[test]
    fn search_ignores_case_and_diacritics() {
        assert_eq!(search("soren"), ["Søren Brunak"]);
        assert_eq!(search("SØREN"), ["Søren Brunak"]);
        assert_eq!(search("kari stefansson"), ["Kári Stefánsson"]);
        assert_eq!(search("njolstad"), ["Pål Njølstad"]);
        assert_eq!(
            search("stefansson"),
            ["Hreinn Stefánsson", "Kári Stefánsson"]
        );
        assert!(search("nobody-by-that-name").is_empty());
    }

    #[test]
    fn search_finds_people_by_institution_alias() {
        assert_eq!(search("arhus"), ["Anders Børglum"]);
        assert_eq!(search("aarhus"), ["Anders Børglum"]);
        assert_eq!(
            search("oslo university"),
            ["Ole Andreassen", "Eivind Hovig"]
        );
    }

    #[test]
    fn institutions_search_by_name_and_alias() {
        let s = society();
        for text in ["arhus", "aarhus", "Århus University"] {
            let found = s.institutions_matching(&InstitutionQuery {
                text: Some(text.into()),
                ..Default::default()
            });
            let names: Vec<&str> = found.iter().map(|i| i.name.as_str()).collect();
            assert_eq!(names, ["Aarhus University"], "{text}");
        }
        assert_eq!(
            s.resolve_institution("Oslo University")
                .unwrap()
                .id
                .as_str(),
            "university-of-oslo"
        );
        assert_eq!(
            s.resolve_institution("århus university")
                .unwrap()
                .id
                .as_str(),
            "aarhus-university"
        );
        assert_eq!(
            s.resolve_institution("lund-university").unwrap().name,
            "Lund University"
        );
        let err = s.resolve_institution("University of Bergn").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no institution matches \"University of Bergn\"; did you mean University of Bergen?"
        );
    }

    #[test]
    fn people_sort_by_family_then_given_name() {
        let s = society();
        let all: Vec<String> = s
            .people_matching(&PeopleQuery::default())
            .into_iter()
            .map(|p| format!("{}, {}", p.family, p.given))
            .collect();
        assert_eq!(all.len(), 22);
        assert_eq!(all[0], "Andreassen, Ole");
        assert_eq!(all[1], "Børglum, Anders");
        assert_eq!(all[2], "Brunak, Søren");
        let stefanssons: Vec<&String> = all.iter().filter(|n| n.starts_with("Stef")).collect();
        assert_eq!(stefanssons, ["Stefánsson, Hreinn", "Stefánsson, Kári"]);
        assert_eq!(all[21], "Werge, Thomas");
    }

    #[test]
    fn filters_by_country_institution_and_role() {
        let s = society();
        let q = |q: PeopleQuery| -> Vec<String> {
            s.people_matching(&q)
                .into_iter()
                .map(|p| p.id.to_string())
                .collect()
        };
        let norway = parse_country("Norway").unwrap();
        assert_eq!(
            q(PeopleQuery {
                country: Some(norway),
                ..Default::default()
            }),
            [
                "ole-andreassen",
                "eivind-hovig",
                "kristian-hveem",
                "pal-njolstad",
                "camilla-stoltenberg"
            ]
        );
        assert_eq!(
            q(PeopleQuery {
                country: Some(parse_country("ee").unwrap()),
                ..Default::default()
            })
            .len(),
            2
        );
        let lund = s.resolve_institution("Lund University").unwrap().id.clone();
        assert_eq!(
            q(PeopleQuery {
                institution: Some(lund),
                ..Default::default()
            }),
            ["paul-franks", "maria-gomez", "leif-groop"]
        );
        let committee = parse_role("steering-committee").unwrap();
        assert_eq!(
            q(PeopleQuery {
                role: Some(committee),
                ..Default::default()
            })
            .len(),
            22
        );
        assert!(
            q(PeopleQuery {
                role: Some(Role::Chair),
                ..Default::default()
            })
            .is_empty()
        );
        assert_eq!(
            q(PeopleQuery {
                country: Some(norway),
                text: Some("oslo".into()),
                ..Default::default()
            }),
            ["ole-andreassen", "eivind-hovig"]
        );
        assert!(parse_country("Narnia").is_err());
        assert_eq!(
            parse_role("boss").unwrap_err().to_string(),
            "unknown role \"boss\": expected one of steering-committee, chair, vice-chair, secretary, treasurer"
        );
    }

    #[test]
    fn meetings_come_oldest_first_and_filter() {
        let s = society();
        let ids = |q: MeetingQuery| -> Vec<String> {
            s.meetings_matching(&q)
                .into_iter()
                .map(|m| m.id.to_string())
                .collect()
        };
        assert_eq!(
            ids(MeetingQuery::default()).first().unwrap(),
            "reykjavik-2014"
        );
        assert_eq!(
            ids(MeetingQuery {
                year: Some(2017),
                ..Default::default()
            }),
            ["copenhagen-2017", "malmo-2017"]
        );
        assert_eq!(
            ids(MeetingQuery {
                country: Some(parse_country("IS").unwrap()),
                ..Default::default()
            }),
            ["reykjavik-2014", "reykjavik-2018"]
        );
        assert_eq!(
            ids(MeetingQuery {
                text: Some("malmo".into()),
                ..Default::default()
            }),
            ["malmo-2017"]
        );
        assert_eq!(
            ids(MeetingQuery {
                text: Some("cold spring harbor".into()),
                ..Default::default()
            }),
            ["cold-spring-harbor-2015"]
        );
    }

    #[test]
    fn suggestions_follow_typos_and_abbreviations_not_shared_tails() {
        let ids = [
            "aarhus-university",
            "university-of-oslo",
            "university-of-bergen",
        ];
        assert!(suggest("lund-university", ids.into_iter()).is_empty());
        assert_eq!(suggest("uni-oslo", ids.into_iter()), ["university-of-oslo"]);
        assert_eq!(
            suggest("university-of-bergn", ids.into_iter()),
            ["university-of-bergen"]
        );
    }

    #[test]
    fn unknown_ids_suggest_the_closest() {
        let s = society();
        assert_eq!(
            s.not_found(RecordKind::Person, "soren-brunack").to_string(),
            "no person matches \"soren-brunack\"; did you mean soren-brunak?"
        );
        let QueryError::NotFound { suggestions, .. } =
            s.not_found(RecordKind::Person, "stefansson")
        else {
            panic!("not a not-found error");
        };
        assert_eq!(suggestions, ["hreinn-stefansson", "kari-stefansson"]);
        let QueryError::NotFound { suggestions, .. } = s.not_found(RecordKind::Meeting, "zzzz")
        else {
            panic!("not a not-found error");
        };
        assert!(suggestions.is_empty());
    }
}
