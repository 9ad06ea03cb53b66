//! What every handler can reach. Cheap to clone.

use crate::auth::throttle::LoginThrottle;
use crate::auth::tokens::JwtKeys;
use crate::config::Config;
use crate::crypto::SecretBox;
use domain::{Clock, Timestamp};
use metrics_exporter_prometheus::PrometheusHandle;
use std::ops::Deref;
use std::sync::Arc;
use store::Store;

#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub config: Config,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub secrets: SecretBox,
    pub jwt: JwtKeys,
    pub throttle: LoginThrottle,
    pub metrics: Option<PrometheusHandle>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: Arc<dyn Clock>, secrets: SecretBox) -> Self {
        let jwt = JwtKeys::new(&secrets.derive_key("jwt"));
        Self(Arc::new(Inner {
            config,
            store,
            clock,
            secrets,
            jwt,
            throttle: LoginThrottle::default(),
            metrics: crate::telemetry::prometheus(),
        }))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
