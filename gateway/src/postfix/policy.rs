//! Postfix policy delegation (SMTPD_POLICY_README): Postfix asks at `RCPT`
//! and at `END-OF-MESSAGE` with `name=value` lines ended by a blank line;
//! we answer `action=…` and a blank line, on a connection Postfix reuses.
//!
//! This is where R-SEND-1..3 and R-LIM-1 hold for *every* authenticated
//! SMTP client (Dovecot submission relays with XCLIENT, so `sasl_username`
//! is the mailbox). Unauthenticated requests (inbound mail) get `DUNNO`,
//! except at the end of data of the listener for what Dovecot's LMTP sends
//! on (`policy_context=forward`): a sorting rule's forward counts against
//! its mailbox's quota (R-SEND-2).
//! Rejections carry a `[postern:<code> …]` tag for the webmail (see
//! [`super::tags`]).

use std::collections::HashMap;
use std::net::SocketAddr;

use postern_shared::ErrorCode;
use postern_shared::limits::{MAX_MESSAGE_BYTES, MAX_RECIPIENTS};
use postern_shared::sending::within_recipient_limit;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::tags::tag;
use crate::db::Db;
use crate::ledger::{self, SendRecord};

/// Longest request we accept (Postfix's are a few hundred bytes).
const MAX_REQUEST_BYTES: usize = 64 * 1024;

pub const DUNNO: &str = "DUNNO";

/// Binds and serves until the process ends.
pub async fn spawn(db: Db, addr: SocketAddr) -> std::io::Result<tokio::task::JoinHandle<()>> {
    super::listener::spawn("policy service", db, addr, connection).await
}

pub async fn serve(db: Db, listener: TcpListener) {
    super::listener::serve("policy service", db, listener, connection).await
}

async fn connection(db: Db, stream: TcpStream) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    loop {
        let mut attrs = HashMap::new();
        let mut total = 0;
        loop {
            let mut line = String::new();
            let n = r.read_line(&mut line).await?;
            if n == 0 {
                return Ok(());
            }
            total += n;
            if total > MAX_REQUEST_BYTES {
                return Err(std::io::Error::other("policy request too large"));
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once('=') {
                attrs.insert(k.to_string(), v.to_string());
            }
        }
        let action = match decide(&db, &attrs, crate::db::now()).await {
            Ok(a) => a,
            Err(e) => {
                // Temporary failure: Postfix answers 4xx and the client retries.
                tracing::error!(error = %e, "policy decision failed");
                "DEFER_IF_PERMIT Service temporarily unavailable".to_string()
            }
        };
        w.write_all(format!("action={action}\n\n").as_bytes())
            .await?;
        w.flush().await?;
    }
}

fn reject(code: ErrorCode, retry_after: Option<u64>, text: &str) -> String {
    format!("REJECT 5.7.1 {} {text}", tag(code, retry_after))
}

/// The answer to one request (without `action=`).
pub async fn decide(db: &Db, attrs: &HashMap<String, String>, now: i64) -> sqlx::Result<String> {
    let get = |k: &str| attrs.get(k).map(String::as_str).unwrap_or("");
    let end_of_message = get("protocol_state").eq_ignore_ascii_case("END-OF-MESSAGE");
    // R-LIM-1 holds for every route, inbound mail included; Postfix's own
    // message_size_limit has headroom for its envelope records.
    let size: u64 = get("size").parse().unwrap_or(0);
    if end_of_message && size > MAX_MESSAGE_BYTES {
        return Ok(reject(
            ErrorCode::MessageTooLarge,
            None,
            &format!("The message is larger than {MAX_MESSAGE_BYTES} bytes (201 MiB)"),
        ));
    }
    // What Dovecot's LMTP sends on, from the listener whose Postfix
    // configuration (not the client) says `policy_context=forward`: a
    // sorting rule's forward has its mailbox as envelope sender and counts
    // against its quota; an auto-reply (sender <>) or mail of no mailbox
    // is not counted.
    let forward = get("policy_context") == "forward";
    let user = if forward {
        get("sender")
    } else {
        get("sasl_username")
    }
    .trim();
    if user.is_empty() {
        return Ok(DUNNO.into());
    }
    let Some(sender) = ledger::by_address(db, user).await? else {
        if forward {
            return Ok(DUNNO.into());
        }
        return Ok(reject(
            ErrorCode::Forbidden,
            None,
            "This account may not send mail",
        ));
    };
    match get("protocol_state").to_ascii_uppercase().as_str() {
        "RCPT" if !forward => {
            let from = get("sender");
            if !sender.may_send_as(from) {
                let shown = if from.is_empty() { "<>" } else { from };
                return Ok(reject(
                    ErrorCode::SenderMismatch,
                    None,
                    &format!(
                        "Sender address <{shown}> is not {} or one of its aliases",
                        sender.address
                    ),
                ));
            }
            Ok(DUNNO.into())
        }
        "END-OF-MESSAGE" => {
            let count: u64 = get("recipient_count").parse().unwrap_or(0);
            if !within_recipient_limit(usize::try_from(count).unwrap_or(usize::MAX)) {
                return Ok(reject(
                    ErrorCode::RecipientLimit,
                    None,
                    &format!("At most {MAX_RECIPIENTS} recipients per message ({count} given)"),
                ));
            }
            let n = u32::try_from(count).unwrap_or(u32::MAX);
            let rec = SendRecord {
                recipients: n,
                size: i64::try_from(size).ok(),
                queue_id: Some(get("queue_id").to_string()).filter(|s| !s.is_empty()),
                instance: Some(get("instance").to_string()).filter(|s| !s.is_empty()),
            };
            if ledger::record_within_quota(db, sender.mailbox_id, now, sender.daily_limit, &rec)
                .await?
            {
                return Ok(DUNNO.into());
            }
            let history = ledger::history(db, sender.mailbox_id, now).await?;
            let frees_at =
                postern_shared::sending::quota_check(sender.daily_limit, &history, now, n)
                    .err()
                    // A concurrent send filled it and has since... not left:
                    // fall back to a short wait.
                    .unwrap_or(now + 60);
            Ok(reject(
                ErrorCode::QuotaExceeded,
                Some((frees_at - now).max(1) as u64),
                &format!(
                    "Daily sending limit of {} recipients reached; sending frees up at {}",
                    sender.daily_limit,
                    postern_shared::format::utc_minutes(frees_at)
                ),
            ))
        }
        _ => Ok(DUNNO.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provision::Provisioner;
    use tokio::io::AsyncReadExt;

    async fn setup() -> (tempfile::TempDir, Db, i64) {
        let t = crate::db::testing::TestDb::new().await;
        let dir = t.dir;
        let p = Provisioner::from_db(t.db);
        let org = p
            .create_organization("A", "web_hosting_script")
            .await
            .unwrap();
        let mb = p.create_mailbox(org, "info@a.test", "Info").await.unwrap();
        let db = p.db().clone();
        sqlx::query("INSERT INTO aliases (mailbox_id, address) VALUES ($1, 'sales@a.test')")
            .bind(mb)
            .execute(&db)
            .await
            .unwrap();
        (dir, db, mb)
    }

    async fn ask(
        r: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
        w: &mut tokio::net::tcp::OwnedWriteHalf,
        attrs: &[(&str, &str)],
    ) -> String {
        let mut req = String::from("request=smtpd_access_policy\n");
        for (k, v) in attrs {
            req.push_str(&format!("{k}={v}\n"));
        }
        req.push('\n');
        w.write_all(req.as_bytes()).await.unwrap();
        let mut answer = String::new();
        r.read_line(&mut answer).await.unwrap();
        let mut blank = String::new();
        r.read_line(&mut blank).await.unwrap();
        assert_eq!(blank, "\n");
        answer
            .trim_end()
            .strip_prefix("action=")
            .unwrap()
            .to_string()
    }

    #[tokio::test]
    async fn enforces_sender_recipients_size_and_quota_over_one_connection() {
        let (_dir, db, mb) = setup().await;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(db.clone(), listener));
        let (r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
        let mut r = BufReader::new(r);

        // Inbound mail is not our business.
        let a = ask(
            &mut r,
            &mut w,
            &[("protocol_state", "RCPT"), ("sender", "x@y.test")],
        )
        .await;
        assert_eq!(a, "DUNNO");
        // …except its size (R-LIM-1 holds for every route).
        let a = ask(
            &mut r,
            &mut w,
            &[("protocol_state", "END-OF-MESSAGE"), ("size", "210763777")],
        )
        .await;
        assert!(a.contains("[postern:message_too_large]"), "{a}");
        let user = ("sasl_username", "info@a.test");
        let a = ask(
            &mut r,
            &mut w,
            &[("protocol_state", "RCPT"), user, ("sender", "Sales@A.test")],
        )
        .await;
        assert_eq!(a, "DUNNO");
        let a = ask(
            &mut r,
            &mut w,
            &[("protocol_state", "RCPT"), user, ("sender", "ceo@a.test")],
        )
        .await;
        assert!(a.starts_with("REJECT 5.7.1 [postern:sender_mismatch] Sender address <ceo@a.test> is not info@a.test"), "{a}");
        let a = ask(
            &mut r,
            &mut w,
            &[
                ("protocol_state", "RCPT"),
                ("sasl_username", "nobody@a.test"),
                ("sender", "nobody@a.test"),
            ],
        )
        .await;
        assert!(a.starts_with("REJECT"), "{a}");

        let eom = |n: &'static str, size: &'static str| {
            vec![
                ("protocol_state", "END-OF-MESSAGE"),
                ("sasl_username", "info@a.test"),
                ("recipient_count", n),
                ("size", size),
            ]
        };
        let a = ask(&mut r, &mut w, &eom("101", "100")).await;
        assert!(a.contains("[postern:recipient_limit]"), "{a}");
        let a = ask(&mut r, &mut w, &eom("1", "210763777")).await;
        assert!(a.contains("[postern:message_too_large]"), "{a}");
        // Web-hosting offer: 50 per 24 h.
        assert_eq!(ask(&mut r, &mut w, &eom("30", "1000")).await, "DUNNO");
        assert_eq!(ask(&mut r, &mut w, &eom("20", "1000")).await, "DUNNO");
        let a = ask(&mut r, &mut w, &eom("1", "1000")).await;
        assert!(
            a.starts_with("REJECT 5.7.1 [postern:quota_exceeded retry_after="),
            "{a}"
        );
        assert!(a.contains("Daily sending limit of 50 recipients reached; sending frees up at "));
        let e = crate::postfix::tags::parse(&a, 0).unwrap();
        assert_eq!(e.code, ErrorCode::QuotaExceeded);
        let secs = e.retry_after.unwrap();
        assert!((86_390..=86_400).contains(&secs), "{secs}");
        assert_eq!(ledger::used(&db, mb, crate::db::now()).await.unwrap(), 50);

        // The connection closes cleanly.
        drop(w);
        let mut rest = Vec::new();
        r.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
    }

    #[tokio::test]
    async fn forwards_count_against_the_quota_of_the_mailbox_that_forwards() {
        let (_dir, db, mb) = setup().await;
        let now = crate::db::now();
        let ask = |sender: &'static str, rcpts: &'static str| {
            let db = db.clone();
            async move {
                let attrs: HashMap<String, String> = [
                    ("policy_context", "forward"),
                    ("protocol_state", "END-OF-MESSAGE"),
                    ("sender", sender),
                    ("recipient_count", rcpts),
                    ("size", "1000"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                decide(&db, &attrs, now).await.unwrap()
            }
        };
        // An auto-reply (<>) and mail of no mailbox of ours: not counted.
        assert_eq!(ask("", "1").await, "DUNNO");
        assert_eq!(ask("someone@else.test", "1").await, "DUNNO");
        assert_eq!(ledger::used(&db, mb, now).await.unwrap(), 0);
        // The web-hosting offer's 50 a day, forwards included.
        assert_eq!(ask("Info@a.test", "49").await, "DUNNO");
        assert_eq!(ask("info@a.test", "1").await, "DUNNO");
        let a = ask("info@a.test", "1").await;
        assert!(
            a.starts_with("REJECT 5.7.1 [postern:quota_exceeded retry_after="),
            "{a}"
        );
        assert_eq!(ledger::used(&db, mb, now).await.unwrap(), 50);
        // Without the context the same request is inbound mail: not ours.
        let inbound: HashMap<String, String> = [
            ("protocol_state", "END-OF-MESSAGE"),
            ("sender", "info@a.test"),
            ("recipient_count", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(decide(&db, &inbound, now).await.unwrap(), "DUNNO");
    }

    #[tokio::test]
    async fn concurrent_sends_cannot_both_pass_the_quota() {
        let (_dir, db, mb) = setup().await;
        let now = crate::db::now();
        let rec = SendRecord {
            recipients: 30,
            ..Default::default()
        };
        let (a, b) = tokio::join!(
            ledger::record_within_quota(&db, mb, now, 50, &rec),
            ledger::record_within_quota(&db, mb, now, 50, &rec)
        );
        assert!(a.unwrap() ^ b.unwrap());
        assert_eq!(ledger::used(&db, mb, now).await.unwrap(), 30);
    }
}
