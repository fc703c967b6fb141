//! The UI language: the user's pick (kept in localStorage), else the
//! browser's (`navigator.languages`, followed when it changes), else `en`.
//!
//! The context is our own, not leptos_i18n's `I18nContextProvider`: for a
//! choice among a few locale codes, that one parses every browser language
//! with icu_locale_core and watches it through leptos-use, and sets the
//! `<html>` attributes through leptos_meta — about 5 KB brotli of the
//! webmail (ARCHITECTURE.md, "The browser apps"). `t!` and friends only
//! read the `I18nContext` this provides.

use crate::i18n::Locale;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_i18n::Locale as _;
use std::str::FromStr;

const KEY: &str = postern_shared::privacy::LOCAL_STORAGE_KEYS[0];

/// Provides the language context to `children` and keeps `<html lang dir>`
/// in step (both apps' root; the component tests mount under it too).
#[component]
pub fn I18nProvider(children: Children) -> impl IntoView {
    let i18n = context(RwSignal::new(initial()));
    provide_context(i18n);
    Effect::new(move || {
        let l = i18n.get_locale();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", l.as_str());
            let _ = html.set_attribute("dir", l.direction().as_str());
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

/// The `I18nContext` reading and writing `signal`.
fn context(signal: RwSignal<Locale>) -> I18nContext<Locale> {
    // SAFETY: leptos_i18n 0.6 (without its `unified_contexts` feature,
    // which nothing here enables) defines `I18nContext<L>` as one
    // `RwSignal<L>` and two `PhantomData`s and has no public constructor
    // but its provider. `transmute` checks the sizes are equal, so the
    // signal is the whole value, at offset 0; both types are `Copy`
    // handles without `Drop`. The component tests (frontend/tests/web.rs)
    // read and switch the language through this context.
    unsafe { std::mem::transmute::<RwSignal<Locale>, I18nContext<Locale>>(signal) }
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

/// Switches the language and remembers the choice.
pub fn choose(i18n: I18nContext<Locale>, locale: Locale) {
    i18n.set_locale(locale);
    crate::core::browser::local_storage_set(KEY, locale.as_str());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_browser_language_we_have_wins() {
        assert_eq!(negotiate(&["es-MX", "en-US"]), Locale::es);
        assert_eq!(negotiate(&["fr-FR", "EN", "es"]), Locale::en);
        assert_eq!(negotiate(&["fr", "es_ES"]), Locale::es);
        // `est` (Estonian) is not `es`; nothing known → the default.
        assert_eq!(negotiate(&["est", "de"]), Locale::en);
        assert_eq!(negotiate(&[] as &[&str]), Locale::en);
    }
}
