//! The real gateway client (wasm only): wasi-http through spin-sdk. Adds
//! the edge secret, the session id and the client address to every call.

use crate::config::{Config, first_turn};
use crate::gateway::{Gateway, GatewayRequest, GatewayResponse, Unavailable, headers};
use crate::http::Method;
use futures::future::Either;
use futures::{SinkExt, Stream, StreamExt};
use spin_sdk::http::conversions::TryIntoOutgoingRequest;
use spin_sdk::http::{IncomingResponse, Method as SpinMethod, Request};
use std::cell::Cell;
use std::pin::pin;

pub struct SpinGateway<'a> {
    cfg: Option<&'a Config>,
    /// Calls of this request so far, offset by [`first_turn`]: each call
    /// goes to the next gateway of `GATEWAY_URL`.
    turn: Cell<usize>,
}

impl<'a> SpinGateway<'a> {
    pub fn new(cfg: Option<&'a Config>) -> Self {
        SpinGateway {
            cfg,
            turn: Cell::new(first_turn()),
        }
    }

    /// Sends the request and returns the response with its body unread,
    /// so attachments can be streamed.
    pub async fn open(&self, req: GatewayRequest) -> Result<IncomingResponse, Unavailable> {
        let request = self.build(req)?;
        spin_sdk::http::send::<_, IncomingResponse>(request)
            .await
            .map_err(|e| Unavailable(e.to_string()))
    }

    /// Sends the request with `body` streamed into it chunk by chunk while
    /// the answer is awaited: the edge never holds more than a chunk or two
    /// of an upload. Set `content-length` in `req.headers` when known.
    pub async fn open_streaming<S, E>(
        &self,
        req: GatewayRequest,
        body: S,
    ) -> Result<IncomingResponse, Unavailable>
    where
        S: Stream<Item = Result<Vec<u8>, E>>,
        E: std::fmt::Debug,
    {
        let request = self.build(req)?;
        // The builder's (empty) buffered body is ignored: we write our own.
        let (outgoing, _) = request
            .try_into_outgoing_request()
            .map_err(|e| Unavailable(format!("building the request: {e}")))?;
        let mut sink = outgoing.take_body();
        let response = spin_sdk::http::send::<_, IncomingResponse>(outgoing);
        let pump = async move {
            let mut body = pin!(body);
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| format!("the client's body broke: {e:?}"))?;
                sink.send(chunk)
                    .await
                    .map_err(|e| format!("the gateway stopped reading: {e:?}"))?;
            }
            // Dropping the sink finishes the body.
            drop(sink);
            Ok::<(), String>(())
        };
        let response = pin!(response);
        let pump = pin!(pump);
        match futures::future::select(response, pump).await {
            // The gateway answered before the body was done (a refusal,
            // normally): stop sending.
            Either::Left((resp, _unfinished)) => resp.map_err(|e| Unavailable(e.to_string())),
            Either::Right((pumped, response)) => {
                if let Err(e) = pumped {
                    eprintln!("postern-edge: upload stream: {e}");
                }
                response.await.map_err(|e| Unavailable(e.to_string()))
            }
        }
    }

    fn build(&self, req: GatewayRequest) -> Result<Request, Unavailable> {
        let cfg = self
            .cfg
            .ok_or_else(|| Unavailable("the edge is not configured".into()))?;
        let method = match &req.method {
            Method::Get => SpinMethod::Get,
            Method::Head => SpinMethod::Head,
            Method::Post => SpinMethod::Post,
            Method::Put => SpinMethod::Put,
            Method::Patch => SpinMethod::Patch,
            Method::Delete => SpinMethod::Delete,
            Method::Options => SpinMethod::Options,
            Method::Other(m) => SpinMethod::Other(m.clone()),
        };
        let turn = self.turn.get();
        self.turn.set(turn.wrapping_add(1));
        let url = format!("{}{}", cfg.gateway_url(turn), req.path_and_query);
        let mut builder = Request::builder();
        builder
            .method(method)
            .uri(url)
            .header(headers::EDGE_SECRET, cfg.edge_secret.as_str())
            .header("accept", "application/json");
        if let Some(session) = &req.session {
            builder.header(headers::SESSION, session.as_str());
        }
        if let Some(ip) = &req.client_ip {
            builder.header(headers::CLIENT_IP, ip.as_str());
        }
        for (name, value) in &req.headers {
            builder.header(name.as_str(), value.as_str());
        }
        if let Some(body) = req.body {
            // An explicit length rather than chunked encoding: simpler for
            // every server (wasi-http checks it against the bytes written).
            builder
                .header("content-type", "application/json")
                .header("content-length", body.len().to_string())
                .body(body);
        } else if !matches!(req.method, Method::Get | Method::Head)
            && !req.headers.iter().any(|(n, _)| n == "content-length")
        {
            // Say "no body" rather than send an empty chunked one: a gateway
            // that answers before reading the chunked end may close while
            // it is still on its way (the API fuzz saw such calls fail).
            builder.header("content-length", "0");
        }
        Ok(builder.build())
    }
}

/// Response headers as lower-case name / lossy UTF-8 value pairs.
pub fn header_pairs(resp: &IncomingResponse) -> Vec<(String, String)> {
    resp.headers()
        .entries()
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect()
}

impl Gateway for SpinGateway<'_> {
    async fn send(&self, req: GatewayRequest) -> Result<GatewayResponse, Unavailable> {
        let resp = self.open(req).await?;
        let status = resp.status();
        let headers = header_pairs(&resp);
        let body = resp
            .into_body()
            .await
            .map_err(|e| Unavailable(format!("reading the gateway's answer: {e:?}")))?;
        Ok(GatewayResponse {
            status,
            headers,
            body,
        })
    }
}
