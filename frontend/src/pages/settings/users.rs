//! The Users section (R-ID-3, R-INV-1, R-INV-5): everyone with access to
//! the mailbox and their permissions as toggles, withdrawing access, and
//! giving it at once to a member of the organisation
//! (`PUT/DELETE /api/orgs/{org}/addresses/{addr}/users/{account}`).
//! One function per block, in page order:
//! [`user_list`], the pending invitations, [`add_member`], the invitation
//! form (`invitations.rs`).

use super::SettingsCtx;
use super::invitations::{Invitations, invite_form, pending_invitations};
use crate::components::access_text::refusal_note;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::permission_toggles::permission_toggles;
use crate::core::api;
use crate::i18n::*;
use crate::pages::admin::table::upsert;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::admin::{AddressRow, AddressUser, Member};
use postern_shared::api::AccountId;
use postern_shared::permissions::Action;
use postern_shared::{Permission, PermissionSet};

pub fn users(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let error = RwSignal::new(None::<String>);
    let role = {
        let ctx = ctx.clone();
        Signal::derive(move || ctx.role())
    };
    let inv = Invitations::load(&ctx);
    view! {
        <h2>{t!(i18n, section_users)}</h2>
        {refusal_note(role, Action::ManageAccess)}
        <ErrorAlert error=error/>
        {user_list(ctx.clone(), error)}
        {pending_invitations(ctx.clone(), inv)}
        {add_member(ctx.clone(), error)}
        {invite_form(ctx, inv)}
    }
}

/// Puts the server's new row into the table the page shows.
fn apply(ctx: &SettingsCtx, row: AddressRow) {
    ctx.table.update(|t| {
        if let Some(t) = t {
            upsert(&mut t.addresses, row);
        }
    });
}

fn user_list(ctx: SettingsCtx, error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let ctx_rows = ctx.clone();
    let users = Memo::new(move |_| ctx_rows.row().map(|r| r.users).unwrap_or_default());
    view! {
        <section class="block">
            <h3>{t!(i18n, users_with_access)}</h3>
            <Show
                when=move || !users.with(Vec::is_empty)
                fallback=move || view! { <p class="hint" data-testid="no-users">{t!(i18n, users_none)}</p> }
            >
                <ul class="user-list" role="list" data-testid="user-list">
                    <For
                        each=move || users.get()
                        key=|u| u.account
                        children={
                            let ctx = ctx.clone();
                            move |u| user_row(ctx.clone(), u, error)
                        }
                    />
                </ul>
            </Show>
        </section>
    }
}

fn user_row(ctx: SettingsCtx, u: AddressUser, error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let (org, mb, account) = (ctx.mailbox.organization, ctx.mailbox.id, u.account);
    let perms = RwSignal::new(u.permissions);
    let busy = RwSignal::new(false);
    let may = {
        let ctx = ctx.clone();
        Signal::derive(move || ctx.may(Action::ManageAccess))
    };
    let ctx_set = ctx.clone();
    let on_change = Callback::new(move |want: PermissionSet| {
        if busy.get_untracked() {
            return;
        }
        if want.is_empty() {
            // The server refuses an empty grant: withdrawing is "Remove".
            error.set(Some(t_string!(i18n, users_keep_one).to_string()));
            perms.set(perms.get_untracked());
            return;
        }
        let before = perms.get_untracked();
        perms.set(want);
        busy.set(true);
        let ctx = ctx_set.clone();
        spawn_local(async move {
            let r = api::set_access(org, mb, account, want).await;
            busy.set(false);
            match r {
                Ok(row) => {
                    error.set(None);
                    apply(&ctx, row);
                }
                Err(e) => {
                    perms.set(before);
                    error.set(Some(error_text(i18n, &e)));
                }
            }
        });
    });
    let remove = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let ctx = ctx.clone();
        spawn_local(async move {
            let r = api::remove_access(org, mb, account).await;
            busy.set(false);
            match r {
                Ok(()) => {
                    error.set(None);
                    ctx.table.update(|t| {
                        if let Some(row) = t
                            .as_mut()
                            .and_then(|t| t.addresses.iter_mut().find(|r| r.id == mb))
                        {
                            row.users.retain(|u| u.account != account);
                        }
                    });
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let name = if u.display_name.is_empty() {
        u.login.clone()
    } else {
        u.display_name.clone()
    };
    view! {
        <li class="user-row" data-testid="user-row" data-login=u.login.clone()>
            <span class="who">
                <strong>{name}</strong>
                <span class="login">{u.login.clone()}</span>
            </span>
            {permission_toggles(perms.into(), on_change, Signal::derive(move || !may.get() || busy.get()))}
            <button
                type="button"
                class="danger"
                data-testid="remove-access"
                disabled=move || !may.get() || busy.get()
                on:click=remove
            >
                {t!(i18n, remove_access)}
            </button>
        </li>
    }
}

/// Members of the organisation who have no access yet.
pub fn addable(members: &[Member], users: &[AddressUser]) -> Vec<Member> {
    members
        .iter()
        .filter(|m| !users.iter().any(|u| u.account == m.account))
        .cloned()
        .collect()
}

/// What a newly added member gets unless changed: reading and sending.
pub fn default_permissions() -> PermissionSet {
    PermissionSet::empty()
        .with(Permission::Read)
        .with(Permission::Send)
}

fn add_member(ctx: SettingsCtx, error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let (org, mb) = (ctx.mailbox.organization, ctx.mailbox.id);
    let ctx_list = ctx.clone();
    let candidates = Memo::new(move |_| {
        let members = ctx_list
            .table
            .with(|t| t.as_ref().map(|t| t.members.clone()))
            .unwrap_or_default();
        let users = ctx_list.row().map(|r| r.users).unwrap_or_default();
        addable(&members, &users)
    });
    let chosen = RwSignal::new(None::<AccountId>);
    let perms = RwSignal::new(default_permissions());
    let busy = RwSignal::new(false);
    let may = {
        let ctx = ctx.clone();
        Signal::derive(move || ctx.may(Action::ManageAccess))
    };
    // The choice follows the list: the first member left, or none.
    Effect::new(move || {
        let list = candidates.get();
        if !chosen
            .get_untracked()
            .is_some_and(|c| list.iter().any(|m| m.account == c))
        {
            chosen.set(list.first().map(|m| m.account));
        }
    });
    let add = move |_| {
        let Some(account) = chosen.get_untracked() else {
            return;
        };
        let want = perms.get_untracked();
        if busy.get_untracked() || want.is_empty() {
            return;
        }
        busy.set(true);
        let ctx = ctx.clone();
        spawn_local(async move {
            let r = api::set_access(org, mb, account, want).await;
            busy.set(false);
            match r {
                Ok(row) => {
                    error.set(None);
                    perms.set(default_permissions());
                    apply(&ctx, row);
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <section class="block" data-testid="add-member">
            <h3>{t!(i18n, add_member)}</h3>
            <Show
                when=move || !candidates.with(Vec::is_empty)
                fallback=move || view! { <p class="hint">{t!(i18n, add_member_none)}</p> }
            >
                <label class="field">
                    <span>{t!(i18n, member)}</span>
                    <select
                        data-testid="member-select"
                        disabled=move || !may.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev).parse().ok())
                    >
                        {move || {
                            candidates
                                .get()
                                .into_iter()
                                .map(|m| {
                                    let id = m.account;
                                    let label = if m.display_name.is_empty() {
                                        m.login.clone()
                                    } else {
                                        format!("{} ({})", m.display_name, m.login)
                                    };
                                    view! {
                                        <option value=id.to_string() selected=move || chosen.get() == Some(id)>
                                            {label}
                                        </option>
                                    }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                {permission_toggles(perms.into(), Callback::new(move |p| perms.set(p)), Signal::derive(move || !may.get()))}
                <div class="form-actions">
                    <button
                        type="button"
                        class="primary"
                        data-testid="add-member-submit"
                        disabled=move || !may.get() || busy.get() || chosen.get().is_none() || perms.get().is_empty()
                        on:click=add.clone()
                    >
                        {t!(i18n, give_access)}
                    </button>
                </div>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::permissions::Role;

    #[test]
    fn only_members_without_access_can_be_added() {
        let member = |account, login: &str| Member {
            account,
            login: login.into(),
            display_name: String::new(),
            role: Role::User,
        };
        let members = vec![member(1, "a@x.test"), member(2, "b@x.test")];
        let users = vec![AddressUser {
            account: 1,
            login: "a@x.test".into(),
            display_name: String::new(),
            permissions: PermissionSet::all(),
        }];
        let left = addable(&members, &users);
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].account, 2);
        assert!(default_permissions().contains(Permission::Send));
        assert_eq!(default_permissions().iter().count(), 2);
    }
}
