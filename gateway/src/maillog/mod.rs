//! Send and receive logs (R-LOG), from the real mail server's own log
//! files: Postfix's (`<POSTERN_LOG_DIR>/postfix.log`, `maillog_file`) for
//! each message's life, Dovecot's (`POSTERN_DOVECOT_LOG`) for the folder
//! LMTP and Sieve stored it in. One gateway follows them at a time (lease
//! `maillog:follow`); [`ingest`] turns lines into one row per recipient and
//! mailbox and stores how far it read with them; [`routes`] answers the
//! Logs page; [`sweep`] forgets entries past their organisation's
//! retention (R-LOG-2).
//!
//! `follow`, `postfix` and `dovecot` are pure (files and lines), tested on
//! real line samples and hostile ones.

pub mod dovecot;
pub mod follow;
pub mod ingest;
pub mod postfix;
pub mod routes;

use std::path::PathBuf;
use std::time::Duration;

use postern_shared::logs::FREE_RETENTION_DAYS;

use crate::db::Db;
pub(crate) use crate::devices::dovecot::days_from_civil;
use crate::state::AppState;

/// The files the gateway follows; `None`: that log is not read.
#[derive(Debug, Clone, Default)]
pub struct LogFiles {
    pub postfix: Option<PathBuf>,
    pub dovecot: Option<PathBuf>,
}

/// How often the files are looked at.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// How long a silent follower keeps its turn (another gateway takes over after).
const FOLLOW_LEASE: Duration = Duration::from_secs(5);
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// The year (proleptic Gregorian) of Unix time `t`.
pub(crate) fn civil_year(t: i64) -> i64 {
    // Inverse of days_from_civil (Howard Hinnant's civil_from_days).
    let z = t.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(m <= 2)
}

/// Days of logs `organization` keeps: the free 20, or its paid option's.
pub async fn retention_days(db: &Db, organization: i64) -> sqlx::Result<u32> {
    let days: Option<i64> =
        sqlx::query_scalar("SELECT log_retention_days FROM organizations WHERE id = $1")
            .bind(organization)
            .fetch_optional(db)
            .await?
            .flatten();
    Ok(days
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(0)
        .max(FREE_RETENTION_DAYS))
}

/// Reads both logs to their end (in bounded steps), Dovecot's first so a
/// delivery's folder is usually known when Postfix's line comes.
pub async fn follow_once(db: &Db, files: &LogFiles, now: i64) -> crate::error::AppResult<usize> {
    let mut lines = 0;
    for (source, path) in [
        (ingest::Source::Dovecot, &files.dovecot),
        (ingest::Source::Postfix, &files.postfix),
    ] {
        let Some(path) = path else { continue };
        for _ in 0..64 {
            let s = ingest::step(db, source, path, now).await?;
            lines += s.lines;
            if !s.more {
                break;
            }
        }
    }
    Ok(lines)
}

/// What one sweep deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub entries: u64,
}

/// Deletes entries older than their organisation keeps them, and the
/// bookkeeping of messages long gone.
pub async fn sweep(db: &Db, now: i64) -> sqlx::Result<Swept> {
    let free = i64::from(FREE_RETENTION_DAYS);
    let mut entries = sqlx::query(
        "DELETE FROM mail_log_entries WHERE at < $1 AND mailbox_id NOT IN
           (SELECT m.id FROM mailboxes m JOIN organizations o ON o.id = m.organization_id
            WHERE o.log_retention_days > $2)",
    )
    .bind(now - free * 86_400)
    .bind(free)
    .execute(db)
    .await?
    .rows_affected();
    let paid: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, log_retention_days FROM organizations WHERE log_retention_days > $1",
    )
    .bind(free)
    .fetch_all(db)
    .await?;
    for (org, days) in paid {
        entries += sqlx::query(
            "DELETE FROM mail_log_entries WHERE at < $1 AND mailbox_id IN
               (SELECT id FROM mailboxes WHERE organization_id = $2)",
        )
        .bind(now - days.min(100_000) * 86_400)
        .bind(org)
        .execute(db)
        .await?
        .rows_affected();
    }
    // Postfix keeps a message at most 5 days (maximal_queue_lifetime).
    let old = now - 10 * 86_400;
    sqlx::query("DELETE FROM mail_log_filings WHERE at < $1")
        .bind(now - 2 * 86_400)
        .execute(db)
        .await?;
    sqlx::query("DELETE FROM mail_log_subjects WHERE at < $1")
        .bind(old)
        .execute(db)
        .await?;
    // Never the newest row: SQLite would hand its id out again, and ids
    // are the entries' message keys.
    sqlx::query(
        "DELETE FROM mail_log_messages WHERE at < $1
         AND id < (SELECT MAX(id) FROM mail_log_messages)",
    )
    .bind(old)
    .execute(db)
    .await?;
    Ok(Swept { entries })
}

/// Follows the logs (when it is this gateway's turn) and sweeps, for the
/// life of the process.
pub fn spawn(state: AppState, files: LogFiles) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if files.postfix.is_none() && files.dovecot.is_none() {
            tracing::info!(
                "no mail server logs configured (POSTERN_LOG_DIR): no send and receive logs"
            );
        }
        let mut tick = tokio::time::interval(FOLLOW_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_sweep: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            match crate::db::lease::my_turn(&state.db, "maillog:follow", FOLLOW_LEASE).await {
                Ok(true) => {
                    if let Err(e) = follow_once(&state.db, &files, crate::db::now()).await {
                        tracing::warn!(error = ?e, "mail logs: reading failed");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "mail logs: lease unavailable"),
            }
            if last_sweep.is_none_or(|t| t.elapsed() >= SWEEP_EVERY) {
                last_sweep = Some(std::time::Instant::now());
                match crate::db::lease::my_turn(&state.db, "sweep:maillog", SWEEP_EVERY).await {
                    Ok(true) => match sweep(&state.db, crate::db::now()).await {
                        Ok(s) if s.entries > 0 => {
                            tracing::info!(
                                entries = s.entries,
                                "mail log entries past retention deleted"
                            )
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "mail log sweep failed"),
                    },
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "mail log sweep: lease unavailable"),
                }
            }
        }
    })
}

#[cfg(test)]
mod tests;
