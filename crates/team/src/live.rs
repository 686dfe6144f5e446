//! Other members' changes, live: `sp_write` and `sp_rekey` notify the channel
//! `sallyport_changes` (with the writer's name) when they commit. A watch is a second
//! connection under the member's own login that listens there, on a thread of its own, and
//! tells the session's owner, who reads the list again. Notifications carry no customer
//! data; a missed one only means the list is refreshed at the next change or unlock.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use sallyport_core::store::{ChangeHandler, ChangeWatch};
use sallyport_core::{Result, SecretString};

use crate::conn::{self, db_error};
use crate::profile::TeamInfo;

/// The channel the database's writing functions notify.
pub const CHANNEL: &str = "sallyport_changes";

/// How often the listening thread looks whether its watch was dropped.
const POLL: Duration = Duration::from_millis(250);

/// Ends the listening thread when dropped: within [`POLL`], without waiting for it (its
/// handler may be waiting for the lock of the session being dropped); its connection
/// closes with it.
struct Stop(Arc<AtomicBool>);

impl Drop for Stop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Listens for the team's changes as the member of `info`, calling `changed` with the
/// name of whoever committed each. Connecting and `LISTEN` happen before this returns, so
/// a refused connection is the caller's error, not a silent thread.
pub(crate) fn watch(
    info: &TeamInfo,
    db_password: &SecretString,
    changed: ChangeHandler,
) -> Result<ChangeWatch> {
    let mut client = conn::connect(&info.db, &info.db.user, db_password, info.ca_pem.as_bytes())?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .map_err(|e| db_error(&e))?;
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    std::thread::Builder::new()
        .name("sallyport-team-changes".into())
        .spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let mut notifications = client.notifications();
                let mut arrived = notifications.timeout_iter(POLL);
                loop {
                    match arrived.next() {
                        Ok(Some(_)) if stopped.load(Ordering::Relaxed) => return,
                        Ok(Some(note)) if note.channel() == CHANNEL => changed(note.payload()),
                        Ok(Some(_)) => {}
                        Ok(None) => break, // nothing within POLL: look at the stop flag
                        Err(_) => return,  // the connection is gone: the watch ends
                    }
                }
            }
        })
        .map_err(|e| {
            sallyport_core::Error::Storage(format!("cannot start the change watch: {e}"))
        })?;
    Ok(ChangeWatch::new(Stop(stop)))
}
