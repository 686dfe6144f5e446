//! Settings → "Sign .rdp files": the vault's .rdp signing certificate, imported from a
//! `.pfx` the user chose, described (subject, last valid day, thumbprint; never the key)
//! and removed. Reading, checking, sealing and auditing are the core's
//! (`SigningIdentity::from_pfx_file`, `Session::set_signing`, `clear_signing`).
//!
//! The `.pfx` password crosses IPC once, in `signing_set_pfx`, and goes straight into a
//! [`SecretString`]; the file is read here from its path, not sent by the webview.

use sallyport_core::signing::{CertificateInfo, SigningIdentity, EXPIRY_WARNING_DAYS};
use sallyport_core::SecretString;
use serde::Serialize;
use tauri::State;
use time::{Date, OffsetDateTime};

use crate::error::ApiResult;
use crate::state::AppState;
use crate::typed_path::{typed_path, Purpose};

/// The signing certificate as Settings shows it. Public: no key material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SigningInfo {
    /// The subject (`CN=Vendor Ltd,O=Vendor`).
    pub subject: String,
    /// The last day it is valid, `YYYY-MM-DD` (UTC).
    pub not_after: String,
    /// SHA-1 of the certificate, uppercase hex: what the `TrustedCertThumbprints` policy lists.
    pub thumbprint: String,
    /// Days from today to the last valid day; negative once expired.
    pub days_left: i64,
    /// Past its last valid day: files signed with it are not trusted.
    pub expired: bool,
    /// Expires within the warning period (30 days), not yet expired.
    pub expires_soon: bool,
}

impl SigningInfo {
    /// `info` as seen on `today`.
    pub fn new(info: &CertificateInfo, today: Date) -> Self {
        let days_left = info.days_left(today);
        Self {
            subject: info.subject.clone(),
            not_after: info.not_after_text(),
            thumbprint: info.thumbprint.clone(),
            days_left,
            expired: days_left < 0,
            expires_soon: (0..=EXPIRY_WARNING_DAYS).contains(&days_left),
        }
    }
}

const PFX_FILE: Purpose = Purpose {
    missing: "choose the .pfx file",
    example: "~/signing.pfx",
};

/// The vault's signing certificate, or `None` when .rdp files are written unsigned.
#[tauri::command]
pub async fn signing_info(state: State<'_, AppState>) -> ApiResult<Option<SigningInfo>> {
    let today = sallyport_core::hygiene::today();
    Ok(state.vault.with_session(|s| {
        Ok(s.signing_certificate()?
            .map(|c| SigningInfo::new(&c.info, today)))
    })?)
}

/// Reads the `.pfx` at `path` with `password` and keeps its certificate and key in the
/// vault (replacing any earlier one), audited as `signing_set`. Refused with the core's one
/// line: a wrong password, an expired certificate, a key that is not RSA…
#[tauri::command]
pub async fn signing_set_pfx(
    state: State<'_, AppState>,
    path: String,
    password: String,
) -> ApiResult<SigningInfo> {
    let password = SecretString::from(password);
    state.idle.touch();
    let path = typed_path(&path, &PFX_FILE)?;
    let now = OffsetDateTime::now_utc();
    Ok(state.vault.with_session(|s| {
        let identity = SigningIdentity::from_pfx_file(&path, &password, now)?;
        let info = s.set_signing(&identity)?;
        Ok(SigningInfo::new(&info, sallyport_core::hygiene::today()))
    })?)
}

/// Removes the signing certificate (audited as `signing_clear`): .rdp files are written
/// unsigned again. Returns whether one was set.
#[tauri::command]
pub async fn signing_clear(state: State<'_, AppState>) -> ApiResult<bool> {
    Ok(state.vault.with_session(|s| s.clear_signing())?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Month;

    fn date(year: i32, month: Month, day: u8) -> Date {
        Date::from_calendar_date(year, month, day).unwrap()
    }

    fn info(not_after: Date) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=Vendor Ltd".into(),
            not_after,
            thumbprint: "AB".repeat(20),
        }
    }

    #[test]
    fn expiry_is_flagged_thirty_days_ahead_and_after_the_last_day() {
        let today = date(2026, Month::May, 10);
        let cases = [
            (date(2026, Month::July, 1), 52, false, false),
            (date(2026, Month::June, 10), 31, false, false),
            (date(2026, Month::June, 9), 30, false, true),
            (date(2026, Month::May, 10), 0, false, true),
            (date(2026, Month::May, 9), -1, true, false),
        ];
        for (not_after, days, expired, soon) in cases {
            let shown = SigningInfo::new(&info(not_after), today);
            assert_eq!(
                (shown.days_left, shown.expired, shown.expires_soon),
                (days, expired, soon),
                "{not_after}"
            );
        }
        let shown = SigningInfo::new(&info(date(2026, Month::June, 9)), today);
        assert_eq!(shown.not_after, "2026-06-09");
        assert_eq!(shown.thumbprint, "AB".repeat(20));
    }
}
