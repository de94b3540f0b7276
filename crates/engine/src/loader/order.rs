//! `show_if`: compiled, then checked to look only at questions asked before.

use super::check::{Checker, Flat, Ptr};
use super::compile::Resolver;
use super::rules::not_unsure_tests;
use crate::condition::Expr;
use crate::model::{Condition, Question};

/// Compiles every `show_if` and reports a question shown depending on itself, on a later
/// question, or on a cycle.
pub(super) fn compile_show_if(c: &mut Checker, r: &Resolver, flat: &Flat) -> Vec<Option<Expr>> {
    let questions = &flat.questions;
    let mut show_if = Vec::with_capacity(questions.len());
    let mut deps: Vec<Vec<usize>> = Vec::with_capacity(questions.len());
    for (i, q) in questions.iter().enumerate() {
        let Some(cond) = &q.show_if else {
            show_if.push(None);
            deps.push(Vec::new());
            continue;
        };
        let p = flat.ptr(i);
        let at = p.key("show_if");
        let e = r.compile(c, cond, &at);
        if e.is_some() {
            check_monotone(c, &q.id, cond, &at);
        }
        let mut d = Vec::new();
        if let Some(e) = &e {
            e.questions(&mut d);
        }
        d.sort_unstable();
        d.dedup();
        if d.contains(&i) {
            c.push(
                format!("{p}/show_if"),
                format!("`{}` shows itself depending on its own answer", q.id),
                Some("show_if must refer to earlier questions only".into()),
            );
        }
        deps.push(d);
        show_if.push(e);
    }
    check_order_and_cycles(c, questions, &|i| flat.ptr(i), &deps);
    show_if
}

/// A `show_if` that holds only when an answer is *not* "Not sure" would let "Not sure" hide
/// questions that a definite answer shows (and so give a lower outcome).
fn check_monotone(c: &mut Checker, id: &str, cond: &Condition, at: &Ptr) {
    let mut found = Vec::new();
    not_unsure_tests(cond, at, &mut found);
    if let Some((pointer, q)) = found.into_iter().next() {
        c.push(
            pointer,
            format!(
                "`{id}` is shown only when `{q}` is *not* answered \"Not sure\", so \"Not sure\" \
                 could hide questions that a definite answer shows"
            ),
            Some(
                "test the answers themselves (e.g. `\"one_of\": [\"yes\", \"no\"]`): a \"Not \
                 sure\" then still shows the question"
                    .into(),
            ),
        );
    }
}

/// Report forward references and cycles among `show_if` dependencies.
fn check_order_and_cycles(
    c: &mut Checker,
    qs: &[Question],
    pointer: &dyn Fn(usize) -> Ptr<'static>,
    deps: &[Vec<usize>],
) {
    // Cycles first: a cycle always contains a forward reference, and naming the cycle is more
    // useful than naming one edge of it.
    let n = qs.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut in_cycle = vec![false; n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        // Iterative DFS: (node, next dependency to visit).
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&d) = deps[node].get(*next) {
                *next += 1;
                if d == node {
                    continue;
                }
                match state[d] {
                    0 => {
                        state[d] = 1;
                        stack.push((d, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(x, _)| *x == d).unwrap_or(0);
                        let cycle: Vec<usize> = stack[from..].iter().map(|(x, _)| *x).collect();
                        if !cycle.iter().any(|x| in_cycle[*x]) {
                            let names: Vec<&str> = cycle
                                .iter()
                                .chain(std::iter::once(&d))
                                .map(|x| qs[*x].id.as_str())
                                .collect();
                            c.push(
                                format!("{}/show_if", pointer(d)),
                                format!("show_if cycle: {}", names.join(" → ")),
                                Some("a question's show_if may refer only to questions asked before it".into()),
                            );
                        }
                        cycle.iter().for_each(|x| in_cycle[*x] = true);
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    for (i, d) in deps.iter().enumerate() {
        for &j in d {
            if j > i && !(in_cycle[i] && in_cycle[j]) {
                c.push(
                    format!("{}/show_if", pointer(i)),
                    format!(
                        "show_if of `{}` refers to `{}`, which is asked later",
                        qs[i].id, qs[j].id
                    ),
                    Some(format!("move `{}` before `{}`", qs[j].id, qs[i].id)),
                );
            }
        }
    }
}
