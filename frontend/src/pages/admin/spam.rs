//! The mail service's global blocked and approved senders (R-SPAM-4):
//! applied to every mailbox of the organisation — whatever address mail
//! arrives by — without changing the mailboxes' own lists, which come
//! first (the order is `shared::spam`'s). Owners and administrators change
//! them (`Action::ManageSpam`); a legal representative sees them.

use super::AdminCtx;
use crate::components::access_text::refusal_note;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::sender_lists::{ListOwner, Lists, sender_list};
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::permissions::Action;
use postern_shared::spam::SenderList;

pub fn spam(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let org = ctx.org;
    let error = RwSignal::new(None::<String>);
    let lists = RwSignal::new(Lists::default());
    let allowed = RwSignal::new(None::<bool>);
    spawn_local(async move {
        match api::get_org_spam(org).await {
            Ok(l) => {
                allowed.set(Some(l.allowed));
                lists.set(Lists {
                    blocked: l.blocked,
                    approved: l.approved,
                });
            }
            Err(e) => error.set(Some(error_text(i18n, &e))),
        }
    });
    view! {
        <h2>{t!(i18n, admin_spam)}</h2>
        <p class="hint">{t!(i18n, admin_spam_intro)}</p>
        <ErrorAlert error=error/>
        {refusal_note(ctx.role(), Action::ManageSpam)}
        {move || match allowed.get() {
            None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
            Some(may) => {
                view! {
                    <div data-testid="global-lists">
                        {sender_list(ListOwner::Org(org), SenderList::Blocked, lists, !may)}
                        {sender_list(ListOwner::Org(org), SenderList::Approved, lists, !may)}
                    </div>
                }
                    .into_any()
            }
        }}
        <p class="hint">{t!(i18n, spam_precedence)}</p>
    }
}
