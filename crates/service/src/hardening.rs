//! What each shell does first, before any secret is in memory: no core dumps.
//!
//! A core dump holds the process's memory, decrypted customer list, data key and all, and
//! ends up in a file (or `systemd-coredump`'s store) that outlives the session. So, on
//! Linux, the process marks itself not dumpable (`PR_SET_DUMPABLE 0`: no core file, and no
//! other process of the same user may `ptrace` it or read its memory through `/proc`) and
//! sets its core file limit to 0 (also for the children it starts, which inherit it; a
//! child that `exec`s another program is dumpable again, but holds no secret of ours). On
//! other Unix systems (macOS) only the limit exists. Windows writes a crash dump only where
//! Windows Error Reporting's `LocalDumps` is configured by an administrator; nothing is done
//! there.

use std::io;

/// Turns off core dumps for this process (see the module's text). An error says which step
/// failed; the shells report it as a warning and go on.
pub fn disable_core_dumps() -> io::Result<()> {
    #[cfg(unix)]
    {
        use rustix::process::{setrlimit, Resource, Rlimit};
        setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        )
        .map_err(|e| io::Error::other(format!("cannot set the core file limit to 0: {e}")))?;
    }
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{set_dumpable_behavior, DumpableBehavior};
        set_dumpable_behavior(DumpableBehavior::NotDumpable)
            .map_err(|e| io::Error::other(format!("cannot mark the process not dumpable: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn the_process_is_not_dumpable_and_its_core_limit_is_zero() {
        use rustix::process::{dumpable_behavior, getrlimit, DumpableBehavior, Resource};
        super::disable_core_dumps().unwrap();
        assert_eq!(dumpable_behavior().unwrap(), DumpableBehavior::NotDumpable);
        let limit = getrlimit(Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
    }
}
