//! In-memory search over the decrypted customer list: name, code, hosts and tags.
//!
//! Each customer gets a lowercase haystack once; a query is split into words, every word
//! must match (substring, or an in-order subsequence of name or code for typos like
//! "acmcorp"), and results are ranked: exact code, code prefix, name prefix, word start,
//! substring, subsequence.

use crate::model::Customer;

/// Precomputed search text for every customer, parallel to the session's customer list.
#[derive(Debug, Default)]
pub struct SearchIndex {
    rows: Vec<IndexRow>,
}

#[derive(Debug)]
struct IndexRow {
    /// Lowercase code, name, hosts and tags, separated by '\u{1}'.
    all: Box<str>,
    /// Byte length of the code at the start of `all`.
    code_len: u16,
    /// Byte length of the name that follows the code and its separator.
    name_len: u16,
}

impl SearchIndex {
    /// Builds the index for `customers` (on two threads for large lists).
    pub fn build(customers: &[Customer]) -> Self {
        let rows = if customers.len() < 4096 {
            customers.iter().map(IndexRow::new).collect()
        } else {
            let (first, second) = customers.split_at(customers.len() / 2);
            std::thread::scope(|scope| {
                let other = scope.spawn(|| second.iter().map(IndexRow::new).collect::<Vec<_>>());
                let mut rows: Vec<IndexRow> = first.iter().map(IndexRow::new).collect();
                match other.join() {
                    Ok(more) => rows.extend(more),
                    Err(_) => rows.extend(second.iter().map(IndexRow::new)),
                }
                rows
            })
        };
        Self { rows }
    }

    /// Sorts `customers` by name, then code (case-insensitive), and builds the index in
    /// that order, computing each lowercase key only once.
    pub fn sort_and_build(customers: &mut [Customer]) -> Self {
        let index = Self::build(customers);
        let mut order: Vec<usize> = (0..customers.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (&index.rows[a], &index.rows[b]);
            x.name().cmp(y.name()).then_with(|| x.code().cmp(y.code()))
        });
        let mut rows = index.rows;
        apply_order(customers, &mut order.clone());
        apply_order(&mut rows, &mut order);
        Self { rows }
    }

    /// The lowercase code of the customer at `position`.
    pub fn code_at(&self, position: usize) -> Option<&str> {
        self.rows.get(position).map(IndexRow::code)
    }

    /// Indices of the customers matching `query`, best first. An empty query matches all,
    /// in list order.
    pub fn search(&self, query: &str) -> Vec<usize> {
        let terms: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if terms.is_empty() {
            return (0..self.rows.len()).collect();
        }
        let mut hits: Vec<(u32, usize)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, row)| row.score(&terms).map(|s| (s, i)))
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|(_, i)| i).collect()
    }
}

impl IndexRow {
    fn new(c: &Customer) -> Self {
        let code = c.code.to_lowercase();
        let name = c.name.to_lowercase();
        let mut all = String::with_capacity(code.len() + name.len() + 48);
        all.push_str(&code);
        all.push('\u{1}');
        all.push_str(&name);
        for host in c.entries.iter().flat_map(|e| &e.hosts) {
            all.push('\u{1}');
            all.push_str(&host.to_lowercase());
        }
        for tag in &c.tags {
            all.push('\u{1}');
            all.push_str(&tag.to_lowercase());
        }
        Self {
            all: all.into_boxed_str(),
            // codes are at most 32 bytes and names at most 200 characters
            code_len: code.len().min(u16::MAX as usize) as u16,
            name_len: name.len().min(u16::MAX as usize) as u16,
        }
    }

    fn code(&self) -> &str {
        self.all.get(..self.code_len as usize).unwrap_or("")
    }

    fn name(&self) -> &str {
        let start = self.code_len as usize + 1;
        self.all
            .get(start..start + self.name_len as usize)
            .unwrap_or("")
    }

    /// Lower is better; `None` when some term does not match.
    fn score(&self, terms: &[String]) -> Option<u32> {
        terms
            .iter()
            .try_fold(0u32, |acc, t| Some(acc + self.term_score(t)?))
    }

    fn term_score(&self, term: &str) -> Option<u32> {
        let (code, name) = (self.code(), self.name());
        if code == term {
            return Some(0);
        }
        if code.starts_with(term) {
            return Some(1);
        }
        if name.starts_with(term) {
            return Some(2);
        }
        if let Some(pos) = self.all.find(term) {
            let at_word_start = pos == 0
                || self.all[..pos]
                    .chars()
                    .next_back()
                    .is_some_and(|c| !c.is_alphanumeric());
            return Some(if at_word_start { 3 } else { 4 });
        }
        // Typo tolerance: letters in order, starting where the name or code starts.
        let loose = |field: &str| {
            term.chars().count() >= 3
                && term.chars().next().is_some_and(|c| field.starts_with(c))
                && is_subsequence(term, field)
        };
        if loose(name) || loose(code) {
            return Some(5);
        }
        None
    }
}

/// Rearranges `items` in place so that position `k` holds the item that was at `order[k]`.
/// `order` is used up (left as the identity).
fn apply_order<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = at;
            if from == start || from == at {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

fn is_subsequence(needle: &str, haystack: &str) -> bool {
    let mut hay = haystack.chars();
    needle.chars().all(|n| hay.by_ref().any(|h| h == n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntryRef;

    fn customer(code: &str, name: &str, host: &str, tags: &[&str]) -> Customer {
        Customer {
            id: uuid::Uuid::new_v4(),
            name: name.into(),
            code: code.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            notes: String::new(),
            contact: String::new(),
            active: true,
            rotate_after_session: false,
            entries: vec![EntryRef {
                id: uuid::Uuid::new_v4(),
                label: "RDP".into(),
                kind: crate::model::EntryKind::Rdp,
                hosts: vec![host.into()],
                expires_at: None,
                rotation_due: false,
            }],
        }
    }

    #[test]
    fn apply_order_permutes_in_place() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e'];
        let mut order = vec![3, 0, 4, 1, 2];
        apply_order(&mut items, &mut order);
        assert_eq!(items, ['d', 'a', 'e', 'b', 'c']);
        let mut same = vec![1, 2, 3];
        apply_order(&mut same, &mut [0, 1, 2]);
        assert_eq!(same, [1, 2, 3]);
    }

    #[test]
    fn sort_and_build_orders_by_name_then_code() {
        let mut list = vec![
            customer("Z2", "beta", "h", &[]),
            customer("A1", "Alpha", "h", &[]),
            customer("Z1", "Beta", "h", &[]),
        ];
        let index = SearchIndex::sort_and_build(&mut list);
        let codes: Vec<&str> = list.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["A1", "Z1", "Z2"]);
        assert_eq!(index.code_at(1), Some("z1"));
        assert_eq!(index.search("beta"), [1, 2]);
    }

    #[test]
    fn matches_name_code_host_and_tag_ranked() {
        let list = vec![
            customer("BETA", "Beta Acme Partners", "rds.beta.example", &["eu"]),
            customer("ACME", "Acme Manufacturing", "rds.acme.example", &["gold"]),
            customer("ZED", "Zed Industries", "10.1.2.3", &["acme-group"]),
        ];
        let index = SearchIndex::build(&list);
        let names = |q: &str| -> Vec<&str> {
            index
                .search(q)
                .into_iter()
                .map(|i| list[i].code.as_str())
                .collect()
        };
        assert_eq!(names("acme"), ["ACME", "BETA", "ZED"]);
        assert_eq!(names("10.1.2"), ["ZED"]);
        assert_eq!(names("gold"), ["ACME"]);
        assert_eq!(names("acme eu"), ["BETA"]);
        assert_eq!(names("acmmfg"), ["ACME"]);
        assert_eq!(names("nomatch"), Vec::<&str>::new());
        assert_eq!(names("").len(), 3);
    }
}
