//! `/`: opens the INBOX of the first granted mailbox.

use crate::core::format::folder_href;
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

#[component]
pub fn Home() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(first) = session.me.get().and_then(|m| m.mailboxes.first().cloned()) {
            navigate(
                &folder_href(first.id, "INBOX"),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
    });
    view! {
        <main class="centered" aria-busy=move || (!ready.get()).to_string()>
            {move || {
                if ready.get() {
                    t_string!(i18n, no_mailboxes)
                } else {
                    t_string!(i18n, loading)
                }
            }}
        </main>
    }
}
