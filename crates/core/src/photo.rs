//! A person's photo: an image file beside the data, named in `people.ron`
//! by its path inside the data directory (`photos/anna-berg.jpg`).
//!
//! Loading reads the file's bytes with the data ([`crate::Sources`]); the
//! check decodes it whole, so that a missing, truncated or otherwise
//! unreadable photo is a problem placed at its field, like any other, and
//! never a surprise of the export. What the exports make of a photo (its
//! sizes, encoded) is kept with it ([`Photo::renditions`]), so that the
//! pages, the cards and the address books of one load make them once.

use std::fmt;
use std::io::Cursor;
use std::sync::{Arc, OnceLock};

use image::{DynamicImage, ImageDecoder as _, ImageFormat, ImageReader, Limits};

/// The largest photo file read. A photo from a phone's camera is a few
/// megabytes; a page never shows more than 480 pixels of it.
pub const MAX_PHOTO_BYTES: u64 = 20 << 20;

/// The fewest pixels a photo has on each side: less shows nobody.
pub const MIN_PHOTO_SIDE: u32 = 64;

/// The most pixels a photo may have, checked from its header before it is
/// decoded, so that a small file that claims a vast image (a decompression
/// bomb) takes no memory. A 48-megapixel phone photo passes.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;

/// The most memory the decoder may take for one photo, whatever the
/// header says: the pixels of [`MAX_PHOTO_PIXELS`] at four bytes each, and
/// a little more.
const MAX_DECODE_BYTES: u64 = 256 << 20;

/// How much longer one side of a photo may be than the other: a portrait
/// or a landscape, not a banner.
pub const MAX_PHOTO_ASPECT: u32 = 3;

/// The widths a person's page shows a photo in, for screens of one, two
/// and three device pixels to the CSS pixel: the page shows it 160 CSS
/// pixels wide.
pub const PAGE_WIDTHS: [u32; 3] = [160, 320, 480];

/// The file name of one size of a photo beside its person's page, such as
/// `photo-320.webp`: `extension` is `jpg` or `webp`. The site serves the
/// files under the page's folder, the views name them there.
pub fn page_file(width: u32, extension: &str) -> String {
    format!("photo-{width}.{extension}")
}

/// The kinds of image file a photo may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    Jpeg,
    Png,
    WebP,
}

impl PhotoFormat {
    /// The format a file's first bytes announce, whatever its name says.
    fn sniff(bytes: &[u8]) -> Option<PhotoFormat> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoFormat::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(PhotoFormat::WebP)
        } else {
            None
        }
    }

    /// Its name for people: "JPEG".
    pub fn name(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "JPEG",
            PhotoFormat::Png => "PNG",
            PhotoFormat::WebP => "WebP",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
            PhotoFormat::WebP => ImageFormat::WebP,
        }
    }
}

/// What a photo file held when it was read: its bytes, or why there are
/// none. `check` reports each of the others at the person's `photo`.
#[derive(Clone, PartialEq, Eq)]
pub enum PhotoContent {
    Bytes(Arc<[u8]>),
    Missing,
    /// Something other than a regular file in its place, such as "a directory".
    NotAFile {
        kind: &'static str,
    },
    /// A regular file larger than [`MAX_PHOTO_BYTES`]; read no further.
    TooLarge,
    /// A path that, through a symbolic link, leads out of the data directory.
    Outside,
    /// The file is there but could not be read, for this reason.
    Unreadable {
        reason: String,
    },
}

impl fmt::Debug for PhotoContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PhotoContent::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            PhotoContent::Missing => f.write_str("Missing"),
            PhotoContent::NotAFile { kind } => write!(f, "NotAFile({kind})"),
            PhotoContent::TooLarge => f.write_str("TooLarge"),
            PhotoContent::Outside => f.write_str("Outside"),
            PhotoContent::Unreadable { reason } => write!(f, "Unreadable({reason})"),
        }
    }
}

/// Why a photo's bytes are not a photo nspm shows. Each says what the file
/// is, to follow its name: "data/photos/x.jpg is not a JPEG, …".
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoProblem {
    #[error("is not a JPEG, PNG or WebP image")]
    NotAnImage,
    #[error(
        "is {width}×{height} pixels, more than the {} million nspm reads",
        MAX_PHOTO_PIXELS / 1_000_000
    )]
    TooManyPixels { width: u32, height: u32 },
    #[error("is {width}×{height} pixels: a photo needs at least {MIN_PHOTO_SIDE} on each side")]
    TooSmall { width: u32, height: u32 },
    #[error(
        "is {width}×{height} pixels: a photo may be at most {MAX_PHOTO_ASPECT} times as wide as it is tall, or as tall as it is wide"
    )]
    Aspect { width: u32, height: u32 },
    #[error("cannot be decoded as a {}: {reason}", format.name())]
    Undecodable { format: PhotoFormat, reason: String },
}

/// A photo's file as checked: its bytes, what they are, and its size in
/// pixels as shown (turned upright as its EXIF orientation says).
#[derive(Default)]
struct Image {
    bytes: Arc<[u8]>,
    format: Option<PhotoFormat>,
    width: u32,
    height: u32,
    renditions: OnceLock<Result<Vec<Encoded>, String>>,
}

/// A person's photo: where it lies in the data directory, and the image
/// it holds, checked.
#[derive(Clone)]
pub struct Photo {
    path: String,
    image: Arc<Image>,
}

/// One size of a photo as an export encoded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    /// What it is for, in the export's own words (`"page"`, `"card"`).
    pub purpose: &'static str,
    /// The MIME type of `bytes`: `image/jpeg`, `image/webp`.
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

impl Photo {
    /// A photo as the data names it, before its file is checked.
    pub(crate) fn named(path: String) -> Photo {
        Photo {
            path,
            image: Arc::default(),
        }
    }

    /// Its path inside the data directory, as the data gives it.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The file's bytes, as read.
    pub fn bytes(&self) -> &[u8] {
        &self.image.bytes
    }

    /// The width and height in pixels, upright.
    pub fn size(&self) -> (u32, u32) {
        (self.image.width, self.image.height)
    }

    /// The photo's pixels, upright. The check decoded it already, so this
    /// fails only where memory does.
    pub fn decode(&self) -> Result<DynamicImage, PhotoProblem> {
        let format = self.image.format.ok_or(PhotoProblem::NotAnImage)?;
        decode(&self.image.bytes, format)
    }

    /// The sizes a person's page shows it in, smallest first: each of
    /// [`PAGE_WIDTHS`] the photo is wider than, and its own width when it
    /// is narrower than the widest. Never larger than the photo itself,
    /// the aspect kept.
    pub fn page_sizes(&self) -> Vec<(u32, u32)> {
        let (width, height) = self.size();
        let widest = PAGE_WIDTHS[PAGE_WIDTHS.len() - 1];
        let mut widths: Vec<u32> = PAGE_WIDTHS.into_iter().filter(|w| *w < width).collect();
        if width <= widest {
            widths.push(width);
        }
        widths
            .into_iter()
            .map(|w| (w, scaled(height, w, width)))
            .collect()
    }

    /// What the exports make of this photo, made by `make` the first time
    /// any export asks and kept with it from then on, however many ask and
    /// from whichever thread.
    pub fn renditions(
        &self,
        make: impl FnOnce(&Photo) -> Result<Vec<Encoded>, String>,
    ) -> Result<&[Encoded], &str> {
        match self.image.renditions.get_or_init(|| make(self)) {
            Ok(list) => Ok(list),
            Err(e) => Err(e),
        }
    }
}

/// `side` scaled by `to / from`, rounded, and never below one pixel.
pub fn scaled(side: u32, to: u32, from: u32) -> u32 {
    let exact = u64::from(side) * u64::from(to);
    let from = u64::from(from.max(1));
    u32::try_from((exact + from / 2) / from)
        .unwrap_or(u32::MAX)
        .max(1)
}

impl PartialEq for Photo {
    fn eq(&self, other: &Photo) -> bool {
        self.path == other.path
            && self.image.format == other.image.format
            && self.size() == other.size()
            && self.image.bytes == other.image.bytes
    }
}

impl Eq for Photo {}

/// The bytes are not shown: a photo is megabytes.
impl fmt::Debug for Photo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Photo")
            .field("path", &self.path)
            .field("format", &self.image.format)
            .field("size", &self.size())
            .field("bytes", &self.image.bytes.len())
            .finish()
    }
}

/// A photo is written, and shown in JSON, as its path.
impl serde::Serialize for Photo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.path)
    }
}

/// Checks a photo's bytes and gives the photo they make: one of the three
/// formats, of a sensible size, decodable to the end.
pub(crate) fn inspect(path: &str, bytes: Arc<[u8]>) -> Result<Photo, PhotoProblem> {
    let format = PhotoFormat::sniff(&bytes).ok_or(PhotoProblem::NotAnImage)?;
    let decoded = decode(&bytes, format)?;
    let (width, height) = (decoded.width(), decoded.height());
    if width.min(height) < MIN_PHOTO_SIDE {
        return Err(PhotoProblem::TooSmall { width, height });
    }
    if width.max(height) > height.min(width).saturating_mul(MAX_PHOTO_ASPECT) {
        return Err(PhotoProblem::Aspect { width, height });
    }
    Ok(Photo {
        path: path.to_string(),
        image: Arc::new(Image {
            bytes,
            format: Some(format),
            width,
            height,
            renditions: OnceLock::new(),
        }),
    })
}

/// Decodes a photo whole and turns it upright, refusing before any pixel
/// is decoded one whose header claims more than [`MAX_PHOTO_PIXELS`].
fn decode(bytes: &[u8], format: PhotoFormat) -> Result<DynamicImage, PhotoProblem> {
    // The decoders' messages may end in a line break, or hold one: a
    // diagnostic is one line.
    let undecodable = |e: image::ImageError| PhotoProblem::Undecodable {
        format,
        reason: e
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
    };
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(undecodable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS {
        return Err(PhotoProblem::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().map_err(undecodable)?;
    if format == PhotoFormat::Jpeg {
        truncation_check(bytes).map_err(|reason| PhotoProblem::Undecodable { format, reason })?;
    }
    let mut image = DynamicImage::from_decoder(decoder).map_err(undecodable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// The JPEG decoder fills the missing rest of a cut-off file with grey
/// rather than fail, so a file copied in part would show as a photo half
/// grey. A whole JPEG ends with the end-of-image marker (FF D9), which
/// some cameras follow with a few bytes of padding.
fn truncation_check(bytes: &[u8]) -> Result<(), String> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err("the file ends before the image does (it may have been cut off while copied)".into())
    }
}

#[cfg(test)]
pub(crate) mod tests;
