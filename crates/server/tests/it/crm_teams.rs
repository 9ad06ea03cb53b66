//! Teams and auto-assignment, on both engines, end to end: customers write
//! to a number through the sandbox (signed webhooks, real HTTP), the
//! number routes its new conversations to a team, and the team's rule
//! gives each to an available member: round robin, then least busy, never
//! to someone away; a conversation that comes back stays with its agent;
//! one moved to a team is assigned by it; a manual team's wait in its
//! queue. Also the API's refusals, and what deleting a team leaves.

mod pages;

use crate::channels::{PNID_A, WABA_A};
use crate::crm_notes::{audit_actions, event_names};
use domain::Role;
use serde_json::{Value, json};
use testkit::{Auth, TestApp, TestTenant, WhatsAppTest, each_engine, each_engine_with_sandbox};

async fn create_team(app: &TestApp, t: &TestTenant, body: Value) -> Value {
    let r = app
        .post("/api/v1/teams", Auth::Bearer(&t.owner.token), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

async fn conversation_of(app: &TestApp, t: &TestTenant, wa_id: &str) -> Option<Value> {
    let r = app
        .get(
            &format!("/api/v1/conversations?search={wa_id}"),
            Auth::ApiKey(&t.api_key),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().first().cloned()
}

/// A customer writes to the number; once the routing has run, who has
/// their conversation (`Value::Null`: nobody).
async fn customer_writes(wa: &WhatsAppTest, t: &TestTenant, wa_id: &str) -> Value {
    wa.sandbox.send_text(PNID_A, wa_id, "Hello?").unwrap();
    let app = &wa.app;
    app.eventually("the conversation is in", || async {
        conversation_of(app, t, wa_id).await.is_some()
    })
    .await;
    // Routing reads the log: one more round after the message is stored.
    app.drain().await;
    conversation_of(app, t, wa_id).await.unwrap()["assigned_user_id"].clone()
}

async fn set_away(app: &TestApp, token: &str, away: bool) -> Value {
    let r = app
        .put(
            "/api/v1/me/availability",
            Auth::Bearer(token),
            json!({ "available": !away }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn patch_conversation(app: &TestApp, t: &TestTenant, id: &str, body: Value) -> Value {
    let r = app
        .patch(
            &format!("/api/v1/conversations/{id}"),
            Auth::ApiKey(&t.api_key),
            body,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

#[tokio::test]
async fn a_numbers_new_conversations_go_to_its_teams_available_agents_by_rule() {
    each_engine_with_sandbox(|wa: WhatsAppTest| async move {
        let app = &wa.app;
        let t = wa.create_tenant("teams-routing").await;
        let channel = wa.connect_number(&t, PNID_A, WABA_A).await;
        // Users' ids grow with time: alice < bob is round robin's order.
        let alice = app.add_user(&t, Role::Agent, "alice").await;
        let bob = app.add_user(&t, Role::Agent, "bob").await;
        let team = create_team(
            app,
            &t,
            json!({ "name": " Support ", "assignment": "round_robin",
                    "member_ids": [bob.id, alice.id, alice.id] }),
        )
        .await;
        let team_id = team["id"].as_str().unwrap().to_owned();
        assert_eq!(team["name"], json!("Support"));
        let members: Vec<&Value> = team["members"].as_array().unwrap().iter().collect();
        assert_eq!(members.len(), 2, "members are a set: {team}");
        assert_eq!(members[0]["user_id"], json!(alice.id));
        assert_eq!(members[0]["available"], json!(true));

        // Before the number routes to the team, nobody is given anything.
        assert_eq!(customer_writes(&wa, &t, "15550300001").await, Value::Null);
        let r = app
            .put(
                &format!("/api/v1/channels/{channel}/team"),
                Auth::Bearer(&t.owner.token),
                json!({ "team_id": team_id }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ch = app
            .get(
                &format!("/api/v1/channels/{channel}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(ch.body["team_id"], json!(team_id));

        // Round robin, in turn.
        assert_eq!(
            customer_writes(&wa, &t, "15550300002").await,
            json!(alice.id)
        );
        assert_eq!(customer_writes(&wa, &t, "15550300003").await, json!(bob.id));
        assert_eq!(
            customer_writes(&wa, &t, "15550300004").await,
            json!(alice.id)
        );
        // Bob is away: he is skipped.
        let away = set_away(app, &bob.token, true).await;
        assert_eq!(away["available"], json!(false));
        assert!(away["away_since"].is_string(), "{away}");
        assert_eq!(
            customer_writes(&wa, &t, "15550300005").await,
            json!(alice.id)
        );
        // The first conversation started before the routing: no team.
        let first = conversation_of(app, &t, "15550300001").await.unwrap();
        assert_eq!(first["team_id"], Value::Null);
        let routed = app
            .get(
                &format!("/api/v1/conversations?team_id={team_id}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(routed.body["items"].as_array().unwrap().len(), 4);

        // A resolved conversation that comes back stays with its agent.
        let c3 = conversation_of(app, &t, "15550300003").await.unwrap();
        let c3_id = c3["id"].as_str().unwrap();
        patch_conversation(app, &t, c3_id, json!({ "status": "resolved" })).await;
        assert_eq!(customer_writes(&wa, &t, "15550300003").await, json!(bob.id));

        // Least busy: Bob is back with 1 open conversation, Alice has 3.
        set_away(app, &bob.token, false).await;
        let r = app
            .patch(
                &format!("/api/v1/teams/{team_id}"),
                Auth::Bearer(&t.owner.token),
                json!({ "assignment": "least_busy" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let load: Vec<i64> = r.body["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["open_conversations"].as_i64().unwrap())
            .collect();
        assert_eq!(load, vec![3, 1]);
        assert_eq!(customer_writes(&wa, &t, "15550300006").await, json!(bob.id));
        assert_eq!(customer_writes(&wa, &t, "15550300007").await, json!(bob.id));
        // 3 each: the tie goes to the next in turn after Bob.
        assert_eq!(
            customer_writes(&wa, &t, "15550300008").await,
            json!(alice.id)
        );

        // Moved to the team, the unrouted first conversation is assigned.
        let first_id = first["id"].as_str().unwrap();
        let moved = patch_conversation(app, &t, first_id, json!({ "team_id": team_id })).await;
        assert_eq!(moved["team_id"], json!(team_id));
        app.drain().await;
        let first = conversation_of(app, &t, "15550300001").await.unwrap();
        assert_eq!(
            first["assigned_user_id"],
            json!(bob.id),
            "bob had 3, alice 4"
        );

        // A manual team's conversations wait in its queue.
        let desk = create_team(app, &t, json!({ "name": "Desk", "member_ids": [alice.id] })).await;
        assert_eq!(desk["assignment"], json!("manual"));
        let desk_id = desk["id"].as_str().unwrap();
        let r = app
            .put(
                &format!("/api/v1/channels/{channel}/team"),
                Auth::Bearer(&t.owner.token),
                json!({ "team_id": desk_id }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(customer_writes(&wa, &t, "15550300009").await, Value::Null);
        let desk = app
            .get(
                &format!("/api/v1/teams/{desk_id}"),
                Auth::ApiKey(&t.api_key),
            )
            .await;
        assert_eq!(desk.body["queue"], json!(1), "{}", desk.body);

        // Each automatic assignment is an event naming its rule, and an
        // audit entry by Switchboard.
        let mut tx = app.state.store.tenant(t.id.parse().unwrap()).await.unwrap();
        let events = tx.events_after(0, 10_000).await.unwrap();
        tx.commit().await.unwrap();
        let rules: Vec<String> = events
            .iter()
            .filter(|e| e.name == "conversation.assigned")
            .map(|e| e.payload["rule"].as_str().unwrap_or("person").to_owned())
            .collect();
        assert_eq!(
            rules,
            [
                "round_robin",
                "round_robin",
                "round_robin",
                "round_robin",
                "least_busy",
                "least_busy",
                "least_busy",
                "least_busy",
            ]
        );
        let names = event_names(app, &t).await;
        for name in [
            "team.created",
            "team.updated",
            "channel.team_changed",
            "conversation.team_changed",
            "agent.availability_changed",
        ] {
            assert!(names.iter().any(|n| n == name), "no {name}");
        }
        let assigns = audit_actions(app, &t, "conversation.assign").await;
        assert_eq!(assigns.len(), 8);

        // Deleting a team leaves its number and conversations without
        // one; assignees stay.
        let r = app
            .delete(
                &format!("/api/v1/teams/{team_id}"),
                Auth::Bearer(&t.owner.token),
            )
            .await;
        assert_eq!(r.status, 204);
        let c2 = conversation_of(app, &t, "15550300002").await.unwrap();
        assert_eq!(c2["team_id"], Value::Null);
        assert_eq!(c2["assigned_user_id"], json!(alice.id));
        wa.stop().await;
    })
    .await;
}

#[tokio::test]
async fn teams_refuse_what_they_cannot_be() {
    each_engine(|app| async move {
        let t = app.create_tenant("teams-refuse").await;
        let other = app.create_tenant("teams-other").await;
        let owner = Auth::Bearer(&t.owner.token);
        let agent = app.add_user(&t, Role::Agent, "agent").await;
        create_team(&app, &t, json!({ "name": "Sales" })).await;
        for (body, status, code) in [
            (json!({ "name": "SALES" }), 409, "team_name_taken"),
            (json!({ "name": " " }), 422, "validation_failed"),
            (
                json!({ "name": "X", "assignment": "random" }),
                422,
                "validation_failed",
            ),
            (
                json!({ "name": "X", "member_ids": [other.owner.id] }),
                422,
                "validation_failed",
            ),
        ] {
            let r = app.post("/api/v1/teams", owner, body.clone()).await;
            assert_eq!(r.status, status, "{body}: {}", r.body);
            assert_eq!(r.code(), code, "{body}");
        }
        let r = app
            .post(
                "/api/v1/teams",
                Auth::Bearer(&agent.token),
                json!({ "name": "Mine" }),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        // An API key has no self to be away.
        let r = app
            .put(
                "/api/v1/me/availability",
                Auth::ApiKey(&t.api_key),
                json!({ "available": false }),
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.body);
        assert_eq!(r.code(), "user_required");
        // Agents say so themselves; twice is once.
        set_away(&app, &agent.token, true).await;
        set_away(&app, &agent.token, true).await;
        let changes = event_names(&app, &t)
            .await
            .into_iter()
            .filter(|n| n == "agent.availability_changed")
            .count();
        assert_eq!(changes, 1);
        // A conversation cannot go to another tenant's team.
        let theirs = create_team(&app, &other, json!({ "name": "Theirs" })).await;
        let (_, conv) = crate::crm_notes::conversation(&app, &t, "15550300100", "Ola").await;
        let r = app
            .patch(
                &format!("/api/v1/conversations/{conv}"),
                Auth::ApiKey(&t.api_key),
                json!({ "team_id": theirs["id"] }),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.body);
        assert_eq!(
            r.body["error"]["fields"][0]["field"],
            json!("team_id"),
            "{}",
            r.body
        );
    })
    .await;
}

/// Gives `t` a team (with its owner) so the cross-tenant walk
/// (isolation.rs) probes the team routes with a real id.
pub async fn seed(app: &TestApp, t: &TestTenant) {
    create_team(
        app,
        t,
        json!({ "name": "Seeded team", "assignment": "round_robin", "member_ids": [t.owner.id] }),
    )
    .await;
}
