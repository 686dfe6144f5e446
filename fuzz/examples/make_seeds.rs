//! Writes the seed corpora of the fuzz targets (`fuzz/corpus/<target>/`) from the test
//! fixtures and from what the core itself writes (a backup's contents, a vault header,
//! sealed records, .rdp files). Run by `scripts/fuzz-seeds.sh`, which also passes a CSV
//! export made by the real `keepassxc-cli`:
//!
//! ```sh
//! cargo +nightly run --manifest-path fuzz/Cargo.toml --example make_seeds -- fuzz/corpus [keepassxc.csv]
//! ```

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sallyport_core::backup::stream::{Decryptor, HEADER_LEN};
use sallyport_core::fuzzing::{export_native, write_backup};
use sallyport_core::model::{Entry, EntryKind, GatewayUsage};
use sallyport_core::rdp::{RdpFile, RdpPreferences};
use sallyport_core::totp::{parse, to_uri, TotpAlgorithm, TotpParams};
use sallyport_core::vault::backoff::Backoff;
use sallyport_core::vault::header::Header;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretBytes, SecretString};
use sallyport_fuzz::{backup_key, migration_payload, migration_uri, populated_vault};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

struct Corpus(PathBuf);

impl Corpus {
    fn put(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let dir = self.0.join(target);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join(name), bytes)?;
        Ok(())
    }
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: [u8; 2] = if big_endian {
        [0xFE, 0xFF]
    } else {
        [0xFF, 0xFE]
    };
    let units = text.encode_utf16().flat_map(|u| match big_endian {
        true => u.to_be_bytes(),
        false => u.to_le_bytes(),
    });
    bom.into_iter().chain(units).collect()
}

/// The CSV fixtures every import target starts from: (name, bytes).
fn csv_files(keepassxc: Option<&Path>) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    for dir in [fixtures().join("import"), fixtures().join("import/formats")] {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "csv") {
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, fs::read(&path)?));
            }
        }
    }
    if let Some(path) = keepassxc {
        files.push(("keepassxc-cli-export.csv".into(), fs::read(path)?));
    }
    files.sort();
    Ok(files)
}

fn import_seeds(corpus: &Corpus, keepassxc: Option<&Path>) -> Result<()> {
    let files = csv_files(keepassxc)?;
    let valid = String::from_utf8(fs::read(fixtures().join("import/valid.csv"))?)?;
    for (name, bytes) in &files {
        corpus.put("import_csv", name, bytes)?;
        corpus.put("import_round_trip", name, bytes)?;
    }
    let variants = [
        ("valid-utf16le.csv", utf16(&valid, false)),
        ("valid-utf16be.csv", utf16(&valid, true)),
        ("valid-semicolons.csv", valid.replace(',', ";").into_bytes()),
        ("valid-tabs.csv", valid.replace(',', "\t").into_bytes()),
    ];
    for (name, bytes) in &variants {
        corpus.put("import_csv", name, bytes)?;
    }

    // import_secrets: a layout character, rows joined by U+001E, cells by U+001F.
    let layouts = [
        ("valid.csv", '0', b','),
        ("keepassxc-cli-export.csv", '1', b','),
        ("bitwarden-personal.csv", '2', b','),
        ("bitwarden-org.csv", '3', b','),
        ("mremoteng.csv", '4', b';'),
        ("rdm.csv", '5', b','),
    ];
    for (name, layout, delimiter) in layouts {
        let Some((_, bytes)) = files.iter().find(|(n, _)| n == name) else {
            continue;
        };
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(delimiter != b';')
            .flexible(true)
            .from_reader(bytes.as_slice());
        let mut rows = Vec::new();
        for record in csv.records() {
            let record = record?;
            rows.push(record.iter().collect::<Vec<_>>().join("\u{1f}"));
        }
        corpus.put(
            "import_secrets",
            name,
            format!("{layout}{}", rows.join("\u{1e}")),
        )?;
    }

    // decode_text: the encodings, and a header with a quoted line break.
    let head: String = valid.lines().take(3).collect::<Vec<_>>().join("\r\n");
    corpus.put("decode_text", "utf8.csv", &head)?;
    corpus.put("decode_text", "utf8-bom.csv", format!("\u{feff}{head}"))?;
    corpus.put("decode_text", "utf16le.csv", utf16(&head, false))?;
    corpus.put("decode_text", "utf16be.csv", utf16(&head, true))?;
    corpus.put(
        "decode_text",
        "utf16-astral.csv",
        utf16("customer;note\n🦀;\"a\tb\"\n", false),
    )?;
    corpus.put(
        "decode_text",
        "quoted-break.csv",
        "\"cust\nomer\";code;entry\nA;B;C\n",
    )?;
    Ok(())
}

fn totp_seeds(corpus: &Corpus) -> Result<()> {
    let vectors = fs::read_to_string(fixtures().join("totp/rfc6238.txt"))?;
    let mut seeds: Vec<String> = Vec::new();
    for line in vectors.lines().filter(|l| !l.starts_with('#')) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, algorithm, seed, _] = fields[..] else {
            continue;
        };
        let secret = data_encoding::BASE32_NOPAD.encode(seed.as_bytes());
        let digits = 8;
        seeds.push(format!(
            "otpauth://totp/RFC%206238:{algorithm}?secret={secret}&algorithm={algorithm}&digits={digits}&period=30"
        ));
        seeds.push(secret);
    }
    seeds.sort();
    seeds.dedup();
    seeds.push("jbsw y3dp ehpk 3pxp".into());
    seeds.push("JBSW-Y3DP-EHPK-3PXP====".into());
    seeds.push("otpauth://totp/Acme%20VPN:vendor%40acme.example?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20VPN&algorithm=SHA256&digits=8&period=60".into());
    seeds.push("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1".into());
    for (i, seed) in seeds.iter().enumerate() {
        corpus.put("totp_parse", &format!("secret-{i:02}"), seed)?;
    }

    let account = |issuer: &str, account: &str, algorithm, digits, seed: &[u8]| {
        let params = TotpParams {
            algorithm,
            digits,
            period: 30,
            issuer: issuer.into(),
            account: account.into(),
        };
        (params, SecretBytes::new(seed.to_vec()))
    };
    let accounts = [
        account(
            "Acme VPN",
            "vendor@acme.example",
            TotpAlgorithm::Sha1,
            6,
            b"12345678901234567890",
        ),
        account(
            "",
            "beta-admin",
            TotpAlgorithm::Sha256,
            8,
            b"12345678901234567890123456789012",
        ),
    ];
    corpus.put(
        "totp_migration",
        "two-totp-one-hotp.pb",
        migration_payload(&accounts, 1),
    )?;
    corpus.put(
        "totp_migration",
        "one-totp.pb",
        migration_payload(&accounts[..1], 0),
    )?;
    corpus.put("totp_migration", "only-hotp.pb", migration_payload(&[], 1))?;
    corpus.put(
        "totp_migration",
        "uri.txt",
        migration_uri(&migration_payload(&accounts, 0)),
    )?;

    for entry in fs::read_dir(fixtures().join("totp/qr"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "png" || e == "jpg") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            corpus.put("totp_qr", &name, fs::read(&path)?)?;
        }
    }
    let (params, secret) = parse("otpauth://totp/Acme:vendor?secret=JBSWY3DPEHPK3PXP&issuer=Acme")?;
    corpus.put("totp_qr", "otpauth.txt", to_uri(&params, &secret).expose())?;
    corpus.put(
        "totp_qr",
        "migration.txt",
        migration_uri(&migration_payload(&accounts, 1)),
    )?;
    Ok(())
}

fn vault_seeds(corpus: &Corpus) -> Result<()> {
    let session = populated_vault().open()?;

    // The contents of a backup, as the stream encrypts them.
    let file = write_backup(&session, backup_key())?;
    let mut plain = Vec::new();
    Decryptor::new(Arc::clone(backup_key()), &file[HEADER_LEN..]).read_to_end(&mut plain)?;
    corpus.put("backup_stream", "valid-contents", &plain)?;
    corpus.put(
        "backup_stream",
        "sealed-garbage",
        [b"!".as_slice(), &file[HEADER_LEN..][..64]].concat(),
    )?;
    let export = export_native(&session)?;
    corpus.put("import_round_trip", "export.csv", &export)?;

    let (header, _) = Header::create(&SecretString::from("seed password"), KdfParams::floor())?;
    corpus.put("vault_header", "header.json", header.to_stored()?.0)?;
    let backoff = Backoff {
        failures: 7,
        last_failure_unix: 1_700_000_000,
    };
    corpus.put(
        "vault_header",
        "backoff.json",
        serde_json::to_vec(&backoff)?,
    )?;

    for (i, customer) in session.customers().iter().enumerate() {
        corpus.put(
            "sealed_records",
            &format!("customer-{i}"),
            [b"c".as_slice(), &serde_json::to_vec(customer)?].concat(),
        )?;
        for (j, entry) in session.entries(customer)?.iter().enumerate() {
            corpus.put(
                "sealed_records",
                &format!("entry-{i}-{j}"),
                [b"e".as_slice(), &serde_json::to_vec(entry)?].concat(),
            )?;
            let secrets = session.entry_secrets(entry)?;
            let mut blob = Vec::new();
            let fields: [(u8, Option<&[u8]>); 3] = [
                (1, secrets.password.as_ref().map(|s| s.expose().as_bytes())),
                (2, secrets.totp_secret.as_ref().map(SecretBytes::expose)),
                (
                    3,
                    secrets.vpn_secret.as_ref().map(|s| s.expose().as_bytes()),
                ),
            ];
            for (tag, value) in fields {
                if let Some(value) = value {
                    blob.push(tag);
                    blob.extend_from_slice(&(value.len() as u32).to_be_bytes());
                    blob.extend_from_slice(value);
                }
            }
            if !blob.is_empty() {
                corpus.put(
                    "sealed_records",
                    &format!("secrets-{i}-{j}"),
                    [b"s".as_slice(), &blob].concat(),
                )?;
            }
        }
    }
    corpus.put(
        "sealed_records",
        "forged",
        b"x0123456789abcdef0123456789abcdef",
    )?;
    Ok(())
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                out.extend(u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32));
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn rdp_seeds(corpus: &Corpus) -> Result<()> {
    // host, port, username, domain, gateway, gateway port, usage, kind, screen, w, h, flags
    let acme = [
        "rds.acme.example",
        "3390",
        "vendor",
        "ACME",
        "gw.acme.example",
        "8443",
        "always",
        "rdp",
        "windowed",
        "1280",
        "800",
        "0100",
    ];
    corpus.put("rdp_writer", "acme", acme.join("\u{1f}"))?;
    let table = fs::read_to_string(fixtures().join("rdp/hostile.tsv"))?;
    for (i, line) in table.lines().filter(|l| !l.starts_with('#')).enumerate() {
        let [field, value, _] = line.split('\t').collect::<Vec<_>>()[..] else {
            continue;
        };
        let mut fields = acme.map(str::to_owned);
        let at = match field {
            "host" => 0,
            "port" => 1,
            "username" => 2,
            "domain" => 3,
            "gateway" => 4,
            "gateway_port" => 5,
            "label" => 7,
            _ => continue,
        };
        fields[at] = if field == "label" {
            "web".into()
        } else {
            unescape(value)
        };
        corpus.put(
            "rdp_writer",
            &format!("hostile-{i:02}"),
            fields.join("\u{1f}"),
        )?;
    }
    let entry = Entry {
        kind: EntryKind::Rdp,
        host: "rds.acme.example".into(),
        port: Some(3390),
        username: "vendor".into(),
        domain: "ACME".into(),
        gateway_host: "gw.acme.example".into(),
        gateway_port: Some(8443),
        gateway_usage: GatewayUsage::Always,
        ..Entry::default()
    };
    let file = RdpFile::for_entry(&entry, &RdpPreferences::default())?;
    corpus.put("rdp_writer", "acme.rdp", file.to_bytes())?;
    Ok(())
}

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1);
    let out = PathBuf::from(
        args.next()
            .ok_or("usage: make_seeds OUT_DIR [KEEPASSXC_CSV]")?,
    );
    let keepassxc = args.next().map(PathBuf::from);
    let corpus = Corpus(out);
    import_seeds(&corpus, keepassxc.as_deref())?;
    totp_seeds(&corpus)?;
    vault_seeds(&corpus)?;
    rdp_seeds(&corpus)?;
    Ok(())
}
