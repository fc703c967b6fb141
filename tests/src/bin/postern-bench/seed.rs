//! Seeding the bench folders; the 10k one is itself a figure
//! (`seed_10k_seconds`).

use std::process::{Command, Stdio};
use std::time::Instant;

use postern_tests::Stack;

use crate::Result;
use crate::plan::{BULK_COUNT, BULK_FOLDER};

/// The 10k folder every pass lists.
pub fn seed_bulk(stack: &Stack, gateway_pid: u32, address: &str) -> Result<f64> {
    seed_folder(stack, gateway_pid, address, BULK_FOLDER, BULK_COUNT)
}

/// `postern-gateway seed-bulk` with the very binary the stack runs (the
/// release gateway, found through `/proc/<pid>/exe`). Returns seconds.
pub fn seed_folder(
    stack: &Stack,
    gateway_pid: u32,
    address: &str,
    folder: &str,
    count: usize,
) -> Result<f64> {
    println!("→ seeding {count} messages into {folder:?} (postern-gateway seed-bulk)");
    let exe = std::fs::read_link(format!("/proc/{gateway_pid}/exe"))
        .map_err(|e| format!("cannot find the gateway's binary (pid {gateway_pid}): {e}"))?;
    let start = Instant::now();
    let out = Command::new(&exe)
        .args(["seed-bulk", "--mailbox", address, "--folder", folder])
        .args(["--count", &count.to_string()])
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
