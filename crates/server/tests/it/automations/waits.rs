//! Waits that branch: a run waiting for the customer's reply goes on with
//! its `replied` steps when the reply comes (and reads it), with its
//! `timeout` steps when the time runs out, not a second early; a
//! `wait_until` waits for a wall-clock time in the tenant's zone.

use super::{PNID, WABA, customer_writes, run, runs, set_tag, texts_to, workflow};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn a_reply_takes_the_replied_side_and_silence_the_timeout_side() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-reply").await;
        wa.connect_number(&t, PNID, WABA).await;
        let id = workflow(
            &wa,
            &t,
            "Book a table",
            json!({
                "trigger": {"type": "message_received", "keywords": ["book"]},
                "steps": [
                    {"type": "send_text", "text": "For when?"},
                    {"type": "wait_for_reply", "seconds": 3600,
                     "replied": [
                        {"type": "branch", "if": [{"type": "message_contains", "text": "tomorrow"}],
                         "then": [{"type": "send_text", "text": "Booked for tomorrow"}],
                         "else": [{"type": "send_text", "text": "We will call you"}]}
                     ],
                     "timeout": [{"type": "add_note", "text": "No answer to the booking"}]},
                    {"type": "set_status", "status": "pending"}
                ]
            }),
        )
        .await;

        // A reply: the branch reads the reply, not the message that
        // started the run.
        let ana = "15550409001";
        customer_writes(&wa, &t, ana, "I'd like to book").await;
        let first = runs(&wa, &t, &id).await[0].clone();
        assert_eq!(first["status"], json!("waiting"), "{first}");
        assert_eq!(texts_to(&wa, ana), ["For when?"]);
        customer_writes(&wa, &t, ana, "Tomorrow at 8, please").await;
        wa.eventually("the answer reaches the customer", || async {
            texts_to(&wa, ana).len() == 2
        })
        .await;
        assert_eq!(texts_to(&wa, ana)[1], "Booked for tomorrow");
        let r = run(&wa, &t, first["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        let kinds: Vec<(&str, &str)> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["path"].as_str().unwrap(), s["type"].as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("steps[0]", "send_text"),
                ("steps[1]", "wait_for_reply"),
                ("steps[1].replied[0]", "branch"),
                ("steps[1].replied[0].then[0]", "send_text"),
                ("steps[2]", "set_status"),
            ]
        );
        assert_eq!(r["steps"][1]["output"]["replied"], json!(true));
        assert_eq!(r["message_id"], r["steps"][1]["output"]["message_id"]);
        // The reply started no run of its own (no keyword), and a second
        // message now resumes nothing.
        assert_eq!(runs(&wa, &t, &id).await.len(), 1);
        customer_writes(&wa, &t, ana, "thanks").await;
        assert_eq!(texts_to(&wa, ana).len(), 2);

        // Silence: the timeout side, at the hour and not before.
        let ben = "15550409002";
        let contact = customer_writes(&wa, &t, ben, "book please").await;
        let second = runs(&wa, &t, &id)
            .await
            .into_iter()
            .find(|r| r["contact_id"] == json!(contact))
            .unwrap();
        wa.advance(3599);
        wa.drain().await;
        let r = run(&wa, &t, second["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("waiting"), "not a second early: {r}");
        wa.advance(1);
        wa.drain().await;
        let r = run(&wa, &t, second["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        let last: Vec<&str> = r["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            last,
            ["steps[0]", "steps[1]", "steps[1].timeout[0]", "steps[2]"]
        );
        assert_eq!(r["steps"][1]["output"]["replied"], json!(false));
        let notes = wa
            .get(
                &format!("/api/v1/notes?contact_id={contact}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(
            notes.body["items"][0]["body"],
            json!("No answer to the booking")
        );
        // A reply after the timeout changes nothing.
        customer_writes(&wa, &t, ben, "tomorrow").await;
        assert_eq!(texts_to(&wa, ben), ["For when?"]);
    })
    .await;
}

#[tokio::test]
async fn wait_until_waits_for_the_next_wall_clock_time_in_the_tenants_zone() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("flow-until").await;
        wa.connect_number(&t, PNID, WABA).await;
        let r = wa
            .patch(
                "/api/v1/tenant",
                Auth::ApiKey(&t.api_key),
                json!({ "time_zone": "America/New_York" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let tag = crate::crm_tags::tag(&wa, &t, "nurture", "#22aa66").await;
        let c =
            crate::crm_contacts::contact(&wa, &t, json!({ "phone": "+15550409101", "name": "Cy" }))
                .await;
        // Monday 2027-03-08 12:00 in New York (17:00 UTC, standard time).
        wa.clock
            .set(domain::Timestamp::from_millis(1_804_525_200_000));
        let id = workflow(
            &wa,
            &t,
            "Morning nudge",
            json!({
                "trigger": {"type": "tag_added", "tag_id": tag},
                "steps": [
                    {"type": "wait_until", "time": "09:00", "days": ["mon"]},
                    {"type": "add_note", "text": "Good morning"}
                ]
            }),
        )
        .await;
        set_tag(&wa, &t, c["id"].as_str().unwrap(), &tag, true).await;
        wa.drain().await;
        let waiting = runs(&wa, &t, &id).await[0].clone();
        // The next Monday 09:00 is after the clocks went forward (on
        // 2027-03-14): 09:00 daylight time, 13:00 UTC.
        assert_eq!(
            waiting["wake_at"],
            json!("2027-03-15T13:00:00Z"),
            "{waiting}"
        );
        wa.clock
            .set(domain::Timestamp::from_millis(1_805_115_600_000 - 1000));
        wa.drain().await;
        let r = run(&wa, &t, waiting["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("waiting"), "{r}");
        wa.advance(1);
        wa.drain().await;
        let r = run(&wa, &t, waiting["id"].as_str().unwrap()).await;
        assert_eq!(r["status"], json!("completed"), "{r}");
        assert_eq!(
            r["steps"][0]["output"]["time_zone"],
            json!("America/New_York")
        );
    })
    .await;
}
