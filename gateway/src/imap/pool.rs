//! Per-mailbox IMAP connections as the Dovecot master user.
//!
//! Each mailbox address keeps a few idle, logged-in connections; idle ones
//! are closed after [`IDLE_TIMEOUT`]. A connection that errored or was
//! dropped mid-command never returns to the pool. When an operation fails
//! on a *reused* connection because the connection broke (typically after
//! a Dovecot restart), it is retried once on a fresh connection, so the
//! user never sees the restart.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::config::ImapConfig;

use super::{Connection, ImapError};

/// Idle connections kept per mailbox.
const MAX_IDLE_PER_MAILBOX: usize = 4;
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
        if list.len() < MAX_IDLE_PER_MAILBOX {
            list.push(conn);
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

    /// Number of idle connections (for tests and logs).
    pub fn idle_count(&self) -> usize {
        let idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
        idle.values().map(Vec::len).sum()
    }

    /// A connection for `address`: an idle one if any, else a new one.
    pub async fn get(&self, address: &str) -> Result<Pooled, ImapError> {
        let reused = {
            let mut idle = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            let mut found = None;
            if let Some(list) = idle.get_mut(address) {
                while let Some(c) = list.pop() {
                    if c.last_used.elapsed() < IDLE_TIMEOUT {
                        found = Some(c);
                        break;
                    }
                }
            }
            found
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

/// Runs `$body` with `$c: &mut Connection` for `$address`; if it fails on
/// a *reused* connection because that connection broke (e.g. Dovecot was
/// restarted), runs it once more on a fresh one. Evaluates to a future of
/// `Result<T, ImapError>`.
///
/// A macro rather than a method taking an async closure: the futures of
/// `AsyncFnMut` closures cannot (yet) be proven `Send`, which axum needs.
#[macro_export]
macro_rules! with_connection {
    ($pool:expr, $address:expr, |$c:ident| $body:block) => {
        async {
            let pool: &$crate::imap::Pool = &$pool;
            let address: &str = $address;
            let mut pooled = pool.get(address).await?;
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
