//! Loading never panics or hangs, whatever the files hold, and the real data
//! is standard RON that the `ron` crate reads too.

use proptest::prelude::*;

use super::*;
use crate::decode;
use crate::diagnostic::DiagnosticKind;

fn sources_with(file: DataFile, text: &str) -> Sources {
    let mut sources = Sources::embedded();
    sources.set_text(file, text.to_string());
    sources
}

/// Checks and returns the number of problems; a society comes back exactly
/// when there are none.
fn problems(sources: &Sources) -> usize {
    let checked = check(sources);
    assert_eq!(checked.society.is_some(), checked.diagnostics.is_empty());
    for d in &checked.diagnostics {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
    }
    checked.diagnostics.len()
}

#[test]
fn the_embedded_data_is_the_about_page() {
    let s = Society::load_embedded().unwrap();
    assert_eq!(s.info.name, "Nordic Society for Precision Medicine");
    assert_eq!(s.info.short_name, "NSPM");
    assert_eq!(s.info.initiative.short_name, "NPMI");
    assert_eq!(s.info.mission.len(), 4);
    assert_eq!(s.people.len(), 22);
    assert_eq!(s.meetings.len(), 6);
    assert_eq!(s.institutions.len(), 13);
    assert_eq!(s.contact_person().unwrap().name(), "Hakon Heimer");
    assert_eq!(s.info.contact.email, "NordicPrecisionMedicine@gmail.com");
    // The page gives no contact details for anyone, so the data adds none.
    assert!(
        s.people
            .iter()
            .all(|p| p.details(crate::Audience::Members).count() == 0)
    );
    // Preben Bo Mortensen has no institution on the page.
    assert_eq!(s.person("preben-bo-mortensen").unwrap().institution, None);
    let dates: Vec<String> = s.meetings.iter().map(|m| m.date.iso()).collect();
    assert_eq!(
        dates,
        [
            "2014", "2015-05", "2016-09", "2017-05", "2017-12", "2018-06"
        ]
    );
    // Institutions are records of their own, each once.
    let mut names: Vec<&str> = s.institutions.iter().map(|i| i.name.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), 13);
    let codes: std::collections::BTreeSet<&str> =
        s.people.iter().map(|p| p.country.code()).collect();
    assert_eq!(
        codes.into_iter().collect::<Vec<_>>(),
        ["DK", "EE", "FI", "IS", "NO", "SE", "US"]
    );
}

#[test]
fn the_data_files_are_standard_ron() {
    // Reading the files with the `ron` crate as untyped values proves that any
    // RON tool can read what staff keep, not only this reader.
    for (file, text) in DataFile::ALL.iter().zip(EMBEDDED) {
        let value: Result<ron::Value, _> = ron::from_str(text);
        assert!(value.is_ok(), "{}: {:?}", file.file_name(), value.err());
    }
}

#[test]
fn a_missing_data_directory_is_an_io_error() {
    let err = Sources::read_dir(Path::new("/nonexistent/nspm-data")).unwrap_err();
    assert_eq!(err.to_string(), "cannot read /nonexistent/nspm-data");
}

#[test]
fn every_truncation_of_every_file_is_reported_not_a_panic() {
    for file in DataFile::ALL {
        let text = EMBEDDED[file.index()];
        let cuts: Vec<usize> = (0..text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for &cut in &cuts {
            let n = problems(&sources_with(file, &text[..cut]));
            // Only a cut in the trailing white space leaves a whole file.
            if !text[cut..].trim().is_empty() {
                assert!(n > 0, "{} cut at {cut} passed", file.file_name());
            }
        }
    }
}

#[test]
fn deep_nesting_in_every_file_is_refused_quickly() {
    for file in DataFile::ALL {
        for open in ["[", "(", "{", "Some(", "P(a:"] {
            assert!(problems(&sources_with(file, &open.repeat(100_000))) > 0);
        }
    }
}

#[test]
fn binary_garbage_is_reported() {
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut sources = Sources::embedded();
    sources.files[DataFile::People.index()] = Content::from_bytes(garbage);
    assert_eq!(problems(&sources), 1);
}

/// A small edit to a file, for [`mutate`]: about where, how many bytes go,
/// and what comes in their place.
type Edit = (prop::sample::Index, usize, String);

fn an_edit() -> impl Strategy<Value = Edit> {
    (any::<prop::sample::Index>(), 0usize..40, "\\PC{0,20}")
}

/// `text` with `len` bytes from about `at` replaced by `insert`.
fn mutate(text: &str, (at, len, insert): &Edit) -> String {
    let mut start = at.index(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + len).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{}{}", &text[..start], insert, &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}", file in 0usize..4) {
        problems(&sources_with(DataFile::ALL[file], &text));
    }

    #[test]
    fn ron_shaped_noise_never_panics(
        text in "[\\[\\](){}:,\"'a-zA-Z0-9_ \n/*#r.+-]{0,400}",
        file in 0usize..4,
    ) {
        problems(&sources_with(DataFile::ALL[file], &text));
    }

    #[test]
    fn mutated_real_data_never_panics(file in 0usize..4, edit in an_edit()) {
        let mutated = mutate(EMBEDDED[file], &edit);
        problems(&sources_with(DataFile::ALL[file], &mutated));
    }
}

/// A list file read in parts cut at `splits`, as text: the records, then the
/// diagnostics, or that the file was broken.
fn read_in_parts(file: DataFile, text: &str, splits: &[usize]) -> String {
    let mut diagnostics = Vec::new();
    let path = "data/file.ron";
    let records = match file {
        DataFile::Institutions => {
            decode::many(path, text, splits, &mut diagnostics, decode::institution)
                .map(|r| format!("{r:?}"))
        }
        DataFile::People => decode::many(path, text, splits, &mut diagnostics, decode::person)
            .map(|r| format!("{r:?}")),
        _ => decode::many(path, text, splits, &mut diagnostics, decode::meeting)
            .map(|r| format!("{r:?}")),
    };
    let diagnostics: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
    format!("{records:?}\n{}", diagnostics.join("\n"))
}

const LIST_FILES: [DataFile; 3] = [DataFile::Institutions, DataFile::People, DataFile::Meetings];

#[test]
fn sound_lists_are_cut_between_records() {
    for file in LIST_FILES {
        let text = EMBEDDED[file.index()];
        let splits = crate::syntax::list_split_points(text, 3);
        assert_eq!(splits.len(), 2, "{}", file.file_name());
        for &stop in &splits {
            let end = crate::syntax::parse_list_part(text, None, Some(stop), |_| {});
            assert_eq!(end, Ok(crate::syntax::PartEnd::Stopped));
            assert!(text[..stop].ends_with("\n    "));
        }
        let whole = read_in_parts(file, text, &[]);
        assert!(whole.starts_with("Some("));
        assert_eq!(read_in_parts(file, text, &splits), whole);
    }
}

/// Decodes a person, and panics at the last one of the embedded data.
fn person_or_panic<'s>(
    cx: &mut decode::FileCx<'_>,
    node: crate::syntax::Node<'s>,
) -> decode::Decoded<'s, crate::model::Person> {
    let person = decode::person(cx, node);
    if let Some(id @ "thomas-werge") = person.id.as_deref() {
        panic!("decoding {id} went wrong");
    }
    person
}

#[test]
fn a_panic_while_reading_a_part_reaches_the_caller() {
    let text = EMBEDDED[DataFile::People.index()];
    let splits = crate::syntax::list_split_points(text, 3);
    assert_eq!(splits.len(), 2);
    // The last person is in the last part, which a thread of the pool reads.
    let caught = std::panic::catch_unwind(|| {
        let mut diagnostics = Vec::new();
        decode::many(
            "people.ron",
            text,
            &splits,
            &mut diagnostics,
            person_or_panic,
        )
    });
    let panic = caught.expect_err("the part's panic reaches the caller");
    assert_eq!(
        panic.downcast_ref::<String>().map(String::as_str),
        Some("decoding thomas-werge went wrong")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Reading in parts gives exactly what one reading gives, wherever the
    /// cuts fall and whatever is wrong with the file.
    #[test]
    fn reading_in_parts_is_reading_whole(
        file in 0usize..3,
        edit in an_edit(),
        cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..4),
        guessed in 2usize..5,
    ) {
        let file = LIST_FILES[file];
        let mutated = mutate(EMBEDDED[file.index()], &edit);
        let whole = read_in_parts(file, &mutated, &[]);
        let guesses = crate::syntax::list_split_points(&mutated, guessed);
        prop_assert_eq!(&read_in_parts(file, &mutated, &guesses), &whole);
        let mut cuts: Vec<usize> = cuts.iter().map(|c| c.index(mutated.len())).collect();
        cuts.retain(|&c| mutated.is_char_boundary(c));
        cuts.sort_unstable();
        cuts.dedup();
        prop_assert_eq!(&read_in_parts(file, &mutated, &cuts), &whole);
    }
}

#[test]
fn a_partial_load_skips_files_quietly_and_says_so() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    for (file, text) in DataFile::ALL.iter().zip(EMBEDDED) {
        std::fs::write(dir.join(file.file_name()), text).unwrap();
    }
    std::fs::write(dir.join("people.ron"), "[ Person(").unwrap();
    let only = [DataFile::Institutions, DataFile::Meetings];
    let sources = Sources::read_dir_only(dir, &only).unwrap();
    assert_eq!(sources.files[DataFile::People.index()], Content::Skipped);
    let society = Society::from_sources(&Sources::read_dir_only(dir, &only).unwrap()).unwrap();
    assert_eq!(society.skipped(), [DataFile::People, DataFile::News]);
    assert!(society.people.is_empty());
    assert_eq!(society.meetings.len(), 6);
    assert_eq!(society.institutions.len(), 13);
    assert!(society.institution("decode-genetics").is_some());
    // The contact person is in the skipped file: not checked, not found.
    assert_eq!(society.contact_person(), None);
    // A full load reads the broken file.
    assert!(Society::load_dir(dir).is_err());
    assert!(Society::load_embedded().unwrap().skipped().is_empty());
}

#[test]
fn each_problem_carries_its_kind() {
    let kinds = |file: DataFile, text: &str| -> Vec<DiagnosticKind> {
        check(&sources_with(file, text))
            .diagnostics
            .iter()
            .map(|d| d.kind)
            .collect()
    };
    let meeting = "[Meeting(id: \"m\", title: \"T\", country: \"NO\", date: \"2019-05-14\", end: Some(\"2019-05-13\"))]";
    // The news names a meeting that this file leaves out.
    assert_eq!(
        kinds(DataFile::Meetings, meeting),
        [
            DiagnosticKind::Inconsistent,
            DiagnosticKind::UnknownReference
        ]
    );
    let twice = "[Institution(id: \"i\", name: \"I\", name: \"J\", country: \"NO\")]";
    let people = "[Institution(id: \"i\", name: \"I\", country: \"NO\"), 7]";
    // The other files name institutions that this one leaves out.
    assert!(kinds(DataFile::Institutions, twice).starts_with(&[DiagnosticKind::RepeatedField]));
    let wrong = kinds(DataFile::People, people)
        .into_iter()
        .filter(|&k| k == DiagnosticKind::WrongRecord)
        .count();
    assert_eq!(wrong, 2);
}

#[test]
fn a_news_item_of_an_unknown_meeting_is_placed_at_its_field() {
    let text = "[\n    News(\n        id: \"n\",\n        date: \"2018-06\",\n        title: \"T\",\n        text: \"X.\",\n        meetings: [\"reykjavik-2081\"],\n    ),\n]\n";
    let checked = check(&sources_with(DataFile::News, text));
    let found: Vec<String> = checked.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        found,
        [
            "(embedded data)/news.ron:7:19: news item \"n\", field `meetings`: no meeting has the id \"reykjavik-2081\"; did you mean \"reykjavik-2018\"?"
        ]
    );
}

#[test]
fn the_one_announcement_is_the_about_page_s() {
    let s = Society::load_embedded().unwrap();
    assert_eq!(s.news.len(), 1);
    let item = &s.news[0];
    assert_eq!(item.date.iso(), "2018-06");
    assert_eq!(item.meetings[0].as_str(), "reykjavik-2018");
    assert!(item.text.contains("at a meeting in Reykjavik"));
}
