//! The UI's strings: `t!(i18n, key)` (a reactive view), `t_string!(i18n,
//! key)` (the text now), both with `name = value` for `{{ name }}`.
//!
//! English is compiled in (a `const` per key, so a binary links only the
//! strings its code names); every other locale is fetched once, on first
//! use, from the files `build/locales.rs` names (`/locales/<code>-<hash>.json`,
//! an array in key order), and the context switches to it only once its
//! strings are here: the UI never shows a key or a blank, and a failed fetch
//! leaves it in English. The service worker precaches the files (offline).
//! Why not leptos_i18n's `dynamic_load`: it makes every string a future and
//! fetches English too (ARCHITECTURE.md, "The browser apps").

use leptos::prelude::*;
use std::cell::{Cell, RefCell};

include!(concat!(env!("OUT_DIR"), "/i18n_tables.rs"));

pub use crate::{t, t_string};

impl Locale {
    pub fn get_all() -> &'static [Locale] {
        LOCALES
    }

    pub fn as_str(self) -> &'static str {
        CODES[self as usize]
    }

    /// The locale's name in itself (the language menu).
    pub fn native_name(self) -> &'static str {
        NATIVE_NAMES[self as usize]
    }

    /// Text direction for `<html dir>` (all our languages: left to right).
    pub fn direction(self) -> &'static str {
        "ltr"
    }
}

impl std::str::FromStr for Locale {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        LOCALES.iter().copied().find(|l| l.as_str() == s).ok_or(())
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

thread_local! {
    /// Each locale's strings once fetched (leaked: a few KB, once per locale).
    static TABLES: RefCell<Vec<Option<&'static [&'static str]>>> =
        RefCell::new(vec![None; LOCALES.len()]);
    /// The portal fetches its own part too.
    static PORTAL: Cell<bool> = const { Cell::new(false) };
    /// The locale last asked for: a fetch that ends after another choice
    /// does not switch.
    static WANTED: Cell<Locale> = const { Cell::new(Locale::en) };
}

/// The language context: the locale shown, whose strings are here.
#[derive(Clone, Copy)]
pub struct I18nContext(RwSignal<Locale>);

impl I18nContext {
    pub fn new(portal: bool) -> Self {
        PORTAL.with(|p| p.set(portal));
        Self(RwSignal::new(Locale::en))
    }

    /// The locale shown (tracked).
    pub fn get_locale(self) -> Locale {
        self.0.get()
    }

    pub fn get_locale_untracked(self) -> Locale {
        self.0.get_untracked()
    }

    /// Shows `locale`: at once when its strings are here, else once they
    /// are fetched; a failed fetch keeps the language shown.
    pub fn set_locale(self, locale: Locale) {
        WANTED.with(|w| w.set(locale));
        if locale == Locale::en || table(locale).is_some() {
            self.0.set(locale);
            return;
        }
        leptos::task::spawn_local(async move {
            if fetch_table(locale).await && WANTED.with(Cell::get) == locale {
                self.0.set(locale);
            }
        });
    }
}

/// The context `I18nProvider` (`core/locale.rs`) provides.
pub fn use_i18n() -> I18nContext {
    expect_context()
}

fn table(locale: Locale) -> Option<&'static [&'static str]> {
    TABLES.with(|t| t.borrow()[locale as usize])
}

fn install(locale: Locale, strings: Vec<String>) {
    let strings: Vec<&'static str> = strings.into_iter().map(|s| &*s.leak()).collect();
    TABLES.with(|t| t.borrow_mut()[locale as usize] = Some(strings.leak()));
}

/// Fetches `locale`'s parts (the webmail's; the portal's too in the
/// portal); `false` when one fails (logged).
async fn fetch_table(locale: Locale) -> bool {
    let parts = if PORTAL.with(Cell::get) { 2 } else { 1 };
    let mut strings = Vec::new();
    for name in &FILES[locale as usize][..parts] {
        match fetch_json(&format!("/locales/{name}")).await {
            Some(s) => strings.extend(s),
            None => {
                leptos::logging::warn!("translations {name} could not be fetched: English stays");
                return false;
            }
        }
    }
    install(locale, strings);
    true
}

async fn fetch_json(url: &str) -> Option<Vec<String>> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let resp = JsFuture::from(web_sys::window()?.fetch_with_str(url))
        .await
        .ok()?;
    let resp: web_sys::Response = resp.dyn_into().ok()?;
    if !resp.ok() {
        return None;
    }
    let text = JsFuture::from(resp.text().ok()?).await.ok()?.as_string()?;
    crate::core::http::from_json(&text)
}

/// Installs every locale's strings from the build (component tests, which
/// have no `/locales/` to fetch from).
#[doc(hidden)]
pub fn install_bundled() {
    PORTAL.with(|p| p.set(true));
    for l in LOCALES.iter().skip(1).filter(|l| table(**l).is_none()) {
        let mut strings: Vec<String> = Vec::new();
        for json in BUNDLED[*l as usize] {
            strings.extend(serde_json::from_str::<Vec<String>>(json).expect("bundled strings"));
        }
        install(*l, strings);
    }
}

/// The string of key `index` in the locale shown (tracked), English when
/// the table lacks it (a key the portal's part holds, in the webmail).
#[doc(hidden)]
pub fn text(i18n: I18nContext, index: usize, en: &'static str) -> &'static str {
    let l = i18n.get_locale();
    if l == Locale::en {
        return en;
    }
    table(l).and_then(|t| t.get(index).copied()).unwrap_or(en)
}

/// `s` with each `{{ name }}` replaced by its value.
#[doc(hidden)]
pub fn fill(s: &str, vars: &[(&str, &dyn std::fmt::Display)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find("}}") else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = rest[i + 2..i + j].trim();
        match vars.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                let _ = write!(out, "{v}");
            }
            None => out.push_str(&rest[i..i + j + 2]),
        }
        rest = &rest[i + j + 2..];
    }
    out.push_str(rest);
    out
}

/// The text of `key` as a view that follows the language.
#[macro_export]
macro_rules! t {
    ($i18n:expr, $key:ident $(,)?) => {{
        let i18n = $i18n;
        move || $crate::i18n::text(i18n, $crate::i18n::keys::$key, $crate::i18n::en::$key)
    }};
    ($i18n:expr, $key:ident, $($var:ident = $val:expr),+ $(,)?) => {{
        let i18n = $i18n;
        // Moved into the view (`name = name` is the common call).
        $(#[allow(clippy::redundant_locals)] let $var = $val;)+
        move || $crate::i18n::fill(
            $crate::i18n::text(i18n, $crate::i18n::keys::$key, $crate::i18n::en::$key),
            &[$((stringify!($var), &$var as &dyn ::std::fmt::Display)),+],
        )
    }};
}

/// The text of `key` now (`&'static str`; a `String` with values).
#[macro_export]
macro_rules! t_string {
    ($i18n:expr, $key:ident $(,)?) => {
        $crate::i18n::text($i18n, $crate::i18n::keys::$key, $crate::i18n::en::$key)
    };
    ($i18n:expr, $key:ident, $($var:ident = $val:expr),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::text($i18n, $crate::i18n::keys::$key, $crate::i18n::en::$key),
            &[$((stringify!($var), &($val) as &dyn ::std::fmt::Display)),+],
        )
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fill_their_placeholders() {
        let n = 3;
        assert_eq!(
            fill(
                "{{ first }}–{{last}} of {{ total }}",
                &[("first", &1), ("last", &n), ("total", &"9")]
            ),
            "1–3 of 9"
        );
        // An unknown name stays as written; an unclosed brace ends it.
        assert_eq!(fill("a {{ x }} b {{", &[]), "a {{ x }} b {{");
    }

    #[test]
    fn the_locales_are_the_ones_an_account_may_keep() {
        let mut ours: Vec<&str> = LOCALES.iter().map(|l| l.as_str()).collect();
        ours.sort_unstable();
        let mut kept = postern_shared::account::UI_LOCALES.to_vec();
        kept.sort_unstable();
        assert_eq!(ours, kept);
        assert_eq!(LOCALES[0], Locale::default());
        assert_eq!(Locale::fr.native_name(), "Français");
    }
}
