//! The language menu: every locale file, each named in its own language.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn LanguageSelect() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="language">
            <span class="visually-hidden">{t!(i18n, language)}</span>
            <select
                data-testid="language"
                aria-label=move || t_string!(i18n, language)
                title=move || t_string!(i18n, language)
                prop:value=move || i18n.get_locale().as_str()
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(l) = Locale::get_all().iter().find(|l| l.as_str() == v) {
                        crate::core::locale::choose(i18n, *l);
                    }
                }
            >
                {Locale::get_all()
                    .iter()
                    .map(|l| {
                        let l = *l;
                        view! {
                            <option value=l.as_str() selected=move || i18n.get_locale() == l>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
