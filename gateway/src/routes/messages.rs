//! Message list (anchored paging, filter, search), raw message, flags,
//! move and delete (R-MAIL-2, -3, -5).

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use postern_shared::ErrorCode;
use postern_shared::api::{
    DeleteMessagesRequest, MessageListQuery, MessagePage, MessageView, MoveMessagesRequest,
    MoveResult, SetFlagsRequest,
};
use postern_shared::folders::SpecialUse;
use postern_shared::limits::PAGE_SIZE;
use postern_shared::wire::query::{BodyHtmlQuery, Images, ViewQuery};

use crate::body_cache::{BodyKey, Rendering};

use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::{ImapError, commands, ops};
use crate::state::AppState;

/// Most UIDs one request may touch.
pub const MAX_UIDS: usize = postern_shared::limits::MAX_UIDS_PER_REQUEST;

/// The `{uid}` of a message route, by name: the mailbox's routes have it
/// after `{mb}`, support staff's after `{id}`.
#[derive(serde::Deserialize)]
pub struct UidParam {
    pub uid: u32,
}

/// The anchor a page is computed against: the client's (from the first
/// page) or, for a first page, the folder's UIDNEXT. A client anchor above
/// UIDNEXT (stale, or a different UIDVALIDITY) is clamped.
pub fn effective_anchor(requested: Option<u32>, uid_next: u32) -> u32 {
    match requested {
        Some(a) if a > 0 => a.min(uid_next),
        _ => uid_next,
    }
}

/// The slice of the sorted UID list that makes up `page`.
pub fn page_slice(total: usize, page: u32) -> std::ops::Range<usize> {
    let size = PAGE_SIZE as usize;
    let start = (page as usize).saturating_mul(size).min(total);
    start..(start + size).min(total)
}

/// A missing folder on SELECT/EXAMINE is a 404, not a server failure.
pub(crate) fn map_select(e: ImapError) -> AppError {
    if matches!(e, ImapError::No { .. }) {
        ErrorCode::FolderNotFound.into()
    } else {
        e.into()
    }
}

pub(crate) fn require_folder(folder: &str) -> AppResult<()> {
    if folder.is_empty() || folder.chars().any(char::is_control) {
        Err(AppError::bad_request("The folder parameter is required."))
    } else {
        Ok(())
    }
}

pub(crate) fn validate_uids(uids: &[u32]) -> AppResult<()> {
    if uids.is_empty() {
        return Err(AppError::bad_request("No messages given."));
    }
    if uids.len() > MAX_UIDS {
        return Err(AppError::bad_request(format!(
            "At most {MAX_UIDS} messages per request."
        )));
    }
    if uids.contains(&0) {
        return Err(AppError::bad_request("0 is not a message UID."));
    }
    Ok(())
}

pub async fn list(
    State(state): State<AppState>,
    grant: Grant,
    Query(q): Query<MessageListQuery>,
) -> AppResult<Json<MessagePage>> {
    require_folder(&q.folder)?;
    let lists = state.lists.clone();
    let page = crate::with_connection!(state.imap, &grant.address, folder: Some(&q.folder), |c| {
        let sel = ops::select(c, &q.folder, true).await?;
        let anchor = effective_anchor(q.anchor, sel.uid_next);
        let (order, _) = lists
            .order(c, &grant.address, &q.folder, &sel, q.filter, q.q.as_deref())
            .await?;
        // Arrivals since the first page are counted, not listed (they may
        // sort anywhere: the order is the Date header's).
        let sorted: Vec<u32> = order.iter().copied().filter(|&u| u < anchor).collect();
        let newer = (order.len() - sorted.len()) as u32;
        let window = &sorted[page_slice(sorted.len(), q.page)];
        let messages = ops::fetch_summaries(c, window).await?;
        Ok(MessagePage {
            folder: q.folder.clone(),
            uid_validity: sel.uid_validity,
            anchor,
            page: q.page,
            page_size: PAGE_SIZE,
            total: sorted.len() as u32,
            newer,
            messages,
        })
    })
    .await
    .map_err(map_select)?;
    Ok(Json(page))
}

/// The reading view of a message (headers, text, attachments, whether it
/// has HTML), marking it read when asked. Made from the message once and
/// kept (a 1 MiB HTML message takes milliseconds to parse and turn into
/// text); each request adds the flags of the moment.
pub async fn view(
    State(state): State<AppState>,
    grant: Grant,
    Path(UidParam { uid }): Path<UidParam>,
    Query(mut q): Query<ViewQuery>,
) -> AppResult<Json<MessageView>> {
    require_folder(&q.folder)?;
    // Support staff read without a trace in the mailbox (R-SUP).
    q.mark_seen &= !grant.read_only;
    let key = |uid_validity| BodyKey {
        mailbox_id: grant.mailbox_id,
        folder: &q.folder,
        uid_validity,
        uid,
        rendering: Rendering::View,
        policy: postern_render::sanitize::POLICY_VERSION,
    };
    let found = crate::with_connection!(state.imap, &grant.address, folder: Some(&q.folder), |c| {
        let sel = ops::select(c, &q.folder, !q.mark_seen).await?;
        if !grant.same_folder(sel.uid_validity) {
            return Ok(None);
        }
        if q.mark_seen {
            ops::store_flag(c, &[uid], "\\Seen", true).await?;
        }
        // Kept: only the flags (and that it is still there) are asked;
        // else one FETCH brings the bytes and the flags together.
        if let Some(kept) = state.bodies.get(&key(sel.uid_validity)).await
            && let Ok(view) = serde_json::from_slice::<MessageView>(&kept)
        {
            let flags = ops::flags_of(c, uid).await?;
            return Ok(flags.map(|flags| (sel.uid_validity, flags, Ok(view))));
        }
        let found = ops::fetch_raw(c, uid).await?;
        Ok(found.map(|(raw, flags)| (sel.uid_validity, flags, Err(raw))))
    })
    .await
    .map_err(map_select)?;
    let (uid_validity, flags, kept_or_raw) =
        found.ok_or(AppError::from(ErrorCode::MessageNotFound))?;
    let mut view = match kept_or_raw {
        Ok(view) => view,
        Err(raw) => {
            let folder = q.folder.clone();
            let size = raw.len();
            let view = tokio::task::spawn_blocking(move || {
                postern_render::mime_view::message_view(&raw, uid, &folder, "")
            })
            .await
            .map_err(|e| AppError::internal(format_args!("reading view: {e}")))?;
            crate::memory::release_after(size);
            match serde_json::to_vec(&view) {
                Ok(json) => {
                    if let Err(e) = state.bodies.put(&key(uid_validity), &json).await {
                        tracing::warn!(error = %e, "could not keep a reading view");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "could not encode a reading view"),
            }
            view
        }
    };
    (view.seen, view.flagged) = postern_render::mime_view::parse_flags(&flags.join(" "));
    Ok(Json(view))
}

/// The sanitised HTML body (the edge wraps it in the document with its
/// CSP): from the cache when this message was rendered before, else
/// rendered now (off the async threads) and kept. Support staff's too
/// (R-SUP): their grant's mailbox names the kept body, and the folder is
/// only examined, so reading leaves no trace in the mailbox.
pub async fn body_html(
    State(state): State<AppState>,
    grant: Grant,
    Path(UidParam { uid }): Path<UidParam>,
    Query(q): Query<BodyHtmlQuery>,
) -> AppResult<Response> {
    require_folder(&q.folder)?;
    let remote_images = q.images == Images::Allow;
    let key = |uid_validity| BodyKey {
        mailbox_id: grant.mailbox_id,
        folder: &q.folder,
        uid_validity,
        uid,
        rendering: Rendering::html(remote_images),
        policy: postern_render::sanitize::POLICY_VERSION,
    };
    // One connection: the folder's UIDVALIDITY names the message for good;
    // a kept body is served only while the message is still there (another
    // client may have expunged it); otherwise the message is fetched.
    let found = crate::with_connection!(state.imap, &grant.address, folder: Some(&q.folder), |c| {
        let sel = ops::select(c, &q.folder, true).await?;
        let cmd = commands::Command::new(&format!("UID SEARCH UID {uid}"));
        if !grant.same_folder(sel.uid_validity) || !ops::uids(c, &cmd).await?.contains(&uid) {
            return Ok(None);
        }
        if let Some(html) = state.bodies.get(&key(sel.uid_validity)).await {
            return Ok(Some((sel.uid_validity, Ok(html))));
        }
        let raw = ops::fetch_raw(c, uid).await?.map(|(raw, _)| raw);
        Ok(raw.map(|raw| (sel.uid_validity, Err(raw))))
    })
    .await
    .map_err(map_select)?;
    let (uid_validity, kept_or_raw) = found.ok_or(AppError::from(ErrorCode::MessageNotFound))?;
    let html = match kept_or_raw {
        Ok(html) => html,
        Err(raw) => {
            let size = raw.len();
            let html = tokio::task::spawn_blocking(move || {
                postern_render::mime_view::sanitized_body(&raw, remote_images)
                    .html
                    .into_bytes()
            })
            .await
            .map_err(|e| AppError::internal(format_args!("rendering: {e}")))?;
            crate::memory::release_after(size);
            if let Err(e) = state.bodies.put(&key(uid_validity), &html).await {
                tracing::warn!(error = %e, "could not keep a rendered body");
            }
            html
        }
    };
    let mut response = Response::new(Body::from(html));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

pub async fn set_flags(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<SetFlagsRequest>,
) -> AppResult<StatusCode> {
    require_folder(&req.folder)?;
    validate_uids(&req.uids)?;
    crate::with_connection!(state.imap, &grant.address, folder: Some(&req.folder), |c| {
        ops::select(c, &req.folder, false).await?;
        ops::store_flag(c, &req.uids, req.flag.imap_name(), req.value).await
    })
    .await
    .map_err(map_select)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whether the source or the destination folder is missing: both are `NO`.
#[derive(Debug)]
enum MoveFailure {
    Source,
    Destination,
    Imap(ImapError),
}

pub async fn move_messages(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<MoveMessagesRequest>,
) -> AppResult<Json<MoveResult>> {
    require_folder(&req.folder)?;
    require_folder(&req.to)?;
    validate_uids(&req.uids)?;
    if req.to == req.folder {
        return Err(AppError::bad_request(
            "The messages are already in this folder.",
        ));
    }
    let moved = move_or_expunge(&state, &grant, &req.folder, &req.uids, Some(&req.to)).await?;
    Ok(Json(MoveResult {
        destination: Some(req.to),
        moved,
    }))
}

/// Moves to `to`, or deletes for good when `to` is `None`.
pub(crate) async fn move_or_expunge(
    state: &AppState,
    grant: &Grant,
    folder: &str,
    uids: &[u32],
    to: Option<&str>,
) -> AppResult<u32> {
    let result = crate::with_connection!(state.imap, &grant.address, folder: Some(folder), |c| {
        let sel = match ops::select(c, folder, false).await {
            Ok(sel) => sel,
            Err(ImapError::No { .. }) => return Ok(Err(MoveFailure::Source)),
            Err(e) => return Err(e),
        };
        let r = match to {
            Some(to) => ops::move_uids(c, uids, to).await,
            None => ops::expunge_uids(c, uids).await,
        };
        match r {
            Ok(n) => Ok(Ok((n, sel.uid_validity))),
            Err(e @ ImapError::No { .. }) => Ok(Err(if to.is_some() {
                MoveFailure::Destination
            } else {
                MoveFailure::Imap(e)
            })),
            Err(e) => Err(e),
        }
    })
    .await?;
    match result {
        Ok((n, uid_validity)) => {
            // Their rendered bodies go with them (a moved message gets a
            // new UID, and is rendered again where it lands).
            state
                .bodies
                .forget(grant.mailbox_id, folder, uid_validity, uids)
                .await;
            Ok(n)
        }
        Err(MoveFailure::Source | MoveFailure::Destination) => {
            Err(ErrorCode::FolderNotFound.into())
        }
        Err(MoveFailure::Imap(e)) => Err(AppError::internal(e)),
    }
}

pub async fn delete_messages(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<DeleteMessagesRequest>,
) -> AppResult<Json<MoveResult>> {
    require_folder(&req.folder)?;
    validate_uids(&req.uids)?;
    let folders = super::folders::load(&state, &grant).await?;
    let trash = folders
        .iter()
        .find(|f| f.special == Some(SpecialUse::Trash) && f.selectable)
        .map(|f| f.path.clone());
    let destination = trash.filter(|t| *t != req.folder);
    let moved = move_or_expunge(
        &state,
        &grant,
        &req.folder,
        &req.uids,
        destination.as_deref(),
    )
    .await?;
    Ok(Json(MoveResult { destination, moved }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_page_anchors_at_uidnext_and_later_pages_keep_it() {
        assert_eq!(effective_anchor(None, 501), 501);
        assert_eq!(effective_anchor(Some(0), 501), 501);
        assert_eq!(effective_anchor(Some(400), 501), 400);
        assert_eq!(effective_anchor(Some(9999), 501), 501);
    }

    #[test]
    fn pages_slice_the_sorted_uids() {
        assert_eq!(page_slice(120, 0), 0..50);
        assert_eq!(page_slice(120, 1), 50..100);
        assert_eq!(page_slice(120, 2), 100..120);
        assert_eq!(page_slice(120, 3), 120..120);
        assert_eq!(page_slice(0, 0), 0..0);
        assert_eq!(page_slice(10, u32::MAX), 10..10);
    }

    #[test]
    fn uid_lists_are_bounded() {
        assert!(validate_uids(&[]).is_err());
        assert!(validate_uids(&[0]).is_err());
        assert!(validate_uids(&vec![1; MAX_UIDS + 1]).is_err());
        assert!(validate_uids(&vec![1; MAX_UIDS]).is_ok());
    }
}
