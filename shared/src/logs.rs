//! Send and receive logs (R-LOG): one entry per recipient of each message
//! the mail server handled for a mailbox ([`LogEntry`]), the search of the
//! Logs page ([`LogQuery`], [`LogPage`]), and the one classification of a
//! server's answer ([`explain`]) that the UI words in its language.
//!
//! The classification reads the enhanced status code (RFC 3463,
//! `class.subject.detail`) first — it is what servers agree on — and the
//! reply text only where the code is too vague (Postfix's own "connection
//! refused", spam wording behind a 5.7.1).

use crate::api::MailboxId;
use serde::{Deserialize, Serialize};

pub type LogEntryId = i64;

/// Days of logs every organisation keeps (R-LOG-2); more is a paid option.
pub const FREE_RETENTION_DAYS: u32 = 20;
/// Rows of one page of the Logs table.
pub const PAGE_SIZE: usize = 100;
/// The longest search text accepted.
pub const MAX_SEARCH_CHARS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Mail the mailbox sent.
    Sent,
    /// Mail that came to the mailbox.
    Received,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }

    pub fn parse(s: &str) -> Option<Direction> {
        [Direction::Sent, Direction::Received]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// What became of the message for this recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    /// Accepted by the recipient's server (or stored in the Inbox).
    Delivered,
    /// Not yet: the server will try again.
    Deferred,
    /// Given up: a non-delivery notice went back to the sender.
    Bounced,
    /// Refused while it was being sent (nothing was queued for it).
    Rejected,
    /// Delivered into the spam folder.
    Spam,
    /// Delivered into another folder by a rule.
    Filed,
}

impl LogStatus {
    pub const ALL: [LogStatus; 6] = [
        LogStatus::Delivered,
        LogStatus::Deferred,
        LogStatus::Bounced,
        LogStatus::Rejected,
        LogStatus::Spam,
        LogStatus::Filed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LogStatus::Delivered => "delivered",
            LogStatus::Deferred => "deferred",
            LogStatus::Bounced => "bounced",
            LogStatus::Rejected => "rejected",
            LogStatus::Spam => "spam",
            LogStatus::Filed => "filed",
        }
    }

    pub fn parse(s: &str) -> Option<LogStatus> {
        LogStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn is_failure(self) -> bool {
        matches!(
            self,
            LogStatus::Deferred | LogStatus::Bounced | LogStatus::Rejected
        )
    }
}

/// Why, in words a user understands: the UI has one sentence per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Delivered,
    FiledAsSpam,
    FiledByRule,
    /// x.1.1: the address does not exist at the recipient's provider.
    UnknownRecipient,
    /// x.1.2: the recipient's domain does not exist or takes no mail.
    UnknownDomain,
    /// Other x.1.x: the address is malformed or ambiguous.
    BadAddress,
    /// x.1.7 / x.1.8 / x.7.x about the sender: the sender's address was refused.
    SenderRefused,
    /// x.2.2: the recipient's mailbox is full.
    MailboxFull,
    /// x.2.1: the recipient's mailbox is disabled.
    MailboxDisabled,
    /// x.2.3 / x.3.4: the message is too large for the recipient.
    TooLarge,
    /// x.7.1 with spam wording: the recipient's server took it for spam.
    RefusedAsSpam,
    /// Other x.7.x: refused by the recipient's rules (policy, authentication).
    RefusedByPolicy,
    /// x.4.1 / x.4.2 / no answer: the recipient's server could not be reached.
    Unreachable,
    /// x.4.7: the server kept trying for too long and gave up.
    Expired,
    /// x.3.x: the recipient's mail system has a problem.
    ServerProblem,
    /// Anything else temporary (4.x.x).
    TemporaryFailure,
    /// Anything else permanent (5.x.x).
    PermanentFailure,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Delivered => "delivered",
            Reason::FiledAsSpam => "filed_as_spam",
            Reason::FiledByRule => "filed_by_rule",
            Reason::UnknownRecipient => "unknown_recipient",
            Reason::UnknownDomain => "unknown_domain",
            Reason::BadAddress => "bad_address",
            Reason::SenderRefused => "sender_refused",
            Reason::MailboxFull => "mailbox_full",
            Reason::MailboxDisabled => "mailbox_disabled",
            Reason::TooLarge => "too_large",
            Reason::RefusedAsSpam => "refused_as_spam",
            Reason::RefusedByPolicy => "refused_by_policy",
            Reason::Unreachable => "unreachable",
            Reason::Expired => "expired",
            Reason::ServerProblem => "server_problem",
            Reason::TemporaryFailure => "temporary_failure",
            Reason::PermanentFailure => "permanent_failure",
        }
    }
}

/// The enhanced status code of a reply: `dsn` when the log gave one, else
/// the first `d.d.d` of the text (`550 5.1.1 <x>: …`). Only class 2, 4
/// and 5 exist (RFC 3463 §3.1).
pub fn status_code(dsn: Option<&str>, reply: &str) -> Option<(u8, u16, u16)> {
    let parse = |s: &str| -> Option<(u8, u16, u16)> {
        let mut p = s.split('.');
        let class: u8 = p.next()?.parse().ok()?;
        let subject: u16 = p.next()?.parse().ok()?;
        let detail: u16 = p.next()?.parse().ok()?;
        (p.next().is_none() && matches!(class, 2 | 4 | 5) && subject < 1000 && detail < 1000)
            .then_some((class, subject, detail))
    };
    dsn.and_then(parse).or_else(|| {
        reply
            .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .take(4)
            .find_map(parse)
    })
}

/// What a user is told about an entry: from its status, its enhanced
/// status code and the server's reply. Pure: the same everywhere.
pub fn explain(status: LogStatus, dsn: Option<&str>, reply: &str) -> Reason {
    match status {
        LogStatus::Delivered => return Reason::Delivered,
        LogStatus::Spam => return Reason::FiledAsSpam,
        LogStatus::Filed => return Reason::FiledByRule,
        _ => {}
    }
    let text = reply.to_ascii_lowercase();
    let code = status_code(dsn, reply);
    let spammy = ["spam", "gtube", "blocklist", "blacklist", "junk"]
        .iter()
        .any(|w| text.contains(w));
    let unreachable = [
        "connection refused",
        "connection timed out",
        "no route to host",
        "host not found",
        "network is unreachable",
        "lost connection",
    ]
    .iter()
    .any(|w| text.contains(w));
    match code {
        Some((_, 1, 1)) => Reason::UnknownRecipient,
        Some((_, 1, 2)) => Reason::UnknownDomain,
        Some((_, 1, 7 | 8)) => Reason::SenderRefused,
        Some((_, 1, _)) => Reason::BadAddress,
        Some((_, 2, 1)) => Reason::MailboxDisabled,
        Some((_, 2, 2)) => Reason::MailboxFull,
        Some((_, 2, 3) | (_, 3, 4)) => Reason::TooLarge,
        Some((_, 4, 7)) => Reason::Expired,
        Some((_, 4, 1 | 2 | 4)) => Reason::Unreachable,
        Some((_, 7, _)) if spammy => Reason::RefusedAsSpam,
        Some((_, 7, 1)) if text.contains("sender") => Reason::SenderRefused,
        Some((_, 7, _)) => Reason::RefusedByPolicy,
        _ if spammy => Reason::RefusedAsSpam,
        _ if unreachable => Reason::Unreachable,
        Some((_, 3, _)) => Reason::ServerProblem,
        Some((4, _, _)) => Reason::TemporaryFailure,
        Some((5, _, _)) => Reason::PermanentFailure,
        _ if status == LogStatus::Deferred => Reason::TemporaryFailure,
        _ => Reason::PermanentFailure,
    }
}

/// One row of the Logs table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: LogEntryId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    /// When the message was queued (Unix seconds).
    pub at: i64,
    /// When its status last changed (a deferred message delivered later).
    pub updated_at: i64,
    pub direction: Direction,
    /// The envelope sender; empty for a non-delivery notice.
    pub from: String,
    pub to: String,
    pub subject: Option<String>,
    pub size: Option<u64>,
    pub queue_id: Option<String>,
    pub message_id: Option<String>,
    pub status: LogStatus,
    /// The folder it was stored in (received mail).
    pub folder: Option<String>,
    /// The server it was handed to or refused by (`host[ip]:port`).
    pub relay: Option<String>,
    /// The enhanced status code (`5.1.1`).
    pub dsn: Option<String>,
    /// The server's answer as it gave it.
    pub reply: Option<String>,
    pub reason: Reason,
}

/// `GET …/logs?direction=&since=&until=&q=&before=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// From this time on (Unix seconds, inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    /// Before this time (Unix seconds, exclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
    /// Part of an address (sender or recipient) or of the subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// The next page: the `next` of the previous one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

impl LogQuery {
    /// A message for a query the gateway will not run, or `None`.
    pub fn problem(&self) -> Option<&'static str> {
        if let (Some(s), Some(u)) = (self.since, self.until)
            && s > u
        {
            return Some("The start of the time range is after its end.");
        }
        if let Some(q) = &self.q
            && (q.chars().count() > MAX_SEARCH_CHARS || q.chars().any(char::is_control))
        {
            return Some("The search text is too long or holds control characters.");
        }
        if self
            .before
            .as_deref()
            .is_some_and(|b| Cursor::parse(b).is_none())
        {
            return Some("The page is not valid.");
        }
        None
    }
}

/// Where a page ends: newest first by (time, id).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: LogEntryId,
}

impl Cursor {
    pub fn parse(s: &str) -> Option<Cursor> {
        let (at, id) = s.split_once('.')?;
        Some(Cursor {
            at: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }

    pub fn encode(self) -> String {
        format!("{}.{}", self.at, self.id)
    }
}

/// One page of a search, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// The `before` of the next page; `None` on the last.
    pub next: Option<String>,
    /// How far back logs go for this mailbox (R-LOG-2).
    pub retention_days: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enhanced_codes_come_from_the_dsn_or_the_reply() {
        assert_eq!(status_code(Some("5.1.1"), ""), Some((5, 1, 1)));
        assert_eq!(
            status_code(None, "550 5.1.1 <x@y.test>: Recipient address rejected"),
            Some((5, 1, 1))
        );
        assert_eq!(status_code(None, "connect to x: Connection refused"), None);
        assert_eq!(status_code(Some("9.1.1"), ""), None);
        assert_eq!(status_code(Some("5.1"), ""), None);
        assert_eq!(status_code(Some("5.1.1.1"), ""), None);
        assert_eq!(status_code(Some("5.99999.1"), ""), None);
    }

    #[test]
    fn failures_are_classified_by_their_enhanced_code() {
        use LogStatus::*;
        let cases = [
            (
                Bounced,
                "5.1.1",
                "host x said: 550 5.1.1 <nobody@x>: Recipient address rejected: User unknown",
                Reason::UnknownRecipient,
            ),
            (
                Rejected,
                "5.1.2",
                "Host or domain name not found",
                Reason::UnknownDomain,
            ),
            (
                Bounced,
                "5.2.2",
                "552 5.2.2 Mailbox is full",
                Reason::MailboxFull,
            ),
            (
                Deferred,
                "4.2.2",
                "452 4.2.2 Over quota",
                Reason::MailboxFull,
            ),
            (
                Bounced,
                "5.3.4",
                "552 5.3.4 Message size exceeds fixed limit",
                Reason::TooLarge,
            ),
            (
                Rejected,
                "5.7.1",
                "554 5.7.1 Gtube pattern",
                Reason::RefusedAsSpam,
            ),
            (
                Rejected,
                "5.7.1",
                "550 5.7.1 Sender address rejected: not owned by user",
                Reason::SenderRefused,
            ),
            (
                Rejected,
                "5.7.1",
                "554 5.7.1 Relay access denied",
                Reason::RefusedByPolicy,
            ),
            (
                Deferred,
                "4.4.1",
                "connect to 127.0.0.1[127.0.0.1]:2526: Connection refused",
                Reason::Unreachable,
            ),
            (Bounced, "4.4.7", "message expired", Reason::Expired),
            (
                Deferred,
                "4.3.0",
                "temporary failure",
                Reason::ServerProblem,
            ),
            (Deferred, "4.9.9", "try later", Reason::TemporaryFailure),
            (Bounced, "5.9.9", "no", Reason::PermanentFailure),
        ];
        for (status, dsn, reply, want) in cases {
            assert_eq!(explain(status, Some(dsn), reply), want, "{dsn} {reply}");
        }
        // Without a code: the text, then the status.
        assert_eq!(
            explain(
                Deferred,
                None,
                "lost connection with x while sending RCPT TO"
            ),
            Reason::Unreachable
        );
        assert_eq!(explain(Deferred, None, "weird"), Reason::TemporaryFailure);
        assert_eq!(explain(Bounced, None, ""), Reason::PermanentFailure);
        // Successes say where the mail went.
        assert_eq!(
            explain(Delivered, Some("2.0.0"), "250 ok"),
            Reason::Delivered
        );
        assert_eq!(explain(Spam, Some("2.0.0"), ""), Reason::FiledAsSpam);
        assert_eq!(explain(Filed, None, ""), Reason::FiledByRule);
    }

    #[test]
    fn hostile_queries_are_refused_before_any_database() {
        let ok = LogQuery {
            direction: Some(Direction::Sent),
            since: Some(10),
            until: Some(20),
            q: Some("ann@".into()),
            before: Some("15.3".into()),
        };
        assert_eq!(ok.problem(), None);
        for bad in [
            LogQuery {
                since: Some(30),
                until: Some(20),
                ..LogQuery::default()
            },
            LogQuery {
                q: Some("x".repeat(MAX_SEARCH_CHARS + 1)),
                ..LogQuery::default()
            },
            LogQuery {
                q: Some("a\0b".into()),
                ..LogQuery::default()
            },
            LogQuery {
                before: Some("15;DROP".into()),
                ..LogQuery::default()
            },
        ] {
            assert!(bad.problem().is_some(), "{bad:?}");
        }
        assert_eq!(
            Cursor::parse(&Cursor { at: 5, id: 9 }.encode()),
            Some(Cursor { at: 5, id: 9 })
        );
    }

    #[test]
    fn names_round_trip() {
        for s in LogStatus::ALL {
            assert_eq!(LogStatus::parse(s.as_str()), Some(s));
        }
        for d in [Direction::Sent, Direction::Received] {
            assert_eq!(Direction::parse(d.as_str()), Some(d));
        }
    }
}
