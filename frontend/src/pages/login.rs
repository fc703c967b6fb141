//! `/login?next=…`: the sign-in form. After signing in, back to `next`.
//! An account with two-factor sign-in answers the password with
//! `second_factor_required`: the form then asks for the code (a TOTP code
//! or a recovery code) and sends it with the pending sign-in's token.

use crate::components::error_text::error_text;
use crate::components::language_select::LanguageSelect;
use crate::core::browser::go;
use crate::core::session::{safe_next, use_session};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use postern_shared::ErrorCode;

/// `next` from the address bar, decoded once (the router's query map
/// decodes twice, which would turn `%2F` inside a folder name into `/`).
fn next_param() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    web_sys::Url::new(&href).ok()?.search_params().get("next")
}

#[component]
pub fn Login() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    // The pending sign-in's token, once the password was right.
    let pending = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let next = safe_next(next_param());
        spawn_local(async move {
            let r = match pending.get_untracked() {
                Some(token) => {
                    session
                        .sign_in_second_factor(token, code.get_untracked())
                        .await
                }
                None => {
                    session
                        .sign_in(login.get_untracked(), password.get_untracked())
                        .await
                }
            };
            match r {
                Ok(()) => {
                    password.set(String::new());
                    // `next` may be a page of the portal (`/transfer`).
                    go(&next, true, &navigate);
                }
                Err(e) if e.code == ErrorCode::SecondFactorRequired => {
                    password.set(String::new());
                    pending.set(e.params.pending.clone());
                }
                Err(e) => {
                    if e.code == ErrorCode::SecondFactorExpired {
                        pending.set(None);
                    }
                    code.set(String::new());
                    error.set(Some(error_text(i18n, &e)));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <main class="login-page">
            <form id="login" class="card" on:submit=on_submit>
                <div class="login-brand">
                    <img src="/icons/icon-192.png" alt="" width="56" height="56"/>
                    <h1>{t!(i18n, login_title)}</h1>
                </div>
                {move || {
                    error
                        .get()
                        .map(|msg| {
                            view! {
                                <p class="alert error" role="alert" data-testid="login-error">
                                    {msg}
                                </p>
                            }
                        })
                }}
                <Show when=move || pending.get().is_some()>
                    <p class="hint">{t!(i18n, login_code_hint)}</p>
                    <label>
                        <span>{t!(i18n, login_code)}</span>
                        <input
                            name="code"
                            type="text"
                            inputmode="numeric"
                            autocomplete="one-time-code"
                            autocapitalize="none"
                            spellcheck="false"
                            maxlength="20"
                            required=true
                            autofocus=true
                            data-testid="login-code"
                            bind:value=code
                        />
                    </label>
                    <button type="submit" class="primary" disabled=move || busy.get()>
                        {t!(i18n, login_verify)}
                    </button>
                    <button type="button" on:click=move |_| {
                        pending.set(None);
                        code.set(String::new());
                        error.set(None);
                    }>
                        {t!(i18n, login_start_again)}
                    </button>
                </Show>
                <Show when=move || pending.get().is_none()>
                <label>
                    <span>{t!(i18n, login_login)}</span>
                    <input
                        name="login"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required=true
                        autofocus=true
                        bind:value=login
                    />
                </label>
                <label>
                    <span>{t!(i18n, login_password)}</span>
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required=true
                        bind:value=password
                    />
                </label>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || {
                        if busy.get() {
                            t_string!(i18n, login_signing_in)
                        } else {
                            t_string!(i18n, login_submit)
                        }
                    }}
                </button>
                </Show>
                <div class="login-footer">
                    <LanguageSelect/>
                    <a href=crate::pages::privacy::PRIVACY_PATH rel="external" data-testid="footer-privacy">
                        {t!(i18n, privacy_title)}
                    </a>
                </div>
            </form>
        </main>
    }
}
