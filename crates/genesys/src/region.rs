//! Genesys Cloud regions: the table of region names and host suffixes, and
//! [`host_of`], which turns what a tenant typed (a region name or a host
//! suffix) into the suffix of `login.{host}` and `api.{host}`.
//!
//! New regions appear over time, so any plausible host suffix is accepted,
//! not only the ones in [`REGIONS`].

/// `(region name, host suffix)`, from the reference's region table.
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "mypurecloud.com"),
    ("us-east-2", "use2.us-gov-pure.cloud"),
    ("us-west-2", "usw2.pure.cloud"),
    ("ca-central-1", "cac1.pure.cloud"),
    ("sa-east-1", "sae1.pure.cloud"),
    ("eu-west-1", "mypurecloud.ie"),
    ("eu-west-2", "euw2.pure.cloud"),
    ("eu-central-1", "mypurecloud.de"),
    ("eu-central-2", "euc2.pure.cloud"),
    ("me-central-1", "mec1.pure.cloud"),
    ("ap-south-1", "aps1.pure.cloud"),
    ("ap-northeast-1", "mypurecloud.jp"),
    ("ap-northeast-2", "apne2.pure.cloud"),
    ("ap-northeast-3", "apne3.pure.cloud"),
    ("ap-southeast-2", "mypurecloud.com.au"),
    ("ap-southeast-1", "apse1.pure.cloud"),
    ("mx-central-1", "mxc1.pure.cloud"),
];

/// The host suffix of a region as typed: a region name (`"eu-west-1"` ->
/// `"mypurecloud.ie"`) or a host suffix (`"usw2.pure.cloud"`, kept as is).
/// Input is trimmed and lower-cased. `Err` holds a message for a human.
pub fn host_of(region: &str) -> Result<String, String> {
    let region = region.trim().to_ascii_lowercase();
    if region.is_empty() {
        return Err("the Genesys region is empty".to_owned());
    }
    if region
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        return Err(format!(
            "the Genesys region {region:?} must be a region name such as \"eu-west-1\" or a host \
             such as \"mypurecloud.ie\", without scheme, port or path"
        ));
    }
    if let Some((_, host)) = REGIONS.iter().find(|(name, _)| *name == region) {
        return Ok((*host).to_owned());
    }
    if plausible_host(&region) {
        return Ok(region);
    }
    Err(format!(
        "{region:?} is neither a known Genesys region (such as \"eu-west-1\") nor a host \
         (such as \"mypurecloud.ie\")"
    ))
}

/// Dot-separated labels of `[a-z0-9-]`, at least two, none empty, none
/// starting or ending with `-`.
fn plausible_host(s: &str) -> bool {
    s.contains('.')
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hosts_and_garbage() {
        assert_eq!(host_of(" EU-West-1 ").as_deref(), Ok("mypurecloud.ie"));
        assert_eq!(host_of("usw2.pure.cloud").as_deref(), Ok("usw2.pure.cloud"));
        assert!(host_of("eu-west-9").is_err());
        assert!(host_of("mypurecloud..ie").is_err());
        assert!(host_of("-a.b").is_err());
    }
}
