//! The vault header: KDF parameters, salt and the wrapped data key.
//!
//! The master password is stretched with Argon2id into a key-encryption key (KEK), which
//! unwraps the random 256-bit data key. The wrapped key's associated data covers the format
//! version, the vault id and every KDF parameter, so a header edited to different
//! parameters cannot unwrap the key. A SHA-256 checksum of the stored header bytes makes a
//! damaged or edited header show as an integrity error rather than as a wrong password.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::kdf::KdfParams;
use crate::crypto::{self, FORMAT_VERSION};
use crate::secret::{Key256, SecretString};
use crate::{Error, Result};

const SALT_LEN: usize = 16;

/// The stored header. Binary fields are hex so the header stays inspectable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    /// On-disk format version.
    pub format_version: u32,
    /// Random id of this vault.
    pub vault_id: Uuid,
    /// Always `argon2id`.
    pub kdf: String,
    /// Argon2id cost parameters.
    pub kdf_params: KdfParams,
    /// Argon2 salt, hex.
    pub salt: String,
    /// `nonce || AES-256-GCM(KEK, data key)`, hex.
    pub wrapped_key: String,
    /// Whether the vault keeps a record manifest (every vault created or unlocked with its
    /// password since manifests exist). Bound into the wrapped key's associated data when
    /// set, so it cannot be turned off without the master password.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub record_manifest: bool,
}

impl Header {
    /// A header for a new vault: a fresh vault id, salt and data key wrapped under `password`.
    pub fn create(password: &SecretString, kdf_params: KdfParams) -> Result<(Header, Key256)> {
        kdf_params.check_bounds()?;
        let data_key = crypto::random_key()?;
        let header = Header {
            format_version: FORMAT_VERSION,
            vault_id: Uuid::new_v4(),
            kdf: "argon2id".into(),
            kdf_params,
            salt: String::new(),
            wrapped_key: String::new(),
            record_manifest: true,
        }
        .wrap(&data_key, password)?;
        Ok((header, data_key))
    }

    /// This header with the data key wrapped anew under `password` (fresh salt and nonce).
    pub fn wrap(mut self, data_key: &Key256, password: &SecretString) -> Result<Header> {
        let mut salt = [0u8; SALT_LEN];
        crypto::fill_random(&mut salt)?;
        self.salt = hex::encode(salt);
        let kek = self.kdf_params.derive(password, &salt)?;
        let wrapped = crypto::seal(&kek, &self.wrap_associated_data(), data_key.expose())?;
        self.wrapped_key = hex::encode(wrapped);
        Ok(self)
    }

    /// Unwraps the data key with `password`.
    pub fn unwrap_key(&self, password: &SecretString) -> Result<Key256> {
        let salt = self.hex_field("salt", &self.salt)?;
        let wrapped = self.hex_field("wrapped key", &self.wrapped_key)?;
        let kek = self.kdf_params.derive(password, &salt)?;
        let plain = crypto::open(&kek, &self.wrap_associated_data(), &wrapped)
            .ok_or(Error::WrongPassword)?;
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| Error::Integrity("the wrapped data key has the wrong length".into()))?;
        Ok(Key256::from_bytes(bytes))
    }

    /// Serialises the header for storage, returning the bytes and their checksum.
    pub fn to_stored(&self) -> Result<(Vec<u8>, String)> {
        let bytes = serde_json::to_vec(self).map_err(|e| Error::Storage(e.to_string()))?;
        let checksum = checksum(&bytes);
        Ok((bytes, checksum))
    }

    /// Parses and checks a stored header: checksum, format, bounds of the KDF parameters.
    pub fn from_stored(bytes: &[u8], stored_checksum: &str) -> Result<Header> {
        if checksum(bytes) != stored_checksum {
            return Err(Error::Integrity(
                "the vault header is damaged: its checksum does not match (KDF parameters, \
                 salt or wrapped key changed); this is not a wrong password"
                    .into(),
            ));
        }
        let header: Header = serde_json::from_slice(bytes)
            .map_err(|_| Error::Integrity("the vault header is damaged (unreadable)".into()))?;
        if header.format_version != FORMAT_VERSION {
            return Err(Error::Integrity(format!(
                "unsupported vault format version {}",
                header.format_version
            )));
        }
        if header.kdf != "argon2id" {
            // Text from the file: quoted as validators quote values (one line, bounded).
            return Err(Error::KdfOutOfRange(format!(
                "unknown KDF '{}'",
                crate::model::validate::shown(&header.kdf)
            )));
        }
        header.kdf_params.check_bounds()?;
        Ok(header)
    }

    fn hex_field(&self, name: &str, value: &str) -> Result<Vec<u8>> {
        hex::decode(value).map_err(|_| Error::Integrity(format!("the header's {name} is damaged")))
    }

    fn wrap_associated_data(&self) -> Vec<u8> {
        let p = &self.kdf_params;
        let mut aad = Vec::with_capacity(96);
        aad.extend_from_slice(b"sallyport-key-wrap\0");
        aad.extend_from_slice(&self.format_version.to_be_bytes());
        aad.extend_from_slice(self.vault_id.as_bytes());
        aad.extend_from_slice(self.kdf.as_bytes());
        for n in [p.memory_kib, p.iterations, p.parallelism] {
            aad.extend_from_slice(&n.to_be_bytes());
        }
        aad.extend_from_slice(self.salt.as_bytes());
        if self.record_manifest {
            aad.extend_from_slice(b"\0record-manifest");
        }
        aad
    }
}

fn checksum(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn wrap_unwrap_round_trip_and_wrong_password() {
        let (header, key) = Header::create(&pw("master pass"), KdfParams::floor()).unwrap();
        assert_eq!(
            header.unwrap_key(&pw("master pass")).unwrap().expose(),
            key.expose()
        );
        assert!(matches!(
            header.unwrap_key(&pw("master pasS")),
            Err(Error::WrongPassword)
        ));
    }

    #[test]
    fn edited_parameters_cannot_unwrap_even_with_a_fresh_checksum() {
        let (header, _) = Header::create(&pw("master pass"), KdfParams::floor()).unwrap();
        let mut edited = header.clone();
        edited.kdf_params.iterations += 1;
        let mut other_id = header.clone();
        other_id.vault_id = Uuid::new_v4();
        for h in [edited, other_id] {
            let (bytes, sum) = h.to_stored().unwrap();
            let parsed = Header::from_stored(&bytes, &sum).unwrap();
            assert!(parsed.unwrap_key(&pw("master pass")).is_err());
        }
    }

    #[test]
    fn rewrap_changes_salt_and_keeps_key() {
        let (header, key) = Header::create(&pw("one"), KdfParams::floor()).unwrap();
        let rewrapped = header.clone().wrap(&key, &pw("two")).unwrap();
        assert_ne!(rewrapped.salt, header.salt);
        assert_eq!(rewrapped.vault_id, header.vault_id);
        assert_eq!(
            rewrapped.unwrap_key(&pw("two")).unwrap().expose(),
            key.expose()
        );
        assert!(rewrapped.unwrap_key(&pw("one")).is_err());
    }
}
