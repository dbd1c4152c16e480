//! A minimal blocking HTTP/1.1 GET over a TCP socket: enough to read a static server's status
//! and headers without an HTTP client dependency.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Status and headers (names lower-cased, in the order received) of one response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
}

impl Response {
    /// The value of header `name` (lower-case); fails the test if it was sent twice.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.iter().filter(|(n, _)| n == name);
        let first = values.next().map(|(_, v)| v.as_str());
        assert!(
            values.next().is_none(),
            "header {name} sent twice: {self:?}"
        );
        first
    }
}

/// `GET path` on 127.0.0.1:`port` with `Connection: close`; panics on any I/O error (bounded
/// by a 10 s timeout).
pub fn get(port: u16, path: &str) -> Response {
    fetch(port, path, None).0
}

/// `GET path` like [`get`], sending `Accept-Encoding: accept_encoding` if given (none at all
/// otherwise); returns the body as sent, undecoded (chunked framing removed).
pub fn fetch(port: u16, path: &str, accept_encoding: Option<&str>) -> (Response, Vec<u8>) {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let accept = accept_encoding
        .map(|a| format!("Accept-Encoding: {a}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{accept}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("read GET {path}: {e}"));
    parse(&raw).unwrap_or_else(|| panic!("GET {path}: not an HTTP response"))
}

fn parse(raw: &[u8]) -> Option<(Response, Vec<u8>)> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let resp = Response { status, headers };
    let body = &raw[end + 4..];
    let body = if resp.header("transfer-encoding") == Some("chunked") {
        unchunk(body)?
    } else {
        body.to_vec()
    };
    Some((resp, body))
}

/// The payload of a `Transfer-Encoding: chunked` body.
fn unchunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&body[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body.get(size + 2..)?;
    }
}
