//! Deterministic, realistic-looking mail for demos and benchmarks: plain
//! and HTML bodies, remote images, inline `cid:` images, attachments,
//! RFC 2047 names and subjects, threads, flags. Same seed → same mail
//! (dates are offsets from `now`).

use mail_builder::MessageBuilder;
use mail_builder::headers::address::Address;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// One message ready to APPEND.
#[derive(Debug, Clone)]
pub struct Generated {
    pub folder: String,
    pub flags: Vec<String>,
    /// Unix seconds: the Date header and the INTERNALDATE.
    pub date: i64,
    pub bytes: Vec<u8>,
}

/// A 1×1 transparent PNG.
pub const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

const PEOPLE: &[(&str, &str)] = &[
    ("Amélie Durand", "amelie.durand@partner.test"),
    ("José Núñez", "jose.nunez@proveedor.test"),
    ("Jürgen Groß", "juergen@lieferant.test"),
    ("Søren Kierkegaard", "soren@nordic.test"),
    ("Chen Wei 陈伟", "chen.wei@factory.test"),
    ("Priya Raman", "priya@consulting.test"),
    ("Bob Smith", "bob@customer.test"),
    ("Zoë Adams", "zoe.adams@agency.test"),
    ("Billing", "billing@saas.test"),
    ("Newsletter Café ☕", "news@cafe.test"),
];

const SUBJECTS: &[&str] = &[
    "Quarterly report",
    "Réunion de lundi",
    "Angebot für Q3 — Übersicht",
    "Invoice #{n}",
    "Lunch on Friday?",
    "Propuesta de diseño",
    "Server maintenance window",
    "Contract draft v{n}",
    "Photos from the offsite 📷",
    "Your subscription renews soon",
    "Question about the API",
    "Travel plans: Zürich → Lisboa",
    "Meeting notes",
    "Welcome aboard!",
    "Budget 2026",
];

const LINES: &[&str] = &[
    "Thanks for the quick reply.",
    "Could you have a look before Thursday?",
    "I have attached the latest version.",
    "Let me know if anything is unclear.",
    "Merci beaucoup pour votre aide.",
    "Viele Grüße aus Berlin.",
    "The numbers look good so far.",
    "We should discuss this in the next meeting.",
    "Un saludo cordial.",
    "Please find the details below.",
];

/// What a mailbox's mail should look like.
pub struct Spec<'a> {
    /// The mailbox owner (From of Sent mail, To of the rest).
    pub owner: (&'a str, &'a str),
    /// (folder, how many).
    pub folders: &'a [(&'a str, usize)],
    pub seed: u64,
    pub now: i64,
    /// Spread of dates back from `now`, in days.
    pub days: i64,
}

pub fn generate(spec: &Spec<'_>) -> Vec<Generated> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let mut out = Vec::new();
    let mut n = 0u32;
    for &(folder, count) in spec.folders {
        let sent = folder.eq_ignore_ascii_case("Sent");
        let mut thread: Vec<(String, String)> = Vec::new(); // (message-id, subject) of this folder
        for _ in 0..count {
            n += 1;
            let date = spec.now - rng.gen_range(0..spec.days * 86_400);
            let person = PEOPLE[rng.gen_range(0..PEOPLE.len())];
            let me: Address<'_> = spec.owner.into();
            let them: Address<'_> = person.into();
            let (from, to) = if sent { (me, them) } else { (them, me) };
            let id = format!("{}.{n}@seed.postern.test", spec.seed);
            let reply_to = (!thread.is_empty() && rng.gen_bool(0.2))
                .then(|| thread[rng.gen_range(0..thread.len())].clone());
            let subject = match &reply_to {
                Some((_, s)) => format!("Re: {}", s.trim_start_matches("Re: ")),
                None => SUBJECTS[rng.gen_range(0..SUBJECTS.len())].replace("{n}", &n.to_string()),
            };
            let body: String = (0..rng.gen_range(2..7))
                .map(|_| LINES[rng.gen_range(0..LINES.len())])
                .collect::<Vec<_>>()
                .join("\n\n");
            let mut b = MessageBuilder::new()
                .from(from)
                .to(to)
                .subject(subject.clone())
                .date(date)
                .message_id(id.clone());
            if let Some((parent, _)) = &reply_to {
                b = b.in_reply_to(parent.clone()).references(parent.clone());
            }
            b = match rng.gen_range(0..10) {
                0..=3 => b.text_body(body.clone()),
                4 | 5 => b.text_body(body.clone()).html_body(html(&body, None)),
                6 => b.text_body(body.clone()).html_body(html(
                    &body,
                    Some(&format!("http://127.0.0.1:9/track/{n}.png")),
                )),
                7 => b
                    .html_body(format!(
                        "{}<p><img src=\"cid:logo{n}\" alt=\"logo\"></p>",
                        html(&body, None)
                    ))
                    .inline("image/png", format!("logo{n}"), TINY_PNG),
                8 => b.text_body(body.clone()).attachment(
                    "application/pdf",
                    format!("report-{n}.pdf"),
                    pdf(n),
                ),
                _ => b.text_body(body.clone()).attachment(
                    "text/csv",
                    format!("données-{n}.csv"),
                    csv(&mut rng),
                ),
            };
            let bytes = b.write_to_vec().expect("writing to a Vec cannot fail");
            let mut flags = Vec::new();
            if sent || rng.gen_bool(0.67) {
                flags.push("\\Seen".to_string());
            }
            if rng.gen_bool(0.1) {
                flags.push("\\Flagged".to_string());
            }
            if reply_to.is_some() && rng.gen_bool(0.3) {
                flags.push("\\Answered".to_string());
            }
            thread.push((id, subject));
            out.push(Generated {
                folder: folder.to_string(),
                flags,
                date,
                bytes,
            });
        }
    }
    out
}

/// Small plain messages for the big-folder benchmark (fast to append).
pub fn bulk(owner: &str, count: usize, seed: u64, now: i64) -> Vec<Generated> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let person = PEOPLE[rng.gen_range(0..PEOPLE.len())];
            let date = now - rng.gen_range(0..365 * 86_400);
            let subject = format!(
                "{} ({i})",
                SUBJECTS[rng.gen_range(0..SUBJECTS.len())].replace("{n}", &i.to_string())
            );
            let bytes = MessageBuilder::new()
                .from(person)
                .to(owner)
                .subject(subject)
                .date(date)
                .message_id(format!("bulk.{seed}.{i}@seed.postern.test"))
                .text_body(LINES[rng.gen_range(0..LINES.len())])
                .write_to_vec()
                .expect("writing to a Vec cannot fail");
            let mut flags = Vec::new();
            if rng.gen_bool(0.67) {
                flags.push("\\Seen".to_string());
            }
            if rng.gen_bool(0.05) {
                flags.push("\\Flagged".to_string());
            }
            Generated {
                folder: String::new(),
                flags,
                date,
                bytes,
            }
        })
        .collect()
}

fn html(body: &str, remote_image: Option<&str>) -> String {
    let paras: String = body
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    let img = remote_image
        .map(|src| format!("<p><img src=\"{src}\" width=\"600\" alt=\"banner\"></p>"))
        .unwrap_or_default();
    format!(
        "<html><body style=\"font-family:sans-serif\">{img}{paras}<p><b>—</b></p></body></html>"
    )
}

fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Postern demo report {n}\ntrailer << /Root 1 0 R >>\n%%EOF\n").into_bytes()
}

fn csv(rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut s = String::from("month,revenue,costs\n");
    for m in ["jan", "feb", "mar", "apr"] {
        s.push_str(&format!(
            "{m},{},{}\n",
            rng.gen_range(1000..9000),
            rng.gen_range(500..5000)
        ));
    }
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_varied() {
        let spec = Spec {
            owner: ("Olivia", "olivia@example.test"),
            folders: &[("INBOX", 60), ("Sent", 10)],
            seed: 7,
            now: 1_800_000_000,
            days: 120,
        };
        let a = generate(&spec);
        let b = generate(&spec);
        assert_eq!(a.len(), 70);
        // MIME boundaries are random; everything else is fixed by the seed.
        let subject = |g: &Generated| {
            String::from_utf8_lossy(&g.bytes)
                .lines()
                .find(|l| l.starts_with("Subject:"))
                .map(str::to_string)
        };
        assert!(
            a.iter()
                .zip(&b)
                .all(|(x, y)| x.flags == y.flags && x.date == y.date && subject(x) == subject(y))
        );
        let text = |g: &Generated| String::from_utf8_lossy(&g.bytes).to_string();
        assert!(a.iter().any(|g| text(g).contains("multipart/mixed")));
        assert!(a.iter().any(|g| text(g).contains("cid:logo")));
        let html = |g: &Generated| {
            mail_parser::MessageParser::default()
                .parse(&g.bytes)
                .and_then(|m| m.body_html(0).map(|h| h.into_owned()))
                .unwrap_or_default()
        };
        assert!(a.iter().any(|g| html(g).contains("http://127.0.0.1:9/")));
        assert!(a.iter().any(|g| text(g).contains("In-Reply-To")));
        assert!(a.iter().any(|g| text(g).contains("=?utf-8?")));
        let unread = a
            .iter()
            .filter(|g| !g.flags.iter().any(|f| f == "\\Seen"))
            .count();
        assert!((10..40).contains(&unread), "{unread}");
        assert!(
            a[60..]
                .iter()
                .all(|g| g.flags.iter().any(|f| f == "\\Seen")),
            "sent mail is read"
        );
    }
}
