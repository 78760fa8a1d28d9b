//! Renders each page of the site from the society's public views.

use std::collections::{BTreeMap, HashMap};
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use minijinja::{Environment, Value, context};
use nspm_core::view::{InstitutionView, MeetingView, NewsView, PersonView, SocietyView};
use nspm_core::{
    Audience, Country, Institution, Meeting, MeetingQuery, NewsItem, PartialDate, PeopleQuery,
    Person, Role, Society,
};
use serde::Serialize;

use super::jsonld::{self, Urls};
use super::templates::{Fields, Scope, fields};
use super::{
    Done, NOT_FOUND, Page, Progress, SiteOptions, add_to_calendar, content_type, icons, map, news,
    preview, qr, templates,
};
use crate::vcard::{self, CardOptions, VcardVersion};
use crate::{CalendarOptions, ExportError, ics, parallel, photo};

const STYLE: &str = include_str!("../../assets/style.css");

/// The site is public, always: members' pages are made elsewhere, from the
/// same views with the members' audience.
const AUDIENCE: Audience = Audience::Public;

/// The longest meta description, in characters; search engines cut longer ones.
const DESCRIPTION_LIMIT: usize = 160;

/// One piece of the site that renders independently of the others: the
/// unit of work handed to the cores.
enum Job<'a> {
    /// The pages and downloads of which there is one per site.
    Frame,
    Person(&'a Person),
    Institution(&'a Institution),
    Meeting(&'a Meeting),
    News(&'a NewsItem),
}

/// How many announcements the home page shows, the latest first.
const HOME_NEWS: usize = 3;

pub(crate) fn render_all(
    society: &Society,
    options: &SiteOptions,
    progress: Progress<'_>,
) -> Result<BTreeMap<String, Page>, ExportError> {
    let r = Renderer::new(society, options, AUDIENCE);
    let jobs: Vec<Job> = std::iter::once(Job::Frame)
        .chain(society.people_for(AUDIENCE).map(Job::Person))
        .chain(society.institutions.iter().map(Job::Institution))
        .chain(society.meetings.iter().map(Job::Meeting))
        .chain(society.news.iter().map(Job::News))
        .collect();
    // Each photo is far more work than a page: they are made first, one a
    // task, and the pages that show them find them made.
    let with_photos: Vec<&Person> = society
        .people_for(AUDIENCE)
        .filter(|p| p.photo.is_some())
        .collect();
    parallel::try_map_each(&with_photos, |p| {
        r.drawn
            .photos
            .time(|| photo::renditions(p).map(|_| ()), |_| 1)
    })?;
    // Two passes over the jobs: the pages first, then their preview
    // images. A preview's 3 MB of pixels would push the templates and the
    // views out of the caches if it were drawn between two pages; and the
    // pages' cost is then the first pass's alone, which a front end that
    // reports where the time goes can tell apart.
    let done = AtomicUsize::new(0);
    let units = 2 * jobs.len();
    let tell = || {
        // Acquire and release: the unit that counts itself last then reads
        // every other unit's tallies, which each added before it counted.
        let done = done.fetch_add(1, Ordering::AcqRel) + 1;
        progress(&Done {
            done,
            jobs: units,
            previews: r.drawn.previews.count(),
            preview_cpu: r.drawn.previews.cpu(),
            qr_codes: r.drawn.qr_codes.count(),
            qr_cpu: r.drawn.qr_codes.cpu(),
            photos: r.drawn.photos.count(),
            photo_cpu: r.drawn.photos.cpu(),
        });
    };
    // The jobs go to the cores a block at a time, and each block's images
    // are drawn together and timed once: the thread's CPU clock is a system
    // call, and reading it twice an image cost more than a tenth of the
    // pages' own time. A block's QR codes are drawn before its pages, which
    // show them.
    let rendered = parallel::try_map_in_blocks(&jobs, |block| {
        let codes = r.drawn.qr_codes.time(
            || {
                let codes = block.iter().map(|job| r.card_qr(job));
                codes.collect::<Result<Vec<_>, _>>()
            },
            |codes| codes.as_ref().map_or(0, |c| c.iter().flatten().count()),
        )?;
        let mut made = Vec::with_capacity(block.len());
        for (job, code) in block.iter().zip(codes) {
            made.push(r.job(job, code)?);
            tell();
        }
        Ok::<_, ExportError>(made)
    })?;
    let (resources, sketches): (Vec<_>, Vec<_>) = rendered
        .into_iter()
        .map(|made| (made.resources, made.previews))
        .unzip();
    let drawn = parallel::try_map_in_blocks(&sketches, |block| {
        let images = r.drawn.previews.time(
            || {
                let images = block.iter().flatten().map(|sketch| r.preview(sketch));
                images.collect::<Result<Vec<_>, _>>()
            },
            |images| images.as_ref().map_or(0, Vec::len),
        )?;
        block.iter().for_each(|_| tell());
        Ok::<_, ExportError>(images)
    })?;
    // Sorted before the map is built from them, by an unstable sort (no two
    // resources share a path): the map's own sort is a stable one, and here
    // it costs a third more.
    let mut all: Vec<Resource> = resources.into_iter().flatten().chain(drawn).collect();
    all.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    let mut pages: BTreeMap<String, Page> = all.into_iter().collect();

    let html: Vec<String> = pages
        .iter()
        .filter(|(path, p)| p.content_type == content_type::HTML && *path != NOT_FOUND)
        .map(|(path, _)| path.clone())
        .collect();
    pages.insert(
        "/robots.txt".into(),
        page(robots(r.base), content_type::TEXT),
    );
    if let Some(base) = r.base {
        pages.insert(
            "/sitemap.xml".into(),
            page(sitemap(base, &html), content_type::XML),
        );
    }
    Ok(pages)
}

/// A resource from its text, without the spare room the text grew into,
/// since the site holds every page at once.
pub(super) fn page(text: impl Into<String>, content_type: &'static str) -> Page {
    page_of(text.into().into_bytes(), content_type)
}

/// A resource from its bytes, kept without spare room. The bytes are
/// copied rather than shrunk in place: an allocator may keep a shrunk block
/// whole (mimalloc does, down to half its size), and a copy costs little
/// next to making the bytes.
pub(super) fn page_of(bytes: Vec<u8>, content_type: &'static str) -> Page {
    let bytes = if bytes.capacity() > bytes.len() {
        bytes.as_slice().to_vec()
    } else {
        bytes
    };
    Page {
        bytes,
        content_type,
    }
}

thread_local! {
    /// Where a page is rendered before it is copied out (see
    /// [`Renderer::render`]).
    static BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

/// What every page's head and frame need besides its own content.
pub(super) struct Frame<'a> {
    pub(super) path: &'a str,
    /// The page's own title; the base layout adds the society's short name.
    pub(super) title: String,
    pub(super) description: String,
    /// The page's JSON-LD, ready for its script element.
    pub(super) jsonld: Option<String>,
}

/// A resource by its URL path.
type Resource = (String, Page);

/// A public page by its URL path, and what its preview image shows.
pub(super) struct Published {
    page: Resource,
    preview: Sketch,
}

/// A preview image still to draw: where it goes and the title it shows.
pub(super) struct Sketch {
    path: String,
    title: String,
}

/// What a job makes: its resources, and the preview images of its pages,
/// drawn once every job's pages are done.
struct Made {
    resources: Vec<Resource>,
    previews: Vec<Sketch>,
}

impl Made {
    fn with(&mut self, published: Published) {
        self.resources.push(published.page);
        self.previews.push(published.preview);
    }
}

/// A page's Open Graph facts that its frame does not already give.
#[derive(Serialize)]
struct Social {
    /// `og:type`: `profile` for a person, `website` for every other page.
    kind: &'static str,
    url: Option<String>,
    image: Option<String>,
    image_alt: String,
    width: u32,
    height: u32,
}

/// The main navigation's targets, relative to the site's root.
const NAV: [(&str, &str); 5] = [
    ("", "About"),
    ("committee/", "Committee"),
    ("meetings/", "Meetings"),
    ("news/", "News"),
    ("contact/", "Contact"),
];

/// The section of the navigation a page belongs to, as its target in
/// `NAV`: a person's or an institution's page is part of the committee,
/// a meeting's of the meetings, a news item's of the news. Other pages are
/// a section of their own.
fn section(path: &str) -> Option<&'static str> {
    let first = path.strip_prefix('/')?.split_inclusive('/').next()?;
    match first {
        "people/" | "institutions/" => Some("committee/"),
        "meetings/" if path != "/meetings/" => Some("meetings/"),
        "news/" if path != "/news/" => Some("news/"),
        _ => None,
    }
}

/// What each link of the main navigation is to the page at `path`: the
/// page itself is `aria-current="page"`, the section it belongs to
/// `aria-current="true"`.
fn current(path: &str) -> [Option<&'static str>; NAV.len()] {
    let within = section(path);
    NAV.map(|(href, _)| {
        if path.strip_prefix('/') == Some(href) {
            Some("page")
        } else if within == Some(href) {
            Some("true")
        } else {
            None
        }
    })
}

/// The main navigation at `place`, with its links' marks.
fn nav(place: &Place) -> Value {
    let links: Vec<NavLink> = NAV
        .into_iter()
        .zip(place.current)
        .map(|((href, label), current)| NavLink {
            href: format!("{}{href}", place.root),
            label,
            current,
        })
        .collect();
    Value::from_serialize(&links)
}

/// Where a page is, as far as its chrome is concerned: the way back to
/// the root, and what the navigation marks.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Place {
    root: String,
    current: [Option<&'static str>; NAV.len()],
}

#[derive(Serialize)]
struct NavLink {
    href: String,
    label: &'static str,
    current: Option<&'static str>,
}

/// A meeting on the timeline, with its last day for people to read.
#[derive(Serialize)]
pub(super) struct TimelineEntry<'a> {
    #[serde(flatten)]
    meeting: &'a MeetingView,
    end_text: Option<String>,
}

pub(super) struct Renderer<'a> {
    env: Environment<'static>,
    pub(super) society: &'a Society,
    pub(super) view: SocietyView,
    /// `view` as the templates see it, converted once: every page shows
    /// the society's name and contact, and a clone is a reference count.
    society_value: Value,
    /// The parts of the pages that depend only on where a page is (see
    /// [`Renderer::chrome`]), by place.
    chrome: RwLock<HashMap<Place, Value>>,
    /// The meetings oldest first, as the meetings page lists them, and
    /// each one's place in that order, for the earlier and later links.
    timeline: Vec<&'a Meeting>,
    timeline_at: HashMap<&'a str, usize>,
    base: Option<&'a str>,
    /// Whether pages carry Open Graph tags and preview images: the public's
    /// pages do, the members' (never shared outside) do not.
    social: bool,
    /// The contact cards and calendars the pages link to, for the public:
    /// vCard 3.0, which phones and Apple Contacts import best.
    pub(super) cards: CardOptions,
    pub(super) calendars: CalendarOptions,
    /// The day the site is made for, which decides the meetings to come.
    today: PartialDate,
    /// The preview images and QR codes drawn so far and what they cost,
    /// for [`Done`].
    drawn: Drawn,
}

/// The images a renderer has drawn, counted from every thread.
#[derive(Default)]
struct Drawn {
    previews: Tally,
    qr_codes: Tally,
    /// People's photos, each made in all its sizes.
    photos: Tally,
}

/// How many of one kind of image were drawn, and their threads' CPU time.
#[derive(Default)]
struct Tally {
    count: AtomicUsize,
    cpu_nanos: AtomicU64,
}

impl Tally {
    /// Draws images with `draw`, timing them together (the thread's clock
    /// is read once either side), and counts what `images` says it drew.
    fn time<T>(&self, draw: impl FnOnce() -> T, images: impl FnOnce(&T) -> usize) -> T {
        let start = thread_cpu();
        let drawn = draw();
        let cpu = thread_cpu().saturating_sub(start);
        self.count.fetch_add(images(&drawn), Ordering::Relaxed);
        let nanos = u64::try_from(cpu.as_nanos()).unwrap_or(u64::MAX);
        self.cpu_nanos.fetch_add(nanos, Ordering::Relaxed);
        drawn
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    fn cpu(&self) -> Duration {
        Duration::from_nanos(self.cpu_nanos.load(Ordering::Relaxed))
    }
}

/// The CPU time the calling thread has used: unlike the clock on the wall,
/// it does not count the time the thread waited for a core, which on a
/// busy machine can be most of it.
#[cfg(unix)]
pub fn thread_cpu() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    // The kernel's clock is never negative and its nanoseconds are under a
    // second.
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Where there is no thread CPU clock to read, the time on the wall since
/// the first reading stands in for it.
#[cfg(not(unix))]
pub fn thread_cpu() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

impl<'a> Renderer<'a> {
    /// A renderer whose cards and calendars are for `audience`.
    pub(super) fn new(society: &'a Society, options: &SiteOptions, audience: Audience) -> Self {
        let view = SocietyView::new(society);
        let timeline = society.meetings_matching(&MeetingQuery::default());
        let timeline_at = timeline
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        Renderer {
            timeline,
            timeline_at,
            env: templates::environment(),
            society,
            society_value: Value::from_serialize(&view),
            chrome: RwLock::default(),
            view,
            base: society.info.base_url.as_deref(),
            social: audience == Audience::Public,
            cards: CardOptions {
                version: VcardVersion::V3,
                audience,
            },
            calendars: CalendarOptions {
                audience,
                stamp: options.stamp,
            },
            today: options.today,
            drawn: Drawn::default(),
        }
    }
}

impl Renderer<'_> {
    /// Every resource that a job makes, by URL path, and its pages'
    /// preview images to draw.
    fn job(&self, job: &Job, code: Option<(qr::Code, Resource)>) -> Result<Made, ExportError> {
        let society = self.society;
        let mut made = Made {
            resources: Vec::new(),
            previews: Vec::new(),
        };
        let out = &mut made.resources;
        match job {
            Job::Frame => {
                let committee = vcard::cards(society, &self.committee_members(), &self.cards);
                let meetings = society.meetings_matching(&MeetingQuery::default());
                let calendar = ics::calendar(society, &meetings, &self.calendars);
                let (contact_qr, qr) = code.unzip();
                out.extend(qr);
                out.extend([
                    (
                        "/news.xml".into(),
                        page(
                            news::atom(&self.view, &self.news(), self.base, self.calendars.stamp),
                            content_type::ATOM,
                        ),
                    ),
                    (
                        "/committee.vcf".into(),
                        page(committee, content_type::VCARD),
                    ),
                    (
                        "/society.vcf".into(),
                        page(
                            vcard::society_card(society, &self.cards),
                            content_type::VCARD,
                        ),
                    ),
                    (
                        "/calendar.ics".into(),
                        page(calendar, content_type::CALENDAR),
                    ),
                    ("/style.css".into(), page(STYLE, content_type::CSS)),
                    (
                        "/favicon.svg".into(),
                        page(icons::FAVICON, content_type::SVG),
                    ),
                ]);
                out.extend(icons::all(&self.view.name, &self.view.short_name)?);
                for published in [
                    self.home()?,
                    self.committee()?,
                    self.meetings()?,
                    self.news_list()?,
                    self.contact(contact_qr)?,
                    self.not_found()?,
                ] {
                    made.with(published);
                }
            }
            Job::Person(p) => {
                let card = vcard::person_card(society, p, &self.cards);
                let (page_qr, qr) = code.unzip();
                out.extend(qr);
                let folder = ["/people/", p.id.as_str(), "/"].concat();
                out.extend(photo::page_files(p, &folder)?);
                out.push((
                    ["/people/", p.id.as_str(), ".vcf"].concat(),
                    page(card, content_type::VCARD),
                ));
                made.with(self.person(p, page_qr)?);
            }
            Job::Institution(i) => {
                let people: Vec<&Person> = society.people_at(i, AUDIENCE).collect();
                let view = InstitutionView::new(society, i, AUDIENCE);
                made.with(self.institution(view, &people)?);
            }
            Job::News(n) => made.with(self.news_item(NewsView::new(society, n))?),
            Job::Meeting(m) => {
                let calendar = ics::meeting_calendar(society, m, &self.calendars);
                out.push((
                    ["/meetings/", m.id.as_str(), ".ics"].concat(),
                    page(calendar, content_type::CALENDAR),
                ));
                made.with(self.meeting(m)?);
            }
        }
        Ok(made)
    }

    fn urls(&self) -> Urls<'_> {
        Urls { base: self.base }
    }

    /// The prefix that leads from a page back to the site's root. Pages use
    /// relative links so that the export works from any folder; the 404 page
    /// is shown at any depth, so it links from the root instead.
    fn root(&self, path: &str) -> String {
        if path == NOT_FOUND {
            return self.base.unwrap_or("/").to_string();
        }
        let depth = path.matches('/').count() - 1;
        if depth == 0 {
            "./".to_string()
        } else {
            "../".repeat(depth)
        }
    }

    pub(super) fn render(
        &self,
        template: &str,
        frame: Frame,
        content: Fields,
    ) -> Result<Page, ExportError> {
        let root = self.root(frame.path);
        let chrome = self.chrome(&root, frame.path)?;
        let title = if frame.path == "/" {
            self.view.name.clone()
        } else {
            [frame.title.as_str(), " – ", &self.view.short_name].concat()
        };
        let canonical = self
            .base
            .filter(|_| frame.path != NOT_FOUND)
            .map(|b| [b, frame.path.trim_start_matches('/')].concat());
        let social = self
            .social
            .then(|| self.social(&frame, canonical.as_deref()));
        let mut fields: Fields = fields! {
            root,
            society => self.society_value.clone(),
            title,
            heading => frame.title,
            description => shorten(&frame.description, DESCRIPTION_LIMIT),
            social,
            canonical,
            chrome,
            jsonld => frame.jsonld.map(Value::from_safe_string),
        };
        fields.extend(content);
        let ctx = Value::from_object(Scope(fields));
        // The page is rendered into this thread's buffer, which keeps its
        // room from page to page, and copied out at its length: rendering
        // into a new string would grow it several times a page.
        let mut buffer = BUFFER.take();
        buffer.clear();
        let rendered = self
            .env
            .get_template(template)
            .and_then(|t| t.render_captured_to(ctx, &mut buffer).map(drop))
            .map_err(|source| ExportError::Render {
                page: frame.path.to_string(),
                source,
            });
        let bytes = buffer.clone();
        BUFFER.set(buffer);
        rendered?;
        Ok(Page {
            bytes,
            content_type: content_type::HTML,
        })
    }

    /// The parts of the page at `path`, `root` away from the site's root,
    /// that depend only on where it is, each rendered from its own template
    /// and set into `base.html` whole: the links in the head (stylesheet,
    /// icons, manifest, feed), the banner with the main navigation, and the
    /// footer. They are rendered the first time a page there needs them and
    /// are the same for every other: nearly every page is a record's, and
    /// the records of a section share one place, so a site renders them a
    /// handful of times rather than once a page.
    fn chrome(&self, root: &str, path: &str) -> Result<Value, ExportError> {
        let place = Place {
            root: root.to_string(),
            current: current(path),
        };
        // A poisoned lock only means another page's rendering panicked
        // (which is passed on); what it holds is whole either way.
        let cached = self.chrome.read().unwrap_or_else(|e| e.into_inner());
        if let Some(chrome) = cached.get(&place) {
            return Ok(chrome.clone());
        }
        drop(cached);
        let nav = nav(&place);
        let render = |template: &str, ctx: Value| {
            self.env
                .get_template(template)
                .and_then(|t| t.render(ctx))
                .map(Value::from_safe_string)
                .map_err(|source| ExportError::Render {
                    page: path.to_string(),
                    source,
                })
        };
        let society = &self.society_value;
        let chrome = context! {
            links => render(
                "chrome_links.html",
                context! { root, society, theme => icons::THEME, feed => format!("{root}news.xml") },
            )?,
            banner => render("chrome_banner.html", context! { root, society, nav })?,
            footer => render("chrome_footer.html", context! { society })?,
            // A record's page has the trail down to its section, the one
            // its navigation marks `true`.
            trail => place
                .current
                .contains(&Some("true"))
                .then(|| render("chrome_trail.html", context! { nav }))
                .transpose()?,
        };
        let mut cache = self.chrome.write().unwrap_or_else(|e| e.into_inner());
        Ok(cache.entry(place).or_insert(chrome).clone())
    }

    /// A public page by its URL path, with its preview image to draw.
    fn publish(
        &self,
        template: &str,
        frame: Frame,
        content: Fields,
    ) -> Result<Published, ExportError> {
        let path = frame.path.to_string();
        let preview = Sketch {
            path: preview::path_for(&path),
            title: frame.title.clone(),
        };
        let page = self.render(template, frame, content)?;
        Ok(Published {
            page: (path, page),
            preview,
        })
    }

    /// A page's preview image, drawn, by its URL path.
    fn preview(&self, sketch: &Sketch) -> Result<Resource, ExportError> {
        let image = preview::image(&self.view.name, &sketch.title)?;
        Ok((sketch.path.clone(), page_of(image, content_type::PNG)))
    }

    /// What the page's Open Graph and Twitter card tags say beyond its
    /// title and description. The image's address must be absolute, so
    /// without a base URL the tags name no image.
    fn social(&self, frame: &Frame, canonical: Option<&str>) -> Social {
        let image = self
            .base
            .map(|b| [b, preview::path_for(frame.path).trim_start_matches('/')].concat());
        Social {
            kind: if frame.path.starts_with("/people/") {
                "profile"
            } else {
                "website"
            },
            url: canonical.map(str::to_string),
            image,
            image_alt: if frame.title == self.view.name {
                frame.title.clone()
            } else {
                [self.view.name.as_str(), ": ", &frame.title].concat()
            },
            width: preview::WIDTH,
            height: preview::HEIGHT,
        }
    }

    fn public(&self, p: &Person) -> PersonView {
        PersonView::new(self.society, p, AUDIENCE)
    }

    pub(super) fn committee_members(&self) -> Vec<&Person> {
        self.society.people_matching(
            &PeopleQuery {
                role: Some(Role::SteeringCommittee),
                ..Default::default()
            },
            AUDIENCE,
        )
    }

    fn home(&self) -> Result<Published, ExportError> {
        let members: Vec<PersonView> = self
            .committee_members()
            .into_iter()
            .map(|p| self.public(p))
            .collect();
        let countries = by_country(&self.committee_members()).len();
        let frame = Frame {
            path: "/",
            title: self.view.name.clone(),
            description: format!(
                "{} {}",
                self.view.mission_intro,
                self.view.mission.join(" ")
            ),
            jsonld: Some(jsonld::organization(&self.view, &members, &self.urls())),
        };
        let mut news = self.news();
        news.truncate(HOME_NEWS);
        let (upcoming, _) = self.timeline();
        self.publish(
            "home.html",
            frame,
            fields! {
                member_count => members.len(),
                country_count => countries,
                news => self.with_html(news),
                upcoming,
            },
        )
    }

    fn committee(&self) -> Result<Published, ExportError> {
        let members = self.committee_members();
        let groups = by_country(&members);
        let counts: BTreeMap<Country, usize> = groups
            .iter()
            .map(|(c, people)| (*c, people.len()))
            .collect();
        let map = map::view(&counts);
        let drawn: Vec<&str> = map::drawn().collect();
        let mut countries: Vec<Value> = groups
            .iter()
            .map(|(country, people)| {
                context! {
                    code => country.code(),
                    name => country.name(),
                    count => people.len(),
                    on_map => drawn.contains(&country.code()),
                    flag => map::has_flag(country.code()),
                    people => people.iter().map(|p| self.public(p)).collect::<Vec<_>>(),
                }
            })
            .collect();
        countries.sort_by_key(|c| {
            c.get_attr("name")
                .map(|n| n.to_string())
                .unwrap_or_default()
        });
        let flags = map::flag_symbols(counts.keys().map(|c| c.code()));
        let frame = Frame {
            path: "/committee/",
            title: "Steering committee".into(),
            description: format!(
                "The {} steering committee: {} members from {} countries.",
                self.view.initiative.name,
                members.len(),
                countries.len()
            ),
            jsonld: None,
        };
        self.publish(
            "committee.html",
            frame,
            fields! {
                countries,
                member_count => members.len(),
                map => Value::from_serialize(&map),
                flags => Value::from_safe_string(flags),
            },
        )
    }

    fn person(&self, p: &Person, qr: Option<qr::Code>) -> Result<Published, ExportError> {
        let view = self.public(p);
        let roles: Vec<&str> = p.roles_for(AUDIENCE).map(|r| r.label()).collect();
        let mut description = view.name.clone();
        if let Some(i) = &view.institution {
            description.extend([", ", &i.name]);
        }
        description.extend([", ", view.country.name, "."]);
        if !roles.is_empty() {
            let roles = roles.join(", ");
            description.extend([
                " ",
                &roles,
                " of the ",
                &self.view.initiative.short_name,
                ".",
            ]);
        }
        let frame = Frame {
            path: &["/people/", p.id.as_str(), "/"].concat(),
            title: view.name.clone(),
            description,
            jsonld: Some(jsonld::person(&view, &self.view, &self.urls())),
        };
        self.publish("person.html", frame, fields! { person => view, roles, qr })
    }

    fn institution(
        &self,
        view: InstitutionView,
        people: &[&Person],
    ) -> Result<Published, ExportError> {
        let people: Vec<PersonView> = people.iter().map(|p| self.public(p)).collect();
        let frame = Frame {
            path: &["/institutions/", &view.id, "/"].concat(),
            title: view.name.clone(),
            description: format!(
                "{}, {}: {} named by the {}.",
                view.name,
                view.country.name,
                count(people.len(), "person", "people"),
                self.view.short_name
            ),
            jsonld: Some(jsonld::institution(&view, &self.urls())),
        };
        self.publish(
            "institution.html",
            frame,
            fields! { institution => view, people },
        )
    }

    fn meetings(&self) -> Result<Published, ExportError> {
        let meetings: Vec<MeetingView> = self
            .society
            .meetings_matching(&MeetingQuery::default())
            .into_iter()
            .map(|m| MeetingView::new(self.society, m, AUDIENCE))
            .collect();
        let (upcoming, past) = self.timeline();
        let description = match (meetings.first(), meetings.last()) {
            (Some(first), Some(last)) => format!(
                "The meetings of the {}, from {} in {} to {} in {}.",
                self.view.short_name, first.title, first.date_text, last.title, last.date_text
            ),
            _ => format!("The meetings of the {}.", self.view.short_name),
        };
        let frame = Frame {
            path: "/meetings/",
            title: "Meetings".into(),
            description,
            jsonld: None,
        };
        let subscribe = self.webcal("calendar.ics");
        self.publish(
            "meetings.html",
            frame,
            fields! { upcoming, past, subscribe },
        )
    }

    /// The `webcal://` address of a calendar at `path` below the root.
    /// Calendar apps subscribe through it, which needs the host; without a
    /// base URL the page offers the file to download instead.
    fn webcal(&self, path: &str) -> Option<String> {
        let base = self.base?;
        let rest = base
            .strip_prefix("https://")
            .or_else(|| base.strip_prefix("http://"))?;
        Some(format!("webcal://{rest}{path}"))
    }

    fn meeting(&self, m: &Meeting) -> Result<Published, ExportError> {
        let view = MeetingView::new(self.society, m, AUDIENCE);
        let calendar_links = add_to_calendar::links(self.society, m, AUDIENCE);
        let webcal = self.webcal(&format!("meetings/{}.ics", m.id));
        let paragraphs: Vec<&str> = view
            .summary
            .as_deref()
            .unwrap_or("")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let end_text = self.end_text(&view);
        let times = view.times_text();
        let at = self.timeline_at.get(view.id.as_str()).copied();
        let neighbour = |i: Option<usize>| {
            let m = self.timeline.get(i?)?;
            Some(context! { id => m.id.as_str(), title => &m.title, date_text => m.date.human() })
        };
        let previous = neighbour(at.and_then(|i| i.checked_sub(1)));
        let next = neighbour(at.map(|i| i + 1));
        let frame = Frame {
            path: &["/meetings/", &view.id, "/"].concat(),
            title: view.title.clone(),
            description: format!(
                "{}, {}, {}. {}",
                view.title,
                view.date_text,
                place(&view),
                paragraphs.join(" ")
            ),
            jsonld: Some(jsonld::event(&view, &self.view, &self.urls())),
        };
        self.publish(
            "meeting.html",
            frame,
            fields! { meeting => view, paragraphs, end_text, times, calendar_links, webcal, previous, next },
        )
    }

    /// The meetings to come on the site's day (soonest first) and those
    /// past (oldest first), as the timeline shows them.
    fn timeline(&self) -> (Vec<Value>, Vec<Value>) {
        let mut upcoming = Vec::new();
        let mut past = Vec::new();
        for m in self.society.meetings_matching(&MeetingQuery::default()) {
            let meeting = MeetingView::new(self.society, m, AUDIENCE);
            let entry = Value::from_serialize(&TimelineEntry {
                end_text: self.end_text(&meeting),
                meeting: &meeting,
            });
            if m.upcoming(self.today) {
                upcoming.push(entry);
            } else {
                past.push(entry);
            }
        }
        (upcoming, past)
    }

    /// Every announcement, the latest first.
    fn news(&self) -> Vec<NewsView> {
        self.society
            .news_newest_first()
            .into_iter()
            .map(|n| NewsView::new(self.society, n))
            .collect()
    }

    /// Announcements with their text as HTML, for the templates.
    fn with_html(&self, items: Vec<NewsView>) -> Vec<Value> {
        items
            .into_iter()
            .map(|item| {
                let html = Value::from_safe_string(news::markdown(&item.text).trim_end().into());
                context! { html, ..Value::from_serialize(&item) }
            })
            .collect()
    }

    /// The meetings as the timeline lists them, each with its last day.
    pub(super) fn timeline_of<'m>(&self, meetings: &'m [MeetingView]) -> Vec<TimelineEntry<'m>> {
        meetings
            .iter()
            .map(|meeting| TimelineEntry {
                meeting,
                end_text: self.end_text(meeting),
            })
            .collect()
    }

    fn news_list(&self) -> Result<Published, ExportError> {
        let frame = Frame {
            path: "/news/",
            title: "News".into(),
            description: format!("Announcements of the {}.", self.view.name),
            jsonld: None,
        };
        let items = self.with_html(self.news());
        self.publish("news.html", frame, fields! { items })
    }

    fn news_item(&self, view: NewsView) -> Result<Published, ExportError> {
        let path = format!("/news/{}/", view.id);
        let html = news::markdown(&view.text).trim_end().to_string();
        let frame = Frame {
            path: &path,
            title: view.title.clone(),
            description: format!("{}, {}. {}", view.title, view.date_text, view.text),
            jsonld: Some(jsonld::news_article(&view, &self.view, &self.urls())),
        };
        self.publish(
            "news_item.html",
            frame,
            fields! { item => view, html => Value::from_safe_string(html) },
        )
    }

    /// The last day of a meeting of several days, for people to read.
    fn end_text(&self, view: &MeetingView) -> Option<String> {
        let meeting = self.society.meeting(&view.id)?;
        meeting.end.map(|d| d.human())
    }

    /// The QR code a job's page shows, of the address of the card it
    /// offers (the society's on the contact page, a person's on theirs), and
    /// its image by URL path (`/qr/people/x.svg`). A phone needs the card's
    /// absolute address, so without a base URL there is none.
    fn card_qr(&self, job: &Job) -> Result<Option<(qr::Code, Resource)>, ExportError> {
        let Some(base) = self.base else {
            return Ok(None);
        };
        let card = match job {
            Job::Frame => "society".to_string(),
            Job::Person(p) => ["people/", p.id.as_str()].concat(),
            _ => return Ok(None),
        };
        let image = ["/qr/", &card, ".svg"].concat();
        let (svg, code) = qr::code(&format!("{base}{card}.vcf"), &image)?;
        Ok(Some((code, (image, page(svg, content_type::SVG)))))
    }

    fn contact(&self, qr: Option<qr::Code>) -> Result<Published, ExportError> {
        let person = self.society.contact_person().map(|p| self.public(p));
        let frame = Frame {
            path: "/contact/",
            title: "Contact".into(),
            description: format!(
                "How to reach the {}: write to {}.",
                self.view.name, self.view.contact.email
            ),
            jsonld: None,
        };
        self.publish("contact.html", frame, fields! { person, qr })
    }

    fn not_found(&self) -> Result<Published, ExportError> {
        let frame = Frame {
            path: NOT_FOUND,
            title: "Page not found".into(),
            description: format!("This page is not on the {} website.", self.view.short_name),
            jsonld: None,
        };
        self.publish("404.html", frame, fields! {})
    }
}

/// People grouped by country, each group in the order given.
pub(super) fn by_country<'p>(people: &[&'p Person]) -> BTreeMap<Country, Vec<&'p Person>> {
    let mut groups: BTreeMap<Country, Vec<&Person>> = BTreeMap::new();
    for p in people {
        groups.entry(p.country).or_default().push(p);
    }
    groups
}

/// Where a meeting was, for people to read: "Oslo, Norway".
fn place(m: &MeetingView) -> String {
    let parts: Vec<&str> = [
        m.venue.as_ref().map(|v| v.name.as_str()),
        m.city.as_deref(),
        Some(m.country.name),
    ]
    .into_iter()
    .flatten()
    .collect();
    parts.join(", ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Text cut to at most `limit` characters at a word boundary, with an
/// ellipsis when cut; runs of white space (newlines too) become one space.
fn shorten(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len());
    // The characters in `out`, counted as it grows.
    let mut chars = 0;
    for word in text.split_whitespace() {
        let length = word.chars().count();
        let needed = chars + usize::from(chars > 0) + length;
        if needed > limit - 1 {
            if chars == 0 {
                out = word.chars().take(limit - 1).collect();
            }
            out.push('…');
            return out;
        }
        if chars > 0 {
            out.push(' ');
        }
        out.push_str(word);
        chars = needed;
    }
    out
}

fn robots(base: Option<&str>) -> String {
    let mut text = String::from("User-agent: *\nAllow: /\n");
    if let Some(base) = base {
        text.push_str(&format!("\nSitemap: {base}sitemap.xml\n"));
    }
    text
}

fn sitemap(base: &str, paths: &[String]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for path in paths {
        let url = [base, path.trim_start_matches('/')].concat();
        xml.extend([
            "  <url><loc>",
            &super::escape_markup(&url),
            "</loc></url>\n",
        ]);
    }
    xml.push_str("</urlset>\n");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_cut_at_words() {
        assert_eq!(shorten("a b\nc", 160), "a b c");
        assert_eq!(shorten("alpha beta gamma", 12), "alpha beta…");
        assert_eq!(shorten("ååååååååååå", 5), "åååå…");
        // The ellipsis counts: what is shown is at most the limit.
        assert_eq!(shorten("ab c", 5), "ab c");
        assert_eq!(shorten("ab cd", 5), "ab…");
        assert_eq!(shorten("  ab   c  ", 5), "ab c");
    }

    #[test]
    fn robots_names_the_sitemap_only_with_a_base_url() {
        assert!(!robots(None).contains("Sitemap"));
        assert!(robots(Some("https://x.org/")).contains("Sitemap: https://x.org/sitemap.xml"));
    }
}
