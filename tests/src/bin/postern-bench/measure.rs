//! Timing helpers shared by the latency figures.

use std::time::Instant;

use postern_tests::ApiClient;

use crate::Result;

/// GET `path` until the whole body is read; the status must be 200.
/// Returns the body length.
pub async fn fetch_len(api: &ApiClient, path: &str) -> Result<usize> {
    let resp = api
        .request(reqwest::Method::GET, path)
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| format!("GET {path}: body: {e}"))?;
    if status != 200 {
        return Err(format!(
            "GET {path}: HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
        .into());
    }
    Ok(body.len())
}

/// Sequential GETs on one keep-alive connection (as the browser does):
/// `warmup` untimed, then `runs` timed from send to the last body byte.
pub async fn time_get(api: &ApiClient, path: &str, warmup: usize, runs: usize) -> Result<Vec<f64>> {
    for _ in 0..warmup {
        fetch_len(api, path).await?;
    }
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        fetch_len(api, path).await?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(ms)
}

/// Nearest-rank percentile.
pub fn pct(samples: &[f64], p: f64) -> f64 {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=200).map(f64::from).collect();
        assert_eq!(pct(&v, 50.0), 100.0);
        assert_eq!(pct(&v, 95.0), 190.0);
        assert_eq!(pct(&[3.0], 95.0), 3.0);
    }
}
