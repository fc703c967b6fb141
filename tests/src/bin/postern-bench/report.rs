//! `report.json` and `report.md`. The metric names, units and targets are
//! a contract: other tools read `report.json` by name. The PostgreSQL
//! figures are the list and folder ones again, named with `_pg` (one
//! gateway) and `_2gw` (two gateways behind the edge) appended; the
//! PostgreSQL pass leaves them in `postgres.json` for the report.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use postern_tests::fixtures::{enc, rfc2822_date};

use crate::Result;
use crate::folders::FolderFigures;
use crate::frontend::{App, FrontendFigures};
use crate::import::CsvFigures;
use crate::list::ListFigures;
use crate::live::{LIVE_RUNS, LIVE_STREAMS, LIVE_WARMUP, LiveFigures};
use crate::logs::{
    LOG_INGEST_LINES_PER_MESSAGE, LOG_INGEST_MESSAGES, LOG_QUERY_DAYS, LOG_QUERY_ENTRIES,
    LOG_QUERY_RUNS, LOG_QUERY_WARMUP, LogFigures,
};
use crate::measure::pct;
use crate::memory::Rss;
use crate::open::OpenFigures;
// The Method section quotes nearly every figure of the plan.
use crate::plan::*;
use crate::send::SendFigures;
use crate::sizes::SizeFigures;
use crate::spam_path::{
    SPAM_FOLDER, SPAM_PATH_POLL_EVERY, SPAM_PATH_RUNS, SPAM_PATH_TIMEOUT, SPAM_PATH_WARMUP,
    SpamPathFigures,
};
use crate::upload::UploadFigures;

/// Everything the bench measured, figure by figure.
pub struct Figures {
    pub seed_seconds: f64,
    pub list: ListFigures,
    pub sizes: SizeFigures,
    pub open: OpenFigures,
    pub folders: FolderFigures,
    pub frontend: FrontendFigures,
    pub rss: Rss,
    pub upload: UploadFigures,
    pub send: SendFigures,
    /// Mail from outside through the spam filter into Junk, and rspamd's VmRSS.
    pub spam_path: SpamPathFigures,
    pub live: LiveFigures,
    /// The follower's ingest rate and the Logs route on 100,000 entries.
    pub logs: LogFigures,
    pub csv: CsvFigures,
    /// One DPA each, milliseconds (R-GDPR-1).
    pub dpa_ms: Vec<f64>,
}

/// The run itself, for the Machine section.
pub struct RunFacts {
    pub total_seconds: f64,
    /// 1/5/15-minute load averages: other work on the machine skews figures.
    pub load: String,
}

/// The PostgreSQL pass's figures (`main::postgres_pass`).
pub struct PostgresFigures {
    pub seed_seconds: f64,
    pub list: ListFigures,
    /// Through the edge in front of the first gateway alone.
    pub folders: FolderFigures,
    /// Through the edge in front of both gateways.
    pub folders_2gw: FolderFigures,
    pub edge_url: String,
    pub edge_2gw_url: String,
}

/// What the PostgreSQL pass leaves for the report (`postgres.json`): its
/// lines and its paragraph of the Method section.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct PostgresPass {
    metrics: Vec<Metric>,
    method: String,
}

/// A metric's target.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
enum Target {
    AtMost(f64),
    AtLeast(f64),
}

/// One line of the report.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Metric {
    name: String,
    value: f64,
    unit: String,
    target: Option<Target>,
    /// Decimals shown in the Markdown table.
    decimals: usize,
}

impl Metric {
    fn new(name: &str, value: f64, unit: &str, decimals: usize) -> Metric {
        Metric {
            name: name.to_string(),
            value,
            unit: unit.to_string(),
            target: None,
            decimals,
        }
    }

    fn at_most(mut self, bound: f64) -> Metric {
        self.target = Some(Target::AtMost(bound));
        self
    }

    fn at_least(mut self, bound: f64) -> Metric {
        self.target = Some(Target::AtLeast(bound));
        self
    }

    fn met(&self) -> Option<bool> {
        self.target.map(|t| match t {
            Target::AtMost(bound) => self.value <= bound,
            Target::AtLeast(bound) => self.value >= bound,
        })
    }

    fn target_text(&self) -> Option<String> {
        self.target.map(|t| match t {
            Target::AtMost(bound) => format!("<= {}", num(bound)),
            Target::AtLeast(bound) => format!(">= {}", num(bound)),
        })
    }

    fn row(&self) -> Row<'_> {
        let value = if self.decimals == 0 {
            serde_json::json!(self.value.round() as i64)
        } else {
            let f = 10f64.powi(self.decimals as i32);
            serde_json::json!((self.value * f).round() / f)
        };
        Row {
            name: &self.name,
            value,
            unit: &self.unit,
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

/// The list figure's lines, their names ending in `suffix`.
fn list_metrics(list: &ListFigures, suffix: &str) -> Vec<Metric> {
    let (list_ms, imap_ms) = (&list.list_ms, &list.imap_ms);
    let list_p50 = pct(list_ms, 50.0);
    let imap_p50 = pct(imap_ms, 50.0);
    let name = |n: &str| format!("{n}{suffix}");
    vec![
        Metric::new(&name("list_first_page_p50_ms"), list_p50, "ms", 2),
        Metric::new(&name("list_first_page_p95_ms"), pct(list_ms, 95.0), "ms", 2).at_most(50.0),
        Metric::new(&name("direct_imap_first_page_p50_ms"), imap_p50, "ms", 2),
        Metric::new(
            &name("list_vs_direct_imap_ratio"),
            list_p50 / imap_p50,
            "x",
            2,
        )
        .at_most(3.0),
    ]
}

/// The folder figure's lines, their names ending in `suffix`.
fn folder_metrics(folders: &FolderFigures, suffix: &str) -> Vec<Metric> {
    vec![
        Metric::new(&format!("folder_list_rps{suffix}"), folders.rps, "req/s", 0).at_least(800.0),
        Metric::new(
            &format!("folder_list_errors{suffix}"),
            folders.errors as f64,
            "count",
            0,
        )
        .at_most(0.0),
    ]
}

/// The PostgreSQL pass's lines: the same figures and targets, renamed.
fn postgres_metrics(f: &PostgresFigures) -> Vec<Metric> {
    let mut all = list_metrics(&f.list, "_pg");
    all.extend(folder_metrics(&f.folders, "_pg"));
    all.extend(folder_metrics(&f.folders_2gw, "_2gw"));
    all
}

/// The list on 1k/10k/100k and the IMAP floor (issue 10's targets: the
/// 100k page at most 1.5× the 1k one, at most 5× a plain FETCH).
fn size_metrics(s: &SizeFigures) -> Vec<Metric> {
    let p50 = |suffix: &str| {
        s.lists
            .iter()
            .find(|l| l.0 == suffix)
            .map_or(f64::NAN, |l| pct(&l.2, 50.0))
    };
    let mut all: Vec<Metric> = s
        .lists
        .iter()
        .map(|(suffix, _, ms)| {
            Metric::new(&format!("list_p50_ms_{suffix}"), pct(ms, 50.0), "ms", 2)
        })
        .collect();
    let fetch = pct(&s.imap_fetch_ms, 50.0);
    all.extend([
        Metric::new("imap_fetch50_p50_ms", fetch, "ms", 2),
        Metric::new("list_100k_over_1k_ratio", p50("100k") / p50("1k"), "x", 2).at_most(1.5),
        Metric::new("list_vs_imap_fetch_ratio", p50("100k") / fetch, "x", 2).at_most(5.0),
    ]);
    all
}

/// The spam path figure's lines (no target yet).
fn spam_path_metrics(s: &SpamPathFigures) -> Vec<Metric> {
    vec![
        Metric::new(
            "spam_path_delivery_p50_ms",
            pct(&s.delivery_ms, 50.0),
            "ms",
            1,
        ),
        Metric::new(
            "spam_path_delivery_p95_ms",
            pct(&s.delivery_ms, 95.0),
            "ms",
            1,
        ),
        Metric::new("rspamd_rss_mib", s.rspamd_rss, "MiB", 1),
    ]
}

/// The live updates' lines (issue 15).
fn live_metrics(l: &LiveFigures) -> Vec<Metric> {
    vec![
        Metric::new(
            "live_delivery_to_list_p50_ms",
            pct(&l.delivery_ms, 50.0),
            "ms",
            1,
        )
        .at_most(1000.0),
        Metric::new(
            "live_delivery_to_list_p95_ms",
            pct(&l.delivery_ms, 95.0),
            "ms",
            1,
        ),
        Metric::new(
            "idle_stream_gateway_kb_per_tab",
            l.gateway_kb_per_tab,
            "KiB",
            1,
        ),
        Metric::new("idle_stream_edge_kb_per_tab", l.edge_kb_per_tab, "KiB", 1),
    ]
}

/// The Method section's line of the live updates.
fn live_method() -> String {
    format!(
        "- **live updates**: a new mailbox's event stream (`GET …/events` through the edge) open; mail from outside \
         (`Stack::smtp_deliver`, smtpd → rspamd → LMTP) timed from just before the SMTP transaction until the stream told the \
         Inbox's new state and the list page the webmail then asks for (page 1 of the Inbox) holds the message — the browser's \
         drawing of the row (a few ms) is not in it; the issue's `live_delivery_to_screen_p50_ms`, measured in a browser, is not \
         measured yet. {LIVE_WARMUP} warm-ups + {LIVE_RUNS} runs; `live_delivery_to_list_p50_ms` (≤ 1,000) and `_p95_ms`. \
         Then {LIVE_STREAMS} idle streams of that mailbox opened at once (one watcher: one IMAP connection), each past its \
         snapshot, 1 s of rest: the gateway's and the edge's VmRSS growth divided by {LIVE_STREAMS} \
         (`idle_stream_gateway_kb_per_tab`, `idle_stream_edge_kb_per_tab`; allocator noise is in it).\n"
    )
}

/// The logs figures' lines (R-LOG).
fn log_metrics(l: &LogFigures) -> Vec<Metric> {
    vec![
        Metric::new("log_ingest_lines_s", l.ingest_lines_s, "lines/s", 0),
        Metric::new("log_query_p50_ms", pct(&l.newest_ms, 50.0), "ms", 2).at_most(20.0),
        Metric::new("log_query_day_p50_ms", pct(&l.day_ms, 50.0), "ms", 2),
        Metric::new("log_query_search_p50_ms", pct(&l.search_ms, 50.0), "ms", 2),
    ]
}

/// The Method section's line of the logs figures.
fn log_method(l: &LogFigures) -> String {
    format!(
        "- **logs**: ingest — {LOG_INGEST_MESSAGES} received messages' Postfix lines ({LOG_INGEST_LINES_PER_MESSAGE} each: smtpd \
         `client=`, cleanup `message-id=`, qmgr `from=`, lmtp `to=… status=sent`) appended in whole-line writes to the stack's \
         `postfix.log`, the file the gateway follows (it looks every second), timed from the first write until the last entry is \
         in the database: {:.1} s, `log_ingest_lines_s`. Queries — {LOG_QUERY_ENTRIES} entries of one mailbox written straight \
         into `mail_log_entries` ({:.1} s; {} a day over {LOG_QUERY_DAYS} days, half sent, half received, 100 partners), then \
         `GET /api/mailboxes/{{mb}}/logs` through the edge, {LOG_QUERY_WARMUP} warm-ups + {LOG_QUERY_RUNS} runs each: the newest \
         page (`log_query_p50_ms`, target ≤ 20), one day's sent mail (`log_query_day_p50_ms`), a text search matching 1 in 100 \
         (`log_query_search_p50_ms`).\n",
        l.ingest_seconds,
        l.seed_seconds,
        LOG_QUERY_ENTRIES / LOG_QUERY_DAYS,
    )
}

/// The report's lines, in their order.
fn metrics(f: &Figures) -> Vec<Metric> {
    let (upload, send) = (&f.upload, &f.send);
    let mut all = list_metrics(&f.list, "");
    all.extend(size_metrics(&f.sizes));
    all.extend([
        Metric::new("open_1mib_html_p50_ms", pct(&f.open.view_ms, 50.0), "ms", 2).at_most(20.0),
        Metric::new(
            "open_1mib_html_body_cold_p50_ms",
            pct(&f.open.body_cold_ms, 50.0),
            "ms",
            2,
        ),
        Metric::new(
            "open_1mib_html_body_p50_ms",
            pct(&f.open.body_ms, 50.0),
            "ms",
            2,
        )
        .at_most(20.0),
    ]);
    all.extend(folder_metrics(&f.folders, ""));
    all.extend([
        Metric::new(
            "frontend_raw_bytes",
            f.frontend.raw_total as f64,
            "bytes",
            0,
        ),
        Metric::new(
            "frontend_brotli_bytes",
            f.frontend.brotli_total as f64,
            "bytes",
            0,
        )
        .at_most(256_000.0),
        Metric::new(
            "portal_extra_brotli_bytes",
            f.frontend.portal_brotli_total as f64,
            "bytes",
            0,
        ),
        Metric::new("gateway_rss_mb", f.rss.gateway, "MiB", 1).at_most(100.0),
        Metric::new("seed_10k_seconds", f.seed_seconds, "s", 1),
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
    ]);
    all.extend(spam_path_metrics(&f.spam_path));
    all.extend(live_metrics(&f.live));
    all.extend(log_metrics(&f.logs));
    all.extend([
        Metric::new("csv_create_500_s", f.csv.total_s(), "s", 2).at_most(10.0),
        Metric::new("dpa_pdf_ms", pct(&f.dpa_ms, 50.0), "ms", 0).at_most(500.0),
    ]);
    all
}

/// The Method section's line of the spam path figure.
fn spam_path_method(s: &SpamPathFigures) -> String {
    format!(
        "- **spam path**: mail from outside (`Stack::smtp_deliver`: curl to Postfix's smtpd, no AUTH, as a server on the internet) \
         carrying rspamd's \"add header\" GTUBE string, to a new mailbox of the organisation (spam filter on by default); timed from \
         just before the SMTP transaction until the message (its unique Subject) is visible in `{SPAM_FOLDER}` over IMAP: one master \
         session with `{SPAM_FOLDER}` examined, `NOOP` + `UID SEARCH HEADER Subject …` every {} ms (timeout {} s): smtpd + the gateway's \
         milter + rspamd's scan + LMTP + the generated Sieve's `fileinto`. {SPAM_PATH_WARMUP} warm-ups + {SPAM_PATH_RUNS} runs; \
         `spam_path_delivery_p50_ms` / `_p95_ms`, no target yet. `rspamd_rss_mib`: VmRSS of rspamd's main process and every process \
         descending from it ({} processes; parents from `/proc/*/stat`), summed after these deliveries — pages the forked workers \
         share are counted once per process, so this overstates what they use together.\n",
        SPAM_PATH_POLL_EVERY.as_millis(),
        SPAM_PATH_TIMEOUT.as_secs(),
        s.rspamd_processes,
    )
}

/// `PostgreSQL <version>` of the newest server in `/usr/lib/postgresql`.
fn postgres_version() -> String {
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
                .max()
        });
    newest
        .and_then(|v| {
            Command::new(format!("/usr/lib/postgresql/{v}/bin/postgres"))
                .arg("--version")
                .output()
                .ok()
        })
        // "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        .and_then(|o| {
            let text = String::from_utf8_lossy(&o.stdout).into_owned();
            text.split_whitespace()
                .nth(2)
                .map(|v| format!("PostgreSQL {v}"))
        })
        .unwrap_or_else(|| "PostgreSQL".into())
}

/// Writes the PostgreSQL pass's `postgres.json` and prints its lines.
pub fn write_postgres(out: &Path, f: &PostgresFigures) -> Result<()> {
    let metrics = postgres_metrics(f);
    let method = format!(
        "- **PostgreSQL** (`*_pg`, `*_2gw`): the list, direct IMAP and folder figures again, measured the same way on a second stack \
         (`target/postern/bench-pg`, wiped first) whose database is the run's own {} server (loopback, password auth, PostgreSQL's \
         default durability: fsync and synchronous_commit on, where SQLite runs in WAL mode with synchronous=NORMAL); Dovecot's \
         passdb/userdb and Postfix's lookups read it too. Two release gateways share the database and the blob directory; `{}` is an \
         edge in front of the first gateway alone, `{}` an edge in front of both (it spreads requests over them). The pass provisions \
         its own organisation, account and mailbox and seeds the same {BULK_COUNT} messages ({:.1} s). `*_pg`: through the one-gateway \
         edge (list p95 {:.2} ms, direct IMAP p95 {:.2} ms; folders {} OK, per-request p50 {:.2} ms). `folder_list_rps_2gw`, \
         `folder_list_errors_2gw`: the folder figure through the two-gateway edge ({} OK, per-request p50 {:.2} ms). \
         That stack runs before this one and is stopped first; on a machine this small the two gateways share its few cores with \
         everything else.\n",
        postgres_version(),
        f.edge_url,
        f.edge_2gw_url,
        f.seed_seconds,
        pct(&f.list.list_ms, 95.0),
        pct(&f.list.imap_ms, 95.0),
        f.folders.ok,
        f.folders.p50,
        f.folders_2gw.ok,
        f.folders_2gw.p50,
    );
    std::fs::create_dir_all(out)?;
    let file = out.join("postgres.json");
    let pass = PostgresPass { metrics, method };
    std::fs::write(&file, serde_json::to_string_pretty(&pass)? + "\n")?;
    println!("\n{}", table(&pass.metrics));
    println!(
        "PostgreSQL figures: {} (the report adds them)",
        file.display()
    );
    Ok(())
}

/// The PostgreSQL pass's lines and paragraph, when it ran.
pub fn read_postgres(out: &Path) -> Result<Option<PostgresPass>> {
    let file = out.join("postgres.json");
    match std::fs::read_to_string(&file) {
        Ok(text) => Ok(Some(
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", file.display()).into()),
    }
}

/// The Markdown table of `metrics`.
fn table(metrics: &[Metric]) -> String {
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
    table
}

/// `/proc/loadavg`'s three load averages.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Writes `report.json` and `report.md` into `out` and prints the table;
/// the PostgreSQL pass's lines come last.
pub fn write(
    out: &Path,
    f: &Figures,
    run: &RunFacts,
    postgres: Option<&PostgresPass>,
) -> Result<()> {
    let mut metrics = metrics(f);
    if let Some(pg) = postgres {
        metrics.extend(pg.metrics.iter().cloned());
    }
    std::fs::create_dir_all(out)?;
    let rows: Vec<Row<'_>> = metrics.iter().map(Metric::row).collect();
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&rows)? + "\n",
    )?;
    let table = table(&metrics);

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
         - build profile: gateway `--release` (opt-level 3, thin LTO); edge `wasm32-wasip2 --release` under `wasmtime serve`; frontend `trunk build --release` of each app (profile `wasm-release`); this bench binary `--release`\n\
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
         (fetch + MIME parse + view) and `GET …/messages/{{uid}}/body.html?folder=INBOX` ({} bytes out): \
         `open_1mib_html_body_cold_p50_ms` is the first open of each of {OPEN_COLD_RUNS} copies (the gateway fetches, parses, sanitises and keeps it), \
         `open_1mib_html_body_p50_ms` the next opens of one (the kept body); {OPEN_WARMUP} warm-ups + {OPEN_RUNS} runs each; p50.\n\
         - **list cost by folder size**: the first page of `Bench 1k`, `{BULK_FOLDER}` and `Bench 100k` (seeded like the 10k one, {:.0} s), \
         {LIST_WARMUP} warm-up rounds then {LIST_RUNS} rounds of one request to each, interleaved (`list_p50_ms_1k|10k|100k`); \
         `imap_fetch50_p50_ms`: `UID FETCH <those 50 of the 100k folder> (UID FLAGS ENVELOPE RFC822.SIZE)` on a selected persistent \
         master session — the floor any IMAP webmail pays. `list_100k_over_1k_ratio` and `list_vs_imap_fetch_ratio` (100k) come from the same run.\n\
         - **folders**: {RPS_CLIENTS} concurrent clients, each its own signed-in session, loop on `GET /api/mailboxes/{{mb}}/folders` \
         for {} s after {RPS_WARMUP_PER_CLIENT} warm-ups each; rps = 200 answers / wall time (requests in flight at the deadline included); \
         any non-200 or transport error counts in `folder_list_errors` ({} OK, per-request p50 {:.2} ms). \
         The bench client shares the CPUs with the stack.\n\
         - **frontend**: every `.wasm`, `.js`, `.css` of `dist/`, raw and `brotli -c -q 11` (files below), per app: \
         `frontend_raw_bytes` / `frontend_brotli_bytes` are the webmail's (what loads on `/mail/…`: all but the portal's own files, `boot.js` and `sw.js` included), \
         `portal_extra_brotli_bytes` the portal's own files (named by `portal.html`, not by `index.html`: what `/transfer` downloads on top).\n\
         - **memory**: VmRSS from `/proc/<pid>/status` after the figures above (before the upload and send below); the gateway's is `gateway_rss_mb` (MiB), \
         the edge's (`wasmtime serve`, no target) was {:.1} MiB.\n\
         - **upload**: one {} MiB upload (`POST /api/uploads`, then {} `PATCH /api/uploads/{{id}}?offset=N` of {} MiB each, generated by the bench, \
         sequential) through edge → gateway → blob directory; `transfer_upload_mib_s` = MiB / time from the first PATCH to the last answer ({:.1} s). \
         VmRSS of the gateway and of the edge (`wasmtime serve`) sampled every {} ms during the upload; the growth figures are the peak minus the \
         idle value just before (idle: gateway {:.1} MiB, edge {:.1} MiB). Neither process may buffer the file.\n\
         - **send**: a {} MiB file uploaded (one PATCH; p50 {:.0} ms, not counted), then `POST /api/mailboxes/{{mb}}/send` with `undo_seconds` 0 \
         to another mailbox of the organisation; timed from the request until an IMAP `STATUS INBOX (MESSAGES)` poll (every {} ms, \
         master session) sees it: build + SMTP submission + Postfix + LMTP delivery. {SEND_WARMUP} warm-up + {SEND_RUNS} runs; p50 (p95 {:.0} ms).\n\
         {}\
         {}\
         {}\
         - **CSV import**: a file of {} addresses (every column used: mailboxes, one in ten shared with the owner, redirects, no-replies) \
         in an organisation of its own, `POST /api/orgs/{{org}}/addresses/import/preview` then `POST …/addresses/import`, once each, \
         sequential; `csv_create_500_s` is the two together (preview {:.2} s, import {:.2} s, which creates every row in one transaction).\n\
         {}\n\
         ## Frontend files\n\n\
         | file | app | raw bytes | brotli -q 11 bytes |\n|---|---|---:|---:|\n",
        rfc2822_date(now),
        run.load,
        run.total_seconds,
        enc(BULK_FOLDER),
        f.list.page_size,
        f.list.page_size,
        pct(&f.list.imap_ms, 95.0),
        f.open.message_bytes,
        f.open.body_html_bytes,
        f.sizes.seed_seconds,
        RPS_DURATION.as_secs(),
        f.folders.ok,
        f.folders.p50,
        f.rss.edge,
        UPLOAD_BYTES / MIB,
        UPLOAD_BYTES / UPLOAD_CHUNK,
        UPLOAD_CHUNK / MIB,
        f.upload.seconds,
        RSS_SAMPLE_EVERY.as_millis(),
        f.upload.gateway_idle,
        f.upload.edge_idle,
        SEND_ATTACHMENT / MIB,
        pct(&f.send.upload_ms, 50.0),
        SEND_POLL_EVERY.as_millis(),
        pct(&f.send.send_ms, 95.0),
        spam_path_method(&f.spam_path),
        live_method(),
        log_method(&f.logs),
        f.csv.rows,
        f.csv.preview_s,
        f.csv.create_s,
        postgres.map_or(
            "- **PostgreSQL**: not measured in this run (`--no-postgres`).\n",
            |pg| pg.method.as_str()
        ),
    );
    for file in &f.frontend.files {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} |",
            file.name,
            file.app.name(),
            file.raw,
            file.brotli
        );
    }
    for app in [App::Webmail, App::Portal] {
        let of_app = || f.frontend.files.iter().filter(move |x| x.app == app);
        let _ = writeln!(
            md,
            "| **{} total** | | **{}** | **{}** |",
            app.name(),
            of_app().map(|x| x.raw).sum::<u64>(),
            of_app().map(|x| x.brotli).sum::<u64>()
        );
    }
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
    fn postgresql_lines_are_the_same_figures_renamed() {
        let list = ListFigures {
            page_size: 50,
            list_ms: vec![4.0, 6.0],
            imap_ms: vec![2.0, 2.0],
        };
        let folders = |rps| FolderFigures {
            rps,
            ok: 10,
            errors: 0,
            p50: 1.0,
        };
        let pg = PostgresFigures {
            seed_seconds: 1.0,
            list,
            folders: folders(900.0),
            folders_2gw: folders(700.0),
            edge_url: "http://e1".into(),
            edge_2gw_url: "http://e2".into(),
        };
        let m = postgres_metrics(&pg);
        let names: Vec<&str> = m.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "list_first_page_p50_ms_pg",
                "list_first_page_p95_ms_pg",
                "direct_imap_first_page_p50_ms_pg",
                "list_vs_direct_imap_ratio_pg",
                "folder_list_rps_pg",
                "folder_list_errors_pg",
                "folder_list_rps_2gw",
                "folder_list_errors_2gw",
            ]
        );
        assert_eq!(m[3].value, 2.0);
        assert_eq!(m[6].met(), Some(false));
        assert_eq!(m[4].target_text().as_deref(), Some(">= 800"));
        // Through postgres.json and back, unchanged.
        let pass = PostgresPass {
            metrics: m.clone(),
            method: "x".into(),
        };
        let back: PostgresPass =
            serde_json::from_str(&serde_json::to_string(&pass).unwrap()).unwrap();
        assert_eq!(
            serde_json::to_string(&back.metrics[6].row()).unwrap(),
            r#"{"name":"folder_list_rps_2gw","value":700,"unit":"req/s","target":">= 800","met":false}"#
        );
    }

    #[test]
    fn the_spam_path_lines_have_no_target() {
        let s = SpamPathFigures {
            delivery_ms: (1..=20).map(f64::from).collect(),
            rspamd_rss: 123.456,
            rspamd_processes: 5,
        };
        let rows: Vec<String> = spam_path_metrics(&s)
            .iter()
            .map(|m| serde_json::to_string(&m.row()).unwrap())
            .collect();
        assert_eq!(
            rows,
            [
                r#"{"name":"spam_path_delivery_p50_ms","value":10.0,"unit":"ms","target":null,"met":null}"#,
                r#"{"name":"spam_path_delivery_p95_ms","value":19.0,"unit":"ms","target":null,"met":null}"#,
                r#"{"name":"rspamd_rss_mib","value":123.5,"unit":"MiB","target":null,"met":null}"#,
            ]
        );
        assert!(spam_path_method(&s).contains("(5 processes;"));
    }

    #[test]
    fn metric_rows_round_to_their_decimals() {
        let metric = Metric::new("x", 12.345, "ms", 2).at_most(20.0);
        assert_eq!(
            serde_json::to_string(&metric.row()).unwrap(),
            r#"{"name":"x","value":12.35,"unit":"ms","target":"<= 20","met":true}"#
        );
    }
}
