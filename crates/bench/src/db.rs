//! A fresh database per scenario: an SQLite file in its own directory, or a
//! new PostgreSQL database owned by an ordinary role (no superuser, no
//! BYPASSRLS), as production runs.

use anyhow::Context as _;
use server::crypto::SecretBox;
use sqlx::Connection as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Which engine a run measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineChoice {
    Sqlite,
    /// A superuser URL; each scenario gets its own database on it.
    Postgres {
        admin_url: String,
    },
}

impl EngineChoice {
    pub fn name(&self) -> &'static str {
        match self {
            EngineChoice::Sqlite => "sqlite",
            EngineChoice::Postgres { .. } => "postgres",
        }
    }
}

/// The database and data directory one scenario runs on.
pub struct BenchDb {
    pub engine: EngineChoice,
    pub dir: PathBuf,
    pub database_url: String,
    pub master_key: String,
    pg_name: Option<String>,
}

const APP_ROLE: &str = "switchboard_bench";
pub const APP_SECRET: &str = "bench-app-secret";

impl BenchDb {
    /// A fresh database for `scenario`, with its directory under `base`.
    pub async fn fresh(engine: &EngineChoice, base: &Path, scenario: &str) -> anyhow::Result<Self> {
        let dir = base.join(format!("{scenario}-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let (database_url, pg_name) = match engine {
            EngineChoice::Sqlite => (
                format!("sqlite://{}", dir.join("switchboard.db").display()),
                None,
            ),
            EngineChoice::Postgres { admin_url } => {
                // An unquoted identifier: letters, digits and `_` only.
                let plain: String = scenario
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                let name = format!("sb_bench_{plain}_{}", uuid::Uuid::new_v4().simple());
                (create_pg_database(admin_url, &name).await?, Some(name))
            }
        };
        Ok(Self {
            engine: engine.clone(),
            dir,
            database_url,
            master_key: SecretBox::new_key_spec("bench"),
            pg_name,
        })
    }

    /// The configuration the server child gets (through its environment),
    /// for building the same state in this process to seed data.
    pub fn config(&self, graph_base_url: &str) -> server::Config {
        server::Config {
            database_url: self.database_url.clone(),
            data_dir: self.dir.clone(),
            master_key: Some(server::config::Secret::new(self.master_key.clone())),
            meta_app_secret: Some(server::config::Secret::new(APP_SECRET)),
            graph_base_url: graph_base_url.to_owned(),
            ..server::Config::default()
        }
    }

    /// Opens (and migrates) the database as the server would.
    pub async fn state(&self, graph_base_url: &str) -> anyhow::Result<server::AppState> {
        server::build_state(self.config(graph_base_url), Arc::new(domain::SystemClock)).await
    }

    /// Removes the directory and the PostgreSQL database.
    pub async fn remove(self) {
        if let (EngineChoice::Postgres { admin_url }, Some(name)) = (&self.engine, &self.pg_name)
            && let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await
        {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut conn)
            .await;
            let _ = conn.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn create_pg_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .context("connecting to --database-url (a superuser URL)")?;
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DO $$ BEGIN \
           CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' \
             NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; \
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )))
    .execute(&mut conn)
    .await;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} OWNER {APP_ROLE}"
    )))
    .execute(&mut conn)
    .await
    .context("creating the benchmark database")?;
    let _ = conn.close().await;
    let mut url = reqwest::Url::parse(admin_url).context("--database-url is not a URL")?;
    let _ = url.set_username(APP_ROLE);
    let _ = url.set_password(Some(APP_ROLE));
    url.set_path(&format!("/{name}"));
    Ok(url.to_string())
}
