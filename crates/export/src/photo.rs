//! People's photos in the sizes the exports need: each size a person's
//! page shows ([`Photo::page_sizes`]: 160, 320 and 480 pixels wide, for
//! screens of one to three device pixels to the CSS pixel) as JPEG and as
//! WebP, and a small JPEG for the contact cards.
//!
//! They are made once per load of the data and kept with the photo
//! ([`Photo::renditions`]), so that the site, the members' pages, the card
//! files and the address books share them: the site makes them all at
//! once on rayon's pool before its pages, a front end that
//! writes cards alone makes each when its card is first written.
//!
//! WebP is lossy, by libwebp (the `webp` crate): the `image` crate encodes
//! WebP only losslessly, and a lossless photo is several times larger
//! than its JPEG, which would make the "smaller" format the larger one.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::{self, FilterType};
use image::{DynamicImage, Rgb, RgbImage};
use nspm_core::Person;
use nspm_core::photo::{Encoded, Photo, page_file};

use crate::{ExportError, Page};

/// JPEG quality for every size: photos of faces at this size show no
/// blocks at 82, and each step above costs some tenth more bytes.
const JPEG_QUALITY: u8 = 82;

/// libwebp's quality, which looks as good as JPEG's 82 at fewer bytes.
const WEBP_QUALITY: f32 = 78.0;

/// The longest side of the photo in a contact card. Address books show a
/// contact's photo at most a few hundred pixels wide, and every card file
/// holds it in base64: 256 pixels keep a card some 15 KB.
pub const CARD_SIDE: u32 = 256;

const PAGE: &str = "page";
const CARD: &str = "card";

/// The MIME types of the files made.
pub const JPEG: &str = "image/jpeg";
pub const WEBP: &str = "image/webp";

/// Every size of a person's photo, made the first time it is asked for.
/// None for a person without one.
pub(crate) fn renditions(person: &Person) -> Result<Option<&[Encoded]>, ExportError> {
    let Some(photo) = &person.photo else {
        return Ok(None);
    };
    photo
        .renditions(make)
        .map(Some)
        .map_err(|message| ExportError::Photo {
            person: person.id.to_string(),
            file: photo.path().to_string(),
            message: message.to_string(),
        })
}

/// The files a person's page shows their photo from, by URL path under
/// `folder` (the page's own: `/people/ID/`), with their content types.
pub(crate) fn page_files(
    person: &Person,
    folder: &str,
) -> Result<Vec<(String, Page)>, ExportError> {
    let Some(list) = renditions(person)? else {
        return Ok(Vec::new());
    };
    Ok(list
        .iter()
        .filter(|e| e.purpose == PAGE)
        .map(|e| {
            let extension = if e.mime == WEBP { "webp" } else { "jpg" };
            let path = format!("{folder}{}", page_file(e.width, extension));
            let page = Page {
                bytes: e.bytes.clone(),
                content_type: e.mime,
            };
            (path, page)
        })
        .collect())
}

/// The card's JPEG of a person's photo, when they have one and it could
/// be made (the site, which is built first, reports one that cannot).
pub fn card_jpeg(person: &Person) -> Option<&[u8]> {
    let list = renditions(person).ok()??;
    list.iter()
        .find(|e| e.purpose == CARD)
        .map(|e| e.bytes.as_slice())
}

/// Makes the sizes of one photo: decoded once, scaled down to the widest
/// page size, and every smaller size (and the card's) scaled from that,
/// which is as sharp at these sizes and a fraction of the work.
fn make(photo: &Photo) -> Result<Vec<Encoded>, String> {
    let decoded = photo.decode().map_err(|e| format!("the photo {e}"))?;
    let upright = flatten(decoded);
    let sizes = photo.page_sizes();
    let Some(&(widest, widest_height)) = sizes.last() else {
        return Err("the photo has no size to show".into());
    };
    let base = scale(&upright, widest, widest_height);
    let mut out = Vec::with_capacity(sizes.len() * 2 + 1);
    for &(width, height) in &sizes {
        let image = if width == widest {
            base.clone()
        } else {
            scale(&base, width, height)
        };
        out.push(encoded(PAGE, JPEG, &image, jpeg(&image)?));
        out.push(encoded(PAGE, WEBP, &image, webp(&image)?));
    }
    let (w, h) = base.dimensions();
    let (card_w, card_h) = if w.max(h) <= CARD_SIDE {
        (w, h)
    } else if w >= h {
        (CARD_SIDE, nspm_core::photo::scaled(h, CARD_SIDE, w))
    } else {
        (nspm_core::photo::scaled(w, CARD_SIDE, h), CARD_SIDE)
    };
    let card = scale(&base, card_w, card_h);
    out.push(encoded(CARD, JPEG, &card, jpeg(&card)?));
    Ok(out)
}

fn encoded(purpose: &'static str, mime: &'static str, image: &RgbImage, bytes: Vec<u8>) -> Encoded {
    Encoded {
        purpose,
        mime,
        width: image.width(),
        height: image.height(),
        bytes,
    }
}

/// The photo as RGB, a transparent part shown on white, as the page is.
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over_white = |c: u8| {
            let (c, a) = (u32::from(c), u32::from(a));
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        Rgb([over_white(r), over_white(g), over_white(b)])
    })
}

/// `image` scaled to `width`×`height`; the same image when it has that size.
fn scale(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    if image.dimensions() == (width, height) {
        return image.clone();
    }
    imageops::resize(image, width, height, FilterType::Lanczos3)
}

fn jpeg(image: &RgbImage) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|e| format!("cannot encode the photo as JPEG: {e}"))?;
    Ok(out.into_inner())
}

fn webp(image: &RgbImage) -> Result<Vec<u8>, String> {
    webp::Encoder::from_rgb(image.as_raw(), image.width(), image.height())
        .encode_simple(false, WEBP_QUALITY)
        .map(|memory| memory.to_vec())
        .map_err(|e| format!("cannot encode the photo as WebP: {e:?}"))
}
