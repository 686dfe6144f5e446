//! One module per subcommand.

pub mod audit;
pub mod check;
pub mod connect;
pub mod copy;
pub mod export;
pub mod genpw;
pub mod import;
pub mod init;
pub mod list;
pub mod passwd;
pub mod rdp;
pub mod reason;
pub mod report;
pub mod rotated;
pub mod set_totp;
pub mod show;
pub mod signing;
pub mod statement;
pub mod team;
pub mod totp;
