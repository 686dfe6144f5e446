//! A member's team profile: the local file `--vault PATH` names for a team. It is a SQLite
//! file like a vault file and holds:
//! - the vault header (Argon2id parameters, salt, and the profile key wrapped under the
//!   member's master password), the unlock backoff and failed-unlock notes, exactly as a
//!   local vault keeps them;
//! - `team`: where the database is, the member's name and login, and the team's CA
//!   certificate (pinned here: the connection trusts this CA only) — nothing about
//!   customers;
//! - `member_secrets`, sealed with the profile key: the member's X25519 private key and the
//!   password of their database login;
//! - `audit_seen`, sealed with the profile key: the last head of the server's audit chain
//!   this client saw, so that a history rolled back behind it is noticed.
//!
//! The team's CA is also written beside the profile (`PROFILE.ca.pem`, 0600) for
//! `team db-env`'s `PGSSLROOTCERT`.

use std::path::{Path, PathBuf};

use sallyport_core::crypto;
use sallyport_core::store::{Store, StoreRead};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{Error, Key256, Result, SecretString};
use sallyport_sqlite::SqliteStore;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::conn::DbAddress;
use crate::keys::MemberKey;

pub(crate) const META_TEAM: &str = "team";
const META_SECRETS: &str = "member_secrets";
const META_SEEN: &str = "audit_seen";

/// What a profile says about its team, in the clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    /// The team's id (the database's `team_id`).
    pub team_id: String,
    /// The database, with the member's own login as `user`.
    pub db: DbAddress,
    /// The member's name in the team.
    pub member: String,
    /// The team's CA certificate(s), PEM: the only CA this profile trusts.
    pub ca_pem: String,
}

/// The member's secrets, as sealed in the profile.
#[derive(Serialize, Deserialize)]
struct StoredSecrets {
    private_key: String,
    db_password: String,
}

/// The member's secrets, opened.
pub(crate) struct MemberSecrets {
    pub key: MemberKey,
    pub db_password: SecretString,
}

/// The last chain head this client saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SeenHead {
    pub seq: u64,
    pub hash: String,
}

/// Whether `path` is a team profile (a vault file is not).
pub fn is_team_profile(path: &Path) -> bool {
    path.is_file()
        && SqliteStore::open(path)
            .and_then(|store| store.meta(META_TEAM))
            .is_ok_and(|team| team.is_some())
}

/// The team's CA file beside the profile.
pub fn ca_file(profile: &Path) -> PathBuf {
    let mut name = profile.as_os_str().to_owned();
    name.push(".ca.pem");
    PathBuf::from(name)
}

/// Writes a new profile at `path` (refusing an existing file): a header for `password`,
/// the team's particulars and the member's sealed secrets. Returns the profile key.
pub(crate) fn create(
    path: &Path,
    password: &SecretString,
    kdf: KdfParams,
    info: &TeamInfo,
    secrets: &MemberSecrets,
) -> Result<Key256> {
    if path.exists() {
        return Err(Error::VaultExists(path.display().to_string()));
    }
    let (header, profile_key) = sallyport_core::vault::new_header_records(password, kdf)?;
    let team = serde_json::to_vec(info).map_err(|e| Error::Storage(e.to_string()))?;
    let sealed = seal_secrets(&profile_key, &info.team_id, secrets)?;
    let mut store = SqliteStore::create(path)?;
    let written = store.write(&mut |tx| {
        for (key, value) in &header {
            tx.put_meta(key, value)?;
        }
        tx.put_meta(META_TEAM, &team)?;
        tx.put_meta(META_SECRETS, &sealed)
    });
    let ca = ca_file(path);
    let written = written.and_then(|()| {
        let mut file = sallyport_core::private_fs::create_or_replace(&ca)?;
        std::io::Write::write_all(&mut file, info.ca_pem.as_bytes()).map_err(|e| Error::Io {
            path: ca.clone(),
            source: e,
        })
    });
    if let Err(e) = written {
        drop(store);
        let _ = std::fs::remove_file(path);
        let _ = std::fs::remove_file(&ca);
        return Err(e);
    }
    Ok(profile_key)
}

/// The team particulars of a profile.
pub(crate) fn read_info(store: &dyn StoreRead) -> Result<TeamInfo> {
    let bytes = store
        .meta(META_TEAM)?
        .ok_or_else(|| Error::Integrity("the profile names no team".into()))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| Error::Integrity("the profile's team particulars are unreadable".into()))
}

fn secrets_binding(team_id: &str) -> Vec<u8> {
    [
        b"sallyport-team-profile-secrets\0".as_slice(),
        team_id.as_bytes(),
    ]
    .concat()
}

fn seal_secrets(profile_key: &Key256, team_id: &str, secrets: &MemberSecrets) -> Result<Vec<u8>> {
    let mut stored = StoredSecrets {
        private_key: hex::encode(secrets.key.secret_bytes().as_slice()),
        db_password: secrets.db_password.expose().to_owned(),
    };
    let plain = serde_json::to_vec(&stored).map(Zeroizing::new);
    // clear intermediates
    stored.private_key.zeroize();
    stored.db_password.zeroize();
    let plain = plain.map_err(|e| Error::Storage(e.to_string()))?;
    crypto::seal(profile_key, &secrets_binding(team_id), &plain)
}

/// Opens the member's secrets with the profile key; a wrong key is an integrity error.
pub(crate) fn open_secrets(
    store: &dyn StoreRead,
    profile_key: &Key256,
    team_id: &str,
) -> Result<MemberSecrets> {
    let refused =
        || Error::Integrity("the profile's member secrets do not open with this key".into());
    let sealed = store
        .meta(META_SECRETS)?
        .ok_or_else(|| Error::Integrity("the profile holds no member secrets".into()))?;
    let plain =
        crypto::open(profile_key, &secrets_binding(team_id), &sealed).ok_or_else(refused)?;
    let stored: StoredSecrets = serde_json::from_slice(&plain).map_err(|_| refused())?;
    let stored_key = Zeroizing::new(stored.private_key);
    let password = SecretString::new(stored.db_password);
    let mut bytes = Zeroizing::new([0u8; 32]);
    hex::decode_to_slice(stored_key.as_str(), bytes.as_mut()).map_err(|_| refused())?;
    Ok(MemberSecrets {
        key: MemberKey::from_bytes(*bytes),
        db_password: password,
    })
}

fn seen_binding(team_id: &str) -> Vec<u8> {
    [
        b"sallyport-team-audit-seen\0".as_slice(),
        team_id.as_bytes(),
    ]
    .concat()
}

/// The last head this client saw, if it saw one (sealed, so that it is not edited unseen).
pub(crate) fn read_seen(
    store: &dyn StoreRead,
    profile_key: &Key256,
    team_id: &str,
) -> Result<Option<SeenHead>> {
    let Some(sealed) = store.meta(META_SEEN)? else {
        return Ok(None);
    };
    let plain = crypto::open(profile_key, &seen_binding(team_id), &sealed).ok_or_else(|| {
        Error::Integrity("the profile's remembered audit head was altered".into())
    })?;
    serde_json::from_slice(&plain)
        .map(Some)
        .map_err(|_| Error::Integrity("the profile's remembered audit head is unreadable".into()))
}

/// The sealed record of a head, to be written as `audit_seen`.
pub(crate) fn sealed_seen(
    profile_key: &Key256,
    team_id: &str,
    head: &SeenHead,
) -> Result<(&'static str, Vec<u8>)> {
    let plain = serde_json::to_vec(head).map_err(|e| Error::Storage(e.to_string()))?;
    Ok((
        META_SEEN,
        crypto::seal(profile_key, &seen_binding(team_id), &plain)?,
    ))
}
