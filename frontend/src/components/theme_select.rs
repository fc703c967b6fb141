//! Light, dark or the system's scheme (auto): the account menu's switch,
//! in both apps. The choice is kept in this browser (localStorage,
//! `postern.theme`, listed on the privacy page) and applied as
//! `data-theme` on `<html>`, which `app.css` follows over
//! `prefers-color-scheme`; `public/boot.js` sets it at start, before the
//! app (an external module: the CSP allows no inline script).

use crate::core::browser::{local_storage_get, local_storage_set};
use crate::i18n::*;
use leptos::prelude::*;

const KEY: &str = postern_shared::privacy::LOCAL_STORAGE_KEYS[2];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 3] = [Theme::Auto, Theme::Light, Theme::Dark];

    /// What is stored (what `boot.js` reads); anything else is auto.
    pub fn parse(s: Option<&str>) -> Theme {
        match s {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The `data-theme` of `<html>`: none for auto (the media query decides).
    pub fn attribute(self) -> Option<&'static str> {
        (self != Theme::Auto).then(|| self.as_str())
    }
}

/// The theme this browser keeps.
pub fn stored() -> Theme {
    Theme::parse(local_storage_get(KEY).as_deref())
}

/// Keeps `t` and applies it to the page now.
pub fn choose(t: Theme) {
    local_storage_set(KEY, t.as_str());
    if let Some(html) = document().document_element() {
        let _ = match t.attribute() {
            Some(v) => html.set_attribute("data-theme", v),
            None => html.remove_attribute("data-theme"),
        };
    }
}

#[component]
pub fn ThemeSelect() -> impl IntoView {
    let i18n = use_i18n();
    let current = RwSignal::new(stored());
    let name = move |t: Theme| match t {
        Theme::Auto => t_string!(i18n, theme_auto),
        Theme::Light => t_string!(i18n, theme_light),
        Theme::Dark => t_string!(i18n, theme_dark),
    };
    view! {
        <label class="theme">
            <span class="theme-label">{t!(i18n, theme)}</span>
            <select
                data-testid="theme"
                prop:value=move || current.get().as_str()
                on:change=move |ev| {
                    let t = Theme::parse(Some(event_target_value(&ev).as_str()));
                    current.set(t);
                    choose(t);
                }
            >
                {Theme::ALL
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option value=t.as_str() selected=move || current.get() == t>
                                {move || name(t)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_choice_reads_back_and_auto_sets_no_attribute() {
        for t in Theme::ALL {
            assert_eq!(Theme::parse(Some(t.as_str())), t);
        }
        assert_eq!(Theme::parse(None), Theme::Auto);
        assert_eq!(Theme::parse(Some("sepia")), Theme::Auto);
        assert_eq!(Theme::Auto.attribute(), None);
        assert_eq!(Theme::Dark.attribute(), Some("dark"));
        assert_eq!(Theme::Light.attribute(), Some("light"));
        // The key boot.js reads.
        assert_eq!(KEY, "postern.theme");
    }
}
