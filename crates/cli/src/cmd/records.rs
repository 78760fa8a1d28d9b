//! What `nspm people`, `institutions`, `meetings` and `news` share: the
//! commands `list`, `show`, `add`, `edit` and `remove`, run the same way for
//! every kind of record. Each kind's module says only what is its own: the
//! flags that choose what `list` lists, and what `show` prints as text.

use std::io;
use std::process::ExitCode;

use nspm_core::view::Viewed;
use nspm_core::{Audience, Society};

use super::Context;
use super::edit::{Changes, Fields};
use crate::cli::{ListFormat, ShowArgs};
use crate::output::{Output, Row};

/// Staff see every record and every detail, the members-only ones too, as
/// the members' area shows them.
pub const STAFF: Audience = Audience::Members;

/// One kind of record's commands: `F` are the flags that set its fields,
/// `L` those that choose what `list` lists.
#[derive(Debug, clap::Subcommand)]
pub enum Command<F: Fields, L: Listing> {
    #[command(about = L::LIST)]
    List(ListArgs<L>),
    #[command(about = L::SHOW)]
    Show(ShowArgs),
    // Boxed: the flags of every field make a change far larger than the
    // other commands.
    #[command(flatten)]
    Changes(Box<Changes<F>>),
}

#[derive(Debug, clap::Args)]
pub struct ListArgs<L: Listing> {
    #[command(flatten)]
    filter: L,
    #[arg(long, value_enum, default_value_t)]
    format: ListFormat,
}

/// What `list` lists and `show` prints of one kind of record.
pub trait Listing: clap::Args {
    type Record: Viewed<View: Row>;

    /// The records these flags choose, in the order `list` prints them.
    fn select<'s>(&self, society: &'s Society) -> anyhow::Result<Vec<&'s Self::Record>>;

    /// `show`'s text: the view's fields, and what the record leads to.
    fn text(
        out: &mut Output,
        society: &Society,
        record: &Self::Record,
        view: &<Self::Record as Viewed>::View,
    ) -> io::Result<()>;

    /// The one-line helps of `list` and `show`, as clap shows them
    /// (without a closing period).
    const LIST: &'static str;
    const SHOW: &'static str;
}

impl<F: Fields, L: Listing> Command<F, L> {
    pub fn run(self, cx: &mut Context) -> anyhow::Result<ExitCode> {
        match self {
            Command::Changes(changes) => return changes.run(cx),
            Command::List(args) => {
                let society = cx.society()?;
                let records = args.filter.select(&society)?;
                cx.out.list(args.format, &society.views(records, STAFF))?;
            }
            Command::Show(args) => {
                let society = cx.society()?;
                let record: &L::Record = society.find(&args.id, STAFF)?;
                let view = record.view(&society, STAFF);
                cx.out.record(args.format, &view, |out| {
                    L::text(out, &society, record, &view)
                })?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
