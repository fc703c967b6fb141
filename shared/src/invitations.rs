//! Sharing a mailbox (R-INV): the users tab of a mailbox, invitations and
//! their acceptance. An invitation is a single-use link valid
//! [`INVITATION_DAYS`] days; the link carries a random token, only its hash
//! is stored. Accepting never transmits a password (R-ID-4).

use crate::admin::{AddressRow, Member};
use crate::api::{MailboxId, OrganizationId};
use crate::error::ApiError;
use crate::permissions::{Action, PermissionSet, Role};
use serde::{Deserialize, Serialize};

pub type InvitationId = i64;

/// R-INV-2: how long a link stays valid.
pub const INVITATION_DAYS: i64 = 30;

/// Shortest account password accepted at sign-up.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// `GET /api/orgs/{org}/addresses/{addr}/users`: the users tab.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxUsers {
    /// The mailbox, with everyone who has access and their permissions.
    pub mailbox: AddressRow,
    /// Links sent and not yet accepted, revoked or expired; newest first.
    pub invitations: Vec<PendingInvitation>,
    /// The caller's role in the organisation and what it allows.
    pub role: Role,
    pub allowed: Vec<Action>,
    /// Why the caller cannot invite anyone here (R-INV-4); `None`: they can.
    pub invite_blocked: Option<InviteBlock>,
    /// The organisation's accounts, to add one at once (R-INV-1).
    pub members: Vec<Member>,
}

/// R-INV-4: the three reasons an invitation is impossible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InviteBlock {
    /// The caller's role may not manage access.
    NoPermission,
    /// The mailbox address is the login of an account: it is someone's
    /// personal address, not a mailbox to share.
    AddressIsLogin,
    /// A user of this mailbox has the mailbox address as their own.
    UserHasAddress,
}

impl InviteBlock {
    pub fn as_str(self) -> &'static str {
        match self {
            InviteBlock::NoPermission => "no_permission",
            InviteBlock::AddressIsLogin => "address_is_login",
            InviteBlock::UserHasAddress => "user_has_address",
        }
    }

    pub fn parse(s: &str) -> Option<InviteBlock> {
        [
            InviteBlock::NoPermission,
            InviteBlock::AddressIsLogin,
            InviteBlock::UserHasAddress,
        ]
        .into_iter()
        .find(|b| b.as_str() == s)
    }

    /// The reason as the UI shows it beside the disabled button (English;
    /// the UI words it from [`InviteBlock::as_str`] in its language).
    pub fn message(self) -> &'static str {
        match self {
            InviteBlock::NoPermission => Action::ManageAccess.refusal(),
            InviteBlock::AddressIsLogin => {
                "This address is the login of an account: it cannot be shared by invitation."
            }
            InviteBlock::UserHasAddress => {
                "A user of this mailbox has this address as their own: it cannot be shared by invitation."
            }
        }
    }
}

/// An invitation not yet used, as the users tab lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingInvitation {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: InvitationId,
    /// Who it was sent to; `None` for a link handed over by the inviter.
    pub email: Option<String>,
    pub permissions: PermissionSet,
    /// Who created it (display name, or login when there is none).
    pub invited_by: String,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
    /// Whether it was emailed.
    pub emailed: bool,
}

/// `POST /api/orgs/{org}/addresses/{addr}/invitations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateInvitationRequest {
    /// The invitee's address; required to email the link.
    #[serde(default)]
    pub email: Option<String>,
    pub permissions: PermissionSet,
    /// Email the link to `email` through the mail service.
    #[serde(default)]
    pub send_email: bool,
    /// The inviter's language (`en`, `es`): the email's.
    #[serde(default)]
    pub language: Option<String>,
}

/// The answer to a new invitation: the only time the link is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedInvitation {
    pub invitation: PendingInvitation,
    /// The full link (`<public URL>/invite/<token>`).
    pub link: String,
    /// Why the email could not be sent (the invitation stands: hand the
    /// link over instead); `None` when sent or not asked for.
    pub email_error: Option<ApiError>,
}

/// `GET /api/invitations/{token}`: what the invitation page shows to
/// whoever holds the link (nothing more: no other address, no account).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    /// The shared mailbox's address and name.
    pub address: String,
    pub display_name: String,
    /// The organisation that shares it, and who invited.
    pub organization: String,
    pub invited_by: String,
    pub permissions: PermissionSet,
    /// The address it was sent to, when it was emailed.
    pub email: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

/// `POST /api/invitations/{token}/accept` (signed in): where the mailbox
/// appears in the invitee's webmail (R-INV-3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitationRequest {
    pub organization: OrganizationChoice,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OrganizationChoice {
    /// One of the invitee's organisations.
    Existing {
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        id: OrganizationId,
    },
    /// A new organisation the invitee owns.
    New { name: String },
}

/// The answer to an acceptance: the mailbox, now in the invitee's webmail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptedInvitation {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub mailbox: MailboxId,
    pub address: String,
    pub permissions: PermissionSet,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub organization: OrganizationId,
}

/// `POST /api/invitations/{token}/account`: create an account to accept
/// with (signed in at once). Only with a usable invitation: there is no
/// open registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignUpRequest {
    /// The login: an email address (may be the invited one).
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub display_name: String,
}

/// Edge → gateway form of [`SignUpRequest`] (the edge adds the client
/// address, as for sign-in).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GatewaySignUpRequest {
    pub login: String,
    pub password: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub client_ip: Option<String>,
}

/// The link's path for a token (the portal's `/invite/…` page).
pub fn invitation_path(token: &str) -> String {
    format!("/invite/{token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip_and_say_why() {
        for b in [
            InviteBlock::NoPermission,
            InviteBlock::AddressIsLogin,
            InviteBlock::UserHasAddress,
        ] {
            assert_eq!(InviteBlock::parse(b.as_str()), Some(b));
            assert!(!b.message().is_empty());
        }
        assert_eq!(InviteBlock::parse("nope"), None);
    }

    #[test]
    fn organisation_choice_on_the_wire() {
        let c: OrganizationChoice =
            serde_json::from_str(r#"{"kind":"new","name":"Home"}"#).unwrap();
        assert_eq!(
            c,
            OrganizationChoice::New {
                name: "Home".into()
            }
        );
        let c: OrganizationChoice = serde_json::from_str(r#"{"kind":"existing","id":7}"#).unwrap();
        assert_eq!(c, OrganizationChoice::Existing { id: 7 });
    }
}
