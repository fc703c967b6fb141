//! `/device-setup/<token>` (portal): following a device-setup link
//! (R-DEV-4). Signed out: to the sign-in page and back here. Signed in as
//! the link's user: what it is for, then the Devices tab's form — the
//! password is shown once with the settings, like there. Another account,
//! or a used, expired or withdrawn link: a clear page that says so (and
//! whose link it is), with a way to sign out and in as the right person.

use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::browser::{format_time, go};
use crate::core::session::{login_href, use_session};
use crate::i18n::*;
use crate::pages::settings::devices::{device_form, password_dialog};
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::devices::{CreateDeviceRequest, CreatedDevice, DeviceSetupInfo};
use postern_shared::{ApiError, ErrorCode};

pub fn device_setup_page() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("rest").unwrap_or_default());
    let info = RwSignal::new(None::<Result<DeviceSetupInfo, ApiError>>);
    Effect::new(move || {
        if !ready.get() {
            return;
        }
        let t = token();
        spawn_local(async move {
            info.set(Some(api::device_setup(t).await));
        });
    });
    view! {
        <main class="login-page invite-page" data-testid="device-setup-page">
            <section class="card">
                <div class="login-brand">
                    <img src="/icons/icon-192.png" alt="" width="56" height="56"/>
                    <h1>{t!(i18n, setup_title)}</h1>
                </div>
                {move || match info.get() {
                    None => view! { <p aria-busy="true">{t!(i18n, loading)}</p> }.into_any(),
                    Some(Err(e)) => unusable(&e).into_any(),
                    Some(Ok(i)) => usable(token(), i).into_any(),
                }}
            </section>
        </main>
    }
}

/// The refusal, in words; another account's link offers to switch.
fn unusable(e: &ApiError) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let text = error_text(i18n, e);
    let wrong_account = e.code == ErrorCode::DeviceSetupWrongAccount;
    let switch = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            let here = crate::core::browser::current_path();
            session.sign_out().await;
            go(&login_href(&here), true, &navigate);
        });
    };
    view! {
        <p class="alert error" role="alert" data-testid="device-setup-unusable" data-code=e.code.as_str()>{text}</p>
        {if wrong_account {
            view! {
                <button type="button" class="primary" data-testid="device-setup-switch" on:click=switch>
                    {t!(i18n, sign_out)}
                </button>
            }
                .into_any()
        } else {
            view! { <p>{t!(i18n, setup_ask_again)}</p> }.into_any()
        }}
        <a href="/" rel="external">{t!(i18n, go_home)}</a>
    }
}

fn usable(token: String, info: DeviceSetupInfo) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let shown = RwSignal::new(None::<CreatedDevice>);
    let notice = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let who = if info.invited_by.display_name.is_empty() {
        info.invited_by.login.clone()
    } else {
        info.invited_by.display_name.clone()
    };
    let until = format_time(info.expires_at, i18n.get_locale_untracked().as_str());
    let address = info.address.clone();
    let make = move |req: CreateDeviceRequest| {
        let token = token.clone();
        async move { api::redeem_device_setup(token, &req).await }
    };
    let make = StoredValue::new(make);
    let make = move |req: CreateDeviceRequest| make.with_value(|m| m(req));
    view! {
        <p data-testid="device-setup-summary">{t!(i18n, setup_summary, who = who.clone(), address = address.clone())}</p>
        <p class="muted">{t!(i18n, setup_valid_until, time = until.clone())}</p>
        {move || error.get().map(|m| view! { <p class="alert error" role="alert">{m}</p> })}
        {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        {move || shown.get().map(|c| password_dialog(None, c, shown, notice))}
        {move || {
            if done.get() {
                view! { <p class="notice" data-testid="device-setup-done">{t!(i18n, setup_done)}</p> }.into_any()
            } else {
                device_form(make, error, shown, move || done.set(true)).into_any()
            }
        }}
    }
}
