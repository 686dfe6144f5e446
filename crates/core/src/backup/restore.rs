//! Restoring a backup into a vault that has no customers yet.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::stream::{BackupKey, HEADER_LEN};
use super::RestorePlan;
use crate::audit::{Action, NewEvent};
use crate::import::{write_pass, ImportOptions, ImportSummary, Origin, Progress};
use crate::secret::SecretString;
use crate::{Error, Result, Session};

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
        std::fs::File::open(path)
            .map_err(|e| Error::io(path, e))?
            .take(HEADER_LEN as u64)
            .read_to_end(&mut header)
            .map_err(|e| Error::io(path, e))?;
        let key = Arc::new(BackupKey::open(&header, password, path)?);
        let pass = self.preview_pass(path, &Origin::Backup(&key), options, progress)?;
        let sections = pass
            .sections
            .ok_or_else(|| Error::Import(format!("{}: not a backup", path.display())))?;
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
            path: path.to_path_buf(),
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
        self.write_batch_audited(|view, tx| {
            let pass = write_pass(
                view,
                tx,
                &plan.path,
                &Origin::Backup(&plan.key),
                plan.options,
                progress,
            )?;
            pass.matches(&plan.path, &plan.summary, &plan.digest)?;
            let sections = pass
                .sections
                .ok_or_else(|| Error::Import("the backup's sections are missing".into()))?;
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
