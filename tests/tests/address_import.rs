//! Bulk creation of addresses from a CSV file (R-ADDR-4), on the real
//! stack through the edge: an imported mailbox receives real mail through
//! Postfix and Dovecot at once and is in its users' webmail, an imported
//! redirect forwards, and a file with one bad row creates nothing.

use postern_shared::ErrorCode;
use postern_shared::admin::{
    AddressKind, ImportAddressesRequest, ImportPreview, ImportedAddresses, OrgAddresses,
};
use postern_shared::api::Me;
use postern_shared::permissions::{Permission, Role};
use postern_shared::wire::routes::Route;
use postern_shared::{ApiError, PermissionSet};
use postern_tests::fixtures::Fixture;
use postern_tests::smtp::plain_message;
use postern_tests::{Stack, unique};

async fn owner() -> Fixture {
    Fixture::with_role(Role::Owner).await
}

/// A plain user of `fx`'s organisation, signed in: `(login, client)`.
async fn colleague(fx: &Fixture) -> (String, postern_tests::ApiClient) {
    let p = postern_tests::fixtures::provisioner().await;
    let login = format!("{}@login.test", unique("mate"));
    let password = "pw-mate-Horse-1";
    p.create_account(fx.org, &login, "Mate", password, Role::User)
        .await
        .unwrap();
    p.db().close().await;
    let mut api = fx.stack.client();
    api.login(&login, password).await.unwrap();
    (login, api)
}

fn body(csv: &str) -> ImportAddressesRequest {
    ImportAddressesRequest {
        csv: csv.into(),
        language: Some("en".into()),
    }
}

async fn preview(fx: &Fixture, csv: &str) -> Result<ImportPreview, postern_tests::ApiFailure> {
    fx.api
        .post(
            &Route::PreviewAddressImport { org: fx.org }.path(),
            &body(csv),
        )
        .await
}

async fn import(fx: &Fixture, csv: &str) -> Result<ImportedAddresses, postern_tests::ApiFailure> {
    fx.api
        .post(&Route::ImportAddresses { org: fx.org }.path(), &body(csv))
        .await
}

async fn table(fx: &Fixture) -> OrgAddresses {
    fx.api
        .get(&Route::ListAddresses { org: fx.org }.path())
        .await
        .expect("address table")
}

fn deliver(stack: &Stack, to: &str) -> (String, postern_tests::smtp::SmtpOutcome) {
    let subject = unique("imported");
    let data = plain_message("someone@internet.test", to, &subject);
    (
        subject.clone(),
        stack.smtp_deliver("someone@internet.test", &[to], &data),
    )
}

#[tokio::test]
async fn imported_addresses_receive_real_mail_at_once_and_users_see_them() {
    let fx = owner().await;
    let (mate, mate_api) = colleague(&fx).await;
    let d = &fx.domain;
    let external = format!("{}@elsewhere.test", unique("ext"));
    let csv = format!(
        "\u{feff}address,display_name,kind,users,redirect_to\r\n\
         Sales@{d},\"Sales, EMEA\",mailbox,{mate}:read,\r\n\
         archive@{d},Archive,,,\r\n\
         no-reply@{d},Robot,no_reply,,\r\n\
         team@{d},Team,redirect,,{}; {external}\r\n",
        fx.address
    );
    let p = preview(&fx, &csv).await.unwrap();
    assert_eq!((p.total, p.valid, p.invalid), (4, 4, 0), "{:?}", p.rows);
    let created = import(&fx, &csv).await.unwrap().created;
    assert_eq!(created.len(), 4);
    let sales = &created[0];
    assert_eq!(sales.address, format!("sales@{d}"));
    assert_eq!(sales.display_name, "Sales, EMEA");
    assert_eq!(sales.users.len(), 1);
    assert_eq!(sales.users[0].login, mate);
    assert_eq!(
        sales.users[0].permissions,
        PermissionSet::empty().with(Permission::Read)
    );
    assert_eq!(created[3].kind, AddressKind::Redirect);

    // In the colleague's webmail at once, with the chosen permission.
    let me: Me = mate_api.get(&Route::Me.path()).await.unwrap();
    let seen = me
        .mailboxes
        .iter()
        .find(|m| m.id == sales.id)
        .expect("shared with the colleague");
    assert_eq!(
        seen.permissions,
        PermissionSet::empty().with(Permission::Read)
    );

    // Real mail through Postfix and Dovecot, at once.
    for address in [&sales.address, &created[1].address] {
        let (subject, outcome) = deliver(fx.stack, address);
        assert!(outcome.accepted, "{address}: {}", outcome.transcript);
        fx.stack.wait_for_subject(address, "INBOX", &subject).await;
    }
    let (_, outcome) = deliver(fx.stack, &created[2].address);
    assert!(!outcome.accepted, "no-reply accepts nothing");
    assert!(
        outcome
            .refusal()
            .unwrap_or_default()
            .contains("accepts no mail"),
        "{:?}",
        outcome.replies
    );
    let (subject, outcome) = deliver(fx.stack, &created[3].address);
    assert!(outcome.accepted, "{}", outcome.transcript);
    fx.stack
        .wait_for_subject(&fx.address, "INBOX", &subject)
        .await;
    let sunk = fx.stack.wait_for_sink(&subject, 1).await;
    assert!(sunk.iter().any(|m| m.rcpt_to.contains(&external)));

    // The table shows them as created.
    let t = table(&fx).await;
    for row in &created {
        assert_eq!(t.addresses.iter().find(|a| a.id == row.id), Some(row));
    }
}

#[tokio::test]
async fn a_bad_csv_creates_nothing_and_its_errors_name_line_column_and_code() {
    let fx = owner().await;
    let d = &fx.domain;
    let before = table(&fx).await.addresses.len();
    let mut csv = String::from("address,display_name\n");
    for i in 0..50 {
        csv.push_str(&format!("bulk{i}@{d},Bulk {i}\n"));
    }
    // Line 42: R-ADDR-1; line 52: not the organisation's domain; line 53:
    // the fixture's own address, taken.
    csv = csv.replace(&format!("bulk40@{d}"), &format!("bulk 40@{d}"));
    csv.push_str("stray@elsewhere.test,Stray\n");
    csv.push_str(&format!("{},Taken\n", fx.address));

    let p = preview(&fx, &csv).await.unwrap();
    assert_eq!((p.total, p.valid, p.invalid), (52, 49, 3));
    let e = import(&fx, &csv).await.unwrap_err();
    assert_eq!((e.status, e.code()), (400, ErrorCode::ImportInvalid));
    let issues: Vec<(u32, Option<&str>, ErrorCode)> = e
        .error
        .params
        .issues
        .iter()
        .map(|i| (i.line, i.column.as_deref(), i.code))
        .collect();
    assert_eq!(
        issues,
        [
            (42, Some("address"), ErrorCode::InvalidAddress),
            (52, Some("address"), ErrorCode::UnknownDomain),
            (53, Some("address"), ErrorCode::AddressTaken),
        ]
    );
    assert_eq!(
        e.error.params.issues[0].error().params.character.as_deref(),
        Some(" ")
    );
    assert_eq!(table(&fx).await.addresses.len(), before, "nothing created");
    // Not even the good rows receive mail: they do not exist.
    let (_, outcome) = deliver(fx.stack, &format!("bulk0@{d}"));
    assert_eq!(outcome.refusal_code(), Some(550), "{:?}", outcome.replies);

    // Files the edge and the gateway refuse whole, typed.
    let e = import(&fx, "address,colour\nx@y.test,red\n")
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (400, ErrorCode::CsvColumns));
    assert_eq!(e.error.params.value.as_deref(), Some("\"colour\""));
    let e = preview(&fx, "").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::CsvEmpty);
    let mut many = String::from("address\n");
    for i in 0..5001 {
        many.push_str(&format!("m{i}@{d}\n"));
    }
    let e = import(&fx, &many).await.unwrap_err();
    assert_eq!((e.status, e.code()), (413, ErrorCode::ImportTooLarge));
    assert_eq!(table(&fx).await.addresses.len(), before);
}

#[tokio::test]
async fn only_owners_and_administrators_import() {
    let fx = owner().await;
    let (_, mate_api) = colleague(&fx).await;
    let csv = format!("address\nsneaky@{}\n", fx.domain);
    for route in [
        Route::PreviewAddressImport { org: fx.org },
        Route::ImportAddresses { org: fx.org },
    ] {
        let e = mate_api
            .post::<_, serde_json::Value>(&route.path(), &body(&csv))
            .await
            .unwrap_err();
        assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    }
    // Another organisation's owner, at this one's id.
    let stranger = owner().await;
    let e = stranger
        .api
        .post::<_, ApiError>(&Route::ImportAddresses { org: fx.org }.path(), &body(&csv))
        .await
        .unwrap_err();
    assert_eq!(e.status, 403);
    assert!(
        table(&fx)
            .await
            .addresses
            .iter()
            .all(|a| !a.address.starts_with("sneaky@"))
    );
}

#[tokio::test]
async fn the_invite_column_invites_by_email_and_a_bad_invitee_creates_nothing() {
    let fx = owner().await;
    let invitee = Fixture::new().await;
    let d = &fx.domain;
    let local = unique("crew");
    let csv = format!(
        "address,invite\n{local}@{d},{}:read+view_logs\n",
        invitee.address
    );
    let p = preview(&fx, &csv).await.unwrap();
    assert_eq!(p.valid, 1, "{:?}", p.rows);
    assert_eq!(p.rows[0].invite[0].email, invitee.address);
    let done = import(&fx, &csv).await.unwrap();
    let row = &done.created[0];
    assert!(
        row.users.is_empty(),
        "invitees are not users until they accept"
    );
    assert_eq!(done.invitations.len(), 1);
    let inv = &done.invitations[0];
    assert_eq!(inv.address, row.address);
    assert!(
        inv.invitation.invitation.emailed,
        "{:?}",
        inv.invitation.email_error
    );
    assert_eq!(
        inv.invitation.invitation.permissions,
        PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::ViewLogs)
    );
    let tab: postern_shared::invitations::MailboxUsers = fx
        .api
        .get(
            &Route::MailboxUsers {
                org: fx.org,
                addr: row.id,
            }
            .path(),
        )
        .await
        .unwrap();
    assert_eq!(tab.invitations.len(), 1, "pending in the users tab");
    let (_, raw) = fx
        .stack
        .wait_for_subject(&invitee.address, "INBOX", &row.address)
        .await;
    let view = postern_render::mime_view::message_view(&raw, 1, "INBOX", "");
    assert!(view.text.unwrap_or_default().contains(&inv.invitation.link));

    // One bad invitee: the row's error names the column; nothing is made.
    let before = table(&fx).await.addresses.len();
    let bad = format!(
        "address,invite\nfine-{local}@{d},{}\nbad-{local}@{d},\"not an address\"\n",
        invitee.address
    );
    let p = preview(&fx, &bad).await.unwrap();
    assert_eq!((p.valid, p.invalid), (1, 1));
    assert_eq!(p.rows[1].errors[0].column.as_deref(), Some("invite"));
    assert_eq!(p.rows[1].errors[0].code, ErrorCode::InvalidRecipient);
    let e = import(&fx, &bad).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ImportInvalid);
    assert_eq!(table(&fx).await.addresses.len(), before);
}
