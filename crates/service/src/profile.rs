//! Which vault the user means. `--vault PATH` (or `SALLYPORT_VAULT`, or the default
//! location) names a profile; the profile says which backend keeps the vault: a local
//! vault file, or a member's team profile (a file of the same kind that names a team
//! database). Nothing above this module knows the difference.

use std::path::{Path, PathBuf};

use sallyport_core::store::Backend;
use sallyport_core::Result;
use sallyport_sqlite::LocalFile;
use sallyport_team::TeamBackend;

/// A vault the user named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Profile {
    /// A vault in one local file (SQLite).
    LocalFile(PathBuf),
    /// A member's profile of a team vault on PostgreSQL.
    Team(PathBuf),
}

impl Profile {
    /// The profile at `path`: a team profile when the file is one, otherwise a local vault
    /// file (which need not exist yet: a new vault is created there).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        match sallyport_team::is_team_profile(&path) {
            true => Profile::Team(path),
            false => Profile::LocalFile(path),
        }
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
            Profile::LocalFile(path) | Profile::Team(path) => path,
        }
    }

    /// Whether this is a team profile.
    pub fn is_team(&self) -> bool {
        matches!(self, Profile::Team(_))
    }

    /// The backend that keeps this profile's vault, for the core's session constructors.
    pub fn backend(&self) -> Box<dyn Backend> {
        match self {
            Profile::LocalFile(path) => Box::new(LocalFile::new(path)),
            Profile::Team(path) => Box::new(TeamBackend::new(path)),
        }
    }
}
