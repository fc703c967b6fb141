//! A mailbox's auto-reply and sorting rules (issue 13; the Auto-reply and
//! Filters tabs, `manage_filters`), and what each value may be: the one
//! check the portal runs as it is typed and the gateway enforces before it
//! writes them into a generated Sieve script.
//!
//! Values end up as Sieve strings. Rather than trust escaping alone, each
//! field says what it may hold: one-line fields no control character, the
//! auto-reply's text line breaks and tabs but no other control character,
//! header names only RFC 5322 field-name characters, a size digits, a
//! forward target an address ([`crate::spam::parse_sender`]). Quotes,
//! backslashes and non-ASCII text are allowed where people type them
//! (subjects, texts, condition values): the generator escapes them.

use crate::api::MailboxId;
use serde::{Deserialize, Serialize};

/// The most characters of an auto-reply's subject, a rule's name or a
/// condition's value.
pub const MAX_LINE_CHARS: usize = 200;
/// The most characters of an auto-reply's text.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Pigeonhole's default bounds of vacation's `:days`
/// (`sieve_vacation_min_period` 1d, `sieve_vacation_max_period` 60d).
pub const MIN_REPLY_DAYS: u32 = 1;
pub const MAX_REPLY_DAYS: u32 = 60;
/// The most rules of a mailbox, and conditions of a rule.
pub const MAX_RULES: usize = 50;
pub const MAX_CONDITIONS: usize = 10;
/// The most rules that forward: Pigeonhole's `sieve_max_redirects`
/// (4) is the most copies one delivery may send.
pub const MAX_FORWARDS: usize = 4;
/// The largest size condition, in KB (1 GB).
pub const MAX_SIZE_KB: u64 = 1_048_576;

/// A mailbox's auto-reply (Sieve `vacation`: it answers while no browser
/// is open). Never sent to mailing lists, bulk mail or spam.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoReply {
    pub enabled: bool,
    pub subject: String,
    pub text: String,
    /// `YYYY-MM-DD` (UTC): replies from that day on.
    #[serde(default)]
    pub start: Option<String>,
    /// `YYYY-MM-DD` (UTC): the last day of replies.
    #[serde(default)]
    pub end: Option<String>,
    /// One reply per sender per this many days.
    pub days: u32,
}

impl Default for AutoReply {
    fn default() -> Self {
        AutoReply {
            enabled: false,
            subject: String::new(),
            text: String::new(),
            start: None,
            end: None,
            days: 7,
        }
    }
}

/// `GET/PUT /api/mailboxes/{mb}/auto-reply`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoReplySettings {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    pub auto_reply: AutoReply,
}

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    From,
    /// To or Cc.
    To,
    Subject,
    /// The header named by `Condition::header`.
    Header,
    /// The message's size, with `Match::Above` and a value in KB.
    Size,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Match {
    Contains,
    Is,
    /// Only for `RuleField::Size`.
    Above,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Condition {
    pub field: RuleField,
    #[serde(rename = "match")]
    pub matches: Match,
    /// The header's name, for `RuleField::Header`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Compared case-insensitively; KB for a size.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleAction {
    /// File into an existing folder of the mailbox (full path).
    Move {
        folder: String,
    },
    MarkRead,
    Flag,
    /// Send a copy to an address (the message is still kept, unless the
    /// rule also moves or discards it).
    Forward {
        address: String,
    },
    /// Delete it at delivery.
    Discard,
}

/// A sorting rule: when all (or any) conditions hold, its actions run
/// and no later rule is tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    /// `true`: every condition must hold; `false`: any one.
    pub all: bool,
    pub conditions: Vec<Condition>,
    pub actions: Vec<RuleAction>,
}

/// `GET /api/mailboxes/{mb}/rules`, in the order they are tried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxRules {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    pub rules: Vec<Rule>,
}

/// `PUT /api/mailboxes/{mb}/rules`: the whole ordered list (add, remove,
/// reorder and switch are one write of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PutRules {
    pub rules: Vec<Rule>,
}

/// Why a value was refused (`invalid_filter_value`, with `field`,
/// `reason` and `character` or `limit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    /// The request field: `subject`, `text`, `start`, `end`, `days`,
    /// `rules[2].conditions[0].value`, …
    pub field: String,
    pub reason: FilterReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterReason {
    Empty,
    TooLong(usize),
    Character(char),
    Date,
    DateOrder,
    Days,
    HeaderName,
    Size,
    /// A match that does not go with the field (`above` on a subject).
    Match,
    Address,
    /// Forwarding to one of the mailbox's own addresses (a loop).
    OwnAddress,
    NoActions,
    /// Discard with a move or a flag; two moves.
    Actions,
    TooMany(usize),
}

impl FilterReason {
    /// The wire name in `params.reason`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterReason::Empty => "empty",
            FilterReason::TooLong(_) => "too_long",
            FilterReason::Character(_) => "character",
            FilterReason::Date => "date",
            FilterReason::DateOrder => "date_order",
            FilterReason::Days => "days",
            FilterReason::HeaderName => "header_name",
            FilterReason::Size => "size",
            FilterReason::Match => "match",
            FilterReason::Address => "address",
            FilterReason::OwnAddress => "own_address",
            FilterReason::NoActions => "no_actions",
            FilterReason::Actions => "actions",
            FilterReason::TooMany(_) => "too_many",
        }
    }
}

fn err(field: impl Into<String>, reason: FilterReason) -> FilterError {
    FilterError {
        field: field.into(),
        reason,
    }
}

/// A one-line value: not empty (when `required`), at most `max`
/// characters, no control character.
pub fn check_line(field: &str, s: &str, max: usize, required: bool) -> Result<(), FilterError> {
    if required && s.trim().is_empty() {
        return Err(err(field, FilterReason::Empty));
    }
    if s.chars().count() > max {
        return Err(err(field, FilterReason::TooLong(max)));
    }
    if let Some(c) = s.chars().find(|c| c.is_control()) {
        return Err(err(field, FilterReason::Character(c)));
    }
    Ok(())
}

/// A text of lines: line breaks (`\n`, `\r\n`) and tabs allowed.
pub fn check_text(field: &str, s: &str, max: usize) -> Result<(), FilterError> {
    if s.trim().is_empty() {
        return Err(err(field, FilterReason::Empty));
    }
    if s.chars().count() > max {
        return Err(err(field, FilterReason::TooLong(max)));
    }
    if let Some(c) = s
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(err(field, FilterReason::Character(c)));
    }
    Ok(())
}

/// `YYYY-MM-DD` of a real day.
pub fn valid_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &s[r];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1900..=9999).contains(&y) && (1..=days).contains(&d)
}

/// The auto-reply's rules. A switched-off one is still checked (it is
/// kept, and may be switched on later).
pub fn check_auto_reply(r: &AutoReply) -> Result<(), FilterError> {
    check_line("subject", &r.subject, MAX_LINE_CHARS, true)?;
    check_text("text", &r.text, MAX_TEXT_CHARS)?;
    for (field, d) in [("start", &r.start), ("end", &r.end)] {
        if d.as_deref().is_some_and(|d| !valid_date(d)) {
            return Err(err(field, FilterReason::Date));
        }
    }
    if let (Some(s), Some(e)) = (&r.start, &r.end)
        && e < s
    {
        return Err(err("end", FilterReason::DateOrder));
    }
    if !(MIN_REPLY_DAYS..=MAX_REPLY_DAYS).contains(&r.days) {
        return Err(err("days", FilterReason::Days));
    }
    Ok(())
}

/// An RFC 5322 field name (printable ASCII but `:`), at most 76.
pub fn valid_header_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 76 && s.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

/// One condition, `at` its field prefix (`rules[0].conditions[1]`).
pub fn check_condition(at: &str, c: &Condition) -> Result<(), FilterError> {
    match (c.field, c.matches) {
        (RuleField::Size, Match::Above) => {
            let ok = !c.value.is_empty()
                && c.value.len() <= 7
                && c.value.bytes().all(|b| b.is_ascii_digit())
                && c.value.parse::<u64>().is_ok_and(|v| v <= MAX_SIZE_KB);
            if !ok {
                return Err(err(format!("{at}.value"), FilterReason::Size));
            }
            return Ok(());
        }
        (RuleField::Size, _) | (_, Match::Above) => {
            return Err(err(format!("{at}.match"), FilterReason::Match));
        }
        (RuleField::Header, _) if !c.header.as_deref().is_some_and(valid_header_name) => {
            return Err(err(format!("{at}.header"), FilterReason::HeaderName));
        }
        _ => {}
    }
    check_line(&format!("{at}.value"), &c.value, MAX_LINE_CHARS, true)
}

/// The conditions of a rule or a rule template.
pub fn check_conditions(at: &str, conditions: &[Condition]) -> Result<(), FilterError> {
    if conditions.is_empty() {
        return Err(err(format!("{at}conditions"), FilterReason::Empty));
    }
    if conditions.len() > MAX_CONDITIONS {
        return Err(err(
            format!("{at}conditions"),
            FilterReason::TooMany(MAX_CONDITIONS),
        ));
    }
    for (i, c) in conditions.iter().enumerate() {
        check_condition(&format!("{at}conditions[{i}]"), c)?;
    }
    Ok(())
}

/// A forward target: one plain address (the sending rules' syntax; a
/// domain or a list is refused).
pub fn check_forward(field: &str, address: &str) -> Result<String, FilterError> {
    match crate::spam::parse_sender(address) {
        Ok(crate::spam::Sender::Address(a)) => Ok(a),
        _ => Err(err(field, FilterReason::Address)),
    }
}

/// A rule's actions (folders are checked against the mailbox by the
/// gateway; their text by [`check_line`]).
pub fn check_actions(at: &str, actions: &[RuleAction]) -> Result<(), FilterError> {
    let field = format!("{at}actions");
    if actions.is_empty() {
        return Err(err(field, FilterReason::NoActions));
    }
    let count = |f: fn(&RuleAction) -> bool| actions.iter().filter(|a| f(a)).count();
    let moves = count(|a| matches!(a, RuleAction::Move { .. }));
    let discards = count(|a| matches!(a, RuleAction::Discard));
    let flags = count(|a| matches!(a, RuleAction::MarkRead | RuleAction::Flag));
    let forwards = count(|a| matches!(a, RuleAction::Forward { .. }));
    if moves > 1 || forwards > 1 || discards > 1 || (discards == 1 && moves + flags > 0) {
        return Err(err(field, FilterReason::Actions));
    }
    for (i, a) in actions.iter().enumerate() {
        match a {
            RuleAction::Move { folder } => {
                check_line(&format!("{at}actions[{i}].folder"), folder, 500, true)?
            }
            RuleAction::Forward { address } => {
                check_forward(&format!("{at}actions[{i}].address"), address)?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The whole list of a mailbox's rules.
pub fn check_rules(rules: &[Rule]) -> Result<(), FilterError> {
    if rules.len() > MAX_RULES {
        return Err(err("rules", FilterReason::TooMany(MAX_RULES)));
    }
    let forwarding = rules
        .iter()
        .filter(|r| {
            r.actions
                .iter()
                .any(|a| matches!(a, RuleAction::Forward { .. }))
        })
        .count();
    if forwarding > MAX_FORWARDS {
        return Err(err("rules", FilterReason::TooMany(MAX_FORWARDS)));
    }
    for (i, r) in rules.iter().enumerate() {
        let at = format!("rules[{i}].");
        check_line(&format!("{at}name"), &r.name, MAX_LINE_CHARS, true)?;
        check_conditions(&at, &r.conditions)?;
        check_actions(&at, &r.actions)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply() -> AutoReply {
        AutoReply {
            enabled: true,
            subject: "Away".into(),
            text: "Back on Monday.\nRegards".into(),
            start: Some("2026-12-01".into()),
            end: Some("2026-12-24".into()),
            days: 7,
        }
    }

    #[test]
    fn an_auto_reply_is_checked_field_by_field() {
        assert_eq!(check_auto_reply(&reply()), Ok(()));
        let bad = |f: fn(&mut AutoReply)| {
            let mut r = reply();
            f(&mut r);
            let e = check_auto_reply(&r).unwrap_err();
            (e.field, e.reason.as_str())
        };
        assert_eq!(bad(|r| r.subject = "a\nb".into()).1, "character");
        assert_eq!(bad(|r| r.subject = " ".into()).1, "empty");
        assert_eq!(bad(|r| r.subject = "x".repeat(201)).1, "too_long");
        assert_eq!(bad(|r| r.text = "a\0b".into()).1, "character");
        assert_eq!(bad(|r| r.start = Some("2026-02-30".into())).1, "date");
        assert_eq!(
            bad(|r| r.end = Some("2026-11-30".into())),
            ("end".into(), "date_order")
        );
        assert_eq!(bad(|r| r.days = 0).1, "days");
        assert_eq!(bad(|r| r.days = 61).1, "days");
        // Quotes, backslashes and other scripts are text like any other.
        let mut r = reply();
        r.subject = "Fuera \"de\" la oficina \\ 休暇".into();
        assert_eq!(check_auto_reply(&r), Ok(()));
    }

    #[test]
    fn dates_are_real_days() {
        assert!(valid_date("2028-02-29"));
        assert!(!valid_date("2027-02-29"));
        assert!(!valid_date("2026-13-01"));
        assert!(!valid_date("2026-1-01"));
        assert!(!valid_date("+026-01-01"));
    }

    fn cond(field: RuleField, m: Match, value: &str) -> Condition {
        Condition {
            field,
            matches: m,
            header: None,
            value: value.into(),
        }
    }

    fn rule(conditions: Vec<Condition>, actions: Vec<RuleAction>) -> Rule {
        Rule {
            name: "r".into(),
            enabled: true,
            all: true,
            conditions,
            actions,
        }
    }

    #[test]
    fn rules_refuse_what_sieve_should_never_see() {
        let ok = rule(
            vec![cond(RuleField::Subject, Match::Contains, "\"; discard; \\")],
            vec![RuleAction::MarkRead],
        );
        assert_eq!(check_rules(std::slice::from_ref(&ok)), Ok(()));
        let reason = |r: Rule| check_rules(&[r]).unwrap_err().reason.as_str();
        let mut c = cond(RuleField::Header, Match::Is, "x");
        c.header = Some("X-Bad: header".into());
        assert_eq!(reason(rule(vec![c], vec![RuleAction::Flag])), "header_name");
        assert_eq!(
            reason(rule(
                vec![cond(RuleField::Size, Match::Above, "10k")],
                vec![RuleAction::Flag]
            )),
            "size"
        );
        assert_eq!(
            reason(rule(
                vec![cond(RuleField::Subject, Match::Above, "1")],
                vec![RuleAction::Flag]
            )),
            "match"
        );
        assert_eq!(
            reason(rule(
                vec![cond(RuleField::From, Match::Is, "a\r\nb")],
                vec![RuleAction::Flag]
            )),
            "character"
        );
        assert_eq!(
            reason(rule(
                vec![cond(RuleField::From, Match::Is, "a")],
                vec![RuleAction::Discard, RuleAction::MarkRead]
            )),
            "actions"
        );
        assert_eq!(
            reason(rule(vec![cond(RuleField::From, Match::Is, "a")], vec![])),
            "no_actions"
        );
        for target in ["@domain.test", "a@b.test, c@d.test", "\"x\"@y.test", "a@b"] {
            assert_eq!(
                reason(rule(
                    vec![cond(RuleField::From, Match::Is, "a")],
                    vec![RuleAction::Forward {
                        address: target.into()
                    }]
                )),
                "address",
                "{target}"
            );
        }
        let forward = rule(
            vec![cond(RuleField::From, Match::Is, "a")],
            vec![RuleAction::Forward {
                address: "x@y.test".into(),
            }],
        );
        assert_eq!(
            check_rules(&vec![forward; MAX_FORWARDS + 1])
                .unwrap_err()
                .reason,
            FilterReason::TooMany(MAX_FORWARDS)
        );
    }
}
