//! Sending: why Send is off (R-SEND-1, R-LIM), the send itself once the
//! draft save in flight is done, and the footer with its error.

use super::state::ComposerState;
use super::undo::{undo_seconds, undo_setting};
use crate::components::error_text::error_text;
use crate::components::file_list::{FileInfo, FileState};
use crate::core::api;
use crate::core::browser::sleep;
use crate::i18n::*;
use crate::pages::mail::compose::prefill::distinct_recipients;
use crate::pages::mail::compose::{ComposeCtx, Toast, toast};
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::SendRequest;
use postern_shared::limits::MAX_RECIPIENTS;

/// What keeps the message from being sent, worded; `None`: it can go.
pub fn block_reason(cs: ComposerState) -> Memo<Option<String>> {
    let i18n = cs.i18n;
    Memo::new(move |_| {
        let all = cs.all_chips();
        let n = distinct_recipients(all.iter());
        let files = cs.files.get();
        if all.iter().any(|c| !c.valid) {
            Some(t_string!(i18n, fix_invalid).to_string())
        } else if n > MAX_RECIPIENTS {
            Some(t_string!(i18n, too_many_recipients, max = MAX_RECIPIENTS, count = n).to_string())
        } else if n == 0 {
            Some(t_string!(i18n, need_recipient).to_string())
        } else if files.iter().any(|f| f.state.get() == FileState::Uploading) {
            Some(t_string!(i18n, wait_uploads).to_string())
        } else if files
            .iter()
            .any(|f| matches!(f.state.get(), FileState::Error(_)))
        {
            Some(t_string!(i18n, remove_failed).to_string())
        } else {
            None
        }
    })
}

/// Hands the message to the outbox (after the save in flight, so the
/// server replaces the right draft); the composer closes and the toast
/// follows it.
pub fn send(cs: ComposerState, ctx: ComposeCtx, block: Memo<Option<String>>) {
    if block.get_untracked().is_some() || cs.sending.get_untracked() {
        return;
    }
    cs.sending.set(true);
    cs.error.set(None);
    // The autosave pending (if any) no longer fires.
    cs.edits.update(|n| *n += 1);
    let (draft, _) = cs.snapshot();
    let files: Vec<FileInfo> = cs
        .files
        .get_untracked()
        .into_iter()
        .filter(|f| f.aref.get_untracked().is_some())
        .map(|f| f.info)
        .collect();
    let Some(q) = cs.queue.try_get_value() else {
        return;
    };
    let i18n = cs.i18n;
    spawn_local(async move {
        while q.borrow().busy {
            sleep(100).await;
        }
        let draft_uid = q.borrow().uid;
        let undo = undo_seconds();
        let r = api::send(
            cs.mb,
            &SendRequest {
                draft: draft.clone(),
                draft_uid,
                undo_seconds: undo,
            },
        )
        .await;
        match r {
            Ok(out) => {
                cs.closed.set(true);
                ctx.set_flush(None);
                ctx.open.set(None);
                toast::follow(
                    ctx,
                    Toast {
                        left: undo,
                        out,
                        draft,
                        draft_uid,
                        files,
                        note: None,
                    },
                );
            }
            Err(e) => {
                cs.sending.set(false);
                cs.error.set(Some(error_text(i18n, &e)));
            }
        }
    });
}

/// The send error, then the footer: Send, why it is off, the undo window.
pub fn send_footer(
    cs: ComposerState,
    block: Memo<Option<String>>,
    on_send: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = cs.i18n;
    view! {
        {move || {
            cs.error
                .get()
                .map(|e| {
                    view! {
                        <p class="alert error" role="alert" data-testid="composer-error">{e}</p>
                    }
                })
        }}
        <footer class="composer-foot">
            <button
                type="button"
                class="primary"
                data-testid="send"
                aria-describedby="send-reason"
                disabled=move || block.get().is_some() || cs.sending.get()
                on:click=move |_| on_send()
            >
                {move || if cs.sending.get() { t_string!(i18n, sending) } else { t_string!(i18n, send) }}
            </button>
            <span id="send-reason" class="send-reason">{move || block.get()}</span>
            {undo_setting(i18n)}
        </footer>
    }
}
