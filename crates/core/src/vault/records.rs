//! Encoding of records before sealing: JSON for the non-secret fields, a small
//! length-prefixed binary layout for secrets (so secret types never need `Serialize`).

use zeroize::Zeroizing;

use crate::crypto::{Binding, BlobKind, RecordCipher};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::secret::{SecretBytes, SecretString};
use crate::store::{CustomerRow, EntryRow};
use crate::text::shown;
use crate::{Error, Result};

pub(crate) const CUSTOMERS: &str = "customers";
pub(crate) const ENTRIES: &str = "entries";
pub(crate) const ENTRY_SECRETS: &str = "entry_secrets";
pub(crate) const META: &str = "meta";

const TAG_PASSWORD: u8 = 1;
const TAG_TOTP: u8 = 2;
const TAG_VPN: u8 = 3;

fn encode_json<T: serde::Serialize>(value: &T) -> Result<Zeroizing<Vec<u8>>> {
    serde_json::to_vec(value)
        .map(Zeroizing::new)
        .map_err(|e| Error::Storage(format!("cannot encode record: {e}")))
}

/// A record's JSON decoded. An unreadable one is named with where it breaks, never quoted:
/// the decoder's own message can hold the record's text (an unknown value, control
/// characters and line breaks included).
fn decode_json<T: serde::de::DeserializeOwned>(what: &str, id: &str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Io => "a read error",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "cut short",
        };
        Error::Integrity(format!(
            "{what} record {} is unreadable ({problem} at line {} column {})",
            shown(id),
            e.line(),
            e.column()
        ))
    })
}

pub(crate) fn seal_customer(cipher: &RecordCipher, customer: &Customer) -> Result<CustomerRow> {
    let id = customer.id.to_string();
    let plain = encode_json(customer)?;
    let record = cipher.seal(binding(CUSTOMERS, &id, BlobKind::Customer), &plain)?;
    Ok(CustomerRow { id, record })
}

pub(crate) fn open_customer(cipher: &RecordCipher, row: &CustomerRow) -> Result<Customer> {
    let plain = cipher.open(binding(CUSTOMERS, &row.id, BlobKind::Customer), &row.record)?;
    let customer: Customer = decode_json("customer", &row.id, &plain)?;
    if customer.id.to_string() != row.id {
        return Err(Error::Integrity(format!(
            "customer record {} has a foreign id",
            shown(&row.id)
        )));
    }
    Ok(customer)
}

pub(crate) fn seal_entry(
    cipher: &RecordCipher,
    customer_id: &uuid::Uuid,
    entry: &Entry,
) -> Result<EntryRow> {
    let id = entry.id.to_string();
    let plain = encode_json(entry)?;
    let record = cipher.seal(binding(ENTRIES, &id, BlobKind::Entry), &plain)?;
    Ok(EntryRow {
        id,
        customer_id: customer_id.to_string(),
        record,
    })
}

pub(crate) fn open_entry(cipher: &RecordCipher, row: &EntryRow) -> Result<Entry> {
    let plain = cipher.open(binding(ENTRIES, &row.id, BlobKind::Entry), &row.record)?;
    let entry: Entry = decode_json("entry", &row.id, &plain)?;
    if entry.id.to_string() != row.id {
        return Err(Error::Integrity(format!(
            "entry record {} has a foreign id",
            shown(&row.id)
        )));
    }
    Ok(entry)
}

pub(crate) fn seal_secrets(
    cipher: &RecordCipher,
    entry_id: &str,
    secrets: &EntrySecrets,
) -> Result<Vec<u8>> {
    let fields: [(u8, Option<&[u8]>); 3] = [
        (
            TAG_PASSWORD,
            secrets.password.as_ref().map(|s| s.expose().as_bytes()),
        ),
        (
            TAG_TOTP,
            secrets.totp_secret.as_ref().map(SecretBytes::expose),
        ),
        (
            TAG_VPN,
            secrets.vpn_secret.as_ref().map(|s| s.expose().as_bytes()),
        ),
    ];
    let size: usize = fields
        .iter()
        .map(|(_, v)| v.map_or(0, |v| 5 + v.len()))
        .sum();
    let mut plain = Zeroizing::new(Vec::with_capacity(size));
    for (tag, value) in fields {
        if let Some(value) = value {
            plain.push(tag);
            plain.extend_from_slice(&(value.len() as u32).to_be_bytes());
            plain.extend_from_slice(value);
        }
    }
    cipher.seal(
        binding(ENTRY_SECRETS, entry_id, BlobKind::EntrySecrets),
        &plain,
    )
}

pub(crate) fn open_secrets(
    cipher: &RecordCipher,
    entry_id: &str,
    blob: &[u8],
) -> Result<EntrySecrets> {
    let plain = cipher.open(
        binding(ENTRY_SECRETS, entry_id, BlobKind::EntrySecrets),
        blob,
    )?;
    let damaged = || {
        let entry = shown(entry_id);
        Error::Integrity(format!("the secrets of entry {entry} are unreadable"))
    };
    let mut secrets = EntrySecrets::default();
    let mut rest: &[u8] = &plain;
    while let Some((&tag, tail)) = rest.split_first() {
        let len_bytes: [u8; 4] = tail
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(damaged)?;
        let len = u32::from_be_bytes(len_bytes) as usize;
        let value = tail.get(4..4 + len).ok_or_else(damaged)?;
        rest = &tail[4 + len..];
        let text = || -> Result<SecretString> {
            std::str::from_utf8(value)
                .map(|s| SecretString::new(s.to_owned()))
                .map_err(|_| damaged())
        };
        match tag {
            TAG_PASSWORD => secrets.password = Some(text()?),
            TAG_TOTP => secrets.totp_secret = Some(SecretBytes::new(value.to_vec())),
            TAG_VPN => secrets.vpn_secret = Some(text()?),
            _ => return Err(damaged()),
        }
    }
    Ok(secrets)
}

pub(crate) fn binding<'a>(table: &'a str, row_id: &'a str, kind: BlobKind) -> Binding<'a> {
    Binding {
        table,
        row_id,
        kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Key256;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn secrets_round_trip(password in proptest::option::of(".{0,64}"),
                              totp in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64)),
                              vpn in proptest::option::of(".{0,32}")) {
            let cipher = RecordCipher::new(&Key256::from_bytes([4; 32]));
            let secrets = EntrySecrets {
                password: password.map(SecretString::new),
                totp_secret: totp.map(SecretBytes::new),
                vpn_secret: vpn.map(SecretString::new),
            };
            let blob = seal_secrets(&cipher, "e1", &secrets)?;
            prop_assert_eq!(open_secrets(&cipher, "e1", &blob)?, secrets);
            prop_assert!(open_secrets(&cipher, "e2", &blob).is_err());
        }

        #[test]
        fn entries_round_trip(label in "[^\\x00-\\x1f]{1,40}", host in "[a-z]{1,20}", port in proptest::option::of(1u16..),
                              notes in ".{0,100}") {
            let cipher = RecordCipher::new(&Key256::from_bytes([8; 32]));
            let entry = Entry { id: uuid::Uuid::new_v4(), label, host, port, notes, ..Entry::default() };
            let customer_id = uuid::Uuid::new_v4();
            let row = seal_entry(&cipher, &customer_id, &entry)?;
            prop_assert_eq!(open_entry(&cipher, &row)?, entry);
        }
    }
}
