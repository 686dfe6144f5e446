//! Setting a team up and managing its members: `team init` (the database's owner creates
//! the schema, the roles, the team key and the first admin), `invite` (an admin issues an
//! enrolment code), `join` (the invited person's client makes their key pair and login and
//! writes their profile), `confirm` (an admin compares the fingerprint and wraps the team
//! key for them), `members` and `db-env`.
//!
//! An enrolment code carries no team secret: it names a login that can only call
//! `sp_join`, and that login's password. Every member login's password is made by the
//! member's own client; the server only ever receives its SCRAM-SHA-256 verifier.

use std::path::Path;

use sallyport_core::store::{CustomerRow, EntryRow};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::reseal::Resealer;
use sallyport_core::{Error, Key256, Result, SecretString, Session};
use serde::Serialize;
use uuid::Uuid;

use crate::conn::{self, db_error, DbAddress};
use crate::keys::{self, MemberKey};
use crate::profile::{self, MemberSecrets, TeamInfo};
use crate::schema;
use crate::store::{head_of, server_meta_text, TeamStore};

/// How long an enrolment code is valid.
pub const INVITE_DAYS: i64 = 7;

/// A member role.
pub const ROLES: [&str; 3] = ["staff", "editor", "admin"];

/// The role prefix of a team: `sp_` and the first eight hex digits of its id.
fn role_prefix(team_id: &Uuid) -> String {
    format!("sp_{}", &team_id.simple().to_string()[..8])
}

/// What `team init` made.
#[derive(Debug, Clone, Serialize)]
pub struct Initialised {
    /// The team's id.
    pub team_id: String,
    /// The first admin.
    pub admin: String,
    /// The admin's key fingerprint.
    pub fingerprint: String,
}

/// `team init`: as the database's owner (`owner_password`), creates the schema, the roles,
/// the team key and `staff` as the first admin (confirmed), and writes the admin's profile
/// at `profile_path` under `master_password`.
#[allow(clippy::too_many_arguments)]
pub fn init(
    address: &DbAddress,
    owner_password: &SecretString,
    ca_pem: &[u8],
    profile_path: &Path,
    master_password: &SecretString,
    staff: &str,
    kdf: KdfParams,
) -> Result<Initialised> {
    init_at_schema_version(
        address,
        owner_password,
        ca_pem,
        profile_path,
        master_password,
        staff,
        kdf,
        schema::VERSION,
    )
}

/// [`init`] with the schema at `version` ([`crate::SCHEMA_VERSION`] or older: tests of
/// `team upgrade` make older ones).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn init_at_schema_version(
    address: &DbAddress,
    owner_password: &SecretString,
    ca_pem: &[u8],
    profile_path: &Path,
    master_password: &SecretString,
    staff: &str,
    kdf: KdfParams,
    version: u32,
) -> Result<Initialised> {
    let staff = sallyport_core::identity::staff_name(staff)?;
    if address.user.is_empty() {
        return Err(Error::invalid(
            "--db",
            "name the database owner: postgres://OWNER@HOST:PORT/DB",
        ));
    }
    if profile_path.exists() {
        return Err(Error::VaultExists(profile_path.display().to_string()));
    }
    sallyport_core::vault::new_header_records(master_password, kdf)?; // checks both early
    let mut client = conn::connect(address, &address.user, owner_password, ca_pem)?;
    let taken = client
        .query_one(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'sallyport'",
            &[],
        )
        .map_err(|e| db_error(&e))?;
    if taken.get::<_, i64>(0) > 0 {
        return Err(Error::invalid(
            "--db",
            format!(
                "{} already holds a Sallyport team; join it with an enrolment code",
                address.describe()
            ),
        ));
    }
    let team_id = Uuid::new_v4();
    let prefix = role_prefix(&team_id);
    let team_key = sallyport_core::crypto::random_key()?;
    let key = MemberKey::generate()?;
    let fingerprint = keys::fingerprint(&key.public());
    let login = format!("{prefix}_m_{}", hex::encode(*keys::random::<4>()?));
    let db_password = keys::login_password()?;
    let wrapped = keys::wrap_team_key(&team_key, &key.public(), &team_id.to_string(), &staff)?;
    let (settings_key, settings) = sallyport_core::vault::new_settings_record(&team_key, &staff)?;
    let mut tx = client.transaction().map_err(|e| db_error(&e))?;
    schema::create(&mut tx, &prefix, version).map_err(|e| match e.code().map(|c| c.code()) {
            Some("42501") => Error::invalid(
                "--db",
                format!(
                    "{} may not create roles or schemas in {} (it needs CREATEROLE and to own the database)",
                    address.user,
                    address.describe()
                ),
            ),
            _ => db_error(&e),
        })?;
    for (key, value) in [
        ("team_id", team_id.to_string().into_bytes()),
        ("role_prefix", prefix.clone().into_bytes()),
        (settings_key, settings),
    ] {
        tx.execute(
            "INSERT INTO sallyport.meta VALUES ($1, $2)",
            &[&key, &value],
        )
        .map_err(|e| db_error(&e))?;
    }
    tx.batch_execute(&format!(
        "CREATE ROLE \"{login}\" LOGIN PASSWORD '{}' IN ROLE \"{prefix}_member\", \"{prefix}_admin\"",
        keys::scram_verifier(&db_password)
    ))
    .map_err(|e| db_error(&e))?;
    tx.execute(
        "INSERT INTO sallyport.members (name, login, role, public_key, fingerprint, wrapped_key,
             confirmed, active, invited_by, joined_at)
         VALUES ($1, $2, 'admin', $3, $4, $5, true, true, NULL, now())",
        &[
            &staff,
            &login,
            &key.public().as_slice(),
            &fingerprint,
            &wrapped,
        ],
    )
    .map_err(|e| db_error(&e))?;
    let note = format!("team created; {staff} is its first admin");
    tx.execute(
        "SELECT sallyport.sp_append($1, NULL, 'vault_create', 'ok', NULL, NULL, NULL, NULL, $2)",
        &[&staff, &note],
    )
    .map_err(|e| db_error(&e))?;
    let info = TeamInfo {
        team_id: team_id.to_string(),
        db: DbAddress {
            user: login,
            ..address.clone()
        },
        member: staff.clone(),
        ca_pem: String::from_utf8_lossy(ca_pem).into_owned(),
    };
    let secrets = MemberSecrets { key, db_password };
    profile::create(profile_path, master_password, kdf, &info, &secrets)?;
    if let Err(e) = tx.commit() {
        let _ = std::fs::remove_file(profile_path);
        let _ = std::fs::remove_file(profile::ca_file(profile_path));
        return Err(db_error(&e));
    }
    Ok(Initialised {
        team_id: team_id.to_string(),
        admin: staff,
        fingerprint,
    })
}

/// What `team upgrade` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upgraded {
    /// The schema version the database had.
    pub from: u32,
    /// The version it has now.
    pub to: u32,
}

/// `team upgrade`: as the database's owner, runs the schema migrations the database has not
/// had yet, in one transaction, and records it in the audit log.
pub fn upgrade(
    address: &DbAddress,
    owner_password: &SecretString,
    ca_pem: &[u8],
) -> Result<Upgraded> {
    if address.user.is_empty() {
        return Err(Error::invalid(
            "--db",
            "name the database owner: postgres://OWNER@HOST:PORT/DB",
        ));
    }
    let mut client = conn::connect(address, &address.user, owner_password, ca_pem)?;
    let mut tx = client.transaction().map_err(|e| db_error(&e))?;
    tx.batch_execute("LOCK TABLE sallyport.meta IN EXCLUSIVE MODE")
        .map_err(|e| match e.code().map(|c| c.code()) {
            Some("3F000") | Some("42P01") => Error::invalid(
                "--db",
                format!("{} is not a Sallyport team database", address.describe()),
            ),
            Some("42501") => Error::invalid(
                "--db",
                format!(
                    "{} does not own the team database {}",
                    address.user,
                    address.describe()
                ),
            ),
            _ => db_error(&e),
        })?;
    let from = schema::read_version(&mut tx)?;
    if from > schema::VERSION {
        schema::check(from, &address.describe())?;
    }
    if from < schema::VERSION {
        let prefix = server_meta_text(&mut tx, "role_prefix", "role prefix")?;
        schema::migrate(&mut tx, &prefix, from, schema::VERSION).map_err(|e| db_error(&e))?;
        let note = format!(
            "schema upgraded from version {from} to {} by the database owner {}",
            schema::VERSION,
            address.user
        );
        tx.execute(
            "SELECT sallyport.sp_append($1, NULL, 'schema_upgrade', 'ok', NULL, NULL, NULL, NULL, $2)",
            &[&address.user, &note],
        )
        .map_err(|e| db_error(&e))?;
    }
    tx.commit().map_err(|e| db_error(&e))?;
    Ok(Upgraded {
        from,
        to: schema::VERSION,
    })
}

/// An enrolment code: the team's role prefix, the invitation login and its password.
struct Code {
    prefix: String,
    login: String,
    secret: SecretString,
}

impl Code {
    const LEN: usize = 4 + 6 + 16;

    fn new(prefix: &str) -> Result<(Self, String)> {
        let id = keys::random::<6>()?;
        let secret = keys::random::<16>()?;
        let prefix_bytes = hex::decode(prefix.trim_start_matches("sp_"))
            .map_err(|_| Error::Integrity("the team's role prefix is damaged".into()))?;
        let bytes = [prefix_bytes.as_slice(), id.as_slice(), secret.as_slice()].concat();
        let text = data_encoding::BASE32_NOPAD.encode(&bytes);
        let grouped = text
            .as_bytes()
            .chunks(6)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-");
        let code = Self::parse(&grouped)?;
        Ok((code, grouped))
    }

    fn parse(text: &str) -> Result<Self> {
        let refused = || {
            Error::invalid(
                "--code",
                "this is not an enrolment code (42 letters and digits, in groups of six)",
            )
        };
        let cleaned: String = text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = data_encoding::BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map_err(|_| refused())?;
        if bytes.len() != Self::LEN {
            return Err(refused());
        }
        let prefix = format!("sp_{}", hex::encode(&bytes[..4]));
        let login = format!("{prefix}_invite_{}", hex::encode(&bytes[4..10]));
        let secret = SecretString::new(hex::encode(&bytes[10..]));
        Ok(Self {
            prefix,
            login,
            secret,
        })
    }
}

/// What `team invite` made.
#[derive(Debug, Clone, Serialize)]
pub struct Invitation {
    /// The member's name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// The enrolment code to pass them.
    pub code: String,
}

/// `team invite`: an admin invites `name` as `role`.
pub fn invite(session: &mut Session, name: &str, role: &str) -> Result<Invitation> {
    let name = sallyport_core::identity::staff_name(name)?;
    if !ROLES.contains(&role) {
        return Err(Error::invalid(
            "--role",
            format!("'{role}' is not a role (staff, editor, admin)"),
        ));
    }
    let store = team_store(session)?;
    let prefix = store.on_client(|client| {
        Ok((
            server_meta_text(client, "role_prefix", "role prefix")?,
            None,
        ))
    })?;
    let (code, text) = Code::new(&prefix)?;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::days(INVITE_DAYS);
    let expires = expires
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| Error::Storage(e.to_string()))?;
    store.on_client(|client| {
        let row = client
            .query_one(
                "SELECT head_seq, head_hash FROM sallyport.sp_invite($1, $2, $3, $4, $5::text::timestamptz)",
                &[&name, &role, &code.login, &keys::scram_verifier(&code.secret), &expires],
            )
            .map_err(|e| db_error(&e))?;
        Ok(((), head_of(&row, "head_seq", "head_hash")))
    })?;
    Ok(Invitation {
        name,
        role: role.to_owned(),
        code: text,
    })
}

/// What `team join` made.
#[derive(Debug, Clone, Serialize)]
pub struct Joined {
    /// The member's name in the team.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Their key fingerprint, to read out to an admin over another channel.
    pub fingerprint: String,
}

/// `team join`: with an enrolment code, makes this member's key pair and database login,
/// registers them with the team, and writes their profile.
pub fn join(
    address: &DbAddress,
    ca_pem: &[u8],
    code_text: &str,
    profile_path: &Path,
    master_password: &SecretString,
    staff: Option<&str>,
    kdf: KdfParams,
) -> Result<Joined> {
    let code = Code::parse(code_text)?;
    if profile_path.exists() {
        return Err(Error::VaultExists(profile_path.display().to_string()));
    }
    sallyport_core::vault::new_header_records(master_password, kdf)?; // checks it early
    let mut client = conn::connect(address, &code.login, &code.secret, ca_pem).map_err(|e| {
        match e.to_string().contains("refused the login") {
            true => Error::invalid(
                "--code",
                "the server does not know this enrolment code (mistyped, expired or for another team)",
            ),
            false => e,
        }
    })?;
    let key = MemberKey::generate()?;
    let fingerprint = keys::fingerprint(&key.public());
    let login = format!("{}_m_{}", code.prefix, hex::encode(*keys::random::<4>()?));
    let db_password = keys::login_password()?;
    // One transaction: a refusal after the server's part (another name, the profile not
    // written) leaves the code unused and no login behind.
    let mut tx = client.transaction().map_err(|e| db_error(&e))?;
    let row = tx
        .query_one(
            "SELECT name, role, team_id FROM sallyport.sp_join($1, $2, $3, $4)",
            &[
                &key.public().as_slice(),
                &fingerprint,
                &login,
                &keys::scram_verifier(&db_password),
            ],
        )
        .map_err(|e| match e.code().map(|c| c.code()) {
            Some("42883") | Some("3F000") => Error::invalid(
                "--db",
                format!("{} is not a Sallyport team database", address.describe()),
            ),
            Some("28000") => Error::invalid("--code", conn::db_message(&e)),
            _ => db_error(&e),
        })?;
    let name: String = row.get(0);
    let role: String = row.get(1);
    let team_id: String = row.get(2);
    if let Some(staff) = staff {
        if !staff.trim().eq_ignore_ascii_case(&name) {
            return Err(Error::invalid(
                "--staff",
                format!(
                    "this enrolment code was issued for {name}, not {}",
                    staff.trim()
                ),
            ));
        }
    }
    let info = TeamInfo {
        team_id,
        db: DbAddress {
            user: login,
            ..address.clone()
        },
        member: name.clone(),
        ca_pem: String::from_utf8_lossy(ca_pem).into_owned(),
    };
    let secrets = MemberSecrets { key, db_password };
    profile::create(profile_path, master_password, kdf, &info, &secrets)?;
    if let Err(e) = tx.commit() {
        let _ = std::fs::remove_file(profile_path); // a profile for a join that did not happen
        return Err(db_error(&e));
    }
    Ok(Joined {
        name,
        role,
        fingerprint,
    })
}

/// `team confirm`: an admin checks `fingerprint` against the key `name` joined with and
/// gives them the team key.
pub fn confirm(session: &mut Session, name: &str, fingerprint: &str) -> Result<()> {
    let typed = keys::normalise_fingerprint(fingerprint);
    let store = team_store(session)?;
    let team_id = store.info().team_id.clone();
    let (stored_fp, public_key): (Option<String>, Option<Vec<u8>>) = store.on_client(|client| {
        let row = client
            .query_opt(
                "SELECT fingerprint, public_key FROM sallyport.sp_members() WHERE name = $1 AND active",
                &[&name],
            )
            .map_err(|e| db_error(&e))?
            .ok_or_else(|| Error::invalid("name", format!("{name} is not a member of this team")))?;
        Ok(((row.get(0), row.get(1)), None))
    })?;
    let (Some(stored_fp), Some(public_key)) = (stored_fp, public_key) else {
        return Err(Error::invalid("name", format!("{name} has not joined yet")));
    };
    if stored_fp != typed {
        return Err(Error::invalid(
            "--fingerprint",
            format!("{typed} does not match the key {name} joined with; ask them to read theirs out again"),
        ));
    }
    let recipient: [u8; 32] = public_key
        .as_slice()
        .try_into()
        .map_err(|_| Error::Integrity(format!("{name}'s public key is damaged")))?;
    let team_key = Key256::from_bytes(*store.connected()?.team_key.expose());
    let wrapped = keys::wrap_team_key(&team_key, &recipient, &team_id, name)?;
    store.on_client(|client| {
        let row = client
            .query_one(
                "SELECT head_seq, head_hash FROM sallyport.sp_confirm($1, $2, $3)",
                &[&name, &stored_fp, &wrapped],
            )
            .map_err(|e| db_error(&e))?;
        Ok(((), head_of(&row, "head_seq", "head_hash")))
    })
}

/// A credential a removed member used, to rotate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToRotate {
    /// The customer's code (its id where the customer is no longer in the list).
    pub customer: String,
    /// The entry's label (its id where the entry is gone).
    pub entry: String,
    /// When they last used it (RFC 3339, UTC).
    pub last_used: String,
}

/// What `team remove` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    /// The member removed.
    pub removed: String,
    /// The credentials they used in the last 90 days, newest first; each is marked due for
    /// rotation.
    pub rotate: Vec<ToRotate>,
}

/// `team remove`: an admin removes `name` at once (login disabled, key deleted) and marks
/// the credentials they used in the last 90 days due for rotation; with `rekey`, every
/// record is then sealed under a new team key, wrapped for the remaining members, in one
/// transaction. The session must be locked afterwards (its key is the old one).
pub fn remove(session: &mut Session, name: &str, rekey: bool) -> Result<Removed> {
    let used: Vec<(Option<Uuid>, Option<Uuid>, i64)> =
        team_store(session)?.on_client(|client| {
            let mut tx = client.transaction().map_err(|e| db_error(&e))?;
            let rows = tx
                .query(
                    "SELECT customer_id, entry_id, last_used_us FROM sallyport.sp_remove($1)",
                    &[&name],
                )
                .map_err(|e| db_error(&e))?;
            tx.commit().map_err(|e| db_error(&e))?;
            Ok((
                rows.iter()
                    .map(|r| (r.get(0), r.get(1), r.get(2)))
                    .collect(),
                None,
            ))
        })?;
    let mut rotate = Vec::new();
    for (customer_id, entry_id, last_used_us) in used {
        let customer = customer_id.and_then(|id| session.customers().iter().find(|c| c.id == id));
        let label = entry_id.and_then(|id| {
            customer.and_then(|c| {
                c.entries
                    .iter()
                    .find(|e| e.id == id)
                    .map(|e| e.label.to_string())
            })
        });
        let last_used =
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(last_used_us) * 1000)
                .ok()
                .and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })
                .unwrap_or_default();
        rotate.push(ToRotate {
            customer: customer
                .map(|c| c.code.to_string())
                .or(customer_id.map(|id| id.to_string()))
                .unwrap_or_default(),
            entry: label
                .clone()
                .or(entry_id.map(|id| id.to_string()))
                .unwrap_or_default(),
            last_used,
        });
        if let (Some(entry), Some(_)) = (entry_id, label) {
            session.mark_rotation_due(entry, &format!("{name} was removed from the team"))?;
        }
    }
    if rekey {
        rekey_team(team_store(session)?)?;
    }
    Ok(Removed {
        removed: name.to_owned(),
        rotate,
    })
}

/// Seals every record, secret and setting under a new team key and wraps it for every
/// confirmed member, in one transaction (the customer list locked against writes meanwhile).
fn rekey_team(store: &mut TeamStore) -> Result<()> {
    let team_id = store.info().team_id.clone();
    let old = Key256::from_bytes(*store.connected()?.team_key.expose());
    let new = sallyport_core::crypto::random_key()?;
    let resealer = Resealer::new(&old, &new);
    store.on_client(|client| {
        // The read of every secret is recorded (and committed) before any secret is sent.
        let ticket: Uuid = client
            .query_one("SELECT ticket FROM sallyport.sp_rekey_begin()", &[])
            .map_err(|e| db_error(&e))?
            .get(0);
        let mut tx = client.transaction().map_err(|e| db_error(&e))?;
        let q = |tx: &mut postgres::Transaction<'_>, sql: &str| {
            tx.query(sql, &[]).map_err(|e| db_error(&e))
        };
        let secrets = tx
            .query(
                "SELECT entry_id, blob FROM sallyport.sp_rekey_secrets($1)",
                &[&ticket],
            )
            .map_err(|e| db_error(&e))?;
        let customers = q(&mut tx, "SELECT id, record FROM sallyport.customers")?;
        let entries = q(&mut tx, "SELECT id, customer_id, record FROM sallyport.entries")?;
        let meta = q(&mut tx, "SELECT key, value FROM sallyport.meta WHERE key IN ('settings', 'key_history')")?;
        let members = q(&mut tx, "SELECT name, public_key FROM sallyport.sp_members() WHERE active AND confirmed")?;
        let mut customer_ids = Vec::with_capacity(customers.len());
        let mut customer_records = Vec::with_capacity(customers.len());
        for row in &customers {
            let id: Uuid = row.get(0);
            let moved = resealer.customer(&CustomerRow { id: id.to_string(), record: row.get(1) })?;
            customer_ids.push(id);
            customer_records.push(moved.record);
        }
        let mut entry_ids = Vec::with_capacity(entries.len());
        let mut entry_records = Vec::with_capacity(entries.len());
        for row in &entries {
            let id: Uuid = row.get(0);
            let customer: Uuid = row.get(1);
            let moved = resealer.entry(&EntryRow {
                id: id.to_string(),
                customer_id: customer.to_string(),
                record: row.get(2),
            })?;
            entry_ids.push(id);
            entry_records.push(moved.record);
        }
        let mut secret_ids = Vec::with_capacity(secrets.len());
        let mut secret_blobs = Vec::with_capacity(secrets.len());
        for row in &secrets {
            let id: Uuid = row.get(0);
            let blob: Vec<u8> = row.get(1);
            secret_blobs.push(resealer.secrets(&id.to_string(), &blob)?);
            secret_ids.push(id);
        }
        let value = |key: &str| {
            meta.iter()
                .find(|r| r.get::<_, String>(0) == key)
                .map(|r| r.get::<_, Vec<u8>>(1))
        };
        let settings = value("settings")
            .ok_or_else(|| Error::Integrity("the team's settings are missing".into()))?;
        let settings = resealer.meta("settings", &settings)?;
        let mut history = match value("key_history") {
            Some(sealed) => crate::store::open_key_history(&old, &team_id, &sealed)?,
            None => Vec::new(),
        };
        history.push(old);
        let history = crate::store::seal_key_history(&new, &team_id, &history)?;
        let mut names = Vec::with_capacity(members.len());
        let mut wrapped = Vec::with_capacity(members.len());
        for row in &members {
            let name: String = row.get(0);
            let public: Vec<u8> = row.get(1);
            let public: [u8; 32] = public
                .as_slice()
                .try_into()
                .map_err(|_| Error::Integrity(format!("{name}'s public key is damaged")))?;
            wrapped.push(keys::wrap_team_key(&new, &public, &team_id, &name)?);
            names.push(name);
        }
        let row = tx
            .query_one(
                "SELECT head_seq, head_hash FROM sallyport.sp_rekey($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &customer_ids,
                    &customer_records,
                    &entry_ids,
                    &entry_records,
                    &secret_ids,
                    &secret_blobs,
                    &settings,
                    &history,
                    &names,
                    &wrapped,
                ],
            )
            .map_err(|e| db_error(&e))?;
        tx.commit().map_err(|e| db_error(&e))?;
        Ok(((), head_of(&row, "head_seq", "head_hash")))
    })
}

/// One member as `team members` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// Their name.
    pub name: String,
    /// Their role.
    pub role: String,
    /// Whether an admin confirmed their fingerprint.
    pub confirmed: bool,
    /// Whether they are still in the team.
    pub active: bool,
}

/// An invitation not used yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invited {
    /// The name invited.
    pub name: String,
    /// The role they will have.
    pub role: String,
    /// The admin who invited them.
    pub invited_by: String,
    /// When the code stops working (RFC 3339, UTC).
    pub expires_at: String,
}

/// The invitations not used yet, soonest to expire first (admin).
pub fn invitations(session: &mut Session) -> Result<Vec<Invited>> {
    team_store(session)?.on_client(|client| {
        let rows = client
            .query(
                "SELECT name, role, invited_by, to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
                 FROM sallyport.sp_invitations()",
                &[],
            )
            .map_err(|e| db_error(&e))?;
        Ok((
            rows.iter()
                .map(|r| Invited {
                    name: r.get(0),
                    role: r.get(1),
                    invited_by: r.get(2),
                    expires_at: r.get(3),
                })
                .collect(),
            None,
        ))
    })
}

/// `team revoke`: an admin withdraws `name`'s invitations not used yet; their codes stop
/// working at once (the invitation logins are dropped). Recorded as `invite_revoke`.
pub fn revoke(session: &mut Session, name: &str) -> Result<()> {
    let name = name.trim();
    team_store(session)?.on_client(|client| {
        let row = client
            .query_one(
                "SELECT head_seq, head_hash FROM sallyport.sp_revoke_invite($1)",
                &[&name],
            )
            .map_err(|e| match e.code().map(|c| c.code()) {
                Some("22023") => Error::invalid("name", conn::db_message(&e)),
                _ => db_error(&e),
            })?;
        Ok(((), head_of(&row, "head_seq", "head_hash")))
    })
}

/// This member's role (`staff`, `editor`, `admin`); refused on a local vault.
pub fn my_role(session: &mut Session) -> Result<String> {
    Ok(team_store(session)?.role()?.to_owned())
}

/// `team members`.
pub fn members(session: &mut Session) -> Result<Vec<Member>> {
    team_store(session)?.on_client(|client| {
        let rows = client
            .query(
                "SELECT name, role, confirmed, active FROM sallyport.sp_members()",
                &[],
            )
            .map_err(|e| db_error(&e))?;
        Ok((
            rows.iter()
                .map(|r| Member {
                    name: r.get(0),
                    role: r.get(1),
                    confirmed: r.get(2),
                    active: r.get(3),
                })
                .collect(),
            None,
        ))
    })
}

/// `team db-env`: this member's own database login as `NAME='value'` lines for a POSIX
/// shell, recorded by the server first.
pub fn db_env(
    session: &mut Session,
    profile_path: &Path,
) -> Result<Vec<(&'static str, SecretString)>> {
    let store = team_store(session)?;
    store.on_client(|client| {
        let row = client
            .query_one("SELECT head_seq, head_hash FROM sallyport.sp_db_env()", &[])
            .map_err(|e| db_error(&e))?;
        Ok(((), head_of(&row, "head_seq", "head_hash")))
    })?;
    let info = store.info().clone();
    let password = SecretString::from(store.connected()?.db_password.expose());
    Ok(vec![
        ("PGHOST", SecretString::new(info.db.host)),
        ("PGPORT", SecretString::new(info.db.port.to_string())),
        ("PGDATABASE", SecretString::new(info.db.dbname)),
        ("PGUSER", SecretString::new(info.db.user)),
        ("PGPASSWORD", password),
        ("PGSSLMODE", SecretString::from("verify-full")),
        (
            "PGSSLROOTCERT",
            SecretString::new(profile::ca_file(profile_path).display().to_string()),
        ),
    ])
}

/// The team store of an unlocked team session.
fn team_store(session: &mut Session) -> Result<&mut TeamStore> {
    session
        .store_as::<TeamStore>()
        .ok_or_else(|| Error::invalid("vault", "this is a local vault, not a team profile"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_carry_no_team_key() {
        let (code, text) = Code::new("sp_1a2b3c4d").unwrap();
        let parsed = Code::parse(&text.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(parsed.prefix, "sp_1a2b3c4d");
        assert_eq!(parsed.login, code.login);
        assert!(code.login.starts_with("sp_1a2b3c4d_invite_"));
        assert_eq!(parsed.secret.expose(), code.secret.expose());
        assert!(Code::parse("ABCD-EFGH").is_err());
        assert!(Code::parse(&format!("{text}AA")).is_err());
    }
}
