//! Per-test fixtures: every test gets its own organisation, domain
//! (`t-<unique>.example.test`, a domain belongs to one organisation; Postfix
//! delivers locally what the `domains` table lists, which provisioning fills), account and
//! mailbox, provisioned straight into the stack's database with the
//! gateway's [`Provisioner`], filled over IMAP as the master user, and a
//! browser-like [`ApiClient`] signed in through the edge.
//!
//! Also: small builders for RFC 5322 messages and URL helpers for the
//! mailbox-scoped routes.

use crate::{ApiClient, ApiFailure, ImapClient, Stack, unique};
use postern_gateway::Provisioner;
use postern_shared::PermissionSet;
use postern_shared::api::MessageListQuery;
use postern_shared::api::{
    AccountId, CreateFolderRequest, Folder, MailboxId, MessageFilter, MessagePage, MessageView,
    OrganizationId,
};
use postern_shared::permissions::Role;
use postern_shared::wire::query::{BodyHtmlQuery, FolderPathQuery, FolderQuery, Images, to_query};
use postern_shared::wire::routes::Route;

/// Opens the stack's database (the gateways have it open too).
pub async fn provisioner() -> Provisioner {
    let stack = Stack::get();
    Provisioner::open(&stack.database)
        .await
        .unwrap_or_else(|e| panic!("cannot open the stack's database {}: {e}", stack.database))
}

/// One test's world: an organisation with one account that has a grant on
/// one mailbox; a signed-in API client and a master IMAP session on it.
pub struct Fixture {
    pub stack: &'static Stack,
    pub org: OrganizationId,
    pub org_name: String,
    /// `t-<unique>.example.test`, owned by `org`.
    pub domain: String,
    pub account: AccountId,
    pub login: String,
    pub password: String,
    pub mailbox: MailboxId,
    /// `box@<domain>`.
    pub address: String,
    /// Signed in as `login` through the edge.
    pub api: ApiClient,
    /// Master-user IMAP session on `address` (nothing selected).
    pub imap: ImapClient,
}

impl Fixture {
    /// A fresh organisation/account/mailbox, the account granted every
    /// permission on the mailbox, signed in.
    pub async fn new() -> Fixture {
        Fixture::with_permissions(PermissionSet::all()).await
    }

    pub async fn with_permissions(permissions: PermissionSet) -> Fixture {
        Fixture::build(permissions, "standard", Role::User).await
    }

    /// Like [`Fixture::new`], the account being the organisation's owner
    /// (or another `role`): for the administration.
    pub async fn with_role(role: Role) -> Fixture {
        Fixture::build(PermissionSet::all(), "standard", role).await
    }

    /// Like [`Fixture::new`] for an organisation on `offer` (R-SEND-2:
    /// `free`, `standard`, …), which sets its sending quota.
    pub async fn with_offer(offer: &str) -> Fixture {
        Fixture::build(PermissionSet::all(), offer, Role::User).await
    }

    async fn build(permissions: PermissionSet, offer: &str, role: Role) -> Fixture {
        let stack = Stack::get();
        let p = provisioner().await;
        let tag = unique("t");
        let org_name = format!("Org {tag}");
        let org = p
            .create_organization(&org_name, offer)
            .await
            .expect("create organisation");
        let domain = format!("t-{tag}.example.test");
        let login = format!("user-{tag}@login.test");
        let password = format!("pw-{tag}-Correct-Horse");
        let account = p
            .create_account(org, &login, &format!("User {tag}"), &password, role)
            .await
            .expect("create account");
        let address = format!("box@{domain}");
        let mailbox = p
            .create_mailbox(org, &address, &format!("Box {tag}"))
            .await
            .expect("create mailbox");
        p.grant(account, mailbox, permissions).await.expect("grant");
        p.db().close().await;

        let mut api = stack.client();
        api.login(&login, &password)
            .await
            .unwrap_or_else(|e| panic!("sign-in of the fixture account {login} failed: {e}"));
        let imap = stack.imap(&address).await;
        Fixture {
            stack,
            org,
            org_name,
            domain,
            account,
            login,
            password,
            mailbox,
            address,
            api,
            imap,
        }
    }

    /// Another mailbox in this organisation's domain; granted to this
    /// fixture's account with `permissions` unless `None`.
    pub async fn add_mailbox(
        &self,
        local: &str,
        permissions: Option<PermissionSet>,
    ) -> (MailboxId, String) {
        let p = provisioner().await;
        let address = format!("{local}@{}", self.domain);
        let id = p
            .create_mailbox(self.org, &address, local)
            .await
            .expect("create mailbox");
        if let Some(perms) = permissions {
            p.grant(self.account, id, perms).await.expect("grant");
        }
        p.db().close().await;
        (id, address)
    }

    /// APPENDs `message` to `folder` (as the master user) and returns its UID.
    pub async fn append(&mut self, folder: &str, flags: &[&str], message: &[u8]) -> u32 {
        self.imap
            .append(folder, flags, message)
            .await
            .unwrap_or_else(|e| panic!("APPEND to {folder} of {}: {e}", self.address))
    }

    /// APPENDs `n` plain messages (subjects `<prefix> 0` … `<prefix> n-1`,
    /// Date headers one minute apart, increasing from `first_date`) and
    /// returns their UIDs in append order (oldest first).
    pub async fn fill(
        &mut self,
        folder: &str,
        prefix: &str,
        n: usize,
        first_date: i64,
    ) -> Vec<u32> {
        let mut uids = Vec::with_capacity(n);
        for i in 0..n {
            let msg = Mail::new(&format!("{prefix} {i}"))
                .date(first_date + 60 * i as i64)
                .build();
            uids.push(self.append(folder, &[], &msg).await);
        }
        uids
    }

    /// `GET …/messages` with the given query.
    pub async fn list(&self, q: &ListQuery<'_>) -> Result<MessagePage, ApiFailure> {
        self.api.get(&q.path(self.mailbox)).await
    }

    /// `GET …/messages/{uid}?folder=` (marks it read).
    pub async fn open(&self, folder: &str, uid: u32) -> Result<MessageView, ApiFailure> {
        self.api
            .get(&api_path(
                Route::GetMessage {
                    mb: self.mailbox,
                    uid,
                },
                &FolderQuery {
                    folder: folder.into(),
                },
            ))
            .await
    }

    /// `POST …/folders`: creates `name` under `parent` (top level: `None`).
    pub async fn create_folder(
        &self,
        parent: Option<&str>,
        name: &str,
    ) -> Result<Folder, ApiFailure> {
        self.api
            .post(
                &Route::CreateFolder { mb: self.mailbox }.path(),
                &CreateFolderRequest {
                    parent: parent.map(str::to_string),
                    name: name.to_string(),
                },
            )
            .await
    }

    /// UID search on `folder` over this fixture's IMAP session.
    pub async fn imap_search(&mut self, folder: &str, criteria: &str) -> Vec<u32> {
        self.imap.select(folder).await.expect("SELECT");
        let mut uids = self.imap.uid_search(criteria).await.expect("UID SEARCH");
        uids.sort_unstable();
        uids
    }
}

/// A plain HTTP client without a cookie jar (cookies and CSRF by hand).
pub fn raw_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

/// A sign-in done by hand: the `Set-Cookie` line, the `name=value` pair to
/// send back as `Cookie`, and the CSRF token.
#[derive(Debug, Clone)]
pub struct RawSession {
    pub set_cookie: String,
    /// `postern_session=<value>`.
    pub cookie: String,
    pub csrf_token: String,
}

/// `POST /api/session` on `base` without a cookie jar; panics unless 200.
pub async fn raw_login(base: &str, login: &str, password: &str) -> RawSession {
    let resp = raw_http()
        .post(format!("{base}{}", Route::Login.path()))
        .json(&serde_json::json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("POST /api/session");
    let status = resp.status().as_u16();
    let set_cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("postern_session="))
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    assert_eq!(status, 200, "sign-in of {login} failed: {body}");
    let set_cookie = set_cookie.expect("a successful sign-in sets the postern_session cookie");
    let cookie = set_cookie
        .split(';')
        .next()
        .expect("cookie pair")
        .trim()
        .to_string();
    let info: postern_shared::api::SessionInfo =
        serde_json::from_str(&body).expect("SessionInfo body");
    RawSession {
        set_cookie,
        cookie,
        csrf_token: info.csrf_token,
    }
}

/// A unique private address for `X-Forwarded-For`, so a test's failed
/// sign-ins never count against another test's client address.
pub fn unique_client_ip() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let seed = std::process::id()
        .wrapping_mul(2_654_435_761)
        .wrapping_add(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0),
        )
        .wrapping_add(n.wrapping_mul(7919));
    format!(
        "10.{}.{}.{}",
        (seed >> 16) & 0xff,
        (seed >> 8) & 0xff,
        (seed & 0xfe) + 1
    )
}

/// The browser's path of `route` with `query` (a shared query type, or
/// `&()`): the tests call exactly what the app calls.
pub fn api_path<Q: serde::Serialize>(route: Route, query: &Q) -> String {
    route.path_with(&to_query(query))
}

/// The query of the message list route.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<'a> {
    pub folder: &'a str,
    pub filter: Option<MessageFilter>,
    pub q: Option<&'a str>,
    pub page: Option<u32>,
    pub anchor: Option<u32>,
}

impl<'a> ListQuery<'a> {
    pub fn folder(folder: &'a str) -> Self {
        ListQuery {
            folder,
            ..Default::default()
        }
    }

    /// `…/messages?folder=…&…` of mailbox `mb`.
    pub fn path(&self, mb: MailboxId) -> String {
        let q = MessageListQuery {
            folder: self.folder.into(),
            filter: self.filter.unwrap_or_default(),
            page: self.page.unwrap_or(0),
            q: self.q.map(str::to_string),
            anchor: self.anchor,
        };
        api_path(Route::ListMessages { mb }, &q)
    }
}

/// `…/messages/{uid}/body.html?folder=INBOX` (remote images allowed or not).
pub fn body_path(mb: MailboxId, uid: u32, images: bool) -> String {
    let q = BodyHtmlQuery {
        folder: "INBOX".into(),
        images: if images { Images::Allow } else { Images::Block },
    };
    api_path(Route::GetMessageHtml { mb, uid }, &q)
}

/// `…/messages/{uid}/parts/{section}?folder=INBOX`.
pub fn part_path(mb: MailboxId, uid: u32, section: &str) -> String {
    let route = Route::GetPart {
        mb,
        uid,
        section: section.into(),
    };
    api_path(
        route,
        &FolderQuery {
            folder: "INBOX".into(),
        },
    )
}

/// A folder route (rename, delete) with `?path=`.
pub fn folder_path(route: Route, path: &str) -> String {
    api_path(route, &FolderPathQuery { path: path.into() })
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn enc(s: &str) -> String {
    postern_shared::format::encode_component(s)
}

/// A simple single-part message builder.
#[derive(Debug, Clone)]
pub struct Mail {
    from: String,
    to: String,
    subject: String,
    date: i64,
    body: String,
    extra_headers: Vec<String>,
    /// `local@host` of its Message-ID (default: a unique one).
    message_id: Option<String>,
}

impl Mail {
    pub fn new(subject: &str) -> Mail {
        Mail {
            from: "Alice Sender <alice@sender.test>".into(),
            to: "box@example.test".into(),
            subject: subject.into(),
            date: 1_700_000_000,
            body: format!("Body of {subject}.\r\n"),
            extra_headers: Vec::new(),
            message_id: None,
        }
    }

    pub fn from(mut self, from: &str) -> Mail {
        self.from = from.into();
        self
    }

    pub fn to(mut self, to: &str) -> Mail {
        self.to = to.into();
        self
    }

    /// Unix seconds.
    pub fn date(mut self, date: i64) -> Mail {
        self.date = date;
        self
    }

    /// UTF-8 text body (sent as 8bit).
    pub fn body(mut self, body: &str) -> Mail {
        self.body = body.replace("\r\n", "\n").replace('\n', "\r\n");
        self
    }

    /// Its `Message-ID: <id>` (`id` as `local@host`).
    pub fn message_id(mut self, id: &str) -> Mail {
        self.message_id = Some(id.into());
        self
    }

    pub fn header(mut self, line: &str) -> Mail {
        self.extra_headers.push(line.into());
        self
    }

    pub fn build(&self) -> Vec<u8> {
        let subject = if self.subject.is_ascii() {
            self.subject.clone()
        } else {
            rfc2047(&self.subject)
        };
        let mut s = format!(
            "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}>\r\nMIME-Version: 1.0\r\n",
            self.from,
            self.to,
            subject,
            rfc2822_date(self.date),
            self.message_id
                .clone()
                .unwrap_or_else(|| format!("{}@fixture.test", unique("m"))),
        );
        for h in &self.extra_headers {
            s.push_str(h);
            s.push_str("\r\n");
        }
        s.push_str(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        );
        s.push_str(&self.body);
        if !s.ends_with("\r\n") {
            s.push_str("\r\n");
        }
        s.into_bytes()
    }
}

/// `=?UTF-8?B?…?=` (RFC 2047) of `s`.
pub fn rfc2047(s: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
}

/// Standard base64 with padding.
pub fn base64(data: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Base64 wrapped at 76 columns with CRLF, as in a MIME part.
pub fn base64_lines(data: &[u8]) -> String {
    let b = base64(data);
    let mut out = String::new();
    for line in b.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("ascii"));
        out.push_str("\r\n");
    }
    out
}

/// `Tue, 14 Nov 2023 22:13:20 +0000` for Unix seconds (the `time` crate's
/// calendar: the tests share no date code with the product).
pub fn rfc2822_date(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .expect("a representable time")
        .format(&time::format_description::well_known::Rfc2822)
        .expect("RFC 2822 formats every date after 1900")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_encodings() {
        assert_eq!(
            rfc2822_date(1_700_000_000),
            "Tue, 14 Nov 2023 22:13:20 +0000"
        );
        assert_eq!(rfc2822_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(enc("Réu nions/x"), "R%C3%A9u%20nions%2Fx");
    }
}
