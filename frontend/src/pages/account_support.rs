//! The support-access section of `/account/security` (portal, R-SUP): for
//! a chosen mailbox, a toggle per kind of content with the time left, the
//! messages shared with support (from the webmail's reader), and the
//! history of everything support staff read.

use crate::components::error_text::{ErrorAlert, error_text};
use crate::core::api;
use crate::core::browser::format_time;
use crate::core::session::use_session;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::Permission;
use postern_shared::api::MailboxId;
use postern_shared::support::{
    SupportAccess, SupportGrant, SupportKind, SupportOverview, SupportRead, SupportScope, time_left,
};

/// The name of a kind of content (also support staff's list of grants).
pub fn kind_label(i18n: I18nContext, k: SupportKind) -> String {
    match k {
        SupportKind::MailboxContents => t_string!(i18n, support_kind_mailbox_contents),
    }
    .to_string()
}

/// "6 d 23 h left (until …)" of a grant ending at `expires_at`, counted
/// from the server's `now` (also support staff's list of grants).
/// R-SUP-3: who in support took the request, once someone has.
fn handled_by(i18n: I18nContext, g: &SupportGrant) -> Option<impl IntoView + use<>> {
    g.handled_by.clone().map(|name| {
        view! {
            <span class="hint" data-testid="support-handled-by">
                {t_string!(i18n, support_handled_by, name = name)}
                " "
            </span>
        }
    })
}

pub fn left_text(i18n: I18nContext, expires_at: i64, now: i64) -> String {
    let (days, hours) = time_left(expires_at, now).unwrap_or((0, 0));
    let ends = format_time(expires_at, i18n.get_locale().as_str());
    t_string!(
        i18n,
        support_time_left,
        days = days,
        hours = hours,
        time = ends
    )
    .to_string()
}

fn read_text(i18n: I18nContext, a: &SupportAccess) -> String {
    let folder = a.folder.clone().unwrap_or_default();
    let uid = a.uid.unwrap_or_default();
    match a.read {
        SupportRead::Folders => t_string!(i18n, support_read_folders).to_string(),
        SupportRead::Messages => {
            t_string!(i18n, support_read_messages, folder = folder).to_string()
        }
        SupportRead::Message => {
            t_string!(i18n, support_read_message, uid = uid, folder = folder).to_string()
        }
        SupportRead::Attachment => {
            t_string!(i18n, support_read_attachment, uid = uid, folder = folder).to_string()
        }
    }
}

#[component]
pub fn SupportAccessSection() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let error = RwSignal::new(None::<String>);
    // The mailboxes the account reads: only those can be opened to support.
    let mailboxes = Memo::new(move |_| {
        session
            .me
            .get()
            .map(|me| {
                me.mailboxes
                    .into_iter()
                    .filter(|m| m.permissions.contains(Permission::Read))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let chosen = RwSignal::new(None::<MailboxId>);
    Effect::new(move || {
        if chosen.get_untracked().is_none()
            && let Some(m) = mailboxes.get().first()
        {
            chosen.set(Some(m.id));
        }
    });
    let state = RwSignal::new(None::<SupportOverview>);
    let reload = move || {
        let Some(mb) = chosen.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match api::get_support(mb).await {
                Ok(s) => state.set(Some(s)),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    Effect::new(move || {
        if chosen.get().is_some() {
            state.set(None);
            reload();
        }
    });
    view! {
        <section class="block" data-testid="support-access">
            <h2>{t!(i18n, support_title)}</h2>
            <p class="hint">{t!(i18n, support_intro)}</p>
            <ErrorAlert error=error/>
            <label class="field">
                <span>{t!(i18n, support_mailbox)}</span>
                <select
                    data-testid="support-mailbox"
                    on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())
                >
                    {move || mailboxes.get().into_iter().map(|m| {
                        let id = m.id;
                        view! {
                            <option value=id.to_string() selected=move || chosen.get() == Some(id)>
                                {m.address}
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            {move || match (chosen.get(), state.get()) {
                (Some(mb), Some(s)) => overview_view(mb, s, error, reload).into_any(),
                (None, _) => view! { <p class="hint">{t!(i18n, support_no_mailbox)}</p> }.into_any(),
                _ => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
            }}
        </section>
    }
}

fn overview_view(
    mb: MailboxId,
    s: SupportOverview,
    error: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let run = move |call: Option<SupportScope>, revoke: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = match (call, revoke) {
                (Some(scope), _) => api::grant_support(mb, scope).await,
                (None, Some(id)) => api::revoke_support(mb, id).await,
                (None, None) => Ok(()),
            };
            match r {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            busy.set(false);
            reload();
        });
    };
    let now = s.now;
    let kinds = SupportKind::ALL.into_iter().map(|k| {
        let on = s
            .grants
            .iter()
            .find(|g| g.scope == SupportScope::Content { kind: k })
            .cloned();
        let testid = format!("support-kind-{}", k.as_str());
        match on {
            Some(g) => {
                let id = g.id.clone();
                view! {
                    <li class="user-row" data-testid=testid data-on="true">
                        <strong>{kind_label(i18n, k)}</strong>
                        " "
                        <span class="badge" data-testid="support-time-left">{left_text(i18n, g.expires_at, now)}</span>
                        " "
                        {handled_by(i18n, &g)}
                        <button type="button" class="danger" data-testid="support-switch-off"
                            disabled=move || busy.get()
                            on:click=move |_| run(None, Some(id.clone()))>
                            {t!(i18n, support_switch_off)}
                        </button>
                    </li>
                }
                .into_any()
            }
            None => view! {
                <li class="user-row" data-testid=testid data-on="false">
                    <strong>{kind_label(i18n, k)}</strong>
                    " "
                    <span class="hint">{t!(i18n, support_off)}</span>
                    " "
                    <button type="button" class="primary" data-testid="support-switch-on"
                        disabled=move || busy.get()
                        on:click=move |_| run(Some(SupportScope::Content { kind: k }), None)>
                        {t!(i18n, support_switch_on)}
                    </button>
                </li>
            }
            .into_any(),
        }
    }).collect_view();
    let shared: Vec<_> = s
        .grants
        .iter()
        .filter_map(|g| match &g.scope {
            SupportScope::Message { folder, uid } => Some((g.clone(), folder.clone(), *uid)),
            SupportScope::Content { .. } => None,
        })
        .collect();
    let shared_view = if shared.is_empty() {
        view! { <p class="hint">{t!(i18n, support_none_shared)}</p> }.into_any()
    } else {
        view! {
            <ul class="user-list" role="list">
                {shared.into_iter().map(|(g, folder, uid)| {
                    let id = g.id.clone();
                    view! {
                        <li class="user-row" data-testid="support-shared-row">
                            {t!(i18n, support_shared_message, folder = folder, uid = uid)}
                            " "
                            <span class="badge">{left_text(i18n, g.expires_at, now)}</span>
                            " "
                            {handled_by(i18n, &g)}
                            <button type="button" data-testid="support-unshare"
                                disabled=move || busy.get()
                                on:click=move |_| run(None, Some(id.clone()))>
                                {t!(i18n, support_switch_off)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let locale = i18n.get_locale();
    let history = if s.history.is_empty() {
        view! { <p class="hint" data-testid="support-history-empty">{t!(i18n, support_history_empty)}</p> }.into_any()
    } else {
        view! {
            <ul class="user-list" role="list" data-testid="support-history">
                {s.history.into_iter().map(|a| {
                    let what = read_text(i18n, &a);
                    view! {
                        <li class="user-row" data-testid="support-history-row">
                            <span>{format_time(a.at, locale.as_str())}</span>
                            " · "
                            <strong>{format!("{} <{}>", a.staff_name, a.staff_login)}</strong>
                            " · "
                            <span>{what}</span>
                            {a.shared_message.then(|| view! { " " <span class="badge">{t!(i18n, support_via_share)}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <ul class="user-list" role="list">{kinds}</ul>
        <h3>{t!(i18n, support_shared)}</h3>
        {shared_view}
        <h3>{t!(i18n, support_history)}</h3>
        {history}
    }
}
