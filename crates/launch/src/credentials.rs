//! Lending a password to the client through a credential store keyed by target name
//! (Windows Credential Manager: `TERMSRV/<host>`, the gateway host), without taking
//! anything away from the user:
//!
//! - A credential the user had saved under the same target is read first and written back,
//!   as it was, when the lease ends. It is held only in this process's memory (zeroized
//!   when dropped), never in a file.
//! - Sallyport's own credential carries [`MARK`] as its comment and session persistence. A
//!   marked credential found under a target (a concurrent launch in another process, or one
//!   a crashed process left) is never mistaken for the user's.
//! - Leases on the same target overlap (two quick Connects to one host): the first one
//!   saves the user's credential, the last one to end restores it or deletes Sallyport's.
//! - Ending a lease deletes only a marked credential: one the user saved meanwhile (mstsc's
//!   "Remember me") stays.
//!
//! The store itself is a trait, so this logic is tested on every OS with an in-memory
//! store; `credman.rs` is the Windows one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use sallyport_core::SecretString;
use zeroize::Zeroizing;

/// The comment on every credential Sallyport writes.
pub(crate) const MARK: &str = "Sallyport: for one connection, removed once the client has read it";

/// `CRED_PERSIST_SESSION`: gone at log-off at the latest.
pub(crate) const PERSIST_SESSION: u32 = 1;

/// One domain-password credential as the store holds it, every field kept as it was read
/// (UTF-16 text without its terminator), so that putting it back changes nothing. The
/// password blob and attribute values are wiped when dropped and never printed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    pub target: Vec<u16>,
    pub flags: u32,
    pub persist: u32,
    pub comment: Option<Vec<u16>>,
    pub target_alias: Option<Vec<u16>>,
    pub username: Option<Vec<u16>>,
    pub blob: Zeroizing<Vec<u8>>,
    pub attributes: Vec<Attribute>,
}

/// An application-defined attribute of a credential.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Attribute {
    pub keyword: Vec<u16>,
    pub flags: u32,
    pub value: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credential")
            .field("target", &String::from_utf16_lossy(&self.target))
            .field("persist", &self.persist)
            .field("ours", &self.is_ours())
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// Sallyport's credential for one launch: `username` and `password` for `target`,
    /// session persistence, marked.
    pub fn ours(target: &str, username: &str, password: &SecretString) -> Self {
        Self {
            target: target.encode_utf16().collect(),
            flags: 0,
            persist: PERSIST_SESSION,
            comment: Some(MARK.encode_utf16().collect()),
            target_alias: None,
            username: Some(username.encode_utf16().collect()),
            // The password in UTF-16LE without a terminator, as mstsc reads it.
            blob: Zeroizing::new(
                password
                    .expose()
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes)
                    .collect(),
            ),
            attributes: Vec::new(),
        }
    }

    /// Written by Sallyport (carries [`MARK`]).
    pub fn is_ours(&self) -> bool {
        self.comment
            .as_deref()
            .is_some_and(|c| c.iter().copied().eq(MARK.encode_utf16()))
    }
}

/// Where credentials live, by target name (domain-password type only). Errors are one
/// line, never with a password.
pub(crate) trait CredentialStore: Send + Sync {
    /// The credential under `target`, `None` when there is none.
    fn read(&self, target: &str) -> Result<Option<Credential>, String>;
    /// Creates or replaces the credential under `credential.target`.
    fn write(&self, credential: &Credential) -> Result<(), String>;
    /// Deletes the credential under `target`; none there is not an error.
    fn delete(&self, target: &str) -> Result<(), String>;
}

/// A target lent out: the user's credential it replaced, and how many leases are open.
struct Held {
    leases: usize,
    original: Option<Credential>,
}

/// Lends targets of one store; one per store and process (see [`crate::credential_manager`]).
pub(crate) struct Lender {
    store: Box<dyn CredentialStore>,
    held: Mutex<HashMap<String, Held>>,
}

/// One open lease; ending it (dropping it) restores the target. See the module notes.
pub(crate) struct Lease {
    lender: &'static Lender,
    target: String,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("target", &self.target)
            .finish()
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.lender.release(&self.target);
    }
}

impl Lender {
    #[cfg_attr(not(any(windows, test)), allow(dead_code))]
    pub fn new(store: Box<dyn CredentialStore>) -> Self {
        Self {
            store,
            held: Mutex::new(HashMap::new()),
        }
    }

    /// Stores `username` / `password` under `target` until the returned lease is dropped.
    /// On an error nothing has changed: a credential that cannot be read (and so could not
    /// be put back) is not replaced.
    pub fn lend(
        &'static self,
        target: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<Lease, String> {
        let key = key(target);
        let ours = Credential::ours(target, username, password);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        match held.get_mut(&key) {
            Some(open) => {
                self.store.write(&ours)?;
                open.leases += 1;
            }
            None => {
                let before = self.store.read(target)?;
                self.store.write(&ours)?;
                held.insert(
                    key.clone(),
                    Held {
                        leases: 1,
                        original: before.filter(|c| !c.is_ours()),
                    },
                );
            }
        }
        Ok(Lease {
            lender: self,
            target: target.to_owned(),
        })
    }

    /// Ends one lease on `target`; the last one puts the user's credential back, or deletes
    /// Sallyport's. Best effort: if writing the user's back fails, Sallyport's is deleted
    /// all the same, so that the password does not stay.
    fn release(&self, target: &str) {
        let key = key(target);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(open) = held.get_mut(&key) else {
            return;
        };
        open.leases -= 1;
        if open.leases > 0 {
            return;
        }
        let original = held.remove(&key).and_then(|h| h.original);
        let restored = original.is_some_and(|c| self.store.write(&c).is_ok());
        if !restored {
            self.delete_if_ours(target);
        }
    }

    /// Deletes the credential under `target` unless it is one the user saved (also when it
    /// cannot be read: a password left behind is the worse mistake).
    fn delete_if_ours(&self, target: &str) {
        let users = matches!(self.store.read(target), Ok(Some(c)) if !c.is_ours());
        if !users {
            let _ = self.store.delete(target);
        }
    }
}

/// Target names are case-insensitive in Credential Manager.
fn key(target: &str) -> String {
    target.to_lowercase()
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use super::*;

    /// An in-memory store that can be told to fail.
    #[derive(Default)]
    pub struct FakeStore {
        pub creds: Mutex<HashMap<String, Credential>>,
        /// Writes of these targets (Sallyport's, not the user's) fail.
        pub fail_write: Mutex<Vec<String>>,
        pub fail_read: Mutex<bool>,
    }

    impl FakeStore {
        pub fn get(&self, target: &str) -> Option<Credential> {
            self.creds.lock().unwrap().get(&key(target)).cloned()
        }
        pub fn is_empty(&self) -> bool {
            self.creds.lock().unwrap().is_empty()
        }
        pub fn put(&self, credential: Credential) {
            let target = String::from_utf16(&credential.target).unwrap();
            self.creds.lock().unwrap().insert(key(&target), credential);
        }
    }

    impl CredentialStore for Arc<FakeStore> {
        fn read(&self, target: &str) -> Result<Option<Credential>, String> {
            if *self.fail_read.lock().unwrap() {
                return Err(format!("cannot read {target}"));
            }
            Ok(self.get(target))
        }
        fn write(&self, credential: &Credential) -> Result<(), String> {
            let target = String::from_utf16(&credential.target).unwrap();
            if credential.is_ours() && self.fail_write.lock().unwrap().contains(&target) {
                return Err(format!("cannot write {target}"));
            }
            self.put(credential.clone());
            Ok(())
        }
        fn delete(&self, target: &str) -> Result<(), String> {
            self.creds.lock().unwrap().remove(&key(target));
            Ok(())
        }
    }

    /// A lender over a fresh fake store (leaked: leases need a `'static` lender).
    pub fn lender() -> (&'static Lender, Arc<FakeStore>) {
        let store = Arc::new(FakeStore::default());
        let lender = Box::leak(Box::new(Lender::new(Box::new(Arc::clone(&store)))));
        (lender, store)
    }

    /// What a user might have saved themselves (mstsc's "Remember me").
    pub fn users(target: &str) -> Credential {
        Credential {
            target: target.encode_utf16().collect(),
            flags: 0,
            persist: 2, // CRED_PERSIST_LOCAL_MACHINE
            comment: Some("my own".encode_utf16().collect()),
            target_alias: None,
            username: Some("ME\\myself".encode_utf16().collect()),
            blob: Zeroizing::new(b"u\0s\0e\0r\0".to_vec()),
            attributes: vec![Attribute {
                keyword: "k".encode_utf16().collect(),
                flags: 0,
                value: Zeroizing::new(vec![1, 2, 3]),
            }],
        }
    }

    fn password() -> SecretString {
        SecretString::from("Canary-Pass-1")
    }

    #[test]
    fn a_lease_stores_the_password_and_leaves_nothing() {
        let (lender, store) = lender();
        let lease = lender
            .lend("TERMSRV/h.example", "vendor", &password())
            .unwrap();
        let stored = store.get("TERMSRV/h.example").unwrap();
        assert!(stored.is_ours());
        assert_eq!(stored.persist, PERSIST_SESSION);
        assert_eq!(*stored.blob, *Credential::ours("x", "y", &password()).blob);
        assert_eq!(
            stored.username.as_deref(),
            Some(&*"vendor".encode_utf16().collect::<Vec<_>>())
        );
        drop(lease);
        assert!(store.is_empty());
    }

    #[test]
    fn the_users_own_credential_is_put_back_as_it_was() {
        let (lender, store) = lender();
        store.put(users("TERMSRV/h.example"));
        let lease = lender
            .lend("termsrv/H.example", "vendor", &password())
            .unwrap();
        assert!(store.get("TERMSRV/h.example").unwrap().is_ours());
        drop(lease);
        assert_eq!(
            store.get("TERMSRV/h.example"),
            Some(users("TERMSRV/h.example"))
        );
    }

    #[test]
    fn overlapping_leases_restore_once_the_last_ends() {
        let (lender, store) = lender();
        store.put(users("TERMSRV/h"));
        let first = lender.lend("TERMSRV/h", "vendor", &password()).unwrap();
        let second = lender.lend("TERMSRV/h", "other", &password()).unwrap();
        drop(first);
        assert!(store.get("TERMSRV/h").unwrap().is_ours());
        drop(second);
        assert_eq!(store.get("TERMSRV/h"), Some(users("TERMSRV/h")));
    }

    #[test]
    fn a_marked_credential_found_is_not_taken_for_the_users() {
        let (lender, store) = lender();
        // Left by another process's launch (still running, or crashed).
        store.put(Credential::ours("TERMSRV/h", "vendor", &password()));
        drop(lender.lend("TERMSRV/h", "vendor", &password()).unwrap());
        assert!(store.is_empty());
    }

    #[test]
    fn a_credential_the_user_saved_meanwhile_stays() {
        let (lender, store) = lender();
        let lease = lender.lend("TERMSRV/h", "vendor", &password()).unwrap();
        store.put(users("TERMSRV/h"));
        drop(lease);
        assert_eq!(store.get("TERMSRV/h"), Some(users("TERMSRV/h")));
    }

    #[test]
    fn what_cannot_be_read_is_not_replaced() {
        let (lender, store) = lender();
        store.put(users("TERMSRV/h"));
        *store.fail_read.lock().unwrap() = true;
        assert!(lender.lend("TERMSRV/h", "vendor", &password()).is_err());
        *store.fail_read.lock().unwrap() = false;
        assert_eq!(store.get("TERMSRV/h"), Some(users("TERMSRV/h")));
    }

    #[test]
    fn a_failed_write_changes_nothing() {
        let (lender, store) = lender();
        store.put(users("TERMSRV/h"));
        store.fail_write.lock().unwrap().push("TERMSRV/h".into());
        let error = lender.lend("TERMSRV/h", "vendor", &password()).unwrap_err();
        assert!(!error.contains("Canary"));
        assert_eq!(store.get("TERMSRV/h"), Some(users("TERMSRV/h")));
        // And nothing is held: a later lease saves the user's again.
        store.fail_write.lock().unwrap().clear();
        drop(lender.lend("TERMSRV/h", "vendor", &password()).unwrap());
        assert_eq!(store.get("TERMSRV/h"), Some(users("TERMSRV/h")));
    }

    #[test]
    fn debug_never_shows_the_password() {
        let shown = format!("{:?}", Credential::ours("TERMSRV/h", "vendor", &password()));
        assert!(
            !shown.contains("Canary") && !shown.contains("67, 0"),
            "{shown}"
        );
    }
}
