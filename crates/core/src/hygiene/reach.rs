//! Can we reach the customer? A TCP connection to each of an entry's targets (its host and
//! its RD Gateway) within a timeout. Name resolution goes through a [`Resolver`] so tests
//! inject one and never make a DNS query.

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::model::{Entry, EntryKind, GatewayUsage};

/// Turns a host name and port into addresses.
pub trait Resolver {
    /// The addresses of `host` (no brackets around IPv6) at `port`.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver (literal addresses need no lookup).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// What a connection attempt found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Reach {
    /// A TCP connection was made.
    Reachable {
        /// Time to connect, in milliseconds.
        latency_ms: f64,
    },
    /// The host answered that nothing listens on the port.
    Refused,
    /// No answer within the timeout (often a firewall that does not allow our IPs).
    TimedOut {
        /// The timeout, in seconds.
        after_s: f64,
    },
    /// The name could not be resolved.
    DnsFailure {
        /// The resolver's reason.
        reason: String,
    },
    /// Another network error (unreachable network, no route…).
    Failed {
        /// The system's reason.
        reason: String,
    },
}

impl Reach {
    /// Whether the target answered.
    pub fn is_ok(&self) -> bool {
        matches!(self, Reach::Reachable { .. })
    }

    /// "reachable (12 ms)", "timed out after 3 s — not allow-listed for our IPs?"…
    pub fn describe(&self) -> String {
        match self {
            Reach::Reachable { latency_ms } => format!("reachable ({latency_ms:.0} ms)"),
            Reach::Refused => "refused (nothing listens on that port)".into(),
            Reach::TimedOut { after_s } => {
                format!("timed out after {after_s} s — not allow-listed for our IPs?")
            }
            Reach::DnsFailure { reason } => format!("DNS failure ({reason})"),
            Reach::Failed { reason } => format!("failed ({reason})"),
        }
    }
}

/// One target checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetResult {
    /// `host` or `gateway`.
    pub role: &'static str,
    /// The host name or address as stored.
    pub host: String,
    /// The port tried.
    pub port: u16,
    /// What happened.
    #[serde(flatten)]
    pub reach: Reach,
}

impl TargetResult {
    /// "gateway gw.example:443 reachable (12 ms)".
    pub fn describe(&self) -> String {
        format!(
            "{} {}:{} {}",
            self.role,
            self.host,
            self.port,
            self.reach.describe()
        )
    }
}

/// The entry's targets: its host (at its port or the kind's default) and its gateway.
pub fn targets(entry: &Entry) -> Vec<(&'static str, String, u16)> {
    let mut out = Vec::new();
    let host_port = match entry.kind {
        EntryKind::Rdp => Some(3389),
        EntryKind::Ssh => Some(22),
        EntryKind::Web => Some(443),
        EntryKind::Vpn | EntryKind::Other => None,
    };
    if !entry.host.is_empty() {
        if let Some(port) = entry.port.or(host_port) {
            out.push(("host", entry.host.clone(), port));
        }
    } else if entry.kind == EntryKind::Web {
        if let Ok(url) = url::Url::parse(&entry.url) {
            if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
                out.push(("host", host.to_owned(), port));
            }
        }
    }
    if !entry.gateway_host.is_empty() && entry.gateway_usage != GatewayUsage::None {
        out.push((
            "gateway",
            entry.gateway_host.clone(),
            entry.gateway_port.unwrap_or(443),
        ));
    }
    out
}

/// Tries one target: every resolved address in turn, within `timeout` overall.
pub fn check_target(resolver: &dyn Resolver, host: &str, port: u16, timeout: Duration) -> Reach {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let resolved = match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => Ok(vec![SocketAddr::new(ip, port)]), // a literal address needs no lookup
        Err(_) => resolver.resolve(bare, port),
    };
    let addresses = match resolved {
        Ok(a) if a.is_empty() => {
            return Reach::DnsFailure {
                reason: "no addresses".into(),
            }
        }
        Ok(a) => a,
        Err(e) => {
            return Reach::DnsFailure {
                reason: e.to_string(),
            }
        }
    };
    let start = Instant::now();
    let mut last = Reach::TimedOut {
        after_s: timeout.as_secs_f64(),
    };
    for address in addresses {
        let Some(left) = timeout
            .checked_sub(start.elapsed())
            .filter(|d| !d.is_zero())
        else {
            break;
        };
        let attempt = Instant::now();
        match TcpStream::connect_timeout(&address, left) {
            Ok(_) => {
                return Reach::Reachable {
                    latency_ms: attempt.elapsed().as_secs_f64() * 1000.0,
                }
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => last = Reach::Refused,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {}
            Err(e) => {
                last = Reach::Failed {
                    reason: e.to_string(),
                }
            }
        }
    }
    last
}

/// Checks every target of `entry`.
pub fn check_entry(entry: &Entry, resolver: &dyn Resolver, timeout: Duration) -> Vec<TargetResult> {
    targets(entry)
        .into_iter()
        .map(|(role, host, port)| TargetResult {
            reach: check_target(resolver, &host, port, timeout),
            role,
            host,
            port,
        })
        .collect()
}
