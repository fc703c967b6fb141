//! The composer's state: signals only, so it is `Copy` and every part of
//! the panel can hold it.

use crate::components::file_list::{FileInfo, FileItem, FileState};
use crate::i18n::I18nContext;
use crate::pages::mail::compose::ComposeInit;
use crate::pages::mail::compose::editor::serialize;
use crate::pages::mail::compose::prefill::Chip;
use leptos::html::Div;
use leptos::prelude::*;
use postern_shared::compose::{Draft, OriginalRef};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq)]
pub enum SaveStatus {
    Idle,
    Saving,
    Saved(i64),
    Failed(String),
}

/// Draft saves waiting: only the latest snapshot is kept.
#[derive(Default)]
pub struct Queue {
    pub next: Option<(Draft, Vec<u32>)>,
    pub busy: bool,
    pub uid: Option<u32>,
}

#[derive(Clone, Copy)]
pub struct ComposerState {
    pub mb: i64,
    pub i18n: I18nContext,
    pub from: RwSignal<Option<String>>,
    pub to: RwSignal<Vec<Chip>>,
    pub cc: RwSignal<Vec<Chip>>,
    pub bcc: RwSignal<Vec<Chip>>,
    pub subject: RwSignal<String>,
    pub editor: NodeRef<Div>,
    /// The last serialized body, for when the editor is gone.
    pub body: StoredValue<(String, String)>,
    pub files: RwSignal<Vec<FileItem>>,
    /// The key of the next file added.
    pub next_key: StoredValue<u32>,
    pub original: StoredValue<Option<OriginalRef>>,
    pub queue: StoredValue<Rc<RefCell<Queue>>, LocalStorage>,
    pub dirty: RwSignal<bool>,
    pub edits: RwSignal<u32>,
    pub closed: RwSignal<bool>,
    pub sending: RwSignal<bool>,
    pub status: RwSignal<SaveStatus>,
    pub error: RwSignal<Option<String>>,
}

impl ComposerState {
    pub fn new(mb: i64, i18n: I18nContext, init: &ComposeInit) -> Self {
        let d = &init.draft;
        let chips = |v: &[postern_shared::api::EmailAddress]| {
            v.iter().cloned().map(Chip::of).collect::<Vec<_>>()
        };
        Self {
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
                        FileItem::new(i as u32, info, FileState::Done, Some(a.clone()))
                    })
                    .collect(),
            ),
            next_key: StoredValue::new(init.files.len() as u32),
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
        }
    }

    /// The draft as it stands, and the keys of the files it attaches
    /// (same order as `attachments`).
    pub fn snapshot(self) -> (Draft, Vec<u32>) {
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

    pub fn all_chips(self) -> Vec<Chip> {
        let mut v = self.to.get();
        v.extend(self.cc.get());
        v.extend(self.bcc.get());
        v
    }
}
