//! Builds what a stack runs: the gateway (native, dev profile — it optimises
//! argon2/sha2 already; `bench` builds release), the edge component
//! (wasm32-wasip2, release) and the frontend (`trunk build --release`, once
//! per app). cargo and trunk are incremental, so an unchanged tree builds
//! in seconds.

use crate::util::{self, cargo_bin, exec, repo_root};
use anyhow::{Result, bail};
use std::ffi::OsString;
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    Dev,
    Release,
}

pub fn run() -> Result<()> {
    all(Profile::Dev)
}

pub fn all(gateway_profile: Profile) -> Result<()> {
    let start = Instant::now();
    println!("== build");
    gateway(gateway_profile)?;
    edge()?;
    frontend()?;
    println!("✓ built ({:.0}s)", start.elapsed().as_secs_f32());
    Ok(())
}

pub fn gateway(profile: Profile) -> Result<()> {
    let mut cmd = util::cargo();
    cmd.args(["build", "-p", "postern-gateway"]);
    if profile == Profile::Release {
        cmd.arg("--release");
    }
    exec(&mut cmd)
}

pub fn edge() -> Result<()> {
    exec(util::cargo().args([
        "build",
        "-p",
        "postern-edge",
        "--target",
        "wasm32-wasip2",
        "--release",
    ]))
}

/// Where the portal's build is staged before the webmail's build takes it
/// into `dist/`.
const PORTAL_DIST: &str = "target/portal-dist";
/// The fetched translations (`locales.rs`), copied into `dist/locales/` by
/// the webmail's post-build hook.
const LOCALES_DIST: &str = "target/locales-dist";

/// Both browser apps into `dist/`. Trunk builds one HTML target at a time
/// and replaces its whole dist directory, so the portal (`portal.html`) is
/// built first into [`PORTAL_DIST`], then the webmail (`index.html`, the
/// `[build]` target of Trunk.toml), whose post-build hook
/// (`frontend/build/precache.sh`) copies the portal's files into its stage:
/// `dist/` is replaced once, with both, and the service worker lists both.
pub fn frontend() -> Result<()> {
    let root = repo_root();
    if !root.join("Trunk.toml").exists() {
        bail!("Trunk.toml is missing at the repository root: the frontend cannot be built");
    }
    let portal_dist = root.join(PORTAL_DIST);
    std::fs::create_dir_all(&portal_dist)?;
    let locales_dist = root.join(LOCALES_DIST);
    crate::locales::write_files(&root, &locales_dist)?;
    exec(
        Command::new(cargo_bin("trunk"))
            // The target first: `--release` and `--offline` take an optional value.
            .args(["build", "frontend/portal.html", "--release", "--offline"])
            .arg("--dist")
            .arg(&portal_dist)
            .args(["--html-output", "portal.html"])
            .current_dir(&root)
            .env("PATH", path_with_node_tools()),
    )?;
    exec(
        Command::new(cargo_bin("trunk"))
            .args(["build", "--release", "--offline"])
            .current_dir(&root)
            .env("PATH", path_with_node_tools())
            .env("POSTERN_PORTAL_DIST", &portal_dist)
            .env("POSTERN_LOCALES_DIST", &locales_dist),
    )
}

/// PATH with `node_modules/.bin` first: Trunk must find npm's binaryen 132
/// `wasm-opt`, never Debian's 108 (which breaks the app), and the cargo bin
/// dir (wasm-bindgen) next.
pub fn path_with_node_tools() -> OsString {
    let root = repo_root();
    let mut dirs = vec![root.join("node_modules/.bin")];
    if let Some(cargo_bin_dir) = cargo_bin("cargo").parent()
        && !cargo_bin_dir.as_os_str().is_empty()
    {
        dirs.push(cargo_bin_dir.to_path_buf());
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH entries contain no ':'")
}
