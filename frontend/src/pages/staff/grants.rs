//! `/account/support`: every grant in force, soonest to end first — whose
//! mailbox, what it opens (a kind of content, or one message), who asked,
//! the time left — each opening its mailbox or message; after a grant
//! ended while it was open (`?ended=1`), the words saying so.

use super::{grant_href, staff_frame};
use crate::components::access_text::refusal_text;
use crate::components::error_text::error_text;
use crate::core::api;
use crate::i18n::*;
use crate::pages::account_support::{kind_label, left_text};
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use postern_shared::ErrorCode;
use postern_shared::permissions::Action;
use postern_shared::support::{StaffGrant, StaffGrants, SupportScope};

/// What a grant is: the mailbox (a link into it), what it opens, who
/// asked, the time left. The list's rows and an open grant's heading.
pub fn grant_summary(g: &StaffGrant, now: i64) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let href = grant_href(&g.id);
    let what = match &g.scope {
        SupportScope::Content { kind } => kind_label(i18n, *kind),
        SupportScope::Message { folder, uid } => {
            t_string!(i18n, support_shared_message, folder = folder, uid = uid).to_string()
        }
    };
    let (address, name, by) = (
        g.address.clone(),
        g.display_name.clone(),
        g.granted_by.clone(),
    );
    let left = left_text(i18n, g.expires_at, now);
    view! {
        <div class="who">
            <a href=href data-testid="staff-open"><strong>{address}</strong></a>
            <span class="login">{name}</span>
        </div>
        <span data-testid="staff-scope">{what}</span>
        <span class="hint" data-testid="staff-granted-by">{t!(i18n, staff_granted_by, name = by)}</span>
        <span class="badge" data-testid="staff-time-left">{left}</span>
    }
}

#[component]
pub fn StaffGrantsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let query = use_query_map();
    let ended = Memo::new(move |_| query.read().get("ended").is_some());
    let list = LocalResource::new(move || {
        let ready = ready.get();
        async move {
            if !ready {
                return None;
            }
            Some(api::staff_grants().await)
        }
    });
    let body = move || match list.get() {
        None | Some(None) => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
        // Not staff: say who may (the server refused anyway).
        Some(Some(Err(e))) if e.code == ErrorCode::Forbidden => view! {
            <p class="refusal" data-testid="staff-refused">
                {refusal_text(i18n, Action::ReadSupportedMailboxes)}
            </p>
        }
        .into_any(),
        Some(Some(Err(e))) => {
            view! { <p class="alert error" role="alert">{error_text(i18n, &e)}</p> }.into_any()
        }
        Some(Some(Ok(list))) => list_view(list).into_any(),
    };
    staff_frame(
        ready,
        view! {
            {move || ended.get().then(|| view! {
                <p class="notice warning" role="alert" data-testid="staff-ended">
                    {t!(i18n, err_support_access_expired)}
                </p>
            })}
            <section class="block" data-testid="staff-grants">
                <h2>{t!(i18n, staff_title)}</h2>
                <p class="hint">{t!(i18n, staff_intro)}</p>
                {body}
            </section>
        },
    )
}

fn list_view(list: StaffGrants) -> impl IntoView {
    let i18n = use_i18n();
    if list.grants.is_empty() {
        return view! { <p class="hint" data-testid="staff-none">{t!(i18n, staff_none)}</p> }
            .into_any();
    }
    let now = list.now;
    view! {
        <ul class="user-list" role="list">
            {list
                .grants
                .into_iter()
                .map(|g| {
                    let address = g.address.clone();
                    view! {
                        <li class="user-row" data-testid="staff-grant" data-address=address>
                            {grant_summary(&g, now)}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
