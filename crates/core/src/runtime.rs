//! The async runtime every network call of the addon runs on: one per
//! process, started on first use and never shut down.
//!
//! Why not napi's own Tokio runtime: napi shuts it down when the last
//! JavaScript environment that loaded the addon goes away (the last worker
//! thread exits while the main thread has not loaded it yet) and builds a
//! new one for the next. The addon's process-wide state outlives that: the
//! JWKS fetch shared by every caller, the HTTP clients' pooled connections
//! and their timers. Created on a runtime that was shut down, they can never
//! complete (their I/O and timers are dead) or panic when polled from the
//! new one ("A Tokio 1.x context was found, but it is being shutdown").
//! Running them here, where the runtime lives as long as the process, keeps
//! them valid; napi's runtime only awaits the results.

use std::sync::OnceLock;
use tokio::runtime::{Builder, Handle, Runtime};

fn runtime() -> &'static Runtime {
  static RUNTIME: OnceLock<Runtime> = OnceLock::new();
  RUNTIME.get_or_init(|| {
    Builder::new_multi_thread()
      .thread_name("clerk-express-native")
      .enable_all()
      .build()
      .expect("the addon's async runtime can be built")
  })
}

/// Where to spawn the addon's network work.
pub fn handle() -> &'static Handle {
  runtime().handle()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn work_outlives_the_runtime_that_started_it() {
    // A task started from a short-lived runtime (as napi's is across
    // worker-thread restarts) keeps running after that runtime is gone,
    // and its timers still fire.
    let (sender, receiver) = std::sync::mpsc::channel();
    let short_lived = Builder::new_current_thread().enable_all().build().unwrap();
    short_lived.block_on(async {
      handle().spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        sender.send("done").unwrap();
      });
    });
    short_lived.shutdown_timeout(std::time::Duration::ZERO);
    let answer = receiver.recv_timeout(std::time::Duration::from_secs(5));
    assert_eq!(answer, Ok("done"));
  }
}
