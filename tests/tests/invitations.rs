//! Sharing a mailbox by invitation (R-INV), on the real stack: the email
//! goes through Dovecot's submission and Postfix into the invitee's
//! mailbox, the link creates an account or is accepted while signed in,
//! in the organisation the invitee picks, with exactly the invitation's
//! permissions; revoked, used, expired and unknown links are told apart;
//! the three R-INV-4 cases are refused with their reason.

use postern_shared::admin::{
    AddAliasRequest, AddressKind, AddressRow, CreateAddressRequest, CreatedAddress,
    DeleteAddressesRequest, DeletedAddresses, NewGrant, OrgAddresses, Recipients, SetAccessRequest,
};
use postern_shared::api::{Folder, Me};
use postern_shared::compose::Signature;
use postern_shared::invitations::{
    AcceptInvitationRequest, AcceptedInvitation, CreateInvitationRequest, CreatedInvitation,
    InvitationInfo, InviteBlock, MailboxUsers, OrganizationChoice, SignUpRequest,
};
use postern_shared::permissions::{Permission, Role};
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, PermissionSet};
use postern_tests::fixtures::{Fixture, provisioner};
use postern_tests::{ApiClient, ApiFailure, unique};

async fn owner() -> Fixture {
    Fixture::with_role(Role::Owner).await
}

fn perms(list: &[Permission]) -> PermissionSet {
    list.iter().copied().collect()
}

async fn invite(
    fx: &Fixture,
    addr: i64,
    email: Option<&str>,
    permissions: PermissionSet,
    send_email: bool,
) -> Result<CreatedInvitation, ApiFailure> {
    let req = CreateInvitationRequest {
        email: email.map(str::to_string),
        permissions,
        send_email,
        language: Some("es".into()),
    };
    fx.api
        .post(&Route::CreateInvitation { org: fx.org, addr }.path(), &req)
        .await
}

async fn users_tab(api: &ApiClient, org: i64, addr: i64) -> Result<MailboxUsers, ApiFailure> {
    api.get(&Route::MailboxUsers { org, addr }.path()).await
}

/// The first domain of `fx`'s organisation.
async fn domain_of(fx: &Fixture) -> i64 {
    let t: OrgAddresses = fx
        .api
        .get(&Route::ListAddresses { org: fx.org }.path())
        .await
        .unwrap();
    t.domains[0].id
}

/// A mailbox `local@<domain d>` for nobody, made by `fx`'s owner.
async fn mailbox_for_nobody(fx: &Fixture, d: i64, local: &str) -> AddressRow {
    fx.api
        .post(
            &Route::CreateAddress { org: fx.org }.path(),
            &CreateAddressRequest {
                local_part: local.into(),
                domain: d,
                display_name: String::new(),
                kind: AddressKind::Mailbox,
                recipients: Recipients::Nobody,
                redirect_to: vec![],
                catch_all: false,
                signature: None,
            },
        )
        .await
        .map(|c: CreatedAddress| c.address)
        .unwrap()
}

/// The token at the end of an invitation link.
fn token_of(link: &str) -> String {
    link.rsplit_once("/invite/")
        .map(|(_, t)| t.to_string())
        .unwrap_or_else(|| panic!("not an invitation link: {link}"))
}

async fn info(api: &ApiClient, token: &str) -> Result<InvitationInfo, ApiFailure> {
    api.get(
        &Route::GetInvitation {
            token: token.into(),
        }
        .path(),
    )
    .await
}

async fn accept(
    api: &ApiClient,
    token: &str,
    organization: OrganizationChoice,
) -> Result<AcceptedInvitation, ApiFailure> {
    api.post(
        &Route::AcceptInvitation {
            token: token.into(),
        }
        .path(),
        &AcceptInvitationRequest { organization },
    )
    .await
}

#[tokio::test]
async fn a_mailbox_created_for_several_users_grants_members_and_invites_by_email_and_by_link() {
    let admin = owner().await;
    let p = provisioner().await;
    let colleague_login = format!("{}@login.test", unique("colleague"));
    let colleague = p
        .create_account(
            admin.org,
            &colleague_login,
            "Colleague",
            "pw-Colleague-Horse-1",
            Role::User,
        )
        .await
        .unwrap();
    p.db().close().await;
    let invitee = Fixture::new().await;
    let d = domain_of(&admin).await;
    let read_send = perms(&[Permission::Read, Permission::Send]);
    let read_only = perms(&[Permission::Read]);
    let local = unique("project");
    let req = CreateAddressRequest {
        local_part: local.clone(),
        domain: d,
        display_name: "Project".into(),
        kind: AddressKind::Mailbox,
        recipients: Recipients::Users {
            grants: vec![NewGrant {
                account: colleague,
                permissions: read_send,
            }],
            invitations: vec![
                CreateInvitationRequest {
                    email: Some(invitee.address.to_uppercase()),
                    permissions: read_only,
                    send_email: true,
                    language: Some("en".into()),
                },
                // "A new user": a link to copy, no email.
                CreateInvitationRequest {
                    email: None,
                    permissions: read_send,
                    send_email: false,
                    language: None,
                },
            ],
        },
        redirect_to: vec![],
        catch_all: false,
        signature: Some(Signature {
            text: "-- \nThe project team".into(),
            html: None,
        }),
    };
    let created: CreatedAddress = admin
        .api
        .post(&Route::CreateAddress { org: admin.org }.path(), &req)
        .await
        .expect("created with its invitations");
    let row = &created.address;
    assert_eq!(row.users.len(), 1, "the member, at once");
    assert_eq!(row.users[0].permissions, read_send);
    assert_eq!(created.invitations.len(), 2, "in the order asked");
    let by_email = &created.invitations[0];
    assert!(by_email.invitation.emailed, "{:?}", by_email.email_error);
    assert_eq!(
        by_email.invitation.email.as_deref(),
        Some(invitee.address.as_str()),
        "lower-cased"
    );
    let by_link = &created.invitations[1];
    assert!(!by_link.invitation.emailed && by_link.invitation.email.is_none());
    assert_ne!(token_of(&by_email.link), token_of(&by_link.link));

    // Both pending in the new mailbox's users tab.
    let tab = users_tab(&admin.api, admin.org, row.id).await.unwrap();
    let mut pending: Vec<i64> = tab.invitations.iter().map(|i| i.id).collect();
    pending.sort();
    let mut made = vec![by_email.invitation.id, by_link.invitation.id];
    made.sort();
    assert_eq!(pending, made);

    // The email reaches the invitee, in English, with its link.
    let (_, raw) = admin
        .stack
        .wait_for_subject(&invitee.address, "INBOX", &row.address)
        .await;
    let view = postern_render::mime_view::message_view(&raw, 1, "INBOX", "");
    assert!(view.text.unwrap_or_default().contains(&by_email.link));

    // The link for a new user: its page shows this mailbox; accepted by a
    // new account, the mailbox is in their webmail with its permissions.
    let token = token_of(&by_link.link);
    let mut newcomer = admin.stack.client();
    let shown = info(&newcomer, &token).await.unwrap();
    assert_eq!(
        (shown.address.as_str(), shown.permissions),
        (row.address.as_str(), read_send)
    );
    newcomer
        .sign_up(
            &token,
            &SignUpRequest {
                login: format!("{}@login.test", unique("newcomer")),
                password: "a-long-enough-password".into(),
                display_name: String::new(),
            },
        )
        .await
        .expect("sign-up");
    let accepted = accept(
        &newcomer,
        &token,
        OrganizationChoice::New {
            name: "Elsewhere".into(),
        },
    )
    .await
    .expect("accept");
    assert_eq!(
        (accepted.mailbox, accepted.permissions),
        (row.id, read_send)
    );

    // The signature template is the mailbox's signature from the start.
    let mut colleague_api = admin.stack.client();
    colleague_api
        .login(&colleague_login, "pw-Colleague-Horse-1")
        .await
        .unwrap();
    let sig: Signature = colleague_api
        .get(&Route::GetSignature { mb: row.id }.path())
        .await
        .unwrap();
    assert_eq!(sig.text, "-- \nThe project team");
}

#[tokio::test]
async fn a_creation_whose_invitations_are_impossible_creates_nothing() {
    let admin = owner().await;
    let d = domain_of(&admin).await;
    let domain = admin.domain.clone();
    let one_invitation = |email: Option<&str>| Recipients::Users {
        grants: vec![],
        invitations: vec![CreateInvitationRequest {
            email: email.map(str::to_string),
            permissions: perms(&[Permission::Read]),
            send_email: false,
            language: None,
        }],
    };
    let request = |local: &str, recipients: Recipients| CreateAddressRequest {
        local_part: local.into(),
        domain: d,
        display_name: String::new(),
        kind: AddressKind::Mailbox,
        recipients,
        redirect_to: vec![],
        catch_all: false,
        signature: None,
    };
    let create = |req: CreateAddressRequest| {
        let api = &admin.api;
        let path = Route::CreateAddress { org: admin.org }.path();
        async move { api.post::<_, CreatedAddress>(&path, &req).await }
    };

    // R-INV-4: the new address is the login of a member's account.
    let p = provisioner().await;
    let personal = unique("personal");
    p.create_account(
        admin.org,
        &format!("{personal}@{domain}"),
        "Personal",
        "pw-Personal-Horse-1",
        Role::User,
    )
    .await
    .unwrap();
    p.db().close().await;
    let e = create(request(&personal, one_invitation(None)))
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (409, ErrorCode::InviteImpossible));
    assert_eq!(
        e.error.params.reason.as_deref(),
        Some(InviteBlock::AddressIsLogin.as_str())
    );

    // A bad email, no user at all: refused before anything is written.
    let e = create(request("badinvite", one_invitation(Some("not an address"))))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidRecipient);
    assert_eq!(e.error.params.field.as_deref(), Some("email"));
    let e = create(request(
        "nobodyatall",
        Recipients::Users {
            grants: vec![],
            invitations: vec![],
        },
    ))
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadRequest);

    let t: OrgAddresses = admin
        .api
        .get(&Route::ListAddresses { org: admin.org }.path())
        .await
        .unwrap();
    for local in [personal.as_str(), "badinvite", "nobodyatall"] {
        let address = format!("{local}@{domain}");
        assert!(
            t.addresses.iter().all(|a| a.address != address),
            "{address} was not created"
        );
    }
}

#[tokio::test]
async fn an_emailed_invitation_is_accepted_by_a_new_account_with_exactly_its_permissions() {
    let admin = owner().await;
    // The invitee's address is a real mailbox of another organisation.
    let invitee = Fixture::new().await;
    let read_only = perms(&[Permission::Read]);
    let created = invite(
        &admin,
        admin.mailbox,
        Some(&invitee.address),
        read_only,
        true,
    )
    .await
    .expect("invitation");
    assert!(created.invitation.emailed, "{:?}", created.email_error);
    assert!(created.email_error.is_none());
    assert_eq!(
        created.invitation.email.as_deref(),
        Some(invitee.address.as_str())
    );
    assert!(
        created.link.starts_with(&admin.stack.edge_url),
        "{} under {}",
        created.link,
        admin.stack.edge_url
    );

    // The email arrives, in the inviter's language, with the link.
    let (_, raw) = admin
        .stack
        .wait_for_subject(&invitee.address, "INBOX", &admin.address)
        .await;
    // Decoded as a mail client would (the body is quoted-printable).
    let view = postern_render::mime_view::message_view(&raw, 1, "INBOX", "");
    assert!(
        view.subject.contains("te invita al buzón"),
        "{}",
        view.subject
    );
    let text = view.text.unwrap_or_default();
    assert!(
        text.contains(&created.link),
        "the link is in the email:\n{text}"
    );
    let token = token_of(&created.link);

    // Listed as pending in the users tab; the link never is.
    let tab = users_tab(&admin.api, admin.org, admin.mailbox)
        .await
        .unwrap();
    let pending = tab
        .invitations
        .iter()
        .find(|i| i.id == created.invitation.id)
        .expect("pending");
    assert_eq!(pending.email.as_deref(), Some(invitee.address.as_str()));
    assert!(pending.expires_at - pending.created_at == 30 * 86_400);
    assert_eq!(tab.invite_blocked, None);

    // Someone with the link and no account.
    let mut stranger = admin.stack.client();
    let shown = info(&stranger, &token).await.unwrap();
    assert_eq!(shown.address, admin.address);
    assert_eq!(shown.organization, admin.org_name);
    assert_eq!(shown.permissions, read_only);

    let login = format!("{}@login.test", unique("newcomer"));
    let weak = SignUpRequest {
        login: login.clone(),
        password: "short".into(),
        display_name: "Newcomer".into(),
    };
    let e = stranger.sign_up(&token, &weak).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::BadRequest);
    assert_eq!(e.error.params.field.as_deref(), Some("password"));
    let taken = SignUpRequest {
        login: admin.login.clone(),
        password: "a-long-enough-password".into(),
        display_name: String::new(),
    };
    let e = stranger.sign_up(&token, &taken).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::LoginTaken);
    let form = SignUpRequest {
        login: login.clone(),
        password: "a-long-enough-password".into(),
        display_name: "Newcomer".into(),
    };
    let session = stranger.sign_up(&token, &form).await.expect("sign-up");
    assert_eq!(session.account.login, login);

    let accepted = accept(
        &stranger,
        &token,
        OrganizationChoice::New {
            name: "Newcomer's home".into(),
        },
    )
    .await
    .expect("accept");
    assert_eq!(accepted.mailbox, admin.mailbox);
    assert_eq!(accepted.permissions, read_only);

    let me: Me = stranger.get(&Route::Me.path()).await.unwrap();
    let home = me
        .organizations
        .iter()
        .find(|o| o.name == "Newcomer's home")
        .expect("the new organisation");
    assert_eq!(home.role, Role::Owner);
    let shared = me
        .mailboxes
        .iter()
        .find(|m| m.id == admin.mailbox)
        .expect("the mailbox is in the invitee's webmail");
    assert_eq!(shared.permissions, read_only, "exactly the invitation's");
    assert_eq!(shared.shown_in, home.id);
    assert_eq!(shared.organization_id, admin.org);
    let folders: Vec<Folder> = stranger
        .get(&Route::ListFolders { mb: admin.mailbox }.path())
        .await
        .expect("reads the mailbox");
    assert!(folders.iter().any(|f| f.path == "INBOX"));

    // Single use: the link is spent, the tab lists the new user.
    let e = info(&stranger, &token).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvitationUsed);
    assert_eq!(e.status, 410);
    let tab = users_tab(&admin.api, admin.org, admin.mailbox)
        .await
        .unwrap();
    assert!(
        tab.invitations
            .iter()
            .all(|i| i.id != created.invitation.id)
    );
    let user = tab
        .mailbox
        .users
        .iter()
        .find(|u| u.login == login)
        .expect("listed as a user");
    assert_eq!(user.permissions, read_only);

    // R-INV-5: the administrator narrows it later (the invitee is no
    // member of the organisation), then removes it; each holds at once.
    let narrowed: AddressRow = admin
        .api
        .put(
            &Route::SetAccess {
                org: admin.org,
                addr: admin.mailbox,
                account: user.account,
            }
            .path(),
            &SetAccessRequest {
                permissions: perms(&[Permission::ViewLogs]),
            },
        )
        .await
        .expect("narrow an invitee's access");
    assert!(narrowed.users.iter().any(|u| u.login == login));
    let e = stranger
        .get::<Vec<Folder>>(&Route::ListFolders { mb: admin.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "reading withdrawn on the next request");
    let () = admin
        .api
        .delete(
            &Route::RemoveAccess {
                org: admin.org,
                addr: admin.mailbox,
                account: user.account,
            }
            .path(),
        )
        .await
        .expect("remove access");
    let me: Me = stranger.get(&Route::Me.path()).await.unwrap();
    assert!(me.mailboxes.iter().all(|m| m.id != admin.mailbox));
}

#[tokio::test]
async fn accepting_while_signed_in_puts_the_mailbox_in_the_chosen_organisation() {
    let admin = owner().await;
    let invitee = Fixture::new().await;
    let read_send = perms(&[Permission::Read, Permission::Send]);
    let created = invite(&admin, admin.mailbox, None, read_send, false)
        .await
        .expect("a link to hand over");
    assert!(!created.invitation.emailed);
    let token = token_of(&created.link);

    // Not one of the invitee's organisations: refused, nothing used.
    let e = accept(
        &invitee.api,
        &token,
        OrganizationChoice::Existing { id: admin.org },
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, 403);
    assert_eq!(e.error.params.field.as_deref(), Some("organization"));

    let accepted = accept(
        &invitee.api,
        &token,
        OrganizationChoice::Existing { id: invitee.org },
    )
    .await
    .expect("accept into my organisation");
    assert_eq!(accepted.organization, invitee.org);
    let me: Me = invitee.api.get(&Route::Me.path()).await.unwrap();
    let shared = me
        .mailboxes
        .iter()
        .find(|m| m.id == admin.mailbox)
        .expect("in the invitee's webmail");
    assert_eq!(shared.shown_in, invitee.org);
    assert_eq!(shared.permissions, read_send);
    // The invitee's own mailbox did not move.
    let own = me
        .mailboxes
        .iter()
        .find(|m| m.id == invitee.mailbox)
        .unwrap();
    assert_eq!(own.shown_in, invitee.org);

    // A second click, or another tab: used once.
    let e = accept(
        &invitee.api,
        &token,
        OrganizationChoice::Existing { id: invitee.org },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvitationUsed);

    // Accepting needs a session.
    let anonymous = admin.stack.client();
    let other = invite(&admin, admin.mailbox, None, read_send, false)
        .await
        .unwrap();
    let e = accept(
        &anonymous,
        &token_of(&other.link),
        OrganizationChoice::New { name: "x".into() },
    )
    .await
    .unwrap_err();
    assert_eq!(e.status, 401);
}

#[tokio::test]
async fn revoked_expired_deleted_and_unknown_links_are_refused_clearly() {
    let admin = owner().await;
    let read = perms(&[Permission::Read]);
    let anonymous = admin.stack.client();

    let revoked = invite(&admin, admin.mailbox, None, read, false)
        .await
        .unwrap();
    let () = admin
        .api
        .delete(
            &Route::RevokeInvitation {
                org: admin.org,
                addr: admin.mailbox,
                invitation: revoked.invitation.id,
            }
            .path(),
        )
        .await
        .expect("revoke");
    let e = info(&anonymous, &token_of(&revoked.link))
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (410, ErrorCode::InvitationRevoked));
    let mut signer = admin.stack.client();
    let e = signer
        .sign_up(
            &token_of(&revoked.link),
            &SignUpRequest {
                login: format!("{}@login.test", unique("late")),
                password: "a-long-enough-password".into(),
                display_name: String::new(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::InvitationRevoked,
        "no account without a usable link"
    );
    let e = admin
        .api
        .delete::<()>(
            &Route::RevokeInvitation {
                org: admin.org,
                addr: admin.mailbox,
                invitation: revoked.invitation.id,
            }
            .path(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 404, "revoked once");

    // The clock moves past the 30 days.
    let expired = invite(&admin, admin.mailbox, None, read, false)
        .await
        .unwrap();
    let p = provisioner().await;
    sqlx::query("UPDATE invitations SET expires_at = created_at - 1 WHERE id = $1")
        .bind(expired.invitation.id)
        .execute(p.db())
        .await
        .unwrap();
    p.db().close().await;
    let e = info(&anonymous, &token_of(&expired.link))
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (410, ErrorCode::Expired));
    let invitee = Fixture::new().await;
    let e = accept(
        &invitee.api,
        &token_of(&expired.link),
        OrganizationChoice::Existing { id: invitee.org },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Expired);
    let tab = users_tab(&admin.api, admin.org, admin.mailbox)
        .await
        .unwrap();
    assert!(
        tab.invitations
            .iter()
            .all(|i| i.id != revoked.invitation.id && i.id != expired.invitation.id),
        "neither is pending"
    );

    // Unknown and malformed tokens: the same 404, nothing revealed.
    for token in [&"0".repeat(64), "not-a-token", &"f".repeat(128)] {
        let e = info(&anonymous, token).await.unwrap_err();
        assert_eq!((e.status, e.code()), (404, ErrorCode::NotFound), "{token}");
    }

    // Deleting the mailbox takes its pending invitations with it.
    let d = domain_of(&admin).await;
    let doomed = mailbox_for_nobody(&admin, d, "doomed").await;
    let pending = invite(&admin, doomed.id, None, read, false).await.unwrap();
    let _: DeletedAddresses = admin
        .api
        .post(
            &Route::DeleteAddresses { org: admin.org }.path(),
            &DeleteAddressesRequest {
                ids: vec![doomed.id],
            },
        )
        .await
        .unwrap();
    let e = info(&anonymous, &token_of(&pending.link))
        .await
        .unwrap_err();
    assert_eq!(e.status, 404, "the deleted mailbox's link opens nothing");
}

#[tokio::test]
async fn inviting_is_impossible_with_the_reason_in_the_three_cases_of_r_inv_4() {
    let admin = owner().await;
    let read = perms(&[Permission::Read]);
    let d = domain_of(&admin).await;
    let p = provisioner().await;

    // 1. The inviter's role may not manage access.
    let legal_login = format!("{}@login.test", unique("legal"));
    p.create_account(
        admin.org,
        &legal_login,
        "Legal",
        "pw-Legal-Horse-1",
        Role::LegalRepresentative,
    )
    .await
    .unwrap();
    let mut legal = admin.stack.client();
    legal.login(&legal_login, "pw-Legal-Horse-1").await.unwrap();
    let tab = users_tab(&legal, admin.org, admin.mailbox).await.unwrap();
    assert_eq!(tab.invite_blocked, Some(InviteBlock::NoPermission));
    let e = legal
        .post::<_, CreatedInvitation>(
            &Route::CreateInvitation {
                org: admin.org,
                addr: admin.mailbox,
            }
            .path(),
            &CreateInvitationRequest {
                email: None,
                permissions: read,
                send_email: false,
                language: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));

    // 2. The mailbox address is the login of an account.
    let personal = format!("person@{}", admin.domain);
    p.create_account(
        admin.org,
        &personal,
        "Person",
        "pw-Person-Horse-1",
        Role::User,
    )
    .await
    .unwrap();
    let mailbox = mailbox_for_nobody(&admin, d, "person").await;
    let tab = users_tab(&admin.api, admin.org, mailbox.id).await.unwrap();
    assert_eq!(tab.invite_blocked, Some(InviteBlock::AddressIsLogin));
    let e = invite(&admin, mailbox.id, None, read, false)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (409, ErrorCode::InviteImpossible));
    assert_eq!(e.error.params.reason.as_deref(), Some("address_is_login"));

    // 3. A user of the mailbox has one of its addresses as their own.
    let _: AddressRow = admin
        .api
        .post(
            &Route::AddAlias {
                org: admin.org,
                addr: admin.mailbox,
            }
            .path(),
            &AddAliasRequest {
                local_part: "front-desk".into(),
                domain: d,
            },
        )
        .await
        .unwrap();
    let desk_login = format!("front-desk@{}", admin.domain);
    let desk = p
        .create_account(
            admin.org,
            &desk_login,
            "Desk",
            "pw-Desk-Horse-1",
            Role::User,
        )
        .await
        .unwrap();
    p.db().close().await;
    let _: AddressRow = admin
        .api
        .put(
            &Route::SetAccess {
                org: admin.org,
                addr: admin.mailbox,
                account: desk,
            }
            .path(),
            &SetAccessRequest { permissions: read },
        )
        .await
        .unwrap();
    let tab = users_tab(&admin.api, admin.org, admin.mailbox)
        .await
        .unwrap();
    assert_eq!(tab.invite_blocked, Some(InviteBlock::UserHasAddress));
    let e = invite(&admin, admin.mailbox, None, read, false)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (409, ErrorCode::InviteImpossible));
    assert_eq!(e.error.params.reason.as_deref(), Some("user_has_address"));

    // Nothing was created by any refusal.
    let tab = users_tab(&admin.api, admin.org, admin.mailbox)
        .await
        .unwrap();
    assert!(tab.invitations.is_empty());
}
