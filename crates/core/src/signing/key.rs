//! Reading the RSA private key: PEM (`PRIVATE KEY`, PKCS#8; `RSA PRIVATE KEY`, PKCS#1) or
//! PKCS#8 DER. Anything else is refused with what it is, never with its contents.

use der::asn1::ObjectIdentifier;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::{DecodePrivateKey, PrivateKeyInfo};
use rsa::RsaPrivateKey;
use zeroize::Zeroizing;

use crate::{Error, Result};

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// A name for a public-key algorithm, for refusals ("an EC key").
pub(super) fn algorithm_name(oid: &ObjectIdentifier) -> &'static str {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "an RSA key",
        "1.2.840.113549.1.1.10" => "an RSA-PSS key",
        "1.2.840.10045.2.1" => "an EC key",
        "1.3.101.112" => "an Ed25519 key",
        "1.3.101.113" => "an Ed448 key",
        "1.2.840.10040.4.1" => "a DSA key",
        _ => "a key of an unknown type",
    }
}

fn not_rsa(name: &str, what: &str) -> Error {
    Error::invalid(
        name,
        format!("is {what}, not an RSA key; .rdp signing needs an RSA key"),
    )
}

/// The RSA key in `input` (PEM or PKCS#8 DER). `name` names the input in errors.
pub(super) fn read_private_key(input: &[u8], name: &str) -> Result<RsaPrivateKey> {
    if input.first() == Some(&0x30) {
        return from_pkcs8_der(input, name);
    }
    let text = std::str::from_utf8(input)
        .map_err(|_| Error::invalid(name, "is neither a PEM nor a DER private key"))?;
    let mut saw = None;
    for (label, block) in super::pem_blocks(text) {
        match label {
            "PRIVATE KEY" => {
                let (_, doc) = pkcs8::SecretDocument::from_pem(block)
                    .map_err(|_| Error::invalid(name, "its PRIVATE KEY block is damaged"))?;
                return from_pkcs8_der(doc.as_bytes(), name);
            }
            "RSA PRIVATE KEY" => {
                if block.contains("ENCRYPTED") {
                    return Err(encrypted(name));
                }
                return RsaPrivateKey::from_pkcs1_pem(block).map_err(|_| {
                    Error::invalid(name, "its RSA PRIVATE KEY block is not a valid RSA key")
                });
            }
            "ENCRYPTED PRIVATE KEY" => return Err(encrypted(name)),
            "EC PRIVATE KEY" => return Err(not_rsa(name, "an EC key")),
            "DSA PRIVATE KEY" => return Err(not_rsa(name, "a DSA key")),
            other => saw = Some(other.to_owned()),
        }
    }
    Err(Error::invalid(
        name,
        match saw {
            Some(label) => format!(
                "holds no private key (found '{}'; expected 'BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY')",
                crate::text::shown(&label)
            ),
            None => "holds no PEM private key ('BEGIN PRIVATE KEY' or 'BEGIN RSA PRIVATE KEY')"
                .to_owned(),
        },
    ))
}

fn encrypted(name: &str) -> Error {
    Error::invalid(
        name,
        "is an encrypted key; give the unencrypted key, or the certificate and key as a .pfx with --pfx",
    )
}

/// The RSA key in PKCS#8 DER.
pub(super) fn from_pkcs8_der(der: &[u8], name: &str) -> Result<RsaPrivateKey> {
    let info = PrivateKeyInfo::try_from(der)
        .map_err(|_| Error::invalid(name, "is not a PKCS#8 private key"))?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return Err(not_rsa(name, algorithm_name(&info.algorithm.oid)));
    }
    // The key's bytes are wiped when the `RsaPrivateKey` goes; the intermediate copy here too.
    let copy = Zeroizing::new(der.to_vec());
    RsaPrivateKey::from_pkcs8_der(&copy)
        .map_err(|_| Error::invalid(name, "its RSA private key is not valid"))
}
