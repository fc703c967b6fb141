//! Method + path → what to do. The routes themselves are the shared wire
//! contract (`postern_shared::wire::routes`); this adds what only the edge
//! knows: every other path is a file of `dist/`.

use crate::http::Method;
use postern_shared::wire::routes::{self as contract, RouteError as ContractError};
pub use postern_shared::wire::routes::{Route, is_api_path, is_safe_id, is_valid_section};

/// What the edge does with a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A route of the contract.
    Route(Route),
    /// Anything else: a file of `dist/` (GET and HEAD only).
    Static,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteError {
    /// Unknown path under `/api/` or `/t/`.
    NotFound,
    /// Known path, other method; carries the `Allow` header value.
    MethodNotAllowed(String),
}

pub fn route(method: &Method, path: &str) -> Result<Target, RouteError> {
    let shared = postern_shared::wire::Method::parse(method.as_str());
    if !contract::is_contract_path(path) {
        return match shared {
            Some(postern_shared::wire::Method::Get | postern_shared::wire::Method::Head) => {
                Ok(Target::Static)
            }
            _ => Err(RouteError::MethodNotAllowed("GET, HEAD".into())),
        };
    }
    let Some(m) = shared else {
        return Err(match contract::allowed(path) {
            Some(allow) => RouteError::MethodNotAllowed(allow),
            None => RouteError::NotFound,
        });
    };
    match contract::parse(m, path) {
        Ok(r) => Ok(Target::Route(r)),
        Err(ContractError::NotFound | ContractError::Static) => Err(RouteError::NotFound),
        Err(ContractError::MethodNotAllowed(allow)) => Err(RouteError::MethodNotAllowed(allow)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Method::*;

    #[test]
    fn everything_else_is_static() {
        for p in [
            "/",
            "/index.html",
            "/mail/inbox",
            "/apix",
            "/api-docs",
            "/t",
            "/tx/a",
        ] {
            assert_eq!(route(&Get, p), Ok(Target::Static), "{p}");
            assert_eq!(route(&Head, p), Ok(Target::Static), "{p}");
        }
        assert_eq!(
            route(&Post, "/index.html"),
            Err(RouteError::MethodNotAllowed("GET, HEAD".into()))
        );
    }

    #[test]
    fn unknown_methods_on_contract_paths() {
        assert_eq!(
            route(&Options, "/api/session"),
            Err(RouteError::MethodNotAllowed("GET, POST, DELETE".into()))
        );
        assert_eq!(
            route(&Other("BREW".into()), "/api/nope"),
            Err(RouteError::NotFound)
        );
        assert_eq!(route(&Get, "/api/health"), Ok(Target::Route(Route::Health)));
    }
}
