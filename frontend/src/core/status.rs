//! App-wide status fed by the HTTP client: "the service is unreachable"
//! (shows the banner and polls `/api/health`) and "the session is gone"
//! (back to the sign-in page).

use leptos::prelude::*;
use postern_shared::{ApiError, ErrorCode};
use std::cell::Cell;

#[derive(Clone, Copy)]
pub struct AppStatus {
    /// A request failed with `gateway_unavailable` or a network error.
    pub unavailable: RwSignal<bool>,
    /// Bumped when the service is back: views re-fetch.
    pub reconnected: RwSignal<u32>,
    /// Bumped on `unauthenticated` / `session_expired` from any call.
    pub signed_out: RwSignal<u32>,
}

thread_local! {
    static STATUS: Cell<Option<AppStatus>> = const { Cell::new(None) };
}

pub fn provide_status() -> AppStatus {
    let status = AppStatus {
        unavailable: RwSignal::new(false),
        reconnected: RwSignal::new(0),
        signed_out: RwSignal::new(0),
    };
    STATUS.with(|s| s.set(Some(status)));
    provide_context(status);
    status
}

pub fn use_status() -> AppStatus {
    expect_context::<AppStatus>()
}

/// Called by the HTTP client for every failed, non-quiet request.
pub fn report_error(e: &ApiError) {
    let Some(status) = STATUS.with(|s| s.get()) else {
        return;
    };
    match e.code {
        ErrorCode::GatewayUnavailable => status.unavailable.set(true),
        ErrorCode::Unauthenticated | ErrorCode::SessionExpired => {
            status.signed_out.update(|n| *n += 1)
        }
        _ => {}
    }
}
