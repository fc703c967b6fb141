//! "Move to…": a menu of the mailbox's selectable folders except the current one.

use crate::components::folder_tree::folder_label;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::api::Folder;

#[component]
pub fn MoveSelect(
    #[prop(into)] folders: Signal<Vec<Folder>>,
    #[prop(into)] current: Signal<String>,
    on_move: Callback<String>,
    #[prop(into, optional)] disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <select
            class="move-select"
            data-testid="move"
            aria-label=move || t_string!(i18n, move_to)
            disabled=move || disabled.get()
            prop:value=""
            on:change=move |ev| {
                let to = event_target_value(&ev);
                if !to.is_empty() {
                    on_move.run(to);
                }
            }
        >
            <option value="" selected=true>
                {t!(i18n, move_to)}
            </option>
            {move || {
                let cur = current.get();
                folders
                    .get()
                    .into_iter()
                    .filter(|f| f.selectable && f.path != cur)
                    .map(|f| {
                        let indent = "\u{a0}\u{a0}".repeat(f.depth as usize);
                        let label = format!("{indent}{}", folder_label(i18n, &f));
                        view! { <option value=f.path.clone()>{label}</option> }
                    })
                    .collect_view()
            }}
        </select>
    }
}
