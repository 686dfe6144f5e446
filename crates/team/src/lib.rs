//! Sallyport's team vault: one end-to-end encrypted customer database on PostgreSQL for a
//! whole support team, behind `sallyport-core`'s store seam, with the audit log kept by the
//! server.
//!
//! - [`conn`]: TLS (verify-full against the team's pinned CA) and one-line refusals.
//! - `schema`: the schema's versions (`schema.sql`, then `migrations/`), run by `team init`
//!   and `team upgrade`. `schema.sql`: tables, the member roles (staff < editor < admin) and the `SECURITY
//!   DEFINER` functions that are the only way to a secret or into the audit log.
//! - [`keys`]: member key pairs (X25519), the team key wrapped per member, fingerprints.
//! - [`profile`]: a member's local profile file (`--vault PATH`).
//! - [`store`]: [`TeamBackend`] / [`TeamStore`], the core's `Backend` and `Store`.
//! - [`admin`]: `team init`, `invite`, `join`, `confirm`, `members`, `db-env`.
//! - `chain`: the client's check of the server's audit chain.
//! - `live`: other members' changes, followed with `LISTEN`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod admin;
mod chain;
pub mod conn;
pub mod keys;
mod live;
pub mod profile;
mod schema;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;

pub use profile::is_team_profile;
pub use schema::VERSION as SCHEMA_VERSION;
pub use store::{TeamBackend, TeamStore};
