//! The mail service's templates (R-TPL): auto-replies (a subject and a
//! text) and sorting rules (conditions; the user adding a rule from one
//! chooses its action). Each is visible (offered to the service's users in
//! their Auto-reply and Filters tabs) or hidden. Owners and administrators
//! write them (`Action::ManageTemplates`) and apply a visible auto-reply
//! template to many mailboxes at once; a rule template is never applied
//! to mailboxes (rules are each user's, R-TPL-2). Values follow the
//! checks of [`crate::filters`], which they become.

use crate::api::{MailboxId, OrganizationId};
use crate::filters::{
    Condition, FilterError, MAX_LINE_CHARS, MAX_TEXT_CHARS, check_conditions, check_line,
    check_text,
};
use serde::{Deserialize, Serialize};

pub type TemplateId = i64;

/// The most templates of a mail service (both kinds together).
pub const MAX_TEMPLATES: usize = 200;

/// What a template holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TemplateContent {
    /// The start of a mailbox's auto-reply.
    AutoReply { subject: String, text: String },
    /// The conditions of a sorting rule, without its actions.
    Rule {
        /// `true`: every condition must hold; `false`: any one.
        all: bool,
        conditions: Vec<Condition>,
    },
}

impl TemplateContent {
    /// The stored and wire name of the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            TemplateContent::AutoReply { .. } => "auto_reply",
            TemplateContent::Rule { .. } => "rule",
        }
    }
}

/// `POST /api/orgs/{org}/templates`, `PUT …/templates/{template}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemplateInput {
    pub name: String,
    /// Offered to the service's users; a hidden one only to administrators.
    pub visible: bool,
    pub content: TemplateContent,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: TemplateId,
    pub name: String,
    pub visible: bool,
    pub content: TemplateContent,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// `GET /api/orgs/{org}/templates`: every template of the service, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgTemplates {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub organization_id: OrganizationId,
    pub templates: Vec<Template>,
    /// Whether the caller's role may change and apply them
    /// (`Action::ManageTemplates`).
    pub allowed: bool,
}

/// `GET /api/mailboxes/{mb}/templates`: the visible templates of the
/// mailbox's service, by name (the Auto-reply and Filters tabs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxTemplates {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox_id: MailboxId,
    pub templates: Vec<Template>,
}

/// `POST /api/orgs/{org}/templates/{template}/apply`: a visible auto-reply
/// template becomes the auto-reply (switched on) of these mailboxes; their
/// dates and "once per N days" stay as they were.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplyTemplateRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub mailboxes: Vec<MailboxId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApplyTemplateResult {
    /// The mailboxes whose auto-reply it is now, sorted.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub mailboxes: Vec<MailboxId>,
}

/// A template as it may be stored (names and values trimmed by the caller).
/// Fields are named as in the request: `name`, `content.subject`,
/// `content.conditions[0].value`, …
pub fn check_template(t: &TemplateInput) -> Result<(), FilterError> {
    check_line("name", &t.name, MAX_LINE_CHARS, true)?;
    match &t.content {
        TemplateContent::AutoReply { subject, text } => {
            check_line("content.subject", subject, MAX_LINE_CHARS, true)?;
            check_text("content.text", text, MAX_TEXT_CHARS)
        }
        TemplateContent::Rule { conditions, .. } => check_conditions("content.", conditions),
    }
}

/// Why a template cannot be applied: the wire name in `params.reason`
/// of `template_not_applicable`.
pub fn not_applicable(t: &Template) -> Option<&'static str> {
    if !matches!(t.content, TemplateContent::AutoReply { .. }) {
        Some("kind")
    } else if !t.visible {
        Some("hidden")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filters::FilterReason;
    use crate::filters::{Match, RuleField};

    fn is_refused(t: &TemplateInput, reason: FilterReason) -> bool {
        check_template(t).is_err_and(|e| e.reason == reason)
    }

    fn reply(name: &str, subject: &str, text: &str) -> TemplateInput {
        TemplateInput {
            name: name.into(),
            visible: true,
            content: TemplateContent::AutoReply {
                subject: subject.into(),
                text: text.into(),
            },
        }
    }

    #[test]
    fn an_auto_reply_template_needs_a_name_a_subject_and_a_text() {
        assert!(check_template(&reply("Holidays", "Away", "Back on Monday.\nAnn")).is_ok());
        let e = check_template(&reply(" ", "Away", "x")).unwrap_err();
        assert_eq!((e.field.as_str(), e.reason), ("name", FilterReason::Empty));
        let e = check_template(&reply("H", "", "x")).unwrap_err();
        assert_eq!(e.field, "content.subject");
        let e = check_template(&reply("H", "Away", "  ")).unwrap_err();
        assert_eq!(e.field, "content.text");
        // A line break in a one-line value would end a Sieve string's line.
        let e = check_template(&reply("H", "Away\r\nBcc: x@y", "t")).unwrap_err();
        assert_eq!(e.reason, FilterReason::Character('\r'));
        let long = "n".repeat(MAX_LINE_CHARS + 1);
        assert!(is_refused(
            &reply(&long, "a", "b"),
            FilterReason::TooLong(MAX_LINE_CHARS)
        ));
    }

    #[test]
    fn a_rule_template_is_checked_like_a_rules_conditions() {
        let rule = |conditions| TemplateInput {
            name: "Invoices".into(),
            visible: false,
            content: TemplateContent::Rule {
                all: true,
                conditions,
            },
        };
        assert!(is_refused(&rule(vec![]), FilterReason::Empty));
        let subject = Condition {
            field: RuleField::Subject,
            matches: Match::Contains,
            header: None,
            value: "invoice \"2026\" \\ ñ".into(),
        };
        assert!(check_template(&rule(vec![subject.clone()])).is_ok());
        let above = Condition {
            matches: Match::Above,
            ..subject
        };
        let e = check_template(&rule(vec![above])).unwrap_err();
        assert_eq!(
            (e.field.as_str(), e.reason),
            ("content.conditions[0].match", FilterReason::Match)
        );
    }

    #[test]
    fn only_a_visible_auto_reply_template_is_applied() {
        let t = |visible, content| Template {
            id: 1,
            name: "t".into(),
            visible,
            content,
            updated_at: 0,
        };
        let r = || TemplateContent::AutoReply {
            subject: "s".into(),
            text: "t".into(),
        };
        assert_eq!(not_applicable(&t(true, r())), None);
        assert_eq!(not_applicable(&t(false, r())), Some("hidden"));
        let rule = TemplateContent::Rule {
            all: true,
            conditions: vec![],
        };
        assert_eq!(not_applicable(&t(true, rule)), Some("kind"));
    }

    #[test]
    fn content_is_tagged_by_kind_on_the_wire() {
        let json = serde_json::to_value(reply("H", "Away", "t").content).unwrap();
        assert_eq!(json["kind"], "auto_reply");
        let back: TemplateContent = serde_json::from_value(json).unwrap();
        assert_eq!(back.kind(), "auto_reply");
    }
}
