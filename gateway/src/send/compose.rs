//! From a [`Draft`] to a message file: recipients checked, HTML sanitised,
//! threading headers from the original, attachments resolved (uploads,
//! parts of stored messages, big uploads as a transfer link), and the
//! message written under `{blob_dir}/outgoing/`.

use std::path::{Path, PathBuf};

use postern_shared::api::EmailAddress;
use postern_shared::compose::{AttachmentRef, Draft, ReplyKind};
use postern_shared::limits::{MAX_ATTACHMENT_BYTES, MAX_MESSAGE_BYTES, MAX_WEBMAIL_TRANSFER_BYTES};
use postern_shared::{ApiError, ErrorCode};

use super::mime::{self, FileAttachment, Message};
use crate::error::{AppError, AppResult};
use crate::imap::{ImapError, ops};
use crate::ledger::Sender;
use crate::state::AppState;

/// What the message is for: a send leaves Bcc out of the headers and
/// publishes big uploads; a draft keeps both as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Send,
    Draft,
}

/// Files that exist only for one build; removed when dropped.
#[derive(Debug, Default)]
pub struct TempFiles(pub Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// A built message on disk. The file is removed on drop unless `keep`
/// (the outbox keeps it until the message is sent or given up).
#[derive(Debug)]
pub struct Built {
    pub path: PathBuf,
    pub size: u64,
    pub message_id: String,
    pub envelope_from: String,
    /// Distinct envelope recipients (To + Cc + Bcc), lower-cased.
    pub rcpt_to: Vec<String>,
    /// For drafts: the attachments as they are in the built message
    /// (`Part` sections of `folder`/`uid` are filled in by the caller).
    pub attachment_slots: Vec<Slot>,
    pub keep: bool,
}

/// Where an attachment of the draft went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// A MIME part: IMAP section of the built message.
    Section(String),
    /// A big upload referenced by header (drafts only).
    Upload(String),
}

impl Drop for Built {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// R-ADDR syntax for recipients, deliberately simple: one `@`, a local
/// part and a dotted domain, no spaces, controls or address punctuation.
pub fn valid_address(a: &str) -> bool {
    let Some((local, domain)) = a.split_once('@') else {
        return false;
    };
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
    !local.is_empty()
        && local.len() <= 64
        && a.len() <= 254
        && !local.chars().any(bad)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// Every recipient valid (else `invalid_recipient` naming it); returns
/// the distinct envelope recipients, lower-cased, in order of appearance.
pub fn recipients(draft: &Draft) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for a in draft.to.iter().chain(&draft.cc).chain(&draft.bcc) {
        let addr = a.address.trim();
        if !valid_address(addr) {
            return Err(AppError::new(
                ErrorCode::InvalidRecipient,
                format!("\"{}\" is not a valid email address.", mime::one_line(addr)),
            ));
        }
        let lower = addr.to_ascii_lowercase();
        if !out.contains(&lower) {
            out.push(lower);
        }
    }
    Ok(out)
}

/// The sending rules that need no I/O, in the order the user should hear
/// about them: recipients' syntax, R-SEND-1, R-SEND-3.
pub fn check_rules(draft: &Draft, sender: &Sender) -> AppResult<Vec<String>> {
    let rcpt = recipients(draft)?;
    if rcpt.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidRecipient,
            "Add at least one recipient.",
        ));
    }
    let n = postern_shared::sending::distinct_recipients(rcpt.iter().map(String::as_str));
    if !postern_shared::sending::within_recipient_limit(n) {
        return Err(AppError::new(
            ErrorCode::RecipientLimit,
            format!(
                "This message has {n} recipients; at most {} are allowed (To, Cc and Bcc together).",
                postern_shared::limits::MAX_RECIPIENTS
            ),
        ));
    }
    let from = from_address(draft, sender);
    if !sender.may_send_as(&from) {
        return Err(AppError::new(
            ErrorCode::SenderMismatch,
            format!(
                "You cannot send as {from}: the sender must be {} or one of its aliases.",
                sender.address
            ),
        ));
    }
    Ok(rcpt)
}

pub fn from_address(draft: &Draft, sender: &Sender) -> String {
    draft
        .from
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .unwrap_or(&sender.address)
        .to_ascii_lowercase()
}

pub fn outgoing_dir(state: &AppState) -> PathBuf {
    Path::new(&state.sending.blob_dir).join("outgoing")
}

fn random_name() -> String {
    use rand::Rng;
    hex::encode(rand::thread_rng().r#gen::<[u8; 16]>())
}

/// `Message-ID` and `References` of the original, for threading.
async fn threading(
    state: &AppState,
    address: &str,
    folder: &str,
    uid: u32,
) -> AppResult<(Option<String>, Vec<String>)> {
    let raw = crate::with_connection!(state.imap, address, folder: Some(folder), |c| {
        ops::select(c, folder, true).await?;
        ops::header_fields(c, uid, &["MESSAGE-ID", "REFERENCES"]).await
    })
    .await;
    let raw = match raw {
        Ok(Some(r)) => r,
        // The original is gone (moved, deleted): send without threading.
        Ok(None) | Err(ImapError::No { .. }) => return Ok((None, Vec::new())),
        Err(e) => return Err(e.into()),
    };
    let parsed = mail_parser::MessageParser::default().parse_headers(&raw);
    let Some(m) = parsed else {
        return Ok((None, Vec::new()));
    };
    let id = m.message_id().map(str::to_string);
    let refs = m
        .references()
        .as_text_list()
        .map(|l| l.iter().map(|s| s.to_string()).collect())
        .unwrap_or_default();
    Ok((id, refs))
}

/// Copies a stored message's part (decoded) to a file, 1 MiB at a time.
async fn fetch_part(
    state: &AppState,
    address: &str,
    folder: &str,
    uid: u32,
    section: &str,
    dest: &Path,
) -> AppResult<FileAttachment> {
    use tokio::io::AsyncWriteExt;
    if folder.is_empty() || !crate::imap::commands::valid_section(section) {
        return Err(AppError::bad_request("Invalid attachment reference."));
    }
    let mut conn = state.imap.get_for(address, Some(folder)).await?;
    let meta = async {
        ops::select(&mut conn, folder, true).await?;
        ops::part_meta(&mut conn, uid, section).await
    }
    .await;
    let (mime_headers, size) = match meta {
        Ok(Some(m)) => m,
        Ok(None) | Err(ImapError::No { .. }) => {
            return Err(AppError::new(
                ErrorCode::MessageNotFound,
                "An attached file of the original message no longer exists.",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if size.is_some_and(|s| s > MAX_MESSAGE_BYTES) {
        return Err(ErrorCode::MessageTooLarge.into());
    }
    let (content_type, name) = crate::imap::parts::describe(&mime_headers);
    let mut file = tokio::fs::File::create(dest)
        .await
        .map_err(AppError::internal)?;
    let chunk = crate::imap::parts::CHUNK;
    let mut offset = 0u64;
    loop {
        let data = ops::part_chunk(&mut conn, uid, section, offset, chunk).await?;
        file.write_all(&data).await.map_err(AppError::internal)?;
        offset += data.len() as u64;
        if (data.len() as u64) < chunk || offset > MAX_MESSAGE_BYTES {
            break;
        }
    }
    file.flush().await.map_err(AppError::internal)?;
    Ok(FileAttachment {
        name: name.unwrap_or_else(|| format!("attachment-{section}")),
        content_type: content_type
            .split(';')
            .next()
            .unwrap_or("application/octet-stream")
            .to_string(),
        path: dest.to_path_buf(),
        size: offset,
    })
}

/// Builds the message of `draft` for `purpose`.
pub async fn build(
    state: &AppState,
    account_id: i64,
    sender: &Sender,
    draft: &Draft,
    purpose: Purpose,
) -> AppResult<Built> {
    let rcpt_to = recipients(draft)?;
    let from = from_address(draft, sender);
    let dir = outgoing_dir(state);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(AppError::internal)?;

    let mut m = Message {
        from: EmailAddress {
            name: Some(sender.display_name.clone()).filter(|n| !n.trim().is_empty()),
            address: from.clone(),
        },
        to: draft.to.clone(),
        cc: draft.cc.clone(),
        bcc: draft.bcc.clone(),
        include_bcc: purpose == Purpose::Draft,
        subject: draft.subject.clone(),
        text: draft.text.clone(),
        html: draft.html.as_deref().map(super::html::sanitize),
        message_id: mime::new_message_id(sender.domain()),
        date: crate::db::now(),
        ..Message::default()
    };

    if let Some(o) = &draft.original {
        let (id, mut refs) = threading(state, &sender.address, &o.folder, o.uid).await?;
        if let Some(id) = id {
            refs.push(id.clone());
            if o.kind == ReplyKind::Reply {
                m.in_reply_to = Some(id);
            }
        }
        // Long threads: keep the root and the most recent ones (RFC 5322 §3.6.4).
        if refs.len() > 20 {
            let tail = refs.split_off(refs.len() - 19);
            refs.truncate(1);
            refs.extend(tail);
        }
        m.references = refs;
        if purpose == Purpose::Draft {
            m.extra_headers
                .push((mime::ORIGINAL_HEADER, mime::encode_original(o)));
        }
    }

    let mut temp = TempFiles::default();
    let mut slots = Vec::new();
    let mut big_uploads = Vec::new();
    let mut estimate = (m.text.len() + m.html.as_ref().map_or(0, |h| h.len())) as u64 * 2;
    for a in &draft.attachments {
        match a {
            AttachmentRef::Upload { id } => {
                let up = crate::transfers::finished_upload(state, account_id, id).await?;
                if up.size > MAX_WEBMAIL_TRANSFER_BYTES {
                    return Err(ErrorCode::AttachmentTooLarge.into());
                }
                if up.size > MAX_ATTACHMENT_BYTES {
                    match purpose {
                        Purpose::Send => big_uploads.push(up.id.clone()),
                        Purpose::Draft => {
                            m.extra_headers.push((mime::UPLOAD_HEADER, up.id.clone()));
                            slots.push(Slot::Upload(up.id.clone()));
                        }
                    }
                    continue;
                }
                estimate += mime::base64_size(up.size);
                slots.push(Slot::Section((m.attachments.len() + 2).to_string()));
                m.attachments.push(FileAttachment {
                    name: up.name,
                    content_type: up.content_type,
                    path: up.path,
                    size: up.size,
                });
            }
            AttachmentRef::Part {
                folder,
                uid,
                section,
            } => {
                let dest = dir.join(format!("{}.part", random_name()));
                temp.0.push(dest.clone());
                let f = fetch_part(state, &sender.address, folder, *uid, section, &dest).await?;
                estimate += mime::base64_size(f.size);
                slots.push(Slot::Section((m.attachments.len() + 2).to_string()));
                m.attachments.push(f);
            }
        }
        // Refuse early, before copying more (R-LIM-1 counts the encoding).
        if estimate > MAX_MESSAGE_BYTES {
            return Err(ErrorCode::MessageTooLarge.into());
        }
    }

    if !big_uploads.is_empty() {
        let transfer = crate::transfers::publish(state, account_id, &big_uploads).await?;
        let (text, html) = mime::transfer_note(&transfer);
        m.text.push_str(&text);
        if let Some(h) = &mut m.html {
            h.push_str(&html);
        }
    }

    let path = dir.join(format!("{}.eml", random_name()));
    let message_id = m.message_id.clone();
    let write_path = path.clone();
    let written = tokio::task::spawn_blocking(move || {
        let file = std::fs::File::create(&write_path)?;
        mime::write_message(&m, file)
    })
    .await
    .map_err(AppError::internal)?;
    drop(temp);
    let size = match written {
        Ok(n) => n,
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            return Err(if e.kind() == std::io::ErrorKind::FileTooLarge {
                ErrorCode::MessageTooLarge.into()
            } else {
                AppError::internal(format_args!("writing message: {e}"))
            });
        }
    };
    Ok(Built {
        path,
        size,
        message_id,
        envelope_from: from,
        rcpt_to,
        attachment_slots: slots,
        keep: false,
    })
}

/// A quota error for the API from the ledger (read-only pre-check).
pub async fn quota_precheck(state: &AppState, sender: &Sender, n: usize) -> AppResult<()> {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    match crate::ledger::quota_error(&state.db, sender, crate::db::now(), n).await? {
        Some(e) => Err(AppError(e)),
        None => Ok(()),
    }
}

/// `ApiError` of an internal failure, for rows that store errors.
pub fn api_error_of(e: &AppError) -> ApiError {
    e.0.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_syntax() {
        for ok in ["a@x.test", "first.last+tag@sub.example.com", "ü@bücher.de"] {
            assert!(valid_address(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@x.test",
            "a@x",
            "a b@x.test",
            "a@x..test",
            "<a@x.test>",
            "a@x.test\r\nRCPT TO:<b@y>",
            "a@@x.test",
            ".a@x.test",
            "a@-x.test",
        ] {
            assert!(!valid_address(bad), "{bad}");
        }
    }

    fn sender() -> Sender {
        Sender {
            mailbox_id: 1,
            address: "info@a.test".into(),
            display_name: "Info".into(),
            aliases: vec!["sales@a.test".into()],
            daily_limit: 500,
        }
    }

    fn to(a: &str) -> EmailAddress {
        EmailAddress {
            name: None,
            address: a.into(),
        }
    }

    #[test]
    fn rules_in_order() {
        let mut d = Draft::default();
        assert_eq!(
            check_rules(&d, &sender()).unwrap_err().code(),
            ErrorCode::InvalidRecipient
        );
        d.to = vec![to("a@x.test"), to("nope")];
        let e = check_rules(&d, &sender()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRecipient);
        assert!(e.0.message.contains("\"nope\""));
        d.to = (0..100).map(|i| to(&format!("r{i}@x.test"))).collect();
        d.cc = vec![to("R0@X.test")];
        assert_eq!(check_rules(&d, &sender()).unwrap().len(), 100);
        d.bcc = vec![to("extra@x.test")];
        assert_eq!(
            check_rules(&d, &sender()).unwrap_err().code(),
            ErrorCode::RecipientLimit
        );
        d.bcc.clear();
        d.from = Some("Sales@a.test".into());
        assert!(check_rules(&d, &sender()).is_ok());
        d.from = Some("ceo@a.test".into());
        assert_eq!(
            check_rules(&d, &sender()).unwrap_err().code(),
            ErrorCode::SenderMismatch
        );
    }
}
