//! The verified-token cache hit as a plain Node-API function. A hit is the
//! normal case for a bearer token (a session token is reused for up to a
//! minute), so it skips the general binding machinery (class unwrapping,
//! borrow tracking, allocations for the arguments and the result): the
//! token is read into a reusable buffer and the claims come back as a
//! string, or `null` for anything that is not a hit (then call
//! `Authenticator#authenticateToken`).
//!
//! `authenticateCachedToken(id, token, lease?)`: `id` is `Authenticator#id`,
//! valid while that Authenticator is alive (ids are reused after it is
//! collected), so the caller keeps the Authenticator along with its id.
//! When `lease` (an object) is given and the hit can be leased, its `until`
//! (ms since the epoch) and `epoch` are set: until then the same token gets
//! the same claims, as long as `keysEpoch()` still returns that epoch.
//!
//! `keysEpoch()`: see `crate::keys::jwks::keys_epoch`. `keysEpochBuffer`: a
//! 4-byte ArrayBuffer over the epoch itself, so that JS checks a lease on
//! every request without a call into the addon (a Node-API call is costly
//! next to the rest of a leased request); absent where Node refuses external
//! buffers (V8 sandbox), and then JS calls `keysEpoch()`.

use crate::jwt::verify::{self, VerifyOptions};
use napi::bindgen_prelude::*;
use napi::sys;
use napi_derive::napi;
use std::cell::RefCell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::{Arc, OnceLock, RwLock};

/// The options of every live Authenticator, by id (process-wide, so ids are
/// unique across worker threads).
#[derive(Default)]
struct Registry {
  slots: Vec<Option<Arc<VerifyOptions>>>,
  free: Vec<u32>,
}

fn registry() -> &'static RwLock<Registry> {
  static REGISTRY: OnceLock<RwLock<Registry>> = OnceLock::new();
  REGISTRY.get_or_init(Default::default)
}

pub fn register(options: Arc<VerifyOptions>) -> u32 {
  let mut registry = registry()
    .write()
    .unwrap_or_else(|poisoned| poisoned.into_inner());
  match registry.free.pop() {
    Some(id) => {
      registry.slots[id as usize] = Some(options);
      id
    }
    None => {
      registry.slots.push(Some(options));
      (registry.slots.len() - 1) as u32
    }
  }
}

pub fn unregister(id: u32) {
  let mut registry = registry()
    .write()
    .unwrap_or_else(|poisoned| poisoned.into_inner());
  if let Some(slot) = registry.slots.get_mut(id as usize) {
    if slot.take().is_some() {
      registry.free.push(id);
    }
  }
}

fn options_of(id: u32) -> Option<Arc<VerifyOptions>> {
  let registry = registry()
    .read()
    .unwrap_or_else(|poisoned| poisoned.into_inner());
  registry.slots.get(id as usize)?.clone()
}

thread_local! {
  static TOKEN: RefCell<Vec<u8>> = RefCell::new(vec![0; 4096]);
}

/// A JS string as UTF-8 (what the general binding would pass), into `buffer`.
unsafe fn read_string(
  env: sys::napi_env,
  value: sys::napi_value,
  buffer: &mut Vec<u8>,
) -> Option<usize> {
  let mut len = 0;
  let status = sys::napi_get_value_string_utf8(
    env,
    value,
    buffer.as_mut_ptr().cast(),
    buffer.len(),
    &mut len,
  );
  if status != sys::Status::napi_ok {
    return None;
  }
  if len + 1 < buffer.len() {
    return Some(len);
  }
  // Possibly cut short: ask for the length, then read it whole.
  let status = sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len);
  if status != sys::Status::napi_ok {
    return None;
  }
  buffer.resize(len + 1, 0);
  let status = sys::napi_get_value_string_utf8(
    env,
    value,
    buffer.as_mut_ptr().cast(),
    buffer.len(),
    &mut len,
  );
  (status == sys::Status::napi_ok).then_some(len)
}

/// Sets `lease.until` and `lease.epoch` (see `verify::CacheHit`).
unsafe fn offer_lease(env: sys::napi_env, lease: sys::napi_value, until_ms: f64, epoch: u32) {
  let mut value_type = sys::ValueType::napi_undefined;
  if sys::napi_typeof(env, lease, &mut value_type) != sys::Status::napi_ok
    || value_type != sys::ValueType::napi_object
  {
    return;
  }
  let (mut until, mut keys_epoch) = (ptr::null_mut(), ptr::null_mut());
  // Epoch first: a lease without its epoch must never look valid.
  if sys::napi_create_uint32(env, epoch, &mut keys_epoch) == sys::Status::napi_ok
    && sys::napi_set_named_property(env, lease, c"epoch".as_ptr(), keys_epoch)
      == sys::Status::napi_ok
    && sys::napi_create_double(env, until_ms, &mut until) == sys::Status::napi_ok
  {
    sys::napi_set_named_property(env, lease, c"until".as_ptr(), until);
  }
}

unsafe fn cached_claims(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> Option<sys::napi_value> {
  let mut argc = 3;
  let mut argv = [ptr::null_mut(); 3];
  let status = sys::napi_get_cb_info(
    env,
    info,
    &mut argc,
    argv.as_mut_ptr(),
    ptr::null_mut(),
    ptr::null_mut(),
  );
  if status != sys::Status::napi_ok || argc < 2 {
    return None;
  }
  let mut id = 0;
  if sys::napi_get_value_uint32(env, argv[0], &mut id) != sys::Status::napi_ok {
    return None;
  }
  let options = options_of(id)?;
  let hit = TOKEN.with(|buffer| {
    let mut buffer = buffer.borrow_mut();
    let len = read_string(env, argv[1], &mut buffer)?;
    let token = std::str::from_utf8(&buffer[..len]).ok()?;
    verify::cached_session_hit(token, &options, crate::clock::now_ms())
  })?;
  if let (true, Some(until_ms)) = (argc >= 3, hit.lease_until_ms) {
    offer_lease(env, argv[2], until_ms, hit.keys_epoch);
  }
  let payload = hit.payload_text;
  let mut result = ptr::null_mut();
  let status = sys::napi_create_string_utf8(
    env,
    payload.as_ptr().cast(),
    payload.len() as isize,
    &mut result,
  );
  (status == sys::Status::napi_ok).then_some(result)
}

unsafe extern "C" fn authenticate_cached_token(
  env: sys::napi_env,
  info: sys::napi_callback_info,
) -> sys::napi_value {
  // Anything unexpected, a panic included, is "not a hit": the general path decides.
  let found = catch_unwind(AssertUnwindSafe(|| unsafe { cached_claims(env, info) }))
    .ok()
    .flatten();
  found.unwrap_or_else(|| {
    let mut null = ptr::null_mut();
    unsafe { sys::napi_get_null(env, &mut null) };
    null
  })
}

#[napi(module_exports)]
pub fn export_fast_path(mut exports: Object, env: Env) -> Result<()> {
  let mut function = ptr::null_mut();
  let name = "authenticateCachedToken";
  check_status!(unsafe {
    sys::napi_create_function(
      env.raw(),
      name.as_ptr().cast(),
      name.len() as isize,
      Some(authenticate_cached_token),
      ptr::null_mut(),
      &mut function,
    )
  })?;
  exports.set_named_property(name, unsafe {
    Unknown::from_raw_unchecked(env.raw(), function)
  })?;
  let cell = crate::keys::jwks::keys_epoch_cell();
  let mut buffer = ptr::null_mut();
  // SAFETY: the memory is a static, never freed, so the buffer needs no
  // finalizer; V8 only reads and writes its 4 bytes, JS only reads them.
  let status = unsafe {
    sys::napi_create_external_arraybuffer(
      env.raw(),
      cell.as_ptr().cast(),
      std::mem::size_of_val(cell),
      None,
      ptr::null_mut(),
      &mut buffer,
    )
  };
  if status == sys::Status::napi_ok {
    exports.set_named_property("keysEpochBuffer", unsafe {
      Unknown::from_raw_unchecked(env.raw(), buffer)
    })?;
  }
  Ok(())
}

/// The current keys epoch, for checking a lease (see the top of this file).
#[napi]
pub fn keys_epoch() -> u32 {
  crate::keys::jwks::keys_epoch()
}
