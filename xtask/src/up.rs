//! `cargo xtask up`: Postern on this machine with a demo organisation.
//! Also home of [`RunningStack`], the whole stack `test` and `bench` start too.

use crate::build::{self, Profile};
use crate::mailstack::{self, Layout, MailOptions, MailStack};
use crate::ports::{Ports, RunKind, local};
use crate::secrets::Secrets;
use crate::services::{Services, gateway_task};
use crate::util::{self, check_interrupted};
use crate::{Options, install};
use anyhow::{Context, Result};
use std::time::{Duration, Instant};

/// The demo organisation's owner (seeded by `postern-gateway seed-demo`).
pub const DEMO_OWNER: (&str, &str) = ("olivia@example.test", "postern-demo");

pub fn run(opts: &Options) -> Result<()> {
    let start = Instant::now();
    if !opts.skip_install {
        install::run()?;
    }
    build::all(Profile::Dev)?;
    let mut stack = RunningStack::start(
        RunKind::Up,
        StackOptions {
            wipe: false,
            seed_demo: true,
        },
    )?;
    let p = stack.ports;
    println!(
        "\n\
         ✓ Postern is up ({:.0}s) — Ctrl-C stops everything\n\
         \n\
         \x20 open      http://127.0.0.1:{}\n\
         \x20 sign in   olivia@example.test / postern-demo   (owner of the demo organisation)\n\
         \x20           umar@example.test   / postern-demo   (member)\n\
         \x20 IMAP      127.0.0.1:{} (STARTTLS) or :{} (TLS); submission :{} — self-signed certificate\n\
         \x20           desktop clients need a device password (R-DEV); the portal pages that issue them are not built yet\n\
         \x20 logs      {}\n",
        start.elapsed().as_secs_f32(),
        p.edge,
        p.imap,
        p.imaps,
        p.submission,
        stack.layout.log_dir.display(),
    );
    stack.wait_for_interrupt()
}

/// `cargo xtask mail [up|test]`: only Dovecot, Postfix and the sink.
pub fn mail_only(kind: RunKind, opts: &Options) -> Result<()> {
    let run_dir = kind.run_dir();
    mailstack::stop_stale(&run_dir)?;
    std::fs::create_dir_all(&run_dir)?;
    let secrets = Secrets::load_or_create(&run_dir)?;
    let layout = Layout::new(&run_dir);
    let ports = kind.ports();
    if !opts.no_migrate {
        gateway_task(Profile::Dev, &layout, ports, &secrets, "migrate")?;
    }
    let _mail = MailStack::start(&layout, ports, &secrets, mail_options(kind))?;
    println!(
        "✓ mail stack of {} is up: IMAP {}, submission {}, SMTP {}, LMTP {}, sink {} — Ctrl-C stops it",
        run_dir.display(),
        ports.imap,
        ports.submission,
        ports.smtp,
        ports.lmtp,
        ports.sink
    );
    while !util::interrupted() {
        std::thread::sleep(Duration::from_millis(300));
    }
    Ok(())
}

fn mail_options(kind: RunKind) -> MailOptions {
    MailOptions {
        // Tests sign in with wrong passwords on purpose; don't wait 2 s each.
        auth_failure_delay: (kind == RunKind::Test).then_some(Duration::ZERO),
    }
}

#[derive(Debug, Clone, Copy)]
pub struct StackOptions {
    /// Delete the run directory first (tests start from a clean state).
    pub wipe: bool,
    /// Run `postern-gateway seed-demo` (idempotent).
    pub seed_demo: bool,
}

/// Mail stack + gateway + edge of one run directory. Fields drop in order:
/// the services stop before the mail stack.
pub struct RunningStack {
    pub services: Services,
    pub mail: MailStack,
    pub layout: Layout,
    pub ports: Ports,
    pub secrets: Secrets,
}

impl RunningStack {
    pub fn start(kind: RunKind, opts: StackOptions) -> Result<RunningStack> {
        let start = Instant::now();
        let run_dir = kind.run_dir();
        println!("== stack: {}", run_dir.display());
        mailstack::stop_stale(&run_dir)?;
        if opts.wipe && run_dir.exists() {
            std::fs::remove_dir_all(&run_dir)
                .with_context(|| format!("cannot wipe {}", run_dir.display()))?;
        }
        std::fs::create_dir_all(&run_dir)?;
        let secrets = Secrets::load_or_create(&run_dir)?;
        let layout = Layout::new(&run_dir);
        let ports = kind.ports();
        mailstack::ensure_ports_free(&ports)?;

        // The schema first: Dovecot's passdb/userdb query it.
        gateway_task(Profile::Dev, &layout, ports, &secrets, "migrate")?;
        let mail = MailStack::start(&layout, ports, &secrets, mail_options(kind))?;
        println!(
            "✓ Dovecot (IMAP {}), Postfix (SMTP {}), sink ({}) up",
            ports.imap, ports.smtp, ports.sink
        );
        check_interrupted()?;
        if opts.seed_demo {
            gateway_task(Profile::Dev, &layout, ports, &secrets, "seed-demo")?;
        }
        let mut services = Services::new(&layout, Profile::Dev);
        services.start_gateway(ports, &secrets)?;
        println!("✓ gateway on {}", local(ports.gateway));
        services.start_edge(ports, &secrets)?;
        println!(
            "✓ edge on {} (GET /api/health = 200) — stack ready in {:.1}s",
            local(ports.edge),
            start.elapsed().as_secs_f32()
        );
        Ok(RunningStack {
            services,
            mail,
            layout,
            ports,
            secrets,
        })
    }

    pub fn wait_for_interrupt(&mut self) -> Result<()> {
        while !util::interrupted() {
            self.services.check_alive()?;
            std::thread::sleep(Duration::from_millis(500));
        }
        println!("stopping…");
        self.stop();
        println!("✓ stopped");
        Ok(())
    }

    pub fn stop(&mut self) {
        self.services.stop();
        self.mail.stop();
    }
}
