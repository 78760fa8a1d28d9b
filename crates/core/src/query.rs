//! Questions staff and visitors ask of the society: who is from where, who
//! belongs to which institution, what matches a search.

use crate::country::Country;
use crate::model::{Id, Institution, Meeting, Person, Role, Society};
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
        kind: &'static str,
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
/// three. Both sides are folded, so "soren" is close to "søren".
pub fn suggest<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let wrong = fold(wrong);
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| {
            let folded = fold(c);
            let mut score = strsim::jaro_winkler(&wrong, &folded);
            if !wrong.is_empty() && folded.contains(&wrong) {
                score = score.max(0.9);
            }
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, c)| c).collect()
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
            kind: "institution",
            text: text.to_string(),
            suggestions: suggest(
                text,
                self.institutions.iter().flat_map(|i| {
                    std::iter::once(i.id.as_str()).chain(std::iter::once(i.name.as_str()))
                }),
            )
            .into_iter()
            .map(str::to_string)
            .collect(),
        })
    }

    /// The error for an unknown id, with the closest ids as suggestions.
    pub fn not_found(&self, kind: &'static str, id: &str) -> QueryError {
        let ids: Box<dyn Iterator<Item = &str>> = match kind {
            "person" => Box::new(self.people.iter().map(|p| p.id.as_str())),
            "institution" => Box::new(self.institutions.iter().map(|i| i.id.as_str())),
            _ => Box::new(self.meetings.iter().map(|m| m.id.as_str())),
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
pub fn sort_people(people: &mut [&Person]) {
    people.sort_by_cached_key(|p| (fold(&p.family), fold(&p.given), p.id.clone()));
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
