//! The UI language kept per account (R-CLI-2), on the real stack: the
//! apps' language switch stores it (`PUT /api/account/locale`), and every
//! later sign-in, session and `Me` answers with it, so it follows the user
//! to another browser. Only the apps' languages are taken.

use postern_shared::ErrorCode;
use postern_shared::account::SetLocaleRequest;
use postern_shared::api::{Me, SessionInfo};
use postern_shared::wire::routes::Route;
use postern_tests::Stack;
use postern_tests::fixtures::Fixture;

fn req(locale: &str) -> SetLocaleRequest {
    SetLocaleRequest {
        locale: locale.into(),
    }
}

#[tokio::test]
async fn the_chosen_language_comes_back_at_every_sign_in_and_in_me() {
    let fx = Fixture::new().await;
    // Never chosen: none, the apps follow the browser.
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert_eq!(me.account.locale, None);

    let () = fx
        .api
        .put(&Route::SetLocale.path(), &req("fr"))
        .await
        .expect("keep French");
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert_eq!(me.account.locale.as_deref(), Some("fr"));

    // Another browser: its sign-in answer carries the account's choice.
    let mut other = Stack::get().client();
    let info = other.login(&fx.login, &fx.password).await.unwrap();
    assert_eq!(info.account.locale.as_deref(), Some("fr"));
    let () = other
        .put(&Route::SetLocale.path(), &req("de"))
        .await
        .expect("switch to German there");
    // …and the first browser's session sees the new one on its next load.
    let session: SessionInfo = fx.api.get(&Route::GetSession.path()).await.unwrap();
    assert_eq!(session.account.locale.as_deref(), Some("de"));
}

#[tokio::test]
async fn only_the_apps_languages_are_kept() {
    let fx = Fixture::new().await;
    let () = fx
        .api
        .put(&Route::SetLocale.path(), &req("it"))
        .await
        .unwrap();
    for hostile in [
        "xx",
        "",
        "EN",
        "en-US",
        "fr\n",
        "'; DROP TABLE accounts; --",
        &"e".repeat(5000),
    ] {
        let e = fx
            .api
            .put::<_, ()>(&Route::SetLocale.path(), &req(hostile))
            .await
            .expect_err(hostile);
        assert_eq!(e.status, 400, "{hostile:?}");
        assert_eq!(e.code(), ErrorCode::BadRequest, "{hostile:?}");
    }
    // Nothing of them was stored.
    let me: Me = fx.api.get(&Route::Me.path()).await.unwrap();
    assert_eq!(me.account.locale.as_deref(), Some("it"));

    // Signed out: refused, whoever it would be for.
    let anonymous = Stack::get().client();
    let e = anonymous
        .put::<_, ()>(&Route::SetLocale.path(), &req("es"))
        .await
        .unwrap_err();
    assert_eq!(e.status, 401);
}
