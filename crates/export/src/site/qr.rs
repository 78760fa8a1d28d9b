//! QR codes of the contact cards' addresses, which a phone's camera turns
//! into a link to download the card. Drawn as SVG by the `qrcode` crate,
//! one unit a module, with the standard's quiet zone of four modules; the
//! page scales it up.

use qrcode::QrCode;
use qrcode::render::svg;
use serde::Serialize;

use crate::ExportError;

/// How many CSS pixels a module is drawn at on the page: enough for a phone
/// to read from a screen at arm's length.
const MODULE_PX: u32 = 4;

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
    let code = QrCode::new(url.as_bytes()).map_err(|e| ExportError::Draw {
        what: format!("the QR code of {url}"),
        message: e.to_string(),
    })?;
    let image = code
        .render::<svg::Color>()
        .module_dimensions(1, 1)
        .quiet_zone(true)
        .build();
    let size = (code.width() as u32 + 8) * MODULE_PX;
    Ok((
        image,
        Code {
            src: path.trim_start_matches('/').to_string(),
            url: url.to_string(),
            size,
        },
    ))
}
