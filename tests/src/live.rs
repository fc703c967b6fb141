//! A reader of the live-updates stream (`GET /api/mailboxes/{mb}/events`,
//! `postern_shared::live`) as a browser tab's `EventSource` reads it:
//! Server-Sent Events, blank-line separated, comments (heartbeats) skipped.

use std::time::{Duration, Instant};

use postern_shared::api::MailboxId;
use postern_shared::live::{EVENT_FOLDER, EVENT_SNAPSHOT, EVENT_TREE, FolderState};
use postern_shared::wire::routes::Route;
use reqwest::Method;

use crate::api::ApiClient;

pub struct EventStream {
    resp: reqwest::Response,
    buf: String,
}

/// One event as the page gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    Snapshot(Vec<FolderState>),
    Folder(FolderState),
    Tree(Vec<FolderState>),
}

impl EventStream {
    /// Opens the stream with `api`'s session; `Err((status, body))` when the
    /// answer is not a stream.
    pub async fn open(api: &ApiClient, mb: MailboxId) -> Result<EventStream, (u16, String)> {
        let resp = api
            .request(Method::GET, &Route::MailboxEvents { mb }.path())
            .send()
            .await
            .map_err(|e| (0, e.to_string()))?;
        let status = resp.status().as_u16();
        let is_stream = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if status != 200 || !is_stream {
            return Err((status, resp.text().await.unwrap_or_default()));
        }
        Ok(EventStream {
            resp,
            buf: String::new(),
        })
    }

    /// The next event within `wait`; `None` at the end of the stream or
    /// when nothing came.
    pub async fn next(&mut self, wait: Duration) -> Option<LiveEvent> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                if let Some(e) = parse_block(&block) {
                    return Some(e);
                }
                continue;
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            let chunk = tokio::time::timeout(left, self.resp.chunk()).await.ok()?;
            match chunk {
                Ok(Some(bytes)) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                _ => return None,
            }
        }
    }

    /// Reads events until `f` answers, at most `wait`; panics naming `what`.
    pub async fn until<T>(
        &mut self,
        what: &str,
        wait: Duration,
        mut f: impl FnMut(&LiveEvent) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + wait;
        let mut seen = Vec::new();
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_default();
            match self.next(left).await {
                Some(e) => {
                    if let Some(t) = f(&e) {
                        return t;
                    }
                    seen.push(e);
                }
                None => panic!("no event for {what} within {wait:?}; saw {seen:#?}"),
            }
        }
    }
}

impl LiveEvent {
    /// The state of `path` this event tells, if any.
    pub fn folder(&self, path: &str) -> Option<&FolderState> {
        match self {
            LiveEvent::Folder(f) => (f.path == path).then_some(f),
            LiveEvent::Snapshot(all) | LiveEvent::Tree(all) => all.iter().find(|f| f.path == path),
        }
    }
}

/// One blank-line-terminated block: `event:` and `data:` lines; a block of
/// comments only (a heartbeat) is `None`.
fn parse_block(block: &str) -> Option<LiveEvent> {
    let mut name = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            name = v.trim_start();
        } else if let Some(v) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    if data.is_empty() {
        return None;
    }
    fn decode<T: serde::de::DeserializeOwned>(name: &str, data: &str) -> T {
        serde_json::from_str(data).unwrap_or_else(|e| panic!("event {name}: {e}: {data}"))
    }
    Some(match name {
        n if n == EVENT_SNAPSHOT => LiveEvent::Snapshot(decode(n, &data)),
        n if n == EVENT_TREE => LiveEvent::Tree(decode(n, &data)),
        n if n == EVENT_FOLDER => LiveEvent::Folder(decode(n, &data)),
        other => panic!("unknown event {other}: {data}"),
    })
}
