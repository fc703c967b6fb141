//! Postern's gateway: the native service behind the edge. It owns the
//! database (accounts, sessions, grants, mailboxes), checks every request's
//! edge secret, session and grant, and reads/writes mail over IMAP as the
//! Dovecot master user. See `ARCHITECTURE.md` for the contract.

pub mod admin;
pub mod auth;
pub mod body_cache;
pub mod config;
pub mod conversations;
pub mod db;
pub mod devices;
pub mod dpa;
pub mod error;
pub mod filters;
pub mod grants;
pub mod imap;
pub mod invitations;
pub mod ledger;
pub mod live;
pub mod maillog;
pub mod memory;
pub mod openapi;
pub mod postfix;
pub mod provision;
pub mod routes;
pub mod seed;
pub mod send;
pub mod server;
#[cfg(test)]
mod sieve_tools;
pub mod spam;
pub mod state;
pub mod support;
pub mod transfers;

pub use provision::Provisioner;
