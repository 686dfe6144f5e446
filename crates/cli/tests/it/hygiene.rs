//! CLI contract of the access-hygiene commands: genpw, rotation / rotated, check (127.0.0.1
//! only), report, and the expiry warnings of list, show and connect.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;

use crate::common::*;

fn vault_with(rows: &str) -> Vault {
    let v = Vault::new();
    let csv = v.dir.path().join("in.csv");
    std::fs::write(
        &csv,
        format!(
            "customer,code,entry,kind,host,port,username,password,expires,password_changed,vpn_type,rotate_after_session\n{rows}"
        ),
    )
    .unwrap();
    assert_ok(&v.run(&["import", csv.to_str().unwrap()], PASSWORD));
    v
}

#[test]
fn genpw_meets_the_policy_and_refuses_impossible_ones() {
    let v = Vault::new();
    let out = v
        .cmd()
        .args([
            "genpw",
            "--length",
            "8",
            "--min-digits",
            "2",
            "--min-upper",
            "2",
            "--count",
            "50",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 50);
    for p in &lines {
        assert_eq!(p.chars().count(), 8, "{p}");
        assert!(p.chars().filter(char::is_ascii_digit).count() >= 2, "{p}");
        assert!(
            p.chars().filter(char::is_ascii_uppercase).count() >= 2,
            "{p}"
        );
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()), "{p}");
    }
    let out = v
        .cmd()
        .args(["genpw", "--length", "12", "--min-symbols", "3"])
        .output()
        .unwrap();
    let p = stdout(&out);
    assert!(
        p.trim()
            .chars()
            .filter(|c| !c.is_ascii_alphanumeric())
            .count()
            >= 3,
        "{p}"
    );
    let out = v
        .cmd()
        .args([
            "genpw",
            "--length",
            "8",
            "--min-digits",
            "5",
            "--min-upper",
            "4",
        ])
        .output()
        .unwrap();
    assert_error(
        &out,
        "length: 8 is less than the 10 characters the minimums require",
    );
}

#[test]
fn list_show_and_connect_flag_expired_accounts() {
    let v = vault_with(
        "Acme,ACME,Server,rdp,127.0.0.1,3389,vendor,Canary-Pass-1,2020-01-31,,,\n\
         Beta,BETA,Server,rdp,127.0.0.1,3389,vendor,Canary-Pass-2,2099-01-31,,,\n\
         Beta,BETA,VPN,vpn,,,,,,,pptp,\n",
    );
    let list = stdout(&v.run(&["list"], PASSWORD));
    assert!(list.contains("Acme  [expired]"), "{list}");
    assert!(
        !list
            .lines()
            .any(|l| l.starts_with("BETA") && l.contains('[')),
        "{list}"
    );
    let list_json = stdout(&v.run(&["list", "--json"], PASSWORD));
    assert!(
        !list_json.contains("flags"),
        "the list JSON keeps its contract shape"
    );

    let show = stdout(&v.run(&["show", "ACME", "--json"], PASSWORD));
    let show: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(show["entries"][0]["flags"][0], "expired 2020-01-31");
    let beta = stdout(&v.run(&["show", "BETA"], PASSWORD));
    assert!(beta.contains("! PPTP VPN unsupported"), "{beta}");
    assert!(beta.contains("unsupported: PPTP is insecure"), "{beta}");

    assert_error(
        &v.run(&["connect", "ACME", "--dry-run"], PASSWORD),
        "ACME/Server: the account expired 2020-01-31; ask the customer to extend it, or pass --expired-ok",
    );
    let out = v.run(&["connect", "ACME", "--dry-run", "--expired-ok"], PASSWORD);
    assert_ok(&out);
    assert!(stderr(&out).contains("warning: ACME/Server: the account expired 2020-01-31"));
    let audit = stdout(&v.run(&["audit", "list", "--action", "launch"], PASSWORD));
    assert!(
        audit.contains("failed") && audit.contains("the account expired 2020-01-31"),
        "{audit}"
    );
}

#[test]
fn rotation_policy_launch_and_rotated() {
    let v = vault_with("Acme,ACME,Server,rdp,127.0.0.1,1,vendor,Canary-Pass-1,,2026-01-01,,\n");
    let out = v.run(&["rotation", "ACME", "on"], PASSWORD);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).trim(),
        "ACME: passwords are due for rotation after each support session"
    );
    // With xfreerdp, Connect first reads the server's certificate: against a closed port
    // on 127.0.0.1 nothing is launched, so the password is not due (a launch that does
    // start marks it: the core's hygiene tests).
    if std::path::Path::new("/usr/bin/xfreerdp").exists() {
        let refused = v.run(&["connect", "ACME"], PASSWORD);
        assert_error(
            &refused,
            "ACME/Server: cannot read the server's certificate: cannot connect to 127.0.0.1:1",
        );
        let report = stdout(&v.run(&["report", "--json"], PASSWORD));
        assert!(!report.contains("\"rotation_due\""), "{report}");
    }
    let out = v.run(
        &["rotated", "ACME", "--new-password"],
        &format!("{PASSWORD}\nCanary-Pass-rotated"),
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("ACME/Server: password rotated on "),
        "{}",
        stdout(&out)
    );
    let report = stdout(&v.run(&["report", "--json"], PASSWORD));
    assert!(
        !report.contains("rotation_due") && !report.contains("password_old"),
        "{report}"
    );
    let show: serde_json::Value =
        serde_json::from_str(&stdout(&v.run(&["show", "ACME", "--json"], PASSWORD))).unwrap();
    assert_eq!(show["rotate_after_session"], true);
    assert!(show["entries"][0].get("rotation_due").is_none());
    assert_error(
        &v.run(&["rotation", "NOPE", "off"], PASSWORD),
        "no customer has the code or name 'NOPE'",
    );
}

#[test]
fn check_reports_each_target_on_loopback() {
    let listening = TcpListener::bind("127.0.0.1:0").unwrap();
    let open = listening.local_addr().unwrap().port();
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let v = vault_with(&format!(
        "Acme,ACME,Server,rdp,127.0.0.1,{open},vendor,p,,,,\n\
         Beta,BETA,Server,rdp,127.0.0.1,{closed},vendor,p,,,,\n"
    ));
    let out = v.run(&["check", "ACME"], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).contains(&format!("host 127.0.0.1:{open} reachable (")),
        "{}",
        stdout(&out)
    );
    let out = v.run(&["check", "BETA", "--json", "--timeout", "1"], PASSWORD);
    assert_eq!(out.status.code(), Some(2), "unreachable exits 2");
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"role": "host", "host": "127.0.0.1", "port": closed, "status": "refused"}])
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(
        &v.run(&["report", "--json", "--sort", "code"], PASSWORD),
    ))
    .unwrap();
    assert_eq!(report[0]["code"], "ACME");
    let kinds: Vec<&str> = report[1]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"unreachable"), "{kinds:?}");
    let text = stdout(&v.run(&["report"], PASSWORD));
    assert!(
        text.contains("2 customers: 2 with issues, 0 ready"),
        "{text}"
    );
    assert_error(
        &v.run(&["check", "ACME", "--timeout", "0"], PASSWORD),
        "--timeout: 0 is outside 0.1..=60 seconds",
    );
    drop(listening);
}

/// The CLI turns off core dumps before it asks for the master password: its core file
/// limit is 0 while it waits for it (and it is not dumpable: sallyport-service's test).
#[cfg(target_os = "linux")]
#[test]
fn no_core_dumps_while_the_password_is_asked_for() {
    use std::process::Stdio;
    let v = Vault::new();
    let mut child = v
        .std_cmd()
        .args(["--password-stdin", "list"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let limits = format!("/proc/{}/limits", child.id());
    let mut core = None;
    for _ in 0..100 {
        // Set at start; wait until the process has run that far (it then waits on stdin).
        let text = std::fs::read_to_string(&limits).unwrap_or_default();
        core = text
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .map(|l| {
                l.split_whitespace()
                    .skip(4)
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
            });
        if core.as_deref() == Some("0 0") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        core.as_deref(),
        Some("0 0"),
        "soft and hard core file limits"
    );
}
