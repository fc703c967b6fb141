//! The star (R-MAIL-3): IMAP `\Flagged`. Shows ☆/★ and `aria-pressed`;
//! a click asks the owner to set the opposite value.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn StarButton(
    #[prop(into)] flagged: Signal<bool>,
    /// Called with the wanted new value.
    on_toggle: Callback<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <button
            type="button"
            class="star"
            class:on=move || flagged.get()
            data-testid="star"
            aria-pressed=move || if flagged.get() { "true" } else { "false" }
            aria-label=move || {
                if flagged.get() { t_string!(i18n, unstar) } else { t_string!(i18n, star) }
            }
            title=move || {
                if flagged.get() { t_string!(i18n, unstar) } else { t_string!(i18n, star) }
            }
            on:click=move |ev| {
                ev.stop_propagation();
                on_toggle.run(!flagged.get_untracked());
            }
        >
            <span aria-hidden="true">{move || if flagged.get() { "★" } else { "☆" }}</span>
        </button>
    }
}
