//! The society's announcements: their light Markdown as HTML, and the Atom
//! feed (RFC 4287) at `/news.xml`.

use nspm_core::view::{NewsView, SocietyView};
use nspm_core::{PartialDate, Timestamp};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag};
use uuid::Uuid;

use super::escape_markup;

/// An announcement's text as HTML. Markdown lets raw HTML through, which a
/// news item must never carry: any HTML in the text is shown as text, and a
/// link or image whose address runs script (`javascript:`) leads nowhere.
pub(super) fn markdown(text: &str) -> String {
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).map(|mut event| {
        if let Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) = &mut event {
            *dest_url = harmless(std::mem::replace(dest_url, CowStr::Borrowed("")));
        }
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            other => other,
        }
    });
    let mut html = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// A link's address, or `#` for one whose scheme runs code in a browser.
fn harmless(url: CowStr<'_>) -> CowStr<'_> {
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s.trim().to_ascii_lowercase());
    match scheme.as_deref() {
        Some("javascript" | "vbscript" | "data") => CowStr::Borrowed("#"),
        _ => url,
    }
}

/// The moment an Atom date states for a date known to the day, the month
/// or the year: its first moment in UTC (June 2018 gives
/// 2018-06-01T00:00:00Z), as Atom needs a full date and time.
pub(super) fn moment(date: &str) -> Option<Timestamp> {
    let (first, _) = PartialDate::parse(date).ok()?.days()?;
    Some(Timestamp::midnight(first))
}

/// An id for the feed or one of its entries that never changes: a UUID
/// made from the society's id and the item's, so that it stays the same
/// whatever address the site moves to, and differs from any other
/// society's.
fn urn(society: &SocietyView, what: &str) -> String {
    let name = format!("nspm:{}/{what}", society.id);
    format!(
        "urn:uuid:{}",
        Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes())
    )
}

/// The feed of every announcement, the latest first. Links are absolute
/// with a base URL, and otherwise relative to the feed, which sits at the
/// site's root. `stamp` is the feed's `updated` while there is no news.
pub(super) fn atom(
    society: &SocietyView,
    items: &[NewsView],
    base: Option<&str>,
    stamp: Timestamp,
) -> String {
    let root = base.unwrap_or("");
    let updated = items
        .iter()
        .filter_map(|n| moment(&n.date))
        .max()
        .unwrap_or(stamp);
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n");
    let line = |xml: &mut String, tag: &str, text: &str| {
        xml.push_str(&format!("<{tag}>{}</{tag}>\n", escape_markup(text)));
    };
    line(&mut xml, "id", &urn(society, "news"));
    line(&mut xml, "title", &format!("{} news", society.short_name));
    line(
        &mut xml,
        "subtitle",
        &format!("Announcements of the {}", society.name),
    );
    line(&mut xml, "updated", &updated.to_string());
    xml.push_str("<author>\n");
    line(&mut xml, "name", &society.name);
    line(&mut xml, "email", &society.contact.email);
    xml.push_str("</author>\n");
    let link = |xml: &mut String, rel: &str, kind: &str, href: &str| {
        xml.push_str(&format!(
            "<link rel=\"{rel}\" type=\"{kind}\" href=\"{}\"/>\n",
            escape_markup(href)
        ));
    };
    link(&mut xml, "alternate", "text/html", &format!("{root}news/"));
    if let Some(base) = base {
        link(
            &mut xml,
            "self",
            "application/atom+xml",
            &format!("{base}news.xml"),
        );
    }
    for item in items {
        xml.push_str("<entry>\n");
        line(&mut xml, "id", &urn(society, &format!("news/{}", item.id)));
        line(&mut xml, "title", &item.title);
        let when = moment(&item.date).unwrap_or(stamp).to_string();
        line(&mut xml, "published", &when);
        line(&mut xml, "updated", &when);
        link(
            &mut xml,
            "alternate",
            "text/html",
            &format!("{root}news/{}/", item.id),
        );
        xml.push_str(&format!(
            "<content type=\"html\">{}</content>\n",
            escape_markup(&markdown(&item.text))
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_escapes_raw_html() {
        let html =
            markdown("A *b* <script>alert(1)</script> [c](https://example.org/)\n\n<div>x</div>");
        assert_eq!(
            html,
            "<p>A <em>b</em> &lt;script&gt;alert(1)&lt;/script&gt; <a href=\"https://example.org/\">c</a></p>\n&lt;div&gt;x&lt;/div&gt;"
        );
    }

    #[test]
    fn links_that_run_script_lead_nowhere() {
        assert_eq!(
            markdown("[x](javascript:alert(1)) [y](JavaScript:alert(1))"),
            "<p><a href=\"#\">x</a> <a href=\"#\">y</a></p>\n"
        );
    }

    #[test]
    fn a_date_known_to_the_month_is_its_first_moment() {
        assert_eq!(
            moment("2018-06").unwrap().to_string(),
            "2018-06-01T00:00:00Z"
        );
    }
}
