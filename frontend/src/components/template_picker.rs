//! "Start from a template" (R-TPL): the visible templates of one kind of
//! the mailbox's mail service, as the Auto-reply tab and the Filters tab's
//! rule form offer them. Shown only when there is one; choosing one hands
//! it to the form, which copies what it needs (a later change of the
//! template changes nothing here).

use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::MailboxId;
use postern_shared::templates::Template;

/// `kind`: `TemplateContent::kind` of the templates offered.
pub fn template_picker(
    mb: MailboxId,
    kind: &'static str,
    testid: &'static str,
    disabled: Signal<bool>,
    on_pick: impl Fn(Template) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let templates = RwSignal::new(Vec::<Template>::new());
    spawn_local(async move {
        // No templates to offer is not an error worth showing here.
        if let Ok(t) = api::mailbox_templates(mb).await {
            templates.set(
                t.templates
                    .into_iter()
                    .filter(|t| t.content.kind() == kind)
                    .collect(),
            );
        }
    });
    let pick = move |id: String| {
        let chosen =
            templates.with_untracked(|ts| ts.iter().find(|t| t.id.to_string() == id).cloned());
        if let Some(t) = chosen {
            on_pick(t);
        }
    };
    view! {
        <Show when=move || templates.with(|t| !t.is_empty())>
            <label>
                <span>{t!(i18n, template_start_from)}</span>
                <select
                    data-testid=testid
                    disabled=move || disabled.get()
                    on:change=move |ev| pick(event_target_value(&ev))
                >
                    <option value="">{t!(i18n, template_none_chosen)}</option>
                    {move || {
                        templates
                            .get()
                            .into_iter()
                            .map(|t| view! { <option value=t.id.to_string()>{t.name}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
        </Show>
    }
}
