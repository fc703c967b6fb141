//! Writing, sending, uploads and transfers as the browser does them
//! (`shared::compose`, `shared::transfers`; routes in `ARCHITECTURE.md`),
//! plus the rows the UI cannot create yet (device passwords, aliases) and
//! the clock changes a test needs (an expired transfer), written straight
//! into the stack's database.

use crate::fixtures::{Fixture, provisioner};
use crate::{ApiClient, ApiFailure, Stack, unique};
use postern_shared::api::{EmailAddress, MailboxId};
use postern_shared::compose::{
    AttachmentRef, Draft, OpenedDraft, OriginalRef, Outgoing, SaveDraftRequest, SavedDraft,
    SendRequest, SendingIdentity,
};
use postern_shared::transfers::{NewTransfer, NewUpload, Transfer, Upload};
use postern_shared::wire::query::{UploadOffsetQuery, to_query};
use postern_shared::wire::routes::Route;
use reqwest::Method;
use sha2::{Digest, Sha256};

/// `EmailAddress` without a display name.
pub fn addr(address: &str) -> EmailAddress {
    EmailAddress {
        name: None,
        address: address.to_string(),
    }
}

/// A draft to `to` with a subject and a one-line text body.
pub fn draft(to: &[&str], subject: &str) -> Draft {
    Draft {
        to: to.iter().map(|a| addr(a)).collect(),
        subject: subject.to_string(),
        text: format!("Text of {subject}.\n"),
        ..Draft::default()
    }
}

/// `n` distinct addresses at the sink (`r<i>-<tag>@elsewhere.test`).
pub fn sink_addresses(tag: &str, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("r{i}-{tag}@elsewhere.test"))
        .collect()
}

/// A reply/forward reference to `folder`/`uid`.
pub fn original(folder: &str, uid: u32, kind: postern_shared::compose::ReplyKind) -> OriginalRef {
    OriginalRef {
        folder: folder.to_string(),
        uid,
        kind,
    }
}

/// Deterministic, incompressible test bytes: byte `i` of a file depends on
/// `seed` and `i` only, so any range can be produced (and checked) alone.
pub fn pattern(seed: u64, offset: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut i = offset;
    while out.len() < len {
        // splitmix64 of the 8-byte block index.
        let block = i / 8;
        let mut z = block
            .wrapping_add(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let bytes = z.to_le_bytes();
        let start = (i % 8) as usize;
        let take = (8 - start).min(len - out.len());
        out.extend_from_slice(&bytes[start..start + take]);
        i += take as u64;
    }
    out
}

impl ApiClient {
    /// `POST /api/mailboxes/{mb}/drafts`.
    pub async fn save_draft(
        &self,
        mb: MailboxId,
        draft: &Draft,
        replaces: Option<u32>,
    ) -> Result<SavedDraft, ApiFailure> {
        let body = SaveDraftRequest {
            draft: draft.clone(),
            replaces,
        };
        self.post(&Route::SaveDraft { mb }.path(), &body).await
    }

    /// `GET /api/mailboxes/{mb}/drafts/{uid}`.
    pub async fn open_draft(&self, mb: MailboxId, uid: u32) -> Result<OpenedDraft, ApiFailure> {
        self.get(&Route::GetDraft { mb, uid }.path()).await
    }

    /// `POST /api/mailboxes/{mb}/send` with `undo_seconds` 0 (sent at once).
    pub async fn send_now(
        &self,
        mb: MailboxId,
        draft: &Draft,
        draft_uid: Option<u32>,
    ) -> Result<Outgoing, ApiFailure> {
        self.send_with_undo(mb, draft, draft_uid, 0).await
    }

    /// `POST /api/mailboxes/{mb}/send`.
    pub async fn send_with_undo(
        &self,
        mb: MailboxId,
        draft: &Draft,
        draft_uid: Option<u32>,
        undo_seconds: u32,
    ) -> Result<Outgoing, ApiFailure> {
        let body = SendRequest {
            draft: draft.clone(),
            draft_uid,
            undo_seconds,
        };
        self.post(&Route::Send { mb }.path(), &body).await
    }

    /// `GET /api/mailboxes/{mb}/identities`: addresses and today's quota.
    pub async fn identities(&self, mb: MailboxId) -> Result<SendingIdentity, ApiFailure> {
        self.get(&Route::Identities { mb }.path()).await
    }

    /// `POST /api/uploads`.
    pub async fn create_upload(
        &self,
        name: &str,
        size: u64,
        standalone: bool,
    ) -> Result<Upload, ApiFailure> {
        let body = NewUpload {
            name: name.to_string(),
            size,
            content_type: "application/octet-stream".into(),
            standalone,
        };
        self.post(&Route::CreateUpload.path(), &body).await
    }

    /// `GET /api/uploads/{id}`.
    pub async fn upload(&self, id: &str) -> Result<Upload, ApiFailure> {
        self.get(&Route::GetUpload { id: id.into() }.path()).await
    }

    /// `PATCH /api/uploads/{id}?offset=N` with raw bytes.
    pub async fn upload_chunk(
        &self,
        id: &str,
        offset: u64,
        bytes: Vec<u8>,
    ) -> Result<Upload, ApiFailure> {
        let rb = self
            .request(
                Method::PATCH,
                &Route::UploadData { id: id.into() }
                    .path_with(&to_query(&UploadOffsetQuery { offset })),
            )
            .header("content-type", "application/octet-stream")
            .body(bytes);
        ApiClient::send(rb).await
    }

    /// `DELETE /api/uploads/{id}`.
    pub async fn delete_upload(&self, id: &str) -> Result<(), ApiFailure> {
        self.delete(&Route::DeleteUpload { id: id.into() }.path())
            .await
    }

    /// Declares and uploads a whole file (bytes [`pattern`]`(seed, …)`) in
    /// `chunks` PATCH requests; returns the finished upload.
    pub async fn upload_pattern(
        &self,
        name: &str,
        size: u64,
        seed: u64,
        chunks: u64,
    ) -> Result<Upload, ApiFailure> {
        let up = self.create_upload(name, size, false).await?;
        let step = size.div_ceil(chunks.max(1)).max(1);
        let mut offset = 0;
        let mut last = up;
        while offset < size {
            let len = step.min(size - offset);
            last = self
                .upload_chunk(&last.id, offset, pattern(seed, offset, len as usize))
                .await?;
            offset += len;
        }
        Ok(last)
    }

    /// `POST /api/transfers`.
    pub async fn publish_transfer(&self, uploads: &[&str]) -> Result<Transfer, ApiFailure> {
        let body = NewTransfer {
            uploads: uploads.iter().map(|s| s.to_string()).collect(),
        };
        self.post(&Route::CreateTransfer.path(), &body).await
    }
}

/// An attachment reference to a finished upload.
pub fn upload_ref(id: &str) -> AttachmentRef {
    AttachmentRef::Upload { id: id.to_string() }
}

/// Lower-hex SHA-256, as `device_passwords.pw_sha256` stores it.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Runs one statement on the stack's database.
pub async fn execute(sql: &str, binds: &[SqlValue<'_>]) {
    let p = provisioner().await;
    let mut q = sqlx::query(sql);
    for b in binds {
        q = match b {
            SqlValue::Int(i) => q.bind(*i),
            SqlValue::Text(t) => q.bind(t.to_string()),
        };
    }
    let res = q.execute(p.db()).await;
    p.db().close().await;
    res.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// A bound parameter of [`execute`].
#[derive(Debug, Clone, Copy)]
pub enum SqlValue<'a> {
    Int(i64),
    Text(&'a str),
}

impl Fixture {
    /// A device password (R-DEV) for this fixture's mailbox, as the portal
    /// will create it: a row of `device_passwords` with the SHA-256 of the
    /// password, which Dovecot's SQL passdb checks. Returns the password.
    pub async fn device_password(&self) -> String {
        let password = format!("Dev{}Pw", unique("d").replace('x', "X"));
        execute(
            "INSERT INTO device_passwords (mailbox_id, username, label, pw_sha256, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                SqlValue::Int(self.mailbox),
                SqlValue::Text(&self.address),
                SqlValue::Text("integration test"),
                SqlValue::Text(&sha256_hex(password.as_bytes())),
                SqlValue::Int(now()),
            ],
        )
        .await;
        password
    }

    /// An alias of this fixture's mailbox (`<local>@<domain>`, a row of
    /// `aliases`). Returns the alias address.
    pub async fn add_alias(&self, local: &str) -> String {
        let alias = format!("{local}@{}", self.domain);
        execute(
            "INSERT INTO aliases (mailbox_id, address) VALUES ($1, $2)",
            &[SqlValue::Int(self.mailbox), SqlValue::Text(&alias)],
        )
        .await;
        alias
    }
}

impl Stack {
    /// Moves a transfer's expiry into the past, as time would.
    pub async fn expire_transfer(&self, token: &str) {
        execute(
            "UPDATE transfers SET expires_at = $1 WHERE token = $2",
            &[SqlValue::Int(now() - 60), SqlValue::Text(token)],
        )
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_range_of_a_pattern_matches_the_whole() {
        let whole = pattern(5, 0, 1000);
        for (off, len) in [(0, 1), (3, 17), (8, 8), (999, 1), (123, 500)] {
            assert_eq!(pattern(5, off as u64, len), whole[off..off + len]);
        }
        assert_ne!(pattern(6, 0, 64), whole[..64]);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
