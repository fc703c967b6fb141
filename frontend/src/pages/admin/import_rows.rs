//! Bulk creation from a CSV file (R-ADDR-4), without a browser: the checks
//! made before a file is sent (the shared `address_import` rules — size,
//! row count, header), the totals of a preview, the errors of an
//! `import_invalid` answer put back on their rows, which words an issue
//! needs, and the example shown beside the file picker. Pure, so
//! `cargo test -p postern-frontend` checks it natively.

use postern_shared::address::{LocalPartError, split_address, validate_local_part};
use postern_shared::address_import::{self, Column};
use postern_shared::admin::{AddressKind, ImportPreview, ImportRow};
use postern_shared::limits::{MAX_DISPLAY_NAME_CHARS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};
use postern_shared::{ApiError, ErrorCode, ImportIssue};

/// A file of `bytes` refused before it is read: larger than the server takes.
pub fn check_size(bytes: u64) -> Result<(), ApiError> {
    if bytes > MAX_IMPORT_BYTES as u64 {
        return Err(ApiError::new(
            ErrorCode::ImportTooLarge,
            format!(
                "A CSV file may have at most {MAX_IMPORT_ROWS} rows and {MAX_IMPORT_BYTES} bytes."
            ),
        )
        .with(|p| {
            p.field = Some("bytes".into());
            p.limit = Some(MAX_IMPORT_BYTES as u64);
        }));
    }
    Ok(())
}

/// The file read with the server's own rules: how many rows it has, or
/// the error of the file itself (too large, empty, a wrong header) — the
/// one the server would answer, so it is worded the same. Rows' own
/// errors are left to the preview, which also knows the organisation.
pub fn check_file(text: &str) -> Result<usize, ApiError> {
    check_size(text.len() as u64)?;
    address_import::read(text).map(|rows| rows.len())
}

/// What a preview adds up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub total: usize,
    pub valid: usize,
    pub invalid: usize,
}

pub fn totals(rows: &[ImportRow]) -> Totals {
    let invalid = rows.iter().filter(|r| !r.errors.is_empty()).count();
    Totals {
        total: rows.len(),
        valid: rows.len() - invalid,
        invalid,
    }
}

/// Create all: a preview was made and none of its rows has an error.
pub fn can_create(preview: Option<&ImportPreview>) -> bool {
    preview.is_some_and(|p| !p.rows.is_empty() && p.rows.iter().all(|r| r.errors.is_empty()))
}

/// An `import_invalid` answer on the rows of the preview: each row's
/// errors become the issues of its line (the server checked the whole file
/// again, so a row without issues is fine now). Issues of a line no row
/// has are returned, to show apart.
pub fn apply_issues(rows: &mut [ImportRow], issues: &[ImportIssue]) -> Vec<ImportIssue> {
    for r in rows.iter_mut() {
        r.errors.clear();
    }
    let mut unplaced = Vec::new();
    for i in issues {
        match rows.iter_mut().find(|r| r.line == i.line) {
            Some(r) => r.errors.push(i.clone()),
            None => unplaced.push(i.clone()),
        }
    }
    unplaced
}

/// How an issue is said. Most are worded from their code like any error
/// (`error_text`); some codes cover several cases the row tells apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wording {
    /// `error_text` of [`ImportIssue::error`].
    Error,
    /// The address cell is empty.
    EmptyAddress,
    /// Not `local@domain` with one `@`.
    NotLocalAtDomain,
    /// R-ADDR-1, the reason as the creation form says it.
    LocalPart(LocalPartError),
    /// Users on a no-reply or a redirect.
    UsersNotMailbox,
    /// Targets on a mailbox or a no-reply.
    TargetsNotRedirect,
    /// A redirect to itself, or to too many addresses.
    RedirectTargets,
    DisplayNameTooLong(u64),
    /// Another number of fields than the header (the header's count).
    FieldCount(u64),
}

pub fn wording(issue: &ImportIssue, row: &ImportRow) -> Wording {
    let column = issue.column.as_deref().and_then(Column::parse);
    match (issue.code, column) {
        (ErrorCode::InvalidAddress, _) if issue.character.is_none() => {
            let address = row.address.trim();
            if address.is_empty() {
                return Wording::EmptyAddress;
            }
            match split_address(address) {
                None => Wording::NotLocalAtDomain,
                Some((local, _)) => match validate_local_part(local) {
                    Err(e) => Wording::LocalPart(e),
                    Ok(()) => Wording::Error,
                },
            }
        }
        (ErrorCode::BadRequest, Some(Column::Users)) => Wording::UsersNotMailbox,
        (ErrorCode::BadRequest, Some(Column::Invite))
            if row.kind.is_some_and(|k| k != AddressKind::Mailbox) =>
        {
            Wording::UsersNotMailbox
        }
        (ErrorCode::BadRequest, Some(Column::RedirectTo)) => {
            if row.kind == Some(AddressKind::Redirect) {
                Wording::RedirectTargets
            } else {
                Wording::TargetsNotRedirect
            }
        }
        (ErrorCode::BadRequest, Some(Column::DisplayName)) => {
            Wording::DisplayNameTooLong(issue.limit.unwrap_or(MAX_DISPLAY_NAME_CHARS as u64))
        }
        (ErrorCode::CsvMalformed, None) if issue.character.is_none() => match issue.limit {
            Some(n) => Wording::FieldCount(n),
            None => Wording::Error,
        },
        _ => Wording::Error,
    }
}

/// A small file that reads without an error, with the organisation's
/// domain: one row of each kind.
pub fn example_csv(domain: &str) -> String {
    format!(
        "{}\n\
         sales@{domain},Sales,mailbox,ann@{domain};bob@{domain}:read,carla@elsewhere.test,\n\
         no-reply@{domain},,no_reply,,,\n\
         team@{domain},Team,redirect,,,ann@{domain};partner@elsewhere.test\n",
        address_import::HEADER
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u32, address: &str, kind: Option<AddressKind>) -> ImportRow {
        ImportRow {
            line,
            address: address.into(),
            display_name: String::new(),
            kind,
            users: Vec::new(),
            invite: Vec::new(),
            redirect_to: Vec::new(),
            errors: Vec::new(),
        }
    }

    fn issue(line: u32, column: Option<&str>, code: ErrorCode) -> ImportIssue {
        ImportIssue::of(line, column, ApiError::new(code, "English"))
    }

    #[test]
    fn the_example_reads_without_errors_and_has_the_documented_header() {
        let text = example_csv("acme.test");
        assert!(text.starts_with(address_import::HEADER));
        let rows = address_import::read(&text).unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.is_valid()), "{rows:?}");
        assert_eq!(check_file(&text), Ok(3));
    }

    #[test]
    fn files_are_refused_before_sending_as_the_server_would() {
        assert_eq!(check_size(MAX_IMPORT_BYTES as u64), Ok(()));
        let e = check_size(MAX_IMPORT_BYTES as u64 + 1).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportTooLarge);
        assert_eq!(e.params.field.as_deref(), Some("bytes"));
        assert_eq!(check_file("").unwrap_err().code, ErrorCode::CsvEmpty);
        assert_eq!(
            check_file(address_import::HEADER).unwrap_err().code,
            ErrorCode::CsvEmpty
        );
        let e = check_file("address,colour\na@x.test,red\n").unwrap_err();
        assert_eq!(e.code, ErrorCode::CsvColumns);
        assert_eq!(e.params.value.as_deref(), Some("\"colour\""));
        let mut many = String::from("address\n");
        for i in 0..=MAX_IMPORT_ROWS {
            many.push_str(&format!("u{i}@x.test\n"));
        }
        let e = check_file(&many).unwrap_err();
        assert_eq!(
            (e.code, e.params.field.as_deref()),
            (ErrorCode::ImportTooLarge, Some("rows"))
        );
        // Rows' own errors are the preview's: the file itself is fine.
        assert_eq!(check_file("address\nbad$@x.test\nok@x.test\n"), Ok(2));
    }

    #[test]
    fn totals_count_rows_with_and_without_errors() {
        let mut rows = vec![
            row(2, "a@x.test", Some(AddressKind::Mailbox)),
            row(3, "b@x.test", Some(AddressKind::Mailbox)),
            row(4, "c@x.test", None),
        ];
        rows[2]
            .errors
            .push(issue(4, Some("kind"), ErrorCode::InvalidKind));
        rows[2]
            .errors
            .push(issue(4, Some("users"), ErrorCode::UnknownMember));
        assert_eq!(
            totals(&rows),
            Totals {
                total: 3,
                valid: 2,
                invalid: 1
            }
        );
        let preview = |rows: Vec<ImportRow>| ImportPreview {
            total: rows.len() as u32,
            valid: 0,
            invalid: 0,
            rows,
        };
        assert!(!can_create(None));
        assert!(!can_create(Some(&preview(rows.clone()))));
        assert!(!can_create(Some(&preview(Vec::new()))));
        rows.pop();
        assert!(can_create(Some(&preview(rows))));
    }

    #[test]
    fn an_import_invalid_answer_puts_each_issue_on_its_row() {
        let mut rows = vec![
            row(2, "a@x.test", Some(AddressKind::Mailbox)),
            row(3, "b@x.test", Some(AddressKind::Mailbox)),
            row(5, "c@x.test", Some(AddressKind::Mailbox)),
        ];
        // Row 2 had an error in the preview the server no longer sees.
        rows[0]
            .errors
            .push(issue(2, Some("address"), ErrorCode::AddressTaken));
        let issues = [
            issue(3, Some("address"), ErrorCode::AddressTaken),
            issue(5, Some("users"), ErrorCode::UnknownMember),
            issue(5, Some("kind"), ErrorCode::InvalidKind),
            issue(9, None, ErrorCode::CsvMalformed),
        ];
        let unplaced = apply_issues(&mut rows, &issues);
        assert!(rows[0].errors.is_empty());
        assert_eq!(rows[1].errors, issues[..1]);
        assert_eq!(rows[2].errors, issues[1..3]);
        assert_eq!(unplaced, issues[3..]);
        assert_eq!(totals(&rows).invalid, 2);
    }

    #[test]
    fn issues_that_share_a_code_are_told_apart_by_their_row() {
        let mailbox = row(2, "a@x.test", Some(AddressKind::Mailbox));
        let redirect = row(2, "a@x.test", Some(AddressKind::Redirect));
        let bad = |column| issue(2, Some(column), ErrorCode::BadRequest);
        assert_eq!(wording(&bad("users"), &redirect), Wording::UsersNotMailbox);
        assert_eq!(wording(&bad("invite"), &redirect), Wording::UsersNotMailbox);
        assert_eq!(
            wording(&bad("invite"), &mailbox),
            Wording::Error,
            "the server's own words (an invitation to the mailbox itself)"
        );
        assert_eq!(
            wording(&bad("redirect_to"), &mailbox),
            Wording::TargetsNotRedirect
        );
        assert_eq!(
            wording(&bad("redirect_to"), &redirect),
            Wording::RedirectTargets
        );
        assert_eq!(
            wording(&bad("display_name"), &mailbox),
            Wording::DisplayNameTooLong(MAX_DISPLAY_NAME_CHARS as u64)
        );

        let invalid = issue(2, Some("address"), ErrorCode::InvalidAddress);
        let at = |a: &str| row(2, a, Some(AddressKind::Mailbox));
        assert_eq!(wording(&invalid, &at("")), Wording::EmptyAddress);
        assert_eq!(wording(&invalid, &at("no-at")), Wording::NotLocalAtDomain);
        assert_eq!(wording(&invalid, &at("a@b@c")), Wording::NotLocalAtDomain);
        assert_eq!(
            wording(&invalid, &at("-lead@x.test")),
            Wording::LocalPart(LocalPartError::LeadingOrTrailingHyphen)
        );
        // The character is named by the code's own text.
        let mut char_issue = invalid.clone();
        char_issue.character = Some("$".into());
        assert_eq!(wording(&char_issue, &at("a$@x.test")), Wording::Error);

        // The server's own reading of a real file: a line of 3 fields.
        let read = address_import::read("address,display_name\na@x.test,A,extra\n").unwrap();
        let malformed = &read[0].issues[0];
        assert_eq!(wording(malformed, &mailbox), Wording::FieldCount(2));
        assert_eq!(
            wording(&issue(2, None, ErrorCode::CsvMalformed), &mailbox),
            Wording::Error
        );
        assert_eq!(
            wording(&issue(2, Some("users"), ErrorCode::UnknownMember), &mailbox),
            Wording::Error
        );
    }
}
