//! [`Words`]: a short list of single-line texts (a customer's tags, an entry's host names) in
//! one string.
//!
//! Every customer of an unlocked vault stays in memory, and most have a tag or two and an
//! entry with a host and a gateway. As `Vec<CompactString>`, each such list was an allocation
//! of its own (24 bytes per item) plus one per item longer than 24 bytes; joined by line
//! breaks, two tags like "eu" and "tier1" need no allocation at all, and an entry's host and
//! gateway one. Stored and serialised as before: a list of strings.

use std::fmt;

use compact_str::CompactString;
use serde::de::{Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

/// Texts joined by '\n' (none of them empty or containing a line break: the validators let
/// neither through, and [`Words::push`] skips the empty one).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Words(CompactString);

impl Words {
    /// No words.
    pub const fn new() -> Self {
        Self(CompactString::const_new(""))
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        if self.0.is_empty() {
            0
        } else {
            1 + self.0.bytes().filter(|&b| b == b'\n').count()
        }
    }

    /// The words, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + Clone + '_ {
        self.0.split('\n').filter(|w| !w.is_empty())
    }

    /// Adds `word` at the end; an empty one is not kept. A line break in it would split it
    /// in two (the validators reject those before a word gets here).
    pub fn push(&mut self, word: &str) {
        debug_assert!(!word.contains('\n'), "a word with a line break");
        if word.is_empty() {
            return;
        }
        if !self.0.is_empty() {
            self.0.push('\n');
        }
        self.0.push_str(word);
    }

    /// The words joined by `separator`.
    pub fn join(&self, separator: &str) -> String {
        self.iter().collect::<Vec<_>>().join(separator)
    }

    /// Gives back spare room (a list grown word by word keeps some).
    pub fn shrink_to_fit(&mut self) {
        self.0.shrink_to_fit();
    }

    /// Overwrites the text in place (inline or on the heap), then empties the list.
    pub(crate) fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.0.as_mut_str().zeroize();
        self.0.clear();
    }
}

impl<S: AsRef<str>> FromIterator<S> for Words {
    fn from_iter<I: IntoIterator<Item = S>>(words: I) -> Self {
        let mut list = Self::new();
        for word in words {
            list.push(word.as_ref());
        }
        list
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Words {
    fn eq(&self, other: &[S; N]) -> bool {
        self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl fmt::Debug for Words {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Words {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for word in self.iter() {
            seq.serialize_element(word)?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct List;
        impl<'de> Visitor<'de> for List {
            type Value = Words;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of single-line strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Words, A::Error> {
                let mut list = Words::new();
                while let Some(word) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    if word.contains('\n') {
                        return Err(serde::de::Error::custom("a list item with a line break"));
                    }
                    list.push(&word);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(List)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_words_in_order_and_skips_empty_ones() {
        let mut words: Words = ["eu", "", "tier1"].into_iter().collect();
        words.push("gold");
        assert_eq!(words, ["eu", "tier1", "gold"]);
        assert_eq!(words.len(), 3);
        assert_eq!(words.join(", "), "eu, tier1, gold");
        assert_eq!(Words::new().len(), 0);
        assert_eq!(Words::new().iter().count(), 0);
    }

    #[test]
    fn serialises_as_a_list_of_strings() {
        let words: Words = ["rds.acme.example", "gw.acme.example"]
            .into_iter()
            .collect();
        let json = serde_json::to_string(&words).unwrap();
        assert_eq!(json, r#"["rds.acme.example","gw.acme.example"]"#);
        assert_eq!(serde_json::from_str::<Words>(&json).unwrap(), words);
        assert_eq!(serde_json::from_str::<Words>("[]").unwrap(), Words::new());
    }

    #[test]
    fn refuses_a_stored_item_with_a_line_break() {
        let error = serde_json::from_str::<Words>(r#"["a\nb"]"#).unwrap_err();
        assert!(error.to_string().contains("line break"), "{error}");
    }

    #[test]
    fn short_lists_need_no_allocation() {
        let words: Words = ["eu", "tier1"].into_iter().collect();
        assert!(!words.0.is_heap_allocated());
    }

    #[test]
    fn wipe_overwrites_and_empties() {
        let mut words: Words = ["a-host-name-longer-than-24-bytes.example"]
            .into_iter()
            .collect();
        assert!(words.0.is_heap_allocated());
        words.wipe();
        assert!(words.is_empty());
    }
}
