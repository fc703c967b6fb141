//! Uploads (resumable, streamed) and transfers (public download links for
//! big files, R-LIM-2..4). Routes in `ARCHITECTURE.md`.
//!
//! Every file the browser sends goes through an upload: `POST /api/uploads`
//! declares it, `PATCH /api/uploads/{id}?offset=N` appends the bytes
//! (`application/octet-stream`, in as many requests as the client likes, so
//! an interrupted upload resumes at `received`), `GET /api/uploads/{id}`
//! tells how far it got. A finished upload is referenced by a draft
//! ([`crate::compose::AttachmentRef::Upload`]) or grouped into a transfer
//! (`POST /api/transfers`). Nothing incomplete is ever downloadable.

use serde::{Deserialize, Serialize};

/// `POST /api/uploads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUpload {
    pub name: String,
    /// Exact size in bytes, declared up front (the gateway refuses more).
    pub size: u64,
    #[serde(default = "octet_stream")]
    pub content_type: String,
    /// From the standalone transfer page: up to 50 GiB (R-LIM-4) instead
    /// of the composer's 3 GiB (R-LIM-3).
    #[serde(default)]
    pub standalone: bool,
}

fn octet_stream() -> String {
    "application/octet-stream".into()
}

/// What the gateway will do with the file once it is complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UploadRoute {
    /// ≤ 25 MiB: a MIME attachment.
    Attachment,
    /// Larger: a transfer link in the message.
    Transfer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Upload {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
    /// Bytes stored so far; the next `PATCH` must start here.
    pub received: u64,
    pub route: UploadRoute,
    pub complete: bool,
}

/// `POST /api/transfers`: publish finished uploads as one transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewTransfer {
    pub uploads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferFile {
    pub id: String,
    pub name: String,
    pub size: u64,
    pub content_type: String,
}

/// A published transfer. `url` is the public download page
/// (`{public_url}/t/{token}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Transfer {
    pub token: String,
    pub url: String,
    pub files: Vec<TransferFile>,
    /// Unix seconds.
    pub created_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_upload_defaults_to_composer_octet_stream() {
        let u: NewUpload = serde_json::from_str(r#"{"name":"a.bin","size":3}"#).unwrap();
        assert_eq!(u.content_type, "application/octet-stream");
        assert!(!u.standalone);
    }
}
