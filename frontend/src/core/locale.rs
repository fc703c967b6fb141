//! The UI language: the signed-in account's choice (`AccountSummary.locale`,
//! R-CLI-2: it follows the user to another browser), else the choice kept
//! in localStorage (the fast path at start, before any answer), else the
//! browser's (`navigator.languages`, followed when it changes), else `en`.
//!
//! The context is our own (`crate::i18n`), not leptos_i18n's provider: for
//! a choice among a few locale codes, that one parses every browser
//! language with icu_locale_core and watches it through leptos-use, and
//! sets the `<html>` attributes through leptos_meta — about 5 KB brotli of
//! the webmail (ARCHITECTURE.md, "The browser apps").

use crate::i18n::{I18nContext, Locale};
use leptos::prelude::*;
use std::str::FromStr;

const KEY: &str = postern_shared::privacy::LOCAL_STORAGE_KEYS[0];

/// Provides the language context to `children` and keeps `<html lang dir>`
/// in step (both apps' root, `portal` in the portal's: it fetches its
/// pages' strings too; the component tests mount under it as well).
#[component]
pub fn I18nProvider(#[prop(optional)] portal: bool, children: Children) -> impl IntoView {
    let i18n = I18nContext::new(portal);
    provide_context(i18n);
    i18n.set_locale(initial());
    Effect::new(move || {
        let l = i18n.get_locale();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", l.as_str());
            let _ = html.set_attribute("dir", l.direction());
        }
    });
    // A browser language changed: followed unless the user picked one.
    let h = window_event_listener(leptos::ev::languagechange, move |_| {
        if stored().is_none() {
            i18n.set_locale(from_browser());
        }
    });
    on_cleanup(move || h.remove());
    children()
}

fn stored() -> Option<Locale> {
    crate::core::browser::local_storage_get(KEY).and_then(|s| Locale::from_str(&s).ok())
}

fn initial() -> Locale {
    stored().unwrap_or_else(from_browser)
}

fn from_browser() -> Locale {
    let tags: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|l| l.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    negotiate(&tags)
}

/// The first of the browser's language tags (in its order of preference)
/// that one of our locales covers: the same tag, or a more precise one
/// (`es-MX` is `es`), without regard to case; `en` if none.
pub fn negotiate(tags: &[impl AsRef<str>]) -> Locale {
    tags.iter()
        .find_map(|tag| {
            let tag = tag.as_ref().replace('_', "-").to_ascii_lowercase();
            Locale::get_all().iter().copied().find(|l| {
                let code = l.as_str().to_ascii_lowercase();
                tag.strip_prefix(&code)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
            })
        })
        .unwrap_or_default()
}

/// Switches the language and remembers the choice: in this browser at once,
/// and for the account when signed in (a failure there is logged only: the
/// switch itself worked).
pub fn choose(i18n: I18nContext, locale: Locale) {
    i18n.set_locale(locale);
    crate::core::browser::local_storage_set(KEY, locale.as_str());
    if crate::core::http::csrf_token().is_some() {
        leptos::task::spawn_local(async move {
            if let Err(e) = crate::core::api::set_locale(locale.as_str()).await {
                leptos::logging::warn!("language not kept for the account: {}", e.code);
            }
        });
    }
}

/// The signed-in account's language (`AccountSummary.locale`): shown, and
/// kept as this browser's choice too.
pub fn apply_account(i18n: I18nContext, code: Option<&str>) {
    let Some(locale) = code.and_then(|c| Locale::from_str(c).ok()) else {
        return;
    };
    if stored() != Some(locale) {
        crate::core::browser::local_storage_set(KEY, locale.as_str());
    }
    if i18n.get_locale_untracked() != locale {
        i18n.set_locale(locale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_browser_language_we_have_wins() {
        assert_eq!(negotiate(&["es-MX", "en-US"]), Locale::es);
        assert_eq!(negotiate(&["fr-FR", "EN", "es"]), Locale::fr);
        assert_eq!(negotiate(&["de_CH", "es"]), Locale::de);
        assert_eq!(negotiate(&["pt-BR", "it", "es_ES"]), Locale::it);
        // `est` (Estonian) is not `es`; nothing known → the default.
        assert_eq!(negotiate(&["est", "pt"]), Locale::en);
        assert_eq!(negotiate(&[] as &[&str]), Locale::en);
    }
}
