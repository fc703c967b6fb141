//! `cargo xtask bench`: measurements against the real stack, with the
//! gateway built in release. Not part of `cargo xtask test`.
//!
//! install → build (gateway `--release`, edge and frontend release as
//! always) → `postern-bench` (`cargo run --release -p postern-tests --bin
//! postern-bench`, with the `POSTERN_TEST_*` variables of the harness plus
//! `POSTERN_BENCH_*`) twice, each against a dedicated stack (wiped first,
//! its own ports, so `up` and `test` may run at the same time), one after
//! the other:
//!
//! 1. `target/postern/bench-pg`: the run's PostgreSQL with two release
//!    gateways on it, `edge` in front of the first alone and `edge2` in
//!    front of both; the list and folder-list figures (`*_pg`, one gateway)
//!    and the folder-list throughput through both (`folder_list_rps_2gw`),
//!    into `target/bench/postgres.json` (skipped with `--no-postgres`);
//! 2. `target/postern/bench`: SQLite, one gateway; every figure, and the
//!    report with the PostgreSQL figures of step 1 added.
//!
//! Everything stops after each step (Drop guards, also on failure or
//! Ctrl-C). The bench binary writes `target/bench/report.json` and
//! `target/bench/report.md` and prints the table; missed targets are
//! figures, not failures (exit 0), only a bench that could not run fails.

use crate::build::{self, Profile};
use crate::ports::{RunKind, local};
use crate::up::{Backend, RunningStack, StackOptions};
use crate::util::{self, repo_root, tail};
use crate::{Options, install};
use anyhow::{Context, Result};
use std::time::Instant;

pub fn run(opts: &Options) -> Result<()> {
    let start = Instant::now();
    if !opts.skip_install {
        install::run()?;
    }
    build::all(Profile::Release)?;
    // Build the bench binary before the stack starts (the `cargo run` below
    // is then a no-op build), so compiling never overlaps the stack.
    println!("== build: postern-bench (release)");
    util::exec(util::cargo().args(bench_cargo_args("build")))?;

    let out = repo_root().join("target/bench");
    // Never a stale file from an earlier run in this run's report.
    let _ = std::fs::remove_file(out.join("postgres.json"));
    if opts.no_postgres {
        println!("\n- the PostgreSQL figures are skipped (--no-postgres)");
    } else {
        bench_on(
            RunKind::BenchPg,
            "on PostgreSQL: list and folder figures, one gateway then two",
        )?;
    }
    bench_on(RunKind::Bench, "on SQLite: every figure, and the report")?;
    println!(
        "✓ bench done ({:.0}s): {}",
        start.elapsed().as_secs_f32(),
        out.join("report.md").display()
    );
    Ok(())
}

/// Starts `kind`'s stack, runs the bench binary against it, stops it.
fn bench_on(kind: RunKind, what: &str) -> Result<()> {
    let backend = match kind {
        RunKind::BenchPg => Backend::Postgres(None),
        _ => Backend::Sqlite,
    };
    let mut stack = RunningStack::start(
        kind,
        StackOptions {
            wipe: true,
            seed_demo: false,
            profile: Profile::Release,
            backend,
        },
    )?;
    println!("\n== bench {what}");
    let env = bench_env(&stack)?;
    let result = util::exec(util::cargo().args(bench_cargo_args("run")).envs(env));
    if result.is_err() {
        // The bench's own output is above; the services' logs say the rest.
        for name in ["gateway", "gateway2", "edge", "edge2"] {
            if stack.services.pid(name).is_some() {
                println!("{}", tail(&stack.layout.log(name), 15));
            }
        }
    }
    println!("\n== stopping the bench stack ({})", kind.name());
    stack.stop();
    result
}

fn bench_cargo_args(verb: &str) -> [&str; 6] {
    [
        verb,
        "--release",
        "-p",
        "postern-tests",
        "--bin",
        "postern-bench",
    ]
}

/// The harness's `POSTERN_TEST_*` contract (exactly as `cargo xtask test`
/// sets it) plus the bench's own variables.
fn bench_env(stack: &RunningStack) -> Result<Vec<(&'static str, String)>> {
    let path = |p: &std::path::Path| p.display().to_string();
    let pid = |name: &str| {
        stack
            .services
            .pid(name)
            .with_context(|| format!("the {name} is not running"))
    };
    let root = repo_root();
    let mut env = crate::test::stack_env(&stack.layout, stack.ports, &stack.secrets);
    env.extend([
        ("POSTERN_BENCH_GATEWAY_PID", pid("gateway")?.to_string()),
        ("POSTERN_BENCH_EDGE_PID", pid("edge")?.to_string()),
        (
            "POSTERN_BENCH_RSPAMD_PID",
            stack
                .mail
                .rspamd_pid()
                .context("rspamd is not running")?
                .to_string(),
        ),
        ("POSTERN_BENCH_DIST", path(&root.join("dist"))),
        ("POSTERN_BENCH_OUT", path(&root.join("target/bench"))),
    ]);
    if let Some(edge2) = stack.ports.edge2 {
        // The edge in front of both gateways (folder_list_rps_2gw).
        env.push((
            "POSTERN_BENCH_EDGE_2GW_URL",
            format!("http://{}", local(edge2)),
        ));
    }
    Ok(env)
}
