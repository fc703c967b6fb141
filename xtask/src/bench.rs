//! `cargo xtask bench`: measurements against the real stack, with the
//! gateway built in release. Not part of `cargo xtask test`.
//!
//! install → build (gateway `--release`, edge and frontend release as
//! always) → a dedicated stack in `target/postern/bench` (wiped first, its
//! own ports: [`BENCH_PORTS`], so `up` and `test` may run at the same time)
//! → `cargo run --release -p postern-tests --bin postern-bench` with the
//! `POSTERN_TEST_*` variables of the harness plus `POSTERN_BENCH_*` → stop
//! everything (Drop guards, also on failure or Ctrl-C).
//!
//! The bench binary writes `target/bench/report.json` and
//! `target/bench/report.md` and prints the table; missed targets are
//! figures, not failures (exit 0), only a bench that could not run fails.

use crate::build::{self, Profile};
use crate::mailstack::{self, Layout, MailOptions, MailStack};
use crate::ports::{Ports, local};
use crate::secrets::Secrets;
use crate::services::{Services, gateway_task};
use crate::util::{self, repo_root, tail};
use crate::{Options, install};
use anyhow::{Context, Result};
use std::time::Instant;

/// The bench stack's ports: clear of `up` (8080, 10xxx) and `test`
/// (18080, 20xxx).
pub const BENCH_PORTS: Ports = Ports {
    edge: 28080,
    gateway: 28081,
    imap: 30143,
    imaps: 30993,
    submission: 30587,
    submissions: 30465,
    sieve: 34190,
    lmtp: 30024,
    smtp: 30025,
    sink: 30026,
    policy: 30027,
    milter: 30028,
};

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

    let mut stack = BenchStack::start()?;
    println!("\n== bench");
    let env = stack.env()?;
    let result = util::exec(util::cargo().args(bench_cargo_args("run")).envs(env));
    if result.is_err() {
        // The bench's own output is above; the services' logs say the rest.
        println!("{}", tail(&stack.layout.log("gateway"), 15));
        println!("{}", tail(&stack.layout.log("edge"), 15));
    }
    println!("\n== stopping the bench stack");
    stack.stop();
    result?;
    println!(
        "✓ bench done ({:.0}s): {}",
        start.elapsed().as_secs_f32(),
        repo_root().join("target/bench/report.md").display()
    );
    Ok(())
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

/// Mail stack + release gateway + edge in `target/postern/bench`. Fields
/// drop in order: edge, gateway, mail stack.
struct BenchStack {
    services: Services,
    mail: MailStack,
    layout: Layout,
    secrets: Secrets,
}

impl BenchStack {
    fn start() -> Result<BenchStack> {
        let start = Instant::now();
        let run_dir = repo_root().join("target/postern/bench");
        println!("\n== stack: {}", run_dir.display());
        mailstack::stop_stale(&run_dir)?;
        if run_dir.exists() {
            std::fs::remove_dir_all(&run_dir)
                .with_context(|| format!("cannot wipe {}", run_dir.display()))?;
        }
        std::fs::create_dir_all(&run_dir)?;
        let secrets = Secrets::load_or_create(&run_dir)?;
        let layout = Layout::new(&run_dir);
        let ports = BENCH_PORTS;
        mailstack::ensure_ports_free(&ports)?;
        // The schema first: Dovecot's passdb/userdb query it.
        gateway_task(Profile::Release, &layout, ports, &secrets, "migrate")?;
        let mail = MailStack::start(
            &layout,
            ports,
            &secrets,
            MailOptions {
                auth_failure_delay: None,
            },
        )?;
        println!(
            "✓ Dovecot (IMAP {}), Postfix (SMTP {}), sink ({}) up",
            ports.imap, ports.smtp, ports.sink
        );
        util::check_interrupted()?;
        let mut services = Services::new(&layout, Profile::Release);
        services.start_gateway(ports, &secrets)?;
        println!("✓ release gateway on {}", local(ports.gateway));
        services.start_edge(ports, &secrets)?;
        println!(
            "✓ edge on {} (GET /api/health = 200) — stack ready in {:.1}s",
            local(ports.edge),
            start.elapsed().as_secs_f32()
        );
        Ok(BenchStack {
            services,
            mail,
            layout,
            secrets,
        })
    }

    /// The harness's `POSTERN_TEST_*` contract (exactly as `cargo xtask
    /// test` sets it) plus the bench's own variables.
    fn env(&self) -> Result<Vec<(&'static str, String)>> {
        let path = |p: &std::path::Path| p.display().to_string();
        let edge_pid = util::read_pid(&self.layout.pid_file("edge"))
            .context("the edge's pid file is missing")?;
        let gateway_pid = self
            .services
            .pid("gateway")
            .context("the gateway is not running")?;
        let root = repo_root();
        let mut env = crate::test::stack_env(&self.layout, BENCH_PORTS, &self.secrets);
        env.extend([
            ("POSTERN_BENCH_GATEWAY_PID", gateway_pid.to_string()),
            ("POSTERN_BENCH_EDGE_PID", edge_pid.to_string()),
            ("POSTERN_BENCH_DIST", path(&root.join("dist"))),
            ("POSTERN_BENCH_OUT", path(&root.join("target/bench"))),
        ]);
        Ok(env)
    }

    fn stop(&mut self) {
        self.services.stop();
        self.mail.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::RunKind;

    #[test]
    fn bench_ports_clash_with_neither_up_nor_test() {
        let all = |p: Ports| p.all().map(|(_, port)| port);
        let bench = all(BENCH_PORTS);
        for kind in [RunKind::Up, RunKind::Test] {
            for port in all(kind.ports()) {
                assert!(!bench.contains(&port), "{port} is used by {kind:?} too");
            }
        }
        let mut unique = bench.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), bench.len());
    }
}
