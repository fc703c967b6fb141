//! Figure 1b: does a page cost more on a bigger folder? The first page of
//! 1,000, 10,000 and 100,000-message folders through edge → gateway →
//! Dovecot, interleaved round by round so load drifts hit all three alike,
//! next to the floor any IMAP webmail pays: a plain `UID FETCH` of the
//! same 50 rows on a selected, persistent connection (`imap_fetch50`).

use std::time::Instant;

use postern_shared::api::MessagePage;
use postern_tests::Stack;
use postern_tests::fixtures::{Fixture, ListQuery};

use crate::Result;
use crate::measure::{fetch_len, pct};
use crate::plan::{LIST_RUNS, LIST_WARMUP, SIZE_FOLDERS};

pub struct SizeFigures {
    /// `(suffix, count, list ms)` per folder, smallest first.
    pub lists: Vec<(&'static str, usize, Vec<f64>)>,
    /// The 100k folder's first page straight from Dovecot.
    pub imap_fetch_ms: Vec<f64>,
    /// Seconds to seed the folders this figure adds (1k and 100k).
    pub seed_seconds: f64,
}

pub async fn measure(fx: &Fixture, stack: &Stack, gateway_pid: u32) -> Result<SizeFigures> {
    let mut seed_seconds = 0.0;
    for (folder, count, _) in SIZE_FOLDERS {
        if folder != crate::plan::BULK_FOLDER {
            seed_seconds +=
                crate::seed::seed_folder(stack, gateway_pid, &fx.address, folder, count)?;
        }
    }
    let mut paths = Vec::new();
    for (folder, count, _) in SIZE_FOLDERS {
        let path = ListQuery::folder(folder).path(fx.mailbox);
        let page: MessagePage = fx
            .api
            .get(&path)
            .await
            .map_err(|e| format!("GET {path}: {e}"))?;
        if page.total as usize != count {
            return Err(
                format!("{folder:?} lists {} messages, expected {count}", page.total).into(),
            );
        }
        paths.push(path);
    }
    println!(
        "→ list at 1k / 10k / 100k: {LIST_WARMUP} warm-ups + {LIST_RUNS} rounds, one request per folder each"
    );
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(LIST_RUNS); paths.len()];
    for round in 0..LIST_WARMUP + LIST_RUNS {
        for (i, path) in paths.iter().enumerate() {
            let t = Instant::now();
            fetch_len(&fx.api, path).await?;
            if round >= LIST_WARMUP {
                samples[i].push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let lists: Vec<_> = SIZE_FOLDERS
        .iter()
        .zip(samples)
        .map(|(&(_, count, suffix), ms)| {
            println!("  {suffix}: p50 {:.2} ms", pct(&ms, 50.0));
            (suffix, count, ms)
        })
        .collect();

    let (big_folder, _, _) = SIZE_FOLDERS[2];
    let first: MessagePage = fx
        .api
        .get(&paths[2])
        .await
        .map_err(|e| format!("GET {}: {e}", paths[2]))?;
    let uids: Vec<String> = first.messages.iter().map(|m| m.uid.to_string()).collect();
    println!(
        "→ IMAP floor: UID FETCH of those {} rows on a selected connection",
        uids.len()
    );
    let mut imap = stack.imap(&fx.address).await;
    imap.select(big_folder).await?;
    let cmd = format!(
        "UID FETCH {} (UID FLAGS ENVELOPE RFC822.SIZE)",
        uids.join(",")
    );
    let mut imap_fetch_ms = Vec::with_capacity(LIST_RUNS);
    for i in 0..LIST_WARMUP + LIST_RUNS {
        let t = Instant::now();
        let r = imap.command(&cmd).await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let rows = r
            .untagged
            .iter()
            .filter(|l| l.windows(5).any(|w| w == b"FETCH"))
            .count();
        if rows != uids.len() {
            return Err(format!("UID FETCH answered {rows} rows of {}", uids.len()).into());
        }
        if i >= LIST_WARMUP {
            imap_fetch_ms.push(ms);
        }
    }
    let _ = imap.logout().await;
    println!("  p50 {:.2} ms", pct(&imap_fetch_ms, 50.0));
    Ok(SizeFigures {
        lists,
        imap_fetch_ms,
        seed_seconds,
    })
}
