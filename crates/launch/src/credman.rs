//! Windows Credential Manager, the way mstsc reads saved passwords: domain-password
//! credentials for `TERMSRV/<host>` and for the gateway host. The only `unsafe` code in
//! Sallyport's launch path: four documented Win32 calls (`CredReadW`, `CredWriteW`,
//! `CredDeleteW`, `CredFree`) with buffers that outlive them. What to write and when to
//! delete is decided in `credentials.rs`.
//!
//! Built for `x86_64-pc-windows-gnu` by `scripts/windows.sh build` and run under Wine by
//! `scripts/windows.sh test` (`tests/windows/run.sh`).

#![allow(unsafe_code)]

use sallyport_core::SecretString;
use windows_sys::Win32::Foundation::{GetLastError, ERROR_NOT_FOUND, FILETIME};
use windows_sys::Win32::Security::Credentials::{
    CredDeleteW, CredFree, CredReadW, CredWriteW, CREDENTIALW, CRED_PERSIST_SESSION,
    CRED_TYPE_DOMAIN_PASSWORD,
};
use zeroize::Zeroizing;

use crate::credentials::{CredentialStore, Found, MARK};

/// The logged-on user's Credential Manager.
pub(crate) struct CredentialManager;

/// `text` as a NUL-terminated UTF-16 buffer.
fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

fn last_error(call: &str, target: &str) -> String {
    format!(
        "{call} for {target} failed ({})",
        std::io::Error::last_os_error()
    )
}

/// The UTF-16 text at `text` up to its NUL (empty for a null pointer).
///
/// # Safety
/// `text` is null or points to a NUL-terminated UTF-16 string.
unsafe fn text_at(text: *const u16) -> String {
    if text.is_null() {
        return String::new();
    }
    let mut len = 0;
    // SAFETY: the caller guarantees a NUL within the string, so every read is in bounds.
    while unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` u16s from `text` were just read.
    String::from_utf16_lossy(unsafe { std::slice::from_raw_parts(text, len) })
}

impl CredentialStore for CredentialManager {
    fn find(&self, target: &str) -> Result<Option<Found>, String> {
        let target_w = wide(target);
        let mut credential: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: `target_w` is NUL-terminated and outlives the call; `credential` is a
        // valid place for the pointer CredReadW allocates.
        let ok = unsafe {
            CredReadW(
                target_w.as_ptr(),
                CRED_TYPE_DOMAIN_PASSWORD,
                0,
                &mut credential,
            )
        };
        if ok == 0 {
            // SAFETY: no other call since CredReadW.
            return match unsafe { GetLastError() } {
                ERROR_NOT_FOUND => Ok(None),
                _ => Err(last_error("CredReadW", target)),
            };
        }
        // SAFETY: CredReadW succeeded, so `credential` points to a CREDENTIALW whose
        // Comment and UserName are NUL-terminated or null, valid until CredFree, which is
        // called once, after the last read. The password blob is not looked at.
        let found = unsafe {
            let c = &*credential;
            let found = Found {
                ours: text_at(c.Comment) == MARK,
                username: text_at(c.UserName),
            };
            CredFree(credential.cast());
            found
        };
        Ok(Some(found))
    }

    fn write_ours(
        &self,
        target: &str,
        username: &str,
        password: &SecretString,
    ) -> Result<(), String> {
        let mut target_w = wide(target);
        let mut user_w = wide(username);
        let mut comment_w = wide(MARK);
        // The password in UTF-16LE without a terminator, as mstsc reads it; wiped when dropped.
        let mut blob: Zeroizing<Vec<u8>> = Zeroizing::new(
            password
                .expose()
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect(),
        );
        let credential = CREDENTIALW {
            Flags: 0,
            Type: CRED_TYPE_DOMAIN_PASSWORD,
            TargetName: target_w.as_mut_ptr(),
            Comment: comment_w.as_mut_ptr(),
            LastWritten: FILETIME {
                dwLowDateTime: 0,
                dwHighDateTime: 0,
            },
            CredentialBlobSize: u32::try_from(blob.len())
                .map_err(|_| format!("the password for {target} is too long"))?,
            CredentialBlob: blob.as_mut_ptr(),
            Persist: CRED_PERSIST_SESSION,
            AttributeCount: 0,
            Attributes: std::ptr::null_mut(),
            TargetAlias: std::ptr::null_mut(),
            UserName: user_w.as_mut_ptr(),
        };
        // SAFETY: every pointer in `credential` is null or points into a buffer owned by
        // this function that lives until after the call (strings NUL-terminated, the blob
        // CredentialBlobSize bytes long); CredWriteW copies what it needs.
        let ok = unsafe { CredWriteW(&credential, 0) };
        if ok == 0 {
            return Err(last_error("CredWriteW", target));
        }
        Ok(())
    }

    fn delete(&self, target: &str) -> Result<(), String> {
        let target_w = wide(target);
        // SAFETY: `target_w` is a NUL-terminated UTF-16 string that outlives the call.
        let ok = unsafe { CredDeleteW(target_w.as_ptr(), CRED_TYPE_DOMAIN_PASSWORD, 0) };
        // SAFETY: no other call since CredDeleteW.
        if ok == 0 && unsafe { GetLastError() } != ERROR_NOT_FOUND {
            return Err(last_error("CredDeleteW", target));
        }
        Ok(())
    }
}
