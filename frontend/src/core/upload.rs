//! Resumable uploads (`shared::transfers`, ARCHITECTURE.md "Uploads and
//! transfers"): `POST /api/uploads` declares the file, then the bytes go in
//! 8 MiB slices with `PATCH /api/uploads/{id}?offset=N` through
//! `XMLHttpRequest` (fetch has no upload progress). A network failure or an
//! offset conflict asks the server how far it got (`GET`) and resumes there,
//! a few times with growing pauses.

use crate::core::browser::sleep;
use crate::core::http::{HttpRequest, csrf_token, decode, decode_error, local_error};
use postern_shared::transfers::{NewUpload, Upload};
use postern_shared::{ApiError, ErrorCode};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen_futures::JsFuture;

pub const CHUNK: u64 = 8 * 1024 * 1024;
const ATTEMPTS: u32 = 5;

/// Uploads `file`; `progress` gets the bytes stored so far (including the
/// part of the slice in flight); `cancelled` is checked between slices.
pub async fn upload_file(
    file: web_sys::File,
    standalone: bool,
    progress: Rc<dyn Fn(u64)>,
    cancelled: Rc<dyn Fn() -> bool>,
) -> Result<Upload, ApiError> {
    let size = file.size() as u64;
    let content_type = Some(file.type_())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    let mut up: Upload = HttpRequest::post("/api/uploads")
        .with_json(&NewUpload {
            name: file.name(),
            size,
            content_type,
            standalone,
        })
        .send()
        .await?;
    let mut failures = 0;
    while !up.complete {
        if cancelled() {
            return Err(local_error(ErrorCode::BadRequest));
        }
        let start = up.received;
        let end = (start + CHUNK).min(size);
        let blob = file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| local_error(ErrorCode::Internal))?;
        let url = format!("/api/uploads/{}?offset={start}", up.id);
        let p = progress.clone();
        match patch(&url, &blob, Rc::new(move |n| p(start + n))).await {
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
                ) && failures < ATTEMPTS =>
            {
                failures += 1;
                sleep(500 * (1 << failures)).await;
                if let Ok(u) = HttpRequest::get(format!("/api/uploads/{}", up.id))
                    .send::<Upload>()
                    .await
                {
                    up = u;
                }
            }
            Err(e) => return Err(e),
        }
        if failures > ATTEMPTS {
            return Err(local_error(ErrorCode::GatewayUnavailable));
        }
        progress(up.received);
    }
    Ok(up)
}

/// One `PATCH` with upload progress.
async fn patch(
    url: &str,
    body: &web_sys::Blob,
    progress: Rc<dyn Fn(u64)>,
) -> Result<Upload, ApiError> {
    let net = || local_error(ErrorCode::GatewayUnavailable);
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| net())?;
    xhr.open_with_async("PATCH", url, true).map_err(|_| net())?;
    let _ = xhr.set_request_header("Content-Type", "application/octet-stream");
    let _ = xhr.set_request_header("Accept", "application/json");
    if let Some(t) = csrf_token() {
        let _ = xhr.set_request_header("X-CSRF-Token", &t);
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
    let result = JsFuture::from(done).await;
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
