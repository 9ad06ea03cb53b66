//! Response times against the workspace's targets: four conversations
//! with known gaps, answered by agents (signed in, or through the API key
//! while assigned), resolved through the API, one still waiting; the
//! median and 90th percentile by nearest rank, per agent and overall; the
//! breaches, ongoing ones included; a workflow's automatic answer is not a
//! first response, and its run is counted in the automations report.

use super::{
    customer_writes, instant, next_monday, reply, report, row, set_clocks, sign_in,
    update_conversation,
};
use crate::booking::date;
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, WhatsAppTest, each_engine_with_sandbox};

const PNID: &str = "106540352244101";
const WABA: &str = "102290129344101";

/// First response and resolution times: (count, median, p90) of each,
/// and the breaches.
fn perf(first: (i64, Value, Value), resolution: (i64, Value, Value), breaches: i64) -> Value {
    json!({
        "first_response": { "count": first.0, "median_seconds": first.1, "p90_seconds": first.2 },
        "resolution": { "count": resolution.0, "median_seconds": resolution.1,
                        "p90_seconds": resolution.2 },
        "breaches": breaches,
    })
}

/// `v` without the fields of a row's name and id.
fn figures(v: &Value) -> Value {
    let mut v = v.clone();
    for k in ["user_id", "team_id", "name"] {
        v.as_object_mut().unwrap().remove(k);
    }
    v
}

#[tokio::test]
async fn response_times_are_nearest_rank_per_agent_with_breaches_and_automations_do_not_answer() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let t = wa.create_tenant("an-response").await;
        wa.connect_number(&t, PNID, WABA).await;
        let alice = wa.add_user(&t, Role::Agent, "alice").await;
        let bob = wa.add_user(&t, Role::Agent, "bob").await;
        let flow = crate::automations::workflow(
            &wa,
            &t,
            "Help desk",
            json!({
                "trigger": { "type": "message_received", "keywords": ["help"] },
                "steps": [{ "type": "send_text", "text": "A person will be with you soon" }]
            }),
        )
        .await;
        let key = Auth::ApiKey(&t.api_key);
        let targets = json!({ "first_response_minutes": 5, "resolution_minutes": 60 });
        let r = wa
            .put("/api/v1/analytics/targets", key, targets.clone())
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let m = next_monday(&wa);
        let at = |h: i64, min: i64| instant(m, h, min);

        // 1. 09:00 C1 writes; Alice has it, answers at 09:03 (3 minutes)
        // and resolves it at 09:30 (30 minutes).
        set_clocks(&wa, at(9, 0));
        let c1 = customer_writes(&wa, &t, PNID, "15550441001", "Good morning").await;
        update_conversation(&wa, &t, &c1, json!({ "assigned_user_id": alice.id })).await;
        set_clocks(&wa, at(9, 3));
        let token = sign_in(&wa, &t, &alice).await;
        reply(&wa, Auth::Bearer(&token), &c1, "Morning! What can I do?").await;
        set_clocks(&wa, at(9, 30));
        update_conversation(&wa, &t, &c1, json!({ "status": "resolved" })).await;

        // 2. 10:00 C2 writes; Bob has it, answers at 10:10 (10 minutes:
        // late) and resolves it at 12:00 (120 minutes: late).
        set_clocks(&wa, at(10, 0));
        let c2 = customer_writes(&wa, &t, PNID, "15550441002", "Is my order ready?").await;
        update_conversation(&wa, &t, &c2, json!({ "assigned_user_id": bob.id })).await;
        set_clocks(&wa, at(10, 10));
        let token = sign_in(&wa, &t, &bob).await;
        reply(&wa, Auth::Bearer(&token), &c2, "Checking now").await;

        // 3. 11:00 C3 writes; it is Alice's, answered at 11:01 through the
        // API key (1 minute, hers as the assignee); never resolved.
        set_clocks(&wa, at(11, 0));
        let c3 = customer_writes(&wa, &t, PNID, "15550441003", "Do you deliver?").await;
        update_conversation(&wa, &t, &c3, json!({ "assigned_user_id": alice.id })).await;
        set_clocks(&wa, at(11, 1));
        reply(&wa, key, &c3, "We do, within the city").await;

        // 4. 12:00 C4 asks for help: the workflow answers at once, no
        // person does.
        set_clocks(&wa, at(12, 0));
        let c4 = customer_writes(&wa, &t, PNID, "15550441004", "help please").await;
        update_conversation(&wa, &t, &c2, json!({ "status": "resolved" })).await;
        wa.eventually("the workflow's answer reaches C4", || async {
            wa.sandbox.received(PNID, "15550441004").len() == 1
        })
        .await;
        let runs = crate::automations::runs(&wa, &t, &flow).await;
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0]["status"], json!("completed"), "{runs:?}");

        set_clocks(&wa, at(12, 30));
        wa.drain().await;
        let r = report(&wa, key, "response-times", &date(m), &date(m)).await;
        assert_eq!(r["targets"], targets);
        assert_eq!(r["conversations"], json!(4), "{r}");
        // First responses 180, 600 and 60 s: sorted 60, 180, 600; the
        // median is the 2nd (⌈0.5·3⌉), the 90th percentile the 3rd
        // (⌈0.9·3⌉). Resolutions 1800 and 7200 s: the 1st (⌈0.5·2⌉) and
        // the 2nd (⌈0.9·2⌉). Four breaches.
        let overall = perf(
            (3, json!(180), json!(600)),
            (2, json!(1800), json!(7200)),
            4,
        );
        assert_eq!(r["overall"], overall, "{r}");
        assert_eq!(
            r["previous"],
            perf(
                (0, Value::Null, Value::Null),
                (0, Value::Null, Value::Null),
                0
            )
        );

        // Alice: 180 and 60 s (median 60, p90 180), resolved C1 in 1800 s,
        // C3 open past its target. Bob: C2 both late. Nobody's: C4 waiting.
        let agents = &r["agents"];
        assert_eq!(agents.as_array().unwrap().len(), 3, "{agents}");
        let alice_row = row(agents, "user_id", &alice.id);
        assert_eq!(alice_row["name"], json!("Test User"));
        assert_eq!(
            figures(alice_row),
            perf((2, json!(60), json!(180)), (1, json!(1800), json!(1800)), 1)
        );
        assert_eq!(
            figures(row(agents, "user_id", &bob.id)),
            perf(
                (1, json!(600), json!(600)),
                (1, json!(7200), json!(7200)),
                2
            )
        );
        let nobody = agents
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["user_id"].is_null())
            .expect("a row for the unassigned");
        assert_eq!(
            figures(nobody),
            perf(
                (0, Value::Null, Value::Null),
                (0, Value::Null, Value::Null),
                1
            )
        );
        // No teams: one row, everything.
        let teams = r["teams"].as_array().unwrap();
        assert_eq!(teams.len(), 1);
        assert_eq!(teams[0]["team_id"], Value::Null);
        assert_eq!(figures(&teams[0]), overall);

        // The longest first; as of 12:30, C3 has been open 90 minutes and
        // C4 has waited 30 for a person.
        let breaches: Vec<Value> = r["breaches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                json!([
                    b["conversation_id"],
                    b["target"],
                    b["minutes"],
                    b["target_minutes"],
                    b["ongoing"],
                    b["assigned_user_id"]
                ])
            })
            .collect();
        let expected = [
            json!([c2, "resolution", 120, 60, false, bob.id]),
            json!([c3, "resolution", 90, 60, true, alice.id]),
            json!([c4, "first_response", 30, 5, true, null]),
            json!([c2, "first_response", 10, 5, false, bob.id]),
        ];
        assert_eq!(breaches, expected);
        let opened = row(&r["breaches"], "conversation_id", &c4)["opened_at"].clone();
        let opened = domain::Timestamp::parse_rfc3339(opened.as_str().unwrap()).unwrap();
        assert_eq!(opened.as_millis() / 1000, at(12, 0));

        // The same figures as CSV: everything, each agent, each team.
        let rows = super::csv(&wa, key, "response-times", &date(m), &date(m)).await;
        assert_eq!(
            rows[0],
            [
                "group",
                "id",
                "name",
                "first_response_count",
                "first_response_median_seconds",
                "first_response_p90_seconds",
                "resolution_count",
                "resolution_median_seconds",
                "resolution_p90_seconds",
                "breaches",
            ]
        );
        assert_eq!(rows.len(), 6, "{rows:?}");
        assert_eq!(
            rows[1],
            ["all", "", "", "3", "180", "600", "2", "1800", "7200", "4"]
        );
        let line = |id: &str| rows.iter().find(|r| r[1] == id).cloned().unwrap();
        let alice_line = [
            "agent",
            alice.id.as_str(),
            "Test User",
            "2",
            "60",
            "180",
            "1",
            "1800",
            "1800",
            "1",
        ];
        assert_eq!(line(&alice.id), alice_line);
        let bob_line = [
            "agent",
            bob.id.as_str(),
            "Test User",
            "1",
            "600",
            "600",
            "1",
            "7200",
            "7200",
            "2",
        ];
        assert_eq!(line(&bob.id), bob_line);
        assert!(
            rows.contains(
                &["agent", "", "", "0", "", "", "0", "", "", "1"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(
            rows[5],
            ["team", "", "", "3", "180", "600", "2", "1800", "7200", "4"]
        );

        // The day before has none of it.
        let r = report(&wa, key, "response-times", &date(m - 1), &date(m - 1)).await;
        assert_eq!(r["conversations"], json!(0));
        assert_eq!(r["breaches"], json!([]));

        // The workflow's run, on the day it finished.
        let r = report(&wa, key, "automations", &date(m - 1), &date(m)).await;
        assert_eq!(r["totals"], json!({ "completed": 1, "failed": 0 }));
        let workflows = json!([{ "workflow_id": flow, "name": "Help desk",
            "completed": 1, "failed": 0 }]);
        assert_eq!(r["workflows"], workflows);
        let days = json!([
            { "day": date(m - 1), "completed": 0, "failed": 0 },
            { "day": date(m), "completed": 1, "failed": 0 },
        ]);
        assert_eq!(r["days"], days);
        // The two days after, against these two.
        let after = report(&wa, key, "automations", &date(m + 1), &date(m + 2)).await;
        assert_eq!(after["totals"], json!({ "completed": 0, "failed": 0 }));
        assert_eq!(after["previous"], json!({ "completed": 1, "failed": 0 }));
        let rows = super::csv(&wa, key, "automations", &date(m - 1), &date(m)).await;
        assert_eq!(rows[0], ["workflow_id", "name", "completed", "failed"]);
        assert_eq!(
            rows[1..],
            [vec![
                flow.clone(),
                "Help desk".into(),
                "1".into(),
                "0".into()
            ]]
        );

        // The zone changes (São Paulo: the day still holds all of it), and
        // before the counts are made anew, at 12:40, Alice answers C4 (40
        // minutes: late) and C3 is resolved (100 minutes: late). Both are
        // followed through the recount.
        super::set_zone(&wa, &t, "America/Sao_Paulo").await;
        set_clocks(&wa, at(12, 40));
        let token = sign_in(&wa, &t, &alice).await;
        let body =
            json!({ "conversation_id": c4, "type": "text", "text": { "body": "Hi, Alice here" } });
        let r = wa
            .post("/api/v1/messages", Auth::Bearer(&token), body)
            .await;
        assert_eq!(r.status, 202, "{}", r.body);
        let path = format!("/api/v1/conversations/{c3}");
        let r = wa.patch(&path, key, json!({ "status": "resolved" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        wa.drain().await;
        let r = report(&wa, key, "response-times", &date(m), &date(m)).await;
        assert_eq!(r["time_zone"], json!("America/Sao_Paulo"));
        // First responses 60, 180, 600, 2400: the 2nd and the 4th (⌈3.6⌉);
        // resolutions 1800, 6000, 7200: the 2nd and the 3rd.
        let overall = perf(
            (4, json!(180), json!(2400)),
            (3, json!(6000), json!(7200)),
            4,
        );
        assert_eq!(r["overall"], overall, "{r}");
        // Alice: 60, 180, 2400 (median 180); resolved 1800 and 6000; late
        // on C3's resolution and C4's answer.
        assert_eq!(
            figures(row(&r["agents"], "user_id", &alice.id)),
            perf(
                (3, json!(180), json!(2400)),
                (2, json!(1800), json!(6000)),
                2
            )
        );
        let breaches: Vec<Value> = r["breaches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                json!([
                    b["conversation_id"],
                    b["target"],
                    b["minutes"],
                    b["ongoing"]
                ])
            })
            .collect();
        let expected = [
            json!([c2, "resolution", 120, false]),
            json!([c3, "resolution", 100, false]),
            json!([c4, "first_response", 40, false]),
            json!([c2, "first_response", 10, false]),
        ];
        assert_eq!(breaches, expected);
        wa.stop().await;
    })
    .await;
}
