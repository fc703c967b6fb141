//! `cargo xtask up`: Postern on this machine with a demo organisation
//! (`--postgres`: on the run's own PostgreSQL instead of SQLite).
//! Also home of [`RunningStack`], the whole stack `test` and `bench` start too.

use crate::build::{self, Profile};
use crate::mailstack::{self, Layout, MailOptions, MailStack};
use crate::ports::{Ports, RunKind, local};
use crate::postgres::{PgOptions, Postgres};
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
            profile: Profile::Dev,
            backend: if opts.postgres {
                Backend::Postgres(None)
            } else {
                Backend::Sqlite
            },
        },
    )?;
    // Real traffic for the demo's Logs page (once; the gateway's policy
    // service and milter must be serving).
    gateway_task(
        Profile::Dev,
        &stack.layout,
        stack.ports,
        &stack.secrets,
        "seed-demo-mail",
    )?;
    let p = stack.ports;
    println!(
        "\n\
         ✓ Postern is up ({:.0}s) — Ctrl-C stops everything\n\
         \n\
         \x20 open      http://127.0.0.1:{}\n\
         \x20 sign in   olivia@example.test / postern-demo   (owner of the demo organisation)\n\
         \x20           umar@example.test   / postern-demo   (member)\n\
         \x20           support@postern.test / postern-demo  (support staff: reads what users open to support)\n\
         \x20 IMAP      127.0.0.1:{} (STARTTLS) or :{} (TLS); submission :{} — self-signed certificate\n\
         \x20 POP3      127.0.0.1:{} (STARTTLS) or :{} (TLS)\n\
         \x20           mail programs need a device password (R-DEV): settings → Devices\n\
         \x20 database  {}\n\
         \x20 logs      {}\n",
        start.elapsed().as_secs_f32(),
        p.edge,
        p.imap,
        p.imaps,
        p.submission,
        p.pop3,
        p.pop3s,
        database_line(&stack.layout),
        stack.layout.log_dir.display(),
    );
    stack.wait_for_interrupt()
}

/// The banner's database line: never the password itself.
fn database_line(layout: &Layout) -> String {
    if layout.database.is_postgres() {
        format!(
            "{} (PostgreSQL in {}; the password is POSTERN_PG_PASSWORD of {})",
            layout.database.redacted(),
            layout.pg_data.display(),
            layout.run.join("secrets.env").display()
        )
    } else {
        format!("{} (SQLite)", layout.database.redacted())
    }
}

/// `cargo xtask mail [<run>] [--postgres]`: only Dovecot, Postfix and the
/// sink (and the run's PostgreSQL with `--postgres`).
pub fn mail_only(kind: RunKind, opts: &Options) -> Result<()> {
    let (mut layout, secrets) = prepare_run_dir(kind, false)?;
    let ports = kind.ports();
    let _pg = if opts.postgres {
        let pg = start_postgres(kind, &layout, &secrets)?;
        layout.database = pg.database();
        Some(pg)
    } else {
        None
    };
    if !opts.no_migrate {
        gateway_task(Profile::Dev, &layout, ports, &secrets, "migrate")?;
    }
    let _mail = MailStack::start(&layout, ports, &secrets, mail_options(kind))?;
    println!(
        "✓ mail stack of {} is up: IMAP {}, submission {}, SMTP {}, LMTP {}, sink {}; database {} — Ctrl-C stops it",
        layout.run.display(),
        ports.imap,
        ports.submission,
        ports.smtp,
        ports.lmtp,
        ports.sink,
        layout.database.redacted(),
    );
    while !util::interrupted() {
        std::thread::sleep(Duration::from_millis(300));
    }
    Ok(())
}

fn mail_options(kind: RunKind) -> MailOptions {
    MailOptions {
        // Tests sign in with wrong passwords on purpose; don't wait 2 s each.
        auth_failure_delay: matches!(kind, RunKind::Test | RunKind::TestPg)
            .then_some(Duration::ZERO),
    }
}

/// Stops what a previous run of `kind` left running, wipes its run
/// directory when asked, and returns its layout (SQLite) and secrets.
pub fn prepare_run_dir(kind: RunKind, wipe: bool) -> Result<(Layout, Secrets)> {
    let run_dir = kind.run_dir();
    mailstack::stop_stale(&run_dir)?;
    if wipe && run_dir.exists() {
        std::fs::remove_dir_all(&run_dir)
            .with_context(|| format!("cannot wipe {}", run_dir.display()))?;
    }
    std::fs::create_dir_all(&run_dir)?;
    let secrets = Secrets::load_or_create(&run_dir)?;
    let layout = Layout::new(&run_dir);
    mailstack::prepare_sqlite(&layout)?;
    Ok((layout, secrets))
}

/// The PostgreSQL server of `kind`'s run directory, on its port.
pub fn start_postgres(kind: RunKind, layout: &Layout, secrets: &Secrets) -> Result<Postgres> {
    let port = kind
        .ports()
        .postgres
        .with_context(|| format!("the {} run has no PostgreSQL port", kind.name()))?;
    Postgres::start(
        layout,
        port,
        secrets,
        PgOptions {
            fsync: kind.pg_fsync(),
        },
    )
}

/// The port sets of the gateways a stack runs ([`Ports::of_gateway`]):
/// every gateway of its run kind on PostgreSQL, the first alone on SQLite
/// (several gateways share one database only on PostgreSQL).
pub fn stack_gateways(layout: &Layout, ports: Ports) -> Vec<Ports> {
    let mut all = ports.gateways();
    if !layout.database.is_postgres() {
        all.truncate(1);
    }
    all
}

/// The database a stack runs on.
pub enum Backend {
    Sqlite,
    /// The run's PostgreSQL: `Some` when the caller started it already
    /// (`cargo xtask test` runs the gateway's unit tests on it first; it
    /// prepared the run directory then), `None` to start it here.
    Postgres(Option<Postgres>),
}

pub struct StackOptions {
    /// Delete the run directory first (tests start from a clean state).
    /// Not with a running PostgreSQL handed over (its starter did).
    pub wipe: bool,
    /// Run `postern-gateway seed-demo` (idempotent).
    pub seed_demo: bool,
    /// The gateway build (`bench`: release).
    pub profile: Profile,
    pub backend: Backend,
}

/// Mail stack + gateway(s) + edge(s) of one run directory, and its
/// PostgreSQL when it runs on one. Fields drop in order: the services stop
/// before the mail stack, the database last.
pub struct RunningStack {
    pub services: Services,
    pub mail: MailStack,
    pub postgres: Option<Postgres>,
    pub layout: Layout,
    pub ports: Ports,
    pub secrets: Secrets,
}

impl RunningStack {
    pub fn start(kind: RunKind, opts: StackOptions) -> Result<RunningStack> {
        let start = Instant::now();
        let run_dir = kind.run_dir();
        println!("== stack: {}", run_dir.display());
        let ports = kind.ports();
        let (mut layout, secrets, postgres) = match opts.backend {
            Backend::Postgres(Some(pg)) => {
                mailstack::stop_stale_processes(&run_dir)?;
                let secrets = Secrets::load_or_create(&run_dir)?;
                (Layout::new(&run_dir), secrets, Some(pg))
            }
            Backend::Postgres(None) => {
                let (layout, secrets) = prepare_run_dir(kind, opts.wipe)?;
                let pg = start_postgres(kind, &layout, &secrets)?;
                (layout, secrets, Some(pg))
            }
            Backend::Sqlite => {
                let (layout, secrets) = prepare_run_dir(kind, opts.wipe)?;
                (layout, secrets, None)
            }
        };
        if let Some(pg) = &postgres {
            layout.database = pg.database();
        }
        mailstack::ensure_ports_free(&ports)?;

        // The schema first: Dovecot's passdb/userdb and Postfix query it.
        gateway_task(opts.profile, &layout, ports, &secrets, "migrate")?;
        let mail = MailStack::start(&layout, ports, &secrets, mail_options(kind))?;
        println!(
            "✓ Dovecot (IMAP {}), Postfix (SMTP {}), sink ({}) up on {}",
            ports.imap,
            ports.smtp,
            ports.sink,
            layout.database.backend()
        );
        check_interrupted()?;
        if opts.seed_demo {
            gateway_task(opts.profile, &layout, ports, &secrets, "seed-demo")?;
        }
        let mut services = Services::new(&layout, opts.profile);
        let mut urls = Vec::new();
        for n in 1..=stack_gateways(&layout, ports).len() {
            services.start_gateway(n, ports, &secrets)?;
            let own = ports.of_gateway(n).expect("counted above");
            println!(
                "✓ gateway {n} on {} (policy {}, milter {})",
                local(own.gateway),
                own.policy,
                own.milter
            );
            urls.push(format!("http://{}", local(own.gateway)));
        }
        let edges: Vec<(&'static str, u16, &[String])> = match ports.edge2 {
            // bench-pg: `edge` in front of gateway 1 alone, `edge2` of both.
            Some(edge2) => vec![("edge", ports.edge, &urls[..1]), ("edge2", edge2, &urls)],
            None => vec![("edge", ports.edge, &urls)],
        };
        for (name, port, behind) in edges {
            services.start_edge(name, port, behind, &secrets)?;
            println!(
                "✓ {name} on {} → {} (GET /api/health = 200)",
                local(port),
                behind.join(", ")
            );
        }
        println!("✓ stack ready in {:.1}s", start.elapsed().as_secs_f32());
        Ok(RunningStack {
            services,
            mail,
            postgres,
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
        if let Some(pg) = self.postgres.as_mut() {
            pg.stop();
        }
    }
}
