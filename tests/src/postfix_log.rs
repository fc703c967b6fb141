//! Postfix log lines as the stacks' Postfix writes them to `postfix.log`
//! (`maillog_file`), for the figures and tests that feed the gateway's log
//! follower more than real mail would in the time (R-LOG): appended to the
//! very file it follows, beside Postfix's own lines.

use std::io::Write;
use std::path::Path;

/// `Dec 03 13:40:01`: the stacks' Postfix writes UTC.
pub fn syslog_time(unix: i64) -> String {
    let t =
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let month = &format!("{:?}", t.month())[..3];
    format!(
        "{month} {:02} {:02}:{:02}:{:02}",
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Lines per message of [`received`].
pub const LINES_PER_MESSAGE: usize = 4;

/// Message `n` (of the batch `tag`, letters and digits) from outside to
/// `to`, delivered over LMTP: smtpd's `client=`, cleanup's `message-id=`,
/// qmgr's `from=<news-{tag}@ingest.test>`, lmtp's `to=… status=sent`. Its
/// queue id is `B{tag}{n:07X}`.
pub fn received(n: usize, stamp: &str, tag: &str, to: &str) -> String {
    let q = queue_id(n, tag);
    format!(
        "{stamp} mx postfix/smtpd[4242]: {q}: client=unknown[192.0.2.1]\n\
         {stamp} mx postfix/cleanup[4243]: {q}: message-id=<{n}.{tag}@ingest.test>\n\
         {stamp} mx postfix/qmgr[4244]: {q}: from=<{}>, size=2048, nrcpt=1 (queue active)\n\
         {stamp} mx postfix/lmtp[4245]: {q}: to=<{to}>, relay=127.0.0.1[127.0.0.1]:24, delay=0.1, \
         delays=0.05/0/0.02/0.03, dsn=2.0.0, status=sent (250 2.0.0 <{to}> S{n}{tag} Saved)\n",
        sender(tag)
    )
}

pub fn queue_id(n: usize, tag: &str) -> String {
    format!("B{tag}{n:07X}")
}

/// The envelope sender of the batch `tag`.
pub fn sender(tag: &str) -> String {
    format!("news-{tag}@ingest.test")
}

/// Appends messages `range` of the batch to `log` in whole-line writes of
/// at most 64 KiB, so Postfix's own lines land between them, never inside.
pub fn append_received(
    log: &Path,
    range: std::ops::Range<usize>,
    stamp: &str,
    tag: &str,
    to: &str,
) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().append(true).open(log)?;
    let mut chunk = String::new();
    for n in range {
        let lines = received(n, stamp, tag, to);
        if chunk.len() + lines.len() > 64 * 1024 {
            file.write_all(chunk.as_bytes())?;
            chunk.clear();
        }
        chunk.push_str(&lines);
    }
    file.write_all(chunk.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_are_postfix_s_and_each_message_has_its_own_queue_id() {
        let stamp = syslog_time(1_796_187_600);
        assert_eq!(stamp, "Dec 02 05:00:00");
        let a = received(1, &stamp, "t9", "box@x.test");
        assert_eq!(a.lines().count(), LINES_PER_MESSAGE);
        assert!(
            a.lines()
                .all(|l| l.starts_with("Dec 02 05:00:00 mx postfix/"))
        );
        assert!(a.lines().all(|l| l.contains(": Bt90000001: ")));
        assert_ne!(queue_id(1, "t9"), queue_id(2, "t9"));
        assert!(a.contains("to=<box@x.test>") && a.contains("status=sent"));
        assert!(a.contains("from=<news-t9@ingest.test>"));
    }
}
