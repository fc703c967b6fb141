//! What writing adds to the app header: the compose button and the
//! signature editor.

use super::signature::signature_settings;
use super::use_compose;
use crate::i18n::*;
use leptos::prelude::*;

/// The header's compose button and signature editor. A plain function, not
/// a component: a component would be one more type-erased view in the
/// bundle (`erase_components`).
pub fn compose_actions() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_compose();
    view! {
        <button
            type="button"
            class="compose"
            data-testid="compose"
            on:click=move |_| ctx.open_new()
        >
            <span aria-hidden="true">"✎ "</span>
            {t!(i18n, compose)}
        </button>
        {signature_settings(ctx)}
    }
}
