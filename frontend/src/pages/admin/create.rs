//! "Create address" (R-ADDR-1..3): the part before `@` checked as it is
//! typed (the message names the refused character), a domain, a display
//! name, and what the address is — a mailbox for myself (optionally with
//! a signature), for several users (chosen members with their
//! permissions and/or invitations, `create_invites.rs`), or for nobody
//! (optionally the domain's catch-all), a no-reply, or a redirect to a
//! list of addresses. The server's errors show beside their field; Create
//! is disabled while a request is on its way, so a double click sends once.

use super::AdminCtx;
use super::create_invites::{
    InviteDraft, InviteProblem, invitation_requests, invite_drafts, made_invitations,
};
use super::table;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::permission_toggles::permission_toggles;
use crate::components::portal_error_text::local_part_text;
use crate::core::api;
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::settings::users::default_permissions;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::address::{LocalPartError, validate_local_part};
use postern_shared::admin::{AddressKind, CreateAddressRequest, DomainId, NewGrant, Recipients};
use postern_shared::api::AccountId;
use postern_shared::compose::Signature;
use postern_shared::permissions::Action;
use postern_shared::{ApiError, ErrorCode, PermissionSet};

/// Who gets a new mailbox (R-ADDR-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Myself,
    Members,
    Nobody,
}

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub local_part: String,
    pub domain: Option<DomainId>,
    pub display_name: String,
    pub kind: AddressKind,
    pub mode: Mode,
    /// Chosen members and their permissions (mode `Members`).
    pub members: Vec<(AccountId, PermissionSet)>,
    /// People invited with it (mode `Members`).
    pub invites: Vec<InviteDraft>,
    /// The emails' language (the UI's).
    pub language: String,
    /// The new mailbox's signature (plain text; empty: none).
    pub signature: String,
    /// Redirect targets, one per line or separated by commas or spaces.
    pub targets: String,
    pub catch_all: bool,
}

/// Why the form cannot be sent yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    LocalPart(LocalPartError),
    NoDomain,
    NoMembers,
    MemberWithoutPermission,
    InviteWithoutEmail,
    NoTargets,
}

pub fn targets(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The request the form makes, or the first thing to fix.
pub fn build_request(f: &Form) -> Result<CreateAddressRequest, Problem> {
    validate_local_part(&f.local_part).map_err(Problem::LocalPart)?;
    let domain = f.domain.ok_or(Problem::NoDomain)?;
    let mailbox = f.kind == AddressKind::Mailbox;
    let recipients = match (mailbox, f.mode) {
        (true, Mode::Myself) => Recipients::Myself,
        (true, Mode::Members) => {
            if f.members.is_empty() && f.invites.is_empty() {
                return Err(Problem::NoMembers);
            }
            if f.members.iter().any(|(_, p)| p.is_empty()) {
                return Err(Problem::MemberWithoutPermission);
            }
            let invitations =
                invitation_requests(&f.invites, &f.language).map_err(|p| match p {
                    InviteProblem::NoEmail => Problem::InviteWithoutEmail,
                    InviteProblem::NoPermission => Problem::MemberWithoutPermission,
                })?;
            Recipients::Users {
                grants: f
                    .members
                    .iter()
                    .map(|(account, permissions)| NewGrant {
                        account: *account,
                        permissions: *permissions,
                    })
                    .collect(),
                invitations,
            }
        }
        _ => Recipients::Nobody,
    };
    let redirect_to = if f.kind == AddressKind::Redirect {
        let t = targets(&f.targets);
        if t.is_empty() {
            return Err(Problem::NoTargets);
        }
        t
    } else {
        Vec::new()
    };
    Ok(CreateAddressRequest {
        local_part: f.local_part.clone(),
        domain,
        display_name: f.display_name.trim().to_string(),
        kind: f.kind,
        recipients,
        redirect_to,
        catch_all: mailbox && f.catch_all,
        signature: (mailbox && f.mode != Mode::Nobody && !f.signature.trim().is_empty()).then(
            || Signature {
                text: f.signature.clone(),
                html: None,
            },
        ),
    })
}

/// Which field a server error belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Address,
    Targets,
    Invites,
    Form,
}

pub fn field_of(e: &ApiError) -> Field {
    match (e.code, e.params.field.as_deref()) {
        (_, Some("address")) | (ErrorCode::InvalidAddress | ErrorCode::AddressTaken, _) => {
            Field::Address
        }
        (_, Some("email")) | (ErrorCode::InviteImpossible, _) => Field::Invites,
        (ErrorCode::InvalidRecipient, _) => Field::Targets,
        _ => Field::Form,
    }
}

pub fn create_form(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let may = ctx.may(Action::ManageAddresses);
    let domains = Memo::new(move |_| {
        ctx.data
            .with(|d| d.as_ref().map(|d| d.domains.clone()))
            .unwrap_or_default()
    });
    let members = Memo::new(move |_| {
        ctx.data
            .with(|d| d.as_ref().map(|d| d.members.clone()))
            .unwrap_or_default()
    });
    let local = RwSignal::new(String::new());
    let domain = RwSignal::new(None::<DomainId>);
    let display_name = RwSignal::new(String::new());
    let kind = RwSignal::new(AddressKind::Mailbox);
    let mode = RwSignal::new(Mode::Nobody);
    let chosen = RwSignal::new(Vec::<(AccountId, PermissionSet)>::new());
    let invites = RwSignal::new(Vec::<InviteDraft>::new());
    let signature = RwSignal::new(String::new());
    let made = RwSignal::new(Vec::new());
    let invites_error = RwSignal::new(None::<String>);
    let target_text = RwSignal::new(String::new());
    let catch_all = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let address_error = RwSignal::new(None::<String>);
    let targets_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let created = RwSignal::new(None::<String>);
    let form = Memo::new(move |_| Form {
        local_part: local.get(),
        domain: domain
            .get()
            .or_else(|| domains.with(|d| d.first().map(|d| d.id))),
        display_name: display_name.get(),
        kind: kind.get(),
        mode: mode.get(),
        members: chosen.get(),
        invites: invites.get(),
        language: i18n.get_locale().as_str().to_string(),
        signature: signature.get(),
        targets: target_text.get(),
        catch_all: catch_all.get(),
    });
    let request = Memo::new(move |_| build_request(&form.get()));
    // Said as typed; an empty field says nothing until something is typed.
    let local_problem = Memo::new(move |_| {
        local.with(|l| {
            (!l.is_empty())
                .then(|| validate_local_part(l).err())
                .flatten()
        })
    });
    let other_problem = move || match request.get() {
        Err(Problem::NoMembers) => Some(t_string!(i18n, create_need_member).to_string()),
        Err(Problem::MemberWithoutPermission) => {
            Some(t_string!(i18n, create_need_permission).to_string())
        }
        Err(Problem::InviteWithoutEmail) => {
            Some(t_string!(i18n, create_need_invite_email).to_string())
        }
        Err(Problem::NoTargets) => Some(t_string!(i18n, create_need_targets).to_string()),
        _ => None,
    };
    let clear_server = move || {
        address_error.set(None);
        targets_error.set(None);
        invites_error.set(None);
        form_error.set(None);
    };
    let submit = move || {
        if busy.get_untracked() || !may.get_untracked() {
            return;
        }
        let Ok(req) = request.get_untracked() else {
            return;
        };
        busy.set(true);
        clear_server();
        created.set(None);
        made.set(Vec::new());
        let myself =
            matches!(req.recipients, Recipients::Myself) && req.kind == AddressKind::Mailbox;
        spawn_local(async move {
            let r = api::create_address(ctx.org, &req).await;
            busy.set(false);
            match r {
                Ok(done) => {
                    let row = done.address;
                    created.set(Some(row.address.clone()));
                    made.set(done.invitations);
                    if req.catch_all {
                        let id = row.id;
                        ctx.data.update(|d| {
                            if let Some(dom) = d
                                .as_mut()
                                .and_then(|d| d.domains.iter_mut().find(|x| x.id == req.domain))
                            {
                                dom.catch_all = Some(id);
                            }
                        });
                    }
                    ctx.data.update(|d| {
                        if let Some(d) = d {
                            table::upsert(&mut d.addresses, row);
                        }
                    });
                    local.set(String::new());
                    display_name.set(String::new());
                    target_text.set(String::new());
                    catch_all.set(false);
                    invites.set(Vec::new());
                    signature.set(String::new());
                    // "For myself" is at once in my webmail: `Me` lists it.
                    if myself {
                        let _ = session.load_me().await;
                    }
                }
                Err(e) => {
                    let text = error_text(i18n, &e);
                    match field_of(&e) {
                        Field::Address => address_error.set(Some(text)),
                        Field::Targets => targets_error.set(Some(text)),
                        Field::Invites => invites_error.set(Some(text)),
                        Field::Form => form_error.set(Some(text)),
                    }
                }
            }
        });
    };
    let radio =
        move |name: &'static str, value: &'static str, checked: Signal<bool>, set: Callback<()>| {
            view! {
                <input
                    type="radio"
                    name=name
                    value=value
                    data-testid=format!("{name}-{value}")
                    prop:checked=move || checked.get()
                    disabled=move || !may.get()
                    on:change=move |_| set.run(())
                />
            }
        };
    let kind_radio = move |k: AddressKind| {
        radio(
            "kind",
            k.as_str(),
            Signal::derive(move || kind.get() == k),
            Callback::new(move |_| kind.set(k)),
        )
    };
    let mode_radio = move |m: Mode, v: &'static str| {
        radio(
            "mode",
            v,
            Signal::derive(move || mode.get() == m),
            Callback::new(move |_| mode.set(m)),
        )
    };
    view! {
        <details class="create-box" data-testid="create-box">
            <summary data-testid="create-toggle">{t!(i18n, create_address)}</summary>
            <form
                class="create-form"
                data-testid="create-form"
                novalidate=true
                on:submit=move |ev| {
                    ev.prevent_default();
                    submit();
                }
            >
                <div class="field address-field">
                    <label for="new-local">{t!(i18n, field_address)}</label>
                    <span class="address-input">
                        <input
                            id="new-local"
                            type="text"
                            autocomplete="off"
                            spellcheck="false"
                            data-testid="new-local-part"
                            aria-invalid=move || (local_problem.with(Option::is_some) || address_error.with(Option::is_some)).to_string()
                            aria-describedby="new-local-error"
                            disabled=move || !may.get()
                            prop:value=move || local.get()
                            on:input=move |ev| {
                                clear_server();
                                created.set(None);
                                local.set(event_target_value(&ev));
                            }
                        />
                        <select
                            data-testid="new-domain"
                            aria-label=move || t_string!(i18n, field_domain)
                            disabled=move || !may.get()
                            on:change=move |ev| domain.set(event_target_value(&ev).parse().ok())
                        >
                            {move || {
                                domains
                                    .get()
                                    .into_iter()
                                    .map(|d| view! { <option value=d.id.to_string()>{format!("@{}", d.name)}</option> })
                                    .collect_view()
                            }}
                        </select>
                    </span>
                    <span id="new-local-error" class="field-error" aria-live="polite" data-testid="new-local-error">
                        {move || {
                            address_error
                                .get()
                                .or_else(|| local_problem.get().map(|p| local_part_text(i18n, &p)))
                        }}
                    </span>
                </div>
                <div class="field">
                    <label for="new-name">{t!(i18n, field_display_name)}</label>
                    <input
                        id="new-name"
                        type="text"
                        data-testid="new-display-name"
                        disabled=move || !may.get()
                        prop:value=move || display_name.get()
                        on:input=move |ev| display_name.set(event_target_value(&ev))
                    />
                </div>
                <fieldset class="choices">
                    <legend>{t!(i18n, field_kind)}</legend>
                    <label>{kind_radio(AddressKind::Mailbox)} {t!(i18n, kind_mailbox)}</label>
                    <label>{kind_radio(AddressKind::NoReply)} {t!(i18n, kind_no_reply)}</label>
                    <label>{kind_radio(AddressKind::Redirect)} {t!(i18n, kind_redirect)}</label>
                </fieldset>
                <Show when=move || kind.get() == AddressKind::Mailbox>
                    <fieldset class="choices">
                        <legend>{t!(i18n, create_for)}</legend>
                        <label>{mode_radio(Mode::Myself, "myself")} {t!(i18n, create_for_myself)}</label>
                        <label>{mode_radio(Mode::Members, "members")} {t!(i18n, create_for_members)}</label>
                        <label>{mode_radio(Mode::Nobody, "nobody")} {t!(i18n, create_for_nobody)}</label>
                    </fieldset>
                    <Show when=move || mode.get() == Mode::Members>
                        <ul class="member-choice" role="list" data-testid="member-choice">
                            {move || {
                                members
                                    .get()
                                    .into_iter()
                                    .map(|m| {
                                        let id = m.account;
                                        let perms = Signal::derive(move || {
                                            chosen.with(|c| c.iter().find(|(a, _)| *a == id).map(|(_, p)| *p)).unwrap_or_default()
                                        });
                                        let on = move || chosen.with(|c| c.iter().any(|(a, _)| *a == id));
                                        let label = if m.display_name.is_empty() { m.login.clone() } else { format!("{} ({})", m.display_name, m.login) };
                                        view! {
                                            <li data-testid="member-option" data-login=m.login.clone()>
                                                <label>
                                                    <input
                                                        type="checkbox"
                                                        data-testid="choose-member"
                                                        prop:checked=on
                                                        disabled=move || !may.get()
                                                        on:change=move |ev| {
                                                            let yes = event_target_checked(&ev);
                                                            chosen.update(|c| {
                                                                c.retain(|(a, _)| *a != id);
                                                                if yes {
                                                                    c.push((id, default_permissions()));
                                                                }
                                                            });
                                                        }
                                                    />
                                                    {label}
                                                </label>
                                                <Show when=on>
                                                    {permission_toggles(
                                                        perms,
                                                        Callback::new(move |p| {
                                                            chosen.update(|c| {
                                                                if let Some(e) = c.iter_mut().find(|(a, _)| *a == id) {
                                                                    e.1 = p;
                                                                }
                                                            })
                                                        }),
                                                        Signal::derive(move || !may.get()),
                                                    )}
                                                </Show>
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ul>
                        {invite_drafts(invites, Signal::derive(move || !may.get()))}
                        <span class="field-error" aria-live="polite" data-testid="create-invites-error">
                            {move || invites_error.get()}
                        </span>
                    </Show>
                    <Show when=move || mode.get() != Mode::Nobody>
                        <div class="field">
                            <label for="new-signature">{t!(i18n, create_signature)}</label>
                            <textarea
                                id="new-signature"
                                rows="3"
                                data-testid="new-signature"
                                disabled=move || !may.get()
                                prop:value=move || signature.get()
                                on:input=move |ev| signature.set(event_target_value(&ev))
                            ></textarea>
                        </div>
                    </Show>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="new-catch-all"
                            prop:checked=move || catch_all.get()
                            disabled=move || !may.get()
                            on:change=move |ev| catch_all.set(event_target_checked(&ev))
                        />
                        {t!(i18n, create_catch_all)}
                    </label>
                </Show>
                <Show when=move || kind.get() == AddressKind::Redirect>
                    <div class="field">
                        <label for="new-targets">{t!(i18n, redirect_targets)}</label>
                        <textarea
                            id="new-targets"
                            rows="3"
                            data-testid="new-targets"
                            aria-describedby="new-targets-error"
                            disabled=move || !may.get()
                            prop:value=move || target_text.get()
                            on:input=move |ev| {
                                targets_error.set(None);
                                target_text.set(event_target_value(&ev));
                            }
                        ></textarea>
                        <span id="new-targets-error" class="field-error" aria-live="polite">
                            {move || targets_error.get()}
                        </span>
                    </div>
                </Show>
                <ErrorAlert error=form_error/>
                <div class="form-actions">
                    <button
                        type="submit"
                        class="primary"
                        data-testid="create-submit"
                        disabled=move || busy.get() || !may.get() || request.with(Result::is_err)
                    >
                        {move || if busy.get() { t_string!(i18n, creating) } else { t_string!(i18n, create) }}
                    </button>
                    <span class="hint">{other_problem}</span>
                    <span class="status" role="status" data-testid="create-status">
                        {move || created.get().map(|a| t_string!(i18n, created_address, address = a).to_string())}
                    </span>
                </div>
            </form>
            {made_invitations(made)}
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::Permission;

    fn form() -> Form {
        Form {
            local_part: "info".into(),
            domain: Some(2),
            display_name: " Info ".into(),
            kind: AddressKind::Mailbox,
            mode: Mode::Nobody,
            members: Vec::new(),
            invites: Vec::new(),
            language: "en".into(),
            signature: String::new(),
            targets: String::new(),
            catch_all: false,
        }
    }

    #[test]
    fn a_mailbox_for_nobody_is_the_plain_request() {
        let r = build_request(&form()).unwrap();
        assert_eq!(r.local_part, "info");
        assert_eq!(r.domain, 2);
        assert_eq!(r.display_name, "Info");
        assert_eq!(r.recipients, Recipients::Nobody);
        assert!(r.redirect_to.is_empty() && !r.catch_all);
        let mine = build_request(&Form {
            mode: Mode::Myself,
            catch_all: true,
            ..form()
        })
        .unwrap();
        assert_eq!(mine.recipients, Recipients::Myself);
        assert!(mine.catch_all);
    }

    #[test]
    fn the_local_part_is_checked_first_and_names_the_character() {
        let bad = build_request(&Form {
            local_part: "a$b".into(),
            ..form()
        });
        assert_eq!(
            bad.unwrap_err(),
            Problem::LocalPart(LocalPartError::ForbiddenChar('$', 1))
        );
        let none = build_request(&Form {
            domain: None,
            ..form()
        });
        assert_eq!(none.unwrap_err(), Problem::NoDomain);
    }

    #[test]
    fn members_each_need_a_permission() {
        let f = Form {
            mode: Mode::Members,
            ..form()
        };
        assert_eq!(build_request(&f).unwrap_err(), Problem::NoMembers);
        let empty = Form {
            members: vec![(5, PermissionSet::empty())],
            ..f.clone()
        };
        assert_eq!(
            build_request(&empty).unwrap_err(),
            Problem::MemberWithoutPermission
        );
        let read = PermissionSet::empty().with(Permission::Read);
        let ok = build_request(&Form {
            members: vec![(5, read)],
            ..f
        })
        .unwrap();
        assert_eq!(
            ok.recipients,
            Recipients::Users {
                grants: vec![NewGrant {
                    account: 5,
                    permissions: read
                }],
                invitations: vec![],
            }
        );
    }

    #[test]
    fn several_users_may_be_invitations_only_and_myself_carries_the_signature() {
        let read = PermissionSet::empty().with(Permission::Read);
        let link = InviteDraft {
            key: 0,
            email: None,
            permissions: read,
        };
        let r = build_request(&Form {
            mode: Mode::Members,
            invites: vec![link.clone()],
            ..form()
        })
        .unwrap();
        let Recipients::Users {
            grants,
            invitations,
        } = r.recipients
        else {
            panic!("users");
        };
        assert!(grants.is_empty());
        assert_eq!(invitations.len(), 1);
        assert_eq!(invitations[0].permissions, read);
        let blank = build_request(&Form {
            mode: Mode::Members,
            invites: vec![InviteDraft {
                email: Some(String::new()),
                ..link
            }],
            ..form()
        });
        assert_eq!(blank.unwrap_err(), Problem::InviteWithoutEmail);

        let mine = build_request(&Form {
            mode: Mode::Myself,
            signature: "-- \nSales".into(),
            ..form()
        })
        .unwrap();
        assert_eq!(
            mine.signature.map(|s| s.text).as_deref(),
            Some("-- \nSales")
        );
        let nobody = build_request(&Form {
            signature: "ignored".into(),
            ..form()
        })
        .unwrap();
        assert_eq!(nobody.signature, None, "a mailbox for nobody has no sender");
    }

    #[test]
    fn a_redirect_needs_targets_and_other_kinds_ignore_users_and_catch_all() {
        let f = Form {
            kind: AddressKind::Redirect,
            mode: Mode::Myself,
            catch_all: true,
            ..form()
        };
        assert_eq!(build_request(&f).unwrap_err(), Problem::NoTargets);
        let r = build_request(&Form {
            targets: "a@x.test,\n b@y.test ; c@z.test".into(),
            ..f
        })
        .unwrap();
        assert_eq!(r.redirect_to, ["a@x.test", "b@y.test", "c@z.test"]);
        assert_eq!(r.recipients, Recipients::Nobody);
        assert!(!r.catch_all);
        let nr = build_request(&Form {
            kind: AddressKind::NoReply,
            ..form()
        })
        .unwrap();
        assert_eq!(nr.kind, AddressKind::NoReply);
    }

    #[test]
    fn server_errors_go_beside_their_field() {
        let e = |code, field: Option<&str>| {
            let mut e = ApiError::new(code, "");
            e.params.field = field.map(str::to_owned);
            e
        };
        assert_eq!(field_of(&e(ErrorCode::AddressTaken, None)), Field::Address);
        assert_eq!(
            field_of(&e(ErrorCode::BadRequest, Some("address"))),
            Field::Address
        );
        assert_eq!(
            field_of(&e(ErrorCode::InvalidRecipient, None)),
            Field::Targets
        );
        assert_eq!(
            field_of(&e(ErrorCode::InvalidRecipient, Some("email"))),
            Field::Invites
        );
        assert_eq!(field_of(&e(ErrorCode::Forbidden, None)), Field::Form);
    }
}
