//! Writing and sending (R-MAIL-6, R-SEND, R-LIM; routes in ARCHITECTURE.md
//! "Writing and sending"): the composer over the reading pane (full screen
//! on phones), drafts saved on the server, attachments uploaded in
//! resumable slices, send with an undo window and its toast.
//!
//! `provide_compose()` in the mail layout; anything below opens the
//! composer with `use_compose().open_new()` / `reply()` / `forward()` /
//! `open_draft()` (in `open.rs`).

pub mod actions;
pub mod composer;
pub mod editor;
pub mod open;
pub mod prefill;
pub mod recipients;
pub mod toast;

use crate::components::file_list::FileInfo;
use crate::core::api;
use crate::core::session::use_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::{Draft, Outgoing, SendingIdentity, Signature};
use prefill::text_to_html;

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

/// Only what writing needs from the mail page: which mailbox, and the
/// counters that have its list and folder counts reloaded.
#[derive(Clone, Copy)]
pub struct ComposeCtx {
    /// The route's mailbox (a `Memo` as the mail page has it: a `Signal`
    /// would add its own code to the bundle).
    pub mailbox: Memo<i64>,
    /// The mail page reloads its list and its folder counts when these
    /// change (signals rather than a `Callback`: a smaller bundle).
    pub reloads: [RwSignal<u32>; 2],
    /// `Some`: the composer is open (a new value mounts a fresh one).
    pub open: RwSignal<Option<ComposeInit>>,
    pub toast: RwSignal<Option<Toast>>,
    pub identities: RwSignal<Option<SendingIdentity>>,
    pub signature: RwSignal<Option<Signature>>,
    /// Saves the open composer now (set by it while mounted).
    flush: StoredValue<Option<Callback<()>>>,
}

pub fn provide_compose(mailbox: Memo<i64>, reloads: [RwSignal<u32>; 2]) -> ComposeCtx {
    let ctx = ComposeCtx {
        mailbox,
        reloads,
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
        move || mailbox.get(),
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

impl ComposeCtx {
    pub fn mailbox(self) -> i64 {
        self.mailbox.get_untracked()
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

    /// A message went out or came back: the mail page reloads its list
    /// and folder counts.
    pub fn reload(self) {
        for r in self.reloads {
            r.update(|n| *n += 1);
        }
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
