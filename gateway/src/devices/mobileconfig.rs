//! Apple configuration profiles (R-DEV-7): one `com.apple.mail.managed`
//! payload with the IMAP (implicit TLS) and SMTP submission settings and
//! the full address as user name.
//!
//! The profile carries **no password**: the device asks for it while the
//! profile is installed (`OutgoingPasswordSameAsIncomingPassword`, so
//! once). Apple meant `IncomingPassword` for encrypted profiles only; an
//! unsigned, unencrypted `.mobileconfig` is a plain file that lands in
//! Downloads folders, mail attachments and backups, and a password in it
//! would be readable by anyone who finds the file. Without it the profile
//! holds nothing secret, so it can be downloaded again at any time — the
//! password itself is still shown only once.

use postern_shared::devices::{ClientSettings, DeviceId};
use sha2::{Digest, Sha256};

pub const CONTENT_TYPE: &str = "application/x-apple-aspen-config";

pub struct Profile<'a> {
    pub device_id: DeviceId,
    pub device_name: &'a str,
    /// The mailbox's display name (the name on sent mail).
    pub display_name: &'a str,
    pub settings: &'a ClientSettings,
}

/// The profile as an XML property list.
pub fn profile(p: &Profile) -> String {
    let s = p.settings;
    let id = identifier(&s.imap_host, p.device_id);
    let title = format!("{} ({})", s.username, p.device_name);
    let account_name = if p.display_name.is_empty() {
        s.username.as_str()
    } else {
        p.display_name
    };
    let mail = [
        ("EmailAccountDescription", V::S(&title)),
        ("EmailAccountName", V::S(account_name)),
        ("EmailAccountType", V::S("EmailTypeIMAP")),
        ("EmailAddress", V::S(&s.username)),
        (
            "IncomingMailServerAuthentication",
            V::S("EmailAuthPassword"),
        ),
        ("IncomingMailServerHostName", V::S(&s.imap_host)),
        ("IncomingMailServerPortNumber", V::I(s.imap_port.into())),
        ("IncomingMailServerUseSSL", V::B(true)),
        ("IncomingMailServerUsername", V::S(&s.username)),
        (
            "OutgoingMailServerAuthentication",
            V::S("EmailAuthPassword"),
        ),
        ("OutgoingMailServerHostName", V::S(&s.smtp_host)),
        // 587 with UseSSL: STARTTLS (R-PROTO-1's recommendation).
        (
            "OutgoingMailServerPortNumber",
            V::I(s.submission_port.into()),
        ),
        ("OutgoingMailServerUseSSL", V::B(true)),
        ("OutgoingMailServerUsername", V::S(&s.username)),
        ("OutgoingPasswordSameAsIncomingPassword", V::B(true)),
        ("PayloadDescription", V::S("Mail account (IMAP and SMTP)")),
        ("PayloadDisplayName", V::S(&title)),
        ("PayloadIdentifier", V::S(&format!("{id}.mail"))),
        ("PayloadType", V::S("com.apple.mail.managed")),
        ("PayloadUUID", V::S(&uuid(&format!("{id}.mail")))),
        ("PayloadVersion", V::I(1)),
    ];
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n<dict>\n\t<key>PayloadContent</key>\n\t<array>\n\t\t<dict>\n",
    );
    for (k, v) in mail {
        entry(&mut out, "\t\t\t", k, &v);
    }
    out.push_str("\t\t</dict>\n\t</array>\n");
    let top = [
        (
            "PayloadDescription",
            V::S("Sets up this mailbox in Mail. The device asks for the device password."),
        ),
        ("PayloadDisplayName", V::S(&title)),
        ("PayloadIdentifier", V::S(&id)),
        ("PayloadRemovalDisallowed", V::B(false)),
        ("PayloadType", V::S("Configuration")),
        ("PayloadUUID", V::S(&uuid(&id))),
        ("PayloadVersion", V::I(1)),
    ];
    for (k, v) in top {
        entry(&mut out, "\t", k, &v);
    }
    out.push_str("</dict>\n</plist>\n");
    out
}

enum V<'a> {
    S(&'a str),
    I(i64),
    B(bool),
}

fn entry(out: &mut String, indent: &str, key: &str, v: &V) {
    out.push_str(&format!("{indent}<key>{key}</key>\n{indent}"));
    match v {
        V::S(s) => out.push_str(&format!("<string>{}</string>\n", escape(s))),
        V::I(i) => out.push_str(&format!("<integer>{i}</integer>\n")),
        V::B(true) => out.push_str("<true/>\n"),
        V::B(false) => out.push_str("<false/>\n"),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Reverse-DNS identifier of the device's profile: stable, so installing
/// a newer download replaces the older profile.
fn identifier(host: &str, device: DeviceId) -> String {
    let mut parts: Vec<&str> = host.split('.').filter(|p| !p.is_empty()).collect();
    parts.reverse();
    format!("{}.postern.device.{device}", parts.join("."))
}

/// A stable UUID (version-4 layout) derived from `name`.
fn uuid(name: &str) -> String {
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&h[..16]);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let x = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use plist::Value;

    fn settings() -> ClientSettings {
        ClientSettings {
            username: "ann@example.test".into(),
            imap_host: "mail.example.test".into(),
            imap_port: 993,
            imap_starttls_port: 143,
            smtp_host: "mail.example.test".into(),
            submission_port: 587,
            submissions_port: 465,
            pop3_host: "mail.example.test".into(),
            pop3s_port: 995,
            pop3_port: 110,
        }
    }

    #[test]
    fn the_profile_parses_as_a_plist_with_every_key() {
        let s = settings();
        let xml = profile(&Profile {
            device_id: 17,
            device_name: "Ann's <iPhone> & co",
            display_name: "Ann Example",
            settings: &s,
        });
        let v = Value::from_reader_xml(xml.as_bytes()).unwrap();
        let top = v.as_dictionary().unwrap();
        let str_of = |d: &plist::Dictionary, k: &str| {
            d.get(k)
                .and_then(Value::as_string)
                .unwrap_or_else(|| panic!("{k}"))
                .to_string()
        };
        let mut keys: Vec<&str> = top.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "PayloadContent",
                "PayloadDescription",
                "PayloadDisplayName",
                "PayloadIdentifier",
                "PayloadRemovalDisallowed",
                "PayloadType",
                "PayloadUUID",
                "PayloadVersion"
            ]
        );
        assert_eq!(str_of(top, "PayloadType"), "Configuration");
        assert_eq!(top["PayloadVersion"].as_signed_integer(), Some(1));
        assert_eq!(
            str_of(top, "PayloadIdentifier"),
            "test.example.mail.postern.device.17"
        );
        assert_eq!(
            str_of(top, "PayloadDisplayName"),
            "ann@example.test (Ann's <iPhone> & co)"
        );
        assert_eq!(top["PayloadRemovalDisallowed"].as_boolean(), Some(false));
        let uuid_top = str_of(top, "PayloadUUID");
        assert_eq!(uuid_top.len(), 36);
        assert_eq!(&uuid_top[14..15], "4");

        let content = top["PayloadContent"].as_array().unwrap();
        assert_eq!(content.len(), 1);
        let mail = content[0].as_dictionary().unwrap();
        let expect_str = [
            (
                "EmailAccountDescription",
                "ann@example.test (Ann's <iPhone> & co)",
            ),
            ("EmailAccountName", "Ann Example"),
            ("EmailAccountType", "EmailTypeIMAP"),
            ("EmailAddress", "ann@example.test"),
            ("IncomingMailServerAuthentication", "EmailAuthPassword"),
            ("IncomingMailServerHostName", "mail.example.test"),
            ("IncomingMailServerUsername", "ann@example.test"),
            ("OutgoingMailServerAuthentication", "EmailAuthPassword"),
            ("OutgoingMailServerHostName", "mail.example.test"),
            ("OutgoingMailServerUsername", "ann@example.test"),
            ("PayloadDescription", "Mail account (IMAP and SMTP)"),
            (
                "PayloadDisplayName",
                "ann@example.test (Ann's <iPhone> & co)",
            ),
            (
                "PayloadIdentifier",
                "test.example.mail.postern.device.17.mail",
            ),
            ("PayloadType", "com.apple.mail.managed"),
        ];
        for (k, want) in expect_str {
            assert_eq!(str_of(mail, k), want, "{k}");
        }
        let expect_int = [
            ("IncomingMailServerPortNumber", 993),
            ("OutgoingMailServerPortNumber", 587),
            ("PayloadVersion", 1),
        ];
        for (k, want) in expect_int {
            assert_eq!(mail[k].as_signed_integer(), Some(want), "{k}");
        }
        for k in [
            "IncomingMailServerUseSSL",
            "OutgoingMailServerUseSSL",
            "OutgoingPasswordSameAsIncomingPassword",
        ] {
            assert_eq!(mail[k].as_boolean(), Some(true), "{k}");
        }
        let uuid_mail = str_of(mail, "PayloadUUID");
        assert_ne!(uuid_mail, uuid_top);
        // Every key was checked, and no password is in the profile.
        assert_eq!(mail.len(), expect_str.len() + expect_int.len() + 3 + 1);
        assert!(!mail.contains_key("IncomingPassword"));
        assert!(!mail.contains_key("OutgoingPassword"));
    }

    #[test]
    fn identifiers_and_uuids_are_stable_per_device() {
        assert_eq!(uuid("a"), uuid("a"));
        assert_ne!(uuid("a"), uuid("b"));
        assert_eq!(identifier("localhost", 3), "localhost.postern.device.3");
    }
}
