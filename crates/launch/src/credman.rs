//! Windows Credential Manager, the way mstsc reads saved passwords: domain-password
//! credentials for `TERMSRV/<host>` and for the gateway host. The only `unsafe` code in
//! Sallyport's launch path: four documented Win32 calls (`CredReadW`, `CredWriteW`,
//! `CredDeleteW`, `CredFree`) with buffers that outlive them. What to write, keep and put
//! back is decided in `credentials.rs`; this file only moves a [`Credential`] in and out.
//!
//! Built for `x86_64-pc-windows-gnu` by `scripts/windows.sh build` and run under Wine by
//! `scripts/windows.sh test` (`tests/windows/run.sh`).

#![allow(unsafe_code)]

use windows_sys::Win32::Foundation::{GetLastError, ERROR_NOT_FOUND, FILETIME};
use windows_sys::Win32::Security::Credentials::{
    CredDeleteW, CredFree, CredReadW, CredWriteW, CREDENTIALW, CREDENTIAL_ATTRIBUTEW,
    CRED_FLAGS_PROMPT_NOW, CRED_FLAGS_USERNAME_TARGET, CRED_TYPE_DOMAIN_PASSWORD,
};
use zeroize::{Zeroize, Zeroizing};

use crate::credentials::{Attribute, Credential, CredentialStore};

/// The logged-on user's Credential Manager.
pub(crate) struct CredentialManager;

/// `text` as a NUL-terminated UTF-16 buffer.
fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// A NUL-terminated copy of UTF-16 text (null pointer for `None`, see [`ptr_or_null`]).
fn terminated(text: &[u16]) -> Vec<u16> {
    text.iter().copied().chain(std::iter::once(0)).collect()
}

fn ptr_or_null(buffer: &mut Option<Vec<u16>>) -> *mut u16 {
    buffer
        .as_mut()
        .map_or(std::ptr::null_mut(), |b| b.as_mut_ptr())
}

fn last_error(call: &str, target: &str) -> String {
    format!(
        "{call} for {target} failed ({})",
        std::io::Error::last_os_error()
    )
}

/// The UTF-16 text at `text` up to its NUL, `None` for a null pointer.
///
/// # Safety
/// `text` is null or points to a NUL-terminated UTF-16 string.
unsafe fn copy_text(text: *const u16) -> Option<Vec<u16>> {
    if text.is_null() {
        return None;
    }
    let mut len = 0;
    // SAFETY: the caller guarantees a NUL within the string, so every read is in bounds.
    while unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    // SAFETY: `len` u16s from `text` were just read.
    Some(unsafe { std::slice::from_raw_parts(text, len) }.to_vec())
}

/// A copy of `size` bytes at `data` (empty for a null pointer), after which the original
/// is wiped.
///
/// # Safety
/// `data` is null or points to `size` writable bytes.
unsafe fn take_bytes(data: *mut u8, size: u32) -> Zeroizing<Vec<u8>> {
    if data.is_null() || size == 0 {
        return Zeroizing::new(Vec::new());
    }
    // SAFETY: the caller guarantees `size` writable bytes at `data`.
    let bytes = unsafe { std::slice::from_raw_parts_mut(data, size as usize) };
    let copy = Zeroizing::new(bytes.to_vec());
    bytes.zeroize();
    copy
}

impl CredentialStore for CredentialManager {
    fn read(&self, target: &str) -> Result<Option<Credential>, String> {
        let target_w = wide(target);
        let mut found: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: `target_w` is NUL-terminated and outlives the call; `found` is a valid
        // place for the pointer CredReadW allocates.
        let ok = unsafe { CredReadW(target_w.as_ptr(), CRED_TYPE_DOMAIN_PASSWORD, 0, &mut found) };
        if ok == 0 {
            // SAFETY: no other call since CredReadW.
            return match unsafe { GetLastError() } {
                ERROR_NOT_FOUND => Ok(None),
                _ => Err(last_error("CredReadW", target)),
            };
        }
        // SAFETY: CredReadW succeeded, so `found` points to a CREDENTIALW whose strings are
        // NUL-terminated or null, whose blob has CredentialBlobSize bytes and whose
        // attribute array has AttributeCount entries, all in one buffer we own until
        // CredFree (the blob and attribute values are wiped before that).
        let credential = unsafe {
            let c = &*found;
            let attributes = if c.Attributes.is_null() {
                Vec::new()
            } else {
                std::slice::from_raw_parts(c.Attributes, c.AttributeCount as usize)
                    .iter()
                    .map(|a| Attribute {
                        keyword: copy_text(a.Keyword).unwrap_or_default(),
                        flags: a.Flags,
                        value: take_bytes(a.Value, a.ValueSize),
                    })
                    .collect()
            };
            let credential = Credential {
                target: copy_text(c.TargetName).unwrap_or_else(|| target.encode_utf16().collect()),
                flags: c.Flags,
                persist: c.Persist,
                comment: copy_text(c.Comment),
                target_alias: copy_text(c.TargetAlias),
                username: copy_text(c.UserName),
                blob: take_bytes(c.CredentialBlob, c.CredentialBlobSize),
                attributes,
            };
            CredFree(found.cast());
            credential
        };
        Ok(Some(credential))
    }

    fn write(&self, credential: &Credential) -> Result<(), String> {
        let target = String::from_utf16_lossy(&credential.target);
        let mut target_w = terminated(&credential.target);
        let mut comment = credential.comment.as_deref().map(terminated);
        let mut alias = credential.target_alias.as_deref().map(terminated);
        let mut username = credential.username.as_deref().map(terminated);
        // Copies of the secret parts, wiped when dropped (CredWriteW takes mutable pointers).
        let mut blob = credential.blob.clone();
        let mut keywords: Vec<Vec<u16>> = credential
            .attributes
            .iter()
            .map(|a| terminated(&a.keyword))
            .collect();
        let mut values: Vec<Zeroizing<Vec<u8>>> = credential
            .attributes
            .iter()
            .map(|a| a.value.clone())
            .collect();
        let mut attributes: Vec<CREDENTIAL_ATTRIBUTEW> = credential
            .attributes
            .iter()
            .zip(keywords.iter_mut().zip(values.iter_mut()))
            .map(|(a, (keyword, value))| CREDENTIAL_ATTRIBUTEW {
                Keyword: keyword.as_mut_ptr(),
                Flags: a.flags,
                ValueSize: value.len() as u32,
                Value: value.as_mut_ptr(),
            })
            .collect();
        let raw = CREDENTIALW {
            // Only these two flags may be written; the others are the system's to set.
            Flags: credential.flags & (CRED_FLAGS_PROMPT_NOW | CRED_FLAGS_USERNAME_TARGET),
            Type: CRED_TYPE_DOMAIN_PASSWORD,
            TargetName: target_w.as_mut_ptr(),
            Comment: ptr_or_null(&mut comment),
            LastWritten: FILETIME {
                dwLowDateTime: 0,
                dwHighDateTime: 0,
            },
            CredentialBlobSize: blob.len() as u32,
            CredentialBlob: if blob.is_empty() {
                std::ptr::null_mut()
            } else {
                blob.as_mut_ptr()
            },
            Persist: credential.persist,
            AttributeCount: attributes.len() as u32,
            Attributes: if attributes.is_empty() {
                std::ptr::null_mut()
            } else {
                attributes.as_mut_ptr()
            },
            TargetAlias: ptr_or_null(&mut alias),
            UserName: ptr_or_null(&mut username),
        };
        // SAFETY: every pointer in `raw` (and in `attributes`) is null or points into a
        // buffer owned by this function that lives until after the call, strings
        // NUL-terminated, sizes matching; CredWriteW copies what it needs.
        let ok = unsafe { CredWriteW(&raw, 0) };
        if ok == 0 {
            return Err(last_error("CredWriteW", &target));
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
