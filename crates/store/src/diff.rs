//! A change shown as a unified diff, as `diff -u` and `git diff` show one.

use nspm_core::{DataFile, Sources};
use similar::TextDiff;

/// The unified diff of every file whose text differs between `before` and
/// `after`, in the order the files are checked; empty when none does.
pub fn diff(before: &Sources, after: &Sources) -> String {
    let mut out = String::new();
    for file in DataFile::ALL {
        let old = before.text(file).unwrap_or_default();
        let new = after.text(file).unwrap_or_default();
        if old == new {
            continue;
        }
        let path = before.display_path(file);
        let text = TextDiff::from_lines(old, new);
        out.push_str(
            &text
                .unified_diff()
                .context_radius(3)
                .header(&path, &path)
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_files_appear_with_their_hunks() {
        let before = Sources::embedded();
        let mut after = before.clone();
        let people = before.text(DataFile::People).unwrap();
        after.set_text(DataFile::People, people.replacen("\"Ole\"", "\"Olav\"", 1));
        let shown = diff(&before, &after);
        assert!(
            shown
                .starts_with("--- (embedded data)/people.ron\n+++ (embedded data)/people.ron\n@@ ")
        );
        assert!(shown.contains("\n-        given: \"Ole\",\n+        given: \"Olav\",\n"));
        assert!(!shown.contains("meetings.ron"));
        assert_eq!(diff(&before, &before), "");
    }
}
