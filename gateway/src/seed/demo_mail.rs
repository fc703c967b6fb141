//! `seed-demo-mail`: a little real traffic for the demo's Logs page
//! (R-LOG), run by `cargo xtask up` once the stack serves (the policy
//! service and the milter are the gateway's): Olivia writes to Umar and to
//! someone outside (delivered), to an address of her domain that does not
//! exist (refused, 5.1.1) and to a server that is down (deferred); a spam
//! message from outside reaches her (filed as spam) and a newsletter the
//! team mailbox. Everything goes the way any mail goes — Dovecot
//! submission, Postfix, rspamd, LMTP, Sieve — and the gateway's log
//! follower makes the entries. Once: nothing is sent when Olivia's mailbox
//! has sent anything before (the sending ledger).

use std::path::PathBuf;

use mail_builder::MessageBuilder;
use mail_builder::headers::date::Date;
use mail_builder::headers::message_id::MessageId;

use crate::config::{ImapConfig, SendingConfig};
use crate::db::Db;
use crate::send::smtp::{self, Envelope, Submission};
use crate::server::anyhow_like::Result;

const OLIVIA: &str = "olivia@example.test";
/// rspamd's "probable spam" test pattern (the stacks' `enable_test_patterns`):
/// scored as spam, delivered, filed into Junk by the mailbox's Sieve.
const GTUBE_SPAM: &str = "YJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

/// One demo message: envelope and the few headers a plain message needs.
struct Demo<'a> {
    from: &'a str,
    to: &'a [&'a str],
    subject: &'a str,
    body: &'a str,
}

impl Demo<'_> {
    fn bytes(&self) -> Vec<u8> {
        let domain = self
            .from
            .rsplit_once('@')
            .map_or("example.test", |(_, d)| d);
        MessageBuilder::new()
            .from(self.from)
            .to(self.to.to_vec())
            .subject(self.subject)
            .date(Date::new(crate::db::now()))
            .message_id(MessageId::new(crate::send::mime::new_message_id(domain)))
            .text_body(self.body)
            .write_to_vec()
            .expect("writing to a Vec cannot fail")
    }

    fn envelope(&self, size: usize) -> Envelope {
        Envelope {
            from: self.from.to_string(),
            to: self.to.iter().map(|a| a.to_string()).collect(),
            size: size as u64,
        }
    }
}

pub async fn run(db: Db, sending: &SendingConfig, imap: &ImapConfig, mx: &str) -> Result<String> {
    let sent_before: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sends s JOIN mailboxes m ON m.id = s.mailbox_id WHERE m.address = $1",
    )
    .bind(OLIVIA)
    .fetch_one(&db)
    .await?;
    if sent_before > 0 {
        return Ok(format!("{OLIVIA} has sent mail before: no demo mail sent"));
    }
    let sub = Submission::as_mailbox(sending, imap, OLIVIA);
    let submitted = [
        Demo {
            from: OLIVIA,
            to: &["umar@example.test", "lena.berger@elsewhere.test"],
            subject: "Quarterly figures",
            body: "Hello both,\n\nthe figures for the quarter are in the shared folder.\n\nOlivia",
        },
        Demo {
            from: OLIVIA,
            to: &["jon.doe@example.test"],
            subject: "Planning day",
            body: "Jon, are you joining the planning day on Friday?\n\nOlivia",
        },
        Demo {
            from: OLIVIA,
            to: &["contracts@unreachable.test"],
            subject: "Contract draft",
            body: "Please find my comments on the contract draft below.\n\nOlivia",
        },
    ];
    let mut report = Vec::new();
    for m in &submitted {
        let data = m.bytes();
        let path = temp_file(&data)?;
        let outcome = smtp::submit(&sub, &m.envelope(data.len()), &path).await;
        let _ = std::fs::remove_file(&path);
        report.push(match outcome {
            Ok(()) => format!("sent {:?} to {}", m.subject, m.to.join(", ")),
            // The one to an address that does not exist is refused at
            // RCPT: that refusal is what the Logs page is to show.
            Err(e) => format!("{:?} to {} refused: {e}", m.subject, m.to.join(", ")),
        });
    }
    let inbound = [
        Demo {
            from: "offers@bulk-deals.test",
            to: &[OLIVIA],
            subject: "You have won a prize",
            body: GTUBE_SPAM,
        },
        Demo {
            from: "news@outside.test",
            to: &["team@example.test"],
            subject: "Our November newsletter",
            body: "This month: new opening hours and a summer party.",
        },
    ];
    for m in &inbound {
        let data = m.bytes();
        smtp::deliver_plain(mx, &m.envelope(data.len()), &data)
            .await
            .map_err(|e| format!("delivering {:?} from outside: {e}", m.subject))?;
        report.push(format!("received {:?} for {}", m.subject, m.to.join(", ")));
    }
    Ok(report.join("\n"))
}

fn temp_file(data: &[u8]) -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!(
        "postern-demo-mail-{}-{}.eml",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::write(&path, data)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::Demo;

    #[test]
    fn a_demo_message_is_a_plain_message_with_an_id() {
        let m = Demo {
            from: "a@example.test",
            to: &["b@x.test", "c@y.test"],
            subject: "Hi",
            body: "one\ntwo",
        };
        let bytes = m.bytes();
        let parsed = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        assert_eq!(parsed.subject(), Some("Hi"));
        assert!(parsed.message_id().unwrap().ends_with("@example.test"));
        assert_eq!(parsed.to().unwrap().iter().count(), 2);
        assert_eq!(parsed.body_text(0).unwrap().trim_end(), "one\r\ntwo");
        assert_eq!(m.envelope(10).to, ["b@x.test", "c@y.test"]);
    }
}
