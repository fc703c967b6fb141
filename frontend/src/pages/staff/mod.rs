//! Support staff's pages (portal, R-SUP): what mailbox users opened to
//! support, read-only. `/account/support` lists the grants in force
//! (`grants.rs`); `/account/support/<grant>/<folder>[/<uid>]` reads one —
//! the folders and a folder's messages (`folder.rs`), a message
//! (`message.rs`); a single shared message opens directly. Nothing here
//! changes a mailbox: the staff routes are all `GET`, and reading never
//! marks a message read. A grant that ends while it is open (switched off,
//! or its 7 days over: 403 `support_access_expired`, checked on every
//! request) sends the page back to the list, which says so.
//!
//! The paths are under `/account`, a section of the portal
//! (`postern_shared::wire::apps`); `<grant>` is the grant's handle, never a
//! mailbox id.

pub mod folder;
pub mod grants;
pub mod message;

use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_header::PortalHeader;
use crate::core::api;
use crate::core::format::encode_segment;
use crate::i18n::I18nContext;
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::api::Me;
use postern_shared::permissions::Action;
use postern_shared::support::{StaffGrant, SupportScope};
use postern_shared::{ApiError, ErrorCode};

/// The list of grants: where a staff member lands after signing in.
pub const STAFF_PATH: &str = "/account/support";

/// The list after a grant ended while it was open ("it has ended").
pub const ENDED_PATH: &str = "/account/support?ended=1";

/// Whether the account is support staff (the server checks anyway: the
/// role means nothing outside the staff organisation).
pub fn is_staff(me: &Me) -> bool {
    me.organizations
        .iter()
        .any(|o| o.role.may(Action::ReadSupportedMailboxes))
}

pub fn grant_href(grant: &str) -> String {
    format!("{STAFF_PATH}/{grant}")
}

pub fn folder_href(grant: &str, folder: &str) -> String {
    format!("{}/{}", grant_href(grant), encode_segment(folder))
}

pub fn message_href(grant: &str, folder: &str, uid: u32) -> String {
    format!("{}/{uid}", folder_href(grant, folder))
}

/// Where a failed read goes: the page's error, or — the grant ended — the
/// list (`ended`), the one thing left to do.
#[derive(Clone, Copy)]
pub struct Failure {
    pub error: RwSignal<Option<String>>,
    pub ended: RwSignal<bool>,
}

impl Failure {
    pub fn show(self, i18n: I18nContext, e: &ApiError) {
        match e.code {
            ErrorCode::SupportAccessExpired => self.ended.set(true),
            // Unavailability has its own banner; a lost session redirects.
            ErrorCode::GatewayUnavailable
            | ErrorCode::Unauthenticated
            | ErrorCode::SessionExpired => {}
            _ => self.error.set(Some(error_text(i18n, e))),
        }
    }
}

/// The portal's frame of the staff pages: header (title, account menu)
/// and `main`.
fn staff_frame(ready: Signal<bool>, body: impl IntoView + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="portal-page" data-testid="staff-page">
            <PortalHeader
                title=Signal::derive(move || t_string!(i18n, staff_title).to_string())
                back=Signal::stored("/".to_string())
                mailbox=Signal::stored(None)
            />
            <main class="portal-main staff" aria-busy=move || (!ready.get()).to_string()>
                {body}
            </main>
        </div>
    }
}

/// `/account/support/<grant>/<folder>?/<uid>?`: one grant, found in the
/// list in force (gone from it: it has ended).
#[component]
pub fn StaffGrantPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let params = use_params_map();
    let navigate = use_navigate();
    let id = Memo::new(move |_| params.read().get("grant").unwrap_or_default());
    let folder = Memo::new(move |_| params.read().get("folder"));
    let uid = Memo::new(move |_| params.read().get("uid").and_then(|u| u.parse::<u32>().ok()));
    let failure = Failure {
        error: RwSignal::new(None),
        ended: RwSignal::new(false),
    };
    let nav = navigate.clone();
    Effect::new(move || {
        if failure.ended.get() {
            let opts = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            nav(ENDED_PATH, opts);
        }
    });
    // The grant, once per grant (the list is not a read of any mailbox).
    let found = LocalResource::new(move || {
        let (id, ready) = (id.get(), ready.get());
        async move {
            if !ready {
                return None;
            }
            Some(api::staff_grants().await.map(|list| {
                let grant = list.grants.into_iter().find(|g| g.id == id);
                (grant, list.now)
            }))
        }
    });
    // Where a grant opens: its shared message, or the inbox; a grant no
    // longer in the list has ended.
    Effect::new(move || {
        let g = match found.get() {
            Some(Some(Ok((Some(g), _)))) => g,
            Some(Some(Ok((None, _)))) => return failure.ended.set(true),
            Some(Some(Err(e))) => return failure.show(i18n, &e),
            None | Some(None) => return,
        };
        let want = match &g.scope {
            SupportScope::Message { folder: f, uid: u } => {
                (folder.get().as_deref() != Some(f.as_str()) || uid.get() != Some(*u))
                    .then(|| message_href(&g.id, f, *u))
            }
            SupportScope::Content { .. } => folder
                .with(Option::is_none)
                .then(|| folder_href(&g.id, "INBOX")),
        };
        if let Some(href) = want {
            let opts = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&href, opts);
        }
    });
    let body = move || match found.get() {
        None | Some(None) => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
        Some(Some(Ok((Some(g), now)))) => grant_view(g, now, folder, uid, failure).into_any(),
        // Said by the error, or on the list it goes back to.
        Some(Some(_)) => ().into_any(),
    };
    staff_frame(
        ready,
        view! {
            <ErrorAlert error=failure.error/>
            {body}
        },
    )
}

/// A grant open: what it is, then its folders and messages, or its one
/// message.
fn grant_view(
    g: StaffGrant,
    now: i64,
    folder: Memo<Option<String>>,
    uid: Memo<Option<u32>>,
    failure: Failure,
) -> impl IntoView {
    let i18n = use_i18n();
    let head = grants::grant_summary(&g, now);
    let id = g.id.clone();
    let content = match g.scope {
        SupportScope::Content { .. } => folder::folders_view(id, folder, uid, failure).into_any(),
        // One message, whatever the address bar says (it is put right):
        // no list to go back to but the grants'.
        SupportScope::Message { folder, uid } => {
            message::message_view(id, folder, uid, STAFF_PATH.into(), failure).into_any()
        }
    };
    view! {
        <section class="block staff-grant" data-testid="staff-grant-open">
            {head}
            <p class="hint">
                <a href=STAFF_PATH data-testid="staff-all-grants">{t!(i18n, staff_all_grants)}</a>
            </p>
        </section>
        {content}
    }
}
