//! Figure 7: sending a 20 MiB attachment to a local mailbox, timed until
//! it is delivered.

use std::time::{Duration, Instant};

use postern_shared::compose::OutgoingState;
use postern_tests::fixtures::Fixture;
use postern_tests::sending::{draft, upload_ref};
use postern_tests::{Stack, unique};

use crate::Result;
use crate::measure::pct;
use crate::plan::{MIB, SEND_ATTACHMENT, SEND_POLL_EVERY, SEND_RUNS, SEND_WARMUP};

pub struct SendFigures {
    pub send_ms: Vec<f64>,
    pub upload_ms: Vec<f64>,
}

pub async fn measure(fx: &Fixture, stack: &Stack) -> Result<SendFigures> {
    println!(
        "→ send: a {} MiB attachment to a local mailbox, {SEND_WARMUP} warm-up + {SEND_RUNS} timed, POST send (undo 0) until it is in the INBOX",
        SEND_ATTACHMENT / MIB
    );
    let send = send_big_attachment(fx, stack).await?;
    println!(
        "  p50 {:.0} ms (upload of the file before each: p50 {:.0} ms)",
        pct(&send.send_ms, 50.0),
        pct(&send.upload_ms, 50.0)
    );
    Ok(send)
}

/// `MESSAGES` of `STATUS INBOX`.
async fn inbox_count(imap: &mut postern_tests::ImapClient) -> Result<u32> {
    let resp = imap.command("STATUS INBOX (MESSAGES)").await?;
    resp.lines()
        .iter()
        .find_map(|l| {
            let rest = l.split("MESSAGES ").nth(1)?;
            rest.trim_end_matches(')').trim().parse().ok()
        })
        .ok_or_else(|| format!("no MESSAGES in {:?}", resp.lines()).into())
}

/// Upload a 20 MiB file, send it at once to another mailbox of the
/// organisation, time until it is in that INBOX.
async fn send_big_attachment(fx: &Fixture, stack: &Stack) -> Result<SendFigures> {
    let (_, rcpt) = fx.add_mailbox("bench-rcpt", None).await;
    let mut imap = stack.imap(&rcpt).await;
    let tag = unique("send");
    let mut figures = SendFigures {
        send_ms: Vec::new(),
        upload_ms: Vec::new(),
    };
    for run in 0..SEND_WARMUP + SEND_RUNS {
        let t = Instant::now();
        let up = fx
            .api
            .upload_pattern("bench-20mib.bin", SEND_ATTACHMENT, run as u64, 1)
            .await
            .map_err(|e| format!("upload of the 20 MiB file: {e}"))?;
        let upload_ms = t.elapsed().as_secs_f64() * 1000.0;
        let before = inbox_count(&mut imap).await?;
        let subject = format!("Bench 20 MiB {tag} {run}");
        let mut d = draft(&[&rcpt], &subject);
        d.attachments = vec![upload_ref(&up.id)];
        let t = Instant::now();
        let out = fx
            .api
            .send_now(fx.mailbox, &d, None)
            .await
            .map_err(|e| format!("POST send with a 20 MiB attachment: {e}"))?;
        if out.state != OutgoingState::Sent {
            return Err(format!("the send answered {out:?}").into());
        }
        loop {
            if inbox_count(&mut imap).await? > before {
                break;
            }
            if t.elapsed() > Duration::from_secs(120) {
                return Err(format!("{subject:?} not in {rcpt}'s INBOX after 120 s").into());
            }
            tokio::time::sleep(SEND_POLL_EVERY).await;
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if run >= SEND_WARMUP {
            figures.send_ms.push(ms);
            figures.upload_ms.push(upload_ms);
        }
    }
    let _ = imap.logout().await;
    Ok(figures)
}
