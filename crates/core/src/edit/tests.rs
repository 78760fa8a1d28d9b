use super::*;
use crate::load::Sources;

/// 2026-05-01T12:00:00Z.
const NOW: Timestamp = Timestamp::from_unix(1_777_636_800);

fn add(kind: Kind, fields: &[(&str, &str)]) -> Change {
    Change::Add {
        kind,
        fields: assigns(fields),
    }
}

fn edit(kind: Kind, id: &str, fields: &[(&str, &str)]) -> Change {
    Change::Edit {
        kind,
        id: id.to_string(),
        fields: assigns(fields),
    }
}

fn assigns(fields: &[(&str, &str)]) -> Vec<Assign> {
    fields.iter().map(|(f, v)| Assign::new(*f, *v)).collect()
}

fn refused(result: Result<Edited, EditError>) -> Vec<String> {
    match result {
        Err(EditError::Refused(problems)) => problems,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn society(sources: &Sources) -> Society {
    Society::from_sources(sources).expect("the data checks clean")
}

/// The lines of `after` that are not in `before`, and the other way round.
fn changed_lines<'a>(before: &'a str, after: &'a str) -> (Vec<&'a str>, Vec<&'a str>) {
    let old: Vec<&str> = before.lines().collect();
    let new: Vec<&str> = after.lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    (
        old[prefix..old.len() - suffix].to_vec(),
        new[prefix..new.len() - suffix].to_vec(),
    )
}

#[test]
fn formatting_the_real_data_changes_nothing() {
    let sources = Sources::embedded();
    let formatted = format(&sources).unwrap();
    for file in DataFile::ALL {
        assert_eq!(
            formatted.text(file),
            sources.text(file),
            "{} is not in the canonical layout",
            file.file_name()
        );
    }
}

/// The real data with a messy people file: odd spacing, a raw string, a
/// URL-form ORCID, comments in every kind of place.
fn messy() -> Sources {
    let mut sources = Sources::embedded();
    let people = r##"// Heading comment.

[ // after the bracket
  Person(id:"ole-andreassen",given: r#"Ole"#, family:"Andreassen", // trailing family
      institution:Some("university-of-oslo"),country:"NO",roles:[ SteeringCommittee ],
      // about the ORCID
      orcid: Some(Public("https://orcid.org/0000-0002-1825-0097")),
      roles_note_is_not_a_field_but_this_comment_is_fine: (),
  ),


  // A person added by hand.
  Person(
      id: "hakon-heimer", given: "Hakon", family: "Heimer",
      institution: Some("cold-spring-harbor-laboratory"), country: "US",
      roles: [], email: Some(Members("hakon@example.org")),
      // The end of Hakon.
  ),
  // Nobody after Hakon.
] // the end
"##;
    // The field that is not one is left out again: the messy text must check.
    let people = people.replace(
        "      roles_note_is_not_a_field_but_this_comment_is_fine: (),\n",
        "",
    );
    sources.set_text(DataFile::People, people);
    // Other people are referred to by the society only through its contact.
    sources
}

#[test]
fn formatting_keeps_the_society_and_every_comment_and_settles() {
    let sources = messy();
    let before = society(&sources);
    let formatted = format(&sources).unwrap();
    let after = society(&formatted);
    assert_eq!(before, after);
    let text = formatted.text(DataFile::People).unwrap();
    for comment in [
        "// Heading comment.",
        "// after the bracket",
        "// trailing family",
        "// about the ORCID",
        "// A person added by hand.",
        "// The end of Hakon.",
        "// Nobody after Hakon.",
        "// the end",
    ] {
        assert_eq!(text.matches(comment).count(), 1, "{comment} in:\n{text}");
    }
    assert_eq!(
        text,
        r#"// Heading comment.

[ // after the bracket
    Person(
        id: "ole-andreassen",
        given: "Ole",
        family: "Andreassen", // trailing family
        institution: Some("university-of-oslo"),
        country: "NO",
        roles: [SteeringCommittee],
        // about the ORCID
        orcid: Some(Public("0000-0002-1825-0097")),
    ),

    // A person added by hand.
    Person(
        id: "hakon-heimer",
        given: "Hakon",
        family: "Heimer",
        institution: Some("cold-spring-harbor-laboratory"),
        country: "US",
        email: Some(Members("hakon@example.org")),
        // The end of Hakon.
    ),
    // Nobody after Hakon.
] // the end
"#
    );
    let again = format(&formatted).unwrap();
    assert_eq!(again, formatted, "formatting twice changes nothing more");
}

#[test]
fn adding_a_person_inserts_one_record_before_the_bracket() {
    let sources = Sources::embedded();
    let change = add(
        Kind::Person,
        &[
            ("name", "Kári Stefánsson"),
            ("institution", "decode-genetics"),
            ("role", "steering-committee"),
        ],
    );
    let edited = apply(&sources, &change, NOW).unwrap();
    assert_eq!(edited.id, "kari-stefansson-2");
    assert_eq!(edited.summary, "added person \"kari-stefansson-2\"");
    let (gone, added) = changed_lines(
        sources.text(DataFile::People).unwrap(),
        edited.sources.text(DataFile::People).unwrap(),
    );
    assert!(gone.is_empty());
    assert_eq!(
        added,
        [
            "    Person(",
            "        id: \"kari-stefansson-2\",",
            "        given: \"Kári\",",
            "        family: \"Stefánsson\",",
            "        institution: Some(\"decode-genetics\"),",
            "        country: \"IS\",",
            "        roles: [SteeringCommittee],",
            "    ),",
        ]
    );
    let s = society(&edited.sources);
    assert_eq!(s.people.last().unwrap().name(), "Kári Stefánsson");
}

#[test]
fn editing_rewrites_only_the_record_and_keeps_its_comments() {
    let sources = messy();
    let change = edit(
        Kind::Person,
        "hakon-heimer",
        &[
            ("email", "hakon@nspm.example.org"),
            ("email-visibility", "public"),
            ("phone", "+47 22 00 00 00"),
        ],
    );
    let edited = apply(&sources, &change, NOW).unwrap();
    assert_eq!(
        edited.summary,
        "changed person \"hakon-heimer\": email, phone"
    );
    let text = edited.sources.text(DataFile::People).unwrap();
    let before = sources.text(DataFile::People).unwrap();
    // Ole's record, hand-written and untouched, keeps every byte.
    let ole_end = before.find("  ),").unwrap();
    assert_eq!(text[..ole_end], before[..ole_end]);
    assert!(text.contains(
        "        email: Some(Public(\"hakon@nspm.example.org\")),\n        phone: Some(Members(\"+47 22 00 00 00\")),\n        // The end of Hakon.\n    ),\n  // Nobody after Hakon.\n] // the end\n"
    ), "{text}");
}

#[test]
fn an_edit_that_changes_nothing_says_so() {
    let sources = Sources::embedded();
    let change = edit(Kind::Meeting, "oslo-2016", &[("city", "Oslo")]);
    let edited = apply(&sources, &change, NOW).unwrap();
    assert!(!edited.changed);
    assert_eq!(edited.sources, sources);
}

#[test]
fn a_changed_meeting_gets_a_new_revision_and_time() {
    let sources = Sources::embedded();
    let change = edit(Kind::Meeting, "oslo-2016", &[("summary", "Moved.")]);
    let edited = apply(&sources, &change, NOW).unwrap();
    let s = society(&edited.sources);
    let m = s.meeting("oslo-2016").unwrap();
    assert_eq!((m.revision, m.modified), (1, Some(NOW)));
    assert_eq!(m.summary.as_deref(), Some("Moved."));
    let again = apply(&edited.sources, &change_title(), NOW).unwrap();
    let s = society(&again.sources);
    assert_eq!(s.meeting("oslo-2016").unwrap().revision, 2);
}

fn change_title() -> Change {
    edit(Kind::Meeting, "oslo-2016", &[("title", "Oslo gathering")])
}

#[test]
fn a_new_meeting_is_named_by_place_and_year() {
    let sources = Sources::embedded();
    let change = add(
        Kind::Meeting,
        &[
            ("title", "Oslo meeting"),
            ("date", "2019-05"),
            ("city", "Oslo"),
            ("country", "norway"),
        ],
    );
    let edited = apply(&sources, &change, NOW).unwrap();
    assert_eq!(edited.id, "oslo-2019");
    let s = society(&edited.sources);
    let m = s.meeting("oslo-2019").unwrap();
    assert_eq!(m.country.code(), "NO");
    assert_eq!(m.modified, Some(NOW));
}

#[test]
fn every_bad_value_is_listed_and_nothing_applies() {
    let sources = Sources::embedded();
    let change = add(
        Kind::Meeting,
        &[
            ("title", "Somewhere"),
            ("date", "2019-13"),
            ("country", "XX"),
            ("venue", "oslo uni"),
        ],
    );
    let problems = refused(apply(&sources, &change, NOW));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert!(problems[0].starts_with("--venue: no institution matches \"oslo uni\""));
    assert!(problems[1].starts_with("meeting \"somewhere-2019\"") || problems[1].contains("date"));
    assert!(
        problems
            .iter()
            .any(|p| p.contains("unknown country code \"XX\""))
    );
    assert!(
        problems.iter().any(|p| p.contains("month")),
        "{problems:#?}"
    );
}

#[test]
fn removing_an_institution_people_belong_to_names_them() {
    let sources = Sources::embedded();
    let change = Change::Remove {
        kind: Kind::Institution,
        id: "lund-university".into(),
    };
    let problems = refused(apply(&sources, &change, NOW));
    let who: Vec<&str> = ["paul-franks", "maria-gomez", "leif-groop"]
        .into_iter()
        .filter(|id| {
            problems
                .iter()
                .any(|p| p.contains(&format!("person \"{id}\"")))
        })
        .collect();
    assert_eq!(who.len(), 3, "{problems:#?}");
    // The lines are those of the file as it stands.
    assert!(
        problems[0].starts_with("(embedded data)/people.ron:40:22: person \"paul-franks\""),
        "{}",
        problems[0]
    );
}

#[test]
fn removing_takes_the_record_and_its_line() {
    let sources = Sources::embedded();
    let change = Change::Remove {
        kind: Kind::Meeting,
        id: "malmo-2017".into(),
    };
    let edited = apply(&sources, &change, NOW).unwrap();
    let before: Vec<&str> = sources.text(DataFile::Meetings).unwrap().lines().collect();
    let id_line = before
        .iter()
        .position(|l| l.contains("\"malmo-2017\""))
        .unwrap();
    let mut expected = before.clone();
    expected.drain(id_line - 1..id_line + 7);
    let after: Vec<&str> = edited
        .sources
        .text(DataFile::Meetings)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(after, expected);
}

#[test]
fn unknown_ids_and_fields_are_named() {
    let sources = Sources::embedded();
    let change = edit(Kind::Person, "soren-brunk", &[("email", "s@x.org")]);
    match apply(&sources, &change, NOW) {
        Err(EditError::NotFound(e)) => {
            assert_eq!(
                e.to_string(),
                "no person matches \"soren-brunk\"; did you mean soren-brunak?"
            )
        }
        other => panic!("{other:?}"),
    }
    let change = edit(Kind::Person, "soren-brunak", &[("emial", "s@x.org")]);
    let problems = refused(apply(&sources, &change, NOW));
    assert_eq!(
        problems,
        ["--emial: a person has no such field; did you mean --email?"]
    );
}

#[test]
fn a_duplicate_id_is_refused() {
    let sources = Sources::embedded();
    let change = add(
        Kind::Institution,
        &[
            ("id", "lund-university"),
            ("name", "Lund"),
            ("country", "SE"),
        ],
    );
    let problems = refused(apply(&sources, &change, NOW));
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("duplicate id \"lund-university\""),
        "{problems:?}"
    );
}
