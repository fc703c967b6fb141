//! The account menu of both apps' headers: a round button with the
//! account's initial opens a panel with who is signed in, the mailbox's
//! settings, the account's security (two-factor sign-in, sessions), the
//! administration (for roles that may see it), support staff's list of
//! what users opened to support, the language, light / dark / auto
//! (`theme_select.rs`) and sign-out.
//! One control instead of four keeps a 360 px header whole.

use crate::components::language_select::LanguageSelect;
use crate::components::theme_select::ThemeSelect;
use crate::core::browser::{focus, go, rel_for};
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::staff::{STAFF_PATH, is_staff};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::permissions::Action;

/// The first letter of a name, for the button. The stylesheet upper-cases
/// it (`text-transform`): Rust's Unicode case tables would cost the
/// webmail's download several KB.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| !c.is_whitespace() && !c.is_ascii_punctuation())
        .map(String::from)
        .unwrap_or_else(|| "?".into())
}

/// `/settings/<mb>` of the mailbox on screen, or of the first one granted.
pub fn settings_href(mailbox: Option<i64>) -> Option<String> {
    mailbox.map(|mb| format!("/settings/{mb}"))
}

#[component]
pub fn AccountMenu(
    /// The mailbox whose settings the menu opens (`None`: the first granted).
    #[prop(into)]
    mailbox: Signal<Option<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let open = RwSignal::new(false);
    let name = move || {
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
    let login = move || {
        session
            .info
            .get()
            .map(|i| i.account.login)
            .unwrap_or_default()
    };
    let settings = Memo::new(move |_| {
        settings_href(
            mailbox
                .get()
                .or_else(|| session.me.get()?.mailboxes.first().map(|m| m.id)),
        )
    });
    let may_admin = move || {
        session.me.get().is_some_and(|m| {
            m.organizations
                .iter()
                .any(|o| o.role.may(Action::ViewAddresses))
        })
    };
    let staff = move || session.me.with(|m| m.as_ref().is_some_and(is_staff));
    let close = move || {
        open.set(false);
        focus("button[data-testid=\"account-menu\"]");
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.sign_out().await;
            // The sign-in page is the webmail's: from the portal, a page load.
            go("/login", false, navigate);
        });
    };
    view! {
        <div class="account-menu">
            <button
                type="button"
                class="account-button"
                data-testid="account-menu"
                aria-haspopup="true"
                aria-expanded=move || open.get().to_string()
                aria-controls="account-panel"
                aria-label=move || format!("{} — {}", t_string!(i18n, account), name())
                title=name
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{move || initial(&name())}</span>
                <span class="account-name" aria-hidden="true">{name}</span>
            </button>
            <Show when=move || open.get()>
                <button
                    type="button"
                    class="menu-scrim"
                    tabindex="-1"
                    aria-hidden="true"
                    on:click=move |_| open.set(false)
                ></button>
                <div
                    id="account-panel"
                    class="account-panel"
                    data-testid="account-panel"
                    role="group"
                    aria-label=move || t_string!(i18n, account)
                    on:keydown=move |ev| {
                        if ev.key() == "Escape" {
                            ev.prevent_default();
                            close();
                        }
                    }
                >
                    <p class="who">
                        <strong>{name}</strong>
                        <span class="login">{login}</span>
                    </p>
                    {move || {
                        settings
                            .get()
                            .map(|href| {
                                let rel = rel_for(&href);
                                view! {
                                    <a href=href data-testid="menu-settings" rel=rel>
                                        {t!(i18n, settings_title)}
                                    </a>
                                }
                            })
                    }}
                    <a href="/account/security" data-testid="menu-security" rel=move || rel_for("/account/security")>
                        {t!(i18n, menu_security)}
                    </a>
                    <Show when=may_admin>
                        <a href="/admin" data-testid="menu-admin" rel=move || rel_for("/admin")>
                            {t!(i18n, admin_title)}
                        </a>
                    </Show>
                    <Show when=staff>
                        <a href=STAFF_PATH data-testid="menu-support" rel=move || rel_for(STAFF_PATH)>
                            {t!(i18n, menu_support)}
                        </a>
                    </Show>
                    <a
                        href=crate::pages::privacy::PRIVACY_PATH
                        data-testid="menu-privacy"
                        rel=move || rel_for(crate::pages::privacy::PRIVACY_PATH)
                    >
                        {t!(i18n, privacy_title)}
                    </a>
                    <LanguageSelect/>
                    <ThemeSelect/>
                    <button type="button" class="sign-out" data-testid="sign-out" on:click=sign_out.clone()>
                        {t!(i18n, sign_out)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_shows_the_first_letter_of_the_name() {
        assert_eq!(initial("Olivia Ortega"), "O");
        assert_eq!(initial("  ümit"), "ü");
        assert_eq!(initial("(none)"), "n");
        assert_eq!(initial(""), "?");
        assert_eq!(settings_href(Some(4)).as_deref(), Some("/settings/4"));
        assert_eq!(settings_href(None), None);
    }
}
