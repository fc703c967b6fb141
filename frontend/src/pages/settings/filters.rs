//! The Filters section (R-SPAM): the mailbox's spam filter — on or off
//! (R-SPAM-1), where spam goes (R-SPAM-2, one of the mailbox's folders,
//! Junk by default), its blocked and approved senders (R-SPAM-4). Needs
//! the grant's "manage filters" permission (R-SPAM-6); without it the
//! section shows its controls disabled and says why.

use super::SettingsCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::sender_lists::{ListOwner, Lists, sender_list};
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::Permission;
use postern_shared::api::Folder;
use postern_shared::folders::SpecialUse;
use postern_shared::spam::{SenderList, SpamSettings, UpdateSpamSettings};

pub fn filters(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let allowed = ctx
        .mailbox
        .grant
        .is_some_and(|g| g.contains(Permission::ManageFilters));
    if !allowed {
        return super::refused::refused_switch(
            t!(i18n, section_filters),
            t!(i18n, spam_intro),
            t!(i18n, spam_toggle),
            t!(i18n, filters_no_permission),
            ("spam-toggle", "filters-refusal"),
        );
    }
    let mb = ctx.mailbox.id;
    let error = RwSignal::new(None::<String>);
    let settings = RwSignal::new(None::<SpamSettings>);
    let folders = RwSignal::new(Vec::<Folder>::new());
    let lists = RwSignal::new(Lists::default());
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::get_spam(mb).await {
            Ok(s) => {
                lists.set(Lists {
                    blocked: s.blocked.clone(),
                    approved: s.approved.clone(),
                });
                settings.set(Some(s));
            }
            Err(e) => error.set(Some(error_text(i18n, &e))),
        }
        match api::folders(mb).await {
            Ok(f) => folders.set(f.into_iter().filter(|f| f.selectable).collect()),
            Err(e) => error.set(Some(error_text(i18n, &e))),
        }
    });
    let save = move |enabled: bool, folder: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = api::put_spam(mb, &UpdateSpamSettings { enabled, folder }).await;
            busy.set(false);
            match r {
                Ok(s) => {
                    error.set(None);
                    settings.set(Some(s));
                }
                Err(e) => {
                    error.set(Some(error_text(i18n, &e)));
                    // Show what is in force again.
                    settings.update(|_| {});
                }
            }
        });
    };
    let enabled = move || settings.with(|s| s.as_ref().is_some_and(|s| s.enabled));
    let folder = move || settings.with(|s| s.as_ref().and_then(|s| s.folder.clone()));
    view! {
        <h2>{t!(i18n, section_filters)}</h2>
        <p class="hint">{t!(i18n, spam_intro)}</p>
        <ErrorAlert error=error/>
        {move || match settings.get() {
            None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
            Some(_) => {
                view! {
                    <section class="block">
                        <label class="toggle">
                            <input
                                type="checkbox"
                                data-testid="spam-toggle"
                                prop:checked=enabled
                                disabled=move || busy.get()
                                on:change=move |ev| save(event_target_checked(&ev), folder())
                            />
                            <span>{t!(i18n, spam_toggle)}</span>
                        </label>
                        <p class="hint" data-testid="spam-state">
                            {move || if enabled() { t_string!(i18n, spam_on_hint) } else { t_string!(i18n, spam_off_hint) }}
                        </p>
                        <label>
                            <span>{t!(i18n, spam_folder)}</span>
                            <select
                                data-testid="spam-folder"
                                disabled=move || busy.get() || !enabled()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    save(enabled(), (!v.is_empty()).then_some(v))
                                }
                            >
                                <option value="" selected=move || folder().is_none()>
                                    {t!(i18n, spam_folder_default)}
                                </option>
                                {move || {
                                    folders
                                        .get()
                                        .into_iter()
                                        .filter(|f| !(f.special == Some(SpecialUse::Junk) && f.path == "Junk"))
                                        .map(|f| {
                                            let path = f.path.clone();
                                            let p2 = path.clone();
                                            view! {
                                                <option value=path selected=move || folder().as_deref() == Some(p2.as_str())>
                                                    {f.path.clone()}
                                                </option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                        </label>
                    </section>
                }
                    .into_any()
            }
        }}
        {sender_list(ListOwner::Mailbox(mb), SenderList::Blocked, lists, false)}
        {sender_list(ListOwner::Mailbox(mb), SenderList::Approved, lists, false)}
        <p class="hint">{t!(i18n, spam_precedence)}</p>
        {super::rules::sorting_rules(mb, folders)}
    }
    .into_any()
}
