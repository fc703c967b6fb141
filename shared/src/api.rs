//! Request and response bodies of the JSON API.
//!
//! The browser talks to the edge under `/api/…`; the edge talks to the
//! gateway under `/v1/…` with the same bodies, except where noted. The
//! route table lives in `ARCHITECTURE.md`; the administration's bodies are
//! in [`crate::admin`].

use crate::folders::SpecialUse;
use crate::permissions::{PermissionSet, Role};
use serde::{Deserialize, Serialize};

pub type AccountId = i64;
pub type OrganizationId = i64;
pub type MailboxId = i64;

// ---------------------------------------------------------------- session

/// `POST /api/session` (browser → edge).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// `POST /v1/auth/login` (edge → gateway): the edge adds the client address
/// so the gateway can throttle per login *and* per address.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewayLoginRequest {
    pub login: String,
    pub password: String,
    pub client_ip: Option<String>,
    /// The browser's `User-Agent` (at most 256 bytes), for the sessions list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// The gateway's answer to a successful login: a server-side session the
/// edge wraps in a signed cookie.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewaySession {
    pub session_id: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub account: AccountSummary,
}

/// `GET /api/session` and the body of a successful `POST /api/session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub account: AccountSummary,
    /// Unix seconds.
    pub expires_at: i64,
    /// Send back as the `X-CSRF-Token` header on every state-changing request.
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountSummary {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: AccountId,
    pub login: String,
    pub display_name: String,
    /// The UI language the account chose (one of
    /// `account::UI_LOCALES`), applied at sign-in; none: the browser's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// `GET /api/me`: who I am, where I belong, and which mailboxes I may open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub account: AccountSummary,
    pub organizations: Vec<OrganizationMembership>,
    pub mailboxes: Vec<MailboxAccess>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationMembership {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: OrganizationId,
    pub name: String,
    pub role: Role,
}

/// A mailbox visible to the caller through an access grant (R-ID-3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxAccess {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: MailboxId,
    pub address: String,
    pub display_name: String,
    /// The organisation that owns the mailbox (its administration).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub organization_id: OrganizationId,
    /// The caller's organisation it appears under: the owner's, or the one
    /// the caller picked when accepting an invitation (R-INV-3).
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub shown_in: OrganizationId,
    pub permissions: PermissionSet,
}

// ---------------------------------------------------------------- folders

/// `GET /api/mailboxes/{id}/folders` returns `Vec<Folder>`, already in
/// display order (see [`crate::folders::sort_for_display`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Folder {
    /// Full IMAP path (decoded, UTF-8), e.g. `Projects/2026`. The identifier.
    pub path: String,
    /// Last path segment, for display.
    pub name: String,
    pub parent: Option<String>,
    /// Nesting depth, 0 for top-level.
    pub depth: u32,
    pub delimiter: Option<char>,
    pub special: Option<SpecialUse>,
    /// False for `\Noselect` containers.
    pub selectable: bool,
    pub total: u32,
    pub unread: u32,
}

/// `POST /api/mailboxes/{id}/folders`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateFolderRequest {
    /// Parent folder path, or `None` for top level.
    pub parent: Option<String>,
    pub name: String,
}

/// `PATCH /api/mailboxes/{id}/folders?path=…`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenameFolderRequest {
    /// The new last segment; the folder keeps its parent.
    pub name: String,
}

// ---------------------------------------------------------------- messages

/// The filter menu of R-MAIL-2; applied by the server (IMAP SEARCH).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MessageFilter {
    #[default]
    All,
    Read,
    Unread,
    Flagged,
    Unflagged,
}

impl MessageFilter {
    pub const ALL: [MessageFilter; 5] = [
        MessageFilter::All,
        MessageFilter::Read,
        MessageFilter::Unread,
        MessageFilter::Flagged,
        MessageFilter::Unflagged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageFilter::All => "all",
            MessageFilter::Read => "read",
            MessageFilter::Unread => "unread",
            MessageFilter::Flagged => "flagged",
            MessageFilter::Unflagged => "unflagged",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        MessageFilter::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// Query of `GET /api/mailboxes/{id}/messages`.
///
/// Paging is anchored: the first page answers with `anchor` (the folder's
/// UIDNEXT at that moment); later pages send it back and see only messages
/// older than the anchor, so mail arriving meanwhile never shifts pages.
/// It is counted in [`MessagePage::newer`] instead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageListQuery {
    pub folder: String,
    #[serde(default)]
    pub filter: MessageFilter,
    /// Zero-based page number.
    #[serde(default)]
    pub page: u32,
    /// Free-text search over from, to, subject and body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessagePage {
    pub folder: String,
    pub uid_validity: u32,
    /// Send back as `anchor` for the next pages.
    pub anchor: u32,
    pub page: u32,
    pub page_size: u32,
    /// Messages matching the filter/search below the anchor.
    pub total: u32,
    /// Messages that arrived after the anchor (matching the filter).
    pub newer: u32,
    pub messages: Vec<MessageSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmailAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
}

/// One row of the message list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageSummary {
    pub uid: u32,
    pub from: Option<EmailAddress>,
    pub to: Vec<EmailAddress>,
    pub subject: String,
    /// Unix seconds from the Date header (internal date if missing).
    pub date: i64,
    pub size: u64,
    pub seen: bool,
    pub flagged: bool,
    pub answered: bool,
    pub has_attachments: bool,
}

/// `GET /api/mailboxes/{id}/messages/{uid}?folder=…` — built by the edge
/// from the raw message. Opening a message marks it read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub uid: u32,
    pub folder: String,
    pub subject: String,
    pub from: Vec<EmailAddress>,
    pub to: Vec<EmailAddress>,
    pub cc: Vec<EmailAddress>,
    pub reply_to: Vec<EmailAddress>,
    pub date: Option<i64>,
    pub message_id: Option<String>,
    pub seen: bool,
    pub flagged: bool,
    /// Plain-text body (or a text rendering of the HTML one).
    pub text: Option<String>,
    /// There is an HTML body, served sanitised at `…/messages/{uid}/body.html`.
    pub has_html: bool,
    /// The HTML body references remote images, which stay blocked until the
    /// user allows them (`body.html?images=allow`).
    pub remote_images: bool,
    pub attachments: Vec<Attachment>,
    /// The message could only be partly understood (malformed MIME).
    pub malformed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    /// IMAP body section (`"2"`, `"1.2"`): the download key.
    pub section: String,
    pub name: String,
    pub content_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// Shown inline in the HTML body (cid:) rather than as a file.
    pub inline: bool,
}

/// Flags a user can toggle from the webmail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// IMAP `\Seen`.
    Seen,
    /// IMAP `\Flagged` (the star, R-MAIL-3).
    Flagged,
}

impl Flag {
    pub fn imap_name(self) -> &'static str {
        match self {
            Flag::Seen => "\\Seen",
            Flag::Flagged => "\\Flagged",
        }
    }
}

/// `POST /api/mailboxes/{id}/messages/flags`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetFlagsRequest {
    pub folder: String,
    pub uids: Vec<u32>,
    pub flag: Flag,
    pub value: bool,
}

/// `POST /api/mailboxes/{id}/messages/move`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveMessagesRequest {
    pub folder: String,
    pub uids: Vec<u32>,
    pub to: String,
}

/// `POST /api/mailboxes/{id}/messages/delete`: moves to Trash; from Trash
/// (or when there is no Trash) deletes for good.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteMessagesRequest {
    pub folder: String,
    pub uids: Vec<u32>,
}

/// Returned by move and delete: where the messages went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveResult {
    /// `None` when the messages were deleted for good.
    pub destination: Option<String>,
    pub moved: u32,
}

/// `GET /api/mailboxes/{mb}/storage` (R-LIM-5): what the mailbox holds and
/// may hold, as Dovecot counts it (every folder, messages as stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxStorage {
    pub used_bytes: u64,
    /// `None`: no limit (the offer has none).
    pub limit_bytes: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_round_trip_their_names() {
        for f in MessageFilter::ALL {
            assert_eq!(MessageFilter::parse(f.as_str()), Some(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
    }

    #[test]
    fn list_query_defaults_to_all_first_page() {
        let q: MessageListQuery = serde_json::from_str(r#"{"folder":"INBOX"}"#).unwrap();
        assert_eq!(q.filter, MessageFilter::All);
        assert_eq!(q.page, 0);
        assert_eq!(q.anchor, None);
    }
}
