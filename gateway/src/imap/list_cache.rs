//! The order of a folder's list, kept between requests so a page costs
//! the same on 1,000 and 100,000 messages.
//!
//! Dovecot's `UID SORT (REVERSE DATE)` costs time in proportion to the
//! folder (194 ms on 100,000 messages) and every page needs the whole
//! order. So the gateway keeps, per (mailbox, folder), the newest-first UID
//! list it last sorted, valid for one UIDVALIDITY, and brings it up to date
//! from what EXAMINE reports: UIDs from the last UIDNEXT on are new (sorted
//! among themselves, then merged — Dovecot itself compares, so the order is
//! exactly its SORT's); a message count below the expected one means
//! expunges (one `UID SEARCH RETURN (ALL)`, a compact set, drops them).
//! Flag changes do not move anything in this order. Filtered and searched
//! views are one SEARCH (no SORT) filtered through the order, and are
//! reused while HIGHESTMODSEQ (CONDSTORE), UIDNEXT and the count say
//! nothing changed.
//!
//! Only UIDs are kept, never content, and the key holds the mailbox
//! address: nothing of one mailbox can answer for another.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use postern_shared::api::MessageFilter;

use super::commands::{self, Command};
use super::connection::Connection;
use super::ops::{self, Selected};
use super::{ImapError, parse};

/// Cached UIDs across every folder, at most (4 bytes each): past this the
/// least recently used folders are dropped.
const MAX_CACHED_UIDS: usize = 4_000_000;
/// Filtered/searched views kept per folder.
const MAX_VIEWS: usize = 8;
/// More new messages than this since the last look, in an order that does
/// not simply go on top, and the folder is sorted again instead of merged.
const MAX_MERGE: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    address: String,
    folder: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ViewKey {
    filter: MessageFilter,
    query: Option<String>,
}

/// What a cached list was computed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Seen {
    uid_next: u32,
    exists: u32,
    modseq: u64,
}

impl Seen {
    fn of(sel: &Selected) -> Seen {
        Seen {
            uid_next: sel.uid_next,
            exists: sel.exists,
            modseq: sel.highest_modseq,
        }
    }

    /// Nothing can have changed: same count, same next UID and a
    /// HIGHESTMODSEQ (0: the server keeps none, so we cannot tell).
    fn unchanged(&self, now: &Seen) -> bool {
        self.modseq != 0 && self == now
    }
}

struct Folder {
    uid_validity: u32,
    /// Every UID below it is in `newest_first` unless expunged.
    uid_next: u32,
    newest_first: Arc<Vec<u32>>,
    views: HashMap<ViewKey, (Seen, Arc<Vec<u32>>)>,
    used: Instant,
}

impl Folder {
    fn size(&self) -> usize {
        self.newest_first.len() + self.views.values().map(|(_, v)| v.len()).sum::<usize>()
    }
}

/// Per gateway process; each request validates it against the server.
#[derive(Default)]
pub struct ListCache {
    folders: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<Option<Folder>>>>>,
}

/// What a list request gets: every matching UID below the folder's UIDNEXT
/// at EXAMINE, newest first.
pub type Order = Arc<Vec<u32>>;

/// How the last call was answered (for tests and logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// Nothing had changed.
    Cached,
    /// Brought up to date from what changed.
    Updated,
    /// Sorted from scratch (first look, new UIDVALIDITY, or too much new).
    Sorted,
}

impl ListCache {
    pub fn new() -> ListCache {
        ListCache::default()
    }

    /// The order of `folder` (already EXAMINEd on `conn`, giving `sel`)
    /// for a filter and text query.
    pub async fn order(
        &self,
        conn: &mut Connection,
        address: &str,
        folder: &str,
        sel: &Selected,
        filter: MessageFilter,
        query: Option<&str>,
    ) -> Result<(Order, Answered), ImapError> {
        let key = Key {
            address: address.to_string(),
            folder: folder.to_string(),
        };
        let slot = {
            let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
            folders.entry(key).or_default().clone()
        };
        // One request per folder updates it; others wait, then reuse.
        let mut guard = slot.lock().await;
        let (base, answered) = bring_up_to_date(conn, &mut guard, sel).await?;
        let query = commands::clean_query(query);
        let order = if filter == MessageFilter::All && query.is_none() {
            base
        } else {
            let entry = guard.as_mut().expect("brought up to date above");
            let vkey = ViewKey {
                filter,
                query: query.clone(),
            };
            let now = Seen::of(sel);
            match entry.views.get(&vkey) {
                Some((seen, uids)) if seen.unchanged(&now) => uids.clone(),
                _ => {
                    let matching = search_set(conn, sel.uid_next, filter, query.as_deref()).await?;
                    let uids: Order = Arc::new(
                        base.iter()
                            .copied()
                            .filter(|u| matching.contains(u))
                            .collect(),
                    );
                    if entry.views.len() >= MAX_VIEWS {
                        entry.views.clear();
                    }
                    entry.views.insert(vkey, (now, uids.clone()));
                    uids
                }
            }
        };
        if let Some(entry) = guard.as_mut() {
            entry.used = Instant::now();
        }
        drop(guard);
        self.evict();
        Ok((order, answered))
    }

    /// Drops least recently used folders past [`MAX_CACHED_UIDS`].
    fn evict(&self) {
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        let mut sizes: Vec<(Key, usize, Instant)> = folders
            .iter()
            .filter_map(|(k, slot)| {
                let f = slot.try_lock().ok()?;
                f.as_ref().map(|f| (k.clone(), f.size(), f.used))
            })
            .collect();
        let mut total: usize = sizes.iter().map(|s| s.1).sum();
        if total <= MAX_CACHED_UIDS {
            return;
        }
        sizes.sort_by_key(|s| s.2);
        for (k, size, _) in sizes {
            if total <= MAX_CACHED_UIDS {
                break;
            }
            folders.remove(&k);
            total -= size;
        }
    }
}

async fn bring_up_to_date(
    conn: &mut Connection,
    slot: &mut Option<Folder>,
    sel: &Selected,
) -> Result<(Order, Answered), ImapError> {
    let Some(f) = slot.as_mut().filter(|f| f.uid_validity == sel.uid_validity) else {
        let order = Arc::new(sort_below(conn, 1, sel.uid_next, sel.exists).await?);
        *slot = Some(Folder {
            uid_validity: sel.uid_validity,
            uid_next: sel.uid_next,
            newest_first: order.clone(),
            views: HashMap::new(),
            used: Instant::now(),
        });
        return Ok((order, Answered::Sorted));
    };
    let fresh = sort_below(conn, f.uid_next, sel.uid_next, sel.exists).await?;
    let expunged = f.newest_first.len() + fresh.len() != sel.exists as usize;
    if fresh.is_empty() && !expunged {
        f.uid_next = f.uid_next.max(sel.uid_next);
        return Ok((f.newest_first.clone(), Answered::Cached));
    }
    let mut order: Vec<u32> = f.newest_first.as_ref().clone();
    if expunged {
        let live = all_uids(conn, sel.uid_next).await?;
        order.retain(|u| live.contains(u));
    }
    let answered = if fresh.is_empty() {
        Answered::Updated
    } else if let Some(merged) = merge(conn, order, &fresh).await? {
        order = merged;
        Answered::Updated
    } else {
        order = sort_below(conn, 1, sel.uid_next, sel.exists).await?;
        Answered::Sorted
    };
    f.uid_next = sel.uid_next;
    f.newest_first = Arc::new(order);
    f.views.clear();
    Ok((f.newest_first.clone(), answered))
}

/// `UID SORT (REVERSE DATE)` of the UIDs in `from..below`.
async fn sort_below(
    conn: &mut Connection,
    from: u32,
    below: u32,
    exists: u32,
) -> Result<Vec<u32>, ImapError> {
    if exists == 0 || below <= from {
        return Ok(Vec::new());
    }
    let range = Command::default().raw(&format!("UID {from}:{}", below - 1));
    let uids = ops::uids(conn, &commands::sort_newest_first(&range)).await?;
    // `n:m` never matches above m, but a server may report a UID it added
    // since EXAMINE; keep the snapshot.
    Ok(uids
        .into_iter()
        .filter(|&u| u >= from && u < below)
        .collect())
}

/// Inserts `fresh` (newest first among themselves) into `order`. Usually
/// they all go on top: one SORT of two messages tells. Otherwise each is
/// placed by binary search, Dovecot comparing. `None`: too many to place
/// one by one; sort the folder instead.
async fn merge(
    conn: &mut Connection,
    mut order: Vec<u32>,
    fresh: &[u32],
) -> Result<Option<Vec<u32>>, ImapError> {
    let Some(&head) = order.first() else {
        return Ok(Some(fresh.to_vec()));
    };
    let oldest_fresh = *fresh.last().expect("fresh is not empty");
    if newer(conn, oldest_fresh, head).await? {
        let mut merged = fresh.to_vec();
        merged.extend_from_slice(&order);
        return Ok(Some(merged));
    }
    if fresh.len() > MAX_MERGE {
        return Ok(None);
    }
    for &uid in fresh {
        // First position whose message `uid` sorts before.
        let (mut lo, mut hi) = (0usize, order.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if newer(conn, uid, order[mid]).await? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        order.insert(lo, uid);
    }
    Ok(Some(order))
}

/// Does `a` come before `b` in `UID SORT (REVERSE DATE)`? Asked of the
/// server, so its date rules (Date header, else arrival; ties by UID) hold.
async fn newer(conn: &mut Connection, a: u32, b: u32) -> Result<bool, ImapError> {
    let range = Command::default().raw(&format!("UID {a},{b}"));
    let sorted = ops::uids(conn, &commands::sort_newest_first(&range)).await?;
    Ok(sorted.first() == Some(&a))
}

/// Every UID below `below`, as one compact ESEARCH set.
async fn all_uids(conn: &mut Connection, below: u32) -> Result<HashSet<u32>, ImapError> {
    if below <= 1 {
        return Ok(HashSet::new());
    }
    let cmd = Command::new(&format!("UID SEARCH RETURN (ALL) UID 1:{}", below - 1));
    esearch(conn, &cmd).await
}

/// The UIDs below `below` that match a filter and text query.
async fn search_set(
    conn: &mut Connection,
    below: u32,
    filter: MessageFilter,
    query: Option<&str>,
) -> Result<HashSet<u32>, ImapError> {
    let Some(criteria) = commands::search_criteria(commands::UidRange::Below(below), filter, query)
    else {
        return Ok(HashSet::new());
    };
    let mut cmd = Command::new("UID SEARCH RETURN (ALL) CHARSET UTF-8");
    cmd.0.push(b' ');
    cmd.0.extend_from_slice(criteria.as_bytes());
    esearch(conn, &cmd).await
}

async fn esearch(conn: &mut Connection, cmd: &Command) -> Result<HashSet<u32>, ImapError> {
    let (untagged, done) = conn.run(cmd).await?;
    done.ok()?;
    let mut out = HashSet::new();
    for u in &untagged {
        if let Some((None, kw, rest)) = u.keyword()
            && kw == "ESEARCH"
        {
            out.extend(parse::esearch_all(rest)?);
        }
    }
    Ok(out)
}
