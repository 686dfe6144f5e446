//! Reading TOTP secrets from images: a screenshot of a customer's MFA enrolment page, a
//! photo of a printed QR code, or a Google Authenticator export code.

use std::path::Path;

use zeroize::Zeroizing;

use super::migration::{decode_migration_uri, MigrationAccounts};
use crate::{Error, Result};

/// Largest image file read for QR codes (a phone's photo is a few MB).
pub const MAX_QR_FILE_BYTES: u64 = 20 << 20;
/// Largest width or height of an image read for QR codes, in pixels.
pub const MAX_QR_DIMENSION: u32 = 10_000;

/// Decodes every QR code in a PNG or JPEG file and returns the TOTP accounts they hold.
/// Files over [`MAX_QR_FILE_BYTES`], and anything but a regular file, are refused unread.
pub fn decode_qr_file(path: &Path) -> Result<MigrationAccounts> {
    let bytes =
        crate::private_fs::read_small_file(path, MAX_QR_FILE_BYTES, "an image for QR codes")?;
    decode_qr_image(&bytes).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid(path.display().to_string(), message),
        other => other,
    })
}

/// Decodes every QR code in PNG or JPEG bytes. `otpauth://totp/` codes give one account,
/// export codes (`otpauth-migration://`) one per TOTP account they hold. Errors name what
/// was found without echoing it: no QR code, or a QR code that is not a TOTP secret.
pub fn decode_qr_image(bytes: &[u8]) -> Result<MigrationAccounts> {
    let not_an_image = || Error::invalid("qr", "the file is not a PNG or JPEG image");
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|_| not_an_image())
    };
    let (width, height) = reader()?.into_dimensions().map_err(|_| not_an_image())?;
    if width > MAX_QR_DIMENSION || height > MAX_QR_DIMENSION {
        return Err(Error::invalid(
            "qr",
            format!(
                "the image is {width} × {height} pixels; at most {MAX_QR_DIMENSION} each way \
                 are read"
            ),
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_QR_DIMENSION);
    limits.max_image_height = Some(MAX_QR_DIMENSION);
    let mut reader = reader()?;
    reader.limits(limits);
    let image = reader.decode().map_err(|_| not_an_image())?.into_luma8();
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
