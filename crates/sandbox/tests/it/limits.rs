//! Per-number throughput (130429) and pair rate limit (131056).

use std::time::{Duration, Instant};

use sandbox::{NumberSpec, PairRateLimit};

use crate::common::*;

#[tokio::test]
async fn throughput_cap_answers_130429() {
    const CAP: u32 = 5;
    let env = Env::with(|c| c.numbers[0].rate_limit = Some(CAP)).await;
    env.open_window(CUSTOMER).await;
    let started = Instant::now();
    let (mut accepted, mut throttled) = (0u64, 0u64);
    for i in 0..40 {
        let resp = env.send(text(CUSTOMER, &format!("m{i}"))).await;
        if resp.0 == 200 {
            accepted += 1;
        } else {
            let e = assert_error(&resp, 400, 130429);
            assert_eq!(e["is_transient"], true);
            throttled += 1;
        }
    }
    // The bucket holds CAP tokens and refills CAP per second: the bound uses
    // the measured elapsed time instead of asserting on it.
    let refill = (started.elapsed().as_secs_f64() * f64::from(CAP)).ceil() as u64;
    assert!(throttled > 0, "no 130429 at all");
    assert!(
        accepted <= u64::from(CAP) + refill,
        "accepted {accepted} > cap {CAP} + refill {refill}"
    );
    let c = env.sb.counters().numbers[PNID].clone();
    assert_eq!(c.accepted, accepted);
    assert_eq!(c.rejected["130429"], throttled);
}

#[tokio::test]
async fn throttling_http_status_is_configurable() {
    let env = Env::with(|c| {
        c.numbers[0].rate_limit = Some(1);
        c.throttle_http_status = 429;
    })
    .await;
    env.open_window(CUSTOMER).await;
    let mut saw = false;
    for _ in 0..5 {
        let r = env.send(text(CUSTOMER, "x")).await;
        if r.0 != 200 {
            assert_error(&r, 429, 130429);
            saw = true;
        }
    }
    assert!(saw);
}

#[tokio::test]
async fn pair_rate_limit_answers_131056_per_customer() {
    let env = Env::with(|c| {
        c.pair_rate_limit = Some(PairRateLimit {
            burst: 3,
            refill_every: Duration::from_secs(3600),
        })
    })
    .await;
    env.open_window(CUSTOMER).await;
    env.open_window("14155550100").await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let r = env.send(text(CUSTOMER, "x")).await;
        codes.push(if r.0 == 200 {
            0
        } else {
            assert_error(&r, 400, 131056)["code"].as_i64().unwrap()
        });
    }
    assert_eq!(codes, [0, 0, 0, 131056, 131056]);
    assert_eq!(env.send(text("14155550100", "other customer")).await.0, 200);
}

#[tokio::test]
async fn phone_number_endpoint_reports_throughput_and_fields() {
    let env = Env::start().await;
    let (status, info) = env.get(PNID, Some(TOKEN)).await;
    assert_eq!(status, 200);
    assert_eq!(info["display_phone_number"], "+1 555-078-3881");
    assert_eq!(info["verified_name"], "Acme Support");
    assert_eq!(info["throughput"]["level"], "HIGH");
    assert_eq!(info["id"], PNID);
    assert_eq!(info["platform_type"], "CLOUD_API");
    let mut slow = NumberSpec::new("200000000000002", WABA, "tok-2");
    slow.rate_limit = Some(80);
    env.sb.add_number(slow).unwrap();
    let (_, info) = env
        .get(
            "200000000000002?fields=throughput,quality_rating",
            Some("tok-2"),
        )
        .await;
    assert_eq!(
        info,
        serde_json::json!({"throughput": {"level": "STANDARD"}, "quality_rating": "GREEN", "id": "200000000000002"})
    );
    let bad = env
        .get(&format!("{PNID}?fields=throughput,nonsense"), Some(TOKEN))
        .await;
    assert!(
        assert_error(&bad, 400, 100)["message"]
            .as_str()
            .unwrap()
            .contains("nonexisting field (nonsense)")
    );
    let (_, list) = env.get(&format!("{WABA}/phone_numbers"), Some(TOKEN)).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    let mut too_fast = NumberSpec::new("200000000000003", WABA, "t");
    too_fast.rate_limit = Some(1001);
    assert!(env.sb.add_number(too_fast).is_err());
}
