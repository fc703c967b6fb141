//! The send toast: "Sending… Undo" while the message waits in the outbox
//! (`undo_seconds`), then the outcome, polled from `GET …/outbox/{id}`.
//! Undo cancels (`DELETE …/outbox/{id}`) and reopens the composer with the
//! draft the server put back.

use super::{ComposeCtx, Toast, use_compose};
use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::browser::sleep;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::OutgoingState;

/// Shows the toast for a message just handed to the outbox and follows it
/// until it is sent, failed or undone.
pub fn follow(ctx: ComposeCtx, toast: Toast) {
    let id = toast.out.id.clone();
    let mine = move || {
        ctx.toast
            .with_untracked(|t| t.as_ref().is_some_and(|t| t.out.id == id))
    };
    ctx.toast.set(Some(toast));
    ctx.reload();
    spawn_local(async move {
        // Count down the undo window.
        loop {
            let left = ctx
                .toast
                .with_untracked(|t| t.as_ref().map(|t| (t.left, t.out.state)));
            match left {
                Some((n, OutgoingState::Scheduled)) if n > 0 && mine() => {
                    sleep(1000).await;
                    if mine() {
                        ctx.toast.update(|t| {
                            if let Some(t) = t {
                                t.left = t.left.saturating_sub(1)
                            }
                        });
                    }
                }
                _ => break,
            }
        }
        // Then ask the outbox until it is done (about a minute at most).
        for _ in 0..60 {
            if !mine() {
                return;
            }
            let state = ctx
                .toast
                .with_untracked(|t| t.as_ref().map(|t| t.out.clone()));
            let Some(out) = state else { return };
            if matches!(
                out.state,
                OutgoingState::Sent | OutgoingState::Failed | OutgoingState::Cancelled
            ) {
                break;
            }
            sleep(1000).await;
            if let Ok(o) = api::outgoing(ctx.mailbox(), &out.id).await
                && mine()
            {
                ctx.toast.update(|t| {
                    if let Some(t) = t {
                        t.out = o
                    }
                });
            }
        }
        ctx.reload();
        // A sent message's toast goes away by itself.
        if ctx.toast.with_untracked(|t| {
            t.as_ref()
                .is_some_and(|t| t.out.state == OutgoingState::Sent)
        }) {
            sleep(5000).await;
            if mine() {
                ctx.toast.set(None);
            }
        }
    });
}

#[component]
pub fn SendToast() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_compose();
    let undo = move |_| {
        let Some(t) = ctx.toast.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::cancel_outgoing(ctx.mailbox(), &t.out.id).await {
                Ok(o) => {
                    ctx.toast.set(None);
                    ctx.reload();
                    ctx.reopen(&t, o.draft_uid.or(t.draft_uid));
                }
                Err(e) => ctx.toast.update(|x| {
                    if let Some(x) = x {
                        x.note = Some(error_text(i18n, &e));
                        x.left = 0;
                    }
                }),
            }
        });
    };
    let open_draft = move |_| {
        if let Some(t) = ctx.toast.get_untracked() {
            ctx.toast.set(None);
            ctx.reopen(&t, t.out.draft_uid.or(t.draft_uid));
        }
    };
    move || {
        ctx.toast.get().map(|t| {
            let state = t.out.state;
            let text = match state {
                OutgoingState::Scheduled | OutgoingState::Sending => {
                    t_string!(i18n, sending_in, count = t.left).to_string()
                }
                OutgoingState::Sent => t_string!(i18n, message_sent).to_string(),
                OutgoingState::Cancelled => t_string!(i18n, send_cancelled).to_string(),
                OutgoingState::Failed => {
                    let why = t
                        .out
                        .error
                        .as_ref()
                        .map(|e| error_text(i18n, e))
                        .unwrap_or_default();
                    t_string!(i18n, send_failed, error = why).to_string()
                }
            };
            let failed = state == OutgoingState::Failed;
            view! {
                <div
                    class="toast"
                    class:error=failed
                    role=if failed { "alert" } else { "status" }
                    data-testid="send-toast"
                    data-state=match state {
                        OutgoingState::Scheduled => "scheduled",
                        OutgoingState::Sending => "sending",
                        OutgoingState::Sent => "sent",
                        OutgoingState::Failed => "failed",
                        OutgoingState::Cancelled => "cancelled",
                    }
                >
                    <span>{text}</span>
                    {t.note.clone().map(|n| view! { <span class="note">{n}</span> })}
                    {(state == OutgoingState::Scheduled && t.left > 0)
                        .then(|| {
                            view! {
                                <button type="button" data-testid="undo-send" on:click=undo>
                                    {t!(i18n, undo)}
                                </button>
                            }
                        })}
                    {failed
                        .then(|| {
                            view! {
                                <button type="button" data-testid="open-failed-draft" on:click=open_draft>
                                    {t!(i18n, open_draft)}
                                </button>
                            }
                        })}
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=move || t_string!(i18n, dismiss)
                        on:click=move |_| ctx.toast.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
