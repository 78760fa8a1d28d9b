//! The page templates, compiled into the binary, and how values print in them.

use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, Value};

/// Every template, by name; `.html` ones are escaped for HTML automatically.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("social.html", include_str!("../../templates/social.html")),
    ("qr.html", include_str!("../../templates/qr.html")),
    ("home.html", include_str!("../../templates/home.html")),
    (
        "committee.html",
        include_str!("../../templates/committee.html"),
    ),
    ("map.html", include_str!("../../templates/map.html")),
    ("person.html", include_str!("../../templates/person.html")),
    (
        "institution.html",
        include_str!("../../templates/institution.html"),
    ),
    (
        "meetings.html",
        include_str!("../../templates/meetings.html"),
    ),
    ("meeting.html", include_str!("../../templates/meeting.html")),
    ("contact.html", include_str!("../../templates/contact.html")),
    ("404.html", include_str!("../../templates/404.html")),
    (
        "person_facts.html",
        include_str!("../../templates/person_facts.html"),
    ),
    (
        "members_nav.html",
        include_str!("../../templates/members_nav.html"),
    ),
    (
        "members_entry.html",
        include_str!("../../templates/members_entry.html"),
    ),
    (
        "members_search_form.html",
        include_str!("../../templates/members_search_form.html"),
    ),
    (
        "members_directory.html",
        include_str!("../../templates/members_directory.html"),
    ),
    (
        "members_person.html",
        include_str!("../../templates/members_person.html"),
    ),
    (
        "members_search.html",
        include_str!("../../templates/members_search.html"),
    ),
    (
        "members_sign_in.html",
        include_str!("../../templates/members_sign_in.html"),
    ),
    (
        "members_needs_tls.html",
        include_str!("../../templates/members_needs_tls.html"),
    ),
];

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt variable is a bug to catch in tests, not an empty string;
    // only `{% if %}` may ask about a field that views leave out when empty.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(format_value);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the templates compiled into the binary parse");
    }
    env
}

/// Prints a value as minijinja's own formatter does, but escaping HTML with
/// [`super::markup_escape`], which leaves `/` alone. Text is escaped
/// straight into the page, without a copy of its own.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if state.auto_escape() != AutoEscape::Html || value.is_safe() || value.is_undefined() {
        return minijinja::escape_formatter(out, state, value);
    }
    let written = match value.as_str() {
        Some(text) => super::escape_into(out, text, super::markup_escape),
        None => super::escape_into(out, &value.to_string(), super::markup_escape),
    };
    written.map_err(Error::from)
}
