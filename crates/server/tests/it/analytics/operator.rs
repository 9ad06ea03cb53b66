//! The operator's view: every workspace by volume, and one workspace's
//! reports, each look in that workspace's audit log; the console's pages
//! show the same; a workspace's own credentials reach none of it.

use super::{customer_writes, instant, next_monday, set_clocks};
use crate::dashboard::client::Browser;
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352244091";
const WABA: &str = "102290129344091";

#[tokio::test]
async fn the_operator_sees_every_workspace_by_volume_and_its_looks_are_audited() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let busy = wa.create_tenant("an-op-busy").await;
        let quiet = wa.create_tenant("an-op-quiet").await;
        wa.connect_number(&busy, PNID, WABA).await;
        let d = next_monday(&wa);
        set_clocks(&wa, instant(d, 9, 0));
        for (i, customer) in ["15550449001", "15550449002", "15550449003"]
            .iter()
            .enumerate()
        {
            set_clocks(&wa, instant(d, 9, 10 * (i as i64 + 1)));
            customer_writes(&wa, &busy, PNID, customer, "Hello").await;
        }
        let day = crate::booking::date(d);
        let span = format!("?from={day}&to={day}");

        let op = wa.operator_token().await;
        let r = wa
            .get(
                &format!("/api/v1/operator/analytics/tenants{span}"),
                Auth::Bearer(&op),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let rows = r.body["tenants"].as_array().unwrap();
        let of = |slug: &str| {
            rows.iter()
                .find(|t| t["slug"] == json!(slug))
                .unwrap()
                .clone()
        };
        let (b, q) = (of(&busy.slug), of(&quiet.slug));
        assert_eq!(
            (b["messages_in"].clone(), b["messages_out"].clone()),
            (json!(3), json!(0))
        );
        assert_eq!(q["messages_in"], json!(0));
        assert_eq!(b["growth_percent"], json!(null), "nothing the span before");
        let busy_first = rows.iter().position(|t| t["slug"] == json!(busy.slug));
        let quiet_at = rows.iter().position(|t| t["slug"] == json!(quiet.slug));
        assert!(busy_first < quiet_at, "busiest first: {rows:?}");

        // One workspace's report, read by the operator, and the look is in
        // the workspace's own audit log.
        let path = format!(
            "/api/v1/operator/tenants/{}/analytics/messages{span}",
            busy.id
        );
        let r = wa.get(&path, Auth::Bearer(&op)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["totals"]["messages_in"], json!(3));
        let audit = wa
            .get("/api/v1/audit-log", Auth::ApiKey(&busy.api_key))
            .await;
        let look = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == json!("operator.view_analytics"))
            .unwrap_or_else(|| panic!("no audited look: {}", audit.body))
            .clone();
        assert_eq!(look["details"]["report"], json!("messages"), "{look}");
        let unknown = format!(
            "/api/v1/operator/tenants/{}/analytics/bookings",
            uuid::Uuid::now_v7()
        );
        assert_eq!(wa.get(&unknown, Auth::Bearer(&op)).await.status, 404);
        let bad = format!("/api/v1/operator/analytics/tenants?from={day}&to=2000-01-01");
        assert_eq!(wa.get(&bad, Auth::Bearer(&op)).await.status, 422);

        // A workspace's own credentials reach none of it.
        let r = wa
            .get(
                "/api/v1/operator/analytics/tenants",
                Auth::ApiKey(&busy.api_key),
            )
            .await;
        assert!(matches!(r.status, 401 | 403), "{}: {}", r.status, r.body);

        // The console shows the same.
        let mut console = Browser::sign_in_operator(&wa).await;
        let page = console.get(&format!("/app/operator/analytics{span}")).await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(
            page.html.contains(&format!("data-slug=\"{}\"", busy.slug)),
            "{}",
            page.html
        );
        assert!(
            page.html.contains("<td class=\"in\">3</td>"),
            "{}",
            page.html
        );
        let page = console
            .get(&format!(
                "/app/operator/tenants/{}/analytics{span}",
                busy.id
            ))
            .await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("<svg"), "a chart");
        assert!(
            page.html.contains("<span class=\"big\">3</span>"),
            "{}",
            page.html
        );
        let page = console.get("/app/operator/analytics?from=nope").await;
        assert_eq!(page.status, 422, "{}", page.html);
    })
    .await;
}
