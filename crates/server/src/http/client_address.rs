//! Who is calling, by address: the socket's peer, or, when that peer is
//! one of the deployment's own proxies (`SWITCHBOARD_TRUSTED_PROXIES`, a
//! load balancer), the address those proxies name in `X-Forwarded-For`.
//! Sign-in throttling counts by it and the audit log records it, so behind
//! a load balancer every caller would otherwise share the balancer's
//! address. The header is believed only from trusted peers: anyone else
//! could write any address into it.

use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The caller's address, resolved once per request by [`remember`].
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub Option<IpAddr>);

/// Middleware: resolves the caller's address and keeps it in the request.
pub async fn remember(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let address = resolve(peer, req.headers(), &state.config.trusted_proxies);
    req.extensions_mut().insert(ClientAddress(address));
    next.run(req).await
}

/// The caller behind `peer`: `peer` itself unless it is trusted; then the
/// nearest address in `X-Forwarded-For` (read from the right, each proxy
/// appending the one it saw) that is not itself a trusted proxy. A value
/// that is not an address ends the walk at the proxy that passed it on.
pub fn resolve(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let mut caller = peer?;
    if !is_trusted(&caller) {
        return Some(caller);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => caller = ip,
            Ok(ip) => return Some(ip),
            Err(_) => break,
        }
    }
    Some(caller)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_header_counts_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let forged = headers(&["198.51.100.7"]);
        // An outsider's header is ignored.
        assert_eq!(
            resolve(ip("203.0.113.9"), &forged, &trusted),
            ip("203.0.113.9")
        );
        // Nothing trusted: the peer, whatever the header says.
        assert_eq!(resolve(ip("10.0.0.2"), &forged, &[]), ip("10.0.0.2"));
        // Through the balancer: the address it saw.
        assert_eq!(
            resolve(ip("10.0.0.2"), &forged, &trusted),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn the_walk_goes_from_the_right_past_trusted_hops_only() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // A client that wrote its own header: the rightmost untrusted hop
        // is the address the first proxy saw, not the forged one.
        let h = headers(&["1.1.1.1, 198.51.100.7", "10.0.0.5"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("198.51.100.7"));
        // Garbage stops the walk at the proxy that passed it on.
        let h = headers(&["198.51.100.7, not-an-address, 10.0.0.5"]);
        assert_eq!(resolve(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.5"));
        // No header: the proxy itself.
        assert_eq!(
            resolve(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        assert_eq!(resolve(None, &h, &trusted), None);
    }
}
