//! Writing and sending (R-MAIL-6, R-SEND, R-LIM; routes in ARCHITECTURE.md
//! "Writing and sending"): the composer over the reading pane (full screen
//! on phones), drafts saved on the server, attachments uploaded in
//! resumable slices, send with an undo window and its toast.
//!
//! `provide_compose()` in the mail layout; anything below opens the
//! composer with `use_compose().open_new()` / `reply()` / `forward()` /
//! `open_draft()`.

pub mod composer;
pub mod editor;
pub mod prefill;
pub mod recipients;
pub mod signature;
pub mod toast;

use crate::core::api;
use crate::core::browser::format_full_date;
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::mail::MailCtx;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::{I18nContext, Locale as _};
use postern_shared::ApiError;
use postern_shared::api::{Attachment, MessageView};
use postern_shared::compose::{
    AttachmentRef, Draft, OriginalRef, Outgoing, ReplyKind, SendingIdentity, Signature,
};
use prefill::{forward_html, prefixed, reply_html, reply_recipients, text_to_html};

/// Name and size of an attachment shown in the composer.
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
}

/// What the composer opens with.
#[derive(Debug, Clone, PartialEq)]
pub struct ComposeInit {
    pub draft: Draft,
    /// The stored draft this continues (its UID in Drafts).
    pub draft_uid: Option<u32>,
    /// Shown names of `draft.attachments`, same order.
    pub files: Vec<FileInfo>,
    /// Start typing in the body (reply) rather than in To.
    pub focus_editor: bool,
    /// A new message: append the signature.
    pub signature: bool,
}

/// A message handed to the outbox, followed by the toast.
#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub out: Outgoing,
    /// Seconds left to undo.
    pub left: u32,
    pub draft: Draft,
    pub draft_uid: Option<u32>,
    pub files: Vec<FileInfo>,
    pub note: Option<String>,
}

#[derive(Clone, Copy)]
pub struct ComposeCtx {
    pub mail: MailCtx,
    /// `Some`: the composer is open (a new value mounts a fresh one).
    pub open: RwSignal<Option<ComposeInit>>,
    pub toast: RwSignal<Option<Toast>>,
    pub identities: RwSignal<Option<SendingIdentity>>,
    pub signature: RwSignal<Option<Signature>>,
    /// Saves the open composer now (set by it while mounted).
    flush: StoredValue<Option<Callback<()>>>,
}

pub fn provide_compose(mail: MailCtx) -> ComposeCtx {
    let ctx = ComposeCtx {
        mail,
        open: RwSignal::new(None),
        toast: RwSignal::new(None),
        identities: RwSignal::new(None),
        signature: RwSignal::new(None),
        flush: StoredValue::new(None),
    };
    // Another mailbox: the cached identities and signature were the old
    // one's, and the composer and the undo toast write as the old one.
    // Save and close the composer (its draft stays in the old Drafts); a
    // message waiting in the outbox still goes out.
    Effect::watch(
        move || mail.mailbox.get(),
        move |_, _, _| {
            ctx.identities.set(None);
            ctx.signature.set(None);
            ctx.toast.set(None);
            ctx.leave_open();
            ctx.open.set(None);
        },
        false,
    );
    provide_context(ctx);
    ctx
}

pub fn use_compose() -> ComposeCtx {
    expect_context::<ComposeCtx>()
}

pub fn try_use_compose() -> Option<ComposeCtx> {
    use_context::<ComposeCtx>()
}

impl ComposeCtx {
    pub fn mailbox(self) -> i64 {
        self.mail.mailbox.get_untracked()
    }

    /// The mailbox's own addresses: never reply-all to these.
    pub fn own_addresses(self) -> Vec<String> {
        let mb = self.mailbox();
        let mut own: Vec<String> = use_session()
            .me
            .get_untracked()
            .and_then(|m| m.mailboxes.into_iter().find(|b| b.id == mb))
            .map(|b| vec![b.address])
            .unwrap_or_default();
        if let Some(i) = self.identities.get_untracked() {
            own.extend(i.addresses);
        }
        own
    }

    pub fn set_flush(self, f: Option<Callback<()>>) {
        self.flush.set_value(f);
    }

    /// The open composer, if any, saves for the last time.
    fn leave_open(self) {
        if let Some(f) = self.flush.get_value() {
            f.run(());
        }
        self.flush.set_value(None);
    }

    /// Opens the composer; the one already open is saved (and closed) first.
    pub fn show(self, init: ComposeInit) {
        self.leave_open();
        self.open.set(Some(init));
    }

    pub fn open_new(self) {
        self.show(ComposeInit {
            draft: Draft::default(),
            draft_uid: None,
            files: Vec::new(),
            focus_editor: false,
            signature: true,
        });
    }

    pub fn reply(self, i18n: I18nContext<Locale>, m: &MessageView, all: bool) {
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

    pub fn forward(self, i18n: I18nContext<Locale>, m: &MessageView) {
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

    /// Loads the sending identities and the signature once.
    pub fn load_settings(self) {
        let mb = self.mailbox();
        if self.identities.get_untracked().is_none() {
            spawn_local(async move {
                if let Ok(i) = api::identities(mb).await {
                    self.identities.set(Some(i));
                }
            });
        }
        if self.signature.get_untracked().is_none() {
            spawn_local(async move {
                let s = api::signature(mb).await.unwrap_or_default();
                self.signature.set(Some(s));
            });
        }
    }
}

/// The initial editor HTML of a draft.
pub fn initial_html(d: &Draft) -> String {
    d.html.clone().unwrap_or_else(|| text_to_html(&d.text))
}
