//! Finding customers and entries in the unlocked vault: the sorted, indexed list, search,
//! a customer by code or name, and an entry's record and secrets (decrypted on demand).

use super::Session;
use crate::model::{Customer, Entry, EntrySecrets};
use crate::search::SearchIndex;
use crate::{Error, Result};

impl Session {
    /// All customers, sorted by name.
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    /// Customers matching `query` (name, code, hosts, tags), best first.
    pub fn search(&self, query: &str) -> Vec<&Customer> {
        self.index
            .search(query)
            .into_iter()
            .map(|i| &self.customers[i])
            .collect()
    }

    /// The customer with this code (case-insensitive).
    pub fn customer_by_code(&self, code: &str) -> Option<&Customer> {
        self.view().customer_by_code(code)
    }

    /// Resolves a customer code or a unique name match.
    pub fn find_customer(&self, selector: &str) -> Result<&Customer> {
        let selector = selector.trim();
        if let Some(c) = self.customer_by_code(selector) {
            return Ok(c);
        }
        let wanted = selector.to_lowercase();
        let exact: Vec<&Customer> = self
            .customers
            .iter()
            .filter(|c| c.name.to_lowercase() == wanted)
            .collect();
        let candidates = if exact.is_empty() {
            self.customers
                .iter()
                .filter(|c| c.name.to_lowercase().contains(&wanted))
                .collect()
        } else {
            exact
        };
        match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::NotFound(format!(
                "no customer has the code or name '{}'",
                crate::model::validate::shown(selector)
            ))),
            many => {
                let shown: Vec<String> = many
                    .iter()
                    .take(5)
                    .map(|c| format!("{} ({})", c.code, c.name))
                    .collect();
                Err(Error::Ambiguous(format!(
                    "'{}' matches {} customers: {}{}; use the code",
                    crate::model::validate::shown(selector),
                    many.len(),
                    shown.join(", "),
                    if many.len() > 5 { ", …" } else { "" }
                )))
            }
        }
    }

    /// Decrypts the full entries of a customer, in the order of `customer.entries`.
    ///
    /// The customer record lists its entries; a stored entry missing from the list, or a
    /// listed entry missing from the store, is an integrity error.
    pub fn entries(&self, customer: &Customer) -> Result<Vec<Entry>> {
        self.view().entries(self.store.as_ref(), customer)
    }

    /// Decrypts the secrets of one entry. Call only where a secret is really used.
    pub fn entry_secrets(&self, entry: &Entry) -> Result<EntrySecrets> {
        self.view().entry_secrets(self.store.as_ref(), entry)
    }

    /// Drops a deleted customer from the in-memory list.
    pub(crate) fn forget_customer(&mut self, id: uuid::Uuid) {
        if let Some(at) = self.customers.iter().position(|c| c.id == id) {
            self.customers.remove(at).wipe();
        }
        self.reindex();
    }

    pub(super) fn reindex(&mut self) {
        // The old index goes first: never two at once.
        self.index = SearchIndex::default();
        self.index = SearchIndex::sort_and_build(&mut self.customers);
    }
}
