//! The columns of Sallyport's native CSV layout: what `export` writes, what `import` reads
//! (other tools' rows are mapped onto them), and the names the validators give a field.

/// One native column. [`Column::ALL`] lists them in the order `export` writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// The customer's name (the one required column).
    Customer,
    /// The customer's short unique code.
    Code,
    /// The entry's label.
    Entry,
    /// `rdp`, `web`, `vpn`, `ssh` or `other`.
    Kind,
    /// Host name or address.
    Host,
    /// Port.
    Port,
    /// RD Gateway host.
    Gateway,
    /// RD Gateway port.
    GatewayPort,
    /// `always`, `detect` or `none`.
    GatewayUsage,
    /// User name.
    Username,
    /// Windows domain.
    Domain,
    /// Password (a secret).
    Password,
    /// TOTP: Base32 secret or `otpauth://` URI (a secret).
    Totp,
    /// Web application URL.
    Url,
    /// VPN type.
    VpnType,
    /// VPN server.
    VpnServer,
    /// VPN instructions.
    VpnInstructions,
    /// VPN client download URL.
    VpnClientUrl,
    /// `shared` or `named`.
    AccountType,
    /// Owner of a named account.
    Owner,
    /// Expiry day.
    Expires,
    /// The entry's notes (the customer's, on a row without an entry).
    Notes,
    /// The customer's tags.
    Tags,
    /// The customer's support contact.
    Contact,
    /// Whether the customer is active.
    Active,
    /// The customer's notes.
    CustomerNotes,
    /// VPN pre-shared key or password (a secret).
    VpnSecret,
    /// Day the password was last changed.
    PasswordChanged,
    /// The customer's "rotate after each support session" policy.
    RotateAfterSession,
    /// Day the password became due for rotation.
    RotationDue,
    /// The customer's reason policy (`off`, `optional`, `required`).
    Reason,
    /// Whether the customer's .rdp files share the clipboard with its servers.
    ShareClipboard,
    /// Whether the entry's server requires Network Level Authentication (`no`: TLS alone).
    Nla,
    /// The SHA-256 fingerprint pinned for the entry's server certificate.
    CertSha256,
}

impl Column {
    /// Every column, in export order.
    pub const ALL: [Column; 34] = [
        Column::Customer,
        Column::Code,
        Column::Entry,
        Column::Kind,
        Column::Host,
        Column::Port,
        Column::Gateway,
        Column::GatewayPort,
        Column::GatewayUsage,
        Column::Username,
        Column::Domain,
        Column::Password,
        Column::Totp,
        Column::Url,
        Column::VpnType,
        Column::VpnServer,
        Column::VpnInstructions,
        Column::VpnClientUrl,
        Column::AccountType,
        Column::Owner,
        Column::Expires,
        Column::Notes,
        Column::Tags,
        Column::Contact,
        Column::Active,
        Column::CustomerNotes,
        Column::VpnSecret,
        Column::PasswordChanged,
        Column::RotateAfterSession,
        Column::RotationDue,
        Column::Reason,
        Column::ShareClipboard,
        Column::Nla,
        Column::CertSha256,
    ];

    /// The column's name in a header (and the field name in a validation error).
    pub fn name(self) -> &'static str {
        match self {
            Column::Customer => "customer",
            Column::Code => "code",
            Column::Entry => "entry",
            Column::Kind => "kind",
            Column::Host => "host",
            Column::Port => "port",
            Column::Gateway => "gateway",
            Column::GatewayPort => "gateway_port",
            Column::GatewayUsage => "gateway_usage",
            Column::Username => "username",
            Column::Domain => "domain",
            Column::Password => "password",
            Column::Totp => "totp",
            Column::Url => "url",
            Column::VpnType => "vpn_type",
            Column::VpnServer => "vpn_server",
            Column::VpnInstructions => "vpn_instructions",
            Column::VpnClientUrl => "vpn_client_url",
            Column::AccountType => "account_type",
            Column::Owner => "owner",
            Column::Expires => "expires",
            Column::Notes => "notes",
            Column::Tags => "tags",
            Column::Contact => "contact",
            Column::Active => "active",
            Column::CustomerNotes => "customer_notes",
            Column::VpnSecret => "vpn_secret",
            Column::PasswordChanged => "password_changed",
            Column::RotateAfterSession => "rotate_after_session",
            Column::RotationDue => "rotation_due",
            Column::Reason => "reason",
            Column::ShareClipboard => "share_clipboard",
            Column::Nla => "nla",
            Column::CertSha256 => "cert_sha256",
        }
    }

    /// Whether the column describes an entry (a row with none of them is customer-only).
    /// `notes` is not one: on a row without an entry it holds the customer's notes.
    pub fn is_entry(self) -> bool {
        !matches!(
            self,
            Column::Customer
                | Column::Code
                | Column::Notes
                | Column::Tags
                | Column::Contact
                | Column::Active
                | Column::CustomerNotes
                | Column::RotateAfterSession
                | Column::Reason
                | Column::ShareClipboard
        )
    }

    /// The column a header cell names: its name or one of its other spellings, compared
    /// case-insensitively, with spaces and dashes counting as underscores.
    pub fn for_header(header: &str) -> Option<Column> {
        let key = normalise_header(header);
        Column::ALL
            .into_iter()
            .find(|c| c.name() == key)
            .or_else(|| ALIASES.iter().find(|(a, _)| *a == key).map(|(_, c)| *c))
    }
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Other spellings accepted in a header.
const ALIASES: &[(&str, Column)] = &[
    ("customer_name", Column::Customer),
    ("customer_code", Column::Code),
    ("label", Column::Entry),
    ("entry_label", Column::Entry),
    ("type", Column::Kind),
    ("hostname", Column::Host),
    ("server", Column::Host),
    ("gateway_host", Column::Gateway),
    ("rd_gateway", Column::Gateway),
    ("user", Column::Username),
    ("user_name", Column::Username),
    ("login", Column::Username),
    ("otp", Column::Totp),
    ("totp_secret", Column::Totp),
    ("expires_at", Column::Expires),
    ("password_changed_at", Column::PasswordChanged),
    ("expiry", Column::Expires),
    ("rotation_policy", Column::RotateAfterSession),
    ("rotate", Column::RotateAfterSession),
    ("tag", Column::Tags),
    ("reason_policy", Column::Reason),
    ("redirect_clipboard", Column::ShareClipboard),
    ("clipboard_redirection", Column::ShareClipboard),
    ("network_level_authentication", Column::Nla),
    ("enablecredsspsupport", Column::Nla),
    ("certificate_fingerprint", Column::CertSha256),
    ("cert_fingerprint", Column::CertSha256),
];

/// A header cell as compared: trimmed, without a BOM, lowercase, spaces and dashes as `_`.
pub fn normalise_header(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_find_their_column() {
        for column in Column::ALL {
            assert_eq!(Column::for_header(column.name()), Some(column));
        }
        assert_eq!(Column::for_header(" Gateway-Host "), Some(Column::Gateway));
        assert_eq!(
            Column::for_header("\u{feff}Customer Name"),
            Some(Column::Customer)
        );
        assert_eq!(Column::for_header("colour"), None);
        let names: std::collections::HashSet<_> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Column::ALL.len());
    }
}
