//! The real `nspm serve` on a free loopback port, and a small HTTP/1.1
//! client over a plain socket, so that tests see exactly the bytes that go
//! over the wire, including what a well-behaved client would never send.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support;

/// How long a server may take to render the site and start listening; the
/// machine running the tests may be busy.
const START: Duration = Duration::from_secs(60);
/// The start of the line that says where the server listens (`http://`
/// or `https://` follows).
const SERVING: &str = "serving http";

/// A running `nspm serve`, killed when dropped if it is still running.
#[derive(Debug)]
pub struct Running {
    child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

/// How to start the server, beyond its arguments.
#[derive(Debug, Default, Clone, Copy)]
pub struct Launch {
    /// Runs the server under `prlimit` with this soft and hard limit on
    /// open file descriptors.
    pub descriptors: Option<(u64, u64)>,
    /// Stops reading the server's stderr once it listens, closing the read
    /// end of the pipe, as a log collector that goes away does; the log
    /// then holds the lines up to the one that names the port.
    pub close_log: bool,
}

impl Running {
    /// Starts `nspm [global…] serve --addr 127.0.0.1:0 [extra…]` and waits
    /// for the line that names the port it got.
    pub fn start(global: &[&str], extra: &[&str]) -> Running {
        Running::launch(Launch::default(), global, extra)
    }

    /// [`Running::start`], set up as `launch` says.
    pub fn launch(launch: Launch, global: &[&str], extra: &[&str]) -> Running {
        let limit = launch
            .descriptors
            .map(|(soft, hard)| format!("--nofile={soft}:{hard}"));
        let mut command = match &limit {
            Some(limit) => support::nspm_under(&["prlimit", limit, "--"]),
            None => support::nspm(),
        };
        let mut child = command
            .args(global)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nspm starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut line = String::new();
            while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
                let text = line.trim_end_matches('\n').to_string();
                line.clear();
                let listening = text.contains(SERVING);
                if listening && launch.close_log {
                    // The pipe is closed before the line is seen, so that
                    // everything the server logs after it meets a closed pipe.
                    drop(reader);
                    lines.lock().unwrap().push(text);
                    return;
                }
                lines.lock().unwrap().push(text);
            }
        });
        let mut running = Running {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            log,
        };
        let line = running.wait_for_log(SERVING, START);
        let addr = line
            .split(SERVING)
            .nth(1)
            .and_then(|rest| rest.strip_prefix("s").unwrap_or(rest).strip_prefix("://"))
            .and_then(|rest| rest.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        running.addr = addr;
        running
    }

    /// Every line written to stderr so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits for a stderr line containing `needle` and returns it; fails the
    /// test, showing the whole log, when none comes in time.
    pub fn wait_for_log(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self.log().into_iter().find(|l| l.contains(needle)) {
                return line;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Give the reader thread a moment to collect the last lines.
                std::thread::sleep(Duration::from_millis(100));
                if let Some(line) = self.log().into_iter().find(|l| l.contains(needle)) {
                    return line;
                }
                panic!(
                    "nspm exited ({status}) before logging {needle:?}:\n{}",
                    self.log().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "nspm did not log {needle:?} within {limit:?}:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends a signal, as a service manager or Ctrl-C would.
    pub fn signal(&self, signal: rustix::process::Signal) {
        rustix::process::kill_process(rustix::process::Pid::from_child(&self.child), signal)
            .expect("the server can be signalled");
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for the process to exit, failing the test if it does not.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("the child can be waited for") {
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "nspm still runs after {limit:?}:\n{}",
                self.log().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        Client::connect(self.addr)
            .get(path)
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One response as read off the socket.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).expect("the body is UTF-8")
    }
}

/// One keep-alive HTTP/1.1 connection.
#[derive(Debug)]
pub struct Client {
    reader: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("the server accepts connections");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Client {
            reader: BufReader::new(stream),
        }
    }

    pub fn stream(&mut self) -> &mut TcpStream {
        self.reader.get_mut()
    }

    /// Sends a GET and reads its response, keeping the connection open.
    pub fn get(&mut self, path: &str) -> std::io::Result<Reply> {
        let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        self.stream().write_all(request.as_bytes())?;
        self.read_reply()
    }

    /// Reads one response whose length is given by Content-Length (every
    /// response of this server has one), or that ends with the connection.
    pub fn read_reply(&mut self) -> std::io::Result<Reply> {
        let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed before a response",
            ));
        }
        // A server answers HTTP/1.0 requests in HTTP/1.0.
        let status = line
            .strip_prefix("HTTP/1.1 ")
            .or_else(|| line.strip_prefix("HTTP/1.0 "))
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| bad(format!("not a status line: {line:?}")))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end_matches(['\r', '\n']);
            if l.is_empty() {
                break;
            }
            let (name, value) = l
                .split_once(':')
                .ok_or_else(|| bad(format!("not a header: {l:?}")))?;
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut reply = Reply {
            status,
            headers,
            body: Vec::new(),
        };
        match reply.header("content-length") {
            Some(n) => {
                let n: usize = n.parse().map_err(|_| bad(format!("content-length {n}")))?;
                reply.body.resize(n, 0);
                self.reader.read_exact(&mut reply.body)?;
            }
            None => {
                self.reader.read_to_end(&mut reply.body)?;
            }
        }
        Ok(reply)
    }

    /// Waits up to `limit` for the server to close the connection and
    /// returns what it sent before closing; `None` while it stays open.
    pub fn closed_within(&mut self, limit: Duration) -> Option<Vec<u8>> {
        self.stream().set_read_timeout(Some(limit)).unwrap();
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => Some(rest),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => Some(rest),
            Err(_) => None,
        }
    }
}
