//! The portal's sections that are still to be written: mailbox settings
//! (`/settings/<mailbox>/…`), administration (`/admin/<organisation>/…`)
//! and invitations (`/invite/…`). Each is its shell for now: the title,
//! and the way back to the mail; settings and administration need a
//! session, an invitation does not (its reader may have no account yet).

use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Settings,
    Admin,
    Invite,
}

/// A plain function rather than one component per section: one view type
/// in the bundle (`erase_components`).
pub fn section_page(section: Section) -> impl IntoView {
    let i18n = use_i18n();
    let ready = match section {
        Section::Invite => Signal::stored(true),
        Section::Settings | Section::Admin => use_require_session(),
    };
    let title = move || match section {
        Section::Settings => t_string!(i18n, settings_title),
        Section::Admin => t_string!(i18n, admin_title),
        Section::Invite => t_string!(i18n, invite_title),
    };
    view! {
        <div class="transfer-page" data-testid="portal-section">
            <header class="app-header">
                // The inbox is the webmail: a page load, not the portal's router.
                <a class="back" href="/" rel="external">
                    <span aria-hidden="true">"← "</span>
                    {t!(i18n, go_home)}
                </a>
                <h1>{title}</h1>
            </header>
            <main class="transfer-main" aria-busy=move || (!ready.get()).to_string()></main>
        </div>
    }
}
