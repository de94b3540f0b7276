//! Time and peak memory of the command line on hostile inputs of 64 MiB (see
//! `common/hostile.rs`), against the bound: accepted or rejected in under 2 s and in under 10×
//! the input's size in memory. Prints one row per case and exits non-zero if a case is out of
//! bounds. Peak memory is `VmHWM`, sampled every 2 ms while the tool runs.
//!
//! ```text
//! cargo bench --bench bounds [-- SIZE_IN_MIB]
//! ```

// A developer tool printing its own fixed messages: no untrusted text reaches the terminal.
#![allow(clippy::disallowed_macros)]

#[path = "common/hostile.rs"]
mod hostile;

use std::path::Path;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let mib: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(64);
    let exe = Path::new(env!("CARGO_BIN_EXE_needlecheck"));
    let dir = tempfile::tempdir()?;
    let mut out_of_bounds = 0;
    println!("| case | input | exit | time | peak memory | × input |");
    println!("|---|---|---|---|---|---|");
    for generate in hostile::GENERATORS {
        // Questionnaires just under the 64 MiB the tool reads, so that the pattern is read.
        let case = hostile::at_most(generate, mib << 20);
        let m = hostile::run(exe, &case, dir.path(), Duration::from_secs(60), None)?;
        let size = case.size() as f64;
        let ratio = m.peak_bytes as f64 / size;
        let ok = m.status.is_some() && m.wall < Duration::from_secs(2) && ratio < 10.0;
        if !ok {
            out_of_bounds += 1;
        }
        println!(
            "| {} | {:.1} MiB | {} | {:.2} s | {:.0} MiB | {:.1}{} |",
            case.name,
            size / (1 << 20) as f64,
            m.status.map_or("killed".to_string(), |s| s.to_string()),
            m.wall.as_secs_f64(),
            m.peak_bytes as f64 / (1 << 20) as f64,
            ratio,
            if ok { "" } else { " **out of bounds**" },
        );
    }
    if out_of_bounds > 0 {
        eprintln!("{out_of_bounds} case(s) out of bounds");
        std::process::exit(1);
    }
    Ok(())
}
