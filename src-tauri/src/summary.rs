//! What a search result shows in the list: never a secret, never an entry's details.

use sallyport_core::model::Customer;
use serde::Serialize;

/// Most results one search returns to the webview; the list shows no more anyway.
pub const MAX_RESULTS: usize = 200;

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    /// Short unique code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Number of access entries.
    pub entries: usize,
}

impl From<&Customer> for CustomerSummary {
    fn from(customer: &Customer) -> Self {
        Self {
            code: customer.code.clone(),
            name: customer.name.clone(),
            entries: customer.entries.len(),
        }
    }
}

/// The first [`MAX_RESULTS`] matches of `query`, best first.
pub fn search(session: &sallyport_core::Session, query: &str) -> Vec<CustomerSummary> {
    session
        .search(query)
        .into_iter()
        .take(MAX_RESULTS)
        .map(CustomerSummary::from)
        .collect()
}
