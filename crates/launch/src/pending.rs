//! Clean-ups that wait for their client, for a caller that runs on after Connect (the
//! desktop app): each waits on a thread of its own until the client exits or the grace
//! period passes, and [`PendingCleanups::clean_up_now`] (the app's exit) does all that are
//! still waiting at once, so that quitting early leaves no file or credential behind.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::{Started, POLL};

/// The launches whose leftovers are still waiting to be removed. Cloning shares them.
#[derive(Debug, Default, Clone)]
pub struct PendingCleanups {
    inner: Arc<Mutex<Pending>>,
}

#[derive(Debug, Default)]
struct Pending {
    next_id: u64,
    started: HashMap<u64, Started>,
    /// Clients watched after their clean-up, with their tags ([`PendingCleanups::watch`]).
    watched: HashMap<u64, (Started, String)>,
}

impl PendingCleanups {
    /// Keeps `started` until its client exits or `grace` has passed (then its leftovers are
    /// removed, on a thread of its own), or until [`Self::clean_up_now`].
    pub fn adopt(&self, started: Started, grace: Duration) {
        let id = {
            let mut pending = self.lock();
            let id = pending.next_id;
            pending.next_id += 1;
            pending.started.insert(id, started);
            id
        };
        let inner = Arc::clone(&self.inner);
        let deadline = Instant::now() + grace;
        std::thread::spawn(move || loop {
            {
                let mut pending = inner.lock().unwrap_or_else(PoisonError::into_inner);
                let Some(started) = pending.started.get_mut(&id) else {
                    return; // cleaned up already (the app is quitting)
                };
                if started.exit_status().is_some() || Instant::now() >= deadline {
                    // Under the lock, so that `clean_up_now` returns only once this is
                    // done too: removes the file and the credentials.
                    drop(pending.started.remove(&id));
                    return;
                }
            }
            std::thread::sleep(POLL);
        });
    }

    /// Like [`Self::adopt`], and the client is watched after its clean-up: while it runs,
    /// [`Self::running`] names `tag` (the desktop app tags the sessions whose .rdp file
    /// shares the clipboard with the customer it connects to).
    pub fn watch(&self, started: Started, grace: Duration, tag: String) {
        let id = {
            let mut pending = self.lock();
            let id = pending.next_id;
            pending.next_id += 1;
            pending.watched.insert(id, (started, tag));
            id
        };
        let inner = Arc::clone(&self.inner);
        let deadline = Instant::now() + grace;
        std::thread::spawn(move || loop {
            {
                let mut pending = inner.lock().unwrap_or_else(PoisonError::into_inner);
                let Some((started, _)) = pending.watched.get_mut(&id) else {
                    return;
                };
                if started.exit_status().is_some() {
                    drop(pending.watched.remove(&id));
                    return;
                }
                if Instant::now() >= deadline {
                    started.remove_leftovers();
                    return; // `running` looks after it from now on
                }
            }
            std::thread::sleep(POLL);
        });
    }

    /// The tags of the watched clients that still run (each once).
    pub fn running(&self) -> Vec<String> {
        let mut pending = self.lock();
        pending
            .watched
            .retain(|_, (started, _)| started.exit_status().is_none());
        let mut tags: Vec<String> = pending.watched.values().map(|(_, t)| t.clone()).collect();
        tags.sort();
        tags.dedup();
        tags
    }

    /// How many launches are still waiting.
    pub fn len(&self) -> usize {
        self.lock().started.len()
    }

    /// Whether none is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes what every waiting launch left, now (their clients keep running); returns
    /// once that is done, also for a clean-up that was under way on its own thread.
    pub fn clean_up_now(&self) {
        let mut pending = self.lock();
        pending.started.clear();
        for (started, _) in pending.watched.values_mut() {
            started.remove_leftovers();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
