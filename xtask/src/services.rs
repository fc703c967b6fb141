//! Process supervision for the long-running children we own: the gateways
//! (`gateway`, and `gateway2` on a two-gateway stack) and the edges
//! (`wasmtime serve`: `edge`, and `edge2` on bench-pg). Each runs in its own
//! process group with its output in `<run>/log/<name>.log` and its pid in
//! `<run>/pids/`; [`Drop`] stops them all (SIGTERM to the group, SIGKILL
//! after a grace period).

use crate::build::Profile;
use crate::mailstack::{Layout, TLS_NAME};
use crate::ports::{Ports, local};
use crate::secrets::{MASTER_USER, Secrets};
use crate::util::{self, repo_root, tail, write_file};
use anyhow::{Context, Result, bail};
use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The gateway build a run uses: `up` and `test` the dev one (whose profile
/// already optimises Argon2/SHA-2), `bench` the release one.
pub fn gateway_binary(profile: Profile) -> PathBuf {
    repo_root().join(match profile {
        Profile::Dev => "target/debug/postern-gateway",
        Profile::Release => "target/release/postern-gateway",
    })
}

pub fn edge_component() -> PathBuf {
    repo_root().join("target/wasm32-wasip2/release/postern_edge.wasm")
}

/// The gateway's environment (ARCHITECTURE.md, "Trust and configuration").
/// `ports` are the gateway's own ([`Ports::of_gateway`]): its HTTP, policy
/// and milter listeners; everything else is the stack's.
pub fn gateway_command(
    profile: Profile,
    layout: &Layout,
    ports: Ports,
    secrets: &Secrets,
) -> Command {
    let mut cmd = Command::new(gateway_binary(profile));
    cmd.current_dir(repo_root())
        .env("POSTERN_GATEWAY_ADDR", local(ports.gateway))
        .env("POSTERN_EDGE_SECRET", &secrets.edge_secret)
        .env("POSTERN_TOTP_KEY", &secrets.totp_key)
        .env("POSTERN_DATABASE", layout.database.location())
        .env("POSTERN_IMAP_ADDR", local(ports.imap))
        .env("POSTERN_IMAP_MASTER_USER", MASTER_USER)
        .env("POSTERN_IMAP_MASTER_PASSWORD", &secrets.master_password)
        // Dovecot's userdb home is <run>/mail/%d/%n (templates/dovecot.conf).
        .env("POSTERN_MAIL_ROOT", layout.run.join("mail"))
        .env("POSTERN_SUBMISSION_ADDR", local(ports.submission))
        .env("POSTERN_SUBMISSION_CA", &layout.tls_cert)
        .env("POSTERN_SUBMISSION_TLS_NAME", TLS_NAME)
        .env("POSTERN_POLICY_ADDR", local(ports.policy))
        .env("POSTERN_MILTER_ADDR", local(ports.milter))
        .env("POSTERN_BLOB_DIR", &layout.blob_dir)
        .env(
            "POSTERN_PUBLIC_URL",
            format!("http://{}", local(ports.edge)),
        )
        .env("POSTERN_SMTP_ADDR", local(ports.smtp))
        .env("POSTERN_SIEVE_ADDR", local(ports.sieve))
        // The spam filter's generated Sieve scripts (dovecot.conf and the
        // userdb query point there).
        .env("POSTERN_SIEVE_DIR", layout.run.join("sieve"))
        .env("POSTERN_LOG_DIR", &layout.log_dir)
        // rspamd's controller: reports teach its Bayes classifier (R-SPAM-5).
        .env("POSTERN_RSPAMD_CONTROLLER", local(ports.rspamd_controller))
        .env("POSTERN_RSPAMD_PASSWORD", &secrets.rspamd_password)
        // Device passwords (R-DEV): what clients are told (the stack's own
        // ports, the certificate's name), and Dovecot's sessions and log.
        .env("POSTERN_MAIL_HOST", TLS_NAME)
        .env("POSTERN_PUBLIC_IMAPS_PORT", ports.imaps.to_string())
        .env(
            "POSTERN_PUBLIC_SUBMISSION_PORT",
            ports.submission.to_string(),
        )
        .env(
            "POSTERN_PUBLIC_SUBMISSIONS_PORT",
            ports.submissions.to_string(),
        )
        .env("POSTERN_PUBLIC_IMAP_PORT", ports.imap.to_string())
        .env("POSTERN_PUBLIC_POP3S_PORT", ports.pop3s.to_string())
        .env("POSTERN_PUBLIC_POP3_PORT", ports.pop3.to_string())
        .env("POSTERN_DOVECOT_CONF", &layout.dovecot_conf)
        .env("POSTERN_DOVECOT_LOG", layout.log("dovecot"))
        // The host as processor in the DPA (R-GDPR-1): demo values; fonts
        // from fonts-dejavu-core (installed above).
        .env("POSTERN_PROCESSOR_NAME", "Postern Demo Hosting S.L.")
        .env(
            "POSTERN_PROCESSOR_ADDRESS",
            "Calle de Alcalá 42; 28014 Madrid; Spain",
        )
        .env("POSTERN_PROCESSOR_CONTACT", "privacy@postern.test")
        .env(
            "POSTERN_PROCESSOR_SIGNATORY",
            "Lucía Fernández, Data Protection Officer",
        )
        .env(
            "POSTERN_DATA_JURISDICTION",
            "en=Spain (European Union);es=España (Unión Europea);fr=Espagne (Union européenne);de=Spanien (Europäische Union);it=Spagna (Unione europea)",
        )
        .env(
            "POSTERN_SUBPROCESSORS",
            "Centro de Datos Ibérico S.A., data centre (rack space, power, network), Madrid, Spain",
        )
        .env("POSTERN_DPA_FONT_DIR", "/usr/share/fonts/truetype/dejavu")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        );
    cmd
}

/// Runs a one-shot gateway subcommand (`migrate`, `seed-demo`, …).
pub fn gateway_task(
    profile: Profile,
    layout: &Layout,
    ports: Ports,
    secrets: &Secrets,
    task: &str,
) -> Result<()> {
    let bin = gateway_binary(profile);
    if !bin.exists() {
        bail!(
            "{} is missing: build it first (`cargo xtask build`)",
            bin.display()
        );
    }
    let mut cmd = gateway_command(profile, layout, ports, secrets);
    cmd.arg(task);
    let start = Instant::now();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run postern-gateway {task}"))?;
    if !out.status.success() {
        bail!(
            "`postern-gateway {task}` failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "✓ postern-gateway {task} ({:.1}s)",
        start.elapsed().as_secs_f32()
    );
    Ok(())
}

struct Service {
    name: &'static str,
    child: Child,
    log: PathBuf,
    pid_file: PathBuf,
}

/// The gateway and edge of one run; dropping it stops them.
pub struct Services {
    layout: Layout,
    profile: Profile,
    running: Vec<Service>,
}

impl Services {
    pub fn new(layout: &Layout, profile: Profile) -> Services {
        Services {
            layout: layout.clone(),
            profile,
            running: Vec::new(),
        }
    }

    /// The pid of a running service (`"gateway"`, `"gateway2"`, `"edge"`, `"edge2"`).
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.running
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.child.id())
    }

    /// Starts gateway `n` (1 or 2) of the stack on its own ports
    /// ([`Ports::of_gateway`]).
    pub fn start_gateway(&mut self, n: usize, ports: Ports, secrets: &Secrets) -> Result<()> {
        let (name, own) = match (n, ports.of_gateway(n)) {
            (1, Some(p)) => ("gateway", p),
            (2, Some(p)) => ("gateway2", p),
            _ => bail!("this stack has no gateway {n}"),
        };
        let mut cmd = gateway_command(self.profile, &self.layout, own, secrets);
        cmd.arg("serve");
        self.spawn(name, cmd)?;
        self.wait_port(name, &local(own.gateway))
    }

    /// Starts edge `name` (`"edge"` or `"edge2"`) on `port`, in front of
    /// the gateways at `gateway_urls` (`GATEWAY_URL`, comma-separated).
    pub fn start_edge(
        &mut self,
        name: &'static str,
        port: u16,
        gateway_urls: &[String],
        secrets: &Secrets,
    ) -> Result<()> {
        let wasm = edge_component();
        let dist = repo_root().join("dist");
        let mut cmd = Command::new(util::cargo_bin("wasmtime"));
        cmd.current_dir(repo_root())
            .args(["serve", "--addr", &local(port), "-S", "cli"])
            .arg("--dir")
            .arg(format!("{}::/dist", dist.display()))
            // `--env NAME` without a value passes the host's value through,
            // which keeps the secrets out of `ps`.
            .args(["--env", "GATEWAY_URL"])
            .args(["--env", "POSTERN_EDGE_SECRET"])
            .args(["--env", "POSTERN_SESSION_KEY"])
            // `wasmtime serve` tells the component no peer address, so on
            // these loopback stacks a client's address is what
            // `X-Forwarded-For` says (tests give each client its own); with
            // neither, sign-in throttling and the sessions list know none.
            .args(["--env", "POSTERN_TRUST_FORWARDED_FOR"])
            .env("POSTERN_TRUST_FORWARDED_FOR", "true")
            .env("GATEWAY_URL", gateway_urls.join(","))
            .env("POSTERN_EDGE_SECRET", &secrets.edge_secret)
            .env("POSTERN_SESSION_KEY", &secrets.session_key)
            .arg(&wasm);
        self.spawn(name, cmd)?;
        self.wait_port(name, &local(port))?;
        self.wait_healthy(name, &local(port), "/api/health")
    }

    fn spawn(&mut self, name: &'static str, mut cmd: Command) -> Result<()> {
        let log = self.layout.log(name);
        let file = File::create(&log)?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start the {name} (`{}`)", util::display(&cmd)))?;
        let pid_file = self.layout.pid_file(name);
        write_file(&pid_file, child.id().to_string(), 0o644)?;
        self.running.push(Service {
            name,
            child,
            log,
            pid_file,
        });
        Ok(())
    }

    fn service(&mut self, name: &str) -> &mut Service {
        self.running
            .iter_mut()
            .find(|s| s.name == name)
            .expect("service was spawned")
    }

    fn wait_port(&mut self, name: &str, addr: &str) -> Result<()> {
        let svc = self.service(name);
        let log = svc.log.clone();
        let child = &mut svc.child;
        util::wait_for_port(name, addr, Duration::from_secs(60), &log, || {
            matches!(child.try_wait(), Ok(None))
        })
    }

    /// Polls `GET path` until it answers 200.
    fn wait_healthy(&mut self, name: &str, addr: &str, path: &str) -> Result<()> {
        let start = Instant::now();
        let mut last = String::new();
        while start.elapsed() < Duration::from_secs(30) {
            util::check_interrupted()?;
            match util::http_status(addr, path) {
                Ok(200) => return Ok(()),
                Ok(code) => last = format!("HTTP {code}"),
                Err(e) => last = e.to_string(),
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = self.service(name).log.clone();
        bail!(
            "{name}: GET http://{addr}{path} is not 200 after 30s (last: {last})\n{}{}",
            tail(&log, 20),
            tail(&self.layout.log("gateway"), 20)
        )
    }

    /// The first service that exited on its own, with its log tail.
    pub fn check_alive(&mut self) -> Result<()> {
        for svc in &mut self.running {
            if let Ok(Some(status)) = svc.child.try_wait() {
                bail!(
                    "the {} exited unexpectedly ({status})\n{}",
                    svc.name,
                    tail(&svc.log, 30)
                );
            }
        }
        Ok(())
    }

    pub fn stop(&mut self) {
        // Last started first: the edges (they call the gateways), then the
        // gateways.
        while let Some(mut svc) = self.running.pop() {
            let pgid = svc.child.id() as i32;
            util::kill_group(pgid, libc::SIGTERM);
            let start = Instant::now();
            while matches!(svc.child.try_wait(), Ok(None))
                && start.elapsed() < Duration::from_secs(5)
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            util::kill_group(pgid, libc::SIGKILL);
            let _ = svc.child.wait();
            let _ = std::fs::remove_file(&svc.pid_file);
        }
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn the_gateway_learns_where_sending_and_transfers_live() {
        let layout = Layout::new(Path::new("/tmp/x/test"));
        let cmd = gateway_command(Profile::Dev, &layout, Ports::TEST, &Secrets::fixed());
        let env = envs(&cmd);
        let get = |k: &str| env.get(k).map(String::as_str);
        assert_eq!(get("POSTERN_SUBMISSION_ADDR"), Some("127.0.0.1:20587"));
        assert_eq!(get("POSTERN_POLICY_ADDR"), Some("127.0.0.1:20027"));
        assert_eq!(get("POSTERN_MILTER_ADDR"), Some("127.0.0.1:20028"));
        assert_eq!(
            get("POSTERN_SUBMISSION_CA"),
            Some("/tmp/x/test/tls/cert.pem")
        );
        assert_eq!(get("POSTERN_SUBMISSION_TLS_NAME"), Some("localhost"));
        assert_eq!(get("POSTERN_BLOB_DIR"), Some("/tmp/x/test/blobs"));
        assert_eq!(get("POSTERN_PUBLIC_URL"), Some("http://127.0.0.1:18080"));
        assert_eq!(get("POSTERN_DATABASE"), Some("/tmp/x/test/db/postern.db"));
    }

    fn envs(cmd: &Command) -> std::collections::BTreeMap<String, String> {
        cmd.get_envs()
            .filter_map(|(k, v)| {
                Some((
                    k.to_string_lossy().into_owned(),
                    v?.to_string_lossy().into_owned(),
                ))
            })
            .collect()
    }

    #[test]
    fn two_gateways_share_the_database_and_blobs_but_not_their_listeners() {
        let mut layout = Layout::new(Path::new("/tmp/x/test-pg"));
        layout.database = crate::database::Database::Postgres {
            port: 21432,
            password: "pw".into(),
        };
        let ports = Ports::TEST_PG;
        let [one, two] = [1, 2].map(|n| {
            envs(&gateway_command(
                Profile::Dev,
                &layout,
                ports.of_gateway(n).unwrap(),
                &Secrets::fixed(),
            ))
        });
        let url = "postgres://postern:pw@127.0.0.1:21432/postern";
        for env in [&one, &two] {
            assert_eq!(env["POSTERN_DATABASE"], url);
            assert_eq!(env["POSTERN_BLOB_DIR"], "/tmp/x/test-pg/blobs");
            assert_eq!(env["POSTERN_EDGE_SECRET"], "e");
            assert_eq!(
                env["POSTERN_TOTP_KEY"],
                "7".repeat(64),
                "one key for every gateway"
            );
            assert_eq!(env["POSTERN_IMAP_ADDR"], "127.0.0.1:21143");
            assert_eq!(env["POSTERN_PUBLIC_URL"], "http://127.0.0.1:18180");
        }
        assert_eq!(one["POSTERN_GATEWAY_ADDR"], "127.0.0.1:18181");
        assert_eq!(two["POSTERN_GATEWAY_ADDR"], "127.0.0.1:18182");
        assert_eq!(one["POSTERN_POLICY_ADDR"], "127.0.0.1:21027");
        assert_eq!(two["POSTERN_POLICY_ADDR"], "127.0.0.1:21029");
        assert_eq!(one["POSTERN_MILTER_ADDR"], "127.0.0.1:21028");
        assert_eq!(two["POSTERN_MILTER_ADDR"], "127.0.0.1:21030");
    }
}
