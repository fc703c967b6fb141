//! "Import from CSV" (R-ADDR-4) on the address table: the documented
//! header, an example and the permission names; a file picked and checked
//! here with the server's own rules (`postern_shared::address_import`:
//! size, rows, header) before it is sent; Preview, which shows every row
//! with its own errors in the reader's language and the totals; Create
//! all, offered only when no row has an error, which creates every row or
//! none (an `import_invalid` answer puts its errors back on the rows). The
//! created rows join the table. Disabled, with the reason beside it, for a
//! role that may not manage addresses. Pure logic in `import_rows.rs`.

use super::AdminCtx;
use super::create_invites::made_invitations;
use super::import_rows::{self, Wording, apply_issues, can_create, totals};
use super::table;
use crate::components::access_text::{permission_label, refusal_text};
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_error_text::local_part_text;
use crate::core::api;
use crate::core::session::use_session;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::address_import::{Column, HEADER};
use postern_shared::admin::{AddressKind, ImportPreview, ImportRow};
use postern_shared::permissions::Action;
use postern_shared::{ErrorCode, ImportIssue, Permission};

fn kind_label(i18n: I18nContext, k: Option<AddressKind>) -> String {
    match k {
        Some(AddressKind::Mailbox) => t_string!(i18n, kind_mailbox).to_string(),
        Some(AddressKind::NoReply) => t_string!(i18n, kind_no_reply).to_string(),
        Some(AddressKind::Redirect) => t_string!(i18n, kind_redirect).to_string(),
        None => "—".to_string(),
    }
}

/// One issue of `row`, in the reader's language.
pub fn issue_text(i18n: I18nContext, issue: &ImportIssue, row: &ImportRow) -> String {
    match import_rows::wording(issue, row) {
        Wording::Error => error_text(i18n, &issue.error()),
        Wording::EmptyAddress => t_string!(i18n, import_err_empty_address).to_string(),
        Wording::NotLocalAtDomain => t_string!(i18n, import_err_not_local_at_domain).to_string(),
        Wording::LocalPart(e) => local_part_text(i18n, &e),
        Wording::UsersNotMailbox => t_string!(i18n, import_err_users_not_mailbox).to_string(),
        Wording::TargetsNotRedirect => t_string!(i18n, import_err_targets_not_redirect).to_string(),
        Wording::RedirectTargets => t_string!(i18n, import_err_redirect_targets).to_string(),
        Wording::DisplayNameTooLong(n) => {
            t_string!(i18n, import_err_display_name_long, max = n).to_string()
        }
        Wording::FieldCount(n) => t_string!(i18n, import_err_field_count, count = n).to_string(),
    }
}

fn column_text(i18n: I18nContext, c: Column) -> String {
    match c {
        Column::Address => t_string!(i18n, import_col_address),
        Column::DisplayName => t_string!(i18n, import_col_display_name),
        Column::Kind => t_string!(i18n, import_col_kind),
        Column::Users => t_string!(i18n, import_col_users),
        Column::Invite => t_string!(i18n, import_col_invite),
        Column::RedirectTo => t_string!(i18n, import_col_redirect_to),
    }
    .to_string()
}

/// The button that opens the panel, and the panel.
pub fn import_panel(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let may = ctx.may(Action::ManageAddresses);
    let refused = Signal::derive(move || {
        ctx.role()
            .get()
            .is_some_and(|r| !r.may(Action::ManageAddresses))
    });
    let open = RwSignal::new(false);
    // The file as read, once it passed the checks made here.
    let csv = RwSignal::new(None::<String>);
    let file_rows = RwSignal::new(None::<usize>);
    let file_error = RwSignal::new(None::<String>);
    let reading = RwSignal::new(false);
    let preview = RwSignal::new(None::<ImportPreview>);
    let unplaced = RwSignal::new(Vec::<ImportIssue>::new());
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<usize>);
    // The invitations of the last import (links of failed emails to copy).
    let made = RwSignal::new(Vec::new());
    let error = RwSignal::new(None::<String>);
    // Bumped by every file picked: answers about an earlier one are dropped.
    let generation = RwSignal::new(0u32);
    let input = NodeRef::<leptos::html::Input>::new();
    let example = ctx.data.with_untracked(|d| {
        let domain = d
            .as_ref()
            .and_then(|d| d.domains.first().map(|d| d.name.clone()))
            .unwrap_or_else(|| "example.com".into());
        import_rows::example_csv(&domain)
    });

    let on_file = move |ev: web_sys::Event| {
        let el: web_sys::HtmlInputElement = event_target(&ev);
        generation.update(|g| *g += 1);
        csv.set(None);
        file_rows.set(None);
        file_error.set(None);
        preview.set(None);
        unplaced.set(Vec::new());
        created.set(None);
        made.set(Vec::new());
        error.set(None);
        let Some(file) = el.files().and_then(|f| f.get(0)) else {
            return;
        };
        if let Err(e) = import_rows::check_size(file.size() as u64) {
            file_error.set(Some(error_text(i18n, &e)));
            return;
        }
        let mine = generation.get_untracked();
        reading.set(true);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string());
            if generation.try_get_untracked() != Some(mine) {
                return; // another file picked, or the page left
            }
            reading.set(false);
            match text {
                None => file_error.set(Some(t_string!(i18n, import_unreadable).to_string())),
                Some(text) => match import_rows::check_file(&text) {
                    Ok(n) => {
                        file_rows.set(Some(n));
                        csv.set(Some(text));
                    }
                    Err(e) => file_error.set(Some(error_text(i18n, &e))),
                },
            }
        });
    };

    let run_preview = move || {
        if busy.get_untracked() || !may.get_untracked() {
            return;
        }
        let Some(text) = csv.get_untracked() else {
            return;
        };
        let mine = generation.get_untracked();
        busy.set(true);
        error.set(None);
        created.set(None);
        spawn_local(async move {
            let r = api::preview_address_import(ctx.org, text).await;
            if generation.try_get_untracked() != Some(mine) {
                busy.try_set(false);
                return;
            }
            busy.set(false);
            match r {
                Ok(p) => {
                    unplaced.set(Vec::new());
                    preview.set(Some(p));
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };

    let run_import = move || {
        if busy.get_untracked()
            || !may.get_untracked()
            || !preview.with_untracked(|p| can_create(p.as_ref()))
        {
            return;
        }
        let Some(text) = csv.get_untracked() else {
            return;
        };
        let mine = generation.get_untracked();
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let language = i18n.get_locale().as_str();
            let r = api::import_addresses(ctx.org, text, language).await;
            if busy.try_set(false).is_some() {
                return; // the page left
            }
            match r {
                Ok(done) => {
                    let n = done.created.len();
                    made.set(done.invitations.into_iter().map(|i| i.invitation).collect());
                    let me = session
                        .me
                        .with_untracked(|m| m.as_ref().map(|m| m.account.id));
                    let mine_too = done
                        .created
                        .iter()
                        .any(|r| r.users.iter().any(|u| Some(u.account) == me));
                    ctx.data.update(|d| {
                        if let Some(d) = d {
                            for row in done.created {
                                table::upsert(&mut d.addresses, row);
                            }
                        }
                    });
                    // The same file cannot be sent twice by accident.
                    generation.update(|g| *g += 1);
                    csv.set(None);
                    file_rows.set(None);
                    preview.set(None);
                    unplaced.set(Vec::new());
                    if let Some(el) = input.get_untracked() {
                        el.set_value("");
                    }
                    created.set(Some(n));
                    // A mailbox given to me is at once in my webmail: `Me` lists it.
                    if mine_too {
                        let _ = session.load_me().await;
                    }
                }
                Err(e) => {
                    if e.code == ErrorCode::ImportInvalid && generation.get_untracked() == mine {
                        preview.update(|p| {
                            if let Some(p) = p {
                                unplaced.set(apply_issues(&mut p.rows, &e.params.issues));
                            }
                        });
                    }
                    error.set(Some(error_text(i18n, &e)));
                }
            }
        });
    };

    let preview_signal = Signal::derive(move || preview.get());
    let unplaced_signal = Signal::derive(move || unplaced.get());
    view! {
        <div class="import-bar">
            <button
                type="button"
                data-testid="import-open"
                aria-expanded=move || open.get().to_string()
                aria-controls="import-panel"
                disabled=move || !may.get()
                on:click=move |_| {
                    // Closed, the panel forgets its file: the picker is empty when it opens again.
                    if open.get_untracked() {
                        generation.update(|g| *g += 1);
                        csv.set(None);
                        file_rows.set(None);
                        file_error.set(None);
                        reading.set(false);
                        preview.set(None);
                        unplaced.set(Vec::new());
                        error.set(None);
                    }
                    open.update(|o| *o = !*o);
                }
            >
                {t!(i18n, import_open)}
            </button>
            <Show when=move || refused.get()>
                <span class="hint" data-testid="import-refusal">
                    {move || refusal_text(i18n, Action::ManageAddresses)}
                </span>
            </Show>
        </div>
        <Show when=move || open.get() && may.get()>
            <section class="block import-panel" id="import-panel" data-testid="import-panel">
                <h3>{t!(i18n, import_title)}</h3>
                <p class="hint">{t!(i18n, import_intro)}</p>
                <pre class="csv-header" data-testid="import-header">{HEADER}</pre>
                <dl class="csv-columns">
                    {Column::ALL
                        .into_iter()
                        .map(|c| {
                            view! {
                                <dt><code>{c.name()}</code></dt>
                                <dd>{move || column_text(i18n, c)}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
                <p class="hint">
                    {t!(i18n, import_permissions)}
                    " "
                    {Permission::ALL
                        .into_iter()
                        .enumerate()
                        .map(|(i, p)| {
                            view! {
                                {(i > 0).then_some(", ")}
                                <code>{p.as_str()}</code>
                                {move || format!(" ({})", permission_label(i18n, p))}
                            }
                        })
                        .collect_view()}
                </p>
                <details class="csv-example">
                    <summary>{t!(i18n, import_example)}</summary>
                    <pre data-testid="import-example">{example.clone()}</pre>
                </details>
                <div class="field">
                    <label for="import-file">{t!(i18n, import_file)}</label>
                    <input
                        id="import-file"
                        type="file"
                        accept=".csv,text/csv"
                        data-testid="import-file"
                        aria-describedby="import-file-note"
                        node_ref=input
                        on:change=on_file
                    />
                    <span id="import-file-note" aria-live="polite">
                        <span class="field-error" data-testid="import-file-error">{move || file_error.get()}</span>
                        <span class="hint" data-testid="import-file-rows">
                            {move || {
                                if reading.get() {
                                    Some(t_string!(i18n, import_reading).to_string())
                                } else {
                                    file_rows.get().map(|n| t_string!(i18n, import_file_ready, count = n).to_string())
                                }
                            }}
                        </span>
                    </span>
                </div>
                <div class="form-actions">
                    <button
                        type="button"
                        data-testid="import-preview"
                        disabled=move || busy.get() || csv.with(Option::is_none)
                        on:click=move |_| run_preview()
                    >
                        {move || if busy.get() && preview.with(Option::is_none) { t_string!(i18n, import_previewing) } else { t_string!(i18n, import_preview) }}
                    </button>
                    <button
                        type="button"
                        class="primary"
                        data-testid="import-create"
                        disabled=move || busy.get() || csv.with(Option::is_none) || !preview.with(|p| can_create(p.as_ref()))
                        on:click=move |_| run_import()
                    >
                        {move || if busy.get() && preview.with(Option::is_some) { t_string!(i18n, import_creating) } else { t_string!(i18n, import_create) }}
                    </button>
                    <span class="status" role="status" data-testid="import-status">
                        {move || created.get().map(|n| t_string!(i18n, import_created, count = n).to_string())}
                    </span>
                </div>
                <ErrorAlert error=error/>
                {made_invitations(made)}
                {preview_view(preview_signal, unplaced_signal)}
            </section>
        </Show>
    }
}

/// The preview: totals, why Create is off, errors of lines no row has, and
/// every row with its own errors (a table; stacked cards on a phone).
pub fn preview_view(
    preview: Signal<Option<ImportPreview>>,
    unplaced: Signal<Vec<ImportIssue>>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let p = preview.get()?;
        let t = totals(&p.rows);
        let others = unplaced.get();
        Some(view! {
            <div class="import-preview" data-testid="import-preview-result">
                <p class="import-totals" data-testid="import-totals" data-total=t.total.to_string() data-invalid=t.invalid.to_string()>
                    {move || {
                        t_string!(i18n, import_totals, total = t.total, valid = t.valid, invalid = t.invalid)
                            .to_string()
                    }}
                </p>
                {(t.invalid > 0 || !others.is_empty()).then(|| {
                    view! { <p class="refusal" data-testid="import-fix-first">{t!(i18n, import_fix_first)}</p> }
                })}
                {(!others.is_empty()).then(|| {
                    view! {
                        <div class="alert error" data-testid="import-other-errors">
                            <span>{t!(i18n, import_other_errors)}</span>
                            <ul class="row-errors">
                                {others
                                    .into_iter()
                                    .map(|i| {
                                        let line = i.line;
                                        view! {
                                            <li>
                                                {move || t_string!(i18n, import_line, line = line).to_string()}
                                                ": "
                                                {move || error_text(i18n, &i.error())}
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                        </div>
                    }
                })}
                <div class="table-scroll">
                    <table class="import-table" data-testid="import-table">
                        <thead>
                            <tr>
                                <th>{t!(i18n, import_col_line)}</th>
                                <th>{t!(i18n, field_address)}</th>
                                <th>{t!(i18n, field_display_name)}</th>
                                <th>{t!(i18n, field_kind)}</th>
                                <th>{t!(i18n, section_users)}</th>
                                <th>{t!(i18n, import_col_invitations)}</th>
                                <th>{t!(i18n, import_col_targets)}</th>
                                <th>{t!(i18n, import_col_errors)}</th>
                            </tr>
                        </thead>
                        <tbody>{p.rows.into_iter().map(preview_row).collect_view()}</tbody>
                    </table>
                </div>
            </div>
        })
    }
}

fn preview_row(r: ImportRow) -> impl IntoView {
    let i18n = use_i18n();
    let ok = r.errors.is_empty();
    let users = r.users.clone();
    let invite = r.invite.clone();
    let kind = r.kind;
    let errors = r.errors.clone();
    let row = r.clone();
    view! {
        <tr
            data-testid="import-row"
            data-line=r.line.to_string()
            data-address=r.address.clone()
            data-valid=ok.to_string()
            class:invalid=!ok
        >
            <td class="line" data-label=move || t_string!(i18n, import_col_line)>{r.line}</td>
            <td class="address">{r.address.clone()}</td>
            <td data-label=move || t_string!(i18n, field_display_name)>{r.display_name.clone()}</td>
            <td data-label=move || t_string!(i18n, field_kind)>{move || kind_label(i18n, kind)}</td>
            <td data-label=move || t_string!(i18n, section_users)>
                {move || {
                    users
                        .iter()
                        .map(|u| {
                            let perms: Vec<String> = u.permissions.iter().map(|p| permission_label(i18n, p)).collect();
                            format!("{} ({})", u.login, perms.join(", "))
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }}
            </td>
            <td data-label=move || t_string!(i18n, import_col_invitations) data-testid="import-row-invite">
                {move || {
                    invite
                        .iter()
                        .map(|u| {
                            let perms: Vec<String> = u.permissions.iter().map(|p| permission_label(i18n, p)).collect();
                            format!("{} ({})", u.email, perms.join(", "))
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                }}
            </td>
            <td data-label=move || t_string!(i18n, import_col_targets)>{r.redirect_to.join(", ")}</td>
            <td class="errors" data-testid="import-row-errors">
                {if ok {
                    view! { <span class="ok">"✓ " {t!(i18n, import_row_ok)}</span> }.into_any()
                } else {
                    view! {
                        <ul class="row-errors">
                            {errors
                                .into_iter()
                                .map(|i| {
                                    let column = i.column.clone();
                                    let column_attr = i.column.clone();
                                    let code = i.code.as_str();
                                    let row = row.clone();
                                    view! {
                                        <li data-code=code data-column=column_attr>
                                            {column.map(|c| view! { <code>{c}</code> " " })}
                                            {move || issue_text(i18n, &i, &row)}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                }}
            </td>
        </tr>
    }
}
