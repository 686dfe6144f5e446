//! The import's text decoding: UTF-8 (with or without a BOM) and UTF-16 (LE/BE, with a
//! BOM) to UTF-8, streamed, then the first line and the delimiter sniffed from it.
//!
//! Properties: the streamed decoder gives what a whole-file reference decoding gives (the
//! same text, or an error for broken UTF-16), however the input arrives (all at once or a
//! few bytes per read); the head read for sniffing is a prefix of the text; the header
//! record found in it and the delimiter (one of `,` `;` tab) do not depend on how the input
//! arrives either.
#![no_main]

use std::io::{self, Read};

use libfuzzer_sys::fuzz_target;
use sallyport_core::import::encoding::{first_record, read_first_line, sniff_delimiter, Decoder};
use sallyport_fuzz::assert_one_line;

/// A reader that hands out at most 1, 2, … 7 bytes per read, in turn.
struct Trickle<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.step = self.step % 7 + 1;
        let n = buf.len().min(self.data.len()).min(self.step);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// The whole input decoded at once: `None` for broken UTF-16.
fn reference(data: &[u8]) -> Option<Vec<u8>> {
    let utf16 = |rest: &[u8], decode: fn([u8; 2]) -> u16| -> Option<Vec<u8>> {
        if !rest.len().is_multiple_of(2) {
            return None;
        }
        let units: Vec<u16> = rest.chunks_exact(2).map(|p| decode([p[0], p[1]])).collect();
        String::from_utf16(&units).ok().map(String::into_bytes)
    };
    match data {
        [0xEF, 0xBB, 0xBF, rest @ ..] => Some(rest.to_vec()),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        _ => Some(data.to_vec()),
    }
}

fn decode(reader: impl Read) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut decoder = Decoder::new(reader);
    let head = read_first_line(&mut decoder)?;
    let mut rest = Vec::new();
    decoder.read_to_end(&mut rest)?;
    Ok((head, rest))
}

fuzz_target!(|data: &[u8]| {
    let whole = decode(data);
    let trickled = decode(Trickle { data, step: 0 });
    let expected = reference(data);
    match (&whole, &trickled) {
        (Ok(a), Ok(b)) => {
            let text = [a.0.as_slice(), a.1.as_slice()].concat();
            assert_eq!(
                text,
                [b.0.as_slice(), b.1.as_slice()].concat(),
                "decoding depends on how the input arrives"
            );
            assert_eq!(
                Some(&text),
                expected.as_ref(),
                "the decoder differs from the reference"
            );
            for head in [&a.0, &b.0] {
                let complete = head.contains(&b'\n') || head.len() >= 1 << 16 || head == &text;
                assert!(
                    complete && text.starts_with(head),
                    "the head does not hold the first line"
                );
            }
            assert_eq!(
                first_record(&a.0),
                first_record(&b.0),
                "the header record depends on how the input arrives"
            );
            let delimiter = sniff_delimiter(&a.0);
            assert!(matches!(delimiter, b',' | b';' | b'\t'));
            assert_eq!(
                delimiter,
                sniff_delimiter(&b.0),
                "the delimiter depends on how the input arrives"
            );
        }
        (Err(a), Err(b)) => {
            assert_eq!(a.to_string(), b.to_string());
            assert_one_line(&a.to_string());
            assert!(expected.is_none(), "valid input refused: {a}");
        }
        _ => panic!("decoding depends on how the input arrives: {whole:?} / {trickled:?}"),
    }
});
