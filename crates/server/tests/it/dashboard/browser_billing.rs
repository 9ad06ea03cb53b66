//! Plans in the operator's console, in a browser (SQLite only, like
//! browser.rs): add a plan, lower one of its limits, retire it.

use super::webdriver::Browser;
use serde_json::json;
use testkit::{Auth, Engine, TestApp};

#[tokio::test]
async fn browser_billing_operator_adds_edits_and_retires_a_plan() {
    let app = TestApp::start(Engine::Sqlite).await;
    let b = Browser::start().await;
    b.goto(&format!("{}/app/operator/login", app.url)).await;
    b.fill("input[name=email]", &app.operator_email).await;
    b.fill("input[name=password]", &app.operator_password).await;
    b.submit("#operator-login button").await;
    assert!(b.current_url().await.ends_with("/app/operator"));

    b.submit("header nav a[href='/app/operator/plans']").await;
    assert!(b.current_url().await.ends_with("/app/operator/plans"));
    assert_eq!(b.count("#plans tr[data-code=starter]").await, 1);
    b.screenshot("operator-plans").await;

    // A new plan: euros, two limits, the bot switched off.
    let form = "#create-plan";
    b.fill(&format!("{form} input[name=code]"), "growth").await;
    b.fill(&format!("{form} input[name=name]"), "Growth").await;
    b.fill(&format!("{form} input[name=monthly]"), "49").await;
    b.fill(&format!("{form} input[name=yearly]"), "490").await;
    b.fill(&format!("{form} input[name=currency]"), "eur").await;
    b.fill(
        &format!("{form} input[name=limit_messages_per_month]"),
        "20000",
    )
    .await;
    b.fill(&format!("{form} input[name=limit_agents]"), "10")
        .await;
    b.click(&format!("{form} input[name=feature][value=bot]"))
        .await;
    b.submit(&format!("{form} button[type=submit]")).await;
    assert!(
        b.current_url().await.contains("/app/operator/plans/growth"),
        "{}\n{}",
        b.current_url().await,
        b.source().await
    );
    assert_eq!(b.text("#plan-done").await, "The plan is added.");
    assert_eq!(b.text("#plan-state").await, "offered");

    // Fewer messages a month.
    let edit = "#edit-plan";
    assert_eq!(
        b.eval(
            "return document.querySelector('#edit-plan input[name=limit_messages_per_month]').value"
        )
        .await,
        json!("20000")
    );
    b.fill(
        &format!("{edit} input[name=limit_messages_per_month]"),
        "15000",
    )
    .await;
    b.submit(&format!("{edit} button[type=submit]")).await;
    assert_eq!(b.text("#plan-done").await, "Saved.", "{}", b.source().await);
    b.screenshot("operator-plan").await;

    // Retired: the page and the list say so.
    b.submit("#retire-plan button").await;
    assert_eq!(b.text("#plan-state").await, "retired");
    assert!(b.try_find("#offer-plan").await.is_some());
    b.goto(&format!("{}/app/operator/plans", app.url)).await;
    let row = "#plans tr[data-code=growth]";
    assert_eq!(b.count(&format!("{row}[data-retired=true]")).await, 1);
    assert_eq!(b.text(&format!("{row} td.state .pill")).await, "retired");
    assert_eq!(
        b.text(&format!("{row} dd[data-limit=messages_per_month]"))
            .await,
        "15,000"
    );
    assert_eq!(b.text(&format!("{row} dd[data-feature=bot]")).await, "off");
    assert_eq!(b.text(&format!("{row} td.monthly")).await, "€49.00");
    b.screenshot("operator-plans-retired").await;

    let op = app.operator_token().await;
    let plans = app.get("/api/v1/operator/plans", Auth::Bearer(&op)).await;
    let growth = plans
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "growth")
        .cloned()
        .unwrap();
    assert_eq!(growth["limits"]["messages_per_month"], 15_000);
    assert_eq!(growth["limits"]["agents"], 10);
    assert!(growth["retired_at"].is_string(), "{growth}");
    b.quit().await;
    app.stop().await;
}
