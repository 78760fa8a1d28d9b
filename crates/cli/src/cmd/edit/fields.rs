//! The flags for each kind of record. Every value goes to nspm-core as
//! typed, where it is checked with the rest of the data; an empty value
//! ('') clears an optional field.

use nspm_core::edit::{Assign, Kind};

use super::Fields;

/// Declares the flags of one kind of record and, from the same list, the
/// inputs they give nspm-core: each flag is named once, as its field, and
/// gives the input of the same name (`email_visibility` gives
/// `email-visibility`). Beside them stand the one-line helps of the kind's
/// `add`, `edit` and `remove` commands.
macro_rules! flags {
    (
        pub struct $name:ident for $kind:path {
            $( $(#[$meta:meta])* $field:ident: $ty:ty, )*
        }
        add: $add:literal,
        edit: $edit:literal,
        remove: $remove:literal,
    ) => {
        #[derive(Debug, clap::Args)]
        pub struct $name {
            $( $(#[$meta])* $field: $ty, )*
        }

        impl Fields for $name {
            const KIND: Kind = $kind;
            const ADD: &'static str = $add;
            const EDIT: &'static str = $edit;
            const REMOVE: &'static str = $remove;

            fn assigns(&self) -> Vec<Assign> {
                let mut out = Vec::new();
                $( Given::give(&self.$field, &stringify!($field).replace('_', "-"), &mut out); )*
                out
            }
        }
    };
}

/// A flag's values, as the inputs they give: one for a flag given once,
/// one a time for a flag given again and again.
trait Given {
    fn give(&self, input: &str, out: &mut Vec<Assign>);
}

impl Given for Option<String> {
    fn give(&self, input: &str, out: &mut Vec<Assign>) {
        out.extend(self.as_deref().map(|v| Assign::new(input, v)));
    }
}

impl Given for Vec<String> {
    fn give(&self, input: &str, out: &mut Vec<Assign>) {
        out.extend(self.iter().map(|v| Assign::new(input, v.as_str())));
    }
}

flags! {
    pub struct PersonFields for Kind::Person {
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
        #[arg(long, value_name = "ROLE")]
        role: Vec<String>,
        /// What the person does where they work, such as "Professor of
        /// Genetics"; public, like the name; '' for none.
        #[arg(long, value_name = "TEXT")]
        position: Option<String>,
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
        /// A photo: a JPEG, PNG or WebP file inside the data directory, by its
        /// path from there, such as photos/anna-berg.jpg; public, like the
        /// name; '' for none.
        #[arg(long, value_name = "PATH")]
        photo: Option<String>,
    }
    add: "Add a person; the id is made from the name unless --id is given",
    edit: "Change a person's fields; '' clears an optional one",
    remove: "Remove a person, revoking their access to the members' area; refused while the society names them as its contact",
}

flags! {
    pub struct InstitutionFields for Kind::Institution {
        /// The id of a new institution; made from the name when left out.
        #[arg(long)]
        id: Option<String>,
        /// The name, as the institution writes it.
        #[arg(long)]
        name: Option<String>,
        /// Another spelling that searches should find; repeat for several. The
        /// spellings given replace those known; '' for none.
        #[arg(long, value_name = "NAME")]
        alias: Vec<String>,
        /// An ISO code (SE) or a name (Sweden).
        #[arg(long, value_name = "CODE|NAME")]
        country: Option<String>,
        /// The institution's website, starting https://; '' for none.
        #[arg(long, value_name = "URL")]
        web: Option<String>,
    }
    add: "Add an institution; the id is made from the name unless --id is given",
    edit: "Change an institution's fields; '' clears an optional one",
    remove: "Remove an institution; refused while people belong to it or meetings name it",
}

flags! {
    pub struct MeetingFields for Kind::Meeting {
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
    add: "Add a meeting; the id is made from its city (or title) and year unless --id is given",
    edit: "Change a meeting's fields; '' clears an optional one. Its revision rises by one",
    remove: "Remove a meeting",
}

flags! {
    pub struct NewsFields for Kind::News {
        /// The id of a new announcement; made from its title when left out.
        #[arg(long)]
        id: Option<String>,
        /// When it was announced, as precisely as known: 2018, 2018-06 or
        /// 2018-06-14.
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// The title, such as "The society is formed".
        #[arg(long)]
        title: Option<String>,
        /// The announcement in light Markdown; raw HTML in it is shown as text.
        #[arg(long, value_name = "MARKDOWN")]
        text: Option<String>,
        /// The id of a meeting it tells of; repeat for several. The meetings
        /// given replace those named; '' for none.
        #[arg(long, value_name = "ID")]
        meeting: Vec<String>,
    }
    add: "Add an announcement; the id is made from its title unless --id is given",
    edit: "Change an announcement's fields; --meeting '' clears its meetings",
    remove: "Remove an announcement",
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
        flags_are_the_inputs::<NewsFields>();
    }
}
