//! Writes large generated questionnaires and an answers file, for timing the command line.
//!
//! ```text
//! cargo run --release --example gen_large -- DIR [LINES]
//! ```
//!
//! Writes `DIR/q-1k.json`, `DIR/q-10k.json`, `DIR/q-100.json` and `DIR/answers-100.jsonl`:
//! LINES (default 100 000) lines of `{"answers": {...}}`, each one person's answers to
//! `q-100.json` (a questionnaire of realistic size; answers that follow `show_if`, some
//! screenings left incomplete, some with an answer to a hidden question), and
//! `DIR/answers-1k.json` and `DIR/answers-10k.json`, one person's answers to `q-1k.json` and
//! `q-10k.json`. Same bytes on every run.

// A developer tool printing its own fixed messages: no untrusted text reaches the terminal.
#![allow(clippy::disallowed_macros)]

#[path = "../benches/common/gen.rs"]
mod generator;

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use generator::{Rng, questionnaire};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: gen_large DIR [LINES]");
        std::process::exit(2);
    };
    let lines: usize = match args.next().map(|s| s.parse()) {
        None => 100_000,
        Some(Ok(n)) => n,
        Some(Err(_)) => {
            eprintln!("LINES must be a whole number");
            std::process::exit(2);
        }
    };
    std::fs::create_dir_all(&dir)?;
    for (n, name) in [
        (1_000, "q-1k.json"),
        (10_000, "q-10k.json"),
        (100, "q-100.json"),
    ] {
        let g = questionnaire(n, n as u64);
        std::fs::write(dir.join(name), g.text())?;
        eprintln!("{name}: {n} questions, {} rules", g.rules);
        if n >= 1_000 {
            let one = serde_json::json!({"answers": g.answers(&mut Rng::new(1))});
            let name = format!("answers-{}k.json", n / 1_000);
            std::fs::write(dir.join(name), one.to_string())?;
        }
        if n == 100 {
            let mut out = BufWriter::new(std::fs::File::create(dir.join("answers-100.jsonl"))?);
            let mut rng = Rng::new(7);
            for _ in 0..lines {
                let line = serde_json::json!({"answers": g.realistic_answers(&mut rng)});
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n")?;
            }
            out.flush()?;
            eprintln!("answers-100.jsonl: {lines} lines");
        }
    }
    Ok(())
}
