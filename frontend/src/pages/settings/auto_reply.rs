//! The Auto-reply section: on or off, subject and text (which may start
//! from one of the service's auto-reply templates, R-TPL-1), optional
//! first and last day, once per sender per N days (a generated Sieve
//! `vacation`, so it answers while no browser is open; never to lists, bulk mail or
//! spam). Needs the grant's "manage filters"; without it the form is
//! disabled and says why. Values are checked as typed by the same
//! `postern_shared::filters` rules the gateway enforces.

use super::SettingsCtx;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_error_text::filter_error_text;
use crate::components::template_picker::template_picker;
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::Permission;
use postern_shared::filters::{AutoReply, MAX_REPLY_DAYS, MIN_REPLY_DAYS, check_auto_reply};
use postern_shared::templates::{Template, TemplateContent};

pub fn auto_reply(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let allowed = ctx
        .mailbox
        .grant
        .is_some_and(|g| g.contains(Permission::ManageFilters));
    if !allowed {
        return super::refused::refused_switch(
            t!(i18n, section_auto_reply),
            t!(i18n, auto_reply_intro),
            t!(i18n, auto_reply_toggle),
            t!(i18n, auto_reply_no_permission),
            ("auto-reply-toggle", "auto-reply-refusal"),
        );
    }
    let mb = ctx.mailbox.id;
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let enabled = RwSignal::new(false);
    let subject = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let start = RwSignal::new(String::new());
    let end = RwSignal::new(String::new());
    let days = RwSignal::new(7u32.to_string());
    let show = move |r: AutoReply| {
        enabled.set(r.enabled);
        subject.set(r.subject);
        text.set(r.text);
        start.set(r.start.unwrap_or_default());
        end.set(r.end.unwrap_or_default());
        days.set(r.days.to_string());
    };
    spawn_local(async move {
        match api::get_auto_reply(mb).await {
            Ok(s) => {
                show(s.auto_reply);
                loaded.set(true);
            }
            Err(e) => error.set(Some(error_text(i18n, &e))),
        }
    });
    // A template's subject and text to start from, changed here as the
    // user likes.
    let start_from = move |t: Template| {
        if let TemplateContent::AutoReply {
            subject: s,
            text: x,
        } = t.content
        {
            subject.set(s);
            text.set(x);
            saved.set(false);
        }
    };
    let current = move || {
        let opt = |s: String| (!s.trim().is_empty()).then(|| s.trim().to_string());
        AutoReply {
            enabled: enabled.get_untracked(),
            subject: subject.get_untracked().trim().to_string(),
            text: text.get_untracked(),
            start: opt(start.get_untracked()),
            end: opt(end.get_untracked()),
            days: days.get_untracked().trim().parse().unwrap_or(0),
        }
    };
    let save = move || {
        if busy.get_untracked() || !loaded.get_untracked() {
            return;
        }
        let r = current();
        saved.set(false);
        if let Err(e) = check_auto_reply(&r) {
            error.set(Some(filter_error_text(i18n, &e)));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let res = api::put_auto_reply(mb, &r).await;
            busy.set(false);
            match res {
                Ok(s) => {
                    show(s.auto_reply);
                    saved.set(true);
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <h2>{t!(i18n, section_auto_reply)}</h2>
        <p class="hint">{t!(i18n, auto_reply_intro)}</p>
        <ErrorAlert error=error/>
        <form
            class="block auto-reply"
            data-testid="auto-reply-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            {template_picker(
                mb,
                "auto_reply",
                "auto-reply-template",
                Signal::derive(move || !loaded.get()),
                start_from,
            )}
            <label class="toggle">
                <input
                    type="checkbox"
                    data-testid="auto-reply-toggle"
                    prop:checked=move || enabled.get()
                    disabled=move || !loaded.get()
                    on:change=move |ev| enabled.set(event_target_checked(&ev))
                />
                <span>{t!(i18n, auto_reply_toggle)}</span>
            </label>
            <label>
                <span>{t!(i18n, auto_reply_subject)}</span>
                <input
                    type="text"
                    data-testid="auto-reply-subject"
                    maxlength=postern_shared::filters::MAX_LINE_CHARS.to_string()
                    prop:value=move || subject.get()
                    on:input=move |ev| subject.set(event_target_value(&ev))
                />
            </label>
            <label>
                <span>{t!(i18n, auto_reply_text)}</span>
                <textarea
                    rows="6"
                    data-testid="auto-reply-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <div class="row wrap">
                <label>
                    <span>{t!(i18n, auto_reply_start)}</span>
                    <input
                        type="date"
                        data-testid="auto-reply-start"
                        prop:value=move || start.get()
                        on:input=move |ev| start.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{t!(i18n, auto_reply_end)}</span>
                    <input
                        type="date"
                        data-testid="auto-reply-end"
                        prop:value=move || end.get()
                        on:input=move |ev| end.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{t!(i18n, auto_reply_days)}</span>
                    <input
                        type="number"
                        data-testid="auto-reply-days"
                        min=MIN_REPLY_DAYS.to_string()
                        max=MAX_REPLY_DAYS.to_string()
                        prop:value=move || days.get()
                        on:input=move |ev| days.set(event_target_value(&ev))
                    />
                </label>
            </div>
            <p class="hint">{t!(i18n, auto_reply_never_lists)}</p>
            <div class="actions">
                <button type="submit" class="primary" data-testid="auto-reply-save"
                    disabled=move || busy.get() || !loaded.get()>
                    {t!(i18n, save)}
                </button>
                <Show when=move || saved.get()>
                    <span class="saved" data-testid="auto-reply-saved">{t!(i18n, saved)}</span>
                </Show>
            </div>
        </form>
    }
    .into_any()
}
