//! The mail service's templates (R-TPL): auto-replies (subject and text)
//! and sorting rules (conditions only; a user adding a rule from one
//! picks its actions). Each is visible — offered in every mailbox's
//! Auto-reply or Filters tab — or hidden. A visible auto-reply template is
//! applied here to many mailboxes at once (all or none); changing a
//! template later changes no mailbox. Owners and administrators write
//! them (`Action::ManageTemplates`); a legal representative sees them.

use super::AdminCtx;
use crate::components::access_text::refusal_note;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_error_text::filter_error_text;
use crate::components::rule_conditions::{ConditionForm, condition_fields, describe_condition};
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::admin::AddressKind;
use postern_shared::api::MailboxId;
use postern_shared::filters::MAX_LINE_CHARS;
use postern_shared::permissions::Action;
use postern_shared::templates::{
    ApplyTemplateRequest, Template, TemplateContent, TemplateId, TemplateInput, check_template,
    not_applicable,
};
use std::collections::BTreeSet;

/// Which form is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Editing {
    Closed,
    New,
    Existing(TemplateId),
}

pub fn templates(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let org = ctx.org;
    let may = ctx.may(Action::ManageTemplates);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let list = RwSignal::new(None::<Vec<Template>>);
    let busy = RwSignal::new(false);
    let reload = move || {
        spawn_local(async move {
            match api::list_templates(org).await {
                Ok(t) => list.set(Some(t.templates)),
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        })
    };
    reload();

    // The form, for a new template or one being changed.
    let editing = RwSignal::new(Editing::Closed);
    let name = RwSignal::new(String::new());
    let visible = RwSignal::new(true);
    let rule_kind = RwSignal::new(false);
    let subject = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let form = ConditionForm::new();
    let open = move |t: Option<&Template>| {
        error.set(None);
        notice.set(None);
        match t {
            None => {
                editing.set(Editing::New);
                name.set(String::new());
                visible.set(true);
                rule_kind.set(false);
                subject.set(String::new());
                text.set(String::new());
                form.reset();
            }
            Some(t) => {
                editing.set(Editing::Existing(t.id));
                name.set(t.name.clone());
                visible.set(t.visible);
                match &t.content {
                    TemplateContent::AutoReply {
                        subject: s,
                        text: x,
                    } => {
                        rule_kind.set(false);
                        subject.set(s.clone());
                        text.set(x.clone());
                        form.reset();
                    }
                    TemplateContent::Rule { all, conditions } => {
                        rule_kind.set(true);
                        subject.set(String::new());
                        text.set(String::new());
                        form.fill(*all, conditions.clone());
                    }
                }
            }
        }
    };
    let save = move || {
        if busy.get_untracked() {
            return;
        }
        let content = if rule_kind.get_untracked() {
            TemplateContent::Rule {
                all: form.all.get_untracked(),
                conditions: form.collected(),
            }
        } else {
            TemplateContent::AutoReply {
                subject: subject.get_untracked().trim().to_string(),
                text: text.get_untracked(),
            }
        };
        let input = TemplateInput {
            name: name.get_untracked().trim().to_string(),
            visible: visible.get_untracked(),
            content,
        };
        if let Err(e) = check_template(&input) {
            error.set(Some(filter_error_text(i18n, &e)));
            return;
        }
        let which = editing.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let r = match which {
                Editing::Existing(id) => api::update_template(org, id, &input).await,
                _ => api::create_template(org, &input).await,
            };
            busy.set(false);
            match r {
                Ok(t) => {
                    error.set(None);
                    notice.set(Some(
                        t_string!(i18n, template_saved, name = t.name).to_string(),
                    ));
                    editing.set(Editing::Closed);
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let remove = move |t: Template| {
        let question = t_string!(i18n, template_confirm_delete, name = t.name.clone()).to_string();
        if busy.get_untracked() || !crate::core::browser::confirm(&question) {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = api::delete_template(org, t.id).await;
            busy.set(false);
            match r {
                Ok(()) => {
                    if editing.get_untracked() == Editing::Existing(t.id) {
                        editing.set(Editing::Closed);
                    }
                    notice.set(Some(
                        t_string!(i18n, template_deleted, name = t.name).to_string(),
                    ));
                    reload();
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };

    // Applying an auto-reply template: which one, to which mailboxes.
    let applying = RwSignal::new(None::<Template>);
    let chosen = RwSignal::new(BTreeSet::<MailboxId>::new());
    let narrow = RwSignal::new(String::new());
    let mailboxes = Memo::new(move |_| {
        ctx.data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.addresses
                        .iter()
                        .filter(|a| a.kind == AddressKind::Mailbox)
                        .map(|a| (a.id, a.address.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let shown = move || {
        let n = narrow.get().trim().to_lowercase();
        mailboxes
            .get()
            .into_iter()
            .filter(|(_, a)| n.is_empty() || a.contains(&n))
            .collect::<Vec<_>>()
    };
    let apply = move || {
        let Some(t) = applying.get_untracked() else {
            return;
        };
        let ids: Vec<MailboxId> = chosen.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = api::apply_template(org, t.id, &ApplyTemplateRequest { mailboxes: ids }).await;
            busy.set(false);
            match r {
                Ok(done) => {
                    error.set(None);
                    notice.set(Some(
                        t_string!(
                            i18n,
                            template_applied,
                            name = t.name.clone(),
                            count = done.mailboxes.len()
                        )
                        .to_string(),
                    ));
                    applying.set(None);
                    chosen.set(BTreeSet::new());
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };

    let kind_label = move |c: &TemplateContent| match c {
        TemplateContent::AutoReply { .. } => t_string!(i18n, template_kind_auto_reply).to_string(),
        TemplateContent::Rule { .. } => t_string!(i18n, template_kind_rule).to_string(),
    };
    let summary = move |c: &TemplateContent| match c {
        TemplateContent::AutoReply { subject, .. } => subject.clone(),
        TemplateContent::Rule { all, conditions } => conditions
            .iter()
            .map(|c| describe_condition(i18n, c))
            .collect::<Vec<_>>()
            .join(if *all { " · " } else { " | " }),
    };

    view! {
        <h2>{t!(i18n, admin_templates)}</h2>
        <p class="hint">{t!(i18n, admin_templates_intro)}</p>
        <ErrorAlert error=error/>
        {move || notice.get().map(|n| view! { <p class="notice" role="status" data-testid="template-notice">{n}</p> })}
        {refusal_note(ctx.role(), Action::ManageTemplates)}
        {move || match list.get() {
            None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
            Some(ts) if ts.is_empty() => {
                view! { <p class="hint" data-testid="templates-none">{t!(i18n, templates_none)}</p> }.into_any()
            }
            Some(ts) => {
                view! {
                    <ul class="templates" role="list">
                        {ts
                            .into_iter()
                            .map(|t| {
                                let applicable = not_applicable(&t).is_none();
                                let (for_edit, for_delete, for_apply) = (t.clone(), t.clone(), t.clone());
                                view! {
                                    <li class="block" data-testid="template" data-name=t.name.clone()>
                                        <div class="row wrap">
                                            <strong>{t.name.clone()}</strong>
                                            <span class="badge">{kind_label(&t.content)}</span>
                                            <span class="badge" data-testid="template-visibility">
                                                {if t.visible {
                                                    t_string!(i18n, template_visible_badge).to_string()
                                                } else {
                                                    t_string!(i18n, template_hidden_badge).to_string()
                                                }}
                                            </span>
                                        </div>
                                        <p class="hint">{summary(&t.content)}</p>
                                        <div class="actions">
                                            <button type="button" data-testid="template-edit"
                                                disabled=move || !may.get() || busy.get()
                                                on:click=move |_| open(Some(&for_edit))>
                                                {t!(i18n, template_edit)}
                                            </button>
                                            <Show when=move || applicable>
                                                {
                                                    let for_apply = for_apply.clone();
                                                    view! {
                                                        <button type="button" data-testid="template-apply"
                                                            disabled=move || !may.get() || busy.get()
                                                            on:click=move |_| {
                                                                chosen.set(BTreeSet::new());
                                                                applying.set(Some(for_apply.clone()));
                                                            }>
                                                            {t!(i18n, template_apply)}
                                                        </button>
                                                    }
                                                }
                                            </Show>
                                            <button type="button" class="danger" data-testid="template-delete"
                                                disabled=move || !may.get() || busy.get()
                                                on:click=move |_| remove(for_delete.clone())>
                                                {t!(i18n, delete)}
                                            </button>
                                        </div>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        {move || applying.get().map(|t| {
            view! {
                <section class="block" data-testid="template-apply-panel">
                    <h3>{t!(i18n, template_apply_title, name = t.name.clone())}</h3>
                    <p class="hint">{t!(i18n, template_apply_hint)}</p>
                    <label>
                        <span>{t!(i18n, search)}</span>
                        <input type="search" data-testid="template-apply-search"
                            prop:value=move || narrow.get()
                            on:input=move |ev| narrow.set(event_target_value(&ev))/>
                    </label>
                    <label class="toggle">
                        <input type="checkbox" data-testid="template-apply-all"
                            prop:checked=move || {
                                let s = shown();
                                !s.is_empty() && chosen.with(|c| s.iter().all(|(id, _)| c.contains(id)))
                            }
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let s = shown();
                                chosen.update(|c| for (id, _) in s {
                                    if on { c.insert(id); } else { c.remove(&id); }
                                });
                            }/>
                        <span>{t!(i18n, select_all)}</span>
                    </label>
                    <ul class="checklist" role="list">
                        {move || shown().into_iter().map(|(id, address)| {
                            view! {
                                <li>
                                    <label class="toggle">
                                        <input type="checkbox" data-testid="template-apply-mailbox" data-address=address.clone()
                                            prop:checked=move || chosen.with(|c| c.contains(&id))
                                            on:change=move |ev| {
                                                let on = event_target_checked(&ev);
                                                chosen.update(|c| if on { c.insert(id); } else { c.remove(&id); });
                                            }/>
                                        <span>{address}</span>
                                    </label>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <div class="actions">
                        <button type="button" class="primary" data-testid="template-apply-confirm"
                            disabled=move || busy.get() || chosen.with(BTreeSet::is_empty)
                            on:click=move |_| apply()>
                            {move || t_string!(i18n, template_apply_count, count = chosen.with(BTreeSet::len)).to_string()}
                        </button>
                        <button type="button" on:click=move |_| applying.set(None)>{t!(i18n, cancel)}</button>
                    </div>
                </section>
            }
        })}
        <Show when=move || editing.get() == Editing::Closed>
            <button type="button" class="primary" data-testid="template-new"
                disabled=move || !may.get()
                on:click=move |_| open(None)>
                {t!(i18n, template_new)}
            </button>
        </Show>
        <Show when=move || editing.get() != Editing::Closed>
            <form class="block rule-form" data-testid="template-form"
                on:submit=move |ev| { ev.prevent_default(); save(); }>
                <h3>
                    {move || if editing.get() == Editing::New {
                        t_string!(i18n, template_new).to_string()
                    } else {
                        t_string!(i18n, template_edit).to_string()
                    }}
                </h3>
                <label>
                    <span>{t!(i18n, template_name)}</span>
                    <input type="text" data-testid="template-name" maxlength=MAX_LINE_CHARS.to_string()
                        prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <label>
                    <span>{t!(i18n, template_kind)}</span>
                    // Fixed once made here (the API would take a change: a
                    // template of the other kind is better made anew).
                    <select data-testid="template-kind"
                        disabled=move || editing.get() != Editing::New
                        on:change=move |ev| rule_kind.set(event_target_value(&ev) == "rule")>
                        <option value="auto_reply" selected=move || !rule_kind.get()>{t!(i18n, template_kind_auto_reply)}</option>
                        <option value="rule" selected=move || rule_kind.get()>{t!(i18n, template_kind_rule)}</option>
                    </select>
                </label>
                <label class="toggle">
                    <input type="checkbox" data-testid="template-visible"
                        prop:checked=move || visible.get()
                        on:change=move |ev| visible.set(event_target_checked(&ev))/>
                    <span>{t!(i18n, template_visible)}</span>
                </label>
                <Show when=move || !rule_kind.get()
                    fallback=move || view! {
                        <p class="hint">{t!(i18n, template_rule_hint)}</p>
                        {condition_fields(form)}
                    }>
                    <label>
                        <span>{t!(i18n, auto_reply_subject)}</span>
                        <input type="text" data-testid="template-subject" maxlength=MAX_LINE_CHARS.to_string()
                            prop:value=move || subject.get()
                            on:input=move |ev| subject.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        <span>{t!(i18n, auto_reply_text)}</span>
                        <textarea rows="6" data-testid="template-text"
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    </label>
                </Show>
                <div class="actions">
                    <button type="submit" class="primary" data-testid="template-save"
                        disabled=move || busy.get() || !may.get()>
                        {t!(i18n, save)}
                    </button>
                    <button type="button" on:click=move |_| editing.set(Editing::Closed)>{t!(i18n, cancel)}</button>
                </div>
            </form>
        </Show>
    }
}
