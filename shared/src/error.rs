//! The one API error type. Every failing response of the edge and of the
//! gateway is `{"code": "...", "message": "..."}` with a code from
//! [`ErrorCode`]; clients branch on the code, people read the message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable machine-readable error codes. Never rename a variant: the
/// serialised snake_case name is part of the public API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed (bad JSON, missing or invalid parameter).
    BadRequest,
    /// No valid session: sign in first.
    Unauthenticated,
    /// The session existed but has expired or was signed out.
    SessionExpired,
    /// Login or password wrong (deliberately does not say which).
    InvalidCredentials,
    /// Too many failed sign-ins; `retry_after` says when to try again.
    TooManyAttempts,
    /// A state-changing request without a valid CSRF token or from a foreign origin.
    CsrfFailed,
    /// Signed in, but not allowed to touch this object.
    Forbidden,
    /// The object does not exist (or is not visible to the caller).
    NotFound,
    FolderNotFound,
    MessageNotFound,
    /// A folder name is empty, too long, or contains the hierarchy separator.
    InvalidFolderName,
    FolderExists,
    /// Special folders (Inbox, Sent, Trash, …) cannot be renamed or deleted.
    FolderProtected,
    /// A mailbox address breaks R-ADDR-1.
    InvalidAddress,
    MethodNotAllowed,
    PayloadTooLarge,
    /// R-SEND-1: more than 100 recipients.
    RecipientLimit,
    /// R-SEND-2: the rolling 24-hour quota would be exceeded.
    QuotaExceeded,
    /// R-SEND-3: From / envelope sender is not the mailbox or an alias.
    SenderMismatch,
    /// R-LIM-1: the encoded message is larger than 201 MiB.
    MessageTooLarge,
    /// R-LIM-2..4: attachment too large for this route.
    AttachmentTooLarge,
    /// A transfer (or other time-limited link) has expired.
    Expired,
    /// An upload's bytes do not continue where the stored ones end (the
    /// answer's message says where; `GET` the upload to resume).
    UploadOffset,
    /// An upload was used before all its bytes arrived.
    UploadIncomplete,
    /// Undo-send came after the message was handed to the SMTP server.
    TooLateToUndo,
    /// The SMTP server refused the message for a reason of its own (its
    /// reply is in the message); the draft is kept.
    SendRejected,
    /// A recipient address is not a valid email address.
    InvalidRecipient,
    /// The edge cannot reach the gateway.
    GatewayUnavailable,
    /// The gateway cannot reach the mail server.
    MailServerUnavailable,
    /// A bug or an unexpected failure; the message never leaks internals.
    Internal,
}

impl ErrorCode {
    /// The HTTP status that carries this code.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidFolderName | InvalidAddress | RecipientLimit | SenderMismatch
            | InvalidRecipient => 400,
            Unauthenticated | SessionExpired | InvalidCredentials => 401,
            CsrfFailed | Forbidden => 403,
            NotFound | FolderNotFound | MessageNotFound => 404,
            MethodNotAllowed => 405,
            FolderExists | FolderProtected => 409,
            Expired => 410,
            UploadOffset | UploadIncomplete | TooLateToUndo => 409,
            SendRejected => 502,
            PayloadTooLarge | MessageTooLarge | AttachmentTooLarge => 413,
            TooManyAttempts | QuotaExceeded => 429,
            Internal => 500,
            GatewayUnavailable | MailServerUnavailable => 503,
        }
    }

    /// The snake_case wire name, e.g. `"gateway_unavailable"`.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "bad_request",
            Unauthenticated => "unauthenticated",
            SessionExpired => "session_expired",
            InvalidCredentials => "invalid_credentials",
            TooManyAttempts => "too_many_attempts",
            CsrfFailed => "csrf_failed",
            Forbidden => "forbidden",
            NotFound => "not_found",
            FolderNotFound => "folder_not_found",
            MessageNotFound => "message_not_found",
            InvalidFolderName => "invalid_folder_name",
            FolderExists => "folder_exists",
            FolderProtected => "folder_protected",
            InvalidAddress => "invalid_address",
            MethodNotAllowed => "method_not_allowed",
            PayloadTooLarge => "payload_too_large",
            RecipientLimit => "recipient_limit",
            QuotaExceeded => "quota_exceeded",
            SenderMismatch => "sender_mismatch",
            MessageTooLarge => "message_too_large",
            AttachmentTooLarge => "attachment_too_large",
            Expired => "expired",
            UploadOffset => "upload_offset",
            UploadIncomplete => "upload_incomplete",
            TooLateToUndo => "too_late_to_undo",
            SendRejected => "send_rejected",
            InvalidRecipient => "invalid_recipient",
            GatewayUnavailable => "gateway_unavailable",
            MailServerUnavailable => "mail_server_unavailable",
            Internal => "internal",
        }
    }

    /// A default human message, used when the producer has nothing more specific.
    pub fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            BadRequest => "The request is not valid.",
            Unauthenticated => "Please sign in.",
            SessionExpired => "Your session has expired. Please sign in again.",
            InvalidCredentials => "Wrong login or password.",
            TooManyAttempts => "Too many failed attempts. Please wait before trying again.",
            CsrfFailed => {
                "This request was refused for your protection. Reload the page and try again."
            }
            Forbidden => "You do not have permission to do this.",
            NotFound => "Not found.",
            FolderNotFound => "This folder does not exist.",
            MessageNotFound => "This message does not exist any more.",
            InvalidFolderName => "This folder name is not allowed.",
            FolderExists => "A folder with this name already exists.",
            FolderProtected => "Special folders cannot be renamed or deleted.",
            InvalidAddress => "This address is not valid.",
            MethodNotAllowed => "This method is not allowed here.",
            PayloadTooLarge => "The request is too large.",
            RecipientLimit => {
                "A message can have at most 100 recipients (To, Cc and Bcc together)."
            }
            QuotaExceeded => "The sending limit for the last 24 hours has been reached.",
            SenderMismatch => {
                "The sender address must be the mailbox address or one of its aliases."
            }
            MessageTooLarge => "The message is larger than the 201 MiB limit.",
            AttachmentTooLarge => "This file is too large to attach.",
            Expired => "This link has expired.",
            UploadOffset => "The upload does not continue where it stopped; resume it.",
            UploadIncomplete => "This file has not finished uploading.",
            TooLateToUndo => "Too late to undo: the message has already been sent.",
            SendRejected => "The mail server refused the message. The draft is kept.",
            InvalidRecipient => "A recipient address is not valid.",
            GatewayUnavailable => "The service is temporarily unavailable. Retrying…",
            MailServerUnavailable => "The mail server is temporarily unavailable.",
            Internal => "Something went wrong on our side.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds until the request may succeed (throttling, quotas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        Self::new(code, code.default_message())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_serialises_with_stable_snake_case_code() {
        let e = ApiError::from(ErrorCode::GatewayUnavailable);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "gateway_unavailable");
        assert!(json.get("retry_after").is_none());
        assert_eq!(e.http_status(), 503);
    }

    #[test]
    fn as_str_matches_serde_name_for_every_code() {
        use ErrorCode::*;
        for code in [
            BadRequest,
            Unauthenticated,
            SessionExpired,
            InvalidCredentials,
            TooManyAttempts,
            CsrfFailed,
            Forbidden,
            NotFound,
            FolderNotFound,
            MessageNotFound,
            InvalidFolderName,
            FolderExists,
            FolderProtected,
            InvalidAddress,
            MethodNotAllowed,
            PayloadTooLarge,
            RecipientLimit,
            QuotaExceeded,
            SenderMismatch,
            MessageTooLarge,
            AttachmentTooLarge,
            Expired,
            UploadOffset,
            UploadIncomplete,
            TooLateToUndo,
            SendRejected,
            InvalidRecipient,
            GatewayUnavailable,
            MailServerUnavailable,
            Internal,
        ] {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            let back: ErrorCode = serde_json::from_value(wire).unwrap();
            assert_eq!(back, code);
        }
    }
}
