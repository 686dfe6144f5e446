//! Remote Desktop: writing .rdp files and planning the launch of the official client.
//!
//! [`RdpFile::for_entry`] turns an entry and the user's preferences into the lines of an
//! .rdp file, every value validated so that nothing can add a line; [`plan_launch`] is a
//! pure function from (entry, OS, environment) to the program, its arguments and how the
//! password is handed over. Only the final spawn is per-platform (crate `sallyport-launch`).

mod launch;
mod preferences;
mod sign;
mod temp;
mod writer;

pub use launch::{clipboard_notice, plan_launch, CredentialHandoff, LaunchEnv, LaunchPlan, Os};
pub use preferences::{RdpPreferences, ScreenMode};
pub use sign::SECURE_SETTINGS;
pub use temp::{RdpTempDir, TempRdpFile};
pub use writer::{parse, RdpFile, DEFAULT_RDP_PORT};
