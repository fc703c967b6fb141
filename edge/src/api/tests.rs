use super::*;
use crate::download::part_headers;
use crate::gateway::Unavailable;
use crate::gateway::json_answer;
use std::cell::RefCell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

const NOW: i64 = 1_800_000_000;

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("the fake gateway never waits"),
    }
}

type Reply = Box<dyn Fn(&GatewayRequest) -> Result<GatewayResponse, Unavailable>>;

struct FakeGateway {
    seen: RefCell<Vec<GatewayRequest>>,
    reply: Reply,
}

impl FakeGateway {
    fn new(
        reply: impl Fn(&GatewayRequest) -> Result<GatewayResponse, Unavailable> + 'static,
    ) -> Self {
        FakeGateway {
            seen: RefCell::new(Vec::new()),
            reply: Box::new(reply),
        }
    }
    fn down() -> Self {
        Self::new(|_| Err(Unavailable("connection refused".into())))
    }
    fn last(&self) -> GatewayRequest {
        self.seen.borrow().last().cloned().expect("a gateway call")
    }
}

impl Gateway for FakeGateway {
    async fn send(&self, req: GatewayRequest) -> Result<GatewayResponse, Unavailable> {
        self.seen.borrow_mut().push(req.clone());
        (self.reply)(&req)
    }
}

fn ok_json(body: &str) -> Result<GatewayResponse, Unavailable> {
    Ok(GatewayResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    })
}

fn err(status: u16, code: &str) -> Result<GatewayResponse, Unavailable> {
    Ok(GatewayResponse {
        status,
        headers: vec![("retry-after".into(), "30".into())],
        body: format!(r#"{{"code":"{code}","message":"from gateway"}}"#).into_bytes(),
    })
}

fn cfg() -> Config {
    Config {
        gateway_urls: vec!["http://127.0.0.1:1".into()],
        edge_secret: "secret".into(),
        session_key: vec![9u8; 32],
        secure_cookies: false,
        trust_forwarded_for: true,
    }
}

fn run(req: &EdgeRequest, gw: &FakeGateway) -> EdgeResponse {
    match block_on(crate::handle(
        req,
        Ok(&cfg()),
        gw,
        std::path::Path::new("/nonexistent"),
        NOW,
    )) {
        Outcome::Respond(r) => r,
        other => panic!("unexpected stream: {other:?}"),
    }
}

fn cookie_for(sid: &str) -> String {
    let v = crate::session::sign(&cfg().session_key, sid, NOW + 3600).unwrap();
    format!("postern_session={v}")
}

fn authed(method: Method, path: &str) -> EdgeRequest {
    let req = EdgeRequest::new(method, path)
        .with_header("host", "mail.example.test")
        .with_header("cookie", &cookie_for("sid1"));
    if req.method.is_state_changing() {
        let t = crate::session::csrf_token(&cfg().session_key, "sid1");
        req.with_header(postern_shared::wire::headers::CSRF_TOKEN, &t)
    } else {
        req
    }
}

fn code(r: &EdgeResponse) -> String {
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    v["code"].as_str().unwrap().to_string()
}

const GW_SESSION: &str = r#"{"session_id":"sid1","expires_at":1800003600,"account":{"id":5,"login":"bob","display_name":"Bob"}}"#;

#[test]
fn login_sets_a_signed_cookie_and_returns_the_csrf_token() {
    let gw = FakeGateway::new(|_| ok_json(GW_SESSION));
    let req = EdgeRequest::new(Method::Post, "/api/session")
        .with_header("host", "mail.example.test")
        .with_header("origin", "https://mail.example.test")
        .with_header("x-forwarded-proto", "https")
        .with_header("x-forwarded-for", "198.51.100.4")
        .with_body(r#"{"login":"bob","password":"pw"}"#);
    let r = run(&req, &gw);
    assert_eq!(r.status, 200);
    let sent = gw.last();
    assert_eq!(sent.path_and_query, "/v1/auth/login");
    assert_eq!(sent.client_ip.as_deref(), Some("198.51.100.4"));
    let body: GatewayLoginRequest = serde_json::from_slice(sent.body.as_ref().unwrap()).unwrap();
    assert_eq!(body.client_ip.as_deref(), Some("198.51.100.4"));
    assert_eq!(body.login, "bob");
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with("postern_session=sid1.1800003600."));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Max-Age=3600") && cookie.ends_with("; Secure"));
    let info: SessionInfo = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        info.csrf_token,
        crate::session::csrf_token(&cfg().session_key, "sid1")
    );
    assert_eq!(info.account.login, "bob");
}

#[test]
fn login_passes_the_user_agent_and_a_second_factor_request_with_its_token() {
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 401,
            headers: vec![],
            body: br#"{"code":"second_factor_required","message":"m","params":{"pending":"abc"}}"#
                .to_vec(),
        })
    });
    let req = EdgeRequest::new(Method::Post, "/api/session")
        .with_header("user-agent", "Firefox/121.0")
        .with_body(r#"{"login":"bob","password":"pw"}"#);
    let r = run(&req, &gw);
    assert_eq!(r.status, 401);
    assert_eq!(code(&r), "second_factor_required");
    assert_eq!(r.header("set-cookie"), None);
    let e: ApiError = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(e.params.pending.as_deref(), Some("abc"));
    let sent: GatewayLoginRequest =
        serde_json::from_slice(gw.last().body.as_ref().unwrap()).unwrap();
    assert_eq!(sent.user_agent.as_deref(), Some("Firefox/121.0"));
}

#[test]
fn the_second_factor_step_sets_the_session_cookie() {
    let gw = FakeGateway::new(|_| ok_json(GW_SESSION));
    let req = EdgeRequest::new(Method::Post, "/api/session/second-factor")
        .with_header("host", "mail.example.test")
        .with_header("origin", "http://mail.example.test")
        .with_body(r#"{"pending":"abc","code":"123456","extra":1}"#);
    let r = run(&req, &gw);
    assert_eq!(r.status, 200);
    let sent = gw.last();
    assert_eq!(sent.path_and_query, "/v1/auth/login/second-factor");
    assert_eq!(
        sent.body.as_deref(),
        Some(br#"{"pending":"abc","code":"123456"}"#.as_slice())
    );
    assert!(
        r.header("set-cookie")
            .unwrap()
            .starts_with("postern_session=sid1.")
    );
    let foreign = EdgeRequest::new(Method::Post, "/api/session/second-factor")
        .with_header("host", "mail.example.test")
        .with_header("origin", "https://evil.example")
        .with_body(r#"{"pending":"abc","code":"123456"}"#);
    assert_eq!(code(&run(&foreign, &gw)), "csrf_failed");
}

#[test]
fn a_wrong_code_on_a_session_route_keeps_the_cookie_an_ended_session_clears_it() {
    let gw = FakeGateway::new(|_| err(401, "invalid_second_factor"));
    let r = run(
        &authed(Method::Post, "/api/account/totp/confirm").with_body(r#"{"code":"1"}"#),
        &gw,
    );
    assert_eq!(r.status, 401);
    assert_eq!(code(&r), "invalid_second_factor");
    assert_eq!(r.header("set-cookie"), None);
    let gw = FakeGateway::new(|_| err(401, "session_expired"));
    let r = run(&authed(Method::Get, "/api/account/sessions"), &gw);
    assert_eq!(code(&r), "session_expired");
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn login_errors_pass_through_unchanged() {
    let gw = FakeGateway::new(|_| err(429, "too_many_attempts"));
    let req =
        EdgeRequest::new(Method::Post, "/api/session").with_body(r#"{"login":"a","password":"b"}"#);
    let r = run(&req, &gw);
    assert_eq!(r.status, 429);
    assert_eq!(code(&r), "too_many_attempts");
    assert_eq!(r.header("retry-after"), Some("30"));
    assert_eq!(r.header("set-cookie"), None);
}

#[test]
fn login_from_a_foreign_origin_or_with_bad_json_is_refused() {
    let gw = FakeGateway::new(|_| ok_json(GW_SESSION));
    let req = EdgeRequest::new(Method::Post, "/api/session")
        .with_header("host", "mail.example.test")
        .with_header("origin", "https://evil.test")
        .with_body(r#"{"login":"a","password":"b"}"#);
    assert_eq!(code(&run(&req, &gw)), "csrf_failed");
    let req = EdgeRequest::new(Method::Post, "/api/session").with_body("{");
    assert_eq!(code(&run(&req, &gw)), "bad_request");
    assert!(gw.seen.borrow().is_empty());
}

#[test]
fn unreachable_gateway_is_503() {
    let gw = FakeGateway::down();
    let r = run(&EdgeRequest::new(Method::Get, "/api/health"), &gw);
    assert_eq!(r.status, 503);
    assert_eq!(code(&r), "gateway_unavailable");
    let r = run(&authed(Method::Get, "/api/me"), &gw);
    assert_eq!(code(&r), "gateway_unavailable");
}

#[test]
fn a_broken_connection_is_retried_once_for_idempotent_requests_only() {
    // The first call of each request fails at the transport, the next works.
    let calls = std::rc::Rc::new(std::cell::Cell::new(0));
    let c = calls.clone();
    let gw = FakeGateway::new(move |_| {
        c.set(c.get() + 1);
        if c.get() % 2 == 1 {
            Err(Unavailable(
                "connection closed before message completed".into(),
            ))
        } else {
            ok_json("{}")
        }
    });
    let r = run(&authed(Method::Get, "/api/mailboxes/3/folders"), &gw);
    assert_eq!(r.status, 200);
    assert_eq!(calls.get(), 2);
    let r = run(
        &authed(Method::Delete, "/api/mailboxes/3/folders?path=Old"),
        &gw,
    );
    assert_eq!(r.status, 200);
    assert_eq!(calls.get(), 4);
    // A POST may have been applied: never sent twice.
    let r = run(
        &authed(Method::Post, "/api/mailboxes/3/folders").with_body(r#"{"name":"New"}"#),
        &gw,
    );
    assert_eq!(code(&r), "gateway_unavailable");
    assert_eq!(calls.get(), 5);
    // Down for good: one retry, then 503.
    let gw = FakeGateway::down();
    let r = run(&authed(Method::Get, "/api/me"), &gw);
    assert_eq!(code(&r), "gateway_unavailable");
    assert_eq!(gw.seen.borrow().len(), 2);
}

#[test]
fn session_checks_happen_before_any_gateway_call() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let r = run(&EdgeRequest::new(Method::Get, "/api/me"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (401, "unauthenticated"));
    let expired = crate::session::sign(&cfg().session_key, "old", NOW - 1).unwrap();
    let r = run(
        &EdgeRequest::new(Method::Get, "/api/session")
            .with_header("cookie", &format!("postern_session={expired}")),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (401, "session_expired"));
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    // Forged cookie.
    let r = run(
        &EdgeRequest::new(Method::Get, "/api/me")
            .with_header("cookie", "postern_session=sid1.1900000000.AAAA"),
        &gw,
    );
    assert_eq!(code(&r), "unauthenticated");
    assert!(gw.seen.borrow().is_empty());
}

#[test]
fn state_changing_requests_need_the_csrf_token() {
    let gw = FakeGateway::new(|_| ok_json(r#"{"destination":"Trash","moved":1}"#));
    let body = r#"{"folder":"INBOX","uids":[1]}"#;
    let no_token = EdgeRequest::new(Method::Post, "/api/mailboxes/3/messages/delete")
        .with_header("cookie", &cookie_for("sid1"))
        .with_body(body);
    assert_eq!(code(&run(&no_token, &gw)), "csrf_failed");
    let wrong_origin = authed(Method::Post, "/api/mailboxes/3/messages/delete")
        .with_header("origin", "https://evil.test")
        .with_body(body);
    assert_eq!(code(&run(&wrong_origin, &gw)), "csrf_failed");
    assert!(gw.seen.borrow().is_empty());
    let ok = authed(Method::Post, "/api/mailboxes/3/messages/delete").with_body(body);
    let r = run(&ok, &gw);
    assert_eq!(r.status, 200);
    let sent = gw.last();
    assert_eq!(sent.path_and_query, "/v1/mailboxes/3/messages/delete");
    assert_eq!(sent.session.as_deref(), Some("sid1"));
}

#[test]
fn get_session_translates_and_refreshes_the_cookie() {
    let gw = FakeGateway::new(|_| {
        ok_json(
            r#"{"session_id":"sid1","expires_at":1800007200,"account":{"id":5,"login":"bob","display_name":"Bob"}}"#,
        )
    });
    let r = run(&authed(Method::Get, "/api/session"), &gw);
    assert_eq!(r.status, 200);
    assert_eq!(gw.last().path_and_query, "/v1/auth/session");
    let info: SessionInfo = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(info.expires_at, 1_800_007_200);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=7200"));
}

#[test]
fn revoked_session_clears_the_cookie() {
    let gw = FakeGateway::new(|_| err(401, "session_expired"));
    let r = run(&authed(Method::Get, "/api/session"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (401, "session_expired"));
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    let r = run(&authed(Method::Get, "/api/me"), &gw);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn logout_revokes_and_clears() {
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 204,
            headers: vec![],
            body: vec![],
        })
    });
    let r = run(&authed(Method::Delete, "/api/session"), &gw);
    assert_eq!(r.status, 204);
    assert_eq!(gw.last().path_and_query, "/v1/auth/logout");
    assert_eq!(gw.last().method, Method::Post);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    // Without a session there is nothing to revoke.
    let r = run(&EdgeRequest::new(Method::Delete, "/api/session"), &gw);
    assert_eq!(r.status, 204);
    assert_eq!(gw.seen.borrow().len(), 1);
}

#[test]
fn folder_and_message_queries_are_reencoded() {
    let gw = FakeGateway::new(|_| ok_json("[]"));
    run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/messages?folder=Projets%2F%C3%89t%C3%A9&filter=unread&q=a+b&page=2&anchor=99&junk=x",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/messages?folder=Projets%2F%C3%89t%C3%A9&filter=unread&page=2&q=a+b&anchor=99"
    );
    let r = run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/messages?folder=INBOX&filter=evil",
        ),
        &gw,
    );
    assert_eq!(code(&r), "bad_request");
    let r = run(&authed(Method::Get, "/api/mailboxes/3/messages"), &gw);
    assert_eq!(code(&r), "bad_request");
    run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/conversations?folder=INBOX&page=1&q=dropped",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/conversations?folder=INBOX&page=1"
    );
    let r = run(
        &authed(Method::Get, "/api/mailboxes/3/conversations?page=x"),
        &gw,
    );
    assert_eq!(code(&r), "bad_request");
    run(
        &authed(Method::Delete, "/api/mailboxes/3/folders?path=A%20B"),
        &gw,
    );
    assert_eq!(gw.last().path_and_query, "/v1/mailboxes/3/folders?path=A+B");
    assert_eq!(gw.last().method, Method::Delete);
}

#[test]
fn csv_imports_may_be_bigger_than_other_json_bodies_and_storage_is_forwarded() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    // A 2 MiB file, JSON-escaped: more than the usual limit, less than
    // the import's.
    let csv = format!("address\n{}", "a@x.test\n".repeat(200_000));
    let body = serde_json::to_vec(&serde_json::json!({ "csv": csv, "extra": 1 })).unwrap();
    assert!(body.len() > MAX_JSON_BODY);
    for (path, v1) in [
        (
            "/api/orgs/4/addresses/import/preview",
            "/v1/orgs/4/addresses/import/preview",
        ),
        (
            "/api/orgs/4/addresses/import",
            "/v1/orgs/4/addresses/import",
        ),
    ] {
        let r = run(&authed(Method::Post, path).with_body(body.clone()), &gw);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(gw.last().path_and_query, v1);
        let sent: serde_json::Value = serde_json::from_slice(&gw.last().body.unwrap()).unwrap();
        assert_eq!(
            sent,
            serde_json::json!({ "csv": csv, "language": null }),
            "revalidated"
        );
    }
    let too_big = vec![b' '; postern_shared::limits::MAX_IMPORT_REQUEST_BYTES + 1];
    let r = run(
        &authed(Method::Post, "/api/orgs/4/addresses/import").with_body(too_big),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (413, "payload_too_large"));
    let r = run(
        &authed(Method::Post, "/api/orgs/4/addresses").with_body(body),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (413, "payload_too_large"));
    run(&authed(Method::Get, "/api/mailboxes/3/storage"), &gw);
    assert_eq!(gw.last().path_and_query, "/v1/mailboxes/3/storage");
    assert_eq!(gw.last().method, Method::Get);
}

#[test]
fn a_display_name_change_is_revalidated_and_needs_the_csrf_token() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let r = run(
        &authed(Method::Patch, "/api/orgs/4/addresses/11")
            .with_body(r#"{"display_name":"Sales","kind":"redirect"}"#),
        &gw,
    );
    assert_eq!(r.status, 200);
    let g = gw.last();
    assert_eq!(
        (g.method, g.path_and_query.as_str()),
        (Method::Patch, "/v1/orgs/4/addresses/11")
    );
    let sent = String::from_utf8(g.body.unwrap()).unwrap();
    assert_eq!(
        sent, r#"{"display_name":"Sales"}"#,
        "unknown fields dropped"
    );
    let calls = gw.seen.borrow().len();
    let r = run(
        &authed(Method::Patch, "/api/orgs/4/addresses/11").with_body(r#"{"name":"Sales"}"#),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (400, "bad_request"));
    let no_token = EdgeRequest::new(Method::Patch, "/api/orgs/4/addresses/11")
        .with_header("host", "mail.example.test")
        .with_header("cookie", &cookie_for("sid1"))
        .with_body(r#"{"display_name":"Sales"}"#);
    let r = run(&no_token, &gw);
    assert_eq!((r.status, code(&r).as_str()), (403, "csrf_failed"));
    assert_eq!(gw.seen.borrow().len(), calls, "neither reached the gateway");
}

#[test]
fn json_bodies_are_validated_and_size_limited() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let r = run(
        &authed(Method::Post, "/api/mailboxes/3/folders").with_body(r#"{"nope":1}"#),
        &gw,
    );
    assert_eq!(code(&r), "bad_request");
    let r = run(
        &authed(Method::Post, "/api/mailboxes/3/folders").with_body(vec![b' '; MAX_JSON_BODY + 1]),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (413, "payload_too_large"));
    run(
        &authed(Method::Post, "/api/mailboxes/3/folders")
            .with_body(r#"{"parent":null,"name":"Ops","extra":"dropped"}"#),
        &gw,
    );
    let body = String::from_utf8(gw.last().body.unwrap()).unwrap();
    assert_eq!(body, r#"{"parent":null,"name":"Ops"}"#);
}

#[test]
fn gateway_errors_pass_through_and_odd_ones_are_mapped() {
    let gw = FakeGateway::new(|_| err(403, "forbidden"));
    let r = run(&authed(Method::Get, "/api/mailboxes/9/folders"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (403, "forbidden"));
    assert_eq!(r.body, br#"{"code":"forbidden","message":"from gateway"}"#);
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 502,
            headers: vec![],
            body: b"<html>".to_vec(),
        })
    });
    assert_eq!(
        code(&run(&authed(Method::Get, "/api/me"), &gw)),
        "gateway_unavailable"
    );
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 500,
            headers: vec![],
            body: b"boom".to_vec(),
        })
    });
    assert_eq!(code(&run(&authed(Method::Get, "/api/me"), &gw)), "internal");
}

#[test]
fn unknown_api_paths_and_methods() {
    let gw = FakeGateway::down();
    let r = run(&authed(Method::Get, "/api/nothing"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (404, "not_found"));
    let r = run(&authed(Method::Put, "/api/me"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (405, "method_not_allowed"));
    assert_eq!(r.header("allow"), Some("GET"));
}

const RAW: &str = "From: a@example.test\r\nSubject: Hi\r\nContent-Type: text/html\r\n\r\n<p>Hi <img src=\"https://t.example.test/x.gif\"><script>alert(1)</script></p>\r\n";

/// The gateway's reading view, as it makes it.
fn view_reply(req: &GatewayRequest) -> Result<GatewayResponse, Unavailable> {
    assert!(
        req.path_and_query
            .starts_with("/v1/mailboxes/3/messages/42/view?folder=INBOX")
    );
    let view = postern_render::mime_view::message_view(RAW.as_bytes(), 42, "INBOX", "\\Seen");
    Ok(GatewayResponse {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: serde_json::to_vec(&view).unwrap(),
    })
}

#[test]
fn the_reading_view_is_the_gateways_and_marks_the_message_read() {
    let gw = FakeGateway::new(view_reply);
    let r = run(
        &authed(Method::Get, "/api/mailboxes/3/messages/42?folder=INBOX"),
        &gw,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/messages/42/view?folder=INBOX&mark_seen=true"
    );
    let v: postern_shared::api::MessageView = serde_json::from_slice(&r.body).unwrap();
    assert_eq!((v.subject.as_str(), v.uid, v.seen), ("Hi", 42, true));
    assert!(v.has_html && v.remote_images);
}

/// The gateway's `body.html`: the sanitised body, as it renders it.
fn rendered_reply(req: &GatewayRequest) -> Result<GatewayResponse, Unavailable> {
    let allow = req.path_and_query.ends_with("&images=allow");
    assert!(
        req.path_and_query
            .starts_with("/v1/mailboxes/3/messages/42/body.html?folder=INBOX"),
        "{}",
        req.path_and_query
    );
    let clean = postern_render::mime_view::sanitized_body(RAW.as_bytes(), allow);
    Ok(GatewayResponse {
        status: 200,
        headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
        body: clean.html.into_bytes(),
    })
}

#[test]
fn body_html_is_the_gateways_sanitised_body_in_a_document_with_its_own_csp() {
    let gw = FakeGateway::new(rendered_reply);
    let r = run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/messages/42/body.html?folder=INBOX",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/messages/42/body.html?folder=INBOX"
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.starts_with("default-src 'none'; style-src 'unsafe-inline'; img-src data:;"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'self'"));
    assert_eq!(
        r.headers
            .iter()
            .filter(|(n, _)| n == "content-security-policy")
            .count(),
        1
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<base target=_blank>"));
    assert!(
        !html.contains("script") && !html.contains("t.example.test"),
        "{html}"
    );

    let r = run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/messages/42/body.html?folder=INBOX&images=allow",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/messages/42/body.html?folder=INBOX&images=allow"
    );
    assert!(
        r.header("content-security-policy")
            .unwrap()
            .contains("img-src data: http: https:")
    );
    assert!(
        String::from_utf8(r.body)
            .unwrap()
            .contains("https://t.example.test/x.gif")
    );
}

/// Support staff's body (R-SUP) is the webmail's document, CSP and all.
#[test]
fn staff_body_html_is_wrapped_as_the_webmails() {
    let gw = FakeGateway::new(|req| {
        let allow = req.path_and_query.ends_with("&images=allow");
        let clean = postern_render::mime_view::sanitized_body(RAW.as_bytes(), allow);
        Ok(GatewayResponse {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: clean.html.into_bytes(),
        })
    });
    let webmail = run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/messages/42/body.html?folder=INBOX",
        ),
        &gw,
    );
    let staff = run(
        &authed(
            Method::Get,
            "/api/support/access/ab12/messages/42/body.html?folder=INBOX&images=sneaky",
        ),
        &gw,
    );
    assert_eq!(staff.status, 400, "an unknown images value is refused");
    let staff = run(
        &authed(
            Method::Get,
            "/api/support/access/ab12/messages/42/body.html?folder=INBOX&mark_seen=true",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/support/access/ab12/messages/42/body.html?folder=INBOX"
    );
    assert_eq!(staff.status, 200);
    for h in ["content-type", "content-security-policy", "cache-control"] {
        assert_eq!(staff.header(h), webmail.header(h), "{h}");
    }
    assert!(
        !staff
            .header("content-security-policy")
            .unwrap()
            .contains("http:")
    );
    assert_eq!(staff.body, webmail.body);
    let html = String::from_utf8(staff.body).unwrap();
    assert!(html.starts_with("<!doctype html>") && !html.contains("script"));

    let staff = run(
        &authed(
            Method::Get,
            "/api/support/access/ab12/messages/42/body.html?folder=INBOX&images=allow",
        ),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/support/access/ab12/messages/42/body.html?folder=INBOX&images=allow"
    );
    assert!(
        staff
            .header("content-security-policy")
            .unwrap()
            .contains("img-src data: http: https:")
    );
}

#[test]
fn live_updates_are_streamed_for_a_session_only() {
    let gw = FakeGateway::down();
    let run = |req: &EdgeRequest| {
        block_on(crate::handle(
            req,
            Ok(&cfg()),
            &gw,
            std::path::Path::new("/x"),
            NOW,
        ))
    };
    // Whatever the browser adds to the query stays out of the gateway call.
    let Outcome::StreamEvents(g) = run(&authed(Method::Get, "/api/mailboxes/3/events?x=1")) else {
        panic!("expected a stream")
    };
    assert_eq!(g.path_and_query, "/v1/mailboxes/3/events");
    assert_eq!(g.session.as_deref(), Some("sid1"));
    let Outcome::Respond(r) = run(&EdgeRequest::new(Method::Get, "/api/mailboxes/3/events")) else {
        panic!("no session: an answer, not a stream")
    };
    assert_eq!(r.status, 401);
    let h = crate::download::event_stream_headers();
    assert_eq!(h.header("content-type"), Some("text/event-stream"));
    assert_eq!(h.header("cache-control"), Some("no-store"));
}

#[test]
fn attachments_are_streamed_with_safe_headers() {
    let gw = FakeGateway::down();
    let req = authed(
        Method::Get,
        "/api/mailboxes/3/messages/42/parts/1.2?folder=INBOX",
    );
    let out = block_on(crate::handle(
        &req,
        Ok(&cfg()),
        &gw,
        std::path::Path::new("/x"),
        NOW,
    ));
    let Outcome::StreamPart(g) = out else {
        panic!("expected a stream")
    };
    assert_eq!(
        g.path_and_query,
        "/v1/mailboxes/3/messages/42/parts/1.2?folder=INBOX"
    );
    assert_eq!(g.session.as_deref(), Some("sid1"));

    let h = part_headers(&[
        ("content-type".into(), "text/html; charset=utf-8".into()),
        (
            postern_shared::wire::headers::FILENAME.into(),
            "..%2F..%2Fr%C3%A9sum%C3%A9\r\n.html".into(),
        ),
        ("content-length".into(), "1234".into()),
    ]);
    assert_eq!(h.header("content-type"), Some("application/octet-stream"));
    let cd = h.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment; filename=\""), "{cd}");
    assert!(
        cd.contains("filename*=UTF-8''_.._r%C3%A9sum%C3%A9__.html"),
        "{cd}"
    );
    assert!(!cd.contains('/') && !cd.contains('\r'));
    assert_eq!(h.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(h.header("content-length"), Some("1234"));
}

// ------------------------------------------------- compose and transfers

fn outcome(req: &EdgeRequest, gw: &FakeGateway) -> Outcome {
    block_on(crate::handle(
        req,
        Ok(&cfg()),
        gw,
        std::path::Path::new("/nonexistent"),
        NOW,
    ))
}

#[test]
fn compose_routes_are_forwarded_to_v1() {
    let draft = r#"{"draft":{"to":[],"subject":"Hi","text":"Hello"},"replaces":4}"#;
    let send = r#"{"draft":{"subject":"Hi"},"undo_seconds":5}"#;
    let cases: Vec<(Method, &str, Option<&str>, &str)> = vec![
        (
            Method::Post,
            "/api/mailboxes/3/drafts",
            Some(draft),
            "/v1/mailboxes/3/drafts",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/drafts/12",
            None,
            "/v1/mailboxes/3/drafts/12",
        ),
        (
            Method::Post,
            "/api/mailboxes/3/send",
            Some(send),
            "/v1/mailboxes/3/send",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/outbox/ob_1",
            None,
            "/v1/mailboxes/3/outbox/ob_1",
        ),
        (
            Method::Delete,
            "/api/mailboxes/3/outbox/ob_1",
            None,
            "/v1/mailboxes/3/outbox/ob_1",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/contacts?q=ann%20b&x=1",
            None,
            "/v1/mailboxes/3/contacts?q=ann+b",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/contacts",
            None,
            "/v1/mailboxes/3/contacts",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/signature",
            None,
            "/v1/mailboxes/3/signature",
        ),
        (
            Method::Put,
            "/api/mailboxes/3/signature",
            Some(r#"{"text":"-- A","extra":1}"#),
            "/v1/mailboxes/3/signature",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/identities",
            None,
            "/v1/mailboxes/3/identities",
        ),
        (
            Method::Post,
            "/api/uploads",
            Some(r#"{"name":"a.bin","size":3}"#),
            "/v1/uploads",
        ),
        (Method::Get, "/api/uploads/u1", None, "/v1/uploads/u1"),
        (Method::Delete, "/api/uploads/u1", None, "/v1/uploads/u1"),
        (
            Method::Post,
            "/api/transfers",
            Some(r#"{"uploads":["u1"]}"#),
            "/v1/transfers",
        ),
    ];
    for (method, path, body, expected) in cases {
        let gw = FakeGateway::new(|_| ok_json(r#"{"ok":1}"#));
        let mut req = authed(method.clone(), path);
        if let Some(b) = body {
            req = req.with_body(b);
        }
        let r = run(&req, &gw);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let sent = gw.last();
        assert_eq!(sent.method, method, "{path}");
        assert_eq!(sent.path_and_query, expected, "{path}");
        assert_eq!(sent.session.as_deref(), Some("sid1"), "{path}");
        assert_eq!(sent.body.is_some(), body.is_some(), "{path}");
    }
    // Bodies are re-serialised from the shared types (unknown fields dropped,
    // defaults filled in).
    let gw = FakeGateway::new(|_| ok_json("{}"));
    run(
        &authed(Method::Post, "/api/uploads").with_body(r#"{"name":"a.bin","size":3,"x":1}"#),
        &gw,
    );
    let sent: serde_json::Value = serde_json::from_slice(&gw.last().body.unwrap()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"name":"a.bin","size":3,"content_type":"application/octet-stream","standalone":false})
    );
    // Malformed bodies never reach the gateway.
    let gw = FakeGateway::new(|_| ok_json("{}"));
    for (path, body) in [
        ("/api/uploads", r#"{"name":"a"}"#),
        ("/api/transfers", r#"{"uploads":"u1"}"#),
        ("/api/mailboxes/3/send", r#"{}"#),
    ] {
        let r = run(&authed(Method::Post, path).with_body(body), &gw);
        assert_eq!(code(&r), "bad_request", "{path}");
    }
    assert!(gw.seen.borrow().is_empty());
}

#[test]
fn send_passes_202_and_errors_through() {
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 202,
            headers: vec![],
            body: br#"{"id":"o1","state":"scheduled"}"#.to_vec(),
        })
    });
    let r = run(
        &authed(Method::Post, "/api/mailboxes/3/send").with_body(r#"{"draft":{}}"#),
        &gw,
    );
    assert_eq!(r.status, 202);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let gw = FakeGateway::new(|_| err(409, "too_late_to_undo"));
    let r = run(&authed(Method::Delete, "/api/mailboxes/3/outbox/o1"), &gw);
    assert_eq!((r.status, code(&r).as_str()), (409, "too_late_to_undo"));
    let gw = FakeGateway::new(|_| err(409, "upload_incomplete"));
    let r = run(
        &authed(Method::Post, "/api/transfers").with_body(r#"{"uploads":["u1"]}"#),
        &gw,
    );
    assert_eq!((r.status, code(&r).as_str()), (409, "upload_incomplete"));
}

#[test]
fn state_changing_compose_and_upload_routes_need_csrf() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    for (method, path) in [
        (Method::Post, "/api/mailboxes/3/send"),
        (Method::Post, "/api/mailboxes/3/drafts"),
        (Method::Delete, "/api/mailboxes/3/outbox/o1"),
        (Method::Put, "/api/mailboxes/3/signature"),
        (Method::Post, "/api/uploads"),
        (Method::Patch, "/api/uploads/u1?offset=0"),
        (Method::Delete, "/api/uploads/u1"),
        (Method::Post, "/api/transfers"),
    ] {
        let req = EdgeRequest::new(method, path)
            .with_header("cookie", &cookie_for("sid1"))
            .with_body("{}");
        assert_eq!(code(&run(&req, &gw)), "csrf_failed", "{path}");
    }
    assert!(gw.seen.borrow().is_empty());
}

#[test]
fn upload_bytes_are_streamed_after_the_session_and_csrf_checks() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    // No session, no token, a foreign origin: refused, nothing sent.
    let no_session = EdgeRequest::new(Method::Patch, "/api/uploads/u1?offset=0")
        .with_header("content-length", "1000");
    assert_eq!(code(&run(&no_session, &gw)), "unauthenticated");
    let no_token = EdgeRequest::new(Method::Patch, "/api/uploads/u1?offset=0")
        .with_header("cookie", &cookie_for("sid1"));
    assert_eq!(code(&run(&no_token, &gw)), "csrf_failed");
    let foreign = authed(Method::Patch, "/api/uploads/u1?offset=0")
        .with_header("origin", "https://evil.test");
    assert_eq!(code(&run(&foreign, &gw)), "csrf_failed");
    for q in ["", "?offset=", "?offset=-1", "?offset=abc"] {
        let r = run(&authed(Method::Patch, &format!("/api/uploads/u1{q}")), &gw);
        assert_eq!(code(&r), "bad_request", "{q}");
    }

    let req = authed(Method::Patch, "/api/uploads/u1?offset=1048576")
        .with_header("content-length", "52428800");
    let Outcome::StreamUpload(g) = outcome(&req, &gw) else {
        panic!("expected a streamed upload")
    };
    assert_eq!(g.method, Method::Patch);
    assert_eq!(g.path_and_query, "/v1/uploads/u1?offset=1048576");
    assert_eq!(g.session.as_deref(), Some("sid1"));
    assert_eq!(g.body, None);
    assert_eq!(
        crate::gateway::header(&g.headers, "content-length"),
        Some("52428800")
    );
    assert_eq!(
        crate::gateway::header(&g.headers, "content-type"),
        Some("application/octet-stream")
    );
    // The component sends it; the handler itself never did.
    assert!(gw.seen.borrow().is_empty());

    // The answer: JSON passed through, errors unchanged.
    let ok = json_answer(GatewayResponse {
        status: 200,
        headers: vec![],
        body: br#"{"received":5}"#.to_vec(),
    });
    assert_eq!(ok.status, 200);
    let e = json_answer(err(409, "upload_offset").unwrap());
    assert_eq!((e.status, code(&e).as_str()), (409, "upload_offset"));
}

const TRANSFER: &str = r#"{"token":"tok123","url":"https://m.test/t/tok123","created_at":1799000000,"expires_at":1800000000,
 "files":[{"id":"f1","name":"<script>alert('x')</script>&report.pdf","size":1536,"content_type":"application/pdf"},
          {"id":"f2","name":"big.iso","size":3221225472,"content_type":"application/octet-stream"}]}"#;

#[test]
fn the_public_transfer_page_is_rendered_escaped_without_a_session() {
    let gw = FakeGateway::new(|_| ok_json(TRANSFER));
    let r = run(&EdgeRequest::new(Method::Get, "/t/tok123"), &gw);
    assert_eq!(r.status, 200);
    let sent = gw.last();
    assert_eq!(sent.path_and_query, "/v1/public/transfers/tok123");
    assert_eq!(sent.session, None);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        r.header("content-security-policy"),
        Some(crate::http::APP_CSP)
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    let html = String::from_utf8(r.body).unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("style="), "no inline styles under the CSP");
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;report.pdf"));
    assert!(html.contains("1.5 KB") && html.contains("3.0 GB"));
    assert!(html.contains("2 files"));
    assert!(html.contains("2027-01-15 08:00 UTC"));
    assert!(html.contains(r#"href="/t/tok123/f1""#));
    assert!(html.contains(r#"href="/t/tok123/f2""#));
    assert!(html.contains(r#"href="/t/page.css""#));

    // HEAD: same status and headers, no body.
    let r = run(&EdgeRequest::new(Method::Head, "/t/tok123"), &gw);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());

    let r = run(&EdgeRequest::new(Method::Get, "/t/page.css"), &gw);
    assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(!r.body.is_empty());
}

#[test]
fn expired_unknown_and_unreachable_transfers_get_pages() {
    let gw = FakeGateway::new(|_| err(410, "expired"));
    let r = run(&EdgeRequest::new(Method::Get, "/t/tok123"), &gw);
    assert_eq!(r.status, 410);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(String::from_utf8(r.body).unwrap().contains("expired"));

    let gw = FakeGateway::new(|_| err(404, "not_found"));
    let r = run(&EdgeRequest::new(Method::Get, "/t/tok123"), &gw);
    assert_eq!(r.status, 404);
    assert!(String::from_utf8(r.body).unwrap().contains("not found"));

    // A malformed token never reaches the gateway.
    let gw = FakeGateway::new(|_| ok_json(TRANSFER));
    for p in ["/t/a%2F..", "/t/", "/t/x.y", "/t/x.y/f1", "/t/tok/f%00"] {
        let r = run(&EdgeRequest::new(Method::Get, p), &gw);
        assert_eq!(r.status, 404, "{p}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    }
    assert!(gw.seen.borrow().is_empty());

    let r = run(
        &EdgeRequest::new(Method::Get, "/t/tok123"),
        &FakeGateway::down(),
    );
    assert_eq!(r.status, 503);
}

#[test]
fn transfer_files_are_streamed_with_range_and_safe_headers() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let req = EdgeRequest::new(Method::Get, "/t/tok123/f1").with_header("range", "bytes=10-19");
    let Outcome::StreamTransfer(g) = outcome(&req, &gw) else {
        panic!("expected a stream")
    };
    assert_eq!(g.method, Method::Get);
    assert_eq!(g.path_and_query, "/v1/public/transfers/tok123/files/f1");
    assert_eq!(g.session, None);
    assert_eq!(
        crate::gateway::header(&g.headers, "range"),
        Some("bytes=10-19")
    );
    let Outcome::StreamTransfer(g) = outcome(&EdgeRequest::new(Method::Head, "/t/tok123/f1"), &gw)
    else {
        panic!("expected a stream")
    };
    assert_eq!(g.method, Method::Head);
    assert!(g.headers.is_empty());
    // A header with control characters is not passed on.
    let req =
        EdgeRequest::new(Method::Get, "/t/tok123/f1").with_header("range", "bytes=1-\r\nx: y");
    let Outcome::StreamTransfer(g) = outcome(&req, &gw) else {
        panic!("expected a stream")
    };
    assert!(g.headers.is_empty());

    let gh: Vec<(String, String)> = vec![
        ("content-type".into(), "text/html".into()),
        (
            postern_shared::wire::headers::FILENAME.into(),
            "r%C3%A9sum%C3%A9 <1>.html".into(),
        ),
        ("content-length".into(), "10".into()),
        ("content-range".into(), "bytes 10-19/5000".into()),
    ];
    let h = crate::download::file_headers(206, &gh, false);
    assert_eq!(h.status, 206);
    assert_eq!(h.header("content-type"), Some("application/octet-stream"));
    assert_eq!(h.header("content-length"), Some("10"));
    assert_eq!(h.header("content-range"), Some("bytes 10-19/5000"));
    assert_eq!(h.header("accept-ranges"), Some("bytes"));
    let cd = h.header("content-disposition").unwrap();
    assert!(
        cd.starts_with("attachment; filename=\"r_sum_ _1_.html\""),
        "{cd}"
    );
    assert!(
        cd.contains("filename*=UTF-8''r%C3%A9sum%C3%A9%20_1_.html"),
        "{cd}"
    );
    let h = crate::download::file_headers(200, &gh, true);
    assert_eq!(h.header("content-length"), None);
    assert_eq!(h.header("content-range"), None);

    // 416 keeps its Content-Range; an expired link is the HTML page.
    let e = crate::download::file_error(&GatewayResponse {
        status: 416,
        headers: vec![("content-range".into(), "bytes */5000".into())],
        body: br#"{"code":"bad_request","message":"range"}"#.to_vec(),
    });
    assert_eq!(e.status, 416);
    assert_eq!(e.header("content-range"), Some("bytes */5000"));
    let e = crate::download::file_error(&err(410, "expired").unwrap());
    assert_eq!(e.status, 410);
    assert_eq!(e.header("content-type"), Some("text/html; charset=utf-8"));
}

#[test]
fn device_routes_are_forwarded_and_the_profile_is_an_apple_attachment() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let body = br#"{"name":"Phone","kind":"phone","extra":1}"#.to_vec();
    run(
        &authed(Method::Post, "/api/mailboxes/3/devices").with_body(body),
        &gw,
    );
    assert_eq!(gw.last().path_and_query, "/v1/mailboxes/3/devices");
    let sent: serde_json::Value = serde_json::from_slice(&gw.last().body.unwrap()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({
            "name": "Phone", "kind": "phone", "expires_at": null,
            "protocols": ["imap", "pop3", "smtp"]
        }),
        "revalidated"
    );
    // A setup link's own routes: the invitee's request is the same shape.
    run(
        &authed(Method::Post, "/api/device-setup/abc")
            .with_body(br#"{"name":"Mine","kind":"script","protocols":["smtp"]}"#.to_vec()),
        &gw,
    );
    assert_eq!(gw.last().path_and_query, "/v1/device-setup/abc");
    let sent: serde_json::Value = serde_json::from_slice(&gw.last().body.unwrap()).unwrap();
    assert_eq!(sent["protocols"], serde_json::json!(["smtp"]));
    run(
        &authed(Method::Post, "/api/mailboxes/3/devices/setup-invitations")
            .with_body(br#"{"account":5,"send_email":true}"#.to_vec()),
        &gw,
    );
    assert_eq!(
        gw.last().path_and_query,
        "/v1/mailboxes/3/devices/setup-invitations"
    );
    let r = run(
        &authed(Method::Post, "/api/mailboxes/3/devices")
            .with_body(br#"{"name":"x","kind":"toaster"}"#.to_vec()),
        &gw,
    );
    assert_eq!(r.status, 400);
    for (m, path, v1) in [
        (
            Method::Get,
            "/api/mailboxes/3/devices",
            "/v1/mailboxes/3/devices",
        ),
        (
            Method::Post,
            "/api/mailboxes/3/devices/9/regenerate",
            "/v1/mailboxes/3/devices/9/regenerate",
        ),
        (
            Method::Delete,
            "/api/mailboxes/3/devices/9",
            "/v1/mailboxes/3/devices/9",
        ),
        (
            Method::Post,
            "/api/mailboxes/3/devices/disconnect-all",
            "/v1/mailboxes/3/devices/disconnect-all",
        ),
        (
            Method::Delete,
            "/api/mailboxes/3/devices/setup-invitations/4",
            "/v1/mailboxes/3/devices/setup-invitations/4",
        ),
        (
            Method::Get,
            "/api/mailboxes/3/connect",
            "/v1/mailboxes/3/connect",
        ),
        (Method::Get, "/api/device-setup/abc", "/v1/device-setup/abc"),
    ] {
        run(&authed(m.clone(), path), &gw);
        assert_eq!(gw.last().path_and_query, v1, "{path}");
        assert_eq!(gw.last().method, m);
    }
    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/html".into()),
                (
                    postern_shared::wire::headers::FILENAME.into(),
                    "ann%40example.test.mobileconfig".into(),
                ),
            ],
            body: b"<?xml version=\"1.0\"?><plist/>".to_vec(),
        })
    });
    let r = run(
        &authed(
            Method::Get,
            "/api/mailboxes/3/devices/9/profile.mobileconfig",
        ),
        &gw,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/x-apple-aspen-config")
    );
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment"),
        "{r:?}"
    );
    assert_eq!(r.body, b"<?xml version=\"1.0\"?><plist/>");
}

#[test]
fn organisation_details_are_revalidated_and_the_dpa_is_a_pdf_attachment() {
    let gw = FakeGateway::new(|_| ok_json("{}"));
    let body = br#"{"legal_name":"Acme","postal_address":"","country":"","registration_number":"","representative_name":"","representative_role":"","contact_email":"","extra":1}"#.to_vec();
    run(
        &authed(Method::Put, "/api/orgs/4/details").with_body(body),
        &gw,
    );
    assert_eq!(gw.last().path_and_query, "/v1/orgs/4/details");
    let sent: serde_json::Value = serde_json::from_slice(&gw.last().body.unwrap()).unwrap();
    assert!(sent.get("extra").is_none(), "revalidated: {sent}");
    let r = run(
        &authed(Method::Put, "/api/orgs/4/details").with_body(br#"{"legal_name":1}"#.to_vec()),
        &gw,
    );
    assert_eq!(r.status, 400);
    let r = run(
        &authed(Method::Get, "/api/orgs/4/dpa.pdf?lang=%3Cx%3E"),
        &gw,
    );
    assert_eq!(r.status, 400, "a language is a code");

    let gw = FakeGateway::new(|_| {
        Ok(GatewayResponse {
            status: 200,
            headers: vec![
                ("content-type".into(), "text/html".into()),
                (
                    postern_shared::wire::headers::FILENAME.into(),
                    "DPA-Acme-2026-12-02.pdf".into(),
                ),
            ],
            body: b"%PDF-1.7".to_vec(),
        })
    });
    let r = run(&authed(Method::Get, "/api/orgs/4/dpa.pdf?lang=es&x=1"), &gw);
    assert_eq!(gw.last().path_and_query, "/v1/orgs/4/dpa.pdf?lang=es");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    let cd = r.header("content-disposition").unwrap();
    assert!(
        cd.starts_with("attachment") && cd.contains("DPA-Acme-2026-12-02.pdf"),
        "{cd}"
    );
    assert_eq!(r.body, b"%PDF-1.7");
}
