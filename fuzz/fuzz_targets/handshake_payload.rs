//! Handshake resolution (`handshake_resolution::resolve`, and `credentials`
//! that finds what it resolves) on any handshake token, and on any payload
//! signed by the `jwtKey` in use, so that the directives inside get read:
//! Set-Cookie headers, the session among them, the development redirect.
//! No panic, no network, and a sign-in only with a session token that key
//! signed.
//!
//! Input: a mode byte, then
//! - `t` / `T`: a handshake token, as is (lower case: development);
//! - `p` / `P`: a header JSON line (empty: the usual header), then the
//!   payload JSON, signed here; `$SESSION`, `$EXPIRED` and `$FOREIGN` in it
//!   become a valid session token, an expired one, and one signed by
//!   another key;
//! - `r` / `R`: lines of cookie header and URL; the credentials found there
//!   are resolved.
#![no_main]

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{self, KeyPair as _};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use clerk_core::authenticate::handshake_resolution::{credentials, resolve, Resolution};
use clerk_core::authenticate::instance::Instance;
use clerk_core::authenticate::request::{Request, RequestInput};
use clerk_core::authenticate::Outcome;
use clerk_core::jwt::verify::VerifyOptions;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use std::future::Future;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

struct Fixture {
  key: KeyPair,
  options: VerifyOptions,
  client: reqwest::Client,
  session: String,
  expired: String,
  foreign: String,
}

fn sign(key: &KeyPair, header: &str, payload: &str) -> String {
  let signed = format!(
    "{}.{}",
    URL_SAFE_NO_PAD.encode(header),
    URL_SAFE_NO_PAD.encode(payload)
  );
  let mut sig = vec![0; key.public_modulus_len()];
  key
    .sign(
      &signature::RSA_PKCS1_SHA256,
      &SystemRandom::new(),
      signed.as_bytes(),
      &mut sig,
    )
    .expect("signing");
  format!("{signed}.{}", URL_SAFE_NO_PAD.encode(sig))
}

const HEADER: &str = r#"{"alg":"RS256","kid":"kid_fuzz","typ":"JWT"}"#;

fn fixture() -> &'static Fixture {
  static FIXTURE: OnceLock<Fixture> = OnceLock::new();
  FIXTURE.get_or_init(|| {
    let key = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
    let der = key.public_key().as_der().expect("SPKI DER");
    let pem = format!(
      "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
      STANDARD.encode(der.as_ref())
    );
    let now_s = (clerk_core::clock::now_ms() / 1000.0) as i64;
    let claims = |iat: i64, exp: i64| {
      json!({"sub": "user_1", "sid": "sess_1", "azp": "http://localhost:3000", "iss": "https://clerk.example.com", "iat": iat, "nbf": iat, "exp": exp})
        .to_string()
    };
    let session = sign(&key, HEADER, &claims(now_s - 10, now_s + 86_400 * 365));
    let expired = sign(&key, HEADER, &claims(now_s - 7200, now_s - 3600));
    let other = KeyPair::generate(KeySize::Rsa2048).expect("an RSA key");
    let foreign = sign(&other, HEADER, &claims(now_s - 10, now_s + 86_400 * 365));
    Fixture {
      key,
      options: VerifyOptions {
        jwt_key: Some(pem),
        clock_skew_ms: 5000.0,
        ..Default::default()
      },
      client: reqwest::Client::new(),
      session,
      expired,
      foreign,
    }
  })
}

/// With a `jwtKey` and no secret key nothing is fetched: the first poll ends it.
fn now_or_never<F: Future>(future: F) -> F::Output {
  let mut future = std::pin::pin!(future);
  match future
    .as_mut()
    .poll(&mut Context::from_waker(Waker::noop()))
  {
    Poll::Ready(output) => output,
    Poll::Pending => panic!("handshake resolution waited (a network call?)"),
  }
}

fn signed_in_token(outcome: &Outcome) -> Option<&str> {
  match outcome {
    Outcome::SignedInSession { token, .. } => Some(token),
    Outcome::WithHeaders(inner, _) | Outcome::AfterErrors(_, inner) => signed_in_token(inner),
    _ => None,
  }
}

fuzz_target!(|data: &[u8]| {
  let Some((&mode, rest)) = data.split_first() else {
    return;
  };
  let fixture = fixture();
  let rest = String::from_utf8_lossy(rest);
  let instance = Instance {
    production: mode.is_ascii_uppercase(),
    frontend_api: "clerk.example.com".into(),
    original_frontend_api: "clerk.example.com".into(),
    cookie_suffix: "vWCgMp3A".into(),
    ..Default::default()
  };
  let mut input = RequestInput {
    method: "GET".into(),
    url: "/p?__clerk_handshake=x&__clerk_help=1&a=1".into(),
    host: Some("app.example.com".into()),
    ..Default::default()
  };
  let (nonce, token) = match mode.to_ascii_lowercase() {
    b't' => (None, Some(rest.into_owned())),
    b'p' => {
      let (header, payload) = rest.split_once('\n').unwrap_or(("", &rest));
      let header = if header.is_empty() { HEADER } else { header };
      let payload = payload
        .replace("$SESSION", &fixture.session)
        .replace("$EXPIRED", &fixture.expired)
        .replace("$FOREIGN", &fixture.foreign);
      (None, Some(sign(&fixture.key, header, &payload)))
    }
    b'r' => {
      let mut lines = rest.splitn(2, '\n');
      input.cookie = lines.next().map(str::to_string);
      input.url = lines.next().unwrap_or_default().to_string();
      match credentials(&Request::new(&input)) {
        Some(found) => found,
        None => return,
      }
    }
    _ => return,
  };
  let request = Request::new(&input);
  let resolution = now_or_never(resolve(
    &fixture.client,
    &request,
    &instance,
    &fixture.options,
    nonce,
    token,
  ));
  if let Resolution::Decided(outcome) = &resolution {
    if let Some(token) = signed_in_token(outcome) {
      let ours = token == fixture.session || (!instance.production && token == fixture.expired);
      assert!(
        ours,
        "signed in with a token the key did not sign: {token:?}"
      );
    }
  }
});
