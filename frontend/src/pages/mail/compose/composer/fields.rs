//! The header fields: From (only with more than one address to send as),
//! To with the buttons revealing Cc and Bcc, Cc, Bcc, Subject.

use super::state::ComposerState;
use crate::core::browser::focus;
use crate::i18n::I18nContext;
use crate::i18n::*;
use crate::pages::mail::compose::recipients::RecipientField;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::SendingIdentity;

/// The fields; `identities` are the addresses the mailbox may send as,
/// once known.
pub fn header_fields(
    cs: ComposerState,
    identities: RwSignal<Option<SendingIdentity>>,
    edited: Callback<()>,
) -> impl IntoView {
    let i18n = cs.i18n;
    let mb = cs.mb;
    let senders = move || identities.get().map(|i| i.addresses).unwrap_or_default();
    // A draft with Cc or Bcc opens with them shown.
    let show_cc = RwSignal::new(!cs.cc.get_untracked().is_empty());
    let show_bcc = RwSignal::new(!cs.bcc.get_untracked().is_empty());
    let label =
        move |f: fn(I18nContext) -> &'static str| Signal::derive(move || f(i18n).to_string());
    // The "Cc" / "Bcc" buttons that reveal their field.
    let reveal = move |shown: RwSignal<bool>, kind: &'static str, text: Signal<String>| {
        view! {
            <button
                type="button"
                class="link-button"
                data-testid=format!("show-{kind}")
                hidden=move || shown.get()
                on:click=move |_| {
                    shown.set(true);
                    spawn_local(async move { focus(&format!("[data-testid=\"{kind}-input\"]")) });
                }
            >
                {text}
            </button>
        }
    };
    view! {
        <div class="field" hidden=move || senders().len() < 2>
            <label for="from-select">{t!(i18n, from)}</label>
            <select
                id="from-select"
                data-testid="from"
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    cs.from.set(Some(v));
                    cs.edited();
                }
            >
                {move || {
                    senders()
                        .into_iter()
                        .map(|a| {
                            let sel = cs.from.get_untracked().as_deref() == Some(a.as_str());
                            view! { <option value=a.clone() selected=sel>{a.clone()}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </div>
        <div class="to-row">
            <RecipientField mailbox=mb kind="to" label=label(|i| t_string!(i, to)) chips=cs.to on_change=edited/>
            <span class="cc-toggles">
                {reveal(show_cc, "cc", label(|i| t_string!(i, cc)))}
                {reveal(show_bcc, "bcc", label(|i| t_string!(i, bcc)))}
            </span>
        </div>
        <div hidden=move || !show_cc.get()>
            <RecipientField mailbox=mb kind="cc" label=label(|i| t_string!(i, cc)) chips=cs.cc on_change=edited/>
        </div>
        <div hidden=move || !show_bcc.get()>
            <RecipientField mailbox=mb kind="bcc" label=label(|i| t_string!(i, bcc)) chips=cs.bcc on_change=edited/>
        </div>
        <div class="field">
            <label for="subject-input">{t!(i18n, subject)}</label>
            <input
                id="subject-input"
                type="text"
                data-testid="subject"
                prop:value=move || cs.subject.get()
                on:input=move |ev| {
                    cs.subject.set(event_target_value(&ev));
                    cs.edited();
                }
            />
        </div>
    }
}
