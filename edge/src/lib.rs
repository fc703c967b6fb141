//! Postern's edge: one Spin HTTP component (wasm32-wasip2) that serves the
//! app files of `dist/` and the public JSON API under `/api/`.
//!
//! Everything except `component.rs` and `gateway_client.rs` is plain Rust
//! that compiles and is tested natively: the component turns the wasi-http
//! request into an [`http::EdgeRequest`], calls [`handle`], and writes the
//! [`api::Outcome`] back (streaming attachments through).
//!
//! The edge holds no state between requests: sessions are signed cookies
//! (`session.rs`), configuration comes from the environment (`config.rs`).

pub mod api;
pub mod config;
pub mod download;
pub mod gateway;
pub mod http;
pub mod router;
pub mod session;
pub mod static_files;
pub mod transfer_page;

#[cfg(target_arch = "wasm32")]
mod component;
#[cfg(target_arch = "wasm32")]
mod gateway_client;

use api::Outcome;
use config::{Config, ConfigError};
use gateway::Gateway;
use http::{EdgeRequest, EdgeResponse};
use postern_shared::ErrorCode;
use router::{RouteError, Target};
use std::path::Path;

/// Routes one request. `cfg` is an error when the environment is
/// incomplete: the app files are still served, the API answers 500.
pub async fn handle<G: Gateway>(
    req: &EdgeRequest,
    cfg: Result<&Config, &ConfigError>,
    gw: &G,
    dist: &Path,
    now: i64,
) -> Outcome {
    let route = match router::route(&req.method, &req.path) {
        Ok(Target::Route(route)) => route,
        Ok(Target::Static) => return static_files::serve(dist, &req.method, &req.path).into(),
        // A person followed a broken download link: a page, not JSON.
        Err(RouteError::NotFound) if !router::is_api_path(&req.path) => {
            return transfer_page::error_page(404).into();
        }
        Err(RouteError::NotFound) => return EdgeResponse::code(ErrorCode::NotFound).into(),
        Err(RouteError::MethodNotAllowed(allow)) => {
            return EdgeResponse::code(ErrorCode::MethodNotAllowed)
                .with_header("allow", &allow)
                .into();
        }
    };
    match cfg {
        Ok(cfg) => api::handle(req, route, cfg, gw, now).await,
        Err(e) => {
            eprintln!("postern-edge: configuration error: {e}");
            EdgeResponse::code(ErrorCode::Internal).into()
        }
    }
}

/// Current Unix time in seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
