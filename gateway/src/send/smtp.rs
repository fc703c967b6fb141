//! A small SMTP submission client (RFC 5321/6409 subset): EHLO, STARTTLS,
//! AUTH PLAIN as the master user on behalf of the mailbox, one message,
//! QUIT. Hand-written because it is little code and we need the exact
//! reply text (the policy service's `[postern:…]` tags) to reach the user.

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use postern_shared::{ApiError, ErrorCode};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
    BufStream,
};
use tokio::net::TcpStream;

use crate::postfix::tags;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Per reply; the reply to the final dot may take a while (content checks).
const REPLY_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest reply we read (lines × length), against a confused server.
const MAX_REPLY_BYTES: usize = 64 * 1024;

/// Where and as whom to submit.
#[derive(Clone)]
pub struct Submission {
    pub addr: String,
    pub tls_name: String,
    /// PEM file of the certificate (or CA) to trust; `None`: public roots.
    pub ca: Option<String>,
    /// The mailbox address: SASL authorization id.
    pub authzid: String,
    pub master_user: String,
    pub master_password: String,
}

impl Submission {
    /// Submission as the mailbox `address`: the master user, `address` as
    /// authorization id (the outbox, the invitation email, the demo mail).
    pub fn as_mailbox(
        sending: &crate::config::SendingConfig,
        imap: &crate::config::ImapConfig,
        address: &str,
    ) -> Submission {
        Submission {
            addr: sending.submission_addr.clone(),
            tls_name: sending.submission_tls_name.clone(),
            ca: sending.submission_ca.clone(),
            authzid: address.to_string(),
            master_user: imap.master_user.clone(),
            master_password: imap.master_password.clone(),
        }
    }
}

/// One message's envelope.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub from: String,
    pub to: Vec<String>,
    pub size: u64,
}

/// An SMTP reply: code and text lines (without the code prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }

    fn positive(&self) -> bool {
        (200..400).contains(&self.code)
    }
}

/// Why a submission failed before the server answered about the message.
#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("the server did not answer in time")]
    Timeout,
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("tls: {0}")]
    Tls(String),
    /// The server refused a command (`stage` says which).
    #[error("{stage} refused: {} {}", reply.code, reply.text())]
    Refused { stage: &'static str, reply: Reply },
}

impl SmtpError {
    /// The typed API error: policy tags map to their code, other refusals
    /// to `send_rejected` with the server's text, everything else to
    /// `mail_server_unavailable`.
    pub fn to_api(&self, now: i64) -> ApiError {
        match self {
            SmtpError::Refused { stage, reply } => {
                let text = reply.text();
                if let Some(e) = tags::parse(&text, now) {
                    return e;
                }
                if matches!(*stage, "AUTH" | "EHLO" | "STARTTLS") {
                    // Our own credentials or setup: not the user's business.
                    tracing::error!(stage, code = reply.code, text, "submission setup refused");
                    return ErrorCode::MailServerUnavailable.into();
                }
                ApiError::new(
                    ErrorCode::SendRejected,
                    format!(
                        "The mail server refused the message: {} {text}. The draft is kept.",
                        reply.code
                    ),
                )
                .with(|p| p.server_reply = Some(format!("{} {text}", reply.code)))
            }
            other => {
                tracing::warn!(error = %other, "submission failed");
                ErrorCode::MailServerUnavailable.into()
            }
        }
    }
}

/// Reads one (possibly multi-line) reply: `250-a`, `250-b`, `250 c`.
pub async fn read_reply<R: AsyncBufReadExt + Unpin>(r: &mut R) -> Result<Reply, SmtpError> {
    let mut lines = Vec::new();
    let mut total = 0;
    loop {
        let mut line = Vec::new();
        let n = tokio::time::timeout(REPLY_TIMEOUT, r.read_until(b'\n', &mut line))
            .await
            .map_err(|_| SmtpError::Timeout)??;
        if n == 0 {
            return Err(SmtpError::Protocol("connection closed".into()));
        }
        total += n;
        if total > MAX_REPLY_BYTES {
            return Err(SmtpError::Protocol("reply too long".into()));
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end_matches(['\r', '\n']);
        let (code, sep, text) = match (line.get(..3), line.as_bytes().get(3)) {
            (Some(c), sep) if c.bytes().all(|b| b.is_ascii_digit()) => (
                c.parse::<u16>().unwrap_or(0),
                sep.copied(),
                line.get(4..).unwrap_or(""),
            ),
            _ => return Err(SmtpError::Protocol(format!("bad reply line: {line:.80}"))),
        };
        lines.push(text.to_string());
        match sep {
            Some(b'-') => continue,
            Some(b' ') | None => return Ok(Reply { code, lines }),
            _ => return Err(SmtpError::Protocol(format!("bad reply line: {line:.80}"))),
        }
    }
}

/// Copies a message to the DATA stream: CRLF line ends (a bare LF becomes
/// CRLF), a leading `.` doubled (RFC 5321 §4.5.2), then the final
/// `.\r\n`. Streams in 64 KiB chunks.
pub async fn write_data<R, W>(mut src: R, dst: &mut W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut buf = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(buf.len() + buf.len() / 8);
    let mut at_line_start = true;
    let mut prev_cr = false;
    loop {
        let n = src.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        out.clear();
        for &b in &buf[..n] {
            if at_line_start && b == b'.' {
                out.push(b'.');
            }
            if b == b'\n' && !prev_cr {
                out.push(b'\r');
            }
            out.push(b);
            prev_cr = b == b'\r';
            at_line_start = b == b'\n';
        }
        dst.write_all(&out).await?;
    }
    if !at_line_start {
        dst.write_all(b"\r\n").await?;
    }
    dst.write_all(b".\r\n").await?;
    dst.flush().await
}

async fn command<S>(s: &mut S, line: &str) -> Result<Reply, SmtpError>
where
    S: AsyncBufRead + AsyncWrite + Unpin,
{
    s.write_all(line.as_bytes()).await?;
    s.write_all(b"\r\n").await?;
    s.flush().await?;
    read_reply(s).await
}

async fn expect<S>(s: &mut S, line: &str, stage: &'static str) -> Result<Reply, SmtpError>
where
    S: AsyncBufRead + AsyncWrite + Unpin,
{
    let reply = command(s, line).await?;
    if reply.positive() {
        Ok(reply)
    } else {
        Err(SmtpError::Refused { stage, reply })
    }
}

fn has_extension(ehlo: &Reply, name: &str) -> bool {
    ehlo.lines.iter().skip(1).any(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case(name))
    })
}

/// Only printable ASCII without `<>` in envelope addresses (no injection
/// of SMTP syntax).
fn envelope_address(a: &str) -> Result<&str, SmtpError> {
    if !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>')
    {
        Ok(a)
    } else {
        Err(SmtpError::Protocol(format!(
            "invalid envelope address {a:?}"
        )))
    }
}

/// The message transaction after authentication, over any stream (TLS in
/// production, an in-memory pipe in tests).
pub async fn transaction<S, R>(
    s: &mut S,
    ehlo: &Reply,
    env: &Envelope,
    message: R,
) -> Result<(), SmtpError>
where
    S: AsyncBufRead + AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    let from = envelope_address(&env.from)?;
    let mail = if has_extension(ehlo, "SIZE") {
        format!("MAIL FROM:<{from}> SIZE={}", env.size)
    } else {
        format!("MAIL FROM:<{from}>")
    };
    expect(s, &mail, "MAIL FROM").await?;
    for rcpt in &env.to {
        let rcpt = envelope_address(rcpt)?;
        expect(s, &format!("RCPT TO:<{rcpt}>"), "RCPT TO").await?;
    }
    let go = command(s, "DATA").await?;
    if go.code != 354 {
        return Err(SmtpError::Refused {
            stage: "DATA",
            reply: go,
        });
    }
    write_data(message, s).await?;
    let done = read_reply(s).await?;
    if done.code / 100 != 2 {
        return Err(SmtpError::Refused {
            stage: "DATA",
            reply: done,
        });
    }
    // Best effort: the message is accepted whatever QUIT answers.
    let _ = command(s, "QUIT").await;
    Ok(())
}

/// The AUTH PLAIN initial response: authzid NUL authcid NUL password.
pub fn plain_auth(authzid: &str, authcid: &str, password: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{authzid}\0{authcid}\0{password}"))
}

async fn ehlo<S: AsyncBufRead + AsyncWrite + Unpin>(s: &mut S) -> Result<Reply, SmtpError> {
    expect(s, "EHLO postern-gateway", "EHLO").await
}

/// Hands `message` to an MX as a server on the internet would: no TLS, no
/// AUTH (the demo's mail "from outside", `seed-demo-mail`).
pub async fn deliver_plain(addr: &str, env: &Envelope, message: &[u8]) -> Result<(), SmtpError> {
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| SmtpError::Timeout)??;
    let mut s = BufStream::new(tcp);
    let greeting = read_reply(&mut s).await?;
    if greeting.code != 220 {
        return Err(SmtpError::Refused {
            stage: "EHLO",
            reply: greeting,
        });
    }
    let caps = ehlo(&mut s).await?;
    transaction(&mut s, &caps, env, message).await
}

/// Submits the message file at `path`: the whole conversation.
pub async fn submit(sub: &Submission, env: &Envelope, path: &Path) -> Result<(), SmtpError> {
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(&sub.addr))
        .await
        .map_err(|_| SmtpError::Timeout)??;
    tcp.set_nodelay(true)?;
    // A reader only (writes go straight through): its buffer must be empty
    // when TLS starts.
    let mut plain = BufReader::new(tcp);
    let greeting = read_reply(&mut plain).await?;
    if greeting.code != 220 {
        return Err(SmtpError::Refused {
            stage: "EHLO",
            reply: greeting,
        });
    }
    let first = ehlo(&mut plain).await?;
    if !has_extension(&first, "STARTTLS") {
        return Err(SmtpError::Tls("the server does not offer STARTTLS".into()));
    }
    expect(&mut plain, "STARTTLS", "STARTTLS").await?;
    // Anything buffered before the handshake would be injected plaintext.
    if !plain.buffer().is_empty() {
        return Err(SmtpError::Protocol("data after STARTTLS reply".into()));
    }
    let tcp = plain.into_inner();
    let config =
        super::tls::client_config(sub.ca.as_deref()).map_err(|e| SmtpError::Tls(e.to_string()))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let name = rustls_pki_types::ServerName::try_from(sub.tls_name.clone())
        .map_err(|e| SmtpError::Tls(format!("invalid TLS name {:?}: {e}", sub.tls_name)))?;
    let tls = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp))
        .await
        .map_err(|_| SmtpError::Timeout)?
        .map_err(|e| SmtpError::Tls(e.to_string()))?;
    let mut s = BufStream::new(tls);
    let caps = ehlo(&mut s).await?;
    let auth = format!(
        "AUTH PLAIN {}",
        plain_auth(&sub.authzid, &sub.master_user, &sub.master_password)
    );
    expect(&mut s, &auth, "AUTH").await?;
    let file = tokio::fs::File::open(path).await?;
    transaction(&mut s, &caps, env, tokio::io::BufReader::new(file)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn parses_single_and_multi_line_replies() {
        let input: &[u8] =
            b"250-mail.test Hello\r\n250-SIZE 210763776\r\n250-STARTTLS\r\n250 8BITMIME\r\n554 5.7.1 nope\r\n";
        let mut r = tokio::io::BufReader::new(input);
        let ehlo = read_reply(&mut r).await.unwrap();
        assert_eq!(ehlo.code, 250);
        assert_eq!(ehlo.lines.len(), 4);
        assert!(has_extension(&ehlo, "size") && has_extension(&ehlo, "STARTTLS"));
        assert!(!has_extension(&ehlo, "AUTH"));
        let no = read_reply(&mut r).await.unwrap();
        assert_eq!((no.code, no.text().as_str()), (554, "5.7.1 nope"));
        assert!(read_reply(&mut r).await.is_err());
        let mut bad = tokio::io::BufReader::new(&b"hello\r\n"[..]);
        assert!(matches!(
            read_reply(&mut bad).await,
            Err(SmtpError::Protocol(_))
        ));
    }

    #[tokio::test]
    async fn dot_stuffs_and_normalises_line_ends() {
        let mut out = Vec::new();
        write_data(&b".hidden\r\nok\n..two\r\n.\r\nend"[..], &mut out)
            .await
            .unwrap();
        assert_eq!(
            out,
            b"..hidden\r\nok\r\n...two\r\n..\r\nend\r\n.\r\n".to_vec()
        );
        // Dots across chunk boundaries are handled by the line state.
        let mut out = Vec::new();
        write_data(&b"a\r\n"[..], &mut out).await.unwrap();
        assert_eq!(out, b"a\r\n.\r\n".to_vec());
    }

    #[test]
    fn auth_plain_encodes_authzid_authcid_password() {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(plain_auth("olivia@example.test", "master", "pw"))
            .unwrap();
        assert_eq!(decoded, b"olivia@example.test\0master\0pw");
    }

    /// A scripted server on an in-memory pipe: checks what the client
    /// sends and answers.
    async fn fake_server(server: tokio::io::DuplexStream, data_reply: &'static str) -> Vec<String> {
        let mut s = BufStream::new(server);
        let mut seen = Vec::new();
        loop {
            let mut line = String::new();
            if s.read_line(&mut line).await.unwrap() == 0 {
                return seen;
            }
            let line = line.trim_end().to_string();
            seen.push(line.clone());
            let answer = if line.starts_with("MAIL") || line.starts_with("RCPT") {
                "250 2.1.0 Ok\r\n".to_string()
            } else if line == "DATA" {
                s.write_all(b"354 go ahead\r\n").await.unwrap();
                s.flush().await.unwrap();
                let mut body = String::new();
                loop {
                    let mut l = String::new();
                    s.read_line(&mut l).await.unwrap();
                    if l == ".\r\n" {
                        break;
                    }
                    body.push_str(&l);
                }
                seen.push(body);
                data_reply.to_string()
            } else if line == "QUIT" {
                "221 bye\r\n".to_string()
            } else {
                "500 what\r\n".to_string()
            };
            s.write_all(answer.as_bytes()).await.unwrap();
            s.flush().await.unwrap();
        }
    }

    fn ehlo_reply() -> Reply {
        Reply {
            code: 250,
            lines: vec!["x".into(), "SIZE 100".into()],
        }
    }

    #[tokio::test]
    async fn runs_a_transaction_against_a_fake_server() {
        let (client, server) = tokio::io::duplex(4096);
        let srv = tokio::spawn(fake_server(server, "250 2.0.0 Ok: queued\r\n"));
        let mut c = BufStream::new(client);
        let env = Envelope {
            from: "olivia@example.test".into(),
            to: vec!["a@x.test".into(), "b@x.test".into()],
            size: 12,
        };
        transaction(
            &mut c,
            &ehlo_reply(),
            &env,
            &b"Subject: x\r\n\r\n.dot\r\n"[..],
        )
        .await
        .unwrap();
        drop(c);
        let seen = srv.await.unwrap();
        assert_eq!(seen[0], "MAIL FROM:<olivia@example.test> SIZE=12");
        assert_eq!(seen[1], "RCPT TO:<a@x.test>");
        assert_eq!(seen[2], "RCPT TO:<b@x.test>");
        assert_eq!(seen[3], "DATA");
        assert_eq!(seen[4], "Subject: x\r\n\r\n..dot\r\n");
        assert_eq!(seen[5], "QUIT");
    }

    #[tokio::test]
    async fn maps_policy_tags_and_plain_refusals() {
        let (client, server) = tokio::io::duplex(4096);
        let srv = tokio::spawn(fake_server(
            server,
            "554 5.7.1 [postern:quota_exceeded retry_after=3600] Daily sending limit of 500 recipients reached\r\n",
        ));
        let mut c = BufStream::new(client);
        let env = Envelope {
            from: "o@x.test".into(),
            to: vec!["a@x.test".into()],
            size: 1,
        };
        let err = transaction(&mut c, &ehlo_reply(), &env, &b"x"[..])
            .await
            .unwrap_err();
        drop(c);
        srv.await.unwrap();
        let api = err.to_api(1_767_607_200);
        assert_eq!(api.code, ErrorCode::QuotaExceeded);
        assert_eq!(api.retry_after, Some(3600));
        assert!(
            api.message.contains("2026-01-05 11:00 UTC"),
            "{}",
            api.message
        );

        let plain = SmtpError::Refused {
            stage: "RCPT TO",
            reply: Reply {
                code: 550,
                lines: vec!["5.1.1 no such user".into()],
            },
        };
        let api = plain.to_api(0);
        assert_eq!(api.code, ErrorCode::SendRejected);
        assert!(api.message.contains("550 5.1.1 no such user"));
        let down = SmtpError::Io(std::io::ErrorKind::ConnectionRefused.into());
        assert_eq!(down.to_api(0).code, ErrorCode::MailServerUnavailable);
        assert!(envelope_address("a>b@x").is_err());
    }
}
