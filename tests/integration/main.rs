//! Integration tests against real parts: a throwaway Prosody per test (`harness`), scripted
//! peers (`peer`), rosterm's session driven headless (`client`), and the real binary in tmux.

mod binary;
mod client;
mod harness;
mod peer;
mod session;
