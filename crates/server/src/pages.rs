//! Ready-to-send files: each body with its compressed forms, ETag and
//! headers, prepared when the data is loaded so that serving is a lookup.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::Write;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use bytes::Bytes;
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
            cache_control: cache_control(content_type),
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
    /// If-None-Match and Accept-Encoding.
    pub fn respond(
        &self,
        method: &Method,
        request: &HeaderMap,
        status: StatusCode,
    ) -> Response<Body> {
        let variant = self.negotiate(request);
        let mut res = Response::builder().status(status);
        let headers = res.headers_mut().expect("a fresh builder has headers");
        // Room for these headers and the ones the policy middleware adds,
        // so that the map is not grown and rehashed on the way.
        headers.reserve(12);
        headers.insert(header::ETAG, variant.etag.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        if self.gzip.is_some() || self.br.is_some() {
            headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        }
        if status == StatusCode::OK && none_match(request, &variant.etag) {
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

/// Every file of the site by URL path, and the page for paths not found.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    by_path: HashMap<String, Served>,
}

impl Pages {
    /// Prepares every file of a rendered site, compressing on all cores.
    /// The site is taken apart so that each body is moved, not copied: with
    /// a large society the bodies alone are hundreds of megabytes.
    pub fn from_site(site: nspm_export::Site) -> Pages {
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
        Pages { by_path }
    }

    pub fn get(&self, path: &str) -> Option<&Served> {
        self.by_path.get(path)
    }

    /// Every URL path served, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_path.keys().map(String::as_str)
    }
}

/// Pages, cards and calendars change whenever staff change the data, and a
/// reload swaps them at once: caches must ask again each time (a 304 costs
/// little). The stylesheet and images change only with a new release.
fn cache_control(content_type: &str) -> HeaderValue {
    if content_type.starts_with("text/css") || content_type.starts_with("image/") {
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

#[derive(Debug, PartialEq, Eq)]
enum Encoding {
    Br,
    Gzip,
    Identity,
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

/// True when If-None-Match names this ETag (or `*`), comparing weakly as
/// RFC 9110 asks for GET.
fn none_match(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let ours = etag.to_str().unwrap_or("");
    request.get_all(header::IF_NONE_MATCH).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',').any(|t| {
                let t = t.trim();
                t == "*" || t.trim_start_matches("W/") == ours
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
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "gzip, br")])),
            Encoding::Br
        );
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "gzip;q=1, br;q=0.5")])),
            Encoding::Gzip
        );
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "br;q=0, gzip")])),
            Encoding::Gzip
        );
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "br;Q=0, gzip;Q=0.5")])),
            Encoding::Gzip
        );
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "identity")])),
            Encoding::Identity
        );
        assert_eq!(
            preferred_encoding(&headers(&[("accept-encoding", "*")])),
            Encoding::Br
        );
        assert_eq!(preferred_encoding(&headers(&[])), Encoding::Identity);
    }

    #[test]
    fn etags_match_strongly_and_weakly() {
        let tag = HeaderValue::from_static("\"abc-1\"");
        assert!(none_match(
            &headers(&[("if-none-match", "\"abc-1\"")]),
            &tag
        ));
        assert!(none_match(
            &headers(&[("if-none-match", "W/\"abc-1\", \"x\"")]),
            &tag
        ));
        assert!(none_match(&headers(&[("if-none-match", "*")]), &tag));
        assert!(!none_match(
            &headers(&[("if-none-match", "\"abc-2\"")]),
            &tag
        ));
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
