//! What writing adds to the app header: the compose button. (The
//! signature is edited in the mailbox's settings, the portal's
//! `/settings/<mb>/general`.)

use super::use_compose;
use crate::components::icon::{PEN, icon};
use crate::i18n::*;
use leptos::prelude::*;

/// The header's compose button. A plain function, not a component: a
/// component would be one more type-erased view in the bundle
/// (`erase_components`).
pub fn compose_actions() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_compose();
    view! {
        <button
            type="button"
            class="compose"
            data-testid="compose"
            title=move || t_string!(i18n, compose)
            on:click=move |_| ctx.open_new()
        >
            {icon(PEN)}
            <span class="label">{t!(i18n, compose)}</span>
        </button>
    }
}
