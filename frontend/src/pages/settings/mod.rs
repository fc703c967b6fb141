//! `/settings/:mailbox/:section` (portal): one mailbox's settings, a menu
//! of sections beside them (a select at the top on a phone). The page
//! finds the mailbox's organisation in `Me` (a grant), or — for an
//! administrator with no grant on it, e.g. a mailbox made "for nobody" —
//! in the address table of the organisations the caller may administer;
//! anything else is "not found or no access".
//!
//! Sections are the rows of [`SECTIONS`]: adding one (devices, filters,
//! auto-reply, logs, support access, backups) is a variant, a row with its
//! slug, when it shows and when it is shown disabled with the reason
//! (`refused`), its label in [`section_label`] and its view in
//! `section_view`.

pub mod auto_reply;
pub mod connect;
pub mod devices;
pub mod filters;
pub mod general;
pub mod invitations;
pub mod logs;
pub mod refused;
pub mod rules;
pub mod signature;
pub mod storage;
pub mod users;

use crate::components::access_text::{permission_label, refusal_text};
use crate::components::error_text::error_text;
use crate::components::portal_header::PortalHeader;
use crate::core::api;
use crate::core::format::folder_href;
use crate::core::session::use_session;
use crate::i18n::I18nContext;
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::admin::{AddressKind, AddressRow, OrgAddresses};
use postern_shared::api::{MailboxId, Me, OrganizationId};
use postern_shared::permissions::{Action, Role};
use postern_shared::{ApiError, ErrorCode, Permission, PermissionSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsSection {
    General,
    Users,
    Devices,
    Connect,
    Filters,
    AutoReply,
    /// The send and receive logs (R-LOG).
    Logs,
}

/// Why the caller may not open a section: its menu entry is shown
/// disabled with these words (the server refuses anyway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The caller's role in the mailbox's organisation may not.
    Role(Action),
    /// The caller's grant on the mailbox lacks this permission.
    Permission(Permission),
}

pub fn refusal_words(i18n: I18nContext, r: Refusal) -> String {
    match r {
        Refusal::Role(a) => refusal_text(i18n, a),
        Refusal::Permission(p) => t_string!(
            i18n,
            section_needs_permission,
            permission = permission_label(i18n, p)
        )
        .to_string(),
    }
}

pub struct SectionInfo {
    pub section: SettingsSection,
    /// The last segment of its path.
    pub slug: &'static str,
    /// Whether the section is offered for this mailbox and caller.
    pub shown: fn(&SettingsCtx) -> bool,
    /// Why a shown section may not be opened (its entry disabled), or `None`.
    pub refused: fn(&SettingsCtx) -> Option<Refusal>,
}

fn always(_: &SettingsCtx) -> bool {
    true
}

fn never_refused(_: &SettingsCtx) -> Option<Refusal> {
    None
}

/// Logs (R-LOG-3): an owner, administrator or legal representative whose
/// grant on the mailbox holds "view logs".
fn logs_refused(ctx: &SettingsCtx) -> Option<Refusal> {
    logs::refusal(ctx.mailbox.role, ctx.mailbox.grant)
}

/// Users are those of a real mailbox, listed from the address table (a
/// role that may see it).
fn has_users(ctx: &SettingsCtx) -> bool {
    ctx.row().is_some_and(|r| r.kind == AddressKind::Mailbox)
}

/// The menu, in order. The first is where `/settings/<mb>` opens.
pub const SECTIONS: &[SectionInfo] = &[
    SectionInfo {
        section: SettingsSection::General,
        slug: "general",
        shown: always,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::Users,
        slug: "users",
        shown: has_users,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::Devices,
        slug: "devices",
        shown: is_granted,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::Connect,
        slug: "connect",
        shown: is_granted,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::Filters,
        slug: "filters",
        shown: is_granted,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::AutoReply,
        slug: "auto-reply",
        shown: is_granted,
        refused: never_refused,
    },
    SectionInfo {
        section: SettingsSection::Logs,
        slug: "logs",
        shown: always,
        refused: logs_refused,
    },
];

/// Device passwords and filters are a granted user's (the section says
/// when the grant lacks "manage devices" / "manage filters").
fn is_granted(ctx: &SettingsCtx) -> bool {
    ctx.mailbox.grant.is_some()
}

pub fn section_of(slug: Option<&str>) -> Option<&'static SectionInfo> {
    let slug = slug.unwrap_or(SECTIONS[0].slug);
    SECTIONS.iter().find(|s| s.slug == slug)
}

pub fn section_label(i18n: I18nContext, s: SettingsSection) -> String {
    match s {
        SettingsSection::General => t_string!(i18n, section_general),
        SettingsSection::Users => t_string!(i18n, section_users),
        SettingsSection::Devices => t_string!(i18n, section_devices),
        SettingsSection::Connect => t_string!(i18n, section_connect),
        SettingsSection::Filters => t_string!(i18n, section_filters),
        SettingsSection::AutoReply => t_string!(i18n, section_auto_reply),
        SettingsSection::Logs => t_string!(i18n, section_logs),
    }
    .to_string()
}

pub fn section_href(mb: MailboxId, slug: &str) -> String {
    format!("/settings/{mb}/{slug}")
}

/// The mailbox whose settings are open, as far as the caller may know it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mailbox {
    pub id: MailboxId,
    pub address: String,
    pub display_name: String,
    pub organization: OrganizationId,
    /// The caller's own grant on it (`None`: they administer it only).
    pub grant: Option<PermissionSet>,
    /// The caller's role in its organisation (`None`: not a member).
    pub role: Option<Role>,
}

/// What the settings' sections share.
#[derive(Clone)]
pub struct SettingsCtx {
    pub mailbox: Mailbox,
    /// The organisation's address table, when the caller's role may see
    /// it; changed in place by what the sections do.
    pub table: RwSignal<Option<OrgAddresses>>,
}

impl SettingsCtx {
    pub fn row(&self) -> Option<AddressRow> {
        let id = self.mailbox.id;
        self.table
            .with(|t| t.as_ref()?.addresses.iter().find(|r| r.id == id).cloned())
    }

    /// The caller's role in the mailbox's organisation, if it may see the table.
    pub fn role(&self) -> Option<Role> {
        self.table.with(|t| t.as_ref().map(|t| t.role))
    }

    pub fn may(&self, action: Action) -> bool {
        self.role().is_some_and(|r| r.may(action))
    }
}

/// The organisations whose address table may hold mailbox `id`: the one
/// of the caller's grant if there is one, else every one whose table the
/// caller's role may see — in `Me`'s order.
pub fn orgs_to_search(me: &Me, grant_org: Option<OrganizationId>) -> Vec<OrganizationId> {
    me.organizations
        .iter()
        .filter(|o| o.role.may(Action::ViewAddresses))
        .filter(|o| grant_org.is_none_or(|g| g == o.id))
        .map(|o| o.id)
        .collect()
}

fn role_in(me: &Me, org: OrganizationId) -> Option<Role> {
    me.organizations
        .iter()
        .find(|o| o.id == org)
        .map(|o| o.role)
}

/// The mailbox and its organisation's table, or `None`: neither granted
/// nor administered by the caller.
async fn resolve(
    me: Me,
    id: MailboxId,
) -> Result<Option<(Mailbox, Option<OrgAddresses>)>, ApiError> {
    let grant = me.mailboxes.iter().find(|m| m.id == id);
    for org in orgs_to_search(&me, grant.map(|g| g.organization_id)) {
        let table = match api::list_addresses(org).await {
            Ok(t) => t,
            // A role changed since `Me`: as if it could not.
            Err(e) if e.code == ErrorCode::Forbidden => continue,
            Err(e) => return Err(e),
        };
        if let Some(row) = table.addresses.iter().find(|r| r.id == id) {
            let mb = Mailbox {
                id,
                address: row.address.clone(),
                display_name: row.display_name.clone(),
                organization: org,
                grant: grant.map(|g| g.permissions),
                role: role_in(&me, org),
            };
            return Ok(Some((mb, Some(table))));
        }
    }
    Ok(grant.map(|g| {
        let mb = Mailbox {
            id,
            address: g.address.clone(),
            display_name: g.display_name.clone(),
            organization: g.organization_id,
            grant: Some(g.permissions),
            role: role_in(&me, g.organization_id),
        };
        (mb, None)
    }))
}

/// `/settings`: the settings of the first granted mailbox.
#[component]
pub fn SettingsHome() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let session = use_session();
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(first) = session
            .me
            .get()
            .and_then(|m| m.mailboxes.first().map(|m| m.id))
        {
            let opts = leptos_router::NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&section_href(first, SECTIONS[0].slug), opts);
        }
    });
    view! {
        <main class="centered" aria-busy=move || (!ready.get()).to_string()>
            {move || if ready.get() { t_string!(i18n, no_mailboxes) } else { t_string!(i18n, loading) }}
        </main>
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| {
        params
            .read()
            .get("mailbox")
            .and_then(|m| m.parse::<MailboxId>().ok())
    });
    let slug = Memo::new(move |_| params.read().get("section"));
    let resolved = LocalResource::new(move || {
        let (id, me) = (id.get(), session.me.get());
        async move {
            match (id, me) {
                (Some(id), Some(me)) => Some(resolve(me, id).await),
                (None, Some(_)) => Some(Ok(None)),
                _ => None,
            }
        }
    });
    let granted = move || {
        let id = id.get()?;
        session
            .me
            .get()?
            .mailboxes
            .iter()
            .any(|m| m.id == id)
            .then_some(id)
    };
    let back = Signal::derive(move || {
        granted()
            .map(|id| folder_href(id, "INBOX"))
            .unwrap_or_else(|| "/".into())
    });
    view! {
        <div class="portal-page" data-testid="settings-page">
            <PortalHeader
                title=Signal::derive(move || t_string!(i18n, settings_title).to_string())
                back=back
                mailbox=Signal::derive(granted)
            />
            <main class="portal-main" aria-busy=move || (!ready.get() || resolved.get().is_none()).to_string()>
                {move || match resolved.get() {
                    None | Some(None) => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                    Some(Some(Err(e))) => {
                        view! { <p class="alert error" role="alert">{error_text(i18n, &e)}</p> }.into_any()
                    }
                    Some(Some(Ok(None))) => {
                        view! {
                            <p class="notice" data-testid="settings-no-access">{t!(i18n, settings_no_access)}</p>
                        }
                            .into_any()
                    }
                    Some(Some(Ok(Some((mailbox, table))))) => {
                        let ctx = SettingsCtx {
                            mailbox,
                            table: RwSignal::new(table),
                        };
                        settings_layout(ctx, slug).into_any()
                    }
                }}
            </main>
        </div>
    }
}

/// The section menu and the open section.
fn settings_layout(ctx: SettingsCtx, slug: Memo<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let mb = ctx.mailbox.id;
    let current = Memo::new(move |_| section_of(slug.get().as_deref()).map(|s| s.section));
    let ctx_menu = ctx.clone();
    let shown = Memo::new(move |_| {
        SECTIONS
            .iter()
            .filter(|s| (s.shown)(&ctx_menu))
            .map(|s| (s.section, s.slug, (s.refused)(&ctx_menu)))
            .collect::<Vec<_>>()
    });
    let address = ctx.mailbox.address.clone();
    view! {
        <div class="settings-layout">
            <nav class="section-nav" aria-label=move || t_string!(i18n, settings_sections)>
                <p class="section-owner" data-testid="settings-address">{address}</p>
                <ul class="section-list" role="list">
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .map(|(s, slug, refused)| match refused {
                                None => {
                                    view! {
                                        <li>
                                            <a
                                                href=section_href(mb, slug)
                                                data-testid="section-link"
                                                data-section=slug
                                                aria-current=move || (current.get() == Some(s)).then_some("page")
                                            >
                                                {move || section_label(i18n, s)}
                                            </a>
                                        </li>
                                    }
                                        .into_any()
                                }
                                // Disabled, and why: visible words, not a tooltip.
                                Some(r) => {
                                    view! {
                                        <li class="section-refused">
                                            <span class="section-disabled" aria-disabled="true" data-testid="section-disabled" data-section=slug>
                                                {move || section_label(i18n, s)}
                                            </span>
                                            <span class="section-reason" data-testid="section-refusal" data-section=slug>
                                                <span aria-hidden="true">"🔒 "</span>
                                                {move || refusal_words(i18n, r)}
                                            </span>
                                        </li>
                                    }
                                        .into_any()
                                }
                            })
                            .collect_view()
                    }}
                </ul>
                // A phone has no room for a side menu: the same list as a select.
                <label class="section-select">
                    <span class="visually-hidden">{t!(i18n, settings_sections)}</span>
                    <select
                        data-testid="section-select"
                        on:change=move |ev| navigate(&section_href(mb, &event_target_value(&ev)), Default::default())
                    >
                        {move || {
                            shown
                                .get()
                                .into_iter()
                                .map(|(s, slug, refused)| {
                                    view! {
                                        <option
                                            value=slug
                                            disabled=refused.is_some()
                                            selected=move || current.get() == Some(s)
                                        >
                                            {move || section_label(i18n, s)}
                                            {refused.map(|_| " 🔒")}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                // The reasons of the disabled entries, under the select (a phone's menu).
                <ul class="section-select-reasons" role="list">
                    {move || {
                        shown
                            .get()
                            .into_iter()
                            .filter_map(|(s, slug, refused)| {
                                let r = refused?;
                                Some(view! {
                                    <li data-testid="section-refusal" data-section=slug>
                                        <span aria-hidden="true">"🔒 "</span>
                                        {move || section_label(i18n, s)}": "
                                        {move || refusal_words(i18n, r)}
                                    </li>
                                })
                            })
                            .collect_view()
                    }}
                </ul>
            </nav>
            <section class="section-body" data-testid="settings-section" data-section=move || slug.get().unwrap_or_else(|| SECTIONS[0].slug.into())>
                {move || {
                    let (c, s) = (current.get(), shown.get());
                    // Built once per section: what it reads while being built
                    // (the table) must not rebuild it on every change it makes.
                    untrack(|| section_view(&ctx, c, s))
                }}
            </section>
        </div>
    }
}

fn section_view(
    ctx: &SettingsCtx,
    current: Option<SettingsSection>,
    shown: Vec<(SettingsSection, &'static str, Option<Refusal>)>,
) -> AnyView {
    let i18n = use_i18n();
    match current.filter(|c| shown.iter().any(|(s, _, _)| s == c)) {
        Some(SettingsSection::General) => general::general(ctx.clone()).into_any(),
        Some(SettingsSection::Users) => users::users(ctx.clone()).into_any(),
        Some(SettingsSection::Devices) => devices::devices(ctx.clone()).into_any(),
        Some(SettingsSection::Connect) => connect::connect(ctx.clone()).into_any(),
        Some(SettingsSection::Filters) => filters::filters(ctx.clone()).into_any(),
        Some(SettingsSection::AutoReply) => auto_reply::auto_reply(ctx.clone()).into_any(),
        Some(SettingsSection::Logs) => logs::logs(ctx.clone()).into_any(),
        None => view! { <p class="notice">{t!(i18n, not_found_page)}</p> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::api::{AccountSummary, MailboxAccess, OrganizationMembership};

    fn me(orgs: &[(OrganizationId, Role)], granted: &[(MailboxId, OrganizationId)]) -> Me {
        Me {
            account: AccountSummary {
                id: 1,
                login: "a@example.test".into(),
                display_name: String::new(),
                locale: None,
            },
            organizations: orgs
                .iter()
                .map(|(id, role)| OrganizationMembership {
                    id: *id,
                    name: format!("org {id}"),
                    role: *role,
                })
                .collect(),
            mailboxes: granted
                .iter()
                .map(|(id, org)| MailboxAccess {
                    id: *id,
                    address: format!("m{id}@example.test"),
                    display_name: String::new(),
                    organization_id: *org,
                    shown_in: *org,
                    permissions: PermissionSet::all(),
                })
                .collect(),
        }
    }

    #[test]
    fn a_granted_mailbox_is_looked_up_in_its_own_organisation_only() {
        let m = me(&[(1, Role::Owner), (2, Role::Administrator)], &[(7, 2)]);
        assert_eq!(orgs_to_search(&m, Some(2)), [2]);
        // A user of the mailbox's organisation sees no table there.
        let m = me(&[(1, Role::Owner), (2, Role::User)], &[(7, 2)]);
        assert!(orgs_to_search(&m, Some(2)).is_empty());
    }

    #[test]
    fn an_ungranted_mailbox_is_looked_for_in_every_administered_organisation() {
        let m = me(
            &[
                (1, Role::User),
                (2, Role::LegalRepresentative),
                (3, Role::Owner),
            ],
            &[],
        );
        assert_eq!(orgs_to_search(&m, None), [2, 3]);
    }

    #[test]
    fn sections_open_on_general_and_unknown_slugs_are_none() {
        assert_eq!(
            section_of(None).map(|s| s.section),
            Some(SettingsSection::General)
        );
        assert_eq!(
            section_of(Some("users")).map(|s| s.section),
            Some(SettingsSection::Users)
        );
        assert_eq!(
            section_of(Some("devices")).map(|s| s.section),
            Some(SettingsSection::Devices)
        );
        assert_eq!(
            section_of(Some("connect")).map(|s| s.section),
            Some(SettingsSection::Connect)
        );
        assert_eq!(
            section_of(Some("filters")).map(|s| s.section),
            Some(SettingsSection::Filters)
        );
        assert_eq!(
            section_of(Some("auto-reply")).map(|s| s.section),
            Some(SettingsSection::AutoReply)
        );
        assert_eq!(
            section_of(Some("logs")).map(|s| s.section),
            Some(SettingsSection::Logs)
        );
        // Sections still to come have no page yet.
        assert!(section_of(Some("backups")).is_none());
        assert_eq!(section_href(4, "users"), "/settings/4/users");
    }
}
