//! Figures: the send/receive logs (R-LOG) — how fast the gateway's follower
//! turns Postfix log lines into entries, and how fast a mailbox's Logs page
//! answers on 100,000 entries.
//!
//! Ingest: whole Postfix lines (a received message's life: smtpd's
//! `client=`, cleanup's `message-id=`, qmgr's `from=`, lmtp's `to=… status=
//! sent`) appended to the stack's own `postfix.log`, the file the gateway
//! follows, beside what Postfix writes there; timed from the first write
//! until the last entry is in the database. Queries: the entries are rows
//! written straight into `mail_log_entries` (how they got there is not
//! what is measured), 10,000 a day over ten days, then the Logs route
//! through the edge as the page asks it.

use std::time::{Duration, Instant};

use postern_shared::logs::{Direction, LogQuery};
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, api_path, provisioner};
use postern_tests::{Stack, postfix_log, unique};

use crate::Result;
use crate::measure::time_get;

/// Entries the query figures run on.
pub const LOG_QUERY_ENTRIES: usize = 100_000;
/// …spread over this many days (10,000 a day).
pub const LOG_QUERY_DAYS: usize = 10;
pub const LOG_QUERY_WARMUP: usize = 5;
pub const LOG_QUERY_RUNS: usize = 50;
/// Messages of the ingest figure (four lines each).
pub const LOG_INGEST_MESSAGES: usize = 5_000;
pub const LOG_INGEST_LINES_PER_MESSAGE: usize = postfix_log::LINES_PER_MESSAGE;
/// The ingest must be done by then or the bench fails.
pub const LOG_INGEST_TIMEOUT: Duration = Duration::from_secs(600);

/// Rows per INSERT while seeding (9 values each, well under SQLite's 32,766).
const SEED_ROWS_PER_INSERT: usize = 500;

pub struct LogFigures {
    pub ingest_lines_s: f64,
    pub ingest_seconds: f64,
    pub seed_seconds: f64,
    /// The newest page, no filter.
    pub newest_ms: Vec<f64>,
    /// One day's sent mail (a day holds 10,000 entries).
    pub day_ms: Vec<f64>,
    /// A text search (an address part) over all of them.
    pub search_ms: Vec<f64>,
}

pub async fn measure(stack: &Stack) -> Result<LogFigures> {
    // Logs are for administrators (R-LOG-3).
    let fx = Fixture::with_role(Role::Administrator).await;
    println!(
        "→ logs: ingest of {} Postfix lines through the follower, then {LOG_QUERY_ENTRIES} entries for {}",
        LOG_INGEST_MESSAGES * LOG_INGEST_LINES_PER_MESSAGE,
        fx.address
    );
    let (ingest_seconds, ingest_lines_s) = ingest(stack, &fx).await?;
    println!("  ingest: {ingest_lines_s:.0} lines/s ({ingest_seconds:.1} s)");
    let t = Instant::now();
    seed_entries(&fx).await?;
    let seed_seconds = t.elapsed().as_secs_f64();
    println!("  {LOG_QUERY_ENTRIES} entries written in {seed_seconds:.1} s");

    let now = postern_tests::sending::now();
    let path = |q: &LogQuery| api_path(Route::MailboxLogs { mb: fx.mailbox }, q);
    let newest = path(&LogQuery::default());
    let day_start = now - 3 * 86_400;
    let day = path(&LogQuery {
        direction: Some(Direction::Sent),
        since: Some(day_start),
        until: Some(day_start + 86_400),
        ..LogQuery::default()
    });
    // 1 in 100 senders has this part.
    let search = path(&LogQuery {
        q: Some("partner-7@".into()),
        ..LogQuery::default()
    });
    let newest_ms = time_get(&fx.api, &newest, LOG_QUERY_WARMUP, LOG_QUERY_RUNS).await?;
    let day_ms = time_get(&fx.api, &day, LOG_QUERY_WARMUP, LOG_QUERY_RUNS).await?;
    let search_ms = time_get(&fx.api, &search, LOG_QUERY_WARMUP, LOG_QUERY_RUNS).await?;
    let p50 = |v: &[f64]| crate::measure::pct(v, 50.0);
    println!(
        "  p50: newest page {:.2} ms, one day's sent {:.2} ms, search {:.2} ms",
        p50(&newest_ms),
        p50(&day_ms),
        p50(&search_ms)
    );
    Ok(LogFigures {
        ingest_lines_s,
        ingest_seconds,
        seed_seconds,
        newest_ms,
        day_ms,
        search_ms,
    })
}

/// Appends the lines to the followed file and waits for the last entry.
/// Returns (seconds, lines per second).
async fn ingest(stack: &Stack, fx: &Fixture) -> Result<(f64, f64)> {
    let tag = unique("i").replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let stamp = postfix_log::syslog_time(postern_tests::sending::now());
    let log = stack.log("postfix");
    let db = provisioner().await;
    let sender = postfix_log::sender(&tag);
    let start = Instant::now();
    postfix_log::append_received(&log, 0..LOG_INGEST_MESSAGES, &stamp, &tag, &fx.address)
        .map_err(|e| format!("{}: {e}", log.display()))?;
    loop {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mail_log_entries WHERE mailbox_id = $1 AND sender = $2",
        )
        .bind(fx.mailbox)
        .bind(&sender)
        .fetch_one(db.db())
        .await?;
        if n as usize >= LOG_INGEST_MESSAGES {
            break;
        }
        if start.elapsed() > LOG_INGEST_TIMEOUT {
            return Err(format!(
                "only {n} of {LOG_INGEST_MESSAGES} entries after {} s: is the gateway following {}?",
                LOG_INGEST_TIMEOUT.as_secs(),
                log.display()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    db.db().close().await;
    let lines = (LOG_INGEST_MESSAGES * LOG_INGEST_LINES_PER_MESSAGE) as f64;
    Ok((secs, lines / secs))
}

/// `LOG_QUERY_ENTRIES` rows for the fixture's mailbox, newest now, evenly
/// over `LOG_QUERY_DAYS` days; half sent, half received; 100 partners.
/// Message keys are negative: the follower's own are positive ids.
async fn seed_entries(fx: &Fixture) -> Result<()> {
    let p = provisioner().await;
    let now = postern_tests::sending::now();
    let span = (LOG_QUERY_DAYS * 86_400) as i64;
    let step = span as f64 / LOG_QUERY_ENTRIES as f64;
    let mut tx = p.db().begin().await?;
    for first in (0..LOG_QUERY_ENTRIES).step_by(SEED_ROWS_PER_INSERT) {
        let rows =
            (first..(first + SEED_ROWS_PER_INSERT).min(LOG_QUERY_ENTRIES)).collect::<Vec<_>>();
        let mut sql = String::from(
            "INSERT INTO mail_log_entries (mailbox_id, message_key, at, updated_at, direction, \
             sender, recipient, subject, status) VALUES ",
        );
        for (j, _) in rows.iter().enumerate() {
            let b = j * 9;
            if j > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${},${},${},${},${},${},${},${},${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        let mut q = sqlx::query(&sql);
        for &i in &rows {
            let at = now - (i as f64 * step) as i64;
            let partner = format!("partner-{}@example.org", i % 100);
            let (direction, sender, recipient) = if i % 2 == 0 {
                ("sent", fx.address.clone(), partner)
            } else {
                ("received", partner, fx.address.clone())
            };
            q = q
                .bind(fx.mailbox)
                .bind(-(i as i64) - 1)
                .bind(at)
                .bind(at)
                .bind(direction)
                .bind(sender)
                .bind(recipient)
                .bind(format!("Order {i} confirmation"))
                .bind("delivered");
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    p.db().close().await;
    Ok(())
}
