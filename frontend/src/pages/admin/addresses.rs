//! The organisation's address table (R-ADDR): search as you type, sort by
//! address, each row's kind, aliases and users, a link to its mailbox
//! settings; several rows selected are deleted together after a
//! confirmation that names what goes (R-ADDR-4); an alias is added on its
//! row; each domain's catch-all is chosen below the table; many addresses
//! are created at once from a CSV file (`import.rs`). Controls the
//! role may not use are disabled with the reason beside them.

use super::AdminCtx;
use super::create::create_form;
use super::import::import_panel;
use super::table::{self, Order};
use crate::components::access_text::refusal_note;
use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::portal_error_text::local_part_text;
use crate::core::api;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::address::validate_local_part;
use postern_shared::admin::{AddressKind, AddressRow, DomainId, DomainInfo};
use postern_shared::api::MailboxId;
use postern_shared::permissions::Action;
use std::collections::BTreeSet;

/// "Mailbox", "No-reply", or "Redirect → a, b".
pub fn kind_text(i18n: I18nContext, r: &AddressRow) -> String {
    match r.kind {
        AddressKind::Mailbox => t_string!(i18n, kind_mailbox).to_string(),
        AddressKind::NoReply => t_string!(i18n, kind_no_reply).to_string(),
        AddressKind::Redirect => format!(
            "{} → {}",
            t_string!(i18n, kind_redirect),
            r.redirect_to.join(", ")
        ),
    }
}

pub fn addresses(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let query = RwSignal::new(String::new());
    let order = RwSignal::new(Order::Ascending);
    let selected = RwSignal::new(BTreeSet::<MailboxId>::new());
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let may_manage = ctx.may(Action::ManageAddresses);
    let rows = Memo::new(move |_| {
        ctx.data
            .with(|d| d.as_ref().map(|d| d.addresses.clone()))
            .unwrap_or_default()
    });
    let shown = Memo::new(move |_| rows.with(|r| table::visible(r, &query.get(), order.get())));
    // Deleted rows leave the selection.
    Effect::new(move || {
        let r = rows.get();
        selected.update(|s| table::prune(&r, s));
    });
    let count = move || selected.with(BTreeSet::len);
    // R-SPAM-3: the spam filter of the selected mailboxes, on or off.
    let may_spam = ctx.may(Action::ManageSpam);
    let busy_spam = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let switch_spam = move |enabled: bool| {
        let ids = selected.with_untracked(|s| rows.with_untracked(|r| table::mailboxes_of(r, s)));
        if ids.is_empty() {
            error.set(Some(t_string!(i18n, bulk_spam_no_mailbox).to_string()));
            return;
        }
        busy_spam.set(true);
        spawn_local(async move {
            let r = api::bulk_spam_filter(ctx.org, ids, enabled).await;
            busy_spam.set(false);
            match r {
                Ok(done) => {
                    error.set(None);
                    ctx.data.update(|d| {
                        if let Some(d) = d {
                            table::set_spam(&mut d.addresses, &done.mailboxes, done.enabled);
                        }
                    });
                    let n = done.mailboxes.len();
                    notice.set(Some(if done.enabled {
                        t_string!(i18n, bulk_spam_done_on, count = n).to_string()
                    } else {
                        t_string!(i18n, bulk_spam_done_off, count = n).to_string()
                    }));
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <h2>{t!(i18n, admin_addresses)}</h2>
        {refusal_note(ctx.role(), Action::ManageAddresses)}
        {move || notice.get().map(|n| view! { <p class="notice" role="status" data-testid="bulk-notice">{n}</p> })}
        {create_form(ctx)}
        {import_panel(ctx)}
        <ErrorAlert error=error/>
        <div class="table-tools">
            <label class="search">
                <span class="visually-hidden">{t!(i18n, address_search)}</span>
                <input
                    type="search"
                    data-testid="address-search"
                    placeholder=move || t_string!(i18n, address_search)
                    aria-label=move || t_string!(i18n, address_search)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </label>
            <span class="count" data-testid="address-count">
                {move || t_string!(i18n, address_count, count = shown.with(Vec::len)).to_string()}
            </span>
        </div>
        <div class="bulk-bar" class:active=move || { count() > 0 }>
            <label class="select-all">
                <input
                    type="checkbox"
                    data-testid="select-all-addresses"
                    aria-label=move || t_string!(i18n, select_all)
                    prop:checked=move || selected.with(|s| shown.with(|v| table::all_selected(v, s)))
                    on:change=move |_| selected.update(|s| shown.with(|v| table::toggle_all(v, s)))
                />
            </label>
            <span class="count" data-testid="selected-count">
                {move || t_string!(i18n, selected_count, count = count()).to_string()}
            </span>
            <button
                type="button"
                class="secondary"
                data-testid="bulk-spam-on"
                disabled=move || count() == 0 || !may_spam.get() || busy_spam.get()
                on:click=move |_| switch_spam(true)
            >
                {t!(i18n, bulk_spam_on)}
            </button>
            <button
                type="button"
                class="secondary"
                data-testid="bulk-spam-off"
                disabled=move || count() == 0 || !may_spam.get() || busy_spam.get()
                on:click=move |_| switch_spam(false)
            >
                {t!(i18n, bulk_spam_off)}
            </button>
            <button
                type="button"
                class="danger"
                data-testid="delete-addresses"
                disabled=move || count() == 0 || !may_manage.get()
                on:click=move |_| confirming.set(true)
            >
                {t!(i18n, delete)}
            </button>
        </div>
        <table class="address-table" data-testid="address-table">
            <thead>
                <tr>
                    <th class="check"><span class="visually-hidden">{t!(i18n, select_all)}</span></th>
                    <th aria-sort=move || order.get().aria()>
                        <button
                            type="button"
                            class="sort"
                            data-testid="sort-address"
                            on:click=move |_| order.update(|o| *o = o.flipped())
                        >
                            {t!(i18n, field_address)}
                            <span aria-hidden="true">
                                {move || if order.get() == Order::Ascending { " ▲" } else { " ▼" }}
                            </span>
                        </button>
                    </th>
                    <th>{t!(i18n, field_display_name)}</th>
                    <th>{t!(i18n, field_kind)}</th>
                    <th>{t!(i18n, field_aliases)}</th>
                    <th>{t!(i18n, section_users)}</th>
                    <th>{t!(i18n, field_spam_filter)}</th>
                </tr>
            </thead>
            <tbody>
                <For
                    each=move || shown.get()
                    key=|r| serde_json::to_string(r).unwrap_or_default()
                    children=move |r| address_row(ctx, r, selected, error)
                />
            </tbody>
        </table>
        <Show when=move || shown.with(Vec::is_empty)>
            <p class="empty" data-testid="no-addresses">{t!(i18n, address_none)}</p>
        </Show>
        {domains(ctx, error)}
        {move || confirming.get().then(|| delete_dialog(ctx, selected, confirming, error))}
    }
}

fn address_row(
    ctx: AdminCtx,
    r: AddressRow,
    selected: RwSignal<BTreeSet<MailboxId>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = r.id;
    let is_catch_all = ctx.data.with_untracked(|d| {
        d.as_ref()
            .is_some_and(|d| d.domains.iter().any(|dom| dom.catch_all == Some(id)))
    });
    let users = r
        .users
        .iter()
        .map(|u| {
            if u.display_name.is_empty() {
                u.login.clone()
            } else {
                u.display_name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let address = r.address.clone();
    let select_label = address.clone();
    let kind = r.clone();
    let is_mailbox = r.kind == AddressKind::Mailbox;
    let spam_on = r.spam_filter;
    view! {
        <tr data-testid="address-row" data-address=r.address.clone() class:selected=move || selected.with(|s| s.contains(&id))>
            <td class="check">
                <input
                    type="checkbox"
                    data-testid="select-address"
                    aria-label=move || t_string!(i18n, select_address, address = select_label.clone()).to_string()
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected.update(|s| {
                            if on {
                                s.insert(id);
                            } else {
                                s.remove(&id);
                            }
                        });
                    }
                />
            </td>
            <td class="address">
                <a href=format!("/settings/{id}") data-testid="address-link">{address}</a>
                {is_catch_all.then(|| view! { <span class="tag" data-testid="catch-all-tag">{t!(i18n, catch_all)}</span> })}
            </td>
            <td data-label=move || t_string!(i18n, field_display_name)>{r.display_name.clone()}</td>
            <td data-label=move || t_string!(i18n, field_kind) data-testid="address-kind" data-kind=r.kind.as_str()>
                {move || kind_text(i18n, &kind)}
            </td>
            <td data-label=move || t_string!(i18n, field_aliases)>
                <span data-testid="address-aliases">{r.aliases.join(", ")}</span>
                {is_mailbox.then(|| alias_adder(ctx, id, error))}
            </td>
            <td data-label=move || t_string!(i18n, section_users) data-testid="address-users">{users}</td>
            <td
                data-label=move || t_string!(i18n, field_spam_filter)
                data-testid="address-spam"
                data-spam=if !is_mailbox { "" } else if spam_on { "on" } else { "off" }
            >
                {is_mailbox.then(|| if spam_on { t_string!(i18n, spam_on) } else { t_string!(i18n, spam_off) })}
            </td>
        </tr>
    }
}

/// "+ Alias" on a mailbox's row: the part before `@`, checked as typed,
/// and the domain.
fn alias_adder(ctx: AdminCtx, id: MailboxId, error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    let local = RwSignal::new(String::new());
    let domains = Memo::new(move |_| {
        ctx.data
            .with(|d| d.as_ref().map(|d| d.domains.clone()))
            .unwrap_or_default()
    });
    let domain = RwSignal::new(None::<DomainId>);
    let busy = RwSignal::new(false);
    let server = RwSignal::new(None::<String>);
    let may = ctx.may(Action::ManageAddresses);
    let problem = Memo::new(move |_| {
        local.with(|l| {
            (!l.is_empty())
                .then(|| validate_local_part(l).err())
                .flatten()
        })
    });
    let add = move || {
        let Some(dom) = domain
            .get_untracked()
            .or_else(|| domains.with_untracked(|d| d.first().map(|d| d.id)))
        else {
            return;
        };
        let l = local.get_untracked();
        if busy.get_untracked() || validate_local_part(&l).is_err() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = api::add_alias(ctx.org, id, l, dom).await;
            busy.set(false);
            match r {
                Ok(row) => {
                    server.set(None);
                    error.set(None);
                    local.set(String::new());
                    open.set(false);
                    ctx.data.update(|d| {
                        if let Some(d) = d {
                            table::upsert(&mut d.addresses, row);
                        }
                    });
                }
                Err(e) => server.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <Show
            when=move || open.get()
            fallback=move || {
                view! {
                    <button
                        type="button"
                        class="link-button"
                        data-testid="add-alias"
                        disabled=move || !may.get()
                        on:click=move |_| open.set(true)
                    >
                        {t!(i18n, add_alias)}
                    </button>
                }
            }
        >
            <span class="alias-form">
                <input
                    type="text"
                    data-testid="alias-local"
                    aria-label=move || t_string!(i18n, alias_local)
                    placeholder=move || t_string!(i18n, alias_local)
                    aria-invalid=move || problem.with(Option::is_some).to_string()
                    prop:value=move || local.get()
                    on:input=move |ev| {
                        server.set(None);
                        local.set(event_target_value(&ev));
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            add();
                        }
                    }
                />
                <select
                    aria-label=move || t_string!(i18n, field_domain)
                    on:change=move |ev| domain.set(event_target_value(&ev).parse().ok())
                >
                    {move || {
                        domains
                            .get()
                            .into_iter()
                            .map(|d| view! { <option value=d.id.to_string()>{format!("@{}", d.name)}</option> })
                            .collect_view()
                    }}
                </select>
                <button
                    type="button"
                    data-testid="alias-submit"
                    disabled=move || busy.get() || local.with(String::is_empty) || problem.with(Option::is_some)
                    on:click=move |_| add()
                >
                    {t!(i18n, add)}
                </button>
                <button type="button" class="link-button" on:click=move |_| open.set(false)>
                    {t!(i18n, cancel)}
                </button>
                <span class="field-error" aria-live="polite" data-testid="alias-error">
                    {move || {
                        server.get().or_else(|| problem.get().map(|p| local_part_text(i18n, &p)))
                    }}
                </span>
            </span>
        </Show>
    }
}

/// Each domain with its catch-all (R-ADDR-3): a mailbox of the domain, or none.
fn domains(ctx: AdminCtx, error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    let may = ctx.may(Action::ManageAddresses);
    let list = Memo::new(move |_| {
        ctx.data
            .with(|d| d.as_ref().map(|d| d.domains.clone()))
            .unwrap_or_default()
    });
    let set = move |dom: DomainInfo, mailbox: Option<MailboxId>| {
        spawn_local(async move {
            match api::set_catch_all(ctx.org, dom.id, mailbox).await {
                Ok(info) => {
                    error.set(None);
                    ctx.data.update(|d| {
                        if let Some(d) = d.as_mut()
                            && let Some(x) = d.domains.iter_mut().find(|x| x.id == info.id)
                        {
                            *x = info;
                        }
                    });
                }
                Err(e) => {
                    error.set(Some(error_text(i18n, &e)));
                    // Back to what the server has.
                    ctx.data.update(|_| {});
                }
            }
        });
    };
    view! {
        <section class="block" data-testid="domains">
            <h3>{t!(i18n, domains)}</h3>
            <p class="hint">{t!(i18n, catch_all_hint)}</p>
            <ul class="domain-list" role="list">
                {move || {
                    list.get()
                        .into_iter()
                        .map(|dom| {
                            let candidates: Vec<(MailboxId, String)> = ctx
                                .data
                                .with(|d| {
                                    d.as_ref()
                                        .map(|d| {
                                            table::catch_all_candidates(&d.addresses, &dom)
                                                .into_iter()
                                                .map(|r| (r.id, r.address.clone()))
                                                .collect()
                                        })
                                })
                                .unwrap_or_default();
                            let current = dom.catch_all;
                            let d2 = dom.clone();
                            view! {
                                <li class="domain">
                                    <label class="field">
                                        <span>{format!("@{}", dom.name)} " — " {t!(i18n, catch_all)}</span>
                                        <select
                                            data-testid="catch-all"
                                            data-domain=dom.name.clone()
                                            disabled=move || !may.get()
                                            on:change=move |ev| set(d2.clone(), event_target_value(&ev).parse().ok())
                                        >
                                            <option value="" selected=current.is_none()>{t!(i18n, catch_all_off)}</option>
                                            {candidates
                                                .into_iter()
                                                .map(|(id, a)| view! { <option value=id.to_string() selected=current == Some(id)>{a}</option> })
                                                .collect_view()}
                                        </select>
                                    </label>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}

/// The confirmation of a bulk deletion: what is lost for good, by name.
fn delete_dialog(
    ctx: AdminCtx,
    selected: RwSignal<BTreeSet<MailboxId>>,
    open: RwSignal<bool>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let busy = RwSignal::new(false);
    let loss = ctx.data.with_untracked(|d| {
        d.as_ref()
            .map(|d| selected.with_untracked(|s| table::loss(&d.addresses, s)))
            .unwrap_or_default()
    });
    let n = loss.addresses.len();
    let mailboxes = loss.mailboxes;
    let aliases = loss.aliases.join(", ");
    let users = loss.users.join(", ");
    let close = move || {
        if !busy.get_untracked() {
            open.set(false);
        }
    };
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        let ids: Vec<MailboxId> = selected.get_untracked().into_iter().collect();
        busy.set(true);
        spawn_local(async move {
            let r = api::delete_addresses(ctx.org, ids.clone()).await;
            busy.set(false);
            open.set(false);
            match r {
                Ok(_) => {
                    error.set(None);
                    ctx.data.update(|d| {
                        if let Some(d) = d {
                            d.addresses.retain(|r| !ids.contains(&r.id));
                            for dom in &mut d.domains {
                                if dom.catch_all.is_some_and(|c| ids.contains(&c)) {
                                    dom.catch_all = None;
                                }
                            }
                        }
                    });
                    selected.set(BTreeSet::new());
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    view! {
        <div class="modal-scrim" on:click=move |_| close()></div>
        <div
            class="modal"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="delete-title"
            aria-describedby="delete-loss"
            data-testid="delete-dialog"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    close();
                }
            }
        >
            <h2 id="delete-title">{move || t_string!(i18n, delete_title, count = n).to_string()}</h2>
            <ul class="loss-list" data-testid="delete-list">
                {loss.addresses.iter().map(|a| view! { <li>{a.clone()}</li> }).collect_view()}
            </ul>
            <div id="delete-loss" class="loss">
                <p>{move || t_string!(i18n, delete_loss_mail, count = mailboxes).to_string()}</p>
                <p>{t!(i18n, delete_loss_access)}</p>
                {(!users.is_empty()).then(|| {
                    let users = users.clone();
                    view! { <p>{move || t_string!(i18n, delete_loss_users, users = users.clone()).to_string()}</p> }
                })}
                {(!aliases.is_empty()).then(|| {
                    let aliases = aliases.clone();
                    view! { <p>{move || t_string!(i18n, delete_loss_aliases, aliases = aliases.clone()).to_string()}</p> }
                })}
            </div>
            <div class="modal-actions">
                <button type="button" data-testid="delete-cancel" autofocus=true on:click=move |_| close()>
                    {t!(i18n, cancel)}
                </button>
                <button
                    type="button"
                    class="danger"
                    data-testid="delete-confirm"
                    disabled=move || busy.get()
                    on:click=confirm
                >
                    {t!(i18n, delete_for_good)}
                </button>
            </div>
        </div>
    }
}
