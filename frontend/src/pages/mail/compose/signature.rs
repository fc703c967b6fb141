//! The signature editor (`GET/PUT /api/mailboxes/{mb}/signature`): a
//! plain-text signature, opened from the app header. Saving updates the
//! cache the composer reads (`ComposeCtx::signature`), so the next new
//! message gets it.

use super::ComposeCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::core::api;
use crate::core::browser::focus;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::Signature;
use postern_shared::limits::MAX_SIGNATURE_BYTES;

/// The header button and, while open, the dialog.
pub fn signature_settings(ctx: ComposeCtx) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="icon-button"
            data-testid="signature-settings"
            aria-haspopup="dialog"
            aria-label=move || t_string!(i18n, signature)
            title=move || t_string!(i18n, signature)
            on:click=move |_| open.set(true)
        >
            <span aria-hidden="true">"✍"</span>
        </button>
        {move || open.get().then(|| view! { <SignatureDialog ctx=ctx open=open/> })}
    }
}

#[component]
fn SignatureDialog(ctx: ComposeCtx, open: RwSignal<bool>) -> AnyView {
    let i18n = use_i18n();
    let mb = ctx.mailbox();
    let text = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let show = move |e| error.set(Some(error_text(i18n, &e)));

    // Always the stored one (another tab may have changed it).
    spawn_local(async move {
        let r = api::signature(mb).await;
        if loaded.try_get_untracked().is_none() {
            return; // closed meanwhile
        }
        match r {
            // Unknown: Save stays off rather than overwrite it with nothing.
            Err(e) => show(e),
            Ok(s) => {
                text.set(s.text);
                loaded.set(true);
                focus("[data-testid=\"signature-text\"]");
            }
        }
    });

    let close = move || {
        open.set(false);
        focus("button[data-testid=\"signature-settings\"]");
    };
    // It edits this mailbox's signature: another mailbox closes it.
    Effect::new(move || {
        if ctx.mailbox.get() != mb {
            open.set(false);
        }
    });
    let save = move || {
        if busy.get_untracked() {
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
        spawn_local(async move {
            match api::put_signature(mb, &sig).await {
                Ok(saved) => {
                    if ctx.mailbox() == mb {
                        ctx.signature.set(Some(saved));
                    }
                    close();
                }
                Err(e) => {
                    busy.set(false);
                    show(e);
                }
            }
        });
    };

    view! {
        <div class="modal-scrim" on:click=move |_| close()></div>
        <div
            class="modal"
            role="dialog"
            aria-modal="true"
            aria-labelledby="signature-title"
            data-testid="signature-dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close();
                }
            }
        >
            <h2 id="signature-title">{t!(i18n, signature)}</h2>
            <label for="signature-text">{t!(i18n, signature_hint)}</label>
            <textarea
                id="signature-text"
                rows="6"
                data-testid="signature-text"
                disabled=move || !loaded.get()
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
            ></textarea>
            <ErrorAlert error=error/>
            <div class="modal-actions">
                <button type="button" data-testid="signature-cancel" on:click=move |_| close()>
                    {t!(i18n, cancel)}
                </button>
                <button
                    type="button"
                    class="primary"
                    data-testid="signature-save"
                    disabled=move || !loaded.get() || busy.get()
                    on:click=move |_| save()
                >
                    {t!(i18n, save)}
                </button>
            </div>
        </div>
    }
    .into_any()
}
