//! A minimal ManageSieve client (RFC 5804), as a desktop mail program
//! uses one: sign in as the mailbox (here the master user), upload a
//! script and make it the active one, list the scripts.

use crate::Stack;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

pub struct ManageSieve {
    stream: BufReader<TcpStream>,
}

impl ManageSieve {
    /// Connected and authenticated as `address` (SASL PLAIN, master user).
    pub async fn connect(stack: &Stack, address: &str) -> ManageSieve {
        let tcp = TcpStream::connect(&stack.sieve_addr)
            .await
            .unwrap_or_else(|e| panic!("ManageSieve {}: {e}", stack.sieve_addr));
        let mut c = ManageSieve {
            stream: BufReader::new(tcp),
        };
        c.response().await.expect("greeting");
        let user = format!("{address}*{}", stack.master_user);
        let plain =
            crate::fixtures::base64(format!("\0{user}\0{}", stack.master_password).as_bytes());
        c.command(&format!("AUTHENTICATE \"PLAIN\" \"{plain}\"\r\n"))
            .await
            .expect("ManageSieve AUTHENTICATE");
        c
    }

    /// The lines up to the final OK (`Err` with them on NO/BYE).
    async fn response(&mut self) -> Result<Vec<String>, Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = self.stream.read_line(&mut line).await.expect("read");
            assert!(n > 0, "ManageSieve closed the connection: {lines:?}");
            let line = line.trim_end().to_string();
            if let Some(len) = line
                .strip_suffix('}')
                .and_then(|l| l.rsplit_once('{'))
                .and_then(|(_, n)| n.trim_end_matches('+').parse::<usize>().ok())
            {
                let mut buf = vec![0u8; len];
                tokio::io::AsyncReadExt::read_exact(&mut self.stream, &mut buf)
                    .await
                    .expect("literal");
                lines.push(line);
                lines.push(String::from_utf8_lossy(&buf).into_owned());
                continue;
            }
            let done_ok = line.starts_with("OK");
            let done_no = line.starts_with("NO") || line.starts_with("BYE");
            lines.push(line);
            if done_ok {
                return Ok(lines);
            }
            if done_no {
                return Err(lines);
            }
        }
    }

    pub async fn command(&mut self, cmd: &str) -> Result<Vec<String>, Vec<String>> {
        self.stream
            .get_mut()
            .write_all(cmd.as_bytes())
            .await
            .expect("write");
        self.response().await
    }

    /// `PUTSCRIPT name` then `SETACTIVE name`.
    pub async fn put_active(&mut self, name: &str, script: &str) {
        let script = script.replace("\r\n", "\n").replace('\n', "\r\n");
        self.command(&format!(
            "PUTSCRIPT \"{name}\" {{{}+}}\r\n{script}\r\n",
            script.len()
        ))
        .await
        .unwrap_or_else(|e| panic!("PUTSCRIPT: {e:?}"));
        self.command(&format!("SETACTIVE \"{name}\"\r\n"))
            .await
            .unwrap_or_else(|e| panic!("SETACTIVE: {e:?}"));
    }

    /// `LISTSCRIPTS`: `"name" ACTIVE` lines.
    pub async fn list(&mut self) -> Vec<String> {
        let mut lines = self.command("LISTSCRIPTS\r\n").await.expect("LISTSCRIPTS");
        lines.pop();
        lines
    }
}
