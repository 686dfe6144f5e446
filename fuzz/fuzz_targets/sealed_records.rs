//! The sealed records of a vault (`vault::records` over `crypto::RecordCipher`) under a
//! fixed data key: customers and entries (JSON) and entry secrets (a length-prefixed
//! binary layout).
//!
//! Input: a kind byte (`c` customer, `e` entry, `s` secrets, anything else: a blob not
//! sealed with the key), then the record's plaintext (or the blob).
//!
//! Properties: a record decodes or is refused with one line, the same way twice; a decoded
//! record sealed again decodes to itself (encode → decode); a record never opens in another
//! row; a blob the key did not seal never opens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::crypto::BlobKind;
use sallyport_core::fuzzing::Records;
use sallyport_fuzz::assert_one_line;

const OTHER_ROW: &str = "00000000-0000-7000-8000-000000000001";

/// The row a record claims to be (its `id`), so that authentic records can decode.
fn row_of(plain: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(plain)
        .ok()
        .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "01900000-0000-7000-8000-000000000000".to_owned())
}

fn refused<T: std::fmt::Debug>(result: sallyport_core::Result<T>, what: &str) {
    match result {
        Ok(value) => panic!("{what} opened: {value:?}"),
        Err(e) => assert_one_line(&e.to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    thread_local! {
        static RECORDS: Records = Records::default();
    }
    let Some((&kind, plain)) = data.split_first() else {
        return;
    };
    RECORDS.with(|records| {
        let row = row_of(plain);
        match kind {
            b'c' => {
                let sealed = records.seal(BlobKind::Customer, &row, plain).expect("seal");
                let first = records.open_customer(&row, &sealed);
                assert_eq!(
                    format!("{first:?}"),
                    format!("{:?}", records.open_customer(&row, &sealed))
                );
                refused(
                    records.open_customer(OTHER_ROW, &sealed),
                    "a customer record moved to another row",
                );
                match first {
                    Ok(customer) => {
                        let again = records.seal_customer(&customer).expect("seal the customer");
                        let back = records
                            .open_customer(&customer.id.to_string(), &again)
                            .expect("open it again");
                        assert_eq!(back, customer, "a customer changed when sealed again");
                    }
                    Err(e) => assert_one_line(&e.to_string()),
                }
            }
            b'e' => {
                let sealed = records.seal(BlobKind::Entry, &row, plain).expect("seal");
                let first = records.open_entry(&row, &sealed);
                assert_eq!(
                    format!("{first:?}"),
                    format!("{:?}", records.open_entry(&row, &sealed))
                );
                refused(
                    records.open_entry(OTHER_ROW, &sealed),
                    "an entry record moved to another row",
                );
                match first {
                    Ok(entry) => {
                        let again = records.seal_entry(&entry).expect("seal the entry");
                        let back = records
                            .open_entry(&entry.id.to_string(), &again)
                            .expect("open it again");
                        assert_eq!(back, entry, "an entry changed when sealed again");
                    }
                    Err(e) => assert_one_line(&e.to_string()),
                }
            }
            b's' => {
                let sealed = records
                    .seal(BlobKind::EntrySecrets, &row, plain)
                    .expect("seal");
                let first = records.open_secrets(&row, &sealed);
                assert_eq!(
                    format!("{first:?}"),
                    format!("{:?}", records.open_secrets(&row, &sealed))
                );
                refused(
                    records.open_secrets(OTHER_ROW, &sealed),
                    "secrets moved to another entry",
                );
                match first {
                    Ok(secrets) => {
                        let again = records
                            .seal_secrets(&row, &secrets)
                            .expect("seal the secrets");
                        let back = records.open_secrets(&row, &again).expect("open them again");
                        assert!(back == secrets, "secrets changed when sealed again");
                    }
                    Err(e) => assert_one_line(&e.to_string()),
                }
            }
            _ => {
                refused(
                    records.open_customer(&row, plain),
                    "a forged customer record",
                );
                refused(records.open_entry(&row, plain), "a forged entry record");
                refused(records.open_secrets(&row, plain), "forged secrets");
            }
        }
    });
});
