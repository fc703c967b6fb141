//! `cargo xtask fuzz [--seconds=N]`: every cargo-fuzz target of `fuzz/`
//! (the parsers that face the internet: a stored message through the MIME
//! view and the sanitiser, an IMAP server's responses through the
//! gateway's parser) for a bounded time each — 60 s unless told. Not part
//! of `cargo xtask test`. New inputs go to `target/fuzz/corpus/<target>`
//! (the committed seeds in `fuzz/corpus/<target>` stay small); a crash is
//! left in `fuzz/artifacts/<target>/` and the run fails: turn it into a
//! regression test, then fix it.
//!
//! The machine has one (stable) toolchain; cargo-fuzz's instrumentation
//! flags are nightly-only, so the build runs with `RUSTC_BOOTSTRAP=1`, and
//! without a sanitizer (`--sanitizer none`: there is no unsafe code of our
//! own to check; panics, hangs and allocation blow-ups are what we look for).

use crate::install;
use crate::util::{self, exec, repo_root};
use anyhow::Result;
use std::time::Instant;

pub const TARGETS: &[&str] = &["mime_view", "imap_response"];
pub const DEFAULT_SECONDS: u64 = 60;

pub fn run(seconds: Option<u64>, skip_install: bool) -> Result<()> {
    if !skip_install {
        install::fuzz_tool()?;
    }
    let secs = seconds.unwrap_or(DEFAULT_SECONDS);
    let root = repo_root();
    let mut report = Vec::new();
    for target in TARGETS {
        let seeds = root.join("fuzz/corpus").join(target);
        let found = root.join("target/fuzz/corpus").join(target);
        std::fs::create_dir_all(&found)?;
        println!("== fuzz {target}: {secs} s");
        let start = Instant::now();
        exec(
            util::cargo()
                .current_dir(root.join("fuzz"))
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", "--sanitizer", "none", target])
                .arg(&found)
                .arg(&seeds)
                .arg("--")
                .arg(format!("-max_total_time={secs}"))
                .arg("-max_len=65536")
                .arg("-timeout=10")
                .arg("-rss_limit_mb=2048"),
        )?;
        let inputs = std::fs::read_dir(&found)?.count();
        report.push(format!(
            "{target}: {:.0} s, no crash; {inputs} inputs in {}",
            start.elapsed().as_secs_f32(),
            found.display()
        ));
    }
    println!("\n== fuzz summary");
    for line in report {
        println!("  ✓ {line}");
    }
    Ok(())
}
