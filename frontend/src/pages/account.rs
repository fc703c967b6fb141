//! `/account/security` (portal): the account's own security (R-ID-1), not
//! a mailbox's — two-factor sign-in (enrol with a QR code drawn here as
//! inline SVG, confirm with a first code, recovery codes shown once, turn
//! off, new recovery codes) and the open sessions (sign out one, or every
//! other), and support access to the account's mailboxes (R-SUP,
//! `account_support.rs`). Reached from the account menu of both apps.

use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_header::PortalHeader;
use crate::core::api;
use crate::core::browser::{confirm, format_time};
use crate::i18n::*;
use crate::pages::use_require_session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::account::{
    AccountSecurity, AccountSessions, OpenSession, TotpSetup, group_secret,
};

/// The QR code of `text` as one SVG path of its dark modules, with the
/// side of the whole picture (a quiet zone of 4 modules included).
pub fn qr_path(text: &str) -> Option<(i32, String)> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let n = qr.size();
    let mut d = String::new();
    for y in 0..n {
        for x in 0..n {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{} {}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    Some((n + 8, d))
}

fn qr_svg(text: &str, label: String) -> impl IntoView {
    qr_path(text).map(|(side, d)| {
        let view_box = format!("0 0 {side} {side}");
        view! {
            <svg class="qr" viewBox=view_box role="img" aria-label=label data-testid="totp-qr"
                shape-rendering="crispEdges">
                <rect width=side.to_string() height=side.to_string() fill="#fff"></rect>
                <path d=d fill="#000"></path>
            </svg>
        }
    })
}

#[component]
pub fn AccountSecurityPage() -> impl IntoView {
    let i18n = use_i18n();
    let ready = use_require_session();
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let state = RwSignal::new(None::<AccountSecurity>);
    let sessions = RwSignal::new(None::<AccountSessions>);
    // Recovery codes just made: shown until dismissed, never again.
    let codes = RwSignal::new(None::<Vec<String>>);
    let reload = move || {
        spawn_local(async move {
            match api::account_security().await {
                Ok(s) => state.set(Some(s)),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            match api::list_sessions().await {
                Ok(s) => sessions.set(Some(s)),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        })
    };
    Effect::new(move || {
        if ready.get() {
            reload();
        }
    });
    view! {
        <div class="portal-page">
            <PortalHeader
                title=Signal::derive(move || t_string!(i18n, security_title).to_string())
                back=Signal::stored("/".to_string())
                mailbox=Signal::stored(None)
            />
            <main class="portal-main account-security" aria-busy=move || (!ready.get()).to_string()>
                <ErrorAlert error=error/>
                {move || notice.get().map(|n| view! { <p class="notice" role="status" data-testid="security-notice">{n}</p> })}
                {move || codes.get().map(|c| recovery_codes_view(c, codes))}
                <section class="block" data-testid="two-factor">
                    <h2>{t!(i18n, security_2fa)}</h2>
                    {move || match state.get() {
                        None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                        Some(s) if s.two_factor => two_factor_on(s, error, notice, codes, reload).into_any(),
                        Some(_) => enrol_view(error, notice, codes, reload).into_any(),
                    }}
                </section>
                <section class="block" data-testid="sessions">
                    <h2>{t!(i18n, security_sessions)}</h2>
                    <p class="hint">{t!(i18n, security_sessions_intro)}</p>
                    {move || match sessions.get() {
                        None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                        Some(list) => sessions_view(list, error, notice, reload).into_any(),
                    }}
                </section>
                <crate::pages::account_support::SupportAccessSection/>
            </main>
        </div>
    }
}

fn recovery_codes_view(list: Vec<String>, codes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    let text = list.join("\n");
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&text);
            copied.set(true);
        }
    };
    view! {
        <div class="dialog" role="dialog" aria-modal="true" data-testid="recovery-codes">
            <h3>{t!(i18n, security_codes_title)}</h3>
            <p class="notice">{t!(i18n, security_codes_once)}</p>
            <ul class="recovery-codes" role="list">
                {list.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}
            </ul>
            <button type="button" on:click=copy>
                {move || if copied.get() { t_string!(i18n, security_copied) } else { t_string!(i18n, security_copy) }}
            </button>
            " "
            <button type="button" class="primary" data-testid="recovery-codes-done" on:click=move |_| codes.set(None)>
                {t!(i18n, security_codes_done)}
            </button>
        </div>
    }
}

fn enrol_view(
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    codes: RwSignal<Option<Vec<String>>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let setup = RwSignal::new(None::<TotpSetup>);
    let busy = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::start_totp(password.get_untracked()).await {
                Ok(s) => {
                    error.set(None);
                    password.set(String::new());
                    setup.set(Some(s));
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            busy.set(false);
        });
    };
    let confirm_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::confirm_totp(code.get_untracked()).await {
                Ok(r) => {
                    error.set(None);
                    setup.set(None);
                    codes.set(Some(r.codes));
                    notice.set(Some(t_string!(i18n, security_enabled_notice).to_string()));
                    reload();
                }
                Err(e) => {
                    code.set(String::new());
                    error.set(Some(error_text(i18n, &e)));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <p class="hint" data-testid="two-factor-off">{t!(i18n, security_2fa_off)}</p>
        {move || match setup.get() {
            None => view! {
                <form class="form" data-testid="totp-start" on:submit=start>
                    <label class="field">
                        <span>{t!(i18n, security_password)}</span>
                        <input type="password" autocomplete="current-password" required=true
                            data-testid="totp-password" bind:value=password/>
                    </label>
                    <button type="submit" class="primary" data-testid="totp-start-submit" disabled=move || busy.get()>
                        {t!(i18n, security_enrol)}
                    </button>
                </form>
            }
            .into_any(),
            Some(s) => {
                let secret = s.secret.clone();
                let copied = RwSignal::new(false);
                let copy = move |_| {
                    if let Some(w) = web_sys::window() {
                        let _ = w.navigator().clipboard().write_text(&secret);
                        copied.set(true);
                    }
                };
                view! {
                    <div class="totp-setup" data-testid="totp-setup">
                        <p>{t!(i18n, security_scan)}</p>
                        {qr_svg(&s.otpauth_uri, t_string!(i18n, security_qr).to_string())}
                        <p>
                            {t!(i18n, security_secret)} ": "
                            <code class="secret" data-testid="totp-secret">{group_secret(&s.secret)}</code>
                            " "
                            <button type="button" data-testid="totp-copy" on:click=copy>
                                {move || if copied.get() { t_string!(i18n, security_copied) } else { t_string!(i18n, security_copy) }}
                            </button>
                        </p>
                        <form class="form" data-testid="totp-confirm" on:submit=confirm_code>
                            <label class="field">
                                <span>{t!(i18n, security_first_code)}</span>
                                <input type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="8"
                                    required=true data-testid="totp-code" bind:value=code/>
                            </label>
                            <button type="submit" class="primary" data-testid="totp-confirm-submit" disabled=move || busy.get()>
                                {t!(i18n, security_confirm)}
                            </button>
                            " "
                            <button type="button" on:click=move |_| setup.set(None)>{t!(i18n, security_cancel)}</button>
                        </form>
                    </div>
                }
                .into_any()
            }
        }}
    }
}

fn two_factor_on(
    s: AccountSecurity,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    codes: RwSignal<Option<Vec<String>>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let since = s
        .two_factor_since
        .map(|t| format_time(t, i18n.get_locale().as_str()))
        .unwrap_or_default();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let regen_code = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let disable = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::disable_totp(password.get_untracked(), code.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    notice.set(Some(t_string!(i18n, security_disabled_notice).to_string()));
                    reload();
                }
                Err(e) => {
                    code.set(String::new());
                    error.set(Some(error_text(i18n, &e)));
                }
            }
            busy.set(false);
        });
    };
    let regenerate = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::regenerate_recovery_codes(regen_code.get_untracked()).await {
                Ok(r) => {
                    error.set(None);
                    regen_code.set(String::new());
                    codes.set(Some(r.codes));
                    reload();
                }
                Err(e) => {
                    regen_code.set(String::new());
                    error.set(Some(error_text(i18n, &e)));
                }
            }
            busy.set(false);
        });
    };
    view! {
        <p data-testid="two-factor-on">
            {t!(i18n, security_2fa_on, time = since, count = s.recovery_codes_left)}
        </p>
        <form class="form" data-testid="totp-regenerate" on:submit=regenerate>
            <h3>{t!(i18n, security_regenerate)}</h3>
            <p class="hint">{t!(i18n, security_regenerate_hint)}</p>
            <label class="field">
                <span>{t!(i18n, security_code_or_recovery)}</span>
                <input type="text" autocomplete="one-time-code" maxlength="20" required=true bind:value=regen_code/>
            </label>
            <button type="submit" disabled=move || busy.get()>{t!(i18n, security_regenerate)}</button>
        </form>
        <form class="form" data-testid="totp-disable" on:submit=disable>
            <h3>{t!(i18n, security_disable)}</h3>
            <label class="field">
                <span>{t!(i18n, security_password)}</span>
                <input type="password" autocomplete="current-password" required=true
                    data-testid="totp-disable-password" bind:value=password/>
            </label>
            <label class="field">
                <span>{t!(i18n, security_code_or_recovery)}</span>
                <input type="text" autocomplete="one-time-code" maxlength="20" required=true
                    data-testid="totp-disable-code" bind:value=code/>
            </label>
            <button type="submit" class="danger" data-testid="totp-disable-submit" disabled=move || busy.get()>
                {t!(i18n, security_disable)}
            </button>
        </form>
    }
}

fn sessions_view(
    list: AccountSessions,
    error: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let others = list.sessions.iter().filter(|s| !s.current).count();
    let end_others = move |_| {
        if !confirm(t_string!(i18n, security_confirm_end_others)) {
            return;
        }
        spawn_local(async move {
            match api::end_other_sessions().await {
                Ok(r) => {
                    notice.set(Some(
                        t_string!(i18n, security_ended_others, count = r.ended).to_string(),
                    ));
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <ul class="user-list" role="list" data-testid="session-list">
            {list.sessions.into_iter().map(|s| session_row(s, error, reload)).collect_view()}
        </ul>
        <Show when=move || { others > 0 }>
            <button type="button" class="danger" data-testid="sessions-end-others" on:click=end_others>
                {t!(i18n, security_end_others)}
            </button>
        </Show>
    }
}

fn session_row(
    s: OpenSession,
    error: RwSignal<Option<String>>,
    reload: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale();
    let created = format_time(s.created_at, locale.as_str());
    let seen = format_time(s.last_seen_at, locale.as_str());
    let browser = s
        .browser
        .clone()
        .unwrap_or_else(|| t_string!(i18n, security_browser_unknown).to_string());
    let id = s.id.clone();
    let current = s.current;
    let end = move |_| {
        let id = id.clone();
        spawn_local(async move {
            match api::end_session(id).await {
                Ok(()) => reload(),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <li class="user-row" data-testid="session-row" data-current=current.to_string()>
            <strong>{browser}</strong>
            {current.then(|| view! { <span class="badge" data-testid="session-current">{t!(i18n, security_this_session)}</span> })}
            <dl class="facts">
                <dt>{t!(i18n, security_created)}</dt><dd>{created}</dd>
                <dt>{t!(i18n, security_last_seen)}</dt><dd>{seen}</dd>
                <dt>{t!(i18n, security_address)}</dt><dd data-testid="session-address">{s.client_ip.unwrap_or_else(|| "—".into())}</dd>
            </dl>
            {(!current).then(|| view! {
                <button type="button" data-testid="session-end" on:click=end.clone()>{t!(i18n, security_end)}</button>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_one_path_inside_a_quiet_zone() {
        let (side, d) = qr_path(
            "otpauth://totp/Postern:ann@example.test?secret=JBSWY3DPEHPK3PXP&issuer=Postern",
        )
        .unwrap();
        // Version 4 or 5 for this length: 33 or 37 modules, + 8 of margin.
        assert!((29 + 8..=45 + 8).contains(&side), "{side}");
        assert!(d.starts_with("M4 4h1v1h-1z"), "the finder pattern's corner");
        assert!(!d.contains("M0 ") && !d.contains("M3 "));
    }
}
