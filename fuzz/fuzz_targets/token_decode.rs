//! `jwt::decode` (and the token sniffing that runs on its result) on any
//! text: no panic, and a decoding that is consistent with its input.
#![no_main]

use clerk_core::jwt::token_kind::classify;
use clerk_core::{base64url, js_semantics, jwt};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
  let text = String::from_utf8_lossy(data);
  let decoded = jwt::decode(&text);
  let _ = classify(&text, decoded.as_ref().ok());
  match &decoded {
    Ok(jwt) => {
      // The signed part is the token up to its last dot, and each part
      // decodes on its own the same way.
      assert_eq!(jwt.token, *text);
      let (signed, signature) = text.rsplit_once('.').expect("three parts");
      assert_eq!(jwt.signed_part(), signed);
      assert_eq!(base64url::decode(signature).as_ref(), Ok(&jwt.signature));
      assert_eq!(
        serde_json::from_str::<serde_json::Value>(&jwt.payload_text)
          .ok()
          .as_ref(),
        Some(&jwt.payload)
      );
      // What error messages embed must not panic either.
      let _ = js_semantics::stringify(Some(&jwt.header));
      let _ = js_semantics::to_js_string(js_semantics::get(&jwt.header, "kid"));
      let _ = js_semantics::stringify(js_semantics::get(&jwt.payload, "exp"));
    }
    Err(err) => {
      assert_eq!(err.reason, clerk_core::errors::reason::TOKEN_INVALID);
      let _ = err.full_message(Some("header"));
    }
  }
  // Every part decoder also sees the raw text as one part.
  let _ = base64url::decode(&text);
});
