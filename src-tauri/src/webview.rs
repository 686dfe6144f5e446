//! Linux: the app's WebKitGTK webview set up for less memory. Measured with `bench/gui.sh`
//! (release build, Xvfb without a GPU, 10,000 customers, the app started as a user would;
//! process-tree PSS after 10 s idle on the unlocked list; medians of 3 starts):
//!
//! Together: 331 → 233 MB (223 MB after the search index moved into one buffer; KeePassXC
//! 136–144 MB in the same runs; the budget is 180 MB), and quicker (the same session,
//! alternating builds): unlock screen painted 2015 → 674 ms after start, unlock → list
//! painted 656 → 262 ms. For scale, a bare WebKitGTK window (`bench/bare-webkit.sh`: a C
//! program showing one paragraph) measures 244–252 MB here as it comes, 172–181 MB without
//! compositing and 170–179 MB without the JIT too: the budget is about what the engine alone
//! takes on this machine.
//!
//! - No accelerated compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=1`): about −95 MB, nearly
//!   all of it in the web process (no GL layers and tiles: without a GPU, WebKit composites
//!   through Mesa's llvmpipe), and all of the speed-up. The GUI test runs this way too; it
//!   takes its screenshots from the X server, because WebKitGTK's own (WebDriver) snapshot
//!   waits for a frame that never comes in this mode while no caret blinks.
//! - No JavaScript JIT in the web process (`JSC_useJIT=0`): a further −10 MB; the UI's script
//!   is small and the timings did not get slower.
//!
//! Measured and left out, no change beyond the noise (±3 MB): cache model `DocumentViewer`;
//! WebGL, WebAudio, media and the page cache off; `MALLOC_ARENA_MAX=2`;
//! `WEBKIT_DISABLE_DMABUF_RENDERER=1`; Skia CPU rendering. (`malloc_trim` after an unlock
//! and a lock is kept: `heap.rs`.)
//! What stays (smaps of the idle app, 10,000 customers): WebKitGTK opens an EGL display in
//! both the UI and the web process even without compositing (the web process aborts without
//! one), and Debian's Mesa driver links LLVM: about 20 MB of it in each process, 45 MB with
//! the driver. WebKit's speech synthesis libraries (flite) cost 5 MB of relocations in each
//! of the three processes; the network process is 27 MB.
//!
//! Both are environment variables that WebKit's processes read when they start: [`before`]
//! sets them (unless already set), [`after`] removes them again once the window and its
//! processes exist, so that the RDP clients and browsers the app starts do not inherit them.

/// The variables [`before`] set, for [`after`] to remove.
#[derive(Debug)]
pub struct Tuned(Vec<&'static str>);

/// Sets the variables. Call first in `run()`, while the process has a single thread.
pub fn before() -> Tuned {
    let wanted = [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("JSC_useJIT", "0"),
    ];
    let mut set = Vec::new();
    for (name, value) in wanted {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
            set.push(name);
        }
    }
    Tuned(set)
}

/// Removes them. Call first in the setup hook: the main window and its web process exist by
/// then (checked: both WebKit processes were running with the variables), and the app's own
/// threads that read the environment have not started yet.
pub fn after(tuned: Tuned) {
    for name in tuned.0 {
        std::env::remove_var(name);
    }
}
