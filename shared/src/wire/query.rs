//! Query strings, typed: each route that takes one has its struct here (or
//! beside its other types, like [`MessageListQuery`]), serialised with
//! `serde_urlencoded` on both sides — the browser's client, the edge's
//! checks and the gateway's `Query<T>` extractor read the same struct.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use crate::api::MessageListQuery;

/// `?path=` of folder rename and delete: the folder's full path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FolderPathQuery {
    pub path: String,
}

/// `?folder=` of a message, its HTML body or one of its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FolderQuery {
    pub folder: String,
}

/// Whether a message's remote images may load.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Images {
    #[default]
    Block,
    Allow,
}

/// `GET …/messages/{uid}/body.html?folder=&images=allow`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyHtmlQuery {
    pub folder: String,
    #[serde(default, skip_serializing_if = "is_block")]
    pub images: Images,
}

fn is_block(i: &Images) -> bool {
    *i == Images::Block
}

/// The gateway's `GET …/messages/{uid}/view?folder=&mark_seen=true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ViewQuery {
    pub folder: String,
    /// Sets `\Seen` (the reading view); the HTML body leaves flags alone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mark_seen: bool,
}

/// `GET …/contacts?q=`: autocomplete text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactsQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
}

/// `PATCH /api/uploads/{id}?offset=N`: where the bytes of the body go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadOffsetQuery {
    pub offset: u64,
}

/// `GET …/dpa.pdf?lang=es`: the DPA's language (a UI language code;
/// unknown or absent: English).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DpaQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// `a=1&b=x+y` of a query struct.
pub fn to_query<T: Serialize>(q: &T) -> String {
    // Only fails for values that are not flat key/value pairs: none of ours.
    serde_urlencoded::to_string(q).unwrap_or_default()
}

/// Decodes a raw query string (without `?`) into `T`. Unknown keys are
/// ignored; the error names what is wrong, for a `bad_request` message.
pub fn from_query<T: DeserializeOwned>(raw: &str) -> Result<T, String> {
    serde_urlencoded::from_str(raw).map_err(|e| format!("The query string is not valid: {e}."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::MessageFilter;

    #[test]
    fn list_query_round_trips_unicode_and_reserved_characters() {
        let q = MessageListQuery {
            folder: "Projets/Été 2026&co".into(),
            filter: MessageFilter::Unread,
            q: Some("a+b=c".into()),
            page: 2,
            anchor: Some(900),
        };
        let s = to_query(&q);
        assert!(!s.contains('/') && !s.contains(' '), "{s}");
        assert_eq!(from_query::<MessageListQuery>(&s).unwrap(), q);
    }

    #[test]
    fn defaults_and_unknown_keys() {
        let q: MessageListQuery = from_query("folder=INBOX&utm=x").unwrap();
        assert_eq!(q.filter, MessageFilter::All);
        assert_eq!(q.page, 0);
        assert!(from_query::<MessageListQuery>("filter=unread").is_err());
        assert!(from_query::<UploadOffsetQuery>("offset=-1").is_err());
        let b: BodyHtmlQuery = from_query("folder=INBOX&images=allow").unwrap();
        assert_eq!(b.images, Images::Allow);
        assert_eq!(to_query(&()), "");
        assert_eq!(
            to_query(&ViewQuery {
                folder: "INBOX".into(),
                mark_seen: false
            }),
            "folder=INBOX"
        );
    }
}
