//! The UI's translations as files for `dist/locales/` (the locales the apps
//! fetch; English is compiled in), from the same plan as the frontend's
//! `build.rs` (`frontend/build/locales.rs`), and the checks every locale
//! file must pass.

#[path = "../../frontend/build/locales.rs"]
mod plan;

use anyhow::{Result, anyhow};
use std::path::Path;

/// Writes every fetched locale file into `out` (emptied first: only this
/// build's names stay, which the service worker precaches).
pub fn write_files(root: &Path, out: &Path) -> Result<()> {
    let l = plan::load(&root.join("frontend")).map_err(|e| anyhow!(e))?;
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    for f in l.files() {
        std::fs::write(out.join(&f.name), f.json)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::plan;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn locales() -> plan::Locales {
        let frontend = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../frontend");
        plan::load(&frontend).unwrap()
    }

    /// Words that are the same in English and a locale and right there
    /// (proper names, loanwords that language uses), by locale and key.
    const SAME_WORD: &[(&str, &[&str])] = &[
        (
            "es",
            &[
                "folder_junk",
                "section_general",
                "devices_kind_script",
                "privacy_cookies",
                "report_spam",
                "template_visible_badge",
            ],
        ),
        (
            "fr",
            &[
                "messages",
                "paging",
                "suggestions",
                "admin_title",
                "invite_title",
                "date",
                "signature",
                "organisation",
                "admin_organisation",
                "created_invitations",
                "import_col_invitations",
                "devices_kind_script",
                "connect_port",
                "login_code",
                "privacy_cookies",
                "template_visible_badge",
            ],
        ),
        (
            "de",
            &[
                "folder_junk",
                "field_domain",
                "log_col_status",
                "organisation",
                "admin_organisation",
                "domains",
                "devices_kind_tablet",
                "devices_kind_computer",
                "connect_server",
                "connect_port",
                "privacy_cookies",
                "privacy_name",
                "report_spam",
                "auto_reply_text",
                "rule_name",
                "template_name",
            ],
        ),
        (
            "it",
            &[
                "login_password",
                "account",
                "devices_kind_tablet",
                "devices_kind_computer",
                "devices_kind_script",
                "devices_settings_password",
                "connect_password",
                "report_spam",
            ],
        ),
    ];

    /// Tokens that are no language: product and protocol names, units.
    const TECHNICAL: &[&str] = &[
        "Postern", "IMAP", "SMTP", "POP3", "TLS", "SSL", "STARTTLS", "B", "KB", "MB", "GB", "Cc",
        "s", "Alias",
    ];

    fn placeholders(s: &str) -> BTreeSet<String> {
        s.split("{{")
            .skip(1)
            .filter_map(|p| p.split_once("}}"))
            .map(|(name, _)| name.trim().to_owned())
            .collect()
    }

    /// Nothing but placeholders, digits, punctuation and [`TECHNICAL`].
    fn only_technical(s: &str) -> bool {
        let mut rest = String::new();
        let mut t = s;
        while let Some(i) = t.find("{{") {
            rest.push_str(&t[..i]);
            t = t[i..].split_once("}}").map_or("", |(_, after)| after);
        }
        rest.push_str(t);
        rest.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
            .all(|w| TECHNICAL.contains(&w))
    }

    #[test]
    fn every_locale_has_every_key_and_no_other() {
        let l = locales();
        assert!(l.codes.len() >= 5, "{:?}", l.codes);
        let en: BTreeSet<&String> = l.strings["en"].keys().collect();
        for code in &l.codes {
            let keys: BTreeSet<&String> = l.strings[code].keys().collect();
            let missing: Vec<_> = en.difference(&keys).collect();
            let extra: Vec<_> = keys.difference(&en).collect();
            assert!(missing.is_empty(), "{code}.json lacks {missing:?}");
            assert!(
                extra.is_empty(),
                "{code}.json has keys en.json lacks: {extra:?}"
            );
            for (k, v) in &l.strings[code] {
                assert!(!v.trim().is_empty(), "{code}.json: {k} is empty");
                assert_eq!(
                    placeholders(v),
                    placeholders(&l.strings["en"][k]),
                    "{code}.json: {k} must keep the placeholders of en.json"
                );
            }
        }
    }

    #[test]
    fn no_string_is_left_in_english() {
        let l = locales();
        let mut left = Vec::new();
        for code in l.codes.iter().filter(|c| *c != "en") {
            let allowed: &[&str] = SAME_WORD
                .iter()
                .find(|(c, _)| c == code)
                .map_or(&[], |(_, keys)| keys);
            for (k, en) in &l.strings["en"] {
                let v = &l.strings[code][k];
                if v == en && !only_technical(v) && !allowed.contains(&k.as_str()) {
                    left.push(format!("{code}.json {k}: {v:?}"));
                }
            }
        }
        assert!(left.is_empty(), "left in English:\n{}", left.join("\n"));
    }

    #[test]
    fn the_checks_catch_what_they_should() {
        assert!(only_technical("{{ count }} s"));
        assert!(only_technical("SSL/TLS"));
        assert!(!only_technical("Sign in to Postern"));
        assert_eq!(
            placeholders("{{ a }} and {{b}}"),
            ["a".to_owned(), "b".to_owned()].into()
        );
    }

    #[test]
    fn keys_are_split_by_the_files_that_name_them() {
        let l = locales();
        let webmail: BTreeSet<&String> = l.keys[..l.webmail_keys].iter().collect();
        // The inbox's strings are the webmail's part; a portal page's alone
        // are not.
        assert!(webmail.contains(&"folder_inbox".to_owned()));
        assert!(webmail.contains(&"err_quota_exceeded".to_owned()));
        assert!(!webmail.contains(&"security_2fa".to_owned()));
        assert!(!webmail.contains(&"import_title".to_owned()));
        assert_eq!(
            plan::macro_keys(
                "t!(i18n, a) assert!(x, y) t_string!(\n i, b, n = 1) td_string!(l, c)"
            ),
            ["a", "b"]
        );
        // Names follow content: the same strings, the same files.
        let names = |l: &plan::Locales| l.files().into_iter().map(|f| f.name).collect::<Vec<_>>();
        assert_eq!(names(&l), names(&locales()));
        assert_eq!(l.files().len(), (l.codes.len() - 1) * 2);
    }
}
