//! `cargo xtask test`: every test, in order, failing fast, with a summary.
//!
//! 1. `cargo fmt --check`
//! 2. clippy `-D warnings`
//! 3. unit tests
//! 4. the gateway's unit tests again on PostgreSQL (the run's one server,
//!    `target/postern/test-pg/pg`: a fresh database per test)
//! 5. wasm component tests (headless Chromium)
//! 6. build
//! 7. start the test stack (`target/postern/test`, wiped, test ports, SQLite)
//! 8. integration tests (`postern-tests`: every file of `tests/tests/` but
//!    those that need two gateways) against it
//! 9. browser e2e (Playwright)
//! 10. API fuzz (schemathesis, `api_fuzz.rs`) against the same stack
//! 11. the SQLite stack stops; a second stack (`target/postern/test-pg`,
//!     its own ports) on that PostgreSQL with two gateways behind the
//!     edge, and the integration files of [`PG_TEST_FILES`] against it
//!
//! The integration and e2e tests find the stack through `POSTERN_TEST_*`
//! variables (see [`stack_env`] and `tests/src/lib.rs`).

use crate::build::{self, Profile, path_with_node_tools};
use crate::mailstack::Layout;
use crate::ports::{Ports, RunKind, local};
use crate::postgres::Postgres;
use crate::secrets::{MASTER_USER, Secrets};
use crate::up::{self, Backend, RunningStack, StackOptions, stack_gateways};
use crate::util::{self, repo_root};
use crate::{Options, install};
use anyhow::{Context, Result};
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Integration files that need two gateways on one database: only the
/// PostgreSQL stage runs them.
const TWO_GATEWAY_FILES: [&str; 1] = ["multi_gateway"];

/// The integration files the PostgreSQL stage runs (those present): the
/// ones that write most to the database (sign-up and acceptance are
/// transactions of several tables; device passwords, whose passdb query
/// Dovecot runs on the database), and the two-gateway ones. Kept
/// short: the stage adds little to the run.
const PG_TEST_FILES: [&str; 10] = [
    "auth",
    "access",
    "send",
    "transfers",
    "invitations",
    // Dovecot's passdb query (scope, expiry) and the login rows run on
    // the database: PostgreSQL's CASE and ON CONFLICT too.
    "devices",
    "device_setup",
    // The log follower's transaction (cursor compare-and-set, upserts) and
    // the Logs search (LIKE, keyset pages) on PostgreSQL.
    "logs",
    // Templates: RETURNING id of an identity column, applied to many
    // mailboxes in one transaction.
    "templates",
    "multi_gateway",
];

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed(String),
    Skipped(String),
}

struct Stage {
    name: &'static str,
    outcome: Outcome,
    seconds: f32,
    /// Free space on the build's disk after the stage: a run that fills
    /// the disk fails in a linker with a confusing message, and the
    /// summary then says where the space went.
    free_gib: Option<f64>,
}

#[derive(Default)]
struct Report {
    stages: Vec<Stage>,
}

impl Report {
    /// Runs one stage; returns whether the run may go on.
    fn stage(&mut self, name: &'static str, f: impl FnOnce() -> Result<Outcome>) -> bool {
        println!("\n== test stage: {name}");
        let start = Instant::now();
        let outcome = match f() {
            Ok(o) => o,
            Err(e) => Outcome::Failed(format!("{e:#}")),
        };
        let go_on = !matches!(outcome, Outcome::Failed(_)) && !util::interrupted();
        match &outcome {
            Outcome::Passed => println!("✓ {name}"),
            Outcome::Skipped(why) => println!("- {name} skipped: {why}"),
            Outcome::Failed(why) => println!("✗ {name} failed: {why}"),
        }
        self.stages.push(Stage {
            name,
            outcome,
            seconds: start.elapsed().as_secs_f32(),
            free_gib: util::free_gib(&repo_root().join("target")),
        });
        go_on
    }

    fn print(&self, not_run: &[&str]) -> ExitCode {
        println!("\n== summary");
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        for s in &self.stages {
            let mark = match &s.outcome {
                Outcome::Passed => {
                    passed += 1;
                    "✓ passed ".to_string()
                }
                Outcome::Failed(_) => {
                    failed += 1;
                    "✗ FAILED ".to_string()
                }
                Outcome::Skipped(why) => {
                    skipped += 1;
                    format!("- skipped ({why}) ")
                }
            };
            match s.free_gib {
                Some(free) => println!(
                    "  {mark}{} ({:.0}s, {free:.1} GiB free after)",
                    s.name, s.seconds
                ),
                None => println!("  {mark}{} ({:.0}s)", s.name, s.seconds),
            }
        }
        for name in not_run {
            println!("  · not run  {name}");
        }
        let first_failure = self.stages.iter().find_map(|s| match &s.outcome {
            Outcome::Failed(why) => Some((s.name, why)),
            _ => None,
        });
        if let Some((name, why)) = first_failure {
            println!("\nfirst failure — {name}:\n{why}");
        }
        // The closing line CI reads: stages, not individual tests (cargo
        // test and Playwright print their own counts above). Stages left
        // out after a failure count as skipped; the exit code still fails.
        let skipped = skipped + not_run.len();
        if skipped > 0 {
            println!("\nstages: {passed} passed, {failed} failed, {skipped} skipped");
        } else {
            println!("\nstages: {passed} passed, {failed} failed");
        }
        if failed == 0 && not_run.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    }
}

const STAGES: [&str; 12] = [
    "install",
    "format (cargo fmt --check)",
    "lint (clippy -D warnings)",
    "unit tests",
    "unit tests on PostgreSQL",
    "wasm component tests",
    "build",
    "start test stack",
    "integration tests",
    "browser e2e tests",
    "API fuzz (schemathesis)",
    "integration on PostgreSQL, 2 gateways",
];

pub fn run(opts: &Options) -> Result<ExitCode> {
    let root = repo_root();
    let mut report = Report::default();
    let mut stack: Option<RunningStack> = None;
    // The run's one PostgreSQL server: started for the gateway's unit
    // tests, then handed to the PostgreSQL stack.
    let mut pg: Option<Postgres> = None;
    let all_files = integration_files(&root.join("tests/tests"))?;
    let sqlite_files = sqlite_stage_files(&all_files, &opts.test_files);
    let pg_files = pg_stage_files(&all_files, &opts.test_files);
    let [
        install,
        fmt,
        clippy,
        unit,
        unit_pg,
        wasm,
        build,
        start,
        integration,
        e2e,
        fuzz,
        integration_pg,
    ] = STAGES;

    // `&&` stops at the first stage that fails (fail fast).
    let _ = report.stage(install, || {
        if opts.skip_install {
            return Ok(Outcome::Skipped("--skip-install".into()));
        }
        install::run().map(|()| Outcome::Passed)
    }) && report.stage(fmt, || {
        unless_stack_only(opts, || cargo(&["fmt", "--all", "--", "--check"]))
    }) && report.stage(clippy, || {
        let lint = [
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ];
        unless_stack_only(opts, || cargo(&lint))
    }) && report.stage(unit, || {
        let unit = ["test", "--workspace", "--exclude", "postern-tests"];
        unless_stack_only(opts, || cargo(&unit))
    }) && report.stage(unit_pg, || {
        if opts.no_postgres {
            return Ok(Outcome::Skipped("--no-postgres".into()));
        }
        unless_stack_only(opts, || {
            let server = pg.insert(start_test_postgres()?);
            // Every TestDb of the gateway's tests gets a database of its
            // own on this server (db::testing).
            util::exec(
                util::cargo()
                    .args(["test", "-p", "postern-gateway"])
                    .env("POSTERN_TEST_POSTGRES", server.server_url()),
            )?;
            Ok(Outcome::Passed)
        })
    }) && report.stage(wasm, || {
        if opts.stack_only {
            return Ok(Outcome::Skipped("--stack-only".into()));
        }
        if !root.join("frontend/tests").exists() {
            return Ok(Outcome::Skipped("frontend/tests does not exist".into()));
        }
        util::exec(
            util::cargo()
                .args([
                    "test",
                    "-p",
                    "postern-frontend",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env("PATH", path_with_node_tools()),
        )?;
        Ok(Outcome::Passed)
    }) && report.stage(build, || {
        build::all(Profile::Dev)?;
        Ok(Outcome::Passed)
    }) && report.stage(start, || {
        let options = StackOptions {
            wipe: true,
            seed_demo: true,
            profile: Profile::Dev,
            backend: Backend::Sqlite,
        };
        stack = Some(RunningStack::start(RunKind::Test, options)?);
        Ok(Outcome::Passed)
    }) && report.stage(integration, || {
        if sqlite_files.is_empty() {
            return Ok(Outcome::Skipped(format!(
                "only {} asked for, which need two gateways",
                opts.test_files.join(", ")
            )));
        }
        let s = stack.as_ref().expect("stack started");
        // The library's and the bench's own unit tests too, unless narrowed.
        let with_units = opts.test_files.is_empty();
        util::exec(
            util::cargo()
                .args(integration_args(&sqlite_files, with_units))
                .envs(stack_env(&s.layout, s.ports, &s.secrets)),
        )?;
        Ok(Outcome::Passed)
    }) && report.stage(e2e, || {
        if opts.no_e2e {
            return Ok(Outcome::Skipped("--no-e2e".into()));
        }
        let config = root.join("tests/e2e/playwright.config.ts");
        if !config.exists() {
            return Ok(Outcome::Skipped(
                "tests/e2e/playwright.config.ts does not exist".into(),
            ));
        }
        let s = stack.as_ref().expect("stack started");
        util::exec(
            Command::new("npx")
                .args(["playwright", "test", "--config"])
                .arg(&config)
                .args(opts.e2e_specs.iter().map(|n| format!("{n}.spec.ts")))
                .current_dir(&root)
                .env("PATH", path_with_node_tools())
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .envs(stack_env(&s.layout, s.ports, &s.secrets)),
        )?;
        Ok(Outcome::Passed)
    }) && report.stage(fuzz, || {
        if opts.no_fuzz {
            return Ok(Outcome::Skipped("--no-fuzz".into()));
        }
        let s = stack.as_ref().expect("stack started");
        // Last: it may change the demo organisation's mail at random.
        let (login, password) = crate::up::DEMO_OWNER;
        crate::api_fuzz::run(s.ports, login, password, &s.layout.run.join("fuzz"))?;
        Ok(Outcome::Passed)
    }) && report.stage(integration_pg, || {
        if opts.no_postgres {
            return Ok(Outcome::Skipped("--no-postgres".into()));
        }
        if pg_files.is_empty() {
            return Ok(Outcome::Skipped(format!(
                "none of {} asked for",
                PG_TEST_FILES.join(", ")
            )));
        }
        // One stack at a time on this machine's few cores.
        if let Some(mut s) = stack.take() {
            println!("\n== stopping the test stack (SQLite)");
            s.stop();
        }
        let server = match pg.take() {
            Some(server) => server,
            None => start_test_postgres()?,
        };
        let options = StackOptions {
            wipe: false,
            seed_demo: true,
            profile: Profile::Dev,
            backend: Backend::Postgres(Some(server)),
        };
        let s = stack.insert(RunningStack::start(RunKind::TestPg, options)?);
        util::exec(
            util::cargo()
                .args(integration_args(&pg_files, false))
                .envs(stack_env(&s.layout, s.ports, &s.secrets)),
        )?;
        Ok(Outcome::Passed)
    });

    if let Some(mut s) = stack.take() {
        println!("\n== stopping the test stack");
        s.stop();
    }
    if let Some(mut server) = pg.take() {
        println!("\n== stopping PostgreSQL");
        server.stop();
    }
    let done = report.stages.len();
    Ok(report.print(&STAGES[done..]))
}

/// The run's PostgreSQL server, in `target/postern/test-pg` (wiped first).
fn start_test_postgres() -> Result<Postgres> {
    let (layout, secrets) = up::prepare_run_dir(RunKind::TestPg, true)?;
    up::start_postgres(RunKind::TestPg, &layout, &secrets)
}

/// `cargo test -p postern-tests [--lib --bins] --test NAME … -- --test-threads=4`.
fn integration_args(files: &[String], with_units: bool) -> Vec<String> {
    let mut args: Vec<String> = ["test", "-p", "postern-tests"].map(String::from).to_vec();
    if with_units {
        args.extend(["--lib".into(), "--bins".into()]);
    }
    for f in files {
        args.push("--test".into());
        args.push(f.clone());
    }
    args.extend(["--".into(), "--test-threads=4".into()]);
    args
}

/// The integration files (`tests/tests/NAME.rs`), sorted.
fn integration_files(dir: &Path) -> Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            name.strip_suffix(".rs").map(str::to_string)
        })
        .collect();
    names.sort();
    Ok(names)
}

/// The SQLite stage: the asked-for files (`--test=`, else all) but the
/// two-gateway ones.
fn sqlite_stage_files(all: &[String], asked: &[String]) -> Vec<String> {
    let wanted = if asked.is_empty() { all } else { asked };
    wanted
        .iter()
        .filter(|f| !TWO_GATEWAY_FILES.contains(&f.as_str()))
        .cloned()
        .collect()
}

/// The PostgreSQL stage: those of [`PG_TEST_FILES`] that exist (and were
/// asked for, with `--test=`).
fn pg_stage_files(all: &[String], asked: &[String]) -> Vec<String> {
    PG_TEST_FILES
        .iter()
        .map(|f| f.to_string())
        .filter(|f| all.contains(f))
        .filter(|f| asked.is_empty() || asked.contains(f))
        .collect()
}

fn unless_stack_only(opts: &Options, f: impl FnOnce() -> Result<Outcome>) -> Result<Outcome> {
    if opts.stack_only {
        return Ok(Outcome::Skipped("--stack-only".into()));
    }
    f()
}

fn cargo(args: &[&str]) -> Result<Outcome> {
    util::exec(util::cargo().args(args))?;
    Ok(Outcome::Passed)
}

/// The contract between `cargo xtask test` and the test suites
/// (`postern_tests::Stack::from_env`, `tests/e2e/`).
pub fn stack_env(layout: &Layout, p: Ports, secrets: &Secrets) -> Vec<(&'static str, String)> {
    let path = |p: &std::path::Path| p.display().to_string();
    let gateways = stack_gateways(layout, p);
    let join = |f: fn(&Ports) -> String| gateways.iter().map(f).collect::<Vec<_>>().join(",");
    vec![
        ("POSTERN_TEST_EDGE_URL", format!("http://{}", local(p.edge))),
        (
            "POSTERN_TEST_GATEWAY_URL",
            format!("http://{}", local(p.gateway)),
        ),
        (
            "POSTERN_TEST_GATEWAY_URLS",
            join(|g| format!("http://{}", local(g.gateway))),
        ),
        ("POSTERN_TEST_EDGE_SECRET", secrets.edge_secret.clone()),
        (
            "POSTERN_TEST_BACKEND",
            layout.database.backend().to_string(),
        ),
        // The SQLite path, or the PostgreSQL URL with its password.
        ("POSTERN_TEST_DATABASE", layout.database.location()),
        ("POSTERN_TEST_IMAP_ADDR", local(p.imap)),
        ("POSTERN_TEST_IMAPS_ADDR", local(p.imaps)),
        ("POSTERN_TEST_POP3_ADDR", local(p.pop3)),
        ("POSTERN_TEST_SMTP_ADDR", local(p.smtp)),
        ("POSTERN_TEST_SUBMISSION_ADDR", local(p.submission)),
        ("POSTERN_TEST_SIEVE_ADDR", local(p.sieve)),
        ("POSTERN_TEST_LMTP_ADDR", local(p.lmtp)),
        ("POSTERN_TEST_SINK_MAILDIR", path(&layout.sink_maildir)),
        ("POSTERN_TEST_BLOB_DIR", path(&layout.blob_dir)),
        ("POSTERN_TEST_TLS_CERT", path(&layout.tls_cert)),
        ("POSTERN_TEST_POLICY_ADDR", local(p.policy)),
        ("POSTERN_TEST_POLICY_ADDRS", join(|g| local(g.policy))),
        (
            "POSTERN_TEST_PUBLIC_URL",
            format!("http://{}", local(p.edge)),
        ),
        ("POSTERN_TEST_MASTER_USER", MASTER_USER.to_string()),
        (
            "POSTERN_TEST_MASTER_PASSWORD",
            secrets.master_password.clone(),
        ),
        ("POSTERN_TEST_RUN_DIR", path(&layout.run)),
        ("POSTERN_TEST_DOVECOT_CONF", path(&layout.dovecot_conf)),
        ("POSTERN_TEST_LOG_DIR", path(&layout.log_dir)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mailstack::Layout;
    use std::path::Path;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn integration_tests_can_be_narrowed_to_files() {
        assert_eq!(
            integration_args(&names(&["auth", "send"]), true).join(" "),
            "test -p postern-tests --lib --bins --test auth --test send -- --test-threads=4"
        );
        assert_eq!(
            integration_args(&names(&["send", "transfers"]), false).join(" "),
            "test -p postern-tests --test send --test transfers -- --test-threads=4"
        );
    }

    #[test]
    fn two_gateway_files_run_on_postgresql_only() {
        let all = names(&["access", "auth", "multi_gateway", "send", "smoke"]);
        assert_eq!(
            sqlite_stage_files(&all, &[]),
            names(&["access", "auth", "send", "smoke"])
        );
        assert_eq!(
            pg_stage_files(&all, &[]),
            names(&["auth", "access", "send", "multi_gateway"])
        );
        // Narrowed with --test=.
        let asked = names(&["multi_gateway", "smoke"]);
        assert_eq!(sqlite_stage_files(&all, &asked), names(&["smoke"]));
        assert_eq!(pg_stage_files(&all, &asked), names(&["multi_gateway"]));
        // A missing file (not written yet) is left out, not an error.
        let without = names(&["auth", "transfers"]);
        assert_eq!(pg_stage_files(&without, &[]), names(&["auth", "transfers"]));
        let listed = integration_files(&repo_root().join("tests/tests")).unwrap();
        assert!(listed.contains(&"smoke".to_string()), "{listed:?}");
    }

    #[test]
    fn the_harness_learns_where_sending_and_transfers_live() {
        let layout = Layout::new(Path::new("/tmp/x/test"));
        let env = stack_env(&layout, Ports::TEST, &Secrets::fixed());
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("POSTERN_TEST_SUBMISSION_ADDR"), Some("127.0.0.1:20587"));
        assert_eq!(get("POSTERN_TEST_BACKEND"), Some("sqlite"));
        assert_eq!(
            get("POSTERN_TEST_DATABASE"),
            Some("/tmp/x/test/db/postern.db")
        );
        assert_eq!(
            get("POSTERN_TEST_GATEWAY_URLS"),
            Some("http://127.0.0.1:18081")
        );
        assert_eq!(get("POSTERN_TEST_POLICY_ADDRS"), Some("127.0.0.1:20027"));
        assert_eq!(
            get("POSTERN_TEST_SINK_MAILDIR"),
            Some("/tmp/x/test/sink/Maildir")
        );
        assert_eq!(get("POSTERN_TEST_BLOB_DIR"), Some("/tmp/x/test/blobs"));
        assert_eq!(get("POSTERN_TEST_POLICY_ADDR"), Some("127.0.0.1:20027"));
        assert_eq!(
            get("POSTERN_TEST_PUBLIC_URL"),
            Some("http://127.0.0.1:18080")
        );
        assert_eq!(
            get("POSTERN_TEST_TLS_CERT"),
            Some("/tmp/x/test/tls/cert.pem")
        );
    }

    #[test]
    fn the_harness_learns_every_gateway_of_a_postgresql_stack() {
        let mut layout = Layout::new(Path::new("/tmp/x/test-pg"));
        layout.database = crate::database::Database::Postgres {
            port: 21432,
            password: "pw".into(),
        };
        let env = stack_env(&layout, Ports::TEST_PG, &Secrets::fixed());
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("POSTERN_TEST_BACKEND"), Some("postgres"));
        assert_eq!(
            get("POSTERN_TEST_DATABASE"),
            Some("postgres://postern:pw@127.0.0.1:21432/postern")
        );
        assert_eq!(get("POSTERN_TEST_EDGE_URL"), Some("http://127.0.0.1:18180"));
        assert_eq!(
            get("POSTERN_TEST_GATEWAY_URL"),
            Some("http://127.0.0.1:18181")
        );
        assert_eq!(
            get("POSTERN_TEST_GATEWAY_URLS"),
            Some("http://127.0.0.1:18181,http://127.0.0.1:18182")
        );
        assert_eq!(get("POSTERN_TEST_POLICY_ADDR"), Some("127.0.0.1:21027"));
        assert_eq!(
            get("POSTERN_TEST_POLICY_ADDRS"),
            Some("127.0.0.1:21027,127.0.0.1:21029")
        );
        assert_eq!(get("POSTERN_TEST_BLOB_DIR"), Some("/tmp/x/test-pg/blobs"));
        // Each name once.
        let mut keys: Vec<&str> = env.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), env.len());
    }
}
