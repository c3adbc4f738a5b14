//! The cookie path (`authenticateRequestWithTokenInCookie`) for requests
//! without a header token, in the reference's step order: the steps before
//! the session token's verification (handshake resolution's credentials,
//! satellite sync, the development browser, `client_uat` against the session
//! cookie) and after it (organization sync, the handshake redirects).
//! `dispatch` runs them around the verification, and `refresh` when an
//! expired session token comes with a refresh token.

use super::handshake::{self, HandshakeFacts};
use super::instance::Instance;
use super::request::{OrgTarget, Request};
use super::{Notice, Outcome, SESSION_TOKEN};
use crate::errors::{reason, Failure, TokenError};
use crate::js_semantics;
use crate::jwt::token_kind::{classify, TokenKind};
use crate::jwt::{decode, verify::VerifiedToken, DecodedJwt};
use serde_json::Value;

const MISSING_AZP: &str = "Clerk: Session token from cookie is missing the azp claim. In a future version of Clerk, this token will be considered invalid. Please contact Clerk support if you see this warning.";

/// The cookies and query values the state machine reads, after choosing
/// between suffixed and unsuffixed cookie names.
pub struct CookieState {
  pub uses_suffixed_cookies: bool,
  pub session_token: Option<String>,
  /// The session token's decoding, when choosing the cookie already needed it.
  pub session_decoded: Option<Result<DecodedJwt, TokenError>>,
  pub refresh_token: Option<String>,
  /// `parseInt(v) || 0`: a double, so a huge value is Infinity, as in JS.
  pub client_uat: f64,
  pub dev_browser_token: Option<String>,
}

impl CookieState {
  pub fn read(request: &Request, instance: &Instance) -> Result<CookieState, Failure> {
    let suffixed = |name: &str| format!("{name}_{}", instance.cookie_suffix);
    let session_cookie = LazyDecode::new(request.cookie("__session"));
    let suffixed_session_cookie = LazyDecode::new(request.cookie(&suffixed("__session")));
    let uses_suffixed_cookies =
      uses_suffixed_cookies(request, instance, &session_cookie, &suffixed_session_cookie)?;
    let pick = |name: &str| {
      if uses_suffixed_cookies {
        request.cookie(&suffixed(name)).map(str::to_string)
      } else {
        request.cookie(name).map(str::to_string)
      }
    };
    let chosen = if uses_suffixed_cookies {
      suffixed_session_cookie
    } else {
      session_cookie
    };
    Ok(CookieState {
      uses_suffixed_cookies,
      session_token: chosen.token.map(str::to_string),
      session_decoded: chosen.decoded.into_inner(),
      refresh_token: request.cookie(&suffixed("__refresh")).map(str::to_string),
      client_uat: pick("__client_uat").map(|v| parse_int(&v)).unwrap_or(0.0),
      dev_browser_token: request
        .query_param("__clerk_db_jwt")
        .filter(|v| !v.is_empty())
        .or_else(|| pick("__clerk_db_jwt")),
    })
  }

  pub fn handshake_facts<'a>(&'a self, header_token: Option<&'a str>) -> HandshakeFacts<'a> {
    HandshakeFacts {
      uses_suffixed_cookies: self.uses_suffixed_cookies,
      session_token: self.session_token.as_deref().or(header_token),
      dev_browser_token: self.dev_browser_token.as_deref(),
    }
  }
}

/// Either a decision, a handshake to resolve first, or a session cookie that
/// must now be verified.
pub enum CookieStep {
  Decided(Outcome),
  ResolveHandshake {
    nonce: Option<String>,
    token: Option<String>,
  },
  // Boxed: the state and the decoded token are large next to the other variants.
  Verify {
    token: String,
    state: Box<CookieState>,
    decoded: Box<DecodedJwt>,
  },
}

/// Step 1: a handshake nonce or token is resolved before anything else,
/// once the cookies are read: the reference reads them when it builds its
/// context, so what fails there (a session cookie with a null payload)
/// fails first.
pub fn first_step(request: &Request, instance: &Instance) -> CookieStep {
  match super::handshake_resolution::credentials(request) {
    Some((nonce, token)) => match CookieState::read(request, instance) {
      Ok(_) => CookieStep::ResolveHandshake { nonce, token },
      Err(failure) => CookieStep::Decided(fatal(failure)),
    },
    None => before_verification(request, instance),
  }
}

/// Steps 5-13: everything before the session cookie's signature is checked.
pub fn before_verification(request: &Request, instance: &Instance) -> CookieStep {
  let mut state = match CookieState::read(request, instance) {
    Ok(state) => state,
    Err(failure) => return CookieStep::Decided(fatal(failure)),
  };
  let development = !instance.production;
  let session_decoded = state.session_decoded.take();
  let maybe_handshake = |reason: &str| {
    handshake::maybe_handshake(request, instance, &state.handshake_facts(None), reason, "")
  };
  if let Some(outcome) = satellite_sync(request, instance, &state) {
    return CookieStep::Decided(outcome);
  }
  if development && !request.input.site.is_satellite {
    // An empty value is falsy: the reference goes on.
    if let Some(target) = request
      .query_param("__clerk_redirect_url")
      .filter(|target| !target.is_empty())
    {
      return CookieStep::Decided(primary_responds_to_syncing(request, &state, &target));
    }
  }
  if development {
    if request.has_query_param("__clerk_db_jwt") {
      return CookieStep::Decided(maybe_handshake("dev-browser-sync"));
    }
    if state.dev_browser_token.is_none() {
      return CookieStep::Decided(maybe_handshake("dev-browser-missing"));
    }
  }
  let has_active_client = state.client_uat != 0.0;
  let Some(session) = state.session_token.clone() else {
    return CookieStep::Decided(if has_active_client {
      maybe_handshake("client-uat-but-no-session-token")
    } else {
      Outcome::signed_out(SESSION_TOKEN, "session-token-and-uat-missing", "")
    });
  };
  if !has_active_client {
    return CookieStep::Decided(maybe_handshake("session-token-but-no-client-uat"));
  }
  let decoded = match session_decoded.unwrap_or_else(|| decode(&session)) {
    Ok(decoded) => decoded,
    // A decoding error is `token-invalid`: never a refresh.
    Err(err) => {
      let message = err.full_message(Some("cookie"));
      return CookieStep::Decided(Outcome::signed_out(SESSION_TOKEN, err.reason, message));
    }
  };
  if !matches!(classify(&session, Some(&decoded)), TokenKind::Session) {
    return CookieStep::Decided(Outcome::signed_out(
      SESSION_TOKEN,
      "token-type-mismatch",
      "",
    ));
  }
  if decoded.payload.is_null() {
    return CookieStep::Decided(Outcome::Fatal(
      "Cannot read properties of null (reading 'iat')".into(),
    ));
  }
  if js_to_number(js_semantics::get(&decoded.payload, "iat")) < state.client_uat {
    return CookieStep::Decided(maybe_handshake("session-token-iat-before-client-uat"));
  }
  CookieStep::Verify {
    token: session,
    state: Box::new(state),
    decoded: Box::new(decoded),
  }
}

/// Steps 2-4: a satellite's document GET without synced cookies goes to the
/// primary (production: a handshake; development: the sign-in page).
fn satellite_sync(request: &Request, instance: &Instance, state: &CookieState) -> Option<Outcome> {
  let site = &request.input.site;
  let eligible = site.is_satellite
    && request.is_get()
    && Request::header(&request.input.sec_fetch_dest) == Some("document");
  let synced = request.query_param("__clerk_synced");
  if !eligible || synced.as_deref() == Some("true") {
    return None;
  }
  let needs_sync = synced.as_deref() == Some("false");
  let has_cookies = state.session_token.is_some() || state.client_uat != 0.0;
  if !site.satellite_auto_sync && !has_cookies && !needs_sync {
    return Some(Outcome::signed_out(
      SESSION_TOKEN,
      "session-token-and-uat-missing",
      "",
    ));
  }
  if has_cookies && !needs_sync {
    return None;
  }
  if instance.production {
    return Some(handshake::maybe_handshake(
      request,
      instance,
      &state.handshake_facts(None),
      "satellite-needs-syncing",
      "",
    ));
  }
  let sign_in_url = site.sign_in_url.clone().unwrap_or_default();
  let Ok(mut url) = reqwest::Url::parse(&sign_in_url) else {
    return Some(Outcome::Fatal("Invalid URL".into()));
  };
  let back = request
    .clerk_url()
    .map(|u| u.to_string())
    .unwrap_or_default();
  url
    .query_pairs_mut()
    .append_pair("__clerk_redirect_url", &back);
  Some(handshake::redirect_to(
    request,
    url.to_string(),
    "satellite-needs-syncing",
  ))
}

/// Step 14: the verification result of the session cookie.
pub fn after_verification(
  request: &Request,
  instance: &Instance,
  token: String,
  state: &CookieState,
  result: Result<VerifiedToken, Failure>,
) -> Result<Outcome, RefreshNeeded> {
  let verified = match result {
    Ok(verified) => verified,
    Err(Failure::Token(err)) => {
      return token_error_outcome(&err, "cookie", request, instance, state, None)
    }
    Err(Failure::Unexpected(_)) => {
      return Ok(Outcome::signed_out(SESSION_TOKEN, "unexpected-error", ""))
    }
    Err(Failure::Fatal(message)) => return Ok(Outcome::Fatal(message)),
  };
  let azp_notice = (!js_semantics::truthy(js_semantics::get(&verified.payload, "azp")))
    .then(|| Notice::WarnOnce(MISSING_AZP.into()));
  // The cross-origin check is for primary domains' document GETs only;
  // organization sync (below) runs on every cookie sign-in.
  let cross_origin_check = !request.input.site.is_satellite
    && request.is_get()
    && Request::header(&request.input.sec_fetch_dest) == Some("document");
  if cross_origin_check
    && request
      .cookie("__clerk_redirect_count")
      .map(js_number_or_zero)
      .unwrap_or(0.0)
      == 0.0
    && is_cross_origin_referrer(request)
    && !is_known_clerk_referrer(request, instance)
  {
    return Ok(handshake::maybe_handshake(
      request,
      instance,
      &state.handshake_facts(None),
      "primary-domain-cross-origin-sync",
      "Cross-origin request from satellite domain requires handshake",
    ));
  }
  match organization_sync(request, instance, state, &verified.payload) {
    OrganizationSync::Keep(org_notice) => Ok(Outcome::SignedInSession {
      token,
      payload_text: verified.payload_text,
      // The azp warning comes first: the reference prints it before organization sync.
      notices: azp_notice.into_iter().chain(org_notice).collect(),
    }),
    OrganizationSync::Replace(outcome) => Ok(outcome),
  }
}

/// What organization sync does to a cookie sign-in.
enum OrganizationSync {
  /// Stay signed in (with a console message, when activation loops).
  Keep(Option<Notice>),
  Replace(Outcome),
}

const ORGANIZATION_LOOP: &str = "Clerk: Organization activation handshake loop detected. This is likely due to an invalid organization ID or slug. Skipping organization activation.";

/// `toAuth()` then `handleMaybeOrganizationSyncHandshake`: a URL that names
/// another organization (or the personal account) than the session's active
/// one asks for a handshake.
fn organization_sync(
  request: &Request,
  instance: &Instance,
  state: &CookieState,
  payload: &Value,
) -> OrganizationSync {
  let claim = |name: &str| js_semantics::get(payload, name);
  let v2_org = (claim("v").and_then(Value::as_f64) == Some(2.0)
    && js_semantics::truthy(claim("o")))
  .then(|| claim("o"))
  .flatten();
  if v2_org.is_some_and(|org| !features_parse(claim("fea")) || !permissions_parse(org)) {
    // `splitByScope` or `parsePermissions` throws inside `toAuth()`; the
    // reference reports that.
    return OrganizationSync::Replace(Outcome::signed_out(SESSION_TOKEN, "unexpected-error", ""));
  }
  let Some(target) = request.input.site.org_target.as_ref() else {
    return OrganizationSync::Keep(None);
  };
  if claim("sts").and_then(Value::as_str) == Some("pending") || !js_semantics::truthy(claim("sub"))
  {
    return OrganizationSync::Keep(None);
  }
  let (org_id, org_slug) = match v2_org {
    Some(org) => (js_semantics::get(org, "id"), js_semantics::get(org, "slg")),
    None if claim("v").and_then(Value::as_f64) == Some(2.0) => (None, None),
    None => (claim("org_id"), claim("org_slug")),
  };
  let differs = |wanted: &Option<String>, actual: Option<&Value>| {
    wanted
      .as_deref()
      .is_some_and(|w| !w.is_empty() && actual.and_then(Value::as_str) != Some(w))
  };
  let must_activate = match target {
    OrgTarget::Organization { id, slug } => differs(slug, org_slug) || differs(id, org_id),
    OrgTarget::PersonalAccount => js_semantics::truthy(org_id),
  };
  if !must_activate {
    return OrganizationSync::Keep(None);
  }
  let redirect_count = request
    .cookie("__clerk_redirect_count")
    .map(js_number_or_zero)
    .unwrap_or(0.0);
  if redirect_count >= 3.0 {
    return OrganizationSync::Keep(Some(Notice::Warn(ORGANIZATION_LOOP.into())));
  }
  // Only an actual redirect replaces the sign-in; an ineligible request stays signed in.
  match handshake::maybe_handshake(
    request,
    instance,
    &state.handshake_facts(None),
    "active-organization-mismatch",
    "",
  ) {
    handshake @ Outcome::Handshake { .. } => OrganizationSync::Replace(handshake),
    _ => OrganizationSync::Keep(None),
  }
}

/// Whether `parsePermissions(o)` would succeed: unless `per` and `fpm` are
/// both truthy (then nothing is parsed), both must be strings (`.split`).
fn permissions_parse(org: &Value) -> bool {
  let (per, fpm) = (js_semantics::get(org, "per"), js_semantics::get(org, "fpm"));
  if !js_semantics::truthy(per) || !js_semantics::truthy(fpm) {
    return true;
  }
  matches!((per, fpm), (Some(Value::String(_)), Some(Value::String(_))))
}

/// Whether `splitByScope(fea)` would succeed: falsy, or a string whose
/// comma-separated elements all contain a colon.
fn features_parse(fea: Option<&Value>) -> bool {
  if !js_semantics::truthy(fea) {
    return true;
  }
  match fea {
    Some(Value::String(text)) => text.split(',').all(|part| part.trim().contains(':')),
    _ => false,
  }
}

/// An expired session that is eligible for refresh: the Backend API must be
/// asked before the outcome is known (only the async path can).
#[derive(Debug)]
pub struct RefreshNeeded {
  pub expired_token: String,
  pub refresh_token: String,
  pub uses_suffixed_cookies: bool,
  pub dev_browser_token: Option<String>,
  /// The full message of the expiry error, for the outcome if refresh fails.
  pub message: String,
}

impl RefreshNeeded {
  /// The outcome when refresh failed with `refresh_error`.
  pub fn failed(&self, request: &Request, instance: &Instance, refresh_error: &str) -> Outcome {
    let facts = HandshakeFacts {
      uses_suffixed_cookies: self.uses_suffixed_cookies,
      session_token: Some(&self.expired_token),
      dev_browser_token: self.dev_browser_token.as_deref(),
    };
    let reason = format!("session-token-expired-refresh-{refresh_error}");
    handshake::maybe_handshake(request, instance, &facts, &reason, &self.message)
  }
}

/// `handleSessionTokenError` for a `TokenVerificationError`: time-claim
/// failures may become a handshake (with a renamed reason), the rest are
/// signed-out with the error's reason and full message. An expired session
/// with a refresh cookie on a GET needs a refresh first.
pub fn token_error_outcome(
  err: &TokenError,
  carrier: &str,
  request: &Request,
  instance: &Instance,
  state: &CookieState,
  header_token: Option<&str>,
) -> Result<Outcome, RefreshNeeded> {
  let message = err.full_message(Some(carrier));
  let renamed = match err.reason {
    reason::TOKEN_EXPIRED => {
      let refresh_error = if !request.is_get() {
        "non-eligible-non-get"
      } else if let Some(refresh_token) = &state.refresh_token {
        return Err(RefreshNeeded {
          expired_token: state
            .session_token
            .clone()
            .or(header_token.map(str::to_string))
            .unwrap_or_default(),
          refresh_token: refresh_token.clone(),
          uses_suffixed_cookies: state.uses_suffixed_cookies,
          dev_browser_token: state.dev_browser_token.clone(),
          message,
        });
      } else {
        "non-eligible-no-refresh-cookie"
      };
      format!("session-token-expired-refresh-{refresh_error}")
    }
    reason::TOKEN_NOT_ACTIVE_YET => "session-token-nbf".into(),
    reason::TOKEN_IAT_IN_THE_FUTURE => "session-token-iat-in-the-future".into(),
    other => return Ok(Outcome::signed_out(SESSION_TOKEN, other, message)),
  };
  Ok(handshake::maybe_handshake(
    request,
    instance,
    &state.handshake_facts(header_token),
    &renamed,
    &message,
  ))
}

fn fatal(failure: Failure) -> Outcome {
  match failure {
    Failure::Fatal(message) | Failure::Unexpected(message) => Outcome::Fatal(message),
    Failure::Token(err) => Outcome::Fatal(err.message),
  }
}

/// Step 5 (development primary): send the browser back to the satellite.
fn primary_responds_to_syncing(request: &Request, state: &CookieState, target: &str) -> Outcome {
  let Ok(mut url) = reqwest::Url::parse(target) else {
    return Outcome::Fatal("Invalid URL".into());
  };
  {
    let mut pairs: Vec<(String, String)> = url
      .query_pairs()
      .map(|(k, v)| (k.into_owned(), v.into_owned()))
      .collect();
    if let Some(token) = &state.dev_browser_token {
      pairs.push(("__clerk_db_jwt".into(), token.clone()));
    }
    // `searchParams.set`: replace the first, drop the others, else append.
    match pairs.iter().position(|(k, _)| k == "__clerk_synced") {
      Some(first) => {
        pairs[first].1 = "true".into();
        let mut index = 0;
        pairs.retain(|(k, _)| {
          index += 1;
          k != "__clerk_synced" || index - 1 == first
        });
      }
      None => pairs.push(("__clerk_synced".into(), "true".into())),
    }
    url.query_pairs_mut().clear().extend_pairs(pairs);
  }
  handshake::redirect_to(request, url.to_string(), "primary-responds-to-syncing")
}

/// `usesSuffixedCookies` (§3.2 of the behaviour notes), in its exact order.
fn uses_suffixed_cookies(
  request: &Request,
  instance: &Instance,
  session_cookie: &LazyDecode,
  suffixed_session_cookie: &LazyDecode,
) -> Result<bool, Failure> {
  let suffixed = |name: &str| request.cookie(&format!("{name}_{}", instance.cookie_suffix));
  let suffixed_client_uat = suffixed("__client_uat");
  let client_uat = request.cookie("__client_uat");
  let suffixed_session = suffixed_session_cookie.token.unwrap_or_default();
  let session = session_cookie.token.unwrap_or_default();
  let session_payload = session_cookie.payload("iss")?;
  if !session.is_empty() {
    let Some(payload) = &session_payload else {
      return Ok(false);
    };
    if !js_semantics::truthy(js_semantics::get(payload, "iss")) {
      return Ok(false);
    }
    let belongs = js_semantics::get(payload, "iss")
      .and_then(Value::as_str)
      .is_some_and(|iss| strip_scheme(iss) == instance.original_frontend_api);
    if !belongs {
      return Ok(true);
    }
  }
  if suffixed_client_uat.is_none() && suffixed_session.is_empty() {
    return Ok(false);
  }
  let suffixed_payload = suffixed_session_cookie.payload("iat")?;
  let iat_or_zero = |payload: &Option<&Value>| {
    payload
      .map(|p| js_semantics::get(p, "iat"))
      .filter(|iat| js_semantics::truthy(*iat))
      .map(js_to_number)
      .unwrap_or(0.0)
  };
  if suffixed_client_uat != Some("0")
    && client_uat != Some("0")
    && iat_or_zero(&session_payload) > iat_or_zero(&suffixed_payload)
  {
    return Ok(false);
  }
  if suffixed_client_uat == Some("0") && client_uat != Some("0") {
    return Ok(false);
  }
  if !instance.production {
    let now_s = ((crate::clock::now_ms() / 1000.0) as i64 as i32) as f64;
    let expired =
      suffixed_payload.is_some_and(|p| js_to_number(js_semantics::get(p, "exp")) <= now_s);
    if suffixed_client_uat != Some("0") && client_uat == Some("0") && expired {
      return Ok(false);
    }
  }
  if suffixed_client_uat.is_none() && !suffixed_session.is_empty() {
    return Ok(false);
  }
  Ok(true)
}

/// A session cookie, decoded at most once (several steps look at it).
struct LazyDecode<'r> {
  token: Option<&'r str>,
  decoded: std::sync::OnceLock<Result<DecodedJwt, TokenError>>,
}

impl<'r> LazyDecode<'r> {
  fn new(token: Option<&'r str>) -> LazyDecode<'r> {
    LazyDecode {
      token,
      decoded: std::sync::OnceLock::new(),
    }
  }

  fn decoded(&self) -> Option<&Result<DecodedJwt, TokenError>> {
    let token = self.token?;
    Some(self.decoded.get_or_init(|| decode(token)))
  }

  /// The payload, if it decodes; a `null` payload throws in the reference,
  /// whose message names the property it reads first (`reading`).
  fn payload(&self, reading: &str) -> Result<Option<&Value>, Failure> {
    match self.decoded() {
      None | Some(Err(_)) => Ok(None),
      Some(Ok(decoded)) if decoded.payload.is_null() => Err(Failure::Fatal(format!(
        "Cannot read properties of null (reading '{reading}')"
      ))),
      Some(Ok(decoded)) => Ok(Some(&decoded.payload)),
    }
  }
}

/// `iss.replace(/https?:\/\//gi, '')`.
fn strip_scheme(iss: &str) -> String {
  let mut out = String::with_capacity(iss.len());
  let mut rest = iss;
  while !rest.is_empty() {
    let lower = rest
      .get(..8)
      .map(str::to_ascii_lowercase)
      .unwrap_or_default();
    let lower7 = rest
      .get(..7)
      .map(str::to_ascii_lowercase)
      .unwrap_or_default();
    if lower == "https://" {
      rest = &rest[8..];
    } else if lower7 == "http://" {
      rest = &rest[7..];
    } else {
      let c = rest.chars().next().expect("non-empty");
      out.push(c);
      rest = &rest[c.len_utf8()..];
    }
  }
  out
}

/// `parseInt(text) || 0` for cookie values.
fn parse_int(text: &str) -> f64 {
  js_semantics::parse_int(text)
    .filter(|n| *n != 0.0)
    .unwrap_or(0.0)
}

/// `Number(text) || 0` (the redirect counter).
pub(super) fn js_number_or_zero(text: &str) -> f64 {
  let value = super::handshake::js_number(text);
  if value.is_nan() {
    0.0
  } else {
    value
  }
}

/// `Number(value)` for a claim, for comparisons (`undefined` is NaN).
fn js_to_number(value: Option<&Value>) -> f64 {
  match value {
    None => f64::NAN,
    Some(Value::Null) => 0.0,
    Some(Value::Bool(b)) => f64::from(u8::from(*b)),
    Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
    Some(Value::String(s)) => super::handshake::js_number(s),
    Some(_) => f64::NAN,
  }
}

fn origin_of(url: &str) -> Option<reqwest::Url> {
  reqwest::Url::parse(url).ok()
}

/// The referer's origin differs from `clerkUrl`'s (an invalid referer is not cross-origin).
fn is_cross_origin_referrer(request: &Request) -> bool {
  let (Some(referer), Some(clerk_url)) =
    (Request::header(&request.input.referer), request.clerk_url())
  else {
    return false;
  };
  origin_of(referer)
    .is_some_and(|r| r.origin().ascii_serialization() != clerk_url.origin().ascii_serialization())
}

/// The referer is the Frontend API, its accounts portal, or (development only)
/// a development account-portal host.
fn is_known_clerk_referrer(request: &Request, instance: &Instance) -> bool {
  let Some(referer) = Request::header(&request.input.referer).and_then(origin_of) else {
    return false;
  };
  let referer_host = referer.host_str().unwrap_or_default();
  let fapi = &instance.frontend_api;
  let fapi_host = if fapi.starts_with("http") {
    origin_of(fapi)
      .and_then(|u| u.host_str().map(str::to_string))
      .unwrap_or_default()
  } else {
    fapi.clone()
  };
  if !fapi.is_empty() && referer_host == fapi_host {
    return true;
  }
  if !instance.production && is_dev_account_portal(referer_host) {
    return true;
  }
  accounts_base_url(fapi)
    .and_then(|url| origin_of(&url))
    .is_some_and(|accounts| {
      accounts.origin().ascii_serialization() == referer.origin().ascii_serialization()
    })
}

fn is_dev_account_portal(host: &str) -> bool {
  let legacy = host.starts_with("accounts.")
    && [".lcl.dev", ".lclstage.dev", ".lclclerk.com"]
      .iter()
      .any(|s| host.ends_with(s));
  let current = [
    ".accounts.dev",
    ".accountsstage.dev",
    ".accounts.lclclerk.com",
  ]
  .iter()
  .any(|s| host.ends_with(s) && !host.ends_with(&format!(".clerk{s}")));
  legacy || current
}

/// `buildAccountsBaseUrl(frontendApi)`.
fn accounts_base_url(frontend_api: &str) -> Option<String> {
  if frontend_api.is_empty() {
    return None;
  }
  let host = frontend_api
    .trim_start_matches("https://")
    .trim_start_matches("http://");
  // `.replace(/clerk\.accountsstage\./, "accountsstage.")`, then the
  // leftmost `clerk.accounts.` or `clerk.` becomes `accounts.`.
  let mut accounts = host.replacen("clerk.accountsstage.", "accountsstage.", 1);
  if let Some(at) = accounts.find("clerk.") {
    let end = if accounts[at..].starts_with("clerk.accounts.") {
      at + "clerk.accounts.".len()
    } else {
      at + "clerk.".len()
    };
    accounts.replace_range(at..end, "accounts.");
  }
  Some(format!("https://{accounts}"))
}

#[cfg(test)]
#[path = "cookie_tests.rs"]
mod tests;
