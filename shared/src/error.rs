//! The one API error type. Every failing response of the edge and of the
//! gateway is `{"code": "...", "message": "..."}` with a code from
//! [`ErrorCode`]; clients branch on the code, people read the message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares every error code once: its wire name, HTTP status and default
/// English message. The enum, [`ErrorCode::ALL`] and the lookups follow.
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal, $status:literal, $message:literal;)+) => {
        /// Stable machine-readable error codes. Never rename a wire name: it
        /// is part of the public API.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The HTTP status that carries this code.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// The snake_case wire name, e.g. `"gateway_unavailable"`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $wire,)+ }
            }

            /// A default English message, used when the producer has
            /// nothing more specific.
            pub fn default_message(self) -> &'static str {
                match self { $(ErrorCode::$variant => $message,)+ }
            }

            /// The code of a wire name.
            pub fn parse(wire: &str) -> Option<ErrorCode> {
                match wire { $($wire => Some(ErrorCode::$variant),)+ _ => None }
            }
        }
    };
}

error_codes! {
    /// The request is malformed (bad JSON, missing or invalid parameter).
    BadRequest = "bad_request", 400, "The request is not valid.";
    /// No valid session: sign in first.
    Unauthenticated = "unauthenticated", 401, "Please sign in.";
    /// The session existed but has expired or was signed out.
    SessionExpired = "session_expired", 401, "Your session has expired. Please sign in again.";
    /// Login or password wrong (deliberately does not say which).
    InvalidCredentials = "invalid_credentials", 401, "Wrong login or password.";
    /// Too many failed sign-ins; `retry_after` says when to try again.
    TooManyAttempts = "too_many_attempts", 429, "Too many failed attempts. Please wait before trying again.";
    /// The password was right and the account has two-factor sign-in:
    /// send a code with `params.pending` (a short-lived, single-use token)
    /// to `POST /api/session/second-factor`.
    SecondFactorRequired = "second_factor_required", 401, "Enter the code from your authenticator app.";
    /// A TOTP code that is wrong, outside the ±30 s window or already
    /// used, or a recovery code that is unknown or used.
    InvalidSecondFactor = "invalid_second_factor", 401, "This code is not valid. Enter the current code from your app, or an unused recovery code.";
    /// The pending sign-in of the second step is unknown, used or older
    /// than five minutes: start again with the password.
    SecondFactorExpired = "second_factor_expired", 401, "This sign-in took too long. Enter your password again.";
    /// The account's own password, asked again for a security change, is wrong.
    WrongPassword = "wrong_password", 403, "The password is not right.";
    /// Enrolment started while two-factor sign-in is already on.
    TwoFactorEnabled = "two_factor_enabled", 409, "Two-factor sign-in is already on.";
    /// A code to confirm, turn off or regenerate with, while two-factor
    /// sign-in is off (or no enrolment was started).
    TwoFactorNotEnabled = "two_factor_not_enabled", 409, "Two-factor sign-in is not on.";
    /// The gateway has no key to keep TOTP secrets with (`POSTERN_TOTP_KEY`).
    TwoFactorUnavailable = "two_factor_unavailable", 503, "Two-factor sign-in is not available on this server.";
    /// A state-changing request without a valid CSRF token or from a foreign origin.
    CsrfFailed = "csrf_failed", 403, "This request was refused for your protection. Reload the page and try again.";
    /// Signed in, but not allowed to touch this object.
    Forbidden = "forbidden", 403, "You do not have permission to do this.";
    /// The object does not exist (or is not visible to the caller).
    NotFound = "not_found", 404, "Not found.";
    FolderNotFound = "folder_not_found", 404, "This folder does not exist.";
    MessageNotFound = "message_not_found", 404, "This message does not exist any more.";
    /// A folder name is empty, too long, or contains the hierarchy separator.
    InvalidFolderName = "invalid_folder_name", 400, "This folder name is not allowed.";
    FolderExists = "folder_exists", 409, "A folder with this name already exists.";
    /// Special folders (Inbox, Sent, Trash, …) cannot be renamed or deleted.
    FolderProtected = "folder_protected", 409, "Special folders cannot be renamed or deleted.";
    /// A mailbox address breaks R-ADDR-1.
    InvalidAddress = "invalid_address", 400, "This address is not valid.";
    /// The address is already a mailbox, alias or redirect somewhere.
    AddressTaken = "address_taken", 409, "This address already exists.";
    /// R-INV-4: this mailbox cannot be shared by invitation; `reason`
    /// says why (an `InviteBlock` name).
    InviteImpossible = "invite_impossible", 409, "This mailbox cannot be shared by invitation.";
    /// The invitation link was revoked by the organisation.
    InvitationRevoked = "invitation_revoked", 410, "This invitation was withdrawn.";
    /// The invitation link was already used (single use).
    InvitationUsed = "invitation_used", 410, "This invitation has already been accepted.";
    /// Sign-up: an account with this login exists (sign in instead).
    LoginTaken = "login_taken", 409, "An account with this login already exists. Sign in instead.";
    /// R-DEV: no such device password in this mailbox (or revoked).
    DeviceNotFound = "device_not_found", 404, "This device password does not exist any more.";
    /// A device name empty, longer than 100 characters or with a control
    /// character (`params.limit`: the most characters).
    InvalidDeviceName = "invalid_device_name", 400, "A device needs a name of at most 100 characters.";
    /// A device password's expiry that is not in the future (or more than
    /// ten years ahead).
    InvalidExpiry = "invalid_expiry", 400, "The expiry date must be in the future.";
    /// A device password's protocol scope with no protocol in it.
    InvalidDeviceProtocols = "invalid_device_protocols", 400, "Choose at least one protocol (IMAP, POP3 or SMTP) for this device password.";
    /// R-DEV-4: the invitee is not a user of the mailbox who is a member
    /// of its organisation.
    SetupInviteeInvalid = "setup_invitee_invalid", 400, "Only a user of this mailbox who is a member of its organisation can be sent a device-setup link.";
    /// R-DEV-4: no such device-setup link (unknown, malformed, or its
    /// mailbox deleted); also a pending invitation id unknown on `{mb}`.
    DeviceSetupNotFound = "device_setup_not_found", 404, "This device-setup link does not exist.";
    /// R-DEV-4: the link already made its device password (single use).
    DeviceSetupUsed = "device_setup_used", 410, "This device-setup link has already been used.";
    /// R-DEV-4: the link is older than 30 days.
    DeviceSetupExpired = "device_setup_expired", 410, "This device-setup link has expired.";
    /// R-DEV-4: the link was withdrawn (or its user no longer has the
    /// mailbox).
    DeviceSetupRevoked = "device_setup_revoked", 410, "This device-setup link was withdrawn.";
    /// R-DEV-4: signed in as someone else than the link's user
    /// (`params.value`: whose link it is).
    DeviceSetupWrongAccount = "device_setup_wrong_account", 403, "This device-setup link is for another account.";
    /// R-SUP-2: the support grant was revoked or is over (7 days); the
    /// staff member's next request after that is refused.
    SupportAccessExpired = "support_access_expired", 403, "Support access to this mailbox has ended: it was switched off or it expired.";
    SupportAccessTaken = "support_access_taken", 403, "Another member of support is handling this request.";
    MethodNotAllowed = "method_not_allowed", 405, "This method is not allowed here.";
    PayloadTooLarge = "payload_too_large", 413, "The request is too large.";
    /// R-SEND-1: more than 100 recipients.
    RecipientLimit = "recipient_limit", 400, "A message can have at most 100 recipients (To, Cc and Bcc together).";
    /// R-LIM-5: the mailbox is at its storage quota; Dovecot refused to
    /// store (a draft, a sent copy, a moved message).
    MailboxFull = "mailbox_full", 507, "The mailbox is full: delete or archive some mail first.";
    /// R-SEND-2: the rolling 24-hour quota would be exceeded.
    QuotaExceeded = "quota_exceeded", 429, "The sending limit for the last 24 hours has been reached.";
    /// R-SEND-3: From / envelope sender is not the mailbox or an alias.
    SenderMismatch = "sender_mismatch", 400, "The sender address must be the mailbox address or one of its aliases.";
    /// R-LIM-1: the encoded message is larger than 201 MiB.
    MessageTooLarge = "message_too_large", 413, "The message is larger than the 201 MiB limit.";
    /// R-LIM-2..4: attachment too large for this route.
    AttachmentTooLarge = "attachment_too_large", 413, "This file is too large to attach.";
    /// A transfer (or other time-limited link) has expired.
    Expired = "expired", 410, "This link has expired.";
    /// An upload's bytes do not continue where the stored ones end (the
    /// answer's message says where; `GET` the upload to resume).
    UploadOffset = "upload_offset", 409, "The upload does not continue where it stopped; resume it.";
    /// An upload was used before all its bytes arrived.
    UploadIncomplete = "upload_incomplete", 409, "This file has not finished uploading.";
    /// Undo-send came after the message was handed to the SMTP server.
    TooLateToUndo = "too_late_to_undo", 409, "Too late to undo: the message has already been sent.";
    /// The SMTP server refused the message for a reason of its own (its
    /// reply is in the message); the draft is kept.
    SendRejected = "send_rejected", 502, "The mail server refused the message. The draft is kept.";
    /// A recipient address is not a valid email address.
    InvalidRecipient = "invalid_recipient", 400, "A recipient address is not valid.";
    /// R-ADDR-4: a CSV file with errors; `params.issues` lists them, row by
    /// row, and nothing was created.
    ImportInvalid = "import_invalid", 400, "The CSV file has errors; nothing was created.";
    /// R-ADDR-4: more rows (`params.field` = `rows`) or bytes (`bytes`)
    /// than a CSV file may have; `params.limit` says how many.
    ImportTooLarge = "import_too_large", 413, "A CSV file may have at most 5,000 rows and 2 MiB.";
    /// A CSV file without a header row, or with a header but no rows.
    CsvEmpty = "csv_empty", 400, "The file has no addresses: a header row, then one address per line.";
    /// A line of a CSV file that cannot be read: a quote never closed,
    /// another number of fields than the header, a control character
    /// (`params.character`) or a field longer than `params.limit` bytes.
    CsvMalformed = "csv_malformed", 400, "This line of the CSV file cannot be read.";
    /// The header row names unknown columns (`params.value`), a column
    /// twice, or lacks `address`.
    CsvColumns = "csv_columns", 400, "The header row must name the columns address, display_name, kind, users, redirect_to (any order; only address is required).";
    /// The same address twice in one file; `params.line` is the other line.
    DuplicateInFile = "duplicate_in_file", 409, "This address is in the file twice.";
    /// A domain that is not one of the organisation's (`params.value`).
    UnknownDomain = "unknown_domain", 400, "This domain is not one of the organisation's.";
    /// A login that is not a member of the organisation (`params.value`).
    UnknownMember = "unknown_member", 400, "There is no member of the organisation with this login; invite them instead.";
    /// A permission name that does not exist (`params.value`).
    InvalidPermission = "invalid_permission", 400, "Unknown permission; use read, send, manage_filters, manage_devices, view_logs or restore.";
    /// An address kind that does not exist (`params.value`).
    InvalidKind = "invalid_kind", 400, "Unknown kind; use mailbox, no_reply or redirect.";
    /// A redirect needs at least one address to forward to.
    RedirectWithoutTargets = "redirect_without_targets", 400, "A redirect needs at least one address to forward to.";
    /// R-SPAM-4: a blocked/approved sender that is not `local@domain` or
    /// `@domain` (`params.value`: the entry as typed, `params.reason`: a
    /// `SenderError` name, `params.character` when it is one character).
    InvalidSender = "invalid_sender", 400, "A sender must be an address (name@example.com) or a whole domain (@example.com).";
    /// R-SPAM-4: a list would hold more than `params.limit` entries.
    SenderListFull = "sender_list_full", 400, "This list is full: remove entries before adding more.";
    /// R-SPAM: the generated Sieve script could not be written or compiled;
    /// nothing changed, the previous script stays in force.
    FiltersUnavailable = "filters_unavailable", 503, "The mail filters cannot be changed right now; nothing was changed. Try again later.";
    /// R-TPL: no such template in the organisation.
    TemplateNotFound = "template_not_found", 404, "This template does not exist any more.";
    /// R-TPL: only a visible auto-reply template is applied to mailboxes
    /// (`params.reason`: `hidden` or `kind`).
    TemplateNotApplicable = "template_not_applicable", 409, "Only a visible auto-reply template can be applied to mailboxes.";
    /// An auto-reply or sorting-rule value that may not be written into a
    /// mail filter: `params.field` names it (`subject`,
    /// `rules[0].conditions[1].value`, …), `params.reason` says why (a
    /// `FilterReason` name), with `params.character` or `params.limit`.
    InvalidFilterValue = "invalid_filter_value", 400, "This value cannot be used in a mail filter.";
    /// An organisation detail breaks its rule: `params.field` names it
    /// (a `DetailsField`), `params.reason` says how (a `DetailsProblem`:
    /// `required`, `too_long` with `params.limit`, `control_character`,
    /// `invalid_email`).
    InvalidOrganizationDetails = "invalid_organization_details", 400, "This organisation detail is not valid.";
    /// R-GDPR-1: the DPA needs the organisation's legal name, postal
    /// address, country and representative; `params.field` is the first
    /// one missing.
    DpaDetailsMissing = "dpa_details_missing", 409, "Complete the organisation's legal details before downloading the Data Processing Agreement.";
    /// The host has not configured the DPA (its processor details or its
    /// fonts are missing): an operator's matter.
    DpaUnavailable = "dpa_unavailable", 503, "The Data Processing Agreement cannot be made at the moment.";
    /// The edge cannot reach the gateway.
    GatewayUnavailable = "gateway_unavailable", 503, "The service is temporarily unavailable. Retrying…";
    /// The gateway cannot reach the mail server.
    MailServerUnavailable = "mail_server_unavailable", 503, "The mail server is temporarily unavailable.";
    /// A bug or an unexpected failure; the message never leaks internals.
    Internal = "internal", 500, "Something went wrong on our side.";
}

/// On the wire a code is one of the snake_case names of [`ErrorCode::ALL`].
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
        ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::String))
            .enum_values(Some(ErrorCode::ALL.iter().map(|c| c.as_str())))
            .description(Some("Stable machine-readable error code."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ErrorCode {}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ErrorCode::parse(&wire)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown error code `{wire}`")))
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The JSON body of every error response.
///
/// `message` is English, for logs and API users. The app words an error
/// itself from `code` and `params`, in the user's language: a server never
/// formats a time or a size for a person it cannot see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds until the request may succeed (throttling, quotas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Boxed: errors travel in `Result`s everywhere, and most carry none.
    #[serde(default, skip_serializing_if = "ErrorParams::is_empty")]
    pub params: Box<ErrorParams>,
}

/// What a client needs to word an error precisely. Every field is
/// optional; which ones a code carries is said at the field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorParams {
    /// `quota_exceeded`: when sending frees up (Unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_at: Option<i64>,
    /// `quota_exceeded`: the daily limit; `recipient_limit`: the most
    /// recipients; size errors: the most bytes; a text too long (with
    /// `field`): the most characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// `invalid_address`: the refused character (R-ADDR-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    /// The request field at fault, so a form shows the error beside it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `upload_offset`: the bytes the server holds (resume from there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received: Option<u64>,
    /// `invite_impossible`: why, as an `InviteBlock` name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `send_rejected`: the mail server's own reply, shown verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_reply: Option<String>,
    /// A line of a file, as its author counts them (the header is line 1):
    /// `duplicate_in_file` names the other line of the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The value at fault, shown as typed: an unknown login, permission,
    /// kind, domain or column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// `second_factor_required`: the pending sign-in's token, sent back
    /// with the code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// `import_invalid`: every error of the file, in line order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub issues: Vec<ImportIssue>,
}

/// One error of a CSV file (R-ADDR-4): where it is and what, typed like
/// any error (`code` and its parameters, flat here) so the app words it in
/// the reader's language with the same texts ([`ImportIssue::error`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportIssue {
    /// The line as the author counts them: the header is line 1; a quoted
    /// field with line breaks makes a row span several lines (its first).
    pub line: u32,
    /// The column (`address`, `users`, …); `None` for the whole line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub code: ErrorCode,
    /// English, for logs and API users (the app words it from the code).
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub character: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// `duplicate_in_file`: the other line of the same address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_line: Option<u32>,
}

impl ImportIssue {
    /// An issue of `line`/`column` made of a typed error.
    pub fn of(line: u32, column: Option<&str>, e: ApiError) -> ImportIssue {
        let p = *e.params;
        ImportIssue {
            line,
            column: column.map(str::to_string),
            code: e.code,
            message: e.message,
            character: p.character,
            value: p.value,
            limit: p.limit,
            other_line: p.line,
        }
    }

    /// The issue as an error, to word it like any other.
    pub fn error(&self) -> ApiError {
        ApiError::new(self.code, self.message.clone()).with(|p| {
            p.character = self.character.clone();
            p.value = self.value.clone();
            p.limit = self.limit;
            p.line = self.other_line;
            p.field = self.column.clone();
        })
    }
}

impl ErrorParams {
    pub fn is_empty(&self) -> bool {
        *self == ErrorParams::default()
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            params: Box::default(),
        }
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// Adds parameters: `err.with(|p| p.free_at = Some(t))`.
    pub fn with(mut self, set: impl FnOnce(&mut ErrorParams)) -> Self {
        set(&mut self.params);
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
        for &code in ErrorCode::ALL {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, code.as_str());
            let back: ErrorCode = serde_json::from_value(wire).unwrap();
            assert_eq!(back, code);
        }
    }
}
