//! The Logs section of a mailbox's settings (R-LOG): the page of
//! `pages/logs.rs` on this mailbox. R-LOG-3: only an owner, administrator
//! or legal representative of its organisation whose grant on it holds
//! "view logs" — anyone else sees the menu entry disabled with the reason
//! ([`refusal`]), and the section itself says it (the server answers 403).

use super::{Refusal, SettingsCtx, refusal_words};
use crate::i18n::*;
use crate::pages::logs::{LogSource, log_view};
use leptos::prelude::*;
use postern_shared::permissions::{Action, Role};
use postern_shared::{Permission, PermissionSet};

/// Why the caller may not read this mailbox's logs, or `None`: the role
/// first (what the caller cannot change), then the grant's permission.
pub fn refusal(role: Option<Role>, grant: Option<PermissionSet>) -> Option<Refusal> {
    if !role.is_some_and(|r| r.may(Action::ViewLogs)) {
        Some(Refusal::Role(Action::ViewLogs))
    } else if !grant.is_some_and(|g| g.contains(Permission::ViewLogs)) {
        Some(Refusal::Permission(Permission::ViewLogs))
    } else {
        None
    }
}

pub fn logs(ctx: SettingsCtx) -> impl IntoView {
    let i18n = use_i18n();
    let refused = refusal(ctx.mailbox.role, ctx.mailbox.grant);
    view! {
        <h2>{t!(i18n, section_logs)}</h2>
        {match refused {
            Some(r) => {
                view! {
                    <p class="refusal" data-testid="logs-refusal">
                        <span aria-hidden="true">"🔒 "</span>
                        {move || refusal_words(i18n, r)}
                    </p>
                }
                    .into_any()
            }
            None => log_view(LogSource::Mailbox(ctx.mailbox.id), None).into_any(),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_need_the_role_and_the_grant_permission() {
        let with = PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::ViewLogs);
        let without = PermissionSet::empty().with(Permission::Read);
        for role in [Role::Owner, Role::Administrator, Role::LegalRepresentative] {
            assert_eq!(refusal(Some(role), Some(with)), None, "{role:?}");
            assert_eq!(
                refusal(Some(role), Some(without)),
                Some(Refusal::Permission(Permission::ViewLogs))
            );
            // Administered without a grant: no "view logs" either.
            assert_eq!(
                refusal(Some(role), None),
                Some(Refusal::Permission(Permission::ViewLogs))
            );
        }
        // A user holding "view logs" still may not (R-LOG-3).
        assert_eq!(
            refusal(Some(Role::User), Some(with)),
            Some(Refusal::Role(Action::ViewLogs))
        );
        assert_eq!(
            refusal(None, Some(with)),
            Some(Refusal::Role(Action::ViewLogs))
        );
    }
}
