//! The public side of transfers: the download page and its files, which
//! need no session (the token is the key).

use super::*;

impl<G: Gateway> Ctx<'_, G> {
    /// `GET /t/{token}`: the public download page (no session).
    pub(super) async fn transfer_page(&self, token: &str) -> EdgeResponse {
        let mut r = {
            let route = Route::TransferPage {
                token: token.to_string(),
            };
            let req = self.gateway_request(&route, "", None);
            match self.send(req).await {
                Err(_) => transfer_page::error_page(503),
                Ok(resp) if resp.is_success() => {
                    match serde_json::from_slice::<Transfer>(&resp.body) {
                        Ok(t) => transfer_page::render(&t),
                        Err(_) => {
                            eprintln!("postern-edge: unexpected body from the transfers route");
                            transfer_page::error_page(503)
                        }
                    }
                }
                Ok(resp) => transfer_page::error_page(resp.status),
            }
        };
        if self.req.method == Method::Head {
            r.body.clear();
        }
        r
    }

    /// `GET /t/{token}/{file}`: streamed by the component, `Range` passed on.
    pub(super) fn transfer_file(&self, token: &str, file: &str) -> Outcome {
        let route = Route::TransferFile {
            token: token.to_string(),
            file: file.to_string(),
        };
        let mut req = self.gateway_request(&route, "", None);
        if self.req.method == Method::Head {
            req.method = Method::Head;
        }
        if let Some(range) = self.req.header("range").filter(|r| {
            r.len() <= MAX_RANGE_HEADER && r.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        }) {
            req.headers.push(("range".into(), range.to_string()));
        }
        Outcome::StreamTransfer(req)
    }
}
