//! The mail-service administration (`/v1/orgs/{org}/…`): who may use it
//! ([`access`]) and the organisation's addresses ([`addresses`]).

pub mod access;
pub mod addresses;
