//! How long the TUI takes to draw a frame: one question screen and the result screen at
//! 200×60 on the test backend (target: well under 1 ms a frame, so typing never lags).

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use needlecheck::frontend::RunOptions;
use needlecheck::tui::app::{App, Msg, update};
use needlecheck::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn key(app: &mut App, code: KeyCode) {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn render(c: &mut Criterion) {
    let q = needlecheck::loader::load_path(Path::new("tests/fixtures/mini.json"))
        .expect("the mini fixture loads");
    let opts = RunOptions {
        color: true,
        ..RunOptions::default()
    };
    let (w, h) = (200, 60);

    // The question screen: a yes/no question with its gauge and hint bar.
    let mut app = App::new(&q, &opts, (w, h));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('4'));
    key(&mut app, KeyCode::Char('0'));
    key(&mut app, KeyCode::Enter);
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    c.bench_function("question frame 200x60", |b| {
        b.iter(|| {
            // A fresh back buffer each time, so every frame is drawn in full.
            terminal.resize(ratatui::layout::Rect::new(0, 0, w, h)).ok();
            terminal.draw(|f| view::view(black_box(&app), f)).ok();
        })
    });

    // The result screen: scoring, the advice summary and wrapping run every frame.
    for k in [
        KeyCode::Char('y'),
        KeyCode::Char('1'),
        KeyCode::Char('0'),
        KeyCode::Enter,
        KeyCode::Char('y'),
        KeyCode::Char('1'),
        KeyCode::Enter,
        KeyCode::Enter,
    ] {
        key(&mut app, k);
    }
    c.bench_function("result frame 200x60", |b| {
        b.iter(|| {
            terminal.resize(ratatui::layout::Rect::new(0, 0, w, h)).ok();
            terminal.draw(|f| view::view(black_box(&app), f)).ok();
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
