//! Which vault the user means. `--vault PATH` (or `SALLYPORT_VAULT`, or the default
//! location) names a profile; the profile says which backend keeps the vault. Today every
//! profile is a local vault file; the team vault adds a profile kind here, and nothing
//! above this module changes.

use std::path::{Path, PathBuf};

use sallyport_core::store::Backend;
use sallyport_core::Result;
use sallyport_sqlite::LocalFile;

/// A vault the user named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// A vault in one local file (SQLite).
    LocalFile(PathBuf),
}

impl Profile {
    /// The profile at `path` (which need not exist yet: a new vault is created there).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Profile::LocalFile(path.into())
    }

    /// The profile at `path`, or at the default location when none is given.
    pub fn at_or_default(path: Option<PathBuf>) -> Result<Self> {
        match path {
            Some(path) if !path.as_os_str().is_empty() => Ok(Self::at(path)),
            _ => Ok(Self::at(LocalFile::default_path()?)),
        }
    }

    /// The file the profile is kept in.
    pub fn path(&self) -> &Path {
        match self {
            Profile::LocalFile(path) => path,
        }
    }

    /// The backend that keeps this profile's vault, for the core's session constructors.
    pub fn backend(&self) -> Box<dyn Backend> {
        match self {
            Profile::LocalFile(path) => Box::new(LocalFile::new(path)),
        }
    }
}
