//! The team crate's tests against a real PostgreSQL (tests/pg/server.sh), through the
//! core's sessions as the shells use them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod launch;
mod upgrade;
mod working_together;
