//! CSV import: read → validate → plan (the preview) → apply in one transaction.
//!
//! Nothing is written until [`Session::apply_import`] runs, and then everything is written
//! in a single transaction: an interrupted import leaves the vault exactly as it was. If any
//! row is invalid, nothing is written unless the caller asked to skip invalid rows.

pub mod native;
pub mod row;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use serde::Serialize;
use uuid::Uuid;

use self::row::{check_entry, CustomerPatch, EntryPatch};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::store::ChangeSet;
use crate::vault::records;
use crate::{Error, Result, Session};

/// What to do with a row whose customer code and entry label already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConflictPolicy {
    /// Keep the existing entry; count the row as skipped.
    Skip,
    /// Overwrite the existing entry with the row's non-empty cells.
    Update,
    /// Report the row as an error.
    #[default]
    Fail,
}

/// Import options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Conflict policy.
    pub on_conflict: ConflictPolicy,
    /// Write the valid rows even if some rows are invalid.
    pub skip_invalid: bool,
}

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// Physical line of the file where the record starts (header = 1).
    pub line: u64,
    /// Why the row was refused.
    pub reason: String,
}

impl RowError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// A problem with the file as a whole (it cannot be imported at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Line of the problem (0 when not tied to a line).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl FileError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// The preview of an import: what would be created, updated, skipped, and every bad row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Rows that create a customer or an entry.
    pub created: usize,
    /// Rows that change an existing customer or entry.
    pub updated: usize,
    /// Rows left alone (conflict policy `skip`, or identical to what is stored).
    pub skipped: usize,
    /// Rows that cannot be imported, by line.
    pub errors: Vec<RowError>,
}

/// A checked import, ready to apply. Holds the row secrets (wiped on drop).
#[derive(Debug)]
pub struct ImportPlan {
    summary: ImportSummary,
    options: ImportOptions,
    customers: Vec<PlannedCustomer>,
    generation: u64,
}

impl ImportPlan {
    /// The preview.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Whether applying would write anything.
    pub fn writes_anything(&self) -> bool {
        self.customers
            .iter()
            .any(|c| c.changed || c.entries.iter().any(|e| e.changed))
    }

    /// Whether the plan may be applied under its options.
    pub fn is_blocked(&self) -> bool {
        !self.summary.errors.is_empty() && !self.options.skip_invalid
    }
}

#[derive(Debug)]
struct PlannedCustomer {
    customer: Customer,
    changed: bool,
    entries: Vec<PlannedEntry>,
}

#[derive(Debug)]
struct PlannedEntry {
    entry: Entry,
    changed: bool,
    secrets: Option<EntrySecrets>,
}

impl Session {
    /// Reads and checks a native CSV file against the vault; writes nothing.
    pub fn plan_import(&self, path: &Path, options: ImportOptions) -> Result<ImportPlan> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let (raw_rows, read_errors) = native::read(BufReader::with_capacity(1 << 16, file))
            .map_err(|e| file_error(path, &e))?;
        let mut planner = Planner::new(self, options);
        planner.summary.errors = read_errors;
        for raw in &raw_rows {
            match row::validate(raw) {
                Ok((customer, entry)) => {
                    if let Err(reason) = planner.add(raw.line, customer, entry) {
                        planner.summary.errors.push(RowError::new(raw.line, reason));
                    }
                }
                Err(e) => planner
                    .summary
                    .errors
                    .push(RowError::new(raw.line, e.to_string())),
            }
        }
        planner.summary.errors.sort_by_key(|e| e.line);
        Ok(planner.finish())
    }

    /// Writes a plan in one transaction. Refused if the plan has errors and was not made
    /// with `skip_invalid`, or if the vault changed since the plan was made.
    pub fn apply_import(&mut self, plan: ImportPlan) -> Result<ImportSummary> {
        if plan.is_blocked() {
            return Err(Error::Import(format!(
                "{} invalid row(s); nothing was imported (fix them or skip invalid rows)",
                plan.summary.errors.len()
            )));
        }
        if plan.generation != self.generation() {
            return Err(Error::Import(
                "the vault changed since the preview; preview again".into(),
            ));
        }
        let mut changes = ChangeSet::default();
        let mut customers: Vec<Customer> = self.customers().to_vec();
        let position: HashMap<Uuid, usize> = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        for planned in plan.customers {
            let mut customer = planned.customer;
            if planned.changed {
                changes
                    .customers
                    .push(records::seal_customer(self.cipher(), &customer)?);
            }
            for pe in planned.entries.iter().filter(|e| e.changed) {
                changes
                    .entries
                    .push(records::seal_entry(self.cipher(), &customer.id, &pe.entry)?);
                if let Some(secrets) = &pe.secrets {
                    let id = pe.entry.id.to_string();
                    changes.secrets.push((
                        id.clone(),
                        records::seal_secrets(self.cipher(), &id, secrets)?,
                    ));
                }
            }
            customer.entries = planned.entries.into_iter().map(|e| e.entry).collect();
            match position.get(&customer.id) {
                Some(&i) => customers[i] = customer,
                None => customers.push(customer),
            }
        }
        if !changes.is_empty() {
            self.commit(&changes, customers)?;
        }
        Ok(plan.summary)
    }
}

fn file_error(path: &Path, e: &FileError) -> Error {
    match e.line {
        0 => Error::Import(format!("{}: {}", path.display(), e.reason)),
        line => Error::Import(format!("{}: line {line}: {}", path.display(), e.reason)),
    }
}

/// Where a row's customer comes from.
enum Target<'a> {
    /// Already planned by an earlier row (index into `planned`).
    Planned(usize),
    /// In the vault, not yet touched by this import.
    Vault(&'a Customer),
    /// A new customer.
    New,
}

/// Builds the plan row by row, against the vault's customers and the file's earlier rows.
/// A row either passes every check and then changes the plan, or changes nothing.
struct Planner<'s> {
    session: &'s Session,
    options: ImportOptions,
    summary: ImportSummary,
    planned: Vec<PlannedCustomer>,
    /// Lowercase code → planned index.
    by_code: HashMap<String, usize>,
    /// Lowercase name → planned index (first customer with that name).
    by_name: HashMap<String, usize>,
    /// (planned index, lowercase label) → line of the row that planned it.
    entry_lines: HashMap<(usize, String), u64>,
    /// Planned index → (line of its first row, whether it is new).
    first_rows: HashMap<usize, (u64, bool)>,
    /// Lowercase codes in use (vault and file).
    used_codes: HashSet<String>,
}

impl<'s> Planner<'s> {
    fn new(session: &'s Session, options: ImportOptions) -> Self {
        let used_codes = session
            .customers()
            .iter()
            .map(|c| c.code.to_lowercase())
            .collect();
        Self {
            session,
            options,
            summary: ImportSummary {
                created: 0,
                updated: 0,
                skipped: 0,
                errors: Vec::new(),
            },
            planned: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            entry_lines: HashMap::new(),
            first_rows: HashMap::new(),
            used_codes,
        }
    }

    fn finish(self) -> ImportPlan {
        ImportPlan {
            summary: self.summary,
            options: self.options,
            customers: self.planned,
            generation: self.session.generation(),
        }
    }

    /// Plans one valid row; `Err(reason)` makes it an error row and leaves the plan as is.
    fn add(
        &mut self,
        line: u64,
        patch: CustomerPatch,
        entry: Option<EntryPatch>,
    ) -> Result<(), String> {
        let policy = self.options.on_conflict;
        let target = self.target(&patch)?;
        let (mut customer, index, is_new) = match target {
            Target::Planned(i) => (
                self.planned[i].customer.clone(),
                Some(i),
                self.first_rows[&i].1,
            ),
            Target::Vault(c) => (c.clone(), None, false),
            Target::New => {
                let code = patch
                    .code
                    .clone()
                    .unwrap_or_else(|| self.derive_code(&patch.name));
                (Customer::new(patch.name.clone(), code), None, true)
            }
        };
        if is_new && index.is_some() && !customer.name.eq_ignore_ascii_case(&patch.name) {
            let (first, _) = self.first_rows[&index.unwrap_or_default()];
            return Err(format!(
                "customer '{}' is named '{}' on line {first} but '{}' here",
                customer.code, customer.name, patch.name
            ));
        }
        // Customer fields: taken for customers new in this file; for existing customers
        // only under the update policy.
        let customer_changed =
            (is_new || policy == ConflictPolicy::Update) && patch.apply(&mut customer);

        let outcome = match &entry {
            None => self.customer_only_outcome(&customer, index, is_new, customer_changed)?,
            Some(entry_patch) => {
                self.entry_outcome(&customer, index, entry_patch, customer_changed)?
            }
        };

        // Every check passed: record the row in the plan.
        let i = match index {
            Some(i) => i,
            None => self.adopt(customer.clone(), is_new, line),
        };
        let planned = &mut self.planned[i];
        if customer_changed || (is_new && index.is_none()) {
            planned.customer = Customer {
                entries: Vec::new(),
                ..customer
            };
            planned.changed = true;
        }
        match outcome {
            Outcome::Created(pe) => {
                self.entry_lines
                    .insert((i, pe.entry.label.to_lowercase()), line);
                planned.entries.push(pe);
                self.summary.created += 1;
            }
            Outcome::Replaced(ei, pe) => {
                self.entry_lines
                    .insert((i, pe.entry.label.to_lowercase()), line);
                planned.entries[ei] = pe;
                self.summary.updated += 1;
            }
            Outcome::CustomerCreated => self.summary.created += 1,
            Outcome::CustomerUpdated => self.summary.updated += 1,
            Outcome::Skipped(label) => {
                if let Some(label) = label {
                    self.entry_lines.insert((i, label), line);
                }
                self.summary.skipped += 1;
            }
        }
        Ok(())
    }

    fn customer_only_outcome(
        &self,
        customer: &Customer,
        index: Option<usize>,
        is_new: bool,
        changed: bool,
    ) -> Result<Outcome, String> {
        Ok(match (is_new, index) {
            (true, None) => Outcome::CustomerCreated,
            (true, Some(_)) => Outcome::Skipped(None),
            (false, _) => match self.options.on_conflict {
                ConflictPolicy::Fail => {
                    return Err(format!(
                        "customer '{}' already exists (choose --on-conflict skip or update)",
                        customer.code
                    ))
                }
                ConflictPolicy::Update if changed => Outcome::CustomerUpdated,
                _ => Outcome::Skipped(None),
            },
        })
    }

    fn entry_outcome(
        &self,
        customer: &Customer,
        index: Option<usize>,
        patch: &EntryPatch,
        customer_changed: bool,
    ) -> Result<Outcome, String> {
        let label_key = patch.label.to_lowercase();
        if let Some(earlier) = index.and_then(|i| self.entry_lines.get(&(i, label_key.clone()))) {
            return Err(format!(
                "entry '{}' of customer '{}' already appears on line {earlier}",
                patch.label, customer.code
            ));
        }
        let existing: Option<(usize, &Entry)> = match index {
            Some(i) => self.planned[i]
                .entries
                .iter()
                .enumerate()
                .find(|(_, e)| e.entry.label.to_lowercase() == label_key)
                .map(|(n, e)| (n, &e.entry)),
            None => customer
                .entries
                .iter()
                .enumerate()
                .find(|(_, e)| e.label.to_lowercase() == label_key),
        };
        let Some((ei, current)) = existing else {
            let mut entry = Entry {
                id: Uuid::new_v4(),
                ..Entry::default()
            };
            patch.apply(&mut entry);
            check_entry(&entry).map_err(|e| e.to_string())?;
            let mut secrets = EntrySecrets::default();
            patch.apply_secrets(&mut secrets);
            return Ok(Outcome::Created(PlannedEntry {
                entry,
                changed: true,
                secrets: Some(secrets).filter(|s| !s.is_empty()),
            }));
        };
        match self.options.on_conflict {
            ConflictPolicy::Fail => Err(format!(
                "entry '{}' of customer '{}' already exists (choose --on-conflict skip or update)",
                patch.label, customer.code
            )),
            ConflictPolicy::Skip => Ok(Outcome::Skipped(Some(label_key))),
            ConflictPolicy::Update => {
                let mut entry = current.clone();
                let fields_changed = patch.apply(&mut entry);
                check_entry(&entry).map_err(|e| e.to_string())?;
                let mut secrets = None;
                if patch.has_secrets() {
                    let mut stored = self
                        .session
                        .entry_secrets(current)
                        .map_err(|e| e.to_string())?;
                    if patch.apply_secrets(&mut stored) {
                        secrets = Some(stored);
                    }
                }
                if fields_changed || secrets.is_some() {
                    Ok(Outcome::Replaced(
                        ei,
                        PlannedEntry {
                            entry,
                            changed: true,
                            secrets,
                        },
                    ))
                } else if customer_changed {
                    Ok(Outcome::CustomerUpdated)
                } else {
                    Ok(Outcome::Skipped(Some(label_key)))
                }
            }
        }
    }

    /// Finds the row's customer: by code when the row has one, otherwise by name.
    fn target(&self, patch: &CustomerPatch) -> Result<Target<'s>, String> {
        if let Some(code) = &patch.code {
            if let Some(&i) = self.by_code.get(&code.to_lowercase()) {
                return Ok(Target::Planned(i));
            }
            return Ok(self
                .session
                .customer_by_code(code)
                .map_or(Target::New, Target::Vault));
        }
        let name_key = patch.name.to_lowercase();
        if let Some(&i) = self.by_name.get(&name_key) {
            return Ok(Target::Planned(i));
        }
        let session: &'s Session = self.session;
        let same_name: Vec<&'s Customer> = session
            .customers()
            .iter()
            .filter(|c| c.name.to_lowercase() == name_key)
            .collect();
        match same_name.as_slice() {
            [] => Ok(Target::New),
            [one] => Ok(Target::Vault(one)),
            many => Err(format!(
                "{} customers are named '{}'; add a code column to choose one",
                many.len(),
                patch.name
            )),
        }
    }

    fn adopt(&mut self, mut customer: Customer, is_new: bool, line: u64) -> usize {
        let i = self.planned.len();
        self.by_code.insert(customer.code.to_lowercase(), i);
        self.by_name
            .entry(customer.name.to_lowercase())
            .or_insert(i);
        self.used_codes.insert(customer.code.to_lowercase());
        self.first_rows.insert(i, (line, is_new));
        let entries = std::mem::take(&mut customer.entries)
            .into_iter()
            .map(|entry| PlannedEntry {
                entry,
                changed: false,
                secrets: None,
            })
            .collect();
        self.planned.push(PlannedCustomer {
            customer,
            changed: is_new,
            entries,
        });
        i
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
        let base = base.trim_end_matches('-').to_owned();
        let base = if base.is_empty() {
            "CUSTOMER".to_owned()
        } else {
            base
        };
        if !self.used_codes.contains(&base.to_lowercase()) {
            return base;
        }
        (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|c| !self.used_codes.contains(&c.to_lowercase()))
            .unwrap_or(base)
    }
}

/// What one valid row does to the plan.
enum Outcome {
    Created(PlannedEntry),
    Replaced(usize, PlannedEntry),
    CustomerCreated,
    CustomerUpdated,
    /// Skipped; the entry label it names, if any.
    Skipped(Option<String>),
}
