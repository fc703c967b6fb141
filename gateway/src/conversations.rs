//! Conversations (issue 15): `GET /v1/mailboxes/{mb}/conversations` — a
//! folder's messages grouped by Dovecot's `THREAD=REFERENCES` (RFC 5256:
//! References and In-Reply-To, then the base subject), the conversation
//! with the newest message first, and the user's own replies from Sent
//! joined to the conversation they answer (their In-Reply-To or
//! References name one of its messages).
//!
//! Threads depend only on which messages a folder holds, so a folder's
//! grouping is kept until its UIDVALIDITY, UIDNEXT or count move (flag
//! changes keep it); so is Sent's index of what each message answers.
//! Only UIDs and Message-IDs are kept, by mailbox address.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Query, State};
use postern_shared::api::MessageFilter;
use postern_shared::conversations::{
    Conversation, ConversationMessage, ConversationPage, ConversationQuery,
};
use postern_shared::folders::SpecialUse;

use crate::error::AppResult;
use crate::grants::Grant;
use crate::imap::commands::Command;
use crate::imap::connection::Untagged;
use crate::imap::ops::{self, Selected};
use crate::imap::parse::Value;
use crate::imap::{Connection, ImapError};
use crate::routes::messages::{map_select, page_slice, require_folder};
use crate::state::AppState;
use postern_shared::limits::PAGE_SIZE;

/// Folders (threads or Sent indexes) kept at most; past it all are dropped.
const MAX_KEPT: usize = 512;

/// What a kept value was computed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    uid_validity: u32,
    uid_next: u32,
    exists: u32,
}

impl Seen {
    fn of(sel: &Selected) -> Seen {
        Seen {
            uid_validity: sel.uid_validity,
            uid_next: sel.uid_next,
            exists: sel.exists,
        }
    }
}

type Kept<T> = Mutex<HashMap<(String, String), (Seen, Arc<T>)>>;

#[derive(Default)]
pub struct ConversationCache {
    /// Each thread's UIDs, per (address, folder).
    threads: Kept<Vec<Vec<u32>>>,
    /// Per (address, Sent folder): a Message-ID → the Sent UIDs naming it.
    answers: Kept<HashMap<String, Vec<u32>>>,
}

fn kept<T>(map: &Kept<T>, key: &(String, String), seen: Seen) -> Option<Arc<T>> {
    let map = map.lock().unwrap_or_else(|e| e.into_inner());
    map.get(key)
        .filter(|(s, _)| *s == seen)
        .map(|(_, v)| v.clone())
}

fn keep<T>(map: &Kept<T>, key: (String, String), seen: Seen, value: Arc<T>) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_KEPT {
        map.clear();
    }
    map.insert(key, (seen, value));
}

impl ConversationCache {
    async fn threads(
        &self,
        conn: &mut Connection,
        address: &str,
        folder: &str,
        sel: &Selected,
    ) -> Result<Arc<Vec<Vec<u32>>>, ImapError> {
        let key = (address.to_string(), folder.to_string());
        if let Some(t) = kept(&self.threads, &key, Seen::of(sel)) {
            return Ok(t);
        }
        let (untagged, done) = conn
            .run(&Command::new("UID THREAD REFERENCES UTF-8 ALL"))
            .await?;
        done.ok()?;
        let threads = Arc::new(threads_of(&untagged));
        keep(&self.threads, key, Seen::of(sel), threads.clone());
        Ok(threads)
    }

    async fn answers(
        &self,
        conn: &mut Connection,
        address: &str,
        sent: &str,
        sel: &Selected,
    ) -> Result<Arc<HashMap<String, Vec<u32>>>, ImapError> {
        let key = (address.to_string(), sent.to_string());
        if let Some(a) = kept(&self.answers, &key, Seen::of(sel)) {
            return Ok(a);
        }
        let mut index: HashMap<String, Vec<u32>> = HashMap::new();
        if sel.exists > 0 {
            let cmd = Command::new(
                "UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (IN-REPLY-TO REFERENCES)])",
            );
            let (untagged, done) = conn.run(&cmd).await?;
            done.ok()?;
            for f in ops::fetches(&untagged) {
                let (Some(uid), Some(raw)) = (
                    f.uid(),
                    f.get_prefix("BODY[HEADER").and_then(Value::as_bytes),
                ) else {
                    continue;
                };
                for id in answered_ids(raw) {
                    index.entry(id).or_default().push(uid);
                }
            }
        }
        let index = Arc::new(index);
        keep(&self.answers, key, Seen::of(sel), index.clone());
        Ok(index)
    }
}

/// The UIDs of each thread of a `THREAD` response (pure).
pub fn threads_of(untagged: &[Untagged]) -> Vec<Vec<u32>> {
    fn flatten(v: &Value, out: &mut Vec<u32>) {
        match v {
            Value::List(items) => items.iter().for_each(|i| flatten(i, out)),
            other => {
                if let Some(n) = other.as_atom().and_then(|a| a.parse().ok()) {
                    out.push(n);
                }
            }
        }
    }
    let mut threads = Vec::new();
    for u in untagged {
        if let Some((None, kw, rest)) = u.keyword()
            && kw == "THREAD"
        {
            for t in rest {
                let mut uids = Vec::new();
                flatten(t, &mut uids);
                if !uids.is_empty() {
                    threads.push(uids);
                }
            }
        }
    }
    threads
}

/// Message-IDs a message answers: its In-Reply-To and References.
fn answered_ids(raw: &[u8]) -> Vec<String> {
    let Some(h) = mail_parser::MessageParser::default().parse_headers(raw) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    for list in [
        h.in_reply_to().as_text_list(),
        h.references().as_text_list(),
    ]
    .into_iter()
    .flatten()
    {
        ids.extend(list.iter().map(|s| s.to_string()));
    }
    ids
}

/// Threads in the order of their newest message (`newest_first` is the
/// folder's list order); indexes into `threads`.
pub fn newest_first(threads: &[Vec<u32>], newest_first: &[u32]) -> Vec<usize> {
    let rank: HashMap<u32, usize> = newest_first
        .iter()
        .enumerate()
        .map(|(i, &u)| (u, i))
        .collect();
    let mut order: Vec<(usize, usize)> = threads
        .iter()
        .enumerate()
        .map(|(i, t)| {
            (
                t.iter()
                    .filter_map(|u| rank.get(u))
                    .min()
                    .copied()
                    .unwrap_or(usize::MAX),
                i,
            )
        })
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, i)| i).collect()
}

/// Message-IDs of `uids` in the selected folder.
async fn message_ids(
    conn: &mut Connection,
    uids: &[u32],
) -> Result<HashMap<u32, String>, ImapError> {
    if uids.is_empty() {
        return Ok(HashMap::new());
    }
    let set = crate::imap::commands::uid_set(uids);
    let cmd = Command::new("UID FETCH")
        .raw(&set)
        .raw("(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])");
    let (untagged, done) = conn.run(&cmd).await?;
    done.ok()?;
    let mut ids = HashMap::new();
    for f in ops::fetches(&untagged) {
        let id = f
            .get_prefix("BODY[HEADER")
            .and_then(Value::as_bytes)
            .and_then(|raw| mail_parser::MessageParser::default().parse_headers(raw))
            .and_then(|h| h.message_id().map(str::to_string));
        if let (Some(uid), Some(id)) = (f.uid(), id) {
            ids.insert(uid, id);
        }
    }
    Ok(ids)
}

/// `GET /v1/mailboxes/{mb}/conversations?folder=&page=`: any grant reads.
pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Query(q): Query<ConversationQuery>,
) -> AppResult<Json<ConversationPage>> {
    require_folder(&q.folder)?;
    let (cache, lists) = (state.conversations.clone(), state.lists.clone());
    let (uid_validity, total, page, summaries, ids, sent) =
        crate::with_connection!(state.imap, &grant.address, folder: Some(&q.folder), |c| {
            let sel = ops::select(c, &q.folder, true).await?;
            let threads = cache.threads(c, &grant.address, &q.folder, &sel).await?;
            let (order, _) = lists
                .order(c, &grant.address, &q.folder, &sel, MessageFilter::All, None)
                .await?;
            let ranked = newest_first(&threads, &order);
            let page: Vec<Vec<u32>> = ranked[page_slice(ranked.len(), q.page)]
                .iter()
                .map(|&i| threads[i].clone())
                .collect();
            let uids: Vec<u32> = page.iter().flatten().copied().collect();
            let summaries = ops::fetch_summaries(c, &uids).await?;
            let ids = message_ids(c, &uids).await?;
            let sent = ops::special_folder(c, SpecialUse::Sent).await?;
            Ok((sel.uid_validity, ranked.len(), page, summaries, ids, sent))
        })
        .await
        .map_err(map_select)?;

    // The user's replies: Sent's messages naming one of the page's.
    let mut replies: HashMap<usize, Vec<u32>> = HashMap::new();
    let mut sent_rows = Vec::new();
    let sent = sent.filter(|s| *s != q.folder);
    if let Some(sent) = &sent {
        let found = crate::with_connection!(state.imap, &grant.address, folder: Some(sent), |c| {
            let sel = ops::select(c, sent, true).await?;
            let answers = cache.answers(c, &grant.address, sent, &sel).await?;
            let mut taken = HashSet::new();
            let mut by_thread: HashMap<usize, Vec<u32>> = HashMap::new();
            for (i, thread) in page.iter().enumerate() {
                for uid in thread {
                    for &r in ids.get(uid).and_then(|id| answers.get(id)).into_iter().flatten() {
                        if taken.insert(r) {
                            by_thread.entry(i).or_default().push(r);
                        }
                    }
                }
            }
            let all: Vec<u32> = by_thread.values().flatten().copied().collect();
            let rows = ops::fetch_summaries(c, &all).await?;
            Ok((by_thread, rows))
        })
        .await;
        match found {
            Ok((by_thread, rows)) => {
                replies = by_thread;
                sent_rows = rows.into_iter().map(|m| (m.uid, m)).collect::<Vec<_>>();
            }
            // Sent is gone meanwhile: the folder's own conversations.
            Err(ImapError::No { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let sent_name = sent.unwrap_or_default();
    let mut by_uid: HashMap<u32, postern_shared::api::MessageSummary> =
        summaries.into_iter().map(|m| (m.uid, m)).collect();
    let sent_by_uid: HashMap<u32, postern_shared::api::MessageSummary> =
        sent_rows.into_iter().collect();
    let conversations = page
        .iter()
        .enumerate()
        .filter_map(|(i, thread)| {
            let mut messages: Vec<ConversationMessage> = thread
                .iter()
                .filter_map(|u| by_uid.remove(u))
                .map(|message| ConversationMessage {
                    folder: q.folder.clone(),
                    message,
                })
                .collect();
            for r in replies.get(&i).into_iter().flatten() {
                if let Some(m) = sent_by_uid.get(r) {
                    messages.push(ConversationMessage {
                        folder: sent_name.clone(),
                        message: m.clone(),
                    });
                }
            }
            Conversation::of(messages)
        })
        .collect();
    Ok(Json(ConversationPage {
        folder: q.folder,
        uid_validity,
        page: q.page,
        page_size: PAGE_SIZE,
        total: total as u32,
        conversations,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::connection::{Frame, frame_of};

    fn untagged(line: &[u8]) -> Untagged {
        match frame_of(line).unwrap() {
            Frame::Untagged(v) => Untagged(v),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn threads_of_rfc_5256s_example() {
        let u = untagged(b"* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
        assert_eq!(
            threads_of(&[u]),
            vec![vec![2], vec![3, 6, 4, 23, 44, 7, 96]]
        );
        assert!(threads_of(&[untagged(b"* THREAD\r\n")]).is_empty());
    }

    #[test]
    fn the_thread_with_the_newest_message_comes_first() {
        let threads = vec![vec![1, 5], vec![2], vec![3, 4], vec![99]];
        // Newest first: 4, 2, 5, 3, 1 (99 is not in the order: last).
        assert_eq!(newest_first(&threads, &[4, 2, 5, 3, 1]), vec![2, 1, 0, 3]);
    }

    #[test]
    fn a_reply_answers_its_in_reply_to_and_references() {
        let raw = b"In-Reply-To: <b@x>\r\nReferences: <a@x>\r\n <b@x>\r\n\r\n";
        let ids = answered_ids(raw);
        assert!(
            ids.contains(&"a@x".to_string()) && ids.contains(&"b@x".to_string()),
            "{ids:?}"
        );
        assert!(answered_ids(b"Subject: none\r\n\r\n").is_empty());
    }
}
