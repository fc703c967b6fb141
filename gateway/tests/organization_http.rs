//! The organisation's legal details and its DPA through the gateway's
//! router (`/v1/orgs/{org}/details`, `/v1/orgs/{org}/dpa.pdf`), on a
//! scratch database (SQLite, or PostgreSQL with `POSTERN_TEST_POSTGRES`):
//! who may read, change and download (R-GDPR-1), the typed refusals of a
//! detail against its rule, and the PDF's headers.

use axum::body::Body;
use axum::http::StatusCode;
use postern_gateway::Provisioner;
use postern_gateway::routes::router;
use postern_shared::organization::{DetailsField, OrganizationDetails, OrganizationDetailsView};
use postern_shared::permissions::{Action, Role};
use postern_shared::wire::routes::Route;

mod common;
use common::{Reply, call, offline_state, v1};

struct World {
    _dir: tempfile::TempDir,
    app: axum::Router,
    org: i64,
    stranger_org: i64,
    owner: String,
    legal: String,
    user: String,
    stranger: String,
}

async fn login(app: &axum::Router, login: &str, password: &str) -> String {
    let body = serde_json::json!({ "login": login, "password": password, "client_ip": "1.2.3.4" });
    let r = call(
        app,
        "POST",
        &v1(Route::Login, ""),
        None,
        &[("content-type", "application/json")],
        Body::from(body.to_string()),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()["session_id"].as_str().unwrap().to_string()
}

async fn world() -> World {
    let t = postern_gateway::db::testing::TestDb::new().await;
    let dir = t.dir;
    let p = Provisioner::from_db(t.db);
    let org = p.create_organization("Acme", "standard").await.unwrap();
    let other = p.create_organization("Other", "standard").await.unwrap();
    for (login, role) in [
        ("owner@a.test", Role::Owner),
        ("legal@a.test", Role::LegalRepresentative),
        ("user@a.test", Role::User),
    ] {
        p.create_account(org, login, "X", "password-123", role)
            .await
            .unwrap();
    }
    p.create_account(other, "owner@b.test", "B", "password-123", Role::Owner)
        .await
        .unwrap();
    let state = offline_state(
        p.db().clone(),
        &dir.path().join("blobs"),
        "http://127.0.0.1:1",
    );
    let app = router(state);
    World {
        owner: login(&app, "owner@a.test", "password-123").await,
        legal: login(&app, "legal@a.test", "password-123").await,
        user: login(&app, "user@a.test", "password-123").await,
        stranger: login(&app, "owner@b.test", "password-123").await,
        _dir: dir,
        app,
        org,
        stranger_org: other,
    }
}

async fn get(w: &World, session: &str, org: i64) -> Reply {
    let uri = v1(Route::GetOrganizationDetails { org }, "");
    call(&w.app, "GET", &uri, Some(session), &[], Body::empty()).await
}

async fn put(w: &World, session: &str, org: i64, d: &OrganizationDetails) -> Reply {
    let uri = v1(Route::PutOrganizationDetails { org }, "");
    let body = Body::from(serde_json::to_vec(d).unwrap());
    let h = [("content-type", "application/json")];
    call(&w.app, "PUT", &uri, Some(session), &h, body).await
}

async fn dpa(w: &World, session: &str, org: i64, lang: &str) -> Reply {
    let uri = v1(Route::DpaPdf { org }, &format!("lang={lang}"));
    call(&w.app, "GET", &uri, Some(session), &[], Body::empty()).await
}

fn details() -> OrganizationDetails {
    OrganizationDetails {
        legal_name: "Acme Ibérica S.L.".into(),
        postal_address: "Gran Vía 1\n28013 Madrid".into(),
        country: "España".into(),
        registration_number: "ESB00000000".into(),
        representative_name: "Ana Pérez".into(),
        representative_role: "Administradora".into(),
        contact_email: "dpo@acme.test".into(),
    }
}

#[tokio::test]
async fn owners_save_the_details_and_legal_representatives_read_them() {
    let w = world().await;
    let r = get(&w, &w.owner, w.org).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: OrganizationDetailsView = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        v.details.legal_name, "Acme",
        "the name until details are saved"
    );
    assert_eq!(v.updated_at, None);
    assert!(v.missing_for_dpa.contains(&DetailsField::PostalAddress));
    assert!(v.allowed.contains(&Action::ManageOrganization));

    let mut d = details();
    d.legal_name = "  Acme Ibérica S.L.  ".into();
    let r = put(&w, &w.owner, w.org, &d).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v: OrganizationDetailsView = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v.details, details(), "trimmed");
    assert!(v.missing_for_dpa.is_empty());
    assert!(v.updated_at.is_some());

    let r = get(&w, &w.legal, w.org).await;
    assert_eq!(r.status, StatusCode::OK);
    let v: OrganizationDetailsView = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v.details, details());
    assert!(!v.allowed.contains(&Action::ManageOrganization));
    assert!(!v.allowed.contains(&Action::GenerateDpa));

    let mut changed = details();
    changed.legal_name = "Hijacked".into();
    let r = put(&w, &w.legal, w.org, &changed).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.code(), "forbidden");
    assert_eq!(r.json()["message"], Action::ManageOrganization.refusal());
    for (session, org) in [
        (&w.user, w.org),
        (&w.stranger, w.org),
        (&w.owner, w.stranger_org),
    ] {
        assert_eq!(get(&w, session, org).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            put(&w, session, org, &changed).await.status,
            StatusCode::FORBIDDEN
        );
    }
    let v: OrganizationDetailsView =
        serde_json::from_slice(&get(&w, &w.owner, w.org).await.body).unwrap();
    assert_eq!(v.details.legal_name, "Acme Ibérica S.L.", "nothing changed");
}

#[tokio::test]
async fn a_detail_against_its_rule_is_a_typed_error_naming_the_field() {
    let w = world().await;
    type Spoil = fn(&mut OrganizationDetails);
    let cases: [(Spoil, &str, &str); 4] = [
        (|d| d.legal_name = " ".into(), "legal_name", "required"),
        (|d| d.country = "x".repeat(101), "country", "too_long"),
        (
            |d| d.representative_role = "a\nb".into(),
            "representative_role",
            "control_character",
        ),
        (
            |d| d.contact_email = "dpo".into(),
            "contact_email",
            "invalid_email",
        ),
    ];
    for (spoil, field, reason) in cases {
        let mut d = details();
        spoil(&mut d);
        let r = put(&w, &w.owner, w.org, &d).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        let j = r.json();
        assert_eq!(j["code"], "invalid_organization_details");
        assert_eq!(j["params"]["field"], field);
        assert_eq!(j["params"]["reason"], reason);
    }
    let j = {
        let mut d = details();
        d.country = "x".repeat(101);
        put(&w, &w.owner, w.org, &d).await.json()
    };
    assert_eq!(j["params"]["limit"], 100);
}

#[tokio::test]
async fn the_dpa_is_a_pdf_for_owners_once_the_details_are_complete() {
    let w = world().await;
    let r = dpa(&w, &w.owner, w.org, "en").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.code(), "dpa_details_missing");
    assert_eq!(r.json()["params"]["field"], "postal_address");

    assert_eq!(
        put(&w, &w.owner, w.org, &details()).await.status,
        StatusCode::OK
    );
    for lang in ["en", "es", "fr"] {
        let r = dpa(&w, &w.owner, w.org, lang).await;
        assert_eq!(r.status, StatusCode::OK, "{lang}");
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        let name = r.header(postern_shared::wire::headers::FILENAME).unwrap();
        assert!(
            name.starts_with("DPA-Acme-Iberica-S-L-") && name.ends_with(".pdf"),
            "{name}"
        );
        assert!(r.body.starts_with(b"%PDF-"));
    }
    for (session, org) in [(&w.legal, w.org), (&w.user, w.org), (&w.stranger, w.org)] {
        let r = dpa(&w, session, org, "en").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(r.code(), "forbidden");
    }
    assert_eq!(
        dpa(&w, &w.legal, w.org, "en").await.json()["message"],
        Action::GenerateDpa.refusal()
    );
}
