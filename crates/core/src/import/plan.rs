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
        let _span = tracing::info_span!("import").entered();
        let started = std::time::Instant::now();
        let pass = self
            .preview_pass(Input::file(path)?, options, progress)
            .inspect_err(|e| tracing::warn!(kind = e.kind().name(), "import preview refused"))?;
        tracing::info!(format = pass.detected.format.id(), "import previewed");
        log_summary("import checked", &pass.summary, started);
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
        let _span = tracing::info_span!("import", format = plan.detected.format.id()).entered();
        let started = std::time::Instant::now();
        let result = self.write_import(&plan, progress);
        match &result {
            Ok(summary) => log_summary("import written", summary, started),
            Err(e) => {
                tracing::warn!(kind = e.kind().name(), "import refused");
                self.record_refused_import(&plan.describe(), e);
            }
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
        let _span = tracing::info_span!("import").entered();
        let started = std::time::Instant::now();
        let done = self
            .import_in_one_pass_from(Input::file(path)?, options, progress)
            .inspect_err(|e| tracing::warn!(kind = e.kind().name(), "import refused"))?;
        let what = match done.written {
            true => "import written",
            false => "import refused: invalid rows, nothing written",
        };
        tracing::info!(format = done.detected.format.id(), "{what}");
        log_summary(what, &done.summary, started);
        Ok(done)
    }

    /// [`Session::import_in_one_pass`] over any input.
    pub fn import_in_one_pass_from(
        &mut self,
        input: Input,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<OnePassImport> {
        let path = input.path().to_path_buf();
        let path = path.as_path();
        let mut seen: Option<(ImportSummary, Detected)> = None;
        let written = self.write_batch_audited(|view, tx| {
            let pass = write_pass(view, tx, input, options, progress)?;
            let blocked = !pass.summary.errors.is_empty() && !options.skip_invalid;
            let event =
                NewEvent::new(Action::Import).detail(describe(path, &pass.detected, &pass.summary));
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
                    describe(path, &detected, &summary),
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

impl Session {
    /// Copies every customer, entry and secret of this vault into `target` (a team
    /// database: `team push`): read as native CSV into memory (wiped afterwards, never a
    /// file) and imported in one pass, one transaction of the target. Recorded in both logs:
    /// an export here (before a byte is read), an import there.
    pub fn copy_into(
        &mut self,
        target: &mut Session,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<OnePassImport> {
        let customers = self.customers().len();
        let entries: usize = self.customers().iter().map(|c| c.entries.len()).sum();
        self.audit(NewEvent::new(Action::Export).detail(format!(
            "{customers} customers, {entries} entries to a team vault (push)"
        )))?;
        let mut csv = zeroize::Zeroizing::new(Vec::new());
        self.write_native_csv(&mut *csv)?;
        let size = csv.len() as u64;
        let input = Input::native(
            Box::new(std::io::Cursor::new(csv)),
            size,
            Path::new("vault"),
            "a Sallyport vault",
        );
        target.import_in_one_pass_from(input, options, progress)
    }
}

/// One log line with an import pass's counts (never its rows' text).
fn log_summary(what: &str, summary: &ImportSummary, started: std::time::Instant) {
    tracing::info!(
        created = summary.created,
        updated = summary.updated,
        skipped = summary.skipped,
        invalid = summary.errors.len(),
        ms = started.elapsed().as_millis() as u64,
        "{what}"
    );
}
