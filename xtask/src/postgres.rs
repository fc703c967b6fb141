//! The run directory's own PostgreSQL server (Debian's `postgresql`
//! package, server binaries in `/usr/lib/postgresql/<v>/bin`), never the
//! system cluster (no `pg_ctlcluster`, no `systemctl`).
//!
//! ```text
//! <run>/pg/                 data directory (initdb once, reused after)
//! <run>/pg/postern.conf     our settings (xtask/templates/postgresql.conf)
//! <run>/pg-socket/          its unix socket (under /tmp for deep run dirs)
//! <run>/log/postgres.log    its log
//! ```
//!
//! Loopback only, at the run kind's port; every connection needs the
//! password of user `postern` (scram-sha-256), generated once into the
//! run's `secrets.env`. Database `postern` is created when missing. The
//! server refuses to run as root: when we are root it runs as the
//! `postgres` system user. [`Drop`] stops it (`pg_ctl stop -m fast`).

use crate::database::{self, Database, PG_DATABASE, PG_USER};
use crate::mailstack::{Layout, render};
use crate::ports::local;
use crate::secrets::Secrets;
use crate::util::{self, tail, write_file};
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const POSTGRESQL_CONF: &str = include_str!("../templates/postgresql.conf");

/// The system user the server runs as when we are root.
const SERVER_USER: &str = "postgres";

#[derive(Debug, Clone, Copy)]
pub struct PgOptions {
    /// `false`: `fsync = off` (test runs, thrown away afterwards).
    pub fsync: bool,
}

/// A running server of one run directory; [`Drop`] stops it.
pub struct Postgres {
    data: PathBuf,
    log: PathBuf,
    bin: PathBuf,
    owner: Option<(u32, u32)>,
    pub port: u16,
    password: String,
    stopped: bool,
}

impl Postgres {
    /// Stops a leftover server of this run directory, initialises the data
    /// directory when it has none, starts the server and creates database
    /// `postern` when missing.
    pub fn start(
        layout: &Layout,
        port: u16,
        secrets: &Secrets,
        opts: PgOptions,
    ) -> Result<Postgres> {
        let start = Instant::now();
        stop_stale(layout);
        if util::port_open(&local(port)) {
            bail!(
                "PostgreSQL's port {port} is already in use — another Postern stack? (`cargo xtask stop <run>`, or `ss -ltnp` to see who)"
            );
        }
        let bin = bin_dir()?;
        let owner = server_owner()?;
        let log = layout.log("postgres");
        util::mkdirs(&[&layout.log_dir, &layout.pg_socket])?;
        give(&layout.pg_socket, owner, 0o755)?;
        if !log.exists() {
            File::create(&log)?;
        }
        give(&log, owner, 0o640)?;
        reachable_by_owner(&layout.run, owner)?;

        if !layout.pg_data.join("PG_VERSION").exists() {
            initdb(layout, &bin, owner, &secrets.pg_password)?;
        }
        let durability = if opts.fsync {
            "# Durability: PostgreSQL's defaults (fsync on).".to_string()
        } else {
            "# A test run's data is thrown away: no flushing to disk.\n\
             fsync = off\nfull_page_writes = off\nsynchronous_commit = off"
                .to_string()
        };
        let conf = layout.pg_data.join("postern.conf");
        let vars = [
            ("data_dir", layout.pg_data.display().to_string()),
            ("port", port.to_string()),
            ("socket_dir", layout.pg_socket.display().to_string()),
            ("durability", durability),
        ];
        write_file(&conf, render(POSTGRESQL_CONF, &vars)?, 0o600)?;
        give(&conf, owner, 0o600)?;

        // pg_ctl daemonises the server (its own session, output to the
        // log), then waits until it accepts connections.
        let pg = Postgres {
            data: layout.pg_data.clone(),
            log: log.clone(),
            bin,
            owner,
            port,
            password: secrets.pg_password.clone(),
            stopped: false,
        };
        let out = pg
            .pg_ctl()
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&pg.data)
            .arg("-l")
            .arg(&log)
            .stdin(Stdio::null())
            .output()
            .context("cannot run pg_ctl")?;
        if !out.status.success() {
            bail!(
                "PostgreSQL did not start ({}): {}{}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                tail(&log, 20)
            );
        }
        pg.create_database(PG_DATABASE)?;
        println!(
            "✓ PostgreSQL on {} ({}, {:.1}s)",
            local(port),
            layout.pg_data.display(),
            start.elapsed().as_secs_f32()
        );
        Ok(pg)
    }

    /// The stack's database on this server.
    pub fn database(&self) -> Database {
        Database::Postgres {
            port: self.port,
            password: self.password.clone(),
        }
    }

    /// A URL of the server's maintenance database `postgres`, for tools
    /// that create databases of their own (`POSTERN_TEST_POSTGRES`).
    pub fn server_url(&self) -> String {
        database::pg_url(self.port, &self.password, "postgres")
    }

    /// `pg_ctl stop -m fast` (open sessions are cut, nothing is lost);
    /// safe to call twice.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        stop_server(&self.data, &self.bin, self.owner);
    }

    fn pg_ctl(&self) -> Command {
        as_owner(
            Command::new(self.bin.join("pg_ctl")),
            self.owner,
            &self.data,
        )
    }

    fn psql(&self, db: &str, sql: &str) -> Result<String> {
        util::output(
            Command::new(self.bin.join("psql"))
                .args(["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"])
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string()])
                .args(["-U", PG_USER, "-d", db, "-c", sql])
                // Never in argv (`ps` would show it).
                .env("PGPASSWORD", &self.password)
                .env("PGCONNECT_TIMEOUT", "10"),
        )
        .with_context(|| {
            format!(
                "psql on {} failed (if the run's secrets.env was replaced, the server still has the old password: delete {} to start afresh)\n{}",
                local(self.port),
                self.data.display(),
                tail(&self.log, 10)
            )
        })
    }

    fn create_database(&self, name: &str) -> Result<()> {
        let exists = self.psql(
            "postgres",
            &format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        )?;
        if exists.trim() != "1" {
            self.psql("postgres", &format!("CREATE DATABASE {name}"))?;
        }
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Stops a server a previous (crashed or still running) run of this run
/// directory left behind: the pid of `<run>/pg/postmaster.pid`, checked
/// against its command line (which names the data directory).
pub fn stop_stale(layout: &Layout) {
    let Some(pid) = server_pid(&layout.pg_data) else {
        return;
    };
    println!("→ stopping a leftover PostgreSQL (pid {pid})");
    match (bin_dir(), server_owner()) {
        (Ok(bin), Ok(owner)) => stop_server(&layout.pg_data, &bin, owner),
        _ => util::terminate_pid(pid, Duration::from_secs(10)),
    }
}

/// The postmaster's pid, when one of this data directory runs.
fn server_pid(data: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(data.join("postmaster.pid")).ok()?;
    let pid: i32 = text.lines().next()?.trim().parse().ok()?;
    util::pid_matches(pid, &data.display().to_string()).then_some(pid)
}

fn stop_server(data: &Path, bin: &Path, owner: Option<(u32, u32)>) {
    let Some(pid) = server_pid(data) else {
        return;
    };
    let _ = util::succeeds(
        as_owner(Command::new(bin.join("pg_ctl")), owner, data)
            .args(["stop", "-m", "fast", "-w", "-t", "30", "-D"])
            .arg(data),
    );
    // pg_ctl gave up (or could not run): immediate shutdown, then KILL.
    let start = Instant::now();
    while util::pid_alive(pid) && start.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if util::pid_alive(pid) {
        util::kill_pid(pid, libc::SIGQUIT);
        util::terminate_pid(pid, Duration::from_secs(5));
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` with a server in it.
fn bin_dir() -> Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let v: u32 = e.file_name().to_str()?.parse().ok()?;
                    let bin = e.path().join("bin");
                    bin.join("postgres").exists().then_some((v, bin))
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "no PostgreSQL server in {}/<version>/bin: install Debian's `postgresql` (`cargo xtask install`)",
            root.display()
        ),
    }
}

/// uid/gid the server runs as: `postgres` when we are root (the server
/// refuses root), ourselves (`None`) otherwise.
fn server_owner() -> Result<Option<(u32, u32)>> {
    if util::is_root() {
        Ok(Some(util::user_ids(SERVER_USER)?))
    } else {
        Ok(None)
    }
}

/// `cmd` run as the server's owner, from a directory it may enter.
fn as_owner(mut cmd: Command, owner: Option<(u32, u32)>, data: &Path) -> Command {
    if let Some((uid, gid)) = owner {
        // std drops the supplementary groups when it changes the uid.
        cmd.uid(uid).gid(gid);
    }
    cmd.current_dir(data.parent().unwrap_or(Path::new("/")));
    cmd
}

/// `chown owner` (when there is one to switch to) and `chmod mode`.
fn give(path: &Path, owner: Option<(u32, u32)>, mode: u32) -> Result<()> {
    if let Some((uid, gid)) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .with_context(|| format!("cannot chown {} to {SERVER_USER}", path.display()))?;
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

/// The server user must be able to enter every directory above the run
/// directory (a checkout in a private home directory is not).
fn reachable_by_owner(run: &Path, owner: Option<(u32, u32)>) -> Result<()> {
    if owner.is_none() {
        return Ok(());
    }
    for dir in run.ancestors() {
        if let Ok(meta) = std::fs::metadata(dir)
            && meta.permissions().mode() & 0o001 == 0
        {
            bail!(
                "{} is not searchable by others (mode {:o}): the `{SERVER_USER}` user cannot reach the run directory {} — `chmod o+x` it or check out elsewhere",
                dir.display(),
                meta.permissions().mode() & 0o777,
                run.display()
            );
        }
    }
    Ok(())
}

fn initdb(layout: &Layout, bin: &Path, owner: Option<(u32, u32)>, password: &str) -> Result<()> {
    let data = &layout.pg_data;
    let _ = std::fs::remove_dir_all(data);
    std::fs::create_dir_all(data)?;
    give(data, owner, 0o700)?;
    // initdb reads the superuser's password from a file; it lives only
    // while initdb runs.
    let pwfile = layout.run.join("pg.pwfile");
    write_file(&pwfile, format!("{password}\n"), 0o600)?;
    give(&pwfile, owner, 0o600)?;
    let log = layout.log("postgres-initdb");
    let file = File::create(&log)?;
    let status = as_owner(Command::new(bin.join("initdb")), owner, data)
        .arg("-D")
        .arg(data)
        .args(["-U", PG_USER, "--auth=scram-sha-256"])
        .arg(format!("--pwfile={}", pwfile.display()))
        .args(["-E", "UTF8", "--locale=C.UTF-8", "--no-instructions"])
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .status()
        .context("cannot run initdb");
    let _ = std::fs::remove_file(&pwfile);
    let status = status?;
    if !status.success() {
        bail!("initdb failed ({status})\n{}", tail(&log, 20));
    }
    // Our settings, rewritten at every start.
    let conf = data.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf)?;
    text.push_str("\n# cargo xtask: the run's settings\ninclude 'postern.conf'\n");
    std::fs::write(&conf, text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_template_has_every_value() {
        let vars = [
            ("data_dir", "/r/pg".to_string()),
            ("port", "21432".to_string()),
            ("socket_dir", "/r/pg-socket".to_string()),
            ("durability", "fsync = off".to_string()),
        ];
        let conf = render(POSTGRESQL_CONF, &vars).unwrap();
        assert!(conf.contains("listen_addresses = '127.0.0.1'\n"));
        assert!(conf.contains("port = 21432\n"));
        assert!(conf.contains("unix_socket_directories = '/r/pg-socket'\n"));
        assert!(conf.contains("\nfsync = off\n"));
    }

    #[test]
    fn a_pid_file_of_another_data_directory_is_not_ours() {
        let dir = std::env::temp_dir().join(format!("xtask-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Our own pid: alive, but its command line does not name `dir`.
        std::fs::write(
            dir.join("postmaster.pid"),
            format!("{}\n{}\n", std::process::id(), dir.display()),
        )
        .unwrap();
        assert_eq!(server_pid(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
