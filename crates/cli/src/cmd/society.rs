//! `nspm society`: who the society is, what it is for, how to reach it.

use std::io::Write;
use std::process::ExitCode;

use nspm_core::view::SocietyView;

use super::Context;
use crate::cli::ShowFormat;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_enum, default_value_t)]
    format: ShowFormat,
}

pub fn run(cx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let society = cx.society()?;
    let view = SocietyView::new(&society);
    match args.format {
        ShowFormat::Json => cx.out.json(&view)?,
        ShowFormat::Text => {
            let out = &mut cx.out;
            writeln!(out, "{} ({})", view.name, view.short_name)?;
            writeln!(out)?;
            out.paragraph("", &view.mission_intro)?;
            for aim in &view.mission {
                out.paragraph("  - ", aim)?;
            }
            out.paragraph("", &view.mission_outro)?;
            writeln!(out)?;
            match &view.contact.person {
                Some(person) => writeln!(out, "contact: {} <{}>", person.name, view.contact.email)?,
                None => writeln!(out, "contact: {}", view.contact.email)?,
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
