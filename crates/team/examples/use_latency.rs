//! Credential-use latency on a team vault with concurrent members: `MEMBERS` members (each
//! their own profile, login and session) use credentials at the same time, `USES` each;
//! prints p50 / p99 / max of one use (the server records the event, then returns the sealed
//! secret, which the client opens), of all uses and apart: each member's first use, and
//! the others. Usage (bench/team.sh runs it):
//!
//!   use_latency DB_URL_WITHOUT_USER CA.pem ADMIN_PROFILE WORKDIR [MEMBERS] [USES]
//!
//! The admin's master password is the first line of stdin. Members' profiles already in
//! WORKDIR (from an earlier run on the same database) are used as they are.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::CopyField;
use sallyport_core::{SecretString, Session};
use sallyport_team::admin;
use sallyport_team::conn::DbAddress;
use sallyport_team::TeamBackend;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = &args[1];
    let ca = std::fs::read(&args[2]).unwrap();
    let admin_profile = PathBuf::from(&args[3]);
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).unwrap();
    let admin_password = SecretString::new(line.trim_end_matches(['\r', '\n']).to_owned());
    let work = PathBuf::from(&args[4]);
    let members: usize = args.get(5).map_or(20, |n| n.parse().unwrap());
    let uses: usize = args.get(6).map_or(50, |n| n.parse().unwrap());
    let address = DbAddress::parse(url).unwrap();
    let password = SecretString::from("bench member password");

    let mut admin_session =
        Session::unlock(&TeamBackend::new(&admin_profile), &admin_password).unwrap();
    let entries: Vec<uuid::Uuid> = admin_session
        .customers()
        .iter()
        .filter_map(|c| c.entries.first().map(|e| e.id))
        .take(1000)
        .collect();
    let mut profiles = Vec::new();
    for i in 0..members {
        let name = format!("Bench{i:02}");
        let profile = work.join(format!("{name}.team"));
        if profile.exists() {
            // Joined by an earlier run on the same database: measured again as it is.
            profiles.push(profile);
            continue;
        }
        let invitation = admin::invite(&mut admin_session, &name, "staff").unwrap();
        let joined = admin::join(
            &address,
            &ca,
            &invitation.code,
            &profile,
            &password,
            None,
            KdfParams::floor(),
        )
        .unwrap();
        admin::confirm(&mut admin_session, &name, &joined.fingerprint).unwrap();
        profiles.push(profile);
    }
    admin_session.lock().unwrap();
    let sessions: Vec<Session> = profiles
        .iter()
        .map(|p| Session::unlock(&TeamBackend::new(p), &password).unwrap())
        .collect();
    let start = std::sync::Barrier::new(members);
    let done = std::sync::Barrier::new(members);
    let started = Instant::now();
    let per_member: Vec<(Vec<Duration>, Instant)> = std::thread::scope(|scope| {
        let handles: Vec<_> = sessions
            .into_iter()
            .enumerate()
            .map(|(m, mut session)| {
                let entries = &entries;
                let start = &start;
                let done = &done;
                scope.spawn(move || {
                    start.wait();
                    let mut times = Vec::with_capacity(uses);
                    for u in 0..uses {
                        let entry = entries[(m * 31 + u * 7) % entries.len()];
                        let t = Instant::now();
                        let value = session
                            .copy_value(entry, CopyField::Password, None)
                            .unwrap();
                        times.push(t.elapsed());
                        drop(value);
                    }
                    // Every member's uses end before any session is locked: locking
                    // wipes 100,000 decrypted records, work a member's own machine does,
                    // which here would take the server's CPU from those still measuring.
                    let ended = Instant::now();
                    done.wait();
                    session.lock().unwrap();
                    (times, ended)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = per_member.iter().map(|(_, ended)| *ended).max().unwrap() - started;
    let times: Vec<Vec<Duration>> = per_member.into_iter().map(|(t, _)| t).collect();
    let all: Vec<Duration> = times.iter().flatten().copied().collect();
    println!(
        "credential use, {members} members x {uses} concurrently: {} ({} uses in {:.2} s)",
        summary(all),
        members * uses,
        wall.as_secs_f64()
    );
    // The two parts of that figure. Here all members make their first use at the same
    // instant, each the first on their connection (whose server process rehearsed a use
    // when the member unlocked, so it has compiled the routines a use runs).
    let first: Vec<Duration> = times.iter().filter_map(|t| t.first().copied()).collect();
    let rest: Vec<Duration> = times
        .iter()
        .flat_map(|t| t.iter().skip(1).copied())
        .collect();
    println!("  each member's first use, all at once: {}", summary(first));
    if !rest.is_empty() {
        println!("  every later use: {}", summary(rest));
    }
}

/// "p50 X ms, p99 Y ms, max Z ms" of `latencies`.
fn summary(mut latencies: Vec<Duration>) -> String {
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(at(0.50)),
        ms(at(0.99)),
        ms(*latencies.last().unwrap())
    )
}
