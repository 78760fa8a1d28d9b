//! `nspm export site|vcard|ics`: the files members and hosts need.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use clap::ValueEnum;
use nspm_core::{Audience, DataFile};
use nspm_export::{
    CalendarOptions, CardOptions, Site, SiteOptions, VcardVersion, ics, stamp_for, vcard,
};
use nspm_store::ExportDir;

use super::Context;
use super::people::Filter;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the whole website into a directory that any static host can serve.
    ///
    /// The directory is replaced whole, in one step, so pages of removed
    /// records do not linger and it is never half old, half new; it must be
    /// new, empty or an earlier export.
    Site(SiteArgs),
    /// Write contact cards of the chosen people, after the society's own card.
    ///
    /// vCard 3.0 by default: Apple Contacts and many phones import it best.
    Vcard(VcardArgs),
    /// Write the calendar of all meetings (iCalendar).
    Ics(IcsArgs),
}

#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// The directory to write the site into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    site: crate::cli::Deploy,
    /// Print to stderr how long each step took (loading and checking,
    /// rendering, writing), and how many preview images and QR codes were
    /// drawn in how much of the rendering's CPU time.
    #[arg(long)]
    timings: bool,
}

#[derive(Debug, clap::Args)]
pub struct VcardArgs {
    #[command(flatten)]
    filter: Filter,
    /// The vCard version to write.
    #[arg(long, value_enum, default_value_t = Version::V3)]
    vcard_version: Version,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, clap::Args)]
pub struct IcsArgs {
    #[command(flatten)]
    target: Target,
}

/// Who the file is for, and where it goes.
#[derive(Debug, clap::Args)]
pub struct Target {
    /// public: only what anyone may see; members: members-only contact
    /// details too. Nothing else differs.
    #[arg(long, value_enum, default_value_t = Reader::Public)]
    audience: Reader,
    /// The file to write; standard output when left out.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Version {
    #[value(name = "3.0")]
    V3,
    #[value(name = "4.0")]
    V4,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Reader {
    Public,
    Members,
}

impl From<Reader> for Audience {
    fn from(r: Reader) -> Audience {
        match r {
            Reader::Public => Audience::Public,
            Reader::Members => Audience::Members,
        }
    }
}

pub fn run(cx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    let start = Clock::now();
    let fixed = super::source_date_epoch()?;
    // The calendar shows meetings and their venues, and nothing of people,
    // so it does not read people.ron, by far the largest file.
    let mut society = match command {
        Command::Ics(_) => cx.society_only(&[DataFile::Institutions, DataFile::Meetings])?,
        _ => cx.society()?,
    };
    if let Command::Site(args) = &command
        && let Some(base) = &args.site.base_url
    {
        society.info.base_url = Some(base.clone());
    }
    let stamp = stamp_for(&society, fixed);
    match command {
        Command::Site(args) => {
            let today = args
                .site
                .fixed_day(fixed)
                .unwrap_or_else(|| nspm_store::now().day());
            let loaded = Clock::now();
            // Bars for the two long steps of a large site, on a terminal only.
            let rendering = super::progress("rendering pages", 0);
            let length = std::sync::Once::new();
            let last = std::sync::OnceLock::new();
            let paged = std::sync::OnceLock::new();
            let options = SiteOptions { stamp, today };
            // A bar that is not drawn still works out its estimate at
            // every step, which for a large site costs more than nothing.
            let shown = !rendering.is_hidden();
            let site = Site::build_reporting(&society, &options, &|done| {
                if shown {
                    length.call_once(|| rendering.set_length(done.jobs as u64));
                    rendering.inc(1);
                }
                if done.done * 2 == done.jobs {
                    let _ = paged.set(Clock::now());
                }
                if done.done == done.jobs {
                    let _ = last.set(*done);
                }
            })?;
            rendering.finish_and_clear();
            let rendered = Clock::now();
            let writing = super::progress("writing files", site.len());
            let out = ExportDir::new(&args.out).with_faults(cx.faults.clone());
            let mut images = ImageWriting::default();
            let exported = out.replace(site.iter().map(|(path, page)| {
                if shown {
                    writing.inc(1);
                }
                if args.timings {
                    images.next(page.content_type);
                }
                (Site::file_for(path), page.bytes.as_slice())
            }));
            writing.finish_and_clear();
            let exported = exported?;
            let written = Clock::now();
            eprintln!("wrote {} files to {}", exported.files, args.out.display());
            if args.timings {
                eprintln!(
                    "timings: loading {}, rendering {}, writing {}",
                    loaded.since(&start),
                    rendered.since(&loaded),
                    written.since(&rendered),
                );
                if let Some(done) = last.get() {
                    eprintln!(
                        "timings: {}",
                        drawn(done.previews, "preview images", done.preview_cpu)
                    );
                    eprintln!("timings: {}", drawn(done.qr_codes, "QR codes", done.qr_cpu));
                    eprintln!(
                        "timings: {}",
                        made(done.photos, "photos", "resized", done.photo_cpu)
                    );
                }
                if let Some(paged) = paged.get() {
                    eprintln!(
                        "timings: rendering's passes: pages {}, preview images {}",
                        paged.since(&loaded),
                        rendered.since(paged),
                    );
                }
                eprintln!(
                    "timings: {} image files written in {} ms of CPU time",
                    images.files,
                    images.cpu.as_millis()
                );
            }
            args.site.note_without_base_url(&society);
            exported.warnings.into_iter().for_each(super::warn);
            super::leave_to_exit(site);
        }
        Command::Vcard(args) => {
            let people = args.filter.chosen(&society, args.target.audience.into())?;
            let options = CardOptions {
                version: match args.vcard_version {
                    Version::V3 => VcardVersion::V3,
                    Version::V4 => VcardVersion::V4,
                },
                audience: args.target.audience.into(),
            };
            let text = vcard::cards(&society, &people, &options);
            deliver(cx, args.target.out.as_deref(), &text)?;
            super::leave_to_exit((people, text));
        }
        Command::Ics(args) => {
            let meetings: Vec<_> = society.meetings_matching(&nspm_core::MeetingQuery::default());
            let options = CalendarOptions {
                audience: args.target.audience.into(),
                stamp,
            };
            let text = ics::calendar(&society, &meetings, &options);
            deliver(cx, args.target.out.as_deref(), &text)?;
        }
    }
    super::leave_to_exit(society);
    Ok(ExitCode::SUCCESS)
}

/// Writes to the file named, whole or not at all, or else to stdout.
fn deliver(cx: &mut Context, out: Option<&Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            let warning = nspm_store::write_atomically(path, text, &cx.faults)
                .with_context(|| format!("cannot write {}", path.display()))?;
            warning.into_iter().for_each(super::warn);
        }
        None => cx.out.write_all(text.as_bytes())?,
    }
    Ok(())
}

/// A moment of the export, for `--timings`: the time on the wall and, where
/// the system tells it, the CPU time the process has used on all its
/// threads. On a busy machine the second says more about the work, since it
/// leaves out the time spent waiting for a core.
struct Clock {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Clock {
    fn now() -> Clock {
        Clock {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// The step from `earlier` to this moment, as `--timings` prints it:
    /// "812 ms (CPU 1020 ms)".
    fn since(&self, earlier: &Clock) -> String {
        let wall = format!("{} ms", self.wall.duration_since(earlier.wall).as_millis());
        match (self.cpu, earlier.cpu) {
            (Some(now), Some(then)) => {
                format!("{wall} (CPU {} ms)", now.saturating_sub(then).as_millis())
            }
            _ => wall,
        }
    }
}

#[cfg(unix)]
fn process_cpu() -> Option<Duration> {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    // The kernel's clock is never negative and its nanoseconds are under a
    // second.
    Some(Duration::new(t.tv_sec as u64, t.tv_nsec as u32))
}

#[cfg(not(unix))]
fn process_cpu() -> Option<Duration> {
    None
}

/// The writing's CPU time spent on image files (preview images, QR codes,
/// photos and icons), for `--timings`: the export's cost per page leaves
/// it out with the drawing. The files are written one after the other on
/// the calling thread, so the time between two files handed to the writer
/// is the writing of the first. The files come in the order of their
/// paths, so images mostly follow images (`/preview/`, `/qr/`): the clock
/// is read only where a run of one kind ends and the next begins, not at
/// every file (each reading is a system call).
#[derive(Default)]
struct ImageWriting {
    /// When the current run of files of one kind began, and whether they
    /// are images.
    run: Option<(Duration, bool)>,
    files: usize,
    cpu: Duration,
}

impl ImageWriting {
    /// Notes the next file handed to the writer, by its content type.
    fn next(&mut self, content_type: &str) {
        let image = nspm_export::site::content_type::is_image(content_type);
        self.files += usize::from(image);
        if self.run.is_some_and(|(_, kind)| kind == image) {
            return;
        }
        let now = nspm_export::thread_cpu();
        if let Some((then, true)) = self.run {
            self.cpu += now.saturating_sub(then);
        }
        self.run = Some((now, image));
    }
}

/// A line of `--timings` on images drawn with the pages (`what`: preview
/// images, QR codes): how many, and the CPU time the drawing took, in all
/// and per image.
fn drawn(count: usize, what: &str, cpu: Duration) -> String {
    made(count, what, "drawn", cpu)
}

/// As [`drawn`], for images made some other way (photos are resized).
fn made(count: usize, what: &str, how: &str, cpu: Duration) -> String {
    let each = if count == 0 {
        String::new()
    } else {
        format!(", {:.2} ms each", cpu.as_secs_f64() * 1000.0 / count as f64)
    };
    format!(
        "{count} {what} {how} in {} ms of CPU time{each}",
        cpu.as_millis()
    )
}
