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
        matches!(self, Route::Health | Route::Login | Route::Static)
    }
}

pub fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub fn route(method: &Method, path: &str) -> Result<Route, RouteError> {
    use Method::*;
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
        _ => Err(RouteError::NotFound),
    }
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
