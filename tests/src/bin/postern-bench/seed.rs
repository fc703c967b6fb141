//! Seeding the 10k-message folder, itself a figure (`seed_10k_seconds`).

use std::process::{Command, Stdio};
use std::time::Instant;

use postern_tests::Stack;

use crate::Result;
use crate::plan::{BULK_COUNT, BULK_FOLDER};

/// `postern-gateway seed-bulk` with the very binary the stack runs (the
/// release gateway, found through `/proc/<pid>/exe`). Returns seconds.
pub fn seed_bulk(stack: &Stack, gateway_pid: u32, address: &str) -> Result<f64> {
    println!("→ seeding {BULK_COUNT} messages into {BULK_FOLDER:?} (postern-gateway seed-bulk)");
    let exe = std::fs::read_link(format!("/proc/{gateway_pid}/exe"))
        .map_err(|e| format!("cannot find the gateway's binary (pid {gateway_pid}): {e}"))?;
    let start = Instant::now();
    let out = Command::new(&exe)
        .args(["seed-bulk", "--mailbox", address, "--folder", BULK_FOLDER])
        .args(["--count", &BULK_COUNT.to_string()])
        .env("POSTERN_IMAP_ADDR", &stack.imap_addr)
        .env("POSTERN_IMAP_MASTER_USER", &stack.master_user)
        .env("POSTERN_IMAP_MASTER_PASSWORD", &stack.master_password)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let secs = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{} seed-bulk failed ({}): {}{}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    println!("  seeded in {secs:.1}s");
    Ok(secs)
}
