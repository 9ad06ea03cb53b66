//! No server-side request forgery (docs/WEBHOOKS.md, "Safety"): an
//! endpoint URL is checked when it is saved ([`check_url`]), and every
//! connection checks the addresses its name resolves to again
//! ([`GuardedResolver`]), so a name that changes its answer after the
//! check (DNS rebinding) cannot reach an internal address either.

use crate::config::WebhooksConfig;
use crate::error::{AppError, AppResult};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;

fn forbidden(why: impl Into<String>) -> AppError {
    AppError::Rule("webhook_url_forbidden", why.into())
}

/// Whether `ip` is an address a webhook may never reach (unless the
/// deployment allows private targets): loopback, private, shared
/// (100.64/10), link-local (with the cloud metadata address), unique-local,
/// multicast, broadcast, unspecified, documentation, and IPv4-mapped or
/// -compatible forms of these.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96).
            if (s[..6] == [0, 0, 0, 0, 0, 0] && !v6.is_unspecified() && !v6.is_loopback())
                || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
            {
                let v4 =
                    Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
                return forbidden_v4(v4);
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (s[0] & 0xfe00) == 0xfc00 // unique-local fc00::/7
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, with 169.254.169.254
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_unspecified()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

/// Checks an endpoint URL when it is saved and returns it normalised:
/// `https` (or `http` where allowed), no user name or password, at most
/// [`MAX_URL_LEN`] characters, and a host that resolves only to addresses
/// a webhook may reach. Refusals are `422 webhook_url_forbidden`; a URL
/// that does not parse is `422 validation_failed`.
pub async fn check_url(config: &WebhooksConfig, raw: &str) -> AppResult<url::Url> {
    let raw = raw.trim();
    if raw.len() > MAX_URL_LEN {
        return Err(AppError::validation(
            "url",
            format!("at most {MAX_URL_LEN} characters"),
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| AppError::validation("url", e.to_string()))?;
    match url.scheme() {
        "https" => {}
        "http" if config.allow_http => {}
        "http" => return Err(forbidden("the URL must use https")),
        other => return Err(forbidden(format!("`{other}` URLs cannot receive webhooks"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(forbidden("the URL may not carry a user name or password"));
    }
    let Some(host) = url.host() else {
        return Err(AppError::validation("url", "the URL needs a host"));
    };
    if config.allow_private {
        return Ok(url);
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| forbidden(format!("`{name}` does not resolve")))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(forbidden("the host does not resolve"));
    }
    if let Some(bad) = addrs.into_iter().find(|ip| is_forbidden(*ip)) {
        return Err(forbidden(format!(
            "the host resolves to {bad}, an address webhooks may not reach"
        )));
    }
    Ok(url)
}

/// Whether a URL about to be requested names an address literally that
/// webhooks may not reach (names are checked by [`GuardedResolver`]).
pub fn literal_is_forbidden(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => is_forbidden(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_forbidden(IpAddr::V6(ip)),
        _ => false,
    }
}

/// Resolves names for the webhook client, refusing any name with an
/// address webhooks may not reach (checked as the connection is made, not
/// only when the URL was saved).
#[derive(Debug, Clone, Copy, Default)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if let Some(bad) = addrs.iter().find(|a| is_forbidden(a.ip())) {
                return Err(format!(
                    "{host} resolves to {}, which webhooks may not reach",
                    bad.ip()
                )
                .into());
            }
            if addrs.is_empty() {
                return Err(format!("{host} does not resolve").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_forbidden() {
        for bad in [
            "127.0.0.1",
            "127.5.5.5",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "169.254.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.1.2.3",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_forbidden(ip(bad)), "{bad} should be forbidden");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(!is_forbidden(ip(good)), "{good} should be allowed");
        }
    }

    fn strict() -> WebhooksConfig {
        WebhooksConfig::default()
    }

    #[tokio::test]
    async fn urls_are_checked_when_saved() {
        let code = |r: AppResult<url::Url>| r.map(|_| "ok").unwrap_or_else(|e| e.code());
        let c = strict();
        assert_eq!(
            code(check_url(&c, "http://93.184.216.34/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "https://127.0.0.1/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "https://[::1]/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "https://169.254.169.254/latest").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "https://localhost/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "https://u:p@93.184.216.34/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(
            code(check_url(&c, "ftp://93.184.216.34/x").await),
            "webhook_url_forbidden"
        );
        assert_eq!(code(check_url(&c, "not a url").await), "validation_failed");
        let long = format!("https://93.184.216.34/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(code(check_url(&c, &long).await), "validation_failed");
        assert_eq!(code(check_url(&c, "https://93.184.216.34/x").await), "ok");
        let open = WebhooksConfig {
            allow_http: true,
            allow_private: true,
            ..strict()
        };
        assert_eq!(code(check_url(&open, "http://127.0.0.1:9/x").await), "ok");
    }

    #[tokio::test]
    async fn the_resolver_refuses_internal_answers() {
        let name: Name = "localhost".parse().unwrap();
        assert!(GuardedResolver.resolve(name).await.is_err());
    }
}
