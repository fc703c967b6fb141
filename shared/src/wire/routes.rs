//! Every HTTP route of Postern, written once.
//!
//! A [`Route`] is one call with its path parameters. Its [`Endpoint`] says
//! how the browser reaches it (`/api/…`, or a public page such as `/t/…`)
//! and which gateway route (`/v1/…`) the edge turns it into. The browser's
//! client builds paths with [`Route::path`], the edge parses them with
//! [`parse`] and forwards with [`Route::gateway_path`], the gateway mounts
//! the very template strings of [`Endpoint::v1`], the tests call
//! [`Route::path`] like the browser, and ARCHITECTURE.md's route table and
//! the OpenAPI document are checked against [`ENDPOINTS`].
//!
//! Path parameters are typed by name, in one place ([`Args`]): `{mb}` a
//! mailbox id, `{uid}` an IMAP UID, `{section}` an IMAP body section,
//! `{id}`/`{token}`/`{file}` opaque ids of the gateway ([`is_safe_id`]).

use crate::admin::DomainId;
use crate::api::{AccountId, MailboxId, OrganizationId};
use crate::devices::{DeviceId, DeviceSetupId};
use crate::invitations::InvitationId;
use crate::templates::TemplateId;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.to_ascii_uppercase().as_str() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No session needed (health, sign-in, public transfer pages).
    Public,
    /// A signed-in session (and a CSRF token for state-changing methods).
    Session,
    /// A session whose account holds a grant on `{mb}`; the gateway checks
    /// the permission the route needs.
    Mailbox,
    /// A session whose account's role in `{org}` allows the route's
    /// [`crate::permissions::Action`]; the gateway checks, and that every
    /// other id in the path belongs to `{org}`.
    Organization,
    /// A session whose account is support staff (R-SUP: the staff role in
    /// the staff organisation); with `{id}`, a support grant in force that
    /// covers what is read. The gateway checks and records every read.
    Staff,
}

/// One route of the contract.
#[derive(Debug)]
pub struct Endpoint {
    /// Stable name: the OpenAPI `operationId`.
    pub name: &'static str,
    pub method: Method,
    /// Path template the browser calls, with `{param}` segments.
    pub path: &'static str,
    /// The gateway route the edge calls for it; `None` when the edge
    /// answers by itself (a stylesheet).
    pub gateway: Option<(Method, &'static str)>,
    pub access: Access,
    /// One line for people: the OpenAPI summary and the route table.
    pub summary: &'static str,
    build: fn(&Args) -> Option<Route>,
}

impl Endpoint {
    /// The gateway's path template (what axum mounts).
    pub fn v1(&self) -> &'static str {
        self.gateway.map(|(_, p)| p).unwrap_or("")
    }

    /// `true` for JSON routes under `/api/`; `false` for public pages.
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

/// Typed path parameters, by name (see the module comment).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    pub mb: Option<MailboxId>,
    pub org: Option<OrganizationId>,
    /// An address (mailbox row) of `{org}`: no grant implied.
    pub addr: Option<MailboxId>,
    pub domain: Option<DomainId>,
    pub account: Option<AccountId>,
    pub invitation: Option<InvitationId>,
    /// An auto-reply or sorting-rule template of `{org}`.
    pub template: Option<TemplateId>,
    /// A device password of `{mb}`.
    pub device: Option<DeviceId>,
    pub uid: Option<u32>,
    pub section: Option<String>,
    pub id: Option<String>,
    pub token: Option<String>,
    pub file: Option<String>,
}

impl Args {
    fn set(&mut self, name: &str, raw: &str) -> Option<()> {
        match name {
            "mb" => self.mb = Some(parse_id(raw)?),
            "org" => self.org = Some(parse_id(raw)?),
            "addr" => self.addr = Some(parse_id(raw)?),
            "domain" => self.domain = Some(parse_id(raw)?),
            "account" => self.account = Some(parse_id(raw)?),
            "invitation" => self.invitation = Some(parse_id(raw)?),
            "template" => self.template = Some(parse_id(raw)?),
            "device" => self.device = Some(parse_id(raw)?),
            "uid" => self.uid = Some(parse_uid(raw)?),
            "section" if is_valid_section(raw) => self.section = Some(raw.into()),
            "id" if is_safe_id(raw) => self.id = Some(raw.into()),
            "token" if is_safe_id(raw) => self.token = Some(raw.into()),
            "file" if is_safe_id(raw) => self.file = Some(raw.into()),
            _ => return None,
        }
        Some(())
    }

    fn get(&self, name: &str) -> Option<String> {
        match name {
            "mb" => self.mb.map(|v| v.to_string()),
            "org" => self.org.map(|v| v.to_string()),
            "addr" => self.addr.map(|v| v.to_string()),
            "domain" => self.domain.map(|v| v.to_string()),
            "account" => self.account.map(|v| v.to_string()),
            "invitation" => self.invitation.map(|v| v.to_string()),
            "template" => self.template.map(|v| v.to_string()),
            "device" => self.device.map(|v| v.to_string()),
            "uid" => self.uid.map(|v| v.to_string()),
            "section" => self.section.clone(),
            "id" => self.id.clone(),
            "token" => self.token.clone(),
            "file" => self.file.clone(),
            _ => None,
        }
    }
}

/// One call: an endpoint with its path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    /// `GET /api/openapi.json`: this table as an OpenAPI 3.1 document.
    OpenApi,
    Login,
    GetSession,
    Logout,
    /// `POST /api/session/second-factor`: the code after the password.
    LoginSecondFactor,
    Me,
    /// `GET /api/account/security`: two-factor state (R-ID-1).
    AccountSecurity,
    StartTotp,
    ConfirmTotp,
    DisableTotp,
    RegenerateRecoveryCodes,
    /// `GET /api/account/sessions`: the account's open portal sessions.
    ListSessions,
    /// `PUT /api/account/locale`: the account's UI language (R-CLI-2).
    SetLocale,
    EndOtherSessions,
    /// `DELETE /api/account/sessions/{id}`: `id` is the list's handle.
    EndSession {
        id: String,
    },
    ListFolders {
        mb: MailboxId,
    },
    CreateFolder {
        mb: MailboxId,
    },
    RenameFolder {
        mb: MailboxId,
    },
    DeleteFolder {
        mb: MailboxId,
    },
    ListMessages {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/conversations`: a folder's threads.
    ListConversations {
        mb: MailboxId,
    },
    GetMessage {
        mb: MailboxId,
        uid: u32,
    },
    GetMessageHtml {
        mb: MailboxId,
        uid: u32,
    },
    GetPart {
        mb: MailboxId,
        uid: u32,
        section: String,
    },
    SetFlags {
        mb: MailboxId,
    },
    MoveMessages {
        mb: MailboxId,
    },
    DeleteMessages {
        mb: MailboxId,
    },
    /// `POST /api/mailboxes/{mb}/messages/report`: spam or not spam (R-SPAM-5).
    ReportMessages {
        mb: MailboxId,
    },
    SaveDraft {
        mb: MailboxId,
    },
    GetDraft {
        mb: MailboxId,
        uid: u32,
    },
    Send {
        mb: MailboxId,
    },
    GetOutgoing {
        mb: MailboxId,
        id: String,
    },
    CancelOutgoing {
        mb: MailboxId,
        id: String,
    },
    Contacts {
        mb: MailboxId,
    },
    GetSignature {
        mb: MailboxId,
    },
    PutSignature {
        mb: MailboxId,
    },
    Identities {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/storage`: used and allowed bytes (R-LIM-5).
    MailboxStorage {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/events`: live updates, Server-Sent Events.
    MailboxEvents {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/devices`: the Devices tab (R-DEV).
    ListDevices {
        mb: MailboxId,
    },
    CreateDevice {
        mb: MailboxId,
    },
    RegenerateDevice {
        mb: MailboxId,
        device: DeviceId,
    },
    DeleteDevice {
        mb: MailboxId,
        device: DeviceId,
    },
    DisconnectAllDevices {
        mb: MailboxId,
    },
    /// `GET …/devices/{device}/profile.mobileconfig` (R-DEV-7).
    DeviceProfile {
        mb: MailboxId,
        device: DeviceId,
    },
    /// `POST …/devices/setup-invitations` (R-DEV-4).
    CreateDeviceSetup {
        mb: MailboxId,
    },
    RevokeDeviceSetup {
        mb: MailboxId,
        invitation: DeviceSetupId,
    },
    /// `GET /api/mailboxes/{mb}/connect`: R-PROTO settings and the
    /// visitor's address.
    MailProgramSettings {
        mb: MailboxId,
    },
    /// `GET /api/device-setup/{token}`: signed in as the link's user.
    GetDeviceSetup {
        token: String,
    },
    /// `POST /api/device-setup/{token}`: makes the invitee's password.
    RedeemDeviceSetup {
        token: String,
    },
    /// `GET /api/mailboxes/{mb}/spam`: the Filters tab's spam filter (R-SPAM).
    GetSpam {
        mb: MailboxId,
    },
    PutSpam {
        mb: MailboxId,
    },
    AddSpamSenders {
        mb: MailboxId,
    },
    RemoveSpamSenders {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/support`: support grants in force and the
    /// history of support's reads (R-SUP).
    GetSupport {
        mb: MailboxId,
    },
    GrantSupport {
        mb: MailboxId,
    },
    RevokeSupport {
        mb: MailboxId,
        id: String,
    },
    /// Staff: the grants in force (R-SUP).
    StaffGrants,
    StaffFolders {
        id: String,
    },
    StaffMessages {
        id: String,
    },
    StaffMessage {
        id: String,
        uid: u32,
    },
    /// The sanitised HTML body of a message opened to support.
    StaffMessageHtml {
        id: String,
        uid: u32,
    },
    StaffPart {
        id: String,
        uid: u32,
        section: String,
    },
    /// `GET/PUT /api/mailboxes/{mb}/auto-reply` (Sieve vacation).
    GetAutoReply {
        mb: MailboxId,
    },
    PutAutoReply {
        mb: MailboxId,
    },
    /// `GET/PUT /api/mailboxes/{mb}/rules`: the sorting rules.
    GetRules {
        mb: MailboxId,
    },
    PutRules {
        mb: MailboxId,
    },
    /// `GET /api/mailboxes/{mb}/templates`: the service's visible templates.
    MailboxTemplates {
        mb: MailboxId,
    },
    ListAddresses {
        org: OrganizationId,
    },
    /// The service's global sender lists (R-SPAM-4).
    GetOrgSpam {
        org: OrganizationId,
    },
    AddOrgSpamSenders {
        org: OrganizationId,
    },
    RemoveOrgSpamSenders {
        org: OrganizationId,
    },
    /// The spam filter of many mailboxes at once (R-SPAM-3).
    BulkSpamFilter {
        org: OrganizationId,
    },
    /// The service's auto-reply and sorting-rule templates (R-TPL).
    ListTemplates {
        org: OrganizationId,
    },
    CreateTemplate {
        org: OrganizationId,
    },
    UpdateTemplate {
        org: OrganizationId,
        template: TemplateId,
    },
    DeleteTemplate {
        org: OrganizationId,
        template: TemplateId,
    },
    /// An auto-reply template made the auto-reply of many mailboxes.
    ApplyTemplate {
        org: OrganizationId,
        template: TemplateId,
    },
    CreateAddress {
        org: OrganizationId,
    },
    DeleteAddresses {
        org: OrganizationId,
    },
    /// Check a CSV file of addresses row by row; nothing is written.
    PreviewAddressImport {
        org: OrganizationId,
    },
    /// Create every address of a CSV file, all or none.
    ImportAddresses {
        org: OrganizationId,
    },
    /// Change an address's display name.
    UpdateAddress {
        org: OrganizationId,
        addr: MailboxId,
    },
    AddAlias {
        org: OrganizationId,
        addr: MailboxId,
    },
    SetCatchAll {
        org: OrganizationId,
        domain: DomainId,
    },
    SetAccess {
        org: OrganizationId,
        addr: MailboxId,
        account: AccountId,
    },
    RemoveAccess {
        org: OrganizationId,
        addr: MailboxId,
        account: AccountId,
    },
    MailboxUsers {
        org: OrganizationId,
        addr: MailboxId,
    },
    CreateInvitation {
        org: OrganizationId,
        addr: MailboxId,
    },
    RevokeInvitation {
        org: OrganizationId,
        addr: MailboxId,
        invitation: InvitationId,
    },
    /// The organisation's legal details (the DPA's controller).
    GetOrganizationDetails {
        org: OrganizationId,
    },
    PutOrganizationDetails {
        org: OrganizationId,
    },
    /// `GET …/dpa.pdf?lang=`: the personalised DPA (R-GDPR-1).
    DpaPdf {
        org: OrganizationId,
    },
    /// `GET /api/mailboxes/{mb}/logs?…`: the send and receive logs (R-LOG).
    MailboxLogs {
        mb: MailboxId,
    },
    /// `GET /api/orgs/{org}/logs?…`: the service's view of them.
    OrgLogs {
        org: OrganizationId,
    },
    /// `GET /api/invitations/{token}`: public, the link is the credential.
    GetInvitation {
        token: String,
    },
    /// `POST /api/invitations/{token}/account`: public, signs in.
    SignUp {
        token: String,
    },
    AcceptInvitation {
        token: String,
    },
    CreateUpload,
    GetUpload {
        id: String,
    },
    /// `PATCH /api/uploads/{id}?offset=N`: the body is streamed through.
    UploadData {
        id: String,
    },
    DeleteUpload {
        id: String,
    },
    CreateTransfer,
    /// `GET /t/{token}`: the public download page (HTML).
    TransferPage {
        token: String,
    },
    /// `GET /t/{token}/{file}`: a file of a transfer, streamed.
    TransferFile {
        token: String,
        file: String,
    },
    /// `GET /t/page.css`: the download page's stylesheet (the CSP forbids
    /// inline styles).
    TransferCss,
}

/// Builds, from one list, the route table ([`ENDPOINTS`]) and the little
/// the browser apps need of it ([`CALLS`]: name, method, path), so an app
/// that only calls routes links neither the summaries, the gateway paths
/// nor the parsers (about 4 KB brotli of the webmail). An entry:
/// `name, Method "/browser/path" => (Method "/v1/gateway/path") or (), Access, "summary", |args| route;`.
macro_rules! endpoints {
    ($($name:ident, $m:ident $path:literal => $gw:tt, $access:ident,
       $summary:literal, |$a:ident| $build:expr;)*) => {
        /// The route table, in the order ARCHITECTURE.md lists it. For one path,
        /// the methods are listed in the order `Allow` names them.
        pub static ENDPOINTS: &[Endpoint] = &[$(
            Endpoint {
                name: stringify!($name),
                method: Method::$m,
                path: $path,
                gateway: gateway!$gw,
                access: Access::$access,
                summary: $summary,
                build: |$a| Some($build),
            },
        )*];

        /// Each of [`ENDPOINTS`] by its position: what `Route::named`
        /// answers, so an app links no endpoint names.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy)]
        enum Id { $($name,)* }

        /// Method and browser path of each of [`ENDPOINTS`], in its order.
        static CALLS: &[(Method, &str)] = &[$((Method::$m, $path),)*];
    };
}

macro_rules! gateway {
    () => {
        None
    };
    ($gm:ident $gpath:literal) => {
        Some((Method::$gm, $gpath))
    };
}

endpoints! {
    health, Get "/api/health" => (Get "/v1/health"), Public,
        "Is the service up (edge and gateway)?", |_a| Route::Health;
    openapi, Get "/api/openapi.json" => (Get "/v1/openapi.json"), Public,
        "This API as an OpenAPI 3.1 document.", |_a| Route::OpenApi;
    get_session, Get "/api/session" => (Get "/v1/auth/session"), Session,
        "The current session, extended when it is close to expiring.", |_a| Route::GetSession;
    login, Post "/api/session" => (Post "/v1/auth/login"), Public,
        "Sign in with an account login and password; sets the session cookie.", |_a| Route::Login;
    logout, Delete "/api/session" => (Post "/v1/auth/logout"), Session,
        "Sign out: the session ends on the server and the cookie is cleared.", |_a| Route::Logout;
    login_second_factor, Post "/api/session/second-factor" => (Post "/v1/auth/login/second-factor"), Public,
        "The second step of a sign-in with two-factor sign-in: the pending token and a TOTP or recovery code; sets the session cookie.",
        |_a| Route::LoginSecondFactor;
    me, Get "/api/me" => (Get "/v1/me"), Session,
        "The account, its organisations and the mailboxes it may use.", |_a| Route::Me;
    account_security, Get "/api/account/security" => (Get "/v1/account/security"), Session,
        "Whether two-factor sign-in is on, and how many recovery codes are left (R-ID-1).", |_a| Route::AccountSecurity;
    start_totp, Post "/api/account/totp" => (Post "/v1/account/totp"), Session,
        "Begin enrolling an authenticator app (needs the password): a new secret, not in force until confirmed.",
        |_a| Route::StartTotp;
    confirm_totp, Post "/api/account/totp/confirm" => (Post "/v1/account/totp/confirm"), Session,
        "Confirm the enrolment with a first code: two-factor sign-in is on; the answer is the only time the recovery codes are shown.",
        |_a| Route::ConfirmTotp;
    disable_totp, Post "/api/account/totp/disable" => (Post "/v1/account/totp/disable"), Session,
        "Turn two-factor sign-in off (needs the password and a code or recovery code).", |_a| Route::DisableTotp;
    regenerate_recovery_codes, Post "/api/account/totp/recovery-codes" => (Post "/v1/account/totp/recovery-codes"), Session,
        "Ten new recovery codes (needs a code); the old ones stop working.", |_a| Route::RegenerateRecoveryCodes;
    list_sessions, Get "/api/account/sessions" => (Get "/v1/account/sessions"), Session,
        "The account's open sessions: created, last seen, client address, browser; the caller's marked.",
        |_a| Route::ListSessions;
    end_other_sessions, Post "/api/account/sessions/end-others" => (Post "/v1/account/sessions/end-others"), Session,
        "Sign out everywhere else: every session of the account but the caller's ends.", |_a| Route::EndOtherSessions;
    set_locale, Put "/api/account/locale" => (Put "/v1/account/locale"), Session,
        "Keep the account's UI language (one of en, de, es, fr, it): the apps show it at every sign-in.",
        |_a| Route::SetLocale;
    end_session, Delete "/api/account/sessions/{id}" => (Delete "/v1/account/sessions/{id}"), Session,
        "End one session of the account (its next request is refused).", |a| Route::EndSession { id: a.id.clone()? };
    list_folders, Get "/api/mailboxes/{mb}/folders" => (Get "/v1/mailboxes/{mb}/folders"), Mailbox,
        "The mailbox's folders in display order, with counts.", |a| Route::ListFolders { mb: a.mb? };
    create_folder, Post "/api/mailboxes/{mb}/folders" => (Post "/v1/mailboxes/{mb}/folders"), Mailbox,
        "Create a folder (optionally under a parent).", |a| Route::CreateFolder { mb: a.mb? };
    rename_folder, Patch "/api/mailboxes/{mb}/folders" => (Patch "/v1/mailboxes/{mb}/folders"), Mailbox,
        "Rename the folder named by `path`.", |a| Route::RenameFolder { mb: a.mb? };
    delete_folder, Delete "/api/mailboxes/{mb}/folders" => (Delete "/v1/mailboxes/{mb}/folders"), Mailbox,
        "Delete the folder named by `path` and its mail.", |a| Route::DeleteFolder { mb: a.mb? };
    list_messages, Get "/api/mailboxes/{mb}/messages" => (Get "/v1/mailboxes/{mb}/messages"), Mailbox,
        "One page of a folder, newest first, filtered and searched, anchored.", |a| Route::ListMessages { mb: a.mb? };
    list_conversations, Get "/api/mailboxes/{mb}/conversations" => (Get "/v1/mailboxes/{mb}/conversations"), Mailbox,
        "One page of a folder's conversations (threads, with the user's replies from Sent), the newest first.",
        |a| Route::ListConversations { mb: a.mb? };
    set_flags, Post "/api/mailboxes/{mb}/messages/flags" => (Post "/v1/mailboxes/{mb}/messages/flags"), Mailbox,
        "Set or clear a flag (read, starred) on messages.", |a| Route::SetFlags { mb: a.mb? };
    move_messages, Post "/api/mailboxes/{mb}/messages/move" => (Post "/v1/mailboxes/{mb}/messages/move"), Mailbox,
        "Move messages to another folder.", |a| Route::MoveMessages { mb: a.mb? };
    delete_messages, Post "/api/mailboxes/{mb}/messages/delete" => (Post "/v1/mailboxes/{mb}/messages/delete"), Mailbox,
        "Delete messages (to Trash; for good when already in Trash).", |a| Route::DeleteMessages { mb: a.mb? };
    report_messages, Post "/api/mailboxes/{mb}/messages/report" => (Post "/v1/mailboxes/{mb}/messages/report"), Mailbox,
        "Report messages as spam (to the spam folder) or not spam (to the Inbox); the spam filter learns from them (R-SPAM-5).",
        |a| Route::ReportMessages { mb: a.mb? };
    get_message, Get "/api/mailboxes/{mb}/messages/{uid}" => (Get "/v1/mailboxes/{mb}/messages/{uid}/view"), Mailbox,
        "The reading view of one message (headers, text, attachments); marks it read.",
        |a| Route::GetMessage { mb: a.mb?, uid: a.uid? };
    get_message_html, Get "/api/mailboxes/{mb}/messages/{uid}/body.html" => (Get "/v1/mailboxes/{mb}/messages/{uid}/body.html"), Mailbox,
        "The sanitised HTML body as a document for a sandboxed frame.",
        |a| Route::GetMessageHtml { mb: a.mb?, uid: a.uid? };
    get_part, Get "/api/mailboxes/{mb}/messages/{uid}/parts/{section}" => (Get "/v1/mailboxes/{mb}/messages/{uid}/parts/{section}"), Mailbox,
        "An attachment's decoded bytes, streamed.",
        |a| Route::GetPart { mb: a.mb?, uid: a.uid?, section: a.section.clone()? };
    save_draft, Post "/api/mailboxes/{mb}/drafts" => (Post "/v1/mailboxes/{mb}/drafts"), Mailbox,
        "Save a draft on the server (replacing its previous version).", |a| Route::SaveDraft { mb: a.mb? };
    get_draft, Get "/api/mailboxes/{mb}/drafts/{uid}" => (Get "/v1/mailboxes/{mb}/drafts/{uid}"), Mailbox,
        "Open a saved draft for editing.", |a| Route::GetDraft { mb: a.mb?, uid: a.uid? };
    send, Post "/api/mailboxes/{mb}/send" => (Post "/v1/mailboxes/{mb}/send"), Mailbox,
        "Send a message now, or after the undo delay.", |a| Route::Send { mb: a.mb? };
    get_outgoing, Get "/api/mailboxes/{mb}/outbox/{id}" => (Get "/v1/mailboxes/{mb}/outbox/{id}"), Mailbox,
        "The state of a message waiting in the undo outbox.",
        |a| Route::GetOutgoing { mb: a.mb?, id: a.id.clone()? };
    cancel_outgoing, Delete "/api/mailboxes/{mb}/outbox/{id}" => (Delete "/v1/mailboxes/{mb}/outbox/{id}"), Mailbox,
        "Undo a send while it is still in the outbox; the draft comes back.",
        |a| Route::CancelOutgoing { mb: a.mb?, id: a.id.clone()? };
    contacts, Get "/api/mailboxes/{mb}/contacts" => (Get "/v1/mailboxes/{mb}/contacts"), Mailbox,
        "Recent correspondents matching `q`, for recipient autocomplete.", |a| Route::Contacts { mb: a.mb? };
    get_signature, Get "/api/mailboxes/{mb}/signature" => (Get "/v1/mailboxes/{mb}/signature"), Mailbox,
        "The mailbox's signature.", |a| Route::GetSignature { mb: a.mb? };
    put_signature, Put "/api/mailboxes/{mb}/signature" => (Put "/v1/mailboxes/{mb}/signature"), Mailbox,
        "Replace the mailbox's signature.", |a| Route::PutSignature { mb: a.mb? };
    identities, Get "/api/mailboxes/{mb}/identities" => (Get "/v1/mailboxes/{mb}/identities"), Mailbox,
        "The addresses this mailbox may send as, and today's sending quota.", |a| Route::Identities { mb: a.mb? };
    mailbox_storage, Get "/api/mailboxes/{mb}/storage" => (Get "/v1/mailboxes/{mb}/storage"), Mailbox,
        "The bytes the mailbox holds and its limit (none on most offers), as Dovecot counts them (R-LIM-5).",
        |a| Route::MailboxStorage { mb: a.mb? };
    mailbox_events, Get "/api/mailboxes/{mb}/events" => (Get "/v1/mailboxes/{mb}/events"), Mailbox,
        "Live updates as Server-Sent Events: every folder's state, then each change made by any client (`shared::live`).",
        |a| Route::MailboxEvents { mb: a.mb? };
    list_devices, Get "/api/mailboxes/{mb}/devices" => (Get "/v1/mailboxes/{mb}/devices"), Mailbox,
        "The mailbox's device passwords (never the passwords), their last use and connections, and the client settings (R-DEV).",
        |a| Route::ListDevices { mb: a.mb? };
    create_device, Post "/api/mailboxes/{mb}/devices" => (Post "/v1/mailboxes/{mb}/devices"), Mailbox,
        "Make a device password; the answer is the only time it is shown (R-DEV-2).",
        |a| Route::CreateDevice { mb: a.mb? };
    disconnect_all_devices, Post "/api/mailboxes/{mb}/devices/disconnect-all" => (Post "/v1/mailboxes/{mb}/devices/disconnect-all"), Mailbox,
        "Revoke every device password of the mailbox and cut their connections (R-DEV-3).",
        |a| Route::DisconnectAllDevices { mb: a.mb? };
    delete_device, Delete "/api/mailboxes/{mb}/devices/{device}" => (Delete "/v1/mailboxes/{mb}/devices/{device}"), Mailbox,
        "Disconnect a device: its password revoked, its connections cut.",
        |a| Route::DeleteDevice { mb: a.mb?, device: a.device? };
    regenerate_device, Post "/api/mailboxes/{mb}/devices/{device}/regenerate" => (Post "/v1/mailboxes/{mb}/devices/{device}/regenerate"), Mailbox,
        "A new password for a device, shown once; the old one and its connections end at once.",
        |a| Route::RegenerateDevice { mb: a.mb?, device: a.device? };
    device_profile, Get "/api/mailboxes/{mb}/devices/{device}/profile.mobileconfig" => (Get "/v1/mailboxes/{mb}/devices/{device}/profile.mobileconfig"), Mailbox,
        "An Apple configuration profile for the device (IMAP and SMTP settings; the device asks for the password) (R-DEV-7).",
        |a| Route::DeviceProfile { mb: a.mb?, device: a.device? };
    get_spam, Get "/api/mailboxes/{mb}/spam" => (Get "/v1/mailboxes/{mb}/spam"), Mailbox,
        "The mailbox's spam filter: on or off, its destination folder, its blocked and approved senders (R-SPAM).",
        |a| Route::GetSpam { mb: a.mb? };
    put_spam, Put "/api/mailboxes/{mb}/spam" => (Put "/v1/mailboxes/{mb}/spam"), Mailbox,
        "Switch the mailbox's spam filter and choose its destination folder; holds from the next delivery (R-SPAM-1, -2).",
        |a| Route::PutSpam { mb: a.mb? };
    add_spam_senders, Post "/api/mailboxes/{mb}/spam/senders" => (Post "/v1/mailboxes/{mb}/spam/senders"), Mailbox,
        "Add addresses or @domains to the mailbox's blocked or approved senders, all or none (R-SPAM-4).",
        |a| Route::AddSpamSenders { mb: a.mb? };
    remove_spam_senders, Post "/api/mailboxes/{mb}/spam/senders/remove" => (Post "/v1/mailboxes/{mb}/spam/senders/remove"), Mailbox,
        "Remove entries from the mailbox's blocked or approved senders.",
        |a| Route::RemoveSpamSenders { mb: a.mb? };
    get_auto_reply, Get "/api/mailboxes/{mb}/auto-reply" => (Get "/v1/mailboxes/{mb}/auto-reply"), Mailbox,
        "The mailbox's auto-reply: on or off, subject, text, dates, once per sender per N days.",
        |a| Route::GetAutoReply { mb: a.mb? };
    put_auto_reply, Put "/api/mailboxes/{mb}/auto-reply" => (Put "/v1/mailboxes/{mb}/auto-reply"), Mailbox,
        "Set the mailbox's auto-reply (a generated Sieve vacation; never to lists, bulk mail or spam).",
        |a| Route::PutAutoReply { mb: a.mb? };
    get_rules, Get "/api/mailboxes/{mb}/rules" => (Get "/v1/mailboxes/{mb}/rules"), Mailbox,
        "The mailbox's sorting rules, in the order they are tried.",
        |a| Route::GetRules { mb: a.mb? };
    put_rules, Put "/api/mailboxes/{mb}/rules" => (Put "/v1/mailboxes/{mb}/rules"), Mailbox,
        "Replace the mailbox's ordered sorting rules (generated Sieve; holds from the next delivery).",
        |a| Route::PutRules { mb: a.mb? };
    mailbox_templates, Get "/api/mailboxes/{mb}/templates" => (Get "/v1/mailboxes/{mb}/templates"), Mailbox,
        "The visible auto-reply and sorting-rule templates of the mailbox's service, to start from (R-TPL; `manage_filters`).",
        |a| Route::MailboxTemplates { mb: a.mb? };
    create_device_setup, Post "/api/mailboxes/{mb}/devices/setup-invitations" => (Post "/v1/mailboxes/{mb}/devices/setup-invitations"), Mailbox,
        "Send a user of the mailbox a single-use link, valid 30 days, to make a password for their own device (R-DEV-4).",
        |a| Route::CreateDeviceSetup { mb: a.mb? };
    revoke_device_setup, Delete "/api/mailboxes/{mb}/devices/setup-invitations/{invitation}" => (Delete "/v1/mailboxes/{mb}/devices/setup-invitations/{invitation}"), Mailbox,
        "Withdraw a pending device-setup link: it stops working at once.",
        |a| Route::RevokeDeviceSetup { mb: a.mb?, invitation: a.invitation? };
    mail_program_settings, Get "/api/mailboxes/{mb}/connect" => (Get "/v1/mailboxes/{mb}/connect"), Mailbox,
        "How to connect a mail program (hosts, ports, security; R-PROTO-1/2) and the visitor's public address (R-PROTO-3).",
        |a| Route::MailProgramSettings { mb: a.mb? };
    get_support, Get "/api/mailboxes/{mb}/support" => (Get "/v1/mailboxes/{mb}/support"), Mailbox,
        "Support access of the mailbox: the grants in force with their end, and every read support staff made (R-SUP).",
        |a| Route::GetSupport { mb: a.mb? };
    grant_support, Post "/api/mailboxes/{mb}/support" => (Post "/v1/mailboxes/{mb}/support"), Mailbox,
        "Let support staff read a kind of the mailbox's content, or one message, read-only for 7 days (R-SUP-1, -2, -4).",
        |a| Route::GrantSupport { mb: a.mb? };
    revoke_support, Delete "/api/mailboxes/{mb}/support/{id}" => (Delete "/v1/mailboxes/{mb}/support/{id}"), Mailbox,
        "End a support grant now: staff's next request is refused.",
        |a| Route::RevokeSupport { mb: a.mb?, id: a.id.clone()? };
    staff_grants, Get "/api/support/access" => (Get "/v1/support/access"), Staff,
        "Support staff: the mailboxes and messages opened to support, with their end.",
        |_a| Route::StaffGrants;
    staff_folders, Get "/api/support/access/{id}/folders" => (Get "/v1/support/access/{id}/folders"), Staff,
        "Support staff: the folders of a mailbox opened to support (recorded).",
        |a| Route::StaffFolders { id: a.id.clone()? };
    staff_messages, Get "/api/support/access/{id}/messages" => (Get "/v1/support/access/{id}/messages"), Staff,
        "Support staff: one page of a folder of a mailbox opened to support (recorded).",
        |a| Route::StaffMessages { id: a.id.clone()? };
    staff_message, Get "/api/support/access/{id}/messages/{uid}" => (Get "/v1/support/access/{id}/messages/{uid}/view"), Staff,
        "Support staff: the reading view of a message opened to support; never marks it read (recorded).",
        |a| Route::StaffMessage { id: a.id.clone()?, uid: a.uid? };
    staff_message_html, Get "/api/support/access/{id}/messages/{uid}/body.html" => (Get "/v1/support/access/{id}/messages/{uid}/body.html"), Staff,
        "Support staff: the sanitised HTML body of a message opened to support, as a document for a sandboxed frame; remote images blocked unless asked (recorded).",
        |a| Route::StaffMessageHtml { id: a.id.clone()?, uid: a.uid? };
    staff_part, Get "/api/support/access/{id}/messages/{uid}/parts/{section}" => (Get "/v1/support/access/{id}/messages/{uid}/parts/{section}"), Staff,
        "Support staff: an attachment of a message opened to support, streamed (recorded).",
        |a| Route::StaffPart { id: a.id.clone()?, uid: a.uid?, section: a.section.clone()? };
    list_addresses, Get "/api/orgs/{org}/addresses" => (Get "/v1/orgs/{org}/addresses"), Organization,
        "The organisation's addresses with who uses each, its domains and members.", |a| Route::ListAddresses { org: a.org? };
    get_org_spam, Get "/api/orgs/{org}/spam" => (Get "/v1/orgs/{org}/spam"), Organization,
        "The mail service's global blocked and approved senders, applied to every mailbox (R-SPAM-4).",
        |a| Route::GetOrgSpam { org: a.org? };
    add_org_spam_senders, Post "/api/orgs/{org}/spam/senders" => (Post "/v1/orgs/{org}/spam/senders"), Organization,
        "Add addresses or @domains to the service's global blocked or approved senders, all or none.",
        |a| Route::AddOrgSpamSenders { org: a.org? };
    remove_org_spam_senders, Post "/api/orgs/{org}/spam/senders/remove" => (Post "/v1/orgs/{org}/spam/senders/remove"), Organization,
        "Remove entries from the service's global blocked or approved senders.",
        |a| Route::RemoveOrgSpamSenders { org: a.org? };
    bulk_spam_filter, Post "/api/orgs/{org}/spam/filter" => (Post "/v1/orgs/{org}/spam/filter"), Organization,
        "Switch the spam filter of the selected mailboxes on or off (R-SPAM-3).",
        |a| Route::BulkSpamFilter { org: a.org? };
    list_templates, Get "/api/orgs/{org}/templates" => (Get "/v1/orgs/{org}/templates"), Organization,
        "The mail service's auto-reply and sorting-rule templates, visible and hidden (R-TPL).",
        |a| Route::ListTemplates { org: a.org? };
    create_template, Post "/api/orgs/{org}/templates" => (Post "/v1/orgs/{org}/templates"), Organization,
        "Add an auto-reply template (subject and text) or a sorting-rule template (conditions), visible or hidden.",
        |a| Route::CreateTemplate { org: a.org? };
    update_template, Put "/api/orgs/{org}/templates/{template}" => (Put "/v1/orgs/{org}/templates/{template}"), Organization,
        "Change a template; mailboxes that started from it keep what they have.",
        |a| Route::UpdateTemplate { org: a.org?, template: a.template? };
    delete_template, Delete "/api/orgs/{org}/templates/{template}" => (Delete "/v1/orgs/{org}/templates/{template}"), Organization,
        "Delete a template; mailboxes that started from it keep what they have.",
        |a| Route::DeleteTemplate { org: a.org?, template: a.template? };
    apply_template, Post "/api/orgs/{org}/templates/{template}/apply" => (Post "/v1/orgs/{org}/templates/{template}/apply"), Organization,
        "Make a visible auto-reply template the auto-reply, switched on, of the selected mailboxes, all or none (R-TPL-1).",
        |a| Route::ApplyTemplate { org: a.org?, template: a.template? };
    create_address, Post "/api/orgs/{org}/addresses" => (Post "/v1/orgs/{org}/addresses"), Organization,
        "Create a mailbox (for me, for users, for nobody), a no-reply or a redirect address.", |a| Route::CreateAddress { org: a.org? };
    delete_addresses, Post "/api/orgs/{org}/addresses/delete" => (Post "/v1/orgs/{org}/addresses/delete"), Organization,
        "Delete addresses for good, with their mail, access, devices and aliases.", |a| Route::DeleteAddresses { org: a.org? };
    preview_address_import, Post "/api/orgs/{org}/addresses/import/preview" => (Post "/v1/orgs/{org}/addresses/import/preview"), Organization,
        "Check a CSV file of addresses (header `address,display_name,kind,users,redirect_to`) row by row; nothing is written (R-ADDR-4).",
        |a| Route::PreviewAddressImport { org: a.org? };
    import_addresses, Post "/api/orgs/{org}/addresses/import" => (Post "/v1/orgs/{org}/addresses/import"), Organization,
        "Create every address of a CSV file in one transaction, or none when a row has an error (R-ADDR-4).",
        |a| Route::ImportAddresses { org: a.org? };
    update_address, Patch "/api/orgs/{org}/addresses/{addr}" => (Patch "/v1/orgs/{org}/addresses/{addr}"), Organization,
        "Change an address's display name (what the webmail lists and outgoing mail's `From:` shows).",
        |a| Route::UpdateAddress { org: a.org?, addr: a.addr? };
    add_alias, Post "/api/orgs/{org}/addresses/{addr}/aliases" => (Post "/v1/orgs/{org}/addresses/{addr}/aliases"), Organization,
        "Give a mailbox another address.", |a| Route::AddAlias { org: a.org?, addr: a.addr? };
    set_catch_all, Put "/api/orgs/{org}/domains/{domain}/catch-all" => (Put "/v1/orgs/{org}/domains/{domain}/catch-all"), Organization,
        "Choose the mailbox that receives mail for unknown addresses of a domain (or none).",
        |a| Route::SetCatchAll { org: a.org?, domain: a.domain? };
    set_access, Put "/api/orgs/{org}/addresses/{addr}/users/{account}" => (Put "/v1/orgs/{org}/addresses/{addr}/users/{account}"), Organization,
        "Give a member of the organisation access to a mailbox, or change their permissions (R-INV-1, -5).",
        |a| Route::SetAccess { org: a.org?, addr: a.addr?, account: a.account? };
    remove_access, Delete "/api/orgs/{org}/addresses/{addr}/users/{account}" => (Delete "/v1/orgs/{org}/addresses/{addr}/users/{account}"), Organization,
        "Withdraw a user's access to a mailbox.",
        |a| Route::RemoveAccess { org: a.org?, addr: a.addr?, account: a.account? };
    mailbox_users, Get "/api/orgs/{org}/addresses/{addr}/users" => (Get "/v1/orgs/{org}/addresses/{addr}/users"), Organization,
        "A mailbox's users tab: who has access with what, pending invitations, whether inviting is possible (R-INV-4).",
        |a| Route::MailboxUsers { org: a.org?, addr: a.addr? };
    create_invitation, Post "/api/orgs/{org}/addresses/{addr}/invitations" => (Post "/v1/orgs/{org}/addresses/{addr}/invitations"), Organization,
        "Invite someone to a mailbox: a single-use link valid 30 days, optionally emailed (R-INV-2).",
        |a| Route::CreateInvitation { org: a.org?, addr: a.addr? };
    revoke_invitation, Delete "/api/orgs/{org}/addresses/{addr}/invitations/{invitation}" => (Delete "/v1/orgs/{org}/addresses/{addr}/invitations/{invitation}"), Organization,
        "Revoke a pending invitation: its link stops working at once.",
        |a| Route::RevokeInvitation { org: a.org?, addr: a.addr?, invitation: a.invitation? };
    get_organization_details, Get "/api/orgs/{org}/details" => (Get "/v1/orgs/{org}/details"), Organization,
        "The organisation's legal details (name, address, registration, representative) and what the caller may do with them.",
        |a| Route::GetOrganizationDetails { org: a.org? };
    put_organization_details, Put "/api/orgs/{org}/details" => (Put "/v1/orgs/{org}/details"), Organization,
        "Change the organisation's legal details (owners and administrators).",
        |a| Route::PutOrganizationDetails { org: a.org? };
    dpa_pdf, Get "/api/orgs/{org}/dpa.pdf" => (Get "/v1/orgs/{org}/dpa.pdf"), Organization,
        "The personalised Data Processing Agreement as a PDF, in `lang` (R-GDPR-1; owners and administrators).",
        |a| Route::DpaPdf { org: a.org? };
    org_logs, Get "/api/orgs/{org}/logs" => (Get "/v1/orgs/{org}/logs"), Organization,
        "The send and receive logs of every mailbox of the organisation whose grant lets the caller read them (R-LOG-3), newest first.",
        |a| Route::OrgLogs { org: a.org? };
    mailbox_logs, Get "/api/mailboxes/{mb}/logs" => (Get "/v1/mailboxes/{mb}/logs"), Mailbox,
        "The mailbox's send and receive logs, searched by direction, time range and address or subject, newest first (R-LOG; owners, administrators and legal representatives with `view_logs`).",
        |a| Route::MailboxLogs { mb: a.mb? };
    get_invitation, Get "/api/invitations/{token}" => (Get "/v1/public/invitations/{token}"), Public,
        "What an invitation link shares, for its page (expired, revoked and used links are told apart).",
        |a| Route::GetInvitation { token: a.token.clone()? };
    sign_up, Post "/api/invitations/{token}/account" => (Post "/v1/public/invitations/{token}/account"), Public,
        "Create an account to accept an invitation with, and sign in (only with a usable link).",
        |a| Route::SignUp { token: a.token.clone()? };
    accept_invitation, Post "/api/invitations/{token}/accept" => (Post "/v1/invitations/{token}/accept"), Session,
        "Accept an invitation: the mailbox joins the caller's webmail in the organisation they pick (R-INV-3).",
        |a| Route::AcceptInvitation { token: a.token.clone()? };
    get_device_setup, Get "/api/device-setup/{token}" => (Get "/v1/device-setup/{token}"), Session,
        "What a device-setup link is for, to its own user (used, expired, revoked and another account's links are told apart).",
        |a| Route::GetDeviceSetup { token: a.token.clone()? };
    redeem_device_setup, Post "/api/device-setup/{token}" => (Post "/v1/device-setup/{token}"), Session,
        "Use a device-setup link: a password for the caller's own device, shown once (R-DEV-4).",
        |a| Route::RedeemDeviceSetup { token: a.token.clone()? };
    create_upload, Post "/api/uploads" => (Post "/v1/uploads"), Session,
        "Declare a file to upload (name, type, size).", |_a| Route::CreateUpload;
    get_upload, Get "/api/uploads/{id}" => (Get "/v1/uploads/{id}"), Session,
        "How many bytes of an upload arrived (to resume it).", |a| Route::GetUpload { id: a.id.clone()? };
    upload_data, Patch "/api/uploads/{id}" => (Patch "/v1/uploads/{id}"), Session,
        "Append bytes at `offset` (raw body, streamed).", |a| Route::UploadData { id: a.id.clone()? };
    delete_upload, Delete "/api/uploads/{id}" => (Delete "/v1/uploads/{id}"), Session,
        "Abandon an upload and delete its bytes.", |a| Route::DeleteUpload { id: a.id.clone()? };
    create_transfer, Post "/api/transfers" => (Post "/v1/transfers"), Session,
        "Publish finished uploads as a transfer link.", |_a| Route::CreateTransfer;
    transfer_css, Get "/t/page.css" => (), Public,
        "The download page's stylesheet.", |_a| Route::TransferCss;
    transfer_page, Get "/t/{token}" => (Get "/v1/public/transfers/{token}"), Public,
        "The public download page of a transfer (HTML).", |a| Route::TransferPage { token: a.token.clone()? };
    transfer_file, Get "/t/{token}/{file}" => (Get "/v1/public/transfers/{token}/files/{file}"), Public,
        "A file of a transfer, streamed; `Range` is honoured.",
        |a| Route::TransferFile { token: a.token.clone()?, file: a.file.clone()? };
}

impl Route {
    /// This call's endpoint and its path parameters.
    pub fn parts(&self) -> (&'static Endpoint, Args) {
        let (id, a) = self.named();
        (&ENDPOINTS[id as usize], a)
    }

    /// This call's endpoint name and its path parameters.
    fn named(&self) -> (Id, Args) {
        let mut a = Args::default();
        let name = match self {
            Route::Health => Id::health,
            Route::OpenApi => Id::openapi,
            Route::Login => Id::login,
            Route::GetSession => Id::get_session,
            Route::Logout => Id::logout,
            Route::LoginSecondFactor => Id::login_second_factor,
            Route::Me => Id::me,
            Route::AccountSecurity => Id::account_security,
            Route::StartTotp => Id::start_totp,
            Route::ConfirmTotp => Id::confirm_totp,
            Route::DisableTotp => Id::disable_totp,
            Route::RegenerateRecoveryCodes => Id::regenerate_recovery_codes,
            Route::ListSessions => Id::list_sessions,
            Route::SetLocale => Id::set_locale,
            Route::EndOtherSessions => Id::end_other_sessions,
            Route::EndSession { id } => with_id(&mut a, id, Id::end_session),
            Route::ListFolders { mb } => with_mb(&mut a, *mb, Id::list_folders),
            Route::CreateFolder { mb } => with_mb(&mut a, *mb, Id::create_folder),
            Route::RenameFolder { mb } => with_mb(&mut a, *mb, Id::rename_folder),
            Route::DeleteFolder { mb } => with_mb(&mut a, *mb, Id::delete_folder),
            Route::ListMessages { mb } => with_mb(&mut a, *mb, Id::list_messages),
            Route::ListConversations { mb } => with_mb(&mut a, *mb, Id::list_conversations),
            Route::SetFlags { mb } => with_mb(&mut a, *mb, Id::set_flags),
            Route::MoveMessages { mb } => with_mb(&mut a, *mb, Id::move_messages),
            Route::DeleteMessages { mb } => with_mb(&mut a, *mb, Id::delete_messages),
            Route::ReportMessages { mb } => with_mb(&mut a, *mb, Id::report_messages),
            Route::GetMessage { mb, uid } => with_uid(&mut a, *mb, *uid, Id::get_message),
            Route::GetMessageHtml { mb, uid } => with_uid(&mut a, *mb, *uid, Id::get_message_html),
            Route::GetPart { mb, uid, section } => {
                a.section = Some(section.clone());
                with_uid(&mut a, *mb, *uid, Id::get_part)
            }
            Route::SaveDraft { mb } => with_mb(&mut a, *mb, Id::save_draft),
            Route::GetDraft { mb, uid } => with_uid(&mut a, *mb, *uid, Id::get_draft),
            Route::Send { mb } => with_mb(&mut a, *mb, Id::send),
            Route::GetOutgoing { mb, id } => {
                a.id = Some(id.clone());
                with_mb(&mut a, *mb, Id::get_outgoing)
            }
            Route::CancelOutgoing { mb, id } => {
                a.id = Some(id.clone());
                with_mb(&mut a, *mb, Id::cancel_outgoing)
            }
            Route::Contacts { mb } => with_mb(&mut a, *mb, Id::contacts),
            Route::GetSignature { mb } => with_mb(&mut a, *mb, Id::get_signature),
            Route::PutSignature { mb } => with_mb(&mut a, *mb, Id::put_signature),
            Route::Identities { mb } => with_mb(&mut a, *mb, Id::identities),
            Route::MailboxStorage { mb } => with_mb(&mut a, *mb, Id::mailbox_storage),
            Route::MailboxEvents { mb } => with_mb(&mut a, *mb, Id::mailbox_events),
            Route::ListDevices { mb } => with_mb(&mut a, *mb, Id::list_devices),
            Route::CreateDevice { mb } => with_mb(&mut a, *mb, Id::create_device),
            Route::DisconnectAllDevices { mb } => with_mb(&mut a, *mb, Id::disconnect_all_devices),
            Route::RegenerateDevice { mb, device } => {
                a.device = Some(*device);
                with_mb(&mut a, *mb, Id::regenerate_device)
            }
            Route::DeleteDevice { mb, device } => {
                a.device = Some(*device);
                with_mb(&mut a, *mb, Id::delete_device)
            }
            Route::DeviceProfile { mb, device } => {
                a.device = Some(*device);
                with_mb(&mut a, *mb, Id::device_profile)
            }
            Route::GetSpam { mb } => with_mb(&mut a, *mb, Id::get_spam),
            Route::PutSpam { mb } => with_mb(&mut a, *mb, Id::put_spam),
            Route::AddSpamSenders { mb } => with_mb(&mut a, *mb, Id::add_spam_senders),
            Route::RemoveSpamSenders { mb } => with_mb(&mut a, *mb, Id::remove_spam_senders),
            Route::GetAutoReply { mb } => with_mb(&mut a, *mb, Id::get_auto_reply),
            Route::PutAutoReply { mb } => with_mb(&mut a, *mb, Id::put_auto_reply),
            Route::GetRules { mb } => with_mb(&mut a, *mb, Id::get_rules),
            Route::PutRules { mb } => with_mb(&mut a, *mb, Id::put_rules),
            Route::MailboxTemplates { mb } => with_mb(&mut a, *mb, Id::mailbox_templates),
            Route::CreateDeviceSetup { mb } => with_mb(&mut a, *mb, Id::create_device_setup),
            Route::RevokeDeviceSetup { mb, invitation } => {
                a.invitation = Some(*invitation);
                with_mb(&mut a, *mb, Id::revoke_device_setup)
            }
            Route::MailProgramSettings { mb } => with_mb(&mut a, *mb, Id::mail_program_settings),
            Route::GetDeviceSetup { token } => with_token(&mut a, token, Id::get_device_setup),
            Route::RedeemDeviceSetup { token } => {
                with_token(&mut a, token, Id::redeem_device_setup)
            }
            Route::GetSupport { mb } => with_mb(&mut a, *mb, Id::get_support),
            Route::GrantSupport { mb } => with_mb(&mut a, *mb, Id::grant_support),
            Route::RevokeSupport { mb, id } => {
                a.id = Some(id.clone());
                with_mb(&mut a, *mb, Id::revoke_support)
            }
            Route::StaffGrants => Id::staff_grants,
            Route::StaffFolders { id } => with_id(&mut a, id, Id::staff_folders),
            Route::StaffMessages { id } => with_id(&mut a, id, Id::staff_messages),
            Route::StaffMessage { id, uid } => {
                a.uid = Some(*uid);
                with_id(&mut a, id, Id::staff_message)
            }
            Route::StaffMessageHtml { id, uid } => {
                a.uid = Some(*uid);
                with_id(&mut a, id, Id::staff_message_html)
            }
            Route::StaffPart { id, uid, section } => {
                a.uid = Some(*uid);
                a.section = Some(section.clone());
                with_id(&mut a, id, Id::staff_part)
            }
            Route::ListAddresses { org } => with_org(&mut a, *org, Id::list_addresses),
            Route::GetOrgSpam { org } => with_org(&mut a, *org, Id::get_org_spam),
            Route::AddOrgSpamSenders { org } => with_org(&mut a, *org, Id::add_org_spam_senders),
            Route::RemoveOrgSpamSenders { org } => {
                with_org(&mut a, *org, Id::remove_org_spam_senders)
            }
            Route::BulkSpamFilter { org } => with_org(&mut a, *org, Id::bulk_spam_filter),
            Route::ListTemplates { org } => with_org(&mut a, *org, Id::list_templates),
            Route::CreateTemplate { org } => with_org(&mut a, *org, Id::create_template),
            Route::UpdateTemplate { org, template } => {
                with_template(&mut a, *org, *template, Id::update_template)
            }
            Route::DeleteTemplate { org, template } => {
                with_template(&mut a, *org, *template, Id::delete_template)
            }
            Route::ApplyTemplate { org, template } => {
                with_template(&mut a, *org, *template, Id::apply_template)
            }
            Route::CreateAddress { org } => with_org(&mut a, *org, Id::create_address),
            Route::DeleteAddresses { org } => with_org(&mut a, *org, Id::delete_addresses),
            Route::PreviewAddressImport { org } => {
                with_org(&mut a, *org, Id::preview_address_import)
            }
            Route::ImportAddresses { org } => with_org(&mut a, *org, Id::import_addresses),
            Route::UpdateAddress { org, addr } => {
                a.addr = Some(*addr);
                with_org(&mut a, *org, Id::update_address)
            }
            Route::AddAlias { org, addr } => {
                a.addr = Some(*addr);
                with_org(&mut a, *org, Id::add_alias)
            }
            Route::SetCatchAll { org, domain } => {
                a.domain = Some(*domain);
                with_org(&mut a, *org, Id::set_catch_all)
            }
            Route::SetAccess { org, addr, account } => {
                a.addr = Some(*addr);
                a.account = Some(*account);
                with_org(&mut a, *org, Id::set_access)
            }
            Route::RemoveAccess { org, addr, account } => {
                a.addr = Some(*addr);
                a.account = Some(*account);
                with_org(&mut a, *org, Id::remove_access)
            }
            Route::MailboxUsers { org, addr } => {
                a.addr = Some(*addr);
                with_org(&mut a, *org, Id::mailbox_users)
            }
            Route::CreateInvitation { org, addr } => {
                a.addr = Some(*addr);
                with_org(&mut a, *org, Id::create_invitation)
            }
            Route::RevokeInvitation {
                org,
                addr,
                invitation,
            } => {
                a.addr = Some(*addr);
                a.invitation = Some(*invitation);
                with_org(&mut a, *org, Id::revoke_invitation)
            }
            Route::GetOrganizationDetails { org } => {
                with_org(&mut a, *org, Id::get_organization_details)
            }
            Route::PutOrganizationDetails { org } => {
                with_org(&mut a, *org, Id::put_organization_details)
            }
            Route::DpaPdf { org } => with_org(&mut a, *org, Id::dpa_pdf),
            Route::OrgLogs { org } => with_org(&mut a, *org, Id::org_logs),
            Route::MailboxLogs { mb } => with_mb(&mut a, *mb, Id::mailbox_logs),
            Route::GetInvitation { token } => with_token(&mut a, token, Id::get_invitation),
            Route::SignUp { token } => with_token(&mut a, token, Id::sign_up),
            Route::AcceptInvitation { token } => with_token(&mut a, token, Id::accept_invitation),
            Route::CreateUpload => Id::create_upload,
            Route::GetUpload { id } => with_id(&mut a, id, Id::get_upload),
            Route::UploadData { id } => with_id(&mut a, id, Id::upload_data),
            Route::DeleteUpload { id } => with_id(&mut a, id, Id::delete_upload),
            Route::CreateTransfer => Id::create_transfer,
            Route::TransferCss => Id::transfer_css,
            Route::TransferPage { token } => {
                a.token = Some(token.clone());
                Id::transfer_page
            }
            Route::TransferFile { token, file } => {
                a.token = Some(token.clone());
                a.file = Some(file.clone());
                Id::transfer_file
            }
        };
        (name, a)
    }

    pub fn endpoint(&self) -> &'static Endpoint {
        self.parts().0
    }

    /// The method and browser path template, from [`CALLS`] (not
    /// [`ENDPOINTS`]: what the browser apps link).
    fn call(&self) -> (Method, &'static str, Args) {
        let (id, a) = self.named();
        let (m, path) = CALLS[id as usize];
        (m, path, a)
    }

    pub fn method(&self) -> Method {
        self.call().0
    }

    /// The path the browser calls, parameters percent-safe by construction.
    pub fn path(&self) -> String {
        let (_, template, args) = self.call();
        fill(template, &args)
    }

    /// The path with a query string (`?` omitted when `query` is empty).
    pub fn path_with(&self, query: &str) -> String {
        with_query(self.path(), query)
    }

    /// The gateway route of this call, when it has one.
    pub fn gateway(&self) -> Option<(Method, String)> {
        let (ep, args) = self.parts();
        ep.gateway.map(|(m, t)| (m, fill(t, &args)))
    }

    /// The component must not read the body: the handler streams it.
    pub fn streams_request_body(&self) -> bool {
        matches!(self, Route::UploadData { .. })
    }
}

fn with_mb(a: &mut Args, mb: MailboxId, name: Id) -> Id {
    a.mb = Some(mb);
    name
}

fn with_org(a: &mut Args, org: OrganizationId, name: Id) -> Id {
    a.org = Some(org);
    name
}

fn with_template(a: &mut Args, org: OrganizationId, template: TemplateId, name: Id) -> Id {
    a.template = Some(template);
    with_org(a, org, name)
}

fn with_uid(a: &mut Args, mb: MailboxId, uid: u32, name: Id) -> Id {
    a.uid = Some(uid);
    with_mb(a, mb, name)
}

fn with_token(a: &mut Args, token: &str, name: Id) -> Id {
    a.token = Some(token.to_string());
    name
}

fn with_id(a: &mut Args, id: &str, name: Id) -> Id {
    a.id = Some(id.to_string());
    name
}

/// The endpoint called `name` (a programming error if there is none).
pub fn endpoint(name: &str) -> &'static Endpoint {
    ENDPOINTS
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no endpoint named {name}"))
}

/// `base` + `?query` unless the query is empty.
pub fn with_query(base: String, query: &str) -> String {
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

/// Fills `{name}` segments of a template. Every parameter value is
/// already path-safe (digits, dotted digits, or [`is_safe_id`]).
fn fill(template: &str, args: &Args) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    for seg in template.split('/').skip(1) {
        out.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let _ = write!(out, "{}", args.get(name).unwrap_or_default());
            }
            None => out.push_str(seg),
        }
    }
    out
}

/// Matches a path against a template, collecting typed parameters. A
/// parameter that does not parse means "not this template".
fn match_template(template: &str, path: &str) -> Option<Args> {
    let mut t = template.split('/');
    let mut p = path.split('/');
    let mut args = Args::default();
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(args),
            (Some(ts), Some(ps)) => match ts.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => args.set(name, ps)?,
                None if ts == ps => {}
                None => return None,
            },
            _ => return None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// Unknown path under `/api/` or `/t/`.
    NotFound,
    /// Known path, other method; carries the `Allow` header value.
    MethodNotAllowed(String),
    /// Not a route of the contract: a file of the app (GET and HEAD only).
    Static,
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Paths the contract owns; everything else is a file of the app.
pub fn is_contract_path(path: &str) -> bool {
    is_api_path(path) || path.starts_with("/t/")
}

/// Method + raw path → the call. `HEAD` is accepted wherever `GET` is on
/// public pages (not on the JSON API).
pub fn parse(method: Method, path: &str) -> Result<Route, RouteError> {
    if !is_contract_path(path) {
        return Err(RouteError::Static);
    }
    for ep in ENDPOINTS {
        let head_ok = !ep.is_api() && ep.method == Method::Get && method == Method::Head;
        if (ep.method == method || head_ok)
            && let Some(args) = match_template(ep.path, path)
        {
            return (ep.build)(&args).ok_or(RouteError::NotFound);
        }
    }
    Err(match allowed(path) {
        Some(allow) => RouteError::MethodNotAllowed(allow),
        None => RouteError::NotFound,
    })
}

/// The `Allow` value of a contract path (`GET, POST`), `None` when no
/// endpoint has that path.
pub fn allowed(path: &str) -> Option<String> {
    let mut allowed: Vec<Method> = Vec::new();
    for ep in ENDPOINTS
        .iter()
        .filter(|ep| match_template(ep.path, path).is_some())
    {
        let head = (!ep.is_api() && ep.method == Method::Get).then_some(Method::Head);
        for m in [Some(ep.method), head].into_iter().flatten() {
            if !allowed.contains(&m) {
                allowed.push(m);
            }
        }
    }
    let names: Vec<&str> = allowed.iter().map(|m| m.as_str()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// An opaque id chosen by the gateway (uploads, outbox entries, transfer
/// tokens): 1–128 characters of `A–Z a–z 0–9 - _`, so it is safe in a path
/// as is.
pub fn is_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Positive decimal without sign or leading zeros.
fn parse_id(s: &str) -> Option<MailboxId> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_uid(s: &str) -> Option<u32> {
    u32::try_from(parse_id(s)?).ok()
}

/// The longest IMAP body section accepted.
pub const MAX_SECTION_LEN: usize = 64;

/// IMAP body section of a part: `1`, `2.1`, `1.2.3` — positive numbers
/// without leading zeros, no `HEADER`, `TEXT` or `MIME`. The one rule for
/// the edge's routes and the gateway's IMAP commands.
pub fn is_valid_section(s: &str) -> bool {
    s.len() <= MAX_SECTION_LEN && s.split('.').all(|p| parse_uid(p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(ep: &Endpoint) -> Args {
        let mut a = Args::default();
        for seg in ep.path.split('/') {
            match seg {
                "{mb}" => a.mb = Some(7),
                "{uid}" => a.uid = Some(42),
                "{section}" => a.section = Some("1.2".into()),
                "{id}" => a.id = Some("ab-1_Z".into()),
                "{token}" => a.token = Some("tok".into()),
                "{file}" => a.file = Some("f1".into()),
                "{org}" => a.org = Some(3),
                "{addr}" => a.addr = Some(11),
                "{domain}" => a.domain = Some(5),
                "{account}" => a.account = Some(9),
                "{invitation}" => a.invitation = Some(13),
                "{device}" => a.device = Some(17),
                "{template}" => a.template = Some(19),
                _ => {}
            }
        }
        a
    }

    #[test]
    fn api_route_table() {
        let ok = |m: Method, p: &str| parse(m, p).unwrap();
        assert_eq!(ok(Method::Get, "/api/health"), Route::Health);
        assert_eq!(ok(Method::Post, "/api/session"), Route::Login);
        assert_eq!(ok(Method::Get, "/api/session"), Route::GetSession);
        assert_eq!(ok(Method::Delete, "/api/session"), Route::Logout);
        assert_eq!(ok(Method::Get, "/api/me"), Route::Me);
        assert_eq!(
            ok(Method::Post, "/api/session/second-factor"),
            Route::LoginSecondFactor
        );
        assert_eq!(
            ok(Method::Post, "/api/account/sessions/end-others"),
            Route::EndOtherSessions
        );
        assert_eq!(
            ok(Method::Delete, "/api/account/sessions/0123abcd"),
            Route::EndSession {
                id: "0123abcd".into()
            }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/folders"),
            Route::ListFolders { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/folders"),
            Route::CreateFolder { mb: 7 }
        );
        assert_eq!(
            ok(Method::Patch, "/api/mailboxes/7/folders"),
            Route::RenameFolder { mb: 7 }
        );
        assert_eq!(
            ok(Method::Delete, "/api/mailboxes/7/folders"),
            Route::DeleteFolder { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/messages"),
            Route::ListMessages { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/messages/42"),
            Route::GetMessage { mb: 7, uid: 42 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/messages/42/body.html"),
            Route::GetMessageHtml { mb: 7, uid: 42 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/messages/42/parts/1.2"),
            Route::GetPart {
                mb: 7,
                uid: 42,
                section: "1.2".into()
            }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/messages/flags"),
            Route::SetFlags { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/messages/move"),
            Route::MoveMessages { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/messages/delete"),
            Route::DeleteMessages { mb: 7 }
        );
    }

    #[test]
    fn device_routes() {
        let ok = |m: Method, p: &str| parse(m, p).unwrap();
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/devices/setup-invitations"),
            Route::CreateDeviceSetup { mb: 7 }
        );
        assert_eq!(
            ok(
                Method::Delete,
                "/api/mailboxes/7/devices/setup-invitations/3"
            ),
            Route::RevokeDeviceSetup {
                mb: 7,
                invitation: 3
            }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/connect"),
            Route::MailProgramSettings { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/device-setup/abc"),
            Route::RedeemDeviceSetup {
                token: "abc".into()
            }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/devices"),
            Route::ListDevices { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/devices"),
            Route::CreateDevice { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/devices/disconnect-all"),
            Route::DisconnectAllDevices { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/devices/17/regenerate"),
            Route::RegenerateDevice { mb: 7, device: 17 }
        );
        assert_eq!(
            ok(Method::Delete, "/api/mailboxes/7/devices/17"),
            Route::DeleteDevice { mb: 7, device: 17 }
        );
        assert_eq!(
            Route::DeviceProfile { mb: 7, device: 17 }.gateway(),
            Some((
                Method::Get,
                "/v1/mailboxes/7/devices/17/profile.mobileconfig".into()
            ))
        );
        // A device id is a number: "disconnect-all" is no device.
        assert_eq!(
            parse(Method::Delete, "/api/mailboxes/7/devices/disconnect-all"),
            Err(RouteError::MethodNotAllowed("POST".into()))
        );
    }

    #[test]
    fn compose_upload_and_transfer_routes() {
        let ok = |m: Method, p: &str| parse(m, p).unwrap();
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/drafts"),
            Route::SaveDraft { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/drafts/9"),
            Route::GetDraft { mb: 7, uid: 9 }
        );
        assert_eq!(
            ok(Method::Post, "/api/mailboxes/7/send"),
            Route::Send { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/outbox/ab-1_Z"),
            Route::GetOutgoing {
                mb: 7,
                id: "ab-1_Z".into()
            }
        );
        assert_eq!(
            ok(Method::Delete, "/api/mailboxes/7/outbox/x1"),
            Route::CancelOutgoing {
                mb: 7,
                id: "x1".into()
            }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/contacts"),
            Route::Contacts { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/signature"),
            Route::GetSignature { mb: 7 }
        );
        assert_eq!(
            ok(Method::Put, "/api/mailboxes/7/signature"),
            Route::PutSignature { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/identities"),
            Route::Identities { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/storage"),
            Route::MailboxStorage { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/conversations"),
            Route::ListConversations { mb: 7 }
        );
        assert_eq!(
            ok(Method::Get, "/api/mailboxes/7/events"),
            Route::MailboxEvents { mb: 7 }
        );
        assert_eq!(
            ok(Method::Post, "/api/orgs/3/addresses/import/preview"),
            Route::PreviewAddressImport { org: 3 }
        );
        assert_eq!(
            ok(Method::Post, "/api/orgs/3/addresses/import"),
            Route::ImportAddresses { org: 3 }
        );
        assert_eq!(
            parse(Method::Get, "/api/orgs/3/addresses/import"),
            Err(RouteError::MethodNotAllowed("POST".into()))
        );
        assert_eq!(
            ok(Method::Patch, "/api/orgs/3/addresses/11"),
            Route::UpdateAddress { org: 3, addr: 11 }
        );
        assert_eq!(
            Route::UpdateAddress { org: 3, addr: 11 }.gateway(),
            Some((Method::Patch, "/v1/orgs/3/addresses/11".into()))
        );
        // The fixed segments beside `{addr}` are not ids.
        assert_eq!(
            parse(Method::Patch, "/api/orgs/3/addresses/delete"),
            Err(RouteError::MethodNotAllowed("POST".into()))
        );
        assert_eq!(
            parse(Method::Get, "/api/orgs/3/addresses/11"),
            Err(RouteError::MethodNotAllowed("PATCH".into()))
        );
        assert_eq!(ok(Method::Post, "/api/uploads"), Route::CreateUpload);
        assert_eq!(
            ok(Method::Get, "/api/uploads/abc"),
            Route::GetUpload { id: "abc".into() }
        );
        assert_eq!(
            ok(Method::Patch, "/api/uploads/abc"),
            Route::UploadData { id: "abc".into() }
        );
        assert!(ok(Method::Patch, "/api/uploads/abc").streams_request_body());
        assert!(!ok(Method::Get, "/api/uploads/abc").streams_request_body());
        assert_eq!(
            ok(Method::Delete, "/api/uploads/abc"),
            Route::DeleteUpload { id: "abc".into() }
        );
        assert_eq!(ok(Method::Post, "/api/transfers"), Route::CreateTransfer);
        assert_eq!(
            ok(Method::Get, "/t/tok"),
            Route::TransferPage {
                token: "tok".into()
            }
        );
        assert_eq!(
            ok(Method::Head, "/t/tok/f1"),
            Route::TransferFile {
                token: "tok".into(),
                file: "f1".into()
            }
        );
        assert_eq!(ok(Method::Get, "/t/page.css"), Route::TransferCss);
        assert_eq!(ok(Method::Get, "/t/tok").endpoint().access, Access::Public);
        assert_eq!(
            ok(Method::Get, "/t/tok/f").endpoint().access,
            Access::Public
        );
        assert_eq!(
            ok(Method::Post, "/api/uploads").endpoint().access,
            Access::Session
        );
        assert_eq!(
            parse(Method::Post, "/t/tok"),
            Err(RouteError::MethodNotAllowed("GET, HEAD".into()))
        );
        assert_eq!(
            parse(Method::Put, "/api/uploads/abc"),
            Err(RouteError::MethodNotAllowed("GET, PATCH, DELETE".into()))
        );
        assert_eq!(
            parse(Method::Delete, "/api/mailboxes/1/signature"),
            Err(RouteError::MethodNotAllowed("GET, PUT".into()))
        );
        for p in [
            "/api/uploads/a.b",
            "/api/uploads/",
            "/api/uploads/a/b",
            "/api/mailboxes/1/outbox/..",
            "/api/mailboxes/1/drafts/x",
            "/t/a/b/c",
        ] {
            assert_eq!(parse(Method::Get, p), Err(RouteError::NotFound), "{p}");
        }
    }

    #[test]
    fn unknown_api_paths_are_not_found() {
        for p in [
            "/api",
            "/api/",
            "/api/nope",
            "/api/health/",
            "/api/mailboxes/x/folders",
            "/api/mailboxes/0/folders",
            "/api/mailboxes/-1/folders",
            "/api/mailboxes/01/folders",
            "/api/mailboxes/7/messages/abc",
            "/api/mailboxes/7/messages/99999999999",
            "/api/mailboxes/7/messages/1/parts/1.HEADER",
            "/api/mailboxes/7/messages/1/parts/1..2",
            "/api/mailboxes/7/messages/1/parts/",
            "/api/mailboxes/7/messages/1/raw",
            "/api/mailboxes/7",
        ] {
            assert_eq!(parse(Method::Get, p), Err(RouteError::NotFound), "{p}");
        }
    }

    #[test]
    fn wrong_methods_are_405_with_allow() {
        assert_eq!(
            parse(Method::Put, "/api/session"),
            Err(RouteError::MethodNotAllowed("GET, POST, DELETE".into()))
        );
        assert_eq!(
            parse(Method::Get, "/api/mailboxes/1/messages/move"),
            Err(RouteError::MethodNotAllowed("POST".into()))
        );
        assert_eq!(
            parse(Method::Delete, "/api/mailboxes/1/messages/5"),
            Err(RouteError::MethodNotAllowed("GET".into()))
        );
        assert_eq!(parse(Method::Post, "/index.html"), Err(RouteError::Static));
    }

    #[test]
    fn only_login_health_the_api_document_invitation_links_and_public_pages_need_no_session() {
        let public: Vec<_> = ENDPOINTS
            .iter()
            .filter(|e| e.access == Access::Public)
            .map(|e| e.name)
            .collect();
        assert_eq!(
            public,
            [
                "health",
                "openapi",
                "login",
                "login_second_factor",
                "get_invitation",
                "sign_up",
                "transfer_css",
                "transfer_page",
                "transfer_file"
            ]
        );
    }

    #[test]
    fn every_endpoint_round_trips_through_parse_path_and_parts() {
        for ep in ENDPOINTS {
            let route = (ep.build)(&sample(ep)).expect(ep.name);
            let (back, _) = route.parts();
            assert!(std::ptr::eq(back, ep), "{} maps to {}", ep.name, back.name);
            // `method` and `path` read `CALLS`, the browser's copy.
            assert_eq!(route.method(), ep.method, "{}", ep.name);
            let path = route.path();
            assert!(!path.contains('{'), "{path}");
            assert_eq!(parse(ep.method, &path), Ok(route.clone()), "{}", ep.name);
        }
    }

    #[test]
    fn staff_routes_only_read() {
        // R-SUP: read-only by construction — no staff route changes anything.
        let staff: Vec<_> = ENDPOINTS
            .iter()
            .filter(|e| e.access == Access::Staff)
            .collect();
        assert_eq!(staff.len(), 6);
        for ep in staff {
            assert_eq!(ep.method, Method::Get, "{}", ep.name);
            assert!(ep.path.starts_with("/api/support/"), "{}", ep.name);
        }
        assert_eq!(
            parse(Method::Post, "/api/support/access/ab12/messages"),
            Err(RouteError::MethodNotAllowed("GET".into()))
        );
        assert_eq!(
            parse(Method::Get, "/api/support/access/ab12/messages/3/parts/2"),
            Ok(Route::StaffPart {
                id: "ab12".into(),
                uid: 3,
                section: "2".into()
            })
        );
        assert_eq!(
            parse(Method::Get, "/api/support/access/ab12/messages/3/body.html"),
            Ok(Route::StaffMessageHtml {
                id: "ab12".into(),
                uid: 3
            })
        );
        assert_eq!(
            Route::StaffMessageHtml {
                id: "ab12".into(),
                uid: 3
            }
            .gateway(),
            Some((
                Method::Get,
                "/v1/support/access/ab12/messages/3/body.html".into()
            ))
        );
    }

    #[test]
    fn names_are_unique_and_templates_are_well_formed() {
        let mut names: Vec<_> = ENDPOINTS.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENDPOINTS.len());
        for ep in ENDPOINTS {
            assert!(ep.path.starts_with("/api/") || ep.path.starts_with("/t/"));
            if let Some((_, v1)) = ep.gateway {
                assert!(v1.starts_with("/v1/"), "{v1}");
                // The gateway path needs no parameter the browser's lacks.
                for seg in v1.split('/').filter(|s| s.starts_with('{')) {
                    assert!(ep.path.contains(seg), "{} lacks {seg}", ep.name);
                }
            }
        }
    }

    #[test]
    fn gateway_paths_are_filled_from_the_same_parameters() {
        let r = Route::GetMessageHtml { mb: 3, uid: 9 };
        assert_eq!(r.path(), "/api/mailboxes/3/messages/9/body.html");
        assert_eq!(
            r.gateway(),
            Some((Method::Get, "/v1/mailboxes/3/messages/9/body.html".into()))
        );
        assert_eq!(
            Route::Logout.gateway(),
            Some((Method::Post, "/v1/auth/logout".into()))
        );
        assert_eq!(Route::TransferCss.gateway(), None);
        assert_eq!(Route::Me.path_with(""), "/api/me");
        assert_eq!(
            Route::Contacts { mb: 1 }.path_with("q=a"),
            "/api/mailboxes/1/contacts?q=a"
        );
    }

    #[test]
    fn sections_are_positive_dotted_numbers() {
        for ok in ["1", "2.1", "1.2.3", "10"] {
            assert!(is_valid_section(ok), "{ok}");
        }
        for bad in ["", "0", "01", "1.", ".1", "1..2", "1.HEADER", "TEXT", "1.0"] {
            assert!(!is_valid_section(bad), "{bad}");
        }
        assert!(!is_valid_section(&"1.".repeat(40)));
    }
}
