//! Small helpers every verb uses: where the repository is, running commands
//! with a readable echo, waiting for ports, reading log tails, Ctrl-C.

use anyhow::{Context, Result, bail};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Ctrl-C and SIGTERM only set a flag: the verbs notice it, return an error,
/// and the Drop guards stop every process we started. (Our long-running
/// children live in their own process groups, so the terminal's SIGINT does
/// not reach them; cargo/npm children in the foreground group do get it.)
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            eprintln!("\nxtask: second interrupt, exiting now");
            std::process::exit(130);
        }
        eprintln!("\nxtask: interrupted, stopping…");
    });
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

pub fn check_interrupted() -> Result<()> {
    if interrupted() {
        bail!("interrupted");
    }
    Ok(())
}

/// The workspace root (the parent of `xtask/`).
/// Free space, in GiB, on the file system holding `path` (or its nearest
/// existing parent), from `df`; `None` when it cannot tell.
pub fn free_gib(path: &Path) -> Option<f64> {
    let existing = path.ancestors().find(|p| p.exists())?;
    let out = Command::new("df").arg("-Pk").arg(existing).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kib: f64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kib / (1024.0 * 1024.0))
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// `cargo` as invoked by the user (same toolchain), or `cargo` on PATH.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(repo_root());
    cmd
}

/// Runs `cmd` in the foreground (inherited stdio), echoing it first, and
/// fails with its exit status.
pub fn exec(cmd: &mut Command) -> Result<()> {
    println!("  $ {}", display(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start `{}`", display(cmd)))?;
    check_interrupted()?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(cmd));
    }
    Ok(())
}

/// Runs `cmd` quietly and returns its stdout; fails with stderr included.
pub fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot start `{}`", display(cmd)))?;
    if !out.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            display(cmd),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `cmd` runs and exits 0 (output discarded).
pub fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

pub fn display(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        let a = a.to_string_lossy();
        if a.contains(' ') || a.is_empty() {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// The last `n` lines of a log file, indented, for error messages.
pub fn tail(path: &Path, n: usize) -> String {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(n);
            let mut out = format!("--- last lines of {} ---\n", path.display());
            for l in &lines[start..] {
                out.push_str("  ");
                out.push_str(l);
                out.push('\n');
            }
            out
        }
        Err(e) => format!("(cannot read {}: {e})", path.display()),
    }
}

pub fn port_open(addr: &str) -> bool {
    addr.to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .map(|a| TcpStream::connect_timeout(&a, Duration::from_millis(250)).is_ok())
        .unwrap_or(false)
}

/// Waits until `addr` accepts TCP connections. `alive` is asked between
/// attempts so a process that died fails fast instead of timing out; on
/// failure the error carries the tail of `log`.
pub fn wait_for_port(
    what: &str,
    addr: &str,
    timeout: Duration,
    log: &Path,
    mut alive: impl FnMut() -> bool,
) -> Result<()> {
    let start = Instant::now();
    loop {
        if port_open(addr) {
            return Ok(());
        }
        check_interrupted()?;
        if !alive() {
            bail!(
                "{what} exited before listening on {addr}\n{}",
                tail(log, 30)
            );
        }
        if start.elapsed() > timeout {
            bail!(
                "{what} does not accept connections on {addr} after {}s\n{}",
                timeout.as_secs(),
                tail(log, 30)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A minimal HTTP/1.1 GET (no dependency needed for a health probe):
/// returns the status code.
pub fn http_status(addr: &str, path: &str) -> Result<u16> {
    let sock = addr
        .to_socket_addrs()?
        .next()
        .context("address resolves to nothing")?;
    let mut stream = TcpStream::connect_timeout(&sock, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        let r = stream.read(&mut head[n..])?;
        if r == 0 {
            break;
        }
        n += r;
    }
    let line = String::from_utf8_lossy(&head[..n]);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("not an HTTP answer: {line:?}"))
}

/// Writes `contents` to `path` with the given Unix mode.
pub fn write_file(path: &Path, contents: impl AsRef<[u8]>, mode: u32) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    Ok(())
}

pub fn mkdirs(dirs: &[&Path]) -> Result<()> {
    for d in dirs {
        std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    Ok(())
}

pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// uid and gid of a system user, from /etc/passwd.
pub fn user_ids(name: &str) -> Result<(u32, u32)> {
    let passwd = std::fs::read_to_string("/etc/passwd")?;
    for line in passwd.lines() {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() > 3 && f[0] == name {
            return Ok((f[2].parse()?, f[3].parse()?));
        }
    }
    bail!("system user `{name}` does not exist (is its package installed?)")
}

/// `chown user:group` of the user's primary group.
pub fn chown_to(path: &Path, user: &str) -> Result<()> {
    let (uid, gid) = user_ids(user)?;
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .with_context(|| format!("cannot chown {} to {user}", path.display()))
}

/// Random bytes from the kernel.
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(buf)
}

/// Whether process `pid` exists and its command line mentions `needle`
/// (guards against killing a recycled pid).
pub fn pid_matches(pid: i32, needle: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .map(|c| String::from_utf8_lossy(&c).contains(needle))
        .unwrap_or(false)
}

/// Pids whose command line (process title) starts with `prefix`.
pub fn pids_with_cmdline_prefix(prefix: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid: i32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            cmdline.starts_with(prefix.as_bytes()).then_some(pid)
        })
        .collect()
}

pub fn read_pid(path: &Path) -> Option<i32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// Sends `sig` to the process group `pgid` (our children are group leaders).
pub fn kill_group(pgid: i32, sig: i32) {
    if pgid > 1 {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }
}

pub fn kill_pid(pid: i32, sig: i32) {
    if pid > 1 {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

pub fn pid_alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks existence.
    pid > 1 && unsafe { libc::kill(pid, 0) } == 0
}

/// SIGTERM, wait up to `grace`, then SIGKILL — for a pid we do not parent.
pub fn terminate_pid(pid: i32, grace: Duration) {
    kill_pid(pid, libc::SIGTERM);
    let start = Instant::now();
    while pid_alive(pid) && start.elapsed() < grace {
        std::thread::sleep(Duration::from_millis(50));
    }
    if pid_alive(pid) {
        kill_pid(pid, libc::SIGKILL);
    }
}

/// A binary installed by `cargo install` (`$CARGO_HOME/bin`), even when that
/// directory is not on PATH; falls back to a PATH lookup.
pub fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(p) = home.map(|h| h.join("bin").join(name))
        && p.exists()
    {
        return p;
    }
    PathBuf::from(name)
}
