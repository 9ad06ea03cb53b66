//! Two workspaces on one platform: each one's reports count its own
//! messages, conversations and targets, and name nothing of the other's.

use super::{
    customer_writes, instant, next_monday, reply, report, set_clocks, sign_in, update_conversation,
};
use crate::booking::date;
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const PNID_A: &str = "106540352244301";
const WABA_A: &str = "102290129344301";
const PNID_B: &str = "106540352244302";
const WABA_B: &str = "102290129344302";

#[tokio::test]
async fn a_workspaces_reports_show_none_of_anothers_activity() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let a = wa.create_tenant("an-alpha").await;
        let b = wa.create_tenant("an-bravo").await;
        let a_number = wa.connect_number(&a, PNID_A, WABA_A).await;
        let b_number = wa.connect_number(&b, PNID_B, WABA_B).await;
        wa.drain().await;
        let m = next_monday(&wa);

        // A: a customer writes twice, A's owner answers and resolves.
        set_clocks(&wa, instant(m, 9, 0));
        let a_conv = customer_writes(&wa, &a, PNID_A, "15550443001", "Hello A").await;
        customer_writes(&wa, &a, PNID_A, "15550443001", "Still there?").await;
        set_clocks(&wa, instant(m, 9, 2));
        let token = sign_in(&wa, &a, &a.owner).await;
        reply(&wa, Auth::Bearer(&token), &a_conv, "Here").await;
        update_conversation(&wa, &a, &a_conv, json!({ "status": "resolved" })).await;
        let body = json!({ "first_response_minutes": 3, "resolution_minutes": 30 });
        let r = wa
            .put("/api/v1/analytics/targets", Auth::ApiKey(&a.api_key), body)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        // B: one customer writes once, to the same customer's number.
        set_clocks(&wa, instant(m, 10, 0));
        customer_writes(&wa, &b, PNID_B, "15550443001", "Hello B").await;
        wa.drain().await;

        let day = date(m);
        let (a_key, b_key) = (Auth::ApiKey(&a.api_key), Auth::ApiKey(&b.api_key));
        let ra = report(&wa, a_key, "messages", &day, &day).await;
        let rb = report(&wa, b_key, "messages", &day, &day).await;
        let totals = |i: i64, o: i64, opened: i64, resolved: i64| {
            json!({ "messages_in": i, "messages_out": o, "messages_failed": 0,
                    "conversations_opened": opened, "conversations_resolved": resolved })
        };
        assert_eq!(ra["totals"], totals(2, 1, 1, 1));
        assert_eq!(rb["totals"], totals(1, 0, 1, 0));
        assert_eq!(ra["numbers"][0]["channel_id"], json!(a_number));
        assert_eq!(rb["numbers"].as_array().unwrap().len(), 1);
        assert_eq!(rb["numbers"][0]["channel_id"], json!(b_number));

        let ra = report(&wa, a_key, "response-times", &day, &day).await;
        let owner = super::row(&ra["agents"], "user_id", &a.owner.id);
        assert_eq!(owner["first_response"]["count"], json!(1), "{ra}");
        assert_eq!(ra["targets"]["first_response_minutes"], json!(3));
        let rb = report(&wa, b_key, "response-times", &day, &day).await;
        assert_eq!(rb["conversations"], json!(1));
        assert_eq!(rb["overall"]["first_response"]["count"], json!(0));
        assert_eq!(rb["agents"].as_array().unwrap().len(), 1);
        assert_eq!(rb["agents"][0]["user_id"], json!(null));
        let defaults = json!({ "first_response_minutes": 60, "resolution_minutes": 1440 });
        assert_eq!(rb["targets"], defaults);
        let got = wa.get("/api/v1/analytics/targets", b_key).await.body;
        assert_eq!(got, defaults);

        // Nothing of A's in anything B reads.
        let marks = [&a.id, &a_number, &a.owner.id, &a_conv];
        for name in super::api::REPORTS {
            for suffix in ["", ".csv"] {
                let path = format!("/api/v1/analytics/{name}{suffix}?from={day}&to={day}");
                let r = wa.get(&path, b_key).await;
                assert_eq!(r.status, 200, "{path}");
                for mark in marks {
                    assert!(
                        !r.text.contains(mark.as_str()),
                        "{path} leaks {mark}: {}",
                        r.text
                    );
                }
            }
        }
        wa.stop().await;
    })
    .await;
}
