//! Files and directories only the current user can read: the vault (0600 in a 0700
//! directory), exports of the audit log, and later the temporary .rdp files.

use std::fs::{File, OpenOptions};
use std::path::Path;

use crate::{Error, Result};

/// Creates `dir` and its missing parents, the new ones 0700 on Unix.
pub fn create_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|e| Error::io(dir, e))?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    Ok(())
}

/// Creates a new file, 0600 on Unix; `AlreadyExists` is passed through for the caller to
/// name.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    options().create_new(true).open(path)
}

/// Creates or replaces a file, 0600 on Unix (an existing file is narrowed to 0600 too).
pub fn create_or_replace(path: &Path) -> Result<File> {
    let file = options()
        .create(true)
        .truncate(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(file)
}

fn options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}
