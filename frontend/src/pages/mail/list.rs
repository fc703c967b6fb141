//! The message list (R-MAIL-2): newest first, 50 a page with anchored
//! paging, server-side filter and search, stars, selection and bulk
//! actions, keyboard navigation (↑/↓ or j/k, Enter, s, Delete).

use super::{MailCtx, use_mail};
use crate::components::filter_menu::FilterMenu;
use crate::components::move_select::MoveSelect;
use crate::components::star::StarButton;
use crate::core::api;
use crate::core::browser::{confirm, focus, format_list_date, iso_date};
use crate::core::format::{address_label, message_href};
use crate::core::status::use_status;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::api::{Flag, MessageFilter, MessagePage, MessageSummary};
use postern_shared::limits::{LARGE_FOLDER_HINT, TRASH_RETENTION_DAYS};
use std::collections::BTreeSet;
use wasm_bindgen::JsCast;

/// Toggles the star of one row: optimistic, rolled back on failure.
pub fn toggle_star(ctx: MailCtx, i18n: I18nContext, uid: u32, value: bool) {
    ctx.update_row(uid, |m| m.flagged = value);
    let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
    spawn_local(async move {
        if let Err(e) = api::set_flag(mb, folder, vec![uid], Flag::Flagged, value).await {
            ctx.update_row(uid, |m| m.flagged = !value);
            ctx.show_error(i18n, &e);
        }
    });
}

#[component]
pub fn MessageList() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let status = use_status();
    let navigate = use_navigate();

    let filter = RwSignal::new(MessageFilter::All);
    let query = RwSignal::new(String::new());
    let search_input = RwSignal::new(String::new());
    // (page, anchor): one signal so a page change is one request.
    let paging = RwSignal::new((0u32, None::<u32>));
    let selected = RwSignal::new(BTreeSet::<u32>::new());
    let cursor = RwSignal::new(None::<usize>);
    let loading = RwSignal::new(false);

    // A new folder or mailbox starts from the first page, unfiltered.
    Effect::new(move |prev: Option<(i64, String)>| {
        let key = (ctx.mailbox.get(), ctx.folder.get());
        if prev.is_some_and(|p| p != key) {
            filter.set(MessageFilter::All);
            query.set(String::new());
            search_input.set(String::new());
            paging.set((0, None));
            ctx.page.set(None);
        }
        selected.set(BTreeSet::new());
        cursor.set(None);
        key
    });

    let res = LocalResource::new(move || {
        let url = api::list_url(
            ctx.mailbox.get(),
            &ctx.folder.get(),
            filter.get(),
            &query.get(),
            paging.get().0,
            paging.get().1,
        );
        ctx.reload_list.track();
        status.reconnected.track();
        loading.set(true);
        async move { api::list(url).await }
    });
    Effect::new(move || {
        if let Some(r) = res.get() {
            loading.set(false);
            match r {
                Ok(p) => {
                    let uids: BTreeSet<u32> = p.messages.iter().map(|m| m.uid).collect();
                    selected.update(|s| s.retain(|u| uids.contains(u)));
                    ctx.page.set(Some(p));
                }
                Err(e) => ctx.show_error(i18n, &e),
            }
        }
    });

    let rows = move || ctx.page.get().map(|p| p.messages).unwrap_or_default();
    let uids_of_selection = move || selected.get_untracked().into_iter().collect::<Vec<u32>>();
    let after_bulk = move || {
        selected.set(BTreeSet::new());
        ctx.reload_list.update(|n| *n += 1);
        ctx.reload_folders.update(|n| *n += 1);
    };

    let mark = move |seen: bool| {
        let uids = uids_of_selection();
        if uids.is_empty() {
            return;
        }
        let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
        for u in &uids {
            ctx.update_row(*u, |m| m.seen = seen);
        }
        spawn_local(async move {
            if let Err(e) = api::set_flag(mb, folder, uids, Flag::Seen, seen).await {
                ctx.show_error(i18n, &e);
            }
            after_bulk();
        });
    };
    let delete_uids = move |uids: Vec<u32>| {
        if uids.is_empty() {
            return;
        }
        let msg = t_string!(i18n, confirm_delete_messages, count = uids.len()).to_string();
        if uids.len() > 1 && !confirm(&msg) {
            return;
        }
        let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
        spawn_local(async move {
            if let Err(e) = api::delete_messages(mb, folder, uids).await {
                ctx.show_error(i18n, &e);
            }
            after_bulk();
        });
    };
    let move_to = Callback::new(move |to: String| {
        let uids = uids_of_selection();
        if uids.is_empty() {
            return;
        }
        let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
        spawn_local(async move {
            if let Err(e) = api::move_messages(mb, folder, uids, to).await {
                ctx.show_error(i18n, &e);
            }
            after_bulk();
        });
    });

    // Keyboard: only when no form field has the focus.
    let focus_row = move |i: usize| {
        if let Some(m) = rows().get(i) {
            cursor.set(Some(i));
            focus(&format!(
                "[data-testid=\"message-row\"][data-uid=\"{}\"] a.open",
                m.uid
            ));
        }
    };
    let nav_key = navigate.clone();
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let in_field = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|el| {
                matches!(
                    el.tag_name().as_str(),
                    "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON"
                ) || el.closest("iframe, details").ok().flatten().is_some()
            });
        if in_field {
            return;
        }
        let list = rows();
        if list.is_empty() {
            return;
        }
        let cur = cursor.get_untracked();
        match ev.key().as_str() {
            "ArrowDown" | "j" => {
                ev.prevent_default();
                focus_row(cur.map_or(0, |c| (c + 1).min(list.len() - 1)));
            }
            "ArrowUp" | "k" => {
                ev.prevent_default();
                focus_row(cur.map_or(0, |c| c.saturating_sub(1)));
            }
            "Enter" => {
                if let Some(m) = cur.and_then(|c| list.get(c)) {
                    ev.prevent_default();
                    nav_key(
                        &message_href(
                            ctx.mailbox.get_untracked(),
                            &ctx.folder.get_untracked(),
                            m.uid,
                        ),
                        Default::default(),
                    );
                }
            }
            "s" => {
                if let Some(m) = cur.and_then(|c| list.get(c)) {
                    toggle_star(ctx, i18n, m.uid, !m.flagged);
                }
            }
            "Delete" => {
                let sel = uids_of_selection();
                if !sel.is_empty() {
                    delete_uids(sel);
                } else if let Some(m) = cur.and_then(|c| list.get(c)) {
                    delete_uids(vec![m.uid]);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());

    let folder_info = move || ctx.current_folder();
    let short_term = move || {
        folder_info()
            .and_then(|f| f.special)
            .is_some_and(|s| s.is_short_term())
    };
    let large = move || {
        folder_info()
            .filter(|f| f.total > LARGE_FOLDER_HINT)
            .map(|f| f.total)
    };
    let all_selected = move || {
        let r = rows();
        !r.is_empty() && selected.with(|s| r.iter().all(|m| s.contains(&m.uid)))
    };

    view! {
        <div class="list-toolbar">
            <form
                class="search"
                role="search"
                on:submit=move |ev| {
                    ev.prevent_default();
                    query.set(search_input.get_untracked());
                    paging.set((0, None));
                }
            >
                <input
                    type="search"
                    data-testid="search"
                    enterkeyhint="search"
                    placeholder=move || t_string!(i18n, search_placeholder)
                    aria-label=move || t_string!(i18n, search)
                    bind:value=search_input
                />
            </form>
            <FilterMenu
                value=filter
                on_change=Callback::new(move |f| {
                    filter.set(f);
                    paging.set((0, None));
                })
            />
        </div>
        {move || {
            short_term()
                .then(|| {
                    view! {
                        <p class="notice warning" data-testid="retention-warning">
                            {t!(i18n, short_term_warning, days = TRASH_RETENTION_DAYS)}
                        </p>
                    }
                })
        }}
        {move || {
            large()
                .map(|n| {
                    view! {
                        <p class="notice" data-testid="large-folder-hint">
                            {t!(i18n, large_folder_hint, count = n)}
                        </p>
                    }
                })
        }}
        {move || {
            ctx.page
                .get()
                .filter(|p| p.newer > 0)
                .map(|p| {
                    let n = p.newer;
                    view! {
                        <button
                            type="button"
                            class="notice new-mail"
                            data-testid="new-messages"
                            on:click=move |_| {
                                paging.set((0, None));
                                ctx.reload_list.update(|n| *n += 1);
                                ctx.reload_folders.update(|n| *n += 1);
                            }
                        >
                            {t!(i18n, new_messages, count = n)}
                        </button>
                    }
                })
        }}
        <div class="bulk-bar" class:active=move || !selected.with(|s| s.is_empty())>
            <input
                type="checkbox"
                class="select-all"
                aria-label=move || t_string!(i18n, select_all)
                title=move || t_string!(i18n, select_all)
                prop:checked=all_selected
                on:change=move |ev| {
                    if event_target_checked(&ev) {
                        selected.set(rows().iter().map(|m| m.uid).collect());
                    } else {
                        selected.set(BTreeSet::new());
                    }
                }
            />
            <span class="count">
                {move || {
                    let n = selected.with(|s| s.len());
                    (n > 0).then(|| t_string!(i18n, selected_count, count = n).to_string())
                }}
            </span>
            <button
                type="button"
                data-testid="mark-read"
                disabled=move || selected.with(|s| s.is_empty())
                on:click=move |_| mark(true)
            >
                {t!(i18n, mark_read)}
            </button>
            <button
                type="button"
                data-testid="mark-unread"
                disabled=move || selected.with(|s| s.is_empty())
                on:click=move |_| mark(false)
            >
                {t!(i18n, mark_unread)}
            </button>
            <MoveSelect
                folders=ctx.folders
                current=ctx.folder
                on_move=move_to
                disabled=Signal::derive(move || selected.with(|s| s.is_empty()))
            />
            <super::report::ReportButton
                disabled=Signal::derive(move || selected.with(|s| s.is_empty()))
                on_report=Callback::new(move |_| {
                    super::report::report(ctx, i18n, uids_of_selection(), after_bulk)
                })
            />
            <button
                type="button"
                class="danger"
                data-testid="delete"
                disabled=move || selected.with(|s| s.is_empty())
                on:click=move |_| delete_uids(uids_of_selection())
            >
                {t!(i18n, delete)}
            </button>
        </div>
        <ul
            class="message-list"
            data-testid="message-list"
            role="list"
            aria-busy=move || loading.get().to_string()
            aria-label=move || t_string!(i18n, messages)
        >
            <For
                each=move || rows().into_iter().enumerate()
                key=|(i, m)| (*i, m.uid, m.seen, m.flagged)
                children=move |(i, m)| {
                    view! { <MessageRow index=i message=m selected=selected cursor=cursor/> }
                }
            />
        </ul>
        {move || {
            ctx.page
                .get()
                .filter(|p| p.messages.is_empty() && !loading.get())
                .map(|_| view! { <p class="empty">{t!(i18n, empty_folder)}</p> })
        }}
        {move || ctx.page.get().and_then(|p| pager(&p, paging))}
    }
}

#[component]
fn MessageRow(
    index: usize,
    message: MessageSummary,
    selected: RwSignal<BTreeSet<u32>>,
    cursor: RwSignal<Option<usize>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let uid = message.uid;
    let flagged = message.flagged;
    let href = move || message_href(ctx.mailbox.get(), &ctx.folder.get(), uid);
    view! {
        <li
            data-testid="message-row"
            data-uid=uid.to_string()
            class="message-row"
            class:unread=!message.seen
            class:flagged=flagged
            class:open=move || ctx.uid.get() == Some(uid)
            class:cursor=move || cursor.get() == Some(index)
            class:selected=move || selected.with(|s| s.contains(&uid))
        >
            <input
                type="checkbox"
                class="select"
                aria-label=move || t_string!(i18n, select_message)
                prop:checked=move || selected.with(|s| s.contains(&uid))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| {
                        if on {
                            s.insert(uid);
                        } else {
                            s.remove(&uid);
                        }
                    });
                }
            />
            <StarButton
                flagged=Signal::derive(move || flagged)
                on_toggle=Callback::new(move |v| toggle_star(ctx, i18n, uid, v))
            />
            <a class="open" href=href on:focus=move |_| cursor.set(Some(index))>
                {row_summary(&message)}
            </a>
        </li>
    }
}

/// A row's from, subject, paper clip and date (inside its link): the
/// webmail's list and support staff's (`pages/staff/folder.rs`).
pub fn row_summary(message: &MessageSummary) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let from = message.from.as_ref().map(address_label).unwrap_or_default();
    let has_from = !from.is_empty();
    let subject = message.subject.clone();
    let has_subject = !subject.trim().is_empty();
    let date = message.date;
    view! {
        <span class="from">
            {move || if has_from { from.clone() } else { t_string!(i18n, unknown_sender).to_string() }}
        </span>
        <span class="subject">
            {move || {
                if has_subject { subject.clone() } else { t_string!(i18n, no_subject).to_string() }
            }}
        </span>
        {message
            .has_attachments
            .then(|| {
                view! {
                    <span
                        class="clip"
                        role="img"
                        aria-label=move || t_string!(i18n, has_attachments)
                        title=move || t_string!(i18n, has_attachments)
                    >
                        "❏"
                    </span>
                }
            })}
        <time class="date" datetime=iso_date(date)>
            {move || format_list_date(date, i18n.get_locale().as_str())}
        </time>
    }
}

/// "‹ Newer · 1–50 of N · Older ›" under a list: the next pages keep the
/// page's `anchor`, so arrivals do not shift them (`paging` is
/// `(page, anchor)`).
pub fn pager(
    p: &MessagePage,
    paging: RwSignal<(u32, Option<u32>)>,
) -> Option<impl IntoView + use<>> {
    let i18n = use_i18n();
    (p.total > 0).then(|| {
        let first = p.page * p.page_size + 1;
        let last = (first + p.messages.len() as u32)
            .saturating_sub(1)
            .max(first);
        let total = p.total;
        let has_older = (p.page + 1) * p.page_size < p.total;
        let anchor = p.anchor;
        let page = p.page;
        view! {
            <nav class="pager" aria-label=move || t_string!(i18n, paging)>
                <button
                    type="button"
                    data-testid="newer-page"
                    disabled=page == 0
                    on:click=move |_| paging.set((page.saturating_sub(1), Some(anchor)))
                >
                    "‹ "
                    {t!(i18n, newer_page)}
                </button>
                <span>{t!(i18n, page_info, first = first, last = last, total = total)}</span>
                <button
                    type="button"
                    data-testid="older-page"
                    disabled=!has_older
                    on:click=move |_| paging.set((page + 1, Some(anchor)))
                >
                    {t!(i18n, older_page)}
                    " ›"
                </button>
            </nav>
        }
    })
}
