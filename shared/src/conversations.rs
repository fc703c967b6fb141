//! Conversations (issue 15): a folder's messages grouped by thread, with
//! the user's own replies from Sent beside them.

use crate::api::{EmailAddress, MessageSummary};
use serde::{Deserialize, Serialize};

/// Query of `GET /api/mailboxes/{mb}/conversations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationQuery {
    pub folder: String,
    /// Zero-based page number.
    #[serde(default)]
    pub page: u32,
}

/// One page of a folder's conversations, the newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationPage {
    pub folder: String,
    pub uid_validity: u32,
    pub page: u32,
    pub page_size: u32,
    /// Conversations in the folder.
    pub total: u32,
    pub conversations: Vec<Conversation>,
}

/// One thread: what the list row shows, and its messages oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    /// The first message's subject.
    pub subject: String,
    /// Senders, each once, in the order they first wrote.
    pub participants: Vec<EmailAddress>,
    pub count: u32,
    pub unread: u32,
    pub flagged: bool,
    pub has_attachments: bool,
    /// The newest message's date (Unix seconds).
    pub newest: i64,
    pub messages: Vec<ConversationMessage>,
}

/// A message of a conversation, with the folder it is in (the shown one,
/// or Sent for the user's replies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationMessage {
    pub folder: String,
    pub message: MessageSummary,
}

impl Conversation {
    /// A conversation of `messages` (any order; at least one).
    pub fn of(mut messages: Vec<ConversationMessage>) -> Option<Conversation> {
        messages.sort_by_key(|m| (m.message.date, m.message.uid));
        let first = messages.first()?;
        let mut participants: Vec<EmailAddress> = Vec::new();
        for m in &messages {
            if let Some(from) = &m.message.from
                && !participants
                    .iter()
                    .any(|p| p.address.eq_ignore_ascii_case(&from.address))
            {
                participants.push(from.clone());
            }
        }
        Some(Conversation {
            subject: first.message.subject.clone(),
            participants,
            count: messages.len() as u32,
            unread: messages.iter().filter(|m| !m.message.seen).count() as u32,
            flagged: messages.iter().any(|m| m.message.flagged),
            has_attachments: messages.iter().any(|m| m.message.has_attachments),
            newest: messages.iter().map(|m| m.message.date).max().unwrap_or(0),
            messages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(folder: &str, uid: u32, from: &str, date: i64, seen: bool) -> ConversationMessage {
        ConversationMessage {
            folder: folder.into(),
            message: MessageSummary {
                uid,
                from: Some(EmailAddress {
                    name: None,
                    address: from.into(),
                }),
                to: Vec::new(),
                subject: format!("s{uid}"),
                date,
                size: 1,
                seen,
                flagged: uid == 9,
                answered: false,
                has_attachments: false,
            },
        }
    }

    #[test]
    fn oldest_first_participants_once_counts() {
        let c = Conversation::of(vec![
            msg("Sent", 9, "me@x.test", 30, true),
            msg("INBOX", 4, "ann@y.test", 10, false),
            msg("INBOX", 7, "ANN@y.test", 20, true),
        ])
        .unwrap();
        assert_eq!(c.subject, "s4");
        assert_eq!(
            c.participants
                .iter()
                .map(|p| p.address.as_str())
                .collect::<Vec<_>>(),
            ["ann@y.test", "me@x.test"]
        );
        assert_eq!((c.count, c.unread, c.flagged, c.newest), (3, 1, true, 30));
        assert_eq!(
            c.messages.iter().map(|m| m.message.uid).collect::<Vec<_>>(),
            [4, 7, 9]
        );
        assert!(Conversation::of(Vec::new()).is_none());
    }
}
