//! The DPA figure (R-GDPR-1): the personalised PDF through the edge, from
//! the request to its last byte, for an organisation whose details are
//! complete (`dpa_pdf_ms`, the median of 20 after 2 warm-ups, English and
//! Spanish alternately).

use std::time::Instant;

use postern_shared::organization::{OrganizationDetails, OrganizationDetailsView};
use postern_shared::permissions::Role;
use postern_shared::wire::query::DpaQuery;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, api_path};

use crate::Result;

pub async fn measure() -> Result<Vec<f64>> {
    println!("→ DPA: the personalised PDF through the edge, 20 times");
    let fx = Fixture::with_role(Role::Owner).await;
    let details = OrganizationDetails {
        legal_name: "Bench Servicios Ibéricos S.L.".into(),
        postal_address: "Calle de Alcalá 7\n28014 Madrid".into(),
        country: "España".into(),
        registration_number: "ESB00000001".into(),
        representative_name: "Íñigo Muñoz".into(),
        representative_role: "Consejero delegado".into(),
        contact_email: "dpo@bench.test".into(),
    };
    let _: OrganizationDetailsView = fx
        .api
        .put(
            &Route::PutOrganizationDetails { org: fx.org }.path(),
            &details,
        )
        .await
        .map_err(|e| format!("organisation details: {e}"))?;
    let mut samples = Vec::new();
    for i in 0..22 {
        let lang = if i % 2 == 0 { "en" } else { "es" };
        let path = api_path(
            Route::DpaPdf { org: fx.org },
            &DpaQuery {
                lang: Some(lang.into()),
            },
        );
        let t = Instant::now();
        let resp = fx.api.request(reqwest::Method::GET, &path).send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if !status.is_success() || !bytes.starts_with(b"%PDF-") {
            return Err(format!("DPA: HTTP {status}").into());
        }
        if i >= 2 {
            samples.push(ms);
        }
    }
    Ok(samples)
}
