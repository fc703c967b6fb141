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
