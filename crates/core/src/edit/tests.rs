use super::*;
use crate::load::Sources;

/// 2026-05-01T12:00:00Z.
pub(super) const NOW: Timestamp = Timestamp::from_unix(1_777_636_800);

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

fn refused(result: Result<Edited, EditError>) -> Vec<Refusal> {
    match result {
        Err(EditError::Refused(problems)) => problems,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The refusals in words, each input named as the command line names it.
fn flagged(problems: &[Refusal]) -> Vec<String> {
    problems
        .iter()
        .map(|p| p.message(&|f| format!("--{f}")))
        .collect()
}

/// The kind of each problem the check found in the data as it would be.
fn data_kinds(problems: &[Refusal]) -> Vec<DiagnosticKind> {
    problems
        .iter()
        .filter_map(|p| match &p.kind {
            RefusalKind::Data { diagnostic, .. } => Some(diagnostic.kind),
            _ => None,
        })
        .collect()
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
    assert_eq!(problems[0].field.as_deref(), Some("venue"));
    assert!(matches!(
        &problems[0].kind,
        RefusalKind::NoSuchInstitution(QueryError::NotFound {
            kind: crate::RecordKind::Institution,
            text,
            ..
        }) if text == "oslo uni"
    ));
    // The date and the country are judged by the check, in the new record,
    // and each refusal names the input that gave the value.
    assert_eq!(
        data_kinds(&problems),
        [DiagnosticKind::InvalidValue, DiagnosticKind::InvalidValue]
    );
    let fields: Vec<Option<&str>> = problems.iter().map(|p| p.field.as_deref()).collect();
    assert_eq!(fields, [Some("venue"), Some("date"), Some("country")]);
    let words = flagged(&problems);
    assert!(words[0].starts_with("--venue: no institution matches \"oslo uni\""));
    assert_eq!(
        words[1],
        "meeting \"somewhere-2019\", field `date`: there is no month 13, in \"2019-13\""
    );
    assert!(words[2].contains("unknown country code \"XX\""));
}

/// Every refusal an edit can give, with the inputs named as a form might
/// name them: the words come from core, the names from the front end, and
/// core writes no flag of the command line.
#[test]
fn refusals_are_values_that_front_ends_name_their_own_way() {
    let sources = Sources::embedded();
    let changes = [
        add(
            Kind::Person,
            &[
                ("name", "Anna"),
                ("emial", "a@example.org"),
                ("hobby", "chess"),
                ("role", "chiar"),
                ("web-visibility", "public"),
                ("phone", ""),
                ("phone-visibility", "members"),
                ("orcid-visibility", "secret"),
            ],
        ),
        add(Kind::Meeting, &[("city", "Oslo"), ("city", "Bergen")]),
        add(Kind::Institution, &[("name", "!!!"), ("country", "NO")]),
        edit(
            Kind::Person,
            "soren-brunak",
            &[("id", "soren"), ("institution", "Nowhere University")],
        ),
    ];
    let form = |field: &str| format!("[{}]", field.replace('-', " "));
    let mut kinds = Vec::new();
    for change in &changes {
        for p in refused(apply(&sources, change, NOW)) {
            let words = p.message(&form);
            assert!(!words.contains("--"), "{words}");
            if let Some(field) = &p.field
                && !matches!(p.kind, RefusalKind::NoId)
            {
                assert!(words.starts_with(&form(field)), "{words}");
            }
            kinds.push(std::mem::discriminant(&p.kind));
        }
    }
    for kind in [
        RefusalKind::UnknownField { suggestion: None },
        RefusalKind::GivenTwice,
        RefusalKind::Needed,
        RefusalKind::CountryNeeded { from: "" },
        RefusalKind::IdFixed,
        RefusalKind::Unsplit {
            name: String::new(),
        },
        RefusalKind::UnknownRole {
            text: String::new(),
        },
        RefusalKind::NotVisibility {
            text: String::new(),
        },
        RefusalKind::VisibilityWhileClearing { detail: "" },
        RefusalKind::VisibilityWithoutDetail { detail: "" },
        RefusalKind::NoId,
    ] {
        assert!(
            kinds.contains(&std::mem::discriminant(&kind)),
            "no change above is refused with {kind:?}"
        );
    }
}

#[test]
fn removing_an_institution_people_belong_to_names_them() {
    let sources = Sources::embedded();
    let change = Change::Remove {
        kind: Kind::Institution,
        id: "lund-university".into(),
    };
    let problems = flagged(&refused(apply(&sources, &change, NOW)));
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
    assert_eq!(problems[0].field.as_deref(), Some("emial"));
    assert_eq!(
        problems[0].kind,
        RefusalKind::UnknownField {
            suggestion: Some("email")
        }
    );
    assert_eq!(
        flagged(&problems),
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
    assert_eq!(data_kinds(&problems), [DiagnosticKind::DuplicateId]);
}

/// The embedded data with one record of each kind that holds every field,
/// so that an input can be seen to change each.
fn full() -> Sources {
    let mut sources = Sources::embedded();
    let replace = |sources: &mut Sources, file: DataFile, from: &str, to: &str| {
        let text = sources.text(file).unwrap().replacen(from, to, 1);
        sources.set_text(file, text);
    };
    replace(
        &mut sources,
        DataFile::People,
        "        family: \"Brunak\",\n",
        "        family: \"Brunak\",\n        position: Some(\"Professor\"),\n        email: Some(Members(\"soren@example.org\")),\n        phone: Some(Members(\"+45 35 32 00 00\")),\n        orcid: Some(Members(\"0000-0001-5109-3700\")),\n        web: Some(Members(\"https://example.org/soren\")),\n        photo: Some(\"photos/soren.png\"),\n",
    );
    for path in ["photos/soren.png", "photos/brunak.jpg"] {
        let image = crate::photo::tests::generated(120, 160, image::ImageFormat::Png);
        let bytes = crate::photo::PhotoContent::Bytes(image.into());
        sources.photos.insert(path.to_string(), bytes);
    }
    replace(
        &mut sources,
        DataFile::Meetings,
        "        date: \"2016-09\",\n",
        "        date: \"2016-09-05\",\n        end: Some(\"2016-09-06\"),\n        starts: Some(\"09:00\"),\n        ends: Some(\"17:00\"),\n        zone: Some(\"Europe/Oslo\"),\n        venue: Some(\"university-of-oslo\"),\n        venue_address: Some(\"Problemveien 7, 0315 Oslo\"),\n        online_link: Some(\"https://meet.example.org/oslo\"),\n        notes: Some(\"Bring your badge.\"),\n        revision: 2,\n        modified: Some(\"2016-08-01T12:00:00Z\"),\n",
    );
    replace(
        &mut sources,
        DataFile::Institutions,
        "        name: \"Lund University\",\n",
        "        name: \"Lund University\",\n        aliases: [\"Lunds universitet\"],\n        web: Some(\"https://www.lu.example.org/\"),\n",
    );
    sources
}

/// Every field of a record that holds them all is written by the canonical
/// writer, and read back as it was. A field added to a record fails here, by
/// name, until the writer writes it (or [`full`] gives it a value).
#[test]
fn every_field_survives_the_canonical_writer() {
    use crate::model::{Institution, Meeting, NewsItem, Person, SocietyInfo};
    let sources = full();
    let s = society(&sources);
    let person = s.person("soren-brunak").unwrap();
    let institution = s.institution("lund-university").unwrap();
    let meeting = s.meeting("oslo-2016").unwrap();
    let news = s.news_item("society-formation-announced").unwrap();
    for (rec, fields) in [
        (record::person(person), Person::FIELDS),
        (record::institution(institution), Institution::FIELDS),
        (record::meeting(meeting), Meeting::FIELDS),
        (record::news(news), NewsItem::FIELDS),
        (record::society(&s.info), SocietyInfo::FIELDS),
    ] {
        let written: Vec<&str> = rec.fields.iter().map(|(n, _)| *n).collect();
        assert_eq!(
            written, fields,
            "{}: the fields the writer writes (crates/core/src/edit/record.rs) against those declared",
            rec.name
        );
    }
    let formatted = format(&sources).unwrap();
    assert_eq!(society(&formatted), s, "written and read again");
}

/// A value for an input that differs from what [`full`]'s record holds.
fn sample(kind: Kind, input: &str) -> Option<&'static str> {
    Some(match (kind, input) {
        (Kind::Person, "name") => "Søren Brunak Jensen",
        (Kind::Person, "given") => "Sören",
        (Kind::Person, "family") => "Brunák",
        (Kind::Person, "institution") => "lund-university",
        (Kind::Person, "country") => "SE",
        (Kind::Person, "role") => "chair",
        (Kind::Person, "email") => "brunak@example.org",
        (Kind::Person, "phone") => "+45 11 22 33 44",
        (Kind::Person, "orcid") => "0000-0002-1825-0097",
        (Kind::Person, "web") => "https://example.org/brunak",
        (Kind::Person, "position") => "Professor of Bioinformatics",
        (Kind::Person, "photo") => "photos/brunak.jpg",
        (Kind::Person, v) if v.ends_with("-visibility") => "public",
        (Kind::Institution, "name") => "Lund",
        (Kind::Institution, "alias") => "LU",
        (Kind::Institution, "country") => "DK",
        (Kind::Institution, "web") => "https://www.lu.example.org/en/",
        (Kind::Meeting, "title") => "Oslo gathering",
        (Kind::Meeting, "date") => "2016-09-04",
        (Kind::Meeting, "end") => "2016-09-07",
        (Kind::Meeting, "starts") => "10:00",
        (Kind::Meeting, "ends") => "16:00",
        (Kind::Meeting, "zone") => "Europe/Stockholm",
        (Kind::Meeting, "city") => "Bergen",
        (Kind::Meeting, "venue") => "university-of-bergen",
        (Kind::Meeting, "country") => "SE",
        (Kind::Meeting, "summary") => "Moved.",
        (Kind::Meeting, "venue-address") => "Allégaten 1, 5007 Bergen",
        (Kind::Meeting, "online-link") => "https://meet.example.org/bergen",
        (Kind::Meeting, "notes") => "Ring twice.",
        (Kind::News, "date") => "2018-06-14",
        (Kind::News, "title") => "The society is formed",
        (Kind::News, "text") => "Announced in *Reykjavik*.",
        (Kind::News, "meeting") => "oslo-2016",
        _ => return None,
    })
}

/// Each record's declaration and its kind's inputs agree: every field is
/// set by an input (or by the change itself), and each input sets the
/// fields it says it sets. A field added to a record fails here, by name,
/// until an input sets it.
#[test]
fn every_field_is_set_by_an_input_that_sets_it() {
    use crate::model::{Institution, Meeting, NewsItem, Person};
    let base = full();
    let before = society(&base);
    for (kind, fields, id) in [
        (Kind::Person, Person::FIELDS, "soren-brunak"),
        (Kind::Institution, Institution::FIELDS, "lund-university"),
        (Kind::Meeting, Meeting::FIELDS, "oslo-2016"),
        (Kind::News, NewsItem::FIELDS, "society-formation-announced"),
    ] {
        let noun = kind.noun();
        for field in fields {
            assert!(
                kind.inputs().iter().any(|i| i.sets.contains(field))
                    || kind.automatic().contains(field),
                "{noun} field `{field}`: no input sets it; give it one in crates/core/src/edit/change.rs"
            );
        }
        let at = position(&before, kind, id).unwrap();
        let old = current(&before, kind, at);
        for input in kind.inputs() {
            for field in input.sets {
                assert!(
                    fields.contains(field),
                    "{noun} input `{}` sets `{field}`, which a {noun} does not have",
                    input.name
                );
            }
            if input.name == "id" {
                continue;
            }
            let value = sample(kind, input.name).unwrap_or_else(|| {
                panic!(
                    "{noun} input `{}` has no sample value in this test",
                    input.name
                )
            });
            let change = edit(kind, id, &[(input.name, value)]);
            let edited = apply(&base, &change, NOW)
                .unwrap_or_else(|e| panic!("{noun} input `{}`: {e}", input.name));
            let after = society(&edited.sources);
            let new = current(&after, kind, position(&after, kind, id).unwrap());
            let changed = differing(&old, &new);
            for field in input.sets {
                assert!(
                    changed.contains(field),
                    "{noun} input `{}` did not set `{field}`: {changed:?}",
                    input.name
                );
            }
        }
        // An id is given to a new record; an old one keeps its own.
        let mut fields = vec![("id", "given-id"), ("name", "Given Id"), ("country", "NO")];
        if kind == Kind::Meeting {
            fields.extend([("title", "Given"), ("date", "2020")]);
            fields.retain(|(f, _)| *f != "name");
        }
        if kind == Kind::News {
            fields = vec![
                ("id", "given-id"),
                ("title", "Given"),
                ("date", "2020"),
                ("text", "Said."),
            ];
        }
        let added = apply(&base, &add(kind, &fields), NOW).unwrap();
        assert_eq!(added.id, "given-id");
    }
}

/// A data directory made before there was news has no news.ron: it loads
/// with no news, and the first item added starts the file.
#[test]
fn news_starts_from_a_missing_file() {
    let mut sources = Sources::embedded();
    sources.files[DataFile::News.index()] = crate::load::Content::Missing;
    let checked = crate::check(&sources);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert!(checked.society.unwrap().news.is_empty());
    assert!(format(&sources).unwrap().text(DataFile::News).is_none());
    let change = add(
        Kind::News,
        &[
            ("date", "2019-03-01"),
            ("title", "A call for members"),
            ("text", "Write to us."),
            ("meeting", "oslo-2016"),
        ],
    );
    let edited = apply(&sources, &change, NOW).unwrap();
    assert_eq!(edited.id, "a-call-for-members");
    let s = society(&edited.sources);
    assert_eq!(s.news.len(), 1);
    assert_eq!(s.news[0].meetings[0].as_str(), "oslo-2016");
    assert!(
        edited
            .sources
            .text(DataFile::News)
            .unwrap()
            .starts_with("[\n    News(")
    );
}

/// A news item's meeting that does not exist is refused, named by the
/// input that gave it, with the closest id.
#[test]
fn news_of_an_unknown_meeting_is_refused() {
    let change = add(
        Kind::News,
        &[
            ("date", "2019"),
            ("title", "Oslo again"),
            ("text", "Soon."),
            ("meeting", "oslo-2061"),
        ],
    );
    let Err(EditError::Refused(refusals)) = apply(&Sources::embedded(), &change, NOW) else {
        panic!("an unknown meeting was accepted");
    };
    assert_eq!(refusals.len(), 1);
    assert_eq!(refusals[0].field.as_deref(), Some("meeting"));
    let text = refusals[0].message(&|f| format!("--{f}"));
    assert!(
        text.contains("no meeting has the id \"oslo-2061\"; did you mean \"oslo-2016\"?"),
        "{text}"
    );
}
