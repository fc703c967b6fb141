//! Bodies of the mail-service administration (`/api/orgs/{org}/…`):
//! the organisation's addresses (R-ADDR), who uses each (R-ID-3).

use crate::api::{AccountId, MailboxId, OrganizationId};
use crate::compose::Signature;
use crate::invitations::{CreateInvitationRequest, CreatedInvitation};
use crate::permissions::{Action, PermissionSet, Role};
use serde::{Deserialize, Serialize};

pub type DomainId = i64;

/// What an address does with the mail sent to it (R-ADDR-3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddressKind {
    /// A mailbox: mail is stored, users read it through grants.
    Mailbox,
    /// Accepts no mail at all: refused at SMTP with a 5xx that says so.
    NoReply,
    /// Stores nothing: forwards each message to its targets.
    Redirect,
}

impl AddressKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AddressKind::Mailbox => "mailbox",
            AddressKind::NoReply => "no_reply",
            AddressKind::Redirect => "redirect",
        }
    }

    pub fn parse(s: &str) -> Option<AddressKind> {
        [
            AddressKind::Mailbox,
            AddressKind::NoReply,
            AddressKind::Redirect,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// `GET /api/orgs/{org}/addresses`: the address table of an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrgAddresses {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub organization: OrganizationId,
    /// The caller's role there, and what it allows (the UI disables the
    /// rest with [`Action::refusal`]).
    pub role: Role,
    pub allowed: Vec<Action>,
    pub domains: Vec<DomainInfo>,
    /// Sorted by address.
    pub addresses: Vec<AddressRow>,
    /// The organisation's accounts, to choose users from.
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainInfo {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DomainId,
    pub name: String,
    /// The mailbox that receives mail for unknown addresses of the domain.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub catch_all: Option<MailboxId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressRow {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: MailboxId,
    pub address: String,
    pub display_name: String,
    pub kind: AddressKind,
    /// Other addresses delivering into this mailbox (R-SEND-3 senders).
    pub aliases: Vec<String>,
    /// Where a redirect forwards to.
    pub redirect_to: Vec<String>,
    /// Who has access, with what.
    pub users: Vec<AddressUser>,
    /// R-SPAM-1: the mailbox's spam filter is on (mailboxes only; new ones
    /// start on).
    #[serde(default = "yes")]
    pub spam_filter: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddressUser {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account: AccountId,
    pub login: String,
    pub display_name: String,
    pub permissions: PermissionSet,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account: AccountId,
    pub login: String,
    pub display_name: String,
    pub role: Role,
}

/// Who gets the new mailbox (R-ADDR-2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Recipients {
    /// (a) The caller, with every permission, at once in their webmail.
    Myself,
    /// (b) Existing members of the organisation, each with permissions,
    /// and/or invitations: to an external email (emailed when asked) or a
    /// link for a new user (shown once, to copy). At least one of the two.
    Users {
        grants: Vec<NewGrant>,
        #[serde(default)]
        invitations: Vec<CreateInvitationRequest>,
    },
    /// (c) Nobody: it receives mail, has no password, shows nowhere.
    Nobody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewGrant {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub account: AccountId,
    pub permissions: PermissionSet,
}

/// `POST /api/orgs/{org}/addresses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAddressRequest {
    /// The part before `@` (R-ADDR-1).
    pub local_part: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub domain: DomainId,
    #[serde(default)]
    pub display_name: String,
    pub kind: AddressKind,
    /// For a mailbox: who uses it. Ignored for the other kinds.
    #[serde(default = "nobody")]
    pub recipients: Recipients,
    /// For a redirect: one or more addresses, local or external.
    #[serde(default)]
    pub redirect_to: Vec<String>,
    /// For a mailbox: it also receives the domain's unknown addresses.
    #[serde(default)]
    pub catch_all: bool,
    /// For a mailbox: its signature from the start (R-ADDR-2 (a)'s
    /// signature template; the same rules as `PUT …/signature`).
    #[serde(default)]
    pub signature: Option<Signature>,
}

/// The answer to a creation: the new row and, for mode (b), each
/// invitation made with it (the only time their links are shown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedAddress {
    pub address: AddressRow,
    /// In the order asked.
    pub invitations: Vec<CreatedInvitation>,
}

fn nobody() -> Recipients {
    Recipients::Nobody
}

/// `POST /api/orgs/{org}/addresses/delete`: for good, with their mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeleteAddressesRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub ids: Vec<MailboxId>,
}

/// The answer to a deletion: what went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedAddresses {
    pub deleted: Vec<String>,
}

/// `PATCH /api/orgs/{org}/addresses/{addr}`: what an address is called
/// (any kind). The webmail's mailbox list and the `From:` of the mail it
/// sends show the new name from the next request on. Trimmed; at most
/// [`crate::limits::MAX_DISPLAY_NAME_CHARS`] characters, no control
/// character (else 400 `bad_request` with `field` = `display_name` and
/// the `limit`); empty is allowed (no name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateAddressRequest {
    pub display_name: String,
}

/// `POST /api/orgs/{org}/addresses/{mb}/aliases`: another address of a
/// mailbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddAliasRequest {
    pub local_part: String,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub domain: DomainId,
}

/// `PUT /api/orgs/{org}/domains/{domain}/catch-all`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetCatchAllRequest {
    /// `None` switches the catch-all off.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub mailbox: Option<MailboxId>,
}

/// `PUT /api/orgs/{org}/addresses/{addr}/users/{account}`: the user's
/// permissions on the mailbox from now on (their very next request).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetAccessRequest {
    pub permissions: PermissionSet,
}

/// `POST /api/orgs/{org}/addresses/import/preview` and
/// `POST /api/orgs/{org}/addresses/import` (R-ADDR-4): the text of a CSV
/// file (its format: [`crate::address_import`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportAddressesRequest {
    /// The whole file, UTF-8 (a byte-order mark is ignored), at most
    /// 2 MiB and 5,000 rows.
    pub csv: String,
    /// The importer's language (`en`, `es`): the invitations' emails'.
    #[serde(default)]
    pub language: Option<String>,
}

/// The answer to a preview: every row as it was read, with its own errors;
/// nothing is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreview {
    /// In file order.
    pub rows: Vec<ImportRow>,
    /// Rows read (blank lines are not rows).
    pub total: u32,
    /// Rows without errors.
    pub valid: u32,
    /// Rows with at least one error; the import creates nothing unless
    /// this is 0.
    pub invalid: u32,
}

/// One row of a CSV file, as read and checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportRow {
    /// Its first line as the author counts them (the header is line 1).
    pub line: u32,
    /// `local@domain`, trimmed and lower-cased (as typed when unreadable).
    pub address: String,
    pub display_name: String,
    /// `None` when the `kind` cell names no kind.
    pub kind: Option<AddressKind>,
    pub users: Vec<ImportUser>,
    /// People invited by email (the `invite` column).
    #[serde(default)]
    pub invite: Vec<ImportInvite>,
    pub redirect_to: Vec<String>,
    /// Empty when the row can be created.
    pub errors: Vec<crate::ImportIssue>,
}

/// A user of an imported mailbox: a member's login and the permissions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportUser {
    pub login: String,
    /// The member's account; `None` when no member has this login.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub account: Option<AccountId>,
    pub permissions: PermissionSet,
}

/// Someone an imported mailbox invites (R-INV), by email.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportInvite {
    pub email: String,
    pub permissions: PermissionSet,
}

/// The answer to an import: every address created, in file order, and
/// the invitations made for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedAddresses {
    pub created: Vec<AddressRow>,
    /// In file order; a link whose email could not be sent is here to
    /// hand over instead (`email_error`).
    #[serde(default)]
    pub invitations: Vec<ImportedInvitation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedInvitation {
    /// The new mailbox's address.
    pub address: String,
    pub invitation: CreatedInvitation,
}
