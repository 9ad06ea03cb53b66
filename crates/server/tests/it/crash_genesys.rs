//! Crash test of the Genesys bridge: the real `switchboard serve` binary,
//! killed with SIGKILL while customers' messages go to Genesys and while
//! agents' replies go to WhatsApp, restarted on the same database each
//! time. Every customer message reaches Genesys once; every
//! agent reply reaches its customer once, and Genesys gets its receipt.

use crate::crash::{PNID, meta, start, tenant_with_number};
use genesys::{GenesysSandbox, SandboxOptions};
use serde_json::json;
use std::time::Duration;
use testkit::Auth;

const CUSTOMERS: usize = 4;
const MESSAGES: usize = 8;
const KILL_AT_GENESYS: [usize; 2] = [8, 20];

fn customer(c: usize) -> String {
    format!("1650557{c:04}")
}

#[tokio::test]
async fn crash_while_the_bridge_carries_messages_both_ways_loses_and_repeats_nothing() {
    for engine in testkit::engines() {
        eprintln!("--- engine: {engine:?}");
        let meta = meta(Duration::from_millis(50)).await;
        let genesys = GenesysSandbox::start(SandboxOptions::default())
            .await
            .expect("Genesys sandbox starts");
        let mut server = start(
            engine,
            &meta,
            &[
                ("SWITCHBOARD_WORKER_CONCURRENCY", "4"),
                ("SWITCHBOARD_GENESYS_BASE_URL", &genesys.base_url()),
            ],
        )
        .await;
        let (_tenant, key) = tenant_with_number(&server, &meta, 1000).await;
        let (status, channels) = server.get("/api/v1/channels", Auth::ApiKey(&key)).await;
        assert_eq!(status, 200, "{channels}");
        let channel = channels["items"][0]["id"].as_str().unwrap().to_owned();
        let (status, body) = server
            .put(
                "/api/v1/genesys/account",
                Auth::ApiKey(&key),
                &json!({ "region": "eu-west-1", "client_id": "sandbox-client",
                         "client_secret": "sandbox-secret" }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, link) = server
            .put(
                &format!("/api/v1/genesys/links/{channel}"),
                Auth::ApiKey(&key),
                &json!({ "routing": "all" }),
            )
            .await;
        assert_eq!(status, 201, "{link}");
        let integration = link["integration_id"].as_str().unwrap().to_owned();

        // Customers write; the server is killed twice while their messages
        // go to Genesys (Meta retries its webhooks meanwhile).
        for m in 0..MESSAGES {
            for c in 0..CUSTOMERS {
                let msg = sandbox::InboundMessage::text(PNID, &customer(c), &format!("c{c} m{m}"));
                meta.send_inbound(msg).unwrap();
            }
        }
        for kill_at in KILL_AT_GENESYS {
            server
                .eventually("Genesys reaches the kill point", || async {
                    genesys.inbound().len() >= kill_at
                })
                .await;
            server.kill();
            eprintln!(
                "killed with {}+ messages at Genesys",
                genesys.inbound().len()
            );
            server.restart().await;
        }
        server
            .eventually("every customer message reaches Genesys", || async {
                let n = genesys.inbound().len();
                if n < CUSTOMERS * MESSAGES {
                    eprintln!("{n} at Genesys");
                }
                n >= CUSTOMERS * MESSAGES
            })
            .await;
        for c in 0..CUSTOMERS {
            let mut texts: Vec<String> = genesys
                .inbound()
                .into_iter()
                .filter(|r| r.body.channel.from.id == customer(c))
                .map(|r| r.body.text.unwrap_or_default())
                .collect();
            let expected: Vec<String> = (0..MESSAGES).map(|m| format!("c{c} m{m}")).collect();
            // Once each. In the order Switchboard stored them, which a
            // crash can change: a webhook whose processing was cut short
            // is processed after the ones that came in meanwhile.
            texts.sort();
            assert_eq!(texts, expected, "customer {c}: once each");
        }

        // Agents answer; the server is killed half-way, with sends and
        // receipts in flight.
        let mut replies = Vec::new();
        for round in 0..2 {
            for c in 0..CUSTOMERS {
                let text = format!("agent to c{c}, round {round}");
                let (status, id) = genesys
                    .agent_reply(&integration, &customer(c), Some(&text), None)
                    .await
                    .unwrap();
                assert_eq!(status, 200, "{text}");
                replies.push((c, text, id));
            }
            if round == 0 {
                server.kill();
                eprintln!("killed with agent replies in flight");
                server.restart().await;
            }
        }
        server
            .eventually(
                "every reply reaches its customer and Genesys its receipt",
                || async {
                    let receipts = genesys.receipts();
                    replies.iter().all(|(c, _, id)| {
                        receipts
                            .iter()
                            .any(|r| &r.body.id == id && r.body.status == "Delivered")
                            && !meta.received(PNID, &customer(*c)).is_empty()
                    })
                },
            )
            .await;
        for (c, text, _) in &replies {
            let copies = meta
                .received(PNID, &customer(*c))
                .iter()
                .filter(|m| m.content["body"] == text.as_str())
                .count();
            assert_eq!(copies, 1, "{text} reached the customer once");
        }
        server.kill();
        genesys.shutdown().await;
        meta.shutdown().await;
    }
}
