//! `cargo xtask <verb>`: Postern's project automation, in Rust (the
//! `cargo xtask` pattern), so there is no pile of shell scripts with copied
//! flags. Every verb installs what it needs first (skipping what is present).
//!
//! | verb | what it does |
//! |---|---|
//! | `up` | install → build → mail stack → migrate + demo data → gateway + edge; waits for Ctrl-C (`--postgres`: on the run's PostgreSQL) |
//! | `test` | fmt, clippy, unit tests (also on PostgreSQL), wasm component tests, build, real-stack integration tests, browser e2e, API fuzz, integration on PostgreSQL with 2 gateways |
//! | `bench` | benchmarks against the real stack (SQLite; the list and folder figures on PostgreSQL too) |
//! | `fuzz` | each cargo-fuzz target of `fuzz/` for a bounded time (not part of `test`) |
//! | `install` | only the prerequisites |
//! | `build [frontend]` | only the build (gateway, edge component, frontend; `frontend`: only the two browser apps) |
//! | `mail [<run>]` | only the mail stack (Dovecot, Postfix, sink) of that run dir; waits for Ctrl-C |
//! | `stop [<run>]` | stops whatever a crashed run of that run dir left behind (PostgreSQL included) |

mod api_fuzz;
mod bench;
mod build;
mod database;
mod fuzz;
mod install;
mod locales;
mod mailstack;
mod ports;
mod postgres;
mod rspamd;
mod secrets;
mod services;
mod test;
mod tidy;
mod up;
mod util;

use anyhow::{Result, bail};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <verb> [options]

verbs:
  up                 run Postern locally with a demo organisation (http://127.0.0.1:8080)
  test               run every test (lint, unit, wasm, integration on the real stack, browser e2e,
                     API fuzz, then unit and integration tests on PostgreSQL with two gateways)
  bench              run the benchmarks
  fuzz               run each cargo-fuzz target of fuzz/ for a bounded time (--seconds=N, default 60)
  install            install the prerequisites only
  build [frontend]   build the gateway, the edge component and the frontend (`frontend`: only
                     the browser apps, webmail and portal, into dist/)
  mail [RUN]         start only the mail stack of that run directory (Ctrl-C stops it)
  stop [RUN]         stop what a crashed run left running in that run directory
                     RUN: up (default), test, test-pg, bench, bench-pg (target/postern/RUN)

options:
  --skip-install     (up, test, bench) do not check or install prerequisites
  --postgres         (up, mail) run on the run directory's own PostgreSQL server instead of
                     SQLite (<run>/pg, port 10432 for up)
  --no-postgres      (test, bench) skip everything on PostgreSQL
  --stack-only       (test) skip fmt, clippy, unit and wasm tests: build, start the stack,
                     run the integration and browser tests
  --no-migrate       (mail) the database must already exist; do not run `postern-gateway migrate`
  --test=NAME        (test) run only this integration test file (tests/tests/NAME.rs) of
                     postern-tests; repeatable
  --no-e2e           (test) skip the browser e2e tests
  --e2e=NAME         (test) run only this browser spec (tests/e2e/NAME.spec.ts); repeatable
  --seconds=N        (fuzz) seconds per fuzz target (default 60)
  --no-fuzz          (test) skip the API fuzz (schemathesis)
";

/// Parsed command line options shared by the verbs.
#[derive(Debug, Default, Clone)]
pub struct Options {
    pub skip_install: bool,
    pub no_migrate: bool,
    pub stack_only: bool,
    /// `--test=NAME`: only these files of `tests/tests/` (empty: all).
    pub test_files: Vec<String>,
    pub no_e2e: bool,
    /// `--e2e=NAME`: only these specs of `tests/e2e/` (empty: all).
    pub e2e_specs: Vec<String>,
    pub no_fuzz: bool,
    /// `--seconds=N` (fuzz): time per target.
    pub fuzz_seconds: Option<u64>,
    /// `--postgres` (up, mail): the run's PostgreSQL instead of SQLite.
    pub postgres: bool,
    /// `--no-postgres` (test, bench): skip the PostgreSQL stages.
    pub no_postgres: bool,
}

fn main() -> ExitCode {
    util::install_interrupt_handler();
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("\nxtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let verb = args.next().unwrap_or_default();
    let mut opts = Options::default();
    let mut positional = Vec::new();
    for arg in args {
        match arg.as_str() {
            "--skip-install" => opts.skip_install = true,
            "--no-migrate" => opts.no_migrate = true,
            "--stack-only" => opts.stack_only = true,
            "--no-e2e" => opts.no_e2e = true,
            "--no-fuzz" => opts.no_fuzz = true,
            a if a.starts_with("--seconds=") => {
                opts.fuzz_seconds = Some(a["--seconds=".len()..].parse().map_err(|_| {
                    anyhow::anyhow!("--seconds= needs a whole number, e.g. --seconds=120")
                })?);
            }
            "--postgres" => opts.postgres = true,
            "--no-postgres" => opts.no_postgres = true,
            a if a.starts_with("--test=") => {
                let name = &a["--test=".len()..];
                if name.is_empty() {
                    bail!("--test= needs a file name, e.g. --test=send\n\n{USAGE}");
                }
                opts.test_files.push(name.to_string());
            }
            a if a.starts_with("--e2e=") => {
                let name = &a["--e2e=".len()..];
                if name.is_empty() {
                    bail!("--e2e= needs a spec name, e.g. --e2e=compose\n\n{USAGE}");
                }
                opts.e2e_specs.push(name.to_string());
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            a if a.starts_with('-') => bail!("unknown option `{a}`\n\n{USAGE}"),
            _ => positional.push(arg),
        }
    }
    let run_kind = || -> Result<ports::RunKind> {
        match positional.first().map(String::as_str) {
            None => Ok(ports::RunKind::Up),
            Some(name) => match ports::RunKind::from_name(name) {
                Some(kind) => Ok(kind),
                None => bail!(
                    "unknown run directory `{name}` (expected one of: {})",
                    ports::RunKind::ALL.map(|k| k.name()).join(", ")
                ),
            },
        }
    };
    match verb.as_str() {
        "up" => up::run(&opts).map(|()| ExitCode::SUCCESS),
        "test" => test::run(&opts),
        "bench" => bench::run(&opts).map(|()| ExitCode::SUCCESS),
        "install" => install::run().map(|()| ExitCode::SUCCESS),
        "fuzz" => fuzz::run(opts.fuzz_seconds, opts.skip_install).map(|()| ExitCode::SUCCESS),
        "build" => match positional.first().map(String::as_str) {
            None => build::run(),
            Some("frontend") => build::frontend(),
            Some(other) => bail!("unknown build target `{other}` (expected `frontend`)"),
        }
        .map(|()| ExitCode::SUCCESS),
        "mail" => up::mail_only(run_kind()?, &opts).map(|()| ExitCode::SUCCESS),
        "stop" => {
            let kind = run_kind()?;
            mailstack::stop_stale(&kind.run_dir())?;
            println!(
                "✓ nothing of {} is running any more",
                kind.run_dir().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        "" | "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => bail!("unknown verb `{other}`\n\n{USAGE}"),
    }
}
