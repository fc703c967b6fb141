//! Prerequisites, installed only when missing (so a second run takes a
//! second): Debian packages, Rust targets, pinned cargo tools, npm tools,
//! the Python SMTP sink. Needs root on Debian 12.

use crate::util::{self, cargo_bin, exec, is_root, output, repo_root, succeeds};
use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const APT_PACKAGES: &[&str] = &[
    "dovecot-imapd",
    "dovecot-pop3d",
    "dovecot-lmtpd",
    "dovecot-submissiond",
    "dovecot-managesieved",
    "dovecot-sieve",
    "dovecot-sqlite",
    "dovecot-pgsql",
    "sqlite3",
    "postfix",
    // Postfix's lookups of domains, mailboxes and aliases in the database.
    "postfix-sqlite",
    "postfix-pgsql",
    // The spam filter of incoming mail (R-SPAM), a milter of Postfix's smtpd.
    "rspamd",
    // rspamd's Bayes statistics (the run's own server, R-SPAM-5).
    "redis-server",
    // The run's own PostgreSQL server (`up --postgres`, the PostgreSQL
    // stages of `test` and `bench`; the system cluster stays unused).
    "postgresql",
    "openssl",
    "chromium",
    "chromium-driver",
    "brotli",
    // The API fuzz signs in with it.
    "curl",
    // The DPA's fonts (read by the gateway at start, R-GDPR-1), and the
    // tests' `pdftotext` / `pdffonts`.
    "fonts-dejavu-core",
    "poppler-utils",
];

const RUST_TARGETS: &[&str] = &["wasm32-wasip2", "wasm32-unknown-unknown"];

/// Must equal the `wasm-bindgen` crate version in Cargo.lock (and Trunk.toml).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASMTIME_VERSION: &str = "48.0.8";

struct CargoTool {
    /// The binary whose `--version` we read.
    bin: &'static str,
    version: &'static str,
    args: &'static [&'static str],
    minutes: u32,
}

const CARGO_TOOLS: &[CargoTool] = &[
    CargoTool {
        bin: "wasm-bindgen",
        version: WASM_BINDGEN_VERSION,
        // No --locked: its lock file pins a crate version missing from the index.
        args: &["wasm-bindgen-cli", "--version", WASM_BINDGEN_VERSION],
        minutes: 7,
    },
    CargoTool {
        bin: "trunk",
        version: TRUNK_VERSION,
        // 0.22 needs a newer rustc.
        args: &["trunk", "--locked", "--version", TRUNK_VERSION],
        minutes: 15,
    },
    CargoTool {
        bin: "wasmtime",
        version: WASMTIME_VERSION,
        // Trimmed feature set: half the build time of the default CLI.
        args: &[
            "wasmtime-cli@48.0.8",
            "--locked",
            "--no-default-features",
            "--features",
            "serve,run,cranelift,parallel-compilation,pooling-allocator,cache,component-model-async,wasi-config,wasi-keyvalue",
        ],
        minutes: 18,
    },
];

pub fn run() -> Result<()> {
    let start = Instant::now();
    println!("== install: prerequisites");
    apt()?;
    rust_targets()?;
    for tool in CARGO_TOOLS {
        cargo_tool(tool)?;
        util::check_interrupted()?;
    }
    npm()?;
    aiosmtpd()?;
    schemathesis()?;
    println!(
        "✓ prerequisites ready ({:.0}s)",
        start.elapsed().as_secs_f32()
    );
    Ok(())
}

fn apt_installed(pkg: &str) -> bool {
    output(Command::new("dpkg-query").args(["-W", "-f=${Status}", pkg]))
        .map(|s| s.contains("install ok installed"))
        .unwrap_or(false)
}

fn apt() -> Result<()> {
    let mut missing: Vec<&str> = APT_PACKAGES
        .iter()
        .copied()
        .filter(|p| !apt_installed(p))
        .collect();
    // Node.js often comes from elsewhere (NodeSource, with its own npm, which
    // conflicts with Debian's npm): only ask Debian when there is none.
    if !succeeds(Command::new("npm").arg("--version")) {
        missing.extend(["nodejs", "npm"]);
    }
    if missing.is_empty() {
        println!("✓ Debian packages present (dovecot, postfix, postgresql, chromium, …)");
        return Ok(());
    }
    if !is_root() {
        bail!(
            "missing Debian packages {} and not root: run as root or `apt-get install {}`",
            missing.join(" "),
            missing.join(" ")
        );
    }
    println!(
        "→ installing Debian packages: {} (≈2 min)",
        missing.join(" ")
    );
    // Debian starts a package's service on install; ours run their own
    // instances on other ports, so keep the system dovecot/postfix/rspamd down.
    // policy-rc.d answering 101 ("action forbidden") does that.
    let policy = Path::new("/usr/sbin/policy-rc.d");
    let created_policy = !policy.exists();
    if created_policy {
        util::write_file(
            policy,
            "#!/bin/sh\n# cargo xtask install\nexit 101\n",
            0o755,
        )?;
    }
    let result = (|| -> Result<()> {
        exec(
            Command::new("apt-get")
                .args(["update", "-q"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
        exec(
            Command::new("apt-get")
                .args(["install", "-y", "-q"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    })();
    if created_policy {
        let _ = std::fs::remove_file(policy);
    }
    result?;
    // In case an init system started them anyway (e.g. no policy-rc.d support).
    for svc in ["dovecot", "postfix", "rspamd"] {
        if succeeds(Command::new("service").args([svc, "status"])) {
            println!("→ stopping the system {svc} service (Postern runs its own)");
            let _ = succeeds(Command::new("service").args([svc, "stop"]));
        }
    }
    Ok(())
}

fn rust_targets() -> Result<()> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm targets")?;
    for target in RUST_TARGETS {
        if installed.lines().any(|l| l.trim() == *target) {
            println!("✓ Rust target {target} present");
        } else {
            println!("→ adding Rust target {target}");
            exec(Command::new("rustup").args(["target", "add", target]))?;
        }
    }
    Ok(())
}

/// cargo-fuzz, pinned: only `cargo xtask fuzz` needs it.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";

pub fn fuzz_tool() -> Result<()> {
    cargo_tool(&CargoTool {
        bin: "cargo-fuzz",
        version: CARGO_FUZZ_VERSION,
        args: &["cargo-fuzz", "--version", CARGO_FUZZ_VERSION, "--locked"],
        minutes: 3,
    })
}

fn cargo_tool(tool: &CargoTool) -> Result<()> {
    let bin = cargo_bin(tool.bin);
    let current = output(Command::new(&bin).arg("--version")).unwrap_or_default();
    // e.g. "wasm-bindgen 0.2.130", "trunk 0.21.14", "wasmtime 48.0.8 (…)"
    if current
        .split_whitespace()
        .nth(1)
        .is_some_and(|v| v == tool.version)
    {
        println!("✓ {} {} present", tool.bin, tool.version);
        return Ok(());
    }
    let what = if current.is_empty() {
        "installing".to_string()
    } else {
        format!("replacing {} with", current.trim())
    };
    println!(
        "→ {what} {} {} (≈{} min on 2 cores)",
        tool.bin, tool.version, tool.minutes
    );
    let start = Instant::now();
    exec(util::cargo().arg("install").args(tool.args))?;
    println!(
        "✓ {} {} installed ({:.0} min)",
        tool.bin,
        tool.version,
        start.elapsed().as_secs_f32() / 60.0
    );
    Ok(())
}

fn npm() -> Result<()> {
    let root = repo_root();
    let lock = root.join("package-lock.json");
    // npm writes node_modules/.package-lock.json on every install.
    let marker = root.join("node_modules/.package-lock.json");
    let mtime = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (mtime(&marker), mtime(&lock)) {
        (Some(installed), Some(locked)) => installed >= locked,
        _ => false,
    };
    if fresh {
        println!("✓ npm tools present (binaryen, @playwright/test)");
        return Ok(());
    }
    println!("→ npm ci (binaryen for wasm-opt, @playwright/test; browsers come from Debian)");
    exec(
        Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
    )
}

/// The API fuzzer of `cargo xtask test` (pinned: its checks and CLI move).
pub const SCHEMATHESIS: &str = "4.32.5";

fn schemathesis() -> Result<()> {
    let version = output(Command::new("st").arg("--version")).unwrap_or_default();
    if version.trim().ends_with(SCHEMATHESIS) {
        println!("✓ schemathesis {SCHEMATHESIS} present");
        return Ok(());
    }
    println!("→ pip install schemathesis=={SCHEMATHESIS} (the API fuzzer)");
    exec(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "-q",
        &format!("schemathesis=={SCHEMATHESIS}"),
    ]))
}

fn aiosmtpd() -> Result<()> {
    if succeeds(Command::new("python3").args(["-c", "import aiosmtpd"])) {
        println!("✓ aiosmtpd present");
        return Ok(());
    }
    println!("→ pip install aiosmtpd (the SMTP sink for other domains)");
    if exec(Command::new("python3").args(["-m", "pip", "install", "-q", "aiosmtpd"])).is_err() {
        // Debian's own python3 refuses pip (PEP 668): use its package.
        exec(
            Command::new("apt-get")
                .args(["install", "-y", "-q", "python3-aiosmtpd"])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )?;
    }
    if !succeeds(Command::new("python3").args(["-c", "import aiosmtpd"])) {
        bail!("aiosmtpd is still not importable by python3");
    }
    Ok(())
}
