//! One view per route. The webmail's: `/login`, `/` (home → first inbox),
//! `/mail/…` (with writing, `mail/compose/`); the portal's
//! (`crate::portal`): `/transfer`, `/settings/…` (`settings/`),
//! `/admin/…` (`admin/`), `/account/security` (`account.rs`, `account_support.rs`),
//! `/account/support/…` (support staff's, `staff/`), and `/invite/<token>`
//! (`invite.rs`).

pub mod account;
pub mod account_support;
pub mod admin;
pub mod device_setup;
pub mod home;
pub mod invite;
pub mod login;
pub mod logs;
pub mod mail;
pub mod not_found;
pub mod privacy;
pub mod settings;
pub mod staff;
pub mod transfer;

use crate::core::browser::{current_path, go};
use crate::core::session::{login_href, use_session};
use crate::core::status::use_status;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::ErrorCode;

/// Loads the session (once, and again when the service comes back) and
/// sends the user to `/login?next=…` without one (in either app). True once `Me` is known.
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
                // The sign-in page is the webmail's: from the portal, a page load.
                go(&login_href(&current_path()), true, &navigate);
            }
        });
    });
    Signal::derive(move || session.me.get().is_some())
}
