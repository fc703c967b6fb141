//! `/admin/:org/:section` (portal): an organisation's administration, for
//! roles that may see it (`Role::may(ViewAddresses)`). `/admin` opens the
//! caller's first such organisation, `/admin/<org>` its addresses. Four
//! sections: the send and receive logs of the service (`logs.rs`, R-LOG),
//! the organisation's legal details and its DPA
//! (`organization.rs`, R-GDPR-1), and the address table (`addresses.rs`, creation in
//! `create.rs` with its invitations in `create_invites.rs`, bulk creation from a CSV file in `import.rs` with its pure
//! logic in `import_rows.rs`, the table's pure logic in `table.rs`), and
//! the service's global spam sender lists (`spam.rs`), and its auto-reply
//! and rule templates (`templates.rs`, R-TPL); [`SECTIONS`] is the menu.

pub mod addresses;
pub mod create;
pub mod create_invites;
pub mod import;
pub mod import_rows;
pub mod logs;
pub mod organization;
pub mod spam;
pub mod table;
pub mod templates;

use crate::components::access_text::refusal_text;
use crate::components::error_text::error_text;
use crate::components::portal_header::PortalHeader;
use crate::core::api;
use crate::core::session::use_session;
use crate::core::status::use_status;
use crate::i18n::I18nContext;
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::admin::OrgAddresses;
use postern_shared::api::{Me, OrganizationId};
use postern_shared::permissions::{Action, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminSection {
    Addresses,
    /// The send and receive logs of the organisation's mailboxes (R-LOG).
    Logs,
    /// The service's global blocked and approved senders (R-SPAM-4).
    Spam,
    /// Auto-reply and rule templates (R-TPL).
    Templates,
    Organisation,
}

/// The administration's menu: (section, slug). The first is the default.
pub const SECTIONS: &[(AdminSection, &str)] = &[
    (AdminSection::Addresses, "addresses"),
    (AdminSection::Logs, "logs"),
    (AdminSection::Spam, "spam"),
    (AdminSection::Templates, "templates"),
    (AdminSection::Organisation, "organisation"),
];

pub fn section_label(i18n: I18nContext, s: AdminSection) -> String {
    match s {
        AdminSection::Addresses => t_string!(i18n, admin_addresses),
        AdminSection::Logs => t_string!(i18n, section_logs),
        AdminSection::Spam => t_string!(i18n, admin_spam),
        AdminSection::Templates => t_string!(i18n, admin_templates),
        AdminSection::Organisation => t_string!(i18n, admin_organisation),
    }
    .to_string()
}

pub fn admin_href(org: OrganizationId, slug: &str) -> String {
    format!("/admin/{org}/{slug}")
}

/// The organisations whose administration the caller may open, in `Me`'s order.
pub fn administered(me: &Me) -> Vec<(OrganizationId, String)> {
    me.organizations
        .iter()
        .filter(|o| o.role.may(Action::ViewAddresses))
        .map(|o| (o.id, o.name.clone()))
        .collect()
}

/// The caller's role in `org`, if a member.
pub fn role_in(me: &Me, org: OrganizationId) -> Option<Role> {
    me.organizations
        .iter()
        .find(|o| o.id == org)
        .map(|o| o.role)
}

/// The action a section needs beyond seeing the administration (its menu
/// entry is disabled with the reason for a role that may not).
pub fn section_action(s: AdminSection) -> Option<Action> {
    match s {
        AdminSection::Logs => Some(Action::ViewLogs),
        AdminSection::Addresses
        | AdminSection::Spam
        | AdminSection::Templates
        | AdminSection::Organisation => None,
    }
}

/// What the administration's sections share.
#[derive(Clone, Copy)]
pub struct AdminCtx {
    pub org: OrganizationId,
    /// The table as last loaded, changed in place by what the page does.
    pub data: RwSignal<Option<OrgAddresses>>,
}

impl AdminCtx {
    pub fn role(self) -> Signal<Option<Role>> {
        Signal::derive(move || self.data.with(|d| d.as_ref().map(|d| d.role)))
    }

    pub fn may(self, action: Action) -> Signal<bool> {
        Signal::derive(move || {
            self.data
                .with(|d| d.as_ref().is_some_and(|d| d.role.may(action)))
        })
    }
}

/// `/admin`: to the first organisation the caller administers.
#[component]
pub fn AdminIndex() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let session = use_session();
    let navigate = use_navigate();
    let first = Memo::new(move |_| Some(administered(&session.me.get()?).first()?.0));
    Effect::new(move || {
        if let Some(org) = first.get() {
            let opts = NavigateOptions {
                replace: true,
                ..Default::default()
            };
            navigate(&admin_href(org, SECTIONS[0].1), opts);
        }
    });
    view! {
        <div class="portal-page">
            <PortalHeader
                title=Signal::derive(move || t_string!(i18n, admin_title).to_string())
                back=Signal::stored("/".to_string())
                mailbox=Signal::stored(None)
            />
            <main class="portal-main" aria-busy=move || (!ready.get()).to_string()>
                {move || {
                    if ready.get() && first.get().is_none() {
                        view! {
                            <p class="refusal" data-testid="admin-no-access">
                                {refusal_text(i18n, Action::ViewAddresses)}
                            </p>
                        }
                            .into_any()
                    } else {
                        view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any()
                    }
                }}
            </main>
        </div>
    }
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let session = use_session();
    let status = use_status();
    let params = use_params_map();
    let navigate = use_navigate();
    let org = Memo::new(move |_| {
        params
            .read()
            .get("org")
            .and_then(|o| o.parse::<OrganizationId>().ok())
    });
    let slug = Memo::new(move |_| params.read().get("section"));
    let current = Memo::new(move |_| {
        let s = slug.get();
        let s = s.as_deref().unwrap_or(SECTIONS[0].1);
        SECTIONS
            .iter()
            .find(|(_, slug)| *slug == s)
            .map(|(sec, _)| *sec)
    });
    // Checked here so a role that may not never asks; the server refuses anyway.
    let allowed = Memo::new(move |_| {
        let me = session.me.get()?;
        let org = org.get()?;
        Some(role_in(&me, org).is_some_and(|r| r.may(Action::ViewAddresses)))
    });
    let data = RwSignal::new(None::<OrgAddresses>);
    let load = LocalResource::new(move || {
        status.reconnected.track();
        let (org, ok) = (org.get(), allowed.get());
        async move {
            match (org, ok) {
                (Some(org), Some(true)) => Some(api::list_addresses(org).await),
                _ => None,
            }
        }
    });
    let failed = RwSignal::new(None::<String>);
    Effect::new(move || match load.get() {
        Some(Some(Ok(t))) => {
            failed.set(None);
            data.set(Some(t));
        }
        Some(Some(Err(e))) => failed.set(Some(error_text(i18n, &e))),
        _ => {}
    });
    let orgs = Memo::new(move |_| {
        session
            .me
            .get()
            .map(|m| administered(&m))
            .unwrap_or_default()
    });
    view! {
        <div class="portal-page" data-testid="admin-page">
            <PortalHeader
                title=Signal::derive(move || t_string!(i18n, admin_title).to_string())
                back=Signal::stored("/".to_string())
                mailbox=Signal::stored(None)
            />
            <main class="portal-main" aria-busy=move || (!ready.get() || data.with(Option::is_none)).to_string()>
                {move || match (allowed.get(), org.get()) {
                    (None, _) => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                    (Some(false), _) | (_, None) => {
                        view! {
                            <p class="refusal" data-testid="admin-no-access">
                                {refusal_text(i18n, Action::ViewAddresses)}
                            </p>
                        }
                            .into_any()
                    }
                    (Some(true), Some(org)) => {
                        let ctx = AdminCtx { org, data };
                        // The role's refusal of a section (the server refuses anyway).
                        let role = session.me.get_untracked().and_then(|m| role_in(&m, org));
                        let refused = move |s: AdminSection| {
                            section_action(s).filter(|a| !role.is_some_and(|r| r.may(*a)))
                        };
                        let navigate = navigate.clone();
                        let go_section = navigate.clone();
                        view! {
                            <div class="settings-layout">
                                <nav class="section-nav" aria-label=move || t_string!(i18n, admin_title)>
                                    <Show when=move || { orgs.with(|o| o.len() > 1) }>
                                        <label class="field">
                                            <span>{t!(i18n, organisation)}</span>
                                            <select
                                                data-testid="org-select"
                                                on:change={
                                                    let navigate = navigate.clone();
                                                    move |ev| {
                                                        if let Ok(o) = event_target_value(&ev).parse::<OrganizationId>() {
                                                            navigate(&admin_href(o, SECTIONS[0].1), Default::default());
                                                        }
                                                    }
                                                }
                                            >
                                                {move || {
                                                    orgs.get()
                                                        .into_iter()
                                                        .map(|(id, name)| {
                                                            view! { <option value=id.to_string() selected=id == org>{name}</option> }
                                                        })
                                                        .collect_view()
                                                }}
                                            </select>
                                        </label>
                                    </Show>
                                    <ul class="section-list" role="list">
                                        {SECTIONS
                                            .iter()
                                            .map(|(s, slug)| {
                                                let s = *s;
                                                match refused(s) {
                                                    None => {
                                                        view! {
                                                            <li>
                                                                <a
                                                                    href=admin_href(org, slug)
                                                                    data-section=*slug
                                                                    aria-current=move || (current.get() == Some(s)).then_some("page")
                                                                >
                                                                    {move || section_label(i18n, s)}
                                                                </a>
                                                            </li>
                                                        }
                                                            .into_any()
                                                    }
                                                    // Disabled, and why: visible words, not a tooltip.
                                                    Some(a) => {
                                                        view! {
                                                            <li class="section-refused">
                                                                <span class="section-disabled" aria-disabled="true" data-section=*slug>
                                                                    {move || section_label(i18n, s)}
                                                                </span>
                                                                <span class="section-reason" data-testid="section-refusal">
                                                                    <span aria-hidden="true">"🔒 "</span>
                                                                    {refusal_text(i18n, a)}
                                                                </span>
                                                            </li>
                                                        }
                                                            .into_any()
                                                    }
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                    // A phone has no room for a side menu: the same list as a select.
                                    <label class="section-select">
                                        <span class="visually-hidden">{t!(i18n, admin_title)}</span>
                                        <select
                                            data-testid="admin-section-select"
                                            on:change=move |ev| go_section(&admin_href(org, &event_target_value(&ev)), Default::default())
                                        >
                                            {SECTIONS
                                                .iter()
                                                .map(|(s, slug)| {
                                                    let s = *s;
                                                    view! {
                                                        <option
                                                            value=*slug
                                                            disabled=refused(s).is_some()
                                                            selected=move || current.get() == Some(s)
                                                        >
                                                            {move || section_label(i18n, s)}
                                                            {refused(s).map(|_| " 🔒")}
                                                        </option>
                                                    }
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                </nav>
                                <section class="section-body">
                                    {move || failed.get().map(|f| view! { <p class="alert error" role="alert">{f}</p> })}
                                    {move || match current.get() {
                                        Some(AdminSection::Addresses) => untrack(|| addresses::addresses(ctx)).into_any(),
                                        Some(AdminSection::Logs) => match refused(AdminSection::Logs) {
                                            None => untrack(|| logs::logs(ctx)).into_any(),
                                            Some(a) => view! { <p class="refusal" data-testid="logs-refusal">{refusal_text(i18n, a)}</p> }.into_any(),
                                        },
                                        Some(AdminSection::Spam) => untrack(|| spam::spam(ctx)).into_any(),
                                        Some(AdminSection::Templates) => untrack(|| templates::templates(ctx)).into_any(),
                                        Some(AdminSection::Organisation) => untrack(|| organization::organization(ctx)).into_any(),
                                        None => view! { <p class="notice">{t!(i18n, not_found_page)}</p> }.into_any(),
                                    }}
                                </section>
                            </div>
                        }
                            .into_any()
                    }
                }}
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::api::{AccountSummary, OrganizationMembership};

    #[test]
    fn administration_opens_the_first_organisation_the_role_may_see() {
        let me = Me {
            account: AccountSummary {
                id: 1,
                login: "a@x.test".into(),
                display_name: String::new(),
                locale: None,
            },
            organizations: [
                (4, Role::User),
                (6, Role::LegalRepresentative),
                (9, Role::Owner),
            ]
            .into_iter()
            .map(|(id, role)| OrganizationMembership {
                id,
                name: format!("o{id}"),
                role,
            })
            .collect(),
            mailboxes: Vec::new(),
        };
        let ids: Vec<_> = administered(&me).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, [6, 9]);
        assert_eq!(role_in(&me, 4), Some(Role::User));
        assert_eq!(role_in(&me, 5), None);
        assert_eq!(admin_href(6, SECTIONS[0].1), "/admin/6/addresses");
    }
}
