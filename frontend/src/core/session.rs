//! The signed-in session: `GET /api/session` at start, sign-in, sign-out,
//! and the caller's `Me` (granted mailboxes). `provide_session()` once in
//! `App`, `use_session()` anywhere below.

use crate::core::api;
use crate::core::http::set_csrf_token;
use leptos::prelude::*;
use postern_shared::ApiError;
use postern_shared::api::{Me, SessionInfo};

#[derive(Clone, Copy)]
pub struct Session {
    pub info: RwSignal<Option<SessionInfo>>,
    pub me: RwSignal<Option<Me>>,
}

pub fn provide_session() -> Session {
    let s = Session {
        info: RwSignal::new(None),
        me: RwSignal::new(None),
    };
    provide_context(s);
    // The account's language wins over this browser's (R-CLI-2): applied
    // when a sign-in, the session or `Me` answers with it.
    if let Some(i18n) = use_context::<crate::i18n::I18nContext>() {
        Effect::new(move || {
            let locale =
                s.me.with(|m| m.as_ref().and_then(|m| m.account.locale.clone()))
                    .or_else(|| {
                        s.info
                            .with(|i| i.as_ref().and_then(|i| i.account.locale.clone()))
                    });
            crate::core::locale::apply_account(i18n, locale.as_deref());
        });
    }
    s
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

impl Session {
    fn set(self, info: Option<SessionInfo>) {
        set_csrf_token(info.as_ref().map(|i| i.csrf_token.clone()));
        self.info.set(info);
    }

    /// Loads the current session and `Me`. `Err` with `unauthenticated` /
    /// `session_expired` means "sign in first".
    pub async fn load(self) -> Result<(), ApiError> {
        let info = api::session().await?;
        self.set(Some(info));
        self.load_me().await
    }

    pub async fn load_me(self) -> Result<(), ApiError> {
        let me = api::me().await?;
        self.me.set(Some(me));
        Ok(())
    }

    pub async fn sign_in(self, login: String, password: String) -> Result<(), ApiError> {
        let info = api::sign_in(login, password).await?;
        self.set(Some(info));
        self.load_me().await
    }

    /// The second step of a sign-in with two-factor sign-in.
    pub async fn sign_in_second_factor(
        self,
        pending: String,
        code: String,
    ) -> Result<(), ApiError> {
        let info = api::sign_in_second_factor(pending, code).await?;
        self.set(Some(info));
        self.load_me().await
    }

    /// A new account through an invitation link, signed in at once.
    pub async fn sign_up(
        self,
        token: String,
        login: String,
        password: String,
        display_name: String,
    ) -> Result<(), ApiError> {
        let form = postern_shared::invitations::SignUpRequest {
            login,
            password,
            display_name,
        };
        let info = api::sign_up(token, form).await?;
        self.set(Some(info));
        self.load_me().await
    }

    /// Ends the session on the server (best effort) and forgets it here.
    pub async fn sign_out(self) {
        api::sign_out().await;
        self.forget();
    }

    pub fn forget(self) {
        self.set(None);
        self.me.set(None);
    }
}

/// Only same-site paths are accepted as `next` (no open redirect).
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n,
        _ => "/".into(),
    }
}

/// `/login?next=<path>` for the given current path.
pub fn login_href(current: &str) -> String {
    if current == "/" || current.starts_with("/login") {
        "/login".into()
    } else {
        format!(
            "/login?next={}",
            postern_shared::format::encode_component(current)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_must_stay_on_this_site() {
        assert_eq!(safe_next(Some("/mail/1/INBOX".into())), "/mail/1/INBOX");
        assert_eq!(safe_next(Some("//evil.example".into())), "/");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn login_link_carries_the_current_path() {
        assert_eq!(
            login_href("/mail/1/Projects%2F2026"),
            "/login?next=%2Fmail%2F1%2FProjects%252F2026"
        );
        assert_eq!(login_href("/"), "/login");
    }
}
