//! The website: what each page says (snapshots), that nothing private or
//! unescaped reaches it, that every link resolves, and that the pages pass
//! the Nu Html Checker and axe-core in Chromium.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use nspm_core::Audience;
use nspm_core::{Society, Timestamp};
use nspm_export::site::content_type;
use nspm_export::{CalendarOptions, CardOptions, Site, SiteOptions, VcardVersion, ics, vcard};

use crate::support;

fn options() -> SiteOptions {
    SiteOptions {
        stamp: Timestamp::parse("2026-01-01T00:00:00Z").unwrap(),
        today: nspm_core::PartialDate::parse("2026-01-01").unwrap(),
    }
}

/// The site fixture, with a photo for Ada (made by the test), so that
/// every check of the pages (snapshots, vnu, axe) meets a page with one.
fn fixture_society() -> Society {
    let temp = support::with_photo(&support::fixture("site"), "ada-quote");
    Society::load_dir(&temp.path().join("data")).unwrap()
}

fn fixture_site() -> Site {
    Site::build(&fixture_society(), &options()).unwrap()
}

fn embedded_site() -> Site {
    Site::build(&Society::load_embedded().unwrap(), &options()).unwrap()
}

fn text<'a>(site: &'a Site, path: &str) -> &'a str {
    let page = site
        .get(path)
        .unwrap_or_else(|| panic!("the site has no {path}"));
    std::str::from_utf8(&page.bytes).unwrap()
}

/// Asserts that the file at `path` holds `wanted`, showing the whole file
/// when it does not.
fn holds(site: &Site, path: &str, wanted: &str) {
    let file = text(site, path);
    assert!(file.contains(wanted), "{path} lacks {wanted:?}:\n{file}");
}

fn html_pages(site: &Site) -> impl Iterator<Item = (&str, &str)> {
    site.iter()
        .filter(|(_, p)| p.content_type == content_type::HTML)
        .map(|(path, p)| (path, std::str::from_utf8(&p.bytes).unwrap()))
}

/// A snapshot name for a path: `/people/ada-quote/` is `people-ada-quote`.
fn snapshot_name(prefix: &str, path: &str) -> String {
    let name = path.trim_matches('/').replace(['/', '.'], "-");
    format!("{prefix}-{}", if name.is_empty() { "home" } else { &name })
}

#[test]
fn fixture_pages_match_their_snapshots() {
    let site = fixture_site();
    for (path, page) in site.iter() {
        // The stylesheet and icon are files in the repository, and the
        // downloads are proven against their writers below.
        if !(page.content_type == content_type::HTML
            || path.ends_with(".txt")
            || path.ends_with(".xml"))
        {
            continue;
        }
        let body = std::str::from_utf8(&page.bytes).unwrap();
        insta::assert_snapshot!(snapshot_name("fixture", path), body);
    }
}

#[test]
fn embedded_home_and_committee_match_their_snapshots() {
    let site = embedded_site();
    for path in ["/", "/committee/", "/meetings/"] {
        insta::assert_snapshot!(snapshot_name("embedded", path), text(&site, path));
    }
}

#[test]
fn the_site_has_every_page_of_the_url_map() {
    let site = fixture_site();
    let paths: BTreeSet<&str> = site.iter().map(|(p, _)| p).collect();
    for path in [
        "/",
        "/committee/",
        "/people/ada-quote/",
        "/people/dana-guest/",
        "/institutions/bergen-lab/",
        "/meetings/",
        "/meetings/bergen-2015/",
        "/contact/",
        "/sitemap.xml",
        "/robots.txt",
        "/404.html",
        "/style.css",
        "/favicon.svg",
        "/calendar.ics",
        "/meetings/bergen-2015.ics",
        "/people/ada-quote.vcf",
        "/committee.vcf",
        "/society.vcf",
    ] {
        assert!(paths.contains(path), "missing {path}");
    }
    assert_eq!(site.not_found().content_type, content_type::HTML);
    // Without a base URL a sitemap cannot list absolute URLs, so there is none.
    let embedded = embedded_site();
    assert!(embedded.get("/sitemap.xml").is_none());
    assert!(!text(&embedded, "/robots.txt").contains("Sitemap"));
    assert!(text(&site, "/robots.txt").contains("Sitemap: https://example.org/nspm/sitemap.xml"));
}

#[test]
fn downloads_are_the_public_cards_and_calendars() {
    let society = fixture_society();
    let site = fixture_site();
    let cards = CardOptions {
        version: VcardVersion::V3,
        audience: Audience::Public,
    };
    let calendars = CalendarOptions {
        audience: Audience::Public,
        stamp: options().stamp,
    };
    let ada = society.person("ada-quote").unwrap();
    assert_eq!(
        text(&site, "/people/ada-quote.vcf"),
        vcard::person_card(&society, ada, &cards)
    );
    assert_eq!(
        text(&site, "/society.vcf"),
        vcard::society_card(&society, &cards)
    );
    let committee = text(&site, "/committee.vcf");
    // The society's card, then the three committee members; Dana has no role.
    assert_eq!(committee.matches("BEGIN:VCARD").count(), 4);
    assert!(!committee.contains("Guest"));
    let bergen = society.meeting("bergen-2015").unwrap();
    assert_eq!(
        text(&site, "/meetings/bergen-2015.ics"),
        ics::meeting_calendar(&society, bergen, &calendars)
    );
    assert_eq!(
        text(&site, "/calendar.ics").matches("BEGIN:VEVENT").count(),
        3
    );
    assert_eq!(
        site.get("/calendar.ics").unwrap().content_type,
        content_type::CALENDAR
    );
    assert_eq!(
        site.get("/society.vcf").unwrap().content_type,
        content_type::VCARD
    );
    // Subscribing needs the host, so webcal:// appears only with a base URL.
    assert!(text(&site, "/meetings/").contains("href=\"webcal://example.org/nspm/calendar.ics\""));
    let embedded = embedded_site();
    assert!(!text(&embedded, "/meetings/").contains("webcal:"));
    assert!(text(&embedded, "/meetings/").contains("href=\"../calendar.ics\""));
    assert!(
        text(&embedded, "/people/soren-brunak/").contains("href=\"../../people/soren-brunak.vcf\"")
    );
}

#[test]
fn members_only_details_never_reach_the_site() {
    let site = fixture_site();
    for (path, page) in site.iter() {
        let body = String::from_utf8_lossy(&page.bytes);
        for secret in ["hidden.member@example.org", "99 99 99 99", "dana.secret"] {
            assert!(!body.contains(secret), "{path} shows {secret}");
        }
    }
    // Public details do appear, so the check above is not vacuous.
    assert!(text(&site, "/people/bjorn-long/").contains("mailto:bjorn@example.org"));
    assert!(text(&site, "/people/ada-quote/").contains("https://orcid.org/0000-0002-1825-0097"));
}

#[test]
fn hostile_text_is_shown_as_text() {
    let site = fixture_site();
    for (path, body) in html_pages(&site) {
        assert!(
            !body.contains("<script>alert"),
            "{path} runs data as script"
        );
        assert!(
            !body.contains("<b>") && !body.contains("<em>"),
            "{path} has raw markup"
        );
        // Every script element is JSON-LD, and its JSON means what the data says.
        for block in body.split("<script type=\"application/ld+json\">").skip(1) {
            let json = block.split("</script>").next().unwrap();
            let value: serde_json::Value = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{path}: JSON-LD does not parse: {e}"));
            assert!(!json.contains('<'), "{path}: JSON-LD holds a raw <");
            assert_eq!(value["@context"], "https://schema.org");
        }
    }
    let home = text(&site, "/");
    assert!(
        home.contains("Society for &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Tests")
    );
    let meeting = text(&site, "/meetings/first-2014/");
    // The newline in the summary splits it into two paragraphs.
    assert!(meeting.contains("<p>Line one &amp; &quot;two&quot;.</p>\n<p>Line &lt;script&gt;"));
    let ld = jsonld(meeting);
    assert_eq!(
        ld["description"],
        "Line one & \"two\".\nLine <script>alert(2)</script> three."
    );
}

/// The first JSON-LD block of a page.
fn jsonld(page: &str) -> serde_json::Value {
    let json = page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|b| b.split("</script>").next())
        .expect("the page has JSON-LD");
    serde_json::from_str(json).unwrap()
}

#[test]
fn dates_keep_their_precision() {
    let site = embedded_site();
    let meetings = text(&site, "/meetings/");
    assert!(meetings.contains("<time datetime=\"2015-05\">May 2015</time>"));
    assert!(meetings.contains("<time datetime=\"2014\">2014</time>"));
    for (path, body) in html_pages(&site) {
        assert!(
            !body.contains("1 May 2015") && !body.contains("2015-05-01"),
            "{path}"
        );
    }
    let event = jsonld(text(&site, "/meetings/cold-spring-harbor-2015/"));
    assert_eq!(event["@type"], "Event");
    assert_eq!(event["startDate"], "2015-05");
    let fixture = fixture_site();
    let event = jsonld(text(&fixture, "/meetings/berlin-2016/"));
    assert_eq!(event["startDate"], "2016-09-12");
    assert_eq!(event["endDate"], "2016-09-14");
    assert_eq!(
        event["url"],
        "https://example.org/nspm/meetings/berlin-2016/"
    );
}

#[test]
fn timed_meetings_show_their_times_by_their_zones_clocks() {
    let society = Society::load_dir(&support::fixture("formats/society")).unwrap();
    let site = Site::build(&society, &options()).unwrap();
    holds(
        &site,
        "/meetings/oslo-workshop-2019/",
        ", 09:00–17:30 (Europe/Oslo)</dd>",
    );
    holds(
        &site,
        "/meetings/helsinki-2021/",
        " to <time datetime=\"2021-03-28\">28 March 2021</time>, 10:00–15:00 (Europe/Helsinki)</dd>",
    );
    let untimed = text(&site, "/meetings/bergen-2019/");
    assert!(!untimed.contains("(Europe/"), "{untimed}");
}

#[test]
fn schema_org_describes_the_society_and_its_people() {
    let site = embedded_site();
    let org = jsonld(text(&site, "/"));
    assert_eq!(org["@type"], "Organization");
    assert_eq!(org["name"], "Nordic Society for Precision Medicine");
    assert_eq!(org["member"].as_array().unwrap().len(), 22);
    let person = jsonld(text(&site, "/people/soren-brunak/"));
    assert_eq!(person["@type"], "Person");
    assert_eq!(person["familyName"], "Brunak");
    assert_eq!(person["affiliation"]["name"], "University of Copenhagen");
}

#[test]
fn every_page_has_a_title_description_and_canonical_link() {
    let site = fixture_site();
    for (path, body) in html_pages(&site) {
        assert!(
            body.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
            "{path}"
        );
        assert!(body.contains("<title>") && body.contains("<meta name=\"description\" content=\""));
        let canonical = format!(
            "<link rel=\"canonical\" href=\"https://example.org/nspm/{}\">",
            path.trim_start_matches('/')
        );
        assert_eq!(body.contains(&canonical), path != "/404.html", "{path}");
    }
    let sitemap = text(&site, "/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/nspm/people/ada-quote/</loc>"));
    assert!(!sitemap.contains("404"));
    // Without a base URL there is no canonical link: it must be absolute.
    for (path, body) in html_pages(&embedded_site()) {
        assert!(!body.contains("rel=\"canonical\""), "{path}");
    }
}

#[test]
fn the_committee_map_marks_each_country_with_its_flag_and_count() {
    let site = embedded_site();
    let page = text(&site, "/committee/");
    for (code, name, count) in [
        ("NO", "Norway", 5),
        ("DK", "Denmark", 4),
        ("SE", "Sweden", 5),
        ("FI", "Finland", 3),
        ("IS", "Iceland", 2),
        ("EE", "Estonia", 2),
    ] {
        assert!(
            page.contains(&format!("<use href=\"#flag-{code}\"")),
            "{code}"
        );
        assert!(page.contains(&format!(">{code} {count}</text>")), "{code}");
        assert!(
            page.contains(&format!("</a></th><td class=\"number\">{count}</td>")),
            "{name}"
        );
        assert!(page.contains(&format!("{name}: {count}")), "{name}");
    }
    // The United States is not drawn but is still listed.
    assert!(page.contains("United States</a> <span class=\"note\">(not marked on the map)</span></th><td class=\"number\">1</td>"));
}

#[test]
fn the_site_is_deterministic() {
    let a = fixture_site();
    let b = fixture_site();
    assert_eq!(a.len(), b.len());
    for ((pa, a), (pb, b)) in a.iter().zip(b.iter()) {
        assert_eq!(pa, pb);
        assert!(a == b, "{pa} differs between two builds");
    }
}

/// Writes a site to a fresh folder, checking that each path became its file.
fn export(site: &Site) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let exported = nspm_store::ExportDir::new(dir.path())
        .replace(site.files())
        .unwrap();
    assert_eq!(exported.files, site.len());
    for (path, page) in site.iter() {
        let file = dir.path().join(Site::file_for(path));
        assert_eq!(
            std::fs::read(&file).unwrap(),
            page.bytes,
            "{}",
            file.display()
        );
    }
    assert!(dir.path().join("committee/index.html").is_file());
    dir
}

/// The values of `href="…"` and `src="…"` attributes in a page.
fn links(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        for rest in body.split(attr).skip(1) {
            let value = rest.split('"').next().unwrap();
            found.push(value.replace("&amp;", "&"));
        }
    }
    found
}

/// Resolves a link from the page at `from` (a URL path) to a site path and
/// fragment, or None for a link that leaves the site.
fn resolve(from: &str, link: &str, base: Option<&str>) -> Option<(String, Option<String>)> {
    let (target, fragment) = match link.split_once('#') {
        Some((t, f)) => (t, Some(f.to_string())),
        None => (link, None),
    };
    let path = if let Some(rest) = base.and_then(|b| target.strip_prefix(b)) {
        format!("/{rest}")
    } else if target.contains(':') {
        return None;
    } else if target.starts_with('/') {
        target.to_string()
    } else if target.is_empty() {
        from.to_string()
    } else {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for segment in target.split('/') {
            match segment {
                ".." => {
                    assert!(parts.len() > 1, "{link} from {from} leaves the site");
                    parts.pop();
                }
                "." => {}
                s => parts.push(s),
            }
        }
        let mut path = parts.join("/");
        let names_a_folder = target.ends_with('/') || target.ends_with("/.") || target == ".";
        if names_a_folder && !path.ends_with('/') {
            path.push('/');
        }
        path
    };
    Some((path, fragment))
}

fn check_links(site: &Site, base: Option<&str>) -> usize {
    let ids: BTreeMap<&str, BTreeSet<String>> = html_pages(site)
        .map(|(path, body)| {
            let ids = body
                .split(" id=\"")
                .skip(1)
                .map(|r| r.split('"').next().unwrap().to_string())
                .collect();
            (path, ids)
        })
        .collect();
    let mut checked = 0;
    for (from, body) in html_pages(site) {
        for link in links(body) {
            let Some((path, fragment)) = resolve(from, &link, base) else {
                continue;
            };
            assert!(
                site.get(&path).is_some(),
                "{from}: {link} leads to missing {path}"
            );
            if let Some(fragment) = fragment {
                assert!(
                    ids.get(path.as_str())
                        .is_some_and(|ids| ids.contains(&fragment)),
                    "{from}: {link} names no element in {path}"
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_internal_link_resolves() {
    assert_eq!(
        resolve("/people/x/", "../../committee/", None).unwrap().0,
        "/committee/"
    );
    assert_eq!(resolve("/", "./", None).unwrap().0, "/");
    assert_eq!(
        resolve("/people/x/", "../y.vcf", None).unwrap().0,
        "/people/y.vcf"
    );
    let fixture = fixture_site();
    assert!(check_links(&fixture, Some("https://example.org/nspm/")) > 100);
    assert!(check_links(&embedded_site(), None) > 300);
}

/// The members' side of the `members` fixture written to disk beside its
/// public site, so that its links to the style sheet resolve: each page
/// and download by its path, and the pages the server shows by need (the
/// sign-in form, the TLS notice, a search) under names of their own.
fn members_export() -> tempfile::TempDir {
    let society = Society::load_dir(&support::fixture("members-area")).unwrap();
    let dir = export(&Site::build(&society, &options()).unwrap());
    let members = nspm_export::MembersSite::build(&society, &options()).unwrap();
    let search = |q: &str| nspm_export::site::members::search(&society, &options(), q).unwrap();
    let extra = [
        ("members/sign-in.html", members.forms.sign_in.clone()),
        (
            "members/sign-in-failed.html",
            members.forms.sign_in_failed.clone(),
        ),
        ("members/needs-tls.html", members.forms.needs_tls.clone()),
        ("members/search.html", search("")),
        ("members/search-found.html", search("bjorn")),
        ("members/search-none.html", search("nobody")),
    ];
    let files = members
        .pages
        .files()
        .map(|(file, bytes)| (file, bytes.to_vec()))
        .chain(extra.into_iter().map(|(f, p)| (PathBuf::from(f), p.bytes)));
    for (file, bytes) in files {
        let path = dir.path().join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Both sites, and the members' side, written to disk, and every HTML
/// file in them.
fn exported_html() -> (Vec<tempfile::TempDir>, Vec<PathBuf>) {
    let dirs = vec![
        export(&fixture_site()),
        export(&embedded_site()),
        // News, and a meeting to come.
        export(&site_on(&news_society(), "2031-05-14")),
        members_export(),
    ];
    let mut files = Vec::new();
    for dir in &dirs {
        collect_html(dir.path(), &mut files);
    }
    files.sort();
    (dirs, files)
}

fn collect_html(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect_html(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

fn tools() -> PathBuf {
    support::root().join("tests/tools")
}

/// The Nu Html Checker's report on these files (errors only), and whether
/// it exited successfully.
fn vnu(args: &[&str], files: &[PathBuf]) -> (serde_json::Value, bool) {
    let jar = tools().join("node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        jar.is_file(),
        "{} is missing: run tests/tools/install",
        jar.display()
    );
    let out = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(args)
        .args(["--errors-only", "--format", "json"])
        .args(files)
        .output()
        .expect("java runs");
    // vnu writes its JSON report to standard error.
    let report = serde_json::from_slice(&out.stderr).unwrap_or_else(|e| {
        panic!(
            "vnu's report is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (report, out.status.success())
}

#[test]
fn every_page_passes_the_nu_html_checker() {
    if !support::external_tests("the Nu Html Checker") {
        return;
    }
    let (_dirs, files) = exported_html();
    let (report, ok) = vnu(&[], &files);
    let messages = report["messages"].as_array().unwrap();
    assert!(
        messages.is_empty(),
        "vnu found errors in {} pages: {report:#}",
        files.len()
    );
    assert!(ok);
    assert!(files.len() > 40);
}

#[test]
fn every_page_passes_axe_and_fits_a_phone() {
    if !support::external_tests("axe-core in Chromium") {
        return;
    }
    let (_dirs, files) = exported_html();
    let stdout = support::tool_stdout(
        Command::new("node")
            .arg(tools().join("axe.mjs"))
            .args(&files)
            .current_dir(tools()),
    );
    assert!(
        stdout.contains(&format!("checked {} pages", files.len())),
        "{stdout}"
    );
}

/// The `content` of each `<meta property|name="KEY">` in a page, by key.
fn meta_tags(body: &str) -> BTreeMap<String, String> {
    let re = regex::Regex::new(r#"<meta (?:property|name)="([^"]+)" content="([^"]*)">"#).unwrap();
    re.captures_iter(body)
        .map(|c| (c[1].to_string(), c[2].to_string()))
        .collect()
}

#[test]
fn every_page_has_open_graph_tags_and_a_preview_image_of_its_own() {
    let site = fixture_site();
    let society = fixture_society();
    let name = society
        .info
        .name
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let name = name.replace('"', "&quot;").replace('\'', "&#39;");
    let mut images = BTreeSet::new();
    for (path, body) in html_pages(&site) {
        let tags = meta_tags(body);
        let tag = |key: &str| {
            tags.get(key)
                .unwrap_or_else(|| panic!("{path} has no {key}"))
                .as_str()
        };
        assert_eq!(tag("og:site_name"), name, "{path}");
        assert!(!tag("og:title").is_empty(), "{path}");
        let kind = if path.starts_with("/people/") {
            "profile"
        } else {
            "website"
        };
        assert_eq!(tag("og:type"), kind, "{path}");
        assert_eq!(tag("twitter:card"), "summary_large_image", "{path}");
        assert_eq!(
            (tag("og:image:width"), tag("og:image:height")),
            ("1200", "630")
        );
        assert!(tag("og:image:alt").contains(tag("og:title")), "{path}");
        if path != "/404.html" {
            assert_eq!(
                tag("og:url"),
                format!("https://example.org/nspm/{}", path.trim_start_matches('/'))
            );
        }
        // The image is on the site itself, a PNG of the size the tags say.
        let url = tag("og:image");
        let image_path = url
            .strip_prefix("https://example.org/nspm")
            .unwrap_or_else(|| panic!("{path}: {url} is not on the site"));
        let image = site
            .get(image_path)
            .unwrap_or_else(|| panic!("{path}: the site has no {image_path}"));
        assert_eq!(image.content_type, "image/png");
        let decoded =
            image::load_from_memory_with_format(&image.bytes, image::ImageFormat::Png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1200, 630), "{path}");
        assert!(
            images.insert(image.bytes.clone()),
            "{path} shares its image"
        );
    }
    // Without a base URL the image has no absolute address to give, so the
    // tags name none and the card is the small one.
    for (path, body) in html_pages(&embedded_site()) {
        let tags = meta_tags(body);
        assert!(
            !tags.contains_key("og:image") && !tags.contains_key("og:url"),
            "{path}"
        );
        assert_eq!(tags["twitter:card"], "summary", "{path}");
        assert!(tags.contains_key("og:title"), "{path}");
    }
}

/// The value of `key` in the query of the first link to `prefix` in `page`.
fn link_query(page: &str, prefix: &str, key: &str) -> String {
    let start = page
        .find(&format!("href=\"{prefix}"))
        .unwrap_or_else(|| panic!("no link to {prefix}"));
    let href = &page[start + 6..];
    let href = &href[..href.find('"').unwrap()].replace("&amp;", "&");
    let query = href.split_once('?').unwrap().1;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{href} has no {key}"));
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// The value of an iCalendar property (its parameters left out).
fn ics_value(ics: &str, name: &str) -> String {
    ics.split("\r\n")
        .find(|l| l.starts_with(&format!("{name}:")) || l.starts_with(&format!("{name};")))
        .and_then(|l| l.split_once(':'))
        .unwrap_or_else(|| panic!("no {name}"))
        .1
        .to_string()
}

#[test]
fn add_to_calendar_links_give_the_dates_of_the_ics() {
    let google = "https://calendar.google.com/calendar/render?";
    let outlook = "https://outlook.live.com/calendar/0/deeplink/compose?";
    // With a base URL: a timed meeting of one day and one of two days, and
    // an all-day meeting of three with its exclusive end.
    let society = Society::load_dir(&support::fixture("formats/society")).unwrap();
    let site = Site::build(&society, &options()).unwrap();
    for id in ["oslo-workshop-2019", "helsinki-2021", "bergen-2019"] {
        let page = text(&site, &format!("/meetings/{id}/"));
        let ics = text(&site, &format!("/meetings/{id}.ics"));
        let (start, end) = (ics_value(ics, "DTSTART"), ics_value(ics, "DTEND"));
        assert_eq!(
            link_query(page, google, "dates"),
            format!("{start}/{end}"),
            "{id}"
        );
        assert_eq!(
            link_query(page, google, "text"),
            ics_value(ics, "SUMMARY"),
            "{id}"
        );
        let extended = |basic: &str| {
            let d = format!("{}-{}-{}", &basic[..4], &basic[4..6], &basic[6..8]);
            match basic.get(9..) {
                Some(t) => format!("{d}T{}:{}:{}", &t[..2], &t[2..4], &t[4..]),
                None => d,
            }
        };
        assert_eq!(
            link_query(page, outlook, "startdt"),
            extended(&start),
            "{id}"
        );
        assert_eq!(link_query(page, outlook, "enddt"), extended(&end), "{id}");
        assert_eq!(page.contains("allday=true"), !start.contains('T'), "{id}");
        assert!(
            page.contains(&format!(
                "href=\"webcal://nfs.example.org/meetings/{id}.ics\""
            )),
            "{id}"
        );
    }
    // Without one there is no webcal link; a meeting known only to the
    // month gets no links, whose dates would name a day the data does not.
    let site = embedded_site();
    let month_only = text(&site, "/meetings/cold-spring-harbor-2015/");
    assert!(!month_only.contains(google) && !month_only.contains("webcal:"));
}

#[test]
fn icons_and_the_web_manifest_are_linked_from_every_page_and_real() {
    let site = fixture_site();
    let png = |path: &str| {
        let page = site.get(path).unwrap_or_else(|| panic!("no {path}"));
        assert_eq!(page.content_type, "image/png", "{path}");
        image::load_from_memory_with_format(&page.bytes, image::ImageFormat::Png).unwrap()
    };
    for (path, size) in [
        ("/favicon-32.png", 32),
        ("/icon-192.png", 192),
        ("/icon-512.png", 512),
        ("/apple-touch-icon.png", 180),
    ] {
        let icon = png(path);
        assert_eq!((icon.width(), icon.height()), (size, size), "{path}");
        // Drawn from the favicon: its blue tile, with the white cross.
        let rgba = icon.to_rgba8();
        let centre = rgba.get_pixel(size * 11 / 32, size / 2).0;
        assert_eq!(centre, [255, 255, 255, 255], "{path}");
        let tile = rgba.get_pixel(size * 3 / 4, size * 3 / 4).0;
        assert_eq!(tile, [0x0b, 0x3a, 0x66, 255], "{path}");
        // Only Apple's icon is square to its corners.
        let corner = rgba.get_pixel(0, 0).0[3];
        assert_eq!(corner == 255, path == "/apple-touch-icon.png", "{path}");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&site.get("/site.webmanifest").unwrap().bytes).unwrap();
    assert_eq!(manifest["short_name"], "S&T");
    assert_eq!(manifest["theme_color"], "#0b3a66");
    for icon in manifest["icons"].as_array().unwrap() {
        let path = format!("/{}", icon["src"].as_str().unwrap());
        if icon["type"] == "image/png" {
            let decoded = png(&path);
            let sizes = format!("{}x{}", decoded.width(), decoded.height());
            assert_eq!(icon["sizes"], sizes.as_str(), "{path}");
        } else {
            assert!(site.get(&path).is_some(), "{path}");
        }
    }
    for (path, body) in html_pages(&site) {
        for link in [
            "favicon-32.png\" sizes=\"32x32\" type=\"image/png\">",
            "apple-touch-icon.png\">",
            "site.webmanifest\">",
        ] {
            assert!(body.contains(link), "{path} lacks {link}");
        }
    }
}

/// The fixture with news: Markdown, raw HTML, dates of each precision, and
/// a meeting still to come on 2031-05-14 and 15.
fn news_society() -> Society {
    Society::load_dir(&support::fixture("news")).unwrap()
}

fn site_on(society: &Society, today: &str) -> Site {
    let options = SiteOptions {
        today: nspm_core::PartialDate::parse(today).unwrap(),
        ..options()
    };
    Site::build(society, &options).unwrap()
}

/// The `<main>` of a page, where the meetings and news are shown.
fn main_of(page: &str) -> &str {
    let start = page.find("<main").unwrap();
    &page[start..page.find("</main>").unwrap()]
}

#[test]
fn upcoming_meetings_lead_until_their_last_day_is_past() {
    let society = news_society();
    for (today, upcoming) in [
        ("2031-05-13", true),
        ("2031-05-15", true),
        ("2031-05-16", false),
    ] {
        let site = site_on(&society, today);
        let home = main_of(text(&site, "/"));
        let meetings = main_of(text(&site, "/meetings/"));
        assert_eq!(
            home.contains("Upcoming meetings"),
            upcoming,
            "home page on {today}"
        );
        assert_eq!(meetings.contains("id=\"upcoming\""), upcoming, "{today}");
        let oslo = meetings.find("Oslo symposium").unwrap();
        let berlin = meetings.find("Berlin workshop").unwrap();
        if upcoming {
            // The meeting to come leads; the past follow as history.
            let history = meetings.find("id=\"history\"").unwrap();
            assert!(oslo < history && history < berlin, "{today}: {meetings}");
            assert!(
                home.find("meetings/oslo-2031/").unwrap() < home.find("id=\"mission\"").unwrap()
            );
        } else {
            // Once past, it is the last of the history, as the others are.
            assert!(berlin < oslo, "{today}");
            assert!(!home.contains("meetings/oslo-2031/"));
        }
    }
}

/// A person's position is their card's TITLE (their roles stay as ROLE), and
/// the person's page shows it; a person without one keeps the society's
/// title for their role.
#[test]
fn a_position_is_the_cards_title_and_shown_on_the_page() {
    let site = fixture_site();
    let ada = text(&site, "/people/ada-quote.vcf");
    assert!(
        ada.contains("\r\nTITLE:Professor of <Genetics> & \"Statistics\"\r\n"),
        "{ada}"
    );
    assert!(ada.contains("\r\nROLE:"), "{ada}");
    holds(
        &site,
        "/people/bjorn-long.vcf",
        "\r\nTITLE:Member of the T<I> Steering Committee\r\n",
    );
    let page = text(&site, "/people/ada-quote/");
    assert!(
        page.contains(
            "<dt>Position</dt>\n<dd>Professor of &lt;Genetics&gt; &amp; &quot;Statistics&quot;</dd>"
        ),
        "{page}"
    );
    assert!(page.contains("\"jobTitle\": \"Professor of"), "{page}");
}

/// Every page marks where it is in the main navigation: the page itself,
/// or the section a record's page belongs to; record pages (a news item's
/// too) lead back by breadcrumbs.
#[test]
fn the_navigation_marks_the_current_page_or_section() {
    let fixture = fixture_site();
    // The fixture has no news: the society's own data has an item.
    let embedded = embedded_site();
    for (site, path, marked, current) in [
        (&fixture, "/", "About", "page"),
        (&fixture, "/committee/", "Committee", "page"),
        (&fixture, "/meetings/", "Meetings", "page"),
        (&fixture, "/news/", "News", "page"),
        (&fixture, "/contact/", "Contact", "page"),
        (&fixture, "/people/ada-quote/", "Committee", "true"),
        (&fixture, "/institutions/bergen-lab/", "Committee", "true"),
        (&fixture, "/meetings/bergen-2015/", "Meetings", "true"),
        (
            &embedded,
            "/news/society-formation-announced/",
            "News",
            "true",
        ),
    ] {
        let page = text(site, path);
        let nav = &page[page.find("aria-label=\"Main\"").unwrap()..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        assert_eq!(nav.matches("aria-current").count(), 1, "{path}: {nav}");
        assert!(
            nav.contains(&format!("aria-current=\"{current}\">{marked}</a>")),
            "{path}: {nav}"
        );
        assert_eq!(
            page.contains("aria-label=\"Breadcrumb\""),
            current == "true",
            "{path}"
        );
    }
}

#[test]
fn qr_codes_read_by_zbar_from_chromium_give_each_cards_address() {
    // Without a base URL a phone could not follow the code: there is none.
    let embedded = embedded_site();
    for (path, body) in html_pages(&embedded) {
        assert!(!body.contains("class=\"qr\""), "{path}");
    }
    let site = fixture_site();
    let pages: Vec<(&str, String)> = site
        .iter()
        .filter(|(path, _)| path.starts_with("/people/") && path.ends_with('/'))
        .map(|(path, _)| {
            let id = path.trim_start_matches("/people/").trim_end_matches('/');
            (path, format!("https://example.org/nspm/people/{id}.vcf"))
        })
        .chain([(
            "/contact/",
            "https://example.org/nspm/society.vcf".to_string(),
        )])
        .collect();
    for (path, url) in &pages {
        let body = text(&site, path);
        assert!(
            body.contains(&format!("{url}</figcaption>")),
            "{path} does not show {url}"
        );
        assert!(body.contains("alt=\"QR code of the address of the contact card of "));
    }
    if !support::external_tests("reading the QR codes in Chromium with zbar") {
        return;
    }
    let dir = export(&site);
    let shots = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = pages
        .iter()
        .map(|(path, _)| dir.path().join(Site::file_for(path)))
        .collect();
    support::tool_stdout(
        Command::new("node")
            .arg(tools().join("qr.mjs"))
            .arg(shots.path())
            .args(&files)
            .current_dir(tools()),
    );
    for (i, (path, url)) in pages.iter().enumerate() {
        let shot = shots.path().join(format!("{i}.png"));
        let read = support::tool_stdout(
            Command::new("zbarimg")
                .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
                .arg(&shot),
        );
        assert_eq!(read.trim_end(), url, "{path}");
    }
}

#[test]
fn news_pages_show_the_markdown_with_raw_html_as_text() {
    let site = site_on(&news_society(), "2026-01-01");
    let page = main_of(text(&site, "/news/berlin-report/"));
    assert!(
        page.contains("<h1>Report from &lt;Berlin&gt; &amp; after</h1>"),
        "{page}"
    );
    assert!(page.contains("<strong>Berlin</strong>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(3)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains("<script"), "{page}");
    assert!(page.contains("<a href=\"../../meetings/berlin-2016/\">the Berlin workshop</a>"));
    // The list and the home page: the latest first.
    let list = main_of(text(&site, "/news/"));
    let order: Vec<usize> = ["oslo-call", "berlin-report", "founding"]
        .iter()
        .map(|id| list.find(&format!("news/{id}/")).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{list}");
    let home = main_of(text(&site, "/"));
    assert!(home.contains("Call for the Oslo symposium") && home.contains("Founded"));
    // Every page names the feed, and the sitemap lists the news pages.
    for (path, page) in site.iter() {
        if page.content_type == content_type::HTML {
            let html = std::str::from_utf8(&page.bytes).unwrap();
            assert!(
                html.contains("<link rel=\"alternate\" type=\"application/atom+xml\" href=\""),
                "{path}"
            );
        }
    }
    let sitemap = text(&site, "/sitemap.xml");
    for id in ["oslo-call", "berlin-report", "founding"] {
        assert!(sitemap.contains(&format!("https://example.org/nspm/news/{id}/")));
    }
    assert!(text(&site, "/news/founding/").contains("\"@type\": \"NewsArticle\""));
}

#[test]
fn the_atom_feed_reads_as_news_ron_says_in_two_feed_parsers() {
    if !support::external_tests("the feed parsers") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let news = news_society();
    let mut moved = news.clone();
    moved.info.base_url = Some("https://elsewhere.example.net/".into());
    let embedded = Society::load_embedded().unwrap();
    let cases = [
        ("fixture", &news),
        ("moved", &moved),
        ("embedded", &embedded),
    ];
    let mut files = Vec::new();
    for (name, society) in cases {
        let path = dir.path().join(format!("{name}.xml"));
        std::fs::write(
            &path,
            &site_on(society, "2026-01-01")
                .get("/news.xml")
                .unwrap()
                .bytes,
        )
        .unwrap();
        files.push(path);
    }
    let feedparser: serde_json::Value = serde_json::from_str(&support::tool_stdout(
        Command::new(support::root().join(".tools/venv/bin/python"))
            .arg(tools().join("parse_feed.py"))
            .args(&files),
    ))
    .unwrap();
    let rowanmanning: serde_json::Value = serde_json::from_str(&support::tool_stdout(
        Command::new("node")
            .arg(tools().join("parse_feed.mjs"))
            .args(&files),
    ))
    .unwrap();
    let mut ids = Vec::new();
    for ((name, society), file) in cases.iter().zip(&files) {
        let file = file.to_str().unwrap();
        let (a, b) = (&feedparser[file], &rowanmanning[file]);
        assert_eq!(a["version"], "atom10", "{name}");
        assert_eq!(b["meta"]["type"], "atom", "{name}");
        let base = society.info.base_url.clone().unwrap_or_default();
        assert_eq!(a["feed"]["link"], format!("{base}news/"), "{name}");
        assert_eq!(b["feed"]["url"], format!("{base}news/"), "{name}");
        assert_eq!(a["feed"]["author"], society.info.name.as_str());
        assert_eq!(b["feed"]["authors"][0]["name"], society.info.name.as_str());
        let expected = society.news_newest_first();
        let (ea, eb) = (
            a["entries"].as_array().unwrap(),
            b["entries"].as_array().unwrap(),
        );
        assert_eq!(ea.len(), expected.len(), "{name}");
        assert_eq!(eb.len(), expected.len(), "{name}");
        for ((item, x), y) in expected.iter().zip(ea).zip(eb) {
            let (first, _) = item.date.days().unwrap();
            let updated = format!("{first}T00:00:00Z");
            assert_eq!(x["title"], item.title.as_str(), "{name}");
            assert_eq!(y["title"], item.title.as_str(), "{name}");
            assert_eq!(x["updated"], updated.as_str(), "{name}");
            assert_eq!(y["updated"], updated.replace('Z', ".000Z").as_str());
            let link = format!("{base}news/{}/", item.id);
            assert_eq!(x["link"], link.as_str(), "{name}");
            assert_eq!(y["url"], link.as_str(), "{name}");
            assert_eq!(x["id"], y["id"], "{name}");
            assert_eq!(x["content_type"], "text/html", "{name}");
            ids.push((name.to_string(), item.id.to_string(), x["id"].clone()));
        }
    }
    // The text reaches a reader as HTML, its raw HTML as text.
    let berlin = &feedparser[files[0].to_str().unwrap()]["entries"][1]["content"];
    let berlin = berlin.as_str().unwrap();
    assert!(berlin.contains("<strong>Berlin</strong>"), "{berlin}");
    assert!(berlin.contains("&lt;script&gt;"), "{berlin}");
    // An entry's id is its own, and stays when the site moves.
    let fixture: Vec<_> = ids.iter().filter(|(n, ..)| n == "fixture").collect();
    let moved: Vec<_> = ids.iter().filter(|(n, ..)| n == "moved").collect();
    for (a, b) in fixture.iter().zip(&moved) {
        assert_eq!((&a.1, &a.2), (&b.1, &b.2));
    }
    let unique: BTreeSet<String> = fixture.iter().map(|(_, _, id)| id.to_string()).collect();
    assert_eq!(unique.len(), fixture.len());
}

#[test]
fn the_stylesheet_passes_the_nu_css_checker() {
    if !support::external_tests("the Nu Html Checker") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let css = dir.path().join("style.css");
    std::fs::write(&css, &fixture_site().get("/style.css").unwrap().bytes).unwrap();
    let (report, ok) = vnu(&["--css"], &[css]);
    assert_eq!(report["messages"], serde_json::json!([]), "{report:#}");
    assert!(ok);
}

#[test]
fn a_site_built_with_progress_reports_every_job_once_and_is_the_same_site() {
    // With a base URL, so that the pages carry QR codes of the cards too.
    let mut society = Society::load_embedded().unwrap();
    society.info.base_url = Some("https://nspm.example.org/".into());
    let calls = std::sync::Mutex::new(Vec::new());
    let site = Site::build_reporting(&society, &options(), &|done| {
        calls.lock().unwrap().push(*done);
    })
    .unwrap();
    // One job for the pages the site has one of, and one per record shown;
    // then as many again for their preview images.
    let page_jobs = 1
        + society.people_for(Audience::Public).count()
        + society.institutions.len()
        + society.meetings.len()
        + society.news.len();
    let jobs = 2 * page_jobs;
    let calls = calls.into_inner().unwrap();
    let mut counts: Vec<_> = calls.iter().map(|c| (c.done, c.jobs)).collect();
    counts.sort();
    let expected: Vec<_> = (1..=jobs).map(|done| (done, jobs)).collect();
    assert_eq!(counts, expected);
    // The last job's call counts every preview image and QR code the site
    // holds, and drawing them took some CPU time.
    let last = calls.iter().find(|c| c.done == jobs).unwrap();
    let held = |dir: &str| {
        site.iter()
            .filter(|(path, _)| path.starts_with(dir))
            .count()
    };
    assert_eq!(last.previews, held("/preview/"));
    assert!(last.previews > 0 && !last.preview_cpu.is_zero(), "{last:?}");
    assert_eq!(last.qr_codes, held("/qr/"));
    assert!(last.qr_codes > 0 && !last.qr_cpu.is_zero(), "{last:?}");
    // The pages come first: when the last page job is done, every QR code
    // (drawn with its page) is and no preview image yet.
    let paged = calls.iter().find(|c| c.done == page_jobs).unwrap();
    assert_eq!(paged.qr_codes, held("/qr/"), "{paged:?}");
    assert_eq!(paged.previews, 0, "{paged:?}");
    let same = Site::build(&society, &options()).unwrap();
    assert!(
        site.iter().eq(same.iter()),
        "the site differs with progress"
    );
}
