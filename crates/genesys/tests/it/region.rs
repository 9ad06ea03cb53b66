//! Region names and host suffixes as a tenant may type them.

use genesys::region::{REGIONS, host_of};

#[test]
fn every_region_name_maps_to_its_host() {
    assert_eq!(REGIONS.len(), 17);
    for (name, host) in REGIONS {
        assert_eq!(host_of(name).as_deref(), Ok(*host), "{name}");
        assert_eq!(host_of(host).as_deref(), Ok(*host), "{host}");
    }
    assert_eq!(host_of("eu-west-1").as_deref(), Ok("mypurecloud.ie"));
    assert_eq!(host_of("us-east-1").as_deref(), Ok("mypurecloud.com"));
    assert_eq!(
        host_of("ap-southeast-2").as_deref(),
        Ok("mypurecloud.com.au")
    );
    assert_eq!(host_of("mx-central-1").as_deref(), Ok("mxc1.pure.cloud"));
}

#[test]
fn input_is_trimmed_and_lower_cased() {
    assert_eq!(host_of("  EU-Central-1\n").as_deref(), Ok("mypurecloud.de"));
    assert_eq!(host_of("MyPureCloud.IE").as_deref(), Ok("mypurecloud.ie"));
    // Unknown but plausible hosts are accepted (new regions appear).
    assert_eq!(
        host_of("edee1.eusc-pure.cloud").as_deref(),
        Ok("edee1.eusc-pure.cloud")
    );
}

#[test]
fn bad_inputs_are_refused_with_a_message() {
    for bad in [
        "",
        "   ",
        "https://mypurecloud.ie",
        "mypurecloud.ie:443",
        "mypurecloud.ie/api",
        "mypure cloud.ie",
        "eu-west-9",
        "localhost",
        "mypurecloud..ie",
        ".mypurecloud.ie",
        "mypurecloud.ie.",
        "bad_host.com",
        "émoji.ie",
    ] {
        let err = host_of(bad).expect_err(bad);
        assert!(!err.is_empty());
    }
}
