//! Attachments: files picked or dropped are uploaded at once (resumable,
//! with progress) and attached when done; removing one deletes its upload.

use super::state::ComposerState;
use crate::components::file_list::{FileRow, FileState, upload_files};
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::compose::AttachmentRef;
use std::rc::Rc;

/// Adds the files and starts their uploads (too big ones only show why).
pub fn add_files(cs: ComposerState, list: web_sys::FileList) {
    upload_files(
        cs.i18n,
        list,
        false,
        cs.next_key,
        &|it| cs.files.update(|f| f.push(it.clone())),
        Rc::new(move |it, id| {
            it.aref.set(Some(AttachmentRef::Upload { id }));
            it.state.set(FileState::Done);
            cs.edited();
        }),
    );
}

/// The composer is gone: uploads still going are of no use.
pub fn drop_unfinished(cs: ComposerState) {
    for it in cs.files.try_get_untracked().unwrap_or_default() {
        it.abandon();
    }
}

/// The attachment rows and the "Attach files" button.
pub fn attachments(cs: ComposerState) -> impl IntoView {
    let i18n = cs.i18n;
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            add_files(cs, list);
        }
        input.set_value("");
    };
    let remove = Callback::new(move |key: u32| {
        let mut gone = None;
        cs.files.update(|f| {
            if let Some(i) = f.iter().position(|it| it.key == key) {
                gone = Some(f.remove(i));
            }
        });
        if let Some(it) = gone {
            it.discard();
        }
        cs.edited();
    });
    view! {
        <section class="composer-files" aria-label=move || t_string!(i18n, attachments)>
            <ul role="list">
                {move || {
                    cs.files
                        .get()
                        .into_iter()
                        .map(|it| view! { <FileRow item=it on_remove=remove/> })
                        .collect_view()
                }}
            </ul>
            <label class="attach-button">
                <span aria-hidden="true">"+ "</span>
                {t!(i18n, attach_files)}
                <input
                    type="file"
                    multiple=true
                    class="visually-hidden"
                    data-testid="attach-input"
                    on:change=on_pick
                />
            </label>
            <span class="drop-hint">{t!(i18n, drop_hint)}</span>
        </section>
    }
}
