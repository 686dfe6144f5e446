//! What the detail pane shows of a customer: its fields and each entry as a card, with
//! hygiene flags. Entries carry no secrets (only whether one is stored).

use sallyport_core::hygiene;
use sallyport_core::model::{Customer, Entry};
use serde::Serialize;

/// A customer with its entries.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CustomerDetail {
    /// Stable id (what edits and deletes name).
    pub id: uuid::Uuid,
    /// Short unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Notes.
    pub notes: String,
    /// Support contact.
    pub contact: String,
    /// Whether the customer is active.
    pub active: bool,
    /// Whether passwords are due for rotation after each support session.
    pub rotate_after_session: bool,
    /// Whether each credential use asks for a reason (the customer's own rule).
    pub reason_policy: sallyport_core::model::ReasonPolicy,
    /// Whether its .rdp files share the clipboard with its servers.
    pub share_clipboard: bool,
    /// The entries: RDP first (what Connect uses), then by label.
    pub entries: Vec<EntryCard>,
}

/// One entry as a card.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct EntryCard {
    /// The entry (no secrets: `has_password`, `totp` parameters only).
    #[serde(flatten)]
    pub entry: Entry,
    /// Expiry, rotation, PPTP and reachability flags, in words.
    pub flags: Vec<String>,
    /// Whether the account has expired (Connect warns first).
    pub expired: bool,
    /// Whether the VPN is PPTP (unsupported).
    pub pptp: bool,
}

impl CustomerDetail {
    /// The detail of `customer` with its decrypted `entries`, judged on `today`.
    pub fn new(customer: &Customer, mut entries: Vec<Entry>, today: time::Date) -> Self {
        entries.sort_by_key(|e| e.kind != sallyport_core::model::EntryKind::Rdp); // stable
        Self {
            id: customer.id,
            code: customer.code.to_string(),
            name: customer.name.to_string(),
            tags: customer.tags.iter().map(ToString::to_string).collect(),
            notes: customer.notes.clone(),
            contact: customer.contact.clone(),
            active: customer.active,
            rotate_after_session: customer.rotate_after_session,
            reason_policy: customer.reason_policy,
            share_clipboard: customer.share_clipboard,
            entries: entries
                .into_iter()
                .map(|entry| EntryCard {
                    flags: hygiene::entry_flags(&entry, today),
                    expired: hygiene::expiry(entry.expires_at, today)
                        .is_some_and(|e| e.is_expired()),
                    pptp: hygiene::is_pptp(&entry),
                    entry,
                })
                .collect(),
        }
    }
}
