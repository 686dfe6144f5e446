//! Windows Credential Manager, the way mstsc reads saved passwords: a domain-password
//! credential for `TERMSRV/<host>` (and for the gateway host). The only `unsafe` code in
//! Sallyport's launch path: two documented Win32 calls with buffers that outlive them.
//!
//! Not compiled or tested on the Linux CI machine; see the crate notes.

#![allow(unsafe_code)]

use sallyport_core::SecretString;
use windows_sys::Win32::Security::Credentials::{
    CredDeleteW, CredWriteW, CREDENTIALW, CRED_PERSIST_SESSION, CRED_TYPE_DOMAIN_PASSWORD,
};
use zeroize::Zeroizing;

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

/// Saves `username` / `password` for `target` for this logon session only.
pub fn write(target: &str, username: &str, password: &SecretString) -> Result<(), String> {
    let mut target_w = wide(target);
    let mut user_w = wide(username);
    // The blob is the password in UTF-16 without a terminator; wiped when dropped.
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
        Comment: std::ptr::null_mut(),
        LastWritten: unsafe { std::mem::zeroed() },
        CredentialBlobSize: blob.len() as u32,
        CredentialBlob: blob.as_mut_ptr(),
        Persist: CRED_PERSIST_SESSION,
        AttributeCount: 0,
        Attributes: std::ptr::null_mut(),
        TargetAlias: std::ptr::null_mut(),
        UserName: user_w.as_mut_ptr(),
    };
    // SAFETY: every pointer in `credential` points into a buffer owned by this function
    // that lives until after the call; CredWriteW copies what it needs.
    let ok = unsafe { CredWriteW(&credential, 0) };
    if ok == 0 {
        return Err(format!(
            "CredWriteW for {target} failed ({})",
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Deletes the credential for `target` (best effort).
pub fn delete(target: &str) {
    let target_w = wide(target);
    // SAFETY: `target_w` is a NUL-terminated UTF-16 string that outlives the call.
    unsafe {
        CredDeleteW(target_w.as_ptr(), CRED_TYPE_DOMAIN_PASSWORD, 0);
    }
}
