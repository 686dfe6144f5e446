//! The .rdp signing certificate kept in the vault: the certificate and its private key are
//! two sealed meta records (the key a blob of its own, opened only to sign), set and
//! cleared with an audit event in the same transaction. While one is set, every .rdp file
//! the session writes is signed.

use super::Session;
use crate::audit::{Action, NewEvent};
use crate::crypto::BlobKind;
use crate::rdp::RdpFile;
use crate::secret::SecretBytes;
use crate::signing::{CertificateInfo, SigningIdentity};
use crate::store::AuditKeeping;
use crate::vault::records::{binding, META};
use crate::{Error, Result};

pub(super) const META_SIGNING_CERTIFICATE: &str = "rdp_signing_certificate";
pub(super) const META_SIGNING_KEY: &str = "rdp_signing_key";

/// What the vault says about signing: the certificate (if one is set) and its PEM text,
/// for staff PCs to trust.
#[derive(Debug, Clone)]
pub struct SigningCertificate {
    /// Subject, expiry and thumbprint.
    pub info: CertificateInfo,
    /// The certificate as PEM (public), for Trusted Publishers.
    pub pem: String,
}

impl Session {
    /// Keeps `identity` as the vault's .rdp signing certificate (replacing any earlier
    /// one), audited as `signing_set`. Refused for a team vault (its server keeps only
    /// the team's settings).
    pub fn set_signing(&mut self, identity: &SigningIdentity) -> Result<CertificateInfo> {
        if self.store.audit_keeping() == AuditKeeping::Server {
            return Err(Error::invalid(
                "signing",
                "a team vault cannot hold a signing certificate yet; set it in a local vault",
            ));
        }
        let (certificate, key) = identity.stored_parts()?;
        let sealed_certificate = self.cipher.seal(
            binding(META, META_SIGNING_CERTIFICATE, BlobKind::SigningCertificate),
            &certificate,
        )?;
        let sealed_key = self.cipher.seal(
            binding(META, META_SIGNING_KEY, BlobKind::SigningKey),
            key.expose(),
        )?;
        let info = identity.info().clone();
        let event = NewEvent::new(Action::SigningSet).detail(format!(
            "certificate {} (thumbprint {}, valid until {})",
            crate::text::shown(&info.subject),
            info.thumbprint,
            info.not_after_text()
        ));
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(META_SIGNING_CERTIFICATE, &sealed_certificate)?;
            tx.put_meta(META_SIGNING_KEY, &sealed_key)?;
            Ok(Vec::new())
        })?;
        Ok(info)
    }

    /// Removes the signing certificate and key (their records are overwritten with
    /// nothing), audited as `signing_clear`. Returns whether one was set.
    pub fn clear_signing(&mut self) -> Result<bool> {
        let Some(current) = self.signing_certificate()? else {
            return Ok(false);
        };
        let event = NewEvent::new(Action::SigningClear).detail(format!(
            "certificate {} (thumbprint {}) removed",
            crate::text::shown(&current.info.subject),
            current.info.thumbprint
        ));
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(META_SIGNING_CERTIFICATE, &[])?;
            tx.put_meta(META_SIGNING_KEY, &[])?;
            Ok(Vec::new())
        })?;
        Ok(true)
    }

    /// The signing certificate, if one is set (the key stays sealed).
    pub fn signing_certificate(&self) -> Result<Option<SigningCertificate>> {
        let Some(der) = self.signing_certificate_der()? else {
            return Ok(None);
        };
        Ok(Some(SigningCertificate {
            info: crate::signing::describe_certificate(&der)?,
            pem: crate::signing::certificate_pem(&der)?,
        }))
    }

    fn signing_certificate_der(&self) -> Result<Option<Vec<u8>>> {
        match self.store.meta(META_SIGNING_CERTIFICATE)? {
            Some(blob) if !blob.is_empty() => {
                let der = self.cipher.open(
                    binding(META, META_SIGNING_CERTIFICATE, BlobKind::SigningCertificate),
                    &blob,
                )?;
                Ok(Some(der.to_vec()))
            }
            _ => Ok(None),
        }
    }

    /// The certificate with its key, opened for signing.
    pub(super) fn signing_identity(&self) -> Result<Option<SigningIdentity>> {
        let Some(certificate) = self.signing_certificate_der()? else {
            return Ok(None);
        };
        let blob = self
            .store
            .meta(META_SIGNING_KEY)?
            .filter(|b| !b.is_empty())
            .ok_or_else(|| Error::Integrity("the signing certificate's key is missing".into()))?;
        let key = SecretBytes::from(
            self.cipher
                .open(binding(META, META_SIGNING_KEY, BlobKind::SigningKey), &blob)?,
        );
        SigningIdentity::from_stored(&certificate, &key).map(Some)
    }

    /// `file` signed when the vault has a signing certificate, as it is otherwise.
    pub(super) fn sign_if_set(&self, file: RdpFile) -> Result<RdpFile> {
        match self.signing_identity()? {
            Some(identity) => file.signed(&identity),
            None => Ok(file),
        }
    }
}
