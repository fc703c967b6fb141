//! Ways into the composer: a new message, a reply, a forward, a stored
//! draft, and the draft an undone or failed send gives back.

use super::prefill::{forward_html, prefixed, reply_html, reply_recipients};
use super::{ComposeCtx, ComposeInit, Toast};
use crate::components::file_list::FileInfo;
use crate::core::api;
use crate::core::browser::format_full_date;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::task::spawn_local;
use postern_shared::ApiError;
use postern_shared::api::{Attachment, MessageView};
use postern_shared::compose::{AttachmentRef, Draft, OriginalRef, ReplyKind};

impl ComposeCtx {
    pub fn open_new(self) {
        self.show(ComposeInit {
            draft: Draft::default(),
            draft_uid: None,
            files: Vec::new(),
            focus_editor: false,
            signature: true,
        });
    }

    pub fn reply(self, i18n: I18nContext, m: &MessageView, all: bool) {
        let (to, cc) = reply_recipients(m, &self.own_addresses(), all);
        let who = m
            .from
            .first()
            .map(|a| a.name.clone().unwrap_or_else(|| a.address.clone()))
            .unwrap_or_default();
        let date = m
            .date
            .map(|d| format_full_date(d, i18n.get_locale().as_str()))
            .unwrap_or_default();
        let header = t_string!(i18n, quote_header, date = date, name = who).to_string();
        let text = m.text.clone().unwrap_or_default();
        self.show(ComposeInit {
            draft: Draft {
                to,
                cc,
                subject: prefixed(&m.subject, false),
                html: Some(reply_html(&header, &text)),
                text: String::new(),
                original: Some(OriginalRef {
                    folder: m.folder.clone(),
                    uid: m.uid,
                    kind: ReplyKind::Reply,
                }),
                ..Default::default()
            },
            draft_uid: None,
            files: Vec::new(),
            focus_editor: true,
            signature: false,
        });
    }

    pub fn forward(self, i18n: I18nContext, m: &MessageView) {
        let list = crate::core::format::address_list;
        let date = m
            .date
            .map(|d| format_full_date(d, i18n.get_locale().as_str()))
            .unwrap_or_default();
        let headers = vec![
            (t_string!(i18n, from).to_string(), list(&m.from)),
            (t_string!(i18n, date).to_string(), date),
            (t_string!(i18n, subject).to_string(), m.subject.clone()),
            (t_string!(i18n, to).to_string(), list(&m.to)),
            (t_string!(i18n, cc).to_string(), list(&m.cc)),
        ];
        let files: Vec<&Attachment> = m.attachments.iter().filter(|a| !a.inline).collect();
        let text = m.text.clone().unwrap_or_default();
        self.show(ComposeInit {
            draft: Draft {
                subject: prefixed(&m.subject, true),
                html: Some(forward_html(
                    t_string!(i18n, forwarded_message),
                    &headers,
                    &text,
                )),
                attachments: files
                    .iter()
                    .map(|a| AttachmentRef::Part {
                        folder: m.folder.clone(),
                        uid: m.uid,
                        section: a.section.clone(),
                    })
                    .collect(),
                original: Some(OriginalRef {
                    folder: m.folder.clone(),
                    uid: m.uid,
                    kind: ReplyKind::Forward,
                }),
                ..Default::default()
            },
            draft_uid: None,
            files: files
                .iter()
                .map(|a| FileInfo {
                    name: a.name.clone(),
                    size: a.size,
                })
                .collect(),
            focus_editor: false,
            signature: false,
        });
    }

    /// Continues a stored draft (`GET …/drafts/{uid}`); `known` names its
    /// files by section when the draft was read already.
    pub async fn open_draft(
        self,
        uid: u32,
        known: Vec<Attachment>,
        fallback: Option<(Draft, Vec<FileInfo>)>,
    ) -> Result<(), ApiError> {
        let opened = api::open_draft(self.mailbox(), uid).await;
        let (draft, draft_uid, files) = match (opened, fallback) {
            (Ok(o), fb) => {
                let fb_files = fb.map(|f| f.1).unwrap_or_default();
                let files = o
                    .draft
                    .attachments
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let by_section = match a {
                            AttachmentRef::Part { section, .. } => {
                                known.iter().find(|k| &k.section == section)
                            }
                            _ => None,
                        };
                        by_section
                            .map(|k| FileInfo {
                                name: k.name.clone(),
                                size: k.size,
                            })
                            .or_else(|| {
                                (fb_files.len() == o.draft.attachments.len())
                                    .then(|| fb_files[i].clone())
                            })
                            .unwrap_or(FileInfo {
                                name: format!("#{}", i + 1),
                                size: 0,
                            })
                    })
                    .collect();
                (o.draft, Some(o.uid), files)
            }
            (Err(_), Some((d, f))) => (d, Some(uid), f),
            (Err(e), None) => return Err(e),
        };
        self.show(ComposeInit {
            draft,
            draft_uid,
            files,
            focus_editor: true,
            signature: false,
        });
        Ok(())
    }

    /// After an undo or a failed send: the composer comes back with the
    /// draft (the stored one `uid` when there is one, else the toast's copy).
    pub fn reopen(self, t: &Toast, uid: Option<u32>) {
        let fallback = Some((t.draft.clone(), t.files.clone()));
        match uid {
            Some(uid) => spawn_local(async move {
                let _ = self.open_draft(uid, Vec::new(), fallback).await;
            }),
            None => self.show(ComposeInit {
                draft: t.draft.clone(),
                draft_uid: t.draft_uid,
                files: t.files.clone(),
                focus_editor: true,
                signature: false,
            }),
        }
    }
}
