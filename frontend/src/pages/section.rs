//! `/invite/…` (portal), still to be written: its shell for now, the
//! title and the way back to the mail. It needs no session (its reader
//! may have no account yet).

use crate::i18n::*;
use leptos::prelude::*;

/// A plain function rather than a component: one view type less in the
/// bundle (`erase_components`).
pub fn invite_page() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="transfer-page" data-testid="portal-section">
            <header class="app-header">
                // The inbox is the webmail: a page load, not the portal's router.
                <a class="back" href="/" rel="external">
                    <span aria-hidden="true">"← "</span>
                    {t!(i18n, go_home)}
                </a>
                <h1>{t!(i18n, invite_title)}</h1>
            </header>
            <main class="transfer-main"></main>
        </div>
    }
}
