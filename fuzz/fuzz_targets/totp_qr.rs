//! QR codes in images (`totp::decode_qr_image`): PNG or JPEG bytes, as a file or a pasted
//! screenshot gives them.
//!
//! Input: image bytes; or, when it starts with `otpauth`, text that the target encodes
//! as a QR code in a PNG first.
//!
//! Properties: the same result twice; every account accepted makes a generator; a refusal
//! is one line; an image is decoded in bounded time and memory (libFuzzer's timeout and
//! RSS limit); a QR code of a text gives exactly what parsing the text gives.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::totp::{
    decode_migration_uri, decode_qr_image, parse, MigrationAccounts, TotpGenerator,
};
use sallyport_fuzz::assert_one_line;

fn describe(found: &sallyport_core::Result<MigrationAccounts>) -> String {
    match found {
        Ok(found) => {
            let accounts: Vec<String> = found
                .accounts
                .iter()
                .map(|(params, secret)| format!("{params:?} {:?}", secret.expose()))
                .collect();
            format!("{accounts:?} hotp {}", found.skipped_hotp)
        }
        Err(e) => e.to_string(),
    }
}

/// `text` as a QR code in a PNG, or `None` when it does not fit in one.
fn qr_png(text: &str) -> Option<Vec<u8>> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let width = code.width();
    let (scale, quiet) = (4, 4);
    let side = (width + 2 * quiet) * scale;
    let colors = code.to_colors();
    let image = image::GrayImage::from_fn(side as u32, side as u32, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let dark = (quiet..quiet + width).contains(&mx)
            && (quiet..quiet + width).contains(&my)
            && colors[(my - quiet) * width + (mx - quiet)] == qrcode::Color::Dark;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut png = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .ok()?;
    Some(png)
}

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"otpauth") {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Some(png) = qr_png(text) else { return };
        let direct = match text
            .get(..18)
            .is_some_and(|s| s.eq_ignore_ascii_case("otpauth-migration:"))
        {
            true => decode_migration_uri(text),
            false => parse(text).map(|account| MigrationAccounts {
                accounts: vec![account],
                skipped_hotp: 0,
            }),
        };
        let scanned = decode_qr_image(&png);
        if scanned
            .as_ref()
            .is_err_and(|e| e.to_string().contains("not a TOTP secret"))
        {
            // The scheme is told case-insensitively from the text before ':'.
            return;
        }
        assert_eq!(
            describe(&scanned),
            describe(&direct),
            "the QR code of {text:?} reads otherwise"
        );
        return;
    }
    let first = decode_qr_image(data);
    let again = decode_qr_image(data);
    assert_eq!(
        describe(&first),
        describe(&again),
        "same input, other result"
    );
    match first {
        Ok(found) => {
            for (params, secret) in &found.accounts {
                TotpGenerator::new(params, secret).expect("an accepted account makes codes");
            }
        }
        Err(e) => assert_one_line(&e.to_string()),
    }
});
