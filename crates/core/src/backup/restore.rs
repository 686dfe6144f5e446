//! Restoring a backup into a vault that has no customers yet.

use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use super::stream::{BackupKey, Decryptor, HEADER_LEN};
use super::{RestorePlan, Sections};
use crate::audit::{Action, NewEvent};
use crate::import::{write_pass, ImportOptions, ImportSummary, Input, Progress};
use crate::secret::SecretString;
use crate::{Error, Result, Session};

/// Opens the backup at `path` with `key`: reads its sections (manifest, ids, audit events)
/// and returns them with the rest of its decrypted contents, native CSV, for the import.
/// Refused if the file is not the one `key` was made from.
fn open_contents(path: &Path, key: &Arc<BackupKey>) -> Result<(Sections, Input)> {
    let file = crate::private_fs::open_regular_file(path)?;
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    read_contents(Box::new(file), total_bytes, path, key)
}

/// [`open_contents`] over the backup's bytes read from `file` (`total_bytes` long; `path`
/// names it in messages).
fn read_contents(
    mut file: Box<dyn Read>,
    total_bytes: u64,
    path: &Path,
    key: &Arc<BackupKey>,
) -> Result<(Sections, Input)> {
    let unreadable = |reason: String| Error::Import(format!("{}: {reason}", path.display()));
    let mut header = [0u8; HEADER_LEN];
    file.read_exact(&mut header)
        .map_err(|e| unreadable(format!("cannot read the backup: {e}")))?;
    if &header != key.header() {
        return Err(unreadable(
            "changed since the preview; nothing was imported".into(),
        ));
    }
    let decrypted = Decryptor::new(Arc::clone(key), BufReader::with_capacity(1 << 16, file));
    let mut contents = BufReader::with_capacity(1 << 16, decrypted);
    let sections = Sections::read(&mut contents).map_err(unreadable)?;
    let csv = Input::native(
        Box::new(contents),
        total_bytes,
        path,
        "a Sallyport backup (encrypted)",
    );
    Ok((sections, csv))
}

impl Session {
    /// Opens the backup at `path` with `password` and checks all of it against this vault
    /// (which must have no customers); writes nothing.
    pub fn plan_restore(
        &self,
        path: &Path,
        password: &SecretString,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<RestorePlan> {
        self.check_restorable(path)?;
        let mut header = Vec::with_capacity(HEADER_LEN);
        crate::private_fs::open_regular_file(path)?
            .take(HEADER_LEN as u64)
            .read_to_end(&mut header)
            .map_err(|e| Error::io(path, e))?;
        let key = Arc::new(BackupKey::open(&header, password, path)?);
        let (sections, csv) = open_contents(path, &key)?;
        self.plan_restore_of(sections, csv, key, options, progress)
    }

    /// The backup whose bytes `file` reads, opened with `key`, checked like
    /// [`Session::plan_restore`] (which a fuzz target cannot afford: it runs Argon2id).
    #[cfg(feature = "fuzzing")]
    pub(crate) fn plan_restore_from(
        &self,
        file: Box<dyn Read>,
        total_bytes: u64,
        path: &Path,
        key: Arc<BackupKey>,
        options: ImportOptions,
    ) -> Result<RestorePlan> {
        self.check_restorable(path)?;
        let (sections, csv) = read_contents(file, total_bytes, path, &key)?;
        self.plan_restore_of(sections, csv, key, options, &mut |_| {})
    }

    /// The preview of a restore: the CSV checked by the import's preview pass, the .rdp
    /// defaults validated, the audit events counted.
    fn plan_restore_of(
        &self,
        sections: Sections,
        csv: Input,
        key: Arc<BackupKey>,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<RestorePlan> {
        let path = csv.path().to_path_buf();
        let pass = self.preview_pass(csv, options, progress)?;
        sections.manifest.rdp.validate().map_err(|e| {
            Error::Import(format!(
                "{}: the backup's .rdp defaults: {e}",
                path.display()
            ))
        })?;
        Ok(RestorePlan {
            summary: pass.summary,
            detected: pass.detected,
            options,
            path,
            key,
            digest: pass.digest,
            generation: self.generation(),
            audit_events: sections.events.len() as u64,
            manifest: sections.manifest,
        })
    }

    /// Writes a restore in one transaction: the customers, entries and secrets, the .rdp
    /// defaults, the backed-up audit events (marked restored) and the restore's own event.
    /// Refused (and the refusal audited) like [`Session::apply_import`].
    pub fn apply_restore(
        &mut self,
        plan: RestorePlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        let result = self.write_restore(&plan, progress);
        if let Err(e) = &result {
            self.record_refused_import(&plan.describe(), e);
        }
        result
    }

    fn check_restorable(&self, path: &Path) -> Result<()> {
        match self.customers().len() {
            0 => Ok(()),
            n => Err(Error::Import(format!(
                "{}: this vault already holds {n} customers; a backup is restored into a new vault (sallyport init --vault NEW)",
                path.display()
            ))),
        }
    }

    fn write_restore(
        &mut self,
        plan: &RestorePlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        self.check_restorable(&plan.path)?;
        self.check_plan_applies(&plan.summary, plan.options, plan.generation, "restored")?;
        let (settings_key, settings) = self.sealed_settings_with_rdp(&plan.manifest.rdp)?;
        let own_event = NewEvent::new(Action::Import).detail(plan.describe());
        let (sections, csv) = open_contents(&plan.path, &plan.key)?;
        if sections.events.len() as u64 != plan.audit_events {
            return Err(Error::Import(format!(
                "{} changed since the preview; nothing was imported",
                plan.path.display()
            )));
        }
        self.write_batch_audited(|view, tx| {
            let pass = write_pass(view, tx, csv, plan.options, progress)?;
            pass.matches(&plan.path, &plan.summary, &plan.digest)?;
            tx.put_meta(settings_key, &settings)?;
            let mut events = sections.restored_events(&pass.touched);
            events.push(own_event);
            Ok((pass.touched, events))
        })?;
        self.adopt_rdp_preferences(plan.manifest.rdp.clone());
        Ok(plan.summary.clone())
    }
}

impl Session {
    /// Records in the audit log that a restore was previewed (nothing written).
    pub fn record_restore_preview(&mut self, plan: &RestorePlan) -> Result<()> {
        let detail = format!("{} (dry run)", plan.describe());
        self.audit(NewEvent::new(Action::ImportPreview).detail(detail))
            .map(|_| ())
    }
}
