//! Locking wipes the decrypted customer list: every block of memory freed while the session
//! is dropped is searched for the customers' text (a global allocator that looks at each
//! block before it goes back to the system). Its own test binary, for the allocator.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretString, Session};
use sallyport_sqlite::LocalFile;

/// In the customer's name, code, tags, notes, contact, entry label and host.
const CANARY: &[u8] = b"zqxjv";

static WATCHING: AtomicBool = AtomicBool::new(false);
static FOUND: AtomicUsize = AtomicUsize::new(0);

struct Watching;

// SAFETY: every call is passed on to `System` unchanged; `dealloc` only reads the block it
// is given (valid for `layout.size()` bytes until it is freed) before freeing it.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if WATCHING.load(Ordering::SeqCst) {
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            if block
                .windows(CANARY.len())
                .any(|w| w.eq_ignore_ascii_case(CANARY))
            {
                FOUND.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

#[test]
fn dropping_the_session_leaves_no_customer_text_in_freed_memory() {
    let dir = tempfile::tempdir().unwrap();
    let vault = LocalFile::new(dir.path().join("vault.sallyport"));
    let password = SecretString::from("correct horse battery staple");
    let mut session = Session::create(&vault, &password, "Staff", KdfParams::floor()).unwrap();
    let csv = dir.path().join("customers.csv");
    // Names, hosts and tags short enough to be kept inline (even rows) and long enough to need an
    // allocation of their own (odd rows).
    let mut rows =
        String::from("customer,code,tags,customer_notes,contact,entry,kind,host,gateway\n");
    for i in 0..50 {
        let long = if i % 2 == 1 {
            "-with-a-longer-name"
        } else {
            ""
        };
        rows.push_str(&format!(
            "Zqxjv Corp {i}{long},ZQXJV{i},zqxjv-eu;zqxjv{long},Zqxjv notes,ops@zqxjv.example,Zqxjv RDS,rdp,\
             rds{i}.zqxjv{long}.example,gw.zqxjv.example\n"
        ));
    }
    std::fs::write(&csv, rows).unwrap();
    let options = ImportOptions {
        on_conflict: ConflictPolicy::Fail,
        skip_invalid: false,
        format: None,
    };
    let plan = session.plan_import(&csv, options).unwrap();
    session.apply_import(plan).unwrap();
    session.lock().unwrap();

    let session = Session::unlock(&vault, &password).unwrap();
    assert_eq!(session.customers().len(), 50);
    assert!(!session.search("zqxjv 1").is_empty());
    let found = session.find_customer("ZQXJV7").unwrap();
    assert_eq!(session.entries(found).unwrap().len(), 1);

    WATCHING.store(true, Ordering::SeqCst);
    drop(session);
    WATCHING.store(false, Ordering::SeqCst);
    assert_eq!(
        FOUND.load(Ordering::SeqCst),
        0,
        "blocks freed with customer text in them"
    );
}
