//! `/`: opens the INBOX of the first granted mailbox; support staff
//! without one land on their list of grants (the portal's
//! `/account/support`, a page load).

use crate::core::browser::go;
use crate::core::format::folder_href;
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::staff::{STAFF_PATH, is_staff};
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
    let staff = Memo::new(move |_| session.me.with(|m| m.as_ref().is_some_and(is_staff)));
    Effect::new(move || {
        let Some(me) = session.me.get() else {
            return;
        };
        if let Some(first) = me.mailboxes.first() {
            navigate(
                &folder_href(first.id, "INBOX"),
                NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        } else if is_staff(&me) {
            go(STAFF_PATH, true, &navigate);
        }
    });
    view! {
        <main class="centered" aria-busy=move || (!ready.get()).to_string()>
            {move || {
                if ready.get() && !staff.get() {
                    t_string!(i18n, no_mailboxes)
                } else {
                    t_string!(i18n, loading)
                }
            }}
        </main>
    }
}
