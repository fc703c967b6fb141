//! Teaching the spam filter what a user reported (R-SPAM-5): the message
//! goes to rspamd's controller (`POST /learnspam` or `/learnham`) with
//! `Deliver-To:` the mailbox, so it lands in that mailbox's own Bayes
//! statistics (`per_user`, kept in Redis) and moves no other customer's
//! scores. rspamd classifies by Bayes only after 200 learned messages of
//! each kind (`min_learns`); until then a report changes nothing at
//! delivery, and the mailbox's sender lists are what act at once.
//!
//! The controller speaks plain HTTP/1.1 on loopback; one request per
//! message, `Connection: close`, so this is a few lines of a client, not a
//! dependency.

use std::time::Duration;

use postern_shared::spam::Verdict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A message larger than this is not sent to be learned (rspamd's tokens
/// come from the text; a big attachment teaches nothing).
pub const MAX_LEARN_BYTES: usize = 10 * 1024 * 1024;
const TIMEOUT: Duration = Duration::from_secs(10);

/// rspamd's controller, or nothing to teach.
#[derive(Clone, Default)]
pub struct Learner {
    /// `POSTERN_RSPAMD_CONTROLLER` (`host:port`) and
    /// `POSTERN_RSPAMD_PASSWORD`.
    controller: Option<(String, String)>,
}

impl std::fmt::Debug for Learner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addr = self.controller.as_ref().map(|(a, _)| a.as_str());
        f.debug_struct("Learner")
            .field("controller", &addr)
            .finish()
    }
}

impl Learner {
    /// `None` for either: reports still move messages, nothing is learned.
    pub fn new(addr: Option<String>, password: Option<String>) -> Learner {
        Learner {
            controller: addr.zip(password),
        }
    }

    pub fn none() -> Learner {
        Learner::default()
    }

    /// Teaches `message` as `verdict` into `mailbox`'s statistics; whether
    /// rspamd learned it (it declines a message it already learned, one
    /// too short to have tokens, or one already classified that way with
    /// certainty). Failures are logged, never the caller's error: the
    /// report's move is what the user asked for.
    pub async fn learn(&self, mailbox: &str, verdict: Verdict, message: &[u8]) -> bool {
        let Some((addr, password)) = &self.controller else {
            return false;
        };
        if message.len() > MAX_LEARN_BYTES {
            return false;
        }
        let path = match verdict {
            Verdict::Spam => "/learnspam",
            Verdict::NotSpam => "/learnham",
        };
        match tokio::time::timeout(TIMEOUT, post(addr, path, password, mailbox, message)).await {
            Ok(Ok((200, body))) => learned(&body),
            Ok(Ok((status, body))) => {
                // 208 "already learned", 404 "cannot learn" and the like.
                tracing::info!(
                    mailbox,
                    status,
                    answer = %String::from_utf8_lossy(&body[..body.len().min(200)]),
                    "rspamd did not learn a report"
                );
                false
            }
            Ok(Err(e)) => {
                tracing::warn!(mailbox, error = %e, "cannot reach rspamd's controller");
                false
            }
            Err(_) => {
                tracing::warn!(mailbox, "rspamd's controller did not answer in time");
                false
            }
        }
    }
}

/// `{"success": true}`.
fn learned(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("success").and_then(serde_json::Value::as_bool))
        .unwrap_or(false)
}

/// The request's head. `mailbox` and `password` come from the database and
/// the configuration, never a request, but a line break in either would
/// add a header: refused.
fn head(path: &str, password: &str, mailbox: &str, len: usize) -> Option<String> {
    let clean = |v: &str| !v.chars().any(|c| c.is_control());
    (clean(password) && clean(mailbox)).then(|| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: rspamd\r\nPassword: {password}\r\n\
             Deliver-To: {mailbox}\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
        )
    })
}

async fn post(
    addr: &str,
    path: &str,
    password: &str,
    mailbox: &str,
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let head = head(path, password, mailbox, body.len()).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "control character in a header",
        )
    })?;
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body).await?;
    let mut answer = Vec::new();
    stream.take(1 << 20).read_to_end(&mut answer).await?;
    parse_response(&answer)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not an HTTP answer"))
}

/// Status and body of an HTTP/1.x answer read to its end.
fn parse_response(answer: &[u8]) -> Option<(u16, Vec<u8>)> {
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&answer[..split]).ok()?;
    let status = head
        .lines()
        .next()?
        .strip_prefix("HTTP/1.")?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, answer[split + 4..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rspamd_s_answers() {
        let ok =
            b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 16\r\n\r\n{\"success\":true}";
        let (status, body) = parse_response(ok).unwrap();
        assert_eq!(status, 200);
        assert!(learned(&body));
        let already = b"HTTP/1.1 208 Already Reported\r\n\r\n{\"error\":\"<x> has been already learned as spam, ignore it\"}";
        let (status, body) = parse_response(already).unwrap();
        assert_eq!(status, 208);
        assert!(!learned(&body));
        assert_eq!(parse_response(b"garbage"), None);
        assert_eq!(parse_response(b"SMTP 220\r\n\r\n"), None);
    }

    #[test]
    fn a_line_break_never_becomes_a_header() {
        assert!(head("/learnspam", "pw", "a@b.test", 3).is_some());
        assert_eq!(head("/learnspam", "pw", "a@b.test\r\nX: y", 3), None);
        assert_eq!(head("/learnspam", "p\nw", "a@b.test", 3), None);
        let h = head("/learnham", "pw", "a@b.test", 42).unwrap();
        assert!(h.starts_with("POST /learnham HTTP/1.1\r\n"));
        assert!(h.contains("\r\nDeliver-To: a@b.test\r\n"));
        assert!(h.contains("\r\nContent-Length: 42\r\n"));
    }

    #[tokio::test]
    async fn without_a_controller_nothing_is_learned() {
        assert!(!Learner::none().learn("a@b.test", Verdict::Spam, b"x").await);
        // A controller that is not there: logged, not learned, no error.
        let gone = Learner::new(Some("127.0.0.1:9".into()), Some("pw".into()));
        assert!(!gone.learn("a@b.test", Verdict::NotSpam, b"x").await);
    }
}
