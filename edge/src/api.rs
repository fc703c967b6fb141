//! The public `/api/…` handlers: check the session and CSRF, translate the
//! browser's request into the gateway's (route table in ARCHITECTURE.md),
//! and shape the answer. Gateway errors pass through unchanged; an
//! unreachable gateway is 503 `gateway_unavailable`.

use crate::config::Config;
use crate::gateway::{Gateway, GatewayRequest, GatewayResponse, headers};
use crate::http::{EdgeRequest, EdgeResponse, Method, build_query, percent_decode, percent_encode};
use crate::mime_view;
use crate::router::{Route, is_safe_id};
use crate::session::{self, Session, SessionError};
use crate::transfer_page;
use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, GatewayLoginRequest, GatewaySession, LoginRequest,
    MessageFilter, MoveMessagesRequest, RenameFolderRequest, SessionInfo, SetFlagsRequest,
};
use postern_shared::compose::{SaveDraftRequest, SendRequest, Signature};
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer};
use postern_shared::{ApiError, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Largest JSON request body the edge accepts.
pub const MAX_JSON_BODY: usize = 1024 * 1024;
/// Longest folder path accepted in a query parameter.
const MAX_FOLDER_PARAM: usize = 1024;
/// Longest `Range` header passed to the gateway.
const MAX_RANGE_HEADER: usize = 200;

/// What the component must do with a request.
#[derive(Debug)]
pub enum Outcome {
    Respond(EdgeResponse),
    /// Stream an attachment: send this request, then pass the gateway's
    /// body through chunk by chunk with the headers of [`part_headers`]
    /// (or answer [`gateway_error`] when it is not a success).
    StreamPart(GatewayRequest),
    /// `PATCH /api/uploads/{id}`: session and CSRF are checked; send this
    /// request with the browser's body streamed into it chunk by chunk
    /// (never buffered), then answer [`json_answer`] of the reply.
    StreamUpload(GatewayRequest),
    /// A public transfer file: send this request (it carries the client's
    /// `Range`), then stream the body with [`transfer_page::file_headers`]
    /// for 200/206, or answer [`transfer_page::file_error`].
    StreamTransfer(GatewayRequest),
}

impl From<EdgeResponse> for Outcome {
    fn from(r: EdgeResponse) -> Self {
        Outcome::Respond(r)
    }
}

/// Request context shared by the handlers.
struct Ctx<'a, G> {
    req: &'a EdgeRequest,
    cfg: &'a Config,
    gw: &'a G,
    now: i64,
}

pub async fn handle<G: Gateway>(
    req: &EdgeRequest,
    route: Route,
    cfg: &Config,
    gw: &G,
    now: i64,
) -> Outcome {
    if req.body.len() > MAX_JSON_BODY {
        return EdgeResponse::code(ErrorCode::PayloadTooLarge).into();
    }
    let cx = Ctx { req, cfg, gw, now };
    match route {
        Route::Static => EdgeResponse::code(ErrorCode::NotFound).into(),
        Route::Health => cx.health().await.into(),
        Route::Login => cx.login().await.into(),
        Route::GetSession => cx.get_session().await.into(),
        Route::Logout => cx.logout().await.into(),
        Route::TransferCss => transfer_page::stylesheet(&req.method).into(),
        Route::TransferPage { token } => cx.transfer_page(&token).await.into(),
        Route::TransferFile { token, file } => cx.transfer_file(&token, &file),
        route => match cx.authenticate() {
            Ok(session) => cx.mailbox_route(route, &session).await,
            Err(resp) => resp.into(),
        },
    }
}

impl<G: Gateway> Ctx<'_, G> {
    fn secure(&self) -> bool {
        self.cfg.secure_cookies || self.req.is_https()
    }

    fn clear_cookie(&self, mut r: EdgeResponse) -> EdgeResponse {
        r.headers
            .push(("set-cookie".into(), session::clear_cookie(self.secure())));
        r
    }

    /// A valid session cookie, and a CSRF token for state-changing methods.
    fn authenticate(&self) -> Result<Session, EdgeResponse> {
        let session = match session::from_request(&self.cfg.session_key, self.req, self.now) {
            Ok(s) => s,
            Err(SessionError::Missing) => {
                return Err(EdgeResponse::code(ErrorCode::Unauthenticated));
            }
            Err(SessionError::Expired) => {
                return Err(self.clear_cookie(EdgeResponse::code(ErrorCode::SessionExpired)));
            }
        };
        if self.req.method.is_state_changing()
            && !session::csrf_ok(&self.cfg.session_key, &session.id, self.req)
        {
            return Err(EdgeResponse::code(ErrorCode::CsrfFailed));
        }
        Ok(session)
    }

    fn gateway_request(
        &self,
        method: Method,
        path: String,
        session: Option<&Session>,
    ) -> GatewayRequest {
        GatewayRequest {
            method,
            path_and_query: path,
            session: session.map(|s| s.id.clone()),
            client_ip: self.req.client_ip(self.cfg.trust_forwarded_for),
            body: None,
            headers: Vec::new(),
        }
    }

    async fn send(&self, req: GatewayRequest) -> Result<GatewayResponse, EdgeResponse> {
        match self.gw.send(req).await {
            Ok(r) => Ok(r),
            Err(e) => {
                eprintln!("postern-edge: gateway unreachable: {}", e.0);
                Err(EdgeResponse::code(ErrorCode::GatewayUnavailable))
            }
        }
    }

    /// Sends, and turns every non-2xx answer into the error response
    /// (clearing the cookie when the gateway no longer knows the session).
    async fn send_ok(&self, req: GatewayRequest) -> Result<GatewayResponse, EdgeResponse> {
        let had_session = req.session.is_some();
        let resp = self.send(req).await?;
        if resp.is_success() {
            return Ok(resp);
        }
        let err = gateway_error(&resp);
        if had_session && resp.status == 401 {
            return Err(self.clear_cookie(err));
        }
        Err(err)
    }

    // ----------------------------------------------------------- session

    async fn health(&self) -> EdgeResponse {
        let req = self.gateway_request(Method::Get, "/v1/health".into(), None);
        match self.send_ok(req).await {
            Ok(resp) => pass_through(resp),
            Err(e) => e,
        }
    }

    fn session_cookie(&self, gs: &GatewaySession) -> Option<String> {
        let value = session::sign(&self.cfg.session_key, &gs.session_id, gs.expires_at)?;
        Some(session::set_cookie(
            &value,
            gs.expires_at - self.now,
            self.secure(),
        ))
    }

    fn session_info(&self, gs: GatewaySession) -> SessionInfo {
        SessionInfo {
            csrf_token: session::csrf_token(&self.cfg.session_key, &gs.session_id),
            account: gs.account,
            expires_at: gs.expires_at,
        }
    }

    async fn login(&self) -> EdgeResponse {
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
        };
        let mut req = self.gateway_request(Method::Post, "/v1/auth/login".into(), None);
        req.body = serde_json::to_vec(&body).ok();
        let resp = match self.send_ok(req).await {
            Ok(r) => r,
            Err(e) => return e,
        };
        let Ok(gs) = serde_json::from_slice::<GatewaySession>(&resp.body) else {
            return bad_gateway_body("/v1/auth/login");
        };
        let Some(cookie) = self.session_cookie(&gs) else {
            eprintln!("postern-edge: the gateway returned a session id that is not cookie-safe");
            return EdgeResponse::code(ErrorCode::Internal);
        };
        EdgeResponse::json(200, &self.session_info(gs)).with_header("set-cookie", &cookie)
    }

    async fn get_session(&self) -> EdgeResponse {
        let session = match self.authenticate() {
            Ok(s) => s,
            Err(e) => return e,
        };
        let req = self.gateway_request(Method::Get, "/v1/auth/session".into(), Some(&session));
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

    async fn logout(&self) -> EdgeResponse {
        let session = match session::from_request(&self.cfg.session_key, self.req, self.now) {
            Ok(s) => s,
            // Nothing to revoke: just make sure the browser forgets it.
            Err(_) => return self.clear_cookie(EdgeResponse::no_content()),
        };
        if !session::csrf_ok(&self.cfg.session_key, &session.id, self.req) {
            return EdgeResponse::code(ErrorCode::CsrfFailed);
        }
        let req = self.gateway_request(Method::Post, "/v1/auth/logout".into(), Some(&session));
        match self.send(req).await {
            Ok(resp) if resp.is_success() || resp.status == 401 => {
                self.clear_cookie(EdgeResponse::no_content())
            }
            Ok(resp) => gateway_error(&resp),
            Err(e) => e,
        }
    }

    // ---------------------------------------------------------- transfers

    /// `GET /t/{token}`: the public download page (no session).
    async fn transfer_page(&self, token: &str) -> EdgeResponse {
        let mut r = if !is_safe_id(token) {
            transfer_page::error_page(404)
        } else {
            let req =
                self.gateway_request(Method::Get, format!("/v1/public/transfers/{token}"), None);
            match self.send(req).await {
                Err(_) => transfer_page::error_page(503),
                Ok(resp) if resp.is_success() => {
                    match serde_json::from_slice::<Transfer>(&resp.body) {
                        Ok(t) => transfer_page::render(&t),
                        Err(_) => {
                            eprintln!("postern-edge: unexpected body from the transfers route");
                            transfer_page::error_page(503)
                        }
                    }
                }
                Ok(resp) => transfer_page::error_page(resp.status),
            }
        };
        if self.req.method == Method::Head {
            r.body.clear();
        }
        r
    }

    /// `GET /t/{token}/{file}`: streamed by the component, `Range` passed on.
    fn transfer_file(&self, token: &str, file: &str) -> Outcome {
        if !is_safe_id(token) || !is_safe_id(file) {
            return transfer_page::error_page(404).into();
        }
        let method = if self.req.method == Method::Head {
            Method::Head
        } else {
            Method::Get
        };
        let mut req = self.gateway_request(
            method,
            format!("/v1/public/transfers/{token}/files/{file}"),
            None,
        );
        if let Some(range) = self.req.header("range").filter(|r| {
            r.len() <= MAX_RANGE_HEADER && r.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        }) {
            req.headers.push(("range".into(), range.to_string()));
        }
        Outcome::StreamTransfer(req)
    }

    // ---------------------------------------------------------- mailboxes

    async fn mailbox_route(&self, route: Route, session: &Session) -> Outcome {
        match self.mailbox_route_inner(route, session).await {
            Ok(o) => o,
            Err(e) => e.into(),
        }
    }

    async fn mailbox_route_inner(
        &self,
        route: Route,
        session: &Session,
    ) -> Result<Outcome, EdgeResponse> {
        let s = Some(session);
        let req = match route {
            Route::Me => self.gateway_request(Method::Get, "/v1/me".into(), s),
            Route::ListFolders { mb } => {
                self.gateway_request(Method::Get, format!("/v1/mailboxes/{mb}/folders"), s)
            }
            Route::CreateFolder { mb } => {
                let mut r =
                    self.gateway_request(Method::Post, format!("/v1/mailboxes/{mb}/folders"), s);
                r.body = Some(revalidate::<CreateFolderRequest>(&self.req.body)?);
                r
            }
            Route::RenameFolder { mb } => {
                let path = self.required_param("path")?;
                let mut r = self.gateway_request(
                    Method::Patch,
                    format!(
                        "/v1/mailboxes/{mb}/folders?{}",
                        build_query(&[("path", path)])
                    ),
                    s,
                );
                r.body = Some(revalidate::<RenameFolderRequest>(&self.req.body)?);
                r
            }
            Route::DeleteFolder { mb } => {
                let path = self.required_param("path")?;
                self.gateway_request(
                    Method::Delete,
                    format!(
                        "/v1/mailboxes/{mb}/folders?{}",
                        build_query(&[("path", path)])
                    ),
                    s,
                )
            }
            Route::ListMessages { mb } => {
                let query = self.list_query()?;
                self.gateway_request(
                    Method::Get,
                    format!("/v1/mailboxes/{mb}/messages?{query}"),
                    s,
                )
            }
            Route::SetFlags { mb } => {
                self.post_json::<SetFlagsRequest>(format!("/v1/mailboxes/{mb}/messages/flags"), s)?
            }
            Route::MoveMessages { mb } => self
                .post_json::<MoveMessagesRequest>(format!("/v1/mailboxes/{mb}/messages/move"), s)?,
            Route::DeleteMessages { mb } => self.post_json::<DeleteMessagesRequest>(
                format!("/v1/mailboxes/{mb}/messages/delete"),
                s,
            )?,
            Route::GetMessage { mb, uid } => {
                let folder = self.required_param("folder")?;
                let q = build_query(&[("folder", folder.as_str()), ("mark_seen", "true")]);
                let req = self.gateway_request(
                    Method::Get,
                    format!("/v1/mailboxes/{mb}/messages/{uid}/raw?{q}"),
                    s,
                );
                let resp = self.send_ok(req).await?;
                let flags = resp.header(headers::FLAGS).unwrap_or("");
                let view = mime_view::message_view(&resp.body, uid, &folder, flags);
                return Ok(EdgeResponse::json(200, &view).into());
            }
            Route::GetMessageHtml { mb, uid } => {
                let folder = self.required_param("folder")?;
                let allow = self.req.query_param("images").is_some_and(|v| v == "allow");
                let q = build_query(&[("folder", folder.as_str())]);
                let req = self.gateway_request(
                    Method::Get,
                    format!("/v1/mailboxes/{mb}/messages/{uid}/raw?{q}"),
                    s,
                );
                let resp = self.send_ok(req).await?;
                let clean = mime_view::sanitized_body(&resp.body, allow);
                return Ok(html_document(&clean.html, allow).into());
            }
            Route::GetPart { mb, uid, section } => {
                let folder = self.required_param("folder")?;
                let q = build_query(&[("folder", folder.as_str())]);
                let req = self.gateway_request(
                    Method::Get,
                    format!("/v1/mailboxes/{mb}/messages/{uid}/parts/{section}?{q}"),
                    s,
                );
                return Ok(Outcome::StreamPart(req));
            }
            // Writing and sending.
            Route::SaveDraft { mb } => {
                self.post_json::<SaveDraftRequest>(format!("/v1/mailboxes/{mb}/drafts"), s)?
            }
            Route::GetDraft { mb, uid } => {
                self.gateway_request(Method::Get, format!("/v1/mailboxes/{mb}/drafts/{uid}"), s)
            }
            Route::Send { mb } => {
                self.post_json::<SendRequest>(format!("/v1/mailboxes/{mb}/send"), s)?
            }
            Route::GetOutgoing { mb, id } => {
                self.gateway_request(Method::Get, format!("/v1/mailboxes/{mb}/outbox/{id}"), s)
            }
            Route::CancelOutgoing { mb, id } => {
                self.gateway_request(Method::Delete, format!("/v1/mailboxes/{mb}/outbox/{id}"), s)
            }
            Route::Contacts { mb } => {
                let mut path = format!("/v1/mailboxes/{mb}/contacts");
                if let Some(q) = self.req.query_param("q").filter(|q| !q.trim().is_empty()) {
                    if q.len() > 200 || q.contains('\0') {
                        return Err(bad_request("The search text is too long."));
                    }
                    path = format!("{path}?{}", build_query(&[("q", q)]));
                }
                self.gateway_request(Method::Get, path, s)
            }
            Route::GetSignature { mb } => {
                self.gateway_request(Method::Get, format!("/v1/mailboxes/{mb}/signature"), s)
            }
            Route::PutSignature { mb } => {
                let mut r =
                    self.gateway_request(Method::Put, format!("/v1/mailboxes/{mb}/signature"), s);
                r.body = Some(revalidate::<Signature>(&self.req.body)?);
                r
            }
            Route::Identities { mb } => {
                self.gateway_request(Method::Get, format!("/v1/mailboxes/{mb}/identities"), s)
            }
            // Uploads and transfers.
            Route::CreateUpload => self.post_json::<NewUpload>("/v1/uploads".into(), s)?,
            Route::GetUpload { id } => {
                self.gateway_request(Method::Get, format!("/v1/uploads/{id}"), s)
            }
            Route::DeleteUpload { id } => {
                self.gateway_request(Method::Delete, format!("/v1/uploads/{id}"), s)
            }
            Route::UploadData { id } => {
                let offset: u64 = self
                    .req
                    .query_param("offset")
                    .and_then(|o| o.parse().ok())
                    .ok_or_else(|| bad_request("The query parameter `offset` is required."))?;
                let mut r = self.gateway_request(
                    Method::Patch,
                    format!("/v1/uploads/{id}?offset={offset}"),
                    s,
                );
                r.headers
                    .push(("content-type".into(), "application/octet-stream".into()));
                if let Some(len) = self
                    .req
                    .header("content-length")
                    .and_then(|l| l.trim().parse::<u64>().ok())
                {
                    r.headers.push(("content-length".into(), len.to_string()));
                }
                return Ok(Outcome::StreamUpload(r));
            }
            Route::CreateTransfer => self.post_json::<NewTransfer>("/v1/transfers".into(), s)?,
            Route::Static
            | Route::Health
            | Route::Login
            | Route::GetSession
            | Route::Logout
            | Route::TransferPage { .. }
            | Route::TransferFile { .. }
            | Route::TransferCss => {
                return Err(EdgeResponse::code(ErrorCode::NotFound));
            }
        };
        let resp = self.send_ok(req).await?;
        Ok(pass_through(resp).into())
    }

    fn post_json<T: DeserializeOwned + Serialize>(
        &self,
        path: String,
        s: Option<&Session>,
    ) -> Result<GatewayRequest, EdgeResponse> {
        let mut r = self.gateway_request(Method::Post, path, s);
        r.body = Some(revalidate::<T>(&self.req.body)?);
        Ok(r)
    }

    fn required_param(&self, name: &str) -> Result<String, EdgeResponse> {
        match self.req.query_param(name) {
            Some(v) if !v.is_empty() && v.len() <= MAX_FOLDER_PARAM && !v.contains('\0') => Ok(v),
            _ => Err(bad_request(&format!(
                "The query parameter `{name}` is required."
            ))),
        }
    }

    /// `folder` (required), `filter`, `q`, `page`, `anchor`, checked and re-encoded.
    fn list_query(&self) -> Result<String, EdgeResponse> {
        let folder = self.required_param("folder")?;
        let mut pairs = vec![("folder".to_string(), folder)];
        for (k, v) in self.req.query_params() {
            match k.as_str() {
                "filter" => {
                    let f =
                        MessageFilter::parse(&v).ok_or_else(|| bad_request("Unknown filter."))?;
                    pairs.push((k, f.as_str().to_string()));
                }
                "q" if !v.trim().is_empty() => {
                    if v.len() > 1000 {
                        return Err(bad_request("The search text is too long."));
                    }
                    pairs.push((k, v));
                }
                "page" | "anchor" => {
                    let n: u32 = v
                        .parse()
                        .map_err(|_| bad_request(&format!("`{k}` must be a number.")))?;
                    pairs.push((k, n.to_string()));
                }
                _ => {}
            }
        }
        Ok(build_query(&pairs))
    }
}

// ---------------------------------------------------------------- helpers

fn bad_request(message: &str) -> EdgeResponse {
    EdgeResponse::error(ApiError::new(ErrorCode::BadRequest, message))
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, EdgeResponse> {
    serde_json::from_slice(body)
        .map_err(|_| bad_request("The request body is not valid JSON for this route."))
}

/// Parses the body as `T` and serialises it again, so only the fields of
/// the shared type reach the gateway.
fn revalidate<T: DeserializeOwned + Serialize>(body: &[u8]) -> Result<Vec<u8>, EdgeResponse> {
    let value: T = parse_json(body)?;
    serde_json::to_vec(&value).map_err(|_| EdgeResponse::code(ErrorCode::Internal))
}

fn bad_gateway_body(route: &str) -> EdgeResponse {
    eprintln!("postern-edge: unexpected body from gateway {route}");
    EdgeResponse::code(ErrorCode::Internal)
}

/// A successful gateway answer, forwarded as JSON (204 stays empty).
fn pass_through(resp: GatewayResponse) -> EdgeResponse {
    if resp.status == 204 || resp.body.is_empty() {
        return EdgeResponse::no_content();
    }
    EdgeResponse::json_bytes(resp.status, resp.body)
}

/// The gateway's answer to a JSON route: passed through on success, the
/// error otherwise.
pub fn json_answer(resp: GatewayResponse) -> EdgeResponse {
    if resp.is_success() {
        pass_through(resp)
    } else {
        gateway_error(&resp)
    }
}

/// A gateway error, passed through unchanged when it is an [`ApiError`].
pub fn gateway_error(resp: &GatewayResponse) -> EdgeResponse {
    match serde_json::from_slice::<ApiError>(&resp.body) {
        Ok(_) if resp.status >= 400 && resp.status <= 599 => {
            let mut r = EdgeResponse::json_bytes(resp.status, resp.body.clone());
            if let Some(ra) = resp.header("retry-after") {
                r.set_header("retry-after", ra);
            }
            r
        }
        _ => {
            eprintln!(
                "postern-edge: gateway answered {} without an error body",
                resp.status
            );
            if matches!(resp.status, 502..=504) {
                EdgeResponse::code(ErrorCode::GatewayUnavailable)
            } else {
                EdgeResponse::code(ErrorCode::Internal)
            }
        }
    }
}

const MESSAGE_STYLE: &str = "html{color-scheme:light}body{margin:0;padding:12px 16px;\
font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;\
background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}\
table{max-width:100%}pre{white-space:pre-wrap}\
blockquote{margin:0 0 0 .6em;padding-left:.8em;border-left:3px solid #ccc}";

/// The CSP of `body.html`: nothing runs, nothing loads except inline
/// styles and `data:` images (plus remote images once allowed).
pub fn message_csp(allow_remote_images: bool) -> String {
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:{}; \
         frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
        if allow_remote_images {
            " http: https:"
        } else {
            ""
        }
    )
}

/// Wraps sanitised HTML in the document shown in the sandboxed iframe.
pub fn html_document(clean_html: &str, allow_remote_images: bool) -> EdgeResponse {
    let doc = format!(
        "<!doctype html><html><head><meta charset=utf-8><base target=_blank>\
         <meta name=referrer content=no-referrer><style>{MESSAGE_STYLE}</style></head>\
         <body>{clean_html}</body></html>"
    );
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", "text/html; charset=utf-8")
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", &message_csp(allow_remote_images));
    r.body = doc.into_bytes();
    r
}

// ------------------------------------------------------------ attachments

/// Types a browser would render or run: served as opaque bytes instead.
fn is_active_type(essence: &str) -> bool {
    essence.contains("html")
        || essence.contains("xml")
        || essence.contains("javascript")
        || essence.contains("ecmascript")
        || essence.contains("svg")
        || matches!(
            essence,
            "text/xsl"
                | "text/css"
                | "text/cache-manifest"
                | "text/vtt"
                | "application/x-shockwave-flash"
                | "application/java-archive"
                | "application/pdf"
                | "multipart/x-mixed-replace"
        )
        || essence.starts_with("multipart/")
}

/// The `Content-Type` of a download: the gateway's, unless it is active or
/// not a plain `type/subtype`.
pub fn safe_content_type(gateway_type: Option<&str>) -> String {
    let essence = gateway_type
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let well_formed = essence.split_once('/').is_some_and(|(t, s)| {
        let tok = |x: &str| {
            !x.is_empty()
                && x.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
        };
        tok(t) && tok(s)
    });
    if !well_formed || is_active_type(&essence) {
        "application/octet-stream".into()
    } else {
        essence
    }
}

/// A file name safe for every OS and header: no paths, controls or
/// reserved characters, not empty, not too long.
pub fn sanitize_filename(raw: &str) -> String {
    let decoded = percent_decode(raw, false);
    let cleaned: String = decoded
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_matches(['.', ' ']);
    let mut name: String = trimmed.chars().take(180).collect();
    if name.is_empty() {
        name = "attachment".into();
    }
    name
}

/// `Content-Disposition: attachment` with an ASCII fallback and the UTF-8
/// name (RFC 6266 / RFC 5987).
pub fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\' && *c != '%')
        .collect();
    format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(name)
    )
}

/// Headers of a streamed attachment, from the gateway's answer headers.
pub fn part_headers(gateway_headers: &[(String, String)]) -> EdgeResponse {
    let get = |n| crate::gateway::header(gateway_headers, n);
    let name = sanitize_filename(get(headers::FILENAME).unwrap_or(""));
    let mut r = EdgeResponse::new(200)
        .with_header("content-type", &safe_content_type(get("content-type")))
        .with_header("content-disposition", &content_disposition(&name))
        .with_header("cache-control", "private, no-store");
    r.set_header("content-security-policy", "default-src 'none'; sandbox");
    if let Some(len) = get("content-length").and_then(|l| l.trim().parse::<u64>().ok()) {
        r.headers.push(("content-length".into(), len.to_string()));
    }
    r
}

#[cfg(test)]
mod tests;
