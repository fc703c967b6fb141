use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="centered">
            <p>{t!(i18n, not_found_page)}</p>
            <a href="/">{t!(i18n, go_home)}</a>
        </main>
    }
}
