//! Integration tests against real parts: a throwaway Prosody per test (`harness`), scripted
//! peers (`peer`), rosterm's session driven headless (`client`), and the real binary in tmux.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a test failure

mod binary;
mod client;
mod fuzz;
mod harness;
mod hostile;
mod lifecycle;
mod peer;
mod session;
mod subscriptions;
mod terminal;
