//! One module per subcommand.

pub mod audit;
pub mod connect;
pub mod copy;
pub mod export;
pub mod import;
pub mod init;
pub mod list;
pub mod passwd;
pub mod rdp;
pub mod set_totp;
pub mod show;
pub mod totp;
