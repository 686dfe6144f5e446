//! The diagnostic log both shells write, so that "Connect did nothing" can be looked into:
//! one file under the OS's state folder, `0600`, with what the program did and how it
//! ended: unlock, import, connect (plan, hand-off, start, exit, clean-up), team calls.
//!
//! What goes in: ids, program names, counts, durations, outcomes and error kinds. What never
//! does: a secret (they are types that cannot be formatted: `Debug` prints `<redacted>`, no
//! `Display`) and text about customers (names, hosts, notes): events name entries by id.
//!
//! Where: `SALLYPORT_LOG_DIR` if set, else `$XDG_STATE_HOME/sallyport` (or
//! `~/.local/state/sallyport`) on Linux, `~/Library/Logs/Sallyport` on macOS,
//! `%LOCALAPPDATA%\Sallyport\logs` on Windows. How much: `SALLYPORT_LOG` (a level such as
//! `debug`, or `tracing` directives; default `info`). The file is rotated at start when
//! it has grown past [`ROTATE_AT_BYTES`]: the old one becomes `sallyport.log.1`.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// The log file's name in its folder.
pub const LOG_FILE: &str = "sallyport.log";
/// A log file larger than this is moved aside (to `sallyport.log.1`) at start.
pub const ROTATE_AT_BYTES: u64 = 5 << 20;

/// The folder the log goes to (see the module's text), if one can be named.
pub fn log_dir() -> Option<PathBuf> {
    let env = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(dir) = env("SALLYPORT_LOG_DIR") {
        return Some(dir);
    }
    if cfg!(windows) {
        return env("LOCALAPPDATA").map(|d| d.join("Sallyport").join("logs"));
    }
    let home = env("HOME");
    if cfg!(target_os = "macos") {
        return home.map(|h| h.join("Library/Logs/Sallyport"));
    }
    env("XDG_STATE_HOME")
        .filter(|d| d.is_absolute())
        .or_else(|| home.map(|h| h.join(".local/state")))
        .map(|d| d.join("sallyport"))
}

/// Starts logging to the file for `program` (`cli` or `app`, written on each line's span).
/// Returns the file's path; an error (a folder that cannot be made, say) is the caller's to
/// report as a warning: the program runs without a log.
pub fn init(program: &'static str) -> std::io::Result<PathBuf> {
    let dir = log_dir()
        .ok_or_else(|| std::io::Error::other("no folder for the log (HOME is not set)"))?;
    sallyport_core::private_fs::create_dir(&dir)
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let path = dir.join(LOG_FILE);
    let file = open_log(&path)?;
    let filter =
        EnvFilter::try_from_env("SALLYPORT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    tracing::info!(
        program,
        version = env!("CARGO_PKG_VERSION"),
        pid = std::process::id(),
        "started"
    );
    Ok(path)
}

/// Opens `path` for appending, `0600`, after moving a large one aside.
fn open_log(path: &Path) -> std::io::Result<File> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_AT_BYTES) {
        std::fs::rename(path, path.with_extension("log.1"))?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        // A file made before (or by hand) with wider rights is narrowed.
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_log_is_moved_aside_and_the_new_one_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        std::fs::write(&path, vec![b'x'; ROTATE_AT_BYTES as usize + 1]).unwrap();
        let file = open_log(&path).unwrap();
        drop(file);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
        assert_eq!(
            std::fs::metadata(dir.path().join("sallyport.log.1"))
                .unwrap()
                .len(),
            ROTATE_AT_BYTES + 1
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
