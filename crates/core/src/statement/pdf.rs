//! A statement as a PDF an auditor can read, print and file: A4 landscape, the standard
//! Helvetica and Courier fonts (nothing embedded), tables in Courier so columns line up,
//! and on every page a footer with the audit chain head. Written directly (a PDF of text
//! and rules needs no library): objects, one content stream per page, the cross-reference
//! table.
//!
//! Text is encoded as WinAnsi (Latin-1 and the usual typographic marks); a character the
//! standard fonts cannot show is printed as `?` (the JSON, CSV and HTML statements keep
//! every character).

use super::render::{
    account_rows, period_words, policy_words, use_rows, verification_words, ACCOUNT_HEADERS,
    USE_HEADERS,
};
use super::Statement;

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
/// Table text size (Courier: 0.6 em per character).
const BODY: f32 = 7.5;
/// Characters of table text across the page.
const TABLE_CHARS: usize = ((PAGE_W - 2.0 * MARGIN - 4.0) / (BODY * 0.6)) as usize;
const LINE: f32 = 10.0;
/// Lowest baseline for body text (the footer sits below it).
const BOTTOM: f32 = MARGIN + 22.0;

#[derive(Clone, Copy)]
enum Font {
    Helvetica,
    HelveticaBold,
    Courier,
    CourierBold,
}

impl Font {
    fn resource(self) -> &'static str {
        match self {
            Font::Helvetica => "F1",
            Font::HelveticaBold => "F2",
            Font::Courier => "F3",
            Font::CourierBold => "F4",
        }
    }
}

const FONTS: [(&str, &str); 4] = [
    ("F1", "Helvetica"),
    ("F2", "Helvetica-Bold"),
    ("F3", "Courier"),
    ("F4", "Courier-Bold"),
];

/// `text` as a PDF literal string in WinAnsi: `(`, `)` and `\` escaped, bytes above 127
/// as octal escapes, anything the encoding lacks as `?`.
fn literal(text: &str) -> Vec<u8> {
    let mut out = vec![b'('];
    for c in text.chars() {
        let byte = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            ' '..='~' => c as u8,
            '\u{A0}'..='\u{FF}' => c as u32 as u8,
            '€' => 0x80,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            'Š' => 0x8A,
            'š' => 0x9A,
            'Ž' => 0x8E,
            'ž' => 0x9E,
            'Œ' => 0x8C,
            'œ' => 0x9C,
            'Ÿ' => 0x9F,
            _ => b'?',
        };
        if byte >= 0x80 {
            out.extend_from_slice(format!("\\{byte:03o}").as_bytes());
        } else {
            out.push(byte);
        }
    }
    out.push(b')');
    out
}

/// Pages of drawing operators, laid out top to bottom.
struct Layout {
    pages: Vec<Vec<u8>>,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        let mut layout = Layout {
            pages: Vec::new(),
            y: 0.0,
        };
        layout.new_page();
        layout
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = PAGE_H - MARGIN;
    }

    fn ops(&mut self) -> &mut Vec<u8> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn text_at(&mut self, font: Font, size: f32, x: f32, y: f32, text: &str) {
        let mut op = format!("BT /{} {size} Tf {x:.2} {y:.2} Td ", font.resource()).into_bytes();
        op.extend(literal(text));
        op.extend_from_slice(b" Tj ET\n");
        self.ops().extend(op);
    }

    /// Room for `height` more points on this page, or a new page.
    fn room(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.new_page();
            return false;
        }
        true
    }

    /// A line of text at the left margin, wrapped to the page width (`chars` per line).
    fn para(&mut self, font: Font, size: f32, text: &str, chars: usize) {
        for line in wrap(text, chars) {
            self.room(size * 1.4);
            self.y -= size * 1.4;
            let y = self.y;
            self.text_at(font, size, MARGIN, y, &line);
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn rule(&mut self, y: f32) {
        let op = format!(
            "0.5 w 0.4 G {MARGIN:.2} {y:.2} m {:.2} {y:.2} l S 0 G\n",
            PAGE_W - MARGIN
        );
        self.ops().extend(op.into_bytes());
    }

    fn shade(&mut self, y: f32, height: f32) {
        let op = format!(
            "0.94 g {MARGIN:.2} {y:.2} {:.2} {height:.2} re f 0 g\n",
            PAGE_W - 2.0 * MARGIN
        );
        self.ops().extend(op.into_bytes());
    }

    /// A table in Courier, one line per row (wrapped at the page's edge), its cells
    /// joined by ` | ` rather than padded into columns: text extraction (`pdftotext`,
    /// a screen reader, copy and paste) then reads each row as one line, where padded
    /// columns come out a column at a time. The bold header is repeated on each page.
    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let heading = |layout: &mut Layout| {
            layout.room(LINE * 2.0);
            layout.y -= LINE;
            let y = layout.y;
            layout.text_at(
                Font::CourierBold,
                BODY,
                MARGIN + 2.0,
                y,
                &header.join(" | "),
            );
            layout.rule(y - 3.0);
            layout.y -= 2.0;
        };
        heading(self);
        for (n, row) in rows.iter().enumerate() {
            let lines = wrap(&row.join(" | "), TABLE_CHARS);
            let height = LINE * lines.len() as f32;
            if !self.room(height) {
                heading(self);
            }
            if n % 2 == 1 {
                let top = self.y;
                self.shade(top - height - 2.5, height);
            }
            for line in lines {
                self.y -= LINE;
                let y = self.y;
                self.text_at(Font::Courier, BODY, MARGIN + 2.0, y, &line);
            }
        }
        self.gap(LINE);
    }
}

/// `text` in lines of at most `width` characters, broken at spaces where possible.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let used = line.chars().count();
            let sep = usize::from(used > 0);
            if used + sep + word.len() <= width {
                if sep == 1 {
                    line.push(' ');
                }
                line.extend(word.iter());
                break;
            }
            if used > 0 {
                lines.push(std::mem::take(&mut line));
                continue;
            }
            // A word longer than the column: cut it.
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The statement as PDF bytes.
pub(super) fn statement(s: &Statement) -> Vec<u8> {
    let mut layout = Layout::new();
    let wide = ((PAGE_W - 2.0 * MARGIN) / (10.0 * 0.5)) as usize;
    layout.y -= 6.0;
    let title = format!(
        "Access statement: {} ({})",
        s.customer.name, s.customer.code
    );
    for line in wrap(&title, 80) {
        layout.y -= 20.0;
        let y = layout.y;
        layout.text_at(Font::HelveticaBold, 16.0, MARGIN, y, &line);
    }
    layout.gap(4.0);
    layout.para(
        Font::Helvetica,
        10.0,
        &format!("Period: {} (UTC)", period_words(s)),
        wide,
    );
    layout.para(
        Font::Helvetica,
        10.0,
        &format!(
            "Issued {} by {} with Sallyport {}",
            s.issued_at,
            s.issued_by,
            env!("CARGO_PKG_VERSION")
        ),
        wide,
    );
    layout.para(
        Font::Helvetica,
        10.0,
        &format!(
            "Every use of this customer's credentials that the vendor's audit log holds for the period is listed below; the log is tamper-evident (hash-chained and authenticated). {}",
            policy_words(s)
        ),
        wide,
    );
    layout.gap(8.0);

    layout.para(
        Font::HelveticaBold,
        12.0,
        &format!("Accounts held for {}", s.customer.code),
        wide,
    );
    let accounts = account_rows(s);
    match accounts.is_empty() {
        true => layout.para(Font::Helvetica, 9.0, "No accounts are held.", wide),
        false => layout.table(&ACCOUNT_HEADERS, &accounts),
    }
    layout.gap(6.0);

    layout.para(
        Font::HelveticaBold,
        12.0,
        &format!("Uses of the credentials in the period ({})", s.uses.len()),
        wide,
    );
    let uses = use_rows(s);
    match uses.is_empty() {
        true => layout.para(
            Font::Helvetica,
            9.0,
            "No credential was used in the period.",
            wide,
        ),
        false => layout.table(&USE_HEADERS, &uses),
    }
    layout.gap(6.0);

    layout.para(
        Font::HelveticaBold,
        12.0,
        "The vendor's egress addresses",
        wide,
    );
    match s.egress.is_empty() {
        true => layout.para(Font::Helvetica, 9.0, "None recorded.", wide),
        false => layout.para(Font::Courier, 9.0, &s.egress.join("  "), 150),
    }
    layout.gap(6.0);
    layout.para(Font::HelveticaBold, 12.0, "Audit log", wide);
    layout.para(
        Font::Helvetica,
        9.0,
        &format!("Verified: {}", verification_words(s)),
        wide,
    );

    let head = if s.chain_head.is_empty() {
        "(empty log)"
    } else {
        &s.chain_head
    };
    let count = layout.pages.len();
    for (i, page) in layout.pages.iter_mut().enumerate() {
        let footer = format!(
            "{} {} · audit chain head {head} · page {} of {count}",
            "Sallyport access statement ·",
            s.customer.code,
            i + 1
        );
        let mut op = format!(
            "0.5 w 0.6 G {MARGIN:.2} {:.2} m {:.2} {:.2} l S 0 G\n",
            MARGIN + 12.0,
            PAGE_W - MARGIN,
            MARGIN + 12.0
        )
        .into_bytes();
        op.extend(format!("BT /F1 7 Tf {MARGIN:.2} {MARGIN:.2} Td ").into_bytes());
        op.extend(literal(&footer));
        op.extend_from_slice(b" Tj ET\n");
        page.extend(op);
    }
    document(
        &layout.pages,
        &format!("Access statement {}", s.customer.code),
    )
}

/// The file: catalog, page tree, fonts, pages with their content, info, xref, trailer.
fn document(pages: &[Vec<u8>], title: &str) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = Vec::new();
    // 1 catalog, 2 page tree, 3 resources, 4..8 fonts, 8 info; then per page: page, content.
    let first_page = 8 + 1;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    let fonts: Vec<String> = FONTS
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!("/{name} {} 0 R", 4 + i))
        .collect();
    objects.push(format!("<< /Font << {} >> >>", fonts.join(" ")).into_bytes());
    for (_, base) in FONTS {
        objects.push(
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{base} /Encoding /WinAnsiEncoding >>"
            )
            .into_bytes(),
        );
    }
    let mut info = b"<< /Title ".to_vec();
    info.extend(literal(title));
    info.extend_from_slice(b" /Producer (Sallyport) >>");
    objects.push(info);
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources 3 0 R /Contents {} 0 R >>",
                first_page + 2 * i + 1
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).into_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        out.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 8 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_delimiters_and_encode_latin1() {
        assert_eq!(literal(r"a(b)c\"), br"(a\(b\)c\\)".to_vec());
        assert_eq!(literal("Müller"), b"(M\\374ller)".to_vec());
        assert_eq!(literal("東京"), b"(??)".to_vec());
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("TASS-1 reset the printer", 12),
            ["TASS-1 reset", "the printer"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
