//! The mail stack of one run directory: Dovecot 2.3, Postfix 3.7 and a
//! catch-all SMTP sink, each its own instance with its configuration,
//! queues, mail and logs under `<run>/` (the system services stay off).
//!
//! ```text
//! <run>/dovecot/{dovecot.conf,sql.conf.ext,masters,state/}
//! <run>/postfix/{etc/,spool/,data/}      <run>/sink/Maildir/
//! <run>/mail/<domain>/<user>/Maildir     <run>/tls/{cert,key}.pem
//! <run>/log/{dovecot,postfix,sink}.log   <run>/pids/*.pid
//! <run>/db/postern.db                    (SQLite; PostgreSQL: <run>/pg/)
//! ```
//!
//! Dovecot's passdb/userdb and Postfix's domain, mailbox and alias lookups
//! are SQL queries on the gateway's database ([`Layout::database`]: the
//! SQLite file or the run's PostgreSQL, see `postgres.rs`), whose schema
//! must exist (`postern-gateway migrate`) before [`MailStack::start`].

use crate::database::Database;
use crate::ports::{Ports, local};
use crate::rspamd;
use crate::secrets::{MASTER_USER, Secrets};
use crate::util::{self, chown_to, mkdirs, tail, wait_for_port, write_file};
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const DOVECOT_CONF: &str = include_str!("../templates/dovecot.conf");
const DOVECOT_SQL: &str = include_str!("../templates/dovecot-sql.conf.ext");
const POSTFIX_MAIN: &str = include_str!("../templates/postfix-main.cf");
/// Postfix's lookup tables: `(file in postfix/etc, template)`.
const POSTFIX_TABLES: [(&str, &str); 4] = [
    (
        "domains.cf",
        include_str!("../templates/postfix-domains.cf"),
    ),
    (
        "mailboxes.cf",
        include_str!("../templates/postfix-mailboxes.cf"),
    ),
    (
        "aliases.cf",
        include_str!("../templates/postfix-aliases.cf"),
    ),
    (
        "noreply.cf",
        include_str!("../templates/postfix-noreply.cf"),
    ),
];

/// R-LIM-1 plus the headroom Postfix needs for the envelope and its
/// Received: header (see the template); must match `postfix-main.cf`.
const POSTFIX_MESSAGE_SIZE_LIMIT: u64 = 210_763_776 + 1024 * 1024;

/// The DNS name in the self-signed certificate (CN and subjectAltName).
pub const TLS_NAME: &str = "localhost";

const START_TIMEOUT: Duration = Duration::from_secs(30);
/// rspamd's first start compiles its Hyperscan databases (~30 s on 2 cores).
const RSPAMD_START_TIMEOUT: Duration = Duration::from_secs(180);

/// Where everything of a run directory lives.
#[derive(Debug, Clone)]
pub struct Layout {
    pub run: PathBuf,
    /// The database the stack runs on: [`Layout::sqlite`] unless the run
    /// uses its PostgreSQL (`layout.database = pg.database()`).
    pub database: Database,
    /// The SQLite file, in a directory of its own (`<run>/db/`) that
    /// Postfix's lookup processes may write to (see [`prepare_sqlite`]).
    pub sqlite: PathBuf,
    /// PostgreSQL's data directory and unix socket directory.
    pub pg_data: PathBuf,
    pub pg_socket: PathBuf,
    pub dovecot_conf: PathBuf,
    /// Dovecot's `base_dir` (sockets, `master.pid`).
    pub dovecot_base: PathBuf,
    pub postfix_etc: PathBuf,
    pub postfix_queue: PathBuf,
    pub log_dir: PathBuf,
    pub pid_dir: PathBuf,
    pub sink_maildir: PathBuf,
    /// Self-signed certificate of Dovecot's TLS listeners (names:
    /// `localhost`, `127.0.0.1`); the gateway checks submission against it.
    pub tls_cert: PathBuf,
    /// The gateway's uploads and transfers (`POSTERN_BLOB_DIR`).
    pub blob_dir: PathBuf,
}

impl Layout {
    pub fn new(run: &Path) -> Layout {
        // Unix socket paths are limited to 108 bytes; Dovecot's base_dir and
        // Postfix's queue hold sockets. A deep checkout moves them to /tmp
        // (under a name derived from the run dir, so stale runs are found).
        let short = if run.as_os_str().len() <= 60 {
            run.to_path_buf()
        } else {
            PathBuf::from(format!("/tmp/postern-{:08x}", fnv(run)))
        };
        let sqlite = run.join("db/postern.db");
        Layout {
            run: run.to_path_buf(),
            database: Database::Sqlite(sqlite.clone()),
            sqlite,
            pg_data: run.join("pg"),
            pg_socket: short.join("pg-socket"),
            dovecot_conf: run.join("dovecot/dovecot.conf"),
            dovecot_base: short.join("dovecot/run"),
            postfix_etc: run.join("postfix/etc"),
            postfix_queue: short.join("postfix/spool"),
            log_dir: run.join("log"),
            pid_dir: run.join("pids"),
            sink_maildir: run.join("sink/Maildir"),
            tls_cert: run.join("tls/cert.pem"),
            blob_dir: run.join("blobs"),
        }
    }

    pub fn log(&self, name: &str) -> PathBuf {
        self.log_dir.join(format!("{name}.log"))
    }

    pub fn pid_file(&self, name: &str) -> PathBuf {
        self.pid_dir.join(format!("{name}.pid"))
    }

    fn dovecot_pid(&self) -> Option<i32> {
        util::read_pid(&self.dovecot_base.join("master.pid"))
            .filter(|&p| util::pid_matches(p, "dovecot"))
    }

    fn postfix_pid(&self) -> Option<i32> {
        util::read_pid(&self.postfix_queue.join("pid/master.pid"))
            .filter(|&p| util::pid_matches(p, "master"))
    }

    /// Dovecot's instance name, unique per run directory.
    fn instance(&self) -> String {
        let name = self
            .run
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("postern-{name}-{:08x}", fnv(&self.run))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct MailOptions {
    /// `None` keeps Dovecot's default (2 s); tests use zero.
    pub auth_failure_delay: Option<Duration>,
}

/// A running mail stack; [`Drop`] stops it.
pub struct MailStack {
    pub layout: Layout,
    sink: Option<Child>,
    rspamd: Option<Child>,
    redis: Option<Child>,
    stopped: bool,
}

impl MailStack {
    pub fn start(
        layout: &Layout,
        ports: Ports,
        secrets: &Secrets,
        opts: MailOptions,
    ) -> Result<MailStack> {
        if let Database::Sqlite(path) = &layout.database {
            if !path.exists() {
                bail!(
                    "{} does not exist: run `postern-gateway migrate` first",
                    path.display()
                );
            }
            sqlite_readable_by_postfix(path)?;
        }
        ensure_ports_free(&ports)?;
        write_config(layout, ports, secrets, opts)?;
        // From here on, Drop stops whatever did start.
        let mut stack = MailStack {
            layout: layout.clone(),
            sink: None,
            rspamd: None,
            redis: None,
            stopped: false,
        };

        // Redis before rspamd, whose Bayes classifier keeps its statistics there.
        let redis_log = File::create(layout.log("redis-start"))?;
        let redis = rspamd::redis_command(layout)
            .stdin(Stdio::null())
            .stdout(redis_log.try_clone()?)
            .stderr(redis_log)
            .process_group(0)
            .spawn()
            .context("cannot start redis-server")?;
        write_file(&layout.pid_file("redis"), redis.id().to_string(), 0o644)?;
        stack.redis = Some(redis);

        // rspamd first: Postfix asks it about every message from outside.
        // (Its cold start compiles Hyperscan databases for ~30 s; Dovecot
        // and Postfix start meanwhile.)
        let rspamd_log = File::create(layout.log("rspamd-start"))?;
        let rspamd = rspamd::command(layout)
            .stdin(Stdio::null())
            .stdout(rspamd_log.try_clone()?)
            .stderr(rspamd_log)
            .process_group(0)
            .spawn()
            .context("cannot start rspamd")?;
        write_file(&layout.pid_file("rspamd"), rspamd.id().to_string(), 0o644)?;
        stack.rspamd = Some(rspamd);

        // Dovecot and Postfix daemonise: their output goes to files, never
        // to pipes we would wait on forever (the daemon keeps them open).
        let dc_log = File::create(layout.log("dovecot-start"))?;
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(&layout.dovecot_conf)
            .stdin(Stdio::null())
            .stdout(dc_log.try_clone()?)
            .stderr(dc_log)
            .status()
            .context("cannot run dovecot")?;
        if !status.success() {
            bail!(
                "dovecot failed to start ({status})\n{}{}",
                tail(&layout.log("dovecot-start"), 20),
                tail(&layout.log("dovecot"), 20)
            );
        }

        let pf_log = File::create(layout.log("postfix-start"))?;
        let status = Command::new("postfix")
            .arg("-c")
            .arg(&layout.postfix_etc)
            .arg("start")
            .stdin(Stdio::null())
            .stdout(pf_log.try_clone()?)
            .stderr(pf_log)
            .status()
            .context("cannot run postfix")?;
        if !status.success() {
            bail!(
                "postfix start failed ({status})\n{}{}",
                tail(&layout.log("postfix-start"), 20),
                tail(&layout.log("postfix"), 20)
            );
        }

        let sink_log = File::create(layout.log("sink"))?;
        let sink = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &local(ports.sink)])
            // It stands for the rest of the world: never the smallest limit.
            .args(["-s", &POSTFIX_MESSAGE_SIZE_LIMIT.to_string()])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&layout.sink_maildir)
            .stdin(Stdio::null())
            .stdout(sink_log.try_clone()?)
            .stderr(sink_log)
            .process_group(0)
            .spawn()
            .context("cannot start the SMTP sink (python3 -m aiosmtpd)")?;
        write_file(&layout.pid_file("sink"), sink.id().to_string(), 0o644)?;
        stack.sink = Some(sink);

        let dovecot_log = layout.log("dovecot");
        for (what, port) in [
            ("Dovecot IMAP", ports.imap),
            ("Dovecot IMAPS", ports.imaps),
            ("Dovecot POP3", ports.pop3),
            ("Dovecot POP3S", ports.pop3s),
            ("Dovecot submission", ports.submission),
            ("Dovecot submissions", ports.submissions),
            ("Dovecot ManageSieve", ports.sieve),
            ("Dovecot LMTP", ports.lmtp),
            ("Dovecot quota-status", ports.quota_status),
        ] {
            let l = layout.clone();
            wait_for_port(what, &local(port), START_TIMEOUT, &dovecot_log, || {
                l.dovecot_pid().is_some()
            })?;
        }
        let l = layout.clone();
        wait_for_port(
            "Postfix smtpd",
            &local(ports.smtp),
            START_TIMEOUT,
            &layout.log("postfix"),
            || l.postfix_pid().is_some(),
        )?;
        for (what, port) in [
            ("Postfix smtpd (submission relay)", ports.relay),
            ("Postfix smtpd (forwards)", ports.forward),
        ] {
            let l = layout.clone();
            wait_for_port(
                what,
                &local(port),
                START_TIMEOUT,
                &layout.log("postfix"),
                || l.postfix_pid().is_some(),
            )?;
        }
        let rspamd_alive = {
            let rspamd = stack.rspamd.as_mut().expect("just set");
            move || matches!(rspamd.try_wait(), Ok(None))
        };
        wait_for_port(
            "rspamd",
            &local(ports.rspamd),
            RSPAMD_START_TIMEOUT,
            &layout.log("rspamd"),
            rspamd_alive,
        )?;
        let redis_alive = {
            let redis = stack.redis.as_mut().expect("just set");
            move || matches!(redis.try_wait(), Ok(None))
        };
        wait_for_port(
            "Redis",
            &local(ports.redis),
            START_TIMEOUT,
            &layout.log("redis"),
            redis_alive,
        )?;
        let sink_alive = {
            let sink = stack.sink.as_mut().expect("just set");
            move || matches!(sink.try_wait(), Ok(None))
        };
        wait_for_port(
            "SMTP sink",
            &local(ports.sink),
            START_TIMEOUT,
            &layout.log("sink"),
            sink_alive,
        )?;
        Ok(stack)
    }

    /// Stops Dovecot, Postfix and the sink; safe to call twice.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        stop_child(
            self.sink.take(),
            &self.layout,
            "sink",
            Duration::from_secs(3),
        );
        stop_child(
            self.rspamd.take(),
            &self.layout,
            "rspamd",
            Duration::from_secs(5),
        );
        stop_child(
            self.redis.take(),
            &self.layout,
            "redis",
            Duration::from_secs(3),
        );
        stop_dovecot(&self.layout);
        stop_postfix(&self.layout);
    }

    /// The pid of rspamd's main process (it forks its workers), if started.
    pub fn rspamd_pid(&self) -> Option<u32> {
        self.rspamd.as_ref().map(Child::id)
    }
}

/// Stops a child we started in its own process group: TERM, up to `grace`
/// to go, then KILL; forgets its pid file.
fn stop_child(child: Option<Child>, layout: &Layout, name: &str, grace: Duration) {
    let Some(mut child) = child else { return };
    util::kill_group(child.id() as i32, libc::SIGTERM);
    let start = Instant::now();
    while matches!(child.try_wait(), Ok(None)) && start.elapsed() < grace {
        std::thread::sleep(Duration::from_millis(50));
    }
    util::kill_group(child.id() as i32, libc::SIGKILL);
    let _ = child.wait();
    let _ = std::fs::remove_file(layout.pid_file(name));
}

impl Drop for MailStack {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops whatever a previous (crashed or still running) run of this run
/// directory left behind: gateway, edge, sink (by their pid files, checking
/// the command line so a recycled pid is never hit), Dovecot and Postfix.
pub fn stop_stale(run: &Path) -> Result<()> {
    stop_stale_processes(run)?;
    crate::postgres::stop_stale(&Layout::new(run));
    Ok(())
}

/// [`stop_stale`] but for the run's PostgreSQL (a caller that started it
/// itself hands it over running).
pub fn stop_stale_processes(run: &Path) -> Result<()> {
    let layout = Layout::new(run);
    for (name, needle) in [
        ("edge", "wasmtime"),
        ("edge2", "wasmtime"),
        ("gateway", "postern-gateway"),
        ("gateway2", "postern-gateway"),
        ("sink", "aiosmtpd"),
        ("rspamd", "rspamd"),
        ("redis", "redis-server"),
    ] {
        let file = layout.pid_file(name);
        if let Some(pid) = util::read_pid(&file) {
            if util::pid_matches(pid, needle) {
                println!("→ stopping a leftover {name} (pid {pid})");
                util::kill_group(pid, libc::SIGTERM);
                util::terminate_pid(pid, Duration::from_secs(3));
                util::kill_group(pid, libc::SIGKILL);
            }
            let _ = std::fs::remove_file(file);
        }
    }
    if let Some(pid) = layout.dovecot_pid() {
        println!("→ stopping a leftover Dovecot (pid {pid})");
        stop_dovecot(&layout);
    }
    if let Some(pid) = layout.postfix_pid() {
        println!("→ stopping a leftover Postfix (pid {pid})");
        stop_postfix(&layout);
    }
    Ok(())
}

/// Creates `<run>/db/` for the SQLite file: `root:postfix`, mode 2770.
/// Postfix's lookup processes run as `postfix` and read the file in WAL
/// mode, which needs write access to its `-shm` file, and to the directory
/// when no `-shm` exists yet (the gateway is not running). The set-group-id
/// bit gives every file created in it the `postfix` group. A database of
/// an older run at `<run>/postern.db` moves in.
pub fn prepare_sqlite(layout: &Layout) -> Result<()> {
    let dir = layout
        .sqlite
        .parent()
        .expect("the SQLite file is in a directory");
    mkdirs(&[dir])?;
    if util::is_root() {
        let (_, postfix_gid) = util::user_ids("postfix")?;
        std::os::unix::fs::chown(dir, Some(0), Some(postfix_gid))?;
    }
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o2770))?;
    let old = layout.run.join("postern.db");
    if old.exists() && !layout.sqlite.exists() {
        println!("→ moving {} to {}", old.display(), layout.sqlite.display());
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", old.display()));
            if from.exists() {
                std::fs::rename(&from, format!("{}{suffix}", layout.sqlite.display()))?;
            }
        }
    }
    Ok(())
}

/// The SQLite file (and its `-wal`/`-shm`, when present) `root:postfix`
/// 0660: SQLite gives new `-wal`/`-shm` files the mode and owner of the
/// database file, so Postfix's lookups can keep reading whoever creates
/// them. (Dovecot's auth worker runs as root: see dovecot.conf.)
fn sqlite_readable_by_postfix(path: &Path) -> Result<()> {
    let gid = if util::is_root() {
        Some(util::user_ids("postfix")?.1)
    } else {
        None
    };
    for suffix in ["", "-wal", "-shm"] {
        let file = PathBuf::from(format!("{}{suffix}", path.display()));
        if !file.exists() {
            continue;
        }
        if let Some(gid) = gid {
            std::os::unix::fs::chown(&file, Some(0), Some(gid))
                .with_context(|| format!("cannot chown {}", file.display()))?;
        }
        std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o660))?;
    }
    Ok(())
}

fn stop_dovecot(layout: &Layout) {
    let Some(pid) = layout.dovecot_pid() else {
        return;
    };
    if layout.dovecot_conf.exists() {
        let _ = util::succeeds(
            Command::new("doveadm")
                .arg("-c")
                .arg(&layout.dovecot_conf)
                .arg("stop"),
        );
    }
    util::terminate_pid(pid, Duration::from_secs(10));
    // Mail processes (imap, lmtp, …) outlive their master for a while.
    let prefix = format!("dovecot-{}/", layout.instance());
    for child in util::pids_with_cmdline_prefix(&prefix) {
        util::terminate_pid(child, Duration::from_secs(2));
    }
}

fn stop_postfix(layout: &Layout) {
    let Some(pid) = layout.postfix_pid() else {
        return;
    };
    if layout.postfix_etc.join("main.cf").exists() {
        let _ = util::succeeds(
            Command::new("postfix")
                .arg("-c")
                .arg(&layout.postfix_etc)
                .arg("stop"),
        );
    }
    util::terminate_pid(pid, Duration::from_secs(10));
}

/// Every port of the stack must be free: a clear error beats Dovecot's
/// "Address already in use" deep in its log. (Not PostgreSQL's: the run's
/// server may be up already; `Postgres::start` checks its port itself.)
pub fn ensure_ports_free(ports: &Ports) -> Result<()> {
    let all = ports.all();
    let busy: Vec<String> = all
        .iter()
        .filter(|(_, p)| Some(*p) != ports.postgres)
        .filter(|(_, p)| util::port_open(&local(*p)))
        .map(|(n, p)| format!("{n} {p}"))
        .collect();
    if !busy.is_empty() {
        bail!(
            "ports already in use: {} — another Postern stack? (`cargo xtask stop <run>`, or `ss -ltnp` to see who)",
            busy.join(", ")
        );
    }
    Ok(())
}

fn write_config(layout: &Layout, ports: Ports, secrets: &Secrets, opts: MailOptions) -> Result<()> {
    let run = &layout.run;
    let mail = run.join("mail");
    let pf_data = run.join("postfix/data");
    mkdirs(&[
        &run.join("dovecot/state"),
        &layout.dovecot_base,
        // The gateway's generated Sieve scripts (R-SPAM), read by LMTP.
        &run.join("sieve/before"),
        &run.join("sieve/global"),
        &mail,
        &run.join("tls"),
        &layout.postfix_etc,
        &layout.postfix_queue,
        &pf_data,
        // aiosmtpd's Mailbox handler only fills an existing Maildir.
        &layout.sink_maildir.join("cur"),
        &layout.sink_maildir.join("new"),
        &layout.sink_maildir.join("tmp"),
        &layout.log_dir,
        &layout.pid_dir,
    ])?;
    // Dovecot refuses uid 0 for mail; mail is delivered and read as `mail`.
    chown_to(&mail, "mail")?;
    // Postfix keeps master.lock here.
    chown_to(&pf_data, "postfix")?;

    let cert = layout.tls_cert.clone();
    let key = run.join("tls/key.pem");
    if !cert.exists() || !key.exists() {
        util::output(
            Command::new("openssl")
                .args([
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
                ])
                // TLS_NAME is the name the gateway checks (services.rs).
                .args(["-subj", &format!("/CN={TLS_NAME}")])
                .args([
                    "-addext",
                    &format!("subjectAltName=DNS:{TLS_NAME},IP:127.0.0.1"),
                ])
                .arg("-keyout")
                .arg(&key)
                .arg("-out")
                .arg(&cert),
        )
        .context("cannot create the self-signed TLS certificate")?;
        std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    }

    let hash = util::output(
        Command::new("doveadm")
            .args(["pw", "-s", "SHA512-CRYPT", "-p"])
            .arg(&secrets.master_password),
    )
    .context("cannot hash the master password (doveadm pw)")?;
    // Read by the auth process, which runs as `dovecot`: root:dovecot 0640.
    let masters = run.join("dovecot/masters");
    write_file(
        &masters,
        format!("{MASTER_USER}:{}::::::\n", hash.trim()),
        0o640,
    )?;
    let (_, dovecot_gid) = util::user_ids("dovecot")?;
    std::os::unix::fs::chown(&masters, Some(0), Some(dovecot_gid))?;

    let path = |p: &Path| p.display().to_string();
    let (sql_driver, sql_connect) = layout.database.dovecot_driver();
    let (postfix_sql, postfix_sql_connection) = layout.database.postfix_table();
    let delay = match opts.auth_failure_delay {
        Some(d) => format!("auth_failure_delay = {}ms", d.as_millis()),
        None => "# auth_failure_delay: Dovecot's default (2 secs)".to_string(),
    };
    let vars: Vec<(&str, String)> = vec![
        ("run", path(run)),
        ("conf", path(&layout.dovecot_conf)),
        ("base_dir", path(&layout.dovecot_base)),
        ("queue_dir", path(&layout.postfix_queue)),
        ("instance", layout.instance()),
        ("sql_driver", sql_driver.to_string()),
        ("sql_connect", sql_connect),
        ("sql_now", layout.database.dovecot_now().to_string()),
        ("postfix_sql", postfix_sql.to_string()),
        ("postfix_sql_connection", postfix_sql_connection),
        ("auth_failure_delay", delay),
        ("imap", ports.imap.to_string()),
        ("imaps", ports.imaps.to_string()),
        ("pop3", ports.pop3.to_string()),
        ("pop3s", ports.pop3s.to_string()),
        ("submission", ports.submission.to_string()),
        ("submissions", ports.submissions.to_string()),
        ("sieve", ports.sieve.to_string()),
        ("lmtp", ports.lmtp.to_string()),
        ("smtp", ports.smtp.to_string()),
        ("sink", ports.sink.to_string()),
        ("policy", ports.policy.to_string()),
        ("milter", ports.milter.to_string()),
        ("quota_status", ports.quota_status.to_string()),
        ("rspamd", ports.rspamd.to_string()),
        ("relay", ports.relay.to_string()),
        ("forward", ports.forward.to_string()),
    ];
    rspamd::write_config(
        layout,
        &rspamd::RspamdPorts {
            milter: ports.rspamd,
            controller: ports.rspamd_controller,
            redis: ports.redis,
            controller_password: &secrets.rspamd_password,
        },
    )?;
    write_file(&layout.dovecot_conf, render(DOVECOT_CONF, &vars)?, 0o644)?;
    write_file(
        &run.join("dovecot/sql.conf.ext"),
        render(DOVECOT_SQL, &vars)?,
        0o600,
    )?;
    write_file(
        &layout.postfix_etc.join("main.cf"),
        render(POSTFIX_MAIN, &vars)?,
        0o644,
    )?;
    // The lookup tables may hold the database password: root:postfix 0640
    // (Postfix's processes read them as root or as postfix).
    let (_, postfix_gid) = util::user_ids("postfix")?;
    for (name, template) in POSTFIX_TABLES {
        let file = layout.postfix_etc.join(name);
        write_file(&file, render(template, &vars)?, 0o640)?;
        std::os::unix::fs::chown(&file, Some(0), Some(postfix_gid))?;
    }
    let _ = std::fs::remove_file(layout.postfix_etc.join("domains.regexp"));
    let master_cf = std::fs::read_to_string("/etc/postfix/master.cf")
        .context("cannot read /etc/postfix/master.cf (is postfix installed?)")?;
    write_file(
        &layout.postfix_etc.join("master.cf"),
        postfix_master_cf(&master_cf, ports),
        0o644,
    )?;
    Ok(())
}

/// Replaces every `{{name}}`; an unknown placeholder is a bug in the template.
pub fn render(template: &str, vars: &[(&str, String)]) -> Result<String> {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    if let Some(i) = out.find("{{") {
        let rest: String = out[i..].chars().take(40).collect();
        bail!("template placeholder without a value: {rest}");
    }
    Ok(out)
}

/// Debian's master.cf with chroot off (our queue is not a chroot), smtpd
/// moved to 127.0.0.1:<smtp>, a second smtpd on 127.0.0.1:<relay> for
/// Dovecot submission's relay (authenticated mail: the gateway's milter
/// only, no spam filter), a third on 127.0.0.1:<forward> for what Dovecot's
/// LMTP sends on — forwards, counted by the policy service, and
/// auto-replies (no milter: the mail was scored when it came in; loopback
/// clients only) —, comments and the pipe(8) examples (maildrop, uucp, …)
/// dropped.
fn postfix_master_cf(debian: &str, ports: Ports) -> String {
    const DROP: [&str; 6] = [
        "maildrop",
        "uucp",
        "ifmail",
        "bsmtp",
        "scalemail-backend",
        "mailman",
    ];
    let mut out = String::new();
    let mut skip = false;
    for line in debian.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            if !skip {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        let mut fields: Vec<String> = line.split_whitespace().map(String::from).collect();
        skip = DROP.contains(&fields[0].as_str());
        if skip {
            continue;
        }
        let is_smtpd = fields.len() > 1 && fields[0] == "smtp" && fields[1] == "inet";
        if is_smtpd {
            fields[0] = local(ports.smtp);
        }
        if fields.len() > 4 && fields[4] == "y" {
            fields[4] = "n".into();
        }
        out.push_str(&fields.join(" "));
        out.push('\n');
        if is_smtpd {
            fields[0] = local(ports.relay);
            out.push_str(&fields.join(" "));
            out.push_str(&format!(
                "\n  -o smtpd_milters=inet:{}\n",
                local(ports.milter)
            ));
            fields[0] = local(ports.forward);
            out.push_str(&fields.join(" "));
            out.push_str(
                "\n  -o smtpd_milters=\
                 \n  -o smtpd_client_restrictions=permit_mynetworks,reject\
                 \n  -o smtpd_end_of_data_restrictions=$postern_forward_end_of_data_restrictions\n",
            );
        }
    }
    out
}

/// FNV-1a of a path: short, stable names for per-run-dir resources.
fn fnv(p: &Path) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in p.as_os_str().as_encoded_bytes() {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x01000193);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_cf_moves_smtpd_to_loopback_and_turns_chroot_off() {
        let debian = "\
# comment
smtp      inet  n       -       y       -       -       smtpd
pickup    unix  n       -       y       60      1       pickup
maildrop  unix  -       n       n       -       -       pipe
  flags=DRhu user=vmail argv=/usr/bin/maildrop -d ${recipient}
postlog   unix-dgram n  -       n       -       1       postlogd
";
        let out = postfix_master_cf(debian, Ports::TEST);
        assert_eq!(
            out,
            "127.0.0.1:20025 inet n - n - - smtpd\n\
             127.0.0.1:20031 inet n - n - - smtpd\n  -o smtpd_milters=inet:127.0.0.1:20028\n\
             127.0.0.1:20034 inet n - n - - smtpd\n  -o smtpd_milters=\n  \
             -o smtpd_client_restrictions=permit_mynetworks,reject\n  \
             -o smtpd_end_of_data_restrictions=$postern_forward_end_of_data_restrictions\n\
             pickup unix n - n 60 1 pickup\n\
             postlog unix-dgram n - n - 1 postlogd\n"
        );
    }

    #[test]
    fn templates_have_a_value_for_every_placeholder() {
        let layout = Layout::new(Path::new("/tmp/x/test"));
        let vars: Vec<(&str, String)> = [
            "run",
            "conf",
            "base_dir",
            "queue_dir",
            "instance",
            "sql_driver",
            "sql_connect",
            "sql_now",
            "postfix_sql",
            "postfix_sql_connection",
            "auth_failure_delay",
            "imap",
            "imaps",
            "pop3",
            "pop3s",
            "submission",
            "submissions",
            "sieve",
            "lmtp",
            "smtp",
            "sink",
            "policy",
            "milter",
            "quota_status",
            "rspamd",
            "relay",
            "forward",
        ]
        .iter()
        .map(|k| (*k, "v".to_string()))
        .collect();
        for t in [DOVECOT_CONF, DOVECOT_SQL, POSTFIX_MAIN] {
            render(t, &vars).unwrap();
        }
        for (_, t) in POSTFIX_TABLES {
            render(t, &vars).unwrap();
        }
        assert!(layout.instance().starts_with("postern-test-"));
        assert!(render("{{nope}}", &vars).is_err());
    }

    /// `name = value` of a rendered config (continuation lines joined).
    fn setting(conf: &str, name: &str) -> Option<String> {
        let mut value: Option<String> = None;
        for line in conf.lines() {
            if let Some(v) = value.as_mut() {
                if line.starts_with(char::is_whitespace) && !line.trim().is_empty() {
                    v.push(' ');
                    v.push_str(line.trim());
                    continue;
                }
                break;
            }
            if let Some(rest) = line.strip_prefix(name)
                && let Some(v) = rest.trim_start().strip_prefix('=')
            {
                value = Some(v.trim().to_string());
            }
        }
        value.map(|v| v.trim().to_string())
    }

    fn rendered(template: &str) -> String {
        rendered_on(template, &Database::Sqlite("/r/db/postern.db".into()))
    }

    fn rendered_on(template: &str, db: &Database) -> String {
        let (driver, connect) = db.dovecot_driver();
        let (table, connection) = db.postfix_table();
        let mut vars: Vec<(&str, String)> = [
            ("run", "/r"),
            ("conf", "/r/dovecot/dovecot.conf"),
            ("base_dir", "/r/dovecot/run"),
            ("queue_dir", "/r/postfix/spool"),
            ("instance", "postern-test-x"),
            ("auth_failure_delay", ""),
            ("imap", "20143"),
            ("imaps", "20993"),
            ("pop3", "20110"),
            ("pop3s", "20995"),
            ("submission", "20587"),
            ("submissions", "20465"),
            ("sieve", "24190"),
            ("lmtp", "20024"),
            ("smtp", "20025"),
            ("sink", "20026"),
            ("policy", "20027"),
            ("milter", "20028"),
            ("quota_status", "20029"),
            ("rspamd", "20030"),
            ("relay", "20031"),
            ("forward", "20034"),
        ]
        .iter()
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
        vars.extend([
            ("sql_driver", driver.to_string()),
            ("sql_connect", connect),
            ("sql_now", db.dovecot_now().to_string()),
            ("postfix_sql", table.to_string()),
            ("postfix_sql_connection", connection),
        ]);
        render(template, &vars).unwrap()
    }

    #[test]
    fn dovecot_and_postfix_read_the_same_database_on_either_backend() {
        let pg = Database::Postgres {
            port: 21432,
            password: "pw".into(),
        };
        let lite = Database::Sqlite("/r/db/postern.db".into());
        let sql = rendered_on(DOVECOT_SQL, &pg);
        assert_eq!(setting(&sql, "driver").as_deref(), Some("pgsql"));
        assert_eq!(
            setting(&sql, "connect").as_deref(),
            Some("host=127.0.0.1 port=21432 dbname=postern user=postern password=pw")
        );
        let sql_lite = rendered_on(DOVECOT_SQL, &lite);
        assert_eq!(setting(&sql_lite, "driver").as_deref(), Some("sqlite"));
        assert_eq!(
            setting(&sql_lite, "connect").as_deref(),
            Some("/r/db/postern.db")
        );
        // The same queries on both, but for the clock (a device password's
        // expiry).
        for q in ["password_query", "user_query", "iterate_query"] {
            let same = |conf: &str, db: &Database| {
                setting(conf, q).map(|v| v.replace(db.dovecot_now(), "<now>"))
            };
            assert_eq!(same(&sql, &pg), same(&sql_lite, &lite), "{q}");
        }
        assert!(
            setting(&sql, "password_query")
                .unwrap()
                .contains("EXTRACT(EPOCH FROM now())")
        );

        for (db, table) in [(&pg, "pgsql"), (&lite, "sqlite")] {
            let main = rendered_on(POSTFIX_MAIN, db);
            for (param, file) in [
                ("virtual_mailbox_domains", "domains.cf"),
                ("virtual_mailbox_maps", "mailboxes.cf"),
                ("virtual_alias_maps", "aliases.cf"),
            ] {
                assert_eq!(
                    setting(&main, param),
                    Some(format!("{table}:/r/postfix/etc/{file}")),
                    "{param}"
                );
            }
            assert_eq!(setting(&main, "virtual_alias_domains").as_deref(), Some(""));
        }
        let [(_, domains), (_, mailboxes), (_, aliases), (_, noreply)] = POSTFIX_TABLES;
        let pg_domains = rendered_on(domains, &pg);
        assert_eq!(
            setting(&pg_domains, "hosts").as_deref(),
            Some("inet:127.0.0.1:21432")
        );
        assert_eq!(setting(&pg_domains, "dbname").as_deref(), Some("postern"));
        assert_eq!(setting(&pg_domains, "password").as_deref(), Some("pw"));
        assert_eq!(
            setting(&rendered_on(domains, &lite), "dbpath").as_deref(),
            Some("/r/db/postern.db")
        );
        for t in [domains, mailboxes, aliases, noreply] {
            assert_eq!(
                setting(&rendered_on(t, &pg), "query"),
                setting(&rendered_on(t, &lite), "query")
            );
        }
        // Deleted mailboxes (and their aliases) receive nothing.
        let q = setting(&rendered_on(mailboxes, &lite), "query").unwrap();
        assert_eq!(q.matches("deleted_at IS NULL").count(), 2, "{q}");
        // Every branch of the alias map (self, alias, redirect, catch-all)
        // is for live rows only.
        let q = setting(&rendered_on(aliases, &lite), "query").unwrap();
        assert_eq!(q.matches("UNION ALL").count(), 3, "{q}");
        assert_eq!(q.matches("m.deleted_at IS NULL").count(), 4, "{q}");
        let q = setting(&rendered_on(noreply, &lite), "query").unwrap();
        assert!(q.starts_with("SELECT 'REJECT 5.1.1 "), "{q}");
    }

    #[test]
    fn postfix_asks_the_policy_service_and_trusts_dovecots_xclient() {
        let main = rendered(POSTFIX_MAIN);
        let policy =
            "check_policy_service { inet:127.0.0.1:20027, default_action=DEFER_IF_PERMIT }";
        let noreply = "check_recipient_access sqlite:/r/postfix/etc/noreply.cf";
        // R-LIM-5: Dovecot's quota-status refuses an over-quota mailbox at
        // RCPT; when it cannot answer, LMTP still refuses at delivery.
        let quota = "check_policy_service { inet:127.0.0.1:20029, default_action=DUNNO }";
        assert_eq!(
            setting(&main, "smtpd_authorized_xclient_hosts").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(
            setting(&main, "smtpd_recipient_restrictions"),
            Some(format!("{noreply}, {policy}, {quota}, permit"))
        );
        assert_eq!(
            setting(&main, "smtpd_end_of_data_restrictions"),
            Some(policy.to_string())
        );
        // R-LIM-1 plus the envelope headroom, as the sink is told too.
        assert_eq!(
            setting(&main, "message_size_limit"),
            Some(POSTFIX_MESSAGE_SIZE_LIMIT.to_string())
        );
        assert_eq!(POSTFIX_MESSAGE_SIZE_LIMIT, 210_763_776 + 1_048_576);
        // R-SEND-3 for the From: header: the gateway's milter, fail closed;
        // then rspamd (R-SPAM), which fails open: unscored mail is still mail.
        assert_eq!(
            setting(&main, "smtpd_milters").as_deref(),
            Some("inet:127.0.0.1:20028, { inet:127.0.0.1:20030, default_action=accept }")
        );
        assert_eq!(
            setting(&main, "milter_default_action").as_deref(),
            Some("tempfail")
        );
        // A receiving server that is down: its mail is deferred (R-LOG).
        assert_eq!(
            setting(&main, "transport_maps").as_deref(),
            Some("inline:{ unreachable.test=smtp:[127.0.0.1]:1 }")
        );
        assert_eq!(setting(&main, "mailbox_size_limit").as_deref(), Some("0"));
        assert_eq!(
            setting(&main, "virtual_mailbox_limit").as_deref(),
            Some("0")
        );
    }

    #[test]
    fn dovecot_enforces_the_quota_of_each_mailbox_row() {
        let conf = rendered(DOVECOT_CONF);
        assert!(
            setting(&conf, "mail_plugins")
                .unwrap()
                .split_whitespace()
                .any(|p| p == "quota"),
            "quota for every protocol (LMTP, IMAP, quota-status)"
        );
        // `name = value` inside a block (indented).
        let inner = |name: &str| {
            conf.lines().map(str::trim).find_map(|l| {
                let v = l.strip_prefix(name)?.trim_start().strip_prefix('=')?;
                Some(v.trim().to_string())
            })
        };
        for (name, value) in [
            ("quota", "count:User quota"),
            ("quota_vsizes", "yes"),
            ("quota_grace", "0"),
            ("quota_status_success", "DUNNO"),
            ("quota_status_nouser", "DUNNO"),
            ("quota_status_overquota", "552 5.2.2 Mailbox is full"),
        ] {
            assert_eq!(inner(name).as_deref(), Some(value), "{name}");
        }
        assert!(conf.contains("executable = quota-status -p postfix"));
        assert!(conf.contains("port = 20029"), "the quota-status listener");
        assert!(conf.contains("mail_plugins = $mail_plugins imap_quota"));
        // The limit is a row: the mailbox's own, else its offer's.
        let q = setting(&rendered(DOVECOT_SQL), "user_query").unwrap();
        assert!(
            q.contains("COALESCE(m.quota_bytes, f.mailbox_quota_bytes)"),
            "{q}"
        );
        assert!(q.contains("AS quota_rule"), "{q}");
        assert!(q.contains("LEFT JOIN offers f ON f.offer = o.offer"), "{q}");
    }

    #[test]
    fn each_delivery_s_sieve_before_script_is_chosen_by_the_rows() {
        let q = setting(&rendered(DOVECOT_SQL), "user_query").unwrap();
        assert!(
            q.contains("CASE WHEN m.spam_filter = 1 THEN '/r/sieve/before/'"),
            "{q}"
        );
        assert!(
            q.contains("WHEN m.spam_script = 1 THEN 'mailbox-' || m.id"),
            "{q}"
        );
        assert!(
            q.contains("WHEN o.spam_script = 1 THEN 'org-' || o.id ELSE 'default'"),
            "{q}"
        );
        assert!(q.contains("AS sieve_before"), "{q}");
        let conf = rendered(DOVECOT_CONF);
        assert!(conf.contains("sieve_global = /r/sieve/global"));
    }

    #[test]
    fn dovecot_submission_relays_with_xclient_and_caps_the_size() {
        let conf = rendered(DOVECOT_CONF);
        assert_eq!(
            setting(&conf, "submission_relay_trusted").as_deref(),
            Some("yes")
        );
        assert_eq!(
            setting(&conf, "submission_relay_port").as_deref(),
            Some("20031")
        );
        // R-LIM-1 exactly: 201 MiB.
        assert_eq!(
            setting(&conf, "submission_max_mail_size").as_deref(),
            Some("210763776")
        );
    }

    /// The `mailbox <name> { … }` blocks of the rendered Dovecot config:
    /// (name, trimmed lines inside).
    fn mailbox_blocks(conf: &str) -> Vec<(String, Vec<String>)> {
        let mut blocks = Vec::new();
        let mut lines = conf.lines().map(str::trim);
        while let Some(line) = lines.next() {
            let Some(name) = line
                .strip_prefix("mailbox ")
                .and_then(|r| r.strip_suffix('{'))
            else {
                continue;
            };
            let body = lines
                .by_ref()
                .take_while(|l| *l != "}")
                .map(str::to_string)
                .collect();
            blocks.push((name.trim().to_string(), body));
        }
        blocks
    }

    #[test]
    fn trash_and_junk_forget_mail_after_30_days_and_nothing_else_does() {
        // R-MAIL-7: postern_shared::limits::TRASH_RETENTION_DAYS (30).
        let conf = rendered(DOVECOT_CONF);
        let blocks = mailbox_blocks(&conf);
        for (name, special_use) in [("Trash", "\\Trash"), ("Junk", "\\Junk")] {
            let (_, body) = blocks
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("a mailbox {name} block"));
            assert!(
                body.contains(&format!("special_use = {special_use}")),
                "{name}: {body:?}"
            );
            assert!(
                body.contains(&"autoexpunge = 30d".to_string()),
                "{name}: {body:?}"
            );
        }
        for (name, body) in &blocks {
            if name != "Trash" && name != "Junk" {
                assert!(
                    !body.iter().any(|l| l.starts_with("autoexpunge")),
                    "{name} keeps its mail: {body:?}"
                );
            }
        }
        // The save date autoexpunge reads is the one Dovecot recorded when
        // the message came in, not the Maildir file's ctime.
        assert!(
            setting(&conf, "mail_always_cache_fields")
                .unwrap()
                .split_whitespace()
                .any(|f| f == "date.save"),
            "date.save always cached"
        );
        // `doveadm expunge -A` (the host's daily run) iterates the mailboxes.
        let q = setting(&rendered(DOVECOT_SQL), "iterate_query").unwrap();
        assert!(q.contains("FROM mailboxes WHERE deleted_at IS NULL"), "{q}");
    }

    #[test]
    fn deep_run_dirs_keep_sockets_short() {
        let deep =
            PathBuf::from("/very/deep/checkout/of/postern/with/a/long/path/target/postern/test");
        let l = Layout::new(&deep);
        assert!(l.dovecot_base.starts_with("/tmp"));
        assert!(l.pg_socket.starts_with("/tmp"));
        assert_eq!(l.sqlite, deep.join("db/postern.db"));
        assert_eq!(l.database, Database::Sqlite(deep.join("db/postern.db")));
        assert_eq!(l.pg_data, deep.join("pg"));
    }
}
