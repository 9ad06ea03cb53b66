//! A segment built in the editor in a browser (SQLite only, like
//! browser.rs): "tag = VIP AND opted in", its live count as the rules
//! change, saved, and exported as CSV.

use super::browser::sign_in;
use super::webdriver::Browser;
use serde_json::json;
use std::time::Duration;
use testkit::{Engine, TestApp};

/// Waits until `#segment-count` (swapped in by the script) reads `want`.
async fn count_reads(b: &Browser, want: &str) {
    for _ in 0..200 {
        let text = b
            .eval(
                "var c = document.getElementById('segment-count'); return c ? c.textContent : '';",
            )
            .await;
        if text.as_str().is_some_and(|t| t.contains(want)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the count never read {want:?}: {}", b.source().await);
}

#[tokio::test]
async fn browser_builds_a_segment_sees_its_count_saves_and_exports_it() {
    let app = TestApp::start(Engine::Sqlite).await;
    let t = app.create_tenant("br-segments").await;
    let w = crate::crm_segments::world::build(&app, &t).await;
    let b = Browser::start().await;
    sign_in(&app, &b, &t.slug, &t.owner.email, &t.owner.password).await;
    b.submit("nav a[href='/app/segments']").await;
    b.submit("#new-segment").await;
    count_reads(&b, "4 contacts match").await;
    b.fill("#segment-editor input[name=name]", "VIP opted in")
        .await;

    // Rule 1: tag has VIP. Choosing the tag counts without a reload.
    b.submit("button[value='add_rule:']").await;
    b.click(&format!(
        "select[name='value@rules[0]'] option[value='{}']",
        w.vip
    ))
    .await;
    count_reads(&b, "2 contacts match").await;
    b.screenshot("segment-vip").await;

    // Rule 2: opted out is "no". Changing the field redraws the row.
    b.submit("button[value='add_rule:']").await;
    b.submit("select[name='field@rules[1]'] option[value='opted_out']")
        .await;
    assert_eq!(
        b.eval("return document.querySelector(\"select[name='value@rules[1]']\").value")
            .await,
        json!("false")
    );
    count_reads(&b, "1 contact matches").await;
    assert_eq!(
        b.eval("return document.querySelector(\"input[name=name]\").value")
            .await,
        json!("VIP opted in"),
        "what was typed survives the redraw"
    );
    b.screenshot("segment-editor").await;

    b.submit("#save-segment").await;
    assert!(b.current_url().await.contains("/app/segments/"));
    count_reads(&b, "1 contact matches").await;
    assert!(b.text("#segment-sample").await.contains("Ana"));
    let csv = b
        .eval("return fetch(document.getElementById('export-csv').href).then(function (r) { return r.text(); });")
        .await;
    let csv = csv.as_str().unwrap_or_default();
    assert!(csv.starts_with("id,name,"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(",Ana,") && csv.contains("VIP"), "{csv}");
    b.goto(&format!("{}/app/segments", app.url)).await;
    assert!(b.text("#segments").await.contains("VIP opted in"));
    b.screenshot("segments").await;
    b.quit().await;
}
