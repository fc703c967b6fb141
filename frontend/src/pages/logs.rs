//! The Logs page (R-LOG), one view for the two places it opens: a
//! mailbox's settings (`settings/logs.rs`, `/settings/<mb>/logs`) and the
//! administration's view of the service (`admin/logs.rs`,
//! `/admin/<org>/logs`). A search form (direction, a date and time range,
//! an address or subject), a table newest first with a status column whose
//! ⓘ opens the plain-words explanation — one sentence per
//! `shared::logs::Reason`, in the user's language — and the server's raw
//! answer below it. Pages are the API's keyset pages (`next`): "Show
//! older" appends the next one. The page says how far back logs go (the
//! answer's `retention_days`, R-LOG-2).
//!
//! Portal only (`build/locales.rs`, `PORTAL_ONLY`): the webmail links none
//! of it.

use crate::components::error_text::{ErrorAlert, error_text};
use crate::components::file_list::size_units;
use crate::components::icon::icon;
use crate::core::api;
use crate::core::format::format_size;
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::ApiError;
use postern_shared::api::{MailboxId, OrganizationId};
use postern_shared::logs::{
    Direction, LogEntry, LogPage, LogQuery, LogStatus, MAX_SEARCH_CHARS, Reason,
};
use wasm_bindgen::JsValue;

/// The ⓘ of a row, drawn (a font may lack the character): a circled "i".
const INFO: &str = "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM12 11v6M12 7v1";

/// Whose logs the page searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogSource {
    Mailbox(MailboxId),
    /// Every mailbox of the organisation whose grant lets the caller.
    Organization(OrganizationId),
}

async fn fetch(source: LogSource, q: &LogQuery) -> Result<LogPage, ApiError> {
    match source {
        LogSource::Mailbox(mb) => api::mailbox_logs(mb, q).await,
        LogSource::Organization(org) => api::org_logs(org, q).await,
    }
}

/// The query of the form's values (times already in Unix seconds): empty
/// fields are no condition; the text is trimmed.
pub fn query_of(direction: &str, since: Option<i64>, until: Option<i64>, text: &str) -> LogQuery {
    let text = text.trim();
    LogQuery {
        direction: Direction::parse(direction),
        since,
        until,
        q: (!text.is_empty()).then(|| text.to_owned()),
        before: None,
    }
}

/// Whether the range is backwards (the gateway would refuse it).
pub fn range_is_backwards(since: Option<i64>, until: Option<i64>) -> bool {
    matches!((since, until), (Some(s), Some(u)) if s > u)
}

/// A `datetime-local` value (`2026-12-02T14:30`, the browser's time zone)
/// as Unix seconds; empty or unreadable is `None`.
fn local_to_unix(v: &str) -> Option<i64> {
    if v.trim().is_empty() {
        return None;
    }
    // A date-time form without an offset is local time (ECMA-262 Date.parse).
    let ms = js_sys::Date::new(&JsValue::from_str(v)).get_time();
    (!ms.is_nan()).then(|| (ms / 1000.0).floor() as i64)
}

/// A row's time: date and time with seconds, in the reader's locale.
fn format_when(unix: i64, locale: &str) -> String {
    let o = js_sys::Object::new();
    for (k, v) in [("dateStyle", "short"), ("timeStyle", "medium")] {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    js_sys::Date::new(&JsValue::from_f64(unix as f64 * 1000.0))
        .to_locale_string(locale, &o)
        .into()
}

pub fn direction_label(i18n: I18nContext, d: Direction) -> String {
    match d {
        Direction::Sent => t_string!(i18n, log_direction_sent),
        Direction::Received => t_string!(i18n, log_direction_received),
    }
    .to_string()
}

pub fn status_label(i18n: I18nContext, s: LogStatus) -> String {
    match s {
        LogStatus::Delivered => t_string!(i18n, log_status_delivered),
        LogStatus::Deferred => t_string!(i18n, log_status_deferred),
        LogStatus::Bounced => t_string!(i18n, log_status_bounced),
        LogStatus::Rejected => t_string!(i18n, log_status_rejected),
        LogStatus::Spam => t_string!(i18n, log_status_spam),
        LogStatus::Filed => t_string!(i18n, log_status_filed),
    }
    .to_string()
}

/// The plain-words explanation of an entry (exhaustive: a new reason does
/// not build until it has its sentence).
pub fn reason_text(i18n: I18nContext, r: Reason) -> String {
    match r {
        Reason::Delivered => t_string!(i18n, log_reason_delivered),
        Reason::FiledAsSpam => t_string!(i18n, log_reason_filed_as_spam),
        Reason::FiledByRule => t_string!(i18n, log_reason_filed_by_rule),
        Reason::UnknownRecipient => t_string!(i18n, log_reason_unknown_recipient),
        Reason::UnknownDomain => t_string!(i18n, log_reason_unknown_domain),
        Reason::BadAddress => t_string!(i18n, log_reason_bad_address),
        Reason::SenderRefused => t_string!(i18n, log_reason_sender_refused),
        Reason::MailboxFull => t_string!(i18n, log_reason_mailbox_full),
        Reason::MailboxDisabled => t_string!(i18n, log_reason_mailbox_disabled),
        Reason::TooLarge => t_string!(i18n, log_reason_too_large),
        Reason::RefusedAsSpam => t_string!(i18n, log_reason_refused_as_spam),
        Reason::RefusedByPolicy => t_string!(i18n, log_reason_refused_by_policy),
        Reason::Unreachable => t_string!(i18n, log_reason_unreachable),
        Reason::Expired => t_string!(i18n, log_reason_expired),
        Reason::ServerProblem => t_string!(i18n, log_reason_server_problem),
        Reason::TemporaryFailure => t_string!(i18n, log_reason_temporary_failure),
        Reason::PermanentFailure => t_string!(i18n, log_reason_permanent_failure),
    }
    .to_string()
}

/// The server's answer as it gave it: the enhanced code, then its text
/// (when the text does not already start with it).
pub fn raw_answer(dsn: Option<&str>, reply: Option<&str>) -> Option<String> {
    let reply = reply.map(str::trim).filter(|r| !r.is_empty());
    match (dsn, reply) {
        (Some(d), Some(r)) if r.contains(d) => Some(r.to_owned()),
        (Some(d), Some(r)) => Some(format!("{d} {r}")),
        (Some(d), None) => Some(d.to_owned()),
        (None, Some(r)) => Some(r.to_owned()),
        (None, None) => None,
    }
}

/// An address that may break after its `@` (a narrow column wraps it
/// there rather than widen the table or cut a word).
fn breakable(address: String) -> impl IntoView {
    match address.split_once('@') {
        Some((local, domain)) => {
            let (local, domain) = (format!("{local}@"), domain.to_owned());
            view! { {local}<wbr/>{domain} }.into_any()
        }
        None => address.into_any(),
    }
}

/// The page. `mailbox_names`: the address of each mailbox id, for the
/// organisation's view (a "Mailbox" column); `None` in a mailbox's own.
pub fn log_view(
    source: LogSource,
    mailbox_names: Option<Signal<Vec<(MailboxId, String)>>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let direction = RwSignal::new(String::new());
    let since = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let text = RwSignal::new(String::new());
    let range_error = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let entries = RwSignal::new(Vec::<LogEntry>::new());
    let next = RwSignal::new(None::<String>);
    let retention = RwSignal::new(None::<u32>);
    let busy = RwSignal::new(false);
    // The search the table shows (its `before` is the next page's).
    let applied = RwSignal::new(LogQuery::default());
    // Answers of an older search are dropped.
    let generation = RwSignal::new(0u32);

    let load = move |q: LogQuery, append: bool| {
        let gen_now = if append {
            generation.get_untracked()
        } else {
            generation.update(|g| *g += 1);
            generation.get_untracked()
        };
        busy.set(true);
        spawn_local(async move {
            let r = fetch(source, &q).await;
            if generation.get_untracked() != gen_now {
                return;
            }
            busy.set(false);
            match r {
                Ok(page) => {
                    error.set(None);
                    retention.set(Some(page.retention_days));
                    next.set(page.next);
                    if append {
                        entries.update(|e| e.extend(page.entries));
                    } else {
                        entries.set(page.entries);
                    }
                }
                Err(e) => error.set(Some(error_text(i18n, &e))),
            }
        });
    };
    // The newest entries at once.
    load(LogQuery::default(), false);

    let search = move || {
        let (s, u) = (
            local_to_unix(&since.get_untracked()),
            local_to_unix(&until.get_untracked()),
        );
        let backwards = range_is_backwards(s, u);
        range_error.set(backwards);
        if backwards {
            return;
        }
        let q = query_of(&direction.get_untracked(), s, u, &text.get_untracked());
        applied.set(q.clone());
        load(q, false);
    };
    let more = move |_| {
        let Some(before) = next.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let q = LogQuery {
            before: Some(before),
            ..applied.get_untracked()
        };
        load(q, true);
    };
    let org_view = mailbox_names.is_some();
    let columns = if org_view { 7 } else { 6 };
    let name_of = move |mb: MailboxId| {
        mailbox_names
            .and_then(|n| n.with(|n| n.iter().find(|(id, _)| *id == mb).map(|(_, a)| a.clone())))
    };

    view! {
        <p class="hint" data-testid="log-retention">
            {move || match retention.get() {
                Some(days) => t_string!(i18n, log_retention, days = days).to_string(),
                None => t_string!(i18n, log_intro).to_string(),
            }}
        </p>
        <form
            class="log-search"
            data-testid="log-search"
            on:submit=move |ev| {
                ev.prevent_default();
                search();
            }
        >
            <label class="field">
                <span>{t!(i18n, log_direction)}</span>
                <select data-testid="log-direction" on:change=move |ev| direction.set(event_target_value(&ev))>
                    <option value="" selected=true>{t!(i18n, log_direction_all)}</option>
                    <option value="sent">{t!(i18n, log_direction_sent)}</option>
                    <option value="received">{t!(i18n, log_direction_received)}</option>
                </select>
            </label>
            <label class="field">
                <span>{t!(i18n, log_since)}</span>
                <input
                    type="datetime-local"
                    data-testid="log-since"
                    prop:value=move || since.get()
                    on:input=move |ev| since.set(event_target_value(&ev))
                    aria-invalid=move || range_error.get().to_string()
                />
            </label>
            <label class="field">
                <span>{t!(i18n, log_until)}</span>
                <input
                    type="datetime-local"
                    data-testid="log-until"
                    prop:value=move || until.get()
                    on:input=move |ev| until.set(event_target_value(&ev))
                    aria-invalid=move || range_error.get().to_string()
                />
            </label>
            <label class="field log-text">
                <span>{t!(i18n, log_text)}</span>
                <input
                    type="search"
                    data-testid="log-text"
                    maxlength=MAX_SEARCH_CHARS.to_string()
                    placeholder=move || t_string!(i18n, log_text_placeholder)
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <div class="form-actions">
                <button type="submit" class="primary" data-testid="log-submit">{t!(i18n, log_search)}</button>
            </div>
            <p class="field-error" role="alert" data-testid="log-range-error">
                {move || range_error.get().then(|| t_string!(i18n, log_range_backwards))}
            </p>
        </form>
        <ErrorAlert error=error/>
        <div class="table-scroll">
            <table class="log-table" data-testid="log-table" aria-busy=move || busy.get().to_string()>
                <thead>
                    <tr>
                        <th>{t!(i18n, log_col_time)}</th>
                        <th>{t!(i18n, log_col_direction)}</th>
                        {org_view.then(|| view! { <th>{t!(i18n, log_col_mailbox)}</th> })}
                        <th>{t!(i18n, log_col_from)}</th>
                        <th>{t!(i18n, log_col_to)}</th>
                        <th>{t!(i18n, log_col_subject)}</th>
                        <th>{t!(i18n, log_col_status)}</th>
                    </tr>
                </thead>
                <For each=move || entries.get() key=|e| e.id let:e>
                    {log_row(i18n, e, columns, org_view.then_some(name_of))}
                </For>
            </table>
        </div>
        {move || {
            (!busy.get() && entries.with(Vec::is_empty) && error.with(Option::is_none))
                .then(|| view! { <p class="notice" data-testid="log-empty">{t!(i18n, log_empty)}</p> })
        }}
        <div class="form-actions">
            {move || (busy.get() && entries.with(Vec::is_empty)).then(|| view! { <p class="loading">{t!(i18n, loading)}</p> })}
            <span class="status" data-testid="log-count">
                {move || {
                    let n = entries.with(Vec::len);
                    (n > 0).then(|| t_string!(i18n, log_count, count = n).to_string())
                }}
            </span>
            {move || {
                next.with(Option::is_some)
                    .then(|| {
                        view! {
                            <button type="button" data-testid="log-more" disabled=move || busy.get() on:click=more>
                                {t!(i18n, log_more)}
                            </button>
                        }
                    })
            }}
        </div>
    }
}

/// One entry: its row, and — while its ⓘ is open — the explanation and
/// the server's raw answer in a row below.
fn log_row(
    i18n: I18nContext,
    e: LogEntry,
    columns: usize,
    name_of: Option<impl Fn(MailboxId) -> Option<String> + Copy + Send + Sync + 'static>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let detail_id = format!("log-detail-{}", e.id);
    let locale = move || i18n.get_locale().as_str().to_string();
    let (at, updated) = (e.at, e.updated_at);
    let status = e.status;
    let direction = e.direction;
    let mb = e.mailbox_id;
    let mailbox_cell = name_of.map(|f| {
        view! {
            <td data-label=move || t_string!(i18n, log_col_mailbox) class="addr">
                {move || breakable(f(mb).unwrap_or_else(|| mb.to_string()))}
            </td>
        }
    });
    let raw = raw_answer(e.dsn.as_deref(), e.reply.as_deref());
    let detail = e.clone();
    let facts = move || {
        let e = detail.clone();
        let raw = raw.clone();
        view! {
            <p class="log-explanation" data-testid="log-explanation" data-reason=e.reason.as_str()>
                {reason_text(i18n, e.reason)}
            </p>
            <dl class="device-facts log-raw" data-testid="log-raw">
                {raw.map(|r| view! {
                    <dt>{t!(i18n, log_server_answer)}</dt>
                    <dd><code data-testid="log-answer">{r}</code></dd>
                })}
                {e.relay.map(|r| view! {
                    <dt>{t!(i18n, log_remote_server)}</dt>
                    <dd data-testid="log-relay">{r}</dd>
                })}
                {e.folder.map(|f| view! {
                    <dt>{t!(i18n, log_folder)}</dt>
                    <dd data-testid="log-folder">{f}</dd>
                })}
                {(updated != at).then(|| view! {
                    <dt>{t!(i18n, log_updated)}</dt>
                    <dd>{move || format_when(updated, &locale())}</dd>
                })}
                {e.size.map(|s| view! {
                    <dt>{t!(i18n, log_size)}</dt>
                    <dd>{move || format_size(s, size_units(i18n))}</dd>
                })}
                {e.queue_id.map(|q| view! {
                    <dt>{t!(i18n, log_queue_id)}</dt>
                    <dd><code>{q}</code></dd>
                })}
                {e.message_id.map(|m| view! {
                    <dt>{t!(i18n, log_message_id)}</dt>
                    <dd class="addr"><code>{m}</code></dd>
                })}
            </dl>
        }
    };
    let from = if e.from.is_empty() {
        None
    } else {
        Some(e.from.clone())
    };
    view! {
        <tbody
            data-testid="log-row"
            data-status=status.as_str()
            data-direction=direction.as_str()
            data-to=e.to.clone()
            class:failure=status.is_failure()
        >
            <tr>
                <td data-label=move || t_string!(i18n, log_col_time) class="when">
                    <time>{move || format_when(at, &locale())}</time>
                </td>
                <td data-label=move || t_string!(i18n, log_col_direction) data-testid="log-direction-cell">
                    {move || direction_label(i18n, direction)}
                </td>
                {mailbox_cell}
                <td data-label=move || t_string!(i18n, log_col_from) class="addr" data-testid="log-from">
                    {match from {
                        Some(f) => breakable(f).into_any(),
                        // A non-delivery notice has no sender.
                        None => view! { <span class="hint">{t!(i18n, log_no_sender)}</span> }.into_any(),
                    }}
                </td>
                <td data-label=move || t_string!(i18n, log_col_to) class="addr" data-testid="log-to">{breakable(e.to.clone())}</td>
                <td data-label=move || t_string!(i18n, log_col_subject) class="addr" data-testid="log-subject">
                    {e.subject.clone().filter(|s| !s.is_empty())}
                </td>
                <td data-label=move || t_string!(i18n, log_col_status) class="status-cell">
                    <span class="log-status" data-testid="log-status" data-status=status.as_str()>
                        {move || status_label(i18n, status)}
                    </span>
                    <button
                        type="button"
                        class="icon-button log-info"
                        data-testid="log-info"
                        aria-expanded=move || open.get().to_string()
                        aria-controls=detail_id.clone()
                        aria-label=move || t_string!(i18n, log_explain, status = status_label(i18n, status)).to_string()
                        title=move || t_string!(i18n, log_explain, status = status_label(i18n, status)).to_string()
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        {icon(INFO)}
                    </button>
                </td>
            </tr>
            <tr class="log-detail" id=detail_id hidden=move || !open.get()>
                <td colspan=columns.to_string() data-testid="log-detail">
                    <Show when=move || open.get()>{facts.clone()}</Show>
                </td>
            </tr>
        </tbody>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_makes_the_query_the_gateway_reads() {
        let q = query_of("sent", Some(10), None, "  ann@ ");
        assert_eq!(q.direction, Some(Direction::Sent));
        assert_eq!(q.since, Some(10));
        assert_eq!(q.until, None);
        assert_eq!(q.q.as_deref(), Some("ann@"));
        // "All" and a blank text are no condition at all.
        assert_eq!(query_of("", None, None, "   "), LogQuery::default());
        assert!(range_is_backwards(Some(20), Some(10)));
        assert!(!range_is_backwards(Some(10), Some(10)));
        assert!(!range_is_backwards(None, Some(10)));
    }

    #[test]
    fn the_raw_answer_shows_the_code_once() {
        assert_eq!(
            raw_answer(Some("5.1.1"), Some("550 5.1.1 <x@y>: User unknown")).as_deref(),
            Some("550 5.1.1 <x@y>: User unknown")
        );
        assert_eq!(
            raw_answer(Some("2.0.0"), Some("delivered via dovecot")).as_deref(),
            Some("2.0.0 delivered via dovecot")
        );
        assert_eq!(
            raw_answer(Some("4.4.1"), Some("  ")).as_deref(),
            Some("4.4.1")
        );
        assert_eq!(raw_answer(None, None), None);
    }

    #[test]
    fn every_reason_has_a_sentence_in_every_locale() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        let reasons = [
            Reason::Delivered,
            Reason::FiledAsSpam,
            Reason::FiledByRule,
            Reason::UnknownRecipient,
            Reason::UnknownDomain,
            Reason::BadAddress,
            Reason::SenderRefused,
            Reason::MailboxFull,
            Reason::MailboxDisabled,
            Reason::TooLarge,
            Reason::RefusedAsSpam,
            Reason::RefusedByPolicy,
            Reason::Unreachable,
            Reason::Expired,
            Reason::ServerProblem,
            Reason::TemporaryFailure,
            Reason::PermanentFailure,
        ];
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for r in reasons {
                let key = format!("log_reason_{}", r.as_str());
                assert!(
                    v[&key].as_str().is_some_and(|s| !s.is_empty()),
                    "{key} in {}",
                    path.display()
                );
            }
        }
    }
}
