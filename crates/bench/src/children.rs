//! The processes under test: this binary re-executed with a hidden
//! subcommand (`__server`, `__sandbox`, `__baseline`), each on its own
//! loopback port, killed when dropped.

use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A child process serving HTTP at `url`.
pub struct Process {
    pub name: &'static str,
    pub url: String,
    child: Child,
}

impl Process {
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Peak resident set size so far (`VmHWM`), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024.0)
    }

    /// Stops the process (SIGTERM, then SIGKILL after 10 s).
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
            if tokio::time::timeout(Duration::from_secs(10), self.child.wait())
                .await
                .is_ok()
            {
                return;
            }
        }
        let _ = self.child.kill().await;
    }

    /// Waits until `GET {url}{path}` answers 200, or fails after `within`.
    pub async fn wait_ready(&mut self, path: &str, within: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::builder().no_proxy().build()?;
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                bail!("{} exited before it was ready ({status})", self.name);
            }
            let ok = client
                .get(format!("{}{path}", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!(
                    "{} was not ready at {} within {within:?}",
                    self.name,
                    self.url
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn me() -> anyhow::Result<std::path::PathBuf> {
    std::env::current_exe().context("locating switchboard-bench itself")
}

/// What the server child needs to know.
pub struct ServerSpec<'a> {
    pub database_url: &'a str,
    pub data_dir: &'a Path,
    pub master_key: &'a str,
    pub app_secret: &'a str,
    pub graph_base_url: &'a str,
    /// A port chosen beforehand (so the sandbox can be told the webhook URL).
    pub port: Option<u16>,
    /// Further `SWITCHBOARD_*` settings a scenario needs.
    pub env: Vec<(&'static str, String)>,
}

impl<'a> ServerSpec<'a> {
    pub fn new(db: &'a crate::db::BenchDb, graph_base_url: &'a str) -> Self {
        Self {
            database_url: &db.database_url,
            data_dir: &db.dir,
            master_key: &db.master_key,
            app_secret: crate::db::APP_SECRET,
            graph_base_url,
            port: None,
            env: Vec::new(),
        }
    }
}

/// `switchboard serve`, configured through its `SWITCHBOARD_*` variables.
/// Its log goes to `server.log` in the data directory.
pub async fn start_server(spec: &ServerSpec<'_>) -> anyhow::Result<Process> {
    let port = match spec.port {
        Some(p) => p,
        None => free_port()?,
    };
    let log = std::fs::File::create(spec.data_dir.join("server.log"))?;
    let mut cmd = Command::new(me()?);
    // Only what is set here configures the server, not the caller's shell,
    // except `BENCH_SERVER_X=v`, passed on as `SWITCHBOARD_X=v` over the
    // settings below (for tuning runs, e.g. `BENCH_SERVER_WORKER_CONCURRENCY=8`,
    // or `BENCH_SERVER_LOG=warn,sqlx::query=debug` to log every statement).
    let vars: Vec<(String, String)> = std::env::vars().collect();
    for (k, _) in &vars {
        if k.starts_with("SWITCHBOARD_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("__server")
        .env("SWITCHBOARD_DATABASE_URL", spec.database_url)
        .env("SWITCHBOARD_DATA_DIR", spec.data_dir)
        .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("SWITCHBOARD_MASTER_KEY", spec.master_key)
        .env("SWITCHBOARD_META_APP_SECRET", spec.app_secret)
        .env("SWITCHBOARD_GRAPH_BASE_URL", spec.graph_base_url)
        .env("SWITCHBOARD_LOG", "warn")
        .envs(spec.env.iter().map(|(k, v)| (*k, v.as_str())));
    for (k, v) in &vars {
        if let Some(name) = k.strip_prefix("BENCH_SERVER_") {
            cmd.env(format!("SWITCHBOARD_{name}"), v);
        }
    }
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()
        .context("starting the server child")?;
    let mut p = Process {
        name: "server",
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    p.wait_ready("/readyz", Duration::from_secs(120)).await?;
    Ok(p)
}

/// The sandbox (`switchboard sandbox` with `args`), on a fresh port.
pub async fn start_sandbox(args: &[String]) -> anyhow::Result<Process> {
    let port = free_port()?;
    let child = Command::new(me()?)
        .arg("__sandbox")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the sandbox child")?;
    let mut p = Process {
        name: "sandbox",
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    p.wait_ready("/_sandbox/counters", Duration::from_secs(30))
        .await?;
    Ok(p)
}

/// The baseline: a trivial axum server answering the same requests.
pub async fn start_baseline() -> anyhow::Result<Process> {
    let port = free_port()?;
    let child = Command::new(me()?)
        .arg("__baseline")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting the baseline child")?;
    let mut p = Process {
        name: "baseline",
        url: format!("http://127.0.0.1:{port}"),
        child,
    };
    p.wait_ready("/readyz", Duration::from_secs(30)).await?;
    Ok(p)
}
