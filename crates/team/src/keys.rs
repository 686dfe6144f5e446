//! The team's keys. Every member has an X25519 key pair; the private key lives only in the
//! member's profile, sealed under their master password. The team's data key (the key every
//! record is sealed with, as in a local vault) is wrapped for each confirmed member
//! separately: an ephemeral X25519 agreement with the member's public key, HKDF-SHA256 over
//! it (bound to the team and the member), and AES-256-GCM. Curve arithmetic is
//! `x25519-dalek`'s; nothing here is home-made beyond putting the pieces together.
//!
//! A member's fingerprint (what an admin compares over another channel before confirming)
//! is the SHA-256 of their public key, cut to 160 bits and written as Base32 in groups.

use hkdf::Hkdf;
use sallyport_core::crypto;
use sallyport_core::{Error, Key256, Result, SecretString};
use sha2::{Digest, Sha256};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const WRAP_INFO: &[u8] = b"sallyport team-key wrap v1";

/// A member's key pair. `Debug` shows the public half only; the private half is wiped when
/// dropped (`x25519-dalek`'s zeroize).
pub struct MemberKey {
    secret: StaticSecret,
}

impl std::fmt::Debug for MemberKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MemberKey({})", fingerprint(&self.public()))
    }
}

impl MemberKey {
    /// A fresh key pair from the OS CSPRNG.
    pub fn generate() -> Result<Self> {
        let bytes = random::<32>()?;
        Ok(Self::from_bytes(*bytes))
    }

    /// The key pair whose private half is `bytes` (as kept in a profile).
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            secret: StaticSecret::from(bytes),
        }
    }

    /// The private half, to be sealed into the profile.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(self.secret.to_bytes())
    }

    /// The public half.
    pub fn public(&self) -> [u8; 32] {
        *PublicKey::from(&self.secret).as_bytes()
    }

    /// Opens the team key wrapped for this member by [`wrap_team_key`].
    pub fn unwrap_team_key(&self, wrapped: &[u8], team_id: &str, member: &str) -> Result<Key256> {
        let refused = || {
            Error::Integrity(format!(
                "the team key stored for {member} does not open with this profile's key"
            ))
        };
        if wrapped.len() < 32 {
            return Err(refused());
        }
        let (ephemeral, sealed) = wrapped.split_at(32);
        let mut ephemeral_public = [0u8; 32];
        ephemeral_public.copy_from_slice(ephemeral);
        let shared = self
            .secret
            .diffie_hellman(&PublicKey::from(ephemeral_public));
        if !shared.was_contributory() {
            return Err(refused());
        }
        let kek = derive(
            shared.as_bytes(),
            &ephemeral_public,
            &self.public(),
            team_id,
            member,
        )?;
        let plain =
            crypto::open(&kek, &associated_data(team_id, member), sealed).ok_or_else(refused)?;
        let bytes: [u8; 32] = plain.as_slice().try_into().map_err(|_| refused())?;
        Ok(Key256::from_bytes(bytes))
    }
}

/// The team key wrapped for the member whose public key is `recipient`.
pub fn wrap_team_key(
    team_key: &Key256,
    recipient: &[u8; 32],
    team_id: &str,
    member: &str,
) -> Result<Vec<u8>> {
    let ephemeral = MemberKey::generate()?;
    let ephemeral_public = ephemeral.public();
    let shared = ephemeral
        .secret
        .diffie_hellman(&PublicKey::from(*recipient));
    if !shared.was_contributory() {
        return Err(Error::invalid(
            "public key",
            format!("{member}'s public key is not a usable X25519 key"),
        ));
    }
    let kek = derive(
        shared.as_bytes(),
        &ephemeral_public,
        recipient,
        team_id,
        member,
    )?;
    let sealed = crypto::seal(&kek, &associated_data(team_id, member), team_key.expose())?;
    Ok([ephemeral_public.as_slice(), &sealed].concat())
}

/// HKDF-SHA256 over the agreed secret, salted with both public keys, bound to the team and
/// the member.
fn derive(
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
    team_id: &str,
    member: &str,
) -> Result<Key256> {
    let salt = [ephemeral.as_slice(), recipient.as_slice()].concat();
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand_multi_info(
            &[WRAP_INFO, team_id.as_bytes(), b"\0", member.as_bytes()],
            okm.as_mut(),
        )
        .map_err(|_| Error::Storage("team key derivation failed".into()))?;
    Ok(Key256::from_bytes(*okm))
}

fn associated_data(team_id: &str, member: &str) -> Vec<u8> {
    [
        b"sallyport-team-key\0",
        team_id.as_bytes(),
        b"\0",
        member.as_bytes(),
    ]
    .concat()
}

/// "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567": SHA-256 of the public key, 160 bits, Base32.
pub fn fingerprint(public: &[u8; 32]) -> String {
    let digest = Sha256::digest(public);
    let text = data_encoding::BASE32_NOPAD.encode(&digest[..20]);
    groups(&text)
}

/// A fingerprint as typed: spaces, dashes and case do not matter.
pub fn normalise_fingerprint(typed: &str) -> String {
    let text: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    groups(&text)
}

fn groups(text: &str) -> String {
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// `N` random bytes from the OS CSPRNG, wiped when dropped.
pub(crate) fn random<const N: usize>() -> Result<Zeroizing<[u8; N]>> {
    let mut bytes = Zeroizing::new([0u8; N]);
    crypto::fill_random(bytes.as_mut())?;
    Ok(bytes)
}

/// A random password for a database login (never shown unless the member asks with
/// `team db-env`): 32 characters of Base32.
pub(crate) fn login_password() -> Result<SecretString> {
    let bytes = random::<20>()?;
    Ok(SecretString::new(
        data_encoding::BASE32_NOPAD.encode(bytes.as_slice()),
    ))
}

/// The SCRAM-SHA-256 verifier PostgreSQL keeps for `password`: the server never sees the
/// password itself.
pub(crate) fn scram_verifier(password: &SecretString) -> String {
    postgres_protocol::password::scram_sha_256(password.expose().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_opens_only_for_its_member_and_team() {
        let alice = MemberKey::generate().unwrap();
        let bob = MemberKey::generate().unwrap();
        let team_key = Key256::from_bytes([7; 32]);
        let wrapped = wrap_team_key(&team_key, &alice.public(), "team-1", "alice").unwrap();
        let opened = alice.unwrap_team_key(&wrapped, "team-1", "alice").unwrap();
        assert_eq!(opened.expose(), team_key.expose());
        assert!(bob.unwrap_team_key(&wrapped, "team-1", "alice").is_err());
        assert!(alice.unwrap_team_key(&wrapped, "team-2", "alice").is_err());
        assert!(alice.unwrap_team_key(&wrapped, "team-1", "bob").is_err());
        let mut flipped = wrapped.clone();
        flipped[40] ^= 1;
        assert!(alice.unwrap_team_key(&flipped, "team-1", "alice").is_err());
        assert!(alice
            .unwrap_team_key(&wrapped[..20], "team-1", "alice")
            .is_err());
        // The low-order point gives no shared secret: refused, not a zero key.
        assert!(wrap_team_key(&team_key, &[0; 32], "team-1", "alice").is_err());
    }

    #[test]
    fn fingerprints_are_grouped_and_typed_loosely() {
        let key = MemberKey::from_bytes([1; 32]);
        let fp = fingerprint(&key.public());
        assert_eq!(fp.len(), 32 + 7);
        assert_eq!(
            normalise_fingerprint(&fp.to_lowercase().replace('-', " ")),
            fp
        );
        assert_ne!(fingerprint(&MemberKey::from_bytes([2; 32]).public()), fp);
        assert!(!format!("{key:?}").contains(&hex::encode([1u8; 32])));
    }

    #[test]
    fn the_verifier_is_postgresql_scram() {
        let v = scram_verifier(&SecretString::from("pw"));
        assert!(v.starts_with("SCRAM-SHA-256$4096:"), "{v}");
        assert!(!v.contains("pw$"));
    }
}
