//! The Organisation section (R-GDPR-1): the legal details the DPA names
//! as controller, edited by owners and administrators (everyone else who
//! sees the administration reads them in disabled fields, with the
//! reason), and the "Download the DPA" link in the page's language —
//! disabled, with the reason, for roles that may not or while the details
//! it needs are missing.

use super::AdminCtx;
use crate::components::access_text::refusal_text;
use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::status::use_status;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::organization::{
    DetailsField, OrganizationDetails, OrganizationDetailsView, clean,
};
use postern_shared::permissions::Action;

pub fn field_label(i18n: I18nContext, f: DetailsField) -> String {
    match f {
        DetailsField::LegalName => t_string!(i18n, org_legal_name),
        DetailsField::PostalAddress => t_string!(i18n, org_postal_address),
        DetailsField::Country => t_string!(i18n, org_country),
        DetailsField::RegistrationNumber => t_string!(i18n, org_registration_number),
        DetailsField::RepresentativeName => t_string!(i18n, org_representative_name),
        DetailsField::RepresentativeRole => t_string!(i18n, org_representative_role),
        DetailsField::ContactEmail => t_string!(i18n, org_contact_email),
    }
    .to_string()
}

/// Why the DPA cannot be downloaded now, if it cannot.
fn dpa_blocked(i18n: I18nContext, view: &OrganizationDetailsView, dirty: bool) -> Option<String> {
    if !view.allowed.contains(&Action::GenerateDpa) {
        return Some(refusal_text(i18n, Action::GenerateDpa));
    }
    if let Some(f) = view.missing_for_dpa.first() {
        let field = field_label(i18n, *f);
        return Some(t_string!(i18n, dpa_missing, field = field).to_string());
    }
    dirty.then(|| t_string!(i18n, dpa_save_first).to_string())
}

pub fn organization(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let status = use_status();
    let org = ctx.org;
    let loaded = RwSignal::new(None::<OrganizationDetailsView>);
    let draft = RwSignal::new(OrganizationDetails::default());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let load = LocalResource::new(move || {
        status.reconnected.track();
        async move { api::organization_details(org).await }
    });
    Effect::new(move || match load.get() {
        Some(Ok(v)) => {
            draft.set(v.details.clone());
            loaded.set(Some(v));
        }
        Some(Err(e)) => error.set(Some(error_text(i18n, &e))),
        None => {}
    });
    let may_edit = Signal::derive(move || {
        loaded.with(|v| {
            v.as_ref()
                .is_some_and(|v| v.allowed.contains(&Action::ManageOrganization))
        })
    });
    let dirty = Memo::new(move |_| {
        loaded.with(|v| v.as_ref().is_some_and(|v| draft.with(|d| *d != v.details)))
    });
    // The first rule the draft breaks, as the form is typed.
    let problem = Memo::new(move |_| draft.with(|d| clean(d).err()));
    let save = move || {
        if busy.get_untracked() || !may_edit.get_untracked() {
            return;
        }
        let Ok(details) = draft.with_untracked(clean) else {
            return;
        };
        busy.set(true);
        saved.set(false);
        error.set(None);
        spawn_local(async move {
            let r = api::put_organization_details(org, &details).await;
            if busy.try_get_untracked().is_none() {
                return;
            }
            busy.set(false);
            match r {
                Ok(v) => {
                    draft.set(v.details.clone());
                    loaded.set(Some(v));
                    saved.set(true);
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    let input = move |f: DetailsField| {
        let id = format!("org-{}", f.as_str().replace('_', "-"));
        let set = move |ev: leptos::ev::Event| {
            saved.set(false);
            let v = event_target_value(&ev);
            draft.update(|d| *f.get_mut(d) = v);
        };
        let value = move || draft.with(|d| f.get(d).to_string());
        let invalid = move || problem.get().is_some_and(|(pf, _)| pf == f).to_string();
        let control = if f.multiline() {
            view! {
                <textarea
                    id=id.clone()
                    rows="3"
                    data-testid=id.clone()
                    maxlength=f.limit().to_string()
                    aria-invalid=invalid
                    disabled=move || !may_edit.get()
                    prop:value=value
                    on:input=set
                ></textarea>
            }
            .into_any()
        } else {
            view! {
                <input
                    id=id.clone()
                    type=if f == DetailsField::ContactEmail { "email" } else { "text" }
                    data-testid=id.clone()
                    maxlength=f.limit().to_string()
                    aria-invalid=invalid
                    disabled=move || !may_edit.get()
                    prop:value=value
                    on:input=set
                />
            }
            .into_any()
        };
        view! {
            <label class="field" for=id.clone()>
                <span>{move || field_label(i18n, f)}</span>
                {control}
            </label>
        }
    };
    let problem_text = move || {
        problem.get().map(|(f, p)| {
            let e = postern_shared::ApiError::from(
                postern_shared::ErrorCode::InvalidOrganizationDetails,
            )
            .with(|e| {
                e.field = Some(f.as_str().into());
                e.reason = Some(p.as_str().into());
                e.limit = Some(f.limit() as u64);
            });
            error_text(i18n, &e)
        })
    };
    view! {
        <h2>{t!(i18n, admin_organisation)}</h2>
        <p class="hint">{t!(i18n, org_details_hint)}</p>
        {move || {
            (loaded.with(Option::is_some) && !may_edit.get())
                .then(|| {
                    view! {
                        <p class="refusal" data-testid="refusal">
                            <span aria-hidden="true">"🔒 "</span>
                            {refusal_text(i18n, Action::ManageOrganization)}
                        </p>
                    }
                })
        }}
        <form
            class="org-form"
            data-testid="org-form"
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            {DetailsField::ALL.into_iter().map(input).collect_view()}
            <p class="alert error" role="alert" data-testid="org-error">
                {move || error.get().or_else(|| dirty.get().then(problem_text).flatten())}
            </p>
            <div class="actions">
                <button
                    type="submit"
                    class="primary"
                    data-testid="org-save"
                    disabled=move || !may_edit.get() || busy.get() || !dirty.get() || problem.get().is_some()
                >
                    {t!(i18n, save)}
                </button>
                <span class="status" role="status" data-testid="org-status">
                    {move || saved.get().then(|| t_string!(i18n, saved))}
                </span>
            </div>
        </form>
        <h3>{t!(i18n, dpa_title)}</h3>
        <p class="hint">{t!(i18n, dpa_hint)}</p>
        {move || {
            let lang = i18n.get_locale().as_str().to_string();
            loaded
                .get()
                .map(|v| match dpa_blocked(i18n, &v, dirty.get()) {
                    None => {
                        view! {
                            <a class="button primary" href=api::dpa_href(org, &lang) download="" data-testid="dpa-download">
                                {t!(i18n, dpa_download)}
                            </a>
                        }
                            .into_any()
                    }
                    Some(reason) => {
                        view! {
                            <button type="button" class="primary" disabled=true data-testid="dpa-download">
                                {t!(i18n, dpa_download)}
                            </button>
                            <p class="refusal" data-testid="dpa-refusal">
                                <span aria-hidden="true">"🔒 "</span>
                                {reason}
                            </p>
                        }
                            .into_any()
                    }
                })
        }}
    }
}
