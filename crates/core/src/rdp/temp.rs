//! The private directory for temporary .rdp files: 0700, files 0600 with random names (the
//! path shows in the client's argv, so it says nothing about the customer), removed once
//! the client has read them and swept at start-up.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::writer::RdpFile;
use crate::{Error, Result};

/// Files older than this are removed by [`RdpTempDir::sweep`] at start-up.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// A private directory for temporary .rdp files.
#[derive(Debug, Clone)]
pub struct RdpTempDir {
    dir: PathBuf,
}

impl RdpTempDir {
    /// The per-user default: `$XDG_RUNTIME_DIR/sallyport-rdp` on Linux (a tmpfs only the
    /// user can read), otherwise the OS cache directory's `sallyport/rdp`.
    pub fn default_location() -> Result<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "sallyport").ok_or_else(|| {
            Error::NotFound("cannot determine a private directory for .rdp files".into())
        })?;
        Ok(match dirs.runtime_dir() {
            Some(runtime) => runtime.join("rdp"),
            None => dirs.cache_dir().join("rdp"),
        })
    }

    /// Opens (creating it 0700 if needed) the directory and removes stale files in it.
    pub fn open(dir: &Path) -> Result<Self> {
        crate::private_fs::create_dir(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(|e| Error::io(dir, e))?;
        }
        let temp = Self {
            dir: dir.to_path_buf(),
        };
        temp.sweep(STALE_AFTER)?;
        Ok(temp)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A fresh random file name in the directory (nothing is written).
    pub fn reserve(&self) -> Result<PathBuf> {
        let mut name = [0u8; 12];
        crate::crypto::fill_random(&mut name)?;
        Ok(self
            .dir
            .join(format!("sallyport-{}.rdp", hex::encode(name))))
    }

    /// Writes `file` under a fresh random name, 0600; returns its path.
    pub fn write(&self, file: &RdpFile) -> Result<PathBuf> {
        let path = self.reserve()?;
        write_new(&path, file)?;
        Ok(path)
    }

    /// Writes `file` at a path from [`RdpTempDir::reserve`] (refusing an existing file).
    /// The file is removed when the returned [`TempRdpFile`] goes.
    pub fn write_at(&self, path: &Path, file: &RdpFile) -> Result<TempRdpFile> {
        if path.parent() != Some(self.dir.as_path()) {
            return Err(Error::invalid(
                "rdp file",
                "is not in the private directory",
            ));
        }
        write_new(path, file)?;
        Ok(TempRdpFile {
            path: path.to_path_buf(),
        })
    }

    /// Removes `.rdp` files older than `age`; returns how many were removed.
    pub fn sweep(&self, age: Duration) -> Result<usize> {
        sweep(&self.dir, age)
    }
}

/// A temporary .rdp file that is removed when this value is dropped: whoever holds it owns
/// the file's removal (the launcher keeps it until the client has read the file).
#[derive(Debug)]
pub struct TempRdpFile {
    path: PathBuf,
}

impl TempRdpFile {
    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempRdpFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Creates `path` (0600, refusing an existing file) with the file's bytes.
fn write_new(path: &Path, file: &RdpFile) -> Result<()> {
    let mut out = crate::private_fs::create_new(path).map_err(|e| Error::io(path, e))?;
    out.write_all(&file.to_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Removes `.rdp` files in `dir` older than `age`.
fn sweep(dir: &Path, age: Duration) -> Result<usize> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(|t| now.duration_since(t).unwrap_or_default() >= age)
            .unwrap_or(false);
        if stale
            && path.extension().is_some_and(|e| e == "rdp")
            && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    Ok(removed)
}
