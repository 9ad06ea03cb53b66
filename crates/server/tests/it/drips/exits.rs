//! Exits: a reply after the enrolment, the exit tag, the goal tag and an
//! opt-out each end an enrolment under way, and nothing more is sent.

use super::{drip, enrol, history, kinds_to, offer_in_sandbox, offer_step, subscriber};
use crate::automations::{PNID, WABA, customer_writes, set_tag, texts_to};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn drip_reply_after_the_enrolment_ends_it_and_nothing_more_is_sent() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("drip-reply").await;
        wa.connect_number(&t, PNID, WABA).await;
        let customer = "15550611001";
        let contact = customer_writes(&wa, &t, customer, "hi").await;
        let d = drip(
            &wa,
            &t,
            json!({ "name": "Nudges", "steps": [
                {"delay": 1, "unit": "hours", "text": "First nudge"},
                {"delay": 1, "unit": "hours", "text": "Second nudge"}
            ]}),
        )
        .await;
        let id = d["id"].as_str().unwrap();
        enrol(&wa, &t, id, &[&contact]).await;
        // The message the contact wrote before the enrolment ends nothing.
        wa.drain().await;
        assert_eq!(
            subscriber(&wa, &t, id, &contact).await["status"],
            json!("active")
        );

        wa.advance(60);
        customer_writes(&wa, &t, customer, "thanks, I'll have a look").await;
        let s = subscriber(&wa, &t, id, &contact).await;
        assert_eq!(
            (&s["status"], &s["exit_reason"]),
            (&json!("exited"), &json!("replied")),
            "{s}"
        );
        assert!(s["next_at"].is_null(), "{s}");
        wa.advance(3 * 3600);
        wa.drain().await;
        assert!(texts_to(&wa, customer).is_empty());
        assert!(history(&subscriber(&wa, &t, id, &contact).await).is_empty());
        let events = crate::crm_contacts::events(&wa, &t).await;
        let exited: Vec<_> = events
            .iter()
            .filter(|(n, _)| n == "drip.subscriber.exited")
            .collect();
        assert_eq!(exited.len(), 1, "{events:?}");
        assert_eq!(exited[0].1["reason"], json!("replied"));
    })
    .await;
}

#[tokio::test]
async fn drip_exit_tag_goal_tag_and_opt_out_each_end_an_enrolment() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("drip-exits").await;
        wa.connect_number(&t, PNID, WABA).await;
        offer_in_sandbox(&wa);
        let stop = crate::crm_tags::tag(&wa, &t, "not-interested", "#aa2266").await;
        let bought = crate::crm_tags::tag(&wa, &t, "customer", "#22aa66").await;
        let mut contacts = Vec::new();
        for n in 1..=4 {
            let c = crate::crm_contacts::contact(
                &wa,
                &t,
                json!({ "phone": format!("+1555061200{n}") }),
            )
            .await;
            contacts.push(c["id"].as_str().unwrap().to_owned());
        }
        let d = drip(
            &wa,
            &t,
            json!({ "name": "Offers", "exit": {"tag_id": stop, "goal_tag_id": bought},
                    "steps": [offer_step(1, "days"), offer_step(1, "days")] }),
        )
        .await;
        let id = d["id"].as_str().unwrap();
        let all: Vec<&str> = contacts.iter().map(String::as_str).collect();
        assert_eq!(enrol(&wa, &t, id, &all).await, ["enrolled"; 4]);

        set_tag(&wa, &t, &contacts[0], &stop, true).await;
        set_tag(&wa, &t, &contacts[1], &bought, true).await;
        let r = wa
            .patch(
                &format!("/api/v1/contacts/{}", contacts[2]),
                Auth::Bearer(&t.owner.token),
                json!({ "opted_out": true }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let reason = |s: &serde_json::Value| (s["status"].clone(), s["exit_reason"].clone());
        for (c, why) in [(0, "tagged"), (1, "goal"), (2, "opted_out")] {
            let s = subscriber(&wa, &t, id, &contacts[c]).await;
            assert_eq!(reason(&s), (json!("exited"), json!(why)), "{s}");
        }
        // The fourth goes on and gets the first step a day later; the
        // others get nothing.
        wa.advance(86_400);
        wa.eventually("the fourth's first step", || async {
            kinds_to(&wa, "15550612004").len() == 1
        })
        .await;
        for n in 1..=3 {
            assert!(kinds_to(&wa, &format!("1555061200{n}")).is_empty());
        }
        let s = subscriber(&wa, &t, id, &contacts[3]).await;
        assert_eq!(
            (&s["status"], &s["step"]),
            (&json!("active"), &json!(1)),
            "{s}"
        );
        // An opted-out contact is not enrolled again.
        assert_eq!(enrol(&wa, &t, id, &[&contacts[2]]).await, ["opted_out"]);
        // The goal reached between two steps: the second does not go out.
        set_tag(&wa, &t, &contacts[3], &bought, true).await;
        wa.advance(86_400);
        wa.drain().await;
        let s = subscriber(&wa, &t, id, &contacts[3]).await;
        assert_eq!(reason(&s), (json!("exited"), json!("goal")), "{s}");
        assert_eq!(kinds_to(&wa, "15550612004").len(), 1);
    })
    .await;
}
