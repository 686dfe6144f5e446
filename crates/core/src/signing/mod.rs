//! The vendor's code-signing certificate for .rdp files: reading it (PEM certificate and
//! PKCS#8/PKCS#1 key, or a PKCS#12 `.pfx`), checking it (RSA, not expired, key and
//! certificate belong together), describing it (subject, expiry, SHA-1 thumbprint) and
//! making detached CMS signatures with it.
//!
//! A [`SigningIdentity`] holds the private key: its `Debug` prints `<redacted>`, it has no
//! `Serialize`, and the key's memory is zeroized when it is dropped (the `rsa` crate wipes
//! its private key; the PKCS#8 bytes it is stored as live in a [`SecretBytes`]). Errors name
//! the file and what is wrong with it, never key material or the `.pfx` password.

mod cms;
mod key;
mod pkcs12;

use std::path::Path;

use der::{Decode, DecodePem, Encode};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey};
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde::Serialize;
use sha1::{Digest, Sha1};
use time::{Date, OffsetDateTime};
use x509_cert::Certificate;

use crate::secret::{SecretBytes, SecretString};
use crate::{Error, Result};

/// Largest certificate, key or .pfx file read (a certificate chain is a few KB).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// How many days ahead an expiring signing certificate is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// The registry key of the `TrustedCertThumbprints` policy value (machine-wide; the same
/// path under `HKCU` applies to one user).
pub const TRUSTED_THUMBPRINTS_KEY: &str =
    r"HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services";

/// What anyone may see of a signing certificate: never the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CertificateInfo {
    /// The subject, as RFC 4514 text (`CN=Vendor Ltd,O=Vendor`).
    pub subject: String,
    /// The last day the certificate is valid (UTC), `YYYY-MM-DD`.
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub not_after: Date,
    /// SHA-1 of the certificate's DER, uppercase hex: what `TrustedCertThumbprints` lists.
    pub thumbprint: String,
}

mod iso_date {
    pub fn serialize<S: serde::Serializer>(date: &time::Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::iso(*date))
    }
}

/// `YYYY-MM-DD`.
fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl CertificateInfo {
    /// Days from `today` to the last valid day (negative once expired).
    pub fn days_left(&self, today: Date) -> i64 {
        (self.not_after - today).whole_days()
    }

    /// `not_after` as `YYYY-MM-DD`.
    pub fn not_after_text(&self) -> String {
        iso(self.not_after)
    }

    /// The `reg add` line that trusts this certificate's thumbprint on a staff PC (run as
    /// an administrator, or pushed by Group Policy / Intune as the same value).
    pub fn reg_add_line(&self) -> String {
        format!(
            "reg add \"{TRUSTED_THUMBPRINTS_KEY}\" /v TrustedCertThumbprints /t REG_SZ /d {} /f",
            self.thumbprint
        )
    }
}

/// A certificate with its RSA private key, checked to belong together.
pub struct SigningIdentity {
    certificate: Certificate,
    certificate_der: Vec<u8>,
    key: RsaPrivateKey,
    info: CertificateInfo,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("info", &self.info)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl SigningIdentity {
    /// From a PEM (or DER) certificate and a PEM PKCS#8 or PKCS#1 RSA key (or PKCS#8 DER).
    /// `cert_name` and `key_name` name the inputs in errors. Refuses a certificate that has
    /// expired or is not valid yet at `now`, a key that is not RSA, and a key that does not
    /// match the certificate.
    pub fn from_pem(
        cert: &[u8],
        cert_name: &str,
        key: &SecretBytes,
        key_name: &str,
        now: OffsetDateTime,
    ) -> Result<SigningIdentity> {
        let certificate_der = certificate_der(cert, cert_name)?;
        let key = key::read_private_key(key.expose(), key_name)?;
        SigningIdentity::new(certificate_der, cert_name, key, key_name, now)
    }

    /// From a PKCS#12 file (`.pfx`/`.p12`) and its password: the certificate is the one
    /// whose public key matches the file's private key. A wrong password, a file that is
    /// not PKCS#12 or has no RSA key is refused, as are the certificate checks of
    /// [`SigningIdentity::from_pem`].
    pub fn from_pkcs12(
        pfx: &[u8],
        name: &str,
        password: &SecretString,
        now: OffsetDateTime,
    ) -> Result<SigningIdentity> {
        let contents = pkcs12::read(pfx, name, password)?;
        let key = key::from_pkcs8_der(contents.key.expose(), name)?;
        let public = RsaPublicKey::from(&key);
        let certificate_der = contents
            .certificates
            .into_iter()
            .find(|der| public_key_of(der).ok().as_ref() == Some(&public))
            .ok_or_else(|| Error::invalid(name, "holds no certificate for its private key"))?;
        SigningIdentity::new(certificate_der, name, key, name, now)
    }

    /// [`SigningIdentity::from_pem`] over two files, named in errors by their file names.
    pub fn from_pem_files(cert: &Path, key: &Path, now: OffsetDateTime) -> Result<SigningIdentity> {
        let cert_bytes = crate::private_fs::read_small_file(cert, MAX_FILE_BYTES, "a certificate")?;
        let key_bytes = SecretBytes::new(crate::private_fs::read_small_file(
            key,
            MAX_FILE_BYTES,
            "a private key",
        )?);
        SigningIdentity::from_pem(
            &cert_bytes,
            &file_name(cert),
            &key_bytes,
            &file_name(key),
            now,
        )
    }

    /// [`SigningIdentity::from_pkcs12`] over a file, named in errors by its file name.
    pub fn from_pfx_file(
        pfx: &Path,
        password: &SecretString,
        now: OffsetDateTime,
    ) -> Result<SigningIdentity> {
        let bytes = zeroize::Zeroizing::new(crate::private_fs::read_small_file(
            pfx,
            MAX_FILE_BYTES,
            "a .pfx file",
        )?);
        SigningIdentity::from_pkcs12(&bytes, &file_name(pfx), password, now)
    }

    /// From what [`SigningIdentity::stored_parts`] gave (read back from the vault); the
    /// pairing is checked again, the dates are not (an identity that expired since is still
    /// described and used, and flagged by its [`CertificateInfo`]).
    pub fn from_stored(certificate_der: &[u8], key_pkcs8: &SecretBytes) -> Result<SigningIdentity> {
        let damaged = |_| Error::Integrity("the stored signing certificate is unreadable".into());
        let certificate = Certificate::from_der(certificate_der).map_err(damaged)?;
        let key = key::from_pkcs8_der(key_pkcs8.expose(), "the stored signing key")?;
        let info = describe(&certificate, certificate_der)?;
        let identity = SigningIdentity {
            certificate,
            certificate_der: certificate_der.to_vec(),
            key,
            info,
        };
        identity.check_pair("the stored signing certificate", "key")?;
        Ok(identity)
    }

    fn new(
        certificate_der: Vec<u8>,
        cert_name: &str,
        key: RsaPrivateKey,
        key_name: &str,
        now: OffsetDateTime,
    ) -> Result<SigningIdentity> {
        let certificate = Certificate::from_der(&certificate_der)
            .map_err(|_| Error::invalid(cert_name, "is not an X.509 certificate"))?;
        let info = describe(&certificate, &certificate_der)?;
        let identity = SigningIdentity {
            certificate,
            certificate_der,
            key,
            info,
        };
        identity.check_pair(cert_name, key_name)?;
        identity.check_dates(cert_name, now)?;
        Ok(identity)
    }

    fn check_pair(&self, cert_name: &str, key_name: &str) -> Result<()> {
        let public = public_key_of(&self.certificate_der).map_err(|what| {
            Error::invalid(
                cert_name,
                format!("the certificate's key is {what}; .rdp signing needs an RSA certificate"),
            )
        })?;
        if public != RsaPublicKey::from(&self.key) {
            return Err(Error::invalid(
                key_name,
                format!(
                    "this key does not belong to the certificate {}",
                    crate::text::shown(&self.info.subject)
                ),
            ));
        }
        Ok(())
    }

    fn check_dates(&self, cert_name: &str, now: OffsetDateTime) -> Result<()> {
        let validity = &self.certificate.tbs_certificate.validity;
        let not_before = validity.not_before.to_unix_duration().as_secs();
        let not_after = validity.not_after.to_unix_duration().as_secs();
        let now_s = u64::try_from(now.unix_timestamp()).unwrap_or(0);
        if now_s > not_after {
            return Err(Error::invalid(
                cert_name,
                format!(
                    "the certificate {} expired on {}",
                    crate::text::shown(&self.info.subject),
                    self.info.not_after_text()
                ),
            ));
        }
        if now_s < not_before {
            return Err(Error::invalid(
                cert_name,
                format!(
                    "the certificate {} is not valid before {}",
                    crate::text::shown(&self.info.subject),
                    unix_date(not_before).map(iso).unwrap_or_default()
                ),
            ));
        }
        Ok(())
    }

    /// Subject, expiry and thumbprint.
    pub fn info(&self) -> &CertificateInfo {
        &self.info
    }

    /// The certificate's DER bytes.
    pub fn certificate_der(&self) -> &[u8] {
        &self.certificate_der
    }

    /// The certificate as PEM, to import into Trusted Publishers.
    pub fn certificate_pem(&self) -> Result<String> {
        certificate_pem(&self.certificate_der)
    }

    /// The certificate and the key (PKCS#8 DER) as they are sealed into the vault.
    pub fn stored_parts(&self) -> Result<(Vec<u8>, SecretBytes)> {
        let key = self
            .key
            .to_pkcs8_der()
            .map_err(|_| Error::Integrity("the signing key cannot be encoded".into()))?;
        Ok((
            self.certificate_der.clone(),
            SecretBytes::new(key.as_bytes().to_vec()),
        ))
    }

    /// A detached CMS SignedData (SHA-256, RSA PKCS#1 v1.5, no signed attributes, the
    /// certificate included) over `message`, DER-encoded.
    pub fn sign_detached(&self, message: &[u8]) -> Result<Vec<u8>> {
        cms::sign_detached(&self.certificate, &self.key, message)
    }
}

/// The file name of `path` (as the user knows it), for errors.
fn file_name(path: &Path) -> String {
    crate::text::shown(&path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    ))
}

/// Subject, expiry and thumbprint of a DER certificate.
pub fn describe_certificate(der: &[u8]) -> Result<CertificateInfo> {
    let certificate = Certificate::from_der(der)
        .map_err(|_| Error::Integrity("the stored signing certificate is unreadable".into()))?;
    describe(&certificate, der)
}

/// A DER certificate as PEM.
pub fn certificate_pem(der: &[u8]) -> Result<String> {
    der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, der)
        .map_err(|_| Error::Integrity("the signing certificate cannot be encoded".into()))
}

/// The certificate's DER from PEM (`CERTIFICATE`, the first one) or DER input.
fn certificate_der(input: &[u8], name: &str) -> Result<Vec<u8>> {
    if input.first() == Some(&0x30) {
        return Certificate::from_der(input)
            .and_then(|c| c.to_der())
            .map_err(|_| Error::invalid(name, "is not an X.509 certificate (DER)"));
    }
    let text = std::str::from_utf8(input)
        .map_err(|_| Error::invalid(name, "is neither a PEM nor a DER certificate"))?;
    let block = pem_blocks(text)
        .find(|(label, _)| *label == "CERTIFICATE")
        .ok_or_else(|| Error::invalid(name, "holds no PEM block 'BEGIN CERTIFICATE'"))?;
    let certificate = Certificate::from_pem(block.1)
        .map_err(|_| Error::invalid(name, "its CERTIFICATE block is not a valid certificate"))?;
    certificate
        .to_der()
        .map_err(|_| Error::invalid(name, "its certificate cannot be re-encoded"))
}

/// The PEM blocks of a text: (label, the block's text from BEGIN to END inclusive).
fn pem_blocks(text: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find("-----BEGIN ")?;
        let after = &rest[start + 11..];
        let label_end = after.find("-----")?;
        let label = &after[..label_end];
        let end_marker = format!("-----END {label}-----");
        let end = rest[start..].find(&end_marker)? + start + end_marker.len();
        let block = &rest[start..end];
        rest = &rest[end..];
        Some((label, block))
    })
}

/// The certificate's RSA public key, or what kind of key it is instead.
fn public_key_of(certificate_der: &[u8]) -> std::result::Result<RsaPublicKey, String> {
    let certificate =
        Certificate::from_der(certificate_der).map_err(|_| "unreadable".to_owned())?;
    let spki = &certificate.tbs_certificate.subject_public_key_info;
    let spki_der = spki.to_der().map_err(|_| "unreadable".to_owned())?;
    RsaPublicKey::from_public_key_der(&spki_der)
        .map_err(|_| key::algorithm_name(&spki.algorithm.oid).to_owned())
}

fn describe(certificate: &Certificate, der: &[u8]) -> Result<CertificateInfo> {
    let tbs = &certificate.tbs_certificate;
    let not_after = unix_date(tbs.validity.not_after.to_unix_duration().as_secs())
        .ok_or_else(|| Error::invalid("certificate", "its expiry date is out of range"))?;
    let thumbprint = hex::encode_upper(Sha1::digest(der));
    Ok(CertificateInfo {
        subject: tbs.subject.to_string(),
        not_after,
        thumbprint,
    })
}

fn unix_date(seconds: u64) -> Option<Date> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?)
        .ok()
        .map(|t| t.date())
}
