//! A minimal W3C WebDriver client over reqwest (rustls), driving Debian's
//! headless Chromium through chromedriver. Each test starts its own
//! chromedriver on a free port with a fresh profile directory.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::Client,
    session: String,
    port: u16,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The chromedriver process, stopped when dropped (also when a test fails
/// before it has a session).
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[derive(Debug, Clone)]
pub struct Element(String);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn screenshot_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session. Fails loudly
    /// when either is missing: `scripts/test` installs them.
    pub async fn start() -> Browser {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(bin).exists(),
                "{bin} is missing: the browser tests need Debian's chromium and chromium-driver \
                 (`apt-get install chromium chromium-driver`, or run scripts/test, which installs them)"
            );
        }
        let port = free_port();
        let mut cmd = std::process::Command::new(CHROMEDRIVER);
        cmd.arg(format!("--port={port}"));
        // Set SWITCHBOARD_CHROMEDRIVER_LOG=<file> to see what chromedriver does.
        if let Ok(log) = std::env::var("SWITCHBOARD_CHROMEDRIVER_LOG") {
            cmd.arg("--verbose").arg(format!("--log-path={log}"));
        }
        let driver = Driver(
            cmd.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("chromedriver starts"),
        );
        // Generous: on a loaded machine Chromium can take long to start.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(180))
            .build()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(r) = ready
                && let Ok(v) = r.json::<Value>().await
                && v["value"]["ready"] == json!(true)
            {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let base_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-data");
        std::fs::create_dir_all(&base_dir).unwrap();
        // Chromium does not find its profile through a path with `..` in it.
        let base_dir = base_dir.canonicalize().unwrap();
        let profile = tempfile::Builder::new()
            .prefix("chromium-")
            .tempdir_in(base_dir)
            .unwrap();
        let args = [
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,860".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": CHROMIUM, "args": args }
        }}});
        let r: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("new session")
            .json()
            .await
            .unwrap();
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver refused a session: {r}"))
            .to_owned();
        Browser {
            http,
            session,
            port,
            _driver: driver,
            _profile: profile,
        }
    }

    fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/session/{}{path}",
            self.port, self.session
        )
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, self.url(path));
        req = req.json(&body.unwrap_or(json!({})));
        let v: Value = req
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .unwrap();
        v["value"].clone()
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> Value {
        let v: Value = self
            .http
            .get(self.url(path))
            .send()
            .await
            .expect("webdriver call")
            .json()
            .await
            .unwrap();
        v["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        let v = self.post("/url", json!({ "url": url })).await;
        assert!(v.is_null(), "navigating to {url}: {v}");
    }

    pub async fn current_url(&self) -> String {
        self.get("/url")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn try_find(&self, css: &str) -> Option<Element> {
        let v = self
            .post("/element", json!({ "using": "css selector", "value": css }))
            .await;
        v[ELEMENT_KEY].as_str().map(|id| Element(id.to_owned()))
    }

    pub async fn find(&self, css: &str) -> Element {
        match self.try_find(css).await {
            Some(e) => e,
            None => panic!(
                "no element {css} on {}:\n{}",
                self.current_url().await,
                self.source().await
            ),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        let v = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await;
        v.as_array().map_or(0, Vec::len)
    }

    pub async fn click(&self, css: &str) {
        let e = self.find(css).await;
        let v = self
            .post(&format!("/element/{}/click", e.0), json!({}))
            .await;
        assert!(v.is_null(), "clicking {css}: {v}");
    }

    /// Clicks something that loads a new page (a form's submit button, a
    /// link) and waits until the new document has loaded.
    pub async fn submit(&self, css: &str) {
        self.eval("window.__sbOldPage = true; return true;").await;
        self.click(css).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let v = self
                .eval("return window.__sbOldPage !== true && document.readyState === 'complete';")
                .await;
            if v == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after clicking {css}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.post(&format!("/element/{}/clear", e.0), json!({}))
            .await;
        let v = self
            .post(&format!("/element/{}/value", e.0), json!({ "text": text }))
            .await;
        assert!(v.is_null(), "typing into {css}: {v}");
    }

    pub async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.get(&format!("/element/{}/text", e.0))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits until `css` shows `want`, for pages that change by themselves
    /// (a script updating or reloading them): a missing or replaced element
    /// is looked up again rather than failing the test.
    pub async fn wait_for_text(&self, css: &str, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(e) = self.try_find(css).await {
                let v = self.get(&format!("/element/{}/text", e.0)).await;
                if v.as_str() == Some(want) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{css} never showed {want:?} on {}",
                self.current_url().await
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn source(&self) -> String {
        self.get("/source")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs a script in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
            .await
    }

    /// Resizes the window (e.g. to a phone's viewport).
    pub async fn set_size(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await;
    }

    /// Saves a PNG of the viewport as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) {
        use base64::Engine as _;
        let b64 = self.get("/screenshot").await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("a PNG screenshot");
        std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn quit(self) {
        let _ = self.call(reqwest::Method::DELETE, "", None).await;
        // Drop stops chromedriver (the session is already gone).
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // After a failed assertion: close the session with a blocking
        // request so Chromium does not outlive the test, then the driver.
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let req = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            if s.write_all(req.as_bytes()).is_ok() {
                let mut buf = Vec::new();
                let _ = s.read_to_end(&mut buf);
            }
        }
        // `_driver` is dropped next, which stops chromedriver.
    }
}
