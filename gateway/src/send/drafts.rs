//! Drafts live in the mailbox's Drafts folder (SPECIAL-USE `\Drafts`), as
//! messages any mail client can open. Saving APPENDs a new version (the
//! caller deletes the old one only afterwards: no half state); opening
//! parses one back into a [`Draft`].

use std::collections::HashMap;

use mail_parser::{MessageParser, PartType};
use postern_shared::api::EmailAddress;
use postern_shared::compose::{AttachmentRef, Draft};
use postern_shared::folders::SpecialUse;

use super::compose::{self, Purpose, Slot};
use super::mime;
use crate::error::{AppError, AppResult};
use crate::imap::ops;
use crate::ledger::Sender;
use crate::state::AppState;

/// The path of a special folder; created under its usual name when the
/// mailbox has none (Dovecot normally auto-creates them).
pub async fn special_folder(
    state: &AppState,
    address: &str,
    role: SpecialUse,
) -> AppResult<String> {
    let found = crate::with_connection!(state.imap, address, |c| {
        ops::special_folder(c, role).await
    })
    .await?;
    if let Some(path) = found {
        return Ok(path);
    }
    let name = match role {
        SpecialUse::Drafts => "Drafts",
        SpecialUse::Sent => "Sent",
        SpecialUse::Trash => "Trash",
        SpecialUse::Junk => "Junk",
        SpecialUse::Archive => "Archive",
        SpecialUse::Inbox => "INBOX",
    };
    let created =
        crate::with_connection!(state.imap, address, |c| { ops::create(c, name).await }).await;
    match created {
        Ok(()) => Ok(name.to_string()),
        // Created meanwhile by someone else: fine.
        Err(e) if e.no_code() == Some("ALREADYEXISTS") => Ok(name.to_string()),
        Err(e) => Err(e.into()),
    }
}

/// APPENDs a file to `folder` with `flags`; the new UID (APPENDUID).
pub async fn append(
    state: &AppState,
    address: &str,
    folder: &str,
    flags: &[&str],
    path: &std::path::Path,
) -> AppResult<u32> {
    // Not retried on a fresh connection: an APPEND that broke midway may
    // have stored the message, and a second copy is worse than an error.
    let mut conn = state.imap.get(address).await?;
    let uid = match conn.append_file(folder, flags, path).await {
        Err(e) if conn.reused && e.is_connection_failure() => {
            drop(conn);
            let mut fresh = state.imap.fresh(address).await?;
            fresh.append_file(folder, flags, path).await?
        }
        other => other?,
    };
    uid.ok_or_else(|| AppError::internal("the mail server did not report the new UID (APPENDUID)"))
}

/// A saved draft: where it is and its attachments as references into it.
#[derive(Debug, Clone)]
pub struct Saved {
    pub folder: String,
    pub uid: u32,
    pub attachments: Vec<AttachmentRef>,
}

/// Builds and APPENDs a draft (`\Draft \Seen`).
pub async fn save(
    state: &AppState,
    account_id: i64,
    sender: &Sender,
    draft: &Draft,
) -> AppResult<Saved> {
    let built = compose::build(state, account_id, sender, draft, Purpose::Draft).await?;
    let folder = special_folder(state, &sender.address, SpecialUse::Drafts).await?;
    let uid = append(
        state,
        &sender.address,
        &folder,
        &["\\Draft", "\\Seen"],
        &built.path,
    )
    .await?;
    let attachments = built
        .attachment_slots
        .iter()
        .map(|s| match s {
            Slot::Section(section) => AttachmentRef::Part {
                folder: folder.clone(),
                uid,
                section: section.clone(),
            },
            Slot::Upload(id) => AttachmentRef::Upload { id: id.clone() },
        })
        .collect();
    Ok(Saved {
        folder,
        uid,
        attachments,
    })
}

/// IMAP section numbers of every part (mail-parser's flat part list →
/// `1`, `2.1`…). Nested messages are not entered: they are attachments.
fn sections(m: &mail_parser::Message<'_>) -> HashMap<u32, String> {
    let mut out = HashMap::new();
    fn walk(
        m: &mail_parser::Message<'_>,
        id: u32,
        section: String,
        out: &mut HashMap<u32, String>,
    ) {
        let Some(part) = m.parts.get(id as usize) else {
            return;
        };
        if let PartType::Multipart(children) = &part.body {
            for (i, child) in children.iter().enumerate() {
                let s = if section.is_empty() {
                    (i + 1).to_string()
                } else {
                    format!("{section}.{}", i + 1)
                };
                walk(m, *child, s, out);
            }
        } else {
            // A single-part message's body is section 1.
            let s = if section.is_empty() {
                "1".to_string()
            } else {
                section
            };
            out.insert(id, s);
        }
    }
    walk(m, 0, String::new(), &mut out);
    out
}

fn addresses(a: Option<&mail_parser::Address<'_>>) -> Vec<EmailAddress> {
    a.map(|a| {
        a.iter()
            .filter_map(|x| {
                Some(EmailAddress {
                    name: x.name().map(str::to_string).filter(|n| !n.is_empty()),
                    address: x.address()?.to_string(),
                })
            })
            .collect()
    })
    .unwrap_or_default()
}

/// A stored draft (raw RFC 5322) back into a [`Draft`] (pure).
pub fn parse(raw: &[u8], folder: &str, uid: u32) -> Option<Draft> {
    let m = MessageParser::default().parse(raw)?;
    let html = m
        .html_part(0)
        .filter(|p| matches!(p.body, PartType::Html(_)))
        .and_then(|p| p.text_contents())
        .map(super::html::sanitize);
    let text = m
        .body_text(0)
        .map(|t| t.replace("\r\n", "\n"))
        .unwrap_or_default();
    let sections = sections(&m);
    let mut attachments: Vec<AttachmentRef> = m
        .attachments
        .iter()
        .filter_map(|id| {
            Some(AttachmentRef::Part {
                folder: folder.to_string(),
                uid,
                section: sections.get(id)?.clone(),
            })
        })
        .collect();
    for v in m.header_values(mime::UPLOAD_HEADER) {
        if let Some(id) = v.as_text() {
            attachments.push(AttachmentRef::Upload {
                id: id.trim().to_string(),
            });
        }
    }
    let original = m
        .header(mime::ORIGINAL_HEADER)
        .and_then(|h| h.as_text())
        .and_then(mime::decode_original);
    Some(Draft {
        from: m
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        to: addresses(m.to()),
        cc: addresses(m.cc()),
        bcc: addresses(m.bcc()),
        subject: m.subject().unwrap_or_default().to_string(),
        text: text.trim_end_matches('\n').to_string(),
        html,
        attachments,
        original,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::compose::{OriginalRef, ReplyKind};

    #[test]
    fn a_built_draft_parses_back() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.pdf");
        std::fs::write(&p, b"%PDF-1.4").unwrap();
        let original = OriginalRef {
            folder: "INBOX/Ünter".into(),
            uid: 42,
            kind: ReplyKind::Forward,
        };
        let m = mime::Message {
            from: EmailAddress {
                name: Some("Olivia".into()),
                address: "olivia@example.test".into(),
            },
            to: vec![EmailAddress {
                name: Some("Ann".into()),
                address: "ann@x.test".into(),
            }],
            bcc: vec![EmailAddress {
                name: None,
                address: "hidden@x.test".into(),
            }],
            include_bcc: true,
            subject: "Fwd: plans".into(),
            text: "See below\n-- \nOlivia".into(),
            html: Some("<p>See <b>below</b></p>".into()),
            message_id: "m1@example.test".into(),
            extra_headers: vec![
                (mime::ORIGINAL_HEADER, mime::encode_original(&original)),
                (mime::UPLOAD_HEADER, "up123".into()),
            ],
            attachments: vec![mime::FileAttachment {
                name: "f.pdf".into(),
                content_type: "application/pdf".into(),
                path: p,
                size: 8,
            }],
            ..Default::default()
        };
        let mut raw = Vec::new();
        mime::write_message(&m, &mut raw).unwrap();
        let d = parse(&raw, "Drafts", 9).unwrap();
        assert_eq!(d.from.as_deref(), Some("olivia@example.test"));
        assert_eq!(d.to[0].name.as_deref(), Some("Ann"));
        assert_eq!(d.bcc[0].address, "hidden@x.test");
        assert_eq!(d.subject, "Fwd: plans");
        assert_eq!(d.text, "See below\n-- \nOlivia");
        assert!(d.html.as_deref().unwrap().contains("<b>below</b>"));
        assert!(!d.html.as_deref().unwrap().contains("<html"));
        assert_eq!(d.original, Some(original));
        assert_eq!(
            d.attachments,
            vec![
                AttachmentRef::Part {
                    folder: "Drafts".into(),
                    uid: 9,
                    section: "2".into()
                },
                AttachmentRef::Upload { id: "up123".into() }
            ]
        );
    }

    #[test]
    fn a_plain_draft_from_another_client_parses() {
        let raw = b"From: a@x.test\r\nTo: b@x.test\r\nSubject: hi\r\n\r\nHello\r\n";
        let d = parse(raw, "Drafts", 1).unwrap();
        assert_eq!(d.text, "Hello");
        assert!(d.html.is_none() && d.attachments.is_empty() && d.original.is_none());
    }
}
