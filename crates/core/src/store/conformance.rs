//! The store conformance suite: what every storage backend must do, checked the same way
//! for each. [`crate::store_conformance_tests!`] turns it into one `#[test]` per property in
//! the backend's own tests (the in-memory store in the core, SQLite in `sallyport-sqlite`,
//! PostgreSQL in `sallyport-team`).
//!
//! Each check takes a maker of fresh, empty stores; it returns the store with a guard that
//! keeps whatever the store needs alive (a temporary directory, a database) until the check
//! ends. Checks panic on failure, as tests do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::{AuditRow, CustomerRow, EntryRow, FailedUnlock, Store};
use crate::Error;

/// A maker of fresh, empty stores, each with what keeps it alive.
pub type Maker<'a, G> = &'a mut dyn FnMut() -> (Box<dyn Store>, G);

fn customer(id: &str, record: &[u8]) -> CustomerRow {
    CustomerRow {
        id: id.into(),
        record: record.to_vec(),
    }
}

fn entry(id: &str, customer_id: &str, record: &[u8]) -> EntryRow {
    EntryRow {
        id: id.into(),
        customer_id: customer_id.into(),
        record: record.to_vec(),
    }
}

fn audit(seq: u64) -> AuditRow {
    AuditRow {
        seq,
        record: format!("event {seq}").into_bytes(),
        mac: vec![seq as u8; 32],
    }
}

fn stop() -> Error {
    Error::Storage("stop".into())
}

/// Meta values: absent until set, then read back, replaced by a later write.
pub fn meta_round_trip<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    assert_eq!(store.meta("header").unwrap(), None);
    store
        .set_meta(&[("header", b"one"), ("sum", b"two")])
        .unwrap();
    assert_eq!(store.meta("header").unwrap().as_deref(), Some(&b"one"[..]));
    store.set_meta(&[("header", b"three")]).unwrap();
    assert_eq!(
        store.meta("header").unwrap().as_deref(),
        Some(&b"three"[..])
    );
    assert_eq!(store.meta("sum").unwrap().as_deref(), Some(&b"two"[..]));
}

/// A batch that fails leaves the store exactly as before, whatever it had written, and the
/// batch's own error comes back.
pub fn failed_batch_rolls_back<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    store
        .write(&mut |tx| {
            tx.put_meta("kept", b"1")?;
            tx.put_customer(&customer("c0", b"before"))?;
            tx.put_audit(&audit(1))
        })
        .unwrap();
    let result = store.write(&mut |tx| {
        tx.put_meta("kept", b"2")?;
        tx.put_meta("new", b"x")?;
        tx.put_customer(&customer("c0", b"after"))?;
        tx.put_customer(&customer("c1", b"new"))?;
        tx.put_entry(&entry("e1", "c1", b"entry"))?;
        tx.put_entry_secrets("e1", b"secret")?;
        tx.put_audit(&audit(2))?;
        tx.add_failed_unlock(&note(5), 10)?;
        Err(stop())
    });
    assert!(matches!(result, Err(Error::Storage(m)) if m == "stop"));
    assert_eq!(store.meta("kept").unwrap().as_deref(), Some(&b"1"[..]));
    assert_eq!(store.meta("new").unwrap(), None);
    assert_eq!(customers(store.as_ref()), [customer("c0", b"before")]);
    assert!(store.entries_of("c1").unwrap().is_empty());
    assert_eq!(store.entry_secrets("e1").unwrap(), None);
    assert_eq!(store.last_audit_row().unwrap(), Some(audit(1)));
    assert!(store.failed_unlocks().unwrap().is_empty());
}

/// Reads inside a batch see the batch's own writes; a committed batch is seen by all.
pub fn batch_reads_its_own_writes<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    store
        .write(&mut |tx| {
            tx.put_meta("m", b"v")?;
            assert_eq!(tx.meta("m")?.as_deref(), Some(&b"v"[..]));
            tx.put_customer(&customer("c", b"r"))?;
            tx.put_entry(&entry("e", "c", b"r"))?;
            tx.put_entry_secrets("e", b"s")?;
            assert_eq!(tx.entries_of("c")?, [entry("e", "c", b"r")]);
            assert_eq!(tx.entry_secrets("e")?.as_deref(), Some(&b"s"[..]));
            tx.put_audit(&audit(1))?;
            assert_eq!(tx.last_audit_row()?, Some(audit(1)));
            Ok(())
        })
        .unwrap();
    assert_eq!(store.entries_of("c").unwrap(), [entry("e", "c", b"r")]);
    assert_eq!(
        store.entry_secrets("e").unwrap().as_deref(),
        Some(&b"s"[..])
    );
}

/// Records may arrive in any order inside a batch (an entry before its customer), but a
/// batch that leaves an entry without its customer is refused and rolled back.
pub fn entries_need_their_customer<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    store
        .write(&mut |tx| {
            tx.put_entry(&entry("e1", "c1", b"first"))?;
            tx.put_customer(&customer("c1", b"then"))
        })
        .unwrap();
    let orphan = store.write(&mut |tx| {
        tx.put_meta("m", b"x")?;
        tx.put_entry(&entry("e2", "nobody", b"orphan"))
    });
    assert!(orphan.is_err(), "an entry without its customer was stored");
    assert_eq!(store.meta("m").unwrap(), None);
    assert!(store.entries_of("nobody").unwrap().is_empty());
}

/// Writing a record again replaces it; an entry can move to another customer.
pub fn writes_replace<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    store
        .write(&mut |tx| {
            tx.put_customer(&customer("a", b"1"))?;
            tx.put_customer(&customer("b", b"1"))?;
            tx.put_entry(&entry("e", "a", b"1"))?;
            tx.put_entry_secrets("e", b"1")
        })
        .unwrap();
    store
        .write(&mut |tx| {
            tx.put_customer(&customer("a", b"2"))?;
            tx.put_entry(&entry("e", "b", b"2"))?;
            tx.put_entry_secrets("e", b"2")
        })
        .unwrap();
    assert_eq!(
        customers(store.as_ref()),
        [customer("a", b"2"), customer("b", b"1")]
    );
    assert!(store.entries_of("a").unwrap().is_empty());
    assert_eq!(store.entries_of("b").unwrap(), [entry("e", "b", b"2")]);
    assert_eq!(
        store.entry_secrets("e").unwrap().as_deref(),
        Some(&b"2"[..])
    );
}

/// Deleting a customer deletes its entries and their secrets; deleting an entry deletes
/// its secrets; other records stay.
pub fn deletes_cascade<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    store
        .write(&mut |tx| {
            for c in ["a", "b"] {
                tx.put_customer(&customer(c, b"c"))?;
                for n in 0..3 {
                    let id = format!("{c}{n}");
                    tx.put_entry(&entry(&id, c, b"e"))?;
                    tx.put_entry_secrets(&id, b"s")?;
                }
            }
            Ok(())
        })
        .unwrap();
    store
        .write(&mut |tx| {
            tx.delete_customer("a")?;
            tx.delete_entry("b1")
        })
        .unwrap();
    assert_eq!(customers(store.as_ref()), [customer("b", b"c")]);
    assert!(store.entries_of("a").unwrap().is_empty());
    for gone in ["a0", "a1", "a2", "b1"] {
        assert_eq!(store.entry_secrets(gone).unwrap(), None, "{gone}");
    }
    let mut left: Vec<String> = store
        .entries_of("b")
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    left.sort();
    assert_eq!(left, ["b0", "b2"]);
    assert!(store.entry_secrets("b0").unwrap().is_some());
}

/// Every customer is visited once, without collecting them first; the visitor may read the
/// store meanwhile (a customer's entries); an error from the visitor stops the walk and
/// comes back.
pub fn customers_stream<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    let count = 2_000;
    store
        .write(&mut |tx| {
            (0..count).try_for_each(|i| {
                let id = format!("c{i:05}");
                tx.put_customer(&customer(&id, b"r"))?;
                tx.put_entry(&entry(&format!("e{i:05}"), &id, b"e"))
            })
        })
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    let reader = store.as_ref();
    reader
        .for_each_customer(&mut |row| {
            assert_eq!(reader.entries_of(&row.id)?.len(), 1, "{}", row.id);
            assert!(seen.insert(row.id), "a customer was visited twice");
            Ok(())
        })
        .unwrap();
    assert_eq!(seen.len(), count);
    let mut visits = 0;
    let stopped = store.for_each_customer(&mut |_| {
        visits += 1;
        if visits == 10 {
            return Err(stop());
        }
        Ok(())
    });
    assert!(matches!(stopped, Err(Error::Storage(m)) if m == "stop"));
    assert_eq!(visits, 10);
}

/// Audit rows: appended with new sequence numbers, read back in sequence order (however
/// they were written), the last one at hand; a sequence number used twice is refused and
/// the batch rolled back.
pub fn audit_appends<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    assert_eq!(store.last_audit_row().unwrap(), None);
    store
        .write(&mut |tx| {
            tx.put_audit(&audit(1))?;
            tx.put_audit(&audit(3))?;
            tx.put_audit(&audit(2))
        })
        .unwrap();
    store
        .write(&mut |tx| (4..=50).try_for_each(|seq| tx.put_audit(&audit(seq))))
        .unwrap();
    let mut rows = Vec::new();
    store
        .for_each_audit_row(&mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    assert_eq!(rows, (1..=50).map(audit).collect::<Vec<_>>());
    let reader = store.as_ref();
    reader
        .for_each_audit_row(&mut |row| {
            let last = reader.last_audit_row()?.map(|r| r.seq);
            assert_eq!(last, Some(50), "while visiting {}", row.seq);
            Ok(())
        })
        .unwrap();
    assert_eq!(store.last_audit_row().unwrap(), Some(audit(50)));
    let again = store.write(&mut |tx| {
        tx.put_audit(&audit(51))?;
        tx.put_audit(&AuditRow {
            record: b"forged".to_vec(),
            ..audit(7)
        })
    });
    assert!(again.is_err(), "a sequence number was stored twice");
    assert_eq!(store.last_audit_row().unwrap(), Some(audit(50)));
    let mut seventh = None;
    store
        .for_each_audit_row(&mut |row| {
            if row.seq == 7 {
                seventh = Some(row);
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(seventh, Some(audit(7)));
}

fn note(at_ms: i64) -> FailedUnlock {
    FailedUnlock {
        at_ms,
        os_user: "u".into(),
        host: "h".into(),
        reason: "wrong master password".into(),
        repeats: 1,
    }
}

/// Failed-unlock notes are kept in order up to the cap; after it, the newest note counts
/// the repeats; clearing removes them all.
pub fn failed_unlock_notes_stop_at_the_cap<G>(make: Maker<'_, G>) {
    let (mut store, _guard) = make();
    for at in 0..8 {
        store
            .write(&mut |tx| tx.add_failed_unlock(&note(at), 5))
            .unwrap();
    }
    let notes = store.failed_unlocks().unwrap();
    assert_eq!(notes.len(), 5);
    assert_eq!(
        notes.iter().map(|n| n.at_ms).collect::<Vec<_>>(),
        [0, 1, 2, 3, 7]
    );
    assert_eq!(notes[4].repeats, 4);
    store.write(&mut |tx| tx.clear_failed_unlocks()).unwrap();
    assert!(store.failed_unlocks().unwrap().is_empty());
    store.checkpoint().unwrap();
}

fn customers(store: &dyn Store) -> Vec<CustomerRow> {
    let mut rows = Vec::new();
    store
        .for_each_customer(&mut |row| {
            rows.push(row);
            Ok(())
        })
        .unwrap();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

/// One `#[test]` per property of the store conformance suite, for the stores `$make`
/// makes: an expression giving `(Box<dyn Store>, guard)`, evaluated for every check.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:expr) => {
        $crate::store_conformance_tests!(@each $make;
            meta_round_trip,
            failed_batch_rolls_back,
            batch_reads_its_own_writes,
            entries_need_their_customer,
            writes_replace,
            deletes_cascade,
            customers_stream,
            audit_appends,
            failed_unlock_notes_stop_at_the_cap
        );
    };
    (@each $make:expr; $($check:ident),*) => {
        $(
            #[test]
            fn $check() {
                $crate::store::conformance::$check(&mut || $make);
            }
        )*
    };
}
