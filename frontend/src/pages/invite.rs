//! `/invite/<token>` (portal): following an invitation link (R-INV-3).
//! The page says what is shared and by whom; a revoked, used or expired
//! link says so plainly. Signed in: pick which of your organisations the
//! mailbox appears in (or a new one), or switch account first. Signed
//! out: sign in, or create an account (the login may be the invited
//! address). After accepting, the mailbox opens in the webmail.

use crate::components::error_text::error_text;
use crate::components::language_select::LanguageSelect;
use crate::core::api;
use crate::core::browser::go;
use crate::core::session::use_session;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use postern_shared::invitations::{InvitationInfo, OrganizationChoice};
use postern_shared::{ApiError, ErrorCode, Permission};

/// The organisation picked in the form: one of mine, or a new one.
#[derive(Clone, Debug, PartialEq)]
enum Pick {
    Mine(i64),
    New,
}

/// Which form a signed-out visitor sees.
#[derive(Clone, Copy, PartialEq)]
enum Door {
    SignIn,
    SignUp,
}

pub fn invite_page() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let params = use_params_map();
    let token = move || params.with(|p| p.get("rest").unwrap_or_default());
    let invitation = RwSignal::new(None::<Result<InvitationInfo, ApiError>>);
    // `None` while the session probe runs.
    let signed_in = RwSignal::new(None::<bool>);

    Effect::new(move || {
        let t = token();
        spawn_local(async move {
            invitation.set(Some(api::invitation(t).await));
        });
    });
    Effect::new(move || {
        spawn_local(async move {
            signed_in.set(Some(session.load().await.is_ok()));
        });
    });

    view! {
        <main class="login-page invite-page" data-testid="invite-page">
            <section class="card">
                <div class="login-brand">
                    <img src="/icons/icon-192.png" alt="" width="56" height="56"/>
                    <h1>{t!(i18n, invite_title)}</h1>
                </div>
                {move || match invitation.get() {
                    None => view! { <p aria-busy="true">{t!(i18n, invite_loading)}</p> }.into_any(),
                    Some(Err(e)) => unusable(i18n, &e).into_any(),
                    Some(Ok(info)) => {
                        let what = shared_summary(i18n, &info);
                        let email = info.email.clone();
                        view! {
                            {what}
                            {move || match signed_in.get() {
                                None => ().into_any(),
                                Some(true) => accept_form(token()).into_any(),
                                Some(false) => {
                                    doors(token(), email.clone(), signed_in).into_any()
                                }
                            }}
                        }
                            .into_any()
                    }
                }}
                <div class="login-footer">
                    <LanguageSelect/>
                </div>
            </section>
        </main>
    }
}

/// A link that cannot be used, in words (never a bare error code).
fn unusable(i18n: I18nContext, e: &ApiError) -> impl IntoView {
    let text = match e.code {
        ErrorCode::NotFound => t_string!(i18n, invite_unknown).to_string(),
        ErrorCode::Expired => t_string!(i18n, invite_expired).to_string(),
        _ => error_text(i18n, e),
    };
    view! {
        <p class="alert error" role="alert" data-testid="invite-unusable">{text}</p>
        <p>{t!(i18n, invite_ask_again)}</p>
        <a href="/" rel="external">{t!(i18n, go_home)}</a>
    }
}

fn permission_name(i18n: I18nContext, p: Permission) -> String {
    match p {
        Permission::Read => t_string!(i18n, perm_read),
        Permission::Send => t_string!(i18n, perm_send),
        Permission::ManageFilters => t_string!(i18n, perm_manage_filters),
        Permission::ManageDevices => t_string!(i18n, perm_manage_devices),
        Permission::ViewLogs => t_string!(i18n, perm_view_logs),
        Permission::Restore => t_string!(i18n, perm_restore),
    }
    .to_string()
}

fn shared_summary(i18n: I18nContext, info: &InvitationInfo) -> impl IntoView {
    let perms: Vec<String> = Permission::ALL
        .into_iter()
        .filter(|p| info.permissions.contains(*p))
        .map(|p| permission_name(i18n, p))
        .collect();
    let until = crate::core::browser::format_time(info.expires_at, i18n.get_locale().as_str());
    let who = info.invited_by.clone();
    let org = info.organization.clone();
    let address = info.address.clone();
    view! {
        <p data-testid="invite-summary">
            {t!(i18n, invite_summary, who = who, organization = org)}
        </p>
        <p class="invite-address"><strong>{address}</strong></p>
        <p>{t!(i18n, invite_permissions)} " " {perms.join(", ")}</p>
        <p class="muted">{t!(i18n, invite_valid_until, time = until)}</p>
    }
}

/// Signed out: sign in, or create an account.
fn doors(token: String, email: Option<String>, signed_in: RwSignal<Option<bool>>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let door = RwSignal::new(Door::SignUp);
    let login = RwSignal::new(email.unwrap_or_default());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let token = token.clone();
        spawn_local(async move {
            let done = match door.get_untracked() {
                Door::SignIn => {
                    session
                        .sign_in(login.get_untracked(), password.get_untracked())
                        .await
                }
                Door::SignUp => {
                    session
                        .sign_up(
                            token,
                            login.get_untracked(),
                            password.get_untracked(),
                            name.get_untracked(),
                        )
                        .await
                }
            };
            match done {
                Ok(()) => {
                    password.set(String::new());
                    signed_in.set(Some(true));
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="tabs" role="tablist">
            <button
                type="button"
                role="tab"
                aria-selected=move || (door.get() == Door::SignUp).to_string()
                on:click=move |_| door.set(Door::SignUp)
            >
                {t!(i18n, invite_new_account)}
            </button>
            <button
                type="button"
                role="tab"
                aria-selected=move || (door.get() == Door::SignIn).to_string()
                on:click=move |_| door.set(Door::SignIn)
            >
                {t!(i18n, invite_have_account)}
            </button>
        </div>
        <form class="stack" on:submit=on_submit data-testid="invite-door">
            {move || {
                error
                    .get()
                    .map(|msg| view! { <p class="alert error" role="alert">{msg}</p> })
            }}
            <label>
                <span>{t!(i18n, login_login)}</span>
                <input
                    name="login"
                    type="email"
                    autocomplete="username"
                    autocapitalize="none"
                    spellcheck="false"
                    required=true
                    bind:value=login
                />
            </label>
            <Show when=move || door.get() == Door::SignUp>
                <label>
                    <span>{t!(i18n, invite_display_name)}</span>
                    <input name="display_name" type="text" autocomplete="name" bind:value=name/>
                </label>
            </Show>
            <label>
                <span>{t!(i18n, login_password)}</span>
                <input
                    name="password"
                    type="password"
                    autocomplete=move || {
                        if door.get() == Door::SignUp { "new-password" } else { "current-password" }
                    }
                    minlength=move || {
                        (door.get() == Door::SignUp)
                            .then(|| postern_shared::invitations::MIN_PASSWORD_CHARS.to_string())
                    }
                    required=true
                    bind:value=password
                />
            </label>
            <Show when=move || door.get() == Door::SignUp>
                <p class="muted">
                    {t!(
                        i18n, invite_password_rule, count = postern_shared::invitations::MIN_PASSWORD_CHARS
                    )}
                </p>
            </Show>
            <button type="submit" class="primary" disabled=move || busy.get()>
                {move || match door.get() {
                    Door::SignUp => t_string!(i18n, invite_create_account),
                    Door::SignIn => t_string!(i18n, login_submit),
                }}
            </button>
        </form>
    }
}

/// Signed in: where the mailbox appears, then accept.
fn accept_form(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = use_navigate();
    let orgs = move || {
        session
            .me
            .get()
            .map(|m| m.organizations)
            .unwrap_or_default()
    };
    let pick = RwSignal::new(None::<Pick>);
    // Default: my first organisation, or a new one when I have none.
    Effect::new(move || {
        if pick.get_untracked().is_none() && session.me.get().is_some() {
            pick.set(Some(orgs().first().map_or(Pick::New, |o| Pick::Mine(o.id))));
        }
    });
    let new_name = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let who = move || {
        session
            .info
            .get()
            .map(|i| i.account.login)
            .unwrap_or_default()
    };
    let switch = move |_| {
        spawn_local(async move {
            session.sign_out().await;
            // The page stays: sign in with the other account here.
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        });
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let choice = match pick.get_untracked() {
            Some(Pick::Mine(id)) => OrganizationChoice::Existing { id },
            Some(Pick::New) => {
                let name = new_name.get_untracked().trim().to_string();
                if name.is_empty() {
                    error.set(Some(t_string!(i18n, invite_name_org).to_string()));
                    return;
                }
                OrganizationChoice::New { name }
            }
            None => return,
        };
        busy.set(true);
        error.set(None);
        let token = token.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::accept_invitation(token, choice).await {
                Ok(done) => {
                    let href = format!("/mail/{}/INBOX", done.mailbox);
                    go(&href, true, &navigate);
                }
                Err(e) => {
                    error.set(Some(error_text(i18n, &e)));
                    busy.set(false);
                }
            }
        });
    };
    view! {
        <p data-testid="invite-signed-in">
            {move || t_string!(i18n, invite_signed_in_as, login = who())}
            " "
            <button type="button" class="link" on:click=switch>
                {t!(i18n, invite_switch_account)}
            </button>
        </p>
        <form class="stack" on:submit=on_submit data-testid="invite-accept">
            {move || {
                error
                    .get()
                    .map(|msg| view! { <p class="alert error" role="alert">{msg}</p> })
            }}
            <fieldset>
                <legend>{t!(i18n, invite_where)}</legend>
                <For each=orgs key=|o| o.id let:org>
                    <label class="choice">
                        <input
                            type="radio"
                            name="organization"
                            prop:checked=move || pick.get() == Some(Pick::Mine(org.id))
                            on:change=move |_| pick.set(Some(Pick::Mine(org.id)))
                        />
                        <span>{org.name.clone()}</span>
                    </label>
                </For>
                <label class="choice">
                    <input
                        type="radio"
                        name="organization"
                        prop:checked=move || pick.get() == Some(Pick::New)
                        on:change=move |_| pick.set(Some(Pick::New))
                    />
                    <span>{t!(i18n, invite_new_org)}</span>
                </label>
                <Show when=move || pick.get() == Some(Pick::New)>
                    <input
                        name="organization_name"
                        type="text"
                        maxlength="100"
                        aria-label=move || t_string!(i18n, invite_new_org_name)
                        placeholder=move || t_string!(i18n, invite_new_org_name)
                        bind:value=new_name
                    />
                </Show>
            </fieldset>
            <button type="submit" class="primary" disabled=move || busy.get()>
                {t!(i18n, invite_accept)}
            </button>
        </form>
    }
}
