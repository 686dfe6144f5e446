//! CLI contract of reasons (`--reason`, `sallyport reason`) and of the access statement
//! (`sallyport statement`): JSON shape, the period, other customers left out, the PDF as
//! `pdftotext` reads it, and the chain head against `audit verify`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

use crate::common::*;

fn vault() -> Vault {
    let v = Vault::new();
    let csv = v.dir.path().join("in.csv");
    std::fs::write(
        &csv,
        "customer,code,entry,kind,host,username,password,totp,reason\n\
         Acme Müller GmbH,ACME,Terminal server,rdp,ts.acme.example,svc-vendor,Canary-Pass-1,JBSWY3DPEHPK3PXP,required\n\
         Beta Corp,BETA,RDP,rdp,rdp.beta.example,vendor,Canary-Pass-2,JBSWY3DPEHPK3PXP,\n\
         Gamma AG,GAMMA,RDP,rdp,rdp.gamma.example,vendor,Canary-Pass-3,,\n",
    )
    .unwrap();
    assert_ok(&v.run(&["import", csv.to_str().unwrap()], PASSWORD));
    v
}

fn json(out: &std::process::Output) -> Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_required_reason_refuses_every_use_without_one_and_hands_nothing_out() {
    let v = vault();
    let out = v.run(&["totp", "ACME"], PASSWORD);
    assert_error(&out, "ACME requires a reason");
    assert!(
        stdout(&out).is_empty(),
        "a code was printed: {}",
        stdout(&out)
    );
    // The refusal comes before any clipboard is looked for.
    assert_error(
        &v.run(&["copy", "ACME", "password"], PASSWORD),
        "requires a reason",
    );
    assert_error(
        &v.run(&["connect", "ACME", "--dry-run"], PASSWORD),
        "requires a reason",
    );

    let totp = json(&v.run(
        &["totp", "ACME", "--json", "--reason", "TASS-7 printer"],
        PASSWORD,
    ));
    assert_eq!(totp["digits"], 6);
    let plan = json(&v.run(
        &["connect", "ACME", "--dry-run", "--reason", "TASS-8"],
        PASSWORD,
    ));
    assert!(plan["program"].is_string());

    // A reason is one line; nothing is used with a bad one.
    assert_error(
        &v.run(&["totp", "ACME", "--reason", "TASS-1\nforged"], PASSWORD),
        "single line",
    );
    assert_error(
        &v.run(&["totp", "ACME", "--reason", "  "], PASSWORD),
        "empty",
    );

    let events = json(&v.run(&["audit", "list", "--json"], PASSWORD));
    let reasons: Vec<(&str, &str, &str)> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["customer"] == "ACME")
        .filter(|e| {
            e["action"] == "totp_show" || e["action"] == "launch" || e["action"] == "copy_password"
        })
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap(),
                e["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("totp_show", "failed", ""),
            ("copy_password", "failed", ""),
            ("launch", "failed", ""),
            ("totp_show", "ok", "TASS-7 printer"),
            ("launch", "ok", "TASS-8"),
        ]
    );
    let table = stdout(&v.run(&["audit", "list"], PASSWORD));
    assert!(table.contains("reason: TASS-7 printer"), "{table}");
}

#[test]
fn the_reason_policy_is_set_per_customer_and_shown() {
    let v = vault();
    assert_ok(&v.run(&["totp", "BETA"], PASSWORD));
    assert_ok(&v.run(&["reason", "BETA", "required"], PASSWORD));
    assert_error(
        &v.run(&["totp", "BETA"], PASSWORD),
        "BETA requires a reason",
    );
    let shown = json(&v.run(&["show", "BETA", "--json"], PASSWORD));
    assert_eq!(shown["reason_policy"], "required");
    assert_ok(&v.run(&["reason", "BETA", "off"], PASSWORD));
    assert_ok(&v.run(&["totp", "BETA"], PASSWORD));
    assert!(!v
        .run(&["reason", "BETA", "sometimes"], PASSWORD)
        .status
        .success());
    assert_error(&v.run(&["reason", "NOPE", "off"], PASSWORD), "NOPE");
}

#[test]
fn a_statement_holds_the_customers_accounts_and_uses_in_the_period_only() {
    let v = vault();
    assert_ok(&v.run(
        &["totp", "ACME", "--reason", "TASS-100 slow logon"],
        PASSWORD,
    ));
    assert_ok(&v.run(
        &["connect", "ACME", "--dry-run", "--reason", "TASS-101"],
        PASSWORD,
    ));
    assert_ok(&v.run(&["totp", "BETA", "--reason", "BETA-ONLY-REASON"], PASSWORD));

    let file = v.dir.path().join("acme.json");
    let path = file.to_str().unwrap();
    assert_ok(&v.run(
        &["statement", "ACME", "--out", path, "--format", "json"],
        PASSWORD,
    ));
    let s: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(s["customer"]["code"], "ACME");
    assert_eq!(s["customer"]["name"], "Acme Müller GmbH");
    for key in [
        "since",
        "until",
        "accounts",
        "uses",
        "egress",
        "verified",
        "chain_head",
    ] {
        assert!(s.get(key).is_some(), "no {key}: {s}");
    }
    let account = &s["accounts"][0];
    assert_eq!(account["entry"], "Terminal server");
    assert_eq!(account["kind"], "rdp");
    assert_eq!(account["username"], "svc-vendor");
    assert_eq!(account["account_type"], "shared");
    let uses = s["uses"].as_array().unwrap();
    let listed: Vec<(&str, &str)> = uses
        .iter()
        .map(|u| (u["action"].as_str().unwrap(), u["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [("totp_show", "TASS-100 slow logon"), ("launch", "TASS-101")]
    );
    for u in uses {
        assert_eq!(u["staff"], "Test Staff");
        assert_eq!(u["outcome"], "ok");
        assert!(time::OffsetDateTime::parse(
            u["at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok());
    }
    assert!(!String::from_utf8_lossy(&std::fs::read(&file).unwrap()).contains("BETA-ONLY"));
    assert_eq!(s["verified"], true);
    let verify = json(&v.run(&["audit", "verify", "--json"], PASSWORD));
    assert_eq!(s["chain_head"], verify["head"]);

    // A period before today holds none of them.
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = today.previous_day().unwrap().to_string();
    let empty = v.dir.path().join("empty.json");
    assert_ok(&v.run(
        &[
            "statement",
            "ACME",
            "--until",
            &yesterday,
            "--out",
            empty.to_str().unwrap(),
            "--format",
            "json",
        ],
        PASSWORD,
    ));
    let e: Value = serde_json::from_slice(&std::fs::read(&empty).unwrap()).unwrap();
    assert_eq!(e["uses"].as_array().unwrap().len(), 0);
    assert_eq!(e["until"], yesterday.as_str());
    assert_error(
        &v.run(
            &["statement", "ACME", "--since", "04.12.2026", "--out", path],
            PASSWORD,
        ),
        "YYYY-MM-DD",
    );
}

#[test]
fn the_pdf_shows_the_json_rows_and_its_footer_names_the_chain_head() {
    let v = vault();
    assert_ok(&v.run(
        &["totp", "ACME", "--reason", "TASS-200 certificate renewal"],
        PASSWORD,
    ));
    assert_ok(&v.run(
        &["connect", "ACME", "--dry-run", "--reason", "TASS-201"],
        PASSWORD,
    ));
    assert_error(&v.run(&["totp", "ACME"], PASSWORD), "requires a reason");

    let pdf = v.dir.path().join("acme.pdf");
    assert_ok(&v.run(
        &["statement", "ACME", "--out", pdf.to_str().unwrap()],
        PASSWORD,
    ));
    let head = json(&v.run(&["audit", "verify", "--json"], PASSWORD))["head"]
        .as_str()
        .unwrap()
        .to_owned();
    let js = v.dir.path().join("acme.json");
    assert_ok(&v.run(
        &[
            "statement",
            "ACME",
            "--out",
            js.to_str().unwrap(),
            "--format",
            "json",
        ],
        PASSWORD,
    ));
    let s: Value = serde_json::from_slice(&std::fs::read(&js).unwrap()).unwrap();

    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(text.status.success());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("Acme Müller GmbH (ACME)"), "{text}");
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("20")).collect();
    let uses = s["uses"].as_array().unwrap();
    assert_eq!(rows.len(), uses.len(), "{text}");
    for (row, u) in rows.iter().zip(uses) {
        for field in ["at", "staff", "action", "entry", "outcome"] {
            assert!(
                row.contains(u[field].as_str().unwrap()),
                "{row} lacks {field}"
            );
        }
        if let Some(reason) = u["reason"].as_str() {
            assert!(row.contains(reason), "{row} lacks {reason}");
        }
    }
    // The footer names the head `audit verify` reported after the PDF was written.
    assert!(text.contains(&format!("audit chain head {head}")), "{text}");
}

#[test]
fn the_monthly_run_writes_one_file_per_customer_with_a_use() {
    let v = vault();
    assert_ok(&v.run(&["totp", "ACME", "--reason", "TASS-300"], PASSWORD));
    assert_ok(&v.run(&["totp", "BETA"], PASSWORD));
    let dir = v.dir.path().join("statements");
    let out = v.run(
        &[
            "statement",
            "--all",
            "--out",
            dir.to_str().unwrap(),
            "--format",
            "html",
        ],
        PASSWORD,
    );
    assert_ok(&out);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["ACME-access-statement.html", "BETA-access-statement.html"]
    );
    let html = std::fs::read_to_string(dir.join("ACME-access-statement.html")).unwrap();
    assert!(html.contains("TASS-300") && html.contains("Acme Müller GmbH"));
    assert!(!html.contains("BETA"), "another customer's use leaked");
    // A file where the folder should be, and a folder where the file should be.
    let file = v.dir.path().join("plain");
    std::fs::write(&file, "x").unwrap();
    assert_error(
        &v.run(
            &["statement", "--all", "--out", file.to_str().unwrap()],
            PASSWORD,
        ),
        "not a folder",
    );
    assert_error(
        &v.run(
            &["statement", "ACME", "--out", dir.to_str().unwrap()],
            PASSWORD,
        ),
        "is a folder",
    );
}
