//! The invitation email (R-INV-2): a plain-text message in the inviter's
//! language, from the shared mailbox itself, submitted like any message of
//! that mailbox (the sending rules and its quota apply). It carries the
//! link and says what accepting involves; it never carries a password.

use postern_shared::ApiError;
use postern_shared::api::EmailAddress;

use crate::error::AppError;
use crate::send::mime::{self, Message};
use crate::send::smtp::{self, Envelope};
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    Spanish,
}

impl Language {
    /// The UI's language code, English when unknown.
    pub fn pick(code: Option<&str>) -> Language {
        match code.map(|c| c.trim().to_ascii_lowercase()) {
            Some(c) if c == "es" || c.starts_with("es-") => Language::Spanish,
            _ => Language::English,
        }
    }
}

/// What the link is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// Sharing the mailbox (R-INV-2).
    Share,
    /// A device-setup link (R-DEV-4) for the account `login`, who already
    /// uses the mailbox.
    DeviceSetup { login: String },
}

/// Everything the message says.
#[derive(Debug, Clone)]
pub struct Letter {
    pub purpose: Purpose,
    pub language: Language,
    /// The inviter as people know them.
    pub inviter: String,
    /// The shared mailbox's address.
    pub mailbox: String,
    pub to: String,
    pub link: String,
    pub expires_at: i64,
}

impl Letter {
    pub fn subject(&self) -> String {
        if let Purpose::DeviceSetup { .. } = self.purpose {
            return match self.language {
                Language::English => format!("Set up a device for the mailbox {}", self.mailbox),
                Language::Spanish => {
                    format!("Configura un dispositivo para el buzón {}", self.mailbox)
                }
            };
        }
        match self.language {
            Language::English => format!(
                "{} invites you to the mailbox {}",
                self.inviter, self.mailbox
            ),
            Language::Spanish => format!("{} te invita al buzón {}", self.inviter, self.mailbox),
        }
    }

    pub fn text(&self) -> String {
        let until = postern_shared::format::utc_minutes(self.expires_at);
        if let Purpose::DeviceSetup { login } = &self.purpose {
            return match self.language {
                Language::English => format!(
                    "Hello,\r\n\r\n{inviter} invites you to connect a device of yours (a phone, a \
                     mail program, a script) to the mailbox {mailbox}.\r\n\r\n\
                     Open this link, signed in as {login} (it works once, until {until}):\r\n\r\n\
                     {link}\r\n\r\nYou will name the device and get a password for it alone, \
                     with the settings to type. Nobody will ever ask you for a password by \
                     email.\r\n\r\nIf you did not expect this message, ignore it.\r\n",
                    inviter = self.inviter,
                    mailbox = self.mailbox,
                    link = self.link,
                ),
                Language::Spanish => format!(
                    "Hola:\r\n\r\n{inviter} te invita a conectar un dispositivo tuyo (un teléfono, \
                     un programa de correo, un script) al buzón {mailbox}.\r\n\r\n\
                     Abre este enlace con la sesión iniciada como {login} (sirve una vez, hasta \
                     {until}):\r\n\r\n{link}\r\n\r\nPondrás un nombre al dispositivo y \
                     obtendrás una contraseña solo para él, con los ajustes que debes escribir. \
                     Nadie te pedirá nunca una contraseña por correo.\r\n\r\n\
                     Si no esperabas este mensaje, ignóralo.\r\n",
                    inviter = self.inviter,
                    mailbox = self.mailbox,
                    link = self.link,
                ),
            };
        }
        match self.language {
            Language::English => format!(
                "Hello,\r\n\r\n{inviter} invites you to use the mailbox {mailbox}.\r\n\r\n\
                 To accept, open this link (it works once, until {until}):\r\n\r\n{link}\r\n\r\n\
                 You will sign in, or create an account, and choose where the mailbox appears. \
                 Nobody will ever ask you for a password by email.\r\n\r\n\
                 If you did not expect this invitation, ignore this message.\r\n",
                inviter = self.inviter,
                mailbox = self.mailbox,
                link = self.link,
            ),
            Language::Spanish => format!(
                "Hola:\r\n\r\n{inviter} te invita a usar el buzón {mailbox}.\r\n\r\n\
                 Para aceptar, abre este enlace (sirve una vez, hasta {until}):\r\n\r\n{link}\r\n\r\n\
                 Iniciarás sesión, o crearás una cuenta, y elegirás dónde aparece el buzón. \
                 Nadie te pedirá nunca una contraseña por correo.\r\n\r\n\
                 Si no esperabas esta invitación, ignora este mensaje.\r\n",
                inviter = self.inviter,
                mailbox = self.mailbox,
                link = self.link,
            ),
        }
    }

    /// The message, ready to submit.
    pub fn message(&self, now: i64) -> Message {
        let domain = self
            .mailbox
            .rsplit_once('@')
            .map_or("localhost", |(_, d)| d);
        Message {
            from: EmailAddress {
                name: Some(self.inviter.clone()),
                address: self.mailbox.clone(),
            },
            to: vec![EmailAddress {
                name: None,
                address: self.to.clone(),
            }],
            subject: self.subject(),
            text: self.text(),
            message_id: mime::new_message_id(domain),
            date: now,
            ..Message::default()
        }
    }
}

/// Builds and submits the letter as the mailbox `mailbox_id`.
pub async fn send(state: &AppState, mailbox_id: i64, letter: &Letter) -> Result<(), ApiError> {
    let dir = crate::send::compose::outgoing_dir(state);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(|e| AppError::internal(e).0)?;
    let path = dir.join(format!(
        "invitation-{}.eml",
        crate::invitations::token::new()
    ));
    let message = letter.message(crate::db::now());
    let written = {
        let path = path.clone();
        tokio::task::spawn_blocking(move || {
            let file = std::fs::File::create(&path)?;
            mime::write_message(&message, file)
        })
        .await
        .map_err(|e| AppError::internal(e).0)?
    };
    let result = match written {
        Ok(size) => {
            let sub = crate::send::outbox::submission(state, &letter.mailbox);
            let env = Envelope {
                from: letter.mailbox.clone(),
                to: vec![letter.to.clone()],
                size,
            };
            smtp::submit(&sub, &env, &path)
                .await
                .map_err(|e| e.to_api(crate::db::now()))
        }
        Err(e) => Err(AppError::internal(e).0),
    };
    let _ = tokio::fs::remove_file(&path).await;
    tracing::info!(
        mailbox = mailbox_id,
        ok = result.is_ok(),
        device_setup = matches!(letter.purpose, Purpose::DeviceSetup { .. }),
        "invitation email"
    );
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(language: Language) -> Letter {
        Letter {
            purpose: Purpose::Share,
            language,
            inviter: "Ana Pérez".into(),
            mailbox: "sales@example.test".into(),
            to: "bob@elsewhere.test".into(),
            link: "https://mail.example.test/invite/abc".into(),
            expires_at: 1_800_000_000,
        }
    }

    #[test]
    fn the_letter_is_in_the_inviters_language_and_carries_the_link() {
        let en = letter(Language::pick(Some("en")));
        assert!(
            en.subject()
                .contains("invites you to the mailbox sales@example.test")
        );
        assert!(en.text().contains("https://mail.example.test/invite/abc"));
        let es = letter(Language::pick(Some("es-ES")));
        assert_eq!(es.language, Language::Spanish);
        assert!(es.subject().contains("te invita al buzón"));
        assert!(es.text().contains("https://mail.example.test/invite/abc"));
        assert_eq!(Language::pick(None), Language::English);
        assert_eq!(Language::pick(Some("fr")), Language::English);
    }

    #[test]
    fn the_message_comes_from_the_mailbox_in_the_inviters_name() {
        let m = letter(Language::English).message(1_700_000_000);
        let mut out = Vec::new();
        mime::write_message(&m, &mut out).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("sales@example.test"), "{text}");
        assert!(text.contains("bob@elsewhere.test"), "{text}");
        assert!(!text.to_ascii_lowercase().contains("password:"), "{text}");
    }

    #[test]
    fn a_device_setup_letter_names_the_account_to_sign_in_as() {
        let mut l = letter(Language::English);
        l.purpose = Purpose::DeviceSetup {
            login: "bob@elsewhere.test".into(),
        };
        assert!(l.subject().contains("Set up a device"), "{}", l.subject());
        let text = l.text();
        assert!(text.contains("signed in as bob@elsewhere.test"), "{text}");
        assert!(text.contains("https://mail.example.test/invite/abc"));
        l.language = Language::Spanish;
        assert!(l.subject().contains("Configura un dispositivo"));
        assert!(l.text().contains("como bob@elsewhere.test"));
    }
}
