//! The CSV file of bulk address creation (R-ADDR-4), read and checked
//! without a database: what the file says, row by row, with each row's own
//! errors. The gateway adds what needs the database (the organisation's
//! domains and members, addresses already taken, redirect targets) and
//! creates the rows; it lives here so the portal can check a file's header
//! and size with the very same rules before sending it.
//!
//! The format, one header row then one address per line:
//!
//! ```text
//! address,display_name,kind,users,invite,redirect_to
//! sales@example.com,Sales,mailbox,ann@example.com;bob@example.com:read,carla@elsewhere.test,
//! no-reply@example.com,,no_reply,,,
//! team@example.com,Team,redirect,,,ann@example.com;partner@elsewhere.test
//! ```
//!
//! - `address` (required): `local@domain`, the domain one of the
//!   organisation's, the local part after R-ADDR-1.
//! - `display_name`: at most 200 characters.
//! - `kind`: `mailbox` (empty = mailbox), `no_reply` or `redirect`.
//! - `users` (mailboxes only): logins of members of the organisation,
//!   separated by `;`, each optionally `login:perm+perm` with permission
//!   names (`read`, `send`, `manage_filters`, `manage_devices`,
//!   `view_logs`, `restore`); without them, `read+send`.
//! - `invite` (mailboxes only): email addresses of people to invite
//!   (R-INV), separated by `;`, each optionally `email:perm+perm` like
//!   `users`; each gets an invitation, emailed in the importer's language.
//! - `redirect_to` (redirects only, required there): addresses separated
//!   by `;`.
//!
//! Columns come in any order and only `address` is required; an unknown
//! column is an error naming it. Fields follow RFC 4180: quoted fields may
//! hold commas, doubled quotes and line breaks; lines end in CRLF or LF; a
//! byte-order mark is ignored; blank lines are skipped. No field may hold
//! a control character (a line break in a quoted field included: no column
//! has a use for one). Cells are text, never formulas: `=cmd|…` is a
//! display name like any other, and the answers are JSON, never CSV.
//! Limits: [`MAX_IMPORT_ROWS`] rows, [`MAX_IMPORT_BYTES`] bytes,
//! [`MAX_FIELD_BYTES`] per field.

use std::collections::HashMap;

use crate::address::{split_address, validate_local_part};
use crate::admin::AddressKind;
use crate::error::{ApiError, ErrorCode, ImportIssue};
use crate::limits::{MAX_DISPLAY_NAME_CHARS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS};
use crate::permissions::{Permission, PermissionSet};

/// The documented header, in its documented order.
pub const HEADER: &str = "address,display_name,kind,users,invite,redirect_to";
/// The longest field: a redirect's 50 targets of 254 characters fit.
pub const MAX_FIELD_BYTES: usize = 16 * 1024;

/// A column of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Address,
    DisplayName,
    Kind,
    Users,
    Invite,
    RedirectTo,
}

impl Column {
    pub const ALL: [Column; 6] = [
        Column::Address,
        Column::DisplayName,
        Column::Kind,
        Column::Users,
        Column::Invite,
        Column::RedirectTo,
    ];

    /// The name in the header row.
    pub fn name(self) -> &'static str {
        match self {
            Column::Address => "address",
            Column::DisplayName => "display_name",
            Column::Kind => "kind",
            Column::Users => "users",
            Column::Invite => "invite",
            Column::RedirectTo => "redirect_to",
        }
    }

    /// A header cell, trimmed, any case.
    pub fn parse(cell: &str) -> Option<Column> {
        let cell = cell.trim().to_ascii_lowercase();
        Column::ALL.into_iter().find(|c| c.name() == cell)
    }
}

/// A user cell: a login (lower-cased) and the permissions given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCell {
    pub login: String,
    pub permissions: PermissionSet,
}

/// One data row, read and checked on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub line: u32,
    /// Trimmed and lower-cased when valid; as typed otherwise.
    pub address: String,
    /// The lower-cased part after `@` (empty when the address is unreadable).
    pub domain: String,
    pub display_name: String,
    /// `None` when the cell names no kind.
    pub kind: Option<AddressKind>,
    pub users: Vec<UserCell>,
    /// People to invite: the email (lower-cased, syntax unchecked — the
    /// gateway checks it) in `login`.
    pub invite: Vec<UserCell>,
    /// Lower-cased, each once, syntax unchecked (the gateway checks them).
    pub redirect_to: Vec<String>,
    pub issues: Vec<ImportIssue>,
}

impl Row {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }
}

/// One record of the file as RFC 4180 splits it.
#[derive(Debug)]
struct Record {
    line: u32,
    fields: Vec<String>,
    /// Why the record could not be read as written (the first reason).
    broken: Option<String>,
}

/// Reads the whole file: every data row with its own issues, or the error
/// of the file itself (too large, empty, a wrong header).
pub fn read(text: &str) -> Result<Vec<Row>, ApiError> {
    if text.len() > MAX_IMPORT_BYTES {
        return Err(too_large("bytes", MAX_IMPORT_BYTES));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = split_records(text)?.into_iter();
    let header = records.next().ok_or_else(|| {
        ApiError::new(
            ErrorCode::CsvEmpty,
            "The file is empty: it needs a header row, then one address per line.",
        )
    })?;
    let columns = header_columns(&header)?;
    let rows: Vec<Row> = records.map(|r| row_of(&columns, r)).collect();
    if rows.is_empty() {
        return Err(ApiError::new(
            ErrorCode::CsvEmpty,
            "The file has a header row but no addresses.",
        ));
    }
    Ok(mark_duplicates(rows))
}

fn too_large(what: &str, limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::ImportTooLarge,
        format!("A CSV file may have at most {MAX_IMPORT_ROWS} rows and {MAX_IMPORT_BYTES} bytes."),
    )
    .with(|p| {
        p.field = Some(what.into());
        p.limit = Some(limit as u64);
    })
}

/// RFC 4180 records, blank ones left out, the header included; more than
/// [`MAX_IMPORT_ROWS`] data rows is the file's error.
fn split_records(text: &str) -> Result<Vec<Record>, ApiError> {
    let b = text.as_bytes();
    let mut out: Vec<Record> = Vec::new();
    let mut i = 0;
    let mut line: u32 = 1;
    while i < b.len() {
        let start = line;
        let mut fields: Vec<String> = Vec::new();
        let mut broken: Option<String> = None;
        let mut quoted_any = false;
        loop {
            // One field; only ASCII bytes are looked at, so every cut is
            // at a character boundary.
            let mut field: Vec<u8> = Vec::new();
            let mut too_long = false;
            let mut push = |field: &mut Vec<u8>, bytes: &[u8]| {
                if field.len() + bytes.len() > MAX_FIELD_BYTES {
                    too_long = true;
                } else {
                    field.extend_from_slice(bytes);
                }
            };
            if b.get(i) == Some(&b'"') {
                quoted_any = true;
                i += 1;
                let mut closed = false;
                while i < b.len() {
                    match b[i] {
                        b'"' if b.get(i + 1) == Some(&b'"') => {
                            push(&mut field, b"\"");
                            i += 2;
                        }
                        b'"' => {
                            i += 1;
                            closed = true;
                            break;
                        }
                        c => {
                            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                                line += 1;
                            }
                            let end = next_special(b, i + 1, b"\"\r\n");
                            push(&mut field, &b[i..end]);
                            i = end;
                        }
                    }
                }
                if !closed {
                    broken.get_or_insert_with(|| {
                        "A quoted field is never closed: a quote is missing.".into()
                    });
                }
                // Only a separator or the end of the line may follow.
                let end = next_special(b, i, b",\r\n");
                if end > i {
                    broken.get_or_insert_with(|| {
                        "Text follows the closing quote of a field; double a quote inside a quoted field.".into()
                    });
                    i = end;
                }
            } else {
                let end = next_special(b, i, b",\r\n");
                push(&mut field, &b[i..end]);
                i = end;
            }
            if too_long {
                broken.get_or_insert_with(|| {
                    format!("A field is longer than {MAX_FIELD_BYTES} bytes.")
                });
            }
            fields.push(String::from_utf8(field).unwrap_or_default());
            match b.get(i) {
                Some(b',') => i += 1,
                Some(b'\r') => {
                    i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                    line += 1;
                    break;
                }
                Some(b'\n') => {
                    i += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        let blank = !quoted_any && fields.iter().all(|f| f.trim().is_empty());
        if blank && broken.is_none() {
            continue;
        }
        // The header plus the limit; one more is enough to refuse.
        if out.len() > MAX_IMPORT_ROWS {
            return Err(too_large("rows", MAX_IMPORT_ROWS));
        }
        out.push(Record {
            line: start,
            fields,
            broken,
        });
    }
    if out.len() > MAX_IMPORT_ROWS + 1 {
        return Err(too_large("rows", MAX_IMPORT_ROWS));
    }
    Ok(out)
}

/// The index of the first byte of `set` at or after `from` (or the end).
fn next_special(b: &[u8], from: usize, set: &[u8]) -> usize {
    b[from.min(b.len())..]
        .iter()
        .position(|c| set.contains(c))
        .map_or(b.len(), |p| from + p)
}

/// The columns of the header row, each once, `address` among them.
fn header_columns(header: &Record) -> Result<Vec<Column>, ApiError> {
    let columns_error = |message: String, value: String| {
        ApiError::new(ErrorCode::CsvColumns, message).with(|p| {
            p.value = Some(value);
            p.line = Some(header.line);
        })
    };
    if let Some(why) = &header.broken {
        return Err(ApiError::new(
            ErrorCode::CsvMalformed,
            format!("The header row cannot be read: {why}"),
        )
        .with(|p| p.line = Some(header.line)));
    }
    let mut columns = Vec::with_capacity(header.fields.len());
    let mut unknown: Vec<String> = Vec::new();
    for cell in &header.fields {
        match Column::parse(cell) {
            Some(c) if columns.contains(&c) => {
                return Err(columns_error(
                    format!("The column {} is named twice.", c.name()),
                    c.name().into(),
                ));
            }
            Some(c) => columns.push(c),
            None => unknown.push(format!("\"{}\"", printable(cell.trim()))),
        }
    }
    if !unknown.is_empty() {
        let names = unknown.join(", ");
        return Err(columns_error(
            format!("Unknown columns: {names}. The columns are {HEADER} (any order)."),
            names,
        ));
    }
    if !columns.contains(&Column::Address) {
        return Err(columns_error(
            format!("The header row has no address column. The columns are {HEADER} (any order)."),
            "address".into(),
        ));
    }
    Ok(columns)
}

/// `U+000A` for a control character, the character itself otherwise.
fn shown(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        c.to_string()
    }
}

/// A cell quoted back in a message: control characters spelled out, at
/// most 100 characters.
fn printable(s: &str) -> String {
    s.chars().take(100).map(shown).collect()
}

fn issue(line: u32, column: Option<Column>, e: ApiError) -> ImportIssue {
    ImportIssue::of(line, column.map(Column::name), e)
}

/// One data row: its fields put in their columns and checked.
fn row_of(columns: &[Column], r: Record) -> Row {
    let line = r.line;
    let cell = |c: Column| -> &str {
        columns
            .iter()
            .position(|x| *x == c)
            .and_then(|i| r.fields.get(i))
            .map_or("", String::as_str)
    };
    let mut row = Row {
        line,
        address: cell(Column::Address).trim().to_string(),
        domain: String::new(),
        display_name: cell(Column::DisplayName).trim().to_string(),
        kind: None,
        users: Vec::new(),
        invite: Vec::new(),
        redirect_to: Vec::new(),
        issues: Vec::new(),
    };
    if let Some(why) = &r.broken {
        row.issues.push(issue(
            line,
            None,
            ApiError::new(ErrorCode::CsvMalformed, why.clone()),
        ));
        return row;
    }
    if r.fields.len() != columns.len() {
        row.issues.push(issue(
            line,
            None,
            ApiError::new(
                ErrorCode::CsvMalformed,
                format!(
                    "This line has {} fields where the header has {}; quote a field that holds a comma.",
                    r.fields.len(),
                    columns.len()
                ),
            )
            .with(|p| p.limit = Some(columns.len() as u64)),
        ));
        return row;
    }
    // No control character anywhere (NUL, tab, a line break in quotes…).
    for (i, field) in r.fields.iter().enumerate() {
        if let Some(c) = field.chars().find(|c| c.is_control()) {
            row.issues.push(issue(
                line,
                Some(columns[i]),
                ApiError::new(
                    ErrorCode::CsvMalformed,
                    format!(
                        "The {} field holds the control character {}, which is not allowed.",
                        columns[i].name(),
                        shown(c)
                    ),
                )
                .with(|p| p.character = Some(shown(c))),
            ));
        }
    }
    if !row.issues.is_empty() {
        row.address = printable(&row.address);
        row.display_name = printable(&row.display_name);
        return row;
    }
    check_address(&mut row);
    if row.display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        row.issues.push(issue(
            line,
            Some(Column::DisplayName),
            ApiError::new(
                ErrorCode::BadRequest,
                format!("The display name must be at most {MAX_DISPLAY_NAME_CHARS} characters."),
            )
            .with(|p| {
                p.limit = Some(MAX_DISPLAY_NAME_CHARS as u64);
                p.field = Some("display_name".into());
            }),
        ));
    }
    let kind_cell = cell(Column::Kind).trim().to_ascii_lowercase();
    row.kind = if kind_cell.is_empty() {
        Some(AddressKind::Mailbox)
    } else {
        AddressKind::parse(&kind_cell)
    };
    if row.kind.is_none() {
        row.issues.push(issue(
            line,
            Some(Column::Kind),
            ApiError::new(
                ErrorCode::InvalidKind,
                format!(
                    "Unknown kind \"{}\"; use mailbox, no_reply or redirect.",
                    printable(&kind_cell)
                ),
            )
            .with(|p| p.value = Some(printable(&kind_cell))),
        ));
    }
    row.users = people(&mut row, Column::Users, cell(Column::Users));
    row.invite = people(&mut row, Column::Invite, cell(Column::Invite));
    check_targets(&mut row, cell(Column::RedirectTo));
    row
}

/// `local@domain`, R-ADDR-1 on the local part.
fn check_address(row: &mut Row) {
    let line = row.line;
    let invalid = |message: &str| {
        issue(
            line,
            Some(Column::Address),
            ApiError::new(ErrorCode::InvalidAddress, message)
                .with(|p| p.field = Some("address".into())),
        )
    };
    if row.address.is_empty() {
        row.issues.push(invalid("The address is empty."));
        return;
    }
    let Some((local, domain)) = split_address(&row.address) else {
        row.issues
            .push(invalid("The address must be local@domain, with one @."));
        return;
    };
    if let Err(e) = validate_local_part(local) {
        row.issues
            .push(issue(line, Some(Column::Address), ApiError::from(e)));
        return;
    }
    row.address = format!("{}@{domain}", local.to_ascii_lowercase());
    row.domain = domain;
}

/// `name[:perm+perm]` separated by `;` (mailboxes only): the `users`
/// (members' logins) and `invite` (emails) cells.
fn people(row: &mut Row, column: Column, cell: &str) -> Vec<UserCell> {
    let line = row.line;
    let mut out: Vec<UserCell> = Vec::new();
    let parts: Vec<&str> = cell
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return out;
    }
    if row.kind.is_some_and(|k| k != AddressKind::Mailbox) {
        row.issues.push(issue(
            line,
            Some(column),
            ApiError::new(
                ErrorCode::BadRequest,
                format!(
                    "Only a mailbox has users; leave the {} column empty for this kind.",
                    column.name()
                ),
            )
            .with(|p| p.field = Some(column.name().into())),
        ));
        return out;
    }
    for part in parts {
        let (login, perms) = match part.split_once(':') {
            Some((l, p)) => (l.trim(), Some(p)),
            None => (part, None),
        };
        let login = login.to_ascii_lowercase();
        let mut permissions = PermissionSet::empty();
        match perms {
            None => {
                permissions = permissions.with(Permission::Read).with(Permission::Send);
            }
            Some(list) => {
                for name in list.split('+').map(str::trim) {
                    match Permission::parse(&name.to_ascii_lowercase()) {
                        Some(p) => permissions = permissions.with(p),
                        None => row.issues.push(issue(
                            line,
                            Some(column),
                            ApiError::new(
                                ErrorCode::InvalidPermission,
                                format!(
                                    "Unknown permission \"{}\" for {}; use read, send, manage_filters, manage_devices, view_logs or restore.",
                                    printable(name),
                                    printable(&login)
                                ),
                            )
                            .with(|p| p.value = Some(printable(name))),
                        )),
                    }
                }
            }
        }
        if login.is_empty() {
            let (code, what) = match column {
                Column::Invite => (
                    ErrorCode::InvalidRecipient,
                    "An invitation has no email before ':'.",
                ),
                _ => (ErrorCode::UnknownMember, "A user has no login before ':'."),
            };
            row.issues.push(issue(
                line,
                Some(column),
                ApiError::new(code, what).with(|p| p.value = Some(String::new())),
            ));
            continue;
        }
        match out.iter_mut().find(|u| u.login == login) {
            Some(u) => {
                u.permissions = PermissionSet::from_bits(u.permissions.bits() | permissions.bits())
            }
            None => out.push(UserCell { login, permissions }),
        }
    }
    out
}

/// Targets separated by `;`: required for a redirect, refused otherwise.
fn check_targets(row: &mut Row, cell: &str) {
    let line = row.line;
    for t in cell.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        let t = t.to_ascii_lowercase();
        if !row.redirect_to.contains(&t) {
            row.redirect_to.push(t);
        }
    }
    match row.kind {
        Some(AddressKind::Redirect) if row.redirect_to.is_empty() => row.issues.push(issue(
            line,
            Some(Column::RedirectTo),
            ApiError::from(ErrorCode::RedirectWithoutTargets),
        )),
        Some(AddressKind::Mailbox | AddressKind::NoReply) if !row.redirect_to.is_empty() => {
            row.issues.push(issue(
                line,
                Some(Column::RedirectTo),
                ApiError::new(
                    ErrorCode::BadRequest,
                    "Only a redirect forwards; leave redirect_to empty for this kind.",
                )
                .with(|p| p.field = Some("redirect_to".into())),
            ))
        }
        _ => {}
    }
}

/// The second and later rows of one address get `duplicate_in_file`,
/// naming the first line.
fn mark_duplicates(mut rows: Vec<Row>) -> Vec<Row> {
    let mut first: HashMap<String, u32> = HashMap::new();
    for row in &mut rows {
        if row.domain.is_empty() {
            continue; // unreadable: its own error says so
        }
        match first.get(&row.address) {
            Some(&other) => row.issues.push(issue(
                row.line,
                Some(Column::Address),
                ApiError::new(
                    ErrorCode::DuplicateInFile,
                    format!("{} is already on line {other} of the file.", row.address),
                )
                .with(|p| p.line = Some(other)),
            )),
            None => {
                first.insert(row.address.clone(), row.line);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Row> {
        read(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn codes(row: &Row) -> Vec<(Option<&str>, ErrorCode)> {
        row.issues
            .iter()
            .map(|i| (i.column.as_deref(), i.code))
            .collect()
    }

    #[test]
    fn the_documented_example_reads_as_documented() {
        let r = rows(
            "address,display_name,kind,users,redirect_to\r\n\
             Sales@Example.com,Sales,mailbox,Ann@x.test;bob@x.test:read,\r\n\
             no-reply@example.com,,no_reply,,\r\n\
             team@example.com,Team,redirect,,ann@x.test; Partner@Elsewhere.test\r\n",
        );
        assert_eq!(r.len(), 3);
        assert!(r.iter().all(Row::is_valid), "{r:?}");
        assert_eq!(r[0].line, 2);
        assert_eq!(r[0].address, "sales@example.com");
        assert_eq!(r[0].domain, "example.com");
        assert_eq!(r[0].kind, Some(AddressKind::Mailbox));
        let read_send = PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::Send);
        assert_eq!(
            r[0].users,
            vec![
                UserCell {
                    login: "ann@x.test".into(),
                    permissions: read_send
                },
                UserCell {
                    login: "bob@x.test".into(),
                    permissions: PermissionSet::empty().with(Permission::Read)
                },
            ]
        );
        assert_eq!(r[1].kind, Some(AddressKind::NoReply));
        assert_eq!(r[2].redirect_to, ["ann@x.test", "partner@elsewhere.test"]);
        assert_eq!(r[2].line, 4);
    }

    #[test]
    fn columns_in_any_order_any_case_and_only_address_required() {
        let r = rows("Kind , ADDRESS\nredirect,a@x.test\n,b@x.test\n");
        assert_eq!(r[0].kind, Some(AddressKind::Redirect));
        assert_eq!(
            codes(&r[0]),
            [(Some("redirect_to"), ErrorCode::RedirectWithoutTargets)]
        );
        assert!(r[1].is_valid());
        assert_eq!(r[1].kind, Some(AddressKind::Mailbox));
        let r = rows("address\nsolo@x.test");
        assert_eq!(r[0].address, "solo@x.test");
    }

    #[test]
    fn unknown_duplicate_and_missing_columns_are_the_files_error() {
        let e = read("address,colour,Size\na@x.test,red,1\n").unwrap_err();
        assert_eq!(e.code, ErrorCode::CsvColumns);
        assert_eq!(e.params.value.as_deref(), Some("\"colour\", \"Size\""));
        assert!(e.message.contains("colour"), "{}", e.message);
        let e = read("address,kind,address\n").unwrap_err();
        assert_eq!(e.code, ErrorCode::CsvColumns);
        assert_eq!(e.params.value.as_deref(), Some("address"));
        let e = read("display_name,kind\nA,mailbox\n").unwrap_err();
        assert_eq!(
            (e.code, e.params.value.as_deref()),
            (ErrorCode::CsvColumns, Some("address"))
        );
    }

    #[test]
    fn empty_files_and_header_only_files_are_refused() {
        for text in ["", "\u{feff}", "\n\n", "\r\n  \r\n"] {
            assert_eq!(
                read(text).unwrap_err().code,
                ErrorCode::CsvEmpty,
                "{text:?}"
            );
        }
        for text in [HEADER, "address\n", "address,kind\r\n\r\n,\r\n"] {
            let e = read(text).unwrap_err();
            assert_eq!(e.code, ErrorCode::CsvEmpty, "{text:?}");
            assert!(e.message.contains("no addresses"), "{}", e.message);
        }
    }

    #[test]
    fn rfc_4180_quotes_commas_doubled_quotes_and_line_breaks() {
        let r = rows(
            "\u{feff}address,display_name\n\
             \"a@x.test\",\"Doe, Jane \"\"JD\"\"\"\n\
             b@x.test,\"two\nlines\"\n\
             c@x.test,O\"Brien\n",
        );
        assert_eq!(r[0].display_name, "Doe, Jane \"JD\"");
        assert!(r[0].is_valid());
        // The line break in quotes is read (the next row's line is right)
        // but refused: no column has a use for one.
        assert_eq!(r[1].line, 3);
        assert_eq!(
            codes(&r[1]),
            [(Some("display_name"), ErrorCode::CsvMalformed)]
        );
        assert_eq!(r[1].issues[0].character.as_deref(), Some("U+000A"));
        assert_eq!(r[2].line, 5);
        assert_eq!(
            r[2].display_name, "O\"Brien",
            "a lone quote inside a field is text"
        );
        assert!(r[2].is_valid());
    }

    #[test]
    fn crlf_lf_and_cr_line_ends_count_lines_alike() {
        for nl in ["\r\n", "\n", "\r"] {
            let text = format!("address{nl}a@x.test{nl}{nl}b@x.test{nl}");
            let r = rows(&text);
            assert_eq!(
                r.iter().map(|r| r.line).collect::<Vec<_>>(),
                [2, 4],
                "{nl:?}"
            );
        }
    }

    #[test]
    fn wrong_field_counts_unclosed_quotes_and_text_after_quotes_are_row_errors() {
        let r = rows(
            "address,display_name\n\
             a@x.test,A,extra\n\
             b@x.test\n\
             \"c@x.test\"junk,C\n\
             d@x.test,\"never closed\n\
             e@x.test,E\n",
        );
        assert_eq!(r.len(), 4, "the unclosed quote takes the rest of the file");
        for row in &r {
            assert_eq!(codes(row), [(None, ErrorCode::CsvMalformed)], "{row:?}");
        }
        assert!(
            r[0].issues[0].message.contains("3 fields"),
            "{:?}",
            r[0].issues
        );
        assert!(r[2].issues[0].message.contains("closing quote"));
        assert!(r[3].issues[0].message.contains("never closed"));
        assert_eq!(r[3].line, 5);
    }

    #[test]
    fn nul_and_control_characters_are_refused_by_name() {
        let r =
            rows("address,display_name\na@x.test,A\u{0}B\nb@x.test,tab\there\nc\u{7}@x.test,C\n");
        assert_eq!(r[0].issues[0].character.as_deref(), Some("U+0000"));
        assert_eq!(r[0].issues[0].column.as_deref(), Some("display_name"));
        assert_eq!(r[1].issues[0].character.as_deref(), Some("U+0009"));
        assert_eq!(r[2].issues[0].column.as_deref(), Some("address"));
        assert_eq!(r[2].address, "cU+0007@x.test", "never echoed raw");
    }

    #[test]
    fn formula_looking_cells_are_plain_text() {
        let r = rows(
            "address,display_name\n\
             sheet@x.test,=cmd|' /C calc'!A0\n\
             =HYPERLINK(\"x\")@x.test,+1\n",
        );
        assert!(r[0].is_valid());
        assert_eq!(r[0].display_name, "=cmd|' /C calc'!A0");
        // As an address, `=` is just a refused character (R-ADDR-1).
        assert_eq!(codes(&r[1]), [(Some("address"), ErrorCode::InvalidAddress)]);
        assert_eq!(r[1].issues[0].character.as_deref(), Some("="));
    }

    #[test]
    fn r_addr_1_errors_name_the_character_and_the_address_needs_one_at() {
        let r = rows("address\njo$hn@x.test\nno-at-sign\na@b@c\n-lead@x.test\n@x.test\n");
        assert_eq!(r[0].issues[0].code, ErrorCode::InvalidAddress);
        assert_eq!(r[0].issues[0].character.as_deref(), Some("$"));
        for row in &r[1..] {
            assert_eq!(
                codes(row),
                [(Some("address"), ErrorCode::InvalidAddress)],
                "{row:?}"
            );
        }
        assert_eq!(r[3].issues[0].character, None);
    }

    #[test]
    fn users_permissions_and_kinds_are_checked_cell_by_cell() {
        let r = rows(
            "address,kind,users,redirect_to\n\
             a@x.test,,ann@x.test:read+fly;:read,\n\
             b@x.test,shop,,\n\
             c@x.test,no_reply,ann@x.test,\n\
             d@x.test,mailbox,,e@y.test\n\
             e@x.test,MAILBOX,Ann@X.test:read;ann@x.test:send+Restore,\n\
             f@x.test,mailbox,bob@x.test:,\n",
        );
        assert_eq!(
            codes(&r[0]),
            [
                (Some("users"), ErrorCode::InvalidPermission),
                (Some("users"), ErrorCode::UnknownMember)
            ]
        );
        assert_eq!(r[0].issues[0].value.as_deref(), Some("fly"));
        assert_eq!(codes(&r[1]), [(Some("kind"), ErrorCode::InvalidKind)]);
        assert_eq!(r[1].issues[0].value.as_deref(), Some("shop"));
        assert_eq!(codes(&r[2]), [(Some("users"), ErrorCode::BadRequest)]);
        assert_eq!(codes(&r[3]), [(Some("redirect_to"), ErrorCode::BadRequest)]);
        assert!(r[4].is_valid());
        assert_eq!(
            r[4].users,
            [UserCell {
                login: "ann@x.test".into(),
                permissions: PermissionSet::empty()
                    .with(Permission::Read)
                    .with(Permission::Send)
                    .with(Permission::Restore)
            }],
            "one user listed twice gets both"
        );
        assert_eq!(
            codes(&r[5]),
            [(Some("users"), ErrorCode::InvalidPermission)]
        );
    }

    #[test]
    fn invite_cells_read_like_users_and_only_for_mailboxes() {
        let r = rows(
            "address,kind,invite\n\
             a@x.test,,Carla@Elsewhere.test;dan@y.test:read+view_logs;carla@elsewhere.test:restore\n\
             b@x.test,redirect,carla@elsewhere.test\n\
             c@x.test,,:read;eve@y.test:fly\n",
        );
        assert!(r[0].is_valid(), "{r:?}");
        let read_send = PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::Send);
        assert_eq!(
            r[0].invite,
            [
                UserCell {
                    login: "carla@elsewhere.test".into(),
                    permissions: read_send.with(Permission::Restore),
                },
                UserCell {
                    login: "dan@y.test".into(),
                    permissions: PermissionSet::empty()
                        .with(Permission::Read)
                        .with(Permission::ViewLogs),
                },
            ]
        );
        assert!(r[0].users.is_empty());
        assert_eq!(codes(&r[1])[0], (Some("invite"), ErrorCode::BadRequest));
        assert_eq!(
            codes(&r[2]),
            [
                (Some("invite"), ErrorCode::InvalidRecipient),
                (Some("invite"), ErrorCode::InvalidPermission)
            ]
        );
    }

    #[test]
    fn duplicates_within_the_file_name_the_first_line() {
        let r = rows("address\na@x.test\nb@x.test\nA@X.TEST\n");
        assert!(r[0].is_valid() && r[1].is_valid());
        assert_eq!(
            codes(&r[2]),
            [(Some("address"), ErrorCode::DuplicateInFile)]
        );
        assert_eq!(r[2].issues[0].other_line, Some(2));
        assert_eq!(r[2].issues[0].error().params.line, Some(2));
    }

    #[test]
    fn huge_fields_long_names_and_big_files_are_refused_clearly() {
        let huge = "x".repeat(MAX_FIELD_BYTES + 1);
        let r = rows(&format!(
            "address,display_name\na@x.test,{huge}\nb@x.test,\"{huge}\"\nc@x.test,ok\n"
        ));
        assert_eq!(codes(&r[0]), [(None, ErrorCode::CsvMalformed)]);
        assert_eq!(codes(&r[1]), [(None, ErrorCode::CsvMalformed)]);
        assert!(r[2].is_valid(), "the next row is read normally");
        let long = "é".repeat(MAX_DISPLAY_NAME_CHARS + 1);
        let r = rows(&format!("address,display_name\na@x.test,{long}\n"));
        assert_eq!(
            codes(&r[0]),
            [(Some("display_name"), ErrorCode::BadRequest)]
        );

        let mut text = String::from("address\n");
        for i in 0..MAX_IMPORT_ROWS {
            text.push_str(&format!("u{i}@x.test\n"));
        }
        assert_eq!(rows(&text).len(), MAX_IMPORT_ROWS);
        text.push_str("one-more@x.test\n");
        let e = read(&text).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportTooLarge);
        assert_eq!(e.params.field.as_deref(), Some("rows"));
        assert_eq!(e.params.limit, Some(MAX_IMPORT_ROWS as u64));

        let big = format!(
            "address,display_name\n{}",
            "a@x.test,y\n".repeat(MAX_IMPORT_BYTES / 10)
        );
        let e = read(&big).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportTooLarge);
        assert_eq!(e.params.field.as_deref(), Some("bytes"));
    }

    #[test]
    fn the_header_constant_is_every_column_once() {
        let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.join(","), HEADER);
    }
}
