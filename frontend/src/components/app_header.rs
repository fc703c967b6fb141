//! The top bar: folder drawer toggle (phones), mailbox switcher, the
//! page's own actions (its children, e.g. compose), the transfer page,
//! language, account and sign-out.

use crate::components::language_select::LanguageSelect;
use crate::components::mailbox_switcher::MailboxSwitcher;
use crate::core::session::use_session;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

#[component]
pub fn AppHeader<C: IntoView + 'static>(
    #[prop(into)] mailbox: Signal<i64>,
    /// The phone folder drawer; `None` hides the toggle.
    #[prop(optional)]
    drawer: Option<RwSignal<bool>>,
    /// The page's actions, shown after the mailbox switcher.
    children: TypedChildren<C>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let account = move || {
        session
            .info
            .get()
            .map(|i| {
                if i.account.display_name.is_empty() {
                    i.account.login
                } else {
                    i.account.display_name
                }
            })
            .unwrap_or_default()
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.sign_out().await;
            navigate("/login", Default::default());
        });
    };
    view! {
        <header class="app-header">
            {drawer
                .map(|d| {
                    view! {
                        <button
                            type="button"
                            class="icon-button drawer-toggle"
                            data-testid="folders-toggle"
                            aria-expanded=move || if d.get() { "true" } else { "false" }
                            aria-label=move || t_string!(i18n, toggle_folders)
                            title=move || t_string!(i18n, toggle_folders)
                            on:click=move |_| d.update(|o| *o = !*o)
                        >
                            <span aria-hidden="true">"☰"</span>
                        </button>
                    }
                })}
            <span class="brand">
                <img src="/icons/icon-192.png" alt="" width="28" height="28"/>
                <span class="brand-name">{t!(i18n, app_name)}</span>
            </span>
            <MailboxSwitcher current=mailbox/>
            {children.into_inner()()}
            // A page of the portal (its own wasm): a page load, not the router.
            <a class="transfer-link" href="/transfer" rel="external" data-testid="transfer-link">
                {t!(i18n, transfer_files)}
            </a>
            <span class="spacer"></span>
            <LanguageSelect/>
            <span class="account" aria-label=move || t_string!(i18n, account)>
                {account}
            </span>
            <button type="button" class="sign-out" data-testid="sign-out" on:click=sign_out>
                {t!(i18n, sign_out)}
            </button>
        </header>
    }
}
