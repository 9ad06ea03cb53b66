//! Scheduled messages in a real browser (SQLite only, like browser.rs):
//! schedule a text from a contact's page at a time in the workspace's
//! zone, find it in the Scheduled list, and cancel it there.

use super::browser::sign_in;
use super::webdriver::Browser;
use crate::scheduled::{CUSTOMER, PNID, WABA, contact, in_seconds};
use serde_json::json;
use testkit::{Auth, Engine, WhatsAppTest};

#[tokio::test]
async fn browser_schedules_a_message_from_a_contact_and_cancels_it_from_the_list() {
    let wa = WhatsAppTest::start(Engine::Sqlite).await;
    let t = wa.create_tenant("br-scheduled").await;
    let key = Auth::ApiKey(&t.api_key);
    wa.connect_number(&t, PNID, WABA).await;
    let r = wa
        .patch(
            "/api/v1/tenant",
            key,
            json!({ "time_zone": "America/Sao_Paulo" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = contact(&wa, &t, CUSTOMER, "Rita Customer").await;

    let b = Browser::start().await;
    sign_in(&wa, &b, &t.slug, &t.owner.email, &t.owner.password).await;

    // The contact's page: a text, tomorrow, in São Paulo time.
    b.goto(&format!("{}/app/contacts/{c}", wa.url)).await;
    assert!(
        b.text("#schedule-message")
            .await
            .contains("When (America/Sao_Paulo)"),
        "{}",
        b.source().await
    );
    let when = in_seconds(&wa, 86_400)[..16].to_owned();
    b.eval(&format!(
        "document.querySelector('#schedule-message input[name=local_time]').value = '{when}'; \
         return true;"
    ))
    .await;
    b.fill(
        "#schedule-message textarea[name=text]",
        "Your table is ready tomorrow",
    )
    .await;
    b.submit("#schedule-message button[type=submit]").await;
    assert!(
        b.current_url()
            .await
            .contains(&format!("/app/contacts/{c}")),
        "{}",
        b.current_url().await
    );
    assert_eq!(
        b.count("#scheduled tr[data-status=scheduled]").await,
        1,
        "{}",
        b.source().await
    );
    b.screenshot("scheduled-contact").await;
    let list = wa.get("/api/v1/scheduled-messages", key).await.body;
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(list["items"][0]["local_time"], json!(when));

    // The list: there, with its time in the zone; cancelled from it.
    b.click("nav a[href='/app/scheduled']").await;
    b.wait_for_text(
        &format!("#scheduled-{id} td.when"),
        &format!("{} {} -03", &when[..10], &when[11..]),
    )
    .await;
    assert!(
        b.text(&format!("#scheduled-{id}"))
            .await
            .contains("Your table is ready tomorrow")
    );
    b.screenshot("scheduled-list").await;
    b.submit(&format!("#scheduled-{id} form.cancel button"))
        .await;
    assert_eq!(b.count(&format!("#scheduled-{id}")).await, 0);
    assert_eq!(b.count("#no-scheduled").await, 1);
    b.goto(&format!("{}/app/scheduled?status=cancelled", wa.url))
        .await;
    assert_eq!(
        b.count(&format!("#scheduled-{id}[data-status=cancelled]"))
            .await,
        1
    );
    let s = wa
        .get(&format!("/api/v1/scheduled-messages/{id}"), key)
        .await
        .body;
    assert_eq!(s["status"], json!("cancelled"));
    b.quit().await;
}
