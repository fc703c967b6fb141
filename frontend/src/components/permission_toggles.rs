//! A grant's permissions as one checkbox each (R-ID-3): read, send, manage
//! filters, manage devices, view logs, restore. Used by a mailbox's users
//! tab and by the creation form's chosen members.

use crate::components::access_text::permission_label;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::{Permission, PermissionSet};

/// `on_change` gets the whole new set; `disabled` greys every box (the
/// caller shows why).
pub fn permission_toggles(
    perms: Signal<PermissionSet>,
    on_change: Callback<PermissionSet>,
    disabled: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <span class="permissions" role="group" aria-label=move || t_string!(i18n, permissions)>
            {Permission::ALL
                .into_iter()
                .map(|p| {
                    view! {
                        <label class="toggle">
                            <input
                                type="checkbox"
                                data-testid="permission"
                                data-permission=p.as_str()
                                prop:checked=move || perms.get().contains(p)
                                disabled=move || disabled.get()
                                on:change=move |ev| {
                                    let set = perms.get_untracked();
                                    on_change.run(if event_target_checked(&ev) { set.with(p) } else { set.without(p) });
                                }
                            />
                            <span>{move || permission_label(i18n, p)}</span>
                        </label>
                    }
                })
                .collect_view()}
        </span>
    }
}
