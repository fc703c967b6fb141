//! Support access (R-SUP): a mailbox's user lets the host's support staff
//! read one kind of its content, or a single message, for
//! [`SUPPORT_ACCESS_DAYS`] days at most, revocable at any time; every read
//! staff make is recorded and shown to the mailbox's users.
//!
//! Staff read through their own routes (`/api/support/access/{id}/…`), all
//! `GET`: `{id}` is the grant's random handle, so staff never learn a
//! mailbox id, and nothing there can change a message.

use serde::{Deserialize, Serialize};

/// R-SUP-2: a grant ends by itself this many days after it was given.
pub const SUPPORT_ACCESS_DAYS: i64 = 7;

/// Most entries of the access history one answer lists (newest first).
pub const HISTORY_LIMIT: usize = 200;

/// A kind of content a mailbox's user can open to support, each a separate
/// toggle (R-SUP-1). Only the mailbox's mail for now; contacts, calendars…
/// become more variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportKind {
    /// Every folder and message of the mailbox, read-only.
    MailboxContents,
}

impl SupportKind {
    pub const ALL: [SupportKind; 1] = [SupportKind::MailboxContents];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportKind::MailboxContents => "mailbox_contents",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        SupportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a grant opens: a kind of content, or one message (R-SUP-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum SupportScope {
    /// A kind of content (`kind`) of the whole mailbox.
    Content { kind: SupportKind },
    /// One message, its attachments included, and nothing else.
    Message { folder: String, uid: u32 },
}

/// One grant of support access, as its mailbox's users see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportGrant {
    /// The handle to revoke it with.
    pub id: String,
    pub scope: SupportScope,
    /// Who switched it on (display name).
    pub granted_by: String,
    /// The member of support handling it (display name), once one has
    /// opened it (R-SUP-3: from then on only they read it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handled_by: Option<String>,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

/// What support staff did (R-SUP-3): which read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupportRead {
    /// The folder list.
    Folders,
    /// A page of a folder's message list.
    Messages,
    /// A message's reading view.
    Message,
    /// An attachment of a message.
    Attachment,
}

/// One access of the history: who, when, what (R-SUP-3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportAccess {
    /// Unix seconds.
    pub at: i64,
    /// The staff member's name and login.
    pub staff_name: String,
    pub staff_login: String,
    pub read: SupportRead,
    pub folder: Option<String>,
    pub uid: Option<u32>,
    /// Through a single shared message rather than a kind of content.
    pub shared_message: bool,
}

/// `GET /api/mailboxes/{mb}/support`: the grants in force and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupportOverview {
    /// The server's clock (Unix seconds), to count the time left by.
    pub now: i64,
    /// Grants neither expired nor revoked, newest first.
    pub grants: Vec<SupportGrant>,
    /// Newest first, at most [`HISTORY_LIMIT`].
    pub history: Vec<SupportAccess>,
}

/// A grant as support staff see it: whose mailbox, what, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffGrant {
    /// The handle of the staff routes (`/api/support/access/{id}/…`).
    pub id: String,
    pub address: String,
    pub display_name: String,
    pub scope: SupportScope,
    /// Who switched it on (display name): whom support is helping.
    pub granted_by: String,
    pub expires_at: i64,
}

/// `GET /api/support/access`: every grant in force, soonest to end first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffGrants {
    pub now: i64,
    pub grants: Vec<StaffGrant>,
}

/// Whole days and hours left until `expires_at` (nothing once past).
pub fn time_left(expires_at: i64, now: i64) -> Option<(i64, i64)> {
    let left = expires_at - now;
    (left > 0).then(|| {
        // Rounded up to the hour: "0 h" would read as ended.
        let hours = (left + 3599) / 3600;
        (hours / 24, hours % 24)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_left_counts_days_and_hours_rounded_up() {
        let now = 1_000_000;
        assert_eq!(
            time_left(now + SUPPORT_ACCESS_DAYS * 86_400, now),
            Some((7, 0))
        );
        assert_eq!(time_left(now + 86_400 + 3 * 3600 + 1, now), Some((1, 4)));
        assert_eq!(time_left(now + 1, now), Some((0, 1)));
        assert_eq!(time_left(now, now), None);
        assert_eq!(time_left(now - 5, now), None);
    }

    #[test]
    fn scopes_are_tagged_on_the_wire() {
        let s = SupportScope::Content {
            kind: SupportKind::MailboxContents,
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"scope":"content","kind":"mailbox_contents"}"#
        );
        let m: SupportScope =
            serde_json::from_str(r#"{"scope":"message","folder":"INBOX","uid":4}"#).unwrap();
        assert_eq!(
            m,
            SupportScope::Message {
                folder: "INBOX".into(),
                uid: 4
            }
        );
        assert!(
            serde_json::from_str::<SupportScope>(r#"{"scope":"content","kind":"all"}"#).is_err()
        );
        for k in SupportKind::ALL {
            assert_eq!(SupportKind::parse(k.as_str()), Some(k));
        }
    }
}
