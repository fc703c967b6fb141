//! The General section: what the mailbox is (address, display name, kind,
//! aliases), the storage it uses (`storage.rs`) and its signature.
//!
//! The display name is edited in place by roles that manage addresses
//! (`PATCH /api/orgs/{org}/addresses/{addr}`); everyone else sees it in a
//! disabled field with the reason, the localised [`Action::refusal`].

use super::SettingsCtx;
use super::signature::signature_editor;
use super::storage::storage_fact;
use crate::components::access_text::refusal_text;
use crate::components::error_text::error_text;
use crate::core::api;
use crate::core::session::use_session;
use crate::i18n::*;
use crate::pages::admin::addresses::kind_text;
use crate::pages::admin::table::upsert;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::address::clean_display_name;
use postern_shared::limits::MAX_DISPLAY_NAME_CHARS;
use postern_shared::permissions::Action;

pub fn general(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let mb = ctx.mailbox.clone();
    let row = ctx.row();
    view! {
        <h2>{t!(i18n, section_general)}</h2>
        <dl class="facts" data-testid="mailbox-facts">
            <dt>{t!(i18n, field_address)}</dt>
            <dd>{mb.address.clone()}</dd>
            <dt>
                <label for="display-name">{t!(i18n, field_display_name)}</label>
            </dt>
            <dd>{display_name_editor(ctx)}</dd>
            {row
                .map(|r| {
                    let aliases = if r.aliases.is_empty() { "—".to_string() } else { r.aliases.join(", ") };
                    view! {
                        <dt>{t!(i18n, field_kind)}</dt>
                        <dd>{move || kind_text(i18n, &r)}</dd>
                        <dt>{t!(i18n, field_aliases)}</dt>
                        <dd>{aliases}</dd>
                    }
                })}
            {storage_fact(&mb)}
        </dl>
        {signature_editor(mb)}
    }
}

/// The display name in a field with Save (Enter saves too). A saved name
/// goes into the organisation's table and the session's `Me`, so every
/// part of the portal that shows the mailbox shows the new name.
fn display_name_editor(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let (org, id, table) = (ctx.mailbox.organization, ctx.mailbox.id, ctx.table);
    // What the server holds, and what is in the field.
    let current = RwSignal::new(ctx.mailbox.display_name.clone());
    let draft = RwSignal::new(ctx.mailbox.display_name.clone());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // The role in the mailbox's organisation: from its table when the
    // caller may see it, else from `Me` (a plain user of the mailbox).
    let may = Signal::derive(move || {
        ctx.role()
            .or_else(|| {
                session.me.with(|m| {
                    m.as_ref()?
                        .organizations
                        .iter()
                        .find(|o| o.id == org)
                        .map(|o| o.role)
                })
            })
            .is_some_and(|r| r.may(Action::ManageAddresses))
    });
    let invalid = Memo::new(move |_| draft.with(|d| clean_display_name(d).is_none()));
    let unchanged = Memo::new(move |_| {
        draft.with(|d| current.with(|c| clean_display_name(d) == Some(c.as_str())))
    });
    let save = move || {
        if busy.get_untracked() || !may.get_untracked() || unchanged.get_untracked() {
            return;
        }
        let Some(name) = draft.with_untracked(|d| clean_display_name(d).map(str::to_string)) else {
            return;
        };
        busy.set(true);
        saved.set(false);
        error.set(None);
        spawn_local(async move {
            let r = api::update_address(org, id, name).await;
            if busy.try_get_untracked().is_none() {
                return; // left the page meanwhile
            }
            busy.set(false);
            match r {
                Ok(row) => {
                    current.set(row.display_name.clone());
                    draft.set(row.display_name.clone());
                    saved.set(true);
                    // Untracked: the settings page is resolved from `Me`; a
                    // notified change would build it again (and drop "Saved.").
                    // Whatever reads `Me` next sees the new name.
                    session.me.update_untracked(|me| {
                        if let Some(me) = me {
                            for m in me.mailboxes.iter_mut().filter(|m| m.id == id) {
                                m.display_name = row.display_name.clone();
                            }
                        }
                    });
                    table.update(|t| {
                        if let Some(t) = t {
                            upsert(&mut t.addresses, row);
                        }
                    });
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <div class="name-form">
            <input
                id="display-name"
                type="text"
                autocomplete="off"
                data-testid="display-name"
                aria-invalid=move || invalid.get().to_string()
                aria-describedby="display-name-error"
                disabled=move || !may.get()
                prop:value=move || draft.get()
                on:input=move |ev| {
                    saved.set(false);
                    error.set(None);
                    draft.set(event_target_value(&ev));
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        save();
                    }
                }
            />
            <button
                type="button"
                class="primary"
                data-testid="display-name-save"
                disabled=move || !may.get() || busy.get() || invalid.get() || unchanged.get()
                on:click=move |_| save()
            >
                {t!(i18n, save)}
            </button>
            <span class="status" role="status" data-testid="display-name-status">
                {move || saved.get().then(|| t_string!(i18n, saved))}
            </span>
            <span id="display-name-error" class="field-error" aria-live="polite" data-testid="display-name-error">
                {move || {
                    error
                        .get()
                        .or_else(|| {
                            invalid
                                .get()
                                .then(|| {
                                    t_string!(i18n, display_name_invalid, max = MAX_DISPLAY_NAME_CHARS)
                                        .to_string()
                                })
                        })
                }}
            </span>
            {move || {
                if may.get() {
                    view! { <p class="hint">{t!(i18n, display_name_hint)}</p> }.into_any()
                } else {
                    view! {
                        <p class="refusal" data-testid="display-name-refusal">
                            <span aria-hidden="true">"🔒 "</span>
                            {refusal_text(i18n, Action::ManageAddresses)}
                        </p>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
