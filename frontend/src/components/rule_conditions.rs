//! The conditions of a sorting rule as a form edits them — "all" or "any",
//! the conditions added so far (each removable), and the row that types
//! the next one (from, to/cc, subject, a header contains / is; size
//! above). Shared by a mailbox's rule form and the service's rule
//! templates (R-TPL), which hold conditions without actions.

use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::filters::{Condition, Match, RuleField};

fn field_of(s: &str) -> RuleField {
    match s {
        "to" => RuleField::To,
        "subject" => RuleField::Subject,
        "header" => RuleField::Header,
        "size" => RuleField::Size,
        _ => RuleField::From,
    }
}

/// The signals of one conditions form.
#[derive(Clone, Copy)]
pub struct ConditionForm {
    pub all: RwSignal<bool>,
    pub conditions: RwSignal<Vec<Condition>>,
    field: RwSignal<String>,
    matches: RwSignal<String>,
    header: RwSignal<String>,
    value: RwSignal<String>,
}

impl Default for ConditionForm {
    fn default() -> Self {
        ConditionForm::new()
    }
}

impl ConditionForm {
    pub fn new() -> ConditionForm {
        ConditionForm {
            all: RwSignal::new(true),
            conditions: RwSignal::new(Vec::new()),
            field: RwSignal::new("from".to_string()),
            matches: RwSignal::new("contains".to_string()),
            header: RwSignal::new(String::new()),
            value: RwSignal::new(String::new()),
        }
    }

    /// The condition the row describes now.
    fn typed(self) -> Condition {
        let f = field_of(&self.field.get_untracked());
        Condition {
            field: f,
            matches: match (f, self.matches.get_untracked().as_str()) {
                (RuleField::Size, _) => Match::Above,
                (_, "is") => Match::Is,
                _ => Match::Contains,
            },
            header: (f == RuleField::Header)
                .then(|| self.header.get_untracked().trim().to_string()),
            value: self.value.get_untracked().trim().to_string(),
        }
    }

    fn add_typed(self) {
        let c = self.typed();
        self.conditions.update(|v| v.push(c));
        self.value.set(String::new());
    }

    /// What saving takes: the conditions added, plus the one typed and not
    /// yet added (or the empty one, so the checks name what is missing).
    pub fn collected(self) -> Vec<Condition> {
        let mut conds = self.conditions.get_untracked();
        if !self.value.get_untracked().trim().is_empty() || conds.is_empty() {
            conds.push(self.typed());
        }
        conds
    }

    /// Starts from these conditions (a template, a rule being edited).
    pub fn fill(self, all: bool, conditions: Vec<Condition>) {
        self.all.set(all);
        self.conditions.set(conditions);
        self.value.set(String::new());
        self.header.set(String::new());
    }

    pub fn reset(self) {
        self.fill(true, Vec::new());
    }
}

/// "From contains “x”", as the list of rules and the form show it.
pub fn describe_condition(i18n: I18nContext, c: &Condition) -> String {
    let what = match c.field {
        RuleField::From => t_string!(i18n, rule_field_from).to_string(),
        RuleField::To => t_string!(i18n, rule_field_to).to_string(),
        RuleField::Subject => t_string!(i18n, rule_field_subject).to_string(),
        RuleField::Header => c.header.clone().unwrap_or_default(),
        RuleField::Size => t_string!(i18n, rule_field_size).to_string(),
    };
    let how = match c.matches {
        Match::Contains => t_string!(i18n, rule_match_contains).to_string(),
        Match::Is => t_string!(i18n, rule_match_is).to_string(),
        Match::Above => t_string!(i18n, rule_match_above).to_string(),
    };
    format!("{what} {how} “{}”", c.value)
}

/// The form's fields: when (all/any), the conditions, the typing row.
pub fn condition_fields(form: ConditionForm) -> impl IntoView {
    let i18n = use_i18n();
    let ConditionForm {
        all,
        conditions,
        field,
        matches,
        header,
        value,
    } = form;
    view! {
        <label>
            <span>{t!(i18n, rule_when)}</span>
            <select data-testid="rule-all" on:change=move |ev| all.set(event_target_value(&ev) == "all")>
                <option value="all" selected=move || all.get()>{t!(i18n, rule_all)}</option>
                <option value="any" selected=move || !all.get()>{t!(i18n, rule_any)}</option>
            </select>
        </label>
        <ul class="conditions">
            {move || {
                conditions
                    .get()
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        view! {
                            <li data-testid="rule-condition">
                                <span>{describe_condition(i18n, c)}</span>
                                <button
                                    type="button"
                                    class="link"
                                    data-testid="rule-condition-remove"
                                    aria-label=move || t_string!(i18n, rule_condition_remove)
                                    title=move || t_string!(i18n, rule_condition_remove)
                                    on:click=move |_| conditions.update(|v| {
                                        if i < v.len() {
                                            v.remove(i);
                                        }
                                    })
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <div class="row wrap">
            <select data-testid="rule-field" on:change=move |ev| field.set(event_target_value(&ev))>
                <option value="from">{t!(i18n, rule_field_from)}</option>
                <option value="to">{t!(i18n, rule_field_to)}</option>
                <option value="subject">{t!(i18n, rule_field_subject)}</option>
                <option value="header">{t!(i18n, rule_field_header)}</option>
                <option value="size">{t!(i18n, rule_field_size_kb)}</option>
            </select>
            <Show when=move || field.get() == "header">
                <input type="text" data-testid="rule-header" placeholder="X-Mailer"
                    prop:value=move || header.get()
                    on:input=move |ev| header.set(event_target_value(&ev))/>
            </Show>
            <Show when=move || field.get() != "size">
                <select data-testid="rule-match" on:change=move |ev| matches.set(event_target_value(&ev))>
                    <option value="contains">{t!(i18n, rule_match_contains)}</option>
                    <option value="is">{t!(i18n, rule_match_is)}</option>
                </select>
            </Show>
            <input type="text" data-testid="rule-value" prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))/>
            <button type="button" data-testid="rule-add-condition" on:click=move |_| form.add_typed()>
                {t!(i18n, rule_add_condition)}
            </button>
        </div>
    }
}
