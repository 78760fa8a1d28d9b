//! `nspm-startup [--runs N] -- COMMAND ARGS...`: starts a server as many
//! times as asked and measures how long each start takes to answer its
//! first request, and how much memory the process then holds.
//!
//! Each `{addr}` in the arguments becomes a free loopback address. The clock
//! starts just before the process is spawned and stops when `GET /healthz`
//! on that address first answers 200, polled every millisecond; then the
//! process's VmRSS and VmHWM are read from /proc and it is killed. Prints
//! one line per start: `ms rss_kb hwm_kb`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: nspm-startup [--runs N] [--timeout SECONDS] -- COMMAND ARGS...";

fn main() -> ExitCode {
    nspm_bench::exit("nspm-startup", run())
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let mut runs = 5usize;
    let mut timeout = Duration::from_secs(120);
    let command: Vec<String> = loop {
        match args.next().as_deref() {
            Some("--runs") => runs = number(args.next(), "--runs")?,
            Some("--timeout") => timeout = Duration::from_secs(number(args.next(), "--timeout")?),
            Some("--") => break args.collect(),
            _ => bail!("{USAGE}"),
        }
    };
    if command.is_empty() {
        bail!("{USAGE}");
    }
    for _ in 0..runs {
        let (ms, rss, hwm) = start_once(&command, timeout)?;
        println!("{ms:.1} {rss} {hwm}");
    }
    Ok(())
}

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> Result<T> {
    value
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("{flag} needs a number\n\n{USAGE}"))
}

/// One start: milliseconds to the first 200 from /healthz, then VmRSS and
/// VmHWM in KB.
fn start_once(command: &[String], timeout: Duration) -> Result<(f64, u64, u64)> {
    // The port is free when the listener is dropped; the server binds it a
    // moment later, and on loopback nothing else is expected to take it.
    let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let args: Vec<String> = command[1..]
        .iter()
        .map(|a| a.replace("{addr}", &addr.to_string()))
        .collect();
    let start = Instant::now();
    let mut child = Command::new(&command[0])
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", command[0]))?;
    let ready = wait_ready(&mut child, addr, start, timeout);
    let memory = ready.as_ref().ok().map(|_| memory(child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let elapsed = ready?;
    let (rss, hwm) = memory.transpose()?.unwrap_or_default();
    Ok((elapsed.as_secs_f64() * 1000.0, rss, hwm))
}

fn wait_ready(
    child: &mut Child,
    addr: SocketAddr,
    start: Instant,
    timeout: Duration,
) -> Result<Duration> {
    loop {
        if healthy(addr) {
            return Ok(start.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited with {status} before answering");
        }
        if start.elapsed() > timeout {
            bail!("no answer from {addr} within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn healthy(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(100)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let mut reply = Vec::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_end(&mut reply).is_ok()
        && reply.starts_with(b"HTTP/1.1 200")
}

/// VmRSS and VmHWM of a process, in KB.
fn memory(pid: u32) -> Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> Result<u64> {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmRSS:")?, field("VmHWM:")?))
}
