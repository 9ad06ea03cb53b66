//! Template management over the Graph API and status-update webhooks.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

#[tokio::test]
async fn template_management_and_status_webhooks() {
    let env = Env::start().await;
    let url = format!("{}/{WABA}/message_templates", env.graph);
    let create = |name: &str| {
        json!({"name": name, "language": "en_US", "category": "UTILITY", "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}", "example": {"header_text": ["#1234"]}},
            {"type": "BODY", "text": "Hi {{1}}, your order ships on {{2}}."},
            {"type": "FOOTER", "text": "Reply STOP to opt out"}]})
    };
    let r = env
        .http
        .post(&url)
        .bearer_auth(TOKEN)
        .json(&create("order_update"))
        .send()
        .await
        .unwrap();
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["category"], "UTILITY");
    let id = created["id"].as_str().unwrap().to_owned();
    let dup = env
        .http
        .post(&url)
        .bearer_auth(TOKEN)
        .json(&create("order_update"))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status().as_u16(), 400);
    let bad = env
        .http
        .post(&url)
        .bearer_auth(TOKEN)
        .json(
            &json!({"name": "Bad Name", "language": "en", "category": "UTILITY",
        "components": [{"type": "BODY", "text": "x"}]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.json::<Value>().await.unwrap()["error"]["code"], 100);

    env.open_window(CUSTOMER).await;
    let send = |p: &[&str]| {
        let mut t = template(CUSTOMER, "order_update", &["Ana", "May 3"]);
        t["template"]["components"].as_array_mut().unwrap().push(json!({"type": "header",
            "parameters": p.iter().map(|x| json!({"type": "text", "text": x})).collect::<Vec<_>>()}));
        t
    };
    assert_error(&env.send(send(&["#1"])).await, 400, 132001);
    let (s, approved) = env
        .control(
            Method::POST,
            &format!("templates/{id}/status"),
            Some(json!({"status": "APPROVED"})),
        )
        .await;
    assert_eq!((s, approved["status"].as_str()), (200, Some("APPROVED")));
    let hook = env.rx.wait_body("message_template_status_update").await;
    let value = &hook["entry"][0]["changes"][0]["value"];
    assert_eq!(value["event"], "APPROVED");
    assert_eq!(
        value["message_template_id"].as_u64().unwrap().to_string(),
        id
    );
    assert_eq!(value["message_template_name"], "order_update");
    assert_eq!(value["reason"], "NONE");
    assert_eq!(env.send(send(&["#1"])).await.0, 200);
    assert_error(&env.send(send(&[])).await, 400, 132000);

    let (_, seeded) = env
        .control(
            Method::POST,
            "templates",
            Some(json!({"waba_id": WABA, "name": "summer_promo",
        "language": "en", "category": "MARKETING", "status": "PENDING"})),
        )
        .await;
    let promo = seeded["id"].as_str().unwrap().to_owned();
    let rejection = json!({"status": "REJECTED", "reason": "INVALID_FORMAT",
        "rejection_info": {"reason": "Two variables back to back", "recommendation": "Add words"}});
    env.control(
        Method::POST,
        &format!("templates/{promo}/status"),
        Some(rejection),
    )
    .await;
    let hook = env.rx.wait_body("REJECTED").await;
    assert_eq!(
        hook["entry"][0]["changes"][0]["value"]["rejection_info"]["recommendation"],
        "Add words"
    );

    let (s, page) = env
        .get(
            &format!("{WABA}/message_templates?limit=1&summary=total_count"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["summary"]["total_count"], 2);
    let next = page["paging"]["next"].as_str().unwrap();
    let page2: Value = env
        .http
        .get(next)
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page2["data"].as_array().unwrap().len(), 1);
    assert!(page2["paging"].get("next").is_none());
    let (_, filtered) = env
        .get(
            &format!("{WABA}/message_templates?status=REJECTED&fields=name,status"),
            Some(TOKEN),
        )
        .await;
    assert_eq!(
        filtered["data"],
        json!([{"name": "summer_promo", "status": "REJECTED", "id": promo}])
    );
    let (_, one) = env.get(&id, Some(TOKEN)).await;
    assert_eq!(one["name"], "order_update");

    let del = env
        .http
        .delete(format!("{url}?name=summer_promo"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(del.json::<Value>().await.unwrap(), json!({"success": true}));
    assert_error(&env.get(&promo, Some(TOKEN)).await, 400, 100);
    assert_eq!(env.sb.templates(Some(WABA)).len(), 1);
}
