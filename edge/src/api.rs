//! The public `/api/…` handlers: check the session and CSRF, translate the
//! browser's request into the gateway's (route table in ARCHITECTURE.md),
//! and shape the answer. Gateway errors pass through unchanged; an
//! unreachable gateway is 503 `gateway_unavailable`.

use crate::config::Config;
use crate::gateway::{
    Gateway, GatewayRequest, GatewayResponse, gateway_error, headers, pass_through,
};
use crate::http::{EdgeRequest, EdgeResponse, Method};
use crate::mime_view;
use crate::router::Route;
use crate::session::{self, Session, SessionError};
use crate::transfer_page;
use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, GatewayLoginRequest, GatewaySession, LoginRequest,
    MessageListQuery, MoveMessagesRequest, RenameFolderRequest, SessionInfo, SetFlagsRequest,
};
use postern_shared::compose::{SaveDraftRequest, SendRequest, Signature};
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer};
use postern_shared::wire::query::{
    BodyHtmlQuery, ContactsQuery, FolderPathQuery, FolderQuery, Images, RawQuery,
    UploadOffsetQuery, from_query, to_query,
};
use postern_shared::wire::routes::with_query;
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
        Route::Health => cx.health().await.into(),
        Route::OpenApi => cx.public_json(&Route::OpenApi).await.into(),
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

    /// The gateway call of `route` (its `/v1` path from the contract),
    /// with `query` appended when not empty.
    fn gateway_request(
        &self,
        route: &Route,
        query: &str,
        session: Option<&Session>,
    ) -> GatewayRequest {
        // Every route handled here has a gateway side (see `handle`).
        let (method, path) = route
            .gateway()
            .unwrap_or((postern_shared::wire::Method::Get, "/v1/health".into()));
        GatewayRequest {
            method: Method::parse(method.as_str()),
            path_and_query: with_query(path, query),
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
        let req = self.gateway_request(&Route::Health, "", None);
        match self.send_ok(req).await {
            Ok(resp) => pass_through(resp),
            Err(e) => e,
        }
    }

    /// A public JSON route passed through as the gateway answers it.
    async fn public_json(&self, route: &Route) -> EdgeResponse {
        match self.send_ok(self.gateway_request(route, "", None)).await {
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
        let mut req = self.gateway_request(&Route::Login, "", None);
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

    async fn logout(&self) -> EdgeResponse {
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

    // ---------------------------------------------------------- transfers

    /// `GET /t/{token}`: the public download page (no session).
    async fn transfer_page(&self, token: &str) -> EdgeResponse {
        let mut r = {
            let route = Route::TransferPage {
                token: token.to_string(),
            };
            let req = self.gateway_request(&route, "", None);
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
        let route = Route::TransferFile {
            token: token.to_string(),
            file: file.to_string(),
        };
        let mut req = self.gateway_request(&route, "", None);
        if self.req.method == Method::Head {
            req.method = Method::Head;
        }
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
        let query = self.gateway_query(&route)?;
        let mut req = self.gateway_request(&route, &query, s);
        req.body = self.gateway_body(&route)?;
        match &route {
            Route::GetMessage { uid, .. } => {
                let folder: FolderQuery = self.query()?;
                let resp = self.send_ok(req).await?;
                let flags = resp.header(headers::FLAGS).unwrap_or("");
                let view = mime_view::message_view(&resp.body, *uid, &folder.folder, flags);
                return Ok(EdgeResponse::json(200, &view).into());
            }
            Route::GetMessageHtml { .. } => {
                let q: BodyHtmlQuery = self.query()?;
                let allow = q.images == Images::Allow;
                let resp = self.send_ok(req).await?;
                let clean = mime_view::sanitized_body(&resp.body, allow);
                return Ok(html_document(&clean.html, allow).into());
            }
            Route::GetPart { .. } => return Ok(Outcome::StreamPart(req)),
            Route::UploadData { .. } => {
                req.headers
                    .push(("content-type".into(), "application/octet-stream".into()));
                if let Some(len) = self
                    .req
                    .header("content-length")
                    .and_then(|l| l.trim().parse::<u64>().ok())
                {
                    req.headers.push(("content-length".into(), len.to_string()));
                }
                return Ok(Outcome::StreamUpload(req));
            }
            Route::Health
            | Route::OpenApi
            | Route::Login
            | Route::GetSession
            | Route::Logout
            | Route::TransferPage { .. }
            | Route::TransferFile { .. }
            | Route::TransferCss => {
                return Err(EdgeResponse::code(ErrorCode::NotFound));
            }
            _ => {}
        }
        let resp = self.send_ok(req).await?;
        Ok(pass_through(resp).into())
    }

    /// The browser's query, decoded into the route's type.
    fn query<T: DeserializeOwned>(&self) -> Result<T, EdgeResponse> {
        from_query(&self.req.query).map_err(|m| bad_request(&m))
    }

    /// The gateway's query string of a route: the browser's, decoded into
    /// its shared type, checked, and encoded again (so nothing else passes).
    fn gateway_query(&self, route: &Route) -> Result<String, EdgeResponse> {
        Ok(match route {
            Route::RenameFolder { .. } | Route::DeleteFolder { .. } => {
                let q: FolderPathQuery = self.query()?;
                check_folder(&q.path, "path")?;
                to_query(&q)
            }
            Route::ListMessages { .. } => {
                let mut q: MessageListQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                q.q = q.q.filter(|t| !t.trim().is_empty());
                if q.q.as_ref().is_some_and(|t| t.len() > 1000) {
                    return Err(bad_request("The search text is too long."));
                }
                to_query(&q)
            }
            Route::GetMessage { .. } | Route::GetMessageHtml { .. } => {
                let q: FolderQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&RawQuery {
                    folder: q.folder,
                    mark_seen: matches!(route, Route::GetMessage { .. }),
                })
            }
            Route::GetPart { .. } => {
                let q: FolderQuery = self.query()?;
                check_folder(&q.folder, "folder")?;
                to_query(&q)
            }
            Route::Contacts { .. } => {
                let mut q: ContactsQuery = self.query()?;
                q.q = q.q.filter(|t| !t.trim().is_empty());
                if q.q
                    .as_ref()
                    .is_some_and(|t| t.len() > 200 || t.contains('\0'))
                {
                    return Err(bad_request("The search text is too long."));
                }
                to_query(&q)
            }
            Route::UploadData { .. } => {
                let q: UploadOffsetQuery = self
                    .query()
                    .map_err(|_| bad_request("The query parameter `offset` is required."))?;
                to_query(&q)
            }
            _ => String::new(),
        })
    }

    /// The JSON body passed to the gateway: the browser's, parsed as the
    /// route's shared type and serialised again (unknown fields dropped).
    fn gateway_body(&self, route: &Route) -> Result<Option<Vec<u8>>, EdgeResponse> {
        let b = &self.req.body;
        Ok(Some(match route {
            Route::CreateFolder { .. } => revalidate::<CreateFolderRequest>(b)?,
            Route::RenameFolder { .. } => revalidate::<RenameFolderRequest>(b)?,
            Route::SetFlags { .. } => revalidate::<SetFlagsRequest>(b)?,
            Route::MoveMessages { .. } => revalidate::<MoveMessagesRequest>(b)?,
            Route::DeleteMessages { .. } => revalidate::<DeleteMessagesRequest>(b)?,
            Route::SaveDraft { .. } => revalidate::<SaveDraftRequest>(b)?,
            Route::Send { .. } => revalidate::<SendRequest>(b)?,
            Route::PutSignature { .. } => revalidate::<Signature>(b)?,
            Route::CreateUpload => revalidate::<NewUpload>(b)?,
            Route::CreateTransfer => revalidate::<NewTransfer>(b)?,
            _ => return Ok(None),
        }))
    }
}

/// A folder path in a query: present, not too long, no NUL.
fn check_folder(v: &str, name: &str) -> Result<(), EdgeResponse> {
    if !v.is_empty() && v.len() <= MAX_FOLDER_PARAM && !v.contains('\0') {
        Ok(())
    } else {
        Err(bad_request(&format!(
            "The query parameter `{name}` is required."
        )))
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

#[cfg(test)]
mod tests;
