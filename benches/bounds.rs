//! Time and peak memory of the command line on hostile inputs of 64 MiB (see
//! `common/hostile.rs`), against the bound: accepted or rejected in under 2 s and in under 10×
//! the input's size in memory. Runs each case `RUNS` times (default 3) and prints one row per
//! case: the median and the slowest wall time, the median CPU time (user + system, which a
//! loaded machine changes less), and the highest peak memory. Exits non-zero if a case is out
//! of bounds (its median time or its highest peak). Peak memory is `VmHWM`, sampled every
//! 2 ms while the tool runs.
//!
//! ```text
//! cargo bench --bench bounds [-- SIZE_IN_MIB [RUNS]]
//! ```

// A developer tool printing its own fixed messages: no untrusted text reaches the terminal.
#![allow(clippy::disallowed_macros)]

#[path = "common/hostile.rs"]
mod hostile;

use std::path::Path;
use std::time::Duration;

/// CPU time (user + system) of the children waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage writes one plain struct, zeroed here first.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to that struct.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The middle of some durations.
fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() -> std::io::Result<()> {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mib = numbers.first().copied().unwrap_or(64);
    let runs = numbers.get(1).copied().unwrap_or(3).max(1);
    let exe = Path::new(env!("CARGO_BIN_EXE_needlecheck"));
    let dir = tempfile::tempdir()?;
    let mut out_of_bounds = 0;
    println!("| case | input | exit | time (median, slowest) | CPU | peak memory | × input |");
    println!("|---|---|---|---|---|---|---|");
    for generate in hostile::GENERATORS {
        // Questionnaires just under the 64 MiB the tool reads, so that the pattern is read.
        let case = hostile::at_most(generate, mib << 20);
        let (mut walls, mut cpus, mut peak, mut status) = (Vec::new(), Vec::new(), 0, None);
        for _ in 0..runs {
            let before = children_cpu();
            let m = hostile::run(exe, &case, dir.path(), Duration::from_secs(60), None)?;
            cpus.push(children_cpu().saturating_sub(before));
            walls.push(m.wall);
            peak = peak.max(m.peak_bytes);
            status = m.status;
        }
        let slowest = walls.iter().max().copied().unwrap_or_default();
        let (wall, cpu) = (median(walls), median(cpus));
        let size = case.size() as f64;
        let ratio = peak as f64 / size;
        let ok = status.is_some() && wall < Duration::from_secs(2) && ratio < 10.0;
        if !ok {
            out_of_bounds += 1;
        }
        println!(
            "| {} | {:.1} MiB | {} | {:.2} s, {:.2} s | {:.2} s | {:.0} MiB | {:.1}{} |",
            case.name,
            size / (1 << 20) as f64,
            status.map_or("killed".to_string(), |s| s.to_string()),
            wall.as_secs_f64(),
            slowest.as_secs_f64(),
            cpu.as_secs_f64(),
            peak as f64 / (1 << 20) as f64,
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
