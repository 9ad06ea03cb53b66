//! Starting and stopping the server: connect, migrate, bootstrap, serve,
//! report the node to the operator, shut down gracefully.

use crate::auth::password;
use crate::config::Config;
use crate::crypto::{SecretBox, random_token};
use crate::operator::nodes;
use crate::state::AppState;
use anyhow::Context as _;
use domain::{Clock, NodeKind};
use std::net::SocketAddr;
use std::sync::Arc;
use store::Store;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Loads the master key: from configuration, or from the key file in the
/// data directory (created, mode 0600, on first start).
pub fn load_secrets(config: &Config) -> anyhow::Result<SecretBox> {
    match &config.master_key {
        Some(spec) => SecretBox::from_spec(spec.expose()).context("SWITCHBOARD_MASTER_KEY"),
        None => SecretBox::from_key_file(&config.master_key_file())
            .with_context(|| format!("master key file {}", config.master_key_file().display())),
    }
}

/// Opens the database, brings it up to date and builds the shared state.
pub async fn build_state(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    if config.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
    }
    let secrets = load_secrets(&config)?;
    let store = Store::connect(&config.database_url)
        .await
        .context("connecting to the database")?;
    store.migrate().await.context("running migrations")?;
    if store.bypasses_row_security().await? {
        tracing::warn!(
            "the database role bypasses row-level security (superuser or BYPASSRLS); \
             connect as an ordinary role so tenant isolation is enforced twice"
        );
    }
    if !store.durable_commits().await? {
        tracing::warn!(
            "the database does not make commits durable (fsync or synchronous_commit is off): \
             a power loss can lose webhooks already answered 200"
        );
    }
    let mut sys = store.system().await?;
    sys.ensure_default_plans(clock.now()).await?;
    sys.commit().await?;
    let state = AppState::new(config, store, clock, secrets)?;
    if let Err(e) = state.media.check().await {
        tracing::warn!(
            error = %format!("{e:#}"),
            "the media store does not answer: media can be neither fetched nor served until it does"
        );
    }
    Ok(state)
}

/// On an empty database, creates the platform operator and returns its
/// one-time password (stored only as a hash).
pub async fn bootstrap_operator(state: &AppState) -> anyhow::Result<Option<String>> {
    let mut sys = state.store.system().await?;
    if sys.count_operators().await? > 0 {
        return Ok(None);
    }
    let password = random_token::<18>();
    let hash = password::hash(&password)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    sys.insert_operator(&state.config.operator_email, &hash, state.now())
        .await?;
    sys.commit().await?;
    Ok(Some(password))
}

/// A server running in this process.
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, then returns.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.state.closing.send_replace(true);
        let _ = self.task.await;
    }
}

/// Serves `state` on `listener` until [`RunningServer::stop`].
pub fn start(listener: TcpListener, state: AppState) -> anyhow::Result<RunningServer> {
    let addr = listener.local_addr()?;
    let (tx, rx) = oneshot::channel::<()>();
    let app = crate::http::app(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    Ok(RunningServer {
        addr,
        state,
        shutdown: Some(tx),
        task,
    })
}

/// A future that resolves on Ctrl-C or SIGTERM. The SIGTERM handler is
/// installed when this is called, not when the future is first polled:
/// call it before the server can be seen (ready, listening), so a signal
/// sent the moment it answers is a graceful shutdown, never the default
/// kill.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match term {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => {},
            () = term => {},
        }
    }
}

/// `switchboard serve`: runs until a shutdown signal.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    let listen = config.listen;
    let shutdown = shutdown_signal();
    let state = build_state(config, Arc::new(domain::SystemClock)).await?;
    if let Some(password) = bootstrap_operator(&state).await? {
        // Printed once, to the console only (not the log), by design.
        println!();
        println!("  Platform operator created. This password is shown only once:");
        println!("    email:    {}", state.config.operator_email);
        println!("    password: {password}");
        println!("  Sign in with POST /api/v1/operator/login.");
        println!();
    }
    let listener = TcpListener::bind(listen)
        .await
        .with_context(|| format!("binding {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, engine = ?state.store.engine(), "switchboard listening");
    let server = start(listener, state.clone())?;
    // With `http_only`, `switchboard worker` nodes do the background work.
    let background = Background::start(&state, NodeKind::Serve, !state.config.http_only).await;
    shutdown.await;
    tracing::info!("shutting down: finishing requests and jobs in flight");
    server.stop().await;
    background.stop().await;
    state.store.close().await;
    Ok(())
}

/// What a node runs beside its HTTP server: its workers (when it runs
/// jobs) and the heartbeat that lists it for the operator.
struct Background {
    stop_workers: tokio::sync::watch::Sender<bool>,
    workers: Vec<JoinHandle<()>>,
    stop_heartbeat: tokio::sync::watch::Sender<bool>,
    heartbeat: JoinHandle<()>,
}

impl Background {
    async fn start(state: &AppState, kind: NodeKind, runs_jobs: bool) -> Background {
        let (stop_workers, workers_stopped) = tokio::sync::watch::channel(false);
        let workers = if runs_jobs {
            spawn_workers(state, workers_stopped).await
        } else {
            Vec::new()
        };
        let (stop_heartbeat, heartbeat_stopped) = tokio::sync::watch::channel(false);
        let heartbeat = nodes::spawn_heartbeat(state.clone(), kind, runs_jobs, heartbeat_stopped);
        Background {
            stop_workers,
            workers,
            stop_heartbeat,
            heartbeat,
        }
    }

    /// Lets the jobs in flight finish, then stops the heartbeat: the node
    /// stays listed until its work is done.
    async fn stop(self) {
        let _ = self.stop_workers.send(true);
        for w in self.workers {
            let _ = w.await;
        }
        let _ = self.stop_heartbeat.send(true);
        let _ = self.heartbeat.await;
    }
}

/// Starts this node's background workers and makes sure the periodic
/// housekeeping sweep is scheduled (once per deployment, whichever node
/// starts first).
pub async fn spawn_workers(
    state: &AppState,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    if let Err(e) = crate::housekeeping::schedule(state).await {
        tracing::warn!(error = %e, "could not schedule the housekeeping sweep; the next start will");
    }
    crate::jobs::Worker::spawn(state.clone(), stop)
}

/// `switchboard worker`: runs the background workers only (several nodes
/// can share one PostgreSQL).
pub async fn work(config: Config) -> anyhow::Result<()> {
    let shutdown = shutdown_signal();
    let state = build_state(config, Arc::new(domain::SystemClock)).await?;
    let background = Background::start(&state, NodeKind::Worker, true).await;
    tracing::info!(engine = ?state.store.engine(), "switchboard worker running");
    shutdown.await;
    background.stop().await;
    state.store.close().await;
    Ok(())
}
