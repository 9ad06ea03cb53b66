//! The processes a deployment runs, as they report themselves to the
//! operator.

use crate::InvalidValue;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Which command a node runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// `switchboard serve`: answers HTTP, and runs background jobs unless
    /// started HTTP only.
    Serve,
    /// `switchboard worker`: background jobs only.
    Worker,
}

impl NodeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Serve => "serve",
            NodeKind::Worker => "worker",
        }
    }
}

impl FromStr for NodeKind {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "serve" => Ok(Self::Serve),
            "worker" => Ok(Self::Worker),
            _ => Err(InvalidValue::new(
                "kind",
                format!("unknown node kind `{s}`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_what_they_write() {
        for kind in [NodeKind::Serve, NodeKind::Worker] {
            assert_eq!(kind.as_str().parse::<NodeKind>(), Ok(kind));
        }
        assert!("serve-http-only".parse::<NodeKind>().is_err());
    }
}
