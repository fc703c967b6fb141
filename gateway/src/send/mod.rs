//! Writing and sending (R-SEND, R-LIM-1; "Sending" in `ARCHITECTURE.md`).
//! - [`html`]: the composer's HTML, sanitised again on the server;
//! - [`mime`]: the RFC 5322 message, built to a file;
//! - [`smtp`] + [`tls`]: submission to Dovecot as the master user;
//! - [`tags`]: `[postern:<code>]` in SMTP replies ↔ typed errors;
//! - [`policy`]: the Postfix policy service that enforces R-SEND-1..3 for
//!   every SMTP client, webmail included;
//! - [`milter`]: the `From:` header half of R-SEND-3 for SMTP clients;
//! - [`ledger`]: the quota ledger and the mailbox's sending identity;
//! - [`compose`]: from a `Draft` to a message file (attachments, threading);
//! - [`drafts`]: saving to and reopening from the Drafts folder;
//! - [`outbox`]: undo window, submission, and what follows a send.

pub mod compose;
pub mod drafts;
pub mod html;
pub mod ledger;
pub mod listener;
pub mod milter;
pub mod mime;
pub mod outbox;
pub mod policy;
pub mod smtp;
pub mod tags;
pub mod tls;

/// Unix seconds as a readable UTC time (`2026-01-05 10:00 UTC`).
pub fn utc_time(ts: i64) -> String {
    postern_shared::format::utc_minutes(ts)
}
