//! Dovecot's userdb query (`xtask/templates/dovecot-sql.conf.ext`) run on
//! the gateway's schema, on the backend of the run (SQLite, or PostgreSQL
//! with `POSTERN_TEST_POSTGRES`): the rows Dovecot reads for a mailbox,
//! its quota rule among them (R-LIM-5). The real stack's tests prove
//! Dovecot acts on it; this proves the query is right on both databases.

use postern_gateway::Provisioner;
use postern_gateway::db::Db;
use postern_shared::permissions::Role;

const DOVECOT_SQL: &str = include_str!("../../xtask/templates/dovecot-sql.conf.ext");

/// A setting of the template, its continuation lines joined.
fn setting(name: &str) -> String {
    let mut lines = DOVECOT_SQL.lines().skip_while(|l| !l.starts_with(name));
    let mut value = lines
        .next()
        .and_then(|l| l.split_once('='))
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {name} in the template"));
    while value.ends_with('\\') {
        value.pop();
        value.push(' ');
        value.push_str(lines.next().expect("a continuation line").trim());
    }
    value
}

/// What Dovecot's userdb answers for `address`: `(user, quota_rule)`.
async fn lookup(db: &Db, address: &str) -> Option<(String, Option<String>)> {
    // Dovecot substitutes %u with the (SQL-escaped) user name.
    let sql = setting("user_query").replace("%u", address);
    sqlx::query_as(&sql).fetch_optional(db).await.unwrap()
}

#[tokio::test]
async fn the_quota_rule_is_the_mailboxs_own_else_its_offers_else_none() {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let p = Provisioner::from_db(t.db.clone());
    let free = p.create_organization("Free", "free").await.unwrap();
    let starter = p.create_organization("Starter", "starter").await.unwrap();
    let standard = p.create_organization("Std", "standard").await.unwrap();
    let odd = p.create_organization("Odd", "no_such_offer").await.unwrap();
    p.create_account(free, "o@free.test", "O", "pw-o-123456", Role::Owner)
        .await
        .unwrap();
    p.create_mailbox(free, "a@free.test", "A").await.unwrap();
    p.create_mailbox(starter, "a@starter.test", "A")
        .await
        .unwrap();
    p.create_mailbox(standard, "a@std.test", "A").await.unwrap();
    p.create_mailbox(odd, "a@odd.test", "A").await.unwrap();
    let small = p
        .create_mailbox(standard, "small@std.test", "S")
        .await
        .unwrap();
    let tight = p
        .create_mailbox(free, "tight@free.test", "T")
        .await
        .unwrap();
    let gone = p.create_mailbox(free, "gone@free.test", "G").await.unwrap();
    let fwd = p.create_mailbox(free, "fwd@free.test", "F").await.unwrap();
    for (id, bytes) in [(small, 65_536_i64), (tight, 1024)] {
        sqlx::query("UPDATE mailboxes SET quota_bytes = $1 WHERE id = $2")
            .bind(bytes)
            .bind(id)
            .execute(&t.db)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE mailboxes SET deleted_at = 1 WHERE id = $1")
        .bind(gone)
        .execute(&t.db)
        .await
        .unwrap();
    sqlx::query("UPDATE mailboxes SET kind = 'redirect' WHERE id = $1")
        .bind(fwd)
        .execute(&t.db)
        .await
        .unwrap();

    let rule = |r: &str| Some(r.to_string());
    for (address, want) in [
        ("a@free.test", rule("*:storage=20000000000B")),
        ("a@starter.test", rule("*:storage=20000000000B")),
        ("a@std.test", None),
        ("a@odd.test", None),
        ("small@std.test", rule("*:storage=65536B")),
        ("tight@free.test", rule("*:storage=1024B")),
    ] {
        let (user, quota_rule) = lookup(&t.db, address).await.expect(address);
        assert_eq!(user, address);
        assert_eq!(quota_rule, want, "{address}");
    }
    for nobody in ["gone@free.test", "fwd@free.test", "none@free.test"] {
        assert_eq!(lookup(&t.db, nobody).await, None, "{nobody}");
    }
}

/// What Dovecot's passdb answers for `address` with `password`: the
/// device id, or `None` (refused). `{{sql_now}}` is what xtask renders
/// for the backend (`Database::dovecot_now`, `%%` unescaped as Dovecot does).
async fn passdb(
    db: &Db,
    backend: postern_gateway::db::dialect::Backend,
    address: &str,
    password: &str,
) -> Option<i64> {
    passdb_for(db, backend, "imap", address, password).await
}

/// Like [`passdb`] for the service `%s` names (imap, pop3, submission,
/// smtp for Postfix SASL, sieve…).
async fn passdb_for(
    db: &Db,
    backend: postern_gateway::db::dialect::Backend,
    service: &str,
    address: &str,
    password: &str,
) -> Option<i64> {
    use sha2::Digest;
    let now = match backend {
        postern_gateway::db::dialect::Backend::Sqlite => "CAST(strftime('%s', 'now') AS INTEGER)",
        postern_gateway::db::dialect::Backend::Postgres => {
            "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)"
        }
    };
    let sql = setting("password_query")
        .replace("%u", address)
        .replace(
            "%{sha256:password}",
            &hex::encode(sha2::Sha256::digest(password.as_bytes())),
        )
        // Before the clock, whose SQLite spelling has a '%s' of its own
        // (`%%s` in the rendered file, which Dovecot does not expand).
        .replace("'%s'", &format!("'{service}'"))
        .replace("{{sql_now}}", now);
    let row: Option<(String, Option<String>, String, i64, i64)> =
        sqlx::query_as(&sql).fetch_optional(db).await.unwrap();
    row.map(|(user, pw, nopassword, device, userdb_device)| {
        assert_eq!(
            (user.as_str(), pw, nopassword.as_str()),
            (address, None, "Y")
        );
        assert_eq!(device, userdb_device);
        device
    })
}

#[tokio::test]
async fn the_passdb_accepts_a_live_device_password_only() {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let p = Provisioner::from_db(t.db.clone());
    let org = p.create_organization("Dev", "standard").await.unwrap();
    let mb = p.create_mailbox(org, "d@dev.test", "D").await.unwrap();
    let mut ids = Vec::new();
    for (pw, revoked, expires) in [
        ("live", None, None),
        ("revoked", Some(1_i64), None),
        ("expired", None, Some(1_i64)),
        ("later", None, Some(4_000_000_000_i64)),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO device_passwords (mailbox_id, username, label, pw_sha256, created_at, revoked_at, expires_at)
             VALUES ($1, 'd@dev.test', $2, $3, 1, $4, $5) RETURNING id",
        )
        .bind(mb)
        .bind(pw)
        .bind(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pw.as_bytes())))
        .bind(revoked)
        .bind(expires)
        .fetch_one(&t.db)
        .await
        .unwrap();
        ids.push(id);
    }
    let b = t.backend();
    assert_eq!(passdb(&t.db, b, "d@dev.test", "live").await, Some(ids[0]));
    assert_eq!(passdb(&t.db, b, "d@dev.test", "revoked").await, None);
    assert_eq!(passdb(&t.db, b, "d@dev.test", "expired").await, None);
    assert_eq!(passdb(&t.db, b, "d@dev.test", "later").await, Some(ids[3]));
    assert_eq!(passdb(&t.db, b, "d@dev.test", "wrong").await, None);
    assert_eq!(passdb(&t.db, b, "other@dev.test", "live").await, None);
}

#[tokio::test]
async fn the_passdb_lets_a_scoped_password_in_only_through_its_protocols() {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let p = Provisioner::from_db(t.db.clone());
    let org = p.create_organization("Scope", "standard").await.unwrap();
    let mb = p.create_mailbox(org, "s@scope.test", "S").await.unwrap();
    let mut ids = Vec::new();
    for (pw, imap, pop3, smtp) in [("all", 1, 1, 1), ("smtp", 0, 0, 1), ("imap", 1, 0, 0)] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO device_passwords (mailbox_id, username, label, pw_sha256, created_at, allow_imap, allow_pop3, allow_smtp)
             VALUES ($1, 's@scope.test', $2, $3, 1, $4, $5, $6) RETURNING id",
        )
        .bind(mb)
        .bind(pw)
        .bind(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(pw.as_bytes())))
        .bind(imap as i64)
        .bind(pop3 as i64)
        .bind(smtp as i64)
        .fetch_one(&t.db)
        .await
        .unwrap();
        ids.push(id);
    }
    let b = t.backend();
    let ok = |service: &'static str, pw: &'static str| {
        let db = t.db.clone();
        async move {
            passdb_for(&db, b, service, "s@scope.test", pw)
                .await
                .is_some()
        }
    };
    for service in ["imap", "pop3", "submission", "smtp", "sieve"] {
        assert!(ok(service, "all").await, "an unscoped password: {service}");
    }
    assert!(ok("submission", "smtp").await && ok("smtp", "smtp").await);
    for service in ["imap", "pop3", "sieve"] {
        assert!(!ok(service, "smtp").await, "SMTP only: {service} refused");
    }
    assert!(ok("imap", "imap").await);
    for service in ["pop3", "submission", "smtp", "sieve"] {
        assert!(!ok(service, "imap").await, "IMAP only: {service} refused");
    }
    assert_eq!(ids.len(), 3);
}
