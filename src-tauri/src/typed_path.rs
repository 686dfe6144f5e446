//! Paths the user typed (or chose, or dropped) in the app: `~/…` is in the home folder;
//! anything else must be absolute, since the app's working directory means nothing to the
//! user. The import wizard and the audit export both take their file through here.

use std::path::PathBuf;

use sallyport_core::Error;

/// What a typed path is for, in the words of the refusals.
pub struct Purpose {
    /// What to ask for when nothing was typed ("choose the file to import").
    pub missing: &'static str,
    /// A full path to show as an example ("~/customers.csv").
    pub example: &'static str,
}

/// The home folder.
pub fn home() -> sallyport_core::Result<PathBuf> {
    std::env::home_dir()
        .filter(|h| h.is_absolute())
        .ok_or_else(|| Error::NotFound("cannot determine the home folder".into()))
}

/// A file name in the home folder to suggest for a new file: `~/STEM.EXT`, or `STEM-2`,
/// `STEM-3`… when that file exists.
pub fn free_in_home(stem: &str, ext: &str) -> sallyport_core::Result<PathBuf> {
    let dir = home()?;
    let name = |n: u32| match n {
        1 => dir.join(format!("{stem}.{ext}")),
        n => dir.join(format!("{stem}-{n}.{ext}")),
    };
    Ok((1..100).map(name).find(|p| !p.exists()).unwrap_or(name(1)))
}

/// The path `typed` means, or a one-line `invalid` error on the field `file`.
pub fn typed_path(typed: &str, purpose: &Purpose) -> sallyport_core::Result<PathBuf> {
    let path = match typed.trim() {
        "" => return Err(Error::invalid("file", purpose.missing)),
        t => match t.strip_prefix("~/") {
            Some(rest) => home()?.join(rest),
            None => PathBuf::from(t),
        },
    };
    match path.is_absolute() {
        true => Ok(path),
        false => Err(Error::invalid(
            "file",
            format!(
                "give the full path of the file, for example {}",
                purpose.example
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_path_must_be_absolute() {
        let purpose = Purpose {
            missing: "choose the file to import",
            example: "~/customers.csv",
        };
        assert!(typed_path("customers.csv", &purpose).is_err());
        assert!(typed_path("  ", &purpose).is_err());
        assert_eq!(
            typed_path(" /tmp/a.csv ", &purpose).unwrap(),
            PathBuf::from("/tmp/a.csv")
        );
    }
}
