//! The UI language: follows the browser (`navigator.languages`, done by
//! leptos_i18n) unless the user picked one, which is kept in localStorage.

use crate::i18n::Locale;
use leptos_i18n::I18nContext;
use leptos_i18n::Locale as _;
use std::str::FromStr;

const KEY: &str = postern_shared::privacy::LOCAL_STORAGE_KEYS[0];

/// Applies a stored choice, if any (call once, at start).
pub fn restore(i18n: I18nContext<Locale>) {
    if let Some(l) =
        crate::core::browser::local_storage_get(KEY).and_then(|s| Locale::from_str(&s).ok())
    {
        i18n.set_locale(l);
    }
}

/// Switches the language and remembers the choice.
pub fn choose(i18n: I18nContext<Locale>, locale: Locale) {
    i18n.set_locale(locale);
    crate::core::browser::local_storage_set(KEY, locale.as_str());
}
