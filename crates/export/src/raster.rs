//! SVG drawn into PNG bytes by resvg, with text set in the one font shipped
//! in the binary.
//!
//! The preview images and the PNG icons are drawn here. The font database
//! holds only DejaVu Sans Bold (`assets/fonts/`, its licence beside it) and
//! never the machine's fonts, so every machine draws the same pixels and the
//! export and the server serve the same bytes.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::ExportError;

/// The font every drawn text is set in.
const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// The family name the font declares, which the drawn SVG asks for.
pub(crate) const FONT_FAMILY: &str = "DejaVu Sans";

/// The font database, made once: it holds the shipped font and nothing else.
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_font_data(FONT.to_vec());
            db.set_sans_serif_family(FONT_FAMILY);
            Arc::new(db)
        })
        .clone()
}

/// Draws `svg` at `width` × `height` pixels (its viewBox scaled to fit) and
/// encodes it as PNG. `what` names the image in an error, which would be a
/// bug in the SVG this crate writes, never bad data.
pub(crate) fn png(svg: &str, width: u32, height: u32, what: &str) -> Result<Vec<u8>, ExportError> {
    let fail = |message: String| ExportError::Draw {
        what: what.to_string(),
        message,
    };
    let pixmap = draw(svg, width, height).map_err(fail)?;
    encode(pixmap).map_err(|e| fail(e.to_string()))
}

/// Draws `svg` at `width` × `height` pixels, its viewBox scaled to fit.
fn draw(svg: &str, width: u32, height: u32) -> Result<tiny_skia::Pixmap, String> {
    let options = usvg::Options {
        fontdb: fonts(),
        font_family: FONT_FAMILY.to_string(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or_else(|| "no pixels to draw".to_string())?;
    let size = tree.size();
    let transform = tiny_skia::Transform::from_scale(
        width as f32 / size.width(),
        height as f32 / size.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    Ok(pixmap)
}

/// `pixmap` as PNG. Deflate was most of an image's cost, so it runs at
/// zlib's level 2 after the Up filter (a preview's rows are mostly the one
/// colour of the row above): measured on a preview, a fifth of tiny-skia's
/// own `encode_png` time for a file a tenth larger, where fdeflate's fastest
/// mode doubled the file. Where every pixel is opaque, as in a preview,
/// premultiplied colour is the straight colour PNG wants and the pixels go
/// as they are; only an image with see-through pixels is demultiplied. The
/// pixels decode the same as `encode_png`'s.
fn encode(pixmap: tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let (width, height) = (pixmap.width(), pixmap.height());
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == u8::MAX);
    let data = if opaque {
        pixmap.take()
    } else {
        pixmap.take_demultiplied()
    };
    // Compressed, a preview is about a fiftieth of its pixels' bytes.
    let mut out = Vec::with_capacity(data.len() / 32);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_deflate_compression(png::DeflateCompression::Level(2));
    encoder.set_filter(png::Filter::Up);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&data)?;
    writer.finish()?;
    Ok(out)
}

/// How wide `text` is when set in the shipped font at `px` pixels, from the
/// glyphs' advances (kerning only ever narrows DejaVu's pairs, so the real
/// line is never wider). A character the font lacks counts as an em.
pub(crate) fn text_width(text: &str, px: f32) -> f32 {
    static METRICS: OnceLock<(f32, Vec<(char, f32)>)> = OnceLock::new();
    let font = FontRef::new(FONT).expect("the shipped font parses");
    let upem = f32::from(
        font.metrics(Size::unscaled(), LocationRef::default())
            .units_per_em,
    );
    let charmap = font.charmap();
    let glyphs = font.glyph_metrics(Size::unscaled(), LocationRef::default());
    // Most text is ASCII: its advances are looked up once.
    let (_, ascii) = METRICS.get_or_init(|| {
        let ascii = (' '..='~')
            .map(|c| (c, advance(&charmap, &glyphs, c, upem)))
            .collect();
        (upem, ascii)
    });
    let ems: f32 = text
        .chars()
        .map(|c| {
            ascii
                .iter()
                .find(|(a, _)| *a == c)
                .map(|(_, w)| *w)
                .unwrap_or_else(|| advance(&charmap, &glyphs, c, upem))
        })
        .sum();
    ems * px
}

/// A character's advance in ems.
fn advance(
    charmap: &skrifa::charmap::Charmap,
    glyphs: &skrifa::metrics::GlyphMetrics,
    c: char,
    upem: f32,
) -> f32 {
    charmap
        .map(c)
        .and_then(|g| glyphs.advance_width(g))
        .map_or(1.0, |w| w / upem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wider_text_measures_wider() {
        let short = text_width("Oslo", 40.0);
        assert!(short > 40.0 && short < 160.0, "{short}");
        assert!(text_width("Oslo meeting", 40.0) > short);
        assert_eq!(text_width("Oslo", 80.0), short * 2.0);
        // Nordic letters are in the font, not counted as missing (an em).
        assert!(text_width("ø", 10.0) < 10.0);
    }

    #[test]
    fn draws_a_png_of_the_asked_size() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5"><rect width="10" height="5" fill="#0b3a66"/><text x="1" y="4" font-size="3" fill="#fff">Å</text></svg>"##;
        let bytes = png(svg, 40, 20, "test").unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let pixmap = tiny_skia::Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((pixmap.width(), pixmap.height()), (40, 20));
        // The text drew: some pixels are white, others the background.
        let white = pixmap
            .pixels()
            .iter()
            .filter(|p| p.red() > 200 && p.green() > 200)
            .count();
        assert!(white > 0 && white < 400, "{white}");
    }

    #[test]
    fn the_fast_encoding_decodes_to_the_pixels_tiny_skia_would_write() {
        // An opaque image (its pixels as they are) and a see-through one
        // (demultiplied, as the icons' rounded corners are).
        for ground in [r##"<rect width="10" height="5" fill="#0b3a66"/>"##, ""] {
            let svg = format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 5">{ground}<circle cx="5" cy="2.5" r="2" fill="#cfe0f1" opacity="0.7"/><text x="1" y="4" font-size="3" fill="#fff">Åø</text></svg>"##
            );
            let drawn = draw(&svg, 60, 30).unwrap();
            let reference = tiny_skia::Pixmap::decode_png(&drawn.encode_png().unwrap()).unwrap();
            let ours = tiny_skia::Pixmap::decode_png(&encode(drawn).unwrap()).unwrap();
            assert_eq!(ours.data(), reference.data(), "ground {ground:?}");
        }
    }
}
