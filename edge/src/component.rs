//! The Spin / wasi-http entry point (wasm only). Reads the request (body
//! size-limited), hands it to [`crate::handle`], and writes the outcome —
//! attachments are streamed from the gateway chunk by chunk.

use crate::api::{self, MAX_JSON_BODY, Outcome};
use crate::config::{Config, DIST_DIR};
use crate::gateway::{GatewayRequest, GatewayResponse};
use crate::gateway_client::{SpinGateway, header_pairs};
use crate::http::{EdgeRequest, EdgeResponse, Method};
use futures::{SinkExt, StreamExt};
use postern_shared::ErrorCode;
use spin_sdk::http::{Fields, IncomingRequest, OutgoingResponse, ResponseOutparam};
use spin_sdk::http_component;
use std::path::Path;

#[http_component]
async fn handle_request(req: IncomingRequest, out: ResponseOutparam) {
    let cfg = Config::from_env();
    let edge_req = match read_request(req).await {
        Ok(r) => r,
        Err(resp) => return write(out, resp).await,
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
    }
}

async fn read_request(req: IncomingRequest) -> Result<EdgeRequest, EdgeResponse> {
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
    if matches!(edge.method, Method::Get | Method::Head) {
        return Ok(edge);
    }
    if edge
        .header("content-length")
        .and_then(|l| l.trim().parse::<u64>().ok())
        .is_some_and(|l| l > MAX_JSON_BODY as u64)
    {
        return Err(EdgeResponse::code(ErrorCode::PayloadTooLarge));
    }
    let mut stream = req.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| EdgeResponse::code(ErrorCode::BadRequest))?;
        if body.len() + chunk.len() > MAX_JSON_BODY {
            return Err(EdgeResponse::code(ErrorCode::PayloadTooLarge));
        }
        body.extend_from_slice(&chunk);
    }
    edge.body = body;
    Ok(edge)
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
        let err = api::gateway_error(&GatewayResponse {
            status,
            headers,
            body,
        });
        return write(out, err).await;
    }
    let shaped = api::part_headers(&headers);
    let outgoing = OutgoingResponse::new(fields(&shaped.headers));
    let _ = outgoing.set_status_code(200);
    let mut sink = outgoing.take_body();
    out.set(outgoing);
    // `resp` stays alive until the stream is drained: dropping an
    // IncomingResponse early cancels the request.
    let mut stream = resp.take_body_stream();
    while let Some(chunk) = stream.next().await {
        let failed = match chunk {
            Ok(chunk) => sink.send(chunk).await.is_err(),
            Err(e) => {
                eprintln!("postern-edge: attachment stream broke: {e:?}");
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
