//! Figure 2: opening a 1 MiB HTML message — the view, and the sanitised
//! `body.html`: the first open of a message (rendered by the gateway:
//! fetch + parse + sanitise; `_cold`), and the next ones (the body it
//! kept).

use postern_shared::api::MessageView;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, body_path};

use crate::Result;
use crate::measure::{fetch_len, pct, time_get};
use crate::newsletter::big_html_message;
use crate::plan::{BIG_HTML_BYTES, OPEN_COLD_RUNS, OPEN_RUNS, OPEN_WARMUP};

pub struct OpenFigures {
    /// Raw size of the message appended.
    pub message_bytes: usize,
    /// Size of its sanitised `body.html`.
    pub body_html_bytes: usize,
    pub view_ms: Vec<f64>,
    pub body_ms: Vec<f64>,
    /// One first open each of distinct copies.
    pub body_cold_ms: Vec<f64>,
}

pub async fn measure(fx: &mut Fixture) -> Result<OpenFigures> {
    let big = big_html_message(&fx.address, BIG_HTML_BYTES);
    let big_uid = fx.append("INBOX", &[], &big).await;
    let view_path = Route::GetMessage {
        mb: fx.mailbox,
        uid: big_uid,
    }
    .path_with("folder=INBOX");
    let warm_path = body_path(fx.mailbox, big_uid, false);
    let view: MessageView = fx
        .api
        .get(&view_path)
        .await
        .map_err(|e| format!("GET {view_path}: {e}"))?;
    if !view.has_html {
        return Err(format!(
            "the {} byte HTML message has no HTML body in its view",
            big.len()
        )
        .into());
    }
    // First opens: copies of the message under new UIDs, each opened once.
    let mut body_cold_ms = Vec::with_capacity(OPEN_COLD_RUNS);
    for _ in 0..OPEN_COLD_RUNS {
        let uid = fx.append("INBOX", &[], &big).await;
        let path = body_path(fx.mailbox, uid, false);
        let t = std::time::Instant::now();
        fetch_len(&fx.api, &path).await?;
        body_cold_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "→ open: first body.html of {OPEN_COLD_RUNS} copies: p50 {:.2} ms",
        pct(&body_cold_ms, 50.0)
    );
    let body_len = fetch_len(&fx.api, &warm_path).await?;
    println!(
        "→ open: a {} byte HTML message (UID {big_uid}; sanitised body.html {} bytes) — {OPEN_WARMUP} warm-ups + {OPEN_RUNS} timed each",
        big.len(),
        body_len
    );
    let view_ms = time_get(&fx.api, &view_path, OPEN_WARMUP, OPEN_RUNS).await?;
    println!("  view p50 {:.2} ms", pct(&view_ms, 50.0));
    let body_ms = time_get(&fx.api, &warm_path, OPEN_WARMUP, OPEN_RUNS).await?;
    println!("  body.html p50 {:.2} ms", pct(&body_ms, 50.0));
    Ok(OpenFigures {
        message_bytes: big.len(),
        body_html_bytes: body_len,
        view_ms,
        body_ms,
        body_cold_ms,
    })
}
