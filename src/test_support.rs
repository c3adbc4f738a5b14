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
}

impl FakeServer {
  pub fn start(status: u16, body: String) -> FakeServer {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(Mutex::new(body));
    let delay_ms = Arc::new(AtomicU64::new(0));
    let (thread_hits, thread_body, thread_delay) = (hits.clone(), body.clone(), delay_ms.clone());
    std::thread::spawn(move || {
      for stream in listener.incoming() {
        let Ok(mut stream) = stream else { break };
        let mut buffer = [0u8; 8192];
        let _ = stream.read(&mut buffer);
        thread_hits.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(thread_delay.load(Ordering::SeqCst)));
        let body = thread_body.lock().unwrap().clone();
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
    }
  }

  pub fn hits(&self) -> usize {
    self.hits.load(Ordering::SeqCst)
  }

  pub fn set_body(&self, body: String) {
    *self.body.lock().unwrap() = body;
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
