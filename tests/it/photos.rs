//! People's photos, from the file beside the data to what a visitor and an
//! address book get: every refusal at `nspm check`, placed at the person's
//! `photo`; the sizes on the site, each decoded back; the person's page;
//! the cards' PHOTO in both versions; setting a photo by an edit and an
//! import. The photos are made by the tests (the seed data has none).

use std::path::Path;

use base64::Engine as _;
use image::{GenericImageView as _, ImageFormat};
use nspm_core::{Society, Timestamp};
use nspm_export::{CardOptions, Site, SiteOptions, VcardVersion, vcard};

use crate::support::{self, PHOTO_SIZE, photo_bytes, with_photo};

fn options() -> SiteOptions {
    SiteOptions {
        stamp: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        today: nspm_core::PartialDate::parse("2026-01-01").unwrap(),
    }
}

/// The data of the `site` fixture with a photo for Ada, loaded.
fn society_with_photo() -> Society {
    let temp = with_photo(&support::fixture("site"), "ada-quote");
    Society::load_dir(&temp.path().join("data")).unwrap()
}

/// PNG's CRC-32, for a header changed by hand.
fn crc32(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// A PNG whose header claims `side`×`side` pixels, with the pixels of a
/// small one: a decompression bomb as far as the header goes.
fn claims(side: u32) -> Vec<u8> {
    let mut png = photo_bytes(64, 64, ImageFormat::Png);
    png[16..20].copy_from_slice(&side.to_be_bytes());
    png[20..24].copy_from_slice(&side.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Adds a person named "Case N" with this photo path for each case.
fn add_people_with_photos(data: &Path, paths: &[&str]) {
    let people = data.join("people.ron");
    let text = std::fs::read_to_string(&people).unwrap();
    let close = text.rfind(']').unwrap();
    let mut added = String::new();
    for (i, path) in paths.iter().enumerate() {
        added.push_str(&format!(
            "    Person(\n        id: \"case-{i}\",\n        given: \"Case\",\n        family: \"{i}\",\n        institution: None,\n        country: \"NO\",\n        photo: Some(\"{path}\"),\n    ),\n"
        ));
    }
    std::fs::write(
        &people,
        format!("{}{added}{}", &text[..close], &text[close..]),
    )
    .unwrap();
}

#[test]
fn every_photo_that_cannot_be_shown_is_reported_at_its_field() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    support::copy_data(&support::fixture("valid"), &data);
    let photos = data.join("photos");
    std::fs::create_dir(&photos).unwrap();
    let jpeg = photo_bytes(300, 400, ImageFormat::Jpeg);
    std::fs::write(photos.join("cut.jpg"), &jpeg[..jpeg.len() / 2]).unwrap();
    let mut corrupt = jpeg[..20].to_vec();
    corrupt.extend(std::iter::repeat_n(0x55, 2000));
    std::fs::write(photos.join("corrupt.jpg"), corrupt).unwrap();
    std::fs::write(photos.join("notes.jpg"), "these are notes, not a photo\n").unwrap();
    std::fs::write(
        photos.join("small.png"),
        photo_bytes(40, 40, ImageFormat::Png),
    )
    .unwrap();
    std::fs::write(
        photos.join("banner.png"),
        photo_bytes(400, 100, ImageFormat::Png),
    )
    .unwrap();
    std::fs::write(photos.join("bomb.png"), claims(20_000)).unwrap();
    std::fs::create_dir(photos.join("folder.jpg")).unwrap();
    let large = std::fs::File::create(photos.join("large.jpg")).unwrap();
    large.set_len(21 << 20).unwrap();
    std::fs::write(temp.path().join("outside.jpg"), &jpeg).unwrap();
    std::os::unix::fs::symlink("../../outside.jpg", photos.join("link.jpg")).unwrap();
    std::fs::write(
        photos.join("good.webp"),
        photo_bytes(300, 300, ImageFormat::WebP),
    )
    .unwrap();
    add_people_with_photos(
        &data,
        &[
            "/etc/passwd",
            "../outside.jpg",
            "photos/./x.jpg",
            "photos/missing.jpg",
            "photos/folder.jpg",
            "photos/large.jpg",
            "photos/notes.jpg",
            "photos/cut.jpg",
            "photos/corrupt.jpg",
            "photos/small.png",
            "photos/banner.png",
            "photos/bomb.png",
            "photos/link.jpg",
            "photos/good.webp",
        ],
    );
    let out = support::run_in(temp.path(), &["check"]);
    assert!(!out.status.success());
    let said = support::stdout(&out);
    // One problem for each photo but the good one, each at its field.
    let problems: Vec<&str> = said
        .lines()
        .filter(|l| l.contains("field `photo`"))
        .collect();
    assert_eq!(problems.len(), 13, "{said}");
    insta::assert_snapshot!(said);
}

#[test]
fn the_site_has_each_photo_in_every_size_as_jpeg_and_webp() {
    let society = society_with_photo();
    let site = Site::build(&society, &options()).unwrap();
    let (w, h) = PHOTO_SIZE;
    for width in [160, 320, 480] {
        let height = (width * h + w / 2) / w;
        for (extension, format, mime) in [
            ("jpg", ImageFormat::Jpeg, "image/jpeg"),
            ("webp", ImageFormat::WebP, "image/webp"),
        ] {
            let path = format!("/people/ada-quote/photo-{width}.{extension}");
            let page = site
                .get(&path)
                .unwrap_or_else(|| panic!("{path} is missing"));
            assert_eq!(page.content_type, mime, "{path}");
            let decoded = image::load_from_memory_with_format(&page.bytes, format)
                .unwrap_or_else(|e| panic!("{path} does not decode: {e}"));
            assert_eq!(decoded.dimensions(), (width, height), "{path}");
        }
    }
    // Nobody else has a photo, so no other photo file is there.
    let photo_files: Vec<&str> = site
        .iter()
        .map(|(path, _)| path)
        .filter(|p| p.contains("/photo-"))
        .collect();
    assert_eq!(photo_files.len(), 6, "{photo_files:?}");
    // The lossy WebP is smaller than the JPEG at each size, as it should
    // be for the format to be worth offering.
    for width in [160, 320, 480] {
        let size = |ext: &str| {
            let path = format!("/people/ada-quote/photo-{width}.{ext}");
            site.get(&path).unwrap().bytes.len()
        };
        assert!(
            size("webp") < size("jpg"),
            "{width}: webp {} jpg {}",
            size("webp"),
            size("jpg")
        );
    }
}

/// Every `attr="…"` of the first `<tag …>` in `html`.
fn attributes(html: &str, tag: &str) -> std::collections::BTreeMap<String, String> {
    let start = html
        .find(&format!("<{tag} "))
        .unwrap_or_else(|| panic!("no <{tag}> in the page"));
    let end = start + html[start..].find('>').unwrap();
    let re = regex::Regex::new(r#"([a-z-]+)="([^"]*)""#).unwrap();
    re.captures_iter(&html[start..end])
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

#[test]
fn the_persons_page_shows_the_photo_at_its_size_from_files_that_exist() {
    let society = society_with_photo();
    let site = Site::build(&society, &options()).unwrap();
    let page = String::from_utf8(site.get("/people/ada-quote/").unwrap().bytes.clone()).unwrap();
    let img = attributes(&page, "img");
    let source = attributes(&page, "source");
    assert_eq!(source["type"], "image/webp");
    // The size it is shown at, the smallest file's: nothing moves as it loads.
    assert_eq!(
        (img["width"].as_str(), img["height"].as_str()),
        ("160", "213")
    );
    assert_eq!(img["sizes"], "160px");
    assert_eq!(
        img["alt"],
        "Photo of Ada &quot;The&quot; O&#39;Quote &lt;i&gt;"
    );
    assert_eq!(img["decoding"], "async");
    assert!(
        !img.contains_key("loading"),
        "the photo is near the top: {img:?}"
    );
    // Every file the page names is in the site, with the width it says.
    let resolve = |href: &str| format!("/{}", href.trim_start_matches("../"));
    let src = site.get(&resolve(&img["src"])).unwrap();
    let decoded = image::load_from_memory(&src.bytes).unwrap();
    assert_eq!(decoded.dimensions(), (160, 213));
    for srcset in [&img["srcset"], &source["srcset"]] {
        let entries: Vec<&str> = srcset.split(", ").collect();
        assert_eq!(entries.len(), 3, "{srcset}");
        for entry in entries {
            let (href, width) = entry.split_once(' ').unwrap();
            let file = site
                .get(&resolve(href))
                .unwrap_or_else(|| panic!("{href} is missing"));
            let decoded = image::load_from_memory(&file.bytes).unwrap();
            assert_eq!(format!("{}w", decoded.width()), width, "{href}");
        }
    }
    // A person without a photo has a page without one.
    let other = String::from_utf8(site.get("/people/bjorn-long/").unwrap().bytes.clone()).unwrap();
    assert!(!other.contains("<picture"), "{other}");
}

#[test]
fn the_json_ld_names_the_widest_photo_as_the_persons_image() {
    let society = society_with_photo();
    let site = Site::build(&society, &options()).unwrap();
    let page = String::from_utf8(site.get("/people/ada-quote/").unwrap().bytes.clone()).unwrap();
    let base = society.info.base_url.clone().unwrap();
    assert!(
        page.contains(&format!(
            "\"image\": \"{base}people/ada-quote/photo-480.jpg\""
        )),
        "{page}"
    );
}

/// The PHOTO of a card, unfolded, and its parameters.
fn photo_line(card: &str) -> Option<String> {
    let unfolded = card.replace("\r\n ", "");
    unfolded
        .split("\r\n")
        .find(|l| l.starts_with("PHOTO"))
        .map(str::to_string)
}

#[test]
fn every_card_carries_a_small_jpeg_of_the_photo_in_both_versions() {
    let society = society_with_photo();
    let ada = society.person("ada-quote").unwrap();
    for audience in [nspm_core::Audience::Public, nspm_core::Audience::Members] {
        for version in [VcardVersion::V3, VcardVersion::V4] {
            let card = vcard::person_card(&society, ada, &CardOptions { version, audience });
            let line = photo_line(&card).unwrap_or_else(|| panic!("no PHOTO: {card}"));
            let data = match version {
                VcardVersion::V3 => line.strip_prefix("PHOTO;ENCODING=b;TYPE=JPEG:"),
                VcardVersion::V4 => line.strip_prefix("PHOTO:data:image/jpeg;base64,"),
            }
            .unwrap_or_else(|| panic!("{line:.60}"));
            let jpeg = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            let decoded = image::load_from_memory_with_format(&jpeg, ImageFormat::Jpeg).unwrap();
            // At most 256 pixels on its longer side, the photo's shape kept.
            assert_eq!(decoded.dimensions(), (192, 256), "{version:?}");
            // Folded at 75 octets, as every line of a card.
            for physical in card.split("\r\n") {
                assert!(physical.len() <= 75, "{}: {physical:.80}", physical.len());
            }
        }
    }
    let bjorn = society.person("bjorn-long").unwrap();
    let card = vcard::person_card(&society, bjorn, &CardOptions::default());
    assert_eq!(photo_line(&card), None);
}

#[test]
fn an_edit_sets_and_clears_a_photo_and_refuses_a_missing_file() {
    let temp = with_photo(&support::fixture("valid"), "mikko-virtanen");
    let data = temp.path().join("data");
    std::fs::write(
        data.join("photos/jonas.png"),
        photo_bytes(200, 200, ImageFormat::Png),
    )
    .unwrap();
    let before = support::data_files(temp.path());
    let out = support::nspm_in(
        temp.path(),
        &[
            "people",
            "edit",
            "jonas-ostberg",
            "--photo",
            "photos/nobody.jpg",
        ],
    )
    .output()
    .unwrap();
    assert!(!out.status.success());
    let said = support::stderr(&out);
    assert!(
        said.contains("person \"jonas-ostberg\", field `photo`: the photo file data/photos/nobody.jpg is missing"),
        "{said}"
    );
    assert_eq!(support::data_files(temp.path()), before, "nothing written");

    let out = support::run_in(
        temp.path(),
        &[
            "people",
            "edit",
            "jonas-ostberg",
            "--photo",
            "photos/jonas.png",
        ],
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    let people = std::fs::read_to_string(data.join("people.ron")).unwrap();
    assert!(
        people.contains("photo: Some(\"photos/jonas.png\")"),
        "{people}"
    );
    let society = Society::load_dir(&data).unwrap();
    let photo = society
        .person("jonas-ostberg")
        .unwrap()
        .photo
        .as_ref()
        .unwrap();
    assert_eq!(photo.size(), (200, 200));
    // Staff see the file the data names; a person without one has no line.
    let shown = support::run_in(temp.path(), &["people", "show", "jonas-ostberg"]);
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(
        shown
            .lines()
            .any(|l| l.starts_with("photo:") && l.ends_with(" photos/jonas.png")),
        "{shown}"
    );

    let out = support::run_in(
        temp.path(),
        &["people", "edit", "mikko-virtanen", "--photo", ""],
    );
    assert!(out.status.success(), "{}", support::stderr(&out));
    let society = Society::load_dir(&data).unwrap();
    assert!(society.person("mikko-virtanen").unwrap().photo.is_none());
    let shown = support::run_in(temp.path(), &["people", "show", "mikko-virtanen"]);
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(!shown.contains("photo:"), "{shown}");
}

#[test]
fn an_import_reads_the_photo_column() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    support::copy_data(&support::fixture("valid"), &data);
    std::fs::create_dir(data.join("photos")).unwrap();
    std::fs::write(
        data.join("photos/new.jpg"),
        photo_bytes(300, 400, ImageFormat::Jpeg),
    )
    .unwrap();
    let csv = temp.path().join("people.csv");
    std::fs::write(
        &csv,
        "id,given,family,country,photo\nnora-nyberg,Nora,Nyberg,NO,photos/new.jpg\nola-olsen,Ola,Olsen,NO,photos/none.jpg\n",
    )
    .unwrap();
    let out = support::run_in(temp.path(), &["people", "import", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let said = support::stderr(&out);
    assert!(said.contains("line 3: column \"photo\""), "{said}");
    assert!(said.contains("data/photos/none.jpg is missing"), "{said}");
    std::fs::write(
        &csv,
        "id,given,family,country,photo\nnora-nyberg,Nora,Nyberg,NO,photos/new.jpg\n",
    )
    .unwrap();
    let out = support::run_in(temp.path(), &["people", "import", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let society = Society::load_dir(&data).unwrap();
    let nora = society.person("nora-nyberg").unwrap();
    assert_eq!(nora.photo.as_ref().unwrap().size(), (300, 400));
}

/// The photo files reach visitors through the server with their types,
/// and a cache must ask again, as for every file made from the data.
#[tokio::test]
async fn the_server_serves_the_photos_with_their_types() {
    let state = nspm_server::AppState::new(society_with_photo()).unwrap();
    for (path, mime) in [
        ("/people/ada-quote/photo-320.jpg", "image/jpeg"),
        ("/people/ada-quote/photo-320.webp", "image/webp"),
    ] {
        let r = crate::server::send(&state, "GET", path).await;
        assert_eq!(r.status, 200, "{path}");
        let header = |name: &str| r.headers.get(name).unwrap().to_str().unwrap().to_string();
        assert_eq!(header("content-type"), mime);
        assert_eq!(header("cache-control"), "no-cache");
        assert!(
            r.headers.get("content-encoding").is_none(),
            "{path} is not compressed"
        );
        assert!(image::load_from_memory(&r.body).is_ok());
    }
}
