//! The administration's Logs section (R-LOG): the page of `pages/logs.rs`
//! over every mailbox of the organisation on which the caller's grant
//! holds "view logs" (R-LOG-3: a mailbox they administer without that
//! permission is not shown), with a Mailbox column named from the address
//! table.

use super::AdminCtx;
use crate::i18n::*;
use crate::pages::logs::{LogSource, log_view};
use leptos::prelude::*;

pub fn logs(ctx: AdminCtx) -> impl IntoView {
    let i18n = use_i18n();
    let names = Signal::derive(move || {
        ctx.data.with(|d| {
            d.as_ref()
                .map(|d| {
                    d.addresses
                        .iter()
                        .map(|r| (r.id, r.address.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <h2>{t!(i18n, section_logs)}</h2>
        <p class="hint">{t!(i18n, admin_logs_intro)}</p>
        {log_view(LogSource::Organization(ctx.org), Some(names))}
    }
}
