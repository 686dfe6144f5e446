//! Files and directories only the current user can read: the vault (0600 in a 0700
//! directory), exports of the audit log, and later the temporary .rdp files. And the
//! reading of files the user names (imports, backups, images, certificates): regular
//! files only, bounded where they are read whole.

use std::fs::{File, OpenOptions};
use std::io::Read;
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

/// Opens `path` for reading if it is a regular file. A FIFO, a device (`/dev/zero`) or a
/// folder is refused before it is opened: opening a FIFO waits for a writer, and reading a
/// device may never end, both while the vault is held.
pub(crate) fn open_regular_file(path: &Path) -> Result<File> {
    let not_regular = || {
        Error::invalid(
            path.display().to_string(),
            "is not a regular file (a folder, FIFO or device cannot be read)",
        )
    };
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    // Replaced between the two looks?
    match file.metadata() {
        Ok(m) if m.is_file() => Ok(file),
        _ => Err(not_regular()),
    }
}

/// The whole of a file read at once (an image, a certificate, a key): refused unread when it
/// is not a regular file or has more than `max` bytes (a whole number of MB), saying that
/// `what` ("a certificate") may have at most that.
pub(crate) fn read_small_file(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    const MB: u64 = 1 << 20;
    let file = open_regular_file(path)?;
    let size = file.metadata().map_err(|e| Error::io(path, e))?.len();
    if size > max {
        return Err(Error::invalid(
            path.display().to_string(),
            format!(
                "is {} MB; {what} may have at most {} MB",
                size.div_ceil(MB),
                max / MB
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(max)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}
