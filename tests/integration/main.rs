//! Integration tests against real parts: a throwaway Prosody per test (`harness`), scripted
//! peers (`peer`), rosterm's session driven headless (`client`), and the real binary in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure

mod binary;
mod cache;
mod client;
mod fuzz;
mod harness;
mod hostile;
mod instant;
mod lifecycle;
mod logfile;
mod peer;
mod session;
mod sieve;
mod srv;
mod stream_errors;
mod subscriptions;
mod tls_faults;
