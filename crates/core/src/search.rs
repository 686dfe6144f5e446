//! In-memory search over the decrypted customer list: name, code, hosts and tags.
//!
//! Each customer gets a lowercase haystack once; a query is split into words, every word
//! must match (substring, or an in-order subsequence of name or code for typos like
//! "acmcorp"), and results are ranked: exact code, code prefix, name prefix, word start,
//! substring, subsequence.
//!
//! Typing narrows: while each query extends the one before, only the customers that
//! matched before are looked at again (see [`narrows`]).

use std::sync::Mutex;

use crate::model::Customer;

/// Precomputed search text for every customer, parallel to the session's customer list.
#[derive(Debug, Default)]
pub struct SearchIndex {
    /// Every customer's haystack, one after another in list order (one allocation, read
    /// front to back by a full scan).
    text: String,
    rows: Vec<IndexRow>,
    /// Every row's position, sorted by its lowercase code: a customer by code is a binary
    /// search over the haystacks' codes, with no second copy of the codes in memory.
    by_code: Vec<u32>,
    /// The last query and the rows it matched (any order), to narrow the next one.
    last: Mutex<Option<(String, Vec<usize>)>>,
}

/// Where a customer's haystack is in [`SearchIndex::text`]: lowercase code, name, hosts
/// and tags, separated by '\u{1}'.
#[derive(Debug, Clone, Copy)]
struct IndexRow {
    start: u32,
    len: u32,
    /// Byte length of the code at the start of the haystack.
    code_len: u16,
    /// Byte length of the name that follows the code and its separator.
    name_len: u16,
}

/// The haystack and the last query are the decrypted list's text: wiped when replaced or
/// when the vault locks.
impl Drop for SearchIndex {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.text.zeroize();
        let last = self.last.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some((query, _)) = last {
            query.zeroize();
        }
    }
}

impl SearchIndex {
    /// Builds the index for `customers` (on two threads for large lists).
    pub fn build(customers: &[Customer]) -> Self {
        let (text, rows) = all_haystacks(customers);
        Self::new(text, rows)
    }

    fn new(text: String, rows: Vec<IndexRow>) -> Self {
        let mut index = Self::unsorted(text, rows);
        let mut by_code: Vec<u32> = (0..index.rows.len() as u32).collect();
        by_code.sort_unstable_by(|&a, &b| index.code(a).cmp(index.code(b)));
        index.by_code = by_code;
        index
    }

    /// The haystacks alone, without the code order (for sorting them).
    fn unsorted(text: String, rows: Vec<IndexRow>) -> Self {
        Self {
            text,
            rows,
            by_code: Vec::new(),
            last: Mutex::default(),
        }
    }

    /// Sorts `customers` by name, then code (case-insensitive), and builds the index in
    /// that order, computing each lowercase key only once.
    pub fn sort_and_build(customers: &mut [Customer]) -> Self {
        let (text, rows) = all_haystacks(customers);
        let index = Self::unsorted(text, rows);
        let mut order: Vec<usize> = (0..customers.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (x, y) = (index.row(a), index.row(b));
            x.name().cmp(y.name()).then_with(|| x.code().cmp(y.code()))
        });
        // The haystacks copied into the new order, so that a scan still reads them in order.
        let mut text = String::with_capacity(index.text.len());
        let rows = order
            .iter()
            .map(|&i| {
                let row = index.rows[i];
                let start = text.len() as u32;
                text.push_str(index.row(i).all);
                IndexRow { start, ..row }
            })
            .collect();
        apply_order(customers, &mut order);
        Self::new(text, rows)
    }

    /// The lowercase code of the customer at `position`.
    pub fn code_at(&self, position: usize) -> Option<&str> {
        (position < self.rows.len()).then(|| self.row(position).code())
    }

    /// The position of the customer with this code (case-insensitive).
    pub fn position_of_code(&self, code: &str) -> Option<usize> {
        let code = code.to_lowercase();
        let at = self
            .by_code
            .binary_search_by(|&p| self.code(p).cmp(code.as_str()))
            .ok()?;
        Some(self.by_code[at] as usize)
    }

    fn code(&self, position: u32) -> &str {
        self.row(position as usize).code()
    }

    /// Indices of the customers matching `query`, best first. An empty query matches all,
    /// in list order.
    pub fn search(&self, query: &str) -> Vec<usize> {
        let query = query.to_lowercase();
        let terms: Vec<Term<'_>> = query.split_whitespace().map(Term::new).collect();
        if terms.is_empty() {
            return (0..self.rows.len()).collect();
        }
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let score = |i: usize| self.row(i).score(&terms).map(|s| (s, i));
        let hits: Vec<(u32, usize)> = match last.as_ref() {
            Some((before, matched)) if narrows(before, &query) => {
                matched.iter().filter_map(|&i| score(i)).collect()
            }
            _ => self.scan(&score),
        };
        *last = Some((query.clone(), hits.iter().map(|&(_, i)| i).collect()));
        by_score(hits)
    }

    /// The haystack of the customer at `position` (which must exist).
    fn row(&self, position: usize) -> Row<'_> {
        let r = self.rows[position];
        let start = r.start as usize;
        Row {
            all: self.text.get(start..start + r.len as usize).unwrap_or(""),
            code_len: r.code_len,
            name_len: r.name_len,
        }
    }
}

/// The byte length of a customer's haystack (exact for ASCII text, which lowercasing
/// leaves as long).
fn haystack_len(c: &Customer) -> usize {
    let hosts = c.entries.iter().flat_map(|e| e.hosts.iter());
    let words = hosts
        .chain(c.tags.iter())
        .map(|w| 1 + w.len())
        .sum::<usize>();
    c.code.len() + 1 + c.name.len() + words
}

/// The haystacks of `customers`, one after another, and where each one is.
fn haystacks(customers: &[Customer]) -> (String, Vec<IndexRow>) {
    // Sized from the records, so that it is not grown (and copied) by doubling.
    let size = customers.iter().map(haystack_len).sum();
    let mut text = String::with_capacity(size);
    let rows = customers
        .iter()
        .map(|c| {
            let start = text.len();
            let code = c.code.to_lowercase();
            let name = c.name.to_lowercase();
            text.push_str(&code);
            text.push('\u{1}');
            text.push_str(&name);
            for host in c.entries.iter().flat_map(|e| e.hosts.iter()) {
                text.push('\u{1}');
                text.push_str(&host.to_lowercase());
            }
            for tag in c.tags.iter() {
                text.push('\u{1}');
                text.push_str(&tag.to_lowercase());
            }
            IndexRow {
                start: start as u32,
                len: (text.len() - start) as u32,
                // codes are at most 32 bytes and names at most 200 characters
                code_len: code.len().min(u16::MAX as usize) as u16,
                name_len: name.len().min(u16::MAX as usize) as u16,
            }
        })
        .collect();
    (text, rows)
}

/// Every customer's haystack, on two threads for large lists.
fn all_haystacks(customers: &[Customer]) -> (String, Vec<IndexRow>) {
    if customers.len() < 4096 {
        haystacks(customers)
    } else {
        let (first, second) = customers.split_at(customers.len() / 2);
        std::thread::scope(|scope| {
            let other = scope.spawn(|| haystacks(second));
            let (mut text, mut rows) = haystacks(first);
            let (more_text, more_rows) = other.join().unwrap_or_else(|_| haystacks(second));
            let shift = text.len() as u32;
            text.push_str(&more_text);
            rows.extend(more_rows.into_iter().map(|r| IndexRow {
                start: r.start + shift,
                ..r
            }));
            (text, rows)
        })
    }
}

impl SearchIndex {
    /// Scores every row, on two threads for large lists; hits in list order.
    fn scan(&self, score: &(dyn Fn(usize) -> Option<(u32, usize)> + Sync)) -> Vec<(u32, usize)> {
        let n = self.rows.len();
        if n < PARALLEL_FROM {
            return (0..n).filter_map(score).collect();
        }
        let half = n / 2;
        std::thread::scope(|scope| {
            let second = scope.spawn(|| (half..n).filter_map(score).collect::<Vec<_>>());
            let mut hits: Vec<(u32, usize)> = (0..half).filter_map(score).collect();
            match second.join() {
                Ok(more) => hits.extend(more),
                Err(_) => hits.extend((half..n).filter_map(score)),
            }
            hits
        })
    }
}

/// A query word, with its substring searcher built once for all rows.
struct Term<'q> {
    text: &'q str,
    finder: memchr::memmem::Finder<'q>,
}

impl<'q> Term<'q> {
    fn new(text: &'q str) -> Self {
        Self {
            text,
            finder: memchr::memmem::Finder::new(text),
        }
    }
}

/// Lists at least this long are scanned on two threads.
const PARALLEL_FROM: usize = 20_000;

/// Whether every customer matching `after` also matches `before`, so that `after` need
/// only look at `before`'s matches: `after` extends `before`, and the term being extended
/// did not just reach the three characters from which typo matching (which can add
/// matches) applies.
fn narrows(before: &str, after: &str) -> bool {
    if before.trim().is_empty() || !after.starts_with(before) {
        return false;
    }
    if before.ends_with(char::is_whitespace)
        || after[before.len()..].starts_with(char::is_whitespace)
    {
        return true; // a new term: every earlier term still has to match
    }
    let typo_from = |term: Option<&str>| term.is_some_and(|t| t.chars().count() >= 3);
    // Longer terms match fewer customers, unless the term just reached typo length.
    typo_from(before.split_whitespace().last()) || !typo_from(after.split_whitespace().next_back())
}

/// Row indices ordered by score, best first, and by list position within a score (the
/// order a sort of `(score, index)` gives, in linear time: scores are small).
fn by_score(mut hits: Vec<(u32, usize)>) -> Vec<usize> {
    let max = hits.iter().map(|&(s, _)| s).max().unwrap_or(0) as usize;
    if max > 64 {
        hits.sort_unstable();
        return hits.into_iter().map(|(_, i)| i).collect();
    }
    // Hits come in list order (a full scan is in order, and narrowing keeps it).
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); max + 1];
    for (score, i) in hits {
        buckets[score as usize].push(i);
    }
    buckets.concat()
}

/// One customer's haystack, borrowed from the index.
struct Row<'a> {
    all: &'a str,
    code_len: u16,
    name_len: u16,
}

impl<'a> Row<'a> {
    fn code(&self) -> &'a str {
        self.all.get(..self.code_len as usize).unwrap_or("")
    }

    fn name(&self) -> &'a str {
        let start = self.code_len as usize + 1;
        self.all
            .get(start..start + self.name_len as usize)
            .unwrap_or("")
    }

    /// Lower is better; `None` when some term does not match.
    fn score(&self, terms: &[Term<'_>]) -> Option<u32> {
        terms
            .iter()
            .try_fold(0u32, |acc, t| Some(acc + self.term_score(t)?))
    }

    fn term_score(&self, term: &Term<'_>) -> Option<u32> {
        let (finder, term) = (&term.finder, term.text);
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
        if let Some(pos) = finder.find(self.all.as_bytes()) {
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
            tags: tags.iter().collect(),
            notes: String::new(),
            contact: String::new(),
            active: true,
            rotate_after_session: false,
            reason_policy: Default::default(),
            share_clipboard: false,
            entries: vec![EntryRef {
                id: uuid::Uuid::new_v4(),
                label: "RDP".into(),
                kind: crate::model::EntryKind::Rdp,
                hosts: [host].into_iter().collect(),
                expires_at: None,
                rotation_due: false,
            }],
        }
    }

    #[test]
    fn narrowing_applies_only_where_no_match_can_be_gained() {
        assert!(narrows("acm", "acme"));
        assert!(narrows("acme", "acme h"));
        assert!(narrows("ac", "ac h"), "a new term after a short one");
        assert!(narrows("acme ", "acme h"));
        assert!(!narrows("ac", "acm"), "three letters start typo matching");
        assert!(
            narrows("a", "ac"),
            "below three letters, longer only narrows"
        );
        assert!(narrows("acme h", "acme he"));
        assert!(!narrows("acme", "acm"), "deleting widens");
        assert!(!narrows("acme", "beta"));
        assert!(!narrows("", "a"));
    }

    #[test]
    fn typing_gives_the_same_results_as_searching_afresh() {
        let mut list: Vec<Customer> = (0..300)
            .map(|i| {
                let name = format!(
                    "{} {} {i}",
                    ["Acme", "Alpine", "Beta", "Cedar"][i % 4],
                    ["Corp", "Logistics", "Health"][i % 3]
                );
                customer(&format!("C{i:03}"), &name, &format!("rds{i}.ex"), &["eu"])
            })
            .collect();
        let typing = SearchIndex::sort_and_build(&mut list);
        let fresh = |q: &str| SearchIndex::sort_and_build(&mut list.clone()).search(q);
        for query in [
            "acme lgstc 1",
            "al",
            "c0",
            "c01",
            "rds2",
            "eu acm",
            "x",
            "ac h",
        ] {
            for end in 1..=query.len() {
                let q = &query[..end];
                assert_eq!(typing.search(q), fresh(q), "typing {q:?}");
            }
            // and back: deleting characters widens again
            for end in (1..query.len()).rev() {
                let q = &query[..end];
                assert_eq!(typing.search(q), fresh(q), "deleting to {q:?}");
            }
        }
    }

    #[test]
    fn large_lists_scanned_on_two_threads_rank_as_one_scan_would() {
        let mut list: Vec<Customer> = (0..PARALLEL_FROM + 1001)
            .map(|i| {
                let name = format!("{} {i}", ["Acme Corp", "Beta", "Acme Labs"][i % 3]);
                customer(&format!("C{i:05}"), &name, &format!("h{i}.ex"), &[])
            })
            .collect();
        let index = SearchIndex::sort_and_build(&mut list);
        for query in ["acme", "c0001", "h2", "zzz"] {
            let terms: Vec<Term<'_>> = query.split_whitespace().map(Term::new).collect();
            let mut expected: Vec<(u32, usize)> = (0..index.rows.len())
                .filter_map(|i| index.row(i).score(&terms).map(|s| (s, i)))
                .collect();
            expected.sort_unstable();
            let expected: Vec<usize> = expected.into_iter().map(|(_, i)| i).collect();
            *index.last.lock().unwrap() = None; // a fresh, full scan
            assert_eq!(index.search(query), expected, "{query}");
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
    fn a_customer_is_found_by_its_code_in_any_case_after_sorting() {
        let mut list = vec![
            customer("Z2", "beta", "h", &[]),
            customer("a1", "Gamma", "h", &[]),
            customer("Mid-3", "Alpha", "h", &[]),
        ];
        let index = SearchIndex::sort_and_build(&mut list);
        for code in ["Z2", "a1", "Mid-3"] {
            for asked in [code.to_owned(), code.to_uppercase(), code.to_lowercase()] {
                let at = index.position_of_code(&asked).expect(code);
                assert_eq!(list[at].code, code, "asked {asked}");
            }
        }
        assert_eq!(index.position_of_code("Z"), None);
        assert_eq!(index.position_of_code("a1 "), None);
        assert_eq!(SearchIndex::default().position_of_code("a1"), None);
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
