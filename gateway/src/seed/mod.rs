//! Demo and bulk data: deterministic generated mail (fixed PRNG seed)
//! appended over IMAP as the master user, plus the demo organisation.

pub mod bulk;
pub mod demo;
pub mod demo_mail;
pub mod generator;

use crate::config::ImapConfig;
use crate::imap::commands::Command;
use crate::imap::{Connection, ImapError};

/// A master-user connection for `mailbox` (seeding uses its own, not the pool).
pub async fn connect(imap: &ImapConfig, mailbox: &str) -> Result<Connection, ImapError> {
    if imap.tls {
        return Err(ImapError::TlsUnsupported);
    }
    let mut conn = Connection::connect(&imap.addr).await?;
    conn.login(
        &format!("{mailbox}*{}", imap.master_user),
        &imap.master_password,
    )
    .await?;
    Ok(conn)
}

/// Creates a folder unless it exists.
pub async fn ensure_folder(conn: &mut Connection, path: &str) -> Result<(), ImapError> {
    if path.eq_ignore_ascii_case("INBOX") {
        return Ok(());
    }
    match crate::imap::ops::create(conn, path).await {
        Err(e) if e.no_code() == Some("ALREADYEXISTS") => Ok(()),
        other => other,
    }
}

/// Appends generated messages in MULTIAPPEND batches; returns how many.
pub async fn append_all(
    conn: &mut Connection,
    messages: &[generator::Generated],
) -> Result<usize, ImapError> {
    const BATCH: usize = 100;
    let mut by_folder: Vec<(&str, Vec<&generator::Generated>)> = Vec::new();
    for m in messages {
        match by_folder.iter_mut().find(|(f, _)| *f == m.folder) {
            Some((_, v)) => v.push(m),
            None => by_folder.push((&m.folder, vec![m])),
        }
    }
    let mut n = 0;
    for (folder, msgs) in by_folder {
        ensure_folder(conn, folder).await?;
        for chunk in msgs.chunks(BATCH) {
            let items: Vec<_> = chunk
                .iter()
                .map(|m| crate::imap::AppendItem {
                    flags: m.flags.clone(),
                    internal_date: Some(crate::imap::date::format(m.date)),
                    message: m.bytes.clone(),
                })
                .collect();
            n += conn.append_multi(folder, &items).await?;
        }
    }
    Ok(n)
}

/// Messages in a folder (STATUS), to make seeding idempotent.
pub async fn message_count(conn: &mut Connection, folder: &str) -> Result<u32, ImapError> {
    let (untagged, done) = conn
        .run(&Command::new("STATUS").mailbox(folder).raw("(MESSAGES)"))
        .await?;
    done.ok()?;
    Ok(untagged
        .iter()
        .filter_map(|u| match u.keyword() {
            Some((None, kw, rest)) if kw == "STATUS" => crate::imap::parse::parse_status(rest),
            _ => None,
        })
        .flat_map(|(_, items)| items)
        .find(|(k, _)| k == "MESSAGES")
        .map_or(0, |(_, v)| v as u32))
}
