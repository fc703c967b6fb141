//! Device-setup invitations on the real stack (R-DEV-4): a user with
//! "manage devices" sends a user of the mailbox a link; the invitee,
//! signed in as themselves, gets a working password for their own device,
//! once. Used, revoked, expired, unknown and another account's links are
//! told apart; every route needs "manage devices".

use postern_shared::devices::{
    CreateDeviceRequest, CreateDeviceSetupRequest, CreatedDevice, CreatedDeviceSetup, DeviceKind,
    DeviceProtocol, DeviceSetupInfo, MailboxDevices,
};
use postern_shared::permissions::Role;
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::{Fixture, provisioner};
use postern_tests::imap::ImapClient;
use postern_tests::smtp::{SmtpMessage, plain_message};
use postern_tests::{ApiClient, ApiFailure, unique};

/// A member of the fixture's organisation with `perms` on its mailbox,
/// signed in: (client, account id, login).
async fn member(fx: &Fixture, perms: PermissionSet) -> (ApiClient, i64, String) {
    let p = provisioner().await;
    let login = format!("{}@login.test", unique("member"));
    let password = format!("pw-{}-Long-Enough", unique("m"));
    let id = p
        .create_account(fx.org, &login, "Member M", &password, Role::User)
        .await
        .unwrap();
    p.grant(id, fx.mailbox, perms).await.unwrap();
    p.db().close().await;
    let mut api = fx.stack.client();
    api.login(&login, &password).await.unwrap();
    (api, id, login)
}

async fn invite(
    fx: &Fixture,
    account: i64,
    send_email: bool,
) -> Result<CreatedDeviceSetup, ApiFailure> {
    fx.api
        .post(
            &Route::CreateDeviceSetup { mb: fx.mailbox }.path(),
            &CreateDeviceSetupRequest {
                account,
                send_email,
                language: Some("en".into()),
            },
        )
        .await
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

async fn info(api: &ApiClient, token: &str) -> Result<DeviceSetupInfo, ApiFailure> {
    api.get(
        &Route::GetDeviceSetup {
            token: token.into(),
        }
        .path(),
    )
    .await
}

async fn redeem(
    api: &ApiClient,
    token: &str,
    protocols: Vec<DeviceProtocol>,
) -> Result<CreatedDevice, ApiFailure> {
    api.post(
        &Route::RedeemDeviceSetup {
            token: token.into(),
        }
        .path(),
        &CreateDeviceRequest {
            name: "My script".into(),
            kind: DeviceKind::Script,
            expires_at: None,
            protocols,
        },
    )
    .await
}

fn code(r: Result<impl std::fmt::Debug, ApiFailure>) -> (u16, ErrorCode) {
    let e = r.expect_err("refused");
    (e.status, e.code())
}

#[tokio::test]
async fn a_setup_link_yields_a_working_password_for_the_invitee_and_only_once() {
    let fx = Fixture::new().await;
    let (invitee, account, login) = member(&fx, PermissionSet::from_iter([Permission::Read])).await;
    let tab: MailboxDevices = fx
        .api
        .get(&Route::ListDevices { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert!(tab.invitees.iter().any(|i| i.account == account));

    let made = invite(&fx, account, true).await.expect("a setup link");
    assert!(made.link.starts_with(&fx.stack.edge_url), "{}", made.link);
    assert!(made.link.contains("/device-setup/"), "{}", made.link);
    assert!(made.invitation.emailed, "{:?}", made.email_error);
    assert_eq!(made.invitation.invitee.login, login);
    assert_eq!(
        made.invitation.expires_at - made.invitation.created_at,
        30 * 86_400
    );
    let token = token_of(&made.link);
    // Listed with the devices while pending; the link never is.
    let tab: MailboxDevices = fx
        .api
        .get(&Route::ListDevices { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert!(
        tab.setup_invitations
            .iter()
            .any(|s| s.id == made.invitation.id)
    );
    assert!(!serde_json::to_string(&tab).unwrap().contains(&token));

    // The email reached the invitee's login (another domain: the sink).
    let found = postern_tests::eventually(
        "the setup email",
        std::time::Duration::from_secs(20),
        || async {
            fx.stack
                .sink_messages()
                .into_iter()
                .map(|m| String::from_utf8_lossy(&m).to_string())
                .find(|m| m.contains(&login) && m.contains("Set up a device"))
        },
    )
    .await;
    let unfolded = found.replace("=\r\n", "").replace("=\n", "");
    assert!(unfolded.contains(&token), "the link is in the email");

    // Someone else signed in: refused, told whose link it is.
    let e = info(&fx.api, &token).await.expect_err("another account");
    assert_eq!(
        (e.status, e.code()),
        (403, ErrorCode::DeviceSetupWrongAccount)
    );
    assert_eq!(e.error.params.value.as_deref(), Some(login.as_str()));
    assert_eq!(
        code(redeem(&fx.api, &token, vec![DeviceProtocol::Smtp]).await),
        (403, ErrorCode::DeviceSetupWrongAccount)
    );
    // Signed out: sign in first.
    assert_eq!(
        code(info(&fx.stack.client(), &token).await),
        (401, ErrorCode::Unauthenticated)
    );

    let shown = info(&invitee, &token).await.expect("the invitee's page");
    assert_eq!(shown.address, fx.address);
    assert_eq!(shown.invited_by.login, fx.login);
    let dev = redeem(
        &invitee,
        &token,
        vec![DeviceProtocol::Smtp, DeviceProtocol::Imap],
    )
    .await
    .expect("the invitee's device password");
    assert_eq!(dev.settings.username, fx.address);
    assert_eq!(dev.device.owner.as_ref().unwrap().login, login);
    assert_eq!(dev.device.created_by.as_ref().unwrap().login, fx.login);
    assert_eq!(
        dev.device.protocols,
        [DeviceProtocol::Imap, DeviceProtocol::Smtp]
    );

    // Once only.
    assert_eq!(
        code(redeem(&invitee, &token, vec![DeviceProtocol::Imap]).await),
        (410, ErrorCode::DeviceSetupUsed)
    );
    assert_eq!(
        code(info(&invitee, &token).await),
        (410, ErrorCode::DeviceSetupUsed)
    );

    // It works with the real servers.
    let mut imap = ImapClient::connect(&fx.stack.imap_addr).await.unwrap();
    imap.login(&fx.address, &dev.password)
        .await
        .expect("IMAP with the invitee's password");
    let subject = format!("From the invitee {}", unique("i"));
    assert!(
        fx.stack
            .smtp_submit(&SmtpMessage {
                user: &fx.address,
                password: &dev.password,
                mail_from: &fx.address,
                rcpt_to: vec![fx.address.clone()],
                data: plain_message(&fx.address, &fx.address, &subject),
            })
            .accepted
    );
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &subject)
        .await;

    let tab: MailboxDevices = fx
        .api
        .get(&Route::ListDevices { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert!(tab.setup_invitations.is_empty(), "no longer pending");
    let listed = tab
        .devices
        .iter()
        .find(|d| d.id == dev.device.id)
        .expect("listed");
    assert_eq!(listed.owner.as_ref().unwrap().login, login);
}

#[tokio::test]
async fn revoked_expired_unknown_and_foreign_links_are_told_apart() {
    let fx = Fixture::new().await;
    let (invitee, account, _) = member(&fx, PermissionSet::from_iter([Permission::Read])).await;

    let revoked = invite(&fx, account, false).await.unwrap();
    assert!(!revoked.invitation.emailed);
    let route = Route::RevokeDeviceSetup {
        mb: fx.mailbox,
        invitation: revoked.invitation.id,
    };
    let () = fx.api.delete(&route.path()).await.expect("revoke");
    assert_eq!(
        code(fx.api.delete::<()>(&route.path()).await),
        (404, ErrorCode::DeviceSetupNotFound)
    );
    let t = token_of(&revoked.link);
    assert_eq!(
        code(info(&invitee, &t).await),
        (410, ErrorCode::DeviceSetupRevoked)
    );
    assert_eq!(
        code(redeem(&invitee, &t, vec![DeviceProtocol::Imap]).await),
        (410, ErrorCode::DeviceSetupRevoked)
    );

    let expired = invite(&fx, account, false).await.unwrap();
    let p = provisioner().await;
    sqlx::query("UPDATE device_setup_invitations SET expires_at = 1 WHERE id = $1")
        .bind(expired.invitation.id)
        .execute(p.db())
        .await
        .unwrap();
    p.db().close().await;
    assert_eq!(
        code(info(&invitee, &token_of(&expired.link)).await),
        (410, ErrorCode::DeviceSetupExpired)
    );

    for bad in ["0".repeat(64), "not-a-token".to_string()] {
        assert_eq!(
            code(info(&invitee, &bad).await),
            (404, ErrorCode::DeviceSetupNotFound)
        );
    }

    // Only a user of the mailbox who is a member of its organisation.
    let outsider = Fixture::new().await;
    assert_eq!(
        code(invite(&fx, outsider.account, false).await),
        (400, ErrorCode::SetupInviteeInvalid)
    );
    // A link whose user lost the mailbox since is withdrawn.
    let lost = invite(&fx, account, false).await.unwrap();
    let p = provisioner().await;
    sqlx::query("DELETE FROM grants WHERE account_id = $1 AND mailbox_id = $2")
        .bind(account)
        .bind(fx.mailbox)
        .execute(p.db())
        .await
        .unwrap();
    p.db().close().await;
    assert_eq!(
        code(info(&invitee, &token_of(&lost.link)).await),
        (410, ErrorCode::DeviceSetupRevoked)
    );
}

#[tokio::test]
async fn every_setup_route_needs_manage_devices_and_foreign_ids_are_not_found() {
    let fx = Fixture::with_permissions(PermissionSet::from_iter([
        Permission::Read,
        Permission::Send,
    ]))
    .await;
    let mb = fx.mailbox;
    assert_eq!(
        code(invite(&fx, fx.account, false).await),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(
        code(
            fx.api
                .delete::<()>(&Route::RevokeDeviceSetup { mb, invitation: 1 }.path())
                .await
        ),
        (403, ErrorCode::Forbidden)
    );
    assert_eq!(
        code(
            fx.api
                .get::<MailboxDevices>(&Route::ListDevices { mb }.path())
                .await
        ),
        (403, ErrorCode::Forbidden)
    );

    // With the permission on two mailboxes: one's link id is not found
    // through the other, and stays pending.
    let (other, _) = fx.add_mailbox("other", Some(PermissionSet::all())).await;
    let (mine, _) = fx.add_mailbox("mine", Some(PermissionSet::all())).await;
    let made: CreatedDeviceSetup = fx
        .api
        .post(
            &Route::CreateDeviceSetup { mb: other }.path(),
            &CreateDeviceSetupRequest {
                account: fx.account,
                send_email: false,
                language: None,
            },
        )
        .await
        .expect("a link on the other mailbox");
    assert_eq!(
        code(
            fx.api
                .delete::<()>(
                    &Route::RevokeDeviceSetup {
                        mb: mine,
                        invitation: made.invitation.id,
                    }
                    .path()
                )
                .await
        ),
        (404, ErrorCode::DeviceSetupNotFound)
    );
    let tab: MailboxDevices = fx
        .api
        .get(&Route::ListDevices { mb: other }.path())
        .await
        .unwrap();
    assert_eq!(tab.setup_invitations.len(), 1);
}
