//! Reading what was delivered, as a recipient would: a mailbox's folders
//! over IMAP (master user), the sink's Maildir (mail for other domains,
//! with the envelope aiosmtpd recorded), and message headers.

use crate::imap::quote;
use crate::{Stack, eventually};
use std::path::PathBuf;
use std::time::Duration;

/// How long delivery through Postfix may take in a test.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// The header block of `raw` (up to the first empty line).
fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len());
    text[..end].replace("\r\n", "\n")
}

/// Every value of header `name` (case-insensitive), unfolded and trimmed.
pub fn headers(raw: &[u8], name: &str) -> Vec<String> {
    let block = header_block(raw);
    let mut out: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in block.split('\n') {
        if line.starts_with([' ', '\t']) {
            if let Some(c) = current.as_mut() {
                c.push(' ');
                c.push_str(line.trim());
            }
            continue;
        }
        if let Some(c) = current.take() {
            out.push(c);
        }
        if let Some((n, v)) = line.split_once(':')
            && n.trim().eq_ignore_ascii_case(name)
        {
            current = Some(v.trim().to_string());
        }
    }
    if let Some(c) = current {
        out.push(c);
    }
    out
}

/// The first value of header `name`.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    headers(raw, name).into_iter().next()
}

/// The message ids of a `References`/`In-Reply-To` value, without brackets.
pub fn message_ids(value: &str) -> Vec<String> {
    value
        .split('<')
        .skip(1)
        .filter_map(|s| s.split_once('>').map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// `s` occurs in `haystack`.
pub fn contains(haystack: &[u8], s: &str) -> bool {
    let needle = s.as_bytes();
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A message the sink received: one SMTP transaction (Postfix sends one
/// per at most 50 recipients).
#[derive(Debug, Clone)]
pub struct SinkMessage {
    pub path: PathBuf,
    pub raw: Vec<u8>,
    /// The envelope sender (aiosmtpd's `X-MailFrom`).
    pub mail_from: String,
    /// The envelope recipients (aiosmtpd's `X-RcptTo`), lower-cased.
    pub rcpt_to: Vec<String>,
}

impl Stack {
    /// Every sink message whose raw bytes contain `needle` (e.g. a unique
    /// subject).
    pub fn sink_with(&self, needle: &str) -> Vec<SinkMessage> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.sink_maildir.join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|path| {
                let raw = std::fs::read(&path).ok()?;
                if !contains(&raw, needle) {
                    return None;
                }
                // aiosmtpd appends its envelope headers last: take the last.
                let mail_from = headers(&raw, "X-MailFrom").pop().unwrap_or_default();
                let rcpt_to = headers(&raw, "X-RcptTo")
                    .pop()
                    .unwrap_or_default()
                    .split(',')
                    .map(|a| a.trim().to_ascii_lowercase())
                    .filter(|a| !a.is_empty())
                    .collect();
                Some(SinkMessage {
                    path,
                    raw,
                    mail_from,
                    rcpt_to,
                })
            })
            .collect()
    }

    /// The distinct envelope recipients of every sink message containing
    /// `needle`, sorted.
    pub fn sink_recipients(&self, needle: &str) -> Vec<String> {
        let mut all: Vec<String> = self
            .sink_with(needle)
            .into_iter()
            .flat_map(|m| m.rcpt_to)
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// Waits until the sink has delivered `needle` to `n` distinct
    /// recipients; returns the messages.
    pub async fn wait_for_sink(&self, needle: &str, n: usize) -> Vec<SinkMessage> {
        eventually(
            &format!("{n} sink recipients of a message containing {needle:?}"),
            DELIVERY_TIMEOUT,
            || async { (self.sink_recipients(needle).len() >= n).then(|| self.sink_with(needle)) },
        )
        .await
    }

    /// UIDs of the messages in `address`'s `folder` whose Subject contains
    /// `subject` (ASCII).
    pub async fn find_subject(&self, address: &str, folder: &str, subject: &str) -> Vec<u32> {
        let mut imap = self.imap(address).await;
        imap.select(folder)
            .await
            .unwrap_or_else(|e| panic!("SELECT {folder} of {address}: {e}"));
        let mut uids = imap
            .uid_search(&format!("HEADER Subject {}", quote(subject)))
            .await
            .unwrap_or_else(|e| panic!("UID SEARCH in {folder} of {address}: {e}"));
        let _ = imap.logout().await;
        uids.sort_unstable();
        uids
    }

    /// Number of messages in `address`'s `folder`.
    pub async fn count(&self, address: &str, folder: &str) -> u32 {
        let mut imap = self.imap(address).await;
        let sel = imap
            .select(folder)
            .await
            .unwrap_or_else(|e| panic!("SELECT {folder} of {address}: {e}"));
        let _ = imap.logout().await;
        sel.exists
    }

    /// The raw bytes of `address`'s `folder`/`uid` (does not set \Seen).
    pub async fn raw_message(&self, address: &str, folder: &str, uid: u32) -> Vec<u8> {
        let mut imap = self.imap(address).await;
        imap.select(folder)
            .await
            .unwrap_or_else(|e| panic!("SELECT {folder} of {address}: {e}"));
        let raw = imap
            .fetch_raw(uid)
            .await
            .unwrap_or_else(|e| panic!("FETCH {folder}/{uid} of {address}: {e}"));
        let _ = imap.logout().await;
        raw
    }

    /// The flags of `address`'s `folder`/`uid`.
    pub async fn flags_of(&self, address: &str, folder: &str, uid: u32) -> Vec<String> {
        let mut imap = self.imap(address).await;
        imap.select(folder)
            .await
            .unwrap_or_else(|e| panic!("SELECT {folder} of {address}: {e}"));
        let flags = imap
            .flags(uid)
            .await
            .unwrap_or_else(|e| panic!("FETCH FLAGS {folder}/{uid} of {address}: {e}"));
        let _ = imap.logout().await;
        flags
    }

    /// Waits until a message whose Subject contains `subject` is in
    /// `address`'s `folder`; returns its UID and raw bytes.
    pub async fn wait_for_subject(
        &self,
        address: &str,
        folder: &str,
        subject: &str,
    ) -> (u32, Vec<u8>) {
        let uid = eventually(
            &format!("{subject:?} in {folder} of {address}"),
            DELIVERY_TIMEOUT,
            || async {
                self.find_subject(address, folder, subject)
                    .await
                    .first()
                    .copied()
            },
        )
        .await;
        (uid, self.raw_message(address, folder, uid).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_unfolded_and_message_ids_split() {
        let raw = b"Subject: a\r\nReferences: <r1@x>\r\n <r2@x>\r\nX-RcptTo: a@b, c@d\r\nx-rcptto: e@f\r\n\r\nReferences: <body@x>\r\n";
        assert_eq!(header(raw, "references").as_deref(), Some("<r1@x> <r2@x>"));
        assert_eq!(message_ids("<r1@x> <r2@x>"), vec!["r1@x", "r2@x"]);
        assert_eq!(headers(raw, "X-RcptTo"), vec!["a@b, c@d", "e@f"]);
        assert_eq!(header(b"A: 1\n\nB: 2\n", "B"), None);
        assert!(contains(raw, "c@d") && !contains(raw, ""));
    }
}
