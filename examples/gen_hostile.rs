//! Writes the hostile inputs of `benches/common/hostile.rs`, for running the command line on
//! them by hand (the benchmark `benches/bounds.rs` times them).
//!
//! ```text
//! cargo run --release --example gen_hostile -- DIR [SIZE_IN_MIB]
//! ```
//!
//! For each case, `DIR/NAME.in` is the input (a questionnaire for `validate`, answers for
//! `score`, a JSONL stream, or plain-mode lines) and `DIR/NAME.q.json` the questionnaire to
//! give with `-q`, when the case has one. Questionnaires to validate are made just under the
//! 64 MiB the tool reads, as the benchmark makes them.

// A developer tool printing its own fixed messages: no untrusted text reaches the terminal.
#![allow(clippy::disallowed_macros)]

#[path = "../benches/common/hostile.rs"]
mod hostile;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(std::path::PathBuf::from) else {
        eprintln!("usage: gen_hostile DIR [SIZE_IN_MIB]");
        std::process::exit(2);
    };
    let mib: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(64);
    std::fs::create_dir_all(&dir)?;
    for generate in hostile::GENERATORS {
        let case = hostile::at_most(generate, mib << 20);
        std::fs::write(dir.join(format!("{}.in", case.name)), &case.input)?;
        if let Some(q) = &case.questionnaire {
            std::fs::write(dir.join(format!("{}.q.json", case.name)), q)?;
        }
        println!("{} ({:?}, {} bytes)", case.name, case.target, case.size());
    }
    Ok(())
}
