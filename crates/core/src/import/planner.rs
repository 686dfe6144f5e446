//! Decides, row by row, what an import does to the vault, and hands every record to write
//! to a [`Sink`]: the preview's sink writes nothing, the apply pass's sink seals and stores.
//!
//! A row either passes every check and then changes the plan, or is rejected with a reason
//! and changes nothing. Only compact state is kept per customer (its record, entry labels);
//! entries are passed on as soon as they are decided.

use std::collections::HashMap;

use uuid::Uuid;

use super::{ConflictPolicy, ImportOptions, ImportSummary, RowError};
use crate::crypto::RecordCipher;
use crate::model::patch::{self, check_entry, CustomerPatch, EntryPatch, RawRow};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::store::{StoreRead, StoreWrite};
use crate::vault::records;
use crate::vault::session::VaultView;
use crate::Result;

/// Where decided records go.
pub(crate) trait Sink {
    /// Reads of stored entries (existing entries to update).
    fn store(&self) -> &dyn StoreRead;
    /// An entry created or changed, with its secrets when they changed.
    fn entry(
        &mut self,
        customer: &Uuid,
        entry: &Entry,
        secrets: Option<&EntrySecrets>,
    ) -> Result<()>;
    /// A customer created or changed (its entry list included).
    fn customer(&mut self, customer: &Customer) -> Result<()>;
    /// Whether the planner must build full records (false for a preview, which only counts).
    fn keeps_records(&self) -> bool;
}

/// The preview's sink: reads the store, writes nothing.
pub(crate) struct Preview<'a> {
    pub store: &'a dyn StoreRead,
}

impl Sink for Preview<'_> {
    fn store(&self) -> &dyn StoreRead {
        self.store
    }

    fn entry(&mut self, _: &Uuid, _: &Entry, _: Option<&EntrySecrets>) -> Result<()> {
        Ok(())
    }

    fn customer(&mut self, _: &Customer) -> Result<()> {
        Ok(())
    }

    fn keeps_records(&self) -> bool {
        false
    }
}

/// The apply pass's sink: seals every record and writes it into the open transaction.
pub(crate) struct Writer<'a> {
    pub tx: &'a mut dyn StoreWrite,
    pub cipher: &'a RecordCipher,
}

impl Sink for Writer<'_> {
    fn store(&self) -> &dyn StoreRead {
        &*self.tx
    }

    fn entry(
        &mut self,
        customer: &Uuid,
        entry: &Entry,
        secrets: Option<&EntrySecrets>,
    ) -> Result<()> {
        self.tx
            .put_entry(&records::seal_entry(self.cipher, customer, entry)?)?;
        if let Some(secrets) = secrets {
            let id = entry.id.to_string();
            self.tx
                .put_entry_secrets(&id, &records::seal_secrets(self.cipher, &id, secrets)?)?;
        }
        Ok(())
    }

    fn customer(&mut self, customer: &Customer) -> Result<()> {
        self.tx
            .put_customer(&records::seal_customer(self.cipher, customer)?)
    }

    fn keeps_records(&self) -> bool {
        true
    }
}

/// A customer the file touches.
struct Planned {
    /// Boxed: the plan grows by doubling, and moving small handles is cheap.
    customer: Box<Customer>,
    /// Created by this file (not in the vault).
    is_new: bool,
    /// Line of the first row naming this customer.
    first_line: u64,
    /// The customer record must be written.
    changed: bool,
    /// Stored entries not yet touched by the file.
    untouched: Vec<Entry>,
    /// Labels the file has named, with their line.
    labels: Vec<(String, u64)>,
}

impl Planned {
    fn line_of(&self, label: &str) -> Option<u64> {
        self.labels
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(label))
            .map(|(_, line)| *line)
    }

    fn untouched(&self, label: &str) -> Option<&Entry> {
        self.untouched
            .iter()
            .find(|e| e.label.eq_ignore_ascii_case(label))
    }
}

/// What one valid row does.
enum Outcome {
    Created(Entry, Option<EntrySecrets>),
    Replaced(Entry, Option<EntrySecrets>),
    CustomerCreated,
    CustomerUpdated,
    Skipped,
}

/// Row-level rejection (recorded, import goes on) or a storage failure (import stops).
/// Why a refused row of an unquoted file is named without its values.
pub(super) const HIDDEN: &str =
    "not valid (the value is not shown: this format has no quotes, so a \
     ';' or line break inside a value moves text, a password too, into other columns)";

enum Refusal {
    Row(String),
    Fatal(crate::Error),
}

impl From<String> for Refusal {
    fn from(reason: String) -> Self {
        Refusal::Row(reason)
    }
}

impl From<crate::Error> for Refusal {
    fn from(e: crate::Error) -> Self {
        Refusal::Fatal(e)
    }
}

pub(crate) struct Planner<'v> {
    view: &'v VaultView<'v>,
    options: ImportOptions,
    summary: ImportSummary,
    planned: Vec<Planned>,
    /// Lowercase code → index into `planned`.
    by_code: HashMap<String, usize>,
    /// Lowercase name → index into `planned` (first customer of that name).
    by_name: HashMap<String, usize>,
    /// Whether a refused row's reason may quote its values (see [`Planner::hiding_values`]).
    values_shown: bool,
}

impl<'v> Planner<'v> {
    pub fn new(view: &'v VaultView<'v>, options: ImportOptions) -> Self {
        Self {
            view,
            options,
            summary: ImportSummary::default(),
            planned: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            values_shown: true,
        }
    }

    /// Refused rows are named without their values: for a file written without quotes
    /// (mRemoteNG), where a ';' or a line break inside a value moves the text after it into
    /// other columns, so any column may hold part of a password.
    pub fn hiding_values(mut self) -> Self {
        self.values_shown = false;
        self
    }

    /// Counts a row that is not a login (a note, a folder, a container): skipped.
    pub fn not_a_login(&mut self) {
        self.summary.skipped += 1;
    }

    /// Records a row that could not even be read.
    pub fn reject(&mut self, error: RowError) {
        self.summary.errors.push(error);
    }

    /// Validates and plans one row, passing decided entries to `sink`.
    pub fn row(&mut self, sink: &mut dyn Sink, raw: &RawRow) -> Result<()> {
        let mut field = None;
        let outcome = patch::validate(raw)
            .map_err(|e| {
                if let crate::Error::Invalid { field: f, .. } = &e {
                    field = Some(f.clone());
                }
                Refusal::Row(e.to_string())
            })
            .and_then(|(customer, entry)| self.plan(sink, raw.line, customer, entry));
        match outcome {
            Ok(()) => Ok(()),
            Err(Refusal::Row(reason)) => {
                let reason = match (self.values_shown, field) {
                    (true, _) => reason,
                    (false, Some(field)) => format!("{field}: {HIDDEN}"),
                    (false, None) => format!("conflicts with another row or the vault; {HIDDEN}"),
                };
                self.summary.errors.push(RowError::new(raw.line, reason));
                Ok(())
            }
            Err(Refusal::Fatal(e)) => Err(e),
        }
    }

    /// Writes every created or changed customer and returns them with the summary.
    pub fn finish(self, sink: &mut dyn Sink) -> Result<(ImportSummary, Vec<Customer>)> {
        let Planner {
            mut summary,
            planned,
            ..
        } = self; // the lookup maps are freed here
        let keep = sink.keeps_records();
        let mut touched = Vec::with_capacity(if keep { planned.len() } else { 0 });
        for planned in planned.into_iter().filter(|p| p.changed && keep) {
            let mut customer = *planned.customer;
            customer
                .entries
                .sort_by_cached_key(|e| e.label.to_lowercase());
            customer.shrink_to_fit();
            sink.customer(&customer)?;
            touched.push(customer);
        }
        summary.errors.sort_by_key(|e| e.line);
        Ok((summary, touched))
    }

    fn plan(
        &mut self,
        sink: &mut dyn Sink,
        line: u64,
        patch: CustomerPatch,
        entry: Option<EntryPatch>,
    ) -> Result<(), Refusal> {
        let policy = self.options.on_conflict;
        let index = self.find(sink, &patch, line)?;
        let fresh;
        let (base, is_new) = match index {
            Some(i) => (&*self.planned[i].customer, self.planned[i].is_new),
            None => {
                let code = match &patch.code {
                    Some(code) => code.clone(),
                    None => self.derive_code(&patch.name),
                };
                fresh = Customer::new(patch.name.clone(), code);
                (&fresh, true)
            }
        };
        if let Some(i) = index.filter(|_| is_new) {
            if !base.name.eq_ignore_ascii_case(&patch.name) {
                return Err(Refusal::Row(format!(
                    "customer '{}' is named '{}' on line {} but '{}' here",
                    base.code, base.name, self.planned[i].first_line, patch.name
                )));
            }
        }
        // Customer fields: taken for customers new in this file; for stored customers only
        // under the update policy. A preview counts rows without building new customers'
        // records (their changes never decide a count), which keeps it small.
        let patched =
            if (is_new && sink.keeps_records()) || (!is_new && policy == ConflictPolicy::Update) {
                let mut customer = base.clone();
                let changed = patch.apply(&mut customer);
                if is_new && index.is_some() {
                    // A later row of a customer new in this file: the first row's spelling
                    // of name and code stays (they agree but for case), as the preview,
                    // which builds no records, names it in its messages.
                    customer.name.clone_from(&base.name);
                    customer.code.clone_from(&base.code);
                }
                changed.then_some(customer)
            } else {
                None
            };
        let customer_changed = patched.is_some();

        let outcome = match &entry {
            None => self.customer_only(base, index, is_new, customer_changed)?,
            Some(entry_patch) => self.entry(sink, base, index, entry_patch, customer_changed)?,
        };

        // Every check passed: record the row.
        let i = match index {
            Some(i) => i,
            None => self.adopt(
                patched.clone().unwrap_or_else(|| base.clone()),
                Vec::new(),
                true,
                line,
            ),
        };
        let label = entry.as_ref().map(|e| e.label.clone());
        let planned = &mut self.planned[i];
        if let Some(mut customer) = patched {
            customer.entries = std::mem::take(&mut planned.customer.entries);
            *planned.customer = customer;
            planned.changed = true;
        }
        if let Some(label) = label {
            planned
                .untouched
                .retain(|e| !e.label.eq_ignore_ascii_case(&label));
            if planned.labels.is_empty() {
                // Most customers have one entry: room for one, not the four a first push
                // makes (~10 MB kept until the end of a 100,000-customer import).
                planned.labels.reserve_exact(1);
            }
            planned.labels.push((label, line));
        }
        match outcome {
            Outcome::Created(entry, secrets) => {
                sink.entry(&planned.customer.id, &entry, secrets.as_ref())?;
                if sink.keeps_records() {
                    planned.customer.entries.push(entry.to_ref());
                }
                planned.changed = true;
                self.summary.created += 1;
            }
            Outcome::Replaced(entry, secrets) => {
                sink.entry(&planned.customer.id, &entry, secrets.as_ref())?;
                let new_ref = entry.to_ref();
                if let Some(r) = planned
                    .customer
                    .entries
                    .iter_mut()
                    .find(|r| r.id == entry.id)
                {
                    if *r != new_ref {
                        *r = new_ref;
                        planned.changed = true;
                    }
                }
                self.summary.updated += 1;
            }
            Outcome::CustomerCreated => self.summary.created += 1,
            Outcome::CustomerUpdated => self.summary.updated += 1,
            Outcome::Skipped => self.summary.skipped += 1,
        }
        planned.customer.shrink_to_fit();
        Ok(())
    }

    fn customer_only(
        &self,
        customer: &Customer,
        index: Option<usize>,
        is_new: bool,
        changed: bool,
    ) -> Result<Outcome, Refusal> {
        Ok(match (is_new, index) {
            (true, None) => Outcome::CustomerCreated,
            (true, Some(_)) => Outcome::Skipped,
            (false, _) => match self.options.on_conflict {
                ConflictPolicy::Fail => {
                    return Err(Refusal::Row(format!(
                        "customer '{}' already exists (choose --on-conflict skip or update)",
                        customer.code
                    )))
                }
                ConflictPolicy::Update if changed => Outcome::CustomerUpdated,
                _ => Outcome::Skipped,
            },
        })
    }

    fn entry(
        &self,
        sink: &dyn Sink,
        customer: &Customer,
        index: Option<usize>,
        patch: &EntryPatch,
        customer_changed: bool,
    ) -> Result<Outcome, Refusal> {
        let planned = index.map(|i| &self.planned[i]);
        if let Some(earlier) = planned.and_then(|p| p.line_of(&patch.label)) {
            return Err(Refusal::Row(format!(
                "entry '{}' of customer '{}' already appears on line {earlier}",
                patch.label, customer.code
            )));
        }
        let Some(current) = planned.and_then(|p| p.untouched(&patch.label)) else {
            let mut entry = Entry {
                id: crate::model::new_record_id(),
                ..Entry::default()
            };
            patch.apply(&mut entry);
            check_entry(&entry).map_err(|e| e.to_string())?;
            let mut secrets = EntrySecrets::default();
            patch.apply_secrets(&mut secrets);
            return Ok(Outcome::Created(
                entry,
                Some(secrets).filter(|s| !s.is_empty()),
            ));
        };
        match self.options.on_conflict {
            ConflictPolicy::Fail => Err(Refusal::Row(format!(
                "entry '{}' of customer '{}' already exists (choose --on-conflict skip or update)",
                patch.label, customer.code
            ))),
            ConflictPolicy::Skip => Ok(Outcome::Skipped),
            ConflictPolicy::Update => {
                let mut entry = current.clone();
                let fields_changed = patch.apply(&mut entry);
                check_entry(&entry).map_err(|e| e.to_string())?;
                let mut secrets = None;
                if patch.has_secrets() {
                    let mut stored = self.view.entry_secrets(sink.store(), current)?;
                    if patch.apply_secrets(&mut stored) {
                        secrets = Some(stored);
                    }
                }
                if fields_changed || secrets.is_some() {
                    Ok(Outcome::Replaced(entry, secrets))
                } else if customer_changed {
                    Ok(Outcome::CustomerUpdated)
                } else {
                    Ok(Outcome::Skipped)
                }
            }
        }
    }

    /// The row's customer in the plan: by code when the row has one, otherwise by name.
    /// A stored customer is brought into the plan (unchanged) with its entries.
    fn find(
        &mut self,
        sink: &dyn Sink,
        patch: &CustomerPatch,
        line: u64,
    ) -> Result<Option<usize>, Refusal> {
        let view = self.view;
        let stored: Option<&Customer> = match &patch.code {
            Some(code) => {
                if let Some(&i) = self.by_code.get(&code.to_lowercase()) {
                    return Ok(Some(i));
                }
                view.customer_by_code(code)
            }
            None => {
                let name = patch.name.to_lowercase();
                if let Some(&i) = self.by_name.get(&name) {
                    return Ok(Some(i));
                }
                let mut same_name = view
                    .customers
                    .iter()
                    .filter(|c| c.name.to_lowercase() == name);
                match (same_name.next(), same_name.count()) {
                    (None, _) => None,
                    (Some(one), 0) => Some(one),
                    (Some(_), more) => {
                        return Err(Refusal::Row(format!(
                            "{} customers are named '{}'; add a code column to choose one",
                            more + 1,
                            patch.name
                        )))
                    }
                }
            }
        };
        let Some(stored) = stored else {
            return Ok(None);
        };
        let entries = view.entries(sink.store(), stored)?;
        Ok(Some(self.adopt(stored.clone(), entries, false, line)))
    }

    fn adopt(&mut self, customer: Customer, entries: Vec<Entry>, is_new: bool, line: u64) -> usize {
        let i = self.planned.len();
        self.by_code
            .insert(customer.code.to_lowercase().into_string(), i);
        self.by_name
            .entry(customer.name.to_lowercase().into_string())
            .or_insert(i);
        self.planned.push(Planned {
            customer: Box::new(customer),
            is_new,
            first_line: line,
            changed: is_new,
            untouched: entries,
            labels: Vec::new(),
        });
        i
    }

    fn code_in_use(&self, code: &str) -> bool {
        self.by_code.contains_key(&code.to_lowercase())
            || self.view.customer_by_code(code).is_some()
    }

    /// A code from the name: uppercase letters and digits, words joined by '-', at most 16
    /// characters, made unique with a numeric suffix.
    fn derive_code(&self, name: &str) -> String {
        let words: Vec<String> = name
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        let mut base = words.join("-");
        base.truncate(16);
        let base = match base.trim_end_matches('-') {
            "" => "CUSTOMER".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        if !self.code_in_use(&base) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| !self.code_in_use(c))
            .unwrap_or(base)
    }
}
