//! The CSV import figure (R-ADDR-4): a file of 500 addresses through the
//! edge, the preview then the import, timed from the first request to the
//! last answer (`csv_create_500_s`).

use std::time::Instant;

use postern_shared::admin::{ImportAddressesRequest, ImportPreview, ImportedAddresses};
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::Fixture;

use crate::Result;
use crate::plan::CSV_ROWS;

pub struct CsvFigures {
    pub rows: usize,
    pub preview_s: f64,
    pub create_s: f64,
}

impl CsvFigures {
    /// Preview and import together: what an administrator waits.
    pub fn total_s(&self) -> f64 {
        self.preview_s + self.create_s
    }
}

/// The bench's file: mostly mailboxes (one in ten shared with the
/// owner, read and send), one in twenty a redirect, one in fifty a
/// no-reply — every column used, every row valid.
pub fn file(domain: &str, owner_login: &str, rows: usize) -> String {
    let mut csv = String::from("address,display_name,kind,users,redirect_to\r\n");
    for i in 0..rows {
        let line = if i % 50 == 49 {
            format!("no-reply-{i}@{domain},Robot {i},no_reply,,")
        } else if i % 20 == 19 {
            format!(
                "team-{i}@{domain},\"Team {i}, all\",redirect,,box@{domain}; outside-{i}@elsewhere.test"
            )
        } else if i % 10 == 0 {
            format!("user-{i}@{domain},User {i},mailbox,{owner_login}:read+send,")
        } else {
            format!("user-{i}@{domain},User {i},,,")
        };
        csv.push_str(&line);
        csv.push_str("\r\n");
    }
    csv
}

pub async fn measure() -> Result<CsvFigures> {
    println!("→ CSV import: {CSV_ROWS} addresses, preview then import through the edge");
    // An organisation of its own, whose owner may import.
    let fx = Fixture::with_role(Role::Owner).await;
    let body = ImportAddressesRequest {
        csv: file(&fx.domain, &fx.login, CSV_ROWS),
        language: None,
    };
    let t = Instant::now();
    let preview: ImportPreview = fx
        .api
        .post(&Route::PreviewAddressImport { org: fx.org }.path(), &body)
        .await
        .map_err(|e| format!("CSV preview: {e}"))?;
    let preview_s = t.elapsed().as_secs_f64();
    if preview.invalid != 0 || preview.total as usize != CSV_ROWS {
        return Err(format!(
            "the bench's file previews {} rows, {} with errors",
            preview.total, preview.invalid
        )
        .into());
    }
    let t = Instant::now();
    let imported: ImportedAddresses = fx
        .api
        .post(&Route::ImportAddresses { org: fx.org }.path(), &body)
        .await
        .map_err(|e| format!("CSV import: {e}"))?;
    let create_s = t.elapsed().as_secs_f64();
    if imported.created.len() != CSV_ROWS {
        return Err(format!("the import created {} rows", imported.created.len()).into());
    }
    println!("  preview {preview_s:.2} s, import {create_s:.2} s");
    Ok(CsvFigures {
        rows: CSV_ROWS,
        preview_s,
        create_s,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bench_file_is_valid_and_uses_every_kind() {
        let csv = super::file("b.test", "o@login.test", 500);
        let rows = postern_shared::address_import::read(&csv).unwrap();
        assert_eq!(rows.len(), 500);
        assert!(
            rows.iter().all(|r| r.is_valid()),
            "{:?}",
            rows.iter().find(|r| !r.is_valid())
        );
        for kind in ["no_reply", "redirect", "mailbox"] {
            assert!(csv.contains(kind), "{kind}");
        }
    }
}
