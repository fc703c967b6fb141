//! `/privacy` (portal, R-GDPR-2): what Postern keeps in the browser, read
//! from `postern_shared::privacy` (the names the edge and the apps really
//! use). Only what is strictly necessary, so there is nothing to consent
//! to and no choice to store; the page can be reopened at any time from
//! the account menu of both apps and from the sign-in page's footer.

use crate::components::icon::{BACK, icon};
use crate::components::language_select::LanguageSelect;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::privacy::{LOCAL_STORAGE_KEYS, SESSION_COOKIE, SESSION_LIFETIME_SECS};

/// The page's path (the account menu and the sign-in page link here).
pub const PRIVACY_PATH: &str = "/privacy";

#[component]
pub fn PrivacyPage() -> impl IntoView {
    let i18n = use_i18n();
    let hours = SESSION_LIFETIME_SECS / 3600;
    view! {
        <div class="portal-page" data-testid="privacy-page">
            <header class="app-header portal-header">
                <a class="back" href="/" rel="external" data-testid="back-to-mail" title=move || t_string!(i18n, go_home)>
                    {icon(BACK)}
                    <span class="label">{t!(i18n, go_home)}</span>
                </a>
                <h1>{t!(i18n, privacy_title)}</h1>
                <span class="spacer"></span>
                <LanguageSelect/>
            </header>
            <main class="portal-main privacy">
                <p data-testid="privacy-necessary">{t!(i18n, privacy_necessary)}</p>
                <p>{t!(i18n, privacy_content)}</p>
                <h2>{t!(i18n, privacy_cookies)}</h2>
                <div class="table-scroll">
                    <table class="cookie-table" data-testid="cookie-table">
                        <thead>
                            <tr>
                                <th scope="col">{t!(i18n, privacy_name)}</th>
                                <th scope="col">{t!(i18n, privacy_purpose)}</th>
                                <th scope="col">{t!(i18n, privacy_lifetime)}</th>
                            </tr>
                        </thead>
                        <tbody>
                            <tr data-testid="cookie-row">
                                <td><code>{SESSION_COOKIE}</code></td>
                                <td>{t!(i18n, privacy_session_purpose)}</td>
                                <td>{move || t_string!(i18n, privacy_session_lifetime, hours = hours)}</td>
                            </tr>
                        </tbody>
                    </table>
                </div>
                <h2>{t!(i18n, privacy_storage)}</h2>
                <p>{t!(i18n, privacy_storage_intro)}</p>
                <ul>
                    <li><code>{LOCAL_STORAGE_KEYS[0]}</code> " — " {t!(i18n, privacy_storage_locale)}</li>
                    <li><code>{LOCAL_STORAGE_KEYS[1]}</code> " — " {t!(i18n, privacy_storage_undo)}</li>
                    <li><code>{LOCAL_STORAGE_KEYS[2]}</code> " — " {t!(i18n, privacy_storage_theme)}</li>
                    <li>{t!(i18n, privacy_storage_offline)}</li>
                </ul>
                <h2>{t!(i18n, privacy_choices)}</h2>
                <p data-testid="privacy-choices">{t!(i18n, privacy_choices_text)}</p>
            </main>
        </div>
    }
}
