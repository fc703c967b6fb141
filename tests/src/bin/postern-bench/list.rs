//! Figure 1: the first page of the 10k folder through edge → gateway →
//! Dovecot, and the same work straight on Dovecot for the ratio.

use std::time::Instant;

use postern_shared::api::MessagePage;
use postern_tests::Stack;
use postern_tests::fixtures::{Fixture, ListQuery};

use crate::Result;
use crate::measure::{pct, time_get};
use crate::plan::{BULK_COUNT, BULK_FOLDER, LIST_RUNS, LIST_WARMUP};

pub struct ListFigures {
    /// Rows on the first page.
    pub page_size: usize,
    pub list_ms: Vec<f64>,
    pub imap_ms: Vec<f64>,
}

pub async fn measure(fx: &Fixture, stack: &Stack) -> Result<ListFigures> {
    let list_path = ListQuery::folder(BULK_FOLDER).path(fx.mailbox);
    let page: MessagePage = fx
        .api
        .get(&list_path)
        .await
        .map_err(|e| format!("GET {list_path}: {e}"))?;
    if page.total as usize != BULK_COUNT || page.messages.len() != page.page_size as usize {
        return Err(format!(
            "the seeded folder lists {} messages ({} on the first page of {}), expected {BULK_COUNT}",
            page.total,
            page.messages.len(),
            page.page_size
        )
        .into());
    }
    let page_size = page.messages.len();
    println!("→ list: GET {list_path} — {LIST_WARMUP} warm-ups + {LIST_RUNS} timed, sequential");
    let list_ms = time_get(&fx.api, &list_path, LIST_WARMUP, LIST_RUNS).await?;
    println!(
        "  p50 {:.2} ms, p95 {:.2} ms",
        pct(&list_ms, 50.0),
        pct(&list_ms, 95.0)
    );

    println!(
        "→ direct IMAP: UID SORT (REVERSE DATE) + UID FETCH of the {page_size} newest, one selected master session"
    );
    let imap_ms = time_direct_imap(stack, &fx.address, page_size).await?;
    println!(
        "  p50 {:.2} ms, p95 {:.2} ms",
        pct(&imap_ms, 50.0),
        pct(&imap_ms, 95.0)
    );
    Ok(ListFigures {
        page_size,
        list_ms,
        imap_ms,
    })
}

/// The UI's work done straight on Dovecot: one persistent master session
/// with the folder selected; per run `UID SORT (REVERSE DATE) UTF-8 ALL`
/// and `UID FETCH <the newest page> (UID FLAGS ENVELOPE RFC822.SIZE)`.
async fn time_direct_imap(stack: &Stack, address: &str, page: usize) -> Result<Vec<f64>> {
    let mut imap = stack.imap(address).await;
    let sel = imap.select(BULK_FOLDER).await?;
    if sel.exists as usize != BULK_COUNT {
        return Err(format!("SELECT {BULK_FOLDER:?}: {} messages", sel.exists).into());
    }
    let mut ms = Vec::with_capacity(LIST_RUNS);
    for i in 0..LIST_WARMUP + LIST_RUNS {
        let t = Instant::now();
        let sorted = imap.command("UID SORT (REVERSE DATE) UTF-8 ALL").await?;
        let uids: Vec<String> = sorted
            .lines()
            .iter()
            .filter_map(|l| l.strip_prefix("SORT"))
            .flat_map(|rest| rest.split_whitespace().map(str::to_string))
            .take(page)
            .collect();
        let fetched = imap
            .command(&format!(
                "UID FETCH {} (UID FLAGS ENVELOPE RFC822.SIZE)",
                uids.join(",")
            ))
            .await?;
        let elapsed = t.elapsed().as_secs_f64() * 1000.0;
        let rows = fetched
            .untagged
            .iter()
            .filter(|l| l.windows(5).any(|w| w == b"FETCH"))
            .count();
        if uids.len() != page || rows != page {
            return Err(
                format!("direct IMAP: {} sorted UIDs, {rows} FETCH rows", uids.len()).into(),
            );
        }
        if i >= LIST_WARMUP {
            ms.push(elapsed);
        }
    }
    let _ = imap.logout().await;
    Ok(ms)
}
