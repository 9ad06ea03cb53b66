//! Business hours: the welcome message on a conversation's first message
//! only, the away message once per closed period (again in the next,
//! never inside hours, on holidays too), a number's schedule over the
//! workspace's, replays that send nothing twice, and the API's checks,
//! scopes and permissions. The clocks (the server's and the sandbox's)
//! are moved, never waited on.

use super::WABA;
use serde_json::{Value, json};
use server::automations::hours::is_open_in;
use server::events::Consumer;
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

const PNID: &str = "106540352242971";
const PNID2: &str = "106540352242972";
const WABA2: &str = "102290129340499";
const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Moves the server's and the sandbox's clocks `secs` forward.
fn advance(wa: &WhatsAppTest, secs: i64) {
    wa.advance(secs);
    wa.sandbox
        .advance_clock(std::time::Duration::from_secs(secs.unsigned_abs()));
}

/// Moves both clocks to the next Monday at least a day away, 00:00 UTC;
/// that Monday's day number since the epoch.
fn to_monday(wa: &WhatsAppTest) -> i64 {
    let now = wa.state.now().as_millis() / 1000;
    // Day 0 (1 January 1970) was a Thursday: Mondays are days 4, 11, …
    let mut day = now / DAY + 2;
    while (day + 3) % 7 != 0 {
        day += 1;
    }
    advance(wa, day * DAY - now);
    day
}

fn date(day: i64) -> String {
    jiff::Timestamp::from_second(day * DAY)
        .unwrap()
        .strftime("%Y-%m-%d")
        .to_string()
}

fn weekdays(range: Value) -> Value {
    json!({ "monday": [range], "tuesday": [range], "wednesday": [range],
            "thursday": [range], "friday": [range] })
}

async fn put_hours(app: &TestApp, t: &TestTenant, path: &str, body: Value) -> Value {
    let r = app.put(path, Auth::ApiKey(&t.api_key), body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body.clone()
}

async fn received(app: &TestApp, t: &TestTenant) -> usize {
    let names = crate::crm_notes::event_names(app, t).await;
    names.iter().filter(|n| *n == "message.received").count()
}

/// Customer `wa_id` writes `text` to number `pnid`; returns once it is
/// stored and everything it causes has run.
async fn writes(wa: &WhatsAppTest, t: &TestTenant, pnid: &str, wa_id: &str, text: &str) {
    let before = received(wa, t).await;
    wa.sandbox.send_text(pnid, wa_id, text).unwrap();
    wa.eventually("the message is stored", || async {
        received(wa, t).await > before
    })
    .await;
    wa.drain().await;
}

/// The texts customer `wa_id` got from number `pnid`.
fn texts(wa: &WhatsAppTest, pnid: &str, wa_id: &str) -> Vec<String> {
    wa.sandbox
        .received(pnid, wa_id)
        .iter()
        .filter(|m| m.kind == "text")
        .map(|m| m.content["body"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn welcome_on_a_first_message_and_away_once_per_closed_period() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("hours-messages").await;
        wa.connect_number(&t, PNID, WABA).await;
        let monday = to_monday(&wa);
        // Weekdays 09:00–17:00 UTC; that Wednesday is a holiday.
        put_hours(
            &wa,
            &t,
            "/api/v1/business-hours",
            json!({
                "time_zone": "UTC", "weekly": weekdays(json!({"start": "09:00", "end": "17:00"})),
                "holidays": [date(monday + 2)],
                "welcome_message": "Welcome!", "away_message": "We are closed",
            }),
        )
        .await;
        let (ann, bob) = ("15550420001", "15550420002");

        // Monday 10:00: open. The first message is welcomed, once.
        advance(&wa, 10 * HOUR);
        writes(&wa, &t, PNID, ann, "hi").await;
        assert_eq!(texts(&wa, PNID, ann), ["Welcome!"]);
        writes(&wa, &t, PNID, ann, "are you there?").await;
        assert_eq!(
            texts(&wa, PNID, ann),
            ["Welcome!"],
            "no away inside hours, one welcome"
        );

        // Monday 18:00: closed. Away once for the evening and the night.
        advance(&wa, 8 * HOUR);
        writes(&wa, &t, PNID, ann, "hello?").await;
        assert_eq!(texts(&wa, PNID, ann), ["Welcome!", "We are closed"]);
        advance(&wa, 2 * HOUR);
        writes(&wa, &t, PNID, ann, "anyone?").await;
        advance(&wa, 12 * HOUR);
        writes(&wa, &t, PNID, ann, "good morning").await;
        assert_eq!(
            texts(&wa, PNID, ann).len(),
            2,
            "Tuesday 08:00 is the same closed period"
        );

        // Tuesday 10:00 open; 18:00 the next closed period: away again.
        advance(&wa, 2 * HOUR);
        writes(&wa, &t, PNID, ann, "thanks").await;
        assert_eq!(texts(&wa, PNID, ann).len(), 2);
        advance(&wa, 8 * HOUR);
        writes(&wa, &t, PNID, ann, "one more thing").await;
        assert_eq!(
            texts(&wa, PNID, ann),
            ["Welcome!", "We are closed", "We are closed"]
        );

        // Wednesday 10:00 is a holiday: closed. Bob is welcomed and told;
        // for Ann it is still the period that began Tuesday 17:00.
        advance(&wa, 16 * HOUR);
        writes(&wa, &t, PNID, bob, "hello").await;
        let mut got = texts(&wa, PNID, bob);
        got.sort();
        assert_eq!(got, ["We are closed", "Welcome!"]);
        writes(&wa, &t, PNID, ann, "still there?").await;
        assert_eq!(texts(&wa, PNID, ann).len(), 3);

        // The whole log handled again sends nothing twice.
        let tenant: domain::TenantId = t.id.parse().unwrap();
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        let events = tx.events_after(0, 10_000).await.unwrap();
        let replies = server::automations::hours::replies::Replies {
            now: wa.state.now(),
        };
        replies.handle(&mut tx, &events).await.unwrap();
        tx.commit().await.unwrap();
        wa.drain().await;
        assert_eq!(texts(&wa, PNID, ann).len(), 3);
        assert_eq!(texts(&wa, PNID, bob).len(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_numbers_schedule_overrides_the_workspaces() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let op = wa.operator_token().await;
        let limits = json!({ "limits": { "messages_per_month": 1000, "agents": 5, "numbers": 2, "contacts": 100 } });
        let r = wa.patch("/api/v1/operator/plans/starter", Auth::Bearer(&op), limits).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let t = wa.create_tenant("hours-numbers").await;
        let one: domain::ChannelId = wa.connect_number(&t, PNID, WABA).await.parse().unwrap();
        let two: domain::ChannelId = wa.connect_number(&t, PNID2, WABA2).await.parse().unwrap();
        // The workspace is closed all week; number two is open all day,
        // every day, in New York.
        put_hours(&wa, &t, "/api/v1/business-hours", json!({ "away_message": "The workspace is closed" })).await;
        let all_day = json!([{"start": "00:00", "end": "24:00"}]);
        let week = json!({ "monday": all_day, "tuesday": all_day, "wednesday": all_day,
            "thursday": all_day, "friday": all_day, "saturday": all_day, "sunday": all_day });
        let own = format!("/api/v1/channels/{two}/business-hours");
        let body = put_hours(&wa, &t, &own, json!({
            "time_zone": "America/New_York", "weekly": week, "away_message": "Number two is closed",
        })).await;
        assert_eq!((&body["channel_id"], &body["open_now"]), (&json!(two), &json!(true)));

        writes(&wa, &t, PNID, "15550430001", "hi").await;
        writes(&wa, &t, PNID2, "15550430001", "hi").await;
        assert_eq!(texts(&wa, PNID, "15550430001"), ["The workspace is closed"]);
        assert!(texts(&wa, PNID2, "15550430001").is_empty(), "number two's own hours: open");

        // What conditions ask.
        let tenant: domain::TenantId = t.id.parse().unwrap();
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        let now = wa.state.now();
        assert!(!is_open_in(&mut tx, Some(one), now).await.unwrap());
        assert!(is_open_in(&mut tx, Some(two), now).await.unwrap());
        assert!(!is_open_in(&mut tx, None, now).await.unwrap(), "no number: the workspace's");
        tx.commit().await.unwrap();

        // Its own hours closed but disabled: always open, not the
        // workspace's.
        put_hours(&wa, &t, &own, json!({ "enabled": false, "away_message": "Number two is closed" })).await;
        writes(&wa, &t, PNID2, "15550430002", "hello").await;
        assert!(texts(&wa, PNID2, "15550430002").is_empty());
        // Its own hours deleted, the workspace's apply again.
        assert_eq!(wa.delete(&own, Auth::ApiKey(&t.api_key)).await.status, 204);
        writes(&wa, &t, PNID2, "15550430003", "hello").await;
        assert_eq!(texts(&wa, PNID2, "15550430003"), ["The workspace is closed"]);
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        assert!(!is_open_in(&mut tx, Some(two), wa.state.now()).await.unwrap());
        tx.commit().await.unwrap();
    })
    .await;
}

/// Connects a number to `t` in the store (no sandbox); its id.
pub async fn number(app: &TestApp, t: &TestTenant, pnid: &str) -> String {
    let tenant: domain::TenantId = t.id.parse().unwrap();
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    let channel = tx
        .insert_channel(store::channels::NewChannel {
            phone_number_id: pnid,
            waba_id: WABA,
            display_phone_number: "+1 555 0142",
            verified_name: Some("Front desk"),
            access_token_sealed: &app.state.secrets.seal_str("token"),
            app_kind: store::channels::AppKind::Platform,
            app_secret_sealed: None,
            webhook_token_hash: None,
            webhook_token_sealed: None,
            verify_token_sealed: None,
            rate_limit: 80,
            now: app.state.now(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    channel.id.to_string()
}

/// Gives `t` business hours, the workspace's and its first number's (the
/// cross-tenant walk, isolation.rs, probes their routes with real ids).
pub async fn seed(app: &TestApp, t: &TestTenant) {
    let monday = json!({ "monday": [{"start": "09:00", "end": "17:00"}] });
    put_hours(
        app,
        t,
        "/api/v1/business-hours",
        json!({ "weekly": monday }),
    )
    .await;
    let numbers = app.get("/api/v1/channels", Auth::ApiKey(&t.api_key)).await;
    let id = numbers.body["items"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/channels/{id}/business-hours");
    put_hours(
        app,
        t,
        &path,
        json!({ "weekly": monday, "away_message": "Closed" }),
    )
    .await;
}

#[tokio::test]
async fn hours_are_checked_field_by_field_and_kept_to_their_tenant() {
    each_engine(|app| async move {
        let t = app.create_tenant("hours-api").await;
        let key = Auth::ApiKey(&t.api_key);
        assert_eq!(app.get("/api/v1/business-hours", key).await.status, 404, "none yet");
        let r = app.put("/api/v1/business-hours", key, json!({
            "time_zone": "Mars/Olympus",
            "weekly": { "monday": [{"start": "09:00", "end": "12:00"}, {"start": "11:30", "end": "13:00"}],
                        "tuesday": [{"start": "17:00", "end": "09:00"}] },
            "holidays": ["2025-02-30"],
        })).await;
        assert_eq!(r.status, 422, "{}", r.body);
        let mut fields: Vec<&str> = r.body["error"]["fields"].as_array().unwrap().iter()
            .map(|f| f["field"].as_str().unwrap()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["holidays[0]", "time_zone", "weekly.monday[1]", "weekly.tuesday[0].end"]);
        assert_eq!(app.get("/api/v1/business-hours", key).await.status, 404, "nothing stored");

        // The zone defaults to the workspace's; ranges come back sorted.
        let r = app.patch("/api/v1/tenant", Auth::Bearer(&t.owner.token), json!({ "time_zone": "Europe/Lisbon" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let body = put_hours(&app, &t, "/api/v1/business-hours", json!({
            "weekly": { "friday": [{"start": "14:00", "end": "24:00"}, {"start": "08:00", "end": "12:00"}] },
            "holidays": ["2025-12-25"], "welcome_message": "  Hi!  ", "away_message": "",
        })).await;
        assert_eq!(body["time_zone"], "Europe/Lisbon");
        assert_eq!(body["weekly"]["friday"], json!([{"start": "08:00", "end": "12:00"}, {"start": "14:00", "end": "24:00"}]));
        assert_eq!((&body["welcome_message"], &body["away_message"]), (&json!("Hi!"), &Value::Null));
        assert_eq!(body["channel_id"], Value::Null);
        assert_eq!(app.get("/api/v1/business-hours", key).await.body["holidays"], json!(["2025-12-25"]));
        // A PUT replaces the whole schedule.
        let body = put_hours(&app, &t, "/api/v1/business-hours", json!({ "enabled": false })).await;
        assert_eq!((&body["enabled"], &body["holidays"], &body["welcome_message"]), (&json!(false), &json!([]), &Value::Null));
        assert_eq!(body["weekly"]["friday"], json!([]));

        // A number's own, invisible to another tenant.
        let ch = number(&app, &t, "9150000000001").await;
        let own = format!("/api/v1/channels/{ch}/business-hours");
        assert_eq!(app.get(&own, key).await.status, 404, "none of its own yet");
        put_hours(&app, &t, &own, json!({ "time_zone": "America/New_York" })).await;
        assert_eq!(app.get(&own, key).await.body["channel_id"], json!(ch));
        let b = app.create_tenant("hours-api-other").await;
        let bkey = Auth::ApiKey(&b.api_key);
        assert_eq!(app.get(&own, bkey).await.status, 404);
        assert_eq!(app.put(&own, bkey, json!({})).await.status, 404);
        assert_eq!(app.delete(&own, bkey).await.status, 404);
        assert_eq!(app.get("/api/v1/business-hours", bkey).await.status, 404, "A's are not B's");
        assert_eq!(app.get(&own, key).await.status, 200, "untouched");

        assert_eq!(app.delete(&own, key).await.status, 204);
        assert_eq!(app.get(&own, key).await.status, 404);
        assert_eq!(app.delete(&own, key).await.status, 404);
        let names = crate::crm_notes::event_names(&app, &t).await;
        for name in ["business_hours.updated", "business_hours.deleted"] {
            assert!(names.iter().any(|n| n == name), "{name}");
        }
        let mut audit = crate::crm_notes::audit_actions(&app, &t, "business_hours").await;
        audit.sort();
        assert_eq!(audit, ["business_hours.create", "business_hours.create", "business_hours.delete", "business_hours.update"]);
        let agent = app.add_user(&t, domain::Role::Agent, "agent").await;
        assert_eq!(app.get("/api/v1/business-hours", Auth::Bearer(&agent.token)).await.status, 403);
    })
    .await;
}
