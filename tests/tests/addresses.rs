//! The organisation's addresses (R-ADDR, R-ID-2), on the real stack: what
//! an administrator creates receives real mail through Postfix and
//! Dovecot at once, generic addresses behave as their kind says for real
//! SMTP deliveries, a deletion destroys the mail and stops delivery, and
//! nobody without the role — or from another organisation — gets in.

use postern_shared::ErrorCode;
use postern_shared::PermissionSet;
use postern_shared::admin::{
    AddAliasRequest, AddressKind, AddressRow, CreateAddressRequest, CreatedAddress,
    DeleteAddressesRequest, DeletedAddresses, DomainInfo, NewGrant, OrgAddresses, Recipients,
    SetCatchAllRequest, UpdateAddressRequest,
};
use postern_shared::api::Me;
use postern_shared::invitations::{CreateInvitationRequest, CreatedInvitation, MailboxUsers};
use postern_shared::limits::MAX_DISPLAY_NAME_CHARS;
use postern_shared::permissions::{Permission, Role};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::Fixture;
use postern_tests::smtp::plain_message;
use postern_tests::{Stack, unique};

async fn owner() -> Fixture {
    Fixture::with_role(Role::Owner).await
}

/// Another member of `fx`'s organisation with `role`, signed in on their
/// own client.
async fn member(fx: &Fixture, name: &str, role: Role) -> (i64, postern_tests::ApiClient) {
    let p = postern_tests::fixtures::provisioner().await;
    let login = format!("{}@login.test", unique(&name.to_ascii_lowercase()));
    let password = format!("pw-{name}-Horse-1");
    let account = p
        .create_account(fx.org, &login, name, &password, role)
        .await
        .unwrap();
    p.db().close().await;
    let mut api = fx.stack.client();
    api.login(&login, &password).await.unwrap();
    (account, api)
}

async fn table(fx: &Fixture) -> OrgAddresses {
    fx.api
        .get(&Route::ListAddresses { org: fx.org }.path())
        .await
        .expect("address table")
}

async fn domain_id(fx: &Fixture) -> i64 {
    table(fx).await.domains[0].id
}

fn request(
    local: &str,
    domain: i64,
    kind: AddressKind,
    recipients: Recipients,
) -> CreateAddressRequest {
    CreateAddressRequest {
        local_part: local.into(),
        domain,
        display_name: format!("{local} display"),
        kind,
        recipients,
        redirect_to: Vec::new(),
        catch_all: false,
        signature: None,
    }
}

async fn create(
    fx: &Fixture,
    req: &CreateAddressRequest,
) -> Result<AddressRow, postern_tests::ApiFailure> {
    fx.api
        .post::<_, CreatedAddress>(&Route::CreateAddress { org: fx.org }.path(), req)
        .await
        .map(|c| c.address)
}

/// `PATCH /api/orgs/{org}/addresses/{addr}` with a new display name.
async fn rename(
    api: &postern_tests::ApiClient,
    org: i64,
    addr: i64,
    display_name: &str,
) -> Result<AddressRow, postern_tests::ApiFailure> {
    api.patch(
        &Route::UpdateAddress { org, addr }.path(),
        &UpdateAddressRequest {
            display_name: display_name.into(),
        },
    )
    .await
}

/// The display name of address `id` in `fx`'s table.
async fn display_name_of(fx: &Fixture, id: i64) -> String {
    table(fx)
        .await
        .addresses
        .into_iter()
        .find(|a| a.id == id)
        .expect("in the table")
        .display_name
}

/// Delivers a message from the internet to `to`; the subject is unique.
fn deliver(stack: &Stack, to: &str) -> (String, postern_tests::smtp::SmtpOutcome) {
    let subject = unique("inbound");
    let data = plain_message("someone@internet.test", to, &subject);
    (
        subject.clone(),
        stack.smtp_deliver("someone@internet.test", &[to], &data),
    )
}

fn mail_home(stack: &Stack, address: &str) -> std::path::PathBuf {
    let (local, domain) = address.split_once('@').unwrap();
    stack.run_dir.join("mail").join(domain).join(local)
}

#[tokio::test]
async fn a_mailbox_for_myself_receives_real_mail_and_is_in_my_webmail_at_once() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let row = create(
        &fx,
        &request("Sales.Team", d, AddressKind::Mailbox, Recipients::Myself),
    )
    .await
    .unwrap();
    let address = format!("sales.team@{}", fx.domain);
    assert_eq!(row.address, address, "lower-cased");
    assert_eq!(row.users.len(), 1);
    assert_eq!(row.users[0].permissions, PermissionSet::all());

    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    let mine = me
        .mailboxes
        .iter()
        .find(|m| m.address == address)
        .expect("in my webmail");
    assert_eq!(mine.permissions, PermissionSet::all());

    let (subject, outcome) = deliver(fx.stack, &address);
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack.wait_for_subject(&address, "INBOX", &subject).await;
}

#[tokio::test]
async fn a_mailbox_for_nobody_receives_but_is_in_nobodys_webmail() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let row = create(
        &fx,
        &request("archive-bot", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap();
    assert!(row.users.is_empty());
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert!(me.mailboxes.iter().all(|m| m.address != row.address));
    let (subject, outcome) = deliver(fx.stack, &row.address);
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&row.address, "INBOX", &subject)
        .await;
}

#[tokio::test]
async fn a_mailbox_for_users_gives_each_exactly_the_chosen_permissions() {
    let fx = owner().await;
    // A second member of the organisation, signed in on their own.
    let (colleague, api) = member(&fx, "Colleague", Role::User).await;
    let read_only = PermissionSet::empty().with(Permission::Read);
    let d = domain_id(&fx).await;
    let row = create(
        &fx,
        &request(
            "shared",
            d,
            AddressKind::Mailbox,
            Recipients::Users {
                grants: vec![NewGrant {
                    account: colleague,
                    permissions: read_only,
                }],
                invitations: Vec::new(),
            },
        ),
    )
    .await
    .unwrap();
    let me: Me = api.get(&Route::Me.path()).await.unwrap();
    let seen = me
        .mailboxes
        .iter()
        .find(|m| m.id == row.id)
        .expect("visible to the colleague");
    assert_eq!(seen.permissions, read_only);
    // The creator chose not to include themselves.
    let mine: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert!(mine.mailboxes.iter().all(|m| m.id != row.id));

    // Someone outside the organisation cannot be given access this way.
    let outsider = Fixture::new().await;
    let e = create(
        &fx,
        &request(
            "shared2",
            d,
            AddressKind::Mailbox,
            Recipients::Users {
                grants: vec![NewGrant {
                    account: outsider.account,
                    permissions: read_only,
                }],
                invitations: Vec::new(),
            },
        ),
    )
    .await
    .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    assert!(
        table(&fx)
            .await
            .addresses
            .iter()
            .all(|a| !a.address.starts_with("shared2@")),
        "nothing created"
    );
}

#[tokio::test]
async fn address_rules_name_the_offending_character_and_create_nothing() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let before = table(&fx).await.addresses.len();
    for (local, needle) in [
        ("jo$hn", "\"$\""),
        ("a b", "a space"),
        ("ñandú", "\"ñ\""),
        ("-lead", "'-'"),
        ("a..b", "'..'"),
        ("dot.", "'.'"),
    ] {
        let e = create(
            &fx,
            &request(local, d, AddressKind::Mailbox, Recipients::Nobody),
        )
        .await
        .unwrap_err();
        assert_eq!(
            (e.status, e.code()),
            (400, ErrorCode::InvalidAddress),
            "{local}"
        );
        assert!(
            e.error.message.contains(needle),
            "{local}: {}",
            e.error.message
        );
    }
    let e = create(
        &fx,
        &request("jo$hn", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap_err();
    assert_eq!(e.error.params.character.as_deref(), Some("$"));
    let long = "a".repeat(65);
    let e = create(
        &fx,
        &request(&long, d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap_err();
    assert!(
        e.error.message.contains("65 characters"),
        "{}",
        e.error.message
    );
    assert_eq!(table(&fx).await.addresses.len(), before);
}

#[tokio::test]
async fn creating_the_same_address_twice_at_once_makes_one() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let req = request("twice", d, AddressKind::Mailbox, Recipients::Myself);
    let (a, b) = tokio::join!(create(&fx, &req), create(&fx, &req));
    let outcomes = [a, b];
    assert_eq!(
        outcomes.iter().filter(|r| r.is_ok()).count(),
        1,
        "{outcomes:?}"
    );
    let e = outcomes.into_iter().find_map(Result::err).unwrap();
    assert_eq!((e.status, e.code()), (409, ErrorCode::AddressTaken));
    let rows: Vec<_> = table(&fx)
        .await
        .addresses
        .into_iter()
        .filter(|a| a.address.starts_with("twice@"))
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].users.len(), 1, "one grant, not two");
}

#[tokio::test]
async fn no_reply_redirect_alias_and_catch_all_behave_for_real_smtp() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let at = |local: &str| format!("{local}@{}", fx.domain);

    // no-reply: refused at RCPT with a 5xx that says why.
    create(
        &fx,
        &request("no-reply", d, AddressKind::NoReply, Recipients::Nobody),
    )
    .await
    .unwrap();
    let (_, outcome) = deliver(fx.stack, &at("no-reply"));
    assert!(!outcome.accepted);
    let refusal = outcome.refusal().unwrap_or_default().to_string();
    assert!(
        refusal.starts_with("5") && refusal.contains("accepts no mail"),
        "{refusal}"
    );

    // A redirect to a local mailbox and an external address.
    let external = format!("{}@elsewhere.test", unique("ext"));
    let mut redirect = request("team", d, AddressKind::Redirect, Recipients::Nobody);
    redirect.redirect_to = vec![fx.address.clone(), external.clone()];
    let row = create(&fx, &redirect).await.unwrap();
    assert_eq!(row.redirect_to, vec![fx.address.clone(), external.clone()]);
    let (subject, outcome) = deliver(fx.stack, &at("team"));
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &subject)
        .await;
    let sunk = fx.stack.wait_for_sink(&subject, 1).await;
    assert!(
        sunk.iter().any(|m| m.rcpt_to.contains(&external)),
        "{:?}",
        sunk.iter().map(|m| &m.rcpt_to).collect::<Vec<_>>()
    );
    // A redirect stores nothing: it has no mailbox of its own.
    assert!(!mail_home(fx.stack, &at("team")).exists());

    // An alias of the fixture's mailbox.
    let mailbox = table(&fx)
        .await
        .addresses
        .into_iter()
        .find(|a| a.address == fx.address)
        .unwrap();
    let with_alias: AddressRow = fx
        .api
        .post(
            &Route::AddAlias {
                org: fx.org,
                addr: mailbox.id,
            }
            .path(),
            &AddAliasRequest {
                local_part: "hello".into(),
                domain: d,
            },
        )
        .await
        .unwrap();
    assert_eq!(with_alias.aliases, vec![at("hello")]);
    let (subject, outcome) = deliver(fx.stack, &at("hello"));
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &subject)
        .await;
    // The alias is taken now, for mailboxes too.
    let e = create(
        &fx,
        &request("hello", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AddressTaken);

    // Unknown addresses are refused until a catch-all is chosen…
    let (_, outcome) = deliver(fx.stack, &at("nobody-here"));
    assert_eq!(outcome.refusal_code(), Some(550), "{:?}", outcome.replies);
    let catcher = create(
        &fx,
        &request("catcher", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap();
    let set: DomainInfo = fx
        .api
        .put(
            &Route::SetCatchAll {
                org: fx.org,
                domain: d,
            }
            .path(),
            &SetCatchAllRequest {
                mailbox: Some(catcher.id),
            },
        )
        .await
        .unwrap();
    assert_eq!(set.catch_all, Some(catcher.id));
    // …then they land there, while existing addresses keep their mail.
    let (subject, outcome) = deliver(fx.stack, &at("nobody-here"));
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&catcher.address, "INBOX", &subject)
        .await;
    let (own, outcome) = deliver(fx.stack, &fx.address);
    assert!(outcome.accepted);
    fx.stack.wait_for_subject(&fx.address, "INBOX", &own).await;
    assert!(
        fx.stack
            .find_subject(&catcher.address, "INBOX", &own)
            .await
            .is_empty()
    );
    let (via_alias, _) = deliver(fx.stack, &at("hello"));
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &via_alias)
        .await;
    assert!(
        fx.stack
            .find_subject(&catcher.address, "INBOX", &via_alias)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn deleting_destroys_the_mail_and_stops_delivery_at_once() {
    let fx = owner().await;
    let d = domain_id(&fx).await;
    let row = create(
        &fx,
        &request("leaving", d, AddressKind::Mailbox, Recipients::Myself),
    )
    .await
    .unwrap();
    let (subject, outcome) = deliver(fx.stack, &row.address);
    assert!(outcome.accepted);
    fx.stack
        .wait_for_subject(&row.address, "INBOX", &subject)
        .await;
    let home = mail_home(fx.stack, &row.address);
    assert!(home.exists(), "{}", home.display());

    let gone: DeletedAddresses = fx
        .api
        .post(
            &Route::DeleteAddresses { org: fx.org }.path(),
            &DeleteAddressesRequest { ids: vec![row.id] },
        )
        .await
        .unwrap();
    assert_eq!(gone.deleted, vec![row.address.clone()]);
    assert!(!home.exists(), "the mail is gone for good");
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert!(me.mailboxes.iter().all(|m| m.id != row.id));
    let (_, outcome) = deliver(fx.stack, &row.address);
    assert_eq!(outcome.refusal_code(), Some(550), "{:?}", outcome.replies);
    // The webmail route of the deleted mailbox answers like any foreign id.
    let e = fx
        .api
        .get::<serde_json::Value>(&Route::ListFolders { mb: row.id }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    // The name is free again.
    create(
        &fx,
        &request("leaving", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap();
}

/// Every administration route, for a plain user of the organisation and
/// for an owner of another organisation aiming at this one's ids: 403,
/// and nothing changes.
#[tokio::test]
async fn without_the_role_or_from_another_organisation_every_admin_route_is_refused() {
    let admin = owner().await;
    let d = domain_id(&admin).await;
    let victim = create(
        &admin,
        &request("victim", d, AddressKind::Mailbox, Recipients::Nobody),
    )
    .await
    .unwrap();
    let (_, plain_user) = member(&admin, "Plain", Role::User).await;
    let (_, legal) = member(&admin, "Legal", Role::LegalRepresentative).await;
    let stranger = owner().await;
    let org = admin.org;
    let create_req = request("intruder", d, AddressKind::Mailbox, Recipients::Myself);
    let delete_req = DeleteAddressesRequest {
        ids: vec![victim.id],
    };
    let alias_req = AddAliasRequest {
        local_part: "intruder-alias".into(),
        domain: d,
    };
    let catch_req = SetCatchAllRequest {
        mailbox: Some(victim.id),
    };
    let invite_req = CreateInvitationRequest {
        email: Some("intruder@internet.test".into()),
        permissions: PermissionSet::all(),
        send_email: false,
        language: None,
    };
    let rename_req = UpdateAddressRequest {
        display_name: "Intruder".into(),
    };
    for (who, api) in [("user", &plain_user), ("stranger", &stranger.api)] {
        let e = api
            .get::<OrgAddresses>(&Route::ListAddresses { org }.path())
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} list");
        let e = api
            .get::<MailboxUsers>(
                &Route::MailboxUsers {
                    org,
                    addr: victim.id,
                }
                .path(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} users tab");
    }
    // An invitation the others will try to revoke.
    let pending: CreatedInvitation = admin
        .api
        .post(
            &Route::CreateInvitation {
                org,
                addr: victim.id,
            }
            .path(),
            &invite_req,
        )
        .await
        .unwrap();
    for (who, api) in [
        ("user", &plain_user),
        ("legal", &legal),
        ("stranger", &stranger.api),
    ] {
        let e = api
            .post::<_, AddressRow>(&Route::CreateAddress { org }.path(), &create_req)
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} create");
        let e = api
            .post::<_, DeletedAddresses>(&Route::DeleteAddresses { org }.path(), &delete_req)
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} delete");
        let e = api
            .post::<_, AddressRow>(
                &Route::AddAlias {
                    org,
                    addr: victim.id,
                }
                .path(),
                &alias_req,
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} alias");
        let e = api
            .patch::<_, AddressRow>(
                &Route::UpdateAddress {
                    org,
                    addr: victim.id,
                }
                .path(),
                &rename_req,
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} rename");
        let e = api
            .put::<_, DomainInfo>(&Route::SetCatchAll { org, domain: d }.path(), &catch_req)
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} catch-all");
        let e = api
            .post::<_, CreatedInvitation>(
                &Route::CreateInvitation {
                    org,
                    addr: victim.id,
                }
                .path(),
                &invite_req,
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} invite");
        let e = api
            .delete::<()>(
                &Route::RevokeInvitation {
                    org,
                    addr: victim.id,
                    invitation: pending.invitation.id,
                }
                .path(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.status, 403, "{who} revoke");
    }
    // A legal representative sees the table, with what they may not do.
    let seen: OrgAddresses = legal
        .get(&Route::ListAddresses { org }.path())
        .await
        .unwrap();
    assert_eq!(seen.role, Role::LegalRepresentative);
    // (and the legal details, the DPA's controller: R-GDPR-1; the logs of
    // mailboxes whose grant has "view logs": R-LOG-3).
    assert_eq!(
        seen.allowed,
        vec![
            postern_shared::permissions::Action::ViewAddresses,
            postern_shared::permissions::Action::ViewOrganization,
            postern_shared::permissions::Action::ViewLogs
        ]
    );

    // The stranger's own organisation, aimed at this one's ids.
    let sorg = stranger.org;
    let e = stranger
        .api
        .post::<_, DeletedAddresses>(&Route::DeleteAddresses { org: sorg }.path(), &delete_req)
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "another organisation's address");
    let e = stranger
        .api
        .patch::<_, AddressRow>(
            &Route::UpdateAddress {
                org: sorg,
                addr: victim.id,
            }
            .path(),
            &rename_req,
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "renaming another organisation's address");
    let e = stranger
        .api
        .post::<_, CreatedInvitation>(
            &Route::CreateInvitation {
                org: sorg,
                addr: victim.id,
            }
            .path(),
            &invite_req,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.status, 403,
        "an invitation to another organisation's address"
    );
    let e = stranger
        .api
        .delete::<()>(
            &Route::RevokeInvitation {
                org: sorg,
                addr: victim.id,
                invitation: pending.invitation.id,
            }
            .path(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "revoking another organisation's invitation");
    let e = stranger
        .api
        .post::<_, AddressRow>(&Route::CreateAddress { org: sorg }.path(), &create_req)
        .await
        .unwrap_err();
    assert_eq!(e.status, 403, "another organisation's domain");
    let e = stranger
        .api
        .put::<_, DomainInfo>(
            &Route::SetCatchAll {
                org: sorg,
                domain: d,
            }
            .path(),
            &catch_req,
        )
        .await
        .unwrap_err();
    assert_eq!(
        e.status, 403,
        "another organisation's domain for a catch-all"
    );

    // Nothing changed.
    let after = table(&admin).await;
    assert!(
        after
            .addresses
            .iter()
            .any(|a| a.id == victim.id && a.display_name == victim.display_name)
    );
    assert!(
        after
            .addresses
            .iter()
            .all(|a| !a.address.starts_with("intruder"))
    );
    assert_eq!(after.domains[0].catch_all, None);
    let tab: MailboxUsers = admin
        .api
        .get(
            &Route::MailboxUsers {
                org,
                addr: victim.id,
            }
            .path(),
        )
        .await
        .unwrap();
    assert_eq!(tab.invitations.len(), 1, "the invitation stands, no other");
}

/// An administrator gives a colleague access at once, narrows it — and the
/// colleague's open session loses the action on its very next request —,
/// then withdraws it; a plain user may do none of it, and an outsider
/// cannot be given access this way.
#[tokio::test]
async fn access_given_narrowed_and_withdrawn_holds_on_the_next_request() {
    let admin = owner().await;
    let (mate, session) = member(&admin, "Mate", Role::User).await;
    let mailbox = table(&admin)
        .await
        .addresses
        .into_iter()
        .find(|a| a.address == admin.address)
        .unwrap();
    let path = Route::SetAccess {
        org: admin.org,
        addr: mailbox.id,
        account: mate,
    }
    .path();
    let read_send = PermissionSet::empty()
        .with(Permission::Read)
        .with(Permission::Send);
    let row: AddressRow = admin
        .api
        .put(
            &path,
            &postern_shared::admin::SetAccessRequest {
                permissions: read_send,
            },
        )
        .await
        .unwrap();
    assert!(
        row.users
            .iter()
            .any(|u| u.account == mate && u.permissions == read_send)
    );
    // At once in the colleague's open session.
    let me: Me = session.get(&Route::Me.path()).await.unwrap();
    assert!(me.mailboxes.iter().any(|m| m.id == mailbox.id));
    let draft = postern_tests::sending::draft(&[&admin.address], &unique("from mate"));
    session.send_now(mailbox.id, &draft, None).await.unwrap();

    // Narrowed to reading: the very next send is refused, reading works.
    let read = PermissionSet::empty().with(Permission::Read);
    admin
        .api
        .put::<_, AddressRow>(
            &path,
            &postern_shared::admin::SetAccessRequest { permissions: read },
        )
        .await
        .unwrap();
    let e = session
        .send_now(mailbox.id, &draft, None)
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    session
        .get::<serde_json::Value>(&Route::ListFolders { mb: mailbox.id }.path())
        .await
        .unwrap();

    // A plain user cannot change anyone's access, not even their own.
    let e = session
        .put::<_, AddressRow>(
            &path,
            &postern_shared::admin::SetAccessRequest {
                permissions: PermissionSet::all(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);

    // Withdrawn: the mailbox leaves the open session at once.
    admin.api.delete::<()>(&path).await.unwrap();
    let e = session
        .get::<serde_json::Value>(&Route::ListFolders { mb: mailbox.id }.path())
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    let me: Me = session.get(&Route::Me.path()).await.unwrap();
    assert!(me.mailboxes.iter().all(|m| m.id != mailbox.id));
    let e = admin.api.delete::<()>(&path).await.unwrap_err();
    assert_eq!(e.status, 404, "nothing left to withdraw");

    // An outsider is invited, not granted.
    let outsider = Fixture::new().await;
    let e = admin
        .api
        .put::<_, AddressRow>(
            &Route::SetAccess {
                org: admin.org,
                addr: mailbox.id,
                account: outsider.account,
            }
            .path(),
            &postern_shared::admin::SetAccessRequest { permissions: read },
        )
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
}

/// An administrator renames a mailbox: its table row, the mailbox list of
/// every user's open session and the `From:` of the next message it sends
/// (through Dovecot's submission and Postfix) carry the new name. Other
/// kinds of address have a name too.
#[tokio::test]
async fn a_renamed_mailbox_shows_its_new_name_in_the_table_every_webmail_and_its_mail() {
    let fx = owner().await;
    let (mate, session) = member(&fx, "Mate", Role::User).await;
    let p = postern_tests::fixtures::provisioner().await;
    p.grant(mate, fx.mailbox, PermissionSet::all())
        .await
        .unwrap();
    p.db().close().await;
    // The sessions are open before the change.
    for api in [&fx.api, &session] {
        let me: Me = api.get(&Route::Me.path()).await.unwrap();
        assert!(me.mailboxes.iter().any(|m| m.id == fx.mailbox));
    }

    let name = format!("Desk {}", unique("n"));
    let row = rename(&fx.api, fx.org, fx.mailbox, &format!("  {name} "))
        .await
        .unwrap();
    assert_eq!(
        (row.id, row.address.as_str(), row.display_name.as_str()),
        (fx.mailbox, fx.address.as_str(), name.as_str()),
        "trimmed"
    );
    assert_eq!(row.users.len(), 2, "the whole row, users included");
    assert_eq!(display_name_of(&fx, fx.mailbox).await, name);
    for (who, api) in [("admin", &fx.api), ("user", &session)] {
        let me: Me = api.get(&Route::Me.path()).await.unwrap();
        let listed = me.mailboxes.iter().find(|m| m.id == fx.mailbox).unwrap();
        assert_eq!(listed.display_name, name, "{who}'s mailbox list");
    }
    let identity = session.identities(fx.mailbox).await.unwrap();
    assert_eq!(identity.display_name, name, "what the composer offers");

    // The next message, sent by the user, is from the new name.
    let subject = unique("renamed");
    let out = session
        .send_now(
            fx.mailbox,
            &postern_tests::sending::draft(&[&fx.address], &subject),
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.state, postern_shared::compose::OutgoingState::Sent);
    let (_, raw) = fx
        .stack
        .wait_for_subject(&fx.address, "INBOX", &subject)
        .await;
    let from = postern_tests::mail::header(&raw, "From").unwrap_or_default();
    assert!(
        from.contains(&name) && from.contains(&format!("<{}>", fx.address)),
        "{from}"
    );

    // A no-reply address has a name as well; empty is no name.
    let d = domain_id(&fx).await;
    let robot = create(
        &fx,
        &request("no-reply", d, AddressKind::NoReply, Recipients::Nobody),
    )
    .await
    .unwrap();
    let row = rename(&fx.api, fx.org, robot.id, "Robot").await.unwrap();
    assert_eq!(
        (row.kind, row.display_name.as_str()),
        (AddressKind::NoReply, "Robot")
    );
    rename(&fx.api, fx.org, robot.id, "").await.unwrap();
    assert_eq!(display_name_of(&fx, robot.id).await, "");
}

/// A name over the limit or with a control character (a line break would
/// end the `From:` header) is a 400 naming the field and the limit, and
/// the name stays as it was.
#[tokio::test]
async fn a_display_name_against_the_rules_is_refused_with_its_rule_and_nothing_changes() {
    let fx = owner().await;
    let before = display_name_of(&fx, fx.mailbox).await;
    let too_long = "x".repeat(MAX_DISPLAY_NAME_CHARS + 1);
    for bad in [
        too_long.as_str(),
        "Desk\r\nBcc: everyone@internet.test",
        "Tab\there",
        "Nul\u{0}",
    ] {
        let e = rename(&fx.api, fx.org, fx.mailbox, bad).await.unwrap_err();
        assert_eq!(
            (e.status, e.code()),
            (400, ErrorCode::BadRequest),
            "{bad:?}"
        );
        assert_eq!(
            e.error.params.field.as_deref(),
            Some("display_name"),
            "{bad:?}"
        );
        assert_eq!(
            e.error.params.limit,
            Some(MAX_DISPLAY_NAME_CHARS as u64),
            "{bad:?}"
        );
    }
    assert_eq!(display_name_of(&fx, fx.mailbox).await, before, "unchanged");
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    let listed = me.mailboxes.iter().find(|m| m.id == fx.mailbox).unwrap();
    assert_eq!(listed.display_name, before);
    // Exactly the limit, counted in characters, is fine.
    let longest = "é".repeat(MAX_DISPLAY_NAME_CHARS);
    let row = rename(&fx.api, fx.org, fx.mailbox, &longest).await.unwrap();
    assert_eq!(row.display_name, longest);
}

/// A user of the mailbox without a role that manages addresses is refused
/// with `forbidden`; another organisation's owner is refused the same way,
/// through this organisation or their own, and the name stays.
#[tokio::test]
async fn only_the_organisations_managers_may_rename_its_addresses() {
    let fx = owner().await;
    let before = display_name_of(&fx, fx.mailbox).await;
    let (mate, plain) = member(&fx, "Plain", Role::User).await;
    let p = postern_tests::fixtures::provisioner().await;
    p.grant(mate, fx.mailbox, PermissionSet::all())
        .await
        .unwrap();
    p.db().close().await;
    let e = rename(&plain, fx.org, fx.mailbox, "Mine now")
        .await
        .unwrap_err();
    assert_eq!(
        (e.status, e.code()),
        (403, ErrorCode::Forbidden),
        "a plain user"
    );
    let (_, legal) = member(&fx, "Legal", Role::LegalRepresentative).await;
    let e = rename(&legal, fx.org, fx.mailbox, "Legal name")
        .await
        .unwrap_err();
    assert_eq!(
        (e.status, e.code()),
        (403, ErrorCode::Forbidden),
        "a legal representative"
    );

    let stranger = owner().await;
    let e = rename(&stranger.api, fx.org, fx.mailbox, "Taken over")
        .await
        .unwrap_err();
    assert_eq!(
        (e.status, e.code()),
        (403, ErrorCode::Forbidden),
        "at this organisation"
    );
    let foreign = rename(&stranger.api, stranger.org, fx.mailbox, "Taken over")
        .await
        .unwrap_err();
    assert_eq!(
        (foreign.status, foreign.code()),
        (403, ErrorCode::Forbidden),
        "this organisation's address through their own"
    );
    // The same answer as an id that exists nowhere: ids reveal nothing.
    let missing = rename(&stranger.api, stranger.org, i64::from(i32::MAX), "Nobody")
        .await
        .unwrap_err();
    assert_eq!(
        (missing.status, missing.code()),
        (foreign.status, foreign.code())
    );
    // Their own mailbox they may rename.
    rename(&stranger.api, stranger.org, stranger.mailbox, "Theirs")
        .await
        .unwrap();

    assert_eq!(display_name_of(&fx, fx.mailbox).await, before, "unchanged");
}
