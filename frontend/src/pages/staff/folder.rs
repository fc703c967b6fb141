//! A grant on a mailbox's contents, open: its folders (a side list; on a
//! phone a select at the top, as the settings' sections) beside a folder's
//! messages — newest first, a page at a time, the next pages anchored where
//! the first one was — or the message open. Rows open; nothing else.

use super::{Failure, folder_href, message_href};
use crate::components::folder_tree::folder_label;
use crate::core::api;
use crate::i18n::*;
use crate::pages::mail::list::{pager, row_summary};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use postern_shared::api::Folder;

/// The folder list and the open folder (`folder`) or message (`uid`).
pub fn folders_view(
    id: String,
    folder: Memo<Option<String>>,
    uid: Memo<Option<u32>>,
    failure: Failure,
) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let id = StoredValue::new(id);
    // Once per grant: each call is a read in the mailbox user's history.
    let folders = LocalResource::new(move || api::staff_folders(id.get_value()));
    Effect::new(move || {
        if let Some(Err(e)) = folders.get() {
            failure.show(i18n, &e);
        }
    });
    let list = move || folders.get().and_then(Result::ok).unwrap_or_default();
    let current = Memo::new(move |_| folder.get().unwrap_or_default());
    let open = move || match (folder.get(), uid.get()) {
        // On its way to the inbox (`StaffGrantPage`).
        (None, _) => ().into_any(),
        (Some(f), Some(u)) => {
            let back = folder_href(&id.get_value(), &f);
            super::message::message_view(id.get_value(), f, u, back, failure).into_any()
        }
        // A folder opens on its first page.
        (Some(f), None) => folder_messages(id, f, failure).into_any(),
    };
    view! {
        <div class="settings-layout staff-layout">
            <nav class="section-nav" aria-label=move || t_string!(i18n, folders)>
                <ul class="section-list" role="list" data-testid="staff-folders">
                    {move || list().into_iter().map(|f| folder_link(&id.get_value(), f, current)).collect_view()}
                </ul>
                // A phone has no room for a side list: the same as a select.
                <label class="section-select">
                    <span class="visually-hidden">{t!(i18n, folders)}</span>
                    <select
                        data-testid="staff-folder-select"
                        on:change=move |ev| {
                            navigate(&folder_href(&id.get_value(), &event_target_value(&ev)), Default::default())
                        }
                    >
                        {move || {
                            list()
                                .into_iter()
                                .filter(|f| f.selectable)
                                .map(|f| {
                                    let label = indented(&f, folder_label(i18n, &f));
                                    let path = f.path.clone();
                                    view! {
                                        <option value=f.path selected=move || current.get() == path>{label}</option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
            </nav>
            <div class="section-body">{open}</div>
        </div>
    }
}

/// A folder's name, under its parent's.
fn indented(f: &Folder, label: String) -> String {
    format!("{}{label}", "\u{a0}\u{a0}\u{a0}".repeat(f.depth as usize))
}

fn folder_link(id: &str, f: Folder, current: Memo<String>) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let label = indented(&f, folder_label(i18n, &f));
    let total = f.total.to_string();
    if !f.selectable {
        // A container (`\Noselect`): no messages of its own.
        return view! { <li><span class="section-disabled">{label}</span></li> }.into_any();
    }
    let href = folder_href(id, &f.path);
    let path = f.path;
    let here = path.clone();
    view! {
        <li>
            <a
                href=href
                data-testid="staff-folder"
                data-path=path
                aria-current=move || (current.get() == here).then_some("page")
            >
                <span class="name">{label}</span>
                <span class="hint">{total}</span>
            </a>
        </li>
    }
    .into_any()
}

/// One folder's messages, a page at a time.
fn folder_messages(id: StoredValue<String>, folder: String, failure: Failure) -> impl IntoView {
    let i18n = use_i18n();
    // (page, anchor): the list's own paging, as the webmail's.
    let paging = RwSignal::new((0u32, None::<u32>));
    let f = folder.clone();
    let page = LocalResource::new(move || {
        let (n, anchor) = paging.get();
        let folder = f.clone();
        async move { api::staff_messages(id.get_value(), &folder, n, anchor).await }
    });
    Effect::new(move || {
        if let Some(Err(e)) = page.get() {
            failure.show(i18n, &e);
        }
    });
    move || match page.get() {
        None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
        Some(Err(_)) => ().into_any(),
        Some(Ok(p)) if p.messages.is_empty() => {
            view! { <p class="empty" data-testid="staff-empty">{t!(i18n, empty_folder)}</p> }
                .into_any()
        }
        Some(Ok(p)) => {
            let rows = p
                .messages
                .iter()
                .map(|m| {
                    let href = message_href(&id.get_value(), &folder, m.uid);
                    view! {
                        <li class="message-row" class:unread=!m.seen data-testid="staff-message-row" data-uid=m.uid.to_string()>
                            <a class="open" href=href>{row_summary(m)}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <ul class="message-list staff-messages" role="list" data-testid="staff-messages"
                    aria-label=move || t_string!(i18n, messages)>
                    {rows}
                </ul>
                {pager(&p, paging)}
            }
            .into_any()
        }
    }
}
