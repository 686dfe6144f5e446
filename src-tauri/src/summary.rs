//! What a search result shows in the list: never a secret, never an entry's details.

use sallyport_core::model::Customer;
use serde::Serialize;

/// Most rows one page of results holds (the list asks for the rows it shows).
pub const MAX_PAGE: usize = 500;

/// One row of the customer list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
            code: customer.code.to_string(),
            name: customer.name.to_string(),
            entries: customer.entries.len(),
        }
    }
}

/// One window of the ranked matches of a query: what a virtualised list shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct CustomerPage {
    /// How many customers match in all.
    pub total: usize,
    /// Position of the first row in the full result.
    pub offset: usize,
    /// The rows `offset..offset + rows.len()`.
    pub rows: Vec<CustomerSummary>,
}

/// Rows `offset..offset + limit` (at most [`MAX_PAGE`]) of the matches of `query`, best
/// first, and how many match.
pub fn page(
    session: &sallyport_core::Session,
    query: &str,
    offset: usize,
    limit: usize,
) -> CustomerPage {
    let found = session.search(query);
    CustomerPage {
        total: found.len(),
        offset,
        rows: found
            .into_iter()
            .skip(offset)
            .take(limit.min(MAX_PAGE))
            .map(CustomerSummary::from)
            .collect(),
    }
}
