//! "Did you mean …?" for misspelt ids, codes and field names, and quoting them in messages.
//!
//! Both are bounded: a quoted name is cut to [`MAX_QUOTED`] characters, and the comparisons
//! behind the suggestions of one check share a budget ([`Suggester`]), so a file with thousands
//! of unknown names among thousands of known ones is checked in linear time (the first ones
//! get suggestions, the rest none).

use std::borrow::Cow;
use std::cell::Cell;

/// Longest name (id, code, field) quoted in a message, in characters.
pub const MAX_QUOTED: usize = 40;

/// Longest word a suggestion is looked for: longer ones are not typos of an id.
const MAX_WORD: usize = 100;

/// Work (character pairs compared, and [`PER_CANDIDATE`] for each candidate looked at) that the
/// suggestions of one check may cost in all: about a tenth of a second.
const BUDGET: usize = 20_000_000;

/// What looking at one candidate costs besides its character pairs: comparing two short ids
/// costs far more than their few pairs (a candidate read from memory, the comparison set up),
/// and a candidate passed over for its length costs its reading. Without it, a million short
/// candidates per unknown name were nearly free to the budget, and a million skipped ones free.
const PER_CANDIDATE: usize = 64;

/// `s` cut to [`MAX_QUOTED`] characters, with `…` where it was cut.
pub fn clip(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(MAX_QUOTED) {
        None => Cow::Borrowed(s),
        Some((i, _)) => Cow::Owned(format!("{}…", &s[..i])),
    }
}

/// Most items [`list`] names.
const MAX_LISTED: usize = 12;

/// Names for a message, comma-separated: at most a dozen of `items`, each cut by [`clip`],
/// then how many there are in all (`total`) when that is more.
pub fn list<'a>(items: impl IntoIterator<Item = &'a str>, total: usize) -> String {
    let shown: Vec<Cow<str>> = items.into_iter().take(MAX_LISTED).map(clip).collect();
    let mut out = shown.join(", ");
    if total > shown.len() {
        out.push_str(&format!(", … ({total} in all)"));
    }
    out
}

/// Suggestions that share one budget of work.
#[derive(Debug)]
pub struct Suggester {
    budget: Cell<usize>,
}

impl Default for Suggester {
    fn default() -> Self {
        Suggester {
            budget: Cell::new(BUDGET),
        }
    }
}

impl Suggester {
    /// A suggester with the full budget.
    pub fn new() -> Self {
        Self::default()
    }

    /// The candidate closest to `word`, if it is close enough to be a likely typo; `None`
    /// also once the budget is spent.
    pub fn did_you_mean<'a>(
        &self,
        word: &str,
        candidates: impl IntoIterator<Item = &'a str>,
    ) -> Option<&'a str> {
        let n = word.chars().count();
        if n > MAX_WORD || self.budget.get() == 0 {
            return None;
        }
        let mut best: Option<(f64, &str)> = None;
        for c in candidates {
            let m = c.len();
            // Jaro-Winkler reaches 0.8 only for lengths within a factor of ten (see below).
            let compared = m <= 10 * n.max(1) && n <= 10 * m.max(1);
            let cost = if compared { n * m + PER_CANDIDATE } else { 1 };
            let left = self.budget.get();
            if cost > left {
                self.budget.set(0);
                return None;
            }
            self.budget.set(left - cost);
            if !compared {
                continue;
            }
            let score = strsim::jaro_winkler(word, c);
            if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
                best = Some((score, c));
            }
        }
        best.map(|(_, c)| c)
    }
}

/// The candidate closest to `word`, for a single lookup among a short list (field names,
/// levels); a check with many lookups uses one [`Suggester`] for all of them.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    Suggester::new().did_you_mean(word, candidates)
}

// Why the length filter loses nothing: Jaro similarity is (m/a + m/b + (m-t)/m) / 3 with m
// matching characters, m <= min(a, b); Winkler's prefix bonus applies only above 0.7. With
// b >= 10a, m/b <= 0.1 and the similarity is at most (1 + 0.1 + 1) / 3 = 0.7: no bonus, and
// below 0.8.

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

    #[test]
    fn the_length_filter_never_drops_a_suggestion() {
        // Brute force over short words of two letters, both lengths up to 25.
        let words: Vec<String> = (1..=25)
            .flat_map(|n| ["a".repeat(n), "ab".repeat(n).chars().take(n).collect()])
            .collect();
        for w in &words {
            for c in &words {
                let (n, m) = (w.len(), c.len());
                if m > 10 * n || n > 10 * m {
                    assert!(strsim::jaro_winkler(w, c) < 0.8, "{w} {c}");
                }
            }
        }
    }

    #[test]
    fn many_lookups_stop_when_the_budget_is_spent() {
        let ids: Vec<String> = (0..10_000).map(|i| format!("question_{i}")).collect();
        let s = Suggester::new();
        let mut answered = 0;
        for i in 0..10_000 {
            // Each lookup compares with every id: 10^8 comparisons without the budget.
            if s.did_you_mean(&format!("question_{i}x"), ids.iter().map(String::as_str))
                .is_some()
            {
                answered += 1;
            }
        }
        assert!(answered > 0, "the first lookups get suggestions");
        assert!(answered < 1_000, "later ones do not: {answered}");
        assert_eq!(s.budget.get(), 0);
    }

    #[test]
    fn candidates_passed_over_for_their_length_spend_the_budget_too() {
        let ids: Vec<String> = (0..10_000)
            .map(|i| format!("a_question_with_a_long_name_{i}"))
            .collect();
        let s = Suggester::new();
        for i in 0..10_000 {
            // Too short to be a typo of any id: every candidate is passed over unread.
            let word = format!("x{}", i % 10);
            assert_eq!(s.did_you_mean(&word, ids.iter().map(String::as_str)), None);
        }
        assert_eq!(s.budget.get(), 0, "10^8 candidates looked at for nothing");
    }

    #[test]
    fn clip_cuts_long_names_only() {
        assert_eq!(clip("chest_pain"), "chest_pain");
        let long = "é".repeat(100);
        let clipped = clip(&long);
        assert_eq!(clipped.chars().count(), MAX_QUOTED + 1);
        assert!(clipped.ends_with('…'));
        assert_eq!(clip(&"x".repeat(MAX_QUOTED)).chars().count(), MAX_QUOTED);
    }

    #[test]
    fn list_names_a_dozen_then_counts() {
        assert_eq!(list(["a", "b"], 2), "a, b");
        let many: Vec<String> = (0..1000).map(|i| format!("c{i}")).collect();
        let l = list(many.iter().map(String::as_str), many.len());
        assert!(l.starts_with("c0, c1, "), "{l}");
        assert!(l.ends_with("c11, … (1000 in all)"), "{l}");
    }

    #[test]
    fn a_huge_word_costs_nothing() {
        let word = "g".repeat(1_000_000);
        let s = Suggester::new();
        assert_eq!(s.did_you_mean(&word, ["gate", "q1"]), None);
        assert_eq!(s.budget.get(), BUDGET);
    }
}
