//! Device passwords on the real stack (R-DEV, R-ID-1): made through the
//! API like the Devices tab does, used by real clients over IMAP, POP3 and
//! SMTP submission, refused once revoked, and their live sessions cut.

use postern_shared::devices::{
    CreateDeviceRequest, CreatedDevice, DeviceId, DeviceKind, DeviceProtocol, DisconnectedDevices,
    MailProgramSettings, MailboxDevices, all_protocols, is_generated_password,
};
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::Fixture;
use postern_tests::imap::ImapClient;
use postern_tests::pop3::Pop3Client;
use postern_tests::smtp::{SmtpMessage, plain_message};
use postern_tests::{ApiClient, ApiFailure, Stack, unique};
use std::time::{Duration, Instant};

async fn create(api: &ApiClient, mb: i64, name: &str) -> Result<CreatedDevice, ApiFailure> {
    create_scoped(api, mb, name, all_protocols()).await
}

async fn create_scoped(
    api: &ApiClient,
    mb: i64,
    name: &str,
    protocols: Vec<DeviceProtocol>,
) -> Result<CreatedDevice, ApiFailure> {
    let req = CreateDeviceRequest {
        name: name.into(),
        kind: DeviceKind::Phone,
        expires_at: None,
        protocols,
    };
    api.post(&Route::CreateDevice { mb }.path(), &req).await
}

async fn list(api: &ApiClient, mb: i64) -> MailboxDevices {
    api.get(&Route::ListDevices { mb }.path())
        .await
        .expect("list the devices")
}

async fn imap_login(stack: &Stack, user: &str, password: &str) -> Option<ImapClient> {
    let mut c = ImapClient::connect(&stack.imap_addr).await.expect("IMAP");
    c.login(user, password).await.ok().map(|_| c)
}

async fn pop3_ok(stack: &Stack, user: &str, password: &str) -> bool {
    let mut c = Pop3Client::connect(&stack.pop3_addr).await.expect("POP3");
    let ok = c.login(user, password).await.is_ok();
    c.quit().await;
    ok
}

fn smtp_ok(stack: &Stack, user: &str, password: &str, to: &str, subject: &str) -> bool {
    stack
        .smtp_submit(&SmtpMessage {
            user,
            password,
            mail_from: user,
            rcpt_to: vec![to.to_string()],
            data: plain_message(user, to, subject),
        })
        .accepted
}

#[tokio::test]
async fn a_new_password_works_over_imap_pop3_and_smtp_and_the_account_password_never_does() {
    let mut fx = Fixture::new().await;
    let stack = fx.stack;
    assert!(
        list(&fx.api, fx.mailbox).await.devices.is_empty(),
        "R-DEV-1"
    );
    let made = create(&fx.api, fx.mailbox, "Phone").await.expect("create");
    assert!(is_generated_password(&made.password), "{}", made.password);
    assert_eq!(made.settings.username, fx.address);
    // The list never carries the password.
    let listed = list(&fx.api, fx.mailbox).await;
    assert_eq!(listed.devices.len(), 1);
    assert!(
        !serde_json::to_string(&listed)
            .unwrap()
            .contains(&made.password)
    );

    let mut imap = imap_login(stack, &fx.address, &made.password)
        .await
        .expect("IMAP login with the device password");
    imap.select("INBOX").await.expect("select");
    assert!(pop3_ok(stack, &fx.address, &made.password).await, "POP3");
    let subject = format!("By device {}", unique("d"));
    assert!(
        smtp_ok(stack, &fx.address, &made.password, &fx.address, &subject),
        "SMTP submission"
    );
    stack.wait_for_subject(&fx.address, "INBOX", &subject).await;

    // R-ID-1 both ways.
    assert!(imap_login(stack, &fx.address, &fx.password).await.is_none());
    assert!(!pop3_ok(stack, &fx.address, &fx.password).await);
    assert!(!smtp_ok(
        stack,
        &fx.address,
        &fx.password,
        &fx.address,
        "nope"
    ));
    let mut portal = stack.client();
    let err = portal
        .login(&fx.login, &made.password)
        .await
        .expect_err("a device password never signs in to the portal");
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);
    let err = portal
        .login(&fx.address, &made.password)
        .await
        .expect_err("nor with the address as login");
    assert_eq!(err.code(), ErrorCode::InvalidCredentials);

    // Last used: the real logins' time, protocol and address.
    let before = postern_tests::sending::now() - 120;
    let dev = &list(&fx.api, fx.mailbox).await.devices[0];
    let used = dev.last_used.as_ref().expect("last used is known");
    assert!(used.at >= before, "{used:?}");
    assert!(
        used.protocol.is_some() && used.client_ip.as_deref() == Some("127.0.0.1"),
        "{used:?}"
    );
    assert!(dev.connections >= 1, "the IMAP session is counted: {dev:?}");
    let _ = imap.logout().await;
    let _ = fx.imap.command("NOOP").await;
}

#[tokio::test]
async fn regenerating_refuses_the_old_password_and_cuts_its_idle_session_not_another_devices() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let a = create(&fx.api, fx.mailbox, "Laptop").await.unwrap();
    let b = create(&fx.api, fx.mailbox, "Phone").await.unwrap();
    let mut idle_a = imap_login(stack, &fx.address, &a.password).await.unwrap();
    idle_a.select("INBOX").await.unwrap();
    idle_a.idle().await.unwrap();
    let mut idle_b = imap_login(stack, &fx.address, &b.password).await.unwrap();
    idle_b.select("INBOX").await.unwrap();
    idle_b.idle().await.unwrap();

    let started = Instant::now();
    let new: CreatedDevice = fx
        .api
        .post(
            &Route::RegenerateDevice {
                mb: fx.mailbox,
                device: a.device.id,
            }
            .path(),
            &(),
        )
        .await
        .expect("regenerate");
    assert_ne!(new.password, a.password);
    assert_eq!(new.device.id, a.device.id);
    assert!(
        idle_a.closed_within(Duration::from_secs(1)).await,
        "the IDLE session of the old password is closed by the server within a second \
         of the answer (regenerate took {:?})",
        started.elapsed()
    );
    assert!(
        !idle_b.closed_within(Duration::from_millis(1500)).await,
        "another device's session stays up"
    );
    assert!(imap_login(stack, &fx.address, &a.password).await.is_none());
    assert!(!pop3_ok(stack, &fx.address, &a.password).await);
    assert!(
        imap_login(stack, &fx.address, &new.password)
            .await
            .is_some()
    );
}

#[tokio::test]
async fn disconnecting_one_or_all_revokes_and_cuts_and_the_portal_session_stays() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let one = create(&fx.api, fx.mailbox, "Old phone").await.unwrap();
    let mut s1 = imap_login(stack, &fx.address, &one.password).await.unwrap();
    s1.idle().await.unwrap();
    let () = fx
        .api
        .delete(
            &Route::DeleteDevice {
                mb: fx.mailbox,
                device: one.device.id,
            }
            .path(),
        )
        .await
        .expect("disconnect one");
    assert!(s1.closed_within(Duration::from_secs(1)).await);
    assert!(list(&fx.api, fx.mailbox).await.devices.is_empty());
    assert!(
        imap_login(stack, &fx.address, &one.password)
            .await
            .is_none()
    );

    let mut sessions = Vec::new();
    let mut passwords = Vec::new();
    for n in 0..3 {
        let d = create(&fx.api, fx.mailbox, &format!("Device {n}"))
            .await
            .unwrap();
        let mut s = imap_login(stack, &fx.address, &d.password).await.unwrap();
        s.idle().await.unwrap();
        sessions.push(s);
        passwords.push(d.password);
    }
    let done: DisconnectedDevices = fx
        .api
        .post(&Route::DisconnectAllDevices { mb: fx.mailbox }.path(), &())
        .await
        .expect("disconnect all");
    assert_eq!(done.count, 3);
    for s in &mut sessions {
        assert!(s.closed_within(Duration::from_secs(1)).await);
    }
    for p in &passwords {
        assert!(imap_login(stack, &fx.address, p).await.is_none());
        assert!(!smtp_ok(stack, &fx.address, p, &fx.address, "after"));
    }
    assert!(list(&fx.api, fx.mailbox).await.devices.is_empty());
    // The portal session (and the gateway's own IMAP sessions) are untouched.
    fx.api
        .get::<postern_shared::api::MessagePage>(
            &postern_tests::fixtures::ListQuery::folder("INBOX").path(fx.mailbox),
        )
        .await
        .expect("the webmail still reads the mailbox");
}

#[tokio::test]
async fn every_device_route_needs_manage_devices_and_foreign_ids_are_not_found() {
    let fx = Fixture::with_permissions(PermissionSet::from_iter([
        Permission::Read,
        Permission::Send,
    ]))
    .await;
    let mb = fx.mailbox;
    let (other, _) = fx.add_mailbox("other", Some(PermissionSet::all())).await;
    let theirs = create(&fx.api, other, "Theirs").await.unwrap();
    let device: DeviceId = theirs.device.id;
    let forbidden = |r: Result<serde_json::Value, ApiFailure>, what: &str| {
        let e = r.expect_err(what);
        assert_eq!(
            (e.status, e.code()),
            (403, ErrorCode::Forbidden),
            "{what}: {e}"
        );
    };
    forbidden(fx.api.get(&Route::ListDevices { mb }.path()).await, "list");
    forbidden(
        fx.api
            .post(
                &Route::CreateDevice { mb }.path(),
                &serde_json::json!({"name": "x", "kind": "phone"}),
            )
            .await,
        "create",
    );
    forbidden(
        fx.api
            .post(&Route::RegenerateDevice { mb, device }.path(), &())
            .await,
        "regenerate",
    );
    forbidden(
        fx.api
            .delete(&Route::DeleteDevice { mb, device }.path())
            .await,
        "delete",
    );
    forbidden(
        fx.api
            .post(&Route::DisconnectAllDevices { mb }.path(), &())
            .await,
        "disconnect all",
    );
    forbidden(
        fx.api
            .get(&Route::DeviceProfile { mb, device }.path())
            .await,
        "profile",
    );

    // With the permission on a mailbox, another mailbox's device id is
    // not found there, and stays alive.
    let e = fx
        .api
        .delete::<()>(
            &Route::DeleteDevice {
                mb: other,
                device: device + 1_000_000,
            }
            .path(),
        )
        .await
        .expect_err("unknown id");
    assert_eq!((e.status, e.code()), (404, ErrorCode::DeviceNotFound));
    let (mine, _) = fx.add_mailbox("mine", Some(PermissionSet::all())).await;
    let e = fx
        .api
        .delete::<()>(&Route::DeleteDevice { mb: mine, device }.path())
        .await
        .expect_err("another mailbox's device");
    assert_eq!((e.status, e.code()), (404, ErrorCode::DeviceNotFound));
    assert_eq!(list(&fx.api, other).await.devices.len(), 1);
}

#[tokio::test]
async fn the_apple_profile_is_a_plist_attachment_without_the_password() {
    let fx = Fixture::new().await;
    let made = create(&fx.api, fx.mailbox, "iPhone").await.unwrap();
    let resp = fx
        .api
        .request(
            reqwest::Method::GET,
            &Route::DeviceProfile {
                mb: fx.mailbox,
                device: made.device.id,
            }
            .path(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(ct, "application/x-apple-aspen-config");
    let cd = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cd.starts_with("attachment"), "{cd}");
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("<string>com.apple.mail.managed</string>"),
        "{body}"
    );
    assert!(body.contains(&format!("<string>{}</string>", fx.address)));
    assert!(!body.contains(&made.password));
}

#[tokio::test]
async fn an_smtp_only_password_sends_but_imap_and_pop3_refuse_it_and_an_imap_only_one_cannot_send()
{
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let script = create_scoped(&fx.api, fx.mailbox, "Script", vec![DeviceProtocol::Smtp])
        .await
        .expect("an SMTP-only password");
    assert_eq!(script.device.protocols, [DeviceProtocol::Smtp]);
    assert!(
        imap_login(stack, &fx.address, &script.password)
            .await
            .is_none(),
        "IMAP refuses an SMTP-only password"
    );
    assert!(
        !pop3_ok(stack, &fx.address, &script.password).await,
        "POP3 refuses it"
    );
    let subject = format!("From a script {}", unique("s"));
    assert!(
        smtp_ok(stack, &fx.address, &script.password, &fx.address, &subject),
        "SMTP submission accepts it"
    );
    stack.wait_for_subject(&fx.address, "INBOX", &subject).await;

    let reader = create_scoped(&fx.api, fx.mailbox, "Reader", vec![DeviceProtocol::Imap])
        .await
        .expect("an IMAP-only password");
    assert!(
        imap_login(stack, &fx.address, &reader.password)
            .await
            .is_some()
    );
    assert!(!pop3_ok(stack, &fx.address, &reader.password).await);
    assert!(
        !smtp_ok(stack, &fx.address, &reader.password, &fx.address, "nope"),
        "SMTP submission refuses an IMAP-only password"
    );
    // The list says which is which.
    let listed = list(&fx.api, fx.mailbox).await;
    let scope = |id| {
        listed
            .devices
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.protocols.clone())
    };
    assert_eq!(scope(script.device.id), Some(vec![DeviceProtocol::Smtp]));
    assert_eq!(scope(reader.device.id), Some(vec![DeviceProtocol::Imap]));
    // An empty scope is a typed error.
    let e = create_scoped(&fx.api, fx.mailbox, "Nothing", vec![])
        .await
        .expect_err("no protocol");
    assert_eq!(
        (e.status, e.code()),
        (400, ErrorCode::InvalidDeviceProtocols)
    );
}

#[tokio::test]
async fn each_device_lists_its_recent_real_connections() {
    let fx = Fixture::new().await;
    let stack = fx.stack;
    let a = create(&fx.api, fx.mailbox, "Laptop").await.unwrap();
    let b = create(&fx.api, fx.mailbox, "Phone").await.unwrap();
    let before = postern_tests::sending::now() - 5;
    for _ in 0..2 {
        let c = imap_login(stack, &fx.address, &a.password).await.unwrap();
        let _ = c.logout().await;
    }
    assert!(pop3_ok(stack, &fx.address, &a.password).await);
    let listed = list(&fx.api, fx.mailbox).await;
    let dev = |id| listed.devices.iter().find(|d| d.id == id).unwrap();
    let recent = &dev(a.device.id).recent;
    assert_eq!(recent.len(), 3, "two IMAP logins and one POP3: {recent:?}");
    assert!(
        recent.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
    assert_eq!(
        recent
            .iter()
            .filter(|u| u.protocol.as_deref() == Some("imap"))
            .count(),
        2
    );
    assert!(recent.iter().any(|u| u.protocol.as_deref() == Some("pop3")));
    for u in recent {
        assert!(u.at >= before, "{u:?}");
        assert_eq!(u.client_ip.as_deref(), Some("127.0.0.1"));
    }
    assert!(dev(b.device.id).recent.is_empty(), "the other device's own");
    // Read again (nothing new in the log): the same, kept in the database.
    let again = list(&fx.api, fx.mailbox).await;
    assert_eq!(
        again
            .devices
            .iter()
            .find(|d| d.id == a.device.id)
            .unwrap()
            .recent,
        *recent
    );
}

#[tokio::test]
async fn the_connect_page_gives_the_configured_settings_and_the_visitors_address() {
    // A user who may only read still sees how to connect.
    let fx = Fixture::with_permissions(PermissionSet::from_iter([Permission::Read])).await;
    let s: MailProgramSettings = fx
        .api
        .get(&Route::MailProgramSettings { mb: fx.mailbox }.path())
        .await
        .expect("connect settings");
    assert_eq!(s.settings.username, fx.address);
    assert!(!s.may_manage_devices);
    let port = |addr: &str| addr.rsplit(':').next().unwrap().parse::<u16>().unwrap();
    assert_eq!(s.settings.imap_starttls_port, port(&fx.stack.imap_addr));
    assert_eq!(s.settings.pop3_port, port(&fx.stack.pop3_addr));
    assert!(s.settings.imap_port != 0 && s.settings.submissions_port != 0);
    // `wasmtime serve` knows no peer address: the header Spin sets stands
    // in for it; the edge forwards it on every call.
    let mut visitor = postern_tests::ApiClient::with_header(
        &fx.stack.edge_url,
        "spin-client-addr",
        "198.51.100.23:40000",
    );
    visitor.login(&fx.login, &fx.password).await.unwrap();
    let s: MailProgramSettings = visitor
        .get(&Route::MailProgramSettings { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert_eq!(s.client_ip.as_deref(), Some("198.51.100.23"));
    let (other, _) = fx.add_mailbox("notmine", None).await;
    let e = fx
        .api
        .get::<MailProgramSettings>(&Route::MailProgramSettings { mb: other }.path())
        .await
        .expect_err("no grant");
    assert_eq!(e.status, 403);
}
