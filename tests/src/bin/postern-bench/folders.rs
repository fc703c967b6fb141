//! Figure 3: folder-list throughput, many signed-in clients at once —
//! through the stack's edge, or (PostgreSQL pass) an edge in front of two
//! gateways.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use postern_shared::api::Folder;
use postern_shared::wire::routes::Route;
use postern_tests::ApiClient;
use postern_tests::fixtures::Fixture;

use crate::Result;
use crate::measure::{fetch_len, pct};
use crate::plan::{BULK_FOLDER, RPS_CLIENTS, RPS_DURATION, RPS_WARMUP_PER_CLIENT};

pub struct FolderFigures {
    /// 200 answers per second of wall time.
    pub rps: f64,
    pub ok: u64,
    pub errors: u64,
    /// Per-request p50 latency, ms.
    pub p50: f64,
}

/// The throughput of `GET …/folders` through the edge at `edge_url`
/// (the fixture's own, `fx.stack.edge_url`, or another in front of the
/// same stack).
pub async fn measure(fx: &Fixture, edge_url: &str) -> Result<FolderFigures> {
    let folders_path = Route::ListFolders { mb: fx.mailbox }.path();
    let folders: Vec<Folder> = fx
        .api
        .get(&folders_path)
        .await
        .map_err(|e| format!("GET {folders_path}: {e}"))?;
    if !folders.iter().any(|f| f.path == BULK_FOLDER) {
        return Err(format!("{BULK_FOLDER:?} is not in the folder list").into());
    }
    println!(
        "→ folders: {RPS_CLIENTS} concurrent signed-in clients on GET {folders_path} for {}s via {edge_url}",
        RPS_DURATION.as_secs()
    );
    let f = folder_throughput(fx, edge_url, &folders_path).await?;
    println!(
        "  {:.0} rps ({} OK, {} errors, p50 {:.2} ms)",
        f.rps, f.ok, f.errors, f.p50
    );
    Ok(f)
}

/// `RPS_CLIENTS` tasks, each its own signed-in session, hitting `path` in a
/// loop for `RPS_DURATION` (after a short warm-up). Any non-200 answer or
/// transport error counts as an error.
async fn folder_throughput(fx: &Fixture, edge_url: &str, path: &str) -> Result<FolderFigures> {
    let mut clients = Vec::with_capacity(RPS_CLIENTS);
    for _ in 0..RPS_CLIENTS {
        let mut c = ApiClient::new(edge_url);
        c.login(&fx.login, &fx.password)
            .await
            .map_err(|e| format!("sign-in for the throughput clients: {e}"))?;
        for _ in 0..RPS_WARMUP_PER_CLIENT {
            fetch_len(&c, path).await?;
        }
        clients.push(c);
    }
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + RPS_DURATION;
    let mut tasks = Vec::new();
    for c in clients {
        let (ok, errors, path) = (ok.clone(), errors.clone(), path.to_string());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            while Instant::now() < deadline {
                let t = Instant::now();
                let res = tokio::time::timeout(Duration::from_secs(10), async {
                    let resp = c.request(reqwest::Method::GET, &path).send().await?;
                    let status = resp.status().as_u16();
                    resp.bytes().await?;
                    Ok::<u16, reqwest::Error>(status)
                })
                .await;
                match res {
                    Ok(Ok(200)) => {
                        ok.fetch_add(1, Ordering::Relaxed);
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await?);
    }
    // Requests in flight at the deadline finish; count the time they took.
    let elapsed = start.elapsed().as_secs_f64();
    let ok = ok.load(Ordering::Relaxed);
    let errors = errors.load(Ordering::Relaxed);
    let p50 = if lat.is_empty() {
        f64::NAN
    } else {
        pct(&lat, 50.0)
    };
    Ok(FolderFigures {
        rps: ok as f64 / elapsed,
        ok,
        errors,
        p50,
    })
}
