//! The listening side: [`claim`] takes the socket before the terminal is touched (refusing
//! when another instance answers on it), [`serve`] runs on the app's runtime: it accepts
//! connections, checks each peer's uid, reads its one request and hands it to the loop.

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

use super::{own_uid, Reply, Request, TapError};

/// Longest request line read, in bytes.
const MAX_REQUEST: u64 = 64 * 1024;
/// Lines queued for one `events` reader before it counts as behind.
pub const QUEUE: usize = 1024;

/// A request handed to the loop.
#[derive(Debug)]
pub enum Incoming {
    Command(Request, oneshot::Sender<Reply>),
    /// `events`: lines go to `tx` (a line may hold several, newline-separated).
    Subscribe {
        types: Vec<String>,
        jid: Option<String>,
        tx: mpsc::Sender<String>,
    },
}

/// The socket, claimed; removed again when dropped.
pub struct Claimed {
    path: PathBuf,
    listener: Option<std::os::unix::net::UnixListener>,
}

impl Claimed {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the control socket at `path`: a socket nobody answers on (a crashed instance's) is
/// replaced; one that answers means another instance runs with this config.
pub fn claim(path: &Path) -> Result<Claimed, TapError> {
    let io_err = |source| TapError::Io {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        private_dir(dir).map_err(io_err)?;
    }
    if path.exists() {
        match std::os::unix::net::UnixStream::connect(path) {
            Ok(_) => return Err(TapError::Running(path.to_owned())),
            Err(_) => std::fs::remove_file(path).map_err(io_err)?,
        }
    }
    let listener = std::os::unix::net::UnixListener::bind(path).map_err(io_err)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io_err)?;
    listener.set_nonblocking(true).map_err(io_err)?;
    Ok(Claimed {
        path: path.to_owned(),
        listener: Some(listener),
    })
}

fn private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::metadata(dir)?;
    if meta.uid() != own_uid() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("{} belongs to another user", dir.display()),
        ));
    }
    if meta.permissions().mode() & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Starts accepting on the app's runtime; requests come out of the returned channel.
pub fn serve(claimed: &mut Claimed) -> io::Result<mpsc::Receiver<Incoming>> {
    let (tx, rx) = mpsc::channel(64);
    let Some(std_listener) = claimed.listener.take() else {
        return Err(io::Error::other("the control socket is already served"));
    };
    let listener = UnixListener::from_std(std_listener)?;
    tokio::spawn(accept(listener, tx));
    Ok(rx)
}

async fn accept(listener: UnixListener, tx: mpsc::Sender<Incoming>) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, tx.clone()));
            }
            Err(e) => {
                tracing::warn!("control socket: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

/// One client: its uid checked, its request read, answered (or streamed to).
async fn connection(stream: UnixStream, tx: mpsc::Sender<Incoming>) {
    let same_user = stream.peer_cred().is_ok_and(|c| c.uid() == own_uid());
    let (read, mut write) = stream.into_split();
    if !same_user {
        let _ = write_reply(&mut write, &Reply::refused("not your rosterm")).await;
        return;
    }
    let mut line = String::new();
    let mut reader = BufReader::new(read).take(MAX_REQUEST);
    if reader.read_line(&mut line).await.is_err() {
        return;
    }
    let request = match serde_json::from_str::<Request>(&line) {
        Ok(r) => r,
        Err(e) => {
            let text = format!("not a request rosterm understands: {e}");
            let _ = write_reply(&mut write, &Reply::refused(text)).await;
            return;
        }
    };
    match request {
        Request::Events { types, jid } => stream_events(types, jid, tx, write).await,
        other => {
            let (reply_tx, reply_rx) = oneshot::channel();
            if tx.send(Incoming::Command(other, reply_tx)).await.is_err() {
                return;
            }
            if let Ok(reply) = reply_rx.await {
                let _ = write_reply(&mut write, &reply).await;
            }
        }
    }
}

async fn write_reply(
    write: &mut tokio::net::unix::OwnedWriteHalf,
    reply: &Reply,
) -> io::Result<()> {
    let mut text = serde_json::to_string(reply).map_err(io::Error::other)?;
    text.push('\n');
    write.write_all(text.as_bytes()).await
}

async fn stream_events(
    types: Vec<String>,
    jid: Option<String>,
    tx: mpsc::Sender<Incoming>,
    mut write: tokio::net::unix::OwnedWriteHalf,
) {
    let (lines_tx, mut lines) = mpsc::channel(QUEUE);
    let subscribe = Incoming::Subscribe {
        types,
        jid,
        tx: lines_tx,
    };
    if tx.send(subscribe).await.is_err() {
        return;
    }
    while let Some(text) = lines.recv().await {
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}
