//! Benchmark: search latency per keystroke at N customers, as the app searches while the
//! user types (every prefix of a few queries, each search ranked in full, the first page
//! of results taken). Figures go into issue notes, not into tests.
//!
//! `cargo run --release -p sallyport-core --example search_bench CSV` with a file from
//! `bench/gen_customers.py` (see `bench/search-latency.sh`).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use sallyport_sqlite::LocalFile;
use std::time::{Duration, Instant};

use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretString, Session};

/// What people type: names, codes, host fragments, tags, a typo, nothing found.
const QUERIES: &[&str] = &[
    "acme health",
    "nordic",
    "c054321",
    "rds4711",
    "gw42.example",
    "apac",
    "granit lgstc",
    "no such customer",
];

/// Rows the app's list asks for at a time.
const PAGE: usize = 100;

fn main() {
    let csv = std::env::args().nth(1).expect("usage: search_bench CSV");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sallyport");
    let password = SecretString::from("benchmark password");
    let mut session = Session::create(
        &LocalFile::new(&path),
        &password,
        "Bench Staff",
        KdfParams::floor(),
    )
    .expect("create");
    let options = ImportOptions {
        on_conflict: ConflictPolicy::Fail,
        skip_invalid: false,
        format: None,
    };
    let plan = session.plan_import(csv.as_ref(), options).expect("plan");
    session.apply_import(plan).expect("import");
    let customers = session.customers().len();

    let mut timings: Vec<Duration> = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    // Five times over, each query typed a key at a time (so each search follows the one
    // the user's previous keystroke made, as in the app).
    for _ in 0..5 {
        for query in QUERIES {
            for end in 1..=query.len() {
                let typed = &query[..end];
                let start = Instant::now();
                let found = session.search(typed);
                let total = found.len();
                let page: Vec<(String, String, usize)> = found
                    .into_iter()
                    .take(PAGE)
                    .map(|c| (c.code.to_string(), c.name.to_string(), c.entries.len()))
                    .collect();
                let took = start.elapsed();
                std::hint::black_box((total, page));
                if took > slowest.0 {
                    slowest = (took, typed.to_owned());
                }
                timings.push(took);
            }
        }
    }
    timings.sort_unstable();
    let at = |q: f64| timings[((timings.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    println!(
        "{customers} customers, {} keystrokes × 5: median {:.2} ms, p95 {:.2} ms, max {:.2} ms (\"{}\")",
        timings.len() / 5,
        at(0.5),
        at(0.95),
        slowest.0.as_secs_f64() * 1000.0,
        slowest.1
    );
}
