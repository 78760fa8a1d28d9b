//! The website: every page, download and asset, rendered once.
//!
//! [`Site::build`] renders the whole site from a [`Society`] into an ordered
//! map from URL path to bytes. It is the one render pipeline: the static
//! export writes each entry to the file [`Site::files`] names (nspm-store
//! does the writing; this crate does no file I/O) and the server answers
//! each request by looking its path up, so both give the same bytes.
//!
//! Only what the public may see goes into a [`Site`]: every person goes
//! through [`PersonView`](nspm_core::view::PersonView) with [`Audience::Public`](nspm_core::Audience::Public), so a
//! members-only detail cannot reach its pages, cards or calendars. The
//! members' side is [`MembersSite`], rendered with
//! [`Audience::Members`](nspm_core::Audience::Members) for the server alone and never
//! part of an export.
//!
//! Links between pages are relative (`../../committee/`), so the export works
//! from any folder and on any host. When the data sets a base URL, each page
//! also gets a canonical link and JSON-LD URLs, the meetings page offers a
//! `webcal://` subscription, and `/sitemap.xml` lists every page. Without a
//! base URL there is no sitemap at all: the sitemap protocol allows only
//! absolute URLs, so an honest sitemap cannot be written without one, and
//! `/robots.txt` then names none.
//!
//! ```
//! use nspm_core::Society;
//! use nspm_export::{Site, SiteOptions, site::content_type, stamp_from};
//!
//! let society = Society::load_embedded().unwrap();
//! let stamp = stamp_from(&society, None).unwrap();
//! let today = nspm_core::PartialDate::parse("2026-01-01").unwrap();
//! let site = Site::build(&society, &SiteOptions { stamp, today }).unwrap();
//! let page = site.get("/committee/").unwrap();
//! assert_eq!(page.content_type, content_type::HTML);
//! assert_eq!(site.get("/calendar.ics").unwrap().content_type, content_type::CALENDAR);
//! // The static export writes `/committee/` as `committee/index.html`.
//! assert_eq!(Site::file_for("/committee/").to_str(), Some("committee/index.html"));
//! ```

pub mod add_to_calendar;
mod icons;
mod jsonld;
mod map;
pub mod members;
mod news;
mod pages;
pub mod preview;
mod qr;
mod templates;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use nspm_core::{PartialDate, Society, Timestamp};

use crate::ExportError;
pub use members::{MembersForms, MembersSite};
pub use pages::thread_cpu;

/// The content types the site serves, with their character sets.
pub mod content_type {
    pub const HTML: &str = "text/html; charset=utf-8";
    pub(crate) const CSS: &str = "text/css; charset=utf-8";
    pub(crate) const SVG: &str = "image/svg+xml";
    pub const PNG: &str = "image/png";
    pub const JPEG: &str = crate::photo::JPEG;
    pub const WEBP: &str = crate::photo::WEBP;
    pub const MANIFEST: &str = "application/manifest+json";
    pub const XML: &str = "application/xml; charset=utf-8";
    pub const ATOM: &str = "application/atom+xml; charset=utf-8";
    pub const TEXT: &str = "text/plain; charset=utf-8";
    pub const CALENDAR: &str = "text/calendar; charset=utf-8";
    pub const VCARD: &str = "text/vcard; charset=utf-8";

    /// Whether a resource of this type is an image (drawn, like the preview
    /// images and QR codes, or resized, like the photos), not text.
    pub fn is_image(content_type: &str) -> bool {
        content_type.starts_with("image/")
    }
}

/// One resource of the site, ready to serve: its bytes as written to a
/// file. Compressing them is the server's business (`nspm-server` makes its
/// gzip and brotli copies once per load); the static export has none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

/// What the site needs beyond the society's data.
#[derive(Clone, Debug)]
pub struct SiteOptions {
    /// When the calendars say they were made (their DTSTAMP); fixed by the
    /// caller so that the same data always gives the same bytes.
    pub stamp: Timestamp,
    /// The day the site is made for: meetings not over by then lead the
    /// home and meetings pages as upcoming. Fixed by the caller (the
    /// command line takes `--today`, `SOURCE_DATE_EPOCH` or the clock), so
    /// the same data and day always give the same bytes.
    pub today: PartialDate,
}

/// Every resource of the website by URL path (`/`, `/people/ole-andreassen/`,
/// `/style.css`), in path order.
#[derive(Clone, Debug)]
pub struct Site {
    pages: BTreeMap<String, Page>,
}

/// The path of the page shown for any URL the site does not have.
pub const NOT_FOUND: &str = "/404.html";

/// Told how far [`Site::build_reporting`] has got, once a job: how many
/// jobs are done and how many there are. The site is made in two passes
/// with a job each per record: first the pages, a record's page with what
/// goes with it (a person's page and card, say) or the pages of which the
/// site has one; then those pages' preview images. It is called from
/// whichever of the pool's threads did the job, so the calls may come out
/// of order; the one whose `done` is `jobs / 2` comes after every page is
/// rendered and before any preview is drawn, and the one whose `done` is
/// `jobs` after every job has finished, unless a job failed.
pub type Progress<'a> = &'a (dyn Fn(&Done) + Sync);

/// What [`Progress`] is told after each job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Done {
    /// The jobs finished so far, this one included.
    pub done: usize,
    /// All the jobs there are.
    pub jobs: usize,
    /// The preview images drawn so far, and the CPU time the threads that
    /// drew them spent on it, summed (where the system has no thread CPU
    /// clock, the time on the wall). Drawing a preview costs far more than
    /// rendering its page, so a front end that reports where the time goes
    /// names this share apart. Complete in the call whose `done` is `jobs`.
    pub previews: usize,
    pub preview_cpu: Duration,
    /// The same for the QR codes of the cards' addresses, the other images
    /// drawn with the pages (one a person's page, and the contact page's).
    pub qr_codes: usize,
    pub qr_cpu: Duration,
    /// The same for people's photos, each resized and encoded in all its
    /// sizes (before any page job; complete in every call).
    pub photos: usize,
    pub photo_cpu: Duration,
}

impl Site {
    pub fn build(society: &Society, options: &SiteOptions) -> Result<Site, ExportError> {
        Site::build_reporting(society, options, &|_| {})
    }

    /// [`Site::build`], telling `progress` as each job is done, for a front
    /// end that shows how far a large site has got. The site is the same.
    pub fn build_reporting(
        society: &Society,
        options: &SiteOptions,
        progress: Progress<'_>,
    ) -> Result<Site, ExportError> {
        let pages = pages::render_all(society, options, progress)?;
        Ok(Site { pages })
    }

    /// The resource at a URL path, such as `/meetings/oslo-2016/`.
    pub fn get(&self, path: &str) -> Option<&Page> {
        self.pages.get(path)
    }

    /// The page to send, with status 404, for a path the site lacks.
    pub fn not_found(&self) -> &Page {
        &self.pages[NOT_FOUND]
    }

    /// Every resource, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Page)> {
        self.pages.iter().map(|(path, page)| (path.as_str(), page))
    }

    /// Every resource, in path order, taken out of the site: a server that
    /// keeps the bytes moves them instead of holding a second copy.
    pub fn into_pages(self) -> impl Iterator<Item = (String, Page)> {
        self.pages.into_iter()
    }

    pub fn len(&self) -> usize {
        self.pages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Where a URL path lives in a static export: `/` is `index.html`,
    /// `/committee/` is `committee/index.html`, `/style.css` is `style.css`.
    pub fn file_for(path: &str) -> PathBuf {
        let relative = path.trim_start_matches('/');
        if relative.is_empty() || relative.ends_with('/') {
            PathBuf::from(format!("{relative}index.html"))
        } else {
            PathBuf::from(relative)
        }
    }

    /// Every resource as a static export holds it: the file
    /// ([`Site::file_for`]) and its bytes, in path order.
    pub fn files(&self) -> impl Iterator<Item = (PathBuf, &[u8])> {
        self.pages
            .iter()
            .map(|(path, page)| (Site::file_for(path), page.bytes.as_slice()))
    }
}

/// The ASCII characters a kind of output escapes, each with what it is
/// written as instead.
pub(crate) struct Escapes(&'static [(u8, &'static str)]);

/// What HTML and XML need escaped in content and quoted attributes. Unlike
/// minijinja's own escaping it leaves `/` alone: neither language needs it
/// escaped, and `../people/` reads better than `..&#x2f;people&#x2f;`.
const MARKUP: Escapes = Escapes(&[
    (b'&', "&amp;"),
    (b'<', "&lt;"),
    (b'>', "&gt;"),
    (b'"', "&quot;"),
    (b'\'', "&#39;"),
]);

impl Escapes {
    fn replacement(&self, b: u8) -> Option<&'static str> {
        self.0.iter().find(|(c, _)| *c == b).map(|(_, r)| *r)
    }

    /// Whether any byte of `word` may be one to escape: never false when
    /// one is (it may be true when none is, after one that is).
    fn may_hold(&self, word: u64) -> bool {
        const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
        const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
        let mut found = 0;
        for (c, _) in self.0 {
            // A byte of `x` is zero where `word` holds `c`; the classic test
            // for a zero byte sets its high bit.
            let x = word ^ (ONES * u64::from(*c));
            found |= x.wrapping_sub(ONES) & !x & HIGHS;
        }
        found != 0
    }
}

/// Writes `text` to `out` with each character that `escapes` names
/// swapped for its replacement; the one escaping loop behind HTML, XML and
/// JSON-LD output. The runs between those characters are copied whole,
/// which matters on pages that escape every value they show, and the text
/// is looked through eight bytes at a time: most values hold nothing to
/// escape, and a byte at a time this loop was the largest single cost of
/// rendering a page.
fn escape_into(out: &mut impl std::fmt::Write, text: &str, escapes: &Escapes) -> std::fmt::Result {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = bytes[i..].first_chunk::<8>()
            && !escapes.may_hold(u64::from_ne_bytes(*word))
        {
            i += 8;
            continue;
        }
        // A word that may hold one, or the last few bytes.
        let end = (i + 8).min(bytes.len());
        for at in i..end {
            // Only ASCII is ever replaced, so `at` is always a character
            // boundary when there is a replacement.
            if let Some(r) = escapes.replacement(bytes[at]) {
                out.write_str(&text[start..at])?;
                out.write_str(r)?;
                start = at + 1;
            }
        }
        i = end;
    }
    out.write_str(&text[start..])
}

/// Text safe in HTML or XML content and quoted attributes.
fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing to a String cannot fail.
    let _ = escape_into(&mut out, text, &MARKUP);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Escaping as the byte-at-a-time loop did it, to check the faster one
    /// against.
    fn escaped_slowly(text: &str, escapes: &Escapes) -> String {
        text.chars()
            .map(
                |c| match u8::try_from(c).ok().and_then(|b| escapes.replacement(b)) {
                    Some(r) => r.to_string(),
                    None => c.to_string(),
                },
            )
            .collect()
    }

    #[test]
    fn escaping_finds_every_character_wherever_it_falls_in_a_word() {
        // Each character to escape, and none, at every place in and across
        // the eight-byte words, among ASCII and longer characters.
        for special in ["&", "<", ">", "\"", "'", ""] {
            for at in 0..20 {
                for filler in ["a", "é", "日", "/.:"] {
                    let mut text = filler.repeat(at);
                    text.push_str(special);
                    text.push_str(&filler.repeat(19 - at));
                    text.push_str(special);
                    assert_eq!(
                        escape_markup(&text),
                        escaped_slowly(&text, &MARKUP),
                        "{text:?}"
                    );
                }
            }
        }
        let every: String = (0..=0x7f_u8)
            .map(char::from)
            .chain(['é', '\u{2028}'])
            .collect();
        assert_eq!(escape_markup(&every), escaped_slowly(&every, &MARKUP));
        assert_eq!(escape_markup("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }

    #[test]
    fn file_names() {
        assert_eq!(Site::file_for("/"), PathBuf::from("index.html"));
        assert_eq!(
            Site::file_for("/people/ole-andreassen/"),
            PathBuf::from("people/ole-andreassen/index.html")
        );
        assert_eq!(
            Site::file_for("/meetings/oslo-2016.ics"),
            PathBuf::from("meetings/oslo-2016.ics")
        );
    }
}
