//! The personalised Data Processing Agreement (R-GDPR-1): the
//! organisation's legal details as controller, the host (configuration)
//! as processor, the clauses of `gateway/dpa/<lang>.toml`, typeset into an
//! A4 PDF by [`pdf`] (krilla, Debian's DejaVu fonts embedded as subsets).
//! Why krilla and our own line breaking rather than typst: ARCHITECTURE.md,
//! "The DPA".

pub mod layout;
pub mod pdf;
pub mod text;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use postern_shared::ErrorCode;
use postern_shared::organization::{dpa_file_name, missing_for_dpa};
use postern_shared::permissions::Action;
use postern_shared::wire::query::DpaQuery;

use crate::admin::access::OrgAccess;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub const CONTENT_TYPE: &str = "application/pdf";

/// The host as processor: `POSTERN_PROCESSOR_*` (see ARCHITECTURE.md).
#[derive(Debug, Clone, Default)]
pub struct ProcessorConfig {
    pub name: String,
    /// Postal address, one entry per line (`;` in the variable).
    pub address: Vec<String>,
    /// Data protection contact (an email address).
    pub contact: String,
    /// Who signs for the host ("Name, role").
    pub signatory: String,
    /// Where every byte is kept: `Spain`, or per language
    /// `en=Spain;es=España` (the first is the default).
    pub jurisdiction: String,
    /// The service's name in the clauses.
    pub service: String,
    /// Each sub-processor as one line ("Name, what for, where").
    pub subprocessors: Vec<String>,
}

impl ProcessorConfig {
    /// The jurisdiction as written in `lang`.
    pub fn jurisdiction_in(&self, lang: &str) -> &str {
        if !self.jurisdiction.contains('=') {
            return &self.jurisdiction;
        }
        let pairs = self
            .jurisdiction
            .split(';')
            .filter_map(|p| p.split_once('='));
        let mut first = None;
        for (code, name) in pairs {
            first.get_or_insert(name.trim());
            if code.trim().eq_ignore_ascii_case(lang) {
                return name.trim();
            }
        }
        first.unwrap_or("")
    }
}

#[derive(Debug, Clone)]
pub struct DpaConfig {
    /// `None` when `POSTERN_PROCESSOR_NAME` is unset: no DPA is offered.
    pub processor: Option<ProcessorConfig>,
    /// `POSTERN_DPA_FONT_DIR` (default Debian's fonts-dejavu-core).
    pub font_dir: PathBuf,
}

pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/truetype/dejavu";

/// Where data are kept when `POSTERN_DATA_JURISDICTION` is unset: the
/// European Union, in each language of the agreement.
pub const DEFAULT_JURISDICTION: &str = "en=the European Union;es=la Unión Europea;\
     fr=l’Union européenne;de=die Europäische Union;it=l’Unione europea";

/// What the route needs at hand: the configuration and the fonts, read
/// from disk once at start.
pub struct Dpa {
    pub processor: Option<ProcessorConfig>,
    fonts: Option<pdf::Fonts>,
}

impl Dpa {
    pub fn new(config: &DpaConfig) -> Dpa {
        let fonts = match load_fonts(&config.font_dir) {
            Ok(f) => Some(f),
            Err(e) => {
                tracing::warn!(dir = %config.font_dir.display(), error = %e, "DPA fonts not found: no DPA");
                None
            }
        };
        if config.processor.is_none() {
            tracing::warn!("POSTERN_PROCESSOR_NAME is not set: no DPA");
        }
        Dpa {
            processor: config.processor.clone(),
            fonts,
        }
    }

    /// The PDF for `details` in `lang`, dated `date`.
    pub fn render(
        &self,
        details: &postern_shared::organization::OrganizationDetails,
        lang: text::Lang,
        date: (i32, u8, u8),
    ) -> AppResult<Vec<u8>> {
        let (Some(processor), Some(fonts)) = (&self.processor, &self.fonts) else {
            return Err(ErrorCode::DpaUnavailable.into());
        };
        let blocks = text::document(
            lang,
            &text::Facts {
                controller: details,
                processor,
                date,
            },
        );
        let t = text::texts(lang);
        pdf::render(
            fonts,
            &blocks,
            &pdf::Info {
                title: &format!("{} — {}", t.title, details.legal_name),
                author: &processor.name,
                language: lang.code(),
                date,
                page_label: &t.page,
            },
        )
        .map_err(AppError::internal)
    }
}

pub fn load_fonts(dir: &Path) -> Result<pdf::Fonts, String> {
    let face = |name: &str| -> Result<pdf::Face, String> {
        let path = dir.join(name);
        let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        pdf::Face::new(data).ok_or_else(|| format!("{}: not a font", path.display()))
    };
    Ok(pdf::Fonts {
        serif: face("DejaVuSerif.ttf")?,
        serif_bold: face("DejaVuSerif-Bold.ttf")?,
        sans_bold: face("DejaVuSans-Bold.ttf")?,
        sans: face("DejaVuSans.ttf")?,
    })
}

/// Today (UTC) as (year, month, day).
pub fn today() -> (i32, u8, u8) {
    let d = time::OffsetDateTime::now_utc().date();
    (d.year(), d.month() as u8, d.day())
}

/// `GET /v1/orgs/{org}/dpa.pdf?lang=` (R-GDPR-1): owners and
/// administrators; 409 `dpa_details_missing` until the details it needs
/// are filled in.
pub async fn download(
    State(state): State<AppState>,
    access: OrgAccess,
    Query(q): Query<DpaQuery>,
) -> AppResult<Response> {
    access.require(Action::GenerateDpa)?;
    let (_, details, _) = crate::admin::organization::load(&state.db, access.organization).await?;
    if let Some(field) = missing_for_dpa(&details).first() {
        return Err(AppError::from(ErrorCode::DpaDetailsMissing)
            .with(|p| p.field = Some(field.as_str().into())));
    }
    let lang = text::Lang::pick(q.lang.as_deref());
    let date = today();
    let dpa: Arc<Dpa> = state.dpa.clone();
    let d = details.clone();
    let started = std::time::Instant::now();
    let bytes = tokio::task::spawn_blocking(move || dpa.render(&d, lang, date))
        .await
        .map_err(AppError::internal)??;
    tracing::info!(
        organization = access.organization,
        lang = lang.code(),
        bytes = bytes.len(),
        ms = started.elapsed().as_millis() as u64,
        "DPA made"
    );
    let (y, m, dd) = date;
    let name = dpa_file_name(&details.legal_name, &format!("{y:04}-{m:02}-{dd:02}"));
    Ok((
        [
            (header::CONTENT_TYPE, CONTENT_TYPE.to_string()),
            (
                header::HeaderName::from_static(postern_shared::wire::headers::FILENAME),
                postern_shared::wire::filename::encode_header(&name),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use postern_shared::organization::OrganizationDetails;

    fn processor() -> ProcessorConfig {
        ProcessorConfig {
            name: "Postern Hosting AG".into(),
            address: vec!["Bahnhofstrasse 1".into(), "8001 Zürich".into()],
            contact: "privacy@postern.test".into(),
            signatory: "Hanna Müller, CEO".into(),
            jurisdiction: "Switzerland".into(),
            service: "Postern".into(),
            subprocessors: vec!["Infra SA, data centre, Geneva".into()],
        }
    }

    fn dpa() -> Dpa {
        Dpa {
            processor: Some(processor()),
            fonts: Some(load_fonts(Path::new(DEFAULT_FONT_DIR)).expect("fonts-dejavu-core")),
        }
    }

    fn details(name: &str) -> OrganizationDetails {
        OrganizationDetails {
            legal_name: name.into(),
            postal_address: "Calle Mayor 1\n28013 Madrid".into(),
            country: "España".into(),
            registration_number: "ESB12345678".into(),
            representative_name: "Ana Pérez".into(),
            representative_role: "Directora".into(),
            contact_email: "dpo@example.com".into(),
        }
    }

    #[test]
    fn a_dpa_is_a_pdf_of_several_pages_in_well_under_a_second() {
        let dpa = dpa();
        for lang in text::Lang::ALL {
            let t = std::time::Instant::now();
            let pdf = dpa
                .render(&details("Ejemplo Servicios S.L."), lang, (2026, 12, 2))
                .unwrap();
            let ms = t.elapsed().as_millis();
            if let Ok(dir) = std::env::var("POSTERN_DPA_DUMP") {
                std::fs::write(format!("{dir}/dpa-{}.pdf", lang.code()), &pdf).unwrap();
            }
            assert!(pdf.starts_with(b"%PDF-"), "{lang:?}");
            let text = String::from_utf8_lossy(&pdf);
            assert!(text.contains("/FontFile2"), "fonts embedded");
            // Debug builds are slower than the release gateway; still bounded.
            assert!(ms < 3000, "{lang:?}: {ms} ms");
        }
    }

    #[test]
    fn hostile_names_still_make_a_pdf() {
        let dpa = dpa();
        for name in [
            r"Evil ) \ ( Ltd",
            "(((((((((",
            r"\\\\\\\\",
            "שלום עולם Ltd",
            "شركة مثال",
            &"Ñ".repeat(200),
            "Straße Ça Ñandú Ærø",
            "{processor} {n} {m}",
        ] {
            let pdf = dpa
                .render(&details(name), text::Lang::En, (2026, 1, 1))
                .unwrap();
            if let Ok(dir) = std::env::var("POSTERN_DPA_DUMP") {
                std::fs::write(format!("{dir}/hostile-{}.pdf", name.len()), &pdf).unwrap();
            }
            assert!(pdf.starts_with(b"%PDF-"), "{name}");
            assert!(
                pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"),
                "{name}"
            );
        }
    }

    #[test]
    fn the_jurisdiction_is_written_in_the_agreement_s_language() {
        let mut p = processor();
        assert_eq!(p.jurisdiction_in("es"), "Switzerland");
        p.jurisdiction = "en=Spain;es=España".into();
        assert_eq!(p.jurisdiction_in("es"), "España");
        assert_eq!(p.jurisdiction_in("en"), "Spain");
        assert_eq!(p.jurisdiction_in("de"), "Spain", "the first is the default");
        p.jurisdiction = DEFAULT_JURISDICTION.into();
        for lang in text::Lang::ALL {
            assert!(
                p.jurisdiction_in(lang.code())
                    .to_lowercase()
                    .contains("europ"),
                "{lang:?}: {}",
                p.jurisdiction_in(lang.code())
            );
        }
        assert_eq!(p.jurisdiction_in("de"), "die Europäische Union");
    }

    #[test]
    fn without_a_processor_there_is_no_dpa() {
        let mut d = dpa();
        d.processor = None;
        let e = d
            .render(&details("X"), text::Lang::En, (2026, 1, 1))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::DpaUnavailable);
    }
}
