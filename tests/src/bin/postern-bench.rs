//! `postern-bench`: Postern's benchmarks against a running stack. Run it
//! through `cargo xtask bench`, which starts a dedicated stack with a
//! release gateway and sets the `POSTERN_TEST_*` variables of the harness
//! plus:
//!
//! - `POSTERN_BENCH_GATEWAY_PID`, `POSTERN_BENCH_EDGE_PID`: for VmRSS;
//! - `POSTERN_BENCH_DIST`: the built frontend (`dist/`);
//! - `POSTERN_BENCH_OUT`: where `report.json` and `report.md` go.
//!
//! Every figure is reported whether its target is met or not; warm-up
//! requests are excluded. Exit 0 after a complete run (a missed target is a
//! measurement, not a failure); non-zero only when the bench cannot run.

use postern_shared::api::{Folder, MessagePage, MessageView};
use postern_shared::compose::OutgoingState;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::body_path;
use postern_tests::fixtures::{Fixture, ListQuery, base64_lines, enc, rfc2822_date};
use postern_tests::sending::{draft, pattern, upload_ref};
use postern_tests::{ApiClient, Stack, unique};
use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The 10k-message folder (a space in its name, as real folders have).
const BULK_FOLDER: &str = "Bench 10k";
const BULK_COUNT: usize = 10_000;
const LIST_WARMUP: usize = 10;
const LIST_RUNS: usize = 200;
const OPEN_WARMUP: usize = 5;
const OPEN_RUNS: usize = 50;
const RPS_CLIENTS: usize = 16;
const RPS_WARMUP_PER_CLIENT: usize = 5;
const RPS_DURATION: Duration = Duration::from_secs(10);
/// Raw size of the large HTML message.
const BIG_HTML_BYTES: usize = 1024 * 1024;
const MIB: u64 = 1024 * 1024;
/// The big upload: 1 GiB in 64 MiB PATCHes.
const UPLOAD_BYTES: u64 = 1024 * MIB;
const UPLOAD_CHUNK: u64 = 64 * MIB;
const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// The attachment of the send figure (≤ 25 MiB: a MIME part).
const SEND_ATTACHMENT: u64 = 20 * MIB;
const SEND_WARMUP: usize = 1;
const SEND_RUNS: usize = 10;
const SEND_POLL_EVERY: Duration = Duration::from_millis(10);

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postern-bench: cannot complete the bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Result<String> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(format!("{name} is not set: run the bench through `cargo xtask bench`").into()),
    }
}

/// One line of the report.
struct Metric {
    name: &'static str,
    value: f64,
    unit: &'static str,
    /// `(comparison, bound)`, e.g. `("<=", 50.0)`.
    target: Option<(&'static str, f64)>,
    /// Decimals shown in the Markdown table.
    decimals: usize,
}

impl Metric {
    fn new(name: &'static str, value: f64, unit: &'static str, decimals: usize) -> Metric {
        Metric {
            name,
            value,
            unit,
            target: None,
            decimals,
        }
    }

    fn at_most(mut self, bound: f64) -> Metric {
        self.target = Some(("<=", bound));
        self
    }

    fn at_least(mut self, bound: f64) -> Metric {
        self.target = Some((">=", bound));
        self
    }

    fn met(&self) -> Option<bool> {
        self.target.map(|(op, bound)| match op {
            "<=" => self.value <= bound,
            _ => self.value >= bound,
        })
    }

    fn target_text(&self) -> Option<String> {
        self.target
            .map(|(op, bound)| format!("{op} {}", num(bound)))
    }

    fn row(&self) -> Row<'_> {
        let value = if self.decimals == 0 {
            serde_json::json!(self.value.round() as i64)
        } else {
            let f = 10f64.powi(self.decimals as i32);
            serde_json::json!((self.value * f).round() / f)
        };
        Row {
            name: self.name,
            value,
            unit: self.unit,
            target: self.target_text(),
            met: self.met(),
        }
    }
}

/// One object of `report.json` (a struct, not `json!`, keeps the keys in
/// this order).
#[derive(serde::Serialize)]
struct Row<'a> {
    name: &'a str,
    value: serde_json::Value,
    unit: &'a str,
    target: Option<String>,
    met: Option<bool>,
}

/// `50`, `307200`, `2.5`: a bound without trailing zeros.
fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

async fn run() -> Result<()> {
    let started = Instant::now();
    let load_before = loadavg();
    let gateway_pid: u32 = env("POSTERN_BENCH_GATEWAY_PID")?.parse()?;
    let edge_pid: u32 = env("POSTERN_BENCH_EDGE_PID")?.parse()?;
    let dist = PathBuf::from(env("POSTERN_BENCH_DIST")?);
    let out = PathBuf::from(env("POSTERN_BENCH_OUT")?);
    // Fails early and clearly when a POSTERN_TEST_* variable is missing.
    env("POSTERN_TEST_EDGE_URL")?;
    let stack = Stack::get();

    println!("→ provisioning an organisation, account and mailbox");
    let mut fx = Fixture::new().await;
    println!("  mailbox {} (id {})", fx.address, fx.mailbox);

    // ---- seed ---------------------------------------------------------
    println!("→ seeding {BULK_COUNT} messages into {BULK_FOLDER:?} (postern-gateway seed-bulk)");
    let seed_seconds = seed_bulk(stack, gateway_pid, &fx.address)?;
    println!("  seeded in {seed_seconds:.1}s");

    // ---- 1. message list (first page) ---------------------------------
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

    // ---- 2. opening a 1 MiB HTML message -------------------------------
    let big = big_html_message(&fx.address, BIG_HTML_BYTES);
    let big_uid = fx.append("INBOX", &[], &big).await;
    let view_path = Route::GetMessage {
        mb: fx.mailbox,
        uid: big_uid,
    }
    .path_with("folder=INBOX");
    let body_path = body_path(fx.mailbox, big_uid, false);
    let view: MessageView = fx
        .api
        .get(&view_path)
        .await
        .map_err(|e| format!("GET {view_path}: {e}"))?;
    if !view.has_html {
        return Err(format!(
            "the {} byte HTML message has no HTML body in its view",
            big.len()
        )
        .into());
    }
    let body_len = fetch_len(&fx.api, &body_path).await?;
    println!(
        "→ open: a {} byte HTML message (UID {big_uid}; sanitised body.html {} bytes) — {OPEN_WARMUP} warm-ups + {OPEN_RUNS} timed each",
        big.len(),
        body_len
    );
    let view_ms = time_get(&fx.api, &view_path, OPEN_WARMUP, OPEN_RUNS).await?;
    println!("  view p50 {:.2} ms", pct(&view_ms, 50.0));
    let body_ms = time_get(&fx.api, &body_path, OPEN_WARMUP, OPEN_RUNS).await?;
    println!("  body.html p50 {:.2} ms", pct(&body_ms, 50.0));

    // ---- 3. folder list throughput -------------------------------------
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
        "→ folders: {RPS_CLIENTS} concurrent signed-in clients on GET {folders_path} for {}s",
        RPS_DURATION.as_secs()
    );
    let (rps, rps_ok, rps_errors, rps_p50) = folder_throughput(&fx, &folders_path).await?;
    println!("  {rps:.0} rps ({rps_ok} OK, {rps_errors} errors, p50 {rps_p50:.2} ms)");

    // ---- 4. frontend size ---------------------------------------------
    println!("→ frontend: .wasm/.js/.css of {}", dist.display());
    let files = frontend_files(&dist)?;
    let raw_total: u64 = files.iter().map(|f| f.raw).sum();
    let br_total: u64 = files.iter().map(|f| f.brotli).sum();
    println!("  {raw_total} bytes raw, {br_total} bytes brotli -q 11");

    // ---- 5. memory -------------------------------------------------------
    let gateway_rss = rss_mib(gateway_pid)?;
    let edge_rss = rss_mib(edge_pid)?;
    println!("→ VmRSS: gateway {gateway_rss:.1} MiB, edge (wasmtime serve) {edge_rss:.1} MiB");

    // ---- 6. a 1 GiB upload through edge → gateway ------------------------
    println!(
        "→ upload: {} MiB through the edge in {} MiB PATCHes, VmRSS of gateway and edge sampled every {} ms",
        UPLOAD_BYTES / MIB,
        UPLOAD_CHUNK / MIB,
        RSS_SAMPLE_EVERY.as_millis()
    );
    let upload = transfer_upload(&fx.api, gateway_pid, edge_pid).await?;
    println!(
        "  {:.0} MiB/s; VmRSS growth over idle: gateway {:.1} MiB (idle {:.1}), edge {:.1} MiB (idle {:.1})",
        upload.mib_s,
        upload.gateway_growth,
        upload.gateway_idle,
        upload.edge_growth,
        upload.edge_idle
    );

    // ---- 7. sending a 20 MiB attachment ------------------------------------
    println!(
        "→ send: a {} MiB attachment to a local mailbox, {SEND_WARMUP} warm-up + {SEND_RUNS} timed, POST send (undo 0) until it is in the INBOX",
        SEND_ATTACHMENT / MIB
    );
    let send = send_big_attachment(&fx, stack).await?;
    println!(
        "  p50 {:.0} ms (upload of the file before each: p50 {:.0} ms)",
        pct(&send.send_ms, 50.0),
        pct(&send.upload_ms, 50.0)
    );

    let list_p50 = pct(&list_ms, 50.0);
    let imap_p50 = pct(&imap_ms, 50.0);
    let metrics = vec![
        Metric::new("list_first_page_p50_ms", list_p50, "ms", 2),
        Metric::new("list_first_page_p95_ms", pct(&list_ms, 95.0), "ms", 2).at_most(50.0),
        Metric::new("direct_imap_first_page_p50_ms", imap_p50, "ms", 2),
        Metric::new("list_vs_direct_imap_ratio", list_p50 / imap_p50, "x", 2).at_most(3.0),
        Metric::new("open_1mib_html_p50_ms", pct(&view_ms, 50.0), "ms", 2).at_most(20.0),
        Metric::new("open_1mib_html_body_p50_ms", pct(&body_ms, 50.0), "ms", 2).at_most(20.0),
        Metric::new("folder_list_rps", rps, "req/s", 0).at_least(800.0),
        Metric::new("folder_list_errors", rps_errors as f64, "count", 0).at_most(0.0),
        Metric::new("frontend_raw_bytes", raw_total as f64, "bytes", 0),
        Metric::new("frontend_brotli_bytes", br_total as f64, "bytes", 0).at_most(307_200.0),
        Metric::new("gateway_rss_mb", gateway_rss, "MiB", 1).at_most(100.0),
        Metric::new("seed_10k_seconds", seed_seconds, "s", 1),
        Metric::new("transfer_upload_mib_s", upload.mib_s, "MiB/s", 0),
        Metric::new(
            "transfer_gateway_rss_growth_mb",
            upload.gateway_growth,
            "MiB",
            1,
        )
        .at_most(64.0),
        Metric::new("transfer_edge_rss_growth_mb", upload.edge_growth, "MiB", 1).at_most(64.0),
        Metric::new("send_20mib_p50_ms", pct(&send.send_ms, 50.0), "ms", 0),
    ];

    let facts = Facts {
        big_message_bytes: big.len(),
        big_body_html_bytes: body_len,
        page_size,
        list_p95_imap: pct(&imap_ms, 95.0),
        rps_ok,
        rps_p50,
        edge_rss,
        upload_idle: (upload.gateway_idle, upload.edge_idle),
        upload_seconds: upload.seconds,
        send_upload_p50: pct(&send.upload_ms, 50.0),
        send_p95: pct(&send.send_ms, 95.0),
        files,
        total_seconds: started.elapsed().as_secs_f64(),
        load: format!("{load_before} at the start, {} at the end", loadavg()),
    };
    write_reports(&out, &metrics, &facts)
}

/// `postern-gateway seed-bulk` with the very binary the stack runs (the
/// release gateway, found through `/proc/<pid>/exe`). Returns seconds.
fn seed_bulk(stack: &Stack, gateway_pid: u32, address: &str) -> Result<f64> {
    let exe = std::fs::read_link(format!("/proc/{gateway_pid}/exe"))
        .map_err(|e| format!("cannot find the gateway's binary (pid {gateway_pid}): {e}"))?;
    let start = Instant::now();
    let out = Command::new(&exe)
        .args(["seed-bulk", "--mailbox", address, "--folder", BULK_FOLDER])
        .args(["--count", &BULK_COUNT.to_string()])
        .env("POSTERN_IMAP_ADDR", &stack.imap_addr)
        .env("POSTERN_IMAP_MASTER_USER", &stack.master_user)
        .env("POSTERN_IMAP_MASTER_PASSWORD", &stack.master_password)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let secs = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{} seed-bulk failed ({}): {}{}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(secs)
}

/// GET `path` until the whole body is read; the status must be 200.
/// Returns the body length.
async fn fetch_len(api: &ApiClient, path: &str) -> Result<usize> {
    let resp = api
        .request(reqwest::Method::GET, path)
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("GET {path}: body: {e}"))?;
    if status != 200 {
        return Err(format!(
            "GET {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
        .into());
    }
    Ok(body.len())
}

/// Sequential GETs on one keep-alive connection (as the browser does):
/// `warmup` untimed, then `runs` timed from send to the last body byte.
async fn time_get(api: &ApiClient, path: &str, warmup: usize, runs: usize) -> Result<Vec<f64>> {
    for _ in 0..warmup {
        fetch_len(api, path).await?;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        fetch_len(api, path).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ms)
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

/// `RPS_CLIENTS` tasks, each its own signed-in session, hitting `path` in a
/// loop for `RPS_DURATION` (after a short warm-up). Any non-200 answer or
/// transport error counts as an error. Returns (rps of 200 answers, OK
/// count, errors, p50 latency in ms).
async fn folder_throughput(fx: &Fixture, path: &str) -> Result<(f64, u64, u64, f64)> {
    let mut clients = Vec::with_capacity(RPS_CLIENTS);
    for _ in 0..RPS_CLIENTS {
        let mut c = fx.stack.client();
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
    Ok((ok as f64 / elapsed, ok, errors, p50))
}

struct UploadFigures {
    mib_s: f64,
    seconds: f64,
    gateway_idle: f64,
    edge_idle: f64,
    gateway_growth: f64,
    edge_growth: f64,
}

/// VmRSS of `pids`, sampled on a plain thread until stopped; keeps the peak
/// of each (kB).
struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    peaks: Arc<[AtomicU64; 2]>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pids: [u32; 2]) -> RssSampler {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let peaks = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let thread = {
            let (stop, peaks) = (stop.clone(), peaks.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for (i, pid) in pids.iter().enumerate() {
                        if let Ok(mib) = rss_mib(*pid) {
                            peaks[i].fetch_max((mib * 1024.0) as u64, Ordering::Relaxed);
                        }
                    }
                    std::thread::sleep(RSS_SAMPLE_EVERY);
                }
            })
        };
        RssSampler {
            stop,
            peaks,
            thread: Some(thread),
        }
    }

    /// Stops sampling; the peaks in MiB.
    fn finish(mut self) -> [f64; 2] {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        [0, 1].map(|i| self.peaks[i].load(Ordering::Relaxed) as f64 / 1024.0)
    }
}

/// Mean VmRSS (MiB) of `pid` over ten samples 50 ms apart.
async fn idle_rss(pid: u32) -> Result<f64> {
    let mut sum = 0.0;
    for _ in 0..10 {
        sum += rss_mib(pid)?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(sum / 10.0)
}

/// One 1 GiB upload in 64 MiB PATCHes; throughput and the VmRSS growth of
/// the gateway and the edge over their idle values.
async fn transfer_upload(
    api: &ApiClient,
    gateway_pid: u32,
    edge_pid: u32,
) -> Result<UploadFigures> {
    let up = api
        .create_upload("bench-1gib.bin", UPLOAD_BYTES, false)
        .await
        .map_err(|e| format!("POST /api/uploads: {e}"))?;
    // One chunk of generated bytes, sent 16 times (the client never holds
    // the whole file; its own memory is not measured).
    let chunk = pattern(1, 0, UPLOAD_CHUNK as usize);
    let gateway_idle = idle_rss(gateway_pid).await?;
    let edge_idle = idle_rss(edge_pid).await?;
    let sampler = RssSampler::start([gateway_pid, edge_pid]);
    let start = Instant::now();
    let mut offset = 0;
    let mut last = None;
    while offset < UPLOAD_BYTES {
        let res = api.upload_chunk(&up.id, offset, chunk.clone()).await;
        match res {
            Ok(u) => last = Some(u),
            Err(e) => {
                sampler.finish();
                return Err(format!("PATCH at offset {offset}: {e}").into());
            }
        }
        offset += UPLOAD_CHUNK;
    }
    let seconds = start.elapsed().as_secs_f64();
    let [gateway_peak, edge_peak] = sampler.finish();
    let last = last.ok_or("no PATCH answered")?;
    if !last.complete || last.received != UPLOAD_BYTES {
        return Err(format!(
            "after the last PATCH the upload has {} of {UPLOAD_BYTES} bytes (complete: {})",
            last.received, last.complete
        )
        .into());
    }
    api.delete_upload(&up.id)
        .await
        .map_err(|e| format!("DELETE /api/uploads/{}: {e}", up.id))?;
    Ok(UploadFigures {
        mib_s: (UPLOAD_BYTES / MIB) as f64 / seconds,
        seconds,
        gateway_idle,
        edge_idle,
        gateway_growth: (gateway_peak - gateway_idle).max(0.0),
        edge_growth: (edge_peak - edge_idle).max(0.0),
    })
}

struct SendFigures {
    send_ms: Vec<f64>,
    upload_ms: Vec<f64>,
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

/// Nearest-rank percentile.
fn pct(samples: &[f64], p: f64) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

struct ShippedFile {
    name: String,
    raw: u64,
    brotli: u64,
}

/// Every `.wasm`, `.js` and `.css` under `dist/` with its brotli -q 11 size.
fn frontend_files(dist: &Path) -> Result<Vec<ShippedFile>> {
    let mut paths = Vec::new();
    let mut dirs = vec![dist.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for e in entries {
            let p = e?.path();
            // Hidden entries (Trunk's `.stage/` while it builds) are not shipped.
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            if p.is_dir() {
                dirs.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("wasm" | "js" | "css")
            ) {
                paths.push(p);
            }
        }
    }
    paths.sort();
    if !paths
        .iter()
        .any(|p| p.extension().is_some_and(|x| x == "wasm"))
    {
        return Err(format!("no .wasm in {}: is the frontend built?", dist.display()).into());
    }
    let mut files = Vec::new();
    for p in paths {
        let raw = std::fs::metadata(&p)?.len();
        let out = Command::new("brotli")
            .args(["-c", "-q", "11"])
            .arg(&p)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run brotli (Debian package `brotli`): {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "brotli {} failed: {}",
                p.display(),
                String::from_utf8_lossy(&out.stderr)
            )
            .into());
        }
        files.push(ShippedFile {
            name: p.strip_prefix(dist).unwrap_or(&p).display().to_string(),
            raw,
            brotli: out.stdout.len() as u64,
        });
    }
    Ok(files)
}

/// VmRSS of `pid` in MiB.
fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e} (did the process exit?)"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

// ---- the large HTML message -------------------------------------------------

/// A newsletter-like `multipart/alternative` (text + `multipart/related`
/// HTML with two inline `cid:` images) of about `target` bytes: nested
/// tables, inline styles, many links, remote images, some non-ASCII text,
/// the HTML quoted-printable encoded as mailers do.
fn big_html_message(to: &str, target: usize) -> Vec<u8> {
    let tag = unique("big");
    let (alt, rel) = (format!("alt-{tag}"), format!("rel-{tag}"));
    let logo = fake_png(1_800, 7);
    let banner = fake_png(24_000, 11);
    let mut head = format!(
        "From: \"Weekly Digest\" <digest@news.example.com>\r\n\
         To: {to}\r\n\
         Subject: Weekly digest: 1 MiB of HTML\r\n\
         Date: {}\r\n\
         Message-ID: <{tag}@news.example.com>\r\n\
         MIME-Version: 1.0\r\n\
         List-Unsubscribe: <https://news.example.com/unsubscribe?u={tag}>\r\n\
         Content-Type: multipart/alternative; boundary=\"{alt}\"\r\n\r\n\
         --{alt}\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n",
        rfc2822_date(1_760_000_000),
    );
    for i in 0..40 {
        let _ = write!(
            head,
            "Story {i}: the quarterly figures, explained — read on https://news.example.com/story/{i}\r\n"
        );
    }
    let _ = write!(
        head,
        "\r\n--{alt}\r\n\
         Content-Type: multipart/related; boundary=\"{rel}\"; type=\"text/html\"\r\n\r\n\
         --{rel}\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    );
    let mut tail = String::new();
    for (cid, name, data) in [
        ("logo", "logo.png", &logo),
        ("banner", "banner.png", &banner),
    ] {
        let _ = write!(
            tail,
            "\r\n--{rel}\r\n\
             Content-Type: image/png; name=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\
             Content-ID: <{cid}@{tag}>\r\n\
             Content-Disposition: inline; filename=\"{name}\"\r\n\r\n{}",
            base64_lines(data)
        );
    }
    let _ = write!(tail, "\r\n--{rel}--\r\n\r\n--{alt}--\r\n");

    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Weekly digest</title>\n<style type=\"text/css\">\
         body {{ margin:0; padding:0; background:#f2f4f7; }} \
         .btn a {{ color:#ffffff !important; }} \
         @media (max-width:600px) {{ .col {{ display:block !important; width:100% !important; }} }}\
         </style></head>\n<body style=\"margin:0;padding:0;background-color:#f2f4f7;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background-color:#f2f4f7;\">\n\
         <tr><td align=\"center\" style=\"padding:24px 8px;\">\n\
         <table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"width:600px;max-width:600px;background-color:#ffffff;border-radius:6px;\">\n\
         <tr><td style=\"padding:20px 24px;border-bottom:1px solid #e5e7eb;\"><a href=\"https://news.example.com/?utm_source=digest\"><img src=\"cid:logo@{tag}\" width=\"120\" height=\"32\" alt=\"News\" style=\"display:block;border:0;\"></a></td></tr>\n\
         <tr><td><img src=\"cid:banner@{tag}\" width=\"600\" height=\"200\" alt=\"This week\" style=\"display:block;width:100%;height:auto;border:0;\"></td></tr>\n"
    );
    let fixed = head.len() + tail.len();
    let closing = "</table>\n</td></tr></table>\n</body></html>\n";
    let mut qp = String::new();
    let mut i = 0;
    // Encode line by line (each HTML line ends with a hard line break), so
    // the encoded size is known as we go.
    qp_encode_into(&mut qp, &html);
    while fixed + qp.len() + closing.len() < target {
        qp_encode_into(&mut qp, &story(i));
        i += 1;
    }
    qp_encode_into(&mut qp, closing);
    let mut msg = head.into_bytes();
    msg.extend_from_slice(qp.as_bytes());
    msg.extend_from_slice(tail.as_bytes());
    msg
}

/// One block of the newsletter (a few KiB of HTML).
fn story(i: usize) -> String {
    let colors = ["#1a73e8", "#d93025", "#188038", "#f29900", "#9334e6"];
    let c = colors[i % colors.len()];
    let mut s = String::new();
    let _ = write!(
        s,
        "<tr><td class=\"col\" style=\"padding:16px 24px;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:22px;color:#333333;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\n\
         <td width=\"180\" valign=\"top\" style=\"padding-right:16px;\"><a href=\"https://news.example.com/story/{i}?utm_source=digest&amp;utm_medium=email&amp;utm_campaign=weekly\" target=\"_blank\"><img src=\"https://cdn.news.example.com/img/{i}/thumb-360x240.jpg\" width=\"180\" height=\"120\" alt=\"Story {i}\" style=\"display:block;border:0;border-radius:4px;\"></a></td>\n\
         <td valign=\"top\"><h2 style=\"margin:0 0 8px 0;font-size:20px;line-height:26px;color:{c};font-weight:bold;\">Story {i}: Café owners in Zürich report a 12 % rise — “better than expected”</h2>\n\
         <p style=\"margin:0 0 12px 0;\">Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. \
         Ut enim ad minim veniam, quis nostrud <a href=\"https://news.example.com/topic/{i}\" style=\"color:{c};text-decoration:underline;\">exercitation ullamco</a> laboris nisi ut aliquip ex ea commodo consequat. \
         Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.</p>\n\
         <table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;width:100%;font-size:13px;margin:0 0 12px 0;\">\n\
         <tr style=\"background-color:#f8fafc;\"><th align=\"left\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Quarter</th><th align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Revenue</th><th align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Change</th></tr>\n"
    );
    for q in 1..=4 {
        let _ = writeln!(
            s,
            "<tr><td style=\"padding:6px 8px;border:1px solid #e5e7eb;\">Q{q} 2025</td><td align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;\">€{}.{:02} m</td><td align=\"right\" style=\"padding:6px 8px;border:1px solid #e5e7eb;color:{c};\">+{}.{} %</td></tr>",
            10 + (i * 7 + q * 3) % 90,
            (i * 13 + q) % 100,
            (i + q) % 9,
            (i * q) % 10
        );
    }
    let _ = write!(
        s,
        "</table>\n\
         <table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td class=\"btn\" style=\"background-color:{c};border-radius:4px;\"><a href=\"https://news.example.com/story/{i}/read?utm_source=digest\" style=\"display:inline-block;padding:8px 16px;color:#ffffff;text-decoration:none;font-weight:bold;font-size:14px;\">Read the full story →</a></td>\n\
         <td style=\"padding-left:12px;font-size:12px;color:#6b7280;\"><a href=\"https://news.example.com/share?story={i}&amp;via=email\" style=\"color:#6b7280;\">Share</a> · <a href=\"https://news.example.com/save?story={i}\" style=\"color:#6b7280;\">Save</a> · <span style=\"font-style:italic;\">4 min read</span></td></tr></table>\n\
         </td></tr></table>\n</td></tr>\n\
         <tr><td style=\"padding:0 24px;\"><div style=\"height:1px;line-height:1px;background-color:#e5e7eb;\">&nbsp;</div></td></tr>\n"
    );
    s
}

/// Quoted-printable (RFC 2045) of `text`, line by line: `\n` becomes a hard
/// CRLF break, long lines get soft breaks (`=`) at 76 columns.
fn qp_encode_into(out: &mut String, text: &str) {
    for line in text.split_inclusive('\n') {
        let (body, hard_break) = match line.strip_suffix('\n') {
            Some(b) => (b, true),
            None => (line, false),
        };
        let bytes = body.as_bytes();
        let mut col = 0;
        for (k, &b) in bytes.iter().enumerate() {
            let last = k + 1 == bytes.len();
            let literal =
                ((b == b' ' || b == b'\t') && !last) || ((33..=126).contains(&b) && b != b'=');
            let piece_len = if literal { 1 } else { 3 };
            if col + piece_len > 75 {
                out.push_str("=\r\n");
                col = 0;
            }
            if literal {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
            col += piece_len;
        }
        if hard_break {
            out.push_str("\r\n");
        }
    }
}

/// Bytes that start like a PNG (signature + IHDR); the rest is filler.
/// The edge only base64-embeds them, it never decodes the image.
fn fake_png(len: usize, seed: u32) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    v.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 2, 0x58, 0, 0, 0, 0xc8,
    ]);
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    while v.len() < len {
        // xorshift32: incompressible, like real image data.
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(x as u8);
    }
    v
}

// ---- reports -----------------------------------------------------------------

struct Facts {
    big_message_bytes: usize,
    big_body_html_bytes: usize,
    page_size: usize,
    list_p95_imap: f64,
    rps_ok: u64,
    rps_p50: f64,
    edge_rss: f64,
    /// VmRSS (MiB) of gateway and edge before the 1 GiB upload.
    upload_idle: (f64, f64),
    upload_seconds: f64,
    send_upload_p50: f64,
    send_p95: f64,
    files: Vec<ShippedFile>,
    total_seconds: f64,
    /// 1/5/15-minute load averages: other work on the machine skews figures.
    load: String,
}

/// `/proc/loadavg`'s three load averages.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn write_reports(out: &Path, metrics: &[Metric], f: &Facts) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let rows: Vec<Row<'_>> = metrics.iter().map(Metric::row).collect();
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&rows)? + "\n",
    )?;

    let mut table =
        String::from("| metric | value | unit | target | met |\n|---|---:|---|---|---|\n");
    for m in metrics {
        let met = match m.met() {
            Some(true) => "✓ yes",
            Some(false) => "✗ no",
            None => "—",
        };
        let _ = writeln!(
            table,
            "| `{}` | {:.*} | {} | {} | {met} |",
            m.name,
            m.decimals,
            m.value,
            m.unit,
            m.target_text().unwrap_or_else(|| "—".into()),
        );
    }

    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let nproc = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let dovecot = Command::new("dovecot")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();

    let mut md = String::new();
    let _ = write!(
        md,
        "# Postern benchmarks\n\n\
         Generated by `cargo xtask bench` on {} (UTC).\n\n{table}\n\
         ## Machine and build\n\n\
         - nproc: {nproc}; CPU: {cpu}\n\
         - build profile: gateway `--release` (opt-level 3, thin LTO); edge `wasm32-wasip2 --release` under `wasmtime serve`; frontend `trunk build --release` (profile `wasm-release`); this bench binary `--release`\n\
         - Dovecot {dovecot}; everything (Dovecot, Postfix, gateway, edge and the bench client itself) on the same machine, over loopback\n\
         - load average (1/5/15 min): {}\n\
         - whole bench run: {:.0} s\n\n\
         ## Method\n\n\
         A dedicated stack in `target/postern/bench` (wiped first; edge 28080, gateway 28081, IMAP 30143) with the release gateway. \
         The bench provisions its own organisation, account and mailbox, then seeds {BULK_COUNT} generated messages into `{BULK_FOLDER}` \
         with `postern-gateway seed-bulk` (MULTIAPPEND batches of 100; `seed_10k_seconds`). Warm-up requests are never timed; \
         latencies run from sending the request to reading the last body byte, on one keep-alive connection, with a signed-in session cookie.\n\n\
         - **list**: `GET /api/mailboxes/{{mb}}/messages?folder={}` (first page, {} rows) through edge → gateway → Dovecot, \
         {LIST_WARMUP} warm-ups then {LIST_RUNS} sequential requests; nearest-rank p50/p95.\n\
         - **direct IMAP**: the same work without Postern: one persistent master-user IMAP session with the folder selected, \
         `UID SORT (REVERSE DATE) UTF-8 ALL` then `UID FETCH <the {} newest> (UID FLAGS ENVELOPE RFC822.SIZE)`, \
         {LIST_WARMUP} warm-ups + {LIST_RUNS} runs (p95 {:.2} ms). `list_vs_direct_imap_ratio` = list p50 / direct p50.\n\
         - **open**: a {} byte newsletter-like message (multipart/alternative: text + multipart/related quoted-printable HTML with nested tables, \
         inline styles, many links, remote images and two inline `cid:` images) appended to INBOX; `GET …/messages/{{uid}}?folder=INBOX` \
         (fetch + MIME parse + view) and `GET …/messages/{{uid}}/body.html?folder=INBOX` (fetch + parse + sanitise; {} bytes out), \
         {OPEN_WARMUP} warm-ups + {OPEN_RUNS} runs each; p50.\n\
         - **folders**: {RPS_CLIENTS} concurrent clients, each its own signed-in session, loop on `GET /api/mailboxes/{{mb}}/folders` \
         for {} s after {RPS_WARMUP_PER_CLIENT} warm-ups each; rps = 200 answers / wall time (requests in flight at the deadline included); \
         any non-200 or transport error counts in `folder_list_errors` ({} OK, per-request p50 {:.2} ms). \
         The bench client shares the CPUs with the stack.\n\
         - **frontend**: every `.wasm`, `.js`, `.css` of `dist/`, raw and `brotli -c -q 11` (files below).\n\
         - **memory**: VmRSS from `/proc/<pid>/status` after the figures above (before the upload and send below); the gateway's is `gateway_rss_mb` (MiB), \
         the edge's (`wasmtime serve`, no target) was {:.1} MiB.\n\
         - **upload**: one {} MiB upload (`POST /api/uploads`, then {} `PATCH /api/uploads/{{id}}?offset=N` of {} MiB each, generated by the bench, \
         sequential) through edge → gateway → blob directory; `transfer_upload_mib_s` = MiB / time from the first PATCH to the last answer ({:.1} s). \
         VmRSS of the gateway and of the edge (`wasmtime serve`) sampled every {} ms during the upload; the growth figures are the peak minus the \
         idle value just before (idle: gateway {:.1} MiB, edge {:.1} MiB). Neither process may buffer the file.\n\
         - **send**: a {} MiB file uploaded (one PATCH; p50 {:.0} ms, not counted), then `POST /api/mailboxes/{{mb}}/send` with `undo_seconds` 0 \
         to another mailbox of the organisation; timed from the request until an IMAP `STATUS INBOX (MESSAGES)` poll (every {} ms, \
         master session) sees it: build + SMTP submission + Postfix + LMTP delivery. {SEND_WARMUP} warm-up + {SEND_RUNS} runs; p50 (p95 {:.0} ms).\n\n\
         ## Frontend files\n\n\
         | file | raw bytes | brotli -q 11 bytes |\n|---|---:|---:|\n",
        rfc2822_date(now),
        f.load,
        f.total_seconds,
        enc(BULK_FOLDER),
        f.page_size,
        f.page_size,
        f.list_p95_imap,
        f.big_message_bytes,
        f.big_body_html_bytes,
        RPS_DURATION.as_secs(),
        f.rps_ok,
        f.rps_p50,
        f.edge_rss,
        UPLOAD_BYTES / MIB,
        UPLOAD_BYTES / UPLOAD_CHUNK,
        UPLOAD_CHUNK / MIB,
        f.upload_seconds,
        RSS_SAMPLE_EVERY.as_millis(),
        f.upload_idle.0,
        f.upload_idle.1,
        SEND_ATTACHMENT / MIB,
        f.send_upload_p50,
        SEND_POLL_EVERY.as_millis(),
        f.send_p95,
    );
    for file in &f.files {
        let _ = writeln!(md, "| `{}` | {} | {} |", file.name, file.raw, file.brotli);
    }
    let _ = writeln!(
        md,
        "| **total** | **{}** | **{}** |",
        f.files.iter().map(|x| x.raw).sum::<u64>(),
        f.files.iter().map(|x| x.brotli).sum::<u64>()
    );
    std::fs::write(out.join("report.md"), &md)?;

    println!("\n{table}");
    println!(
        "reports: {} and {}",
        out.join("report.json").display(),
        out.join("report.md").display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(pct(&v, 50.0), 100.0);
        assert_eq!(pct(&v, 95.0), 190.0);
        assert_eq!(pct(&[3.0], 95.0), 3.0);
    }

    #[test]
    fn quoted_printable_keeps_lines_short_and_escapes() {
        let mut out = String::new();
        qp_encode_into(&mut out, &format!("a=b é {}\nend \n", "x".repeat(200)));
        for line in out.split("\r\n") {
            assert!(line.len() <= 76, "{line}");
        }
        assert!(out.starts_with("a=3Db =C3=A9 x"));
        assert!(out.ends_with("end=20\r\n"));
    }

    #[test]
    fn big_message_is_about_the_target_size() {
        let m = big_html_message("box@example.test", BIG_HTML_BYTES);
        assert!(m.len() >= BIG_HTML_BYTES && m.len() < BIG_HTML_BYTES + 16 * 1024);
        let metric = Metric::new("x", 12.345, "ms", 2).at_most(20.0);
        assert_eq!(
            serde_json::to_string(&metric.row()).unwrap(),
            r#"{"name":"x","value":12.35,"unit":"ms","target":"<= 20","met":true}"#
        );
    }
}
