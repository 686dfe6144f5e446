//! The encrypted backup as a restore reads it: the header, the AES-256-GCM chunk stream,
//! then the sections (manifest, customer ids, audit events) and the native CSV, previewed
//! into an empty vault. The key is fixed per process (Argon2id once), so the fuzzer works
//! on what is inside the encryption.
//!
//! Input: the backup's plaintext contents (what the stream encrypts); the target encrypts
//! it with the fixed key. An input starting with `!` is instead taken as the sealed stream
//! after the header, as a damaged or forged file would hold it.
//!
//! Properties: decryption returns exactly what was encrypted, however the writes were cut;
//! a stream with a flipped bit, cut short or lengthened is refused, and so is any stream
//! not made with the key; the restore preview gives the same result twice, and its errors
//! (of the file, or of rows) are one line.
#![no_main]

use std::io::{Read, Write};
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use sallyport_core::backup::stream::{Decryptor, Encryptor, HEADER_LEN};
use sallyport_core::fuzzing::preview_restore;
use sallyport_core::import::ImportOptions;
use sallyport_core::Session;
use sallyport_fuzz::{assert_one_line, backup_key, empty_vault};

fn decrypt(file: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    Decryptor::new(Arc::clone(backup_key()), &file[HEADER_LEN..]).read_to_end(&mut out)?;
    Ok(out)
}

fn encrypt(plain: &[u8], cut: usize) -> Vec<u8> {
    let mut encryptor = Encryptor::new(backup_key(), Vec::new()).expect("start a backup");
    for piece in plain.chunks(cut.max(1)) {
        encryptor.write_all(piece).expect("encrypt");
    }
    encryptor.finish().expect("finish the backup")
}

thread_local! {
    /// The empty vault restores are previewed into (a preview writes nothing).
    static SESSION: Session = empty_vault().open().expect("open the vault");
}

fn restore(file: &[u8]) -> String {
    let options = ImportOptions {
        skip_invalid: true,
        ..ImportOptions::default()
    };
    SESSION.with(
        |session| match preview_restore(session, backup_key(), file, options) {
            Ok(plan) => {
                for error in &plan.summary().errors {
                    assert_one_line(&error.reason);
                }
                format!(
                    "{:?} {:?} {}",
                    plan.summary(),
                    plan.manifest(),
                    plan.audit_events()
                )
            }
            Err(e) => {
                assert_one_line(&e.to_string());
                e.to_string()
            }
        },
    )
}

fuzz_target!(|data: &[u8]| {
    let key = backup_key();
    if let Some(sealed) = data.strip_prefix(b"!") {
        let file = [key.header().as_slice(), sealed].concat();
        assert!(
            decrypt(&file).is_err(),
            "a stream not made with the key was accepted"
        );
        let message = restore(&file);
        assert!(message.contains("damaged or cut short"), "{message}");
        return;
    }
    let cut = data.first().map_or(1, |&b| usize::from(b) * 97 + 1);
    let file = encrypt(data, cut);
    assert_eq!(decrypt(&file).expect("decrypt what was encrypted"), data);

    // Damage anywhere after the header is noticed.
    let at = HEADER_LEN + data.len().wrapping_mul(31) % (file.len() - HEADER_LEN);
    let mut flipped = file.clone();
    flipped[at] ^= 1 << (data.len() % 8);
    assert!(
        decrypt(&flipped).is_err(),
        "a flipped bit at {at} went unnoticed"
    );
    assert!(
        decrypt(&file[..file.len() - 1]).is_err(),
        "a backup cut short was accepted"
    );
    assert!(
        decrypt(&[file.as_slice(), b"x"].concat()).is_err(),
        "a lengthened backup was accepted"
    );

    let first = restore(&file);
    assert_eq!(first, restore(&file), "same input, other result");
});
