//! The members' side of the site: everything under `/members/`, rendered
//! with [`Audience::Members`], so members-only details are in it. The
//! server holds it in memory and serves it only to a signed-in member; the
//! static export never contains it.

use std::collections::BTreeMap;

use minijinja::{Value, context};
use nspm_core::view::{MeetingView, PersonView};
use nspm_core::{Audience, Meeting, MeetingQuery, PeopleQuery, Person, Society, Visibility};

use super::pages::{Frame, Renderer, by_country, page};
use super::templates::fields;
use super::{Page, Site, SiteOptions, content_type};
use crate::{ExportError, ics, vcard};

/// Where the members' area begins.
pub const ROOT: &str = "/members/";

/// The members' search page's path; the one page rendered per request.
pub const SEARCH: &str = "/members/search";

/// The members' side, rendered once per load of the data.
#[derive(Clone, Debug)]
pub struct MembersSite {
    /// Every page and download under `/members/`, for members only.
    pub pages: Site,
    /// The forms anyone may be shown.
    pub forms: MembersForms,
}

/// The pages of the members' area that anyone may be shown: the sign-in
/// form and the notice that the area needs TLS. They hold nothing about
/// any member.
#[derive(Clone, Debug)]
pub struct MembersForms {
    /// The sign-in form, shown to anyone who is not signed in.
    pub sign_in: Page,
    /// The sign-in form with a note that the last attempt failed.
    pub sign_in_failed: Page,
    /// Why the members' area is closed on a connection without TLS.
    pub needs_tls: Page,
}

impl MembersSite {
    /// The whole members' side: its pages and its forms.
    pub fn build(society: &Society, options: &SiteOptions) -> Result<MembersSite, ExportError> {
        Ok(MembersSite {
            pages: MembersSite::pages(society, options)?,
            forms: MembersForms::build(society, options)?,
        })
    }

    /// Every page and download under `/members/` without the forms: the
    /// part that is only of use once someone can sign in, which a server
    /// renders only then.
    pub fn pages(society: &Society, options: &SiteOptions) -> Result<Site, ExportError> {
        let r = Renderer::new(society, options, Audience::Members);
        let mut pages = BTreeMap::new();
        let everyone = society.people_matching(&PeopleQuery::default(), Audience::Members);
        pages.insert(ROOT.to_string(), directory(&r, &everyone)?);
        for p in &everyone {
            pages.insert(format!("{ROOT}people/{}/", p.id), person(&r, p)?);
            // A public person's photo is the public site's; one known to
            // members only is served here, beside their page.
            if p.visibility() == Visibility::Members {
                let folder = format!("{ROOT}people/{}/", p.id);
                pages.extend(crate::photo::page_files(p, &folder)?);
            }
            pages.insert(
                format!("{ROOT}people/{}.vcf", p.id),
                page(
                    vcard::person_card(society, p, &r.cards),
                    content_type::VCARD,
                ),
            );
        }
        pages.insert(
            format!("{ROOT}committee.vcf"),
            page(
                vcard::cards(society, &r.committee_members(), &r.cards),
                content_type::VCARD,
            ),
        );
        let meetings = society.meetings_matching(&MeetingQuery::default());
        pages.insert(format!("{ROOT}meetings/"), meetings_page(&r, &meetings)?);
        pages.insert(
            format!("{ROOT}calendar.ics"),
            page(
                ics::calendar(society, &meetings, &r.calendars),
                content_type::CALENDAR,
            ),
        );
        Ok(Site { pages })
    }
}

impl MembersForms {
    pub fn build(society: &Society, options: &SiteOptions) -> Result<MembersForms, ExportError> {
        let r = Renderer::new(society, options, Audience::Members);
        let sign_in_page = |failed: bool| {
            let frame = Frame {
                path: ROOT,
                title: "Members' sign-in".into(),
                description: format!("Sign in to the {} members' area.", r.view.short_name),
                jsonld: None,
            };
            r.render("members_sign_in.html", frame, fields! { failed })
        };
        let needs_tls = r.render(
            "members_needs_tls.html",
            Frame {
                path: ROOT,
                title: "The members' area needs HTTPS".into(),
                description: "The members' area takes credentials only over HTTPS.".into(),
                jsonld: None,
            },
            fields! {},
        )?;
        Ok(MembersForms {
            sign_in: sign_in_page(false)?,
            sign_in_failed: sign_in_page(true)?,
            needs_tls,
        })
    }
}

/// The members' search page for `query`: the people core's search finds
/// (diacritic-blind, as the CLI's `--search`), with members' details.
pub fn search(society: &Society, options: &SiteOptions, query: &str) -> Result<Page, ExportError> {
    let r = Renderer::new(society, options, Audience::Members);
    let query = query.trim();
    let people: Vec<PersonView> = if query.is_empty() {
        Vec::new()
    } else {
        society
            .people_matching(
                &PeopleQuery {
                    text: Some(query.to_string()),
                    ..PeopleQuery::default()
                },
                Audience::Members,
            )
            .into_iter()
            .map(|p| members_view(&r, p))
            .collect()
    };
    let title = if query.is_empty() {
        "Search the members' directory".to_string()
    } else {
        format!("Search: {query}")
    };
    let frame = Frame {
        path: SEARCH,
        title,
        description: format!("Search the {} members' directory.", r.view.short_name),
        jsonld: None,
    };
    r.render(
        "members_search.html",
        frame,
        fields! { people, query, section => "search" },
    )
}

fn members_view(r: &Renderer, p: &Person) -> PersonView {
    PersonView::new(r.society, p, Audience::Members)
}

fn directory(r: &Renderer, everyone: &[&Person]) -> Result<Page, ExportError> {
    let mut countries: Vec<Value> = by_country(everyone)
        .iter()
        .map(|(country, people)| {
            context! {
                code => country.code(),
                name => country.name(),
                people => people.iter().map(|p| members_view(r, p)).collect::<Vec<_>>(),
            }
        })
        .collect();
    countries.sort_by_key(|c| {
        c.get_attr("name")
            .map(|n| n.to_string())
            .unwrap_or_default()
    });
    let frame = Frame {
        path: ROOT,
        title: "Members' directory".into(),
        description: format!("The {} members' directory.", r.view.short_name),
        jsonld: None,
    };
    r.render(
        "members_directory.html",
        frame,
        fields! { countries, people_count => everyone.len(), section => "directory" },
    )
}

/// Every meeting with the details members alone are told: the venue's
/// address, the link to join online and the notes.
fn meetings_page(r: &Renderer, meetings: &[&Meeting]) -> Result<Page, ExportError> {
    let views: Vec<MeetingView> = meetings
        .iter()
        .map(|m| MeetingView::new(r.society, m, Audience::Members))
        .collect();
    let meetings = r.timeline_of(&views);
    let frame = Frame {
        path: &format!("{ROOT}meetings/"),
        title: "Meetings for members".into(),
        description: format!(
            "The {} meetings with the details for members.",
            r.view.short_name
        ),
        jsonld: None,
    };
    r.render(
        "members_meetings.html",
        frame,
        fields! { meetings, section => "meetings" },
    )
}

fn person(r: &Renderer, p: &Person) -> Result<Page, ExportError> {
    let view = members_view(r, p);
    let roles: Vec<&str> = p.roles.iter().map(|r| r.label()).collect();
    let frame = Frame {
        path: &format!("{ROOT}people/{}/", p.id),
        title: view.name.clone(),
        description: format!(
            "{} in the {} members' directory.",
            view.name, r.view.short_name
        ),
        jsonld: None,
    };
    r.render(
        "members_person.html",
        frame,
        fields! { person => view, roles, section => "person" },
    )
}
