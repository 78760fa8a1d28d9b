//! The committee page's map: simplified Nordic outlines, each country with
//! members marked by its flag and its number of members as text.
//!
//! The outlines come from Natural Earth (public domain), converted once by
//! `assets/map/convert.py`; see `assets/map/README.md`.

use std::collections::BTreeMap;

use nspm_core::Country;
use serde::Serialize;

const OUTLINES: &str = include_str!("../../assets/map/outlines.tsv");
/// The land around them (Greenland, the British Isles, the Baltic's southern
/// and eastern shores), cut to the frame: drawn for context, never marked.
const NEIGHBOURS: &str = include_str!("../../assets/map/neighbours.tsv");

/// The width and height of the outlines' frame, as the converter drew it.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 272.8;

/// What the map template draws.
#[derive(Debug, Serialize)]
pub(crate) struct MapView {
    pub width: f64,
    pub height: f64,
    /// The neighbours' outlines, as SVG path data.
    pub neighbours: Vec<&'static str>,
    pub shapes: Vec<Shape>,
    pub marks: Vec<Mark>,
}

#[derive(Debug, Serialize)]
pub struct Shape {
    pub code: &'static str,
    pub d: &'static str,
    pub members: bool,
}

/// A country's flag and count, placed on the country.
#[derive(Debug, Serialize)]
pub struct Mark {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    /// The flag's top left corner; the flag sits left of the label point.
    pub flag_x: f64,
    pub flag_y: f64,
    /// The count's baseline start, right of the label point.
    pub text_x: f64,
    pub text_y: f64,
}

/// The countries the map draws, by ISO code.
pub fn drawn() -> impl Iterator<Item = &'static str> {
    rows().map(|(code, ..)| code)
}

fn rows() -> impl Iterator<Item = (&'static str, f64, f64, &'static str)> {
    OUTLINES
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let mut fields = line.split('\t');
            let mut next = || fields.next().expect("outlines.tsv has four fields a line");
            let code = next();
            let x = next().parse().expect("outlines.tsv has numeric label x");
            let y = next().parse().expect("outlines.tsv has numeric label y");
            (code, x, y, next())
        })
}

fn neighbours() -> impl Iterator<Item = (&'static str, &'static str)> {
    NEIGHBOURS
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            line.split_once('\t')
                .expect("neighbours.tsv has two fields a line")
        })
}

/// The map for these member counts by country.
pub fn view(counts: &BTreeMap<Country, usize>) -> MapView {
    let count_of = |code: &str| {
        counts
            .iter()
            .find(|(c, _)| c.code() == code)
            .map(|(c, n)| (*c, *n))
    };
    let mut shapes = Vec::new();
    let mut marks = Vec::new();
    for (code, x, y, d) in rows() {
        let found = count_of(code);
        shapes.push(Shape {
            code,
            d,
            members: found.is_some(),
        });
        if let Some((country, count)) = found {
            marks.push(Mark {
                code: country.code(),
                name: country.name(),
                count,
                flag_x: tenths(x - 20.0),
                flag_y: tenths(y - 7.0),
                text_x: tenths(x + 1.0),
                text_y: tenths(y + 4.0),
            });
        }
    }
    MapView {
        width: WIDTH,
        height: HEIGHT,
        neighbours: neighbours().map(|(_, d)| d).collect(),
        shapes,
        marks,
    }
}

/// A coordinate rounded to a tenth, so that the SVG reads `238.9`.
fn tenths(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Whether a flag is drawn here for this country.
pub(crate) fn has_flag(code: &str) -> bool {
    design(code).is_some()
}

/// How a flag is drawn, simplified to an 18 × 12 box.
enum Design {
    /// A Nordic cross on a field, optionally with a narrower cross inside.
    Cross {
        field: &'static str,
        cross: &'static str,
        inner: Option<&'static str>,
    },
    /// Horizontal stripes of equal height, top to bottom.
    Stripes(&'static [&'static str]),
    /// Stripes with a plain canton, top left.
    Canton {
        stripes: &'static [&'static str],
        canton: &'static str,
    },
}

fn design(code: &str) -> Option<Design> {
    let cross = |field, cross, inner| Design::Cross {
        field,
        cross,
        inner,
    };
    Some(match code {
        "DK" => cross("#c8102e", "#ffffff", None),
        "SE" => cross("#006aa7", "#fecc00", None),
        "FI" => cross("#ffffff", "#002f6c", None),
        "NO" => cross("#ba0c2f", "#ffffff", Some("#00205b")),
        "IS" => cross("#02529c", "#ffffff", Some("#dc1e35")),
        "EE" => Design::Stripes(&["#0072ce", "#000000", "#ffffff"]),
        "US" => Design::Canton {
            stripes: &[
                "#b22234", "#ffffff", "#b22234", "#ffffff", "#b22234", "#ffffff", "#b22234",
            ],
            canton: "#3c3b6e",
        },
        _ => return None,
    })
}

/// An SVG `<symbol id="flag-XX">` for each of these countries that has a
/// flag drawn here; pages use them with `<use href="#flag-XX">`.
pub(crate) fn flag_symbols<'a>(codes: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for code in codes {
        let Some(design) = design(code) else { continue };
        out.push_str(&format!(
            "<symbol id=\"flag-{code}\" viewBox=\"0 0 18 12\">"
        ));
        match design {
            Design::Cross {
                field,
                cross,
                inner,
            } => {
                out.push_str(&rect(0.0, 0.0, 18.0, 12.0, field));
                out.push_str(&rect(5.0, 0.0, 3.0, 12.0, cross));
                out.push_str(&rect(0.0, 4.5, 18.0, 3.0, cross));
                if let Some(inner) = inner {
                    out.push_str(&rect(5.75, 0.0, 1.5, 12.0, inner));
                    out.push_str(&rect(0.0, 5.25, 18.0, 1.5, inner));
                }
            }
            Design::Stripes(colours) => out.push_str(&stripes(colours)),
            Design::Canton {
                stripes: colours,
                canton,
            } => {
                out.push_str(&stripes(colours));
                out.push_str(&rect(0.0, 0.0, 8.0, 12.0 * 4.0 / 7.0, canton));
            }
        }
        // A thin edge keeps the white parts of a flag apart from the page.
        out.push_str(
            "<rect x=\"0.25\" y=\"0.25\" width=\"17.5\" height=\"11.5\" fill=\"none\" stroke=\"#595959\" stroke-width=\"0.5\"/>",
        );
        out.push_str("</symbol>");
    }
    out
}

fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str) -> String {
    format!("<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" fill=\"{fill}\"/>")
}

/// Horizontal stripes of equal height filling the flag, top to bottom.
fn stripes(colours: &[&str]) -> String {
    let h = 12.0 / colours.len() as f64;
    colours
        .iter()
        .enumerate()
        .map(|(i, colour)| rect(0.0, i as f64 * h, 18.0, h, colour))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlines_cover_the_nordic_countries_and_estonia() {
        let codes: Vec<_> = drawn().collect();
        assert_eq!(codes, ["DK", "EE", "FI", "IS", "NO", "SE"]);
        for (_, x, y, d) in rows() {
            assert!((0.0..=WIDTH).contains(&x) && (0.0..=HEIGHT).contains(&y));
            assert!(d.starts_with('M') && d.ends_with('Z'));
        }
    }

    #[test]
    fn the_neighbours_lie_around_them_within_the_frame() {
        let codes: Vec<_> = neighbours().map(|(code, _)| code).collect();
        assert_eq!(
            codes,
            ["BY", "DE", "GB", "GL", "IE", "LT", "LV", "PL", "RU"]
        );
        for (code, d) in neighbours() {
            assert!(d.starts_with('M') && d.ends_with('Z'), "{code}");
            for number in d.split(['M', 'L', 'Z', ' ']).filter(|n| !n.is_empty()) {
                let n: f64 = number.parse().unwrap();
                assert!((0.0..=WIDTH).contains(&n), "{code}: {n}");
            }
        }
    }

    #[test]
    fn every_drawn_country_has_a_flag() {
        for code in drawn() {
            assert!(flag_symbols([code]).contains(&format!("id=\"flag-{code}\"")));
        }
        assert_eq!(flag_symbols(["XX"]), "");
    }
}
