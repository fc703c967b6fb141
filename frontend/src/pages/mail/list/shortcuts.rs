//! The webmail's keyboard shortcuts (issue 15): which key is which action
//! (pure, [`action`]), when none applies (typing in a field, a dialog or
//! the composer open, Ctrl/Meta/Alt held: [`from_event`]), the list's
//! range selection ([`range`]) and cursor steps ([`step`]), and the `?`
//! overlay listing them ([`ShortcutsHelp`]). The list (`list.rs`) and the
//! reader (`reader.rs`) each listen on the window: the reader takes the
//! actions of [`Shortcut::in_reader`] while a message is open, the list the
//! rest.

use crate::i18n::*;
use leptos::prelude::*;
use std::cell::RefCell;
use wasm_bindgen::JsCast;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    Next,
    Previous,
    Open,
    Back,
    Reply,
    ReplyAll,
    Forward,
    Compose,
    Star,
    MarkRead,
    MarkUnread,
    Archive,
    Delete,
    Move,
    Search,
    Select,
    Help,
}

impl Shortcut {
    /// Acts on the open message when there is one (the reader's).
    pub fn in_reader(self) -> bool {
        use self::Shortcut::*;
        matches!(
            self,
            Back | Reply | ReplyAll | Forward | Star | MarkUnread | Archive | Delete | Move
        )
    }
}

/// The action of a key (`KeyboardEvent.key`) with or without Shift; `None`
/// for any key with Ctrl, Meta or Alt (the browser's and the system's).
pub fn action(key: &str, shift: bool, ctrl_meta_alt: bool) -> Option<Shortcut> {
    use self::Shortcut::*;
    if ctrl_meta_alt {
        return None;
    }
    Some(match key {
        "j" | "ArrowDown" => Next,
        "k" | "ArrowUp" => Previous,
        "Enter" | "o" => Open,
        "u" | "Escape" => Back,
        "r" => Reply,
        "a" => ReplyAll,
        "f" => Forward,
        "c" => Compose,
        "s" => Star,
        "I" if shift => MarkRead,
        "U" if shift => MarkUnread,
        "e" => Archive,
        "#" | "Delete" => Delete,
        "v" => Move,
        "/" => Search,
        "x" => Select,
        "?" => Help,
        _ => return None,
    })
}

/// The keys the overlay shows for each action, in its order. `DEL` is the
/// Delete key, named in the page's language.
pub const DEL: &str = "Del";
pub const HELP: &[(&[&str], Shortcut)] = &[
    (&["j", "↓"], Shortcut::Next),
    (&["k", "↑"], Shortcut::Previous),
    (&["↵", "o"], Shortcut::Open),
    (&["u", "Esc"], Shortcut::Back),
    (&["r"], Shortcut::Reply),
    (&["a"], Shortcut::ReplyAll),
    (&["f"], Shortcut::Forward),
    (&["c"], Shortcut::Compose),
    (&["s"], Shortcut::Star),
    (&["⇧ I"], Shortcut::MarkRead),
    (&["⇧ U"], Shortcut::MarkUnread),
    (&["e"], Shortcut::Archive),
    (&["#", DEL], Shortcut::Delete),
    (&["v"], Shortcut::Move),
    (&["/"], Shortcut::Search),
    (&["x"], Shortcut::Select),
    (&["?"], Shortcut::Help),
];

/// The UIDs from `anchor` to `target` in the list's order, both included
/// (a shift-click after a click); `target` alone when `anchor` is not on
/// the page (or there was none).
pub fn range(uids: &[u32], anchor: Option<u32>, target: u32) -> Vec<u32> {
    let pos = |u: u32| uids.iter().position(|&x| x == u);
    match (anchor.and_then(pos), pos(target)) {
        (Some(a), Some(t)) => uids[a.min(t)..=a.max(t)].to_vec(),
        _ => vec![target],
    }
}

/// The cursor one row down (`down`) or up: from the cursor's UID, or, when
/// that row left the list (deleted, moved), from where it was (`last`, its
/// index then). The first row when there was no cursor. `None` on an empty
/// list. Answers the new index and UID.
pub fn step(uids: &[u32], cursor: Option<u32>, last: usize, down: bool) -> Option<(usize, u32)> {
    if uids.is_empty() {
        return None;
    }
    let end = uids.len() - 1;
    let i = match cursor {
        None => 0,
        Some(c) => match uids.iter().position(|&u| u == c) {
            Some(i) if down => (i + 1).min(end),
            Some(i) => i.saturating_sub(1),
            // The row at its old place is the next one already.
            None if down => last.min(end),
            None => last.saturating_sub(1).min(end),
        },
    };
    Some((i, uids[i]))
}

/// The row the cursor is on: its UID, or, when that row left the list, the
/// one now where it was.
pub fn current(uids: &[u32], cursor: Option<u32>, last: usize) -> Option<u32> {
    let c = cursor?;
    if uids.contains(&c) {
        Some(c)
    } else {
        uids.get(last.min(uids.len().checked_sub(1)?)).copied()
    }
}

/// What is on screen that takes the keys instead: a modal dialog, the
/// composer, the account menu.
const OVERLAYS: &str = "[aria-modal=\"true\"], .composer, .account-panel";

/// The action of a key press, or `None` when the page should not act on
/// it: modified keys, typing in a field (input, textarea, select, an
/// editable element such as the composer's editor), inside an open folder
/// menu, with a dialog or the composer open, or already handled. Enter on
/// a button or a link is theirs.
pub fn from_event(ev: &web_sys::KeyboardEvent) -> Option<Shortcut> {
    if ev.default_prevented() || ev.is_composing() {
        return None;
    }
    let a = action(
        &ev.key(),
        ev.shift_key(),
        ev.ctrl_key() || ev.meta_key() || ev.alt_key(),
    )?;
    let target = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = &target {
        let typing = match el.tag_name().as_str() {
            "TEXTAREA" | "SELECT" => true,
            "INPUT" => !matches!(
                el.get_attribute("type").as_deref(),
                Some("checkbox" | "radio" | "button")
            ),
            "BUTTON" | "A" => ev.key() == "Enter",
            _ => false,
        };
        if typing
            || el.is_content_editable()
            || el.closest("details[open]").ok().flatten().is_some()
        {
            return None;
        }
    }
    let overlay = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(OVERLAYS).ok().flatten())
        .is_some();
    (!overlay).then_some(a)
}

/// Calls `on_key` for each key pressed on the page, inside the calling
/// component's owner: its contexts are there (the composer asks for the
/// session's addresses; a window listener has no owner of its own).
pub fn listen(on_key: impl Fn(web_sys::KeyboardEvent) + 'static) -> WindowListenerHandle {
    let owner = Owner::current();
    window_event_listener(leptos::ev::keydown, move |ev| match &owner {
        Some(o) => o.with(|| on_key(ev)),
        None => on_key(ev),
    })
}

fn description(i18n: I18nContext, a: Shortcut) -> &'static str {
    use self::Shortcut::*;
    match a {
        Next => t_string!(i18n, key_next),
        Previous => t_string!(i18n, key_previous),
        Open => t_string!(i18n, key_open),
        Back => t_string!(i18n, key_back),
        Reply => t_string!(i18n, reply),
        ReplyAll => t_string!(i18n, reply_all),
        Forward => t_string!(i18n, forward),
        Compose => t_string!(i18n, compose),
        Star => t_string!(i18n, key_star),
        MarkRead => t_string!(i18n, mark_read),
        MarkUnread => t_string!(i18n, mark_unread),
        Archive => t_string!(i18n, key_archive),
        Delete => t_string!(i18n, delete),
        Move => t_string!(i18n, move_to),
        Search => t_string!(i18n, search),
        Select => t_string!(i18n, key_select),
        Help => t_string!(i18n, keyboard_shortcuts),
    }
}

thread_local! {
    /// What had the focus before the overlay opened, to give it back.
    static BEFORE: RefCell<Option<web_sys::HtmlElement>> = const { RefCell::new(None) };
}

/// Opens the overlay, remembering what had the focus.
pub fn open_help(open: RwSignal<bool>) {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    BEFORE.with(|b| *b.borrow_mut() = active);
    open.set(true);
}

/// The `?` overlay: a modal dialog listing every key and its action; Esc
/// or its button closes it and the focus goes back where it was.
#[component]
pub fn ShortcutsHelp(open: RwSignal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let close_button = NodeRef::<leptos::html::Button>::new();
    let close = move || {
        open.set(false);
        if let Some(el) = BEFORE.with(|b| b.borrow_mut().take()) {
            let _ = el.focus();
        }
    };
    Effect::new(move || {
        if let Some(b) = close_button.get() {
            let _ = b.focus();
        }
    });
    view! {
        <Show when=move || open.get()>
            <div class="modal-scrim" on:click=move |_| close()></div>
            <div
                class="modal shortcuts-help"
                role="dialog"
                aria-modal="true"
                aria-labelledby="shortcuts-title"
                data-testid="shortcuts-help"
                on:keydown=move |ev| match ev.key().as_str() {
                    "Escape" | "?" => {
                        ev.prevent_default();
                        close();
                    }
                    // The one control: the focus stays on it.
                    "Tab" => {
                        ev.prevent_default();
                        if let Some(b) = close_button.get() {
                            let _ = b.focus();
                        }
                    }
                    _ => {}
                }
            >
                <h2 id="shortcuts-title">{t!(i18n, keyboard_shortcuts)}</h2>
                <dl class="shortcut-list">
                    {HELP
                        .iter()
                        .map(|(keys, a)| {
                            let a = *a;
                            view! {
                                <div data-testid="shortcut" data-action=format!("{a:?}")>
                                    <dt>
                                        {keys
                                            .iter()
                                            .map(|k| {
                                                let k = *k;
                                                view! {
                                                    <kbd>
                                                        {move || {
                                                            if k == DEL { t_string!(i18n, key_delete) } else { k }
                                                        }}
                                                    </kbd>
                                                }
                                            })
                                            .collect_view()}
                                    </dt>
                                    <dd>{move || description(i18n, a)}</dd>
                                </div>
                            }
                        })
                        .collect_view()}
                </dl>
                <div class="modal-actions">
                    <button
                        type="button"
                        data-testid="shortcuts-close"
                        node_ref=close_button
                        on:click=move |_| close()
                    >
                        {t!(i18n, close)}
                    </button>
                </div>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::Shortcut::*;
    use super::*;

    #[test]
    fn keys_map_to_their_actions() {
        let cases = [
            ("j", false, Next),
            ("ArrowDown", false, Next),
            ("k", false, Previous),
            ("ArrowUp", false, Previous),
            ("Enter", false, Open),
            ("o", false, Open),
            ("u", false, Back),
            ("Escape", false, Back),
            ("r", false, Reply),
            ("a", false, ReplyAll),
            ("f", false, Forward),
            ("c", false, Compose),
            ("s", false, Star),
            ("I", true, MarkRead),
            ("U", true, MarkUnread),
            ("e", false, Archive),
            ("#", true, Delete),
            ("Delete", false, Delete),
            ("v", false, Move),
            ("/", false, Search),
            ("x", false, Select),
            ("?", true, Help),
        ];
        for (key, shift, want) in cases {
            assert_eq!(action(key, shift, false), Some(want), "{key}");
            // Never with Ctrl, Meta or Alt (copy, the browser's search, …).
            assert_eq!(action(key, shift, true), None, "{key} modified");
        }
        // Shift+I / Shift+U only: Caps Lock alone is not them; `u` is back.
        assert_eq!(action("I", false, false), None);
        assert_eq!(action("U", false, false), None);
        assert_eq!(action("i", false, false), None);
        assert_eq!(action("q", false, false), None);
        assert_eq!(action("Tab", false, false), None);
    }

    #[test]
    fn the_overlay_lists_every_action_once() {
        let all = [
            Next, Previous, Open, Back, Reply, ReplyAll, Forward, Compose, Star, MarkRead,
            MarkUnread, Archive, Delete, Move, Search, Select, Help,
        ];
        assert_eq!(HELP.len(), all.len());
        for a in all {
            assert_eq!(HELP.iter().filter(|(_, x)| *x == a).count(), 1, "{a:?}");
        }
        // The reader's: what acts on the open message.
        assert!(Reply.in_reader() && Delete.in_reader() && Back.in_reader());
        assert!(!Next.in_reader() && !Select.in_reader() && !MarkRead.in_reader());
    }

    #[test]
    fn a_shift_click_selects_the_rows_between() {
        let uids = [50, 40, 30, 20, 10];
        assert_eq!(range(&uids, Some(40), 20), vec![40, 30, 20]);
        // Upwards too, in the list's order.
        assert_eq!(range(&uids, Some(10), 30), vec![30, 20, 10]);
        assert_eq!(range(&uids, Some(30), 30), vec![30]);
        // No anchor, or one no longer on the page: the row alone.
        assert_eq!(range(&uids, None, 20), vec![20]);
        assert_eq!(range(&uids, Some(99), 20), vec![20]);
    }

    #[test]
    fn the_cursor_follows_its_message() {
        let uids = [50, 40, 30];
        assert_eq!(step(&uids, None, 0, true), Some((0, 50)));
        assert_eq!(step(&uids, Some(40), 1, true), Some((2, 30)));
        assert_eq!(step(&uids, Some(30), 2, true), Some((2, 30)));
        assert_eq!(step(&uids, Some(40), 1, false), Some((0, 50)));
        assert_eq!(step(&uids, Some(50), 0, false), Some((0, 50)));
        // A row arrived on top: the cursor's message keeps it.
        let arrived = [60, 50, 40, 30];
        assert_eq!(step(&arrived, Some(40), 1, true), Some((3, 30)));
        assert_eq!(current(&arrived, Some(40), 1), Some(40));
        // Its message left: down is the row now in its place.
        let gone = [50, 30];
        assert_eq!(step(&gone, Some(40), 1, true), Some((1, 30)));
        assert_eq!(step(&gone, Some(40), 1, false), Some((0, 50)));
        assert_eq!(current(&gone, Some(40), 1), Some(30));
        assert_eq!(current(&gone, Some(40), 7), Some(30));
        assert_eq!(current(&gone, None, 0), None);
        assert_eq!(current(&[], Some(40), 0), None);
        assert_eq!(step(&[], Some(40), 0, true), None);
    }
}
