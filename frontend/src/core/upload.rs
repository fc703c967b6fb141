//! Resumable uploads (`shared::transfers`, ARCHITECTURE.md "Uploads and
//! transfers"): `POST /api/uploads` declares the file, then the bytes go in
//! 8 MiB slices with `PATCH /api/uploads/{id}?offset=N` through
//! `XMLHttpRequest` (fetch has no upload progress). A network failure or an
//! offset conflict asks the server how far it got (`GET`) and resumes there,
//! a few times with growing pauses.
//!
//! A [`Cancel`] stops an upload at once (the slice in flight is aborted)
//! and deletes what the server got; [`delete_upload`] drops a finished one.

use crate::core::api;
use crate::core::browser::sleep;
use crate::core::http::{csrf_token, decode, decode_error, local_error};
use postern_shared::transfers::{NewUpload, Upload};
use postern_shared::{ApiError, ErrorCode};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

pub const CHUNK: u64 = 8 * 1024 * 1024;
const ATTEMPTS: u32 = 5;

/// Stops an upload: no more slices, the one in flight aborted
/// (`XMLHttpRequest.abort()`), the upload deleted on the server.
#[derive(Clone, Default)]
pub struct Cancel(Rc<(Cell<bool>, RefCell<Option<web_sys::XmlHttpRequest>>)>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.0.set(true);
        if let Some(xhr) = self.0.1.take() {
            let _ = xhr.abort();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.0.get()
    }
}

/// `DELETE /api/uploads/{id}`, best effort (errors are ignored).
pub fn delete_upload(id: String) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = api::delete_upload(&id).await;
    });
}

/// Uploads `file`; `progress` gets the bytes stored so far (including the
/// part of the slice in flight). Once `cancel` is cancelled it ends with an
/// error and the upload is deleted.
pub async fn upload_file(
    file: web_sys::File,
    standalone: bool,
    progress: Rc<dyn Fn(u64)>,
    cancel: Cancel,
) -> Result<Upload, ApiError> {
    let size = file.size() as u64;
    let content_type = Some(file.type_())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut up = api::create_upload(&NewUpload {
        name: file.name(),
        size,
        content_type,
        standalone,
    })
    .await?;
    // Cancelled: the server forgets what it got (true then).
    let forget_if_cancelled = |up: &Upload| {
        let c = cancel.is_cancelled();
        if c {
            delete_upload(up.id.clone());
        }
        c
    };
    let mut failures = 0;
    loop {
        if forget_if_cancelled(&up) {
            return Err(local_error(ErrorCode::BadRequest));
        }
        if up.complete {
            return Ok(up);
        }
        let start = up.received;
        let end = (start + CHUNK).min(size);
        let blob = file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| local_error(ErrorCode::Internal))?;
        let url = api::upload_data_url(&up.id, start);
        let p = progress.clone();
        match patch(&url, &blob, Rc::new(move |n| p(start + n)), &cancel).await {
            Ok(u) => {
                // The server must move forward; otherwise give up eventually.
                failures = if u.received > start { 0 } else { failures + 1 };
                up = u;
            }
            Err(e)
                if matches!(
                    e.code,
                    ErrorCode::GatewayUnavailable
                        | ErrorCode::UploadOffset
                        | ErrorCode::MailServerUnavailable
                        | ErrorCode::Internal
                ) && failures < ATTEMPTS
                    && !cancel.is_cancelled() =>
            {
                failures += 1;
                sleep(500 * (1 << failures)).await;
                if let Ok(u) = api::upload(&up.id).await {
                    up = u;
                }
            }
            Err(e) => {
                forget_if_cancelled(&up);
                return Err(e);
            }
        }
        if failures > ATTEMPTS {
            return Err(local_error(ErrorCode::GatewayUnavailable));
        }
        progress(up.received);
    }
}

/// One `PATCH` with upload progress.
async fn patch(
    url: &str,
    body: &web_sys::Blob,
    progress: Rc<dyn Fn(u64)>,
    cancel: &Cancel,
) -> Result<Upload, ApiError> {
    let net = || local_error(ErrorCode::GatewayUnavailable);
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| net())?;
    xhr.open_with_async("PATCH", url, true).map_err(|_| net())?;
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    let _ = xhr.set_request_header("Accept", "application/json");
    if let Some(t) = csrf_token() {
        let _ = xhr.set_request_header(postern_shared::wire::headers::CSRF_TOKEN, &t);
    }
    let on_progress =
        Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
            progress(e.loaded() as u64)
        });
    if let Ok(u) = xhr.upload() {
        u.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        xhr.set_onload(Some(&resolve));
        xhr.set_onerror(Some(&reject));
        xhr.set_onabort(Some(&reject));
    });
    xhr.send_with_opt_blob(Some(body)).map_err(|_| net())?;
    cancel.0.1.replace(Some(xhr.clone()));
    let result = JsFuture::from(done).await;
    cancel.0.1.take();
    drop(on_progress);
    result.map_err(|_| net())?;
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        decode(&text)
    } else {
        let e = decode_error(status, &text);
        crate::core::status::report_error(&e);
        Err(e)
    }
}
