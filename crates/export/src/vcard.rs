//! Contact cards: vCard 3.0 (RFC 2426) by default, since Apple Contacts and
//! many phones import it best, and vCard 4.0 (RFC 6350) on request.
//!
//! A person's card carries their name, institution, roles in the society,
//! country and the contact details the audience may see. The society has a
//! card of its own. Nothing is written that the data does not give: a
//! person without an institution has no ORG, and the address holds the
//! country alone.

use std::convert::Infallible;

use base64::Engine as _;

use nspm_core::{Audience, Contact, DetailKind, Person, Role, Society, SocietyInfo};
use uuid::Uuid;

use crate::parallel;
use crate::text::{Lines, PRODID, components, uri};

/// Which vCard to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum VcardVersion {
    /// vCard 3.0, RFC 2426.
    #[default]
    V3,
    /// vCard 4.0, RFC 6350.
    V4,
}

impl VcardVersion {
    fn number(self) -> &'static str {
        match self {
            VcardVersion::V3 => "3.0",
            VcardVersion::V4 => "4.0",
        }
    }
}

/// How to write cards, and for whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CardOptions {
    pub version: VcardVersion,
    /// Members-only details go only into cards for members.
    pub audience: Audience,
}

impl Default for CardOptions {
    /// vCard 3.0 for the public: the safe choice for anything published.
    fn default() -> Self {
        CardOptions {
            version: VcardVersion::V3,
            audience: Audience::Public,
        }
    }
}

/// One person's card.
pub fn person_card(society: &Society, person: &Person, opts: &CardOptions) -> String {
    let mut out = Lines::new();
    write_person(&mut out, society, person, opts);
    out.finish()
}

/// The society's own card: an organisation (KIND:org in 4.0; in 3.0 the
/// X-ABShowAs:COMPANY that Apple Contacts understands) with its email.
pub fn society_card(society: &Society, opts: &CardOptions) -> String {
    let mut out = Lines::new();
    write_society(&mut out, society, opts);
    out.finish()
}

/// A file of cards to import at once: the society's card first, then one for
/// each person given, in the order given. Each card is its own BEGIN/END
/// block with its own VERSION.
pub fn cards(society: &Society, people: &[&Person], opts: &CardOptions) -> String {
    let mut out = Lines::new();
    write_society(&mut out, society, opts);
    // Cards do not depend on each other, so blocks of them are written on
    // all cores and joined in order: the file is the same on any number.
    let blocks: Vec<&[&Person]> = people.chunks(CARDS_PER_BLOCK).collect();
    let Ok(written) = parallel::try_map(&blocks, |block| {
        let mut lines = Lines::new();
        for person in *block {
            write_person(&mut lines, society, person, opts);
        }
        Ok::<_, Infallible>(lines)
    });
    for lines in written {
        out.append(lines);
    }
    out.finish()
}

/// People whose cards one worker writes at a time.
const CARDS_PER_BLOCK: usize = 64;

/// The UID of a person's card (`urn:uuid:…`).
pub fn person_uid(society: &Society, person: &Person) -> String {
    uid(society, "person", person.id.as_str())
}

/// The UID of the society's own card.
pub fn society_uid(society: &Society) -> String {
    uid(society, "society", society.info.id.as_str())
}

/// A UID that is the same for the same record on every machine and in every
/// export: a name-based (version 5) UUID of the society's and the record's
/// ids. It does not depend on the base URL, which may change.
fn uid(society: &Society, kind: &str, id: &str) -> String {
    let name = ["nspm:", society.info.id.as_str(), "/", kind, "/", id].concat();
    let uuid = Uuid::new_v5(&Uuid::NAMESPACE_URL, name.as_bytes());
    [
        "urn:uuid:",
        uuid.hyphenated().encode_lower(&mut Uuid::encode_buffer()),
    ]
    .concat()
}

/// BEGIN, then VERSION at once (RFC 6350 requires it there), then PRODID.
fn begin(out: &mut Lines, opts: &CardOptions) {
    out.prop("BEGIN", "VCARD");
    out.prop("VERSION", opts.version.number());
    out.prop("PRODID", PRODID);
}

fn write_society(out: &mut Lines, society: &Society, opts: &CardOptions) {
    let SocietyInfo {
        id,
        name,
        short_name,
        // A card says who the society is and how to reach it; what it does
        // is on the website.
        initiative: _,
        mission_intro: _,
        mission: _,
        mission_outro: _,
        background: _,
        contact: Contact { person: _, email },
        base_url,
    } = &society.info;
    begin(out, opts);
    if opts.version == VcardVersion::V4 {
        out.prop("KIND", "org");
    }
    out.prop("UID", &uid(society, "society", id.as_str()));
    out.text("FN", name);
    // N is required in 3.0; an organisation has no personal name, so every
    // component is empty, as Apple Contacts writes company cards.
    out.prop("N", ";;;;");
    out.prop("ORG", &components(&[name]));
    out.text("NICKNAME", short_name);
    if opts.version == VcardVersion::V3 {
        out.prop("X-ABShowAs", "COMPANY");
    }
    out.prop(email_name(opts.version), email);
    if let Some(base) = base_url {
        out.prop("URL", &uri(base));
    }
    // RFC 6350 can point at the person who answers for the society.
    if let (VcardVersion::V4, Some(contact)) = (opts.version, society.contact_person()) {
        out.prop(
            "RELATED;TYPE=contact",
            &uid(society, "person", contact.id.as_str()),
        );
    }
    out.prop("END", "VCARD");
}

fn write_person(out: &mut Lines, society: &Society, person: &Person, opts: &CardOptions) {
    let Person {
        id,
        given,
        family,
        institution: _,
        country,
        // The roles come through `Person::roles_for`, as the audience may
        // know of them.
        roles: _,
        position,
        // The contact details come through `Person::details`, with their
        // kinds and only as the audience may see them.
        email: _,
        phone: _,
        orcid: _,
        web: _,
        // A photo is public, like the name: its small JPEG goes in every card.
        photo: _,
    } = person;
    begin(out, opts);
    out.prop("UID", &uid(society, "person", id.as_str()));
    out.text("FN", &person.name());
    out.prop("N", &components(&[family, given, "", "", ""]));
    if let Some(institution) = society.institution_of(person) {
        out.prop("ORG", &components(&[&institution.name]));
    }
    let roles: Vec<Role> = person.roles_for(opts.audience).collect();
    // TITLE is the person's position (RFC 6350 section 6.6.1) when the
    // data gives one, else what they are in the society; ROLE names each
    // role either way.
    if let Some(position) = position {
        out.text("TITLE", position);
    } else if !roles.is_empty() {
        let titles: Vec<String> = roles.iter().map(|&r| role_title(society, r)).collect();
        out.text("TITLE", &titles.join(" and "));
    }
    for role in roles {
        out.text("ROLE", role.label());
    }
    // The address holds only the country: the other six components are
    // left empty rather than guessed.
    out.prop(
        "ADR;TYPE=work",
        &components(&["", "", "", "", "", "", country.name()]),
    );
    for (kind, detail) in person.details(opts.audience) {
        let value = detail.value.as_str();
        match kind {
            DetailKind::Email => out.prop(email_name(opts.version), value),
            DetailKind::Phone => match opts.version {
                VcardVersion::V3 => out.text("TEL;TYPE=WORK,VOICE", value),
                VcardVersion::V4 => out.prop("TEL;VALUE=uri;TYPE=work,voice", &tel_uri(value)),
            },
            DetailKind::Orcid => out.prop("URL", &["https://orcid.org/", value].concat()),
            DetailKind::Web => out.prop("URL", &uri(value)),
        }
    }
    if let Some(jpeg) = crate::photo::card_jpeg(person) {
        let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
        match opts.version {
            // RFC 2426 section 3.1.4: inline binary, "b" encoded.
            VcardVersion::V3 => out.prop("PHOTO;ENCODING=b;TYPE=JPEG", &data),
            // RFC 6350 section 6.2.4: a URI, here a data: URI (RFC 2397).
            VcardVersion::V4 => out.prop("PHOTO", &format!("data:image/jpeg;base64,{data}")),
        }
    }
    out.prop("END", "VCARD");
}

/// The EMAIL property with its type: 3.0 names the address kind
/// (`INTERNET`, RFC 2426 section 3.3.2); 4.0 has no such type and marks it
/// as a work address instead.
fn email_name(version: VcardVersion) -> &'static str {
    match version {
        VcardVersion::V3 => "EMAIL;TYPE=INTERNET",
        VcardVersion::V4 => "EMAIL;TYPE=work",
    }
}

/// What a role means, in words: the steering committee is the initiative's
/// (the About page heads it "NPMI Steering Committee"); the other roles are
/// offices of the society itself.
fn role_title(society: &Society, role: Role) -> String {
    let info = &society.info;
    match role {
        Role::SteeringCommittee => format!(
            "Member of the {} Steering Committee",
            info.initiative.short_name
        ),
        other => format!("{} of {}", other.label(), info.short_name),
    }
}

/// A phone number as a `tel:` URI (RFC 3966), which RFC 6350 recommends:
/// spaces are not allowed there, so they become hyphens, the visual
/// separator RFC 3966 does allow.
fn tel_uri(phone: &str) -> String {
    let mut uri = String::from("tel:");
    for c in phone.trim().chars() {
        match c {
            ' ' if uri.ends_with('-') => {}
            ' ' => uri.push('-'),
            c => uri.push(c),
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_file_holds_every_card_in_order() {
        // Enough people for the cards to be written on several threads.
        let society = Society::load_embedded().unwrap();
        let people: Vec<&Person> = society.people.iter().cycle().take(5000).collect();
        let opts = CardOptions::default();
        let mut expected = society_card(&society, &opts);
        for person in &people {
            expected.push_str(&person_card(&society, person, &opts));
        }
        assert_eq!(cards(&society, &people, &opts), expected);
    }

    #[test]
    fn tel_uris_use_hyphens() {
        assert_eq!(tel_uri("+47 22 85  50 50"), "tel:+47-22-85-50-50");
        assert_eq!(tel_uri("+1 (516) 367-8455"), "tel:+1-(516)-367-8455");
    }
}
