//! The webmail's top bar: folder drawer toggle (phones), mailbox switcher,
//! the page's own actions (its children, e.g. compose), the transfer page,
//! the mailbox's settings, and the account menu (language, sign-out).
//! Transfer and settings are the portal's pages: page loads
//! (`rel="external"`). On a phone the labels give way to icons and the
//! settings are in the account menu, so every control fits in 360 px.

use crate::components::account_menu::{AccountMenu, settings_href};
use crate::components::icon::{SETTINGS, UPLOAD, icon};
use crate::components::mailbox_switcher::MailboxSwitcher;
use crate::i18n::*;
use leptos::prelude::*;

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
            <a
                class="transfer-link"
                href="/transfer"
                rel="external"
                data-testid="transfer-link"
                title=move || t_string!(i18n, transfer_files)
            >
                {icon(UPLOAD)}
                <span class="label">{t!(i18n, transfer_files)}</span>
            </a>
            <span class="spacer"></span>
            <a
                class="icon-link settings-link"
                href=move || settings_href(Some(mailbox.get())).unwrap_or_default()
                rel="external"
                data-testid="settings-link"
                aria-label=move || t_string!(i18n, settings_title)
                title=move || t_string!(i18n, settings_title)
            >
                {icon(SETTINGS)}
            </a>
            <AccountMenu mailbox=Signal::derive(move || Some(mailbox.get()))/>
        </header>
    }
}
