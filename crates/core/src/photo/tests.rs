use std::sync::Arc;

use image::{ImageFormat, Rgb, RgbImage};

use super::*;

/// An image of `width`×`height` with a gradient, encoded as `format`.
pub(crate) fn generated(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128])
    });
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn inspected(bytes: Vec<u8>) -> Result<Photo, PhotoProblem> {
    inspect("photos/x", Arc::from(bytes))
}

#[test]
fn each_format_is_read_with_its_size() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::WebP] {
        let photo = inspected(generated(300, 400, format)).unwrap();
        assert_eq!(photo.size(), (300, 400), "{format:?}");
        assert_eq!(photo.decode().unwrap().width(), 300);
    }
}

#[test]
fn a_cut_off_jpeg_is_refused_though_its_decoder_would_show_it() {
    let jpeg = generated(300, 400, ImageFormat::Jpeg);
    let cut = &jpeg[..jpeg.len() / 2];
    // The decoder alone fills the missing half with grey, without an error.
    let lenient = ImageReader::with_format(Cursor::new(cut), ImageFormat::Jpeg)
        .into_decoder()
        .and_then(DynamicImage::from_decoder);
    assert!(
        lenient.is_ok(),
        "the decoder has become strict: {lenient:?}"
    );
    let problem = inspected(cut.to_vec()).unwrap_err();
    assert!(
        matches!(
            problem,
            PhotoProblem::Undecodable {
                format: PhotoFormat::Jpeg,
                ..
            }
        ),
        "{problem:?}"
    );
}

#[test]
fn sizes_and_shapes_outside_the_limits_are_refused() {
    let too_small = inspected(generated(63, 200, ImageFormat::Png)).unwrap_err();
    assert_eq!(
        too_small,
        PhotoProblem::TooSmall {
            width: 63,
            height: 200
        }
    );
    let banner = inspected(generated(400, 100, ImageFormat::Png)).unwrap_err();
    assert_eq!(
        banner,
        PhotoProblem::Aspect {
            width: 400,
            height: 100
        }
    );
    assert_eq!(
        inspected(b"not an image at all".to_vec()).unwrap_err(),
        PhotoProblem::NotAnImage
    );
}

#[test]
fn a_header_that_claims_too_many_pixels_is_refused_before_decoding() {
    // A PNG header claiming 10,000 × 10,000 pixels, with no pixel data.
    let mut png = generated(64, 64, ImageFormat::Png);
    png[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&10_000u32.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    let problem = inspected(png).unwrap_err();
    assert_eq!(
        problem,
        PhotoProblem::TooManyPixels {
            width: 10_000,
            height: 10_000
        }
    );
}

#[test]
fn page_sizes_never_exceed_the_photo() {
    let sizes = |w, h| {
        inspected(generated(w, h, ImageFormat::Png))
            .unwrap()
            .page_sizes()
    };
    assert_eq!(sizes(900, 1200), [(160, 213), (320, 427), (480, 640)]);
    assert_eq!(sizes(480, 480), [(160, 160), (320, 320), (480, 480)]);
    assert_eq!(sizes(200, 100), [(160, 80), (200, 100)]);
    assert_eq!(sizes(100, 120), [(100, 120)]);
}

#[test]
fn renditions_are_made_once() {
    let photo = inspected(generated(100, 100, ImageFormat::Png)).unwrap();
    let copy = photo.clone();
    let made = std::sync::atomic::AtomicUsize::new(0);
    for p in [&photo, &copy] {
        let list = p
            .renditions(|_| {
                made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Ok(Vec::new())
            })
            .unwrap();
        assert!(list.is_empty());
    }
    assert_eq!(made.into_inner(), 1);
}

/// PNG's CRC-32, for a header changed by hand.
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}
