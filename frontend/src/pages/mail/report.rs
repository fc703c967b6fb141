//! "Spam" and "Not spam" (R-SPAM-5, R-MAIL-5) in the list's bulk bar and
//! the reader: the gateway moves the messages and teaches the filter; the
//! notice then offers to block (or always accept) their senders in one
//! click, where the user may change the lists ("manage filters" — the
//! gateway says so in its answer, and refuses the list route otherwise).

use super::MailCtx;
use crate::core::api;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::folders::SpecialUse;
use postern_shared::spam::{SenderEntries, SenderList, Verdict};

/// A report just made.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    verdict: Verdict,
    senders: Vec<String>,
    can_list: bool,
    /// The senders were put on the list.
    listed: bool,
}

/// What a report from the folder on screen says: in the Junk folder
/// "not spam", anywhere else "spam".
pub fn verdict_here(ctx: MailCtx) -> Verdict {
    match ctx.current_folder().and_then(|f| f.special) {
        Some(SpecialUse::Junk) => Verdict::NotSpam,
        _ => Verdict::Spam,
    }
}

/// Reports `uids` of the folder on screen; `after` runs once they moved
/// (it reloads what shows them).
pub fn report(ctx: MailCtx, i18n: I18nContext, uids: Vec<u32>, after: impl FnOnce() + 'static) {
    let verdict = verdict_here(ctx);
    let (mb, folder) = (ctx.mailbox.get_untracked(), ctx.folder.get_untracked());
    spawn_local(async move {
        match api::report_messages(mb, folder, uids, verdict).await {
            Ok(r) => {
                ctx.reported.set(Some(Reported {
                    verdict,
                    senders: r.senders,
                    can_list: r.can_list,
                    listed: false,
                }));
                after();
            }
            Err(e) => ctx.show_error(i18n, &e),
        }
    });
}

/// The button of the list's bulk bar and the reader's toolbar.
#[component]
pub fn ReportButton(
    #[prop(into)] disabled: Signal<bool>,
    on_report: Callback<()>,
    /// An icon only (the reader's toolbar), or its name (the bulk bar).
    #[prop(optional)]
    icon_only: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let ctx = super::use_mail();
    let spam = move || verdict_here(ctx) == Verdict::Spam;
    let name = move || {
        if spam() {
            t_string!(i18n, report_spam)
        } else {
            t_string!(i18n, report_not_spam)
        }
    };
    view! {
        <button
            type="button"
            class:icon-button=icon_only
            data-testid="report"
            aria-label=name
            title=name
            disabled=disabled
            on:click=move |_| on_report.run(())
        >
            {move || {
                if !icon_only {
                    name().into_any()
                } else if spam() {
                    crate::components::icon::icon(crate::components::icon::SPAM).into_any()
                } else {
                    crate::components::icon::icon(crate::components::icon::NOT_SPAM).into_any()
                }
            }}
        </button>
    }
}

/// "Reported as spam. [Block x@y] ×".
#[component]
pub fn ReportNotice() -> impl IntoView {
    let i18n = use_i18n();
    let ctx = super::use_mail();
    let list = move || {
        let Some(r) = ctx.reported.get_untracked() else {
            return;
        };
        let entries = SenderEntries {
            list: match r.verdict {
                Verdict::Spam => SenderList::Blocked,
                Verdict::NotSpam => SenderList::Approved,
            },
            entries: r.senders,
        };
        let mb = ctx.mailbox.get_untracked();
        spawn_local(async move {
            match api::change_spam_senders(mb, &entries, false).await {
                Ok(_) => ctx.reported.update(|r| {
                    if let Some(r) = r {
                        r.listed = true
                    }
                }),
                Err(e) => ctx.show_error(i18n, &e),
            }
        });
    };
    move || {
        ctx.reported.get().map(|r| {
            let spam = r.verdict == Verdict::Spam;
            let text = match (r.listed, spam) {
                (true, _) => t_string!(i18n, reported_listed),
                (false, true) => t_string!(i18n, reported_spam),
                (false, false) => t_string!(i18n, reported_not_spam),
            };
            let offer = (r.can_list && !r.listed && !r.senders.is_empty()).then(|| {
                let label = match (spam, r.senders.as_slice()) {
                    (true, [one]) => {
                        t_string!(i18n, block_sender, sender = one.clone()).to_string()
                    }
                    (false, [one]) => {
                        t_string!(i18n, approve_sender, sender = one.clone()).to_string()
                    }
                    (true, many) => t_string!(i18n, block_senders, count = many.len()).to_string(),
                    (false, many) => {
                        t_string!(i18n, approve_senders, count = many.len()).to_string()
                    }
                };
                view! {
                    <button type="button" data-testid="report-list" on:click=move |_| list()>
                        {label}
                    </button>
                }
            });
            view! {
                <div class="alert report" role="status" data-testid="report-notice">
                    <span>{text}</span>
                    {offer}
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=move || t_string!(i18n, dismiss)
                        on:click=move |_| ctx.reported.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
