//! The messages report in the workspace's own days: a message at 02:00
//! UTC is the evening before in São Paulo (UTC−3, no daylight saving);
//! each number, each kind, the busiest hours and the span before; the same
//! messages moved to Kolkata's days (UTC+5:30) once the zone changes; and
//! counts that a second drain, a batch lost to a crash or a rebuild leave
//! as they were.

use super::{
    customer_sends, customer_writes, instant, next_monday, reply, report, set_clocks, set_zone,
    sign_in, update_conversation,
};
use crate::booking::date;
use domain::{Role, TenantId};
use serde_json::{Value, json};
use server::analytics::consumer::Rollup;
use server::events::Consumer;
use testkit::{Auth, TestTenant, WhatsAppTest, each_engine_with_sandbox};

const PNID_A: &str = "106540352244001";
const WABA_A: &str = "102290129344001";
const PNID_B: &str = "106540352244002";
const WABA_B: &str = "102290129344002";
/// Customers: C1 and C3 write to number A, C2 to number B.
const C1: &str = "15550440001";
const C2: &str = "15550440002";
const C3: &str = "15550440003";

/// What [`scenario`] leaves: the tenant, its numbers and the Monday.
struct Scene {
    t: TestTenant,
    a: String,
    b: String,
    monday: i64,
}

/// A São Paulo workspace with numbers A and B and an agent; then, by the
/// UTC clock (local time in brackets), with Monday as day M:
///
/// 1. Sat M−2 15:00 (Sat 12:00): C3 writes to A (a conversation opens).
/// 2. Mon M 02:00 (Sun 23:00): C1 writes to A (a conversation opens).
/// 3. Mon 13:00 (Mon 10:00): C1 writes again.
/// 4. Mon 13:05 (Mon 10:05): the agent answers C1.
/// 5. Mon 14:00 (Mon 11:00): C2 sends B a location (a conversation opens).
/// 6. Mon 14:10 (Mon 11:10): the agent answers C2.
/// 7. Tue M+1 01:30 (Mon 22:30): C2 writes to B.
/// 8. Tue 04:00 (Tue 01:00): C1's conversation is resolved.
async fn scenario(wa: &WhatsAppTest, slug: &str) -> Scene {
    super::two_numbers(wa).await;
    let t = wa.create_tenant(slug).await;
    set_zone(wa, &t, "America/Sao_Paulo").await;
    let a = wa.connect_number(&t, PNID_A, WABA_A).await;
    let b = wa.connect_number(&t, PNID_B, WABA_B).await;
    let agent = wa.add_user(&t, Role::Agent, "agent").await;
    wa.drain().await;
    let m = next_monday(wa);

    set_clocks(wa, instant(m - 2, 15, 0));
    customer_writes(wa, &t, PNID_A, C3, "Are you open on Sundays?").await;
    set_clocks(wa, instant(m, 2, 0));
    let c1 = customer_writes(wa, &t, PNID_A, C1, "Late question").await;
    set_clocks(wa, instant(m, 13, 0));
    let again = customer_writes(wa, &t, PNID_A, C1, "Anyone there?").await;
    assert_eq!(again, c1, "the same conversation");
    set_clocks(wa, instant(m, 13, 5));
    let token = sign_in(wa, &t, &agent).await;
    reply(wa, Auth::Bearer(&token), &c1, "Yes, how can I help?").await;
    set_clocks(wa, instant(m, 14, 0));
    let location = sandbox::InboundContent::Location {
        latitude: -23.55,
        longitude: -46.63,
        name: None,
        address: None,
        url: None,
    };
    let msg = sandbox::InboundMessage::new(PNID_B, C2, location);
    let c2 = customer_sends(wa, &t, msg).await;
    set_clocks(wa, instant(m, 14, 10));
    let token = sign_in(wa, &t, &agent).await;
    reply(wa, Auth::Bearer(&token), &c2, "On our way").await;
    set_clocks(wa, instant(m + 1, 1, 30));
    customer_writes(wa, &t, PNID_B, C2, "Thanks!").await;
    set_clocks(wa, instant(m + 1, 4, 0));
    update_conversation(wa, &t, &c1, json!({ "status": "resolved" })).await;
    wa.drain().await;
    Scene { t, a, b, monday: m }
}

/// A day's row: in, out, failed, opened, resolved.
fn day(day: i64, figures: [i64; 5]) -> Value {
    let [i, o, f, op, re] = figures;
    json!({ "day": date(day), "messages_in": i, "messages_out": o, "messages_failed": f,
            "conversations_opened": op, "conversations_resolved": re })
}

/// A grid of the week with the given (weekday from Monday, hour) cells at 1.
fn grid(cells: &[(usize, usize)]) -> Value {
    let mut g = vec![vec![0i64; 24]; 7];
    for &(d, h) in cells {
        g[d][h] += 1;
    }
    json!(g)
}

#[tokio::test]
async fn messages_count_on_the_workspaces_local_day_hour_number_and_kind() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let s = scenario(&wa, "an-days").await;
        let m = s.monday;
        let key = Auth::ApiKey(&s.t.api_key);
        // Sunday M−1 to Tuesday M+1, São Paulo's days.
        let r = report(&wa, key, "messages", &date(m - 1), &date(m + 1)).await;
        assert_eq!(r["time_zone"], json!("America/Sao_Paulo"));
        assert_eq!(r["span"], json!({ "from": date(m - 1), "to": date(m + 1) }));
        assert_eq!(
            r["previous_span"],
            json!({ "from": date(m - 4), "to": date(m - 2) })
        );
        // 02:00 UTC on Monday is Sunday 23:00 in São Paulo; 01:30 UTC on
        // Tuesday is still Monday there; the resolution at 04:00 UTC on
        // Tuesday is Tuesday 01:00.
        let days = json!([
            day(m - 1, [1, 0, 0, 1, 0]),
            day(m, [3, 2, 0, 1, 0]),
            day(m + 1, [0, 0, 0, 0, 1]),
        ]);
        assert_eq!(r["days"], days, "{r}");
        let totals = json!({ "messages_in": 4, "messages_out": 2, "messages_failed": 0,
            "conversations_opened": 2, "conversations_resolved": 1 });
        assert_eq!(r["totals"], totals);
        // Saturday's message is the span before's.
        let previous = json!({ "messages_in": 1, "messages_out": 0, "messages_failed": 0,
            "conversations_opened": 1, "conversations_resolved": 0 });
        assert_eq!(r["previous"], previous);

        let phone = |id: &str| {
            let path = format!("/api/v1/channels/{id}");
            let app = &wa;
            async move { app.get(&path, key).await.body["display_phone_number"].clone() }
        };
        let a = json!({ "channel_id": s.a, "phone": phone(&s.a).await,
            "messages_in": 2, "messages_out": 1, "messages_failed": 0 });
        let b = json!({ "channel_id": s.b, "phone": phone(&s.b).await,
            "messages_in": 2, "messages_out": 1, "messages_failed": 0 });
        assert!(a["phone"].is_string(), "{a}");
        let mut numbers = vec![a, b];
        numbers.sort_by_key(|n| n["channel_id"].as_str().unwrap().to_owned());
        assert_eq!(r["numbers"], json!(numbers));
        // Most used first.
        let kinds = json!([
            { "kind": "text", "messages_in": 3, "messages_out": 2 },
            { "kind": "location", "messages_in": 1, "messages_out": 0 },
        ]);
        assert_eq!(r["kinds"], kinds);
        // Customers' messages: Sunday 23h; Monday 10h, 11h and 22h.
        assert_eq!(
            r["busiest_hours"],
            grid(&[(6, 23), (0, 10), (0, 11), (0, 22)])
        );

        // The CSV has the same days.
        let rows = super::csv(&wa, key, "messages", &date(m - 1), &date(m + 1)).await;
        let header = [
            "day",
            "messages_in",
            "messages_out",
            "messages_failed",
            "conversations_opened",
            "conversations_resolved",
        ];
        assert_eq!(rows[0], header);
        let body: Vec<Vec<String>> = [
            (m - 1, [1, 0, 0, 1, 0]),
            (m, [3, 2, 0, 1, 0]),
            (m + 1, [0, 0, 0, 0, 1]),
        ]
        .iter()
        .map(|(d, f)| {
            let mut line = vec![date(*d)];
            line.extend(f.iter().map(i64::to_string));
            line
        })
        .collect();
        assert_eq!(rows[1..], body[..]);

        // One day alone: Monday, against Sunday.
        let r = report(&wa, key, "messages", &date(m), &date(m)).await;
        assert_eq!(r["days"], json!([day(m, [3, 2, 0, 1, 0])]));
        assert_eq!(r["previous"]["messages_in"], json!(1));
        assert_eq!(r["busiest_hours"], grid(&[(0, 10), (0, 11), (0, 22)]));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn a_new_time_zone_moves_the_same_messages_to_its_days_and_counts_stay_exact() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let s = scenario(&wa, "an-rezone").await;
        let (m, t) = (s.monday, &s.t);
        let key = Auth::ApiKey(&t.api_key);
        let (from, to) = (date(m - 1), date(m + 1));
        let sunday = report(&wa, key, "messages", &from, &from).await;
        assert_eq!(
            sunday["totals"]["messages_in"],
            json!(1),
            "São Paulo's Sunday"
        );

        // In Kolkata (UTC+5:30): Saturday 20:30 (C3); Monday 07:30, 18:30
        // (C1) and 19:30 (C2); Tuesday 07:00 (C2); the answers at 18:35 and
        // 19:40 on Monday; the resolution on Tuesday 09:30.
        set_zone(&wa, t, "Asia/Kolkata").await;
        wa.drain().await;
        let r = report(&wa, key, "messages", &from, &to).await;
        assert_eq!(r["time_zone"], json!("Asia/Kolkata"));
        let days = json!([
            day(m - 1, [0, 0, 0, 0, 0]),
            day(m, [3, 2, 0, 2, 0]),
            day(m + 1, [1, 0, 0, 0, 1]),
        ]);
        assert_eq!(r["days"], days, "{r}");
        assert_eq!(
            r["busiest_hours"],
            grid(&[(0, 7), (0, 18), (0, 19), (1, 7)])
        );
        assert_eq!(r["previous"]["messages_in"], json!(1), "Saturday still");
        assert_eq!(r["previous"]["conversations_opened"], json!(1));

        // Drained again: nothing changes.
        wa.drain().await;
        assert_eq!(report(&wa, key, "messages", &from, &to).await, r);

        // A batch handled and lost (the node died before its commit) is
        // handled again, once: the agent's answer on Tuesday 12:00 UTC
        // (17:30 in Kolkata) is one more message out on Tuesday.
        set_clocks(&wa, instant(m + 1, 12, 0));
        let conversation = customer_writes(&wa, t, PNID_B, C2, "One more thing").await;
        let r = report(&wa, key, "messages", &from, &to).await;
        assert_eq!(r["days"][2], day(m + 1, [2, 0, 0, 0, 1]));
        let body = json!({ "conversation_id": conversation, "type": "text",
            "text": { "body": "Sure" } });
        let sent = wa.post("/api/v1/messages", key, body).await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        let tenant: TenantId = t.id.parse().unwrap();
        let mut tx = wa.state.store.tenant(tenant).await.unwrap();
        let start = store::events::CursorStart::Latest;
        let at = tx.lock_cursor("analytics", start).await.unwrap();
        let batch = tx.events_after(at, 500).await.unwrap();
        assert!(
            batch.iter().any(|e| e.name == "message.queued"),
            "{batch:?}"
        );
        let rollup = Rollup {
            now: wa.state.now(),
        };
        rollup.handle(&mut tx, &batch).await.unwrap();
        drop(tx);
        wa.drain().await;
        let after = report(&wa, key, "messages", &from, &to).await;
        assert_eq!(after["days"][2], day(m + 1, [2, 1, 0, 0, 1]), "{after}");
        assert_eq!(after["totals"]["messages_out"], json!(3));

        // Counting again from history gives the same figures.
        server::analytics::rebuild::rebuild_tenant(&wa.state, tenant)
            .await
            .unwrap();
        assert_eq!(report(&wa, key, "messages", &from, &to).await, after);
        wa.drain().await;
        assert_eq!(report(&wa, key, "messages", &from, &to).await, after);
        wa.stop().await;
    })
    .await;
}
