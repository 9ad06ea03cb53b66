//! Plans and usage in the dashboard over plain HTTP, on both engines: the
//! operator's plan form refusing bad input in place, the tenant's usage
//! page with this period's counters and earlier ones, and the banner when
//! the month's messages near the plan's.

use super::client::{Browser, Page};
use crate::sending::{PNID, WABA, add_template, template};
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

/// The text of the cell `data-metric="<metric>"` in the table `#<table>`.
fn counter(html: &str, table: &str, metric: &str) -> String {
    let start = html
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no #{table}:\n{html}"));
    let t = &html[start..];
    let t = &t[..t.find("</table>").unwrap()];
    let marker = format!("data-metric=\"{metric}\">");
    let at = t
        .find(&marker)
        .unwrap_or_else(|| panic!("no {metric} in #{table}:\n{t}"))
        + marker.len();
    t[at..at + t[at..].find("</td>").unwrap()].to_owned()
}

/// The usage banner's role and text, if the page has one.
fn banner(html: &str) -> Option<(String, String)> {
    let at = html.find("id=\"usage-banner\"")?;
    let tag = &html[at..at + html[at..].find('>').unwrap()];
    let role = tag.split("role=\"").nth(1)?.split('"').next()?.to_owned();
    let body = &html[at + tag.len() + 1..];
    let text = body[..body.find(" <a ").unwrap()].to_owned();
    Some((role, text))
}

/// The operator API's plans.
async fn plan_codes(app: &TestApp) -> Vec<String> {
    let op = app.operator_token().await;
    let r = app.get("/api/v1/operator/plans", Auth::Bearer(&op)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_owned())
        .collect()
}

/// The plan form's fields, as a browser posts them.
fn plan_form(csrf: &str, monthly: &str, contacts: &str) -> Vec<(String, String)> {
    [
        ("csrf", csrf),
        ("code", "growth"),
        ("name", "Growth"),
        ("monthly", monthly),
        ("yearly", "490"),
        ("currency", "EUR"),
        ("limit_messages_per_month", "20,000"),
        ("limit_contacts", contacts),
        ("feature", "campaigns"),
        ("feature", "api"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

async fn post_form(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post(path, &pairs).await
}

#[tokio::test]
async fn billing_a_refused_plan_form_comes_back_with_why_and_makes_nothing() {
    each_engine(|app: TestApp| async move {
        let mut op = Browser::sign_in_operator(&app).await;
        let page = op.get("/app/operator/plans").await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(
            page.html
                .contains("<tr data-code=\"starter\" data-retired=\"false\">")
        );
        assert!(page.html.contains("$29.00"), "prices read as money");
        assert!(
            page.html
                .contains("data-limit=\"messages_per_month\">1,000<"),
            "{}",
            page.html
        );
        let csrf = page.csrf();
        let path = "/app/operator/plans";

        // A negative price: the rule's refusal, on the form, as typed.
        let r = post_form(&mut op, path, &plan_form(&csrf, "-5", "")).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("id=\"plan-error\""), "{}", r.html);
        assert!(r.html.contains("prices cannot be negative"), "{}", r.html);
        assert!(
            r.html.contains("name=\"monthly\" value=\"-5\""),
            "kept as typed"
        );
        assert!(r.html.contains("name=\"code\" value=\"growth\""));
        assert!(r.html.contains("value=\"api\" checked"));
        assert!(!r.html.contains("value=\"bot\" checked"));
        // A limit that is not a number.
        let r = post_form(&mut op, path, &plan_form(&csrf, "49", "lots")).await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(
            r.html.contains("limits.contacts: a whole number"),
            "{}",
            r.html
        );
        assert!(r.html.contains("value=\"lots\""));
        assert!(
            !plan_codes(&app).await.contains(&"growth".to_owned()),
            "nothing was made"
        );

        // Put right, it is made, with empty limits unlimited.
        let r = post_form(&mut op, path, &plan_form(&csrf, "49", "")).await;
        assert_eq!(
            (r.status, r.location.as_deref()),
            (303, Some("/app/operator/plans/growth?done=created")),
            "{}",
            r.html
        );
        let page = op.get(path).await;
        let row = &page.html[page.html.find("data-code=\"growth\"").unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(row.contains("€49.00") && row.contains("€490.00"), "{row}");
        assert!(
            row.contains("data-limit=\"messages_per_month\">20,000<"),
            "{row}"
        );
        assert!(row.contains("data-limit=\"contacts\">unlimited<"), "{row}");
        assert!(row.contains("data-feature=\"bot\">off<"), "{row}");
        assert!(row.contains("data-feature=\"api\">on<"), "{row}");
        let token = app.operator_token().await;
        let plans = app
            .get("/api/v1/operator/plans", Auth::Bearer(&token))
            .await;
        let growth = plans
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == "growth")
            .cloned()
            .unwrap();
        assert_eq!(
            growth["prices"],
            json!({ "monthly": 4900, "yearly": 49000, "currency": "eur" })
        );
        assert_eq!(growth["limits"]["contacts"], Value::Null);

        // Saving it with a negative limit is refused in place too.
        let csrf = op.get("/app/operator/plans/growth").await.csrf();
        let r = post_form(
            &mut op,
            "/app/operator/plans/growth",
            &plan_form(&csrf, "49", "-3"),
        )
        .await;
        assert_eq!(r.status, 422, "{}", r.html);
        assert!(r.html.contains("must be 0 or more"), "{}", r.html);
        assert!(r.html.contains("value=\"-3\""));
        let r = op.get("/app/operator/plans/nope").await;
        assert_eq!(r.status, 404);
        app.stop().await;
    })
    .await;
}

async fn send_template(wa: &WhatsAppTest, t: &TestTenant) {
    let r = wa
        .post("/api/v1/messages", Auth::ApiKey(&t.api_key), template())
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
}

#[tokio::test]
async fn billing_the_usage_page_lists_this_period_and_earlier_ones() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("usage-page").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/settings").await;
        assert_eq!(counter(&page.html, "usage-current", "messages_out"), "0");
        assert!(page.html.contains("id=\"usage-no-history\""));

        // Not synced yet, so counted as marketing (Meta's dearest).
        send_template(&wa, &t).await;
        let page = b.get("/app/settings").await;
        assert_eq!(page.status, 200, "{}", page.html);
        assert!(page.html.contains("1 of 1000"), "the meter: {}", page.html);
        let api = wa.get("/api/v1/usage", Auth::Bearer(&t.owner.token)).await;
        let counts = api.body["current"]["counts"].as_object().unwrap().clone();
        assert_eq!(counts.len(), 7, "{}", api.body);
        for (metric, n) in &counts {
            assert_eq!(
                counter(&page.html, "usage-current", metric),
                n.to_string(),
                "{metric}"
            );
        }
        assert_eq!(
            counter(&page.html, "usage-current", "messages_out.marketing"),
            "1"
        );
        assert_eq!(
            counter(&page.html, "usage-current", "messages_out.utility"),
            "0"
        );
        assert_ne!(counter(&page.html, "usage-current", "api_calls"), "0");

        // Next month it is history, under its month's name.
        let month = time::OffsetDateTime::from_unix_timestamp(wa.state.now().as_unix_seconds())
            .unwrap()
            .month()
            .to_string();
        wa.advance(32 * 86_400);
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        let page = b.get("/app/settings").await;
        assert_eq!(counter(&page.html, "usage-current", "messages_out"), "0");
        assert!(
            page.html.contains(&format!("<tr data-month=\"{month} ")),
            "{month}: {}",
            page.html
        );
        assert_eq!(counter(&page.html, "usage-history", "messages_out"), "1");
        assert_eq!(
            counter(&page.html, "usage-history", "messages_out.marketing"),
            "1"
        );
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn billing_a_banner_tells_the_tenant_at_eighty_and_a_hundred_percent() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let r = wa
            .patch(
                "/api/v1/operator/plans/starter",
                Auth::Bearer(&op),
                json!({ "limits": { "messages_per_month": 5 } }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let t = wa.create_tenant("usage-banner").await;
        wa.connect_number(&t, PNID, WABA).await;
        add_template(&wa);
        let mut b = Browser::sign_in(&wa, &t.slug, &t.owner.email, &t.owner.password).await;
        for _ in 0..3 {
            send_template(&wa, &t).await;
        }
        let page = b.get("/app/inbox").await;
        assert_eq!(page.status, 200);
        assert_eq!(banner(&page.html), None, "60 % says nothing");

        send_template(&wa, &t).await;
        for path in ["/app/inbox", "/app/contacts", "/app/settings"] {
            let page = b.get(path).await;
            assert_eq!(
                banner(&page.html),
                Some((
                    "status".to_owned(),
                    "You have used 4 of 5 messages this month (80 %)".to_owned()
                )),
                "{path}"
            );
        }

        send_template(&wa, &t).await;
        let next = domain::usage::next_period_start(domain::usage::period_start(wa.state.now()));
        let next = time::OffsetDateTime::from_unix_timestamp(next.as_unix_seconds()).unwrap();
        let page = b.get("/app/inbox").await;
        assert_eq!(
            banner(&page.html),
            Some((
                "alert".to_owned(),
                format!(
                    "You have used all 5 messages of your plan this month; sending is paused \
                     until 1 {} {} — ask the operator for a bigger plan.",
                    next.month(),
                    next.year()
                )
            ))
        );
        // Another tenant on the same plan, with nothing sent, sees none.
        let other = wa.create_tenant("usage-quiet").await;
        let mut ob =
            Browser::sign_in(&wa, &other.slug, &other.owner.email, &other.owner.password).await;
        assert_eq!(banner(&ob.get("/app/inbox").await.html), None);
        wa.stop().await;
    })
    .await;
}
