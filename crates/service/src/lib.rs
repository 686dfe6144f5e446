//! What both shells call, below the command line and the desktop app and above the crates
//! that do the work: the vault a profile names ([`Profile`], a local file today, a team
//! database tomorrow) and Connect from plan to clean-up ([`connect`]). A sequence of calls
//! that both shells would otherwise write lives here, once.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cert_probe;
mod connect;
mod hardening;
pub mod logging;
mod profile;

pub use connect::{
    connect, CertificateReader, ConnectError, ConnectOptions, Connection, Platform, CLEAN_UP_GRACE,
};
pub use hardening::disable_core_dumps;
pub use profile::Profile;
pub use sallyport_launch::{PendingCleanups, Started};

/// What each shell does first, before any secret is in memory: core dumps off
/// ([`disable_core_dumps`]), then the diagnostic log started ([`logging::init`] for
/// `program`). Returns what went wrong, as warnings for the shell to show: the program
/// runs on either way.
pub fn start_process(program: &'static str) -> Vec<String> {
    let mut warnings = Vec::new();
    if let Err(e) = disable_core_dumps() {
        warnings.push(e.to_string());
    }
    if let Err(e) = logging::init(program) {
        warnings.push(format!("no diagnostic log: {e}"));
    }
    warnings
}
