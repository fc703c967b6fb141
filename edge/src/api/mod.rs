//! The public `/api/…` handlers: check the session and CSRF, translate the
//! browser's request into the gateway's (route table in ARCHITECTURE.md),
//! and shape the answer. Gateway errors pass through unchanged; an
//! unreachable gateway is 503 `gateway_unavailable`.

use crate::config::Config;
use crate::gateway::{Gateway, GatewayRequest, GatewayResponse, gateway_error, pass_through};
use crate::http::{EdgeRequest, EdgeResponse, Method};
use crate::router::Route;
use crate::session::{self, Session, SessionError};
use crate::transfer_page;
pub use message_html::{html_document, message_csp};
use postern_shared::account::{
    CodeRequest, DisableTotpRequest, SecondFactorRequest, StartTotpRequest,
};
use postern_shared::admin;
use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, GatewayLoginRequest, GatewaySession, LoginRequest,
    MessageListQuery, MoveMessagesRequest, RenameFolderRequest, SessionInfo, SetFlagsRequest,
};
use postern_shared::compose::{SaveDraftRequest, SendRequest, Signature};
use postern_shared::invitations::{self, GatewaySignUpRequest, SignUpRequest};
use postern_shared::spam;
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer};
use postern_shared::wire::query::{
    BodyHtmlQuery, ContactsQuery, DpaQuery, FolderPathQuery, FolderQuery, Images,
    UploadOffsetQuery, ViewQuery, from_query, to_query,
};
use postern_shared::wire::routes::with_query;
use postern_shared::{ApiError, ErrorCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

mod mailbox;
mod message_html;
mod sign_in;
mod transfers;

/// Largest JSON request body the edge accepts (but see [`max_body`]).
pub const MAX_JSON_BODY: usize = 1024 * 1024;

/// The largest body the edge reads for `route`: [`MAX_JSON_BODY`], except
/// the CSV import routes (R-ADDR-4), whose file of up to 2 MiB travels in
/// JSON.
pub fn max_body(route: &Route) -> usize {
    match route {
        Route::PreviewAddressImport { .. } | Route::ImportAddresses { .. } => {
            postern_shared::limits::MAX_IMPORT_REQUEST_BYTES
        }
        _ => MAX_JSON_BODY,
    }
}
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
    /// Live updates: send this request, then pass the gateway's Server-Sent
    /// Events through as they come with [`event_stream_headers`] (or answer
    /// [`gateway_error`]).
    StreamEvents(GatewayRequest),
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
    if req.body.len() > max_body(&route) {
        return EdgeResponse::code(ErrorCode::PayloadTooLarge).into();
    }
    let cx = Ctx { req, cfg, gw, now };
    match route {
        Route::Health => cx.health().await.into(),
        Route::OpenApi => cx.public_json(&Route::OpenApi).await.into(),
        Route::Login => cx.login().await.into(),
        Route::LoginSecondFactor => cx.login_second_factor().await.into(),
        Route::GetSession => cx.get_session().await.into(),
        Route::Logout => cx.logout().await.into(),
        Route::GetInvitation { .. } => cx.public_json(&route).await.into(),
        Route::SignUp { token } => cx.sign_up(&token).await.into(),
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
            method: method.into(),
            path_and_query: with_query(path, query),
            session: session.map(|s| s.id.clone()),
            client_ip: self.req.client_ip(self.cfg.trust_forwarded_for),
            body: None,
            headers: Vec::new(),
        }
    }

    /// Sends once; an idempotent request (GET, HEAD, PUT, DELETE) whose
    /// connection broke is sent once more (RFC 9110 §9.2.2), as browsers
    /// do: the API fuzz saw a fresh edge→gateway connection fail about
    /// once in 15,000 requests although the gateway had answered.
    async fn send(&self, req: GatewayRequest) -> Result<GatewayResponse, EdgeResponse> {
        let idempotent = matches!(
            req.method,
            Method::Get | Method::Head | Method::Put | Method::Delete
        );
        let again = idempotent.then(|| req.clone());
        let first = self.gw.send(req).await;
        let result = match (first, again) {
            (Err(e), Some(again)) => {
                eprintln!("postern-edge: gateway call failed ({}), retrying once", e.0);
                self.gw.send(again).await
            }
            (r, _) => r,
        };
        result.map_err(|e| {
            eprintln!("postern-edge: gateway unreachable: {}", e.0);
            EdgeResponse::code(ErrorCode::GatewayUnavailable)
        })
    }

    /// Sends, and turns every non-2xx answer into the error response
    /// (clearing the cookie when the gateway no longer knows the session —
    /// not for other 401s, such as a wrong two-factor code).
    async fn send_ok(&self, req: GatewayRequest) -> Result<GatewayResponse, EdgeResponse> {
        let had_session = req.session.is_some();
        let resp = self.send(req).await?;
        if resp.is_success() {
            return Ok(resp);
        }
        let err = gateway_error(&resp);
        let session_gone = resp.status == 401
            && serde_json::from_slice::<ApiError>(&resp.body).map_or(true, |e| {
                matches!(
                    e.code,
                    ErrorCode::Unauthenticated | ErrorCode::SessionExpired
                )
            });
        if had_session && session_gone {
            return Err(self.clear_cookie(err));
        }
        Err(err)
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

#[cfg(test)]
mod tests;
