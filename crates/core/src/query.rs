//! Questions staff and visitors ask of the society: who is from where, who
//! belongs to which institution, what matches a search.
//!
//! The front ends share all of it: the filters as people type them
//! ([`Filters`]) are read here into queries, and the suggestions for a
//! misspelt name come from [`crate::suggest`].

use crate::country::Country;
use crate::model::{
    Audience, Id, Institution, Meeting, Members, Person, RecordKind, Role, Society,
};
use crate::suggest::suggest;
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
    #[error("invalid year \"{0}\": expected a whole number such as 2017")]
    InvalidYear(String),
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

/// A filter that a list takes, by the name front ends give it: the command
/// line's `--country`, the API's `country=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Filter {
    Country,
    Institution,
    Role,
    Year,
    Search,
}

impl Filter {
    pub fn name(self) -> &'static str {
        match self {
            Filter::Country => "country",
            Filter::Institution => "institution",
            Filter::Role => "role",
            Filter::Year => "year",
            Filter::Search => "search",
        }
    }
}

/// A filter that could not be read, or that names nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {error}", filter.name())]
pub struct FilterError {
    pub filter: Filter,
    #[source]
    pub error: QueryError,
}

/// Attaches the filter a value came from to its error.
fn read_as<T>(
    filter: Filter,
    value: &Option<String>,
    read: impl FnOnce(&str) -> Result<T, QueryError>,
) -> Result<Option<T>, FilterError> {
    value
        .as_deref()
        .map(read)
        .transpose()
        .map_err(|error| FilterError { filter, error })
}

/// The filters of the lists as people type them, into the command line's
/// flags or the API's query string; a value left out is no filter. Each list
/// reads the filters it takes into its query, and leaves the others.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// An ISO code (NO) or a name (Norway).
    pub country: Option<String>,
    /// An institution's id, name or other spelling.
    pub institution: Option<String>,
    /// A role's name, such as `steering-committee`.
    pub role: Option<String>,
    /// The year a meeting began in, such as 2017.
    pub year: Option<String>,
    pub search: Option<String>,
}

impl Filters {
    /// The people these filters ask for, the institution found in `society`.
    pub fn people(&self, society: &Society) -> Result<PeopleQuery, FilterError> {
        Ok(PeopleQuery {
            country: self.country()?,
            institution: read_as(Filter::Institution, &self.institution, |text| {
                society.resolve_institution(text).map(|i| i.id.clone())
            })?,
            role: read_as(Filter::Role, &self.role, parse_role)?,
            text: self.search.clone(),
        })
    }

    /// The institutions these filters ask for.
    pub fn institutions(&self) -> Result<InstitutionQuery, FilterError> {
        Ok(InstitutionQuery {
            country: self.country()?,
            text: self.search.clone(),
        })
    }

    /// The meetings these filters ask for.
    pub fn meetings(&self) -> Result<MeetingQuery, FilterError> {
        Ok(MeetingQuery {
            country: self.country()?,
            year: read_as(Filter::Year, &self.year, parse_year)?,
            text: self.search.clone(),
        })
    }

    fn country(&self) -> Result<Option<Country>, FilterError> {
        read_as(Filter::Country, &self.country, parse_country)
    }
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
    /// The people matching every filter whom this audience may know of
    /// ([`Person::visible_to`]), by family name then given name.
    pub fn people_matching(&self, q: &PeopleQuery, audience: Audience) -> Vec<&Person> {
        let words = words(&q.text);
        let chosen = |p: &&Person| {
            p.visible_to(audience)
                && q.country.is_none_or(|c| p.country == c)
                && q.role.is_none_or(|r| p.has_role(r))
                && words
                    .as_deref()
                    .is_none_or(|w| matches_all_words(w, &self.person_haystack(p)))
        };
        // An institution's people are known already, and in order.
        if let Some(id) = &q.institution {
            let Some(institution) = self.institution(id.as_str()) else {
                return Vec::new();
            };
            return self
                .people_at(institution, audience)
                .filter(chosen)
                .collect();
        }
        let mut found: Vec<&Person> = self.people.iter().filter(chosen).collect();
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

    /// The people who belong to an institution of this society whom this
    /// audience may know of, sorted as [`Society::people_matching`] sorts
    /// them. The people of every institution are found in one pass the first
    /// time any are asked for, and kept with the society.
    pub fn people_at(
        &self,
        institution: &Institution,
        audience: Audience,
    ) -> impl Iterator<Item = &Person> {
        let at = self.index.institutions.get(institution.id.as_str(), |i| {
            self.institutions.get(i).map(|x| x.id.as_str())
        });
        let members = self.members.0.get_or_init(|| Members::of(self));
        let positions = at.map_or(&[][..], |at| members.of_institution(at));
        positions
            .iter()
            .map(|&i| &self.people[i])
            .filter(move |p| p.visible_to(audience))
    }

    /// An institution named by id, name or alias, ignoring case and
    /// diacritics: "aarhus-university", "Aarhus University", "århus university".
    pub(crate) fn resolve_institution(&self, text: &str) -> Result<&Institution, QueryError> {
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

    /// The error for an unknown id, with the closest ids as suggestions,
    /// for staff, who know of every record.
    pub fn not_found(&self, kind: RecordKind, id: &str) -> QueryError {
        self.not_found_for(kind, id, Audience::Members)
    }

    /// The error for an id unknown to this audience, with the closest ids it
    /// may know of as suggestions: the public is never offered a members-only
    /// person's id. The society's own record has one id, and is suggested
    /// for any.
    pub fn not_found_for(&self, kind: RecordKind, id: &str, audience: Audience) -> QueryError {
        let ids: Box<dyn Iterator<Item = &str>> = match kind {
            RecordKind::Society => Box::new(std::iter::once(self.info.id.as_str())),
            RecordKind::Person => Box::new(self.people_for(audience).map(|p| p.id.as_str())),
            RecordKind::Institution => Box::new(self.institutions.iter().map(|i| i.id.as_str())),
            RecordKind::Meeting => Box::new(self.meetings.iter().map(|m| m.id.as_str())),
            RecordKind::News => Box::new(self.news.iter().map(|n| n.id.as_str())),
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
pub(crate) fn sort_people<'p>(people: &mut [&'p Person]) {
    people.sort_by_cached_key(|p: &&'p Person| sort_key(p));
}

/// Where a person comes in a sorted list. The id is borrowed, not copied:
/// with 100,000 people each key costs one allocation less.
fn sort_key(p: &Person) -> (String, String, &str) {
    (fold(&p.family), fold(&p.given), p.id.as_str())
}

impl Members {
    /// Every institution's people, in one pass over the people.
    pub(crate) fn of(society: &Society) -> Members {
        let institutions = &society.institutions;
        let mut groups: Vec<Vec<usize>> = vec![Vec::new(); institutions.len()];
        for (i, p) in society.people.iter().enumerate() {
            let at = p.institution.as_ref().and_then(|id| {
                let id_of = |j: usize| institutions.get(j).map(|x| x.id.as_str());
                society.index.institutions.get(id.as_str(), id_of)
            });
            if let Some(at) = at {
                groups[at].push(i);
            }
        }
        let mut starts = Vec::with_capacity(groups.len() + 1);
        let mut people = Vec::with_capacity(groups.iter().map(Vec::len).sum());
        for mut group in groups {
            group.sort_by_cached_key(|&i| sort_key(&society.people[i]));
            starts.push(people.len());
            people.append(&mut group);
        }
        starts.push(people.len());
        Members { starts, people }
    }
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

/// Reads a year as people type it, for filters.
pub(crate) fn parse_year(text: &str) -> Result<i32, QueryError> {
    text.trim()
        .parse()
        .map_err(|_| QueryError::InvalidYear(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn society() -> Society {
        Society::load_embedded().unwrap()
    }

    fn search(text: &str) -> Vec<String> {
        let s = society();
        s.people_matching(
            &PeopleQuery {
                text: Some(text.to_string()),
                ..PeopleQuery::default()
            },
            Audience::Members,
        )
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
            .people_matching(&PeopleQuery::default(), Audience::Members)
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
            s.people_matching(&q, Audience::Members)
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
            "unknown role \"boss\": expected one of steering-committee, chair, vice-chair, secretary, treasurer, member"
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
    fn each_institutions_people_are_found_once_and_kept() {
        let s = society();
        assert!(s.members.0.get().is_none(), "found before anyone asked");
        for i in &s.institutions {
            let mut scanned: Vec<&Person> = s
                .people
                .iter()
                .filter(|p| p.institution.as_ref() == Some(&i.id))
                .collect();
            sort_people(&mut scanned);
            let scanned: Vec<&str> = scanned.iter().map(|p| p.id.as_str()).collect();
            let grouped: Vec<&str> = s
                .people_at(i, Audience::Members)
                .map(|p| p.id.as_str())
                .collect();
            assert_eq!(grouped, scanned, "{}", i.id);
        }
        assert!(s.members.0.get().is_some(), "kept for the next question");
        // An institution of another society has no people in this one.
        let mut stranger = s.institutions[0].clone();
        stranger.id = Id("nowhere".into());
        assert_eq!(s.people_at(&stranger, Audience::Members).count(), 0);
    }

    #[test]
    fn filters_as_typed_become_queries_or_name_the_filter_at_fault() {
        let s = society();
        let query = Filters {
            country: Some("norway".into()),
            institution: Some("Oslo University".into()),
            role: Some("Steering Committee".into()),
            ..Default::default()
        }
        .people(&s)
        .unwrap();
        let ids: Vec<&str> = s
            .people_matching(&query, Audience::Members)
            .iter()
            .map(|p| p.id.as_str())
            .collect();
        assert_eq!(ids, ["ole-andreassen", "eivind-hovig"]);
        let unknown = Filters {
            institution: Some("Hogwarts".into()),
            ..Default::default()
        }
        .people(&s)
        .unwrap_err();
        assert_eq!(unknown.filter, Filter::Institution);
        assert!(matches!(
            unknown.error,
            QueryError::NotFound {
                kind: RecordKind::Institution,
                ..
            }
        ));
        let year = Filters {
            year: Some("soon".into()),
            ..Default::default()
        }
        .meetings()
        .unwrap_err();
        assert_eq!(year.filter, Filter::Year);
        assert_eq!(
            year.to_string(),
            "year: invalid year \"soon\": expected a whole number such as 2017"
        );
        let country = Filters {
            country: Some("Narnia".into()),
            ..Default::default()
        }
        .institutions()
        .unwrap_err();
        assert_eq!(country.filter, Filter::Country);
        assert_eq!(
            Filters {
                year: Some(" 2017 ".into()),
                ..Default::default()
            }
            .meetings()
            .unwrap()
            .year,
            Some(2017)
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
