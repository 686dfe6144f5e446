//! Output helpers.

/// Treats a closed pipe (`sallyport list | head`) as success; other write errors fail.
pub fn finish(result: std::io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
