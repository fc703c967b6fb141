//! The gateway's IMAP client: a small hand-written one, because the crates
//! available lack typed UID SORT / LIST-STATUS / BINARY partial fetch in
//! one place. Layers, bottom-up:
//! - [`parse`]: pure response tokenizer and typed readers (LIST, FETCH…);
//! - [`commands`]: command building with safe quoting (no injection);
//! - [`connection`]: framing, tags, pipelining over a TCP stream;
//! - [`ops`]: the mailbox operations the routes need;
//! - [`pool`]: per-mailbox connections as the Dovecot master user, with
//!   one transparent retry after a broken pooled connection.

pub mod commands;
pub mod connection;
pub mod date;
pub mod list_cache;
pub mod ops;
pub mod parse;
pub mod parts;
pub mod pool;
pub mod utf7;

pub use connection::{AppendItem, Connection};
pub use list_cache::ListCache;
pub use pool::Pool;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("the server closed the connection")]
    Closed,
    #[error("the server did not answer in time")]
    Timeout,
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
    #[error("login refused: {0}")]
    LoginRefused(String),
    #[error("POSTERN_IMAP_TLS=true is not supported yet; use plain IMAP on loopback")]
    TlsUnsupported,
    #[error("NO {text}")]
    No { code: Option<String>, text: String },
    #[error("BAD {0}")]
    Bad(String),
}

impl ImapError {
    /// The connection (or the server) is unusable, as opposed to a command
    /// the server refused. These become 503 and trigger the pool's retry.
    pub fn is_connection_failure(&self) -> bool {
        !matches!(self, ImapError::No { .. } | ImapError::Bad(_))
    }

    /// The response code of a NO (`NONEXISTENT`, `ALREADYEXISTS`…).
    pub fn no_code(&self) -> Option<&str> {
        match self {
            ImapError::No { code, .. } => code.as_deref(),
            _ => None,
        }
    }
}

/// Appends one message as the master user on a fresh connection — the
/// helper integration tests and seeding use. Returns the new UID when the
/// server reports it (UIDPLUS).
///
/// `flags` are IMAP flags such as `\Seen`; `internal_date` is Unix seconds.
pub async fn append(
    imap: &crate::config::ImapConfig,
    mailbox_address: &str,
    folder: &str,
    message: &[u8],
    flags: &[&str],
    internal_date: Option<i64>,
) -> Result<Option<u32>, ImapError> {
    if imap.tls {
        return Err(ImapError::TlsUnsupported);
    }
    let mut conn = Connection::connect(&imap.addr).await?;
    conn.login(
        &format!("{mailbox_address}*{}", imap.master_user),
        &imap.master_password,
    )
    .await?;
    let item = connection::AppendItem {
        flags: flags.iter().map(|f| f.to_string()).collect(),
        internal_date: internal_date.map(date::format),
        message: message.to_vec(),
    };
    let uids = conn
        .append_batch(folder, std::slice::from_ref(&item))
        .await?;
    let _ = conn.run(&commands::Command::new("LOGOUT")).await;
    Ok(uids.into_iter().next().flatten())
}
