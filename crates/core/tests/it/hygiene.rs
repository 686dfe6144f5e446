//! Access hygiene: expiry flags on an injected day, rotation state after launches, the
//! password generator (every policy met, characters not skewed), reachability against
//! 127.0.0.1 only (a listening and a closed port, DNS failure through an injected
//! resolver), and the readiness report's JSON shape.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

use crate::common::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::hygiene::{
    self, customer_flags, generate, FindingKind, PasswordPolicy, Reach, ReportOptions, Resolver,
};
use sallyport_core::import::ConflictPolicy;
use sallyport_core::rdp::{LaunchEnv, Os, RdpTempDir};
use sallyport_core::vault::LaunchRequest;
use sallyport_core::vault::Purpose;
use sallyport_core::Session;
use time::macros::date;

/// A vault holding one customer per row of `rows` (native CSV after the header).
fn vault_with(rows: &str) -> (tempfile::TempDir, Session) {
    let (dir, _path, mut session) = new_vault();
    let csv = dir.path().join("in.csv");
    let mut f = std::fs::File::create(&csv).unwrap();
    writeln!(
        f,
        "customer,code,entry,kind,host,port,gateway,username,password,totp,expires,password_changed,vpn_type,vpn_client_url,rotate_after_session"
    )
    .unwrap();
    f.write_all(rows.as_bytes()).unwrap();
    drop(f);
    import(&mut session, &csv, ConflictPolicy::Fail);
    (dir, session)
}

#[test]
fn expiry_flags_follow_the_injected_day() {
    let (_d, session) = vault_with(
        "Past,PAST,A,rdp,h.example,,,u,p,,2026-11-22,,,,\n\
         Today,TODAY,A,rdp,h.example,,,u,p,,2026-11-23,,,,\n\
         Tomorrow,TOMORROW,A,rdp,h.example,,,u,p,,2026-11-24,,,,\n\
         Fortnight,FORTNIGHT,A,rdp,h.example,,,u,p,,2026-12-07,,,,\n\
         Later,LATER,A,rdp,h.example,,,u,p,,2026-12-08,,,,\n",
    );
    let today = date!(2026 - 11 - 23);
    let flags = |code: &str| customer_flags(session.customer_by_code(code).unwrap(), today);
    assert_eq!(flags("PAST"), ["expired"]);
    assert_eq!(flags("TODAY"), ["expires today"]);
    assert_eq!(flags("TOMORROW"), ["expires tomorrow"]);
    assert_eq!(flags("FORTNIGHT"), ["expires in 14 days (2026-12-07)"]);
    assert!(flags("LATER").is_empty());
    // The same vault a day later.
    let next_day = date!(2026 - 11 - 24);
    let today_code = session.customer_by_code("TODAY").unwrap();
    assert_eq!(customer_flags(today_code, next_day), ["expired"]);
}

fn launch(session: &mut Session, selector: &str, dir: &std::path::Path, dry_run: bool) {
    let target = session.select(selector, Purpose::Connect).unwrap();
    let temp = RdpTempDir::open(&dir.join("rdp")).unwrap();
    let env = LaunchEnv {
        system_root: r"C:\Windows".into(),
        xfreerdp: Some("/usr/bin/xfreerdp".into()),
    };
    let request = LaunchRequest {
        os: Os::Linux,
        env: &env,
        today: hygiene::today(),
        expired_ok: false,
        dry_run,
        reason: None,
        read_certificate: None,
    };
    session
        .prepare_launch(target.entry.id, request, &temp)
        .unwrap();
}

#[test]
fn a_launch_under_the_policy_makes_rotation_due_until_rotated() {
    let (dir, mut session) = vault_with(
        "Acme,ACME,Server,rdp,h.example,,,u,secret-1,,,2026-01-01,,,yes\n\
         Beta,BETA,Server,rdp,h.example,,,u,secret-2,,,2026-01-01,,,\n",
    );
    let due = |s: &Session, code: &str| {
        let c = s.customer_by_code(code).unwrap();
        s.entries(c).unwrap()[0].rotation_due
    };
    launch(&mut session, "ACME", dir.path(), true);
    assert_eq!(due(&session, "ACME"), None, "a dry run uses no credential");
    launch(&mut session, "ACME", dir.path(), false);
    launch(&mut session, "BETA", dir.path(), false);
    assert_eq!(due(&session, "ACME"), Some(hygiene::today()));
    assert_eq!(due(&session, "BETA"), None, "no policy, nothing due");
    let today = hygiene::today();
    assert!(
        customer_flags(session.customer_by_code("ACME").unwrap(), today)
            .contains(&"rotation due".to_owned())
    );

    let target = session.select("ACME", Purpose::Edit).unwrap();
    let new_password = sallyport_core::SecretString::from("rotated-secret-2");
    session
        .mark_rotated(&target, Some(&new_password), date!(2026 - 11 - 23))
        .unwrap();
    let acme = session.customer_by_code("ACME").unwrap().clone();
    let entry = session.entries(&acme).unwrap()[0].clone();
    assert_eq!(entry.rotation_due, None);
    assert_eq!(entry.password_changed_at, Some(date!(2026 - 11 - 23)));
    assert_eq!(
        session
            .entry_secrets(&entry)
            .unwrap()
            .password
            .unwrap()
            .expose(),
        "rotated-secret-2"
    );
    assert!(!acme.entries[0].rotation_due, "the list summary follows");

    // Policy off: launches no longer make anything due.
    session.set_rotation_policy("ACME", false).unwrap();
    launch(&mut session, "ACME", dir.path(), false);
    assert_eq!(due(&session, "ACME"), None);
    let actions: Vec<Action> = session
        .audit_events(&AuditFilter::default())
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&Action::PasswordRotated));
    assert!(actions.contains(&Action::CustomerEdit));
}

fn passwords(policy: &PasswordPolicy, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| generate(policy).unwrap().expose().to_owned())
        .collect()
}

#[test]
fn ten_thousand_passwords_meet_their_policies() {
    let policies = [
        // "12+ chars, mixed case and digits"
        PasswordPolicy {
            length: 12,
            ..PasswordPolicy::default()
        },
        // "8+ with at least 2 digits and 2 uppercase"
        PasswordPolicy {
            length: 8,
            min_lower: 0,
            min_upper: 2,
            min_digits: 2,
            symbols: false,
            min_symbols: 0,
        },
        PasswordPolicy {
            length: 16,
            min_lower: 3,
            min_upper: 3,
            min_digits: 3,
            symbols: true,
            min_symbols: 3,
        },
    ];
    for policy in &policies {
        let all = passwords(policy, 10_000);
        for p in &all {
            assert!(policy.is_met_by(p), "{p:?} fails {policy:?}");
        }
        let distinct: std::collections::HashSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "a password repeated");
    }
}

/// Pearson's chi-square statistic of `counts` against a uniform distribution.
fn chi_square(counts: &HashMap<char, usize>, alphabet: &str) -> f64 {
    let total: usize = counts.values().sum();
    let expected = total as f64 / alphabet.chars().count() as f64;
    alphabet
        .chars()
        .map(|c| {
            let observed = *counts.get(&c).unwrap_or(&0) as f64;
            (observed - expected).powi(2) / expected
        })
        .sum()
}

fn counts<'a>(texts: impl Iterator<Item = &'a str>) -> HashMap<char, usize> {
    let mut counts = HashMap::new();
    for c in texts.flat_map(str::chars) {
        *counts.entry(c).or_default() += 1;
    }
    counts
}

#[test]
fn characters_are_not_skewed() {
    let policy = PasswordPolicy {
        length: 16,
        min_lower: 0,
        min_upper: 0,
        min_digits: 0,
        symbols: true,
        min_symbols: 0,
    };
    let alphabet = policy.alphabet();
    let k = alphabet.chars().count() as f64; // 90 characters, 89 degrees of freedom
    let all = passwords(&policy, 10_000);
    let stat = chi_square(&counts(all.iter().map(String::as_str)), &alphabet);
    // Mean k-1, standard deviation sqrt(2(k-1)): a bound 6 deviations above the mean is
    // crossed by chance far less than once in a million runs.
    let bound = (k - 1.0) + 6.0 * (2.0 * (k - 1.0)).sqrt();
    assert!(stat < bound, "chi-square {stat:.1} >= {bound:.1}");

    // The same test catches a skewed generator: one that takes a byte modulo the alphabet
    // size (256 % 90 favours the first 76 characters).
    let chars: Vec<char> = alphabet.chars().collect();
    let mut bytes = vec![0u8; 160_000];
    getrandom_fill(&mut bytes);
    let skewed: String = bytes
        .iter()
        .map(|b| chars[*b as usize % chars.len()])
        .collect();
    let stat = chi_square(&counts(std::iter::once(skewed.as_str())), &alphabet);
    assert!(stat > bound, "the skewed generator passed ({stat:.1})");

    // With minimums, each class is still uniform within itself.
    let policy = PasswordPolicy {
        length: 8,
        min_lower: 0,
        min_upper: 2,
        min_digits: 2,
        symbols: false,
        min_symbols: 0,
    };
    let all = passwords(&policy, 10_000);
    let digits: String = all
        .iter()
        .flat_map(|p| p.chars().filter(char::is_ascii_digit))
        .collect();
    let stat = chi_square(
        &counts(std::iter::once(digits.as_str())),
        hygiene::genpw::DIGITS,
    );
    assert!(stat < 9.0 + 6.0 * 18f64.sqrt(), "digits skewed: {stat:.1}");
}

/// Random bytes for the skewed control (not from the code under test).
fn getrandom_fill(buf: &mut [u8]) {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .unwrap()
        .read_exact(buf)
        .unwrap();
}

/// Resolves every name to 127.0.0.1, or fails like a DNS lookup of an unknown name.
struct LoopbackResolver {
    known: &'static [&'static str],
}

impl Resolver for LoopbackResolver {
    fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        match self.known.contains(&host) {
            true => Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))]),
            false => Err(std::io::Error::other(format!(
                "failed to lookup address information: Name or service not known ({host})"
            ))),
        }
    }
}

#[test]
fn reachability_on_loopback_only() {
    let listening = TcpListener::bind("127.0.0.1:0").unwrap();
    let open_port = listening.local_addr().unwrap().port();
    let closed_port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // dropped: nothing listens there now
    let (_d, mut session) = vault_with(&format!(
        "Acme,ACME,Server,rdp,rds.acme.example,{open_port},gw.acme.example,u,p,,,,,,\n\
         Beta,BETA,Server,rdp,127.0.0.1,{closed_port},,u,p,,,,,,\n"
    ));
    let resolver = LoopbackResolver {
        known: &["rds.acme.example"],
    };
    let timeout = Duration::from_secs(3);

    let acme = session.select("ACME", Purpose::Edit).unwrap();
    let results = session
        .check_reachability(&acme, &resolver, timeout)
        .unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!((results[0].role, results[0].port), ("host", open_port));
    assert!(results[0].reach.is_ok(), "{:?}", results[0]);
    assert_eq!((results[1].role, results[1].port), ("gateway", 443));
    assert!(
        matches!(&results[1].reach, Reach::DnsFailure { reason } if reason.contains("gw.acme.example")),
        "{:?}",
        results[1]
    );

    let beta = session.select("BETA", Purpose::Edit).unwrap();
    let results = session
        .check_reachability(&beta, &resolver, timeout)
        .unwrap();
    assert_eq!(results[0].reach, Reach::Refused);

    // The outcome is kept with the entry and shows in the report; both checks are audited.
    let report = session
        .readiness_report(&ReportOptions::on(date!(2026 - 11 - 23)))
        .unwrap();
    let unreachable: Vec<&str> = report
        .iter()
        .filter(|r| {
            r.findings
                .iter()
                .any(|f| f.kind == FindingKind::Unreachable)
        })
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(unreachable, ["ACME", "BETA"]);
    let checks = session
        .audit_events(&AuditFilter {
            actions: vec![Action::ReachabilityCheck],
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(checks.len(), 2);
    assert!(checks[1].detail.contains("refused"), "{}", checks[1].detail);
    drop(listening);
}

#[test]
fn the_report_json_has_its_shape() {
    let (_d, mut session) = vault_with(
        "Acme,ACME,Server,rdp,h.example,,,u,p,,2026-11-01,2026-01-01,,,\n\
         Beta,BETA,VPN,vpn,,,,,,,,,pptp,https://beta.example/vpn.exe,\n\
         Gamma,GAMMA,Server,rdp,h.example,,,u,p,JBSWY3DPEHPK3PXP,2027-06-01,2026-11-01,,,\n\
         Delta,DELTA,Server,rdp,h.example,,,u,p,JBSWY3DPEHPK3PXP,,,,,\n",
    );
    let report = session
        .readiness_report(&ReportOptions::on(date!(2026 - 11 - 23)))
        .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json[0],
        serde_json::json!({
            "code": "ACME",
            "name": "Acme",
            "issues": 3,
            "findings": [
                {"entry": "Server", "kind": "expired", "detail": "expired 2026-11-01"},
                {"entry": "Server", "kind": "password_old", "detail": "last changed 2026-01-01, 326 days ago (limit 90)"},
                {"entry": "Server", "kind": "missing_totp", "detail": "password without a TOTP"}
            ]
        })
    );
    assert_eq!(json[1]["findings"][0]["kind"], "pptp_vpn");
    assert_eq!(
        json[1]["findings"][0]["detail"],
        "PPTP VPN is not supported (insecure); client: https://beta.example/vpn.exe"
    );
    assert_eq!(json[2]["code"], "DELTA");
    assert_eq!(
        json[2]["issues"], 0,
        "an unknown password age is not an issue"
    );
    assert_eq!(json[2]["findings"][0]["kind"], "password_age_unknown");
    assert_eq!(json[3]["code"], "GAMMA");
    assert_eq!(json[3]["findings"], serde_json::json!([]));
}
