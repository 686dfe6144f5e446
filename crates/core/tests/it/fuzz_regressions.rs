//! Every input a fuzz target (`fuzz/`, `scripts/fuzz.sh`) failed on, kept under
//! `tests/fixtures/fuzz/<target>/` and checked here on stable Rust, through the public API,
//! with the property its target asserts. A new reproducer goes into its target's directory
//! before the bug is fixed; every directory there must have a test here.

use std::io::{self, Read};
use std::path::PathBuf;

use crate::common::fixture;
use sallyport_core::import::encoding::{first_record, read_first_line, sniff_delimiter, Decoder};

/// The test of each target's directory.
const TESTED: &[&str] = &["decode_text"];

/// The inputs kept for `target` (not their `.expect` files), with their names.
fn inputs(target: &str) -> Vec<(String, PathBuf)> {
    let dir = fixture("fuzz").join(target);
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_none_or(|e| e != "expect"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no inputs in {}", dir.display());
    found
}

#[test]
fn every_target_directory_has_a_test() {
    for entry in std::fs::read_dir(fixture("fuzz")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                TESTED.contains(&name.as_str()),
                "tests/fixtures/fuzz/{name} is not tested"
            );
        }
    }
}

/// A reader handing out 1, 2, … 7 bytes per read, in turn.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.1 = self.1 % 7 + 1;
        let n = buf.len().min(self.0.len()).min(self.1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The header record and delimiter as the import sees them, and the whole decoded text.
fn sniffed(reader: impl Read) -> (Vec<u8>, u8, Vec<u8>) {
    let mut decoder = Decoder::new(reader);
    let head = read_first_line(&mut decoder).unwrap();
    let record = first_record(&head).to_vec();
    let delimiter = sniff_delimiter(&head);
    let mut rest = Vec::new();
    decoder.read_to_end(&mut rest).unwrap();
    (record, delimiter, [head, rest].concat())
}

#[test]
fn decode_text_the_header_and_delimiter_do_not_depend_on_how_bytes_arrive() {
    for (name, path) in inputs("decode_text") {
        let bytes = std::fs::read(&path).unwrap();
        let whole = sniffed(bytes.as_slice());
        let trickled = sniffed(Trickle(&bytes, 0));
        assert_eq!(whole, trickled, "{name}");
    }
}
