//! Text encodings of import files: UTF-8 with or without a BOM, and UTF-16 (little or big
//! endian) with a BOM, as Windows tools write them. Everything reaches the CSV reader as
//! UTF-8 without a BOM, streamed: nothing is read ahead beyond one buffer.

use std::io::{self, Read};

/// How the file's bytes are turned into UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Not decided yet (the BOM has not been read).
    Start,
    /// UTF-8: passed through.
    Utf8,
    /// UTF-16 with the given byte order.
    Utf16 { big_endian: bool },
}

/// Decodes a file stream into UTF-8.
pub struct Decoder<R> {
    inner: R,
    mode: Mode,
    /// Raw bytes read but not yet decoded (at most one odd byte, or the BOM's tail).
    raw: Vec<u8>,
    /// UTF-8 decoded but not yet returned.
    out: Vec<u8>,
    out_pos: usize,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
}

impl<R: Read> Decoder<R> {
    /// Wraps `inner`; the encoding is decided from its first bytes.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            mode: Mode::Start,
            raw: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            high: None,
        }
    }

    /// The wrapped reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads the first bytes and decides the encoding.
    fn start(&mut self) -> io::Result<()> {
        let mut head = [0u8; 3];
        let mut len = 0;
        while len < 3 {
            match self.inner.read(&mut head[len..])? {
                0 => break,
                n => len += n,
            }
        }
        let head = &head[..len];
        let (mode, bom) = match head {
            [0xEF, 0xBB, 0xBF, ..] => (Mode::Utf8, 3),
            [0xFF, 0xFE, ..] => (Mode::Utf16 { big_endian: false }, 2),
            [0xFE, 0xFF, ..] => (Mode::Utf16 { big_endian: true }, 2),
            _ => (Mode::Utf8, 0),
        };
        self.mode = mode;
        match mode {
            Mode::Utf8 => self.out.extend_from_slice(&head[bom..]),
            _ => self.raw.extend_from_slice(&head[bom..]),
        }
        Ok(())
    }

    /// Decodes one more chunk of UTF-16 into `out`; false at the end of the input.
    fn fill_utf16(&mut self, big_endian: bool) -> io::Result<bool> {
        let mut chunk = [0u8; 8192];
        let n = self.inner.read(&mut chunk)?;
        if n == 0 {
            if !self.raw.is_empty() || self.high.is_some() {
                return Err(invalid("the file ends in the middle of a UTF-16 character"));
            }
            return Ok(false);
        }
        self.raw.extend_from_slice(&chunk[..n]);
        let whole = self.raw.len() / 2 * 2;
        self.out.clear();
        self.out_pos = 0;
        for pair in self.raw[..whole].chunks_exact(2) {
            let unit = if big_endian {
                u16::from_be_bytes([pair[0], pair[1]])
            } else {
                u16::from_le_bytes([pair[0], pair[1]])
            };
            let c = match (self.high.take(), unit) {
                (None, 0xD800..=0xDBFF) => {
                    self.high = Some(unit);
                    continue;
                }
                (None, 0xDC00..=0xDFFF) | (Some(_), 0x0000..=0xDBFF | 0xE000..) => {
                    return Err(invalid(
                        "the file is not valid UTF-16 (a broken surrogate pair)",
                    ))
                }
                (Some(high), low) => {
                    let code =
                        0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    char::from_u32(code).ok_or_else(|| invalid("the file is not valid UTF-16"))?
                }
                (None, unit) => char::from_u32(u32::from(unit))
                    .ok_or_else(|| invalid("the file is not valid UTF-16"))?,
            };
            let mut buf = [0u8; 4];
            self.out
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        self.raw.drain(..whole);
        Ok(true)
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.mode == Mode::Start {
            self.start()?;
        }
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            match self.mode {
                Mode::Utf8 | Mode::Start => return self.inner.read(buf),
                Mode::Utf16 { big_endian } => {
                    if !self.fill_utf16(big_endian)? {
                        return Ok(0);
                    }
                }
            }
        }
    }
}

/// Longest header record looked at to tell the delimiter and the layout.
const MAX_HEAD: usize = 1 << 16;

/// Reads from `input` until the header record is complete (its first line break outside
/// quotes), or 64 KiB, or the end, for sniffing; the caller chains these bytes in front of
/// the rest. What is sniffed from it does not depend on how the bytes arrive.
pub fn read_first_line(input: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while first_record(&head).len() == head.len() && head.len() < MAX_HEAD {
        match input.read(&mut chunk)? {
            0 => break,
            n => head.extend_from_slice(&chunk[..n]),
        }
    }
    Ok(head)
}

/// The header record at the start of `head`: the bytes before its first line break outside
/// quotes, at most 64 KiB.
pub fn first_record(head: &[u8]) -> &[u8] {
    let head = &head[..head.len().min(MAX_HEAD)];
    let mut quoted = false;
    for (at, &b) in head.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return &head[..at],
            _ => {}
        }
    }
    head
}

/// The field delimiter the header record at the start of `head` suggests: `;` or tab when
/// they outnumber commas outside quotes (mRemoteNG and European spreadsheets write `;`),
/// `,` otherwise.
pub fn sniff_delimiter(head: &[u8]) -> u8 {
    let mut counts = [0usize; 3]; // , ; \t
    let mut quoted = false;
    for &b in first_record(head) {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match counts {
        [c, s, t] if s > c && s >= t => b';',
        [c, _, t] if t > c => b'\t',
        _ => b',',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny inner chunk size shakes out boundary handling.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(3);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn decode(bytes: &[u8]) -> io::Result<String> {
        let mut out = String::new();
        Decoder::new(Trickle(bytes)).read_to_string(&mut out)?;
        Ok(out)
    }

    #[test]
    fn utf8_utf16le_and_utf16be_with_boms_decode_alike() {
        let text = "customer,entry\r\nMüller & Söhne 🦀,RDP\r\n";
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        let bom8: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect();
        for bytes in [text.as_bytes().to_vec(), bom8, le, be] {
            assert_eq!(decode(&bytes).unwrap(), text);
        }
        assert_eq!(decode(b"").unwrap(), "");
        assert_eq!(decode(b"ab").unwrap(), "ab");
    }

    #[test]
    fn broken_utf16_is_an_error() {
        let lone_low = [0xFF, 0xFE, 0x00, 0xDC];
        assert!(decode(&lone_low).is_err());
        let odd = [0xFF, 0xFE, 0x41, 0x00, 0x42];
        assert!(decode(&odd).is_err());
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter(b"customer,code,entry\n"), b',');
        assert_eq!(sniff_delimiter(b"Name;Id;Parent;NodeType\n"), b';');
        assert_eq!(sniff_delimiter(b"customer\tcode\tentry\n"), b'\t');
        assert_eq!(sniff_delimiter(b"\"a;b;c\",d,e\n"), b',');
        assert_eq!(sniff_delimiter(b"customer\n"), b',');
        assert_eq!(
            sniff_delimiter(b"a,b\nc;d;e;f\n"),
            b',',
            "the header record only"
        );
    }

    #[test]
    fn the_head_holds_the_whole_header_record_however_the_bytes_arrive() {
        let file = b"\"cust\nomer\";code;entry\nA;B;C\n";
        let mut decoder = Decoder::new(Trickle(file));
        let head = read_first_line(&mut decoder).unwrap();
        assert_eq!(first_record(&head), b"\"cust\nomer\";code;entry");
        assert_eq!(sniff_delimiter(&head), b';');
    }
}
