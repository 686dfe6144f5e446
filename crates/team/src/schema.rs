//! The team database's schema and its versions. `schema.sql` is version 1 as `team init`
//! first wrote it; each file in `migrations/` takes the schema one version further. `team
//! init` runs all of them in its one transaction; `team upgrade` (the database's owner) runs
//! the ones a database has not had yet, in one transaction. `meta.schema_version` says where
//! a database is; a client refuses a database at another version than its own, naming what
//! to do.

use postgres::GenericClient;
use sallyport_core::{Error, Result};

/// Version 1, with `:prefix` for the team's role prefix.
const VERSION_1: &str = include_str!("schema.sql");

/// `MIGRATIONS[i]` takes the schema from version `i + 1` to `i + 2`.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/v2_tickets.sql"),
    include_str!("migrations/v3_revoke.sql"),
    include_str!("migrations/v4_fast_use.sql"),
    include_str!("migrations/v5_one_trip.sql"),
];

/// The schema version this Sallyport speaks.
pub const VERSION: u32 = 1 + MIGRATIONS.len() as u32;

/// Creates the schema at `version` (tests make older ones; `team init` the current one)
/// and records the version in `meta`.
pub(crate) fn create(
    client: &mut impl GenericClient,
    prefix: &str,
    version: u32,
) -> std::result::Result<(), postgres::Error> {
    client.batch_execute(&VERSION_1.replace(":prefix", prefix))?;
    client.execute(
        "INSERT INTO sallyport.meta VALUES ('schema_version', $1)",
        &[&b"1".as_slice()],
    )?;
    migrate(client, prefix, 1, version)
}

/// Runs the migrations from version `from` up to `to` (at most [`VERSION`]), recording
/// each version reached.
pub(crate) fn migrate(
    client: &mut impl GenericClient,
    prefix: &str,
    from: u32,
    to: u32,
) -> std::result::Result<(), postgres::Error> {
    let steps = MIGRATIONS
        .iter()
        .zip(2u32..)
        .skip(from.saturating_sub(1) as usize);
    for (sql, version) in steps.take(to.saturating_sub(from) as usize) {
        client.batch_execute(&sql.replace(":prefix", prefix))?;
        client.execute(
            "UPDATE sallyport.meta SET value = $1 WHERE key = 'schema_version'",
            &[&version.to_string().as_bytes()],
        )?;
    }
    Ok(())
}

/// The version `meta.schema_version` holds.
pub(crate) fn read_version(client: &mut impl GenericClient) -> Result<u32> {
    crate::store::server_meta_text(client, "schema_version", "schema version")?
        .parse()
        .map_err(|_| Error::Integrity("the team database's schema version is not a number".into()))
}

/// Refuses a database at another schema version than this client's, saying what to do.
pub(crate) fn check(version: u32, database: &str) -> Result<()> {
    match version.cmp(&VERSION) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Less => Err(Error::invalid(
            "team",
            format!(
                "{database} has team schema version {version} and this Sallyport needs {VERSION}: the database's owner runs `sallyport team upgrade --db postgres://OWNER@HOST:PORT/DB --ca CA.pem`"
            ),
        )),
        std::cmp::Ordering::Greater => Err(Error::invalid(
            "team",
            format!(
                "{database} has team schema version {version}, newer than this Sallyport's {VERSION}: update Sallyport"
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_names_its_version_and_re_grants_nothing_to_public() {
        for (i, sql) in MIGRATIONS.iter().enumerate() {
            let version = i + 2;
            assert!(
                sql.starts_with(&format!("-- Schema version {version}:")),
                "migration {version} does not say which version it makes"
            );
            assert!(
                sql.contains("REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sallyport FROM PUBLIC"),
                "migration {version} leaves its functions executable by PUBLIC"
            );
        }
    }

    #[test]
    fn another_version_is_refused_with_what_to_do() {
        assert!(check(VERSION, "db").is_ok());
        let older = check(VERSION - 1, "db").unwrap_err().to_string();
        assert!(older.contains("sallyport team upgrade"), "{older}");
        let newer = check(VERSION + 1, "db").unwrap_err().to_string();
        assert!(newer.contains("update Sallyport"), "{newer}");
    }
}
