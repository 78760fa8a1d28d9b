//! "Did you mean …?": the one rule for suggesting a name in place of a
//! misspelt one, for ids, field names and time zones alike.

use crate::text::fold;

/// How close a candidate must come to be suggested, from 0 (nothing alike)
/// to 1 (the same once folded).
const CLOSE: f64 = 0.75;

/// How far behind the best a candidate may be and still be suggested.
const NEARLY: f64 = 0.05;

/// The most suggestions given at once.
const MOST: usize = 3;

/// Names to suggest in place of a misspelt one: ids, field names, time
/// zones. The candidates are folded once, when this is made, and then asked
/// about as often as needed: a check that finds many references to missing
/// records folds the ids once, not once a reference.
#[derive(Debug)]
pub(crate) struct Suggestions<'a> {
    candidates: Vec<(&'a str, String)>,
}

impl<'a> Suggestions<'a> {
    pub fn new(candidates: impl IntoIterator<Item = &'a str>) -> Self {
        Suggestions {
            candidates: candidates.into_iter().map(|c| (c, fold(c))).collect(),
        }
    }

    /// The candidates closest to `wrong`, best first, at most three, and
    /// only those nearly as close as the best. Both sides are folded, so
    /// "soren" is close to "søren" and "europe/oslo" to "Europe/Oslo".
    pub fn closest(&self, wrong: &str) -> Vec<&'a str> {
        let wrong = fold(wrong);
        let mut scored: Vec<(f64, &str)> = self
            .candidates
            .iter()
            .map(|(c, folded)| (closeness(&wrong, folded), *c))
            .filter(|(score, _)| *score >= CLOSE)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let best = scored.first().map_or(0.0, |s| s.0);
        let mut out: Vec<&str> = Vec::new();
        for (score, c) in scored {
            if score >= best - NEARLY && !out.contains(&c) && out.len() < MOST {
                out.push(c);
            }
        }
        out
    }

    /// The one candidate closest to `wrong`, if any is close.
    pub fn best(&self, wrong: &str) -> Option<&'a str> {
        self.closest(wrong).first().copied()
    }
}

/// How alike two folded names are, from 0 to 1: one less the edit distance
/// for each character of the longer, where swapping two neighbours is one
/// edit ("emial" is one from "email"). Edit distance rather than
/// Jaro-Winkler, since ids share long tails ("-university"), which
/// Jaro-Winkler rates as close. A name that the other holds whole, or
/// abbreviates word by word, counts as close.
fn closeness(wrong: &str, candidate: &str) -> f64 {
    let longest = wrong.chars().count().max(candidate.chars().count());
    let mut score = if longest == 0 {
        1.0
    } else {
        1.0 - strsim::osa_distance(wrong, candidate) as f64 / longest as f64
    };
    if !wrong.is_empty() && (candidate.contains(wrong) || abbreviates(wrong, candidate)) {
        score = score.max(0.9);
    }
    score
}

/// The candidates closest to a misspelt id or name, as
/// `Suggestions::closest` finds them, for a single question.
pub fn suggest<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    Suggestions::new(candidates).closest(wrong)
}

/// True when each word of `short` begins a word of `long`, in order:
/// "uni-oslo" abbreviates "university-of-oslo".
fn abbreviates(short: &str, long: &str) -> bool {
    let is_sep = |c: char| c == '-' || c == ' ';
    let mut words = long.split(is_sep);
    short
        .split(is_sep)
        .filter(|w| !w.is_empty())
        .all(|w| words.any(|l| l.starts_with(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_suggests_ids_field_names_and_time_zones() {
        // A swapped pair of letters is one edit, wherever it is made.
        let fields = Suggestions::new(["id", "given", "family", "email", "phone"]);
        assert_eq!(fields.best("emial"), Some("email"));
        assert_eq!(fields.best("Email"), Some("email"));
        assert_eq!(fields.best("hobby"), None);
        let zones = Suggestions::new(["Europe/Oslo", "Europe/Stockholm", "America/New_York"]);
        assert_eq!(zones.best("Europe/Olso"), Some("Europe/Oslo"));
        assert_eq!(zones.best("europe/oslo"), Some("Europe/Oslo"));
        let ids = Suggestions::new(["oslo-2016", "bergen-2015", "malmo-2017"]);
        assert_eq!(ids.closest("oslo-2061"), ["oslo-2016"]);
        // The same candidates answer any number of questions.
        assert_eq!(ids.closest("malmo-2071"), ["malmo-2017"]);
        assert!(ids.closest("reykjavik").is_empty());
    }

    #[test]
    fn suggestions_follow_typos_and_abbreviations_not_shared_tails() {
        let ids = [
            "aarhus-university",
            "university-of-oslo",
            "university-of-bergen",
        ];
        assert!(suggest("lund-university", ids.into_iter()).is_empty());
        assert_eq!(suggest("uni-oslo", ids.into_iter()), ["university-of-oslo"]);
        assert_eq!(
            suggest("university-of-bergn", ids.into_iter()),
            ["university-of-bergen"]
        );
    }
}
