//! The General section: what the mailbox is (address, display name, kind,
//! aliases), the storage it uses (`storage.rs`) and its signature.

use super::SettingsCtx;
use super::signature::signature_editor;
use super::storage::storage_fact;
use crate::i18n::*;
use crate::pages::admin::addresses::kind_text;
use leptos::prelude::*;

pub fn general(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let mb = ctx.mailbox.clone();
    let row = ctx.row();
    let name = if mb.display_name.is_empty() {
        "—".to_string()
    } else {
        mb.display_name.clone()
    };
    view! {
        <h2>{t!(i18n, section_general)}</h2>
        <dl class="facts" data-testid="mailbox-facts">
            <dt>{t!(i18n, field_address)}</dt>
            <dd>{mb.address.clone()}</dd>
            // Read-only for everyone: the API has no route yet that renames
            // an address; when it has, managers (`ManageAddresses`) edit it here.
            <dt>{t!(i18n, field_display_name)}</dt>
            <dd data-testid="display-name">{name}</dd>
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
