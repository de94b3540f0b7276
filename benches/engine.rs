//! Engine benchmarks: loading and checking large questionnaires, scoring one answer set.
//!
//! Questionnaires of 1 000 and 10 000 questions come from `common/gen.rs` (the same generator
//! as `examples/gen_large.rs`). Throughput is per question, so linear scaling shows as equal
//! rates for both sizes. Target: load and check 10k questions in under 50 ms; scoring grows
//! linearly with the questionnaire (see `score_one` for why it scores a pool of answer sets).

#[path = "common/cpu.rs"]
mod cpu;
#[path = "common/gen.rs"]
mod generator;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use generator::{Rng, questionnaire};
use needlecheck::loader::load_str;

const SIZES: [usize; 2] = [1_000, 10_000];

fn load_and_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_validate");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    for n in SIZES {
        let text = questionnaire(n, n as u64).text();
        // Fail loudly if the generator makes a questionnaire the loader rejects.
        if let Err(e) = load_str("generated.json", text.as_bytes()) {
            panic!("{}", e.render(false));
        }
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &text, |b, text| {
            b.iter(|| load_str("generated.json", black_box(text.as_bytes())).unwrap())
        });
    }
    group.finish();
}

/// How many answers the pool of answer sets holds at each size (100 sets of 1 000 questions,
/// 10 of 10 000).
const POOL_ANSWERS: usize = 100_000;

/// Scoring one answer set. Each iteration scores the next set of a pool of different people's
/// answers, as a stream of screenings does. Scoring the same set over and over measures
/// something else on the small questionnaire: the processor's branch predictor learns every
/// branch of a set of 1 000 questions, taken again in the same way at each iteration (it
/// cannot for 10 000), so the small size looked twice as fast per question as it is for a
/// stream. That measure is kept as `same_set` to show the difference. The pool holds the same
/// number of answers at both sizes, so that both read as much memory.
///
/// Timed in processor time of the benchmark's thread ([`ThreadTime`]): the machine these
/// figures come from is shared, and wall time there counts the time spent waiting for a
/// processor.
fn score_one(c: &mut Criterion<ThreadTime>) {
    let mut group = c.benchmark_group("score");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let g = questionnaire(n, n as u64);
        let q = load_str("generated.json", g.text().as_bytes()).unwrap();
        let objs: Vec<_> = (0..POOL_ANSWERS / n)
            .map(|i| g.answers(&mut Rng::new(1 + i as u64)))
            .collect();
        let pool: Vec<_> = objs
            .iter()
            .map(|obj| q.parse_answers(obj).expect("generated answers are valid"))
            .collect();
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("score", n), &pool, |b, pool| {
            let mut next = (0..pool.len()).cycle();
            b.iter(|| needlecheck::score(&q, black_box(&pool[next.next().unwrap()])))
        });
        group.bench_with_input(BenchmarkId::new("same_set", n), &pool[0], |b, a| {
            b.iter(|| needlecheck::score(&q, black_box(a)))
        });
        group.bench_with_input(
            BenchmarkId::new("parse_answers+score", n),
            &objs,
            |b, objs| {
                let mut next = (0..objs.len()).cycle();
                b.iter(|| {
                    let a = q
                        .parse_answers(black_box(&objs[next.next().unwrap()]))
                        .unwrap();
                    needlecheck::score(&q, &a)
                })
            },
        );
    }
    group.finish();
}

/// The bulk of a questionnaire file read straight into the model types, without the
/// per-element `Lenient` detour through a JSON value tree: what a fast path could cost.
#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DirectFile {
    sections: Vec<DirectSection>,
    rules: Vec<needlecheck::model::Rule>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct DirectSection {
    questions: Vec<needlecheck::model::Question>,
}

/// Where loading time goes, on the 10k file: JSON syntax alone (the floor), a JSON value
/// tree, the typed file (serde with per-element error collection), the same read directly
/// into the model types, the scan for repeated keys, the file hash, and the whole load with
/// every check.
fn load_phases(c: &mut Criterion) {
    let mut group = c.benchmark_group("load_phases_10k");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(5));
    let text = questionnaire(10_000, 10_000).text();
    group.bench_function("json_syntax_only", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(&text)).unwrap())
    });
    group.bench_function("json_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)).unwrap())
    });
    group.bench_function("typed_file", |b| {
        b.iter(|| {
            serde_json::from_str::<needlecheck::model::QuestionnaireFile>(black_box(&text)).unwrap()
        })
    });
    group.bench_function("typed_direct", |b| {
        b.iter(|| serde_json::from_str::<DirectFile>(black_box(&text)).unwrap())
    });
    group.bench_function("duplicate_key_scan", |b| {
        b.iter(|| needlecheck::locate::duplicate_keys(black_box(&text)))
    });
    group.bench_function("sha256", |b| {
        b.iter(|| needlecheck::loader::sha256_hex(black_box(text.as_bytes())))
    });
    group.bench_function("load_str", |b| {
        b.iter(|| load_str("generated.json", black_box(text.as_bytes())).unwrap())
    });
    group.finish();
}

/// Processor time of the calling thread, in nanoseconds: only the time the thread ran.
struct ThreadTime;

impl Measurement for ThreadTime {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        cpu::thread_ns()
    }
    fn end(&self, start: u64) -> u64 {
        cpu::thread_ns() - start
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &Nanoseconds
    }
}

/// Shows nanoseconds as criterion shows wall time.
struct Nanoseconds;

impl ValueFormatter for Nanoseconds {
    fn scale_values(&self, typical: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e-3, "µs"),
            t if t < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (per_run, units) = match *throughput {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => {
                (n, ["elem/s", "Melem/s"])
            }
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) => (n, ["B/s", "MB/s"]),
            Throughput::Bits(n) => (n, ["b/s", "Mb/s"]),
        };
        // Per second from nanoseconds per run, in millions where that reads better.
        let per_run = per_run as f64;
        let millions = per_run * 1e9 / typical >= 1e6;
        let scale = if millions { 1e-6 } else { 1.0 };
        values
            .iter_mut()
            .for_each(|v| *v = per_run * 1e9 / *v * scale);
        units[usize::from(millions)]
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group!(benches, load_and_check, load_phases);
criterion_group! {
    name = scoring;
    config = Criterion::default().with_measurement(ThreadTime);
    targets = score_one
}
criterion_main!(benches, scoring);
