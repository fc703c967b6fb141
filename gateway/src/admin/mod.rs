//! The mail-service administration (`/v1/orgs/{org}/…`): who may use it
//! ([`access`]), the organisation's addresses ([`addresses`]), their
//! creation from a CSV file ([`import`]), who uses each mailbox
//! ([`users`]) and invitations to it ([`invitations`]).

pub mod access;
pub mod addresses;
pub mod import;
pub mod invitations;
pub mod users;
