use super::*;
use crate::DataFile;
use crate::edit::write::{Rec, Val, record};
use crate::load::{Sources, check};
use crate::model::Id;

crate::model::record! {
    /// A record that only this test has, declared as the real ones are,
    /// with a field that none of them has.
    #[derive(Debug, PartialEq, Eq)]
    pub struct Member as "Member" {
        pub id: Id,
        pub name: String,
        pub photo: Option<String>,
    }
}

fn member<'s>(cx: &mut FileCx<'_>, node: Node<'s>) -> Decoded<'s, Member> {
    let mut r = match Record::open(cx, node, Member::NAME, "member", Member::FIELDS) {
        Ok(r) => r,
        Err(span) => return failed(span),
    };
    let id = r.required("id", id_value);
    let name = r.required("name", line);
    let photo = r.optional("photo", None, |n| option(n, line));
    r.finish(|| {
        Some(Member {
            id: id?,
            name: name?,
            photo: photo?,
        })
    })
}

/// The one declaration gives the reader the fields it knows (and the
/// names it suggests) and the writer their order.
#[test]
fn a_field_is_declared_once_for_reading_and_writing() {
    assert_eq!(Member::FIELDS, ["id", "name", "photo"]);
    let text = "Member(photo: Some(\"a.jpg\"), id: \"a\", name: \"A\")";
    let mut diagnostics = Vec::new();
    let mut cx = FileCx::new("m.ron", text, &mut diagnostics);
    let read = single(&mut cx, text, member).unwrap();
    let value = read.value.unwrap();
    assert_eq!(value.photo.as_deref(), Some("a.jpg"));
    let written = Rec::new(Member::NAME, Member::FIELDS)
        .with("photo", Val::opt_str(value.photo.as_deref()))
        .with("name", Val::str(&value.name))
        .with("id", Val::str(value.id.as_str()));
    assert_eq!(
        record(&written, 0, &[]),
        "Member(\n    id: \"a\",\n    name: \"A\",\n    photo: Some(\"a.jpg\"),\n)"
    );
    let text = "Member(id: \"a\", name: \"A\", phot: None)";
    let mut cx = FileCx::new("m.ron", text, &mut diagnostics);
    assert_eq!(single(&mut cx, text, member).unwrap().value, None);
    assert_eq!(
        diagnostics[0].to_string(),
        "m.ron:1:28: member \"a\": unknown field `phot`; did you mean `photo`?"
    );
}

/// Checks the embedded data with `meetings.ron` replaced by one meeting
/// made of `fields` (and no news, which would name the meetings replaced);
/// gives the diagnostics, or the meeting's UTC times.
fn meeting(fields: &str) -> Result<String, Vec<String>> {
    let mut sources = Sources::embedded();
    sources.set_text(DataFile::News, "[]\n".to_string());
    let text = format!(
        "[\n    Meeting(\n        id: \"m\",\n        title: \"T\",\n        country: \"NO\",\n{fields}\n    ),\n]\n"
    );
    sources.set_text(DataFile::Meetings, text);
    let checked = check(&sources);
    match checked.society {
        Some(s) => Ok(match s.meetings[0].utc_times() {
            Some((a, b)) => format!("{a} to {b}"),
            None => "untimed".to_string(),
        }),
        None => Err(checked.diagnostics.iter().map(|d| d.to_string()).collect()),
    }
}

fn err(fields: &str) -> String {
    match meeting(fields) {
        Ok(ok) => panic!("expected a problem, got {ok}"),
        Err(d) => d.join("\n"),
    }
}

#[test]
fn timed_meetings_convert_with_the_zone_rules() {
    let fields = r#"        date: "2019-05-14",
        starts: Some("09:00"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#;
    assert_eq!(
        meeting(fields).unwrap(),
        "2019-05-14T07:00:00Z to 2019-05-14T15:30:00Z"
    );
    let several_days = r#"        date: "2019-10-26",
        end: Some("2019-10-28"),
        starts: Some("09:00"),
        ends: Some("12:00"),
        zone: Some("Europe/Oslo"),"#;
    assert_eq!(
        meeting(several_days).unwrap(),
        "2019-10-26T07:00:00Z to 2019-10-28T11:00:00Z"
    );
    assert_eq!(
        meeting(r#"        date: "2019-05-14","#).unwrap(),
        "untimed"
    );
}

#[test]
fn times_problems_name_file_line_and_field() {
    assert_eq!(
        err(r#"        date: "2019-05",
        starts: Some("09:00"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#),
        "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: a meeting with times needs a date known to the day, such as \"2019-05-14\", not \"2019-05\""
    );
    assert_eq!(
        err(r#"        date: "2019-05-14",
        starts: Some("09:00"),
        zone: Some("Europe/Oslo"),"#),
        "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: `starts`, `ends` and `zone` go together: `ends` is missing"
    );
    assert_eq!(
        err(r#"        date: "2019-05-14",
        starts: Some("9am"),
        ends: Some("17:30"),
        zone: Some("Europe/Olso"),"#),
        "(embedded data)/meetings.ron:7:22: meeting \"m\", field `starts`: expected a time of day as HH:MM, such as \"09:00\", found \"9am\"\n\
         (embedded data)/meetings.ron:9:20: meeting \"m\", field `zone`: unknown time zone \"Europe/Olso\"; did you mean \"Europe/Oslo\"?"
    );
    assert_eq!(
        err(r#"        date: "2019-05-14",
        starts: Some("17:30"),
        ends: Some("09:00"),
        zone: Some("Europe/Oslo"),"#),
        "(embedded data)/meetings.ron:8:15: meeting \"m\", field `ends`: the meeting ends (09:00) before or as it starts (17:30)"
    );
    assert_eq!(
        err(r#"        date: "2019-03-31",
        starts: Some("02:30"),
        ends: Some("17:30"),
        zone: Some("Europe/Oslo"),"#),
        "(embedded data)/meetings.ron:7:17: meeting \"m\", field `starts`: 02:30 did not happen in Europe/Oslo on 2019-03-31: the clocks skipped it"
    );
}
