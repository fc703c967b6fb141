//! `postern-bench`: Postern's benchmarks against a running stack. Run it
//! through `cargo xtask bench`, which starts a dedicated stack with a
//! release gateway and sets the `POSTERN_TEST_*` variables of the harness
//! plus:
//!
//! - `POSTERN_BENCH_GATEWAY_PID`, `POSTERN_BENCH_EDGE_PID`: for VmRSS;
//! - `POSTERN_BENCH_RSPAMD_PID`: rspamd's main process, for the VmRSS of
//!   it and the workers it forks;
//! - `POSTERN_BENCH_DIST`: the built frontend (`dist/`);
//! - `POSTERN_BENCH_OUT`: where `report.json` and `report.md` go;
//! - `POSTERN_BENCH_EDGE_2GW_URL` (PostgreSQL stack only): an edge in front
//!   of both gateways.
//!
//! Two passes, one per stack (`POSTERN_TEST_BACKEND`): on `postgres`, the
//! list and folder-list figures (through the edge of the first gateway,
//! then the folder list through the two-gateway edge) go into
//! `<out>/postgres.json`; on `sqlite`, every figure, and the report, with
//! the figures of `postgres.json` added when it is there (`cargo xtask
//! bench` runs the PostgreSQL pass first and deletes a stale file).
//!
//! Every figure is reported whether its target is met or not; warm-up
//! requests are excluded. Exit 0 after a complete run (a missed target is a
//! measurement, not a failure); non-zero only when the bench cannot run.
//!
//! One module per figure (`list`, `sizes`, `open`, `folders`, `frontend`, `memory`,
//! `upload`, `send`, `spam_path`, `logs`, `import`, `dpa`, after `seed`); `plan` holds the
//! sizes and counts, `measure` the timing helpers, `newsletter` the big
//! message, `report` the two files.

mod dpa;
mod folders;
mod frontend;
mod import;
mod list;
mod live;
mod logs;
mod measure;
mod memory;
mod newsletter;
mod open;
mod plan;
mod report;
mod seed;
mod send;
mod sizes;
mod spam_path;
mod upload;

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use postern_tests::Stack;
use postern_tests::fixtures::Fixture;

use report::{Figures, RunFacts};

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

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

async fn run() -> Result<()> {
    let started = Instant::now();
    let load_before = report::loadavg();
    let gateway_pid: u32 = env("POSTERN_BENCH_GATEWAY_PID")?.parse()?;
    let edge_pid: u32 = env("POSTERN_BENCH_EDGE_PID")?.parse()?;
    let rspamd_pid: u32 = env("POSTERN_BENCH_RSPAMD_PID")?.parse()?;
    let dist = PathBuf::from(env("POSTERN_BENCH_DIST")?);
    let out = PathBuf::from(env("POSTERN_BENCH_OUT")?);
    // Fails early and clearly when a POSTERN_TEST_* variable is missing.
    env("POSTERN_TEST_EDGE_URL")?;
    let stack = Stack::get();
    if std::env::var("POSTERN_TEST_BACKEND").as_deref() == Ok("postgres") {
        return postgres_pass(stack, gateway_pid, &out).await;
    }

    println!("→ provisioning an organisation, account and mailbox");
    let mut fx = Fixture::new().await;
    println!("  mailbox {} (id {})", fx.address, fx.mailbox);

    // In this order: the resting VmRSS is read after the read-only figures
    // and before the upload and the send (the report says so).
    let seed_seconds = seed::seed_bulk(stack, gateway_pid, &fx.address)?;
    let list = list::measure(&fx, stack).await?;
    let sizes = sizes::measure(&fx, stack, gateway_pid).await?;
    let open = open::measure(&mut fx).await?;
    let folders = folders::measure(&fx, &stack.edge_url).await?;
    let frontend = frontend::measure(&dist)?;
    let rss = memory::measure(gateway_pid, edge_pid)?;
    let upload = upload::measure(&fx.api, gateway_pid, edge_pid).await?;
    let send = send::measure(&fx, stack).await?;
    let spam_path = spam_path::measure(&fx, stack, rspamd_pid).await?;
    let live = live::measure(&fx, stack, gateway_pid, edge_pid).await?;
    let logs = logs::measure(stack).await?;
    let csv = import::measure().await?;
    let dpa_ms = dpa::measure().await?;

    let figures = Figures {
        seed_seconds,
        list,
        sizes,
        open,
        folders,
        frontend,
        rss,
        upload,
        send,
        spam_path,
        live,
        logs,
        csv,
        dpa_ms,
    };
    let run = RunFacts {
        total_seconds: started.elapsed().as_secs_f64(),
        load: format!(
            "{load_before} at the start, {} at the end",
            report::loadavg()
        ),
    };
    let postgres = report::read_postgres(&out)?;
    report::write(&out, &figures, &run, postgres.as_ref())
}

/// The PostgreSQL stack's pass: a mailbox of its own with the same 10k
/// folder, the list figures and the folder list through the first
/// gateway's edge, then the folder list through the edge of both.
async fn postgres_pass(stack: &Stack, gateway_pid: u32, out: &std::path::Path) -> Result<()> {
    let edge_2gw = env("POSTERN_BENCH_EDGE_2GW_URL")?;
    println!("→ PostgreSQL pass: provisioning an organisation, account and mailbox");
    let fx = Fixture::new().await;
    println!("  mailbox {} (id {})", fx.address, fx.mailbox);
    let seed_seconds = seed::seed_bulk(stack, gateway_pid, &fx.address)?;
    let list = list::measure(&fx, stack).await?;
    println!("→ folders, one gateway");
    let folders = folders::measure(&fx, &stack.edge_url).await?;
    println!("→ folders, two gateways");
    let folders_2gw = folders::measure(&fx, &edge_2gw).await?;
    let pass = report::PostgresFigures {
        seed_seconds,
        list,
        folders,
        folders_2gw,
        edge_url: stack.edge_url.clone(),
        edge_2gw_url: edge_2gw,
    };
    report::write_postgres(out, &pass)
}
