//! TOTP secrets as typed or pasted: Base32 text and `otpauth://` URIs (`totp::parse`).
//!
//! Properties: the same result twice; an accepted secret makes a generator whose codes have
//! the stated digits, and its `otpauth://` URI (what the export writes) parses back to the
//! same parameters and secret; a refusal is one line that never holds the secret (the whole
//! text for Base32, the `secret=` value of a URI).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::totp::{parse, to_uri, TotpGenerator};
use sallyport_fuzz::{assert_not_echoed, assert_one_line};

/// The secret text of `input` as the parser sees it: a URI's `secret=` values, or all of it.
fn secret_texts(input: &str) -> Vec<&str> {
    let trimmed = input.trim();
    let is_uri = trimmed
        .get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://"));
    if !is_uri {
        return vec![trimmed];
    }
    let query = trimmed.split_once('?').map_or("", |(_, q)| q);
    query
        .split(['&', '?'])
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| key.eq_ignore_ascii_case("secret"))
        .map(|(_, value)| value)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let first = parse(input);
    let again = parse(input);
    assert_eq!(
        format!("{first:?}"),
        format!("{again:?}"),
        "same input, other result"
    );
    // Debug of the secret is redacted: compare the bytes too.
    if let (Ok(a), Ok(b)) = (&first, &again) {
        assert_eq!(a.1.expose(), b.1.expose());
    }
    match first {
        Ok((params, secret)) => {
            let generator =
                TotpGenerator::new(&params, &secret).expect("an accepted secret makes codes");
            let code = generator.at(1_111_111_109);
            assert_eq!(code.code.len(), usize::from(params.digits));
            assert!(code.code.bytes().all(|b| b.is_ascii_digit()));
            assert!((1..=params.period).contains(&code.seconds_left));
            let uri = to_uri(&params, &secret);
            let (params2, secret2) =
                parse(uri.expose()).unwrap_or_else(|e| panic!("its own URI is refused: {e}"));
            assert_eq!(params2, params, "the URI round trip changed the parameters");
            assert_eq!(
                secret2.expose(),
                secret.expose(),
                "the URI round trip changed the secret"
            );
        }
        Err(e) => {
            let message = e.to_string();
            assert_one_line(&message);
            for secret in secret_texts(input) {
                // Shorter strings occur in the messages' own words.
                if secret.chars().count() >= 8 {
                    assert_not_echoed(&message, &template(input, secret), secret, "TOTP secret");
                }
            }
        }
    }
});

/// The message `input` gets with another secret of the same shape in place of `secret` (a
/// part of it): letters as `A`/`a`, digits 2-7 as `2`, everything else (%-escapes, the last
/// letter or digit outside an escape, which decides Base32's trailing bits) kept, so that it
/// is valid or not alike. Text of the secret found in this message too is the message's own
/// wording, not an echo.
fn template(input: &str, secret: &str) -> String {
    let at = secret.as_ptr() as usize - input.as_ptr() as usize;
    let chars: Vec<char> = secret.chars().collect();
    // Which characters belong to a %-escape (`%` and the two after it).
    let mut escaped = Vec::with_capacity(chars.len());
    let mut escape = 0u8;
    for &c in &chars {
        escape = match c {
            '%' => 3,
            _ => escape.saturating_sub(1),
        };
        escaped.push(escape > 0);
    }
    // The last letter or digit outside an escape decides Base32's trailing bits: kept too.
    let last = (0..chars.len()).rposition(|i| chars[i].is_ascii_alphanumeric() && !escaped[i]);
    let mut masked = String::with_capacity(input.len());
    for (i, &c) in chars.iter().enumerate() {
        let kept = escaped[i] || Some(i) == last;
        masked.push(match c {
            _ if kept => c,
            'A'..='Z' => 'A',
            'a'..='z' => 'a',
            '2'..='7' => '2',
            other => other,
        });
    }
    let masked = format!("{}{masked}{}", &input[..at], &input[at + secret.len()..]);
    parse(&masked)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}
