//! Words for the administration's rules, in the reader's language: what a
//! grant permission is called, and why a role may not do an action (the
//! localised [`Action::refusal`]; `en.json` says exactly that, a test
//! keeps them equal). Exhaustive matches: a new action or permission does
//! not build until it has its text.

use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::Permission;
use postern_shared::permissions::{Action, Role};

pub fn permission_label(i18n: I18nContext, p: Permission) -> String {
    match p {
        Permission::Read => t_string!(i18n, perm_read),
        Permission::Send => t_string!(i18n, perm_send),
        Permission::ManageFilters => t_string!(i18n, perm_manage_filters),
        Permission::ManageDevices => t_string!(i18n, perm_manage_devices),
        Permission::ViewLogs => t_string!(i18n, perm_view_logs),
        Permission::Restore => t_string!(i18n, perm_restore),
    }
    .to_string()
}

pub fn refusal_text(i18n: I18nContext, a: Action) -> String {
    match a {
        Action::ViewAddresses => t_string!(i18n, refusal_view_addresses),
        Action::ManageAddresses => t_string!(i18n, refusal_manage_addresses),
        Action::ManageAccess => t_string!(i18n, refusal_manage_access),
        Action::ManageSpam => t_string!(i18n, refusal_manage_spam),
        Action::ManageTemplates => t_string!(i18n, refusal_manage_templates),
        Action::ViewOrganization => t_string!(i18n, refusal_view_organization),
        Action::ManageOrganization => t_string!(i18n, refusal_manage_organization),
        Action::GenerateDpa => t_string!(i18n, refusal_generate_dpa),
        Action::ReadSupportedMailboxes => t_string!(i18n, refusal_read_supported_mailboxes),
        Action::ViewLogs => t_string!(i18n, refusal_view_logs),
    }
    .to_string()
}

/// The reason shown beside controls `role` may not use (nothing when it
/// may): visible text, not only a tooltip.
pub fn refusal_note(role: Signal<Option<Role>>, action: Action) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        role.get().filter(|r| !r.may(action)).map(|_| {
            view! {
                <p class="refusal" data-testid="refusal">
                    <span aria-hidden="true">"🔒 "</span>
                    {refusal_text(i18n, action)}
                </p>
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_refusals_are_the_shared_ones() {
        let en: serde_json::Value =
            serde_json::from_str(include_str!("../../locales/en.json")).unwrap();
        for a in Action::ALL {
            let key = match a {
                Action::ViewAddresses => "refusal_view_addresses",
                Action::ManageAddresses => "refusal_manage_addresses",
                Action::ManageAccess => "refusal_manage_access",
                Action::ManageSpam => "refusal_manage_spam",
                Action::ManageTemplates => "refusal_manage_templates",
                Action::ViewOrganization => "refusal_view_organization",
                Action::ManageOrganization => "refusal_manage_organization",
                Action::GenerateDpa => "refusal_generate_dpa",
                Action::ReadSupportedMailboxes => "refusal_read_supported_mailboxes",
                Action::ViewLogs => "refusal_view_logs",
            };
            assert_eq!(en[key].as_str(), Some(a.refusal()), "{key}");
        }
    }

    #[test]
    fn every_locale_has_the_same_keys() {
        let keys = |s: &str| {
            let v: serde_json::Value = serde_json::from_str(s).unwrap();
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let en = keys(include_str!("../../locales/en.json"));
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/locales");
        for e in std::fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            let other = keys(&std::fs::read_to_string(&path).unwrap());
            assert_eq!(other, en, "{}", path.display());
        }
    }
}
