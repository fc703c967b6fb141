//! The accept loop shared by the services Postfix calls (policy, milter):
//! one task per connection, errors logged, never fatal to the listener.

use std::future::Future;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

use crate::db::Db;

/// Binds `addr` and serves every connection with `handle`, for the life of
/// the process.
pub async fn spawn<F, Fut>(
    what: &'static str,
    db: Db,
    addr: SocketAddr,
    handle: F,
) -> std::io::Result<tokio::task::JoinHandle<()>>
where
    F: Fn(Db, TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind(addr).await?;
    tracing::info!(%addr, "{what} listening");
    Ok(tokio::spawn(serve(what, db, listener, handle)))
}

pub async fn serve<F, Fut>(what: &'static str, db: Db, listener: TcpListener, handle: F)
where
    F: Fn(Db, TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = std::io::Result<()>> + Send + 'static,
{
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let task = handle(db.clone(), stream);
                tokio::spawn(async move {
                    if let Err(e) = task.await {
                        tracing::debug!(error = %e, "{what} connection ended");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "{what} accept failed");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
}
