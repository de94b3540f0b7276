//! One screening in progress: where we are, what is shown, what has been answered.
//!
//! The TUI and the plain line mode both drive a [`Session`]; neither keeps answers of its own.
//! After every change the session re-runs skip logic, drops answers to questions that became
//! hidden (and says which), and checks the `stop` rules so an emergency interrupts at once.

use crate::answers::{self, Answer, AnswerError, Answers};
use crate::questionnaire::Questionnaire;
use crate::score::{self, Outcome};

/// What happened after an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on to this question.
    Next(usize),
    /// No more questions.
    Finished,
    /// A `stop` rule fired (rule index): interrupt with its advice.
    Stopped(usize),
}

/// Why a session refused to move on, in words for the person answering (the same in every
/// front end); it never holds the answer given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    /// There is no question left to answer or skip.
    #[error("The screening is already complete.")]
    Complete,
    /// A required question cannot be skipped without an answer.
    #[error("This question needs an answer.")]
    Required,
    /// The answer does not fit the question.
    #[error(transparent)]
    Answer(#[from] AnswerError),
}

/// A screening in progress.
#[derive(Debug, Clone)]
pub struct Session<'q> {
    q: &'q Questionnaire,
    answers: Answers,
    visible: Vec<bool>,
    /// The question on screen; `None` once past the last one.
    current: Option<usize>,
    /// Questions visited before the current one, for going back.
    history: Vec<usize>,
    stopped: Option<usize>,
    /// Answers dropped by the last change because their question became hidden.
    dropped: Vec<usize>,
    /// Questions the last change showed that were hidden before and have no answer.
    added: Vec<usize>,
}

impl<'q> Session<'q> {
    /// Starts at the first question.
    pub fn new(q: &'q Questionnaire) -> Self {
        let answers = Answers::new(q.questions().len());
        let visible = q.visibility(&answers);
        let current = visible.iter().position(|v| *v);
        Session {
            q,
            answers,
            visible,
            current,
            history: Vec::new(),
            stopped: None,
            dropped: Vec::new(),
            added: Vec::new(),
        }
    }

    /// The questionnaire being asked.
    pub fn questionnaire(&self) -> &'q Questionnaire {
        self.q
    }

    /// The question being asked, if any.
    pub fn current(&self) -> Option<usize> {
        self.current
    }

    /// The answers given so far (those to hidden questions already dropped).
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// The answer to a question, if it is shown and answered.
    pub fn answer_of(&self, q: usize) -> Option<&Answer> {
        if self.visible[q] {
            self.answers.get(q)
        } else {
            None
        }
    }

    /// The `stop` rule that interrupted the screening, if any.
    pub fn stopped(&self) -> Option<usize> {
        self.stopped
    }

    /// Whether all questions have been gone through.
    pub fn is_finished(&self) -> bool {
        self.current.is_none()
    }

    /// Answers dropped by the last change because their questions no longer apply.
    pub fn dropped(&self) -> &[usize] {
        &self.dropped
    }

    /// Questions that the last change of an answer added: hidden before it, shown now, not
    /// answered. Empty after a first answer, whose follow-ups are simply the next questions.
    pub fn added(&self) -> &[usize] {
        &self.added
    }

    /// Questions currently shown, in order.
    pub fn visible_questions(&self) -> Vec<usize> {
        (0..self.visible.len())
            .filter(|i| self.visible[*i])
            .collect()
    }

    /// Answered, shown questions, in order (the review list).
    pub fn answered_questions(&self) -> Vec<usize> {
        self.answers
            .answered()
            .filter(|i| self.visible[*i])
            .collect()
    }

    /// (position of the current question, about how many there are). The total changes as
    /// skip logic shows or hides follow-ups: a later follow-up whose gate is not answered yet
    /// is shown when reached (ask rather than skip) but not counted until its gate is.
    pub fn progress(&self) -> (usize, usize) {
        let pos = match self.current {
            Some(c) => self.visible[..c].iter().filter(|v| **v).count() + 1,
            None => self.visible.iter().filter(|v| **v).count(),
        };
        let from = self.current.map_or(self.visible.len(), |c| c + 1);
        // Counting, a later gate without an answer is still to be answered, skipped or not.
        let ctx = crate::condition::Ctx {
            answers: &self.answers,
            visible: &self.visible,
            skipped: &[],
        };
        let later = (from..self.visible.len())
            .filter(|i| self.visible[*i])
            .filter(|i| match self.q.show_if(*i) {
                None => true,
                Some(e) => e.eval(&ctx) != crate::condition::Truth::Unknown { unsure: false },
            })
            .count();
        (pos, pos + later)
    }

    /// Answers the current question and moves on (or stops for an emergency).
    pub fn answer(&mut self, a: Answer) -> Result<Step, StepError> {
        let Some(c) = self.current else {
            return Err(StepError::Complete);
        };
        answers::check(&self.q.questions()[c], &a)?;
        let changed = self.answers.get(c).is_some();
        self.answers.set(c, Some(a));
        self.refresh();
        if !changed {
            // A first answer opening its follow-ups is the ordinary way through: nothing to
            // announce. Only a change of an answer adds questions the person did not expect.
            self.added.clear();
        }
        if let Some(rule) = score::stop_rule(self.q, &self.answers, &self.visible, &self.skipped())
        {
            self.stopped = Some(rule);
            return Ok(Step::Stopped(rule));
        }
        Ok(self.advance(c))
    }

    /// Moves past the current question without answering: only for display-only text and
    /// optional questions.
    pub fn skip(&mut self) -> Result<Step, StepError> {
        let Some(c) = self.current else {
            return Err(StepError::Complete);
        };
        if self.q.questions()[c].is_required() && self.answers.get(c).is_none() {
            return Err(StepError::Required);
        }
        self.dropped.clear();
        self.added.clear();
        // Moving on keeps the answer, so it must still stop: an emergency answer kept after
        // going back from the alert interrupts again.
        if let Some(rule) = score::stop_rule(self.q, &self.answers, &self.visible, &self.skipped())
        {
            self.stopped = Some(rule);
            return Ok(Step::Stopped(rule));
        }
        Ok(self.advance(c))
    }

    /// Goes back to the previous question shown; answers are kept. Also the way out of an
    /// emergency interrupt given by mistake. Returns false at the first question.
    pub fn back(&mut self) -> bool {
        self.dropped.clear();
        self.added.clear();
        if self.stopped.take().is_some() {
            return true;
        }
        while let Some(prev) = self.history.pop() {
            if self.visible[prev] {
                self.current = Some(prev);
                return true;
            }
        }
        false
    }

    /// Jumps to a shown question (from the review list) to change its answer.
    pub fn go_to(&mut self, q: usize) -> bool {
        if !self.visible.get(q).copied().unwrap_or(false) {
            return false;
        }
        self.dropped.clear();
        self.added.clear();
        if let Some(c) = self.current
            && c != q
        {
            self.history.push(c);
        }
        self.current = Some(q);
        self.stopped = None;
        true
    }

    /// The outcome of the answers so far. A screening left before its end is at least
    /// `incomplete` (even when only optional questions remained): an abandoned screening never
    /// reads as clear.
    pub fn outcome(&self) -> Outcome {
        // An optional question gone past without an answer was skipped, finished or not: the
        // outcome agrees with a stop rule that it set off.
        let mut outcome = score::score_passed(self.q, &self.answers, &self.skipped());
        if !self.is_finished() && self.stopped.is_none() {
            outcome.level = outcome.level.max(crate::Level::Incomplete);
        }
        outcome
    }

    /// The optional questions reached so far (the current one and those visited before it):
    /// one without an answer was skipped, and in a rule counts as unknown the way "Not sure"
    /// does. A question not reached yet is still to be answered (until the screening is
    /// finished; see [`score::score`]).
    fn skipped(&self) -> Vec<bool> {
        let mut reached = vec![false; self.q.questions().len()];
        for i in self.history.iter().copied().chain(self.current) {
            reached[i] = true;
        }
        self.q
            .questions()
            .iter()
            .zip(reached)
            .map(|(x, r)| r && !x.is_required())
            .collect()
    }

    fn advance(&mut self, from: usize) -> Step {
        self.history.push(from);
        self.current = (from + 1..self.visible.len()).find(|i| self.visible[*i]);
        match self.current {
            Some(n) => Step::Next(n),
            None => Step::Finished,
        }
    }

    /// Re-runs skip logic and drops answers to questions that became hidden.
    fn refresh(&mut self) {
        let before = std::mem::replace(&mut self.visible, self.q.visibility(&self.answers));
        self.dropped = self
            .answers
            .answered()
            .filter(|i| !self.visible[*i])
            .collect();
        for i in self.dropped.clone() {
            self.answers.set(i, None);
        }
        self.added = (0..self.visible.len())
            .filter(|i| self.visible[*i] && !before[*i] && self.answers.get(*i).is_none())
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::test_fixtures::mini;

    fn id(s: &Session, q: Option<usize>) -> String {
        q.map_or("(end)".into(), |i| {
            s.questionnaire().questions()[i].id.clone()
        })
    }

    #[test]
    fn walks_the_visible_questions_and_skips_follow_ups() {
        let q = mini();
        let mut s = Session::new(&q);
        assert_eq!(id(&s, s.current()), "chest_pain");
        // Before "pregnant" is answered, its follow-up "weeks" is not counted, nor "which".
        assert_eq!(s.progress(), (1, 5));
        s.answer(Answer::No).unwrap();
        s.answer(Answer::Number(40.0)).unwrap();
        assert_eq!(s.progress(), (3, 5));
        s.answer(Answer::No).unwrap();
        // "weeks" is hidden after "no"; the total shrinks with it.
        assert_eq!(id(&s, s.current()), "thinners");
        assert_eq!(s.progress(), (4, 5));
        s.answer(Answer::No).unwrap();
        assert_eq!(id(&s, s.current()), "notes");
        // Leaving now, with only an optional question left, is still not clear.
        assert_eq!(s.outcome().level, crate::Level::Incomplete);
        assert_eq!(s.skip(), Ok(Step::Finished));
        assert!(s.is_finished());
        assert_eq!(s.outcome().level, crate::Level::Clear);
    }

    #[test]
    fn invalid_answers_are_refused_without_moving() {
        let q = mini();
        let mut s = Session::new(&q);
        s.answer(Answer::No).unwrap();
        let err = s.answer(Answer::Number(130.0)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Please enter a number from 0 to 120 years."
        );
        assert_eq!(id(&s, s.current()), "age");
        assert_eq!(s.skip(), Err(StepError::Required));
        assert_eq!(
            StepError::Required.to_string(),
            "This question needs an answer."
        );
    }

    #[test]
    fn back_keeps_answers_and_change_drops_hidden_follow_ups() {
        let q = mini();
        let mut s = Session::new(&q);
        s.answer(Answer::No).unwrap();
        s.answer(Answer::Number(30.0)).unwrap();
        s.answer(Answer::Yes).unwrap();
        // A first answer that opens a follow-up adds nothing to announce.
        assert_eq!(s.added(), &[] as &[usize]);
        s.answer(Answer::Number(20.0)).unwrap();
        assert!(s.back());
        assert_eq!(id(&s, s.current()), "weeks");
        assert_eq!(
            s.answer_of(s.current().unwrap()),
            Some(&Answer::Number(20.0))
        );
        assert!(s.back());
        assert_eq!(id(&s, s.current()), "pregnant");
        s.answer(Answer::No).unwrap();
        let weeks = q.question_index("weeks").unwrap();
        assert_eq!(s.dropped(), &[weeks]);
        assert_eq!(s.added(), &[] as &[usize]);
        // Saying yes again shows "weeks" again, now without an answer: it is added.
        assert!(s.back());
        s.answer(Answer::Yes).unwrap();
        assert_eq!(s.added(), &[weeks]);
        assert_eq!(s.answers().get(weeks), None);
    }

    #[test]
    fn emergency_stops_at_once_and_back_undoes_it() {
        let q = mini();
        let mut s = Session::new(&q);
        assert_eq!(s.answer(Answer::Unsure), Ok(Step::Stopped(0)));
        assert_eq!(s.stopped(), Some(0));
        assert_eq!(s.outcome().level, crate::Level::Emergency);
        assert!(s.back());
        assert_eq!(s.stopped(), None);
        assert_eq!(id(&s, s.current()), "chest_pain");
        // Keeping the answer and moving on stops again.
        assert_eq!(s.skip(), Ok(Step::Stopped(0)));
        assert!(s.back());
        assert_eq!(s.answer(Answer::No), Ok(Step::Next(1)));
    }
}
