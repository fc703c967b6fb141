//! The mailbox's signature (`GET/PUT /api/mailboxes/{mb}/signature`), in
//! the General section: plain text, added by the composer to new
//! messages (the webmail reads it afresh on its next load). Reading it
//! needs the grant's `read`, changing it `send`; an administrator
//! without a grant sees why there is nothing to edit.

use super::Mailbox;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::Permission;
use postern_shared::compose::Signature;
use postern_shared::limits::MAX_SIGNATURE_BYTES;

pub fn signature_editor(mb: Mailbox) -> impl IntoView {
    let i18n = use_i18n();
    let Some(grant) = mb.grant else {
        return view! {
            <section class="block" data-testid="signature-block">
                <h3>{t!(i18n, signature)}</h3>
                <p class="refusal" data-testid="signature-unavailable">{t!(i18n, signature_no_grant)}</p>
            </section>
        }
        .into_any();
    };
    let can_read = grant.contains(Permission::Read);
    let can_save = grant.contains(Permission::Send);
    let id = mb.id;
    let text = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    if can_read {
        spawn_local(async move {
            let r = api::signature(id).await;
            if loaded.try_get_untracked().is_none() {
                return; // left the page meanwhile
            }
            match r {
                // Unknown: Save stays off rather than overwrite it with nothing.
                Err(e) => error.set(Some(error_text(i18n, &e))),
                Ok(s) => {
                    text.set(s.text);
                    loaded.set(true);
                }
            }
        });
    }
    let save = move || {
        if busy.get_untracked() || !loaded.get_untracked() {
            return;
        }
        let sig = Signature {
            text: text.get_untracked(),
            html: None,
        };
        if sig.text.len() > MAX_SIGNATURE_BYTES {
            error.set(Some(t_string!(i18n, signature_too_long).to_string()));
            return;
        }
        busy.set(true);
        error.set(None);
        saved.set(false);
        spawn_local(async move {
            let r = api::put_signature(id, &sig).await;
            busy.set(false);
            match r {
                Ok(s) => {
                    text.set(s.text);
                    saved.set(true);
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <section class="block" data-testid="signature-block">
            <h3>
                <label for="signature-text">{t!(i18n, signature)}</label>
            </h3>
            <p class="hint">{t!(i18n, signature_hint)}</p>
            {(!can_read)
                .then(|| view! { <p class="refusal" data-testid="signature-unavailable">{t!(i18n, signature_needs_read)}</p> })}
            <textarea
                id="signature-text"
                rows="6"
                data-testid="signature-text"
                disabled=move || !loaded.get() || !can_save
                prop:value=move || text.get()
                on:input=move |ev| {
                    saved.set(false);
                    text.set(event_target_value(&ev));
                }
            ></textarea>
            {(can_read && !can_save)
                .then(|| view! { <p class="refusal" data-testid="signature-readonly">{t!(i18n, signature_needs_send)}</p> })}
            <ErrorAlert error=error/>
            <div class="form-actions">
                <button
                    type="button"
                    class="primary"
                    data-testid="signature-save"
                    disabled=move || !loaded.get() || busy.get() || !can_save
                    on:click=move |_| save()
                >
                    {t!(i18n, save)}
                </button>
                <span class="status" role="status" data-testid="signature-status">
                    {move || saved.get().then(|| t_string!(i18n, saved))}
                </span>
            </div>
        </section>
    }
    .into_any()
}
