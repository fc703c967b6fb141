//! Switches between the mailboxes granted to the account (`GET /api/me`).

use crate::core::format::folder_href;
use crate::core::session::use_session;
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

#[component]
pub fn MailboxSwitcher(#[prop(into)] current: Signal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let mailboxes = move || session.me.get().map(|m| m.mailboxes).unwrap_or_default();
    view! {
        <label class="mailbox-switcher">
            <span class="visually-hidden">{t!(i18n, mailbox_switcher)}</span>
            <select
                data-testid="mailbox-switcher"
                aria-label=move || t_string!(i18n, mailbox_switcher)
                prop:value=move || current.get().to_string()
                on:change=move |ev| {
                    if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                        navigate(&folder_href(id, "INBOX"), Default::default());
                    }
                }
            >
                {move || {
                    mailboxes()
                        .into_iter()
                        .map(|m| {
                            let id = m.id;
                            view! {
                                <option value=id.to_string() selected=move || current.get() == id>
                                    {m.address.clone()}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}
