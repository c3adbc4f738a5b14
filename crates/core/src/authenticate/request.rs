//! The request as the state machine sees it: the few headers it reads, the
//! cookies (parsed like cookie@1: first occurrence wins, `%` values decoded)
//! and `clerkUrl`, the request URL rebuilt from the forwarded headers.

use crate::paths::decode_uri_component;
use reqwest::Url;

/// Per-request site options (already resolved by the shim: functions called,
/// relative proxy URLs made absolute).
#[derive(Debug, Default, Clone)]
pub struct SiteOptions {
  pub proxy_url: Option<String>,
  pub domain: Option<String>,
  pub is_satellite: bool,
  pub sign_in_url: Option<String>,
  pub satellite_auto_sync: bool,
  /// What the URL asks to activate (`organizationSyncOptions`).
  pub org_target: Option<OrgTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgTarget {
  Organization {
    id: Option<String>,
    slug: Option<String>,
  },
  PersonalAccount,
}

impl OrgTarget {
  /// The handshake's `organization_id` parameter: the slug wins over the id,
  /// empty for the personal account.
  pub fn query_value(&self) -> Option<String> {
    match self {
      OrgTarget::PersonalAccount => Some(String::new()),
      OrgTarget::Organization { id, slug } => slug.clone().or_else(|| id.clone()),
    }
  }
}

/// Raw request facts, as the shim hands them over.
#[derive(Debug, Default, Clone)]
pub struct RequestInput {
  pub site: SiteOptions,
  pub method: String,
  /// `req.originalUrl || req.url`: path and query.
  pub url: String,
  /// The socket is TLS (`req.connection.encrypted`).
  pub encrypted: bool,
  pub host: Option<String>,
  pub forwarded_host: Option<String>,
  pub forwarded_proto: Option<String>,
  pub sec_fetch_dest: Option<String>,
  pub accept: Option<String>,
  pub referer: Option<String>,
  pub cookie: Option<String>,
  /// The request's User-Agent: the reference's per-request API client (machine
  /// token verification) sends it on.
  pub user_agent: Option<String>,
  /// Every request header (lower-case name, value), only for session refresh.
  pub all_headers: Option<Vec<(String, String)>>,
}

pub struct Request<'a> {
  pub input: &'a RequestInput,
  cookies: Vec<(String, String)>,
  /// Parsed on first use: most cookie requests never need it.
  clerk_url: std::sync::OnceLock<Option<Url>>,
}

impl<'a> Request<'a> {
  pub fn new(input: &'a RequestInput) -> Request<'a> {
    Request {
      input,
      cookies: parse_cookies(input.cookie.as_deref().unwrap_or_default()),
      clerk_url: std::sync::OnceLock::new(),
    }
  }

  /// `clerkUrl`: the request URL rebuilt from the forwarded headers.
  pub fn clerk_url(&self) -> Option<&Url> {
    self
      .clerk_url
      .get_or_init(|| clerk_url(self.input))
      .as_ref()
  }

  pub fn cookie(&self, name: &str) -> Option<&str> {
    self
      .cookies
      .iter()
      .find(|(n, _)| n == name)
      .map(|(_, v)| v.as_str())
      .filter(|v| !v.is_empty())
  }

  /// `clerkUrl.searchParams.get(name)`; a URL without `?` has no query
  /// parameters (and needs no parsing).
  pub fn query_param(&self, name: &str) -> Option<String> {
    if !self.input.url.contains('?') {
      return None;
    }
    self
      .clerk_url()?
      .query_pairs()
      .find(|(k, _)| k == name)
      .map(|(_, v)| v.into_owned())
  }

  pub fn has_query_param(&self, name: &str) -> bool {
    self.input.url.contains('?')
      && self
        .clerk_url()
        .is_some_and(|url| url.query_pairs().any(|(k, _)| k == name))
  }

  pub fn is_get(&self) -> bool {
    self.input.method == "GET"
  }

  /// A header value as `Headers#get(name) || undefined` reads it.
  pub fn header(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
  }
}

/// cookie@1.1.1 `parse`.
pub fn parse_cookies(header: &str) -> Vec<(String, String)> {
  let mut cookies: Vec<(String, String)> = Vec::new();
  for pair in header.split(';') {
    let Some((name, value)) = pair.split_once('=') else {
      continue;
    };
    let name = name.trim();
    if name.is_empty() || cookies.iter().any(|(n, _)| n == name) {
      continue;
    }
    let value = value.trim();
    let value = if value.contains('%') {
      decode_uri_component(value).unwrap_or_else(|| value.to_string())
    } else {
      value.to_string()
    };
    cookies.push((name.to_string(), value));
  }
  cookies
}

/// The session token among `Set-Cookie` directives: the value of the last one
/// whose name starts with `__session` (the reference's `forEach` keeps the
/// last), up to the next `=` as its `split('=')[1]` does; empty if none.
pub fn session_from_directives<'d>(directives: impl IntoIterator<Item = &'d str>) -> String {
  let mut session = String::new();
  for directive in directives {
    let mut parts = directive.split(';').next().unwrap_or_default().split('=');
    if parts.next().unwrap_or_default().starts_with("__session") {
      session = parts.next().unwrap_or_default().to_string();
    }
  }
  session
}

/// `ClerkRequest.deriveUrlFromHeaders`: the first `x-forwarded-host` /
/// `x-forwarded-proto` values, else Host and the socket's scheme.
pub fn clerk_url(input: &RequestInput) -> Option<Url> {
  let scheme = if input.encrypted { "https" } else { "http" };
  let dummy = Url::parse(&format!("{scheme}://clerk-dummy"))
    .ok()?
    .join(&input.url)
    .ok()?;
  let first = |value: &Option<String>| {
    value
      .as_deref()
      .map(|v| v.split(',').next().unwrap_or_default().to_string())
  };
  let host = first(&input.forwarded_host).or_else(|| input.host.clone());
  let protocol = first(&input.forwarded_proto).unwrap_or_else(|| scheme.to_string());
  let origin = match host {
    Some(host) if !host.is_empty() && !protocol.is_empty() => format!("{protocol}://{host}"),
    _ => return Some(dummy),
  };
  if origin == dummy.origin().ascii_serialization() {
    return Some(dummy);
  }
  let path_and_query = match dummy.query() {
    Some(query) => format!("{}?{query}", dummy.path()),
    None => dummy.path().to_string(),
  };
  Some(
    Url::parse(&origin)
      .and_then(|base| base.join(&path_and_query))
      .unwrap_or(dummy),
  )
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn cookies_parse_like_cookie_1() {
    let cookies = parse_cookies(" a = 1 ; b=%41%zz; a=2; c=%E2%9C%93; d; =x; e=");
    assert_eq!(
      cookies,
      vec![
        ("a".into(), "1".into()),
        ("b".into(), "%41%zz".into()),
        ("c".into(), "✓".into()),
        ("e".into(), "".into())
      ]
    );
  }

  #[test]
  fn clerk_url_uses_the_first_forwarded_values() {
    let input = RequestInput {
      url: "/p?x=1".into(),
      host: Some("internal:8080".into()),
      forwarded_host: Some("app.example.com, proxy".into()),
      forwarded_proto: Some("https,http".into()),
      ..Default::default()
    };
    assert_eq!(
      clerk_url(&input).unwrap().as_str(),
      "https://app.example.com/p?x=1"
    );
    let plain = RequestInput {
      url: "/a".into(),
      host: Some("localhost:3000".into()),
      ..Default::default()
    };
    assert_eq!(
      clerk_url(&plain).unwrap().as_str(),
      "http://localhost:3000/a"
    );
    let no_host = RequestInput {
      url: "/a".into(),
      ..Default::default()
    };
    assert_eq!(
      clerk_url(&no_host).unwrap().as_str(),
      "http://clerk-dummy/a"
    );
  }
}
