//! The message list (R-MAIL-2): newest first, 50 a page with anchored
//! paging, server-side filter and search, stars, selection (shift-click
//! for a range, the page, or every message matching) and bulk actions,
//! keyboard shortcuts (`shortcuts.rs`, `?` lists them). Rows are keyed by
//! UID and the cursor follows a UID: a row arriving on top keeps the
//! cursor, the selection and the other rows' DOM nodes.

pub mod shortcuts;

use super::{MailCtx, use_mail};
use crate::components::filter_menu::FilterMenu;
use crate::components::move_select::MoveSelect;
use crate::components::star::StarButton;
use crate::core::api;
use crate::core::browser::{confirm, focus, format_list_date, iso_date, sleep};
use crate::core::format::{address_label, message_href};
use crate::core::status::use_status;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::ApiError;
use postern_shared::api::{Flag, MessageFilter, MessagePage, MessageSummary};
use postern_shared::folders::SpecialUse;
use postern_shared::limits::{LARGE_FOLDER_HINT, MAX_UIDS_PER_REQUEST, TRASH_RETENTION_DAYS};
use shortcuts::Shortcut;
use std::collections::BTreeSet;

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

/// Where `e` (archive) moves to: the mailbox's Archive folder (SPECIAL-USE
/// `\Archive`); `None` when already there, or when there is none (the
/// page then says so). The list's key and the reader's.
pub fn archive_destination(ctx: MailCtx, i18n: I18nContext) -> Option<String> {
    let archive = ctx.folders.with_untracked(|fs| {
        fs.iter()
            .find(|f| f.special == Some(SpecialUse::Archive) && f.selectable)
            .map(|f| f.path.clone())
    });
    if archive.is_none() {
        ctx.error
            .set(Some(t_string!(i18n, no_archive_folder).to_string()));
    }
    archive.filter(|a| *a != ctx.folder.get_untracked())
}

/// What a bulk action applies to.
#[derive(Debug, Clone, PartialEq)]
enum Scope {
    These(Vec<u32>),
    /// Every message of the folder matching the filter and search, below
    /// the page's anchor ("select all N matching").
    Matching,
}

#[derive(Debug, Clone, PartialEq)]
enum Bulk {
    Flag(Flag, bool),
    Move(String),
    Delete,
}

/// Every UID the list's query matches below `anchor`, page by page through
/// the list route (newest first).
async fn matching_uids(
    mb: i64,
    folder: &str,
    filter: MessageFilter,
    q: &str,
    anchor: u32,
) -> Result<Vec<u32>, ApiError> {
    let mut uids = Vec::new();
    for page in 0.. {
        let p = api::list(api::list_url(mb, folder, filter, q, page, Some(anchor))).await?;
        uids.extend(p.messages.iter().map(|m| m.uid));
        if p.messages.is_empty() || uids.len() as u32 >= p.total {
            break;
        }
    }
    Ok(uids)
}

/// The selector's element gets the focus once it is enabled (a select that
/// a new selection enables, or the end of a bulk action in flight), for
/// up to a second.
fn focus_when_enabled(selector: &'static str) {
    spawn_local(async move {
        for _ in 0..20 {
            let enabled = document()
                .query_selector(selector)
                .ok()
                .flatten()
                .is_some_and(|e| !e.has_attribute("disabled"));
            if enabled {
                focus(selector);
                return;
            }
            sleep(50).await;
        }
    });
}

#[component]
pub fn MessageList() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let status = use_status();
    let navigate = use_navigate();
    let compose = super::compose::use_compose();

    let filter = RwSignal::new(MessageFilter::All);
    let query = RwSignal::new(String::new());
    let search_input = RwSignal::new(String::new());
    // (page, anchor): one signal so a page change is one request.
    let paging = RwSignal::new((0u32, None::<u32>));
    let selected = RwSignal::new(BTreeSet::<u32>::new());
    // Every message matching, not only the page's (the whole page is selected).
    let all_matching = RwSignal::new(false);
    // The checkbox clicked last: a shift-click selects from it.
    let last_clicked = StoredValue::new(None::<u32>);
    // The cursor's message, and its row's index when it was put there.
    let cursor = RwSignal::new(None::<u32>);
    let cursor_at = StoredValue::new(0usize);
    let loading = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let help = RwSignal::new(false);

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
    // "All matching" means this folder, filter and search.
    Effect::new(move || {
        ctx.folder.track();
        filter.track();
        query.track();
        all_matching.set(false);
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
                    let uids: Vec<u32> = p.messages.iter().map(|m| m.uid).collect();
                    selected.update(|s| s.retain(|u| uids.contains(u)));
                    // The cursor's message left (moved, deleted): the row
                    // now in its place takes the cursor.
                    let c = cursor.get_untracked();
                    if c.is_some_and(|c| !uids.contains(&c)) {
                        cursor.set(shortcuts::current(&uids, c, cursor_at.get_value()));
                    }
                    ctx.page.set(Some(p));
                }
                Err(e) => ctx.show_error(i18n, &e),
            }
        }
    });

    let rows = move || ctx.page.get().map(|p| p.messages).unwrap_or_default();
    let uids = move || {
        ctx.page.with_untracked(|p| {
            p.as_ref()
                .map(|p| p.messages.iter().map(|m| m.uid).collect::<Vec<u32>>())
                .unwrap_or_default()
        })
    };
    let all_selected = move || {
        ctx.page.with(|p| {
            p.as_ref().is_some_and(|p| {
                !p.messages.is_empty()
                    && selected.with(|s| p.messages.iter().all(|m| s.contains(&m.uid)))
            })
        })
    };
    // "All matching" holds while the whole page stays selected.
    Effect::new(move || {
        if !all_selected() && all_matching.get_untracked() {
            all_matching.set(false);
        }
    });
    let total = move || ctx.page.with(|p| p.as_ref().map_or(0, |p| p.total));
    let page_len = move || {
        ctx.page
            .with(|p| p.as_ref().map_or(0, |p| p.messages.len()))
    };
    let nothing_selected =
        move || busy.get() || (selected.with(|s| s.is_empty()) && !all_matching.get());
    let selection = move || {
        if all_matching.get_untracked() {
            Scope::Matching
        } else {
            Scope::These(selected.get_untracked().into_iter().collect())
        }
    };
    let after_bulk = move || {
        selected.set(BTreeSet::new());
        all_matching.set(false);
        ctx.reload_list.update(|n| *n += 1);
        ctx.reload_folders.update(|n| *n += 1);
    };

    // One bulk action: on the UIDs given, or on every message matching
    // (collected first, then sent in slices the gateway accepts).
    let run = move |scope: Scope, op: Bulk| {
        let count = match &scope {
            Scope::These(u) if u.is_empty() => return,
            Scope::These(u) => u.len() as u32,
            Scope::Matching => total(),
        };
        if op == Bulk::Delete && count > 1 {
            let msg = t_string!(i18n, confirm_delete_messages, count = count).to_string();
            if !confirm(&msg) {
                return;
            }
        }
        if let Bulk::Flag(flag, v) = op {
            let shown = match &scope {
                Scope::These(u) => u.clone(),
                Scope::Matching => uids(),
            };
            for u in shown {
                ctx.update_row(u, |m| match flag {
                    Flag::Seen => m.seen = v,
                    Flag::Flagged => m.flagged = v,
                });
            }
        }
        let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
        let (f, q) = (filter.get_untracked(), query.get_untracked());
        let anchor = ctx.page.with_untracked(|p| p.as_ref().map(|p| p.anchor));
        busy.set(true);
        spawn_local(async move {
            let uids = match (scope, anchor) {
                (Scope::These(u), _) => u,
                (Scope::Matching, Some(a)) => match matching_uids(mb, &folder, f, &q, a).await {
                    Ok(u) => u,
                    Err(e) => {
                        busy.set(false);
                        ctx.show_error(i18n, &e);
                        return;
                    }
                },
                (Scope::Matching, None) => Vec::new(),
            };
            let mut result = Ok(());
            for slice in uids.chunks(MAX_UIDS_PER_REQUEST) {
                let (folder, slice) = (folder.clone(), slice.to_vec());
                result = match &op {
                    Bulk::Flag(flag, v) => api::set_flag(mb, folder, slice, *flag, *v).await,
                    Bulk::Move(to) => api::move_messages(mb, folder, slice, to.clone())
                        .await
                        .map(drop),
                    Bulk::Delete => api::delete_messages(mb, folder, slice).await.map(drop),
                };
                if result.is_err() {
                    break;
                }
            }
            busy.set(false);
            if let Err(e) = result {
                ctx.show_error(i18n, &e);
            }
            after_bulk();
        });
    };
    let move_to = Callback::new(move |to: String| run(selection(), Bulk::Move(to)));

    // Keyboard (`shortcuts.rs`): the reader takes its own while a message
    // is open; keys act on the selection, else on the cursor's row.
    let set_cursor = move |i: usize, uid: u32| {
        cursor_at.set_value(i);
        cursor.set(Some(uid));
    };
    // The open message is the cursor's (once its page is here too).
    Effect::new(move || {
        if let Some(u) = ctx.uid.get()
            && let Some(i) = ctx.page.with(|p| {
                p.as_ref()
                    .and_then(|p| p.messages.iter().position(|m| m.uid == u))
            })
        {
            set_cursor(i, u);
        }
    });
    let focus_row = move |uid: u32| {
        focus(&format!(
            "[data-testid=\"message-row\"][data-uid=\"{uid}\"] a.open"
        ))
    };
    let nav_key = navigate.clone();
    let open_uid = move |uid: u32| {
        nav_key(
            &message_href(
                ctx.mailbox.get_untracked(),
                &ctx.folder.get_untracked(),
                uid,
            ),
            Default::default(),
        )
    };
    let toggle_selected = move |uid: u32| {
        selected.update(|s| {
            if !s.remove(&uid) {
                s.insert(uid);
            }
        });
        last_clicked.set_value(Some(uid));
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(a) = shortcuts::from_event(&ev) else {
            return;
        };
        let reading = ctx.uid.get_untracked().is_some();
        if reading && a.in_reader() {
            return;
        }
        match a {
            Shortcut::Help => {
                ev.prevent_default();
                shortcuts::open_help(help);
                return;
            }
            Shortcut::Compose => {
                ev.prevent_default();
                compose.open_new();
                return;
            }
            Shortcut::Search => {
                ev.prevent_default();
                focus("input[data-testid=\"search\"]");
                return;
            }
            _ => {}
        }
        let list = uids();
        let last = cursor_at.get_value();
        let cur = shortcuts::current(&list, cursor.get_untracked(), last);
        // The selection, else the cursor's row.
        let scope = || match (selected.with_untracked(|s| s.is_empty()), cur) {
            (true, Some(u)) => Scope::These(vec![u]),
            _ => selection(),
        };
        match a {
            Shortcut::Next | Shortcut::Previous => {
                if let Some((i, u)) =
                    shortcuts::step(&list, cursor.get_untracked(), last, a == Shortcut::Next)
                {
                    ev.prevent_default();
                    set_cursor(i, u);
                    if reading {
                        open_uid(u);
                    } else {
                        focus_row(u);
                    }
                }
            }
            Shortcut::Open => {
                if let Some(u) = cur {
                    ev.prevent_default();
                    open_uid(u);
                }
            }
            Shortcut::Star => {
                if let Some(m) = cur.and_then(|u| rows().into_iter().find(|m| m.uid == u)) {
                    toggle_star(ctx, i18n, m.uid, !m.flagged);
                }
            }
            Shortcut::Select => {
                if let Some(u) = cur {
                    ev.prevent_default();
                    toggle_selected(u);
                }
            }
            Shortcut::MarkRead | Shortcut::MarkUnread => {
                run(scope(), Bulk::Flag(Flag::Seen, a == Shortcut::MarkRead))
            }
            Shortcut::Archive => {
                if let Some(to) = archive_destination(ctx, i18n) {
                    run(scope(), Bulk::Move(to))
                }
            }
            Shortcut::Delete => run(scope(), Bulk::Delete),
            Shortcut::Move => {
                ev.prevent_default();
                if let (true, Some(u)) = (selected.with_untracked(|s| s.is_empty()), cur) {
                    toggle_selected(u);
                }
                focus_when_enabled(".bulk-bar select[data-testid=\"move\"]");
            }
            _ => {}
        }
    };
    let handle = shortcuts::listen(on_key);
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
                data-testid="select-all"
                aria-label=move || t_string!(i18n, select_all)
                title=move || t_string!(i18n, select_all)
                prop:checked=all_selected
                on:change=move |ev| {
                    if event_target_checked(&ev) {
                        selected.set(uids().into_iter().collect());
                    } else {
                        selected.set(BTreeSet::new());
                    }
                }
            />
            <span class="count" data-testid="selected-count">
                {move || {
                    let n = selected.with(|s| s.len());
                    if all_matching.get() {
                        Some(t_string!(i18n, all_matching_selected, count = total()).to_string())
                    } else {
                        (n > 0).then(|| t_string!(i18n, selected_count, count = n).to_string())
                    }
                }}
            </span>
            {move || {
                (all_selected() && !all_matching.get() && total() as usize > page_len())
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="link-button"
                                data-testid="select-all-matching"
                                on:click=move |_| all_matching.set(true)
                            >
                                {t!(i18n, select_all_matching, count = total())}
                            </button>
                        }
                    })
            }}
            {move || {
                all_matching
                    .get()
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="link-button"
                                data-testid="clear-selection"
                                on:click=move |_| {
                                    all_matching.set(false);
                                    selected.set(BTreeSet::new());
                                }
                            >
                                {t!(i18n, clear_selection)}
                            </button>
                        }
                    })
            }}
            <button
                type="button"
                data-testid="mark-read"
                disabled=nothing_selected
                on:click=move |_| run(selection(), Bulk::Flag(Flag::Seen, true))
            >
                {t!(i18n, mark_read)}
            </button>
            <button
                type="button"
                data-testid="mark-unread"
                disabled=nothing_selected
                on:click=move |_| run(selection(), Bulk::Flag(Flag::Seen, false))
            >
                {t!(i18n, mark_unread)}
            </button>
            <button
                type="button"
                data-testid="bulk-star"
                disabled=nothing_selected
                on:click=move |_| run(selection(), Bulk::Flag(Flag::Flagged, true))
            >
                {t!(i18n, star)}
            </button>
            <button
                type="button"
                data-testid="bulk-unstar"
                disabled=nothing_selected
                on:click=move |_| run(selection(), Bulk::Flag(Flag::Flagged, false))
            >
                {t!(i18n, unstar)}
            </button>
            <MoveSelect
                folders=ctx.folders
                current=ctx.folder
                on_move=move_to
                disabled=Signal::derive(nothing_selected)
            />
            <super::report::ReportButton
                disabled=Signal::derive(move || nothing_selected() || all_matching.get())
                on_report=Callback::new(move |_| {
                    let uids = selected.get_untracked().into_iter().collect();
                    super::report::report(ctx, i18n, uids, after_bulk)
                })
            />
            <button
                type="button"
                class="danger"
                data-testid="delete"
                disabled=nothing_selected
                on:click=move |_| run(selection(), Bulk::Delete)
            >
                {t!(i18n, delete)}
            </button>
        </div>
        <ul
            class="message-list"
            data-testid="message-list"
            role="list"
            aria-busy=move || (loading.get() || busy.get()).to_string()
            aria-label=move || t_string!(i18n, messages)
        >
            <For
                each=rows
                key=|m| m.uid
                children=move |m| {
                    view! {
                        <MessageRow
                            message=m
                            selected=selected
                            last_clicked=last_clicked
                            cursor=cursor
                            on_focus=Callback::new(move |uid| {
                                if let Some(i) = uids().iter().position(|&x| x == uid) {
                                    set_cursor(i, uid);
                                }
                            })
                        />
                    }
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
        <shortcuts::ShortcutsHelp open=help/>
    }
}

#[component]
fn MessageRow(
    message: MessageSummary,
    selected: RwSignal<BTreeSet<u32>>,
    last_clicked: StoredValue<Option<u32>>,
    cursor: RwSignal<Option<u32>>,
    on_focus: Callback<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_mail();
    let uid = message.uid;
    // Keyed by UID: the row stays, its flags follow the page on screen.
    let flags = Memo::new(move |_| {
        ctx.page.with(|p| {
            p.as_ref()
                .and_then(|p| p.messages.iter().find(|m| m.uid == uid))
                .map(|m| (m.seen, m.flagged))
        })
    });
    let (seen0, flagged0) = (message.seen, message.flagged);
    let seen = move || flags.get().map_or(seen0, |f| f.0);
    let flagged = move || flags.get().map_or(flagged0, |f| f.1);
    let href = move || message_href(ctx.mailbox.get(), &ctx.folder.get(), uid);
    view! {
        <li
            data-testid="message-row"
            data-uid=uid.to_string()
            class="message-row"
            class:unread=move || !seen()
            class:flagged=flagged
            class:open=move || ctx.uid.get() == Some(uid)
            class:cursor=move || cursor.get() == Some(uid)
            class:selected=move || selected.with(|s| s.contains(&uid))
        >
            <input
                type="checkbox"
                class="select"
                data-testid="select"
                aria-label=move || t_string!(i18n, select_message)
                prop:checked=move || selected.with(|s| s.contains(&uid))
                // No text selection on a shift-click.
                on:mousedown=move |ev| {
                    if ev.shift_key() {
                        ev.prevent_default();
                    }
                }
                // A click (or Space): this row; with Shift, every row from
                // the one clicked before, selected or cleared like this one.
                on:click=move |ev| {
                    let on = event_target_checked(&ev);
                    let from = if ev.shift_key() { last_clicked.get_value() } else { None };
                    let rows = ctx
                        .page
                        .with_untracked(|p| {
                            p.as_ref()
                                .map(|p| p.messages.iter().map(|m| m.uid).collect::<Vec<u32>>())
                                .unwrap_or_default()
                        });
                    let range = shortcuts::range(&rows, from, uid);
                    selected
                        .update(|s| {
                            for u in range {
                                if on {
                                    s.insert(u);
                                } else {
                                    s.remove(&u);
                                }
                            }
                        });
                    last_clicked.set_value(Some(uid));
                }
            />
            <StarButton
                flagged=Signal::derive(flagged)
                on_toggle=Callback::new(move |v| toggle_star(ctx, i18n, uid, v))
            />
            <a class="open" href=href on:focus=move |_| on_focus.run(uid)>
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
