//! The sending rules as pure functions (R-SEND, R-LIM), so the webmail, the
//! gateway and the SMTP policy service all decide the same way.

use crate::limits::{MAX_ATTACHMENT_BYTES, MAX_RECIPIENTS, MAX_WEBMAIL_TRANSFER_BYTES};
use std::collections::HashSet;

/// Commercial offers that set the daily sending quota (R-SEND-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Offer {
    Free,
    Standard,
    Business,
    Enterprise,
    /// Starter mail service (one address at most).
    Starter,
    /// Premium mail service (five addresses at least).
    Premium,
    /// Unauthenticated mail sent by web-hosting scripts.
    WebHostingScript,
}

impl Offer {
    pub const ALL: [Offer; 7] = [
        Offer::Free,
        Offer::Standard,
        Offer::Business,
        Offer::Enterprise,
        Offer::Starter,
        Offer::Premium,
        Offer::WebHostingScript,
    ];

    /// The name stored in `organizations.offer`.
    pub fn as_str(self) -> &'static str {
        match self {
            Offer::Free => "free",
            Offer::Standard => "standard",
            Offer::Business => "business",
            Offer::Enterprise => "enterprise",
            Offer::Starter => "starter",
            Offer::Premium => "premium",
            Offer::WebHostingScript => "web_hosting_script",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Offer::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// R-LIM-5: the storage of each mailbox, `None` for unlimited. Dovecot
    /// enforces it: its userdb reads the figure of the `offers` table
    /// (written by migration 0006 from this function; a gateway test keeps
    /// the two equal) unless the mailbox has its own `quota_bytes`.
    pub fn mailbox_storage_limit(self) -> Option<u64> {
        match self {
            Offer::Free | Offer::Starter => Some(crate::limits::MAILBOX_STORAGE_BYTES),
            Offer::Standard
            | Offer::Business
            | Offer::Enterprise
            | Offer::Premium
            | Offer::WebHostingScript => None,
        }
    }

    /// Recipients per rolling 24 hours.
    pub fn daily_limit(self) -> u32 {
        match self {
            Offer::Free | Offer::Starter => 500,
            Offer::Standard | Offer::Business | Offer::Enterprise | Offer::Premium => 1440,
            Offer::WebHostingScript => 50,
        }
    }
}

/// The distinct envelope recipients of To + Cc + Bcc (case-insensitive), the
/// number R-SEND-1 and R-SEND-2 count: an address listed twice gets one copy.
pub fn distinct_recipients<'a>(lists: impl IntoIterator<Item = &'a str>) -> usize {
    lists
        .into_iter()
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect::<HashSet<_>>()
        .len()
}

/// R-SEND-1: at most 100 recipients per message.
pub fn within_recipient_limit(recipients: usize) -> bool {
    recipients <= MAX_RECIPIENTS
}

pub const QUOTA_WINDOW_SECS: i64 = 24 * 60 * 60;

/// R-SEND-2 on a rolling window. `history` holds earlier sends as
/// `(unix seconds, recipients)`, in any order. Sending `n` more at `now` is
/// allowed when the sends of the last 24 hours plus `n` stay within `limit`;
/// otherwise the answer is the first moment at which it would be.
pub fn quota_check(limit: u32, history: &[(i64, u32)], now: i64, n: u32) -> Result<(), i64> {
    let since = now - QUOTA_WINDOW_SECS;
    let mut recent: Vec<(i64, u32)> = history
        .iter()
        .copied()
        .filter(|&(t, _)| t > since)
        .collect();
    let used: u64 = recent.iter().map(|&(_, c)| u64::from(c)).sum();
    let limit = u64::from(limit);
    if used + u64::from(n) <= limit {
        return Ok(());
    }
    if u64::from(n) > limit {
        // Never possible; say so with the farthest meaningful time.
        return Err(now + QUOTA_WINDOW_SECS);
    }
    // Oldest sends leave the window first; find when enough have left.
    recent.sort_unstable();
    let mut still_used = used;
    for (t, c) in recent {
        still_used -= u64::from(c);
        if still_used + u64::from(n) <= limit {
            return Err(t + QUOTA_WINDOW_SECS);
        }
    }
    Err(now)
}

/// R-SEND-3: the From header and the envelope sender must be the mailbox
/// address or one of its aliases. Domains compare case-insensitively; local
/// parts too, as every mailbox here is stored lower-case.
pub fn sender_allowed(sender: &str, mailbox: &str, aliases: &[&str]) -> bool {
    let sender = sender.trim();
    std::iter::once(mailbox)
        .chain(aliases.iter().copied())
        .any(|a| a.trim().eq_ignore_ascii_case(sender))
}

/// How the webmail carries a file of `size` bytes (R-LIM-2..4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentRoute {
    /// A normal MIME attachment (≤ 25 MiB).
    Attach,
    /// Uploaded to a transfer, with a link in the message (≤ 3 GiB).
    Transfer,
    /// Too large for the webmail: use the standalone transfer page (≤ 50 GiB).
    StandaloneTransferOnly,
}

pub fn attachment_route(size: u64) -> AttachmentRoute {
    if size <= MAX_ATTACHMENT_BYTES {
        AttachmentRoute::Attach
    } else if size <= MAX_WEBMAIL_TRANSFER_BYTES {
        AttachmentRoute::Transfer
    } else {
        AttachmentRoute::StandaloneTransferOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_and_starter_mailboxes_hold_20_gb_the_others_are_unlimited() {
        let l = |s| Offer::parse(s).unwrap().mailbox_storage_limit();
        assert_eq!(l("free"), Some(20_000_000_000));
        assert_eq!(l("starter"), Some(20_000_000_000));
        for o in [
            "standard",
            "business",
            "enterprise",
            "premium",
            "web_hosting_script",
        ] {
            assert_eq!(l(o), None, "{o}");
        }
    }

    #[test]
    fn offers_have_the_spec_quotas() {
        let q = |s| Offer::parse(s).unwrap().daily_limit();
        assert_eq!(q("free"), 500);
        assert_eq!(q("standard"), 1440);
        assert_eq!(q("business"), 1440);
        assert_eq!(q("enterprise"), 1440);
        assert_eq!(q("starter"), 500);
        assert_eq!(q("premium"), 1440);
        assert_eq!(q("web_hosting_script"), 50);
        for o in Offer::ALL {
            assert_eq!(Offer::parse(o.as_str()), Some(o));
        }
        assert_eq!(Offer::parse("gold"), None);
    }

    #[test]
    fn recipients_are_counted_across_to_cc_bcc_once_each() {
        let to = ["a@x.test", "B@x.test"];
        let cc = ["b@X.TEST", "c@x.test"];
        let bcc = [" d@x.test "];
        let all = to.iter().chain(&cc).chain(&bcc).copied();
        assert_eq!(distinct_recipients(all), 4);
        assert!(within_recipient_limit(100));
        assert!(!within_recipient_limit(101));
    }

    #[test]
    fn quota_counts_recipients_and_says_when_it_frees_up() {
        let now = 1_000_000;
        // 400 at now-20h, 90 at now-2h: 490 of 500 used.
        let history = [(now - 2 * 3600, 90), (now - 20 * 3600, 400)];
        assert_eq!(quota_check(500, &history, now, 10), Ok(()));
        // 11 more would cross 500: frees when the 400 leave the window.
        assert_eq!(
            quota_check(500, &history, now, 11),
            Err(now - 20 * 3600 + QUOTA_WINDOW_SECS)
        );
        // Sends older than 24 h no longer count.
        let old = [(now - QUOTA_WINDOW_SECS, 500)];
        assert_eq!(quota_check(500, &old, now, 500), Ok(()));
        // A single message larger than the quota can never go.
        assert_eq!(quota_check(50, &[], now, 51), Err(now + QUOTA_WINDOW_SECS));
    }

    #[test]
    fn quota_needs_enough_old_sends_to_leave_not_just_the_oldest() {
        let now = 10 * QUOTA_WINDOW_SECS;
        let history = [
            (now - 23 * 3600, 10),
            (now - 10 * 3600, 480),
            (now - 3600, 10),
        ];
        // 500 used; sending 20 needs 20 freed: the 10 at -23h is not enough.
        assert_eq!(
            quota_check(500, &history, now, 20),
            Err(now - 10 * 3600 + QUOTA_WINDOW_SECS)
        );
    }

    #[test]
    fn sender_must_be_the_mailbox_or_an_alias() {
        assert!(sender_allowed(
            "Info@Example.test",
            "info@example.test",
            &[]
        ));
        assert!(sender_allowed(
            "sales@example.test",
            "info@example.test",
            &["sales@example.test"]
        ));
        assert!(!sender_allowed(
            "ceo@example.test",
            "info@example.test",
            &["sales@example.test"]
        ));
        assert!(!sender_allowed(
            "info@example.test.evil",
            "info@example.test",
            &[]
        ));
    }

    #[test]
    fn files_are_routed_by_size() {
        assert_eq!(attachment_route(26_214_400), AttachmentRoute::Attach);
        assert_eq!(attachment_route(26_214_401), AttachmentRoute::Transfer);
        assert_eq!(attachment_route(3_221_225_472), AttachmentRoute::Transfer);
        assert_eq!(
            attachment_route(3_221_225_473),
            AttachmentRoute::StandaloneTransferOnly
        );
    }
}
