//! The mail-service administration (`/v1/orgs/{org}/…`): who may use it
//! ([`access`]), the organisation's addresses ([`addresses`]), their
//! creation from a CSV file ([`import`]), who uses each mailbox
//! ([`users`]) and invitations to it ([`invitations`]); the
//! organisation's legal details ([`organization`], the DPA's controller).

pub mod access;
pub mod addresses;
pub mod import;
pub mod invitations;
pub mod organization;
pub mod users;
