//! How the addon's HTTP clients reach Clerk. Beyond the reference (Node's
//! fetch ignores both), they honour the standard proxy variables
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower
//! case) and trust the certificates in `NODE_EXTRA_CA_CERTS` in addition to
//! the system's roots, so that a corporate proxy or a private CA works the
//! way it does for the rest of a Node application.

use std::sync::OnceLock;
use std::time::Duration;

/// The client of every Backend API call and JWKS fetch: one per process,
/// shared by every request and worker thread (connections are pooled).
pub fn api_client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    build(ClientOptions {
      follow_redirects: true,
    })
  })
}

/// The Frontend API proxy's client: redirects are passed back to the
/// browser (rewritten), never followed.
pub fn proxy_client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    build(ClientOptions {
      follow_redirects: false,
    })
  })
}

pub struct ClientOptions {
  /// Follow redirects (Backend API) or hand them back (Frontend API proxy).
  pub follow_redirects: bool,
}

pub fn build(options: ClientOptions) -> reqwest::Client {
  let mut builder = reqwest::Client::builder()
    // Keep-alive connections are reused between calls; idle ones are closed
    // before Clerk's edge would close them under us.
    .pool_idle_timeout(Duration::from_secs(60))
    .connect_timeout(Duration::from_secs(10));
  if !options.follow_redirects {
    builder = builder.redirect(reqwest::redirect::Policy::none());
  }
  let extra = extra_ca_certificates(std::env::var_os("NODE_EXTRA_CA_CERTS").as_deref());
  if !extra.is_empty() {
    builder = builder.tls_certs_merge(extra);
  }
  builder
    .build()
    .or_else(|_| reqwest::Client::builder().build())
    .expect("a default HTTP client can always be built")
}

/// The certificates of a PEM bundle file. Like Node, an unreadable or
/// malformed file is ignored rather than stopping the application.
pub fn extra_ca_certificates(path: Option<&std::ffi::OsStr>) -> Vec<reqwest::Certificate> {
  let Some(path) = path.filter(|p| !p.is_empty()) else {
    return Vec::new();
  };
  std::fs::read(path)
    .ok()
    .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
    .unwrap_or_default()
}

/// Why a response body could not be read whole.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
  /// The body (or its declared length) passed the limit.
  TooLarge,
  /// The connection broke or timed out while the body was read.
  Read,
}

/// A response's body, read up to `limit` bytes: reading stops as soon as the
/// body passes the limit, or before it starts when the declared length
/// does, so nothing past the limit is ever buffered.
pub async fn read_body(
  mut response: reqwest::Response,
  limit: usize,
) -> Result<Vec<u8>, BodyError> {
  if response
    .content_length()
    .is_some_and(|length| length > limit as u64)
  {
    return Err(BodyError::TooLarge);
  }
  let mut body = Vec::new();
  while let Some(chunk) = response.chunk().await.map_err(|_| BodyError::Read)? {
    if body.len() + chunk.len() > limit {
      return Err(BodyError::TooLarge);
    }
    body.extend_from_slice(&chunk);
  }
  Ok(body)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn missing_or_broken_bundles_add_nothing() {
    assert!(extra_ca_certificates(None).is_empty());
    assert!(extra_ca_certificates(Some("".as_ref())).is_empty());
    assert!(extra_ca_certificates(Some("/nonexistent/ca.pem".as_ref())).is_empty());
    let dir = std::env::temp_dir().join(format!("cen-ca-{}", std::process::id()));
    std::fs::write(&dir, "not a certificate").unwrap();
    assert!(extra_ca_certificates(Some(dir.as_os_str())).is_empty());
    std::fs::remove_file(&dir).unwrap();
  }

  #[test]
  fn a_client_with_extra_roots_builds() {
    let _ = build(ClientOptions {
      follow_redirects: false,
    });
  }

  /// A server on 127.0.0.1 that sends `head` and then `body_chunks` chunks
  /// of 64 KiB until the client goes away; it reports how many it wrote.
  fn streaming_server(
    head: &'static str,
    body_chunks: usize,
  ) -> (String, std::sync::mpsc::Receiver<usize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (sent, written) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
      let (mut stream, _) = listener.accept().unwrap();
      let _ = stream.read(&mut [0u8; 8192]);
      let _ = stream.write_all(head.as_bytes());
      let chunk = vec![b'x'; 64 * 1024];
      let mut chunks = 0;
      while chunks < body_chunks && stream.write_all(&chunk).is_ok() {
        chunks += 1;
      }
      let _ = sent.send(chunks);
    });
    (url, written)
  }

  fn read_from(url: &str, limit: usize) -> Result<Vec<u8>, BodyError> {
    crate::test_support::block_on(async {
      let client = build(ClientOptions {
        follow_redirects: false,
      });
      read_body(client.get(url).send().await.unwrap(), limit).await
    })
  }

  #[test]
  fn a_body_within_the_limit_is_read_whole() {
    let (url, _) = streaming_server("HTTP/1.1 200 OK\r\ncontent-length: 131072\r\n\r\n", 2);
    assert_eq!(read_from(&url, 128 * 1024).unwrap().len(), 128 * 1024);
  }

  #[test]
  fn a_declared_length_over_the_limit_is_refused_before_reading() {
    let (url, written) =
      streaming_server("HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n", 0);
    assert_eq!(read_from(&url, 1024 * 1024), Err(BodyError::TooLarge));
    assert_eq!(written.recv().unwrap(), 0);
  }

  #[test]
  fn an_endless_body_stops_at_the_limit() {
    // No length announced: the body runs until the connection closes, which
    // here is never. Reading stops at the limit and drops the connection.
    let (url, written) = streaming_server("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n", 1 << 20);
    assert_eq!(read_from(&url, 1024 * 1024), Err(BodyError::TooLarge));
    // 64 GiB offered; what was written is the limit plus what the sockets buffer.
    let chunks = written.recv().unwrap();
    assert!(chunks < 1 << 10, "{chunks} chunks of 64 KiB written");
  }
}
