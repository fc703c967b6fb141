//! The Filters section's sorting rules: the ordered list (each on/off,
//! moved up, removed, edited) and a form adding or changing one — conditions (from, to/cc,
//! subject, a header contains / is; size above: `rule_conditions.rs`),
//! optionally started from one of the service's rule templates (R-TPL-2),
//! and actions (move, mark read, flag, forward, discard). Every change
//! writes the whole list (`PUT …/rules`); the gateway turns it into Sieve.

use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_error_text::filter_error_text;
use crate::components::rule_conditions::{ConditionForm, condition_fields, describe_condition};
use crate::components::template_picker::template_picker;
use crate::core::api;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::{Folder, MailboxId};
use postern_shared::filters::{PutRules, Rule, RuleAction, check_rules};
use postern_shared::templates::{Template, TemplateContent};

/// A change to the list, written at once.
type Edit = Box<dyn FnOnce(&mut Vec<Rule>)>;

pub fn sorting_rules(mb: MailboxId, folders: RwSignal<Vec<Folder>>) -> impl IntoView {
    let i18n = use_i18n();
    let rules = RwSignal::new(None::<Vec<Rule>>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    spawn_local(async move {
        match api::get_rules(mb).await {
            Ok(r) => rules.set(Some(r.rules)),
            Err(e) => error.set(Some(error_text(i18n, &e))),
        }
    });
    // Writes `next`; the list shown is the server's answer.
    let write = move |next: Vec<Rule>, done: Option<Box<dyn FnOnce()>>| {
        if busy.get_untracked() {
            return;
        }
        if let Err(e) = check_rules(&next) {
            error.set(Some(filter_error_text(i18n, &e)));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = api::put_rules(mb, &PutRules { rules: next }).await;
            busy.set(false);
            match r {
                Ok(r) => {
                    error.set(None);
                    rules.set(Some(r.rules));
                    if let Some(done) = done {
                        done();
                    }
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let change = move |f: Edit| {
        let mut next = rules.get_untracked().unwrap_or_default();
        f(&mut next);
        write(next, None);
    };

    // The form of a new rule.
    let name = RwSignal::new(String::new());
    let form = ConditionForm::new();
    let mark_read = RwSignal::new(false);
    let flag = RwSignal::new(false);
    let discard = RwSignal::new(false);
    let move_to = RwSignal::new(String::new());
    let forward = RwSignal::new(String::new());
    // The rule being changed (its place in the list), or None: a new one.
    let editing = RwSignal::new(None::<usize>);
    let edit = move |i: usize, r: Rule| {
        editing.set(Some(i));
        name.set(r.name);
        form.fill(r.all, r.conditions);
        let (mut m, mut read, mut fl, mut fw, mut dis) =
            (String::new(), false, false, String::new(), false);
        for a in r.actions {
            match a {
                RuleAction::Move { folder } => m = folder,
                RuleAction::MarkRead => read = true,
                RuleAction::Flag => fl = true,
                RuleAction::Forward { address } => fw = address,
                RuleAction::Discard => dis = true,
            }
        }
        move_to.set(m);
        mark_read.set(read);
        flag.set(fl);
        forward.set(fw);
        discard.set(dis);
    };
    // A rule template's conditions (R-TPL-2); the actions are the user's.
    let start_from = move |t: Template| {
        if let TemplateContent::Rule { all, conditions } = t.content {
            name.set(t.name);
            form.fill(all, conditions);
        }
    };
    let clear = move || {
        editing.set(None);
        name.set(String::new());
        form.reset();
        mark_read.set(false);
        flag.set(false);
        discard.set(false);
        move_to.set(String::new());
        forward.set(String::new());
    };
    let add_rule = move || {
        let conds = form.collected();
        let mut actions = Vec::new();
        let folder = move_to.get_untracked();
        if !folder.is_empty() {
            actions.push(RuleAction::Move { folder });
        }
        if mark_read.get_untracked() {
            actions.push(RuleAction::MarkRead);
        }
        if flag.get_untracked() {
            actions.push(RuleAction::Flag);
        }
        let fwd = forward.get_untracked().trim().to_string();
        if !fwd.is_empty() {
            actions.push(RuleAction::Forward { address: fwd });
        }
        if discard.get_untracked() {
            actions.push(RuleAction::Discard);
        }
        let rule = Rule {
            name: name.get_untracked().trim().to_string(),
            enabled: true,
            all: form.all.get_untracked(),
            conditions: conds,
            actions,
        };
        let mut next = rules.get_untracked().unwrap_or_default();
        match editing.get_untracked() {
            Some(i) if i < next.len() => {
                next[i] = Rule {
                    enabled: next[i].enabled,
                    ..rule
                }
            }
            _ => next.push(rule),
        }
        write(next, Some(Box::new(clear)));
    };
    let describe = move |c: &postern_shared::filters::Condition| describe_condition(i18n, c);
    let describe_action = move |a: &RuleAction| -> String {
        match a {
            RuleAction::Move { folder } => {
                t_string!(i18n, rule_action_move_to, folder = folder.clone()).to_string()
            }
            RuleAction::MarkRead => t_string!(i18n, rule_action_mark_read).to_string(),
            RuleAction::Flag => t_string!(i18n, rule_action_flag).to_string(),
            RuleAction::Forward { address } => {
                t_string!(i18n, rule_action_forward_to, address = address.clone()).to_string()
            }
            RuleAction::Discard => t_string!(i18n, rule_action_discard).to_string(),
        }
    };
    view! {
        <section class="block" data-testid="rules">
            <h3>{t!(i18n, rules_title)}</h3>
            <p class="hint">{t!(i18n, rules_intro)}</p>
            <ErrorAlert error=error/>
            {move || match rules.get() {
                None => view! { <p class="loading">{t!(i18n, loading)}</p> }.into_any(),
                Some(list) if list.is_empty() => {
                    view! { <p class="hint" data-testid="rules-none">{t!(i18n, rules_none)}</p> }.into_any()
                }
                Some(list) => {
                    let n = list.len();
                    view! {
                        <ol class="rules">
                            {list
                                .into_iter()
                                .enumerate()
                                .map(|(i, r)| {
                                    let conds = r.conditions.iter().map(describe).collect::<Vec<_>>().join(if r.all { " · " } else { " | " });
                                    let acts = r.actions.iter().map(describe_action).collect::<Vec<_>>().join(", ");
                                    view! {
                                        <li data-testid="rule" data-name=r.name.clone()>
                                            <label class="toggle">
                                                <input type="checkbox" data-testid="rule-toggle"
                                                    prop:checked=r.enabled
                                                    disabled=move || busy.get()
                                                    on:change=move |ev| {
                                                        let on = event_target_checked(&ev);
                                                        change(Box::new(move |v| v[i].enabled = on))
                                                    }/>
                                                <strong>{r.name.clone()}</strong>
                                            </label>
                                            <p class="hint">{conds}" → "{acts}</p>
                                            <div class="actions">
                                                <button type="button" data-testid="rule-edit"
                                                    disabled=move || busy.get() || editing.get().is_some()
                                                    on:click={
                                                        let r = r.clone();
                                                        move |_| edit(i, r.clone())
                                                    }>
                                                    {t!(i18n, rule_edit)}
                                                </button>
                                                <button type="button" data-testid="rule-up"
                                                    disabled=move || busy.get() || editing.get().is_some() || i == 0
                                                    on:click=move |_| change(Box::new(move |v| v.swap(i, i - 1)))>
                                                    {t!(i18n, rule_up)}
                                                </button>
                                                <button type="button" data-testid="rule-down"
                                                    disabled=move || busy.get() || editing.get().is_some() || i + 1 == n
                                                    on:click=move |_| change(Box::new(move |v| v.swap(i, i + 1)))>
                                                    {t!(i18n, rule_down)}
                                                </button>
                                                <button type="button" class="danger" data-testid="rule-remove"
                                                    disabled=move || busy.get() || editing.get().is_some()
                                                    on:click=move |_| change(Box::new(move |v| { v.remove(i); }))>
                                                    {t!(i18n, rule_remove)}
                                                </button>
                                            </div>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
            // Opened by "Edit", closed once the change is saved.
            <details data-testid="rule-add" prop:open=move || editing.get().is_some()>
                <summary>
                    {move || if editing.get().is_some() {
                        t_string!(i18n, rule_editing).to_string()
                    } else {
                        t_string!(i18n, rule_add).to_string()
                    }}
                </summary>
                <form class="rule-form" on:submit=move |ev| { ev.prevent_default(); add_rule(); }>
                    {template_picker(mb, "rule", "rule-template", Signal::stored(false), start_from)}
                    <label>
                        <span>{t!(i18n, rule_name)}</span>
                        <input type="text" data-testid="rule-name" prop:value=move || name.get()
                            on:input=move |ev| name.set(event_target_value(&ev))/>
                    </label>
                    {condition_fields(form)}
                    <fieldset>
                        <legend>{t!(i18n, rule_then)}</legend>
                        <label>
                            <span>{t!(i18n, rule_action_move)}</span>
                            <select data-testid="rule-move" on:change=move |ev| move_to.set(event_target_value(&ev))>
                                <option value="" selected=move || move_to.get().is_empty()>{t!(i18n, rule_no_move)}</option>
                                {move || folders.get().into_iter().map(|f| {
                                    let p = f.path.clone();
                                    let p2 = p.clone();
                                    view! { <option value=p selected=move || move_to.get() == p2>{f.path.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="toggle">
                            <input type="checkbox" data-testid="rule-mark-read" prop:checked=move || mark_read.get()
                                on:change=move |ev| mark_read.set(event_target_checked(&ev))/>
                            <span>{t!(i18n, rule_action_mark_read)}</span>
                        </label>
                        <label class="toggle">
                            <input type="checkbox" data-testid="rule-flag" prop:checked=move || flag.get()
                                on:change=move |ev| flag.set(event_target_checked(&ev))/>
                            <span>{t!(i18n, rule_action_flag)}</span>
                        </label>
                        <label>
                            <span>{t!(i18n, rule_action_forward)}</span>
                            <input type="email" data-testid="rule-forward" prop:value=move || forward.get()
                                on:input=move |ev| forward.set(event_target_value(&ev))/>
                        </label>
                        <label class="toggle">
                            <input type="checkbox" data-testid="rule-discard" prop:checked=move || discard.get()
                                on:change=move |ev| discard.set(event_target_checked(&ev))/>
                            <span>{t!(i18n, rule_action_discard)}</span>
                        </label>
                    </fieldset>
                    <div class="actions">
                        <button type="submit" class="primary" data-testid="rule-save" disabled=move || busy.get()>
                            {t!(i18n, rule_save)}
                        </button>
                        <Show when=move || editing.get().is_some()>
                            <button type="button" data-testid="rule-edit-cancel"
                                on:click=move |_| clear()>
                                {t!(i18n, cancel)}
                            </button>
                        </Show>
                    </div>
                </form>
            </details>
        </section>
    }
}
