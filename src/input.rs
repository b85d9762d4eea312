//! Terminal input: a thread that reads the terminal's bytes as they come, and a pure decoder
//! ([`decode::Decoder`]) that turns them into keys and pastes.
//!
//! rosterm reads the terminal itself rather than through crossterm's `EventStream`, for two
//! things crossterm's reader cannot do (see [`decode`]): never lose an Escape that ends a
//! read, and never let the tail of a paste act as keys. Resizes come from SIGWINCH (the app
//! loop), not from here.

pub mod decode;

use std::io::Read;

use tokio::sync::mpsc;

/// Reads per read call; larger than a tty's buffer (4 KiB on Linux), so one read takes all
/// that is waiting, and larger than std's stdin buffer, so reads bypass it.
const READ_SIZE: usize = 16 * 1024;
/// Reads queued between the thread and the app loop before the thread waits.
const QUEUE: usize = 64;

/// Starts the reader thread. The channel closes when the terminal is gone (end of file or a
/// read error); each message is one read, in order.
pub fn spawn_reader() -> std::io::Result<mpsc::Receiver<Vec<u8>>> {
    let (tx, rx) = mpsc::channel(QUEUE);
    std::thread::Builder::new()
        .name("rosterm-input".into())
        .spawn(move || read_loop(&tx))?;
    Ok(rx)
}

fn read_loop(tx: &mpsc::Sender<Vec<u8>>) {
    let mut buf = vec![0u8; READ_SIZE];
    let stdin = std::io::stdin();
    loop {
        match stdin.lock().read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                if tx.blocking_send(buf[..n].to_vec()).is_err() {
                    return;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::warn!("terminal input: {e}");
                return;
            }
        }
    }
}
