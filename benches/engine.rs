//! Engine benchmarks: loading and checking large questionnaires, scoring one answer set.
//!
//! Questionnaires of 1 000 and 10 000 questions come from `common/gen.rs` (the same generator
//! as `examples/gen_large.rs`). Throughput is per question, so linear scaling shows as equal
//! rates for both sizes. Target: load and check 10k questions in under 50 ms.

#[path = "common/gen.rs"]
mod generator;

use std::hint::black_box;
use std::time::Duration;

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

fn score_one(c: &mut Criterion) {
    let mut group = c.benchmark_group("score");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(3));
    for n in SIZES {
        let g = questionnaire(n, n as u64);
        let q = load_str("generated.json", g.text().as_bytes()).unwrap();
        let obj = g.answers(&mut Rng::new(1));
        let answers = q.parse_answers(&obj).expect("generated answers are valid");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("score", n), &answers, |b, a| {
            b.iter(|| needlecheck::score(&q, black_box(a)))
        });
        group.bench_with_input(
            BenchmarkId::new("parse_answers+score", n),
            &obj,
            |b, obj| {
                b.iter(|| {
                    let a = q.parse_answers(black_box(obj)).unwrap();
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

criterion_group!(benches, load_and_check, score_one, load_phases);
criterion_main!(benches);
