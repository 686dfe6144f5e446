//! Reading a PKCS#12 file (`.pfx`, RFC 7292): the MAC is checked first (a wrong password
//! is told as such), then the safe contents are decrypted — PBES2 (PBKDF2 with AES or
//! 3DES: OpenSSL 3's default, Windows' "AES256-SHA256") or PKCS#12's own
//! pbeWithSHAAnd3-KeyTripleDES-CBC (Windows' "TripleDES-SHA1"). RC2 (OpenSSL 1's legacy
//! default for certificates) is refused with what to do instead.

use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{ContextSpecific, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use hmac::{Mac, SimpleHmac};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::SafeContents;
use sha2::digest::{core_api::BlockSizeUser, Digest, FixedOutputReset};
use x509_cert::spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::secret::{SecretBytes, SecretString};
use crate::{Error, Result};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
const X509_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const PBE_SHA1_3DES: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
const PBE_SHA1_RC2_40: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
const PBE_SHA1_RC2_128: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.5");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

/// The certificates of a PKCS#12 file and its (one) private key, PKCS#8 DER.
pub(super) struct Contents {
    pub certificates: Vec<Vec<u8>>,
    pub key: SecretBytes,
}

/// Reads the file `name` (its bytes `pfx`) with `password`.
pub(super) fn read(pfx: &[u8], name: &str, password: &SecretString) -> Result<Contents> {
    let damaged = |what: &str| {
        Error::invalid(
            name,
            format!("is not a readable PKCS#12 (.pfx) file ({what})"),
        )
    };
    let pfx = Pfx::from_der(pfx).map_err(|_| damaged("not PKCS#12"))?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(Error::invalid(
            name,
            "is a public-key protected PKCS#12 file; only password-protected ones are read",
        ));
    }
    let auth_safe = octets(&pfx.auth_safe).map_err(|_| damaged("its contents"))?;
    let password = password.expose();
    if let Some(mac) = &pfx.mac_data {
        check_mac(mac, auth_safe.as_bytes(), password, name)?;
    }
    let safes: Vec<ContentInfo> =
        Vec::from_der(auth_safe.as_bytes()).map_err(|_| damaged("its safe list"))?;
    let mut certificates = Vec::new();
    let mut key = None;
    for safe in &safes {
        let bags: Zeroizing<Vec<u8>> = if safe.content_type == ID_DATA {
            Zeroizing::new(octets(safe).map_err(|_| damaged("a safe"))?.into_bytes())
        } else if safe.content_type == ID_ENCRYPTED_DATA {
            let data = safe
                .content
                .decode_as::<EncryptedData>()
                .map_err(|_| damaged("an encrypted safe"))?;
            let info = &data.enc_content_info;
            let sealed = info
                .encrypted_content
                .as_ref()
                .ok_or_else(|| damaged("an empty encrypted safe"))?;
            decrypt(&info.content_enc_alg, sealed.as_bytes(), password, name)?
        } else {
            continue; // a public-key encrypted safe: not ours to open
        };
        let bags = SafeContents::from_der(&bags).map_err(|_| damaged("a bag list"))?;
        for bag in bags {
            if bag.bag_id == CERT_BAG {
                let bag: ContextSpecific<CertBag> = ContextSpecific::from_der(&bag.bag_value)
                    .map_err(|_| damaged("a certificate"))?;
                if bag.value.cert_id == X509_CERTIFICATE {
                    certificates.push(bag.value.cert_value.into_bytes());
                }
            } else if bag.bag_id == SHROUDED_KEY_BAG {
                let bag: ContextSpecific<EncryptedPrivateKeyInfo> =
                    ContextSpecific::from_der(&bag.bag_value).map_err(|_| damaged("the key"))?;
                let info = &bag.value;
                let plain = decrypt(
                    &info.encryption_algorithm,
                    info.encrypted_data.as_bytes(),
                    password,
                    name,
                )?;
                if key.replace(SecretBytes::from(plain)).is_some() {
                    return Err(Error::invalid(name, "holds more than one private key"));
                }
            } else if bag.bag_id == KEY_BAG {
                let plain: ContextSpecific<der::Any> =
                    ContextSpecific::from_der(&bag.bag_value).map_err(|_| damaged("the key"))?;
                let der = Zeroizing::new(plain.value.to_der().map_err(|_| damaged("the key"))?);
                if key.replace(SecretBytes::new(der.to_vec())).is_some() {
                    return Err(Error::invalid(name, "holds more than one private key"));
                }
            }
        }
    }
    let key = key.ok_or_else(|| Error::invalid(name, "holds no private key"))?;
    if certificates.is_empty() {
        return Err(Error::invalid(name, "holds no certificate"));
    }
    Ok(Contents { certificates, key })
}

fn octets(info: &ContentInfo) -> der::Result<OctetString> {
    info.content.decode_as::<OctetString>()
}

fn wrong_password(name: &str) -> Error {
    Error::invalid(name, "wrong password for this .pfx file")
}

/// Checks the file's MAC (RFC 7292 appendix B key derivation, HMAC with the named digest).
fn check_mac(
    mac: &pkcs12::mac_data::MacData,
    data: &[u8],
    password: &str,
    name: &str,
) -> Result<()> {
    let salt = mac.mac_salt.as_bytes();
    let rounds = mac.iterations;
    let expected = mac.mac.digest.as_bytes();
    let oid = mac.mac.algorithm.oid;
    let ok = if oid == SHA1 {
        mac_matches::<sha1::Sha1>(password, salt, rounds, data, expected)
    } else if oid == SHA256 {
        mac_matches::<sha2::Sha256>(password, salt, rounds, data, expected)
    } else if oid == SHA384 {
        mac_matches::<sha2::Sha384>(password, salt, rounds, data, expected)
    } else if oid == SHA512 {
        mac_matches::<sha2::Sha512>(password, salt, rounds, data, expected)
    } else {
        return Err(Error::invalid(
            name,
            format!("uses a MAC digest Sallyport does not know ({oid})"),
        ));
    };
    match ok {
        Some(true) => Ok(()),
        Some(false) => Err(wrong_password(name)),
        None => Err(Error::invalid(
            name,
            "its password cannot be used (not text)",
        )),
    }
}

fn mac_matches<D>(
    password: &str,
    salt: &[u8],
    rounds: i32,
    data: &[u8],
    expected: &[u8],
) -> Option<bool>
where
    D: Digest + FixedOutputReset + BlockSizeUser,
{
    let size = <D as Digest>::output_size();
    let key = Zeroizing::new(
        derive_key_utf8::<D>(password, salt, Pkcs12KeyType::Mac, rounds, size).ok()?,
    );
    let mut hmac = <SimpleHmac<D> as Mac>::new_from_slice(&key).ok()?;
    hmac.update(data);
    Some(hmac.verify_slice(expected).is_ok())
}

/// Decrypts a safe or a shrouded key with `password`.
fn decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    data: &[u8],
    password: &str,
    name: &str,
) -> Result<Zeroizing<Vec<u8>>> {
    let oid = algorithm.oid;
    if oid == PBES2 {
        let der = algorithm
            .to_der()
            .map_err(|_| Error::invalid(name, "its encryption parameters are damaged"))?;
        let scheme = pkcs5::EncryptionScheme::try_from(der.as_slice()).map_err(|_| {
            Error::invalid(
                name,
                "uses PBES2 parameters Sallyport does not read (PBKDF2 with HMAC-SHA1/SHA-256 and AES or 3DES are read)",
            )
        })?;
        return scheme
            .decrypt(password.as_bytes(), data)
            .map(Zeroizing::new)
            .map_err(|_| wrong_password(name));
    }
    if oid == PBE_SHA1_3DES {
        let params = algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<Pkcs12PbeParams>().ok())
            .ok_or_else(|| Error::invalid(name, "its encryption parameters are damaged"))?;
        let salt = params.salt.as_bytes();
        let derive = |id, len| {
            derive_key_utf8::<sha1::Sha1>(password, salt, id, params.iterations, len)
                .map(Zeroizing::new)
                .map_err(|_| Error::invalid(name, "its password cannot be used (not text)"))
        };
        let key = derive(Pkcs12KeyType::EncryptionKey, 24)?;
        let iv = derive(Pkcs12KeyType::Iv, 8)?;
        let cipher = cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| Error::invalid(name, "its encryption parameters are damaged"))?;
        return cipher
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map(Zeroizing::new)
            .map_err(|_| wrong_password(name));
    }
    if oid == PBE_SHA1_RC2_40 || oid == PBE_SHA1_RC2_128 {
        return Err(Error::invalid(
            name,
            "is encrypted with RC2, which Sallyport does not read; export it again with AES-256 (OpenSSL 3's default, or Windows' AES256-SHA256)",
        ));
    }
    Err(Error::invalid(
        name,
        format!("uses an encryption Sallyport does not read ({oid})"),
    ))
}
