//! The flags for each kind of record. Every value goes to nspm-core as
//! typed, where it is checked with the rest of the data; an empty value
//! ('') clears an optional field.

use nspm_core::edit::{Assign, Kind};

use super::Fields;

/// Adds `--name value` to `out` when the flag was given.
fn put(out: &mut Vec<Assign>, name: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.push(Assign::new(name, v.as_str()));
    }
}

fn put_all(out: &mut Vec<Assign>, name: &str, values: &[String]) {
    out.extend(values.iter().map(|v| Assign::new(name, v.as_str())));
}

#[derive(Debug, clap::Args)]
pub struct PersonFields {
    /// The id of a new person; made from the name when left out.
    #[arg(long)]
    id: Option<String>,
    /// Given and family name, split at the last space: "Kári Stefánsson".
    #[arg(long)]
    name: Option<String>,
    /// The given name, when the last space does not split the name right.
    #[arg(long)]
    given: Option<String>,
    /// The family name.
    #[arg(long)]
    family: Option<String>,
    /// The institution's id, name or other spelling; '' for none.
    #[arg(long, value_name = "ID|NAME")]
    institution: Option<String>,
    /// An ISO code (IS) or a name (Iceland); a new person takes their
    /// institution's when left out.
    #[arg(long, value_name = "CODE|NAME")]
    country: Option<String>,
    /// A role such as steering-committee; repeat for several. The roles given
    /// replace those held; '' for none.
    #[arg(long = "role", value_name = "ROLE")]
    roles: Vec<String>,
    /// Email address; a new one is for members only unless made public.
    #[arg(long)]
    email: Option<String>,
    /// Who may see the email address.
    #[arg(long, value_name = "public|members")]
    email_visibility: Option<String>,
    /// Phone number, such as +47 22 85 50 50.
    #[arg(long)]
    phone: Option<String>,
    /// Who may see the phone number.
    #[arg(long, value_name = "public|members")]
    phone_visibility: Option<String>,
    /// ORCID iD, such as 0000-0002-1825-0097.
    #[arg(long)]
    orcid: Option<String>,
    /// Who may see the ORCID iD.
    #[arg(long, value_name = "public|members")]
    orcid_visibility: Option<String>,
    /// Web page, starting https://.
    #[arg(long, value_name = "URL")]
    web: Option<String>,
    /// Who may see the web page.
    #[arg(long, value_name = "public|members")]
    web_visibility: Option<String>,
}

impl Fields for PersonFields {
    const KIND: Kind = Kind::Person;

    fn assigns(&self) -> Vec<Assign> {
        let mut out = Vec::new();
        put(&mut out, "id", &self.id);
        put(&mut out, "name", &self.name);
        put(&mut out, "given", &self.given);
        put(&mut out, "family", &self.family);
        put(&mut out, "institution", &self.institution);
        put(&mut out, "country", &self.country);
        put_all(&mut out, "role", &self.roles);
        put(&mut out, "email", &self.email);
        put(&mut out, "email-visibility", &self.email_visibility);
        put(&mut out, "phone", &self.phone);
        put(&mut out, "phone-visibility", &self.phone_visibility);
        put(&mut out, "orcid", &self.orcid);
        put(&mut out, "orcid-visibility", &self.orcid_visibility);
        put(&mut out, "web", &self.web);
        put(&mut out, "web-visibility", &self.web_visibility);
        out
    }
}

#[derive(Debug, clap::Args)]
pub struct InstitutionFields {
    /// The id of a new institution; made from the name when left out.
    #[arg(long)]
    id: Option<String>,
    /// The name, as the institution writes it.
    #[arg(long)]
    name: Option<String>,
    /// Another spelling that searches should find; repeat for several. The
    /// spellings given replace those known; '' for none.
    #[arg(long = "alias", value_name = "NAME")]
    aliases: Vec<String>,
    /// An ISO code (SE) or a name (Sweden).
    #[arg(long, value_name = "CODE|NAME")]
    country: Option<String>,
}

impl Fields for InstitutionFields {
    const KIND: Kind = Kind::Institution;

    fn assigns(&self) -> Vec<Assign> {
        let mut out = Vec::new();
        put(&mut out, "id", &self.id);
        put(&mut out, "name", &self.name);
        put_all(&mut out, "alias", &self.aliases);
        put(&mut out, "country", &self.country);
        out
    }
}

#[derive(Debug, clap::Args)]
pub struct MeetingFields {
    /// The id of a new meeting; made from its city (or title) and year when
    /// left out, as in oslo-2019.
    #[arg(long)]
    id: Option<String>,
    /// The title, such as "Oslo meeting".
    #[arg(long)]
    title: Option<String>,
    /// When it began, as precisely as known: 2019, 2019-05 or 2019-05-14.
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// The last day of a meeting of several days, such as 2019-05-16; '' for
    /// none.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    /// When it starts on its first day, as HH:MM by the clocks of --zone;
    /// '' for none. Needs a date known to the day.
    #[arg(long, value_name = "HH:MM")]
    starts: Option<String>,
    /// When it ends on its last day, as HH:MM; '' for none.
    #[arg(long, value_name = "HH:MM")]
    ends: Option<String>,
    /// The IANA time zone of its times, such as Europe/Oslo; '' for none.
    #[arg(long, value_name = "ZONE")]
    zone: Option<String>,
    /// The city; '' for none.
    #[arg(long)]
    city: Option<String>,
    /// The hosting institution's id, name or other spelling; '' for none.
    #[arg(long, value_name = "ID|NAME")]
    venue: Option<String>,
    /// An ISO code (NO) or a name (Norway); a new meeting takes its venue's
    /// when left out.
    #[arg(long, value_name = "CODE|NAME")]
    country: Option<String>,
    /// A sentence or two on what happened; '' for none.
    #[arg(long, value_name = "TEXT")]
    summary: Option<String>,
    /// The venue's street address, shown to members only; '' for none.
    #[arg(long, value_name = "TEXT")]
    venue_address: Option<String>,
    /// Where members join online, an http(s) URL shown to members only;
    /// '' for none.
    #[arg(long, value_name = "URL")]
    online_link: Option<String>,
    /// Notes for members only, such as the agenda; '' for none.
    #[arg(long, value_name = "TEXT")]
    notes: Option<String>,
}

impl Fields for MeetingFields {
    const KIND: Kind = Kind::Meeting;

    fn assigns(&self) -> Vec<Assign> {
        let mut out = Vec::new();
        put(&mut out, "id", &self.id);
        put(&mut out, "title", &self.title);
        put(&mut out, "date", &self.date);
        put(&mut out, "end", &self.end);
        put(&mut out, "starts", &self.starts);
        put(&mut out, "ends", &self.ends);
        put(&mut out, "zone", &self.zone);
        put(&mut out, "city", &self.city);
        put(&mut out, "venue", &self.venue);
        put(&mut out, "country", &self.country);
        put(&mut out, "summary", &self.summary);
        put(&mut out, "venue-address", &self.venue_address);
        put(&mut out, "online-link", &self.online_link);
        put(&mut out, "notes", &self.notes);
        out
    }
}

#[cfg(test)]
mod tests {
    use clap::Command;

    use super::*;

    /// The flags of one kind of record are its inputs in nspm-core, one
    /// each, and every flag given reaches the change.
    fn flags_are_the_inputs<F: Fields>() {
        let noun = F::KIND.noun();
        let command = F::augment_args(Command::new("nspm"));
        let flags: Vec<&str> = command
            .get_arguments()
            .filter_map(|a| a.get_long())
            .collect();
        let inputs: Vec<&str> = F::KIND.fields().collect();
        for input in &inputs {
            assert!(
                flags.contains(input),
                "a {noun}'s input `{input}` has no flag --{input} in crates/cli/src/cmd/edit/fields.rs"
            );
        }
        for flag in &flags {
            assert!(inputs.contains(flag), "--{flag} is no input of a {noun}");
        }
        let mut line = vec!["nspm".to_string()];
        for flag in &flags {
            line.extend([format!("--{flag}"), "value".to_string()]);
        }
        let matches = command.clone().try_get_matches_from(line).unwrap();
        let fields = F::from_arg_matches(&matches).unwrap();
        let given: Vec<String> = fields.assigns().into_iter().map(|a| a.field).collect();
        assert_eq!(given, inputs, "the inputs a {noun}'s flags give");
    }

    #[test]
    fn every_input_is_a_flag_and_every_flag_is_given() {
        flags_are_the_inputs::<PersonFields>();
        flags_are_the_inputs::<InstitutionFields>();
        flags_are_the_inputs::<MeetingFields>();
    }
}
