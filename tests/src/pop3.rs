//! A small POP3 client (RFC 1939) for the device-password tests: plain TCP
//! on loopback, `USER`/`PASS`, `STAT`, `RETR`, `QUIT`.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct Pop3Client {
    stream: BufReader<TcpStream>,
}

impl Pop3Client {
    pub async fn connect(addr: &str) -> std::io::Result<Pop3Client> {
        let tcp = TcpStream::connect(addr).await?;
        let mut c = Pop3Client {
            stream: BufReader::new(tcp),
        };
        let greeting = c.line().await?;
        assert!(greeting.starts_with("+OK"), "POP3 greeting: {greeting}");
        Ok(c)
    }

    async fn line(&mut self) -> std::io::Result<String> {
        let mut l = String::new();
        if self.stream.read_line(&mut l).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(l.trim_end().to_string())
    }

    /// One command, its status line (`+OK …` or `-ERR …`).
    pub async fn command(&mut self, cmd: &str) -> std::io::Result<String> {
        let w = self.stream.get_mut();
        w.write_all(format!("{cmd}\r\n").as_bytes()).await?;
        w.flush().await?;
        self.line().await
    }

    /// `USER` + `PASS`: `Ok(())` when the server accepts, the `-ERR` line
    /// otherwise.
    pub async fn login(&mut self, user: &str, password: &str) -> Result<(), String> {
        let r = self
            .command(&format!("USER {user}"))
            .await
            .map_err(|e| e.to_string())?;
        if !r.starts_with("+OK") {
            return Err(r);
        }
        let r = self
            .command(&format!("PASS {password}"))
            .await
            .map_err(|e| e.to_string())?;
        if r.starts_with("+OK") { Ok(()) } else { Err(r) }
    }

    /// `STAT`: how many messages.
    pub async fn count(&mut self) -> std::io::Result<u32> {
        let r = self.command("STAT").await?;
        Ok(r.split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0))
    }

    /// `RETR n`: the message, dot-unstuffed.
    pub async fn retr(&mut self, n: u32) -> std::io::Result<String> {
        let r = self.command(&format!("RETR {n}")).await?;
        assert!(r.starts_with("+OK"), "RETR: {r}");
        let mut out = String::new();
        loop {
            let l = self.line().await?;
            if l == "." {
                return Ok(out);
            }
            out.push_str(l.strip_prefix('.').unwrap_or(&l));
            out.push('\n');
        }
    }

    pub async fn quit(mut self) {
        let _ = self.command("QUIT").await;
    }
}
