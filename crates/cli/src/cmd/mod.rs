//! One module per subcommand.

pub mod audit;
pub mod import;
pub mod init;
pub mod list;
pub mod passwd;
pub mod show;
