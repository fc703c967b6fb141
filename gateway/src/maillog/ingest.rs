//! Log lines into rows: one [`step`] reads what a log file gained since
//! its cursor and writes the rows those lines make **and** the new cursor
//! in one transaction. A crash before the commit reads the same lines
//! again; after it, never again. The cursor is claimed first, by
//! compare-and-set on the stored one, so two gateways that both think it
//! is their turn cannot both take the same lines (the second finds the
//! cursor moved and rolls back).

use std::path::Path;

use postern_shared::logs::{Direction, LogStatus};
use sqlx::AnyConnection;

use super::follow::{self, Cursor};
use super::{dovecot, postfix};
use crate::db::Db;
use crate::error::AppResult;

/// Which log a cursor belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Postfix,
    Dovecot,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Postfix => "postfix",
            Source::Dovecot => "dovecot",
        }
    }
}

/// The most bytes one transaction takes in (a backlog is read in steps).
pub const STEP_BYTES: u64 = 1 << 20;

/// What one step did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stepped {
    pub lines: usize,
    /// The file has more after this step.
    pub more: bool,
}

pub async fn cursor(db: &Db, source: Source) -> sqlx::Result<Option<Cursor>> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT inode, position FROM mail_log_cursors WHERE source = $1")
            .bind(source.name())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|(inode, position)| Cursor {
        inode: inode as u64,
        position: position as u64,
    }))
}

/// Reads and records the lines of `path` past the stored cursor.
pub async fn step(db: &Db, source: Source, path: &Path, now: i64) -> AppResult<Stepped> {
    let stored = cursor(db, source).await?;
    let from = stored.unwrap_or_default();
    let chunk = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || follow::read(&path, from, STEP_BYTES))
            .await
            .map_err(|e| crate::error::AppError::internal(format!("log reader: {e}")))?
            .map_err(|e| crate::error::AppError::internal(format!("cannot read {}: {e}", "log")))?
    };
    if chunk.next == from {
        return Ok(Stepped::default());
    }
    let mut tx = crate::db::begin_write(db).await?;
    if !claim(&mut tx, source, stored, chunk.next).await? {
        tx.rollback().await?;
        return Ok(Stepped::default());
    }
    for line in &chunk.lines {
        match source {
            Source::Postfix => {
                if let Some((at, event)) = postfix::parse(line, now) {
                    apply_postfix(&mut tx, at, event).await?;
                }
            }
            Source::Dovecot => {
                if let Some(filing) = dovecot::parse(line) {
                    apply_filing(&mut tx, &filing).await?;
                }
            }
        }
    }
    tx.commit().await?;
    let more = std::fs::metadata(path)
        .map(|m| {
            use std::os::unix::fs::MetadataExt;
            m.ino() != chunk.next.inode || m.len() > chunk.next.position
        })
        .unwrap_or(false);
    Ok(Stepped {
        lines: chunk.lines.len(),
        more,
    })
}

/// Moves the stored cursor from `stored` to `next`; `false` when another
/// gateway moved it first.
async fn claim(
    tx: &mut AnyConnection,
    source: Source,
    stored: Option<Cursor>,
    next: Cursor,
) -> sqlx::Result<bool> {
    let done = match stored {
        Some(old) => {
            sqlx::query(
                "UPDATE mail_log_cursors SET inode = $1, position = $2
                 WHERE source = $3 AND inode = $4 AND position = $5",
            )
            .bind(next.inode as i64)
            .bind(next.position as i64)
            .bind(source.name())
            .bind(old.inode as i64)
            .bind(old.position as i64)
            .execute(&mut *tx)
            .await?
        }
        None => {
            sqlx::query(
                "INSERT INTO mail_log_cursors (source, inode, position) VALUES ($1, $2, $3)
                 ON CONFLICT (source) DO NOTHING",
            )
            .bind(source.name())
            .bind(next.inode as i64)
            .bind(next.position as i64)
            .execute(&mut *tx)
            .await?
        }
    };
    Ok(done.rows_affected() == 1)
}

/// A message of Postfix's queue as far as its lines told.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Message {
    id: i64,
    at: i64,
    sender: Option<String>,
    size: Option<i64>,
    message_id: Option<String>,
    sasl_user: Option<String>,
    queue_id: String,
}

/// The message `queue_id` still in the queue, created at `at` if new.
async fn message(tx: &mut AnyConnection, queue_id: &str, at: i64) -> sqlx::Result<Message> {
    let select = "SELECT id, at, sender, size, message_id, sasl_user, queue_id
                  FROM mail_log_messages WHERE queue_id = $1 AND removed = 0
                  ORDER BY id DESC LIMIT 1";
    if let Some(m) = sqlx::query_as::<_, Message>(select)
        .bind(queue_id)
        .fetch_optional(&mut *tx)
        .await?
    {
        return Ok(m);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mail_log_messages (queue_id, at) VALUES ($1, $2) RETURNING id",
    )
    .bind(queue_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    Ok(Message {
        id,
        at,
        sender: None,
        size: None,
        message_id: None,
        sasl_user: None,
        queue_id: queue_id.to_string(),
    })
}

/// The live mailbox of an address or of one of its aliases.
async fn mailbox_of(tx: &mut AnyConnection, address: &str) -> sqlx::Result<Option<i64>> {
    if address.is_empty() {
        return Ok(None);
    }
    sqlx::query_scalar(
        "SELECT id FROM mailboxes WHERE address = $1 AND deleted_at IS NULL
         UNION ALL
         SELECT a.mailbox_id FROM aliases a JOIN mailboxes m ON m.id = a.mailbox_id
         WHERE a.address = $1 AND m.deleted_at IS NULL
         LIMIT 1",
    )
    .bind(address)
    .fetch_optional(&mut *tx)
    .await
}

/// The mailbox that sent `m`: the authenticated one, else its envelope
/// sender's (a refusal before queueing has no authentication in the log).
async fn sending_mailbox(tx: &mut AnyConnection, m: &Message) -> sqlx::Result<Option<i64>> {
    if let Some(user) = m.sasl_user.as_deref()
        && let Some(id) = mailbox_of(tx, user).await?
    {
        return Ok(Some(id));
    }
    mailbox_of(tx, m.sender.as_deref().unwrap_or_default()).await
}

/// One row of `mail_log_entries`, before it is written.
struct Entry<'a> {
    mailbox_id: i64,
    direction: Direction,
    recipient: &'a str,
    status: LogStatus,
    folder: Option<String>,
    relay: Option<&'a str>,
    dsn: Option<&'a str>,
    reply: Option<&'a str>,
    lmtp_session: Option<&'a str>,
}

async fn upsert(tx: &mut AnyConnection, m: &Message, e: Entry<'_>, now: i64) -> sqlx::Result<()> {
    let subject: Option<String> =
        sqlx::query_scalar("SELECT subject FROM mail_log_subjects WHERE queue_id = $1")
            .bind(&m.queue_id)
            .fetch_optional(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO mail_log_entries (mailbox_id, message_key, at, updated_at, direction,
             sender, recipient, subject, size, queue_id, message_id, status, folder, relay,
             dsn, reply, lmtp_session)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (message_key, recipient, mailbox_id, direction) DO UPDATE SET
             updated_at = excluded.updated_at, status = excluded.status,
             folder = excluded.folder, relay = excluded.relay, dsn = excluded.dsn,
             reply = excluded.reply, lmtp_session = excluded.lmtp_session,
             subject = COALESCE(mail_log_entries.subject, excluded.subject)",
    )
    .bind(e.mailbox_id)
    .bind(m.id)
    .bind(m.at)
    .bind(now)
    .bind(e.direction.as_str())
    .bind(m.sender.clone().unwrap_or_default())
    .bind(e.recipient)
    .bind(subject)
    .bind(m.size)
    .bind(Some(m.queue_id.as_str()).filter(|q| *q != NOQUEUE))
    .bind(m.message_id.as_deref())
    .bind(e.status.as_str())
    .bind(e.folder)
    .bind(e.relay)
    .bind(e.dsn)
    .bind(e.reply)
    .bind(e.lmtp_session)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The queue id of refusals before queueing (each is a message of its own).
const NOQUEUE: &str = "NOQUEUE";

async fn apply_postfix(tx: &mut AnyConnection, at: i64, event: postfix::Event) -> sqlx::Result<()> {
    use postfix::Event;
    match event {
        Event::Client {
            queue_id,
            sasl_user,
        } => {
            let m = message(tx, &queue_id, at).await?;
            sqlx::query("UPDATE mail_log_messages SET sasl_user = $1 WHERE id = $2")
                .bind(sasl_user)
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
        }
        Event::MessageId {
            queue_id,
            message_id,
        } => {
            let m = message(tx, &queue_id, at).await?;
            sqlx::query("UPDATE mail_log_messages SET message_id = $1 WHERE id = $2")
                .bind(message_id)
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
        }
        Event::Queued {
            queue_id,
            from,
            size,
        } => {
            let m = message(tx, &queue_id, at).await?;
            sqlx::query("UPDATE mail_log_messages SET sender = $1, size = $2 WHERE id = $3")
                .bind(from)
                .bind(size.map(|s| s as i64))
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
        }
        Event::Delivery(d) => delivery(tx, at, d).await?,
        Event::Expired { queue_id } => {
            let m = message(tx, &queue_id, at).await?;
            sqlx::query(
                "UPDATE mail_log_entries SET status = 'bounced', dsn = '4.4.7', updated_at = $1,
                     reply = 'Delivery time expired. Last answer: ' || COALESCE(reply, '')
                 WHERE message_key = $2 AND status = 'deferred'",
            )
            .bind(at)
            .bind(m.id)
            .execute(&mut *tx)
            .await?;
        }
        Event::Reject(r) => reject(tx, at, r).await?,
        Event::Removed { queue_id } => {
            sqlx::query(
                "UPDATE mail_log_messages SET removed = 1 WHERE queue_id = $1 AND removed = 0",
            )
            .bind(&queue_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM mail_log_subjects WHERE queue_id = $1")
                .bind(&queue_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    Ok(())
}

async fn delivery(tx: &mut AnyConnection, at: i64, d: postfix::Delivery) -> sqlx::Result<()> {
    let m = message(tx, &d.queue_id, at).await?;
    let status = match d.status.as_str() {
        "sent" => LogStatus::Delivered,
        "deferred" => LogStatus::Deferred,
        _ => LogStatus::Bounced,
    };
    // What the sender wrote (an alias), not what it was rewritten to.
    let shown = d.orig_to.as_deref().unwrap_or(&d.to);
    let reply = Some(d.detail.as_str()).filter(|s| !s.is_empty());
    if let Some(sender) = sending_mailbox(tx, &m).await? {
        // The sender learns that it was delivered, never into which folder.
        let e = Entry {
            mailbox_id: sender,
            direction: Direction::Sent,
            recipient: shown,
            status,
            folder: None,
            relay: d.relay.as_deref(),
            dsn: d.dsn.as_deref(),
            reply,
            lmtp_session: None,
        };
        upsert(tx, &m, e, at).await?;
    }
    let local = matches!(d.service.as_str(), "lmtp" | "virtual");
    if local && let Some(recipient) = mailbox_of(tx, &d.to).await? {
        let session = dovecot::postfix_session(&d.detail);
        let (status, folder) = match (status, session) {
            (LogStatus::Delivered, Some(s)) => match filing_of(tx, s).await? {
                Some((folder, by_rule)) => (
                    filed_status(tx, recipient, &folder, by_rule).await?,
                    Some(folder),
                ),
                None => (LogStatus::Delivered, None),
            },
            (s, _) => (s, None),
        };
        let e = Entry {
            mailbox_id: recipient,
            direction: Direction::Received,
            recipient: shown,
            status,
            folder,
            relay: d.relay.as_deref(),
            dsn: d.dsn.as_deref(),
            reply,
            lmtp_session: session,
        };
        upsert(tx, &m, e, at).await?;
    }
    Ok(())
}

async fn reject(tx: &mut AnyConnection, at: i64, r: postfix::Reject) -> sqlx::Result<()> {
    let mut m = match &r.queue_id {
        Some(q) => message(tx, q, at).await?,
        None => {
            let m = message(tx, NOQUEUE, at).await?;
            // Its own message, done at once.
            sqlx::query("UPDATE mail_log_messages SET removed = 1 WHERE id = $1")
                .bind(m.id)
                .execute(&mut *tx)
                .await?;
            m
        }
    };
    if m.sender.is_none() {
        m.sender = Some(r.from.clone());
        sqlx::query("UPDATE mail_log_messages SET sender = $1 WHERE id = $2")
            .bind(&r.from)
            .bind(m.id)
            .execute(&mut *tx)
            .await?;
    }
    let to = r.to.clone().unwrap_or_default();
    let dsn =
        postern_shared::logs::status_code(None, &r.reply).map(|(c, s, d)| format!("{c}.{s}.{d}"));
    let entry = |mailbox_id, direction| Entry {
        mailbox_id,
        direction,
        recipient: &to,
        status: LogStatus::Rejected,
        folder: None,
        relay: None,
        dsn: dsn.as_deref(),
        reply: Some(r.reply.as_str()),
        lmtp_session: None,
    };
    if let Some(sender) = sending_mailbox(tx, &m).await? {
        upsert(tx, &m, entry(sender, Direction::Sent), at).await?;
    }
    if let Some(recipient) = mailbox_of(tx, &to).await? {
        upsert(tx, &m, entry(recipient, Direction::Received), at).await?;
    }
    Ok(())
}

/// Where Dovecot's session `session` stored its delivery, if read yet.
async fn filing_of(tx: &mut AnyConnection, session: &str) -> sqlx::Result<Option<(String, bool)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT folder, by_rule FROM mail_log_filings WHERE session = $1")
            .bind(session)
            .fetch_optional(&mut *tx)
            .await?;
    Ok(row.map(|(f, r)| (f, r != 0)))
}

/// Spam when it went to the mailbox's spam folder (R-SPAM-2; Junk unless
/// chosen), filed when a rule put it elsewhere, else delivered.
async fn filed_status(
    tx: &mut AnyConnection,
    mailbox: i64,
    folder: &str,
    by_rule: bool,
) -> sqlx::Result<LogStatus> {
    let spam: Option<String> =
        sqlx::query_scalar("SELECT spam_folder FROM mailboxes WHERE id = $1")
            .bind(mailbox)
            .fetch_optional(&mut *tx)
            .await?
            .flatten();
    Ok(if folder == spam.as_deref().unwrap_or("Junk") {
        LogStatus::Spam
    } else if by_rule && folder != "INBOX" {
        LogStatus::Filed
    } else {
        LogStatus::Delivered
    })
}

async fn apply_filing(tx: &mut AnyConnection, f: &dovecot::Filing) -> sqlx::Result<()> {
    // Sieve's line wins over the implicit keep's, whichever comes first.
    sqlx::query(
        "INSERT INTO mail_log_filings (session, folder, by_rule, at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (session) DO UPDATE SET folder = excluded.folder, by_rule = excluded.by_rule
         WHERE excluded.by_rule = 1 OR mail_log_filings.by_rule = 0",
    )
    .bind(&f.session)
    .bind(&f.folder)
    .bind(i64::from(f.by_rule))
    .bind(f.at)
    .execute(&mut *tx)
    .await?;
    // Postfix's line may have been read first.
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, mailbox_id FROM mail_log_entries WHERE lmtp_session = $1 AND direction = 'received'",
    )
    .bind(&f.session)
    .fetch_all(&mut *tx)
    .await?;
    let Some((folder, by_rule)) = filing_of(tx, &f.session).await? else {
        return Ok(());
    };
    for (id, mailbox) in rows {
        let status = filed_status(tx, mailbox, &folder, by_rule).await?;
        sqlx::query("UPDATE mail_log_entries SET folder = $1, status = $2 WHERE id = $3")
            .bind(&folder)
            .bind(status.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}
