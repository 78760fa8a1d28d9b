//! QR codes of the contact cards' addresses, which a phone's camera turns
//! into a link to download the card. The symbol comes from the `fast_qr`
//! crate (byte mode, error correction level M, the mask its penalty rules
//! choose); it is drawn here as SVG, one unit a module, with the standard's
//! quiet zone of four modules, each row's dark runs one subpath; the page
//! scales it up.

use std::fmt::Write;

use fast_qr::{ECL, QRBuilder};
use serde::Serialize;

use crate::ExportError;

/// How many CSS pixels a module is drawn at on the page: enough for a phone
/// to read from a screen at arm's length.
const MODULE_PX: u32 = 4;

/// The light border the standard asks for around a symbol, in modules.
const QUIET_ZONE: usize = 4;

/// A QR code as a page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Code {
    /// Where the image is, below the site's root (`qr/people/x.svg`).
    pub src: String,
    /// The address it encodes, shown beside it too.
    pub url: String,
    /// Its width and height on the page, in CSS pixels.
    pub size: u32,
}

/// The SVG of a QR code for `url`, and the code as a page shows it from
/// `path` (the image's URL path).
pub fn code(url: &str, path: &str) -> Result<(String, Code), ExportError> {
    let symbol = QRBuilder::new(url.as_bytes())
        .ecl(ECL::M)
        .build()
        .map_err(|e| ExportError::Draw {
            what: format!("the QR code of {url}"),
            message: e.to_string().to_lowercase(),
        })?;
    let modules = symbol.size;
    let dark = |x: usize, y: usize| symbol.data[y * modules + x].value();
    let image = svg(modules, dark);
    let size = (modules + 2 * QUIET_ZONE) as u32 * MODULE_PX;
    Ok((
        image,
        Code {
            src: path.trim_start_matches('/').to_string(),
            url: url.to_string(),
            size,
        },
    ))
}

/// A square symbol of `modules` × `modules`, dark where `dark` says, as SVG
/// on a white ground with the quiet zone around it.
fn svg(modules: usize, dark: impl Fn(usize, usize) -> bool) -> String {
    let side = modules + 2 * QUIET_ZONE;
    // The head and foot are under 256 bytes; the path takes about 3.5
    // bytes a module (4,100 bytes in all for a card's 33 × 33 symbol).
    let mut out = String::with_capacity(256 + 4 * modules * modules);
    let _ = write!(
        out,
        concat!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">"##,
            r##"<rect width="{side}" height="{side}" fill="#fff"/><path fill="#000" d=""##,
        ),
        side = side
    );
    // The numbers are written by itoa: through `write!` they took more
    // CPU than choosing the symbol's mask.
    let mut number = itoa::Buffer::new();
    for y in 0..modules {
        let mut x = 0;
        while x < modules {
            if !dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < modules && dark(x, y) {
                x += 1;
            }
            // `M{x} {y}h{run}v1h-{run}z`.
            out.push('M');
            out.push_str(number.format(start + QUIET_ZONE));
            out.push(' ');
            out.push_str(number.format(y + QUIET_ZONE));
            out.push('h');
            out.push_str(number.format(x - start));
            out.push_str("v1h-");
            out.push_str(number.format(x - start));
            out.push('z');
        }
    }
    out.push_str(r#""/></svg>"#);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rows_dark_runs_are_one_subpath_inside_the_quiet_zone() {
        // A 3 × 3 symbol: a full top row, a lone middle module, nothing below.
        let pattern = [[true, true, true], [false, true, false], [false; 3]];
        let image = svg(3, |x, y| pattern[y][x]);
        assert!(image.contains(r#"viewBox="0 0 11 11""#), "{image}");
        assert!(
            image.ends_with(r#"d="M4 4h3v1h-3zM5 5h1v1h-1z"/></svg>"#),
            "{image}"
        );
    }

    #[test]
    fn a_card_address_gives_a_symbol_with_its_quiet_zone_at_four_pixels_a_module() {
        let url = "https://nspm.example.org/people/ada-quote/card.vcf";
        let (image, code) = code(url, "/qr/people/ada-quote.svg").unwrap();
        // 50 bytes in byte mode at level M need version 4: 33 modules.
        assert_eq!(code.size, (33 + 8) * 4);
        assert_eq!(code.src, "qr/people/ada-quote.svg");
        assert!(image.contains(r#"viewBox="0 0 41 41""#), "{image}");
        // The three finder patterns start with a run of seven dark modules.
        assert!(image.contains("M4 4h7v1h-7z"), "{image}");
    }
}
