//! "Did you mean …?" for misspelt ids, codes and field names.

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["chest_pain", "breathing", "pregnant"];
        assert_eq!(did_you_mean("chest_pian", ids), Some("chest_pain"));
        assert_eq!(did_you_mean("pregnancy", ids), Some("pregnant"));
        assert_eq!(did_you_mean("zzz", ids), None);
    }
}
