//! TOTP: the RFC 6238 vectors, otpauth URI edge cases, QR codes made by independent tools,
//! and a Google Authenticator export code round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::fixture;
use sallyport_core::totp::{self, TotpAlgorithm, TotpGenerator, TotpParams};
use sallyport_core::SecretBytes;

#[test]
fn all_rfc_6238_appendix_b_vectors() {
    let text = std::fs::read_to_string(fixture("totp/rfc6238.txt")).unwrap();
    let mut checked = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let [time, algorithm, seed, expected] = cols[..] else {
            panic!("bad fixture line: {line}");
        };
        let params = TotpParams {
            algorithm: match algorithm {
                "SHA1" => TotpAlgorithm::Sha1,
                "SHA256" => TotpAlgorithm::Sha256,
                _ => TotpAlgorithm::Sha512,
            },
            digits: 8,
            ..TotpParams::default()
        };
        let secret = SecretBytes::new(seed.as_bytes().to_vec());
        let code = TotpGenerator::new(&params, &secret)
            .unwrap()
            .at(time.parse().unwrap());
        assert_eq!(code.code, expected, "{line}");
        checked += 1;
    }
    assert_eq!(checked, 18);
}

#[test]
fn otpauth_uri_edge_cases() {
    let secret = totp::decode_base32("JBSWY3DPEHPK3PXP").unwrap();
    let cases: [(&str, &str, &str); 5] = [
        // percent-encoded label and issuer, issuer only in the label
        (
            "otpauth://totp/ACME%20Corp%3Aalice%40acme.example?secret=JBSWY3DPEHPK3PXP",
            "ACME Corp",
            "alice@acme.example",
        ),
        // no issuer at all
        ("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP", "", "alice"),
        // padding and lowercase secret, issuer parameter wins over nothing
        (
            "otpauth://totp/alice?secret=jbswy3dpehpk3pxp%3D%3D%3D%3D&issuer=Acme",
            "Acme",
            "alice",
        ),
        // scheme and parameter names in capitals
        (
            "OTPAUTH://TOTP/Acme:bob?SECRET=JBSWY3DPEHPK3PXP&ISSUER=Acme",
            "Acme",
            "bob",
        ),
        // empty label
        ("otpauth://totp/?secret=JBSWY3DPEHPK3PXP", "", ""),
    ];
    for (uri, issuer, account) in cases {
        let (params, parsed) = totp::parse(uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert_eq!(parsed, secret, "{uri}");
        assert_eq!(
            (params.issuer.as_str(), params.account.as_str()),
            (issuer, account),
            "{uri}"
        );
        assert_eq!((params.digits, params.period), (6, 30));
    }
}

#[test]
fn a_qr_code_made_by_qrencode_decodes_to_its_uri() {
    let found = totp::decode_qr_file(&fixture("totp/qr/acme-sha256.png")).unwrap();
    assert_eq!(found.accounts.len(), 1);
    let (params, secret) = &found.accounts[0];
    let (want_params, want_secret) = totp::parse(
        "otpauth://totp/Acme%20VPN:vendor%40acme.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20VPN&algorithm=SHA256&digits=8&period=60",
    )
    .unwrap();
    assert_eq!(params, &want_params);
    assert_eq!(secret, &want_secret);
    assert_eq!(params.algorithm, TotpAlgorithm::Sha256);
    assert_eq!((params.digits, params.period), (8, 60));
    assert_eq!(params.issuer, "Acme VPN");
}

#[test]
fn a_screenshot_of_an_enrolment_page_decodes_too() {
    let found = totp::decode_qr_file(&fixture("totp/qr/enrolment-screenshot.jpg")).unwrap();
    assert_eq!(found.accounts.len(), 1);
    assert_eq!(found.accounts[0].0.account, "vendor@acme.example");
}

#[test]
fn images_without_a_totp_qr_code_give_clear_errors() {
    let cases = [
        (
            "totp/qr/no-qr.png",
            "no-qr.png: no QR code found in the image",
        ),
        (
            "totp/qr/web-link.png",
            "web-link.png: the QR code is not a TOTP secret (it holds a web link)",
        ),
        (
            "totp/rfc6238.txt",
            "rfc6238.txt: the file is not a PNG or JPEG image",
        ),
    ];
    for (file, expected) in cases {
        let err = totp::decode_qr_file(&fixture(file))
            .unwrap_err()
            .to_string();
        assert!(err.ends_with(expected), "{file}: {err}");
    }
}

/// A protobuf writer for the test side of the export-code round trip.
fn field(out: &mut Vec<u8>, number: u64, wire: u64, payload: &[u8]) {
    varint(out, number << 3 | wire);
    if wire == 2 {
        varint(out, payload.len() as u64);
    }
    out.extend_from_slice(payload);
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn varint_bytes(v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    varint(&mut out, v);
    out
}

fn otp_parameters(
    secret: &[u8],
    name: &str,
    issuer: &str,
    algorithm: u64,
    digits: u64,
    kind: u64,
) -> Vec<u8> {
    let mut m = Vec::new();
    field(&mut m, 1, 2, secret);
    field(&mut m, 2, 2, name.as_bytes());
    field(&mut m, 3, 2, issuer.as_bytes());
    field(&mut m, 4, 0, &varint_bytes(algorithm));
    field(&mut m, 5, 0, &varint_bytes(digits));
    field(&mut m, 6, 0, &varint_bytes(kind));
    m
}

fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    let (modules, scale, quiet) = (code.width() as u32, 4u32, 4u32);
    let size = (modules + 2 * quiet) * scale;
    let colors = code.to_colors();
    let image = image::GrayImage::from_fn(size, size, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= quiet
            && my >= quiet
            && mx < quiet + modules
            && my < quiet + modules
            && colors[((my - quiet) * modules + (mx - quiet)) as usize] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

#[test]
fn a_google_authenticator_export_code_round_trips() {
    let mut payload = Vec::new();
    field(
        &mut payload,
        1,
        2,
        &otp_parameters(
            b"0123456789abcdefghij",
            "Acme:alice@acme.example",
            "Acme",
            1,
            1,
            2,
        ),
    );
    field(
        &mut payload,
        1,
        2,
        &otp_parameters(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345",
            "beta-admin",
            "Beta Logistics",
            2,
            2,
            2,
        ),
    );
    field(
        &mut payload,
        1,
        2,
        &otp_parameters(b"counter-based-secret", "old", "Legacy", 1, 1, 1),
    );
    field(&mut payload, 2, 0, &varint_bytes(1)); // version
    let data = data_encoding::BASE64.encode(&payload);
    let uri = format!(
        "otpauth-migration://offline?data={}",
        data.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let found = totp::decode_qr_image(&qr_png(&uri)).unwrap();
    assert_eq!(found.skipped_hotp, 1);
    let summary: Vec<(String, String, TotpAlgorithm, u8, Vec<u8>)> = found
        .accounts
        .iter()
        .map(|(p, s)| {
            (
                p.issuer.clone(),
                p.account.clone(),
                p.algorithm,
                p.digits,
                s.expose().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Acme".into(),
                "alice@acme.example".into(),
                TotpAlgorithm::Sha1,
                6,
                b"0123456789abcdefghij".to_vec()
            ),
            (
                "Beta Logistics".into(),
                "beta-admin".into(),
                TotpAlgorithm::Sha256,
                8,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".to_vec()
            ),
        ]
    );
    let only_hotp = {
        let mut p = Vec::new();
        field(
            &mut p,
            1,
            2,
            &otp_parameters(b"counter-based-secret", "old", "Legacy", 1, 1, 1),
        );
        format!(
            "otpauth-migration://offline?data={}",
            data_encoding::BASE64.encode(&p)
        )
    };
    let err = totp::decode_migration_uri(&only_hotp)
        .unwrap_err()
        .to_string();
    assert!(err.contains("only counter-based (HOTP)"), "{err}");
}

/// Images too large to be a QR code's screenshot are refused before they are decoded: a
/// file over 20 MB (unread), an image over 10,000 pixels either way (from its header; a
/// small PNG file can claim a huge image), and anything but a regular file.
#[test]
fn oversized_images_and_devices_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.png");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(21 << 20).unwrap();
    let err = totp::decode_qr_file(&big).unwrap_err().to_string();
    assert!(
        err.ends_with("big.png: is 21 MB; an image for QR codes may have at most 20 MB"),
        "{err}"
    );

    let wide = image::GrayImage::from_pixel(12_000, 2, image::Luma([255]));
    let path = dir.path().join("wide.png");
    wide.save(&path).unwrap();
    let err = totp::decode_qr_file(&path).unwrap_err().to_string();
    assert!(
        err.ends_with("wide.png: the image is 12000 × 2 pixels; at most 10000 each way are read"),
        "{err}"
    );

    #[cfg(unix)]
    {
        let err = totp::decode_qr_file(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a regular file"), "{err}");
    }
}
