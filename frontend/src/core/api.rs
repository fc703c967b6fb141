//! The app's one typed API client: every call a page makes, built from the
//! shared wire contract (`postern_shared::wire`) — the path from a
//! [`Route`], the method from its endpoint, the query from the route's
//! query type. Pages never write an `/api/…` string.

use crate::core::http::HttpRequest;
use postern_shared::ApiError;
use postern_shared::account;
use postern_shared::admin::{
    AddAliasRequest, AddressRow, CreateAddressRequest, DeleteAddressesRequest, DeletedAddresses,
    DomainId, DomainInfo, ImportAddressesRequest, ImportPreview, ImportedAddresses, OrgAddresses,
    SetAccessRequest, SetCatchAllRequest, UpdateAddressRequest,
};
use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, Flag, Folder, LoginRequest, MailboxStorage, Me,
    MessageFilter, MessageListQuery, MessagePage, MessageView, MoveMessagesRequest, MoveResult,
    RenameFolderRequest, SessionInfo, SetFlagsRequest,
};
use postern_shared::compose::{
    Contact, OpenedDraft, Outgoing, SaveDraftRequest, SavedDraft, SendRequest, SendingIdentity,
    Signature,
};
use postern_shared::invitations::{
    AcceptInvitationRequest, AcceptedInvitation, InvitationInfo, OrganizationChoice, SignUpRequest,
};
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer, Upload};
use postern_shared::wire::Method;
use postern_shared::wire::query::{
    BodyHtmlQuery, ContactsQuery, FolderPathQuery, FolderQuery, Images, UploadOffsetQuery, to_query,
};
use postern_shared::wire::routes::Route;
use serde::Serialize;

use postern_shared::api::{AccountId, OrganizationId};
use postern_shared::permissions::PermissionSet;

type MailboxId = i64;

/// The request of `route`, with `query` (a query type, or `&()` for none).
pub fn request<Q: Serialize>(route: &Route, query: &Q) -> HttpRequest {
    let url = route.path_with(&to_query(query));
    match route.method() {
        Method::Get | Method::Head => HttpRequest::get(url),
        Method::Post => HttpRequest::post(url),
        Method::Put => HttpRequest::put(url),
        Method::Patch => HttpRequest::patch(url),
        Method::Delete => HttpRequest::delete(url),
    }
}

/// The URL of `route` with `query`, for links and frames.
pub fn url<Q: Serialize>(route: &Route, query: &Q) -> String {
    route.path_with(&to_query(query))
}

// ------------------------------------------------------------- session

pub async fn health() -> bool {
    request(&Route::Health, &())
        .quiet()
        // Any JSON will do: `IgnoredAny` skips it without building a
        // `serde_json::Value` (whose decoder the webmail needs nowhere else).
        .send::<serde::de::IgnoredAny>()
        .await
        .is_ok()
}

/// `Err` with `unauthenticated` / `session_expired` means "sign in first".
pub async fn session() -> Result<SessionInfo, ApiError> {
    request(&Route::GetSession, &()).quiet().send().await
}

pub async fn sign_in(login: String, password: String) -> Result<SessionInfo, ApiError> {
    request(&Route::Login, &())
        .with_json(&LoginRequest { login, password })
        .quiet()
        .send()
        .await
}

/// Best effort: the app forgets the session whatever the answer.
pub async fn sign_out() {
    let _ = request(&Route::Logout, &()).quiet().send::<()>().await;
}

/// The code after the password (`second_factor_required`'s `pending`).
pub async fn sign_in_second_factor(pending: String, code: String) -> Result<SessionInfo, ApiError> {
    request(&Route::LoginSecondFactor, &())
        .with_json(&postern_shared::account::SecondFactorRequest { pending, code })
        .quiet()
        .send()
        .await
}

pub async fn me() -> Result<Me, ApiError> {
    request(&Route::Me, &()).send().await
}

// ------------------------------------------------------------- folders

pub async fn folders(mb: MailboxId) -> Result<Vec<Folder>, ApiError> {
    request(&Route::ListFolders { mb }, &()).send().await
}

pub async fn create_folder(
    mb: MailboxId,
    parent: Option<String>,
    name: String,
) -> Result<Folder, ApiError> {
    request(&Route::CreateFolder { mb }, &())
        .with_json(&CreateFolderRequest { parent, name })
        .send()
        .await
}

pub async fn rename_folder(mb: MailboxId, path: &str, name: String) -> Result<Folder, ApiError> {
    let q = FolderPathQuery { path: path.into() };
    request(&Route::RenameFolder { mb }, &q)
        .with_json(&RenameFolderRequest { name })
        .send()
        .await
}

pub async fn delete_folder(mb: MailboxId, path: &str) -> Result<(), ApiError> {
    let q = FolderPathQuery { path: path.into() };
    request(&Route::DeleteFolder { mb }, &q).send().await
}

// ------------------------------------------------------------ messages

/// The list URL of `GET …/messages` (filter, search and anchored paging);
/// the list view keys its resource on it.
pub fn list_url(
    mb: MailboxId,
    folder: &str,
    filter: MessageFilter,
    q: &str,
    page: u32,
    anchor: Option<u32>,
) -> String {
    let query = MessageListQuery {
        folder: folder.into(),
        filter,
        page,
        q: Some(q.trim().to_string()).filter(|q| !q.is_empty()),
        anchor,
    };
    url(&Route::ListMessages { mb }, &query)
}

pub async fn list(url: String) -> Result<MessagePage, ApiError> {
    HttpRequest::get(url).send().await
}

pub async fn message(mb: MailboxId, folder: &str, uid: u32) -> Result<MessageView, ApiError> {
    let q = FolderQuery {
        folder: folder.into(),
    };
    request(&Route::GetMessage { mb, uid }, &q).send().await
}

pub fn body_html_url(mb: MailboxId, folder: &str, uid: u32, images: bool) -> String {
    url(
        &Route::GetMessageHtml { mb, uid },
        &body_html_query(folder, images),
    )
}

/// `?folder=&images=` of the sanitised body (remote images blocked unless
/// `images`), the webmail's and support staff's.
fn body_html_query(folder: &str, images: bool) -> BodyHtmlQuery {
    BodyHtmlQuery {
        folder: folder.into(),
        images: if images { Images::Allow } else { Images::Block },
    }
}

/// `?folder=` of a message's routes.
fn in_folder(folder: &str) -> FolderQuery {
    FolderQuery {
        folder: folder.into(),
    }
}

pub fn part_url(mb: MailboxId, folder: &str, uid: u32, section: &str) -> String {
    let section = section.into();
    url(&Route::GetPart { mb, uid, section }, &in_folder(folder))
}

pub async fn set_flag(
    mb: MailboxId,
    folder: String,
    uids: Vec<u32>,
    flag: Flag,
    value: bool,
) -> Result<(), ApiError> {
    request(&Route::SetFlags { mb }, &())
        .with_json(&SetFlagsRequest {
            folder,
            uids,
            flag,
            value,
        })
        .send()
        .await
}

pub async fn move_messages(
    mb: MailboxId,
    folder: String,
    uids: Vec<u32>,
    to: String,
) -> Result<MoveResult, ApiError> {
    request(&Route::MoveMessages { mb }, &())
        .with_json(&MoveMessagesRequest { folder, uids, to })
        .send()
        .await
}

/// Spam or not spam (R-SPAM-5): moves and teaches the filter.
pub async fn report_messages(
    mb: MailboxId,
    folder: String,
    uids: Vec<u32>,
    verdict: postern_shared::spam::Verdict,
) -> Result<postern_shared::spam::ReportResult, ApiError> {
    let req = postern_shared::spam::ReportRequest {
        folder,
        uids,
        verdict,
    };
    request(&Route::ReportMessages { mb }, &())
        .with_json(&req)
        .send()
        .await
}

pub async fn delete_messages(
    mb: MailboxId,
    folder: String,
    uids: Vec<u32>,
) -> Result<MoveResult, ApiError> {
    request(&Route::DeleteMessages { mb }, &())
        .with_json(&DeleteMessagesRequest { folder, uids })
        .send()
        .await
}

// ------------------------------------------------------ writing, sending

/// Saves a draft; `keepalive` lets the save outlive a closing page.
pub async fn save_draft(
    mb: MailboxId,
    req: &SaveDraftRequest,
    keepalive: bool,
) -> Result<SavedDraft, ApiError> {
    request(&Route::SaveDraft { mb }, &())
        .with_json(req)
        .keepalive(keepalive)
        .send()
        .await
}

pub async fn open_draft(mb: MailboxId, uid: u32) -> Result<OpenedDraft, ApiError> {
    request(&Route::GetDraft { mb, uid }, &()).send().await
}

pub async fn send(mb: MailboxId, req: &SendRequest) -> Result<Outgoing, ApiError> {
    request(&Route::Send { mb }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn outgoing(mb: MailboxId, id: &str) -> Result<Outgoing, ApiError> {
    let route = Route::GetOutgoing { mb, id: id.into() };
    request(&route, &()).send().await
}

/// Undo: the message comes back as a draft.
pub async fn cancel_outgoing(mb: MailboxId, id: &str) -> Result<Outgoing, ApiError> {
    let route = Route::CancelOutgoing { mb, id: id.into() };
    request(&route, &()).send().await
}

pub async fn contacts(mb: MailboxId, q: &str) -> Result<Vec<Contact>, ApiError> {
    let q = ContactsQuery {
        q: Some(q.trim().to_string()),
    };
    request(&Route::Contacts { mb }, &q).send().await
}

pub async fn signature(mb: MailboxId) -> Result<Signature, ApiError> {
    request(&Route::GetSignature { mb }, &()).send().await
}

pub async fn put_signature(mb: MailboxId, sig: &Signature) -> Result<Signature, ApiError> {
    request(&Route::PutSignature { mb }, &())
        .with_json(sig)
        .send()
        .await
}

pub async fn identities(mb: MailboxId) -> Result<SendingIdentity, ApiError> {
    request(&Route::Identities { mb }, &()).send().await
}

/// The bytes the mailbox holds and its limit (R-LIM-5); needs a grant.
pub async fn mailbox_storage(mb: MailboxId) -> Result<MailboxStorage, ApiError> {
    request(&Route::MailboxStorage { mb }, &()).send().await
}

// ------------------------------------------------------ device passwords (R-DEV)

/// The Devices tab; needs the grant's `manage_devices`.
pub async fn list_devices(
    mb: MailboxId,
) -> Result<postern_shared::devices::MailboxDevices, ApiError> {
    request(&Route::ListDevices { mb }, &()).send().await
}

/// A new device password: the answer is the only time it is shown.
pub async fn create_device(
    mb: MailboxId,
    req: &postern_shared::devices::CreateDeviceRequest,
) -> Result<postern_shared::devices::CreatedDevice, ApiError> {
    request(&Route::CreateDevice { mb }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn regenerate_device(
    mb: MailboxId,
    device: postern_shared::devices::DeviceId,
) -> Result<postern_shared::devices::CreatedDevice, ApiError> {
    request(&Route::RegenerateDevice { mb, device }, &())
        .send()
        .await
}

pub async fn delete_device(
    mb: MailboxId,
    device: postern_shared::devices::DeviceId,
) -> Result<(), ApiError> {
    request(&Route::DeleteDevice { mb, device }, &())
        .send()
        .await
}

pub async fn disconnect_all_devices(
    mb: MailboxId,
) -> Result<postern_shared::devices::DisconnectedDevices, ApiError> {
    request(&Route::DisconnectAllDevices { mb }, &())
        .send()
        .await
}

/// Where the browser downloads a device's Apple profile (a plain link).
pub fn device_profile_href(mb: MailboxId, device: postern_shared::devices::DeviceId) -> String {
    Route::DeviceProfile { mb, device }.path()
}

/// A device-setup link for a user of the mailbox (R-DEV-4).
pub async fn create_device_setup(
    mb: MailboxId,
    req: &postern_shared::devices::CreateDeviceSetupRequest,
) -> Result<postern_shared::devices::CreatedDeviceSetup, ApiError> {
    request(&Route::CreateDeviceSetup { mb }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn revoke_device_setup(
    mb: MailboxId,
    invitation: postern_shared::devices::DeviceSetupId,
) -> Result<(), ApiError> {
    request(&Route::RevokeDeviceSetup { mb, invitation }, &())
        .send()
        .await
}

/// The "Connect a mail program" page (R-PROTO).
pub async fn mail_program_settings(
    mb: MailboxId,
) -> Result<postern_shared::devices::MailProgramSettings, ApiError> {
    request(&Route::MailProgramSettings { mb }, &())
        .send()
        .await
}

/// A device-setup link's page, signed in as its user.
pub async fn device_setup(
    token: String,
) -> Result<postern_shared::devices::DeviceSetupInfo, ApiError> {
    request(&Route::GetDeviceSetup { token }, &())
        .quiet()
        .send()
        .await
}

pub async fn redeem_device_setup(
    token: String,
    req: &postern_shared::devices::CreateDeviceRequest,
) -> Result<postern_shared::devices::CreatedDevice, ApiError> {
    request(&Route::RedeemDeviceSetup { token }, &())
        .with_json(req)
        .send()
        .await
}

// ------------------------------------------------------ administration

/// The organisation's legal details and what the caller may do with them.
pub async fn organization_details(
    org: OrganizationId,
) -> Result<postern_shared::organization::OrganizationDetailsView, ApiError> {
    request(&Route::GetOrganizationDetails { org }, &())
        .send()
        .await
}

pub async fn put_organization_details(
    org: OrganizationId,
    details: &postern_shared::organization::OrganizationDetails,
) -> Result<postern_shared::organization::OrganizationDetailsView, ApiError> {
    request(&Route::PutOrganizationDetails { org }, &())
        .with_json(details)
        .send()
        .await
}

/// The DPA's download link in `lang` (a plain link: the browser saves the
/// PDF itself).
pub fn dpa_href(org: OrganizationId, lang: &str) -> String {
    Route::DpaPdf { org }.path_with(&postern_shared::wire::query::to_query(
        &postern_shared::wire::query::DpaQuery {
            lang: Some(lang.to_string()),
        },
    ))
}

/// One page of a mailbox's send and receive logs (R-LOG), newest first.
pub async fn mailbox_logs(
    mb: MailboxId,
    q: &postern_shared::logs::LogQuery,
) -> Result<postern_shared::logs::LogPage, ApiError> {
    request(&Route::MailboxLogs { mb }, q).send().await
}

/// One page of the logs of every mailbox of `org` the caller may read.
pub async fn org_logs(
    org: OrganizationId,
    q: &postern_shared::logs::LogQuery,
) -> Result<postern_shared::logs::LogPage, ApiError> {
    request(&Route::OrgLogs { org }, q).send().await
}

/// The organisation's address table, its domains and members, and what
/// the caller's role allows there.
pub async fn list_addresses(org: OrganizationId) -> Result<OrgAddresses, ApiError> {
    request(&Route::ListAddresses { org }, &()).send().await
}

pub async fn create_address(
    org: OrganizationId,
    req: &CreateAddressRequest,
) -> Result<postern_shared::admin::CreatedAddress, ApiError> {
    request(&Route::CreateAddress { org }, &())
        .with_json(req)
        .send()
        .await
}

/// Every row of a CSV file with its own errors (R-ADDR-4); writes nothing.
pub async fn preview_address_import(
    org: OrganizationId,
    csv: String,
) -> Result<ImportPreview, ApiError> {
    request(&Route::PreviewAddressImport { org }, &())
        .with_json(&ImportAddressesRequest {
            csv,
            language: None,
        })
        .send()
        .await
}

/// Creates every row of a CSV file, or none (`import_invalid` with the
/// errors in `params.issues`); invitations emailed in `language`.
pub async fn import_addresses(
    org: OrganizationId,
    csv: String,
    language: &str,
) -> Result<ImportedAddresses, ApiError> {
    request(&Route::ImportAddresses { org }, &())
        .with_json(&ImportAddressesRequest {
            csv,
            language: Some(language.to_string()),
        })
        .send()
        .await
}

/// For good: the addresses, their mail, access, devices and aliases.
pub async fn delete_addresses(
    org: OrganizationId,
    ids: Vec<MailboxId>,
) -> Result<DeletedAddresses, ApiError> {
    request(&Route::DeleteAddresses { org }, &())
        .with_json(&DeleteAddressesRequest { ids })
        .send()
        .await
}

/// Changes an address's display name; answers its row as it is now.
pub async fn update_address(
    org: OrganizationId,
    addr: MailboxId,
    display_name: String,
) -> Result<AddressRow, ApiError> {
    request(&Route::UpdateAddress { org, addr }, &())
        .with_json(&UpdateAddressRequest { display_name })
        .send()
        .await
}

pub async fn add_alias(
    org: OrganizationId,
    addr: MailboxId,
    local_part: String,
    domain: DomainId,
) -> Result<AddressRow, ApiError> {
    request(&Route::AddAlias { org, addr }, &())
        .with_json(&AddAliasRequest { local_part, domain })
        .send()
        .await
}

/// `None` switches the domain's catch-all off.
pub async fn set_catch_all(
    org: OrganizationId,
    domain: DomainId,
    mailbox: Option<MailboxId>,
) -> Result<DomainInfo, ApiError> {
    request(&Route::SetCatchAll { org, domain }, &())
        .with_json(&SetCatchAllRequest { mailbox })
        .send()
        .await
}

/// Gives a member access to a mailbox, or changes their permissions.
pub async fn set_access(
    org: OrganizationId,
    addr: MailboxId,
    account: AccountId,
    permissions: PermissionSet,
) -> Result<AddressRow, ApiError> {
    request(&Route::SetAccess { org, addr, account }, &())
        .with_json(&SetAccessRequest { permissions })
        .send()
        .await
}

pub async fn remove_access(
    org: OrganizationId,
    addr: MailboxId,
    account: AccountId,
) -> Result<(), ApiError> {
    request(&Route::RemoveAccess { org, addr, account }, &())
        .send()
        .await
}

// ---------------------------------------------------- uploads, transfers

pub async fn create_upload(new: &NewUpload) -> Result<Upload, ApiError> {
    request(&Route::CreateUpload, &())
        .with_json(new)
        .send()
        .await
}

pub async fn upload(id: &str) -> Result<Upload, ApiError> {
    request(&Route::GetUpload { id: id.into() }, &())
        .send()
        .await
}

/// The URL of `PATCH` for bytes at `offset` (sent by `core::upload` with
/// `XMLHttpRequest`, for progress events).
pub fn upload_data_url(id: &str, offset: u64) -> String {
    url(
        &Route::UploadData { id: id.into() },
        &UploadOffsetQuery { offset },
    )
}

pub async fn delete_upload(id: &str) -> Result<(), ApiError> {
    request(&Route::DeleteUpload { id: id.into() }, &())
        .send()
        .await
}

pub async fn create_transfer(uploads: Vec<String>) -> Result<Transfer, ApiError> {
    request(&Route::CreateTransfer, &())
        .with_json(&NewTransfer { uploads })
        .send()
        .await
}

// ------------------------------------------------------------- invitations

/// What an invitation link shares (no session needed).
pub async fn invitation(token: String) -> Result<InvitationInfo, ApiError> {
    request(&Route::GetInvitation { token }, &())
        .quiet()
        .send()
        .await
}

/// Creates an account through the link and signs in.
pub async fn sign_up(token: String, form: SignUpRequest) -> Result<SessionInfo, ApiError> {
    request(&Route::SignUp { token }, &())
        .with_json(&form)
        .quiet()
        .send()
        .await
}

pub async fn accept_invitation(
    token: String,
    organization: OrganizationChoice,
) -> Result<AcceptedInvitation, ApiError> {
    request(&Route::AcceptInvitation { token }, &())
        .with_json(&AcceptInvitationRequest { organization })
        .send()
        .await
}

/// A mailbox's users tab: pending invitations and whether inviting is possible.
pub async fn mailbox_users(
    org: OrganizationId,
    addr: MailboxId,
) -> Result<postern_shared::invitations::MailboxUsers, ApiError> {
    request(&Route::MailboxUsers { org, addr }, &())
        .send()
        .await
}

pub async fn create_invitation(
    org: OrganizationId,
    addr: MailboxId,
    req: &postern_shared::invitations::CreateInvitationRequest,
) -> Result<postern_shared::invitations::CreatedInvitation, ApiError> {
    request(&Route::CreateInvitation { org, addr }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn revoke_invitation(
    org: OrganizationId,
    addr: MailboxId,
    invitation: i64,
) -> Result<(), ApiError> {
    request(
        &Route::RevokeInvitation {
            org,
            addr,
            invitation,
        },
        &(),
    )
    .send()
    .await
}

// ------------------------------------------------------ account security

pub async fn account_security() -> Result<account::AccountSecurity, ApiError> {
    request(&Route::AccountSecurity, &()).send().await
}

/// A new TOTP secret for an enrolment (the password first).
pub async fn start_totp(password: String) -> Result<account::TotpSetup, ApiError> {
    request(&Route::StartTotp, &())
        .with_json(&account::StartTotpRequest { password })
        .send()
        .await
}

/// The first code: two-factor sign-in on, the recovery codes shown once.
pub async fn confirm_totp(code: String) -> Result<account::RecoveryCodes, ApiError> {
    request(&Route::ConfirmTotp, &())
        .with_json(&account::CodeRequest { code })
        .send()
        .await
}

pub async fn disable_totp(password: String, code: String) -> Result<(), ApiError> {
    request(&Route::DisableTotp, &())
        .with_json(&account::DisableTotpRequest { password, code })
        .send()
        .await
}

pub async fn regenerate_recovery_codes(code: String) -> Result<account::RecoveryCodes, ApiError> {
    request(&Route::RegenerateRecoveryCodes, &())
        .with_json(&account::CodeRequest { code })
        .send()
        .await
}

pub async fn list_sessions() -> Result<account::AccountSessions, ApiError> {
    request(&Route::ListSessions, &()).send().await
}

/// Keeps the account's UI language (R-CLI-2).
pub async fn set_locale(locale: &str) -> Result<(), ApiError> {
    request(&Route::SetLocale, &())
        .with_json(&account::SetLocaleRequest {
            locale: locale.to_owned(),
        })
        .send()
        .await
}

pub async fn end_other_sessions() -> Result<account::EndedSessions, ApiError> {
    request(&Route::EndOtherSessions, &()).send().await
}

pub async fn end_session(id: String) -> Result<(), ApiError> {
    request(&Route::EndSession { id }, &()).send().await
}

// ---- Auto-reply and sorting rules -----------------------------------------

pub async fn get_auto_reply(
    mb: MailboxId,
) -> Result<postern_shared::filters::AutoReplySettings, ApiError> {
    request(&Route::GetAutoReply { mb }, &()).send().await
}

pub async fn put_auto_reply(
    mb: MailboxId,
    req: &postern_shared::filters::AutoReply,
) -> Result<postern_shared::filters::AutoReplySettings, ApiError> {
    request(&Route::PutAutoReply { mb }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn get_rules(mb: MailboxId) -> Result<postern_shared::filters::MailboxRules, ApiError> {
    request(&Route::GetRules { mb }, &()).send().await
}

pub async fn put_rules(
    mb: MailboxId,
    req: &postern_shared::filters::PutRules,
) -> Result<postern_shared::filters::MailboxRules, ApiError> {
    request(&Route::PutRules { mb }, &())
        .with_json(req)
        .send()
        .await
}

// ---- Spam filter and sender lists (R-SPAM) --------------------------------

pub async fn get_spam(mb: MailboxId) -> Result<postern_shared::spam::SpamSettings, ApiError> {
    request(&Route::GetSpam { mb }, &()).send().await
}

pub async fn put_spam(
    mb: MailboxId,
    req: &postern_shared::spam::UpdateSpamSettings,
) -> Result<postern_shared::spam::SpamSettings, ApiError> {
    request(&Route::PutSpam { mb }, &())
        .with_json(req)
        .send()
        .await
}

/// Adds (`remove` false) or removes entries of a mailbox's list.
pub async fn change_spam_senders(
    mb: MailboxId,
    req: &postern_shared::spam::SenderEntries,
    remove: bool,
) -> Result<postern_shared::spam::SpamSettings, ApiError> {
    let route = if remove {
        Route::RemoveSpamSenders { mb }
    } else {
        Route::AddSpamSenders { mb }
    };
    request(&route, &()).with_json(req).send().await
}

pub async fn get_org_spam(
    org: OrganizationId,
) -> Result<postern_shared::spam::OrgSpamLists, ApiError> {
    request(&Route::GetOrgSpam { org }, &()).send().await
}

/// Adds (`remove` false) or removes entries of a service's global list.
pub async fn change_org_spam_senders(
    org: OrganizationId,
    req: &postern_shared::spam::SenderEntries,
    remove: bool,
) -> Result<postern_shared::spam::OrgSpamLists, ApiError> {
    let route = if remove {
        Route::RemoveOrgSpamSenders { org }
    } else {
        Route::AddOrgSpamSenders { org }
    };
    request(&route, &()).with_json(req).send().await
}

pub async fn bulk_spam_filter(
    org: OrganizationId,
    mailboxes: Vec<MailboxId>,
    enabled: bool,
) -> Result<postern_shared::spam::BulkSpamFilterResult, ApiError> {
    request(&Route::BulkSpamFilter { org }, &())
        .with_json(&postern_shared::spam::BulkSpamFilterRequest { mailboxes, enabled })
        .send()
        .await
}

// ---- Support access (R-SUP) ------------------------------------------------

pub async fn get_support(
    mb: MailboxId,
) -> Result<postern_shared::support::SupportOverview, ApiError> {
    request(&Route::GetSupport { mb }, &()).send().await
}

/// Switches support access on for a kind of content, or shares one
/// message (the webmail reader's one call). The grant made is not read
/// (both callers reload or say "shared"): decoding it would link a
/// tagged-enum decoder of about 6 KB into the webmail.
pub async fn grant_support(
    mb: MailboxId,
    scope: postern_shared::support::SupportScope,
) -> Result<(), ApiError> {
    request(&Route::GrantSupport { mb }, &())
        .with_json(&scope)
        .send::<serde::de::IgnoredAny>()
        .await
        .map(|_| ())
}

pub async fn revoke_support(mb: MailboxId, id: String) -> Result<(), ApiError> {
    request(&Route::RevokeSupport { mb, id }, &()).send().await
}

// Support staff's reads (R-SUP): `id` is a grant's handle, never a
// mailbox id; every route is a `GET`, each read recorded for the holder.

pub async fn staff_grants() -> Result<postern_shared::support::StaffGrants, ApiError> {
    request(&Route::StaffGrants, &()).send().await
}

pub async fn staff_folders(id: String) -> Result<Vec<Folder>, ApiError> {
    request(&Route::StaffFolders { id }, &()).send().await
}

/// One page of `folder`, unfiltered; the next pages send the first's `anchor`.
pub async fn staff_messages(
    id: String,
    folder: &str,
    page: u32,
    anchor: Option<u32>,
) -> Result<MessagePage, ApiError> {
    let q = MessageListQuery {
        folder: folder.into(),
        filter: MessageFilter::All,
        page,
        q: None,
        anchor,
    };
    request(&Route::StaffMessages { id }, &q).send().await
}

/// The reading view; it never marks the message read.
pub async fn staff_message(id: String, folder: &str, uid: u32) -> Result<MessageView, ApiError> {
    request(&Route::StaffMessage { id, uid }, &in_folder(folder))
        .send()
        .await
}

pub fn staff_part_url(id: String, folder: &str, uid: u32, section: &str) -> String {
    let section = section.into();
    url(&Route::StaffPart { id, uid, section }, &in_folder(folder))
}

/// The sanitised HTML body, as the webmail's `body_html_url` (R-SUP).
pub fn staff_body_html_url(id: String, folder: &str, uid: u32, images: bool) -> String {
    url(
        &Route::StaffMessageHtml { id, uid },
        &body_html_query(folder, images),
    )
}

// ---- templates (R-TPL)

pub async fn list_templates(
    org: OrganizationId,
) -> Result<postern_shared::templates::OrgTemplates, ApiError> {
    request(&Route::ListTemplates { org }, &()).send().await
}

pub async fn create_template(
    org: OrganizationId,
    req: &postern_shared::templates::TemplateInput,
) -> Result<postern_shared::templates::Template, ApiError> {
    request(&Route::CreateTemplate { org }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn update_template(
    org: OrganizationId,
    template: postern_shared::templates::TemplateId,
    req: &postern_shared::templates::TemplateInput,
) -> Result<postern_shared::templates::Template, ApiError> {
    request(&Route::UpdateTemplate { org, template }, &())
        .with_json(req)
        .send()
        .await
}

pub async fn delete_template(
    org: OrganizationId,
    template: postern_shared::templates::TemplateId,
) -> Result<(), ApiError> {
    request(&Route::DeleteTemplate { org, template }, &())
        .send()
        .await
}

pub async fn apply_template(
    org: OrganizationId,
    template: postern_shared::templates::TemplateId,
    req: &postern_shared::templates::ApplyTemplateRequest,
) -> Result<postern_shared::templates::ApplyTemplateResult, ApiError> {
    request(&Route::ApplyTemplate { org, template }, &())
        .with_json(req)
        .send()
        .await
}

/// The visible templates a mailbox's user may start from.
pub async fn mailbox_templates(
    mb: MailboxId,
) -> Result<postern_shared::templates::MailboxTemplates, ApiError> {
    request(&Route::MailboxTemplates { mb }, &()).send().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_url_carries_folder_filter_search_and_anchor() {
        assert_eq!(
            list_url(
                2,
                "Projects/2026",
                MessageFilter::Unread,
                " café ",
                1,
                Some(900)
            ),
            "/api/mailboxes/2/messages?folder=Projects%2F2026&filter=unread&page=1&q=caf%C3%A9&anchor=900"
        );
        assert_eq!(
            list_url(2, "INBOX", MessageFilter::All, "", 0, None),
            "/api/mailboxes/2/messages?folder=INBOX&filter=all&page=0"
        );
        assert_eq!(
            part_url(2, "INBOX", 7, "1.2"),
            "/api/mailboxes/2/messages/7/parts/1.2?folder=INBOX"
        );
        assert_eq!(
            body_html_url(2, "A B", 7, true),
            "/api/mailboxes/2/messages/7/body.html?folder=A+B&images=allow"
        );
        assert_eq!(
            staff_body_html_url("ab12".into(), "A B", 7, false),
            "/api/support/access/ab12/messages/7/body.html?folder=A+B"
        );
        assert_eq!(upload_data_url("u1", 5), "/api/uploads/u1?offset=5");
    }
}
