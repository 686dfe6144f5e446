//! Reaching the team database: always TLS, verify-full against the CA the team profile pins
//! (the chain and the host name or address), SCRAM-SHA-256 logins. A database address that
//! asks for anything weaker, a server without TLS, or a certificate from another CA is
//! refused with one line that says which.

use std::sync::Arc;

use postgres::config::SslMode;
use postgres::{Client, Config};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use sallyport_core::{Error, Result, SecretString};
use serde::{Deserialize, Serialize};

/// Where the team database is: host, port, database, and the login used there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbAddress {
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Database name.
    pub dbname: String,
    /// Login role (the owner's for `team init`; empty where a command supplies it).
    pub user: String,
}

impl DbAddress {
    /// Parses `postgres://[USER@]HOST[:PORT]/DB[?sslmode=verify-full]`. A password in the
    /// address, or any `sslmode` but `verify-full`, is refused.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |message: String| Error::invalid("--db", message);
        let url = url::Url::parse(text.trim())
            .map_err(|e| invalid(format!("'{}' is not a database address: {e}", shown(text))))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(invalid(format!(
                "'{}' is not a postgres:// address",
                shown(text)
            )));
        }
        if url.password().is_some() {
            return Err(invalid(
                "a password does not go in the address (argv is visible to other users); use PGPASSWORD or the prompt".into(),
            ));
        }
        for (key, value) in url.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("sslmode", "verify-full") => {}
                ("sslmode", other) => {
                    return Err(invalid(format!(
                        "sslmode={other} is refused: a team database is reached only with TLS, verify-full against the team's CA"
                    )))
                }
                (other, _) => {
                    return Err(invalid(format!(
                        "the address parameter '{}' is not supported",
                        shown(other)
                    )))
                }
            }
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid("the address names no host".into()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let dbname = url.path().trim_start_matches('/').to_owned();
        if dbname.is_empty() || dbname.contains('/') {
            return Err(invalid(
                "the address names no database (postgres://HOST:PORT/DB)".into(),
            ));
        }
        let user = percent_decoded(url.username());
        Ok(Self {
            host,
            port: url.port().unwrap_or(5432),
            dbname,
            user,
        })
    }

    /// `HOST:PORT/DB`, for messages.
    pub fn describe(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.dbname)
    }
}

fn percent_decoded(text: &str) -> String {
    url::form_urlencoded::parse(format!("u={text}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn shown(text: &str) -> String {
    sallyport_core::model::validate::shown(text)
}

/// The CA file at `path` (PEM, at most 1 MiB), checked to hold a certificate: what a team
/// profile pins. Refusals name the file, on the field `--ca`.
pub fn read_ca_file(path: &std::path::Path) -> Result<Vec<u8>> {
    const MAX: u64 = 1 << 20;
    let name = path.display().to_string();
    let unreadable = |e: std::io::Error| Error::invalid("--ca", format!("cannot read {name}: {e}"));
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX {
        return Err(Error::invalid(
            "--ca",
            format!("{name} is {size} bytes, too large for a CA certificate file"),
        ));
    }
    let pem = std::fs::read(path).map_err(unreadable)?;
    read_ca(&pem, &name)?;
    Ok(pem)
}

/// The certificates of a CA file (PEM); refused when it holds none.
pub fn read_ca(pem: &[u8], name: &str) -> Result<Vec<CertificateDer<'static>>> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::invalid("--ca", format!("{name} is not a PEM certificate file")))?;
    if certs.is_empty() {
        return Err(Error::invalid(
            "--ca",
            format!("{name} holds no certificate (expected PEM)"),
        ));
    }
    Ok(certs)
}

/// Connects as `login` with `password`: TLS is required and the server's certificate must
/// chain to `ca_pem` and name the host.
pub fn connect(
    address: &DbAddress,
    login: &str,
    password: &SecretString,
    ca_pem: &[u8],
) -> Result<Client> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in read_ca(ca_pem, "the team's CA")? {
        roots
            .add(cert)
            .map_err(|e| Error::invalid("--ca", format!("the team's CA is not usable: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Storage(format!("TLS set-up failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut config = Config::new();
    config
        .host(&address.host)
        .port(address.port)
        .dbname(&address.dbname)
        .user(login)
        .password(password.expose())
        .ssl_mode(SslMode::Require)
        .application_name("sallyport")
        .connect_timeout(std::time::Duration::from_secs(10));
    let started = std::time::Instant::now();
    let connected = config
        .connect(tokio_postgres_rustls::MakeRustlsConnect::new(tls))
        .map_err(|e| connect_error(address, login, &e));
    match &connected {
        Ok(_) => tracing::info!(
            host = %address.host,
            port = address.port,
            ms = started.elapsed().as_millis() as u64,
            "team database connected"
        ),
        Err(e) => tracing::warn!(
            host = %address.host,
            port = address.port,
            kind = e.kind().name(),
            "team database connection refused"
        ),
    }
    connected
}

/// One line for a failed connection, saying which of the refusals it was.
fn connect_error(address: &DbAddress, login: &str, e: &postgres::Error) -> Error {
    let place = address.describe();
    let text = full_text(e);
    let lower = text.to_lowercase();
    let message = if lower.contains("server does not support tls")
        || lower.contains("does not support ssl")
    {
        format!("{place} offers no TLS; a team database is reached only with TLS (verify-full)")
    } else if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("badsignature")
    {
        format!("{place}: the server's certificate is not signed by the team's CA; refused")
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        format!(
            "{place}: the server's certificate does not name {}; refused",
            address.host
        )
    } else if lower.contains("certificate") && lower.contains("expired") {
        format!("{place}: the server's certificate has expired; refused")
    } else if lower.contains("password authentication failed") {
        format!("{place}: the server refused the login {login} (wrong password, or the login was disabled)")
    } else if lower.contains("not permitted to log in") {
        format!("{place}: the login {login} is disabled")
    } else if lower.contains("connection refused") {
        format!("{place}: connection refused (is PostgreSQL running there?)")
    } else if lower.contains("no pg_hba.conf entry") {
        format!("{place}: the server does not accept {login} from here (pg_hba.conf)")
    } else if lower.contains("does not exist") {
        format!("{place}: {}", db_message(e))
    } else {
        format!("{place}: cannot connect: {}", one_line(&text))
    };
    Error::Storage(message)
}

/// The error and its causes, on one line.
fn full_text(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

/// A database error's message (without PostgreSQL's "ERROR:" and code), on one line;
/// `sallyport:` prefixes of our own functions are dropped.
pub fn db_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => one_line(db.message().trim_start_matches("sallyport: ")),
        None => one_line(&full_text(e)),
    }
}

/// What a member's role may not do, by the function the server refused to run for them.
const REFUSED: &[(&str, &str)] = &[
    (
        "sp_write",
        "your role may not change the customer list (an editor or admin can)",
    ),
    ("sp_invite", "only an admin invites members"),
    ("sp_confirm", "only an admin confirms members"),
    ("sp_remove", "only an admin removes members"),
    ("sp_revoke_invite", "only an admin revokes invitations"),
];

/// A database error as the core's error: refusals by our functions keep their words.
pub fn db_error(e: &postgres::Error) -> Error {
    let mut message = db_message(e);
    if let Some(function) = message.strip_prefix("permission denied for function ") {
        message = match REFUSED.iter().find(|(name, _)| *name == function.trim()) {
            Some((_, words)) => (*words).to_owned(),
            None => "you are not a confirmed member of this team".to_owned(),
        };
    }
    match e.code().map(|c| c.code()) {
        Some("42501") => Error::Invalid {
            field: "team".into(),
            message,
        },
        Some("40001") => Error::Storage(message),
        Some("22023") | Some("23505") | Some("28000") => Error::Invalid {
            field: "team".into(),
            message,
        },
        _ => Error::Storage(format!("team database: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_weak_ones_are_refused() {
        let a = DbAddress::parse("postgres://owner@127.0.0.1:55432/team").unwrap();
        assert_eq!(
            (a.host.as_str(), a.port, a.dbname.as_str(), a.user.as_str()),
            ("127.0.0.1", 55432, "team", "owner")
        );
        let b = DbAddress::parse("postgresql://db.example/team?sslmode=verify-full").unwrap();
        assert_eq!((b.port, b.user.as_str()), (5432, ""));
        let refused = |text: &str| DbAddress::parse(text).unwrap_err().to_string();
        assert!(refused("postgres://h/db?sslmode=disable").contains("sslmode=disable is refused"));
        assert!(refused("postgres://h/db?sslmode=require").contains("sslmode=require is refused"));
        assert!(refused("postgres://u:secret@h/db").contains("password does not go"));
        assert!(!refused("postgres://u:secret@h/db").contains("secret"));
        assert!(refused("postgres://h").contains("no database"));
        assert!(refused("mysql://h/db").contains("not a postgres://"));
    }
}
