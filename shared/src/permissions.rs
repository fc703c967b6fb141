//! Roles and per-grant permissions (R-ID-2, R-ID-3).

use serde::{Deserialize, Serialize};

/// A user's role in an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Administrator,
    LegalRepresentative,
    User,
    /// Support staff of the host (R-SUP): meaningful only in the staff
    /// organisation (`organizations.staff`), where it reads the mailboxes
    /// whose users switched support access on, and nothing else.
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Administrator => "administrator",
            Role::LegalRepresentative => "legal_representative",
            Role::User => "user",
            Role::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "owner" => Role::Owner,
            "administrator" => Role::Administrator,
            "legal_representative" => Role::LegalRepresentative,
            "user" => Role::User,
            "staff" => Role::Staff,
            _ => return None,
        })
    }

    /// Owners and administrators manage the organisation's mail services.
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Administrator)
    }

    /// What each role may do in the administration (ARCHITECTURE.md lists
    /// this table).
    // A table, one line per action, rather than one `matches!`.
    #[allow(clippy::match_like_matches_macro)]
    pub fn may(self, action: Action) -> bool {
        use Action::*;
        use Role::*;
        match (action, self) {
            (ViewAddresses, Owner | Administrator | LegalRepresentative) => true,
            (ManageAddresses | ManageAccess | ManageSpam, Owner | Administrator) => true,
            (ManageTemplates, Owner | Administrator) => true,
            (ViewOrganization, Owner | Administrator | LegalRepresentative) => true,
            (ManageOrganization | GenerateDpa, Owner | Administrator) => true,
            // Staff only: an owner of the staff organisation reads no
            // customer's mail for being its owner.
            (ReadSupportedMailboxes, Staff) => true,
            (ViewLogs, Owner | Administrator | LegalRepresentative) => true,
            _ => false,
        }
    }
}

/// Something done in the portal's administration (R-ID-2). Which role may
/// do what is [`Role::may`]: one table, read by the gateway's checks and
/// by the UI's disabling alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// See the organisation's addresses and who uses each.
    ViewAddresses,
    /// Create, rename (the display name) and delete addresses, aliases,
    /// redirects, catch-alls.
    ManageAddresses,
    /// Give, narrow and withdraw access to a mailbox; invite (R-INV).
    ManageAccess,
    /// The service's global blocked/approved senders and the spam filter
    /// of many mailboxes at once (R-SPAM-3, R-SPAM-4).
    ManageSpam,
    /// Write the service's auto-reply and sorting-rule templates and apply
    /// an auto-reply template to many mailboxes (R-TPL).
    ManageTemplates,
    /// See the organisation's legal details (the DPA's controller).
    ViewOrganization,
    /// Change the organisation's legal details.
    ManageOrganization,
    /// Download the personalised Data Processing Agreement (R-GDPR-1).
    GenerateDpa,
    /// Read, read-only, what mailbox users opened to support (R-SUP); only
    /// in the staff organisation.
    ReadSupportedMailboxes,
    /// Read a mailbox's send and receive logs (R-LOG-3), together with the
    /// grant's `view_logs` permission on that mailbox.
    ViewLogs,
}

impl Action {
    pub const ALL: [Action; 10] = [
        Action::ViewAddresses,
        Action::ManageAddresses,
        Action::ManageAccess,
        Action::ManageSpam,
        Action::ManageTemplates,
        Action::ViewOrganization,
        Action::ManageOrganization,
        Action::GenerateDpa,
        Action::ReadSupportedMailboxes,
        Action::ViewLogs,
    ];

    /// Actions of an organisation's own administration (not support's).
    pub fn is_administration(self) -> bool {
        self != Action::ReadSupportedMailboxes
    }

    /// Why a role may not (shown beside a disabled control).
    pub fn refusal(self) -> &'static str {
        match self {
            Action::ViewAddresses => {
                "Only the organisation's owners, administrators and legal representatives see its addresses."
            }
            Action::ManageAddresses => {
                "Only the organisation's owners and administrators create, edit or delete addresses."
            }
            Action::ManageAccess => {
                "Only the organisation's owners and administrators give access to a mailbox."
            }
            Action::ManageSpam => {
                "Only the organisation's owners and administrators change the spam filter of its mailboxes and its sender lists."
            }
            Action::ManageTemplates => {
                "Only the organisation's owners and administrators write its templates and apply them to mailboxes."
            }
            Action::ViewOrganization => {
                "Only the organisation's owners, administrators and legal representatives see its legal details."
            }
            Action::ManageOrganization => {
                "Only the organisation's owners and administrators change its legal details."
            }
            Action::GenerateDpa => {
                "Only the organisation's owners and administrators download its Data Processing Agreement."
            }
            Action::ReadSupportedMailboxes => {
                "Only support staff read the mailboxes whose users switched support access on."
            }
            Action::ViewLogs => {
                "Only the organisation's owners, administrators and legal representatives holding the \"view logs\" permission on the mailbox read its logs."
            }
        }
    }
}

/// One thing an access grant (user × mailbox) may allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Read,
    Send,
    ManageFilters,
    ManageDevices,
    ViewLogs,
    Restore,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::Read,
        Permission::Send,
        Permission::ManageFilters,
        Permission::ManageDevices,
        Permission::ViewLogs,
        Permission::Restore,
    ];

    fn bit(self) -> u8 {
        1 << (self as u8)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::Read => "read",
            Permission::Send => "send",
            Permission::ManageFilters => "manage_filters",
            Permission::ManageDevices => "manage_devices",
            Permission::ViewLogs => "view_logs",
            Permission::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Permission::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A set of permissions. Serialised as a sorted list of names
/// (`["read","send"]`) so the wire format stays readable; stored by the
/// gateway as the integer from [`PermissionSet::bits`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PermissionSet(u8);

impl PermissionSet {
    pub const fn empty() -> Self {
        Self(0)
    }

    pub fn all() -> Self {
        Permission::ALL.into_iter().collect()
    }

    pub fn from_bits(bits: u8) -> Self {
        Self(bits & Self::all().0)
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, p: Permission) -> bool {
        self.0 & p.bit() != 0
    }

    pub fn with(mut self, p: Permission) -> Self {
        self.0 |= p.bit();
        self
    }

    pub fn without(mut self, p: Permission) -> Self {
        self.0 &= !p.bit();
        self
    }

    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL
            .into_iter()
            .filter(move |p| self.contains(*p))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromIterator<Permission> for PermissionSet {
    fn from_iter<I: IntoIterator<Item = Permission>>(iter: I) -> Self {
        iter.into_iter().fold(Self::empty(), PermissionSet::with)
    }
}

impl Serialize for PermissionSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for PermissionSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<Permission>::deserialize(d)?.into_iter().collect())
    }
}

/// On the wire a set is the list of its permissions.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PermissionSet {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        <Vec<Permission> as utoipa::PartialSchema>::schema()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PermissionSet {
    fn schemas(
        out: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        out.push((
            "Permission".into(),
            <Permission as utoipa::PartialSchema>::schema(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_round_trips_through_bits_and_json() {
        let set = PermissionSet::empty()
            .with(Permission::Read)
            .with(Permission::ViewLogs);
        assert!(set.contains(Permission::Read));
        assert!(!set.contains(Permission::Send));
        assert_eq!(PermissionSet::from_bits(set.bits()), set);
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, r#"["read","view_logs"]"#);
        assert_eq!(serde_json::from_str::<PermissionSet>(&json).unwrap(), set);
    }

    #[test]
    fn withdrawing_a_permission_keeps_the_others() {
        let set = PermissionSet::all().without(Permission::Send);
        assert!(!set.contains(Permission::Send));
        assert_eq!(set.iter().count(), 5);
    }

    #[test]
    fn only_owners_and_administrators_manage_and_users_see_nothing() {
        for action in Action::ALL.into_iter().filter(|a| a.is_administration()) {
            assert!(Role::Owner.may(action) && Role::Administrator.may(action));
            assert!(!Role::User.may(action), "{action:?}");
            assert!(!Role::Staff.may(action), "{action:?}");
        }
        assert!(Role::LegalRepresentative.may(Action::ViewAddresses));
        assert!(!Role::LegalRepresentative.may(Action::ManageAddresses));
        assert!(!Role::LegalRepresentative.may(Action::ManageAccess));
        assert!(!Role::LegalRepresentative.may(Action::ManageTemplates));
        // R-GDPR-1: they read the legal details, but neither change them
        // nor make the DPA.
        assert!(Role::LegalRepresentative.may(Action::ViewOrganization));
        assert!(!Role::LegalRepresentative.may(Action::ManageOrganization));
        assert!(!Role::LegalRepresentative.may(Action::GenerateDpa));
        // R-LOG-3: they read logs (with the grant's view_logs).
        assert!(Role::LegalRepresentative.may(Action::ViewLogs));
    }

    #[test]
    fn only_staff_read_supported_mailboxes() {
        let read = Action::ReadSupportedMailboxes;
        assert!(Role::Staff.may(read));
        for r in [
            Role::Owner,
            Role::Administrator,
            Role::LegalRepresentative,
            Role::User,
        ] {
            assert!(!r.may(read), "{r:?}");
        }
    }

    #[test]
    fn unknown_bits_are_ignored() {
        assert_eq!(PermissionSet::from_bits(0xFF), PermissionSet::all());
    }

    #[test]
    fn role_names_round_trip() {
        for r in [
            Role::Owner,
            Role::Administrator,
            Role::LegalRepresentative,
            Role::User,
            Role::Staff,
        ] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
