//! An organisation's legal details (R-GDPR-1): who the controller is in
//! its Data Processing Agreement. The rules of each field are here, once:
//! the gateway enforces them, the portal checks them as they are typed.

use serde::{Deserialize, Serialize};

use crate::permissions::Action;

/// What the administration edits and the DPA prints. Every field is plain
/// text as typed (trimmed); the PDF typesets it, nothing interprets it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDetails {
    /// The registered name ("Ejemplo Servicios S.L.").
    pub legal_name: String,
    /// Street, post code, town: several lines.
    pub postal_address: String,
    pub country: String,
    /// VAT or company registration number.
    pub registration_number: String,
    /// Who signs for the organisation, and as what.
    pub representative_name: String,
    pub representative_role: String,
    /// Where the host writes about data protection (a breach, a new
    /// sub-processor).
    pub contact_email: String,
}

/// One field of [`OrganizationDetails`], by its wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DetailsField {
    LegalName,
    PostalAddress,
    Country,
    RegistrationNumber,
    RepresentativeName,
    RepresentativeRole,
    ContactEmail,
}

impl DetailsField {
    pub const ALL: [DetailsField; 7] = [
        DetailsField::LegalName,
        DetailsField::PostalAddress,
        DetailsField::Country,
        DetailsField::RegistrationNumber,
        DetailsField::RepresentativeName,
        DetailsField::RepresentativeRole,
        DetailsField::ContactEmail,
    ];

    /// The fields a DPA cannot be made without (the controller must be
    /// named, located and represented).
    pub const REQUIRED_FOR_DPA: [DetailsField; 4] = [
        DetailsField::LegalName,
        DetailsField::PostalAddress,
        DetailsField::Country,
        DetailsField::RepresentativeName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DetailsField::LegalName => "legal_name",
            DetailsField::PostalAddress => "postal_address",
            DetailsField::Country => "country",
            DetailsField::RegistrationNumber => "registration_number",
            DetailsField::RepresentativeName => "representative_name",
            DetailsField::RepresentativeRole => "representative_role",
            DetailsField::ContactEmail => "contact_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        DetailsField::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The most characters the field may have.
    pub fn limit(self) -> usize {
        match self {
            DetailsField::LegalName | DetailsField::RepresentativeName => 200,
            DetailsField::PostalAddress => 500,
            DetailsField::ContactEmail => 254,
            DetailsField::Country
            | DetailsField::RegistrationNumber
            | DetailsField::RepresentativeRole => 100,
        }
    }

    /// Only the postal address has several lines.
    pub fn multiline(self) -> bool {
        self == DetailsField::PostalAddress
    }

    pub fn get(self, d: &OrganizationDetails) -> &str {
        match self {
            DetailsField::LegalName => &d.legal_name,
            DetailsField::PostalAddress => &d.postal_address,
            DetailsField::Country => &d.country,
            DetailsField::RegistrationNumber => &d.registration_number,
            DetailsField::RepresentativeName => &d.representative_name,
            DetailsField::RepresentativeRole => &d.representative_role,
            DetailsField::ContactEmail => &d.contact_email,
        }
    }

    pub fn get_mut(self, d: &mut OrganizationDetails) -> &mut String {
        match self {
            DetailsField::LegalName => &mut d.legal_name,
            DetailsField::PostalAddress => &mut d.postal_address,
            DetailsField::Country => &mut d.country,
            DetailsField::RegistrationNumber => &mut d.registration_number,
            DetailsField::RepresentativeName => &mut d.representative_name,
            DetailsField::RepresentativeRole => &mut d.representative_role,
            DetailsField::ContactEmail => &mut d.contact_email,
        }
    }
}

/// Why a field is refused (the `reason` of `invalid_organization_details`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetailsProblem {
    /// The legal name is empty.
    Required,
    /// More characters than [`DetailsField::limit`].
    TooLong,
    /// A control character (a line break outside the postal address).
    ControlCharacter,
    /// The contact email is not `local@domain.tld`.
    InvalidEmail,
}

impl DetailsProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            DetailsProblem::Required => "required",
            DetailsProblem::TooLong => "too_long",
            DetailsProblem::ControlCharacter => "control_character",
            DetailsProblem::InvalidEmail => "invalid_email",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            DetailsProblem::Required,
            DetailsProblem::TooLong,
            DetailsProblem::ControlCharacter,
            DetailsProblem::InvalidEmail,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// The details as they are stored: every field trimmed (the postal
/// address line by line, without blank lines, `\r\n` read as `\n`), or the
/// first field that breaks its rule.
pub fn clean(
    d: &OrganizationDetails,
) -> Result<OrganizationDetails, (DetailsField, DetailsProblem)> {
    let mut out = OrganizationDetails::default();
    for f in DetailsField::ALL {
        let raw = f.get(d);
        let value = if f.multiline() {
            raw.split('\n')
                .map(|l| l.trim())
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            raw.trim().to_string()
        };
        if value
            .chars()
            .any(|c| c.is_control() && !(f.multiline() && c == '\n'))
        {
            return Err((f, DetailsProblem::ControlCharacter));
        }
        if value.chars().count() > f.limit() {
            return Err((f, DetailsProblem::TooLong));
        }
        if f == DetailsField::LegalName && value.is_empty() {
            return Err((f, DetailsProblem::Required));
        }
        if f == DetailsField::ContactEmail && !value.is_empty() && !plausible_email(&value) {
            return Err((f, DetailsProblem::InvalidEmail));
        }
        *f.get_mut(&mut out) = value;
    }
    Ok(out)
}

/// `local@domain.tld` without spaces: a contact address people type, not
/// RFC 5322's every corner.
fn plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c == '<' || c == '>')
}

/// The fields a DPA still needs, in form order (empty: it can be made).
pub fn missing_for_dpa(d: &OrganizationDetails) -> Vec<DetailsField> {
    DetailsField::REQUIRED_FOR_DPA
        .into_iter()
        .filter(|f| f.get(d).trim().is_empty())
        .collect()
}

/// `GET /api/orgs/{org}/details`: the details (empty fields when never
/// set), what the caller's role may do with them, what the DPA lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDetailsView {
    /// The organisation's name in Postern (the legal name's default).
    pub name: String,
    pub details: OrganizationDetails,
    /// The caller's actions (`manage_organization`, `generate_dpa`, …).
    pub allowed: Vec<Action>,
    /// What the DPA still needs before it can be made.
    pub missing_for_dpa: Vec<DetailsField>,
    /// When the details were last saved (Unix seconds); `None`: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<i64>,
}

/// The DPA's file name: `DPA-<legal name>-<yyyy-mm-dd>.pdf`, the name
/// reduced to ASCII letters, digits and `-` (a download's name should
/// survive every file system; the header carries it percent-encoded
/// anyway).
pub fn dpa_file_name(legal_name: &str, date: &str) -> String {
    let mut slug = String::new();
    for c in legal_name.chars() {
        let c = fold_ascii(c);
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("DPA-{date}.pdf")
    } else {
        format!("DPA-{slug}-{date}.pdf")
    }
}

/// The letters of es/fr/de/it without their accents (`é` → `e`).
fn fold_ascii(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' => 'O',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'Ú' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ñ' => 'n',
        'Ñ' => 'N',
        'ç' => 'c',
        'Ç' => 'C',
        'ß' => 's',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> OrganizationDetails {
        OrganizationDetails {
            legal_name: "  Ejemplo Servicios S.L. ".into(),
            postal_address: "Calle Mayor 1\r\n\r\n  28013 Madrid ".into(),
            country: "España".into(),
            registration_number: "ESB12345678".into(),
            representative_name: "Ana Pérez".into(),
            representative_role: "Directora".into(),
            contact_email: "dpo@example.com".into(),
        }
    }

    #[test]
    fn details_are_trimmed_and_the_address_keeps_its_lines() {
        let c = clean(&demo()).unwrap();
        assert_eq!(c.legal_name, "Ejemplo Servicios S.L.");
        assert_eq!(c.postal_address, "Calle Mayor 1\n28013 Madrid");
        assert!(missing_for_dpa(&c).is_empty());
    }

    #[test]
    fn each_rule_names_its_field() {
        let mut d = demo();
        d.legal_name = "   ".into();
        assert_eq!(
            clean(&d),
            Err((DetailsField::LegalName, DetailsProblem::Required))
        );
        let mut d = demo();
        d.country = "Spain\nBcc".into();
        assert_eq!(
            clean(&d),
            Err((DetailsField::Country, DetailsProblem::ControlCharacter))
        );
        let mut d = demo();
        d.postal_address = "a\u{0}".into();
        assert_eq!(
            clean(&d),
            Err((
                DetailsField::PostalAddress,
                DetailsProblem::ControlCharacter
            ))
        );
        let mut d = demo();
        d.representative_name = "é".repeat(201);
        assert_eq!(
            clean(&d),
            Err((DetailsField::RepresentativeName, DetailsProblem::TooLong))
        );
        d.representative_name = "é".repeat(200);
        assert!(clean(&d).is_ok(), "the limit is in characters, not bytes");
        for bad in [
            "dpo", "dpo@", "@x.es", "a b@x.es", "a@x", "a@@x.es", "a@x.es.",
        ] {
            let mut d = demo();
            d.contact_email = bad.into();
            assert_eq!(
                clean(&d),
                Err((DetailsField::ContactEmail, DetailsProblem::InvalidEmail)),
                "{bad}"
            );
        }
    }

    #[test]
    fn hostile_names_are_kept_as_typed() {
        let mut d = demo();
        d.legal_name = r"Evil ) \ ( Ltd <b> ‏שלום".into();
        assert_eq!(clean(&d).unwrap().legal_name, d.legal_name);
    }

    #[test]
    fn the_dpa_needs_name_address_country_and_representative() {
        let d = OrganizationDetails {
            legal_name: "X".into(),
            ..Default::default()
        };
        assert_eq!(
            missing_for_dpa(&d),
            vec![
                DetailsField::PostalAddress,
                DetailsField::Country,
                DetailsField::RepresentativeName
            ]
        );
    }

    #[test]
    fn file_names_are_ascii_and_dated() {
        assert_eq!(
            dpa_file_name("Ejemplo Servicios S.L.", "2026-12-02"),
            "DPA-Ejemplo-Servicios-S-L-2026-12-02.pdf"
        );
        assert_eq!(
            dpa_file_name("Café Ñandú", "2026-01-01"),
            "DPA-Cafe-Nandu-2026-01-01.pdf"
        );
        assert_eq!(dpa_file_name(r") \ (", "2026-01-01"), "DPA-2026-01-01.pdf");
        assert_eq!(dpa_file_name("שלום", "2026-01-01"), "DPA-2026-01-01.pdf");
        assert!(dpa_file_name(&"a".repeat(500), "2026-01-01").len() < 80);
        for f in DetailsField::ALL {
            assert_eq!(DetailsField::parse(f.as_str()), Some(f));
        }
    }
}
