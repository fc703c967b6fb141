//! The Devices section (R-DEV): the mailbox's device passwords, making one
//! (shown once, beside the settings a mail program needs, R-PROTO-1),
//! regenerating, disconnecting one or all. Needs the grant's "manage
//! devices" permission; without it the section says so and offers
//! nothing.

use super::SettingsCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::core::api;
use crate::core::browser::{confirm, format_time};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_i18n::I18nContext;
use postern_shared::Permission;
use postern_shared::devices::{
    CreateDeviceRequest, CreatedDevice, Device, DeviceKind, MailboxDevices, end_of_day_utc,
};

pub fn kind_label(i18n: I18nContext<Locale>, k: DeviceKind) -> String {
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
    view! {
        <h2>{t!(i18n, section_devices)}</h2>
        <p class="hint">{t!(i18n, devices_intro)}</p>
        <ErrorAlert error=error/>
        {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {create_form(mb, error, shown, reload)}
        {move || shown.get().map(|c| password_dialog(mb, c, shown, notice))}
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
    }
    .into_any()
}

fn create_form(
    mb: i64,
    error: RwSignal<Option<String>>,
    shown: RwSignal<Option<CreatedDevice>>,
    reload: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(DeviceKind::Phone);
    let expiry = RwSignal::new(String::new());
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
        };
        busy.set(true);
        spawn_local(async move {
            let r = api::create_device(mb, &req).await;
            busy.set(false);
            match r {
                Ok(c) => {
                    error.set(None);
                    name.set(String::new());
                    expiry.set(String::new());
                    shown.set(Some(c));
                    reload();
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
    let who = |p: &Option<postern_shared::devices::DevicePerson>| {
        p.as_ref()
            .map(|p| {
                if p.display_name.is_empty() {
                    p.login.clone()
                } else {
                    format!("{} ({})", p.display_name, p.login)
                }
            })
            .unwrap_or_default()
    };
    let (owner, creator) = (who(&d.owner), who(&d.created_by));
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
            </dl>
            <a href=api::device_profile_href(mb, id) download="" data-testid="device-profile">{t!(i18n, devices_profile)}</a>
            <button type="button" data-testid="device-regenerate" on:click=regenerate>{t!(i18n, devices_regenerate)}</button>
            <button type="button" class="danger" data-testid="device-disconnect" on:click=disconnect>{t!(i18n, devices_disconnect)}</button>
        </li>
    }
}

/// The password, once, with the settings beside it (R-DEV-2, R-PROTO-1).
fn password_dialog(
    mb: i64,
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
                <dt>{t!(i18n, devices_settings_imap)}</dt>
                <dd>{format!("{}:{} ", s.imap_host, s.imap_port)}{t!(i18n, devices_settings_tls)}</dd>
                <dt>{t!(i18n, devices_settings_smtp)}</dt>
                <dd>
                    {format!("{}:{} ", s.smtp_host, s.submission_port)}{t!(i18n, devices_settings_starttls)}
                    " " {t!(i18n, devices_settings_or)} " "
                    {format!("{}:{} ", s.smtp_host, s.submissions_port)}{t!(i18n, devices_settings_tls)}
                </dd>
            </dl>
            <p>
                <a href=api::device_profile_href(mb, c.device.id) download="">{t!(i18n, devices_profile)}</a>
                " — " {t!(i18n, devices_profile_hint)}
            </p>
            <button type="button" class="primary" data-testid="device-dialog-close" on:click=close>{t!(i18n, devices_close)}</button>
        </div>
    }
}
