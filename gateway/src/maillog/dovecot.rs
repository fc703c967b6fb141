//! Dovecot's LMTP and Sieve lines: which folder a delivery went to.
//!
//! ```text
//! 2026-12-02T04:40:01 lmtp(bob@a.test)<817><Hx4fOq><dev=>: Info: msgid=<x@a.test>: saved mail to INBOX
//! 2026-12-02T04:40:01 lmtp(bob@a.test)<817><Hx4fOq><dev=>: Info: sieve: msgid=<x@a.test>: stored mail into mailbox 'Junk'
//! ```
//!
//! The `<session>` (xtask's `mail_log_prefix`) is the one Dovecot gives
//! Postfix in its answer (`250 2.0.0 <bob@a.test> Hx4fOq Saved`), which is
//! how a Postfix delivery line finds its folder ([`postfix_session`]).

/// A delivery stored in a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filing {
    pub at: i64,
    pub user: String,
    pub session: String,
    pub folder: String,
    /// By a Sieve script's `fileinto` rather than the implicit keep.
    pub by_rule: bool,
}

/// A Dovecot log line, if it says where LMTP stored a message.
pub fn parse(line: &str) -> Option<Filing> {
    let (stamp, rest) = line.split_once(' ')?;
    let rest = rest.strip_prefix("lmtp(")?;
    let (user, rest) = rest.split_once(")<")?;
    let (_pid, rest) = rest.split_once("><")?;
    let (session, rest) = rest.split_once('>')?;
    let (_, message) = rest.split_once(": Info: ")?;
    let (by_rule, folder) = if let Some(m) = message.strip_prefix("sieve: ") {
        let (_, action) = m.split_once(">: ")?;
        let folder = action
            .strip_prefix("fileinto action: ")
            .unwrap_or(action)
            .strip_prefix("stored mail into mailbox '")?
            .strip_suffix('\'')?;
        (true, folder)
    } else {
        let (_, action) = message.split_once(">: ")?;
        (false, action.strip_prefix("saved mail to ")?)
    };
    if session.is_empty() || folder.is_empty() || folder.chars().any(char::is_control) {
        return None;
    }
    Some(Filing {
        at: crate::devices::dovecot::parse_stamp(stamp)?,
        user: user.to_ascii_lowercase(),
        session: session.to_string(),
        folder: folder.to_string(),
        // Sieve's implicit keep also says "stored mail into mailbox 'INBOX'".
        by_rule: by_rule && folder != "INBOX",
    })
}

/// The LMTP session of Postfix's `status=sent (250 2.0.0 <bob@a.test> Hx4fOq Saved)`.
pub fn postfix_session(detail: &str) -> Option<&str> {
    let rest = detail.strip_prefix("250 2.0.0 <")?;
    let (_, rest) = rest.split_once("> ")?;
    let session = rest.strip_suffix(" Saved")?;
    (!session.is_empty() && !session.contains(' ')).then_some(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_keep_and_fileinto_are_filings() {
        let keep = parse("2026-12-02T04:40:01 lmtp(Bob@a.test)<817><Hx4fOq><dev=>: Info: msgid=<x@a.test>: saved mail to INBOX").unwrap();
        assert_eq!(
            keep,
            Filing {
                at: 1_796_186_401,
                user: "bob@a.test".into(),
                session: "Hx4fOq".into(),
                folder: "INBOX".into(),
                by_rule: false,
            }
        );
        let junk = parse("2026-12-02T04:40:01 lmtp(bob@a.test)<817><Hx4fOq:2><dev=>: Info: sieve: msgid=<x@a.test>: fileinto action: stored mail into mailbox 'Junk'").unwrap();
        assert_eq!(
            (junk.session.as_str(), junk.folder.as_str(), junk.by_rule),
            ("Hx4fOq:2", "Junk", true)
        );
        let older = parse("2026-12-02T04:40:01 lmtp(bob@a.test)<817><S><dev=>: Info: sieve: msgid=<x>: stored mail into mailbox 'Work/Ünï'").unwrap();
        assert_eq!(older.folder, "Work/Ünï");
        let inbox = parse("2026-12-02T04:40:01 lmtp(bob@a.test)<817><S><dev=>: Info: sieve: msgid=<x>: stored mail into mailbox 'INBOX'").unwrap();
        assert!(!inbox.by_rule);
    }

    #[test]
    fn other_lines_are_not_filings() {
        for line in [
            "",
            "2026-12-02T04:40:01 imap-login: Info: Login: user=<a>",
            "2026-12-02T04:40:01 lmtp(bob@a.test)<817><S><dev=>: Info: save: box=INBOX, uid=1, msgid=<x>",
            "2026-12-02T04:40:01 lmtp(bob@a.test)<817><S><dev=>: Info: msgid=<x>: saved mail to ",
            "2026-12-02T04:40:01 lmtp(bob@a.test)<817><><dev=>: Info: msgid=<x>: saved mail to INBOX",
            "2026-12-02T04:40:01 lmtp(bob@a.test)<817><S><dev=>: Error: msgid=<x>: saved mail to INBOX",
            "nonsense lmtp(bob@a.test)<817><S><dev=>: Info: msgid=<x>: saved mail to INBOX",
        ] {
            assert_eq!(parse(line), None, "{line:?}");
        }
    }

    #[test]
    fn postfix_names_the_lmtp_session() {
        assert_eq!(
            postfix_session("250 2.0.0 <bob@a.test> Hx4fOq Saved"),
            Some("Hx4fOq")
        );
        assert_eq!(
            postfix_session("250 2.0.0 <bob@a.test> Hx4fOq:2 Saved"),
            Some("Hx4fOq:2")
        );
        assert_eq!(postfix_session("250 2.0.0 Ok: queued as 5XYZ"), None);
        assert_eq!(postfix_session("250 2.0.0 <b> a b Saved"), None);
    }
}
