//! "Storage" in the General section (R-LIM-5): the bytes the mailbox holds
//! and its limit (`GET /api/mailboxes/{mb}/storage`, read from Dovecot),
//! "X used of Y" with a bar, or "X used, no limit", and a gentle warning
//! past 90 %. The route needs a grant: an administrator without one sees
//! no figure at all (and no error).

use super::Mailbox;
use crate::components::error_text::error_text;
use crate::components::file_list::size_units;
use crate::core::api;
use crate::core::format::format_size;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use postern_shared::api::MailboxStorage;

/// What the figure shows, computed without a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    /// Whole per cent of the limit used, at most 100.
    pub percent: u8,
    /// More than 90 % used.
    pub nearly_full: bool,
}

/// `None` without a limit.
pub fn fill(s: MailboxStorage) -> Option<Fill> {
    let limit = s.limit_bytes?;
    let used = s.used_bytes as u128;
    let limit = limit as u128;
    // A limit of 0 is full at once.
    let percent = (used * 100).checked_div(limit).map_or(100, |p| p.min(100)) as u8;
    Some(Fill {
        percent,
        nearly_full: used * 10 > limit * 9,
    })
}

/// The `<dt>`/`<dd>` pair of the facts list, or nothing without a grant.
pub fn storage_fact(mb: &Mailbox) -> impl IntoView + use<> {
    let i18n = use_i18n();
    let id = mb.id;
    // Any grant may ask; without one the route refuses: nothing to show.
    let granted = mb.grant.is_some();
    let storage = RwSignal::new(None::<Result<MailboxStorage, String>>);
    if granted {
        spawn_local(async move {
            let r = api::mailbox_storage(id).await;
            storage.try_set(Some(r.map_err(|e| error_text(i18n, &e))));
        });
    }
    granted.then(|| {
        view! {
            <dt>{t!(i18n, storage)}</dt>
            <dd data-testid="storage">
                {move || match storage.get() {
                    None => view! { <span class="loading">{t!(i18n, loading)}</span> }.into_any(),
                    Some(Err(e)) => view! { <span class="hint" data-testid="storage-error">{e}</span> }.into_any(),
                    Some(Ok(s)) => storage_figure(s).into_any(),
                }}
            </dd>
        }
    })
}

pub fn storage_figure(s: MailboxStorage) -> impl IntoView {
    let i18n = use_i18n();
    let used = move || format_size(s.used_bytes, size_units(i18n));
    let f = fill(s);
    match (s.limit_bytes, f) {
        (Some(limit), Some(f)) => {
            let text = move || {
                let limit = format_size(limit, size_units(i18n));
                t_string!(i18n, storage_used_of, used = used(), limit = limit).to_string()
            };
            view! {
                <span class="storage" data-testid="storage-figure" data-percent=f.percent.to_string()>
                    <span data-testid="storage-text">{text}</span>
                    <progress
                        class="storage-bar"
                        class:nearly-full=f.nearly_full
                        max="100"
                        value=f.percent.to_string()
                        aria-label=move || t_string!(i18n, storage)
                    >
                        {format!("{} %", f.percent)}
                    </progress>
                    {f.nearly_full.then(|| {
                        view! {
                            <span class="storage-warning" role="status" data-testid="storage-warning">
                                {t!(i18n, storage_nearly_full)}
                            </span>
                        }
                    })}
                </span>
            }
            .into_any()
        }
        _ => view! {
            <span class="storage" data-testid="storage-figure">
                <span data-testid="storage-text">
                    {move || t_string!(i18n, storage_used_no_limit, used = used()).to_string()}
                </span>
            </span>
        }
        .into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(used: u64, limit: Option<u64>) -> MailboxStorage {
        MailboxStorage {
            used_bytes: used,
            limit_bytes: limit,
        }
    }

    #[test]
    fn no_limit_no_bar() {
        assert_eq!(fill(s(5, None)), None);
    }

    #[test]
    fn the_bar_is_whole_per_cent_and_warns_past_ninety() {
        let gib = 1024 * 1024 * 1024;
        assert_eq!(
            fill(s(0, Some(gib))),
            Some(Fill {
                percent: 0,
                nearly_full: false
            })
        );
        assert_eq!(fill(s(gib / 2, Some(gib))).unwrap().percent, 50);
        let ninety = fill(s(9 * gib / 10, Some(gib))).unwrap();
        assert_eq!(ninety.percent, 89, "rounded down");
        assert!(!ninety.nearly_full);
        assert!(fill(s(9 * 100 + 1, Some(1000))).unwrap().nearly_full);
        assert!(!fill(s(900, Some(1000))).unwrap().nearly_full);
        // Over the limit (Dovecot refuses new mail): full, never more.
        let over = fill(s(2 * gib, Some(gib))).unwrap();
        assert_eq!((over.percent, over.nearly_full), (100, true));
        // No overflow with the largest sizes.
        assert_eq!(fill(s(u64::MAX, Some(u64::MAX))).unwrap().percent, 100);
        assert_eq!(fill(s(1, Some(0))).unwrap().percent, 100);
    }
}
