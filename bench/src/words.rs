//! The words synthetic records are made of: for each country the About page
//! names, its cities, given and family names, telephone code and web domain.
//!
//! The names keep their letters (ø, å, æ, ð, þ, á, ö, õ, ä) so that a
//! benchmark reads, folds and sorts text as real data makes it do.

#[derive(Debug)]
pub struct Land {
    /// ISO 3166-1 alpha-2, as the data files write it.
    pub code: &'static str,
    /// The international dialling code, `+47`.
    pub dial: &'static str,
    /// How the local part of a number is grouped; `#` is a digit.
    pub phone: &'static str,
    pub tld: &'static str,
    pub cities: &'static [&'static str],
    pub given: &'static [&'static str],
    pub family: &'static [&'static str],
}

/// Every country the society's About page mentions.
pub const LANDS: &[Land] = &[
    Land {
        code: "NO",
        dial: "+47",
        phone: "## ## ## ##",
        tld: "no",
        cities: &[
            "Oslo",
            "Bergen",
            "Trondheim",
            "Tromsø",
            "Stavanger",
            "Bodø",
            "Ålesund",
            "Kristiansand",
        ],
        given: &[
            "Ole", "Bjørn", "Pål", "Kari", "Åse", "Sølvi", "Eivind", "Kristian", "Ingrid",
            "Solveig", "Håkon", "Tormod", "Gøril", "Marit", "Øystein", "Jørgen",
        ],
        family: &[
            "Andreassen",
            "Hovig",
            "Hveem",
            "Njølstad",
            "Ødegård",
            "Sæther",
            "Bækken",
            "Haugen",
            "Løvås",
            "Østby",
            "Aasen",
            "Dæhli",
            "Nygård",
            "Brøgger",
        ],
    },
    Land {
        code: "SE",
        dial: "+46",
        phone: "# ### ### ##",
        tld: "se",
        cities: &[
            "Stockholm",
            "Göteborg",
            "Malmö",
            "Lund",
            "Uppsala",
            "Umeå",
            "Linköping",
            "Örebro",
        ],
        given: &[
            "Leif", "Maria", "Paul", "Åsa", "Göran", "Märta", "Björn", "Linnéa", "Örjan", "Karin",
            "Anders", "Sofia", "Måns", "Ebba",
        ],
        family: &[
            "Groop",
            "Gomez",
            "Franks",
            "Åberg",
            "Öberg",
            "Ängström",
            "Lindqvist",
            "Söderberg",
            "Wallén",
            "Björklund",
            "Nordström",
            "Håkansson",
            "Strömgren",
        ],
    },
    Land {
        code: "DK",
        dial: "+45",
        phone: "## ## ## ##",
        tld: "dk",
        cities: &[
            "København",
            "Aarhus",
            "Odense",
            "Aalborg",
            "Roskilde",
            "Esbjerg",
            "Køge",
            "Næstved",
        ],
        given: &[
            "Søren", "Anders", "Merete", "Preben", "Thomas", "Jørgen", "Mette", "Bjørk", "Dorthe",
            "Kirsten", "Rasmus", "Signe", "Søs", "Halfdan",
        ],
        family: &[
            "Brunak",
            "Børglum",
            "Mortensen",
            "Werge",
            "Sørensen",
            "Højgaard",
            "Kjær",
            "Møller",
            "Bækgaard",
            "Lærkesen",
            "Fæster",
            "Østergaard",
            "Dahl",
        ],
    },
    Land {
        code: "FI",
        dial: "+358",
        phone: "# ### ####",
        tld: "fi",
        cities: &[
            "Helsinki",
            "Turku",
            "Tampere",
            "Oulu",
            "Jyväskylä",
            "Kuopio",
            "Vaasa",
            "Hämeenlinna",
        ],
        given: &[
            "Aarno", "Mark", "Päivi", "Jukka", "Liisa", "Väinö", "Mikko", "Sirpa", "Tiina",
            "Hannele", "Jääsko", "Elina", "Antti", "Ilkka",
        ],
        family: &[
            "Palotie",
            "Daly",
            "Virtanen",
            "Mäkinen",
            "Häkkinen",
            "Järvinen",
            "Kärkkäinen",
            "Nieminen",
            "Heikkilä",
            "Lähteenmäki",
            "Ylönen",
            "Saarinen",
        ],
    },
    Land {
        code: "IS",
        dial: "+354",
        phone: "### ####",
        tld: "is",
        cities: &[
            "Reykjavík",
            "Akureyri",
            "Ísafjörður",
            "Hafnarfjörður",
            "Kópavogur",
            "Egilsstaðir",
            "Selfoss",
            "Húsavík",
        ],
        given: &[
            "Kári",
            "Unnur",
            "Þóra",
            "Guðrún",
            "Sigríður",
            "Jónas",
            "Ásta",
            "Kristín",
            "Ólafur",
            "Ægir",
            "Þórður",
            "Björk",
            "Dagný",
            "Hákon",
            "Sæunn",
            "Arnþór",
        ],
        family: &[
            "Stefánsson",
            "Þorsteinsdóttir",
            "Þórðarson",
            "Guðmundsdóttir",
            "Jóhannsson",
            "Sæmundsson",
            "Ólafsdóttir",
            "Einarsson",
            "Hjaltadóttir",
            "Ragnarsson",
            "Ásgeirsdóttir",
            "Björnsson",
            "Hallþórsdóttir",
        ],
    },
    Land {
        code: "EE",
        dial: "+372",
        phone: "### ####",
        tld: "ee",
        cities: &["Tallinn", "Tartu", "Pärnu", "Narva", "Viljandi", "Võru"],
        given: &[
            "Andres", "Lili", "Tõnu", "Jüri", "Kätlin", "Mari", "Märt", "Reedik", "Tõnis", "Ülle",
            "Krista", "Priit",
        ],
        family: &[
            "Metspalu", "Milani", "Tamm", "Saar", "Kask", "Mägi", "Õunapuu", "Pärn", "Kõiv",
            "Lõhmus", "Rüütel",
        ],
    },
    Land {
        code: "US",
        dial: "+1",
        phone: "### ### ####",
        tld: "org",
        cities: &[
            "Cold Spring Harbor",
            "Boston",
            "New York",
            "San Diego",
            "Seattle",
            "Baltimore",
        ],
        given: &[
            "Hakon", "Mark", "Emily", "John", "Sarah", "David", "Rachel", "Michael", "Laura",
            "Benjamin", "Olivia", "Daniel",
        ],
        family: &[
            "Heimer", "Smith", "Johnson", "O'Connor", "Nguyen", "García", "Patel", "Kowalski",
            "Andersen", "Lindgren", "Brooks",
        ],
    },
];

/// Research fields, for names of institutes and meetings.
pub const FIELDS: &[&str] = &[
    "Molecular Medicine",
    "Precision Medicine",
    "Genomic Medicine",
    "Population Genetics",
    "Psychiatric Genetics",
    "Bioinformatics",
    "Biobanking",
    "Epidemiology",
    "Pharmacogenomics",
    "Human Evolution",
    "Cancer Genomics",
    "Rare Diseases",
    "Health Data Science",
    "Cardiometabolic Disease",
    "Statistical Genetics",
];

/// Institution names: `{c}` is a city, `{f}` a field. The short form is an
/// alias the same way the About page spells an institution two ways.
pub const INSTITUTION_KINDS: &[(&str, &str)] = &[
    ("University of {c}", "uni"),
    ("{c} University Hospital", "hospital"),
    ("{c} Institute of {f}", "institute"),
    ("Centre for {f}, {c}", "centre"),
    ("{c} Biobank", "biobank"),
    ("{f} Laboratory {c}", "lab"),
    ("National Institute for {f}, {c}", "nat"),
    ("{c} School of Public Health", "sph"),
];

/// Meeting titles: `{c}` is the city, `{f}` a field, `{y}` the year.
pub const MEETING_KINDS: &[&str] = &[
    "{c} meeting",
    "{c} workshop on {f}",
    "Annual meeting {y}",
    "{f} symposium, {c}",
    "Steering committee meeting, {c}",
    "Nordic {f} days",
];

/// Summaries; some quote a phrase so that strings with escapes are read too.
pub const SUMMARIES: &[&str] = &[
    "The steering committee met to plan the next year of the initiative.",
    "Working groups reported on shared biobank access across the Nordic countries.",
    "A road map for \"precision medicine in practice\" was discussed and adopted.",
    "Members presented results from population-scale genotyping.",
    "Ethical, legal and social questions of data sharing were the theme of the day.",
    "The meeting agreed on common consent forms for the Nordic biobanks.",
    "Young researchers showed their work in a poster session; prizes were awarded.",
    "Talks on registry-based studies; the society's \"data bridge\" was launched.",
];

/// Mail providers for people without an institution.
pub const MAIL_HOSTS: &[&str] = &["gmail.com", "outlook.com", "proton.me", "icloud.com"];
