//! Message and folder calls of the mail views (ARCHITECTURE.md, "Routes").

use crate::core::format::encode_query;
use crate::core::http::HttpRequest;
use postern_shared::ApiError;
use postern_shared::api::{
    CreateFolderRequest, DeleteMessagesRequest, Flag, Folder, MessageFilter, MessagePage,
    MessageView, MoveMessagesRequest, MoveResult, RenameFolderRequest, SetFlagsRequest,
};

fn base(mb: i64) -> String {
    format!("/api/mailboxes/{mb}")
}

pub async fn folders(mb: i64) -> Result<Vec<Folder>, ApiError> {
    HttpRequest::get(format!("{}/folders", base(mb)))
        .send()
        .await
}

pub async fn create_folder(
    mb: i64,
    parent: Option<String>,
    name: String,
) -> Result<Folder, ApiError> {
    HttpRequest::post(format!("{}/folders", base(mb)))
        .with_json(&CreateFolderRequest { parent, name })
        .send()
        .await
}

pub async fn rename_folder(mb: i64, path: &str, name: String) -> Result<Folder, ApiError> {
    HttpRequest::patch(format!("{}/folders?path={}", base(mb), encode_query(path)))
        .with_json(&RenameFolderRequest { name })
        .send()
        .await
}

pub async fn delete_folder(mb: i64, path: &str) -> Result<(), ApiError> {
    HttpRequest::delete(format!("{}/folders?path={}", base(mb), encode_query(path)))
        .send()
        .await
}

/// The list URL of `GET …/messages` (filter, search and anchored paging).
pub fn list_url(
    mb: i64,
    folder: &str,
    filter: MessageFilter,
    q: &str,
    page: u32,
    anchor: Option<u32>,
) -> String {
    let mut url = format!(
        "{}/messages?folder={}&filter={}&page={page}",
        base(mb),
        encode_query(folder),
        filter.as_str()
    );
    if !q.trim().is_empty() {
        url.push_str("&q=");
        url.push_str(&encode_query(q.trim()));
    }
    if let Some(a) = anchor {
        url.push_str(&format!("&anchor={a}"));
    }
    url
}

pub async fn list(url: String) -> Result<MessagePage, ApiError> {
    HttpRequest::get(url).send().await
}

pub async fn message(mb: i64, folder: &str, uid: u32) -> Result<MessageView, ApiError> {
    HttpRequest::get(format!(
        "{}/messages/{uid}?folder={}",
        base(mb),
        encode_query(folder)
    ))
    .send()
    .await
}

pub fn body_html_url(mb: i64, folder: &str, uid: u32, images: bool) -> String {
    let mut url = format!(
        "{}/messages/{uid}/body.html?folder={}",
        base(mb),
        encode_query(folder)
    );
    if images {
        url.push_str("&images=allow");
    }
    url
}

pub fn part_url(mb: i64, folder: &str, uid: u32, section: &str) -> String {
    format!(
        "{}/messages/{uid}/parts/{}?folder={}",
        base(mb),
        encode_query(section),
        encode_query(folder)
    )
}

pub async fn set_flag(
    mb: i64,
    folder: String,
    uids: Vec<u32>,
    flag: Flag,
    value: bool,
) -> Result<(), ApiError> {
    HttpRequest::post(format!("{}/messages/flags", base(mb)))
        .with_json(&SetFlagsRequest {
            folder,
            uids,
            flag,
            value,
        })
        .send()
        .await
}

pub async fn move_messages(
    mb: i64,
    folder: String,
    uids: Vec<u32>,
    to: String,
) -> Result<MoveResult, ApiError> {
    HttpRequest::post(format!("{}/messages/move", base(mb)))
        .with_json(&MoveMessagesRequest { folder, uids, to })
        .send()
        .await
}

pub async fn delete_messages(
    mb: i64,
    folder: String,
    uids: Vec<u32>,
) -> Result<MoveResult, ApiError> {
    HttpRequest::post(format!("{}/messages/delete", base(mb)))
        .with_json(&DeleteMessagesRequest { folder, uids })
        .send()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_url_carries_folder_filter_search_and_anchor() {
        assert_eq!(
            list_url(
                2,
                "Projects/2026",
                MessageFilter::Unread,
                " café ",
                1,
                Some(900)
            ),
            "/api/mailboxes/2/messages?folder=Projects%2F2026&filter=unread&page=1&q=caf%C3%A9&anchor=900"
        );
        assert_eq!(
            list_url(2, "INBOX", MessageFilter::All, "", 0, None),
            "/api/mailboxes/2/messages?folder=INBOX&filter=all&page=0"
        );
        assert_eq!(
            part_url(2, "INBOX", 7, "1.2"),
            "/api/mailboxes/2/messages/7/parts/1.2?folder=INBOX"
        );
    }
}
