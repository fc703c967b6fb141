//! The store's API in one place, for the HTTP handlers
//! (`routes/transfers.rs`), the sweeper and the tests: the blob directory
//! and the rows of `uploads`, `transfers` and `transfer_files` (migration
//! `0003_transfers.sql`). The code lives in the sibling modules, one
//! concern each; callers name only `store::…`, so the split stays private.

pub use super::append::append;
pub use super::claim::Claim;
pub use super::ids::{new_token, new_upload_id, valid_token, valid_upload_id};
pub use super::layout::{Blobs, TRANSFERS_DIR, UPLOADS_DIR};
pub use super::names::{MAX_NAME_BYTES, sanitize_content_type, sanitize_name};
pub use super::published::{FileRow, TransferRow, live_transfer, transfer_api};
pub use super::publishing::{MAX_TRANSFER_FILES, publish};
pub use super::route::route_for;
pub use super::uploads::{
    UploadRow, complete_upload, create_upload, delete_upload, get_upload, reconcile,
};
