//! A loopback TCP proxy in front of the server whose connections a test can cut.

/// A loopback TCP proxy in front of the server whose connections the test can cut.
pub struct Proxy {
    pub port: u16,
    conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
    /// While set, new connections are closed at once (the server looks unreachable).
    held: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Proxy {
    pub async fn start(target: u16) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let conns: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> =
            Default::default();
        let held: std::sync::Arc<std::sync::atomic::AtomicBool> = Default::default();
        let accept = tokio::spawn({
            let conns = conns.clone();
            let held = held.clone();
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    if held.load(std::sync::atomic::Ordering::SeqCst) {
                        continue;
                    }
                    let task = tokio::spawn(async move {
                        if let Ok(mut outbound) =
                            tokio::net::TcpStream::connect(("127.0.0.1", target)).await
                        {
                            let _ =
                                tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                        }
                    });
                    conns.lock().unwrap().push(task.abort_handle());
                }
            }
        });
        Proxy {
            port,
            conns,
            accept,
            held,
        }
    }

    /// While `on`, new connections are closed at once.
    pub fn hold(&self, on: bool) {
        self.held.store(on, std::sync::atomic::Ordering::SeqCst);
    }

    /// Drops every open connection (both sides see the TCP connection close).
    pub fn cut(&self) {
        for conn in self.conns.lock().unwrap().drain(..) {
            conn.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.accept.abort();
    }
}
