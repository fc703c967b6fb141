//! Writing and sending: drafts, the send request, the outbox (undo-send),
//! recent correspondents and signatures. Routes in `ARCHITECTURE.md`.
//!
//! The browser never builds MIME: it sends a [`Draft`] and the gateway
//! builds the message (Message-ID, threading headers, text alternative,
//! attachments, transfer link) so every route to the SMTP server produces
//! the same, correct message.

use crate::api::EmailAddress;
use serde::{Deserialize, Serialize};

/// A file of the message being written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttachmentRef {
    /// A finished upload (`POST /api/uploads`). Up to 25 MiB it becomes a
    /// MIME part; above, the gateway puts it in a transfer and the message
    /// carries the download link instead (R-LIM-2/3).
    Upload { id: String },
    /// A part of a stored message: forwarding keeps the original's files,
    /// a reopened draft keeps its own.
    Part {
        folder: String,
        uid: u32,
        section: String,
    },
}

/// How the message being written relates to an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// Reply and reply-all: `In-Reply-To`/`References`, `\Answered` on send.
    Reply,
    /// Forward: `References`, `$Forwarded` on send.
    Forward,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OriginalRef {
    pub folder: String,
    pub uid: u32,
    pub kind: ReplyKind,
}

/// Everything the user wrote. Shared by "save draft" and "send".
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    /// The mailbox address or one of its aliases (R-SEND-3); `None` means
    /// the mailbox address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Vec<EmailAddress>,
    #[serde(default)]
    pub cc: Vec<EmailAddress>,
    #[serde(default)]
    pub bcc: Vec<EmailAddress>,
    #[serde(default)]
    pub subject: String,
    /// The plain-text body; always present (the text alternative of `html`).
    #[serde(default)]
    pub text: String,
    /// The rich body from the editor; the gateway sanitises it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<OriginalRef>,
}

/// `POST /api/mailboxes/{mb}/drafts`: APPENDs the draft to Drafts and
/// deletes the version it replaces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveDraftRequest {
    pub draft: Draft,
    /// UID (in the Drafts folder) of the previous version, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<u32>,
}

/// The saved version: its UID, and the attachments rewritten as parts of
/// the new draft (the old UID is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SavedDraft {
    pub folder: String,
    pub uid: u32,
    pub attachments: Vec<AttachmentRef>,
    /// Unix seconds.
    pub saved_at: i64,
}

/// `GET /api/mailboxes/{mb}/drafts/{uid}`: a stored draft, to continue it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedDraft {
    pub uid: u32,
    pub draft: Draft,
}

/// `POST /api/mailboxes/{mb}/send`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendRequest {
    pub draft: Draft,
    /// The draft this message came from: deleted once the message is sent,
    /// kept when sending fails (R-SEND-4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_uid: Option<u32>,
    /// Undo window: the message is not submitted before it elapses.
    /// 0 sends at once. Capped at [`MAX_UNDO_SECONDS`].
    #[serde(default)]
    pub undo_seconds: u32,
}

pub const MAX_UNDO_SECONDS: u32 = 30;
pub const DEFAULT_UNDO_SECONDS: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutgoingState {
    /// Waiting for the undo window; can still be cancelled.
    Scheduled,
    /// Being submitted; too late to undo.
    Sending,
    /// Accepted by the SMTP server and copied to Sent.
    Sent,
    /// Refused or failed; the draft is kept and `error` says why.
    Failed,
    /// Undone by the user before submission.
    Cancelled,
}

/// A message in the outbox. `POST …/send` answers it (`Sent` when
/// `undo_seconds` is 0, `Scheduled` otherwise); `GET …/outbox/{id}`
/// reports it; `DELETE …/outbox/{id}` undoes a scheduled one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Outgoing {
    pub id: String,
    pub state: OutgoingState,
    /// Unix seconds when it is (or was) submitted.
    pub send_at: i64,
    pub message_id: String,
    /// Recipients counted against the 24-hour quota.
    pub recipients: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<crate::ApiError>,
    /// After undo: the draft holding the message again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft_uid: Option<u32>,
}

/// `GET /api/mailboxes/{mb}/contacts?q=`: recent correspondents for
/// address autocomplete, best match first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub address: String,
    /// Unix seconds of the last message sent to or received from them.
    pub last_used: i64,
}

/// `GET/PUT /api/mailboxes/{mb}/signature`: appended to new messages.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signature {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// `GET /api/mailboxes/{mb}/identities`: the addresses this mailbox may
/// send as (its own first, then its aliases) and today's quota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendingIdentity {
    pub addresses: Vec<String>,
    pub display_name: String,
    /// R-SEND-2: recipients per rolling 24 hours, and how many are used.
    pub daily_limit: u32,
    pub used_last_24h: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_refs_are_tagged_by_kind() {
        let up = AttachmentRef::Upload { id: "u1".into() };
        assert_eq!(
            serde_json::to_value(&up).unwrap(),
            serde_json::json!({"kind": "upload", "id": "u1"})
        );
        let part: AttachmentRef =
            serde_json::from_str(r#"{"kind":"part","folder":"INBOX","uid":7,"section":"2"}"#)
                .unwrap();
        assert_eq!(
            part,
            AttachmentRef::Part {
                folder: "INBOX".into(),
                uid: 7,
                section: "2".into()
            }
        );
    }

    #[test]
    fn a_minimal_send_request_sends_at_once() {
        let r: SendRequest = serde_json::from_str(r#"{"draft":{"to":[]}}"#).unwrap();
        assert_eq!(r.undo_seconds, 0);
        assert_eq!(r.draft, Draft::default());
    }
}
