//! Sending: steps at their delays, a text while the window is open and
//! the template once it closed, a text-only step skipped while it is
//! closed, quiet hours in the contact's or the tenant's zone across a
//! daylight-saving change, and a replayed job that sends nothing twice.

use super::{drip, enrol, history, kinds_to, offer_in_sandbox, offer_step, subscriber};
use crate::automations::{PNID, WABA, customer_writes, texts_to};
use domain::{DripSubscriberId, Timestamp};
use serde_json::json;
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

#[tokio::test]
async fn drip_steps_go_at_their_delays_as_text_while_the_window_is_open_then_as_template() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("drip-window").await;
        wa.connect_number(&t, PNID, WABA).await;
        offer_in_sandbox(&wa);
        let customer = "15550601001";
        let contact = customer_writes(&wa, &t, customer, "hello").await;
        let d = drip(
            &wa,
            &t,
            json!({ "name": "Welcome", "steps": [
                {"delay": 0, "text": "Welcome!"},
                {"delay": 1, "unit": "hours", "text": "A tip for you",
                 "template": {"name": "offer", "language": "en_US", "parameters": ["Ana", "5%"]}},
                {"delay": 2, "unit": "days", "text": "Still there?",
                 "template": {"name": "offer", "language": "en_US", "parameters": ["Ana", "10%"]}}
            ]}),
        )
        .await;
        let id = d["id"].as_str().unwrap();
        assert_eq!(enrol(&wa, &t, id, &[&contact]).await, ["enrolled"]);
        wa.eventually("the first step", || async {
            texts_to(&wa, customer).len() == 1
        })
        .await;
        let s = subscriber(&wa, &t, id, &contact).await;
        assert_eq!(
            (&s["status"], &s["step"]),
            (&json!("active"), &json!(1)),
            "{s}"
        );
        let enrolled = Timestamp::parse_rfc3339(s["enrolled_at"].as_str().unwrap()).unwrap();
        assert_eq!(s["next_at"], json!(enrolled.plus_seconds(3600)), "{s}");

        // Not a second before its delay.
        wa.advance(3599);
        wa.drain().await;
        assert_eq!(history(&subscriber(&wa, &t, id, &contact).await).len(), 1);
        wa.advance(1);
        wa.eventually("the second step", || async {
            texts_to(&wa, customer).len() == 2
        })
        .await;
        assert_eq!(texts_to(&wa, customer), ["Welcome!", "A tip for you"]);

        // Two days on, the window the customer opened has closed: the
        // third step goes as its template.
        wa.advance(2 * 86_400);
        wa.eventually("the template", || async {
            kinds_to(&wa, customer).len() == 3
        })
        .await;
        assert_eq!(kinds_to(&wa, customer), ["text", "text", "template"]);
        let s = subscriber(&wa, &t, id, &contact).await;
        assert_eq!(s["status"], json!("completed"), "{s}");
        assert_eq!(
            history(&s),
            [
                ("sent".to_owned(), "text".to_owned()),
                ("sent".to_owned(), "text".to_owned()),
                ("sent".to_owned(), "template".to_owned())
            ]
        );
        assert!(s["history"][2]["message_id"].is_string(), "{s}");
        let names = crate::crm_notes::event_names(&wa, &t).await;
        for name in [
            "drip.created",
            "drip.subscriber.enrolled",
            "drip.subscriber.completed",
        ] {
            assert_eq!(
                names.iter().filter(|n| *n == name).count(),
                1,
                "{name} in {names:?}"
            );
        }
        assert_eq!(names.iter().filter(|n| *n == "message.queued").count(), 3);
        // The enrolment and its sends are in the execution log.
        let log = wa
            .get(
                "/api/v1/executions?type=drip_subscriber&status=completed",
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(log.status, 200, "{}", log.body);
        let items = log.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", log.body);
        assert_eq!(items[0]["details"]["sent"], json!(3));
        assert_eq!(items[0]["details"]["drip_id"], json!(id));
    })
    .await;
}

#[tokio::test]
async fn drip_text_only_step_is_skipped_while_closed_and_a_replayed_job_sends_nothing_twice() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("drip-replay").await;
        wa.connect_number(&t, PNID, WABA).await;
        offer_in_sandbox(&wa);
        // A contact who never wrote: no window.
        let customer = "15550602001";
        let c = crate::crm_contacts::contact(&wa, &t, json!({ "phone": format!("+{customer}") })).await;
        let contact = c["id"].as_str().unwrap();
        let d = drip(
            &wa,
            &t,
            json!({ "name": "Cold", "steps": [{"text": "Only for an open window"}, offer_step(0, "minutes")] }),
        )
        .await;
        let id = d["id"].as_str().unwrap();
        enrol(&wa, &t, id, &[contact]).await;
        wa.eventually("the template", || async { kinds_to(&wa, customer).len() == 1 })
            .await;
        let s = subscriber(&wa, &t, id, contact).await;
        assert_eq!(s["status"], json!("completed"), "{s}");
        assert_eq!(
            history(&s),
            [
                ("skipped".to_owned(), String::new()),
                ("sent".to_owned(), "template".to_owned())
            ]
        );
        assert!(
            s["history"][0]["detail"].as_str().unwrap().contains("window was closed"),
            "{s}"
        );

        // The steps' jobs run again (a retry after a lost commit, another
        // node): nothing more is sent.
        let tenant = t.id.parse().unwrap();
        let sid: DripSubscriberId = s["id"].as_str().unwrap().parse().unwrap();
        for step in [0, 1] {
            let again =
                server::automations::drips::step::run_step(&wa.state, tenant, sid, step).await;
            assert!(matches!(again, Ok(server::automations::drips::step::Stepped::Nothing)));
            let mut tx = wa.state.store.tenant(tenant).await.unwrap();
            let now = wa.state.now();
            server::automations::drips::jobs::enqueue_step(&mut tx, sid, step, now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        wa.drain().await;
        assert_eq!(kinds_to(&wa, customer).len(), 1);
        assert_eq!(history(&subscriber(&wa, &t, id, contact).await).len(), 2);
        let names = crate::crm_notes::event_names(&wa, &t).await;
        assert_eq!(names.iter().filter(|n| *n == "message.queued").count(), 1);
    })
    .await;
}

#[tokio::test]
async fn drip_quiet_hours_hold_a_step_until_they_end_in_the_contacts_zone_across_dst() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("drip-quiet").await;
        wa.connect_number(&t, PNID, WABA).await;
        offer_in_sandbox(&wa);
        let r = wa
            .patch(
                "/api/v1/tenant",
                Auth::Bearer(&t.owner.token),
                json!({ "time_zone": "America/New_York" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        crate::crm_contacts::attribute(
            &wa,
            &t,
            json!({ "key": "time_zone", "label": "Time zone", "type": "text" }),
        )
        .await;
        let ny = crate::crm_contacts::contact(&wa, &t, json!({ "phone": "+15550603001" })).await;
        let lisbon = crate::crm_contacts::contact(
            &wa,
            &t,
            json!({ "phone": "+15550603002", "attributes": { "time_zone": "Europe/Lisbon" } }),
        )
        .await;
        let (ny, lisbon) = (ny["id"].as_str().unwrap(), lisbon["id"].as_str().unwrap());
        let d = drip(
            &wa,
            &t,
            json!({ "name": "Night owls", "quiet_hours": {"start": "22:00", "end": "08:00"},
                    "steps": [offer_step(0, "minutes"), offer_step(1, "days")] }),
        )
        .await;
        let id = d["id"].as_str().unwrap();

        // 23:30 on Saturday 13 March 2027 in New York (EST); the clocks
        // spring forward that night, so 08:00 on Sunday is 12:00 UTC.
        let at = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        wa.clock.set(at("2027-03-14T04:30:00Z"));
        enrol(&wa, &t, id, &[ny, lisbon]).await;
        wa.drain().await;
        let s = subscriber(&wa, &t, id, ny).await;
        assert_eq!(s["next_at"], json!("2027-03-14T12:00:00Z"), "{s}");
        assert!(history(&s).is_empty());
        // The Lisbon contact's own zone: 04:30 there, quiet until 08:00.
        let s = subscriber(&wa, &t, id, lisbon).await;
        assert_eq!(s["next_at"], json!("2027-03-14T08:00:00Z"), "{s}");

        wa.clock.set(at("2027-03-14T11:59:00Z"));
        wa.eventually("Lisbon's first step", || async {
            kinds_to(&wa, "15550603002").len() == 1
        })
        .await;
        assert!(history(&subscriber(&wa, &t, id, ny).await).is_empty());
        wa.clock.set(at("2027-03-14T12:00:00Z"));
        wa.eventually("New York's first step", || async {
            kinds_to(&wa, "15550603001").len() == 1
        })
        .await;
        // The next, a day later: 08:00 EDT on Monday is not quiet.
        let s = subscriber(&wa, &t, id, ny).await;
        assert_eq!(s["next_at"], json!("2027-03-15T12:00:00Z"), "{s}");
    })
    .await;
}
