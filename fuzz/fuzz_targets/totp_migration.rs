//! Google Authenticator export codes (`otpauth-migration://offline?data=…`): the
//! hand-written protobuf reader (`totp::decode_migration_uri`).
//!
//! Input: the protobuf payload itself (the target wraps it in a URI as Base64), or, when it
//! starts with `otpauth-migration:`, a whole URI as text.
//!
//! Properties: the same result twice; every account accepted makes a generator; the
//! accounts written back as a payload (as Google Authenticator writes them) decode to the
//! same accounts; a refusal is one line and never holds the data.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::totp::{decode_migration_uri, MigrationAccounts, TotpGenerator};
use sallyport_fuzz::{assert_not_echoed, assert_one_line, migration_payload, migration_uri};

fn same(a: &MigrationAccounts, b: &MigrationAccounts) -> bool {
    a.accounts.len() == b.accounts.len()
        && a.accounts
            .iter()
            .zip(&b.accounts)
            .all(|(x, y)| x.0 == y.0 && x.1.expose() == y.1.expose())
}

fuzz_target!(|data: &[u8]| {
    let text = match data.starts_with(b"otpauth-migration:") {
        true => match std::str::from_utf8(data) {
            Ok(text) => text.to_owned(),
            Err(_) => return,
        },
        false => migration_uri(data),
    };
    let first = decode_migration_uri(&text);
    let again = decode_migration_uri(&text);
    match (&first, &again) {
        (Ok(a), Ok(b)) => assert!(
            same(a, b) && a.skipped_hotp == b.skipped_hotp,
            "same input, other result"
        ),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "same input, other result"),
        _ => panic!("same input, other result"),
    }
    match first {
        Ok(found) => {
            assert!(!found.accounts.is_empty());
            for (params, secret) in &found.accounts {
                TotpGenerator::new(params, secret).expect("an accepted account makes codes");
            }
            let rewritten =
                decode_migration_uri(&migration_uri(&migration_payload(&found.accounts, 0)))
                    .unwrap_or_else(|e| panic!("the accounts written back are refused: {e}"));
            assert!(
                same(&found, &rewritten),
                "written back, the accounts changed: {:?} / {:?}",
                found.accounts,
                rewritten.accounts
            );
            assert_eq!(rewritten.skipped_hotp, 0);
        }
        Err(e) => {
            let message = e.to_string();
            assert_one_line(&message);
            if let Some(data) = data_value(&text) {
                if data.len() >= 8 {
                    let template = template(&text, data);
                    assert_not_echoed(&message, &template, data, "export code's data");
                }
            }
        }
    }
});

/// The `data=` value the decoder reads: of the first such pair in the query.
fn data_value(text: &str) -> Option<&str> {
    let query = text.trim().split_once('?')?.1;
    query.split('&').find_map(|pair| pair.strip_prefix("data="))
}

/// The message `text` gets with its `data` value (a part of it, without `&`) masked:
/// letters as `A`/`a`, digits as `0`, %-escapes and other characters kept, so that it
/// breaks alike. Text of the data found in this message too is the message's own wording
/// (the data may hold words such as "otpauth"), not an echo.
fn template(text: &str, data: &str) -> String {
    let at = data.as_ptr() as usize - text.as_ptr() as usize;
    let mut masked = String::with_capacity(text.len());
    masked.push_str(&text[..at]);
    let mut escape = 0u8;
    for c in data.chars() {
        escape = match c {
            '%' => 3,
            _ => escape.saturating_sub(1),
        };
        masked.push(match c {
            _ if escape > 0 => c,
            'A'..='Z' => 'A',
            'a'..='z' => 'a',
            '0'..='9' => '0',
            other => other,
        });
    }
    masked.push_str(&text[at + data.len()..]);
    decode_migration_uri(&masked)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}
