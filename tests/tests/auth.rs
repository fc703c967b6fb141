//! Signing in and out, the session cookie, throttling and CSRF — through
//! the real edge and gateway — and R-ID-1: an account password is never an
//! IMAP password.

use postern_shared::api::CreateFolderRequest;
use postern_shared::wire::routes::Route;
use postern_shared::{ApiError, ErrorCode};
use postern_tests::fixtures::{Fixture, raw_http, raw_login, unique_client_ip};
use postern_tests::{ApiClient, ImapClient, ImapError, Stack};
use reqwest::Method;

/// `POST /api/session` by hand from client address `ip`.
async fn try_login(login: &str, password: &str, ip: &str) -> reqwest::Response {
    raw_http()
        .post(format!("{}{}", Stack::get().edge_url, Route::Login.path()))
        .header("x-forwarded-for", ip)
        .json(&serde_json::json!({ "login": login, "password": password }))
        .send()
        .await
        .expect("POST /api/session")
}

fn set_cookies(resp: &reqwest::Response) -> Vec<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap_or("<non-ascii>").to_string())
        .collect()
}

async fn api_error(resp: reqwest::Response) -> ApiError {
    let body = resp.text().await.unwrap_or_default();
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not an ApiError ({e}): {body}"))
}

/// `GET /api/me` with exactly this `Cookie` header; returns the status.
async fn me_with_cookie(cookie: &str) -> (u16, String) {
    let resp = raw_http()
        .get(format!("{}/api/me", Stack::get().edge_url))
        .header("cookie", cookie)
        .send()
        .await
        .expect("GET /api/me");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

#[tokio::test]
async fn wrong_password_is_401_invalid_credentials_and_sets_no_cookie() {
    let fx = Fixture::new().await;
    let resp = try_login(&fx.login, "definitely-not-it", &unique_client_ip()).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert!(
        set_cookies(&resp).is_empty(),
        "a failed sign-in must not set a cookie: {:?}",
        set_cookies(&resp)
    );
    let err = api_error(resp).await;
    assert_eq!(err.code, ErrorCode::InvalidCredentials, "{err}");

    // An unknown login gets the very same answer (does not say which is wrong).
    let resp = try_login("nobody-here@login.test", "x", &unique_client_ip()).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(api_error(resp).await.code, ErrorCode::InvalidCredentials);
}

#[tokio::test]
async fn sign_in_sets_an_httponly_samesite_strict_cookie_not_secure_over_plain_http() {
    let fx = Fixture::new().await;
    let session = raw_login(&fx.stack.edge_url, &fx.login, &fx.password).await;
    let attrs: Vec<String> = session
        .set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    let has = |a: &str| attrs.iter().any(|x| x == a);
    assert!(has("httponly"), "HttpOnly missing: {}", session.set_cookie);
    assert!(
        has("samesite=strict"),
        "SameSite=Strict missing: {}",
        session.set_cookie
    );
    assert!(has("path=/"), "Path=/ missing: {}", session.set_cookie);
    assert!(
        !has("secure"),
        "Secure over plain http would make the browser drop the cookie: {}",
        session.set_cookie
    );
    // And the cookie really is a session.
    let (status, body) = me_with_cookie(&session.cookie).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn tampered_session_cookie_is_refused() {
    let fx = Fixture::new().await;
    let session = raw_login(&fx.stack.edge_url, &fx.login, &fx.password).await;
    let (status, body) = me_with_cookie(&session.cookie).await;
    assert_eq!(status, 200, "the untouched cookie works: {body}");

    let (name, value) = session.cookie.split_once('=').expect("name=value");
    // Flip one character of the signature (not the very last one: its low
    // bits may be base64 padding a lenient decoder ignores), and separately
    // one of the session id (the first one).
    let flip = |c: char| if c == 'A' { 'B' } else { 'A' };
    let mut sig_tampered: Vec<char> = value.chars().collect();
    let i = sig_tampered.len() - 5;
    sig_tampered[i] = flip(sig_tampered[i]);
    let mut id_tampered: Vec<char> = value.chars().collect();
    id_tampered[0] = flip(id_tampered[0]);
    for bad in [
        sig_tampered.iter().collect::<String>(),
        id_tampered.iter().collect::<String>(),
        format!("{value}x"),
        "garbage".to_string(),
    ] {
        let (status, body) = me_with_cookie(&format!("{name}={bad}")).await;
        assert_eq!(status, 401, "cookie {bad:?} must be refused: {body}");
        let err: ApiError = serde_json::from_str(&body).expect("ApiError body");
        assert!(
            matches!(
                err.code,
                ErrorCode::Unauthenticated | ErrorCode::SessionExpired
            ),
            "{err}"
        );
    }
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_login_even_for_the_right_password() {
    let fx = Fixture::new().await;
    // A different client address each time: the lock is per login.
    for i in 0..5 {
        let resp = try_login(&fx.login, &format!("wrong-{i}"), &unique_client_ip()).await;
        let status = resp.status().as_u16();
        let err = api_error(resp).await;
        assert_eq!(
            (status, err.code),
            (401, ErrorCode::InvalidCredentials),
            "attempt {i}: {err}"
        );
    }
    let resp = try_login(&fx.login, &fx.password, &unique_client_ip()).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(set_cookies(&resp).is_empty(), "no session while locked");
    let err = api_error(resp).await;
    assert_eq!(err.code, ErrorCode::TooManyAttempts, "{err}");
    assert!(
        err.retry_after.is_some_and(|s| s > 0),
        "retry_after must say how long to wait: {err:?}"
    );
    // The session the fixture opened before the lock still works.
    fx.api
        .get::<serde_json::Value>(&Route::Me.path())
        .await
        .expect("an existing session is not affected by the lock");
}

#[tokio::test]
async fn signed_out_session_cookie_is_refused() {
    let fx = Fixture::new().await;
    let session = raw_login(&fx.stack.edge_url, &fx.login, &fx.password).await;
    let (status, body) = me_with_cookie(&session.cookie).await;
    assert_eq!(status, 200, "{body}");

    let resp = raw_http()
        .delete(format!("{}/api/session", fx.stack.edge_url))
        .header("cookie", &session.cookie)
        .header(
            postern_shared::wire::headers::CSRF_TOKEN,
            &session.csrf_token,
        )
        .send()
        .await
        .expect("DELETE /api/session");
    assert!(
        resp.status().is_success(),
        "sign-out: HTTP {}",
        resp.status()
    );
    let cleared = set_cookies(&resp);
    assert!(
        cleared
            .iter()
            .any(|c| c.starts_with("postern_session=")
                && c.to_ascii_lowercase().contains("max-age=0")),
        "sign-out clears the cookie: {cleared:?}"
    );

    // A copy of the old cookie (the browser forgot it; an attacker did not).
    let (status, body) = me_with_cookie(&session.cookie).await;
    assert_eq!(status, 401, "the signed-out session must be dead: {body}");
    // The fixture's own, separate session is unaffected.
    fx.api
        .get::<serde_json::Value>(&Route::Me.path())
        .await
        .expect("other sessions live on");
}

#[tokio::test]
async fn state_changing_requests_need_the_csrf_token_and_a_same_origin() {
    let mut fx = Fixture::new().await;
    let token = fx.api.csrf_token().expect("signed in").to_string();
    let path = Route::CreateFolder { mb: fx.mailbox }.path();
    let body = |name: &str| CreateFolderRequest {
        parent: None,
        name: name.to_string(),
    };

    // No token at all.
    fx.api.set_csrf_token(None);
    let err = ApiClient::send::<serde_json::Value>(
        fx.api.request(Method::POST, &path).json(&body("NoToken")),
    )
    .await
    .expect_err("a POST without X-CSRF-Token is refused");
    assert_eq!(
        (err.status, err.code()),
        (403, ErrorCode::CsrfFailed),
        "{err}"
    );

    // A wrong token (a valid-looking one of another session).
    let other = Fixture::new().await;
    fx.api
        .set_csrf_token(Some(other.api.csrf_token().unwrap().to_string()));
    let err = ApiClient::send::<serde_json::Value>(
        fx.api
            .request(Method::POST, &path)
            .json(&body("WrongToken")),
    )
    .await
    .expect_err("a POST with another session's token is refused");
    assert_eq!(
        (err.status, err.code()),
        (403, ErrorCode::CsrfFailed),
        "{err}"
    );

    // The right token, but sent from a foreign page.
    fx.api.set_csrf_token(Some(token.clone()));
    let err = ApiClient::send::<serde_json::Value>(
        fx.api
            .request(Method::POST, &path)
            .header("origin", "http://evil.test")
            .json(&body("ForeignOrigin")),
    )
    .await
    .expect_err("a POST from a foreign Origin is refused");
    assert_eq!(
        (err.status, err.code()),
        (403, ErrorCode::CsrfFailed),
        "{err}"
    );

    // DELETE too (sign-out without a token must not sign out).
    fx.api.set_csrf_token(None);
    let err =
        ApiClient::send::<serde_json::Value>(fx.api.request(Method::DELETE, &Route::Logout.path()))
            .await
            .expect_err("sign-out without a token is refused");
    assert_eq!(
        (err.status, err.code()),
        (403, ErrorCode::CsrfFailed),
        "{err}"
    );
    fx.api.set_csrf_token(Some(token));

    // The same request done right (own origin) goes through — so the
    // refusals above were about CSRF, not about the request.
    let origin = fx.stack.edge_url.clone();
    ApiClient::send::<serde_json::Value>(
        fx.api
            .request(Method::POST, &path)
            .header("origin", origin)
            .json(&body("Allowed")),
    )
    .await
    .expect("a POST with the token from the own origin works");

    let folders = fx.imap.list().await.expect("LIST");
    assert!(folders.iter().any(|f| f == "Allowed"), "{folders:?}");
    for refused in ["NoToken", "WrongToken", "ForeignOrigin"] {
        assert!(
            !folders.iter().any(|f| f == refused),
            "a refused request created {refused}: {folders:?}"
        );
    }
}

#[tokio::test]
async fn account_password_is_not_an_imap_password() {
    let fx = Fixture::new().await;
    // R-ID-1: IMAP clients log in as the mailbox address with a device
    // password; the account's webmail password must never work there.
    for user in [fx.address.as_str(), fx.login.as_str()] {
        let mut imap = ImapClient::connect(&fx.stack.imap_addr)
            .await
            .expect("connect to IMAP");
        match imap.login(user, &fx.password).await {
            Err(ImapError::No(_)) => {}
            Ok(()) => panic!("Dovecot accepted the account password for {user}"),
            Err(e) => panic!("unexpected answer to LOGIN {user}: {e}"),
        }
    }
    // The mailbox itself is reachable (master user), so the refusal above is
    // about the password, not a missing mailbox.
    let mut master = fx.stack.imap(&fx.address).await;
    master
        .select("INBOX")
        .await
        .expect("SELECT INBOX as master");
}
