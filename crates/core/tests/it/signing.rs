//! Signed .rdp files, checked with OpenSSL rather than with our own code: the message is
//! rebuilt from the written file's lines and `openssl cms -verify` checks the signature
//! against the test certificate (made by `openssl req -x509`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::rdp;
use sallyport_core::signing::SigningIdentity;
use sallyport_core::vault::Purpose;
use sallyport_core::{SecretBytes, SecretString};

pub const PFX_PASSWORD: &str = "Pfx-Test-Pass-9";

fn openssl(args: &[&str], dir: &Path) -> std::process::Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    out
}

fn ok(out: std::process::Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A self-signed RSA certificate and key (`cert.pem`, `key.pem`) in `dir`, valid 30 days.
pub fn make_certificate(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let cert = dir.join(format!("{name}.crt"));
    let key = dir.join(format!("{name}.key"));
    ok(
        openssl(
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "30",
                "-subj",
                "/CN=Sallyport Test Signing/O=Vendor Ltd",
                "-keyout",
                key.to_str().unwrap(),
                "-out",
                cert.to_str().unwrap(),
            ],
            dir,
        ),
        "openssl req -x509",
    );
    (cert, key)
}

/// The certificate and key as a .pfx with `extra` options (encryption choices).
pub fn make_pfx(dir: &Path, cert: &Path, key: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let pfx = dir.join(name);
    let pass = format!("pass:{PFX_PASSWORD}");
    let mut args = vec![
        "pkcs12",
        "-export",
        "-in",
        cert.to_str().unwrap(),
        "-inkey",
        key.to_str().unwrap(),
        "-out",
        pfx.to_str().unwrap(),
        "-passout",
        &pass,
    ];
    args.extend_from_slice(extra);
    ok(openssl(&args, dir), "openssl pkcs12 -export");
    pfx
}

fn identity(cert: &Path, key: &Path) -> sallyport_core::Result<SigningIdentity> {
    SigningIdentity::from_pem(
        &std::fs::read(cert).unwrap(),
        "cert.pem",
        &SecretBytes::new(std::fs::read(key).unwrap()),
        "key.pem",
        time::OffsetDateTime::now_utc(),
    )
}

/// The file's lines as `(key, type, value)`, decoded here (UTF-16LE after a BOM, CRLF).
pub fn lines_of(bytes: &[u8]) -> Vec<(String, String, String)> {
    assert_eq!(&bytes[..2], b"\xFF\xFE", "UTF-16LE BOM");
    let units: Vec<u16> = bytes[2..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let text = String::from_utf16(&units).unwrap();
    assert!(text.ends_with("\r\n"));
    assert!(!text.replace("\r\n", "").contains('\n'), "CRLF only");
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut p = l.splitn(3, ':');
            (
                p.next().unwrap().to_owned(),
                p.next().unwrap().to_owned(),
                p.next().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Rebuilds the signed message from the lines (signscope's names, lowercased, are the
/// keys) and has OpenSSL verify the signature line against `cert`. Ok, or OpenSSL's error.
pub fn openssl_verify(
    lines: &[(String, String, String)],
    cert: &Path,
    dir: &Path,
) -> Result<(), String> {
    let value = |key: &str| {
        lines
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v.clone())
    };
    let scope = value("signscope").ok_or("no signscope line")?;
    let mut message = String::new();
    for name in scope.split(',') {
        let key = name.to_lowercase();
        let (k, t, v) = lines
            .iter()
            .find(|(k, _, _)| *k == key)
            .ok_or(format!("signscope names {name}, which the file lacks"))?;
        message.push_str(&format!("{k}:{t}:{v}\r\n"));
    }
    message.push_str(&format!("signscope:s:{scope}\r\n\0"));
    let message: Vec<u8> = message
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    let blob = data_encoding::BASE64
        .decode(value("signature").ok_or("no signature line")?.as_bytes())
        .map_err(|e| e.to_string())?;
    let word = |i: usize| u32::from_le_bytes(blob[i * 4..i * 4 + 4].try_into().unwrap());
    assert_eq!((word(0), word(1)), (0x0001_0001, 1), "rdpsign's header");
    assert_eq!(word(2) as usize, blob.len() - 12, "the DER's length");
    let msg = dir.join("message.bin");
    let sig = dir.join("signature.der");
    std::fs::write(&msg, &message).unwrap();
    std::fs::write(&sig, &blob[12..]).unwrap();
    let out = openssl(
        &[
            "cms",
            "-verify",
            "-binary",
            "-inform",
            "DER",
            "-in",
            sig.to_str().unwrap(),
            "-content",
            msg.to_str().unwrap(),
            "-CAfile",
            cert.to_str().unwrap(),
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ],
        dir,
    );
    match out.status.success() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

fn with_value(
    lines: &[(String, String, String)],
    key: &str,
    value: &str,
) -> Vec<(String, String, String)> {
    lines
        .iter()
        .map(|(k, t, v)| match k == key {
            true => (k.clone(), t.clone(), value.to_owned()),
            false => (k.clone(), t.clone(), v.clone()),
        })
        .collect()
}

#[test]
fn written_files_are_signed_as_rdpsign_does_and_openssl_verifies_them() {
    let (dir, path) = populated_vault();
    let (cert, key) = make_certificate(dir.path(), "vendor");
    let mut session = unlock(&path).unwrap();
    let info = session
        .set_signing(&identity(&cert, &key).unwrap())
        .unwrap();

    // The thumbprint is OpenSSL's SHA-1 fingerprint.
    let out = openssl(
        &[
            "x509",
            "-noout",
            "-fingerprint",
            "-sha1",
            "-in",
            cert.to_str().unwrap(),
        ],
        dir.path(),
    );
    let fingerprint = String::from_utf8(out.stdout).unwrap();
    let expected = fingerprint
        .trim()
        .rsplit('=')
        .next()
        .unwrap()
        .replace(':', "");
    assert_eq!(info.thumbprint, expected);
    assert!(
        info.subject.contains("CN=Sallyport Test Signing"),
        "{}",
        info.subject
    );

    // ACME's entry has a gateway: every secure line is signed, the user name is not.
    let target = session.select("ACME", Purpose::Connect).unwrap();
    assert!(
        !target.entry.gateway_host.is_empty(),
        "the fixture has a gateway"
    );
    let out = dir.path().join("acme.rdp");
    session.write_rdp(target.entry.id, &out).unwrap();
    let lines = lines_of(&std::fs::read(&out).unwrap());
    let keys: Vec<&str> = lines.iter().map(|(k, _, _)| k.as_str()).collect();
    assert_eq!(&keys[keys.len() - 2..], ["signscope", "signature"]);
    assert_eq!(keys.iter().filter(|k| **k == "signature").count(), 1);
    let value = |key: &str| lines.iter().find(|(k, _, _)| k == key).unwrap().2.clone();
    assert_eq!(value("alternate full address"), value("full address"));
    assert_eq!(
        value("signscope"),
        "Full Address,Alternate Full Address,EnableCredSspSupport,GatewayHostname,GatewayUsageMethod,\
         GatewayProfileUsageMethod,GatewayCredentialsSource,PromptCredentialOnce,\
         Prompt For Credentials,Authentication Level,RedirectDrives,RedirectPrinters,\
         RedirectClipboard,DrivesToRedirect"
    );
    assert!(keys.contains(&"username"));
    openssl_verify(&lines, &cert, dir.path()).expect("OpenSSL verifies the file");

    // A changed address or gateway no longer verifies; a changed user name still does.
    for (key, value) in [
        ("full address", "evil.example:3389"),
        ("alternate full address", "evil.example:3389"),
        ("gatewayhostname", "gw.evil.example"),
        ("gatewayusagemethod", "2"),
    ] {
        let err = openssl_verify(&with_value(&lines, key, value), &cert, dir.path());
        assert!(
            err.is_err(),
            "{key} changed but the signature still verifies"
        );
    }
    openssl_verify(
        &with_value(&lines, "username", "someone-else"),
        &cert,
        dir.path(),
    )
    .expect("the user name is not signed");

    // Connect signs its temporary file too.
    let temp = rdp::RdpTempDir::open(&dir.path().join("private")).unwrap();
    let env = rdp::LaunchEnv {
        system_root: r"C:\Windows".into(),
        xfreerdp: Some("/usr/bin/xfreerdp".into()),
    };
    let request = sallyport_core::vault::LaunchRequest {
        os: rdp::Os::Linux,
        env: &env,
        today: sallyport_core::hygiene::today(),
        expired_ok: false,
        dry_run: false,
        reason: None,
        read_certificate: None,
    };
    let launch = session
        .prepare_launch(target.entry.id, request, &temp)
        .unwrap();
    let launched = lines_of(&std::fs::read(&launch.plan.rdp_file).unwrap());
    openssl_verify(&launched, &cert, dir.path()).expect("the launch's file verifies");
    assert_eq!(
        launch.signed_by.as_ref(),
        Some(&info),
        "the launch says who signed"
    );
    drop(launch);

    // Cleared: unsigned again, and both changes are in the audit log.
    assert!(session.clear_signing().unwrap());
    assert!(!session.clear_signing().unwrap(), "nothing left to clear");
    assert!(session.signing_certificate().unwrap().is_none());
    session.write_rdp(target.entry.id, &out).unwrap();
    let lines = lines_of(&std::fs::read(&out).unwrap());
    assert!(!lines
        .iter()
        .any(|(k, _, _)| k == "signature" || k == "signscope" || k == "alternate full address"));
    let launch = session
        .prepare_launch(target.entry.id, request, &temp)
        .unwrap();
    assert_eq!(launch.signed_by, None, "an unsigned launch says so");
    drop(launch);
    let filter = AuditFilter {
        actions: vec![Action::SigningSet, Action::SigningClear],
        ..AuditFilter::default()
    };
    let events: Vec<(Action, String)> = session
        .audit_events(&filter)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.detail))
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].0, Action::SigningSet);
    assert!(events[0].1.contains(&info.thumbprint), "{}", events[0].1);
    assert_eq!(events[1].0, Action::SigningClear);
}

#[test]
fn the_key_is_sealed_in_the_vault_file_and_survives_a_reopen() {
    let (dir, path) = populated_vault();
    let (cert, key) = make_certificate(dir.path(), "vendor");
    let mut session = unlock(&path).unwrap();
    let info = session
        .set_signing(&identity(&cert, &key).unwrap())
        .unwrap();
    session.lock().unwrap();

    let mut stored = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(path.with_extension("sallyport-wal")) {
        stored.extend(wal);
    }
    let key_pem = std::fs::read_to_string(&key).unwrap();
    for line in key_pem.lines().filter(|l| !l.starts_with("-----")) {
        assert!(
            !stored.windows(line.len()).any(|w| w == line.as_bytes()),
            "a line of the key's PEM is readable in the vault file"
        );
    }
    let key_der = data_encoding::BASE64
        .decode(
            key_pem
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>()
                .as_bytes(),
        )
        .unwrap();
    assert!(
        !stored
            .windows(32)
            .any(|w| key_der.windows(32).any(|k| k == w)),
        "the key's DER bytes are in the vault file"
    );

    let session = unlock(&path).unwrap();
    let shown = session.signing_certificate().unwrap().expect("still set");
    assert_eq!(shown.info, info);
    assert!(shown.pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert!(!shown.pem.contains("PRIVATE"));
}

#[test]
fn pkcs12_files_are_read_with_their_password_and_refused_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = make_certificate(dir.path(), "vendor");
    let expected = identity(&cert, &key).unwrap().info().clone();
    let now = time::OffsetDateTime::now_utc();
    let modern = make_pfx(dir.path(), &cert, &key, "aes.pfx", &[]);
    let legacy = make_pfx(
        dir.path(),
        &cert,
        &key,
        "3des.pfx",
        &[
            "-certpbe",
            "PBE-SHA1-3DES",
            "-keypbe",
            "PBE-SHA1-3DES",
            "-macalg",
            "sha1",
        ],
    );
    for pfx in [&modern, &legacy] {
        let bytes = std::fs::read(pfx).unwrap();
        let read = SigningIdentity::from_pkcs12(
            &bytes,
            "vendor.pfx",
            &SecretString::from(PFX_PASSWORD),
            now,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", pfx.display()));
        assert_eq!(read.info(), &expected);
        let err = SigningIdentity::from_pkcs12(
            &bytes,
            "vendor.pfx",
            &SecretString::from("wrong-one"),
            now,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, "vendor.pfx: wrong password for this .pfx file");
        assert!(!err.contains(PFX_PASSWORD));
    }
    let err = SigningIdentity::from_pkcs12(b"not a pfx", "x.pfx", &SecretString::from(""), now)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("x.pfx: is not a readable PKCS#12"), "{err}");
}

#[test]
fn expired_mismatched_and_non_rsa_material_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = make_certificate(dir.path(), "vendor");
    let (_, other_key) = make_certificate(dir.path(), "other");
    let now = time::OffsetDateTime::now_utc();
    let read = |cert: &Path, key: &Path, now| {
        SigningIdentity::from_pem(
            &std::fs::read(cert).unwrap(),
            "cert.pem",
            &SecretBytes::new(std::fs::read(key).unwrap()),
            "key.pem",
            now,
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    // PKCS#1 ("BEGIN RSA PRIVATE KEY") is read as well as PKCS#8.
    let pkcs1 = dir.path().join("pkcs1.key");
    ok(
        openssl(
            &[
                "rsa",
                "-in",
                key.to_str().unwrap(),
                "-traditional",
                "-out",
                pkcs1.to_str().unwrap(),
            ],
            dir.path(),
        ),
        "openssl rsa -traditional",
    );
    assert!(std::fs::read_to_string(&pkcs1)
        .unwrap()
        .contains("BEGIN RSA PRIVATE KEY"));
    read(&cert, &pkcs1, now).unwrap();

    let cases = [
        (
            read(
                &fixture("signing/expired.crt"),
                &fixture("signing/expired.key"),
                now,
            ),
            "cert.pem: the certificate CN=Sallyport Expired Test expired on 2020-02-01",
        ),
        (
            read(&cert, &key, now + time::Duration::days(40)),
            "expired on",
        ),
        (
            read(&cert, &other_key, now),
            "key.pem: this key does not belong to the certificate",
        ),
        (
            read(&cert, &fixture("signing/ec.key"), now),
            "key.pem: is an EC key, not an RSA key; .rdp signing needs an RSA key",
        ),
        (
            read(&key, &key, now),
            "cert.pem: holds no PEM block 'BEGIN CERTIFICATE'",
        ),
        (
            read(&cert, &cert, now),
            "key.pem: holds no private key (found 'CERTIFICATE'",
        ),
    ];
    let key_text = std::fs::read_to_string(&key).unwrap();
    let secret_line = key_text.lines().nth(1).unwrap();
    for (result, expected) in cases {
        let err = result.expect_err(expected);
        assert!(
            err.contains(expected),
            "{err:?} should contain {expected:?}"
        );
        assert!(!err.contains('\n'), "one line: {err:?}");
        assert!(!err.contains(secret_line), "the key leaked into {err:?}");
    }
}

#[test]
fn a_signing_identity_shows_no_key_in_debug() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = make_certificate(dir.path(), "vendor");
    let identity = identity(&cert, &key).unwrap();
    let debug = format!("{identity:?}");
    assert!(debug.contains("<redacted>"));
    let key_text = std::fs::read_to_string(&key).unwrap();
    assert!(!debug.contains(key_text.lines().nth(1).unwrap()));
    assert!(
        !debug.to_lowercase().contains("modulus") && !debug.contains("BigUint"),
        "{debug}"
    );
}
