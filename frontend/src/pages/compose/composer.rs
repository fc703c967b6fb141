//! The composer panel: From, To/Cc/Bcc, Subject, the rich body,
//! attachments (drag and drop too), draft autosave and Send.
//!
//! Drafts: ~2 s after the last edit, on closing, and when the page is
//! hidden (keepalive fetch). One save at a time; edits made meanwhile are
//! queued as the latest snapshot (the queue outlives the panel, so the
//! save on close still completes).

use super::editor::{Editor, serialize};
use super::prefill::{Chip, distinct_recipients};
use super::recipients::RecipientField;
use super::{ComposeCtx, ComposeInit, FileInfo, Toast, initial_html, use_compose};
use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::browser::{focus, format_time, local_storage_get, local_storage_set, sleep};
use crate::core::format::{SizeUnits, format_size};
use crate::core::upload::{Cancel, delete_upload, upload_file};
use crate::i18n::*;
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::{I18nContext, Locale as _};
use postern_shared::compose::{
    AttachmentRef, DEFAULT_UNDO_SECONDS, Draft, MAX_UNDO_SECONDS, OriginalRef, SaveDraftRequest,
    SendRequest,
};
use postern_shared::limits::{MAX_ATTACHMENT_BYTES, MAX_RECIPIENTS, MAX_WEBMAIL_TRANSFER_BYTES};
use std::cell::RefCell;
use std::rc::Rc;

const UNDO_KEY: &str = "postern.undo_seconds";

/// The user's undo window (localStorage), default 5 s, 0 = off.
pub fn undo_seconds() -> u32 {
    local_storage_get(UNDO_KEY)
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_UNDO_SECONDS)
        .min(MAX_UNDO_SECONDS)
}

pub fn units(i18n: I18nContext<Locale>) -> SizeUnits<'static> {
    SizeUnits {
        b: t_string!(i18n, unit_b),
        kb: t_string!(i18n, unit_kb),
        mb: t_string!(i18n, unit_mb),
        gb: t_string!(i18n, unit_gb),
        decimal_sep: t_string!(i18n, decimal_sep),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileState {
    Uploading,
    Done,
    Error(String),
}

/// One attachment of the composer.
#[derive(Clone)]
pub struct Item {
    pub key: u32,
    pub info: FileInfo,
    pub state: RwSignal<FileState>,
    pub sent: RwSignal<u64>,
    pub aref: RwSignal<Option<AttachmentRef>>,
    pub cancel: StoredValue<Cancel, LocalStorage>,
}

impl Item {
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
}

#[derive(Debug, Clone, PartialEq)]
enum SaveStatus {
    Idle,
    Saving,
    Saved(i64),
    Failed(String),
}

#[derive(Default)]
struct Queue {
    next: Option<(Draft, Vec<u32>)>,
    busy: bool,
    uid: Option<u32>,
}

/// The composer's state: signals only, so it is `Copy`.
#[derive(Clone, Copy)]
struct Cs {
    mb: i64,
    i18n: I18nContext<Locale>,
    from: RwSignal<Option<String>>,
    to: RwSignal<Vec<Chip>>,
    cc: RwSignal<Vec<Chip>>,
    bcc: RwSignal<Vec<Chip>>,
    subject: RwSignal<String>,
    editor: NodeRef<Div>,
    /// The last serialized body, for when the editor is gone.
    body: StoredValue<(String, String)>,
    files: RwSignal<Vec<Item>>,
    original: StoredValue<Option<OriginalRef>>,
    queue: StoredValue<Rc<RefCell<Queue>>, LocalStorage>,
    dirty: RwSignal<bool>,
    edits: RwSignal<u32>,
    closed: RwSignal<bool>,
    sending: RwSignal<bool>,
    status: RwSignal<SaveStatus>,
    error: RwSignal<Option<String>>,
}

impl Cs {
    fn snapshot(self) -> (Draft, Vec<u32>) {
        let (html, text) = match self.editor.try_get_untracked().flatten() {
            Some(el) => {
                let b = serialize(&el);
                self.body.set_value(b.clone());
                b
            }
            None => self.body.try_get_value().unwrap_or_default(),
        };
        let valid = |s: RwSignal<Vec<Chip>>| -> Vec<_> {
            s.try_get_untracked()
                .unwrap_or_default()
                .into_iter()
                .filter(|c| c.valid)
                .map(|c| c.addr)
                .collect()
        };
        let (mut keys, mut attachments) = (Vec::new(), Vec::new());
        for it in self.files.try_get_untracked().unwrap_or_default() {
            if let Some(a) = it.aref.try_get_untracked().flatten() {
                keys.push(it.key);
                attachments.push(a);
            }
        }
        let draft = Draft {
            from: self.from.try_get_untracked().flatten(),
            to: valid(self.to),
            cc: valid(self.cc),
            bcc: valid(self.bcc),
            subject: self.subject.try_get_untracked().unwrap_or_default(),
            html: (!html.is_empty()).then_some(html),
            text,
            attachments,
            original: self.original.try_get_value().flatten(),
        };
        (draft, keys)
    }

    /// Something changed: save ~2 s after the last change.
    fn edited(self) {
        self.dirty.set(true);
        self.edits.update(|n| *n += 1);
        let mine = self.edits.get_untracked();
        spawn_local(async move {
            sleep(2000).await;
            if self.edits.try_get_untracked() == Some(mine) {
                self.save();
            }
        });
    }

    fn save(self) {
        if self.closed.try_get_untracked() != Some(false)
            || self.sending.try_get_untracked() != Some(false)
            || self.dirty.try_get_untracked() != Some(true)
        {
            return;
        }
        self.dirty.set(false);
        let snap = self.snapshot();
        let Some(q) = self.queue.try_get_value() else {
            return;
        };
        {
            let mut b = q.borrow_mut();
            b.next = Some(snap);
            if b.busy {
                return;
            }
            b.busy = true;
        }
        spawn_local(self.run_queue(q));
    }

    async fn run_queue(self, q: Rc<RefCell<Queue>>) {
        loop {
            let (next, replaces) = {
                let mut b = q.borrow_mut();
                (b.next.take(), b.uid)
            };
            let Some((draft, keys)) = next else {
                q.borrow_mut().busy = false;
                return;
            };
            self.status.set(SaveStatus::Saving);
            let req = SaveDraftRequest { draft, replaces };
            let small = serde_json::to_string(&req).map_or(0, |s| s.len()) < 60_000;
            let hidden = document().hidden();
            match api::save_draft(self.mb, &req, hidden && small).await {
                Ok(s) => {
                    q.borrow_mut().uid = Some(s.uid);
                    if s.attachments.len() == keys.len() {
                        for it in self.files.try_get_untracked().unwrap_or_default() {
                            if let Some(i) = keys.iter().position(|k| *k == it.key) {
                                it.aref.set(Some(s.attachments[i].clone()));
                            }
                        }
                    }
                    self.status.set(SaveStatus::Saved(s.saved_at));
                }
                Err(e) => {
                    self.dirty.set(true);
                    self.status
                        .set(SaveStatus::Failed(error_text(self.i18n, &e)));
                }
            }
        }
    }

    fn all_chips(self) -> Vec<Chip> {
        let mut v = self.to.get();
        v.extend(self.cc.get());
        v.extend(self.bcc.get());
        v
    }
}

#[component]
pub fn Composer(init: ComposeInit) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = use_compose();
    ctx.load_settings();
    let mb = ctx.mailbox();
    let d = init.draft.clone();
    let chips = |v: &[postern_shared::api::EmailAddress]| {
        v.iter().cloned().map(Chip::of).collect::<Vec<_>>()
    };
    let show_cc = RwSignal::new(!d.cc.is_empty());
    let show_bcc = RwSignal::new(!d.bcc.is_empty());
    let next_key = StoredValue::new(init.files.len() as u32);
    let cs = Cs {
        mb,
        i18n,
        from: RwSignal::new(d.from.clone()),
        to: RwSignal::new(chips(&d.to)),
        cc: RwSignal::new(chips(&d.cc)),
        bcc: RwSignal::new(chips(&d.bcc)),
        subject: RwSignal::new(d.subject.clone()),
        editor: NodeRef::new(),
        body: StoredValue::new((String::new(), d.text.clone())),
        files: RwSignal::new(
            d.attachments
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let info = init.files.get(i).cloned().unwrap_or(FileInfo {
                        name: format!("#{}", i + 1),
                        size: 0,
                    });
                    Item::new(i as u32, info, FileState::Done, Some(a.clone()))
                })
                .collect(),
        ),
        original: StoredValue::new(d.original.clone()),
        queue: StoredValue::new_local(Rc::new(RefCell::new(Queue {
            uid: init.draft_uid,
            ..Default::default()
        }))),
        dirty: RwSignal::new(false),
        edits: RwSignal::new(0),
        closed: RwSignal::new(false),
        sending: RwSignal::new(false),
        status: RwSignal::new(SaveStatus::Idle),
        error: RwSignal::new(None),
    };
    let edited = Callback::new(move |_| cs.edited());
    let is_reply = d.original.as_ref().map(|o| o.kind);

    // Body: the draft's HTML, plus the signature in a new message.
    let html = initial_html(&d);
    let with_signature = init.signature;
    cs.editor.on_load(move |el| {
        el.set_inner_html(&html);
        if init.focus_editor {
            let _ = el.focus();
        } else {
            spawn_local(async { focus("[data-testid=\"to-input\"]") });
        }
    });
    if with_signature {
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
    if is_reply.is_some() {
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
        // Closed: uploads still going are of no use.
        for it in cs.files.try_get_untracked().unwrap_or_default() {
            if it.state.try_get_untracked() == Some(FileState::Uploading) {
                it.discard();
            }
        }
    });

    // ---------------------------------------------------------- attachments
    let add_files = move |list: web_sys::FileList| {
        for i in 0..list.length() {
            let Some(file) = list.item(i) else { continue };
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            let size = file.size() as u64;
            let info = FileInfo {
                name: file.name(),
                size,
            };
            let it = Item::new(key, info, FileState::Uploading, None);
            cs.files.update(|f| f.push(it.clone()));
            if size > MAX_WEBMAIL_TRANSFER_BYTES {
                it.state
                    .set(FileState::Error(t_string!(i18n, file_too_big).to_string()));
                continue;
            }
            let sent = it.sent;
            let cancel = it.cancel.get_value();
            spawn_local(async move {
                let r =
                    upload_file(file, false, Rc::new(move |n| sent.set(n)), cancel.clone()).await;
                if cancel.is_cancelled() {
                    return;
                }
                match r {
                    Ok(up) => {
                        it.aref.set(Some(AttachmentRef::Upload { id: up.id }));
                        it.state.set(FileState::Done);
                        cs.edited();
                    }
                    Err(e) => it.state.set(FileState::Error(error_text(i18n, &e))),
                }
            });
        }
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            add_files(list);
        }
        input.set_value("");
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(list) = ev.data_transfer().and_then(|d| d.files()) {
            add_files(list);
        }
    };
    let remove_file = move |key: u32| {
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
    };

    // ---------------------------------------------------------- sending
    let block_reason = Memo::new(move |_| {
        let all = cs.all_chips();
        let n = distinct_recipients(all.iter());
        let files = cs.files.get();
        if all.iter().any(|c| !c.valid) {
            Some(t_string!(i18n, fix_invalid).to_string())
        } else if n > MAX_RECIPIENTS {
            Some(t_string!(i18n, too_many_recipients, max = MAX_RECIPIENTS, count = n).to_string())
        } else if n == 0 {
            Some(t_string!(i18n, need_recipient).to_string())
        } else if files.iter().any(|f| f.state.get() == FileState::Uploading) {
            Some(t_string!(i18n, wait_uploads).to_string())
        } else if files
            .iter()
            .any(|f| matches!(f.state.get(), FileState::Error(_)))
        {
            Some(t_string!(i18n, remove_failed).to_string())
        } else {
            None
        }
    });
    let send = move || {
        if block_reason.get_untracked().is_some() || cs.sending.get_untracked() {
            return;
        }
        cs.sending.set(true);
        cs.error.set(None);
        cs.edits.update(|n| *n += 1);
        let (draft, _) = cs.snapshot();
        let files: Vec<FileInfo> = cs
            .files
            .get_untracked()
            .into_iter()
            .filter(|f| f.aref.get_untracked().is_some())
            .map(|f| f.info)
            .collect();
        let Some(q) = cs.queue.try_get_value() else {
            return;
        };
        spawn_local(async move {
            while q.borrow().busy {
                sleep(100).await;
            }
            let draft_uid = q.borrow().uid;
            let undo = undo_seconds();
            let r = api::send(
                mb,
                &SendRequest {
                    draft: draft.clone(),
                    draft_uid,
                    undo_seconds: undo,
                },
            )
            .await;
            match r {
                Ok(out) => {
                    cs.closed.set(true);
                    ctx.set_flush(None);
                    ctx.open.set(None);
                    super::toast::follow(
                        ctx,
                        Toast {
                            left: undo,
                            out,
                            draft,
                            draft_uid,
                            files,
                            note: None,
                        },
                    );
                }
                Err(e) => {
                    cs.sending.set(false);
                    cs.error.set(Some(error_text(i18n, &e)));
                }
            }
        });
    };

    let title = move || match is_reply {
        Some(postern_shared::compose::ReplyKind::Reply) => t_string!(i18n, title_reply),
        Some(postern_shared::compose::ReplyKind::Forward) => t_string!(i18n, title_forward),
        None => t_string!(i18n, new_message),
    };
    let status_text = move || match cs.status.get() {
        SaveStatus::Idle => String::new(),
        SaveStatus::Saving => t_string!(i18n, saving).to_string(),
        SaveStatus::Saved(at) => t_string!(
            i18n,
            saved_at,
            time = format_time(at, i18n.get_locale().as_str())
        )
        .to_string(),
        SaveStatus::Failed(e) => t_string!(i18n, save_failed, error = e).to_string(),
    };
    let identities = move || {
        ctx.identities
            .get()
            .map(|i| i.addresses)
            .unwrap_or_default()
    };
    let label = move |f: fn(I18nContext<Locale>) -> &'static str| {
        Signal::derive(move || f(i18n).to_string())
    };

    // The "Cc" / "Bcc" buttons that reveal their field.
    let reveal = move |shown: RwSignal<bool>, kind: &'static str, text: Signal<String>| {
        view! {
            <button
                type="button"
                class="link-button"
                data-testid=format!("show-{kind}")
                hidden=move || shown.get()
                on:click=move |_| {
                    shown.set(true);
                    spawn_local(async move { focus(&format!("[data-testid=\"{kind}-input\"]")) });
                }
            >
                {text}
            </button>
        }
    };

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
            on:drop=on_drop
        >
            <header class="composer-head">
                <h2 id="composer-title">{title}</h2>
                <span class="draft-status" data-testid="draft-status" aria-live="polite">
                    {status_text}
                </span>
                <button
                    type="button"
                    class="icon-button"
                    data-testid="close-composer"
                    aria-label=move || t_string!(i18n, close_composer)
                    title=move || t_string!(i18n, close_composer)
                    on:click=move |_| close()
                >
                    "×"
                </button>
            </header>
            <div class="composer-body">
                <div class="field" hidden=move || identities().len() < 2>
                    <label for="from-select">{t!(i18n, from)}</label>
                    <select
                        id="from-select"
                        data-testid="from"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            cs.from.set(Some(v));
                            cs.edited();
                        }
                    >
                        {move || {
                            identities()
                                .into_iter()
                                .map(|a| {
                                    let sel = cs.from.get_untracked().as_deref() == Some(a.as_str());
                                    view! { <option value=a.clone() selected=sel>{a.clone()}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </div>
                <div class="to-row">
                    <RecipientField mailbox=mb kind="to" label=label(|i| t_string!(i, to)) chips=cs.to on_change=edited/>
                    <span class="cc-toggles">
                        {reveal(show_cc, "cc", label(|i| t_string!(i, cc)))}
                        {reveal(show_bcc, "bcc", label(|i| t_string!(i, bcc)))}
                    </span>
                </div>
                <div hidden=move || !show_cc.get()>
                    <RecipientField mailbox=mb kind="cc" label=label(|i| t_string!(i, cc)) chips=cs.cc on_change=edited/>
                </div>
                <div hidden=move || !show_bcc.get()>
                    <RecipientField mailbox=mb kind="bcc" label=label(|i| t_string!(i, bcc)) chips=cs.bcc on_change=edited/>
                </div>
                <div class="field">
                    <label for="subject-input">{t!(i18n, subject)}</label>
                    <input
                        id="subject-input"
                        type="text"
                        data-testid="subject"
                        prop:value=move || cs.subject.get()
                        on:input=move |ev| {
                            cs.subject.set(event_target_value(&ev));
                            cs.edited();
                        }
                    />
                </div>
                <Editor node=cs.editor on_input=edited/>
                <section class="composer-files" aria-label=move || t_string!(i18n, attachments)>
                    <ul role="list">
                        {move || {
                            cs.files
                                .get()
                                .into_iter()
                                .map(|it| view! { <FileRow item=it on_remove=Callback::new(remove_file)/> })
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
            </div>
            {move || {
                cs.error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="alert error" role="alert" data-testid="composer-error">{e}</p>
                        }
                    })
            }}
            <footer class="composer-foot">
                <button
                    type="button"
                    class="primary"
                    data-testid="send"
                    aria-describedby="send-reason"
                    disabled=move || block_reason.get().is_some() || cs.sending.get()
                    on:click=move |_| send()
                >
                    {move || if cs.sending.get() { t_string!(i18n, sending) } else { t_string!(i18n, send) }}
                </button>
                <span id="send-reason" class="send-reason">{move || block_reason.get()}</span>
                <UndoSetting/>
            </footer>
        </section>
    }
}

#[component]
fn UndoSetting() -> impl IntoView {
    let i18n = use_i18n();
    let cur = undo_seconds();
    view! {
        <label class="undo-setting">
            {t!(i18n, undo_window)}
            <select
                data-testid="undo-seconds"
                on:change=move |ev| local_storage_set(UNDO_KEY, &event_target_value(&ev))
            >
                {[0u32, 5, 10, 20, 30]
                    .into_iter()
                    .map(|s| {
                        view! {
                            <option value=s.to_string() selected=s == cur>
                                {move || {
                                    if s == 0 {
                                        t_string!(i18n, undo_off).to_string()
                                    } else {
                                        t_string!(i18n, seconds, count = s).to_string()
                                    }
                                }}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// One attachment: name, size, progress, link note, error, remove.
#[component]
pub fn FileRow(item: Item, on_remove: Callback<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let Item {
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
            <span class="size">{move || format_size(size, units(i18n))}</span>
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
                                    .then(|| view! { " " <a href="/transfer">{t!(i18n, transfer_page)}</a> })}
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

/// Used by the toast's undo: the composer comes back with the draft.
pub fn reopen(ctx: ComposeCtx, t: &Toast, uid: Option<u32>) {
    let fallback = Some((t.draft.clone(), t.files.clone()));
    match uid {
        Some(uid) => spawn_local(async move {
            let _ = ctx.open_draft(uid, Vec::new(), fallback).await;
        }),
        None => ctx.show(ComposeInit {
            draft: t.draft.clone(),
            draft_uid: t.draft_uid,
            files: t.files.clone(),
            focus_editor: true,
            signature: false,
        }),
    }
}
