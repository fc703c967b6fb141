//! Turns an `ApiError` into the text shown to people, in their language:
//! worded here from the code and its parameters (a time formatted in the
//! reader's zone, the refused character). The server's English `message`
//! is for logs and API users; only a mail server's own reply, which no
//! translation can know, is shown as it came.

use crate::core::browser::{format_time, now};
use crate::i18n::I18nContext;
use crate::i18n::*;
use leptos::prelude::*;
use postern_shared::{ApiError, ErrorCode};
use std::sync::OnceLock;

/// Words the codes only the portal's pages meet
/// (`portal_error_text::register`, at the portal's start). The webmail
/// never sets it, so it links none of those texts: they would be bytes of
/// its first load for errors it cannot get.
static PORTAL_TEXT: OnceLock<fn(I18nContext, &ApiError) -> String> = OnceLock::new();

pub(crate) fn set_portal_text(f: fn(I18nContext, &ApiError) -> String) {
    let _ = PORTAL_TEXT.set(f);
}

/// A portal code's text; without the portal's wording (the webmail), the
/// server's own message, which is written for people too.
fn portal_text(i18n: I18nContext, e: &ApiError) -> String {
    match PORTAL_TEXT.get() {
        Some(word) => word(i18n, e),
        None => e.message.clone(),
    }
}

pub fn error_text(i18n: I18nContext, e: &ApiError) -> String {
    use ErrorCode::*;
    let p = &e.params;
    // Exhaustive on purpose: a new code does not build until it has a text.
    let text = match e.code {
        BadRequest => match p.field.as_deref() {
            // A display name against its rule: say the rule.
            Some("display_name") => {
                let max = p
                    .limit
                    .unwrap_or(postern_shared::limits::MAX_DISPLAY_NAME_CHARS as u64);
                return t_string!(i18n, display_name_invalid, max = max).to_string();
            }
            _ => t_string!(i18n, err_bad_request),
        },
        GatewayUnavailable => t_string!(i18n, err_network),
        InvalidCredentials => t_string!(i18n, err_invalid_credentials),
        TooManyAttempts => t_string!(i18n, err_too_many_attempts),
        Unauthenticated | SessionExpired => t_string!(i18n, err_session_expired),
        Forbidden => t_string!(i18n, err_forbidden),
        NotFound => t_string!(i18n, err_not_found),
        FolderNotFound => t_string!(i18n, err_folder_not_found),
        MessageNotFound => t_string!(i18n, err_message_not_found),
        FolderExists => t_string!(i18n, err_folder_exists),
        FolderProtected => t_string!(i18n, err_folder_protected),
        InvalidFolderName => t_string!(i18n, err_invalid_folder_name),
        CsrfFailed => t_string!(i18n, err_csrf_failed),
        MailServerUnavailable => t_string!(i18n, err_mail_server_unavailable),
        RecipientLimit => t_string!(i18n, err_recipient_limit),
        QuotaExceeded => {
            let base = t_string!(i18n, err_quota_exceeded).to_string();
            let free_at = p
                .free_at
                .or_else(|| e.retry_after.map(|s| now() + s as i64));
            return match free_at {
                Some(at) => {
                    let time = format_time(at, i18n.get_locale().as_str());
                    format!("{base} {}", t_string!(i18n, quota_until, time = time))
                }
                None => base,
            };
        }
        SenderMismatch => t_string!(i18n, err_sender_mismatch),
        MailboxFull => t_string!(i18n, err_mailbox_full),
        InvalidRecipient => t_string!(i18n, err_invalid_recipient),
        MessageTooLarge => t_string!(i18n, err_message_too_large),
        SendRejected => {
            let base = t_string!(i18n, err_send_rejected).to_string();
            return match p.server_reply.as_deref().filter(|r| !r.trim().is_empty()) {
                Some(reply) => format!("{base} ({reply})"),
                None => base,
            };
        }
        AttachmentTooLarge => t_string!(i18n, err_attachment_too_large),
        PayloadTooLarge => t_string!(i18n, err_payload_too_large),
        TooLateToUndo => t_string!(i18n, err_too_late_to_undo),
        Expired => t_string!(i18n, err_expired),
        UploadOffset | UploadIncomplete => t_string!(i18n, err_upload_interrupted),
        MethodNotAllowed | Internal => t_string!(i18n, err_generic),
        SecondFactorRequired => t_string!(i18n, err_second_factor_required),
        InvalidSecondFactor => t_string!(i18n, err_invalid_second_factor),
        SecondFactorExpired => t_string!(i18n, err_second_factor_expired),
        // Met only on the portal's pages: worded there (see `portal_text`).
        InvalidAddress
        | AddressTaken
        | InviteImpossible
        | InvitationRevoked
        | InvitationUsed
        | LoginTaken
        | ImportInvalid
        | ImportTooLarge
        | CsvEmpty
        | CsvMalformed
        | CsvColumns
        | DuplicateInFile
        | UnknownDomain
        | UnknownMember
        | InvalidPermission
        | InvalidKind
        | RedirectWithoutTargets
        | DeviceNotFound
        | InvalidDeviceName
        | InvalidExpiry
        | InvalidDeviceProtocols
        | SetupInviteeInvalid
        | DeviceSetupNotFound
        | DeviceSetupUsed
        | DeviceSetupExpired
        | DeviceSetupRevoked
        | DeviceSetupWrongAccount
        | WrongPassword
        | TwoFactorEnabled
        | TwoFactorNotEnabled
        | TwoFactorUnavailable
        | InvalidSender
        | SenderListFull
        | FiltersUnavailable
        | InvalidOrganizationDetails
        | DpaDetailsMissing
        | DpaUnavailable
        | SupportAccessExpired
        | SupportAccessTaken
        | TemplateNotFound
        | TemplateNotApplicable
        | InvalidFilterValue => return portal_text(i18n, e),
    };
    text.to_string()
}

/// A dismissible error message (`role="alert"`), shown while `error` is set.
#[component]
pub fn ErrorAlert(error: RwSignal<Option<String>>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        error.get().map(|msg| {
            view! {
                <div class="alert error" role="alert" data-testid="error">
                    <span>{msg}</span>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label=move || t_string!(i18n, dismiss)
                        on:click=move |_| error.set(None)
                    >
                        "×"
                    </button>
                </div>
            }
        })
    }
}
