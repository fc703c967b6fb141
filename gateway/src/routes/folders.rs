//! Folder list and management (R-MAIL-1, R-MAIL-5). Special folders cannot
//! be renamed or deleted; names may not contain the hierarchy delimiter.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use postern_shared::ErrorCode;
use postern_shared::api::{CreateFolderRequest, Folder, RenameFolderRequest};
use postern_shared::folders::{detect_special_use, sort_for_display};
use postern_shared::wire::query::FolderPathQuery;

use crate::error::{AppError, AppResult};
use crate::grants::Grant;
use crate::imap::ImapError;
use crate::imap::ops::{self, FolderInfo};
use crate::state::AppState;

/// Longest folder name segment we accept.
pub const MAX_NAME_CHARS: usize = 255;

/// LIST results → API folders in display order (pure).
pub fn to_api(infos: &[FolderInfo]) -> Vec<Folder> {
    let mut folders: Vec<Folder> = infos
        .iter()
        .map(|f| {
            let e = &f.entry;
            let attrs: Vec<&str> = e.attributes.iter().map(String::as_str).collect();
            let (parent, name) = match e.delimiter.and_then(|d| e.path.rsplit_once(d)) {
                Some((p, n)) => (Some(p.to_string()), n.to_string()),
                None => (None, e.path.clone()),
            };
            let depth = e.delimiter.map_or(0, |d| e.path.matches(d).count() as u32);
            Folder {
                special: detect_special_use(&e.path, e.delimiter, &attrs),
                selectable: !e.has_attribute("\\Noselect") && !e.has_attribute("\\NonExistent"),
                path: e.path.clone(),
                name,
                parent,
                depth,
                delimiter: e.delimiter,
                total: f.messages,
                unread: f.unseen,
            }
        })
        .collect();
    sort_for_display(&mut folders, |f| (f.path.as_str(), f.delimiter, f.special));
    folders
}

/// R-MAIL-5 name rules: 1–255 characters, no delimiter, no control
/// characters, not blank.
pub fn validate_name(name: &str, delimiter: Option<char>) -> AppResult<()> {
    let bad = name.trim().is_empty()
        || name.trim() != name
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
        || delimiter.is_some_and(|d| name.contains(d))
        // Wildcards of LIST would make the folder unlistable.
        || name.contains(['*', '%']);
    if bad {
        Err(ErrorCode::InvalidFolderName.into())
    } else {
        Ok(())
    }
}

/// A folder is protected if it, or any folder below it, is special:
/// deleting a parent must not take the Inbox's subfolders or Sent with it.
pub fn is_protected(folders: &[Folder], path: &str) -> bool {
    folders.iter().any(|f| {
        f.special.is_some() && (f.path == path || is_descendant(&f.path, path, f.delimiter))
    })
}

/// `child` is below `parent` in the hierarchy.
pub fn is_descendant(child: &str, parent: &str, delimiter: Option<char>) -> bool {
    match delimiter {
        Some(d) => {
            child.len() > parent.len() + 1
                && child.starts_with(parent)
                && child[parent.len()..].starts_with(d)
        }
        None => false,
    }
}

fn find<'a>(folders: &'a [Folder], path: &str) -> Option<&'a Folder> {
    let inbox = path.eq_ignore_ascii_case("INBOX");
    folders
        .iter()
        .find(|f| f.path == path || (inbox && f.path.eq_ignore_ascii_case("INBOX")))
}

/// The mailbox's hierarchy delimiter (Dovecot: `/`).
fn delimiter_of(folders: &[Folder]) -> Option<char> {
    folders.iter().find_map(|f| f.delimiter)
}

/// Maps a refused folder command to the right API error.
pub fn folder_error(e: ImapError) -> AppError {
    match e.no_code() {
        Some("ALREADYEXISTS") => ErrorCode::FolderExists.into(),
        Some("NONEXISTENT") | Some("TRYCREATE") => ErrorCode::FolderNotFound.into(),
        _ if matches!(e, ImapError::No { .. }) => {
            tracing::warn!(error = %e, "folder command refused");
            AppError::new(
                ErrorCode::BadRequest,
                "The mail server refused this folder operation.",
            )
        }
        _ => e.into(),
    }
}

pub async fn load(state: &AppState, grant: &Grant) -> AppResult<Vec<Folder>> {
    let infos = crate::with_connection!(state.imap, &grant.address, |c| {
        ops::list_folders(c).await
    })
    .await?;
    Ok(to_api(&infos))
}

pub async fn list(State(state): State<AppState>, grant: Grant) -> AppResult<Json<Vec<Folder>>> {
    Ok(Json(load(&state, &grant).await?))
}

pub async fn create(
    State(state): State<AppState>,
    grant: Grant,
    Json(req): Json<CreateFolderRequest>,
) -> AppResult<(StatusCode, Json<Folder>)> {
    let folders = load(&state, &grant).await?;
    let delimiter = delimiter_of(&folders).or(Some('/'));
    validate_name(&req.name, delimiter)?;
    let parent = req.parent.as_deref().filter(|p| !p.is_empty());
    let path = match parent {
        Some(p) => {
            let parent = find(&folders, p).ok_or(AppError::from(ErrorCode::FolderNotFound))?;
            format!("{}{}{}", parent.path, delimiter.unwrap_or('/'), req.name)
        }
        None => req.name.clone(),
    };
    if folders
        .iter()
        .any(|f| f.path.to_lowercase() == path.to_lowercase())
    {
        return Err(ErrorCode::FolderExists.into());
    }
    crate::with_connection!(state.imap, &grant.address, |c| {
        ops::create(c, &path).await
    })
    .await
    .map_err(folder_error)?;
    let depth = delimiter.map_or(0, |d| path.matches(d).count() as u32);
    Ok((
        StatusCode::CREATED,
        Json(Folder {
            name: req.name.clone(),
            parent: parent.map(|_| path[..path.len() - req.name.len() - 1].to_string()),
            depth,
            delimiter,
            special: None,
            selectable: true,
            total: 0,
            unread: 0,
            path,
        }),
    ))
}

pub async fn rename(
    State(state): State<AppState>,
    grant: Grant,
    Query(q): Query<FolderPathQuery>,
    Json(req): Json<RenameFolderRequest>,
) -> AppResult<Json<Folder>> {
    let folders = load(&state, &grant).await?;
    let delimiter = delimiter_of(&folders);
    let current = find(&folders, &q.path)
        .ok_or(AppError::from(ErrorCode::FolderNotFound))?
        .clone();
    if is_protected(&folders, &current.path) {
        return Err(ErrorCode::FolderProtected.into());
    }
    validate_name(&req.name, delimiter)?;
    let new_path = match (&current.parent, delimiter) {
        (Some(p), Some(d)) => format!("{p}{d}{}", req.name),
        _ => req.name.clone(),
    };
    if new_path == current.path {
        return Ok(Json(current));
    }
    // Case-only renames are allowed; anything else must be free.
    if folders
        .iter()
        .any(|f| f.path.to_lowercase() == new_path.to_lowercase() && f.path != current.path)
    {
        return Err(ErrorCode::FolderExists.into());
    }
    crate::with_connection!(state.imap, &grant.address, |c| {
        ops::rename(c, &current.path, &new_path).await
    })
    .await
    .map_err(folder_error)?;
    // The folder is renamed whatever happens next; filters naming it follow.
    if let Err(e) = crate::filters::renamed::follow(
        &state,
        grant.mailbox_id,
        &current.path,
        &new_path,
        delimiter,
    )
    .await
    {
        tracing::error!(mailbox = grant.mailbox_id, error = ?e, "filters did not follow a renamed folder");
    }
    Ok(Json(Folder {
        name: req.name.clone(),
        path: new_path,
        ..current
    }))
}

pub async fn delete(
    State(state): State<AppState>,
    grant: Grant,
    Query(q): Query<FolderPathQuery>,
) -> AppResult<StatusCode> {
    let folders = load(&state, &grant).await?;
    let target = find(&folders, &q.path)
        .ok_or(AppError::from(ErrorCode::FolderNotFound))?
        .clone();
    if is_protected(&folders, &target.path) {
        return Err(ErrorCode::FolderProtected.into());
    }
    // Deepest first: IMAP DELETE of a parent leaves children behind.
    let mut doomed: Vec<String> = folders
        .iter()
        .filter(|f| is_descendant(&f.path, &target.path, f.delimiter))
        .map(|f| f.path.clone())
        .collect();
    doomed.sort_by_key(|p| std::cmp::Reverse(p.len()));
    doomed.push(target.path.clone());
    crate::with_connection!(state.imap, &grant.address, |c| {
        for p in &doomed {
            match ops::delete(c, p).await {
                // Already gone (e.g. a \Noselect parent vanished with its last child).
                Err(e) if e.no_code() == Some("NONEXISTENT") => {}
                other => other?,
            }
        }
        Ok(())
    })
    .await
    .map_err(folder_error)?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imap::parse::ListEntry;
    use postern_shared::folders::SpecialUse;

    fn info(path: &str, attrs: &[&str], m: u32, u: u32) -> FolderInfo {
        FolderInfo {
            entry: ListEntry {
                attributes: attrs.iter().map(|s| s.to_string()).collect(),
                delimiter: Some('/'),
                path: path.into(),
                wire_name: path.into(),
            },
            messages: m,
            unseen: u,
        }
    }

    fn sample() -> Vec<Folder> {
        to_api(&[
            info("Projects/2026", &["\\HasNoChildren"], 3, 1),
            info("Trash", &["\\Trash"], 0, 0),
            info("INBOX", &[], 10, 4),
            info("Projects", &["\\HasChildren"], 1, 0),
            info("Sent", &["\\Sent"], 5, 0),
            info("Container", &["\\Noselect", "\\HasChildren"], 0, 0),
            info("Container/Sent", &["\\Sent"], 0, 0),
        ])
    }

    #[test]
    fn converts_and_orders_folders_for_display() {
        let f = sample();
        let paths: Vec<&str> = f.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "INBOX",
                "Sent",
                "Trash",
                "Container",
                "Container/Sent",
                "Projects",
                "Projects/2026"
            ]
        );
        let p = f.iter().find(|f| f.path == "Projects/2026").unwrap();
        assert_eq!(
            (p.name.as_str(), p.parent.as_deref(), p.depth),
            ("2026", Some("Projects"), 1)
        );
        assert_eq!((p.total, p.unread), (3, 1));
        assert_eq!(f[0].special, Some(SpecialUse::Inbox));
        assert!(!f.iter().find(|f| f.path == "Container").unwrap().selectable);
    }

    #[test]
    fn special_folders_and_their_ancestors_are_protected() {
        let f = sample();
        for p in ["INBOX", "Sent", "Trash", "Container"] {
            assert!(is_protected(&f, p), "{p}");
        }
        assert!(!is_protected(&f, "Projects"));
        assert!(!is_protected(&f, "Projects/2026"));
    }

    #[test]
    fn descendants_need_the_delimiter() {
        assert!(is_descendant("Projects/2026", "Projects", Some('/')));
        assert!(!is_descendant("Projects2", "Projects", Some('/')));
        assert!(!is_descendant("Projects", "Projects", Some('/')));
    }

    #[test]
    fn folder_names_are_validated() {
        for ok in ["Receipts", "Éléments 2026", "a.b", &"x".repeat(255)] {
            assert!(validate_name(ok, Some('/')).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "  ",
            "a/b",
            " lead",
            "trail ",
            &"x".repeat(256),
            "tab\there",
            "star*",
            "pct%",
        ] {
            let e = validate_name(bad, Some('/')).unwrap_err();
            assert_eq!(e.code(), ErrorCode::InvalidFolderName, "{bad:?}");
        }
    }

    #[test]
    fn refused_folder_commands_map_to_codes() {
        let no = |code: &str| ImapError::No {
            code: Some(code.into()),
            text: String::new(),
        };
        assert_eq!(
            folder_error(no("ALREADYEXISTS")).code(),
            ErrorCode::FolderExists
        );
        assert_eq!(
            folder_error(no("NONEXISTENT")).code(),
            ErrorCode::FolderNotFound
        );
        assert_eq!(
            folder_error(ImapError::Closed).code(),
            ErrorCode::MailServerUnavailable
        );
    }
}
