//! Everything that crosses a process boundary in Postern is defined here, once:
//! the JSON API types (browser ↔ edge ↔ gateway), the error type with its
//! stable codes, and the pure domain rules (address syntax, permissions,
//! folder ordering, limits). No I/O: this crate compiles for the browser
//! (wasm32-unknown-unknown), the edge (wasm32-wasip2) and native code.

pub mod account;
pub mod address;
pub mod address_import;
pub mod admin;
pub mod api;
pub mod compose;
pub mod conversations;
pub mod devices;
pub mod error;
pub mod filters;
pub mod folders;
pub mod format;
pub mod html;
pub mod invitations;
pub mod limits;
pub mod live;
pub mod logs;
pub mod organization;
pub mod permissions;
pub mod privacy;
pub mod sending;
pub mod spam;
pub mod support;
pub mod templates;
pub mod transfers;
pub mod wire;

pub use error::{ApiError, ErrorCode, ErrorParams, ImportIssue};
pub use permissions::{Permission, PermissionSet};
