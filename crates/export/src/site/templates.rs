//! The page templates, compiled into the binary, and how values print in them.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object};
use minijinja::{AutoEscape, Environment, Error, Output, State, UndefinedBehavior, Value};

/// Each template's name and text: the file of that name in `templates/`,
/// compiled in.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// Every template, by name; `.html` ones are escaped for HTML automatically.
const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "chrome_links.html",
    "chrome_banner.html",
    "chrome_footer.html",
    "chrome_trail.html",
    "qr.html",
    "home.html",
    "committee.html",
    "map.html",
    "person.html",
    "institution.html",
    "meetings.html",
    "meeting.html",
    "timeline.html",
    "news.html",
    "news_entry.html",
    "news_item.html",
    "contact.html",
    "404.html",
    "person_facts.html",
    "photo.html",
    "members_nav.html",
    "members_entry.html",
    "members_search_form.html",
    "members_directory.html",
    "members_meetings.html",
    "members_person.html",
    "members_search.html",
    "members_sign_in.html",
    "members_needs_tls.html",
];

/// Values a template reads by name: a page's own, as [`fields!`] lists them.
pub type Fields = Vec<(&'static str, Value)>;

/// The [`Fields`] of the names given, each the variable of that name or the
/// value after its `=>`, converted as minijinja's `context!` converts them.
macro_rules! fields {
    (@value $key:ident) => { minijinja::Value::from_serialize(&$key) };
    (@value $key:ident => $value:expr) => { minijinja::Value::from_serialize(&$value) };
    ($($key:ident $(=> $value:expr)?),* $(,)?) => {
        vec![$((stringify!($key), fields!(@value $key $(=> $value)?))),*]
    };
}
pub(super) use fields;

/// What a page's template sees at its top level: the frame's values and
/// the page's own, in one list. `context!` with `..` would merge two maps,
/// and every name a template reads (a dozen lookups a line) would then be
/// looked for through both, by a key made for each lookup.
#[derive(Debug)]
pub struct Scope(pub Fields);

impl Object for Scope {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    /// The first value of that name: the frame's before the page's.
    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        let (_, value) = self.0.iter().find(|(name, _)| *name == key)?;
        Some(value.clone())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.0.iter().map(|(name, _)| Value::from(*name)).collect())
    }
}

pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt variable is a bug to catch in tests, not an empty string;
    // only `{% if %}` may ask about a field that views leave out when empty.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_formatter(format_value);
    env.add_filter("breakable", breakable);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the templates compiled into the binary parse");
    }
    env
}

/// An email address (or another long name without spaces) escaped for
/// HTML, with a line-break opportunity (`<wbr>`) after its `@` and each dot,
/// so that a narrow screen breaks it at one of those, never mid-word.
fn breakable(text: &str) -> Value {
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split_inclusive(['@', '.']).enumerate() {
        if i > 0 {
            out.push_str("<wbr>");
        }
        out.push_str(&super::escape_markup(part));
    }
    Value::from_safe_string(out)
}

/// Prints a value as minijinja's own formatter does, but escaping HTML with
/// [`super::MARKUP`], which leaves `/` alone. Text is escaped
/// straight into the page, without a copy of its own.
fn format_value(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if state.auto_escape() != AutoEscape::Html || value.is_safe() || value.is_undefined() {
        return minijinja::escape_formatter(out, state, value);
    }
    let written = match value.as_str() {
        Some(text) => super::escape_into(out, text, &super::MARKUP),
        None => super::escape_into(out, &value.to_string(), &super::MARKUP),
    };
    written.map_err(Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_break_after_the_at_and_the_dots() {
        assert_eq!(
            breakable("a.b@x<y>.org").to_string(),
            "a.<wbr>b@<wbr>x&lt;y&gt;.<wbr>org"
        );
        assert_eq!(breakable("plain").to_string(), "plain");
    }
}
