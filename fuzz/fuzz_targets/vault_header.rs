//! The vault header as stored in a vault file someone may have damaged or edited
//! (`vault::header::Header::from_stored`), and the plaintext unlock-backoff record next to
//! it (`vault::backoff::Backoff`), which is read before any key exists.
//!
//! Input: the stored header bytes (JSON). The target checks them with their own checksum
//! (so the parser is reached) and with a wrong one.
//!
//! Properties: a wrong checksum is always refused as a modified header; an accepted header
//! has a supported format, Argon2id within its bounds, and stores and reads back to itself;
//! every refusal is one line; the same result twice. Any backoff record gives a wait of at
//! most 15 minutes and never overflows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::vault::backoff::{Backoff, MAX_WAIT_SECONDS};
use sallyport_core::vault::header::Header;
use sallyport_fuzz::assert_one_line;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let checksum = hex(&Sha256::digest(data));
    let first = Header::from_stored(data, &checksum);
    let again = Header::from_stored(data, &checksum);
    assert_eq!(
        format!("{first:?}"),
        format!("{again:?}"),
        "same input, other result"
    );
    match first {
        Ok(header) => {
            header
                .kdf_params
                .check_bounds()
                .expect("accepted KDF parameters are in bounds");
            assert_eq!(header.kdf, "argon2id");
            let (bytes, sum) = header.to_stored().expect("store the header");
            let back = Header::from_stored(&bytes, &sum).expect("a stored header reads back");
            assert_eq!(back, header, "the header changed when stored and read back");
        }
        Err(e) => assert_one_line(&e.to_string()),
    }
    let mut wrong = checksum.clone();
    wrong.replace_range(..1, if wrong.starts_with('0') { "1" } else { "0" });
    let refused = Header::from_stored(data, &wrong).expect_err("a wrong checksum was accepted");
    assert!(
        refused.to_string().contains("the vault header is damaged"),
        "{refused}"
    );

    if let Ok(backoff) = serde_json::from_slice::<Backoff>(data) {
        for now in [
            i64::MIN,
            -1,
            0,
            1_700_000_000,
            i64::MAX,
            backoff.last_failure_unix,
        ] {
            assert!(backoff.wait_seconds(now) <= MAX_WAIT_SECONDS);
            let next = backoff.after_failure(now);
            assert!(next.failures >= backoff.failures);
            assert!(next.wait_seconds(now) <= MAX_WAIT_SECONDS);
        }
    }
});

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
