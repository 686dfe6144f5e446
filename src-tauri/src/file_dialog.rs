//! The native Open and Save dialogs, run on the Rust side. The webview asks for one by
//! purpose and gets back the path the user chose, to show in the form's file field; the
//! command that then reads or writes the file checks that path exactly as it checks one the
//! user typed or dropped (`typed_path`, then the core's own checks: a regular file of bounded
//! size to read, a new file to write). The webview has no access to the dialog plugin itself
//! (no `dialog:` permission is granted), so it cannot open a dialog on a folder or with
//! options of its choosing.

use serde::Deserialize;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::DialogExt;

use crate::error::{ApiError, ApiResult};
use crate::typed_path::{typed_path, Purpose};

/// What a file is chosen for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FileChoice {
    /// A CSV file to import (Open).
    ImportCsv,
    /// The .rdp signing certificate, a .pfx (Open).
    SigningPfx,
    /// The CA certificate a team database's certificate must chain to, a PEM file (Open).
    TeamCa,
    /// Where an audit export goes (Save).
    AuditExport,
    /// Where a customer's access statement goes (Save).
    Statement,
}

impl FileChoice {
    fn title(self) -> &'static str {
        match self {
            FileChoice::ImportCsv => "Import customers",
            FileChoice::SigningPfx => "Choose the signing certificate",
            FileChoice::TeamCa => "Choose the team's CA certificate",
            FileChoice::AuditExport => "Export the audit log",
            FileChoice::Statement => "Save the access statement",
        }
    }

    fn filters(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            FileChoice::ImportCsv => {
                &[("CSV files", &["csv", "CSV", "txt"]), ("All files", &["*"])]
            }
            FileChoice::SigningPfx => &[
                ("PKCS#12 files (.pfx, .p12)", &["pfx", "PFX", "p12", "P12"]),
                ("All files", &["*"]),
            ],
            FileChoice::TeamCa => &[
                (
                    "PEM certificates (.pem, .crt)",
                    &["pem", "PEM", "crt", "CRT", "cer", "CER"],
                ),
                ("All files", &["*"]),
            ],
            FileChoice::AuditExport | FileChoice::Statement => &[],
        }
    }

    fn saves(self) -> bool {
        matches!(self, FileChoice::AuditExport | FileChoice::Statement)
    }
}

const SUGGESTED: Purpose = Purpose {
    missing: "no file suggested",
    example: "~/file",
};

/// Shows the dialog for `choice` (a Save dialog starts at `suggested`, the form's current
/// path, when that is a full path) and returns the chosen path, or `None` when the user
/// closed it.
#[tauri::command]
pub async fn choose_file<R: Runtime>(
    app: AppHandle<R>,
    choice: FileChoice,
    suggested: Option<String>,
) -> ApiResult<Option<String>> {
    let mut dialog = app.dialog().file().set_title(choice.title());
    for (name, extensions) in choice.filters() {
        dialog = dialog.add_filter(*name, extensions);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    if let Some(path) = suggested.and_then(|s| typed_path(&s, &SUGGESTED).ok()) {
        if let Some(dir) = path.parent().filter(|d| d.is_dir()) {
            dialog = dialog.set_directory(dir);
        }
        if let (true, Some(name)) = (choice.saves(), path.file_name()) {
            dialog = dialog.set_file_name(name.to_string_lossy());
        }
    }
    let (sender, chosen) = tokio::sync::oneshot::channel();
    let answer = move |path| {
        let _ = sender.send(path); // the command may have been dropped meanwhile
    };
    match choice.saves() {
        true => dialog.save_file(answer),
        false => dialog.pick_file(answer),
    }
    let Some(path) = chosen.await.ok().flatten() else {
        return Ok(None);
    };
    let path = path
        .into_path()
        .map_err(|e| ApiError::from(sallyport_core::Error::invalid("file", e.to_string())))?;
    Ok(Some(path.display().to_string()))
}
