//! `cargo xtask test`: every test, in order, failing fast, with a summary.
//!
//! 1. `cargo fmt --check`  2. clippy `-D warnings`  3. unit tests
//! 4. wasm component tests (headless Chromium)  5. build
//! 6. start the test stack (`target/postern/test`, wiped, test ports)
//! 7. integration tests (`postern-tests`) against it  8. browser e2e (Playwright)
//! 9. API fuzz (schemathesis, `api_fuzz.rs`) against the same stack
//!
//! The integration and e2e tests find the stack through `POSTERN_TEST_*`
//! variables (see [`stack_env`] and `tests/src/lib.rs`).

use crate::build::{self, Profile, path_with_node_tools};
use crate::mailstack::Layout;
use crate::ports::{Ports, RunKind, local};
use crate::secrets::{MASTER_USER, Secrets};
use crate::up::{RunningStack, StackOptions};
use crate::util::{self, repo_root};
use crate::{Options, install};
use anyhow::Result;
use std::process::{Command, ExitCode};
use std::time::Instant;

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
            println!("  {mark}{} ({:.0}s)", s.name, s.seconds);
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

const STAGES: [&str; 10] = [
    "install",
    "format (cargo fmt --check)",
    "lint (clippy -D warnings)",
    "unit tests",
    "wasm component tests",
    "build",
    "start test stack",
    "integration tests",
    "browser e2e tests",
    "API fuzz (schemathesis)",
];

pub fn run(opts: &Options) -> Result<ExitCode> {
    let root = repo_root();
    let mut report = Report::default();
    let mut stack: Option<RunningStack> = None;
    let [
        install,
        fmt,
        clippy,
        unit,
        wasm,
        build,
        start,
        integration,
        e2e,
        fuzz,
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
        };
        stack = Some(RunningStack::start(RunKind::Test, options)?);
        Ok(Outcome::Passed)
    }) && report.stage(integration, || {
        let s = stack.as_ref().expect("stack started");
        util::exec(
            util::cargo()
                .args(integration_args(&opts.test_files))
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
    });

    if let Some(mut s) = stack.take() {
        println!("\n== stopping the test stack");
        s.stop();
    }
    let done = report.stages.len();
    Ok(report.print(&STAGES[done..]))
}

/// `cargo test -p postern-tests [--test NAME …] -- --test-threads=4`.
fn integration_args(files: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["test", "-p", "postern-tests"].map(String::from).to_vec();
    for f in files {
        args.push("--test".into());
        args.push(f.clone());
    }
    args.extend(["--".into(), "--test-threads=4".into()]);
    args
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
    vec![
        ("POSTERN_TEST_EDGE_URL", format!("http://{}", local(p.edge))),
        (
            "POSTERN_TEST_GATEWAY_URL",
            format!("http://{}", local(p.gateway)),
        ),
        ("POSTERN_TEST_EDGE_SECRET", secrets.edge_secret.clone()),
        ("POSTERN_TEST_DATABASE", path(&layout.database)),
        ("POSTERN_TEST_IMAP_ADDR", local(p.imap)),
        ("POSTERN_TEST_IMAPS_ADDR", local(p.imaps)),
        ("POSTERN_TEST_SMTP_ADDR", local(p.smtp)),
        ("POSTERN_TEST_SUBMISSION_ADDR", local(p.submission)),
        ("POSTERN_TEST_SIEVE_ADDR", local(p.sieve)),
        ("POSTERN_TEST_LMTP_ADDR", local(p.lmtp)),
        ("POSTERN_TEST_SINK_MAILDIR", path(&layout.sink_maildir)),
        ("POSTERN_TEST_BLOB_DIR", path(&layout.blob_dir)),
        ("POSTERN_TEST_TLS_CERT", path(&layout.tls_cert)),
        ("POSTERN_TEST_POLICY_ADDR", local(p.policy)),
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

    #[test]
    fn integration_tests_can_be_narrowed_to_files() {
        assert_eq!(
            integration_args(&[]).join(" "),
            "test -p postern-tests -- --test-threads=4"
        );
        assert_eq!(
            integration_args(&["send".into(), "transfers".into()]).join(" "),
            "test -p postern-tests --test send --test transfers -- --test-threads=4"
        );
    }

    #[test]
    fn the_harness_learns_where_sending_and_transfers_live() {
        let layout = Layout::new(Path::new("/tmp/x/test"));
        let secrets = Secrets {
            edge_secret: "e".into(),
            session_key: "s".into(),
            master_password: "m".into(),
        };
        let env = stack_env(&layout, Ports::TEST, &secrets);
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("POSTERN_TEST_SUBMISSION_ADDR"), Some("127.0.0.1:20587"));
        assert_eq!(get("POSTERN_TEST_DATABASE"), Some("/tmp/x/test/postern.db"));
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
}
