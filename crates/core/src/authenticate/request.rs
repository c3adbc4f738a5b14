//! The request as the state machine sees it: the few headers it reads, the
//! cookies (parsed like cookie@1: first occurrence wins, `%` values decoded)
//! and `clerkUrl`, the request URL rebuilt from the forwarded headers.

use crate::paths::decode_uri_component;
use reqwest::Url;
use std::borrow::Cow;

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
  cookies: Vec<(&'a str, Cow<'a, str>)>,
  /// Parsed on first use: most cookie requests never need it.
  clerk_url: std::sync::OnceLock<Option<Url>>,
  /// The query's `__`-prefixed pairs (Clerk's own), decoded once on first
  /// use: the state machine looks several up, and scanning every pair for
  /// each lookup, or keeping every pair, cost a long query several times
  /// over.
  clerk_params: std::sync::OnceLock<Vec<(String, String)>>,
}

impl<'a> Request<'a> {
  pub fn new(input: &'a RequestInput) -> Request<'a> {
    Request {
      input,
      cookies: parse_cookies(input.cookie.as_deref().unwrap_or_default()),
      clerk_url: std::sync::OnceLock::new(),
      clerk_params: std::sync::OnceLock::new(),
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
      .find(|(n, _)| *n == name)
      .map(|(_, v)| v.as_ref())
      .filter(|v| !v.is_empty())
  }

  /// `clerkUrl.searchParams.get(name)` for one of Clerk's parameters
  /// (named `__...`).
  pub fn query_param(&self, name: &str) -> Option<String> {
    debug_assert!(name.starts_with("__"));
    self
      .clerk_params()
      .iter()
      .find(|(k, _)| k == name)
      .map(|(_, v)| v.clone())
  }

  pub fn has_query_param(&self, name: &str) -> bool {
    debug_assert!(name.starts_with("__"));
    self.clerk_params().iter().any(|(k, _)| k == name)
  }

  /// `clerkUrl` has a query only if the URL or a host or protocol it is
  /// built from has a `?` (the host can bring one when the URL has no path); without one
  /// nothing needs parsing.
  fn clerk_params(&self) -> &[(String, String)] {
    self.clerk_params.get_or_init(|| {
      let input = self.input;
      let has_question_mark =
        |value: &Option<String>| value.as_deref().is_some_and(|v| v.contains('?'));
      let may_have_query = input.url.contains('?')
        || has_question_mark(&input.host)
        || has_question_mark(&input.forwarded_host)
        || has_question_mark(&input.forwarded_proto);
      let query = match may_have_query {
        true => self.clerk_url().and_then(Url::query),
        false => None,
      };
      // A key without `%` decodes to itself (bar `+`), so it is Clerk's only
      // if it starts with `__` as it is: other pairs are skipped undecoded.
      let maybe_clerks = |pair: &&str| {
        pair.starts_with("__") || pair.split('=').next().is_some_and(|key| key.contains('%'))
      };
      query
        .unwrap_or_default()
        .split('&')
        .filter(maybe_clerks)
        .flat_map(|pair| form_urlencoded::parse(pair.as_bytes()))
        .filter(|(k, _)| k.starts_with("__"))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
    })
  }

  pub fn is_get(&self) -> bool {
    self.input.method == "GET"
  }

  /// A header value as `Headers#get(name) || undefined` reads it.
  pub fn header(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
  }
}

/// cookie@1.1.1 `parse`, in one pass over the header: pairs without `=`
/// are skipped, names and values lose the spaces and tabs around them (only
/// those), and `%` values are decoded when they decode. Every pair is kept
/// in order, so the first one with a name, the one `parse` keeps, is the
/// one a lookup finds; checking each name against the earlier ones instead
/// made a header of many cookies cost the square of their number.
pub fn parse_cookies(header: &str) -> Vec<(&str, Cow<'_, str>)> {
  fn trim(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
  }
  header
    .split(';')
    .filter_map(|pair| pair.split_once('='))
    .map(|(name, value)| {
      let value = trim(value);
      let value = match value.contains('%') {
        true => decode_uri_component(value).map_or(Cow::Borrowed(value), Cow::Owned),
        false => Cow::Borrowed(value),
      };
      (trim(name), value)
    })
    .collect()
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
    let input = RequestInput {
      cookie: Some(
        " a = 1 ; b=%41%zz; a=2; c=%E2%9C%93; d; =x; e=; \u{c}f=1;\tg\t=\t2\t; h=\u{a0}3".into(),
      ),
      ..Default::default()
    };
    let request = Request::new(&input);
    let expected = [
      ("a", Some("1")),
      ("b", Some("%41%zz")),
      ("c", Some("✓")),
      ("d", None),
      ("e", None),
      ("f", None),
      ("\u{c}f", Some("1")),
      ("g", Some("2")),
      ("h", Some("\u{a0}3")),
    ];
    for (name, value) in expected {
      assert_eq!(request.cookie(name), value, "{name}");
    }
  }

  #[test]
  fn many_cookies_parse_in_linear_time() {
    // 200,000 distinct names, and one name 200,000 times: the quadratic
    // parser took minutes for either.
    let distinct: String = (0..200_000).map(|i| format!("c{i}=v{i};")).collect();
    let repeated = "a=b;".repeat(200_000) + "__session=x";
    for (header, name, value) in [
      (distinct, "c199999", "v199999"),
      (repeated, "__session", "x"),
    ] {
      let started = std::time::Instant::now();
      let input = RequestInput {
        cookie: Some(header),
        ..Default::default()
      };
      assert_eq!(Request::new(&input).cookie(name), Some(value));
      assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
      );
    }
  }

  #[test]
  fn clerk_query_parameters_read_like_search_params() {
    let input = RequestInput {
      url: "/p?a=1&%5F%5Fclerk_db_jwt=enc&_%5fclerk_synced=a+b%21&__clerk_help&__clerk_db_jwt=second&__x%zz=1&+_a=2&__clerk_redirect_url=%E2%9C%93#__clerk_handshake=frag".into(),
      ..Default::default()
    };
    let request = Request::new(&input);
    assert_eq!(
      request.query_param("__clerk_db_jwt").as_deref(),
      Some("enc")
    );
    assert_eq!(
      request.query_param("__clerk_synced").as_deref(),
      Some("a b!")
    );
    assert_eq!(request.query_param("__clerk_help").as_deref(), Some(""));
    assert!(request.has_query_param("__clerk_help"));
    assert_eq!(request.query_param("__x%zz").as_deref(), Some("1"));
    assert_eq!(
      request.query_param("__clerk_redirect_url").as_deref(),
      Some("✓")
    );
    assert!(
      !request.has_query_param("__clerk_handshake"),
      "the fragment is not the query"
    );
    assert!(!request.has_query_param("__a"), "`+` decodes to a space");
    let no_query = RequestInput {
      url: "/p".into(),
      ..Default::default()
    };
    assert!(!Request::new(&no_query).has_query_param("__clerk_db_jwt"));
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
