//! The real-stack test harness. `cargo xtask test` starts Dovecot, Postfix,
//! the SMTP sink, the gateway and the edge (run dir `target/postern/test`,
//! test ports), then runs `cargo test -p postern-tests` with `POSTERN_TEST_*`
//! variables that say where everything is; [`Stack::get`] reads them.
//!
//! - [`Stack`]: addresses, secrets and paths of the running stack; restart
//!   Dovecot; read what reached the sink.
//! - [`api::ApiClient`]: the browser's view (cookies, CSRF, typed errors).
//! - [`imap::ImapClient`]: a plain IMAP client, independent of the gateway's
//!   code, to check what the gateway did (or to act behind its back).
//! - [`gateways`]: calling one gateway process directly, as the edge
//!   does (stacks with several gateways on one PostgreSQL database), and
//!   speaking Postfix's policy protocol to each.
//! - [`sending`]: the compose/send and upload/transfer routes, device
//!   passwords and aliases; [`smtp`]: a mail client (`curl smtp://`) on
//!   Dovecot submission; [`mail`]: reading what was delivered (a mailbox's
//!   folders over IMAP, the sink's Maildir) and message headers.
//!
//! Tests in one file run in parallel (4 threads) and share the stack: give
//! each test its own organisation/mailbox ([`unique`]). Files run one after
//! another, so a test that restarts Dovecot lives alone in its own file.

pub mod api;
pub mod fixtures;
pub mod gateways;
pub mod imap;
pub mod live;
pub mod mail;
pub mod managesieve;
pub mod pop3;
pub mod postfix_log;
pub mod sending;
pub mod smtp;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use api::{ApiClient, ApiFailure};
pub use imap::{ImapClient, ImapError};

/// The demo organisation `postern-gateway seed-demo` creates.
pub const DEMO_OWNER: &str = "olivia@example.test";
pub const DEMO_USER: &str = "umar@example.test";
pub const DEMO_PASSWORD: &str = "postern-demo";

/// Everything a test needs to know about the running stack.
#[derive(Debug, Clone)]
pub struct Stack {
    /// `POSTERN_TEST_EDGE_URL`, e.g. `http://127.0.0.1:18080` (what a browser talks to).
    pub edge_url: String,
    /// `POSTERN_TEST_GATEWAY_URL`, e.g. `http://127.0.0.1:18081`.
    pub gateway_url: String,
    /// `POSTERN_TEST_EDGE_SECRET`: send as `X-Postern-Edge-Secret` to call the gateway directly.
    pub edge_secret: String,
    /// `POSTERN_TEST_DATABASE`: the gateway's database, a SQLite file or a
    /// `postgres://` URL (Dovecot's passdb/userdb and Postfix read it too).
    pub database: String,
    /// `POSTERN_TEST_BACKEND`: `sqlite` or `postgres`.
    pub backend: String,
    /// `POSTERN_TEST_GATEWAY_URLS`: every gateway process of the stack (the
    /// edge spreads its calls over them; the first is `gateway_url`).
    pub gateway_urls: Vec<String>,
    /// `POSTERN_TEST_POLICY_ADDRS`: each gateway's Postfix policy service.
    pub policy_addrs: Vec<String>,
    /// `POSTERN_TEST_IMAP_ADDR`: Dovecot IMAP (plain, STARTTLS offered).
    pub imap_addr: String,
    /// `POSTERN_TEST_IMAPS_ADDR`: Dovecot IMAPS (self-signed certificate).
    pub imaps_addr: String,
    /// `POSTERN_TEST_POP3_ADDR`: Dovecot POP3 (plain, STARTTLS offered).
    pub pop3_addr: String,
    /// `POSTERN_TEST_SMTP_ADDR`: Postfix smtpd, the MX for every domain of the `domains` table.
    pub smtp_addr: String,
    /// `POSTERN_TEST_SUBMISSION_ADDR`: Dovecot submission (device passwords).
    pub submission_addr: String,
    /// `POSTERN_TEST_SIEVE_ADDR`: ManageSieve.
    pub sieve_addr: String,
    /// `POSTERN_TEST_LMTP_ADDR`: Dovecot LMTP (direct delivery, no Postfix).
    pub lmtp_addr: String,
    /// `POSTERN_TEST_SINK_MAILDIR`: where mail for every other domain lands.
    pub sink_maildir: PathBuf,
    /// `POSTERN_TEST_MASTER_USER`: log in as `address*<master_user>`.
    pub master_user: String,
    /// `POSTERN_TEST_MASTER_PASSWORD`.
    pub master_password: String,
    /// `POSTERN_TEST_RUN_DIR`: `target/postern/test`.
    pub run_dir: PathBuf,
    /// `POSTERN_TEST_DOVECOT_CONF`: for `doveadm -c` / `dovecot -c`.
    pub dovecot_conf: PathBuf,
    /// `POSTERN_TEST_LOG_DIR`: dovecot.log, postfix.log, gateway.log, edge.log, sink.log.
    pub log_dir: PathBuf,
    /// `POSTERN_TEST_BLOB_DIR`: the gateway's uploads and transfers.
    pub blob_dir: PathBuf,
    /// `POSTERN_TEST_POLICY_ADDR`: the gateway's Postfix policy service.
    pub policy_addr: String,
    /// `POSTERN_TEST_PUBLIC_URL`: the origin transfer links start with.
    pub public_url: String,
    /// `POSTERN_TEST_TLS_CERT`: Dovecot's self-signed certificate (PEM), valid
    /// for `localhost` and `127.0.0.1`.
    pub tls_cert: PathBuf,
}

fn var(name: &str) -> String {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => v,
        _ => panic!(
            "{name} is not set: these tests need the real stack — run them through \
             `cargo xtask test` (it starts Dovecot, Postfix, the gateway and the edge \
             and sets POSTERN_TEST_*)"
        ),
    }
}

fn list(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

impl Stack {
    /// Reads the `POSTERN_TEST_*` variables; panics with a hint to run
    /// through `cargo xtask test` when they are missing.
    pub fn from_env() -> Stack {
        Stack {
            edge_url: var("POSTERN_TEST_EDGE_URL"),
            gateway_url: var("POSTERN_TEST_GATEWAY_URL"),
            edge_secret: var("POSTERN_TEST_EDGE_SECRET"),
            database: var("POSTERN_TEST_DATABASE"),
            backend: var("POSTERN_TEST_BACKEND"),
            gateway_urls: list(&var("POSTERN_TEST_GATEWAY_URLS")),
            policy_addrs: list(&var("POSTERN_TEST_POLICY_ADDRS")),
            imap_addr: var("POSTERN_TEST_IMAP_ADDR"),
            imaps_addr: var("POSTERN_TEST_IMAPS_ADDR"),
            pop3_addr: var("POSTERN_TEST_POP3_ADDR"),
            smtp_addr: var("POSTERN_TEST_SMTP_ADDR"),
            submission_addr: var("POSTERN_TEST_SUBMISSION_ADDR"),
            sieve_addr: var("POSTERN_TEST_SIEVE_ADDR"),
            lmtp_addr: var("POSTERN_TEST_LMTP_ADDR"),
            sink_maildir: var("POSTERN_TEST_SINK_MAILDIR").into(),
            master_user: var("POSTERN_TEST_MASTER_USER"),
            master_password: var("POSTERN_TEST_MASTER_PASSWORD"),
            run_dir: var("POSTERN_TEST_RUN_DIR").into(),
            dovecot_conf: var("POSTERN_TEST_DOVECOT_CONF").into(),
            log_dir: var("POSTERN_TEST_LOG_DIR").into(),
            blob_dir: var("POSTERN_TEST_BLOB_DIR").into(),
            policy_addr: var("POSTERN_TEST_POLICY_ADDR"),
            public_url: var("POSTERN_TEST_PUBLIC_URL"),
            tls_cert: var("POSTERN_TEST_TLS_CERT").into(),
        }
    }

    /// The stack, read from the environment once per test binary.
    pub fn get() -> &'static Stack {
        static STACK: OnceLock<Stack> = OnceLock::new();
        STACK.get_or_init(Stack::from_env)
    }

    /// A client for the public API (`/api/…` on the edge), not signed in.
    pub fn client(&self) -> ApiClient {
        ApiClient::new(&self.edge_url)
    }

    /// A client for the gateway's internal API (`/v1/…`) that sends the edge
    /// secret, as the edge does. Add `X-Postern-Session` yourself.
    pub fn gateway_client(&self) -> ApiClient {
        ApiClient::with_header(
            &self.gateway_url,
            postern_shared::wire::headers::EDGE_SECRET,
            &self.edge_secret,
        )
    }

    /// A plain IMAP session on `address`'s mailbox, logged in as the master
    /// user (`address*master`), exactly as the gateway logs in.
    pub async fn imap(&self, address: &str) -> ImapClient {
        let mut c = ImapClient::connect(&self.imap_addr)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to IMAP {}: {e}", self.imap_addr));
        let user = format!("{address}*{}", self.master_user);
        c.login(&user, &self.master_password)
            .await
            .unwrap_or_else(|e| panic!("master login as {address} failed: {e}"));
        c
    }

    /// `doveadm -c <conf> <args>`; panics with its stderr on failure.
    pub fn doveadm(&self, args: &[&str]) -> String {
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(&self.dovecot_conf)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("doveadm runs");
        assert!(
            out.status.success(),
            "doveadm {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Stops Dovecot and waits until its master process is gone and the IMAP
    /// port is closed.
    pub async fn stop_dovecot(&self) {
        let pid = self.dovecot_pid();
        let _ = Command::new("doveadm")
            .arg("-c")
            .arg(&self.dovecot_conf)
            .arg("stop")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(15) {
            let gone = pid.is_none_or(|p| !Path::new(&format!("/proc/{p}")).exists());
            if gone && !port_open(&self.imap_addr) {
                // Mail processes outlive their master until they notice it is
                // gone; a real restart drops every session at once.
                if let Some(instance) = self.conf_value("instance_name") {
                    let prefix = format!("dovecot-{instance}/");
                    for signal in ["-TERM", "-KILL"] {
                        let pids = pids_with_cmdline_prefix(&prefix);
                        if pids.is_empty() {
                            break;
                        }
                        let _ = Command::new("kill").arg(signal).args(&pids).status();
                        tokio::time::sleep(Duration::from_millis(300)).await;
                    }
                }
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("Dovecot did not stop within 15 s");
    }

    /// Starts Dovecot again (same configuration) and waits for the IMAP port.
    pub async fn start_dovecot(&self) {
        // Output to null, never to a pipe: the daemon would keep it open.
        let status = Command::new("dovecot")
            .arg("-c")
            .arg(&self.dovecot_conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("dovecot runs");
        assert!(
            status.success(),
            "dovecot -c failed: see {}",
            self.log("dovecot").display()
        );
        wait_for_port(&self.imap_addr, Duration::from_secs(20)).await;
    }

    /// Restarts Dovecot (every IMAP connection drops), as an operator or a
    /// crash would. Tests that call this must live alone in their own file.
    pub async fn restart_dovecot(&self) {
        self.stop_dovecot().await;
        self.start_dovecot().await;
    }

    /// Restarts the (first) gateway in place — SIGUSR2: a fresh process
    /// image, its state only what the database holds, as after a crash —
    /// and waits until it serves again. Tests that call this must live
    /// alone in their own file.
    pub async fn restart_gateway(&self) {
        let pid_file = self.run_dir.join("pids/gateway.pid");
        let pid = std::fs::read_to_string(&pid_file)
            .unwrap_or_else(|e| panic!("{}: {e}", pid_file.display()));
        let log = self.log("gateway");
        let started = || {
            std::fs::read_to_string(&log)
                .unwrap_or_default()
                .matches("gateway listening")
                .count()
        };
        let before = started();
        let status = Command::new("kill")
            .args(["-USR2", pid.trim()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -USR2 {pid}");
        let health = format!("{}/api/health", self.edge_url);
        eventually(
            "the gateway serving again after its restart",
            Duration::from_secs(30),
            || async {
                if started() <= before {
                    return None;
                }
                let ok = reqwest::get(&health).await.ok()?.status().is_success();
                ok.then_some(())
            },
        )
        .await;
    }

    /// A top-level `name = value` of dovecot.conf.
    fn conf_value(&self, name: &str) -> Option<String> {
        let conf = std::fs::read_to_string(&self.dovecot_conf).ok()?;
        let prefix = format!("{name} = ");
        conf.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .map(|v| v.trim().to_string())
    }

    fn dovecot_pid(&self) -> Option<u32> {
        let base = self.conf_value("base_dir")?;
        std::fs::read_to_string(Path::new(&base).join("master.pid"))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// `<log_dir>/<name>.log`.
    pub fn log(&self, name: &str) -> PathBuf {
        self.log_dir.join(format!("{name}.log"))
    }

    /// Every message that reached the sink (mail for other domains), raw.
    pub fn sink_messages(&self) -> Vec<Vec<u8>> {
        let mut files: Vec<PathBuf> = ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.sink_maildir.join(d)).ok())
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        files.iter().filter_map(|f| std::fs::read(f).ok()).collect()
    }
}

/// A name no other test (nor an earlier run) uses: `<prefix><pid>x<n><time>`,
/// lowercase ASCII, fit for a local part or an organisation slug.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000)
        .unwrap_or(0);
    format!("{prefix}{}x{n}t{t}", std::process::id())
}

/// Polls `check` until it returns `Some`, or panics after `timeout` saying
/// what was awaited (mail delivery, a log line, …).
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        if start.elapsed() > timeout {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Pids whose command line (process title) starts with `prefix`.
fn pids_with_cmdline_prefix(prefix: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            cmdline.starts_with(prefix.as_bytes()).then_some(name)
        })
        .collect()
}

fn port_open(addr: &str) -> bool {
    addr.parse()
        .ok()
        .map(|a| TcpStream::connect_timeout(&a, Duration::from_millis(200)).is_ok())
        .unwrap_or(false)
}

async fn wait_for_port(addr: &str, timeout: Duration) {
    let start = Instant::now();
    while !port_open(addr) {
        assert!(
            start.elapsed() < timeout,
            "{addr} does not accept connections after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
