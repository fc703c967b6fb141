//! The DPA's words: the clause texts of one language (`gateway/dpa/<lang>.toml`,
//! compiled in) filled with the organisation's and the host's details,
//! as a list of blocks for the typesetter.

use std::sync::OnceLock;

use postern_shared::organization::OrganizationDetails;
use serde::Deserialize;

use super::ProcessorConfig;

/// The languages a DPA is written in (the UI's five). Others fall back
/// to English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
    Fr,
    De,
    It,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::It];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::It => "it",
        }
    }

    /// By the primary code: `es`, `es-ES`, `ES_es` → Spanish, `de-CH` →
    /// German; anything else, or nothing, English.
    pub fn pick(code: Option<&str>) -> Lang {
        let code = code.unwrap_or("").trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or("");
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == primary)
            .unwrap_or(Lang::En)
    }

    /// The language's TOML file, compiled in.
    pub(super) fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!("../../dpa/en.toml"),
            Lang::Es => include_str!("../../dpa/es.toml"),
            Lang::Fr => include_str!("../../dpa/fr.toml"),
            Lang::De => include_str!("../../dpa/de.toml"),
            Lang::It => include_str!("../../dpa/it.toml"),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Texts {
    pub title: String,
    pub subtitle: String,
    pub between: String,
    pub controller_role: String,
    pub processor_role: String,
    pub and: String,
    pub registration: String,
    pub country: String,
    pub represented_by: String,
    pub represented_by_name: String,
    pub contact: String,
    pub made_on: String,
    pub page: String,
    pub signatures: String,
    pub for_controller: String,
    pub for_processor: String,
    pub signature: String,
    pub date: String,
    pub place: String,
    pub no_subprocessors: String,
    pub date_format: String,
    /// How the first day of a month is written where it is not `1`
    /// (French "1er", Italian "1º").
    #[serde(default)]
    pub first_day: Option<String>,
    pub months: Vec<String>,
    pub clause: Vec<Clause>,
}

#[derive(Debug, Deserialize)]
pub struct Clause {
    pub heading: String,
    pub text: Vec<String>,
}

/// The texts of `lang`, parsed once. The files are compiled in and a unit
/// test parses every one, so a failure here is a broken build.
pub fn texts(lang: Lang) -> &'static Texts {
    static CACHE: [OnceLock<Texts>; Lang::ALL.len()] = [const { OnceLock::new() }; Lang::ALL.len()];
    let i = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(0);
    CACHE[i].get_or_init(|| {
        toml::from_str(lang.source())
            .unwrap_or_else(|e| panic!("gateway/dpa/{}.toml: {e}", lang.code()))
    })
}

/// `template` with each `{key}` replaced by its value, in one pass: a
/// value is never read again, so a name typed as `{processor}` stays as
/// typed. Unknown keys stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((key, close)) if vars.iter().any(|(k, _)| *k == key) => {
                let value = vars.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
                out.push_str(value.unwrap_or_default());
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Justify,
    Left,
    Center,
}

/// Which face and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Title,
    Subtitle,
    Heading,
    Body,
    /// The parties' names.
    Strong,
    Small,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Para {
        text: String,
        style: Style,
        align: Align,
    },
    /// A list item (a bullet, indented).
    Item(String),
    /// A clause's heading: kept with the lines after it.
    Heading(String),
    /// Vertical space, in points.
    Gap(f32),
    /// The two signature blocks side by side, kept on one page.
    Signatures {
        heading: String,
        columns: [Vec<(String, Style)>; 2],
        labels: Vec<String>,
    },
}

/// What goes into one DPA.
pub struct Facts<'a> {
    pub controller: &'a OrganizationDetails,
    pub processor: &'a ProcessorConfig,
    /// (year, month 1–12, day).
    pub date: (i32, u8, u8),
}

pub fn date_text(t: &Texts, (y, m, d): (i32, u8, u8)) -> String {
    let month = t
        .months
        .get(usize::from(m.saturating_sub(1)))
        .map(String::as_str)
        .unwrap_or("");
    let day = match &t.first_day {
        Some(first) if d == 1 => first.clone(),
        _ => d.to_string(),
    };
    fill(
        &t.date_format,
        &[("day", &day), ("month", month), ("year", &y.to_string())],
    )
}

/// The whole agreement, block by block.
pub fn document(lang: Lang, f: &Facts) -> Vec<Block> {
    let t = texts(lang);
    let c = f.controller;
    let p = f.processor;
    let para = |text: String| Block::Para {
        text,
        style: Style::Body,
        align: Align::Justify,
    };
    let left = |text: String, style: Style| Block::Para {
        text,
        style,
        align: Align::Left,
    };
    let mut out = vec![
        Block::Para {
            text: t.title.clone(),
            style: Style::Title,
            align: Align::Center,
        },
        Block::Para {
            text: t.subtitle.clone(),
            style: Style::Subtitle,
            align: Align::Center,
        },
        Block::Gap(14.0),
        para(t.between.clone()),
        Block::Gap(4.0),
    ];
    // The controller.
    out.push(left(c.legal_name.clone(), Style::Strong));
    for line in c.postal_address.lines() {
        out.push(left(line.to_string(), Style::Body));
    }
    if !c.country.is_empty() {
        out.push(left(
            fill(&t.country, &[("value", &c.country)]),
            Style::Body,
        ));
    }
    if !c.registration_number.is_empty() {
        out.push(left(
            fill(&t.registration, &[("value", &c.registration_number)]),
            Style::Body,
        ));
    }
    let represented = if c.representative_role.is_empty() {
        fill(&t.represented_by_name, &[("name", &c.representative_name)])
    } else {
        fill(
            &t.represented_by,
            &[
                ("name", &c.representative_name),
                ("role", &c.representative_role),
            ],
        )
    };
    out.push(left(represented, Style::Body));
    if !c.contact_email.is_empty() {
        out.push(left(
            fill(&t.contact, &[("value", &c.contact_email)]),
            Style::Body,
        ));
    }
    out.push(left(t.controller_role.clone(), Style::Body));
    out.push(Block::Gap(4.0));
    out.push(para(t.and.clone()));
    out.push(Block::Gap(4.0));
    // The processor.
    out.push(left(p.name.clone(), Style::Strong));
    for line in &p.address {
        out.push(left(line.clone(), Style::Body));
    }
    if !p.contact.is_empty() {
        out.push(left(
            fill(&t.contact, &[("value", &p.contact)]),
            Style::Body,
        ));
    }
    out.push(left(t.processor_role.clone(), Style::Body));
    out.push(Block::Gap(6.0));

    let controller_contact = if c.contact_email.is_empty() {
        c.legal_name.as_str()
    } else {
        c.contact_email.as_str()
    };
    let vars: [(&str, &str); 6] = [
        ("controller", &c.legal_name),
        ("processor", &p.name),
        ("jurisdiction", p.jurisdiction_in(lang.code())),
        ("service", &p.service),
        ("controller_contact", controller_contact),
        ("processor_contact", &p.contact),
    ];
    for clause in &t.clause {
        out.push(Block::Heading(clause.heading.clone()));
        for line in &clause.text {
            if line == "{subprocessors}" {
                if p.subprocessors.is_empty() {
                    out.push(Block::Item(t.no_subprocessors.clone()));
                }
                for s in &p.subprocessors {
                    out.push(Block::Item(s.clone()));
                }
            } else if let Some(item) = line.strip_prefix("- ") {
                out.push(Block::Item(fill(item, &vars)));
            } else {
                out.push(para(fill(line, &vars)));
            }
        }
    }
    out.push(Block::Gap(8.0));
    out.push(para(fill(&t.made_on, &[("date", &date_text(t, f.date))])));
    let role = |name: &str, role: &str| {
        if role.is_empty() {
            name.to_string()
        } else {
            format!("{name}, {role}")
        }
    };
    out.push(Block::Signatures {
        heading: t.signatures.clone(),
        columns: [
            vec![
                (t.for_controller.clone(), Style::Strong),
                (c.legal_name.clone(), Style::Body),
                (
                    role(&c.representative_name, &c.representative_role),
                    Style::Body,
                ),
            ],
            vec![
                (t.for_processor.clone(), Style::Strong),
                (p.name.clone(), Style::Body),
                (p.signatory.clone(), Style::Body),
            ],
        ],
        labels: vec![t.place.clone(), t.date.clone(), t.signature.clone()],
    });
    out
}

/// Every string in `v`, depth first (the tests that read a language's
/// file as TOML, so a key added later is checked too).
#[cfg(test)]
pub(super) fn walk(v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::String(s) => out.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
        toml::Value::Table(t) => t.values().for_each(|v| walk(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_parses_with_the_same_clauses() {
        let en = texts(Lang::En);
        for lang in Lang::ALL {
            let t = texts(lang);
            assert_eq!(t.clause.len(), en.clause.len(), "{lang:?}");
            assert_eq!(t.months.len(), 12, "{lang:?}");
            for (a, b) in t.clause.iter().zip(&en.clause) {
                assert_eq!(
                    a.text.iter().filter(|l| *l == "{subprocessors}").count(),
                    b.text.iter().filter(|l| *l == "{subprocessors}").count(),
                    "{lang:?} {}",
                    a.heading
                );
            }
            assert!(t.page.contains("{n}") && t.page.contains("{m}"));
        }
    }

    #[test]
    fn languages_are_picked_by_their_primary_code() {
        assert_eq!(Lang::pick(Some("es")), Lang::Es);
        assert_eq!(Lang::pick(Some("ES-es")), Lang::Es);
        assert_eq!(Lang::pick(Some("fr")), Lang::Fr);
        assert_eq!(Lang::pick(Some("fr-CA")), Lang::Fr);
        assert_eq!(Lang::pick(Some("de-CH")), Lang::De);
        assert_eq!(Lang::pick(Some(" DE_at ")), Lang::De);
        assert_eq!(Lang::pick(Some("it-IT")), Lang::It);
        assert_eq!(Lang::pick(Some("pt-BR")), Lang::En);
        assert_eq!(Lang::pick(Some("")), Lang::En);
        assert_eq!(Lang::pick(None), Lang::En);
        for lang in Lang::ALL {
            assert_eq!(Lang::pick(Some(lang.code())), lang);
        }
    }

    /// The `{…}` names in `s`, sorted.
    fn placeholders(s: &str) -> Vec<String> {
        let mut out: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(k, _)| k.to_string()))
            .collect();
        out.sort();
        out
    }

    /// Every string of a language's file, by where it stands
    /// (`title`, `months`, `clause 3`): read from the TOML itself, so a
    /// key added later is compared too.
    fn strings_by_place(lang: Lang) -> Vec<(String, Vec<String>)> {
        let table: toml::Table = toml::from_str(lang.source()).expect("parses");
        let mut out = Vec::new();
        for (key, v) in &table {
            if let (true, Some(clauses)) = (key == "clause", v.as_array()) {
                for (i, c) in clauses.iter().enumerate() {
                    let mut s = Vec::new();
                    walk(c, &mut s);
                    out.push((format!("clause {}", i + 1), s));
                }
            } else {
                let mut s = Vec::new();
                walk(v, &mut s);
                out.push((key.clone(), s));
            }
        }
        out.sort();
        out
    }

    #[test]
    fn every_language_has_the_same_keys_and_placeholders_as_english() {
        let en = strings_by_place(Lang::En);
        for lang in Lang::ALL {
            let t = strings_by_place(lang);
            // `first_day` is the one key a language may add.
            let t: Vec<_> = t.into_iter().filter(|(p, _)| p != "first_day").collect();
            let places = |v: &[(String, Vec<String>)]| -> Vec<String> {
                v.iter().map(|(p, _)| p.clone()).collect()
            };
            assert_eq!(places(&t), places(&en), "{lang:?}: keys");
            for ((place, a), (_, b)) in t.iter().zip(&en) {
                assert_eq!(
                    placeholders(&a.concat()),
                    placeholders(&b.concat()),
                    "{lang:?}: the placeholders of {place}"
                );
            }
        }
    }

    #[test]
    fn values_are_filled_once_and_never_read_again() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "x")]),
            "{b} and x"
        );
        assert_eq!(fill("{unknown} {", &[("a", "1")]), "{unknown} {");
        assert_eq!(fill(r"\ ) ( {a}", &[("a", r")\(")]), r"\ ) ( )\(");
    }

    #[test]
    fn dates_are_written_as_each_language_does() {
        let date = |lang, d| date_text(texts(lang), d);
        assert_eq!(date(Lang::En, (2026, 12, 2)), "December 2, 2026");
        assert_eq!(date(Lang::En, (2026, 1, 1)), "January 1, 2026");
        assert_eq!(date(Lang::Es, (2026, 3, 9)), "9 de marzo de 2026");
        assert_eq!(date(Lang::Fr, (2026, 12, 3)), "3 décembre 2026");
        assert_eq!(date(Lang::Fr, (2026, 2, 1)), "1er février 2026");
        assert_eq!(date(Lang::De, (2026, 12, 3)), "3. Dezember 2026");
        assert_eq!(date(Lang::De, (2026, 3, 1)), "1. März 2026");
        assert_eq!(date(Lang::It, (2026, 12, 3)), "3 dicembre 2026");
        assert_eq!(date(Lang::It, (2026, 8, 1)), "1º agosto 2026");
        assert_eq!(date(Lang::It, (2026, 8, 11)), "11 agosto 2026");
    }
}
