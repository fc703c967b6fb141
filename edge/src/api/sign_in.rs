//! Sign-in, the session probe and sign-out, health and the API document:
//! the routes that create, read or end a session (or need none).

use super::*;

impl<G: Gateway> Ctx<'_, G> {
    pub(super) async fn health(&self) -> EdgeResponse {
        let req = self.gateway_request(&Route::Health, "", None);
        match self.send_ok(req).await {
            Ok(resp) => pass_through(resp),
            Err(e) => e,
        }
    }

    /// A public JSON route passed through as the gateway answers it.
    pub(super) async fn public_json(&self, route: &Route) -> EdgeResponse {
        match self.send_ok(self.gateway_request(route, "", None)).await {
            Ok(resp) => pass_through(resp),
            Err(e) => e,
        }
    }

    pub(super) fn session_cookie(&self, gs: &GatewaySession) -> Option<String> {
        let value = session::sign(&self.cfg.session_key, &gs.session_id, gs.expires_at)?;
        Some(session::set_cookie(
            &value,
            gs.expires_at - self.now,
            self.secure(),
        ))
    }

    pub(super) fn session_info(&self, gs: GatewaySession) -> SessionInfo {
        SessionInfo {
            csrf_token: session::csrf_token(&self.cfg.session_key, &gs.session_id),
            account: gs.account,
            expires_at: gs.expires_at,
        }
    }

    pub(super) async fn login(&self) -> EdgeResponse {
        // No CSRF token exists yet, but a foreign page may not sign us in.
        if !session::same_origin(self.req) {
            return EdgeResponse::code(ErrorCode::CsrfFailed);
        }
        let login: LoginRequest = match parse_json(&self.req.body) {
            Ok(l) => l,
            Err(e) => return e,
        };
        let client_ip = self.req.client_ip(self.cfg.trust_forwarded_for);
        let body = GatewayLoginRequest {
            login: login.login,
            password: login.password,
            client_ip: client_ip.clone(),
            user_agent: self.req.header("user-agent").map(str::to_string),
        };
        let mut req = self.gateway_request(&Route::Login, "", None);
        req.body = serde_json::to_vec(&body).ok();
        // `second_factor_required` (with its pending token) passes through
        // like any error: the app then asks for the code.
        let resp = match self.send_ok(req).await {
            Ok(r) => r,
            Err(e) => return e,
        };
        self.signed_in(&resp, "/v1/auth/login")
    }

    /// The code after the password: like sign-in, a new session cookie.
    pub(super) async fn login_second_factor(&self) -> EdgeResponse {
        if !session::same_origin(self.req) {
            return EdgeResponse::code(ErrorCode::CsrfFailed);
        }
        let body = match revalidate::<SecondFactorRequest>(&self.req.body) {
            Ok(b) => b,
            Err(e) => return e,
        };
        let mut req = self.gateway_request(&Route::LoginSecondFactor, "", None);
        req.body = Some(body);
        let resp = match self.send_ok(req).await {
            Ok(r) => r,
            Err(e) => return e,
        };
        self.signed_in(&resp, "/v1/auth/login/second-factor")
    }

    /// Sign-up through an invitation link: like sign-in, a new session
    /// cookie; the gateway refuses unless the link is usable.
    pub(super) async fn sign_up(&self, token: &str) -> EdgeResponse {
        if !session::same_origin(self.req) {
            return EdgeResponse::code(ErrorCode::CsrfFailed);
        }
        let form: SignUpRequest = match parse_json(&self.req.body) {
            Ok(f) => f,
            Err(e) => return e,
        };
        let body = GatewaySignUpRequest {
            login: form.login,
            password: form.password,
            display_name: form.display_name,
            client_ip: self.req.client_ip(self.cfg.trust_forwarded_for),
        };
        let route = Route::SignUp {
            token: token.to_string(),
        };
        let mut req = self.gateway_request(&route, "", None);
        req.body = serde_json::to_vec(&body).ok();
        let resp = match self.send_ok(req).await {
            Ok(r) => r,
            Err(e) => return e,
        };
        self.signed_in(&resp, "/v1/public/invitations/{token}/account")
    }

    /// A new session from the gateway's answer: the cookie and the body.
    fn signed_in(&self, resp: &GatewayResponse, route: &str) -> EdgeResponse {
        let Ok(gs) = serde_json::from_slice::<GatewaySession>(&resp.body) else {
            return bad_gateway_body(route);
        };
        let Some(cookie) = self.session_cookie(&gs) else {
            eprintln!("postern-edge: the gateway returned a session id that is not cookie-safe");
            return EdgeResponse::code(ErrorCode::Internal);
        };
        EdgeResponse::json(200, &self.session_info(gs)).with_header("set-cookie", &cookie)
    }

    pub(super) async fn get_session(&self) -> EdgeResponse {
        let session = match self.authenticate() {
            Ok(s) => s,
            Err(e) => return e,
        };
        let req = self.gateway_request(&Route::GetSession, "", Some(&session));
        let resp = match self.send_ok(req).await {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Ok(gs) = serde_json::from_slice::<GatewaySession>(&resp.body) else {
            return bad_gateway_body("/v1/auth/session");
        };
        // Re-issue the cookie when the gateway extended (or rotated) it.
        let refresh = (gs.session_id != session.id || gs.expires_at != session.expires_at)
            .then(|| self.session_cookie(&gs))
            .flatten();
        let mut r = EdgeResponse::json(200, &self.session_info(gs));
        if let Some(cookie) = refresh {
            r.headers.push(("set-cookie".into(), cookie));
        }
        r
    }

    pub(super) async fn logout(&self) -> EdgeResponse {
        let session = match session::from_request(&self.cfg.session_key, self.req, self.now) {
            Ok(s) => s,
            // Nothing to revoke: just make sure the browser forgets it.
            Err(_) => return self.clear_cookie(EdgeResponse::no_content()),
        };
        if !session::csrf_ok(&self.cfg.session_key, &session.id, self.req) {
            return EdgeResponse::code(ErrorCode::CsrfFailed);
        }
        let req = self.gateway_request(&Route::Logout, "", Some(&session));
        match self.send(req).await {
            Ok(resp) if resp.is_success() || resp.status == 401 => {
                self.clear_cookie(EdgeResponse::no_content())
            }
            Ok(resp) => gateway_error(&resp),
            Err(e) => e,
        }
    }
}
