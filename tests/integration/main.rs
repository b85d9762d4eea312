//! Integration tests against real parts: a throwaway Prosody per test (`harness`), scripted
//! peers (`peer`), rosterm's session driven headless (`client`), and the real binary in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure

/// For each `async fn name(kind: harness::Kind)` listed, one `#[tokio::test]` per server:
/// `prosody::name` and `ejabberd::name` in the calling module (so `cargo test --test
/// integration ejabberd::` runs the ejabberd ones). `multi_thread;` first: on a 2-worker
/// multi-thread runtime.
macro_rules! on_each_server {
    (multi_thread; $($name:ident),+ $(,)?) => {
        on_each_server!(@kinds (flavor = "multi_thread", worker_threads = 2); $($name),+);
    };
    ($($name:ident),+ $(,)?) => {
        on_each_server!(@kinds (); $($name),+);
    };
    (@kinds $flavor:tt; $($name:ident),+) => {
        on_each_server!(@kind prosody, Prosody, $flavor; $($name),+);
        on_each_server!(@kind ejabberd, Ejabberd, $flavor; $($name),+);
    };
    (@kind $module:ident, $kind:ident, $flavor:tt; $($name:ident),+) => {
        mod $module {
            $(
                #[tokio::test $flavor]
                async fn $name() {
                    super::$name(crate::harness::Kind::$kind).await
                }
            )+
        }
    };
}

mod binary;
mod client;
mod fuzz;
mod harness;
mod hostile;
mod lifecycle;
mod peer;
mod session;
mod subscriptions;
