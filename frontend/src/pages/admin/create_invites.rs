//! The invitations of "Create address" for several users (R-ADDR-2 (b)):
//! beside the chosen members, people outside the organisation — by email
//! (the link is emailed) or as "a new user" (a link to copy) — each with
//! its permissions; and, once the mailbox exists, each invitation's link
//! shown once (`invitation_link`, as in the Users tab).

use crate::components::permission_toggles::permission_toggles;
use crate::i18n::*;
use crate::pages::settings::invitations::invitation_link;
use crate::pages::settings::users::default_permissions;
use leptos::prelude::*;
use postern_shared::PermissionSet;
use postern_shared::invitations::{CreateInvitationRequest, CreatedInvitation};

/// One invitation as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteDraft {
    /// Keeps the row's inputs when an earlier row is removed.
    pub key: u32,
    /// `None`: a link for a new user, no email.
    pub email: Option<String>,
    pub permissions: PermissionSet,
}

/// Why an invitation row cannot be sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteProblem {
    NoEmail,
    NoPermission,
}

/// The invitations the rows ask for (emailed when they have an address),
/// or the first thing to fix.
pub fn invitation_requests(
    drafts: &[InviteDraft],
    language: &str,
) -> Result<Vec<CreateInvitationRequest>, InviteProblem> {
    drafts
        .iter()
        .map(|d| {
            if d.permissions.is_empty() {
                return Err(InviteProblem::NoPermission);
            }
            let email = match &d.email {
                Some(e) if e.trim().is_empty() => return Err(InviteProblem::NoEmail),
                Some(e) => Some(e.trim().to_string()),
                None => None,
            };
            Ok(CreateInvitationRequest {
                send_email: email.is_some(),
                email,
                permissions: d.permissions,
                language: Some(language.to_string()),
            })
        })
        .collect()
}

/// The rows, with "invite by email" and "a link for a new user" buttons.
pub fn invite_drafts(drafts: RwSignal<Vec<InviteDraft>>, disabled: Signal<bool>) -> impl IntoView {
    let i18n = use_i18n();
    let next = StoredValue::new(0u32);
    let add = move |email: Option<String>| {
        let key = next.get_value();
        next.set_value(key + 1);
        drafts.update(|d| {
            d.push(InviteDraft {
                key,
                email,
                permissions: default_permissions(),
            })
        });
    };
    let edit = move |key: u32, f: &dyn Fn(&mut InviteDraft)| {
        drafts.update(|d| {
            if let Some(x) = d.iter_mut().find(|x| x.key == key) {
                f(x);
            }
        })
    };
    view! {
        <fieldset class="choices invite-drafts" data-testid="create-invites">
            <legend>{t!(i18n, create_invite_title)}</legend>
            <p class="hint">{t!(i18n, invite_someone_hint)}</p>
            <ul class="member-choice" role="list">
                <For each=move || drafts.get() key=|d| d.key let:d>
                    {
                        let key = d.key;
                        let perms = Signal::derive(move || {
                            drafts
                                .with(|all| all.iter().find(|x| x.key == key).map(|x| x.permissions))
                                .unwrap_or_default()
                        });
                        let row_text = match d.email {
                            Some(_) => view! {
                                <input
                                    type="email"
                                    autocomplete="off"
                                    data-testid="create-invite-email"
                                    aria-label=move || t_string!(i18n, invite_email)
                                    placeholder=move || t_string!(i18n, invite_email)
                                    disabled=move || disabled.get()
                                    on:input=move |ev| {
                                        let v = event_target_value(&ev);
                                        edit(key, &|x| x.email = Some(v.clone()));
                                    }
                                />
                            }
                            .into_any(),
                            None => view! {
                                <span data-testid="create-invite-link-row">{t!(i18n, create_invite_link_row)}</span>
                            }
                            .into_any(),
                        };
                        view! {
                            <li data-testid="create-invite">
                                <span class="invite-draft-head">
                                    {row_text}
                                    <button
                                        type="button"
                                        class="link"
                                        data-testid="create-invite-remove"
                                        disabled=move || disabled.get()
                                        on:click=move |_| drafts.update(|d| d.retain(|x| x.key != key))
                                    >
                                        {t!(i18n, create_invite_remove)}
                                    </button>
                                </span>
                                {permission_toggles(
                                    perms,
                                    Callback::new(move |p| edit(key, &|x| x.permissions = p)),
                                    disabled,
                                )}
                            </li>
                        }
                    }
                </For>
            </ul>
            <div class="form-actions">
                <button
                    type="button"
                    data-testid="create-invite-add-email"
                    disabled=move || disabled.get()
                    on:click=move |_| add(Some(String::new()))
                >
                    {t!(i18n, create_invite_by_email)}
                </button>
                <button
                    type="button"
                    data-testid="create-invite-add-link"
                    disabled=move || disabled.get()
                    on:click=move |_| add(None)
                >
                    {t!(i18n, create_invite_add_link)}
                </button>
            </div>
        </fieldset>
    }
}

/// After creation: each invitation made, its link shown once to copy
/// (with why its email could not go), or the address it was emailed to.
pub fn made_invitations(made: RwSignal<Vec<CreatedInvitation>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let made = made.get();
        (!made.is_empty()).then(|| {
            view! {
                <section class="block" data-testid="created-invitations">
                    <h3>{t!(i18n, created_invitations)}</h3>
                    {made
                        .into_iter()
                        .map(|c| match (c.invitation.emailed, c.invitation.email.clone()) {
                            (true, Some(email)) => view! {
                                <p class="status" data-testid="created-invitation-emailed">
                                    {t!(i18n, created_invitation_emailed, email = email)}
                                </p>
                            }
                            .into_any(),
                            (_, email) => view! {
                                <div class="created-invitation">
                                    {email.map(|e| view! { <p><strong>{e}</strong></p> })}
                                    {invitation_link(i18n, c.link, c.email_error)}
                                </div>
                            }
                            .into_any(),
                        })
                        .collect_view()}
                </section>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::Permission;

    #[test]
    fn rows_become_invitations_emailed_when_they_have_an_address() {
        let read = PermissionSet::empty().with(Permission::Read);
        let drafts = [
            InviteDraft {
                key: 0,
                email: Some(" ann@elsewhere.test ".into()),
                permissions: read,
            },
            InviteDraft {
                key: 1,
                email: None,
                permissions: read,
            },
        ];
        let r = invitation_requests(&drafts, "es").unwrap();
        assert_eq!(r[0].email.as_deref(), Some("ann@elsewhere.test"));
        assert!(r[0].send_email);
        assert_eq!(r[1].email, None);
        assert!(!r[1].send_email, "a link for a new user is never emailed");
        assert!(r.iter().all(|x| x.language.as_deref() == Some("es")));
    }

    #[test]
    fn an_email_row_needs_its_address_and_every_row_a_permission() {
        let blank = InviteDraft {
            key: 0,
            email: Some("  ".into()),
            permissions: default_permissions(),
        };
        assert_eq!(
            invitation_requests(std::slice::from_ref(&blank), "en"),
            Err(InviteProblem::NoEmail)
        );
        let none = InviteDraft {
            email: None,
            permissions: PermissionSet::empty(),
            ..blank
        };
        assert_eq!(
            invitation_requests(&[none], "en"),
            Err(InviteProblem::NoPermission)
        );
    }
}
