//! Figure: mail from outside on the spam path, end to end — Postfix smtpd →
//! rspamd (milter) → LMTP → the mailbox's generated Sieve → `Junk` — and
//! rspamd's resident memory (its main process and the workers it forks).
//!
//! The message carries rspamd's "add header" GTUBE string (as
//! `tests/tests/spam.rs` sends it): scored as spam, delivered, filed into
//! `Junk` by the Sieve of a new mailbox (its filter is on by default).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::imap::quote;
use postern_tests::{ImapClient, Stack, unique};

use crate::Result;
use crate::measure::pct;
use crate::memory::rss_mib;

/// rspamd's test pattern for "probable spam" (the add-header threshold,
/// `enable_test_patterns` in the stacks `xtask` runs).
const GTUBE_SPAM: &str = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
/// The envelope and `From:` sender, a server on the internet.
const SENDER: &str = "bench-sender@outside.test";
/// Where the Sieve files spam for a new mailbox.
pub const SPAM_FOLDER: &str = "Junk";
pub const SPAM_PATH_WARMUP: usize = 2;
pub const SPAM_PATH_RUNS: usize = 20;
/// Between two looks at `Junk` (NOOP + UID SEARCH on one session).
pub const SPAM_PATH_POLL_EVERY: Duration = Duration::from_millis(3);
/// A message not in `Junk` by then fails the bench.
pub const SPAM_PATH_TIMEOUT: Duration = Duration::from_secs(30);

pub struct SpamPathFigures {
    /// smtpd accept → visible in `Junk` over IMAP, ms, one per timed run.
    pub delivery_ms: Vec<f64>,
    /// Sum of the VmRSS of rspamd's main process and its descendants, MiB.
    pub rspamd_rss: f64,
    /// How many processes that sum covers (the main one included).
    pub rspamd_processes: usize,
}

pub async fn measure(fx: &Fixture, stack: &Stack, rspamd_pid: u32) -> Result<SpamPathFigures> {
    println!(
        "→ spam path: a GTUBE message from outside, smtpd → rspamd → LMTP → Sieve → {SPAM_FOLDER}, \
         {SPAM_PATH_WARMUP} warm-up + {SPAM_PATH_RUNS} timed, polled every {} ms",
        SPAM_PATH_POLL_EVERY.as_millis()
    );
    let delivery_ms = deliveries(fx, stack).await?;
    let (rspamd_rss, rspamd_processes) = tree_rss_mib(rspamd_pid)?;
    println!(
        "  p50 {:.1} ms, p95 {:.1} ms; rspamd VmRSS {rspamd_rss:.1} MiB over {rspamd_processes} processes",
        pct(&delivery_ms, 50.0),
        pct(&delivery_ms, 95.0),
    );
    Ok(SpamPathFigures {
        delivery_ms,
        rspamd_rss,
        rspamd_processes,
    })
}

/// Delivers the runs to a mailbox of their own, each timed from just
/// before the SMTP transaction until its subject is found in `Junk`.
async fn deliveries(fx: &Fixture, stack: &Stack) -> Result<Vec<f64>> {
    let (_, rcpt) = fx.add_mailbox("bench-spam", None).await;
    let mut imap = stack.imap(&rcpt).await;
    // Junk is auto-created (dovecot.conf); EXAMINE leaves flags alone.
    imap.command(&format!("EXAMINE {}", quote(SPAM_FOLDER)))
        .await
        .map_err(|e| format!("EXAMINE {SPAM_FOLDER} of {rcpt}: {e}"))?;
    let tag = unique("spampath");
    let mut ms = Vec::with_capacity(SPAM_PATH_RUNS);
    for run in 0..SPAM_PATH_WARMUP + SPAM_PATH_RUNS {
        let subject = format!("Bench spam path {tag} {run}");
        let data = Mail::new(&subject)
            .from(SENDER)
            .to(&rcpt)
            .date(postern_tests::sending::now())
            .body(GTUBE_SPAM)
            .build();
        let t = Instant::now();
        let outcome = stack.smtp_deliver(SENDER, &[&rcpt], &data);
        if !outcome.accepted {
            return Err(format!(
                "smtpd did not accept {subject:?} for {rcpt}: {}",
                outcome.transcript
            )
            .into());
        }
        wait_in_junk(&mut imap, &subject, t, &rcpt).await?;
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        if run >= SPAM_PATH_WARMUP {
            ms.push(elapsed);
        }
    }
    let _ = imap.logout().await;
    Ok(ms)
}

/// Polls the selected `Junk` until a message whose Subject contains
/// `subject` is there; an error after [`SPAM_PATH_TIMEOUT`] from `start`.
async fn wait_in_junk(
    imap: &mut ImapClient,
    subject: &str,
    start: Instant,
    rcpt: &str,
) -> Result<()> {
    let criteria = format!("HEADER Subject {}", quote(subject));
    loop {
        // NOOP makes Dovecot sync the selected folder (new mail included).
        imap.command("NOOP")
            .await
            .map_err(|e| format!("NOOP on {SPAM_FOLDER} of {rcpt}: {e}"))?;
        let uids = imap
            .uid_search(&criteria)
            .await
            .map_err(|e| format!("UID SEARCH in {SPAM_FOLDER} of {rcpt}: {e}"))?;
        if !uids.is_empty() {
            return Ok(());
        }
        if start.elapsed() > SPAM_PATH_TIMEOUT {
            return Err(format!(
                "{subject:?} not in {rcpt}'s {SPAM_FOLDER} after {} s (was it scored as spam? \
                 see the stack's rspamd and dovecot logs)",
                SPAM_PATH_TIMEOUT.as_secs()
            )
            .into());
        }
        tokio::time::sleep(SPAM_PATH_POLL_EVERY).await;
    }
}

/// VmRSS (MiB) summed over `root` and every process descending from it,
/// and how many processes that is. `root` must be readable; a descendant
/// that exits meanwhile (or is a zombie, without VmRSS) is left out.
fn tree_rss_mib(root: u32) -> Result<(f64, usize)> {
    let mut total = rss_mib(root).map_err(|e| format!("rspamd (pid {root}): {e}"))?;
    let mut count = 1;
    for pid in descendants(root, &process_parents()?) {
        if let Ok(mib) = rss_mib(pid) {
            total += mib;
            count += 1;
        }
    }
    Ok((total, count))
}

/// `(pid, ppid)` of every process in `/proc` (threads are not listed
/// there, only their processes).
fn process_parents() -> Result<Vec<(u32, u32)>> {
    let dir = std::fs::read_dir("/proc").map_err(|e| format!("/proc: {e}"))?;
    Ok(dir
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            Some((pid, stat_ppid(&stat)?))
        })
        .collect())
}

/// The parent pid of a `/proc/<pid>/stat` line: the second field after
/// the command name, which is in parentheses and may hold spaces and
/// parentheses itself (so: after the last `)`).
fn stat_ppid(stat: &str) -> Option<u32> {
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Every pid descending from `root` in `parents` (`(pid, ppid)` pairs),
/// `root` itself excluded, parents before their children.
fn descendants(root: u32, parents: &[(u32, u32)]) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for &(pid, ppid) in parents {
        if pid != ppid {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut out = Vec::new();
    let mut next = vec![root];
    while let Some(p) = next.pop() {
        for &c in children.get(&p).map(Vec::as_slice).unwrap_or_default() {
            if c != root && !out.contains(&c) {
                out.push(c);
                next.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_pid_comes_after_the_last_parenthesis() {
        assert_eq!(
            stat_ppid("4242 (rspamd) S 4200 4242 4242 0 -1 4194560 123"),
            Some(4200)
        );
        // A command name with spaces and parentheses (process titles).
        assert_eq!(
            stat_ppid("4243 (rspamd: normal (x) worker) S 4242 4242 4242 0"),
            Some(4242)
        );
        assert_eq!(stat_ppid("4244 (no end S 1"), None);
        assert_eq!(stat_ppid("4245 (x) S"), None);
    }

    #[test]
    fn descendants_are_the_whole_subtree() {
        let parents = [
            (1, 0),
            (10, 1),
            (11, 10),
            (12, 10),
            (13, 12),
            (20, 1),
            (21, 20),
        ];
        let mut d = descendants(10, &parents);
        d.sort_unstable();
        assert_eq!(d, [11, 12, 13]);
        assert!(descendants(13, &parents).is_empty());
        assert!(descendants(99, &parents).is_empty());
    }

    #[test]
    fn this_process_is_in_its_parent_s_tree() {
        let me = std::process::id();
        let parents = process_parents().unwrap();
        let parent = parents.iter().find(|p| p.0 == me).unwrap().1;
        assert!(descendants(parent, &parents).contains(&me));
        let (mib, n) = tree_rss_mib(me).unwrap();
        assert!(mib > 0.0 && n >= 1);
    }
}
