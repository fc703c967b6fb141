//! The composer's title bar: what is being written, the draft's save
//! status and the close button.

use super::state::{ComposerState, SaveStatus};
use crate::core::browser::format_time;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::compose::ReplyKind;

/// The title bar; `kind` is what the message answers (`None`: a new one).
pub fn title_bar(
    cs: ComposerState,
    kind: Option<ReplyKind>,
    on_close: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = cs.i18n;
    let title = move || match kind {
        Some(ReplyKind::Reply) => t_string!(i18n, title_reply),
        Some(ReplyKind::Forward) => t_string!(i18n, title_forward),
        None => t_string!(i18n, new_message),
    };
    let status_text = move || match cs.status.get() {
        SaveStatus::Idle => String::new(),
        SaveStatus::Saving => t_string!(i18n, saving).to_string(),
        SaveStatus::Saved(at) => t_string!(
            i18n,
            saved_at,
            time = format_time(at, i18n.get_locale().as_str())
        )
        .to_string(),
        SaveStatus::Failed(e) => t_string!(i18n, save_failed, error = e).to_string(),
    };
    view! {
        <header class="composer-head">
            <h2 id="composer-title">{title}</h2>
            <span class="draft-status" data-testid="draft-status" aria-live="polite">
                {status_text}
            </span>
            <button
                type="button"
                class="icon-button"
                data-testid="close-composer"
                aria-label=move || t_string!(i18n, close_composer)
                title=move || t_string!(i18n, close_composer)
                on:click=move |_| on_close()
            >
                "×"
            </button>
        </header>
    }
}
