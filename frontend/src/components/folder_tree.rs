//! The folder list (R-MAIL-1): special folders first (the server orders
//! them), subfolders indented, unread badges, and create / rename / delete
//! for ordinary folders.

use crate::core::format::folder_href;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::api::Folder;
use postern_shared::folders::SpecialUse;

/// Glyphs present in common system fonts (no colour-emoji font needed).
pub fn special_icon(s: Option<SpecialUse>) -> &'static str {
    match s {
        Some(SpecialUse::Inbox) => "✉",
        Some(SpecialUse::Drafts) => "✎",
        Some(SpecialUse::Sent) => "➤",
        Some(SpecialUse::Archive) => "▤",
        Some(SpecialUse::Junk) => "⚠",
        Some(SpecialUse::Trash) => "✖",
        None => "▸",
    }
}

/// The name shown: special folders in the UI language, others as named.
pub fn folder_label(i18n: I18nContext, f: &Folder) -> String {
    match f.special {
        Some(SpecialUse::Inbox) => t_string!(i18n, folder_inbox).to_string(),
        Some(SpecialUse::Drafts) => t_string!(i18n, folder_drafts).to_string(),
        Some(SpecialUse::Sent) => t_string!(i18n, folder_sent).to_string(),
        Some(SpecialUse::Archive) => t_string!(i18n, folder_archive).to_string(),
        Some(SpecialUse::Junk) => t_string!(i18n, folder_junk).to_string(),
        Some(SpecialUse::Trash) => t_string!(i18n, folder_trash).to_string(),
        None => f.name.clone(),
    }
}

/// What the user asked for in the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum FolderAction {
    /// Create a folder under this parent (`None`: top level).
    Create(Option<String>),
    Rename(Folder),
    Delete(Folder),
}

#[component]
pub fn FolderTree(
    #[prop(into)] mailbox: Signal<i64>,
    #[prop(into)] folders: Signal<Vec<Folder>>,
    #[prop(into)] current: Signal<String>,
    on_action: Callback<FolderAction>,
    /// Called after a folder link is followed (closes the phone drawer).
    #[prop(optional)]
    on_navigate: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="folders" data-testid="folders" aria-label=move || t_string!(i18n, folders)>
            <ul class="folder-list" role="list">
                <For
                    each=move || folders.get()
                    key=|f| (f.path.clone(), f.unread, f.total, f.name.clone())
                    let:f
                >
                    <FolderItem
                        folder=f
                        mailbox=mailbox
                        current=current
                        on_action=on_action
                        on_navigate=on_navigate
                    />
                </For>
            </ul>
            <button
                type="button"
                class="link-button new-folder"
                on:click=move |_| on_action.run(FolderAction::Create(None))
            >
                {t!(i18n, new_folder)}
            </button>
        </nav>
    }
}

#[component]
fn FolderItem(
    folder: Folder,
    mailbox: Signal<i64>,
    current: Signal<String>,
    on_action: Callback<FolderAction>,
    on_navigate: Option<Callback<()>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let depth = folder.depth.min(6);
    let path = folder.path.clone();
    let path_for_current = path.clone();
    let is_current = move || current.get() == path_for_current;
    let unread = folder.unread;
    let f_label = folder.clone();
    let label = move || folder_label(i18n, &f_label);
    let protected = folder.special.is_some();
    let f_new = folder.clone();
    let f_ren = folder.clone();
    let f_del = folder.clone();
    let link = if folder.selectable {
        let path = path.clone();
        let href = move || folder_href(mailbox.get(), &path);
        let current = is_current.clone();
        view! {
            <a
                href=href
                data-folder=folder.path.clone()
                aria-current=move || current().then_some("page")
                on:click=move |_| {
                    if let Some(cb) = on_navigate {
                        cb.run(())
                    }
                }
            >
                <span class="icon" aria-hidden="true">{special_icon(folder.special)}</span>
                <span class="name">{label.clone()}</span>
                {(unread > 0)
                    .then(|| {
                        view! {
                            <span
                                class="badge"
                                aria-label=move || t_string!(i18n, unread_count, count = unread).to_string()
                            >
                                {unread}
                            </span>
                        }
                    })}
            </a>
        }
        .into_any()
    } else {
        view! {
            <span class="container" data-folder=folder.path.clone()>
                <span class="icon" aria-hidden="true">{special_icon(None)}</span>
                <span class="name">{label.clone()}</span>
            </span>
        }
        .into_any()
    };
    view! {
        <li class=format!("folder depth-{depth}") class:current=is_current>
            {link}
            <details class="folder-menu">
                <summary aria-label=move || t_string!(i18n, folder_actions) title=move || t_string!(i18n, folder_actions)>
                    <span aria-hidden="true">"⋯"</span>
                </summary>
                <div class="menu">
                    <button
                        type="button"
                        on:click=move |_| on_action.run(FolderAction::Create(Some(f_new.path.clone())))
                    >
                        {t!(i18n, new_subfolder)}
                    </button>
                    {(!protected)
                        .then(|| {
                            view! {
                                <button
                                    type="button"
                                    data-action="rename"
                                    on:click=move |_| on_action.run(FolderAction::Rename(f_ren.clone()))
                                >
                                    {t!(i18n, rename_folder)}
                                </button>
                                <button
                                    type="button"
                                    class="danger"
                                    data-action="delete"
                                    on:click=move |_| on_action.run(FolderAction::Delete(f_del.clone()))
                                >
                                    {t!(i18n, delete_folder)}
                                </button>
                            }
                        })}
                </div>
            </details>
        </li>
    }
}
