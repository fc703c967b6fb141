//! Live updates (issue 15): the open mailbox's event stream
//! (`GET /api/mailboxes/{mb}/events`, `postern_shared::live`). Each event
//! is a folder's state as Dovecot counts it; compared with the one seen
//! before, it says what to ask again: the counts in the folder tree are
//! patched in place, the list on screen is asked again when its folder
//! changed (the gateway's list cache makes that cheap), the tree when a
//! folder came or went. After a reconnect the stream starts with every
//! folder's state, so whatever happened meanwhile is caught up the same
//! way. The browser's `EventSource` reconnects by itself after a stream
//! ends; when it gives up (an error answer: the service is down, the
//! session is gone) we open a new one with back-off, up to 30 s.
//!
//! New Inbox mail while the tab is hidden: a desktop notification (sender,
//! subject) once the user allowed them ([`NotifyButton`]); the installed
//! app's badge shows the Inbox's unread count where browsers have one.

use super::MailCtx;
use crate::core::api;
use crate::core::browser::sleep;
use crate::core::format::address_label;
use crate::core::http::from_json;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::MessageFilter;
use postern_shared::live::{EVENT_FOLDER, EVENT_SNAPSHOT, EVENT_TREE, FolderState};
use postern_shared::wire::routes::Route;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{EventSource, MessageEvent};

const FIRST_RETRY_MS: i32 = 1_000;
const MAX_RETRY_MS: i32 = 30_000;

/// The open stream and the closures it calls (kept alive with it).
struct Open {
    source: EventSource,
    _events: Vec<Closure<dyn FnMut(MessageEvent)>>,
    _status: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

thread_local! {
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
    /// What the last events said, by folder path, and of which mailbox.
    static KNOWN: RefCell<(i64, HashMap<String, FolderState>)> = RefCell::new((0, HashMap::new()));
    /// Bumped on every close: a pending reconnect of an older stream stops.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static RETRY_MS: Cell<i32> = const { Cell::new(FIRST_RETRY_MS) };
}

/// Follows the shown mailbox's changes while the mail pages are up.
pub fn follow(ctx: MailCtx) {
    let i18n = use_i18n();
    Effect::new(move || {
        let mb = ctx.mailbox.get();
        if mb > 0 {
            open(ctx, i18n, mb);
        }
    });
    on_cleanup(close);
}

fn close() {
    GENERATION.with(|g| g.set(g.get().wrapping_add(1)));
    if let Some(o) = OPEN.with(|o| o.borrow_mut().take()) {
        o.source.close();
    }
}

fn open(ctx: MailCtx, i18n: I18nContext, mb: i64) {
    close();
    KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        if k.0 != mb {
            *k = (mb, HashMap::new());
        }
    });
    let url = api::url(&Route::MailboxEvents { mb }, &());
    let Ok(source) = EventSource::new(&url) else {
        return;
    };
    let on = |name: &str, f: fn(MailCtx, I18nContext, &str)| {
        let cb = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(data) = e.data().as_string() {
                f(ctx, i18n, &data);
            }
        });
        let _ = source.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref());
        cb
    };
    let events = vec![
        on(EVENT_SNAPSHOT, |ctx, i18n, d| states(ctx, i18n, d, false)),
        on(EVENT_TREE, |ctx, i18n, d| states(ctx, i18n, d, true)),
        on(EVENT_FOLDER, |ctx, i18n, d| {
            if let Some(s) = from_json::<FolderState>(d) {
                folder(ctx, i18n, s);
            }
        }),
    ];
    let opened = Closure::<dyn FnMut(web_sys::Event)>::new(|_| {
        RETRY_MS.with(|r| r.set(FIRST_RETRY_MS));
    });
    let generation = GENERATION.with(Cell::get);
    let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        let gave_up = OPEN.with(|o| {
            o.borrow()
                .as_ref()
                .is_some_and(|o| o.source.ready_state() == EventSource::CLOSED)
        });
        if gave_up && GENERATION.with(Cell::get) == generation {
            let wait = RETRY_MS.with(|r| {
                let w = r.get();
                r.set((w * 2).min(MAX_RETRY_MS));
                w
            });
            spawn_local(async move {
                sleep(wait).await;
                if GENERATION.with(Cell::get) == generation && ctx.mailbox.get_untracked() == mb {
                    open(ctx, i18n, mb);
                }
            });
        }
    });
    let _ = source.add_event_listener_with_callback("open", opened.as_ref().unchecked_ref());
    let _ = source.add_event_listener_with_callback("error", failed.as_ref().unchecked_ref());
    OPEN.with(|o| {
        *o.borrow_mut() = Some(Open {
            source,
            _events: events,
            _status: vec![opened, failed],
        })
    });
}

/// A snapshot (every folder: the stream's first event, and after a
/// folder came or went).
fn states(ctx: MailCtx, i18n: I18nContext, data: &str, tree: bool) {
    let Some(all) = from_json::<Vec<FolderState>>(data) else {
        return;
    };
    let before = KNOWN.with(|k| {
        let mut k = k.borrow_mut();
        std::mem::replace(
            &mut k.1,
            all.iter().map(|s| (s.path.clone(), s.clone())).collect(),
        )
    });
    // The first state of this tab: the list on screen was asked before the
    // stream opened, and what changed in between is told by nothing else.
    if before.is_empty() {
        ctx.reload_list.update(|n| *n += 1);
    }
    let same_tree = before.is_empty()
        || (before.len() == all.len() && all.iter().all(|s| before.contains_key(&s.path)));
    if tree || !same_tree {
        ctx.reload_folders.update(|n| *n += 1);
    }
    for s in &all {
        match before.get(&s.path) {
            Some(b) => changed(ctx, i18n, b, s),
            // A folder new to this tab (a new mailbox's INBOX is made by
            // its first delivery): the list on screen may be it.
            None if !before.is_empty() => appeared(ctx, s),
            None => {}
        }
    }
    counts(ctx, &all);
}

fn folder(ctx: MailCtx, i18n: I18nContext, s: FolderState) {
    let before = KNOWN.with(|k| k.borrow_mut().1.insert(s.path.clone(), s.clone()));
    match before {
        Some(b) => changed(ctx, i18n, &b, &s),
        None => {
            ctx.reload_folders.update(|n| *n += 1);
            appeared(ctx, &s);
        }
    }
    counts(ctx, std::slice::from_ref(&s));
}

fn appeared(ctx: MailCtx, s: &FolderState) {
    if ctx.folder.get_untracked() == s.path {
        ctx.reload_list.update(|n| *n += 1);
    }
}

fn changed(ctx: MailCtx, i18n: I18nContext, before: &FolderState, now: &FolderState) {
    if now.messages_changed(before) && ctx.folder.get_untracked() == now.path {
        ctx.reload_list.update(|n| *n += 1);
    }
    if now.path == "INBOX" && now.arrived_since(before) {
        notify_arrivals(ctx, i18n, before.uid_next);
    }
}

/// The folder tree's counts, patched in place; the app badge.
fn counts(ctx: MailCtx, states: &[FolderState]) {
    let differs = ctx.folders.with_untracked(|fs| {
        fs.iter().any(|f| {
            states
                .iter()
                .any(|s| s.path == f.path && (s.total != f.total || s.unread != f.unread))
        })
    });
    if differs {
        ctx.folders.update(|fs| {
            for f in fs.iter_mut() {
                if let Some(s) = states.iter().find(|s| s.path == f.path) {
                    f.total = s.total;
                    f.unread = s.unread;
                }
            }
        });
    }
    if let Some(inbox) = states.iter().find(|s| s.path == "INBOX") {
        set_badge(inbox.unread);
    }
}

/// `navigator.setAppBadge(n)` / `clearAppBadge()` where the browser has
/// them (an installed app); nothing elsewhere.
fn set_badge(unread: u32) {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let (name, args) = if unread > 0 {
        ("setAppBadge", js_sys::Array::of1(&unread.into()))
    } else {
        ("clearAppBadge", js_sys::Array::new())
    };
    if let Ok(f) = js_sys::Reflect::get(&nav, &name.into())
        && let Some(f) = f.dyn_ref::<js_sys::Function>()
        && let Ok(p) = f.apply(&nav, &args)
        && let Ok(p) = p.dyn_into::<js_sys::Promise>()
    {
        // A refusal (not installed) is no error of ours.
        spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        });
    }
}

fn notifications_allowed() -> bool {
    web_sys::Notification::permission() == web_sys::NotificationPermission::Granted
}

fn has_notifications() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::has(&w, &"Notification".into()).ok())
        .unwrap_or(false)
}

/// A desktop notification per new unread Inbox message (at most three)
/// while the tab is hidden.
fn notify_arrivals(ctx: MailCtx, i18n: I18nContext, since_uid: u32) {
    let hidden = web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden());
    if !hidden || !has_notifications() || !notifications_allowed() {
        return;
    }
    let mb = ctx.mailbox.get_untracked();
    let fallback = t_string!(i18n, new_mail_notification).to_string();
    spawn_local(async move {
        let url = api::list_url(mb, "INBOX", MessageFilter::Unread, "", 0, None);
        let Ok(page) = api::list(url).await else {
            return;
        };
        for m in page.messages.iter().filter(|m| m.uid >= since_uid).take(3) {
            let title = m
                .from
                .as_ref()
                .map(address_label)
                .unwrap_or_else(|| fallback.clone());
            let options = web_sys::NotificationOptions::new();
            options.set_body(&m.subject);
            options.set_tag(&format!("postern-{mb}-{}", m.uid));
            let _ = web_sys::Notification::new_with_options(&title, &options);
        }
    });
}

/// "Notify me of new mail": asks the browser's permission (it needs a
/// click); shown while the user has not answered.
#[component]
pub fn NotifyButton() -> impl IntoView {
    let i18n = use_i18n();
    let undecided = RwSignal::new(
        has_notifications()
            && web_sys::Notification::permission() == web_sys::NotificationPermission::Default,
    );
    move || {
        undecided.get().then(|| {
            view! {
                <button
                    type="button"
                    class="link-button notify-toggle"
                    data-testid="notify-toggle"
                    on:click=move |_| {
                        if let Ok(p) = web_sys::Notification::request_permission() {
                            spawn_local(async move {
                                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
                                undecided.set(false);
                            });
                        }
                    }
                >
                    {t!(i18n, notify_new_mail)}
                </button>
            }
        })
    }
}
