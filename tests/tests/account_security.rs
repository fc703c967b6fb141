//! Account security on the real stack (R-ID-1): two-factor sign-in with a
//! TOTP app — this test is the app: it reads the secret the enrolment
//! shows and computes codes with its own RFC 6238 — recovery codes, the
//! throttle on wrong codes, turning it off; and the account's open
//! sessions, ended one by one or all but the current.
//!
//! R-ID-1's other half (the account password refused by IMAP, POP3 and
//! SMTP submission, a device password refused by the portal sign-in) is
//! `devices.rs`'s
//! `a_new_password_works_over_imap_pop3_and_smtp_and_the_account_password_never_does`.

use hmac::{Hmac, Mac};
use postern_shared::ErrorCode;
use postern_shared::account::{
    AccountSecurity, AccountSessions, CodeRequest, DisableTotpRequest, EndedSessions,
    RecoveryCodes, SecondFactorRequest, StartTotpRequest, TotpSetup,
};
use postern_shared::api::{Me, SessionInfo};
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, unique_client_ip};
use postern_tests::{ApiClient, ApiFailure, Stack};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ------------------------------------------------- the test's own TOTP

fn base32_decode(s: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in s.chars().filter(|c| !c.is_whitespace()) {
        let v = ALPHABET
            .find(c.to_ascii_uppercase())
            .expect("a base32 letter") as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

fn code(secret: &[u8], step: u64) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).unwrap();
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let o = (h[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[o], h[o + 1], h[o + 2], h[o + 3]]) & 0x7fff_ffff;
    format!("{:06}", bin % 1_000_000)
}

#[test]
fn the_tests_own_totp_is_rfc_6238() {
    // Appendix B, T = 59 and 1111111109 (the six low digits).
    assert_eq!(code(b"12345678901234567890", 1), "287082");
    assert_eq!(code(b"12345678901234567890", 37037036), "081804");
    assert_eq!(base32_decode("MZXW 6YTB OI"), b"foobar");
}

/// The current step, after waiting out the last 8 seconds of one: the
/// codes of `step` and `step + 1` then both stay inside the server's
/// window (±1) for the next 20 seconds.
async fn fresh_step() -> u64 {
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if now % 30 < 22 {
            return now / 30;
        }
        tokio::time::sleep(Duration::from_secs(30 - now % 30)).await;
    }
}

// ------------------------------------------------------------ helpers

/// A fresh browser at its own client address (throttling is per address too).
fn browser() -> (ApiClient, String) {
    let ip = unique_client_ip();
    (
        ApiClient::with_header(&Stack::get().edge_url, "x-forwarded-for", &ip),
        ip,
    )
}

/// Turns two-factor sign-in on for the fixture's account with the code of
/// `step`: the secret (raw) and the recovery codes.
async fn enrol(fx: &Fixture, step: u64) -> (Vec<u8>, Vec<String>) {
    let setup: TotpSetup = fx
        .api
        .post(
            &Route::StartTotp.path(),
            &StartTotpRequest {
                password: fx.password.clone(),
            },
        )
        .await
        .expect("start the enrolment");
    let secret = base32_decode(&setup.secret);
    let codes: RecoveryCodes = fx
        .api
        .post(
            &Route::ConfirmTotp.path(),
            &CodeRequest {
                code: code(&secret, step),
            },
        )
        .await
        .expect("confirm with the first code");
    (secret, codes.codes)
}

/// The password step of a sign-in that must ask for a code: its token.
async fn password_step(api: &mut ApiClient, login: &str, password: &str) -> String {
    let e = api
        .login(login, password)
        .await
        .expect_err("the password alone does not sign in");
    assert_eq!(e.status, 401);
    assert_eq!(e.code(), ErrorCode::SecondFactorRequired, "{e}");
    e.error
        .params
        .pending
        .clone()
        .expect("a pending sign-in token")
}

async fn second_step(
    api: &mut ApiClient,
    pending: &str,
    code: &str,
) -> Result<SessionInfo, ApiFailure> {
    let req = SecondFactorRequest {
        pending: pending.into(),
        code: code.into(),
    };
    let info: SessionInfo = api.post(&Route::LoginSecondFactor.path(), &req).await?;
    api.set_csrf_token(Some(info.csrf_token.clone()));
    Ok(info)
}

async fn me(api: &ApiClient) -> Result<Me, ApiFailure> {
    api.get(&Route::Me.path()).await
}

async fn security(api: &ApiClient) -> AccountSecurity {
    api.get(&Route::AccountSecurity.path())
        .await
        .expect("the security page")
}

// -------------------------------------------------------------- TOTP

#[tokio::test]
async fn enrolment_then_sign_in_asks_for_a_code_and_a_recovery_code_works_once() {
    let fx = Fixture::new().await;
    assert!(!security(&fx.api).await.two_factor);
    // The password first.
    let e = fx
        .api
        .post::<_, TotpSetup>(
            &Route::StartTotp.path(),
            &StartTotpRequest {
                password: "not-the-password".into(),
            },
        )
        .await
        .expect_err("a wrong password starts nothing");
    assert_eq!((e.status, e.code()), (403, ErrorCode::WrongPassword));

    let setup: TotpSetup = fx
        .api
        .post(
            &Route::StartTotp.path(),
            &StartTotpRequest {
                password: fx.password.clone(),
            },
        )
        .await
        .expect("start");
    assert_eq!(setup.secret.len(), 32, "160 bits of base32");
    assert_eq!(
        setup.otpauth_uri,
        format!(
            "otpauth://totp/Postern:{}?secret={}&issuer=Postern",
            fx.login, setup.secret
        )
    );
    let secret = base32_decode(&setup.secret);
    assert_eq!(secret.len(), 20);
    // Not in force before it is confirmed.
    let (mut early, _) = browser();
    early
        .login(&fx.login, &fx.password)
        .await
        .expect("no code asked yet");

    let step = fresh_step().await;
    let e = fx
        .api
        .post::<_, RecoveryCodes>(
            &Route::ConfirmTotp.path(),
            &CodeRequest {
                code: code(&secret, step + 7),
            },
        )
        .await
        .expect_err("a wrong first code");
    assert_eq!((e.status, e.code()), (401, ErrorCode::InvalidSecondFactor));
    let codes: RecoveryCodes = fx
        .api
        .post(
            &Route::ConfirmTotp.path(),
            &CodeRequest {
                code: code(&secret, step),
            },
        )
        .await
        .expect("confirm");
    assert_eq!(codes.codes.len(), 10);
    let mut distinct = codes.codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    let state = security(&fx.api).await;
    assert!(state.two_factor && state.two_factor_since.is_some());
    assert_eq!(state.recovery_codes_left, 10);
    // Starting again while it is on is refused.
    let e = fx
        .api
        .post::<_, TotpSetup>(
            &Route::StartTotp.path(),
            &StartTotpRequest {
                password: fx.password.clone(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TwoFactorEnabled);

    // Sign-in now needs the code; the enrolment's code was used.
    let (mut phone, _) = browser();
    let pending = password_step(&mut phone, &fx.login, &fx.password).await;
    assert!(me(&phone).await.is_err(), "no session before the code");
    let e = second_step(&mut phone, &pending, &code(&secret, step))
        .await
        .expect_err("a code never works twice");
    assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
    second_step(&mut phone, &pending, &code(&secret, step + 1))
        .await
        .expect("the next code signs in");
    assert_eq!(me(&phone).await.expect("signed in").account.login, fx.login);
    let e = second_step(&mut phone, &pending, &code(&secret, step + 1))
        .await
        .expect_err("the pending sign-in is single use");
    assert_eq!(e.code(), ErrorCode::SecondFactorExpired);

    // A recovery code works, once (typed in upper case with spaces too).
    let (mut laptop, _) = browser();
    let pending = password_step(&mut laptop, &fx.login, &fx.password).await;
    let typed = codes.codes[3].to_uppercase().replace('-', " ");
    second_step(&mut laptop, &pending, &typed)
        .await
        .expect("a recovery code signs in");
    me(&laptop).await.expect("signed in");
    assert_eq!(security(&fx.api).await.recovery_codes_left, 9);
    let (mut again, _) = browser();
    let pending = password_step(&mut again, &fx.login, &fx.password).await;
    let e = second_step(&mut again, &pending, &codes.codes[3])
        .await
        .expect_err("a used recovery code");
    assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
}

#[tokio::test]
async fn wrong_codes_are_refused_with_the_typed_error_and_throttled() {
    let fx = Fixture::new().await;
    let step = fresh_step().await;
    let (secret, _) = enrol(&fx, step).await;
    let (mut b, _) = browser();
    let pending = password_step(&mut b, &fx.login, &fx.password).await;
    for i in 0..5 {
        let e = second_step(&mut b, &pending, &code(&secret, step + 10 + i))
            .await
            .expect_err("a wrong code");
        assert_eq!(
            (e.status, e.code()),
            (401, ErrorCode::InvalidSecondFactor),
            "{i}"
        );
    }
    let e = second_step(&mut b, &pending, &code(&secret, step + 1))
        .await
        .expect_err("locked, even with the right code");
    assert_eq!((e.status, e.code()), (429, ErrorCode::TooManyAttempts));
    assert!(e.error.retry_after.is_some_and(|s| s > 0), "{e}");
    // The login is locked for passwords too, from another address.
    let (mut other, _) = browser();
    let e = other.login(&fx.login, &fx.password).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::TooManyAttempts);
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_a_code_and_recovery_codes_can_be_replaced() {
    let fx = Fixture::new().await;
    let step = fresh_step().await;
    let (_secret, old) = enrol(&fx, step).await;
    // New recovery codes, for a code (a recovery code here).
    let new: RecoveryCodes = fx
        .api
        .post(
            &Route::RegenerateRecoveryCodes.path(),
            &CodeRequest {
                code: old[0].clone(),
            },
        )
        .await
        .expect("new recovery codes");
    assert_eq!(new.codes.len(), 10);
    assert!(new.codes.iter().all(|c| !old.contains(c)));
    assert_eq!(security(&fx.api).await.recovery_codes_left, 10);

    let off = |password: &str, code: &str| DisableTotpRequest {
        password: password.into(),
        code: code.into(),
    };
    let e = fx
        .api
        .post::<_, ()>(&Route::DisableTotp.path(), &off("wrong", &new.codes[0]))
        .await
        .expect_err("a wrong password");
    assert_eq!(e.code(), ErrorCode::WrongPassword);
    let e = fx
        .api
        .post::<_, ()>(&Route::DisableTotp.path(), &off(&fx.password, &old[1]))
        .await
        .expect_err("the replaced recovery codes stopped working");
    assert_eq!(e.code(), ErrorCode::InvalidSecondFactor);
    assert!(security(&fx.api).await.two_factor, "still on");
    fx.api
        .post::<_, ()>(
            &Route::DisableTotp.path(),
            &off(&fx.password, &new.codes[0]),
        )
        .await
        .expect("password and a code turn it off");
    let state = security(&fx.api).await;
    assert!(!state.two_factor);
    assert_eq!(state.recovery_codes_left, 0);
    // Sign-in is the password alone again.
    let (mut b, _) = browser();
    b.login(&fx.login, &fx.password)
        .await
        .expect("no code asked");
    let e = fx
        .api
        .post::<_, ()>(&Route::DisableTotp.path(), &off(&fx.password, "123456"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::TwoFactorNotEnabled);
}

// ---------------------------------------------------------- sessions

#[tokio::test]
async fn sessions_are_listed_with_their_address_and_ended_one_or_all_others() {
    let fx = Fixture::new().await;
    let (mut a, ip_a) = browser();
    let (mut b, ip_b) = browser();
    a.login(&fx.login, &fx.password).await.expect("sign in a");
    b.login(&fx.login, &fx.password).await.expect("sign in b");

    let list: AccountSessions = a.get(&Route::ListSessions.path()).await.expect("list");
    // The fixture's own session, a and b.
    assert_eq!(list.sessions.len(), 3, "{list:?}");
    let mine: Vec<_> = list.sessions.iter().filter(|s| s.current).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].client_ip.as_deref(), Some(ip_a.as_str()));
    let of_b = list
        .sessions
        .iter()
        .find(|s| s.client_ip.as_deref() == Some(ip_b.as_str()))
        .expect("b's session with its address");
    assert!(!of_b.current);
    assert!(of_b.created_at > 0 && of_b.last_seen_at >= of_b.created_at);
    // A handle (16 bytes), not the 32-byte session id of the cookie.
    assert!(
        list.sessions
            .iter()
            .all(|s| s.id.len() == 32 && s.id.bytes().all(|c| c.is_ascii_hexdigit())),
        "{list:?}"
    );

    // Another account cannot end it.
    let other = Fixture::new().await;
    let e = other
        .api
        .delete::<()>(
            &Route::EndSession {
                id: of_b.id.clone(),
            }
            .path(),
        )
        .await
        .expect_err("not another account's session");
    assert_eq!(e.status, 404);
    me(&b).await.expect("b still works");

    a.delete::<()>(
        &Route::EndSession {
            id: of_b.id.clone(),
        }
        .path(),
    )
    .await
    .expect("end b");
    let e = me(&b).await.expect_err("b is refused at once");
    assert_eq!(e.status, 401);
    assert_eq!(e.code(), ErrorCode::SessionExpired);
    let list: AccountSessions = a.get(&Route::ListSessions.path()).await.unwrap();
    assert_eq!(list.sessions.len(), 2);

    // Sign out everywhere else: the fixture's session ends, a stays.
    let ended: EndedSessions = a
        .post(&Route::EndOtherSessions.path(), &())
        .await
        .expect("end the others");
    assert_eq!(ended.ended, 1);
    let e = me(&fx.api).await.expect_err("the other session ended");
    assert_eq!(e.code(), ErrorCode::SessionExpired);
    me(&a).await.expect("the current session stays");
    let list: AccountSessions = a.get(&Route::ListSessions.path()).await.unwrap();
    assert_eq!(list.sessions.len(), 1);
    assert!(list.sessions[0].current);
}
