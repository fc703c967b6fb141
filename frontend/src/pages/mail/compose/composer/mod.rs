//! The composer panel: its title bar (`head.rs`), From, To/Cc/Bcc and
//! Subject (`fields.rs`), the rich body (`../editor.rs`), attachments with
//! drag and drop (`attachments.rs`), draft autosave (`autosave.rs`) and
//! Send (`send.rs`, `undo.rs`). This file puts them together and handles
//! what concerns the whole panel: the body's first content, keys, drops,
//! and leaving.
//!
//! The parts are plain functions, not components: with `erase_components`
//! (`.cargo/config.toml`) every component is its own type-erased view,
//! which would make the bundle bigger for no gain here.

mod attachments;
mod autosave;
mod fields;
mod head;
mod send;
mod state;
mod undo;

use super::editor::Editor;
use super::{ComposeInit, initial_html, use_compose};
use crate::core::browser::focus;
use crate::i18n::*;
use attachments::{add_files, attachments, drop_unfinished};
use fields::header_fields;
use head::title_bar;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send::{block_reason, send_footer};
use state::ComposerState;

#[component]
pub fn Composer(init: ComposeInit) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_compose();
    ctx.load_settings();
    let cs = ComposerState::new(ctx.mailbox(), i18n, &init);
    let edited = Callback::new(move |_| cs.edited());
    let kind = init.draft.original.as_ref().map(|o| o.kind);

    // Body: the draft's HTML, plus the signature in a new message.
    let html = initial_html(&init.draft);
    cs.editor.on_load(move |el| {
        el.set_inner_html(&html);
        if init.focus_editor {
            let _ = el.focus();
        } else {
            spawn_local(async { focus("[data-testid=\"to-input\"]") });
        }
    });
    if init.signature {
        let inserted = StoredValue::new(false);
        Effect::new(move || {
            if let (Some(sig), Some(el)) = (ctx.signature.get(), cs.editor.get())
                && !inserted.get_value()
            {
                inserted.set_value(true);
                let _ = el
                    .insert_adjacent_html("beforeend", &super::prefill::signature_html(&sig.text));
            }
        });
    }
    // Replying before the aliases were known: drop them now.
    if kind.is_some() {
        Effect::new(move || {
            if ctx.identities.get().is_some() {
                let own = ctx.own_addresses();
                for s in [cs.to, cs.cc] {
                    s.update(|v| {
                        v.retain(|c| !own.iter().any(|o| o.eq_ignore_ascii_case(&c.addr.address)))
                    });
                }
            }
        });
    }

    // Leaving (closed, replaced by another composer, another mailbox):
    // the last save, then no more.
    let leave = move || {
        cs.save();
        cs.closed.set(true);
    };
    ctx.set_flush(Some(Callback::new(move |_| leave())));
    let close = move || {
        leave();
        ctx.set_flush(None);
        ctx.open.set(None);
        spawn_local(async { focus("button[data-testid=\"compose\"]") });
    };
    // The page is going away or to the background: save now.
    let h1 = window_event_listener(leptos::ev::pagehide, move |_| cs.save());
    let h2 = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if document().hidden() {
            cs.save();
        }
    });
    on_cleanup(move || {
        h1.remove();
        h2.remove();
        drop_unfinished(cs);
    });

    let block = block_reason(cs);
    let send = move || send::send(cs, ctx, block);
    let dragging = RwSignal::new(false);

    view! {
        <section
            class="composer"
            class:dragging=move || dragging.get()
            role="dialog"
            aria-modal="false"
            aria-labelledby="composer-title"
            data-testid="composer"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close();
                } else if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                    ev.prevent_default();
                    send();
                }
            }
            on:dragover=move |ev| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| {
                ev.prevent_default();
                dragging.set(false);
                if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
                    add_files(cs, list);
                }
            }
        >
            {title_bar(cs, kind, close)}
            <div class="composer-body">
                {header_fields(cs, ctx.identities, edited)}
                <Editor node=cs.editor on_input=edited/>
                {attachments(cs)}
            </div>
            {send_footer(cs, block, send)}
        </section>
    }
}
