//! Live updates (issue 15): `GET /v1/mailboxes/{mb}/events`, a stream of
//! Server-Sent Events (`postern_shared::live`) for an open webmail.
//!
//! One [`watcher`] per mailbox, however many tabs have it open: the first
//! stream starts it (one IMAP connection with NOTIFY + IDLE), the last one
//! to close stops it. Each stream starts with every folder's state, then
//! tells each change; a heartbeat every `HEARTBEAT_SECONDS` keeps proxies
//! and Spin's outbound calls from cutting it; it ends after [`MAX_LIFE`]
//! (the tab reconnects at once and its grant is checked again) or when the
//! watcher stops (Dovecot went away: the tab reconnects with back-off).

pub mod watcher;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use postern_shared::live::{
    EVENT_FOLDER, EVENT_SNAPSHOT, EVENT_TREE, FolderState, HEARTBEAT_SECONDS,
};
use tokio::sync::{broadcast, oneshot, watch};

use crate::config::ImapConfig;
use crate::error::AppResult;
use crate::grants::Grant;
use crate::imap::ImapError;
use crate::state::AppState;
use watcher::{Change, Shared};

/// A stream ends after this long; the browser opens the next one at once.
pub const MAX_LIFE: Duration = Duration::from_secs(5 * 60);
/// Changes a slow stream may fall behind before it gets a snapshot instead.
const BACKLOG: usize = 64;

/// The watchers of the open mailboxes.
pub struct Live {
    imap: ImapConfig,
    /// By mailbox address. An async lock: the first stream of a mailbox
    /// connects while holding it, so two tabs opening together share one.
    watches: tokio::sync::Mutex<HashMap<String, Weak<Watch>>>,
    streams: Arc<AtomicUsize>,
    closing: watch::Sender<bool>,
}

/// A running watcher; dropping the last one stops its task.
struct Watch {
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

/// One open stream's hold on its mailbox's watcher.
pub struct Subscription {
    watch: Arc<Watch>,
    rx: broadcast::Receiver<Change>,
    snapshot: Vec<FolderState>,
    closing: watch::Receiver<bool>,
    _counted: Counted,
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Live {
    pub fn new(imap: ImapConfig) -> Live {
        Live {
            imap,
            watches: tokio::sync::Mutex::new(HashMap::new()),
            streams: Arc::new(AtomicUsize::new(0)),
            closing: watch::channel(false).0,
        }
    }

    /// A stream of `address`'s changes, starting its watcher if none runs.
    pub async fn subscribe(&self, address: &str) -> Result<Subscription, ImapError> {
        let mut watches = self.watches.lock().await;
        watches.retain(|_, w| w.strong_count() > 0);
        let running = watches
            .get(address)
            .and_then(Weak::upgrade)
            .filter(|w| !w.shared.ended.load(Ordering::SeqCst));
        let watch = match running {
            Some(w) => w,
            None => {
                let (conn, state) = watcher::open(&self.imap, address).await?;
                let shared = Arc::new(Shared {
                    state: Mutex::new(state),
                    tx: broadcast::channel(BACKLOG).0,
                    ended: AtomicBool::new(false),
                });
                let (stop, stopped) = oneshot::channel();
                let span = tracing::info_span!("live", mailbox = %address);
                tokio::spawn(tracing::Instrument::instrument(
                    watcher::run(conn, shared.clone(), stopped),
                    span,
                ));
                let w = Arc::new(Watch {
                    shared,
                    _stop: stop,
                });
                watches.insert(address.to_string(), Arc::downgrade(&w));
                w
            }
        };
        drop(watches);
        // Subscribe before reading the state: a change in between is told
        // twice at worst, never lost.
        let rx = watch.shared.tx.subscribe();
        let snapshot = watch.shared.snapshot();
        let open = self.streams.fetch_add(1, Ordering::SeqCst) + 1;
        tracing::debug!(mailbox = address, streams = open, "live: stream opened");
        Ok(Subscription {
            watch,
            rx,
            snapshot,
            closing: self.closing.subscribe(),
            _counted: Counted(self.streams.clone()),
        })
    }

    /// Ends every stream (the server is shutting down: open streams would
    /// hold its graceful shutdown forever).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

/// One SSE event of `name` with `data` as JSON.
fn event<T: serde::Serialize>(name: &str, data: &T) -> Event {
    Event::default()
        .event(name)
        .json_data(data)
        .unwrap_or_else(|_| Event::default().comment("unencodable"))
}

impl Subscription {
    /// The events: the snapshot, then each change, until the watcher stops,
    /// the server closes, or `life` is over.
    pub fn events(self, life: Duration) -> impl Stream<Item = Result<Event, Infallible>> {
        let deadline = tokio::time::Instant::now() + life;
        let first = Some(event(EVENT_SNAPSHOT, &self.snapshot));
        futures_util::stream::unfold((self, first), move |(mut sub, first)| async move {
            if let Some(e) = first {
                return Some((Ok(e), (sub, None)));
            }
            let change = tokio::select! {
                c = sub.rx.recv() => c,
                _ = sub.closing.wait_for(|closing| *closing) => return None,
                _ = tokio::time::sleep_until(deadline) => return None,
            };
            let e = match change {
                Ok(Change::Folder(f)) => event(EVENT_FOLDER, &f),
                Ok(Change::Tree(all)) => event(EVENT_TREE, &all),
                Ok(Change::Ended) | Err(broadcast::error::RecvError::Closed) => return None,
                // Fell behind: every folder instead of what was missed.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    event(EVENT_SNAPSHOT, &sub.watch.shared.snapshot())
                }
            };
            Some((Ok(e), (sub, None)))
        })
    }
}

/// `GET /v1/mailboxes/{mb}/events`: any grant may listen (it reads only
/// folder counts); 503 when Dovecot cannot be reached.
pub async fn events(State(state): State<AppState>, grant: Grant) -> AppResult<Response> {
    let sub = state.live.subscribe(&grant.address).await?;
    let keep_alive = KeepAlive::new()
        .interval(Duration::from_secs(HEARTBEAT_SECONDS))
        .text("");
    let mut resp = Sse::new(sub.events(MAX_LIFE))
        .keep_alive(keep_alive)
        .into_response();
    // Proxies must pass each event on as it comes.
    resp.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    Ok(resp)
}
