//! The wire contract between the browser, the edge and the gateway: routes
//! (`routes`), query strings (`query`), header names (`headers`), which
//! browser app serves a page (`apps`), and the encodings both sides of a
//! header must agree on (`filename`, `content_type`). ARCHITECTURE.md's
//! route table is checked against it.

pub mod apps;
pub mod content_type;
pub mod filename;
pub mod headers;
pub mod query;
pub mod routes;

pub use routes::{Endpoint, Method, Route, RouteError};
