//! Text folding for search and sorting.

/// Folds text for comparison: transliterated to ASCII, lower case, runs of
/// white space as one space. "Søren" and "soren" fold alike, as do "Århus"
/// and "arhus", and "Kári Stefánsson" and "kari stefansson".
pub fn fold(text: &str) -> String {
    // ASCII text is borrowed, not copied, on its way to the folded form.
    let ascii = deunicode::deunicode_with_tofu_cow(text, "[?]");
    let mut out = String::with_capacity(ascii.len());
    for word in ascii.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// True when every word of the folded query occurs in the folded haystack.
pub(crate) fn matches_all_words(folded_query: &str, folded_haystack: &str) -> bool {
    folded_query
        .split(' ')
        .all(|word| folded_haystack.contains(word))
}

/// Turns a name into an id: "Kári Stefánsson" becomes "kari-stefansson".
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_and_slugs() {
        // Each name as search folds it, and as the id made from it: letters
        // beyond ASCII, then punctuation, then white space.
        for (name, folded, id) in [
            ("Århus", "arhus", "arhus"),
            ("Pål Njølstad", "pal njolstad", "pal-njolstad"),
            ("Kári Stefánsson", "kari stefansson", "kari-stefansson"),
            (
                "Mental Health Centre Sct. Hans",
                "mental health centre sct. hans",
                "mental-health-centre-sct-hans",
            ),
            ("Søren  Brunak", "soren brunak", "soren-brunak"),
            (
                "  Preben Bo Mortensen ",
                "preben bo mortensen",
                "preben-bo-mortensen",
            ),
        ] {
            assert_eq!(fold(name), folded, "{name:?}");
            assert_eq!(slug(name), id, "{name:?}");
        }
    }

    #[test]
    fn word_matching() {
        assert!(matches_all_words("kari stef", "kari stefansson"));
        assert!(!matches_all_words("kari brunak", "kari stefansson"));
    }
}
