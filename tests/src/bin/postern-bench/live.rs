//! Live updates (issue 15): how soon an open webmail hears of new mail,
//! and what an idle open tab costs the gateway and the edge.
//!
//! Delivery: from just before the SMTP transaction (Postfix's smtpd, as a
//! server on the internet; rspamd scores it, LMTP delivers it) until the
//! tab's event stream (through the edge) told the Inbox's new state and
//! the list page the webmail then asks for (`GET …/messages`, page 1 of
//! the Inbox) holds the message — what the browser does before it draws
//! the row; its drawing (a few ms) is not in the figure.

use std::time::{Duration, Instant};

use postern_tests::fixtures::{Fixture, ListQuery, Mail};
use postern_tests::live::EventStream;
use postern_tests::{Stack, unique};

use crate::Result;
use crate::memory::rss_mib;

pub const LIVE_WARMUP: usize = 2;
pub const LIVE_RUNS: usize = 20;
/// Idle streams opened at once for the per-tab cost.
pub const LIVE_STREAMS: usize = 100;
const LIVE_TIMEOUT: Duration = Duration::from_secs(30);
const SENDER: &str = "bench-live@outside.test";

pub struct LiveFigures {
    /// smtpd transaction start → event told and the list page has it, ms.
    pub delivery_ms: Vec<f64>,
    /// VmRSS growth per open idle stream (one mailbox), KiB.
    pub gateway_kb_per_tab: f64,
    pub edge_kb_per_tab: f64,
}

pub async fn measure(
    fx: &Fixture,
    stack: &Stack,
    gateway_pid: u32,
    edge_pid: u32,
) -> Result<LiveFigures> {
    println!(
        "→ live updates: {LIVE_WARMUP} warm-up + {LIVE_RUNS} deliveries to an open tab, then {LIVE_STREAMS} idle tabs"
    );
    let (mailbox, rcpt) = fx
        .add_mailbox("bench-live", Some(postern_shared::PermissionSet::all()))
        .await;
    let mut tab = EventStream::open(&fx.api, mailbox)
        .await
        .map_err(|(s, b)| format!("the event stream: {s} {b}"))?;
    tab.next(LIVE_TIMEOUT)
        .await
        .ok_or("no snapshot on the event stream")?;
    let tag = unique("live");
    let mut delivery_ms = Vec::with_capacity(LIVE_RUNS);
    for run in 0..LIVE_WARMUP + LIVE_RUNS {
        let subject = format!("Bench live {tag} {run}");
        let data = Mail::new(&subject)
            .from(SENDER)
            .to(&rcpt)
            .date(postern_tests::sending::now())
            .build();
        let t = Instant::now();
        let outcome = stack.smtp_deliver(SENDER, &[&rcpt], &data);
        if !outcome.accepted {
            return Err(format!("smtpd did not accept {subject:?}: {}", outcome.transcript).into());
        }
        let want = (run + 1) as u32;
        loop {
            let left = LIVE_TIMEOUT
                .checked_sub(t.elapsed())
                .ok_or("no event in time")?;
            let event = tab
                .next(left)
                .await
                .ok_or("the event stream ended or was silent")?;
            if event.folder("INBOX").is_some_and(|f| f.total >= want) {
                break;
            }
        }
        let page = fx
            .api
            .get::<postern_shared::api::MessagePage>(&ListQuery::folder("INBOX").path(mailbox))
            .await
            .map_err(|e| format!("the Inbox's list: {e}"))?;
        if !page.messages.iter().any(|m| m.subject == subject) {
            return Err(format!("{subject:?} told but not in the list page").into());
        }
        if run >= LIVE_WARMUP {
            delivery_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    drop(tab);

    // Idle tabs: the streams of one mailbox share its watcher.
    let (gw0, edge0) = (rss_mib(gateway_pid)?, rss_mib(edge_pid)?);
    let mut tabs = Vec::with_capacity(LIVE_STREAMS);
    for _ in 0..LIVE_STREAMS {
        let mut s = EventStream::open(&fx.api, mailbox)
            .await
            .map_err(|(s, b)| format!("an idle stream: {s} {b}"))?;
        s.next(LIVE_TIMEOUT)
            .await
            .ok_or("no snapshot on an idle stream")?;
        tabs.push(s);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (gw1, edge1) = (rss_mib(gateway_pid)?, rss_mib(edge_pid)?);
    drop(tabs);
    let per_tab = |before: f64, after: f64| (after - before) * 1024.0 / LIVE_STREAMS as f64;
    let figures = LiveFigures {
        delivery_ms,
        gateway_kb_per_tab: per_tab(gw0, gw1),
        edge_kb_per_tab: per_tab(edge0, edge1),
    };
    println!(
        "  delivery p50 {:.1} ms; per idle tab: gateway {:.1} KiB, edge {:.1} KiB",
        crate::measure::pct(&figures.delivery_ms, 50.0),
        figures.gateway_kb_per_tab,
        figures.edge_kb_per_tab
    );
    Ok(figures)
}
