//! Method + path → what to do. Pure; the route table is ARCHITECTURE.md's.

use crate::http::Method;
use postern_shared::api::MailboxId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Health,
    Login,
    GetSession,
    Logout,
    Me,
    ListFolders {
        mb: MailboxId,
    },
    CreateFolder {
        mb: MailboxId,
    },
    RenameFolder {
        mb: MailboxId,
    },
    DeleteFolder {
        mb: MailboxId,
    },
    ListMessages {
        mb: MailboxId,
    },
    GetMessage {
        mb: MailboxId,
        uid: u32,
    },
    GetMessageHtml {
        mb: MailboxId,
        uid: u32,
    },
    GetPart {
        mb: MailboxId,
        uid: u32,
        section: String,
    },
    SetFlags {
        mb: MailboxId,
    },
    MoveMessages {
        mb: MailboxId,
    },
    DeleteMessages {
        mb: MailboxId,
    },
    // Writing and sending (`shared::compose`).
    SaveDraft {
        mb: MailboxId,
    },
    GetDraft {
        mb: MailboxId,
        uid: u32,
    },
    Send {
        mb: MailboxId,
    },
    GetOutgoing {
        mb: MailboxId,
        id: String,
    },
    CancelOutgoing {
        mb: MailboxId,
        id: String,
    },
    Contacts {
        mb: MailboxId,
    },
    GetSignature {
        mb: MailboxId,
    },
    PutSignature {
        mb: MailboxId,
    },
    Identities {
        mb: MailboxId,
    },
    // Uploads and transfers (`shared::transfers`).
    CreateUpload,
    GetUpload {
        id: String,
    },
    /// `PATCH /api/uploads/{id}?offset=N`: the body is streamed through.
    UploadData {
        id: String,
    },
    DeleteUpload {
        id: String,
    },
    CreateTransfer,
    /// `GET /t/{token}`: the public download page (HTML). The token is
    /// checked by the handler, so a malformed one gets the HTML 404 page.
    TransferPage {
        token: String,
    },
    /// `GET /t/{token}/{file}`: a file of a transfer, streamed.
    TransferFile {
        token: String,
        file: String,
    },
    /// `GET /t/page.css`: the download page's stylesheet (the CSP forbids
    /// inline styles).
    TransferCss,
    /// Anything outside `/api/`: a file of `dist/` (GET and HEAD only).
    Static,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// Unknown path under `/api/`.
    NotFound,
    /// Known path, other method; carries the `Allow` header value.
    MethodNotAllowed(&'static str),
}

impl Route {
    /// Routes that work without a session.
    pub fn is_public(&self) -> bool {
        matches!(
            self,
            Route::Health
                | Route::Login
                | Route::Static
                | Route::TransferPage { .. }
                | Route::TransferFile { .. }
                | Route::TransferCss
        )
    }

    /// The component must not read the body: the handler streams it.
    pub fn streams_request_body(&self) -> bool {
        matches!(self, Route::UploadData { .. })
    }
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub fn route(method: &Method, path: &str) -> Result<Route, RouteError> {
    use Method::*;
    if let Some(rest) = path.strip_prefix("/t/") {
        let route = match rest.split('/').collect::<Vec<_>>().as_slice() {
            ["page.css"] => Route::TransferCss,
            [token] => Route::TransferPage {
                token: token.to_string(),
            },
            [token, file] => Route::TransferFile {
                token: token.to_string(),
                file: file.to_string(),
            },
            _ => return Err(RouteError::NotFound),
        };
        return match method {
            Get | Head => Ok(route),
            _ => Err(RouteError::MethodNotAllowed("GET, HEAD")),
        };
    }
    if !is_api_path(path) {
        return match method {
            Get | Head => Ok(Route::Static),
            _ => Err(RouteError::MethodNotAllowed("GET, HEAD")),
        };
    }
    let segs: Vec<&str> = path["/api".len()..].split('/').skip(1).collect();
    let not_allowed = RouteError::MethodNotAllowed;
    match segs.as_slice() {
        ["health"] => match method {
            Get => Ok(Route::Health),
            _ => Err(not_allowed("GET")),
        },
        ["session"] => match method {
            Get => Ok(Route::GetSession),
            Post => Ok(Route::Login),
            Delete => Ok(Route::Logout),
            _ => Err(not_allowed("GET, POST, DELETE")),
        },
        ["me"] => match method {
            Get => Ok(Route::Me),
            _ => Err(not_allowed("GET")),
        },
        ["mailboxes", mb, rest @ ..] => {
            let mb = parse_id(mb).ok_or(RouteError::NotFound)?;
            mailbox_route(method, mb, rest)
        }
        ["uploads"] => match method {
            Post => Ok(Route::CreateUpload),
            _ => Err(not_allowed("POST")),
        },
        ["uploads", id] if is_safe_id(id) => {
            let id = id.to_string();
            match method {
                Get => Ok(Route::GetUpload { id }),
                Patch => Ok(Route::UploadData { id }),
                Delete => Ok(Route::DeleteUpload { id }),
                _ => Err(not_allowed("GET, PATCH, DELETE")),
            }
        }
        ["transfers"] => match method {
            Post => Ok(Route::CreateTransfer),
            _ => Err(not_allowed("POST")),
        },
        _ => Err(RouteError::NotFound),
    }
}

/// An opaque id chosen by the gateway (uploads, outbox entries, transfer
/// tokens): 1–128 characters of `A–Z a–z 0–9 - _`, so it is safe in a path
/// as is.
pub fn is_safe_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn mailbox_route(method: &Method, mb: MailboxId, rest: &[&str]) -> Result<Route, RouteError> {
    use Method::*;
    let not_allowed = RouteError::MethodNotAllowed;
    match rest {
        ["folders"] => match method {
            Get => Ok(Route::ListFolders { mb }),
            Post => Ok(Route::CreateFolder { mb }),
            Patch => Ok(Route::RenameFolder { mb }),
            Delete => Ok(Route::DeleteFolder { mb }),
            _ => Err(not_allowed("GET, POST, PATCH, DELETE")),
        },
        ["messages"] => match method {
            Get => Ok(Route::ListMessages { mb }),
            _ => Err(not_allowed("GET")),
        },
        ["messages", action @ ("flags" | "move" | "delete")] => match method {
            Post => Ok(match *action {
                "flags" => Route::SetFlags { mb },
                "move" => Route::MoveMessages { mb },
                _ => Route::DeleteMessages { mb },
            }),
            _ => Err(not_allowed("POST")),
        },
        ["drafts"] => match method {
            Post => Ok(Route::SaveDraft { mb }),
            _ => Err(not_allowed("POST")),
        },
        ["drafts", uid] => {
            let uid = parse_uid(uid).ok_or(RouteError::NotFound)?;
            match method {
                Get => Ok(Route::GetDraft { mb, uid }),
                _ => Err(not_allowed("GET")),
            }
        }
        ["send"] => match method {
            Post => Ok(Route::Send { mb }),
            _ => Err(not_allowed("POST")),
        },
        ["outbox", id] if is_safe_id(id) => {
            let id = id.to_string();
            match method {
                Get => Ok(Route::GetOutgoing { mb, id }),
                Delete => Ok(Route::CancelOutgoing { mb, id }),
                _ => Err(not_allowed("GET, DELETE")),
            }
        }
        ["contacts"] => match method {
            Get => Ok(Route::Contacts { mb }),
            _ => Err(not_allowed("GET")),
        },
        ["signature"] => match method {
            Get => Ok(Route::GetSignature { mb }),
            Put => Ok(Route::PutSignature { mb }),
            _ => Err(not_allowed("GET, PUT")),
        },
        ["identities"] => match method {
            Get => Ok(Route::Identities { mb }),
            _ => Err(not_allowed("GET")),
        },
        ["messages", uid, tail @ ..] => {
            let uid = parse_uid(uid).ok_or(RouteError::NotFound)?;
            let route = match tail {
                [] => Route::GetMessage { mb, uid },
                ["body.html"] => Route::GetMessageHtml { mb, uid },
                ["parts", section] if is_valid_section(section) => Route::GetPart {
                    mb,
                    uid,
                    section: section.to_string(),
                },
                _ => return Err(RouteError::NotFound),
            };
            match method {
                Get => Ok(route),
                _ => Err(not_allowed("GET")),
            }
        }
        _ => Err(RouteError::NotFound),
    }
}

/// Positive decimal without sign or leading zeros.
fn parse_id(s: &str) -> Option<MailboxId> {
    if s.is_empty() || s.starts_with('0') || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_uid(s: &str) -> Option<u32> {
    u32::try_from(parse_id(s)?).ok()
}

/// IMAP body section: `1`, `2.1`, `1.2.3` (no `HEADER`, `TEXT`, `MIME`).
pub fn is_valid_section(s: &str) -> bool {
    s.len() <= 64 && s.split('.').all(|p| parse_uid(p).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Method::*;

    #[test]
    fn api_route_table() {
        let ok = |m: Method, p: &str| route(&m, p).unwrap();
        assert_eq!(ok(Get, "/api/health"), Route::Health);
        assert_eq!(ok(Post, "/api/session"), Route::Login);
        assert_eq!(ok(Get, "/api/session"), Route::GetSession);
        assert_eq!(ok(Delete, "/api/session"), Route::Logout);
        assert_eq!(ok(Get, "/api/me"), Route::Me);
        assert_eq!(
            ok(Get, "/api/mailboxes/7/folders"),
            Route::ListFolders { mb: 7 }
        );
        assert_eq!(
            ok(Post, "/api/mailboxes/7/folders"),
            Route::CreateFolder { mb: 7 }
        );
        assert_eq!(
            ok(Patch, "/api/mailboxes/7/folders"),
            Route::RenameFolder { mb: 7 }
        );
        assert_eq!(
            ok(Delete, "/api/mailboxes/7/folders"),
            Route::DeleteFolder { mb: 7 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/messages"),
            Route::ListMessages { mb: 7 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/messages/42"),
            Route::GetMessage { mb: 7, uid: 42 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/messages/42/body.html"),
            Route::GetMessageHtml { mb: 7, uid: 42 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/messages/42/parts/1.2"),
            Route::GetPart {
                mb: 7,
                uid: 42,
                section: "1.2".into()
            }
        );
        assert_eq!(
            ok(Post, "/api/mailboxes/7/messages/flags"),
            Route::SetFlags { mb: 7 }
        );
        assert_eq!(
            ok(Post, "/api/mailboxes/7/messages/move"),
            Route::MoveMessages { mb: 7 }
        );
        assert_eq!(
            ok(Post, "/api/mailboxes/7/messages/delete"),
            Route::DeleteMessages { mb: 7 }
        );
    }

    #[test]
    fn compose_upload_and_transfer_routes() {
        let ok = |m: Method, p: &str| route(&m, p).unwrap();
        assert_eq!(
            ok(Post, "/api/mailboxes/7/drafts"),
            Route::SaveDraft { mb: 7 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/drafts/9"),
            Route::GetDraft { mb: 7, uid: 9 }
        );
        assert_eq!(ok(Post, "/api/mailboxes/7/send"), Route::Send { mb: 7 });
        assert_eq!(
            ok(Get, "/api/mailboxes/7/outbox/ab-1_Z"),
            Route::GetOutgoing {
                mb: 7,
                id: "ab-1_Z".into()
            }
        );
        assert_eq!(
            ok(Delete, "/api/mailboxes/7/outbox/x1"),
            Route::CancelOutgoing {
                mb: 7,
                id: "x1".into()
            }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/contacts"),
            Route::Contacts { mb: 7 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/signature"),
            Route::GetSignature { mb: 7 }
        );
        assert_eq!(
            ok(Put, "/api/mailboxes/7/signature"),
            Route::PutSignature { mb: 7 }
        );
        assert_eq!(
            ok(Get, "/api/mailboxes/7/identities"),
            Route::Identities { mb: 7 }
        );
        assert_eq!(ok(Post, "/api/uploads"), Route::CreateUpload);
        assert_eq!(
            ok(Get, "/api/uploads/abc"),
            Route::GetUpload { id: "abc".into() }
        );
        assert_eq!(
            ok(Patch, "/api/uploads/abc"),
            Route::UploadData { id: "abc".into() }
        );
        assert!(ok(Patch, "/api/uploads/abc").streams_request_body());
        assert!(!ok(Get, "/api/uploads/abc").streams_request_body());
        assert_eq!(
            ok(Delete, "/api/uploads/abc"),
            Route::DeleteUpload { id: "abc".into() }
        );
        assert_eq!(ok(Post, "/api/transfers"), Route::CreateTransfer);
        assert_eq!(
            ok(Get, "/t/tok"),
            Route::TransferPage {
                token: "tok".into()
            }
        );
        assert_eq!(
            ok(Head, "/t/tok/f1"),
            Route::TransferFile {
                token: "tok".into(),
                file: "f1".into()
            }
        );
        assert_eq!(ok(Get, "/t/page.css"), Route::TransferCss);
        assert!(ok(Get, "/t/tok").is_public() && ok(Get, "/t/tok/f").is_public());
        assert!(!ok(Post, "/api/uploads").is_public());
        assert_eq!(
            route(&Post, "/t/tok"),
            Err(RouteError::MethodNotAllowed("GET, HEAD"))
        );
        assert_eq!(
            route(&Put, "/api/uploads/abc"),
            Err(RouteError::MethodNotAllowed("GET, PATCH, DELETE"))
        );
        assert_eq!(
            route(&Delete, "/api/mailboxes/1/signature"),
            Err(RouteError::MethodNotAllowed("GET, PUT"))
        );
        for p in [
            "/api/uploads/a.b",
            "/api/uploads/",
            "/api/uploads/a/b",
            "/api/mailboxes/1/outbox/..",
            "/api/mailboxes/1/drafts/x",
            "/t/a/b/c",
        ] {
            assert_eq!(route(&Get, p), Err(RouteError::NotFound), "{p}");
        }
    }

    #[test]
    fn unknown_api_paths_are_not_found() {
        for p in [
            "/api",
            "/api/",
            "/api/nope",
            "/api/health/",
            "/api/mailboxes/x/folders",
            "/api/mailboxes/0/folders",
            "/api/mailboxes/-1/folders",
            "/api/mailboxes/01/folders",
            "/api/mailboxes/7/messages/abc",
            "/api/mailboxes/7/messages/99999999999",
            "/api/mailboxes/7/messages/1/parts/1.HEADER",
            "/api/mailboxes/7/messages/1/parts/1..2",
            "/api/mailboxes/7/messages/1/parts/",
            "/api/mailboxes/7/messages/1/raw",
            "/api/mailboxes/7",
        ] {
            assert_eq!(route(&Get, p), Err(RouteError::NotFound), "{p}");
        }
    }

    #[test]
    fn wrong_methods_are_405_with_allow() {
        assert_eq!(
            route(&Put, "/api/session"),
            Err(RouteError::MethodNotAllowed("GET, POST, DELETE"))
        );
        assert_eq!(
            route(&Get, "/api/mailboxes/1/messages/move"),
            Err(RouteError::MethodNotAllowed("POST"))
        );
        assert_eq!(
            route(&Delete, "/api/mailboxes/1/messages/5"),
            Err(RouteError::MethodNotAllowed("GET"))
        );
        assert_eq!(
            route(&Post, "/index.html"),
            Err(RouteError::MethodNotAllowed("GET, HEAD"))
        );
    }

    #[test]
    fn everything_else_is_static() {
        for p in ["/", "/index.html", "/mail/inbox", "/apix", "/api-docs"] {
            assert_eq!(route(&Get, p), Ok(Route::Static), "{p}");
            assert_eq!(route(&Head, p), Ok(Route::Static), "{p}");
        }
    }

    #[test]
    fn only_login_health_and_files_are_public() {
        assert!(Route::Login.is_public());
        assert!(Route::Health.is_public());
        assert!(!Route::Me.is_public());
        assert!(!Route::GetSession.is_public());
    }
}
