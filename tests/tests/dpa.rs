//! The personalised DPA (R-GDPR-1) on the real stack: through the edge,
//! the organisation's details saved by its owner come back in a real PDF
//! — its text as Debian's `pdftotext` extracts it holds the organisation's
//! name and every clause heading, in each of the five languages
//! (English, Spanish, French, German, Italian); `pdffonts`
//! lists only embedded fonts; a hostile name still makes a valid PDF that
//! shows it — and roles without the right get the typed 403.

use std::process::Command;

use postern_shared::ErrorCode;
use postern_shared::organization::{OrganizationDetails, OrganizationDetailsView};
use postern_shared::permissions::{Action, Role};
use postern_shared::wire::query::DpaQuery;
use postern_shared::wire::routes::Route;
use postern_tests::fixtures::{Fixture, api_path};
use postern_tests::unique;

const HEADINGS_EN: [&str; 13] = [
    "1. Subject matter",
    "2. Duration",
    "3. Nature and purpose of the processing",
    "4. Categories of personal data and of data subjects",
    "5. Obligations of the Controller",
    "6. Obligations of the Processor",
    "7. Technical and organisational security measures",
    "8. Location of the data",
    "9. Personal data breaches",
    "10. Sub-processors",
    "11. Isolation between customers",
    "12. Security testing",
    "13. Deletion or return of data at the end",
];

const HEADINGS_ES: [&str; 13] = [
    "1. Objeto",
    "2. Duración",
    "3. Naturaleza y finalidad del tratamiento",
    "4. Categorías de datos personales y de interesados",
    "5. Obligaciones del Responsable",
    "6. Obligaciones del Encargado",
    "7. Medidas de seguridad técnicas y organizativas",
    "8. Ubicación de los datos",
    "9. Violaciones de la seguridad de los datos",
    "10. Subencargados",
    "11. Aislamiento entre clientes",
    "12. Pruebas de seguridad",
    "13. Supresión o devolución de los datos al finalizar",
];

const HEADINGS_FR: [&str; 13] = [
    "1. Objet",
    "2. Durée",
    "3. Nature et finalité du traitement",
    "4. Catégories de données à caractère personnel et de personnes concernées",
    "5. Obligations du Responsable du traitement",
    "6. Obligations du Sous-traitant",
    "7. Mesures de sécurité techniques et organisationnelles",
    "8. Localisation des données",
    "9. Violations de données à caractère personnel",
    "10. Sous-traitants ultérieurs",
    "11. Cloisonnement entre les clients",
    "12. Tests de sécurité",
    "13. Suppression ou restitution des données au terme du service",
];

const HEADINGS_DE: [&str; 13] = [
    "1. Gegenstand",
    "2. Dauer",
    "3. Art und Zweck der Verarbeitung",
    "4. Kategorien personenbezogener Daten und betroffener Personen",
    "5. Pflichten des Verantwortlichen",
    "6. Pflichten des Auftragsverarbeiters",
    "7. Technische und organisatorische Sicherheitsmaßnahmen",
    "8. Speicherort der Daten",
    "9. Verletzungen des Schutzes personenbezogener Daten",
    "10. Unterauftragsverarbeiter",
    "11. Mandantentrennung",
    "12. Sicherheitstests",
    "13. Löschung oder Rückgabe der Daten bei Vertragsende",
];

const HEADINGS_IT: [&str; 13] = [
    "1. Oggetto",
    "2. Durata",
    "3. Natura e finalità del trattamento",
    "4. Categorie di dati personali e di interessati",
    "5. Obblighi del Titolare",
    "6. Obblighi del Responsabile",
    "7. Misure di sicurezza tecniche e organizzative",
    "8. Ubicazione dei dati",
    "9. Violazioni dei dati personali",
    "10. Sub-responsabili del trattamento",
    "11. Separazione tra i clienti",
    "12. Test di sicurezza",
    "13. Cancellazione o restituzione dei dati al termine del servizio",
];

fn details(name: &str) -> OrganizationDetails {
    OrganizationDetails {
        legal_name: name.into(),
        postal_address: "Calle de Alcalá 7, 2.º izq.\n28014 Madrid".into(),
        country: "España".into(),
        registration_number: "ESB87654321".into(),
        representative_name: "Íñigo Muñoz".into(),
        representative_role: "Consejero delegado".into(),
        contact_email: "dpo@ejemplo.test".into(),
    }
}

async fn save(fx: &Fixture, d: &OrganizationDetails) {
    let v: OrganizationDetailsView = fx
        .api
        .put(&Route::PutOrganizationDetails { org: fx.org }.path(), d)
        .await
        .expect("details saved");
    assert!(v.missing_for_dpa.is_empty());
}

/// The PDF in `lang` as the browser downloads it: (status, content type,
/// content disposition, bytes).
async fn download(
    api: &postern_tests::ApiClient,
    org: i64,
    lang: &str,
) -> (u16, String, String, Vec<u8>) {
    let path = api_path(
        Route::DpaPdf { org },
        &DpaQuery {
            lang: Some(lang.into()),
        },
    );
    let resp = api
        .request(reqwest::Method::GET, &path)
        .send()
        .await
        .unwrap();
    let h = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let (status, ct, cd) = (
        resp.status().as_u16(),
        h("content-type"),
        h("content-disposition"),
    );
    (status, ct, cd, resp.bytes().await.unwrap().to_vec())
}

/// Runs a poppler tool on the PDF and answers its output.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dpa.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new(tool)
        .args(args)
        .arg(&file)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("{tool} (Debian's poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdffonts(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dpa.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdffonts")
        .arg(&file)
        .output()
        .expect("pdffonts");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

/// Words joined by single spaces: justification and line breaks make no
/// difference to what is searched.
fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn the_dpa_names_the_organisation_and_every_clause_in_every_language() {
    let fx = Fixture::with_role(Role::Owner).await;
    let name = format!("Ñandú Servicios Ibéricos {} S.L.", unique("org"));
    save(&fx, &details(&name)).await;
    // Language, its headings, its page label, and the jurisdiction as
    // xtask's stack writes it for that language.
    for (lang, headings, page, jurisdiction) in [
        ("en", HEADINGS_EN, "Page 1 of", "Spain (European Union)"),
        ("es", HEADINGS_ES, "Página 1 de", "España (Unión Europea)"),
        (
            "fr",
            HEADINGS_FR,
            "Page 1 sur",
            "Espagne (Union européenne)",
        ),
        (
            "de",
            HEADINGS_DE,
            "Seite 1 von",
            "Spanien (Europäische Union)",
        ),
        ("it", HEADINGS_IT, "Pagina 1 di", "Spagna (Unione europea)"),
    ] {
        let started = std::time::Instant::now();
        let (status, ct, cd, pdf) = download(&fx.api, fx.org, lang).await;
        let ms = started.elapsed().as_millis();
        assert_eq!(status, 200, "{lang}: {}", String::from_utf8_lossy(&pdf));
        assert_eq!(ct, "application/pdf");
        assert!(
            cd.starts_with("attachment") && cd.contains("DPA-Nandu-Servicios-Ibericos-"),
            "{cd}"
        );
        assert!(
            pdf.starts_with(b"%PDF-") && pdf.len() > 10_000,
            "{lang}: {} bytes",
            pdf.len()
        );
        assert!(ms < 1000, "{lang}: {ms} ms");
        let text = words(&poppler("pdftotext", &["-enc", "UTF-8"], &pdf));
        assert!(text.contains(&name), "{lang}: the controller's name");
        assert!(text.contains("Íñigo Muñoz"), "{lang}");
        assert!(
            text.contains("Postern Demo Hosting S.L."),
            "{lang}: the processor"
        );
        for h in headings {
            assert!(text.contains(h), "{lang}: heading {h:?} missing in\n{text}");
        }
        assert!(text.contains(page), "{lang}: page numbers");
        assert!(
            text.contains(jurisdiction),
            "{lang}: the jurisdiction in its language"
        );
        let fonts = pdffonts(&pdf);
        let rows: Vec<&str> = fonts.lines().skip(2).collect();
        assert!(!rows.is_empty(), "{fonts}");
        for row in rows {
            // name type encoding emb sub uni …: every font embedded, as a subset.
            let cols: Vec<&str> = row.split_whitespace().collect();
            let n = cols.len();
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
            assert!(cols[0].contains("DejaVu"), "{row}");
        }
    }
    // The language picked by its primary code; unknown ones are English.
    let (_, _, _, pdf) = download(&fx.api, fx.org, "de-CH").await;
    let text = words(&poppler("pdftotext", &["-enc", "UTF-8"], &pdf));
    assert!(text.contains(HEADINGS_DE[10]), "de-CH is German");
    let (_, _, _, pdf) = download(&fx.api, fx.org, "pt-BR").await;
    assert!(words(&poppler("pdftotext", &[], &pdf)).contains(HEADINGS_EN[0]));
}

#[tokio::test]
async fn a_hostile_organisation_name_still_makes_a_valid_pdf_showing_it() {
    let fx = Fixture::with_role(Role::Owner).await;
    let long = "Ç".repeat(150);
    for name in [
        r"Evil ) \ ( Ltd (((\)",
        "Straße Ærø Œuvre Ça Ñ",
        long.as_str(),
        "שלום Ltd",
        "{processor} %PDF-1.0 endobj",
    ] {
        save(&fx, &details(name)).await;
        let (status, _, _, pdf) = download(&fx.api, fx.org, "en").await;
        assert_eq!(status, 200, "{name}");
        // pdftotext fails on a broken file.
        let text = words(&poppler("pdftotext", &["-enc", "UTF-8"], &pdf));
        if name == long {
            // Cut to fit the line: all its letters are there.
            assert!(
                text.matches('Ç').count() >= 150 * 2,
                "name and signature block"
            );
        } else if name.contains('ש') {
            assert!(text.contains("Ltd") && text.contains("שלום"), "{text}");
        } else {
            assert!(text.contains(name), "{name:?} in\n{text}");
        }
    }
}

#[tokio::test]
async fn only_owners_and_administrators_download_it() {
    let owner = Fixture::with_role(Role::Owner).await;
    save(&owner, &details("Acme Privada S.A.")).await;
    let p = postern_tests::fixtures::provisioner().await;
    let mut clients = Vec::new();
    for role in [Role::Administrator, Role::LegalRepresentative, Role::User] {
        let login = format!("{}@login.test", unique("dpa"));
        p.create_account(owner.org, &login, "M", "pw-Member-Horse-1", role)
            .await
            .unwrap();
        let mut api = owner.stack.client();
        api.login(&login, "pw-Member-Horse-1").await.unwrap();
        clients.push((role, api));
    }
    p.db().close().await;
    for (role, api) in &clients {
        let (status, ct, _, body) = download(api, owner.org, "es").await;
        if *role == Role::Administrator {
            assert_eq!((status, ct.as_str()), (200, "application/pdf"));
            continue;
        }
        assert_eq!(status, 403, "{role:?}");
        let e: postern_shared::ApiError = serde_json::from_slice(&body).unwrap();
        assert_eq!(e.code, ErrorCode::Forbidden);
        if *role == Role::LegalRepresentative {
            assert_eq!(e.message, Action::GenerateDpa.refusal());
            // They read the details, and may not change them.
            let v: OrganizationDetailsView = api
                .get(&Route::GetOrganizationDetails { org: owner.org }.path())
                .await
                .unwrap();
            assert_eq!(v.details.legal_name, "Acme Privada S.A.");
            let err = api
                .put::<_, OrganizationDetailsView>(
                    &Route::PutOrganizationDetails { org: owner.org }.path(),
                    &details("Hijack"),
                )
                .await
                .unwrap_err();
            assert_eq!((err.status, err.code()), (403, ErrorCode::Forbidden));
        }
    }
    // Another organisation's owner: the same 403.
    let stranger = Fixture::with_role(Role::Owner).await;
    assert_eq!(download(&stranger.api, owner.org, "en").await.0, 403);
}
