//! Configuration: defaults, then an optional TOML file, then `SWITCHBOARD_*`
//! environment variables (each later source wins).

use serde::Deserialize;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod email;
mod media;
mod sections;
pub use email::EmailConfig;
pub use media::{MediaStoreConfig, S3Config};
pub use sections::{Retention, WebhooksConfig};

/// A configuration value that must never be printed.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// By default a send in flight when the process died is resent only after
/// this long without any word from Meta about it (docs/SENDING.md;
/// `SWITCHBOARD_RECONCILE_SECONDS`).
pub const RECONCILE_SECONDS: i64 = 120;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (default, under `data_dir`) or `postgres://…`.
    pub database_url: String,
    /// Where the embedded database, the master key file and media live.
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The URL people and Meta reach this deployment at.
    pub public_url: String,
    /// With `acme.example` set, `shop.acme.example` resolves tenant `shop`.
    pub base_domain: Option<String>,
    pub graph_base_url: String,
    /// How long one call to Meta may take, in milliseconds.
    pub graph_timeout_ms: u64,
    /// `SWITCHBOARD_MASTER_KEY`; when absent a key file in `data_dir` is used.
    pub master_key: Option<Secret>,
    /// App secret of the platform's own Meta app (platform-wide webhook).
    pub meta_app_secret: Option<Secret>,
    /// The verify token typed into the platform Meta app's webhook settings.
    pub meta_verify_token: Option<Secret>,
    /// Largest request body accepted by the API, in bytes.
    pub body_limit: usize,
    /// Jobs each worker loop (one per queue) runs at once on this node.
    pub worker_concurrency: i64,
    /// How long a job claimed by a node stays its own without a renewal;
    /// running jobs renew it every third of this, so it only decides how
    /// soon the jobs of a node that died run elsewhere.
    pub job_lease_seconds: i64,
    /// How long after an interrupted send (crash, timeout, 5xx) with no
    /// word from Meta it is sent again (see docs/SENDING.md).
    pub reconcile_seconds: i64,
    /// The first operator's login, created on first start.
    pub operator_email: String,
    /// How often an open event stream checks that its credential still
    /// holds, in milliseconds (`SWITCHBOARD_STREAM_RECHECK_MS`).
    pub stream_recheck_ms: i64,
    /// When set, `/metrics` answers only requests carrying
    /// `Authorization: Bearer <token>` (`SWITCHBOARD_METRICS_TOKEN`).
    pub metrics_token: Option<Secret>,
    /// How long finished work is kept before the hourly sweep removes it.
    pub retention: Retention,
    /// Outbound webhooks (docs/WEBHOOKS.md).
    pub webhooks: WebhooksConfig,
    /// Where Genesys Cloud is: `None` for each workspace's region
    /// (`https://login.<region>`, `https://api.<region>`); a URL sends
    /// every call there instead (the Genesys sandbox, in tests and the demo).
    pub genesys_base_url: Option<String>,
    /// How often the bridge asks Genesys whether a conversation with it
    /// ended, in seconds.
    pub genesys_check_seconds: i64,
    /// Where media bytes are kept (`SWITCHBOARD_MEDIA_STORE`).
    pub media_store: MediaStoreConfig,
    /// `serve` answers HTTP only and runs no background work
    /// (`SWITCHBOARD_HTTP_ONLY`): for deployments whose background work
    /// runs on `switchboard worker` nodes (docs/DEPLOYMENT.md).
    pub http_only: bool,
    /// The deployment's own proxies (`SWITCHBOARD_TRUSTED_PROXIES`): from
    /// these peers `X-Forwarded-For` names the caller.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Outgoing email (`SWITCHBOARD_SMTP_URL`, `SWITCHBOARD_EMAIL_FROM`).
    pub email: EmailConfig,
}

impl Default for Config {
    fn default() -> Self {
        let data_dir = PathBuf::from("switchboard-data");
        let listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 8080));
        Self {
            database_url: sqlite_url(&data_dir),
            data_dir,
            listen,
            public_url: format!("http://{listen}"),
            base_domain: None,
            graph_base_url: "https://graph.facebook.com".into(),
            graph_timeout_ms: 15_000,
            master_key: None,
            meta_app_secret: None,
            meta_verify_token: None,
            body_limit: 1024 * 1024,
            worker_concurrency: 64,
            job_lease_seconds: 30,
            reconcile_seconds: RECONCILE_SECONDS,
            operator_email: "operator@switchboard.local".into(),
            stream_recheck_ms: 5_000,
            metrics_token: None,
            retention: Retention::default(),
            webhooks: WebhooksConfig::default(),
            genesys_base_url: None,
            genesys_check_seconds: 60,
            media_store: MediaStoreConfig::Local,
            http_only: false,
            trusted_proxies: Vec::new(),
            email: EmailConfig::default(),
        }
    }
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("switchboard.db").display())
}

/// The TOML file: every key optional, same names as the fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    data_dir: Option<PathBuf>,
    listen: Option<SocketAddr>,
    public_url: Option<String>,
    base_domain: Option<String>,
    graph_base_url: Option<String>,
    graph_timeout_ms: Option<u64>,
    master_key: Option<Secret>,
    meta_app_secret: Option<Secret>,
    meta_verify_token: Option<Secret>,
    body_limit: Option<usize>,
    worker_concurrency: Option<i64>,
    job_lease_seconds: Option<i64>,
    reconcile_seconds: Option<i64>,
    operator_email: Option<String>,
    stream_recheck_ms: Option<i64>,
    metrics_token: Option<Secret>,
    retain_jobs_days: Option<i64>,
    retain_webhooks_days: Option<i64>,
    retain_events_days: Option<i64>,
    retain_idempotency_keys_days: Option<i64>,
    retain_sessions_days: Option<i64>,
    retain_webhook_deliveries_days: Option<i64>,
    sweep_batch: Option<i64>,
    webhooks_allow_http: Option<bool>,
    webhooks_allow_private: Option<bool>,
    webhooks_retry_hours: Option<i64>,
    webhooks_disable_after_hours: Option<i64>,
    webhooks_concurrency: Option<i64>,
    webhooks_timeout_ms: Option<i64>,
    genesys_base_url: Option<String>,
    genesys_check_seconds: Option<i64>,
    media_store: Option<String>,
    s3_bucket: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<Secret>,
    s3_prefix: Option<String>,
    http_only: Option<bool>,
    trusted_proxies: Option<String>,
    smtp_url: Option<String>,
    email_from: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("reading {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("parsing {0}: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("{0}: {1}")]
    Invalid(&'static str, String),
}

/// A whole-number setting within `range`: the environment's value, else
/// the file's, else `default`. A value out of range is an error, not
/// silently clamped.
fn bounded(
    name: &'static str,
    env: Option<String>,
    file: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
    default: i64,
) -> Result<i64, ConfigError> {
    let invalid = |v: String| ConfigError::Invalid(name, v);
    let value = match (env, file) {
        (Some(v), _) => v.parse().map_err(|_| invalid(v.clone()))?,
        (None, Some(v)) => v,
        (None, None) => return Ok(default),
    };
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(invalid(format!(
            "{value} (must be {}..={})",
            range.start(),
            range.end()
        )))
    }
}

/// A yes/no setting: `1`/`true`/`yes` or `0`/`false`/`no` from the
/// environment, else the file's, else off.
fn flag(name: &'static str, env: Option<String>, file: Option<bool>) -> Result<bool, ConfigError> {
    match env.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(_) => Err(ConfigError::Invalid(name, env.unwrap_or_default())),
        None => Ok(file.unwrap_or(false)),
    }
}

/// `10.0.0.0/8, 192.0.2.7`: networks, or single addresses.
fn trusted_proxies(list: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| ConfigError::Invalid("SWITCHBOARD_TRUSTED_PROXIES", s.to_owned()))
        })
        .collect()
}

impl Config {
    /// Loads from `file` (if given) and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let file_cfg = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::Read(path.to_owned(), e))?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_owned(), e))?
            }
            None => FileConfig::default(),
        };
        Self::from_sources(file_cfg, |k| std::env::var(k).ok())
    }

    fn from_sources(
        f: FileConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut c = Config::default();
        let env = |k: &str| env(&format!("SWITCHBOARD_{k}")).filter(|v| !v.is_empty());
        c.retention.read(&f, &env)?;
        c.webhooks.read(&f, &env)?;
        c.media_store = MediaStoreConfig::read(&f, &env)?;
        c.email = EmailConfig::read(&f, &env)?;
        c.http_only = flag("SWITCHBOARD_HTTP_ONLY", env("HTTP_ONLY"), f.http_only)?;
        if let Some(list) = env("TRUSTED_PROXIES").or(f.trusted_proxies) {
            c.trusted_proxies = trusted_proxies(&list)?;
        }

        if let Some(v) = env("DATA_DIR").map(PathBuf::from).or(f.data_dir) {
            c.data_dir = v;
        }
        c.database_url = env("DATABASE_URL")
            .or(f.database_url)
            .unwrap_or_else(|| sqlite_url(&c.data_dir));
        if let Some(v) = env("LISTEN") {
            c.listen = v
                .parse()
                .map_err(|_| ConfigError::Invalid("SWITCHBOARD_LISTEN", v.clone()))?;
        } else if let Some(v) = f.listen {
            c.listen = v;
        }
        c.public_url = env("PUBLIC_URL")
            .or(f.public_url)
            .unwrap_or_else(|| format!("http://{}", c.listen));
        c.public_url = c.public_url.trim_end_matches('/').to_owned();
        c.base_domain = env("BASE_DOMAIN").or(f.base_domain);
        if let Some(v) = env("GRAPH_BASE_URL").or(f.graph_base_url) {
            c.graph_base_url = v;
        }
        if let Some(v) = env("GRAPH_TIMEOUT_MS") {
            c.graph_timeout_ms = v
                .parse()
                .map_err(|_| ConfigError::Invalid("SWITCHBOARD_GRAPH_TIMEOUT_MS", v.clone()))?;
        } else if let Some(v) = f.graph_timeout_ms {
            c.graph_timeout_ms = v;
        }
        c.master_key = env("MASTER_KEY").map(Secret).or(f.master_key);
        c.meta_app_secret = env("META_APP_SECRET").map(Secret).or(f.meta_app_secret);
        c.meta_verify_token = env("META_VERIFY_TOKEN").map(Secret).or(f.meta_verify_token);
        if let Some(v) = env("BODY_LIMIT") {
            c.body_limit = v
                .parse()
                .map_err(|_| ConfigError::Invalid("SWITCHBOARD_BODY_LIMIT", v.clone()))?;
        } else if let Some(v) = f.body_limit {
            c.body_limit = v;
        }
        c.worker_concurrency = bounded(
            "SWITCHBOARD_WORKER_CONCURRENCY",
            env("WORKER_CONCURRENCY"),
            f.worker_concurrency,
            1..=1024,
            c.worker_concurrency,
        )?;
        c.job_lease_seconds = bounded(
            "SWITCHBOARD_JOB_LEASE_SECONDS",
            env("JOB_LEASE_SECONDS"),
            f.job_lease_seconds,
            1..=3600,
            c.job_lease_seconds,
        )?;
        c.reconcile_seconds = bounded(
            "SWITCHBOARD_RECONCILE_SECONDS",
            env("RECONCILE_SECONDS"),
            f.reconcile_seconds,
            0..=86_400,
            c.reconcile_seconds,
        )?;
        if let Some(v) = env("OPERATOR_EMAIL").or(f.operator_email) {
            c.operator_email = v;
        }
        c.stream_recheck_ms = bounded(
            "SWITCHBOARD_STREAM_RECHECK_MS",
            env("STREAM_RECHECK_MS"),
            f.stream_recheck_ms,
            10..=600_000,
            c.stream_recheck_ms,
        )?;
        c.metrics_token = env("METRICS_TOKEN").map(Secret).or(f.metrics_token);
        c.genesys_base_url = env("GENESYS_BASE_URL")
            .or(f.genesys_base_url)
            .map(|u| u.trim_end_matches('/').to_owned());
        c.genesys_check_seconds = bounded(
            "SWITCHBOARD_GENESYS_CHECK_SECONDS",
            env("GENESYS_CHECK_SECONDS"),
            f.genesys_check_seconds,
            5..=86_400,
            c.genesys_check_seconds,
        )?;
        Ok(c)
    }

    /// Whether cookies must carry `Secure` (the deployment is served over https).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn master_key_file(&self) -> PathBuf {
        self.data_dir.join("master.key")
    }

    /// The local media store's directory (`MediaStoreConfig::Local`).
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_wins_over_file_and_defaults() {
        let file = FileConfig {
            listen: Some("0.0.0.0:9000".parse().unwrap()),
            public_url: Some("https://file.example/".into()),
            ..FileConfig::default()
        };
        let c = Config::from_sources(file, |k| {
            (k == "SWITCHBOARD_PUBLIC_URL").then(|| "https://env.example".to_owned())
        })
        .unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.public_url, "https://env.example");
        assert!(c.secure_cookies());
        assert!(c.database_url.starts_with("sqlite://"));
    }

    #[test]
    fn whole_number_settings_are_checked_against_their_range() {
        let from = |k: &'static str, v: &'static str| {
            Config::from_sources(FileConfig::default(), move |key| {
                (key == k).then(|| v.to_owned())
            })
        };
        let c = from("SWITCHBOARD_RECONCILE_SECONDS", "5").unwrap();
        assert_eq!(c.reconcile_seconds, 5);
        assert_eq!(
            c.worker_concurrency, 64,
            "untouched settings keep their default"
        );
        for (k, v) in [
            ("SWITCHBOARD_WORKER_CONCURRENCY", "0"),
            ("SWITCHBOARD_JOB_LEASE_SECONDS", "many"),
            ("SWITCHBOARD_RECONCILE_SECONDS", "-1"),
        ] {
            let e = from(k, v).unwrap_err().to_string();
            assert!(e.starts_with(k), "{e}");
        }
        let file = FileConfig {
            worker_concurrency: Some(5000),
            ..FileConfig::default()
        };
        assert!(Config::from_sources(file, |_| None).is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        let c = Config {
            master_key: Some(Secret::new("very-secret")),
            ..Config::default()
        };
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
