//! The mail service's templates (R-TPL) on the real stack: written by an
//! administrator, offered (the visible ones) to a mailbox's users, and an
//! auto-reply template applied to three mailboxes at once, which then
//! answer real mail from outside through Postfix to the sink.

use postern_shared::api::MailboxId;
use postern_shared::filters::{AutoReply, AutoReplySettings, Condition, Match, RuleField};
use postern_shared::permissions::Role;
use postern_shared::templates::{
    ApplyTemplateRequest, ApplyTemplateResult, MailboxTemplates, OrgTemplates, Template,
    TemplateContent, TemplateInput,
};
use postern_shared::wire::routes::Route;
use postern_shared::{ErrorCode, Permission, PermissionSet};
use postern_tests::fixtures::{Fixture, Mail};
use postern_tests::{ApiClient, ApiFailure, eventually, unique};
use std::time::Duration;

fn reply_template(name: &str, subject: &str, visible: bool) -> TemplateInput {
    TemplateInput {
        name: name.into(),
        visible,
        content: TemplateContent::AutoReply {
            subject: subject.into(),
            text: "We are closed for the holidays.\nBack on 7 January.".into(),
        },
    }
}

fn rule_template(name: &str) -> TemplateInput {
    TemplateInput {
        name: name.into(),
        visible: true,
        content: TemplateContent::Rule {
            all: false,
            conditions: vec![Condition {
                field: RuleField::Subject,
                matches: Match::Contains,
                header: None,
                value: "invoice".into(),
            }],
        },
    }
}

async fn create(api: &ApiClient, org: i64, t: &TemplateInput) -> Result<Template, ApiFailure> {
    api.post(&Route::CreateTemplate { org }.path(), t).await
}

async fn apply(
    api: &ApiClient,
    org: i64,
    template: i64,
    mailboxes: Vec<MailboxId>,
) -> Result<ApplyTemplateResult, ApiFailure> {
    api.post(
        &Route::ApplyTemplate { org, template }.path(),
        &ApplyTemplateRequest { mailboxes },
    )
    .await
}

#[tokio::test]
async fn an_auto_reply_template_applied_to_three_mailboxes_answers_from_each() {
    let fx = Fixture::with_role(Role::Owner).await;
    let all = Some(PermissionSet::all());
    let (b, b_addr) = fx.add_mailbox("sales", all).await;
    let (c, c_addr) = fx.add_mailbox("support", all).await;
    let (untouched, _) = fx.add_mailbox("other", all).await;
    // b had a short absence, long over, answered once per 3 days: the
    // template answers from now on, and keeps b's "once per 3 days".
    let past = AutoReply {
        enabled: false,
        subject: "Gone fishing".into(),
        text: "Back soon.".into(),
        start: Some("2020-01-01".into()),
        end: Some("2020-01-05".into()),
        days: 3,
    };
    let _: AutoReplySettings = fx
        .api
        .put(&Route::PutAutoReply { mb: b }.path(), &past)
        .await
        .expect("b's old auto-reply");
    let subject = format!("Closed «{}»", unique("hol"));
    let t = create(&fx.api, fx.org, &reply_template("Holidays", &subject, true))
        .await
        .expect("create");
    let done = apply(&fx.api, fx.org, t.id, vec![c, fx.mailbox, b, b])
        .await
        .expect("apply");
    let mut want = vec![fx.mailbox, b, c];
    want.sort_unstable();
    assert_eq!(done.mailboxes, want);

    for mb in [fx.mailbox, b, c] {
        let s: AutoReplySettings = fx
            .api
            .get(&Route::GetAutoReply { mb }.path())
            .await
            .unwrap();
        assert!(s.auto_reply.enabled, "mailbox {mb}");
        assert_eq!(s.auto_reply.subject, subject);
        assert!(s.auto_reply.text.starts_with("We are closed"));
        if mb == b {
            assert_eq!(s.auto_reply.days, 3, "b keeps its once per 3 days");
            assert_eq!((s.auto_reply.start, s.auto_reply.end), (None, None));
        }
    }
    let other: AutoReplySettings = fx
        .api
        .get(&Route::GetAutoReply { mb: untouched }.path())
        .await
        .unwrap();
    assert!(
        !other.auto_reply.enabled,
        "a mailbox not selected is left alone"
    );

    // Each answers a real sender from outside (Sieve vacation → sink).
    let stack = fx.stack;
    for to in [&fx.address, &b_addr, &c_addr] {
        let from = format!("{}@outside.example", unique("guest"));
        let data = Mail::new("Are you open?")
            .from(&from)
            .to(to)
            .date(postern_tests::sending::now())
            .body("Hello.")
            .build();
        let outcome = stack.smtp_deliver(&from, &[to.as_str()], &data);
        assert!(outcome.accepted, "{}", outcome.transcript);
        eventually("the auto-reply", Duration::from_secs(30), || async {
            stack
                .sink_messages()
                .into_iter()
                .any(|m| {
                    let m = String::from_utf8_lossy(&m);
                    m.contains(&from) && m.contains("We are closed")
                })
                .then_some(())
        })
        .await;
    }

    // Changing the template later changes no mailbox (a starting point).
    let changed: Template = fx
        .api
        .put(
            &Route::UpdateTemplate {
                org: fx.org,
                template: t.id,
            }
            .path(),
            &reply_template("Holidays", "Something else", true),
        )
        .await
        .unwrap();
    assert_eq!(changed.id, t.id);
    let s: AutoReplySettings = fx
        .api
        .get(&Route::GetAutoReply { mb: b }.path())
        .await
        .unwrap();
    assert_eq!(s.auto_reply.subject, subject);
}

#[tokio::test]
async fn users_are_offered_the_visible_templates_and_hidden_ones_are_not_applied() {
    let fx = Fixture::with_role(Role::Administrator).await;
    let shown = create(&fx.api, fx.org, &reply_template("Away", "Away", true))
        .await
        .unwrap();
    let hidden = create(&fx.api, fx.org, &reply_template("Draft", "Draft", false))
        .await
        .unwrap();
    let rule = create(&fx.api, fx.org, &rule_template("Invoices"))
        .await
        .unwrap();

    let listed: OrgTemplates = fx
        .api
        .get(&Route::ListTemplates { org: fx.org }.path())
        .await
        .unwrap();
    assert!(listed.allowed);
    let names: Vec<_> = listed.templates.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Away", "Draft", "Invoices"], "by name");

    let offered: MailboxTemplates = fx
        .api
        .get(&Route::MailboxTemplates { mb: fx.mailbox }.path())
        .await
        .unwrap();
    let ids: Vec<_> = offered.templates.iter().map(|t| t.id).collect();
    assert_eq!(ids, [shown.id, rule.id], "hidden ones are not offered");
    assert!(matches!(
        &offered.templates[1].content,
        TemplateContent::Rule { all: false, conditions } if conditions[0].value == "invoice"
    ));

    for (id, reason) in [(hidden.id, "hidden"), (rule.id, "kind")] {
        let e = apply(&fx.api, fx.org, id, vec![fx.mailbox])
            .await
            .unwrap_err();
        assert_eq!(
            (e.status, e.code()),
            (409, ErrorCode::TemplateNotApplicable)
        );
        assert_eq!(e.error.params.reason.as_deref(), Some(reason));
    }
    let s: AutoReplySettings = fx
        .api
        .get(&Route::GetAutoReply { mb: fx.mailbox }.path())
        .await
        .unwrap();
    assert!(!s.auto_reply.enabled);

    // Deleted: gone from the list; a second delete names it missing.
    let path = Route::DeleteTemplate {
        org: fx.org,
        template: hidden.id,
    }
    .path();
    fx.api.delete::<()>(&path).await.unwrap();
    let e = fx.api.delete::<()>(&path).await.unwrap_err();
    assert_eq!((e.status, e.code()), (404, ErrorCode::TemplateNotFound));
}

#[tokio::test]
async fn another_organisation_s_mailbox_or_template_refuses_the_whole_apply() {
    let fx = Fixture::with_role(Role::Owner).await;
    let stranger = Fixture::with_role(Role::Owner).await;
    let t = create(&fx.api, fx.org, &reply_template("Away", "Away", true))
        .await
        .unwrap();
    let e = apply(&fx.api, fx.org, t.id, vec![fx.mailbox, stranger.mailbox])
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    for mb in [fx.mailbox] {
        let s: AutoReplySettings = fx
            .api
            .get(&Route::GetAutoReply { mb }.path())
            .await
            .unwrap();
        assert!(!s.auto_reply.enabled, "all or none");
    }
    let theirs: AutoReplySettings = stranger
        .api
        .get(
            &Route::GetAutoReply {
                mb: stranger.mailbox,
            }
            .path(),
        )
        .await
        .unwrap();
    assert!(!theirs.auto_reply.enabled);
    // The stranger's administration does not reach this template.
    let e = apply(&stranger.api, stranger.org, t.id, vec![stranger.mailbox])
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (404, ErrorCode::TemplateNotFound));
    let e = apply(&stranger.api, fx.org, t.id, vec![stranger.mailbox])
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
}

#[tokio::test]
async fn hostile_values_are_refused_and_only_administrators_write() {
    let fx = Fixture::with_role(Role::Owner).await;
    let line_break = reply_template("Away", "Away\r\nBcc: victim@example.com", true);
    let e = create(&fx.api, fx.org, &line_break).await.unwrap_err();
    assert_eq!((e.status, e.code()), (400, ErrorCode::InvalidFilterValue));
    assert_eq!(e.error.params.field.as_deref(), Some("content.subject"));
    let mut bad_header = rule_template("Header");
    if let TemplateContent::Rule { conditions, .. } = &mut bad_header.content {
        conditions[0].field = RuleField::Header;
        conditions[0].header = Some("X-Spam: \"yes\"".into());
    }
    let e = create(&fx.api, fx.org, &bad_header).await.unwrap_err();
    assert_eq!(
        e.error.params.field.as_deref(),
        Some("content.conditions[0].header")
    );
    // Quotes, backslashes and non-ASCII are kept as typed.
    let odd = create(
        &fx.api,
        fx.org,
        &reply_template("«Ñ» \"q\" \\", "Fermé \"jusqu'au\" lundi \\o/", true),
    )
    .await
    .unwrap();
    assert_eq!(odd.name, "«Ñ» \"q\" \\");
    let done = apply(&fx.api, fx.org, odd.id, vec![fx.mailbox])
        .await
        .expect("a quoted subject is escaped into a script that compiles");
    assert_eq!(done.mailboxes, [fx.mailbox]);

    // A legal representative sees the templates but changes nothing; a
    // user with "manage filters" reads the visible ones for their mailbox
    // only; without it, not at all.
    let legal = Fixture::with_role(Role::LegalRepresentative).await;
    let listed: OrgTemplates = legal
        .api
        .get(&Route::ListTemplates { org: legal.org }.path())
        .await
        .unwrap();
    assert!(!listed.allowed);
    let e = create(&legal.api, legal.org, &reply_template("A", "A", true))
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    let user = Fixture::with_permissions([Permission::Read].into_iter().collect()).await;
    let e = user
        .api
        .get::<MailboxTemplates>(&Route::MailboxTemplates { mb: user.mailbox }.path())
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
    let e = user
        .api
        .get::<OrgTemplates>(&Route::ListTemplates { org: user.org }.path())
        .await
        .unwrap_err();
    assert_eq!((e.status, e.code()), (403, ErrorCode::Forbidden));
}
