//! What the bench does, how big and how often. The report's Method section
//! quotes these, so they live in one place.

use std::time::Duration;

/// The 10k-message folder (a space in its name, as real folders have).
pub const BULK_FOLDER: &str = "Bench 10k";
pub const BULK_COUNT: usize = 10_000;
/// The folders of the list-cost figure (`list_p50_ms_1k` …): the same
/// first page on three sizes, to see whether its cost grows with the folder.
pub const SIZE_FOLDERS: [(&str, usize, &str); 3] = [
    ("Bench 1k", 1_000, "1k"),
    (BULK_FOLDER, BULK_COUNT, "10k"),
    ("Bench 100k", 100_000, "100k"),
];
/// First opens of distinct copies of the big message (no cached body yet).
pub const OPEN_COLD_RUNS: usize = 10;
pub const LIST_WARMUP: usize = 10;
pub const LIST_RUNS: usize = 200;
pub const OPEN_WARMUP: usize = 5;
pub const OPEN_RUNS: usize = 50;
pub const RPS_CLIENTS: usize = 16;
pub const RPS_WARMUP_PER_CLIENT: usize = 5;
pub const RPS_DURATION: Duration = Duration::from_secs(10);
/// Raw size of the large HTML message.
pub const BIG_HTML_BYTES: usize = 1024 * 1024;
pub const MIB: u64 = 1024 * 1024;
/// The big upload: 1 GiB in 64 MiB PATCHes.
pub const UPLOAD_BYTES: u64 = 1024 * MIB;
pub const UPLOAD_CHUNK: u64 = 64 * MIB;
pub const RSS_SAMPLE_EVERY: Duration = Duration::from_millis(20);
/// The attachment of the send figure (≤ 25 MiB: a MIME part).
pub const SEND_ATTACHMENT: u64 = 20 * MIB;
pub const SEND_WARMUP: usize = 1;
pub const SEND_RUNS: usize = 10;
pub const SEND_POLL_EVERY: Duration = Duration::from_millis(10);
/// The CSV import figure's file (R-ADDR-4).
pub const CSV_ROWS: usize = 500;
