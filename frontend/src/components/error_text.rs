//! Turns an `ApiError` into the text shown to people: the server's own
//! message when it sent one, else a localized text for the code.

use crate::i18n::*;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use postern_shared::{ApiError, ErrorCode};

pub fn error_text(i18n: I18nContext<Locale>, e: &ApiError) -> String {
    if !e.message.trim().is_empty() {
        return e.message.clone();
    }
    use ErrorCode::*;
    match e.code {
        GatewayUnavailable => t_string!(i18n, err_network),
        InvalidCredentials => t_string!(i18n, err_invalid_credentials),
        TooManyAttempts => t_string!(i18n, err_too_many_attempts),
        Unauthenticated | SessionExpired => t_string!(i18n, err_session_expired),
        Forbidden => t_string!(i18n, err_forbidden),
        NotFound | FolderNotFound | MessageNotFound => t_string!(i18n, err_not_found),
        FolderExists => t_string!(i18n, err_folder_exists),
        FolderProtected => t_string!(i18n, err_folder_protected),
        InvalidFolderName => t_string!(i18n, err_invalid_folder_name),
        CsrfFailed => t_string!(i18n, err_csrf_failed),
        MailServerUnavailable => t_string!(i18n, err_mail_server_unavailable),
        RecipientLimit => t_string!(i18n, err_recipient_limit),
        QuotaExceeded => t_string!(i18n, err_quota_exceeded),
        SenderMismatch => t_string!(i18n, err_sender_mismatch),
        InvalidRecipient | InvalidAddress => t_string!(i18n, err_invalid_recipient),
        MessageTooLarge => t_string!(i18n, err_message_too_large),
        SendRejected => t_string!(i18n, err_send_rejected),
        AttachmentTooLarge | PayloadTooLarge => t_string!(i18n, err_attachment_too_large),
        TooLateToUndo => t_string!(i18n, err_too_late_to_undo),
        _ => t_string!(i18n, err_generic),
    }
    .to_string()
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
