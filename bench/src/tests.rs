use std::collections::HashSet;

use nspm_core::{Audience, Precision, Society, Sources, Visibility};

use super::*;

const SMALL: Shape = Shape {
    people: 3000,
    meetings: 400,
    institutions: 120,
    seed: 1,
    members: 0,
};

/// Writes a society into a fresh directory and loads it as `nspm` would,
/// failing with every diagnostic if the check finds any.
fn load(shape: &Shape) -> Society {
    let dir = tempfile::tempdir().unwrap();
    generate(shape).write_to(dir.path()).unwrap();
    let sources = Sources::read_dir(dir.path()).unwrap();
    let checked = nspm_core::check(&sources);
    let problems: Vec<String> = checked.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let society = Society::load_dir(dir.path()).unwrap();
    assert_eq!(checked.society.as_ref(), Some(&society));
    society
}

#[test]
fn a_generated_society_passes_the_check() {
    let s = load(&SMALL);
    assert_eq!(s.people.len(), SMALL.people);
    assert_eq!(s.meetings.len(), SMALL.meetings);
    assert_eq!(s.institutions.len(), SMALL.institutions);
    let contact = s.contact_person().expect("the contact person exists");
    assert_eq!(contact.id, s.people[0].id);
}

#[test]
fn members_are_a_share_of_the_people_and_known_to_members_only() {
    let s = load(&Shape {
        members: 40,
        ..SMALL
    });
    let hidden = s
        .people
        .iter()
        .filter(|p| !p.visible_to(Audience::Public))
        .count();
    // About 40 % of the people outside the committee, by the seed's draws.
    assert!((1000..1400).contains(&hidden), "{hidden} members only");
    assert_eq!(s.people_for(Audience::Members).count(), SMALL.people);
    // Without members the files are those of before.
    assert!(!generate(&SMALL).people.contains("Member]"));
}

#[test]
fn more_institutions_than_distinct_names_still_pass() {
    let s = load(&Shape {
        people: 50,
        meetings: 10,
        institutions: 4000,
        seed: 9,
        members: 0,
    });
    assert_eq!(s.institutions.len(), 4000);
    assert!(s.institutions.iter().any(|i| i.name.ends_with(", site 2")));
}

#[test]
fn an_empty_society_passes_the_check() {
    let s = load(&Shape {
        people: 0,
        meetings: 0,
        institutions: 0,
        seed: 5,
        members: 0,
    });
    assert!(s.people.is_empty() && s.contact_person().is_none());
    // People and meetings need no institution to refer to.
    let s = load(&Shape {
        people: 20,
        meetings: 20,
        institutions: 0,
        seed: 5,
        members: 0,
    });
    assert!(s.people.iter().all(|p| p.institution.is_none()));
    assert!(s.meetings.iter().all(|m| m.venue.is_none()));
}

#[test]
fn the_same_seed_gives_the_same_files() {
    assert_eq!(generate(&SMALL), generate(&SMALL));
    let other = generate(&Shape { seed: 2, ..SMALL });
    assert_ne!(generate(&SMALL).people, other.people);
    // More meetings leave the people as they were.
    let more = generate(&Shape {
        meetings: 900,
        ..SMALL
    });
    assert_eq!(generate(&SMALL).people, more.people);
}

#[test]
fn the_content_is_as_varied_as_real_data() {
    let s = load(&SMALL);

    let names: String = s
        .people
        .iter()
        .map(|p| p.name())
        .chain(s.institutions.iter().map(|i| i.name.clone()))
        .collect();
    for letter in ['ø', 'å', 'æ', 'ð', 'þ', 'á', 'ö', 'Þ', 'Å', 'Ø'] {
        assert!(names.contains(letter), "no name has {letter}");
    }

    let countries: HashSet<&str> = s.people.iter().map(|p| p.country.code()).collect();
    for code in ["DK", "EE", "FI", "IS", "NO", "SE", "US"] {
        assert!(countries.contains(code), "nobody in {code}");
    }
    assert!(s.people.iter().any(|p| p.institution.is_none()));
    assert!(s.institutions.iter().any(|i| !i.aliases.is_empty()));
    assert!(s.institutions.iter().any(|i| i.aliases.is_empty()));
    assert!(s.people.iter().any(|p| p.roles.is_empty()));
    assert!(s.people.iter().any(|p| p.given.contains(' ')));

    // Every kind of contact detail, each with both visibilities.
    for kind in ["email", "phone", "orcid"] {
        let detail = |p: &nspm_core::Person| match kind {
            "email" => p.email.clone(),
            "phone" => p.phone.clone(),
            _ => p.orcid.clone(),
        };
        for visibility in [Visibility::Public, Visibility::Members] {
            assert!(
                s.people
                    .iter()
                    .any(|p| detail(p).is_some_and(|d| d.visibility == visibility)),
                "no {kind} that is {visibility:?}"
            );
        }
    }
    assert!(s.people.iter().any(|p| p.web.is_some()));
    let hidden = s
        .people
        .iter()
        .filter(|p| p.details(Audience::Public).count() < p.details(Audience::Members).count())
        .count();
    assert!(hidden > 0);

    for precision in [Precision::Year, Precision::Month, Precision::Day] {
        assert!(
            s.meetings.iter().any(|m| m.date.precision() == precision),
            "no meeting known to the {precision:?}"
        );
    }
    assert!(s.meetings.iter().any(|m| m.end.is_some()));
    assert!(s.meetings.iter().any(|m| m.venue.is_some()));
    assert!(s.meetings.iter().any(|m| m.revision > 0));
    assert!(s.meetings.iter().any(|m| m.modified.is_some()));
    assert!(s.meetings.iter().any(|m| m.summary.is_some()));
    assert!(s.meetings.iter().any(|m| m.summary.is_none()));
    // Some summaries quote a phrase, so strings with escapes are read too.
    assert!(
        s.meetings
            .iter()
            .any(|m| m.summary.as_deref().is_some_and(|t| t.contains('"')))
    );
    assert!(s.meetings.windows(2).all(|w| w[0].date <= w[1].date));
}
