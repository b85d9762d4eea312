//! Integration tests against real parts: a throwaway Prosody per test (`harness`), scripted
//! peers (`peer`), rosterm's session driven headless (`client`), and the real binary in tmux.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    clippy::cognitive_complexity
)] // test code: a panic is a test failure, and a test may be long

/// For each `async fn name(kind: harness::Kind)` listed, one `#[tokio::test]` per server:
/// `prosody::name` and `ejabberd::name` in the calling module (so `cargo test --test
/// integration ejabberd::` runs the ejabberd ones). Names after `multi_thread:` run on a
/// 2-worker multi-thread runtime. One invocation per module.
macro_rules! on_each_server {
    (@kind $module:ident, $kind:ident; $($name:ident),*; $($mt:ident),*) => {
        mod $module {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(crate::harness::Kind::$kind).await
                }
            )*
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $mt() {
                    super::$mt(crate::harness::Kind::$kind).await
                }
            )*
        }
    };
    ($($name:ident),* $(,)? $(; multi_thread: $($mt:ident),+ $(,)?)?) => {
        on_each_server!(@kind prosody, Prosody; $($name),*; $($($mt),+)?);
        on_each_server!(@kind ejabberd, Ejabberd; $($name),*; $($($mt),+)?);
    };
}

mod aggregate;
mod auto_away;
mod auto_away_tmux;
mod binary;
mod bookmarks;
mod cache;
mod chat;
mod chat_away;
mod chat_peer;
mod chat_tmux;
mod client;
mod console;
mod desktop_idle;
mod devices;
mod everyday;
mod fuzz;
mod gateways;
mod harness;
mod hostile;
mod instant;
mod lifecycle;
mod logfile;
mod muc_peer;
mod multi;
mod peer;
mod proxy;
mod register;
mod register_tmux;
mod room_archive;
mod room_private;
mod rooms;
mod rooms_tmux;
mod seen;
mod session;
mod sieve;
mod srv;
mod start_status;
mod stream_errors;
mod subscriptions;
mod tap;
mod terminal;
mod themes;
mod tls_faults;

/// The first (or only) account.
pub const A0: rosterm::domain::AccountId = rosterm::domain::AccountId(0);
