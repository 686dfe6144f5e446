//! What both shells call, below the command line and the desktop app and above the crates
//! that do the work: the vault a profile names ([`Profile`], a local file today, a team
//! database tomorrow) and Connect from plan to clean-up ([`connect`]). A sequence of calls
//! that both shells would otherwise write lives here, once.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod connect;
mod hardening;
pub mod logging;
mod profile;

pub use connect::{connect, ConnectError, ConnectOptions, Connection, Platform, CLEAN_UP_GRACE};
pub use hardening::disable_core_dumps;
pub use profile::Profile;
pub use sallyport_launch::{PendingCleanups, Started};
