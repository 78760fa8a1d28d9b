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
pub fn matches_all_words(folded_query: &str, folded_haystack: &str) -> bool {
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
    fn folding() {
        assert_eq!(fold("Søren  Brunak"), "soren brunak");
        assert_eq!(fold("Århus"), "arhus");
        assert_eq!(fold("Pål Njølstad"), "pal njolstad");
        assert_eq!(fold("Kári Stefánsson"), "kari stefansson");
    }

    #[test]
    fn word_matching() {
        assert!(matches_all_words("kari stef", "kari stefansson"));
        assert!(!matches_all_words("kari brunak", "kari stefansson"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Kári Stefánsson"), "kari-stefansson");
        assert_eq!(slug("  Preben Bo Mortensen "), "preben-bo-mortensen");
        assert_eq!(
            slug("Mental Health Centre Sct. Hans"),
            "mental-health-centre-sct-hans"
        );
    }
}
