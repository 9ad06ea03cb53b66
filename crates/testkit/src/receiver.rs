//! A real HTTP receiver on `127.0.0.1:0` for outbound webhook tests: it
//! records every request (method, path, headers, raw body, arrival time)
//! and answers as the test says, changeable at any time: a status (with
//! extra headers such as `Retry-After`, and a body), a dropped connection,
//! an answer held back for a while, or a script of behaviours followed by
//! a default.
//!
//! It speaks plain HTTP/1.1 over a `TcpListener` itself (keep-alive,
//! `Content-Length` and chunked bodies), so that it can do what a
//! framework would not let it do: close a connection without answering.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the receiver answers one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Behaviour {
    /// Answer `status` with these extra headers and this body.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Drop,
    /// Wait this long, then answer 200.
    Hold(Duration),
    /// Answer as a Cloud API app does: a GET carrying Meta's handshake with
    /// this `hub.verify_token` gets `hub.challenge` back (200), another GET
    /// 403; anything else 200.
    MetaHandshake { verify_token: String },
}

impl Behaviour {
    /// Answer `status` with an empty body.
    pub fn status(status: u16) -> Self {
        Behaviour::Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// `429` with `Retry-After: <seconds>`.
    pub fn too_many(retry_after_seconds: u64) -> Self {
        Self::status(429).header("Retry-After", &retry_after_seconds.to_string())
    }

    /// Adds a header to an answer (no effect on other behaviours).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Behaviour::Answer { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    /// Sets the body of an answer (no effect on other behaviours).
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        if let Behaviour::Answer { body, .. } = &mut self {
            *body = bytes.into();
        }
        self
    }
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Every header in arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The raw body bytes.
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Request {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

#[derive(Debug)]
struct Shared {
    requests: Vec<Request>,
    script: VecDeque<Behaviour>,
    default: Behaviour,
}

/// A receiver serving until dropped.
pub struct Receiver {
    addr: std::net::SocketAddr,
    shared: Arc<Mutex<Shared>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver answering 200 to everything.
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("receiver binds");
        let addr = listener.local_addr().expect("receiver address");
        let shared = Arc::new(Mutex::new(Shared {
            requests: Vec::new(),
            script: VecDeque::new(),
            default: Behaviour::status(200),
        }));
        let s = shared.clone();
        let task = tokio::spawn(async move {
            // Dropped with the task, so aborting it ends every connection.
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((stream, _)) = accepted {
                            connections.spawn(serve(stream, s.clone()));
                        }
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Receiver { addr, shared, task }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// How every request is answered once the script is used up.
    pub fn set(&self, behaviour: Behaviour) {
        self.lock().default = behaviour;
    }

    /// The next requests are answered by `behaviours`, in order, then by
    /// the default. Replaces any script not yet used.
    pub fn script(&self, behaviours: impl IntoIterator<Item = Behaviour>) {
        self.lock().script = behaviours.into_iter().collect();
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.lock().requests.clone()
    }

    /// Forgets the requests so far (behaviours stay).
    pub fn clear(&self) {
        self.lock().requests.clear();
    }

    /// Polls until at least `n` requests have arrived and returns them all;
    /// panics after `timeout`. Only for requests the server's own workers
    /// send in the background; never a timing assertion.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Request> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.requests();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got {} of {n} requests within {timeout:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection: requests one after another (keep-alive) until
/// the client closes it, asks to close it, or the behaviour drops it.
async fn serve(stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let Some((request, close)) = read_request(&mut stream).await else {
            return;
        };
        let behaviour = {
            let mut s = shared.lock().unwrap_or_else(|e| e.into_inner());
            s.requests.push(request);
            s.script.pop_front().unwrap_or_else(|| s.default.clone())
        };
        let (status, headers, body) = match behaviour {
            Behaviour::Drop => return,
            Behaviour::Hold(d) => {
                tokio::time::sleep(d).await;
                (200, Vec::new(), Vec::new())
            }
            Behaviour::Answer {
                status,
                headers,
                body,
            } => (status, headers, body),
            Behaviour::MetaHandshake { verify_token } => handshake(&shared, &verify_token),
        };
        let reason = reqwest::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Status");
        let mut head = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if close {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        let out = stream.get_mut();
        if out.write_all(head.as_bytes()).await.is_err()
            || out.write_all(&body).await.is_err()
            || out.flush().await.is_err()
            || close
        {
            return;
        }
    }
}

/// The answer of [`Behaviour::MetaHandshake`] to the latest request.
fn handshake(shared: &Mutex<Shared>, verify_token: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let s = shared.lock().unwrap_or_else(|e| e.into_inner());
    let Some(r) = s.requests.last().filter(|r| r.method == "GET") else {
        return (200, Vec::new(), Vec::new());
    };
    let query = r.path.split_once('?').map_or("", |(_, q)| q);
    let params: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match (
        param("hub.mode"),
        param("hub.verify_token"),
        param("hub.challenge"),
    ) {
        (Some("subscribe"), Some(t), Some(challenge)) if t == verify_token => {
            (200, Vec::new(), challenge.as_bytes().to_vec())
        }
        _ => (403, Vec::new(), b"verification failed".to_vec()),
    }
}

/// Reads one request; `None` when the connection ends first. The flag is
/// whether the client asked to close the connection afterwards.
async fn read_request(stream: &mut BufReader<TcpStream>) -> Option<(Request, bool)> {
    let mut line = String::new();
    // Skip stray empty lines between requests.
    while line.trim().is_empty() {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
    }
    let mut first = line.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let mut body = Vec::new();
    if get("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        loop {
            line.clear();
            stream.read_line(&mut line).await.ok()?;
            let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
            if size == 0 {
                // Trailers, up to the empty line.
                loop {
                    line.clear();
                    if stream.read_line(&mut line).await.ok()? == 0 || line.trim().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            stream.read_exact(&mut body[start..]).await.ok()?;
            line.clear();
            stream.read_line(&mut line).await.ok()?;
        }
    } else if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        stream.read_exact(&mut body).await.ok()?;
    }
    let close = get("connection").is_some_and(|v| v.contains("close"));
    Some((
        Request {
            method,
            path,
            headers,
            body,
            at: Instant::now(),
        },
        close,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_as_told_and_records_everything() {
        let r = Receiver::start().await;
        let client = reqwest::Client::new();
        r.script([Behaviour::too_many(120).body("slow down"), Behaviour::Drop]);
        r.set(Behaviour::status(503));
        let first = client
            .post(r.url("/a?x=1"))
            .header("X-Thing", "yes")
            .body("one")
            .send()
            .await
            .unwrap();
        assert_eq!(first.status().as_u16(), 429);
        assert_eq!(first.headers()["retry-after"], "120");
        assert_eq!(first.text().await.unwrap(), "slow down");
        assert!(client.post(r.url("/b")).body("two").send().await.is_err());
        let third = client.post(r.url("/c")).body("three").send().await.unwrap();
        assert_eq!(third.status().as_u16(), 503);
        let got = r.wait_for(3, Duration::from_secs(5)).await;
        assert_eq!(got[0].path, "/a?x=1");
        assert_eq!(got[0].header("x-thing"), Some("yes"));
        assert_eq!(got[0].body, b"one");
        assert_eq!(got[1].body, b"two");
        assert_eq!(got[2].method, "POST");
        r.clear();
        assert!(r.requests().is_empty());
        r.set(Behaviour::Hold(Duration::from_millis(50)));
        let held = client.get(r.url("/d")).send().await.unwrap();
        assert_eq!(held.status().as_u16(), 200);
        assert_eq!(r.requests().len(), 1);
    }
}
