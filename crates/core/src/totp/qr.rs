//! Reading TOTP secrets from images: a screenshot of a customer's MFA enrolment page, a
//! photo of a printed QR code, or a Google Authenticator export code.

use std::path::Path;

use zeroize::Zeroizing;

use super::migration::{decode_migration_uri, MigrationAccounts};
use crate::{Error, Result};

/// Decodes every QR code in a PNG or JPEG file and returns the TOTP accounts they hold.
pub fn decode_qr_file(path: &Path) -> Result<MigrationAccounts> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    decode_qr_image(&bytes).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(path.display().to_string(), message),
        other => other,
    })
}

/// Decodes every QR code in PNG or JPEG bytes. `otpauth://totp/` codes give one account,
/// export codes (`otpauth-migration://`) one per TOTP account they hold. Errors name what
/// was found without echoing it: no QR code, or a QR code that is not a TOTP secret.
pub fn decode_qr_image(bytes: &[u8]) -> Result<MigrationAccounts> {
    let image = image::load_from_memory(bytes)
        .map_err(|_| Error::invalid("qr", "the file is not a PNG or JPEG image"))?
        .into_luma8();
    let (width, height) = (image.width() as usize, image.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        image.get_pixel(x as u32, y as u32).0[0]
    });
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(Error::invalid("qr", "no QR code found in the image"));
    }
    let mut found = MigrationAccounts::default();
    let mut other = None;
    for grid in grids {
        let Ok((_, content)) = grid.decode() else {
            continue;
        };
        let content = Zeroizing::new(content);
        let scheme = content
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        if scheme == "otpauth-migration" {
            let accounts = decode_migration_uri(&content)?;
            found.accounts.extend(accounts.accounts);
            found.skipped_hotp += accounts.skipped_hotp;
        } else if scheme == "otpauth" {
            found.accounts.push(super::parse(&content)?);
        } else {
            other = Some(scheme);
        }
    }
    if found.accounts.is_empty() {
        return Err(Error::invalid(
            "qr",
            match other {
                Some(s) if matches!(s.as_str(), "http" | "https") => {
                    "the QR code is not a TOTP secret (it holds a web link)".to_owned()
                }
                Some(_) => "the QR code is not a TOTP secret".to_owned(),
                None => "a QR code was found but could not be read".to_owned(),
            },
        ));
    }
    Ok(found)
}
