//! The blob store (a directory) and the rows of `uploads`, `transfers` and
//! `transfer_files` (migration `0003_transfers.sql`).
//!
//! Layout under `POSTERN_BLOB_DIR`:
//! - `uploads/<id>`: the bytes of an upload, complete or not;
//! - `transfers/<token>/<file id>`: published files. A transfer's directory
//!   is assembled as `transfers/.staging-<token>/` and renamed into place in
//!   one step, inside the database transaction that writes its rows, so a
//!   half-made transfer is never reachable.
//!
//! `received` is the durable length: it is recorded only after the bytes
//! are flushed and synced, and on every read it is reconciled with the
//! file (the smaller of the two wins), so a crash or a broken connection
//! never makes an upload claim bytes it does not have.

use std::collections::HashSet;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use axum::body::Body;
use futures_util::StreamExt;
use postern_shared::api::AccountId;
use postern_shared::limits::{
    MAX_ATTACHMENT_BYTES, MAX_STANDALONE_TRANSFER_BYTES, MAX_WEBMAIL_TRANSFER_BYTES,
};
use postern_shared::transfers::{NewUpload, Transfer, TransferFile, Upload, UploadRoute};
use postern_shared::{ApiError, ErrorCode};
use tokio::io::{AsyncSeekExt, AsyncWriteExt, BufWriter};

use crate::db::Db;
use crate::error::{AppError, AppResult};

pub const UPLOADS_DIR: &str = "uploads";
pub const TRANSFERS_DIR: &str = "transfers";
const STAGING_PREFIX: &str = ".staging-";
/// Longest file name kept, in bytes (R-LIM; most file systems' limit).
pub const MAX_NAME_BYTES: usize = 255;
/// Most files in one transfer.
pub const MAX_TRANSFER_FILES: usize = 100;
/// `received` is made durable and recorded at least this often while a
/// body streams in, so a broken connection keeps (almost) all it sent.
const CHECKPOINT_BYTES: u64 = 16 * 1024 * 1024;
/// Write buffer between the request body and the file.
const WRITE_BUFFER: usize = 1024 * 1024;

// ------------------------------------------------------------------ ids

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// 128 random bits, hex.
pub fn new_upload_id() -> String {
    random_hex(16)
}

/// 160 random bits, hex: the secret of a public download link.
pub fn new_token() -> String {
    random_hex(20)
}

fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Ids and tokens end up in file paths: only well-formed ones are looked up.
pub fn valid_upload_id(s: &str) -> bool {
    is_lower_hex(s, 32)
}

pub fn valid_token(s: &str) -> bool {
    is_lower_hex(s, 40)
}

// ------------------------------------------------------------ validation

/// A file name without path separators or control characters, at most
/// [`MAX_NAME_BYTES`] bytes; `None` when nothing usable is left.
pub fn sanitize_name(raw: &str) -> Option<String> {
    let cleaned: String = raw
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim();
    let mut end = trimmed.len().min(MAX_NAME_BYTES);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let name = trimmed[..end].trim_end();
    (!name.is_empty() && name != "." && name != "..").then(|| name.to_string())
}

/// `type/subtype` (lower-cased, parameters dropped) or `application/octet-stream`.
pub fn sanitize_content_type(raw: &str) -> String {
    postern_shared::wire::content_type::sanitize(raw)
}

/// R-LIM-2..4: where a file of `size` bytes goes, or why it is refused.
pub fn route_for(size: u64, standalone: bool) -> Result<UploadRoute, ApiError> {
    if standalone {
        if size > MAX_STANDALONE_TRANSFER_BYTES {
            return Err(ApiError::new(
                ErrorCode::AttachmentTooLarge,
                "Files larger than 50 GiB cannot be transferred.",
            ));
        }
        return Ok(UploadRoute::Transfer);
    }
    if size > MAX_WEBMAIL_TRANSFER_BYTES {
        return Err(ApiError::new(
            ErrorCode::AttachmentTooLarge,
            "Files larger than 3 GiB cannot be sent from the webmail. Use the standalone \
             transfer page, which accepts files up to 50 GiB.",
        ));
    }
    Ok(if size <= MAX_ATTACHMENT_BYTES {
        UploadRoute::Attachment
    } else {
        UploadRoute::Transfer
    })
}

fn route_str(r: UploadRoute) -> &'static str {
    match r {
        UploadRoute::Attachment => "attachment",
        UploadRoute::Transfer => "transfer",
    }
}

// ------------------------------------------------------------------ blobs

/// Paths in the blob directory.
#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

impl Blobs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Blobs { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn upload_path(&self, id: &str) -> PathBuf {
        self.root.join(UPLOADS_DIR).join(id)
    }

    pub fn transfer_dir(&self, token: &str) -> PathBuf {
        self.root.join(TRANSFERS_DIR).join(token)
    }

    fn staging_dir(&self, token: &str) -> PathBuf {
        self.root
            .join(TRANSFERS_DIR)
            .join(format!("{STAGING_PREFIX}{token}"))
    }

    /// The stored (relative) path of a published file.
    fn relative_file(token: &str, id: &str) -> String {
        format!("{TRANSFERS_DIR}/{token}/{id}")
    }

    /// A stored relative path, refused if it could leave the blob directory.
    pub fn resolve(&self, relative: &str) -> Option<PathBuf> {
        let ok = !relative.is_empty()
            && relative
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
        ok.then(|| self.root.join(relative))
    }
}

async fn remove_file_if_exists(path: &Path) -> std::io::Result<()> {
    match tokio::fs::remove_file(path).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------- uploads

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub account_id: i64,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub received: i64,
    pub route: String,
    pub standalone: i64,
    pub created_at: i64,
    pub completed_at: Option<i64>,
}

impl UploadRow {
    pub fn is_complete(&self) -> bool {
        self.completed_at.is_some() && self.received == self.size
    }

    pub fn to_api(&self) -> Upload {
        Upload {
            id: self.id.clone(),
            name: self.name.clone(),
            size: self.size as u64,
            content_type: self.content_type.clone(),
            received: self.received as u64,
            route: if self.route == "transfer" {
                UploadRoute::Transfer
            } else {
                UploadRoute::Attachment
            },
            complete: self.is_complete(),
        }
    }
}

const UPLOAD_COLUMNS: &str = "id, account_id, name, size, content_type, received, route, \
                              standalone, created_at, completed_at";

/// Declares an upload and creates its (empty) file.
pub async fn create_upload(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    req: NewUpload,
    now: i64,
) -> AppResult<UploadRow> {
    let name =
        sanitize_name(&req.name).ok_or_else(|| AppError::bad_request("The file needs a name."))?;
    let route = route_for(req.size, req.standalone)?;
    let size = i64::try_from(req.size).map_err(|_| AppError::bad_request("Invalid size."))?;
    let row = UploadRow {
        id: new_upload_id(),
        account_id: account,
        name,
        size,
        content_type: sanitize_content_type(&req.content_type),
        received: 0,
        route: route_str(route).into(),
        standalone: i64::from(req.standalone),
        created_at: now,
        // An empty file is complete as soon as it is declared.
        completed_at: (size == 0).then_some(now),
    };
    let path = blobs.upload_path(&row.id);
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| AppError::internal(format_args!("blob dir {}: {e}", dir.display())))?;
    }
    tokio::fs::File::create(&path)
        .await
        .map_err(|e| AppError::internal(format_args!("upload file: {e}")))?;
    let inserted = sqlx::query(
        "INSERT INTO uploads (id, account_id, name, size, content_type, received, route, \
         standalone, created_at, completed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(row.account_id)
    .bind(&row.name)
    .bind(row.size)
    .bind(&row.content_type)
    .bind(row.received)
    .bind(&row.route)
    .bind(row.standalone)
    .bind(row.created_at)
    .bind(row.completed_at)
    .execute(db)
    .await;
    if let Err(e) = inserted {
        let _ = remove_file_if_exists(&path).await;
        return Err(e.into());
    }
    tracing::info!(upload = %row.id, account, size, route = %row.route, "upload declared");
    Ok(row)
}

/// The upload `id` of `account` (`not_found` for anyone else's).
pub async fn get_upload(db: &Db, account: AccountId, id: &str) -> AppResult<UploadRow> {
    if !valid_upload_id(id) {
        return Err(ErrorCode::NotFound.into());
    }
    let row: Option<UploadRow> = sqlx::query_as(&format!(
        "SELECT {UPLOAD_COLUMNS} FROM uploads WHERE id = ? AND account_id = ?"
    ))
    .bind(id)
    .bind(account)
    .fetch_optional(db)
    .await?;
    row.ok_or_else(|| ErrorCode::NotFound.into())
}

/// Trusts the smaller of the file's length and the recorded `received`
/// (bytes past the record were never acknowledged; bytes missing from the
/// file were lost in a crash) and records the result.
pub async fn reconcile(db: &Db, blobs: &Blobs, mut row: UploadRow) -> AppResult<UploadRow> {
    let on_disk = match tokio::fs::metadata(blobs.upload_path(&row.id)).await {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
        Err(e) => return Err(AppError::internal(format_args!("upload metadata: {e}"))),
    };
    let durable = (row.received.max(0) as u64).min(on_disk) as i64;
    if durable != row.received {
        tracing::warn!(upload = %row.id, recorded = row.received, on_disk, "upload length reconciled");
        row.received = durable;
        row.completed_at = None;
        sqlx::query("UPDATE uploads SET received = ?, completed_at = NULL WHERE id = ?")
            .bind(durable)
            .bind(&row.id)
            .execute(db)
            .await?;
    }
    Ok(row)
}

/// Removes an upload of `account`: row, then file.
pub async fn delete_upload(db: &Db, blobs: &Blobs, account: AccountId, id: &str) -> AppResult<()> {
    let row = get_upload(db, account, id).await?;
    sqlx::query("DELETE FROM uploads WHERE id = ?")
        .bind(&row.id)
        .execute(db)
        .await?;
    remove_file_if_exists(&blobs.upload_path(&row.id))
        .await
        .map_err(|e| AppError::internal(format_args!("removing upload: {e}")))?;
    Ok(())
}

/// Uploads being written to or published right now (in this process): a
/// second writer would interleave bytes at the same offset.
fn busy() -> &'static Mutex<HashSet<String>> {
    static BUSY: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    BUSY.get_or_init(|| Mutex::new(HashSet::new()))
}

/// Exclusive use of an upload until dropped.
pub struct Claim(String);

impl Claim {
    pub fn take(id: &str) -> Option<Claim> {
        let mut set = busy().lock().unwrap_or_else(|p| p.into_inner());
        set.insert(id.to_string()).then(|| Claim(id.to_string()))
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        busy()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.0);
    }
}

fn busy_error() -> AppError {
    AppError::new(
        ErrorCode::UploadOffset,
        "Another request is still writing to this upload; wait, then resume at `received`.",
    )
}

/// May `offset` (and `content_length` more bytes) be written now? Claims
/// the upload if so.
async fn check_append(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
    offset: u64,
    content_length: Option<u64>,
) -> AppResult<(Claim, UploadRow)> {
    let row = get_upload(db, account, id).await?;
    let claim = Claim::take(&row.id).ok_or_else(busy_error)?;
    let row = reconcile(db, blobs, row).await?;
    let received = row.received as u64;
    let size = row.size as u64;
    if offset != received {
        return Err(ApiError::new(
            ErrorCode::UploadOffset,
            format!("The upload continues at byte {received}, not at byte {offset}."),
        )
        .with(|p| p.received = Some(received))
        .into());
    }
    if let Some(len) = content_length
        && offset.saturating_add(len) > size
    {
        return Err(too_many_bytes(size));
    }
    Ok((claim, row))
}

/// Reads and drops a refused request's body (a slice is at most a few MiB)
/// before the refusal goes out: a connection closed with unread bytes is
/// reset, and the reset can destroy the refusal before the client reads
/// it (the edge then saw "gateway unavailable" instead of a 409).
async fn drain(body: Body) {
    const MOST: usize = 16 * 1024 * 1024;
    let read_all = async {
        let mut stream = body.into_data_stream();
        let mut n = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            n += chunk.len();
            if n > MOST {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), read_all).await;
}

/// Appends `body` at `offset` (which must be the durable `received`).
/// The bytes go to disk as they arrive; `received` is recorded every
/// [`CHECKPOINT_BYTES`] and when the body ends, also when it breaks. The
/// writing runs in its own task so a dropped connection cannot cut the
/// bookkeeping short.
pub async fn append(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
    offset: u64,
    content_length: Option<u64>,
    body: Body,
) -> AppResult<UploadRow> {
    let (claim, row) = match check_append(db, blobs, account, id, offset, content_length).await {
        Ok(ok) => ok,
        Err(e) => {
            drain(body).await;
            return Err(e);
        }
    };
    let db = db.clone();
    let path = blobs.upload_path(&row.id);
    let task = tokio::spawn(async move {
        let _claim = claim;
        write_body(&db, &path, row, body).await
    });
    task.await
        .map_err(|e| AppError::internal(format_args!("upload task: {e}")))?
}

fn too_many_bytes(size: u64) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("The file was declared as {size} bytes; bytes beyond that are refused."),
    )
}

async fn write_body(db: &Db, path: &Path, mut row: UploadRow, body: Body) -> AppResult<UploadRow> {
    let size = row.size as u64;
    let start = row.received as u64;
    let io = |e: std::io::Error| AppError::internal(format_args!("upload write: {e}"));
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .await
        .map_err(io)?;
    // Bytes past the durable length were never acknowledged: drop them.
    file.set_len(start).await.map_err(io)?;
    file.seek(SeekFrom::Start(start)).await.map_err(io)?;
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);

    let mut written = start;
    let mut recorded = start;
    let mut outcome: AppResult<()> = Ok(());
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                tracing::info!(upload = %row.id, written, error = %e, "upload interrupted");
                outcome = Err(AppError::bad_request(
                    "The upload was interrupted; resume at `received`.",
                ));
                break;
            }
        };
        let room = (size - written) as usize;
        let take = chunk.len().min(room);
        if let Err(e) = out.write_all(&chunk[..take]).await {
            outcome = Err(io(e));
            break;
        }
        written += take as u64;
        if take < chunk.len() {
            outcome = Err(too_many_bytes(size));
            break;
        }
        if written - recorded >= CHECKPOINT_BYTES {
            match make_durable(&mut out).await {
                Ok(()) => {
                    record(db, &row.id, written, size, None).await?;
                    recorded = written;
                }
                Err(e) => {
                    outcome = Err(io(e));
                    break;
                }
            }
        }
    }
    // Whatever happened, record what is on disk for sure.
    let final_len = match (&outcome, make_durable(&mut out).await) {
        (Err(e), _) if e.code() == ErrorCode::Internal => recorded,
        (_, Ok(())) => written,
        (_, Err(e)) => {
            outcome = Err(io(e));
            recorded
        }
    };
    let completed_at = (final_len == size).then(crate::db::now);
    record(db, &row.id, final_len, size, completed_at).await?;
    row.received = final_len as i64;
    row.completed_at = completed_at;
    if completed_at.is_some() {
        tracing::info!(upload = %row.id, size, "upload complete");
    }
    outcome.map(|()| row)
}

async fn make_durable(out: &mut BufWriter<tokio::fs::File>) -> std::io::Result<()> {
    out.flush().await?;
    out.get_mut().sync_data().await
}

async fn record(
    db: &Db,
    id: &str,
    received: u64,
    size: u64,
    completed_at: Option<i64>,
) -> AppResult<()> {
    debug_assert!(received <= size);
    sqlx::query("UPDATE uploads SET received = ?, completed_at = ? WHERE id = ?")
        .bind(received as i64)
        .bind(completed_at)
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

/// A complete upload of `account`, `upload_incomplete` otherwise.
pub async fn complete_upload(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    id: &str,
) -> AppResult<UploadRow> {
    let row = get_upload(db, account, id).await?;
    let row = reconcile(db, blobs, row).await?;
    if !row.is_complete() {
        return Err(AppError::new(
            ErrorCode::UploadIncomplete,
            format!(
                "“{}” has not finished uploading ({} of {} bytes).",
                row.name, row.received, row.size
            ),
        ));
    }
    Ok(row)
}

// -------------------------------------------------------------- transfers

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransferRow {
    pub token: String,
    pub account_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub deleted_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub name: String,
    pub size: i64,
    pub content_type: String,
    pub path: String,
}

impl FileRow {
    fn to_api(&self) -> TransferFile {
        TransferFile {
            id: self.id.clone(),
            name: self.name.clone(),
            size: self.size as u64,
            content_type: self.content_type.clone(),
        }
    }
}

pub fn transfer_api(public_url: &str, t: &TransferRow, files: &[FileRow]) -> Transfer {
    Transfer {
        url: format!("{}/t/{}", public_url.trim_end_matches('/'), t.token),
        token: t.token.clone(),
        files: files.iter().map(FileRow::to_api).collect(),
        created_at: t.created_at,
        expires_at: t.expires_at,
    }
}

/// Publishes complete uploads of `account` as one transfer: the files move
/// (rename, same file system) into a staging directory, the rows are
/// written, the directory is renamed into place, and only then is the
/// transaction committed. Any failure puts the files back.
pub async fn publish(
    db: &Db,
    blobs: &Blobs,
    account: AccountId,
    upload_ids: &[String],
    days: u32,
    now: i64,
) -> AppResult<(TransferRow, Vec<FileRow>)> {
    if upload_ids.is_empty() {
        return Err(AppError::bad_request("A transfer needs at least one file."));
    }
    if upload_ids.len() > MAX_TRANSFER_FILES {
        return Err(AppError::bad_request(format!(
            "A transfer holds at most {MAX_TRANSFER_FILES} files."
        )));
    }
    let mut seen = HashSet::new();
    if !upload_ids.iter().all(|id| seen.insert(id.as_str())) {
        return Err(AppError::bad_request("The same file is listed twice."));
    }
    let mut claims = Vec::with_capacity(upload_ids.len());
    let mut rows = Vec::with_capacity(upload_ids.len());
    for id in upload_ids {
        // Check ownership before claiming, so a stranger learns nothing.
        get_upload(db, account, id).await?;
        claims.push(Claim::take(id).ok_or_else(|| {
            AppError::new(
                ErrorCode::UploadIncomplete,
                "A file is still being uploaded.",
            )
        })?);
        rows.push(complete_upload(db, blobs, account, id).await?);
    }

    let token = new_token();
    let staging = blobs.staging_dir(&token);
    let final_dir = blobs.transfer_dir(&token);
    let io =
        |what: &str, e: std::io::Error| AppError::internal(format_args!("publish: {what}: {e}"));
    tokio::fs::create_dir_all(&staging)
        .await
        .map_err(|e| io("staging dir", e))?;
    let mut moved: Vec<&UploadRow> = Vec::new();
    for row in &rows {
        if let Err(e) = tokio::fs::rename(blobs.upload_path(&row.id), staging.join(&row.id)).await {
            put_back(blobs, &staging, &moved).await;
            return Err(io("moving a file", e));
        }
        moved.push(row);
    }

    let transfer = TransferRow {
        token: token.clone(),
        account_id: account,
        created_at: now,
        expires_at: now + i64::from(days) * 86_400,
        deleted_at: None,
    };
    let files: Vec<FileRow> = rows
        .iter()
        .map(|r| FileRow {
            id: r.id.clone(),
            name: r.name.clone(),
            size: r.size,
            content_type: r.content_type.clone(),
            path: Blobs::relative_file(&token, &r.id),
        })
        .collect();

    let result: AppResult<()> = async {
        let mut tx = db.begin().await?;
        sqlx::query(
            "INSERT INTO transfers (token, account_id, created_at, expires_at, deleted_at) \
             VALUES (?, ?, ?, ?, NULL)",
        )
        .bind(&transfer.token)
        .bind(account)
        .bind(transfer.created_at)
        .bind(transfer.expires_at)
        .execute(&mut *tx)
        .await?;
        for (position, f) in files.iter().enumerate() {
            sqlx::query(
                "INSERT INTO transfer_files (transfer_token, id, position, name, size, \
                 content_type, path) VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&token)
            .bind(&f.id)
            .bind(position as i64)
            .bind(&f.name)
            .bind(f.size)
            .bind(&f.content_type)
            .bind(&f.path)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM uploads WHERE id = ? AND account_id = ?")
                .bind(&f.id)
                .bind(account)
                .execute(&mut *tx)
                .await?;
        }
        // The one step that makes the files reachable, before the rows are.
        tokio::fs::rename(&staging, &final_dir)
            .await
            .map_err(|e| io("placing the transfer", e))?;
        if let Err(e) = tx.commit().await {
            let _ = tokio::fs::rename(&final_dir, &staging).await;
            return Err(e.into());
        }
        Ok(())
    }
    .await;
    if let Err(e) = result {
        put_back(blobs, &staging, &moved).await;
        return Err(e);
    }
    drop(claims);
    tracing::info!(token = %&token[..8], account, files = files.len(), "transfer published");
    Ok((transfer, files))
}

/// Undoes the moves of a failed publish.
async fn put_back(blobs: &Blobs, staging: &Path, moved: &[&UploadRow]) {
    for row in moved {
        if let Err(e) = tokio::fs::rename(staging.join(&row.id), blobs.upload_path(&row.id)).await {
            tracing::error!(upload = %row.id, error = %e, "could not put an upload back");
        }
    }
    let _ = tokio::fs::remove_dir(staging).await;
}

/// A live transfer: `not_found` when unknown, `expired` when past its date
/// or swept.
pub async fn live_transfer(
    db: &Db,
    token: &str,
    now: i64,
) -> AppResult<(TransferRow, Vec<FileRow>)> {
    if !valid_token(token) {
        return Err(ErrorCode::NotFound.into());
    }
    let t: Option<TransferRow> = sqlx::query_as(
        "SELECT token, account_id, created_at, expires_at, deleted_at FROM transfers \
         WHERE token = ?",
    )
    .bind(token)
    .fetch_optional(db)
    .await?;
    let t = t.ok_or(AppError::from(ErrorCode::NotFound))?;
    if t.deleted_at.is_some() || t.expires_at <= now {
        return Err(AppError::new(
            ErrorCode::Expired,
            "This transfer has expired; its files were deleted.",
        ));
    }
    let files: Vec<FileRow> = sqlx::query_as(
        "SELECT id, name, size, content_type, path FROM transfer_files \
         WHERE transfer_token = ? ORDER BY position",
    )
    .bind(token)
    .fetch_all(db)
    .await?;
    Ok((t, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitize_name("report.pdf").as_deref(), Some("report.pdf"));
        assert_eq!(
            sanitize_name("../../etc/passwd").as_deref(),
            Some(".._.._etc_passwd")
        );
        assert_eq!(
            sanitize_name(" a\\b\r\nc.txt ").as_deref(),
            Some("a_b__c.txt")
        );
        assert_eq!(sanitize_name("  "), None);
        assert_eq!(sanitize_name(".."), None);
        let long = "é".repeat(200);
        let s = sanitize_name(&long).unwrap();
        assert!(s.len() <= MAX_NAME_BYTES && s.len() >= MAX_NAME_BYTES - 1);
        assert!(s.chars().all(|c| c == 'é'));
    }

    #[test]
    fn routes_follow_r_lim() {
        assert_eq!(
            route_for(MAX_ATTACHMENT_BYTES, false).unwrap(),
            UploadRoute::Attachment
        );
        assert_eq!(
            route_for(MAX_ATTACHMENT_BYTES + 1, false).unwrap(),
            UploadRoute::Transfer
        );
        assert_eq!(
            route_for(MAX_WEBMAIL_TRANSFER_BYTES, false).unwrap(),
            UploadRoute::Transfer
        );
        let e = route_for(MAX_WEBMAIL_TRANSFER_BYTES + 1, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::AttachmentTooLarge);
        assert!(e.message.contains("standalone transfer page"));
        assert_eq!(
            route_for(MAX_WEBMAIL_TRANSFER_BYTES + 1, true).unwrap(),
            UploadRoute::Transfer
        );
        assert_eq!(route_for(10, true).unwrap(), UploadRoute::Transfer);
        assert!(route_for(MAX_STANDALONE_TRANSFER_BYTES + 1, true).is_err());
    }

    #[test]
    fn content_types_are_plain() {
        assert_eq!(sanitize_content_type("Image/PNG"), "image/png");
        assert_eq!(
            sanitize_content_type("text/plain; charset=utf-8"),
            "text/plain"
        );
        assert_eq!(
            sanitize_content_type("a b/c\r\n"),
            "application/octet-stream"
        );
        assert_eq!(sanitize_content_type(""), "application/octet-stream");
    }

    #[test]
    fn ids_and_paths() {
        assert!(valid_upload_id(&new_upload_id()));
        assert!(valid_token(&new_token()));
        assert!(!valid_upload_id("../x"));
        assert!(!valid_token(&new_upload_id()));
        let b = Blobs::new("/b");
        assert_eq!(
            b.resolve("transfers/t/f"),
            Some(PathBuf::from("/b/transfers/t/f"))
        );
        assert_eq!(b.resolve("transfers/../../etc"), None);
        assert_eq!(b.resolve(""), None);
    }
}
