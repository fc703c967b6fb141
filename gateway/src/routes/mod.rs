//! The HTTP surface (`/v1/…`, table in `ARCHITECTURE.md`). Layers, outside
//! in: access log → JSON errors → small bodies read whole → edge secret →
//! (per router) session/grant.

pub mod account;
pub mod auth;
pub mod compose;
pub mod folders;
pub mod messages;
pub mod parts;
pub mod storage;
pub mod transfers;

use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use postern_shared::api::{MailboxAccess, Me, OrganizationMembership};
use postern_shared::permissions::Role;
use postern_shared::{ErrorCode, PermissionSet};
use subtle::ConstantTimeEq;

use crate::auth::Authenticated;
use crate::error::{AppError, AppResult};
use crate::grants::require_grant;
use crate::state::AppState;

pub use postern_shared::wire::headers::EDGE_SECRET as EDGE_SECRET_HEADER;

/// The gateway path of the contract's endpoint `name`: axum mounts the
/// template strings of `postern_shared::wire::routes`, never its own.
fn v1(name: &str) -> &'static str {
    postern_shared::wire::routes::endpoint(name).v1()
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let mailbox = Router::new()
        .route(
            v1("list_folders"),
            get(folders::list)
                .post(folders::create)
                .patch(folders::rename)
                .delete(folders::delete),
        )
        .route(v1("list_messages"), get(messages::list))
        .route(v1("list_conversations"), get(crate::conversations::list))
        .route(v1("set_flags"), post(messages::set_flags))
        .route(v1("move_messages"), post(messages::move_messages))
        .route(v1("report_messages"), post(crate::spam::report::report))
        .route(v1("delete_messages"), post(messages::delete_messages))
        .route(v1("get_message"), get(messages::view))
        .route(v1("get_message_html"), get(messages::body_html))
        .route(v1("get_part"), get(parts::download))
        .route(v1("save_draft"), post(compose::save_draft))
        .route(v1("get_draft"), get(compose::open_draft))
        .route(v1("send"), post(compose::send))
        .route(
            v1("get_outgoing"),
            get(compose::outbox_get).delete(compose::outbox_cancel),
        )
        .route(v1("contacts"), get(compose::contacts))
        .route(
            v1("get_signature"),
            get(compose::signature_get).put(compose::signature_put),
        )
        .route(v1("identities"), get(compose::identities))
        .route(v1("mailbox_storage"), get(storage::get))
        .route(v1("mailbox_events"), get(crate::live::events))
        .route(
            v1("list_devices"),
            get(crate::devices::list).post(crate::devices::create),
        )
        .route(
            v1("disconnect_all_devices"),
            post(crate::devices::disconnect_all),
        )
        .route(v1("delete_device"), delete(crate::devices::delete))
        .route(v1("regenerate_device"), post(crate::devices::regenerate))
        .route(v1("device_profile"), get(crate::devices::profile))
        .route(
            v1("create_device_setup"),
            post(crate::devices::setup::create),
        )
        .route(
            v1("revoke_device_setup"),
            delete(crate::devices::setup::revoke),
        )
        .route(
            v1("mail_program_settings"),
            get(crate::devices::mail_program_settings),
        )
        .route(v1("get_spam"), get(crate::spam::get).put(crate::spam::put))
        .route(v1("add_spam_senders"), post(crate::spam::add_senders))
        .route(v1("remove_spam_senders"), post(crate::spam::remove_senders))
        .route(
            v1("get_support"),
            get(crate::support::routes::get).post(crate::support::routes::create),
        )
        .route(v1("revoke_support"), delete(crate::support::routes::revoke))
        .route(
            v1("get_auto_reply"),
            get(crate::filters::get_auto_reply).put(crate::filters::put_auto_reply),
        )
        .route(
            v1("get_rules"),
            get(crate::filters::get_rules).put(crate::filters::put_rules),
        )
        .route(
            v1("mailbox_templates"),
            get(crate::filters::templates::for_mailbox),
        )
        // route_layer: runs only for matched routes, after path params exist.
        .route_layer(middleware::from_fn_with_state(state.clone(), require_grant));

    // Support staff (R-SUP): the webmail's read handlers, `GET` only, each
    // behind the one staff check, which hands them a read-only grant.
    let staff = Router::new()
        .route(
            v1("staff_grants"),
            get(crate::support::routes::staff_grants),
        )
        .route(v1("staff_folders"), get(folders::list))
        .route(v1("staff_messages"), get(messages::list))
        .route(v1("staff_message"), get(messages::view))
        .route(v1("staff_message_html"), get(messages::body_html))
        .route(v1("staff_part"), get(parts::download))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::grants::require_support,
        ));

    use crate::admin::{access::require_member, addresses, import, invitations, users};
    use crate::filters::templates;
    // A CSV file of 2 MiB is more than axum's default body limit as JSON.
    let import_body =
        axum::extract::DefaultBodyLimit::max(postern_shared::limits::MAX_IMPORT_REQUEST_BYTES);
    let organization = Router::new()
        .route(
            v1("list_addresses"),
            get(addresses::list).post(addresses::create),
        )
        .route(v1("delete_addresses"), post(addresses::delete))
        .route(
            v1("preview_address_import"),
            post(import::preview).layer(import_body),
        )
        .route(
            v1("import_addresses"),
            post(import::import).layer(import_body),
        )
        .route(v1("update_address"), patch(addresses::update))
        .route(v1("get_org_spam"), get(crate::spam::org_get))
        .route(v1("add_org_spam_senders"), post(crate::spam::org_add))
        .route(v1("remove_org_spam_senders"), post(crate::spam::org_remove))
        .route(v1("bulk_spam_filter"), post(crate::spam::bulk))
        .route(
            v1("list_templates"),
            get(templates::list).post(templates::create),
        )
        .route(
            v1("update_template"),
            put(templates::update).delete(templates::delete),
        )
        .route(v1("apply_template"), post(templates::apply))
        .route(v1("add_alias"), post(addresses::add_alias))
        .route(v1("set_catch_all"), put(addresses::set_catch_all))
        .route(v1("set_access"), put(users::set).delete(users::remove))
        .route(v1("mailbox_users"), get(invitations::users_tab))
        .route(v1("create_invitation"), post(invitations::create))
        .route(v1("revoke_invitation"), delete(invitations::revoke))
        .route(
            v1("get_organization_details"),
            get(crate::admin::organization::get).put(crate::admin::organization::put),
        )
        .route(v1("dpa_pdf"), get(crate::dpa::download))
        .route(v1("org_logs"), get(crate::maillog::routes::organization))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_member,
        ));

    Router::new()
        .route(v1("health"), get(health))
        .route(v1("openapi"), get(openapi))
        .route(v1("login"), post(auth::login))
        .route(v1("get_session"), get(auth::session))
        .route(v1("logout"), post(auth::logout))
        .route(v1("login_second_factor"), post(auth::login_second_factor))
        .route(v1("me"), get(me))
        .route(v1("account_security"), get(account::security))
        .route(v1("start_totp"), post(account::start_totp))
        .route(v1("confirm_totp"), post(account::confirm_totp))
        .route(v1("disable_totp"), post(account::disable_totp))
        .route(
            v1("regenerate_recovery_codes"),
            post(account::regenerate_recovery_codes),
        )
        .route(v1("list_sessions"), get(account::list_sessions))
        .route(v1("end_other_sessions"), post(account::end_other_sessions))
        .route(v1("set_locale"), put(account::set_locale))
        .route(v1("end_session"), delete(account::end_session))
        .route(v1("get_invitation"), get(crate::invitations::info))
        .route(v1("sign_up"), post(crate::invitations::sign_up))
        .route(v1("accept_invitation"), post(crate::invitations::accept))
        .route(
            v1("get_device_setup"),
            get(crate::devices::setup::info).post(crate::devices::setup::redeem),
        )
        // Logs need `view_logs` and a role, not `read` (maillog::routes).
        .route(v1("mailbox_logs"), get(crate::maillog::routes::mailbox))
        .merge(mailbox)
        .merge(organization)
        .merge(staff)
        .merge(transfers::router())
        .fallback(|| async { AppError::from(ErrorCode::NotFound) })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            require_edge_secret,
        ))
        .layer(middleware::from_fn(read_small_bodies_first))
        .layer(middleware::from_fn(crate::error::json_errors))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

/// Only the edge may call the gateway: constant-time secret check on every
/// request, health included.
async fn require_edge_secret(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(EDGE_SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if bool::from(given.ct_eq(&state.edge_secret)) {
        next.run(req).await
    } else {
        AppError::new(ErrorCode::Unauthenticated, "Missing or wrong edge secret.").into_response()
    }
}

/// JSON bodies at most this big are read whole before any check runs.
pub const SMALL_BODY: u64 = 4 * 1024 * 1024;

/// Reads a small request body before routing. A refusal (a 403 from the
/// grant check, a 401) would otherwise go out with the body still unread;
/// the connection is then closed with bytes in its receive buffer, which
/// resets it, and the reset can destroy the answer before the edge reads it
/// (the API fuzz saw "gateway unavailable" instead of a 403). Big bodies
/// (upload data) stream on; their handler drains what it refuses.
async fn read_small_bodies_first(req: Request, next: Next) -> Response {
    let small = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .is_some_and(|n| n > 0 && n <= SMALL_BODY);
    if !small {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    match axum::body::to_bytes(body, SMALL_BODY as usize).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Err(_) => AppError::bad_request("The request body could not be read.").into_response(),
    }
}

async fn access_log(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// `GET /v1/openapi.json` (generated, see `openapi.rs`).
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
        .into_response()
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

/// `GET /v1/me`: the account, its organisations and its granted mailboxes —
/// the one named like the login first (what the webmail opens), then by
/// address.
async fn me(State(state): State<AppState>, who: Authenticated) -> AppResult<Json<Me>> {
    let orgs: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
         WHERE m.account_id = $1 ORDER BY o.name, o.id",
    )
    .bind(who.account.id)
    .fetch_all(&state.db)
    .await?;
    let mailboxes: Vec<(i64, String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT mb.id, mb.address, mb.display_name, mb.organization_id,
                COALESCE(g.shown_in_organization_id, mb.organization_id), g.permissions
         FROM grants g JOIN mailboxes mb ON mb.id = g.mailbox_id
         WHERE g.account_id = $1 AND mb.deleted_at IS NULL AND g.permissions <> 0
         ORDER BY CASE WHEN LOWER(mb.address) = LOWER($2) THEN 0 ELSE 1 END, mb.address",
    )
    .bind(who.account.id)
    .bind(&who.account.login)
    .fetch_all(&state.db)
    .await?;
    Ok(Json(Me {
        account: who.account,
        organizations: orgs
            .into_iter()
            .filter_map(|(id, name, role)| {
                Some(OrganizationMembership {
                    id,
                    name,
                    role: Role::parse(&role)?,
                })
            })
            .collect(),
        mailboxes: mailboxes
            .into_iter()
            .map(
                |(id, address, display_name, organization_id, shown_in, bits)| MailboxAccess {
                    id,
                    address,
                    display_name,
                    organization_id,
                    shown_in,
                    permissions: PermissionSet::from_bits(u8::try_from(bits).unwrap_or(0)),
                },
            )
            .collect(),
    }))
}
