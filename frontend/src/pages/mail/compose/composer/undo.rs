//! The undo-send window: how long a sent message waits in the outbox,
//! chosen in the composer's footer and kept in localStorage.

use crate::core::browser::{local_storage_get, local_storage_set};
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::compose::{DEFAULT_UNDO_SECONDS, MAX_UNDO_SECONDS};

const UNDO_KEY: &str = postern_shared::privacy::LOCAL_STORAGE_KEYS[1];

/// The user's undo window (localStorage), default 5 s, 0 = off.
pub fn undo_seconds() -> u32 {
    local_storage_get(UNDO_KEY)
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_UNDO_SECONDS)
        .min(MAX_UNDO_SECONDS)
}

/// The footer's choice of undo window.
pub fn undo_setting(i18n: I18nContext) -> impl IntoView {
    let cur = undo_seconds();
    view! {
        <label class="undo-setting">
            {t!(i18n, undo_window)}
            <select
                data-testid="undo-seconds"
                on:change=move |ev| local_storage_set(UNDO_KEY, &event_target_value(&ev))
            >
                {[0u32, 5, 10, 20, 30]
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.to_string() selected=s == cur>
                                {move || {
                                    if s == 0 {
                                        t_string!(i18n, undo_off).to_string()
                                    } else {
                                        t_string!(i18n, seconds, count = s).to_string()
                                    }
                                }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}
