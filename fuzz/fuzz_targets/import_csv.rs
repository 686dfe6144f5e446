//! CSV import from raw bytes: decoding, format detection, each tool's mapping, row
//! validation and planning, against a vault holding customers to conflict with.
//!
//! Properties: the preview gives the same result twice; every error (of the file or of a
//! row) is one line, rows' lines are within the file and in order; naming the detected
//! format explicitly changes nothing; the write pass finds exactly what the preview found
//! (otherwise applying a previewed plan would always be refused), and after it the audit
//! chain verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::fuzzing::{import, preview_import};
use sallyport_core::import::{ConflictPolicy, Format, ImportOptions};
use sallyport_core::Session;
use sallyport_fuzz::{assert_one_line, populated_vault};

fuzz_target!(|data: &[u8]| {
    // The policy comes from the length, so the corpus stays plain CSV files.
    let options = ImportOptions {
        on_conflict: ConflictPolicy::ALL[data.len() % 3],
        skip_invalid: data.len().is_multiple_of(2),
        format: None,
    };
    SESSION.with(|session| check(session, data, options));
});

thread_local! {
    /// The vault previews run on (a preview writes nothing).
    static SESSION: Session = populated_vault().open().expect("open the vault");
}

fn check(session: &Session, data: &[u8], options: ImportOptions) {
    let first = preview_import(session, data, options);
    let again = preview_import(session, data, options);
    assert_eq!(
        format!("{first:?}"),
        format!("{again:?}"),
        "same input, other result"
    );

    let (detected, summary) = match first {
        Ok(found) => found,
        Err(e) => {
            assert_one_line(&e.to_string());
            return;
        }
    };
    // Physical lines: the file has at most one more than it has line breaks.
    let max_line = data.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut previous = 0;
    for error in &summary.errors {
        assert_one_line(&error.reason);
        assert!(
            (1..=max_line).contains(&error.line) && error.line >= previous,
            "row error on line {} of a file of {max_line} lines (or out of order): {:?}",
            error.line,
            summary.errors
        );
        previous = error.line;
    }
    assert!(
        summary.created + summary.updated + summary.skipped + summary.errors.len() > 0,
        "a file with records gave an empty summary"
    );

    // Choosing the detected format gives the same rows; choosing another is refused.
    let chosen = ImportOptions {
        format: Some(detected.format),
        ..options
    };
    let (_, summary_chosen) = preview_import(session, data, chosen).expect("the detected format");
    assert_eq!(summary_chosen, summary, "--format {:?}", detected.format);
    for other in Format::ALL {
        if other != detected.format && other != Format::Sallyport {
            let refused = preview_import(
                session,
                data,
                ImportOptions {
                    format: Some(other),
                    ..options
                },
            );
            match refused {
                Err(e) => assert_one_line(&e.to_string()),
                Ok(_) => panic!("{:?} accepted as {other:?}", detected.format),
            }
        }
    }

    // The write pass on a copy of the same vault sees the same file.
    let mut copy = populated_vault().open().expect("open a copy");
    let written = import(&mut copy, data, options).expect("the write pass");
    assert_eq!(
        written.summary, summary,
        "the write pass differs from the preview"
    );
    assert_eq!(written.detected, detected);
    assert_eq!(
        written.written,
        summary.errors.is_empty() || options.skip_invalid
    );
    let report = copy.verify_audit().expect("verify the audit log");
    assert!(report.is_ok(), "audit log after an import: {report:?}");
}
