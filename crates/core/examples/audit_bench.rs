//! Benchmark: append N audit events (one transaction each, as the app does), verify the
//! chain, and read every event back. Figures go into issue notes, not into tests.
//!
//! `cargo run --release -p sallyport-core --example audit_bench [N]` (default 100,000).

#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use sallyport_sqlite::LocalFile;
use std::time::Instant;

use sallyport_core::audit::{Action, AuditFilter, NewEvent};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretString, Session};

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N must be a number"))
        .unwrap_or(100_000);
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
    let actions = [
        Action::CopyPassword,
        Action::CopyTotp,
        Action::Launch,
        Action::CustomerView,
    ];

    let start = Instant::now();
    for i in 0..n {
        let event = NewEvent::new(actions[(i % 4) as usize]).detail(format!("benchmark event {i}"));
        session.audit(event).expect("append");
    }
    let append = start.elapsed().as_secs_f64();
    session.lock().expect("lock");

    let (session, report) = Session::unlock_and_verify_audit(&LocalFile::new(&path), &password)
        .expect("unlock and verify");
    assert!(report.is_ok(), "{:?}", report.problem);
    let start = Instant::now();
    let report = session.verify_audit().expect("verify");
    let verify = start.elapsed().as_secs_f64();
    assert!(report.is_ok(), "{:?}", report.problem);

    let start = Instant::now();
    let mut filter = AuditFilter::default();
    filter.add_actions("copy").expect("filter");
    let selected = session.audit_events(&filter).expect("list").len();
    let list = start.elapsed().as_secs_f64();
    session.lock().expect("lock");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);

    println!(
        "events appended: {n} in {append:.2} s = {:.0} events/s (one transaction each)",
        n as f64 / append
    );
    println!(
        "verify:          {} events in {verify:.3} s = {:.0} events/s",
        report.events,
        report.events as f64 / verify
    );
    println!(
        "list (filtered): {selected} of {} events in {list:.3} s",
        report.events
    );
    println!(
        "vault file:      {:.1} MB ({:.0} bytes per event)",
        size as f64 / 1e6,
        size as f64 / report.events as f64
    );
}
