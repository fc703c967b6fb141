//! The portal: the pages the inbox does not need, in their own wasm
//! (`src/bin/portal.rs`, `portal.html`), so the webmail's download does not
//! carry them. The edge serves `portal.html` for the paths of
//! `postern_shared::wire::apps`; links to the webmail are page loads
//! (`rel="external"`, `core::browser::go`), and so are the webmail's links
//! here. Same session, status banner, languages and stylesheet as the
//! webmail.

use crate::components::banner::Banner;
use crate::core::locale::I18nProvider;
use crate::core::session::provide_session;
use crate::core::status::provide_status;
use crate::pages;
use leptos::prelude::*;
use leptos_router::components::{FlatRoutes, Route, Router};
use leptos_router::path;

#[component]
pub fn PortalApp() -> impl IntoView {
    view! {
        <I18nProvider portal=true>
            <PortalRoot/>
        </I18nProvider>
    }
}

#[component]
fn PortalRoot() -> impl IntoView {
    provide_status();
    provide_session();
    view! {
        <Router>
            <crate::SignedOutWatcher/>
            <Banner/>
            <FlatRoutes fallback=|| pages::not_found::NotFound().into_any()>
                <Route path=path!("/transfer") view=|| pages::transfer::TransferPage().into_any()/>
                <Route path=path!("/settings") view=|| pages::settings::SettingsHome().into_any()/>
                <Route path=path!("/settings/:mailbox/:section?") view=|| pages::settings::SettingsPage().into_any()/>
                <Route path=path!("/admin") view=|| pages::admin::AdminIndex().into_any()/>
                <Route path=path!("/admin/:org/:section?") view=|| pages::admin::AdminPage().into_any()/>
                <Route path=path!("/account") view=|| pages::account::AccountSecurityPage().into_any()/>
                <Route path=path!("/account/security") view=|| pages::account::AccountSecurityPage().into_any()/>
                // Support staff (R-SUP): what mailbox users opened to support.
                <Route path=path!("/account/support") view=|| pages::staff::grants::StaffGrantsPage().into_any()/>
                <Route path=path!("/account/support/:grant/:folder?/:uid?") view=|| pages::staff::StaffGrantPage().into_any()/>
                <Route path=path!("/invite/*rest") view=|| pages::invite::invite_page().into_any()/>
                <Route path=path!("/device-setup/*rest") view=|| pages::device_setup::device_setup_page().into_any()/>
                <Route path=path!("/privacy") view=|| pages::privacy::PrivacyPage().into_any()/>
            </FlatRoutes>
        </Router>
    }
}

/// Entry point of the portal's binary: registers the service worker (the
/// same one as the webmail's) and the wording of the portal's errors, and
/// mounts the portal on `<body>`.
pub fn start() {
    crate::core::browser::register_service_worker();
    crate::components::portal_error_text::register();
    leptos::mount::mount_to_body(PortalApp);
}
