//! Meta's template webhooks keep the library in step: a review's status
//! (rejected with its reason, then approved), a quality rating and a
//! category change, each with its event; a template the library does not
//! know (made in WhatsApp Manager) is read from Meta when Meta first
//! mentions it.

use super::{library, meta_template, order_update};
use crate::channels::{PNID_A, WABA_A};
use crate::crm_notes::event_names;
use crate::fidelity::{deliver, hook};
use sandbox::TemplateStatusUpdate;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine_with_sandbox};

async fn template(app: &TestApp, t: &TestTenant, id: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/templates/{id}"), Auth::ApiKey(&t.api_key))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn metas_review_quality_and_category_changes_reach_the_library() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("tpl-hooks").await;
        let channel = wa.connect_number(&t, PNID_A, WABA_A).await;
        wa.drain().await;
        let r = wa
            .post(
                "/api/v1/templates",
                Auth::ApiKey(&t.api_key),
                order_update(&channel),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_str().unwrap().to_owned();
        let meta_id = r.body["meta_id"].as_str().unwrap().to_owned();

        // Rejected, with Meta's reason; then approved after an appeal.
        let rejected = TemplateStatusUpdate {
            status: "REJECTED".into(),
            reason: Some("INVALID_FORMAT".into()),
            rejection_info: None,
        };
        wa.sandbox.set_template_status(&meta_id, rejected).unwrap();
        wa.eventually("the rejection reaches the library", || async {
            template(&wa, &t, &id).await["status"] == "rejected"
        })
        .await;
        assert_eq!(
            template(&wa, &t, &id).await["rejected_reason"],
            json!("INVALID_FORMAT")
        );
        wa.sandbox
            .set_template_status(&meta_id, TemplateStatusUpdate::new("APPROVED"))
            .unwrap();
        wa.eventually("the approval reaches the library", || async {
            template(&wa, &t, &id).await["status"] == "approved"
        })
        .await;
        assert_eq!(template(&wa, &t, &id).await["rejected_reason"], json!(null));

        // Quality, by Meta's id (a JSON number in webhooks).
        let number: u64 = meta_id.parse().unwrap();
        let quality = json!({ "previous_quality_score": "GREEN", "new_quality_score": "YELLOW",
            "message_template_id": number, "message_template_name": "order_update",
            "message_template_language": "en_US" });
        deliver(
            &wa,
            &hook(WABA_A, "message_template_quality_update", quality),
        )
        .await;
        wa.drain().await;
        assert_eq!(template(&wa, &t, &id).await["quality"], json!("yellow"));
        // Category, by name and language.
        let category = json!({ "message_template_name": "order_update",
            "message_template_language": "en_US", "previous_category": "UTILITY",
            "new_category": "MARKETING", "correct_category": "MARKETING" });
        deliver(&wa, &hook(WABA_A, "template_category_update", category)).await;
        wa.drain().await;
        let now = template(&wa, &t, &id).await;
        assert_eq!(now["category"], json!("marketing"));
        assert_eq!(now["status"], json!("approved"));

        let events = event_names(&wa, &t).await;
        let count = |n: &str| events.iter().filter(|e| *e == n).count();
        assert_eq!(count("template.submitted"), 1);
        assert_eq!(count("template.status_changed"), 2, "{events:?}");
        assert_eq!(count("template.updated"), 2, "{events:?}");

        // Made in WhatsApp Manager: the library learns of it from Meta's
        // first webhook about it.
        let elsewhere = meta_template(&wa, "made_elsewhere", "PENDING", "Hi {{1}}, see {{2}}.");
        wa.sandbox
            .set_template_status(&elsewhere, TemplateStatusUpdate::new("APPROVED"))
            .unwrap();
        wa.eventually("the new template is read from Meta", || async {
            library(&wa, &t, "")
                .await
                .iter()
                .any(|i| i["name"] == "made_elsewhere" && i["status"] == "approved")
        })
        .await;
        wa.stop().await;
    })
    .await;
}
