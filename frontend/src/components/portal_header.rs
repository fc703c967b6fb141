//! The portal's top bar (settings, administration): the way back to the
//! mail (the webmail: a page load), the page's title and the account menu.

use crate::components::account_menu::AccountMenu;
use crate::components::icon::{BACK, icon};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn PortalHeader(
    #[prop(into)] title: Signal<String>,
    /// Where "back to the mail" goes: the mailbox's inbox, or `/`.
    #[prop(into)]
    back: Signal<String>,
    /// The mailbox the account menu's settings open.
    #[prop(into)]
    mailbox: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header portal-header">
            <a class="back" href=move || back.get() rel="external" data-testid="back-to-mail" title=move || t_string!(i18n, go_home)>
                {icon(BACK)}
                <span class="label">{t!(i18n, go_home)}</span>
            </a>
            <h1>{move || title.get()}</h1>
            <span class="spacer"></span>
            <AccountMenu mailbox=mailbox/>
        </header>
    }
}
