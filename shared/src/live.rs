//! Live updates of an open webmail (issue 15): what the gateway pushes on
//! `GET /api/mailboxes/{mb}/events`, a stream of Server-Sent Events.
//!
//! The gateway holds one IMAP connection per open mailbox (Dovecot's
//! NOTIFY, RFC 5465) and tells each open tab the state of a folder when it
//! changes. A tab compares that state with the one it last saw and asks
//! the usual routes (folders, the list page on screen) for what changed;
//! after a reconnect the stream starts with every folder's state, so the
//! comparison catches up with whatever happened meanwhile (CONDSTORE's
//! `HIGHESTMODSEQ` moves with every flag change, arrival and expunge).

use serde::{Deserialize, Serialize};

/// The first event of every stream: `Vec<FolderState>`, every folder.
pub const EVENT_SNAPSHOT: &str = "snapshot";
/// One folder changed: a [`FolderState`].
pub const EVENT_FOLDER: &str = "folder";
/// A folder was created, renamed or deleted: the tree must be read again
/// (data `{}`); a snapshot follows.
pub const EVENT_TREE: &str = "tree";
/// Seconds between the stream's heartbeats (a comment line): below every
/// proxy's and Spin's idle timeouts, so nothing cuts an idle stream.
pub const HEARTBEAT_SECONDS: u64 = 15;

/// One folder as Dovecot counts it at this moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderState {
    /// Full path, decoded (as `api::Folder::path`).
    pub path: String,
    pub uid_validity: u32,
    pub uid_next: u32,
    pub total: u32,
    pub unread: u32,
    /// `HIGHESTMODSEQ`: moves with every change in the folder.
    pub modseq: u64,
}

impl FolderState {
    /// Whether the folder's messages changed (arrivals, expunges, flags):
    /// a list of it on screen must be asked again.
    pub fn messages_changed(&self, before: &FolderState) -> bool {
        self.uid_validity != before.uid_validity
            || self.uid_next != before.uid_next
            || self.total != before.total
            || self.modseq != before.modseq
    }

    /// New messages since `before` (same UIDVALIDITY), by their UIDs.
    pub fn arrived_since(&self, before: &FolderState) -> bool {
        self.uid_validity == before.uid_validity && self.uid_next > before.uid_next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(uid_next: u32, total: u32, modseq: u64) -> FolderState {
        FolderState {
            path: "INBOX".into(),
            uid_validity: 7,
            uid_next,
            total,
            unread: 0,
            modseq,
        }
    }

    #[test]
    fn a_flag_change_moves_only_the_modseq_and_still_counts() {
        let before = state(10, 9, 40);
        assert!(!state(10, 9, 40).messages_changed(&before));
        assert!(state(10, 9, 41).messages_changed(&before));
        assert!(!state(10, 9, 41).arrived_since(&before));
    }

    #[test]
    fn arrivals_and_a_new_uid_validity() {
        let before = state(10, 9, 40);
        assert!(state(12, 11, 42).arrived_since(&before));
        let mut recreated = state(12, 1, 1);
        recreated.uid_validity = 8;
        assert!(recreated.messages_changed(&before));
        assert!(!recreated.arrived_since(&before));
    }
}
