//! VmRSS of the gateway and the edge: the resting figure (5) and the
//! sampling the upload figure uses.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::Result;
use crate::plan::RSS_SAMPLE_EVERY;

/// VmRSS in MiB.
pub struct Rss {
    pub gateway: f64,
    pub edge: f64,
}

pub fn measure(gateway_pid: u32, edge_pid: u32) -> Result<Rss> {
    let gateway = rss_mib(gateway_pid)?;
    let edge = rss_mib(edge_pid)?;
    println!("→ VmRSS: gateway {gateway:.1} MiB, edge (wasmtime serve) {edge:.1} MiB");
    Ok(Rss { gateway, edge })
}

/// VmRSS of `pid` in MiB.
pub fn rss_mib(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e} (did the process exit?)"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

/// VmRSS of `pids`, sampled on a plain thread until stopped; keeps the peak
/// of each (kB).
pub struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    peaks: Arc<[AtomicU64; 2]>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    pub fn start(pids: [u32; 2]) -> RssSampler {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let peaks = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let thread = {
            let (stop, peaks) = (stop.clone(), peaks.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for (i, pid) in pids.iter().enumerate() {
                        if let Ok(mib) = rss_mib(*pid) {
                            peaks[i].fetch_max((mib * 1024.0) as u64, Ordering::Relaxed);
                        }
                    }
                    std::thread::sleep(RSS_SAMPLE_EVERY);
                }
            })
        };
        RssSampler {
            stop,
            peaks,
            thread: Some(thread),
        }
    }

    /// Stops sampling; the peaks in MiB.
    pub fn finish(mut self) -> [f64; 2] {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        [0, 1].map(|i| self.peaks[i].load(Ordering::Relaxed) as f64 / 1024.0)
    }
}

/// Mean VmRSS (MiB) of `pid` over ten samples 50 ms apart.
pub async fn idle_rss(pid: u32) -> Result<f64> {
    let mut sum = 0.0;
    for _ in 0..10 {
        sum += rss_mib(pid)?;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(sum / 10.0)
}
