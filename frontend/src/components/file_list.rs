//! Files being uploaded, as the composer's attachments and the transfer
//! page both list them: adding picked files and uploading them
//! ([`upload_files`]), and one row per file (name, size, progress, the
//! "sent as a link" note, errors, remove).

use crate::components::error_text::error_text;
use crate::core::format::{SizeUnits, format_size};
use crate::core::upload::{Cancel, delete_upload, upload_file};
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::AttachmentRef;
use postern_shared::limits::{
    MAX_ATTACHMENT_BYTES, MAX_STANDALONE_TRANSFER_BYTES, MAX_WEBMAIL_TRANSFER_BYTES,
};
use std::rc::Rc;

/// Name and size of a file as shown.
#[derive(Debug, Clone, PartialEq)]
pub struct FileInfo {
    pub name: String,
    pub size: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    Uploading,
    Done,
    Error(String),
}

/// One file of the list; `key` tells rows apart (names may repeat).
#[derive(Clone)]
pub struct FileItem {
    pub key: u32,
    pub info: FileInfo,
    pub state: RwSignal<FileState>,
    pub sent: RwSignal<u64>,
    pub aref: RwSignal<Option<AttachmentRef>>,
    pub cancel: StoredValue<Cancel, LocalStorage>,
}

impl FileItem {
    pub fn new(key: u32, info: FileInfo, state: FileState, aref: Option<AttachmentRef>) -> Self {
        Self {
            key,
            info,
            state: RwSignal::new(state),
            sent: RwSignal::new(0),
            aref: RwSignal::new(aref),
            cancel: StoredValue::new_local(Cancel::default()),
        }
    }

    /// The file was removed: an upload in progress is aborted and deleted,
    /// a finished one deleted (best effort). Parts of stored messages stay.
    pub fn discard(&self) {
        if let Some(c) = self.cancel.try_get_value() {
            c.cancel();
        }
        if let Some(Some(AttachmentRef::Upload { id })) = self.aref.try_get_untracked() {
            delete_upload(id);
        }
    }

    /// The list is going away: an upload still going is of no use.
    pub fn abandon(&self) {
        if self.state.try_get_untracked() == Some(FileState::Uploading) {
            self.discard();
        }
    }
}

/// Told the row and the upload id once a file is stored (boxed: one copy
/// of the upload code for every caller).
pub type OnStored = Rc<dyn Fn(&FileItem, String)>;

/// Lists each file of `list` as a new row (`add`, keys from `next_key`)
/// and uploads it, a `standalone` transfer or an attachment; a file above
/// that limit only shows why. `stored` gets the row and the upload id once
/// the server has the whole file (it marks the row done).
pub fn upload_files(
    i18n: I18nContext,
    list: web_sys::FileList,
    standalone: bool,
    next_key: StoredValue<u32>,
    add: &dyn Fn(&FileItem),
    stored: OnStored,
) {
    let max = if standalone {
        MAX_STANDALONE_TRANSFER_BYTES
    } else {
        MAX_WEBMAIL_TRANSFER_BYTES
    };
    for i in 0..list.length() {
        let Some(file) = list.item(i) else { continue };
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        let size = file.size() as u64;
        let info = FileInfo {
            name: file.name(),
            size,
        };
        let it = FileItem::new(key, info, FileState::Uploading, None);
        add(&it);
        if size > max {
            let why = if standalone {
                t_string!(i18n, file_too_big_transfer)
            } else {
                t_string!(i18n, file_too_big)
            };
            it.state.set(FileState::Error(why.to_string()));
            continue;
        }
        let (sent, cancel) = (it.sent, it.cancel.get_value());
        let stored = stored.clone();
        spawn_local(async move {
            let r = upload_file(
                file,
                standalone,
                Rc::new(move |n| sent.set(n)),
                cancel.clone(),
            )
            .await;
            if cancel.is_cancelled() {
                return;
            }
            match r {
                Ok(up) => stored(&it, up.id),
                Err(e) => it.state.set(FileState::Error(error_text(i18n, &e))),
            }
        });
    }
}

/// The size units in the user's language.
pub fn size_units(i18n: I18nContext) -> SizeUnits<'static> {
    SizeUnits {
        b: t_string!(i18n, unit_b),
        kb: t_string!(i18n, unit_kb),
        mb: t_string!(i18n, unit_mb),
        gb: t_string!(i18n, unit_gb),
        decimal_sep: t_string!(i18n, decimal_sep),
    }
}

/// One file: name, size, progress, link note, error, remove.
#[component]
pub fn FileRow(item: FileItem, on_remove: Callback<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let FileItem {
        key,
        info,
        state,
        sent,
        ..
    } = item;
    let size = info.size;
    let name = info.name.clone();
    let state_attr = move || match state.get() {
        FileState::Uploading => "uploading",
        FileState::Done => "done",
        FileState::Error(_) => "error",
    };
    view! {
        <li class="file" data-testid="attachment" data-state=state_attr>
            <span class="name">{info.name.clone()}</span>
            <span class="size">{move || format_size(size, size_units(i18n))}</span>
            <progress
                data-testid="upload-progress"
                max=size.max(1).to_string()
                value=move || {
                    if state.get() == FileState::Done { size.max(1) } else { sent.get().min(size) }.to_string()
                }
                aria-label=move || t_string!(i18n, upload_progress, name = name.clone()).to_string()
            ></progress>
            {(size > MAX_ATTACHMENT_BYTES && size <= MAX_WEBMAIL_TRANSFER_BYTES)
                .then(|| view! { <span class="note">{t!(i18n, sent_as_link)}</span> })}
            {move || match state.get() {
                FileState::Error(e) => {
                    Some(
                        view! {
                            <span class="file-error" role="alert">
                                {e}
                                {(size > MAX_WEBMAIL_TRANSFER_BYTES)
                                    .then(|| view! { " " <a href="/transfer" rel="external">{t!(i18n, transfer_page)}</a> })}
                            </span>
                        },
                    )
                }
                _ => None,
            }}
            <button
                type="button"
                class="icon-button"
                data-testid="remove-attachment"
                aria-label=move || t_string!(i18n, remove_file, name = info.name.clone()).to_string()
                on:click=move |_| on_remove.run(key)
            >
                "×"
            </button>
        </li>
    }
}
