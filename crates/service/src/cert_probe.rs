//! Reading an RDP server's TLS certificate before FreeRDP connects to it, so that the
//! entry's pinned fingerprint can be checked (and pinned at the first connection) by
//! Sallyport rather than by FreeRDP's per-host store: an X.224 connection request asking
//! for TLS or CredSSP, the TLS handshake (the server's signature over it verified, so the
//! server holds the certificate's key), the certificate's SHA-256, and the connection closed.
//! Nothing is sent after the handshake; no credential is involved.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// TPKT header, X.224 Connection Request (no cookie), RDP_NEG_REQ asking for TLS (1) or
/// CredSSP (2), as MS-RDPBCGR 2.2.1.1 lays them out.
const CONNECTION_REQUEST: [u8; 19] = [
    0x03, 0x00, 0x00, 0x13, // TPKT: version 3, length 19
    0x0e, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, // X.224 CR: length 14, dst/src ref, class 0
    0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00, // RDP_NEG_REQ: PROTOCOL_SSL | HYBRID
];

/// The SHA-256 fingerprint (`AB:CD:…`) of the certificate the RDP server at `host`:`port`
/// presents, or why it could not be read (one line).
pub fn server_certificate(host: &str, port: u16, timeout: Duration) -> Result<String, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let address = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host} has no address"))?;
    let mut socket = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("cannot connect to {address}: {e}"))?;
    socket
        .set_read_timeout(Some(timeout))
        .and_then(|()| socket.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    negotiate(&mut socket)?;
    let fingerprint = tls_certificate(&mut socket, host)?;
    let _ = socket.shutdown(std::net::Shutdown::Both);
    Ok(fingerprint)
}

/// Sends the connection request and reads the confirm: the server must pick TLS or CredSSP
/// (both start with a TLS handshake).
fn negotiate(socket: &mut TcpStream) -> Result<(), String> {
    let io = |e: std::io::Error| format!("the RDP negotiation failed: {e}");
    socket.write_all(&CONNECTION_REQUEST).map_err(io)?;
    let mut tpkt = [0u8; 4];
    socket.read_exact(&mut tpkt).map_err(io)?;
    let length = usize::from(u16::from_be_bytes([tpkt[2], tpkt[3]]));
    if tpkt[0] != 3 || !(11..=512).contains(&length) {
        return Err("the server did not answer as an RDP server".into());
    }
    let mut rest = vec![0u8; length - 4];
    socket.read_exact(&mut rest).map_err(io)?;
    // X.224 Connection Confirm (0xd0), then RDP_NEG_RSP (2) or RDP_NEG_FAILURE (3).
    if rest.get(1).map(|code| code & 0xf0) != Some(0xd0) {
        return Err("the server did not confirm the RDP connection".into());
    }
    match rest.get(7..15) {
        Some([0x02, _, _, _, 1 | 2 | 8, 0, 0, 0]) => Ok(()),
        Some([0x02, ..]) | None => {
            Err("the server offers no TLS (standard RDP security only), so its certificate cannot be checked".into())
        }
        Some([0x03, _, _, _, code, ..]) => Err(format!(
            "the server refused the negotiation (failure code {code})"
        )),
        Some(_) => Err("the server's negotiation answer is unreadable".into()),
    }
}

/// Runs the TLS handshake on `socket` and returns the fingerprint of the server's
/// certificate.
fn tls_certificate(socket: &mut TcpStream, host: &str) -> Result<String, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(ReadsTheCertificate(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(|e| e.to_string())?;
    let mut tls = ClientConnection::new(Arc::new(config), name).map_err(|e| e.to_string())?;
    while tls.is_handshaking() {
        tls.complete_io(socket)
            .map_err(|e| format!("the TLS handshake failed: {e}"))?;
    }
    let certificate = tls
        .peer_certificates()
        .and_then(|chain| chain.first())
        .ok_or("the server sent no certificate")?;
    let digest = Sha256::digest(certificate.as_ref());
    Ok(digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// Accepts any certificate (a customer's server usually has its own, self-signed: what
/// decides is the pinned fingerprint), but checks the handshake's signature with it, so
/// the certificate read is one whose key the server holds.
#[derive(Debug)]
struct ReadsTheCertificate(Arc<CryptoProvider>);

impl ServerCertVerifier for ReadsTheCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_is_not_rdp_is_named_as_such() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut request = [0u8; 19];
            peer.read_exact(&mut request).unwrap();
            assert_eq!(request, CONNECTION_REQUEST);
            peer.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").unwrap();
        });
        let refused = server_certificate("127.0.0.1", port, Duration::from_secs(5)).unwrap_err();
        assert_eq!(refused, "the server did not answer as an RDP server");
        server.join().unwrap();
    }

    #[test]
    fn standard_rdp_security_is_refused() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut request = [0u8; 19];
            peer.read_exact(&mut request).unwrap();
            // Connection Confirm with RDP_NEG_RSP selecting PROTOCOL_RDP (0).
            let confirm = [
                0x03, 0x00, 0x00, 0x13, 0x0e, 0xd0, 0x00, 0x00, 0x12, 0x34, 0x00, 0x02, 0x00, 0x08,
                0x00, 0x00, 0x00, 0x00, 0x00,
            ];
            peer.write_all(&confirm).unwrap();
        });
        let refused = server_certificate("127.0.0.1", port, Duration::from_secs(5)).unwrap_err();
        assert!(refused.contains("offers no TLS"), "{refused}");
        server.join().unwrap();
    }
}
