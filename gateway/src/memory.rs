//! Giving memory back after big, short-lived work. glibc keeps what a
//! thread frees in that thread's arena, and every blocking thread that
//! renders a large message gets an arena of its own: measured on a dev
//! `up`, three cold renders of a 1 MiB HTML message took the gateway from
//! 35 to 91 MiB resident, and it stayed there; `malloc_trim(0)` brought it
//! to 51. So after a render of a large message the arenas are trimmed, on
//! a blocking thread of its own (a trim walks every arena: the answer does
//! not wait for it).

/// A message at least this big is trimmed after (below, what a render
/// frees is small and reused soon).
pub const TRIM_AFTER_BYTES: usize = 256 * 1024;

/// Trims the allocator's arenas in the background when `bytes` (the size
/// of what was just rendered) is worth it.
pub fn release_after(bytes: usize) {
    if worth_trimming(bytes) {
        tokio::task::spawn_blocking(trim);
    }
}

fn worth_trimming(bytes: usize) -> bool {
    bytes >= TRIM_AFTER_BYTES
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn trim() {
    // SAFETY: malloc_trim only returns free memory to the system; it is
    // thread-safe (it locks each arena) and touches no live allocation.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_large_renders_are_followed_by_a_trim() {
        assert!(!worth_trimming(10 * 1024));
        assert!(worth_trimming(TRIM_AFTER_BYTES));
        assert!(worth_trimming(1 << 20));
    }
}
