//! The Spin / wasi-http entry point (wasm only). Reads the request (body
//! size-limited), hands it to [`crate::handle`], and writes the outcome —
//! attachments and transfer files are streamed from the gateway chunk by
//! chunk, and upload bytes (`PATCH /api/uploads/{id}`) are streamed to it
//! without ever being read whole.

use crate::api::{MAX_JSON_BODY, Outcome, max_body};
use crate::config::{Config, DIST_DIR};
use crate::download;
use crate::gateway::{GatewayRequest, GatewayResponse};
use crate::gateway::{gateway_error, json_answer};
use crate::gateway_client::{SpinGateway, header_pairs};
use crate::http::{EdgeRequest, EdgeResponse, Method};
use crate::router::Target;
use crate::transfer_page;
use futures::{SinkExt, StreamExt};
use postern_shared::ErrorCode;
use spin_sdk::http::{
    Fields, IncomingRequest, IncomingResponse, OutgoingResponse, ResponseOutparam,
};
use spin_sdk::http_component;
use std::path::Path;

#[http_component]
async fn handle_request(req: IncomingRequest, out: ResponseOutparam) {
    let cfg = Config::from_env();
    let mut edge_req = read_head(&req);
    // An upload's bytes stay unread here: the handler checks the session
    // and CSRF from the headers, then the body is streamed to the gateway.
    let target = crate::router::route(&edge_req.method, &edge_req.path);
    let streamed = matches!(&target, Ok(Target::Route(r)) if r.streams_request_body());
    let limit = match &target {
        Ok(Target::Route(r)) => max_body(r),
        _ => MAX_JSON_BODY,
    };
    let upload_body = if streamed {
        Some(req)
    } else {
        if let Err(resp) = read_body(req, &mut edge_req, limit).await {
            return write(out, resp).await;
        }
        None
    };
    let gw = SpinGateway::new(cfg.as_ref().ok());
    let outcome = crate::handle(
        &edge_req,
        cfg.as_ref(),
        &gw,
        Path::new(DIST_DIR),
        crate::unix_now(),
    )
    .await;
    match outcome {
        Outcome::Respond(r) => write(out, r).await,
        Outcome::StreamPart(g) => stream_part(out, &gw, g).await,
        Outcome::StreamTransfer(g) => stream_transfer(out, &gw, g).await,
        Outcome::StreamEvents(g) => stream_events(out, &gw, g).await,
        Outcome::StreamUpload(g) => match upload_body {
            Some(incoming) => stream_upload(out, &gw, g, incoming).await,
            None => write(out, EdgeResponse::code(ErrorCode::Internal)).await,
        },
    }
}

/// Method, path and headers; the body is left unread.
fn read_head(req: &IncomingRequest) -> EdgeRequest {
    let method = Method::parse(&req.method().to_string());
    let path_and_query = req.path_with_query().unwrap_or_else(|| "/".into());
    let mut edge = EdgeRequest::new(method, &path_and_query);
    edge.headers = req
        .headers()
        .entries()
        .into_iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    if edge.header("host").is_none()
        && let Some(authority) = req.authority()
    {
        edge.headers.push(("host".into(), authority));
    }
    edge
}

/// Reads a (JSON) body, at most `limit` bytes ([`max_body`]).
async fn read_body(
    req: IncomingRequest,
    edge: &mut EdgeRequest,
    limit: usize,
) -> Result<(), EdgeResponse> {
    if matches!(edge.method, Method::Get | Method::Head) {
        return Ok(());
    }
    if edge
        .header("content-length")
        .and_then(|l| l.trim().parse::<u64>().ok())
        .is_some_and(|l| l > limit as u64)
    {
        return Err(EdgeResponse::code(ErrorCode::PayloadTooLarge));
    }
    let mut stream = req.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| EdgeResponse::code(ErrorCode::BadRequest))?;
        if body.len() + chunk.len() > limit {
            return Err(EdgeResponse::code(ErrorCode::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    edge.body = body;
    Ok(())
}

fn fields(headers: &[(String, String)]) -> Fields {
    let list: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
        .collect();
    Fields::from_list(&list).unwrap_or_else(|e| {
        eprintln!("postern-edge: refused response headers: {e:?}");
        Fields::new()
    })
}

async fn write(out: ResponseOutparam, mut r: EdgeResponse) {
    if !r.body.is_empty() && r.header("content-length").is_none() {
        r.headers
            .push(("content-length".into(), r.body.len().to_string()));
    }
    let resp = OutgoingResponse::new(fields(&r.headers));
    let _ = resp.set_status_code(r.status);
    let mut body = resp.take_body();
    out.set(resp);
    if !r.body.is_empty()
        && let Err(e) = body.send(r.body).await
    {
        eprintln!("postern-edge: writing the response failed: {e:?}");
    }
}

async fn stream_part(out: ResponseOutparam, gw: &SpinGateway<'_>, req: GatewayRequest) {
    let resp = match gw.open(req).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postern-edge: gateway unreachable: {}", e.0);
            return write(out, EdgeResponse::code(ErrorCode::GatewayUnavailable)).await;
        }
    };
    let status = resp.status();
    let headers = header_pairs(&resp);
    if !(200..300).contains(&status) {
        let body = resp.into_body().await.unwrap_or_default();
        let err = gateway_error(&GatewayResponse {
            status,
            headers,
            body,
        });
        return write(out, err).await;
    }
    stream_body(out, download::part_headers(&headers), resp).await;
}

/// Live updates: the gateway's Server-Sent Events passed on as they come.
/// When the browser goes away the next heartbeat fails to write, and
/// dropping the gateway's response ends its stream there too.
async fn stream_events(out: ResponseOutparam, gw: &SpinGateway<'_>, req: GatewayRequest) {
    let resp = match gw.open(req).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postern-edge: gateway unreachable: {}", e.0);
            return write(out, EdgeResponse::code(ErrorCode::GatewayUnavailable)).await;
        }
    };
    let status = resp.status();
    let headers = header_pairs(&resp);
    if !(200..300).contains(&status) {
        let body = resp.into_body().await.unwrap_or_default();
        let err = gateway_error(&GatewayResponse {
            status,
            headers,
            body,
        });
        return write(out, err).await;
    }
    stream_body(out, download::event_stream_headers(), resp).await;
}

/// Writes `shaped` (status and headers) and passes the gateway's body
/// through chunk by chunk.
async fn stream_body(out: ResponseOutparam, shaped: EdgeResponse, resp: IncomingResponse) {
    let outgoing = OutgoingResponse::new(fields(&shaped.headers));
    let _ = outgoing.set_status_code(shaped.status);
    let mut sink = outgoing.take_body();
    out.set(outgoing);
    // `resp` stays alive until the stream is drained: dropping an
    // IncomingResponse early cancels the request.
    let mut stream = resp.take_body_stream();
    while let Some(chunk) = stream.next().await {
        let failed = match chunk {
            Ok(chunk) => sink.send(chunk).await.is_err(),
            Err(e) => {
                eprintln!("postern-edge: download stream broke: {e:?}");
                true
            }
        };
        if failed {
            // Do not finish the body: the client must see a broken
            // download, not a complete-looking truncated file.
            std::mem::forget(sink);
            return;
        }
    }
    drop(stream);
    drop(sink);
    drop(resp);
}

/// A public transfer file: 200/206 streamed, HEAD answered with the
/// headers only, errors as pages (or 416 with `Content-Range`).
async fn stream_transfer(out: ResponseOutparam, gw: &SpinGateway<'_>, req: GatewayRequest) {
    let head = req.method == Method::Head;
    let resp = match gw.open(req).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postern-edge: gateway unreachable: {}", e.0);
            return write(out, transfer_page::error_page(503)).await;
        }
    };
    let status = resp.status();
    let headers = header_pairs(&resp);
    if status != 200 && status != 206 {
        let body = resp.into_body().await.unwrap_or_default();
        let err = download::file_error(&GatewayResponse {
            status,
            headers,
            body,
        });
        return write(out, err).await;
    }
    let shaped = download::file_headers(status, &headers, head);
    if head {
        drop(resp);
        return write(out, shaped).await;
    }
    stream_body(out, shaped, resp).await;
}

/// `PATCH /api/uploads/{id}`: the browser's body is pumped into the
/// gateway request while its answer is awaited (memory stays flat however
/// large the file), then the JSON answer is passed back.
async fn stream_upload(
    out: ResponseOutparam,
    gw: &SpinGateway<'_>,
    req: GatewayRequest,
    incoming: IncomingRequest,
) {
    let body = incoming.into_body_stream();
    let resp = match gw.open_streaming(req, body).await {
        Ok(r) => r,
        Err(e) => {
            eprintln!("postern-edge: upload to the gateway failed: {}", e.0);
            return write(out, EdgeResponse::code(ErrorCode::GatewayUnavailable)).await;
        }
    };
    let status = resp.status();
    let headers = header_pairs(&resp);
    let answer = match resp.into_body().await {
        Ok(body) => json_answer(GatewayResponse {
            status,
            headers,
            body,
        }),
        Err(e) => {
            eprintln!("postern-edge: reading the gateway's answer: {e:?}");
            EdgeResponse::code(ErrorCode::GatewayUnavailable)
        }
    };
    write(out, answer).await;
}
