//! Checks of single values: ids, email addresses, ORCID iDs, web addresses.
//! Each returns a plain-words reason when the value is wrong.

/// An id is lower-case ASCII letters and digits in words joined by single
/// hyphens, as used in URLs: `kari-stefansson`, `oslo-2016`.
pub fn id(text: &str) -> Result<(), String> {
    // One pass over the bytes: every id in the data goes through here.
    let bytes = text.as_bytes();
    let ok = !bytes.is_empty()
        && bytes.len() <= 100
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
        && bytes.iter().enumerate().all(|(i, &b)| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || (b == b'-' && bytes[i - 1] != b'-')
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{text}\" is not a valid id: use lower-case letters and digits joined by single hyphens, such as \"kari-stefansson\""
        ))
    }
}

/// An email address as people write them: one `@`, a local part of the
/// characters RFC 5322 allows unquoted, and a domain of dot-separated labels
/// ending in a top-level domain of letters.
pub fn email(text: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("malformed email address \"{text}\": {why}"));
    let Some((local, domain)) = text.rsplit_once('@') else {
        return bad("it has no `@`");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before `@` must have 1 to 64 characters");
    }
    let local_ok = local.split('.').all(|atom| {
        !atom.is_empty()
            && atom
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~-".contains(&b))
    });
    if !local_ok {
        return bad("the part before `@` has a character or dot that is not allowed");
    }
    if domain.len() > 253 {
        return bad("the domain is too long");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return bad("the domain must be names joined by dots, such as \"example.org\"");
    }
    let tld = labels[labels.len() - 1];
    if tld.len() < 2 || !tld.bytes().all(|b| b.is_ascii_alphabetic()) {
        return bad("the domain must end in a top-level domain such as \".org\"");
    }
    Ok(())
}

/// An ORCID iD: four groups of four digits, the last character a check digit
/// (0-9 or X) by ISO 7064 MOD 11-2. A full `https://orcid.org/` URL is
/// accepted too; `orcid_digits` gives the bare form.
pub fn orcid(text: &str) -> Result<(), String> {
    let bare = orcid_digits(text);
    let shape_ok = bare.len() == 19
        && bare.split('-').count() == 4
        && bare.split('-').all(|g| g.len() == 4)
        && bare.bytes().enumerate().all(|(i, b)| match i {
            4 | 9 | 14 => b == b'-',
            18 => b.is_ascii_digit() || b == b'X',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(format!(
            "\"{text}\" is not an ORCID iD: expected four groups of four digits such as \"0000-0002-1825-0097\""
        ));
    }
    let total = bare
        .bytes()
        .filter(u8::is_ascii_digit)
        .take(15)
        .fold(0, |acc, b| (acc + u32::from(b - b'0')) * 2);
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        'X'
    } else {
        char::from_digit(check, 10).unwrap_or('?')
    };
    let last = bare.chars().last().unwrap_or(' ');
    if last != expected {
        return Err(format!(
            "ORCID iD \"{text}\" fails its checksum: the last character should be {expected}, not {last}"
        ));
    }
    Ok(())
}

/// The `0000-0000-0000-0000` part of an ORCID iD, with any URL prefix removed.
pub(crate) fn orcid_digits(text: &str) -> &str {
    text.strip_prefix("https://orcid.org/")
        .or_else(|| text.strip_prefix("http://orcid.org/"))
        .unwrap_or(text)
}

/// A web address: `http` or `https`, a host, no spaces.
pub(crate) fn web_url(text: &str) -> Result<(), String> {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(rest)
            if !rest.is_empty()
                && !rest.starts_with('/')
                && !text.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "\"{text}\" is not a web address: expected one starting with https:// or http://"
        )),
    }
}

/// The address a site lives at: a web address (`web_url`) without a query
/// or a fragment, ending in `/` (one is added), so that a page's path can
/// follow it: `https://nspm.example.org/`.
pub fn base_url(text: &str) -> Result<String, String> {
    web_url(text)?;
    if text.contains(['?', '#']) {
        return Err(format!(
            "\"{text}\" is not a site's address: it has a query or a fragment"
        ));
    }
    let mut url = text.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

/// A phone number: an international number beginning with `+`, then digits,
/// spaces, hyphens, dots or parentheses, with 7 to 15 digits in all (ITU E.164).
pub fn phone(text: &str) -> Result<(), String> {
    let digits = text.bytes().filter(u8::is_ascii_digit).count();
    let ok = text.starts_with('+')
        && text[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b" -.()".contains(&b))
        && (7..=15).contains(&digits);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "\"{text}\" is not a phone number: write it in international form, such as \"+47 22 85 50 50\""
        ))
    }
}

/// A photo's path: relative to the data directory and inside it, in `/`
/// separated parts, such as `photos/anna-berg.jpg`. A path that leaves the
/// directory (`..`, or absolute) is refused before any file is opened.
pub fn photo_path(text: &str) -> Result<(), String> {
    let example = "such as \"photos/anna-berg.jpg\"";
    let why = if text.is_empty() {
        "is empty"
    } else if text.starts_with('/') || text.starts_with('\\') || text.get(1..2) == Some(":") {
        "is absolute"
    } else if text.contains('\\') {
        "has a backslash: separate its parts with `/`"
    } else if text.chars().any(char::is_control) {
        "has a control character"
    } else if text.split('/').any(|part| part == "..") {
        "leaves the data directory through `..`"
    } else if text.split('/').any(|part| part.is_empty() || part == ".") {
        "has an empty part or a `.` part"
    } else {
        return Ok(());
    };
    Err(format!(
        "the photo's path \"{text}\" {why}: give a path inside the data directory, {example}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Holds a check to the texts it must take and those it must refuse.
    fn sorts(check: fn(&str) -> Result<(), String>, good: &[&str], bad: &[&str]) {
        for text in good {
            assert!(check(text).is_ok(), "{text:?} is refused");
        }
        for text in bad {
            assert!(check(text).is_err(), "{text:?} is taken");
        }
    }

    #[test]
    fn ids() {
        sorts(
            id,
            &["kari-stefansson", "oslo-2016"],
            &["", "Kari", "kari--s", "-kari", "kari-", "kári", "a b"],
        );
    }

    #[test]
    fn emails() {
        sorts(
            email,
            &[
                "NordicPrecisionMedicine@gmail.com",
                "first.last+tag@sub.example.org",
            ],
            &[
                "",
                "nobody",
                "a@b",
                "a@@b.org",
                "a@b.c",
                "@b.org",
                "a.@b.org",
                "a b@c.org",
                "a@-b.org",
                "a@b.o1",
            ],
        );
    }

    #[test]
    fn orcids() {
        // ORCID's own documented examples, bare and as links.
        sorts(
            orcid,
            &[
                "0000-0002-1825-0097",
                "0000-0001-5109-3700",
                "0000-0002-1694-233X",
                "https://orcid.org/0000-0002-1825-0097",
            ],
            &["0000-0002-1825", "0000_0002_1825_0097"],
        );
        assert_eq!(
            orcid("0000-0002-1825-0098").unwrap_err(),
            "ORCID iD \"0000-0002-1825-0098\" fails its checksum: the last character should be 7, not 8"
        );
    }

    #[test]
    fn urls_and_phones() {
        sorts(web_url, &["https://www.uio.no/"], &["ftp://x", "https://"]);
        sorts(phone, &["+47 22 85 50 50"], &["22 85 50 50", "+1"]);
    }
}
