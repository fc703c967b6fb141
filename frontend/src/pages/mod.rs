//! One view per route: `/login`, `/` (home → first inbox), `/mail/…`
//! (with writing, `mail/compose/`), `/transfer`.

pub mod home;
pub mod login;
pub mod mail;
pub mod not_found;
pub mod transfer;

use crate::core::browser::current_path;
use crate::core::session::{login_href, use_session};
use crate::core::status::use_status;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use postern_shared::ErrorCode;

/// Loads the session (once, and again when the service comes back) and
/// sends the user to `/login?next=…` without one. True once `Me` is known.
pub fn use_require_session() -> Signal<bool> {
    let session = use_session();
    let status = use_status();
    let navigate = use_navigate();
    Effect::new(move || {
        status.reconnected.track();
        if session.me.get_untracked().is_some() {
            return;
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Err(e) = session.load().await
                && matches!(e.code, ErrorCode::Unauthenticated | ErrorCode::SessionExpired)
                // Another failed call may have sent us there already (keep its `next`).
                && !current_path().starts_with("/login")
            {
                navigate(
                    &login_href(&current_path()),
                    NavigateOptions {
                        replace: true,
                        ..Default::default()
                    },
                );
            }
        });
    });
    Signal::derive(move || session.me.get().is_some())
}
