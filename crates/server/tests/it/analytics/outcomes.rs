//! What sending and bookings came to: a campaign whose four messages the
//! sandbox reads, delivers unread, fails and reads, with one reply inside
//! 72 hours and one after; a template sent on its own another day; and
//! bookings counted on the day they start, by status, moved by a
//! reschedule, with the no-show rate.

use super::{customer_writes, instant, next_monday, report, row, set_clocks, sign_in};
use crate::booking::{at, date, mornings, resource, service, settings, to_monday};
use crate::campaigns::{PNID, WABA, act, contact, create, offer_template, stats};
use domain::TenantId;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

/// A campaign's or a template's figures.
fn funnel(sent: i64, delivered: i64, read: i64, replied: i64, failed: i64) -> Value {
    json!({ "sent": sent, "delivered": delivered, "read": read, "replied": replied,
            "failed": failed })
}

fn with(mut a: Value, b: Value) -> Value {
    for (k, v) in b.as_object().unwrap() {
        a[k] = v.clone();
    }
    a
}

#[tokio::test]
async fn campaigns_and_templates_count_on_the_day_queued_with_replies_within_72_hours() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let mut t = wa.create_tenant("an-campaigns").await;
        let channel = wa.connect_number(&t, PNID, WABA).await;
        let template = offer_template(&wa, &t, Some(&wa)).await;
        // Customer 0 reads, 1 has read receipts off, 2 cannot be reached,
        // 3 reads.
        let phones: Vec<String> = (0..4).map(|i| format!("1555044020{i}")).collect();
        let mut contacts = Vec::new();
        for (i, p) in phones.iter().enumerate() {
            let name = format!("Customer {i}");
            contacts.push(contact(&wa, &t, &format!("+{p}"), Some(&name)).await);
        }
        let profile = |reachable: bool, read_receipts: bool| sandbox::CustomerProfile {
            name: "Sandbox Customer".into(),
            reachable,
            read_receipts,
        };
        wa.sandbox.set_customer(&phones[1], profile(true, false));
        wa.sandbox.set_customer(&phones[2], profile(false, true));
        wa.drain().await;
        let d = next_monday(&wa);

        // Day D 10:00: the campaign goes out.
        set_clocks(&wa, instant(d, 10, 0));
        t.owner.token = sign_in(&wa, &t, &t.owner).await;
        let body = json!({
            "name": "Winter offer", "channel_id": channel, "template_id": template,
            "variables": [{ "parameter": "1", "text": "{{contact.first_name}}" },
                          { "parameter": "2", "text": "20%" }],
            "audience": { "contact_ids": contacts },
        });
        let campaign = create(&wa, &t, body).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = act(&wa, &t, &campaign, "start", json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.eventually("every status is in", || async {
            let s = stats(&wa, &t, &campaign).await;
            (
                s["read"].clone(),
                s["delivered"].clone(),
                s["failed"].clone(),
            ) == (json!(2), json!(1), json!(1))
        })
        .await;

        // 12:00: customer 3 answers (a reply); D+3 18:00, 80 hours on,
        // customer 1 writes (too late to be one).
        set_clocks(&wa, instant(d, 12, 0));
        customer_writes(&wa, &t, PNID, &phones[3], "Yes please!").await;
        // D+1 09:00: the template on its own, to customer 0, who reads it.
        set_clocks(&wa, instant(d + 1, 9, 0));
        let send = json!({ "to": phones[0], "type": "template", "template": {
            "name": "offer", "language": { "code": "en_US" },
            "components": [{ "type": "body", "parameters": [
                { "type": "text", "text": "Ana" }, { "type": "text", "text": "5%" }] }] } });
        let key = Auth::ApiKey(&t.api_key);
        let r = wa.post("/api/v1/messages", key, send).await;
        assert_eq!(r.status, 202, "{}", r.body);
        let alone = r.body["id"].as_str().unwrap().to_owned();
        let conversation = r.body["conversation_id"].as_str().unwrap().to_owned();
        wa.eventually("the template alone is read", || async {
            let path = format!("/api/v1/conversations/{conversation}/messages?limit=200");
            let items = wa.get(&path, key).await.body["items"].clone();
            row(&items, "id", &alone)["status"] == json!("read")
        })
        .await;
        set_clocks(&wa, instant(d + 3, 18, 0));
        customer_writes(&wa, &t, PNID, &phones[1], "Is it still on?").await;
        wa.drain().await;

        let (from, to) = (date(d), date(d + 3));
        let r = report(&wa, key, "campaigns", &from, &to).await;
        assert_eq!(r["time_zone"], json!("UTC"));
        let result =
            json!({ "campaign_id": campaign, "name": "Winter offer", "template": "offer" });
        let figures = funnel(3, 3, 2, 1, 1);
        assert_eq!(r["campaigns"], json!([with(result, figures)]), "{r}");
        // The template: the campaign's four and the one alone (no replies
        // are counted for templates).
        let offer = with(json!({ "template": "offer" }), funnel(4, 4, 3, 0, 1));
        assert_eq!(r["templates"], json!([offer]));
        assert_eq!(r["totals"], funnel(4, 4, 3, 0, 1), "every template's");
        assert_eq!(
            r["previous"],
            funnel(0, 0, 0, 0, 0),
            "nothing the days before"
        );
        let days: Vec<Value> = [
            (d, funnel(3, 3, 2, 0, 1)),
            (d + 1, funnel(1, 1, 1, 0, 0)),
            (d + 2, funnel(0, 0, 0, 0, 0)),
            (d + 3, funnel(0, 0, 0, 0, 0)),
        ]
        .into_iter()
        .map(|(day, f)| with(json!({ "day": date(day) }), f))
        .collect();
        assert_eq!(r["template_days"], json!(days));

        // Only D+1: the template alone, no campaign.
        let next = report(&wa, key, "campaigns", &date(d + 1), &date(d + 1)).await;
        assert_eq!(next["campaigns"], json!([]));
        let one = with(json!({ "template": "offer" }), funnel(1, 1, 1, 0, 0));
        assert_eq!(next["templates"], json!([one]));

        // The messages report agrees: five out (all templates), one failed,
        // two in.
        let m = report(&wa, key, "messages", &from, &to).await;
        let totals = &m["totals"];
        let got = (
            &totals["messages_out"],
            &totals["messages_failed"],
            &totals["messages_in"],
        );
        assert_eq!(got, (&json!(5), &json!(1), &json!(2)), "{m}");
        assert_eq!(
            row(&m["kinds"], "kind", "template")["messages_out"],
            json!(5)
        );

        // As CSV.
        let rows = super::csv(&wa, key, "campaigns", &from, &to).await;
        let header = [
            "campaign_id",
            "name",
            "template",
            "sent",
            "delivered",
            "read",
            "replied",
            "failed",
        ];
        assert_eq!(rows[0], header);
        let line = [
            campaign.as_str(),
            "Winter offer",
            "offer",
            "3",
            "3",
            "2",
            "1",
            "1",
        ];
        assert_eq!(rows[1..], [line.map(String::from).to_vec()]);

        // Counted again from history: the same.
        let tenant: TenantId = t.id.parse().unwrap();
        server::analytics::rebuild::rebuild_tenant(&wa.state, tenant)
            .await
            .unwrap();
        assert_eq!(report(&wa, key, "campaigns", &from, &to).await, r);
        wa.stop().await;
    })
    .await;
}

/// `t`'s bookings report for `from..=to` with its key.
async fn bookings(app: &TestApp, t: &TestTenant, from: i64, to: i64) -> Value {
    report(
        app,
        Auth::ApiKey(&t.api_key),
        "bookings",
        &date(from),
        &date(to),
    )
    .await
}

/// Bookings by status: total, pending, confirmed, completed, cancelled,
/// no-show, and the rate.
fn counted(figures: [i64; 6], rate: Value) -> Value {
    let [total, pending, confirmed, completed, cancelled, no_show] = figures;
    json!({ "total": total, "pending": pending, "confirmed": confirmed,
            "completed": completed, "cancelled": cancelled, "no_show": no_show,
            "no_show_rate": rate })
}

#[tokio::test]
async fn bookings_count_on_their_start_day_by_status_and_move_when_rescheduled() {
    each_engine(|app| async move {
        let t = app.create_tenant("an-bookings").await;
        let key = Auth::ApiKey(&t.api_key);
        let body = json!({ "time_zone": "UTC", "weekly": mornings(), "slot_minutes": 30,
            "min_notice_minutes": 0 });
        settings(&app, &t, body).await;
        let body = json!({ "name": "Haircut", "currency": "EUR", "price_minor": 2500,
            "duration_minutes": 60 });
        let cut = service(&app, &t, body).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let body = json!({ "name": "Beard trim", "currency": "EUR", "duration_minutes": 30 });
        let trim = service(&app, &t, body).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        resource(&app, &t, json!({ "name": "Chair", "capacity": 5 })).await;
        let who = crate::booking::contact(&app, &t, "+15550440301", "Ana Lima").await;
        let monday = to_monday(&app);
        let (tue, wed, thu) = (monday + 1, monday + 2, monday + 3);
        let book = |service: &str, starts: String| {
            let body = json!({ "service_id": service, "contact_id": who, "starts_at": starts,
                "notify": false });
            let app = &app;
            async move {
                let r = app.post("/api/v1/bookings", key, body).await;
                assert_eq!(r.status, 201, "{}", r.body);
                r.body["id"].as_str().unwrap().to_owned()
            }
        };
        let set = |id: String, action: &'static str, body: Value| {
            let app = &app;
            async move {
                let r = app
                    .post(&format!("/api/v1/bookings/{id}/{action}"), key, body)
                    .await;
                assert_eq!(r.status, 200, "{action}: {}", r.body);
            }
        };
        // Made on Monday; they start later in the week.
        let done = book(&cut, at(tue, 10, 0)).await;
        let missed = book(&cut, at(tue, 11, 0)).await;
        book(&trim, at(wed, 9, 0)).await;
        let dropped = book(&cut, at(wed, 10, 0)).await;
        let moved = book(&cut, at(tue, 9, 0)).await;
        app.drain().await;
        let tuesday = bookings(&app, &t, tue, tue).await;
        assert_eq!(tuesday["totals"], counted([3, 0, 3, 0, 0, 0], Value::Null));

        let status = |s: &str| json!({ "status": s, "notify": false });
        set(done, "status", status("completed")).await;
        set(missed, "status", status("no_show")).await;
        set(dropped, "status", status("cancelled")).await;
        let body = json!({ "starts_at": at(thu, 10, 0), "notify": false });
        set(moved, "reschedule", body).await;
        app.drain().await;

        // Tuesday: one completed, one missed: 50.0 %.
        let r = bookings(&app, &t, tue, tue).await;
        let half = json!(50.0);
        assert_eq!(
            r["totals"],
            counted([2, 0, 0, 1, 0, 1], half.clone()),
            "{r}"
        );
        let cut_row = row(&r["services"], "service_id", &cut);
        assert_eq!(cut_row["name"], json!("Haircut"));
        assert_eq!(r["services"].as_array().unwrap().len(), 1);
        // Monday, when they were made: none start then.
        let r = bookings(&app, &t, monday, monday).await;
        assert_eq!(r["totals"], counted([0; 6], Value::Null));
        assert_eq!(r["services"], json!([]));
        // Thursday: the one moved there.
        let r = bookings(&app, &t, thu, thu).await;
        assert_eq!(r["totals"], counted([1, 0, 1, 0, 0, 0], Value::Null));
        // Friday, against the day before it: Thursday's one.
        let r = bookings(&app, &t, thu + 1, thu + 1).await;
        assert_eq!(r["totals"], counted([0; 6], Value::Null));
        assert_eq!(r["previous"], counted([1, 0, 1, 0, 0, 0], Value::Null));

        // The week: each service.
        let r = bookings(&app, &t, tue, thu).await;
        assert_eq!(r["totals"], counted([5, 0, 2, 1, 1, 1], half.clone()));
        let of = |id: &str| {
            let mut v = row(&r["services"], "service_id", id).clone();
            v.as_object_mut().unwrap().remove("service_id");
            v.as_object_mut().unwrap().remove("name");
            v
        };
        assert_eq!(of(&cut), counted([4, 0, 1, 1, 1, 1], half));
        assert_eq!(of(&trim), counted([1, 0, 1, 0, 0, 0], Value::Null));
        let rows = super::csv(&app, key, "bookings", &date(tue), &date(thu)).await;
        let header = [
            "service_id",
            "name",
            "total",
            "pending",
            "confirmed",
            "completed",
            "cancelled",
            "no_show",
            "no_show_rate",
        ];
        assert_eq!(rows[0], header);
        let line = |id: &str| rows.iter().find(|l| l[0] == id).cloned().unwrap();
        assert_eq!(
            line(&cut),
            [cut.as_str(), "Haircut", "4", "0", "1", "1", "1", "1", "50"]
        );
        assert_eq!(
            line(&trim),
            [
                trim.as_str(),
                "Beard trim",
                "1",
                "0",
                "1",
                "0",
                "0",
                "0",
                ""
            ]
        );
    })
    .await;
}
