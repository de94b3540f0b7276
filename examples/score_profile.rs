//! What scoring one answer set reads and how long it takes, on the generated questionnaires of
//! the criterion benchmark: a small harness to run under `valgrind --tool=callgrind` or to
//! time in processor time, which a loaded machine disturbs less than wall time.
//!
//! ```text
//! cargo run --release --example score_profile -- N             # what is generated, counted
//! cargo run --release --example score_profile -- N ITERS SETS  # score SETS sets in turn
//! ```
//!
//! With `SETS` at 1 the same answer set is scored `ITERS` times (as the benchmark's
//! `same_set`); with more, different people's sets take turns (as its `score`). Prints the
//! processor time of this thread per set scored, the median of 20 rounds.

// A developer tool printing its own fixed messages: no untrusted text reaches the terminal.
#![allow(clippy::disallowed_macros)]

#[path = "../benches/common/cpu.rs"]
mod cpu;
#[path = "../benches/common/gen.rs"]
mod generator;

use generator::{Rng, questionnaire};
use needlecheck::condition::Expr;
use needlecheck::loader::load_str;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numbers: N [ITERS SETS]"))
        .collect();
    let (n, iters, sets) = match args[..] {
        [n] => (n, 0, 1),
        [n, iters, sets] if sets > 0 => (n, iters, sets),
        _ => {
            eprintln!("usage: score_profile N [ITERS SETS]");
            std::process::exit(2);
        }
    };
    let g = questionnaire(n, n as u64);
    let q = load_str("generated.json", g.text().as_bytes()).expect("generated file loads");
    let objs: Vec<_> = (0..sets)
        .map(|i| g.answers(&mut Rng::new(1 + i as u64)))
        .collect();
    let pool: Vec<_> = (objs.iter())
        .map(|o| q.parse_answers(o).expect("generated answers are valid"))
        .collect();
    if iters == 0 {
        return count(&q, &objs[0], &pool[0]);
    }
    let rounds = 20;
    let per_round = iters.div_ceil(rounds);
    let mut times = Vec::with_capacity(rounds);
    let mut fired = 0;
    for _ in 0..rounds {
        let start = cpu::thread_ns();
        for i in 0..per_round {
            let o = needlecheck::score(&q, std::hint::black_box(&pool[i % sets]));
            fired += o.findings.len();
        }
        times.push((cpu::thread_ns() - start) as f64 / per_round as f64 / 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{n} questions, {sets} set(s) in turn: {:.2} µs per set (processor time, median of {rounds} rounds; {fired} findings)",
        times[rounds / 2]
    );
}

/// What the generator made at this size, and what one set of answers scores.
fn count(
    q: &needlecheck::Questionnaire,
    obj: &serde_json::Map<String, serde_json::Value>,
    a: &needlecheck::Answers,
) {
    let mut leaves = 0;
    let mut depth = 0;
    for r in q.rules() {
        let mut v = Vec::new();
        r.when.questions(&mut v);
        leaves += v.len();
        depth = depth.max(height(&r.when));
    }
    let show_if: usize = (0..q.questions().len())
        .map(|i| q.show_if_questions(i).len())
        .sum();
    let o = needlecheck::score(q, a);
    println!(
        "questions {}, rules {}, rule leaves {leaves}, deepest rule {depth}, show_if leaves {show_if}, \
         answers {}, shown {}, findings {}, answers quoted {}",
        q.questions().len(),
        q.rules().len(),
        obj.len(),
        o.visible.iter().filter(|v| **v).count(),
        o.findings.len(),
        o.findings.iter().map(|f| f.because.len()).sum::<usize>(),
    );
}

fn height(e: &Expr) -> usize {
    match e {
        Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
            1 + xs.iter().map(height).max().unwrap_or(0)
        }
        Expr::Leaf { .. } | Expr::Setting { .. } => 1,
    }
}
