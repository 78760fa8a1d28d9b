//! The site's icons beyond the SVG favicon, drawn from it with resvg: PNG
//! favicons for browsers that take no SVG, the home-screen icons a web
//! manifest names, Apple's touch icon, and the manifest itself.

use serde_json::json;

use super::content_type;
use super::pages::page_of;
use crate::raster;
use crate::{ExportError, Page};

pub const FAVICON: &str = include_str!("../../assets/favicon.svg");

/// The banner's colour, which the manifest and the pages give as the
/// theme colour.
pub const THEME: &str = "#0b3a66";

/// The PNG icons by path, with their size in pixels.
const PNG_ICONS: [(&str, u32); 3] = [
    ("/favicon-32.png", 32),
    ("/icon-192.png", 192),
    ("/icon-512.png", 512),
];

/// Apple's touch icon: iOS rounds the corners itself and fills transparent
/// ones with black, so it is drawn square.
const APPLE_TOUCH: (&str, u32) = ("/apple-touch-icon.png", 180);

/// Every icon and the manifest, by URL path.
pub fn all(name: &str, short_name: &str) -> Result<Vec<(String, Page)>, ExportError> {
    let mut out = Vec::new();
    for (path, size) in PNG_ICONS {
        let png = raster::png(FAVICON, size, size, path)?;
        out.push((path.to_string(), page_of(png, content_type::PNG)));
    }
    let square = FAVICON.replacen(" rx=\"6\"", "", 1);
    debug_assert_ne!(square, FAVICON, "the favicon's tile has rounded corners");
    let (path, size) = APPLE_TOUCH;
    let png = raster::png(&square, size, size, path)?;
    out.push((path.to_string(), page_of(png, content_type::PNG)));
    out.push((
        "/site.webmanifest".to_string(),
        page_of(
            manifest(name, short_name).into_bytes(),
            content_type::MANIFEST,
        ),
    ));
    Ok(out)
}

/// The web manifest: the icons' addresses are relative to the manifest,
/// so it holds wherever the site is put.
fn manifest(name: &str, short_name: &str) -> String {
    let icons: Vec<_> = PNG_ICONS[1..]
        .iter()
        .map(|(path, size)| {
            json!({
                "src": path.trim_start_matches('/'),
                "sizes": format!("{size}x{size}"),
                "type": "image/png",
            })
        })
        .chain(std::iter::once(json!({
            "src": "favicon.svg",
            "sizes": "any",
            "type": "image/svg+xml",
        })))
        .collect();
    let manifest = json!({
        "name": name,
        "short_name": short_name,
        "start_url": "./",
        "display": "browser",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": icons,
    });
    let mut text = serde_json::to_string_pretty(&manifest).expect("a JSON value serializes");
    text.push('\n');
    text
}
