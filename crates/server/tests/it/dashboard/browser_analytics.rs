//! Analytics in a browser (SQLite only, like browser.rs): customers write
//! in through the sandbox; the owner opens Analytics from the main menu
//! and sees the messages drawn (SVG charts that render under the CSP) and
//! counted, changes the days shown (to days without them, then the last
//! 30 days), reads the page on a phone without it spilling sideways, and
//! sets the response-time targets.

use super::browser::sign_in;
use super::http_analytics::{PNID, WABA, seed_messages};
use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, WhatsAppTest};

#[tokio::test]
async fn browser_analytics_show_activity_change_the_span_and_set_targets() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-analytics").await;
    wa.connect_number(&t, PNID, WABA).await;
    seed_messages(&wa, &t.api_key).await;
    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // Analytics, from the main menu: the charts drawn, the figures counted.
    b.submit("header nav a[href='/app/analytics']").await;
    assert_eq!(
        b.text("#messages-in .big").await,
        "3",
        "{}",
        b.source().await
    );
    assert_eq!(b.text("#conversations-opened .big").await, "2");
    assert_eq!(b.count("#messages-chart svg.chart-bars").await, 1);
    assert_eq!(b.count("#hours-chart svg.chart-heatmap").await, 1);
    assert_eq!(
        b.eval(
            "const r = document.querySelector('#messages-chart svg').getBoundingClientRect(); \
             return r.width > 200 && r.height > 80;"
        )
        .await,
        json!(true),
        "the chart has a size"
    );
    assert_eq!(
        b.eval(
            "const bar = document.querySelector('#messages-chart rect.bar.series-in'); \
             return getComputedStyle(bar).fill !== 'rgb(0, 0, 0)';"
        )
        .await,
        json!(true),
        "the stylesheet colours the bars"
    );
    assert_eq!(
        b.eval(
            "const l = document.querySelector('#messages-chart .grid'); \
             return getComputedStyle(l).stroke !== 'none';"
        )
        .await,
        json!(true)
    );
    b.screenshot("analytics-messages").await;
    b.eval("document.querySelector('#per-day').scrollIntoView(); return true;")
        .await;
    b.screenshot("analytics-charts").await;

    // Days without the messages: the figures follow the span typed in.
    let today = b
        .eval("return document.querySelector('#span-form input[name=to]').value")
        .await;
    let today = jiff::civil::Date::strptime("%Y-%m-%d", today.as_str().unwrap()).unwrap();
    let before = today.checked_sub(jiff::Span::new().days(20)).unwrap();
    let (from, to) = (
        before.checked_sub(jiff::Span::new().days(9)).unwrap(),
        before,
    );
    b.eval(&format!(
        "document.querySelector('#span-form input[name=from]').value = '{from}'; \
         document.querySelector('#span-form input[name=to]').value = '{to}'; return true;"
    ))
    .await;
    b.submit("#span-form button[type=submit]").await;
    assert!(
        b.current_url()
            .await
            .ends_with(&format!("/app/analytics?from={from}&to={to}")),
        "{}",
        b.current_url().await
    );
    assert_eq!(b.text("#messages-in .big").await, "0");
    assert!(
        b.text("#span-label")
            .await
            .contains(&to.strftime("%-d %b %Y").to_string())
    );
    assert_eq!(b.count(".quick-spans a[aria-current]").await, 0);

    // The last 30 days take them in again.
    b.submit(".quick-spans a[data-days='30']").await;
    assert_eq!(b.text("#messages-in .big").await, "3");
    assert_eq!(
        b.count(".quick-spans a[data-days='30'][aria-current]")
            .await,
        1
    );

    // On a phone the page does not spill sideways: the charts shrink, the
    // tables scroll inside their box.
    b.set_size(390, 844).await;
    b.eval("document.querySelectorAll('details').forEach(d => d.open = true); return true;")
        .await;
    assert_eq!(
        b.eval(
            "return document.documentElement.scrollWidth <= document.documentElement.clientWidth \
             && document.querySelector('#messages-chart svg').getBoundingClientRect().width \
                <= document.documentElement.clientWidth;"
        )
        .await,
        json!(true),
        "{}",
        b.eval(
            "const w = document.documentElement.clientWidth; \
             return [...document.querySelectorAll('body *')] \
               .filter(e => e.getBoundingClientRect().right > w + 1) \
               .slice(0, 12).map(e => e.tagName + '#' + e.id + '.' + e.className.baseVal + e.className + ' ' + Math.round(e.getBoundingClientRect().right));"
        )
        .await
    );
    b.screenshot("analytics-phone").await;
    b.eval("document.querySelector('#per-day').scrollIntoView(); return true;")
        .await;
    b.screenshot("analytics-phone-charts").await;
    b.set_size(1280, 860).await;

    // Response times: the targets set from the form.
    b.submit("nav.subnav a[href^='/app/analytics/response-times']")
        .await;
    assert_eq!(b.text("#first-response-target").await, "1h");
    b.fill("#targets-form input[name=first_response_minutes]", "abc")
        .await;
    b.submit("#save-targets").await;
    assert_eq!(
        b.count("#targets-form .field-error[data-field=first_response_minutes]")
            .await,
        1,
        "{}",
        b.source().await
    );
    b.fill("#targets-form input[name=first_response_minutes]", "15")
        .await;
    b.fill("#targets-form input[name=resolution_minutes]", "120")
        .await;
    b.submit("#save-targets").await;
    assert_eq!(b.count("#targets-ok").await, 1, "{}", b.source().await);
    assert_eq!(b.text("#first-response-target").await, "15m");
    assert_eq!(b.text("#resolution-target").await, "2h");
    b.screenshot("analytics-response-times").await;
    let saved = wa
        .get("/api/v1/analytics/targets", Auth::ApiKey(&t.api_key))
        .await
        .body;
    assert_eq!(saved["first_response_minutes"], json!(15));
    b.quit().await;
    wa.stop().await;
}
