//! The filter menu of R-MAIL-2: All, Read, Unread, Flagged, Unflagged.

use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::api::MessageFilter;

pub fn filter_label(i18n: I18nContext, f: MessageFilter) -> &'static str {
    match f {
        MessageFilter::All => t_string!(i18n, filter_all),
        MessageFilter::Read => t_string!(i18n, filter_read),
        MessageFilter::Unread => t_string!(i18n, filter_unread),
        MessageFilter::Flagged => t_string!(i18n, filter_flagged),
        MessageFilter::Unflagged => t_string!(i18n, filter_unflagged),
    }
}

#[component]
pub fn FilterMenu(
    #[prop(into)] value: Signal<MessageFilter>,
    on_change: Callback<MessageFilter>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <label class="filter">
            <span class="label">{t!(i18n, filter)}</span>
            <select
                data-testid="filter"
                prop:value=move || value.get().as_str()
                on:change=move |ev| {
                    if let Some(f) = MessageFilter::parse(&event_target_value(&ev)) {
                        on_change.run(f);
                    }
                }
            >
                {MessageFilter::ALL
                    .into_iter()
                    .map(|f| {
                        view! {
                            <option value=f.as_str() selected=move || value.get() == f>
                                {move || filter_label(i18n, f)}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
