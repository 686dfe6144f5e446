//! `sallyport signing set|show|clear` and the signed files `rdp` writes: OpenSSL verifies
//! them (the message rebuilt here from the file's lines), FreeRDP's own parser still reads
//! them as meant, and every refusal is one line naming the file.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use crate::rdp::{freerdp_reads, freerdp_settings_tool};

const PFX_PASSWORD: &str = "Pfx-Cli-Pass-7";

fn openssl(args: &[&str]) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `openssl req -x509`: a self-signed RSA certificate and key, valid 30 days.
fn make_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=Sallyport CLI Signing",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    (cert, key)
}

/// The file's `(key, type, value)` lines, decoded here.
fn lines_of(file: &Path) -> Vec<(String, String, String)> {
    let bytes = std::fs::read(file).unwrap();
    assert_eq!(&bytes[..2], b"\xFF\xFE", "UTF-16LE BOM");
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(
        text.ends_with("\r\n") && !text.replace("\r\n", "").contains('\n'),
        "CRLF lines"
    );
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut p = l.splitn(3, ':');
            let mut next = || p.next().unwrap().to_owned();
            (next(), next(), next())
        })
        .collect()
}

/// OpenSSL's verdict on the file's signature, over the message rebuilt from its lines.
fn openssl_verifies(lines: &[(String, String, String)], cert: &Path, dir: &Path) -> bool {
    let value = |key: &str| lines.iter().find(|(k, _, _)| k == key).map(|l| l.2.clone());
    let scope = value("signscope").expect("signscope");
    let mut message = String::new();
    for name in scope.split(',') {
        let (k, t, v) = lines
            .iter()
            .find(|(k, _, _)| *k == name.to_lowercase())
            .expect(name);
        message.push_str(&format!("{k}:{t}:{v}\r\n"));
    }
    message.push_str(&format!("signscope:s:{scope}\r\n\0"));
    let message: Vec<u8> = message
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let blob = base64_decode(&value("signature").expect("signature"));
    let (msg, sig) = (dir.join("message.bin"), dir.join("signature.der"));
    std::fs::write(&msg, message).unwrap();
    std::fs::write(&sig, &blob[12..]).unwrap();
    Command::new("openssl")
        .args([
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .arg("-in")
        .arg(&sig)
        .arg("-content")
        .arg(&msg)
        .arg("-CAfile")
        .arg(cert)
        .output()
        .unwrap()
        .status
        .success()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["base64", "-d", "-A"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    out.stdout
}

#[test]
fn a_set_certificate_signs_every_file_until_cleared_and_freerdp_still_reads_it() {
    let v = Vault::with_fixture();
    let dir = v.dir.path();
    let (cert, key) = make_certificate(dir, "vendor");
    let show = v.run(&["signing", "show", "--json"], PASSWORD);
    assert_ok(&show);
    assert_eq!(stdout(&show), "null\n");

    let set = v.run(
        &[
            "signing",
            "set",
            "--cert",
            cert.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
        ],
        PASSWORD,
    );
    assert_ok(&set);
    let fingerprint = String::from_utf8(
        openssl(&[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha1",
            "-in",
            cert.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    let thumbprint = fingerprint
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "");
    let not_after = String::from_utf8(
        openssl(&[
            "x509",
            "-noout",
            "-enddate",
            "-dateopt",
            "iso_8601",
            "-in",
            cert.to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap_or_default();
    let show = v.run(&["signing", "show", "--json"], PASSWORD);
    assert_ok(&show);
    let json: serde_json::Value = serde_json::from_str(&stdout(&show)).unwrap();
    assert_eq!(json["subject"], "CN=Sallyport CLI Signing");
    assert_eq!(json["thumbprint"], thumbprint.as_str());
    let day = json["not_after"].as_str().unwrap();
    assert_eq!(day.len(), 10, "YYYY-MM-DD: {day}");
    assert!(
        not_after.is_empty() || not_after.contains(day),
        "{not_after} vs {day}"
    );
    assert_eq!(json.as_object().unwrap().len(), 3, "{json}");

    let text = stdout(&v.run(&["signing", "show"], PASSWORD));
    assert!(text.contains(&format!(
        "reg add \"HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services\" /v TrustedCertThumbprints /t REG_SZ /d {thumbprint} /f"
    )), "{text}");
    assert!(
        text.contains("Trusted Publishers") && text.contains("-----BEGIN CERTIFICATE-----"),
        "{text}"
    );
    assert!(!text.contains("PRIVATE"), "{text}");

    // The written file is signed, OpenSSL verifies it, FreeRDP reads it as before.
    let file = dir.join("acme.rdp");
    assert_ok(&v.run(&["rdp", "ACME", "--out", file.to_str().unwrap()], PASSWORD));
    let lines = lines_of(&file);
    assert_eq!(lines[lines.len() - 1].0, "signature");
    assert!(
        openssl_verifies(&lines, &cert, dir),
        "OpenSSL rejects the signature"
    );
    let mut forged = lines.clone();
    forged
        .iter_mut()
        .find(|l| l.0 == "gatewayhostname")
        .unwrap()
        .2 = "gw.evil.example".into();
    assert!(
        !openssl_verifies(&forged, &cert, dir),
        "a changed gateway still verifies"
    );

    let tool = freerdp_settings_tool(dir);
    let settings = freerdp_reads(&tool, &file);
    for (key, want) in [
        ("ServerHostname", "rds.acme.example"),
        ("ServerPort", "3390"),
        ("Username", "vendor"),
        ("GatewayHostname", "gw.acme.example"),
        ("GatewayPort", "8443"),
        ("GatewayEnabled", "1"),
    ] {
        let got = settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str());
        assert_eq!(got, Some(want), "{key} in {settings:?}");
    }

    // Cleared: unsigned again; both changes audited.
    let clear = v.run(&["signing", "clear"], PASSWORD);
    assert_ok(&clear);
    assert_ok(&v.run(&["rdp", "ACME", "--out", file.to_str().unwrap()], PASSWORD));
    assert!(!lines_of(&file)
        .iter()
        .any(|l| l.0 == "signature" || l.0 == "signscope"));
    assert_eq!(
        stdout(&v.run(&["signing", "show", "--json"], PASSWORD)),
        "null\n"
    );
    for action in ["signing_set", "signing_clear"] {
        let listed = v.run(&["audit", "list", "--action", action, "--json"], PASSWORD);
        assert_ok(&listed);
        assert_eq!(
            stdout(&listed).lines().count(),
            1,
            "{action}: {}",
            stdout(&listed)
        );
    }

    // Not even the key's PEM lines are in the vault file.
    let vault = std::fs::read(&v.path).unwrap();
    let key_text = std::fs::read_to_string(&key).unwrap();
    for line in key_text.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!vault.windows(line.len()).any(|w| w == line.as_bytes()));
    }
}

#[test]
fn a_pfx_password_comes_from_stdin_and_a_wrong_one_is_refused() {
    let v = Vault::with_fixture();
    let dir = v.dir.path();
    let (cert, key) = make_certificate(dir, "vendor");
    let pfx = dir.join("vendor.pfx");
    openssl(&[
        "pkcs12",
        "-export",
        "-in",
        cert.to_str().unwrap(),
        "-inkey",
        key.to_str().unwrap(),
        "-out",
        pfx.to_str().unwrap(),
        "-passout",
        &format!("pass:{PFX_PASSWORD}"),
    ]);
    let pfx_arg = pfx.to_str().unwrap();
    let wrong = v.run(
        &["signing", "set", "--pfx", pfx_arg],
        &format!("{PASSWORD}\nnot-the-password"),
    );
    assert_error(&wrong, "vendor.pfx: wrong password for this .pfx file");
    assert_eq!(
        stdout(&v.run(&["signing", "show", "--json"], PASSWORD)),
        "null\n"
    );

    let set = v.run(
        &["signing", "set", "--pfx", pfx_arg],
        &format!("{PASSWORD}\n{PFX_PASSWORD}"),
    );
    assert_ok(&set);
    assert!(!stdout(&set).contains(PFX_PASSWORD) && !stderr(&set).contains(PFX_PASSWORD));
    let show = stdout(&v.run(&["signing", "show", "--json"], PASSWORD));
    assert!(
        show.contains("\"subject\":\"CN=Sallyport CLI Signing\""),
        "{show}"
    );

    // Without --password-stdin and without a terminal there is no one to ask.
    let out = v
        .cmd()
        .args(["signing", "set", "--pfx", pfx_arg])
        .write_stdin("")
        .output()
        .unwrap();
    assert!(!out.status.success());
}

#[test]
fn expired_mismatched_and_ec_material_is_refused_with_one_line() {
    let v = Vault::new();
    let dir = v.dir.path();
    let (cert, _) = make_certificate(dir, "vendor");
    let (_, other_key) = make_certificate(dir, "other");
    let expired = (
        fixture("signing/expired.crt"),
        fixture("signing/expired.key"),
    );
    let cases = [
        (
            &expired.0,
            &expired.1,
            "expired.crt: the certificate CN=Sallyport Expired Test expired on 2020-02-01",
        ),
        (
            &cert,
            &other_key,
            "other.key: this key does not belong to the certificate",
        ),
        (
            &cert,
            &fixture("signing/ec.key"),
            "ec.key: is an EC key, not an RSA key",
        ),
        (&cert, &dir.join("missing.key"), "missing.key"),
    ];
    for (cert, key, expected) in cases {
        let out = v.run(
            &[
                "signing",
                "set",
                "--cert",
                cert.to_str().unwrap(),
                "--key",
                key.to_str().unwrap(),
            ],
            PASSWORD,
        );
        assert_error(&out, expected);
    }
    let half = v.run(
        &["signing", "set", "--cert", cert.to_str().unwrap()],
        PASSWORD,
    );
    assert!(!half.status.success(), "--cert needs --key");
}
