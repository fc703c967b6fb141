//! The invitation blocks of the Users section (R-INV-2, -4): the pending
//! invitations (who, created, expires; revoke) and the invitation form —
//! an email to send the link to, or a link to copy and hand over; the
//! button disabled with the reason when inviting is impossible here.
//! Both read `GET …/addresses/{addr}/users` (`MailboxUsers`).

use super::SettingsCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::permission_toggles::permission_toggles;
use crate::components::portal_error_text::invite_block_text;
use crate::core::api;
use crate::core::browser::format_time;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::ApiError;
use postern_shared::invitations::{CreateInvitationRequest, MailboxUsers};
use postern_shared::permissions::Action;

use super::users::default_permissions;

/// The users tab's invitation data, loaded again after each change.
#[derive(Clone, Copy)]
pub struct Invitations {
    pub data: RwSignal<Option<MailboxUsers>>,
    reload: RwSignal<u32>,
}

impl Invitations {
    pub fn load(ctx: &SettingsCtx) -> Invitations {
        let inv = Invitations {
            data: RwSignal::new(None),
            reload: RwSignal::new(0),
        };
        let (org, mb) = (ctx.mailbox.organization, ctx.mailbox.id);
        Effect::new(move || {
            inv.reload.track();
            spawn_local(async move {
                // A role that may not see the administration gets a 403:
                // nothing to show then (the Users section says why).
                inv.data.set(api::mailbox_users(org, mb).await.ok());
            });
        });
        inv
    }

    fn changed(self) {
        self.reload.update(|n| *n += 1);
    }
}

pub fn pending_invitations(ctx: SettingsCtx, inv: Invitations) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let (org, mb) = (ctx.mailbox.organization, ctx.mailbox.id);
    let may = Signal::derive(move || {
        inv.data.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.allowed.contains(&Action::ManageAccess))
        })
    });
    let list = Memo::new(move |_| {
        inv.data
            .with(|d| d.as_ref().map(|d| d.invitations.clone()))
            .unwrap_or_default()
    });
    let revoke = move |id: i64| {
        spawn_local(async move {
            match api::revoke_invitation(org, mb, id).await {
                Ok(()) => {
                    error.set(None);
                    inv.changed();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <Show when=move || !list.with(Vec::is_empty)>
            <section class="block" data-testid="pending-invitations">
                <h3>{t!(i18n, invitations_pending)}</h3>
                <ErrorAlert error=error/>
                <ul class="plain-list">
                    <For each=move || list.get() key=|i| i.id let:i>
                        {
                            let locale = i18n.get_locale();
                            let created = format_time(i.created_at, locale.as_str());
                            let expires = format_time(i.expires_at, locale.as_str());
                            let who = i
                                .email
                                .clone()
                                .unwrap_or_else(|| t_string!(i18n, invitation_by_link).to_string());
                            let id = i.id;
                            view! {
                                <li class="row" data-testid="pending-invitation">
                                    <span class="grow">
                                        <strong>{who}</strong>
                                        <br/>
                                        <small class="muted">
                                            {t!(i18n, invitation_dates, created = created, expires = expires)}
                                        </small>
                                    </span>
                                    <button
                                        type="button"
                                        data-testid="revoke-invitation"
                                        disabled=move || !may.get()
                                        on:click=move |_| revoke(id)
                                    >
                                        {t!(i18n, invitation_revoke)}
                                    </button>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </section>
        </Show>
    }
}

pub fn invite_form(ctx: SettingsCtx, inv: Invitations) -> impl IntoView {
    let i18n = use_i18n();
    let (org, mb) = (ctx.mailbox.organization, ctx.mailbox.id);
    let email = RwSignal::new(String::new());
    let send_email = RwSignal::new(true);
    let perms = RwSignal::new(default_permissions());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // The invitation just made: its link (shown once), and why its email
    // could not go when it could not.
    let made = RwSignal::new(None::<(String, Option<ApiError>)>);
    let blocked =
        Signal::derive(move || inv.data.with(|d| d.as_ref().and_then(|d| d.invite_blocked)));
    let loaded = Signal::derive(move || inv.data.with(Option::is_some));
    let disabled = Signal::derive(move || !loaded.get() || blocked.get().is_some());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || disabled.get_untracked() || perms.get_untracked().is_empty() {
            return;
        }
        let address = email.get_untracked().trim().to_string();
        let req = CreateInvitationRequest {
            send_email: send_email.get_untracked() && !address.is_empty(),
            email: Some(address).filter(|a| !a.is_empty()),
            permissions: perms.get_untracked(),
            language: Some(i18n.get_locale().as_str().to_string()),
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::create_invitation(org, mb, &req).await {
                Ok(c) => {
                    made.set(Some((c.link, c.email_error)));
                    email.set(String::new());
                    perms.set(default_permissions());
                    inv.changed();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="block" data-testid="invite-form">
            <h3>{t!(i18n, invite_someone)}</h3>
            <p class="hint">{t!(i18n, invite_someone_hint)}</p>
            {move || {
                blocked
                    .get()
                    .map(|b| {
                        view! {
                            <p class="refusal" data-testid="invite-blocked">
                                <span aria-hidden="true">"🔒 "</span>
                                {invite_block_text(i18n, b)}
                            </p>
                        }
                    })
            }}
            <ErrorAlert error=error/>
            <form class="stack" on:submit=submit>
                <label class="field">
                    <span>{t!(i18n, invite_email)}</span>
                    <input
                        type="email"
                        name="invite_email"
                        autocomplete="off"
                        data-testid="invite-email"
                        disabled=move || disabled.get()
                        bind:value=email
                    />
                </label>
                <label class="choice">
                    <input
                        type="checkbox"
                        data-testid="invite-send-email"
                        disabled=move || disabled.get() || email.with(|e| e.trim().is_empty())
                        bind:checked=send_email
                    />
                    <span>{t!(i18n, invite_send_email)}</span>
                </label>
                {permission_toggles(
                    perms.into(),
                    Callback::new(move |p| perms.set(p)),
                    disabled,
                )}
                <div class="form-actions">
                    <button
                        type="submit"
                        class="primary"
                        data-testid="invite-submit"
                        disabled=move || disabled.get() || busy.get() || perms.get().is_empty()
                    >
                        {t!(i18n, invite_create)}
                    </button>
                </div>
            </form>
            {move || made.get().map(|(link, email_error)| invitation_link(i18n, link, email_error))}
        </section>
    }
}

/// An invitation's link, shown once, with a copy button — and, when its
/// email could not go, why, and that it must be handed over instead.
pub fn invitation_link(
    i18n: crate::i18n::I18nContext,
    link: String,
    email_error: Option<ApiError>,
) -> impl IntoView {
    let copied = link.clone();
    let copy = move |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.navigator().clipboard().write_text(&copied);
        }
    };
    view! {
        <div class="invite-link" data-testid="invite-link">
            {email_error
                .map(|e| {
                    view! {
                        <p class="alert error" role="alert">
                            {error_text(i18n, &e)} " " {t!(i18n, invite_email_failed)}
                        </p>
                    }
                })}
            <label class="field">
                <span>{t!(i18n, invite_link_once)}</span>
                <input type="text" readonly=true prop:value=link/>
            </label>
            <button type="button" on:click=copy>
                {t!(i18n, invite_copy)}
            </button>
        </div>
    }
}
