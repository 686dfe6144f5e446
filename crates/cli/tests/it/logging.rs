//! The diagnostic log: every command run at `trace` with the fixture's canary secrets, then
//! every file the run wrote searched for them. The log says what happened (unlock, import,
//! connect plan and outcome) and holds no secret.

use crate::common::*;

/// Every secret the run handles: the fixture's passwords and TOTP secrets, the master
/// passwords, and what `set-totp` and `rotated --new-password` are given.
const NEW_TOTP: &str = "MFRGGZDFMZTWQ2LK";
const NEW_PASSWORD: &str = "Canary-Pass-Rotated-9";
const BACKUP_PASSWORD: &str = "a long backup pass phrase";

fn every_file(dir: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            every_file(&path, found);
        } else {
            found.push(path);
        }
    }
}

#[test]
fn every_command_at_trace_logs_what_happened_and_no_secret() {
    let v = Vault::with_fixture();
    let dir = v.dir.path().to_owned();
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let second = format!("{PASSWORD} 2");
    let runs: Vec<(Vec<String>, String)> = vec![
        (vec!["list".into()], PASSWORD.into()),
        (
            vec!["list".into(), "acme".into(), "--json".into()],
            PASSWORD.into(),
        ),
        (vec!["show".into(), "ACME".into()], PASSWORD.into()),
        (vec!["totp".into(), "ACME".into()], PASSWORD.into()),
        (
            vec![
                "rdp".into(),
                "ACME".into(),
                "--out".into(),
                file("acme.rdp"),
            ],
            PASSWORD.into(),
        ),
        (
            vec![
                "export".into(),
                file("vault.backup"),
                "--format".into(),
                "backup".into(),
            ],
            format!("{PASSWORD}\n{BACKUP_PASSWORD}"),
        ),
        (
            vec!["connect".into(), "ACME".into(), "--dry-run".into()],
            PASSWORD.into(),
        ),
        (
            vec!["reason".into(), "ACME".into(), "optional".into()],
            PASSWORD.into(),
        ),
        (
            vec![
                "totp".into(),
                "ACME".into(),
                "--reason".into(),
                "TASS-1 Reason-Canary".into(),
            ],
            PASSWORD.into(),
        ),
        (
            vec![
                "statement".into(),
                "ACME".into(),
                "--out".into(),
                file("acme.pdf"),
            ],
            PASSWORD.into(),
        ),
        (
            vec!["set-totp".into(), "BETA".into(), "--secret".into()],
            format!("{PASSWORD}\n{NEW_TOTP}"),
        ),
        (
            vec!["rotated".into(), "ACME".into(), "--new-password".into()],
            format!("{PASSWORD}\n{NEW_PASSWORD}"),
        ),
        (vec!["report".into()], PASSWORD.into()),
        (vec!["audit".into(), "list".into()], PASSWORD.into()),
        (vec!["audit".into(), "verify".into()], PASSWORD.into()),
        (
            vec!["audit".into(), "export".into(), file("audit.jsonl")],
            PASSWORD.into(),
        ),
        (
            vec![
                "import".into(),
                fixture("import/valid.csv").to_str().unwrap().into(),
                "--dry-run".into(),
                "--on-conflict".into(),
                "skip".into(),
            ],
            PASSWORD.into(),
        ),
        (
            vec!["show".into(), "ACME".into()],
            "a wrong password".into(),
        ),
        (vec!["passwd".into()], format!("{PASSWORD}\n{second}")),
        (vec!["list".into()], second.clone()),
        (vec!["genpw".into()], String::new()),
    ];
    for (args, stdin) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = v
            .cmd()
            .env("SALLYPORT_LOG", "trace")
            .arg("--password-stdin")
            .args(&args)
            .write_stdin(format!("{stdin}\n"))
            .output()
            .unwrap();
        assert_no_secret(&out);
        let refused = stdin.as_str() == "a wrong password";
        assert_eq!(out.status.success(), !refused, "{args:?}: {}", stderr(&out));
    }

    let log = std::fs::read_to_string(v.log_dir().join("sallyport.log")).unwrap();
    for said in [
        "command=\"import\"",
        "command=\"connect\"",
        "unlocked",
        "unlock refused",
        "import written",
        "planned",
        "dry_run=true",
        "handoff=\"stdin\"",
        "kind=\"wrong_password\"",
        "statement built",
    ] {
        assert!(log.contains(said), "the log lacks {said}:\n{log}");
    }
    // A reason is the staff member's words about a customer's case: in the audit log and
    // the statement, not in the diagnostic log.
    assert!(!log.contains("Reason-Canary"), "{log}");
    let mut files = Vec::new();
    every_file(&dir, &mut files);
    assert!(files.len() >= 5, "{files:?}"); // the vault, its log, an .rdp file, exports
    let secrets = [
        "Canary-Pass",
        "JBSWY3DP",
        "GEZDGNBV",
        NEW_TOTP,
        PASSWORD,
        BACKUP_PASSWORD,
    ];
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        // .rdp files are UTF-16.
        let wide: String = bytes
            .chunks(2)
            .filter_map(|c| (c.len() == 2 && c[1] == 0).then_some(c[0] as char))
            .collect();
        for secret in secrets {
            assert!(
                !text.contains(secret) && !wide.contains(secret),
                "{secret} in {}",
                path.display()
            );
        }
    }
}
