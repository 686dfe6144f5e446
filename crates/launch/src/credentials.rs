//! Lending a password to the client through a credential store keyed by target name
//! (Windows Credential Manager: `TERMSRV/<host>`, the gateway host), without taking
//! anything away from the user:
//!
//! - A credential the user saved under a target (mstsc's "Remember me") is left alone: the
//!   client uses it for that target, and the caller is told so. It could not be put back
//!   as it was: Windows does not let an application read the password of a domain-password
//!   credential (only the authentication packages can), so reading it first and writing it
//!   back afterwards would save it without its password. (Wine does return the password,
//!   which is why a read-and-restore looks right under Wine and is wrong on Windows.)
//! - Sallyport's own credential carries [`MARK`] as its comment and session persistence. A
//!   marked credential found under a target (a concurrent launch in another process, or one
//!   a crashed process left) is Sallyport's to replace and delete, never mistaken for the
//!   user's.
//! - Leases on the same target overlap (two quick Connects to one host): the last one to
//!   end deletes the credential.
//! - Ending a lease deletes only a marked credential: one the user saved meanwhile stays.
//!
//! The store itself is a trait, so this logic is tested on every OS with an in-memory
//! store; `credman.rs` is the Windows one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use sallyport_core::SecretString;

/// The comment on every credential Sallyport writes.
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
pub(crate) const MARK: &str = "Sallyport: for one connection, removed once the client has read it";

/// What is stored under a target, as far as an application may read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Written by Sallyport (its comment is [`MARK`]).
    pub ours: bool,
    /// The user name stored with it (empty when none).
    pub username: String,
}

/// Where credentials live, by target name (domain-password type only). Errors are one
/// line, never with a password.
pub(crate) trait CredentialStore: Send + Sync {
    /// What is stored under `target`, `None` when nothing is.
    fn find(&self, target: &str) -> Result<Option<Found>, String>;
    /// Creates or replaces the credential under `target` with Sallyport's: `username`,
    /// `password`, comment [`MARK`], for this logon session only.
    fn write_ours(
        &self,
        target: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<(), String>;
    /// Deletes the credential under `target`; none there is not an error.
    fn delete(&self, target: &str) -> Result<(), String>;
}

/// Lends targets of one store; one per store and process (see [`crate::credential_manager`]).
pub(crate) struct Lender {
    store: Box<dyn CredentialStore>,
    /// Targets Sallyport's credential is under now, with their open leases.
    held: Mutex<HashMap<String, usize>>,
}

/// What lending a target gave.
#[derive(Debug)]
pub(crate) enum Lent {
    /// Sallyport's credential is under the target until the lease is dropped.
    Ours(Lease),
    /// The user's own credential is there and was left alone; the client will use it.
    Users(Found),
}

/// One open lease; ending it (dropping it) deletes Sallyport's credential once no other
/// lease on the target is open.
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

    /// Stores `username` / `password` under `target` until the returned lease is dropped,
    /// unless the user's own credential is there (see the module notes). On an error
    /// nothing has changed.
    pub fn lend(
        &'static self,
        target: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<Lent, String> {
        let key = key(target);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(leases) = held.get_mut(&key) {
            self.store.write_ours(target, username, password)?;
            *leases += 1;
        } else {
            if let Some(found) = self.store.find(target)?.filter(|f| !f.ours) {
                return Ok(Lent::Users(found));
            }
            self.store.write_ours(target, username, password)?;
            held.insert(key, 1);
        }
        Ok(Lent::Ours(Lease {
            lender: self,
            target: target.to_owned(),
        }))
    }

    /// Ends one lease on `target`; the last one deletes Sallyport's credential (only a
    /// marked one, or one that cannot be read: a password left behind is the worse mistake).
    fn release(&self, target: &str) {
        let key = key(target);
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(leases) = held.get_mut(&key) else {
            return;
        };
        *leases -= 1;
        if *leases > 0 {
            return;
        }
        held.remove(&key);
        let users = matches!(self.store.find(target), Ok(Some(found)) if !found.ours);
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
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::sync::Arc;

    use super::*;

    /// A stored credential as the fake keeps it (the password too, to check it).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Stored {
        pub username: String,
        pub password: String,
        pub comment: String,
    }

    /// An in-memory store that can be told to fail.
    #[derive(Default)]
    pub struct FakeStore {
        creds: Mutex<HashMap<String, Stored>>,
        /// Writes of these targets fail.
        pub fail_write: Mutex<Vec<String>>,
        pub fail_find: Mutex<bool>,
    }

    impl FakeStore {
        pub fn get(&self, target: &str) -> Option<Stored> {
            self.creds.lock().unwrap().get(&key(target)).cloned()
        }
        pub fn is_empty(&self) -> bool {
            self.creds.lock().unwrap().is_empty()
        }
        /// What a user saved themselves (mstsc's "Remember me").
        pub fn plant_users(&self, target: &str) {
            self.creds.lock().unwrap().insert(key(target), users());
        }
    }

    pub fn users() -> Stored {
        Stored {
            username: "ME\\myself".into(),
            password: "User-Own-1".into(),
            comment: "my own".into(),
        }
    }

    pub fn ours(username: &str) -> Stored {
        Stored {
            username: username.into(),
            password: "Canary-Pass-1".into(),
            comment: MARK.into(),
        }
    }

    impl CredentialStore for Arc<FakeStore> {
        fn find(&self, target: &str) -> Result<Option<Found>, String> {
            if *self.fail_find.lock().unwrap() {
                return Err(format!("cannot read {target}"));
            }
            Ok(self.get(target).map(|s| Found {
                ours: s.comment == MARK,
                username: s.username,
            }))
        }
        fn write_ours(
            &self,
            target: &str,
            username: &str,
            password: &SecretString,
        ) -> Result<(), String> {
            if self.fail_write.lock().unwrap().iter().any(|t| t == target) {
                return Err(format!("cannot write {target}"));
            }
            let stored = Stored {
                username: username.into(),
                password: password.expose().into(),
                comment: MARK.into(),
            };
            self.creds.lock().unwrap().insert(key(target), stored);
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

    fn password() -> SecretString {
        SecretString::from("Canary-Pass-1")
    }

    fn lease(lent: Lent) -> Lease {
        match lent {
            Lent::Ours(lease) => lease,
            Lent::Users(found) => panic!("the user's credential was found: {found:?}"),
        }
    }

    #[test]
    fn a_lease_stores_the_password_and_leaves_nothing() {
        let (lender, store) = lender();
        let lent = lender.lend("TERMSRV/h.example", "vendor", &password());
        let lease = lease(lent.unwrap());
        assert_eq!(store.get("TERMSRV/h.example"), Some(ours("vendor")));
        drop(lease);
        assert!(store.is_empty());
    }

    #[test]
    fn the_users_own_credential_is_left_alone() {
        let (lender, store) = lender();
        store.plant_users("TERMSRV/h.example");
        let lent = lender.lend("termsrv/H.example", "vendor", &password());
        let Ok(Lent::Users(found)) = lent else {
            panic!("{lent:?}");
        };
        assert_eq!(found.username, "ME\\myself");
        assert_eq!(store.get("TERMSRV/h.example"), Some(users()));
    }

    #[test]
    fn overlapping_leases_delete_once_the_last_ends() {
        let (lender, store) = lender();
        let first = lease(lender.lend("TERMSRV/h", "vendor", &password()).unwrap());
        let second = lease(lender.lend("TERMSRV/h", "other", &password()).unwrap());
        assert_eq!(store.get("TERMSRV/h"), Some(ours("other")));
        drop(first);
        assert_eq!(store.get("TERMSRV/h"), Some(ours("other")));
        drop(second);
        assert!(store.is_empty());
    }

    #[test]
    fn a_marked_credential_found_is_replaced_and_deleted() {
        let (lender, store) = lender();
        // Left by another process's launch (still running, or crashed).
        store
            .write_ours("TERMSRV/h", "someone", &SecretString::from("old"))
            .unwrap();
        let lease = lease(lender.lend("TERMSRV/h", "vendor", &password()).unwrap());
        assert_eq!(store.get("TERMSRV/h"), Some(ours("vendor")));
        drop(lease);
        assert!(store.is_empty());
    }

    #[test]
    fn a_credential_the_user_saved_meanwhile_stays() {
        let (lender, store) = lender();
        let lease = lease(lender.lend("TERMSRV/h", "vendor", &password()).unwrap());
        store.plant_users("TERMSRV/h");
        drop(lease);
        assert_eq!(store.get("TERMSRV/h"), Some(users()));
    }

    #[test]
    fn what_cannot_be_read_is_not_replaced() {
        let (lender, store) = lender();
        store.plant_users("TERMSRV/h");
        *store.fail_find.lock().unwrap() = true;
        assert!(lender.lend("TERMSRV/h", "vendor", &password()).is_err());
        *store.fail_find.lock().unwrap() = false;
        assert_eq!(store.get("TERMSRV/h"), Some(users()));
    }

    #[test]
    fn a_failed_write_changes_nothing_and_holds_nothing() {
        let (lender, store) = lender();
        store.fail_write.lock().unwrap().push("TERMSRV/h".into());
        let error = lender.lend("TERMSRV/h", "vendor", &password()).unwrap_err();
        assert!(!error.contains("Canary"));
        assert!(store.is_empty());
        store.fail_write.lock().unwrap().clear();
        drop(lease(
            lender.lend("TERMSRV/h", "vendor", &password()).unwrap(),
        ));
        assert!(store.is_empty());
    }
}
