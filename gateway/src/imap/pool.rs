//! Per-mailbox IMAP connections as the Dovecot master user.
//!
//! Each mailbox address keeps a few idle, logged-in connections; idle ones
//! are closed after [`IDLE_TIMEOUT`]. A connection that errored or was
//! dropped mid-command never returns to the pool. When an operation fails
//! on a *reused* connection because the connection broke (typically after
//! a Dovecot restart), it is retried once on a fresh connection, so the
//! user never sees the restart.
//!
//! A connection keeps the folder it last selected open, and the pool hands
//! it to the next request for that folder: opening a big Maildir again
//! costs Dovecot time in proportion to the folder (it reads the folder's
//! UID list again: ~70 ms at 100,000 messages, ~5 ms at 10,000), while
//! bringing the open one up to date costs ~0.2 ms (`ops::select`). So a
//! request for a folder that no idle connection holds takes one parked on
//! a small folder, or opens a new connection rather than moving one parked
//! on a big folder, up to [`MAX_IDLE_PER_MAILBOX`] per mailbox.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::ImapConfig;

use super::{Connection, ImapError};

/// Idle connections kept per mailbox.
const MAX_IDLE_PER_MAILBOX: usize = 4;
/// A folder at least this big is worth a connection of its own (Dovecot
/// re-opens one in about a millisecond).
const PARK_AT_EXISTS: u32 = 2_000;
/// Dovecot's own idle limit is 30 min; we close ours well before.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Clone)]
pub struct Pool {
    inner: Arc<Inner>,
}

struct Inner {
    config: ImapConfig,
    idle: Mutex<HashMap<String, Vec<Connection>>>,
}

/// A connection on loan; goes back to the pool on drop if still clean.
pub struct Pooled {
    conn: Option<Connection>,
    address: String,
    inner: Arc<Inner>,
    /// It came from the pool (and may be stale), rather than freshly opened.
    pub reused: bool,
}

impl Deref for Pooled {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("connection present until drop")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("connection present until drop")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if !conn.reusable() {
            return;
        }
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.entry(std::mem::take(&mut self.address)).or_default();
        list.push(conn);
        if list.len() > MAX_IDLE_PER_MAILBOX {
            let hints: Vec<Hint> = list.iter().map(Hint::of).collect();
            list.remove(least_worth_keeping(&hints));
        }
    }
}

impl Pool {
    pub fn new(config: ImapConfig) -> Pool {
        Pool {
            inner: Arc::new(Inner {
                config,
                idle: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// The mail server settings; sending reuses the master credentials for
    /// SMTP submission (SASL PLAIN with the mailbox as authorization id).
    pub fn config(&self) -> &ImapConfig {
        &self.inner.config
    }

    /// Closes idle connections periodically. Call once from the server.
    pub fn spawn_reaper(&self) -> tokio::task::JoinHandle<()> {
        let pool = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            loop {
                tick.tick().await;
                pool.close_idle(IDLE_TIMEOUT);
            }
        })
    }

    /// Drops connections idle for longer than `max_idle`.
    pub fn close_idle(&self, max_idle: Duration) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        for list in idle.values_mut() {
            list.retain(|c| c.last_used.elapsed() < max_idle);
        }
        idle.retain(|_, list| !list.is_empty());
    }

    /// Closes the idle connections of `address` (deleted: its Dovecot
    /// sessions must not keep its mail open).
    pub fn forget(&self, address: &str) {
        let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.remove(address);
    }

    /// Number of idle connections (for tests and logs).
    pub fn idle_count(&self) -> usize {
        let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.values().map(Vec::len).sum()
    }

    /// A connection for `address`: an idle one if any, else a new one.
    pub async fn get(&self, address: &str) -> Result<Pooled, ImapError> {
        self.get_for(address, None).await
    }

    /// A connection for `address` that is about to select `folder`: the
    /// one that has it open if any (see the module comment).
    pub async fn get_for(&self, address: &str, folder: Option<&str>) -> Result<Pooled, ImapError> {
        let reused = {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            match idle.get_mut(address) {
                Some(list) => {
                    list.retain(|c| c.last_used.elapsed() < IDLE_TIMEOUT);
                    let hints: Vec<Hint> = list.iter().map(Hint::of).collect();
                    choose(&hints, folder).map(|i| list.swap_remove(i))
                }
                None => None,
            }
        };
        match reused {
            Some(conn) => Ok(Pooled {
                conn: Some(conn),
                address: address.to_string(),
                inner: self.inner.clone(),
                reused: true,
            }),
            None => self.fresh(address).await,
        }
    }

    /// A new connection, logged in as `address*master`.
    pub async fn fresh(&self, address: &str) -> Result<Pooled, ImapError> {
        let cfg = &self.inner.config;
        if cfg.tls {
            return Err(ImapError::TlsUnsupported);
        }
        let started = Instant::now();
        let mut conn = Connection::connect(&cfg.addr).await?;
        conn.login(
            &format!("{address}*{}", cfg.master_user),
            &cfg.master_password,
        )
        .await?;
        tracing::debug!(
            mailbox = address,
            ms = started.elapsed().as_millis() as u64,
            "imap connection opened"
        );
        Ok(Pooled {
            conn: Some(conn),
            address: address.to_string(),
            inner: self.inner.clone(),
            reused: false,
        })
    }
}

/// What the pool weighs about an idle connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hint<'a> {
    selected: Option<&'a str>,
    /// The selected folder is big enough to be worth keeping open.
    parked: bool,
    idle_for: Duration,
}

impl<'a> Hint<'a> {
    fn of(c: &'a Connection) -> Hint<'a> {
        Hint {
            selected: c.selected.as_ref().map(|h| h.folder.as_str()),
            parked: c
                .selected
                .as_ref()
                .is_some_and(|h| h.exists >= PARK_AT_EXISTS),
            idle_for: c.last_used.elapsed(),
        }
    }
}

/// Which idle connection serves a request that will select `folder`
/// (`None`: one that selects nothing), or `None` to open a new one.
fn choose(idle: &[Hint], folder: Option<&str>) -> Option<usize> {
    let most_recent = |keep: &dyn Fn(&Hint) -> bool| {
        (0..idle.len())
            .filter(|&i| keep(&idle[i]))
            .min_by_key(|&i| idle[i].idle_for)
    };
    let Some(folder) = folder else {
        return most_recent(&|_| true);
    };
    most_recent(&|h| h.selected == Some(folder))
        .or_else(|| most_recent(&|h| !h.parked))
        .or_else(|| {
            // Every idle one holds a big folder: open another while the
            // mailbox has room, else move the one unused longest.
            (idle.len() >= MAX_IDLE_PER_MAILBOX)
                .then(|| (0..idle.len()).max_by_key(|&i| idle[i].idle_for))
                .flatten()
        })
}

/// The idle connection to close when one too many is idle: one that holds
/// no big folder if any, the one unused longest among those.
fn least_worth_keeping(idle: &[Hint]) -> usize {
    (0..idle.len())
        .max_by_key(|&i| (!idle[i].parked, idle[i].idle_for))
        .unwrap_or(0)
}

/// Runs `$body` with `$c: &mut Connection` for `$address` (with
/// `folder: Some(f)`, one that has `f` open if any); if it fails on
/// a *reused* connection because that connection broke (e.g. Dovecot was
/// restarted), runs it once more on a fresh one. Evaluates to a future of
/// `Result<T, ImapError>`.
///
/// A macro rather than a method taking an async closure: the futures of
/// `AsyncFnMut` closures cannot (yet) be proven `Send`, which axum needs.
#[macro_export]
macro_rules! with_connection {
    ($pool:expr, $address:expr, |$c:ident| $body:block) => {
        $crate::with_connection!($pool, $address, folder: None, |$c| $body)
    };
    ($pool:expr, $address:expr, folder: $folder:expr, |$c:ident| $body:block) => {
        async {
            let pool: &$crate::imap::Pool = &$pool;
            let address: &str = $address;
            let folder: Option<&str> = $folder;
            let mut pooled = pool.get_for(address, folder).await?;
            let first: ::std::result::Result<_, $crate::imap::ImapError> = async {
                let $c: &mut $crate::imap::Connection = &mut pooled;
                $body
            }
            .await;
            match first {
                Err(e) if pooled.reused && e.is_connection_failure() => {
                    ::tracing::info!(mailbox = address, error = %e, "pooled imap connection broken; retrying on a fresh one");
                    drop(pooled);
                    let mut pooled = pool.fresh(address).await?;
                    let $c: &mut $crate::imap::Connection = &mut pooled;
                    $body
                }
                other => other,
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hint(selected: Option<&str>, parked: bool, idle_secs: u64) -> Hint<'_> {
        Hint {
            selected,
            parked,
            idle_for: Duration::from_secs(idle_secs),
        }
    }

    #[test]
    fn a_request_gets_the_connection_that_has_its_folder_open() {
        let idle = [
            hint(Some("Archive"), true, 1),
            hint(Some("INBOX"), false, 5),
            hint(None, false, 0),
        ];
        assert_eq!(choose(&idle, Some("INBOX")), Some(1));
        assert_eq!(choose(&idle, Some("Archive")), Some(0));
    }

    #[test]
    fn a_big_open_folder_is_not_moved_while_another_connection_can_serve() {
        // A small folder's connection (or one selecting nothing) moves.
        let idle = [hint(Some("Archive"), true, 0), hint(Some("Sent"), false, 9)];
        assert_eq!(choose(&idle, Some("INBOX")), Some(1));
        // Only big folders open: a new connection, while there is room…
        let idle = [hint(Some("Archive"), true, 0), hint(Some("Old"), true, 9)];
        assert_eq!(choose(&idle, Some("INBOX")), None);
        // …else the one unused longest moves.
        let full: Vec<Hint> = (0..MAX_IDLE_PER_MAILBOX as u64)
            .map(|i| hint(Some("Big"), true, i))
            .collect();
        assert_eq!(choose(&full, Some("INBOX")), Some(MAX_IDLE_PER_MAILBOX - 1));
    }

    #[test]
    fn requests_that_select_nothing_take_the_most_recent_and_none_opens_one() {
        let idle = [hint(Some("Archive"), true, 3), hint(None, false, 1)];
        assert_eq!(choose(&idle, None), Some(1));
        assert_eq!(choose(&[], None), None);
        assert_eq!(choose(&[], Some("INBOX")), None);
    }

    #[test]
    fn the_connection_dropped_when_too_many_are_idle_holds_no_big_folder() {
        let idle = [
            hint(Some("Archive"), true, 50),
            hint(Some("INBOX"), false, 2),
            hint(None, false, 7),
            hint(Some("Old"), true, 1),
        ];
        assert_eq!(least_worth_keeping(&idle), 2);
        let all_big = [hint(Some("A"), true, 5), hint(Some("B"), true, 8)];
        assert_eq!(least_worth_keeping(&all_big), 1);
    }
}
