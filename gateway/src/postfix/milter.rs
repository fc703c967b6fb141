//! A tiny milter (Sendmail/Postfix mail filter protocol, version 6) for the
//! one check the policy service cannot make: R-SEND-3 says the `From:`
//! *header*, not only the envelope sender, must be the authenticated
//! mailbox or one of its aliases. Postfix's policy requests never see
//! headers; a milter does.
//!
//! Only what that needs is implemented: option negotiation (asking Postfix
//! to skip connect/helo/recipient/body events), macros (`{auth_authen}` is
//! the SASL login — with Dovecot submission's XCLIENT, the mailbox), the
//! headers, and the verdict at end of message. Unauthenticated mail
//! (inbound) is accepted untouched.
//!
//! It also notes each accepted message's `Subject:` by queue id (the `i`
//! macro of end of message) for the send and receive logs (R-LOG), which
//! Postfix's log lines do not carry.

use std::net::SocketAddr;

use postern_shared::ErrorCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::tags::tag;
use crate::db::Db;
use crate::ledger;

/// Largest packet we accept: headers are folded by Postfix long before this.
const MAX_PACKET: usize = 256 * 1024;

// Protocol flags: events we ask the MTA not to send.
const NOCONNECT: u32 = 0x01;
const NOHELO: u32 = 0x02;
const NORCPT: u32 = 0x08;
const NOBODY: u32 = 0x10;
const NOUNKNOWN: u32 = 0x100;
const NODATA: u32 = 0x200;

pub async fn spawn(db: Db, addr: SocketAddr) -> std::io::Result<tokio::task::JoinHandle<()>> {
    super::listener::spawn("milter", db, addr, connection).await
}

pub async fn serve(db: Db, listener: TcpListener) {
    super::listener::serve("milter", db, listener, connection).await
}

/// What one message has told us so far.
#[derive(Default)]
struct Message {
    auth: String,
    from_headers: Vec<String>,
    queue_id: String,
    subject: Option<String>,
}

impl Message {
    fn reset(&mut self) {
        self.from_headers.clear();
        self.subject = None;
        self.queue_id.clear();
    }
}

async fn connection(db: Db, mut stream: TcpStream) -> std::io::Result<()> {
    let mut msg = Message::default();
    loop {
        let Some((cmd, data)) = read_packet(&mut stream).await? else {
            return Ok(());
        };
        match cmd {
            b'O' => {
                let offered = data
                    .get(8..12)
                    .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
                    .unwrap_or(0);
                let skip = offered & (NOCONNECT | NOHELO | NORCPT | NOBODY | NOUNKNOWN | NODATA);
                let mut reply = Vec::with_capacity(12);
                reply.extend_from_slice(&6u32.to_be_bytes());
                reply.extend_from_slice(&0u32.to_be_bytes()); // we never modify mail
                reply.extend_from_slice(&skip.to_be_bytes());
                write_packet(&mut stream, b'O', &reply).await?;
            }
            b'D' => {
                // Macros: the first byte is the command they belong to.
                for (name, value) in pairs(data.get(1..).unwrap_or_default()) {
                    if name == "{auth_authen}" {
                        msg.auth = value.trim().to_ascii_lowercase();
                    } else if name == "i" {
                        msg.queue_id = value.trim().to_string();
                    }
                }
            }
            b'M' => {
                // A new transaction: headers of an earlier one do not count.
                msg.reset();
                write_packet(&mut stream, b'c', &[]).await?;
            }
            b'L' => {
                if let Some((name, value)) = pairs(&data).next() {
                    if name.eq_ignore_ascii_case("from") {
                        msg.from_headers.push(value);
                    } else if name.eq_ignore_ascii_case("subject") && msg.subject.is_none() {
                        msg.subject = Some(value);
                    }
                }
                write_packet(&mut stream, b'c', &[]).await?;
            }
            b'E' => {
                match verdict(&db, &msg).await {
                    Ok(None) => {
                        note_subject(&db, &msg).await;
                        write_packet(&mut stream, b'a', &[]).await?
                    }
                    Ok(Some(reply)) => {
                        let mut body = reply.into_bytes();
                        body.push(0);
                        write_packet(&mut stream, b'y', &body).await?;
                    }
                    // Postfix turns a broken milter into a temporary failure
                    // (milter_default_action = tempfail): never let it through.
                    Err(e) => return Err(std::io::Error::other(e)),
                }
                msg.reset();
            }
            b'A' => msg.reset(),
            b'Q' => return Ok(()),
            b'K' => msg = Message::default(),
            // Connect, helo, recipient, data, end of headers, body, unknown.
            _ => write_packet(&mut stream, b'c', &[]).await?,
        }
    }
}

/// Keeps the message's subject for its log entries; a failure only costs
/// the subject column (never the message).
async fn note_subject(db: &Db, msg: &Message) {
    let Some(raw) = &msg.subject else { return };
    if msg.queue_id.is_empty() || msg.queue_id.len() > 32 {
        return;
    }
    let subject = decoded_subject(raw);
    let res = sqlx::query(
        "INSERT INTO mail_log_subjects (queue_id, subject, at) VALUES ($1, $2, $3)
         ON CONFLICT (queue_id) DO UPDATE SET subject = excluded.subject, at = excluded.at",
    )
    .bind(&msg.queue_id)
    .bind(subject)
    .bind(crate::db::now())
    .execute(db)
    .await;
    if let Err(e) = res {
        tracing::warn!(error = %e, "milter: cannot note a subject for the mail logs");
    }
}

/// A `Subject:` value as people read it (RFC 2047 words decoded, folding
/// and control characters gone, at most 500 characters).
fn decoded_subject(raw: &str) -> String {
    let doc = format!("Subject: {raw}\r\n\r\n");
    let text = mail_parser::MessageParser::default()
        .parse(doc.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_else(|| raw.to_string());
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(500)
        .collect::<String>()
        .trim()
        .to_string()
}

/// `None` accepts; `Some("550 …")` refuses with that reply.
async fn verdict(db: &Db, msg: &Message) -> sqlx::Result<Option<String>> {
    if msg.auth.is_empty() {
        return Ok(None);
    }
    let Some(sender) = ledger::by_address(db, &msg.auth).await? else {
        return Ok(Some(format!(
            "550 5.7.1 {} This account may not send mail",
            tag(ErrorCode::Forbidden, None)
        )));
    };
    for header in &msg.from_headers {
        let addresses = header_addresses(header);
        if addresses.is_empty() {
            return Ok(Some(refusal(&sender.address, header.trim())));
        }
        if let Some(bad) = addresses.iter().find(|a| !sender.may_send_as(a)) {
            return Ok(Some(refusal(&sender.address, bad)));
        }
    }
    Ok(None)
}

fn refusal(mailbox: &str, shown: &str) -> String {
    format!(
        "550 5.7.1 {} From header <{shown}> is not {mailbox} or one of its aliases",
        tag(ErrorCode::SenderMismatch, None)
    )
}

/// The addresses of a `From:` header value (RFC 5322 mailbox list).
fn header_addresses(value: &str) -> Vec<String> {
    let raw = format!("From: {value}\r\n\r\n");
    let Some(parsed) = mail_parser::MessageParser::default().parse(raw.as_bytes()) else {
        return Vec::new();
    };
    let Some(from) = parsed.from() else {
        return Vec::new();
    };
    from.iter()
        .filter_map(|a| a.address())
        .map(|a| a.to_string())
        .collect()
}

/// `name\0value\0…` pairs.
fn pairs(data: &[u8]) -> impl Iterator<Item = (String, String)> + '_ {
    let mut parts = data.split(|&b| b == 0);
    std::iter::from_fn(move || {
        let name = parts.next().filter(|n| !n.is_empty())?;
        let value = parts.next().unwrap_or_default();
        Some((
            String::from_utf8_lossy(name).into_owned(),
            String::from_utf8_lossy(value).into_owned(),
        ))
    })
}

async fn read_packet(stream: &mut TcpStream) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut len = [0u8; 4];
    match stream.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len == 0 || len > MAX_PACKET {
        return Err(std::io::Error::other(format!(
            "milter packet of {len} bytes"
        )));
    }
    let mut buf = vec![0u8; len];
    stream.read_exact(&mut buf).await?;
    let cmd = buf[0];
    buf.remove(0);
    Ok(Some((cmd, buf)))
}

async fn write_packet(stream: &mut TcpStream, cmd: u8, data: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(data.len() + 1).map_err(std::io::Error::other)?;
    let mut out = Vec::with_capacity(data.len() + 5);
    out.extend_from_slice(&len.to_be_bytes());
    out.push(cmd);
    out.extend_from_slice(data);
    stream.write_all(&out).await?;
    stream.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_decoded_and_cleaned() {
        assert_eq!(decoded_subject("=?UTF-8?B?w4l0w6k=?= report"), "Été report");
        assert_eq!(decoded_subject(" Hello\r\n\tworld\u{7}"), "Hello world");
        assert_eq!(decoded_subject(&"x".repeat(900)).len(), 500);
    }

    #[test]
    fn from_header_addresses_are_parsed_from_display_forms() {
        assert_eq!(
            header_addresses("\"Ann, Sales\" <Ann@A.test>, bob@a.test"),
            ["Ann@A.test", "bob@a.test"]
        );
        assert!(header_addresses("not an address").is_empty());
    }

    #[test]
    fn macro_and_header_pairs_split_on_nul() {
        let v: Vec<_> = pairs(b"{auth_authen}\0info@a.test\0i\0ABC\0").collect();
        assert_eq!(
            v,
            [
                ("{auth_authen}".to_string(), "info@a.test".to_string()),
                ("i".to_string(), "ABC".to_string())
            ]
        );
    }

    #[tokio::test]
    async fn refuses_a_foreign_from_header_of_an_authenticated_sender_only() {
        let t = crate::db::testing::TestDb::new().await;
        let _dir = t.dir;
        let p = crate::Provisioner::from_db(t.db);
        let org = p.create_organization("A", "standard").await.unwrap();
        p.create_mailbox(org, "info@a.test", "Info").await.unwrap();
        let db = p.db().clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(db, listener));
        let mut s = TcpStream::connect(addr).await.unwrap();

        let mut opt = Vec::new();
        for v in [6u32, 0x1ff, 0x1fffff] {
            opt.extend_from_slice(&v.to_be_bytes());
        }
        write_packet(&mut s, b'O', &opt).await.unwrap();
        let (cmd, data) = read_packet(&mut s).await.unwrap().unwrap();
        assert_eq!(cmd, b'O');
        assert_eq!(&data[0..4], &6u32.to_be_bytes());

        // Inbound (no login): any From is fine.
        let send_message = |auth: &'static str, from: &'static str| {
            let mut macros = b"M".to_vec();
            if !auth.is_empty() {
                macros.extend_from_slice(format!("{{auth_authen}}\0{auth}\0").as_bytes());
            }
            (macros, format!("From\0{from}\0").into_bytes())
        };
        for (auth, from, want) in [
            ("", "ceo@bank.test", b'a'),
            ("info@a.test", "Info <INFO@a.test>", b'a'),
            ("info@a.test", "CEO <ceo@bank.test>", b'y'),
        ] {
            let (macros, header) = send_message(auth, from);
            write_packet(&mut s, b'K', &[]).await.unwrap();
            write_packet(&mut s, b'D', &macros).await.unwrap();
            write_packet(&mut s, b'M', b"<x@y>\0").await.unwrap();
            assert_eq!(read_packet(&mut s).await.unwrap().unwrap().0, b'c');
            write_packet(&mut s, b'L', &header).await.unwrap();
            assert_eq!(read_packet(&mut s).await.unwrap().unwrap().0, b'c');
            write_packet(&mut s, b'E', &[]).await.unwrap();
            let (cmd, data) = read_packet(&mut s).await.unwrap().unwrap();
            assert_eq!(cmd, want, "{auth} / {from}");
            if cmd == b'y' {
                let text = String::from_utf8_lossy(&data);
                assert!(
                    text.starts_with("550 5.7.1 [postern:sender_mismatch]"),
                    "{text}"
                );
                assert!(text.contains("<ceo@bank.test>"), "{text}");
            }
        }
    }
}
