//! Ready-to-send files: each body with its compressed forms, ETag and
//! headers, prepared when the data is loaded so that serving is a lookup;
//! and the conditional requests of RFC 9110 §13 answered against them.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, header};
use bytes::Bytes;
use nspm_core::Timestamp;
use rayon::iter::{IntoParallelIterator as _, ParallelIterator as _};

/// Compression happens once per load for every file, so the levels trade a
/// little size for a load that stays quick with a large society: gzip 6 and
/// brotli 5 both come within a few per cent of their best on HTML.
///
/// Bodies smaller than this are sent as they are: compressing them saves
/// less than the headers it adds.
const MIN_COMPRESS: usize = 512;

/// Bodies smaller than this get gzip only. For a 2 KB page brotli costs
/// about 2.5 times gzip's time and saves some 300 bytes over it; with a
/// large society (100,000 short pages) brotli for every page took most of
/// the start-up. Clients that prefer brotli get gzip for these.
const MIN_BROTLI: usize = 4096;

/// One file as it goes out.
#[derive(Debug, Clone)]
pub struct Served {
    content_type: HeaderValue,
    cache_control: HeaderValue,
    disposition: Option<HeaderValue>,
    identity: Variant,
    gzip: Option<Variant>,
    br: Option<Variant>,
}

/// One encoding of a file's body with its own strong ETag: RFC 9110 makes
/// the content coding part of the representation, so a gzip body may not
/// share the tag of the plain one (a cache could otherwise answer a
/// conditional request for one with the other).
#[derive(Debug, Clone)]
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
    encoding: Option<&'static str>,
}

impl Served {
    /// Prepares a file served at `path`: compresses it when that helps and
    /// marks downloads (calendars and cards) as attachments.
    pub fn new(path: &str, body: Vec<u8>, content_type: &str) -> Served {
        let tag = tag_of(&body);
        let compressible = body.len() >= MIN_COMPRESS && is_text(content_type);
        let variant = |encoding: &'static str, bytes: Vec<u8>| {
            (bytes.len() < body.len()).then(|| Variant {
                etag: etag(&format!("{tag}-{encoding}")),
                bytes: exact(bytes),
                encoding: Some(encoding),
            })
        };
        let gzip = compressible.then(|| variant("gzip", gzip(&body))).flatten();
        let br = (compressible && body.len() >= MIN_BROTLI)
            .then(|| variant("br", brotli(&body)))
            .flatten();
        let file_name = path.rsplit('/').next().unwrap_or("");
        let disposition = (file_name.ends_with(".ics") || file_name.ends_with(".vcf"))
            .then(|| HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")).ok())
            .flatten();
        Served {
            content_type: header_value(content_type),
            cache_control: cache_control(path, content_type),
            disposition,
            identity: Variant {
                etag: etag(&tag),
                bytes: exact(body),
                encoding: None,
            },
            gzip,
            br,
        }
    }

    pub fn body(&self) -> &Bytes {
        &self.identity.bytes
    }

    /// The body in the encoding the request prefers among those it accepts
    /// and this file has: a client that prefers brotli gets gzip where
    /// there is no brotli form, if it accepts gzip at all, and the body as
    /// it is otherwise.
    fn negotiate(&self, request: &HeaderMap) -> &Variant {
        let chosen = match preferred_encoding(request) {
            Encoding::Br if self.br.is_some() => self.br.as_ref(),
            Encoding::Br | Encoding::Gzip if accepts(request, "gzip") => self.gzip.as_ref(),
            _ => None,
        };
        chosen.unwrap_or(&self.identity)
    }

    /// The response to a GET or HEAD for this file with `status`, honouring
    /// Accept-Encoding and, for a file found (`status` 200), the
    /// preconditions of RFC 9110 §13 against the chosen encoding's ETag and
    /// `modified`. Other answers, such as the 404 page, ignore them, as
    /// §13.2.1 asks.
    pub(crate) fn respond(
        &self,
        method: &Method,
        request: &HeaderMap,
        status: StatusCode,
        modified: Option<&LastModified>,
    ) -> Response<Body> {
        let variant = self.negotiate(request);
        let found = status == StatusCode::OK;
        // A date still to come is no modification date (RFC 9110 §8.8.2
        // forbids a Last-Modified later than the response's Date): until it
        // has passed, the file goes without one.
        let modified = modified.filter(|m| found && m.at <= SystemTime::now());
        let condition = if found {
            precondition(request, method, &variant.etag, modified.map(|m| m.at))
        } else {
            Condition::Proceed
        };
        let mut res = Response::builder().status(status);
        let headers = res.headers_mut().expect("a fresh builder has headers");
        if condition == Condition::Failed {
            // The file the client meant is not the one there is now: it
            // gets neither the body nor the current one's validators.
            const FAILED: &str =
                "precondition failed: the file is not the version the request names\n";
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(FAILED.len()));
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(FAILED)
            };
            return res
                .status(StatusCode::PRECONDITION_FAILED)
                .body(body)
                .expect("static headers are valid");
        }
        // Room for these headers and the ones the policy middleware adds,
        // so that the map is not grown and rehashed on the way.
        headers.reserve(13);
        headers.insert(header::ETAG, variant.etag.clone());
        if let Some(m) = modified {
            headers.insert(header::LAST_MODIFIED, m.header.clone());
        }
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        if self.gzip.is_some() || self.br.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if condition == Condition::NotModified {
            return res
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .expect("static headers are valid");
        }
        headers.insert(header::CONTENT_TYPE, self.content_type.clone());
        if let Some(d) = &self.disposition {
            headers.insert(header::CONTENT_DISPOSITION, d.clone());
        }
        if let Some(e) = variant.encoding {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(e));
        }
        headers.insert(
            header::CONTENT_LENGTH,
            HeaderValue::from(variant.bytes.len()),
        );
        let body = if method == Method::HEAD {
            Body::empty()
        } else {
            Body::from(variant.bytes.clone())
        };
        res.body(body).expect("static headers are valid")
    }
}

/// When the data behind a snapshot last changed, as Last-Modified says it:
/// the moment the calendars give as DTSTAMP (see `nspm_export::stamp_from`),
/// so it comes from the data, never the clock, and is the same on every
/// start with the same data.
#[derive(Debug, Clone)]
pub(crate) struct LastModified {
    at: SystemTime,
    header: HeaderValue,
}

impl LastModified {
    /// None for a moment an HTTP-date cannot give.
    fn new(stamp: Timestamp) -> Option<LastModified> {
        // HTTP-dates go from 1970 to the end of 9999.
        let secs = u64::try_from(stamp.unix())
            .ok()
            .filter(|s| *s <= 253_402_300_799)?;
        let at = UNIX_EPOCH + Duration::from_secs(secs);
        let header = HeaderValue::from_str(&httpdate::fmt_http_date(at)).ok()?;
        Some(LastModified { at, header })
    }
}

/// What the preconditions of a request for a file found decide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Condition {
    Proceed,
    NotModified,
    Failed,
}

/// The preconditions in the order of RFC 9110 §13.2.2, for a GET or HEAD of
/// the representation with `etag`, last modified at `modified` when that is
/// known.
///
/// If-Modified-Since counts as "not modified" only for the very date the
/// file carries, not for any later one (as nginx's `if_modified_since
/// exact`): the date comes from the data, and undoing the newest recorded
/// change moves it back, so a client holding a later date may well hold
/// other bytes. If-Unmodified-Since keeps the RFC's "earlier or equal", as
/// erring there only sends the file rather than withholding it.
pub(crate) fn precondition(
    request: &HeaderMap,
    method: &Method,
    etag: &HeaderValue,
    modified: Option<SystemTime>,
) -> Condition {
    if request.contains_key(header::IF_MATCH) {
        if !matches(request, header::IF_MATCH, etag, Comparison::Strong) {
            return Condition::Failed;
        }
    } else if let (Some(modified), Some(since)) =
        (modified, http_date(request, header::IF_UNMODIFIED_SINCE))
        && modified > since
    {
        return Condition::Failed;
    }
    if request.contains_key(header::IF_NONE_MATCH) {
        if matches(request, header::IF_NONE_MATCH, etag, Comparison::Weak) {
            return Condition::NotModified;
        }
    } else if (method == Method::GET || method == Method::HEAD)
        && let (Some(modified), Some(since)) =
            (modified, http_date(request, header::IF_MODIFIED_SINCE))
        && modified == since
    {
        return Condition::NotModified;
    }
    Condition::Proceed
}

/// The date in a request header, when it holds exactly one valid
/// HTTP-date in any of the three forms RFC 9110 §5.6.7 has recipients
/// read; otherwise the header is ignored, as §13.1.3 and §13.1.4 ask.
fn http_date(request: &HeaderMap, name: HeaderName) -> Option<SystemTime> {
    let mut values = request.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    httpdate::parse_http_date(value.to_str().ok()?.trim()).ok()
}

/// Every file of the site by URL path, and the page for paths not found.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    by_path: HashMap<String, Served>,
    modified: Option<LastModified>,
}

impl Pages {
    /// Prepares every file of a rendered site, compressing on all cores,
    /// with `modified` (when the data last changed) as their Last-Modified.
    /// The site is taken apart so that each body is moved, not copied: with
    /// a large society the bodies alone are hundreds of megabytes.
    pub(crate) fn from_site(site: nspm_export::Site, modified: Timestamp) -> Pages {
        let entries: Vec<(String, nspm_export::Page)> = site.into_pages().collect();
        // On rayon's pool, which passes a panic on to the caller rather
        // than serve a site with holes in it.
        let by_path = entries
            .into_par_iter()
            .map(|(path, page)| {
                let served = Served::new(&path, page.bytes, page.content_type);
                (path, served)
            })
            .collect();
        Pages {
            by_path,
            modified: LastModified::new(modified),
        }
    }

    pub fn get(&self, path: &str) -> Option<&Served> {
        self.by_path.get(path)
    }

    /// When the data behind every file last changed, for Last-Modified.
    pub(crate) fn modified(&self) -> Option<&LastModified> {
        self.modified.as_ref()
    }

    /// The one URL of a page that `path` names another way, for a
    /// redirect: `/committee` and `/committee/index.html` are
    /// `/committee/`. A static host serves the export's
    /// `committee/index.html` at all three, so the server answers them
    /// all too, with one address for the page.
    pub fn canonical(&self, path: &str) -> Option<&str> {
        let dir = match path.strip_suffix(INDEX) {
            Some(dir) if dir.ends_with('/') => dir.to_string(),
            _ => format!("{path}/"),
        };
        self.by_path.get_key_value(&dir).map(|(p, _)| p.as_str())
    }

    /// Every URL path served, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_path.keys().map(String::as_str)
    }
}

/// The file a static host serves for a directory's URL, as the export
/// names it (`Site::file_for`).
const INDEX: &str = "index.html";

/// Pages, cards and calendars change whenever staff change the data, and a
/// reload swaps them at once: caches must ask again each time (a 304 costs
/// little). The stylesheet and the icons change only with a new release;
/// the images drawn from the data (each page's preview, each card's QR code)
/// and the people's photos (beside their pages, under `/people/`) change
/// with it, as the pages do.
fn cache_control(path: &str, content_type: &str) -> HeaderValue {
    let from_data = ["/preview/", "/qr/", "/people/", "/members/"]
        .iter()
        .any(|p| path.starts_with(p));
    if !from_data
        && (content_type.starts_with("text/css")
            || nspm_export::site::content_type::is_image(content_type))
    {
        HeaderValue::from_static("public, max-age=3600")
    } else {
        HeaderValue::from_static("no-cache")
    }
}

fn header_value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/xml")
        || content_type.starts_with("application/atom+xml")
        || content_type.starts_with("image/svg+xml")
}

/// The opaque part of a strong ETag, from the body's content, so that it is
/// the same on every machine and every start for the same bytes.
fn tag_of(body: &[u8]) -> String {
    // SipHash with fixed keys: stable for a build, spread well enough for
    // change detection.
    let mut h = std::hash::DefaultHasher::new();
    body.hash(&mut h);
    format!("{:016x}-{:x}", h.finish(), body.len())
}

fn etag(tag: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{tag}\"")).expect("hex digits are a valid header")
}

/// The bytes without the spare capacity a growing buffer leaves behind,
/// which would otherwise stay allocated for as long as the snapshot lives.
fn exact(mut bytes: Vec<u8>) -> Bytes {
    bytes.shrink_to_fit();
    Bytes::from(bytes)
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(body);
    enc.finish().unwrap_or_default()
}

fn brotli(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        ..Default::default()
    };
    // Handing the encoder the whole body as its first and last input lets
    // it size its window buffer to the body: fed in 4 KiB pieces, as
    // `BrotliCompress` does, it allocates and clears its full 4 MiB window
    // for every body larger than one piece. The output is the same.
    let mut input = body;
    let mut in_buf = vec![0u8; body.len().max(1)];
    let mut out_buf = vec![0u8; 16 * 1024];
    if brotli::BrotliCompressCustomAlloc(
        &mut input,
        &mut out,
        &mut in_buf,
        &mut out_buf,
        &params,
        brotli::enc::StandardAlloc::default(),
    )
    .is_err()
    {
        return Vec::new();
    }
    out
}

/// A content coding the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Br,
    Gzip,
    Identity,
}

impl Encoding {
    /// The coding a request prefers among those this server has.
    pub(crate) fn preferred(request: &HeaderMap) -> Encoding {
        preferred_encoding(request)
    }

    /// `body`, made for one request rather than prepared at load (DAV's
    /// multistatus answers), compressed in this coding with the levels the
    /// site's files use: the coding's name and the bytes, or None when this
    /// is the identity, the body is too small or not text, or compressing
    /// would not make it smaller.
    pub(crate) fn compress(
        self,
        body: &[u8],
        content_type: &str,
    ) -> Option<(&'static str, Vec<u8>)> {
        if body.len() < MIN_COMPRESS || !is_text(content_type) {
            return None;
        }
        let (name, bytes) = match self {
            Encoding::Br => ("br", brotli(body)),
            Encoding::Gzip => ("gzip", gzip(body)),
            Encoding::Identity => return None,
        };
        // Either encoder gives nothing when it fails.
        (!bytes.is_empty() && bytes.len() < body.len()).then_some((name, bytes))
    }
}

/// The q-value the client gives a content coding, if it names it (or `*`).
fn quality(request: &HeaderMap, coding: &str) -> Option<f32> {
    let mut star = None;
    for value in request.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| {
                    let p = p.trim();
                    // The parameter's name is case-insensitive (RFC 9110).
                    (p.len() > 2 && p[..2].eq_ignore_ascii_case("q=")).then(|| &p[2..])
                })
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if name.eq_ignore_ascii_case(coding) {
                return Some(q);
            }
            if name == "*" {
                star = Some(q);
            }
        }
    }
    star
}

fn accepts(request: &HeaderMap, coding: &str) -> bool {
    quality(request, coding).is_some_and(|q| q > 0.0)
}

fn preferred_encoding(request: &HeaderMap) -> Encoding {
    let br = quality(request, "br").unwrap_or(0.0);
    let gzip = quality(request, "gzip").unwrap_or(0.0);
    if br > 0.0 && br >= gzip {
        Encoding::Br
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

/// How entity tags are compared (RFC 9110 §8.8.3.2): If-None-Match
/// compares weakly, If-Match strongly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Weak,
    Strong,
}

/// True when the request header `name` lists this ETag, or is `*` (any
/// current representation, and the file is there). A weak tag never
/// matches strongly, even with the same opaque part.
fn matches(request: &HeaderMap, name: HeaderName, etag: &HeaderValue, how: Comparison) -> bool {
    let ours = etag.to_str().unwrap_or("");
    request.get_all(name).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                let t = match how {
                    Comparison::Weak => t.trim_start_matches("W/"),
                    Comparison::Strong => t,
                };
                t == "*" || t == ours
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn encoding_follows_the_clients_preferences() {
        let chosen = |accepted| preferred_encoding(&headers(&[("accept-encoding", accepted)]));
        assert_eq!(chosen("gzip, br"), Encoding::Br);
        assert_eq!(chosen("gzip;q=1, br;q=0.5"), Encoding::Gzip);
        assert_eq!(chosen("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(chosen("br;Q=0, gzip;Q=0.5"), Encoding::Gzip);
        assert_eq!(chosen("identity"), Encoding::Identity);
        assert_eq!(chosen("*"), Encoding::Br);
        assert_eq!(preferred_encoding(&headers(&[])), Encoding::Identity);
    }

    #[test]
    fn etags_match_strongly_and_weakly() {
        let tag = HeaderValue::from_static("\"abc-1\"");
        let test = |name: &'static str, how, value| {
            let request = headers(&[(name, value)]);
            matches(&request, HeaderName::from_static(name), &tag, how)
        };
        let none_match = |value| test("if-none-match", Comparison::Weak, value);
        let if_match = |value| test("if-match", Comparison::Strong, value);
        assert!(none_match("\"abc-1\""));
        assert!(none_match("W/\"abc-1\", \"x\""));
        assert!(none_match("*"));
        assert!(!none_match("\"abc-2\""));
        assert!(if_match("\"abc-1\""));
        assert!(if_match("\"x\", \"abc-1\""));
        assert!(if_match("*"));
        assert!(!if_match("W/\"abc-1\""));
        assert!(!if_match("abc-1"));
    }

    #[test]
    fn last_modified_only_for_moments_an_http_date_can_give() {
        let header = |secs| LastModified::new(Timestamp::from_unix(secs)).map(|m| m.header);
        assert_eq!(header(0).unwrap(), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            header(253_402_300_799).unwrap(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        // Before 1970 (a meeting of the 1960s as the latest date) or past
        // 9999, the files go without one rather than panic.
        assert!(header(-86_400).is_none());
        assert!(header(253_402_300_800).is_none());
    }

    #[test]
    fn compressed_forms_decompress_to_the_body() {
        let body = "<p>Søren Brunak</p>\n".repeat(300).into_bytes();
        let served = Served::new("/", body.clone(), "text/html; charset=utf-8");
        let mut out = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&served.gzip.clone().unwrap().bytes[..]),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, body);
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &served.br.clone().unwrap().bytes[..], &mut out).unwrap();
        assert_eq!(out, body);
        assert!(Served::new("/a.png", body, "image/png").gzip.is_none());
    }

    #[test]
    fn brotli_only_for_bodies_of_4_kib_or_more() {
        let html = "text/html; charset=utf-8";
        let small = Served::new("/", "<p>Søren</p>\n".repeat(200).into_bytes(), html);
        assert!(small.body().len() < MIN_BROTLI);
        assert!(small.gzip.is_some() && small.br.is_none());
        let large = Served::new("/", "<p>Søren</p>\n".repeat(400).into_bytes(), html);
        assert!(large.body().len() >= MIN_BROTLI);
        assert!(large.gzip.is_some() && large.br.is_some());
        // Without brotli, a client that prefers it gets gzip if it takes
        // gzip at all, else the body as it is.
        let encoding = |accept| {
            small
                .negotiate(&headers(&[("accept-encoding", accept)]))
                .encoding
        };
        assert_eq!(encoding("br, gzip;q=0.5"), Some("gzip"));
        assert_eq!(encoding("*"), Some("gzip"));
        assert_eq!(encoding("br"), None);
        assert_eq!(encoding("br, gzip;q=0"), None);
    }
}
