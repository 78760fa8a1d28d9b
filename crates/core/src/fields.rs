//! The fields of each kind of record, in the order the canonical layout
//! writes them. Reading (`decode`) and writing (`edit`) share these lists, so
//! a field added to one cannot be forgotten by the other.

pub(crate) const SOCIETY: &[&str] = &[
    "id",
    "name",
    "short_name",
    "initiative",
    "mission_intro",
    "mission",
    "mission_outro",
    "background",
    "contact",
    "base_url",
];

pub(crate) const INSTITUTION: &[&str] = &["id", "name", "aliases", "country"];

pub(crate) const PERSON: &[&str] = &[
    "id",
    "given",
    "family",
    "institution",
    "country",
    "roles",
    "email",
    "phone",
    "orcid",
    "web",
];

pub(crate) const MEETING: &[&str] = &[
    "id", "title", "date", "end", "starts", "ends", "zone", "city", "venue", "country", "summary",
    "revision", "modified",
];
