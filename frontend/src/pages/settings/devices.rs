//! The Devices section (R-DEV): the mailbox's device passwords, making one
//! (shown once, beside the settings a mail program needs, R-PROTO-1; with
//! an optional protocol scope), regenerating, disconnecting one or all,
//! each device's recent connections, and device-setup links for the
//! mailbox's users (R-DEV-4). Needs the grant's "manage devices"
//! permission; without it the section says so and offers nothing. The
//! form and the password dialog are shared with the setup link's page
//! (`pages::device_setup`).

use super::SettingsCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::core::api;
use crate::core::browser::{confirm, format_time};
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::ApiError;
use postern_shared::Permission;
use postern_shared::devices::{
    CreateDeviceRequest, CreateDeviceSetupRequest, CreatedDevice, CreatedDeviceSetup, Device,
    DeviceKind, DevicePerson, DeviceProtocol, DeviceSetupInvitation, MailboxDevices, SetupInvitee,
    end_of_day_utc,
};
use std::future::Future;

pub fn protocol_label(i18n: I18nContext, p: DeviceProtocol) -> String {
    match p {
        DeviceProtocol::Imap => t_string!(i18n, devices_protocol_imap),
        DeviceProtocol::Pop3 => t_string!(i18n, devices_protocol_pop3),
        DeviceProtocol::Smtp => t_string!(i18n, devices_protocol_smtp),
    }
    .to_string()
}

/// "Ann (ann@…)", or the login alone.
fn who(p: &DevicePerson) -> String {
    if p.display_name.is_empty() {
        p.login.clone()
    } else {
        format!("{} ({})", p.display_name, p.login)
    }
}

/// A button that copies `text` and says so.
pub fn copy_button(text: String, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    view! {
        <button type="button" class="copy" data-testid=testid on:click=copy>
            {move || if copied.get() { t_string!(i18n, connect_copied) } else { t_string!(i18n, connect_copy) }}
        </button>
    }
}

pub fn kind_label(i18n: I18nContext, k: DeviceKind) -> String {
    match k {
        DeviceKind::Phone => t_string!(i18n, devices_kind_phone),
        DeviceKind::Tablet => t_string!(i18n, devices_kind_tablet),
        DeviceKind::Computer => t_string!(i18n, devices_kind_computer),
        DeviceKind::MailProgram => t_string!(i18n, devices_kind_mail_program),
        DeviceKind::Script => t_string!(i18n, devices_kind_script),
    }
    .to_string()
}

/// The kind's icon (a line drawing, like `components::icon`).
fn kind_icon(k: DeviceKind) -> &'static str {
    match k {
        DeviceKind::Phone => "M8 3h8v18H8zM11 18h2",
        DeviceKind::Tablet => "M5 3h14v18H5zM11 18h2",
        DeviceKind::Computer => "M4 5h16v11H4zM2 19h20",
        DeviceKind::MailProgram => "M3 6h18v12H3zM3 6l9 7 9-7",
        DeviceKind::Script => "M8 8l-4 4 4 4M16 8l4 4-4 4M13 6l-2 12",
    }
}

pub fn devices(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let allowed = ctx
        .mailbox
        .grant
        .is_some_and(|g| g.contains(Permission::ManageDevices));
    if !allowed {
        return view! {
            <h2>{t!(i18n, section_devices)}</h2>
            <p class="hint">{t!(i18n, devices_intro)}</p>
            <button type="button" class="primary" disabled=true data-testid="device-create-open">
                {t!(i18n, devices_create)}
            </button>
            <p class="notice" data-testid="devices-refusal">{t!(i18n, devices_no_permission)}</p>
        }
        .into_any();
    }
    let mb = ctx.mailbox.id;
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let data = RwSignal::new(None::<MailboxDevices>);
    let shown = RwSignal::new(None::<CreatedDevice>);
    // Owned here, not by the setup section: that section is rebuilt when
    // the list reloads after a link is made, and the link must stay shown.
    let made = RwSignal::new(None::<CreatedDeviceSetup>);
    let reload = move || {
        spawn_local(async move {
            match api::list_devices(mb).await {
                Ok(d) => data.set(Some(d)),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        })
    };
    reload();
    let disconnect_all = move |_| {
        let n = data.with_untracked(|d| d.as_ref().map_or(0, |d| d.devices.len()));
        let q = t_string!(i18n, devices_confirm_disconnect_all, count = n).to_string();
        if n == 0 || !confirm(&q) {
            return;
        }
        spawn_local(async move {
            match api::disconnect_all_devices(mb).await {
                Ok(r) => {
                    notice.set(Some(
                        t_string!(i18n, devices_disconnected_all, count = r.count).to_string(),
                    ));
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let make = move |req: CreateDeviceRequest| async move { api::create_device(mb, &req).await };
    view! {
        <h2>{t!(i18n, section_devices)}</h2>
        <p class="hint">
            {t!(i18n, devices_intro)} " "
            <a href=super::section_href(mb, "connect") data-testid="devices-connect-link">{t!(i18n, devices_connect_link)}</a>
        </p>
        <ErrorAlert error=error/>
        {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {device_form(make, error, shown, reload)}
        {move || shown.get().map(|c| password_dialog(Some(mb), c, shown, notice))}
        <section class="block">
            {move || match data.get() {
                None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                Some(d) if d.devices.is_empty() => {
                    view! { <p class="hint" data-testid="devices-none">{t!(i18n, devices_none)}</p> }.into_any()
                }
                Some(d) => {
                    view! {
                        <ul class="user-list" role="list" data-testid="device-list">
                            {d
                                .devices
                                .into_iter()
                                .map(|dev| device_row(mb, dev, error, shown, reload))
                                .collect_view()}
                        </ul>
                        <button type="button" class="danger" data-testid="devices-disconnect-all" on:click=disconnect_all>
                            {t!(i18n, devices_disconnect_all)}
                        </button>
                    }
                        .into_any()
                }
            }}
        </section>
        {move || data.get().map(|d| setup_section(mb, d.invitees, d.setup_invitations, made, error, reload))}
    }
    .into_any()
}

/// Device-setup links (R-DEV-4): make one for a user of the mailbox
/// (shown once, optionally emailed), and the pending ones, revocable.
fn setup_section(
    mb: i64,
    invitees: Vec<SetupInvitee>,
    pending: Vec<DeviceSetupInvitation>,
    made: RwSignal<Option<CreatedDeviceSetup>>,
    error: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let account = RwSignal::new(invitees.first().map(|i| i.account));
    let send_email = RwSignal::new(true);
    let busy = RwSignal::new(false);
    let none = invitees.is_empty();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(account) = account.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let req = CreateDeviceSetupRequest {
            account,
            send_email: send_email.get_untracked(),
            language: Some(i18n.get_locale_untracked().as_str().to_string()),
        };
        busy.set(true);
        spawn_local(async move {
            let r = api::create_device_setup(mb, &req).await;
            busy.set(false);
            match r {
                Ok(c) => {
                    error.set(None);
                    made.set(Some(c));
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let locale = i18n.get_locale_untracked();
    view! {
        <section class="block" data-testid="device-setup">
            <h3>{t!(i18n, devices_setup_title)}</h3>
            <p class="hint">{t!(i18n, devices_setup_intro)}</p>
            {if none {
                view! { <p class="notice" data-testid="device-setup-no-users">{t!(i18n, devices_setup_no_users)}</p> }.into_any()
            } else {
                view! {
                    <form class="form" data-testid="device-setup-create" on:submit=submit>
                        <label>
                            <span>{t!(i18n, devices_setup_user)}</span>
                            <select
                                data-testid="device-setup-user"
                                on:change=move |ev| account.set(event_target_value(&ev).parse().ok())
                            >
                                {invitees
                                    .into_iter()
                                    .map(|i| {
                                        let id = i.account;
                                        let label = who(&DevicePerson { login: i.login, display_name: i.display_name });
                                        view! {
                                            <option value=id.to_string() selected=move || account.get() == Some(id)>{label}</option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </label>
                        <label class="check">
                            <input
                                type="checkbox"
                                data-testid="device-setup-email"
                                prop:checked=move || send_email.get()
                                on:change=move |ev| send_email.set(event_target_checked(&ev))
                            />
                            <span>{t!(i18n, devices_setup_email)}</span>
                        </label>
                        <button type="submit" class="primary" data-testid="device-setup-submit" disabled=move || busy.get()>
                            {t!(i18n, devices_setup_submit)}
                        </button>
                    </form>
                }
                    .into_any()
            }}
            {move || made.get().map(|c| {
                let emailed = c.invitation.emailed;
                let login = c.invitation.invitee.login.clone();
                let failed = c.email_error.as_ref().map(|e| error_text(i18n, e));
                view! {
                    <div class="notice" role="status" data-testid="device-setup-made">
                        <p>{t!(i18n, devices_setup_link)}</p>
                        <p class="wrap"><code data-testid="device-setup-link">{c.link.clone()}</code></p>
                        {copy_button(c.link.clone(), "device-setup-copy")}
                        {emailed.then(|| view! { <p>{t!(i18n, devices_setup_emailed, login = login.clone())}</p> })}
                        {failed.map(|reason| view! { <p class="alert error">{t!(i18n, devices_setup_email_failed, reason = reason)}</p> })}
                    </div>
                }
            })}
            <h4>{t!(i18n, devices_setup_pending)}</h4>
            {if pending.is_empty() {
                view! { <p class="hint" data-testid="device-setup-none">{t!(i18n, devices_setup_none)}</p> }.into_any()
            } else {
                view! {
                    <ul class="user-list" role="list" data-testid="device-setup-list">
                        {pending
                            .into_iter()
                            .map(|p| {
                                let id = p.id;
                                let until = format_time(p.expires_at, locale.as_str());
                                let whom = who(&p.invitee);
                                let revoke = move |_| {
                                    spawn_local(async move {
                                        match api::revoke_device_setup(mb, id).await {
                                            Ok(()) => reload(),
                                            Err(e) => error.set(Some(error_text(i18n, &e))),
                                        }
                                    });
                                };
                                view! {
                                    <li class="user-row" data-testid="device-setup-row" data-setup=id.to_string()>
                                        <span>{t!(i18n, devices_setup_for, who = whom.clone(), time = until.clone())}</span>
                                        <button type="button" class="danger" data-testid="device-setup-revoke" on:click=revoke>
                                            {t!(i18n, devices_setup_revoke)}
                                        </button>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// The form that makes a device password: `make` sends it (the Devices
/// tab's create route, or a setup link's), `after` runs on success.
pub fn device_form<F, Fut>(
    make: F,
    error: RwSignal<Option<String>>,
    shown: RwSignal<Option<CreatedDevice>>,
    after: impl Fn() + Copy + 'static,
) -> impl IntoView
where
    F: Fn(CreateDeviceRequest) -> Fut + Copy + 'static,
    Fut: Future<Output = Result<CreatedDevice, ApiError>> + 'static,
{
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(DeviceKind::Phone);
    let expiry = RwSignal::new(String::new());
    let protocols = RwSignal::new(DeviceProtocol::ALL.to_vec());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let req = CreateDeviceRequest {
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            expires_at: end_of_day_utc(expiry.get_untracked().trim()),
            protocols: protocols.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let r = make(req).await;
            busy.set(false);
            match r {
                Ok(c) => {
                    error.set(None);
                    name.set(String::new());
                    expiry.set(String::new());
                    protocols.set(DeviceProtocol::ALL.to_vec());
                    shown.set(Some(c));
                    after();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <form class="block form" data-testid="device-create" on:submit=submit>
            <h3>{t!(i18n, devices_create)}</h3>
            <label>
                <span>{t!(i18n, devices_name)}</span>
                <input
                    type="text"
                    maxlength="100"
                    required=true
                    data-testid="device-name"
                    prop:value=move || name.get()
                    on:input=move |ev| name.set(event_target_value(&ev))
                />
            </label>
            <label>
                <span>{t!(i18n, devices_kind)}</span>
                <select
                    data-testid="device-kind"
                    on:change=move |ev| {
                        if let Some(k) = DeviceKind::parse(&event_target_value(&ev)) {
                            kind.set(k)
                        }
                    }
                >
                    {DeviceKind::ALL
                        .into_iter()
                        .map(|k| {
                            view! {
                                <option value=k.as_str() selected=move || kind.get() == k>
                                    {move || kind_label(i18n, k)}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                <span>{t!(i18n, devices_expiry)}</span>
                <input
                    type="date"
                    data-testid="device-expiry"
                    prop:value=move || expiry.get()
                    on:input=move |ev| expiry.set(event_target_value(&ev))
                />
            </label>
            <fieldset class="protocols" data-testid="device-protocols">
                <legend>{t!(i18n, devices_protocols)}</legend>
                {DeviceProtocol::ALL
                    .into_iter()
                    .map(|p| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    data-testid="device-protocol"
                                    data-protocol=p.as_str()
                                    prop:checked=move || protocols.with(|v| v.contains(&p))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        protocols.update(|v| {
                                            v.retain(|x| *x != p);
                                            if on {
                                                v.push(p);
                                                v.sort();
                                            }
                                        });
                                    }
                                />
                                <span>{move || protocol_label(i18n, p)}</span>
                            </label>
                        }
                    })
                    .collect_view()}
                <p class="hint">{t!(i18n, devices_protocols_hint)}</p>
            </fieldset>
            <button type="submit" class="primary" data-testid="device-create-submit" disabled=move || busy.get()>
                {t!(i18n, devices_create_submit)}
            </button>
        </form>
    }
}

fn device_row(
    mb: i64,
    d: Device,
    error: RwSignal<Option<String>>,
    shown: RwSignal<Option<CreatedDevice>>,
    reload: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale();
    let id = d.id;
    let created = format_time(d.created_at, locale.as_str());
    let last = match &d.last_used {
        Some(u) => {
            let mut s = format_time(u.at, locale.as_str());
            if let Some(p) = &u.protocol {
                s.push_str(&format!(" · {}", p.to_uppercase()));
            }
            if let Some(ip) = &u.client_ip {
                s.push_str(&format!(" · {ip}"));
            }
            s
        }
        None => t_string!(i18n, devices_never_used).to_string(),
    };
    let expires = match d.expires_at {
        Some(at) => format_time(at, locale.as_str()),
        None => t_string!(i18n, devices_never_expires).to_string(),
    };
    let person = |p: &Option<DevicePerson>| p.as_ref().map(who).unwrap_or_default();
    let (owner, creator) = (person(&d.owner), person(&d.created_by));
    let scope = d
        .protocols
        .iter()
        .map(|p| p.as_str().to_uppercase())
        .collect::<Vec<_>>()
        .join(", ");
    let recent = d.recent.clone();
    let name = d.name.clone();
    let name_r = d.name.clone();
    let regenerate = move |_| {
        let q = t_string!(i18n, devices_confirm_regenerate, name = name_r.clone()).to_string();
        if !confirm(&q) {
            return;
        }
        spawn_local(async move {
            match api::regenerate_device(mb, id).await {
                Ok(c) => {
                    shown.set(Some(c));
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let name_d = d.name.clone();
    let disconnect = move |_| {
        let q = t_string!(i18n, devices_confirm_disconnect, name = name_d.clone()).to_string();
        if !confirm(&q) {
            return;
        }
        spawn_local(async move {
            match api::delete_device(mb, id).await {
                Ok(()) => reload(),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <li class="user-row" data-testid="device-row" data-device=id.to_string()>
            <span title=kind_label(i18n, d.kind)>
                {crate::components::icon::icon(kind_icon(d.kind))}
                <span class="visually-hidden">{kind_label(i18n, d.kind)}</span>
            </span>
            <strong data-testid="device-name-shown">{name}</strong>
            <dl class="device-facts">
                <dt>{t!(i18n, devices_owner)}</dt><dd>{owner}</dd>
                <dt>{t!(i18n, devices_creator)}</dt><dd>{creator}</dd>
                <dt>{t!(i18n, devices_created)}</dt><dd>{created}</dd>
                <dt>{t!(i18n, devices_last_used)}</dt><dd data-testid="device-last-used">{last}</dd>
                <dt>{t!(i18n, devices_expires)}</dt><dd>{expires}</dd>
                <dt>{t!(i18n, devices_connections)}</dt><dd data-testid="device-connections">{d.connections}</dd>
                <dt>{t!(i18n, devices_protocols)}</dt><dd data-testid="device-protocols-shown">{scope}</dd>
            </dl>
            <details class="device-recent" data-testid="device-recent">
                <summary>{t!(i18n, devices_recent)} " (" {recent.len()} ")"</summary>
                {if recent.is_empty() {
                    view! { <p class="hint">{t!(i18n, devices_recent_none)}</p> }.into_any()
                } else {
                    view! {
                        <ul role="list">
                            {recent
                                .into_iter()
                                .map(|u| {
                                    let when = format_time(u.at, locale.as_str());
                                    let proto = u.protocol.unwrap_or_default().to_uppercase();
                                    let ip = u.client_ip.unwrap_or_default();
                                    view! {
                                        <li data-testid="device-recent-row">
                                            <time>{when}</time> " · " <span>{proto}</span> " · " <code>{ip}</code>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </details>
            <a href=api::device_profile_href(mb, id) download="" data-testid="device-profile">{t!(i18n, devices_profile)}</a>
            <button type="button" data-testid="device-regenerate" on:click=regenerate>{t!(i18n, devices_regenerate)}</button>
            <button type="button" class="danger" data-testid="device-disconnect" on:click=disconnect>{t!(i18n, devices_disconnect)}</button>
        </li>
    }
}

/// The password, once, with the settings beside it (R-DEV-2, R-PROTO-1).
/// `mb`: offer the Apple profile (its route needs "manage devices").
pub fn password_dialog(
    mb: Option<i64>,
    c: CreatedDevice,
    shown: RwSignal<Option<CreatedDevice>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let password = c.password.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&password);
            copied.set(true);
        }
    };
    let close = move |_| {
        shown.set(None);
        notice.set(Some(t_string!(i18n, devices_closed_notice).to_string()));
    };
    let s = c.settings.clone();
    let name = c.device.name.clone();
    // Only the servers this password may log in to.
    let may = |p| c.device.protocols.contains(&p);
    let (imap, pop3, smtp) = (
        may(DeviceProtocol::Imap),
        may(DeviceProtocol::Pop3),
        may(DeviceProtocol::Smtp),
    );
    view! {
        <div class="dialog" role="dialog" aria-modal="true" data-testid="device-password-dialog">
            <h3>{t!(i18n, devices_password_title, name = name.clone())}</h3>
            <p class="notice">{t!(i18n, devices_password_once)}</p>
            <p>
                <code data-testid="device-password">{c.password.clone()}</code>
                " "
                <button type="button" data-testid="device-copy" on:click=copy>
                    {move || if copied.get() { t_string!(i18n, devices_copied) } else { t_string!(i18n, devices_copy) }}
                </button>
            </p>
            <h4>{t!(i18n, devices_settings)}</h4>
            <dl class="device-facts" data-testid="device-settings">
                <dt>{t!(i18n, devices_settings_user)}</dt><dd>{s.username.clone()}</dd>
                {imap.then(|| view! {
                    <dt>{t!(i18n, devices_settings_imap)}</dt>
                    <dd>{format!("{}:{} ", s.imap_host, s.imap_port)}{t!(i18n, devices_settings_tls)}</dd>
                })}
                {pop3.then(|| view! {
                    <dt>{t!(i18n, devices_settings_pop3)}</dt>
                    <dd>{format!("{}:{} ", s.pop3_host, s.pop3s_port)}{t!(i18n, devices_settings_tls)}</dd>
                })}
                {smtp.then(|| view! {
                    <dt>{t!(i18n, devices_settings_smtp)}</dt>
                    <dd>
                        {format!("{}:{} ", s.smtp_host, s.submission_port)}{t!(i18n, devices_settings_starttls)}
                        " " {t!(i18n, devices_settings_or)} " "
                        {format!("{}:{} ", s.smtp_host, s.submissions_port)}{t!(i18n, devices_settings_tls)}
                    </dd>
                })}
            </dl>
            {mb.map(|mb| view! {
                <p>
                    <a href=api::device_profile_href(mb, c.device.id) download="">{t!(i18n, devices_profile)}</a>
                    " — " {t!(i18n, devices_profile_hint)}
                </p>
            })}
            <button type="button" class="primary" data-testid="device-dialog-close" on:click=close>{t!(i18n, devices_close)}</button>
        </div>
    }
}
