//! A Switchboard server run as a child process of the real `switchboard`
//! binary, for crash tests: started with `SWITCHBOARD_*` variables on a
//! fresh database (SQLite in its own directory, or a fresh PostgreSQL
//! database), killed with SIGKILL and restarted on the same database.

use crate::{Engine, test_dir};
use serde_json::{Value, json};
use server::crypto::SecretBox;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a start may take before the test gives up (debug builds on a
/// busy machine are slow; the test never asserts on this).
const START_DEADLINE: Duration = Duration::from_secs(90);

/// A `switchboard serve` child process and the database it runs on.
pub struct ServerProcess {
    pub engine: Engine,
    /// `http://127.0.0.1:<port>`; the same across restarts.
    pub url: String,
    /// The URL the child connects to (also usable by the test's own store).
    pub database_url: String,
    /// Data directory (SQLite file, server log).
    pub dir: PathBuf,
    /// The operator's one-time password, printed on the first start.
    pub operator_password: String,
    pub client: reqwest::Client,
    binary: PathBuf,
    port: u16,
    /// The same master key on every start (sealed credentials stay readable).
    master_key: String,
    env: Vec<(String, String)>,
    /// `serve`, or `worker` (no HTTP).
    command: &'static str,
    child: Option<Child>,
    starts: usize,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl ServerProcess {
    /// Starts `binary serve` on a fresh database of `engine`, with `env`
    /// added to the child's environment (every inherited `SWITCHBOARD_*`
    /// variable is removed first), and waits until it is ready.
    pub async fn start(binary: &Path, engine: Engine, env: &[(&str, String)]) -> ServerProcess {
        let dir = test_dir().keep();
        let database_url = match engine {
            Engine::Sqlite => format!("sqlite://{}", dir.join("switchboard.db").display()),
            Engine::Postgres => crate::engine::fresh_pg_database().await,
        };
        let port = free_port();
        let mut p = ServerProcess {
            engine,
            url: format!("http://127.0.0.1:{port}"),
            database_url,
            dir,
            operator_password: String::new(),
            client: reqwest::Client::new(),
            binary: binary.to_owned(),
            port,
            master_key: SecretBox::new_key_spec("crash1"),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
            command: "serve",
            child: None,
            starts: 0,
        };
        let password = p.spawn().await;
        p.operator_password = password
            .recv_timeout(Duration::from_secs(30))
            .expect("first start prints the operator's password");
        p
    }

    /// Another node of this deployment: `command` (`serve` or `worker`) on
    /// the same database with the same master key, its own data directory
    /// and port, and this node's settings with `env` on top.
    pub async fn join(&self, command: &'static str, env: &[(&str, String)]) -> ServerProcess {
        let port = free_port();
        let mut settings = self.env.clone();
        settings.extend(env.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        let mut node = ServerProcess {
            engine: self.engine,
            url: format!("http://127.0.0.1:{port}"),
            database_url: self.database_url.clone(),
            dir: test_dir().keep(),
            operator_password: self.operator_password.clone(),
            client: reqwest::Client::new(),
            binary: self.binary.clone(),
            port,
            master_key: self.master_key.clone(),
            env: settings,
            command,
            child: None,
            starts: 0,
        };
        node.spawn().await;
        node
    }

    /// Starts the child again on the same database and port.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "restart a killed server only");
        self.spawn().await;
    }

    /// SIGKILL: the process dies at once, mid-request and mid-job.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("kill -9 the server");
            child.wait().expect("reap the server");
        }
    }

    /// How many times the child was started.
    pub fn starts(&self) -> usize {
        self.starts
    }

    /// The child's log (stderr of every start), for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    async fn spawn(&mut self) -> std::sync::mpsc::Receiver<String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("server log file");
        let mut cmd = Command::new(&self.binary);
        cmd.arg(self.command);
        for (k, _) in std::env::vars() {
            if k.starts_with("SWITCHBOARD_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("SWITCHBOARD_DATA_DIR", &self.dir)
            .env("SWITCHBOARD_DATABASE_URL", &self.database_url)
            .env("SWITCHBOARD_LISTEN", format!("127.0.0.1:{}", self.port))
            .env("SWITCHBOARD_MASTER_KEY", &self.master_key)
            .env("SWITCHBOARD_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log));
        let mut child = cmd.spawn().expect("switchboard starts");
        let stdout = child.stdout.take().expect("child stdout");
        // Keep draining stdout (where the logs go) into the log file, so
        // the child never writes into a full pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        let mut log = std::fs::OpenOptions::new()
            .append(true)
            .open(self.dir.join("server.log"))
            .expect("server log file");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                match line.trim().strip_prefix("password:") {
                    Some(p) => {
                        let _ = tx.send(p.trim().to_owned());
                    }
                    None => {
                        let _ = writeln!(log, "{line}");
                    }
                }
            }
        });
        self.child = Some(child);
        self.starts += 1;
        self.wait_ready().await;
        rx
    }

    /// Until `/readyz` answers 200; a worker (no HTTP) is taken as ready
    /// once started.
    async fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("the server exited with {status}:\n{}", self.log());
            }
            if self.command == "worker" {
                return;
            }
            let ready = self
                .client
                .get(format!("{}/readyz", self.url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not become ready:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `POST {url}{path}` with a JSON body and optional bearer token or API
    /// key (`x-api-key`); returns the status and the JSON body.
    pub async fn post(&self, path: &str, auth: crate::Auth<'_>, body: &Value) -> (u16, Value) {
        let req = self.client.post(format!("{}{path}", self.url)).json(body);
        let res = authed(req, auth)
            .send()
            .await
            .expect("request reaches the server");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// `PUT {url}{path}` with a JSON body; returns the status and the JSON body.
    pub async fn put(&self, path: &str, auth: crate::Auth<'_>, body: &Value) -> (u16, Value) {
        let req = self.client.put(format!("{}{path}", self.url)).json(body);
        let res = authed(req, auth)
            .send()
            .await
            .expect("request reaches the server");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// `GET {url}{path}`.
    pub async fn get(&self, path: &str, auth: crate::Auth<'_>) -> (u16, Value) {
        let req = self.client.get(format!("{}{path}", self.url));
        let res = authed(req, auth)
            .send()
            .await
            .expect("request reaches the server");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a tenant through the operator API; returns (tenant id, API key).
    pub async fn create_tenant(&self, slug: &str) -> (String, String) {
        let (status, login) = self
            .post(
                "/api/v1/operator/login",
                crate::Auth::None,
                &json!({ "email": "operator@switchboard.local", "password": self.operator_password }),
            )
            .await;
        assert_eq!(status, 200, "operator login: {login}");
        let token = login["access_token"].as_str().expect("token").to_owned();
        let (status, body) = self
            .post(
                "/api/v1/operator/tenants",
                crate::Auth::Bearer(&token),
                &json!({ "name": format!("Tenant {slug}"), "slug": slug,
                         "owner_email": format!("owner@{slug}.example.com") }),
            )
            .await;
        assert_eq!(status, 201, "create tenant: {body}");
        (
            body["tenant"]["id"].as_str().expect("tenant id").to_owned(),
            body["api_key"]["secret"]
                .as_str()
                .expect("api key")
                .to_owned(),
        )
    }

    /// Polls `check` until it holds, or fails (with the server's log)
    /// after a generous deadline. Never a timing assertion.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + Duration::from_secs(120);
        while !check().await {
            assert!(
                Instant::now() < deadline,
                "timed out: {what}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every message in the inbox of the tenant of API key `key`, read
    /// through the API (every conversation, every page), by wamid, with
    /// how often each appears.
    pub async fn inbox_wamids(&self, key: &str) -> HashMap<String, usize> {
        let mut seen = HashMap::new();
        for conversation in self.all_pages("/api/v1/conversations?", key).await {
            let id = conversation["id"].as_str().expect("conversation id");
            let path = format!("/api/v1/conversations/{id}/messages?");
            for m in self.all_pages(&path, key).await {
                *seen
                    .entry(m["wamid"].as_str().unwrap_or("").to_owned())
                    .or_insert(0) += 1;
            }
        }
        seen
    }

    /// Every item of a paginated list (`path` ends in `?` or `&`).
    pub async fn all_pages(&self, path: &str, key: &str) -> Vec<Value> {
        let (mut items, mut cursor) = (Vec::new(), String::new());
        loop {
            let (status, page) = self
                .get(
                    &format!("{path}limit=200&cursor={cursor}"),
                    crate::Auth::ApiKey(key),
                )
                .await;
            assert_eq!(status, 200, "{path}: {page}");
            items.extend(page["items"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(c) => cursor = c.to_owned(),
                None => return items,
            }
        }
    }

    /// A store on the child's database, for checks the API does not show
    /// (jobs, stored deliveries).
    pub async fn store(&self) -> store::Store {
        store::Store::connect(&self.database_url)
            .await
            .expect("connect to the server's database")
    }
}

/// No job of `queue` waiting or running; fails if one failed for good.
pub async fn queue_settled(store: &store::Store, queue: &str) -> bool {
    let depths = store.queue_depths().await.expect("queue depths");
    let failed: Vec<_> = depths
        .iter()
        .filter(|d| d.queue == queue && d.status == "failed")
        .collect();
    assert!(failed.is_empty(), "jobs failed for good: {failed:?}");
    !depths.iter().any(|d| d.queue == queue)
}

fn authed(req: reqwest::RequestBuilder, auth: crate::Auth<'_>) -> reqwest::RequestBuilder {
    match auth {
        crate::Auth::None => req,
        crate::Auth::Bearer(t) => req.bearer_auth(t),
        crate::Auth::ApiKey(k) => req.header("x-api-key", k),
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!("server data and log kept in {}", self.dir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
