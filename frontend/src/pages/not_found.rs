use crate::core::browser::current_path;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::wire::apps::is_portal_path;

#[component]
pub fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    // From the portal, the inbox is the other app: a page load.
    let rel = is_portal_path(&current_path()).then_some("external");
    view! {
        <main class="centered">
            <p>{t!(i18n, not_found_page)}</p>
            <a href="/" rel=rel>{t!(i18n, go_home)}</a>
        </main>
    }
}
