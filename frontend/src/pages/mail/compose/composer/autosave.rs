//! Draft autosave: ~2 s after the last edit, on closing, and when the page
//! is hidden (keepalive fetch). One save at a time; edits made meanwhile
//! are queued as the latest snapshot (the queue outlives the panel, so the
//! save on close still completes).

use super::state::{ComposerState, Queue, SaveStatus};
use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::browser::sleep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::compose::SaveDraftRequest;
use std::cell::RefCell;
use std::rc::Rc;

impl ComposerState {
    /// Something changed: save ~2 s after the last change.
    pub fn edited(self) {
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

    pub fn save(self) {
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
}
