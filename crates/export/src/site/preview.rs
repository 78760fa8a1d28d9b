//! The preview image of each page, which sites and chat apps show beside a
//! shared link (Open Graph's `og:image`, Twitter's large summary card): the
//! society's name and the page's title on the banner's colour, 1200 × 630
//! pixels, drawn as PNG by `raster`.

use crate::ExportError;
use crate::raster::{self, FONT_FAMILY, text_width};

/// The size Open Graph and Twitter's large card ask for.
pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 630;

/// The space the title is set in: left and right margins, and the top and
/// bottom of its block, in pixels.
const MARGIN: f32 = 80.0;
const TITLE_TOP: f32 = 220.0;
const TITLE_BOTTOM: f32 = 560.0;
/// The title's sizes, largest first: a long title is set smaller, and at
/// the smallest size what still does not fit ends in an ellipsis.
const TITLE_SIZES: [f32; 6] = [80.0, 72.0, 64.0, 56.0, 48.0, 40.0];
const LINE_HEIGHT: f32 = 1.2;
/// The society's name above the title, beside the logo, shrunk to one line.
const NAME_X: f32 = 168.0;
const NAME_SIZES: [f32; 5] = [36.0, 32.0, 28.0, 24.0, 20.0];

/// Where a page's preview image is: `/` → `/preview/home.png`,
/// `/people/x/` → `/preview/people/x.png`, `/404.html` → `/preview/404.png`.
pub fn path_for(page: &str) -> String {
    let name = page.trim_matches('/');
    let name = name.strip_suffix(".html").unwrap_or(name);
    let name = if name.is_empty() { "home" } else { name };
    ["/preview/", name, ".png"].concat()
}

/// The preview image of a page titled `title` on the site of `society`
/// (its full name), as PNG bytes.
pub fn image(society: &str, title: &str) -> Result<Vec<u8>, ExportError> {
    raster::png(
        &svg(society, title),
        WIDTH,
        HEIGHT,
        &format!("the preview of {title}"),
    )
}

/// The preview as SVG, its text laid out in lines that fit.
fn svg(society: &str, title: &str) -> String {
    let width = WIDTH as f32 - 2.0 * MARGIN;
    let (name_size, name) = fit(society, WIDTH as f32 - NAME_X - MARGIN, &NAME_SIZES, 1);
    let (size, lines) = fit(title, width, &TITLE_SIZES, usize::MAX);
    let mut out = format!(
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" font-family="{family}" font-weight="bold">"##,
            r##"<rect width="{w}" height="{h}" fill="#0b3a66"/>"##,
            // The favicon's cross, reversed out of a white tile.
            r##"<rect x="80" y="72" width="64" height="64" rx="12" fill="#ffffff"/>"##,
            r##"<rect x="98" y="80" width="10" height="48" fill="#0b3a66"/>"##,
            r##"<rect x="88" y="99" width="48" height="10" fill="#0b3a66"/>"##,
            r##"<rect y="{band}" width="{w}" height="24" fill="#cfe0f1"/>"##,
        ),
        w = WIDTH,
        h = HEIGHT,
        family = FONT_FAMILY,
        band = HEIGHT - 24,
    );
    for line in &name {
        out.push_str(&format!(
            r##"<text x="{NAME_X}" y="{y}" font-size="{name_size}" fill="#cfe0f1">{}</text>"##,
            super::escape_markup(line),
            y = 104.0 + name_size * 0.36,
        ));
    }
    let mut y = TITLE_TOP + size;
    for line in &lines {
        out.push_str(&format!(
            r##"<text x="{MARGIN}" y="{y}" font-size="{size}" fill="#ffffff">{}</text>"##,
            super::escape_markup(line)
        ));
        y += size * LINE_HEIGHT;
    }
    out.push_str("</svg>");
    out
}

/// `text` in lines no wider than `width`, at the first of `sizes` at which
/// it fits in the title's block and in at most `max_lines`; at the last size
/// the lines that do not fit are dropped and the last kept ends in "…".
fn fit(text: &str, width: f32, sizes: &[f32], max_lines: usize) -> (f32, Vec<String>) {
    let block = TITLE_BOTTOM - TITLE_TOP;
    for (i, &size) in sizes.iter().enumerate() {
        let room = (((block - size) / (size * LINE_HEIGHT)) as usize + 1).min(max_lines);
        let mut lines = wrap(text, width, size);
        if lines.len() <= room {
            return (size, lines);
        }
        if i + 1 == sizes.len() {
            lines.truncate(room);
            if let Some(last) = lines.last_mut() {
                *last = with_ellipsis(last, width, size);
            }
            return (size, lines);
        }
    }
    unreachable!("sizes is never empty")
}

/// Greedy wrapping at spaces; a word wider than a line is broken between
/// characters.
fn wrap(text: &str, width: f32, size: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if text_width(&joined, size) <= width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            line.push(c);
            if text_width(&line, size) > width {
                line.pop();
                lines.push(std::mem::take(&mut line));
                line.push(c);
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// `line` shortened from its end until it fits with "…" after it.
fn with_ellipsis(line: &str, width: f32, size: f32) -> String {
    let mut kept: String = line.to_string();
    loop {
        let candidate = format!("{}…", kept.trim_end());
        if kept.is_empty() || text_width(&candidate, size) <= width {
            return candidate;
        }
        kept.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "Nordic Society for Precision Medicine";

    #[test]
    fn paths() {
        assert_eq!(path_for("/"), "/preview/home.png");
        assert_eq!(path_for("/committee/"), "/preview/committee.png");
        assert_eq!(path_for("/people/ole-a/"), "/preview/people/ole-a.png");
        assert_eq!(path_for("/404.html"), "/preview/404.png");
    }

    #[test]
    fn a_short_title_is_set_large_on_one_line() {
        let (size, lines) = fit("Contact", 1040.0, &TITLE_SIZES, usize::MAX);
        assert_eq!((size, lines), (80.0, vec!["Contact".to_string()]));
    }

    #[test]
    fn a_long_title_wraps_then_shrinks_and_never_overflows() {
        let long = "The first joint meeting of the Nordic Precision Medicine Initiative \
            with the national biobanks of Denmark, Finland, Iceland, Norway and Sweden, \
            on the ethics of sharing genomic data across borders";
        let (size, lines) = fit(long, 1040.0, &TITLE_SIZES, usize::MAX);
        assert!(size < 80.0, "{size}");
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, size) <= 1040.0));
        let bottom = TITLE_TOP + size + (lines.len() - 1) as f32 * size * LINE_HEIGHT;
        assert!(bottom <= TITLE_BOTTOM, "{bottom}");
        // Nothing is lost when it fits: every word is there, in order.
        assert_eq!(
            lines.join(" "),
            long.split_whitespace().collect::<Vec<_>>().join(" ")
        );
    }

    #[test]
    fn a_title_too_long_for_any_size_ends_in_an_ellipsis() {
        let endless = "precision ".repeat(200);
        let (size, lines) = fit(&endless, 1040.0, &TITLE_SIZES, usize::MAX);
        assert_eq!(size, 40.0);
        assert!(lines.last().unwrap().ends_with('…'));
        assert!(lines.iter().all(|l| text_width(l, size) <= 1040.0));
        let one_word = "x".repeat(500);
        let (_, lines) = fit(&one_word, 1040.0, &TITLE_SIZES, usize::MAX);
        assert!(lines.iter().all(|l| text_width(l, 40.0) <= 1040.0));
    }

    #[test]
    fn markup_in_a_title_is_text() {
        let svg = svg(NAME, "R&D <b>");
        assert!(svg.contains("R&amp;D &lt;b&gt;"));
        image(NAME, "R&D <b>").unwrap();
    }
}
