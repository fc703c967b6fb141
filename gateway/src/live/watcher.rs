//! The IMAP side of live updates: one connection per watched mailbox,
//! logged in as the master user, with Dovecot's NOTIFY (RFC 5465) on every
//! personal folder and IDLE (RFC 2177) to hear it. A notification names a
//! folder; the watcher then asks that folder's `STATUS` (a notification of
//! a flag change carries only `HIGHESTMODSEQ`, not the unread count), keeps
//! it, and tells every subscriber. No folder is ever selected: the cost of
//! a watched mailbox is one idle connection, whatever its size.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use postern_shared::live::FolderState;
use tokio::sync::{broadcast, oneshot};

use crate::config::ImapConfig;
use crate::imap::commands::Command;
use crate::imap::connection::Untagged;
use crate::imap::{Connection, ImapError, parse};

/// What a subscriber hears.
#[derive(Debug, Clone)]
pub enum Change {
    /// One folder's new state.
    Folder(FolderState),
    /// The tree changed (a folder created, renamed, deleted): every folder.
    Tree(Vec<FolderState>),
    /// The watcher stopped (the connection broke): streams end, tabs
    /// reconnect and a new watcher starts.
    Ended,
}

/// What the watcher task and the subscribers share.
pub struct Shared {
    pub state: Mutex<BTreeMap<String, FolderState>>,
    pub tx: broadcast::Sender<Change>,
    /// Set when the task ended: the registry then starts a new one.
    pub ended: AtomicBool,
}

impl Shared {
    pub fn snapshot(&self) -> Vec<FolderState> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.values().cloned().collect()
    }
}

/// Every personal folder: arrivals, expunges, flag changes, and the tree.
const NOTIFY: &str = "NOTIFY SET (personal (MessageNew MessageExpunge FlagChange MailboxName))";
const ITEMS: &str = "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ)";
/// Every folder's state in one answer (LIST-STATUS, RFC 5819). Not NOTIFY's
/// own `STATUS` option: Dovecot sends part of that after the command's OK,
/// mixed with the notifications of folders it creates on a first login.
const ALL: &str =
    "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN HIGHESTMODSEQ))";
/// IDLE is renewed this often (RFC 2177 asks for less than 29 minutes).
const RENEW: Duration = Duration::from_secs(10 * 60);
/// Notifications that come this close together are answered together.
const COALESCE: Duration = Duration::from_millis(20);

/// Connects, logs in as `address*master`, and turns NOTIFY on: answers the
/// connection and every folder's state.
pub async fn open(
    cfg: &ImapConfig,
    address: &str,
) -> Result<(Connection, BTreeMap<String, FolderState>), ImapError> {
    if cfg.tls {
        return Err(ImapError::TlsUnsupported);
    }
    let mut conn = Connection::connect(&cfg.addr).await?;
    conn.login(
        &format!("{address}*{}", cfg.master_user),
        &cfg.master_password,
    )
    .await?;
    conn.run(&Command::new("ENABLE CONDSTORE")).await?.1.ok()?;
    // Listening first: a change made while the folders are read is heard.
    conn.run(&Command::new(NOTIFY)).await?.1.ok()?;
    let state = every_folder(&mut conn).await?;
    Ok((conn, state))
}

/// Every folder's state now. A notification answered with it (its LIST or
/// STATUS lines) is already counted in it.
async fn every_folder(conn: &mut Connection) -> Result<BTreeMap<String, FolderState>, ImapError> {
    let (untagged, done) = conn.run(&Command::new(ALL)).await?;
    done.ok()?;
    Ok(untagged
        .iter()
        .filter_map(complete_status)
        .map(|f| (f.path.clone(), f))
        .collect())
}

/// The watcher's life: until `stop` (the last subscriber left) or an error.
pub async fn run(
    mut conn: Connection,
    shared: std::sync::Arc<Shared>,
    stop: oneshot::Receiver<()>,
) {
    let result = watch(&mut conn, &shared, stop).await;
    shared.ended.store(true, Ordering::SeqCst);
    let _ = shared.tx.send(Change::Ended);
    match result {
        Ok(()) => {
            let logout = Command::new("LOGOUT");
            let _ = tokio::time::timeout(Duration::from_secs(2), conn.run(&logout)).await;
        }
        Err(e) => tracing::info!(error = %e, "live updates: the mailbox's watcher stopped"),
    }
}

async fn watch(
    conn: &mut Connection,
    shared: &Shared,
    mut stop: oneshot::Receiver<()>,
) -> Result<(), ImapError> {
    let mut left = Heard::default();
    loop {
        let (tag, early) = conn.idle().await?;
        let mut heard = std::mem::take(&mut left);
        heard.absorb(&early);
        let renew_at = Instant::now() + RENEW;
        while heard.is_empty() {
            let wait = renew_at.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                break;
            }
            tokio::select! {
                _ = &mut stop => {
                    let _ = conn.done(&tag).await;
                    return Ok(());
                }
                ready = conn.readable(wait) => {
                    if !ready? {
                        break;
                    }
                }
            }
            heard.absorb(&[conn.next_untagged().await?]);
            if !heard.is_empty() {
                while conn.readable(COALESCE).await? {
                    heard.absorb(&[conn.next_untagged().await?]);
                }
            }
        }
        let late = conn.done(&tag).await?;
        heard.absorb(&late);
        left = answer(conn, shared, heard).await?;
    }
}

/// What notifications asked for.
#[derive(Debug, Default, PartialEq, Eq)]
struct Heard {
    folders: BTreeSet<String>,
    tree: bool,
}

impl Heard {
    fn absorb(&mut self, untagged: &[Untagged]) {
        for u in untagged {
            tracing::debug!(response = ?u, "live: heard");
            match u.keyword() {
                Some((None, kw, rest)) if kw == "STATUS" => {
                    if let Some((path, _)) = parse::parse_status(rest) {
                        self.folders.insert(path);
                    }
                }
                Some((None, kw, _)) if kw == "LIST" => self.tree = true,
                _ => {}
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.folders.is_empty() && !self.tree
    }
}

/// Reads the state of what was heard and tells the subscribers.
/// Answers what is left for the next round.
async fn answer(conn: &mut Connection, shared: &Shared, heard: Heard) -> Result<Heard, ImapError> {
    if heard.tree {
        let fresh = every_folder(conn).await?;
        let all = fresh.values().cloned().collect();
        *shared.state.lock().unwrap_or_else(|e| e.into_inner()) = fresh;
        let _ = shared.tx.send(Change::Tree(all));
        return Ok(Heard::default());
    }
    let mut pending = heard.folders;
    // Notifications may come with the answers: a few rounds, then what is
    // left is answered right after the next IDLE starts.
    for _ in 0..3 {
        if pending.is_empty() {
            break;
        }
        let mut tags = Vec::with_capacity(pending.len());
        for path in &pending {
            let cmd = Command::new("STATUS").mailbox(path).raw(ITEMS);
            tags.push(conn.send(&cmd).await?);
        }
        let mut next = Heard::default();
        for tag in tags {
            let (untagged, done) = conn.collect(&tag).await?;
            if done.ok().is_err() {
                // Gone between the notification and now: the tree changed.
                next.tree = true;
                continue;
            }
            // In the order they came: a notification after a folder's
            // answer asks for it again.
            for u in &untagged {
                match complete_status(u) {
                    Some(f) => {
                        next.folders.remove(&f.path);
                        apply(shared, f);
                    }
                    None => next.absorb(std::slice::from_ref(u)),
                }
            }
        }
        if next.tree {
            return Box::pin(answer(conn, shared, next)).await;
        }
        pending = next.folders;
    }
    Ok(Heard {
        folders: pending,
        tree: false,
    })
}

/// Keeps `f` and tells the subscribers when it differs from what was kept.
fn apply(shared: &Shared, f: FolderState) {
    tracing::debug!(state = ?f, "live: status");
    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
    if state.get(&f.path) != Some(&f) {
        state.insert(f.path.clone(), f.clone());
        drop(state);
        let _ = shared.tx.send(Change::Folder(f));
    }
}

/// A `STATUS` response with every item of [`ITEMS`]; a notification's
/// partial one (only `HIGHESTMODSEQ` after a flag change) is `None`.
fn complete_status(u: &Untagged) -> Option<FolderState> {
    let Some((None, kw, rest)) = u.keyword() else {
        return None;
    };
    if kw != "STATUS" {
        return None;
    }
    let (path, items) = parse::parse_status(rest)?;
    let get = |name: &str| items.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
    let small = |name: &str| get(name).map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    Some(FolderState {
        path,
        uid_validity: small("UIDVALIDITY")?,
        uid_next: small("UIDNEXT")?,
        total: small("MESSAGES")?,
        unread: small("UNSEEN")?,
        modseq: get("HIGHESTMODSEQ")?,
    })
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
    fn a_full_status_is_a_state_and_a_notification_is_not() {
        // As Dovecot 2.3 answers NOTIFY SET STATUS, then notifies.
        let full = untagged(
            b"* STATUS \"Projects/&AMk-t&AOk-\" (MESSAGES 25 UIDNEXT 26 UIDVALIDITY 1796310750 UNSEEN 6 HIGHESTMODSEQ 2)\r\n",
        );
        assert_eq!(
            complete_status(&full),
            Some(FolderState {
                path: "Projects/Été".into(),
                uid_validity: 1796310750,
                uid_next: 26,
                total: 25,
                unread: 6,
                modseq: 2,
            })
        );
        let flags = untagged(b"* STATUS Archive (HIGHESTMODSEQ 3)\r\n");
        assert_eq!(complete_status(&flags), None);
        let arrival =
            untagged(b"* STATUS INBOX (MESSAGES 170 UIDNEXT 171 UNSEEN 73 HIGHESTMODSEQ 23)\r\n");
        assert_eq!(
            complete_status(&arrival),
            None,
            "no UIDVALIDITY: asked again"
        );
    }

    #[test]
    fn notifications_name_folders_and_list_means_the_tree() {
        let mut heard = Heard::default();
        heard.absorb(&[
            untagged(b"* STATUS Archive (HIGHESTMODSEQ 3)\r\n"),
            untagged(b"* OK Still here\r\n"),
            untagged(b"* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 1 HIGHESTMODSEQ 4)\r\n"),
        ]);
        assert_eq!(
            heard.folders.iter().map(String::as_str).collect::<Vec<_>>(),
            ["Archive", "INBOX"]
        );
        assert!(!heard.tree);
        heard.absorb(&[untagged(b"* LIST (\\HasNoChildren) \"/\" Renamed\r\n")]);
        assert!(heard.tree);
    }

    #[test]
    fn apply_tells_only_changes() {
        let (tx, mut rx) = broadcast::channel(8);
        let shared = Shared {
            state: Mutex::new(BTreeMap::new()),
            tx,
            ended: AtomicBool::new(false),
        };
        let f = FolderState {
            path: "INBOX".into(),
            uid_validity: 1,
            uid_next: 2,
            total: 1,
            unread: 1,
            modseq: 5,
        };
        apply(&shared, f.clone());
        apply(&shared, f.clone());
        assert!(matches!(rx.try_recv(), Ok(Change::Folder(g)) if g == f));
        assert!(rx.try_recv().is_err(), "the same state twice is told once");
    }
}
