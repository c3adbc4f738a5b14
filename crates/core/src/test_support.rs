//! Test-only helpers: RSA keys generated at test time, JWT signing, a
//! minimal HTTP server on 127.0.0.1 that plays the Clerk JWKS endpoint, and
//! readers of verification outcomes.

use crate::errors::Failure;
use crate::jwt::verify::{SyncOutcome, VerifiedToken};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct TestKey {
  pub kid: String,
  pair: KeyPair,
}

impl TestKey {
  pub fn generate(kid: &str) -> TestKey {
    TestKey {
      kid: kid.into(),
      pair: KeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
    }
  }

  /// (n, e) from the PKCS#1 RSAPublicKey DER: SEQUENCE { INTEGER n, INTEGER e }.
  fn components(&self) -> (Vec<u8>, Vec<u8>) {
    let der = self.pair.public_key().as_ref();
    let mut at = 0;
    read_der_header(der, &mut at); // the SEQUENCE
    let n_len = read_der_header(der, &mut at);
    let n = der[at..at + n_len].to_vec();
    at += n_len;
    let e_len = read_der_header(der, &mut at);
    let e = der[at..at + e_len].to_vec();
    let strip = |v: Vec<u8>| v.into_iter().skip_while(|b| *b == 0).collect::<Vec<_>>();
    (strip(n), strip(e))
  }

  pub fn jwk(&self) -> Value {
    let (n, e) = self.components();
    json!({"kty": "RSA", "kid": self.kid, "alg": "RS256", "use": "sig", "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e)})
  }

  pub fn spki_pem(&self) -> String {
    let der = self.pair.public_key().as_der().expect("SPKI DER");
    let body = STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = body
      .as_bytes()
      .chunks(64)
      .map(|c| std::str::from_utf8(c).unwrap())
      .collect();
    format!(
      "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
      lines.join("\n")
    )
  }

  /// An RS256 token; `header` fields are merged over `{alg, kid, typ}`.
  pub fn sign(&self, header: Value, payload: Value) -> String {
    let mut full_header = json!({"alg": "RS256", "kid": self.kid, "typ": "JWT"});
    for (k, v) in header.as_object().cloned().unwrap_or_default() {
      full_header[k] = v;
    }
    let signed = format!(
      "{}.{}",
      URL_SAFE_NO_PAD.encode(full_header.to_string()),
      URL_SAFE_NO_PAD.encode(payload.to_string())
    );
    let mut sig = vec![0; self.pair.public_modulus_len()];
    self
      .pair
      .sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
      )
      .expect("signing");
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
  }
}

/// Skips a DER tag and returns the length that follows it.
fn read_der_header(der: &[u8], at: &mut usize) -> usize {
  *at += 1;
  let first = der[*at] as usize;
  *at += 1;
  if first < 0x80 {
    return first;
  }
  let mut len = 0;
  for _ in 0..(first & 0x7f) {
    len = (len << 8) | der[*at] as usize;
    *at += 1;
  }
  len
}

/// The clock's seconds, as the claims count them.
pub fn now_s() -> i64 {
  (crate::clock::now_ms() / 1000.0) as i64
}

/// Session claims valid now, issued by `https://clerk.example.com` (the
/// Frontend API of `pk_test_Y2xlcmsuZXhhbXBsZS5jb20k`), with `changes`
/// merged in; a `null` change removes the claim.
pub fn instance_claims(changes: Value) -> Value {
  let mut claims = session_claims(now_s());
  claims["iss"] = json!("https://clerk.example.com");
  for (name, value) in changes.as_object().cloned().unwrap_or_default() {
    if value.is_null() {
      claims.as_object_mut().unwrap().remove(&name);
    } else {
      claims[name] = value;
    }
  }
  claims
}

/// Claims valid for an hour around `now_s`.
pub fn session_claims(now_s: i64) -> Value {
  json!({"sub": "user_1", "sid": "sess_1", "azp": "http://localhost:3000", "iat": now_s - 10, "nbf": now_s - 10, "exp": now_s + 3600})
}

/// A one-route HTTP/1.1 server answering every request with the same
/// (status, body), one connection at a time; it counts the requests it
/// serves. The body and a delay before each answer can be changed.
pub struct FakeServer {
  pub url: String,
  hits: Arc<AtomicUsize>,
  body: Arc<Mutex<String>>,
  delay_ms: Arc<AtomicU64>,
  status: Arc<AtomicU64>,
}

impl FakeServer {
  pub fn start(status: u16, body: String) -> FakeServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(Mutex::new(body));
    let delay_ms = Arc::new(AtomicU64::new(0));
    let status = Arc::new(AtomicU64::new(u64::from(status)));
    let (thread_hits, thread_body, thread_delay) = (hits.clone(), body.clone(), delay_ms.clone());
    let thread_status = status.clone();
    std::thread::spawn(move || {
      for stream in listener.incoming() {
        let Ok(mut stream) = stream else { break };
        let mut buffer = [0u8; 8192];
        let _ = stream.read(&mut buffer);
        thread_hits.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(thread_delay.load(Ordering::SeqCst)));
        let body = thread_body.lock().unwrap().clone();
        let status = thread_status.load(Ordering::SeqCst);
        let reply = format!(
          "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
          body.len()
        );
        let _ = stream.write_all(reply.as_bytes());
      }
    });
    FakeServer {
      url,
      hits,
      body,
      delay_ms,
      status,
    }
  }

  pub fn hits(&self) -> usize {
    self.hits.load(Ordering::SeqCst)
  }

  pub fn set_body(&self, body: String) {
    *self.body.lock().unwrap() = body;
  }

  pub fn set_status(&self, status: u16) {
    self.status.store(u64::from(status), Ordering::SeqCst);
  }

  pub fn set_delay_ms(&self, delay_ms: u64) {
    self.delay_ms.store(delay_ms, Ordering::SeqCst);
  }
}

/// An HTTP/1.1 server answering its n-th request with the n-th of the given
/// (status, headers, body) answers, and the last one after that; it counts
/// the requests it serves.
pub struct SequenceServer {
  pub url: String,
  hits: Arc<AtomicUsize>,
}

type Answer = (u16, Vec<(&'static str, &'static str)>, String);

impl SequenceServer {
  pub fn start(answers: Vec<Answer>) -> SequenceServer {
    Self::spawn(Some(answers))
  }

  /// Accepts connections and reads requests but never answers.
  pub fn start_silent() -> SequenceServer {
    Self::spawn(None)
  }

  fn spawn(answers: Option<Vec<Answer>>) -> SequenceServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let thread_hits = hits.clone();
    std::thread::spawn(move || {
      let mut held = Vec::new();
      for stream in listener.incoming() {
        let Ok(mut stream) = stream else { break };
        let mut buffer = [0u8; 8192];
        let _ = stream.read(&mut buffer);
        let n = thread_hits.fetch_add(1, Ordering::SeqCst);
        let Some(answers) = &answers else {
          held.push(stream);
          continue;
        };
        let (status, headers, body) = &answers[n.min(answers.len() - 1)];
        let mut reply = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n");
        for (name, value) in headers {
          reply.push_str(&format!("{name}: {value}\r\n"));
        }
        reply.push_str(&format!(
          "content-length: {}\r\nconnection: close\r\n\r\n{body}",
          body.len()
        ));
        let _ = stream.write_all(reply.as_bytes());
      }
    });
    SequenceServer { url, hits }
  }

  pub fn hits(&self) -> usize {
    self.hits.load(Ordering::SeqCst)
  }
}

/// The result of a verification that must not need a JWKS fetch.
pub fn done(outcome: SyncOutcome) -> Result<VerifiedToken, Failure> {
  match outcome {
    SyncOutcome::Done(result) => result,
    SyncOutcome::NeedsJwksFetch => panic!("no fetch expected"),
  }
}

/// The reason of a verification that must fail on the token itself.
pub fn reason_of(result: Result<VerifiedToken, Failure>) -> &'static str {
  match result {
    Err(Failure::Token(err)) => err.reason,
    other => panic!("expected a token error, got {other:?}"),
  }
}

/// Tests that fetch keys (which moves the process-wide keys epoch and, when
/// the keys change, empties the process-wide token cache) and tests that
/// look at those run one at a time.
static KEY_STATE_TESTS: Mutex<()> = Mutex::new(());

pub fn key_state_serialized() -> std::sync::MutexGuard<'static, ()> {
  KEY_STATE_TESTS
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs a future to completion on a small single-threaded runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
  tokio::runtime::Builder::new_current_thread()
    .enable_all()
    .build()
    .expect("a tokio runtime")
    .block_on(future)
}

/// A URL on 127.0.0.1 where nothing listens: connecting to it fails.
pub fn refused_url() -> String {
  let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
  let url = format!("http://{}", listener.local_addr().unwrap());
  drop(listener);
  url
}

/// One request as a `RecordingServer` received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
  pub method: String,
  /// The request target as sent: path and query.
  pub target: String,
  /// Header names lower-cased, in the order received.
  pub headers: Vec<(String, String)>,
  pub body: Vec<u8>,
}

impl RecordedRequest {
  /// The path without the query.
  pub fn path(&self) -> &str {
    self.target.split('?').next().unwrap_or_default()
  }

  /// The first value of a header.
  pub fn header(&self, name: &str) -> Option<&str> {
    self
      .headers
      .iter()
      .find(|(n, _)| n.eq_ignore_ascii_case(name))
      .map(|(_, v)| v.as_str())
  }

  /// Every value of a header, in order.
  pub fn header_values(&self, name: &str) -> Vec<&str> {
    self
      .headers
      .iter()
      .filter(|(n, _)| n.eq_ignore_ascii_case(name))
      .map(|(_, v)| v.as_str())
      .collect()
  }

  pub fn body_text(&self) -> String {
    String::from_utf8_lossy(&self.body).into_owned()
  }

  /// The body parsed as JSON (panics if it is not JSON).
  pub fn json(&self) -> Value {
    serde_json::from_slice(&self.body).expect("a JSON request body")
  }
}

/// An answer of a `RecordingServer`. Without a `content-type` among the
/// headers, `application/json` is sent; without a `connection` header,
/// `connection: close` (the connection is closed after each answer anyway).
/// `{self}` in a header value stands for the server's own URL.
#[derive(Debug, Clone)]
pub struct Reply {
  pub status: u16,
  pub headers: Vec<(String, String)>,
  pub body: Vec<u8>,
}

impl Reply {
  /// A JSON answer.
  pub fn json(status: u16, body: Value) -> Reply {
    Reply {
      status,
      headers: Vec::new(),
      body: body.to_string().into_bytes(),
    }
  }

  /// An answer with this exact body text (`application/json` unless a
  /// content type is added with `header`).
  pub fn text(status: u16, body: &str) -> Reply {
    Reply {
      status,
      headers: Vec::new(),
      body: body.as_bytes().to_vec(),
    }
  }

  /// The same answer with one more header (repeatable, sent in order).
  pub fn header(mut self, name: &str, value: &str) -> Reply {
    self.headers.push((name.into(), value.into()));
    self
  }
}

/// An HTTP/1.1 server on 127.0.0.1 that records every request (method,
/// target, headers, body) and answers by path (the target without its
/// query); unknown paths get a 404 with `{"errors":[]}`. One connection at a
/// time, closed after each answer.
pub struct RecordingServer {
  pub url: String,
  requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

impl RecordingServer {
  pub fn start(routes: Vec<(&str, Reply)>) -> RecordingServer {
    let routes: Vec<(String, Reply)> = routes
      .into_iter()
      .map(|(path, reply)| (path.to_string(), reply))
      .collect();
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let thread_requests = requests.clone();
    let own_url = url.clone();
    std::thread::spawn(move || {
      for stream in listener.incoming() {
        let Ok(mut stream) = stream else { break };
        let Some(request) = read_request(&mut stream) else {
          continue;
        };
        let reply = routes
          .iter()
          .find(|(path, _)| path == request.path())
          .map(|(_, reply)| reply.clone())
          .unwrap_or_else(|| Reply::json(404, json!({"errors": []})));
        thread_requests.lock().unwrap().push(request);
        let _ = stream.write_all(&reply_bytes(&reply, &own_url));
        let _ = stream.flush();
      }
    });
    RecordingServer { url, requests }
  }

  /// The requests received so far, in order.
  pub fn requests(&self) -> Vec<RecordedRequest> {
    self.requests.lock().unwrap().clone()
  }

  /// The only request received (panics unless there was exactly one).
  pub fn only_request(&self) -> RecordedRequest {
    let requests = self.requests();
    assert_eq!(requests.len(), 1, "expected one request, got {requests:?}");
    requests.into_iter().next().unwrap()
  }

  pub fn hits(&self) -> usize {
    self.requests.lock().unwrap().len()
  }

  /// `host:port`, as a client sends it in `Host`.
  pub fn host(&self) -> &str {
    self.url.trim_start_matches("http://")
  }
}

/// Reads one request: the head, then `content-length` bytes of body.
fn read_request(stream: &mut std::net::TcpStream) -> Option<RecordedRequest> {
  let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
  let mut data = Vec::new();
  let mut buffer = [0u8; 8192];
  let head_end = loop {
    if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
      break at;
    }
    let n = stream.read(&mut buffer).ok()?;
    if n == 0 {
      return None;
    }
    data.extend_from_slice(&buffer[..n]);
  };
  let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
  let mut lines = head.split("\r\n");
  let mut request_line = lines.next()?.split(' ');
  let method = request_line.next()?.to_string();
  let target = request_line.next()?.to_string();
  let headers: Vec<(String, String)> = lines
    .filter_map(|line| line.split_once(':'))
    .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
    .collect();
  let length: usize = headers
    .iter()
    .find(|(name, _)| name == "content-length")
    .and_then(|(_, value)| value.parse().ok())
    .unwrap_or(0);
  let mut body = data[head_end + 4..].to_vec();
  while body.len() < length {
    let n = stream.read(&mut buffer).ok()?;
    if n == 0 {
      break;
    }
    body.extend_from_slice(&buffer[..n]);
  }
  body.truncate(length);
  Some(RecordedRequest {
    method,
    target,
    headers,
    body,
  })
}

fn reply_bytes(reply: &Reply, own_url: &str) -> Vec<u8> {
  let has = |name: &str| {
    reply
      .headers
      .iter()
      .any(|(n, _)| n.eq_ignore_ascii_case(name))
  };
  let mut head = format!("HTTP/1.1 {} X\r\n", reply.status);
  if !has("content-type") {
    head.push_str("content-type: application/json\r\n");
  }
  if !has("connection") {
    head.push_str("connection: close\r\n");
  }
  for (name, value) in &reply.headers {
    let value = value.replace("{self}", own_url);
    head.push_str(&format!("{name}: {value}\r\n"));
  }
  head.push_str(&format!("content-length: {}\r\n\r\n", reply.body.len()));
  let mut bytes = head.into_bytes();
  bytes.extend_from_slice(&reply.body);
  bytes
}

/// An API that answers one request with `body` (200, JSON) and is then gone:
/// every later connection is refused, as when the Backend API is down.
pub fn one_shot_server(body: String) -> String {
  let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
  let url = format!("http://{}", listener.local_addr().unwrap());
  std::thread::spawn(move || {
    if let Ok((mut stream, _)) = listener.accept() {
      let _ = stream.read(&mut [0u8; 8192]);
      let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
      );
      let _ = stream.write_all(reply.as_bytes());
    }
    // The listener is dropped here: the port refuses connections from now on.
  });
  url
}
