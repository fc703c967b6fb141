//! Who may use the administration of an organisation (R-ID-2). Every
//! route under `/v1/orgs/{org}/…` sits behind [`require_member`], installed
//! once on the organisation router: session first (401), then a
//! membership of `{org}` with a role that may at least see its addresses
//! (403). Handlers take [`OrgAccess`] and ask [`OrgAccess::require`] for
//! the action they perform; ids in the path or body are then checked to
//! belong to `{org}` by the queries themselves.
//!
//! Not a member, another organisation's id, a missing organisation: the
//! same 403, so ids reveal nothing.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use postern_shared::ErrorCode;
use postern_shared::api::OrganizationId;
use postern_shared::permissions::{Action, Role};

use crate::auth::Authenticated;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The caller's standing in the organisation of the path.
#[derive(Debug, Clone)]
pub struct OrgAccess {
    pub organization: OrganizationId,
    pub role: Role,
    pub account: Authenticated,
}

impl OrgAccess {
    /// 403 with the reason the UI shows beside the disabled control.
    pub fn require(&self, action: Action) -> AppResult<()> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(AppError::new(ErrorCode::Forbidden, action.refusal()))
        }
    }

    /// What the caller's role allows, for the UI.
    pub fn allowed(&self) -> Vec<Action> {
        Action::ALL
            .into_iter()
            .filter(|a| self.role.may(*a))
            .collect()
    }
}

/// Middleware of the organisation router.
pub async fn require_member(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    req: Request,
    next: Next,
) -> Result<Response, AppError> {
    let (mut parts, body) = req.into_parts();
    let account = Authenticated::from_request_parts(&mut parts, &state).await?;
    let organization: OrganizationId = crate::grants::path_id(&params, "org")?;
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM memberships WHERE account_id = $1 AND organization_id = $2",
    )
    .bind(account.account.id)
    .bind(organization)
    .fetch_optional(&state.db)
    .await?;
    let role = role
        .as_deref()
        .and_then(Role::parse)
        .ok_or(AppError::from(ErrorCode::Forbidden))?;
    let access = OrgAccess {
        organization,
        role,
        account,
    };
    access.require(Action::ViewAddresses)?;
    parts.extensions.insert(access);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

impl<S: Send + Sync> FromRequestParts<S> for OrgAccess {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<OrgAccess>().cloned().ok_or_else(|| {
            AppError::internal("OrgAccess extracted on a route without require_member")
        })
    }
}
