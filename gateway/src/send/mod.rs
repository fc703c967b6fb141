//! Writing and sending (R-SEND, R-LIM-1; "Sending" in `ARCHITECTURE.md`).
//! - [`html`]: the composer's HTML, sanitised again on the server;
//! - [`mime`]: the RFC 5322 message, built to a file;
//! - [`smtp`] + [`tls`]: submission to Dovecot as the master user (its
//!   refusals carry the tags of `crate::postfix::tags`);
//! - [`compose`]: from a `Draft` to a message file (attachments, threading);
//! - [`drafts`]: saving to and reopening from the Drafts folder;
//! - [`outbox`]: undo window, submission, and what follows a send.
//!
//! The services Postfix calls for every SMTP client (policy, milter) are
//! `crate::postfix`; the quota ledger both use is `crate::ledger`.

pub mod compose;
pub mod drafts;
pub mod html;
pub mod mime;
pub mod outbox;
pub mod smtp;
pub mod tls;

/// Unix seconds as a readable UTC time (`2026-01-05 10:00 UTC`).
pub fn utc_time(ts: i64) -> String {
    postern_shared::format::utc_minutes(ts)
}
