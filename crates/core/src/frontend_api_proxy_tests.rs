//! Unit tests of the Frontend API proxy against a fake Frontend API on
//! 127.0.0.1: the target URL (proxy path stripped, query kept, FAPI URL from
//! `CLERK_FAPI_URL` or derived from the publishable key), the outbound
//! headers (hop-by-hop ones removed, `Clerk-Proxy-Url`, `Clerk-Secret-Key`,
//! `Accept-Encoding: identity`, the `X-Forwarded-*` headers and the client
//! IP), the body, the response (status, body, stripped headers, every
//! `Set-Cookie`, `Location` rewritten to the proxy) and each error response.

use super::*;
use crate::http_client::{build, ClientOptions};
use crate::test_support::{block_on, refused_url, RecordingServer, Reply};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};

const SECRET_KEY: &str = "sk_test_proxy_unit";

/// A publishable key for a Frontend API host.
fn publishable_key(host: &str) -> String {
  format!("pk_test_{}", STANDARD.encode(format!("{host}$")))
}

fn proxy_request(fapi_url: &str, url: &str) -> ProxyRequest {
  ProxyRequest {
    method: "GET".into(),
    url: url.into(),
    headers: vec![("host".into(), "app.example.com".into())],
    body: None,
    proxy_path: "/__clerk".into(),
    publishable_key: Some(publishable_key("clerk.example.com")),
    secret_key: Some(SECRET_KEY.into()),
    fapi_url: Some(fapi_url.into()),
    max_body_bytes: DEFAULT_MAX_BODY_BYTES,
  }
}

fn send(request: ProxyRequest) -> ProxyResponse {
  let client = build(ClientOptions {
    follow_redirects: false,
  });
  block_on(forward(&client, request))
}

fn values<'r>(response: &'r ProxyResponse, name: &str) -> Vec<&'r str> {
  response
    .headers
    .iter()
    .filter(|(n, _)| n == name)
    .map(|(_, v)| v.as_str())
    .collect()
}

fn header_names(response: &ProxyResponse) -> Vec<&str> {
  response.headers.iter().map(|(n, _)| n.as_str()).collect()
}

/// Asserts the reference's JSON error response.
fn assert_error(response: &ProxyResponse, status: u16, code: &str, message: &str) {
  assert_eq!(response.status, status, "{response:?}");
  assert_eq!(
    response.headers,
    vec![
      ("cache-control".to_string(), "no-store".to_string()),
      ("content-type".to_string(), "application/json".to_string()),
    ]
  );
  let body: Value = serde_json::from_slice(&response.body).expect("a JSON error body");
  assert_eq!(
    body,
    json!({"errors": [{"code": code, "message": message}]})
  );
}

fn ok_server(path: &str) -> RecordingServer {
  RecordingServer::start(vec![(path, Reply::json(200, json!({"object": "client"})))])
}

// --- the target ------------------------------------------------------------

#[test]
fn a_request_under_the_proxy_path_goes_to_the_fapi_path_with_its_query() {
  let server = ok_server("/v1/client");
  let response = send(proxy_request(
    &server.url,
    "http://app.example.com/__clerk/v1/client?_clerk_js_version=5&q=a%20b",
  ));
  assert_eq!(response.status, 200);
  assert_eq!(response.body, br#"{"object":"client"}"#);
  let request = server.only_request();
  assert_eq!(request.method, "GET");
  assert_eq!(request.target, "/v1/client?_clerk_js_version=5&q=a%20b");
}

#[test]
fn the_proxy_path_itself_goes_to_the_fapi_root() {
  for (proxy_path, url) in [
    ("/__clerk", "http://app.example.com/__clerk"),
    ("/__clerk/", "http://app.example.com/__clerk/"),
    ("/__clerk//", "http://app.example.com/__clerk"),
  ] {
    let server = ok_server("/");
    let response = send(ProxyRequest {
      proxy_path: proxy_path.into(),
      ..proxy_request(&server.url, url)
    });
    assert_eq!(response.status, 200, "{proxy_path} {url}");
    assert_eq!(server.only_request().target, "/", "{proxy_path} {url}");
  }
}

#[test]
fn the_path_of_the_fapi_url_is_kept_before_the_forwarded_path() {
  let server = ok_server("/base/v1/environment");
  let response = send(proxy_request(
    &format!("{}/base/", server.url),
    "http://app.example.com/__clerk/v1/environment",
  ));
  assert_eq!(response.status, 200);
  assert_eq!(server.only_request().target, "/base/v1/environment");
}

#[test]
fn without_a_fapi_url_the_target_is_derived_from_the_publishable_key() {
  // The client tunnels through the fake server as its proxy, so the
  // CONNECT request names the derived Frontend API host.
  for fapi_url in [None, Some(String::new())] {
    let server = RecordingServer::start(vec![]);
    let client = reqwest::Client::builder()
      .proxy(reqwest::Proxy::all(&server.url).unwrap())
      .build()
      .unwrap();
    let request = ProxyRequest {
      publishable_key: Some(publishable_key("happy-hippo-1.clerk.accounts.lclclerk.com")),
      fapi_url: fapi_url.clone(),
      ..proxy_request("unused", "http://app.example.com/__clerk/v1/client")
    };
    let response = block_on(forward(&client, request));
    assert_error(
      &response,
      502,
      "proxy_request_failed",
      "Failed to proxy request to Clerk FAPI: fetch failed",
    );
    let connect = server.only_request();
    assert_eq!(
      (connect.method.as_str(), connect.target.as_str()),
      ("CONNECT", "frontend-api.lclclerk.com:443"),
      "{fapi_url:?}"
    );
  }
}

#[test]
fn the_fapi_url_is_chosen_by_the_publishable_keys_environment() {
  let cases = [
    ("clerk.example.com", PROD_FAPI_URL),
    ("clerk.happy.lcl.dev", PROD_FAPI_URL),
    ("clerk.happy.lclstage.dev", PROD_FAPI_URL),
    ("clerk.happy.lclclerk.com", PROD_FAPI_URL),
    ("happy.lcl.dev", LOCAL_FAPI_URL),
    ("happy.lclstage.dev", LOCAL_FAPI_URL),
    ("happy.lclclerk.com", LOCAL_FAPI_URL),
    ("happy.clerk.accounts.lclclerk.com", LOCAL_FAPI_URL),
    ("happy.clerk.accountsstage.dev", STAGING_FAPI_URL),
    ("happy.clerk.accounts.dev", PROD_FAPI_URL),
  ];
  for (host, expected) in cases {
    assert_eq!(
      fapi_url_from_publishable_key(&publishable_key(host)),
      expected,
      "{host}"
    );
  }
  assert_eq!(fapi_url_from_publishable_key("not-a-key"), PROD_FAPI_URL);
}

// --- outbound headers ------------------------------------------------------

#[test]
fn hop_by_hop_headers_and_those_named_in_connection_are_not_forwarded() {
  let server = ok_server("/v1/client");
  let mut request = proxy_request(&server.url, "http://app.example.com/__clerk/v1/client");
  request.headers.extend(
    [
      ("cookie", "__client=abc"),
      ("user-agent", "Mozilla/5.0"),
      ("connection", "keep-alive, X-Drop-Me"),
      ("x-drop-me", "1"),
      ("keep-alive", "timeout=5"),
      ("te", "trailers"),
      ("trailer", "x-t"),
      ("upgrade", "websocket"),
      ("proxy-authorization", "Basic eA=="),
      ("proxy-authenticate", "Basic"),
      ("accept-encoding", "gzip, br"),
    ]
    .map(|(n, v)| (n.to_string(), v.to_string())),
  );
  send(request);
  let received = server.only_request();
  assert_eq!(received.header("cookie"), Some("__client=abc"));
  assert_eq!(received.header("user-agent"), Some("Mozilla/5.0"));
  for dropped in [
    "x-drop-me",
    "keep-alive",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
  ] {
    assert_eq!(received.header(dropped), None, "{dropped}");
  }
  assert_eq!(received.header_values("accept-encoding"), vec!["identity"]);
  assert_eq!(received.header_values("host"), vec![server.host()]);
}

#[test]
fn the_proxy_adds_its_url_the_secret_key_and_the_forwarded_host_and_protocol() {
  let server = ok_server("/v1/client");
  send(proxy_request(
    &server.url,
    "http://app.example.com:3000/__clerk/v1/client",
  ));
  let received = server.only_request();
  assert_eq!(
    received.header("clerk-proxy-url"),
    Some("http://app.example.com:3000/__clerk")
  );
  assert_eq!(received.header("clerk-secret-key"), Some(SECRET_KEY));
  assert_eq!(
    received.header("x-forwarded-host"),
    Some("app.example.com:3000")
  );
  assert_eq!(received.header("x-forwarded-proto"), Some("http"));
  assert_eq!(received.header("x-forwarded-for"), None);
}

#[test]
fn the_secret_key_and_proxy_url_sent_by_the_client_are_replaced() {
  let server = ok_server("/v1/client");
  let mut request = proxy_request(&server.url, "https://app.example.com/__clerk/v1/client");
  request.headers.extend(
    [
      ("clerk-secret-key", "sk_from_the_browser"),
      ("Clerk-Proxy-Url", "https://evil.example.com"),
    ]
    .map(|(n, v)| (n.to_string(), v.to_string())),
  );
  send(request);
  let received = server.only_request();
  assert_eq!(received.header_values("clerk-secret-key"), vec![SECRET_KEY]);
  assert_eq!(
    received.header_values("clerk-proxy-url"),
    vec!["https://app.example.com/__clerk"]
  );
  assert_eq!(received.header("x-forwarded-proto"), Some("https"));
}

#[test]
fn forwarded_protocol_and_host_together_make_the_public_origin_and_are_passed_on() {
  let server = ok_server("/v1/client");
  let mut request = proxy_request(&server.url, "http://internal:8080/__clerk/v1/client");
  request.headers.extend(
    [
      ("x-forwarded-proto", " https , http"),
      ("x-forwarded-host", "public.example.com, internal"),
    ]
    .map(|(n, v)| (n.to_string(), v.to_string())),
  );
  send(request);
  let received = server.only_request();
  assert_eq!(
    received.header("clerk-proxy-url"),
    Some("https://public.example.com/__clerk")
  );
  assert_eq!(
    received.header_values("x-forwarded-host"),
    vec!["public.example.com, internal"]
  );
  assert_eq!(
    received.header_values("x-forwarded-proto"),
    vec!["https , http"]
  );
}

#[test]
fn a_single_forwarded_header_is_kept_but_the_public_origin_is_the_request_origin() {
  let server = ok_server("/v1/client");
  let mut request = proxy_request(&server.url, "http://internal:8080/__clerk/v1/client");
  request
    .headers
    .push(("x-forwarded-host".into(), "public.example.com".into()));
  send(request);
  let received = server.only_request();
  assert_eq!(
    received.header("clerk-proxy-url"),
    Some("http://internal:8080/__clerk")
  );
  assert_eq!(
    received.header("x-forwarded-host"),
    Some("public.example.com")
  );
  assert_eq!(received.header("x-forwarded-proto"), Some("http"));
}

#[test]
fn the_client_ip_is_cf_connecting_ip_then_x_real_ip_then_the_first_forwarded_for() {
  let cases: [(&[(&str, &str)], &str); 4] = [
    (
      &[
        ("cf-connecting-ip", "1.1.1.1"),
        ("x-real-ip", "2.2.2.2"),
        ("x-forwarded-for", "3.3.3.3"),
      ],
      "1.1.1.1",
    ),
    (
      &[
        ("x-real-ip", "2.2.2.2"),
        ("x-forwarded-for", "3.3.3.3, 4.4.4.4"),
      ],
      "2.2.2.2",
    ),
    (&[("x-forwarded-for", " 3.3.3.3 , 4.4.4.4")], "3.3.3.3"),
    (
      &[("cf-connecting-ip", ""), ("x-forwarded-for", "5.5.5.5")],
      "5.5.5.5",
    ),
  ];
  for (headers, expected) in cases {
    let server = ok_server("/v1/client");
    let mut request = proxy_request(&server.url, "http://app.example.com/__clerk/v1/client");
    for (name, value) in headers {
      request.headers.push((name.to_string(), value.to_string()));
    }
    send(request);
    assert_eq!(
      server.only_request().header_values("x-forwarded-for"),
      vec![expected],
      "{headers:?}"
    );
  }
}

#[test]
fn the_method_and_body_are_forwarded() {
  let server = ok_server("/v1/client/sign_ins");
  let mut request = proxy_request(
    &server.url,
    "http://app.example.com/__clerk/v1/client/sign_ins?_method=PATCH",
  );
  request.method = "POST".into();
  request.headers.push((
    "content-type".into(),
    "application/x-www-form-urlencoded".into(),
  ));
  request.body = Some(b"identifier=a%40b.com&strategy=password".to_vec());
  send(request);
  let received = server.only_request();
  assert_eq!(received.method, "POST");
  assert_eq!(received.target, "/v1/client/sign_ins?_method=PATCH");
  assert_eq!(
    received.body_text(),
    "identifier=a%40b.com&strategy=password"
  );
  assert_eq!(
    received.header("content-type"),
    Some("application/x-www-form-urlencoded")
  );
}

// --- the response ----------------------------------------------------------

#[test]
fn the_response_keeps_status_body_and_every_cookie_but_not_hop_by_hop_or_encoding_headers() {
  let reply = Reply::text(201, "raw body bytes")
    .header("content-type", "text/plain")
    .header("connection", "close, X-Upstream-Hop")
    .header("x-upstream-hop", "1")
    .header("keep-alive", "timeout=5")
    .header("content-encoding", "gzip")
    .header("set-cookie", "__client=1; Path=/; HttpOnly")
    .header("x-custom", "kept")
    .header("set-cookie", "__client_uat=2; Path=/");
  let server = RecordingServer::start(vec![("/v1/client", reply)]);
  let response = send(proxy_request(
    &server.url,
    "http://app.example.com/__clerk/v1/client",
  ));
  assert_eq!(response.status, 201);
  assert_eq!(response.body, b"raw body bytes");
  assert_eq!(
    values(&response, "set-cookie"),
    vec!["__client=1; Path=/; HttpOnly", "__client_uat=2; Path=/"]
  );
  assert_eq!(values(&response, "x-custom"), vec!["kept"]);
  assert_eq!(values(&response, "content-type"), vec!["text/plain"]);
  let names = header_names(&response);
  for stripped in [
    "connection",
    "x-upstream-hop",
    "keep-alive",
    "content-encoding",
    "content-length",
  ] {
    assert!(!names.contains(&stripped), "{stripped} in {names:?}");
  }
}

#[test]
fn a_redirect_to_the_frontend_api_is_rewritten_to_the_proxy_and_others_are_passed_back() {
  let routes = vec![
    (
      "/absolute",
      Reply::text(302, "").header("location", "{self}/v1/oauth_callback?code=1#done"),
    ),
    (
      "/relative",
      Reply::text(303, "").header("location", "/v1/verify?token=t"),
    ),
    (
      "/external",
      Reply::text(307, "").header("location", "https://accounts.google.com/o/oauth2?x=1"),
    ),
    (
      "/other_port",
      Reply::text(302, "").header("location", "http://127.0.0.1:1/v1/x"),
    ),
  ];
  let server = RecordingServer::start(routes);
  let cases = [
    (
      "/absolute",
      302,
      "http://app.example.com/__clerk/v1/oauth_callback?code=1#done",
    ),
    (
      "/relative",
      303,
      "http://app.example.com/__clerk/v1/verify?token=t",
    ),
    ("/external", 307, "https://accounts.google.com/o/oauth2?x=1"),
    ("/other_port", 302, "http://127.0.0.1:1/v1/x"),
  ];
  for (path, status, location) in cases {
    let response = send(proxy_request(
      &server.url,
      &format!("http://app.example.com/__clerk{path}"),
    ));
    assert_eq!(response.status, status, "{path}: not followed");
    assert_eq!(values(&response, "location"), vec![location], "{path}");
  }
  assert_eq!(server.hits(), 4);
}

#[test]
fn a_rewritten_redirect_uses_the_public_origin_of_the_forwarded_headers() {
  let server = RecordingServer::start(vec![(
    "/v1/client/sign_ins",
    Reply::text(302, "").header("location", "{self}/v1/done"),
  )]);
  let mut request = proxy_request(&server.url, "http://internal:8080/auth/v1/client/sign_ins");
  request.proxy_path = "/auth".into();
  request.headers.extend(
    [
      ("x-forwarded-proto", "https"),
      ("x-forwarded-host", "public.example.com"),
    ]
    .map(|(n, v)| (n.to_string(), v.to_string())),
  );
  let response = send(request);
  assert_eq!(
    values(&response, "location"),
    vec!["https://public.example.com/auth/v1/done"]
  );
}

#[test]
fn repeated_upstream_headers_are_joined_like_fetch_headers() {
  let reply = Reply::text(200, "")
    .header("vary", "Origin")
    .header("vary", "Accept-Encoding");
  let server = RecordingServer::start(vec![("/v1/client", reply)]);
  let response = send(proxy_request(
    &server.url,
    "http://app.example.com/__clerk/v1/client",
  ));
  assert_eq!(values(&response, "vary"), vec!["Origin, Accept-Encoding"]);
}

#[test]
fn a_rewritten_location_drops_an_empty_query_and_fragment() {
  let server = RecordingServer::start(vec![(
    "/v1/x",
    Reply::text(302, "").header("location", "/v1/y?#"),
  )]);
  let response = send(proxy_request(
    &server.url,
    "http://app.example.com/__clerk/v1/x",
  ));
  assert_eq!(
    values(&response, "location"),
    vec!["http://app.example.com/__clerk/v1/y"]
  );
}

// --- errors ----------------------------------------------------------------

#[test]
fn a_missing_publishable_key_is_a_configuration_error() {
  for publishable_key in [None, Some(String::new())] {
    let server = ok_server("/v1/client");
    let response = send(ProxyRequest {
      publishable_key,
      secret_key: None,
      ..proxy_request(&server.url, "http://app.example.com/__clerk/v1/client")
    });
    assert_error(
      &response,
      500,
      "proxy_configuration_error",
      "Missing publishableKey. Provide it in options or set CLERK_PUBLISHABLE_KEY environment variable.",
    );
    assert_eq!(server.hits(), 0);
  }
}

#[test]
fn a_missing_secret_key_is_a_configuration_error() {
  for secret_key in [None, Some(String::new())] {
    let server = ok_server("/v1/client");
    let response = send(ProxyRequest {
      secret_key,
      ..proxy_request(&server.url, "http://app.example.com/__clerk/v1/client")
    });
    assert_error(
      &response,
      500,
      "proxy_configuration_error",
      "Missing secretKey. Provide it in options or set CLERK_SECRET_KEY environment variable.",
    );
    assert_eq!(server.hits(), 0);
  }
}

#[test]
fn a_request_url_that_cannot_be_parsed_fails_the_proxy_request() {
  let response = send(proxy_request(&refused_url(), "/__clerk/v1/client"));
  assert_error(
    &response,
    502,
    "proxy_request_failed",
    "Failed to proxy request to Clerk FAPI: Invalid URL",
  );
}

#[test]
fn a_path_outside_the_proxy_path_is_a_path_mismatch() {
  for (url, path) in [
    ("http://app.example.com/other/v1/client", "/other/v1/client"),
    ("http://app.example.com/__clerkish/v1", "/__clerkish/v1"),
    ("http://app.example.com/", "/"),
  ] {
    let server = ok_server("/v1/client");
    let response = send(proxy_request(&server.url, url));
    assert_error(
      &response,
      400,
      "proxy_path_mismatch",
      &format!("Request path \"{path}\" does not match proxy path \"/__clerk\""),
    );
    assert_eq!(server.hits(), 0);
  }
}

#[test]
fn an_unusable_fapi_url_is_a_configuration_error() {
  let credentials = "FAPI URL must not include credentials, a query string, or a hash";
  for (fapi_url, message) in [
    ("not a url", "Invalid URL"),
    (
      "ftp://frontend-api.example.com",
      "FAPI URL must use http or https",
    ),
    ("https://user:pw@frontend-api.example.com", credentials),
    ("https://user@frontend-api.example.com", credentials),
    ("https://frontend-api.example.com/?a=1", credentials),
    ("https://frontend-api.example.com/#top", credentials),
  ] {
    let response = send(proxy_request(
      fapi_url,
      "http://app.example.com/__clerk/v1/client",
    ));
    assert_error(&response, 500, "proxy_configuration_error", message);
  }
}

#[test]
fn a_method_that_is_not_a_token_fails_the_proxy_request() {
  let server = ok_server("/v1/client");
  let mut request = proxy_request(&server.url, "http://app.example.com/__clerk/v1/client");
  request.method = "BAD METHOD".into();
  assert_error(
    &send(request),
    502,
    "proxy_request_failed",
    "Failed to proxy request to Clerk FAPI: invalid method",
  );
  assert_eq!(server.hits(), 0);
}

#[test]
fn an_unreachable_frontend_api_fails_the_proxy_request_with_fetch_failed() {
  let response = send(proxy_request(
    &refused_url(),
    "http://app.example.com/__clerk/v1/client",
  ));
  assert_error(
    &response,
    502,
    "proxy_request_failed",
    "Failed to proxy request to Clerk FAPI: fetch failed",
  );
}
