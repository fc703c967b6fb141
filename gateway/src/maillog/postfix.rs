//! Postfix's log lines (3.7, `maillog_file` through postlogd) as events.
//!
//! ```text
//! Dec 02 04:40:01 mx postfix/smtpd[812]: 4ABC123: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username=ann@a.test
//! Dec 02 04:40:01 mx postfix/cleanup[815]: 4ABC123: message-id=<x@a.test>
//! Dec 02 04:40:01 mx postfix/qmgr[790]: 4ABC123: from=<ann@a.test>, size=512, nrcpt=1 (queue active)
//! Dec 02 04:40:01 mx postfix/lmtp[817]: 4ABC123: to=<bob@a.test>, relay=127.0.0.1[127.0.0.1]:24, delay=0.1,
//!     delays=0.05/0/0.02/0.03, dsn=2.0.0, status=sent (250 2.0.0 <bob@a.test> Hx4fOq Saved)
//! Dec 02 04:40:01 mx postfix/qmgr[790]: 4ABC123: removed
//! Dec 02 04:40:02 mx postfix/smtpd[812]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <no@a.test>:
//!     Recipient address rejected: User unknown in virtual mailbox table; from=<ann@a.test> to=<no@a.test> proto=ESMTP helo=<h>
//! ```
//!
//! Everything else (connects, warnings, statistics) is `None`. The time
//! has no year: [`parse_time`] takes the year that puts it nearest to the
//! moment of reading. Postfix writes local time; the stack runs in UTC.

/// One thing a line says about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// smtpd accepted a client for queue id `queue_id`.
    Client {
        queue_id: String,
        sasl_user: Option<String>,
    },
    MessageId {
        queue_id: String,
        message_id: String,
    },
    /// qmgr took the message: its envelope sender and size.
    Queued {
        queue_id: String,
        from: String,
        size: Option<u64>,
    },
    /// One delivery attempt to one recipient.
    Delivery(Delivery),
    /// The message gave up waiting (`status=expired, returned to sender`).
    Expired { queue_id: String },
    /// Refused before queueing (`queue_id` = `None`) or a recipient or the
    /// whole message refused during the SMTP session (RCPT, END-OF-MESSAGE,
    /// a milter).
    Reject(Reject),
    /// Postfix is done with the message.
    Removed { queue_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub queue_id: String,
    /// The transport: `smtp`, `lmtp`, `virtual`, `error`, …
    pub service: String,
    pub to: String,
    pub orig_to: Option<String>,
    pub relay: Option<String>,
    pub dsn: Option<String>,
    /// `sent`, `deferred`, `bounced`.
    pub status: String,
    /// The text in parentheses after the status: the remote server's answer.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub queue_id: Option<String>,
    /// `RCPT`, `END-OF-MESSAGE`, `DATA`, …
    pub stage: String,
    /// `host[ip]` of the client.
    pub client: Option<String>,
    /// The reply sent to the client (`550 5.1.1 <x>: … rejected: …`).
    pub reply: String,
    pub from: String,
    pub to: Option<String>,
}

/// A Postfix log line: its time (Unix seconds) and event.
pub fn parse(line: &str, now: i64) -> Option<(i64, Event)> {
    let (at, rest) = parse_time(line, now)?;
    // `host postfix/smtpd[812]: rest` (any syslog_name before the slash).
    let rest = rest.trim_start();
    let (_host, rest) = rest.split_once(' ')?;
    let (program, message) = rest.split_once(": ")?;
    let service = program.split('[').next()?.rsplit('/').next()?;
    if !program.contains('/') {
        return None;
    }
    event(service, message).map(|e| (at, e))
}

fn event(service: &str, message: &str) -> Option<Event> {
    let (queue_id, body) = message.split_once(": ")?;
    if queue_id == "NOQUEUE" {
        let rest = body
            .strip_prefix("reject: ")
            .or_else(|| body.strip_prefix("milter-reject: "))?;
        return reject(None, rest).map(Event::Reject);
    }
    if !is_queue_id(queue_id) {
        return None;
    }
    let queue_id = queue_id.to_string();
    if body == "removed" {
        return Some(Event::Removed { queue_id });
    }
    if let Some(fields) = body.strip_prefix("client=") {
        let sasl_user = field(fields, "sasl_username=").map(str::to_ascii_lowercase);
        return Some(Event::Client {
            queue_id,
            sasl_user,
        });
    }
    if let Some(id) = body.strip_prefix("message-id=") {
        let id = id.trim();
        let id = id
            .strip_prefix('<')
            .and_then(|i| i.strip_suffix('>'))
            .unwrap_or(id);
        return Some(Event::MessageId {
            queue_id,
            message_id: id.chars().take(998).collect(),
        });
    }
    if body.starts_with("reject: ") || body.starts_with("milter-reject: ") {
        let (_, rest) = body.split_once(": ")?;
        return reject(Some(queue_id), rest).map(Event::Reject);
    }
    if body.starts_with("from=<") {
        if body.contains("status=expired") {
            return Some(Event::Expired { queue_id });
        }
        // qmgr's line; pickup's `uid=… from=<…>` starts otherwise.
        if service != "qmgr" {
            return None;
        }
        return Some(Event::Queued {
            queue_id,
            from: angle(body, "from=<")?.to_ascii_lowercase(),
            size: field(body, "size=").and_then(|s| s.parse().ok()),
        });
    }
    if body.starts_with("to=<") {
        let (head, detail) = match body.find(" (") {
            Some(i) if body.ends_with(')') => (&body[..i], &body[i + 2..body.len() - 1]),
            _ => (body, ""),
        };
        let status = field(head, "status=")?.to_string();
        if !matches!(status.as_str(), "sent" | "deferred" | "bounced") {
            return None;
        }
        return Some(Event::Delivery(Delivery {
            queue_id,
            service: service.to_string(),
            to: angle(head, "to=<")?.to_ascii_lowercase(),
            orig_to: angle(head, "orig_to=<").map(str::to_ascii_lowercase),
            relay: field(head, "relay=")
                .filter(|r| *r != "none")
                .map(String::from),
            dsn: field(head, "dsn=").map(String::from),
            status,
            detail: detail.to_string(),
        }));
    }
    None
}

/// `RCPT from host[ip]: 550 5.1.1 <x>: text; from=<a> to=<b> proto=ESMTP helo=<h>`
/// (`END-OF-MESSAGE from …` for a milter).
fn reject(queue_id: Option<String>, body: &str) -> Option<Reject> {
    let (stage, rest) = body.split_once(" from ")?;
    let (client, rest) = rest.split_once(": ")?;
    // The reply ends at the last `; from=<` (the reply itself may hold `;`).
    let cut = rest.rfind("; from=<")?;
    let (reply, envelope) = (&rest[..cut], &rest[cut + 2..]);
    Some(Reject {
        queue_id,
        stage: stage.to_string(),
        client: Some(client.to_string()),
        reply: reply.to_string(),
        from: angle(envelope, "from=<")?.to_ascii_lowercase(),
        to: angle(envelope, " to=<").map(str::to_ascii_lowercase),
    })
}

/// Postfix's queue ids: short (hex, upper case) or long (base 52 with a
/// `z` separator); nothing else is taken for one.
fn is_queue_id(s: &str) -> bool {
    (6..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The `<…>` value after `key` (`key` includes the `<`).
fn angle<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let start = s.find(key)? + key.len();
    let len = s[start..].find('>')?;
    Some(&s[start..start + len])
}

/// `key=value` up to the next `,` or space, where `key` starts a field.
fn field<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let start = s
        .match_indices(key)
        .find(|(i, _)| *i == 0 || s[..*i].ends_with(' ') || s[..*i].ends_with(','))?
        .0
        + key.len();
    let v = s[start..].split([',', ' ']).next()?.trim();
    (!v.is_empty()).then_some(v)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Dec 02 04:40:01 …` (or syslog's `Dec  2`): Unix seconds, and the rest.
/// The year is the one that puts the time within a year before `now`
/// (plus a day for clocks that disagree).
pub fn parse_time(line: &str, now: i64) -> Option<(i64, &str)> {
    let month = MONTHS.iter().position(|m| line.starts_with(m))? as i64 + 1;
    let rest = line.get(3..)?.trim_start();
    let (day, rest) = rest.split_once(' ')?;
    let (time, rest) = rest.split_once(' ')?;
    let day: i64 = day.parse().ok()?;
    let mut t = time.split(':').map(|p| p.parse::<i64>().ok());
    let (h, m, s) = (t.next()??, t.next()??, t.next()??);
    if !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    let year = super::civil_year(now);
    let at = |y: i64| super::days_from_civil(y, month, day) * 86_400 + h * 3600 + m * 60 + s;
    let this = at(year);
    Some((
        if this > now + 86_400 {
            at(year - 1)
        } else {
            this
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-02T05:00:00Z
    const NOW: i64 = 1_796_187_600;

    fn ev(line: &str) -> Event {
        parse(line, NOW)
            .unwrap_or_else(|| panic!("no event: {line}"))
            .1
    }

    #[test]
    fn a_local_delivery_is_its_lines() {
        assert_eq!(
            parse(
                "Dec 02 04:40:01 mx postfix/smtpd[812]: 4ABC123DE: client=localhost[127.0.0.1], sasl_method=XCLIENT, sasl_username=Ann@A.test",
                NOW
            ),
            Some((
                NOW - 1199,
                Event::Client {
                    queue_id: "4ABC123DE".into(),
                    sasl_user: Some("ann@a.test".into())
                }
            ))
        );
        assert_eq!(
            ev("Dec 02 04:40:01 mx postfix/cleanup[815]: 4ABC123DE: message-id=<x.1@a.test>"),
            Event::MessageId {
                queue_id: "4ABC123DE".into(),
                message_id: "x.1@a.test".into()
            }
        );
        assert_eq!(
            ev(
                "Dec 02 04:40:01 mx postfix/qmgr[790]: 4ABC123DE: from=<ann@a.test>, size=512, nrcpt=1 (queue active)"
            ),
            Event::Queued {
                queue_id: "4ABC123DE".into(),
                from: "ann@a.test".into(),
                size: Some(512)
            }
        );
        assert_eq!(
            ev(
                "Dec 02 04:40:01 mx postfix/lmtp[817]: 4ABC123DE: to=<bob@a.test>, orig_to=<sales@a.test>, relay=127.0.0.1[127.0.0.1]:20024, delay=0.1, delays=0.05/0/0.02/0.03, dsn=2.0.0, status=sent (250 2.0.0 <bob@a.test> Hx4fOq Saved)"
            ),
            Event::Delivery(Delivery {
                queue_id: "4ABC123DE".into(),
                service: "lmtp".into(),
                to: "bob@a.test".into(),
                orig_to: Some("sales@a.test".into()),
                relay: Some("127.0.0.1[127.0.0.1]:20024".into()),
                dsn: Some("2.0.0".into()),
                status: "sent".into(),
                detail: "250 2.0.0 <bob@a.test> Hx4fOq Saved".into(),
            })
        );
        assert_eq!(
            ev("Dec 02 04:40:01 mx postfix/qmgr[790]: 4ABC123DE: removed"),
            Event::Removed {
                queue_id: "4ABC123DE".into()
            }
        );
    }

    #[test]
    fn failures_carry_the_remote_answer() {
        let Event::Delivery(d) = ev(
            "Dec 02 04:41:00 mx postfix/smtp[900]: 5DEF01: to=<x@outside.test>, relay=none, delay=0.02, delays=0.01/0/0.01/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:20026: Connection refused)",
        ) else {
            panic!()
        };
        assert_eq!(d.relay, None);
        assert_eq!(d.status, "deferred");
        assert_eq!(
            d.detail,
            "connect to 127.0.0.1[127.0.0.1]:20026: Connection refused"
        );
        assert_eq!(
            ev("Dec 02 04:40:02 mx postfix/smtpd[812]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <no@a.test>: Recipient address rejected: User unknown in virtual mailbox table; from=<ann@a.test> to=<no@a.test> proto=ESMTP helo=<h>"),
            Event::Reject(Reject {
                queue_id: None,
                stage: "RCPT".into(),
                client: Some("localhost[127.0.0.1]".into()),
                reply: "550 5.1.1 <no@a.test>: Recipient address rejected: User unknown in virtual mailbox table".into(),
                from: "ann@a.test".into(),
                to: Some("no@a.test".into()),
            })
        );
        let Event::Reject(r) = ev(
            "Dec 02 04:42:00 mx postfix/cleanup[815]: 6AAA11: milter-reject: END-OF-MESSAGE from unknown[127.0.0.1]: 5.7.1 Gtube pattern; from=<spam@outside.test> to=<bob@a.test> proto=ESMTP helo=<x>",
        ) else {
            panic!()
        };
        assert_eq!(
            (r.queue_id.as_deref(), r.stage.as_str()),
            (Some("6AAA11"), "END-OF-MESSAGE")
        );
        assert_eq!(r.reply, "5.7.1 Gtube pattern");
        assert_eq!(
            ev(
                "Dec 02 04:43:00 mx postfix/qmgr[790]: 7BBB22: from=<ann@a.test>, status=expired, returned to sender"
            ),
            Event::Expired {
                queue_id: "7BBB22".into()
            }
        );
    }

    #[test]
    fn other_and_hostile_lines_are_ignored() {
        for line in [
            "",
            "garbage",
            "Dec 02 04:40:01 mx postfix/smtpd[812]: connect from localhost[127.0.0.1]",
            "Dec 02 04:40:01 mx postfix/smtpd[812]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
            "Dec 02 04:40:01 mx postfix/pickup[800]: 4ABC123DE: uid=0 from=<root>",
            "Dec 02 04:40:01 mx postfix/bounce[820]: 4ABC123DE: sender non-delivery notification: 9CCC33",
            "Dec 02 04:40:01 mx postfix/smtpd[812]: warning: hostname x does not resolve",
            "Dec 99 04:40:01 mx postfix/qmgr[1]: 4ABC123DE: removed",
            "Dec 02 25:40:01 mx postfix/qmgr[1]: 4ABC123DE: removed",
            "Dec 02 04:40:01 mx qmgr: 4ABC123DE: removed",
            "Dec 02 04:40:01 mx postfix/qmgr[1]: ../../etc: removed",
            "Dec 02 04:40:01 mx postfix/lmtp[1]: 4ABC123DE: to=<bob@a.test>, status=weird (x)",
            "Dec 02 04:40:01 mx postfix/lmtp[1]: 4ABC123DE: to=<bob@a.test",
            "Dec 02 04:40:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x: 550 no envelope",
            "Dec 02 04:40:01 mx postfix/smtpd[1]: NOQUEUE: reject: ; from=<",
        ] {
            assert_eq!(parse(line, NOW), None, "{line:?}");
        }
        // A reply holding "; from=<" itself: the envelope is the last one.
        let Event::Reject(r) = ev(
            "Dec 02 04:40:01 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[1.2.3.4]: 554 5.7.1 <a>: bad; from=<evil> to=<b>; from=<real@x.test> to=<bob@a.test> proto=SMTP",
        ) else {
            panic!()
        };
        assert_eq!(r.from, "real@x.test");
        assert_eq!(r.to.as_deref(), Some("bob@a.test"));
    }

    #[test]
    fn the_year_is_the_nearest_one_before_now() {
        // 2026-12-02: "Dec 02" is this year; "Dec 31" is last year's.
        let (dec2, _) = parse_time("Dec 02 00:00:00 x", NOW).unwrap();
        assert_eq!(dec2, 1_796_169_600);
        let (dec31, _) = parse_time("Dec 31 00:00:00 x", NOW).unwrap();
        assert!(dec31 < NOW - 300 * 86_400);
        // Syslog's space-padded day.
        assert_eq!(parse_time("Dec  2 00:00:00 x", NOW).unwrap().0, dec2);
        assert_eq!(parse_time("Foo 02 00:00:00 x", NOW), None);
    }
}
