//! Signing an .rdp file as rdpsign.exe does, so that mstsc shows the publisher (or, for a
//! thumbprint in the `TrustedCertThumbprints` policy, no warning at all).
//!
//! Old `signature`/`signscope` lines go; `alternate full address` is added, equal to `full
//! address`, when the file has none (otherwise a client could be sent elsewhere by an
//! unsigned line); the lines of [`SECURE_SETTINGS`] that the file has are signed, in that
//! list's order. The signed message is those lines as `name:type:value\r\n`, then
//! `signscope:s:<names, comma-separated>\r\n`, then a NUL, all UTF-16LE. The signature is a
//! detached CMS SignedData (SHA-256, RSA) whose DER is prefixed with three little-endian
//! u32s (0x00010001, 1, the DER's length) and Base64-encoded; `signscope:s:` and
//! `signature:s:` are written as the last lines. `username` (and everything else not in the
//! list) is not signed, as with rdpsign.exe.

use super::writer::{Line, RdpFile};
use crate::signing::SigningIdentity;
use crate::Result;

/// rdpsign.exe's secure settings: the line's key and type, and the name `signscope` lists,
/// in the order they are signed.
pub const SECURE_SETTINGS: &[(&str, char, &str)] = &[
    ("full address", 's', "Full Address"),
    ("alternate full address", 's', "Alternate Full Address"),
    ("pcb", 's', "PCB"),
    (
        "use redirection server name",
        'i',
        "Use Redirection Server Name",
    ),
    ("server port", 'i', "Server Port"),
    ("negotiate security layer", 'i', "Negotiate Security Layer"),
    ("enablecredsspsupport", 'i', "EnableCredSspSupport"),
    ("disableconnectionsharing", 'i', "DisableConnectionSharing"),
    ("autoreconnection enabled", 'i', "AutoReconnection Enabled"),
    ("gatewayhostname", 's', "GatewayHostname"),
    ("gatewayusagemethod", 'i', "GatewayUsageMethod"),
    (
        "gatewayprofileusagemethod",
        'i',
        "GatewayProfileUsageMethod",
    ),
    ("gatewaycredentialssource", 'i', "GatewayCredentialsSource"),
    ("support url", 's', "Support URL"),
    ("promptcredentialonce", 'i', "PromptCredentialOnce"),
    (
        "require pre-authentication",
        'i',
        "Require pre-authentication",
    ),
    (
        "pre-authentication server address",
        's',
        "Pre-authentication server address",
    ),
    ("alternate shell", 's', "Alternate Shell"),
    ("shell working directory", 's', "Shell Working Directory"),
    ("remoteapplicationprogram", 's', "RemoteApplicationProgram"),
    (
        "remoteapplicationexpandworkingdir",
        's',
        "RemoteApplicationExpandWorkingdir",
    ),
    ("remoteapplicationmode", 'i', "RemoteApplicationMode"),
    ("remoteapplicationguid", 's', "RemoteApplicationGuid"),
    ("remoteapplicationname", 's', "RemoteApplicationName"),
    ("remoteapplicationicon", 's', "RemoteApplicationIcon"),
    ("remoteapplicationfile", 's', "RemoteApplicationFile"),
    (
        "remoteapplicationfileextensions",
        's',
        "RemoteApplicationFileExtensions",
    ),
    ("remoteapplicationcmdline", 's', "RemoteApplicationCmdLine"),
    (
        "remoteapplicationexpandcmdline",
        's',
        "RemoteApplicationExpandCmdLine",
    ),
    ("prompt for credentials", 'i', "Prompt For Credentials"),
    ("authentication level", 'i', "Authentication Level"),
    ("audiomode", 'i', "AudioMode"),
    ("redirectdrives", 'i', "RedirectDrives"),
    ("redirectprinters", 'i', "RedirectPrinters"),
    ("redirectcomports", 'i', "RedirectCOMPorts"),
    ("redirectsmartcards", 'i', "RedirectSmartCards"),
    ("redirectposdevices", 'i', "RedirectPOSDevices"),
    ("redirectclipboard", 'i', "RedirectClipboard"),
    ("devicestoredirect", 's', "DevicesToRedirect"),
    ("drivestoredirect", 's', "DrivesToRedirect"),
    ("loadbalanceinfo", 's', "LoadBalanceInfo"),
    ("redirectdirectx", 'i', "RedirectDirectX"),
    ("rdgiskdcproxy", 'i', "RDGIsKDCProxy"),
    ("kdcproxyname", 's', "KDCProxyName"),
    ("eventloguploadaddress", 's', "EventLogUploadAddress"),
];

/// The three little-endian u32s rdpsign.exe puts before the DER: two constants, then the
/// DER's length.
const SIGNATURE_MAGIC: [u32; 2] = [0x0001_0001, 1];

impl RdpFile {
    /// Whether the file carries a signature.
    pub fn is_signed(&self) -> bool {
        self.get("signature").is_some()
    }

    /// The file signed with `identity` (see the module's documentation).
    pub fn signed(&self, identity: &SigningIdentity) -> Result<RdpFile> {
        let mut file = RdpFile {
            lines: self
                .lines
                .iter()
                .filter(|l| l.key != "signature" && l.key != "signscope")
                .cloned()
                .collect(),
        };
        if let (Some(address), None) = (
            file.get("full address").map(str::to_owned),
            file.get("alternate full address"),
        ) {
            file.push("alternate full address", 's', address)?;
        }
        let signed: Vec<(&Line, &str)> = SECURE_SETTINGS
            .iter()
            .filter_map(|(key, kind, name)| {
                file.lines
                    .iter()
                    .find(|l| l.key == *key && l.kind == *kind)
                    .map(|l| (l, *name))
            })
            .collect();
        let scope = signed
            .iter()
            .map(|(_, name)| *name)
            .collect::<Vec<_>>()
            .join(",");
        let mut message = String::new();
        for (line, _) in &signed {
            message.push_str(&format!("{}:{}:{}\r\n", line.key, line.kind, line.value));
        }
        message.push_str(&format!("signscope:s:{scope}\r\n\0"));
        let message: Vec<u8> = message
            .encode_utf16()
            .flat_map(|unit| unit.to_le_bytes())
            .collect();
        let der = identity.sign_detached(&message)?;
        let mut blob = Vec::with_capacity(12 + der.len());
        for word in SIGNATURE_MAGIC {
            blob.extend_from_slice(&word.to_le_bytes());
        }
        let length = u32::try_from(der.len())
            .map_err(|_| crate::Error::Integrity("the .rdp signature is too long".into()))?;
        blob.extend_from_slice(&length.to_le_bytes());
        blob.extend_from_slice(&der);
        file.push("signscope", 's', scope)?;
        file.push("signature", 's', data_encoding::BASE64.encode(&blob))?;
        Ok(file)
    }
}
