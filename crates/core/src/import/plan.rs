//! The session's side of an import: previewing a file into an [`ImportPlan`], applying
//! exactly that plan, or both in one pass; every outcome (refusals too) audited.

use std::path::Path;

use super::pipeline::{self, write_pass, Input, Pass};
use super::{
    describe, Detected, ImportOptions, ImportPlan, ImportSummary, OnePassImport, Progress,
};
use crate::audit::{Action, NewEvent};
use crate::{Error, Result, Session};

impl Session {
    /// Reads and checks a CSV file against the vault; writes nothing.
    pub fn plan_import(&self, path: &Path, options: ImportOptions) -> Result<ImportPlan> {
        self.plan_import_with_progress(path, options, &mut |_| {})
    }

    /// [`Session::plan_import`], reporting progress to `progress`.
    pub fn plan_import_with_progress(
        &self,
        path: &Path,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportPlan> {
        let pass = self.preview_pass(Input::file(path)?, options, progress)?;
        Ok(ImportPlan {
            summary: pass.summary,
            detected: pass.detected,
            options,
            path: path.to_path_buf(),
            digest: pass.digest,
            generation: self.generation(),
        })
    }

    /// Records in the audit log that a plan was previewed (a dry run; nothing written).
    pub fn record_import_preview(&mut self, plan: &ImportPlan) -> Result<()> {
        let detail = format!("{} (dry run)", plan.describe());
        self.audit(NewEvent::new(Action::ImportPreview).detail(detail))
            .map(|_| ())
    }

    /// Writes a plan in one transaction, with its audit event. Refused (and the refusal
    /// audited) if the plan has invalid rows and was not made with `skip_invalid`, or if
    /// the vault or the file changed since the preview.
    pub fn apply_import(&mut self, plan: ImportPlan) -> Result<ImportSummary> {
        self.apply_import_with_progress(plan, &mut |_| {})
    }

    /// [`Session::apply_import`], reporting progress to `progress`.
    pub fn apply_import_with_progress(
        &mut self,
        plan: ImportPlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        let result = self.write_import(&plan, progress);
        if let Err(e) = &result {
            self.record_refused_import(&plan.describe(), e);
        }
        result
    }

    /// Records a refused import or restore (`what` describes it). The refusal is what
    /// matters to the caller; a failure to record it is not.
    pub(crate) fn record_refused_import(&mut self, what: &str, e: &Error) {
        let refused = NewEvent::new(Action::Import)
            .failed()
            .detail(format!("{what}: {e}"));
        let _ = self.audit(refused);
    }

    /// Refuses to apply a plan that has invalid rows (without `skip_invalid`) or that was
    /// made before the vault last changed. `done` names the operation ("imported").
    pub(crate) fn check_plan_applies(
        &self,
        summary: &ImportSummary,
        options: ImportOptions,
        generation: u64,
        done: &str,
    ) -> Result<()> {
        if !summary.errors.is_empty() && !options.skip_invalid {
            return Err(Error::Import(format!(
                "{} invalid row(s); nothing was {done} (fix them or skip invalid rows)",
                summary.errors.len()
            )));
        }
        if generation != self.generation() {
            return Err(Error::Import(
                "the vault changed since the preview; preview again".into(),
            ));
        }
        Ok(())
    }

    /// The preview pass over `input`: every row read and checked, nothing written.
    pub(crate) fn preview_pass(
        &self,
        input: Input,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Pass> {
        pipeline::preview_pass(&self.view(), self.store(), input, options, progress)
    }

    /// Checks and writes in one pass over the file and one transaction: the result of
    /// [`Session::plan_import`] followed by [`Session::apply_import`], for callers that do
    /// not show the preview first (the command line without `--dry-run`). If the file has
    /// invalid rows and `skip_invalid` is off, the transaction is rolled back, nothing is
    /// written, and the refusal is recorded; the summary names every bad row either way.
    pub fn import_in_one_pass(
        &mut self,
        path: &Path,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<OnePassImport> {
        self.import_input_in_one_pass(Input::file(path)?, options, progress)
    }

    /// [`Session::import_in_one_pass`] over any input.
    pub(crate) fn import_input_in_one_pass(
        &mut self,
        input: Input,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<OnePassImport> {
        let path = input.path().to_path_buf();
        let mut seen: Option<(ImportSummary, Detected)> = None;
        let written = self.write_batch_audited(|view, tx| {
            let pass = write_pass(view, tx, input, options, progress)?;
            let blocked = !pass.summary.errors.is_empty() && !options.skip_invalid;
            let event = NewEvent::new(Action::Import).detail(describe(
                &path,
                &pass.detected,
                &pass.summary,
            ));
            seen = Some((pass.summary, pass.detected));
            if blocked {
                return Err(Error::Import("invalid rows".into())); // rolls the transaction back
            }
            Ok((pass.touched, vec![event]))
        });
        match (written, seen) {
            (Ok(()), Some((summary, detected))) => Ok(OnePassImport {
                summary,
                detected,
                written: true,
            }),
            (Err(_), Some((summary, detected)))
                if !summary.errors.is_empty() && !options.skip_invalid =>
            {
                let reason = format!(
                    "{}: {} invalid row(s); nothing was imported",
                    describe(&path, &detected, &summary),
                    summary.errors.len()
                );
                self.audit(NewEvent::new(Action::Import).failed().detail(reason))?;
                Ok(OnePassImport {
                    summary,
                    detected,
                    written: false,
                })
            }
            (Err(e), _) => Err(e),
            (Ok(()), None) => Err(Error::Storage("the import pass did not run".into())),
        }
    }

    fn write_import(
        &mut self,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        self.check_plan_applies(&plan.summary, plan.options, plan.generation, "imported")?;
        let event = NewEvent::new(Action::Import).detail(plan.describe());
        if plan.summary.created + plan.summary.updated == 0 {
            self.audit(event)?;
            return Ok(plan.summary.clone());
        }
        let input = Input::file(&plan.path)?;
        self.write_batch(&[event], |view, tx| {
            let pass = write_pass(view, tx, input, plan.options, progress)?;
            pass.matches(&plan.path, &plan.summary, &plan.digest)?;
            Ok(pass.touched)
        })?;
        Ok(plan.summary.clone())
    }
}
