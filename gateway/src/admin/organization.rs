//! The organisation's legal details (R-GDPR-1): read by owners,
//! administrators and legal representatives, changed by owners and
//! administrators, printed as the controller in the DPA.

use axum::Json;
use axum::extract::State;
use postern_shared::ErrorCode;
use postern_shared::organization::{
    DetailsField, DetailsProblem, OrganizationDetails, OrganizationDetailsView, clean,
    missing_for_dpa,
};
use postern_shared::permissions::Action;

use super::access::OrgAccess;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

type Row = (String, String, String, String, String, String, String, i64);

/// The organisation's name, its details (the legal name defaults to the
/// name when never saved) and when they were saved.
pub async fn load(db: &Db, org: i64) -> AppResult<(String, OrganizationDetails, Option<i64>)> {
    let name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_optional(db)
        .await?
        .ok_or(AppError::from(ErrorCode::Forbidden))?;
    let row: Option<Row> = sqlx::query_as(
        "SELECT legal_name, postal_address, country, registration_number, \
         representative_name, representative_role, contact_email, updated_at \
         FROM organization_details WHERE organization_id = $1",
    )
    .bind(org)
    .fetch_optional(db)
    .await?;
    Ok(match row {
        Some((legal_name, postal_address, country, registration_number, rn, rr, email, at)) => (
            name,
            OrganizationDetails {
                legal_name,
                postal_address,
                country,
                registration_number,
                representative_name: rn,
                representative_role: rr,
                contact_email: email,
            },
            Some(at),
        ),
        None => {
            let details = OrganizationDetails {
                legal_name: name.clone(),
                ..Default::default()
            };
            (name, details, None)
        }
    })
}

async fn view(db: &Db, access: &OrgAccess) -> AppResult<OrganizationDetailsView> {
    let (name, details, updated_at) = load(db, access.organization).await?;
    Ok(OrganizationDetailsView {
        name,
        missing_for_dpa: missing_for_dpa(&details),
        details,
        allowed: access.allowed(),
        updated_at,
    })
}

/// `GET /v1/orgs/{org}/details`.
pub async fn get(
    State(state): State<AppState>,
    access: OrgAccess,
) -> AppResult<Json<OrganizationDetailsView>> {
    access.require(Action::ViewOrganization)?;
    Ok(Json(view(&state.db, &access).await?))
}

/// The typed refusal of a field.
pub fn refusal(field: DetailsField, problem: DetailsProblem) -> AppError {
    let message = match problem {
        DetailsProblem::Required => format!("The {} is required.", field.as_str()),
        DetailsProblem::TooLong => format!(
            "The {} may have at most {} characters.",
            field.as_str(),
            field.limit()
        ),
        DetailsProblem::ControlCharacter => {
            format!("The {} may not contain control characters.", field.as_str())
        }
        DetailsProblem::InvalidEmail => format!("The {} is not an email address.", field.as_str()),
    };
    AppError::new(ErrorCode::InvalidOrganizationDetails, message).with(|p| {
        p.field = Some(field.as_str().into());
        p.reason = Some(problem.as_str().into());
        if problem == DetailsProblem::TooLong {
            p.limit = Some(field.limit() as u64);
        }
    })
}

/// `PUT /v1/orgs/{org}/details`: every field at once.
pub async fn put(
    State(state): State<AppState>,
    access: OrgAccess,
    Json(req): Json<OrganizationDetails>,
) -> AppResult<Json<OrganizationDetailsView>> {
    access.require(Action::ManageOrganization)?;
    let d = clean(&req).map_err(|(f, p)| refusal(f, p))?;
    sqlx::query(
        "INSERT INTO organization_details (organization_id, legal_name, postal_address, country, \
         registration_number, representative_name, representative_role, contact_email, \
         updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (organization_id) DO UPDATE SET legal_name = excluded.legal_name, \
         postal_address = excluded.postal_address, country = excluded.country, \
         registration_number = excluded.registration_number, \
         representative_name = excluded.representative_name, \
         representative_role = excluded.representative_role, \
         contact_email = excluded.contact_email, updated_at = excluded.updated_at, \
         updated_by = excluded.updated_by",
    )
    .bind(access.organization)
    .bind(&d.legal_name)
    .bind(&d.postal_address)
    .bind(&d.country)
    .bind(&d.registration_number)
    .bind(&d.representative_name)
    .bind(&d.representative_role)
    .bind(&d.contact_email)
    .bind(crate::db::now())
    .bind(access.account.account.id)
    .execute(&state.db)
    .await?;
    tracing::info!(
        organization = access.organization,
        "organisation details saved"
    );
    Ok(Json(view(&state.db, &access).await?))
}
