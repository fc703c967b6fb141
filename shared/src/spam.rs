//! Spam filtering and sender lists (R-SPAM): a mailbox's Filters tab
//! ([`SpamSettings`]), the mail service's global lists ([`OrgSpamLists`])
//! and the bulk switch of the address table ([`BulkSpamFilterRequest`]),
//! plus the one rule for what a list entry may be ([`parse_sender`]),
//! which the portal checks as it is typed and the gateway enforces.
//!
//! Where spam goes (the order of precedence, R-SPAM-1/4), for a mailbox
//! whose filter is on, first match wins:
//! 1. the sender is on the mailbox's **approved** list → not filtered;
//! 2. on the mailbox's **blocked** list → the spam folder;
//! 3. on the service's global **approved** list → not filtered;
//! 4. on the service's global **blocked** list → the spam folder;
//! 5. the spam filter's verdict is spam (rspamd's "add header", score ≥ 6)
//!    → the spam folder;
//! 6. otherwise the Inbox (and the user's own Sieve scripts).
//!
//! With the filter off, everything goes to the Inbox, lists included.

use crate::api::MailboxId;
use serde::{Deserialize, Serialize};

/// The most characters of one entry (an address's RFC 5321 limit).
pub const MAX_SENDER_CHARS: usize = 254;
/// The most entries of one list (a mailbox's or a service's, blocked or
/// approved): each is a string in a Sieve script run at every delivery.
pub const MAX_SENDERS_PER_LIST: usize = 1_000;

/// Which list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SenderList {
    /// Always filed as spam (while the filter is on).
    Blocked,
    /// Never filtered, whatever the score.
    Approved,
}

impl SenderList {
    pub const ALL: [SenderList; 2] = [SenderList::Blocked, SenderList::Approved];

    pub fn as_str(self) -> &'static str {
        match self {
            SenderList::Blocked => "blocked",
            SenderList::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        SenderList::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// `GET/PUT /api/mailboxes/{mb}/spam` (needs `manage_filters`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpamSettings {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    /// R-SPAM-1: on by default for new mailboxes.
    pub enabled: bool,
    /// R-SPAM-2: the folder spam goes to (full path); `None`: the Junk
    /// special-use folder.
    pub folder: Option<String>,
    /// Lower-case addresses and `@domain`s, sorted.
    pub blocked: Vec<String>,
    pub approved: Vec<String>,
}

/// `PUT /api/mailboxes/{mb}/spam`: the toggle and the destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateSpamSettings {
    pub enabled: bool,
    /// An existing folder of the mailbox; `None`: the Junk folder.
    #[serde(default)]
    pub folder: Option<String>,
}

/// `POST …/spam/senders` (add, or import a pasted list) and
/// `POST …/spam/senders/remove`, for a mailbox or a service. Adding is
/// all or nothing: one invalid entry refuses the request
/// (`invalid_sender`, naming it). Entries already listed are skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SenderEntries {
    pub list: SenderList,
    pub entries: Vec<String>,
}

/// `GET /api/orgs/{org}/spam`: the service's global lists (R-SPAM-4),
/// applied to every mailbox of the organisation without changing theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgSpamLists {
    pub blocked: Vec<String>,
    pub approved: Vec<String>,
    /// Whether the caller's role may change them (`Action::ManageSpam`).
    pub allowed: bool,
}

/// `POST /api/orgs/{org}/spam/filter` (R-SPAM-3): the filter of many
/// mailboxes at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkSpamFilterRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub mailboxes: Vec<MailboxId>,
    pub enabled: bool,
}

/// The mailboxes whose filter is now `enabled` (every one asked for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkSpamFilterResult {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub mailboxes: Vec<MailboxId>,
    pub enabled: bool,
}

/// The most messages one report may name: each is fetched whole for the
/// spam filter to learn from.
pub const MAX_REPORTED: usize = 100;

/// What a user says of messages (R-SPAM-5, R-MAIL-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// To the spam destination folder; learned as spam.
    Spam,
    /// To the Inbox; learned as not spam.
    NotSpam,
}

/// `POST /api/mailboxes/{mb}/messages/report`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRequest {
    pub folder: String,
    pub uids: Vec<u32>,
    pub verdict: Verdict,
}

/// What a report did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportResult {
    /// Where the messages are now: the spam destination, or the Inbox.
    pub destination: String,
    /// How many moved (0 when they already were there).
    pub moved: u32,
    /// Their senders' addresses (lower-case, distinct, in order), to offer
    /// blocking or approving them in one click.
    pub senders: Vec<String>,
    /// Whether the caller may put them on the mailbox's lists (the
    /// "manage filters" permission, R-SPAM-6).
    pub can_list: bool,
    /// How many the spam filter learned from (this mailbox's own
    /// statistics); 0 where it cannot learn.
    pub learned: u32,
}

/// A valid list entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sender {
    /// `local@domain`, lower-case.
    Address(String),
    /// `@domain`: every address of exactly that domain, lower-case,
    /// without the `@`.
    Domain(String),
}

impl Sender {
    /// As stored and shown: `local@domain` or `@domain`.
    pub fn entry(&self) -> String {
        match self {
            Sender::Address(a) => a.clone(),
            Sender::Domain(d) => format!("@{d}"),
        }
    }
}

/// Why an entry was refused; the wire's `invalid_sender` carries it as
/// `params.reason` (and the character as `params.character`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderError {
    Empty,
    /// More than [`MAX_SENDER_CHARS`] characters.
    TooLong,
    /// A character that is not allowed (a space, a quote, a backslash, a
    /// control character, a letter outside ASCII, …).
    Character(char),
    /// Not `local@domain` nor `@domain` (no `@`, two `@`, an empty part,
    /// a domain without a dot, a label starting or ending with `-`, …).
    Malformed,
}

impl SenderError {
    pub fn reason(&self) -> &'static str {
        match self {
            SenderError::Empty => "empty",
            SenderError::TooLong => "too_long",
            SenderError::Character(_) => "character",
            SenderError::Malformed => "malformed",
        }
    }
}

/// Characters of a local part besides letters and digits (RFC 5322's
/// dot-atom: no quotes, no backslash, no space, so an entry is never
/// something a Sieve string must escape).
const LOCAL_PUNCTUATION: &str = ".!#$%&'*+/=?^_`{|}~-";

/// Checks and normalises one entry: `local@domain` or `@domain`, ASCII,
/// lower-cased, surrounding spaces trimmed. Internationalised addresses
/// are refused (`Character`), not guessed at.
pub fn parse_sender(raw: &str) -> Result<Sender, SenderError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(SenderError::Empty);
    }
    if s.chars().count() > MAX_SENDER_CHARS {
        return Err(SenderError::TooLong);
    }
    let s = s.to_ascii_lowercase();
    let (local, domain) = match s.rsplit_once('@') {
        Some(parts) => parts,
        None => {
            if let Some(c) = s.chars().find(|c| !allowed_in_local(*c)) {
                return Err(SenderError::Character(c));
            }
            return Err(SenderError::Malformed);
        }
    };
    for c in local.chars() {
        if c == '@' {
            return Err(SenderError::Malformed);
        }
        if !allowed_in_local(c) {
            return Err(SenderError::Character(c));
        }
    }
    for c in domain.chars() {
        if !(c.is_ascii_alphanumeric() || c == '-' || c == '.') {
            return Err(SenderError::Character(c));
        }
    }
    if !valid_domain(domain) {
        return Err(SenderError::Malformed);
    }
    if local.is_empty() {
        return Ok(Sender::Domain(domain.to_string()));
    }
    if local.len() > 64 || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(SenderError::Malformed);
    }
    Ok(Sender::Address(s.clone()))
}

fn allowed_in_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || LOCAL_PUNCTUATION.contains(c)
}

fn valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// A pasted list, split into entries: one per line, or separated by
/// commas, semicolons or spaces; blanks dropped, duplicates kept (the
/// gateway skips what is listed already).
pub fn split_pasted(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_domains_are_lower_cased_and_trimmed() {
        assert_eq!(
            parse_sender("  Bob.Smith+news@Example.COM "),
            Ok(Sender::Address("bob.smith+news@example.com".into()))
        );
        assert_eq!(
            parse_sender("@Spam.Example"),
            Ok(Sender::Domain("spam.example".into()))
        );
        assert_eq!(
            parse_sender("@spam.example").unwrap().entry(),
            "@spam.example"
        );
    }

    #[test]
    fn hostile_and_malformed_entries_are_refused() {
        use SenderError::*;
        for (raw, want) in [
            ("", Empty),
            ("   ", Empty),
            ("a\"b@x.test", Character('"')),
            ("a\\b@x.test", Character('\\')),
            ("a b@x.test", Character(' ')),
            ("a@x.test\nrequire", Character('\n')),
            ("a@x.test\"; discard; \"", Character('"')),
            ("jörg@x.test", Character('ö')),
            ("a@exämple.test", Character('ä')),
            ("a@x_y.test", Character('_')),
            ("nobody", Malformed),
            ("a@b@x.test", Malformed),
            ("a@localhost", Malformed),
            ("@", Malformed),
            ("a@-x.test", Malformed),
            ("a@x..test", Malformed),
            (".a@x.test", Malformed),
            ("a..b@x.test", Malformed),
        ] {
            assert_eq!(parse_sender(raw), Err(want), "{raw:?}");
        }
        let long = format!("{}@x.test", "a".repeat(250));
        assert_eq!(parse_sender(&long), Err(TooLong));
        let long_local = format!("{}@x.test", "a".repeat(65));
        assert_eq!(parse_sender(&long_local), Err(Malformed));
    }

    #[test]
    fn a_pasted_list_splits_on_lines_commas_semicolons_and_spaces() {
        assert_eq!(
            split_pasted("a@x.test, b@x.test;\n@y.test\r\n\n  c@x.test "),
            vec!["a@x.test", "b@x.test", "@y.test", "c@x.test"]
        );
        assert!(split_pasted(" \n ,; ").is_empty());
    }

    #[test]
    fn list_names_round_trip() {
        for l in SenderList::ALL {
            assert_eq!(SenderList::parse(l.as_str()), Some(l));
        }
        assert_eq!(SenderList::parse("nope"), None);
    }
}
